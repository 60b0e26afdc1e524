package parsers

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Application logs (reference: docs/formats.md §4): one JSON object or one logfmt record per line,
// written by whatever logger the app uses (a Docker json-file or CRI wrapper around them is
// stripped before, for every format alike: wrap.go).
// There is no fixed schema, so fields are found by key aliases.

// AppField names one record field an application log may carry and the keys searched for it.
type AppField struct {
	// Name is the field's name on the command line (--app-field NAME=key.path).
	Name string
	// Keys are the keys searched, best first. Matching ignores case. A dotted key matches a
	// nested object ({"http":{"request":{"method":…}}}), a literal dotted key
	// ({"http.request.method":…}) and any mix of the two.
	Keys []string
	// Doc says what the field becomes in the record.
	Doc string
}

// AppFieldAliases lists the fields the application log parser looks for and the keys it
// searches for each, best first (docs/formats.md §4.1–4.3: Go slog, zap, logrus, logstash-logback,
// pino/pino-http, structlog, ECS loggers, OpenTelemetry, Datadog). An --app-field override
// replaces a field's list with the one key given.
var AppFieldAliases = []AppField{
	{"method", []string{"method", "http.method", "http.request.method", "request.method", "req.method", "httpMethod", "verb", "request_method", "httpRequest.requestMethod"},
		"request method"},
	{"path", []string{"path", "url.original", "url.path", "url", "uri", "request_uri", "req.url", "http.target", "http.url", "http.path", "http.request.path", "request.path", "request_path", "req.path", "url.full", "httpRequest.requestUrl"},
		"request path or URL (a full URL also gives the host)"},
	{"route", []string{"http.route", "route"},
		"route template (/orders/{id}): Path when no concrete path is logged, else \"route=…\" in Detail"},
	{"status", []string{"status", "status_code", "statusCode", "http.status_code", "http.response.status_code", "res.statusCode", "response.status", "http.status", "http.response.status", "httpRequest.status"},
		"response status, a number or a string (never a bare \"code\": usually an error code)"},
	{"request_id", []string{"request_id", "requestId", "req_id", "http.request.id", "x_request_id", "X-Request-ID", "rid", "correlation_id", "req.headers.x-request-id", "http.request.header.x-request-id"},
		"X-Request-ID or the app's request id (not pino-http's req.id: a per-process counter)"},
	{"trace_id", []string{"trace_id", "traceId", "traceID", "trace.id", "otel.trace_id", "dd.trace_id", "logging.googleapis.com/trace"},
		"trace id: W3C/OTel hex, X-Ray, B3 or Datadog decimal"},
	{"traceparent", []string{"traceparent", "req.headers.traceparent", "http.request.headers.traceparent"},
		"W3C traceparent header"},
	{"b3", []string{"b3", "x_b3_traceid", "req.headers.b3", "req.headers.x-b3-traceid"},
		"B3 single header or X-B3-TraceId"},
	{"amzn", []string{"x_amzn_trace_id", "AWS-XRAY-TRACE-ID", "req.headers.x-amzn-trace-id"},
		"X-Amzn-Trace-Id header or X-Ray trace id (joins the ALB's trace_id)"},
	{"time", []string{"time", "ts", "timestamp", "@timestamp", "t"},
		"log time: RFC 3339, epoch seconds (zap) or epoch milliseconds (pino)"},
	{"host", []string{"host", "http.host", "url.domain", "server.address", "req.headers.host", "http.request.headers.host", "http.request.header.host"},
		"Host header"},
	{"user_agent", []string{"user_agent", "userAgent", "user_agent.original", "http.user_agent", "req.headers.user-agent", "http.request.headers.user-agent", "httpRequest.userAgent"},
		"User-Agent header"},
	{"client_ip", []string{"client_ip", "remote_addr", "remote_ip", "source.ip", "client.ip", "req.remoteAddress", "client.address", "source.address", "httpRequest.remoteIp"},
		"client address (a port is dropped)"},
	{"duration", []string{"duration_ms", "duration", "latency", "responseTime", "elapsed_ms", "event.duration"},
		"request duration: a Go duration string (\"1.2ms\"), else a number in ms, or ns/µs/s when the key ends so; event.duration is ns"},
	{"allow", []string{"allow", "http.response.headers.allow", "res.headers.allow"},
		"Allow response header"},
	{"origin", []string{"origin", "http.request.headers.origin", "req.headers.origin"},
		"Origin request header"},
	{"acr_method", []string{"access_control_request_method", "req.headers.access-control-request-method", "http.request.headers.access-control-request-method"},
		"Access-Control-Request-Method request header (CORS preflight)"},
	{"service", []string{"service", "service.name", "app"},
		"service name: shows drift between services"},
	{"env", []string{"env", "environment", "service.environment", "deployment.environment"},
		"environment: \"env=…\" in Detail"},
	{"version", []string{"version", "service.version", "build", "commit"},
		"deployed version: \"version=…\" in Detail"},
	{"bytes", []string{"bytes_sent", "bytes", "response_size", "http.response.body.bytes", "res.contentLength"},
		"response body size in bytes (joins hops that share no id)"},
	{"query", []string{"url.query", "query", "http.query", "query_string"},
		"query string logged apart from the path (OpenTelemetry url.query): joined to the path in URI"},
}

