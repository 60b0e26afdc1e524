package parsers

// The byte-search and time helpers that replaced standard-library calls in the line parsers
// (issue 14) must answer exactly what those calls answer.

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

// randLine returns n bytes drawn mostly from the bytes the helpers look for.
func randLine(r *rand.Rand, n int) []byte {
	const alphabet = "  \"\"\\\\?#/:-.a0Zé\x00\xff"
	b := make([]byte, n)
	for i := range b {
		if r.IntN(4) == 0 {
			b[i] = alphabet[r.IntN(len(alphabet))]
		} else {
			b[i] = byte('a' + r.IntN(26))
		}
	}
	return b
}

func TestIndexHelpersAsBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 1))
	for round := 0; round < 20000; round++ {
		b := randLine(r, r.IntN(80))
		if got, want := indexAny2(b, '?', '#'), bytes.IndexAny(b, "?#"); got != want {
			t.Fatalf("indexAny2(%q, ?#) = %d, IndexAny %d", b, got, want)
		}
		if got, want := indexAny2(b, '/', '?'), bytes.IndexAny(b, "/?"); got != want {
			t.Fatalf("indexAny2(%q, /?) = %d, IndexAny %d", b, got, want)
		}
		for from := 0; from <= len(b)+2; from++ {
			want := len(b)
			if from < len(b) {
				if j := bytes.IndexByte(b[from:], ' '); j >= 0 {
					want = from + j
				}
			}
			if got := indexSpace(b, from); got != want {
				t.Fatalf("indexSpace(%q, %d) = %d, want %d", b, from, got, want)
			}
			want = len(b)
			if from < len(b) {
				if j := bytes.IndexAny(b[from:], "\"\\"); j >= 0 {
					want = from + j
				}
			}
			if got := indexQuoteOrBackslash(b, from); got != want {
				t.Fatalf("indexQuoteOrBackslash(%q, %d) = %d, want %d", b, from, got, want)
			}
			for _, c := range []byte{'"', 'a', 0xff} {
				want = len(b)
				if from < len(b) {
					if j := bytes.IndexByte(b[from:], c); j >= 0 {
						want = from + j
					}
				}
				if got := indexByteFrom(b, from, c); got != want {
					t.Fatalf("indexByteFrom(%q, %d, %q) = %d, want %d", b, from, c, got, want)
				}
				want = len(b)
				for j := from; j < len(b); j++ {
					if b[j] == c || b[j] == ' ' {
						want = j
						break
					}
				}
				if got := indexByte2From(b, from, c, ' '); got != want {
					t.Fatalf("indexByte2From(%q, %d, %q, ' ') = %d, want %d", b, from, c, got, want)
				}
			}
			for _, lit := range []string{"", " ", "\" \"", "aa", "\" origin=\"", "abcdefgh", "abcdefghi", " :\x00 "} {
				want := from <= len(b) && bytes.HasPrefix(b[from:], []byte(lit))
				if got := litAt(b, from, lit, newLitWord(lit)); got != want {
					t.Fatalf("litAt(%q, %d, %q) = %v, want %v", b, from, lit, got, want)
				}
			}
			for _, n := range []int{1, 7, 8, 9, 12} { // the line's own bytes, and one changed
				if from+n <= len(b) {
					lit := string(b[from : from+n])
					if !litAt(b, from, lit, newLitWord(lit)) {
						t.Fatalf("litAt(%q, %d, %q) = false", b, from, lit)
					}
					bad := []byte(lit)
					bad[r.IntN(n)] ^= 0x20
					if litAt(b, from, string(bad), newLitWord(string(bad))) {
						t.Fatalf("litAt(%q, %d, %q) = true", b, from, bad)
					}
				}
			}
			if from <= len(b) {
				for _, lit := range []string{" ", "\" ", "\" \"", " : ", "aa", "a\"\\", "é"} {
					want := bytes.Index(b[from:], []byte(lit))
					if want >= 0 {
						want += from
					}
					if got := indexString(b, from, lit); got != want {
						t.Fatalf("indexString(%q, %d, %q) = %d, want %d", b, from, lit, got, want)
					}
				}
			}
		}
	}
}

