package analysis

import (
	"strings"
	"testing"
)

// The route templating as it was before it became one pass (appendRoute): the oracle of
// FuzzRouteSame.

// appendRoute appends the route template of path to dst.
func appendRouteOracle(dst []byte, path string) []byte {
	if i := indexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return append(dst, '/')
	}
	start := len(dst)
	for len(path) > 0 {
		seg := path
		j := -1
		for k := 0; k < len(path); k++ {
			if path[k] == '/' {
				j = k
				break
			}
		}
		if j >= 0 {
			seg, path = path[:j], path[j+1:]
		} else {
			path = ""
		}
		if isIDSegmentOracle(seg) {
			dst = append(dst, "{id}"...)
		} else {
			dst = appendFileName(dst, seg)
		}
		if j >= 0 {
			dst = append(dst, '/')
		}
		if len(dst)-start > maxRouteLen {
			dst = append(dst[:start+maxRouteLen], "…"...)
			break
		}
	}
	return dst
}

// isIDSegmentOracle reports whether a path segment is an identifier rather than a route name:
// a number, a UUID, a hex hash, a long token mixing letters and digits (ULIDs, base64 ids), or a
// name with a run of four or more digits (ord_12345, 2024-01-15). Short versioned names (v1,
// oauth2, html5) stay.
func isIDSegmentOracle(s string) bool {
	if s == "" {
		return false
	}
	digits, letters, hex, run, maxRun, other := 0, 0, 0, 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			digits++
			hex++
			run++
			if run > maxRun {
				maxRun = run
			}
			continue
		case 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F':
			letters++
			hex++
		case 'g' <= c && c <= 'z' || 'G' <= c && c <= 'Z':
			letters++
		case c == '-' || c == '_' || c == '.' || c == '~' || c == '%' || c == '=':
			other++
		default:
			return false
		}
		run = 0
	}
	switch {
	case digits == len(s):
		return true
	case isUUID(s):
		return true
	case hex == len(s) && len(s) >= 8 && digits > 0:
		return true
	case len(s) >= 16 && digits > 0 && letters > 0:
		return true
	case maxRun >= 4:
		return true
	}
	return false
}

// FuzzRouteSame: the one-pass templating gives what the segment-by-segment one gave.
func FuzzRouteSame(f *testing.F) {
	for _, s := range []string{"/orders/42", "/orders/42/items/9f86d081884c7d65", "/users/3f1c2a44-8d1e-4b6f-9a3c-7e2d1b0c9f8e",
		"/api/v1/alerts/me/outstanding", "/files/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/orders/ord_12345?x=1", "/oauth2/token/", "", "/",
		"?x", "#f", "a/b", "//x//", "/assets/app.3f9c1b.js", "/docs/v1.2.3/guide.html", "/x/\xff/1234", "/a.b.c.d/", "/%2F/%41",
		"/" + string(make([]byte, 300)), "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/b"} {
		f.Add(s)
	}
	f.Add("/" + strings.Repeat("a.", 150) + "/x")
	f.Add("/" + strings.Repeat("1", 199) + "/" + strings.Repeat("b.3f9c1b", 40))
	f.Fuzz(func(t *testing.T, path string) {
		if got, want := string(appendRoute([]byte("x"), path)), string(appendRouteOracle([]byte("x"), path)); got != want {
			t.Fatalf("%q: %q, was %q", path, got, want)
		}
		// As routeHash templates: after the method, in a buffer of its own with room to spare,
		// and in one without any.
		want := appendRouteOracle([]byte("DELETE "), path)
		if got := routeHash("DELETE", path); got != hashBytes(0x726f757465, want) {
			t.Fatalf("%q: routeHash differs from the hash of %q", path, want)
		}
		if got := appendRoute(make([]byte, 7), path); string(got[7:]) != string(want[7:]) {
			t.Fatalf("%q: %q in a full buffer, was %q", path, got[7:], want[7:])
		}
	})
}
