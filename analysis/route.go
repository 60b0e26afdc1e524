package analysis

// Route templates fold the variable parts of a path so that requests to the same route group
// together: /orders/42/items/9f86d081884c7d65 → /orders/{id}/items/{id}.

// maxRouteLen bounds a template, so that a scanner sending long random paths cannot make the
// per-route baselines large.
const maxRouteLen = 200

// Route returns the route template of a path.
func Route(path string) string { return string(appendRoute(nil, path)) }

// appendRoute appends the route template of path to dst. A segment is an identifier ({id})
// rather than a route name when it is a number, a UUID, a hex hash, a long token mixing letters
// and digits (ULIDs, base64 ids), or a name with a run of four or more digits (ord_12345,
// 2024-01-15); short versioned names (v1, oauth2, html5) stay. Every record's route is templated
// (Prepare), so this is one pass over the path: each segment is classified as it is copied.
func appendRoute(dst []byte, path string) []byte {
	start := len(dst)
	i := 0
	for {
		// The segment path[s:i], and what tells an identifier in it: the flags every byte has
		// (all), the flags some byte has (any) and the longest run of digits. No branch but the
		// segment's end per byte: the path of every record goes through this loop.
		s := i
		all, any := uint8(0xff), uint8(0)
		run, maxRun := 0, 0
		for ; i < len(path); i++ {
			f := routeFlags[path[i]]
			if f&rfEnd != 0 {
				break
			}
			all &= f
			any |= f
			run = (run + 1) & -int(f&rfDigit) // rfDigit is 1: a digit extends the run, any other byte ends it
			maxRun = max(maxRun, run)
		}
		seg := path[s:i]
		if s == 0 && i == 0 && (i == len(path) || path[i] != '/') {
			return append(dst, '/') // no path before the query or fragment
		}
		n := len(seg)
		digits := any&rfDigit != 0
		switch {
		case n == 0:
		case any&rfBad == 0 && (all&rfDigit != 0 || maxRun >= 4 || all&rfHex != 0 && n >= 8 && digits ||
			n >= 16 && digits && any&rfLetter != 0 || n == 36 && isUUID(seg)):
			dst = append(dst, "{id}"...)
		case any&rfDot != 0:
			dst = appendFileName(dst, seg)
		default:
			dst = append(dst, seg...)
		}
		last := i >= len(path) || path[i] != '/'
		if !last {
			dst = append(dst, '/')
			i++
		}
		if len(dst)-start > maxRouteLen {
			return append(dst[:start+maxRouteLen], "…"...)
		}
		if last {
			return dst
		}
	}
}

// Byte flags of route templating: what tells an identifier, and where a segment ends. A byte
// with no flag is punctuation an identifier may hold (- _ ~ % =).
const (
	rfDigit  = 1 << iota // 0-9 (must be 1: appendRoute's digit run relies on it)
	rfHex                // 0-9, a-f, A-F
	rfLetter             // ASCII letters
	rfDot                // '.', which may separate a file name's content hash
	rfBad                // a byte no identifier holds
	rfEnd                // '/' ends a segment, '?' and '#' the path
)

var routeFlags = func() (t [256]uint8) {
	for i := range t {
		t[i] = rfBad
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = rfDigit | rfHex
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = rfLetter, rfLetter
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c], t[c-'a'+'A'] = rfLetter|rfHex, rfLetter|rfHex
	}
	t['.'] = rfDot
	for _, c := range "-_~%=" {
		t[c] = 0
	}
	t['/'], t['?'], t['#'] = rfEnd, rfEnd, rfEnd
	return t
}()

// appendFileName appends a path segment, folding the content hash of a fingerprinted asset name
// ("app.3f9c1b.js" → "app.{hash}.js"), so that every build of an asset is one route.
func appendFileName(dst []byte, seg string) []byte {
	for len(seg) > 0 {
		part, rest, dot := seg, "", false
		for k := 0; k < len(seg); k++ {
			if seg[k] == '.' {
				part, rest, dot = seg[:k], seg[k+1:], true
				break
			}
		}
		if dot && isHashPart(part) {
			dst = append(dst, "{hash}"...)
		} else {
			dst = append(dst, part...)
		}
		if !dot {
			break
		}
		dst = append(dst, '.')
		seg = rest
	}
	return dst
}

// isHashPart reports whether a dot-separated part of a file name is a content hash: six or more
// hex digits mixing digits and letters.
func isHashPart(s string) bool {
	if len(s) < 6 {
		return false
	}
	digits, letters := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits++
		case 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F':
			letters++
		default:
			return false
		}
	}
	return digits > 0 && letters > 0
}

func indexAny(s, chars string) int {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return i
			}
		}
	}
	return -1
}

func isUUID(s string) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
