package parsers

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serverLogLines returns the non-blank lines of a file of parsers/testdata.
func serverLogLines(t *testing.T, name string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// TestServerLogLines: every line the servers wrote to their own logs (real captures) is
// recognised, and no access line of any format in testdata is.
func TestServerLogLines(t *testing.T) {
	for file, kind := range map[string]string{
		"serverlogs/nginx-error.log":  "nginx error log",
		"serverlogs/apache-error.log": "Apache httpd error log",
	} {
		for _, l := range serverLogLines(t, file) {
			if got := serverLogLine(l); got != kind {
				t.Errorf("%s: %q is %q, want %q", file, l, got, kind)
			}
		}
	}
	gunicorn := 0
	for _, l := range serverLogLines(t, "frameworks/gunicorn.log") {
		if bytes.Contains(l, []byte("] [INFO] ")) {
			gunicorn++
			if got := serverLogLine(l); got != "gunicorn error log" {
				t.Errorf("gunicorn: %q is %q", l, got)
			}
		} else if got := serverLogLine(l); got != "" {
			t.Errorf("gunicorn access line %q taken for the %s", l, got)
		}
	}
	if gunicorn == 0 {
		t.Fatal("no gunicorn error line in frameworks/gunicorn.log")
	}
	for _, l := range [][]byte{
		[]byte(`[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test`),
		[]byte(`[Fri Dec 01 09:00:00.000001 2026] [authz_core:trace3] [pid 7] authz_core.c(817): AH01626: authorization result of Require all granted: granted`),
		[]byte(`2026/11/24 10:00:00 [warn] 7#7: *1 an upstream response is buffered to a temporary file`),
		// httpd's stderr before its error log is open: the first lines of an httpd container.
		[]byte(`AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 172.17.0.2. Set the 'ServerName' directive globally to suppress this message`),
		[]byte(`AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using 10.1.0.9. Set the 'ServerName' directive globally to suppress this message`),
	} {
		if serverLogLine(l) == "" {
			t.Errorf("%q not recognised", l)
		}
	}
	// Access lines of every format, and near misses.
	files, _ := filepath.Glob("testdata/*/*.log")
	files = append(files, "testdata/serverlogs/nginx-access.log")
	for _, f := range files {
		if strings.Contains(f, "serverlogs/") && !strings.HasSuffix(f, "access.log") || strings.Contains(f, "gunicorn") {
			continue
		}
		for _, l := range serverLogLines(t, strings.TrimPrefix(f, "testdata/")) {
			if got := serverLogLine(l); got != "" {
				t.Errorf("%s: %q taken for the %s", f, l, got)
			}
		}
	}
	for _, l := range []string{
		`2026/11/24 10:00:00 [fatal] 7#7: x`,      // no such nginx level
		`2026/11/24 10:00:00 [error] 7: x`,        // no thread id
		`2026-11-24 10:00:00 [error] 7#7: x`,      // dashes
		`[Wed Oct 11 14:32:52 2000] error client`, // no brackets
		`[Xyz Oct 11 14:32:52 2000] [error] x`,
		`[2026-11-24 10:00:00 +0000] [7] [info] x`, // gunicorn writes levels upper case
		`[2026-11-24 10:00:00 +0000] "GET / HTTP/1.1" 200`,
		`AH0055: x`, `AH00558:x`, `AHA0558: x`,
		``, `[`, `2026/`,
	} {
		if got := serverLogLine([]byte(l)); got != "" {
			t.Errorf("%q taken for the %s", l, got)
		}
	}
}

// TestServerLogsSkipped: /var/log/nginx read whole (an access log and the error log), a
// container's output interleaving them, and error logs alone: the error lines are skipped, never
// rejected, and an input holding nothing else is read as such a log with a note.
func TestServerLogsSkipped(t *testing.T) {
	dir := t.TempDir()
	access := serverLogLines(t, "serverlogs/nginx-access.log")
	errs := serverLogLines(t, "serverlogs/nginx-error.log")
	write := func(name string, lines [][]byte) Input {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, append(bytes.Join(lines, []byte("\n")), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return Input{Name: p, Path: p}
	}
	var mixed, docker [][]byte
	for i, l := range errs {
		mixed = append(mixed, l)
		if i < len(access) {
			mixed = append(mixed, access[i])
		}
	}
	for i, l := range mixed {
		stream := "stdout"
		if serverLogLine(l) != "" {
			stream = "stderr"
		}
		docker = append(docker, fmt.Appendf(nil, `{"log":%q,"stream":%q,"time":"2026-12-01T23:55:%02d.000000001Z"}`, string(l)+"\n", stream, i%60))
	}
	for _, c := range []struct {
		in                     Input
		format, note           string
		parsed, skipped, lines int64
	}{
		{write("access.log", access), FormatNginx, "", 6, 0, 6},
		{write("error.log", errs), FormatNginx, "it is an nginx error log, which holds no access records: its lines are skipped", 0, 27, 27},
		{write("apache-error.log", serverLogLines(t, "serverlogs/apache-error.log")), FormatApache, "it is an Apache httpd error log, which holds no access records: its lines are skipped", 0, 8, 8},
		{write("mixed.log", mixed), FormatNginx, "", 6, 27, 33},
		{write("container.log", docker), FormatNginx, "", 6, 27, 33},
	} {
		o, err := (&Config{}).OpenInput(c.in)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(c.in.Path), err)
			continue
		}
		var parsed int64
		st := o.Scan(0, func(r *Record, _ *Batch) {
			if r.Status == 0 || r.Method == "" {
				t.Errorf("%s: a record without a status or method: %+v", filepath.Base(c.in.Path), r)
			}
			parsed++
		}, nil)
		if st.Format != c.format || st.Note != c.note || st.Parsed != c.parsed || parsed != c.parsed || st.Skipped != c.skipped ||
			st.Read != c.lines || st.Rejected != 0 || st.Err != "" {
			t.Errorf("%s: %+v, want format %s, %d parsed, %d skipped of %d lines, note %q", filepath.Base(c.in.Path), st, c.format, c.parsed, c.skipped, c.lines, c.note)
		}
	}
	// An input of neither kind still fails detection, saying what to do.
	if _, err := (&Config{}).OpenInput(write("other.log", [][]byte{[]byte("hello"), []byte("world")})); err == nil || !strings.Contains(err.Error(), "cannot tell the format") {
		t.Errorf("other.log: %v", err)
	}
}

