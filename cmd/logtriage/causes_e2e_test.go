package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logtriage/logtriage/internal/testproc"
)

// The causes of issue 15 end to end (analysis/causes_more.go): a real nginx (Debian package
// nginx) on 127.0.0.1 in front of an in-process backend, request ids forwarded, produces
//
//   - POST /api/orders → 301 (trailing slash) → the client's GET /api/orders/ → 405 at the app:
//     redirect_method_change;
//   - POST /v1/upload falling through try_files to /index.html: static_fallthrough at nginx;
//   - HEAD /api/status from UptimeRobot to a GET-only route: monitor_probe, noise;
//   - POST /admin/users refused by limit_except with 403: proxy_method_block, status 403;
//   - a client that really sends GET to the POST-only /api/submit: method_not_routed;
//
// and analyze must name each with the right cause and origin. samples/causes holds the logs of
// one run and its answer key (expected.json), checked by TestCausesSample without nginx;
// go test ./cmd/logtriage -run TestCausesEndToEnd -update-causes rewrites it.

var updateCauses = flag.Bool("update-causes", false, "rewrite samples/causes from a fresh end-to-end run with nginx")

// causeWant is one line of samples/causes/expected.json.
type causeWant struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Origin string `json:"origin_layer"`
	Cause  string `json:"cause"`
	Status int    `json:"status"` // what refused the method: 405 or another status
	Noise  bool   `json:"noise,omitempty"`
	Count  int    `json:"count"`
	Why    string `json:"why"`
}

var causesExpected = []causeWant{
	{"GET", "/api/orders/", "app", "redirect_method_change", 405, false, 1, "POST /api/orders got 301 to /api/orders/; the client repeated it as GET"},
	{"POST", "/v1/upload", "edge", "static_fallthrough", 405, false, 1, "no /v1/ location: try_files fell back to /index.html and nginx's static handler refused POST"},
	{"HEAD", "/api/status", "app", "monitor_probe", 405, true, 3, "UptimeRobot probes a GET-only route with HEAD"},
	{"POST", "/admin/users", "edge", "proxy_method_block", 403, false, 1, "location /admin/ has limit_except GET { deny all; }"},
	{"GET", "/api/submit", "app", "method_not_routed", 405, false, 1, "legacy-client really sends GET to a POST-only route"},
}

// causesBackend is the application: a trailing-slash redirect, POST-only and GET-only routes,
// one JSON line per request with the X-Request-ID nginx forwards.
type causesBackend struct {
	mu  sync.Mutex
	log *os.File
	ln  net.Listener
}

func (b *causesBackend) serve(w http.ResponseWriter, r *http.Request) {
	status, allow, loc := http.StatusOK, "", ""
	switch p := r.URL.Path; {
	case p == "/api/orders":
		status, loc = http.StatusMovedPermanently, "/api/orders/" // a framework's append-slash redirect
	case p == "/api/orders/" || p == "/api/submit":
		if r.Method == http.MethodPost {
			status = http.StatusCreated
		} else {
			status, allow = http.StatusMethodNotAllowed, "POST"
		}
	case p == "/api/status":
		if r.Method != http.MethodGet {
			status, allow = http.StatusMethodNotAllowed, "GET" // no HEAD handler
		}
	case strings.HasPrefix(p, "/admin/"):
		if r.Method != http.MethodGet {
			status = http.StatusCreated
		}
	default:
		status = http.StatusNotFound
	}
	if allow != "" {
		w.Header().Set("Allow", allow)
	}
	if loc != "" {
		w.Header().Set("Location", loc)
	}
	w.WriteHeader(status)
	line, _ := json.Marshal(map[string]any{
		"time": time.Now().UTC().Format(time.RFC3339Nano), "level": "info", "msg": "request",
		"method": r.Method, "path": r.URL.Path, "status": status, "request_id": r.Header.Get("X-Request-ID"),
		"client_ip": r.Header.Get("X-Forwarded-For"), "user_agent": r.UserAgent(), "allow": allow, "duration_ms": 0.2,
	})
	b.mu.Lock()
	b.log.Write(append(line, '\n'))
	b.mu.Unlock()
}

