package parsers

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// The setters' shortcut for lower-case hex ids (lowerHexID, xrayLower) against the setters
// without it, kept here as the oracle: every value must give the same ids.

func (ids *IDs) setRequestIDOracle(v []byte, a *arena) {
	v, ok := trimID(v)
	if !ok {
		return
	}
	if isUUID(v) && v[14] != '4' {
		out := a.alloc(v)
		out[14] = '4'
		ids.RequestID = a.lower(out)
		return
	}
	ids.RequestID = a.lower(v)
}

func (ids *IDs) setNginxRequestIDOracle(v []byte, a *arena) {
	v, ok := trimID(v)
	if !ok {
		return
	}
	ids.NginxRequestID = a.lower(v)
}

func (ids *IDs) setTraceparentOracle(v []byte, a *arena) {
	v, ok := trimID(v)
	if !ok || len(v) < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-' {
		return
	}
	ver, tid, pid := v[:2], v[3:35], v[36:52]
	if !isHex(ver) || bytes.EqualFold(ver, []byte("ff")) || !isHex(tid) || allZero(tid) || !isHex(pid) {
		return
	}
	ids.TraceID = a.lower(tid)
}

func (ids *IDs) setAmznOracle(v []byte, a *arena) {
	v, ok := trimID(v)
	if !ok {
		return
	}
	for len(v) > 0 {
		part := v
		if i := bytes.IndexByte(v, ';'); i >= 0 {
			part, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		part = bytes.TrimSpace(part)
		if eq := bytes.IndexByte(part, '='); eq >= 0 {
			if !bytes.EqualFold(part[:eq], []byte("root")) {
				continue
			}
			part = part[eq+1:]
		}
		if isXRayID(part) {
			ids.AmznRoot = a.lower(part)
			return
		}
	}
}

// setTraceIDOracle is setTraceID without its shortcut; its other cases call the setters with
// theirs, which the other comparisons cover.
func (ids *IDs) setTraceIDOracle(v []byte, a *arena) {
	v, ok := trimID(v)
	if !ok {
		return
	}
	if len(v) == 32 && isHex(v) {
		ids.TraceID = a.lower(v)
		return
	}
	ids.setTraceID(v, a)
}

// idsFastValue builds a value near the shapes the shortcuts take: hex of both cases, zeros,
// dashes at the places they go, a Root= prefix, white space and quotes at the ends.
func idsFastValue(r *rand.Rand) []byte {
	const hex = "0123456789abcdef"
	var b []byte
	switch r.IntN(4) {
	case 0:
		b = []byte("00-" + randHex(r, 32) + "-" + randHex(r, 16) + "-01")
	case 1:
		b = []byte("1-" + randHex(r, 8) + "-" + randHex(r, 24))
		if r.IntN(2) == 0 {
			b = append([]byte("Root="), b...)
		}
	case 2:
		b = []byte(randHex(r, 32))
	default:
		b = []byte(randHex(r, 8) + "-" + randHex(r, 4) + "-" + randHex(r, 4) + "-" + randHex(r, 4) + "-" + randHex(r, 12))
	}
	for n := r.IntN(3); n > 0 && len(b) > 0; n-- {
		i := r.IntN(len(b))
		switch r.IntN(6) {
		case 0:
			b[i] = "ABCDEF"[r.IntN(6)]
		case 1:
			b[i] = '0'
		case 2:
			b[i] = " \t\"'-;=xg\xa0"[r.IntN(10)]
		case 3:
			for j := range b {
				if b[j] != '-' && r.IntN(8) != 0 {
					b[j] = '0'
				}
			}
		case 4:
			b = b[:i]
		default:
			b[i] = hex[r.IntN(16)]
		}
	}
	return b
}

func randHex(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = "0123456789abcdef"[r.IntN(16)]
	}
	return string(b)
}

func TestIDsFastSame(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 3))
	took := 0
	for round := 0; round < 200000; round++ {
		v := idsFastValue(r)
		var a arena
		var got, want IDs
		got.setRequestID(v, &a)
		want.setRequestIDOracle(v, &a)
		got.setNginxRequestID(v, &a)
		want.setNginxRequestIDOracle(v, &a)
		got.setTraceparent(v, &a)
		want.setTraceparentOracle(v, &a)
		got.setAmzn(v, &a)
		want.setAmznOracle(v, &a)
		var gt, wt IDs
		gt.setTraceID(v, &a)
		wt.setTraceIDOracle(v, &a)
		if got != want || gt != wt {
			t.Fatalf("%q: %+v %+v, was %+v %+v", v, got, gt, want, wt)
		}
		if lowerHexID(v, 32) || len(v) == 55 && got.TraceID != "" {
			took++
		}
	}
	if took < 10000 {
		t.Fatalf("the shortcuts took %d values only", took)
	}
}

// TestLowerHexWords checks lowerHex and isHex, which read eight bytes at a time, against the
// byte tables they replaced: every byte value at every position of words and tails, every pair of
// byte values side by side in a word (a carry from one byte into the next would show there), and
// lengths 0 to 40.
func TestLowerHexWords(t *testing.T) {
	for _, c := range []struct {
		name  string
		f     func([]byte) bool
		table *[256]bool
	}{{"lowerHex", lowerHex, &lowerHexDigit}, {"isHex", isHex, &hexDigit}} {
		oracle := func(b []byte) bool {
			for _, x := range b {
				if !c.table[x] {
					return false
				}
			}
			return len(b) > 0
		}
		base := []byte("0123456789abcdef0a1b2c3d4e5f6789fedcba98")
		for n := 0; n <= len(base); n++ {
			b := append([]byte(nil), base[:n]...)
			if got, want := c.f(b), oracle(b); got != want {
				t.Fatalf("%s(%q) = %v, want %v", c.name, b, got, want)
			}
			for p := 0; p < n; p++ {
				for x := 0; x < 256; x++ {
					b[p] = byte(x)
					if got, want := c.f(b), oracle(b); got != want {
						t.Fatalf("%s(%q) = %v, want %v", c.name, b, got, want)
					}
				}
				b[p] = base[p]
			}
		}
		w := []byte("abcdef01")
		for p := 0; p < 7; p++ {
			for c1 := 0; c1 < 256; c1++ {
				for c2 := 0; c2 < 256; c2++ {
					w[p], w[p+1] = byte(c1), byte(c2)
					if got, want := c.f(w), oracle(w); got != want {
						t.Fatalf("%s(%q) = %v, want %v", c.name, w, got, want)
					}
				}
			}
			copy(w, "abcdef01")
		}
	}
}

var lowerHexSink bool

// BenchmarkLowerHex: the check of a 32-digit request id, the most common id on the bench's lines.
func BenchmarkLowerHex(b *testing.B) {
	id := []byte("e7ff5c46c069d64f4fbb7eefd8bdd6c7")
	for b.Loop() {
		lowerHexSink = lowerHex(id)
	}
}
