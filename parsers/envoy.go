package parsers

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Envoy access logs (reference: docs/formats.md §2). A text format string is compiled once into a
// literal prefix and a list of command-operator fields, each followed by the literal that ends
// it. Envoy escapes nothing inside substituted values, so a value ends at the next occurrence of
// its terminating literal that lets the rest of the line match; values of structured operators
// (codes, addresses, flags) may not contain spaces or quotes, which keeps the search short and
// puts an embedded `" "` of a user agent into the user agent and not into the field after it.

// EnvoyDefaultFormat is Envoy's DEFAULT_FORMAT, used when a file access log sets no format
// (source: envoyproxy/envoy, the formatter's DEFAULT_FORMAT; docs: access_log/usage.rst). Like the
// original it ends in a newline; CompileEnvoy drops a trailing newline because lines arrive
// without their terminator.
const EnvoyDefaultFormat = `[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" ` +
	`%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ` +
	`%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ` +
	`"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"` + "\n"

// EnvoyIstioFormat is Istio's default proxy access log format (docs: istio/istio.io,
// content/en/docs/tasks/observability/logs/access-log/index.md). Newer Istio releases log
// %UPSTREAM_CLUSTER_RAW% in place of %UPSTREAM_CLUSTER%; both parse the same way.
const EnvoyIstioFormat = `[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" ` +
	`%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% ` +
	`"%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ` +
	`%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ` +
	`"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER% ` +
	`%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% ` +
	`%REQUESTED_SERVER_NAME% %ROUTE_NAME%` + "\n"

// EnvoyIstio13Format is the text format Istio 1.3 to 1.7 sidecars wrote by default: the
// Mixer policy status where later releases log the response code details (source:
// istio/istio, pilot/pkg/networking/core/v1alpha3, EnvoyTextLogFormat13).
const EnvoyIstio13Format = `[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" ` +
	`%RESPONSE_CODE% %RESPONSE_FLAGS% "%DYNAMIC_METADATA(istio.mixer:status)%" ` +
	`"%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ` +
	`%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ` +
	`"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER% ` +
	`%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% ` +
	`%REQUESTED_SERVER_NAME% %ROUTE_NAME%` + "\n"

// EnvoyIstio12Format is Istio 1.2's text format: the 1.3 one without the route name.
const EnvoyIstio12Format = `[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" ` +
	`%RESPONSE_CODE% %RESPONSE_FLAGS% "%DYNAMIC_METADATA(istio.mixer:status)%" ` +
	`"%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ` +
	`%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ` +
	`"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER% ` +
	`%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% ` +
	`%REQUESTED_SERVER_NAME%` + "\n"

// EnvoyEmissaryFormat is Envoy's default format behind the "ACCESS " prefix that Ambassador
// and Emissary-ingress write, so that access lines stand out among their other log lines.
const EnvoyEmissaryFormat = "ACCESS " + EnvoyDefaultFormat

// envoyOp is what a command operator means to a Record.
type envoyOp uint8

const (
	envoyOpSkip envoyOp = iota
	envoyOpStartTime
	envoyOpMethod
	envoyOpOrigMethod // X-ENVOY-ORIGINAL-METHOD(?:METHOD): the method before a transcoder rewrote it
	envoyOpPath       // X-ENVOY-ORIGINAL-PATH?:PATH: the path as the client sent it
	envoyOpOrigPath   // X-ENVOY-ORIGINAL-PATH alone: set only when a route rewrote the path
	envoyOpRoutedPath // :PATH: the path after route rewrites
	envoyOpProto
	envoyOpStatus
	envoyOpFlags
	envoyOpFlagsLong
	envoyOpDetails
	envoyOpTermination
	envoyOpTransportFailure
	envoyOpDuration
	envoyOpServiceTime
	envoyOpUpstreamHost
	envoyOpCluster
	envoyOpRoute
	envoyOpRemote
	envoyOpDirectRemote
	envoyOpXFF
	envoyOpUserAgent
	envoyOpRequestID
	envoyOpAuthority
	envoyOpTraceparent
	envoyOpTraceID
	envoyOpAmzn
	envoyOpB3
	envoyOpAllow
	envoyOpOrigin
	envoyOpACRMethod
	envoyOpAttempts
	envoyOpBytesSent
	envoyOpScheme // :SCHEME or X-FORWARDED-PROTO: http or https

	envoyNumOps // the number of operators; keep it last
)

// Character classes of operator values: a table entry is true for a byte the value cannot hold.
var (
	envoyDenyToken   = envoyDenyTable(" \t\"")
	envoyDenyNoSpace = envoyDenyTable(" \t")
	envoyDenyNoQuote = envoyDenyTable("\"")
	envoyDenyNum     = envoyDenyNumTable()
)

func envoyDenyTable(chars string) *[256]bool {
	var t [256]bool
	for i := 0; i < len(chars); i++ {
		t[chars[i]] = true
	}
	return &t
}

func envoyDenyNumTable() *[256]bool {
	var t [256]bool
	for i := range t {
		c := byte(i)
		t[i] = !(c >= '0' && c <= '9' || c == '-' || c == '.')
	}
	return &t
}

// envoyField is one command operator of a compiled format.
type envoyField struct {
	op    envoyOp
	text  string           // the operator as written, for error messages
	after []byte           // the literal that follows it up to the next operator
	deny  *[256]bool       // bytes its value cannot contain; nil for free text
	tl    *envoyTimeLayout // START_TIME only
	// stop holds the bytes deny forbids and after's first byte: where match's search for the
	// value's end looks (envoyNext); nil for a field without a table or a literal after it.
	stop *[256]bool
	// swar: stop holds at most four bytes, each of them repeated in a word of stopWords (the
	// first again where there are fewer), so that envoyNext looks for them eight bytes at a time.
	swar      bool
	stopWords [4]uint64
	afterWord litWord // after's first eight bytes (litAt)
}

// envoySpan is where a field's value lies in the line.
type envoySpan struct{ start, end int }

// envoyJSONKey is what a JSON access log key holds.
type envoyJSONKey struct {
	op  envoyOp
	tl  *envoyTimeLayout
	sub *EnvoyParser // a value mixing several operators with text, matched like a text line
}