// causesNginxConf is the nginx configuration: /api/ and /admin/ proxied (request id forwarded),
// /admin/ limited to GET, everything else a SPA fallback.
func causesNginxConf(dir string, port int, backend string) string {
	return fmt.Sprintf(`# nginx for logtriage's end-to-end test of issue 15 (cmd/logtriage/causes_e2e_test.go).
daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 64; }
http {
    client_body_temp_path %[1]s/tmp/body;
    proxy_temp_path %[1]s/tmp/proxy;
    fastcgi_temp_path %[1]s/tmp/fastcgi;
    uwsgi_temp_path %[1]s/tmp/uwsgi;
    scgi_temp_path %[1]s/tmp/scgi;
    log_format triage '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                      '"$http_referer" "$http_user_agent" rt=$request_time rid=$request_id '
                      'us="$upstream_status" ua="$upstream_addr" uri="$uri" allow="$sent_http_allow"';
    access_log %[1]s/edge.log triage;
    upstream app { server %[3]s; }
    server {
        listen 127.0.0.1:%[2]d;
        root %[1]s/www;
        location /api/ {
            proxy_pass http://app;
            proxy_set_header X-Request-ID $request_id;
            proxy_set_header X-Forwarded-For $remote_addr;
        }
        location /admin/ {
            limit_except GET { deny all; }
            proxy_pass http://app;
            proxy_set_header X-Request-ID $request_id;
            proxy_set_header X-Forwarded-For $remote_addr;
        }
        location / {
            try_files $uri $uri/ /index.html;
        }
    }
}
`, dir, port, backend)
}

func TestCausesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real nginx")
	}
	bin := testproc.Binary("nginx")
	if bin == "" {
		t.Skip("nginx is not installed: apt-get install nginx (Debian package nginx)")
	}
	dir := t.TempDir()
	for _, d := range []string{"www", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "www", "index.html"), []byte("<!doctype html><title>shop</title>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	appLog, err := os.Create(filepath.Join(dir, "app.json"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	be := &causesBackend{log: appLog, ln: ln}
	srv := &http.Server{Handler: http.HandlerFunc(be.serve), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); appLog.Close() })

	port := testproc.FreePort(t)
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(causesNginxConf(dir, port, ln.Addr().String())), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", conf)
	out, err := os.Create(filepath.Join(dir, "stdout.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		testproc.Stop(cmd)
	}
	t.Cleanup(stop)
	testproc.WaitPort(t, port, "nginx", filepath.Join(dir, "stdout.log"), filepath.Join(dir, "error.log"))

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: 5 * time.Second} // follows a 301 after POST with GET, as browsers and most clients do
	send := func(method, path, ua string, want int) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(""))
		req.Header.Set("User-Agent", ua)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d", method, path, resp.StatusCode, want)
		}
	}
	const uptime = "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"
	send("GET", "/api/status", "shop-web/2.3", 200)
	send("POST", "/api/submit", "shop-web/2.3", 201)
	send("GET", "/admin/users", "admin-tool/3.0", 200)
	send("POST", "/api/orders", "orders-cli/2.1", 405) // 301, then GET /api/orders/ → 405
	send("POST", "/v1/upload", "uploader/1.0", 405)
	send("POST", "/admin/users", "admin-tool/3.0", 403)
	send("GET", "/api/submit", "legacy-client/0.9", 405)
	for i := 0; i < 3; i++ {
		send("HEAD", "/api/status", uptime, 405)
	}
	time.Sleep(300 * time.Millisecond) // access logs are written after the response
	stop()

	args := []string{"--nginx-conf", conf, "edge=" + filepath.Join(dir, "edge.log"), "app=" + filepath.Join(dir, "app.json")}
	checkCauses(t, args)
	if *updateCauses {
		saveCausesSample(t, dir)
	}
}

