package parsers

import "testing"

// The Redirect directives of an httpd configuration run while dogfooding
// (testdata/proxies/apache-redirect.conf): httpd's combined log has no Location, so where a
// redirected POST went comes from them.
func TestApacheRedirects(t *testing.T) {
	c, err := LoadApacheConf("testdata/proxies/apache-redirect.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Redirects) != 2 || c.Redirects[0].Status != 301 || c.Redirects[1].Status != 302 {
		t.Fatalf("redirects %+v", c.Redirects)
	}
	for p, want := range map[string]string{
		"/api/v1/orders": "/api/v2/orders", "/api/v1/orders/7": "/api/v2/orders/7", "/api/v1/ordersX": "",
		"/api/ping/": "/api/ping", "/api/ping": "", "/api/items/3": "",
	} {
		if got := ApacheRedirectTarget(c.Redirects, p); got != want {
			t.Errorf("%s: %q, want %q", p, got, want)
		}
	}
	for _, tc := range []struct {
		args     []string
		ok       bool
		status   int
		from, to string
	}{
		{[]string{"Redirect", "/a", "https://example.com/b?x=1"}, true, 302, "/a", "/b"},
		{[]string{"Redirect", "seeother", "/a", "/b"}, true, 303, "/a", "/b"},
		{[]string{"Redirect", "308", "/a/", "/b/"}, true, 308, "/a/", "/b/"},
		{[]string{"RedirectPermanent", "/a", "/b"}, true, 301, "/a", "/b"},
		{[]string{"RedirectTemp", "/a", "/b"}, true, 302, "/a", "/b"},
		{[]string{"Redirect", "gone", "/a"}, false, 0, "", ""},
		{[]string{"Redirect", "410", "/a", "/b"}, false, 0, "", ""},
		{[]string{"Redirect", "https://example.com/b"}, false, 0, "", ""}, // inside <Location>
	} {
		rd, ok := apacheRedirect(tc.args, "t.conf:1")
		if ok != tc.ok || ok && (rd.Status != tc.status || rd.From != tc.from || rd.To != tc.to) {
			t.Errorf("%v: %+v %v", tc.args, rd, ok)
		}
	}
	if got := ApacheRedirectTarget([]ApacheRedirect{{From: "/a/", To: "/b/"}}, "/a/c/d"); got != "/b/c/d" {
		t.Errorf("/a/ → /b/: /a/c/d gives %q", got)
	}
}

// The ProxyPass paths of the same configuration: exclusions first, as httpd wants them.
func TestApacheProxyPaths(t *testing.T) {
	c, err := LoadApacheConf("testdata/proxies/apache-redirect.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ProxyPaths) != 4 || !c.ProxyPaths[0].Exclude || c.ProxyPaths[2].Path != "/api/" || c.ProxyPaths[2].Exclude {
		t.Fatalf("proxy paths %+v", c.ProxyPaths)
	}
	for p, want := range map[string]bool{"/api/items/3": true, "/billing/invoices/3": true, "/api/v1/orders": false, "/api/ping/": false, "/static/logo.png": false, "/": false} {
		if got := ApacheProxied(c.ProxyPaths, p); got != want {
			t.Errorf("%s: proxied %v, want %v", p, got, want)
		}
	}
	var r apacheRules
	r.stack = []apacheSection{{kind: "location", args: []string{"/svc/"}}}
	if pp, ok := r.proxyPath([]string{"ProxyPass", "http://127.0.0.1:9/"}, "t.conf:3"); !ok || pp.Path != "/svc/" || pp.Exclude {
		t.Errorf("ProxyPass inside <Location /svc/>: %+v %v", pp, ok)
	}
}
