package main

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logtriage/logtriage/internal/progress"
)

// fakeTerminal is standard error on a terminal: the progress line draws on it from its own
// goroutine while the command writes its summary.
type fakeTerminal struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (f *fakeTerminal) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.Write(p)
}

func (f *fakeTerminal) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.String()
}

// frames are the progress line's draws and its final clear.
var frames = regexp.MustCompile("\r[^\r\n]*\x1b\\[K")

// TestProgressLine runs parse and analyze on a fake terminal whose line is due at once and
// redrawn every millisecond (hundreds of frames per run; a nanosecond interval drew tens of
// thousands and cost three times the CPU): the output is the same as without a terminal, stderr
// too once the line's frames are taken out, and the line is cleared before the summary. With -q
// or JSON output nothing is drawn.
func TestProgressLine(t *testing.T) {
	t.Parallel() // in process, no globals; runs beside the other slow tests
	due := progress.Options{Terminal: func(io.Writer) bool { return true }, Delay: time.Nanosecond, Interval: time.Millisecond}
	inputs := []string{"edge=samples/incidents/edge.log", "alb=samples/incidents/alb.log.gz"}
	parse := func(quiet bool) *parseCmd {
		return &parseCmd{inputFlags: inputFlags{Inputs: inputs, MaxLine: 1 << 22, Quiet: quiet}}
	}
	analyze := func(output string) *analyzeCmd {
		c := &analyzeCmd{inputFlags: inputFlags{Inputs: inputs, MaxLine: 1 << 22}}
		c.JoinWindow, c.Output, c.Top, c.Detail = 2*time.Minute, output, 20, 10
		return c
	}
	for _, tc := range []struct {
		name  string
		run   func(*streams) error
		drawn bool // a line may be drawn
	}{
		{"parse", parse(false).Run, true},
		{"parse -q", parse(true).Run, false},
		{"analyze", analyze("text").Run, true},
		{"analyze -o json", analyze("json").Run, false},
	} {
		var plainOut, plainErr, out bytes.Buffer
		term := &fakeTerminal{}
		if err := tc.run(&streams{out: &plainOut, err: &plainErr}); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := tc.run(&streams{out: &out, err: term, progress: due}); err != nil {
			t.Fatalf("%s on a terminal: %v", tc.name, err)
		}
		got := term.String()
		if strings.Contains(plainErr.String(), "\x1b") {
			t.Errorf("%s: a progress line on a writer that is not a terminal: %q", tc.name, plainErr.String())
		}
		if !tc.drawn && strings.Contains(got, "\x1b") {
			t.Errorf("%s: a progress line: %q", tc.name, got)
		}
		if out.String() != plainOut.String() {
			t.Errorf("%s: the progress line changed standard output", tc.name)
		}
		if rest := frames.ReplaceAllString(got, ""); rest != plainErr.String() {
			t.Errorf("%s: stderr without the line's frames is %q, want %q", tc.name, rest, plainErr.String())
		}
		if f := frames.FindAllString(got, -1); len(f) > 0 && f[len(f)-1] != "\r\x1b[K" {
			t.Errorf("%s: the line is not cleared at the end: %q", tc.name, got)
		}
	}
}
