package parsers

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// A Caddy container's output (testdata/proxies/caddy-container*.log, Caddy 2.6.2) starts with
// Caddy's own JSON lines (loggers "admin", "http", "tls", …), which counted as an application's
// and had it read as app: both 405s then read as the app's own. They no longer count against
// Caddy, also when they fill the whole sample (two config reloads before the first request),
// and inside Docker's json-file lines.
func TestCaddyContainerOutput(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name           string
		parsed, locals int
	}{
		{"caddy-container.log", 3, 1},
		{"caddy-container-reload.log", 4, 1},
	} {
		path := filepath.Join("testdata", "proxies", c.name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var docker []byte
		for i, l := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
			docker = fmt.Appendf(docker, `{"log":%q,"stream":"stderr","time":"2026-12-02T05:25:%02d.000000001Z"}`+"\n", string(l)+"\n", i%60)
		}
		wrapped := filepath.Join(dir, "docker-"+c.name)
		if err := os.WriteFile(wrapped, docker, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, in := range []Input{{Name: path, Path: path}, {Name: wrapped, Path: wrapped}} {
			o, err := (&Config{}).OpenInput(in)
			if err != nil {
				t.Errorf("%s: %v", in.Name, err)
				continue
			}
			locals, relayed405 := 0, 0
			st := o.Scan(0, func(r *Record, _ *Batch) {
				if r.Local == LocalYes {
					locals++
				}
				if r.Status == 405 && r.Local == LocalNo {
					relayed405++
				}
			}, nil)
			if st.Format != FormatCaddy || st.Parsed != int64(c.parsed) || st.Rejected != 0 || locals != c.locals || relayed405 == 0 {
				t.Errorf("%s: %+v (%s): %d answered by Caddy, %d relayed 405s", in.Name, st, o.Resolved.Variant, locals, relayed405)
			}
		}
	}
	// An application's zap logger named "http" that logs its requests with a status stays app.
	app := toSample([]string{
		`{"level":"info","ts":1796189127.27,"logger":"http","msg":"listening","addr":":8080"}`,
		`{"level":"info","ts":1796189128.53,"logger":"http","msg":"request","method":"POST","path":"/items","status":405}`,
		`{"level":"info","ts":1796189128.54,"logger":"http","msg":"request","method":"GET","path":"/items","status":200}`,
	})
	if res, err := (&Config{}).Resolve("app.log", app); err != nil || res.Format != FormatApp {
		t.Errorf("zap app: %+v, %v", res, err)
	}
}