// envoyState collects the values that are settled only once the whole line is read.
type envoyState struct {
	start                         time.Time
	hasStart                      bool
	durMS                         int64
	hasDur                        bool
	method, origMethod            []byte
	path, origPath, routed        []byte
	flags, flagsLong, details     []byte
	term, transport, route        []byte
	detailsLogged, hostLogged     bool
	serviceTime, upstreamHost     []byte
	xff, remote, directRemote     []byte
	attempts                      int
	attemptsLogged, anyRecognised bool
}

// EnvoyParser parses Envoy access log lines of one text format (CompileEnvoy) or JSON access log
// lines (NewEnvoyJSON, CompileEnvoyJSON). A parser is not safe for concurrent use: it keeps
// per-line scratch space that the strings it sets may alias.
type EnvoyParser struct {
	prefix []byte
	fields []envoyField
	json   map[string]envoyJSONKey // JSON mode when non-nil

	spans  []envoySpan
	strict bool     // the last literal must end the line
	memo   []uint64 // failed (field, position) pairs of the current pass
	memoOn bool
	curLen int // length of the line being matched; the memo table is laid out by it
	budget int // candidate splits left in this pass; bounds the work on hostile lines

	// furthest failure of the current line, for the error message
	errPos   int
	errField int
	errSet   bool

	st     envoyState
	arena  arena
	detail []byte
	keyBuf []byte
	tc     isoTimeCache
}

// CompileEnvoy compiles an Envoy text access log format (the value of text_format,
// text_format_source or the legacy format field) into a parser. A trailing newline is dropped;
// %% is a literal percent sign; operators the parser does not know are matched and skipped.
func CompileEnvoy(format string) (*EnvoyParser, error) {
	format = strings.TrimSuffix(format, "\n")
	format = strings.TrimSuffix(format, "\r")
	p := &EnvoyParser{}
	var lit []byte
	flush := func() {
		if len(p.fields) == 0 {
			p.prefix = lit
		} else {
			p.fields[len(p.fields)-1].after = lit
		}
		lit = nil
	}
	for i := 0; i < len(format); {
		c := format[i]
		if c != '%' {
			lit = append(lit, c)
			i++
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			lit = append(lit, '%')
			i += 2
			continue
		}
		f, n, err := envoyCompileOperator(format[i:])
		if err != nil {
			return nil, fmt.Errorf("envoy format: %w at byte %d", err, i)
		}
		flush()
		p.fields = append(p.fields, f)
		i += n
	}
	flush()
	if len(p.fields) == 0 {
		return nil, errors.New("envoy format: no command operators")
	}
	for i := range p.fields {
		f := &p.fields[i]
		f.afterWord = newLitWord(string(f.after))
		if f.deny == nil || len(f.after) == 0 {
			continue
		}
		stop := *f.deny
		stop[f.after[0]] = true
		f.stop = &stop
		var set []uint64
		for c := range stop {
			if stop[c] {
				set = append(set, jLo8*uint64(c))
			}
		}
		if f.swar = len(set) <= len(f.stopWords); f.swar {
			for k := range f.stopWords {
				f.stopWords[k] = set[k%len(set)]
			}
		}
	}
	p.spans = make([]envoySpan, len(p.fields))
	return p, nil
}

// envoyCompileOperator reads one %OPERATOR(arg):len% at the start of s and returns its field
// and length. The grammar follows Envoy's own: [A-Z0-9_]+, optional (…) without ')', optional
// :digits, then '%'.
func envoyCompileOperator(s string) (envoyField, int, error) {
	j := 1
	for j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9' || s[j] == '_') {
		j++
	}
	if j == 1 {
		return envoyField{}, 0, errors.New("'%' starts no command operator (write %% for a percent sign)")
	}
	name, arg := s[1:j], ""
	if j < len(s) && s[j] == '(' {
		k := strings.IndexByte(s[j:], ')')
		if k < 0 {
			return envoyField{}, 0, fmt.Errorf("no ')' after %%%s(", name)
		}
		arg = s[j+1 : j+k]
		j += k + 1
	}
	if j < len(s) && s[j] == ':' {
		k := j + 1
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > j+1 {
			j = k
		}
	}
	if j >= len(s) || s[j] != '%' {
		return envoyField{}, 0, fmt.Errorf("no closing '%%' after %%%s", name)
	}
	if err := checkEnvoyOperator(name); err != nil { // formatnames.go
		return envoyField{}, 0, err
	}
	f := envoyOperator(name, arg)
	f.text = s[:j+1]
	return f, j + 1, nil
}

