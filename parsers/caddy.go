package parsers

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Caddy's JSON access log (docs: caddyserver/website, src/docs/markdown/caddyfile/directives/
// log.md): one object per request from the logger "http.log.access…" with request.{remote_ip,
// client_ip, proto, method, host, uri, headers}, duration in seconds, size, status and
// resp_headers. Header values are lists.
//
// Who answered: reverse_proxy copies the upstream's response headers into resp_headers, so a
// Date header (which Caddy's own responses do not record) or a second Server value shows the
// upstream answered. A handler that failed (the error directive, a proxy that reached no
// upstream) adds err_id and err_trace, the function that returned the error. A response with only
// Caddy's own headers came from Caddy (respond, error, file_server, redir). Seen on Caddy 2.6.2,
// samples/proxies/caddy.

// CaddyParser parses Caddy JSON access log lines. One parser serves one goroutine.
type CaddyParser struct {
	a     arena
	det   []byte
	rec   *Record
	st    caddyState
	walk  func(k, v gjson.Result) bool
	rwalk func(k, v gjson.Result) bool
	hwalk func(k, v gjson.Result) bool
	owalk func(k, v gjson.Result) bool
}

type caddyState struct {
	keys         int
	access       bool
	upstreamHint bool // a response header only an upstream writes
	serverCaddy  bool
	errTrace     string
	ts           float64
	dur          float64
	hasDur       bool
	remote       string
}

// NewCaddy returns a parser for Caddy JSON access log lines.
func NewCaddy() *CaddyParser {
	p := &CaddyParser{}
	p.walk, p.rwalk, p.hwalk, p.owalk = p.visit, p.visitRequest, p.visitHeader, p.visitRespHeader
	return p
}

var errCaddyNotAccess = errors.New("a Caddy log line, not an access record (no request object)")

// Parse implements Parser.
func (p *CaddyParser) Parse(line []byte, rec *Record) error {
	b := bytes.TrimSpace(line)
	if len(b) == 0 {
		return ErrBlank
	}
	if b[0] != '{' || b[len(b)-1] != '}' {
		return errors.New("not a JSON object (expected '{' … '}')")
	}
	// No full validation pass: gjson reads what it can of a damaged object, and a line that
	// yields no access key is rejected below.
	p.a.reset()
	p.det = p.det[:0]
	p.rec, p.st = rec, caddyState{}
	rec.Format = FormatCaddy
	gjson.Parse(bstr(b)).ForEach(p.walk)
	st := &p.st
	if !st.access {
		if st.keys > 0 {
			return ErrNotAccess // Caddy's other log lines ("server running")
		}
		return errCaddyNotAccess
	}
	if st.ts > 0 {
		sec, frac := math.Modf(st.ts)
		rec.Time = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	}
	if st.hasDur {
		rec.Duration = time.Duration(st.dur * float64(time.Second))
		if !rec.Time.IsZero() {
			rec.Start = rec.Time.Add(-rec.Duration)
		}
	}
	if rec.Peer == "" {
		rec.Peer = st.remote
	}
	switch {
	case st.errTrace != "":
		rec.Local = LocalYes
		rec.Upstream = rec.upstreamBuf[:0]
		p.note("handler error at ")
		p.det = append(p.det, st.errTrace...)
		if bytes.Contains(sbytes(st.errTrace), []byte("reverseproxy")) {
			rec.Upstream = rec.upstreamBuf[:0]
			rec.AppendUpstream(-1)
			p.det = append(p.det, " (no upstream response)"...)
		}
	case st.upstreamHint:
		rec.Local = LocalNo
		if rec.Status > 0 {
			rec.AppendUpstream(rec.Status)
		}
		p.note("upstream response headers relayed")
	default:
		rec.Local = LocalYes
		rec.Upstream = rec.upstreamBuf[:0]
		p.note("only Caddy's own response headers: Caddy answered (respond, error, file_server, redir)")
	}
	if len(p.det) > 0 {
		rec.Detail = p.a.add(p.det)
	}
	if rec.ClientIP == "" {
		rec.ClientIP = rec.Peer
	}
	if rec.ForwardedFor != "" {
		settleClient(rec, nil)
	}
	rec.IDs.finishNginxIDs()
	return nil
}

