package parsers

import (
	"os"
	"path/filepath"
	"testing"
)

// An input opened again to be read keeps the parser chosen when it was probed while its first
// lines are the same, and is detected again when they are not (the file was replaced between).
func TestReopenKeepsDetection(t *testing.T) {
	alb, err := os.ReadFile("testdata/alb/formats-examples.log")
	if err != nil {
		t.Fatal(err)
	}
	nginx := []byte("127.0.0.1 - - [02/Dec/2026:01:02:03 +0000] \"POST /api/x HTTP/1.1\" 405 157 \"-\" \"curl/8.5.0\"\n")
	path := filepath.Join(t.TempDir(), "in.log")
	if err := os.WriteFile(path, alb, 0o644); err != nil {
		t.Fatal(err)
	}
	var c Config
	in := Input{Name: path, Path: path}
	probe, err := c.OpenInput(in)
	if err != nil {
		t.Fatal(err)
	}
	probe.closer.Close()
	if probe.Resolved.Format != FormatALB || probe.sampled == 0 {
		t.Fatalf("probe: %s, sample hash %x", probe.Resolved.Format, probe.sampled)
	}
	again, err := c.reopenInput(in, probe.Resolved, probe.sampled)
	if err != nil {
		t.Fatal(err)
	}
	again.closer.Close()
	if again.Resolved != probe.Resolved {
		t.Error("the same lines were detected again")
	}
	if err := os.WriteFile(path, nginx, 0o644); err != nil {
		t.Fatal(err)
	}
	replaced, err := c.reopenInput(in, probe.Resolved, probe.sampled)
	if err != nil {
		t.Fatal(err)
	}
	replaced.closer.Close()
	if replaced.Resolved.Format != FormatNginx {
		t.Errorf("a replaced file read as %s, want %s", replaced.Resolved.Format, FormatNginx)
	}
}
