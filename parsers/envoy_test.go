package parsers

import (
	"strings"
	"testing"
	"time"
)

// envoyView is the part of a Record an Envoy line sets, so that a test states all of it.
type envoyView struct {
	Start, Time                  string
	Method, Host, URI, Path      string
	RoutedPath, Proto            string
	Status                       int
	Upstream                     []int
	UpstreamAddr, Service        string
	Local                        Local
	Allow, Origin, ACRMethod     string
	ClientIP, UserAgent, Detail  string
	Duration                     time.Duration
	RequestID, TraceID, AmznRoot string
	B3TraceID                    string
}

func envoyViewOf(r *Record) envoyView {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return envoyView{
		Start: ts(r.Start), Time: ts(r.Time), Method: r.Method, Host: r.Host, URI: r.URI,
		Path: r.Path, RoutedPath: r.RoutedPath, Proto: r.Proto, Status: r.Status,
		Upstream: r.Upstream, UpstreamAddr: r.UpstreamAddr, Service: r.Service, Local: r.Local,
		Allow: r.Allow, Origin: r.Origin, ACRMethod: r.ACRMethod, ClientIP: r.ClientIP,
		UserAgent: r.UserAgent, Detail: r.Detail, Duration: r.Duration,
		RequestID: r.IDs.RequestID, TraceID: r.IDs.TraceID, AmznRoot: r.IDs.AmznRoot,
		B3TraceID: r.IDs.B3TraceID,
	}
}

func (v envoyView) diff(w envoyView) string {
	var b strings.Builder
	gs, ws := strings.Split(fmtView(v), "\n"), strings.Split(fmtView(w), "\n")
	for i := range gs {
		if gs[i] != ws[i] {
			b.WriteString("\n  got  " + gs[i] + "\n  want " + ws[i])
		}
	}
	return b.String()
}

func fmtView(v envoyView) string {
	return strings.Join([]string{
		"Start=" + v.Start, "Time=" + v.Time, "Method=" + v.Method, "Host=" + v.Host,
		"URI=" + v.URI, "Path=" + v.Path, "RoutedPath=" + v.RoutedPath, "Proto=" + v.Proto,
		"Status=" + itoa(v.Status), "Upstream=" + ints(v.Upstream), "UpstreamAddr=" + v.UpstreamAddr,
		"Service=" + v.Service, "Local=" + v.Local.String(), "Allow=" + v.Allow, "Origin=" + v.Origin,
		"ACRMethod=" + v.ACRMethod, "ClientIP=" + v.ClientIP, "UserAgent=" + v.UserAgent,
		"Detail=" + v.Detail, "Duration=" + v.Duration.String(), "RequestID=" + v.RequestID,
		"TraceID=" + v.TraceID, "AmznRoot=" + v.AmznRoot, "B3TraceID=" + v.B3TraceID,
	}, "\n")
}

func itoa(n int) string { return time.Duration(n).String() }

func ints(v []int) string {
	if v == nil {
		return "nil"
	}
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = itoa(n)
	}
	return "[" + strings.Join(s, ",") + "]"
}

func mustEnvoy(t testing.TB, format string) *EnvoyParser {
	t.Helper()
	p, err := CompileEnvoy(format)
	if err != nil {
		t.Fatalf("CompileEnvoy: %v", err)
	}
	return p
}

// envoyIstioNoTime is the Istio format without its leading "[%START_TIME%] ": the author of the
// Istio NR/UH example lines trimmed the time stamp off, so they are tested against this variant.
var envoyIstioNoTime = strings.TrimPrefix(EnvoyIstioFormat, "[%START_TIME%] ")

// envoyCustomFormat logs the request ids, both paths, details and CORS headers (samples/envoy/envoy.yaml).
const envoyCustomFormat = `[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %REQ(:PATH)% %PROTOCOL%" ` +
	`%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %DURATION% "%REQ(X-REQUEST-ID)%" ` +
	`"%REQ(TRACEPARENT)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER% "%RESP(ALLOW)%" "%REQ(ORIGIN)%" ` +
	`"%REQ(ACCESS-CONTROL-REQUEST-METHOD)%"` + "\n"

