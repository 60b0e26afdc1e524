package analysis

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// joinTraffic feeds fn a random stream of requests that cross up to four layers, built so that
// the match index (match.go) does most of the joining and requests are given back while it is in
// use: the edge (nginx) and app layers log no ids, the ingress (Envoy) logs an id on some
// records only and its clock runs skewed, the ALB logs its trace root on some; routes repeat
// (identical requests, JoinGroup), some ids come from a small pool shared by unrelated requests
// (bridges, merges, then bad keys), hops are logged inner first, out of order, some without a
// time; log time runs backwards now and then. Modes 1 and 2 add bursts of records stamped with
// one second (log time standing still: caps reached), and mode 2 stamps the outer layers with
// whole seconds. 405s (direct, masked, rewritten path), redirects followed by a 405 and a traced
// id keep some requests.
func joinTraffic(seed uint64, n int, mode int, fn func(*parsers.Record)) {
	r := rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+uint64(mode)))
	type lay struct{ name, format string }
	layers := []lay{{"alb", "alb"}, {"edge", "nginx"}, {"ingress", "envoy"}, {"app", "app"}}
	methods := []string{"GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD"}
	routes := []string{"/api/orders/%d", "/api/users/%d", "/static/app.js", "/api/items", "/v1/x/%d"}
	skew := float64(r.IntN(3)) // the ingress's clock, seconds ahead
	type pend struct {
		at float64
		r  *parsers.Record
	}
	var out []pend
	clock := 0.0
	emitted := 0
	flushUpTo := func(limit float64) {
		slices.SortStableFunc(out, func(a, b pend) int {
			switch {
			case a.at < b.at:
				return -1
			case a.at > b.at:
				return 1
			}
			return 0
		})
		i := 0
		for ; i < len(out) && out[i].at <= limit; i++ {
			fn(out[i].r)
		}
		out = append(out[:0], out[i:]...)
	}
	for emitted < n {
		switch {
		case mode >= 1 && r.IntN(400) == 0:
			// log time stands still: a burst of records stamped with one second
			burst := 50 + r.IntN(400)
			for j := 0; j < burst && emitted < n; j++ {
				li := r.IntN(len(layers))
				p := fmt.Sprintf(routes[r.IntN(len(routes))], r.IntN(5))
				st := []int{200, 200, 404, 405}[r.IntN(4)]
				rc := rec(layers[li].name, layers[li].format, float64(int(clock)), "GET", p, st, client("10.0.0.1"))
				out = append(out, pend{clock, rc})
				emitted++
			}
		case r.IntN(500) == 0:
			clock -= r.Float64() * 4 // time runs backwards (another writer's late lines)
		default:
			clock += r.Float64() * float64(1+mode%2) * 0.05
		}
		m := methods[r.IntN(len(methods))]
		p := fmt.Sprintf(routes[r.IntN(len(routes))], r.IntN(8))
		st := 200
		switch x := r.IntN(100); {
		case x < 7:
			st = 405
		case x < 10 && m != "GET":
			st = 301
		case x < 12:
			st = 404
		case x < 14:
			st = 502
		}
		cl := fmt.Sprintf("10.0.0.%d", r.IntN(6))
		bytesSent := int64(r.IntN(3) * 100)
		var id string
		if r.IntN(3) == 0 {
			pool := 100000
			if r.IntN(10) == 0 {
				pool = 30 // shared by unrelated requests: bridges, then bad keys
			}
			id = fmt.Sprintf("%032x", r.IntN(pool))
		}
		if r.IntN(500) == 0 {
			id = fmt.Sprintf("%032x", 7) // the traced one
		}
		root := ""
		if r.IntN(3) == 0 {
			root = fmt.Sprintf("1-67430a80-%024x", r.IntN(100000))
		}
		first := r.IntN(4) // innermost layer the request reached (3 = app)
		last := r.IntN(2)  // outermost: alb or edge
		if first < last {
			first = last
		}
		at := clock
		for li := 3; li >= 0; li-- {
			if li > first || li < last || (li == 2 && r.IntN(5) == 0) {
				continue // not reached, or a sibling path around the ingress
			}
			status := st
			var o []opt
			o = append(o, client(cl), ua([]string{"curl/8", "shop/1"}[r.IntN(2)]))
			path := p
			if li == 3 && st == 405 && r.IntN(4) == 0 {
				path = "/internal" + p // rewritten: the outer hops log the client's path
			}
			if li < first && st == 405 && r.IntN(3) == 0 {
				status = 502 // masked: the outer hop sends another status and no upstream's
			} else if li < first {
				o = append(o, up(st))
			}
			if st == 301 {
				o = append(o, detail("location=/api/items/"))
			}
			switch li {
			case 0:
				if root != "" {
					o = append(o, amzn(root))
				}
			case 2:
				if id != "" && r.IntN(3) != 0 {
					o = append(o, rid(id))
				}
			}
			sec := at
			if li == 2 {
				sec += skew
			}
			if mode == 2 && li != 3 {
				sec = float64(int64(sec)) // whole seconds, as nginx's and Envoy's default logs have them
			}
			rc := rec(layers[li].name, layers[li].format, sec, m, path, status, o...)
			rc.BytesSent = bytesSent
			if r.IntN(80) == 0 {
				rc.Time = time.Time{}
			}
			out = append(out, pend{at + r.Float64()*0.05, rc})
			emitted++
			at += r.Float64() * 0.003
		}
		if len(out) > 64 {
			flushUpTo(clock - 0.2)
		}
	}
	flushUpTo(1e18)
}

