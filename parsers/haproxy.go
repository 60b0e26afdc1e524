package parsers

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// HAProxy HTTP logs in the "option httplog" format (docs: haproxy/haproxy, doc/configuration.txt,
// "HTTP log format"):
//
//	[syslog prefix] client:port [accept_date] frontend backend/server TR/Tw/Tc/Tr/Ta status bytes
//	    req_cookie res_cookie termination_state actconn/feconn/beconn/srv_conn/retries
//	    srv_queue/backend_queue [{captured request headers}] [{captured response headers}] "request"
//
// The syslog prefix is whatever the log daemon or "log … format" wrote (RFC 3164, RFC 5424,
// rsyslog's ISO time, or none with "format raw"); the line proper starts at the client address
// before the bracketed accept date.
//
// Who answered: the server field is "<NOSRV>" when no server was chosen (an http-request
// deny/return rule, a redirect, the stats page, or no server available); Tr is -1 when the
// server never sent response headers. The first two termination-state characters say why
// (PR: the proxy blocked the request, e.g. "http-request deny deny_status 405").

// HAProxyParser parses HAProxy httplog lines. One parser serves one goroutine.
type HAProxyParser struct {
	// ReqCaptures names the captured request headers in "capture request header" order, so that
	// the {…} block maps to ids and hosts (from haproxy.cfg); empty means unknown.
	ReqCaptures []string
	// Conf is haproxy.cfg (--haproxy-conf): captures per frontend, and the rules that answer.
	Conf *HAProxyConf
	a    arena
	det  []byte
}

// NewHAProxy returns a parser for HAProxy's httplog format.
func NewHAProxy() *HAProxyParser { return &HAProxyParser{} }

var errHAProxyNoDate = errors.New("no \"client:port [accept date]\" of an HAProxy httplog line")

// Parse implements Parser.
func (p *HAProxyParser) Parse(line []byte, rec *Record) error {
	line = bytes.TrimRight(line, " \t\r\n")
	if len(bytes.TrimSpace(line)) == 0 {
		return ErrBlank
	}
	p.a.reset()
	p.det = p.det[:0]
	start := haproxyStart(line)
	if start < 0 {
		if haproxyEvent(line) {
			return ErrNotAccess
		}
		return errHAProxyNoDate
	}
	rec.Format = FormatHAProxy
	if start > 0 {
		// The log daemon's time, when it wrote one with a zone, is the time the line was sent.
		if t, ok := haproxyPrefixTime(line[:start]); ok {
			rec.Time = t
		}
	}
	c := haproxyCursor{b: line, i: start}
	client := c.word()
	if len(client) > 0 && client[0] != '-' { // "-:port" when the address is hidden
		setClient(rec, client)
		rec.Peer = rec.ClientIP
	}
	c.skipSpace()
	if c.i >= len(line) || line[c.i] != '[' {
		return errHAProxyNoDate
	}
	c.i++
	end := bytes.IndexByte(line[c.i:], ']')
	if end < 0 {
		return c.fail("accept date has no closing ']'")
	}
	accept, ok := haproxyAcceptTime(line[c.i : c.i+end])
	if !ok {
		return c.fail("accept date is not dd/Mon/yyyy:hh:mm:ss.mmm")
	}
	rec.Start = accept
	c.i += end + 1
	frontend := c.word()
	if len(frontend) == 0 {
		return c.fail("no frontend name")
	}
	fe := bytes.TrimSuffix(frontend, []byte("~")) // '~': the frontend terminated TLS
	names := p.ReqCaptures
	if len(names) == 0 {
		names = p.Conf.captures(fe)
	}
	bs := c.word()
	slash := bytes.IndexByte(bs, '/')
	if slash < 0 {
		return c.fail("backend/server has no '/'")
	}
	backend, server := bs[:slash], bs[slash+1:]
	var t [5]int
	timers := c.word()
	if !haproxyTimers(timers, &t) {
		// A field some log-formats add before the timers (the Host header, %[req.hdr(host)]).
		extra := timers
		if timers = c.word(); !haproxyTimers(timers, &t) {
			return c.fail("timers are not TR/Tw/Tc/Tr/Ta")
		}
		if bytes.IndexByte(extra, '.') > 0 && bytes.IndexByte(extra, '/') < 0 {
			rec.Host = bstr(stripDefaultPort(extra))
		}
	}
	status, ok := haproxySigned(c.word())
	if !ok || status > 999 {
		return c.fail("status is not a number")
	}
	if status > 0 {
		rec.Status = status
	}
	if n, ok := haproxySigned(c.word()); ok && n >= 0 {
		rec.BytesSent = int64(n)
	} else {
		return c.fail("bytes_read is not a number")
	}
	c.word() // captured request cookie
	c.word() // captured response cookie
	term := c.word()
	if len(term) != 4 {
		return c.fail("termination state is not 4 characters")
	}
	conns := c.word()
	retries := 0
	if i := bytes.LastIndexByte(conns, '/'); i >= 0 {
		r := conns[i+1:]
		if len(r) > 0 && r[0] == '+' {
			r = r[1:] // "+N": redispatched to another server
		}
		retries, _ = parseInt(r)
	}
	c.word() // srv_queue/backend_queue
	c.skipSpace()
	for c.i < len(line) && line[c.i] == '{' {
		e := bytes.IndexByte(line[c.i:], '}')
		if e < 0 {
			return c.fail("captured headers have no closing '}'")
		}
		haproxyCaptures(rec, line[c.i+1:c.i+e], names, &p.a)
		names = nil // the second block holds response headers
		c.i += e + 1
		c.skipSpace()
	}
	if c.i < len(line) && line[c.i] == '"' {
		req := line[c.i+1:]
		req = bytes.TrimSuffix(req, []byte(`"`)) // a long request is cut, without its closing quote
		if bytes.Equal(req, []byte("<BADREQ>")) {
			p.note("bad request")
		} else {
			setRequestLine(rec, req)
		}
	}

	if t[4] >= 0 {
		rec.Duration = time.Duration(t[4]) * time.Millisecond
		if rec.Time.IsZero() {
			rec.Time = rec.Start.Add(rec.Duration)
		}
	} else if rec.Time.IsZero() {
		rec.Time = rec.Start
	}
	rec.Service = bstr(backend)

	p.note("frontend ")
	p.det = append(p.det, frontend...)
	p.det = append(p.det, " termination "...)
	p.det = append(p.det, term...)
	switch {
	case bytes.Equal(server, []byte("<NOSRV>")):
		rec.Local = LocalYes
		rec.Upstream = rec.upstreamBuf[:0]
		p.note(haproxyNoServerWhy(term))
		if r, byMethod := p.Conf.rule(fe, backend, rec.Status, rec.Method, rec.Path, rec.URI, term[0]); r != nil {
			if byMethod {
				p.det = append(p.det, "; method rule "...) // analysis.haproxyMethodRule reads it
			} else {
				p.det = append(p.det, "; rule "...)
			}
			p.det = append(p.det, r.File...)
			p.det = append(p.det, ':')
			p.det = strconv.AppendInt(p.det, int64(r.Line), 10)
			p.det = append(p.det, ' ')
			p.det = append(p.det, r.Text...)
		}
	case t[3] < 0:
		// A server was chosen but sent no response headers: HAProxy wrote the status.
		rec.Local = LocalYes
		rec.UpstreamAddr = bstr(server)
		for i := 0; i <= retries; i++ {
			rec.AppendUpstream(-1)
		}
		p.note("server ")
		p.det = append(p.det, server...)
		p.det = append(p.det, " sent no response (Tr -1)"...)
	default:
		rec.Local = LocalNo
		rec.UpstreamAddr = bstr(server)
		for i := 0; i < retries; i++ {
			rec.AppendUpstream(-1)
		}
		rec.AppendUpstream(rec.Status)
		if term[0] != '-' && term[0] != 'C' {
			// The server answered, then HAProxy cut or replaced the response (a late rule).
			p.note("the response was cut or replaced by HAProxy")
		}
	}
	rec.Detail = p.a.add(p.det)
	settleClient(rec, nil)
	return nil
}

