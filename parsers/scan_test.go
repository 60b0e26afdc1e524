package parsers

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"unsafe"
)

// scanTestParser accepts lines that start with "ok" and keeps the rest as the path.
type scanTestParser struct{}

func (scanTestParser) Parse(line []byte, rec *Record) error {
	if !bytes.HasPrefix(line, []byte("ok")) {
		return errors.New("not ok")
	}
	rec.Path = bstr(line[2:])
	return nil
}

func scanAll(t *testing.T, r io.Reader, maxLine, workers int) ([]string, Stats) {
	t.Helper()
	return scanAllChunks(t, r, maxLine, workers, 0)
}

// scanAllChunks is scanAll with blocks of chunk bytes (0: the default, 1 MiB).
func scanAllChunks(t *testing.T, r io.Reader, maxLine, workers, chunk int) ([]string, Stats) {
	t.Helper()
	var got []string
	st := Scan("in.log", r, ScanConfig{
		NewParser: func() Parser { return scanTestParser{} },
		Layer:     "edge", Format: "test", MaxLine: maxLine, Workers: workers, ChunkSize: chunk,
		Work: func(rec *Record, b *Batch) {
			k := b.Keep(rec)
			if k.Layer != "edge" || k.File != "in.log" {
				t.Errorf("record not labelled: %+v", k)
			}
		},
		Deliver: func(b *Batch) {
			for _, r := range b.Records {
				got = append(got, fmt.Sprintf("%d%s", r.Line, r.Path))
			}
		},
	})
	return got, st
}

func TestScanCountsEveryLine(t *testing.T) {
	in := "ok a\r\nbad\n\n   \nok b\nok c" // CRLF, a rejected line, blank lines, no final newline
	for _, workers := range []int{1, 2, 4} {
		got, st := scanAll(t, strings.NewReader(in), 0, workers)
		want := []string{"1 a", "5 b", "6 c"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("workers=%d: records %q, want %q", workers, got, want)
		}
		if st.Read != 6 || st.Parsed != 3 || st.Rejected != 1 || st.Blank != 2 {
			t.Errorf("workers=%d: stats %+v", workers, st)
		}
		if len(st.Examples) != 1 || st.Examples[0] != (Rejection{"in.log:2", "not ok"}) {
			t.Errorf("rejection examples %+v", st.Examples)
		}
	}
}

func TestScanLongLines(t *testing.T) {
	long := strings.Repeat("x", 3<<20)
	in := "ok 1\n" + long + "\nok 3\nok" + long + "\nok 5\n"
	got, st := scanAll(t, strings.NewReader(in), 1<<20, 2)
	want := []string{"1 1", "3 3", "5 5"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records %q, want %q", got, want)
	}
	if st.Read != 5 || st.Rejected != 2 {
		t.Errorf("stats %+v", st)
	}
	for _, e := range st.Examples {
		if !strings.Contains(e.Reason, "longer than 1048576 bytes") {
			t.Errorf("reason %q", e.Reason)
		}
	}
	if st.Examples[0].Source != "in.log:2" || st.Examples[1].Source != "in.log:4" {
		t.Errorf("long lines at wrong places: %+v", st.Examples)
	}
	// A line of 1 MiB under a larger limit is read whole, across chunk boundaries.
	got, st = scanAll(t, iotest.OneByteReader(strings.NewReader("ok"+long[:1<<20]+"\nok z\n")), 2<<20, 2)
	if len(got) != 2 || len(got[0]) != 1<<20+1 || st.Rejected != 0 {
		t.Errorf("1 MiB line: %d records, stats %+v", len(got), st)
	}
}

// TestScanManyChunksKeepOrder: 4 workers parse 82 blocks of 2 KiB (200,000 lines in the
// default 1 MiB blocks made 2) and the records come out in input order.
func TestScanManyChunksKeepOrder(t *testing.T) {
	const n = 20000
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "ok %d\n", i)
	}
	if blocks := b.Len() / 2048; blocks < 80 {
		t.Fatalf("%d blocks", blocks)
	}
	got, st := scanAllChunks(t, strings.NewReader(b.String()), 0, 4, 2048)
	if st.Parsed != n || len(got) != n {
		t.Fatalf("parsed %d, delivered %d", st.Parsed, len(got))
	}
	for i, g := range got {
		if want := fmt.Sprintf("%d %d", i+1, i+1); g != want {
			t.Fatalf("record %d is %q, want %q", i, g, want)
		}
	}
}

func TestTruncatedGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for i := 1; i <= 1000; i++ {
		fmt.Fprintf(zw, "ok %d\n", i)
	}
	zw.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "cut.log") // no .gz: detection is by magic bytes
	if err := os.WriteFile(path, buf.Bytes()[:buf.Len()-40], 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err := Input{Name: path, Path: path}.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, st := scanAll(t, rc, 0, 2)
	if st.Err == "" || !strings.Contains(st.Err, "truncated") {
		t.Errorf("want a truncation error, got %+v", st)
	}
	if len(got) < 900 || int64(len(got)) != st.Parsed {
		t.Errorf("lines before the cut must be kept: %d records, stats %+v", len(got), st)
	}
}

func TestExpandInputs(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b.log", "a.log", "sub/c.log", ".hidden", "x.json", "README.md", "sub/nginx.conf"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("ok\n"), 0o644)
	}
	got, err := ExpandInputs([]string{"edge=" + filepath.Join(dir, "*.log"), dir, "-"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range got {
		names = append(names, in.Layer+":"+strings.TrimPrefix(in.Name, dir))
	}
	// a.log and b.log are read once, as the layer that named them first.
	want := []string{"edge:/a.log", "edge:/b.log", ":/sub/c.log", ":/x.json", ":-"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("got %q, want %q", names, want)
	}
	// The same file by another path is the same input.
	got, err = ExpandInputs([]string{filepath.Join(dir, "a.log"), filepath.Join(dir, "sub", "..", "a.log"), filepath.Join(dir, "sub")})
	if err != nil {
		t.Fatal(err)
	}
	names = names[:0]
	for _, in := range got {
		names = append(names, strings.TrimPrefix(in.Name, dir))
	}
	if want := []string{"/a.log", "/sub/c.log"}; !reflect.DeepEqual(names, want) {
		t.Errorf("got %q, want %q", names, want)
	}
	if _, err := ExpandInputs([]string{filepath.Join(dir, "*.nope")}); err == nil || !strings.Contains(err.Error(), "no file matches") {
		t.Errorf("missing glob: %v", err)
	}
	if _, err := ExpandInputs([]string{filepath.Join(dir, "missing.log")}); err == nil {
		t.Error("missing file must be an error")
	}
	if l, p := ParseInputArg("./a=b.log"); l != "" || p != "./a=b.log" {
		t.Errorf("a path with = is not a layer name: %q %q", l, p)
	}
}

// TestScanReusesEveryBatch: read through reuseDelivered (as Opened.Scan is), a stream of many
// blocks is delivered in order in no more batches than Scan can hold at once, so that every
// batch's output buffer is grown once and then reused.
func TestScanReusesEveryBatch(t *testing.T) {
	var in strings.Builder
	const lines = 50000
	for i := 0; i < lines; i++ {
		fmt.Fprintf(&in, "ok/%d/%s\n", i, strings.Repeat("y", i%50))
	}
	workers := runtime.GOMAXPROCS(0)
	seen := map[*Batch]bool{}
	next := int64(1)
	st := Scan("in.log", strings.NewReader(in.String()), reuseDelivered(ScanConfig{
		NewParser: func() Parser { return scanTestParser{} },
		ChunkSize: 4 << 10, // hundreds of blocks
		Work: func(rec *Record, b *Batch) {
			b.Out = fmt.Appendf(b.Out, "%d %s\n", rec.Line, rec.Path)
		},
		Deliver: func(b *Batch) {
			seen[b] = true
			for _, l := range bytes.SplitAfter(b.Out, []byte{'\n'}) {
				if len(l) == 0 {
					continue
				}
				want := fmt.Sprintf("%d /%d/%s\n", next, next-1, strings.Repeat("y", int(next-1)%50))
				if string(l) != want {
					t.Fatalf("got %q, want %q", l, want)
				}
				next++
			}
		},
	}))
	if st.Parsed != lines || next != lines+1 {
		t.Fatalf("parsed %d, delivered %d lines, want %d", st.Parsed, next-1, lines)
	}
	if len(seen) > scanInFlight(workers) {
		t.Errorf("%d batches for %d workers, want at most %d", len(seen), workers, scanInFlight(workers))
	}
}

// TestScanOneWorkerOneBatch: with one worker, the goroutine that reads a block parses and
// delivers it before reading the next (scanSerial), so through reuseDelivered one batch and one
// block serve a stream of hundreds of blocks, carried lines included, in order.
func TestScanOneWorkerOneBatch(t *testing.T) {
	var in strings.Builder
	const lines = 20000
	for i := 0; i < lines; i++ {
		fmt.Fprintf(&in, "ok/%d/%s\n", i, strings.Repeat("y", i%70))
	}
	seen := map[*Batch]bool{}
	blocks := map[*byte]bool{}
	next := int64(1)
	st := Scan("in.log", strings.NewReader(in.String()), reuseDelivered(ScanConfig{
		NewParser: func() Parser { return scanTestParser{} },
		Workers:   1, ChunkSize: 1 << 10, HoldBlocks: true,
		Work: func(rec *Record, b *Batch) { b.Keep(rec) },
		Deliver: func(b *Batch) {
			seen[b] = true
			blocks[unsafe.SliceData(b.block)] = true
			for _, r := range b.Records {
				want := fmt.Sprintf("/%d/%s", next-1, strings.Repeat("y", int(next-1)%70))
				if r.Line != next || r.Path != want {
					t.Fatalf("record %d: line %d %q, want %q", next, r.Line, r.Path, want)
				}
				next++
			}
		},
	}))
	if st.Parsed != lines || next != lines+1 {
		t.Fatalf("parsed %d, delivered %d records, want %d", st.Parsed, next-1, lines)
	}
	if len(seen) != 1 || len(blocks) != 1 {
		t.Errorf("%d batches and %d blocks for one worker, want 1 and 1", len(seen), len(blocks))
	}
}

// TestScansShareBlocks: Scans run one after another (as parse reads its inputs) pass their
// blocks on; each input still reads back as written, however long its lines and whatever the
// inputs before it left in the blocks, from 1 and 2 workers, concurrently with other Scans.
func TestScansShareBlocks(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(g)))
			for i := range 12 {
				var in bytes.Buffer
				var want []string
				n := 1 + rng.Intn(40000)
				long := strings.Repeat("x", rng.Intn(300))
				for l := 1; l <= n; l++ {
					p := fmt.Sprintf("/%d/%d/%d%s", g, i, l, long)
					fmt.Fprintf(&in, "ok%s\n", p)
					want = append(want, fmt.Sprintf("%d%s", l, p))
				}
				if rng.Intn(2) == 0 { // no final newline
					in.Truncate(in.Len() - 1)
				}
				got, st := scanAll(t, &in, 0, 1+i%2)
				if !reflect.DeepEqual(got, want) || st.Parsed != int64(n) {
					t.Errorf("scan %d of goroutine %d: %d records (%d parsed), want %d as written", i, g, len(got), st.Parsed, n)
				}
			}
		}()
	}
	wg.Wait()
}

