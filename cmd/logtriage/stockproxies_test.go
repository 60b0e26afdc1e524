package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Logs of real proxies written in their stock formats, captured on this project's machine
// (2026-12-01, Debian 12) in front of a Python 3.11 http.server backend that logs its default
// access line (the Werkzeug dev-server layout) and answers 405 with an Allow header for the
// methods a route lacks.

// apacheStockAccess is Apache httpd 2.4.71's access log in Debian's stock combined LogFormat
// (%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i": no handler, no Allow), with mod_proxy
// to the backend for /api/ and /admin/, <Location /admin/><LimitExcept GET> Require all denied,
// <Location /api/reports> Require method GET HEAD, <Location /api/export> AllowMethods GET HEAD
// (mod_allowmethods: 405 with Allow: TRACE), and /static/app.css served from the DocumentRoot
// (the static-file handler: 405 with Allow: POST,OPTIONS,HEAD,GET,TRACE).
const apacheStockAccess = `127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "GET /api/items HTTP/1.1" 200 155 "-" "shop-web/2.3"
127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "GET /api/reports HTTP/1.1" 200 155 "-" "shop-web/2.3"
127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "GET /api/export HTTP/1.1" 200 155 "-" "shop-web/2.3"
127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "GET /admin/users HTTP/1.1" 200 155 "-" "admin-tool/3.0"
127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "GET /static/app.css HTTP/1.1" 200 231 "-" "shop-web/2.3"
127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "POST /api/items HTTP/1.1" 405 196 "-" "orders-cli/2.1"
127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "POST /admin/users HTTP/1.1" 403 400 "-" "admin-tool/3.0"
127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "DELETE /api/reports HTTP/1.1" 403 400 "-" "reports-cli/1.4"
127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "POST /api/export HTTP/1.1" 405 445 "-" "export-cli/0.3"
127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "DELETE /static/app.css HTTP/1.1" 405 469 "-" "deploy-bot/1.0"
127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "PUT /static/app.css HTTP/1.1" 405 466 "-" "uploader/1.0"
127.0.0.1 - - [01/Dec/2026:17:34:08 +0000] "OPTIONS /api/profile HTTP/1.1" 405 195 "-" "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"
`

// apacheStockApp is the backend's log of the same run.
const apacheStockApp = `127.0.0.1 - - [01/Dec/2026 17:34:08] "GET /api/items HTTP/1.1" 200 -
127.0.0.1 - - [01/Dec/2026 17:34:08] "GET /api/reports HTTP/1.1" 200 -
127.0.0.1 - - [01/Dec/2026 17:34:08] "GET /api/export HTTP/1.1" 200 -
127.0.0.1 - - [01/Dec/2026 17:34:08] "GET /admin/users HTTP/1.1" 200 -
127.0.0.1 - - [01/Dec/2026 17:34:08] "POST /api/items HTTP/1.1" 405 -
127.0.0.1 - - [01/Dec/2026 17:34:08] "OPTIONS /api/profile HTTP/1.1" 405 -
`

// stockFinding is what these tests read of a finding.
type stockFinding struct {
	Origin       string `json:"origin_layer"`
	Cause        string `json:"cause"`
	Method       string `json:"method"`
	Route        string `json:"route"`
	Status       int    `json:"status"`
	Count        int    `json:"count"`
	AllowMissing int    `json:"allow_missing"`
	Masked       int    `json:"masked"`
	Evidence     string `json:"evidence"`
	Fix          string `json:"fix"`
	Verify       string `json:"verify"`
}