// Indexes into AppFieldAliases; TestAppFieldIndexes keeps them in step.
const (
	appMethod = iota
	appPath
	appRoute
	appStatus
	appRequestID
	appTraceID
	appTraceparent
	appB3
	appAmzn
	appTime
	appHost
	appUserAgent
	appClientIP
	appDuration
	appAllow
	appOrigin
	appACRMethod
	appService
	appEnv
	appVersion
	appBytesSent
	appQuery
	appNumFields
)

// appMaxDepth bounds how deep nested objects are followed; no alias is deeper.
const appMaxDepth = 6

var (
	errAppNoHTTP     = ErrNotAccess
	errAppIncomplete = errors.New("incomplete JSON object (multi-line records are not supported)")
	errAppInvalid    = errors.New("invalid JSON")
	errAppNotLogfmt  = errors.New("neither JSON nor logfmt (no key=value pairs)")
)

// appKey is what a lower-cased key path means: a field alias, a prefix of one, or both.
type appKey struct {
	field  int8 // -1 when the path is only a prefix
	prio   int16
	unit   time.Duration // duration keys: unit of a bare number
	prefix bool          // some alias continues below this path
}

// appCand is the best value seen so far for one field.
type appCand struct {
	set  bool
	num  bool // a JSON number: val is its literal text
	prio int16
	unit time.Duration
	val  string
}

// AppParser parses application log lines (JSON or logfmt; container wrappers are stripped before,
// in wrap.go). It keeps per-line scratch space, so one parser serves one goroutine.
type AppParser struct {
	keys   map[string]appKey
	cand   [appNumFields]appCand
	path   []byte // lower-cased key path being visited
	detail []byte
	uri    []byte // path and query joined
	a      arena
	tc     isoTimeCache
	depth  int
	recent [64]appRecent // the last lookups of p.keys, by a hash of the path
	top    [64]appRecent // the last lookups of top-level keys, by the key as written (topKey)
}

// appRecent is one remembered lookup of a key path in AppParser.keys: the lines of one log
// repeat the same keys, and comparing a short path is cheaper than hashing it into the map.
type appRecent struct {
	n    uint8
	path [appRecentLen]byte
	e    appKey
	ok   bool
}

const appRecentLen = 24

// key looks up a key path in p.keys, remembering the answer.
func (p *AppParser) key(path []byte) (appKey, bool) {
	n := len(path)
	if n == 0 || n > appRecentLen {
		e, ok := p.keys[string(path)]
		return e, ok
	}
	r := &p.recent[(uint(n)*7+uint(path[0])*3+uint(path[n-1]))&(uint(len(p.recent))-1)]
	if int(r.n) == n && string(r.path[:n]) == string(path) {
		return r.e, r.ok
	}
	e, ok := p.keys[string(path)]
	r.n, r.e, r.ok = uint8(n), e, ok
	copy(r.path[:], path)
	return e, ok
}

// topKey looks up a top-level key as written, remembering the answer: nearly all keys of a
// line are top-level, and comparing a key as written with the one of the line before spares
// lower-casing it into p.path for p.key. It leaves p.path empty.
func (p *AppParser) topKey(key string) (appKey, bool) {
	n := len(key)
	var r *appRecent
	if 0 < n && n <= appRecentLen {
		r = &p.top[(uint(n)*7+uint(key[0])*3+uint(key[n-1]))&(uint(len(p.top))-1)]
		if int(r.n) == n && string(r.path[:n]) == key {
			return r.e, r.ok
		}
	}
	p.path = appAppendLower(p.path[:0], key)
	e, ok := p.key(p.path)
	p.path = p.path[:0]
	if r != nil {
		r.n, r.e, r.ok = uint8(n), e, ok
		copy(r.path[:], key)
	}
	return e, ok
}

