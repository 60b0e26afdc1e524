package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The contract verdicts the bundled spec (samples/openapi.yaml) implies for the incident's
// scenarios (samples/incidents/README.md): documented methods the servers rejected are server
// side, POSTs the services never offered are client side, routes outside the public API are
// unknown.
var wantContract = map[string]struct{ contract, side string }{
	"POST /api/orders/{id}":           {"undocumented", "client"}, // a, j: the iOS app should PUT
	"DELETE /api/carts/{id}":          {"documented", "server"},   // g: regression in carts-api 1.5.0
	"OPTIONS /api/profile":            {"documented", "server"},   // e: preflight for a documented PATCH
	"PUT /api/users/{id}/avatar":      {"documented", "server"},   // h: a stale backend
	"PATCH /api/v2/accounts/{id}":     {"documented", "server"},   // f: nginx's rewrite
	"POST /api/search":                {"undocumented", "client"}, // i: masked by nginx
	"DELETE /api/items/{id}":          {"documented", "server"},   // d: Envoy's direct_response
	"PATCH /api/legacy/invoices/{id}": {"unknown_route", ""},      // k: not in the public contract
	"DELETE /admin/users/{id}":        {"unknown_route", ""},      // c
}

func TestAnalyzeOpenAPI(t *testing.T) {
	args := append([]string{"analyze", "-q", "--openapi", "samples/openapi.yaml", "-o", "json"}, incidentArgs...)
	r := lt(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Findings []struct {
			Method, Route, Contract, Fix string
			OriginLayer                  string `json:"origin_layer"`
			FixSide                      string `json:"fix_side"`
			ContractPath                 string `json:"contract_path"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range doc.Findings {
		if f.Contract == "" {
			t.Errorf("%s %s has no contract verdict", f.Method, f.Route)
		}
		want, ok := wantContract[f.Method+" "+f.Route]
		if !ok {
			continue
		}
		seen++
		if f.Contract != want.contract || f.FixSide != want.side {
			t.Errorf("%s %s: contract %s side %q, want %s %q", f.Method, f.Route, f.Contract, f.FixSide, want.contract, want.side)
		}
		switch want.side {
		case "server":
			if !strings.HasPrefix(f.Fix, "Server side ("+f.OriginLayer+")") {
				t.Errorf("%s %s: fix does not name the layer: %s", f.Method, f.Route, f.Fix)
			}
		case "client":
			if !strings.HasPrefix(f.Fix, "Client side:") {
				t.Errorf("%s %s: fix: %s", f.Method, f.Route, f.Fix)
			}
		}
	}
	if seen != len(wantContract) {
		t.Errorf("%d of %d expected findings seen", seen, len(wantContract))
	}
	for _, f := range doc.Findings {
		if f.Method+" "+f.Route == "POST /api/orders/{id}" && !strings.Contains(f.Fix, "ShopApp-iOS/3.2.0") {
			t.Errorf("the client-side fix does not name the iOS app: %s", f.Fix)
		}
	}

	// Re-rendering is stable: the text report carries the same verdicts.
	txt := lt(t, nil, append([]string{"analyze", "-q", "--openapi", "samples/openapi.yaml"}, incidentArgs...)...)
	if !strings.Contains(txt.stdout, "Fix:      Server side (ingress): the spec (openapi.yaml) documents DELETE on /api/items/{itemId}") {
		t.Errorf("text report lacks the ingress verdict:\n%s", txt.stdout)
	}
}

func TestFailOnGate(t *testing.T) {
	t.Parallel() // in process, no globals; runs beside the other slow tests
	args := append([]string{"analyze", "-q", "--openapi", "samples/openapi.yaml", "--fail-on", "documented,deploy_regression"}, incidentArgs...)
	r := lt(t, nil, args...)
	if r.code != exitFindings {
		t.Fatalf("exit %d, want %d: %s", r.code, exitFindings, r.stderr)
	}
	var fails []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "FAIL ") {
			fails = append(fails, l)
		}
	}
	if len(fails) != 5 || fails[0] != "FAIL deploy_regression app DELETE /api/carts/{id} count=30 contract=documented fix=server" {
		t.Errorf("FAIL lines:\n%s", strings.Join(fails, "\n"))
	}
	if !strings.Contains(r.stderr, "5 of 17 findings matched") {
		t.Errorf("summary: %s", r.stderr)
	}
	if !strings.Contains(r.stdout, "Findings") {
		t.Error("the report is not written when the gate fails")
	}

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--fail-on", "proxy_method_block+layer:app"}, 0, ""},
		{[]string{"--fail-on", "layer:beyond_ingress"}, exitFindings, "FAIL method_not_routed beyond_ingress PATCH /api/legacy/invoices/{id} count=12"},
		{[]string{"--fail-on", "any"}, exitFindings, "17 of 17 findings matched"},
		{[]string{"--fail-on", "documented"}, exitUsage, "need --openapi"},
		{[]string{"--fail-on", "bogus"}, exitUsage, `unknown term "bogus"`},
		// A layer no input has could never fail the gate: a typo is refused, not passed silently.
		{[]string{"--fail-on", "deploy_regression+layer:ingres"}, exitUsage, "layer:ingres names no layer of the analysis, so it could never fail (the layers: alb, edge, ingress, app;"},
		{[]string{"--fail-on", "layer:EDGE+method:post"}, exitFindings, "FAIL proxy_method_block edge POST /settings count=12"},
		{[]string{"--openapi", "samples/incidents/envoy.yaml"}, exitUsage, "--openapi"},
	} {
		r := lt(t, nil, append(append([]string{"analyze", "-q"}, tc.args...), incidentArgs...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %s", tc.args, r.code, r.stderr)
		}
	}

	// One request: "1 request with a 405" ("1 requests" before).
	one := filepath.Join(t.TempDir(), "edge.log")
	os.WriteFile(one, []byte(`10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] "DELETE /api/x HTTP/1.1" 405 157 "-" "curl/8"`+"\n"), 0o644)
	if r := lt(t, nil, "analyze", "-q", "--fail-on", "any", one); r.code != exitFindings || !strings.Contains(r.stderr, "1 of 1 findings matched (1 request with a 405)\n") {
		t.Errorf("one request: exit %d, stderr %s", r.code, r.stderr)
	}
	// Without findings nothing can fail, whatever layer the gate names: a clean window passes.
	clean := filepath.Join(t.TempDir(), "edge.log")
	os.WriteFile(clean, []byte(`10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] "GET /api/x HTTP/1.1" 200 157 "-" "curl/8"`+"\n"), 0o644)
	if r := lt(t, nil, "analyze", "-q", "--fail-on", "layer:app", "edge="+clean); r.code != exitOK {
		t.Errorf("no 405 at all, --fail-on layer:app: exit %d, stderr %s", r.code, r.stderr)
	}
}

func TestContractCommand(t *testing.T) {
	r := lt(t, nil, append([]string{"contract", "-q", "--openapi", "samples/openapi.yaml", "-o", "json"}, incidentArgs...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	type item struct {
		Method, Route string
		Origin        []string `json:"origin"`
	}
	var doc struct {
		Schema          string
		Documented405   []item `json:"documented_405"`
		UndocumentedOK  []item `json:"undocumented_ok"`
		Undocumented405 []item `json:"undocumented_405"`
		UnknownRoutes   []item `json:"unknown_routes"`
		CORS            []struct {
			Layer, Route string
			Preflights   int64
			PreflightsOK int64 `json:"preflights_ok"`
		} `json:"cors"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	keys := func(items []item) string {
		var s []string
		for _, it := range items {
			s = append(s, it.Method+" "+it.Route)
		}
		return strings.Join(s, "; ")
	}
	if got := keys(doc.Documented405); got != "DELETE /api/carts/{id}; PUT /api/users/{id}/avatar; PATCH /api/v2/accounts/{id}; DELETE /api/items/{id}" {
		t.Errorf("documented 405: %s", got)
	}
	// POST /api/search "succeeded" for clients: nginx masked the app's 405 with a 200.
	if got := keys(doc.UndocumentedOK); got != "POST /api/search" {
		t.Errorf("undocumented ok: %s", got)
	}
	if got := keys(doc.Undocumented405); got != "POST /api/orders/{id}" {
		t.Errorf("undocumented 405: %s", got)
	}
	for _, want := range []string{"PATCH /api/legacy/invoices/{id}", "DELETE /admin/users/{id}", "GET /healthz"} {
		if !strings.Contains(keys(doc.UnknownRoutes), want) {
			t.Errorf("unknown routes lack %s", want)
		}
	}
	// Envoy strips /api (prefix_rewrite): the app's /users/{id}, /users/{id}/avatar and
	// /accounts/{id} are the outer layers' routes seen after the rewrite, not routes the spec lacks.
	for _, it := range doc.UnknownRoutes {
		if strings.HasPrefix(it.Route, "/users/") || strings.HasPrefix(it.Route, "/accounts/") {
			t.Errorf("unknown routes list %s %s, a route the outer layers logged under /api", it.Method, it.Route)
		}
	}
	var edgeCORS bool
	for _, c := range doc.CORS {
		if c.Layer == "edge" && c.Route == "/api/profile" && c.Preflights == 56 && c.PreflightsOK == 28 {
			edgeCORS = true
		}
	}
	if !edgeCORS {
		t.Errorf("CORS: %+v", doc.CORS)
	}

	md := lt(t, nil, append([]string{"contract", "-q", "--openapi", "samples/openapi.yaml", "-o", "markdown"}, incidentArgs...)...)
	for _, want := range []string{"## Method contract: ", "### Documented methods answered with 405 (server side) (4)",
		"| DELETE | /api/carts/{id} | /api/carts/{cartId} |", "### OPTIONS and CORS preflights per route",
		"ingress 25 ok/24×405 → app 25 ok/24×405 as /users/{id}/avatar |"} {
		if !strings.Contains(md.stdout, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}

	// Sibling apps are shown as analyze shows them, not as a chain through each of them.
	sib := lt(t, nil, append([]string{"contract", "-q", "--openapi", "samples/openapi.yaml"}, defaultLogsArgs...)...)
	if want := "(layers, outer → inner: edge → {fastapi, flask, gin})\n"; sib.code != 0 || !strings.Contains(sib.stdout, want) {
		t.Errorf("default logs: exit %d, output lacks %q:\n%s", sib.code, want, sib.stdout)
	}

	if r := lt(t, nil, append([]string{"contract", "-q"}, incidentArgs...)...); r.code != exitUsage || !strings.Contains(r.stderr, "--openapi") {
		t.Errorf("contract without a spec: exit %d %s", r.code, r.stderr)
	}
	// A JSON spec (OpenAPI 3.0) works the same.
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.json")
	os.WriteFile(spec, []byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"servers":[{"url":"https://api.example.com/api"}],
	  "paths":{"/carts/{id}":{"get":{"responses":{"200":{"description":"ok"}}},"delete":{"responses":{"204":{"description":"ok"}}}}}}`), 0o644)
	r = lt(t, nil, append([]string{"contract", "-q", "--openapi", spec, "--fail-on", "documented"}, incidentArgs...)...)
	if r.code != exitFindings || !strings.Contains(r.stderr, "FAIL deploy_regression app DELETE /api/carts/{id} count=30 contract=documented") {
		t.Errorf("JSON spec with a base path: exit %d\n%s", r.code, r.stderr)
	}
}
