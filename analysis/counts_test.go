package analysis

import (
	"reflect"
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// Counts update the baselines exactly as the records they stand for, and are not records read.
func TestAddCountsEqualsRecords(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	ok := func(at time.Time, addr string) *parsers.Record {
		r := &parsers.Record{Layer: "edge", Format: parsers.FormatNginx, Method: "DELETE", Path: "/api/carts/7",
			URI: "/api/carts/7", Status: 200, UpstreamAddr: addr, File: "logs-nginx", Time: at, Detail: "version=1.4.2"}
		r.AppendUpstream(200)
		return r
	}
	m405 := func(at time.Time) *parsers.Record {
		r := &parsers.Record{Layer: "edge", Format: parsers.FormatNginx, Method: "DELETE", Path: "/api/carts/9",
			URI: "/api/carts/9", Status: 405, UpstreamAddr: "10.0.0.2:80", File: "logs-nginx", Time: at}
		r.AppendUpstream(405)
		r.IDs.RequestID = "r" + at.Format("150405")
		return r
	}
	byRecords, byCounts := New(Options{}), New(Options{})
	// Successes before the first 405 (10 on .1), the 405s, successes after (5 on .3).
	for i := 0; i < 10; i++ {
		byRecords.Add(ok(t0.Add(time.Duration(i)*time.Second), "10.0.0.1:80"))
	}
	for i := 0; i < 3; i++ {
		r := m405(t0.Add(time.Minute + time.Duration(i)*time.Second))
		byRecords.Add(r)
		byCounts.Add(r)
	}
	for i := 0; i < 5; i++ {
		byRecords.Add(ok(t0.Add(2*time.Minute+time.Duration(i)*time.Second), "10.0.0.3:80"))
	}
	byCounts.AddCounts(ok(t0, "10.0.0.1:80"), 10, t0, t0.Add(9*time.Second))
	byCounts.AddCounts(ok(t0, "10.0.0.3:80"), 5, t0.Add(2*time.Minute), t0.Add(2*time.Minute+4*time.Second))
	for _, e := range []*Engine{byRecords, byCounts} {
		for _, rs := range e.routes {
			rs.recent = nil // a lookup cache of the backends, filled in the order they were first seen
		}
	}
	if !reflect.DeepEqual(byRecords.routes, byCounts.routes) {
		for k, v := range byRecords.routes {
			t.Errorf("records %x: %+v\ncounts  %+v", k, *v, *byCounts.routes[k])
		}
	}
	a := byCounts.Result(nil)
	if a.Summary.Records != 3 || a.Summary.Requests != 3 {
		t.Errorf("counts became records: %d records, %d requests", a.Summary.Records, a.Summary.Requests)
	}
	// A bucket straddling the first 405 is split by time.
	e := New(Options{})
	e.Add(m405(t0.Add(time.Minute)))
	e.AddCounts(ok(t0, "10.0.0.1:80"), 10, t0, t0.Add(2*time.Minute))
	for _, rs := range e.routes {
		if rs.ok.n == 10 && rs.okAfter405 != 5 {
			t.Errorf("okAfter405 = %d, want 5", rs.okAfter405)
		}
	}
}

func TestBackendDimensionsDiffer(t *testing.T) {
	seen := map[byte]string{}
	for _, d := range []string{dimAddr, dimService, dimHost, dimEnv, dimInstance} {
		if o, ok := seen[d[0]]; ok {
			t.Errorf("dimensions %q and %q share their first byte", o, d)
		}
		seen[d[0]] = d
	}
}
