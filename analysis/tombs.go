package analysis

import "github.com/logtriage/logtriage/parsers"

// A request closed complete (engine.go) closes up to Grace sooner than it used to, and its keys
// leave the key table with it. What its staying open told the engine meanwhile is kept, for
// Grace after its newest record, as a tomb: its join keys, when they were first logged, and the
// layer and route of its hops. A later record with one of its keys is
// then judged as it was when the request was open (add, keyOf returning &Engine.tombG):
//   - the same layer again more than sameLayerGap later, or with another route: the id is shared
//     by unrelated requests (a client sending one constant X-Request-ID) and is marked not
//     unique, joining nothing from then on;
//   - otherwise (a log line written twice, a layer it had not reached): the record is of the
//     closed request, and not counted as another one;
//   - a record with a 405 starts a request of its own, which takes the key.
//
// Tombs are written in the order their requests close, into a ring; a table with two slots per
// key hash finds them, the older overwritten by later keys. A key lost so, or a tomb overwritten before its
// Grace passed (the ring grows to hold Grace's worth, up to maxTombs), is caught by the next two
// of its requests that overlap, as before requests closed complete. Nothing is deleted: a slot
// or tomb is valid while its tomb is the one the slot names and Grace has not passed.

// maxTombs bounds the ring of tombs (about 27 MB with the slots).
const maxTombs = 1 << 17

const (
	tombKeys = 4 // keys of a request its tomb keeps
	tombHops = 4 // hops (layer and route) its tomb keeps
)

type tombRec struct {
	seq    int64 // from 1; 0 for a slot of the ring never written
	newest int64
	first  int64  // when its keys were first logged (the earliest)
	layers uint64 // bit per layer (< 64) with a record
	keys   [tombKeys]uint64
	route  [tombHops]uint64
	lay    [tombHops]uint8
	nk, nh uint8
	count  uint16 // records it holds, buried ones included
}

type tombSlot struct {
	k   uint64
	seq int64
}

type tombTable struct {
	ring  []tombRec
	slots []tombSlot // eight per tomb of the ring, in pairs
	next  int64      // the next tomb's seq (0 before the first)
}

// bury writes g's tomb; g closes complete.
func (e *Engine) bury(g *group) {
	tt := &e.tombs
	if tt.next == 0 {
		tt.ring, tt.slots, tt.next = make([]tombRec, 256), make([]tombSlot, 2048), 1
	}
	if old := &tt.ring[tt.next&int64(len(tt.ring)-1)]; old.seq != 0 && e.tombLive(old) && len(tt.ring) < maxTombs {
		e.growTombs()
	}
	seq := tt.next
	tt.next++
	r := &tt.ring[seq&int64(len(tt.ring)-1)]
	*r = tombRec{seq: seq, newest: g.newest, first: g.newest, count: uint16(len(g.hops))}
	for _, x := range g.keys {
		if int(r.nk) == tombKeys {
			break
		}
		r.keys[r.nk], r.first = x.k, min(r.first, x.first)
		r.nk++
		tt.put(x.k, seq)
	}
	for _, h := range g.hops {
		if h.layer < 64 {
			r.layers |= 1 << uint(h.layer)
		}
		if int(r.nh) < tombHops && h.layer < 256 {
			r.lay[r.nh], r.route[r.nh] = uint8(h.layer), h.route
			r.nh++
		}
	}
}

// put points key k's slot at tomb seq: of the two slots of k's pair (one cache line), the one
// that has k, or else the one pointing at the older tomb.
func (tt *tombTable) put(k uint64, seq int64) {
	i := k & uint64(len(tt.slots)-1) &^ 1
	if a, b := tt.slots[i], tt.slots[i+1]; b.k == k || a.k != k && b.seq < a.seq {
		i++
	}
	tt.slots[i] = tombSlot{k, seq}
}

// tombLive reports whether r's Grace has not passed (evict's clock).
func (e *Engine) tombLive(r *tombRec) bool {
	return r.newest >= e.graceCut
}

// growTombs doubles the ring and the slots, keeping the tombs.
func (e *Engine) growTombs() {
	tt := &e.tombs
	old := tt.ring
	tt.ring, tt.slots = make([]tombRec, 2*len(old)), make([]tombSlot, 8*len(old))
	for seq := max(1, tt.next-int64(len(old))); seq < tt.next; seq++ { // oldest first
		r := &old[seq&int64(len(old)-1)]
		if r.seq != seq || !e.tombLive(r) {
			continue
		}
		tt.ring[seq&int64(len(tt.ring)-1)] = *r
		for _, k := range r.keys[:r.nk] {
			if k != 0 {
				tt.put(k, seq)
			}
		}
	}
}

// tombOf returns the state of key k of a request closed complete whose Grace has not passed.
func (e *Engine) tombOf(k uint64) (keyState, bool) {
	tt := &e.tombs
	i := k & uint64(len(tt.slots)-1) &^ 1
	s := tt.slots[i]
	if s.k != k {
		if s = tt.slots[i+1]; s.k != k {
			return keyState{}, false
		}
	}
	r := &tt.ring[s.seq&int64(len(tt.ring)-1)]
	if r.seq != s.seq || !e.tombLive(r) {
		return keyState{}, false
	}
	for _, x := range r.keys[:r.nk] {
		if x == k {
			return keyState{g: &e.tombG, gkey: gkey{k: k, first: r.first, layers: r.layers, count: r.count}, tomb: s.seq}, true
		}
	}
	return keyState{}, false
}

// differs is differsInLayer for a key's request, open or closed complete: a record of layer li
// whose method or path (for the closed, its route) differs from the request's record of li.
func (e *Engine) differs(st keyState, li int, rec *parsers.Record) bool {
	if st.g != &e.tombG {
		return differsInLayer(st.g, li, rec)
	}
	r := &e.tombs.ring[st.tomb&int64(len(e.tombs.ring)-1)]
	route := recRoute(rec)
	for i, l := range r.lay[:r.nh] {
		if int(l) == li && r.route[i] != route {
			return true
		}
	}
	return false
}

// forget removes key k from its request, open or closed complete.
func (e *Engine) forget(k uint64, st keyState) {
	if st.g != &e.tombG {
		e.dropKey(k, st.g)
		return
	}
	r := &e.tombs.ring[st.tomb&int64(len(e.tombs.ring)-1)]
	for i, x := range r.keys[:r.nk] {
		if x == k && r.seq == st.tomb {
			r.keys[i] = 0
		}
	}
}

// buryRecord takes a record of the request closed complete whose tomb is seq into the tomb, as
// it would have joined the open request: its time, layer and keys.
func (e *Engine) buryRecord(seq int64, t int64, li int, route uint64, keys []uint64, known []bool) {
	tt := &e.tombs
	r := &tt.ring[seq&int64(len(tt.ring)-1)]
	if r.seq != seq {
		return
	}
	r.newest = max(r.newest, t)
	r.count++
	if li < 64 {
		r.layers |= 1 << uint(li)
	}
	if int(r.nh) < tombHops && li < 256 {
		r.lay[r.nh], r.route[r.nh] = uint8(li), route
		r.nh++
	}
	for i, k := range keys {
		if !known[i] && int(r.nk) < tombKeys {
			r.keys[r.nk] = k
			r.nk++
			tt.put(k, seq)
		}
	}
}