// analyzeStock writes the logs under dir (relative names, as given) and runs analyze -o json on
// them from dir, as a user in the log directory would.
func analyzeStock(t *testing.T, dir string, logs map[string]string, args ...string) (formats map[string]string, byKey map[string]stockFinding) {
	t.Helper()
	for name, data := range logs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir) // restored when the test ends
	r := lt(t, nil, append([]string{"analyze", "-o", "json"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("analyze exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Summary struct {
			Inputs []struct {
				Name   string `json:"name"`
				Format string `json:"format"`
			} `json:"inputs"`
		} `json:"summary"`
		Findings []stockFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	formats, byKey = map[string]string{}, map[string]stockFinding{}
	for _, in := range doc.Summary.Inputs {
		formats[in.Name] = in.Format
	}
	for _, f := range doc.Findings {
		byKey[f.Method+" "+f.Route] = f
	}
	return formats, byKey
}

// Apache's own 405s carry an Allow header: a stock combined log, which does not record it, must
// not make analyze say they had none (it did, as for nginx's own 405s). Run from the log
// directory with the log named relative to it, the Apache layer is still Apache.
func TestApacheStockCombined(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "apache2")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	formats, got := analyzeStock(t, dir, map[string]string{"access.log": apacheStockAccess, "app.log": apacheStockApp},
		"edge=access.log", "app=app.log")
	if formats["access.log"] != "apache" {
		t.Fatalf("access.log read as %q, want apache (formats %v)", formats["access.log"], formats)
	}
	want := []struct {
		key, origin, cause string
		status             int
	}{
		{"POST /api/items", "app", "method_not_routed", 405},
		{"OPTIONS /api/profile", "app", "cors_preflight", 405},
		{"POST /api/export", "edge", "proxy_method_block", 405},       // mod_allowmethods
		{"DELETE /static/app.css", "edge", "proxy_method_block", 405}, // static-file handler
		{"PUT /static/app.css", "edge", "proxy_method_block", 405},
		{"POST /admin/users", "edge", "proxy_method_block", 403},   // <LimitExcept GET>
		{"DELETE /api/reports", "edge", "proxy_method_block", 403}, // Require method GET HEAD
	}
	if len(got) != len(want) {
		t.Errorf("%d findings, want %d: %v", len(got), len(want), got)
	}
	for _, w := range want {
		f, ok := got[w.key]
		if !ok {
			t.Errorf("%s: no finding", w.key)
			continue
		}
		if f.Origin != w.origin || f.Cause != w.cause || f.Status != w.status {
			t.Errorf("%s: %s at %s, status %d; want %s at %s, status %d", w.key, f.Cause, f.Origin, f.Status, w.cause, w.origin, w.status)
		}
		if f.AllowMissing != 0 || strings.Contains(f.Evidence, "no Allow header") {
			t.Errorf("%s: %d without Allow claimed; httpd sends Allow on its 405s and this log does not record it\nevidence: %s", w.key, f.AllowMissing, f.Evidence)
		}
		if w.key == "POST /api/export" && !strings.Contains(f.Evidence, "AllowMethods") {
			t.Errorf("%s: mod_allowmethods' 405: the evidence does not name AllowMethods among httpd's candidates\nevidence: %s", w.key, f.Evidence)
		}
		if w.origin == "edge" && (strings.Contains(f.Evidence, "nginx") || strings.Contains(f.Fix, "nginx")) {
			t.Errorf("%s: Apache's finding names nginx\nevidence: %s\nfix: %s", w.key, f.Evidence, f.Fix)
		}
	}
}

// haproxyStockLog is HAProxy 2.6.12's option httplog, as rsyslog writes it to
// /var/log/haproxy.log (no request header captured, so no user agent), with
// "http-request deny deny_status 405 if { path_beg /api/reports } write_method" and
// "http-request deny if { path_beg /admin } write_method" (403) in the frontend; the rest relayed
// to the backend.
const haproxyStockLog = `Dec  1 17:33:32 web-1 haproxy[22693]: 127.0.0.1:49392 [01/Dec/2026:17:33:32.354] fe_main be_app/app1 0/0/0/2/2 200 154 - - ---- 1/1/0/0/0 0/0 "GET /api/items HTTP/1.1"
Dec  1 17:33:32 web-1 haproxy[22693]: 127.0.0.1:49400 [01/Dec/2026:17:33:32.380] fe_main be_app/app1 0/0/0/1/1 200 154 - - ---- 1/1/0/0/0 0/0 "GET /api/reports HTTP/1.1"
Dec  1 17:33:32 web-1 haproxy[22693]: 127.0.0.1:49414 [01/Dec/2026:17:33:32.404] fe_main be_app/app1 0/0/0/1/2 200 154 - - ---- 1/1/0/0/0 0/0 "GET /admin/users HTTP/1.1"
Dec  1 17:33:32 web-1 haproxy[22693]: 127.0.0.1:49420 [01/Dec/2026:17:33:32.435] fe_main be_app/app1 0/0/0/1/1 405 191 - - ---- 1/1/0/0/0 0/0 "POST /api/items HTTP/1.1"
Dec  1 17:33:32 web-1 haproxy[22693]: 127.0.0.1:49428 [01/Dec/2026:17:33:32.459] fe_main fe_main/<NOSRV> 0/-1/-1/-1/0 405 255 - - PR-- 1/1/0/0/0 0/0 "DELETE /api/reports HTTP/1.1"
Dec  1 17:33:32 web-1 haproxy[22693]: 127.0.0.1:49434 [01/Dec/2026:17:33:32.481] fe_main fe_main/<NOSRV> 0/-1/-1/-1/0 405 255 - - PR-- 1/1/0/0/0 0/0 "POST /api/reports HTTP/1.1"
Dec  1 17:33:32 web-1 haproxy[22693]: 127.0.0.1:49448 [01/Dec/2026:17:33:32.502] fe_main fe_main/<NOSRV> 0/-1/-1/-1/0 403 192 - - PR-- 1/1/0/0/0 0/0 "POST /admin/users HTTP/1.1"
Dec  1 17:33:32 web-1 haproxy[22693]: 127.0.0.1:49454 [01/Dec/2026:17:33:32.524] fe_main be_app/app1 0/0/0/1/1 405 190 - - ---- 1/1/0/0/0 0/0 "OPTIONS /api/profile HTTP/1.1"
`

// haproxyStockApp is the backend's log of the same run, with the traceback http.server writes
// when HAProxy closes an idle connection.
const haproxyStockApp = `127.0.0.1 - - [01/Dec/2026 17:33:32] "GET /api/items HTTP/1.1" 200 -
127.0.0.1 - - [01/Dec/2026 17:33:32] "GET /api/reports HTTP/1.1" 200 -
127.0.0.1 - - [01/Dec/2026 17:33:32] "GET /admin/users HTTP/1.1" 200 -
----------------------------------------
Exception occurred during processing of request from ('127.0.0.1', 40542)
Traceback (most recent call last):
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socketserver.py", line 691, in process_request_thread
    self.finish_request(request, client_address)
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socketserver.py", line 361, in finish_request
    self.RequestHandlerClass(request, client_address, self)
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socketserver.py", line 755, in __init__
    self.handle()
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/http/server.py", line 438, in handle
    self.handle_one_request()
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/http/server.py", line 404, in handle_one_request
    self.raw_requestline = self.rfile.readline(65537)
                           ^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socket.py", line 706, in readinto
    return self._sock.recv_into(b)
           ^^^^^^^^^^^^^^^^^^^^^^^
ConnectionResetError: [Errno 104] Connection reset by peer
----------------------------------------
127.0.0.1 - - [01/Dec/2026 17:33:32] "POST /api/items HTTP/1.1" 405 -
127.0.0.1 - - [01/Dec/2026 17:33:32] "OPTIONS /api/profile HTTP/1.1" 405 -
`

// HAProxy's stock httplog in front of an app that logs no user agent either: each 405's origin,
// HAProxy's own 405s without Allow (it sends none), the deny's 403 as a method rejection, the
// app's evidence names the client address without a "sent by -" for the unknown agent, and the
// fix of the OPTIONS that was a browser's CORS preflight (the request sent Origin and
// Access-Control-Request-Method, neither logged) mentions preflights.
func TestHAProxyStockHTTPLog(t *testing.T) {
	formats, got := analyzeStock(t, t.TempDir(), map[string]string{"haproxy.log": haproxyStockLog, "app.log": haproxyStockApp},
		"edge=haproxy.log", "app=app.log")
	if formats["haproxy.log"] != "haproxy" || formats["app.log"] != "app" {
		t.Fatalf("formats %v, want haproxy and app", formats)
	}
	want := []struct {
		key, origin, cause string
		status, noAllow    int
	}{
		{"POST /api/items", "app", "method_not_routed", 405, 0},
		{"DELETE /api/reports", "edge", "proxy_method_block", 405, 1}, // deny_status 405
		{"POST /api/reports", "edge", "proxy_method_block", 405, 1},
		{"POST /admin/users", "edge", "proxy_method_block", 403, 0},  // deny (403)
		{"OPTIONS /api/profile", "app", "method_not_routed", 405, 0}, // a browser's preflight, unknowable here
	}
	if len(got) != len(want) {
		t.Errorf("%d findings, want %d: %v", len(got), len(want), got)
	}
	for _, w := range want {
		f, ok := got[w.key]
		if !ok {
			t.Errorf("%s: no finding", w.key)
			continue
		}
		if f.Origin != w.origin || f.Cause != w.cause || f.Status != w.status || f.AllowMissing != w.noAllow {
			t.Errorf("%s: %s at %s, status %d, %d without Allow; want %s at %s, status %d, %d", w.key, f.Cause, f.Origin, f.Status,
				f.AllowMissing, w.cause, w.origin, w.status, w.noAllow)
		}
	}
	if ev := got["POST /api/items"].Evidence; !strings.Contains(ev, "; sent from 127.0.0.1 (1).") || strings.Contains(ev, "sent by") {
		t.Errorf("POST /api/items evidence: want the client address alone, no user agent (none is logged):\n%s", ev)
	}
	// Neither hop logs the user agent or Origin: the OPTIONS may be a browser's preflight, which
	// no client change fixes; the fix says so.
	if fix := got["OPTIONS /api/profile"].Fix; !strings.Contains(fix, "CORS preflights") || !strings.Contains(fix, "Access-Control-Allow-Methods") {
		t.Errorf("OPTIONS /api/profile fix does not mention the preflight:\n%s", fix)
	}
	if fix := got["POST /api/items"].Fix; strings.Contains(fix, "preflight") {
		t.Errorf("POST /api/items fix mentions preflights:\n%s", fix)
	}
}

// Masked 405s as three real proxies in their stock log formats write them: the backend answered
// 405 and the proxy sent another status. Apache httpd 2.4.71 (stock combined; <Location
// /api/search> ProxyErrorOverride On, ErrorDocument 405 http://127.0.0.1:27300/fallback.json: a
// 302) also redirects POST /api/submit with RedirectMatch 301 to /api/submit/, which curl -L
// then asks for with GET; HAProxy 2.6.12 (httplog via rsyslog) has "http-response set-status 200
// if { status 405 } { var(txn.path) -m beg /api/search }"; Caddy 2.6.2 (JSON) has reverse_proxy
// { @m405 status 405; handle_response @m405 { respond "{}" 200 } }.
var stockMasked = []struct {
	name, dir, edge, app, edgeFormat string
	rule                             string // what the fix must name
}{
	{"apache", "apache2", `127.0.0.1 - - [01/Dec/2026:17:44:30 +0000] "GET /api/items HTTP/1.1" 200 155 "-" "shop-web/2.3"
127.0.0.1 - - [01/Dec/2026:17:44:30 +0000] "GET /api/search HTTP/1.1" 200 155 "-" "shop-web/2.3"
127.0.0.1 - - [01/Dec/2026:17:44:30 +0000] "POST /api/submit HTTP/1.1" 301 497 "-" "orders-cli/2.1"
127.0.0.1 - - [01/Dec/2026:17:44:30 +0000] "GET /api/submit/ HTTP/1.1" 405 191 "-" "orders-cli/2.1"
127.0.0.1 - - [01/Dec/2026:17:44:31 +0000] "POST /api/search HTTP/1.1" 302 465 "-" "search-ui/5.0"
`, `127.0.0.1 - - [01/Dec/2026 17:44:30] "GET /api/items HTTP/1.1" 200 -
127.0.0.1 - - [01/Dec/2026 17:44:30] "GET /api/search HTTP/1.1" 200 -
127.0.0.1 - - [01/Dec/2026 17:44:30] "GET /api/submit/ HTTP/1.1" 405 -
127.0.0.1 - - [01/Dec/2026 17:44:31] "POST /api/search HTTP/1.1" 405 -
`, "apache", "ProxyErrorOverride with an ErrorDocument for 405"},
	{"haproxy", "haproxy", `Dec  1 17:46:01 web-1 haproxy[2165]: 127.0.0.1:36812 [01/Dec/2026:17:46:01.185] fe_main be_app/app1 0/0/29/7/36 200 154 - - ---- 1/1/0/0/0 0/0 "GET /api/search HTTP/1.1"
Dec  1 17:46:01 web-1 haproxy[2165]: 127.0.0.1:36818 [01/Dec/2026:17:46:01.651] fe_main be_app/app1 0/0/3/1/4 200 185 - - ---- 1/1/0/0/0 0/0 "POST /api/search HTTP/1.1"
`, `127.0.0.1 - - [01/Dec/2026 17:46:01] "GET /api/search HTTP/1.1" 200 -
127.0.0.1 - - [01/Dec/2026 17:46:01] "POST /api/search HTTP/1.1" 405 -
`, "haproxy", "http-response set-status / return rule"},
	{"caddy", "caddy", `{"level":"info","ts":1796147172.2763772,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"59816","proto":"HTTP/1.1","method":"GET","host":"127.0.0.1:27400","uri":"/api/search","headers":{"User-Agent":["search-ui/5.0"],"Accept":["*/*"]}},"user_id":"","duration":0.016728653,"size":12,"status":200,"resp_headers":{"Server":["Caddy","backend/1.0 Python/3.11.7"],"Content-Type":["application/json"],"Content-Length":["12"],"Date":["Tue, 01 Dec 2026 17:46:12 GMT"]}}
{"level":"info","ts":1796147172.3849986,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"59826","proto":"HTTP/1.1","method":"POST","host":"127.0.0.1:27400","uri":"/api/search","headers":{"Content-Length":["3"],"Content-Type":["application/x-www-form-urlencoded"],"User-Agent":["search-ui/5.0"],"Accept":["*/*"]}},"user_id":"","duration":0.002369075,"size":2,"status":200,"resp_headers":{"Server":["Caddy"],"Content-Type":["text/plain; charset=utf-8"]}}
`, `127.0.0.1 - - [01/Dec/2026 17:46:12] "GET /api/search HTTP/1.1" 200 -
127.0.0.1 - - [01/Dec/2026 17:46:12] "POST /api/search HTTP/1.1" 405 -
`, "caddy", "reverse_proxy handle_response"},
}

// Each masked 405 is the app's method_not_routed, masked at the edge, and the fix names the rule
// of that proxy that masks it (before, every proxy was told to look for error_page, nginx's).
func TestStockMasked(t *testing.T) {
	for _, tc := range stockMasked {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tc.dir)
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			formats, got := analyzeStock(t, dir, map[string]string{"access.log": tc.edge, "app.log": tc.app}, "edge=access.log", "app=app.log")
			if formats["access.log"] != tc.edgeFormat {
				t.Fatalf("access.log read as %q, want %s", formats["access.log"], tc.edgeFormat)
			}
			f, ok := got["POST /api/search"]
			if !ok {
				t.Fatalf("no finding for POST /api/search: %v", got)
			}
			if f.Origin != "app" || f.Cause != "method_not_routed" || f.Masked != 1 {
				t.Errorf("POST /api/search: %s at %s, %d masked; want method_not_routed at app, 1 masked", f.Cause, f.Origin, f.Masked)
			}
			if !strings.Contains(f.Fix, "Stop masking at edge") || !strings.Contains(f.Fix, tc.rule) || strings.Contains(f.Fix, "error_page") {
				t.Errorf("POST /api/search fix does not name %s's masking rule (%s):\n%s", tc.name, tc.rule, f.Fix)
			}
			if tc.name == "apache" {
				r, ok := got["GET /api/submit/"]
				if !ok || r.Origin != "app" || r.Cause != "redirect_method_change" || !strings.Contains(r.Evidence, "sent POST /api/submit and got 301 from edge") {
					t.Errorf("GET /api/submit/ after RedirectMatch 301: %+v; want redirect_method_change at app", r)
				}
			}
			if len(got) != map[bool]int{true: 2, false: 1}[tc.name == "apache"] {
				t.Errorf("findings: %v", got)
			}
		})
	}
}