// reviewSeeds is how many seeds each mode of TestRecycleJoinsSameAnalysis runs: 6, or
// $LOGTRIAGE_REVIEW_SEEDS for a longer hunt.
func reviewSeeds() uint64 {
	if s, err := strconv.Atoi(os.Getenv("LOGTRIAGE_REVIEW_SEEDS")); err == nil && s > 0 {
		return uint64(s)
	}
	return 6
}

// Requests joined by the match index are given back while it is in use (arena.go: recycle,
// recycleMerged, recycleDeferred; match.go: freeMslabs). Whatever is given back is poisoned at
// once in the package's tests (arena_test.go), so a request, hop or entry slab used after it was
// given back changes the analysis: random join traffic must analyse byte-identically, requests
// listed, with giving back on and off, under the shipped caps and under tiny ones (requests
// closed, entries dropped and 405s let go early while log time stands still), with records as
// built, prepared, or packed into batches (packed chunks go back to the inputs' pool).
func TestRecycleJoinsSameAnalysis(t *testing.T) {
	seeds := reviewSeeds()
	for mode := 0; mode < 3; mode++ {
		for seed := uint64(1); seed <= seeds; seed++ {
			tiny := mode == 2 || seed%2 == 0
			analyse := func(recycle bool) string {
				noRecycle = !recycle
				defer func() { noRecycle = false }()
				opts := Options{JoinWindow: time.Duration(2+seed%3) * time.Second, TraceIDs: []parsers.IDs{{RequestID: fmt.Sprintf("%032x", 7)}}}
				e := New(opts)
				if tiny {
					e.caps.second, e.caps.open, e.caps.waiting, e.caps.match = 40, 30, 8, 50
				}
				switch seed % 3 {
				case 0: // records prepared (Prepare), as analyze's inputs do
					joinTraffic(seed, 6_000, mode, func(rc *parsers.Record) {
						Prepare(rc)
						e.Add(rc)
					})
				case 1: // text packed into batches' chunks by workers, as analyze does (pack_random_test.go)
					var recs []*parsers.Record
					joinTraffic(seed, 6_000, mode, func(rc *parsers.Record) { recs = append(recs, rc) })
					packRandom(e, recs, 16, 2, 3)
				default:
					joinTraffic(seed, 6_000, mode, e.Add)
				}
				var b bytes.Buffer
				if err := e.Result(nil).WriteJSON(&b, true); err != nil {
					t.Fatal(err)
				}
				return b.String()
			}
			want := analyse(false)
			if got := analyse(true); got != want {
				t.Errorf("mode %d seed %d (tiny caps %v): giving back changes the analysis:\n%s", mode, seed, tiny, firstDiff(want, got))
			}
		}
	}
}

