package parsers

import (
	"fmt"
	"reflect"
	"testing"
)

// forMergeProcs runs test as the merge plans it for one core (every input read inline), two
// (some inline, some by goroutines of their own, as sized by readInline) and eight (none inline).
func forMergeProcs(t *testing.T, test func(t *testing.T)) {
	for _, procs := range []int{1, 2, 8} {
		t.Run(fmt.Sprintf("procs=%d", procs), func(t *testing.T) {
			saved := mergeProcs
			mergeProcs = func() int { return procs }
			defer func() { mergeProcs = saved }()
			test(t)
		})
	}
}

// TestReadInline: which inputs the merging goroutine reads itself, by layer, for the costs of
// the four-hop bench of issue 14 and for the cases around it.
func TestReadInline(t *testing.T) {
	mb := int64(1 << 20)
	bench := []pending{
		{layer: "edge", cost: 235 * mb},
		{layer: "ingress", cost: 165 * mb},
		{layer: "app", cost: 120 * mb},
		{layer: "alb", cost: 44 * mb * gzipCost},
	}
	for _, c := range []struct {
		name  string
		queue []pending
		procs int
		want  []bool
	}{
		// One core's share of 2: 0.2 of the inputs' cost (174 of 872). app alone is 54 from it,
		// app and ingress 111.
		{"bench, 2 cores", bench, 2, []bool{false, false, true, false}},
		{"bench, 1 core", bench, 1, []bool{true, true, true, true}},
		// Share (1.6/3-0.6) is below 0: none.
		{"bench, 3 cores", bench, 3, []bool{false, false, false, false}},
		{"bench, 4 cores", bench, 4, []bool{false, false, false, false}},
		// A layer's files count together: three rotated app files of 120 MB are 360, more than
		// the share (222 of 1112); ingress (165) comes closest.
		{"layer of several files", append(bench[:3:3],
			pending{layer: "app", cost: 120 * mb}, pending{layer: "app", cost: 120 * mb}, bench[3]),
			2, []bool{false, true, false, false, false, false}},
		// A pipe's cost is unknown: its layer is never read inline (but with one core); the
		// share is planned on the files (0.2 of 635: ingress's 165 comes closer than nothing).
		{"pipe", []pending{{layer: "edge", cost: 470 * mb}, {layer: "app", cost: -1}, {layer: "ingress", cost: 165 * mb}},
			2, []bool{false, false, true}},
		{"pipe, 1 core", []pending{{layer: "edge", cost: 235 * mb}, {layer: "app", cost: -1}}, 1, []bool{true, true}},
		// One layer alone (a directory of ALB objects): the engine's goroutine reads none.
		{"one layer", []pending{{layer: "alb", cost: 10 * mb}, {layer: "alb", cost: 10 * mb}}, 2, []bool{false, false}},
	} {
		if got := readInline(c.queue, c.procs); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestMergeDepth: 24 queued batches in all among the inputs being read by goroutines, 8 at most
// and 1 at least each.
func TestMergeDepth(t *testing.T) {
	for open, want := range map[int]int{0: 8, 1: 8, 2: 8, 3: 8, 4: 6, 5: 4, 24: 1, 30: 1} {
		if got := mergeDepth(open); got != want {
			t.Errorf("mergeDepth(%d) = %d, want %d", open, got, want)
		}
	}
}
