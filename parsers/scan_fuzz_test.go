package parsers

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// refScan is what Scan must make of data with scanTestParser, line by line: the records
// ("<line><path>") and the counts.
func refScan(data []byte, max int) ([]string, Stats) {
	var st Stats
	var recs []string
	if len(data) == 0 {
		return nil, st
	}
	lines := bytes.Split(data, []byte{'\n'})
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1] // the final newline ends the last line
	}
	for i, raw := range lines {
		line := trimCR(raw)
		st.Read++
		switch {
		case len(line) > max: // the limit counts the line without its line end
			st.Rejected++
		case isBlank(line):
			st.Blank++
		case bytes.HasPrefix(line, []byte("ok")):
			st.Parsed++
			recs = append(recs, fmt.Sprintf("%d%s", i+1, line[2:]))
		default:
			st.Rejected++
		}
	}
	return recs, st
}

// FuzzScan: any input, cut into blocks of any size and parsed by any number of workers (one
// worker reads and parses on one goroutine, scanSerial; more take scanParallel), gives
// every line its number and its fate (parsed and kept, blank, rejected), as a line-by-line read
// does; kept records keep their own text while their batches are reused.
func FuzzScan(f *testing.F) {
	f.Add([]byte("ok a\r\nbad\n\n   \nok b\nok c"), uint16(7), uint8(2))
	f.Add([]byte("ok 1\n"+strings.Repeat("x", 300)+"\nok 3\nok"+strings.Repeat("y", 200)), uint16(64), uint8(1))
	f.Add([]byte(strings.Repeat("ok line\n", 100)), uint16(33), uint8(3))
	f.Add([]byte("ok 1\r\nok "+strings.Repeat("z", 97)+"\r\nok "+strings.Repeat("z", 98)+"\r\nok 4\r\n"), uint16(0), uint8(0)) // 100 bytes and CR: read; 101: rejected
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16, workers uint8) {
		const max = 100 // lines longer than this are rejected
		size := 16 + int(chunk)%512
		w := 1 + int(workers)%4
		want, wantSt := refScan(data, max)
		got, st := scanKept(bytes.NewReader(data), max, w, size)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("records %q, want %q", got, want)
		}
		if st.Read != wantSt.Read || st.Parsed != wantSt.Parsed || st.Blank != wantSt.Blank || st.Rejected != wantSt.Rejected || st.Err != "" {
			t.Fatalf("stats %+v, want %+v", st, wantSt)
		}
	})
}

// A line of exactly the limit ending in CRLF is read, one byte longer is rejected, wherever the
// blocks end (the CR was counted against the limit when a block ended just after it).
func TestScanCRAtLimit(t *testing.T) {
	const max = 100
	long, longer := "ok "+strings.Repeat("z", 97)+"\r\n", "ok "+strings.Repeat("z", 98)+"\r\n"
	for _, text := range []string{long + "ok 2\r\n" + longer + "ok 4\r\n", "ok 1\r\n" + long + longer + "ok 4\r\n", longer + long} {
		scanEveryBlockSize(t, []byte(text), max)
	}
}

func scanEveryBlockSize(t *testing.T, data []byte, max int) {
	t.Helper()
	want, wantSt := refScan(data, max)
	if wantSt.Rejected != 1 {
		t.Fatalf("reference: %+v", wantSt)
	}
	for size := 16; size < 300; size++ {
		got, st := scanKept(bytes.NewReader(data), max, 1, size)
		if !reflect.DeepEqual(got, want) || st.Parsed != wantSt.Parsed || st.Rejected != wantSt.Rejected {
			t.Fatalf("blocks of %d bytes: records %q, stats %+v; want %q, %+v", size, got, st, want, wantSt)
		}
	}
}

// FuzzGzipInput: a gzip stream damaged anywhere (bytes changed, cut, garbage appended), read as
// analyze reads it: no panic, every line read counted once (parsed and kept, rejected or blank);
// the intact stream read whole without an error. (Damage to the magic bytes makes a plain input,
// and to the header's time or OS byte none at all.)
func FuzzGzipInput(f *testing.F) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for i := 0; i < 300; i++ {
		fmt.Fprintf(zw, "ok %d %s\n", i, strings.Repeat("w", i%50))
	}
	zw.Close()
	good := buf.Bytes()
	f.Add(uint16(0), uint16(0), byte(0), uint16(0))
	f.Add(uint16(100), uint16(8), byte(0xff), uint16(0))
	f.Add(uint16(0), uint16(0), byte(0), uint16(200))
	f.Add(uint16(len(good)-8), uint16(1), byte(1), uint16(0))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, at, n uint16, x byte, cut uint16) {
		data := bytes.Clone(good)
		for i := int(at); i < int(at)+int(n)%32 && i < len(data); i++ {
			data[i] ^= x
		}
		if int(cut) < len(data) && cut > 0 {
			data = data[:len(data)-int(cut)]
		}
		path := filepath.Join(dir, "in.log")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		rc, err := Input{Name: path, Path: path}.Open()
		if err != nil {
			return // a damaged header: the input is reported as unreadable
		}
		defer rc.Close()
		var kept int64
		st := Scan("in.log", rc, ScanConfig{
			NewParser: func() Parser { return scanTestParser{} },
			Workers:   2, ChunkSize: 512,
			Work:    func(rec *Record, b *Batch) { b.Keep(rec) },
			Deliver: func(b *Batch) { kept += int64(len(b.Records)) },
		})
		if st.Read != st.Parsed+st.Rejected+st.Blank || kept != st.Parsed {
			t.Fatalf("stats %+v, %d kept", st, kept)
		}
		if bytes.Equal(data, good) && (st.Err != "" || st.Parsed != 300) {
			t.Fatalf("an intact input: stats %+v", st)
		}
	})
}