// envoyOperator maps an operator and its argument to a field (without text and after).
func envoyOperator(name, arg string) envoyField {
	switch name {
	case "START_TIME":
		tl := envoyCompileTime(arg)
		deny := envoyDenyToken
		if strings.ContainsAny(arg, " \t") || tl.mode == envoyTimeAny && arg != "" {
			deny = envoyDenyNoQuote
		}
		return envoyField{op: envoyOpStartTime, tl: tl, deny: deny}
	case "REQ", "REQUEST_HEADER":
		return envoyRequestHeader(arg)
	case "RESP", "RESPONSE_HEADER":
		switch strings.ToUpper(strings.TrimSpace(arg)) {
		case "X-ENVOY-UPSTREAM-SERVICE-TIME":
			return envoyField{op: envoyOpServiceTime, deny: envoyDenyNum}
		case "ALLOW":
			return envoyField{op: envoyOpAllow, deny: envoyDenyNoQuote}
		}
		return envoyField{op: envoyOpSkip}
	case "PROTOCOL":
		return envoyField{op: envoyOpProto, deny: envoyDenyToken}
	case "RESPONSE_CODE":
		return envoyField{op: envoyOpStatus, deny: envoyDenyNum}
	case "RESPONSE_FLAGS":
		return envoyField{op: envoyOpFlags, deny: envoyDenyToken}
	case "RESPONSE_FLAGS_LONG":
		return envoyField{op: envoyOpFlagsLong, deny: envoyDenyToken}
	case "RESPONSE_CODE_DETAILS":
		// Never contains white space: filters replace spaces with '_' (docs/formats.md §2.2).
		return envoyField{op: envoyOpDetails, deny: envoyDenyToken}
	case "CONNECTION_TERMINATION_DETAILS":
		return envoyField{op: envoyOpTermination, deny: envoyDenyNoQuote}
	case "UPSTREAM_TRANSPORT_FAILURE_REASON":
		return envoyField{op: envoyOpTransportFailure, deny: envoyDenyNoQuote}
	case "DURATION":
		return envoyField{op: envoyOpDuration, deny: envoyDenyNum}
	case "UPSTREAM_HOST":
		return envoyField{op: envoyOpUpstreamHost, deny: envoyDenyToken}
	case "UPSTREAM_CLUSTER", "UPSTREAM_CLUSTER_RAW":
		return envoyField{op: envoyOpCluster, deny: envoyDenyToken}
	case "ROUTE_NAME":
		return envoyField{op: envoyOpRoute, deny: envoyDenyToken}
	case "DOWNSTREAM_REMOTE_ADDRESS", "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT":
		return envoyField{op: envoyOpRemote, deny: envoyDenyToken}
	case "DOWNSTREAM_DIRECT_REMOTE_ADDRESS", "DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT":
		return envoyField{op: envoyOpDirectRemote, deny: envoyDenyToken}
	case "TRACE_ID":
		return envoyField{op: envoyOpTraceID, deny: envoyDenyToken}
	case "UPSTREAM_REQUEST_ATTEMPT_COUNT":
		return envoyField{op: envoyOpAttempts, deny: envoyDenyNum}
	case "BYTES_SENT":
		return envoyField{op: envoyOpBytesSent, deny: envoyDenyNum}
	case "BYTES_RECEIVED", "REQUEST_DURATION", "REQUEST_TX_DURATION",
		"RESPONSE_DURATION", "RESPONSE_TX_DURATION", "UPSTREAM_WIRE_BYTES_SENT",
		"UPSTREAM_WIRE_BYTES_RECEIVED", "UPSTREAM_HEADER_BYTES_SENT", "UPSTREAM_HEADER_BYTES_RECEIVED",
		"DOWNSTREAM_WIRE_BYTES_SENT", "DOWNSTREAM_WIRE_BYTES_RECEIVED",
		"DOWNSTREAM_HEADER_BYTES_SENT", "DOWNSTREAM_HEADER_BYTES_RECEIVED",
		"REQUEST_HEADERS_BYTES", "RESPONSE_HEADERS_BYTES", "RESPONSE_TRAILERS_BYTES",
		"CONNECTION_ID", "UPSTREAM_CONNECTION_ID", "STREAM_ID":
		return envoyField{op: envoyOpSkip, deny: envoyDenyNum}
	case "UPSTREAM_LOCAL_ADDRESS", "UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT", "UPSTREAM_REMOTE_ADDRESS",
		"UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_LOCAL_ADDRESS",
		"DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_LOCAL_PORT", "DOWNSTREAM_REMOTE_PORT",
		"REQUESTED_SERVER_NAME", "HOSTNAME", "UPSTREAM_PROTOCOL":
		return envoyField{op: envoyOpSkip, deny: envoyDenyToken}
	}
	return envoyField{op: envoyOpSkip} // unknown: free text
}

// envoyRequestHeader maps %REQ(X?Y)% by its header names (case-insensitive).
func envoyRequestHeader(arg string) envoyField {
	arg = strings.ToUpper(strings.TrimSpace(arg))
	primary, alt, _ := strings.Cut(arg, "?")
	switch primary {
	case ":METHOD":
		return envoyField{op: envoyOpMethod, deny: envoyDenyToken}
	case "X-ENVOY-ORIGINAL-METHOD":
		return envoyField{op: envoyOpOrigMethod, deny: envoyDenyToken}
	case "X-ENVOY-ORIGINAL-PATH":
		if alt == ":PATH" {
			return envoyField{op: envoyOpPath, deny: envoyDenyNoSpace}
		}
		return envoyField{op: envoyOpOrigPath, deny: envoyDenyNoSpace}
	case ":PATH":
		return envoyField{op: envoyOpRoutedPath, deny: envoyDenyNoSpace}
	case ":AUTHORITY", "HOST":
		return envoyField{op: envoyOpAuthority, deny: envoyDenyToken}
	case ":SCHEME", "X-FORWARDED-PROTO":
		// Envoy always sets :scheme: from an absolute request URL, from a trusted downstream's
		// x-forwarded-proto, else from whether the downstream connection is TLS.
		return envoyField{op: envoyOpScheme, deny: envoyDenyToken}
	case "X-FORWARDED-FOR":
		return envoyField{op: envoyOpXFF, deny: envoyDenyNoQuote}
	case "USER-AGENT":
		return envoyField{op: envoyOpUserAgent}
	case "X-REQUEST-ID":
		return envoyField{op: envoyOpRequestID, deny: envoyDenyNoSpace}
	case "TRACEPARENT":
		return envoyField{op: envoyOpTraceparent, deny: envoyDenyNoSpace}
	case "X-AMZN-TRACE-ID":
		return envoyField{op: envoyOpAmzn, deny: envoyDenyNoSpace}
	case "B3", "X-B3-TRACEID":
		return envoyField{op: envoyOpB3, deny: envoyDenyNoSpace}
	case "ORIGIN":
		return envoyField{op: envoyOpOrigin, deny: envoyDenyNoSpace}
	case "ACCESS-CONTROL-REQUEST-METHOD":
		return envoyField{op: envoyOpACRMethod, deny: envoyDenyToken}
	}
	return envoyField{op: envoyOpSkip}
}

// Parse parses one access log line into rec.
func (p *EnvoyParser) Parse(line []byte, rec *Record) error {
	for len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(bytes.TrimSpace(line)) == 0 {
		return ErrBlank
	}
	p.arena.reset()
	p.st = envoyState{}
	rec.Format = FormatEnvoy
	if p.json != nil {
		return p.parseJSON(line, rec)
	}
	if err := p.matchLine(line); err != nil {
		return err
	}
	for i := range p.fields {
		f := &p.fields[i]
		sp := p.spans[i]
		if !p.apply(rec, f.op, f.tl, line[sp.start:sp.end]) {
			return fmt.Errorf("bad %s %q at byte %d", f.text, line[sp.start:sp.end], sp.start)
		}
	}
	p.finish(rec)
	return nil
}

