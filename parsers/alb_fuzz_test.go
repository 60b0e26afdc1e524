package parsers

import (
	"bytes"
	"os"
	"testing"
)

// FuzzALB feeds the parser arbitrary lines, seeded with every example from docs/formats.md §3.5 and
// the constructed lines of alb_test.go. A line is either rejected with a reason or yields a
// record that has a time and a local/upstream verdict, and that Clone can copy.
func FuzzALB(f *testing.F) {
	data, err := os.ReadFile("testdata/alb/formats-examples.log")
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range bytes.Split(data, []byte("\n")) {
		f.Add(l)
	}
	for _, l := range []string{albConstructedTransform, albConstructedLambda405, albConstructedEscapedUA, albConstructedDashes} {
		f.Add([]byte(l))
	}
	p := NewALB()
	f.Fuzz(func(t *testing.T, line []byte) {
		var rec Record
		rec.Reset()
		err := p.Parse(line, &rec)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty reason")
			}
			return
		}
		if rec.Time.IsZero() || rec.Local == LocalUnknown || rec.Upstream == nil {
			t.Fatalf("accepted record lacks time, verdict or upstream list: %+v", albGot(&rec))
		}
		c := rec.Clone()
		if c.Detail != rec.Detail || c.Path != rec.Path {
			t.Fatal("clone differs")
		}
	})
}
