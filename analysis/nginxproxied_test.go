package analysis

import (
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// nginx's stock combined log has no $upstream_status: a 405 it relayed from a backend reads like
// one it made, so a request no inner log matched (the app's log missing, without times, or
// another proxy between) was "proxy_method_block at edge (uncertain)" with the fix "audit the
// nginx location rule" even when --nginx-conf shows a location that only proxies. Such a 405
// now comes from beyond the edge; locations that return, serve files or fall back stay nginx's.
// The configuration and lines are those of the nginx 1.22.1 → HAProxy → gunicorn capture
// (testdata/nginx-return-redirect.conf):
//
//	127.0.0.1 - - [02/Dec/2026:10:00:10 +0000] "POST /api/orders/3617 HTTP/1.1" 405 153 "-" "ShopApp-iOS/3.2.0"
//	127.0.0.1 - - [02/Dec/2026:10:00:13 +0000] "POST /checkout/submit HTTP/1.1" 405 157 "-" "Mozilla/5.0 …"
func TestNginxProxiedLocationRelays(t *testing.T) {
	locs := captureLocations(t)
	records := func() []*parsers.Record {
		return []*parsers.Record{
			rec("edge", parsers.FormatNginx, 0, "POST", "/api/orders/3617", 405, ua("ShopApp-iOS/3.2.0"), client("127.0.0.1")),
			rec("edge", parsers.FormatNginx, 1, "POST", "/checkout/submit", 405, ua("Mozilla/5.0 (X11; Linux x86_64)"), client("127.0.0.1")),
		}
	}
	origins := func(a *Analysis) map[string]Finding {
		m := map[string]Finding{}
		for _, f := range a.Findings {
			m[f.Route] = f
		}
		return m
	}
	_, a := run(t, Options{NginxLocations: locs}, records()...)
	got := origins(a)
	if f := got["/api/orders/{id}"]; f.OriginLayer != "beyond edge" || f.Cause != CauseMethodNotRouted || f.Uncertain != 0 {
		t.Errorf("proxied location: %s %s (uncertain %d), want beyond edge method_not_routed", f.OriginLayer, f.Cause, f.Uncertain)
	}
	if f := got["/checkout/submit"]; f.OriginLayer != "edge" || f.Cause != CauseProxyMethodBlock {
		t.Errorf("try_files location: %s %s, want edge proxy_method_block", f.OriginLayer, f.Cause)
	}
	_, a = run(t, Options{}, records()...)
	if f := origins(a)["/api/orders/{id}"]; f.OriginLayer != "edge" || f.Uncertain != 1 {
		t.Errorf("without a configuration: %s (uncertain %d), want edge, uncertain", f.OriginLayer, f.Uncertain)
	}
}

// TestNginxProxiedLocationRejection: HAProxy behind nginx denied PURGE with 403 (the capture's
// haproxy.cfg); in a run on the edge's combined log alone it was "edge proxy_method_block 403",
// although --nginx-conf shows /api/ only proxies. nginx's own refusals (limit_except) still are.
//
//	127.0.0.1 - - [02/Dec/2026:10:00:07 +0000] "PURGE /api/orders/3 HTTP/1.1" 403 93 "-" "curl/7.88.1"
func TestNginxProxiedLocationRejection(t *testing.T) {
	locs := captureLocations(t)
	var recs []*parsers.Record
	for i := 0; i < 4; i++ { // the routes' other methods succeed: what makes a 403 a method rejection
		s := float64(i)
		recs = append(recs, rec("edge", parsers.FormatNginx, s, "GET", "/api/orders/3", 200, ua("curl/7.88.1")),
			rec("edge", parsers.FormatNginx, s+0.1, "GET", "/reports/daily", 200, ua("curl/7.88.1")))
	}
	recs = append(recs, rec("edge", parsers.FormatNginx, 10, "PURGE", "/api/orders/3", 403, ua("curl/7.88.1")),
		rec("edge", parsers.FormatNginx, 11, "POST", "/reports/daily", 403, ua("curl/7.88.1")))
	_, a := run(t, Options{NginxLocations: locs}, recs...)
	var routes []string
	for _, f := range a.Findings {
		routes = append(routes, f.Method+" "+f.Route+" at "+f.OriginLayer)
	}
	if len(routes) != 1 || routes[0] != "POST /reports/daily at edge" {
		t.Errorf("findings %q, want only nginx's limit_except refusal (POST /reports/daily at edge)", routes)
	}
}

// captureLocations reads the locations of the capture's nginx configuration.
func captureLocations(t *testing.T) []parsers.NginxLocation {
	t.Helper()
	conf, err := parsers.LoadNginxConf("testdata/nginx-return-redirect.conf")
	if err != nil {
		t.Fatal(err)
	}
	locs, err := conf.NginxLocations()
	if err != nil {
		t.Fatal(err)
	}
	return locs
}
