package analysis

import (
	"strings"
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

// heldRec is a record of an input without times, waiting for its place: where its text lies in
// its input's text chunks, and the rest of what the engine reads of a record. It holds no
// pointer, so that the collector, which runs many times while the records wait, never scans
// them (with a parsers.Record copy each, 89,282 held records cost 141 MB and a third of the CPU).
type heldRec struct {
	chunk, off uint32 // its text: heldSeq.chunks[chunk][off:off+end[last]]
	end        [nHeldStrings]uint16
	status     int32
	local      parsers.Local
	done       bool // placed or handed over
	nup        uint8
	up         [2]int16 // the first upstream statuses (an app logs none)
	line       int64
	bytes      int64
	dur        time.Duration
}

// heldStrings lists the string fields of a record a held one keeps.
func heldStrings(r *parsers.Record) [nHeldStrings]*string {
	return [...]*string{&r.Method, &r.Host, &r.URI, &r.Path, &r.RoutedPath, &r.Proto, &r.Scheme,
		&r.UpstreamAddr, &r.Service, &r.Allow, &r.Origin, &r.ACRMethod, &r.ClientIP, &r.Peer,
		&r.ForwardedFor, &r.UserAgent, &r.Detail, &r.IDs.RequestID, &r.IDs.NginxRequestID,
		&r.IDs.TraceID, &r.IDs.AmznRoot, &r.IDs.B3TraceID}
}

const (
	nHeldStrings = 22
	heldChunk    = 1 << 20 // bytes of text per chunk
)

// pack copies what a held record keeps of r into s.
func (s *heldSeq) pack(r *parsers.Record) heldRec {
	f := heldStrings(r)
	n := 0
	for _, p := range f {
		n += len(*p)
	}
	n = min(n, 1<<16-1)
	if len(s.chunks) == 0 || len(s.chunks[len(s.chunks)-1])+n > cap(s.chunks[len(s.chunks)-1]) {
		s.chunks = append(s.chunks, make([]byte, 0, max(heldChunk, n)))
	}
	c := &s.chunks[len(s.chunks)-1]
	h := heldRec{chunk: uint32(len(s.chunks) - 1), off: uint32(len(*c)), status: int32(r.Status), local: r.Local,
		line: r.Line, bytes: r.BytesSent, dur: r.Duration}
	start := len(*c)
	for i, p := range f {
		*c = append(*c, (*p)[:min(len(*p), start+n-len(*c))]...)
		h.end[i] = uint16(len(*c) - start)
	}
	for _, u := range r.Upstream {
		if int(h.nup) < len(h.up) {
			h.up[h.nup] = int16(u)
			h.nup++
		}
	}
	return h
}

// unpack sets r (Reset) to held record h of s.
func (s *heldSeq) unpack(h *heldRec, r *parsers.Record) {
	r.Reset()
	text := string(s.chunks[h.chunk][h.off : h.off+uint32(h.end[nHeldStrings-1])])
	from := 0
	for i, p := range heldStrings(r) {
		to := int(h.end[i])
		*p = text[from:to]
		from = to
	}
	r.Status, r.Local, r.Line, r.BytesSent, r.Duration, r.Framework = int(h.status), h.local, h.line, h.bytes, h.dur, s.framework
	r.File, r.Layer, r.Format = s.file, s.layerName, s.format
	for _, u := range h.up[:h.nup] {
		r.AppendUpstream(int(u))
	}
}

// heldSeq is one input's held records, in log order.
type heldSeq struct {
	file, layerName, format string
	framework               string // every record of an input is one framework's
	layer                   int
	recs                    []heldRec
	chunks                  [][]byte // the records' text
	// Records with the same (method, path) and with the same (method, last two path segments)
	// are chained in log order: first* gives the first of each not yet done, link* the next.
	firstK, firstT map[uint64]int32
	linkK, linkT   []int32
	pos            int // one past the last placed record
	released       int // the records before it are done
	front          int // the layer whose records place these: -1 until chosen
	frontN         int // len(Engine.layers) when front was chosen
	placed         int64
	over           int64 // records beyond maxHeld, handed over at once
	// lastK, lastT: the last record of each chain, while the records are being held.
	lastK, lastT map[uint64]int32
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
		s = &heldSeq{file: strings.Clone(rec.File), layerName: strings.Clone(rec.Layer), format: rec.Format, layer: e.layerOf(rec), front: -1,
			firstK: map[uint64]int32{}, firstT: map[uint64]int32{}, lastK: map[uint64]int32{}, lastT: map[uint64]int32{}}
		e.held = append(e.held, s)
	}
	if e.heldN >= maxHeld {
		s.over++
		return false
	}
	i := int32(len(s.recs))
	s.recs = append(s.recs, s.pack(rec))
	s.framework = rec.Framework
	s.linkK = chain(s.firstK, s.lastK, s.linkK, matchHash(rec.Method, rec.Path, 0), i)
	s.linkT = chain(s.firstT, s.lastT, s.linkT, matchHash(rec.Method, pathTail(rec.Path), 0), i)
	e.heldN++
	return true
}

