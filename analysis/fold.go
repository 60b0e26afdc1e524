package analysis

import (
	"encoding/binary"
	"hash/maphash"
	"sort"

	"github.com/logtriage/logtriage/parsers"
)

// Folding bounds the memory that requests with a 405 take. The first foldAfter of them are kept
// whole, as before. Beyond that, a request whose shape (below) equals that of a request already
// kept is not kept: it is counted into that request, its representative, which then stands for
// it in every count, timeline slot and tally. Requests of a new shape are kept whole until
// maxShapes shapes, or maxShapeRoutes distinct routes among them, exist; beyond, they fold by
// route and the layers, statuses and methods of
// their hops (taking the verdict of the first such request), and beyond maxCoarse of those by
// layers, statuses and methods only, reported under the route "(other routes)".
//
// The shape holds everything the verdict of a request depends on: per hop, in a canonical order
// (layer, then time), its layer, status, upstream statuses, local evidence, method, host, route
// template and which hops saw the same path, the routed path, upstream address, service, Allow,
// Origin, Access-Control-Request-Method, user agent, detail and file; the join kind; and whether
// a redirect of the same client preceded it. What it leaves out — times, ids, client addresses,
// the query string, line numbers, durations — is kept in aggregate: first and last request, the
// timeline slot of every request, a bounded tally of client addresses. Two requests of one shape
// therefore get the same verdict, and the counts, findings, funnel, impact and timeline are the
// same as if every request had been kept; only the per-request lists (--requests, examples)
// stop at the requests kept whole, and client addresses beyond maxFoldClients distinct (hop,
// address) pairs of all folds together are counted without their value. Beyond those limits, the verdict of a request is that of the first request of its route and statuses (or,
// beyond maxCoarse routes, of its statuses alone): the findings say how many were folded so.
const (
	foldAfter      = 10_000
	maxShapes      = 30_000
	maxShapeRoutes = 10_000 // distinct routes (with hop statuses) among those shapes
	maxCoarse      = 2_000
	maxFoldClients = 1 << 18 // (hop position, client address) keys of all folds together: about 20 MiB
	maxFoldSlots   = 1 << 20 // timeline counters of folded requests, all shapes together
	// OtherRoutes is the route of a finding that holds the requests folded by coarse shape.
	OtherRoutes = "(other routes)"
	restClient  = 0xff // not a byte of any address text
)

// fold is what a representative holds of the requests folded into it.
type fold struct {
	n int64 // requests folded in
	// early and late are, per canonical hop position, the folded requests whose hop there has the
	// earliest and the latest time (earlyT, lateT).
	early, late   []*group
	earlyT, lateT []int64
	// clients counts the folded requests by canonical hop position (one byte) and client
	// address; the key {position, restClient} counts those beyond maxFoldClients keys.
	clients map[string]int64
	slots   map[int64]int64 // requests per timeline slot, at ladder rung
	rung    int
	untimed int64
	approx  int64 // of n, those of another shape folded by route and layer statuses only
	other   bool  // folded by layer statuses only, under the route "(other routes)"
}

// foldState is the engine's folding state.
type foldState struct {
	// after and maxShapes are Options.KeepWhole and MaxShapes, or foldAfter and maxShapes.
	after, maxShapes, maxRoutes, maxCoarse int
	routes                                 int // distinct routes (level-1 keys) among the shapes kept
	seed                                   maphash.Seed
	shapes                                 map[uint64]*group
	coarse, other                          map[uint64]*group // the representatives of levels 1 and 2 (foldCoarse)
	nCoarse                                int               // level-1 representatives beyond maxShapes
	reps                                   []*group          // representatives with a fold, for re-binning their slots
	whole                                  int               // requests with a 405 kept whole
	folded                                 int64             // requests folded into a representative
	otherRoutes                            int64             // requests folded under "(other routes)"
	clientKeys                             int               // keys of all folds' clients
	slots                                  int               // timeline counters held by all folds
	canon                                  []*hop
	buf                                    []byte
}

// init sets the limits from the options.
func (fs *foldState) init(opts *Options) {
	fs.after, fs.maxShapes, fs.maxRoutes, fs.maxCoarse = foldAfter, maxShapes, maxShapeRoutes, maxCoarse
	if opts.KeepWhole > 0 {
		fs.after = opts.KeepWhole
	}
	if opts.MaxShapes > 0 {
		fs.maxShapes, fs.maxRoutes = opts.MaxShapes, opts.MaxShapes
	}
}

