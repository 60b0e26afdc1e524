package parsers

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// keepTestParser reads "<n> <path>": the path aliases the line, the method lives in the parser's
// scratch (reused by the next line), and the record gets n upstream statuses (more than fit in
// the record's own storage when n > 8).
type keepTestParser struct{ scratch []byte }

func (p *keepTestParser) Parse(line []byte, rec *Record) error {
	num, path, ok := bytes.Cut(line, []byte{' '})
	if !ok {
		return fmt.Errorf("no space")
	}
	n, err := strconv.Atoi(string(num))
	if err != nil {
		return err
	}
	p.scratch = append(p.scratch[:0], "M"...)
	p.scratch = strconv.AppendInt(p.scratch, int64(n), 10)
	rec.Method = bstr(p.scratch)
	rec.Path = bstr(path)
	for i := 0; i < n%12; i++ {
		rec.AppendUpstream(500 + n + i)
	}
	return nil
}

func keepTestInput(lines int) string {
	var b strings.Builder
	for i := 0; i < lines; i++ {
		fmt.Fprintf(&b, "%d /p/%d/%s\n", i, i, strings.Repeat("z", i%40))
		if i%7 == 3 {
			b.WriteString("bad\n") // rejected: parsed into the same record as the next line
		}
	}
	return b.String()
}

// checkKept reports a kept record (its Status set to its line's number) whose values are not
// its line's. It runs in Scan's goroutines, so it does not stop the test.
func checkKept(t *testing.T, r *Record) bool {
	t.Helper()
	i := r.Status
	ok := r.Method == "M"+strconv.Itoa(i) && r.Path == fmt.Sprintf("/p/%d/%s", i, strings.Repeat("z", i%40)) &&
		len(r.Upstream) == i%12
	for k, u := range r.Upstream {
		ok = ok && u == 500+i+k
	}
	if !ok {
		t.Errorf("record %d: method %q path %q upstream %v", i, r.Method, r.Path, r.Upstream)
	}
	return ok
}

// TestKeepInPlace: every record Scan hands to the work function is kept where it was parsed
// (Keep returns the same record, nothing copied), and the kept records keep their own values —
// strings in the held block and in the parser's scratch, upstream statuses in the record's own
// storage and beyond it — while later lines, rejected ones too, are parsed, and while batches
// are reused.
func TestKeepInPlace(t *testing.T) {
	const lines = 30000
	free := make(chan *Batch, 4)
	n, copied := 0, 0
	st := Scan("in.log", strings.NewReader(keepTestInput(lines)), ScanConfig{
		NewParser: func() Parser { return &keepTestParser{} },
		Workers:   2, ChunkSize: 8 << 10, HoldBlocks: true, Free: free,
		Work: func(rec *Record, b *Batch) {
			rec.Status, _ = strconv.Atoi(rec.Method[1:]) // which line the record came from
			if b.Keep(rec) != rec {
				copied++
			}
		},
		Deliver: func(b *Batch) {
			for _, r := range b.Records {
				if !checkKept(t, r) || r.Status != n {
					t.Errorf("record %d delivered as %d", r.Status, n)
					n = r.Status // one error per misplaced record
				}
				n++
			}
			select {
			case free <- b:
			default:
			}
		},
	})
	if n != lines || st.Parsed != lines || st.Rejected != (lines+3)/7 {
		t.Fatalf("delivered %d, stats %+v", n, st)
	}
	if copied != 0 {
		t.Errorf("%d records copied by Keep", copied)
	}
}

// TestKeepOtherRecord: a work function that keeps a record of its own (not the one Scan parsed)
// gets a copy, and the record Scan handed it stays intact for the rest of the call.
func TestKeepOtherRecord(t *testing.T) {
	n := 0
	Scan("in.log", strings.NewReader(keepTestInput(2000)), ScanConfig{
		NewParser: func() Parser { return &keepTestParser{} },
		Workers:   1, ChunkSize: 4 << 10,
		Work: func(rec *Record, b *Batch) {
			var other Record
			other.Reset()
			other.Method, other.Path = "OTHER", "/other"
			other.AppendUpstream(1)
			k := b.Keep(&other)
			if k == &other || k == rec {
				t.Error("Keep did not copy a record of the work function's own")
			}
			if !strings.HasPrefix(rec.Method, "M") || !strings.HasPrefix(rec.Path, "/p/") {
				t.Errorf("the parsed record was overwritten: %q %q", rec.Method, rec.Path)
				return
			}
			rec.Status, _ = strconv.Atoi(rec.Method[1:])
			checkKept(t, b.Keep(rec))
		},
		Deliver: func(b *Batch) {
			if len(b.Records)%2 != 0 {
				t.Errorf("%d records", len(b.Records))
				return
			}
			for i := 0; i < len(b.Records); i += 2 {
				if o := b.Records[i]; o.Method != "OTHER" || o.Path != "/other" || len(o.Upstream) != 1 {
					t.Errorf("kept %q %q %v", o.Method, o.Path, o.Upstream)
				}
				checkKept(t, b.Records[i+1])
				n++
			}
		},
	})
	if n != 2000 {
		t.Errorf("%d records", n)
	}
}
