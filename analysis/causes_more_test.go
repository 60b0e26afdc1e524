package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// Tests of causes_more.go on constructed records (helpers_test.go); the same causes on a real
// nginx run are in cmd/logtriage/causes_e2e_test.go and samples/causes.

func findingOf(t *testing.T, a *Analysis, method, route string) Finding {
	t.Helper()
	for _, set := range [][]Finding{a.Findings, a.Noise} {
		for _, f := range set {
			if f.Method == method && f.Route == route {
				return f
			}
		}
	}
	t.Fatalf("no finding for %s %s: %+v", method, route, a.Findings)
	return Finding{}
}

// A user agent nobody knows that only sends HEAD to one path every 30 s is a monitor; the same
// agent also sending GET elsewhere is not.
func TestMonitorByInterval(t *testing.T) {
	var recs []*parsers.Record
	for i := 0; i < 6; i++ {
		recs = append(recs, rec("app", parsers.FormatApp, float64(i*30), "HEAD", "/healthz", 405, ua("acme-watch/1.0"), client("10.9.0.1")))
	}
	_, a := run(t, Options{}, recs...)
	if len(a.Findings) != 0 || len(a.Noise) != 1 || a.Noise[0].Cause != CauseMonitorProbe || a.Summary.MonitorProbes != 6 || a.Summary.Requests405 != 0 {
		t.Fatalf("findings %+v noise %+v summary %+v", a.Findings, a.Noise, a.Summary)
	}
	if m := a.Noise[0].Monitor; m == nil || m.Known != "" || m.IntervalSeconds != 30 || m.Requests != 6 {
		t.Errorf("monitor %+v", a.Noise[0].Monitor)
	}
	if !strings.HasPrefix(a.Noise[0].Verify, "curl -i -I ") { // not -X HEAD: internal/shell.Method
		t.Errorf("verify %q", a.Noise[0].Verify)
	}
	// Set aside as noise, a probe is still found by `trace`: by its id, and by the FILE:LINE
	// that names it when it has none.
	_, a = run(t, Options{}, append(recs[:5:5], rec("app", parsers.FormatApp, 150, "HEAD", "/healthz", 405,
		ua("acme-watch/1.0"), client("10.9.0.1"), rid(ridA)))...)
	if got := a.Trace(parsers.ParseID(ridA)); len(got) != 1 || got[0].Cause != CauseMonitorProbe || got[0].Method != "HEAD" {
		t.Errorf("trace of a monitor probe by its id: %+v", got)
	}
	if got := a.TraceSource("app.log:1"); len(got) != 1 || got[0].Cause != CauseMonitorProbe {
		t.Errorf("trace of a monitor probe by FILE:LINE: %+v", got)
	}

	// Irregular, or also GET: a client, not a monitor.
	recs = append(recs, rec("app", parsers.FormatApp, 200, "GET", "/orders", 200, ua("acme-watch/1.0"), client("10.9.0.1")))
	_, a = run(t, Options{}, recs...)
	if f := onlyFinding(t, a); f.Cause == CauseMonitorProbe {
		t.Errorf("an agent that also sends GET is a monitor: %+v", f)
	}

	// --include-monitors: a finding like any other, counted.
	recs = recs[:6]
	_, a = run(t, Options{IncludeMonitors: true}, recs...)
	if f := onlyFinding(t, a); f.Cause != CauseMonitorProbe || a.Summary.Requests405 != 6 || len(a.Noise) != 0 {
		t.Errorf("with IncludeMonitors: %+v, summary %+v", f, a.Summary)
	}
}

// A known monitor that sends a full CORS preflight is a preflight (the explicit headers win).
func TestMonitorPreflightStaysCORS(t *testing.T) {
	_, a := run(t, Options{},
		rec("app", parsers.FormatApp, 0, "OPTIONS", "/api/x", 405, ua("Datadog/Synthetics"), preflight("https://app.example.com", "PUT")))
	if f := onlyFinding(t, a); f.Cause != CauseCORSPreflight {
		t.Errorf("cause %s", f.Cause)
	}
}

// POST http://… → 301 to https, the client's GET https://… (the same path) → 405; a GET more
// than 10 s after the redirect, or from another agent, is method_not_routed.
func TestRedirectMethodChange(t *testing.T) {
	_, a := run(t, Options{},
		rec("edge", parsers.FormatNginx, 0, "POST", "/api/orders", 301, ua("orders-cli/2.1"), client("198.51.100.7"), local(parsers.LocalYes)),
		rec("app", parsers.FormatApp, 0.4, "GET", "/api/orders", 405, ua("orders-cli/2.1"), client("198.51.100.7"), allow("POST")),
		rec("app", parsers.FormatApp, 0.5, "GET", "/api/orders", 405, ua("curl/8.5.0"), client("198.51.100.7"), allow("POST")),
		rec("app", parsers.FormatApp, 30, "GET", "/api/orders", 405, ua("orders-cli/2.1"), client("198.51.100.7"), allow("POST")),
	)
	var redirect, routed int
	for _, f := range a.Findings {
		switch f.Cause {
		case CauseRedirectMethodChange:
			redirect += f.Count
			if f.Redirect == nil || f.Redirect.Method != "POST" || f.Redirect.Status != 301 || f.Redirect.Layer != "edge" {
				t.Errorf("redirect %+v", f.Redirect)
			}
			if !strings.HasPrefix(f.Examples[0].Chain, "POST /api/orders: edge 301 ⇒ ") {
				t.Errorf("chain %q", f.Examples[0].Chain)
			}
			if f.Verify != "curl -i -X POST 'https://api.example.com/api/orders'" {
				t.Errorf("verify %q", f.Verify)
			}
		case CauseMethodNotRouted:
			routed += f.Count
		}
	}
	if redirect != 1 || routed != 2 {
		t.Errorf("%d redirect_method_change, %d method_not_routed; want 1, 2: %+v", redirect, routed, a.Findings)
	}
}