// keep stores a closed request that touches a 405 or is traced: whole, or folded into an earlier
// request of the same shape.
func (e *Engine) keep(g *group) {
	fs := &e.fold
	if !g.has405 || g.traced {
		if g.has405 {
			e.closeRedirect(g, fs.canonical(g))
		}
		e.kept = append(e.kept, g)
		return
	}
	if fs.shapes == nil {
		fs.seed = maphash.MakeSeed()
		fs.shapes, fs.coarse, fs.other = map[uint64]*group{}, map[uint64]*group{}, map[uint64]*group{}
	}
	hops := fs.canonical(g)
	e.closeRedirect(g, hops)
	k := fs.shapeKey(e, g, hops, 0)
	if rep, ok := fs.shapes[k]; ok {
		if fs.whole >= fs.after {
			e.foldInto(rep, g, hops)
			return
		}
	} else if k1 := fs.shapeKey(e, g, hops, 1); len(fs.shapes) < fs.maxShapes && (fs.coarse[k1] != nil || fs.routes < fs.maxRoutes) {
		fs.shapes[k] = g
		// Also the first of its route and statuses, for requests of new shapes beyond the limits.
		if fs.coarse[k1] == nil {
			fs.coarse[k1] = g
			fs.routes++
		}
	} else {
		e.foldCoarse(g, hops, k1)
		return
	}
	fs.whole++
	e.kept = append(e.kept, g)
}

// foldCoarse folds a request of a new shape beyond maxShapes: by its route and the layers,
// statuses and methods of its hops (level 1), and beyond maxCoarse of those by layers, statuses
// and methods alone (level 2), under the route "(other routes)"; beyond maxCoarse of these, into
// one representative for everything else.
func (e *Engine) foldCoarse(g *group, hops []*hop, k uint64) {
	fs := &e.fold
	if rep, ok := fs.coarse[k]; ok {
		e.foldInto(rep, g, hops)
		rep.fold.approx++
		return
	}
	if fs.nCoarse < fs.maxCoarse {
		fs.nCoarse++
		g.fold = &fold{rung: e.tl.rung}
		fs.reps = append(fs.reps, g)
		fs.coarse[k] = g
		e.kept = append(e.kept, g)
		return
	}
	fs.otherRoutes++
	k = fs.shapeKey(e, g, hops, 2)
	if _, ok := fs.other[k]; !ok && len(fs.other) >= fs.maxCoarse {
		k = 0 // the coarsest: one representative for everything else
	}
	if rep, ok := fs.other[k]; ok {
		e.foldInto(rep, g, hops)
		return
	}
	g.fold = &fold{rung: e.tl.rung, other: true}
	fs.reps = append(fs.reps, g)
	fs.other[k] = g
	e.kept = append(e.kept, g)
}

// foldInto counts g into its representative rep.
func (e *Engine) foldInto(rep, g *group, hops []*hop) {
	fs := &e.fold
	f := rep.fold
	if f == nil {
		f = &fold{rung: e.tl.rung}
		rep.fold = f
		fs.reps = append(fs.reps, rep)
	}
	f.n++
	fs.folded++
	if f.clients == nil {
		f.clients = map[string]int64{}
	}
	for pos, h := range hops {
		fs.buf = append(append(fs.buf[:0], byte(pos)), h.clientIP()...)
		if n, ok := f.clients[string(fs.buf)]; ok {
			f.clients[string(fs.buf)] = n + 1
		} else if fs.clientKeys < maxFoldClients {
			f.clients[string(fs.buf)] = 1
			fs.clientKeys++
		} else {
			f.clients[string([]byte{byte(pos), restClient})]++
		}
	}
	// The first and last request by each hop position's time: which position names a request's
	// time (the outermost timed hop) is known only at the end.
	if f.early == nil {
		f.early, f.late = make([]*group, len(hops)), make([]*group, len(hops))
		f.earlyT, f.lateT = make([]int64, len(hops)), make([]int64, len(hops))
	}
	for pos, h := range hops {
		if h.time == 0 || pos >= len(f.early) {
			continue
		}
		if f.early[pos] == nil || h.time < f.earlyT[pos] {
			f.early[pos], f.earlyT[pos] = g, h.time
		}
		if f.late[pos] == nil || h.time >= f.lateT[pos] {
			f.late[pos], f.lateT[pos] = g, h.time
		}
	}
	t := endTime(g.hops)
	if t == 0 {
		f.untimed++
		return
	}
	e.tl.reserve(t) // the slot counts towards the counter's limit, which may coarsen it
	if fs.slots > maxFoldSlots {
		e.tl.coarsenOnce()
		fs.slots = 0
		for _, r := range fs.reps {
			e.rebin(r.fold)
			fs.slots += len(r.fold.slots)
		}
	}
	e.rebin(f)
	if f.slots == nil {
		f.slots = map[int64]int64{}
	}
	s := e.tl.slot(t)
	if _, ok := f.slots[s]; !ok {
		fs.slots++
	}
	f.slots[s]++
	// g's hops stay only when g is early or late; its keys were released on close.
}

// rebin moves a fold's slots to the timeline counter's current width.
func (e *Engine) rebin(f *fold) {
	if f.rung == e.tl.rung {
		return
	}
	old := int64(tlLadder[f.rung])
	f.rung = e.tl.rung
	if len(f.slots) == 0 {
		return
	}
	w := e.tl.width()
	slots := make(map[int64]int64, len(f.slots))
	for s, n := range f.slots {
		slots[floorDiv(s*old, w)] += n
	}
	e.fold.slots += len(slots) - len(f.slots)
	f.slots = slots
}

