package analysis

import (
	"strings"
	"unsafe"
)

// The text of the hops of open requests lives in shared chunks (an arena) instead of one
// allocation per hop: almost every request closes without a 405 a few seconds after it opened,
// and then nothing of its hops is kept. A request that touches a 405 (or is traced) is kept
// after it closes, so its hops get text of their own (own) the moment the request is known to
// touch one — before or after the hops joined it: the 405 of a request is often logged by an
// inner hop before the outer hops log theirs, but a healthy inner hop may have joined first.
// A request that closes without a 405 gives its hops, their text and itself back to the arena
// (recycle), which hands them out again: the engine then allocates for the requests open at
// once, not for every request read, and the collector has little to do. A text chunk is reused
// once none of its hops is open; until then, and for whatever is not given back, the collector
// frees a chunk once no open request points into it. The entries of the match index (match.go)
// point at requests and hops until they leave it, matchHold after their record: a request one
// of them points at is given back only once the last has left (group.mseq), and its entries'
// slabs are reused once all their entries have left.

const (
	arenaChunk = 64 << 10 // bytes of hop text per chunk
	arenaInts  = 1 << 10  // upstream statuses per chunk
	arenaHops  = 256      // hops per chunk
	arenaLarge = 4 << 10  // a hop with more text than this gets an allocation of its own
)

// Bounds of what the arena keeps for reuse (beyond, what is given back is left to the collector).
const (
	maxFreeHops   = 1 << 18
	maxFreeGroups = 1 << 16
	maxFreeText   = 64
)

type hopArena struct {
	// text is the current chunk of text. It is only ever appended to, within its capacity (a
	// full chunk is replaced, never grown), so the strings cut from it stay as they are until
	// the chunk is reused.
	text *textChunk
	ints []int
	hops []hop

	freeHops   []*hop
	freeText   []*textChunk
	freeGroups []*group
}

// textChunk is a chunk of hop text and the number of hops in it not given back yet.
type textChunk struct {
	buf  []byte
	live int
}

// hop returns a zero hop: one given back, or one from the current chunk of hops.
func (a *hopArena) hop() *hop {
	if n := len(a.freeHops); n > 0 {
		h := a.freeHops[n-1]
		a.freeHops = a.freeHops[:n-1]
		*h = hop{}
		return h
	}
	if len(a.hops) == cap(a.hops) {
		a.hops = make([]hop, 0, arenaHops)
	}
	a.hops = a.hops[:len(a.hops)+1]
	return &a.hops[len(a.hops)-1]
}

// newGroup returns an empty open request whose newest record is at t.
func (e *Engine) newGroup(t int64) *group {
	var g *group
	if n := len(e.arena.freeGroups); n > 0 {
		g = e.arena.freeGroups[n-1]
		e.arena.freeGroups = e.arena.freeGroups[:n-1]
		*g = group{}
	} else {
		g = new(group)
	}
	g.newest = t
	g.hops, g.keys = g.inline[:0], g.inlineKeys[:0]
	return g
}

// arenaChunkSize is arenaChunk; tests make chunks tiny, so that they are given back and reused
// (and poisoned) after a few hops.
var arenaChunkSize = arenaChunk

// noRecycle turns giving back off (tests compare the analyses with and without).
var noRecycle bool

// poisonRecycled makes what is given back unusable at once (tests set it): a string still
// pointing into a reused chunk then reads as 0xff bytes, a hop still in use has layer -1.
var poisonRecycled bool

// recycle gives back a request that closed without a 405, with its hops (hops: g.hops before
// close cleared it) and their text. Only a request closed by evict after its newest queue entry,
// or closed complete (whose queue entries evict then finds stale by their sequence number), may
// be given back: no key or kept request points at it any more.
func (e *Engine) recycle(g *group, hops []*hop) {
	if noRecycle {
		return
	}
	if g.mseq > e.mGone {
		e.deferred = append(e.deferred, deferredGroup{g, hops})
		return
	}
	e.giveBack(g, hops)
}

// recycleMerged gives back a request folded into another (merge), whose hops are the other's
// now, once nothing points at it: its queue entries and the match index entries of its hops
// still do, until they are gone. A request with a 405 or traced may be on the queue of those
// waiting for the join window, and is left to the collector.
func (e *Engine) recycleMerged(g *group) {
	if noRecycle || g.has405 || g.traced {
		return
	}
	e.deferred = append(e.deferred, deferredGroup{g: g})
}

// deferredGroup is a request waiting for the queue and match index entries that point at it to go:
// closed without a 405, or folded into another.
type deferredGroup struct {
	g    *group
	hops []*hop
}

// recycleDeferred gives back the closed requests no match index entry points at any more. They
// wait in the order they closed; one whose entries stay longer holds up those behind it, which
// only delays them.
func (e *Engine) recycleDeferred() {
	for e.dhead < len(e.deferred) {
		d := e.deferred[e.dhead]
		if d.g.mseq > e.mGone || d.g.qseq > e.qGone {
			break
		}
		e.deferred[e.dhead] = deferredGroup{}
		e.dhead++
		e.giveBack(d.g, d.hops)
	}
	if e.dhead > 4096 && e.dhead > len(e.deferred)/2 {
		n := copy(e.deferred, e.deferred[e.dhead:])
		clear(e.deferred[n:])
		e.deferred, e.dhead = e.deferred[:n], 0
	}
}

