package elastic_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/esfake"
	"github.com/logtriage/logtriage/parsers"
	"github.com/logtriage/logtriage/parsers/elastic"
)

const esIncidents = "../../samples/incidents"

// esFixture is a fake cluster seeded with samples/incidents.
type esFixture struct {
	srv  *esfake.Server
	http *httptest.Server
}

func newESFixture(t testing.TB) *esFixture {
	t.Helper()
	srv := esfake.New()
	if _, err := esfake.SeedIncidents(srv, esIncidents); err != nil {
		t.Fatalf("seeding: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &esFixture{srv, hs}
}

func esParseConfig(t testing.TB) *parsers.Config {
	t.Helper()
	cfg, err := esParseConfigErr()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func esParseConfigErr() (*parsers.Config, error) {
	conf, err := parsers.LoadNginxConf(filepath.Join(esIncidents, "nginx.conf"))
	if err != nil {
		return nil, err
	}
	logs, err := parsers.LoadEnvoyConfig(filepath.Join(esIncidents, "envoy.yaml"))
	if err != nil {
		return nil, err
	}
	return &parsers.Config{NginxConf: conf, EnvoyLogs: logs}, nil
}

func esOptions(t testing.TB, url string) elastic.Options {
	return elastic.Options{
		URLs:    []string{url},
		Indices: []string{"logs-*", "filebeat-*"},
		Layers: []elastic.LayerRule{{Match: "nginx.access", Layer: "edge"}, {Match: "envoyproxy.log", Layer: "ingress"},
			{Match: "aws.elb*", Layer: "alb"}, {Match: "*.log", Layer: "app"}},
		Parse: esParseConfig(t), Route: analysis.Route, RetryBase: time.Millisecond,
	}
}

// esRun runs the job and the engine.
func esRun(t testing.TB, opts elastic.Options) (*analysis.Analysis, *elastic.Report, error) {
	t.Helper()
	job, err := elastic.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer job.Close()
	e := analysis.New(analysis.Options{})
	rep, err := job.Run(context.Background(), e)
	if err != nil {
		return nil, rep, err
	}
	return e.Result(nil), rep, nil
}

// filesAnalysis is what `logtriage analyze` computes on the sample files. It is computed once
// per process (the tests that compare with it run in parallel) and only read.
func filesAnalysis(t testing.TB) *analysis.Analysis {
	t.Helper()
	files.once.Do(func() {
		var cfg *parsers.Config
		if cfg, files.err = esParseConfigErr(); files.err != nil {
			return
		}
		var ins []parsers.Input
		ins, files.err = parsers.ExpandInputs([]string{"alb=" + esIncidents + "/alb.log.gz", "edge=" + esIncidents + "/edge.log",
			"ingress=" + esIncidents + "/ingress.log", "app=" + esIncidents + "/app.json"})
		if files.err != nil {
			return
		}
		e := analysis.New(analysis.Options{})
		cfg.Merge(ins, 1<<20, func(*parsers.Record) bool { return true }, e.Add)
		files.a = e.Result(nil)
	})
	if files.err != nil {
		t.Fatal(files.err)
	}
	return files.a
}

var files struct {
	once sync.Once
	a    *analysis.Analysis
	err  error
}

func verdicts(a *analysis.Analysis) []string {
	var out []string
	for _, r := range a.Requests {
		id := r.IDs.AmznRoot
		if id == "" {
			id = r.IDs.RequestID
		}
		if id == "" {
			id = r.IDs.TraceID
		}
		if id == "" {
			id = r.Method + " " + r.Path + " " + r.Time.Format(time.RFC3339Nano)
		}
		out = append(out, fmt.Sprintf("%s %s %s %s masked=%v", id, r.Method, r.OriginLayer, r.Cause, r.Masked))
	}
	sort.Strings(out)
	return out
}

func findings(a *analysis.Analysis) []string {
	var out []string
	for _, f := range a.Findings {
		out = append(out, fmt.Sprintf("%s %s %s %s %d", f.OriginLayer, f.Cause, f.Method, f.Route, f.Count))
	}
	sort.Strings(out)
	return out
}

func diff(t *testing.T, what string, want, got []string) {
	t.Helper()
	w := map[string]bool{}
	for _, s := range want {
		w[s] = true
	}
	g := map[string]bool{}
	for _, s := range got {
		g[s] = true
	}
	n := 0
	for _, s := range want {
		if !g[s] && n < 15 {
			t.Errorf("%s: missing from es: %s", what, s)
			n++
		}
	}
	for _, s := range got {
		if !w[s] && n < 30 {
			t.Errorf("%s: only in es: %s", what, s)
			n++
		}
	}
	if len(want) != len(got) {
		t.Errorf("%s: %d from files, %d from es", what, len(want), len(got))
	}
}

// TestESSameVerdictsAsFiles: the job over the fake cluster seeded with samples/incidents gives
// the verdicts the engine gives on the files.
func TestESSameVerdictsAsFiles(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	fx := newESFixture(t)
	want := filesAnalysis(t)
	got, rep, err := esRun(t, esOptions(t, fx.http.URL))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "findings", findings(want), findings(got))
	diff(t, "requests", verdicts(want), verdicts(got))
	if fx.srv.OpenPITs() != 0 {
		t.Errorf("%d PITs left open", fx.srv.OpenPITs())
	}
	if rep.Total405Docs == 0 || len(rep.Groups) == 0 {
		t.Errorf("no phase-1 groups: %+v", rep)
	}
	for _, p := range rep.Phases {
		t.Logf("%-20s requests %3d docs %5d buckets %5d bytes %7d seconds %.3f", p.Name, p.Requests, p.Docs, p.Buckets, p.Bytes, p.Seconds)
	}
	t.Logf("405 docs %d, requests examined %d, layers %+v", rep.Total405Docs, rep.Requests405, rep.Layers)
}

var _ = strings.Contains

// TestESBaselinesDecideCauses: without phase 4 the history-based causes cannot be found — the
// baselines are what makes the deploy regression (scenario g) a deploy regression.
func TestESBaselinesDecideCauses(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	fx := newESFixture(t)
	opts := esOptions(t, fx.http.URL)
	opts.NoBaselines = true
	a, rep, err := esRun(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range a.Findings {
		if f.Cause == analysis.CauseDeployRegression || f.Cause == analysis.CauseBackendDrift {
			t.Errorf("%s found without baselines: %s %s", f.Cause, f.Method, f.Route)
		}
	}
	if rep.BaselineCounts != 0 {
		t.Errorf("%d baseline documents counted without phase 4", rep.BaselineCounts)
	}
}

// TestESMaxRequestsCap: the cap limits the requests examined, says so, and keeps the phase-1
// counts exact.
func TestESMaxRequestsCap(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	fx := newESFixture(t)
	opts := esOptions(t, fx.http.URL)
	opts.MaxRequests = 20
	opts.PageSize = 50
	a, rep, err := esRun(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.CapHit || rep.Requests405 != 20 {
		t.Errorf("cap not reported: hit=%v examined=%d", rep.CapHit, rep.Requests405)
	}
	if rep.Total405Docs != 763 {
		t.Errorf("phase 1 counted %d 405 documents, want 763 (exact despite the cap)", rep.Total405Docs)
	}
	if n := a.Summary.Requests405; n > 25 || n == 0 {
		t.Errorf("%d requests attributed with --max-requests 20", n)
	}
}

// TestESDottedAndNestedSource: a field is read the same from nested objects, literal dotted
// keys and a mix of the two.
func TestESDottedAndNestedSource(t *testing.T) {
	for _, src := range []string{
		`{"http":{"response":{"status_code":405}}}`,
		`{"http.response.status_code":405}`,
		`{"http.response":{"status_code":405}}`,
		`{"http":{"response.status_code":405}}`,
	} {
		if got := elastic.GetForTest(src, "http.response.status_code"); got != "405" {
			t.Errorf("%s: got %q", src, got)
		}
	}
}

// newRawFixture is a fake cluster holding samples/incidents as raw-line documents only.
func newRawFixture(t testing.TB) *esFixture {
	t.Helper()
	srv := esfake.New()
	if _, err := esfake.SeedIncidentsRaw(srv, esIncidents); err != nil {
		t.Fatalf("seeding: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &esFixture{srv, hs}
}

// Issue 10 item 11: documents that keep only the raw line (message) give the verdicts of the
// files, baselines included, and the report says how the baselines were obtained.
func TestESRawLineDocumentsSameVerdicts(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	fx := newRawFixture(t)
	want := filesAnalysis(t)
	opts := esOptions(t, fx.http.URL)
	opts.MessageSearch = true
	got, rep, err := esRun(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "findings", findings(want), findings(got))
	diff(t, "requests", verdicts(want), verdicts(got))
	if rep.Baselines == "" {
		t.Errorf("the report does not say how baselines were obtained")
	}
	// The baselines counted from raw lines keep what each document said: the version before the
	// carts regression is 1.4.2 (it read 3.4.1, a later document's, whose text overwrote it).
	for _, f := range got.Findings {
		if r := f.Regression; r != nil && (r.VersionBefore != "1.4.2" || r.VersionAfter != "1.5.0") {
			t.Errorf("%s %s: versions %q → %q, want 1.4.2 → 1.5.0", f.Method, f.Route, r.VersionBefore, r.VersionAfter)
		}
	}
	for _, p := range rep.Phases {
		t.Logf("%-20s requests %3d docs %5d buckets %5d bytes %7d seconds %.3f", p.Name, p.Requests, p.Docs, p.Buckets, p.Bytes, p.Seconds)
	}
	t.Logf("baselines: %s", rep.Baselines)
}