// AppFieldNames returns the names --app-field accepts, in AppFieldAliases order.
func AppFieldNames() []string {
	names := make([]string, len(AppFieldAliases))
	for i, f := range AppFieldAliases {
		names[i] = f.Name
	}
	return names
}

// NewApp returns a parser for application logs. overrides maps a field name (see
// AppFieldAliases) to the one key path to read it from instead of the aliases, as given by
// --app-field status=http.status; unknown names are an error that lists the valid ones.
func NewApp(overrides map[string]string) (*AppParser, error) {
	p := &AppParser{keys: make(map[string]appKey)}
	fieldKeys := make([][]string, len(AppFieldAliases))
	for i, f := range AppFieldAliases {
		fieldKeys[i] = f.Keys
	}
	for name, key := range overrides {
		i := appFieldIndex(name)
		if i < 0 {
			return nil, fmt.Errorf("unknown app field %q (valid: %s)", name, strings.Join(AppFieldNames(), ", "))
		}
		key = strings.TrimSpace(key)
		if key == "" || strings.HasPrefix(key, ".") || strings.HasSuffix(key, ".") {
			return nil, fmt.Errorf("app field %s: invalid key path %q", name, key)
		}
		fieldKeys[i] = []string{key}
	}
	// Overrides first, so that an override key wins over another field's alias.
	for pass := 0; pass < 2; pass++ {
		for i, keys := range fieldKeys {
			_, overridden := overrides[AppFieldAliases[i].Name]
			if overridden != (pass == 0) {
				continue
			}
			for prio, k := range keys {
				p.addKey(strings.ToLower(k), i, prio)
			}
		}
	}
	return p, nil
}

