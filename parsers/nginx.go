package parsers

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// nginx access logs (reference: docs/formats.md §1). A log_format string is compiled once into a list
// of literal and variable steps; Parse walks the steps over the line, choosing for each variable
// the split that lets the rest of the line match, then maps the kept variables to the Record.

// NginxCombined is nginx's predefined "combined" format, used when access_log names no format
// (source: nginx/nginx, src/http/modules/ngx_http_log_module.c).
const NginxCombined = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`

// NginxMain is the "main" format of the stock nginx.conf, enabled in nginx.org packages and the
// official container image: combined plus X-Forwarded-For (source: nginx/nginx, conf/nginx.conf).
const NginxMain = NginxCombined + ` "$http_x_forwarded_for"`

// NginxUpstreamInfo is ingress-nginx's default "upstreaminfo" format (docs: kubernetes/ingress-nginx,
// docs/user-guide/nginx-configuration/log-format.md).
const NginxUpstreamInfo = `$remote_addr - $remote_user [$time_local] "$request_method $uri $server_protocol" ` +
	`$status $body_bytes_sent "$http_referer" "$http_user_agent" ` +
	`$request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr ` +
	`$upstream_response_length $upstream_response_time $upstream_status $req_id`

// NginxUpstreamInfoOld is the upstreaminfo format of older ingress-nginx releases, before the
// alternative upstream name was added: the client address twice through $the_real_ip
// (test data: nielsbasjes/logparser, bugReport60).
const NginxUpstreamInfoOld = `$the_real_ip - [$the_real_ip] - $remote_user [$time_local] "$request" ` +
	`$status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time ` +
	`[$proxy_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id`

// nginxEscape is a log_format's escape= mode.
type nginxEscape uint8

const (
	nginxEscDefault nginxEscape = iota // \xHH, "-" for a variable not found
	nginxEscJSON                       // JSON string escapes, empty when not found
	nginxEscNone                       // raw
	nginxEscApache                     // Apache httpd: \" \\ \n \t and \xHH (parsers/apache.go)
)

// nginxKind names the Record field a variable feeds.
type nginxKind uint8

const (
	nginxSkip nginxKind = iota
	nginxRemoteAddr
	nginxRealIP
	nginxXFF
	nginxTimeLocal
	nginxTimeISO
	nginxMsec
	nginxTimeAny // JSON keys such as "time" whose shape is not known
	nginxRequestTime
	nginxRequest
	nginxMethod
	nginxRequestURI
	nginxURI
	nginxProto
	nginxScheme
	nginxHost
	nginxHTTPHost
	nginxServerName
	nginxStatus
	nginxBodyBytes
	nginxUpstreamStatus
	nginxUpstreamAddr
	nginxService
	nginxAllow
	nginxOrigin
	nginxACRMethod
	nginxUserAgent
	nginxRequestID
	nginxXRequestID
	nginxTraceparent
	nginxOtelTrace
	nginxAmzn
	nginxB3
	// Kinds of the other proxies' formats, compiled to the same steps (apache.go, traefik.go).
	nginxMicros  // a duration in microseconds (Apache %D)
	nginxMillis  // a duration in milliseconds (Apache %{ms}T, Traefik's "12ms")
	nginxHandler // the handler that answered (Apache %R)
	nginxBackend // the backend URL or worker a request went to ("-" when none)
	nginxHATime  // HAProxy's accept date, dd/Mon/yyyy:hh:mm:ss.mmm (haproxylog.go)
	nginxHATerm  // HAProxy's termination state
	nginxHACapt  // HAProxy's captured headers, {a|b}

	nginxNumKinds // the number of kinds; keep it last
)

// nginxVarKinds maps variable names to the field they feed; names not listed are skipped.
var nginxVarKinds = map[string]nginxKind{
	"remote_addr":                        nginxRemoteAddr,
	"the_real_ip":                        nginxRemoteAddr,
	"realip_remote_addr":                 nginxRealIP,
	"http_x_forwarded_for":               nginxXFF,
	"proxy_add_x_forwarded_for":          nginxXFF,
	"time_local":                         nginxTimeLocal,
	"time_iso8601":                       nginxTimeISO,
	"msec":                               nginxMsec,
	"request_time":                       nginxRequestTime,
	"request":                            nginxRequest,
	"request_method":                     nginxMethod,
	"request_uri":                        nginxRequestURI,
	"uri":                                nginxURI,
	"document_uri":                       nginxURI,
	"server_protocol":                    nginxProto,
	"scheme":                             nginxScheme,
	"host":                               nginxHost,
	"http_host":                          nginxHTTPHost,
	"server_name":                        nginxServerName,
	"status":                             nginxStatus,
	"body_bytes_sent":                    nginxBodyBytes,
	"upstream_status":                    nginxUpstreamStatus,
	"upstream_addr":                      nginxUpstreamAddr,
	"proxy_upstream_name":                nginxService,
	"sent_http_allow":                    nginxAllow,
	"http_origin":                        nginxOrigin,
	"http_access_control_request_method": nginxACRMethod,
	"http_user_agent":                    nginxUserAgent,
	"request_id":                         nginxRequestID,
	"http_x_request_id":                  nginxXRequestID,
	"req_id":                             nginxXRequestID,
	"http_traceparent":                   nginxTraceparent,
	"otel_trace_id":                      nginxOtelTrace,
	"http_x_amzn_trace_id":               nginxAmzn,
	"http_b3":                            nginxB3,
	"http_x_b3_traceid":                  nginxB3,
}

// nginxJSONKeys adds the key names people give variables in JSON log formats, for JSON lines
// read without their log_format (NewNginxJSON). Variable names themselves are accepted too.
var nginxJSONKeys = map[string]nginxKind{
	"time":            nginxTimeAny,
	"timestamp":       nginxTimeAny,
	"@timestamp":      nginxTimeAny,
	"ts":              nginxTimeAny,
	"method":          nginxMethod,
	"path":            nginxRequestURI,
	"request_path":    nginxRequestURI,
	"client":          nginxRemoteAddr,
	"client_ip":       nginxRemoteAddr,
	"remote_ip":       nginxRemoteAddr,
	"x_forwarded_for": nginxXFF,
	"xff":             nginxXFF,
	"protocol":        nginxProto,
	"x_request_id":    nginxXRequestID,
	"traceparent":     nginxTraceparent,
	"trace_id":        nginxOtelTrace,
	"x_amzn_trace_id": nginxAmzn,
	"amzn_trace_id":   nginxAmzn,
	"allow":           nginxAllow,
	"origin":          nginxOrigin,
	"user_agent":      nginxUserAgent,
	"useragent":       nginxUserAgent,
	"duration":        nginxRequestTime,
	"service":         nginxService,
	"upstream_name":   nginxService,
}

// nginxClass says what a variable's value can look like. It lets the matcher reject a split
// that cuts a value in the wrong place, e.g. "$upstream_addr $x" inside "a:80, b:80".
type nginxClass uint8

const (
	nginxAnyValue   nginxClass = iota
	nginxDigits                // $status, $body_bytes_sent, …
	nginxSeconds               // $request_time, $msec
	nginxList                  // $upstream_*: elements joined by ", " and " : "
	nginxStatusList            // $upstream_status: a list of 3-digit codes and "-"
	// Soft classes: true of values nginx writes, but a header may break them, so they only steer
	// the choice between splits and are not checked where the split is not in doubt.
	nginxToken    // no space: addresses, nginx's own ids
	nginxAddrList // $upstream_addr, X-Forwarded-For: ", " and " : " lists
)

// nginxStep is one literal or one variable of a compiled format.
type nginxStep struct {
	lit   string // the literal (isVar false)
	name  string // the variable's name (isVar true)
	isVar bool
	kind  nginxKind
	class nginxClass
	raw   bool // nginx never escapes it (§1.3)
	once  bool // the following literal cannot occur inside the value: its first occurrence ends it
	slot  int  // index in NginxParser.vals
}

// nginxJSONField is what a JSON-shaped format puts under one key: a value template (usually a
// single variable) or, for a nested object, its keys.
type nginxJSONField struct {
	steps []nginxStep
	kids  map[string]*nginxJSONField
}

// NginxParser parses access log lines written with one nginx log_format. It is not safe for
// concurrent use: it owns the scratch space the record's strings may point into.
type NginxParser struct {
	// Format is the log_format string the parser was compiled from (empty for NewNginxJSON).
	Format string

	format string // the Record.Format it writes: FormatNginx, or another proxy compiled to steps

	// trailing accepts free text after the last step, for formats someone extended at the end.
	// Only detection sets it, on candidates tried after the exact formats.
	trailing bool

	escape       nginxEscape
	steps        []nginxStep
	json         map[string]*nginxJSONField // set for a JSON-shaped format
	jsonAny      bool                       // JSON lines mapped by key name (NewNginxJSON)
	jsonUnquoted bool                       // the JSON format has unquoted variables: lines may need repair

	vals   [][]byte // per variable slot: its value in the current line
	arena  arena
	fix    []byte // repaired JSON line
	det    []byte // Detail being built
	budget int
	fail   nginxFail
	st     nginxState
	jerr   error
	jseen  int
	jdepth int // nesting of jsonObject for objects read by name (bounded by nginxJSONMaxDepth)

	quoteFrom, quoteIdx int             // quoteAt's last answer
	plan                []nginxFastStep // matchFast's steps, built on the first Parse
	kept                []*nginxStep    // the variables of steps that feed the Record, built with plan
	planned             bool            // plan is built (nil when the format has no fast path)
	noEsc               bool            // the text line being read holds no '\\': no value needs unescaping
	lastTimeRaw         [32]byte
	lastTimeLen         int
	lastTime            time.Time // localTime's last value read, of lastTimeRaw[:lastTimeLen]
}

// nginxFail records the furthest point where matching a line failed, for the error message.
type nginxFail struct {
	pos  int
	why  uint8
	lit  string // literal expected
	name string // variable before it, or whose value was bad
	set  bool
}

const (
	nginxFailLit      uint8 = iota + 1 // literal did not match at pos
	nginxFailNotFound                  // literal after a variable not found from pos
	nginxFailValue                     // variable value at pos has the wrong shape
	nginxFailTrailing                  // text left after the format
	nginxFailBudget                    // too many candidate splits
)

// nginxState collects per-line evidence that is settled after all variables are read.
type nginxState struct {
	upstream    []byte
	sawUpstream bool
	uri         []byte
	xff         []byte
	handler     []byte
	sawHandler  bool
	backend     []byte
	sawBackend  bool
	term, capt  []byte
	hostRank    int8
	timeRank    int8
	body        int
	badRequest  bool
}

// nginxBudget bounds the candidate splits tried per line so that a pathological line against an
// ambiguous format costs bounded time.
const nginxBudget = 2000

// CompileNginx compiles an nginx log_format string: the concatenated format parts, optionally
// preceded by "escape=default|json|none" as in the directive. A format whose text is a JSON
// object is parsed by key (see NginxParser.Parse).
func CompileNginx(format string) (*NginxParser, error) {
	p := &NginxParser{Format: format, format: FormatNginx}
	f := format
	if strings.HasPrefix(f, "escape=") {
		end := strings.IndexAny(f, " \t\r\n")
		if end < 0 {
			end = len(f)
		}
		switch f[len("escape="):end] {
		case "default":
			p.escape = nginxEscDefault
		case "json":
			p.escape = nginxEscJSON
		case "none":
			p.escape = nginxEscNone
		default:
			return nil, fmt.Errorf("nginx format: unknown %q", f[:end])
		}
		f = strings.TrimLeft(f[end:], " \t\r\n")
	}
	if f == "" {
		return nil, errors.New("nginx format: empty")
	}
	slots := 0
	steps, err := p.compileSteps(f, &slots)
	if err != nil {
		return nil, err
	}
	p.steps = steps
	if t := strings.TrimSpace(f); strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
		c := nginxTpl{s: t, p: p, slots: &slots}
		if m, err := c.object(); err == nil && c.rest() == "" {
			p.json = m
		}
	}
	p.vals = make([][]byte, slots)
	return p, nil
}

// compileNginxExtended compiles a predefined format for lines that go on after it (a format
// someone extended at the end); detection tries it after the exact formats.
func compileNginxExtended(format string) (*NginxParser, error) {
	p, err := CompileNginx(format)
	if err == nil {
		p.trailing = true
	}
	return p, err
}

// NewNginxJSON returns a parser for JSON access log lines whose log_format is not known: keys are
// mapped by name ("remote_addr", "status", "request", "upstream_status", "time", …).
func NewNginxJSON() *NginxParser {
	return &NginxParser{escape: nginxEscJSON, jsonAny: true, format: FormatNginx}
}

// compileSteps splits a format into literal and variable steps.
func (p *NginxParser) compileSteps(f string, slots *int) ([]nginxStep, error) {
	var steps []nginxStep
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			steps = append(steps, nginxStep{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(f); {
		c := f[i]
		if c != '$' {
			lit.WriteByte(c)
			i++
			continue
		}
		at := i
		var name string
		if i+1 < len(f) && f[i+1] == '{' {
			end := strings.IndexByte(f[i+2:], '}')
			if end < 0 {
				return nil, fmt.Errorf("nginx format: unterminated ${ at byte %d", i)
			}
			name = f[i+2 : i+2+end]
			if name == "" || !nginxNameOK(name) {
				return nil, fmt.Errorf("nginx format: bad variable name %q at byte %d", name, i)
			}
			i += 3 + end
		} else {
			j := i + 1
			for j < len(f) && nginxNameByte(f[j]) {
				j++
			}
			if j == i+1 { // a lone "$" is text
				lit.WriteByte(c)
				i++
				continue
			}
			name = f[i+1 : j]
			i = j
		}
		if err := checkNginxVariable(name); err != nil { // formatnames.go
			return nil, fmt.Errorf("nginx format: %w at byte %d", err, at)
		}
		flush()
		s := nginxStep{name: name, isVar: true, kind: nginxVarKinds[name], slot: *slots}
		*slots++
		switch name {
		case "pipe", "time_local", "time_iso8601", "msec", "request_time", "status", "bytes_sent",
			"body_bytes_sent", "request_length":
			s.raw = true
		}
		switch {
		case name == "status" || name == "bytes_sent" || name == "body_bytes_sent" || name == "request_length":
			s.class = nginxDigits
		case name == "request_time" || name == "msec":
			s.class = nginxSeconds
		case name == "upstream_status":
			s.class = nginxStatusList
		case strings.HasPrefix(name, "upstream_") && !strings.HasPrefix(name, "upstream_http_") &&
			!strings.HasPrefix(name, "upstream_cookie_") && !strings.HasPrefix(name, "upstream_trailer_"):
			s.class = nginxList
		case name == "http_x_forwarded_for" || name == "proxy_add_x_forwarded_for":
			s.class = nginxAddrList
		case name == "remote_addr" || name == "realip_remote_addr" || name == "remote_port" ||
			name == "server_addr" || name == "server_port" || name == "request_id" || name == "host" ||
			name == "scheme" || name == "server_protocol" || name == "request_method" || name == "connection" ||
			name == "req_id" || name == "the_real_ip":
			s.class = nginxToken
		}
		steps = append(steps, s)
	}
	flush()
	for i := range steps {
		s := &steps[i]
		if !s.isVar || i+1 >= len(steps) || steps[i+1].isVar {
			continue
		}
		c := steps[i+1].lit[0]
		switch {
		case s.raw:
			s.once = !nginxRawByte(s.name, c)
		case c == '"' && p.escape != nginxEscNone:
			// Default escaping writes '"' as \x22 and json as \": a raw quote ends the value.
			s.once = true
		}
	}
	return steps, nil
}

func nginxNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

func nginxNameOK(s string) bool {
	for i := 0; i < len(s); i++ {
		if !nginxNameByte(s[i]) {
			return false
		}
	}
	return true
}

// nginxRawByte reports whether byte c can occur in the value of a never-escaped variable.
func nginxRawByte(name string, c byte) bool {
	switch name {
	case "time_local":
		return '0' <= c && c <= '9' || 'A' <= c && c <= 'z' || c == '/' || c == ':' || c == ' ' || c == '+' || c == '-'
	case "time_iso8601":
		return '0' <= c && c <= '9' || c == '-' || c == ':' || c == 'T' || c == '+'
	case "pipe":
		return c == 'p' || c == '.'
	case "msec", "request_time":
		return '0' <= c && c <= '9' || c == '.'
	}
	return '0' <= c && c <= '9'
}

// nginxTpl reads a JSON-shaped format template ({"key": "$var", "n": $var, …}).
type nginxTpl struct {
	s     string
	i     int
	p     *NginxParser
	slots *int
}

func (t *nginxTpl) ws() {
	for t.i < len(t.s) && (t.s[t.i] == ' ' || t.s[t.i] == '\t' || t.s[t.i] == '\n' || t.s[t.i] == '\r') {
		t.i++
	}
}

func (t *nginxTpl) rest() string { t.ws(); return t.s[t.i:] }

var errNginxTpl = errors.New("not a JSON template")

// str reads a quoted string of the template and returns its raw content.
func (t *nginxTpl) str() (string, error) {
	if t.i >= len(t.s) || t.s[t.i] != '"' {
		return "", errNginxTpl
	}
	start := t.i + 1
	for j := start; j < len(t.s); j++ {
		switch t.s[j] {
		case '\\':
			j++
		case '"':
			t.i = j + 1
			return t.s[start:j], nil
		}
	}
	return "", errNginxTpl
}

func (t *nginxTpl) object() (map[string]*nginxJSONField, error) {
	t.ws()
	if t.i >= len(t.s) || t.s[t.i] != '{' {
		return nil, errNginxTpl
	}
	t.i++
	m := map[string]*nginxJSONField{}
	for {
		t.ws()
		if t.i < len(t.s) && t.s[t.i] == '}' {
			t.i++
			return m, nil
		}
		key, err := t.str()
		if err != nil {
			return nil, err
		}
		t.ws()
		if t.i >= len(t.s) || t.s[t.i] != ':' {
			return nil, errNginxTpl
		}
		t.i++
		t.ws()
		if t.i >= len(t.s) {
			return nil, errNginxTpl
		}
		var field *nginxJSONField
		switch t.s[t.i] {
		case '"':
			v, err := t.str()
			if err != nil {
				return nil, err
			}
			field, err = t.value(v)
			if err != nil {
				return nil, err
			}
		case '{':
			kids, err := t.object()
			if err != nil {
				return nil, err
			}
			field = &nginxJSONField{kids: kids}
		case '[':
			depth := 0
			for ; t.i < len(t.s); t.i++ {
				if t.s[t.i] == '[' {
					depth++
				} else if t.s[t.i] == ']' {
					if depth--; depth == 0 {
						t.i++
						break
					}
				}
			}
		default:
			start := t.i
			for t.i < len(t.s) && t.s[t.i] != ',' && t.s[t.i] != '}' {
				t.i++
			}
			v := strings.TrimSpace(t.s[start:t.i])
			field, err = t.value(v)
			if err != nil {
				return nil, err
			}
			if field != nil {
				t.p.jsonUnquoted = true
			}
		}
		if field != nil {
			m[key] = field
		}
		t.ws()
		if t.i < len(t.s) && t.s[t.i] == ',' {
			t.i++
			continue
		}
		if t.i < len(t.s) && t.s[t.i] == '}' {
			t.i++
			return m, nil
		}
		return nil, errNginxTpl
	}
}

// value compiles a value template; nil when it holds no variable.
func (t *nginxTpl) value(v string) (*nginxJSONField, error) {
	steps, err := t.p.compileSteps(v, t.slots)
	if err != nil {
		return nil, err
	}
	for _, s := range steps {
		if s.isVar {
			return &nginxJSONField{steps: steps}, nil
		}
	}
	return nil, nil
}

// Parse fills rec from one access log line. Text formats are matched step by step; JSON-shaped
// formats (and NewNginxJSON) read the line as a JSON object by key, repairing the invalid JSON
// that unquoted list variables produce ("upstream_status": 502, 405,).
func (p *NginxParser) Parse(line []byte, rec *Record) error {
	p.arena.reset()
	p.det = p.det[:0]
	for len(line) > 0 && (line[len(line)-1] == '\r' || line[len(line)-1] == '\n') {
		line = line[:len(line)-1]
	}
	if len(bytes.TrimSpace(line)) == 0 {
		return ErrBlank
	}
	rec.Format = p.format
	p.st = nginxState{body: -1}
	if p.json != nil || p.jsonAny {
		p.noEsc = false
		if err := p.parseJSON(line, rec); err != nil {
			return err
		}
	} else {
		// One search of the line spares each value its own (values alias the line).
		p.noEsc = p.escape != nginxEscNone && bytes.IndexByte(line, '\\') < 0
		// Both built on the first line, not by CompileNginx: the other proxies' formats
		// compiled to steps set their kinds afterwards (apache.go, haproxylog.go, traefik.go).
		if !p.planned {
			p.plan, p.planned = p.buildPlan(), true
		}
		if p.kept == nil {
			p.kept = p.keptSteps()
		}
		if p.plan == nil || !p.matchFast(line) {
			p.budget = nginxBudget
			p.fail = nginxFail{}
			p.quoteFrom = -1
			if !p.match(p.steps, line, 0, 0) {
				return p.failErr(line)
			}
		}
		for _, s := range p.kept {
			if err := p.apply(rec, s, p.vals[s.slot], p.escape); err != nil {
				return err
			}
		}
	}
	p.finish(rec)
	return nil
}

// keptSteps returns the variables of p.steps that feed the Record, in order: Parse applies
// them without walking the literals and the skipped variables of every line.
func (p *NginxParser) keptSteps() []*nginxStep {
	kept := []*nginxStep{} // not nil: built
	for i := range p.steps {
		if s := &p.steps[i]; s.isVar && s.kind != nginxSkip {
			kept = append(kept, s)
		}
	}
	return kept
}

// match walks steps[si:] over b from pos, storing variable values in p.vals. For a variable
// followed by a literal it tries each occurrence of the literal until the rest matches.
func (p *NginxParser) match(steps []nginxStep, b []byte, si, pos int) bool {
	for si < len(steps) {
		s := &steps[si]
		if !s.isVar {
			if len(b)-pos < len(s.lit) || !hasLit(b[pos:], s.lit) {
				name := ""
				if si > 0 {
					name = steps[si-1].name
				}
				p.failAt(pos, nginxFailLit, s.lit, name)
				return false
			}
			pos += len(s.lit)
			si++
			continue
		}
		if si+1 == len(steps) { // the last variable takes the rest of the line
			v := b[pos:]
			if p.trailing && s.class == nginxToken {
				// An extended format: a token ends at the first space, the rest is extra text.
				if i := bytes.IndexByte(v, ' '); i >= 0 {
					v = v[:i]
				}
			}
			if s.class < nginxToken && !nginxValueOK(s, v) {
				p.failAt(pos, nginxFailValue, "", s.name)
				return false
			}
			p.vals[s.slot] = v
			return true
		}
		next := &steps[si+1]
		if next.isVar { // "$a$b" cannot be split: the text goes to the last of them
			p.vals[s.slot] = b[pos:pos]
			si++
			continue
		}
		lim, q, atQuote := len(b), -1, false
		if !s.raw && p.escape == nginxEscDefault {
			// A default-escaped value holds no raw '"', so the literal starts at or before the next one.
			if q = p.quoteAt(b, pos); q >= 0 && q+len(next.lit) < lim {
				lim = q + len(next.lit)
			}
			// A literal that starts with '"' can then only start at that quote.
			atQuote = len(next.lit) > 0 && next.lit[0] == '"'
		}
		for from := pos; ; {
			if p.budget <= 0 {
				p.failAt(pos, nginxFailBudget, "", s.name)
				return false
			}
			p.budget--
			var end int
			if atQuote {
				end = -1
				if q >= from && q+len(next.lit) <= len(b) && hasLit(b[q:], next.lit) {
					end = q
				}
			} else {
				end = p.indexLit(b[:lim], from, next.lit, s)
			}
			if end < 0 {
				p.failAt(from, nginxFailNotFound, next.lit, s.name)
				return false
			}
			v := b[pos:end]
			if s.class >= nginxList && s.class != nginxToken && len(b)-end >= 3 && string(b[end:end+3]) == " : " {
				// The literal cut a list between groups ("504 : 405"): the value goes on.
				p.failAt(pos, nginxFailValue, "", s.name)
			} else if s.once && s.class >= nginxToken || nginxValueOK(s, v) {
				p.vals[s.slot] = v
				if p.match(steps, b, si+2, end+len(next.lit)) {
					return true
				}
			} else {
				p.failAt(pos, nginxFailValue, "", s.name)
			}
			if s.once {
				return false
			}
			from = end + 1
		}
	}
	if pos != len(b) && !(p.trailing && b[pos] == ' ') {
		p.failAt(pos, nginxFailTrailing, "", "")
		return false
	}
	return true
}

// The fast path of the text matcher. match tries, for each variable, every place its following
// literal occurs until the rest of the line matches; on the lines a server writes the first
// place is the right one. matchFast takes only the first place, with how to find it decided per
// step when the parser is first used, and gives up (false) wherever match would have looked
// further or failed: Parse then runs match over the line from the start, for the same values or
// the same rejection. When matchFast succeeds it has taken match's own first path, so the values
// are match's. FuzzNginxFastSame (nginx_fast_test.go) holds it to that.

// nginxFastStep is one step of matchFast: a literal, or a variable together with the literal
// that ends it.
type nginxFastStep struct {
	how   uint8
	check bool // the value is checked with nginxValueOK (the variable is not once-delimited or may be cut)
	list  bool // the value is a list a literal must not cut between groups (" : ")
	// tokenSpace: an nfQuoteLim token whose literal starts with a space; a space that does not
	// start the literal is in the value, which match would reject.
	tokenSpace bool
	slot       int    // the variable's slot
	lit        string // the literal step, or the literal ending the variable
	lw         litWord
	s          *nginxStep
}

// How matchFast finds a variable's end.
const (
	nfLit      uint8 = iota // a literal step
	nfLast                  // the last step: the variable takes the rest of the line
	nfEmpty                 // a variable followed by a variable: empty, the text goes to the next
	nfQuote                 // default escaping and a literal starting with '"': it starts at the next '"'
	nfQuoteLim              // default escaping: the literal's first occurrence before the next '"'
	nfNum                   // digits (with '.' for seconds) or "-", then the literal, in one scan
	nfPlain                 // the literal's first occurrence
	nfIndexLit              // the literal's first occurrence as indexLit finds it (escaped quotes)
)

// buildPlan compiles p.steps for matchFast; nil when the format is not worth it or too long for
// match's budget to be sure to suffice.
func (p *NginxParser) buildPlan() []nginxFastStep {
	var plan []nginxFastStep
	steps := p.steps
	if len(steps) == 0 || len(steps) >= nginxBudget {
		return nil
	}
	for si := 0; si < len(steps); si++ {
		s := &steps[si]
		if !s.isVar {
			plan = append(plan, nginxFastStep{how: nfLit, lit: s.lit, lw: newLitWord(s.lit)})
			continue
		}
		f := nginxFastStep{slot: s.slot, s: s}
		switch {
		case si+1 == len(steps):
			f.how = nfLast
		case steps[si+1].isVar:
			f.how = nfEmpty
		default:
			lit := steps[si+1].lit
			si++ // the literal is consumed with the variable
			f.lit, f.lw = lit, newLitWord(lit)
			// nginxValueOK passes any value of nginxAnyValue.
			f.check = !(s.once && s.class >= nginxToken) && s.class != nginxAnyValue
			f.list = s.class >= nginxList && s.class != nginxToken
			escQuote := (p.escape == nginxEscJSON || p.escape == nginxEscApache) && !s.raw && lit[0] == '"'
			plain := (s.raw || p.escape != nginxEscDefault) && !escQuote
			num := s.class == nginxDigits || s.class == nginxSeconds
			c := lit[0]
			switch {
			case plain && num && !('0' <= c && c <= '9') && c != '-' && c != '.':
				f.how, f.check = nfNum, false
			case plain:
				f.how = nfPlain
			case !s.raw && p.escape == nginxEscDefault && c == '"':
				f.how = nfQuote
			case !s.raw && p.escape == nginxEscDefault:
				f.how = nfQuoteLim
				if s.class == nginxToken && c == ' ' {
					// The first space ends the value or the fast path: a token holds none.
					f.tokenSpace, f.check = true, false
				}
			default:
				f.how = nfIndexLit
			}
		}
		plan = append(plan, f)
	}
	return plan
}

// matchFast matches the line along match's first path only (see nginxFastStep); false when
// the line needs match.
func (p *NginxParser) matchFast(b []byte) bool {
	pos := 0
	for k := range p.plan {
		f := &p.plan[k]
		var end int
		switch f.how {
		case nfLit:
			if !litAt(b, pos, f.lit, f.lw) {
				return false
			}
			pos += len(f.lit)
			continue
		case nfLast:
			v := b[pos:]
			if p.trailing && f.s.class == nginxToken {
				if i := bytes.IndexByte(v, ' '); i >= 0 {
					v = v[:i]
				}
			}
			if f.s.class < nginxToken && !nginxValueOK(f.s, v) {
				return false
			}
			p.vals[f.slot] = v
			return true
		case nfEmpty:
			p.vals[f.slot] = b[pos:pos]
			continue
		case nfQuote:
			// The value holds no raw '"' (default escaping writes \x22), so the literal can
			// only start at the next one.
			end = indexByteFrom(b, pos, '"')
			if !litAt(b, end, f.lit, f.lw) {
				return false
			}
		case nfQuoteLim:
			// The literal's first occurrence before the next '"' (match looks no further when
			// the quote leaves room for the literal before the line ends, and the fast path
			// leaves the other case to it): one scan for the quote and the literal's first byte.
			for end = pos; ; end++ {
				end = indexByte2From(b, end, f.lit[0], '"')
				if end == len(b) || b[end] == '"' {
					return false
				}
				if litAt(b, end, f.lit, f.lw) {
					break
				}
				if f.tokenSpace {
					return false
				}
			}
		case nfNum:
			// The literal starts with none of the value's bytes, so its first occurrence is
			// where the digits end: found and the value checked in one scan.
			end = pos
			if f.s.class == nginxSeconds {
				for end < len(b) && ('0' <= b[end] && b[end] <= '9' || b[end] == '.') {
					end++
				}
			} else {
				for end < len(b) && '0' <= b[end] && b[end] <= '9' {
					end++
				}
			}
			if end == pos && end < len(b) && b[end] == '-' {
				end++
			}
			if !litAt(b, end, f.lit, f.lw) {
				return false
			}
		case nfPlain:
			if end = indexString(b, pos, f.lit); end < 0 {
				return false
			}
		default:
			if end = p.indexLit(b, pos, f.lit, f.s); end < 0 {
				return false
			}
		}
		if f.list && len(b)-end >= 3 && string(b[end:end+3]) == " : " {
			return false
		}
		v := b[pos:end]
		if f.check && !nginxValueOK(f.s, v) {
			return false
		}
		p.vals[f.slot] = v
		pos = end + len(f.lit)
	}
	return pos == len(b) || p.trailing && b[pos] == ' '
}

// quoteAt returns the index of the first '"' in b at or after pos, or -1. It remembers its last
// answer for the b of one top-level match (quoteFrom = -1 forgets it): the variables of a line
// ask from increasing positions, most of them before the same quote.
func (p *NginxParser) quoteAt(b []byte, pos int) int {
	if p.quoteFrom >= 0 && p.quoteFrom <= pos && (p.quoteIdx < 0 || p.quoteIdx >= pos) {
		return p.quoteIdx
	}
	p.quoteFrom, p.quoteIdx = pos, -1
	if i := indexByteFrom(b, pos, '"'); i < len(b) {
		p.quoteIdx = i
	}
	return p.quoteIdx
}

// localTime is parseNginxTime remembering the last value it read: a log's lines mostly share
// their second with the line before.
func (p *NginxParser) localTime(v []byte) (time.Time, bool) {
	if p.lastTimeLen > 0 && string(v) == string(p.lastTimeRaw[:p.lastTimeLen]) {
		return p.lastTime, true
	}
	t, ok := parseNginxTime(v)
	if ok && len(v) <= len(p.lastTimeRaw) {
		p.lastTimeLen = copy(p.lastTimeRaw[:], v)
		p.lastTime = t
	}
	return t, ok
}

// indexLit finds lit in b at or after from. In json escaping a quoted value may hold \" which
// is not the closing quote.
func (p *NginxParser) indexLit(b []byte, from int, lit string, s *nginxStep) int {
	for from <= len(b) {
		i := indexString(b, from, lit)
		if i < 0 {
			return -1
		}
		if (p.escape == nginxEscJSON || p.escape == nginxEscApache) && !s.raw && lit[0] == '"' {
			n := 0
			for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
				n++
			}
			if n%2 == 1 {
				from = i + 1
				continue
			}
		}
		return i
	}
	return -1
}

func (p *NginxParser) failAt(pos int, why uint8, lit, name string) {
	if p.fail.set && pos < p.fail.pos {
		return
	}
	if p.fail.set && pos == p.fail.pos && p.fail.why != nginxFailValue {
		return
	}
	p.fail = nginxFail{pos: pos, why: why, lit: lit, name: name, set: true}
}

// failErr describes where the line stopped matching the format.
func (p *NginxParser) failErr(line []byte) error {
	f := p.fail
	after := ""
	if f.name != "" {
		after = " after $" + f.name
	}
	end := ""
	if f.pos >= len(line) {
		end = " (end of line)"
	}
	switch f.why {
	case nginxFailLit:
		return fmt.Errorf("expected %q%s at byte %d%s", f.lit, after, f.pos, end)
	case nginxFailNotFound:
		return fmt.Errorf("expected %q%s, not found from byte %d%s", f.lit, after, f.pos, end)
	case nginxFailValue:
		v := line[f.pos:]
		if len(v) > 24 {
			v = v[:24]
		}
		return fmt.Errorf("bad $%s value at byte %d: %q…", f.name, f.pos, v)
	case nginxFailTrailing:
		v := line[f.pos:]
		if len(v) > 24 {
			v = v[:24]
		}
		return fmt.Errorf("the line goes on after the end of the format at byte %d (%q…): if the log_format was extended, pass the extended format", f.pos, v)
	case nginxFailBudget:
		return fmt.Errorf("line matches the format in too many ways (gave up at $%s, byte %d)", f.name, f.pos)
	}
	return errors.New("line does not match the format")
}

// nginxValueOK checks a candidate value against its variable's class.
func nginxValueOK(s *nginxStep, v []byte) bool {
	switch s.class {
	case nginxDigits:
		return len(v) > 0 && isDigits(v) || dash(v)
	case nginxSeconds:
		if dash(v) {
			return true
		}
		for _, c := range v {
			if (c < '0' || c > '9') && c != '.' {
				return false
			}
		}
		return true
	case nginxList, nginxAddrList:
		return nginxListOK(v)
	case nginxToken:
		return bytes.IndexByte(v, ' ') < 0
	case nginxStatusList:
		return nginxStatuses(v, nil)
	}
	return true
}

// nginxListOK reports whether v has the shape of an $upstream_* list: spaces only inside the
// ", " and " : " separators, and no separator at either end.
func nginxListOK(v []byte) bool {
	if len(v) == 0 {
		return true // empty in json/none escaping
	}
	if v[0] == ' ' || v[0] == ',' || v[len(v)-1] == ' ' || v[len(v)-1] == ',' || v[len(v)-1] == ':' {
		return false
	}
	for i, c := range v {
		if c != ' ' {
			continue
		}
		switch {
		case v[i-1] == ',':
		case v[i-1] == ':' && i >= 2 && v[i-2] == ' ':
		case i+2 < len(v) && v[i+1] == ':' && v[i+2] == ' ':
		default:
			return false
		}
	}
	return true
}

// nginxStatuses parses an $upstream_status list (docs/formats.md §1.5: groups joined by " : ",
// attempts by ", ", "-" for an attempt without status) into rec.Upstream when rec is not nil.
// It reports whether v is such a list; "-" and empty alone are the absent value.
func nginxStatuses(v []byte, rec *Record) bool {
	if dash(v) {
		return true
	}
	for len(v) > 0 {
		e := v
		n := bytes.IndexAny(v, ",:")
		if n >= 0 {
			e, v = v[:n], v[n+1:]
			if len(v) == 0 {
				return false
			}
		} else {
			v = nil
		}
		e = bytes.TrimSpace(e)
		st := -1
		switch {
		case len(e) == 1 && e[0] == '-':
		case len(e) == 3 && isDigits(e):
			st = int(e[0]-'0')*100 + int(e[1]-'0')*10 + int(e[2]-'0')
		default:
			return false
		}
		if rec != nil {
			rec.AppendUpstream(st)
		}
	}
	return true
}

// unescape returns v decoded for the escaping mode, aliasing v when it holds no escape.
func (p *NginxParser) unescape(v []byte, esc nginxEscape) []byte {
	if esc == nginxEscNone || p.noEsc || indexByteFrom(v, 0, '\\') == len(v) {
		return v
	}
	// Decoding never grows a value: reserve len(v) bytes at the arena's tail, decode into them
	// and give back what was not used.
	out := p.arena.alloc(v)[:0]
	switch esc {
	case nginxEscDefault:
		out = nginxUnescapeDefault(out, v)
	case nginxEscApache:
		out = apacheUnescape(out, v)
	default:
		out = jsonUnescape(out, v)
	}
	p.arena.buf = p.arena.buf[:len(p.arena.buf)-len(v)+len(out)]
	return out
}

func nginxHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// nginxUnescapeDefault decodes \xHH; any other backslash is kept (nginx writes '\' as \x5C, so
// a lone one is not nginx's).
func nginxUnescapeDefault(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+3 < len(v) && v[i+1] == 'x' {
			h, ok1 := nginxHex(v[i+2])
			l, ok2 := nginxHex(v[i+3])
			if ok1 && ok2 {
				dst = append(dst, h<<4|l)
				i += 3
				continue
			}
		}
		dst = append(dst, c)
	}
	return dst
}

// jsonUnescape appends v with its JSON string escapes decoded to dst; malformed ones are kept as
// written. It is shared by the nginx JSON escape mode and the Docker json-file wrapper.
func jsonUnescape(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 >= len(v) {
			dst = append(dst, c)
			continue
		}
		i++
		switch v[i] {
		case '"', '\\', '/':
			dst = append(dst, v[i])
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'u':
			r := rune(0)
			ok := i+4 < len(v)
			for j := 1; ok && j <= 4; j++ {
				h, hok := nginxHex(v[i+j])
				r, ok = r<<4|rune(h), hok
			}
			// A \uXXXX takes 6 bytes and decodes to at most 3, so dst never outgrows v.
			if ok && utf8.RuneLen(r) > 0 {
				dst = utf8.AppendRune(dst, r)
				i += 4
			} else {
				dst = append(dst, '\\', 'u')
			}
		default:
			dst = append(dst, '\\', v[i])
		}
	}
	return dst
}

// apply stores one variable's value in rec.
func (p *NginxParser) apply(rec *Record, s *nginxStep, v []byte, esc nginxEscape) error {
	st := &p.st
	switch s.kind {
	case nginxStatus:
		if dash(v) {
			return nil
		}
		n, ok := parseInt(v)
		if !ok || n > 999 {
			return fmt.Errorf("bad $%s %q", s.name, v)
		}
		rec.Status = n
		return nil
	case nginxBodyBytes:
		if n, ok := parseInt(v); ok {
			st.body = n
		}
		return nil
	case nginxUpstreamStatus:
		st.sawUpstream = true
		st.upstream = v
		return nil
	case nginxRequestTime:
		if d, ok := parseSeconds(v); ok {
			rec.Duration = d
		}
		return nil
	case nginxMicros, nginxMillis:
		v = bytes.TrimSuffix(v, []byte("ms"))
		if n, ok := parseInt(v); ok {
			unit := time.Microsecond
			if s.kind == nginxMillis {
				unit = time.Millisecond
			}
			rec.Duration = time.Duration(n) * unit
		}
		return nil
	case nginxHandler:
		st.sawHandler = true
		if !dash(v) {
			st.handler = v
		}
		return nil
	case nginxHATime:
		if t, ok := haproxyAcceptTime(v); ok {
			rec.Start = t
		}
		return nil
	case nginxHATerm:
		st.term = v
		return nil
	case nginxHACapt:
		st.capt = v
		return nil
	case nginxBackend:
		st.sawBackend = true
		if !dash(v) {
			st.backend = v
			rec.UpstreamAddr = bstr(v)
		}
		return nil
	case nginxTimeLocal, nginxTimeISO, nginxMsec, nginxTimeAny:
		rank := int8(1)
		if s.kind == nginxMsec {
			rank = 2 // milliseconds beat whole seconds
		}
		if rank <= st.timeRank {
			return nil
		}
		var t = rec.Time
		var ok bool
		switch s.kind {
		case nginxTimeLocal:
			t, ok = p.localTime(v)
		case nginxTimeISO:
			t, ok = parseISOTime(v)
		case nginxMsec:
			t, ok = parseEpoch(v)
		default:
			t, ok = parseAnyTime(p.unescape(v, esc))
		}
		if !ok {
			if dash(v) {
				return nil
			}
			return fmt.Errorf("bad $%s %q", s.name, v)
		}
		rec.Time, st.timeRank = t, rank
		return nil
	}
	if dash(v) {
		return nil
	}
	v = p.unescape(v, esc)
	if dash(v) {
		return nil
	}
	switch s.kind {
	case nginxRemoteAddr:
		rec.ClientIP = bstr(v)
	case nginxRealIP:
		if rec.ClientIP == "" {
			rec.ClientIP = bstr(v)
		}
	case nginxXFF:
		st.xff = v
	case nginxRequest:
		if nginxMethodOK(v) {
			setRequestLine(rec, v)
		} else {
			st.badRequest = true
		}
	case nginxMethod:
		if bytes.IndexByte(v, ' ') < 0 { // a JSON key of another meaning, not a method token
			rec.Method = bstr(v)
		}
	case nginxRequestURI:
		setURI(rec, v)
	case nginxURI:
		st.uri = v
	case nginxHost, nginxHTTPHost, nginxServerName:
		rank := int8(3 - (s.kind - nginxHost)) // $host, then $http_host, then $server_name
		if rank > st.hostRank {
			rec.Host, st.hostRank = bstr(stripDefaultPort(v)), rank
		}
	default:
		setField(rec, nginxFields[s.kind], v, &p.arena)
	}
	return nil
}

// nginxFields gives the kinds that fill a Record field as every template format does.
var nginxFields = [nginxNumKinds]field{
	nginxProto: fieldProto, nginxScheme: fieldScheme, nginxUpstreamAddr: fieldUpstreamAddr, nginxService: fieldService,
	nginxAllow: fieldAllow, nginxOrigin: fieldOrigin, nginxACRMethod: fieldACRMethod,
	nginxUserAgent: fieldUserAgent, nginxRequestID: fieldNginxRequestID,
	nginxXRequestID: fieldRequestID, nginxTraceparent: fieldTraceparent,
	nginxOtelTrace: fieldTraceID, nginxAmzn: fieldAmzn, nginxB3: fieldB3,
}

// nginxMethodOK reports whether a request line starts with an HTTP token (RFC 9110 tchar):
// nginx logs the request line of a request it refused with 400 as sent, so "geti" and
// "PATCHp" are methods as logged, while garbage such as a TLS handshake is not a token.
func nginxMethodOK(v []byte) bool {
	n := 0
	for _, c := range v {
		if c == ' ' {
			break
		}
		if !httpTokenByte(c) {
			return false
		}
		n++
	}
	return n > 0
}

// httpTokenByte reports whether c may appear in an HTTP token (RFC 9110 tchar).
func httpTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c != 0 && strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// finish settles what depends on several variables: client address, rewrite, start time,
// upstream attempts, local-vs-relayed and the ids.
func (p *NginxParser) finish(rec *Record) {
	st := &p.st
	rec.Peer = rec.ClientIP
	if !dash(st.xff) {
		rec.ForwardedFor = bstr(st.xff)
	}
	settleClient(rec, nil)
	if len(st.uri) > 0 {
		if rec.Path == "" {
			// $uri holds no query in the format's own nginx, but lines written by a format that
			// logged "$request" in its place do: split it as a request target, so that a format
			// chosen by hand and one detected give the same Path for the same line.
			setURI(rec, st.uri)
		} else if !nginxSamePath(sbytes(rec.Path), st.uri) {
			rec.RoutedPath = bstr(st.uri)
		}
	}
	if !rec.Time.IsZero() && rec.Duration >= 0 {
		rec.Start = rec.Time.Add(-rec.Duration)
	}
	if st.body >= 0 {
		rec.BytesSent = int64(st.body)
	}
	if st.badRequest {
		p.det = append(p.det, "malformed request line"...)
	}
	if st.sawUpstream {
		ups := bytes.TrimSpace(st.upstream)
		if !nginxStatuses(ups, rec) {
			rec.Upstream = rec.Upstream[:0]
			p.note("unreadable upstream_status ")
			p.det = append(p.det, nginxClip(ups)...)
		}
		switch last := rec.LastUpstream(); {
		case len(rec.Upstream) == 0:
			rec.Upstream = nil
			rec.Local = LocalYes
			p.note("no upstream contacted")
			if rec.Status == 405 && st.body == 157 {
				p.det = append(p.det, ", 157-byte body like nginx's own 405 page"...)
			}
		case last == rec.Status:
			rec.Local = LocalNo
			p.note("upstream_status ")
			p.det = append(p.det, nginxClip(ups)...)
		case last < 0:
			rec.Local = LocalYes
			p.note("last upstream attempt without status; upstream_status ")
			p.det = append(p.det, nginxClip(ups)...)
		default:
			rec.Local = LocalYes
			p.note("upstream ")
			p.det = strconv.AppendInt(p.det, int64(last), 10)
			p.det = append(p.det, " replaced by "...)
			p.det = strconv.AppendInt(p.det, int64(rec.Status), 10)
			p.det = append(p.det, "; upstream_status "...)
			p.det = append(p.det, nginxClip(ups)...)
		}
	}
	switch p.format {
	case FormatApache:
		p.finishApache(rec)
	case FormatTraefik:
		p.finishTraefik(rec)
	case FormatHAProxy:
		p.finishHAProxy(rec)
	}
	if len(p.det) > 0 {
		rec.Detail = p.arena.add(p.det)
	}
	rec.IDs.finishNginxIDs()
}

// note starts a new Detail clause.
func (p *NginxParser) note(s string) {
	if len(p.det) > 0 {
		p.det = append(p.det, "; "...)
	}
	p.det = append(p.det, s...)
}

func nginxClip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

// nginxSamePath reports whether $uri (decoded, slashes merged) is the path of the request target
// as sent, so that only real rewrites set RoutedPath.
func nginxSamePath(path, uri []byte) bool {
	// Mostly the same bytes with no escape, for which the walk answers true (TestNginxSamePath).
	if string(path) == string(uri) && indexByteFrom(path, 0, '%') == len(path) {
		return true
	}
	return nginxSamePathWalk(path, uri)
}

// nginxSamePathWalk is nginxSamePath decoding path and merging slashes as it goes.
func nginxSamePathWalk(path, uri []byte) bool {
	i, j := 0, 0
	for i < len(path) && j < len(uri) {
		c := path[i]
		i++
		if c == '%' && i+1 < len(path) {
			h, ok1 := nginxHex(path[i])
			l, ok2 := nginxHex(path[i+1])
			if ok1 && ok2 {
				c = h<<4 | l
				i += 2
			}
		}
		if c == '/' {
			for i < len(path) && path[i] == '/' {
				i++
			}
		}
		if c != uri[j] {
			return false
		}
		j++
		if c == '/' {
			for j < len(uri) && uri[j] == '/' {
				j++
			}
		}
	}
	return i == len(path) && j == len(uri)
}

// parseJSON reads a JSON access log line by key.
func (p *NginxParser) parseJSON(line []byte, rec *Record) error {
	b := bytes.TrimSpace(line)
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return errors.New("not a JSON object (expected '{' … '}')")
	}
	if p.jsonUnquoted || p.jsonAny {
		fixed, err := p.repairJSON(b)
		if err != nil {
			return err
		}
		b = fixed
	}
	p.jerr, p.jseen = nil, 0
	p.jsonObject(gjson.Parse(bstr(b)), p.json, rec)
	if p.jerr != nil {
		return p.jerr
	}
	if p.jseen == 0 {
		return errors.New("JSON line has no key of the nginx log format")
	}
	return nil
}

// nginxJSONSteps holds the steps for JSON keys mapped by name (apply reads only kind and name).
var nginxJSONSteps = func() map[string]*nginxStep {
	m := map[string]*nginxStep{}
	for k, v := range nginxVarKinds {
		m[k] = &nginxStep{name: k, isVar: true, kind: v}
	}
	for k, v := range nginxJSONKeys {
		m[k] = &nginxStep{name: k, isVar: true, kind: v}
	}
	return m
}()

// jsonObject applies the keys of one JSON object: by the format's template when fields is not
// nil, by key name otherwise.
// nginxJSONMaxDepth bounds the nesting of objects read by key name.
const nginxJSONMaxDepth = 8

func (p *NginxParser) jsonObject(obj gjson.Result, fields map[string]*nginxJSONField, rec *Record) {
	obj.ForEach(func(k, v gjson.Result) bool {
		if p.jerr != nil {
			return false
		}
		var val []byte
		esc := p.escape
		switch v.Type {
		case gjson.String:
			if len(v.Raw) >= 2 && v.Raw[0] == '"' {
				val = sbytes(v.Raw[1 : len(v.Raw)-1])
			} else {
				val, esc = sbytes(v.Str), nginxEscNone
			}
		case gjson.Number:
			val = sbytes(v.Raw)
		case gjson.JSON:
			if !v.IsObject() {
				return true
			}
		default:
			return true
		}
		if !p.jsonAny {
			f := fields[k.Str]
			if f == nil {
				return true
			}
			if f.kids != nil {
				if v.IsObject() {
					p.jsonObject(v, f.kids, rec)
				}
				return true
			}
			if v.Type == gjson.JSON {
				return true
			}
			if len(f.steps) == 1 {
				p.jseen++
				p.jerr = p.apply(rec, &f.steps[0], val, esc)
				return true
			}
			saved := p.escape
			p.escape = esc
			p.budget = nginxBudget
			p.quoteFrom = -1
			ok := p.match(f.steps, val, 0, 0)
			p.escape = saved
			if !ok {
				return true // a value that does not fit its template is skipped, not fatal
			}
			p.jseen++
			for i := range f.steps {
				s := &f.steps[i]
				if s.isVar && s.kind != nginxSkip {
					if p.jerr = p.apply(rec, s, p.vals[s.slot], esc); p.jerr != nil {
						return false
					}
				}
			}
			return true
		}
		if v.Type == gjson.JSON {
			// Nested objects ({"http": {"method": …}}) by name too, to a bounded depth: a line
			// of a million nested objects must cost neither a million frames nor quadratic time.
			if p.jdepth < nginxJSONMaxDepth {
				p.jdepth++
				p.jsonObject(v, nil, rec)
				p.jdepth--
			}
			return true
		}
		s := nginxJSONSteps[k.Str]
		if s == nil {
			var low [40]byte
			if len(k.Str) <= len(low) {
				l := low[:len(k.Str)]
				for i := 0; i < len(k.Str); i++ {
					c := k.Str[i]
					if 'A' <= c && c <= 'Z' {
						c += 'a' - 'A'
					} else if c == '-' || c == '.' {
						c = '_'
					}
					l[i] = c
				}
				s = nginxJSONSteps[string(l)]
			}
		}
		if s == nil {
			return true
		}
		p.jseen++
		p.jerr = p.apply(rec, s, val, esc)
		return true
	})
}

// repairJSON quotes the unquoted values that make nginx JSON lines invalid: a format with
// "k": $upstream_status writes `"k": 502, 405,` or `"k": ,` (docs/formats.md §1.3). The line is
// returned unchanged (not copied) when nothing needs repair.
func (p *NginxParser) repairJSON(b []byte) ([]byte, error) {
	out := p.fix[:0]
	copied := 0 // b[:copied] is already in out
	changed := false
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			j := i + 1
			for ; j < len(b) && b[j] != '"'; j++ {
				if b[j] == '\\' {
					j++
				}
			}
			if j >= len(b) {
				return nil, fmt.Errorf("invalid JSON: unterminated string at byte %d", i)
			}
			i = j
		case ':':
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if j < len(b) && (b[j] == '"' || b[j] == '{' || b[j] == '[') {
				continue
			}
			// An unquoted value ends at a ',' followed by the next key's quote, or at '}'.
			k := j
			for k < len(b) && b[k] != '}' && b[k] != ']' {
				if b[k] == ',' {
					n := k + 1
					for n < len(b) && (b[n] == ' ' || b[n] == '\t') {
						n++
					}
					if n < len(b) && b[n] == '"' {
						break
					}
				}
				k++
			}
			v := bytes.TrimRight(b[j:k], " \t")
			if nginxJSONScalar(v) {
				i = k - 1
				continue
			}
			if bytes.IndexByte(v, '"') >= 0 || bytes.IndexByte(v, '\\') >= 0 {
				return nil, fmt.Errorf("invalid JSON: unquoted value at byte %d cannot be repaired", j)
			}
			changed = true
			out = append(out, b[copied:j]...)
			out = append(out, '"')
			out = append(out, v...)
			out = append(out, '"')
			copied = j + len(v)
			i = k - 1
		}
	}
	if !changed {
		return b, nil
	}
	out = append(out, b[copied:]...)
	p.fix = out
	return out, nil
}

// nginxJSONScalar reports whether v is a valid JSON number or literal.
func nginxJSONScalar(v []byte) bool {
	switch string(v) {
	case "true", "false", "null":
		return true
	}
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	start := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i == start || v[start] == '0' && i-start > 1 {
		return false
	}
	if i < len(v) && v[i] == '.' {
		i++
		s := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == s {
			return false
		}
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		s := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == s {
			return false
		}
	}
	return i == len(v)
}
