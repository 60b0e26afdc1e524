// Package parsers turns access and application log lines of every supported format into one
// normalised Record, and reads inputs (files, globs, directories, stdin, gzip) line by line.
//
// A Parser fills a caller-provided *Record from one line. The strings it sets may alias the line
// and the parser's own scratch buffer: they are valid until the next call to Parse on the same
// parser. A caller that keeps a record calls Record.Clone, which copies every string into a
// single allocation. This keeps the hot path free of per-line allocations.
package parsers

import (
	"errors"
	"strings"
	"time"
	"unsafe"
)

// Format names, as they appear in Record.Format and on the command line.
const (
	FormatNginx = "nginx"
	FormatEnvoy = "envoy"
	FormatALB   = "alb"
	FormatApp   = "app"

	FormatApache  = "apache"  // Apache httpd access logs (parsers/apache.go)
	FormatHAProxy = "haproxy" // HAProxy HTTP logs (parsers/haproxy.go)
	FormatCaddy   = "caddy"   // Caddy JSON access logs (parsers/caddy.go)
	FormatTraefik = "traefik" // Traefik CLF and JSON access logs (parsers/traefik.go)
)

// Local says whether a hop generated the response itself, from the format's own evidence.
type Local int8

const (
	// LocalUnknown means the record carries no evidence either way.
	LocalUnknown Local = iota
	// LocalYes means the hop generated the response itself (no upstream answered).
	LocalYes
	// LocalNo means the hop relayed the next hop's response.
	LocalNo
)

// String returns "true", "false" or "unknown".
func (l Local) String() string {
	switch l {
	case LocalYes:
		return "true"
	case LocalNo:
		return "false"
	}
	return "unknown"
}

// IDs holds a request's identifiers by kind, each normalised so that the same id written by two
// hops compares equal: lower-case, with "-", empty, "null", "0" and all-zero values left empty.
type IDs struct {
	// RequestID is X-Request-ID (or an app's request id). A 36-character UUID has its index 14
	// (the version nibble Envoy rewrites to record its tracing decision) reset to '4'.
	RequestID string
	// NginxRequestID is nginx's per-hop $request_id when a different X-Request-ID was also logged.
	NginxRequestID string
	// TraceID is a W3C/OpenTelemetry trace id: 32 lower-case hex digits.
	TraceID string
	// AmznRoot is the Root of X-Amzn-Trace-Id: "1-<8 hex>-<24 hex>".
	AmznRoot string
	// B3TraceID is a B3 trace id: 16 or 32 lower-case hex digits.
	B3TraceID string
}

// Empty reports whether no id is known.
func (ids *IDs) Empty() bool {
	return ids.RequestID == "" && ids.NginxRequestID == "" && ids.TraceID == "" &&
		ids.AmznRoot == "" && ids.B3TraceID == ""
}

