package parsers

import (
	"bytes"
	"errors"
	"fmt"
)

// AWS Application Load Balancer access logs (reference: docs/formats.md §3). A line is a list of
// space-separated fields, some of them quoted; the field order is fixed, AWS appends new fields
// at the end over time, and older load balancers wrote fewer.

// ALB field indexes, in log order (docs/formats.md §3.2).
const (
	albType = iota
	albTime
	albELB
	albClient
	albTarget
	albRequestProcessing
	albTargetProcessing
	albResponseProcessing
	albELBStatus
	albTargetStatus
	albReceivedBytes
	albSentBytes
	albRequest
	albUserAgent
	albSSLCipher
	albSSLProtocol
	albTargetGroupARN
	albTraceID
	albDomainName
	albChosenCertARN
	albMatchedRulePriority
	albRequestCreationTime
	albActionsExecuted
	albRedirectURL
	albErrorReason
	albTargetList
	albTargetStatusList
	albClassification
	albClassificationReason
	albConnTraceID
	albTransformedHost
	albTransformedURI
	albRequestTransformStatus
	albNumFields // fields this parser knows; later ones are ignored
)

// albMinFields is the field count of the oldest lines accepted: up to error_reason (#24), as the
// ALB wrote them before the target lists were added (elastic/beats test data has such lines).
const albMinFields = albErrorReason + 1

// albFieldNames names the fields in rejection reasons.
var albFieldNames = [albNumFields]string{
	"type", "time", "elb", "client:port", "target:port", "request_processing_time",
	"target_processing_time", "response_processing_time", "elb_status_code", "target_status_code",
	"received_bytes", "sent_bytes", "request", "user_agent", "ssl_cipher", "ssl_protocol",
	"target_group_arn", "trace_id", "domain_name", "chosen_cert_arn", "matched_rule_priority",
	"request_creation_time", "actions_executed", "redirect_url", "error_reason", "target:port_list",
	"target_status_code_list", "classification", "classification_reason", "conn_trace_id",
	"transformed_host", "transformed_uri", "request_transform_status",
}

// Rejection reasons for ALB lines; the reader adds file:line.
var (
	errALBClassic = errors.New("a Classic ELB or ALB connection log line (starts with a timestamp): " +
		"not supported, only Application Load Balancer access logs are")
	errALBNLB = errors.New("a Network Load Balancer (NLB) line (starts with \"tls\"): not supported, " +
		"only Application Load Balancer access logs are")
	errALBStatus = errors.New("elb_status_code is not a number")
	errALBTime   = errors.New("time is not an ISO 8601 time")
)

// ALBParser parses AWS Application Load Balancer access log lines. It keeps per-line scratch
// space, so one parser serves one goroutine.
type ALBParser struct {
	f      [albNumFields][]byte // field values without their quotes, aliasing the line
	esc    [albNumFields]bool   // the quoted field holds a backslash escape
	n      int                  // fields read (at most albNumFields)
	a      arena
	detail []byte
	tc     isoTimeCache
}

// NewALB returns a parser for ALB access log lines.
func NewALB() *ALBParser { return &ALBParser{} }

