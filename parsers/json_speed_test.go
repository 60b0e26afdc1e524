//go:build linux

package parsers

// The gjson-based Caddy and Traefik JSON parsers as they were before the forward scan
// (jsonObject in caddy.go), kept to check that the scan gives the same records and errors on
// any input: FuzzJSONScanSame.

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// legacyCaddy parses Caddy JSON access log lines. One parser serves one goroutine.
type legacyCaddy struct {
	a     arena
	det   []byte
	rec   *Record
	st    legacyCaddyState
	walk  func(k, v gjson.Result) bool
	rwalk func(k, v gjson.Result) bool
	hwalk func(k, v gjson.Result) bool
	owalk func(k, v gjson.Result) bool
}

type legacyCaddyState struct {
	keys         int
	access       bool
	upstreamHint bool // a response header only an upstream writes
	errTrace     string
	ts           float64
	dur          float64
	hasDur       bool
	remote       string
	tls          bool
}

// newLegacyCaddy returns a parser for Caddy JSON access log lines.
func newLegacyCaddy() *legacyCaddy {
	p := &legacyCaddy{}
	p.walk, p.rwalk, p.hwalk, p.owalk = p.visit, p.visitRequest, p.visitHeader, p.visitRespHeader
	return p
}

var errLegacyCaddy = errors.New("a Caddy log line, not an access record (no request object)")

