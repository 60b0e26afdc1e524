package analysis

import (
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// Test records are literal (constructed) Records, as the parsers would produce them.

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

type opt func(*parsers.Record)

func rec(layer, format string, sec float64, method, path string, status int, opts ...opt) *parsers.Record {
	r := &parsers.Record{}
	r.Reset()
	r.Layer, r.Format, r.File, r.Line = layer, format, layer+".log", int64(sec*10)+1
	r.Time = t0.Add(time.Duration(sec * float64(time.Second)))
	r.Method, r.Path, r.URI, r.Status = method, path, path, status
	r.Host = "api.example.com"
	for _, o := range opts {
		o(r)
	}
	return r
}

func rid(s string) opt          { return func(r *parsers.Record) { r.IDs.RequestID = s } }
func nginxRID(s string) opt     { return func(r *parsers.Record) { r.IDs.NginxRequestID = s } }
func trace(s string) opt        { return func(r *parsers.Record) { r.IDs.TraceID = s } }
func amzn(s string) opt         { return func(r *parsers.Record) { r.IDs.AmznRoot = s } }
func b3(s string) opt           { return func(r *parsers.Record) { r.IDs.B3TraceID = s } }
func local(l parsers.Local) opt { return func(r *parsers.Record) { r.Local = l } }
func addr(s string) opt         { return func(r *parsers.Record) { r.UpstreamAddr = s } }
func detail(s string) opt       { return func(r *parsers.Record) { r.Detail = s } }
func allow(s string) opt        { return func(r *parsers.Record) { r.Allow = s } }
func routed(s string) opt       { return func(r *parsers.Record) { r.RoutedPath = s } }
func ua(s string) opt           { return func(r *parsers.Record) { r.UserAgent = s } }
func client(s string) opt       { return func(r *parsers.Record) { r.ClientIP = s } }
func dur(ms float64) opt {
	return func(r *parsers.Record) { r.Duration = time.Duration(ms * float64(time.Millisecond)) }
}
func preflight(origin, m string) opt {
	return func(r *parsers.Record) { r.Origin, r.ACRMethod = origin, m }
}
func up(s ...int) opt {
	return func(r *parsers.Record) {
		for _, x := range s {
			r.AppendUpstream(x)
		}
	}
}

// run feeds records (sorted by the caller) to a fresh engine and returns the analysis.
func run(t testing.TB, opts Options, recs ...*parsers.Record) (*Engine, *Analysis) {
	t.Helper()
	e := New(opts)
	for _, r := range recs {
		e.Add(r)
	}
	return e, e.Result(nil)
}

func onlyFinding(t *testing.T, a *Analysis) Finding {
	t.Helper()
	if len(a.Findings) != 1 {
		t.Fatalf("want 1 finding, got %d: %+v", len(a.Findings), a.Findings)
	}
	return a.Findings[0]
}
