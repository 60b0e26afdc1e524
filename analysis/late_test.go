package analysis

import (
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// mergeInputs hands over the records of several inputs as parsers.MergeBatches does: each input
// in its own order, the input whose next record is the oldest first.
func mergeInputs(inputs ...[]*parsers.Record) []*parsers.Record {
	var out []*parsers.Record
	pos := make([]int, len(inputs))
	for {
		best := -1
		for i, in := range inputs {
			if pos[i] < len(in) && (best < 0 || in[pos[i]].Time.Before(inputs[best][pos[best]].Time)) {
				best = i
			}
		}
		if best < 0 {
			return out
		}
		out = append(out, inputs[best][pos[best]])
		pos[best]++
	}
}

// buffered returns recs in the order nginx writes them with `access_log … buffer=… flush=P`
// and two workers: each worker's lines are written at its next flush, the second worker's
// flushes half a period after the first's, so that lines come up to P late.
func buffered(recs []*parsers.Record, period time.Duration) []*parsers.Record {
	type w struct {
		at time.Time
		r  *parsers.Record
	}
	var ws []w
	for i, r := range recs {
		off := time.Duration(i%2) * period / 2
		at := r.Time.Add(off).Truncate(period).Add(period - off)
		ws = append(ws, w{at, r})
	}
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].at.Before(ws[j].at) })
	out := make([]*parsers.Record, len(ws))
	for i, x := range ws {
		out[i] = x.r
	}
	return out
}

// TestLateRecordsStillJoin: nginx's combined log written by two workers with a 60 s flush, in
// front of a Flask app that logs in time order, no ids. The edge's records come up to ~45 s
// late; the engine used to close requests 5 s (and the match index about 16 s) after the newest
// record, so the app's 405s found no edge record to pair with, and every one of them was
// counted twice: at the app, and as a proxy_method_block at the edge. Now the engine waits for
// late records from the first one on: each 405 after the first 90 s (healthy traffic only, by
// then the edge has come late) is one request joined to its edge record, and the summary says
// which layer was late and by how much.
func TestLateRecordsStillJoin(t *testing.T) {
	var apps, edges []*parsers.Record
	n405 := 0
	for i := 0; i < 1200; i++ { // 10 minutes, a request every 0.5 s
		s := float64(i) / 2
		method, path, status, size := "GET", fmt.Sprintf("/api/products/%d", 1000+i), 200, int64(300+i%97)
		if i >= 180 && i%20 == 0 {
			method, path, status, size = "POST", fmt.Sprintf("/api/orders/%d", i), 405, 31
			n405++
		}
		apps = append(apps, app("flask", "flask.log", s, method, path, status, size))
		edges = append(edges, edge(s, method, path, status, size))
	}
	inOrder := mergeInputs(apps, edges)
	late := mergeInputs(apps, buffered(edges, time.Minute))

	_, want := run(t, Options{}, inOrder...)
	_, got := run(t, Options{}, late...)
	if want.Summary.Requests405 != int64(n405) || len(want.Summary.OutOfOrder) != 0 {
		t.Fatalf("in time order: %d requests with a 405 (want %d), out of order %+v", want.Summary.Requests405, n405, want.Summary.OutOfOrder)
	}
	if got.Summary.Requests405 != int64(n405) {
		t.Errorf("edge out of time order: %d requests with a 405, want %d (each joined once)", got.Summary.Requests405, n405)
	}
	if got.Summary.Requests > want.Summary.Requests+60 {
		t.Errorf("edge out of time order: %d requests, in order %d", got.Summary.Requests, want.Summary.Requests)
	}
	for _, f := range got.Findings {
		if f.OriginLayer != "flask" || f.Cause != CauseMethodNotRouted {
			t.Errorf("finding %s %s at %s: %s, want flask method_not_routed", f.Method, f.Route, f.OriginLayer, f.Cause)
		}
	}
	for _, r := range got.Requests {
		if r.Join != JoinUnique {
			t.Errorf("%s %s: joined %s, want %s", r.Method, r.Path, r.Join, JoinUnique)
		}
	}
	if oo := got.Summary.OutOfOrder; len(oo) != 1 || oo[0].Layer != "edge" || oo[0].Records == 0 || oo[0].MaxMS < 25_000 || oo[0].MaxMS > 60_000 {
		t.Errorf("out of order: %+v, want the edge, up to 25-60 s late", oo)
	}
}

// TestLateRecordsAnnounced: the inputs' readers see an input's disorder blocks before the merge
// hands its late records over (Options.Lateness, set by parsers.MergeBatches): with it, the 405s
// of the first minutes join too, before any late record has come; without it they do not all.
func TestLateRecordsAnnounced(t *testing.T) {
	var apps, edges []*parsers.Record
	for i := 0; i < 600; i++ { // 5 minutes, a request every 0.5 s, a 405 every 10 s from the start
		s := float64(i) / 2
		method, path, status, size := "GET", fmt.Sprintf("/api/products/%d", 1000+i), 200, int64(300+i%97)
		if i%20 == 0 {
			method, path, status, size = "POST", fmt.Sprintf("/api/orders/%d", i), 405, 31
		}
		apps = append(apps, app("flask", "flask.log", s, method, path, status, size))
		edges = append(edges, edge(s, method, path, status, size))
	}
	late := mergeInputs(apps, buffered(edges, time.Minute))
	var announced atomic.Int64
	announced.Store(int64(45 * time.Second)) // what the edge's reader saw in its first blocks
	_, got := run(t, Options{Lateness: &announced}, late...)
	if got.Summary.Requests405 != 30 || got.Summary.Joins.Unique != 30 {
		t.Errorf("announced: %d requests with a 405 (want 30), %d joined", got.Summary.Requests405, got.Summary.Joins.Unique)
	}
	_, without := run(t, Options{}, late...)
	if without.Summary.Requests405 <= 30 {
		t.Errorf("not announced: %d requests with a 405; the first minute's should not all have joined", without.Summary.Requests405)
	}
}