// chain appends record i to the chain of key k and returns link with i's entry.
func chain(first, last map[uint64]int32, link []int32, k uint64, i int32) []int32 {
	if j, ok := last[k]; ok {
		link[j] = i
	} else {
		first[k] = i
	}
	last[k] = i
	return append(link, -1)
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
		s.lastK, s.lastT = nil, nil // every record is held: the chains are complete
		at := s.find(rec.Method, rec.Path, rec.RoutedPath, seen)
		if at >= 0 && (best == nil || at-s.pos < bestAt-best.pos) {
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
	s.unpack(h, &e.heldRec)
	e.heldRec.Time = t
	e.placing = true
	e.add(&e.heldRec)
	e.placing = false
	for s.released < s.pos-orderSlack {
		e.handOver(s, s.released)
		s.released++
	}
}

// find returns the position of the first held record not done, within orderAhead of s.pos, with
// the method and path of the proxy's record and the status it saw (or a 405 it may have masked);
// -1 when there is none.
func (s *heldSeq) find(method, path, routed string, seen int) int {
	if p := s.look(s.firstK, s.linkK, matchHash(method, path, 0), seen, false); p >= 0 {
		return p
	}
	if routed != "" && routed != path {
		if p := s.look(s.firstK, s.linkK, matchHash(method, routed, 0), seen, false); p >= 0 {
			return p
		}
	}
	if t := pathTail(path); t != path {
		return s.look(s.firstT, s.linkT, matchHash(method, t, 0), seen, true)
	}
	return -1
}

// look walks the chain of key k from its first record not done: the first with status seen, else
// the first 405 the proxy may have masked (a 405 only, for a stripped prefix: tail), before
// s.pos+orderAhead.
func (s *heldSeq) look(first map[uint64]int32, link []int32, k uint64, seen int, tail bool) int {
	i, ok := first[k]
	if !ok {
		return -1
	}
	for i >= 0 && s.recs[i].done {
		i = link[i]
	}
	if i < 0 {
		delete(first, k)
		return -1
	}
	first[k] = i
	masked := -1
	for ; i >= 0 && int(i) < s.pos+orderAhead; i = link[i] {
		h := &s.recs[i]
		if h.done {
			continue
		}
		st := int(h.status)
		if tail && st != 405 {
			continue // a stripped prefix is looked for only for a 405, as match.go does
		}
		if st == seen {
			return int(i)
		}
		if masked < 0 && st == 405 && isMaskStatus(seen) {
			masked = int(i)
		}
	}
	return masked
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
		s.unpack(h, &e.heldRec)
		e.add(&e.heldRec)
	}
}

// releaseHeld hands over every record still held, in log order: at the end of the input.
func (e *Engine) releaseHeld() {
	for _, s := range e.held {
		for ; s.released < len(s.recs); s.released++ {
			e.handOver(s, s.released)
		}
		e.orderPlaced = append(e.orderPlaced, OrderPlaced{Input: s.file, Records: int64(len(s.recs)) + s.over, Placed: s.placed, NotHeld: s.over})
		s.recs, s.chunks, s.firstK, s.firstT, s.linkK, s.linkT = nil, nil, nil, nil, nil, nil
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
