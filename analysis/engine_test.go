package analysis

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/logtriage/logtriage/parsers"
)

const (
	root  = "1-67430a80-0a1b2c3d4e5f60718293a4b5"
	ridA  = "9f2c6a1e0b7d4c3a8e5f1a2b3c4d5e6f"
	trA   = "4bf92f3577b34da6a3ce929d0e0e4736"
	ngRID = "0c1d2e3f405162738495a6b7c8d9e0f1"
)

// The join is transitive over every id kind: ALB (Amazon root) ↔ edge nginx (Amazon root +
// its request id) ↔ ingress Envoy (request id + traceparent) ↔ app (trace id only).
func TestTransitiveJoinConstructed(t *testing.T) {
	// Envoy logged the request id with its trace-reason nibble; the parsers reset it (§2.5).
	envoyIDs := parsers.ParseID("9f2c6a1e-0b7d-9c3a-8e5f-1a2b3c4d5e6f")
	if envoyIDs.RequestID != "9f2c6a1e-0b7d-4c3a-8e5f-1a2b3c4d5e6f" {
		t.Fatalf("ParseID nibble: %q", envoyIDs.RequestID)
	}
	uuid := envoyIDs.RequestID
	_, a := run(t, Options{},
		rec("alb", "alb", 0.010, "POST", "/api/orders", 405, amzn(root), up(405), addr("10.0.0.1:80"), dur(9)),
		rec("edge", "nginx", 0.009, "POST", "/api/orders", 405, amzn(root), rid(uuid), up(405), addr("10.0.1.1:8080"), dur(8)),
		rec("ingress", "envoy", 0.008, "POST", "/api/orders", 405, rid(uuid), trace(trA), detail("via_upstream"), addr("10.0.2.1:8080"), dur(7)),
		rec("app", "app", 0.007, "POST", "/api/orders", 405, trace(trA), allow("GET, HEAD"), dur(1)),
	)
	if a.Summary.Requests != 1 || a.Summary.Requests405 != 1 {
		t.Fatalf("requests=%d with405=%d, want 1/1", a.Summary.Requests, a.Summary.Requests405)
	}
	f := onlyFinding(t, a)
	if f.OriginLayer != "app" || f.Cause != CauseMethodNotRouted || f.Allow != "GET, HEAD" {
		t.Errorf("finding = %s/%s allow %q", f.OriginLayer, f.Cause, f.Allow)
	}
	if got := len(f.Examples[0].Hops); got != 4 {
		t.Errorf("hops = %d, want 4: %s", got, f.Examples[0].Chain)
	}
	if want := "alb 405 → edge 405 → ingress 405 → app 405"; f.Examples[0].Chain != want {
		t.Errorf("chain = %q, want %q", f.Examples[0].Chain, want)
	}
}

// B3 16-hex ids join 32-hex trace ids by their last 16 digits and by left-padding (§5.3).
func TestB3JoinConstructed(t *testing.T) {
	_, a := run(t, Options{},
		rec("mesh", "envoy", 0, "PUT", "/x", 405, b3(trA[16:]), detail("via_upstream"), addr("10.0.0.9:80")),
		rec("app", "app", 0, "PUT", "/x", 405, trace(trA)),
	)
	if a.Summary.Requests != 1 {
		t.Fatalf("requests = %d, want 1 (joined)", a.Summary.Requests)
	}
}

