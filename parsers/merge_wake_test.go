package parsers

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// A reader whose queue is full waits until the merge has taken half of it: woken for every
// batch the merge takes, it would sleep and be woken once a batch.
func TestStreamPutWakesAtHalf(t *testing.T) {
	const depth, n = 8, 200
	s, batches := putStream(depth, n, func() {})
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

// Readers and a merge at random paces, with every queue depth mergeDepth gives: every batch
// arrives, in order, and neither side is left waiting on the other (a lost wake-up hangs the
// test).
func TestStreamPutRandomPaces(t *testing.T) {
	for depth := 1; depth <= 8; depth++ {
		for range 100 {
			s, batches := putStream(depth, 1+rand.IntN(60), func() {
				if rand.IntN(4) == 0 {
					runtime.Gosched()
				}
			})
			got := 0
			for s.advance() {
				if s.b != &batches[got] {
					t.Fatalf("depth %d: batch %d out of order", depth, got)
				}
				got++
				if rand.IntN(3) == 0 {
					time.Sleep(time.Duration(rand.IntN(20)) * time.Microsecond)
				}
			}
			if got != len(batches) {
				t.Fatalf("depth %d: %d of %d batches", depth, got, len(batches))
			}
		}
	}
}

// putStream returns a stream read by its own goroutine with a queue of depth, and the n batches
// of one record each that the goroutine puts on it in turn, calling pace before each.
func putStream(depth, n int, pace func()) (*stream, []Batch) {
	s := &stream{batches: make(chan *Batch, depth), wake: make(chan struct{}, 1)}
	batches := make([]Batch, n)
	for i := range batches {
		batches[i].Records = []*Record{{}}
		batches[i].keys = []int64{mergeKey(time.Unix(int64(i), 0))}
	}
	go func() {
		defer close(s.batches)
		for i := range batches {
			pace()
			s.put(&batches[i])
		}
	}()
	return s, batches
}
