package parsers

import (
	"bytes"
	"encoding/binary"
	"strconv"
)

// Identifier normalisation (reference: docs/formats.md §5.3). Each setter takes the value as logged,
// trims quotes and spaces, drops placeholders ("-", "null", "0", all-zero ids) and stores the
// canonical form; the strings may alias v or the arena.

// trimID strips white space and surrounding quotes and reports whether anything meaningful is left.
func trimID(v []byte) ([]byte, bool) {
	v = bytes.TrimSpace(v)
	for len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		v = bytes.TrimSpace(v[1 : len(v)-1])
	}
	switch string(v) { // the conversion does not allocate in a switch
	case "", "-", "null", "NULL", "nil", "undefined", "none", "None":
		return nil, false
	}
	zero := true
	for _, c := range v {
		if c != '0' && c != '-' {
			zero = false
			break
		}
	}
	if zero {
		return nil, false
	}
	return v, true
}

// isHex reports whether b is all hex digits (and not empty), eight bytes at a time: X-Ray ids
// (isXRayID) are 32 digits, on every ALB line.
func isHex(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if !hexWord(binary.LittleEndian.Uint64(b[i:])) {
			return false
		}
	}
	for ; i < len(b); i++ {
		if !hexDigit[b[i]] {
			return false
		}
	}
	return len(b) > 0
}

// hexWord reports whether each of the eight bytes of x is a hex digit: lowerHexWord's test, with
// the letters tested on x with the case bit set (which makes 'A'-'F' of 'a'-'f' and no other
// byte a letter) and the digits on x itself.
func hexWord(x uint64) bool {
	const ones, top = 0x0101010101010101, 0x8080808080808080
	digit := (x + (0x80-'0')*ones) &^ (x + (0x7f-'9')*ones)
	y := x | 0x20*ones
	letter := (y + (0x80-'a')*ones) &^ (y + (0x7f-'f')*ones)
	return x&top == 0 && (digit|letter)&top == top
}

// hexDigit says which bytes are hex digits (a table: ids are checked on every record).
var hexDigit = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
	}
	return t
}()

// lowerHex reports whether b is all lower-case hex digits (and not empty). The ids of a
// log's lines mostly are, and such an id is stored as it is: trimID keeps it whole (when not all
// zeros) and lower-casing leaves it unchanged, so the setters skip both for it.
// Eight bytes at a time: ids are checked on every record, and most are 16 to 32 digits.
func lowerHex(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if !lowerHexWord(binary.LittleEndian.Uint64(b[i:])) {
			return false
		}
	}
	for ; i < len(b); i++ {
		if !lowerHexDigit[b[i]] {
			return false
		}
	}
	return len(b) > 0
}

// lowerHexWord reports whether each of the eight bytes of x is a lower-case hex digit. For a
// byte c below 0x80, c + (0x80-lo) has its top bit set when c >= lo and c + (0x7f-hi) when
// c > hi, and neither sum carries into the next byte; a byte of 0x80 or more fails at once (its
// carries are then of no matter).
func lowerHexWord(x uint64) bool {
	const ones, top = 0x0101010101010101, 0x8080808080808080
	digit := (x + (0x80-'0')*ones) &^ (x + (0x7f-'9')*ones)
	letter := (x + (0x80-'a')*ones) &^ (x + (0x7f-'f')*ones)
	return x&top == 0 && (digit|letter)&top == top
}

var lowerHexDigit = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = '0' <= c && c <= '9' || 'a' <= c && c <= 'f'
	}
	return t
}()

// lowerHexID reports whether b is n lower-case hex digits, not all zeros: an id setRequestID,
// setNginxRequestID and setTraceID store as it is.
func lowerHexID(b []byte, n int) bool { return len(b) == n && lowerHex(b) && !allZero(b) }

func allZero(b []byte) bool {
	for _, c := range b {
		if c != '0' {
			return false
		}
	}
	return true
}

func isUUID(b []byte) bool {
	if len(b) != 36 || b[8] != '-' || b[13] != '-' || b[18] != '-' || b[23] != '-' {
		return false
	}
	return isHex(b[:8]) && isHex(b[9:13]) && isHex(b[14:18]) && isHex(b[19:23]) && isHex(b[24:])
}

