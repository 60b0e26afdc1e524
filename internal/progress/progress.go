// Package progress shows how far a long run has got, on one line of a terminal's standard error.
//
// The work only adds to a Meter (atomic counters, once per block of lines or page of documents);
// a ticker goroutine reads them a few times a second and redraws the line. Nothing is drawn
// in the first second, nothing at all when the writer is not a terminal, and the line is
// cleared when the run ends, so that a finished command leaves only its own output.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/logtriage/logtriage/internal/num"
)

// Reporter is what a long job tells the progress line: the phase it is in and the records
// (lines, documents) it has read. A nil *Meter is a Reporter that does nothing.
type Reporter interface {
	Phase(name string)
	AddRecords(n int64)
}

// Meter counts what a run has read. Its methods may be called from any goroutine, and on a
// nil *Meter (no progress shown), where they do nothing.
type Meter struct {
	bytes, total, records atomic.Int64
	phase                 atomic.Pointer[string]
}

var _ Reporter = (*Meter)(nil)

// AddBytes counts n bytes read (of a file: compressed bytes for a gzip file, so that they
// compare with its size).
func (m *Meter) AddBytes(n int64) {
	if m != nil {
		m.bytes.Add(n)
	}
}

// AddTotal adds n bytes to the total to read.
func (m *Meter) AddTotal(n int64) {
	if m != nil {
		m.total.Add(n)
	}
}

// AddRecords counts n records (lines, documents) read.
func (m *Meter) AddRecords(n int64) {
	if m != nil {
		m.records.Add(n)
	}
}

// Phase names the current phase of the run ("count", "read", "hops").
func (m *Meter) Phase(name string) {
	if m != nil {
		m.phase.Store(&name)
	}
}

// Counter returns r, counting the bytes read through it.
func (m *Meter) Counter(r io.Reader) io.Reader {
	if m == nil {
		return r
	}
	return &counting{r: r, m: m}
}

type counting struct {
	r io.Reader
	m *Meter
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.m.bytes.Add(int64(n))
	return n, err
}

// Options tune a Line; the zero value is the command line's.
type Options struct {
	Label    string                  // what runs ("parse", "analyze"), first on the line
	Unit     string                  // what the records are ("lines", "documents"; default "records")
	Delay    time.Duration           // nothing is shown before (default 1 s)
	Interval time.Duration           // between redraws (default 250 ms)
	Now      func() time.Time        // the clock (default time.Now)
	Terminal func(io.Writer) bool    // whether w is a terminal (default IsTerminal)
	Width    int                     // the longest line drawn (default 79)
	tick     func() <-chan time.Time // tests drive the ticks
}

// Line is the progress line of one run.
type Line struct {
	m    *Meter
	w    io.Writer
	opts Options

	mu    sync.Mutex // serialises drawing with Log writes
	start time.Time
	last  time.Time // of the last redraw
	shown bool      // the terminal shows the line: clear it before anything else is written
	stop  chan struct{}
	done  chan struct{}
}

// Start shows the progress of m on w until Stop, if w is a terminal. It returns nil (whose
// methods do nothing) otherwise; show false (-q, JSON output) is the same as no terminal.
func Start(w io.Writer, m *Meter, show bool, opts Options) *Line {
	if opts.Terminal == nil {
		opts.Terminal = IsTerminal
	}
	if !show || m == nil || !opts.Terminal(w) {
		return nil
	}
	l := newLine(w, m, opts)
	go func() {
		defer close(l.done)
		var c <-chan time.Time
		if opts.tick != nil {
			c = opts.tick()
		} else {
			t := time.NewTicker(l.opts.Interval)
			defer t.Stop()
			c = t.C
		}
		for {
			select {
			case <-l.stop:
				return
			case <-c:
				l.tick()
			}
		}
	}()
	return l
}