// checkNoFreeRefs fails when anything the engine still reads reaches a request or hop waiting in
// the arena for reuse: a match index entry (its request, the requests it was folded into, its
// hop) or one in a slab given back, an entry of the queue or of the slow queue, the key table
// (which must point only at open requests), a kept request or its hops, an open request's hops.
func checkNoFreeRefs(t *testing.T, e *Engine, where string) {
	t.Helper()
	freeG := map[*group]bool{}
	for _, g := range e.arena.freeGroups {
		freeG[g] = true
	}
	freeH := map[*hop]bool{}
	for _, h := range e.arena.freeHops {
		freeH[h] = true
	}
	for i, m := range e.mq[e.mdel:] {
		if m.layer < 0 {
			t.Fatalf("%s: match entry %d is in a slab given back", where, i)
		}
		for g := m.g; g != nil; g = g.merged {
			if freeG[g] {
				t.Fatalf("%s: match entry %d reaches a request given back", where, i)
			}
		}
		if freeH[m.h] {
			t.Fatalf("%s: match entry %d points at a hop given back", where, i)
		}
	}
	for _, q := range [][]qentry{e.queue[e.qhead:], e.slow[e.shead:]} {
		for _, x := range q {
			if freeG[x.g] {
				t.Fatalf("%s: a queue entry points at a request given back", where)
			}
			if x.g.merged == nil && !x.g.closed {
				for _, h := range x.g.hops {
					if freeH[h] {
						t.Fatalf("%s: an open request holds a hop given back", where)
					}
				}
			}
		}
	}
	for _, s := range e.keys.slots {
		if s.k != 0 && (freeG[s.g] || s.g.closed || s.g.merged != nil) {
			t.Fatalf("%s: a key points at a request given back, closed or folded", where)
		}
	}
	for _, g := range e.kept {
		if freeG[g] {
			t.Fatalf("%s: a kept request was given back", where)
		}
		for _, h := range g.hops {
			if freeH[h] {
				t.Fatalf("%s: a kept request holds a hop given back", where)
			}
		}
	}
}

// The same traffic, checked as it is read: after every few records nothing the engine still
// reads reaches what was given back (checkNoFreeRefs). Unlike the comparison of analyses, this
// also fails when a stale reference happens not to change the result: when a request folded
// into another is given back before its queue entries are gone (arena.go recycleDeferred
// without its qseq test), as well as for the mutations TestRecycleJoinsSameAnalysis catches.
func TestRecycleNothingReachableIsFree(t *testing.T) {
	for mode := 0; mode < 3; mode++ {
		for seed := uint64(1); seed <= 3; seed++ {
			e := New(Options{JoinWindow: time.Duration(1+seed%3) * time.Second, TraceIDs: []parsers.IDs{{RequestID: fmt.Sprintf("%032x", 7)}}})
			switch seed {
			case 2:
				e.caps.second, e.caps.open, e.caps.waiting, e.caps.match = 40, 30, 8, 50
			case 3:
				e.caps.second, e.caps.open, e.caps.waiting, e.caps.match = 10, 300, 3, 5
			}
			i, freed := 0, 0
			joinTraffic(seed, 4_000, mode, func(rc *parsers.Record) {
				e.Add(rc)
				if i++; i%3 == 0 {
					checkNoFreeRefs(t, e, fmt.Sprintf("mode %d seed %d, record %d", mode, seed, i))
					freed += len(e.arena.freeGroups)
				}
			})
			if freed == 0 || e.mGone < 1000 {
				t.Errorf("mode %d seed %d: %d requests seen free, %d match entries gone: too little given back while the index was in use", mode, seed, freed, e.mGone)
			}
		}
	}
}
