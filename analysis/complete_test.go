package analysis

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// idTraffic returns requests that cross alb → edge → ingress → app with ids as the four-hop
// logs have them (the ALB its trace root, the edge the root and a request id, the ingress and
// app the request id), sorted by time as the merge hands them over. The inner hop logs first;
// the ingress's clock runs 300 ms ahead, so its records come after the edge's now and then.
// Among them: requests that end at the edge (static files, health checks), 405s of the app
// (relayed) and of the edge (its own), an ingress retry (the app logs the request twice), and
// a constant id some clients send. The ALB log starts albStart seconds in: the requests before
// have no ALB record.
func idTraffic(seed uint64, n int, albStart float64) []*parsers.Record {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var out []*parsers.Record
	for i := 0; i < n; i++ {
		sec := float64(i) * 0.004
		id, root := fmt.Sprintf("%032x", seed<<40|uint64(i+1)), fmt.Sprintf("1-67430a80-%024x", seed<<40|uint64(i+1))
		if r.IntN(200) == 0 {
			id = "00000000000000000000000000000000" // a client sending one id with every request
		}
		m, path, st := "GET", fmt.Sprintf("/api/orders/%d", r.IntN(50)), 200
		depth := 4 // hops the request reaches: 4 app, 3 ingress, 2 edge
		switch k := r.IntN(40); {
		case k == 0:
			m, st = "DELETE", 405 // the app's own 405, relayed outward
		case k == 1:
			m, st, depth = "TRACE", 405, 2 // the edge's own
		case k < 12:
			path, depth = "/static/app.js", 2
		case k < 14:
			path, depth, st = "/api/old", 3, 404 // the ingress has no route
		}
		retry := depth == 4 && st == 200 && r.IntN(30) == 0
		if depth == 4 {
			at := sec
			if retry {
				out = append(out, rec("app", "app", at, m, path, 200, rid(id), ua("shop-web/2.3")))
				at += 0.002
			}
			out = append(out, rec("app", "app", at, m, path, st, rid(id), ua("shop-web/2.3")))
		}
		if depth >= 3 {
			o := []opt{rid(id), ua("shop-web/2.3")}
			if depth == 4 {
				o = append(o, up(st))
			}
			out = append(out, rec("ingress", "envoy", sec+0.003+0.3, m, path, st, o...))
		}
		o := []opt{rid(id), amzn(root), ua("shop-web/2.3")}
		if depth >= 3 {
			o = append(o, up(st))
		}
		out = append(out, rec("edge", "nginx", sec+0.005, m, path, st, o...))
		if sec+0.007 >= albStart {
			out = append(out, rec("alb", "alb", sec+0.007, m, path, st, amzn(root), ua("shop-web/2.3")))
		}
	}
	slices.SortStableFunc(out, func(a, b *parsers.Record) int { return a.Time.Compare(b.Time) })
	return out
}

// starts is what parsers.Config.Starts tells analyze of these records' inputs.
func starts(recs []*parsers.Record) []parsers.LayerStart {
	var s []parsers.LayerStart
	seen := map[string]bool{}
	for _, r := range recs {
		if !seen[r.Layer] {
			seen[r.Layer] = true
			s = append(s, parsers.LayerStart{Layer: r.Layer, First: r.Time})
		}
	}
	return s
}