func FuzzServerLogLine(f *testing.F) {
	for _, name := range []string{"serverlogs/nginx-error.log", "serverlogs/apache-error.log", "frameworks/gunicorn.log", "serverlogs/nginx-access.log"} {
		b, _ := os.ReadFile(filepath.Join("testdata", name))
		for _, l := range bytes.Split(b, []byte("\n")) {
			f.Add(l)
		}
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		kind := serverLogLine(line)
		if kind != "" && serverLogNames[kind] == "" {
			t.Fatalf("kind %q has no name", kind)
		}
		if got := serverLogSample([][]byte{line}); got != kind {
			t.Fatalf("sample of one line: %q, the line %q", got, kind)
		}
		// Skipped, never rejected, by the parser of such an input.
		err := serverLog{kind}.Parse(line, &Record{})
		if (kind != "") != (err == ErrNotAccess) {
			t.Fatalf("kind %q, Parse %v", kind, err)
		}
	})
}

// TestIngressNginxControllerLines: an ingress-nginx pod's output interleaves the controller's
// klog lines and start-up banner with nginx's access and error lines (lines as the controller
// and nginx write them): the controller's lines are recognised, the access lines are not.
func TestIngressNginxControllerLines(t *testing.T) {
	for _, l := range []string{
		"-------------------------------------------------------------------------------",
		"NGINX Ingress controller",
		"  Release:       v1.6.4",
		"  Build:         69e8833858fb6bda12a44990f1d5eaa7b13f4b75",
		"  Repository:    https://github.com/kubernetes/ingress-nginx",
		"  nginx version: nginx/1.21.6",
		"I0306 22:56:26.243886       8 main.go:227] Creating API client for https://10.0.0.1:443",
		`I1104 19:11:40.426470       1 client.go:69] success, version 1 ensured. iterations: 5. took: 125ms`,
		`W1124 10:00:00.000001      12 controller.go:1234] Service "default/app" does not have any active Endpoint.`,
		`E1124 10:00:00.000001       7 queue.go:78] "requeuing" err="x"`,
		"2018/11/04 19:11:40 [notice] 16#16: gracefully shutting down",
	} {
		if serverLogLine([]byte(l)) == "" {
			t.Errorf("%q not recognised", l)
		}
	}
	for _, l := range []string{
		`10.244.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.0" 76 0.001 [default-app-80] [] 10.244.0.7:80 612 0.001 200 5f3c1b2a`,
		"I0306 22:56:26.243886       8 main.go 227] no colon",
		"X0306 22:56:26.243886       8 main.go:227] bad level",
		"I0306 22:56:26       8 main.go:227] no microseconds",
		"----",
		"  Release notes",
	} {
		if got := serverLogLine([]byte(l)); got != "" {
			t.Errorf("%q taken for the %s", l, got)
		}
	}
}

