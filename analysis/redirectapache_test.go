package analysis

import (
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// Apache httpd's "Redirect permanent /api/v1/orders /api/v2/orders" in front of Express: the
// combined log has no Location, so the client's GET of the new path, a 405 at the app, was
// method_not_routed; with --apache-conf the Redirect names the target. The lines, captured on
// loopback (httpd 2.4.71 → Express 5.3 with morgan 1.12 'combined'):
//
//	access.log      127.0.0.1 - - [02/Dec/2026:10:10:22 +0000] "POST /api/v1/orders HTTP/1.1" 301 501 "-" "python-requests/2.32.3"
//	access.log      127.0.0.1 - - [02/Dec/2026:10:10:22 +0000] "GET /api/v2/orders HTTP/1.1" 405 279 "-" "python-requests/2.32.3"
//	express-api.out 127.0.0.1 - - [02/Dec/2026:10:10:22 +0000] "GET /api/v2/orders HTTP/1.1" 405 30 "-" "python-requests/2.32.3"
func TestRedirectTargetFromApacheConf(t *testing.T) {
	conf, err := parsers.LoadApacheConf("../parsers/testdata/proxies/apache-redirect.conf")
	if err != nil {
		t.Fatal(err)
	}
	const agent = "python-requests/2.32.3"
	records := func() []*parsers.Record {
		return []*parsers.Record{
			rec("edge", parsers.FormatApache, 0, "POST", "/api/v1/orders", 301, ua(agent), client("127.0.0.1")),
			rec("edge", parsers.FormatApache, 0, "GET", "/api/v2/orders", 405, ua(agent), client("127.0.0.1")),
			rec("api", parsers.FormatApp, 0, "GET", "/api/v2/orders", 405, ua(agent), client("127.0.0.1")),
		}
	}
	_, a := run(t, Options{ApacheRedirects: conf.Redirects, ApacheRules: conf.MethodRules}, records()...)
	f := onlyFinding(t, a)
	if f.Cause != CauseRedirectMethodChange || f.OriginLayer != "api" || f.Redirect == nil || f.Redirect.Location != "/api/v2/orders" {
		t.Errorf("with --apache-conf: %s at %s, redirect %+v", f.Cause, f.OriginLayer, f.Redirect)
	}
	_, a = run(t, Options{}, records()...)
	if f := onlyFinding(t, a); f.Cause != CauseMethodNotRouted {
		t.Errorf("without a configuration: %s, want method_not_routed", f.Cause)
	}
}