// A request with a record of every layer closes as soon as it has them, instead of Grace after
// its newest record, and that changes nothing in the analysis: requests listed, with the ALB
// log starting with the others and half way through (its first requests, and those just before
// it, must still join it), and with a layer that never logs an access record (an error log).
func TestCompleteRequestsCloseAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name     string
		albStart float64
		extra    []parsers.LayerStart
	}{
		{"every log from the start", 0, nil},
		{"ALB log starting later", 40, nil},
		{"an error log among the inputs", 0, []parsers.LayerStart{{Layer: "edge-errors", First: t0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := idTraffic(7, 20_000, tc.albStart)
			analyse := func(early bool) (string, float64) {
				noEarlyClose = !early
				defer func() { noEarlyClose = false }()
				e := New(Options{JoinWindow: 10 * time.Second}) // 405s wait for it: fewer of them open
				e.ExpectLayers(append(starts(recs), tc.extra...))
				open := 0
				for _, r := range recs {
					e.Add(r)
					open += e.OpenRequests()
				}
				var b bytes.Buffer
				if err := e.Result(nil).WriteJSON(&b, true); err != nil {
					t.Fatal(err)
				}
				return b.String(), float64(open) / float64(len(recs))
			}
			want, openBefore := analyse(false)
			got, open := analyse(true)
			if got != want {
				t.Fatalf("closing complete requests at once changes the analysis:\n%s", firstDiff(want, got))
			}
			// 250 requests a second, a quarter of them ending at the edge and held for Grace, 5%
			// with a 405 held for the join window; while the ALB log may start, all wait.
			if open*2 > openBefore {
				t.Errorf("%.0f requests open on average, against %.0f when every request waits for Grace: complete requests did not close", open, openBefore)
			}
			t.Logf("%.0f requests open on average, against %.0f", open, openBefore)
		})
	}
}

// Without ExpectLayers (the Elasticsearch source, callers adding records themselves) a layer
// may appear at any time, so no request closes before Grace.
func TestCompleteNeedsTheLayers(t *testing.T) {
	recs := idTraffic(3, 5_000, 0)
	e := New(Options{})
	for _, r := range recs {
		e.Add(r)
	}
	if e.MaxOpenRequests() < 1000 {
		t.Errorf("at most %d requests open at once: requests closed before Grace without the layers known", e.MaxOpenRequests())
	}
}

// Requests closed complete are given back once Grace has passed, and a request with a 405 whose
// outer hop logs later than an unrelated complete request still joins it.
func TestCompleteGivenBackAndLate405Joins(t *testing.T) {
	e := New(Options{})
	e.ExpectLayers([]parsers.LayerStart{{Layer: "app", First: t0}, {Layer: "edge", First: t0}})
	for i := 0; i < 100; i++ {
		id := fmt.Sprintf("%032x", i+1)
		e.Add(rec("app", "app", float64(i), "GET", "/a", 200, rid(id)))
		e.Add(rec("edge", "nginx", float64(i), "GET", "/a", 200, rid(id), up(200)))
	}
	if e.OpenRequests() != 0 || len(e.arena.freeGroups) == 0 {
		t.Fatalf("%d requests open, %d groups given back: complete requests did not close", e.OpenRequests(), len(e.arena.freeGroups))
	}
	// The app logs a 405 at 100 s; the edge relays it 4 s later. In between, at 103 s, an
	// unrelated request that completes.
	e.Add(rec("app", "app", 100, "DELETE", "/a", 405, rid("f1")))
	e.Add(rec("app", "app", 103, "GET", "/a", 200, rid("f2")))
	e.Add(rec("edge", "nginx", 103, "GET", "/a", 200, rid("f2"), up(200)))
	e.Add(rec("edge", "nginx", 104, "DELETE", "/a", 405, rid("f1"), up(405)))
	a := e.Result(nil)
	if a.Summary.Requests != 102 || a.Summary.Requests405 != 1 {
		t.Fatalf("%d requests, %d with a 405; want 102 and 1", a.Summary.Requests, a.Summary.Requests405)
	}
	if f := onlyFinding(t, a); f.OriginLayer != "app" || f.Count != 1 {
		t.Errorf("finding at %s (%d requests); want the app's, one request with both hops", f.OriginLayer, f.Count)
	}
	if len(a.Requests) != 1 || len(a.Requests[0].Hops) != 2 {
		t.Errorf("requests with a 405: %+v; want one with the app's and the edge's record", a.Requests)
	}
}

