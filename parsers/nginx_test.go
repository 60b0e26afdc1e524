package parsers

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// nginxTriageFmt is the custom format of the constructed lines of docs/formats.md §1.7.
const nginxTriageFmt = NginxCombined + ` rid=$request_id us=$upstream_status ua=$upstream_addr allow="$sent_http_allow" tp="$http_traceparent"`

// nginxXFFFmt is the elastic/beats test format whose first field is an X-Forwarded-For list.
const nginxXFFFmt = `$http_x_forwarded_for $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`

// nginxJSONFmt is a typical escape=json format, with the classic mistake of unquoted
// $upstream_status, and key names that differ from the variable names.
const nginxJSONFmt = `escape=json {"time":"$time_iso8601","remote_addr":"$remote_addr","request_id":"$request_id",` +
	`"x_request_id":"$http_x_request_id","method":"$request_method","uri":"$request_uri","routed_uri":"$uri",` +
	`"host":"$host","status":$status,"bytes":$body_bytes_sent,"upstream_status":$upstream_status,` +
	`"upstream_addr":"$upstream_addr","allow":"$sent_http_allow","rt":$request_time,` +
	`"ua":"$http_user_agent","traceparent":"$http_traceparent"}`

// nginxWant lists the record fields a case checks; every listed field is compared, so a zero
// value asserts that the parser left the field empty.
type nginxWant struct {
	ClientIP, Time, Method, URI, Path, RoutedPath, Proto, Host string
	Status                                                     int
	Upstream                                                   []int
	UpstreamAddr, Service                                      string
	Local                                                      Local
	Allow, Origin, ACRMethod, UserAgent                        string
	Duration                                                   time.Duration
	IDs                                                        IDs
	Detail                                                     string // substring
}

func nginxGot(r *Record) nginxWant {
	w := nginxWant{ClientIP: r.ClientIP, Method: r.Method, URI: r.URI, Path: r.Path, RoutedPath: r.RoutedPath,
		Proto: r.Proto, Host: r.Host, Status: r.Status, Upstream: r.Upstream, UpstreamAddr: r.UpstreamAddr,
		Service: r.Service, Local: r.Local, Allow: r.Allow, Origin: r.Origin, ACRMethod: r.ACRMethod,
		UserAgent: r.UserAgent, Duration: r.Duration, IDs: r.IDs, Detail: r.Detail}
	if !r.Time.IsZero() {
		w.Time = r.Time.UTC().Format(time.RFC3339Nano)
	}
	return w
}

type nginxCase struct {
	name   string
	format string
	line   string
	want   nginxWant
}

