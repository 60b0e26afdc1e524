//go:build unix

package contract

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// --openapi naming an endless stream, or a $ref to one, ends in an error at the size bound.
func TestOpenAPIEndless(t *testing.T) {
	defer func(n int64) { maxSpecBytes = n }(maxSpecBytes)
	maxSpecBytes = 1 << 20
	dir := t.TempDir()
	fifo := filepath.Join(dir, "zero")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	feed := func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		buf := make([]byte, 64<<10)
		for {
			if _, err := f.Write(buf); err != nil {
				return
			}
		}
	}
	go feed()
	if _, err := Load(fifo); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("--openapi on an endless stream: err = %v", err)
	}
	spec := filepath.Join(dir, "spec.yaml")
	doc := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    $ref: 'zero#/paths/~1x'\n"
	if err := os.WriteFile(spec, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	go feed()
	if _, err := Load(spec); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("a $ref to an endless stream: err = %v", err)
	}
}
