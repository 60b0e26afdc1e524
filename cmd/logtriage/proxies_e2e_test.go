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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logtriage/logtriage/internal/testproc"
)

// End-to-end tests of the proxies beyond nginx and Envoy: a real Apache httpd, HAProxy and Caddy
// (the Debian packages apache2, haproxy and caddy) run on 127.0.0.1 in front of an in-process
// backend that logs like an application. Each proxy gets three requests: GET (200, relayed), POST
// (405 from the backend, relayed) and PUT (405 the proxy generates itself: mod_rewrite [R=405],
// http-request deny deny_status 405, respond 405). parse must read every line, and analyze must
// attribute the POST's 405 to the app and the PUT's to the proxy. A proxy that is not installed
// is skipped with the package to install.
//
// go test ./cmd/logtriage -run TestProxiesEndToEnd -update-proxies rewrites samples/proxies from
// a fresh run.

var updateProxies = flag.Bool("update-proxies", false, "rewrite samples/proxies from a fresh end-to-end run")

// e2eBackend is the application behind the proxy: GET answers 200, POST and DELETE 405 with an
// Allow header; every request is logged as a JSON line with its X-Request-ID.
type e2eBackend struct {
	mu  sync.Mutex
	log *os.File
	srv *http.Server
	ln  net.Listener
}

func startBackend(t *testing.T, logPath string) *e2eBackend {
	t.Helper()
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &e2eBackend{log: f, ln: ln}
	b.srv = &http.Server{Handler: http.HandlerFunc(b.serve), ReadHeaderTimeout: 5 * time.Second}
	go b.srv.Serve(ln)
	t.Cleanup(func() { b.srv.Close(); f.Close() })
	return b
}

func (b *e2eBackend) addr() string { return b.ln.Addr().String() }

func (b *e2eBackend) serve(w http.ResponseWriter, r *http.Request) {
	status := http.StatusOK
	body := "items\n"
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		status, body = http.StatusMethodNotAllowed, "method not allowed by the app\n"
		w.Header().Set("Allow", "GET, HEAD")
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
	line, _ := json.Marshal(map[string]any{
		"time": time.Now().UTC().Format(time.RFC3339Nano), "level": "info", "msg": "request",
		"method": r.Method, "path": r.URL.Path, "status": status, "request_id": r.Header.Get("X-Request-ID"),
		"duration_ms": 0.1,
	})
	b.mu.Lock()
	b.log.Write(append(line, '\n'))
	b.mu.Unlock()
}

// e2eProxy describes how to run one proxy.
type e2eProxy struct {
	name, pkg, bin string
	format         string // the format parse must report
	flags          func(dir string) []string
	config         func(dir string, port int, backend string) (args []string, files map[string]string)
	log            string // access log file, relative to dir
}

var e2eProxies = []e2eProxy{
	{name: "apache", pkg: "apache2", bin: "apache2", format: "apache", log: "access.log",
		flags: func(dir string) []string { return []string{"--apache-conf", filepath.Join(dir, "apache2.conf")} },
		config: func(dir string, port int, backend string) ([]string, map[string]string) {
			conf := fmt.Sprintf(`# httpd for logtriage's end-to-end test (cmd/logtriage/proxies_e2e_test.go):
# mod_proxy in front of the backend, mod_rewrite answering PUT with 405 itself.
ServerRoot %[1]s
ServerName localhost
PidFile %[1]s/httpd.pid
Listen 127.0.0.1:%[2]d
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
ErrorLog %[1]s/error.log
IncludeOptional conf-enabled/*.conf
RewriteEngine on
RewriteCond %%{REQUEST_METHOD} =PUT
RewriteRule ^/items - [R=405]
ProxyPass /items http://%[3]s/items
`, dir, port, backend)
			logging := fmt.Sprintf(`LogFormat "%%h %%l %%u %%t \"%%r\" %%>s %%b \"%%{Referer}i\" \"%%{User-Agent}i\" %%D \"%%{X-Request-ID}i\" \"%%{Allow}o\" %%R" triage
CustomLog %s/access.log triage
`, dir)
			return []string{"-f", filepath.Join(dir, "apache2.conf"), "-X"},
				map[string]string{"apache2.conf": conf, "conf-enabled/logging.conf": logging}
		}},
	{name: "haproxy", pkg: "haproxy", bin: "haproxy", format: "haproxy", log: "haproxy.log",
		config: func(dir string, port int, backend string) ([]string, map[string]string) {
			conf := fmt.Sprintf(`# HAProxy for logtriage's end-to-end test (cmd/logtriage/proxies_e2e_test.go): a rule that
# answers PUT with 405 itself, everything else relayed. Logs to stdout with an RFC 3164 header.
global
	log stdout format rfc3164 local0

defaults
	mode http
	log global
	option httplog
	timeout connect 2s
	timeout client 5s
	timeout server 5s

frontend fe_main
	bind 127.0.0.1:%d
	capture request header X-Request-ID len 64
	http-request deny deny_status 405 if { method PUT }
	default_backend be_app

backend be_app
	server app1 %s
`, port, backend)
			return []string{"-db", "-f", filepath.Join(dir, "haproxy.cfg")}, map[string]string{"haproxy.cfg": conf}
		}},
	{name: "caddy", pkg: "caddy", bin: "caddy", format: "caddy", log: "access.log",
		config: func(dir string, port int, backend string) ([]string, map[string]string) {
			conf := fmt.Sprintf(`# Caddy for logtriage's end-to-end test (cmd/logtriage/proxies_e2e_test.go): respond 405 to
# PUT, reverse_proxy the rest.
{
	admin off
	auto_https off
}
http://127.0.0.1:%d {
	bind 127.0.0.1
	log {
		output file %s/access.log
		format json
	}
	@put method PUT
	respond @put "caddy denies PUT" 405
	reverse_proxy %s
}
`, port, dir, backend)
			return []string{"run", "--config", filepath.Join(dir, "Caddyfile"), "--adapter", "caddyfile"}, map[string]string{"Caddyfile": conf}
		}},
}

