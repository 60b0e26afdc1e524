package analysis

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// Every test of this package runs with what the arena gets back poisoned at once, and with text
// chunks so small that they are given back after a few hops: a hop, its text or a request still
// in use after it was given back shows as 0xff text, layer -1 or a closed request, and the
// golden and sample tests fail. The records of a batch the merge is done with are spoiled, as
// parsing into the batch again would (pack.go).
func init() {
	poisonRecycled = true
	arenaChunkSize = 512
	poisonBatch = func(b *parsers.Batch) {
		for _, r := range b.Records {
			poisonRecord(r)
		}
	}
}

// poisonRecord spoils every string of r a hop reads (pack.go), as parsing the next line into it
// would.
func poisonRecord(r *parsers.Record) {
	const p = "\xff\xff\xff"
	for _, s := range []*string{&r.Method, &r.Host, &r.URI, &r.Path, &r.RoutedPath, &r.UpstreamAddr, &r.Service,
		&r.Allow, &r.Origin, &r.ACRMethod, &r.ClientIP, &r.Detail, &r.IDs.RequestID, &r.IDs.NginxRequestID,
		&r.IDs.TraceID, &r.IDs.AmznRoot, &r.IDs.B3TraceID, &r.Scheme} {
		*s = p
	}
}

// fourHops adds the four records of healthy request i (ALB, edge, ingress, app; ids as real
// traffic has them), one millisecond of log time apart from request i-1.
func fourHops(e *Engine, rec *parsers.Record, i int, ids [][2]string) {
	rid, root := ids[i][0], ids[i][1]
	layers := [4][3]string{{"alb", "alb", "alb.log"}, {"edge", "nginx", "edge.log"}, {"ingress", "envoy", "ingress.log"}, {"app", "app", "app.log"}}
	for hop := 3; hop >= 0; hop-- { // the innermost hop logs first
		rec.Reset()
		rec.Layer, rec.Format, rec.File, rec.Line = layers[hop][0], layers[hop][1], layers[hop][2], int64(i+1)
		rec.Time = t0.Add(time.Duration(i)*time.Millisecond + time.Duration(3-hop)*100*time.Microsecond)
		rec.Method, rec.Path, rec.URI, rec.Host, rec.Status = "GET", "/api/orders/42", "/api/orders/42?x=1", "api.example.com", 200
		rec.UserAgent, rec.ClientIP = "shop-web/2.3", "203.0.113.7"
		switch hop {
		case 0:
			rec.IDs.AmznRoot = root
		case 1:
			rec.IDs.AmznRoot, rec.IDs.RequestID = root, rid
		default:
			rec.IDs.RequestID = rid
		}
		e.Add(rec)
	}
}

