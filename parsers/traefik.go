package parsers

import (
	"bytes"
	"errors"
	"strconv"
	"time"

	"github.com/tidwall/gjson"
)

// Traefik access logs, in its two formats (docs: traefik/traefik, docs/content/observability/
// access-logs.md). The common format is CLF plus the request count, the router, the service URL
// and the duration; it is compiled to the nginx matcher's steps. The JSON format is read by key.
// A request no router matched, or one a middleware answered, has no service URL ("-" in CLF,
// OriginStatus 0 and no ServiceName in JSON): Traefik generated that response itself.

// TraefikCLF is Traefik's "common" access log format, as nginx-style steps.
const TraefikCLF = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent ` +
	`"$http_referer" "$http_user_agent" $traefik_count "$proxy_upstream_name" "$traefik_backend" ${traefik_ms}ms`

// CompileTraefikCLF returns a parser for Traefik's common (CLF) access log lines.
func CompileTraefikCLF() *NginxParser {
	p, err := CompileNginx(TraefikCLF)
	if err != nil {
		panic("BUG: TraefikCLF does not compile: " + err.Error())
	}
	p.format = FormatTraefik
	for i := range p.steps {
		s := &p.steps[i]
		switch s.name {
		case "traefik_count":
			s.class = nginxDigits
		case "traefik_backend":
			s.kind, s.class = nginxBackend, nginxToken
		case "traefik_ms":
			s.kind, s.class = nginxMillis, nginxDigits
		case "remote_addr":
			s.kind = nginxXFF // "127.0.0.1,185.177.72.205": the list behind the last proxy
		}
	}
	return p
}

// finishTraefik settles who answered a CLF line: no service URL means Traefik itself.
func (p *NginxParser) finishTraefik(rec *Record) {
	st := &p.st
	if len(st.xff) > 0 {
		// The client field may list the forwarded chain: the last element is the peer.
		peer := st.xff
		if i := bytes.LastIndexByte(peer, ','); i >= 0 {
			peer = bytes.TrimSpace(peer[i+1:])
			rec.ForwardedFor = bstr(st.xff[:i])
		}
		rec.Peer = bstr(peer)
		settleClient(rec, nil)
	}
	if !st.sawBackend {
		return
	}
	if len(st.backend) > 0 {
		rec.Local = LocalNo
		if rec.Status > 0 {
			rec.AppendUpstream(rec.Status)
		}
		return
	}
	rec.Local = LocalYes
	rec.Upstream = rec.upstreamBuf[:0]
	if rec.Service == "" {
		p.note("no router matched: Traefik answered itself")
	} else {
		p.note("router ")
		p.det = append(p.det, rec.Service...)
		p.det = append(p.det, " sent it to no service: a middleware or Traefik answered"...)
	}
}

// TraefikJSONParser parses Traefik's JSON access log lines. One parser serves one goroutine.
type TraefikJSONParser struct {
	a   arena
	det []byte
	rec *Record
	st  traefikState
}

type traefikState struct {
	origin, downstream int
	sawOrigin          bool
	service, router    string
	serviceURL         string
	durNS              int64
	hasDur             bool
	start, at          string
	entry              string
	retries            int
	keys               int
}

// NewTraefikJSON returns a parser for Traefik's JSON access log lines.
func NewTraefikJSON() *TraefikJSONParser {
	return &TraefikJSONParser{}
}

var errTraefikNoKeys = errors.New("JSON line has none of Traefik's access log keys (RequestMethod, DownstreamStatus, …)")

// Parse implements Parser.
func (p *TraefikJSONParser) Parse(line []byte, rec *Record) error {
	b, err := jsonLine(line)
	if err != nil {
		return err
	}
	p.a.reset()
	p.det = p.det[:0]
	p.rec, p.st = rec, traefikState{}
	rec.Format = FormatTraefik
	for it := newJSONFlat(bstr(b)); ; {
		k, v, ok := it.next()
		if !ok {
			break
		}
		p.visit(k, v)
	}
	if p.st.keys == 0 {
		return errTraefikNoKeys
	}
	st := &p.st
	if st.start != "" {
		if t, ok := parseISOTime(sbytes(st.start)); ok {
			rec.Start = t
		}
	}
	if st.hasDur {
		rec.Duration = time.Duration(st.durNS)
		if !rec.Start.IsZero() {
			rec.Time = rec.Start.Add(rec.Duration)
		}
	}
	if rec.Time.IsZero() && st.at != "" {
		rec.Time, _ = parseISOTime(sbytes(st.at))
	}
	rec.Status = st.downstream
	rec.Service = st.service
	if rec.Service == "" {
		rec.Service = st.router
	}
	if st.serviceURL != "" {
		rec.UpstreamAddr = st.serviceURL
	}
	switch {
	case st.sawOrigin && st.origin > 0:
		rec.Local = LocalNo
		for i := 0; i < st.retries; i++ {
			rec.AppendUpstream(-1)
		}
		rec.AppendUpstream(st.origin)
		if st.origin != st.downstream {
			rec.Local = LocalYes
			p.note("service answered ")
			p.det = strconv.AppendInt(p.det, int64(st.origin), 10)
			p.det = append(p.det, ", Traefik sent "...)
			p.det = strconv.AppendInt(p.det, int64(st.downstream), 10)
		}
	case st.sawOrigin && st.service != "" && st.downstream < 500:
		// The service was reached yet no origin status was kept: a streamed response (gRPC,
		// WebSocket) whose status Traefik did not record. No evidence either way.
		p.note("OriginStatus 0 though the service was reached (a streamed response?)")
	case st.sawOrigin && st.service != "":
		rec.Local = LocalYes
		rec.Upstream = rec.upstreamBuf[:0]
		rec.AppendUpstream(-1)
		p.note("the service sent no response: Traefik wrote the status")
	case st.sawOrigin || st.service == "":
		rec.Local = LocalYes
		rec.Upstream = rec.upstreamBuf[:0]
		if st.service == "" && st.router == "" {
			p.note("no router matched: Traefik answered itself")
		} else {
			p.note("OriginStatus 0: no service answered, Traefik or a middleware did")
		}
	}
	if st.router != "" {
		p.note("router ")
		p.det = append(p.det, st.router...)
	}
	if st.entry != "" {
		p.note("entrypoint ")
		p.det = append(p.det, st.entry...)
	}
	if len(p.det) > 0 {
		rec.Detail = p.a.add(p.det)
	}
	rec.Peer = rec.ClientIP
	settleClient(rec, nil)
	rec.IDs.finishNginxIDs()
	return nil
}

func (p *TraefikJSONParser) note(s string) {
	if len(p.det) > 0 {
		p.det = append(p.det, "; "...)
	}
	p.det = append(p.det, s...)
}

// visit reads one top-level key. Traefik writes kept request headers as "request_<Name>" and
// response headers as "downstream_<Name>" / "origin_<Name>".
func (p *TraefikJSONParser) visit(key string, v jsonValue) {
	rec, st := p.rec, &p.st
	switch key {
	case "RequestMethod":
		rec.Method = v.Str()
	case "RequestPath":
		setURI(rec, sbytes(v.Str()))
	case "RequestHost":
		rec.Host = bstr(stripDefaultPort(sbytes(v.Str())))
	case "RequestProtocol":
		rec.Proto = v.Str()
	case "RequestScheme":
		// "https" when the client's connection to Traefik was TLS, else "http" (Traefik's
		// accesslog middleware sets it from the request's TLS state).
		switch v.Str() {
		case "https":
			rec.Scheme = "https"
		case "http":
			rec.Scheme = "http"
		}
	case "ClientHost":
		rec.ClientIP = v.Str()
	case "DownstreamStatus":
		st.downstream = int(v.Int())
	case "OriginStatus":
		st.origin, st.sawOrigin = int(v.Int()), true
	case "Duration":
		st.durNS, st.hasDur = v.Int(), true
	case "StartUTC":
		st.start = v.Str()
	case "time":
		st.at = v.Str()
	case "ServiceName":
		st.service = v.Str()
	case "RouterName":
		st.router = v.Str()
	case "ServiceURL":
		if v.typ == gjson.String {
			st.serviceURL = v.Str()
		} else if h := v.result().Get("Host"); h.Exists() {
			st.serviceURL = h.Str
		}
	case "ServiceAddr":
		if st.serviceURL == "" {
			st.serviceURL = v.Str()
		}
	case "RetryAttempts":
		st.retries = int(v.Int())
	case "entryPointName":
		st.entry = v.Str()
	default:
		switch {
		case len(key) > 8 && key[:8] == "request_":
			p.header(key[8:], v, true)
		case len(key) > 11 && key[:11] == "downstream_":
			p.header(key[11:], v, false)
		}
		return
	}
	st.keys++
}

// header applies a request or response header Traefik kept in the log.
// The value is read only for a header it keeps.
func (p *TraefikJSONParser) header(name string, jv jsonValue, request bool) {
	rec := p.rec
	if !request {
		if equalFoldASCII(name, "Allow") {
			if v := jv.Str(); !dash(sbytes(v)) {
				rec.Allow = v
			}
		}
		return
	}
	switch len(name) {
	case 2, 6, 10, 11, 12, 15, 29: // the headers read below
	default:
		return
	}
	v := jv.Str()
	b := sbytes(v)
	if dash(b) {
		return
	}
	setRequestHeader(rec, name, b, &p.a)
}

// equalFoldASCII compares ASCII strings ignoring case, without allocating.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
