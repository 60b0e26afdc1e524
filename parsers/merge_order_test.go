package parsers

import (
	"container/heap"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"
)

// refStream and refHeap are the merge as it was first written (container/heap, one Fix per
// record), kept as the reference the order of Config.Merge, ties included, is checked against:
// the engine's result may depend on the order of records with equal times, so a faster merge
// must hand them out in the same order.
type refStream struct {
	name  string
	times []time.Time // zero: no time
	i     int
	last  time.Time
	k     time.Time
}

func (s *refStream) advance() bool {
	if s.i >= 0 {
		if t := s.times[s.i]; !t.IsZero() {
			s.last = t
		}
	}
	s.i++
	if s.i >= len(s.times) {
		return false
	}
	if s.k = s.times[s.i]; s.k.IsZero() {
		s.k = s.last
	}
	return true
}

type refHeap []*refStream

func (h refHeap) Len() int           { return len(h) }
func (h refHeap) Less(i, j int) bool { return h[i].k.Before(h[j].k) }
func (h refHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *refHeap) Push(x any)        { *h = append(*h, x.(*refStream)) }
func (h *refHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// refMerge returns "name:line" of every record in the order the reference merge hands them out.
func refMerge(streams []*refStream) []string {
	first := func(s *refStream) time.Time {
		for _, t := range s.times {
			if !t.IsZero() {
				return t
			}
		}
		return time.Time{}
	}
	queue := append([]*refStream(nil), streams...)
	sort.SliceStable(queue, func(a, b int) bool { return first(queue[a]).Before(first(queue[b])) })
	var out []string
	h := &refHeap{}
	next := 0
	for {
		for next < len(queue) && (h.Len() == 0 || !first(queue[next]).After((*h)[0].k)) {
			s := queue[next]
			next++
			s.i = -1
			if s.advance() {
				heap.Push(h, s)
			}
		}
		if h.Len() == 0 {
			break
		}
		s := (*h)[0]
		out = append(out, fmt.Sprintf("%s:%d", s.name, s.i+1))
		if s.advance() {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return out
}

// tieLines appends n logfmt lines of the input name to b, with times from ts on: the same
// second as the line before 40% of the time, a second later 53%, a second earlier 7%, and one
// line in 50 (not the first) without a time. s gets each line's time, zero for none.
func tieLines(rng *rand.Rand, b []byte, s *refStream, name string, ts time.Time, n int) []byte {
	for i := 0; i < n; i++ {
		switch r := rng.Intn(100); {
		case r < 40: // same second
		case r < 93:
			ts = ts.Add(time.Second)
		default:
			ts = ts.Add(-time.Second)
		}
		if i > 0 && rng.Intn(50) == 0 {
			b = fmt.Appendf(b, "method=GET path=/%s/%d status=200\n", name, i)
			s.times = append(s.times, time.Time{})
			continue
		}
		b = fmt.Appendf(b, "time=%s method=GET path=/%s/%d status=200\n", ts.Format(time.RFC3339), name, i)
		s.times = append(s.times, ts)
	}
	return b
}

// TestMergeOrderOfTies: inputs whose records share their times (whole seconds), step back a
// second now and then, lack a time on some lines, and start at different times, merged by
// Config.Merge and by the reference merge: the same records in the same order.
func TestMergeOrderOfTies(t *testing.T) {
	forMergeProcs(t, testMergeOrderOfTies)
}

func testMergeOrderOfTies(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for seed := int64(1); seed <= 12; seed++ {
		rng := rand.New(rand.NewSource(seed))
		dir := t.TempDir()
		var args []string
		var streams []*refStream
		nFiles := 2 + rng.Intn(6)
		for f := 0; f < nFiles; f++ {
			name := fmt.Sprintf("in%d", f)
			s := &refStream{name: name}
			var b []byte
			ts := t0.Add(time.Duration(rng.Intn(40)) * time.Second)
			lines := 1 + rng.Intn(3000)
			b = tieLines(rng, b, s, name, ts, lines)
			p := filepath.Join(dir, name+".log")
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			args = append(args, name+"="+p)
			streams = append(streams, s)
		}
		inputs, err := ExpandInputs(args)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		c := &Config{Format: FormatApp}
		c.Merge(inputs, 0, func(*Record) bool { return true }, func(r *Record) {
			got = append(got, fmt.Sprintf("%s:%d", r.Layer, r.Line))
		})
		want := refMerge(streams)
		if !reflect.DeepEqual(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Fatalf("seed %d: %d records, want %d; first difference at %d", seed, len(got), len(want), i)
		}
	}
}

// keyHeap is container/heap's view of streams by merge key: the oracle of streamHeap.
type keyHeap []*stream

func (h keyHeap) Len() int           { return len(h) }
func (h keyHeap) Less(i, j int) bool { return h[i].k < h[j].k }
func (h keyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *keyHeap) Push(x any)        { *h = append(*h, x.(*stream)) }
func (h *keyHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// TestStreamHeapAsContainerHeap: streamHeap's push, fixRoot and popRoot leave the streams in the
// very order container/heap's Push, Fix(0) and Pop do, ties included, for up to 80 streams with
// keys drawn from a few values.
func TestStreamHeapAsContainerHeap(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for round := 0; round < 300; round++ {
		var got streamHeap
		var want keyHeap
		byWant := map[*stream]*stream{} // the oracle's stream for each of got's
		for op := 0; op < 400; op++ {
			switch r := rng.Intn(10); {
			case r < 4 && len(got) < 80 || len(got) == 0:
				k := int64(rng.Intn(1 + round%20))
				a, b := &stream{k: k}, &stream{k: k}
				byWant[a] = b
				got.push(a)
				heap.Push(&want, b)
			case r < 9:
				d := int64(rng.Intn(3))
				got[0].k += d
				want[0].k += d
				got.fixRoot()
				heap.Fix(&want, 0)
			default:
				got.popRoot()
				heap.Pop(&want)
			}
			if len(got) != len(want) {
				t.Fatalf("round %d op %d: %d streams, want %d", round, op, len(got), len(want))
			}
			for i := range got {
				if byWant[got[i]] != want[i] {
					t.Fatalf("round %d op %d: stream %d differs from container/heap's", round, op, i)
				}
			}
		}
	}
}