// matchLine finds every field's span in line. It first requires the format's last literal to
// end the line; when that fails it accepts trailing text after it (an appended field, a
// collector's suffix), so a line is only rejected when its format does not match at all.
func (p *EnvoyParser) matchLine(line []byte) error {
	p.errSet, p.errPos, p.errField = false, -1, -1
	p.curLen = len(line)
	if !bytes.HasPrefix(line, p.prefix) {
		n := 0
		for n < len(line) && n < len(p.prefix) && line[n] == p.prefix[n] {
			n++
		}
		return fmt.Errorf("expected %q at byte %d", p.prefix, n)
	}
	if p.matchFast(line) {
		return nil
	}
	for _, strict := range [2]bool{true, false} {
		p.strict, p.memoOn, p.budget = strict, false, envoyMatchBudget
		if p.match(line, 0, len(p.prefix)) {
			return nil
		}
		if p.budget < 0 {
			return fmt.Errorf("line too ambiguous for the format: gave up after %d splits", envoyMatchBudget)
		}
	}
	if p.errField < 0 {
		return errors.New("line does not match the format")
	}
	f := &p.fields[p.errField]
	if len(f.after) == 0 {
		return fmt.Errorf("unexpected text after %s at byte %d", f.text, p.errPos)
	}
	return fmt.Errorf("expected %q after %s at byte %d", f.after, f.text, p.errPos)
}

// matchFast is the first path of match's strict pass without the recursion: every value ends
// at the first place envoyNext finds, and the last literal ends the line. It gives up (false)
// wherever match would fail or look further, and matchLine then runs match from the start;
// when it succeeds, the spans are those match would have found first. TestEnvoyNextSame and
// FuzzEnvoyNextSame (envoy_next_test.go) compare matchLine with the matcher as it was.
func (p *EnvoyParser) matchFast(line []byte) bool {
	n := len(p.fields)
	if n >= envoyMatchBudget { // match's budget would end its pass first
		return false
	}
	pos := len(p.prefix)
	for i := 0; i < n; i++ {
		f := &p.fields[i]
		last := i == n-1
		if len(f.after) == 0 {
			end := pos
			if last {
				end = len(line)
				if envoyScan(f.deny, line, pos, end) >= 0 {
					return false
				}
			}
			p.spans[i] = envoySpan{pos, end}
			pos = end
			continue
		}
		if last {
			end := len(line) - len(f.after)
			if end < pos || !bytes.Equal(line[end:], f.after) || envoyScan(f.deny, line, pos, end) >= 0 {
				return false
			}
			p.spans[i] = envoySpan{pos, end}
			return true
		}
		end, _ := envoyNext(f, line, pos, pos)
		if end < 0 {
			return false
		}
		p.spans[i] = envoySpan{pos, end}
		pos = end + len(f.after)
	}
	return true
}

// match matches fields[i:] against line[pos:]. A field's value ends at the first occurrence of
// its terminating literal that the rest of the line accepts; failed (field, position) pairs are
// remembered so that lines full of terminators cannot make the search exponential.
func (p *EnvoyParser) match(line []byte, i, pos int) bool {
	if i == len(p.fields) {
		return true
	}
	if p.budget--; p.budget < 0 {
		return false
	}
	if p.memoOn && p.memoHas(i, pos) {
		return false
	}
	f := &p.fields[i]
	last := i == len(p.fields)-1
	if len(f.after) == 0 {
		end := pos
		if last {
			// The last field takes the rest of the line; in the second pass only as far as
			// its value may reach.
			end = len(line)
			if bad := envoyScan(f.deny, line, pos, end); bad >= 0 {
				p.fail(i, bad)
				if p.strict {
					return p.memoFail(i, pos)
				}
				end = bad
			}
		}
		// Adjacent operators without a literal between them cannot be told apart: the last
		// one takes the text.
		p.spans[i] = envoySpan{pos, end}
		if p.match(line, i+1, end) {
			return true
		}
		return p.memoFail(i, pos)
	}
	if last && p.strict {
		// Parse the tail from the right: the final literal ends the line.
		end := len(line) - len(f.after)
		if end < pos || !bytes.Equal(line[end:], f.after) {
			p.fail(i, len(line))
			return p.memoFail(i, pos)
		}
		if bad := envoyScan(f.deny, line, pos, end); bad >= 0 {
			p.fail(i, bad)
			return p.memoFail(i, pos)
		}
		p.spans[i] = envoySpan{pos, end}
		return true
	}
	checked, from := pos, pos
	for {
		end, bad := envoyNext(f, line, checked, from)
		if end < 0 {
			p.fail(i, bad)
			break
		}
		checked = end
		p.spans[i] = envoySpan{pos, end}
		if p.match(line, i+1, end+len(f.after)) {
			return true
		}
		if p.budget < 0 {
			return false
		}
		from = end + 1
	}
	return p.memoFail(i, pos)
}

// envoyNext finds the next place the value of f may end: the first occurrence of f.after at or
// after from, provided line[checked:end] holds no byte f.deny forbids (end, -1); else where the
// search failed (-1, bad): the first forbidden byte from checked, or len(line). It is one scan
// for the literal and the forbidden bytes together where the field has a table, instead of a
// search for the literal followed by a scan of the value.
func envoyNext(f *envoyField, line []byte, checked, from int) (end, bad int) {
	after := f.after
	if f.stop == nil {
		if f.deny == nil {
			// Free text: the literal's first occurrence.
			for j := from; j < len(line); {
				k := bytes.IndexByte(line[j:], after[0])
				if k < 0 {
					break
				}
				j += k
				if litAt(line, j, bstr(after), f.afterWord) {
					return j, -1
				}
				j++
			}
			return -1, len(line)
		}
		// Not reached: CompileEnvoy gives every field with a table and a literal its stop table.
		k := bytes.Index(line[from:], after)
		if k < 0 {
			if b := envoyScan(f.deny, line, checked, len(line)); b >= 0 {
				return -1, b
			}
			return -1, len(line)
		}
		if b := envoyScan(f.deny, line, checked, from+k); b >= 0 {
			return -1, b
		}
		return from + k, -1
	}
	deny, stop := f.deny, f.stop
	for j := checked; j < from; j++ { // the literal's first byte of the candidate before
		if deny[line[j]] {
			return -1, j
		}
	}
	c0 := after[0]
	j := from
	for {
		if f.swar {
			// To the first word holding a stop byte: the lowest byte zeroBytes flags is the
			// first of them (it flags no byte below a match).
			w := &f.stopWords
			m := uint64(0)
			for ; j+8 <= len(line); j += 8 {
				x := binary.LittleEndian.Uint64(line[j:])
				if m = zeroBytes(x^w[0]) | zeroBytes(x^w[1]) | zeroBytes(x^w[2]) | zeroBytes(x^w[3]); m != 0 {
					break
				}
			}
			if m != 0 {
				j += bits.TrailingZeros64(m) / 8
			} else {
				for j < len(line) && !stop[line[j]] {
					j++
				}
			}
		} else {
			for j < len(line) && !stop[line[j]] {
				j++
			}
		}
		if j >= len(line) {
			return -1, len(line)
		}
		if line[j] == c0 && litAt(line, j, bstr(after), f.afterWord) {
			return j, -1
		}
		if deny[line[j]] {
			return -1, j
		}
		j++
	}
}