// Once the traffic of one Grace is open, healthy requests reuse what closed requests gave back:
// Add allocates next to nothing per record (it allocated a hop, its text and a request for each).
func TestArenaReusesClosedRequests(t *testing.T) {
	ids := make([][2]string, 40_000)
	for i := range ids {
		ids[i] = [2]string{fmt.Sprintf("%032x", i+1), fmt.Sprintf("1-67430a80-%024x", i+1)}
	}
	e := New(Options{})
	var rec parsers.Record
	i := 0
	for ; i < 20_000; i++ { // 20 s of log time: requests older than Grace (5 s) have closed
		fourHops(e, &rec, i, ids)
	}
	if len(e.arena.freeGroups)+len(e.arena.freeHops) == 0 {
		t.Fatal("nothing given back")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for end := i + 20_000; i < end; i++ {
		fourHops(e, &rec, i, ids)
	}
	runtime.ReadMemStats(&after)
	// Without reuse: 80,000 hops and their text (about 24 MB) and 20,000 requests. The key table
	// and the queues may still grow now and then.
	if n, b := after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc; n > 100 || b > 1<<20 {
		t.Errorf("20,000 requests of four records allocated %d times, %d bytes; want next to nothing", n, b)
	}
	a := e.Result(nil)
	if a.Summary.Requests != int64(i) || a.Summary.Records != int64(4*i) {
		t.Errorf("requests %d records %d, want %d and %d", a.Summary.Requests, a.Summary.Records, i, 4*i)
	}
}

// A request whose healthy inner hop joined before its 405 was logged is kept whole: its hops get
// text of their own, and the arena's copies are given back. Thousands of requests later (their
// chunks reused, poisoned in tests), the kept request's hops read as they were logged.
func TestArenaKeptRequestOwnsItsText(t *testing.T) {
	ids := make([][2]string, 20_000)
	for i := range ids {
		ids[i] = [2]string{fmt.Sprintf("%032x", i+1), fmt.Sprintf("1-67430a80-%024x", i+1)}
	}
	e := New(Options{})
	var rec parsers.Record
	for i := range ids {
		if i != 100 {
			fourHops(e, &rec, i, ids)
			continue
		}
		// Request 100: the app answers 200 and logs first; the edge then answers 405.
		rec.Reset()
		rec.Layer, rec.Format, rec.File, rec.Line = "app", "app", "app.log", 101
		rec.Time = t0.Add(100 * time.Millisecond)
		rec.Method, rec.Path, rec.URI, rec.Status = "POST", "/api/orders", "/api/orders?src=app", 200
		rec.UserAgent, rec.IDs.RequestID = "app-side-agent/1.0", ids[i][0]
		e.Add(&rec)
		rec.Reset()
		rec.Layer, rec.Format, rec.File, rec.Line = "edge", "nginx", "edge.log", 101
		rec.Time = t0.Add(100*time.Millisecond + 300*time.Microsecond)
		rec.Method, rec.Path, rec.URI, rec.Status = "POST", "/api/orders", "/api/orders?src=edge", 405
		rec.UserAgent, rec.IDs.RequestID, rec.Allow = "edge-side-agent/1.0", ids[i][0], "GET, HEAD"
		e.Add(&rec)
	}
	keptHops(t, e.Result(nil), map[string]string{
		"app":  "POST /api/orders?src=app app-side-agent/1.0 " + ids[100][0] + " ",
		"edge": "POST /api/orders?src=edge edge-side-agent/1.0 " + ids[100][0] + " GET, HEAD",
	})
}

// keptHops checks that a kept exactly one request, whose hops read as want has them by layer
// (method, URI, user agent, request id, Allow).
func keptHops(t *testing.T, a *Analysis, want map[string]string) {
	t.Helper()
	if len(a.Requests) != 1 {
		t.Fatalf("%d requests kept, want 1", len(a.Requests))
	}
	got := map[string]string{}
	for _, h := range a.Requests[0].Hops {
		got[h.Layer] = h.Method + " " + h.URI + " " + h.UserAgent + " " + h.IDs.RequestID + " " + h.Allow
	}
	for l, w := range want {
		if got[l] != w {
			t.Errorf("%s hop: %q, want %q", l, got[l], w)
		}
	}
}

// Giving back closed requests changes nothing in an analysis: every sample set, and traffic
// whose ids stop half way (the match index takes over while the arena is in use), analyse the
// same with the arena giving back (and poisoning) and without.
func TestArenaSameAnalysis(t *testing.T) {
	analyses := func() []string {
		var out []string
		for _, s := range foldSamples {
			a := analyzeSample(t, s.nginxConf, s.envoyConf, Options{}, s.args...)
			var b bytes.Buffer
			if err := a.WriteJSON(&b, true); err != nil {
				t.Fatal(err)
			}
			out = append(out, b.String())
		}
		// Edge and app with ids for 8 s of log time, then without (once most records have none, the
		// match index joins them),
		// a 405 every 50 requests.
		e := New(Options{})
		for i := 0; i < 40_000; i++ {
			sec := float64(i) * 0.001
			m, st := "GET", 200
			if i%50 == 0 {
				m, st = "DELETE", 405
			}
			var o []opt
			if i < 8_000 {
				o = append(o, rid(fmt.Sprintf("%032x", i+1)))
			}
			path := fmt.Sprintf("/api/orders/%d", i%97)
			e.Add(rec("app", "app", sec, m, path, st, o...))
			e.Add(rec("edge", "nginx", sec+0.0002, m, path, st, append(o, up(st))...))
		}
		a := e.Result(nil)
		var b bytes.Buffer
		if err := a.WriteJSON(&b, true); err != nil {
			t.Fatal(err)
		}
		return append(out, b.String())
	}
	with := analyses()
	noRecycle = true
	t.Cleanup(func() { noRecycle = false })
	without := analyses()
	noRecycle = false
	for i := range with {
		if with[i] != without[i] {
			t.Errorf("analysis %d differs when the arena gives back:\n%s", i, firstDiff(with[i], without[i]))
		}
	}
}

// A request closed without a 405 is given back only once no match index entry points at it.
// When log time stands still, the oldest requests close early (over caps.open) while the match
// index, under a larger cap, still holds their entries: given back at once, their hops would
// read poisoned (layer -1, 0xff text) through the entries, or as other requests once reused.
func TestArenaWaitsForMatchEntries(t *testing.T) {
	e := New(Options{})
	e.caps.second, e.caps.open, e.caps.waiting, e.caps.match = 10, 5, 5, 1000
	for i := 0; i < 60; i++ {
		e.Add(rec("app", "app", 3, "GET", fmt.Sprintf("/p/%d", i), 200))
	}
	if e.OpenRequests() > 5 || len(e.mq)-e.mdel != 60 {
		t.Fatalf("%d requests open, %d match entries; want at most 5 (caps.open) and 60 (every record)", e.OpenRequests(), len(e.mq)-e.mdel)
	}
	for i, m := range e.mq[e.mdel:] {
		if want := fmt.Sprintf("/p/%d", i); m.h.layer != 0 || m.h.path() != want || m.h.status != 200 {
			t.Fatalf("entry %d: hop of layer %d, path %q, status %d; want layer 0, %q, 200", i, m.h.layer, m.h.path(), m.h.status, want)
		}
	}
	if n := len(e.deferred) - e.dhead; n != 55 {
		t.Errorf("%d requests wait for their entries, want 55", n)
	}
	// Once log time moves on and the entries leave, the requests are given back.
	e.Add(rec("app", "app", 40, "GET", "/q", 200))
	if n := len(e.deferred) - e.dhead; n != 0 || e.mGone < 60 {
		t.Errorf("%d requests still wait, %d entries gone", n, e.mGone)
	}
}

// A request folded into another hands on the number of its last match index entry: the entries
// of its hops point at it (and through it at the request it joined) until they leave, so the
// joined request must wait for them too before it is given back.
func TestMergeKeepsLastMatchEntry(t *testing.T) {
	e := New(Options{})
	dst, src := e.newGroup(1), e.newGroup(2)
	dst.mseq, src.mseq = 3, 7
	e.open = 2
	e.merge(dst, src)
	if dst.mseq != 7 {
		t.Errorf("joined request's last entry %d, want 7", dst.mseq)
	}
}

// A request folded into another is given back once its entries on the queue of open requests
// are gone (evict still looks at them, to see that they are stale), not before.
func TestArenaGivesBackMergedOnceOffQueue(t *testing.T) {
	e := New(Options{})
	src, dst := e.newGroup(int64(time.Second)), e.newGroup(2*int64(time.Second))
	e.enqueue(src, src.newest)
	e.enqueue(dst, dst.newest)
	e.open = 2
	e.merge(dst, src)
	e.recycleDeferred()
	if slices.Contains(e.arena.freeGroups, src) || src.merged != dst {
		t.Fatal("the folded request was given back while its queue entry waits")
	}
	e.evict(3*int64(time.Second), 3*int64(time.Second)) // both entries leave the queue
	e.recycleDeferred()
	if !slices.Contains(e.arena.freeGroups, src) {
		t.Error("the folded request was not given back once its queue entry left")
	}
}
