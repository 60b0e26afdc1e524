package analysis

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// Default logs: nginx combined at the edge (no ids, no upstream status, second-resolution time)
// in front of applications that log method, path, status, size and time to the second.

func edge(sec float64, method, path string, status int, bytes int64, opts ...opt) *parsers.Record {
	r := rec("edge", parsers.FormatNginx, sec, method, path, status, opts...)
	r.BytesSent = bytes
	return r
}

func app(layer, file string, sec float64, method, path string, status int, bytes int64, opts ...opt) *parsers.Record {
	r := rec(layer, parsers.FormatApp, sec, method, path, status, opts...)
	r.File, r.BytesSent, r.Local = file, bytes, parsers.LocalYes
	return r
}

// healthy returns n joined GETs, one every 0.5 s from sec, app logging first.
func healthy(layer, file string, sec float64, n int) []*parsers.Record {
	var out []*parsers.Record
	for i := 0; i < n; i++ {
		s := sec + float64(i)/2
		p := fmt.Sprintf("/api/products/%d", 1000+i)
		out = append(out, app(layer, file, s, "GET", p, 200, int64(300+i)), edge(s, "GET", p, 200, int64(300+i)))
	}
	return out
}

func byTime(recs []*parsers.Record) []*parsers.Record {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time.Before(recs[j].Time) })
	return recs
}

