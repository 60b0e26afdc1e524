package parsers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// aliasBomb is a YAML document whose nested aliases stand for about n^levels nodes.
func aliasBomb(levels, n int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [{access_log: [{name: x}]}]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := 0; j < n; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// A small --envoy-config of nested aliases is refused instead of being walked alias by alias
// (a 554-byte one took 9.6 GB and 120 s).
func TestEnvoyConfigAliasBomb(t *testing.T) {
	path := filepath.Join(t.TempDir(), "envoy.yaml")
	if err := os.WriteFile(path, []byte(aliasBomb(7, 9)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadEnvoyConfig(path); err == nil || !strings.Contains(err.Error(), "aliases") {
		t.Errorf("LoadEnvoyConfig: err = %v", err)
	}
	if _, err := LoadEnvoyRoutes(path); err == nil || !strings.Contains(err.Error(), "aliases") {
		t.Errorf("LoadEnvoyRoutes: err = %v", err)
	}
}

// An include of an endless stream (include /dev/zero) ends in an error naming the file.
func TestNginxIncludeEndless(t *testing.T) {
	dir := t.TempDir()
	fifo := endlessFIFO(t, dir)
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte("http {\n include "+fifo+";\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadNginxConf(conf)
	if err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("err = %v", err)
	}
}

// --apache-conf and --haproxy-conf name an unreadable file by its path, once: they read through
// an fs.FS rooted at /, whose errors carried the path without its leading slash and said it
// twice ("cannot read HAProxy configuration dev/zero: dev/zero is larger than 16 MiB …").
func TestProxyConfigErrorsNameThePath(t *testing.T) {
	dir := t.TempDir()
	// A FIFO each: endlessFIFO's writer stops when its reader does, so a second reader of the
	// same FIFO found a closing writer (a short read, no error) or none (open blocked for ever).
	fifo, fifo2 := endlessFIFO(t, dir), endlessFIFO(t, t.TempDir())
	missing := filepath.Join(dir, "missing.cfg")
	for _, tc := range []struct {
		load func(string) error
		path string
		want string
	}{
		{func(p string) error { _, err := LoadHAProxyConf(p); return err }, fifo,
			"cannot read HAProxy configuration " + fifo + ": larger than 16 MiB (too large): name the file itself"},
		{func(p string) error { _, err := LoadApacheConf(p); return err }, fifo2,
			"cannot read apache configuration " + fifo2 + ": larger than 16 MiB (too large): name the file itself"},
		{func(p string) error { _, err := LoadHAProxyConf(p); return err }, missing,
			"cannot read HAProxy configuration " + missing + ": no such file or directory"},
	} {
		err := tc.load(tc.path)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.path, err, tc.want)
		}
	}
}