var nginxCases = []nginxCase{
	{
		// elastic/beats, filebeat/module/nginx/access/test/access.log (docs/formats.md §1.7)
		name:   "combined beats",
		format: NginxCombined,
		line:   `77.179.66.156 - - [25/Oct/2016:14:49:33 +0200] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/54.0.2840.59 Safari/537.36"`,
		want: nginxWant{ClientIP: "77.179.66.156", Time: "2016-10-25T12:49:33Z", Method: "GET", URI: "/", Path: "/",
			Proto: "HTTP/1.1", Status: 200, Duration: -1,
			UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/54.0.2840.59 Safari/537.36"},
	},
	{
		// iximiuz/pq README.md: nginx-local 405 from the static handler; main has no
		// $upstream_status, so the record cannot say who made it.
		name:   "main pq static 405",
		format: NginxMain,
		line:   `172.17.0.1 - - [07/Jul/2021:20:28:01 +0000] "POST / HTTP/1.1" 405 157 "-" "hey/0.0.1" "-"`,
		want: nginxWant{ClientIP: "172.17.0.1", Time: "2021-07-07T20:28:01Z", Method: "POST", URI: "/", Path: "/",
			Proto: "HTTP/1.1", Status: 405, UserAgent: "hey/0.0.1", Duration: -1},
	},
	{
		// vectordotdev/vrl, src/stdlib/parse_nginx_log.rs: binary garbage in $request.
		name:   "combined binary garbage request",
		format: NginxCombined,
		line:   `0.0.0.0 - - [04/Oct/2022:03:07:27 +0000] "]&\xDF\xBDV\xE7\xBB<\x10;\xA2b}\xDFM\x1D" 400 150 "-" "-"`,
		want: nginxWant{ClientIP: "0.0.0.0", Time: "2022-10-04T03:07:27Z", Status: 400, Duration: -1,
			Detail: "malformed request line"},
	},
	{
		// elastic/beats, filebeat/module/nginx/access/test/test.log: empty request line.
		name:   "combined empty request",
		format: NginxCombined,
		line:   `127.0.0.1 - - [12/Apr/2018:09:48:40 +0200] "" 400 0 "-" "-"`,
		want:   nginxWant{ClientIP: "127.0.0.1", Time: "2018-04-12T07:48:40Z", Status: 400, Duration: -1},
	},
	{
		// elastic/beats, filebeat/module/nginx/access/test/test.log: X-Forwarded-For list with
		// IPv6 before $remote_addr; the split must try the second space. The client is the
		// first address not in a private range counted from the peer, as beats also expects
		// (source.address 2a03:…:8000).
		name:   "xff list with ipv6",
		format: nginxXFFFmt,
		line:   `2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17 10.2.2.121 - - [30/Dec/2016:06:47:09 +0000] "GET /test.html HTTP/1.1" 404 8571 "-" "Mozilla/5.0 (compatible; Facebot 1.0; https://developers.facebook.com/docs/sharing/webmasters/crawler)"`,
		want: nginxWant{ClientIP: "2a03:0000:10ff:f00f:0000:0000:0:8000", Time: "2016-12-30T06:47:09Z", Method: "GET", URI: "/test.html",
			Path: "/test.html", Proto: "HTTP/1.1", Status: 404, Duration: -1,
			UserAgent: "Mozilla/5.0 (compatible; Facebot 1.0; https://developers.facebook.com/docs/sharing/webmasters/crawler)"},
	},
	{
		// vectordotdev/vrl, src/stdlib/parse_nginx_log.rs: ingress-nginx upstreaminfo, all
		// upstream fields "-": nginx answered locally.
		name:   "upstreaminfo local",
		format: NginxUpstreamInfo,
		line:   `0.0.0.0 - - [18/Mar/2023:15:00:00 +0000] "GET /some/path HTTP/2.0" 200 12312 "https://10.0.0.1/some/referer" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/111.0.0.0 Safari/537.36" 462 0.050 [some-upstream-service-9000] [] - - - - 752178adb17130b291aefd8c386279e7`,
		want: nginxWant{ClientIP: "0.0.0.0", Time: "2023-03-18T15:00:00Z", Method: "GET", URI: "/some/path",
			Path: "/some/path", Proto: "HTTP/2.0", Status: 200, Service: "some-upstream-service-9000",
			Local: LocalYes, Duration: 50 * time.Millisecond, Detail: "no upstream contacted",
			UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/111.0.0.0 Safari/537.36",
			IDs:       IDs{RequestID: "752178adb17130b291aefd8c386279e7"}},
	},
	{
		// docs/formats.md §1.7 (constructed): upstream 405 after a failed first peer, Allow relayed.
		name:   "constructed upstream 405 after 502",
		format: nginxTriageFmt,
		line:   `10.0.0.5 - - [24/Nov/2026:10:00:00 +0000] "POST /api/orders HTTP/1.1" 405 19 "-" "curl/8.5.0" rid=9f2c6a1e0b7d4c3a8e5f1a2b3c4d5e6f us=502, 405 ua=10.0.1.7:8080, 10.0.1.8:8080 allow="GET, HEAD" tp="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"`,
		want: nginxWant{ClientIP: "10.0.0.5", Time: "2026-11-24T10:00:00Z", Method: "POST", URI: "/api/orders",
			Path: "/api/orders", Proto: "HTTP/1.1", Status: 405, Upstream: []int{502, 405},
			UpstreamAddr: "10.0.1.7:8080, 10.0.1.8:8080", Local: LocalNo, Allow: "GET, HEAD", UserAgent: "curl/8.5.0",
			Duration: -1, Detail: "upstream_status 502, 405",
			IDs: IDs{RequestID: "9f2c6a1e0b7d4c3a8e5f1a2b3c4d5e6f", TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"}},
	},
	{
		// docs/formats.md §1.7 (constructed): nginx-local 405, '"' in the User-Agent written as \x22.
		name:   "constructed local 405 escaped quote",
		format: nginxTriageFmt,
		line:   `10.0.0.5 - - [24/Nov/2026:10:00:01 +0000] "PUT /index.html HTTP/1.1" 405 157 "-" "Dalvik/2.1.0 (Linux; U; Android 5.1; Alba 10\x22 Build/LMY47I)" rid=0c1d2e3f405162738495a6b7c8d9e0f1 us=- ua=- allow="-" tp="-"`,
		want: nginxWant{ClientIP: "10.0.0.5", Time: "2026-11-24T10:00:01Z", Method: "PUT", URI: "/index.html",
			Path: "/index.html", Proto: "HTTP/1.1", Status: 405, Local: LocalYes, Duration: -1,
			UserAgent: `Dalvik/2.1.0 (Linux; U; Android 5.1; Alba 10" Build/LMY47I)`,
			Detail:    "no upstream contacted, 157-byte body",
			IDs:       IDs{RequestID: "0c1d2e3f405162738495a6b7c8d9e0f1"}},
	},
	{
		// constructed: error_page redirect to another group after a timeout; nginx replaced the
		// upstream 405 with 200 (masked 405).
		name:   "constructed masked 405 group list",
		format: nginxTriageFmt,
		line:   `10.0.0.5 - - [24/Nov/2026:10:00:02 +0000] "DELETE /api/orders/7 HTTP/1.1" 200 2 "-" "curl/8.5.0" rid=- us=504 : 405 ua=10.0.1.7:8080 : 10.0.2.9:8080 allow="-" tp="-"`,
		want: nginxWant{ClientIP: "10.0.0.5", Time: "2026-11-24T10:00:02Z", Method: "DELETE", URI: "/api/orders/7",
			Path: "/api/orders/7", Proto: "HTTP/1.1", Status: 200, Upstream: []int{504, 405},
			UpstreamAddr: "10.0.1.7:8080 : 10.0.2.9:8080", Local: LocalYes, UserAgent: "curl/8.5.0", Duration: -1,
			Detail: "upstream 405 replaced by 200; upstream_status 504 : 405"},
	},
	{
		// constructed: upstreaminfo with lists in every $upstream_* field, all separated by single
		// spaces: only the list grammar tells where each one ends.
		name:   "constructed upstreaminfo lists",
		format: NginxUpstreamInfo,
		line:   `10.0.0.5 - - [24/Nov/2026:10:00:03 +0000] "PATCH /api/orders/7 HTTP/1.1" 405 19 "-" "curl/8.5.0" 120 0.012 [shop-orders-8080] [] 10.0.1.7:8080, 10.0.1.8:8080 0, 19 0.001, 0.004 502, 405 5c3bd6e1a4f04b2c9e7d8f6a5b4c3d2e`,
		want: nginxWant{ClientIP: "10.0.0.5", Time: "2026-11-24T10:00:03Z", Method: "PATCH", URI: "/api/orders/7",
			Path: "/api/orders/7", Proto: "HTTP/1.1", Status: 405, Upstream: []int{502, 405},
			UpstreamAddr: "10.0.1.7:8080, 10.0.1.8:8080", Service: "shop-orders-8080", Local: LocalNo,
			UserAgent: "curl/8.5.0", Duration: 12 * time.Millisecond, Detail: "upstream_status 502, 405",
			IDs: IDs{RequestID: "5c3bd6e1a4f04b2c9e7d8f6a5b4c3d2e"}},
	},
	{
		// constructed: upstreaminfo after a timeout and an error_page redirect to another group;
		// " : " between groups must not end $upstream_status early.
		name:   "constructed upstreaminfo group lists",
		format: NginxUpstreamInfo,
		line:   `10.42.0.1 - - [24/Nov/2026:10:05:08 +0000] "DELETE /api/orders/77 HTTP/1.1" 405 19 "-" "curl/8.5.0" 88 5.009 [shop-orders-8080] [shop-orders-canary-8080] 10.244.1.17:8080 : 10.244.2.5:8080 0 : 19 5.001 : 0.008 504 : 405 b18293a4b5c6d7e8f90a1b2c3d4e5f60`,
		want: nginxWant{ClientIP: "10.42.0.1", Time: "2026-11-24T10:05:08Z", Method: "DELETE", URI: "/api/orders/77",
			Path: "/api/orders/77", Proto: "HTTP/1.1", Status: 405, Upstream: []int{504, 405},
			UpstreamAddr: "10.244.1.17:8080 : 10.244.2.5:8080", Service: "shop-orders-8080", Local: LocalNo,
			UserAgent: "curl/8.5.0", Duration: 5009 * time.Millisecond, Detail: "upstream_status 504 : 405",
			IDs: IDs{RequestID: "b18293a4b5c6d7e8f90a1b2c3d4e5f60"}},
	},
	{
		// constructed: $msec, $time_iso8601, IPv6 client, HTTP/2.0, $host, ids of every kind.
		name:   "constructed msec iso8601 ipv6 ids",
		format: `$msec $time_iso8601 $remote_addr $host "$request" $status $request_time xrid=$http_x_request_id rid=$request_id amzn="$http_x_amzn_trace_id" b3=$http_b3`,
		line:   `1795514400.123 2026-11-24T11:00:00+01:00 2001:db8::7 shop.example.com "OPTIONS /api/orders HTTP/2.0" 204 0.001 xrid=C62EC130-6DEE-4F3B-A52B-4F0D1312D89D rid=9f2c6a1e0b7d4c3a8e5f1a2b3c4d5e6f amzn="Self=1-67891234-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678" b3=80f198ee56343ba864fe8b2a57d3eff7-05e3ac9a4f6e3b90-1`,
		want: nginxWant{ClientIP: "2001:db8::7", Time: "2026-11-24T10:00:00.123Z", Method: "OPTIONS", URI: "/api/orders",
			Path: "/api/orders", Proto: "HTTP/2.0", Host: "shop.example.com", Status: 204, Duration: time.Millisecond,
			IDs: IDs{RequestID: "c62ec130-6dee-4f3b-a52b-4f0d1312d89d", NginxRequestID: "9f2c6a1e0b7d4c3a8e5f1a2b3c4d5e6f",
				AmznRoot: "1-67891233-abcdef012345678912345678", B3TraceID: "80f198ee56343ba864fe8b2a57d3eff7"}},
	},
	{
		// constructed: SPA fallback rewrite ($uri differs from $request_uri) and CORS markers;
		// $uri is decoded, so %20 alone is not a rewrite (second case).
		name:   "constructed rewrite and preflight",
		format: `$remote_addr "$request_method $request_uri" $status uri=$uri origin="$http_origin" acrm="$http_access_control_request_method" allow="$sent_http_allow"`,
		line:   `10.0.0.5 "POST /app/orders?x=1" 405 uri=/index.html origin="https://shop.example.com" acrm="-" allow="-"`,
		want: nginxWant{ClientIP: "10.0.0.5", Method: "POST", URI: "/app/orders?x=1", Path: "/app/orders",
			RoutedPath: "/index.html", Status: 405, Origin: "https://shop.example.com", Duration: -1},
	},
	{
		name:   "constructed decoded uri is not a rewrite",
		format: `$remote_addr "$request_method $request_uri" $status uri=$uri origin="$http_origin" acrm="$http_access_control_request_method" allow="$sent_http_allow"`,
		line:   `10.0.0.5 "OPTIONS /a%20b//c" 204 uri=/a b/c origin="https://x.example" acrm="PUT" allow="GET, PUT"`,
		want: nginxWant{ClientIP: "10.0.0.5", Method: "OPTIONS", URI: "/a%20b//c", Path: "/a%20b//c", Status: 204,
			Origin: "https://x.example", ACRMethod: "PUT", Allow: "GET, PUT", Duration: -1},
	},
	{
		// constructed: no $remote_addr, the first X-Forwarded-For element is the client.
		name:   "constructed xff first element",
		format: `"$http_x_forwarded_for" "$request" $status $upstream_status`,
		line:   `"203.0.113.9, 10.0.0.2" "GET /health HTTP/1.0" 200 200`,
		want: nginxWant{ClientIP: "203.0.113.9", Method: "GET", URI: "/health", Path: "/health", Proto: "HTTP/1.0",
			Status: 200, Upstream: []int{200}, Local: LocalNo, Duration: -1, Detail: "upstream_status 200"},
	},
	{
		// constructed: escape=json in a text format: a quoted value may hold \".
		name:   "constructed escape=json text format",
		format: `escape=json $remote_addr "$http_user_agent" "$request" $status "$upstream_status"`,
		line:   `10.0.0.5 "say \"hi\"\u0007" "GET /x HTTP/1.1" 502 "502"`,
		want: nginxWant{ClientIP: "10.0.0.5", Method: "GET", URI: "/x", Path: "/x", Proto: "HTTP/1.1", Status: 502,
			Upstream: []int{502}, Local: LocalNo, UserAgent: "say \"hi\"\a", Duration: -1, Detail: "upstream_status 502"},
	},
	{
		// constructed: escape=json format with unquoted $upstream_status: the list makes the
		// line invalid JSON and is repaired; custom key names map through the format.
		name:   "constructed json unquoted list",
		format: nginxJSONFmt,
		line:   `{"time":"2026-11-24T10:00:04+00:00","remote_addr":"10.0.0.5","request_id":"9f2c6a1e0b7d4c3a8e5f1a2b3c4d5e6f","x_request_id":"","method":"POST","uri":"/api/orders","routed_uri":"/api/orders","host":"api.example.com","status":405,"bytes":19,"upstream_status":502, 405,"upstream_addr":"10.0.1.7:8080, 10.0.1.8:8080","allow":"GET, HEAD","rt":0.004,"ua":"curl/8.5.0","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}`,
		want: nginxWant{ClientIP: "10.0.0.5", Time: "2026-11-24T10:00:04Z", Method: "POST", URI: "/api/orders",
			Path: "/api/orders", Host: "api.example.com", Status: 405, Upstream: []int{502, 405},
			UpstreamAddr: "10.0.1.7:8080, 10.0.1.8:8080", Local: LocalNo, Allow: "GET, HEAD", UserAgent: "curl/8.5.0",
			Duration: 4 * time.Millisecond, Detail: "upstream_status 502, 405",
			IDs: IDs{RequestID: "9f2c6a1e0b7d4c3a8e5f1a2b3c4d5e6f", TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"}},
	},
	{
		// constructed: same format, no upstream contacted: `"upstream_status":,` and a rewrite.
		name:   "constructed json empty unquoted",
		format: nginxJSONFmt,
		line:   `{"time":"2026-11-24T10:00:05+00:00","remote_addr":"10.0.0.5","request_id":"0c1d2e3f405162738495a6b7c8d9e0f1","x_request_id":"abc-123","method":"PUT","uri":"/app/cart","routed_uri":"/index.html","host":"api.example.com","status":405,"bytes":157,"upstream_status":,"upstream_addr":"","allow":"","rt":0.000,"ua":"Mozilla/5.0 \"x\"","traceparent":""}`,
		want: nginxWant{ClientIP: "10.0.0.5", Time: "2026-11-24T10:00:05Z", Method: "PUT", URI: "/app/cart",
			Path: "/app/cart", RoutedPath: "/index.html", Host: "api.example.com", Status: 405, Local: LocalYes,
			UserAgent: `Mozilla/5.0 "x"`, Duration: 0, Detail: "no upstream contacted",
			IDs: IDs{RequestID: "abc-123", NginxRequestID: "0c1d2e3f405162738495a6b7c8d9e0f1"}},
	},
	{
		// constructed: a JSON value holding several variables is split with its own template.
		name:   "constructed json value template",
		format: `escape=json {"req":"$request_method $request_uri","status":"$status","us":"$upstream_status","t":"$time_local"}`,
		line:   `{"req":"GET /p?q=1","status":"405","us":"405","t":"24/Nov/2026:10:00:06 +0100"}`,
		want: nginxWant{Time: "2026-11-24T09:00:06Z", Method: "GET", URI: "/p?q=1", Path: "/p", Status: 405,
			Upstream: []int{405}, Local: LocalNo, Duration: -1, Detail: "upstream_status 405"},
	},
}

func TestNginxParse(t *testing.T) {
	for _, tc := range nginxCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := CompileNginx(tc.format)
			if err != nil {
				t.Fatal(err)
			}
			var rec Record
			rec.Reset()
			if err := p.Parse([]byte(tc.line), &rec); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if rec.Format != FormatNginx {
				t.Errorf("Format = %q", rec.Format)
			}
			got := nginxGot(&rec)
			want := tc.want
			if !strings.Contains(got.Detail, want.Detail) || (want.Detail == "" && got.Detail != "") {
				t.Errorf("Detail = %q, want it to contain %q", got.Detail, want.Detail)
			}
			got.Detail, want.Detail = "", ""
			if len(got.Upstream) == 0 && len(want.Upstream) == 0 {
				got.Upstream, want.Upstream = nil, nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if want.Time != "" && rec.Duration >= 0 && !rec.Start.Equal(rec.Time.Add(-rec.Duration)) {
				t.Errorf("Start = %v, want Time-Duration", rec.Start)
			}
		})
	}
}

func TestNginxNoUpstreamVarIsUnknown(t *testing.T) {
	// A format without $upstream_status has no evidence either way, even for a 405 (§0).
	p, _ := CompileNginx(NginxCombined)
	var rec Record
	rec.Reset()
	line := `10.0.0.5 - - [24/Nov/2026:10:00:01 +0000] "TRACE / HTTP/1.1" 405 157 "-" "curl/8.5.0"`
	if err := p.Parse([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Local != LocalUnknown || rec.Upstream != nil || rec.Method != "TRACE" {
		t.Errorf("Local=%v Upstream=%v Method=%q", rec.Local, rec.Upstream, rec.Method)
	}
}

func TestNginxErrors(t *testing.T) {
	comb := `10.0.0.5 - - [24/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0"`
	cases := []struct {
		name, format, line, want string
	}{
		{"too short", NginxCombined, comb[:60], `expected " " after $status, not found from byte 59`},
		{"trailing text", NginxCombined, comb + ` "-"`, "goes on after the end of the format at byte 83"},
		{"missing bracket", NginxCombined, `10.0.0.5 - - 24/Nov/2026:10:00:01 +0000 "GET / HTTP/1.1" 200 612 "-" "curl"`, `expected " [" after $remote_user, not found from byte 11`},
		{"bad status", NginxCombined, `10.0.0.5 - - [24/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" 2x0 612 "-" "curl"`, "bad $status value at byte 59"},
		{"literal mismatch", `$remote_addr "$request"`, `10.0.0.5 GET`, `expected " \"" after $remote_addr, not found from byte 0`}, {"first literal", `[$status]`, `404]`, `expected "[" at byte 0`},
		{"bad time", NginxCombined, `10.0.0.5 - - [24/Nov/2026:10:00 +0000] "GET / HTTP/1.1" 200 612 "-" "curl"`, "bad $time_local"},
		{"json not object", nginxJSONFmt, `10.0.0.5 - - [24/Nov/2026:10:00:01 +0000]`, "not a JSON object"},
		{"json unrepairable", nginxJSONFmt, `{"status":405,"upstream_status":50"2,"x":"y"}`, "invalid JSON"},
		{"json without format keys", nginxJSONFmt, `{"foo":"bar"}`, "no key of the nginx log format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := CompileNginx(tc.format)
			if err != nil {
				t.Fatal(err)
			}
			var rec Record
			rec.Reset()
			err = p.Parse([]byte(tc.line), &rec)
			if err == nil || !strings.Contains(err.Error()+" ", tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	p, _ := CompileNginx(NginxCombined)
	var rec Record
	if err := p.Parse([]byte("  \t"), &rec); err != ErrBlank {
		t.Errorf("blank line: err = %v", err)
	}
}

func TestNginxCompileErrors(t *testing.T) {
	for _, f := range []string{"", "escape=xml $status", "${status", "${bad-name}", "escape=json "} {
		if _, err := CompileNginx(f); err == nil {
			t.Errorf("CompileNginx(%q) succeeded", f)
		}
	}
	p, err := CompileNginx("${remote_addr}:${status}$$")
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	rec.Reset()
	if err := p.Parse([]byte("10.1.1.1:404$$"), &rec); err != nil || rec.ClientIP != "10.1.1.1" || rec.Status != 404 {
		t.Errorf("braced variables: %v %+v", err, rec)
	}
}

func TestNginxJSONByName(t *testing.T) {
	// constructed: JSON lines without a known format, status as a string, an Amazon trace id,
	// an empty upstream_status (escape=json writes nothing for a missing variable).
	p := NewNginxJSON()
	var rec Record
	rec.Reset()
	line := `{"remote_addr":"10.0.0.5","time_local":"24/Nov/2026:10:00:07 +0000","request":"PUT /index.html HTTP/1.1","Status":"405","upstream_status":"","http_x_amzn_trace_id":"Root=1-67891233-abcdef012345678912345678","http_user_agent":"curl/8.5.0","request_time":"0.000","extra":{"n":1}}`
	if err := p.Parse([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	got := nginxGot(&rec)
	want := nginxWant{ClientIP: "10.0.0.5", Time: "2026-11-24T10:00:07Z", Method: "PUT", URI: "/index.html",
		Path: "/index.html", Proto: "HTTP/1.1", Status: 405, Local: LocalYes, UserAgent: "curl/8.5.0",
		Detail: "no upstream contacted", IDs: IDs{AmznRoot: "1-67891233-abcdef012345678912345678"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// The same parser repairs unquoted lists too, and reads numbers as numbers.
	rec.Reset()
	line = `{"status": 200, "upstream_status": 504 : 405, "method": "GET", "uri": "/x"}`
	if err := p.Parse([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Status != 200 || !reflect.DeepEqual(rec.Upstream, []int{504, 405}) || rec.Local != LocalYes ||
		!strings.Contains(rec.Detail, "upstream 405 replaced by 200") {
		t.Errorf("repaired: %+v", rec)
	}
}

func TestNginxStringsSurviveClone(t *testing.T) {
	// Strings alias the parser's arena: a clone must not change when the next line is parsed.
	p, _ := CompileNginx(nginxTriageFmt)
	var rec Record
	rec.Reset()
	if err := p.Parse([]byte(nginxCases[7].line), &rec); err != nil {
		t.Fatal(err)
	}
	c := rec.Clone()
	rec.Reset()
	if err := p.Parse([]byte(nginxCases[6].line), &rec); err != nil {
		t.Fatal(err)
	}
	if c.UserAgent != `Dalvik/2.1.0 (Linux; U; Android 5.1; Alba 10" Build/LMY47I)` || c.Status != 405 || c.Local != LocalYes {
		t.Errorf("clone changed: %+v", c)
	}
}

func TestNginxConf(t *testing.T) {
	c, err := loadNginxConf(filepath.Join("testdata", "nginx", "conf", "nginx.conf"), emptyHost)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Files) != 3 || !strings.HasSuffix(c.Files[2], filepath.Join("snippets", "extra.conf")) {
		t.Errorf("Files = %v", c.Files)
	}
	f := c.Formats()
	if f["main"] != NginxMain {
		t.Errorf("main = %q", f["main"])
	}
	if f["quoted"] != `escape=json {"s":"$status","h":"#$host"}` {
		t.Errorf("quoted = %q", f["quoted"])
	}
	if f["triage"] != `$remote_addr [$time_local] "$request" $status us=$upstream_status rid=${request_id}` {
		t.Errorf("triage = %q", f["triage"])
	}
	for _, tc := range []struct{ path, name string }{
		{"/var/log/nginx/api.log", "triage"},
		{"/tmp/incident-42/api.log", "triage"}, // copied elsewhere: base name
		{"/var/log/nginx/access.log", "main"},
		{"default.log", "combined"},
		{"extra.log", "quoted"},
		{"/var/log/nginx/static.log", ""},
	} {
		format, name, ok := c.FormatFor(tc.path)
		if name != tc.name || ok != (tc.name != "") || ok && format != f[name] {
			t.Errorf("FormatFor(%q) = %q, %q, %v", tc.path, format, name, ok)
		}
	}
	var syslog int
	for _, l := range c.Logs {
		if l.Syslog {
			syslog++
			if l.Format != "main" || !strings.HasPrefix(l.Path, "syslog:server=10.0.0.1:514") {
				t.Errorf("syslog log = %+v", l)
			}
		}
	}
	if syslog != 1 || len(c.Logs) != 5 {
		t.Errorf("Logs = %+v", c.Logs)
	}
	for name, format := range f {
		if _, err := CompileNginx(format); err != nil {
			t.Errorf("format %s: %v", name, err)
		}
	}
}

func TestNginxConfErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string { return writeIn(t, dir, name, s) }
	for _, tc := range []struct{ name, conf, want string }{
		{"unterminated", "http { log_format x '$status;\n}", "unterminated"},
		{"missing semicolon", "http { access_log /x main }", "unexpected \"}\""},
		{"cycle", "include cycle.conf;", "nested deeper"},
	} {
		p := write(tc.name+".conf", tc.conf)
		if tc.name == "cycle" {
			p = write("cycle.conf", "include cycle.conf;")
		}
		if _, err := LoadNginxConf(p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestNginxConfMissingIncludeWarns(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "conf.d"), 0o755)
	os.WriteFile(filepath.Join(dir, "conf.d", "logs.conf"), []byte("log_format ids '$request_id $status';\n"), 0o644)
	main := filepath.Join(dir, "nginx.conf")
	// Copied off a server: absolute includes resolve beside the main file; a missing one warns.
	os.WriteFile(main, []byte("include /etc/nginx/mime.types;\ninclude /etc/nginx/conf.d/*.conf;\n"), 0o644)
	c, err := loadNginxConf(main, t.TempDir()) // an empty host: /etc/nginx/mime.types may exist here
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Formats()["ids"]; !ok {
		t.Errorf("format from /etc/nginx/conf.d/*.conf not found beside the main file: %v", c.Formats())
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "mime.types") {
		t.Errorf("warnings %q", c.Warnings)
	}
}

// TestNginxSamples parses every sample log with the format its nginx.conf gives it.
func TestNginxSamples(t *testing.T) {
	dir := filepath.Join("..", "samples", "nginx")
	conf, err := loadNginxConf(filepath.Join(dir, "nginx.conf"), emptyHost)
	if err != nil {
		t.Fatal(err)
	}
	formats := map[string]string{
		"combined.log": NginxCombined, "main.log": NginxMain, "upstreaminfo.log": NginxUpstreamInfo,
	}
	for _, name := range []string{"combined.log", "main.log", "upstreaminfo.log", "custom.log", "json.log"} {
		format, ok := formats[name]
		if !ok {
			var fname string
			format, fname, ok = conf.FormatFor(filepath.Join("/var/log/nginx", name))
			if !ok {
				t.Errorf("%s: no access_log in nginx.conf", name)
				continue
			}
			t.Logf("%s: log_format %s", name, fname)
		}
		p, err := CompileNginx(format)
		if err != nil {
			t.Fatal(err)
		}
		lines := nginxReadLines(t, filepath.Join(dir, name))
		var n405, local405 int
		for i, l := range lines {
			var rec Record
			rec.Reset()
			if err := p.Parse([]byte(l), &rec); err != nil {
				t.Errorf("%s:%d: %v", name, i+1, err)
				continue
			}
			if rec.Time.Year() != 2026 || rec.Time.Month() != time.November || rec.Time.Day() != 24 {
				t.Errorf("%s:%d: time %v", name, i+1, rec.Time)
			}
			if rec.Status == 405 {
				n405++
				if rec.Local == LocalYes {
					local405++
				}
			}
		}
		if len(lines) == 0 || n405 == 0 {
			t.Errorf("%s: %d lines, %d with 405", name, len(lines), n405)
		}
		if name == "upstreaminfo.log" && n405 != 4 {
			t.Errorf("upstreaminfo.log: %d lines with 405, want 4", n405)
		}
		if name != "combined.log" && name != "main.log" && local405 == 0 {
			t.Errorf("%s: no nginx-local 405", name)
		}
	}
}

func nginxReadLines(t testing.TB, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			lines = append(lines, sc.Text())
		}
	}
	return lines
}

// emptyHost stands for a machine without nginx: the config reader's absolute includes never
// reach this host's /etc in tests.
var emptyHost = filepath.Join(os.TempDir(), "logtriage-no-such-host")

// $scheme in a log_format fills the record's scheme (nginx 1.22.1, testdata/nginx/scheme: the
// same server over TLS and plain HTTP).
func TestNginxScheme(t *testing.T) {
	conf, err := os.ReadFile(filepath.Join("testdata", "nginx", "scheme", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	const marker = "log_format scheme '"
	i := strings.Index(string(conf), marker)
	if i < 0 {
		t.Fatal("no log_format scheme in nginx.conf")
	}
	format, _, _ := strings.Cut(string(conf)[i+len(marker):], "'")
	p, err := CompileNginx(format)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "nginx", "scheme", "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https", "https", "http", "http"}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines", len(lines))
	}
	for i, line := range lines {
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte(line), &rec); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if rec.Scheme != want[i] || rec.Host != "localhost" || rec.Status == 0 {
			t.Errorf("line %d: scheme %q host %q status %d, want %s localhost", i+1, rec.Scheme, rec.Host, rec.Status, want[i])
		}
	}
	var rec Record
	rec.Reset()
	if err := p.Parse([]byte(strings.Replace(lines[0], " https localhost", " ftp localhost", 1)), &rec); err != nil || rec.Scheme != "" {
		t.Errorf("a scheme other than http or https: %q, %v; want none kept", rec.Scheme, err)
	}
}