// A chain of two proxies in their stock formats, captured like the logs above: nginx 1.22.1
// (combined; proxy_pass to HAProxy) → HAProxy 2.6.12 (httplog via rsyslog; the deny rules and the
// set-status mask of TestStockMasked) → the backend. No hop logs an id.
const chainEdge = `127.0.0.1 - - [01/Dec/2026:17:54:10 +0000] "GET /api/items HTTP/1.1" 200 12 "-" "shop-web/2.3"
127.0.0.1 - - [01/Dec/2026:17:54:10 +0000] "GET /api/reports HTTP/1.1" 200 12 "-" "shop-web/2.3"
127.0.0.1 - - [01/Dec/2026:17:54:10 +0000] "POST /api/items HTTP/1.1" 405 19 "-" "orders-cli/2.1"
127.0.0.1 - - [01/Dec/2026:17:54:10 +0000] "DELETE /api/reports HTTP/1.1" 405 146 "-" "reports-cli/1.4"
127.0.0.1 - - [01/Dec/2026:17:54:10 +0000] "POST /admin/users HTTP/1.1" 403 93 "-" "admin-tool/3.0"
127.0.0.1 - - [01/Dec/2026:17:54:10 +0000] "POST /api/search HTTP/1.1" 200 19 "-" "search-ui/5.0"
`