func TestLocalEvidenceConstructed(t *testing.T) {
	tests := []struct {
		name   string
		recs   []*parsers.Record
		origin string
		cause  Cause
		how    string
	}{
		{"nginx static handler, no upstream",
			[]*parsers.Record{rec("edge", "nginx", 0, "PUT", "/index.html", 405, rid(ngRID), local(parsers.LocalYes))},
			"edge", CauseProxyMethodBlock, "no upstream contacted"},
		{"nginx TRACE",
			[]*parsers.Record{rec("edge", "nginx", 0, "TRACE", "/", 405, rid(ngRID), local(parsers.LocalYes))},
			"edge", CauseProxyMethodBlock, "nginx rejects TRACE"},
		{"envoy direct_response (docs/formats.md §2.7)",
			[]*parsers.Record{rec("gw", "envoy", 0, "DELETE", "/v1/items/7", 405, rid("3f1c2a44-8d1e-4b6f-9a3c-7e2d1b0c9f8e"), detail("- direct_response"))},
			"gw", CauseProxyMethodBlock, "direct response"},
		{"envoy ext_authz (docs/formats.md §2.7)",
			[]*parsers.Record{rec("gw", "envoy", 0, "POST", "/v1/items", 405, rid("6b0e2d1c-5a4f-4e3d-8c2b-1a0f9e8d7c6b"), detail("UAEX ext_authz_denied"))},
			"gw", CauseProxyMethodBlock, "a filter (ext_authz)"},
		{"ALB fixed-response (docs/formats.md §3.3)",
			[]*parsers.Record{rec("alb", "alb", 0, "DELETE", "/v1/items/7", 405, amzn(root), detail("fixed-response"))},
			"alb", CauseProxyMethodBlock, "fixed response"},
		{"ALB TRACE (docs/formats.md §3.3)",
			[]*parsers.Record{rec("alb", "alb", 0, "TRACE", "/v1/items", 405, amzn(root))},
			"alb", CauseProxyMethodBlock, "ALB rejects TRACE"},
		{"app is the last hop",
			[]*parsers.Record{
				rec("edge", "nginx", 0, "POST", "/api/orders", 405, rid(ridA), up(405), addr("10.0.1.7:8080"), local(parsers.LocalNo)),
				rec("app", "app", 0, "POST", "/api/orders", 405, rid(ridA), allow("GET, HEAD"))},
			"app", CauseMethodNotRouted, "answered 405 itself"},
		{"nginx replaced the app's answer",
			[]*parsers.Record{
				rec("edge", "nginx", 0, "POST", "/api/orders", 405, rid(ridA), up(502), addr("10.0.1.7:8080")),
				rec("app", "app", 0, "POST", "/api/orders", 502, rid(ridA))},
			"edge", CauseProxyMethodBlock, "the next hop inward (app) answered 502"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, a := run(t, Options{}, tc.recs...)
			f := onlyFinding(t, a)
			if f.OriginLayer != tc.origin || f.Cause != tc.cause {
				t.Errorf("got %s/%s, want %s/%s", f.OriginLayer, f.Cause, tc.origin, tc.cause)
			}
			if !strings.Contains(f.Evidence, tc.how) {
				t.Errorf("evidence %q lacks %q", f.Evidence, tc.how)
			}
			if tc.cause == CauseProxyMethodBlock && f.AllowMissing != 1 {
				t.Errorf("allow_missing = %d, want 1 (proxies set no Allow on their own 405)", f.AllowMissing)
			}
		})
	}
}

// docs/formats.md §1.7 (constructed): us=502, 405 ua=10.0.1.7:8080, 10.0.1.8:8080 — the second peer
// answered 405 and its log is missing.
func TestRetriedBeyondConstructed(t *testing.T) {
	_, a := run(t, Options{},
		rec("ingress", "nginx", 0, "POST", "/api/orders", 405, rid(ridA), up(502, 405),
			addr("10.0.1.7:8080, 10.0.1.8:8080"), allow("GET, HEAD"), local(parsers.LocalNo)))
	f := onlyFinding(t, a)
	if f.OriginLayer != "beyond ingress" || f.Cause != CauseMethodNotRouted || f.Retried != 1 {
		t.Fatalf("got %s/%s retried=%d", f.OriginLayer, f.Cause, f.Retried)
	}
	for _, want := range []string{"beyond ingress (upstream 10.0.1.8:8080), no log for it", "retried the upstream (statuses 502, 405"} {
		if !strings.Contains(f.Evidence, want) {
			t.Errorf("evidence %q lacks %q", f.Evidence, want)
		}
	}
}