func requestsBy(a *Analysis, method, path string) []RequestView {
	var out []RequestView
	for _, r := range a.Requests {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func TestMatchJoinsDefaultLogs(t *testing.T) {
	recs := healthy("flask", "flask.log", 0, 200)
	const ms = 0.001
	recs = append(recs,
		// unique: one POST to a path with an id
		app("flask", "flask.log", 10, "POST", "/api/orders/77", 405, 31), edge(10+ms, "POST", "/api/orders/77", 405, 31),
		// edge-only: the static handler
		edge(20, "POST", "/static/app.js", 405, 157),
		// masked: the edge turned the app's 405 into 200 and logs no upstream status
		app("flask", "flask.log", 30, "POST", "/api/search", 405, 31), edge(30+ms, "POST", "/api/search", 200, 44),
		// rewrite: the edge strips /api/v2; the app logs the path it got
		app("flask", "flask.log", 40, "PATCH", "/accounts/5", 405, 31), edge(40+ms, "PATCH", "/api/v2/accounts/5", 405, 31),
		app("flask", "flask.log", 41, "GET", "/accounts/5", 200, 90), edge(41+ms, "GET", "/api/v2/accounts/5", 200, 90),
	)
	// a group: three identical DELETEs in one second
	for i := 0; i < 3; i++ {
		s := 50 + float64(i)/10
		recs = append(recs, app("flask", "flask.log", s, "DELETE", "/api/cart", 405, 31), edge(s+ms, "DELETE", "/api/cart", 405, 31))
	}
	_, a := run(t, Options{}, byTime(recs)...)
	for _, c := range []struct {
		method, path string
		n            int
		join         JoinKind
		origin       string
		cause        Cause
		masked       bool
	}{
		{"POST", "/api/orders/77", 1, JoinUnique, "flask", CauseMethodNotRouted, false},
		{"POST", "/static/app.js", 1, JoinUnjoined, "edge", CauseProxyMethodBlock, false},
		{"POST", "/api/search", 1, JoinUnique, "flask", CauseMethodNotRouted, true},
		{"PATCH", "/api/v2/accounts/5", 1, JoinUnique, "flask", CausePathRewrite, false},
		{"DELETE", "/api/cart", 3, JoinGroup, "flask", CauseMethodNotRouted, false},
	} {
		got := requestsBy(a, c.method, c.path)
		if len(got) != c.n {
			t.Errorf("%s %s: %d requests, want %d", c.method, c.path, len(got), c.n)
			continue
		}
		for _, r := range got {
			if r.Join != c.join || r.OriginLayer != c.origin || r.Cause != c.cause || r.Masked != c.masked {
				t.Errorf("%s %s: join %s origin %s cause %s masked %v, want %s %s %s %v", c.method, c.path,
					r.Join, r.OriginLayer, r.Cause, r.Masked, c.join, c.origin, c.cause, c.masked)
			}
		}
	}
	if a.Summary.Requests405 != 7 {
		t.Errorf("requests with a 405 = %d, want 7", a.Summary.Requests405)
	}
	if want := (JoinCounts{Unique: 3, Group: 3, Unjoined: 1}); a.Summary.Joins != want {
		t.Errorf("summary joins %+v, want %+v", a.Summary.Joins, want)
	}
	// 200 healthy pairs, 7 requests with a 405, and the rewritten GET twice: only a 405 is
	// looked for under its rewritten path.
	if a.Summary.Requests != 200+7+2 {
		t.Errorf("requests = %d, want %d (every healthy pair joined)", a.Summary.Requests, 209)
	}
	for _, f := range a.Findings {
		if f.Route == "/api/cart" && (f.Join != JoinGroup || !strings.Contains(f.Evidence, "Mostly group matches: 3 of 3")) {
			t.Errorf("group finding: join %s, evidence %q", f.Join, f.Evidence)
		}
	}
}

func TestMatchEstimatesClockSkew(t *testing.T) {
	// The app host's clock runs 3 s ahead of the edge's.
	var recs []*parsers.Record
	for i := 0; i < 40; i++ {
		s := float64(i)
		p := fmt.Sprintf("/api/products/%d", i)
		recs = append(recs, app("gin", "gin.log", s+3, "GET", p, 200, 10), edge(s+0.2, "GET", p, 200, 10))
	}
	recs = append(recs, app("gin", "gin.log", 103, "PUT", "/api/products/9", 405, 0), edge(100.2, "PUT", "/api/products/9", 405, 0))
	_, a := run(t, Options{}, byTime(recs)...)
	if len(a.Summary.ClockSkew) != 1 {
		t.Fatalf("clock skew %+v", a.Summary.ClockSkew)
	}
	if s := a.Summary.ClockSkew[0]; s.OffsetMS > -2500 || s.OffsetMS < -3000 || s.Inner != "gin.log" || s.Outer != "edge" {
		t.Errorf("skew %+v, want gin.log vs edge about -2800 ms", s)
	}
	if a.Summary.Requests != 41 || a.Summary.Joins.Unique != 1 {
		t.Errorf("requests %d joins %+v", a.Summary.Requests, a.Summary.Joins)
	}
}

func TestMatchSiblingsAndInstances(t *testing.T) {
	var recs []*parsers.Record
	recs = append(recs, healthy("flask", "flask.log", 0, 20)...)
	recs = append(recs, healthy("gin", "gin-1.log", 0.25, 20)...)
	// PUT /api/users/{id}/avatar: 200 on gin-1.log, 405 on gin-2.log, at the same time.
	for i := 0; i < 10; i++ {
		s := 20 + float64(i)
		file, st := "gin-1.log", 200
		if i%2 == 1 {
			file, st = "gin-2.log", 405
		}
		p := fmt.Sprintf("/api/users/%d/avatar", 40+i)
		recs = append(recs, app("gin", file, s, "PUT", p, st, 5), edge(s+0.001, "PUT", p, st, 5))
	}
	_, a := run(t, Options{}, byTime(recs)...)
	if a.LayerPath != "edge → {flask, gin}" || !strings.Contains(a.Order, "flask, gin are siblings") {
		t.Errorf("layer path %q, order %q", a.LayerPath, a.Order)
	}
	f := onlyFinding(t, a)
	if f.Cause != CauseBackendDrift || f.Drift.Dimension != "instance" || f.Drift.Failing[0].Name != "gin-2.log" || f.Count != 5 {
		t.Errorf("finding %s %+v count %d", f.Cause, f.Drift, f.Count)
	}
}

// TestFilesInTurnAreNotInstances: the files of one layer that follow each other in time (a
// rotated log, an ALB's five-minute objects) are one writer's log: a route that answers 405 in
// one file and succeeds in the next is not drift between instances. The same records in files
// that overlap in time are, for nginx hosts; an ALB's nodes share one managed configuration, so
// its files are never taken as instances.
func TestFilesInTurnAreNotInstances(t *testing.T) {
	build := func(layer, format string, fileOf func(i int) string) []*parsers.Record {
		var recs []*parsers.Record
		for i := 0; i < 40; i++ {
			st := 405
			if (i/10)%2 == 1 {
				st = 200
			}
			recs = append(recs, rec(layer, format, float64(i), "PUT", fmt.Sprintf("/api/users/%d/avatar", i), st,
				up(st), func(r *parsers.Record) { r.File = fileOf(i) }))
		}
		return recs
	}
	inTurn := func(i int) string { return fmt.Sprintf("access-%d.log", i/10) }
	atOnce := func(i int) string { return fmt.Sprintf("node%d.log", (i/10)%2) }
	for _, c := range []struct {
		format string
		files  func(int) string
		drift  bool
	}{
		{parsers.FormatNginx, inTurn, false},
		{parsers.FormatALB, inTurn, false},
		{parsers.FormatNginx, atOnce, true},
		{parsers.FormatALB, atOnce, false},
	} {
		_, a := run(t, Options{}, build("edge", c.format, c.files)...)
		f := onlyFinding(t, a)
		got := f.Cause == CauseBackendDrift
		if got != c.drift || got && (f.Drift.Dimension != "instance" || f.Drift.Failing[0].Name != "node0.log" || f.Drift.OK[0].Name != "node1.log") {
			t.Errorf("%s, files %s…: finding %s %+v, want drift %v", c.format, c.files(0), f.Cause, f.Drift, c.drift)
		}
	}
}

// TestDriftSparseFailures: two upstreams that each answered 405 once, at 0 s and 30 s, while a
// third succeeded from 10 to 20 s: upstream addresses are alive side by side, so that is drift.
// The same pattern in three files (one layer's log in turn) is not.
func TestDriftSparseFailures(t *testing.T) {
	build := func(byFile bool) []*parsers.Record {
		var recs []*parsers.Record
		add := func(sec float64, backend string, st int) {
			o := addr(backend)
			if byFile {
				o = func(r *parsers.Record) { r.File = backend }
			}
			recs = append(recs, rec("ingress", parsers.FormatNginx, sec, "PATCH", fmt.Sprintf("/api/users/%d", len(recs)), st, up(st), o))
		}
		add(0, "10.0.1.7:8080", 405)
		for s := 10; s <= 20; s++ {
			add(float64(s), "10.0.1.9:8080", 200)
		}
		add(30, "10.0.1.8:8080", 405)
		return recs
	}
	_, a := run(t, Options{}, build(false)...)
	if f := onlyFinding(t, a); f.Cause != CauseBackendDrift || f.Drift.Dimension != "upstream address" || f.Drift.OK[0].Name != "10.0.1.9:8080" {
		t.Errorf("upstreams: finding %s %+v", f.Cause, f.Drift)
	}
	_, a = run(t, Options{}, build(true)...)
	if f := onlyFinding(t, a); f.Cause == CauseBackendDrift {
		t.Errorf("files in turn: finding %s %+v", f.Cause, f.Drift)
	}
}

func TestSameLayerDifferentRequestsShareAnID(t *testing.T) {
	// Issue 10 item 7: one layer logs two requests with one id within a second.
	_, a := run(t, Options{},
		rec("app", "app", 1, "GET", "/api/profile", 200, rid("r-1")),
		rec("app", "app", 1.5, "POST", "/api/profile/avatar", 405, rid("r-1")),
	)
	if a.Summary.Requests405 != 1 || len(a.Findings) != 1 || a.Findings[0].Cause != CauseMethodNotRouted || a.Findings[0].Method != "POST" {
		t.Errorf("findings %+v", a.Findings)
	}
}

func TestMatchMixedSetup(t *testing.T) {
	// The ALB logs its trace Root, the app a trace id, nginx between them nothing: join by match
	// on both sides of nginx.
	recs := healthy("app", "app.log", 0, 40)
	recs = append(recs,
		app("app", "app.log", 30, "POST", "/api/orders/9", 405, 31, trace("4bf92f3577b34da6a3ce929d0e0e4736")),
		edge(30.002, "POST", "/api/orders/9", 405, 31),
		rec("alb", parsers.FormatALB, 30.003, "POST", "/api/orders/9", 405, amzn("1-67430a80-0123456789abcdef01234567"), up(405)),
	)
	_, a := run(t, Options{}, byTime(recs)...)
	got := requestsBy(a, "POST", "/api/orders/9")
	if len(got) != 1 || len(got[0].Hops) != 3 || got[0].Join != JoinUnique || got[0].OriginLayer != "app" {
		t.Fatalf("requests %+v", got)
	}
	if a.LayerPath != "alb → edge → app" {
		t.Errorf("layer path %q", a.LayerPath)
	}
}
