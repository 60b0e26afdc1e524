package parsers

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestMergeKeysLateness: the reader of an input out of time order raises Config.Lateness to
// how far a record lies behind the newest one before it in that input, across its batches and
// whatever other inputs do; records in order, and records without a time, raise nothing.
func TestMergeKeysLateness(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	batch := func(secs ...int) *Batch {
		b := &Batch{}
		for _, s := range secs {
			r := &Record{}
			if s >= 0 {
				r.Time = t0.Add(time.Duration(s) * time.Second)
			}
			b.Records = append(b.Records, r)
		}
		return b
	}
	var late atomic.Int64
	last, newest := int64(noKey), int64(noKey)
	mergeKeys(batch(0, 1, -1, 1, 5), &last, &newest, &late)
	if late.Load() != 0 {
		t.Fatalf("in order: lateness %d", late.Load())
	}
	b := batch(3, 40, -1)
	mergeKeys(b, &last, &newest, &late) // 3 s is 2 s behind the previous batch's 5
	if got := time.Duration(late.Load()); got != 2*time.Second {
		t.Errorf("across batches: lateness %s, want 2s", got)
	}
	if b.keys[2] != b.keys[1] {
		t.Errorf("a record without a time keys as the one before it: %v", b.keys)
	}
	mergeKeys(batch(10, 39), &last, &newest, &late) // 30 s behind 40
	if got := time.Duration(late.Load()); got != 30*time.Second {
		t.Errorf("lateness %s, want 30s", got)
	}
	last2, newest2 := int64(noKey), int64(noKey)
	mergeKeys(batch(100, 99), &last2, &newest2, &late) // another input, 1 s late: the larger stays
	if got := time.Duration(late.Load()); got != 30*time.Second {
		t.Errorf("another input's smaller lateness: %s, want 30s", got)
	}
	mergeKeys(batch(1, 0), &last2, &newest2, nil) // no Lateness: nothing to raise, no panic
}
