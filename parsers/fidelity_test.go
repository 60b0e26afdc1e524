package parsers

import (
	"net/netip"
	"strings"
	"testing"
)

// Real lines from other projects' test suites, with the values those projects expect, read
// both with the format given by hand and with the format detection picks: one parser, one answer.

// Lines from elastic/beats, filebeat/module/nginx/ingress_controller/test/test.log, written by
// an ingress-nginx that logged "$request" in upstreaminfo. Beats expects the method as written
// (PATCHp, geti) and url.original with its query.
var beatsIngressLines = []string{
	`192.168.64.1 - - [07/Feb/2020:11:49:50 +0000] "PATCHp /products/42 HTTP/1.1" 400 163 "-" "-" 0 0.000 [] [] - - - - 4c7d2079340e68353c7d0dfff00b904b`,
	`192.168.64.1 - - [07/Feb/2020:11:50:09 +0000] "geti /products/42 HTTP/1.1" 400 163 "-" "-" 0 0.000 [] [] - - - - efb0c5aa8be6cdeb4a7e7bd090e3d893`,
	`192.168.64.1 - - [07/Feb/2020:12:00:28 +0000] "GET /products/42?address=delhi+technological+university HTTP/1.1" 200 59 "-" "python-requests/2.22.0" 197 0.000 [default-web-8080] [] 172.17.0.5:8080 59 0.001 200 9a7babf34ca4ee59d90ac48d452a9214`,
}

type fidelityWant struct{ method, uri, path string }

var beatsIngressWant = []fidelityWant{
	{"PATCHp", "/products/42", "/products/42"},
	{"geti", "/products/42", "/products/42"},
	{"GET", "/products/42?address=delhi+technological+university", "/products/42"},
}

// beatsIngressRequestFmt is the upstreaminfo format these lines were written with.
var beatsIngressRequestFmt = strings.Replace(NginxUpstreamInfo, `"$request_method $uri $server_protocol"`, `"$request"`, 1)

func TestNginxExplicitAndDetectedAgree(t *testing.T) {
	var c Config
	res, err := c.Resolve("ingress.log", toSample(beatsIngressLines))
	if err != nil {
		t.Fatal(err)
	}
	detected := res.NewParser()
	for _, f := range []struct {
		name string
		p    Parser
	}{
		{"detected " + res.Variant, detected},
		{"explicit upstreaminfo", mustNginx(t, NginxUpstreamInfo)},
		{"explicit upstreaminfo with $request", mustNginx(t, beatsIngressRequestFmt)},
	} {
		for i, line := range beatsIngressLines {
			var rec Record
			rec.Reset()
			if err := f.p.Parse([]byte(line), &rec); err != nil {
				t.Errorf("%s: line %d: %v", f.name, i+1, err)
				continue
			}
			got := fidelityWant{rec.Method, rec.URI, rec.Path}
			if got != beatsIngressWant[i] {
				t.Errorf("%s: line %d: got %+v, want %+v", f.name, i+1, got, beatsIngressWant[i])
			}
		}
	}
}

