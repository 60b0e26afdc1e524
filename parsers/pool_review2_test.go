package parsers

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// poisonPool stands in for readerPool: it never hands a buffer out again, and a buffer given
// back is filled at once with lines no input holds. A reader still reading through a buffer it
// gave back, or a record or sampled line still pointing into it, then meets those lines, and
// giving one buffer back twice is reported.
type poisonPool struct {
	t    *testing.T
	mu   sync.Mutex
	seen map[*bufio.Reader]bool
	n    int
}

type poisonSource struct{}

func (poisonSource) Read(p []byte) (int, error) {
	const line = "time=2000-01-01T00:00:00Z method=POST path=/POISON status=999\n"
	for i := range p {
		p[i] = line[i%len(line)]
	}
	return len(p), nil
}

func (p *poisonPool) Get() any { return nil }

func (p *poisonPool) Put(x any) {
	br := x.(*bufio.Reader)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen[br] {
		p.t.Errorf("a read buffer given back twice")
		return
	}
	p.seen[br] = true
	p.n++
	br.Reset(poisonSource{})
	br.Peek(br.Size()) // overwrite all of it
}

func withPoisonPool(t *testing.T) *poisonPool {
	saved := readerPool
	p := &poisonPool{t: t, seen: map[*bufio.Reader]bool{}}
	readerPool = p
	t.Cleanup(func() { readerPool = saved })
	return p
}

func gzipMembers(b []byte, members int) []byte {
	var z bytes.Buffer
	cut := len(b) / members
	for m := range members {
		part := b[m*cut:]
		if m < members-1 {
			part = b[m*cut : (m+1)*cut]
		}
		w := gzip.NewWriter(&z)
		w.Write(part)
		w.Close()
	}
	return z.Bytes()
}

// longFirstLine gives the first line of b a field that takes it past the 256 KiB read buffer,
// so that detection reads past it (sampleInput) and the input is scanned through the reader
// sampleInput makes around the pooled one.
func longFirstLine(b []byte) []byte {
	i := bytes.IndexByte(b, '\n')
	pad := " note=" + strings.Repeat("x", 300<<10)
	return append(append(append([]byte(nil), b[:i]...), pad...), b[i:]...)
}

// TestMergePooledBuffersNotReadAfterGiveBack: files in turn (more than 16, so that every core
// probes them), plain, gzip, gzip in several members, with a first line longer than the read
// buffer, beside standard input, merged while every buffer given back to the pool is
// overwritten at once. Every record comes once, in the reference merge's order, with its own
// text; the Stats are each input's own; no buffer is given back twice. It fails when a drained
// buffer is given back while the input still reads it (drained in run.go putting br back
// before taking what it buffered), or when the readCloser of an input whose first line is
// over-long gives back the buffer sampleInput's reader still reads.
func TestMergePooledBuffersNotReadAfterGiveBack(t *testing.T) {
	forMergeProcs(t, testMergePooledBuffers)
}

func testMergePooledBuffers(t *testing.T) {
	pool := withPoisonPool(t)
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for seed := int64(1); seed <= 2; seed++ {
		rng := rand.New(rand.NewSource(seed * 31337))
		dir := t.TempDir()
		var inputs []Input
		var streams []*refStream
		lines := map[string]int64{}
		ts := t0
		files := 17 + rng.Intn(6)
		for f := 0; f < files; f++ {
			name := fmt.Sprintf("alb-%03d.log", f)
			s := &refStream{name: name}
			n := 1 + rng.Intn(3000)
			b := tieLines(rng, nil, s, name, ts, n)
			for _, x := range s.times {
				if x.After(ts) {
					ts = x
				}
			}
			ts = ts.Add(2 * time.Second)
			switch f % 4 {
			case 1:
				b = gzipMembers(b, 1)
			case 2:
				b = gzipMembers(b, 3)
			case 3:
				b = longFirstLine(b)
				if f%8 == 7 {
					b = gzipMembers(b, 2)
				}
			}
			in := Input{Name: name, Layer: "alb", Path: filepath.Join(dir, name)}
			if err := os.WriteFile(in.Path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, in)
			streams = append(streams, s)
			lines[name] = int64(n)
		}
		s := &refStream{name: "edge.log"}
		b := tieLines(rng, nil, s, "edge.log", t0, 12000)
		if seed%2 == 1 { // standard input is probed, kept open and scanned later, drained or not
			b = longFirstLine(b)
		}
		inputs = append(inputs, Input{Name: "edge.log", Layer: "edge", Path: "-", Stdin: bytes.NewReader(b)})
		streams = append(streams, s)
		lines["edge.log"] = 12000
		mergeAndCheck(t, seed, inputs, streams, lines, 1<<20)
	}
	if pool.n == 0 {
		t.Fatal("no buffer was given back to the pool")
	}
}