func TestEnvoyText(t *testing.T) {
	def := mustEnvoy(t, EnvoyDefaultFormat)
	istio := mustEnvoy(t, EnvoyIstioFormat)
	noTime := mustEnvoy(t, envoyIstioNoTime)
	custom := mustEnvoy(t, envoyCustomFormat)
	tests := []struct {
		name string
		p    *EnvoyParser
		line string
		want envoyView
	}{
		{
			// (docs) envoyproxy/envoy, docs/root/configuration/observability/access_log/usage.rst
			name: "default docs example",
			p:    def,
			line: `[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80"`,
			want: envoyView{Start: "2016-04-15T20:17:00.310Z", Time: "2016-04-15T20:17:00.536Z",
				Method: "POST", Host: "locations", URI: "/api/v1/locations", Path: "/api/v1/locations",
				Proto: "HTTP/2", Status: 204, Upstream: []int{204}, UpstreamAddr: "tcp://10.0.2.1:80",
				Local: LocalNo, ClientIP: "10.0.35.28", UserAgent: "nsq2http", Duration: 226 * time.Millisecond,
				RequestID: "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2"},
		},
		{
			// (test data) elastic/beats, x-pack/filebeat/module/envoyproxy/log/test/envoy.log
			name: "default TCP line UF,URX",
			p:    def,
			line: `[2019-04-06T06:20:05.972Z] "- - -" 0 UF,URX 0 0 0 - "-" "-" "-" "-" "127.0.0.1:9200"`,
			want: envoyView{Start: "2019-04-06T06:20:05.972Z", Time: "2019-04-06T06:20:05.972Z",
				UpstreamAddr: "127.0.0.1:9200", Local: LocalUnknown, Detail: "flags=UF,URX"},
		},
		{
			// (test data) elastic/beats, x-pack/filebeat/module/envoyproxy/log/test/envoy.log
			name: "default beats HTTP line",
			p:    def,
			line: `[2019-02-12T18:37:42.921Z] "GET /httpbin/ip HTTP/1.1" 200 - 0 43 217 216 "172.17.0.5" "curl/7.59.0" "c62ec130-6dee-4f3b-a52b-4f0d1312d89d" "httpbin.org" "52.87.35.92:80"`,
			want: envoyView{Start: "2019-02-12T18:37:42.921Z", Time: "2019-02-12T18:37:43.138Z",
				Method: "GET", Host: "httpbin.org", URI: "/httpbin/ip", Path: "/httpbin/ip", Proto: "HTTP/1.1",
				Status: 200, Upstream: []int{200}, UpstreamAddr: "52.87.35.92:80", Local: LocalNo,
				ClientIP: "172.17.0.5", UserAgent: "curl/7.59.0", Duration: 217 * time.Millisecond,
				RequestID: "c62ec130-6dee-4f3b-a52b-4f0d1312d89d"},
		},
		{
			// (docs) istio/istio.io, content/en/docs/tasks/observability/logs/access-log/index.md;
			// the request id's sampled '9' at index 14 is normalised to '4'.
			name: "istio via_upstream 418",
			p:    istio,
			line: `[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default`,
			want: envoyView{Start: "2020-11-25T21:26:18.409Z", Time: "2020-11-25T21:26:18.413Z",
				Method: "GET", Host: "httpbin:8000", URI: "/status/418", Path: "/status/418", Proto: "HTTP/1.1",
				Status: 418, Upstream: []int{418}, UpstreamAddr: "10.44.1.27:80",
				Service: "outbound|8000||httpbin.foo.svc.cluster.local", Local: LocalNo,
				ClientIP: "10.44.1.23", UserAgent: "curl/7.73.0-DEV", Detail: "details=via_upstream route=default",
				Duration: 4 * time.Millisecond, RequestID: "84961386-6d84-429d-98bd-c5aee93b5c88"},
		},
		{
			// eitansuez/istio-troubleshoot, docs/data-plane.md (time stamp trimmed by the author)
			name: "istio without time NR 404",
			p:    noTime,
			line: `"GET /productpages HTTP/1.1" 404 NR route_not_found - "-" 0 0 0 - "10.42.0.1" "curl/8.7.1" "2606aaa9-8c5c-4987-9ba7-86b89f901d34" "localhost" "-" - - 10.42.0.7:8080 10.42.0.1:13819 - -`,
			want: envoyView{Method: "GET", Host: "localhost", URI: "/productpages", Path: "/productpages",
				Proto: "HTTP/1.1", Status: 404, Local: LocalYes, ClientIP: "10.42.0.1", UserAgent: "curl/8.7.1",
				Detail: "flags=NR details=route_not_found", Duration: 0,
				RequestID: "2606aaa9-8c5c-4987-9ba7-86b89f901d34"},
		},
		{
			// eitansuez/istio-troubleshoot, docs/data-plane.md (time stamp trimmed by the author)
			name: "istio without time UH 503",
			p:    noTime,
			line: `"GET /productpage HTTP/1.1" 503 UH no_healthy_upstream - "-" 0 19 0 - "10.42.0.1" "curl/8.7.1" "c4c58af1-2066-4c45-affb-d1345d32fc66" "localhost" "-" outbound|9080||productpage.default.svc.cluster.local - 10.42.0.7:8080 10.42.0.1:60667 - -`,
			want: envoyView{Method: "GET", Host: "localhost", URI: "/productpage", Path: "/productpage",
				Proto: "HTTP/1.1", Status: 503, Service: "outbound|9080||productpage.default.svc.cluster.local",
				Local: LocalYes, ClientIP: "10.42.0.1", UserAgent: "curl/8.7.1",
				Detail: "flags=UH details=no_healthy_upstream", Duration: 0,
				RequestID: "c4c58af1-2066-4c45-affb-d1345d32fc66"},
		},
		{
			// docs/formats.md §2.7 (constructed): route direct_response 405
			name: "constructed istio direct_response 405",
			p:    istio,
			line: `[2026-11-24T10:00:00.123Z] "DELETE /v1/items/7 HTTP/1.1" 405 - direct_response - "-" 0 18 0 - "10.0.0.5" "curl/8.5.0" "3f1c2a44-8d1e-4b6f-9a3c-7e2d1b0c9f8e" "api.example.com" "-" - - 10.0.2.9:8080 10.0.0.5:51234 - block_delete`,
			want: envoyView{Start: "2026-11-24T10:00:00.123Z", Time: "2026-11-24T10:00:00.123Z",
				Method: "DELETE", Host: "api.example.com", URI: "/v1/items/7", Path: "/v1/items/7",
				Proto: "HTTP/1.1", Status: 405, Local: LocalYes, ClientIP: "10.0.0.5", UserAgent: "curl/8.5.0",
				Detail: "details=direct_response route=block_delete", Duration: 0,
				RequestID: "3f1c2a44-8d1e-4b6f-9a3c-7e2d1b0c9f8e"},
		},
		{
			// docs/formats.md §2.7 (constructed): ext_authz server answered 405; id index 14 '9' → '4'
			name: "constructed istio ext_authz 405",
			p:    istio,
			line: `[2026-11-24T10:00:01.456Z] "POST /v1/items HTTP/1.1" 405 UAEX ext_authz_denied - "-" 42 0 3 - "10.0.0.5" "curl/8.5.0" "6b0e2d1c-5a4f-9e3d-8c2b-1a0f9e8d7c6b" "api.example.com" "-" - - 10.0.2.9:8080 10.0.0.5:51236 - items`,
			want: envoyView{Start: "2026-11-24T10:00:01.456Z", Time: "2026-11-24T10:00:01.459Z",
				Method: "POST", Host: "api.example.com", URI: "/v1/items", Path: "/v1/items",
				Proto: "HTTP/1.1", Status: 405, Local: LocalYes, ClientIP: "10.0.0.5", UserAgent: "curl/8.5.0",
				Detail: "flags=UAEX details=ext_authz_denied route=items", Duration: 3 * time.Millisecond,
				RequestID: "6b0e2d1c-5a4f-4e3d-8c2b-1a0f9e8d7c6b"},
		},
		{
			// constructed: a user agent holding `" "` and spaces; the split must keep it whole
			name: "constructed default user agent with quotes",
			p:    def,
			line: `[2026-11-24T10:00:02.000Z] "GET /a?b=1 HTTP/1.1" 405 - 0 19 5 4 "203.0.113.9, 10.0.0.5" "Mozilla/5.0 "quoted" " "x" (X11)" "c62ec130-6dee-4f3b-a52b-4f0d1312d89d" "api.example.com:443" "[::1]:8080"`,
			want: envoyView{Start: "2026-11-24T10:00:02.000Z", Time: "2026-11-24T10:00:02.005Z",
				Method: "GET", Host: "api.example.com", URI: "/a?b=1", Path: "/a", Proto: "HTTP/1.1",
				Status: 405, Upstream: []int{405}, UpstreamAddr: "[::1]:8080", Local: LocalNo,
				ClientIP: "203.0.113.9", UserAgent: `Mozilla/5.0 "quoted" " "x" (X11)`,
				Duration: 5 * time.Millisecond, RequestID: "c62ec130-6dee-4f3b-a52b-4f0d1312d89d"},
		},
		{
			// constructed: response code 0 (client went away) and '-' in every other field
			name: "constructed default code 0 and dashes",
			p:    def,
			line: `[2026-11-24T10:00:03.000Z] "- - -" 0 DC 0 0 - - "-" "-" "-" "-" "-"`,
			want: envoyView{Start: "2026-11-24T10:00:03.000Z", Time: "2026-11-24T10:00:03.000Z",
				Local: LocalYes, Detail: "flags=DC", Duration: -1},
		},
		{
			// constructed: trailing text after the format (a collector's suffix) is ignored
			name: "constructed default trailing text",
			p:    def,
			line: `[2019-02-12T18:37:42.921Z] "GET /httpbin/ip HTTP/1.1" 200 - 0 43 217 216 "172.17.0.5" "curl/7.59.0" "c62ec130-6dee-4f3b-a52b-4f0d1312d89d" "httpbin.org" "52.87.35.92:80" extra "tail"`,
			want: envoyView{Start: "2019-02-12T18:37:42.921Z", Time: "2019-02-12T18:37:43.138Z",
				Method: "GET", Host: "httpbin.org", URI: "/httpbin/ip", Path: "/httpbin/ip", Proto: "HTTP/1.1",
				Status: 200, Upstream: []int{200}, UpstreamAddr: "52.87.35.92:80", Local: LocalNo,
				ClientIP: "172.17.0.5", UserAgent: "curl/7.59.0", Duration: 217 * time.Millisecond,
				RequestID: "c62ec130-6dee-4f3b-a52b-4f0d1312d89d"},
		},
		{
			// constructed: custom format with both paths, traceparent, Allow and CORS headers;
			// a preflight forwarded upstream and answered 405 by the app
			name: "constructed custom preflight via_upstream 405",
			p:    custom,
			line: `[2026-11-24T10:00:04.000Z] "OPTIONS /api/items /items HTTP/1.1" 405 - via_upstream 7 "0f8fad5b-d9cb-969f-a165-70867728950e" "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01" "10.0.3.4:8080" items_backend "GET, POST" "https://app.example.com" "DELETE"`,
			want: envoyView{Start: "2026-11-24T10:00:04.000Z", Time: "2026-11-24T10:00:04.007Z",
				Method: "OPTIONS", URI: "/api/items", Path: "/api/items", RoutedPath: "/items", Proto: "HTTP/1.1",
				Status: 405, Upstream: []int{405}, UpstreamAddr: "10.0.3.4:8080", Service: "items_backend",
				Local: LocalNo, Allow: "GET, POST", Origin: "https://app.example.com", ACRMethod: "DELETE",
				Detail: "details=via_upstream", Duration: 7 * time.Millisecond,
				RequestID: "0f8fad5b-d9cb-469f-a165-70867728950e", TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec Record
			rec.Reset()
			if err := tc.p.Parse([]byte(tc.line), &rec); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if rec.Format != FormatEnvoy {
				t.Errorf("Format = %q", rec.Format)
			}
			if d := envoyViewOf(&rec).diff(tc.want); d != "" {
				t.Errorf("record differs:%s", d)
			}
			// A clone must not depend on the parser's buffers.
			c := rec.Clone()
			rec.Reset()
			if err := tc.p.Parse([]byte(`[2000-01-01T00:00:00.000Z] "X`), &rec); err == nil {
				t.Fatal("garbage line parsed")
			}
			if d := envoyViewOf(c).diff(tc.want); d != "" {
				t.Errorf("clone differs:%s", d)
			}
		})
	}
}