// TestScanTruncatedWhileWritten: logrotate's copytruncate behind a writer without O_APPEND leaves
// the file starting with NUL bytes up to the writer's next line. That line is a record; a run of
// NULs longer than --max-line is rejected with a reason that says what happened.
func TestScanTruncatedWhileWritten(t *testing.T) {
	in := strings.Repeat("\x00", 300) + "ok a\nok b\n" + strings.Repeat("\x00", 40) + "\n"
	for _, workers := range []int{1, 2} {
		got, st := scanAll(t, strings.NewReader(in), 0, workers)
		if want := []string{"1 a", "2 b"}; !reflect.DeepEqual(got, want) {
			t.Errorf("workers=%d: records %q, want %q", workers, got, want)
		}
		if st.Read != 3 || st.Parsed != 2 || st.Blank != 1 || st.Rejected != 0 {
			t.Errorf("workers=%d: stats %+v", workers, st)
		}
	}
	_, st := scanAll(t, strings.NewReader(strings.Repeat("\x00", 5000)+"ok a\nok b\n"), 1024, 1)
	if st.Parsed != 1 || st.Rejected != 1 || len(st.Examples) != 1 || !strings.Contains(st.Examples[0].Reason, "copytruncate") {
		t.Errorf("long NUL run: stats %+v", st)
	}
}