// giveBack puts a closed request, its hops and their text back into the arena.
func (e *Engine) giveBack(g *group, hops []*hop) {
	a := &e.arena
	for _, h := range hops {
		a.release(h)
	}
	// Cleared (or poisoned): what waits for reuse must not keep hops and chunks from the collector.
	*g = group{closed: true}
	if poisonRecycled {
		g.newest = -1
	}
	if len(a.freeGroups) < maxFreeGroups {
		a.freeGroups = append(a.freeGroups, g)
	}
}

// release gives back a hop of the arena that nothing points at any more.
func (a *hopArena) release(h *hop) {
	if !h.shared {
		return
	}
	if c := h.chunk; c != nil {
		c.live--
		if c.live == 0 && c != a.text {
			a.freeChunk(c)
		}
	}
	*h = hop{}
	if poisonRecycled {
		h.layer, h.status = -1, -1
	}
	if len(a.freeHops) < maxFreeHops {
		a.freeHops = append(a.freeHops, h)
	}
}

// freeChunk keeps a text chunk none of whose hops is in use for reuse.
func (a *hopArena) freeChunk(c *textChunk) {
	if len(a.freeText) >= maxFreeText {
		return
	}
	if poisonRecycled {
		b := c.buf[:cap(c.buf)]
		for i := range b {
			b[i] = 0xff
		}
	}
	a.freeText = append(a.freeText, c)
}

// room makes sure the current text chunk has n bytes free, and reports false when a text of n
// bytes belongs in an allocation of its own instead.
func (a *hopArena) room(n int) bool {
	if n > arenaLarge {
		return false
	}
	if a.text == nil || cap(a.text.buf)-len(a.text.buf) < n {
		if a.text != nil && a.text.live == 0 {
			a.freeChunk(a.text) // every hop in it was given back while it was current
		}
		if k := len(a.freeText); k > 0 && cap(a.freeText[k-1].buf) >= n {
			a.text = a.freeText[k-1]
			a.freeText = a.freeText[:k-1]
			a.text.buf = a.text.buf[:0]
		} else {
			a.text = &textChunk{buf: make([]byte, 0, max(arenaChunkSize, n))}
		}
	}
	return true
}

// copyText gives h, which reads its record (h.rec), the record's text in the current chunk, or
// in an allocation of its own when it is too long for one.
func (a *hopArena) copyText(h *hop) {
	rec := h.rec
	h.rec = nil
	fields, n := hopFields(rec)
	if !a.room(n) {
		h.buf, h.end = ownText(rec)
		return
	}
	c := a.text
	start := len(c.buf)
	c.buf = c.buf[:start+n]
	dst, o := c.buf[start:], 0
	for i, f := range fields {
		o += copy(dst[o:], f)
		h.end[i] = uint16(o)
	}
	if n > 0 {
		h.buf, h.chunk = str(dst), c
		c.live++
	}
}

// hopUpstream returns a copy of u for h: in h's own room for one or two statuses, or in the
// current chunk of statuses.
func (a *hopArena) hopUpstream(h *hop, u []int) []int {
	switch n := len(u); {
	case n == 0:
		return nil
	case n <= len(h.upBuf):
		return append(h.upBuf[:0:n], u...)
	}
	return a.upstream(u)
}

// upstream returns a copy of u in the current chunk of statuses.
func (a *hopArena) upstream(u []int) []int {
	if len(u) > 64 {
		return append([]int(nil), u...)
	}
	if cap(a.ints)-len(a.ints) < len(u) {
		a.ints = make([]int, 0, arenaInts)
	}
	s := len(a.ints)
	a.ints = append(a.ints, u...)
	return a.ints[s : s+len(u) : s+len(u)]
}

// str returns b as a string without copying; b must not change afterwards.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// own gives every hop of g that lives in the arena a copy of its own, text included, so that
// keeping g after it closes keeps none of the arena's chunks, and gives the arena's hops back.
// (A match index entry may still point at the arena's copy until it expires: the two are the
// same, and nothing is given back then.)
func (e *Engine) own(g *group) {
	for i, h := range g.hops {
		if h.shared {
			c := *h
			if h.rec != nil {
				c.buf, c.end = ownText(h.rec)
				c.rec = nil
			} else {
				c.buf = strings.Clone(h.buf)
			}
			if h.upstream != nil {
				c.upstream = append([]int(nil), h.upstream...)
			}
			c.shared, c.chunk = false, nil
			g.hops[i] = &c
			if !e.matchUsed && !noRecycle {
				e.arena.release(h)
			}
		}
	}
	if len(g.hops) > 0 && &g.hops[0] != &g.inline[0] {
		g.inline = [4]*hop{} // outgrown: it would keep the arena's copies of the first hops
	}
}

// arenaFor returns the arena for a hop of a request that will not be kept as far as is known
// yet, and nil (text of its own) for one that will.
func (e *Engine) arenaFor(kept bool) *hopArena {
	if kept {
		return nil
	}
	return &e.arena
}
