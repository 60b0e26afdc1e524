package parsers

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// scanKept reads r as Merge does (blocks held, records kept in place, batches given back for
// reuse) and returns the records as "<line><path>" and the counts.
func scanKept(r io.Reader, max, workers, chunk int) ([]string, Stats) {
	var got []string
	free := make(chan *Batch, 4)
	st := Scan("in.log", r, ScanConfig{
		NewParser: func() Parser { return scanTestParser{} },
		MaxLine:   max, Workers: workers, ChunkSize: chunk, HoldBlocks: true, Free: free,
		Work: func(rec *Record, b *Batch) { b.Keep(rec) },
		Deliver: func(b *Batch) {
			for _, r := range b.Records {
				got = append(got, fmt.Sprintf("%d%s", r.Line, r.Path))
			}
			select {
			case free <- b:
			default:
			}
		},
	})
	return got, st
}

// TestScanSerialSameAsParallel: one worker (scanSerial, one goroutine) and several (scanParallel)
// make the same of awkward inputs, cut into blocks of every size from 16 to 299 bytes: the
// records, their line numbers, the counts and the rejected lines' places are those of a
// line-by-line read.
func TestScanSerialSameAsParallel(t *testing.T) {
	const max = 40
	long := strings.Repeat("x", max+1)
	inputs := []string{
		"",
		"\n",
		"\n\n\n",
		"ok",
		"ok a\nok b", // no final newline
		"ok a\r\nbad\r\n\r\n  \t\nok b\r\n",
		"ok " + strings.Repeat("y", max-3) + "\nok " + strings.Repeat("y", max-2) + "\nok z\n", // at the limit, one over
		"ok " + strings.Repeat("y", max-3) + "\r\nok 2\r\n",                                    // at the limit, with CR
		long + "\n" + long + long + "\nok after\n" + long,                                      // over the limit, the last without a newline
		strings.Repeat("ok 0123456789 abcdef\n", 60),
	}
	for i, in := range inputs {
		want, wantSt := refScan([]byte(in), max)
		for chunk := 16; chunk < 300; chunk++ {
			for _, workers := range []int{1, 3} {
				got, st := scanKept(strings.NewReader(in), max, workers, chunk)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("input %d, blocks of %d, %d workers: records %q, want %q", i, chunk, workers, got, want)
				}
				if st.Read != wantSt.Read || st.Parsed != wantSt.Parsed || st.Blank != wantSt.Blank || st.Rejected != wantSt.Rejected || st.Err != "" {
					t.Fatalf("input %d, blocks of %d, %d workers: stats %+v, want %+v", i, chunk, workers, st, wantSt)
				}
				_, stPar := scanKept(strings.NewReader(in), max, 2, chunk)
				if !reflect.DeepEqual(st.Examples, stPar.Examples) {
					t.Fatalf("input %d, blocks of %d: rejected %+v with %d workers, %+v with 2", i, chunk, st.Examples, workers, stPar.Examples)
				}
			}
		}
	}
}

// changing is a file that changes as it is read: after the first read, change runs once.
type changing struct {
	f      *os.File
	change func()
	done   bool
}

func (c *changing) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	if !c.done {
		c.done = true
		c.change()
	}
	return n, err
}

// TestScanFileChangesWhileRead: a file that grows or is cut short while it is read (an active
// log, a log rotated by copytruncate) is read up to where it ends when the reader gets there,
// every line counted, the last one too when the cut leaves it without its newline; with one
// worker and with several.
func TestScanFileChangesWhileRead(t *testing.T) {
	var content bytes.Buffer
	for i := 1; i <= 2000; i++ {
		fmt.Fprintf(&content, "ok %d\n", i)
	}
	more := []byte("ok more\n\nbad\nok last")
	cut := bytes.Index(content.Bytes(), []byte("ok 1500\n")) + 4 // in the middle of line 1500
	for _, c := range []struct {
		name   string
		change func(path string) error
		want   []byte
	}{
		{"grows", func(path string) error {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.Write(more)
			return err
		}, append(append([]byte(nil), content.Bytes()...), more...)},
		{"shrinks", func(path string) error { return os.Truncate(path, int64(cut)) }, content.Bytes()[:cut]},
		{"emptied", func(path string) error { return os.Truncate(path, 0) }, nil},
	} {
		for _, workers := range []int{1, 2} {
			path := filepath.Join(t.TempDir(), "live.log")
			if err := os.WriteFile(path, content.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			const chunk = 512 // the first read takes 512 bytes, before the file changes
			r := &changing{f: f, change: func() {
				if err := c.change(path); err != nil {
					t.Fatal(err)
				}
			}}
			got, st := scanKept(r, 100, workers, chunk)
			f.Close()
			want := c.want
			if len(want) < chunk {
				want = content.Bytes()[:chunk] // read before the file was emptied
			}
			wantRecs, wantSt := refScan(want, 100)
			if !reflect.DeepEqual(got, wantRecs) {
				t.Fatalf("%s, %d workers: %d records, want %d (last %q, want %q)", c.name, workers, len(got), len(wantRecs), last(got), last(wantRecs))
			}
			if st.Read != wantSt.Read || st.Parsed != wantSt.Parsed || st.Blank != wantSt.Blank || st.Rejected != wantSt.Rejected || st.Err != "" {
				t.Fatalf("%s, %d workers: stats %+v, want %+v", c.name, workers, st, wantSt)
			}
		}
	}
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// TestTimeOKAsCheckTime: every time timeOK lets through passes CheckTime, and it lets through
// the zero time and times well inside the range (ordinary ones, with a monotonic reading, in
// another zone, the last whole seconds before the ends); it leaves the ends' own seconds and
// anything beyond them to CheckTime.
func TestTimeOKAsCheckTime(t *testing.T) {
	zone := time.FixedZone("x", -7*3600)
	var cases []time.Time
	for _, end := range []time.Time{minTime, maxTime} {
		for _, d := range []time.Duration{-2 * time.Second, -time.Second, -time.Nanosecond, 0, time.Nanosecond, time.Second, 2 * time.Second} {
			cases = append(cases, end.Add(d), end.Add(d).In(zone))
		}
	}
	cases = append(cases, time.Time{}, time.Time{}.In(zone), time.Now(), time.Now().In(zone), time.Unix(0, 0), time.Unix(1<<40, 0),
		time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, c := range cases {
		if timeOK(c) && CheckTime(c) != nil {
			t.Errorf("%v: timeOK, but CheckTime: %v", c, CheckTime(c))
		}
	}
	for _, c := range []time.Time{time.Time{}, time.Now(), time.Date(2026, 11, 24, 10, 0, 0, 0, zone),
		minTime.Add(time.Second).Truncate(time.Second).Add(time.Second), maxTime.Truncate(time.Second).Add(-time.Nanosecond)} {
		if !timeOK(c) {
			t.Errorf("%v (second %d): not timeOK", c, c.Unix())
		}
	}
	for _, c := range []time.Time{minTime, maxTime, minTime.Add(-time.Nanosecond), maxTime.Add(time.Nanosecond), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)} {
		if timeOK(c) {
			t.Errorf("%v (second %d): timeOK", c, c.Unix())
		}
	}
}
