package analysis

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// TestKeyTable runs random puts, updates and deletes against a Go map. Keys are drawn from a
// small set whose high bits (which choose a key's home slot) collide often, so that probe
// chains wrap around the table and deletions must move entries back.
func TestKeyTable(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var kt keyTable
	ref := map[uint64]*group{}
	groups := [2]*group{{}, {}}
	keys := make([]uint64, 1500)
	for i := range keys {
		// High bits from a few values, so that many keys share a home slot; the low bits make
		// them distinct; never 0.
		keys[i] = uint64(r.Intn(64))<<58 | uint64(i+1)
		if i%7 == 0 {
			keys[i] |= 63 << 58 // home at the end of the table: chains wrap to slot 0
		}
	}
	const ops = 50000
	for op := 0; op < ops; op++ {
		k := keys[r.Intn(len(keys))]
		switch r.Intn(4) {
		case 0, 1:
			g := groups[op%2]
			kt.put(k, g)
			ref[k] = g
		case 2:
			kt.del(k)
			delete(ref, k)
		case 3:
			// delOf removes the key only when it belongs to the group given.
			g := groups[r.Intn(2)]
			kt.delOf(k, g)
			if ref[k] == g {
				delete(ref, k)
			}
		}
		// The key just set or deleted at once; every key every 250 operations and after each of
		// the last 100. 1,500 keys whose homes fall in 64 slots make chains of hundreds, wrapping,
		// and deletions shifting them back (a hole left where an entry's home is, or a wrapped
		// chain not shifted, is caught), at a sixth of the CPU 3,000 keys took under -race.
		want, wok := ref[k]
		if got, ok := kt.get(k); ok != wok || got != want {
			t.Fatalf("op %d: key %x just set or deleted: got %v %v, want %v %v", op, k, got, ok, want, wok)
		}
		if op%250 == 0 || op > ops-100 {
			if kt.len() != len(ref) {
				t.Fatalf("op %d: %d keys, want %d", op, kt.len(), len(ref))
			}
			for _, k := range keys {
				got, ok := kt.get(k)
				want, wok := ref[k]
				if ok != wok || got != want {
					t.Fatalf("op %d: key %x: got %v %v, want %v %v", op, k, got, ok, want, wok)
				}
			}
		}
	}
}