func TestDetectOlderFormats(t *testing.T) {
	cases := []struct {
		name, line, variant string
		check               func(*Record) string
	}{
		{
			// (test data) nielsbasjes/logparser, bugReport60: older ingress-nginx upstreaminfo
			name:    "older ingress-nginx",
			line:    `1.2.3.4 - [1.2.3.4] - - [07/Aug/2020:15:50:07 +0800] "HEAD /ai/search/version HTTP/1.1" 308 0 "-" "curl/7.29.0" 100 0.000 [default-ai-search-prod-svc-5009] - - - - bfb9417db656d95bcfdf3e2a7f47b1ec`,
			variant: "nginx upstreaminfo (older ingress-nginx)",
			check: func(r *Record) string {
				if r.Method != "HEAD" || r.Path != "/ai/search/version" || r.Status != 308 || r.Service != "default-ai-search-prod-svc-5009" ||
					r.ClientIP != "1.2.3.4" || r.IDs.RequestID != "bfb9417db656d95bcfdf3e2a7f47b1ec" || r.Local != LocalYes {
					return "fields differ from logparser's expected values"
				}
				return ""
			},
		},
		{
			// (issue) a public Istio 1.4 troubleshooting note quoting a sidecar's line; format
			// EnvoyTextLogFormat13 of istio/istio
			name:    "istio 1.3-1.7",
			line:    `[2019-12-10T13:12:57.245Z] "GET /status/418 HTTP/1.1" 418 - "-" "-" 0 135 1 1 "-" "curl/7.64.0" "538be813-30b7-467f-b0c7-63b3bf451af0" "httpbin:8000" "127.0.0.1:80" inbound|8000|http|httpbin.bookinfo.svc.cluster.local - 100.99.7.120:80 100.99.50.3:46996 - default`,
			variant: "envoy istio 1.3-1.7",
			check: func(r *Record) string {
				if r.Method != "GET" || r.Path != "/status/418" || r.Status != 418 || r.Host != "httpbin:8000" ||
					r.UpstreamAddr != "127.0.0.1:80" || r.Local != LocalNo {
					return "fields differ"
				}
				return ""
			},
		},
		{
			// (constructed) Emissary-ingress prefixes Envoy's default format with "ACCESS "
			name:    "emissary ACCESS prefix",
			line:    `ACCESS [2024-03-12T23:33:45.437Z] "POST /backend/items HTTP/1.1" 405 - 0 18 4 3 "10.0.0.1" "curl/8.5.0" "2f1f7a3c-8e3b-4d46-9a0f-0c1d2e3f4a5b" "api.example.com" "10.1.1.7:8080"`,
			variant: "envoy emissary (ACCESS prefix)",
			check: func(r *Record) string {
				if r.Method != "POST" || r.Path != "/backend/items" || r.Status != 405 || r.UpstreamAddr != "10.1.1.7:8080" {
					return "fields differ"
				}
				return ""
			},
		},
		{
			// (test data) elastic/beats filebeat/module/nginx/access/test/access.log line, with
			// extra fields someone appended to combined (request time and host)
			name:    "combined extended at the end",
			line:    `77.179.66.156 - - [25/Oct/2016:14:49:33 +0200] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/54.0.2840.59 Safari/537.36" 0.012 example.com`,
			variant: "nginx combined with extra fields at the end",
			check: func(r *Record) string {
				if r.Method != "GET" || r.Path != "/" || r.Status != 200 || !strings.HasPrefix(r.UserAgent, "Mozilla/5.0 (Macintosh") {
					return "fields differ"
				}
				return ""
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c Config
			res, err := c.Resolve("x.log", toSample([]string{tc.line}))
			if err != nil {
				t.Fatal(err)
			}
			if res.Variant != tc.variant {
				t.Errorf("variant %q, want %q", res.Variant, tc.variant)
			}
			var rec Record
			rec.Reset()
			if err := res.NewParser().Parse([]byte(tc.line), &rec); err != nil {
				t.Fatal(err)
			}
			if msg := tc.check(&rec); msg != "" {
				t.Errorf("%s: %+v", msg, rec)
			}
		})
	}
}

// An explicit --nginx-format that does not fit names that format and the byte where it stopped,
// not "cannot tell the format … pass --nginx-format".
func TestExplicitFormatMismatchMessage(t *testing.T) {
	line := `10.0.0.5 | GET /x HTTP/1.1 | 405 | extra`
	c := Config{NginxFormat: `$remote_addr | $request | $status`}
	_, err := c.Resolve("x.log", toSample([]string{line}))
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "the format given with --nginx-format does not match") || !strings.Contains(msg, "bad $status value at byte 35") ||
		strings.Contains(msg, "pass the format with --nginx-format") {
		t.Errorf("message %q", msg)
	}
}

func toSample(lines []string) [][]byte {
	out := make([][]byte, len(lines))
	for i, l := range lines {
		out[i] = []byte(l)
	}
	return out
}