func appFieldIndex(name string) int {
	for i, f := range AppFieldAliases {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// addKey registers a lower-cased key path for a field, and each of its dotted prefixes as a
// prefix, so that the walk descends into nested objects only where an alias may be found.
func (p *AppParser) addKey(k string, field, prio int) {
	e, ok := p.keys[k]
	if !ok || e.field < 0 {
		e.field, e.prio = int8(field), int16(prio)
		if field == appDuration {
			e.unit = appDurationUnit(k)
		}
		p.keys[k] = e
	}
	for i := 0; i < len(k); i++ {
		if k[i] == '.' {
			pre := k[:i]
			e, ok := p.keys[pre]
			if !ok {
				e.field = -1
			}
			e.prefix = true
			p.keys[pre] = e
		}
	}
}

// appDurationUnit is the unit of a bare number under a duration key: ECS event.duration is
// nanoseconds; otherwise the key's suffix says, and milliseconds are the common default.
func appDurationUnit(k string) time.Duration {
	switch {
	case k == "event.duration" || strings.HasSuffix(k, "_ns") || strings.HasSuffix(k, "nanos"):
		return time.Nanosecond
	case strings.HasSuffix(k, "_us") || strings.HasSuffix(k, "micros"):
		return time.Microsecond
	case strings.HasSuffix(k, "_s") || strings.HasSuffix(k, "_sec") || strings.HasSuffix(k, "_seconds"):
		return time.Second
	}
	return time.Millisecond
}

// Parse implements Parser.
func (p *AppParser) Parse(line []byte, rec *Record) error {
	p.a.reset()
	p.cand = [appNumFields]appCand{}
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return ErrBlank
	}
	var err error
	if line[0] == '{' {
		err = p.parseJSON(line)
	} else {
		err = p.parseLogfmt(line)
	}
	if err != nil {
		return err
	}
	return p.fill(rec)
}

// unescape decodes JSON string escapes (also logfmt's \" and \\) into the arena; b is returned
// as is when it has none. Decoding never lengthens the text, so it runs in place in one copy.
func (p *AppParser) unescape(b []byte) []byte {
	if bytes.IndexByte(b, '\\') < 0 {
		return b
	}
	out := p.a.alloc(b)
	w := 0
	for r := 0; r < len(out); r++ {
		c := out[r]
		if c != '\\' || r+1 >= len(out) {
			out[w] = c
			w++
			continue
		}
		r++
		switch out[r] {
		case 'n':
			c = '\n'
		case 't':
			c = '\t'
		case 'r':
			c = '\r'
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'u':
			if r+4 < len(out) {
				if v, err := strconv.ParseUint(bstr(out[r+1:r+5]), 16, 32); err == nil {
					rn := rune(v)
					r += 4
					if rn >= 0xd800 && rn < 0xdc00 && r+6 < len(out) && out[r+1] == '\\' && out[r+2] == 'u' {
						if lo, err := strconv.ParseUint(bstr(out[r+3:r+7]), 16, 32); err == nil && lo >= 0xdc00 && lo < 0xe000 {
							rn = (rn-0xd800)<<10 | (rune(lo) - 0xdc00) + 0x10000
							r += 6
						}
					}
					w += appPutRune(out[w:], rn)
					continue
				}
			}
			c = 'u'
		default:
			c = out[r] // \" \\ \/ and anything else: the character itself
		}
		out[w] = c
		w++
	}
	return out[:w]
}

// appPutRune writes r as UTF-8 into b (which has room: the escape it replaces is longer).
func appPutRune(b []byte, r rune) int {
	switch {
	case r < 0x80:
		b[0] = byte(r)
		return 1
	case r < 0x800:
		b[0], b[1] = 0xc0|byte(r>>6), 0x80|byte(r)&0x3f
		return 2
	case r >= 0xd800 && r < 0xe000: // lone surrogate
		b[0], b[1], b[2] = 0xef, 0xbf, 0xbd
		return 3
	case r < 0x10000:
		b[0], b[1], b[2] = 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f
		return 3
	}
	b[0], b[1], b[2], b[3] = 0xf0|byte(r>>18), 0x80|byte(r>>12)&0x3f, 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f
	return 4
}

// parseJSON reads the object in one pass: it checks the line is valid JSON (gjson.Valid's rules)
// while it walks the object's keys, descending into nested objects only along alias prefixes,
// and keeps the best candidate for every field. It visits the members gjson's Result.ForEach
// visited, with the same keys and values (app_scan_test.go: FuzzAppScanSame checks it against that
// walk); the candidates of a line found invalid are dropped with it.
func (p *AppParser) parseJSON(line []byte) error {
	s := bstr(line)
	p.path = p.path[:0]
	p.depth = 0
	// line is trimmed and starts with '{'.
	i, ok := p.jsonObject(s, 1, true)
	for ok && i < len(s) {
		ok = jsonWS(s[i])
		i++
	}
	if !ok {
		if line[len(line)-1] != '}' {
			return errAppIncomplete
		}
		return errAppInvalid
	}
	return nil
}

func jsonWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func jsonSkipWS(s string, i int) int {
	// White space is below '!': one comparison passes the byte after it in compact JSON.
	for i < len(s) && s[i] <= ' ' && jsonWS(s[i]) {
		i++
	}
	return i
}

// jsonObject checks the members of the object whose '{' is just before s[i] and returns the
// index after its '}'; with walk it visits them (p.path holds the object's key path).
func (p *AppParser) jsonObject(s string, i int, walk bool) (int, bool) {
	i = jsonSkipWS(s, i)
	if i < len(s) && s[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return i, false
		}
		ks := i
		end, esc, ok := jsonString(s, i+1)
		if !ok {
			return end, false
		}
		i = jsonSkipWS(s, end)
		if i >= len(s) || s[i] != ':' {
			return i, false
		}
		i = jsonSkipWS(s, i+1)
		if walk {
			key := s[ks+1 : end-1]
			if esc {
				key = gjson.Parse(s[ks:end]).Str
			}
			i, ok = p.jsonMember(s, i, key)
		} else {
			i, ok = p.jsonValue(s, i)
		}
		if !ok {
			return i, false
		}
		var done bool
		if i, done, ok = jsonAfter(s, i, '}'); done || !ok {
			return i, ok
		}
	}
}

// jsonAfter reads what follows a member of an object or an element of a list at s[i]: the
// closing byte (done, and i past it) or a comma (i at the next value).
func jsonAfter(s string, i int, close byte) (int, bool, bool) {
	i = jsonSkipWS(s, i)
	switch {
	case i >= len(s):
		return i, false, false
	case s[i] == close:
		return i + 1, true, true
	case s[i] != ',':
		return i, false, false
	}
	return jsonSkipWS(s, i+1), false, true
}

