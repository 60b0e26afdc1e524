package analysis

import (
	"fmt"
	"sort"
	"strings"
)

// Two proxy layers of one rank (nginx in front of HAProxy, Caddy in front of nginx, two nginx
// logs) whose logs carry no ids: their formats do not say which is in front (formatPrior), so
// neither was matched against the other, and a 405 that crossed both was a finding at each. The
// records themselves tell, though: every request the inner proxy logged came through the outer one,
// which logged it too (same method, path and status, within a few seconds), while the outer one
// also answers requests of its own (static files, redirects, its own refusals) that never reach the
// inner one. So while matching, each record of such a pair looks for a twin in the other layer
// (twinProbe): the layer whose records nearly all have a twin (at least twinInner of them) is the
// inner one when the other's share is clearly lower (by twinGap), and from then on the pair is
// ordered like any other (outside), matched and voted for. Two siblings (a request visits one or the
// other) find few twins and stay unordered; a pair whose shares stay alike (the outer proxy
// forwards everything) stays unordered too, and the report's hint asks for --order.
const (
	twinMin   = 50   // probes of each layer before a verdict
	twinMax   = 5000 // probes of each layer after which an undecided pair is left alone
	twinInner = 0.85
	twinGap   = 0.05
)

type twinStat struct{ hit, n int }

// twinPair is the state of one unordered pair of same-rank proxy layers, a < b.
type twinPair struct {
	stat [2]twinStat // a's records with a twin in b, b's with a twin in a
	// outer is the layer found in front, -1 while undecided; done when probing stopped.
	outer int
	done  bool
}

func twinKey(a, b int) [2]int {
	if a > b {
		a, b = b, a
	}
	return [2]int{a, b}
}

// twinCandidate reports whether layers a and b are proxies of one rank that neither the formats
// nor --order put one in front of the other.
func (e *Engine) twinCandidate(a, b int) bool {
	la, lb := &e.layers[a], &e.layers[b]
	if la.orderPos >= 0 && lb.orderPos >= 0 {
		return false
	}
	pa, pb := formatPrior(la.format), formatPrior(lb.format)
	return pa == pb && pa > 0 && pa < 3
}

// twinOuter returns which of a and b the records showed in front (a or b), or -1.
func (e *Engine) twinOuter(a, b int) int {
	if p := e.twins[twinKey(a, b)]; p != nil {
		return p.outer
	}
	return -1
}

// twinProbe counts whether inner record x has a twin in each same-rank proxy layer not yet
// ordered against its own, and orders the pair once the shares tell.
func (e *Engine) twinProbe(x *mentry) {
	for l := range e.layers {
		if l == x.layer || !e.twinCandidate(x.layer, l) {
			continue
		}
		if e.twins == nil {
			e.twins = map[[2]int]*twinPair{}
		}
		k := twinKey(x.layer, l)
		p := e.twins[k]
		if p == nil {
			p = &twinPair{outer: -1}
			e.twins[k] = p
		}
		if p.done {
			continue
		}
		side := 0
		if x.layer == k[1] {
			side = 1
		}
		s := &p.stat[side]
		if s.n >= twinMax {
			continue
		}
		s.n++
		if e.hasTwin(x, l) {
			s.hit++
		}
		e.twinDecide(k, p, x)
	}
}

// twinDecide orders the pair once both shares tell, and matches again the records of the pair still
// in the index that went through before (all but x, which is being matched).
func (e *Engine) twinDecide(k [2]int, p *twinPair, x *mentry) {
	a, b := p.stat[0], p.stat[1]
	if a.n < twinMin || b.n < twinMin {
		return
	}
	ra, rb := float64(a.hit)/float64(a.n), float64(b.hit)/float64(b.n)
	switch {
	case ra >= twinInner && ra-rb >= twinGap:
		p.outer = k[1] // a's requests all came through b
	case rb >= twinInner && rb-ra >= twinGap:
		p.outer = k[0]
	case a.n >= twinMax && b.n >= twinMax:
		p.done = true // siblings, or alike: the hint asks for --order
		e.twinsOpen = -1
		return
	default:
		return
	}
	p.done = true
	e.outerCache = nil // outerLayers works them out again with the new order
	e.twinsOpen = -1
	inner := k[0]
	if inner == p.outer {
		inner = k[1]
	}
	e.rematch = inner
	for i := e.mdel; i < e.mhead; i++ {
		if m := e.mq[i]; m != nil && m != x && !m.matched && m.layer == inner {
			e.matchInner(m)
		}
	}
	e.rematch = -1
}

