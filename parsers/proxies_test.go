package parsers

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// Tests of the proxies beyond nginx and Envoy (apache.go, haproxy.go, caddy.go, traefik.go), on
// real lines: other projects' test data, and lines written on this project's machine by the
// Debian packages apache2 2.4.71, haproxy 2.6.12 and caddy 2.6.2 (samples/proxies/README.md).

// apacheTriageFmt is the LogFormat of samples/proxies/apache/conf-enabled/logging.conf.
const apacheTriageFmt = `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D "%{X-Request-ID}i" "%{Allow}o" %R`

// proxyWant is the part of a record these tests check; every field is compared.
type proxyWant struct {
	Format, Method, Path, URI, Host, ClientIP string
	Status                                    int
	Local                                     Local
	Upstream                                  []int
	UpstreamAddr, Service, Allow              string
	RequestID                                 string
	Duration                                  time.Duration
	Detail                                    string // substring
}

func proxyGot(r *Record) proxyWant {
	return proxyWant{Format: r.Format, Method: r.Method, Path: r.Path, URI: r.URI, Host: r.Host, ClientIP: r.ClientIP,
		Status: r.Status, Local: r.Local, Upstream: r.Upstream, UpstreamAddr: r.UpstreamAddr, Service: r.Service,
		Allow: r.Allow, RequestID: r.IDs.RequestID, Duration: r.Duration, Detail: r.Detail}
}

func sameProxy(got, want proxyWant) bool {
	if !strings.Contains(got.Detail, want.Detail) {
		return false
	}
	return fmtProxy(got) == fmtProxy(want)
}

// fmtProxy prints a want without Detail (compared as a substring); an empty upstream list and
// nil differ ("known to be empty" against "not logged").
func fmtProxy(w proxyWant) string {
	up := "nil"
	if w.Upstream != nil {
		up = fmt.Sprint(w.Upstream)
	}
	w.Detail, w.Upstream = "", nil
	return fmt.Sprintf("%+v upstream=%s", w, up)
}

type proxyCase struct {
	name string
	p    func() Parser
	line string
	want proxyWant
}