// Parse implements Parser.
func (p *legacyCaddy) Parse(line []byte, rec *Record) error {
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
	p.rec, p.st = rec, legacyCaddyState{}
	rec.Format = FormatCaddy
	gjson.Parse(bstr(b)).ForEach(p.walk)
	st := &p.st
	if !st.access {
		if st.keys > 0 {
			return ErrNotAccess // Caddy's other log lines ("server running")
		}
		return errLegacyCaddy
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
	rec.Scheme = "http"
	if st.tls {
		rec.Scheme = "https"
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

func (p *legacyCaddy) note(s string) {
	if len(p.det) > 0 {
		p.det = append(p.det, "; "...)
	}
	p.det = append(p.det, s...)
}

func (p *legacyCaddy) visit(k, v gjson.Result) bool {
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

func (p *legacyCaddy) visitRequest(k, v gjson.Result) bool {
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
	case "tls":
		p.st.tls = v.IsObject()
	case "client_ip":
		rec.ClientIP = v.Str // Caddy 2.7+: the client after its trusted_proxies
	case "headers":
		v.ForEach(p.hwalk)
	}
	return true
}

// legacyCaddyFirst returns the first value of a header list (Caddy logs headers as lists), read from
// the raw text when it holds no escape.
func legacyCaddyFirst(v gjson.Result) string {
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

// legacyCaddyMany reports whether a header list has more than one value.
func legacyCaddyMany(v gjson.Result) bool {
	r := v.Raw
	if len(r) == 0 || r[0] != '[' {
		return false
	}
	first := legacyCaddyFirst(v)
	rest := strings.TrimLeft(r[min(len(r), 3+len(first)):], " ")
	return strings.HasPrefix(rest, ",")
}

func (p *legacyCaddy) visitHeader(k, v gjson.Result) bool {
	rec := p.rec
	name := k.Str
	switch len(name) {
	case 2, 6, 10, 11, 12, 15, 29: // the headers read below
	default:
		return true
	}
	val := legacyCaddyFirst(v)
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

func (p *legacyCaddy) visitRespHeader(k, v gjson.Result) bool {
	name := k.Str
	switch {
	case equalFoldASCII(name, "Allow"):
		p.rec.Allow = legacyCaddyFirst(v)
	case equalFoldASCII(name, "Date"), equalFoldASCII(name, "Via"):
		p.st.upstreamHint = true
	case equalFoldASCII(name, "Server"):
		// Caddy writes "Caddy"; an upstream's own Server value is appended by reverse_proxy.
		if legacyCaddyMany(v) || legacyCaddyFirst(v) != "Caddy" {
			p.st.upstreamHint = true
		}
	}
	return true
}

// legacyTraefik parses Traefik's JSON access log lines. One parser serves one goroutine.
type legacyTraefik struct {
	a    arena
	det  []byte
	rec  *Record
	st   legacyTraefikState
	walk func(k, v gjson.Result) bool
}

type legacyTraefikState struct {
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

// newLegacyTraefik returns a parser for Traefik's JSON access log lines.
func newLegacyTraefik() *legacyTraefik {
	p := &legacyTraefik{}
	p.walk = p.visit
	return p
}

var errLegacyTraefik = errors.New("JSON line has none of Traefik's access log keys (RequestMethod, DownstreamStatus, …)")

// Parse implements Parser.
func (p *legacyTraefik) Parse(line []byte, rec *Record) error {
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
	p.rec, p.st = rec, legacyTraefikState{}
	rec.Format = FormatTraefik
	gjson.Parse(bstr(b)).ForEach(p.walk)
	if p.st.keys == 0 {
		return errLegacyTraefik
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

func (p *legacyTraefik) note(s string) {
	if len(p.det) > 0 {
		p.det = append(p.det, "; "...)
	}
	p.det = append(p.det, s...)
}

// visit reads one top-level key. Traefik writes kept request headers as "request_<Name>" and
// response headers as "downstream_<Name>" / "origin_<Name>".
func (p *legacyTraefik) visit(k, v gjson.Result) bool {
	rec, st := p.rec, &p.st
	key := k.Str
	switch key {
	case "RequestMethod":
		rec.Method = v.Str
	case "RequestPath":
		setURI(rec, sbytes(v.Str))
	case "RequestHost":
		rec.Host = bstr(stripDefaultPort(sbytes(v.Str)))
	case "RequestProtocol":
		rec.Proto = v.Str
	case "RequestScheme":
		if v.Str == "http" || v.Str == "https" {
			rec.Scheme = v.Str
		}
	case "ClientHost":
		rec.ClientIP = v.Str
	case "DownstreamStatus":
		st.downstream = int(v.Int())
	case "OriginStatus":
		st.origin, st.sawOrigin = int(v.Int()), true
	case "Duration":
		st.durNS, st.hasDur = v.Int(), true
	case "StartUTC":
		st.start = v.Str
	case "time":
		st.at = v.Str
	case "ServiceName":
		st.service = v.Str
	case "RouterName":
		st.router = v.Str
	case "ServiceURL":
		if v.Type == gjson.String {
			st.serviceURL = v.Str
		} else if h := v.Get("Host"); h.Exists() {
			st.serviceURL = h.Str
		}
	case "ServiceAddr":
		if st.serviceURL == "" {
			st.serviceURL = v.Str
		}
	case "RetryAttempts":
		st.retries = int(v.Int())
	case "entryPointName":
		st.entry = v.Str
	default:
		switch {
		case len(key) > 8 && key[:8] == "request_":
			p.header(key[8:], v.Str, true)
		case len(key) > 11 && key[:11] == "downstream_":
			p.header(key[11:], v.Str, false)
		}
		return true
	}
	st.keys++
	return true
}

// header applies a request or response header Traefik kept in the log.
func (p *legacyTraefik) header(name, v string, request bool) {
	rec := p.rec
	b := sbytes(v)
	if dash(b) {
		return
	}
	if !request {
		if equalFoldASCII(name, "Allow") {
			rec.Allow = v
		}
		return
	}
	switch {
	case equalFoldASCII(name, "User-Agent"):
		rec.UserAgent = v
	case equalFoldASCII(name, "X-Request-Id"):
		rec.IDs.setRequestID(b, &p.a)
	case equalFoldASCII(name, "Traceparent"):
		rec.IDs.setTraceparent(b, &p.a)
	case equalFoldASCII(name, "X-Amzn-Trace-Id"):
		rec.IDs.setAmzn(b, &p.a)
	case equalFoldASCII(name, "X-B3-Traceid"), equalFoldASCII(name, "B3"):
		rec.IDs.setB3(b, &p.a)
	case equalFoldASCII(name, "X-Forwarded-For"):
		rec.ForwardedFor = v
	case equalFoldASCII(name, "Origin"):
		rec.Origin = v
	case equalFoldASCII(name, "Access-Control-Request-Method"):
		rec.ACRMethod = v
	}
}

// FuzzJSONScanSame: the forward scan and the gjson walk give the same record, or the same error.
func FuzzJSONScanSame(f *testing.F) {
	for _, tc := range proxyCases {
		if strings.HasPrefix(tc.name, "caddy") || strings.HasPrefix(tc.name, "traefik json") {
			f.Add([]byte(tc.line))
		}
	}
	for _, s := range []string{
		`{"request":{"uri":"/a\"b","headers":{"User-Agent":["x\"y"],"Origin":"o"}},"status":"405"}`,
		`{"a":"x""b":1,"status":405 "size":1e3,"ts":-0,"duration":"0.5"}`,
		`{"request":{"method":"GET"},"resp_headers":{"Server":[ "Caddy" ],"Allow":[],"Via":1}}`,
		`{"request":{"method":"G\u0045T","headers":[1,2]},"resp_headers":{"Server":["Caddy" , "x"]}}`,
		`{"req\u0075est":{"ho\"st":"h:80"},"err_trace":"reverseproxy.(*Handler).ServeHTTP"}`,
		`{"request":(1},"status":405}`,
		`{"RequestMethod":"GET","ServiceURL":{"Host":"10.0.0.1:80"},"OriginStatus":405,"DownstreamStatus":405}`,
		`{"RequestMethod":nul,"Duration":12345678901234567890,"RetryAttempts":true,"request_B3":"-"}`,
		`{"request_User-Agent":"a\\","downstream_Allow":"GET\", HEAD","RequestPath":"/x?y"}`,
		`{"StartUTC":"2026-11-24T10:00:00Z","Duration":1.5e9,"OriginStatus":null,"ServiceName":"s"} {"RouterName":"r"}`,
		`{"a":{"b":"}"},"RequestHost":"h","x":[{"y":"\\"}],"ClientHost":"1.2.3.4"}`,
		`{"unterminated":"abc}`,
		`{"k"}`,
		`{"request":{"method":"GET" "uri":"/x"},"status":1}`,
		`{"request":{"headers":{"Origin":["a"]} ,"host":"h"}, "resp_headers":{"Server":["x"]}}`,
		`{"request":{"a":1)}, "status":405,"request":{"method":"PUT"}}`,
		`{"request":{"method":"GET","x":[1,2],"y":{"z":"}"}},"size":3}`,
		`{"request":{"method":"GET"`,
		`{"request":{"headers":{"User-Agent":["a"],}},"resp_headers":{}}`,
		`{"request":{},"resp_headers":{"Date":1,"Allow":{"0":"x"}}}`,
		`{"request":{"headers":{"X-Request-Id":["a"],"B3":"b"]},"uri":"/u"}}`,
		`{"request":{"method":tru,"proto":nul,"host":-1e5}}`,
		`{"request":{"method":"GET"}x,"status":405}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		pairs := []struct{ got, want Parser }{
			{NewCaddy(), newLegacyCaddy()},
			{NewTraefikJSON(), newLegacyTraefik()},
		}
		for _, pr := range pairs {
			var got, want Record
			got.Reset()
			want.Reset()
			gerr := pr.got.Parse(line, &got)
			werr := pr.want.Parse(line, &want)
			if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
				t.Fatalf("%T: error %v, gjson walk %v", pr.got, gerr, werr)
			}
			if gerr == nil && !reflect.DeepEqual(got.Clone(), want.Clone()) {
				t.Fatalf("%T: record\n%+v\ngjson walk\n%+v", pr.got, got, want)
			}
		}
	})
}

// TestJSONExactFloat: the short path gives strconv.ParseFloat's value.
func TestJSONExactFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range []string{"0.001579", "0.000023284", "1.5", "123456789.012345", "0.1", "9.999999999999999", "00.5"} {
		checkExactFloat(t, s)
	}
	for i := 0; i < 200000; i++ {
		n := 1 + r.IntN(15)
		d := r.IntN(n) + 1
		b := make([]byte, 0, 17)
		for j := 0; j < n; j++ {
			if j == d {
				b = append(b, '.')
			}
			b = append(b, byte('0'+r.IntN(10)))
		}
		checkExactFloat(t, string(b))
	}
}

func checkExactFloat(t *testing.T, s string) {
	want, _ := strconv.ParseFloat(s, 64)
	if got, ok := jsonExactFloat(s); ok && got != want {
		t.Fatalf("%s: %v, ParseFloat %v", s, got, want)
	}
}

// TestJSONScanCPU (LOGTRIAGE_CPU=1) prints the thread CPU time per line of the benchmark lines,
// best of 15 rounds, for the scan and the former gjson walk: on a shared machine wall-clock
// ns/op counts the time other processes hold the core.
func TestJSONScanCPU(t *testing.T) {
	if os.Getenv("LOGTRIAGE_CPU") == "" {
		t.Skip("set LOGTRIAGE_CPU=1")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	for _, c := range []struct {
		name, prefix string
		p            Parser
	}{
		{"caddy", "caddy", NewCaddy()}, {"caddy gjson walk", "caddy", newLegacyCaddy()},
		{"traefik json", "traefik json", NewTraefikJSON()}, {"traefik json gjson walk", "traefik json", newLegacyTraefik()},
	} {
		var lines [][]byte
		size := 0
		for _, tc := range proxyCases {
			if strings.HasPrefix(tc.name, c.prefix) {
				lines = append(lines, []byte(tc.line))
				size += len(tc.line) + 1
			}
		}
		const n = 100000
		best := time.Duration(math.MaxInt64)
		var rec Record
		for round := 0; round < 15; round++ {
			t0 := cpu()
			for i := 0; i < n; i++ {
				rec.Reset()
				_ = c.p.Parse(lines[i%len(lines)], &rec)
			}
			best = min(best, cpu()-t0)
		}
		ns := float64(best.Nanoseconds()) / n
		t.Logf("%-24s %7.1f CPU ns/line  %5.2f M lines/CPU-s  %6.0f MB/CPU-s", c.name, ns, 1e3/ns, float64(size/len(lines))*1e3/ns)
	}
}

// BenchmarkJSONScanLegacy measures the gjson walk on the benchmark lines, for comparison.
func BenchmarkJSONScanLegacy(b *testing.B) {
	b.Run("caddy", func(b *testing.B) { benchProxy(b, "caddy", newLegacyCaddy()) })
	b.Run("traefik json", func(b *testing.B) { benchProxy(b, "traefik json", newLegacyTraefik()) })
}