func TestMaskedConstructed(t *testing.T) {
	t.Run("inner hop logged", func(t *testing.T) {
		_, a := run(t, Options{},
			rec("alb", "alb", 0, "POST", "/api/orders", 200, amzn(root), up(200), addr("10.0.0.1:80")),
			rec("edge", "nginx", 0, "POST", "/api/orders", 200, amzn(root), rid(ridA), up(405), addr("10.0.1.7:8080")),
			rec("app", "app", 0, "POST", "/api/orders", 405, rid(ridA), allow("GET")))
		f := onlyFinding(t, a)
		if f.OriginLayer != "app" || f.Masked != 1 || len(f.MaskedBy) != 1 || f.MaskedBy[0] != "edge (200)" {
			t.Fatalf("got %s masked=%d by %v", f.OriginLayer, f.Masked, f.MaskedBy)
		}
		if !strings.Contains(f.Fix, "Stop masking at edge (200)") {
			t.Errorf("fix %q", f.Fix)
		}
		if a.Summary.Masked405 != 1 {
			t.Errorf("summary masked = %d", a.Summary.Masked405)
		}
	})
	t.Run("inner hop missing", func(t *testing.T) {
		_, a := run(t, Options{},
			rec("edge", "nginx", 0, "POST", "/api/orders", 200, rid(ridA), up(405), addr("10.0.1.7:8080")))
		f := onlyFinding(t, a)
		if f.OriginLayer != "beyond edge" || f.Masked != 1 {
			t.Fatalf("got %s masked=%d", f.OriginLayer, f.Masked)
		}
	})
}

func TestSingleHopConstructed(t *testing.T) {
	_, a := run(t, Options{},
		rec("edge", "nginx", 0, "GET", "/", 200),
		rec("edge", "nginx", 1, "PUT", "/index.html", 405, local(parsers.LocalYes)),
		rec("edge", "nginx", 2, "POST", "/api", 405, up(405), addr("10.0.1.7:8080")),
	)
	if a.Summary.SingleHop != 3 || a.Summary.Requests != 3 || a.Summary.Requests405 != 2 {
		t.Fatalf("single=%d requests=%d 405=%d", a.Summary.SingleHop, a.Summary.Requests, a.Summary.Requests405)
	}
	origins := map[string]bool{}
	for _, f := range a.Findings {
		origins[f.OriginLayer] = true
	}
	if !origins["edge"] || !origins["beyond edge"] {
		t.Errorf("origins = %v", origins)
	}
}

// A client that sends the same X-Request-ID on every request must not merge them.
func TestConstantIDGuardConstructed(t *testing.T) {
	var recs []*parsers.Record
	for i := 0; i < 20; i++ {
		recs = append(recs, rec("edge", "nginx", float64(i*5), "PUT", "/index.html", 405, rid("constant"), local(parsers.LocalYes)))
	}
	_, a := run(t, Options{}, recs...)
	if a.Summary.NonUniqueIDs != 1 || a.Summary.NonUniqueIDExample[0] != "rid:constant" {
		t.Errorf("non-unique = %d %v", a.Summary.NonUniqueIDs, a.Summary.NonUniqueIDExample)
	}
	if a.Summary.Requests405 != 20 {
		t.Errorf("requests with 405 = %d, want 20 (not merged)", a.Summary.Requests405)
	}
}