// jsonMember checks the value at s[i] of the member key and offers it (the first value of a
// list) to the field the key path names.
func (p *AppParser) jsonMember(s string, i int, key string) (int, bool) {
	base := len(p.path)
	var e appKey
	var known bool
	if base == 0 {
		e, known = p.topKey(key)
	} else {
		p.path = appAppendLower(append(p.path, '.'), key)
		e, known = p.key(p.path)
	}
	var ok bool
	switch {
	case !known || i >= len(s):
		i, ok = p.jsonValue(s, i)
	case s[i] == '{':
		if e.prefix && p.depth < appMaxDepth {
			if base == 0 {
				p.path = appAppendLower(p.path, key) // the path below which the object's keys are
			}
			p.depth++
			i, ok = p.jsonObject(s, i+1, true)
			p.depth--
		} else {
			i, ok = p.jsonObject(s, i+1, false)
		}
	case s[i] == '[':
		// Headers are sometimes logged as lists: the first value counts.
		i, ok = p.jsonArray(s, i+1, e.field >= 0, e)
	case e.field >= 0:
		i, ok = p.jsonScalar(s, i, e)
	default:
		i, ok = p.jsonValue(s, i)
	}
	p.path = p.path[:base]
	return i, ok
}

// jsonArray checks the array whose '[' is just before s[i]; with first it offers its first
// value to e's field.
func (p *AppParser) jsonArray(s string, i int, first bool, e appKey) (int, bool) {
	i = jsonSkipWS(s, i)
	if i < len(s) && s[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if first {
			i, ok = p.jsonScalar(s, i, e)
			first = false
		} else {
			i, ok = p.jsonValue(s, i)
		}
		if !ok {
			return i, false
		}
		var done bool
		if i, done, ok = jsonAfter(s, i, ']'); done || !ok {
			return i, ok
		}
	}
}

// jsonScalar checks the value at s[i] and offers it to e's field when it is a string or a
// number (gjson's Str, or the number's text).
func (p *AppParser) jsonScalar(s string, i int, e appKey) (int, bool) {
	if i >= len(s) {
		return i, false
	}
	switch c := s[i]; {
	case c == '"':
		end, esc, ok := jsonString(s, i+1)
		if !ok {
			return end, false
		}
		v := s[i+1 : end-1]
		if esc {
			v = gjson.Parse(s[i:end]).Str
		}
		p.offer(e, v, false)
		return end, true
	case c == '-' || '0' <= c && c <= '9':
		end, ok := jsonNumberEnd(s, i)
		if ok {
			p.offer(e, s[i:end], true)
		}
		return end, ok
	}
	return p.jsonValue(s, i)
}

// jsonValue checks the value at s[i] (gjson's validany after white space) and returns the index
// after it.
func (p *AppParser) jsonValue(s string, i int) (int, bool) {
	if i >= len(s) {
		return i, false
	}
	switch s[i] {
	case '{':
		return p.jsonObject(s, i+1, false)
	case '[':
		return p.jsonArray(s, i+1, false, appKey{})
	case '"':
		end, _, ok := jsonString(s, i+1)
		return end, ok
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return jsonNumberEnd(s, i)
	case 't':
		return i + 4, strings.HasPrefix(s[i:], "true")
	case 'f':
		return i + 5, strings.HasPrefix(s[i:], "false")
	case 'n':
		return i + 4, strings.HasPrefix(s[i:], "null")
	}
	return i, false
}

// jsonString checks the string whose content starts at s[i] (gjson's validstring: no control
// byte, only JSON's escapes) and returns the index after its closing quote and whether it holds
// an escape. Eight bytes at a time to the next quote, backslash or control byte.
func jsonString(s string, i int) (end int, esc, ok bool) {
	for {
		for ; i+8 <= len(s); i += 8 {
			x := le64(s[i : i+8])
			// (x - 0x20 in each byte) &^ x: the high bit of the lowest byte below 0x20.
			if m := zeroBytes(x^(jLo8*'"')) | zeroBytes(x^(jLo8*'\\')) | (x-jLo8*0x20)&^x&jHi8; m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
		}
		for i < len(s) && s[i] != '"' && s[i] != '\\' && s[i] >= ' ' {
			i++
		}
		if i >= len(s) || s[i] < ' ' {
			return i, esc, false
		}
		if s[i] == '"' {
			return i + 1, esc, true
		}
		esc = true
		i++
		if i >= len(s) {
			return i, esc, false
		}
		switch s[i] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i++
		case 'u':
			for k := 0; k < 4; k++ {
				i++
				if i >= len(s) || !hexDigit[s[i]] {
					return i, esc, false
				}
			}
			i++
		default:
			return i, esc, false
		}
	}
}