const chainMid = `Dec  1 17:54:10 web-1 haproxy[2165]: 127.0.0.1:46776 [01/Dec/2026:17:54:10.041] fe_main be_app/app1 0/0/7/2/9 200 154 - - ---- 1/1/0/0/0 0/0 "GET /api/items HTTP/1.0"
Dec  1 17:54:10 web-1 haproxy[2165]: 127.0.0.1:46780 [01/Dec/2026:17:54:10.114] fe_main be_app/app1 0/0/0/5/5 200 154 - - ---- 1/1/0/0/0 0/0 "GET /api/reports HTTP/1.0"
Dec  1 17:54:10 web-1 haproxy[2165]: 127.0.0.1:46794 [01/Dec/2026:17:54:10.194] fe_main be_app/app1 0/0/0/2/2 405 191 - - ---- 1/1/0/0/0 0/0 "POST /api/items HTTP/1.0"
Dec  1 17:54:10 web-1 haproxy[2165]: 127.0.0.1:46798 [01/Dec/2026:17:54:10.235] fe_main fe_main/<NOSRV> 0/-1/-1/-1/0 405 255 - - PR-- 1/1/0/0/0 0/0 "DELETE /api/reports HTTP/1.0"
Dec  1 17:54:10 web-1 haproxy[2165]: 127.0.0.1:46814 [01/Dec/2026:17:54:10.316] fe_main fe_main/<NOSRV> 0/-1/-1/-1/0 403 192 - - PR-- 1/1/0/0/0 0/0 "POST /admin/users HTTP/1.0"
Dec  1 17:54:10 web-1 haproxy[2165]: 127.0.0.1:46818 [01/Dec/2026:17:54:10.355] fe_main be_app/app1 0/0/0/4/4 200 185 - - ---- 1/1/0/0/0 0/0 "POST /api/search HTTP/1.0"
`

const chainApp = `127.0.0.1 - - [01/Dec/2026 17:54:10] "GET /api/items HTTP/1.0" 200 -
127.0.0.1 - - [01/Dec/2026 17:54:10] "GET /api/reports HTTP/1.0" 200 -
127.0.0.1 - - [01/Dec/2026 17:54:10] "POST /api/items HTTP/1.0" 405 -
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socketserver.py", line 691, in process_request_thread
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socketserver.py", line 361, in finish_request
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socketserver.py", line 755, in __init__
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/http/server.py", line 438, in handle
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/http/server.py", line 404, in handle_one_request
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socket.py", line 706, in readinto
127.0.0.1 - - [01/Dec/2026 17:54:10] "POST /api/search HTTP/1.0" 405 -
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socketserver.py", line 691, in process_request_thread
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socketserver.py", line 361, in finish_request
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socketserver.py", line 755, in __init__
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/http/server.py", line 438, in handle
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/http/server.py", line 404, in handle_one_request
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socket.py", line 706, in readinto
`