// setRequestID stores an X-Request-ID (or an app's request id). UUIDs get index 14 reset to '4':
// Envoy rewrites that nibble to record its tracing decision, so hops before and after Envoy
// would otherwise log different ids for the same request.
func (ids *IDs) setRequestID(v []byte, a *arena) {
	if lowerHexID(v, 32) { // nginx's $request_id forwarded as X-Request-ID
		ids.RequestID = bstr(v)
		return
	}
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

// setNginxRequestID stores nginx's own $request_id. When no X-Request-ID is known it also
// serves as the request id: configurations that forward it (proxy_set_header X-Request-ID
// $request_id) make it the next hop's X-Request-ID.
func (ids *IDs) setNginxRequestID(v []byte, a *arena) {
	if lowerHexID(v, 32) { // what nginx writes
		ids.NginxRequestID = bstr(v)
		return
	}
	v, ok := trimID(v)
	if !ok {
		return
	}
	ids.NginxRequestID = a.lower(v)
}

// finishNginxIDs settles the two nginx request ids once a line is parsed: the request id is
// X-Request-ID when logged, else $request_id; NginxRequestID stays set only when it differs.
func (ids *IDs) finishNginxIDs() {
	switch {
	case ids.NginxRequestID == "":
	case ids.RequestID == "":
		ids.RequestID, ids.NginxRequestID = ids.NginxRequestID, ""
	case ids.RequestID == ids.NginxRequestID:
		ids.NginxRequestID = ""
	}
}

// setTraceparent stores the trace id of a W3C traceparent header
// (version-traceid-parentid-flags). Invalid headers are ignored.
func (ids *IDs) setTraceparent(v []byte, a *arena) {
	if len(v) == 55 && v[2] == '-' && v[35] == '-' && v[52] == '-' && lowerHex(v[:2]) && string(v[:2]) != "ff" &&
		lowerHexID(v[3:35], 32) && lowerHex(v[36:52]) && lowerHex(v[53:]) {
		ids.TraceID = bstr(v[3:35]) // a header as tracers write it
		return
	}
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

// setAmzn stores the Root of an X-Amzn-Trace-Id header ("Self=…;Root=1-…-…;Sampled=1") or a bare
// X-Ray trace id ("1-5759e988-bd862e3fe1be46a994272793").
func (ids *IDs) setAmzn(v []byte, a *arena) {
	// The usual values at once: a header holding only the Root, or a bare X-Ray id (the loop
	// below gives them the same answer).
	if len(v) == 40 && string(v[:5]) == "Root=" && isXRayID(v[5:]) {
		ids.AmznRoot = xrayLower(v[5:], a)
		return
	}
	if isXRayID(v) {
		ids.AmznRoot = xrayLower(v, a)
		return
	}
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

// xrayLower is a.lower(b) for an X-Ray id (isXRayID), which AWS writes in lower case.
func xrayLower(b []byte, a *arena) string {
	if lowerHex(b[2:10]) && lowerHex(b[11:]) {
		return bstr(b)
	}
	return a.lower(b)
}

// isXRayID reports whether b is "1-<8 hex>-<24 hex>".
func isXRayID(b []byte) bool {
	return len(b) == 35 && b[0] == '1' && b[1] == '-' && b[10] == '-' && isHex(b[2:10]) && isHex(b[11:]) && !allZero(b[11:])
}

// setB3 stores the trace id of a b3 single header ("{trace}-{span}-{sampled}-{parent}") or of an
// X-B3-TraceId header (16 or 32 hex digits).
func (ids *IDs) setB3(v []byte, a *arena) {
	v, ok := trimID(v)
	if !ok {
		return
	}
	if i := bytes.IndexByte(v, '-'); i >= 0 {
		v = v[:i]
	}
	if (len(v) == 16 || len(v) == 32) && isHex(v) && !allZero(v) {
		ids.B3TraceID = a.lower(v)
	}
}

// setTraceID stores an application's trace id of whatever shape it has: 32 hex digits
// (W3C/OpenTelemetry), a traceparent, an X-Ray id or X-Amzn-Trace-Id, 16 hex digits (B3, Jaeger,
// Datadog hex) or a Datadog decimal 64-bit id.
func (ids *IDs) setTraceID(v []byte, a *arena) {
	if lowerHexID(v, 32) { // W3C/OpenTelemetry, as the app logs it
		ids.TraceID = bstr(v)
		return
	}
	v, ok := trimID(v)
	if !ok {
		return
	}
	switch {
	case len(v) == 32 && isHex(v):
		ids.TraceID = a.lower(v)
	case len(v) >= 55 && v[2] == '-':
		ids.setTraceparent(v, a)
	case isXRayID(v) || bytes.Contains(v, []byte("Root=")):
		ids.setAmzn(v, a)
	case len(v) == 16 && isHex(v):
		ids.B3TraceID = a.lower(v)
	case len(v) <= 20 && isDigits(v):
		if n, err := strconv.ParseUint(bstr(v), 10, 64); err == nil && n != 0 {
			var buf [16]byte
			for i := range buf {
				buf[i] = '0'
			}
			hex := strconv.AppendUint(nil, n, 16) // rare path: decimal ids only
			copy(buf[16-len(hex):], hex)
			ids.B3TraceID = a.add(buf[:])
		}
	}
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// ParseID reads an identifier as a user typed it (a request id, a traceparent, an X-Amzn-Trace-Id,
// a B3 or app trace id) and returns every normalised form it may take in records.
func ParseID(s string) IDs {
	var ids IDs
	a := &arena{}
	b := []byte(s)
	ids.setTraceID(b, a)
	ids.setRequestID(b, a)
	if ids.B3TraceID == "" {
		ids.setB3(b, a)
	}
	return ids
}

// SetRequestID, SetTraceID and SetAmznTraceID normalise an id the way the line parsers do. They
// copy v, so the stored strings alias nothing; they are for sources that build records from
// structured fields (parsers/elastic).
func (ids *IDs) SetRequestID(v string) { var a arena; ids.setRequestID([]byte(v), &a) }

// SetTraceID: see SetRequestID.
func (ids *IDs) SetTraceID(v string) { var a arena; ids.setTraceID([]byte(v), &a) }

// SetAmznTraceID: see SetRequestID.
func (ids *IDs) SetAmznTraceID(v string) { var a arena; ids.setAmzn([]byte(v), &a) }