func TestHopOrderInferenceConstructed(t *testing.T) {
	// Names sort the wrong way round; durations say proxy-b is outside proxy-a.
	var recs []*parsers.Record
	for i := 0; i < 5; i++ {
		id := fmt.Sprintf("%032x", i+1)
		s := float64(i)
		recs = append(recs,
			rec("app", "app", s, "GET", "/", 200, rid(id), dur(5)),
			rec("proxy-a", "nginx", s, "GET", "/", 200, rid(id), up(200), addr("10.0.0.3:80"), dur(10)),
			rec("proxy-b", "nginx", s, "GET", "/", 200, rid(id), up(200), addr("10.0.0.2:80"), dur(20)),
			rec("lb", "alb", s, "GET", "/", 200, rid(id), up(200), dur(30)))
	}
	_, a := run(t, Options{}, recs...)
	if got := layerList(a); got != "lb,proxy-b,proxy-a,app" {
		t.Errorf("order = %s (%s)", got, a.Order)
	}
	if !strings.Contains(a.Order, "inferred from 5 joined requests") {
		t.Errorf("order source = %q", a.Order)
	}
	_, a = run(t, Options{Order: []string{"lb", "proxy-a", "proxy-b", "app"}}, recs...)
	if got := layerList(a); got != "lb,proxy-a,proxy-b,app" || a.Order != "given by --order" {
		t.Errorf("override: %s (%s)", got, a.Order)
	}
	// An --order naming some of the layers orders those, in the places the evidence gave them;
	// the others stay where it put them.
	for _, tc := range []struct {
		order      []string
		want, text string
	}{
		{[]string{"proxy-a", "proxy-b"}, "lb,proxy-a,proxy-b,app", "proxy-a → proxy-b given by --order; the other layers inferred from 5 joined requests"},
		{[]string{"proxy-b", "app"}, "lb,proxy-b,proxy-a,app", "proxy-b → app given by --order; the other layers inferred"},
		{[]string{"app", "lb"}, "app,proxy-b,proxy-a,lb", "app → lb given by --order"},
		{[]string{"proxy-a", "nope"}, "lb,proxy-b,proxy-a,app", "inferred (--order names only proxy-a): inferred from 5"},
	} {
		_, a = run(t, Options{Order: tc.order}, recs...)
		if got := layerList(a); got != tc.want || !strings.HasPrefix(a.Order, tc.text) {
			t.Errorf("--order %v: %s (%s), want %s (%s…)", tc.order, got, a.Order, tc.want, tc.text)
		}
	}
	_, a = run(t, Options{}, rec("app", "app", 0, "GET", "/", 200))
	if a.Order != "one layer" {
		t.Errorf("one layer: %q", a.Order)
	}
	// Without joins, the format prior decides.
	_, a = run(t, Options{},
		rec("app", "app", 0, "GET", "/", 200), rec("gw", "envoy", 0, "GET", "/", 200),
		rec("lb", "alb", 0, "GET", "/", 200), rec("web", "nginx", 0, "GET", "/", 200))
	if got := layerList(a); got != "lb,web,gw,app" {
		t.Errorf("prior order = %s", got)
	}
}

func layerList(a *Analysis) string {
	var s []string
	for _, l := range a.Layers {
		s = append(s, l.Name)
	}
	return strings.Join(s, ",")
}

