package parsers

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logtriage/logtriage/internal/testproc"
)

// A real nginx (when installed) reads the same configuration: the location it picks for each
// path is the one SelectNginxLocation picks from what the lexer read, regular expressions with
// backslashes included, and the word it answers with is the word the lexer read.
func TestNginxConfLexerAgainstNginx(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real nginx")
	}
	bin := testproc.Binary("nginx")
	if bin == "" {
		t.Skip("nginx is not installed: apt-get install nginx (Debian package nginx)")
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	locations := []string{
		`location / { return 200 "L0"; }`,
		`location ~ \.php$ { return 200 "L1"; }`,
		`location ~* ^/api/v\d+/ { return 200 "L2"; }`,
		`location = /exact { return 200 "L3"; }`,
		`location ^~ /static/ { return 200 "L4"; }`,
		`location ~ ^/files/a\ b$ { return 200 "L5"; }`,
		`location /words { return 200 a\"b\'c\\d\e\tf\ng\{x}#y; }`,
	}
	conf := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 16; }
http {
    access_log off;
    client_body_temp_path %[1]s/tmp;
    proxy_temp_path %[1]s/tmp;
    fastcgi_temp_path %[1]s/tmp;
    uwsgi_temp_path %[1]s/tmp;
    scgi_temp_path %[1]s/tmp;
    default_type text/plain;
    server {
        listen %[2]s;
        %[3]s
    }
}
`, filepath.ToSlash(dir), addr, strings.Join(locations, "\n        "))
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", path)
	out, _ := os.Create(filepath.Join(dir, "stdout.log"))
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	defer testproc.Stop(cmd)
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(p string) (string, error) {
		resp, err := client.Get("http://" + addr + p)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	for deadline := time.Now().Add(15 * time.Second); ; {
		if _, err := get("/"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			so, _ := os.ReadFile(filepath.Join(dir, "stdout.log"))
			t.Fatalf("nginx did not answer on %s:\n%s%s", addr, so, log)
		}
		time.Sleep(50 * time.Millisecond)
	}

	locs, err := parseNginxLocations("nginx.conf", conf)
	if err != nil {
		t.Fatal(err)
	}
	if len(locs) != len(locations) {
		t.Fatalf("%d locations read, want %d", len(locs), len(locations))
	}
	index := map[string]int{}
	for i, l := range locs {
		index[l.Source] = i
	}
	for _, p := range []string{"/", "/x.php", "/xphp", "/a/b.php", "/api/v2/users", "/API/V10/x", "/api/vX/users",
		"/exact", "/exact/", "/static/a.php", "/files/a%20b", "/files/ab", "/words/a.php"} {
		body, err := get(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		want := "none"
		if l := SelectNginxLocation(locs, strings.ReplaceAll(p, "%20", " ")); l != nil {
			want = fmt.Sprintf("L%d", index[l.Source])
		}
		if want == "L6" {
			want = "" // /words answers with its word: compared below
		}
		if want != "" && body != want {
			t.Errorf("%s: nginx chose %s, SelectNginxLocation %s", p, body, want)
		}
	}
	body, err := get("/words")
	if err != nil {
		t.Fatal(err)
	}
	lx := nginxConfLexer{src: locations[len(locations)-1], line: 1}
	lx.directive() // location /words {
	args, _, err := lx.directive()
	if err != nil || len(args) != 3 || body != args[2] {
		t.Errorf("nginx answers %q, the lexer read %q (%v)", body, args, err)
	}
}
