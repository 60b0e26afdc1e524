package parsers

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
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

// TestOpenBuffersNoMoreThanTheSample: opening an input reads ahead only as far as its first lines
// need, not its whole buffer, so that the buffer is drained (and given back) soon; the lines of a
// long first line are still sampled whole, and the whole input is still read.
func TestOpenBuffersNoMoreThanTheSample(t *testing.T) {
	line := "127.0.0.1 - - [02/Dec/2026:01:02:03 +0000] \"POST /api/x HTTP/1.1\" 405 157 \"-\" \"curl/8.5.0\"\n"
	long := "127.0.0.1 - - [02/Dec/2026:01:02:03 +0000] \"POST /" + strings.Repeat("a", 100<<10) + " HTTP/1.1\" 405 157 \"-\" \"curl/8.5.0\"\n"
	for _, tc := range []struct {
		name, first string
		buffered    int // at most, after opening
	}{
		{"short lines", line, samplePeek},
		{"a 100 KiB first line", long, openBuffer}, // the buffer whole: the line needs most of it
	} {
		data := []byte(tc.first + strings.Repeat(line, 20000)) // 2 MB
		path := filepath.Join(t.TempDir(), "in.log")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		o, err := (&Config{}).OpenInput(Input{Name: path, Path: path})
		if err != nil {
			t.Fatal(err)
		}
		if o.Resolved.Format != FormatNginx {
			t.Errorf("%s: read as %s", tc.name, o.Resolved.Format)
		}
		if n := o.r.Buffered(); n > tc.buffered {
			t.Errorf("%s: %d bytes buffered after opening, want at most %d", tc.name, n, tc.buffered)
		}
		var recs atomic.Int64 // work runs on several goroutines
		st := o.Scan(0, func(*Record, *Batch) { recs.Add(1) }, func(*Batch) {})
		if st.Parsed != 20001 || recs.Load() != 20001 {
			t.Errorf("%s: %d parsed (%d records), want 20001", tc.name, st.Parsed, recs.Load())
		}
	}
}
