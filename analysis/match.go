package analysis

import (
	"slices"
	"sort"
)

// Joins without ids (docs/joins.md). When adjacent layers share no usable id, a record of the
// inner layer is paired with a record of the outer layer that shows the same request: the same
// method and path (as sent, or as the outer hop routed it), the status the outer hop saw from the
// inner one (its last upstream status where logged, else its own), and a log time within
// [-1 s, +2 s] of the inner one's after correcting the clock skew between the two hosts
// (second-resolution clocks; the outer hop logs after the inner one). Response size and client
// address, where both log them, separate candidates. A pair is a unique_match when each record is
// the other's only candidate; several identical requests in one window (same method, target and
// status in the same second) pair in time order as a group_match: their per-layer counts are
// exact, the one-to-one pairing is not. A 405 the outer hop turned into another status (masked)
// or a path the outer hop rewrote (prefix strip) is paired by a second look when the exact look
// finds nothing.
//
// Ids win: two records that both carry usable ids are never paired by match, and matching runs
// only while some layer logs ids on fewer than half of its records. Memory: every entry leaves the
// index matchHold after its record's time, so the index holds one window of traffic, whatever
// the input size.

// JoinKind says how the hops of a request were joined.
type JoinKind string

// The join kinds, strongest first.
const (
	JoinID       JoinKind = "id"           // every hop joined by a shared id
	JoinUnique   JoinKind = "unique_match" // at least one hop joined by an unambiguous match
	JoinGroup    JoinKind = "group_match"  // at least one hop paired within a group of identical requests
	JoinOrder    JoinKind = "order_match"  // at least one hop without a time of its own, paired by its place in its log (untimed.go)
	JoinUnjoined JoinKind = "unjoined"     // one hop: nothing joined it to another layer
)

// JoinCounts counts requests by join kind.
type JoinCounts struct {
	ID       int `json:"id"`
	Unique   int `json:"unique_match"`
	Group    int `json:"group_match"`
	Order    int `json:"order_match,omitempty"`
	Unjoined int `json:"unjoined"`
}

func (c *JoinCounts) addN(k JoinKind, n int64) {
	switch k {
	case JoinID:
		c.ID += int(n)
	case JoinUnique:
		c.Unique += int(n)
	case JoinGroup:
		c.Group += int(n)
	case JoinOrder:
		c.Order += int(n)
	default:
		c.Unjoined += int(n)
	}
}

// Most returns the kind that most requests have; a tie goes to the weaker kind.
func (c JoinCounts) Most() JoinKind {
	k, n := JoinUnjoined, c.Unjoined
	for _, x := range []struct {
		k JoinKind
		n int
	}{{JoinOrder, c.Order}, {JoinGroup, c.Group}, {JoinUnique, c.Unique}, {JoinID, c.ID}} {
		if x.n > n {
			k, n = x.k, x.n
		}
	}
	return k
}

// ClockSkew is the estimated clock offset between an inner hop's host (one input) and an outer
// layer, from the requests that paired unambiguously.
type ClockSkew struct {
	Inner string `json:"inner"` // the inner hop's input
	Outer string `json:"outer"` // the outer layer
	// OffsetMS is the median of (outer log time − inner log time) in milliseconds. With clocks in
	// step it lies within a second of zero (one side logs whole seconds) plus the outer hop's extra
	// time; a larger offset is the inner host's clock running behind, a more negative one ahead.
	OffsetMS int64 `json:"offset_ms"`
	Pairs    int   `json:"pairs"`
}

const (
	matchBefore  = 1 // seconds an outer record may be stamped before the inner one (truncation)
	matchAfter   = 2 // seconds an outer record may be stamped after the inner one
	maxSkewSec   = 5 // largest clock skew searched for
	minSkewPairs = 3 // unique pairs before a file pair's skew estimate is used
	maxSkewKept  = 255
	maxScan      = 64 // candidates examined per record before settling for a group match
	// matchDelay: an inner record is matched once every outer record that could pair with it
	// (up to maxSkewSec+matchAfter later) has arrived; matchHold: entries leave the index once no
	// later inner record can pair with them.
	matchDelay = int64(maxSkewSec+matchAfter+1) * 1e9
	matchHold  = matchDelay + int64(maxSkewSec+matchBefore+2)*1e9
)

// maskStatuses are the statuses an outer hop's error_page or interceptor commonly turns an inner
// 405 into; a 405 that found no partner is looked for among outer records with these.
var maskStatuses = [...]int{200, 204, 302, 400, 403, 404, 500, 502, 503}

