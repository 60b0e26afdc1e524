package parsers

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"
)

// TestMergeFilesInTurn: a directory of files that follow each other in time (as an ALB writes
// its objects), gzip and plain, some beside a file of another layer that spans them all. Such
// files are read one or two at a time: the next one is started before it is due, each is
// opened twice through pooled buffers and decompressors, and the batches of each file that ends
// are handed to the next. Every record comes once, in the reference merge's order, with its own
// text (its path names its file and line), and the Stats are each file's own.
func TestMergeFilesInTurn(t *testing.T) {
	forMergeProcs(t, testMergeFilesInTurn)
}

func testMergeFilesInTurn(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for seed := int64(1); seed <= 4; seed++ {
		rng := rand.New(rand.NewSource(seed * 104729))
		dir := t.TempDir()
		var inputs []Input
		var streams []*refStream
		lines := map[string]int64{}
		add := func(name, layer string, b []byte, n int, gz bool) {
			in := Input{Name: name, Layer: layer, Path: filepath.Join(dir, name)}
			if gz {
				var z bytes.Buffer
				w := gzip.NewWriter(&z)
				w.Write(b)
				w.Close()
				b = z.Bytes()
			}
			if err := os.WriteFile(in.Path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, in)
			lines[name] = int64(n)
		}
		ts := t0
		files := 20 + rng.Intn(30)
		for f := 0; f < files; f++ {
			name := fmt.Sprintf("alb-%03d.log", f)
			s := &refStream{name: name}
			n := 1 + rng.Intn(3000) // up to three 64 KiB blocks
			b := tieLines(rng, nil, s, name, ts, n)
			for _, x := range s.times {
				if x.After(ts) {
					ts = x
				}
			}
			ts = ts.Add(2 * time.Second) // the next file starts after this one ends
			streams = append(streams, s)
			add(name, "alb", b, n, rng.Intn(2) == 0)
		}
		if seed%2 == 0 {
			s := &refStream{name: "edge.log"}
			n := 20000
			b := tieLines(rng, nil, s, "edge.log", t0, n)
			streams = append(streams, s)
			add("edge.log", "edge", b, n, false)
		}
		mergeAndCheck(t, seed, inputs, streams, lines, 0)
	}
}

// mergeAndCheck merges inputs (MergeBatches, lines of up to maxLine bytes) whose lines
// tieLines wrote, and checks that every record comes once with its own text (its path names its
// file and line), in the order of the reference merge of streams, and that each input's Stats
// count its lines (lines, by input name), all parsed.
func mergeAndCheck(t *testing.T, seed int64, inputs []Input, streams []*refStream, lines map[string]int64, maxLine int) {
	t.Helper()
	var got []string
	fn := func(r *Record) {
		if want := fmt.Sprintf("/%s/%d", r.File, r.Line-1); r.Path != want {
			t.Fatalf("seed %d: record %s:%d has path %q, want %q", seed, r.File, r.Line, r.Path, want)
		}
		got = append(got, fmt.Sprintf("%s:%d", r.File, r.Line))
	}
	c := &Config{Format: FormatApp}
	stats := c.MergeBatches(inputs, maxLine, func(*Record, *Batch) bool { return true }, fn, nil)
	if want := refMerge(streams); !reflect.DeepEqual(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("seed %d (%d inputs): %d records, want %d; first difference at %d", seed, len(inputs), len(got), len(want), i)
	}
	for i, st := range stats {
		if n := lines[inputs[i].Name]; st.Err != "" || st.Input != inputs[i].Name || st.Read != n || st.Parsed != n {
			t.Errorf("seed %d: stats of %s: %+v, want %d lines parsed", seed, inputs[i].Name, st, n)
		}
	}
}

// strictPool is a pool that fails the test when a buffer is given back while it is in the
// pool already (then two inputs would read through one buffer).
type strictPool struct {
	t    *testing.T
	mu   sync.Mutex
	free []any
}

func (p *strictPool) Get() any {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) == 0 {
		return nil
	}
	x := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	return x
}

func (p *strictPool) Put(x any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, y := range p.free {
		if y == x {
			p.t.Errorf("a read buffer given back twice")
			return
		}
	}
	p.free = append(p.free, x)
}

// TestReadCloserCloseTwice: closing an opened input twice gives its buffers back once, so that
// two inputs opened after it never share one.
func TestReadCloserCloseTwice(t *testing.T) {
	saved := readerPool
	readerPool = &strictPool{t: t}
	defer func() { readerPool = saved }()
	dir := t.TempDir()
	var paths []string
	for i, gz := range []bool{true, false, true, false} {
		p := filepath.Join(dir, fmt.Sprintf("f%d.log", i))
		b := bytes.Repeat([]byte(fmt.Sprintf("line of file %d\n", i)), 40000)
		if gz {
			var z bytes.Buffer
			w := gzip.NewWriter(&z)
			w.Write(b)
			w.Close()
			b = z.Bytes()
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	for i := range 2 {
		rc, err := Input{Path: paths[i]}.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rc.Read(make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		if err := rc.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		if n, err := rc.Read(make([]byte, 10)); n != 0 || err == nil {
			t.Errorf("Read after Close: %d bytes, %v; want an error", n, err)
		}
	}
	// Read the four files side by side, twice: each must read back as written. A plain file's
	// buffer goes back to the pool once it is drained, while the file is still open: closing
	// the file must not give it back again.
	for round := range 2 {
		var rcs []*bytes.Buffer
		var open []interface {
			Read([]byte) (int, error)
			Close() error
		}
		for _, p := range paths {
			rc, err := Input{Path: p}.Open()
			if err != nil {
				t.Fatal(err)
			}
			open = append(open, rc)
			rcs = append(rcs, &bytes.Buffer{})
		}
		buf := make([]byte, 7000)
		for progress := true; progress; {
			progress = false
			for i, rc := range open {
				n, _ := rc.Read(buf)
				rcs[i].Write(buf[:n])
				progress = progress || n > 0
			}
		}
		for i, b := range rcs {
			if want := bytes.Repeat([]byte(fmt.Sprintf("line of file %d\n", i)), 40000); !bytes.Equal(b.Bytes(), want) {
				t.Errorf("round %d: file %d read back %d bytes, want %d as written", round, i, b.Len(), len(want))
			}
			open[i].Close()
		}
	}
}