// When log time stands still, the oldest open requests close early (over caps.open), taken
// from the head of the queue, where the entries of requests that closed complete wait: those
// must not count as open ones, nor close the requests opened after them out of turn: here h,
// opened after c closed complete and whose edge record comes last, would be cut from it instead
// of o6, and counted twice.
func TestCompleteUnderCaps(t *testing.T) {
	e := New(Options{})
	e.caps.second, e.caps.open = 3, 5
	e.ExpectLayers([]parsers.LayerStart{{Layer: "app", First: t0}, {Layer: "edge", First: t0}})
	app := func(id string) { e.Add(rec("app", "app", 0, "GET", "/a", 200, rid(id))) } // all in one second
	edge := func(id string) { e.Add(rec("edge", "nginx", 0, "GET", "/a", 200, rid(id), up(200))) }
	for _, id := range []string{"o1", "o2", "o3", "o4", "o5", "c", "o6", "o7"} {
		app(id) // the o requests stay open: their edge records never come
	}
	edge("c") // complete: closed and given back; its entry stays on the queue, after o5's
	app("h")  // takes c's group
	for _, id := range []string{"o8", "o9", "o10"} {
		app(id) // each closes the oldest open request: o4, o5, then o6 (not h)
	}
	edge("h")
	a := e.Result(nil)
	if a.Summary.Requests != 12 || a.Summary.SingleHop != 0 {
		t.Errorf("%d requests, %d of one hop; want 12 and none (h joined to its edge record)", a.Summary.Requests, a.Summary.SingleHop)
	}
}

// A request that ended at a hop that answered itself (a static file at the edge) closes once
// the layers outside that hop have logged it: the layers it lacks are inside, which the joined
// requests' votes must say (order.go), not the formats. Here Envoy fronts nginx, which the
// formats would put the other way round: the nginx record of a static file comes first and
// must wait for Envoy's.
func TestCompleteEndsAtTheHopThatAnswered(t *testing.T) {
	for _, stack := range [][3]string{{"alb", "edge", "app"}, {"front", "edge", "app"}} {
		formats := map[string]string{"alb": "alb", "front": "envoy", "edge": "nginx", "app": "app"}
		e := New(Options{})
		var starts []parsers.LayerStart
		for _, l := range stack {
			starts = append(starts, parsers.LayerStart{Layer: l, First: t0})
		}
		e.ExpectLayers(starts)
		hop := func(layer string, sec float64, id string, o ...opt) {
			e.Add(rec(layer, formats[layer], sec, "GET", "/a", 200, append(o, rid(id))...))
		}
		for i := 0; i < 60; i++ { // requests that cross every hop: outer hops take longer
			id, sec := fmt.Sprintf("r%d", i), float64(i)*0.1
			hop(stack[2], sec, id, dur(10))
			hop(stack[1], sec+0.002, id, dur(12), up(200), local(parsers.LocalNo))
			hop(stack[0], sec+0.004, id, dur(14), local(parsers.LocalNo))
		}
		if e.OpenRequests() != 0 {
			t.Fatalf("%v: %d requests open after complete ones", stack, e.OpenRequests())
		}
		hop(stack[1], 7, "static", dur(1), local(parsers.LocalYes))
		if e.OpenRequests() != 1 {
			t.Errorf("%v: the static file's request closed before %s logged it", stack, stack[0])
		}
		hop(stack[0], 7.002, "static", dur(3), local(parsers.LocalNo))
		if e.OpenRequests() != 0 {
			t.Errorf("%v: the static file's request is still open once %s logged it", stack, stack[0])
		}
		if a := e.Result(nil); a.Summary.Requests != 61 || a.Summary.SingleHop != 0 {
			t.Errorf("%v: %d requests, %d of one hop; want 61, none", stack, a.Summary.Requests, a.Summary.SingleHop)
		}
	}
}

// earlyAndNot analyses recs with requests closed complete and without, each engine told the
// layers.
func earlyAndNot(t *testing.T, starts []parsers.LayerStart, recs []*parsers.Record) (early, grace string) {
	t.Helper()
	for _, on := range []bool{true, false} {
		noEarlyClose = !on
		e := New(Options{})
		e.ExpectLayers(starts)
		for _, r := range recs {
			e.Add(r)
		}
		var b bytes.Buffer
		if err := e.Result(nil).WriteJSON(&b, true); err != nil {
			t.Fatal(err)
		}
		if on {
			early = b.String()
		} else {
			grace = b.String()
		}
	}
	noEarlyClose = false
	return early, grace
}