var proxyCases = []proxyCase{
	// Apache httpd 2.4.71 (Debian), samples/proxies/apache/access.log: mod_proxy relayed the
	// backend's 405 (handler proxy-server, the backend's Allow).
	{"apache relayed 405", func() Parser { return mustApache(apacheTriageFmt) },
		`127.0.0.1 - - [01/Dec/2026:09:05:05 +0000] "POST /items HTTP/1.1" 405 30 "-" "curl/7.88.1" 1251 "3b6e1f0a-9c2d-4e8f-8a1b-2c3d4e5f6a7b" "GET, HEAD" proxy-server`,
		proxyWant{Format: FormatApache, Method: "POST", Path: "/items", URI: "/items", ClientIP: "127.0.0.1", Status: 405,
			Local: LocalNo, Allow: "GET, HEAD", RequestID: "3b6e1f0a-9c2d-4e8f-8a1b-2c3d4e5f6a7b", Duration: 1251 * time.Microsecond,
			Detail: "handler proxy-server"}},
	// Same run: RewriteRule ^/items - [R=405] for PUT; no handler ran.
	{"apache rewrite R=405", func() Parser { return mustApache(apacheTriageFmt) },
		`127.0.0.1 - - [01/Dec/2026:09:05:05 +0000] "PUT /items HTTP/1.1" 405 260 "-" "curl/7.88.1" 237 "3b6e1f0a-9c2d-4e8f-8a1b-2c3d4e5f6a7b" "TRACE" -`,
		proxyWant{Format: FormatApache, Method: "PUT", Path: "/items", URI: "/items", ClientIP: "127.0.0.1", Status: 405,
			Local: LocalYes, Allow: "TRACE", RequestID: "3b6e1f0a-9c2d-4e8f-8a1b-2c3d4e5f6a7b", Duration: 237 * time.Microsecond,
			Detail: "httpd answered itself"}},
	// Same run: DELETE of a static file, refused by httpd's default handler.
	{"apache static 405", func() Parser { return mustApache(apacheTriageFmt) },
		`127.0.0.1 - - [01/Dec/2026:09:05:05 +0000] "DELETE /static/x.txt HTTP/1.1" 405 263 "-" "curl/7.88.1" 499 "-" "GET,POST,OPTIONS,HEAD,TRACE" -`,
		proxyWant{Format: FormatApache, Method: "DELETE", Path: "/static/x.txt", URI: "/static/x.txt", ClientIP: "127.0.0.1", Status: 405,
			Local: LocalYes, Allow: "GET,POST,OPTIONS,HEAD,TRACE", Duration: 499 * time.Microsecond, Detail: "httpd answered itself"}},
	// (test data) elastic/beats, filebeat/module/apache/access/test/test.log: common format, IPv6.
	{"apache beats common", func() Parser { return mustApache(ApacheCommon) },
		`::1 - - [26/Dec/2016:16:16:29 +0200] "GET /favicon.ico HTTP/1.1" 404 209`,
		proxyWant{Format: FormatApache, Method: "GET", Path: "/favicon.ico", URI: "/favicon.ico", ClientIP: "::1", Status: 404, Duration: -1}},
	// (test data) same file: a request timeout, request line "-".
	{"apache beats 408", func() Parser { return mustApache(ApacheCommon) },
		`::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -`,
		proxyWant{Format: FormatApache, ClientIP: "::1", Status: 408, Duration: -1}},
	// (test data) same file: vhost_combined-like line with the virtual host first.
	{"apache beats vhost", func() Parser { return mustApache(`%v %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`) },
		`vhost1.domaine.fr 123.123.123.123 - - [04/Jul/2019:09:20:46 +0200] "GET / HTTP/1.1" 200 32953 "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/75.0.3770.100 Safari/537.36"`,
		proxyWant{Format: FormatApache, Method: "GET", Path: "/", URI: "/", Host: "vhost1.domaine.fr", ClientIP: "123.123.123.123", Status: 200, Duration: -1}},

	// HAProxy 2.6.12 (Debian), samples/proxies/haproxy/haproxy.log: RFC 3164 header, relayed 405.
	{"haproxy relayed 405", func() Parser { return NewHAProxy() },
		`<134>Dec  1 09:05:20 localhost haproxy[2952]: 127.0.0.1:43712 [01/Dec/2026:09:05:20.713] fe_main be_app/app1 0/0/0/1/1 405 197 - - ---- 1/1/0/0/0 0/0 {9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a} "POST /items HTTP/1.1"`,
		proxyWant{Format: FormatHAProxy, Method: "POST", Path: "/items", URI: "/items", ClientIP: "127.0.0.1", Status: 405,
			Local: LocalNo, Upstream: []int{405}, UpstreamAddr: "app1", Service: "be_app",
			RequestID: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", Duration: time.Millisecond, Detail: "frontend fe_main termination ----"}},
	// Same run: http-request deny deny_status 405 if { method PUT }.
	{"haproxy deny_status 405", func() Parser { return NewHAProxy() },
		`<134>Dec  1 09:05:20 localhost haproxy[2952]: 127.0.0.1:43728 [01/Dec/2026:09:05:20.731] fe_main fe_main/<NOSRV> 0/-1/-1/-1/0 405 255 - - PR-- 1/1/0/0/0 0/0 {9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a} "PUT /items HTTP/1.1"`,
		proxyWant{Format: FormatHAProxy, Method: "PUT", Path: "/items", URI: "/items", ClientIP: "127.0.0.1", Status: 405,
			Local: LocalYes, Upstream: []int{}, Service: "fe_main",
			RequestID: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", Duration: 0, Detail: "blocked by an HAProxy rule"}},
	// (docs) haproxy/haproxy doc/configuration.txt, "HTTP log format" example.
	{"haproxy docs httplog", func() Parser { return NewHAProxy() },
		`Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"`,
		proxyWant{Format: FormatHAProxy, Method: "GET", Path: "/index.html", URI: "/index.html", ClientIP: "10.0.1.2", Status: 200,
			Local: LocalNo, Upstream: []int{200}, UpstreamAddr: "srv1", Service: "static", Duration: 109 * time.Millisecond}},
	// (test data) elastic/beats, filebeat/module/haproxy/log/test/httplog-no-headers.log: no server available.
	{"haproxy beats NOSRV 503", func() Parser { return NewHAProxy() },
		`Dec 10 15:48:56 voyager haproxy[7873]: 127.0.0.1:44542 [10/Dec/2018:15:48:56.017] http-webservices http-webservices/<NOSRV> 0/-1/-1/-1/0 503 213 - - SC-- 1/1/0/0/0 0/0 {localhost:8888||} {|} "GET /foo HTTP/1.1"`,
		proxyWant{Format: FormatHAProxy, Method: "GET", Path: "/foo", URI: "/foo", ClientIP: "127.0.0.1", Status: 503,
			Local: LocalYes, Upstream: []int{}, Service: "http-webservices", Duration: 0, Detail: "no server available"}},
	// (test data) elastic/beats, filebeat/module/haproxy/log/test/haproxy.log: hidden client, a
	// host field before the timers.
	{"haproxy beats extra field", func() Parser { return NewHAProxy() },
		`Jun 22 12:02:59 node2 haproxy[23034]: -:47481 [22/Jun/2021:12:02:59.590] www-https~ app/node16 app.domain.com 0/0/3/32/35 403 142 - - ---- 1/1/0/0/0 0/0 "GET /app/event/ HTTP/1.1"`,
		proxyWant{Format: FormatHAProxy, Method: "GET", Path: "/app/event/", URI: "/app/event/", Host: "app.domain.com", Status: 403,
			Local: LocalNo, Upstream: []int{403}, UpstreamAddr: "node16", Service: "app", Duration: 35 * time.Millisecond}},

	// Caddy 2.6.2 (Debian), samples/proxies/caddy/access.log: reverse_proxy relayed the backend's
	// 405 (its Date, Allow and Server headers).
	{"caddy relayed 405", func() Parser { return NewCaddy() },
		`{"level":"error","ts":1796115773.5812426,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"36666","proto":"HTTP/1.1","method":"POST","host":"127.0.0.1:18081","uri":"/items","headers":{"User-Agent":["curl/7.88.1"],"Accept":["*/*"],"X-Request-Id":["7f1c0e2a-4b7d-4c1e-9a55-0d3e2f1a6b01"]}},"user_id":"","duration":0.001579,"size":30,"status":405,"resp_headers":{"Content-Length":["30"],"Allow":["GET, HEAD"],"Date":["Tue, 01 Dec 2026 09:02:53 GMT"],"Server":["Caddy","BaseHTTP/0.6 Python/3.11.7"],"Content-Type":["text/plain"]}}`,
		proxyWant{Format: FormatCaddy, Method: "POST", Path: "/items", URI: "/items", Host: "127.0.0.1:18081", ClientIP: "127.0.0.1", Status: 405,
			Local: LocalNo, Upstream: []int{405}, Allow: "GET, HEAD", RequestID: "7f1c0e2a-4b7d-4c1e-9a55-0d3e2f1a6b01",
			Duration: 1579 * time.Microsecond, Detail: "upstream response headers relayed"}},
	// Same run: respond @put "caddy denies PUT" 405.
	{"caddy respond 405", func() Parser { return NewCaddy() },
		`{"level":"error","ts":1796115773.6458805,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"36674","proto":"HTTP/1.1","method":"PUT","host":"127.0.0.1:18081","uri":"/items","headers":{"User-Agent":["curl/7.88.1"],"Accept":["*/*"],"X-Request-Id":["7f1c0e2a-4b7d-4c1e-9a55-0d3e2f1a6b01"]}},"user_id":"","duration":0.000023284,"size":16,"status":405,"resp_headers":{"Server":["Caddy"],"Content-Type":["text/plain; charset=utf-8"]}}`,
		proxyWant{Format: FormatCaddy, Method: "PUT", Path: "/items", URI: "/items", Host: "127.0.0.1:18081", ClientIP: "127.0.0.1", Status: 405,
			Local: LocalYes, Upstream: []int{}, RequestID: "7f1c0e2a-4b7d-4c1e-9a55-0d3e2f1a6b01",
			Duration: 23284 * time.Nanosecond, Detail: "Caddy answered"}},

	// (test data) a public Traefik log analyser's Go test: no router matched, Traefik's 404.
	{"traefik clf no router", func() Parser { return CompileTraefikCLF() },
		`37.186.248.50 - - [07/Jan/2026:16:26:58 +0000] "GET / HTTP/1.0" 404 19 "-" "-" 12 "-" "-" 0ms`,
		proxyWant{Format: FormatTraefik, Method: "GET", Path: "/", URI: "/", ClientIP: "37.186.248.50", Status: 404,
			Local: LocalYes, Upstream: []int{}, Duration: 0, Detail: "no router matched: Traefik answered itself"}},
	// (test data) a public project's recorded Traefik output: routed to a service.
	{"traefik clf routed", func() Parser { return CompileTraefikCLF() },
		`172.18.0.1 - - [26/Aug/2026:14:14:13 +0000] "GET / HTTP/1.1" 200 1772 "-" "-" 34 "sandboxr-demo-staging@docker" "http://172.18.0.6:80" 26ms`,
		proxyWant{Format: FormatTraefik, Method: "GET", Path: "/", URI: "/", ClientIP: "172.18.0.1", Status: 200,
			Local: LocalNo, Upstream: []int{200}, UpstreamAddr: "http://172.18.0.6:80", Service: "sandboxr-demo-staging@docker", Duration: 26 * time.Millisecond}},
	// (test data) a public TypeScript parser's test: the client field lists the forwarded chain.
	{"traefik clf client list", func() Parser { return CompileTraefikCLF() },
		`127.0.0.1,185.177.72.205 - - [26/May/2026:14:57:38 +0000] "GET /_phpinfo.php HTTP/1.1" 404 19 "-" "curl/8.7.1" 253486 "-" "-" 0ms`,
		proxyWant{Format: FormatTraefik, Method: "GET", Path: "/_phpinfo.php", URI: "/_phpinfo.php", ClientIP: "185.177.72.205", Status: 404,
			Local: LocalYes, Upstream: []int{}, Duration: 0, Detail: "Traefik answered itself"}},
	// (issue) crowdsec bouncer plugin report, Traefik 3.6.14 JSON: a middleware's 403, OriginStatus 0.
	{"traefik json middleware 403", func() Parser { return NewTraefikJSON() },
		`{"ClientAddr":"x.x.x.x:34779","ClientHost":"x.x.x.x","ClientPort":"34779","ClientUsername":"-","DownstreamContentSize":0,"DownstreamStatus":403,"Duration":19808199303,"OriginContentSize":0,"OriginDuration":0,"OriginStatus":0,"Overhead":19808199303,"RequestAddr":"netbird.example.com:443","RequestContentSize":0,"RequestCount":131,"RequestHost":"netbird.example.com","RequestMethod":"POST","RequestPath":"/signalexchange.SignalExchange/ConnectStream","RequestPort":"443","RequestProtocol":"HTTP/2.0","RequestScheme":"https","RetryAttempts":0,"RouterName":"websecure-netbird-signal@docker","StartLocal":"2026-04-30T21:33:11.203370405+10:00","StartUTC":"2026-04-30T11:33:11.203370405Z","TLSCipher":"TLS_CHACHA20_POLY1305_SHA256","TLSVersion":"1.3","downstream_Alt-Svc":"h3=\":443\"; ma=2592000","downstream_Content-Type":"","entryPointName":"websecure","level":"info","msg":"","request_Content-Type":"application/grpc","request_Te":"trailers","request_User-Agent":"grpc-go/1.79.3","request_X-Forwarded-Host":"netbird.example.com:443","request_X-Forwarded-Port":"443","request_X-Forwarded-Proto":"https","request_X-Forwarded-Server":"REDACTED","request_X-Is-Trusted":"no","request_X-Real-Ip":"x.x.x.x","request_X-Wiretrustee-Peer-Id":"REDACTED","time":"2026-04-30T21:33:31+10:00"}`,
		proxyWant{Format: FormatTraefik, Method: "POST", Path: "/signalexchange.SignalExchange/ConnectStream", URI: "/signalexchange.SignalExchange/ConnectStream",
			Host: "netbird.example.com", ClientIP: "x.x.x.x", Status: 403, Local: LocalYes, Upstream: []int{},
			Service: "websecure-netbird-signal@docker", Duration: 19808199303, Detail: "OriginStatus 0"}},
	// (constructed) Traefik JSON: the service answered 405 and Traefik relayed it.
	{"traefik json relayed 405", func() Parser { return NewTraefikJSON() },
		`{"ClientHost":"203.0.113.9","DownstreamStatus":405,"Duration":2400000,"OriginStatus":405,"RequestHost":"api.example.com","RequestMethod":"DELETE","RequestPath":"/v1/items/7?force=1","RequestProtocol":"HTTP/1.1","RetryAttempts":0,"RouterName":"api@file","ServiceName":"api@file","ServiceURL":"http://10.0.1.7:8080","StartUTC":"2026-11-24T10:00:00.000000000Z","downstream_Allow":"GET, HEAD","request_X-Request-Id":"0c1d2e3f-4051-4627-8384-95a6b7c8d9e0","level":"info","msg":"","time":"2026-11-24T10:00:00Z"}`,
		proxyWant{Format: FormatTraefik, Method: "DELETE", Path: "/v1/items/7", URI: "/v1/items/7?force=1", Host: "api.example.com", ClientIP: "203.0.113.9",
			Status: 405, Local: LocalNo, Upstream: []int{405}, UpstreamAddr: "http://10.0.1.7:8080", Service: "api@file", Allow: "GET, HEAD",
			RequestID: "0c1d2e3f-4051-4627-8384-95a6b7c8d9e0", Duration: 2400 * time.Microsecond}},
}

func TestProxyParsers(t *testing.T) {
	for _, tc := range proxyCases {
		t.Run(tc.name, func(t *testing.T) {
			var rec Record
			rec.Reset()
			if err := tc.p().Parse([]byte(tc.line), &rec); err != nil {
				t.Fatal(err)
			}
			if got := proxyGot(&rec); !sameProxy(got, tc.want) {
				t.Errorf("got  %s\n\t%q\nwant %s\n\t%q", fmtProxy(got), got.Detail, fmtProxy(tc.want), tc.want.Detail)
			}
			if c := rec.Clone(); c.Path != rec.Path || c.Detail != rec.Detail {
				t.Error("clone differs")
			}
		})
	}
}

// Detection picks each proxy's parser from its lines alone (Apache's combined lines are nginx's,
// so Apache is detected from its path or by a format only it has).
func TestDetectProxies(t *testing.T) {
	cases := []struct{ path, variant string }{
		{"/var/log/apache2/access.log", "apache combined"},
		{"haproxy.log", "haproxy httplog"},
		{"caddy.log", "caddy JSON"},
		{"traefik.log", "traefik common"},
		{"traefik.json", "traefik JSON"},
	}
	lines := map[string]string{}
	for _, tc := range proxyCases {
		switch {
		case strings.HasPrefix(tc.name, "apache beats vhost"):
			lines["/var/log/apache2/access.log"] = tc.line
		case strings.HasPrefix(tc.name, "haproxy relayed"):
			lines["haproxy.log"] = tc.line
		case strings.HasPrefix(tc.name, "caddy relayed"):
			lines["caddy.log"] = tc.line
		case strings.HasPrefix(tc.name, "traefik clf routed"):
			lines["traefik.log"] = tc.line
		case strings.HasPrefix(tc.name, "traefik json relayed"):
			lines["traefik.json"] = tc.line
		}
	}
	lines["/var/log/apache2/access.log"] = `192.168.33.1 - - [26/Dec/2016:16:22:13 +0000] "GET /hello HTTP/1.1" 404 499 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:50.0) Gecko/20100101 Firefox/50.0"`
	for _, tc := range cases {
		var c Config
		res, err := c.Resolve(tc.path, toSample([]string{lines[tc.path]}))
		if err != nil {
			t.Errorf("%s: %v", tc.path, err)
			continue
		}
		if res.Variant != tc.variant {
			t.Errorf("%s: variant %q, want %q", tc.path, res.Variant, tc.variant)
		}
	}
}

// The Apache configuration reader follows IncludeOptional from ServerRoot and maps a log file to
// its CustomLog's format, without reading the host's /etc.
func TestApacheConf(t *testing.T) {
	fsys := fstest.MapFS{
		"etc/apache2/apache2.conf": {Data: []byte("ServerRoot \"/etc/apache2\"\nLogFormat \"%h %l %u %t \\\"%r\\\" %>s %O \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\"\" combined\n" +
			"IncludeOptional conf-enabled/*.conf\nInclude missing.conf\n")},
		"etc/apache2/conf-enabled/logging.conf": {Data: []byte("LogFormat \"" + strings.ReplaceAll(apacheTriageFmt, `"`, `\"`) + "\" triage\n" +
			"CustomLog ${APACHE_LOG_DIR}/access.log triage\nCustomLog \"|/usr/bin/rotatelogs x 86400\" combined\n")},
	}
	c, err := ReadApacheConf(fsys, "etc/apache2/apache2.conf")
	if err != nil {
		t.Fatal(err)
	}
	if c.Formats["triage"] != apacheTriageFmt {
		t.Errorf("triage format %q", c.Formats["triage"])
	}
	if c.Formats["combined"] != ApacheDebianCombined {
		t.Errorf("combined %q", c.Formats["combined"])
	}
	f, name, ok := c.FormatFor("/srv/copy/access.log.1")
	if !ok || name != "triage" || f != apacheTriageFmt {
		t.Errorf("FormatFor = %q %q %v", f, name, ok)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "missing.conf") {
		t.Errorf("warnings %q", c.Warnings)
	}
	if len(c.Files) != 2 {
		t.Errorf("files %q", c.Files)
	}
}

// %>s is the final status, %s the original request's; %T seconds, %{ms}T milliseconds.
func TestApacheDirectives(t *testing.T) {
	p := mustApache(`%a "%r" %s %>s %{ms}T "%{X-Forwarded-For}i"`)
	var rec Record
	rec.Reset()
	if err := p.Parse([]byte(`10.0.3.4 "POST /old HTTP/1.1" 301 405 12 "198.51.100.7, 10.0.9.9"`), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Status != 405 || rec.Duration != 12*time.Millisecond || rec.ClientIP != "198.51.100.7" || rec.Peer != "10.0.3.4" {
		t.Errorf("got status %d duration %v client %q peer %q", rec.Status, rec.Duration, rec.ClientIP, rec.Peer)
	}
	// An escaped quote inside the request line does not end it.
	rec.Reset()
	if err := mustApache(`"%r" %>s`).Parse([]byte(`"GET /a\"b HTTP/1.1" 200`), &rec); err != nil || rec.Path != `/a"b` {
		t.Errorf("escaped quote: %v %q", err, rec.Path)
	}
}

func mustApache(f string) *NginxParser {
	p, err := CompileApache(f)
	if err != nil {
		panic(err)
	}
	return p
}

// Fuzz targets: a line is rejected with a reason, or gives a record that Clone copies.
func fuzzProxy(f *testing.F, prefix string, p Parser) {
	for _, tc := range proxyCases {
		if strings.HasPrefix(tc.name, prefix) {
			f.Add([]byte(tc.line))
		}
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var rec Record
		rec.Reset()
		if err := p.Parse(line, &rec); err != nil {
			if err.Error() == "" {
				t.Fatal("empty reason")
			}
			return
		}
		if c := rec.Clone(); c.Path != rec.Path || c.Detail != rec.Detail || c.ClientIP != rec.ClientIP {
			t.Fatal("clone differs")
		}
	})
}

func FuzzApache(f *testing.F)      { fuzzProxy(f, "apache", mustApache(apacheTriageFmt)) }
func FuzzHAProxy(f *testing.F)     { fuzzProxy(f, "haproxy", NewHAProxy()) }
func FuzzCaddy(f *testing.F)       { fuzzProxy(f, "caddy", NewCaddy()) }
func FuzzTraefikCLF(f *testing.F)  { fuzzProxy(f, "traefik clf", CompileTraefikCLF()) }
func FuzzTraefikJSON(f *testing.F) { fuzzProxy(f, "traefik json", NewTraefikJSON()) }

func benchProxy(b *testing.B, prefix string, p Parser) {
	var lines [][]byte
	size := 0
	var rec Record
	for _, tc := range proxyCases {
		rec.Reset()
		if strings.HasPrefix(tc.name, prefix) && p.Parse([]byte(tc.line), &rec) == nil {
			lines = append(lines, []byte(tc.line))
			size += len(tc.line) + 1
		}
	}
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec.Reset()
		_ = p.Parse(lines[i%len(lines)], &rec)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkApache(b *testing.B)      { benchProxy(b, "apache", mustApache(apacheTriageFmt)) }
func BenchmarkHAProxy(b *testing.B)     { benchProxy(b, "haproxy", NewHAProxy()) }
func BenchmarkCaddy(b *testing.B)       { benchProxy(b, "caddy", NewCaddy()) }
func BenchmarkTraefikCLF(b *testing.B)  { benchProxy(b, "traefik clf", CompileTraefikCLF()) }
func BenchmarkTraefikJSON(b *testing.B) { benchProxy(b, "traefik json", NewTraefikJSON()) }

// TestProxyTestdata reads the logs written by real servers (testdata/proxies/README.md) with the
// parser detection picks: every line parses, and each 405 is the proxy's own or relayed as the
// requests that produced it were.
func TestProxyTestdata(t *testing.T) {
	cases := []struct {
		file, format string
		local405     map[string]Local // method -> verdict of its 405
	}{
		{"apache-access.log", FormatApache, map[string]Local{"POST": LocalNo, "PUT": LocalYes, "DELETE": LocalYes}},
		{"haproxy.log", FormatHAProxy, map[string]Local{"POST": LocalNo, "PUT": LocalYes}},
		{"caddy-access.log", FormatCaddy, map[string]Local{"POST": LocalNo, "PUT": LocalYes}},
	}
	for _, tc := range cases {
		data, err := os.ReadFile(filepath.Join("testdata", "proxies", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		c := Config{}
		if tc.format == FormatApache {
			conf, err := LoadApacheConf(filepath.Join("testdata", "proxies", "apache2.conf"))
			if err != nil {
				t.Fatal(err)
			}
			c.ApacheConf = conf
		}
		// The configuration names /srv/apache/access.log; the copy here is apache-access.log.
		res, err := c.Resolve("/srv/apache/access.log", toSample(lines))
		if tc.format != FormatApache {
			res, err = c.Resolve(tc.file, toSample(lines))
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if res.Format != tc.format {
			t.Errorf("%s: format %q (%s), want %q", tc.file, res.Format, res.Variant, tc.format)
		}
		p := res.NewParser()
		seen := 0
		for i, line := range lines {
			var rec Record
			rec.Reset()
			if err := p.Parse([]byte(line), &rec); err != nil {
				t.Errorf("%s:%d: %v", tc.file, i+1, err)
				continue
			}
			if rec.Status != 405 {
				continue
			}
			want, ok := tc.local405[rec.Method]
			if !ok {
				t.Errorf("%s:%d: unexpected 405 for %s", tc.file, i+1, rec.Method)
				continue
			}
			seen++
			if rec.Local != want {
				t.Errorf("%s:%d: %s 405 local=%v, want %v (%s)", tc.file, i+1, rec.Method, rec.Local, want, rec.Detail)
			}
		}
		if seen != len(tc.local405) {
			t.Errorf("%s: %d 405 lines checked, want %d", tc.file, seen, len(tc.local405))
		}
	}
}

// Traefik JSON lines with OriginStatus 0: no service (a middleware answered), a service that
// sent nothing (a dead backend), and a streamed gRPC response whose status Traefik did not keep.
func TestTraefikOriginStatusZero(t *testing.T) {
	cases := []struct {
		name, line string
		local      Local
	}{
		// (issue) crowdsec bouncer plugin report, Traefik 3.6.14: gRPC stream through the service.
		{"grpc stream", `{"ClientHost":"x.x.x.x","DownstreamStatus":200,"Duration":60002434127,"OriginStatus":0,"RequestHost":"netbird.example.com","RequestMethod":"POST","RequestPath":"/signalexchange.SignalExchange/ConnectStream","RequestProtocol":"HTTP/2.0","RetryAttempts":0,"RouterName":"websecure-netbird-signal@docker","ServiceAddr":"172.20.0.3:10000","ServiceName":"netbird-signal@docker","ServiceURL":"h2c://172.20.0.3:10000","StartUTC":"2026-04-30T13:03:54.803698489Z","entryPointName":"websecure","level":"info","msg":"","time":"2026-04-30T23:04:54+10:00"}`, LocalUnknown},
		// (adapted) a public Traefik log watcher's Go test, "Traefik answering on behalf of a dead
		// backend", with the ServiceName such a line carries added.
		{"dead backend", `{"Duration":1200000,"OriginStatus":0,"DownstreamStatus":502,"ServiceName":"api@docker"}`, LocalYes},
	}
	p := NewTraefikJSON()
	for _, tc := range cases {
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte(tc.line), &rec); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if rec.Local != tc.local {
			t.Errorf("%s: local %v, want %v (%s)", tc.name, rec.Local, tc.local, rec.Detail)
		}
	}
}

// With haproxy.cfg, a 405 HAProxy generated names the rule that answered, and the captured
// header block maps by name.
func TestHAProxyConfRule(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "proxies", "haproxy.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	conf, err := ReadHAProxyConf(fstest.MapFS{"etc/haproxy/haproxy.cfg": {Data: data}}, "etc/haproxy/haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	if s := conf.Sections["fe_main"]; s == nil || len(s.Captures) != 1 || s.Captures[0] != "X-Request-ID" || len(s.Rules) != 1 {
		t.Fatalf("fe_main section: %+v", s)
	}
	c := Config{HAProxyConf: conf}
	line := `<134>Dec  1 09:05:20 localhost haproxy[2952]: 127.0.0.1:43728 [01/Dec/2026:09:05:20.731] fe_main fe_main/<NOSRV> 0/-1/-1/-1/0 405 255 - - PR-- 1/1/0/0/0 0/0 {9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a} "PUT /items HTTP/1.1"`
	res, err := c.Resolve("haproxy.log", toSample([]string{line}))
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	rec.Reset()
	if err := res.NewParser().Parse([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	want := "rule haproxy.cfg:17 http-request deny deny_status 405 if { method PUT }"
	if !strings.Contains(rec.Detail, want) || rec.IDs.RequestID != "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a" {
		t.Errorf("detail %q (want %q), request id %q", rec.Detail, want, rec.IDs.RequestID)
	}
}

// A custom log-format read from haproxy.cfg: lines written by HAProxy 2.6.12 with %ID (the
// unique id, also sent as X-Request-ID), %tsc and a captured Host (testdata/proxies/README.md).
func TestHAProxyLogFormat(t *testing.T) {
	cfg, err := os.ReadFile(filepath.Join("testdata", "proxies", "haproxy-custom.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	conf, err := ReadHAProxyConf(fstest.MapFS{"haproxy.cfg": {Data: cfg}}, "haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "proxies", "haproxy-custom.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	c := Config{HAProxyConf: conf}
	res, err := c.Resolve("haproxy-custom.log", toSample(lines))
	if err != nil {
		t.Fatal(err)
	}
	if res.Variant != "haproxy log-format from haproxy.cfg" {
		t.Errorf("variant %q", res.Variant)
	}
	p := res.NewParser()
	want := []struct {
		method string
		status int
		local  Local
		id     string
	}{
		{"GET", 200, LocalNo, "7f000001afc86b0e93d40000"},
		{"POST", 405, LocalNo, "7f000001afd26b0e93d60001"},
		{"PUT", 405, LocalYes, "7f000001afda6b0e93d60002"},
	}
	for i, line := range lines {
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte(line), &rec); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		w := want[i]
		if rec.Method != w.method || rec.Status != w.status || rec.Local != w.local || rec.IDs.RequestID != w.id ||
			rec.Service != "be_api" && w.local == LocalNo || rec.Start.IsZero() || rec.Format != FormatHAProxy {
			t.Errorf("line %d: %s %d local=%v id=%q service=%q start=%v (%s)", i+1, rec.Method, rec.Status, rec.Local,
				rec.IDs.RequestID, rec.Service, rec.Start, rec.Detail)
		}
	}
	// With an RFC 3164 header in front, as syslog writes it.
	var rec Record
	rec.Reset()
	if err := p.Parse([]byte("<134>Dec  1 09:31:02 localhost haproxy[10300]: "+lines[2]), &rec); err != nil || rec.Local != LocalYes {
		t.Errorf("with syslog header: %v %v", err, rec.Local)
	}
}

const haproxyCustomFmt = `%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %tsc %ID %hr %{+Q}r`

func haproxyCustomLines(tb testing.TB) [][]byte {
	data, err := os.ReadFile(filepath.Join("testdata", "proxies", "haproxy-custom.log"))
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		out = append(out, []byte(l))
	}
	return out
}

func FuzzHAProxyLogFormat(f *testing.F) {
	for _, l := range haproxyCustomLines(f) {
		f.Add(l)
	}
	p, err := CompileHAProxyLogFormat(haproxyCustomFmt)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var rec Record
		rec.Reset()
		if err := p.Parse(line, &rec); err != nil {
			if err.Error() == "" {
				t.Fatal("empty reason")
			}
			return
		}
		if c := rec.Clone(); c.Path != rec.Path || c.Detail != rec.Detail {
			t.Fatal("clone differs")
		}
	})
}

func BenchmarkHAProxyLogFormat(b *testing.B) {
	lines := haproxyCustomLines(b)
	p, err := CompileHAProxyLogFormat(haproxyCustomFmt)
	if err != nil {
		b.Fatal(err)
	}
	size := 0
	for _, l := range lines {
		size += len(l) + 1
	}
	var rec Record
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec.Reset()
		_ = p.Parse(lines[i%len(lines)], &rec)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// A stock combined line of Apache httpd is read as Apache also when the log is named relative to
// the working directory, as in `cd /var/log/apache2 && logtriage analyze edge=access.log`: the
// line alone is nginx's combined. The line is a real one (Apache httpd 2.4.71, Debian, stock
// combined LogFormat: httpd's static-file handler refusing DELETE).
func TestDetectApacheRelativePath(t *testing.T) {
	const line = `127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "DELETE /static/app.css HTTP/1.1" 405 469 "-" "deploy-bot/1.0"`
	dir := filepath.Join(t.TempDir(), "var", "log", "apache2")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for path, want := range map[string]string{"access.log": "apache combined", "-": "nginx combined"} {
		var c Config
		res, err := c.Resolve(path, toSample([]string{line}))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if res.Variant != want {
			t.Errorf("%s in %s: variant %q, want %q", path, dir, res.Variant, want)
		}
	}
}

// HAProxy's own messages in its log are skipped, not rejected: real lines of HAProxy 2.6.12 whose
// option httpchk (OPTIONS) got 405 from the backend, as rsyslog wrote them to the log file and
// as HAProxy wrote them to stderr (which a container's log holds too), then its soft stop.
func TestHAProxyEventLines(t *testing.T) {
	events := []string{
		`Dec  1 18:00:36 web-1 haproxy[10208]: Server be_app/app1 is DOWN, reason: Layer7 wrong status, code: 405, info: "Method Not Allowed", check duration: 6ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
		`Dec  1 18:00:36 web-1 haproxy[10208]: backend be_app has no server available!`,
		`Dec  1 18:01:16 web-1 haproxy[10208]: Proxy fe_main stopped (cumulated conns: FE: 2, BE: 0).`,
		`Dec  1 18:01:16 web-1 haproxy[10208]: Proxy <HTTPCLIENT> stopped (cumulated conns: FE: 0, BE: 0).`,
		`[WARNING]  (10208) : Server be_app/app1 is DOWN, reason: Layer7 wrong status, code: 405, info: "Method Not Allowed", check duration: 6ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
		`[ALERT]    (10208) : backend 'be_app' has no server available!`,
	}
	p := NewHAProxy()
	var rec Record
	for _, l := range events {
		rec.Reset()
		if err := p.Parse([]byte(l), &rec); !errors.Is(err, ErrNotAccess) {
			t.Errorf("%s: %v, want ErrNotAccess", l, err)
		}
	}
	// The access line logged right after, and lines that are neither, are still told apart.
	rec.Reset()
	access := `Dec  1 18:00:42 web-1 haproxy[10208]: 127.0.0.1:52492 [01/Dec/2026:18:00:42.197] fe_main be_app/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 "GET /api/items HTTP/1.1"`
	if err := p.Parse([]byte(access), &rec); err != nil || rec.Status != 503 || rec.Method != "GET" {
		t.Errorf("access line: %v, status %d, method %q", err, rec.Status, rec.Method)
	}
	for _, l := range []string{
		`Dec  1 18:00:36 web-1 sshd[881]: Server listening on 0.0.0.0 port 22.`,
		`Dec  1 18:00:36 web-1 haproxy[10208]: 127.0.0.1:52492 something else`,
		`127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "POST /api/items HTTP/1.1" 405 19 "-" "orders-cli/2.1"`,
	} {
		rec.Reset()
		if err := p.Parse([]byte(l), &rec); err == nil || errors.Is(err, ErrNotAccess) {
			t.Errorf("%s: %v, want a rejection", l, err)
		}
	}
}

// Caddy logs request.tls for a TLS connection and nothing of the kind for a plain one (Caddy
// 2.6.2, testdata/proxies/caddy-tls.log and caddy-plain.log): the record's scheme says which, so
// that the verify command is sent the way the client was.
func TestCaddyScheme(t *testing.T) {
	for file, want := range map[string]string{"caddy-tls.log": "https", "caddy-plain.log": "http"} {
		data, err := os.ReadFile(filepath.Join("testdata", "proxies", file))
		if err != nil {
			t.Fatal(err)
		}
		p := NewCaddy()
		for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var rec Record
			rec.Reset()
			if err := p.Parse([]byte(line), &rec); err != nil {
				t.Fatalf("%s:%d: %v", file, i+1, err)
			}
			if rec.Scheme != want {
				t.Errorf("%s:%d: scheme %q, want %q", file, i+1, rec.Scheme, want)
			}
			if j := string(rec.AppendJSON(nil)); !strings.Contains(j, `"scheme":"`+want+`"`) {
				t.Errorf("%s:%d: parse output has no scheme %s: %s", file, i+1, want, j)
			}
		}
	}
}

// TestTraefikScheme: Traefik's JSON access log says how the client connected (RequestScheme, a
// default field), and the record keeps it; a line without the field has no scheme.
func TestTraefikScheme(t *testing.T) {
	var tls, plain string
	for _, tc := range proxyCases {
		switch tc.name {
		case "traefik json middleware 403": // (issue) Traefik 3.6.14, "RequestScheme":"https"
			tls = tc.line
		case "traefik json relayed 405": // no RequestScheme
			plain = tc.line
		}
	}
	for _, c := range []struct{ line, want string }{
		{tls, "https"},
		{strings.Replace(tls, `"RequestScheme":"https"`, `"RequestScheme":"http"`, 1), "http"},
		{strings.Replace(tls, `"RequestScheme":"https"`, `"RequestScheme":"ftp"`, 1), ""},
		{plain, ""},
	} {
		var rec Record
		rec.Reset()
		if err := NewTraefikJSON().Parse([]byte(c.line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Scheme != c.want {
			t.Errorf("scheme %q, want %q: %.80s…", rec.Scheme, c.want, c.line)
		}
	}
}