// envoyMatchBudget caps the candidate splits tried per line and pass. A normal line needs one
// per field; a user agent full of `" "` a few more. Without a cap, formats with several
// free-text fields make hostile lines quadratic even with the memo table.
const envoyMatchBudget = 1 << 14

// envoyScan returns the index of the first byte of line[from:to] that deny forbids, or -1.
func envoyScan(deny *[256]bool, line []byte, from, to int) int {
	if deny == nil {
		return -1
	}
	j := from
	if deny == envoyDenyToken || deny == envoyDenyNoSpace || deny == envoyDenyNoQuote {
		// These deny no byte but a space, a tab or a quote: eight bytes at a time to the first
		// word that holds one of them, then the table.
		for ; j+8 <= to; j += 8 {
			x := binary.LittleEndian.Uint64(line[j:])
			if zeroBytes(x^(jLo8*' '))|zeroBytes(x^(jLo8*'\t'))|zeroBytes(x^(jLo8*'"')) != 0 {
				break
			}
		}
	}
	for ; j < to; j++ {
		if deny[line[j]] {
			return j
		}
	}
	return -1
}

// fail records the furthest point a match got to, for the error message.
func (p *EnvoyParser) fail(i, pos int) {
	if !p.errSet || pos > p.errPos {
		p.errSet, p.errPos, p.errField = true, pos, i
	}
}

// memoFail remembers that fields[i:] cannot match at pos and returns false. The table is set up
// on the first failure of a pass, so lines that match at the first try never touch it.
func (p *EnvoyParser) memoFail(i, pos int) bool {
	if p.curLen > 1<<16 {
		return false // the table would be large; the budget alone bounds the work
	}
	if !p.memoOn {
		p.memoOn = true
		n := (len(p.fields)*(p.curLen+1) + 63) / 64
		if cap(p.memo) < n {
			p.memo = make([]uint64, n)
		} else {
			p.memo = p.memo[:n]
			clear(p.memo)
		}
	}
	bit := i*(p.curLen+1) + pos // rows are fields, columns positions
	if bit/64 < len(p.memo) {
		p.memo[bit/64] |= 1 << (bit % 64)
	}
	return false
}

func (p *EnvoyParser) memoHas(i, pos int) bool {
	bit := i*(p.curLen+1) + pos
	return bit/64 < len(p.memo) && p.memo[bit/64]&(1<<(bit%64)) != 0
}

// apply stores one operator's value. It reports false when a value that must parse does not.
func (p *EnvoyParser) apply(rec *Record, op envoyOp, tl *envoyTimeLayout, v []byte) bool {
	st := &p.st
	if op != envoyOpSkip {
		st.anyRecognised = true
	}
	switch op {
	case envoyOpDetails:
		st.detailsLogged = true
	case envoyOpUpstreamHost:
		st.hostLogged = true
	case envoyOpAttempts:
		st.attemptsLogged = !dash(v)
	}
	if dash(v) {
		return true
	}
	switch op {
	case envoyOpStartTime:
		if tl == nil {
			tl = envoyTimeAnyLayout
		}
		var t time.Time
		var ok bool
		if tl.mode == envoyTimeISO {
			// tl.parse without the conversion of a second already seen (isoTimeCache).
			if t, ok = p.tc.parse(v); !ok {
				t, ok = parseAnyTime(v)
			}
		} else {
			t, ok = tl.parse(v)
		}
		if !ok {
			return false
		}
		st.start, st.hasStart = t, true
	case envoyOpMethod:
		st.method = v
	case envoyOpOrigMethod:
		st.origMethod = v
	case envoyOpPath:
		st.path = v
	case envoyOpOrigPath:
		st.origPath = v
	case envoyOpRoutedPath:
		st.routed = v
	case envoyOpProto:
		rec.Proto = bstr(v)
	case envoyOpStatus:
		n, ok := envoyInt(v)
		if !ok || n > 999 {
			return false
		}
		rec.Status = int(n)
	case envoyOpFlags:
		st.flags = v
	case envoyOpFlagsLong:
		st.flagsLong = v
	case envoyOpDetails:
		st.details = v
	case envoyOpTermination:
		st.term = v
	case envoyOpTransportFailure:
		st.transport = v
	case envoyOpDuration:
		if n, ok := envoyInt(v); ok {
			st.durMS, st.hasDur = n, true
		}
	case envoyOpServiceTime:
		st.serviceTime = v
	case envoyOpUpstreamHost:
		st.upstreamHost = v
	case envoyOpCluster:
		rec.Service = bstr(v)
	case envoyOpRoute:
		st.route = v
	case envoyOpRemote:
		st.remote = v
	case envoyOpDirectRemote:
		st.directRemote = v
	case envoyOpXFF:
		st.xff = v
	case envoyOpAuthority:
		rec.Host = bstr(stripDefaultPort(v))
	case envoyOpScheme:
		if rec.Scheme == "" { // the first of :scheme and x-forwarded-proto the format logs
			switch string(v) {
			case "https":
				rec.Scheme = "https"
			case "http":
				rec.Scheme = "http"
			}
		}
	case envoyOpAttempts:
		if n, ok := envoyInt(v); ok {
			st.attempts = int(n)
		} else {
			st.attemptsLogged = false
		}
	case envoyOpBytesSent:
		if n, ok := envoyInt(v); ok {
			rec.BytesSent = n
		}
	default:
		setField(rec, envoyFields[op], v, &p.arena)
	}
	return true
}

