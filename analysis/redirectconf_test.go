package analysis

import (
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// A POST moved with nginx "return 301 /api/v2/orders" to another path (not the trailing-slash
// twin): the combined access log has no Location, so the client's GET of the new path, a 405 at
// the app, was method_not_routed. With --nginx-conf the location's return names the target.
// Captured on loopback (nginx 1.22.1 → HAProxy 2.6.12 → gunicorn 20.1.0 + Flask 2.2.2, the
// configuration in testdata/nginx-return-redirect.conf, its paths replaced):
//
//	edge.log  127.0.0.1 - - [02/Dec/2026:10:24:44 +0000] "POST /api/v1/orders HTTP/1.1" 301 169 "-" "python-requests/2.32.3"
//	edge.log  127.0.0.1 - - [02/Dec/2026:10:24:44 +0000] "GET /api/v2/orders HTTP/1.1" 405 153 "-" "python-requests/2.32.3"
//	flask.log 127.0.0.1 - - [02/Dec/2026:10:24:44 +0000] "GET /api/v2/orders HTTP/1.0" 405 153 "-" "python-requests/2.32.3"
func TestRedirectTargetFromNginxConf(t *testing.T) {
	locs := captureLocations(t) // nginxproxied_test.go
	const agent = "python-requests/2.32.3"
	records := func() []*parsers.Record {
		return []*parsers.Record{
			rec("edge", parsers.FormatNginx, 0, "POST", "/api/v1/orders", 301, ua(agent), client("127.0.0.1")),
			rec("edge", parsers.FormatNginx, 0, "GET", "/api/v2/orders", 405, ua(agent), client("127.0.0.1")),
			rec("app", parsers.FormatApp, 0, "GET", "/api/v2/orders", 405, ua(agent), client("127.0.0.1")),
		}
	}
	_, a := run(t, Options{NginxLocations: locs, Order: []string{"edge", "app"}}, records()...)
	f := onlyFinding(t, a)
	if f.Cause != CauseRedirectMethodChange || f.OriginLayer != "app" || f.Redirect == nil ||
		f.Redirect.URI != "/api/v1/orders" || f.Redirect.Location != "/api/v2/orders" {
		t.Errorf("with --nginx-conf: %s at %s, redirect %+v", f.Cause, f.OriginLayer, f.Redirect)
	}
	_, a = run(t, Options{Order: []string{"edge", "app"}}, records()...)
	if f := onlyFinding(t, a); f.Cause != CauseMethodNotRouted {
		t.Errorf("without a configuration: %s, want method_not_routed (nothing logs where the 301 went)", f.Cause)
	}
}