// Record is one hop's view of one request, whatever the format or source.
//
// The fields come in the order the analysis engine reads them: it takes every record on one
// goroutine, most parsed on another core, and each 64-byte line of the record it touches is a
// cache miss there. The first lines hold what it reads of every record; those from URI on, what it
// reads of few. The merge prefetches the lines before URI (recordHot, run.go).
type Record struct {
	Time   time.Time // end of the request (log write time); zero when unknown
	Status int       // status sent to the client by this hop; 0 when unknown
	// Upstream lists the statuses of every attempt to reach the next hop, in order; -1 stands
	// for an attempt without a status ("-"). Nil when the format does not log it.
	Upstream []int
	Local    Local
	// ErrorLine marks an application's error line about a request's method (Django's "Method
	// Not Allowed (POST): /x", Spring's HttpRequestMethodNotSupportedException, …): evidence
	// about a request, not a request of its own. Status is the 405 the application answered,
	// Allow the supported methods when the line names them, Detail "error line: <message>".
	ErrorLine bool
	Line      int64  // 1-based line number in File
	File      string // input name; with Line it makes the record's source
	Layer     string // the hop's layer name (edge, ingress, app, …)
	Format    string // FormatNginx, FormatEnvoy, FormatALB or FormatApp

	Method       string
	Path         string // URI without the query; for a hop that rewrites, what the client sent
	Host         string
	Service      string // upstream group, cluster, target group or service name, where logged
	UpstreamAddr string // address(es) of the next hop, as logged ("10.0.1.7:8080, 10.0.1.8:8080")
	Allow        string // Allow response header, where logged
	Origin       string // Origin request header, where logged
	Detail       string // format-specific evidence: Envoy flags and details, ALB actions and error_reason, …
	UserAgent    string
	// ClientIP is the original client: the peer, or behind trusted proxies the first untrusted
	// address of X-Forwarded-For counted from the right (parsers/client.go).
	ClientIP string
	// BytesSent is the response body size this hop sent ($body_bytes_sent, ALB sent_bytes, an
	// app's response size); -1 when unknown. Joins without ids compare it across hops.
	BytesSent int64
	Start     time.Time     // start of the request where the format has it; zero otherwise
	Duration  time.Duration // -1 when unknown

	// Aux holds what a consumer derives from the record on the goroutine that parsed it
	// (Config.Merge runs its keep function there), so that the one goroutine that consumes
	// the merged records need not derive it again. Parsers never set it; Reset clears it and
	// Batch.Keep copies it with the record.
	Aux Aux

	upstreamBuf [8]int // backing store for Upstream, so that short lists do not allocate

	URI string // raw request target as the client sent it (path and query)
	// RoutedPath is the path this hop routed on when the format shows it differs from Path
	// (nginx $uri vs $request_uri, Envoy :path vs x-envoy-original-path, ALB transformed_uri).
	RoutedPath string
	Proto      string
	// Scheme is "https" or "http" when the hop's log says how the client connected to it (Caddy
	// logs a tls object for a TLS connection and none otherwise); empty when it does not.
	Scheme string

	ACRMethod string // Access-Control-Request-Method request header, where logged

	Peer         string // the address that connected to this hop, without port, where logged
	ForwardedFor string // X-Forwarded-For as this hop received it, where logged

	// Framework names the web framework or application server whose default log line this is
	// (gunicorn, django, gin, …; parsers/framework.go), for Format app; empty otherwise. It is
	// always a constant, never a view of the line.
	Framework string

	IDs IDs
}

// Aux is a consumer's scratch data about a record: a flag saying it was computed and a few
// 64-bit words whose meaning the consumer defines (analysis keeps hashes of the record's join
// keys, route and user agent here).
type Aux struct {
	Set   bool
	N     uint8
	Words [17]uint64
	// Ref is the consumer's handle on the record (analysis marks the records of a batch whose
	// hops read them until the merge is done with the batch); nil when it set none.
	Ref any
}

// Reset clears r for reuse, keeping its internal buffers.
func (r *Record) Reset() {
	// Zeroing and then setting the two fields only stores: Record{Duration: -1, BytesSent: -1}
	// is copied from a static template, a load for every store (a 750-byte record: 18 → 15 ns,
	// medians of 6 runs on the shared machine).
	*r = Record{}
	r.Duration, r.BytesSent = -1, -1
}

// AppendUpstream adds one upstream attempt's status (-1 for none), reusing r's own storage.
func (r *Record) AppendUpstream(status int) {
	if r.Upstream == nil {
		r.Upstream = r.upstreamBuf[:0]
	}
	r.Upstream = append(r.Upstream, status)
}

// LastUpstream returns the status of the last upstream attempt, or -1 when there is none.
func (r *Record) LastUpstream() int {
	if len(r.Upstream) == 0 {
		return -1
	}
	return r.Upstream[len(r.Upstream)-1]
}