// Without ids, nothing orders two proxies of different formats: analyze leaves them siblings and
// must say how to give the order; given it, each 405 is found once, at the hop that made it.
func TestStockProxyChain(t *testing.T) {
	args := layerInputs(t, map[string]string{"edge": chainEdge, "mid": chainMid, "app": chainApp}) // app, edge, mid: not the path order
	analyze := func(extra ...string) (order, path string, got map[string]stockFinding) {
		r := lt(t, nil, append(append([]string{"analyze", "-o", "json"}, extra...), args...)...)
		if r.code != exitOK {
			t.Fatalf("analyze exit %d: %s", r.code, r.stderr)
		}
		var doc struct {
			Order    string         `json:"layer_order"`
			Path     string         `json:"layer_path"`
			Findings []stockFinding `json:"findings"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		got = map[string]stockFinding{}
		for _, f := range doc.Findings {
			got[f.Origin+" "+f.Method+" "+f.Route] = f
		}
		return doc.Order, doc.Path, got
	}
	order, path, _ := analyze()
	if path != "{edge, mid} → app" || !strings.Contains(order, "different proxies (nginx, haproxy)") || !strings.Contains(order, "--order edge,mid,app") {
		t.Errorf("without --order: path %q, order %q; want siblings and how to give the order", path, order)
	}
	order, path, got := analyze("--order", "edge,mid,app")
	if path != "edge → mid → app" || strings.Contains(order, "different proxies") {
		t.Errorf("with --order: path %q, order %q", path, order)
	}
	want := map[string]string{
		"app POST /api/items":     "method_not_routed",
		"app POST /api/search":    "method_not_routed", // masked by HAProxy's set-status
		"mid DELETE /api/reports": "proxy_method_block",
	} // HAProxy's 403 for POST /admin/users is no finding here: no other method of that route was seen
	if len(got) != len(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	for k, cause := range want {
		if f, ok := got[k]; !ok || f.Cause != cause {
			t.Errorf("%s: %+v, want %s", k, f, cause)
		}
	}
	if f := got["app POST /api/search"]; f.Masked != 1 || !strings.Contains(f.Fix, "Stop masking at mid (200) (an http-response set-status") {
		t.Errorf("POST /api/search: masked %d, fix %q; want masked at mid by HAProxy's rule", f.Masked, f.Fix)
	}
}

// nginx 1.22.1 with Debian's stock access log (combined) in front of the backend, nginx.conf
// as in the comments of TestNginxStockCombined; no hop logs an id, an upstream or a header.
const nginxStockAccess = `127.0.0.1 - - [01/Dec/2026:17:32:46 +0000] "GET /api/items HTTP/1.1" 200 12 "-" "curl/7.88.1"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "GET /api/items HTTP/1.1" 200 12 "-" "shop-web/2.3"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "GET /api/status HTTP/1.1" 200 12 "-" "shop-web/2.3"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "PUT /api/profile HTTP/1.1" 200 12 "-" "shop-web/2.3"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "GET /admin/users HTTP/1.1" 200 12 "-" "admin-tool/3.0"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "POST /api/items HTTP/1.1" 405 19 "-" "orders-cli/2.1"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "POST /admin/users HTTP/1.1" 403 153 "-" "admin-tool/3.0"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "DELETE /admin/users HTTP/1.1" 403 153 "-" "admin-tool/3.0"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "POST /static/app.css HTTP/1.1" 405 157 "-" "uploader/1.0"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "POST /api/search HTTP/1.1" 200 15 "-" "search-ui/5.0"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "POST /api/submit HTTP/1.1" 301 169 "-" "orders-cli/2.1"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "GET /api/submit/ HTTP/1.1" 405 19 "-" "orders-cli/2.1"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "OPTIONS /api/profile HTTP/1.1" 405 19 "-" "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"
127.0.0.1 - - [01/Dec/2026:17:32:49 +0000] "HEAD /api/status HTTP/1.1" 405 0 "-" "Uptime-Kuma/1.23.11"
127.0.0.1 - - [01/Dec/2026:17:32:51 +0000] "HEAD /api/status HTTP/1.1" 405 0 "-" "Uptime-Kuma/1.23.11"
127.0.0.1 - - [01/Dec/2026:17:32:53 +0000] "HEAD /api/status HTTP/1.1" 405 0 "-" "Uptime-Kuma/1.23.11"
127.0.0.1 - - [01/Dec/2026:17:32:55 +0000] "HEAD /api/status HTTP/1.1" 405 0 "-" "Uptime-Kuma/1.23.11"
127.0.0.1 - - [01/Dec/2026:17:32:57 +0000] "HEAD /api/status HTTP/1.1" 405 0 "-" "Uptime-Kuma/1.23.11"
127.0.0.1 - - [01/Dec/2026:17:32:59 +0000] "OPTIONS /api/status HTTP/1.1" 405 19 "-" "kube-probe/1.29"
127.0.0.1 - - [01/Dec/2026:17:33:00 +0000] "OPTIONS /api/status HTTP/1.1" 405 19 "-" "kube-probe/1.29"
127.0.0.1 - - [01/Dec/2026:17:33:01 +0000] "OPTIONS /api/status HTTP/1.1" 405 19 "-" "kube-probe/1.29"
127.0.0.1 - - [01/Dec/2026:17:33:03 +0000] "OPTIONS /api/status HTTP/1.1" 405 19 "-" "kube-probe/1.29"
`

const nginxStockApp = `127.0.0.1 - - [01/Dec/2026 17:32:46] "GET /api/items HTTP/1.0" 200 -
127.0.0.1 - - [01/Dec/2026 17:32:49] "GET /api/items HTTP/1.0" 200 -
127.0.0.1 - - [01/Dec/2026 17:32:49] "GET /api/status HTTP/1.0" 200 -
127.0.0.1 - - [01/Dec/2026 17:32:49] "PUT /api/profile HTTP/1.0" 200 -
127.0.0.1 - - [01/Dec/2026 17:32:49] "GET /admin/users HTTP/1.0" 200 -
127.0.0.1 - - [01/Dec/2026 17:32:49] "POST /api/items HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 17:32:49] "POST /api/search HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 17:32:49] "GET /api/submit/ HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 17:32:49] "OPTIONS /api/profile HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 17:32:49] "HEAD /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 17:32:51] "HEAD /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 17:32:53] "HEAD /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 17:32:55] "HEAD /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 17:32:57] "HEAD /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 17:32:59] "OPTIONS /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 17:33:00] "OPTIONS /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 17:33:01] "OPTIONS /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 17:33:03] "OPTIONS /api/status HTTP/1.0" 405 -
`

// The playbook's nginx scenarios on the stock combined log, without --nginx-conf (the
// configuration: location /api/ proxy_pass to the backend; location = /api/submit { return 301
// /api/submit/; }; location = /api/search with proxy_intercept_errors on and error_page 405 =200
// /fallback.json; location /admin/ { limit_except GET { deny all; } proxy_pass …; } and a static
// location /static/). Every verdict was checked by hand against what the servers did.
func TestNginxStockCombined(t *testing.T) {
	args := layerInputs(t, map[string]string{"edge": nginxStockAccess, "app": nginxStockApp})
	r := lt(t, nil, append([]string{"analyze", "-o", "json"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("analyze exit %d: %s", r.code, r.stderr)
	}
	type finding = stockFinding
	var doc struct {
		Summary struct {
			Requests405 int `json:"requests_with_405"`
			NotFour05   int `json:"method_rejections_not_405"`
			Probes      int `json:"monitor_probes"`
		} `json:"summary"`
		Findings []finding `json:"findings"`
		Noise    []finding `json:"noise"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]finding{}
	for _, f := range append(doc.Findings, doc.Noise...) {
		got[f.Method+" "+f.Route] = f
	}
	want := []struct {
		key, origin, cause string
		status, count      int
		masked             int
	}{
		{"POST /api/items", "app", "method_not_routed", 405, 1, 0},        // the backend's 405, relayed
		{"POST /api/search", "app", "method_not_routed", 405, 1, 1},       // error_page 405 =200
		{"GET /api/submit/", "app", "redirect_method_change", 405, 1, 0},  // curl -L after the 301
		{"OPTIONS /api/profile", "app", "cors_preflight", 405, 1, 0},      // Chrome's user agent
		{"POST /admin/users", "edge", "proxy_method_block", 403, 1, 0},    // limit_except
		{"DELETE /admin/users", "edge", "proxy_method_block", 403, 1, 0},  // limit_except
		{"POST /static/app.css", "edge", "proxy_method_block", 405, 1, 0}, // the static-file handler
		{"HEAD /api/status", "app", "monitor_probe", 405, 5, 0},           // Uptime Kuma
		{"OPTIONS /api/status", "app", "monitor_probe", 405, 4, 0},        // kube-probe
	}
	if len(got) != len(want) {
		t.Errorf("%d findings and noise, want %d", len(got), len(want))
	}
	for _, w := range want {
		f, ok := got[w.key]
		if !ok {
			t.Errorf("%s: no finding", w.key)
			continue
		}
		if f.Origin != w.origin || f.Cause != w.cause || f.Status != w.status || f.Count != w.count || f.Masked != w.masked {
			t.Errorf("%s: %s at %s, status %d, %d requests, %d masked; want %s at %s, status %d, %d, %d\nevidence: %s",
				w.key, f.Cause, f.Origin, f.Status, f.Count, f.Masked, w.cause, w.origin, w.status, w.count, w.masked, f.Evidence)
		}
	}
	if doc.Summary.Requests405 != 5 || doc.Summary.NotFour05 != 2 || doc.Summary.Probes != 9 {
		t.Errorf("summary: %d with a 405, %d rejections not 405, %d probes; want 5, 2, 9", doc.Summary.Requests405, doc.Summary.NotFour05, doc.Summary.Probes)
	}
}