// retaken reports whether outer record o, already paired, may take inner record x as well: while
// the records of a proxy just ordered behind another are matched again (twinDecide), an outer
// record an app's record took before the order was known still lacks that proxy's hop.
func (e *Engine) retaken(x, o *mentry) bool {
	if e.rematch < 0 || x.layer != e.rematch {
		return false
	}
	for _, h := range live(o.g).hops {
		if h.layer == x.layer {
			return false
		}
	}
	return true
}

// twinText says which same-rank proxy pairs the records ordered, for Analysis.Order: "" if none.
func (e *Engine) twinText() string {
	var p []string
	for k, t := range e.twins {
		if t.outer < 0 {
			continue
		}
		in := k[0]
		if in == t.outer {
			in = k[1]
		}
		si, so := t.stat[0], t.stat[1]
		if in == k[1] {
			si, so = so, si
		}
		p = append(p, fmt.Sprintf("%s in front of %s (%d%% of %s's records were logged by %s too, %d%% of %s's by %s)",
			e.layers[t.outer].name, e.layers[in].name, si.hit*100/max(si.n, 1), e.layers[in].name, e.layers[t.outer].name,
			so.hit*100/max(so.n, 1), e.layers[t.outer].name, e.layers[in].name))
	}
	if len(p) == 0 {
		return ""
	}
	sort.Strings(p)
	return strings.Join(p, "; ")
}

// hasTwin reports whether layer l logged a record with x's method, path and status within a few
// seconds of x, paired with another record or not: a twin taken by a third layer's record (the
// app's paired with the outer proxy's) is a twin all the same.
func (e *Engine) hasTwin(x *mentry, l int) bool {
	for s := x.sec - matchAfter - 1; s <= x.sec+matchAfter+1; s++ {
		list := e.mOut[secKey(x.inBase, s)]
		for i := range list.len() {
			if o := list.at(i); o.layer == l && o != x {
				return true
			}
		}
	}
	return false
}

// maxTwinHeld bounds the entries that wait for a pair's order, and twinWaitNS how long (log time)
// the oldest may: they must be matched well before their requests close and they leave the index.
const (
	maxTwinHeld = 8192
	twinWaitNS  = int64(matchHold-matchDelay) - 2e9
)

// twinWait holds entry m back from matching while a pair of same-rank proxy layers is not yet
// ordered (its records are counted meanwhile), so that the first seconds of the logs are matched
// with the order the records give, like the rest; it reports whether it did. Once the pair is
// ordered, or has waited as long as it may, the held entries are matched in their order.
func (e *Engine) twinWait(m *mentry) bool {
	if !e.twinsPending() {
		if len(e.twinHeld) > 0 {
			e.flushTwinHeld()
		}
		return false
	}
	e.twinProbe(m)
	m.probed = true
	e.twinHeld = append(e.twinHeld, m)
	if !e.twinsPending() || len(e.twinHeld) >= maxTwinHeld || m.h.time-e.twinHeld[0].h.time > twinWaitNS {
		e.twinsOpen = 0 // from now on, entries are matched as they come, ordered or not
		e.twinLayers = len(e.layers)
		e.flushTwinHeld()
	}
	return true
}

// flushTwinHeld matches the held entries in the order they entered the index.
func (e *Engine) flushTwinHeld() {
	d := e.twinHeld
	e.twinHeld = nil
	for _, m := range d {
		e.matchInner(m)
	}
}

// twinsPending reports whether some pair of same-rank proxy layers seen so far is still being
// ordered.
func (e *Engine) twinsPending() bool {
	if e.twinsOpen >= 0 && e.twinLayers == len(e.layers) {
		return e.twinsOpen > 0
	}
	if e.twinsOpen == 0 && e.twinLayers > 0 && e.twinLayers != len(e.layers) {
		// waited once already: a layer seen later is not waited for
		e.twinLayers = len(e.layers)
		return false
	}
	e.twinLayers, e.twinsOpen = len(e.layers), 0
	for a := range e.layers {
		for b := a + 1; b < len(e.layers); b++ {
			if !e.twinCandidate(a, b) {
				continue
			}
			if p := e.twins[twinKey(a, b)]; p == nil || !p.done {
				e.twinsOpen = 1
				return true
			}
		}
	}
	return false
}