func TestEnvoyTextErrors(t *testing.T) {
	def := mustEnvoy(t, EnvoyDefaultFormat)
	tests := []struct {
		name, line, want string
	}{
		{"truncated line", `[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2h`,
			`expected "\" \"" after %REQ(USER-AGENT)% at byte 98`},
		{"no closing bracket", `[2016-04-15T20:17:00.310Z "POST / HTTP/2" 204`, `expected "] \"" after %START_TIME% at byte 25`},
		{"not envoy", `10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1`, `expected "[" at byte 0`},
		{"status not a number", `[2016-04-15T20:17:00.310Z] "POST / HTTP/2" 2x4 - 154 0 226 100 "-" "-" "-" "-" "-"`,
			`expected " " after %RESPONSE_CODE% at byte 44`},
		{"bad time", `[2016-04-15 junk] "POST / HTTP/2" 204 - 154 0 226 100 "-" "-" "-" "-" "-"`,
			`expected "] \"" after %START_TIME% at byte 11`},
		{"bad time value", `[yesterday] "POST / HTTP/2" 204 - 154 0 226 100 "-" "-" "-" "-" "-"`,
			`bad %START_TIME% "yesterday" at byte 1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec Record
			rec.Reset()
			err := def.Parse([]byte(tc.line), &rec)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
		})
	}
	var rec Record
	if err := def.Parse([]byte("  \t"), &rec); err != ErrBlank {
		t.Errorf("blank line: %v", err)
	}
}

func TestCompileEnvoy(t *testing.T) {
	for _, bad := range []string{"", "plain text", "100% %DURATION%", "%REQ(USER-AGENT%", "%DURATION"} {
		if _, err := CompileEnvoy(bad); err == nil {
			t.Errorf("CompileEnvoy(%q) succeeded", bad)
		}
	}
	// %% is a literal percent; the trailing newline of DEFAULT_FORMAT is dropped.
	p := mustEnvoy(t, "%RESPONSE_CODE% 100%% %DURATION%\n")
	var rec Record
	rec.Reset()
	if err := p.Parse([]byte("405 100% 12"), &rec); err != nil || rec.Status != 405 || rec.Duration != 12*time.Millisecond {
		t.Fatalf("err=%v status=%d duration=%v", err, rec.Status, rec.Duration)
	}
	if p.fields[len(p.fields)-1].after != nil {
		t.Errorf("trailing newline kept: %q", p.fields[len(p.fields)-1].after)
	}
}

func TestEnvoyStartTimeFormats(t *testing.T) {
	want := time.Date(2026, 11, 24, 10, 0, 1, 456000000, time.UTC)
	tests := []struct{ format, value string }{
		{"%START_TIME%", "2026-11-24T10:00:01.456Z"},
		{"%START_TIME(%Y-%m-%dT%H:%M:%S%z)%", "2026-11-24T11:00:01+0100"},
		{"%START_TIME(%Y-%m-%dT%H:%M:%E3SZ)%", "2026-11-24T10:00:01.456Z"},
		{"%START_TIME(%Y-%m-%dT%H:%M:%S.%3fZ)%", "2026-11-24T10:00:01.456Z"},
		{"%START_TIME(%s.%3f)%", "1795514401.456"},
		{"%START_TIME(%s)%", "1795514401"},
		{"%START_TIME(%s.%9f)%", "1795514401.456000000"},
		{"%START_TIME(%Y/%m/%d %T %Ez)%", "2026/11/24 05:00:01 -05:00"},
		{"%START_TIME(%d/%b/%Y:%H:%M:%S %z)%", "24/Nov/2026:10:00:01 +0000"},
		{"%START_TIME(%F %T.%6f)%", "2026-11-24 10:00:01.456000"},
	}
	for _, tc := range tests {
		p := mustEnvoy(t, "["+tc.format+"] %RESPONSE_CODE%")
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte("["+tc.value+"] 405"), &rec); err != nil {
			t.Errorf("%s: %v", tc.format, err)
			continue
		}
		w := want
		if !strings.Contains(tc.format, "f") && !strings.Contains(tc.format, "E3S") && tc.format != "%START_TIME%" {
			w = want.Truncate(time.Second)
		}
		if !rec.Start.Equal(w) {
			t.Errorf("%s: Start = %v, want %v", tc.format, rec.Start, w)
		}
	}
}

func TestEnvoyPathsAndMethods(t *testing.T) {
	// constructed: a format that logs the original and rewritten path separately, and the
	// transcoder-proof method.
	p := mustEnvoy(t, `%REQ(X-ENVOY-ORIGINAL-METHOD?:METHOD)% %REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH)% %REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_CODE_DETAILS%`)
	tests := []struct {
		line, method, path, uri, routed string
	}{
		{"DELETE POST /v1/items/7 /items.Items/Delete 405 via_upstream", "DELETE", "/v1/items/7", "/v1/items/7", "/items.Items/Delete"},
		{"GET GET - /same?q=1 200 via_upstream", "GET", "/same", "/same?q=1", ""},
		{"- PUT /a?x /a?y 405 direct_response", "PUT", "/a", "/a?x", ""},
	}
	for _, tc := range tests {
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte(tc.line), &rec); err != nil {
			t.Fatalf("%s: %v", tc.line, err)
		}
		if rec.Method != tc.method || rec.Path != tc.path || rec.URI != tc.uri || rec.RoutedPath != tc.routed {
			t.Errorf("%s: method=%q path=%q uri=%q routed=%q", tc.line, rec.Method, rec.Path, rec.URI, rec.RoutedPath)
		}
	}
}

func TestEnvoyLocalEvidence(t *testing.T) {
	// docs/formats.md §2.6, without %RESPONSE_CODE_DETAILS%
	def := mustEnvoy(t, EnvoyDefaultFormat)
	tests := []struct {
		name, line string
		local      Local
		upstream   []int
	}{
		{"host and service time", `[2026-11-24T10:00:00.000Z] "DELETE /x HTTP/1.1" 405 - 0 19 5 4 "-" "curl/8.5.0" "-" "a" "10.0.3.4:8080"`, LocalNo, []int{405}},
		{"no host", `[2026-11-24T10:00:00.000Z] "DELETE /x HTTP/1.1" 405 - 0 19 0 - "-" "curl/8.5.0" "-" "a" "-"`, LocalYes, nil},
		{"host without service time", `[2026-11-24T10:00:00.000Z] "DELETE /x HTTP/1.1" 405 - 0 19 5 - "-" "curl/8.5.0" "-" "a" "10.0.3.4:8080"`, LocalUnknown, nil},
	}
	for _, tc := range tests {
		var rec Record
		rec.Reset()
		if err := def.Parse([]byte(tc.line), &rec); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if rec.Local != tc.local || ints(rec.Upstream) != ints(tc.upstream) {
			t.Errorf("%s: local=%v upstream=%v", tc.name, rec.Local, rec.Upstream)
		}
	}
	// Attempt count 0 means the request was never sent upstream.
	p := mustEnvoy(t, "%RESPONSE_CODE% %UPSTREAM_REQUEST_ATTEMPT_COUNT%")
	var rec Record
	rec.Reset()
	if err := p.Parse([]byte("405 0"), &rec); err != nil || rec.Local != LocalYes {
		t.Errorf("attempts 0: err=%v local=%v", err, rec.Local)
	}
}

func TestEnvoyJSON(t *testing.T) {
	gw := NewEnvoyJSON()
	custom, err := CompileEnvoyJSON(map[string]string{
		"ts":       "%START_TIME(%s.%3f)%",
		"req":      "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%",
		"status":   "%RESPONSE_CODE%",
		"why":      "%RESPONSE_CODE_DETAILS%",
		"rid":      "%REQ(X-REQUEST-ID)%",
		"http.tp":  "%REQ(TRACEPARENT)%",
		"took":     "%DURATION%",
		"upstream": "%UPSTREAM_HOST%",
		"allow":    "%RESP(ALLOW)%",
		"app":      "logtriage", // a constant: ignored
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    *EnvoyParser
		line string
		want envoyView
	}{
		{
			// constructed from Envoy Gateway's default JSON keys (docs/formats.md §2.1), typed values
			name: "constructed gateway direct_response 405",
			p:    gw,
			line: `{":authority":"api.example.com","bytes_received":0,"bytes_sent":18,"connection_termination_details":null,"downstream_local_address":"10.0.2.9:10080","downstream_remote_address":"10.0.0.5:51234","duration":0,"method":"DELETE","protocol":"HTTP/1.1","requested_server_name":null,"response_code":405,"response_code_details":"direct_response","response_flags":"-","route_name":"httproute/default/items/rule/0/match/0/api_example_com","start_time":"2026-11-24T10:00:00.123Z","upstream_cluster":"httproute/default/items/rule/0","upstream_host":null,"upstream_local_address":null,"upstream_transport_failure_reason":null,"user-agent":"curl/8.5.0","x-envoy-origin-path":"/v1/items/7","x-envoy-upstream-service-time":null,"x-forwarded-for":"10.0.0.5","x-request-id":"3f1c2a44-8d1e-4b6f-9a3c-7e2d1b0c9f8e"}`,
			want: envoyView{Start: "2026-11-24T10:00:00.123Z", Time: "2026-11-24T10:00:00.123Z",
				Method: "DELETE", Host: "api.example.com", URI: "/v1/items/7", Path: "/v1/items/7",
				Proto: "HTTP/1.1", Status: 405, Service: "httproute/default/items/rule/0", Local: LocalYes,
				ClientIP: "10.0.0.5", UserAgent: "curl/8.5.0",
				Detail:    "details=direct_response route=httproute/default/items/rule/0/match/0/api_example_com",
				RequestID: "3f1c2a44-8d1e-4b6f-9a3c-7e2d1b0c9f8e"},
		},
		{
			// constructed: json_format (strings only, "-" when unset), upstream 405
			name: "constructed gateway strings via_upstream",
			p:    gw,
			line: `{"start_time":"2026-11-24T10:00:05.000Z","method":"POST","x-envoy-origin-path":"/v1/items?x=1","protocol":"HTTP/2","response_code":"405","response_flags":"-","response_code_details":"via_upstream","duration":"12","x-envoy-upstream-service-time":"-","x-forwarded-for":"198.51.100.7,10.0.0.5","user-agent":"Go-http-client/2.0","x-request-id":"6b0e2d1c-5a4f-9e3d-8c2b-1a0f9e8d7c6b",":authority":"api.example.com:443","upstream_host":"10.0.3.4:8080","upstream_cluster":"httproute/default/items/rule/0","route_name":"-"}`,
			want: envoyView{Start: "2026-11-24T10:00:05.000Z", Time: "2026-11-24T10:00:05.012Z",
				Method: "POST", Host: "api.example.com", URI: "/v1/items?x=1", Path: "/v1/items",
				Proto: "HTTP/2", Status: 405, Upstream: []int{405}, UpstreamAddr: "10.0.3.4:8080",
				Service: "httproute/default/items/rule/0", Local: LocalNo, ClientIP: "198.51.100.7",
				UserAgent: "Go-http-client/2.0", Detail: "details=via_upstream", Duration: 12 * time.Millisecond,
				RequestID: "6b0e2d1c-5a4f-4e3d-8c2b-1a0f9e8d7c6b"},
		},
		{
			// constructed: custom keys from a json_format block, nested object, mixed value
			name: "constructed custom keys",
			p:    custom,
			line: `{"ts":"1795514401.456","req":"DELETE /v1/items/7 HTTP/1.1","status":405,"why":"lua_response","rid":"-","http":{"tp":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},"took":2,"upstream":"-","allow":"GET, HEAD","app":"logtriage"}`,
			want: envoyView{Start: "2026-11-24T10:00:01.456Z", Time: "2026-11-24T10:00:01.458Z",
				Method: "DELETE", URI: "/v1/items/7", Path: "/v1/items/7", Proto: "HTTP/1.1", Status: 405,
				Local: LocalYes, Allow: "GET, HEAD", Detail: "details=lua_response", Duration: 2 * time.Millisecond,
				TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec Record
			rec.Reset()
			if err := tc.p.Parse([]byte(tc.line), &rec); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d := envoyViewOf(&rec).diff(tc.want); d != "" {
				t.Errorf("record differs:%s", d)
			}
		})
	}
	for _, bad := range []string{`{"method":"GET"`, `not json`, `{"foo":"bar"}`, `{"response_code":"abc"}`} {
		var rec Record
		rec.Reset()
		if err := gw.Parse([]byte(bad), &rec); err == nil {
			t.Errorf("%s: parsed", bad)
		}
	}
}

func TestEnvoyNoAllocs(t *testing.T) {
	def := mustEnvoy(t, EnvoyDefaultFormat)
	line := []byte(`[2026-11-24T10:00:00.123Z] "DELETE /v1/items/7 HTTP/1.1" 405 - 0 18 3 2 "10.0.0.5" "curl/8.5.0" "3f1c2a44-8d1e-9b6f-9a3c-7e2d1b0c9f8e" "api.example.com" "10.0.3.4:8080"`)
	var rec Record
	n := testing.AllocsPerRun(100, func() {
		rec.Reset()
		if err := def.Parse(line, &rec); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per line", n)
	}
}

// TestEnvoyHostileLines checks that lines full of terminators cannot make matching quadratic:
// the search gives up with a reason instead.
func TestEnvoyHostileLines(t *testing.T) {
	p := mustEnvoy(t, `%A% %B% %C% %D%"`) // four free-text fields split by spaces
	var rec Record
	rec.Reset()
	err := p.Parse([]byte("x"+strings.Repeat(" ", 100000)), &rec)
	if err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Fatalf("err = %v", err)
	}
	// A user agent made of many `" "` still parses: each one costs a few splits only.
	def := mustEnvoy(t, EnvoyDefaultFormat)
	ua := strings.Repeat(`a" "`, 2000) + "b"
	line := `[2026-11-24T10:00:00.000Z] "GET / HTTP/1.1" 405 - 0 0 1 - "-" "` + ua + `" "-" "h" "-"`
	rec.Reset()
	if err := def.Parse([]byte(line), &rec); err != nil || rec.UserAgent != ua || rec.Host != "h" {
		t.Fatalf("err=%v host=%q", err, rec.Host)
	}
}

// TestEnvoyScheme: a format that logs %REQ(:SCHEME)% (Envoy always sets it: from an absolute
// URL, a trusted downstream's x-forwarded-proto, else the downstream connection's TLS) or
// %REQ(X-FORWARDED-PROTO)% gives the record's scheme; the first logged wins, and only http and
// https are kept. Constructed lines in real command operator syntax.
func TestEnvoyScheme(t *testing.T) {
	for _, c := range []struct{ format, line, want string }{
		{`[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %REQ(:SCHEME)%`,
			`[2026-11-24T10:00:00.005Z] "PUT /api/items HTTP/1.1" 405 http`, "http"},
		{`[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %REQ(:SCHEME)%`,
			`[2026-11-24T10:00:00.005Z] "PUT /api/items HTTP/2" 405 https`, "https"},
		{`%REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE% %REQ(X-FORWARDED-PROTO)% %REQ(:SCHEME)%`,
			`PUT /api/items 405 https http`, "https"},
		{`%REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE% %REQ(X-FORWARDED-PROTO)%`,
			`PUT /api/items 405 -`, ""},
		{`%REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE% %REQ(:SCHEME)%`,
			`PUT /api/items 405 ws`, ""},
	} {
		var rec Record
		rec.Reset()
		if err := mustEnvoy(t, c.format).Parse([]byte(c.line), &rec); err != nil {
			t.Fatalf("%s: %v", c.line, err)
		}
		if rec.Scheme != c.want || rec.Method != "PUT" || rec.Status != 405 {
			t.Errorf("%s: scheme %q method %q status %d, want scheme %q", c.line, rec.Scheme, rec.Method, rec.Status, c.want)
		}
	}
	var rec Record
	rec.Reset()
	if err := NewEnvoyJSON().Parse([]byte(`{"method":"PUT","path":"/api/items","response_code":405,":scheme":"http"}`), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Scheme != "http" {
		t.Errorf("JSON :scheme: scheme %q, want http", rec.Scheme)
	}
}
