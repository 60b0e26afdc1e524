package analysis

import (
	"fmt"
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// TestDriftSpansReview: backend drift between two nginx instances (b11106c asks for a success
// strictly inside a failing instance's 405 span). Instances that answer in the same second, all
// of their requests in it (nginx logs whole seconds), are drift, as they were before b11106c;
// an instance that follows another in time is not. It fails on "same second" and "one each,
// same second" when a success must lie strictly inside the 405 span.
func TestDriftSpansReview(t *testing.T) {
	for _, c := range []struct {
		name  string
		at    func(i int) (float64, string, int) // time, file, status of request i
		n     int
		drift bool
	}{
		// One 405 on node0 while node1 succeeds before and after it.
		{"single 405 inside successes", func(i int) (float64, string, int) {
			if i == 10 {
				return 10.5, "node0.log", 405
			}
			return float64(i), "node1.log", 200
		}, 21, true},
		// Interleaved, a second apart.
		{"interleaved", func(i int) (float64, string, int) {
			if i%2 == 0 {
				return float64(i), "node0.log", 405
			}
			return float64(i), "node1.log", 200
		}, 40, true},
		// A burst within one second (nginx logs whole seconds): node0 fails, node1 succeeds.
		{"same second", func(i int) (float64, string, int) {
			if i%2 == 0 {
				return 5, "node0.log", 405
			}
			return 5, "node1.log", 200
		}, 40, true},
		// One request each, in the same second.
		{"one each, same second", func(i int) (float64, string, int) {
			return 7, []string{"node0.log", "node1.log", "node1.log"}[i], []int{405, 200, 200}[i]
		}, 3, true},
		// node0's 405s all in one second, node1's successes from that second on: node1 may
		// have taken over then (a file of one second, then the next): not drift.
		{"one second, then the next file", func(i int) (float64, string, int) {
			if i < 5 {
				return 5, "node0.log", 405
			}
			return float64(i), "node1.log", 200
		}, 30, false},
		// node1 takes over after node0 stopped answering: files in turn.
		{"in turn", func(i int) (float64, string, int) {
			if i < 20 {
				return float64(i), "node0.log", 405
			}
			return float64(i), "node1.log", 200
		}, 40, false},
	} {
		var recs []*parsers.Record
		for i := 0; i < c.n; i++ {
			ts, file, st := c.at(i)
			recs = append(recs, rec("edge", parsers.FormatNginx, ts, "PUT", fmt.Sprintf("/api/users/%d/avatar", i), st,
				up(st), func(r *parsers.Record) { r.File = file }))
		}
		_, a := run(t, Options{}, byTime(recs)...)
		f := onlyFinding(t, a)
		if got := f.Cause == CauseBackendDrift; got != c.drift {
			t.Errorf("%s: finding %s %+v, want drift %v", c.name, f.Cause, f.Drift, c.drift)
		}
	}
}
