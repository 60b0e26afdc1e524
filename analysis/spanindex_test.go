package analysis

import (
	"math/rand"
	"testing"
)

// TestSpanIndexOverlaps: the binary search answers as comparing the span with each span of
// the set does (strict overlap), on random sets with shared ends and single instants.
func TestSpanIndexOverlaps(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	rnd := func() span {
		a, b := rng.Int63n(60), rng.Int63n(60)
		if rng.Intn(4) == 0 {
			b = a // a single 405
		}
		return span{n: 1, first: min(a, b), last: max(a, b)}
	}
	for range 20000 {
		set := make([]span, rng.Intn(8))
		for i := range set {
			set[i] = rnd()
		}
		x := newSpanIndex(set)
		s := rnd()
		want := false
		for _, f := range set {
			want = want || s.first < f.last && s.last > f.first
		}
		if got := x.overlaps(s); got != want {
			t.Fatalf("set %v, span %v: overlaps %v, want %v", set, s, got, want)
		}
	}
}
