package parsers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// Of several http-request rules answering with one status, the one HAProxy ran is named: the
// first whose condition holds for the request's method and path. The lines are HAProxy 2.6.12's
// own (testdata/proxies/README.md); before conditions were read, every 403 named line 16.
func TestHAProxyRuleByCondition(t *testing.T) {
	checkHAProxyRules(t, "haproxy-rules", []string{
		"",                            // GET /admin/users: relayed
		"method rule haproxy.cfg:17 ", // POST /admin/users: is_admin writes (acl … method)
		"; rule haproxy.cfg:16 ",      // GET /internal/x: path only
		"; rule haproxy.cfg:16 ",      // POST /internal/x: the first rule holds, line 17 is not reached
		"method rule haproxy.cfg:18 ", // DELETE /api/reports: !{ method GET HEAD }
		"",                            // GET /api/reports: relayed
		"method rule haproxy.cfg:19 ", // PATCH /api/items: unless METH_GET || …
		"",                            // PUT /api/items: relayed (the backend's 501)
	})
}

// Conditions are three-valued: what a log line cannot tell (a header, the source address) is
// unknown, and a rule depending on it may have answered.
func TestHAProxyCondEval(t *testing.T) {
	acls := map[string][]*haproxyACL{
		"api":    {parseHAProxyACL(strings.Fields("path_beg /api")), parseHAProxyACL(strings.Fields("path -m beg /v2/"))},
		"writes": {parseHAProxyACL(strings.Fields("method POST PUT DELETE"))},
		"bot":    {parseHAProxyACL(strings.Fields("hdr_sub(user-agent) -i bot"))},
		"rx":     {parseHAProxyACL(strings.Fields("path_reg -i ^/ADMIN/[0-9]+$"))},
		"low":    {parseHAProxyACL(strings.Fields("path -i /Login"))},
		"dir":    {parseHAProxyACL(strings.Fields("path_dir reports"))},
	}
	for _, tc := range []struct {
		cond         string
		method, path string
		want         tri
		testsMethod  bool
	}{
		{"if { method PUT }", "PUT", "/x", triTrue, true},
		{"if { method PUT }", "GET", "/x", triFalse, true},
		{"unless METH_GET", "HEAD", "/x", triFalse, true},
		{"unless METH_GET", "POST", "/x", triTrue, true},
		{"if api writes", "POST", "/api/items", triTrue, true},
		{"if api writes", "POST", "/v2/items", triTrue, true}, // a name declared twice: either
		{"if api writes", "GET", "/api/items", triFalse, true},
		{"if api !writes", "GET", "/api/items", triTrue, true},
		{"if bot", "GET", "/", triUnknown, false},
		{"if bot writes", "GET", "/", triFalse, true}, // false whatever the header
		{"if bot || writes", "PUT", "/", triTrue, true},
		{"if bot or writes", "GET", "/", triUnknown, true},
		{"if rx", "GET", "/admin/12", triTrue, false},
		{"if rx", "GET", "/admin/x", triFalse, false},
		{"if low", "GET", "/LOGIN", triTrue, false},
		{"if dir", "GET", "/api/reports/1", triTrue, false},
		{"if dir", "GET", "/api/reportsx", triFalse, false},
		{"if { src 10.0.0.0/8 }", "GET", "/", triUnknown, false},
		{"if TRUE", "GET", "/", triTrue, false},
		{"if undeclared", "GET", "/", triUnknown, false},
		{"if { path_beg -f /etc/haproxy/paths.lst }", "GET", "/", triUnknown, false},
	} {
		f := strings.Fields("http-request deny " + tc.cond)
		_, c := splitHAProxyCond(f)
		if got := c.eval(acls, tc.method, tc.path, tc.path); got != tc.want {
			t.Errorf("%q for %s %s: %v, want %v", tc.cond, tc.method, tc.path, got, tc.want)
		}
		if got := usesMethodACL(acls, c); got != tc.testsMethod {
			t.Errorf("%q: tests the method %v, want %v", tc.cond, got, tc.testsMethod)
		}
	}
}

// Any condition text reads without a panic, and "unless C" is the negation of "if C".
func FuzzHAProxyCond(f *testing.F) {
	for _, s := range []string{"{ method PUT }", "!{ method GET HEAD } api || METH_POST", "{ path_reg ( }", "{ path -m dir / }",
		"! {", "{ url_beg -i /A } or !writes", "{ path -- -x }"} {
		f.Add(s, "POST", "/api/x?y=1")
	}
	acls := map[string][]*haproxyACL{"api": {parseHAProxyACL([]string{"path_beg", "/api"})}, "writes": {parseHAProxyACL([]string{"method", "POST"})}}
	f.Fuzz(func(t *testing.T, cond, method, uri string) {
		words := strings.Fields(cond)
		path, _, _ := strings.Cut(uri, "?")
		a := parseHAProxyCond(false, words).eval(acls, method, path, uri)
		b := parseHAProxyCond(true, words).eval(acls, method, path, uri)
		if a != b.not() {
			t.Errorf("if %q: %v, unless: %v", cond, a, b)
		}
	})
}

