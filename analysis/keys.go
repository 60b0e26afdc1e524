package analysis

import (
	"encoding/binary"
	"math/bits"
	"unsafe"

	"github.com/logtriage/logtriage/parsers"
)

// Join keys (reference: docs/formats.md §5.3). A record yields up to maxKeys typed keys; two records
// that share a key belong to the same request. Keys are hashed to 64 bits: the engine keeps a
// map entry per key of every open request, and a hash is a quarter of the size of a string
// header plus its bytes. A collision merges two unrelated requests with probability ~n²/2⁶⁴.

const maxKeys = 8

// keyPart is a key before hashing: its kind and value.
type keyPart struct {
	kind, value string
	seed        uint64 // the hash of kind
	show        string // the key as reports name it, when not kind+value
}

// The seeds of the kinds of keys: the hash of the kind's name.
var (
	seedRID     = hashBytes(0, []byte("rid:"))
	seedTrace   = hashBytes(0, []byte("trace:"))
	seedTrace64 = hashBytes(0, []byte("trace64:"))
	seedAmzn    = hashBytes(0, []byte("amzn:"))
)

func (k keyPart) String() string {
	if k.show != "" {
		return k.show
	}
	return k.kind + k.value
}

const zeros16 = "0000000000000000"

// joinKeys fills out with the keys of ids and returns how many there are.
//
// A trace id's keys (docs/formats.md §5.3: trace:<32 hex>, the trace64:<last 16 hex> it implies,
// amzn:<Root> and the trace:<8+24 hex> of a Root) are stored as trace64 alone: any two records
// that share one of the others share that one too, so the others would join nothing more, while
// every key costs a lookup per record and an entry per open request. Only an id whose trace64
// cannot be derived (a trace id of another length, a Root not in the 1-<8>-<24> form) is keyed
// as it is.
func joinKeys(ids *parsers.IDs, out *[maxKeys]keyPart) int {
	n := 0
	add := func(kind string, seed uint64, value, show string) {
		if n < maxKeys {
			out[n] = keyPart{kind, value, seed, show}
			n++
		}
	}
	if ids.RequestID != "" {
		add("rid:", seedRID, ids.RequestID, "")
	}
	// nginx's own $request_id becomes the next hop's X-Request-ID where the config forwards it.
	if ids.NginxRequestID != "" {
		add("rid:", seedRID, ids.NginxRequestID, "")
	}
	if t := ids.TraceID; t != "" {
		if len(t) == 32 {
			add("trace64:", seedTrace64, t[16:], "trace:"+t)
		} else {
			add("trace:", seedTrace, t, "")
		}
	}
	if r := ids.AmznRoot; r != "" {
		if len(r) == 35 { // 1-<8 hex>-<24 hex>: the OTel X-Ray propagator's trace id is the 8 + 24 hex
			add("trace64:", seedTrace64, r[19:], "amzn:"+r)
		} else {
			add("amzn:", seedAmzn, r, "")
		}
	}
	if t := ids.B3TraceID; t != "" {
		switch len(t) {
		case 32:
			add("trace64:", seedTrace64, t[16:], "trace:"+t)
		case 16: // left-padded with zeros to 128 bits, as B3/OTel interoperability does
			add("trace64:", seedTrace64, t, "trace:"+zeros16+t)
		}
	}
	return n
}

// hash returns the hash of the key: its value hashed eight bytes at a time, seeded by its kind.
func (k *keyPart) hash() uint64 {
	seed := k.seed
	if seed == 0 {
		seed = hashBytes(0, sbytes(k.kind))
	}
	return hashBytes(seed, sbytes(k.value))
}