// retries returns five requests, every apart seconds, that the edge (at its offset edge) logged
// as "failed, 200" and the app logged twice: failed at first, 200 at retry.
func retries(apart, edge float64, failed int, first, retry float64) (r []*parsers.Record) {
	for i := 0; i < 5; i++ {
		id, s := fmt.Sprintf("%032x", i+1), float64(i)*apart
		r = append(r, rec("edge", "nginx", s+edge, "GET", "/a", 200, rid(id), up(failed, 200)),
			rec("app", "app", s+first, "GET", "/a", failed, rid(id)), rec("app", "app", s+retry, "GET", "/a", 200, rid(id)))
	}
	return r
}

// What a request's staying open for Grace told the engine, it still tells once the request
// closes complete (tombs.go, and complete's test of retries):
//   - a client sending one constant id: sequential requests two seconds apart mark it not
//     unique, so that two later requests that overlap are not joined by it (the edge's 201 of
//     one would make the other's 405 look masked);
//   - a retry: the proxy logs "502, 200" for an upstream that logs twice, and with whole-second
//     times (nginx's $time_local) the proxy's record comes before the upstream's;
//   - the same, the app's clock running ahead;
//   - a retry logged two seconds after the first attempt: the request is not closed while a
//     proxy may still retry it (a second upstream status, a 5xx), else the second attempt would
//     mark the id not unique;
//   - a log line written twice.
func TestCompleteKeepsWhatGraceTold(t *testing.T) {
	app, edge := parsers.LayerStart{Layer: "app", First: t0}, parsers.LayerStart{Layer: "edge", First: t0}
	const k = "00000000000000000000000000000000"
	cases := []struct {
		name string
		recs []*parsers.Record
	}{
		{"constant id", func() (r []*parsers.Record) {
			for i := 0; i < 3; i++ {
				s := float64(i) * 2
				r = append(r, rec("app", "app", s, "POST", "/orders", 201, rid(k)), rec("edge", "nginx", s+0.002, "POST", "/orders", 201, rid(k), up(201)))
			}
			return append(r, rec("app", "app", 10, "POST", "/orders", 201, rid(k)), rec("app", "app", 10.05, "POST", "/orders", 405, rid(k)),
				rec("edge", "nginx", 10.06, "POST", "/orders", 201, rid(k), up(201)), rec("edge", "nginx", 10.07, "POST", "/orders", 405, rid(k), up(405)))
		}()},
		{"retry, whole seconds", retries(1, 0, 502, 0.4, 0.42)},
		{"retry, app clock ahead", retries(1, 0.01, 503, 0.3, 0.305)},
		{"slow retry", retries(5, 0, 504, 0.3, 2.2)},
		{"a line written twice", func() (r []*parsers.Record) {
			for i := 0; i < 5; i++ {
				id, s := fmt.Sprintf("%032x", i+1), float64(i)
				r = append(r, rec("app", "app", s, "GET", "/a", 200, rid(id)),
					rec("edge", "nginx", s+0.002, "GET", "/a", 200, rid(id), up(200)), rec("edge", "nginx", s+0.002, "GET", "/a", 200, rid(id), up(200)))
			}
			return r
		}()},
	}
	for _, c := range cases {
		early, grace := earlyAndNot(t, []parsers.LayerStart{app, edge}, c.recs)
		if early != grace {
			t.Errorf("%s: closing complete requests at once changes the analysis:\n%s", c.name, firstDiff(grace, early))
		}
	}
}

// An input whose first lines carry no time (an nginx error log: parsers.Config.Starts gives it a
// zero First) does not keep requests open past the first Grace of the run.
func TestCompleteDespiteAnUntimedInput(t *testing.T) {
	recs := idTraffic(7, 20_000, 0)
	mean := func(extra ...parsers.LayerStart) float64 {
		e := New(Options{JoinWindow: 10 * time.Second})
		e.ExpectLayers(append(starts(recs), extra...))
		open := 0
		for _, r := range recs {
			e.Add(r)
			open += e.OpenRequests()
		}
		return float64(open) / float64(len(recs))
	}
	without, with := mean(), mean(parsers.LayerStart{Layer: "errors"})
	if with > without*1.2 {
		t.Errorf("%.0f requests open on average with an input without times, %.0f without it", with, without)
	}
}