// Parse implements Parser.
func (p *ALBParser) Parse(line []byte, rec *Record) error {
	p.a.reset()
	// bytes.TrimRight and TrimLeft with a cutset build a byte set on every call.
	n := len(line)
	for n > 0 && (line[n-1] == ' ' || line[n-1] == '\t' || line[n-1] == '\r' || line[n-1] == '\n') {
		n--
	}
	line = line[:n]
	blank := true
	for _, c := range line {
		if c != ' ' && c != '\t' {
			blank = false
			break
		}
	}
	if blank {
		return ErrBlank
	}
	if err := p.split(line); err != nil {
		return err
	}
	typ := p.f[albType]
	if err := albCheckType(typ); err != nil {
		return err
	}
	if p.n < albMinFields {
		return fmt.Errorf("truncated ALB line: %d fields, at least %d expected (the line ends after %s)",
			p.n, albMinFields, albFieldNames[p.n-1])
	}

	t, ok := p.tc.parse(p.f[albTime])
	if !ok || t.IsZero() {
		return errALBTime
	}
	rec.Time = t
	if st, ok := p.tc.parse(p.f[albRequestCreationTime]); ok {
		rec.Start = st
	}
	if b := p.f[albELBStatus]; !dash(b) {
		s, ok := parseInt(b)
		if !ok {
			return errALBStatus
		}
		rec.Status = s
	}

	albSetClient(rec, p.f[albClient])

	target := p.f[albTarget]
	if dash(target) && p.n > albTargetList {
		target = p.f[albTargetList] // same meaning; some writers fill only the list
	}
	if !dash(target) {
		rec.UpstreamAddr = bstr(target)
	}
	tstatus := p.f[albTargetStatus]
	if dash(tstatus) && p.n > albTargetStatusList {
		tstatus = p.f[albTargetStatusList]
	}
	lambda := false
	switch {
	case !dash(tstatus):
		// A target answered. With no target address that target is a Lambda function, whose
		// statusCode the ALB logs as the target status (docs/formats.md §3.3).
		s, ok := parseInt(tstatus)
		if !ok {
			s = -1
		}
		rec.AppendUpstream(s)
		rec.Local = LocalNo
		lambda = dash(target)
	case !dash(target):
		// Dispatched to a target that never answered (460, 502, 504): one attempt, no status.
		rec.AppendUpstream(-1)
		rec.Local = LocalYes
	default:
		// Nothing dispatched (fixed-response, redirect, TRACE, WAF, malformed request): the
		// list is known to be empty, which is not the same as "not logged".
		rec.Upstream = rec.upstreamBuf[:0]
		rec.Local = LocalYes
	}

	d1, ok1 := parseSeconds(p.f[albRequestProcessing])
	d2, ok2 := parseSeconds(p.f[albTargetProcessing])
	d3, ok3 := parseSeconds(p.f[albResponseProcessing])
	if ok1 && ok2 && ok3 {
		rec.Duration = d1 + d2 + d3
	}
	if n, ok := parseInt(p.f[albSentBytes]); ok {
		rec.BytesSent = int64(n)
	}

	p.setRequest(rec, typ)
	if ua := p.field(albUserAgent); !dash(ua) {
		rec.UserAgent = bstr(ua)
	}
	rec.Service = albTargetGroup(p.f[albTargetGroupARN])
	rec.IDs.setAmzn(p.f[albTraceID], &p.a)
	if p.n > albTransformedURI {
		if u := p.field(albTransformedURI); !dash(u) {
			if i := bytes.IndexAny(u, "?#"); i >= 0 {
				u = u[:i]
			}
			if !dash(u) && bstr(u) != rec.Path {
				rec.RoutedPath = bstr(u)
			}
		}
	}
	if bytes.HasPrefix(p.f[albErrorReason], []byte("Lambda")) {
		lambda = true // the function failed; the ALB wrote the 502 (docs/formats.md §3.3)
	}
	p.setDetail(rec, typ, lambda)
	return nil
}

// field returns field i, unescaped into the arena when it holds backslash escapes, or nil when
// the line is too short to have it.
func (p *ALBParser) field(i int) []byte {
	if i >= p.n {
		return nil
	}
	if !p.esc[i] {
		return p.f[i]
	}
	out := p.a.alloc(p.f[i])
	w := 0
	for r := 0; r < len(out); r++ {
		c := out[r]
		if c == '\\' && r+1 < len(out) {
			// The ALB writes bytes outside printable ASCII, and the double quote, as \xHH
			// (a UTF-8 character as one \xHH per byte); a backslash before any other byte
			// stands for that byte.
			if out[r+1] == 'x' && r+3 < len(out) {
				if h, ok := nginxHex(out[r+2]); ok {
					if l, ok := nginxHex(out[r+3]); ok {
						out[w] = h<<4 | l
						w++
						r += 3
						continue
					}
				}
			}
			r++
			c = out[r]
		}
		out[w] = c
		w++
	}
	return out[:w]
}

// split tokenizes line into p.f: bare fields end at a space, quoted fields at the closing
// quote, with '\' escaping the next byte inside quotes (as vectordotdev/vrl reads these logs).
// Fields past the known ones are not read: newer ALB versions append fields at the end.
func (p *ALBParser) split(line []byte) error {
	p.n = 0
	i := 0
	for p.n < albNumFields {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i >= len(line) {
			break
		}
		k := p.n
		p.esc[k] = false
		if line[i] == '"' {
			// Eight bytes at a time to the closing quote; a backslash escapes the next byte.
			start := i + 1
			j := start
			for {
				j = indexQuoteOrBackslash(line, j)
				if j < len(line) && line[j] == '\\' {
					p.esc[k] = true
					j += 2
					continue
				}
				break
			}
			if j >= len(line) {
				return fmt.Errorf("truncated ALB line: field #%d (%s) has no closing quote", k, albFieldNames[k])
			}
			p.f[k] = line[start:j]
			i = j + 1
		} else {
			j := indexSpace(line, i)
			p.f[k] = line[i:j]
			i = j
		}
		p.n++
	}
	for k := p.n; k < albNumFields; k++ {
		p.f[k] = nil
	}
	return nil
}