// TestOpenedScanPooledBuffers: the same kinds of input read one at a time, as parse reads them
// (OpenInput, then Opened.Scan), while every buffer given back is overwritten at once: each
// reads back every line with its own text; a damaged gzip header fails to open, a gzip stream
// cut short keeps the lines before the cut and says so, and neither gives a buffer back twice.
func TestOpenedScanPooledBuffers(t *testing.T) {
	pool := withPoisonPool(t)
	rng := rand.New(rand.NewSource(5))
	dir := t.TempDir()
	c := &Config{Format: FormatApp}
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for f := 0; f < 8; f++ {
		name := fmt.Sprintf("f%02d.log", f)
		n := 1 + rng.Intn(15000)
		b := tieLines(rng, nil, &refStream{}, name, t0, n)
		if f%3 == 2 {
			b = longFirstLine(b)
		}
		if f%2 == 1 {
			b = gzipMembers(b, 1+f%3)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		o, err := c.OpenInput(Input{Name: name, Path: path})
		if err != nil {
			t.Fatal(err)
		}
		var read, wrong atomic.Int64 // work runs on every core
		st := o.Scan(1<<20, func(r *Record, _ *Batch) {
			if want := fmt.Sprintf("/%s/%d", name, r.Line-1); r.Path != want && wrong.Add(1) == 1 {
				t.Errorf("%s:%d has path %q, want %q", name, r.Line, r.Path, want)
			}
			read.Add(1)
		}, nil)
		if st.Err != "" || st.Read != int64(n) || read.Load() != int64(n) {
			t.Errorf("%s: %d records, stats %+v; want %d lines", name, read.Load(), st, n)
		}
	}
	// A damaged header: the gzip magic, then no valid header.
	bad := filepath.Join(dir, "bad.log.gz")
	os.WriteFile(bad, []byte("\x1f\x8b\x00\x00garbage that is not a gzip header\n"), 0o644)
	if _, err := c.OpenInput(Input{Name: "bad.log.gz", Path: bad}); err == nil || !strings.Contains(err.Error(), "gzip header") {
		t.Errorf("damaged gzip header: %v, want a gzip header error", err)
	}
	// A gzip stream cut short.
	b := tieLines(rng, nil, &refStream{}, "cut.log", t0, 50000)
	z := gzipMembers(b, 1)
	cut := filepath.Join(dir, "cut.log.gz")
	os.WriteFile(cut, z[:len(z)/2], 0o644)
	o, err := c.OpenInput(Input{Name: "cut.log.gz", Path: cut})
	if err != nil {
		t.Fatal(err)
	}
	var wrong atomic.Int64
	st := o.Scan(1<<20, func(r *Record, _ *Batch) {
		if want := fmt.Sprintf("/cut.log/%d", r.Line-1); r.Path != want && wrong.Add(1) == 1 {
			t.Errorf("cut.log.gz:%d has path %q, want %q", r.Line, r.Path, want)
		}
	}, nil)
	if !strings.Contains(st.Err, "truncated") || st.Read == 0 || st.Read >= 50000 {
		t.Errorf("cut gzip: stats %+v; want some lines and a truncated stream", st)
	}
	// After all of that the decompressors in the pool still read a whole file right.
	g := filepath.Join(dir, "after.log.gz")
	os.WriteFile(g, gzipMembers(tieLines(rng, nil, &refStream{}, "after.log", t0, 7000), 2), 0o644)
	if o, err = c.OpenInput(Input{Name: "after.log.gz", Path: g}); err != nil {
		t.Fatal(err)
	}
	if st := o.Scan(0, nil, nil); st.Err != "" || st.Parsed != 7000 {
		t.Errorf("gzip after errors: %+v, want 7000 lines parsed", st)
	}
	if pool.n == 0 {
		t.Fatal("no buffer was given back to the pool")
	}
}
