package contract

// The block-style rewrite of JSON documents that analysis/contract loaded them through when it read
// them with kin-openapi, kept as it was for the kin-openapi oracle (openapi_kin_test.go).

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// The OpenAPI loader reads JSON as YAML (JSON is YAML's flow style), and its YAML parser
// (go.yaml.in/yaml/v4) holds every token of a flow collection in its queue until the
// collection closes: a JSON document is tokenised whole before the first node is built, which
// costs memory and time that grow faster than the document (a 100,000-path JSON spec of 43 MB
// took 69 s of CPU and 7.7 GB). The same document in YAML's block style streams. jsonToBlock
// rewrites a JSON object in block style with the same nodes: every key and string
// double-quoted, numbers, true, false and null as they were, empty objects and arrays as {}
// and []. The loader then builds the same tree. The caller retries with the original bytes
// whenever the rewritten document does not load, so that errors and the loader's JSON
// fallback stay as they were.

// jsonBlockDepth bounds the nesting rewritten: block style indents each level, so a deeper
// document is left as it is.
const jsonBlockDepth = 100

// jsonToBlock returns data, a JSON object, in YAML block style; ok is false for anything else
// (not JSON, not an object at the top, nested too deep, a string the rewrite does not carry
// over exactly).
func jsonToBlock(data []byte) (out []byte, ok bool) {
	t := bytes.TrimLeft(data, " \t\r\n")
	if len(t) == 0 || t[0] != '{' || !json.Valid(data) {
		return nil, false
	}
	w := &blockWriter{in: t, out: make([]byte, 0, len(data)+len(data)/2)}
	if !w.value(-1) {
		return nil, false
	}
	return append(w.out, '\n'), true
}

// blockWriter walks valid JSON (json.Valid said so) and writes it in block style.
type blockWriter struct {
	in  []byte
	pos int
	out []byte
}

func (w *blockWriter) skipSpace() {
	for w.pos < len(w.in) {
		switch w.in[w.pos] {
		case ' ', '\t', '\r', '\n':
			w.pos++
		default:
			return
		}
	}
}

func (w *blockWriter) indent(n int) {
	w.out = append(w.out, '\n')
	for range n {
		w.out = append(w.out, ' ')
	}
}

// value writes the value at pos; a collection's entries go on lines indented by depth+1
// spaces (the top-level object's at column 0).
func (w *blockWriter) value(depth int) bool {
	if depth >= jsonBlockDepth {
		return false
	}
	w.skipSpace()
	switch c := w.in[w.pos]; c {
	case '{', '[':
		w.pos++
		w.skipSpace()
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		if w.in[w.pos] == end {
			w.pos++
			if depth >= 0 {
				w.out = append(w.out, ' ', c, end)
			} else {
				w.out = append(w.out, c, end)
			}
			return true
		}
		for first := true; ; first = false {
			if depth >= 0 || !first {
				w.indent(depth + 1)
			}
			if c == '{' {
				if !w.str() {
					return false
				}
				w.skipSpace()
				w.pos++ // ':'
				w.out = append(w.out, ':')
			} else {
				w.out = append(w.out, '-')
			}
			if !w.value(depth + 1) {
				return false
			}
			w.skipSpace()
			if w.in[w.pos] == end {
				w.pos++
				return true
			}
			w.pos++ // ','
			w.skipSpace()
		}
	case '"':
		w.out = append(w.out, ' ')
		return w.str()
	default: // a number, true, false or null: the same plain scalar in YAML
		start := w.pos
		for w.pos < len(w.in) {
			switch w.in[w.pos] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				w.out = append(w.out, ' ')
				w.out = append(w.out, w.in[start:w.pos]...)
				return true
			}
			w.pos++
		}
		w.out = append(w.out, ' ')
		w.out = append(w.out, w.in[start:]...)
		return true
	}
}

// str writes the JSON string at pos as a YAML double-quoted scalar. JSON's escapes are YAML's
// too (\/ is written /); a surrogate pair becomes one \U escape. Characters YAML does not take raw (C1
// controls, U+2028, U+FEFF, beyond U+FFFF …) are escaped; invalid UTF-8 and lone surrogates,
// which JSON decoders replace, end the rewrite.
func (w *blockWriter) str() bool {
	w.pos++ // '"'
	w.out = append(w.out, '"')
	for {
		c := w.in[w.pos]
		switch {
		case c == '"':
			w.pos++
			w.out = append(w.out, '"')
			return true
		case c == '\\':
			switch e := w.in[w.pos+1]; e {
			case '/': // YAML 1.1 parsers lack \/
				w.out = append(w.out, '/')
				w.pos += 2
				continue
			case 'u':
			default:
				w.out = append(w.out, c, e)
				w.pos += 2
				continue
			}
			r := hex4(w.in[w.pos+2 : w.pos+6])
			w.pos += 6
			if r >= 0xD800 && r <= 0xDBFF && w.pos+6 <= len(w.in) && w.in[w.pos] == '\\' && w.in[w.pos+1] == 'u' {
				if lo := hex4(w.in[w.pos+2 : w.pos+6]); lo >= 0xDC00 && lo <= 0xDFFF {
					w.pos += 6
					w.escape((r-0xD800)<<10 + (lo - 0xDC00) + 0x10000)
					continue
				}
			}
			if r >= 0xD800 && r <= 0xDFFF {
				return false
			}
			w.escape(r)
		case c >= 0x20 && c < 0x7F:
			w.out = append(w.out, c)
			w.pos++
		case c < utf8.RuneSelf: // DEL (control characters are escaped in valid JSON)
			w.escape(rune(c))
			w.pos++
		default:
			r, n := utf8.DecodeRune(w.in[w.pos:])
			if r == utf8.RuneError && n == 1 {
				return false
			}
			if r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF {
				w.out = append(w.out, w.in[w.pos:w.pos+n]...)
			} else {
				w.escape(r)
			}
			w.pos += n
		}
	}
}

func (w *blockWriter) escape(r rune) {
	const hex = "0123456789ABCDEF"
	if r > 0xFFFF {
		w.out = append(w.out, '\\', 'U')
		for s := 28; s >= 0; s -= 4 {
			w.out = append(w.out, hex[r>>s&0xF])
		}
		return
	}
	w.out = append(w.out, '\\', 'u', hex[r>>12&0xF], hex[r>>8&0xF], hex[r>>4&0xF], hex[r&0xF])
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}
