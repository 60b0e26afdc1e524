package parsers

import (
	"testing"
	"time"
)

// A reader whose queue is full waits until the merge has taken half of it: woken for every
// batch the merge takes, it would sleep and be woken once a batch.
func TestStreamPutWakesAtHalf(t *testing.T) {
	const depth, n = 8, 200
	s := &stream{batches: make(chan *Batch, depth), wake: make(chan struct{}, 1)}
	batches := make([]Batch, n)
	for i := range batches {
		batches[i].Records = []*Record{{}}
		batches[i].keys = []time.Time{time.Unix(int64(i), 0)}
	}
	go func() {
		defer close(s.batches)
		for i := range batches {
			s.put(&batches[i])
		}
	}()
	if !s.advance() {
		t.Fatal("no batch")
	}
	for i := 0; ; i++ {
		// A slow merge: the reader always finds its queue full.
		time.Sleep(200 * time.Microsecond)
		if s.b != &batches[i] {
			t.Fatalf("batch %d out of order", i)
		}
		if !s.advance() {
			if i+1 != n {
				t.Fatalf("merged %d batches, want %d", i+1, n)
			}
			break
		}
	}
	// Woken at half, the reader fills the queue's other half each time: about (n-depth)/(depth/2)
	// sleeps; woken for every batch, it would sleep about n-depth times.
	if max := (n-depth)/(depth/2) + 2; s.sleeps > max {
		t.Errorf("reader slept %d times for %d batches, want at most %d", s.sleeps, n, max)
	}
}