// jsonNumberEnd checks the number starting at s[i] (gjson's validnumber) and returns the index
// after it.
func jsonNumberEnd(s string, i int) (int, bool) {
	if s[i] == '-' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return i, false
		}
	}
	if s[i] == '0' {
		i++
	} else {
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return i, false
		}
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return i, false
		}
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	}
	return i, true
}

func appAppendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// offer keeps val for e's field when it is better than what the line gave so far. Values that
// mean nothing ("", "-") are not offered, and a status must read as one, so that a business
// "status":"active" does not hide a later status_code. num says val is a JSON number's text.
func (p *AppParser) offer(e appKey, val string, num bool) {
	if e.field < 0 || val == "" || val == "-" {
		return
	}
	c := &p.cand[e.field]
	if c.set && c.prio <= e.prio {
		return
	}
	if e.field == appStatus {
		if _, ok := appStatusValue(val); !ok {
			return
		}
	}
	*c = appCand{set: true, num: num, prio: e.prio, unit: e.unit, val: val}
}

// appFloat is the value of a JSON number's text, as gjson gave it (strconv.ParseFloat), read
// only for the fields that use it.
func appFloat(s string) float64 {
	if f, ok := jsonExactFloat(s); ok {
		return f
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func appStatusValue(s string) (int, bool) {
	// The conversion does not escape, so it does not allocate. Only "405.0" gets a float parse:
	// a failed ParseFloat allocates its error.
	n, ok := parseInt([]byte(s))
	if !ok && strings.HasSuffix(s, ".0") {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) {
			n, ok = int(f), true
		}
	}
	return n, ok && n >= 100 && n <= 999
}

// parseLogfmt reads key=value pairs; values may be quoted with \" escapes. Keys are flat but
// may hold dots, which the alias table matches like literal dotted JSON keys.
func (p *AppParser) parseLogfmt(line []byte) error {
	pairs := 0
	i := 0
	for i < len(line) {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		ks := i
		for i < len(line) && line[i] != '=' && line[i] != ' ' && line[i] != '\t' {
			i++
		}
		key := line[ks:i]
		if i >= len(line) || line[i] != '=' || len(key) == 0 {
			// A bare word (a flag, or prose): skip it.
			for i < len(line) && line[i] != ' ' && line[i] != '\t' {
				i++
			}
			continue
		}
		i++ // '='
		var val []byte
		if i < len(line) && line[i] == '"' {
			end := jsonStringEnd(line[i:])
			if end < 0 {
				val = p.unescape(line[i+1:])
				i = len(line)
			} else {
				val = p.unescape(line[i+1 : i+end])
				i += end + 1
			}
		} else {
			vs := i
			for i < len(line) && line[i] != ' ' && line[i] != '\t' {
				i++
			}
			val = line[vs:i]
		}
		pairs++
		p.path = appAppendLower(p.path[:0], bstr(key))
		if e, ok := p.key(p.path); ok {
			p.offer(e, bstr(val), false)
		}
	}
	if pairs == 0 {
		return errAppNotLogfmt
	}
	return nil
}

// fill turns the candidates into the record.
func (p *AppParser) fill(rec *Record) error {
	c := &p.cand
	if !c[appMethod].set && !c[appPath].set && !c[appRoute].set && !c[appStatus].set {
		return errAppNoHTTP
	}
	rec.Local = LocalYes // the app is the innermost hop: its status is its own
	if v := c[appMethod]; v.set {
		rec.Method = appUpper(&p.a, v.val)
	}
	if v := c[appStatus]; v.set {
		rec.Status, _ = appStatusValue(v.val)
	}
	if v := c[appHost]; v.set {
		rec.Host = bstr(stripDefaultPort(sbytes(v.val)))
	}
	route := c[appRoute]
	switch {
	case c[appPath].set:
		setURI(rec, sbytes(c[appPath].val))
		if q := c[appQuery]; q.set && q.val != "" && !strings.Contains(rec.URI, "?") {
			p.uri = append(append(append(p.uri[:0], rec.URI...), '?'), q.val...)
			rec.URI = p.a.add(p.uri)
		}
	case route.set:
		setURI(rec, sbytes(route.val))
		route.set = false // already the path: no need to repeat it in Detail
	}
	if v := c[appTime]; v.set {
		t, ok := p.tc.parse(sbytes(v.val)) // parseAnyTime tries ISO 8601 first, too
		if !ok {
			t, ok = parseAnyTime(sbytes(v.val))
		}
		if ok {
			rec.Time = t
		} else if v.num {
			if f := appFloat(v.val); f > 0 && f < 1e11 {
				sec, frac := math.Modf(f) // exponent forms (1.7e9) that parseEpoch does not read
				rec.Time = time.Unix(int64(sec), int64(frac*1e9)).UTC()
			}
		}
	}
	if v := c[appDuration]; v.set {
		rec.Duration = appDurationValue(v)
	}
	if v := c[appUserAgent]; v.set {
		rec.UserAgent = v.val
	}
	if v := c[appClientIP]; v.set {
		setClient(rec, sbytes(v.val))
	}
	if v := c[appAllow]; v.set {
		rec.Allow = v.val
	}
	if v := c[appOrigin]; v.set {
		rec.Origin = v.val
	}
	if v := c[appACRMethod]; v.set {
		rec.ACRMethod = appUpper(&p.a, v.val)
	}
	if v := c[appService]; v.set {
		rec.Service = v.val
	}
	if v := c[appBytesSent]; v.set {
		if n, ok := parseInt(sbytes(v.val)); ok {
			rec.BytesSent = int64(n)
		}
	}
	ids := &rec.IDs
	if v := c[appRequestID]; v.set {
		ids.setRequestID(sbytes(v.val), &p.a)
	}
	if v := c[appAmzn]; v.set {
		ids.setAmzn(sbytes(v.val), &p.a)
	}
	if v := c[appB3]; v.set {
		ids.setB3(sbytes(v.val), &p.a)
	}
	if v := c[appTraceID]; v.set {
		t := sbytes(v.val)
		// bytes.LastIndexByte is a byte loop: look for a '/' eight bytes at a time first.
		if indexByteFrom(t, 0, '/') < len(t) {
			t = t[bytes.LastIndexByte(t, '/')+1:] // Google Cloud: "projects/<p>/traces/<id>"
		}
		ids.setTraceID(t, &p.a)
	}
	if v := c[appTraceparent]; v.set && ids.TraceID == "" {
		ids.setTraceparent(sbytes(v.val), &p.a)
	}

	d := p.detail[:0]
	for _, f := range [...]struct {
		name string
		c    appCand
	}{{"route", route}, {"version", c[appVersion]}, {"env", c[appEnv]}} {
		if !f.c.set {
			continue
		}
		if len(d) > 0 {
			d = append(d, ' ')
		}
		d = append(d, f.name...)
		d = append(d, '=')
		d = append(d, f.c.val...)
	}
	p.detail = d
	if len(d) > 0 {
		rec.Detail = p.a.add(d)
	}
	if rec.Method == "" && rec.URI == "" && rec.Status == 0 {
		return errAppNoHTTP // the keys were there, but their values said nothing
	}
	return nil
}

// appDurationValue reads a duration: a Go duration string ("1.2ms", "35µs") as such, a bare
// number in the key's unit.
func appDurationValue(v appCand) time.Duration {
	var f float64
	if v.num {
		f = appFloat(v.val)
	} else {
		// A unit-less string goes to ParseFloat directly: a failed ParseDuration allocates.
		if last := v.val[len(v.val)-1]; last < '0' || last > '9' {
			if d, err := time.ParseDuration(v.val); err == nil {
				return d
			}
			return -1
		}
		var err error
		if f, err = strconv.ParseFloat(v.val, 64); err != nil {
			return -1
		}
	}
	d := f * float64(v.unit)
	if d < 0 || d > math.MaxInt64/2 || d != d {
		return -1
	}
	return time.Duration(d)
}

// appUpper returns s upper-cased (some loggers write "get"), aliasing s when it already is.
func appUpper(a *arena, s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			out := a.alloc(sbytes(s))
			for j := i; j < len(out); j++ {
				if 'a' <= out[j] && out[j] <= 'z' {
					out[j] -= 'a' - 'A'
				}
			}
			return bstr(out)
		}
	}
	return s
}
