package parsers

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func apacheRulesConf(t testing.TB) *ApacheConf {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, file := range map[string]string{"etc/apache2/apache-rules.conf": "apache-rules.conf",
		"etc/apache2/conf-enabled/logging.conf": "conf-enabled/logging.conf"} {
		data, err := os.ReadFile(filepath.Join("testdata", "proxies", file))
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	c, err := ReadApacheConf(fsys, "etc/apache2/apache-rules.conf")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The method rules of a configuration httpd 2.4.71 ran with (testdata/proxies/README.md), and
// which refused each request it logged: the rule is the one httpd applied, the status its own.
func TestApacheMethodRules(t *testing.T) {
	c := apacheRulesConf(t)
	want := []string{
		"apache-rules.conf:25 403  RewriteCond %{REQUEST_METHOD} ^(TRACE|DELETE)$ RewriteRule ^/api/ - [F]",
		"apache-rules.conf:28 403 <Location /admin> <LimitExcept GET> Require all denied",
		"apache-rules.conf:33 403 <Location /reports> Require method GET HEAD",
		"apache-rules.conf:36 405 <Location /api/export> AllowMethods GET",
	} // <Limit PUT> at line 20 sits beside Require all granted: it refuses nothing
	var got []string
	for _, r := range c.MethodRules {
		if r.Status == 0 {
			continue // a Require or AllowMethods reset that refuses nothing
		}
		got = append(got, r.Source+" "+strconv.Itoa(r.Status)+" "+r.Scope+" "+r.Rule)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	refusedBy := map[string]string{ // method path -> rule source; "" when no rule refused it
		"POST /admin/": "apache2.conf:28", "POST /reports/": "apache2.conf:33",
		"POST /api/export/": "apache2.conf:36", "DELETE /api/items/": "apache2.conf:25",
	}
	checkApacheRules(t, map[string]string{"srv/apache/apache2.conf": "apache-rules.conf",
		"srv/apache/conf-enabled/logging.conf": "conf-enabled/logging.conf"}, "apache-rules.log", refusedBy, nil)
}

// Scopes and method lists as httpd applies them.
func TestApacheRuleRefuses(t *testing.T) {
	conf := `DocumentRoot /var/www/html
<Directory /var/www/html/uploads>
	<LimitExcept GET POST>
		Deny from all
	</LimitExcept>
</Directory>
<Directory /usr/share/doc>
	<LimitExcept GET>
		Require all denied
	</LimitExcept>
</Directory>
<LocationMatch "^/v[0-9]+/admin">
	<Limit DELETE PATCH>
		Require valid-user
	</Limit>
</LocationMatch>
<Location /ro>
	<RequireAny>
		Require method GET
		Require ip 10.0.0.0/8
	</RequireAny>
</Location>
<IfModule mod_rewrite.c>
	RewriteEngine on
	RewriteCond %{REQUEST_METHOD} !^(GET|HEAD|POST)$ [NC]
	RewriteRule ^/legacy/ - [R=405,L]
	RewriteCond %{REQUEST_METHOD} =PUT
	RewriteCond %{HTTP_HOST} ^old\.
	RewriteRule ^/ - [F]
</IfModule>
`
	c, err := ReadApacheConf(fstest.MapFS{"httpd.conf": {Data: []byte(conf)}}, "httpd.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path string
		status       int
		want         string // rule source, "" for none
	}{
		{"PUT", "/uploads/a.png", 403, "httpd.conf:3"},
		{"HEAD", "/uploads/a.png", 403, ""}, // GET covers HEAD
		{"POST", "/uploads/a.png", 403, ""},
		{"PUT", "/uploadsx", 403, ""}, // not under the directory
		{"PUT", "/doc/x", 403, ""},    // /usr/share/doc is not under the DocumentRoot
		{"DELETE", "/v2/admin/u/1", 401, "httpd.conf:13"},
		{"DELETE", "/v2/users", 401, ""},
		{"POST", "/ro/x", 403, ""}, // Require method inside RequireAny: the address may grant
		{"OPTIONS", "/legacy/x", 405, "httpd.conf:25"},
		{"get", "/legacy/x", 405, ""}, // [NC]
		{"PUT", "/x", 403, ""},        // the rewrite also tests the host: not a method rule
	} {
		r := SelectApacheRule(c.MethodRules, tc.method, tc.path, "", tc.status, true)
		got := ""
		if r != nil {
			got = r.Source
		}
		if got != tc.want {
			t.Errorf("%s %s %d: %q, want %q (rules %+v)", tc.method, tc.path, tc.status, got, tc.want, c.MethodRules)
		}
	}
}

// Any configuration text reads without a panic, and its rules answer Refuses for any request.
func FuzzApacheConfRules(f *testing.F) {
	for _, s := range []string{"<Location /a>\n<LimitExcept GET>\nRequire all denied\n</LimitExcept>\n</Location>\n",
		"RewriteCond %{REQUEST_METHOD} !=GET\nRewriteRule (  - [F]\n", "<LocationMatch (>\nAllowMethods GET\n</LocationMatch>\n",
		"</Limit>\n<Limit>\nDeny from all\n</Limit>\n", "DocumentRoot /\n<Directory />\nRequire method\n</Directory>"} {
		f.Add(s, "POST", "/a/b")
	}
	f.Fuzz(func(t *testing.T, conf, method, path string) {
		c, err := ReadApacheConf(fstest.MapFS{"httpd.conf": {Data: []byte(conf)}}, "httpd.conf")
		if err != nil {
			return
		}
		for i := range c.MethodRules {
			r := &c.MethodRules[i]
			if r.Status != 0 && r.Status != 401 && r.Status != 403 && r.Status != 405 || r.Source == "" || r.Rule == "" {
				t.Errorf("rule %+v", r)
			}
			r.Refuses(method, path)
		}
	})
}

// How httpd 2.4.71 merged the method rules of testdata/proxies/apache-merge.conf, request by
// request in apache-merge.log: a later <Location> with AllowMethods reset, a longer AllowMethods,
// or a Require of its own replaces the earlier section's rule; Require method beside Require
// all granted grants; <Directory> rules do not apply to a proxied request; the server's
// RewriteRule does not run in a <VirtualHost>, whose own rule does under the server's
// RewriteEngine on. Each request httpd relayed (%{Allow}o "GET, HEAD" or the backend's 403)
// must name no rule.
func TestApacheMergeRules(t *testing.T) {
	refusedBy := map[string]string{ // method path -> rule source; httpd answered these itself
		"POST /ov/a": "apache2.conf:31", "POST /rs/a": "apache2.conf:38", "POST /ro/a": "apache2.conf:50",
		"POST /lp/a": "apache2.conf:57", "POST /rx/a": "apache2.conf:70", "DELETE /m/x/a": "apache2.conf:77",
		"DELETE /rn/a": "apache2.conf:83", "PATCH /api/a": "apache2.conf:89",
		"POST /static/a.txt": "apache2.conf:24", "DELETE /static/a.txt": "apache2.conf:24",
	}
	checkApacheRules(t, map[string]string{"srv/apache/apache2.conf": "apache-merge.conf"}, "apache-merge.log", refusedBy,
		func(key, line string, status int) bool {
			return strings.Contains(line, `"GET, HEAD"`) || status == 403 && strings.Contains(key, "forbid")
		})
}

// Debian's layout (testdata/proxies/apache-vhost.conf): the <Directory> rules sit in the main
// file, the DocumentRoot in the <VirtualHost> of an included site read after them. httpd 2.4.71
// refused PUT under <Directory …/www/static/> and POST under <Directory …/www/up/>
// (apache-vhost.log); before, no DocumentRoot was known when those sections were read, so
// neither was named.
func TestApacheVhostDocumentRoot(t *testing.T) {
	checkApacheRules(t, map[string]string{"srv/apache/apache2.conf": "apache-vhost.conf",
		"srv/apache/sites-enabled/000-default.conf": "apache-vhost-site.conf"}, "apache-vhost.log", map[string]string{
		"PUT /static/a.txt": "apache2.conf:28", "POST /up/x": "apache2.conf:33", "POST /api/ro/a": "000-default.conf:7",
	}, nil)
}

// mod_rewrite's conditions on the method as httpd 2.4.71 ran them (testdata/proxies/
// apache-rewrite.log): "[OR]" joins two (PUT and PATCH refused by line 26's rule; before, a rule
// with two conditions was left out), [NC] folds case (DELETE refused with 405 by "^delete$
// [NC]"). <Limit PUT> in a <Location> refuses PUT though the <Directory> grants all, and the
// per-directory rewrite of <Location /rwloc> (POST refused with 403) is not read: no rule is
// named for it rather than a wrong one.
func TestApacheRewriteConds(t *testing.T) {
	checkApacheRules(t, map[string]string{"srv/apache/apache2.conf": "apache-rewrite.conf"}, "apache-rewrite.log", map[string]string{
		"PUT /rw/a": "apache2.conf:26", "PATCH /rw/a": "apache2.conf:26", "DELETE /rw/a": "apache2.conf:29",
		"PUT /lim/x": "apache2.conf:32", "POST /lm/12": "apache2.conf:37", "DELETE /rall/x": "apache2.conf:43",
		"DELETE /rany/x": "apache2.conf:48",
	}, func(key, line string, status int) bool { return strings.Contains(line, `"GET, HEAD"`) })
}

// checkApacheRules reads the configuration files (fsys name -> testdata/proxies file; the main
// one is srv/apache/apache2.conf) and checks, for each line of the log httpd wrote,
// the rule SelectApacheRule names against refusedBy (method path -> rule source). relayed, when
// given, tells from a log line that httpd relayed the backend's answer; the table must agree.
func checkApacheRules(t *testing.T, files map[string]string, logName string, refusedBy map[string]string,
	relayed func(key, line string, status int) bool) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, file := range files {
		data, err := os.ReadFile(filepath.Join("testdata", "proxies", file))
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	c, err := ReadApacheConf(fsys, "srv/apache/apache2.conf")
	if err != nil {
		t.Fatal(err)
	}
	logData, err := os.ReadFile(filepath.Join("testdata", "proxies", logName))
	if err != nil {
		t.Fatal(err)
	}
	p, err := CompileApache(c.Formats["triage"])
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(logData)), "\n") {
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		key := rec.Method + " " + rec.Path
		if relayed != nil && refusedBy[key] != "" && relayed(key, line, rec.Status) {
			t.Fatalf("%s: the capture and the table disagree (%s)", key, line)
		}
		r := SelectApacheRule(c.MethodRules, rec.Method, rec.Path, rec.Host, rec.Status, rec.Local == LocalYes)
		switch src := refusedBy[key]; {
		case src == "" && r != nil:
			t.Errorf("%s %d: refused by %s (%s); httpd did not refuse it with a rule read", key, rec.Status, r.Source, r.Rule)
		case src != "" && (r == nil || r.Source != src):
			t.Errorf("%s %d: rule %+v, want %s", key, rec.Status, r, src)
		case src != "":
			n++
		}
	}
	if n != len(refusedBy) {
		t.Errorf("%d refusals found in the log, want %d", n, len(refusedBy))
	}
}

// Two name-based virtual hosts on one address (testdata/proxies/apache-vhosts.conf), AllowMethods
// GET on /api in the first only. httpd 2.4.71 refused POST /api/x itself (405, Allow: TRACE) for
// Host a.test, x.a.test (ServerAlias *.a.test), c.test (no name matches: the address's first
// virtual host) and A.TEST:18487, and relayed the backend's 405 for b.test. Logged with %v
// (apache-vhosts.log) or %{Host}i (apache-vhosts-host.log), the rule is named for the first four
// only; before, b.test's relayed 405 was put on httpd too.
func TestApacheVirtualHostRules(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "proxies", "apache-vhosts.conf"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ReadApacheConf(fstest.MapFS{"srv/apache/apache2.conf": {Data: data}}, "srv/apache/apache2.conf")
	if err != nil {
		t.Fatal(err)
	}
	for logName, format := range map[string]string{"apache-vhosts.log": "triagev", "apache-vhosts-host.log": "triageh"} {
		logData, err := os.ReadFile(filepath.Join("testdata", "proxies", logName))
		if err != nil {
			t.Fatal(err)
		}
		p, err := CompileApache(c.Formats[format])
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(logData)), "\n")
		if len(lines) != 5 {
			t.Fatalf("%s: %d lines", logName, len(lines))
		}
		for i, line := range lines {
			var rec Record
			rec.Reset()
			if err := p.Parse([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
			own := strings.Contains(line, `"TRACE"`) // httpd's own 405 from AllowMethods
			r := SelectApacheRule(c.MethodRules, rec.Method, rec.Path, rec.Host, rec.Status, rec.Local == LocalYes)
			switch {
			case own && (r == nil || r.Source != "apache2.conf:30"):
				t.Errorf("%s:%d (host %q): rule %+v, want apache2.conf:30", logName, i+1, rec.Host, r)
			case !own && r != nil:
				t.Errorf("%s:%d (host %q): refused by %s; httpd relayed the backend's 405", logName, i+1, rec.Host, r.Source)
			}
		}
	}
}