// Clone returns a copy of r whose strings no longer alias any parser buffer. All strings share
// one allocation.
func (r *Record) Clone() *Record {
	c := new(Record)
	*c = *r
	fields := c.stringFields()
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(*f)
	}
	all := b.String()
	off := 0
	for _, f := range fields {
		l := len(*f)
		*f = all[off : off+l]
		off += l
	}
	if r.Upstream != nil {
		c.Upstream = c.upstreamBuf[:0]
		if len(r.Upstream) > len(c.upstreamBuf) {
			c.Upstream = make([]int, 0, len(r.Upstream))
		}
		c.Upstream = append(c.Upstream, r.Upstream...)
	}
	return c
}

// stringFields lists the fields that Clone copies. Layer, Format and File are not listed: they
// come from the input's configuration, never from a line buffer.
func (r *Record) stringFields() []*string {
	return []*string{&r.Method, &r.Host, &r.URI, &r.Path, &r.RoutedPath, &r.Proto,
		&r.UpstreamAddr, &r.Service, &r.Allow, &r.Origin, &r.ACRMethod, &r.ClientIP,
		&r.Peer, &r.ForwardedFor, &r.UserAgent, &r.Detail, &r.IDs.RequestID, &r.IDs.NginxRequestID, &r.IDs.TraceID,
		&r.IDs.AmznRoot, &r.IDs.B3TraceID}
}

// IsPreflight reports whether the record is a CORS preflight: OPTIONS with an Origin and an
// Access-Control-Request-Method.
func (r *Record) IsPreflight() bool {
	return r.Method == "OPTIONS" && r.Origin != "" && r.ACRMethod != ""
}

// Parser parses one line (without its line terminator) into rec, which the caller has Reset.
// It returns an error whose text is the reason when the line is not a record of its format.
type Parser interface {
	Parse(line []byte, rec *Record) error
}

// ErrBlank is returned for a line that holds only white space; readers skip such lines
// without counting them as rejected.
var ErrBlank = errors.New("blank line")

// ErrNotAccess is returned for a well-formed line that is not an access record: an
// application's other log lines ("listening on :8080"). Readers count such lines as skipped, not
// rejected: they are expected in an application log and are no reason for --strict to fail.
var ErrNotAccess = errors.New("no HTTP fields (method/path/status)")

// ErrContinued is returned for a line that is the first part of a record the next lines
// complete (a CRI partial line). Readers count it as skipped; the record is counted once, on the
// line that completes it.
var ErrContinued = errors.New("continued on the next line")

// bstr returns a string that aliases b. It is valid while b is not modified.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// sbytes views s as bytes without copying, for helpers that take bytes and only read them. The
// bytes must never be written.
func sbytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// arena is a parser's per-line scratch space for values that must be rewritten (unescaped,
// lower-cased). Strings handed out alias it until reset.
type arena struct{ buf []byte }

func (a *arena) reset() { a.buf = a.buf[:0] }

// add copies b into the arena and returns it as a string.
func (a *arena) add(b []byte) string { return bstr(a.alloc(b)) }

// alloc copies b into the arena and returns the copy.
func (a *arena) alloc(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	if cap(a.buf)-len(a.buf) < len(b) {
		// Start a fresh block: strings already handed out keep the old one alive.
		n := 2 * cap(a.buf)
		if n < 4096 {
			n = 4096
		}
		if n < len(b) {
			n = len(b)
		}
		a.buf = make([]byte, 0, n)
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	return a.buf[start:len(a.buf):len(a.buf)]
}

// lower returns b lower-cased, aliasing b when it has no upper-case ASCII letter.
func (a *arena) lower(b []byte) string {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			out := a.alloc(b)
			for j := i; j < len(out); j++ {
				if 'A' <= out[j] && out[j] <= 'Z' {
					out[j] += 'a' - 'A'
				}
			}
			return bstr(out)
		}
	}
	return bstr(b)
}
