package parsers

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Detection reads past a first line cut short (rotation, tail -c) or longer than its 256 KiB
// buffer: the format comes from the lines after it and only the broken line is rejected.
func TestDetectSkipsBrokenFirstLine(t *testing.T) {
	pino, err := os.ReadFile("../samples/app/pino.json")
	if err != nil {
		t.Fatal(err)
	}
	combined, err := os.ReadFile("../samples/nginx/combined.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := func(b []byte) int64 { return int64(strings.Count(string(b), "\n")) }
	for _, tc := range []struct {
		name, format string
		data         []byte
		parsed       int64 // lines parsed or skipped
		rejected     int64 // the broken lines at the start
	}{
		{"pino cut mid-line", FormatApp, pino[29:], lines(pino) - 1, 1},
		{"nginx after a 300 KiB line", FormatNginx, append([]byte(strings.Repeat("x", 300<<10)+"\n"), combined...), lines(combined), 1},
		{"a 300 KiB line, then nginx cut mid-line", FormatNginx, append([]byte(strings.Repeat("x", 300<<10)+"\n"), combined[40:]...), lines(combined) - 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.log")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			o, err := (&Config{}).OpenInput(Input{Name: "in.log", Path: path})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			if o.Resolved.Format != tc.format {
				t.Errorf("format %q, want %q", o.Resolved.Format, tc.format)
			}
			st := o.Scan(0, nil, nil)
			if st.Rejected != tc.rejected || st.Parsed+st.Skipped != tc.parsed {
				t.Errorf("stats %+v, want %d lines read and %d rejected", st, tc.parsed, tc.rejected)
			}
		})
	}
}

// A UTF-8 byte order mark before the first line (Windows editors, PowerShell's Out-File) is not
// part of it: the first line parses like the others, plain or gzip.
func TestByteOrderMark(t *testing.T) {
	for _, sample := range []string{"../samples/envoy/default.log", "../samples/nginx/combined.log"} {
		data, err := os.ReadFile(sample)
		if err != nil {
			t.Fatal(err)
		}
		lines := int64(strings.Count(string(data), "\n"))
		var zipped bytes.Buffer
		zw := gzip.NewWriter(&zipped)
		zw.Write(append([]byte("\xef\xbb\xbf"), data...))
		zw.Close()
		for name, b := range map[string][]byte{"plain": append([]byte("\xef\xbb\xbf"), data...), "gzip": zipped.Bytes()} {
			t.Run(filepath.Base(sample)+"/"+name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "in.log")
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
				o, err := (&Config{}).OpenInput(Input{Name: "in.log", Path: path})
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				var mu sync.Mutex
				var marked []string
				st := o.Scan(0, func(r *Record, _ *Batch) {
					if strings.Contains(r.ClientIP+r.Method, "\ufeff") {
						mu.Lock()
						marked = append(marked, r.ClientIP)
						mu.Unlock()
					}
				}, nil)
				if st.Rejected != 0 || st.Parsed != lines {
					t.Errorf("stats %+v, want %d lines parsed, none rejected", st, lines)
				}
				if len(marked) != 0 {
					t.Errorf("the mark kept in a field: %q", marked)
				}
			})
		}
	}
}
