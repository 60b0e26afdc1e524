package parsers

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"time"
)

// Field helpers shared by the parsers.

// field is a Record field that every template format (nginx variables and the formats compiled
// to the same steps, Envoy operators) fills the same way from a logged value.
type field uint8

const (
	fieldNone field = iota
	fieldProto
	fieldScheme // http or https; anything else is not kept
	fieldUpstreamAddr
	fieldService
	fieldAllow
	fieldOrigin
	fieldACRMethod
	fieldUserAgent
	fieldRequestID      // X-Request-ID
	fieldNginxRequestID // nginx's own $request_id
	fieldTraceparent
	fieldTraceID
	fieldAmzn
	fieldB3
)

// setField stores a logged value (unescaped, not "-") in rec; ids are normalised into a.
func setField(rec *Record, f field, v []byte, a *arena) {
	switch f {
	case fieldProto:
		rec.Proto = bstr(v)
	case fieldScheme:
		switch string(v) { // the compiler does not allocate for this comparison
		case "https":
			rec.Scheme = "https"
		case "http":
			rec.Scheme = "http"
		}
	case fieldUpstreamAddr:
		rec.UpstreamAddr = bstr(v)
	case fieldService:
		rec.Service = bstr(v)
	case fieldAllow:
		rec.Allow = bstr(v)
	case fieldOrigin:
		rec.Origin = bstr(v)
	case fieldACRMethod:
		rec.ACRMethod = bstr(v)
	case fieldUserAgent:
		rec.UserAgent = bstr(v)
	case fieldRequestID:
		rec.IDs.setRequestID(v, a)
	case fieldNginxRequestID:
		rec.IDs.setNginxRequestID(v, a)
	case fieldTraceparent:
		rec.IDs.setTraceparent(v, a)
	case fieldTraceID:
		rec.IDs.setTraceID(v, a)
	case fieldAmzn:
		rec.IDs.setAmzn(v, a)
	case fieldB3:
		rec.IDs.setB3(v, a)
	}
}

// dash reports whether a logged value means "absent".
func dash(b []byte) bool { return len(b) == 0 || len(b) == 1 && b[0] == '-' }

// setURI sets rec.URI to the request target and rec.Path to its path. An absolute-form target
// ("http://host:80/p?q", as the ALB logs it) sets rec.Host when it is still empty.
func setURI(rec *Record, b []byte) {
	if dash(b) {
		return
	}
	if i := schemeEnd(b); i > 0 {
		rest := b[i+3:]
		j := indexAny2(rest, '/', '?')
		host := rest
		if j >= 0 {
			host, rest = rest[:j], rest[j:]
		} else {
			rest = nil
		}
		if rec.Host == "" {
			rec.Host = bstr(stripDefaultPort(host))
		}
		b = rest
		if len(b) == 0 {
			b = []byte("/")
		}
	}
	rec.URI = bstr(b)
	p := b
	if i := indexAny2(p, '?', '#'); i >= 0 {
		p = p[:i]
	}
	rec.Path = bstr(p)
}

// schemeEnd returns where "://" follows the scheme an absolute-form target starts with (RFC 3986:
// a letter, then letters, digits, '+', '-' or '.'), for schemes of up to 7 bytes; -1 for any other
// target. Only the first bytes are looked at: most targets start with '/'.
func schemeEnd(b []byte) int {
	if len(b) == 0 || b[0]|0x20 < 'a' || b[0]|0x20 > 'z' {
		return -1
	}
	for i := 1; i < 8 && i < len(b); i++ {
		switch c := b[i]; {
		case c == ':':
			if len(b)-i >= 3 && b[i+1] == '/' && b[i+2] == '/' {
				return i
			}
			return -1
		case c|0x20 >= 'a' && c|0x20 <= 'z', c >= '0' && c <= '9', c == '+', c == '-', c == '.':
		default:
			return -1
		}
	}
	return -1
}

// indexAny2 is bytes.IndexAny(b, string([]byte{c1, c2})) for two ASCII bytes: IndexAny builds a
// byte set on every call, which costs more than the search in the short values of a log line.
// (No multi-byte UTF-8 sequence holds an ASCII byte, so a byte search finds what IndexAny finds.)
func indexAny2(b []byte, c1, c2 byte) int {
	if i := indexByte2From(b, 0, c1, c2); i < len(b) {
		return i
	}
	return -1
}

// indexSpace returns the index of the first ' ' in b at or after i, or len(b) (i may be past
// the end).
func indexSpace(b []byte, i int) int { return indexByteFrom(b, i, ' ') }

