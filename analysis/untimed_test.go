package analysis

import (
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// untimed makes an app record as morgan dev or bare uvicorn give it: no time.
func untimed(line int, method, path string, status int) *parsers.Record {
	r := rec("app", parsers.FormatApp, 0, method, path, status)
	r.Time, r.Line = time.Time{}, int64(line)
	return r
}

// TestUntimedAppPairsByLogOrder: an app log without times behind nginx. Its records are placed by
// log order at the time of the nginx record that relayed them (untimed.go): a relayed 405, a 405
// nginx masked as 200 and a 405 under a prefix nginx stripped each make one request with a 405
// at the app, joined by order_match, instead of a 405 at the app and another at the edge. A probe
// that never passed nginx stays on its own, without a time.
func TestUntimedAppPairsByLogOrder(t *testing.T) {
	var app, edge []*parsers.Record
	add := func(sec float64, method, path string, status int, appPath string, appStatus int) {
		app = append(app, untimed(len(app)+1, method, appPath, appStatus))
		edge = append(edge, rec("edge", parsers.FormatNginx, sec, method, path, status))
	}
	for i := range 40 {
		sec := float64(i)
		add(sec, "GET", "/items", 200, "/items", 200)
		switch i {
		case 10:
			add(sec+0.2, "POST", "/items", 405, "/items", 405)
		case 20:
			add(sec+0.2, "POST", "/search", 200, "/search", 405) // error_page 405 =200
		case 30:
			add(sec+0.2, "PATCH", "/api/v2/accounts/7", 405, "/accounts/7", 405)
		}
		if i%5 == 0 {
			app = append(app, untimed(len(app)+1, "GET", "/healthz", 200)) // kubelet probe
		}
	}
	e := New(Options{})
	for _, r := range app { // the merge hands over records without a time first (parsers/run.go)
		e.Add(r)
	}
	for _, r := range edge {
		e.Add(r)
	}
	a := e.Result(nil)
	if a.Summary.Requests405 != 3 {
		t.Errorf("requests with a 405: %d, want 3", a.Summary.Requests405)
	}
	if a.Summary.Requests != int64(len(edge)+8) {
		t.Errorf("requests: %d, want %d (every edge request joined to its app record, and 8 probes)", a.Summary.Requests, len(edge)+8)
	}
	if j := a.Summary.Joins; j.Order != 3 || j.Unjoined != 0 {
		t.Errorf("joins %+v, want 3 by log order", j)
	}
	if o := a.Summary.ByLogOrder; len(o) != 1 || o[0].Placed != int64(len(edge)) || o[0].Records != int64(len(app)) {
		t.Errorf("by log order %+v, want %d of %d placed", o, len(edge), len(app))
	}
	masked := 0
	for _, f := range a.Findings {
		if f.OriginLayer != "app" {
			t.Errorf("%s %s: origin %s, want app", f.Method, f.Route, f.OriginLayer)
		}
		if f.FirstSeen.IsZero() {
			t.Errorf("%s %s: no time, want the edge record's", f.Method, f.Route)
		}
		masked += f.Masked
	}
	if masked != 1 {
		t.Errorf("masked %d, want 1 (POST /search)", masked)
	}
}

// TestUntimedAppAlone: with no proxy in front, nothing places the records: they are handed over
// without a time at the end, and each 405 is the app's, unjoined, as before.
func TestUntimedAppAlone(t *testing.T) {
	_, a := run(t, Options{}, untimed(1, "GET", "/items", 200), untimed(2, "POST", "/items", 405), untimed(3, "POST", "/items", 405))
	if a.Summary.Requests != 3 || a.Summary.Requests405 != 2 || a.Summary.Joins.Unjoined != 2 {
		t.Errorf("requests %d, with a 405 %d, joins %+v; want 3, 2, 2 unjoined", a.Summary.Requests, a.Summary.Requests405, a.Summary.Joins)
	}
	if f := onlyFinding(t, a); f.OriginLayer != "app" || f.Count != 2 || !f.FirstSeen.IsZero() {
		t.Errorf("finding %s ×%d at %v, want app ×2 without a time", f.OriginLayer, f.Count, f.FirstSeen)
	}
	if o := a.Summary.ByLogOrder; len(o) != 1 || o[0].Placed != 0 || o[0].Records != 3 {
		t.Errorf("by log order %+v, want 0 of 3 placed", o)
	}
}