// The bundled samples, their requests listed, analyse the same with requests closed complete
// and without, read as analyze reads them (the layers told, records read from their batches):
// the kept requests, and so the lists, ties and timelines, come in the same order.
func TestCompleteSamplesSame(t *testing.T) {
	samples := append(foldSamples[:len(foldSamples):len(foldSamples)], []struct {
		name, nginxConf, envoyConf string
		args                       []string
	}{
		{"proxy-chain", "", "", []string{"edge=../samples/proxy-chain/edge.log", "lb=../samples/proxy-chain/haproxy.log", "express=../samples/proxy-chain/express.log"}},
		{"apache", "", "", []string{"edge=../samples/proxies/apache/access.log", "app=../samples/proxies/apache/app.json"}},
		{"caddy", "", "", []string{"edge=../samples/proxies/caddy/access.log", "app=../samples/proxies/caddy/app.json"}},
		{"untimed", "", "", []string{"edge=../samples/untimed/edge.log", "express=../samples/untimed/express.log"}},
	}...)
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			var out [2]string
			for i, on := range []bool{true, false} {
				noEarlyClose = !on
				a := analyzeSampleMerge(t, s.nginxConf, s.envoyConf, Options{}, func(cfg *parsers.Config, inputs []parsers.Input, e *Engine) []parsers.Stats {
					cfg.Starts = e.ExpectLayers
					return mergePacked(cfg, inputs, e)
				}, s.args...)
				noEarlyClose = false
				var b bytes.Buffer
				if err := a.WriteJSON(&b, true); err != nil {
					t.Fatal(err)
				}
				out[i] = b.String()
			}
			if out[0] != out[1] {
				t.Errorf("closing complete requests at once changes the analysis:\n%s", firstDiff(out[1], out[0]))
			}
		})
	}
}

// The requests still open when the input ends close in the order they opened (their first
// queue entry), as before requests closed complete: the kept requests' order sets the reports'
// lists, ties and the timeline's first and last 405. A closes after B's last record but opened
// first; B's group is one a request closed complete before A opened gave back, whose stale entry
// comes before A's.
func TestFlushClosesInOpeningOrder(t *testing.T) {
	e := New(Options{})
	e.ExpectLayers([]parsers.LayerStart{{Layer: "app", First: t0}, {Layer: "edge", First: t0}})
	// Two requests that overlap and close complete; A then takes d2's group, B d1's.
	e.Add(rec("app", "app", 0.4, "GET", "/ok", 200, rid("d1")))
	e.Add(rec("app", "app", 0.5, "GET", "/ok", 200, rid("d2")))
	e.Add(rec("edge", "nginx", 0.5, "GET", "/ok", 200, rid("d1"), up(200)))
	e.Add(rec("edge", "nginx", 0.5, "GET", "/ok", 200, rid("d2"), up(200)))
	e.Add(rec("app", "app", 1, "DELETE", "/a", 405, rid("A")))
	e.Add(rec("app", "app", 2, "DELETE", "/b", 405, rid("B")))
	e.Add(rec("edge", "nginx", 2.5, "DELETE", "/b", 405, rid("B"), up(405)))
	e.Add(rec("edge", "nginx", 3, "DELETE", "/a", 405, rid("A"), up(405)))
	e.flush()
	var got []string
	for _, g := range e.kept {
		got = append(got, g.hops[0].path())
	}
	if fmt.Sprint(got) != "[/a /b]" {
		t.Errorf("kept in the order %v; want [/a /b]", got)
	}
}