// HAProxy "http-request deny" answers POST with 403 while GET succeeds on the route: a method
// rejection with status 403. A 403 on a route where nothing else succeeds stays out.
func TestRejectionByRouteMethods(t *testing.T) {
	_, a := run(t, Options{},
		rec("lb", parsers.FormatHAProxy, 0, "GET", "/reports/7", 200, rid("r1"), up(200), addr("10.0.0.5:80")),
		rec("lb", parsers.FormatHAProxy, 1, "POST", "/reports/8", 403, rid("r2"), local(parsers.LocalYes), detail("blocked by an HAProxy rule (PR, <NOSRV>)")),
		rec("lb", parsers.FormatHAProxy, 2, "POST", "/secret", 403, rid("r3"), local(parsers.LocalYes)),
	)
	f := onlyFinding(t, a)
	if f.Cause != CauseProxyMethodBlock || f.Status != 403 || f.OriginLayer != "lb" || f.Rejection == nil || strings.Join(f.Rejection.Allowed, ",") != "GET" {
		t.Errorf("finding %+v rejection %+v", f, f.Rejection)
	}
	if a.Summary.MethodRejectionsNot405 != 1 || a.Summary.Requests405 != 0 {
		t.Errorf("summary %+v", a.Summary)
	}
}

// Envoy answers 404 NR when the only route for the path matches :method GET: a method
// rejection, named from --envoy-config.
func TestRejectionEnvoyMethodRoute(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "envoy.yaml")
	os.WriteFile(conf, []byte(`static_resources:
  listeners:
  - filter_chains:
    - filters:
      - typed_config:
          route_config:
            virtual_hosts:
            - name: api
              domains: ["*"]
              routes:
              - match:
                  prefix: /api/reports
                  headers:
                  - name: ":method"
                    string_match: {exact: GET}
                route: {cluster: reports}
`), 0o644)
	routes, err := parsers.LoadEnvoyRoutes(conf)
	if err != nil || len(routes) != 1 {
		t.Fatalf("routes %+v %v", routes, err)
	}
	_, a := run(t, Options{EnvoyRoutes: routes},
		rec("ingress", parsers.FormatEnvoy, 0, "DELETE", "/api/reports/3", 404, rid("e1"), local(parsers.LocalYes), detail("NR route_not_found")),
		rec("ingress", parsers.FormatEnvoy, 1, "DELETE", "/other", 404, rid("e2"), local(parsers.LocalYes), detail("NR route_not_found")),
	)
	f := onlyFinding(t, a)
	if f.Status != 404 || f.Rejection == nil || !strings.Contains(f.Rejection.Rule, ":method GET") || f.Rejection.Source != "envoy.yaml:11" {
		t.Errorf("finding %+v rejection %+v", f, f.Rejection)
	}
}

// A browser's form POST to an SPA page that falls back to /index.html is the incident's
// proxy_method_block (samples/incidents scenario b); an API client's POST is static_fallthrough.
func TestStaticFallthroughOnlyForAPICalls(t *testing.T) {
	_, a := run(t, Options{},
		rec("edge", parsers.FormatNginx, 0, "POST", "/settings", 405, routed("/index.html"), ua("Mozilla/5.0 (X11; Linux x86_64)")),
		rec("edge", parsers.FormatNginx, 1, "POST", "/api/v2/upload", 405, routed("/index.html"), ua("Mozilla/5.0 (X11; Linux x86_64)")),
		rec("edge", parsers.FormatNginx, 2, "PUT", "/profile", 405, routed("/index.html"), ua("python-requests/2.32")),
	)
	for _, c := range []struct {
		method, route string
		want          Cause
	}{{"POST", "/settings", CauseProxyMethodBlock}, {"POST", "/api/v2/upload", CauseStaticFallthrough}, {"PUT", "/profile", CauseStaticFallthrough}} {
		if f := findingOf(t, a, c.method, c.route); f.Cause != c.want {
			t.Errorf("%s %s: %s, want %s", c.method, c.route, f.Cause, c.want)
		}
	}
}

// IIS: PUT and DELETE refused with 405 are the WebDAV module's; POST is not.
func TestWebDAVIntercept(t *testing.T) {
	_, a := run(t, Options{},
		rec("iis", parsers.FormatIIS, 0, "PUT", "/api/items/7", 405, local(parsers.LocalYes), detail("sc-substatus 0, sc-win32-status 0")),
		rec("iis", parsers.FormatIIS, 1, "POST", "/api/items", 405, local(parsers.LocalYes)),
	)
	if f := findingOf(t, a, "PUT", "/api/items/{id}"); f.Cause != CauseWebDAVIntercept || f.AllowMissing != 0 || !strings.Contains(f.Fix, "WebDAVModule") {
		t.Errorf("PUT: %+v", f)
	}
	if f := findingOf(t, a, "POST", "/api/items"); f.Cause == CauseWebDAVIntercept {
		t.Errorf("POST is not WebDAV's: %+v", f)
	}
}