// haproxyNoServerWhy reads a <NOSRV> line's termination state.
func haproxyNoServerWhy(term []byte) string {
	switch {
	case term[0] == 'P' && term[1] == 'R':
		return "no server: blocked by an HAProxy rule (http-request deny/return/tarpit)"
	case term[0] == 'L' || term[0] == '-':
		return "no server: HAProxy answered itself (redirect, return, stats or error file)"
	case term[0] == 'S' && term[1] == 'C':
		return "no server available"
	case term[0] == 'C' || term[0] == 'c':
		return "no server: the client closed or timed out first"
	case term[0] == 'R':
		return "no server: HAProxy ran out of a resource"
	}
	return "no server: HAProxy answered itself"
}

// captures applies a {…} block of captured headers, separated by '|'. With ReqCaptures the
// names are known; without, a value shaped like a request id or a traceparent is taken as one.
func haproxyCaptures(rec *Record, block []byte, names []string, a *arena) {
	for i := 0; len(block) > 0 || i == 0; i++ {
		v := block
		if j := bytes.IndexByte(block, '|'); j >= 0 {
			v, block = block[:j], block[j+1:]
		} else {
			block = nil
		}
		name := ""
		if i < len(names) {
			name = names[i]
		}
		switch {
		case len(v) == 0:
		case equalFoldASCII(name, "Host"):
			if rec.Host == "" {
				rec.Host = bstr(stripDefaultPort(v))
			}
		case equalFoldASCII(name, "X-Request-ID") || name == "" && (isUUID(v) || len(v) == 32 && isHex(v)):
			rec.IDs.setRequestID(v, a)
		case equalFoldASCII(name, "traceparent") || name == "" && len(v) == 55 && v[2] == '-':
			rec.IDs.setTraceparent(v, a)
		case equalFoldASCII(name, "X-Forwarded-For"):
			rec.ForwardedFor = bstr(v)
		case equalFoldASCII(name, "User-Agent"):
			rec.UserAgent = bstr(v)
		case equalFoldASCII(name, "Origin"):
			rec.Origin = bstr(v)
		}
		if block == nil {
			break
		}
	}
}

