package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/logtriage/logtriage/analysis"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// scenarioJSON is the engine's golden analysis of a constructed multi-hop log set (ALB → edge
// (nginx) → ingress (Envoy) → app, analysis/golden_test.go). The renderers read nothing but the
// JSON model, so the saved document is their input: what `logtriage report` does.
const scenarioJSON = "../testdata/report.json"

func scenarioReport(t *testing.T) *analysis.Analysis {
	t.Helper()
	js, err := os.ReadFile(scenarioJSON)
	if err != nil {
		t.Fatal(err)
	}
	var a analysis.Analysis
	if err := json.Unmarshal(js, &a); err != nil {
		t.Fatal(err)
	}
	return &a
}

func TestGolden(t *testing.T) {
	a := scenarioReport(t)
	var text, md, tr bytes.Buffer
	if err := Text(&text, a); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, a, Options{}); err != nil {
		t.Fatal(err)
	}
	// The masked POST /api/cart, request id 26.
	var reqs []analysis.RequestView
	for _, r := range a.Requests {
		if r.IDs.RequestID == "0000000000000000000000000000001a" {
			reqs = append(reqs, r)
		}
	}
	if err := Trace(&tr, "26", reqs); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.txt", text.Bytes())
	golden(t, "report.md", md.Bytes())
	golden(t, "trace.txt", tr.Bytes())
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
		t.Fatalf("%v (run go test ./analysis/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; rerun with -update and review the diff:\n%s", name, got)
	}
}

// A request without a 405 (kept for trace) says so.
func TestTraceWithout405(t *testing.T) {
	var b bytes.Buffer
	r := analysis.RequestView{Method: "GET", Path: "/", Status: 200, Hops: []analysis.HopView{{Layer: "app", Format: "app", Status: 200}}}
	if err := Trace(&b, "x", []analysis.RequestView{r}); err != nil || !bytes.Contains(b.Bytes(), []byte("Verdict: no 405 at any hop")) {
		t.Errorf("Trace: %v\n%s", err, b.String())
	}
}
