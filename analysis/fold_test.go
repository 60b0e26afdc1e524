package analysis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// analyzeSample runs the engine over a bundled sample as `logtriage analyze` does (the same
// configuration readers), with opts.
func analyzeSample(t *testing.T, nginxConf, envoyConf string, opts Options, args ...string) *Analysis {
	t.Helper()
	return analyzeSampleKeep(t, nginxConf, envoyConf, opts, func(*parsers.Record) bool { return true }, args...)
}

// analyzeSampleKeep is analyzeSample with keep as the Merge's keep function.
func analyzeSampleKeep(t *testing.T, nginxConf, envoyConf string, opts Options, keep func(*parsers.Record) bool, args ...string) *Analysis {
	t.Helper()
	return analyzeSampleMerge(t, nginxConf, envoyConf, opts, func(cfg *parsers.Config, inputs []parsers.Input, e *Engine) []parsers.Stats {
		return cfg.Merge(inputs, 0, keep, e.Add)
	}, args...)
}

// analyzeSampleMerge is analyzeSample with the records handed to the engine by merge.
func analyzeSampleMerge(t *testing.T, nginxConf, envoyConf string, opts Options, merge func(*parsers.Config, []parsers.Input, *Engine) []parsers.Stats, args ...string) *Analysis {
	t.Helper()
	cfg := &parsers.Config{}
	if nginxConf != "" {
		c, err := parsers.LoadNginxConf(nginxConf)
		if err != nil {
			t.Fatal(err)
		}
		cfg.NginxConf = c
		if opts.NginxLocations, err = c.NginxLocations(); err != nil {
			t.Fatal(err)
		}
	}
	if envoyConf != "" {
		logs, err := parsers.LoadEnvoyConfig(envoyConf)
		if err != nil {
			t.Fatal(err)
		}
		cfg.EnvoyLogs = logs
		if opts.EnvoyRoutes, err = parsers.LoadEnvoyRoutes(envoyConf); err != nil {
			t.Fatal(err)
		}
	}
	inputs, err := parsers.ExpandInputs(args)
	if err != nil {
		t.Fatal(err)
	}
	e := New(opts)
	for _, s := range merge(cfg, inputs, e) {
		if s.Err != "" || s.Parsed == 0 {
			t.Fatalf("%s: %+v", s.Input, s)
		}
	}
	return e.Result(nil)
}

// withoutLists drops what folding leaves out by design (fold.go): the per-request lists, the
// examples (and the ids of the requests events name), and the folding counters themselves.
func withoutLists(t *testing.T, a *Analysis) map[string]any {
	t.Helper()
	var b bytes.Buffer
	if err := a.WriteJSON(&b, true); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "requests")
	s := m["summary"].(map[string]any)
	delete(s, "folded_requests")
	for _, set := range []string{"findings", "noise"} {
		fs, _ := m[set].([]any)
		for _, f := range fs {
			delete(f.(map[string]any), "examples")
		}
	}
	if tl, ok := m["timeline"].(map[string]any); ok {
		for _, ev := range tl["events"].([]any) {
			x := ev.(map[string]any)
			if txt, ok := x["text"].(string); ok {
				if i := strings.LastIndex(txt, ", request "); i >= 0 {
					x["text"] = txt[:i]
				}
			}
		}
	}
	return m
}

var foldSamples = []struct {
	name, nginxConf, envoyConf string
	args                       []string
}{
	{"incidents", "../samples/incidents/nginx.conf", "../samples/incidents/envoy.yaml", []string{
		"alb=../samples/incidents/alb.log.gz", "edge=../samples/incidents/edge.log",
		"ingress=../samples/incidents/ingress.log", "app=../samples/incidents/app.json"}},
	{"default-logs", "", "", []string{"edge=../samples/default-logs/edge.log",
		"fastapi=../samples/default-logs/fastapi.log", "flask-1=../samples/default-logs/flask-1.log",
		"flask-2=../samples/default-logs/flask-2.log", "gin=../samples/default-logs/gin.log"}},
	{"causes", "../samples/causes/nginx.conf", "", []string{"edge=../samples/causes/edge.log", "app=../samples/causes/app.json"}},
}