func TestProxiesEndToEnd(t *testing.T) {
	t.Parallel() // in process, no globals; runs beside the other slow tests
	if testing.Short() {
		t.Skip("starts real proxies")
	}
	for _, px := range e2eProxies {
		px := px
		t.Run(px.name, func(t *testing.T) {
			bin := testproc.Binary(px.bin)
			if bin == "" {
				t.Skipf("%s is not installed: apt-get install %s", px.bin, px.pkg)
			}
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "conf-enabled"), 0o755)
			backend := startBackend(t, filepath.Join(dir, "app.json"))
			port := testproc.FreePort(t)
			args, files := px.config(dir, port, backend.addr())
			for name, data := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(bin, args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir, "TZ=UTC")
			stdout, err := os.Create(filepath.Join(dir, "stdout.log"))
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdout, cmd.Stderr = stdout, stdout
			if px.name == "haproxy" {
				out, err := os.Create(filepath.Join(dir, px.log))
				if err != nil {
					t.Fatal(err)
				}
				cmd.Stdout = out
			}
			if err := cmd.Start(); err != nil {
				t.Fatalf("starting %s: %v", px.bin, err)
			}
			stopped := false
			stop := func() {
				if !stopped {
					stopped = true
					testproc.Stop(cmd)
				}
			}
			t.Cleanup(stop)
			base := fmt.Sprintf("http://127.0.0.1:%d", port)
			testproc.WaitPort(t, port, "the proxy", filepath.Join(dir, "stdout.log"))
			ids := map[string]string{}
			client := &http.Client{Timeout: 5 * time.Second}
			for i, m := range []string{"GET", "POST", "PUT"} {
				id := fmt.Sprintf("%08x-0000-4000-8000-%012x", port, i)
				ids[m] = id
				req, _ := http.NewRequest(m, base+"/items", nil)
				req.Header.Set("X-Request-ID", id)
				req.Header.Set("User-Agent", "logtriage-e2e/1.0")
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("%s %s: %v", m, base, err)
				}
				resp.Body.Close()
				want := map[string]int{"GET": 200, "POST": 405, "PUT": 405}[m]
				if resp.StatusCode != want {
					t.Fatalf("%s /items: %d, want %d", m, resp.StatusCode, want)
				}
			}
			time.Sleep(300 * time.Millisecond) // access logs are written after the response
			stop()
			logPath := filepath.Join(dir, px.log)
			appPath := filepath.Join(dir, "app.json")

			// parse reads every line of the proxy's log, in the proxy's format.
			var flags []string
			if px.flags != nil {
				flags = px.flags(dir)
			}
			r := lt(t, nil, append(append([]string{"parse", "--strict"}, flags...), "edge="+logPath)...)
			if r.code != 0 {
				data, _ := os.ReadFile(logPath)
				t.Fatalf("parse exit %d\n%s\nlog:\n%s", r.code, r.stderr, data)
			}
			var n405 int
			for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				var rec struct {
					Format string `json:"format"`
					Status int    `json:"status"`
				}
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("parse output %q: %v", line, err)
				}
				if rec.Format != px.format {
					t.Errorf("format %q, want %q", rec.Format, px.format)
				}
				if rec.Status == 405 {
					n405++
				}
			}
			if n405 != 2 {
				t.Errorf("%d records with 405, want 2:\n%s", n405, r.stdout)
			}

			// analyze: the POST's 405 came from the app, the PUT's from the proxy.
			r = lt(t, nil, append(append([]string{"analyze", "--output", "json", "--requests"}, flags...), "edge="+logPath, "app="+appPath)...)
			if r.code != 0 {
				t.Fatalf("analyze exit %d\n%s", r.code, r.stderr)
			}
			var doc struct {
				Requests []requestVerdict `json:"requests"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatal(err)
			}
			origin := map[string]string{}
			for _, q := range doc.Requests {
				origin[q.IDs.RequestID] = q.Origin
			}
			if o := origin[ids["POST"]]; o != "app" {
				t.Errorf("POST 405 attributed to %q, want app\n%s", o, r.stdout)
			}
			if o := origin[ids["PUT"]]; o != "edge" {
				t.Errorf("PUT 405 attributed to %q, want edge (the %s itself)\n%s", o, px.name, r.stdout)
			}
			if *updateProxies {
				saveProxySample(t, px, dir, files)
			}
		})
	}
}

// saveProxySample copies a run's logs and configuration to samples/proxies/<name>.
func saveProxySample(t *testing.T, px e2eProxy, dir string, files map[string]string) {
	dst := filepath.Join("samples", "proxies", px.name)
	os.MkdirAll(filepath.Join(dst, "conf-enabled"), 0o755)
	copyFile := func(from, to string) {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		data = []byte(strings.ReplaceAll(string(data), dir, "/srv/"+px.name))
		if err := os.WriteFile(filepath.Join(dst, to), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(filepath.Join(dir, px.log), px.log)
	copyFile(filepath.Join(dir, "app.json"), "app.json")
	for name := range files {
		copyFile(filepath.Join(dir, name), name)
	}
}