func (p *HAProxyParser) note(s string) {
	if len(p.det) > 0 {
		p.det = append(p.det, "; "...)
	}
	p.det = append(p.det, s...)
}

// haproxyStart finds where the httplog line proper starts: the client address before
// " [dd/Mon/yyyy:". It returns -1 when there is none.
// haproxyEvents begin HAProxy's own messages, which share its log with the access lines: a
// health check taking a server down ("Server be_app/app1 is DOWN, reason: Layer7 wrong status,
// code: 405"), a backend left without servers, a proxy stopping; on stderr (which a container's
// log holds too) the same with [WARNING], [ALERT] or [NOTICE] first.
var haproxyEvents = [][]byte{
	[]byte("Server "), []byte("Backup Server "), []byte("backend "), []byte("Proxy "), []byte("Stopping "),
	[]byte("Pausing "), []byte("Resuming "), []byte("Health check for "), []byte("Health agent check for "),
	[]byte("Connect from "), []byte("[WARNING] "), []byte("[ALERT] "), []byte("[NOTICE] "),
}

// haproxyEvent reports whether a line without an access line's "client:port [accept date]" is
// one of HAProxy's own messages: after a syslog tag "haproxy[pid]: " (rsyslog, log stdout format
// rfc3164), or alone (format raw, stderr).
func haproxyEvent(line []byte) bool {
	msg := line
	if i := bytes.Index(line, []byte("haproxy[")); i >= 0 {
		j := bytes.Index(line[i:], []byte("]: "))
		if j < 0 {
			return false
		}
		msg = line[i+j+3:]
	}
	for _, p := range haproxyEvents {
		if bytes.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func haproxyStart(b []byte) int {
	from := 0
	for {
		i := bytes.Index(b[from:], []byte(" ["))
		if i < 0 {
			return -1
		}
		i += from
		d := b[i+2:]
		if len(d) >= 12 && d[2] == '/' && d[6] == '/' && d[11] == ':' {
			if j := bytes.LastIndexByte(b[:i], ' '); j+1 < i {
				return j + 1
			}
		}
		from = i + 2
	}
}

// haproxyPrefixTime reads an ISO 8601 time with a zone from the syslog prefix (rsyslog's
// default on Debian, or RFC 5424 "<134>1 2026-…").
func haproxyPrefixTime(prefix []byte) (time.Time, bool) {
	b := prefix
	if len(b) > 0 && b[0] == '<' {
		if i := bytes.IndexByte(b, '>'); i > 0 {
			b = b[i+1:]
			if len(b) > 2 && b[0] == '1' && b[1] == ' ' {
				b = b[2:]
			}
		}
	}
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		return time.Time{}, false
	}
	return parseISOTime(b[:sp])
}

// haproxyAcceptTime reads "06/Feb/2009:12:14:14.655". HAProxy writes the local time of its host
// without a zone: it is read as UTC (run HAProxy with TZ=UTC, or rely on the syslog time).
func haproxyAcceptTime(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' {
		return time.Time{}, false
	}
	day, ok1 := digits(b[0:], 2)
	mon, ok2 := month3(b[3:])
	year, ok3 := digits(b[7:], 4)
	h, ok4 := digits(b[12:], 2)
	m, ok5 := digits(b[15:], 2)
	s, ok6 := digits(b[18:], 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, false
	}
	ns := 0
	if len(b) > 21 && b[20] == '.' {
		frac := b[21:]
		if n, ok := parseInt(frac); ok {
			ns = n
			for i := len(frac); i < 9; i++ {
				ns *= 10
			}
		}
	}
	return time.Date(year, mon, day, h, m, s, ns, time.UTC), true
}

// haproxySigned parses a decimal that may be negative (-1 timers) or start with '+' (a timer
// or count HAProxy marks as estimated).
func haproxySigned(b []byte) (int, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	n, ok := parseInt(b)
	if neg {
		n = -n
	}
	return n, ok
}

type haproxyCursor struct {
	b []byte
	i int
}

func (c *haproxyCursor) skipSpace() {
	for c.i < len(c.b) && c.b[c.i] == ' ' {
		c.i++
	}
}

// word returns the next space-separated field.
func (c *haproxyCursor) word() []byte {
	c.skipSpace()
	s := c.i
	for c.i < len(c.b) && c.b[c.i] != ' ' {
		c.i++
	}
	return c.b[s:c.i]
}

func (c *haproxyCursor) fail(why string) error {
	return fmt.Errorf("not an HAProxy httplog line: %s at byte %d", why, c.i)
}

// haproxyTimers reads "TR/Tw/Tc/Tr/Ta" (-1 for a step not reached).
func haproxyTimers(b []byte, t *[5]int) bool {
	n := 0
	for len(b) > 0 {
		f := b
		if i := bytes.IndexByte(b, '/'); i >= 0 {
			f, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		v, ok := haproxySigned(f)
		if !ok || n == len(t) {
			return false
		}
		t[n] = v
		n++
	}
	return n == len(t)
}