// Folding every request into the first of its shape changes no count, finding, cause, funnel,
// impact or timeline of the bundled samples: only the lists of whole requests get shorter.
func TestFoldingKeepsEveryCount(t *testing.T) {
	for _, s := range foldSamples {
		t.Run(s.name, func(t *testing.T) {
			whole := analyzeSample(t, s.nginxConf, s.envoyConf, Options{}, s.args...)
			folded := analyzeSample(t, s.nginxConf, s.envoyConf, Options{KeepWhole: 1}, s.args...)
			if whole.Summary.FoldedRequests != 0 {
				t.Fatalf("folded %d requests below the default limit", whole.Summary.FoldedRequests)
			}
			n := folded.Summary.FoldedRequests
			if n == 0 || n >= whole.Summary.Requests405+whole.Summary.MonitorProbes+whole.Summary.MethodRejectionsNot405 {
				t.Fatalf("folded %d of %d requests with a 405", n, whole.Summary.Requests405)
			}
			if len(folded.Requests) > len(whole.Requests) {
				t.Errorf("requests kept whole: %d, without folding %d", len(folded.Requests), len(whole.Requests))
			}
			a, b := withoutLists(t, whole), withoutLists(t, folded)
			if !reflect.DeepEqual(a, b) {
				diffJSON(t, "", a, b)
			}
			t.Logf("%s: %d of %d requests with a 405 folded, %d kept whole", s.name, n,
				whole.Summary.Requests405, len(folded.Requests))
		})
	}
}

// diffJSON reports where two decoded JSON documents differ.
func diffJSON(t *testing.T, path string, a, b any) {
	t.Helper()
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			t.Errorf("%s: %v vs %v", path, a, b)
			return
		}
		for k := range x {
			diffJSON(t, path+"."+k, x[k], y[k])
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				t.Errorf("%s.%s: only folded: %v", path, k, y[k])
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			t.Errorf("%s: %d vs %v", path, len(x), b)
			return
		}
		for i := range x {
			diffJSON(t, fmt.Sprintf("%s[%d]", path, i), x[i], y[i])
		}
	default:
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: %v, folded %v", path, a, b)
		}
	}
}

// Beyond MaxShapes distinct shapes, requests fold by route and layer statuses (level 1), then,
// beyond maxCoarse routes, by layer statuses alone under the route "(other routes)"; every count
// still adds up.
func TestFoldingBeyondMaxShapes(t *testing.T) {
	var recs []*parsers.Record
	for i := 0; i < 300; i++ {
		agent := fmt.Sprintf("client/%d", i) // every request its own shape
		recs = append(recs, rec("app", parsers.FormatApp, float64(i), "POST", fmt.Sprintf("/r/x%c%c/go", 'a'+i%26, 'a'+i/26%3), 405,
			rid(fmt.Sprintf("req-%d", i)), client(fmt.Sprintf("10.0.%d.1", i%3)), ua(agent)))
	}
	e := New(Options{KeepWhole: 10, MaxShapes: 20})
	e.fold.maxCoarse = 30
	for _, r := range recs {
		e.Add(r)
	}
	a := e.Result(nil)
	s := a.Summary
	if s.Requests405 != 300 {
		t.Fatalf("summary %+v", s)
	}
	var other *Finding
	total, coarse := 0, 0
	for i, f := range a.Findings {
		total += f.Count
		if f.Route == OtherRoutes {
			other = &a.Findings[i]
		}
		if strings.Contains(f.Evidence, "were folded by route and statuses") {
			coarse++
		}
	}
	if total != 300 || other == nil || int64(other.Count) != s.OtherRouteRequests ||
		!strings.HasPrefix(other.Evidence, "Requests on routes beyond the first 50 distinct routes") {
		t.Fatalf("total %d, other %+v, summary %+v", total, other, s)
	}
	// Routes 0-19 have a shape kept whole, routes 20-49 a representative by route; the 100
	// requests to routes 50-77 fold under (other routes).
	if coarse != 50 || s.OtherRouteRequests != 100 || s.FoldedRequests != 300-20-30-1 || len(a.Findings) != 50+1 {
		t.Errorf("%d findings folded by route, %d findings, summary %+v", coarse, len(a.Findings), s)
	}
	if other.Impact == nil || other.Impact.NetTotal != 3 {
		t.Errorf("the folded requests' client networks: %+v", other.Impact)
	}
	var m405 int64
	for _, b := range a.Timeline.Buckets {
		m405 += b.M405
	}
	if m405 != 300 {
		t.Errorf("timeline 405s %d", m405)
	}
	if ev := a.Timeline.Events; len(ev) == 0 || ev[len(ev)-1].Kind != "last_405" || !strings.HasSuffix(ev[len(ev)-1].Text, "request req-299") {
		t.Errorf("events %+v", ev)
	}
}

