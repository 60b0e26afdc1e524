// Package term makes text from logs and servers safe to print on a terminal or in a CI log.
// Paths, hosts, user agents and header values come from clients: printed raw, an escape
// sequence in them could clear the screen or write the clipboard (OSC 52), a bidi override
// could reorder what the reader sees, and a line break could forge lines (a FAIL line, a
// "::error" annotation of a CI runner).
package term

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Clean returns s with every control character escaped: C0 (line breaks and tabs included),
// DEL, C1, the Unicode line and paragraph separators, the bidi controls, and bytes that are not
// UTF-8. \n, \r and \t are written as such, other bytes as \xHH, runes as \uHHHH. Other text is
// unchanged.
func Clean(s string) string {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// unsafe reports the runes above ASCII that control a terminal or reorder text: C1, the line
// and paragraph separators, and the bidi marks, embeddings, overrides and isolates.
func unsafe(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r == 0x2028, r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// Fprintf is fmt.Fprintf with every string argument (and every error and Stringer) cleaned:
// the format's own line breaks stay, the values' are escaped.
func Fprintf(w io.Writer, format string, args ...any) (int, error) {
	for i, a := range args {
		switch v := a.(type) {
		case nil:
		case string:
			args[i] = Clean(v)
		case error:
			args[i] = Clean(v.Error())
		case fmt.Stringer:
			args[i] = Clean(v.String())
		default:
			if rv := reflect.ValueOf(a); rv.Kind() == reflect.String {
				args[i] = Clean(rv.String())
			}
		}
	}
	return fmt.Fprintf(w, format, args...)
}
