package analysis

import (
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// httpd's combined log says nothing of mod_proxy: a 405 from the backend of a ProxyPass reads
// like one httpd made, so a request no inner log matched (here Express's morgan 'dev' lines,
// which have no time) was "proxy_method_block at edge (uncertain)", fix "audit the Apache httpd
// configuration". With --apache-conf, a ProxyPass path that no method rule refused was relayed:
// the 405 comes from beyond the edge. The configuration and lines are those of the httpd 2.4.71
// → Express capture (parsers/testdata/proxies/apache-redirect.conf):
//
//	127.0.0.1 - - [02/Dec/2026:10:10:10 +0000] "POST /billing/invoices/3 HTTP/1.1" 405 278 "-" "curl/7.88.1"
//	127.0.0.1 - - [02/Dec/2026:10:10:10 +0000] "DELETE /api/items/5 HTTP/1.1" 405 447 "-" "curl/7.88.1"
func TestApacheProxyPassRelays(t *testing.T) {
	conf, err := parsers.LoadApacheConf("../parsers/testdata/proxies/apache-redirect.conf")
	if err != nil {
		t.Fatal(err)
	}
	records := func() []*parsers.Record {
		return []*parsers.Record{
			rec("edge", parsers.FormatApache, 0, "POST", "/billing/invoices/3", 405, ua("curl/7.88.1"), client("127.0.0.1")),
			rec("edge", parsers.FormatApache, 1, "DELETE", "/api/items/5", 405, ua("curl/7.88.1"), client("127.0.0.1")),
		}
	}
	byRoute := func(a *Analysis) map[string]Finding {
		m := map[string]Finding{}
		for _, f := range a.Findings {
			m[f.Route] = f
		}
		return m
	}
	_, a := run(t, Options{ApacheRules: conf.MethodRules, ApacheProxyPaths: conf.ProxyPaths}, records()...)
	got := byRoute(a)
	if f := got["/billing/invoices/{id}"]; f.OriginLayer != "beyond edge" || f.Cause != CauseMethodNotRouted || f.Uncertain != 0 {
		t.Errorf("ProxyPass path: %s %s (uncertain %d), want beyond edge method_not_routed", f.OriginLayer, f.Cause, f.Uncertain)
	}
	if f := got["/api/items/{id}"]; f.OriginLayer != "edge" || f.Cause != CauseProxyMethodBlock {
		t.Errorf("RewriteRule [R=405] on a ProxyPass path: %s %s, want edge proxy_method_block", f.OriginLayer, f.Cause)
	}
	_, a = run(t, Options{}, records()...)
	if f := byRoute(a)["/billing/invoices/{id}"]; f.OriginLayer != "edge" || f.Uncertain != 1 {
		t.Errorf("without a configuration: %s (uncertain %d), want edge, uncertain", f.OriginLayer, f.Uncertain)
	}
}