// Log time that stands still (one 405 line repeated, no usable id: the id repeats) must not hold
// every request open: beyond the caps the oldest close early, and every record is still counted.
func TestOpenRequestsBoundedWhenTimeStandsStill(t *testing.T) {
	for _, tc := range []struct {
		name  string
		early bool // a 405 waiting for its join window from a second before (it must not lift the caps)
		id    func(i int) string
	}{
		{"one id", false, func(int) string { return "same-id" }},
		{"one id, after an earlier 405", true, func(int) string { return "same-id" }},
		{"distinct ids, after an earlier 405", true, func(i int) string { return fmt.Sprint("req-", i) }},
	} {
		e := New(Options{})
		e.caps.second, e.caps.open, e.caps.waiting, e.caps.match = 1000, 500, 200, 300
		n := 20000
		if tc.early {
			e.Add(rec("app", parsers.FormatApp, 0, "PUT", "/api/early", 405, rid("early")))
			n++
		}
		for i := 0; i < 20000; i++ {
			r := rec("app", parsers.FormatApp, 1, "POST", "/api/orders/7", 405, rid(tc.id(i)), client("10.0.0.1"))
			r.Line = int64(i + 1)
			e.Add(r)
		}
		if e.MaxOpenRequests() > 1000+2 || len(e.mq)-e.mdel > 1000 { // up to caps.second before the caps apply
			t.Errorf("%s: held %d requests open at once, %d match entries", tc.name, e.MaxOpenRequests(), len(e.mq)-e.mdel)
		}
		a := e.Result(nil)
		if a.Summary.Records != int64(n) || a.Summary.Requests405 != a.Summary.Requests || a.Summary.Requests < 19000 {
			t.Errorf("%s: summary %+v", tc.name, a.Summary)
		}
		var count int64
		for _, f := range a.Findings {
			count += int64(f.Count)
		}
		if count != a.Summary.Requests405 {
			t.Errorf("%s: findings count %d of %d", tc.name, count, a.Summary.Requests405)
		}
	}
}

// The caps hold only while log time stands still: busy traffic spread over its seconds is never
// closed early. With the caps lowered to 1,000 records in one second, 1,000 open groups, 100
// waiting 405s and 1,000 match entries, 300 id-less requests a second on two layers all join, and
// 405s whose edge clock runs 30 s ahead still wait for their other hop.
func TestCapsAllowBusyTraffic(t *testing.T) {
	var recs []*parsers.Record
	for i := 0; i < 300*20; i++ {
		s, st := float64(i)/300, 200
		if i%100 == 0 {
			st = 405
		}
		p := fmt.Sprintf("/api/items/%d", i)
		recs = append(recs, rec("app", parsers.FormatApp, s, "POST", p, st),
			rec("edge", parsers.FormatNginx, s+0.004, "POST", p, st, up(st), addr("10.0.0.9:80")))
	}
	for i := 0; i < 50*40; i++ {
		s, id := 100+float64(i)/50, fmt.Sprintf("req-%d", i)
		recs = append(recs, rec("app", parsers.FormatApp, s, "PUT", "/api/skew", 405, rid(id)),
			rec("edge", parsers.FormatNginx, s+30, "PUT", "/api/skew", 405, rid(id), up(405), addr("10.0.0.9:80")))
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time.Before(recs[j].Time) })
	e := New(Options{})
	e.caps.second, e.caps.open, e.caps.waiting, e.caps.match = 1000, 1000, 100, 1000
	for _, r := range recs {
		e.Add(r)
	}
	a := e.Result(nil)
	if s := a.Summary; s.Requests != 6000+2000 || s.SingleHop != 0 || s.Joins.Unique != 60 || s.Joins.ID != 2000 {
		t.Errorf("requests %d (want 8,000), single-hop %d, joins %+v", s.Requests, s.SingleHop, s.Joins)
	}
}

// foldSame runs recs (in time order) with and without folding and compares the documents as
// TestFoldingKeepsEveryCount does; it returns the analysis without folding.
func foldSame(t *testing.T, recs []*parsers.Record) *Analysis {
	t.Helper()
	_, whole := run(t, Options{}, recs...)
	_, folded := run(t, Options{KeepWhole: 1}, recs...)
	if folded.Summary.FoldedRequests == 0 {
		t.Fatal("nothing folded")
	}
	if a, b := withoutLists(t, whole), withoutLists(t, folded); !reflect.DeepEqual(a, b) {
		diffJSON(t, "", a, b)
	}
	return whole
}