func mustNginx(t *testing.T, f string) *NginxParser {
	t.Helper()
	p, err := CompileNginx(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOriginalClient(t *testing.T) {
	ten, _ := ParseTrustedProxies("10.0.0.0/8")
	cases := []struct {
		name, peer, xff string
		trusted         []netip.Prefix
		want            string
	}{
		{"no XFF: the peer", "203.0.113.7", "", nil, "203.0.113.7"},
		{"public peer is not a proxy: XFF ignored", "203.0.113.7", "198.51.100.1", nil, "203.0.113.7"},
		{"behind a private load balancer", "10.0.3.4", "198.51.100.1", nil, "198.51.100.1"},
		{"spoofed left entry not believed", "10.0.3.4", "6.6.6.6, 198.51.100.1, 10.0.9.9", nil, "198.51.100.1"},
		{"every hop trusted: the leftmost", "10.0.3.4", "192.168.1.5, 10.0.9.9", nil, "192.168.1.5"},
		{"ports and brackets dropped", "10.0.3.4", "[2001:db8::7]:5555, 10.0.9.9:80", nil, "2001:db8::7"},
		{"narrow trusted set from --trusted-proxies", "10.0.3.4", "198.51.100.1, 192.168.1.5", ten, "192.168.1.5"},
		{"none trusts nothing", "10.0.3.4", "198.51.100.1", []netip.Prefix{}, "10.0.3.4"},
	}
	for _, tc := range cases {
		rec := Record{Peer: tc.peer, ForwardedFor: tc.xff}
		var trust *trustSet
		if tc.trusted != nil {
			trust = newTrustSet(tc.trusted)
		}
		settleClient(&rec, trust)
		if rec.ClientIP != tc.want {
			t.Errorf("%s: client %q, want %q", tc.name, rec.ClientIP, tc.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/33"); err == nil {
		t.Error("bad range accepted")
	}
}

// Flat dotted keys (ECS and OpenTelemetry semantic-convention names) map like nested objects.
func TestAppFlatDottedKeys(t *testing.T) {
	cases := []struct {
		name, line                      string
		method, uri, path, host, client string
		status                          int
	}{
		{
			// (test data) an ECS access logger's unit test in a public Rust project
			name:   "ecs flat keys with url.query",
			line:   `{"@timestamp":"2024-01-01T00:00:00Z","log.level":"INFO","message":"request","ecs.version":"8.11.0","trace.id":"abc","span.id":"def","service.name":"swgr.lnurl","service.version":"0.0.1","event.module":"swgr::request","http.request.method":"GET","http.response.status_code":200,"http.version":"1.1","url.path":"/offers/default/x/invoice","url.query":"amount=100000","client.ip":"127.0.0.1","event.duration":123456}`,
			method: "GET", uri: "/offers/default/x/invoice?amount=100000", path: "/offers/default/x/invoice", client: "127.0.0.1", status: 200,
		},
		{
			// (constructed) OpenTelemetry semantic-convention attribute names, flat
			name:   "otel semconv names",
			line:   `{"time":"2026-11-24T10:00:00Z","level":"INFO","msg":"request","http.request.method":"DELETE","url.path":"/v1/items/7","url.query":"force=1","http.response.status_code":405,"server.address":"api.example.com","client.address":"203.0.113.9"}`,
			method: "DELETE", uri: "/v1/items/7?force=1", path: "/v1/items/7", host: "api.example.com", client: "203.0.113.9", status: 405,
		},
		{
			// (constructed) Datadog-style flat "http.path" and "http.request.path"
			name:   "flat http.path",
			line:   `{"ts":1732442400,"level":"info","http.method":"PUT","http.request.path":"/orders/9","http.status_code":"405"}`,
			method: "PUT", uri: "/orders/9", path: "/orders/9", status: 405,
		},
	}
	p, err := NewApp(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte(tc.line), &rec); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if rec.Method != tc.method || rec.URI != tc.uri || rec.Path != tc.path || rec.Host != tc.host ||
			rec.ClientIP != tc.client || rec.Status != tc.status {
			t.Errorf("%s: got %s %s %s host=%s client=%s %d", tc.name, rec.Method, rec.URI, rec.Path, rec.Host, rec.ClientIP, rec.Status)
		}
	}
}
