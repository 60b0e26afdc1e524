package progress

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func notTerminal(io.Writer) bool         { return false }

func TestLineDelayThrottleClear(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	m := &Meter{}
	m.AddTotal(400 << 20)
	// The ticker never fires: the test calls tick itself, with the clock where it wants it.
	l := Start(&out, m, true, Options{Label: "parse", Now: clock.now, Terminal: func(io.Writer) bool { return true },
		tick: func() <-chan time.Time { return nil }})
	if l == nil {
		t.Fatal("no line on a terminal")
	}
	step := func(d time.Duration) {
		clock.add(d)
		l.tick()
	}
	m.AddBytes(100 << 20)
	step(500 * time.Millisecond)
	if out.Len() != 0 {
		t.Fatalf("drawn before a second: %q", out.String())
	}
	step(600 * time.Millisecond)
	first := out.String()
	if !strings.HasPrefix(first, "\r") || !strings.HasSuffix(first, "\x1b[K") {
		t.Fatalf("line %q is not drawn over itself", first)
	}
	for _, want := range []string{"parse", "105 MB of 419 MB (25%)", "95.3 MB/s", "1s, 3s left"} {
		if !strings.Contains(first, want) {
			t.Errorf("line %q lacks %q", first, want)
		}
	}
	step(100 * time.Millisecond) // within the interval: not redrawn
	if out.String() != first {
		t.Errorf("redrawn within the interval: %q", out.String())
	}
	m.AddRecords(1234567)
	m.Phase("read")
	step(300 * time.Millisecond)
	if n := strings.Count(out.String(), "\x1b[K"); n != 2 {
		t.Errorf("%d draws after the interval, want 2: %q", n, out.String())
	}
	if !strings.Contains(out.String(), "parse: read · ") || !strings.Contains(out.String(), "1,234,567 records") {
		t.Errorf("phase or records missing: %q", out.String())
	}
	// A message written through Log clears the line first.
	log := l.Log(&out)
	io.WriteString(log, "es: connected\n")
	if !strings.Contains(out.String(), "\r\x1b[Kes: connected\n") {
		t.Errorf("log line not preceded by a clear: %q", out.String())
	}
	step(time.Second)
	l.Stop()
	if !strings.HasSuffix(out.String(), "\r\x1b[K") {
		t.Errorf("not cleared at the end: %q", out.String())
	}
	l.Stop() // twice is fine
}

func TestLineNever(t *testing.T) {
	var out bytes.Buffer
	m := &Meter{}
	if l := Start(&out, m, true, Options{Terminal: notTerminal}); l != nil {
		t.Error("a line on a writer that is not a terminal")
	}
	if l := Start(&out, m, false, Options{Terminal: func(io.Writer) bool { return true }}); l != nil {
		t.Error("a line with show false (-q, JSON output)")
	}
	if IsTerminal(&out) {
		t.Error("a buffer is a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is a terminal")
	}
	var l *Line
	l.Stop()
	if l.Log(&out) != &out {
		t.Error("a nil line's Log is not the writer")
	}
	var nm *Meter
	nm.AddBytes(1)
	nm.AddRecords(1)
	nm.Phase("x")
	if r := strings.NewReader("abc"); nm.Counter(r) != r {
		t.Error("a nil meter wraps readers")
	}
}

func TestCounter(t *testing.T) {
	m := &Meter{}
	n, _ := io.Copy(io.Discard, m.Counter(strings.NewReader(strings.Repeat("x", 5000))))
	if n != 5000 || m.bytes.Load() != 5000 {
		t.Errorf("counted %d of %d", m.bytes.Load(), n)
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 1536000: "1.5 MB", 365144773: "365 MB", 12e9: "12.0 GB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
