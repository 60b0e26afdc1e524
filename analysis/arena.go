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
// A chunk is garbage once no open request (and no match index entry) points into it, so the
// arena holds about one Grace (or match hold) of traffic, whatever the input size.

const (
	arenaChunk = 64 << 10 // bytes of hop text per chunk
	arenaInts  = 1 << 10  // upstream statuses per chunk
	arenaHops  = 256      // hops per chunk
	arenaLarge = 4 << 10  // a hop with more text than this gets an allocation of its own
)

type hopArena struct {
	// text is the current chunk of text. It is only ever appended to, within its capacity (a
	// full chunk is replaced, never grown), so the strings cut from it stay as they are.
	text []byte
	ints []int
	hops []hop
}

// hop returns a zero hop from the current chunk of hops.
func (a *hopArena) hop() *hop {
	if len(a.hops) == cap(a.hops) {
		a.hops = make([]hop, 0, arenaHops)
	}
	a.hops = a.hops[:len(a.hops)+1]
	return &a.hops[len(a.hops)-1]
}

// room makes sure the current text chunk has n bytes free, and reports false when a text of n
// bytes belongs in an allocation of its own instead.
func (a *hopArena) room(n int) bool {
	if n > arenaLarge {
		return false
	}
	if cap(a.text)-len(a.text) < n {
		a.text = make([]byte, 0, arenaChunk)
	}
	return true
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
// keeping g after it closes keeps none of the arena's chunks. (A match index entry may still
// point at the arena's copy until it expires: the two are the same.)
func own(g *group) {
	for i, h := range g.hops {
		if h.shared {
			c := *h
			c.buf = strings.Clone(h.buf)
			if h.upstream != nil {
				c.upstream = append([]int(nil), h.upstream...)
			}
			c.shared = false
			g.hops[i] = &c
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
