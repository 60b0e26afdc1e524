package analysis

import (
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// Joins by log order (docs/joins.md). Some application logs have no time on their lines: morgan's
// "dev" format, uvicorn's access line written to a file or read with `kubectl logs` without
// --timestamps. Their records cannot be paired by time, so without more each 405 such an app
// answered was counted twice: at the app, and at the proxy in front of it as a 405 of its own.
//
// Both logs list the same requests in about the same order, though: a hop writes its line when
// the response is done, and the proxy's response is done just after the app's. So the records of
// an input without times are held back (all of them arrive first: the merge sorts a record without
// a time before every timed one, parsers/run.go), and every record of the proxy in front (the
// innermost timed proxy layer) is looked up among them: the first held record, from the input's
// position onward, with the same method and path (as sent, as routed, or the last two segments
// for a prefix the proxy stripped) and the status the proxy saw, or a 405 the proxy may have
// masked. That record takes the proxy record's time and goes to the engine, where the usual match
// pairs the two (match.go), and the request is an order_match: the verdict is as good as the
// order of the two logs, not as a time or an id.
//
// The position moves forward with each placement; a held record left more than orderSlack
// records behind it had no partner (a request that did not pass that proxy: a kubelet probe, a
// call from inside the cluster) and goes to the engine as it is, without a time. A candidate is
// looked for at most orderAhead records ahead, so a request the proxy routed elsewhere cannot
// drag the position far; if the app's log starts long before the proxy's, nothing is placed and
// every record is handed over without a time, as before. At most maxHeld records are held:
// beyond, an input's records go to the engine as they come.
const (
	orderSlack = 256
	orderAhead = 4096
	maxHeld    = 200_000
)

// heldRec is a record of an input without times, waiting for its place.
type heldRec struct {
	rec        parsers.Record
	key, route uint64 // (method, path) and (method, last two path segments)
	done       bool   // placed or handed over
}

// heldSeq is one input's held records, in log order.
type heldSeq struct {
	file  string
	layer int
	recs  []heldRec
	// byKey lists the positions of the records with each key, in order; next[k] is the first of
	// them not yet done.
	byKey, byTail map[uint64][]int32
	next, nextT   map[uint64]int
	pos           int // one past the last placed record
	released      int // the records before it are done
	front         int // the layer whose records place these: -1 until chosen
	frontN        int // len(Engine.layers) when front was chosen
	placed        int64
	over          int64 // records beyond maxHeld, handed over at once
}

// hold keeps rec back if it belongs to an app log without times; it reports whether it did.
func (e *Engine) hold(rec *parsers.Record) bool {
	if rec.Format != parsers.FormatApp || rec.Status == 0 || rec.ErrorLine {
		return false
	}
	var s *heldSeq
	for _, x := range e.held {
		if x.file == rec.File {
			s = x
			break
		}
	}
	if s == nil {
		s = &heldSeq{file: rec.File, layer: e.layerOf(rec), front: -1,
			byKey: map[uint64][]int32{}, byTail: map[uint64][]int32{}, next: map[uint64]int{}, nextT: map[uint64]int{}}
		e.held = append(e.held, s)
	}
	if e.heldN >= maxHeld {
		s.over++
		return false
	}
	c := rec.Clone()
	c.Aux.Ref, c.Aux.Text = nil, "" // the packed text lives in the input's chunk, which moves on
	i := int32(len(s.recs))
	k, t := matchHash(c.Method, c.Path, 0), matchHash(c.Method, pathTail(c.Path), 0)
	s.recs = append(s.recs, heldRec{rec: *c, key: k, route: t})
	s.byKey[k] = append(s.byKey[k], i)
	s.byTail[t] = append(s.byTail[t], i)
	e.heldN++
	return true
}

// frontOf returns the layer whose records place s's: the innermost timed proxy layer seen so far
// (by --order where it names both, else by format: Envoy inside nginx and its like, inside the
// ALB), -1 when there is none yet.
func (e *Engine) frontOf(s *heldSeq) int {
	if s.frontN == len(e.layers) {
		return s.front
	}
	s.frontN, s.front = len(e.layers), -1
	best := -1
	for li := range e.layers {
		l := &e.layers[li]
		if li == s.layer || l.format == parsers.FormatApp || l.format == "" {
			continue
		}
		rank := formatPrior(l.format) * 100
		if p, q := l.orderPos, e.layers[s.layer].orderPos; p >= 0 && q >= 0 {
			if p > q {
				continue // --order puts it inside the app
			}
			rank = 1000 + p
		}
		if rank > best {
			best, s.front = rank, li
		}
	}
	return s.front
}

// place looks up the held record that a timed record (of layer li, at time t) relayed, and hands
// it to the engine with that time.
func (e *Engine) place(rec *parsers.Record, li int, t time.Time) {
	seen := rec.Status
	if n := len(rec.Upstream); n > 0 && rec.Upstream[n-1] > 0 {
		seen = rec.Upstream[n-1]
	}
	var best *heldSeq
	bestAt := -1
	for _, s := range e.held {
		if e.frontOf(s) != li {
			continue
		}
		at := s.find(rec.Method, rec.Path, rec.RoutedPath, seen)
		if at >= 0 && (best == nil || at-best.pos < bestAt-best.pos) {
			best, bestAt = s, at
		}
	}
	if best == nil {
		return
	}
	s := best
	h := &s.recs[bestAt]
	h.done = true
	s.placed++
	s.pos = max(s.pos, bestAt+1)
	h.rec.Time = t
	e.placing = true
	e.add(&h.rec)
	e.placing = false
	h.rec = parsers.Record{}
	for s.released < s.pos-orderSlack {
		e.handOver(s, s.released)
		s.released++
	}
}

// find returns the position of the first held record not done, within orderAhead of s.pos, with
// the method and path of the proxy's record and the status it saw (or a 405 it may have masked);
// -1 when there is none.
func (s *heldSeq) find(method, path, routed string, seen int) int {
	try := func(idx map[uint64][]int32, next map[uint64]int, k uint64, tail bool) int {
		list := idx[k]
		i := next[k]
		for i < len(list) && s.recs[list[i]].done {
			i++
		}
		next[k] = i
		masked := -1
		for ; i < len(list) && int(list[i]) < s.pos+orderAhead; i++ {
			p := int(list[i])
			h := &s.recs[p]
			if h.done || p < s.released {
				continue
			}
			st := h.rec.Status
			if tail && st != 405 {
				continue // a stripped prefix is looked for only for a 405, as match.go does
			}
			if st == seen {
				return p
			}
			if masked < 0 && st == 405 && isMaskStatus(seen) {
				masked = p
			}
		}
		return masked
	}
	if p := try(s.byKey, s.next, matchHash(method, path, 0), false); p >= 0 {
		return p
	}
	if routed != "" && routed != path {
		if p := try(s.byKey, s.next, matchHash(method, routed, 0), false); p >= 0 {
			return p
		}
	}
	if t := pathTail(path); t != path {
		return try(s.byTail, s.nextT, matchHash(method, t, 0), true)
	}
	return -1
}

func isMaskStatus(st int) bool {
	for _, m := range maskStatuses {
		if m == st {
			return true
		}
	}
	return false
}

// handOver gives the engine held record i as it is, without a time, unless it was placed.
func (e *Engine) handOver(s *heldSeq, i int) {
	h := &s.recs[i]
	if !h.done {
		h.done = true
		e.add(&h.rec)
	}
	h.rec = parsers.Record{}
}

// releaseHeld hands over every record still held, in log order: at the end of the input.
func (e *Engine) releaseHeld() {
	for _, s := range e.held {
		for ; s.released < len(s.recs); s.released++ {
			e.handOver(s, s.released)
		}
		e.orderPlaced = append(e.orderPlaced, OrderPlaced{Input: s.file, Records: int64(len(s.recs)) + s.over, Placed: s.placed, NotHeld: s.over})
		s.recs, s.byKey, s.byTail, s.next, s.nextT = nil, nil, nil, nil, nil
	}
	e.held, e.heldN = nil, 0
}

// OrderPlaced says how many records of an input without times were placed by log order.
type OrderPlaced struct {
	Input   string `json:"input"`
	Records int64  `json:"records"` // its access records
	Placed  int64  `json:"placed"`  // those placed at the time of a proxy record that relayed them
	// NotHeld counts the records beyond the first 200,000 held of all such inputs, handed over
	// without a time and unjoined.
	NotHeld int64 `json:"not_held,omitempty"`
}
