package parsers

import (
	"strings"
	"testing"
)

// The method rules read from configurations (nginxlocations.go, envoyroutes.go), on the
// configurations in samples/: samples/incidents/nginx.conf (an SPA fallback, a static location,
// proxied API prefixes), samples/causes/nginx.conf (limit_except, written by a real nginx run)
// and samples/incidents/envoy.yaml.

func TestNginxLocations(t *testing.T) {
	cases := []struct {
		conf, path                string
		pattern, fallback, except string
		upstream                  bool
		status                    int
		internal                  bool // rewrite or error_page
	}{
		{"../samples/incidents/nginx.conf", "/api/orders/7", "/api/", "", "", true, 0, false},
		{"../samples/incidents/nginx.conf", "/api/v2/accounts/9", "/api/v2/accounts/", "", "", true, 0, true},
		{"../samples/incidents/nginx.conf", "/api/search", "= /api/search", "", "", true, 0, true},
		{"../samples/incidents/nginx.conf", "/settings", "/", "/index.html", "", false, 0, false},
		{"../samples/incidents/nginx.conf", "/assets/app.3f9c1b.js", "/assets/", "", "", false, 0, false},
		{"../samples/incidents/nginx.conf", "/healthz", "= /healthz", "", "", false, 0, false},
		{"../samples/causes/nginx.conf", "/admin/users", "/admin/", "", "GET HEAD", true, 403, false},
		{"../samples/causes/nginx.conf", "/v1/upload", "/", "/index.html", "", false, 0, false},
	}
	for _, tc := range cases {
		conf, err := loadNginxConf(tc.conf, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		locs, err := conf.NginxLocations()
		if err != nil {
			t.Fatal(err)
		}
		l := SelectNginxLocation(locs, tc.path)
		if l == nil {
			t.Errorf("%s %s: no location", tc.conf, tc.path)
			continue
		}
		if l.Pattern() != tc.pattern || l.Fallback != tc.fallback || strings.Join(l.LimitExcept, " ") != tc.except ||
			l.Upstream != tc.upstream || l.LimitStatus != tc.status || l.Internal != tc.internal || !strings.HasPrefix(l.Source, "nginx.conf:") {
			t.Errorf("%s %s: %+v", tc.conf, tc.path, *l)
		}
		if tc.except != "" && (l.Allows("POST") || !l.Allows("HEAD")) {
			t.Errorf("%s: limit_except GET allows POST or refuses HEAD", tc.path)
		}
	}
}

// nginx's precedence: "=" first, then the longest prefix with ^~, then regular expressions in
// order, then the longest prefix (constructed configuration).
func TestSelectNginxLocationPrecedence(t *testing.T) {
	locs, err := parseNginxLocations("t.conf", `server {
    location / { try_files $uri /index.html; }
    location /static/ { root /srv; }
    location ^~ /static/fixed/ { root /srv; }
    location ~* \.php$ { fastcgi_pass unix:/run/php.sock; }
    location = /exact { return 204; }
}`)
	if err != nil {
		t.Fatal(err)
	}
	// The locations by line ("\." keeps its backslash, as in nginx: /static/aphp is no PHP file).
	for path, want := range map[string]string{
		"/exact": "t.conf:6", "/static/a.php": "t.conf:5", "/static/fixed/a.php": "t.conf:4",
		"/static/a.css": "t.conf:3", "/x.PHP": "t.conf:5", "/anything": "t.conf:2", "/static/aphp": "t.conf:3",
	} {
		if l := SelectNginxLocation(locs, path); l == nil || l.Source != want {
			t.Errorf("%s: %+v, want %s", path, l, want)
		}
	}
}

func TestEnvoyRoutes(t *testing.T) {
	routes, err := LoadEnvoyRoutes("../samples/incidents/envoy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) == 0 {
		t.Fatal("no routes read")
	}
	for _, r := range routes {
		if r.Match == "" || !strings.HasPrefix(r.Source, "envoy.yaml:") {
			t.Errorf("route %+v", r)
		}
	}
	get := []EnvoyRoute{{Match: "prefix /r", kind: "prefix", pattern: "/r", Methods: []string{"GET"}}}
	if EnvoyMethodRoute(get, "/r/1", "DELETE") == nil || EnvoyMethodRoute(get, "/r/1", "GET") != nil || EnvoyMethodRoute(get, "/x", "DELETE") != nil {
		t.Error("EnvoyMethodRoute")
	}
	any := append(get, EnvoyRoute{Match: "prefix /", kind: "prefix", pattern: "/"})
	if EnvoyMethodRoute(any, "/r/1", "DELETE") != nil {
		t.Error("a catch-all route accepts the method: not a method rejection")
	}
}

// FuzzNginxLocations: any configuration text is read or refused with a reason, never a panic,
// and the locations read can be matched.
func FuzzNginxLocations(f *testing.F) {
	f.Add("location /a/ { limit_except GET { deny all; } proxy_pass http://b; }")
	f.Add("location = /x { try_files $uri /index.html; }\nlocation ~ ^/(a|b { }")
	f.Add("server { location / { location /n/ { auth_basic x; } } }")
	f.Fuzz(func(t *testing.T, conf string) {
		locs, err := parseNginxLocations("f.conf", conf)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty reason")
			}
			return
		}
		for _, p := range []string{"/", "/a/b", "/x"} {
			if l := SelectNginxLocation(locs, p); l != nil {
				_ = l.Allows("POST")
				_ = l.Pattern()
			}
		}
	})
}

// A location's own "return 301|302|303 URL" gives the path clients are sent to, when literal;
// a return inside an if, with variables, or of another status gives none.
func TestNginxLocationRedirect(t *testing.T) {
	locs, err := parseNginxLocations("t.conf", `server {
    location = /api/v1/orders { return 301 /api/v2/orders; }
    location = /old { return 302 https://$host/new?from=old; }
    location /legacy/ { return 301 $scheme://$host/v2$request_uri; }
    location = /gone { return 410; }
    location /x/ { if ($request_method = POST) { return 301 /y/; } proxy_pass http://app; }
    location = /teapot { return 418 /nope; }
}`)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/api/v1/orders": "/api/v2/orders", "/old": "/new", "/legacy/a": "", "/gone": "", "/x/1": "", "/teapot": ""} {
		l := SelectNginxLocation(locs, path)
		if l == nil || l.Redirect != want {
			t.Errorf("%s: %+v, want Redirect %q", path, l, want)
		}
		if l != nil && !l.Returns { // each location returns, /x/ inside an if
			t.Errorf("%s: Returns false", path)
		}
	}
	if l := SelectNginxLocation(locs, "/api/v2/orders"); l != nil {
		t.Errorf("/api/v2/orders: %+v, want no location", l)
	}
}