// envoyFields gives the operators that fill a Record field as every template format does.
var envoyFields = [envoyNumOps]field{
	envoyOpUserAgent: fieldUserAgent, envoyOpRequestID: fieldRequestID,
	envoyOpTraceparent: fieldTraceparent, envoyOpTraceID: fieldTraceID, envoyOpAmzn: fieldAmzn,
	envoyOpB3: fieldB3, envoyOpAllow: fieldAllow, envoyOpOrigin: fieldOrigin,
	envoyOpACRMethod: fieldACRMethod,
}

// envoyInt reads a non-negative integer; a fraction (typed JSON may write 3.0) is dropped.
func envoyInt(v []byte) (int64, bool) {
	if i := bytes.IndexByte(v, '.'); i >= 0 {
		v = v[:i]
	}
	n, ok := parseInt(v)
	return int64(n), ok
}

// finish settles the fields that depend on several operators (docs/formats.md §2.6).
func (p *EnvoyParser) finish(rec *Record) {
	st := &p.st
	if len(st.origMethod) > 0 {
		rec.Method = bstr(st.origMethod)
	} else if len(st.method) > 0 {
		rec.Method = bstr(st.method)
	}

	// Path is what the client sent; RoutedPath what the route made of it, when it differs.
	client := st.path
	if len(client) == 0 {
		client = st.origPath
	}
	if len(client) == 0 {
		client = st.routed
	}
	setURI(rec, client)
	if len(st.routed) > 0 && rec.Path != "" {
		r := st.routed
		if i := indexAny2(r, '?', '#'); i >= 0 {
			r = r[:i]
		}
		if string(r) != rec.Path {
			rec.RoutedPath = bstr(r)
		}
	}

	if len(st.remote) > 0 {
		setClient(rec, st.remote)
	}
	if rec.ClientIP == "" && len(st.directRemote) > 0 {
		setClient(rec, st.directRemote)
	}
	rec.Peer = rec.ClientIP
	if !dash(st.xff) {
		rec.ForwardedFor = bstr(st.xff)
	}
	settleClient(rec, nil)

	if st.hasDur {
		rec.Duration = time.Duration(st.durMS) * time.Millisecond
	}
	if st.hasStart {
		rec.Start = st.start
		rec.Time = st.start
		if st.hasDur {
			rec.Time = st.start.Add(rec.Duration)
		}
	}
	if len(st.upstreamHost) > 0 {
		rec.UpstreamAddr = bstr(st.upstreamHost)
	}

	d := p.detail[:0]
	flags := st.flags
	if len(flags) == 0 {
		flags = st.flagsLong
	}
	d = envoyAppendDetail(d, "flags=", flags)
	d = envoyAppendDetail(d, "details=", st.details)
	d = envoyAppendDetail(d, "route=", st.route)
	d = envoyAppendDetail(d, "termination=", st.term)
	d = envoyAppendDetail(d, "transport_failure=", st.transport)
	p.detail = d
	rec.Detail = bstr(d)

	switch {
	case len(st.details) > 0:
		if string(st.details) == "via_upstream" {
			rec.Local = LocalNo
		} else {
			rec.Local = LocalYes
		}
	case st.hostLogged && len(st.upstreamHost) == 0:
		rec.Local = LocalYes // no upstream host was chosen: Envoy answered
	case st.hostLogged && isDigits(st.serviceTime):
		rec.Local = LocalNo // an upstream answered and its service time came back with it
	case st.attemptsLogged && st.attempts == 0:
		rec.Local = LocalYes // never sent upstream
	}
	if rec.Local == LocalNo && rec.Status > 0 {
		rec.AppendUpstream(rec.Status)
	}
}

func envoyAppendDetail(d []byte, key string, v []byte) []byte {
	if len(v) == 0 {
		return d
	}
	if len(d) > 0 {
		d = append(d, ' ')
	}
	d = append(d, key...)
	return append(d, v...)
}

// START_TIME formats. Envoy formats START_TIME with absl/strftime specifiers plus %s, %f and
// %[1-9]f (docs: access_log/usage.rst); the default is RFC 3339 in UTC with milliseconds.

const (
	envoyTimeISO   uint8 = iota // default START_TIME: RFC 3339
	envoyTimeAny                // a specifier we do not read: try every known shape
	envoyTimeSteps              // compiled specifiers
)

// envoyTimeLayout is a compiled START_TIME format.
type envoyTimeLayout struct {
	mode uint8
	toks []envoyTimeTok
}

// envoyTimeTok is one specifier ('Y', 'm', … as in strftime; 'L' a literal byte; 'E' seconds
// with a fraction of n digits, n < 0 for any; 'f' a fraction of n digits, 0 for any).
type envoyTimeTok struct {
	k   byte
	n   int8
	lit byte
}

var envoyTimeAnyLayout = &envoyTimeLayout{mode: envoyTimeAny}