// What a request's verdict and figures read beyond its shape's fields: the redirect its GET
// followed (decided when it closes, before later redirects push the note out), the exact path's
// .json suffix (static fall-through), and the outermost hop's time (first/last seen) when inner
// clocks are skewed.
func TestFoldingEdgeCases(t *testing.T) {
	t.Run("redirects", func(t *testing.T) {
		var recs []*parsers.Record
		for i := 0; i < 8; i++ {
			s := float64(i * 100)
			recs = append(recs, rec("edge", parsers.FormatNginx, s, "POST", "/api/items/", 301, client("203.0.113.7"), ua("curl/8")),
				rec("edge", parsers.FormatNginx, s+1, "GET", "/api/items", 405, client("203.0.113.7"), ua("curl/8")))
		}
		if f := onlyFinding(t, foldSame(t, recs)); f.Cause != CauseRedirectMethodChange || f.Count != 8 {
			t.Errorf("%s x%d, want redirect_method_change x8", f.Cause, f.Count)
		}
	})
	t.Run("a client redirected again and again", func(t *testing.T) {
		// POST→301 then GET→405 every 5 s, the GETs with ids (their requests stay open for the join
		// window): by the time one closes, the client's redirect notes have moved on; the redirect
		// is found when the GET's 405 is logged.
		var recs []*parsers.Record
		for i := 0; i < 40; i++ {
			s := float64(i * 5)
			recs = append(recs, rec("edge", parsers.FormatNginx, s, "POST", "/api/items/", 301, client("203.0.113.7"), ua("curl/8")),
				rec("edge", parsers.FormatNginx, s+1, "GET", "/api/items", 405, client("203.0.113.7"), ua("curl/8"), rid(fmt.Sprint("g", i))))
		}
		if f := onlyFinding(t, foldSame(t, recs)); f.Cause != CauseRedirectMethodChange || f.Count != 40 {
			t.Errorf("%s x%d, want redirect_method_change x40", f.Cause, f.Count)
		}
	})
	t.Run("json suffix", func(t *testing.T) {
		mk := func(s float64, p string) *parsers.Record {
			return rec("edge", parsers.FormatNginx, s, "PUT", p, 405, routed("/index.html"), ua("Mozilla/5.0"), client("192.0.2.1"))
		}
		a := foldSame(t, []*parsers.Record{mk(1, "/files/9f86d081884c7d659a2feaa0c55ad015.json"), mk(2, "/files/0123456789abcdef0123456789abcdef"),
			mk(3, "/files/0123456789abcdef0123456789abcdee")})
		if len(a.Findings) != 2 {
			t.Errorf("findings %+v", a.Findings)
		}
	})
	t.Run("routed back to the client's path", func(t *testing.T) {
		// Two ingress hops routed to /shop/items/…: once the client's own path (no rewrite), once
		// another one (path_rewrite). Their route templates are the same.
		var recs []*parsers.Record
		for i, c := range []struct{ id, n, routed string }{{"a", "1", "1"}, {"b", "2", "3"}, {"c", "4", "5"}} {
			s := float64(i + 1)
			recs = append(recs, rec("edge", parsers.FormatNginx, s, "POST", "/shop/items/"+c.n, 405, rid(c.id), up(405), addr("10.0.0.9:80"), ua("Mozilla/5.0")),
				rec("ingress", parsers.FormatNginx, s+0.001, "POST", "/items/"+c.n, 405, rid(c.id), local(parsers.LocalYes),
					routed("/shop/items/"+c.routed), ua("Mozilla/5.0")))
		}
		if a := foldSame(t, recs); len(a.Findings) != 2 {
			t.Errorf("findings %+v", a.Findings)
		}
	})
	t.Run("empty path", func(t *testing.T) {
		var recs []*parsers.Record
		for i, p := range []string{"", "/", "/"} {
			id, s := fmt.Sprint("r", i), float64(i+1)
			recs = append(recs, rec("edge", parsers.FormatNginx, s, "POST", "/index", 405, rid(id), up(405), addr("10.0.0.9:80")),
				rec("app", parsers.FormatApp, s-0.001, "POST", p, 405, rid(id)))
		}
		foldSame(t, recs)
	})
	t.Run("a later request closes first", func(t *testing.T) {
		// The app's clock runs ahead: request a (edge 100 s) closes after b (edge 101 s). The
		// finding still shows a, the earliest, whose query string differs.
		mk := func(id string, edge, app float64, n string) []*parsers.Record {
			e := rec("edge", parsers.FormatNginx, edge, "POST", "/api/items/"+n, 405, rid(id), up(405), addr("10.0.0.9:80"))
			a := rec("app", parsers.FormatApp, app, "POST", "/api/items/"+n, 405, rid(id))
			e.URI, a.URI = "/api/items/"+n+"?q="+id, "/api/items/"+n+"?q="+id
			return []*parsers.Record{e, a}
		}
		a, b := mk("a", 100, 103, "1"), mk("b", 101, 101.5, "2")
		recs := []*parsers.Record{a[0], b[0], b[1], a[1], rec("edge", parsers.FormatNginx, 1000, "GET", "/other", 200, rid("z"))}
		_, folded := run(t, Options{KeepWhole: 1}, recs...)
		if f := onlyFinding(t, folded); !strings.HasSuffix(f.Verify, "/api/items/1?q=a'") {
			t.Errorf("verify %s", f.Verify)
		}
		foldSame(t, recs)
	})
	t.Run("skewed inner clock", func(t *testing.T) {
		var recs []*parsers.Record
		add := func(id string, edge, app float64) {
			recs = append(recs, rec("edge", parsers.FormatNginx, edge, "POST", "/api/items", 405, rid(id), up(405), addr("10.0.0.9:80")),
				rec("app", parsers.FormatApp, app, "POST", "/api/items", 405, rid(id)))
		}
		add("r0", 10, 10.5)
		add("a", 100, 102.5)   // ends last (its app hop)
		add("b", 100.3, 102.1) // the latest request by its outermost hop
		sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time.Before(recs[j].Time) })
		if f := onlyFinding(t, foldSame(t, recs)); !f.LastSeen.Equal(t0.Add(100300 * time.Millisecond)) {
			t.Errorf("last seen %s", f.LastSeen)
		}
	})
}