// A tomb lives as long as its request would have stayed open, counts the records buried in it
// and takes their keys and times, as the open request did (tombs.go; cases from review):
//   - the same constant id 5.5 s later: the request was still open when that record came (the
//     engine closed requests after looking its keys up), so the id is marked;
//   - a poller reusing one id every 0.3–0.6 s: each buried record kept the request open longer;
//   - twenty requests with one id within 0.8 s: the sixteenth record marks it (maxKeyRecords);
//   - a constant request id plus an ALB trace id of each request: the buried edge record's
//     trace id must still join its ALB record;
//   - a tomb made just before the match index comes into use lives its longer hold.
func TestCompleteTombLivesAsTheRequestWould(t *testing.T) {
	const k = "00000000000000000000000000000000"
	ae := []parsers.LayerStart{{Layer: "app", First: t0}, {Layer: "edge", First: t0}}
	overlap := func(s float64) []*parsers.Record { // two overlapping requests with k: joined unless k was marked
		return []*parsers.Record{rec("app", "app", s, "POST", "/o", 201, rid(k)), rec("app", "app", s+0.05, "POST", "/o", 405, rid(k)),
			rec("edge", "nginx", s+0.06, "POST", "/o", 201, rid(k), up(201)), rec("edge", "nginx", s+0.07, "POST", "/o", 405, rid(k), up(405))}
	}
	pair := func(s float64, path, id string) []*parsers.Record {
		return []*parsers.Record{rec("app", "app", s, "GET", path, 200, rid(id)), rec("edge", "nginx", s+0.002, "GET", path, 200, rid(id), up(200))}
	}
	cases := []struct {
		name   string
		starts []parsers.LayerStart
		recs   []*parsers.Record
	}{
		{"5.5 s apart", ae, slices.Concat(pair(0, "/o", k), pair(5.5, "/o", k), overlap(12))},
		{"poller", ae, slices.Concat(pair(0, "/poll", k), pair(0.6, "/poll", k), pair(0.9, "/poll", k), pair(5.5, "/poll", k), pair(5.6, "/poll", k), overlap(20))},
		{"twenty in 0.8 s", ae, func() (r []*parsers.Record) {
			for i := 0; i < 20; i++ {
				r = append(r, pair(float64(i)*0.04, "/a", k)...)
			}
			return r
		}()},
		{"constant id and a trace id", []parsers.LayerStart{{Layer: "alb", First: t0}, {Layer: "edge", First: t0}, {Layer: "app", First: t0}}, func() (r []*parsers.Record) {
			for i := 0; i < 2; i++ {
				s, root := float64(i)*0.5, fmt.Sprintf("1-67430a80-%024x", i+1)
				r = append(r, rec("app", "app", s, "GET", "/a", 200, rid(k)), rec("edge", "nginx", s+0.002, "GET", "/a", 200, rid(k), amzn(root), up(200)),
					rec("alb", "alb", s+0.004, "GET", "/a", 200, amzn(root)))
			}
			return r
		}()},
		{"match index from 17 s", append(ae, parsers.LayerStart{Layer: "probe", First: t0.Add(17 * time.Second)}), slices.Concat(pair(10, "/o", k),
			[]*parsers.Record{rec("probe", "nginx", 17, "GET", "/healthz", 200)}, pair(17.5, "/o", k), overlap(40))},
	}
	for _, c := range cases {
		early, grace := earlyAndNot(t, c.starts, c.recs)
		if early != grace {
			t.Errorf("%s: closing complete requests at once changes the analysis:\n%s", c.name, firstDiff(grace, early))
		}
	}
}

// The ring of tombs grows when traffic outgrows it, keeping the tombs whose Grace has not
// passed and the newest tomb of each key: a constant id logged before a burst is still caught
// after it.
func TestCompleteTombsGrow(t *testing.T) {
	const k = "000000000000000000000000000000ff"
	var r []*parsers.Record
	pair := func(s float64, id string) {
		r = append(r, rec("app", "app", s, "GET", "/a", 200, rid(id)), rec("edge", "nginx", s+0.002, "GET", "/a", 200, rid(id), up(200)))
	}
	n := 0
	for i := 0; i < 300; i++ { // 10 a second: 50 a Grace, within the first ring
		id := fmt.Sprintf("%032x", n+1)
		if i == 199 {
			id = k
		}
		pair(float64(i)*0.1, id)
		n++
	}
	pair(30.05, k)
	for i := 0; i < 4000; i++ { // a burst that grows the ring
		pair(30.1+float64(i)*0.0001, fmt.Sprintf("%032x", n+1))
		n++
	}
	r = append(r, rec("edge", "nginx", 30.6, "GET", "/a", 200, rid(k), up(200)))
	early, grace := earlyAndNot(t, []parsers.LayerStart{{Layer: "app", First: t0}, {Layer: "edge", First: t0}}, r)
	if early != grace {
		t.Errorf("closing complete requests at once changes the analysis:\n%s", firstDiff(grace, early))
	}
}
