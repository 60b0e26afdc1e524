package analysis

import (
	"fmt"
	"github.com/logtriage/logtriage/analysis/contract"
	"strings"
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// contractSpec is a constructed contract: a base path from the servers, a literal path that
// must win over its templated sibling, a mixed segment, and a path with its own server.
func contractSpec() *contract.Spec {
	return contract.NewSpec(&contract.Document{Source: "specs/shop.yaml", Bases: []string{"", "/v1"}, Paths: []contract.Path{
		{Template: "/orders/{orderId}", Methods: []string{"DELETE", "GET", "PUT"}},
		{Template: "/orders/export", Methods: []string{"POST"}},
		{Template: "/orders", Methods: []string{"GET", "POST"}},
		{Template: "/files/{name}.json", Methods: []string{"GET"}},
		{Template: "/profile", Methods: []string{"GET", "PATCH"}},
		{Template: "/hooks/{id}", Methods: []string{"POST"}, Bases: []string{"/internal"}},
	}})
}

func TestSpecCheck(t *testing.T) {
	s := contractSpec()
	for _, tc := range []struct {
		method, path, want, template string
	}{
		{"PUT", "/orders/{id}", contract.Documented, "/orders/{orderId}"},
		{"POST", "/orders/{id}", contract.Undocumented, "/orders/{orderId}"},
		{"PUT", "/orders/42", contract.Documented, "/orders/{orderId}"},
		{"HEAD", "/orders/42", contract.Documented, "/orders/{orderId}"},  // HEAD goes with GET
		{"POST", "/orders/export", contract.Documented, "/orders/export"}, // literal beats {orderId}
		{"GET", "/orders/export", contract.Undocumented, "/orders/export"},
		{"GET", "/v1/orders/7", contract.Documented, "/orders/{orderId}"}, // server base path
		{"GET", "/orders/", contract.Documented, "/orders"},               // trailing slash
		{"GET", "/orders?page=2", contract.Documented, "/orders"},
		{"GET", "//orders", contract.Documented, "/orders"},
		{"GET", "/files/report.json", contract.Documented, "/files/{name}.json"},
		{"GET", "/files/report.xml", contract.UnknownRoute, ""},
		{"POST", "/internal/hooks/{id}", contract.Documented, "/hooks/{id}"}, // the path's own server
		{"POST", "/hooks/{id}", contract.UnknownRoute, ""},
		{"GET", "/v2/orders/7", contract.UnknownRoute, ""},
		{"GET", "/", contract.UnknownRoute, ""},
	} {
		got, m := s.Check(tc.method, tc.path)
		if got != tc.want || m.Template != tc.template {
			t.Errorf("Check(%s %s) = %s %q, want %s %q", tc.method, tc.path, got, m.Template, tc.want, tc.template)
		}
	}
}

// contractAnalysis has one server-side 405 (a documented DELETE rejected by the app after it
// worked: a regression), one client-side (POST on an item, sent by a constructed mobile client),
// a preflight for a documented PATCH, and a route the spec lacks.
func contractAnalysis(t *testing.T, surface bool) *Analysis {
	var recs []*parsers.Record
	n := 0
	pair := func(sec float64, method, path string, status int, o ...opt) {
		n++
		id := fmt.Sprintf("%032x", n)
		recs = append(recs,
			rec("app", "app", sec, method, path, status, append([]opt{trace(id)}, o...)...),
			rec("edge", "nginx", sec+0.002, method, path, status, append([]opt{nginxRID(id), trace(id), up(status), addr("10.0.3.1:8080")}, o...)...))
	}
	for i := 0; i < 10; i++ {
		pair(float64(i), "DELETE", fmt.Sprintf("/orders/%d", 100+i), 204)
		pair(float64(i)+0.5, "GET", fmt.Sprintf("/orders/%d", 100+i), 200)
	}
	for i := 0; i < 5; i++ {
		pair(float64(20+i), "DELETE", fmt.Sprintf("/orders/%d", 200+i), 405, allow("GET, PUT"))
		pair(float64(20+i)+0.3, "POST", fmt.Sprintf("/orders/%d", 300+i), 405, allow("GET, PUT"), ua("ShopApp-iOS/3.2.0"), client("192.0.2.10"))
		pair(float64(20+i)+0.6, "OPTIONS", "/profile", 405, allow("GET, PATCH"), preflight("https://app.example.com", "PATCH"))
		pair(float64(20+i)+0.8, "PUT", "/admin/users/9", 405)
	}
	pair(30, "OPTIONS", "/profile", 204, preflight("https://www.example.com", "PATCH"))
	pair(31, "POST", "/search", 200) // not in the spec, succeeds
	sortRecords(recs)
	_, a := run(t, Options{Surface: surface}, recs...)
	return a
}

func findingBy(t *testing.T, a *Analysis, method, route string) *Finding {
	t.Helper()
	for i := range a.Findings {
		if a.Findings[i].Method == method && a.Findings[i].Route == route {
			return &a.Findings[i]
		}
	}
	t.Fatalf("no finding %s %s in %+v", method, route, a.Findings)
	return nil
}

func TestApplyContract(t *testing.T) {
	a := contractAnalysis(t, false)
	if a.Surface != nil {
		t.Errorf("surface computed without Options.Surface")
	}
	spec := contractSpec()
	ApplyContract(a, spec)

	del := findingBy(t, a, "DELETE", "/orders/{id}")
	if del.Cause != CauseDeployRegression || del.Contract != contract.Documented || del.FixSide != "server" || del.ContractPath != "/orders/{orderId}" {
		t.Errorf("DELETE: %s %s %s %s", del.Cause, del.Contract, del.FixSide, del.ContractPath)
	}
	if !strings.HasPrefix(del.Fix, "Server side (app): the spec (shop.yaml) documents DELETE on /orders/{orderId}") ||
		!strings.Contains(del.Fix, "regression") {
		t.Errorf("DELETE fix: %s", del.Fix)
	}

	post := findingBy(t, a, "POST", "/orders/{id}")
	if post.Contract != contract.Undocumented || post.FixSide != "client" {
		t.Errorf("POST: %s %s", post.Contract, post.FixSide)
	}
	if !strings.HasPrefix(post.Fix, "Client side:") || !strings.Contains(post.Fix, "ShopApp-iOS/3.2.0 (5)") {
		t.Errorf("POST fix does not name the client: %s", post.Fix)
	}

	// The preflight is judged by the method the browser wanted: PATCH is documented.
	pre := findingBy(t, a, "OPTIONS", "/profile")
	if pre.Cause != CauseCORSPreflight || pre.Contract != contract.Documented || !strings.Contains(pre.Fix, "allow PATCH") {
		t.Errorf("preflight: %s %s %s", pre.Cause, pre.Contract, pre.Fix)
	}

	adm := findingBy(t, a, "PUT", "/admin/users/{id}")
	if adm.Contract != contract.UnknownRoute || adm.FixSide != "" || adm.ContractPath != "" {
		t.Errorf("admin: %s %q %q", adm.Contract, adm.FixSide, adm.ContractPath)
	}

	// Applying again (a report re-rendered with another spec) replaces the verdict.
	fix := del.Fix
	ApplyContract(a, spec)
	if del.Fix != fix {
		t.Errorf("second ApplyContract changed Fix:\n%s\n%s", fix, del.Fix)
	}
	other := contract.NewSpec(&contract.Document{Source: "v2.yaml", Paths: []contract.Path{{Template: "/orders/{id}", Methods: []string{"GET"}}}})
	ApplyContract(a, other)
	if del.Contract != contract.Undocumented || strings.Count(del.Fix, "side") != 1 || !strings.HasPrefix(del.Fix, "Client side: the spec (v2.yaml)") {
		t.Errorf("re-applied with another spec: %s %s", del.Contract, del.Fix)
	}
}

func TestFailOn(t *testing.T) {
	a := contractAnalysis(t, false)
	ApplyContract(a, contractSpec())
	for _, tc := range []struct {
		list string
		want []string // FailLine prefixes of the failing findings
	}{
		{"any", []string{"FAIL", "FAIL", "FAIL", "FAIL"}},
		{"documented", []string{"FAIL deploy_regression app DELETE /orders/{id} count=5 contract=documented fix=server", "FAIL cors_preflight app OPTIONS /profile"}},
		{"undocumented", []string{"FAIL method_not_routed app POST /orders/{id} count=5 contract=undocumented fix=client"}},
		{"unknown_route", []string{"FAIL method_not_routed app PUT /admin/users/{id}"}},
		{"deploy_regression", []string{"FAIL deploy_regression"}},
		{"documented+layer:app+method:PATCH", []string{"FAIL cors_preflight"}}, // the preflight's wanted method
		{"layer:edge", nil},
		{"proxy_method_block, backend_drift", nil},
		{" Documented + LAYER:APP ", []string{"FAIL deploy_regression", "FAIL cors_preflight"}},
	} {
		g, err := ParseFailOn(tc.list)
		if err != nil {
			t.Fatalf("%q: %v", tc.list, err)
		}
		fails := g.Failures(a)
		if len(fails) != len(tc.want) {
			t.Errorf("%q: %d failures, want %d", tc.list, len(fails), len(tc.want))
			continue
		}
		for i, f := range fails {
			if line := FailLine(f); !strings.HasPrefix(line, tc.want[i]) {
				t.Errorf("%q: %s, want prefix %s", tc.list, line, tc.want[i])
			}
		}
	}
	for _, bad := range []string{"", "documented,bogus", "layer:", "+"} {
		if _, err := ParseFailOn(bad); err == nil {
			t.Errorf("ParseFailOn(%q) accepted", bad)
		}
	}
	g, _ := ParseFailOn("any,undocumented")
	if !g.NeedsSpec {
		t.Error("undocumented needs a spec")
	}
	g, _ = ParseFailOn("any,layer:beyond_ingress")
	if g.NeedsSpec || !g.Match(&Finding{OriginLayer: "beyond ingress"}) {
		t.Error("layer:beyond_ingress should match the layer \"beyond ingress\" without a spec")
	}
	if line := FailLine(&Finding{OriginLayer: "beyond ingress", Cause: CauseMethodNotRouted, Method: "PATCH", Route: "/x", Count: 2}); line != "FAIL method_not_routed beyond_ingress PATCH /x count=2" {
		t.Errorf("FailLine: %s", line)
	}
}

func TestSurfaceAndCheckSurface(t *testing.T) {
	a := contractAnalysis(t, true)
	var del *RouteSurface
	for i := range a.Surface {
		s := &a.Surface[i]
		if s.Layer == "edge" && s.Method == "DELETE" && s.Route == "/orders/{id}" {
			del = s
		}
	}
	if del == nil || del.Count != 15 || del.OK != 10 || del.M405 != 5 || del.Allow != "GET, PUT" {
		t.Fatalf("edge DELETE /orders/{id} surface: %+v", del)
	}
	if a.Surface[0].Layer != "edge" {
		t.Errorf("surface not outer layer first: %+v", a.Surface[0])
	}
	r := CheckSurface(a, contractSpec())
	if r.Findings[0].Contract == "" {
		t.Error("CheckSurface did not apply the contract to the findings")
	}
	names := func(items []SurfaceItem) string {
		var s []string
		for _, it := range items {
			s = append(s, it.Method+" "+it.Route)
		}
		return strings.Join(s, "; ")
	}
	if got := names(r.Documented405); got != "DELETE /orders/{id}" {
		t.Errorf("documented 405: %s", got)
	}
	if got := r.Documented405[0]; len(got.Layers) != 2 || got.Layers[0].Layer != "edge" || got.Origin[0] != "app deploy_regression" {
		t.Errorf("documented 405 detail: %+v", got)
	}
	if got := names(r.Undocumented405); got != "POST /orders/{id}" {
		t.Errorf("undocumented 405: %s", got)
	}
	if got := names(r.UnknownRoutes); got != "PUT /admin/users/{id}; POST /search" {
		t.Errorf("unknown routes: %s", got)
	}
	if len(r.UndocumentedOK) != 0 {
		t.Errorf("undocumented ok: %s", names(r.UndocumentedOK))
	}
	if len(r.CORS) != 2 || r.CORS[0].Preflights != 6 || r.CORS[0].PreflightsOK != 1 || len(r.CORS[0].Origins) != 2 {
		t.Errorf("cors: %+v", r.CORS)
	}
	// PUT on /orders/{orderId}, GET and POST on /orders, … were never seen; PATCH on /profile
	// only as a preflight's wish.
	var notSeen []string
	for _, p := range r.NotSeen {
		notSeen = append(notSeen, p.Template+" "+strings.Join(p.Methods, ","))
	}
	if got := strings.Join(notSeen, "; "); !strings.Contains(got, "/orders/{orderId} PUT;") || !strings.Contains(got, "/profile GET,PATCH") {
		t.Errorf("not seen: %s", got)
	}
	// The rendering of this report is tested in analysis/report.
}

// strippedAnalysis is an edge in front of an app that strips the prefix: the edge logs
// /PREFIX/users/7, the app /users/7 (the same requests, joined by trace id). The app also
// serves a route the spec lacks (behind the same prefix), one the edge never sees, and one
// request the edge did not log.
func strippedAnalysis(t *testing.T, prefix string) *Analysis {
	var recs []*parsers.Record
	n := 0
	pair := func(sec float64, method, path string, status int, o ...opt) {
		n++
		id := fmt.Sprintf("%032x", n)
		recs = append(recs,
			rec("app", "app", sec, method, path, status, append([]opt{trace(id)}, o...)...),
			rec("edge", "nginx", sec+0.002, method, prefix+path, status, append([]opt{nginxRID(id), trace(id), up(status)}, o...)...))
	}
	for i := 0; i < 10; i++ {
		pair(float64(i), "GET", fmt.Sprintf("/users/%d", 100+i), 200)
		pair(float64(i)+0.2, "PUT", fmt.Sprintf("/users/%d", 100+i), 200)
		pair(float64(i)+0.4, "POST", fmt.Sprintf("/users/%d/merge", 100+i), 200)
	}
	for i := 0; i < 4; i++ {
		pair(float64(20+i), "DELETE", fmt.Sprintf("/users/%d", 200+i), 405, allow("GET, PUT"))
		pair(float64(20+i)+0.5, "OPTIONS", "/profile", 405, preflight("https://app.example.com", "PATCH"))
		recs = append(recs, rec("app", "app", float64(20+i)+0.7, "POST", "/internal/cron", 200, trace(fmt.Sprintf("%032x", 1000+i))))
	}
	recs = append(recs, rec("app", "app", 30, "GET", "/users/300", 200, trace(fmt.Sprintf("%032x", 2000))))
	sortRecords(recs)
	_, a := run(t, Options{Surface: true}, recs...)
	return a
}

// TestCheckSurfaceStrippedPrefix: the app's routes are the edge's, seen after the prefix strip;
// they are held against the spec under the edge's route, not listed as routes the spec lacks.
// Routes the spec really lacks are still listed, once, under the route clients sent. The spec
// may put the prefix in its paths or in its servers' base path (/v2).
func TestCheckSurfaceStrippedPrefix(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		spec   *contract.Spec
	}{
		{"/api", contract.NewSpec(&contract.Document{Source: "api.yaml", Paths: []contract.Path{
			{Template: "/api/users/{userId}", Methods: []string{"GET", "PUT"}},
			{Template: "/api/profile", Methods: []string{"GET", "PATCH"}},
		}})},
		{"/v2", contract.NewSpec(&contract.Document{Source: "v2.yaml", Bases: []string{"/v2"}, Paths: []contract.Path{
			{Template: "/users/{userId}", Methods: []string{"GET", "PUT"}},
			{Template: "/profile", Methods: []string{"GET", "PATCH"}},
		}})},
	} {
		a := strippedAnalysis(t, tc.prefix)
		r := CheckSurface(a, tc.spec)
		names := func(items []SurfaceItem) string {
			var s []string
			for _, it := range items {
				var ls []string
				for _, l := range it.Layers {
					ls = append(ls, fmt.Sprintf("%s %d/%d", l.Layer, l.Count, l.M405))
					if l.Route != "" {
						ls[len(ls)-1] += " as " + l.Route
					}
				}
				s = append(s, it.Method+" "+it.Route+" ("+strings.Join(ls, ", ")+")")
			}
			return strings.Join(s, "; ")
		}
		p := tc.prefix
		if got, want := names(r.UnknownRoutes), "POST "+p+"/users/{id}/merge (edge 10/0, app 10/0 as /users/{id}/merge); "+
			"POST /internal/cron (app 4/0); GET /users/{id} (app 1/0)"; got != want {
			t.Errorf("%s: routes the spec lacks:\n got %s\nwant %s", p, got, want)
		}
		if got, want := names(r.Undocumented405), "DELETE "+p+"/users/{id} (edge 4/4, app 4/4 as /users/{id})"; got != want {
			t.Errorf("%s: undocumented 405:\n got %s\nwant %s", p, got, want)
		}
		if len(r.NotSeen) != 1 || r.NotSeen[0].Methods[0] != "GET" {
			t.Errorf("%s: not seen: %+v", p, r.NotSeen)
		}
		var cors []string
		for _, c := range r.CORS {
			cors = append(cors, fmt.Sprintf("%s %s %d/%d", c.Layer, c.Route, c.PreflightsOK, c.Preflights))
		}
		if got, want := strings.Join(cors, "; "), "edge "+p+"/profile 0/4; app "+p+"/profile 0/4"; got != want {
			t.Errorf("%s: CORS: %s, want %s", p, got, want)
		}
	}

	// A spec written for the paths the app serves: the app's routes keep their own (the edge's,
	// with the prefix, are the routes the spec lacks).
	a := strippedAnalysis(t, "/api")
	r := CheckSurface(a, contract.NewSpec(&contract.Document{Source: "app.yaml", Paths: []contract.Path{
		{Template: "/users/{userId}", Methods: []string{"DELETE", "GET", "PUT"}}}}))
	if len(r.Documented405) != 1 || r.Documented405[0].Route != "/users/{id}" || len(r.Documented405[0].Layers) != 1 ||
		r.Documented405[0].Layers[0].Layer != "app" || r.Documented405[0].Layers[0].Route != "" {
		t.Errorf("spec of the app's paths: documented 405: %+v", r.Documented405)
	}
}
