package analysis

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// scenario is a small constructed multi-hop log set: ALB → edge (nginx) → ingress (Envoy) → app,
// with healthy traffic and one example of most verdicts.
func scenario() []*parsers.Record {
	var recs []*parsers.Record
	n := 0
	chain := func(sec float64, method, path string, statuses [4]int, o ...[4][]opt) {
		n++
		root := fmt.Sprintf("1-67430a80-%024x", n)
		rq := fmt.Sprintf("%032x", n)
		tr := fmt.Sprintf("%032x", n+0x1000)
		layers := []struct{ name, format string }{{"alb", "alb"}, {"edge", "nginx"}, {"ingress", "envoy"}, {"app", "app"}}
		ids := [4][]opt{{amzn(root)}, {amzn(root), nginxRID(rq)}, {rid(rq), trace(tr)}, {trace(tr)}}
		ups := [4][]opt{{addr("10.0.1.10:80")}, {addr("10.0.2.20:8080")}, {addr("10.0.3.30:8080"), detail("- via_upstream")}, {}}
		for i := 0; i < 4; i++ {
			if statuses[i] == 0 {
				continue
			}
			opts := append([]opt{dur(float64(40 - 10*i)), ua("shop-web/2.3"), client("203.0.113.7")}, ids[i]...)
			if i < 3 && statuses[i+1] != 0 {
				opts = append(opts, ups[i]...)
				if i < 2 {
					opts = append(opts, up(statuses[i+1]))
				}
			}
			if len(o) > 0 {
				opts = append(opts, o[0][i]...)
			}
			recs = append(recs, rec(layers[i].name, layers[i].format, sec+float64(3-i)*0.001, method, path, statuses[i], opts...))
		}
	}
	for i := 0; i < 20; i++ {
		s := float64(i * 10)
		chain(s, "GET", fmt.Sprintf("/api/orders/%d", 100+i), [4]int{200, 200, 200, 200})
		if i%4 == 0 {
			chain(s+1, "DELETE", fmt.Sprintf("/api/orders/%d", 100+i), [4]int{405, 405, 405, 405},
				[4][]opt{{ua("legacy-sync/1.0"), client("10.9.8.7")}, {allow("GET, HEAD")}, {}, {allow("GET, HEAD")}})
		}
	}
	// Masked: nginx error_page 405 =200 in front of an app without POST on /api/cart.
	chain(31, "POST", "/api/cart", [4]int{200, 200, 405, 405}, [4][]opt{{}, {}, {}, {allow("GET")}})
	// Envoy route direct_response (docs/formats.md §2.7, constructed).
	chain(42, "DELETE", "/v1/items/7", [4]int{405, 405, 405, 0}, [4][]opt{{}, {}, {detail("- direct_response"), addr("")}, {}})
	// The ALB rejects TRACE (docs/formats.md §3.3, constructed).
	chain(55, "TRACE", "/v1/items", [4]int{405, 0, 0, 0})
	// The app's log is missing: Envoy relayed an upstream 405.
	chain(63, "PATCH", "/api/users/7", [4]int{405, 405, 405, 0}, [4][]opt{{}, {}, {addr("10.0.3.31:8080"), detail("- via_upstream")}, {}})
	// A CORS preflight the app does not handle.
	chain(77, "OPTIONS", "/api/orders", [4]int{405, 405, 405, 405},
		[4][]opt{{}, {preflight("https://shop.example.com", "PUT")}, {}, {allow("GET, HEAD, POST")}})
	// No ids at all: nginx's static handler.
	recs = append(recs, rec("edge", "nginx", 88, "PUT", "/index.html", 405, local(parsers.LocalYes), ua("Dalvik/2.1.0")))
	sortRecords(recs)
	return recs
}

func sortRecords(recs []*parsers.Record) {
	for i := 1; i < len(recs); i++ {
		for j := i; j > 0 && recs[j].Time.Before(recs[j-1].Time); j-- {
			recs[j], recs[j-1] = recs[j-1], recs[j]
		}
	}
}

var scenarioInputs = []InputStats{
	{Name: "alb.log", Layer: "alb", Format: "alb", Read: 32, Parsed: 31, Rejected: 1,
		Rejections: []Rejection{{Source: "alb.log:7", Reason: "expected 29 fields, got 3"}}},
	{Name: "edge.log", Layer: "edge", Format: "nginx", Read: 31, Parsed: 31},
	{Name: "ingress.log", Layer: "ingress", Format: "envoy", Read: 29, Parsed: 29},
	{Name: "app.log", Layer: "app", Format: "app", Read: 27, Parsed: 27},
}

func TestGolden(t *testing.T) {
	e := New(Options{})
	for _, r := range scenario() {
		e.Add(r)
	}
	a := e.Result(scenarioInputs)
	var js bytes.Buffer
	if err := a.WriteJSON(&js, true); err != nil {
		t.Fatal(err)
	}
	// testdata/report.json is also the input of the renderers' golden tests (analysis/report).
	golden(t, "report.json", js.Bytes())
	id := parsers.ParseID(fmt.Sprintf("%032x", 26)) // the masked POST /api/cart
	if got := a.Trace(id); len(got) != 1 || got[0].Method != "POST" || !got[0].Masked {
		t.Errorf("trace 26: %+v", got)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./analysis -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; rerun with -update and review the diff:\n%s", name, got)
	}
}

// Without request views the analysis is the same but for its request list: the JSON document
// without --requests is byte for byte the one written with them.
func TestNoRequestViews(t *testing.T) {
	_, with := run(t, Options{}, scenario()...)
	_, without := run(t, Options{NoRequestViews: true}, scenario()...)
	if len(with.Requests) == 0 || len(without.Requests) != 0 {
		t.Fatalf("%d requests with views, %d without", len(with.Requests), len(without.Requests))
	}
	var a, b bytes.Buffer
	if err := with.WriteJSON(&a, false); err != nil {
		t.Fatal(err)
	}
	if err := without.WriteJSON(&b, false); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("the documents differ:\n%s\n---\n%s", a.String(), b.String())
	}
}