// mentry is one record in the match index.
type mentry struct {
	g        *group
	h        *hop
	sec      int64
	layer    int
	ids      bool  // the record carried usable ids
	bytes    int64 // -1 unknown
	inBase   uint64
	outBase  [2]uint64 // path as sent, path as routed (0 when the same)
	tailBase uint64    // outer records that saw a 405: (method, last two path segments)
	taken    bool      // as an outer record: paired with an inner one
	matched  bool      // as an inner record: paired with an outer one
	placed   bool      // its record had no time and was placed by log order (untimed.go)
	probed   bool      // counted for the order of same-rank proxies (twins.go)
	partner  int       // the layer it was paired with
}

type skewKey struct {
	file  string
	outer int
}

type skewStat struct {
	diffs  []int64 // ms, up to maxSkewKept
	n      int
	est    int64   // seconds
	sorted []int64 // median's scratch
}

func (s *skewStat) add(ms int64) {
	if len(s.diffs) < maxSkewKept {
		s.diffs = append(s.diffs, ms)
	} else {
		s.diffs[s.n%maxSkewKept] = ms
	}
	s.n++
	if s.n < 16 || s.n%16 == 0 {
		m := s.median()
		s.est = fdiv(m, 1000)
	}
}

func (s *skewStat) median() int64 {
	s.sorted = append(s.sorted[:0], s.diffs...)
	slices.Sort(s.sorted)
	return s.sorted[len(s.sorted)/2]
}

func fdiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// matchHash hashes (method, path, status) with FNV-1a.
func matchHash(method, path string, status int) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(method); i++ {
		h ^= uint64(method[i])
		h *= 1099511628211
	}
	h ^= ' '
	h *= 1099511628211
	for i := 0; i < len(path); i++ {
		h ^= uint64(path[i])
		h *= 1099511628211
	}
	h ^= uint64(status) + 0x10000
	h *= 1099511628211
	if h == 0 {
		h = 1
	}
	return h
}

// secKey combines a base hash with a second.
func secKey(base uint64, sec int64) uint64 {
	x := base ^ (uint64(sec) * 0x9E3779B97F4A7C15)
	x ^= x >> 31
	return x * 0xBF58476D1CE4E5B9
}

// pathTail returns the last two segments of a path ("/api/v2/accounts/7" → "accounts/7").
func pathTail(p string) string {
	n := 0
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			n++
			if n == 2 {
				return p[i+1:]
			}
		}
	}
	return p
}

// seenStatus is the status the hop received from the next hop inward: its last upstream status
// where logged, else its own.
func seenStatus(h *hop) int {
	if n := len(h.upstream); n > 0 && h.upstream[n-1] > 0 {
		return h.upstream[n-1]
	}
	return h.status
}

// live returns the group a (possibly folded) group now belongs to.
func live(g *group) *group {
	for g.merged != nil {
		g = g.merged
	}
	return g
}

// outside reports whether layer a is outside layer b: by --order when it names both, else by
// format (ALB, nginx, Envoy, other, app). Layers of one format are not ordered (siblings).
func (e *Engine) outside(a, b int) bool {
	la, lb := &e.layers[a], &e.layers[b]
	if la.orderPos >= 0 && lb.orderPos >= 0 {
		return la.orderPos < lb.orderPos
	}
	if e.twins != nil {
		if o := e.twinOuter(a, b); o >= 0 {
			return o == a
		}
	}
	return formatPrior(la.format) < formatPrior(lb.format)
}

// outerLayers returns the layers outside li, innermost first.
func (e *Engine) outerLayers(li int) []int {
	if len(e.outerCache) != len(e.layers) {
		e.outerCache = make([][]int, len(e.layers))
		e.outerDone = make([]bool, len(e.layers))
	}
	if e.outerDone[li] {
		return e.outerCache[li]
	}
	var out []int
	for l := range e.layers {
		if l != li && e.outside(l, li) {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return e.outside(out[j], out[i]) })
	e.outerCache[li], e.outerDone[li] = out, true
	return out
}

// idless reports whether a layer logs usable ids on fewer than half of its records.
func (e *Engine) idless(li int) bool {
	l := &e.layers[li]
	return l.records > 0 && l.withIDs*2 < l.records
}