// TestCausesSample checks the answer key of samples/causes (one run of TestCausesEndToEnd).
func TestCausesSample(t *testing.T) {
	data, err := os.ReadFile("samples/causes/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var want []causeWant
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(want) != fmt.Sprint(causesExpected) {
		t.Fatalf("samples/causes/expected.json differs from causesExpected: rerun with -update-causes")
	}
	checkCauses(t, []string{"--nginx-conf", "samples/causes/nginx.conf", "edge=samples/causes/edge.log", "app=samples/causes/app.json"})
}

// checkCauses runs analyze on the logs and compares every finding, noise included, with
// causesExpected; then the monitors counted in with --include-monitors, and the text report.
func checkCauses(t *testing.T, args []string) {
	t.Helper()
	r := lt(t, nil, append([]string{"analyze", "--output", "json", "--requests"}, args...)...)
	if r.code != 0 {
		t.Fatalf("analyze exit %d\n%s", r.code, r.stderr)
	}
	type finding struct {
		Origin   string `json:"origin_layer"`
		Cause    string `json:"cause"`
		Method   string `json:"method"`
		Route    string `json:"route"`
		Count    int    `json:"count"`
		Status   int    `json:"status"`
		Evidence string `json:"evidence"`
		Fix      string `json:"fix"`
		Verify   string `json:"verify"`
		Examples []struct {
			Chain string `json:"chain"`
		} `json:"examples"`
	}
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
	var keys []string
	for _, set := range [][]finding{doc.Findings, doc.Noise} {
		for _, f := range set {
			k := f.Method + " " + f.Route
			got[k] = f
			keys = append(keys, k+" "+f.Cause)
		}
	}
	sort.Strings(keys)
	for _, w := range causesExpected {
		f, ok := got[w.Method+" "+w.Path]
		if !ok {
			t.Errorf("%s %s: no finding (%s); findings: %v", w.Method, w.Path, w.Why, keys)
			continue
		}
		if f.Cause != w.Cause || f.Origin != w.Origin || f.Status != w.Status || f.Count != w.Count {
			t.Errorf("%s %s: %s at %s, status %d, %d requests; want %s at %s, status %d, %d (%s)\nevidence: %s",
				w.Method, w.Path, f.Cause, f.Origin, f.Status, f.Count, w.Cause, w.Origin, w.Status, w.Count, w.Why, f.Evidence)
		}
		if f.Evidence == "" || f.Fix == "" || f.Verify == "" {
			t.Errorf("%s %s: evidence, fix or verify missing: %+v", w.Method, w.Path, f)
		}
		inNoise := false
		for _, n := range doc.Noise {
			inNoise = inNoise || n.Method == w.Method && n.Route == w.Path
		}
		if inNoise != w.Noise {
			t.Errorf("%s %s: in noise %v, want %v", w.Method, w.Path, inNoise, w.Noise)
		}
		switch w.Cause {
		case "redirect_method_change":
			// The pair: the POST that got the 301, then the GET.
			if len(f.Examples) == 0 || !strings.Contains(f.Examples[0].Chain, "POST /api/orders: ") || !strings.Contains(f.Examples[0].Chain, "301") {
				t.Errorf("redirect example chain does not show the pair: %+v", f.Examples)
			}
			if !strings.HasPrefix(f.Verify, "curl -i -X POST ") || !strings.HasSuffix(f.Verify, "/api/orders'") {
				t.Errorf("verify %q: want curl -i -X POST on the original URL", f.Verify)
			}
		case "proxy_method_block":
			if !strings.Contains(f.Evidence, "limit_except GET HEAD") || !strings.Contains(f.Evidence, "nginx.conf:") {
				t.Errorf("limit_except evidence does not name the rule: %s", f.Evidence)
			}
		}
	}
	if doc.Summary.Requests405 != 3 || doc.Summary.NotFour05 != 1 || doc.Summary.Probes != 3 {
		t.Errorf("summary: %d with a 405, %d rejections not 405, %d monitor probes; want 3, 1, 3", doc.Summary.Requests405, doc.Summary.NotFour05, doc.Summary.Probes)
	}

	// --include-monitors: the probes are findings, counted with the 405s, and seen by --fail-on.
	r = lt(t, nil, append([]string{"analyze", "--output", "json", "--include-monitors", "--fail-on", "monitor_probe"}, args...)...)
	if r.code != exitFindings {
		t.Errorf("--include-monitors --fail-on monitor_probe: exit %d, want %d\n%s", r.code, exitFindings, r.stderr)
	}
	if r = lt(t, nil, append([]string{"analyze", "--fail-on", "monitor_probe"}, args...)...); r.code != 0 {
		t.Errorf("--fail-on monitor_probe without --include-monitors: exit %d, want 0 (probes are noise)\n%s", r.code, r.stderr)
	}
}

func saveCausesSample(t *testing.T, dir string) {
	t.Helper()
	const to = "samples/causes"
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"nginx.conf", "edge.log", "app.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		data = []byte(strings.ReplaceAll(string(data), dir, "/srv/causes"))
		if err := os.WriteFile(filepath.Join(to, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	key, _ := json.MarshalIndent(causesExpected, "", "  ")
	if err := os.WriteFile(filepath.Join(to, "expected.json"), append(key, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCausesIIS: IIS W3C logs are detected without flags, and the WebDAV module's 405s to PUT
// and DELETE are webdav_intercept (samples/causes/iis/u_ex261201.log).
func TestCausesIIS(t *testing.T) {
	r := lt(t, nil, "analyze", "--output", "json", "samples/causes/iis/u_ex261201.log")
	if r.code != 0 {
		t.Fatalf("analyze exit %d\n%s", r.code, r.stderr)
	}
	var doc struct {
		Findings []struct {
			Origin   string `json:"origin_layer"`
			Cause    string `json:"cause"`
			Method   string `json:"method"`
			Route    string `json:"route"`
			Evidence string `json:"evidence"`
			Fix      string `json:"fix"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range doc.Findings {
		got[f.Method+" "+f.Route] = f.Origin + " " + f.Cause
		if !strings.Contains(f.Fix, "WebDAVModule") {
			t.Errorf("%s %s: fix does not name the WebDAV module: %s", f.Method, f.Route, f.Fix)
		}
	}
	want := map[string]string{"PUT /api/items/{id}": "iis webdav_intercept", "DELETE /api/items/{id}": "iis webdav_intercept"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}
