package parsers

import (
	"fmt"
	"net/netip"
	"strings"
)

// The client behind proxies. A hop logs the address that connected to it (Record.Peer) and,
// where its format has it, the X-Forwarded-For list it received (Record.ForwardedFor).
// Record.ClientIP is the original client: walking from the connecting address leftwards through
// X-Forwarded-For, the first address that is not a trusted proxy. Addresses left of it are not
// trusted (any client can send an X-Forwarded-For), so they are not believed. When every address
// is trusted, the leftmost one is the client. Without X-Forwarded-For the client is the peer.

// DefaultTrustedProxies are the ranges a proxy in front of a logged hop usually has: private,
// shared (CGNAT), loopback and link-local addresses, in IPv4 and IPv6.
var DefaultTrustedProxies = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
}

// ParseTrustedProxies reads a --trusted-proxies value: comma-separated CIDR ranges or single
// addresses. "none" trusts no proxy (the peer is always the client).
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if s == "none" {
		return []netip.Prefix{}, nil
	}
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR range (10.0.0.0/8, fd00::/8): %w", f, err)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR range: %w", f, err)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no range given: pass CIDR ranges such as 10.0.0.0/8,fd00::/8, or none")
	}
	return out, nil
}

// trustSet is a list of trusted proxy ranges made ready for testing addresses: its valid IPv4
// ranges as a masked base and a mask each, every address of the list tested on 32 bits.
type trustSet struct {
	v4  []net4
	all []netip.Prefix
}

type net4 struct{ base, mask uint32 }

func newTrustSet(trusted []netip.Prefix) *trustSet {
	t := &trustSet{all: trusted}
	for _, p := range trusted {
		a := p.Addr()
		if !p.IsValid() || !a.Is4() {
			continue // netip.Prefix.Contains finds no IPv4 address in it
		}
		b := a.As4()
		mask := ^uint32(0)
		if bits := p.Bits(); bits < 32 {
			mask = ^(^uint32(0) >> bits)
		}
		base := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		t.v4 = append(t.v4, net4{base & mask, mask})
	}
	return t
}

// defaultTrust is DefaultTrustedProxies as a trustSet.
var defaultTrust = newTrustSet(DefaultTrustedProxies)

// settleClient sets rec.ClientIP from rec.Peer and rec.ForwardedFor (see the top of this file).
// trusted nil means DefaultTrustedProxies. The result aliases the record's own strings.
func settleClient(rec *Record, trusted *trustSet) {
	if trusted == nil {
		trusted = defaultTrust
	}
	if rec.ForwardedFor == "" {
		if rec.Peer != "" {
			rec.ClientIP = rec.Peer
		}
		return
	}
	if rec.Peer != "" && !isTrusted(rec.Peer, trusted) {
		rec.ClientIP = rec.Peer
		return
	}
	leftmost := ""
	xff := rec.ForwardedFor
	for xff != "" {
		e := xff
		if i := strings.LastIndexByte(xff, ','); i >= 0 {
			e, xff = xff[i+1:], xff[:i]
		} else {
			xff = ""
		}
		a := addrOnly(strings.TrimSpace(e))
		if a == "" || a == "-" || a == "unknown" {
			continue
		}
		leftmost = a
		if !isTrusted(a, trusted) {
			rec.ClientIP = a
			return
		}
	}
	switch {
	case leftmost != "":
		rec.ClientIP = leftmost
	case rec.Peer != "":
		rec.ClientIP = rec.Peer
	}
}

// addrOnly drops a port and IPv6 brackets: "[2001:db8::1]:443" and "203.0.113.7:5000" become
// addresses; anything else is returned as it is.
func addrOnly(s string) string {
	if len(s) > 0 && s[0] == '[' {
		if i := strings.IndexByte(s, ']'); i > 0 {
			return s[1:i]
		}
	}
	if strings.Count(s, ":") == 1 {
		return s[:strings.IndexByte(s, ':')]
	}
	return s
}

func isTrusted(s string, trusted *trustSet) bool {
	if ip, ok := parseIPv4Bits(s); ok {
		// netip.Prefix.Contains on the 32 bits, without making an Addr: an IPv4 address is
		// in the valid IPv4 prefixes whose bits it shares.
		for _, n := range trusted.v4 {
			if ip&n.mask == n.base {
				return true
			}
		}
		return false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false // a name or garbage: not a proxy we know
	}
	a = a.Unmap()
	for _, p := range trusted.all {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientParser re-settles the client with a trusted set other than the default.
type clientParser struct {
	inner   Parser
	trusted *trustSet
}

func (p *clientParser) Parse(line []byte, rec *Record) error {
	err := p.inner.Parse(line, rec)
	if err == nil && rec.ForwardedFor != "" {
		settleClient(rec, p.trusted)
	}
	return err
}

// parseIPv4 reads a dotted-quad IPv4 address as netip.ParseAddr does (four decimal fields of
// 0–255, no leading zeros), without its general IPv4/IPv6 parser. ok is false for anything else,
// which is then left to netip.ParseAddr.
func parseIPv4(s string) (netip.Addr, bool) {
	ip, ok := parseIPv4Bits(s)
	if !ok {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte{byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)}), true
}

// parseIPv4Bits is parseIPv4 giving the address as a number (the first field in the top byte).
func parseIPv4Bits(s string) (uint32, bool) {
	var ip uint32
	field, i := 0, 0
	for field < 4 {
		start, v := i, 0
		for i < len(s) && i-start < 3 && '0' <= s[i] && s[i] <= '9' {
			v = v*10 + int(s[i]-'0')
			i++
		}
		if i == start || v > 255 || i-start > 1 && s[start] == '0' {
			return 0, false
		}
		ip = ip<<8 | uint32(v)
		field++
		if field < 4 {
			if i >= len(s) || s[i] != '.' {
				return 0, false
			}
			i++
		}
	}
	if i != len(s) {
		return 0, false
	}
	return ip, true
}