// addMatch puts a record into the match index.
func (e *Engine) addMatch(h *hop, g *group, li int, ids bool, bytes int64) {
	if h.time == 0 {
		return // no time: nothing to match it by
	}
	if e.mIn == nil {
		e.mIn, e.mOut, e.mTail = map[uint64]mlist{}, map[uint64]mlist{}, map[uint64]mlist{}
		e.skews = map[skewKey]*skewStat{}
	}
	sec := fdiv(h.time, 1e9)
	m := e.newMentry()
	*m = mentry{g: g, h: h, sec: sec, layer: li, ids: ids, bytes: bytes, placed: e.placing}
	e.mAdded++
	live(g).mseq = e.mAdded
	method, path := h.method(), h.path()
	m.inBase = matchHash(method, path, h.status)
	seen := seenStatus(h)
	m.outBase[0] = matchHash(method, path, seen)
	if rp := h.routedPath(); rp != "" && rp != path {
		m.outBase[1] = matchHash(method, rp, seen)
	}
	if seen == 405 {
		m.tailBase = matchHash(method, pathTail(path), 405)
		mAppend(e.mTail, secKey(m.tailBase, sec), m)
	}
	mAppend(e.mIn, secKey(m.inBase, sec), m)
	for _, b := range m.outBase {
		if b != 0 {
			mAppend(e.mOut, secKey(b, sec), m)
		}
	}
	e.mq = append(e.mq, m)
	e.matchUsed = true
}

// mlist is the records of the match index under one key. Most keys have one or two (a request's
// record at each of two layers), which need no slice of their own.
type mlist struct {
	first [2]*mentry
	more  []*mentry
}

func (l *mlist) len() int {
	switch {
	case l.first[0] == nil:
		return 0
	case l.first[1] == nil:
		return 1
	}
	return 2 + len(l.more)
}

// at returns the i-th record, in the order they were added.
func (l *mlist) at(i int) *mentry {
	if i < len(l.first) {
		return l.first[i]
	}
	return l.more[i-len(l.first)]
}

// mAppend adds m to idx's records under k.
func mAppend(idx map[uint64]mlist, k uint64, m *mentry) {
	l := idx[k]
	switch {
	case l.first[0] == nil:
		l.first[0] = m
	case l.first[1] == nil:
		l.first[1] = m
	default:
		l.more = append(l.more, m)
	}
	idx[k] = l
}

// mentrySlab is how many match index entries are allocated at once: they leave the index in the
// order they entered it, so a slab is reused once its last entry left.
const mentrySlab = 256

// mslabs are the slabs of match index entries in use, oldest first, and those free for reuse.
type mslabs struct {
	used [][]mentry
	base int64 // the number of the first entry of used[0], less one
	free [][]mentry
}

// newMentry returns an entry for the match index from the current slab.
func (e *Engine) newMentry() *mentry {
	if len(e.mslab) == cap(e.mslab) {
		sl := &e.mslabs
		if n := len(sl.free); n > 0 && !noRecycle {
			e.mslab = sl.free[n-1][:0]
			sl.free = sl.free[:n-1]
		} else {
			e.mslab = make([]mentry, 0, mentrySlab)
		}
		sl.used = append(sl.used, e.mslab)
	}
	e.mslab = e.mslab[:len(e.mslab)+1]
	return &e.mslab[len(e.mslab)-1]
}

// freeMslabs keeps for reuse the slabs whose entries have all left the index (but the current one).
func (e *Engine) freeMslabs() {
	sl := &e.mslabs
	for len(sl.used) > 1 && e.mGone >= sl.base+mentrySlab {
		s := sl.used[0][:mentrySlab]
		if poisonRecycled {
			for i := range s {
				s[i] = mentry{layer: -1, sec: -1} // no request, no hop: a use fails at once
			}
		}
		sl.used[0] = nil
		sl.used = sl.used[1:]
		sl.base += mentrySlab
		if len(sl.free) < 64 {
			sl.free = append(sl.free, s)
		}
	}
}

// maxMatchEntries bounds the match index while log time stands still (overCap in engine.go):
// beyond, the oldest entries are paired and dropped early.
const maxMatchEntries = 200_000