func (p *CaddyParser) note(s string) {
	if len(p.det) > 0 {
		p.det = append(p.det, "; "...)
	}
	p.det = append(p.det, s...)
}

func (p *CaddyParser) visit(k, v gjson.Result) bool {
	rec, st := p.rec, &p.st
	st.keys++
	switch k.Str {
	case "request":
		if v.IsObject() {
			st.access = true
			v.ForEach(p.rwalk)
		}
	case "status":
		rec.Status = int(v.Int())
	case "ts":
		st.ts = v.Float()
	case "duration":
		st.dur, st.hasDur = v.Float(), true
	case "size":
		rec.BytesSent = v.Int()
	case "resp_headers":
		v.ForEach(p.owalk)
	case "err_trace":
		st.errTrace = v.Str
	}
	return true
}

func (p *CaddyParser) visitRequest(k, v gjson.Result) bool {
	rec := p.rec
	switch k.Str {
	case "method":
		rec.Method = v.Str
	case "uri":
		setURI(rec, sbytes(v.Str))
	case "host":
		rec.Host = bstr(stripDefaultPort(sbytes(v.Str)))
	case "proto":
		rec.Proto = v.Str
	case "remote_ip":
		p.st.remote = v.Str
	case "client_ip":
		rec.ClientIP = v.Str // Caddy 2.7+: the client after its trusted_proxies
	case "headers":
		v.ForEach(p.hwalk)
	}
	return true
}

// caddyFirst returns the first value of a header list (Caddy logs headers as lists), read from
// the raw text when it holds no escape.
func caddyFirst(v gjson.Result) string {
	if v.Type == gjson.String {
		return v.Str
	}
	r := v.Raw
	if len(r) < 3 || r[0] != '[' || r[1] != '"' {
		return v.Get("0").Str
	}
	for j := 2; j < len(r); j++ {
		switch r[j] {
		case '\\':
			return v.Get("0").Str
		case '"':
			return r[2:j]
		}
	}
	return ""
}

// caddyMany reports whether a header list has more than one value.
func caddyMany(v gjson.Result) bool {
	r := v.Raw
	if len(r) == 0 || r[0] != '[' {
		return false
	}
	first := caddyFirst(v)
	rest := strings.TrimLeft(r[min(len(r), 3+len(first)):], " ")
	return strings.HasPrefix(rest, ",")
}

func (p *CaddyParser) visitHeader(k, v gjson.Result) bool {
	rec := p.rec
	name := k.Str
	switch len(name) {
	case 2, 6, 10, 11, 12, 15, 29: // the headers read below
	default:
		return true
	}
	val := caddyFirst(v)
	if val == "" {
		return true
	}
	b := sbytes(val)
	switch {
	case equalFoldASCII(name, "User-Agent"):
		rec.UserAgent = val
	case equalFoldASCII(name, "X-Request-Id"):
		rec.IDs.setRequestID(b, &p.a)
	case equalFoldASCII(name, "Traceparent"):
		rec.IDs.setTraceparent(b, &p.a)
	case equalFoldASCII(name, "X-Amzn-Trace-Id"):
		rec.IDs.setAmzn(b, &p.a)
	case equalFoldASCII(name, "X-B3-Traceid"), equalFoldASCII(name, "B3"):
		rec.IDs.setB3(b, &p.a)
	case equalFoldASCII(name, "X-Forwarded-For"):
		rec.ForwardedFor = val
	case equalFoldASCII(name, "Origin"):
		rec.Origin = val
	case equalFoldASCII(name, "Access-Control-Request-Method"):
		rec.ACRMethod = val
	}
	return true
}

func (p *CaddyParser) visitRespHeader(k, v gjson.Result) bool {
	name := k.Str
	switch {
	case equalFoldASCII(name, "Allow"):
		p.rec.Allow = caddyFirst(v)
	case equalFoldASCII(name, "Date"), equalFoldASCII(name, "Via"):
		p.st.upstreamHint = true
	case equalFoldASCII(name, "Server"):
		// Caddy writes "Caddy"; an upstream's own Server value is appended by reverse_proxy.
		if caddyMany(v) || caddyFirst(v) != "Caddy" {
			p.st.upstreamHint = true
		}
	}
	return true
}