// TestISOTimeCache: the cache gives parseISOTime's answer whatever came before, and the
// answer is the time the text names.
func TestISOTimeCache(t *testing.T) {
	times := []string{
		"2026-11-24T10:00:00.013473Z", "2026-11-24T10:00:00.002000Z", "2026-11-24T10:00:00Z",
		"2026-11-24T10:00:00.5+02:00", "2026-11-24T10:00:00,25-0130", "2026-11-24 10:00:00.123456789123",
		"2026-11-24T10:00:01.000001Z", "2026-11-24T10:00:01.Z", "2026-11-24T10:00:01Zjunk",
		"2026-02-31T24:00:60.999999999Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999-23:59",
		"2026-11-24T10:00:0", "2026-11-24X10:00:00Z", "2026-11-24T10:00:00+0", "2026-11-24t10:00:00z",
		"", "-",
	}
	var c isoTimeCache
	r := rand.New(rand.NewPCG(14, 2))
	for round := 0; round < 5000; round++ {
		s := times[r.IntN(len(times))]
		want, wantOK := parseISOTime([]byte(s))
		got, ok := c.parse([]byte(s))
		if ok != wantOK || !got.Equal(want) || got != want {
			t.Fatalf("after %d lookups, cache.parse(%q) = %v %v, parseISOTime %v %v", round, s, got, ok, want, wantOK)
		}
	}
	got, ok := c.parse([]byte("2026-11-24T10:00:00.5+02:00"))
	if want := "2026-11-24T08:00:00.5Z"; !ok || got.Format("2006-01-02T15:04:05.999999999Z07:00") != want {
		t.Fatalf("got %v %v, want %s", got, ok, want)
	}
}

// TestAmznFastPath: the values setAmzn takes at once give what the general path gives for the
// same id written another way.
func TestAmznFastPath(t *testing.T) {
	for _, id := range []string{"1-6b056020-04fcd70761915d50ffe28fae", "1-6B056020-04FCD70761915D50FFE28FAE",
		"1-6b056020-000000000000000000000000", "1-6b056020-04fcd70761915d50ffe28fa;", "2-6b056020-04fcd70761915d50ffe28fae"} {
		var a arena
		var fast, bare, slow IDs
		fast.setAmzn([]byte("Root="+id), &a)
		bare.setAmzn([]byte(id), &a)
		slow.setAmzn([]byte(" Self=1-abc;Root="+id+";Sampled=1 "), &a)
		if fast.AmznRoot != slow.AmznRoot || bare.AmznRoot != slow.AmznRoot {
			t.Errorf("%s: Root= %q, bare %q, in a full header %q", id, fast.AmznRoot, bare.AmznRoot, slow.AmznRoot)
		}
		if want := strings.ToLower(id); isXRayID([]byte(id)) && fast.AmznRoot != want {
			t.Errorf("%s: %q, want %q", id, fast.AmznRoot, want)
		}
	}
}

// TestParseIPv4AsNetip: parseIPv4 accepts only what netip.ParseAddr reads as an IPv4 address,
// with the same value.
func TestParseIPv4AsNetip(t *testing.T) {
	cases := []string{"10.0.0.87", "192.0.2.11", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4",
		"1.2.3", "1.2.3.4.", "1.2.3.4.5", "1..3.4", "1.2.3.04", "1.2.3.0", "1.2.3.1000", "1.2.3.4 ", "",
		"::ffff:1.2.3.4", "1.2.3.4%eth0", "a.b.c.d", "100.64.0.1", "1.2.3.-4", "+1.2.3.4"}
	r := rand.New(rand.NewPCG(14, 3))
	for i := 0; i < 20000; i++ {
		// Four fields of 1–4 digits (leading zeros and values above 255 included), then maybe
		// one byte changed.
		var b []byte
		for f := 0; f < 4; f++ {
			if f > 0 {
				b = append(b, '.')
			}
			for n := 1 + r.IntN(4); n > 0; n-- {
				b = append(b, "0123456789"[r.IntN(10)])
			}
			if r.IntN(3) == 0 {
				b = append(b[:len(b)-1], "012"[r.IntN(3)])
			}
		}
		if r.IntN(4) == 0 {
			b[r.IntN(len(b))] = "0.:a "[r.IntN(5)]
		}
		cases = append(cases, string(b))
	}
	accepted := 0
	for _, s := range cases {
		got, ok := parseIPv4(s)
		want, err := netip.ParseAddr(s)
		if ok {
			accepted++
			if err != nil || got != want {
				t.Fatalf("parseIPv4(%q) = %v, netip.ParseAddr %v %v", s, got, want, err)
			}
		} else if err == nil && want.Is4() {
			t.Fatalf("parseIPv4(%q) refused what netip.ParseAddr reads as %v", s, want)
		}
	}
	if accepted < 100 {
		t.Fatalf("only %d addresses accepted", accepted)
	}
}