func newLine(w io.Writer, m *Meter, opts Options) *Line {
	if opts.Delay <= 0 {
		opts.Delay = time.Second
	}
	if opts.Interval <= 0 {
		opts.Interval = 250 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Width <= 0 {
		opts.Width = 79
	}
	if opts.Unit == "" {
		opts.Unit = "records"
	}
	return &Line{m: m, w: w, opts: opts, start: opts.Now(), stop: make(chan struct{}), done: make(chan struct{})}
}

// tick redraws the line when the delay has passed and the last redraw is an interval old.
func (l *Line) tick() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.opts.Now()
	if now.Sub(l.start) < l.opts.Delay || (l.shown && now.Sub(l.last) < l.opts.Interval*9/10) {
		return
	}
	l.last = now
	text := l.text(now)
	if r := []rune(text); len(r) > l.opts.Width {
		text = string(r[:l.opts.Width-1]) + "…"
	}
	fmt.Fprintf(l.w, "\r%s\x1b[K", text)
	l.shown = true
}

// text is the line's content: what has been read of what, how fast, the phase.
func (l *Line) text(now time.Time) string {
	var b strings.Builder
	b.WriteString(l.opts.Label)
	if p := l.m.phase.Load(); p != nil {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(*p)
	}
	secs := now.Sub(l.start).Seconds()
	sep := func() {
		if b.Len() > 0 {
			b.WriteString(" · ")
		}
	}
	read, total, recs := l.m.bytes.Load(), l.m.total.Load(), l.m.records.Load()
	if read > 0 || total > 0 {
		sep()
		b.WriteString(Bytes(read))
		if total > 0 {
			pct := 100 * float64(read) / float64(total)
			if pct > 100 {
				pct = 100
			}
			fmt.Fprintf(&b, " of %s (%.0f%%)", Bytes(total), pct)
		}
		if secs > 0 {
			fmt.Fprintf(&b, " · %s/s", Bytes(int64(float64(read)/secs)))
		}
	}
	if recs > 0 {
		sep()
		b.WriteString(num.Thousands(recs))
		b.WriteString(" ")
		b.WriteString(l.opts.Unit)
		if read == 0 && secs > 0 {
			fmt.Fprintf(&b, " · %s/s", num.Thousands(int64(float64(recs)/secs)))
		}
	}
	sep()
	b.WriteString(time.Duration(secs * float64(time.Second)).Round(time.Second).String())
	if total > 0 && read > 0 && read < total && secs > 0 {
		left := time.Duration(float64(total-read) / (float64(read) / secs) * float64(time.Second))
		fmt.Fprintf(&b, ", %s left", left.Round(time.Second))
	}
	return b.String()
}

// Meter returns the meter the line shows, for a job to report to; on nil, a nil *Meter (whose
// methods do nothing).
func (l *Line) Meter() *Meter {
	if l == nil {
		return nil
	}
	return l.m
}

// Stop ends the line and clears it from the terminal. It may be called on nil.
func (l *Line) Stop() {
	if l == nil {
		return
	}
	select {
	case <-l.stop:
		return // stopped already
	default:
	}
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clear()
}

func (l *Line) clear() {
	if l.shown {
		io.WriteString(l.w, "\r\x1b[K")
		l.shown = false
	}
}

// Log returns a writer for the run's own messages on the same terminal: each write clears
// the progress line first, which the next tick draws again below the message. Without a
// line it returns w.
func (l *Line) Log(w io.Writer) io.Writer {
	if l == nil || w == nil {
		return w
	}
	return logWriter{l: l, w: w}
}

type logWriter struct {
	l *Line
	w io.Writer
}

func (lw logWriter) Write(p []byte) (int, error) {
	lw.l.mu.Lock()
	defer lw.l.mu.Unlock()
	lw.l.clear()
	return lw.w.Write(p)
}

// Bytes formats a byte count for people: 512 B, 1.5 MB, 12 GB (powers of 1000, like the rates
// of the README).
func Bytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n), -1
	for f >= unit && i < 4 {
		f /= unit
		i++
	}
	prec := 1
	if f >= 100 {
		prec = 0
	}
	return fmt.Sprintf("%.*f %cB", prec, f, "kMGTP"[i])
}
