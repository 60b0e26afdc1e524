package main

import (
	"encoding/json"
	"os"
	"path/filepath"
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
	Evidence     string `json:"evidence"`
	Fix          string `json:"fix"`
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
		if w.origin == "edge" && (strings.Contains(f.Evidence, "nginx") || strings.Contains(f.Fix, "nginx")) {
			t.Errorf("%s: Apache's finding names nginx\nevidence: %s\nfix: %s", w.key, f.Evidence, f.Fix)
		}
	}
}
