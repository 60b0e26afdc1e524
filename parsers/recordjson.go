package parsers

import (
	"encoding/binary"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends rec as one JSON object (the `logtriage parse` line format) to dst.
// Keys with unknown values are left out, except status and local, which are always present.
//
// It is written for `logtriage parse` of every record, where it runs once per line: no
// reflection, no allocation once dst has room, strings checked eight bytes at a time, times and
// durations written digit by digit. The bytes are those of the straightforward encoder it
// replaced (legacyAppendJSON in recordjson_legacy_test.go; TestAppendJSONSame, FuzzAppendJSON).
func (r *Record) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"source":"`...)
	dst = appendJSONChars(dst, r.File)
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, r.Line, 10)
	dst = append(dst, '"')
	dst = appendStr(dst, `,"layer":"`, r.Layer)
	dst = appendStr(dst, `,"format":"`, r.Format)
	dst = appendStr(dst, `,"framework":"`, r.Framework)
	if r.ErrorLine {
		dst = append(dst, `,"error_line":true`...)
	}
	if !r.Time.IsZero() {
		dst = append(dst, `,"time":"`...)
		dst = appendTime(dst, r.Time)
		dst = append(dst, '"')
	}
	if !r.Start.IsZero() {
		dst = append(dst, `,"start":"`...)
		dst = appendTime(dst, r.Start)
		dst = append(dst, '"')
	}
	dst = appendStr(dst, `,"method":"`, r.Method)
	dst = appendStr(dst, `,"host":"`, r.Host)
	dst = appendStr(dst, `,"uri":"`, r.URI)
	dst = appendStr(dst, `,"path":"`, r.Path)
	dst = appendStr(dst, `,"routed_path":"`, r.RoutedPath)
	dst = appendStr(dst, `,"protocol":"`, r.Proto)
	dst = appendStr(dst, `,"scheme":"`, r.Scheme)
	dst = append(dst, `,"status":`...)
	dst = appendInt(dst, r.Status)
	if r.Upstream != nil {
		dst = append(dst, `,"upstream_status":[`...)
		for i, s := range r.Upstream {
			if i > 0 {
				dst = append(dst, ',')
			}
			if s < 0 {
				dst = append(dst, "null"...)
			} else {
				dst = appendInt(dst, s)
			}
		}
		dst = append(dst, ']')
	}
	dst = appendStr(dst, `,"upstream_addr":"`, r.UpstreamAddr)
	dst = appendStr(dst, `,"service":"`, r.Service)
	switch r.Local {
	case LocalYes:
		dst = append(dst, `,"local":true`...)
	case LocalNo:
		dst = append(dst, `,"local":false`...)
	default:
		dst = append(dst, `,"local":null`...)
	}
	dst = appendStr(dst, `,"allow":"`, r.Allow)
	dst = appendStr(dst, `,"origin":"`, r.Origin)
	dst = appendStr(dst, `,"acr_method":"`, r.ACRMethod)
	dst = appendStr(dst, `,"client_ip":"`, r.ClientIP)
	if r.Peer != r.ClientIP {
		dst = appendStr(dst, `,"peer":"`, r.Peer) // the proxy that connected, when the client is behind it
	}
	dst = appendStr(dst, `,"forwarded_for":"`, r.ForwardedFor)
	dst = appendStr(dst, `,"user_agent":"`, r.UserAgent)
	if r.Duration >= 0 {
		dst = append(dst, `,"duration_ms":`...)
		dst = appendMillis(dst, r.Duration)
	}
	dst = appendStr(dst, `,"detail":"`, r.Detail)
	if r.IDs.Empty() {
		return append(dst, `,"ids":{}}`...)
	}
	dst = append(dst, `,"ids":{`...)
	n := len(dst)
	dst = appendStr(dst, `,"request_id":"`, r.IDs.RequestID)
	dst = appendStr(dst, `,"nginx_request_id":"`, r.IDs.NginxRequestID)
	dst = appendStr(dst, `,"trace_id":"`, r.IDs.TraceID)
	dst = appendStr(dst, `,"amzn_trace_root":"`, r.IDs.AmznRoot)
	dst = appendStr(dst, `,"b3_trace_id":"`, r.IDs.B3TraceID)
	dst = append(dst[:n], dst[n+1:]...) // drop the first key's leading comma
	return append(dst, "}}"...)
}

// appendStr appends key (`,"name":"`) and v as a JSON string, unless v is empty.
func appendStr(dst []byte, key, v string) []byte {
	if v == "" {
		return dst
	}
	return appendField(dst, key, v)
}

// appendField appends key (`,"name":"`), v's characters and the closing quote.
func appendField(dst []byte, key, v string) []byte {
	dst = append(dst, key...)
	dst = appendJSONChars(dst, v)
	return append(dst, '"')
}

// appendInt appends n in decimal; statuses (three digits) are written without strconv.
func appendInt(dst []byte, n int) []byte {
	if 100 <= n && n <= 999 {
		return append(dst, byte('0'+n/100), byte('0'+n/10%10), byte('0'+n%10))
	}
	return strconv.AppendInt(dst, int64(n), 10)
}

