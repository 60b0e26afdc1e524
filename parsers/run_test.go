package parsers

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMergeReadsManyFilesInTimeOrder: 40 files of one layer, each holding one minute (named so
// that name order is the reverse of time order), and one file of another layer spanning all 40
// minutes. The merge must hand out records in time order, as the engine's join window needs.
func TestMergeReadsManyFilesInTimeOrder(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	line := func(ts time.Time, i int) string {
		return fmt.Sprintf("time=%s method=GET path=/x/%d status=200 request_id=r%d\n", ts.Format(time.RFC3339Nano), i, i)
	}
	var args []string
	for m := 0; m < 40; m++ {
		p := filepath.Join(dir, fmt.Sprintf("alb-%02d.log", 39-m))
		var b []byte
		for s := 0; s < 60; s++ {
			b = append(b, line(t0.Add(time.Duration(m)*time.Minute+time.Duration(s)*time.Second), m*100+s)...)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var b []byte
	for s := 0; s < 40*60; s += 7 {
		b = append(b, line(t0.Add(time.Duration(s)*time.Second+time.Millisecond), 100000+s)...)
	}
	os.WriteFile(filepath.Join(dir, "edge.log"), b, 0o644)
	args = append(args, "alb="+filepath.Join(dir, "alb-*.log"), "edge="+filepath.Join(dir, "edge.log"))
	inputs, err := ExpandInputs(args)
	if err != nil {
		t.Fatal(err)
	}
	c := &Config{Format: FormatApp}
	var last time.Time
	n, disorder := 0, 0
	stats := c.Merge(inputs, 0, func(*Record) bool { return true }, func(r *Record) {
		if r.Time.Before(last) {
			disorder++
		}
		last = r.Time
		n++
	})
	if want := 40*60 + (40*60+6)/7; n != want {
		t.Errorf("%d records, want %d", n, want)
	}
	if disorder != 0 {
		t.Errorf("%d records out of time order", disorder)
	}
	for _, s := range stats {
		if s.Err != "" || s.Rejected != 0 {
			t.Errorf("%+v", s)
		}
	}
}