func envoyCompileTime(f string) *envoyTimeLayout {
	if f == "" {
		return &envoyTimeLayout{mode: envoyTimeISO}
	}
	l := &envoyTimeLayout{mode: envoyTimeSteps}
	add := func(ks string) {
		for i := 0; i < len(ks); i++ {
			if ks[i] == ':' || ks[i] == '-' || ks[i] == '/' {
				l.toks = append(l.toks, envoyTimeTok{k: 'L', lit: ks[i]})
			} else {
				l.toks = append(l.toks, envoyTimeTok{k: ks[i]})
			}
		}
	}
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			l.toks = append(l.toks, envoyTimeTok{k: 'L', lit: f[i]})
			continue
		}
		i++
		switch c := f[i]; c {
		case 'Y', 'm', 'd', 'H', 'M', 'S', 'y', 'e', 'b', 'h', 'z', 'Z', 's':
			if c == 'h' {
				c = 'b'
			}
			l.toks = append(l.toks, envoyTimeTok{k: c})
		case 'f':
			l.toks = append(l.toks, envoyTimeTok{k: 'f'})
		case 'T':
			add("H:M:S")
		case 'F':
			add("Y-m-d")
		case 'R':
			add("H:M")
		case 'D':
			add("m/d/y")
		case '%':
			l.toks = append(l.toks, envoyTimeTok{k: 'L', lit: '%'})
		case 'E':
			switch {
			case i+1 < len(f) && f[i+1] == 'z':
				l.toks = append(l.toks, envoyTimeTok{k: 'z'})
				i++
			case i+2 < len(f) && f[i+1] == '*' && f[i+2] == 'S':
				l.toks = append(l.toks, envoyTimeTok{k: 'E', n: -1})
				i += 2
			case i+2 < len(f) && f[i+1] >= '0' && f[i+1] <= '9' && f[i+2] == 'S':
				l.toks = append(l.toks, envoyTimeTok{k: 'E', n: int8(f[i+1] - '0')})
				i += 2
			default:
				return envoyTimeAnyLayout
			}
		default:
			if c >= '1' && c <= '9' && i+1 < len(f) && f[i+1] == 'f' {
				l.toks = append(l.toks, envoyTimeTok{k: 'f', n: int8(c - '0')})
				i++
				continue
			}
			return envoyTimeAnyLayout
		}
	}
	return l
}

// envoyFrac reads up to want digits (any number when want <= 0) as nanoseconds.
func envoyFrac(b []byte, want int) (nsec, n int, ok bool) {
	scale := 100000000
	for n < len(b) && b[n] >= '0' && b[n] <= '9' && (want <= 0 || n < want) {
		nsec += int(b[n]-'0') * scale
		scale /= 10
		n++
	}
	return nsec, n, n > 0 && (want <= 0 || n == want)
}

func (l *envoyTimeLayout) parse(b []byte) (time.Time, bool) {
	switch l.mode {
	case envoyTimeISO:
		if t, ok := parseISOTime(b); ok {
			return t, true
		}
		return parseAnyTime(b)
	case envoyTimeAny:
		return parseAnyTime(b)
	}
	year, mon, day, hh, mi, ss, nsec, off := 1970, 1, 1, 0, 0, 0, 0, 0
	var epoch int64
	hasEpoch := false
	i := 0
	for _, t := range l.toks {
		var v, n int
		ok := true
		switch t.k {
		case 'L':
			ok = i < len(b) && b[i] == t.lit
			n = 1
		case 'Y':
			v, ok = digits(b[i:], 4)
			year, n = v, 4
		case 'm', 'd', 'H', 'M', 'S', 'y', 'E':
			v, ok = digits(b[i:], 2)
			n = 2
			switch t.k {
			case 'm':
				mon = v
			case 'd':
				day = v
			case 'H':
				hh = v
			case 'M':
				mi = v
			case 'S', 'E':
				ss = v
			case 'y':
				year = 2000 + v
				if v >= 69 {
					year = 1900 + v
				}
			}
			if ok && t.k == 'E' && t.n != 0 && i+2 < len(b) && b[i+2] == '.' {
				var fn int
				nsec, fn, ok = envoyFrac(b[i+3:], int(t.n))
				n += 1 + fn
			} else if ok && t.k == 'E' && t.n > 0 {
				ok = false
			}
		case 'e':
			if i < len(b) && b[i] == ' ' {
				i++
			}
			v, ok = digits(b[i:], 2)
			n = 2
			if !ok {
				v, ok = digits(b[i:], 1)
				n = 1
			}
			day = v
		case 'b':
			var m time.Month
			m, ok = month3(b[i:])
			mon, n = int(m), 3
		case 'z':
			off, n, ok = parseOffset(b[i:])
		case 'Z':
			for n < len(b)-i && (b[i+n] >= 'A' && b[i+n] <= 'Z' || b[i+n] >= 'a' && b[i+n] <= 'z') {
				n++
			}
			ok = n > 0
		case 's':
			for n < len(b)-i && n < 12 && b[i+n] >= '0' && b[i+n] <= '9' {
				epoch = epoch*10 + int64(b[i+n]-'0')
				n++
			}
			ok, hasEpoch = n > 0, true
		case 'f':
			nsec, n, ok = envoyFrac(b[i:], int(t.n))
			if ok && t.n == 0 { // %f is 9 digits, but tolerate more
				for n < len(b)-i && b[i+n] >= '0' && b[i+n] <= '9' {
					n++
				}
			}
		}
		if !ok {
			return time.Time{}, false
		}
		i += n
	}
	if i != len(b) {
		return time.Time{}, false
	}
	if hasEpoch {
		return time.Unix(epoch, int64(nsec)).UTC(), true
	}
	if mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 24 || mi > 59 || ss > 60 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(mon), day, hh, mi, ss, nsec, time.UTC)
	return t.Add(-time.Duration(off) * time.Second), true
}

// JSON access logs: json_format writes every value as a string ("-" when unset);
// typed_json_format writes numbers as numbers and unset values as null (docs/formats.md §2.2).

