package parsers

import (
	"math"
	"os"
	"runtime"
	"sort"
)

// Which inputs of a merge are read on the merging goroutine itself.
//
// The goroutine that merges the inputs also runs the consumer (analyze's engine), whose work
// grows with the records of every input. Each other input is read and parsed by a goroutine of
// its own, and its records cross to the merging goroutine's core. Inputs read inline instead
// are parsed a block at a time when the merge reaches them, on the merging goroutine (as a
// coroutine, iter.Pull), so their records are merged while still in that core's cache and no
// goroutine has to be woken for them. Reading inline the share of the inputs that makes the
// merging goroutine's work about one core's share of the whole keeps every core busy.
//
// Measured on the four-hop bench of issue 14 (2 cores; CPU seconds per goroutine):
//
//	ALB, 44 MB of gzip (394 MB of text)   1.24
//	nginx, 235 MB                         0.80
//	Envoy, 165 MB                         0.55
//	application JSON, 120 MB              0.39
//	the engine, every record              1.2
//
// so reading costs about the same per byte of text whatever the format, a byte of gzip about 8
// bytes of text, and the consumer about 0.4 of what reading everything costs. Reading the Envoy
// and application logs inline cut the run's CPU time by 4–5% and its wall time by 2–3% more than
// the deeper queues of mergeQueued alone.
//
// The plan counts the consumer at 0.6 all the same. The merging goroutine is the one every
// input waits on, while the others have their queues to spare: planned at a full core's share
// it became the slower once waking the others got cheaper (stream.put), and a record's cache
// misses there grow with the inputs merged at once. Reading only the application log inline
// took 5–7% less wall time than reading the Envoy log too (medians of 10 back-to-back pairs,
// twice; CPU time the same), and 50 pods' logs of one layer 9% less.

// mergeProcs is the number of cores the merge plans for (tests set others).
var mergeProcs = func() int { return runtime.GOMAXPROCS(0) }

const (
	gzipCost     = 8   // a byte of gzip costs this many bytes of text to read and parse
	consumerCost = 0.6 // the consumer's work per record, relative to reading the record (planned)
)

// cost estimates what reading the input costs, in bytes of plain text: the file's size, times
// gzipCost when it is compressed. -1 when it cannot be known (standard input, a pipe).
func (o *Opened) cost() int64 {
	if o.Path == "" || o.Path == "-" {
		return -1
	}
	st, err := os.Stat(o.Path)
	if err != nil || !st.Mode().IsRegular() {
		return -1
	}
	if rc, ok := o.closer.(*readCloser); ok && rc.gzip {
		return st.Size() * gzipCost
	}
	return st.Size()
}

// readInline chooses the inputs of queue the merging goroutine reads itself when procs cores
// run the merge. It plans by layer, the files of a layer usually following each other in time
// while the layers run side by side: the merging goroutine takes whole layers, smallest first,
// while its share comes closer to one core's: (1+c)/procs - c of the inputs' cost, c being
// consumerCost. With one core it reads everything (no goroutine is worth waking); from three,
// none. A layer with an input of unknown cost (a pipe) keeps its goroutines.
func readInline(queue []pending, procs int) []bool {
	inline := make([]bool, len(queue))
	if procs <= 1 {
		for i := range inline {
			inline[i] = true
		}
		return inline
	}
	costs := map[string]int64{}
	var order []string
	var total int64
	for _, p := range queue {
		c, seen := costs[p.layer]
		if !seen {
			order = append(order, p.layer)
		}
		if p.cost < 0 || c < 0 {
			costs[p.layer] = -1
			continue
		}
		costs[p.layer] = c + p.cost
		total += p.cost
	}
	target := ((1+consumerCost)/float64(procs) - consumerCost) * float64(total)
	sort.SliceStable(order, func(a, b int) bool { return costs[order[a]] < costs[order[b]] })
	chosen := map[string]bool{}
	var have float64
	for _, l := range order {
		c := float64(costs[l])
		if c < 0 || math.Abs(have+c-target) >= math.Abs(have-target) {
			continue
		}
		chosen[l] = true
		have += c
	}
	for i, p := range queue {
		inline[i] = chosen[p.layer]
	}
	return inline
}