// indexByteFrom returns the index of the first c in b at or after i, or len(b) (i may be past
// the end). Most values in a log line are short: the first 32 bytes eight at a time, then
// bytes.IndexByte, whose call only pays on longer ones, or the last few bytes in one word.
func indexByteFrom(b []byte, i int, c byte) int {
	for n := min(len(b), i+32); i+8 <= n; i += 8 {
		if m := zeroBytes(binary.LittleEndian.Uint64(b[i:]) ^ (jLo8 * uint64(c))); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	if i >= len(b) {
		return len(b)
	}
	if len(b)-i < 8 {
		if len(b) < 8 {
			for ; i < len(b); i++ {
				if b[i] == c {
					return i
				}
			}
			return len(b)
		}
		x, mask := lastWord(b, i)
		if m := zeroBytes(x^(jLo8*uint64(c))) & mask; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		return len(b)
	}
	if j := bytes.IndexByte(b[i:], c); j >= 0 {
		return i + j
	}
	return len(b)
}

// lastWord returns the n = len(b)-i last bytes of b (0 < n < 8 <= len(b)) in the low bytes of a
// word, read with one load of b's last eight bytes, and the mask of those n bytes: the end of a
// search eight bytes at a time without a byte loop. The lowest byte zeroBytes flags in x is
// exact, so masking the high bytes off leaves the first match.
func lastWord(b []byte, i int) (x, mask uint64) {
	n := uint(len(b)-i) & 7 // & 7: the shifts below stay in range without a check
	return binary.LittleEndian.Uint64(b[len(b)-8:]) >> (64 - 8*n), 1<<(8*n) - 1
}

// indexByte2From returns the index of the first c1 or c2 in b at or after i, or len(b): eight
// bytes at a time, for the short values of a log line.
func indexByte2From(b []byte, i int, c1, c2 byte) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := zeroBytes(x^(jLo8*uint64(c1))) | zeroBytes(x^(jLo8*uint64(c2))); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	if i >= len(b) {
		return len(b)
	}
	if len(b) < 8 {
		for ; i < len(b); i++ {
			if b[i] == c1 || b[i] == c2 {
				return i
			}
		}
		return len(b)
	}
	x, mask := lastWord(b, i)
	if m := (zeroBytes(x^(jLo8*uint64(c1))) | zeroBytes(x^(jLo8*uint64(c2)))) & mask; m != 0 {
		return i + bits.TrailingZeros64(m)/8
	}
	return len(b)
}

// indexString is bytes.Index(b[from:], []byte(lit)) + from, or -1: the literals of a log format
// mostly follow a short value, found by a byte loop over the first 16 places before the call of
// bytes.Index would pay.
func indexString(b []byte, from int, lit string) int {
	if lit == "" {
		return from
	}
	last := len(b) - len(lit) // the last index lit can start at
	for n, c := min(last, from+15), lit[0]; from <= n; from++ {
		if b[from] == c && hasLit(b[from:], lit) {
			return from
		}
	}
	if from > last {
		return -1
	}
	if i := bytes.Index(b[from:], sbytes(lit)); i >= 0 {
		return from + i
	}
	return -1
}

// hasLit reports whether b starts with lit (len(b) >= len(lit)): a byte loop, cheaper than the
// call of a comparison for the few bytes of a format's literal.
func hasLit(b []byte, lit string) bool {
	if len(lit) > 8 {
		return string(b[:len(lit)]) == lit
	}
	for k := 0; k < len(lit); k++ {
		if b[k] != lit[k] {
			return false
		}
	}
	return true
}

// litWord is the first eight bytes of a format's literal as a little-endian word, with the mask
// of the bytes the literal has: litAt compares a literal of up to eight bytes, as most are, with
// one load where hasLit compares byte by byte. The parsers make it once per literal.
type litWord struct{ w, mask uint64 }

func newLitWord(lit string) litWord {
	var lw litWord
	for k := 0; k < len(lit) && k < 8; k++ {
		lw.w |= uint64(lit[k]) << (8 * k)
		lw.mask |= 0xff << (8 * k)
	}
	return lw
}

