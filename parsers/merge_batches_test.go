package parsers

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMergeBatchesDone: MergeBatches gives keep the batch each record is parsed into, and done
// gets every batch once fn has had all of its records and before the batch is parsed into
// again — what the engine relies on to reuse the memory it keeps per batch. Two inputs, many
// small blocks (a batch is reused many times), one line in seven filtered out by keep; and one
// input alone, whose blocks several workers parse at once (scanParallel).
func TestMergeBatchesDone(t *testing.T) {
	for _, files := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d inputs", files), func(t *testing.T) {
			forMergeProcs(t, func(t *testing.T) { testMergeBatchesDone(t, files) })
		})
	}
}

func testMergeBatchesDone(t *testing.T, files int) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var args []string
	lines := 0
	for f, name := range []string{"a.log", "b.log"}[:files] {
		var b []byte
		for i := 0; i < 20000; i++ {
			ts := t0.Add(time.Duration(i)*10*time.Millisecond + time.Duration(f)*time.Millisecond)
			b = append(b, fmt.Sprintf("time=%s method=GET path=/x/%d status=200 request_id=r%d-%d\n", ts.Format(time.RFC3339Nano), i, f, i)...)
			lines++
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, name[:1]+"="+p)
	}
	inputs, err := ExpandInputs(args)
	if err != nil {
		t.Fatal(err)
	}
	// What a batch saw since done last had it: kept is written by the input's goroutine while
	// the batch is parsed into, seen by fn, both read and cleared by done.
	type state struct{ kept, seen, uses int }
	var keptN, seen, doneN, batches int
	distinct := map[*Batch]bool{}
	keep := func(r *Record, b *Batch) bool {
		if r.Line%7 == 0 {
			return false
		}
		if b.Aux == nil {
			b.Aux = &state{}
		}
		b.Aux.(*state).kept++
		r.Aux.Ref = b
		return true
	}
	fn := func(r *Record) {
		b := r.Aux.Ref.(*Batch)
		s := b.Aux.(*state)
		s.seen++
		if s.seen > s.kept {
			t.Fatalf("record %d of a batch that kept %d", s.seen, s.kept)
		}
		seen++
	}
	done := func(b *Batch) {
		s, _ := b.Aux.(*state)
		if s == nil {
			return // every line of its block filtered out
		}
		if s.seen != s.kept || s.seen != len(b.Records) {
			t.Errorf("done with a batch after %d of its %d records (%d kept)", s.seen, len(b.Records), s.kept)
		}
		keptN += s.kept
		doneN += s.seen
		s.kept, s.seen = 0, 0
		s.uses++
		batches++
		distinct[b] = true
	}
	c := &Config{Format: FormatApp}
	c.MergeBatches(inputs, 0, keep, fn, done)
	want := lines - files*((20000-1)/7) // lines 7, 14, … of each file
	if seen != want || doneN != want || keptN != want {
		t.Errorf("fn had %d records, done %d, keep kept %d; want %d each", seen, doneN, keptN, want)
	}
	if batches < 10 || len(distinct) >= batches {
		t.Errorf("%d batches done, %d distinct: want many, reused", batches, len(distinct))
	}
}
