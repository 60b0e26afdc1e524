package report

import (
	"strings"
	"testing"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/analysis/contract"
)

func contractReport() *analysis.ContractReport {
	layers := []analysis.LayerCount{{Layer: "edge", Count: 15, OK: 10, M405: 5}, {Layer: "app", Count: 15, OK: 10, M405: 5, Route: "/v1/orders/{id}"}}
	return &analysis.ContractReport{Schema: analysis.ContractSchema, Spec: "openapi.yaml", Layers: []string{"edge", "app"},
		Documented405: []analysis.SurfaceItem{{Method: "DELETE", Route: "/orders/{id}", SpecPath: "/orders/{orderId}",
			Documented: []string{"GET", "DELETE"}, Count: 15, Layers: layers, Origin: []string{"app deploy_regression"}}},
		UnknownRoutes: []analysis.SurfaceItem{{Method: "GET", Route: "/a", Layers: layers[:1]}, {Method: "GET", Route: "/b", Layers: layers[:1]}},
		CORS: []analysis.CORSItem{{Layer: "app", Route: "/profile", Options: 6, OK: 1, M405: 5, Preflights: 6, PreflightsOK: 1,
			Wanted: []analysis.Count{{Value: "PATCH", Count: 6}}}},
		NotSeen:  []contract.SpecMatch{{Template: "/orders/{orderId}", Methods: []string{"PUT"}}},
		Findings: []analysis.ContractFinding{{OriginLayer: "app", Cause: analysis.CauseDeployRegression, Method: "DELETE", Route: "/orders/{id}", Count: 5, Contract: contract.Documented, FixSide: "server"}},
	}
}

func TestContractReport(t *testing.T) {
	r := contractReport()
	var text, md strings.Builder
	if err := ContractText(&text, r); err != nil {
		t.Fatal(err)
	}
	if err := ContractMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Documented methods answered with 405 (server side) (1)", "edge 10 ok/5×405 → app 10 ok/5×405 as /v1/orders/{id}", "5 preflights failed",
		"\n  METHOD  ROUTE         SPEC PATH          DOCUMENTED   PER LAYER (outer → inner)                              405 GENERATED AT\n",
		"\nUndocumented methods that succeeded (spec stale, or the route leaks a method) (0)\n  none\n"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	for _, want := range []string{"| METHOD | ROUTE | SPEC PATH |", "### Routes the spec lacks (2)", "|---|---|", "| GET | /b | - |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown report lacks %q:\n%s", want, md.String())
		}
	}

	// Counts carry thousands separators, as in every other report ("edge 1460 ok" before).
	r.Documented405[0].Layers = []analysis.LayerCount{{Layer: "edge", Count: 12005, OK: 10000, M405: 2005, Masked405: 1500}}
	r.CORS[0].Options, r.CORS[0].OK, r.CORS[0].Preflights = 1206, 1201, 1206
	text.Reset()
	ContractText(&text, r)
	for _, want := range []string{"edge 10,000 ok/2,005×405 (1,500 masked)", "1,206 (1,201 ok, 5×405)", "1/1,206", "1,205 preflights failed"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}

	// Sibling apps behind one proxy are not a chain through each of them: the layer line is the
	// analysis's layer path (it was "edge → fastapi → flask").
	r.Layers, r.LayerPath = []string{"edge", "fastapi", "flask"}, "edge → {fastapi, flask}"
	text.Reset()
	md.Reset()
	ContractText(&text, r)
	ContractMarkdown(&md, r)
	if want := "(layers, outer → inner: edge → {fastapi, flask})\n"; !strings.Contains(text.String(), want) {
		t.Errorf("text report lacks %q:\n%s", want, text.String())
	}
	if want := "Layers, outer → inner: edge → {fastapi, flask}\n"; !strings.Contains(md.String(), want) {
		t.Errorf("markdown report lacks %q:\n%s", want, md.String())
	}
}