// advanceMatch pairs the inner records older than now−matchDelay and drops the entries older
// than now−matchHold. now = math.MaxInt64 drains the index.
func (e *Engine) advanceMatch(now int64) {
	for e.mhead < len(e.mq) {
		m := e.mq[e.mhead]
		if now-m.h.time < matchDelay && !e.overCap(len(e.mq)-e.mhead, e.caps.match) {
			break
		}
		e.mhead++
		if !e.twinWait(m) {
			e.matchInner(m)
		}
	}
	for e.mdel < e.mhead {
		m := e.mq[e.mdel]
		if now-m.h.time < matchHold && now != 1<<63-1 && !e.overCap(len(e.mq)-e.mdel, e.caps.match) {
			break
		}
		if len(e.twinHeld) > 0 {
			e.flushTwinHeld() // before any entry leaves the index
		}
		e.mq[e.mdel] = nil
		e.mdel++
		e.mGone++
		delete(e.mIn, secKey(m.inBase, m.sec))
		for _, b := range m.outBase {
			if b != 0 {
				delete(e.mOut, secKey(b, m.sec))
			}
		}
		if m.tailBase != 0 {
			delete(e.mTail, secKey(m.tailBase, m.sec))
		}
	}
	e.freeMslabs()
	if e.mdel > 4096 && e.mdel > len(e.mq)/2 {
		n := copy(e.mq, e.mq[e.mdel:])
		clear(e.mq[n:])
		e.mq = e.mq[:n]
		e.mhead -= e.mdel
		e.mdel = 0
	}
}

// pairable reports whether inner record x may pair with outer record o.
func (e *Engine) pairable(x, o *mentry, lo int) bool {
	if o.layer != lo || o.taken && !e.retaken(x, o) || (x.ids && o.ids) {
		return false
	}
	if !e.idless(x.layer) && !e.idless(o.layer) {
		return false
	}
	go_, gx := live(o.g), live(x.g)
	return go_ != gx && !go_.closed && !gx.closed
}

// score ranks a candidate: same response size and same client address count for it.
func score(x, o *mentry) int {
	s := 0
	if x.bytes >= 0 && o.bytes >= 0 {
		if x.bytes == o.bytes {
			s += 2
		} else {
			s--
		}
	}
	if c := x.h.clientIP(); c != "" && c == o.h.clientIP() {
		s++
	}
	return s
}

func (e *Engine) skewOf(file string, lo int) *skewStat {
	k := skewKey{file, lo}
	s := e.skews[k]
	if s == nil {
		s = &skewStat{}
		e.skews[k] = s
	}
	return s
}

// candidates collects the unpaired outer records of layer lo in index idx under base, in the
// seconds [from, to], keeping those with the best score. scanned counts every pairable one.
func (e *Engine) candidates(idx map[uint64]mlist, x *mentry, base uint64, lo int, from, to int64, dst []*mentry) (best []*mentry, scanned int) {
	bestScore := -1 << 30
	best = dst[:0]
	for s := from; s <= to; s++ {
		l := idx[secKey(base, s)]
		for i := range l.len() {
			o := l.at(i)
			if o.taken && o.layer == lo && !e.retaken(x, o) {
				scanned++ // an identical request already paired: x is one of a group
				continue
			}
			if !e.pairable(x, o, lo) {
				continue
			}
			scanned++
			if scanned > maxScan {
				return best, scanned
			}
			switch sc := score(x, o); {
			case sc > bestScore:
				bestScore = sc
				best = append(best[:0], o)
			case sc == bestScore:
				best = append(best, o)
			}
		}
	}
	return best, scanned
}

// rivals reports whether another inner record, paired or not, could take o as well as x does.
func (e *Engine) rivals(x, o *mentry, lo int, skew int64) bool {
	want := score(x, o)
	n := 0
	for s := o.sec - skew - matchAfter; s <= o.sec-skew+matchBefore; s++ {
		l := e.mIn[secKey(x.inBase, s)]
		for i := range l.len() {
			y := l.at(i)
			if y == x || y.layer == lo || !e.outside(lo, y.layer) || live(y.g) == live(o.g) || live(y.g) == live(x.g) ||
				y.matched && y.partner != lo {
				continue // the same request, or one that paired with another layer
			}
			if score(y, o) >= want {
				return true
			}
			if n++; n > maxScan {
				return true
			}
		}
	}
	return false
}

