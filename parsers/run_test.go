package parsers

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// TestMergeReusesBatches: two inputs of many blocks each, merged; the records handed out carry
// their own line's values although the merge reuses the memory of the batches it is done with.
func TestMergeReusesBatches(t *testing.T) {
	forMergeProcs(t, testMergeReusesBatches)
}

func testMergeReusesBatches(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var args []string
	for f, name := range []string{"a", "b"} {
		var b []byte
		for i := 0; i < 20000; i++ {
			// Values of every length, so that the slabs fill unevenly.
			b = fmt.Appendf(b, "time=%s method=GET path=/%s/%d/%s status=%d request_id=%s%d\n",
				t0.Add(time.Duration(2*i+f)*time.Millisecond).Format(time.RFC3339Nano), name, i,
				string(make([]byte, i%97)), 200+i%300, name, i)
		}
		p := filepath.Join(dir, name+".log")
		if err := os.WriteFile(p, bytes.ReplaceAll(b, []byte{0}, []byte("x")), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, name+"="+p)
	}
	inputs, err := ExpandInputs(args)
	if err != nil {
		t.Fatal(err)
	}
	c := &Config{Format: FormatApp}
	n := 0
	c.Merge(inputs, 0, func(*Record) bool { return true }, func(r *Record) {
		n++
		i := r.Line - 1
		want := fmt.Sprintf("/%s/%d/%s", r.Layer, i, strings.Repeat("x", int(i%97)))
		if r.Path != want || r.Status != 200+int(i%300) || r.IDs.RequestID != fmt.Sprintf("%s%d", r.Layer, i) {
			t.Fatalf("%s:%d: path %q status %d id %q", r.Layer, r.Line, r.Path, r.Status, r.IDs.RequestID)
		}
	})
	if n != 40000 {
		t.Errorf("%d records, want 40000", n)
	}
}

// Starts hears every input's layer and first time once all are opened, before the first record
// is handed over: a named input, an unnamed one (its layer is its format), one without times.
func TestMergeTellsStarts(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string { return writeIn(t, dir, name, s) }
	edge := write("edge.log", `10.0.0.1 - - [24/Nov/2026:10:00:05 +0000] "GET /a HTTP/1.1" 200 3 "-" "curl/8.5.0"`+"\n")
	plain := write("nginx.log", `10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] "GET /b HTTP/1.1" 200 3 "-" "curl/8.5.0"`+"\n")
	untimed := write("app.log", "GET /c 200 1.2 ms - 3\n")
	inputs, err := ExpandInputs([]string{"edge=" + edge, plain, "app=" + untimed})
	if err != nil {
		t.Fatal(err)
	}
	var got []LayerStart
	records := 0
	c := &Config{Starts: func(s []LayerStart) {
		if records != 0 {
			t.Errorf("Starts after %d records", records)
		}
		got = s
	}}
	c.Merge(inputs, 0, func(*Record) bool { return true }, func(*Record) { records++ })
	want := map[string]time.Time{
		"edge":  time.Date(2026, 11, 24, 10, 0, 5, 0, time.UTC),
		"nginx": time.Date(2026, 11, 24, 10, 0, 1, 0, time.UTC),
		"app":   {},
	}
	if len(got) != len(want) {
		t.Fatalf("Starts got %+v; want the three inputs", got)
	}
	for _, s := range got {
		if w, ok := want[s.Layer]; !ok || !s.First.Equal(w) {
			t.Errorf("%s starts %v; want %v", s.Layer, s.First, w)
		}
	}
}

// done hears of a batch only once the next batch of its input is being merged, so that the
// consumer may read a batch's records while they wait for records of other inputs up to a
// batch later (analysis reads them until done): with one input of many blocks, every batch but
// the last is done while a record of a later batch is the newest handed out, and each once.
func TestMergeDoneLagsOneBatch(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var b []byte
	for i := 0; i < 20_000; i++ {
		b = fmt.Appendf(b, "time=%s method=GET path=/x/%d status=200 request_id=r%d\n", t0.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano), i, i)
	}
	p := filepath.Join(dir, "app.log")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	inputs, err := ExpandInputs([]string{"app=" + p})
	if err != nil {
		t.Fatal(err)
	}
	var last *Batch // the batch of the newest record handed out
	batches, dones, early := map[*Batch]int{}, 0, 0
	seq := 0
	c := &Config{Format: FormatApp}
	c.MergeBatches(inputs, 0, func(r *Record, b *Batch) bool { r.Aux.Ref = b; return true },
		func(r *Record) {
			b := r.Aux.Ref.(*Batch)
			if b != last {
				seq++
				batches[b] = seq
				last = b
			}
		},
		func(b *Batch) {
			dones++
			if batches[b] == seq {
				early++ // done while its own records were the newest: the input's last batch only
			}
		})
	if seq < 5 {
		t.Fatalf("%d batches: too few to tell", seq)
	}
	if dones != seq || early != 1 {
		t.Errorf("%d batches merged, %d done, %d of them done before a later batch was merged; want %d, 1", seq, dones, early, seq)
	}
}

// writeIn writes s to the file name in dir and returns its path.
func writeIn(t *testing.T, dir, name, s string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