// HAProxy 2.6.12 with "option httpchk OPTIONS /api/status" and "check inter 1s" on the server,
// before the backend, which answers OPTIONS there with 405: the check failed, HAProxy took the
// server out and answered every request 503 (the health check requests are in the app's log only).
const healthCheckHAProxy = `Dec  1 18:00:36 web-1 haproxy[10208]: Server be_app/app1 is DOWN, reason: Layer7 wrong status, code: 405, info: "Method Not Allowed", check duration: 6ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.
Dec  1 18:00:36 web-1 haproxy[10208]: backend be_app has no server available!
Dec  1 18:00:42 web-1 haproxy[10208]: 127.0.0.1:52492 [01/Dec/2026:18:00:42.197] fe_main be_app/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 "GET /api/items HTTP/1.1"
Dec  1 18:00:42 web-1 haproxy[10208]: 127.0.0.1:52502 [01/Dec/2026:18:00:42.247] fe_main be_app/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 "POST /api/items HTTP/1.1"
Dec  1 18:01:16 web-1 haproxy[10208]: Proxy fe_main stopped (cumulated conns: FE: 2, BE: 0).
Dec  1 18:01:16 web-1 haproxy[10208]: Proxy be_app stopped (cumulated conns: FE: 0, BE: 2).
Dec  1 18:01:16 web-1 haproxy[10208]: Proxy <HTTPCLIENT> stopped (cumulated conns: FE: 0, BE: 0).
`

const healthCheckApp = `127.0.0.1 - - [01/Dec/2026 18:00:36] "OPTIONS /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 18:00:37] "OPTIONS /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 18:00:38] "OPTIONS /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 18:00:39] "OPTIONS /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 18:00:40] "OPTIONS /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 18:00:41] "OPTIONS /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 18:00:42] "OPTIONS /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 18:00:43] "OPTIONS /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 18:00:44] "OPTIONS /api/status HTTP/1.0" 405 -
127.0.0.1 - - [01/Dec/2026 18:00:45] "OPTIONS /api/status HTTP/1.0" 405 -
`