// TestEnvoyScanAsTable: envoyScan finds the first byte each deny table forbids, as a byte loop
// over the table does.
func TestEnvoyScanAsTable(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 4))
	for round := 0; round < 5000; round++ {
		b := randLine(r, r.IntN(70))
		for i := range b {
			if r.IntN(20) == 0 {
				b[i] = "\t-.09"[r.IntN(5)]
			}
		}
		for _, deny := range []*[256]bool{envoyDenyToken, envoyDenyNoSpace, envoyDenyNoQuote, envoyDenyNum, nil} {
			for from := 0; from <= len(b); from += 1 + r.IntN(3) {
				to := from + r.IntN(len(b)-from+1)
				want := -1
				for j := from; deny != nil && j < to; j++ {
					if deny[b[j]] {
						want = j
						break
					}
				}
				if got := envoyScan(deny, b, from, to); got != want {
					t.Fatalf("envoyScan(%q, %d, %d) = %d, want %d", b, from, to, got, want)
				}
			}
		}
	}
}

// TestIsTrustedAsContains: isTrusted, which tests an IPv4 address against the prefixes on its
// 32 bits, answers as netip.Prefix.Contains on the parsed address does, for the default ranges
// and for random ones (/0, /32, unmasked, IPv6, IPv4-mapped, invalid).
func TestIsTrustedAsContains(t *testing.T) {
	oracle := func(s string, trusted []netip.Prefix) bool {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	r := rand.New(rand.NewPCG(14, 4))
	randV4 := func() string {
		return fmt.Sprintf("%d.%d.%d.%d", []int{10, 172, 192, 100, 127, 169, 0, 255, 8}[r.IntN(9)], r.IntN(256), r.IntN(256), r.IntN(256))
	}
	lists := [][]netip.Prefix{DefaultTrustedProxies, {}, {netip.Prefix{}}}
	for i := 0; i < 200; i++ {
		var l []netip.Prefix
		for n := r.IntN(5); n > 0; n-- {
			a, _ := netip.ParseAddr(randV4())
			switch r.IntN(4) {
			case 0:
				l = append(l, netip.PrefixFrom(a, r.IntN(33))) // not masked
			case 1:
				l = append(l, netip.PrefixFrom(netip.AddrFrom16(a.As16()), 96+r.IntN(33))) // IPv4-mapped
			case 2:
				l = append(l, netip.MustParsePrefix("fc00::/7"))
			default:
				l = append(l, netip.PrefixFrom(a, 40)) // invalid bits
			}
		}
		lists = append(lists, l)
	}
	yes := 0
	for round := 0; round < 20000; round++ {
		s := randV4()
		if r.IntN(10) == 0 {
			s = []string{"::1", "fc00::1", "::ffff:10.0.0.1", "10.0.0.1:80", "x", ""}[r.IntN(6)]
		}
		l := lists[r.IntN(len(lists))]
		got, want := isTrusted(s, newTrustSet(l)), oracle(s, l)
		if got != want {
			t.Fatalf("isTrusted(%q, %v) = %v, want %v", s, l, got, want)
		}
		if got {
			yes++
		}
	}
	if yes < 300 {
		t.Fatalf("only %d trusted", yes)
	}
}

// TestNginxSamePath: the shortcut of nginxSamePath for a path and $uri written the same, without
// an escape, gives the walk's answer.
func TestNginxSamePath(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 4))
	const alphabet = "//aZ%2F41.-"
	for round := 0; round < 20000; round++ {
		var p []byte
		for n := r.IntN(24); len(p) < n; {
			p = append(p, alphabet[r.IntN(len(alphabet))])
		}
		u := append([]byte(nil), p...)
		if len(u) > 0 && r.IntN(2) == 0 {
			u[r.IntN(len(u))] = alphabet[r.IntN(len(alphabet))]
		}
		if got, want := nginxSamePath(p, u), nginxSamePathWalk(p, u); got != want {
			t.Fatalf("nginxSamePath(%q, %q) = %v, walk %v", p, u, got, want)
		}
	}
}