// appendTime writes RFC 3339 in UTC, with as many fractional digits as the time has: what
// t.UTC().AppendFormat(dst, time.RFC3339Nano) writes, without interpreting the layout.
func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, time.RFC3339Nano) // a sign or a fifth digit
	}
	hour, min, sec := t.Clock()
	dst = append(dst,
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+month/10), byte('0'+month%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+min/10), byte('0'+min%10), ':',
		byte('0'+sec/10), byte('0'+sec%10))
	if ns := t.Nanosecond(); ns != 0 {
		dst = appendFraction(dst, ns, 9)
	}
	return append(dst, 'Z')
}

// appendFraction appends '.' and the digits of frac (0 < frac < 10^digits), written with digits
// places, without trailing zeros.
func appendFraction(dst []byte, frac, digits int) []byte {
	for frac%10 == 0 {
		frac /= 10
		digits--
	}
	var buf [10]byte
	buf[0] = '.'
	for i := digits; i > 0; i-- {
		buf[i] = byte('0' + frac%10)
		frac /= 10
	}
	return append(dst, buf[:digits+1]...)
}

// appendMillis appends d (≥ 0) in milliseconds as strconv.AppendFloat(dst,
// float64(d)/float64(time.Millisecond), 'f', -1, 64) does. Below 10^15 ns (11.5 days) the
// quotient has at most 15 significant digits, so the shortest decimal that reads back as the
// same float64 is the exact quotient d/10^6, written here from the integer; longer durations go
// through strconv.
func appendMillis(dst []byte, d time.Duration) []byte {
	if d >= 1e15 {
		return strconv.AppendFloat(dst, float64(d)/float64(time.Millisecond), 'f', -1, 64)
	}
	dst = strconv.AppendInt(dst, int64(d/time.Millisecond), 10)
	if frac := int(d % time.Millisecond); frac != 0 {
		dst = appendFraction(dst, frac, 6)
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// jsonPlain8 reports whether none of the eight bytes in w needs more than copying into a JSON
// string: no control character (< 0x20), '"', '\\', DEL (0x7f) or byte of a multi-byte UTF-8
// sequence (≥ 0x80). Each test is exact about whether any byte matches (a borrow or carry only
// starts at a matching byte), which is all that is asked.
func jsonPlain8(w uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	ctl := (w - lo*0x20) &^ w // a byte below 0x20
	q := w ^ (lo * '"')
	q = (q - lo) &^ q // a byte equal to '"'
	bs := w ^ (lo * '\\')
	bs = (bs - lo) &^ bs // a byte equal to '\\'
	high := (w + lo) | w // a byte of 0x7f or above
	return (ctl|q|bs|high)&hi == 0
}

// jsonPlain says which bytes go into a JSON string as they are (see jsonPlain8).
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONChars appends the characters of s as they go between the quotes of a JSON string:
// '"' and '\\' escaped, \n \r \t by name, other control characters and DEL as \u00XX, invalid
// UTF-8 as \ufffd (one per byte), valid UTF-8 as it is. Plain bytes are copied eight at a time
// as they are checked, into room reserved beforehand.
func appendJSONChars(dst []byte, s string) []byte {
	b := sbytes(s)
	for {
		if cap(dst)-len(dst) < len(b)+8 {
			dst = slices.Grow(dst, len(b)+8)
		}
		n := len(dst)
		out := dst[n:cap(dst)]
		k := copyPlain8(out, b)
		rest := b[k:]
		if len(rest) == 0 {
			return dst[:n+k]
		}
		if len(rest) < 8 && len(b) >= 8 && jsonPlain8(binary.LittleEndian.Uint64(b[len(b)-8:])) {
			// The last eight bytes, read again, are plain, and so is b[:k]: so is b.
			binary.LittleEndian.PutUint64(out[len(b)-8:], binary.LittleEndian.Uint64(b[len(b)-8:]))
			return dst[:n+len(b)]
		}
		j := 0
		for j < len(rest) && jsonPlain[rest[j]] {
			out[k+j] = rest[j]
			j++
		}
		dst = dst[:n+k+j]
		if j == len(rest) {
			return dst
		}
		c, size := rest[j], 1
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < utf8.RuneSelf:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			var r rune
			if r, size = utf8.DecodeRune(rest[j:]); r == utf8.RuneError && size == 1 {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, rest[j:j+size]...)
			}
		}
		b = rest[j+size:]
	}
}

// copyPlain8 copies from src to dst eight bytes at a time while they are plain (jsonPlain8) and
// both have eight more; it returns how many bytes it copied.
func copyPlain8(dst, src []byte) int {
	n := 0
	for len(src) >= 8 && len(dst) >= 8 {
		w := binary.LittleEndian.Uint64(src)
		if !jsonPlain8(w) {
			break
		}
		binary.LittleEndian.PutUint64(dst, w)
		src, dst, n = src[8:], dst[8:], n+8
	}
	return n
}