func TestRouteTemplate(t *testing.T) {
	tests := map[string]string{
		"/orders/42":                                  "/orders/{id}",
		"/orders/42/items/9f86d081884c7d65":           "/orders/{id}/items/{id}",
		"/users/3f1c2a44-8d1e-4b6f-9a3c-7e2d1b0c9f8e": "/users/{id}",
		"/api/v1/alerts/me/outstanding":               "/api/v1/alerts/me/outstanding",
		"/files/01ARZ3NDEKTSV4RRFFQ69G5FAV":           "/files/{id}",
		"/orders/ord_12345?x=1":                       "/orders/{id}",
		"/oauth2/token/":                              "/oauth2/token/",
		"":                                            "/",
		"/":                                           "/",
		"/assets/app.3f9c1b.js":                       "/assets/app.{hash}.js",
		"/index.html":                                 "/index.html",
		"/docs/v1.2.3/guide.html":                     "/docs/v1.2.3/guide.html",
		"/img/decade.png":                             "/img/decade.png",
	}
	for in, want := range tests {
		if got := Route(in); got != want {
			t.Errorf("Route(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCausesConstructed(t *testing.T) {
	t.Run("cors_preflight", func(t *testing.T) {
		_, a := run(t, Options{},
			rec("app", "app", 0, "OPTIONS", "/api/orders", 405, rid(ridA), preflight("https://shop.example.com", "PUT"), allow("GET, POST")))
		f := onlyFinding(t, a)
		if f.Cause != CauseCORSPreflight || f.WantedMethod != "PUT" {
			t.Fatalf("got %s wanted %q", f.Cause, f.WantedMethod)
		}
		want := "curl -i -X OPTIONS -H 'Origin: https://shop.example.com' -H 'Access-Control-Request-Method: PUT' 'https://api.example.com/api/orders'"
		if f.Verify != want {
			t.Errorf("verify = %s", f.Verify)
		}
	})
	t.Run("path_rewrite", func(t *testing.T) {
		_, a := run(t, Options{},
			rec("edge", "nginx", 0, "POST", "/api/v2/orders", 405, rid(ridA), routed("/api/orders"), up(405), addr("10.0.1.7:8080")),
			rec("app", "app", 0, "POST", "/api/orders", 405, rid(ridA), allow("GET")))
		f := onlyFinding(t, a)
		if f.Cause != CausePathRewrite || f.Route != "/api/v2/orders" || !strings.Contains(f.Evidence, "rewritten by edge") {
			t.Fatalf("got %s %s: %s", f.Cause, f.Route, f.Evidence)
		}
	})
	t.Run("no rewrite when only the encoding differs", func(t *testing.T) {
		_, a := run(t, Options{},
			rec("edge", "nginx", 0, "POST", "/a%20b", 405, rid(ridA), routed("/a b"), up(405), addr("10.0.1.7:8080")),
			rec("app", "app", 0, "POST", "/a%20b", 405, rid(ridA)))
		if f := onlyFinding(t, a); f.Cause != CauseMethodNotRouted {
			t.Fatalf("got %s", f.Cause)
		}
	})
	t.Run("deploy_regression", func(t *testing.T) {
		var recs []*parsers.Record
		for i := 0; i < 60; i++ {
			recs = append(recs, rec("app", "app", float64(i), "POST", fmt.Sprintf("/orders/%d", i), 201, detail("version=1.4.2")))
		}
		for i := 60; i < 70; i++ {
			recs = append(recs, rec("app", "app", float64(i), "POST", fmt.Sprintf("/orders/%d", i), 405, detail("version=1.5.0"), allow("GET")))
		}
		_, a := run(t, Options{}, recs...)
		f := onlyFinding(t, a)
		if f.Cause != CauseDeployRegression || f.Route != "/orders/{id}" || f.Count != 10 {
			t.Fatalf("got %s %s %d", f.Cause, f.Route, f.Count)
		}
		g := f.Regression
		if !g.LastSuccess.Equal(t0.Add(59*time.Second)) || !g.First405.Equal(t0.Add(60*time.Second)) ||
			g.VersionBefore != "1.4.2" || g.VersionAfter != "1.5.0" || g.Successes != 60 {
			t.Errorf("regression = %+v", g)
		}
	})
	t.Run("backend_drift", func(t *testing.T) {
		var recs []*parsers.Record
		for i := 0; i < 40; i++ {
			a, st := "10.0.1.7:8080", 200
			if i%2 == 1 {
				a, st = "10.0.1.8:8080", 405
			}
			recs = append(recs, rec("ingress", "nginx", float64(i), "PATCH", "/api/users/7", st, up(st), addr(a)))
		}
		_, a := run(t, Options{}, recs...)
		f := onlyFinding(t, a)
		if f.Cause != CauseBackendDrift || f.OriginLayer != "beyond ingress" {
			t.Fatalf("got %s/%s", f.OriginLayer, f.Cause)
		}
		d := f.Drift
		if d.Dimension != "upstream address" || d.Failing[0].Name != "10.0.1.8:8080" || d.OK[0].Name != "10.0.1.7:8080" {
			t.Errorf("drift = %+v", d)
		}
	})
	t.Run("method_not_routed", func(t *testing.T) {
		var recs []*parsers.Record
		for i := 0; i < 5; i++ {
			recs = append(recs, rec("app", "app", float64(i), "GET", "/api/orders", 200, allow("")))
			recs = append(recs, rec("app", "app", float64(i), "DELETE", "/api/orders", 405, allow("GET, HEAD"), ua("legacy-sync/1.0"), client("10.9.8.7")))
		}
		_, a := run(t, Options{}, recs...)
		f := onlyFinding(t, a)
		if f.Cause != CauseMethodNotRouted || f.Allow != "GET, HEAD" || f.Clients.UserAgents[0].Value != "legacy-sync/1.0" ||
			f.Clients.Addresses[0] != (Count{"10.9.8.7", 5}) || f.AllowMissing != 0 {
			t.Fatalf("got %+v", f)
		}
		if !strings.Contains(f.Evidence, "never succeeded") || f.Verify != "curl -i -X DELETE 'https://api.example.com/api/orders'" {
			t.Errorf("evidence %q verify %q", f.Evidence, f.Verify)
		}
	})
	t.Run("allow missing", func(t *testing.T) {
		_, a := run(t, Options{},
			rec("app", "app", 0, "GET", "/a", 200, allow("x")), // this layer logs Allow
			rec("app", "app", 1, "POST", "/a", 405))
		if f := onlyFinding(t, a); f.AllowMissing != 1 {
			t.Fatalf("allow_missing = %d", f.AllowMissing)
		}
	})
}

func TestTraceKeepsHealthyRequestConstructed(t *testing.T) {
	id := parsers.ParseID(ridA)
	_, a := run(t, Options{TraceIDs: []parsers.IDs{id}},
		rec("edge", "nginx", 0, "GET", "/", 200, rid(ridA), up(200), addr("10.0.1.7:8080")),
		rec("app", "app", 0, "GET", "/", 200, rid(ridA)),
		rec("app", "app", 0, "GET", "/", 200, rid("other")))
	got := a.Trace(id)
	if len(got) != 1 || len(got[0].Hops) != 2 || got[0].OriginLayer != "" {
		t.Fatalf("trace = %+v", got)
	}
	// No hop answered 405, so nothing was masked (trace --output json said "masked": true).
	if got[0].Masked {
		t.Errorf("a request without a 405 is reported masked: %+v", got[0])
	}
}

// Healthy traffic is dropped once its requests close: the number of open requests is bounded by
// the traffic inside one join window, whatever the length of the input.
func TestMemoryBoundedByWindowConstructed(t *testing.T) {
	openAfter := func(n int) (int, int) {
		e := New(Options{JoinWindow: 10 * time.Second})
		for i := 0; i < n; i++ {
			s := float64(i) / 100 // 100 requests/s
			id := fmt.Sprintf("%032x", i+1)
			status := 200
			if i%100 == 0 {
				status = 405
			}
			e.Add(rec("edge", "nginx", s, "POST", "/api/orders", status, rid(id), up(status), addr("10.0.1.7:8080")))
			e.Add(rec("app", "app", s, "POST", "/api/orders", status, rid(id)))
		}
		return e.MaxOpenRequests(), e.KeptRequests()
	}
	open1, kept1 := openAfter(10_000)
	open10, kept10 := openAfter(100_000)
	if open10 > 1100 || open10 > open1+10 {
		t.Errorf("max open requests: %d for 10k, %d for 100k requests (window holds ~1000)", open1, open10)
	}
	// 1% of the requests have a 405; those of the last window are still open.
	if kept1 < 85 || kept1 > 100 || kept10 < 985 || kept10 > 1000 {
		t.Errorf("kept = %d, %d; want ~90 and ~990", kept1, kept10)
	}
}

// Detail texts as the parsers write them (parsers/envoy.go, alb.go, app.go).
func TestParserDetailsConstructed(t *testing.T) {
	_, a := run(t, Options{},
		rec("gw", "envoy", 0, "POST", "/x", 405, rid("a1"), detail("flags=FI details=fault_filter_abort"), local(parsers.LocalYes)))
	if f := onlyFinding(t, a); !strings.Contains(f.Evidence, "fault injection") {
		t.Errorf("evidence %q", f.Evidence)
	}
	// Environment drift from the app's env= detail.
	var recs []*parsers.Record
	for i := 0; i < 20; i++ {
		env, st := "blue", 200
		if i%2 == 1 {
			env, st = "green", 405
		}
		recs = append(recs, rec("app", "app", float64(i), "PUT", "/cfg", st, detail("route=/cfg env="+env)))
	}
	_, a = run(t, Options{}, recs...)
	f := onlyFinding(t, a)
	if f.Cause != CauseBackendDrift || f.Drift.Dimension != "environment" || f.Drift.Failing[0].Name != "green" {
		t.Fatalf("got %s %+v", f.Cause, f.Drift)
	}
}

// Records arrive out of order by a few seconds (k-way merge of hops with skewed clocks).
func TestOutOfOrderJoinConstructed(t *testing.T) {
	_, a := run(t, Options{},
		rec("app", "app", 5, "POST", "/a", 405, rid(ridA)),
		rec("other", "app", 6, "GET", "/", 200, rid("x")),
		rec("edge", "nginx", 2, "POST", "/a", 405, rid(ridA), up(405), addr("10.0.0.1:80")))
	if a.Summary.Requests405 != 1 || len(a.Findings[0].Examples[0].Hops) != 2 {
		t.Fatalf("not joined: %+v", a.Findings)
	}
}

// Healthy requests close after Grace, requests with a 405 only after JoinWindow: with a 2-minute
// window and 100 requests/s, the requests held open are those of the last 10 s plus the 405s of
// the last 2 minutes, not 12,000.
func TestHealthyTrafficHeldOnlyForGraceConstructed(t *testing.T) {
	e := New(Options{JoinWindow: 2 * time.Minute})
	for i := 0; i < 60_000; i++ {
		s := float64(i) / 100
		id := fmt.Sprintf("%032x", i+1)
		status := 200
		if i%100 == 0 {
			status = 405
		}
		e.Add(rec("app", "app", s, "POST", "/api/orders", status, rid(id)))
		// The edge's record ends later; for the 405s it arrives 5 s later and masks the 405.
		if status == 405 {
			continue
		}
		e.Add(rec("edge", "nginx", s+0.01, "POST", "/api/orders", status, rid(id), up(status)))
	}
	if open := e.MaxOpenRequests(); open > 1000+120+50 {
		t.Errorf("max open requests %d: healthy traffic is held longer than Grace", open)
	}
	// A masked 405: the inner 405 comes first, the outer 200 a few seconds later still joins.
	e = New(Options{})
	e.Add(rec("app", "app", 0, "POST", "/api/search", 405, rid("m1")))
	for i := 1; i < 2000; i++ { // traffic moving time on
		e.Add(rec("app", "app", float64(i)/200, "GET", "/api/search", 200, rid(fmt.Sprintf("h%d", i))))
	}
	e.Add(rec("edge", "nginx", 9, "POST", "/api/search", 200, rid("m1"), up(405)))
	a := e.Result(nil)
	if len(a.Findings) != 1 || a.Findings[0].Masked != 1 {
		t.Errorf("masked 405 lost: %+v", a.Findings)
	}
}

// A proxy retries after an upstream timeout; the app logs both attempts seconds apart under the
// same id. That is one request (retried), not an id shared by unrelated requests.
func TestRetryAfterTimeoutIsOneRequestConstructed(t *testing.T) {
	_, a := run(t, Options{},
		rec("app", "app", 1, "GET", "/api/report", 504, rid("rid-aaa")),
		rec("app", "app", 5, "GET", "/api/report", 405, rid("rid-aaa"), allow("POST")),
		rec("edge", "nginx", 5.01, "GET", "/api/report", 405, rid("rid-aaa"), up(504, 405), addr("10.0.2.7:8080, 10.0.2.8:8080")),
	)
	if a.Summary.Requests != 1 || a.Summary.Requests405 != 1 || a.Summary.NonUniqueIDs != 0 {
		t.Errorf("requests=%d with405=%d nonunique=%d, want one request", a.Summary.Requests, a.Summary.Requests405, a.Summary.NonUniqueIDs)
	}
	if f := onlyFinding(t, a); f.OriginLayer != "app" || f.Retried != 1 {
		t.Errorf("finding %s retried=%d", f.OriginLayer, f.Retried)
	}
}

// TestFileOfByContent: fileOf answers by a name's content, whatever bytes hold it: names read
// from one buffer rewritten in place (as a source reusing its memory could hand them) come out
// as themselves, and equal names from different bytes as one copy.
func TestFileOfByContent(t *testing.T) {
	e := New(Options{})
	buf := []byte("/logs/pod-00.json")
	view := unsafe.String(&buf[0], len(buf)) // the same bytes every time
	for i := 0; i < 60; i++ {
		copy(buf[len("/logs/pod-"):], fmt.Sprintf("%02d", i))
		want := fmt.Sprintf("/logs/pod-%02d.json", i)
		if got := e.fileOf(view); got != want {
			t.Fatalf("name %q read as %q", want, got)
		}
		a, b := e.fileOf(strings.Clone(want)), e.fileOf(strings.Clone(want))
		if a != want || unsafe.StringData(a) != unsafe.StringData(b) {
			t.Fatalf("%q: copies %q and %q are not one", want, a, b)
		}
	}
	if got := e.fileOf(""); got != "" {
		t.Errorf("empty name read as %q", got)
	}
}