// envoyJSONWellKnown names the keys NewEnvoyJSON understands: Envoy Gateway's default keys,
// Istio's JSON encoding keys, and header names used as keys.
var envoyJSONWellKnown = map[string]envoyOp{
	"start_time":                        envoyOpStartTime,
	"method":                            envoyOpMethod,
	"request_method":                    envoyOpMethod,
	":method":                           envoyOpMethod,
	"x-envoy-original-method":           envoyOpOrigMethod,
	"x-envoy-origin-path":               envoyOpPath,
	"x-envoy-original-path":             envoyOpPath,
	"path":                              envoyOpPath,
	":path":                             envoyOpRoutedPath,
	"protocol":                          envoyOpProto,
	"response_code":                     envoyOpStatus,
	"response_flags":                    envoyOpFlags,
	"bytes_sent":                        envoyOpBytesSent,
	"response_flags_long":               envoyOpFlagsLong,
	"response_code_details":             envoyOpDetails,
	"connection_termination_details":    envoyOpTermination,
	"upstream_transport_failure_reason": envoyOpTransportFailure,
	"duration":                          envoyOpDuration,
	"x-envoy-upstream-service-time":     envoyOpServiceTime,
	"upstream_service_time":             envoyOpServiceTime,
	"upstream_host":                     envoyOpUpstreamHost,
	"upstream_cluster":                  envoyOpCluster,
	"upstream_cluster_raw":              envoyOpCluster,
	"route_name":                        envoyOpRoute,
	"downstream_remote_address":         envoyOpRemote,
	"downstream_direct_remote_address":  envoyOpDirectRemote,
	"x-forwarded-for":                   envoyOpXFF,
	"x_forwarded_for":                   envoyOpXFF,
	"user-agent":                        envoyOpUserAgent,
	"user_agent":                        envoyOpUserAgent,
	"x-request-id":                      envoyOpRequestID,
	"x_request_id":                      envoyOpRequestID,
	"request_id":                        envoyOpRequestID,
	":authority":                        envoyOpAuthority,
	"authority":                         envoyOpAuthority,
	"host":                              envoyOpAuthority,
	":scheme":                           envoyOpScheme,
	"x-forwarded-proto":                 envoyOpScheme,
	"traceparent":                       envoyOpTraceparent,
	"trace_id":                          envoyOpTraceID,
	"x-amzn-trace-id":                   envoyOpAmzn,
	"b3":                                envoyOpB3,
	"x-b3-traceid":                      envoyOpB3,
	"allow":                             envoyOpAllow,
	"origin":                            envoyOpOrigin,
	"access-control-request-method":     envoyOpACRMethod,
	"upstream_request_attempt_count":    envoyOpAttempts,
}

// NewEnvoyJSON returns a parser for Envoy JSON access logs whose keys follow common practice:
// Envoy Gateway's default keys (start_time, method, x-envoy-origin-path, response_code, …),
// Istio's JSON keys (path, authority, user_agent, request_id, …) and header names. Keys are
// matched case-insensitively; nested objects are read with dotted keys.
func NewEnvoyJSON() *EnvoyParser {
	p := &EnvoyParser{json: make(map[string]envoyJSONKey, len(envoyJSONWellKnown))}
	for k, op := range envoyJSONWellKnown {
		jk := envoyJSONKey{op: op}
		if op == envoyOpStartTime {
			jk.tl = envoyTimeAnyLayout
		}
		p.json[k] = jk
	}
	return p
}

// CompileEnvoyJSON returns a parser for JSON access logs written with a json_format (or
// typed_json_format) block; fields maps each JSON key (dotted for nested objects) to its
// format string, e.g. "status": "%RESPONSE_CODE%". Values that mix several operators with
// text are matched like a text format; constant values are ignored.
func CompileEnvoyJSON(fields map[string]string) (*EnvoyParser, error) {
	p := &EnvoyParser{json: make(map[string]envoyJSONKey, len(fields))}
	for key, format := range fields {
		if !strings.Contains(format, "%") {
			continue
		}
		if format[0] == '%' {
			f, n, err := envoyCompileOperator(format)
			if err == nil && n == len(format) {
				p.json[strings.ToLower(key)] = envoyJSONKey{op: f.op, tl: f.tl}
				continue
			}
		}
		sub, err := CompileEnvoy(format)
		if err != nil {
			return nil, fmt.Errorf("json key %q: %w", key, err)
		}
		p.json[strings.ToLower(key)] = envoyJSONKey{sub: sub}
	}
	if len(p.json) == 0 {
		return nil, errors.New("envoy json format: no command operators")
	}
	return p, nil
}

// parseJSON reads one JSON object line.
func (p *EnvoyParser) parseJSON(line []byte, rec *Record) error {
	line = bytes.TrimSpace(line)
	if line[0] != '{' {
		return fmt.Errorf("expected '{' at byte 0, found %q", line[0])
	}
	if !gjson.ValidBytes(line) {
		return errors.New("invalid JSON object")
	}
	if err := p.jsonObject(gjson.Parse(bstr(line)), rec, 0, 0); err != nil {
		return err
	}
	if !p.st.anyRecognised {
		return errors.New("no Envoy access log keys in JSON object")
	}
	p.finish(rec)
	return nil
}

// jsonObject applies the members of obj; keys of nested objects get the parent key and a dot
// in front, built in p.keyBuf[:prefix].
func (p *EnvoyParser) jsonObject(obj gjson.Result, rec *Record, prefix, depth int) error {
	var err error
	obj.ForEach(func(key, value gjson.Result) bool {
		kb := append(p.keyBuf[:prefix], key.Str...)
		for i := prefix; i < len(kb); i++ {
			if 'A' <= kb[i] && kb[i] <= 'Z' {
				kb[i] += 'a' - 'A'
			}
		}
		p.keyBuf = kb
		var v []byte
		switch value.Type {
		case gjson.String:
			v = sbytes(value.Str)
		case gjson.Number:
			v = sbytes(value.Raw)
		case gjson.JSON:
			if depth < 8 && len(value.Raw) > 0 && value.Raw[0] == '{' {
				p.keyBuf = append(p.keyBuf, '.')
				err = p.jsonObject(value, rec, len(p.keyBuf), depth+1)
				return err == nil
			}
			return true
		default: // null, true, false
			return true
		}
		jk, ok := p.json[string(p.keyBuf)]
		if !ok {
			return true
		}
		if jk.sub != nil {
			err = p.jsonSub(jk.sub, rec, v, key.Str)
			return err == nil
		}
		if !p.apply(rec, jk.op, jk.tl, v) {
			err = fmt.Errorf("bad value %q of key %q", v, key.Str)
			return false
		}
		return true
	})
	return err
}

// jsonSub matches a value that holds several operators and applies them to p's record.
func (p *EnvoyParser) jsonSub(sub *EnvoyParser, rec *Record, v []byte, key string) error {
	if err := sub.matchLine(v); err != nil {
		return fmt.Errorf("key %q: %w", key, err)
	}
	for i := range sub.fields {
		f := &sub.fields[i]
		sp := sub.spans[i]
		if !p.apply(rec, f.op, f.tl, v[sp.start:sp.end]) {
			return fmt.Errorf("key %q: bad %s %q", key, f.text, v[sp.start:sp.end])
		}
	}
	return nil
}