// albCheckType accepts the request types of ALB lines and names the other load balancers'
// formats, which a user may point the ALB parser at by mistake (docs/formats.md §3.2).
func albCheckType(t []byte) error {
	switch string(t) {
	case "http", "https", "h2", "grpcs", "ws", "wss":
		return nil
	case "tls":
		return errALBNLB
	}
	if _, ok := parseISOTime(t); ok {
		return errALBClassic
	}
	if len(t) > 24 {
		t = t[:24]
	}
	return fmt.Errorf("not an ALB access log line: first field %q is not a request type (http, https, h2, grpcs, ws, wss)", t)
}

// albSetClient sets the client address from client:port. The ALB always appends a port and
// writes IPv6 addresses without brackets, so the port is whatever follows the last ':'.
func albSetClient(rec *Record, b []byte) {
	if dash(b) {
		return
	}
	if b[0] != '[' {
		if i := bytes.LastIndexByte(b, ':'); i > 0 {
			b = b[:i]
		}
	}
	setClient(rec, b)
}

// setRequest reads "METHOD scheme://host:port/uri PROTO". Malformed requests are logged as
// "- - -" or "- http://host:80- -": they keep the host, if any, and nothing else.
func (p *ALBParser) setRequest(rec *Record, typ []byte) {
	// Some clients send a space after the protocol, and the ALB keeps it ("GET … HTTP/1.0 ").
	req := bytes.TrimRight(p.field(albRequest), " ")
	if bytes.HasPrefix(req, []byte("- ")) {
		u := bytes.TrimSpace(req[2:])
		if i := bytes.LastIndexByte(u, ' '); i >= 0 {
			u = u[:i]
		}
		if i := bytes.Index(u, []byte("://")); i > 0 {
			h := bytes.TrimRight(u[i+3:], "-")
			if j := bytes.IndexAny(h, "/?"); j >= 0 {
				h = h[:j]
			}
			rec.Host = bstr(stripDefaultPort(h))
		}
	} else {
		setRequestLine(rec, req)
	}
	if rec.Host == "" {
		if d := p.field(albDomainName); !dash(d) {
			rec.Host = bstr(d) // TLS SNI: the best host name left
		}
	}
	if rec.Proto == "" {
		switch string(typ) {
		case "h2", "grpcs":
			rec.Proto = "HTTP/2.0"
		case "ws", "wss":
			rec.Proto = "HTTP/1.1"
		default:
			rec.Proto = "HTTP/1.x"
		}
	}
}

// albTargetGroup returns the target group's name from its ARN
// ("arn:…:targetgroup/NAME/id" → "NAME"), or the whole value when it has another shape.
func albTargetGroup(arn []byte) string {
	if dash(arn) {
		return ""
	}
	if i := bytes.Index(arn, []byte("targetgroup/")); i >= 0 {
		name := arn[i+len("targetgroup/"):]
		if j := bytes.IndexByte(name, '/'); j > 0 {
			return bstr(name[:j])
		}
	}
	return bstr(arn)
}

// setDetail writes the evidence a reader needs to tell who answered: the request type, the
// actions run (fixed-response, redirect, waf), the matched rule, error_reason, the desync
// classification and any transform. Only fields that carry a value appear.
func (p *ALBParser) setDetail(rec *Record, typ []byte, lambda bool) {
	d := p.detail[:0]
	d = append(d, "type="...)
	d = append(d, typ...)
	if lambda {
		d = append(d, " lambda"...)
	}
	add := func(d []byte, name string, i int) []byte {
		v := p.field(i)
		if dash(v) {
			return d
		}
		d = append(d, ' ')
		d = append(d, name...)
		d = append(d, '=')
		return append(d, v...)
	}
	d = add(d, "actions", albActionsExecuted)
	d = add(d, "rule", albMatchedRulePriority)
	d = add(d, "redirect", albRedirectURL)
	d = add(d, "error_reason", albErrorReason)
	d = add(d, "classification", albClassification)
	d = add(d, "classification_reason", albClassificationReason)
	d = add(d, "transformed_host", albTransformedHost)
	d = add(d, "transform_status", albRequestTransformStatus)
	p.detail = d
	rec.Detail = p.a.add(d)
}