// The health check's 405s are the app's: every line of HAProxy's log is read or skipped (its
// own "Server … is DOWN" messages), and the fix of OPTIONS with no user agent or Origin logged
// names both senders it may be, the health check included.
func TestHAProxyHealthCheck405(t *testing.T) {
	args := layerInputs(t, map[string]string{"edge": healthCheckHAProxy, "app": healthCheckApp})
	r := lt(t, nil, append([]string{"analyze", "-o", "json", "--strict"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("analyze --strict exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Findings []stockFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 1 {
		t.Fatalf("findings %+v, want one", doc.Findings)
	}
	f := doc.Findings[0]
	if f.Origin != "app" || f.Method != "OPTIONS" || f.Route != "/api/status" || f.Count != 10 {
		t.Errorf("finding %s %s at %s, %d requests; want OPTIONS /api/status at app, 10", f.Method, f.Route, f.Origin, f.Count)
	}
	if !strings.Contains(f.Fix, "health checks (HAProxy's option httpchk sends OPTIONS") || !strings.Contains(f.Fix, "CORS preflights") {
		t.Errorf("fix does not name the health check and the preflight:\n%s", f.Fix)
	}
}

// nginxStockConf is the configuration nginx ran with for nginxStockAccess (its paths moved to
// /srv/edge).
const nginxStockConf = `daemon off;
master_process off;
worker_processes 1;
pid /srv/edge/nginx.pid;
error_log /srv/edge/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    client_body_temp_path /srv/edge/tmp/body;
    proxy_temp_path /srv/edge/tmp/proxy;
    fastcgi_temp_path /srv/edge/tmp/fastcgi;
    uwsgi_temp_path /srv/edge/tmp/uwsgi;
    scgi_temp_path /srv/edge/tmp/scgi;
    access_log /srv/edge/access.log;
    upstream app { server 127.0.0.1:27101; }
    server {
        listen 127.0.0.1:27100;
        server_name localhost;
        root /srv/edge/www;

        location = /api/submit { return 301 /api/submit/; }
        location = /api/search {
            proxy_pass http://app;
            proxy_intercept_errors on;
            error_page 405 =200 /fallback.json;
        }
        location = /fallback.json { }
        location /api/ {
            proxy_pass http://app;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }
        location /admin/ {
            limit_except GET { deny all; }
            proxy_pass http://app;
        }
        location /static/ { }
    }
}
`

// With the configuration, nginx's own 405 for POST /static/app.css is certain and names the
// location that answered (it has no proxy_pass, fallback, rewrite or error_page); without, the
// stock combined log has no upstream field and the verdict is marked uncertain. The other
// findings keep their verdicts (limit_except now named with its line).
func TestNginxStockCombinedWithConf(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"edge.log": nginxStockAccess, "app.log": nginxStockApp, "nginx.conf": nginxStockConf}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, withConf := range []bool{false, true} {
		args := []string{"analyze", "-o", "json", "edge=" + filepath.Join(dir, "edge.log"), "app=" + filepath.Join(dir, "app.log")}
		if withConf {
			args = append(args, "--nginx-conf", filepath.Join(dir, "nginx.conf"))
		}
		r := lt(t, nil, args...)
		if r.code != exitOK {
			t.Fatalf("analyze exit %d: %s", r.code, r.stderr)
		}
		var doc struct {
			Findings []struct {
				stockFinding
				Uncertain int `json:"uncertain"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range doc.Findings {
			switch f.Method + " " + f.Route {
			case "POST /static/app.css":
				n++
				named := strings.Contains(f.Evidence, "location /static/ (nginx.conf:37) hands nothing to a backend")
				if f.Origin != "edge" || f.Cause != "proxy_method_block" || named != withConf || (f.Uncertain == 0) != withConf {
					t.Errorf("--nginx-conf %v: POST /static/app.css %s at %s, %d uncertain\nevidence: %s", withConf, f.Cause, f.Origin, f.Uncertain, f.Evidence)
				}
			case "POST /api/items", "POST /admin/users":
				n++
				if f.Uncertain != 0 || strings.Contains(f.Evidence, "hands nothing") {
					t.Errorf("--nginx-conf %v: %s %s: %d uncertain\nevidence: %s", withConf, f.Method, f.Route, f.Uncertain, f.Evidence)
				}
			}
		}
		if n != 3 {
			t.Errorf("--nginx-conf %v: %d of the 3 findings checked", withConf, n)
		}
	}
}

// layerInputs writes each layer's captured log to a file of its own and returns the inputs that
// name them (layer=path), sorted.
func layerInputs(t *testing.T, logs map[string]string) []string {
	t.Helper()
	dir := t.TempDir()
	var args []string
	for name, data := range logs {
		p := filepath.Join(dir, name+".log")
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, name+"="+p)
	}
	sort.Strings(args)
	return args
}

// With haproxy.cfg, each of HAProxy 2.6.12's own answers names the http-request rule that ran
// (parsers/testdata/proxies/haproxy-rules.cfg: four deny rules, three testing the method): the
// 403 for POST /admin/users is a method rejection because its rule tests the method, though no
// other method ever succeeded on the route; the 403s of the path-only rule are not; the 405s'
// fixes name their rules; the backend's http.server lines "code 404, message …" are skipped,
// not rejected.
func TestHAProxyRulesWithConf(t *testing.T) {
	logs := map[string]string{}
	for name, file := range map[string]string{"haproxy.cfg": "haproxy-rules.cfg", "haproxy.log": "haproxy-rules.log", "app.log": "haproxy-rules-app.log"} {
		logs[name] = fwReadFile(t, "parsers/testdata/proxies/"+file)
	}
	_, got := analyzeStock(t, t.TempDir(), logs, "--haproxy-conf", "haproxy.cfg", "edge=haproxy.log", "app=app.log")
	want := map[string]struct {
		status int
		rule   string // in the fix
	}{
		"POST /admin/users":   {403, "http-request deny if is_admin writes, haproxy.cfg:17"},
		"DELETE /api/reports": {405, "haproxy.cfg:18 (http-request deny deny_status 405 if { path_beg /api/reports } !{ method GET HEAD })"},
		"PATCH /api/items":    {405, "haproxy.cfg:19 (http-request deny deny_status 405 unless METH_GET"},
	}
	if len(got) != len(want) {
		t.Errorf("%d findings, want %d: %v", len(got), len(want), got)
	}
	for key, w := range want {
		f, ok := got[key]
		if !ok {
			t.Errorf("%s: no finding", key)
			continue
		}
		if f.Origin != "edge" || f.Cause != "proxy_method_block" || f.Status != w.status || !strings.Contains(f.Fix, w.rule) {
			t.Errorf("%s: %s at %s, status %d; want proxy_method_block at edge, status %d, a fix naming %q\nfix: %s", key, f.Cause, f.Origin, f.Status, w.status, w.rule, f.Fix)
		}
	}
	r := lt(t, nil, "parse", "-q", "--strict", "app.log")
	if r.code != exitOK || strings.Count(r.stdout, "\n") != 3 {
		t.Errorf("parse --strict of http.server's log: exit %d, %d records (want 3, its code lines skipped)\n%s", r.code, strings.Count(r.stdout, "\n"), r.stderr)
	}
}

// With httpd's configuration, each method refusal Apache httpd 2.4.71 answered itself names the
// directive (parsers/testdata/proxies/apache-rules.conf): <LimitExcept> and Require method 403s
// whose %R says proxy-server (httpd names the handler it gave the request even when access
// control refused it first), mod_allowmethods' 405 (also proxy-server), and a mod_rewrite [F]
// on the method. Without the configuration the first two and the 405 were not httpd's.
func TestApacheRulesWithConf(t *testing.T) {
	logs := map[string]string{}
	for name, file := range map[string]string{"apache2.conf": "apache-rules.conf", "conf-enabled/logging.conf": "conf-enabled/logging.conf",
		"access.log": "apache-rules.log", "app.log": "apache-rules-app.log"} {
		logs[name] = fwReadFile(t, "parsers/testdata/proxies/"+file)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "conf-enabled"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, got := analyzeStock(t, dir, logs, "--apache-conf", "apache2.conf", "edge=access.log", "app=app.log")
	want := map[string]struct {
		status int
		fix    string
	}{
		"POST /admin/":       {403, "<Location /admin> <LimitExcept GET> Require all denied, apache2.conf:28"},
		"POST /reports/":     {403, "<Location /reports> Require method GET HEAD, apache2.conf:33"},
		"POST /api/export/":  {405, "httpd rule at apache2.conf:36 (<Location /api/export> AllowMethods GET)"},
		"DELETE /api/items/": {403, "apache2.conf:25"},
		"PUT /static/a.txt":  {405, "static-file handler"}, // the <Limit PUT> beside Require all granted refused nothing
	}
	if len(got) != len(want) {
		t.Errorf("%d findings, want %d: %v", len(got), len(want), got)
	}
	for key, w := range want {
		f, ok := got[key]
		if !ok {
			t.Errorf("%s: no finding", key)
			continue
		}
		if f.Origin != "edge" || f.Cause != "proxy_method_block" || f.Status != w.status || !strings.Contains(f.Fix, w.fix) {
			t.Errorf("%s: %s at %s, status %d; want proxy_method_block at edge, status %d, a fix naming %q\nfix: %s", key, f.Cause, f.Origin, f.Status, w.status, w.fix, f.Fix)
		}
	}
}

// Caddy 2.6.2 on https://localhost:18443 (tls internal) and http://localhost:18480, each answering
// PUT with its own 405 (parsers/testdata/proxies/Caddyfile-tls): the verify command is sent with
// the scheme the log shows. Before, both were https://, which the plain site does not speak.
func TestCaddyVerifyScheme(t *testing.T) {
	logs := map[string]string{}
	for _, file := range []string{"caddy-tls.log", "caddy-plain.log"} {
		logs[file] = fwReadFile(t, "parsers/testdata/proxies/"+file) // before analyzeStock changes directory
	}
	for file, want := range map[string]string{"caddy-tls.log": "'https://localhost:18443/api/items'",
		"caddy-plain.log": "'http://localhost:18480/api/items'"} {
		_, got := analyzeStock(t, t.TempDir(), map[string]string{"edge.log": logs[file]}, "edge=edge.log")
		f, ok := got["PUT /api/items"]
		if !ok || f.Origin != "edge" || f.Cause != "proxy_method_block" {
			t.Fatalf("%s: %+v", file, got)
		}
		if !strings.Contains(f.Verify, "-X PUT "+want) {
			t.Errorf("%s: verify %q, want the request sent to %s", file, f.Verify, want)
		}
	}
}

// nginx 1.22.1 logging $scheme (parsers/testdata/nginx/scheme): the verify command of a 405 the
// plain-HTTP listener answered is an http:// request. Before, every verify command was https://.
func TestNginxVerifyScheme(t *testing.T) {
	conf := fwReadFile(t, "parsers/testdata/nginx/scheme/nginx.conf")
	lines := strings.Split(strings.TrimSpace(fwReadFile(t, "parsers/testdata/nginx/scheme/access.log")), "\n")
	_, got := analyzeStock(t, t.TempDir(), map[string]string{"nginx.conf": conf, "access.log": strings.Join(lines[2:], "\n") + "\n"},
		"--nginx-conf", "nginx.conf", "edge=access.log")
	f, ok := got["PUT /static/a.txt"]
	if !ok || f.Origin != "edge" {
		t.Fatalf("findings %+v", got)
	}
	if !strings.Contains(f.Verify, "'http://localhost/static/a.txt'") {
		t.Errorf("verify %q, want http://localhost/static/a.txt", f.Verify)
	}
}

// Traefik's JSON access log says whether the client came over TLS (RequestScheme): the verify
// command of a 405 seen through a plain-HTTP entry point is an http:// request.
func TestTraefikVerifyScheme(t *testing.T) {
	line := `{"ClientHost":"203.0.113.9","DownstreamStatus":405,"Duration":2400000,"OriginStatus":405,"RequestHost":"api.example.com","RequestMethod":"DELETE","RequestPath":"/v1/items/7","RequestProtocol":"HTTP/1.1","RequestScheme":"SCHEME","RetryAttempts":0,"RouterName":"api@file","ServiceName":"api@file","ServiceURL":"http://10.0.1.7:8080","StartUTC":"2026-11-24T10:00:00.000000000Z","downstream_Allow":"GET, HEAD","level":"info","msg":"","time":"2026-11-24T10:00:00Z"}`
	for _, scheme := range []string{"http", "https"} {
		_, got := analyzeStock(t, t.TempDir(), map[string]string{"edge.log": strings.ReplaceAll(line, "SCHEME", scheme) + "\n"}, "edge=edge.log")
		f, ok := got["DELETE /v1/items/{id}"]
		if !ok {
			t.Fatalf("%s: findings %+v", scheme, got)
		}
		if want := "'" + scheme + "://api.example.com/v1/items/7'"; !strings.Contains(f.Verify, want) {
			t.Errorf("%s: verify %q, want the request sent to %s", scheme, f.Verify, want)
		}
	}
}
