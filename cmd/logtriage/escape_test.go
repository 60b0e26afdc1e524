package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Log file names reach stderr in the input statistics: a name with an escape sequence or a line
// break (a directory walk finds whatever is there) is printed escaped (issue 10 item 1).
func TestInputNamesEscaped(t *testing.T) {
	dir := t.TempDir()
	name := "edge\x1b[2J\n::error file=x::forged.log"
	line := `10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua"` + "\nnot a log line\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(line), 0o644); err != nil {
		t.Skip("this file system refuses the name:", err)
	}
	r := lt(t, nil, "parse", "--format", "nginx", dir)
	if strings.ContainsRune(r.stderr, '\x1b') || strings.Contains(r.stderr, "\n::error") {
		t.Errorf("stderr prints the file name raw:\n%q", r.stderr)
	}
}

// Error messages quote what they are about (an id, a path) escaped, like the reports.
func TestErrorMessagesEscaped(t *testing.T) {
	r := lt(t, nil, "trace", "abc\x1b[2J\n::error file=x::forged", "samples/nginx/combined.log")
	if r.code == 0 || strings.ContainsRune(r.stderr, '\x1b') || strings.Contains(r.stderr, "\n::error") {
		t.Errorf("exit %d, stderr:\n%q", r.code, r.stderr)
	}
}
