//go:build unix

package parsers

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// endlessFIFO returns a FIFO that yields zeros until its reader closes it, as /dev/zero would
// (without depending on the host's /dev).
func endlessFIFO(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "zero")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		buf := make([]byte, 64<<10)
		for {
			if _, err := f.Write(buf); err != nil {
				return // the reader stopped
			}
		}
	}()
	return path
}