// With --openapi, the clients named for an undocumented method count the folded requests too.
func TestFoldedContractClients(t *testing.T) {
	var recs []*parsers.Record
	for i := 0; i < 6; i++ {
		recs = append(recs, rec("edge", parsers.FormatNginx, float64(i), "POST", "/orders/42", 405,
			client(fmt.Sprintf("198.51.100.%d", i%2)), ua("shop-cli/1")))
	}
	_, a := run(t, Options{KeepWhole: 1}, recs...)
	ApplyContract(a, contractSpec())
	if f := a.Findings[0]; f.Clients == nil || len(f.Clients.UserAgents) != 1 || f.Clients.UserAgents[0].Count != 6 {
		t.Errorf("clients %+v (%s)", f.Clients, f.ContractVerdict)
	}
}

// A request kept like a 405 because a proxy refused a POST with 404 is folded like one; when the
// end shows it was no method rejection, the timeline still counts every request it stands for.
func TestFoldedQuietRequestsInTimeline(t *testing.T) {
	var recs []*parsers.Record
	for i := 0; i < 40; i++ {
		recs = append(recs, rec("edge", parsers.FormatNginx, float64(i), "POST", "/wp-login.php", 404, local(parsers.LocalYes),
			client("198.51.100.7"), ua("scanner/1")))
	}
	recs = append(recs, rec("edge", parsers.FormatNginx, 50, "PUT", "/api/items/7", 405, local(parsers.LocalYes)))
	a := foldSame(t, recs)
	var n int64
	for _, b := range a.Timeline.Buckets {
		n += b.Requests
	}
	if n != a.Summary.Requests || n != 41 {
		t.Errorf("timeline counts %d requests of %d", n, a.Summary.Requests)
	}
}

// Ids shared by unrelated requests are remembered up to a bound (maxBadKeys), and all are counted.
func TestNonUniqueIDsBounded(t *testing.T) {
	e := New(Options{})
	e.caps.bad = 100
	for i := 0; i < 300; i++ {
		id, s := fmt.Sprint("shared-", i), float64(i)
		// One layer logging one id for two different targets: two requests sharing an id.
		e.Add(rec("app", parsers.FormatApp, s, "GET", "/a", 200, rid(id)))
		e.Add(rec("app", parsers.FormatApp, s+0.1, "POST", "/b", 405, rid(id)))
	}
	if len(e.bad) > 100 {
		t.Errorf("%d keys remembered", len(e.bad))
	}
	if a := e.Result(nil); a.Summary.NonUniqueIDs != 300 || a.Summary.Requests405 != 300 {
		t.Errorf("non-unique ids %d, requests with a 405 %d", a.Summary.NonUniqueIDs, a.Summary.Requests405)
	}
}