// sbytes returns the bytes of s without copying; they must not be written.
func sbytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// hashBytes is a 64-bit hash of p, never 0: multiply-and-fold mixing as wyhash does, sixteen
// bytes to a multiplication, the last sixteen (or fewer) read as two words that may overlap
// the ones before, so that no byte is read alone. Every record hashes its route, user agent,
// backend names and ids: the user agent's hundred bytes took 21 ns eight bytes to a
// multiplication with a byte-by-byte tail, and take 8 ns so (2-2.7x less at 10-32 bytes).
func hashBytes(seed uint64, p []byte) uint64 {
	const (
		k0 = 0xa0761d6478bd642f
		k1 = 0xe7037ed1a0b428db
		k2 = 0x8ebc6af09c88c6e3
	)
	n := len(p)
	h := seed ^ uint64(n) ^ k0
	var a, b uint64
	switch {
	case n > 16:
		for q := p; len(q) > 16; q = q[16:] {
			h = mix(binary.LittleEndian.Uint64(q)^k1, binary.LittleEndian.Uint64(q[8:])^h)
		}
		a, b = binary.LittleEndian.Uint64(p[n-16:]), binary.LittleEndian.Uint64(p[n-8:])
	case n >= 8:
		a, b = binary.LittleEndian.Uint64(p), binary.LittleEndian.Uint64(p[n-8:])
	case n >= 4:
		a, b = uint64(binary.LittleEndian.Uint32(p)), uint64(binary.LittleEndian.Uint32(p[n-4:]))
	case n > 0:
		a = uint64(p[0])<<16 | uint64(p[n>>1])<<8 | uint64(p[n-1])
	}
	h = mix(a^k1, b^h^k2)
	if h = mix(h^k2, k1^uint64(n)); h == 0 {
		h = 1 // 0 marks an empty slot of a keyTable
	}
	return h
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// keyHashes appends the distinct hashed keys of ids to dst: the hashes of joinKeys' keys, in
// its order and within its maxKeys, hashed straight from the ids (every record's keys are hashed,
// by Prepare).
func keyHashes(dst []uint64, ids *parsers.IDs) []uint64 {
	n := 0 // keys joinKeys would list
	add := func(h uint64) {
		if n++; n > maxKeys {
			return
		}
		for _, x := range dst {
			if x == h {
				return
			}
		}
		dst = append(dst, h)
	}
	if ids.RequestID != "" {
		add(hashBytes(seedRID, sbytes(ids.RequestID)))
	}
	if ids.NginxRequestID != "" {
		add(hashBytes(seedRID, sbytes(ids.NginxRequestID)))
	}
	if t := ids.TraceID; t != "" {
		if len(t) == 32 {
			add(hashBytes(seedTrace64, sbytes(t[16:])))
		} else {
			add(hashBytes(seedTrace, sbytes(t)))
		}
	}
	if r := ids.AmznRoot; r != "" {
		if len(r) == 35 {
			add(hashBytes(seedTrace64, sbytes(r[19:])))
		} else {
			add(hashBytes(seedAmzn, sbytes(r)))
		}
	}
	if t := ids.B3TraceID; t != "" {
		switch len(t) {
		case 32:
			add(hashBytes(seedTrace64, sbytes(t[16:])))
		case 16:
			add(hashBytes(seedTrace64, sbytes(t)))
		}
	}
	return dst
}

// keyText returns the text of the key of ids whose hash is h, for reports.
func keyText(ids *parsers.IDs, h uint64) string {
	var parts [maxKeys]keyPart
	n := joinKeys(ids, &parts)
	for i := 0; i < n; i++ {
		if parts[i].hash() == h {
			return parts[i].String()
		}
	}
	return ""
}

// keyTable maps the join keys of open requests to the request (group) each belongs to: open
// addressing with linear probing and backward-shift deletion. Every record looks up or adds its
// keys and every request that closes deletes them, so this is the engine's hottest table; a Go
// map costs several times as much per operation here. The keys are hashes already, so their high
// bits choose a key's slot (home); 0 marks an empty slot (hash never returns 0). A slot is the
// key and its request, 16 bytes, four to a cache line: what else is known of a key (keyState)
// lives with its request (group.keys), whose memory the engine reads anyway. A key is looked up
// for the first time, and deleted, long after any other use of its part of the table, so each
// costs a cache miss: one line per operation, where a separate array of states made it two.
type keyTable struct {
	slots []keySlot
	n     int
}

type keySlot struct {
	k uint64
	g *group
}

// home is the slot a key's probe starts at: the key's high bits scaled to the table's size
// (which therefore need not be a power of two, and grows by half its size; the keys are
// hashes already).
func (t *keyTable) home(k uint64) int {
	hi, _ := bits.Mul64(k, uint64(len(t.slots)))
	return int(hi)
}

// get returns the request k belongs to.
func (t *keyTable) get(k uint64) (*group, bool) {
	if i, ok := t.find(k); ok {
		return t.slots[i].g, true
	}
	return nil, false
}

// put sets the request of k, adding k when it is not in the table.
func (t *keyTable) put(k uint64, g *group) {
	if (t.n+1)*4 > len(t.slots)*3 { // at most 3/4 full: probes stay short, the table small
		t.grow()
	}
	for i := t.home(k); ; {
		switch t.slots[i].k {
		case k:
			t.slots[i].g = g
			return
		case 0:
			t.slots[i] = keySlot{k, g}
			t.n++
			return
		}
		if i++; i == len(t.slots) {
			i = 0
		}
	}
}

// grow makes the table half as large again (its size after a peak of traffic is what it keeps:
// doubling would leave it up to 8/3 the room its keys need).
func (t *keyTable) grow() {
	old := t.slots
	size := len(old) + len(old)/2
	if size == 0 {
		size = 1024
	}
	t.slots, t.n = make([]keySlot, size), 0
	for _, s := range old {
		if s.k != 0 {
			t.put(s.k, s.g)
		}
	}
}

// del removes k, moving back the entries after it that would no longer be found.
func (t *keyTable) del(k uint64) {
	if i, ok := t.find(k); ok {
		t.removeAt(i)
	}
}

// delOf removes k when it belongs to g (one probe for what get and del would do).
func (t *keyTable) delOf(k uint64, g *group) {
	if i, ok := t.find(k); ok && t.slots[i].g == g {
		t.removeAt(i)
	}
}

// find returns the slot of k.
func (t *keyTable) find(k uint64) (int, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	for i := t.home(k); ; {
		switch t.slots[i].k {
		case k:
			return i, true
		case 0:
			return 0, false
		}
		if i++; i == len(t.slots) {
			i = 0
		}
	}
}

// removeAt empties slot i, moving back the entries after it that would no longer be found.
func (t *keyTable) removeAt(i int) {
	n := len(t.slots)
	for j := i + 1; ; j++ {
		if j == n {
			j = 0
		}
		if t.slots[j].k == 0 {
			break
		}
		// The entry at j may move to the hole at i unless its home slot lies cyclically in (i, j].
		home := t.home(t.slots[j].k)
		if i <= j && (home <= i || home > j) || i > j && home <= i && home > j {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = keySlot{}
	t.n--
}

// len returns the number of keys in the table.
func (t *keyTable) len() int { return t.n }