// TestKeyHash: a key does not hash to 0, which marks an empty slot of a keyTable, and two values
// differing in one digit hash apart.
func TestKeyHash(t *testing.T) {
	whole := keyPart{kind: "trace:", value: "4bf92f3577b34da6a3ce929d0e0e4736"}
	if whole.hash() == 0 {
		t.Fatal("hash 0")
	}
	if other := (keyPart{kind: "trace:", value: "4bf92f3577b34da6a3ce929d0e0e4737"}); other.hash() == whole.hash() {
		t.Fatal("two ids differing in their last digit hash alike")
	}
	// joinKeys seeds each kind with its precomputed hash: the same as hashing the kind's name.
	var parts [maxKeys]keyPart
	ids := parsers.IDs{RequestID: "r1", TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", AmznRoot: "1-67430a80-0123456789abcdef01234567"}
	n := joinKeys(&ids, &parts)
	for _, p := range parts[:n] {
		unseeded := p
		unseeded.seed = 0
		if p.seed == 0 || p.hash() != unseeded.hash() {
			t.Errorf("%s%s: seeded hash %x, by the kind's name %x", p.kind, p.value, p.hash(), unseeded.hash())
		}
	}
}

// TestHashBytesEveryByte: hashBytes reads every byte of its input: at every length up to 80
// (each way of splitting words and tail), changing any one byte, the length or the seed changes
// the hash, and no hash is 0.
func TestHashBytesEveryByte(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	seen := map[uint64]string{}
	note := func(h uint64, what string) {
		if h == 0 {
			t.Fatalf("%s: hash 0", what)
		}
		if prev, ok := seen[h]; ok {
			t.Fatalf("%s hashes as %s", what, prev)
		}
		seen[h] = what
	}
	for n := 0; n <= 80; n++ {
		p := make([]byte, n)
		r.Read(p)
		note(hashBytes(1, p), fmt.Sprintf("len %d", n))
		note(hashBytes(2, p), fmt.Sprintf("len %d seed 2", n))
		for i := range p {
			for _, d := range []byte{1, 0x80} {
				q := slices.Clone(p)
				q[i] ^= d
				note(hashBytes(1, q), fmt.Sprintf("len %d byte %d^%#x", n, i, d))
			}
		}
	}
	// Zero bytes are bytes too: a run of them of each length hashes apart.
	for n := 0; n <= 40; n++ {
		note(hashBytes(9, make([]byte, n)), fmt.Sprintf("%d zero bytes", n))
	}
}

// keyHashes hashes straight from the ids what joinKeys lists, in its order: the same hashes.
func FuzzKeyHashesSame(f *testing.F) {
	f.Add("r1", "n1", "4bf92f3577b34da6a3ce929d0e0e4736", "1-67430a80-0123456789abcdef01234567", "463ac35c9f6413ad")
	f.Add("", "", "", "", "4bf92f3577b34da6a3ce929d0e0e4736")
	f.Add("x", "x", "x", "x", "x")
	f.Fuzz(func(t *testing.T, rid, nrid, trace, amzn, b3 string) {
		ids := parsers.IDs{RequestID: rid, NginxRequestID: nrid, TraceID: trace, AmznRoot: amzn, B3TraceID: b3}
		var parts [maxKeys]keyPart
		n := joinKeys(&ids, &parts)
		var want []uint64
	next:
		for _, p := range parts[:n] {
			h := p.hash()
			for _, x := range want {
				if x == h {
					continue next
				}
			}
			want = append(want, h)
		}
		if got := keyHashes(nil, &ids); !slices.Equal(got, want) {
			t.Fatalf("%x, want %x", got, want)
		}
	})
}

// Every form of one trace id — W3C/OTel 32 hex, its X-Ray Root, B3 in 32 or 16 hex — is keyed by
// the same single trace64 key, which stands for the trace: and amzn: keys docs/formats.md §5.3
// lists (they would join nothing more); a trace id of another length and a Root of another form
// keep keys of their own. Reports name the key by the id it came from.
func TestTraceKeysByTrace64(t *testing.T) {
	const w3c = "5759e988bd862e3fe1be46a994272793"
	forms := []parsers.IDs{{TraceID: w3c}, {AmznRoot: "1-5759e988-bd862e3fe1be46a994272793"}, {B3TraceID: w3c}, {B3TraceID: w3c[16:]},
		{TraceID: w3c, AmznRoot: "1-5759e988-bd862e3fe1be46a994272793", B3TraceID: w3c[16:]}}
	want := keyHashes(nil, &forms[0])
	if len(want) != 1 || want[0] != hashBytes(seedTrace64, []byte(w3c[16:])) {
		t.Fatalf("%s: keys %x, want its trace64 alone", w3c, want)
	}
	for _, ids := range forms[1:] {
		if got := keyHashes(nil, &ids); !slices.Equal(got, want) {
			t.Errorf("%+v: keys %x, want %x", ids, got, want)
		}
	}
	for _, tc := range []struct {
		ids  parsers.IDs
		text string
	}{
		{parsers.IDs{TraceID: w3c}, "trace:" + w3c},
		{parsers.IDs{AmznRoot: "1-5759e988-bd862e3fe1be46a994272793"}, "amzn:1-5759e988-bd862e3fe1be46a994272793"},
		{parsers.IDs{B3TraceID: w3c[16:]}, "trace:0000000000000000" + w3c[16:]},
		{parsers.IDs{TraceID: "abc123"}, "trace:abc123"},
		{parsers.IDs{AmznRoot: "1-5759e988-bd86"}, "amzn:1-5759e988-bd86"},
	} {
		keys := keyHashes(nil, &tc.ids)
		if len(keys) != 1 || keyText(&tc.ids, keys[0]) != tc.text {
			t.Errorf("%+v: %d keys, named %q, want one named %q", tc.ids, len(keys), keyText(&tc.ids, keys[0]), tc.text)
		}
		if own := len(tc.text) < 30; own == (keys[0] == want[0]) {
			t.Errorf("%+v: keyed like the whole trace id: %v, want %v", tc.ids, keys[0] == want[0], !own)
		}
	}
}

// checkKeys holds the join keys to their invariant: the table maps a key to a request exactly
// when that open request lists the key (group.keys), once.
func checkKeys(t *testing.T, e *Engine, when string) {
	t.Helper()
	listed := 0
	seen := map[*group]bool{}
	for _, q := range append(e.queue[e.qhead:len(e.queue):len(e.queue)], e.slow[e.shead:]...) {
		g := q.g
		if g.merged != nil || g.closed || seen[g] {
			continue
		}
		seen[g] = true
		for i, x := range g.keys {
			if owner, ok := e.keys.get(x.k); !ok || owner != g {
				t.Fatalf("%s: a request lists key %x, which the table maps to %p (%v), not to it", when, x.k, owner, ok)
			}
			if g.key(x.k) != &g.keys[i] {
				t.Fatalf("%s: a request lists key %x twice", when, x.k)
			}
			listed++
		}
	}
	if listed != e.keys.len() {
		t.Fatalf("%s: open requests list %d keys, the table holds %d", when, listed, e.keys.len())
	}
}

// The keys stay with their requests through joins, bridging records that fold one request
// into another, ids found not unique (dropped from the table and from their request), and the
// set of such ids starting again once full (an id dropped so joins again, afresh).
func TestKeysBelongToTheirRequest(t *testing.T) {
	e := New(Options{})
	e.caps.bad = 2
	r := rand.New(rand.NewSource(7))
	ids := []string{"a", "b", "c", "d", "constant"}
	for i := 0; i < 4000; i++ {
		sec := float64(i) / 20
		o := []opt{rid(ids[r.Intn(len(ids))] + string(rune('0'+i/40%10)))}
		if r.Intn(3) == 0 {
			o = append(o, trace(fmt.Sprintf("%032x", i/3)))
		}
		if r.Intn(10) == 0 {
			o = []opt{rid("constant")} // shared by unrelated requests: marked not unique
		}
		layer := []string{"edge", "ingress", "app"}[r.Intn(3)]
		format := map[string]string{"edge": "nginx", "ingress": "envoy", "app": "app"}[layer]
		e.Add(rec(layer, format, sec, "GET", "/x", []int{200, 405, 502}[r.Intn(3)], o...))
		checkKeys(t, e, fmt.Sprintf("record %d", i))
	}
	if e.badN == 0 {
		t.Fatal("no id was found not unique: the test did not reach dropKey")
	}
	e.flush()
	if e.keys.len() != 0 {
		t.Fatalf("%d keys left once every request closed", e.keys.len())
	}
}
