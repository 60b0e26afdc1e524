package parsers

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gzipMember compresses lines "ok <from>" … "ok <to-1>" into one gzip member, with the standard
// library's writer (the reader is another implementation).
func gzipMember(t *testing.T, from, to int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for i := from; i < to; i++ {
		fmt.Fprintf(zw, "ok %d %s\n", i, strings.Repeat("v", i%61))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// scanGzip writes data to a file and reads it as analyze and parse do: Input.Open, then Scan.
func scanGzip(t *testing.T, data []byte) ([]string, Stats) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.log.gz")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err := Input{Name: path, Path: path}.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, st := scanAllChunks(t, rc, 0, 2, 4<<10)
	return got, st
}

// wantLines checks that records are the lines "ok 0" … "ok n-1" in order, at lines 1 … n.
func wantLines(t *testing.T, got []string, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%d records, want %d", len(got), n)
	}
	for i, g := range got {
		if want := fmt.Sprintf("%d %d %s", i+1, i, strings.Repeat("v", i%61)); g != want {
			t.Fatalf("record %d is %q, want %q", i, g, want)
		}
	}
}

func TestGzipMembers(t *testing.T) {
	// Concatenated members, as rotation and `cat a.gz b.gz` make, are read in turn.
	data := append(gzipMember(t, 0, 3000), gzipMember(t, 3000, 3001)...)
	data = append(data, gzipMember(t, 3001, 9000)...)
	got, st := scanGzip(t, data)
	wantLines(t, got, 9000)
	if st.Err != "" || st.Read != 9000 || st.Parsed != 9000 {
		t.Errorf("stats %+v", st)
	}
}