// litAt reports whether b[i:] starts with lit, whose litWord is lw (i may be past the end). It
// is small enough to inline; a longer literal, or one near the end of the line, is compared as a
// string.
func litAt(b []byte, i int, lit string, lw litWord) bool {
	if len(b)-i >= 8 && len(lit) <= 8 {
		return binary.LittleEndian.Uint64(b[i:])&lw.mask == lw.w
	}
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// indexQuoteOrBackslash returns the index of the first '"' or '\\' in b at or after i, or len(b)
// (i may be past the end); see indexSpace.
func indexQuoteOrBackslash(b []byte, i int) int {
	for n := min(len(b), i+16); i+8 <= n; i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := zeroBytes(x^(jLo8*'"')) | zeroBytes(x^(jLo8*'\\')); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	if i >= len(b) {
		return len(b)
	}
	end := len(b)
	if j := bytes.IndexByte(b[i:], '"'); j >= 0 {
		end = i + j
	}
	if j := bytes.IndexByte(b[i:end], '\\'); j >= 0 {
		return i + j
	}
	return end
}

// stripDefaultPort drops ":80" and ":443" from a host, so that hosts compare across hops.
func stripDefaultPort(h []byte) []byte {
	if bytes.HasSuffix(h, []byte(":80")) {
		return h[:len(h)-3]
	}
	if bytes.HasSuffix(h, []byte(":443")) {
		return h[:len(h)-4]
	}
	return h
}

// setRequestLine splits "METHOD URI PROTOCOL" into the record. It tolerates a missing protocol
// (HTTP/0.9) and URIs with spaces (nginx escapes none in $request). "-" parts stay empty.
func setRequestLine(rec *Record, b []byte) {
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		if !dash(b) {
			rec.Method = bstr(b)
		}
		return
	}
	if !dash(b[:sp]) {
		rec.Method = bstr(b[:sp])
	}
	rest := b[sp+1:]
	if last := bytes.LastIndexByte(rest, ' '); last >= 0 && bytes.HasPrefix(rest[last+1:], []byte("HTTP/")) {
		rec.Proto = bstr(rest[last+1:])
		rest = rest[:last]
	} else if last >= 0 && dash(rest[last+1:]) {
		rest = rest[:last]
	}
	setURI(rec, rest)
}

// setClient sets rec.ClientIP from "ip", "ip:port", "[v6]:port" or an unbracketed IPv6 with a
// port as the ALB writes it ("2a02:…:f215:50718").
func setClient(rec *Record, b []byte) {
	if dash(b) {
		return
	}
	if b[0] == '[' {
		if i := bytes.IndexByte(b, ']'); i > 0 {
			rec.ClientIP = bstr(b[1:i])
			return
		}
	}
	n := bytes.Count(b, []byte(":"))
	if n == 1 || n == 8 { // v4:port, or a full v6 with a port appended
		b = b[:bytes.LastIndexByte(b, ':')]
	}
	rec.ClientIP = bstr(b)
}

// SetURI sets r.URI, r.Path and, for an absolute-form target, r.Host, as the line parsers do.
// It is for sources outside this package that build Records from structured fields
// (parsers/elastic); the strings alias b.
func (r *Record) SetURI(b []byte) { setURI(r, b) }

// SetRequestLine splits "METHOD URI PROTOCOL" into r, as the line parsers do; the strings alias b.
func (r *Record) SetRequestLine(b []byte) { setRequestLine(r, b) }

// ParseISOTime reads an RFC 3339 / ISO 8601 time as the line parsers do (for parsers/elastic).
func ParseISOTime(b []byte) (time.Time, bool) { return parseISOTime(b) }

// ALBTargetGroup returns the target group's name from an ALB target group ARN, as the ALB
// parser does (for parsers/elastic).
func ALBTargetGroup(arn []byte) string { return albTargetGroup(arn) }

// setRequestHeader stores the request headers that matter for triage, from formats that log
// them by name (Caddy's request.headers, Traefik's request_* keys); v is not "-" or empty.
func setRequestHeader(rec *Record, name string, v []byte, a *arena) {
	switch {
	case equalFoldASCII(name, "User-Agent"):
		rec.UserAgent = bstr(v)
	case equalFoldASCII(name, "X-Request-Id"):
		rec.IDs.setRequestID(v, a)
	case equalFoldASCII(name, "Traceparent"):
		rec.IDs.setTraceparent(v, a)
	case equalFoldASCII(name, "X-Amzn-Trace-Id"):
		rec.IDs.setAmzn(v, a)
	case equalFoldASCII(name, "X-B3-Traceid"), equalFoldASCII(name, "B3"):
		rec.IDs.setB3(v, a)
	case equalFoldASCII(name, "X-Forwarded-For"):
		rec.ForwardedFor = bstr(v)
	case equalFoldASCII(name, "Origin"):
		rec.Origin = bstr(v)
	case equalFoldASCII(name, "Access-Control-Request-Method"):
		rec.ACRMethod = bstr(v)
	}
}