// TestIngressNginxPodLog: kubectl logs of an ingress-nginx controller, plain and in Docker's
// json-file wrapper: more than a sample's worth of banner and klog lines first, then nginx's
// error and access lines (ingress-nginx's upstreaminfo lines of fidelity_test.go). Detection
// passes over the controller's lines to the access lines, which are all parsed; the rest is
// skipped, none rejected.
func TestIngressNginxPodLog(t *testing.T) {
	controller := []string{
		"-------------------------------------------------------------------------------",
		"NGINX Ingress controller",
		"  Release:       v1.6.4",
		"  Build:         69e8833858fb6bda12a44990f1d5eaa7b13f4b75",
		"  Repository:    https://github.com/kubernetes/ingress-nginx",
		"  nginx version: nginx/1.21.6",
		"-------------------------------------------------------------------------------",
	}
	for i := 0; i < 30; i++ {
		controller = append(controller, fmt.Sprintf("I0306 22:56:%02d.243886       8 main.go:%d] Creating API client for https://10.0.0.1:443", i, 200+i))
	}
	controller = append(controller, "2018/11/04 19:11:40 [notice] 16#16: using the \"epoll\" event method")
	lines := append(append([]string(nil), controller...), beatsIngressLines...)
	var docker []string
	for i, l := range lines {
		docker = append(docker, fmt.Sprintf(`{"log":%q,"stream":"stdout","time":"2026-11-24T10:00:%02d.000000001Z"}`, l+"\n", i%60))
	}
	dir := t.TempDir()
	for name, ls := range map[string][]string{"controller.log": lines, "controller-docker.log": docker} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(ls, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		o, err := (&Config{}).OpenInput(Input{Name: name, Path: p})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		st := o.Scan(0, func(*Record, *Batch) {}, nil)
		if st.Format != FormatNginx || st.Parsed != int64(len(beatsIngressLines)) || st.Skipped != int64(len(controller)) || st.Rejected != 0 {
			t.Errorf("%s: read as %s: %+v", name, o.Resolved.Variant, st)
		}
	}
}