// HAProxy 2.6.12's own lines for testdata/proxies/haproxy-acl.cfg, and the rule each names: the
// one HAProxy ran, or none where a condition the log cannot decide (line 33's header) comes
// before the rule that ran. Before, line 33 was named for eight of them (url_param and path_dom
// were read as the path or URL, the first undecided rule was named, and the frontend's rules
// were searched for a request its backend denied), the tarpit's 500 and the return's 405 (LR--)
// named none, and fe_three took line 12 from a defaults section it does not use.
func TestHAProxyACLCapture(t *testing.T) {
	want := []string{
		"; rule haproxy.cfg:29 ",      // DELETE /open/a?debug=1: url_param(debug) -m str 1
		"; rule haproxy.cfg:30 ",      // DELETE /open/admin/x: path_dom admin
		"method rule haproxy.cfg:31 ", // POST /tp/a: tarpit, 500 PT--
		"method rule haproxy.cfg:32 ", // POST /ret/abX: return status 405, LR--
		"; rule haproxy.cfg:33 ",      // PUT /hb/x: { path_beg /hb } METH_PUT; for GET the header decides: not known a method refusal
		"; rule haproxy.cfg:33 ",      // PUT /open/q: sent X-Block; no later 405 rule holds
		"",                            // DELETE /api3/x: line 34 ran; line 33's header is unknown
		"",                            // DELETE /API3/x: likewise
		"",                            // DELETE /v2/api/x: likewise
		"",                            // PUT /open/f.bak: likewise
		"method rule haproxy.cfg:35 ", // POST /x: deny unless …
		"method rule haproxy.cfg:35 ", // TRACE /open/x: … !METH_TRACE
		"method rule haproxy.cfg:40 ", // PATCH /open/be: denied by backend be_rules
		"method rule haproxy.cfg:35 ", // PATCH /be/x: the frontend's rule
		"method rule haproxy.cfg:12 ", // TRACE /x on fe_two: from its defaults base
		"method rule haproxy.cfg:48 ", // PUT /x on fe_two
		"; rule haproxy.cfg:53 ",      // TRACE /x on fe_three: its header rule, not defaults base
		"",                            // TRACE /y on fe_three: relayed (the backend's 501)
	}
	checkHAProxyRules(t, "haproxy-acl", want)
}

// A rule that tests the method refused a request's method only when it would not have refused
// another method there: HAProxy 2.6.12 refused GET /internal/x like POST and DELETE with
// "deny if { path_beg /internal } || METH_TRACE" (testdata/proxies/haproxy-pathrule.log), so
// those 403s are no method rejection; TRACE /x and POST /admin/a ("!METH_GET") are. Before,
// every answer of a rule that tests the method was one.
func TestHAProxyPathRuleNotMethod(t *testing.T) {
	checkHAProxyRules(t, "haproxy-pathrule", []string{
		"; rule haproxy.cfg:14 ",      // GET /internal/x
		"; rule haproxy.cfg:14 ",      // POST /internal/x
		"; rule haproxy.cfg:14 ",      // DELETE /internal/y
		"method rule haproxy.cfg:14 ", // TRACE /x
		"",                            // GET /admin/a: relayed
		"method rule haproxy.cfg:15 ", // POST /admin/a
		"",                            // GET /api/x: relayed
		"",                            // POST /api/x: the backend's 405, relayed
	})
}

// checkHAProxyRules parses testdata/proxies/NAME.log with NAME.cfg and checks the rule each
// line's detail names ("" for none).
func checkHAProxyRules(t *testing.T, name string, want []string) {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join("testdata", "proxies", name+".cfg"))
	if err != nil {
		t.Fatal(err)
	}
	conf, err := ReadHAProxyConf(fstest.MapFS{"haproxy.cfg": {Data: cfg}}, "haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "proxies", name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	c := Config{HAProxyConf: conf}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	res, err := c.Resolve("haproxy.log", toSample(lines))
	if err != nil {
		t.Fatal(err)
	}
	p := res.NewParser()
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d", len(lines), len(want))
	}
	for i, line := range lines {
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte(line), &rec); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		got := rec.Detail
		switch {
		case want[i] == "" && strings.Contains(got, "rule haproxy.cfg:"):
			t.Errorf("line %d (%s %s): %q names a rule; none is certain", i+1, rec.Method, rec.URI, got)
		case want[i] != "" && !strings.Contains(got, want[i]):
			t.Errorf("line %d (%s %s): %q, want %q", i+1, rec.Method, rec.URI, got, want[i])
		}
	}
}

// After "http-request set-path" or "set-method" the rules that follow test the rewritten request,
// which the log line does not show: HAProxy 2.6.12 (testdata/proxies/haproxy-rewrite.log) denied
// POST /admin/x with line 15 ({ path_beg /v2/admin }, after set-path /v2%[path]) and DELETE /m/x
// with line 19 (after set-method GET made line 18's !METH_GET false). Before, lines 16 and 18
// were named, from the path and method as logged; neither can be told now, so none is named.
func TestHAProxyRewrittenRequest(t *testing.T) {
	checkHAProxyRules(t, "haproxy-rewrite", []string{
		"", // POST /admin/x: line 15 or 16 as far as the log tells
		"", // GET /admin/x: relayed (as /v2/admin/x)
		"", // DELETE /m/x: line 18 or 19
	})
}