// TestGzipDamage: a damaged gzip file ends its input with Stats.Err naming the file, the last
// line read and the reason; the lines before the damage are read, none is lost silently.
func TestGzipDamage(t *testing.T) {
	first := gzipMember(t, 0, 2000)
	second := gzipMember(t, 2000, 4000)
	t.Run("checksum", func(t *testing.T) {
		data := bytes.Clone(first)
		data[len(data)-8] ^= 0xff // CRC-32 of the trailer
		got, st := scanGzip(t, data)
		wantLines(t, got, 2000)
		if !strings.HasSuffix(st.Err, "after line 2000: damaged gzip data (gzip: invalid checksum): gzip -t tests the file; the lines before it were read") {
			t.Errorf("error %q", st.Err)
		}
	})
	t.Run("cut in the second member", func(t *testing.T) {
		data := append(bytes.Clone(first), second[:len(second)/2]...)
		got, st := scanGzip(t, data)
		if len(got) < 2000 || len(got) >= 4000 || int64(len(got)) != st.Parsed {
			t.Fatalf("%d records, stats %+v", len(got), st)
		}
		wantLines(t, got[:2000], 2000)
		if !strings.Contains(st.Err, "truncated stream (a gzip file cut short?)") {
			t.Errorf("error %q", st.Err)
		}
		// The last line may be cut short: then it is counted as rejected, not dropped.
		if st.Read != st.Parsed+st.Rejected || st.Rejected > 1 {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("garbage after a member", func(t *testing.T) {
		data := append(bytes.Clone(first), "not gzip at all\n"...)
		got, st := scanGzip(t, data)
		wantLines(t, got, 2000)
		if !strings.HasSuffix(st.Err, "after line 2000: damaged gzip data (gzip: invalid header): gzip -t tests the file; the lines before it were read") {
			t.Errorf("error %q", st.Err)
		}
	})
	t.Run("damaged data", func(t *testing.T) {
		data := bytes.Clone(first)
		for i := len(data) / 2; i < len(data)/2+16; i++ {
			data[i] = 0xff
		}
		got, st := scanGzip(t, data)
		if !strings.Contains(st.Err, "in.log after line") || !strings.Contains(st.Err, "damaged gzip data (flate: corrupt input before offset") {
			t.Errorf("error %q", st.Err)
		}
		if st.Read != st.Parsed+st.Rejected+st.Blank || int64(len(got)) != st.Parsed || st.Parsed < 500 {
			t.Errorf("%d records, stats %+v", len(got), st)
		}
		for _, e := range st.Examples {
			if !strings.Contains(e.Source, "in.log:") || e.Reason == "" {
				t.Errorf("rejection %+v", e)
			}
		}
	})
}

// TestGzipDamagedAtOnce: damage before the first line says that no line could be read, not
// "after line 0 … the lines before it were read".
func TestGzipDamagedAtOnce(t *testing.T) {
	data := []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage that is not deflate")
	got, st := scanGzip(t, data)
	if len(got) != 0 || st.Read != 0 {
		t.Errorf("%d records, stats %+v", len(got), st)
	}
	if want := "in.log: damaged gzip data (flate: corrupt input before offset"; !strings.HasPrefix(st.Err, want) ||
		!strings.HasSuffix(st.Err, "gzip -t tests the file; no line could be read before it") {
		t.Errorf("error %q, want %q… gzip -t …", st.Err, want)
	}
}

// TestGzipCutWhileSampling: a gzip file cut short within the first 256 KiB of its lines, which
// detection reads before the scan: the scan still reads every line before the cut, then reports
// the cut; and a longer one cut further on, read past the sampled part.
func TestGzipCutWhileSampling(t *testing.T) {
	for _, lines := range []int{500, 40000} {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		for i := 0; i < lines; i++ {
			fmt.Fprintf(zw, "time=2026-11-24T10:00:%02dZ method=GET path=/x/%d status=200\n", i%60, i)
		}
		zw.Close()
		path := filepath.Join(t.TempDir(), "app.log")
		if err := os.WriteFile(path, buf.Bytes()[:buf.Len()-30], 0o644); err != nil {
			t.Fatal(err)
		}
		o, err := (&Config{Format: FormatApp}).OpenInput(Input{Name: path, Path: path})
		if err != nil {
			t.Fatal(err)
		}
		n, bad := 0, 0
		st := o.Scan(0, func(rec *Record, b *Batch) { b.Keep(rec) }, func(b *Batch) {
			for _, r := range b.Records {
				// The last line may be cut short; every other one is whole and in order.
				if r.Line != int64(n+1) || (r.Path != fmt.Sprintf("/x/%d", n) && r.Line < int64(lines-20)) {
					bad++
				}
				n++
			}
		})
		if bad > 0 {
			t.Errorf("%d lines: %d records out of place or wrong", lines, bad)
		}
		if n < lines-20 || int64(n) != st.Parsed || st.Rejected > 1 || st.Read != st.Parsed+st.Rejected {
			t.Errorf("%d lines: %d records, stats %+v", lines, n, st)
		}
		if !strings.Contains(st.Err, "truncated stream") {
			t.Errorf("%d lines: error %q", lines, st.Err)
		}
	}
}

// TestOpenTellsGzipWithoutBuffer: a file is told gzip or plain by its first two bytes read in
// place, and a plain one is then read without a buffer of open's own (fifty inputs open at once
// held two 256 KiB buffers each); what reading it gives is the whole file either way.
func TestOpenTellsGzipWithoutBuffer(t *testing.T) {
	member := gzipMember(t, 0, 50)
	var want bytes.Buffer
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&want, "ok %d %s\n", i, strings.Repeat("v", i%61))
	}
	for _, tc := range []struct {
		name string
		data []byte
		gzip bool
		read string // what reading the opened input gives
	}{
		{"empty", nil, false, ""},
		{"one byte", []byte("x"), false, "x"},
		{"gzip's first byte alone", []byte{0x1f}, false, "\x1f"},
		{"plain lines", []byte("a 1\nb 2\n"), false, "a 1\nb 2\n"},
		{"gzip member", member, true, want.String()},
	} {
		path := filepath.Join(t.TempDir(), "in")
		if err := os.WriteFile(path, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		rc, err := Input{Name: path, Path: path}.open()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if rc.gzip != tc.gzip {
			t.Errorf("%s: gzip %v, want %v", tc.name, rc.gzip, tc.gzip)
		}
		if !tc.gzip && rc.br != nil {
			t.Errorf("%s: a plain file read through a buffer of open's", tc.name)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(got) != tc.read {
			t.Errorf("%s: read %q (%v), want %q", tc.name, got, err, tc.read)
		}
	}
	// Only gzip's magic and a header that is not gzip's: refused as before.
	path := filepath.Join(t.TempDir(), "bad.gz")
	os.WriteFile(path, []byte{0x1f, 0x8b, 0, 0}, 0o644)
	if _, err := (Input{Name: path, Path: path}).open(); err == nil || !strings.Contains(err.Error(), "gzip header") {
		t.Errorf("a cut gzip header: %v, want a gzip header error", err)
	}
}