// canonical returns g's hops in the canonical order: by layer, then time (stable).
func (fs *foldState) canonical(g *group) []*hop {
	fs.canon = append(fs.canon[:0], g.hops...)
	sort.SliceStable(fs.canon, func(i, j int) bool {
		a, b := fs.canon[i], fs.canon[j]
		if a.layer != b.layer {
			return a.layer < b.layer
		}
		return a.time < b.time
	})
	return fs.canon
}

// shapeKey hashes a request's shape (level 0); level 1 keeps per hop its layer, status, upstream
// statuses, local evidence, method and route template, level 2 the same without the route.
func (fs *foldState) shapeKey(e *Engine, g *group, hops []*hop, level int) uint64 {
	var h maphash.Hash
	h.SetSeed(fs.seed)
	b := fs.buf[:0]
	num := func(v int64) { b = binary.AppendVarint(b, v) }
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	num(int64(len(hops)))
	num(int64(level))
	for _, x := range hops {
		num(int64(x.layer))
		num(int64(x.status))
		num(int64(x.local))
		num(int64(len(x.upstream)))
		for _, u := range x.upstream {
			num(int64(u))
		}
		str(x.method())
		if level == 2 {
			continue
		}
		b = appendRoute(b, x.path())
		b = append(b, 0)
		if level == 1 {
			continue
		}
		str(x.host())
		if rp := x.routedPath(); rp != "" {
			b = appendRoute(b, rp)
		}
		b = append(b, 1)
		str(x.upstreamAddr())
		str(x.service())
		str(x.allow())
		str(x.origin())
		str(x.acrMethod())
		str(x.userAgent())
		str(x.detail())
		str(x.file)
		num(boolInt(x.time == 0))
		num(boolInt(apiLike(x))) // reads the exact path (a .json target), not its template
		// Configuration rules match on the path itself, not its template: the rule that
		// matches is part of the shape (causes_more.go looks them up).
		if locs := e.opts.NginxLocations; len(locs) > 0 {
			num(int64(index(locs, parsers.SelectNginxLocation(locs, x.path()))))
		}
		if rts := e.opts.EnvoyRoutes; len(rts) > 0 {
			num(int64(index(rts, parsers.EnvoyMethodRoute(rts, x.path(), x.method()))))
		}
	}
	if level == 0 {
		// Which of the hops' paths and routed paths are the same path (path rewrites and static
		// fall-through compare them exactly), and which are empty.
		for i := 0; i < 2*len(hops); i++ {
			p := pathOf(hops, i)
			same := i
			for j := 0; j < i; j++ {
				if samePath(pathOf(hops, j), p) {
					same = j
					break
				}
			}
			num(int64(same))
			num(boolInt(p == ""))
		}
	}
	if level < 2 {
		str(string(joinKind(g)))
		num(boolInt(g.redirect != nil))
	}
	fs.buf = b
	h.Write(b)
	k := h.Sum64()
	if k == 0 {
		k = 1 // 0 names the coarsest fold
	}
	return k
}

// pathOf returns the path (even i) or routed path (odd i) of hop i/2.
func pathOf(hops []*hop, i int) string {
	if i%2 == 0 {
		return hops[i/2].path()
	}
	return hops[i/2].routedPath()
}

// index returns the position of p in s, or -1.
func index[T any](s []T, p *T) int {
	for i := range s {
		if &s[i] == p {
			return i
		}
	}
	return -1
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// swap makes the folded request face stand in f's tallies for the representative rep: face's
// client addresses and timeline slot leave them, rep's join them (Result shows face instead).
func (fs *foldState) swap(e *Engine, f *fold, rep, face *group) {
	move := func(g *group, d int64) {
		for pos, h := range fs.canonical(g) {
			fs.buf = append(append(fs.buf[:0], byte(pos)), h.clientIP()...)
			if n, ok := f.clients[string(fs.buf)]; ok || d > 0 {
				if n+d == 0 {
					delete(f.clients, string(fs.buf))
				} else {
					f.clients[string(fs.buf)] = n + d
				}
			}
		}
		t := endTime(g.hops)
		if t == 0 {
			f.untimed += d
			return
		}
		s := e.tl.slot(t)
		if f.slots[s]+d == 0 {
			delete(f.slots, s)
		} else {
			f.slots[s] += d
		}
	}
	if f.clients == nil {
		f.clients = map[string]int64{}
	}
	if f.slots == nil {
		f.slots = map[int64]int64{}
	}
	move(face, -1)
	move(rep, 1)
}

// maxByTime returns whichever of a and b is later by reqTime (a when b is not).
func maxByTime(a, b *request) *request {
	if a == nil || reqTime(b) > reqTime(a) {
		return b
	}
	return a
}

// closeRedirect settles the redirect a request's GET followed when it closes: the one found when
// its 405 was logged (noteRedirect), else one found now; none when a hop logged another method.
func (e *Engine) closeRedirect(g *group, hops []*hop) {
	for _, h := range hops {
		if m := h.method(); m != "GET" && m != "" {
			g.redirect = nil
			return
		}
	}
	if g.redirect == nil {
		g.redirect = e.redirectBefore(hops)
	}
}