// matchInner pairs inner record x with a record of the nearest outer layer that logged the
// same request.
func (e *Engine) matchInner(x *mentry) {
	if !x.probed {
		e.twinProbe(x)
	}
	outers := e.outerLayers(x.layer)
	if len(outers) == 0 || live(x.g).closed {
		return
	}
	if !e.idless(x.layer) {
		// An inner layer with ids pairs only with an outer layer without them.
		any := false
		for _, lo := range outers {
			any = any || e.idless(lo)
		}
		if !any {
			return
		}
	}
	h := x.h
	for _, lo := range outers {
		sk := e.skewOf(h.file, lo)
		skew := int64(0)
		if sk.n >= minSkewPairs {
			skew = sk.est
		}
		lo0, hi0 := x.sec+skew-matchBefore, x.sec+skew+matchAfter
		cands, scanned := e.candidates(e.mOut, x, x.inBase, lo, lo0, hi0, e.mscratch)
		e.mscratch = cands[:0]
		if len(cands) == 0 && sk.n < minSkewPairs {
			// No estimate yet: look as far as the largest skew, and take only an unambiguous pair.
			cands, scanned = e.candidates(e.mOut, x, x.inBase, lo, x.sec-maxSkewSec-matchBefore, x.sec+maxSkewSec+matchAfter, e.mscratch)
			e.mscratch = cands[:0]
			if len(cands) == 1 && scanned == 1 && !e.rivals(x, cands[0], lo, fdiv(cands[0].h.time-h.time, 1e9)) {
				e.pair(x, cands[0], lo, JoinUnique)
				return
			}
			cands = cands[:0]
		}
		if len(cands) > 0 {
			o := earliest(cands)
			kind := JoinGroup
			if len(cands) == 1 && scanned == 1 && !e.rivals(x, o, lo, skew) {
				kind = JoinUnique
			}
			e.pair(x, o, lo, kind)
			return
		}
		if h.status == 405 {
			// A rewritten path: the outer hop logged the path as the client sent it.
			if t := pathTail(h.path()); t != h.path() {
				cands, scanned := e.candidates(e.mTail, x, matchHash(h.method(), t, 405), lo, lo0, hi0, e.mscratch)
				e.mscratch = cands[:0]
				if len(cands) > 0 {
					o, kind := earliest(cands), JoinGroup
					if len(cands) == 1 && scanned == 1 && !e.rivals(x, o, lo, skew) {
						kind = JoinUnique
					}
					e.pair(x, o, lo, kind)
					return
				}
			}
			// A masked 405: the outer hop sent another status and does not log the upstream's.
			var all []*mentry
			n := 0
			for _, st := range maskStatuses {
				cands, scanned := e.candidates(e.mOut, x, matchHash(h.method(), h.path(), st), lo, lo0, hi0, e.mscratch)
				all = append(all, cands...)
				n += scanned
			}
			if len(all) > 0 {
				o, kind := earliest(all), JoinGroup
				if len(all) == 1 && n == 1 && !e.rivals(x, o, lo, skew) {
					kind = JoinUnique
				}
				e.pair(x, o, lo, kind)
				return
			}
		}
		// Nothing in this layer: the request may have skipped it (sibling proxies); try the next.
	}
}

func earliest(c []*mentry) *mentry {
	o := c[0]
	for _, y := range c[1:] {
		if y.h.time < o.h.time {
			o = y
		}
	}
	return o
}

// pair joins x's request with o's.
func (e *Engine) pair(x, o *mentry, lo int, kind JoinKind) {
	x.matched, o.taken, x.partner = true, true, lo
	gx, gy := live(x.g), live(o.g)
	if len(gx.hops)+len(gy.hops) >= maxGroupHops {
		return
	}
	dst, src := gx, gy
	if len(gy.hops) > len(gx.hops) {
		dst, src = gy, gx
	}
	e.merge(dst, src)
	if x.placed || o.placed {
		dst.linkOrder = true // the time it was paired by is the outer record's own (untimed.go)
		return
	}
	if kind == JoinUnique {
		dst.linkUnique = true
		e.skewOf(x.h.file, lo).add((o.h.time - x.h.time) / 1e6)
	} else {
		dst.linkGroup = true
	}
}

// joinKind says how a closed request's hops were joined.
func joinKind(g *group) JoinKind {
	switch {
	case g.linkOrder:
		return JoinOrder
	case g.linkGroup:
		return JoinGroup
	case g.linkUnique:
		return JoinUnique
	case len(g.hops) > 1:
		return JoinID
	}
	return JoinUnjoined
}

// clockSkews reports the skew estimates with enough pairs.
func (e *Engine) clockSkews() []ClockSkew {
	var out []ClockSkew
	for k, s := range e.skews {
		if s.n < minSkewPairs {
			continue
		}
		out = append(out, ClockSkew{Inner: k.file, Outer: e.layers[k.outer].name, OffsetMS: s.median(), Pairs: s.n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Inner != out[j].Inner {
			return out[i].Inner < out[j].Inner
		}
		return out[i].Outer < out[j].Outer
	})
	return out
}