// TestSyslogAccessLines: nginx's access and error logs sent to syslog (a real nginx 1.22.1's
// datagrams, in rsyslog's traditional file format, the first ones without a host name), and the
// same lines behind journald's ISO prefix: the access lines are read past the prefix (not as
// httpd's vhost_combined, which took the host name for the client), the error lines skipped.
func TestSyslogAccessLines(t *testing.T) {
	lines := serverLogLines(t, "serverlogs/nginx-syslog.log")
	var iso [][]byte
	for _, l := range lines {
		_, rest, _ := bytes.Cut(l, []byte(" nginx: "))
		iso = append(iso, append([]byte("2026-12-02T00:48:02.123456+00:00 vm nginx: "), rest...))
	}
	dir := t.TempDir()
	for name, ls := range map[string][][]byte{"syslog.log": lines, "journal.log": iso} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, append(bytes.Join(ls, []byte("\n")), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		o, err := (&Config{}).OpenInput(Input{Name: name, Path: p})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		st := o.Scan(0, func(r *Record, _ *Batch) {
			got = append(got, fmt.Sprintf("%s %s %d %s %s", r.Method, r.Path, r.Status, r.ClientIP, r.Time.Format("15:04:05")))
		}, nil)
		want := []string{"GET / 200 127.0.0.1 00:48:02", "GET /missing.txt 404 127.0.0.1 00:48:02",
			"POST /index.html 405 127.0.0.1 00:48:02", "DELETE / 405 127.0.0.1 00:48:02"}
		if o.Resolved.Format != FormatNginx || !strings.HasSuffix(o.Resolved.Variant, "inside syslog lines") ||
			strings.Join(got, "|") != strings.Join(want, "|") || st.Skipped != 12 || st.Rejected != 0 {
			t.Errorf("%s: read as %s (%s): %v, %+v", name, o.Resolved.Format, o.Resolved.Variant, got, st)
		}
	}
}

// TestNginxImageEntrypointLines: the official nginx image's output starts with its entrypoint's
// lines (as docker logs and kubectl logs show them), then nginx's notices and access lines: the
// entrypoint's lines are skipped with nginx's error log, not rejected; access lines are not
// taken for them.
func TestNginxImageEntrypointLines(t *testing.T) {
	banner := []string{
		"/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
		"/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
		"/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
		"10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
		"10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
		"/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
		"/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
		"/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
		"/docker-entrypoint.sh: Configuration complete; ready for start up",
		"2026/11/24 10:00:00 [notice] 1#1: using the \"epoll\" event method",
		"2026/11/24 10:00:00 [notice] 1#1: start worker processes",
	}
	for _, l := range banner {
		if got := serverLogLine([]byte(l)); got != "nginx error log" {
			t.Errorf("%q is %q", l, got)
		}
	}
	for _, l := range []string{
		`10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] "DELETE /api/x HTTP/1.1" 405 157 "-" "curl/8"`,
		`12-factor.sh is a script`, `10-x.sh:info`, `docker-entrypoint.sh: x`,
	} {
		if got := serverLogLine([]byte(l)); got != "" {
			t.Errorf("%q taken for the %s", l, got)
		}
	}
	var lines [][]byte
	for _, l := range banner {
		lines = append(lines, []byte(l))
	}
	lines = append(lines, serverLogLines(t, "serverlogs/nginx-access.log")...)
	p := filepath.Join(t.TempDir(), "nginx-pod.log")
	if err := os.WriteFile(p, append(bytes.Join(lines, []byte("\n")), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := (&Config{}).OpenInput(Input{Name: p, Path: p})
	if err != nil {
		t.Fatal(err)
	}
	if st := o.Scan(0, nil, nil); st.Format != FormatNginx || st.Parsed != 6 || st.Skipped != int64(len(banner)) || st.Rejected != 0 {
		t.Errorf("%+v, want 6 parsed, %d skipped, none rejected", st, len(banner))
	}
}

// TestEnvoyOwnLogLines: an Istio sidecar's output (kubectl logs … -c istio-proxy) interleaves
// the agent's lines and Envoy's own log with the access log: those are skipped, not rejected,
// and the access lines are read.
func TestEnvoyOwnLogLines(t *testing.T) {
	own := []string{
		"2024-06-28T06:40:07.303770Z\tinfo\tVersion 1.22.0-aaf597fbfae607adf4bb4e77538a7ea98995328a-Clean",
		"2024-06-28T06:40:07.304162Z\tinfo\tProxy role\tips=[10.244.1.98] type=sidecar id=frontend-0.default domain=default.svc.cluster.local",
		"2026-11-24T10:00:00.100000Z\twarn\tads\tADS: \"\" 1 terminated",
		"[2019-09-02 09:56:06.207][1][info][main] [source/server/server.cc:462] all clusters initialized. initializing init manager",
		"[2023-05-20 20:09:22.508][1][warning][main] [source/server/server.cc:493]         caught SIGTERM",
		"[2022-04-28 19:03:46.607][2672][critical][main] [source/server/server.cc:114] error initializing configuration 'envoy-config.yaml': Invalid path: main.wasm",
	}
	for _, l := range own {
		if got := serverLogLine([]byte(l)); got != "Envoy log" {
			t.Errorf("%q is %q", l, got)
		}
	}
	for _, l := range []string{
		`[2026-11-24T10:00:01.970Z] "GET /v1/items HTTP/1.1" 200 - 0 116 27 25 "203.0.113.40" "curl/8.5.0" "e8e25d94-0ed9-4475-9531-985d5d9dc9f8" "api.example.com" "10.0.3.4:8080"`,
		"[2026-11-24 10:00:00.300][20][notice][main] x", "2026-11-24T10:00:00.000000Z\tINFO\tx", "2026-11-24T10:00:00Z info x",
	} {
		if got := serverLogLine([]byte(l)); got != "" {
			t.Errorf("%q taken for the %s", l, got)
		}
	}
	istio, err := os.ReadFile("../samples/envoy/istio.log")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "istio-proxy.log")
	if err := os.WriteFile(p, append([]byte(strings.Join(own, "\n")+"\n"), istio...), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := (&Config{}).OpenInput(Input{Name: p, Path: p})
	if err != nil {
		t.Fatal(err)
	}
	want := int64(strings.Count(string(istio), "\n"))
	if st := o.Scan(0, nil, nil); st.Format != FormatEnvoy || st.Parsed != want || st.Skipped != int64(len(own)) || st.Rejected != 0 {
		t.Errorf("%+v, want %d parsed, %d skipped, none rejected", st, want, len(own))
	}
}

// TestHAProxyOwnLines: an HAProxy container logging to stdout (log stdout format raw) starts
// with HAProxy's own notices and warnings on stderr: they are skipped, not rejected, and the
// access lines after them are read.
func TestHAProxyOwnLines(t *testing.T) {
	own := []string{
		"[NOTICE]   (1) : haproxy version is 2.8.3-86e043a",
		"[NOTICE]   (1) : path to executable is /usr/local/sbin/haproxy",
		"[WARNING]  (1) : config : missing timeouts for backend 'app'.",
		"[ALERT] (001) : parsing [haproxy.cfg:15] : unknown user 'missing' in userlist 'auth_users'",
		"[NOTICE]   (1) : New worker (8) forked",
		"[NOTICE]   (1) : Loading success.",
	}
	for _, l := range own {
		if got := serverLogLine([]byte(l)); got != "HAProxy log" {
			t.Errorf("%q is %q", l, got)
		}
	}
	for _, l := range []string{"[NOTICE] x", "[INFO]   (1) : x", "[NOTICE]   (x) : y", "[WARNING](1): x"} {
		if got := serverLogLine([]byte(l)); got != "" {
			t.Errorf("%q taken for the %s", l, got)
		}
	}
	access, err := os.ReadFile("../samples/proxies/haproxy/haproxy.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := own
	for _, l := range strings.Split(strings.TrimSpace(string(access)), "\n") {
		lines = append(lines, l[strings.Index(l, "]: ")+3:]) // log stdout format raw: no syslog header
	}
	p := filepath.Join(t.TempDir(), "haproxy-pod.log")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := (&Config{}).OpenInput(Input{Name: p, Path: p})
	if err != nil {
		t.Fatal(err)
	}
	if st := o.Scan(0, nil, nil); st.Format != FormatHAProxy || st.Parsed != int64(len(lines)-len(own)) || st.Skipped != int64(len(own)) || st.Rejected != 0 {
		t.Errorf("%+v, want %d parsed, %d skipped, none rejected", st, len(lines)-len(own), len(own))
	}
}
