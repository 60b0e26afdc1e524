package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/esfake"
	"github.com/logtriage/logtriage/parsers/elastic"
)

// End-to-end: the built binary against the in-process fake cluster on loopback, seeded with
// samples/incidents in the shapes Filebeat, Elastic Agent and ECS loggers write.

func esFake(t *testing.T) (*esfake.Server, string) {
	t.Helper()
	srv := esfake.New()
	if _, err := esfake.SeedIncidents(srv, "samples/incidents"); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs.URL
}

// esShared is ltShared for `logtriage es` with esArgs and extra: the command runs once per
// process, on a fake cluster of its own seeded with samples/incidents (the output names no URL).
func esShared(t *testing.T, extra ...string) result {
	t.Helper()
	v, _ := sharedRuns.LoadOrStore("es\x00"+strings.Join(extra, "\x00"), &sharedRun{})
	r := v.(*sharedRun)
	r.once.Do(func() {
		srv := esfake.New()
		if _, err := esfake.SeedIncidents(srv, "samples/incidents"); err != nil {
			r.res = result{stderr: "seeding: " + err.Error(), code: -1}
			return
		}
		hs := httptest.NewServer(srv)
		defer hs.Close()
		r.res = lt(t, nil, esArgs(hs.URL, extra...)...)
	})
	return r.res
}

func esArgs(url string, extra ...string) []string {
	return append([]string{"es", "--url", url, "--index", "logs-*,filebeat-*",
		"--layer-map", "nginx.access=edge,envoyproxy.log=ingress,aws.elb*=alb,*.log=app",
		"--nginx-conf", "samples/incidents/nginx.conf", "--envoy-config", "samples/incidents/envoy.yaml",
		"--retry-base", "1ms"}, extra...)
}

type jsonReport struct {
	Findings []struct {
		OriginLayer string `json:"origin_layer"`
		Cause       string `json:"cause"`
		Method      string `json:"method"`
		Route       string `json:"route"`
		Count       int    `json:"count"`
	} `json:"findings"`
	Requests []struct {
		IDs struct {
			RequestID string `json:"request_id"`
			AmznRoot  string `json:"amzn_trace_root"`
			TraceID   string `json:"trace_id"`
		} `json:"ids"`
		Method      string `json:"method"`
		Path        string `json:"path"`
		OriginLayer string `json:"origin_layer"`
		Cause       string `json:"cause"`
		Masked      bool   `json:"masked"`
	} `json:"requests"`
	Elasticsearch *struct {
		Phases []struct {
			Name     string `json:"name"`
			Requests int    `json:"requests"`
			Docs     int    `json:"documents"`
		} `json:"phases"`
		Docs405 int `json:"documents_405"`
	} `json:"elasticsearch"`
}

func (r *jsonReport) verdicts() []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("finding %s %s %s %s %d", f.OriginLayer, f.Cause, f.Method, f.Route, f.Count))
	}
	for _, q := range r.Requests {
		id := q.IDs.AmznRoot + "|" + q.IDs.RequestID + "|" + q.IDs.TraceID
		out = append(out, fmt.Sprintf("request %s %s %s %s %s %v", id, q.Method, q.Path, q.OriginLayer, q.Cause, q.Masked))
	}
	sort.Strings(out)
	return out
}

func parseReport(t *testing.T, out string) *jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not JSON: %v\n%.500s", err, out)
	}
	return &r
}

// TestESSameVerdictsAsAnalyze: `logtriage es` on the fake cluster and `logtriage analyze` on
// the sample files agree on every finding and every request's verdict.
func TestESSameVerdictsAsAnalyze(t *testing.T) {
	t.Parallel() // each test has a fake cluster of its own, and run has no globals
	srv, url := esFake(t)
	files := ltShared(t, append([]string{"analyze", "--output", "json", "--requests"}, incidentArgs...)...)
	if files.code != 0 {
		t.Fatalf("analyze exit %d: %s", files.code, files.stderr)
	}
	es := lt(t, nil, esArgs(url, "--output", "json", "--requests")...)
	if es.code != 0 {
		t.Fatalf("es exit %d: %s", es.code, es.stderr)
	}
	want, got := parseReport(t, files.stdout).verdicts(), parseReport(t, es.stdout)
	g := got.verdicts()
	if strings.Join(want, "\n") != strings.Join(g, "\n") {
		t.Errorf("verdicts differ:\nanalyze %d lines, es %d lines", len(want), len(g))
		ws := map[string]bool{}
		for _, w := range want {
			ws[w] = true
		}
		for _, x := range g {
			if !ws[x] {
				t.Errorf("only in es: %s", x)
			}
		}
	}
	if len(got.Requests) != 239 {
		t.Errorf("%d requests with a 405, want 239 (samples/incidents/README.md)", len(got.Requests))
	}
	if got.Elasticsearch == nil || got.Elasticsearch.Docs405 == 0 {
		t.Errorf("no elasticsearch section in the JSON output")
	}
	if !strings.Contains(es.stderr, "count 405s") || !strings.Contains(es.stderr, "PHASE") {
		t.Errorf("no progress or phase table on stderr:\n%s", es.stderr)
	}
	if srv.OpenPITs() != 0 {
		t.Errorf("%d PITs left open", srv.OpenPITs())
	}
	// Text output works too and names a cause.
	txt := esShared(t, "-q")
	if txt.code != 0 || !strings.Contains(txt.stdout, "deploy_regression") {
		t.Errorf("text output: exit %d\n%.800s\n%s", txt.code, txt.stdout, txt.stderr)
	}
}

// TestESFaults: every fault gives its documented message and exit code, and the PIT is closed.
func TestESFaults(t *testing.T) {
	t.Parallel() // each test has a fake cluster of its own, and run has no globals
	cases := []struct {
		name  string
		setup func(s *esfake.Server)
		args  []string
		code  int
		msg   string
	}{
		{"429 then success is retried", func(s *esfake.Server) {
			s.Inject(esfake.Fault{Endpoint: "search", Status: 429, Times: 2})
		}, nil, 0, ""},
		{"circuit breaker then success", func(s *esfake.Server) {
			s.Inject(esfake.Fault{Endpoint: "search", Status: 429, Type: "circuit_breaking_exception", Durability: "TRANSIENT"})
		}, nil, 0, ""},
		{"503 for ever", func(s *esfake.Server) {
			s.Inject(esfake.Fault{Endpoint: "search", Status: 503, Times: -1})
		}, nil, 10, "overloaded or unavailable"},
		{"connection reset for ever", func(s *esfake.Server) {
			s.Inject(esfake.Fault{Endpoint: "info", Reset: true, Times: -1})
		}, nil, 10, "cannot reach Elasticsearch"},
		{"bad credentials", func(s *esfake.Server) { s.SetCredentials("right", "", "") }, []string{"--api-key", "wrong"}, 11, "authentication failed"},
		{"missing privileges", func(s *esfake.Server) {
			s.Inject(esfake.Fault{Endpoint: "search", Status: 403, Times: -1})
		}, nil, 12, "missing privileges"},
		{"missing index", nil, []string{"--index", "nosuchindex"}, 13, "no such index [nosuchindex]"},
		{"bad query", func(s *esfake.Server) {
			s.Inject(esfake.Fault{Endpoint: "search", Status: 400, Type: "parsing_exception", Reason: "unknown query [bogus]"})
		}, nil, 14, "rejected the query"},
		{"not Elasticsearch", func(s *esfake.Server) {
			s.Inject(esfake.Fault{Endpoint: "info", NoProductHeader: true, Times: -1})
		}, nil, 15, "not Elasticsearch"},
		{"shard failure is partial", func(s *esfake.Server) {
			s.Inject(esfake.Fault{Endpoint: "search", ShardFailure: true, After: 1})
		}, nil, 3, "shards failed"},
		{"PIT expiry is survived", func(s *esfake.Server) {
			s.Inject(esfake.Fault{Endpoint: "search", ExpirePITs: true, After: 2})
		}, []string{"--page-size", "100"}, 0, "point in time expired"},
		{"PIT closed after an error mid-read", func(s *esfake.Server) {
			s.Inject(esfake.Fault{Endpoint: "search", Status: 400, After: 3})
		}, []string{"--page-size", "100"}, 14, "rejected the query"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv, url := esFake(t)
			if c.setup != nil {
				c.setup(srv)
			}
			args := esArgs(url, append([]string{"--output", "json"}, c.args...)...)
			if c.args != nil && c.args[0] == "--index" {
				args = append(esArgs(url), c.args...)
			}
			r := lt(t, nil, args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.code, r.stderr)
			}
			if c.msg != "" && !strings.Contains(r.stderr, c.msg) {
				t.Errorf("stderr lacks %q:\n%s", c.msg, r.stderr)
			}
			if strings.Contains(r.stderr, "wrong") && c.name == "bad credentials" {
				t.Errorf("the API key was echoed:\n%s", r.stderr)
			}
			if n := srv.OpenPITs(); n != 0 {
				t.Errorf("%d PITs left open", n)
			}
			if c.code == 0 {
				if got := parseReport(t, r.stdout); len(got.Requests) != 0 || len(got.Findings) == 0 {
					t.Errorf("no findings after the fault: %d findings", len(got.Findings))
				}
			}
		})
	}
}

// TestESWriteFindingsIdempotent: a rerun over the same window overwrites the findings.
func TestESWriteFindingsIdempotent(t *testing.T) {
	t.Parallel() // each test has a fake cluster of its own, and run has no globals
	srv, url := esFake(t)
	args := esArgs(url, "-q", "--write-findings", "logtriage-findings", "--requests", "--output", "json",
		"--since", "2026-11-24T00:00:00Z", "--until", "2026-11-25T00:00:00Z")
	first := lt(t, nil, args...)
	if first.code != 0 {
		t.Fatalf("exit %d: %s", first.code, first.stderr)
	}
	n1 := srv.DocCount("logtriage-findings")
	r := parseReport(t, first.stdout)
	if want := len(r.Findings) + len(r.Requests); n1 != want || n1 == 0 {
		t.Fatalf("%d documents written, want %d", n1, want)
	}
	// The write step reports the bulk requests it really sent (issue 10 item 10).
	st := srv.Stats()
	sent := st["bulk"].Requests + st["index_create"].Requests
	if want := fmt.Sprintf("wrote %d documents to logtriage-findings (%d bulk requests)", n1, sent); st["bulk"].Requests == 0 || !strings.Contains(first.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, first.stderr)
	}
	if second := lt(t, nil, args...); second.code != 0 {
		t.Fatalf("rerun exit %d: %s", second.code, second.stderr)
	}
	if n2 := srv.DocCount("logtriage-findings"); n2 != n1 {
		t.Errorf("rerun left %d documents, want %d", n2, n1)
	}
	// With the text report, --requests still writes the request documents: it is not "ignored
	// with --output text", as stderr said.
	text := lt(t, nil, esArgs(url, "-q", "--write-findings", "logtriage-text", "--requests")...)
	if text.code != 0 || srv.DocCount("logtriage-text") != n1 || strings.Contains(text.stderr, "ignored") {
		t.Errorf("--requests with the text report: exit %d, %d documents, want %d; stderr %s", text.code, srv.DocCount("logtriage-text"), n1, text.stderr)
	}
}

var _ = os.Getenv

// TestESContractGateAndReports: the es command shares the contract gate and the report formats
// with analyze.
func TestESContractGateAndReports(t *testing.T) {
	t.Parallel() // each test has a fake cluster of its own, and run has no globals
	_, url := esFake(t)
	r := lt(t, nil, esArgs(url, "-q", "--openapi", "samples/openapi.yaml", "--fail-on", "deploy_regression")...)
	if r.code != exitFindings || !strings.Contains(r.stderr, "FAIL deploy_regression app DELETE /api/carts/{id} count=30 contract=documented") {
		t.Errorf("--fail-on on es: exit %d\n%s", r.code, r.stderr)
	}
	md := lt(t, nil, esArgs(url, "-q", "--output", "markdown")...)
	if md.code != 0 || !strings.HasPrefix(md.stdout, "# Postmortem") || !strings.Contains(md.stdout, "deploy_regression") {
		t.Errorf("markdown from es: exit %d\n%.300s\n%s", md.code, md.stdout, md.stderr)
	}
}

// A request document written back names the finding it belongs to, so a dashboard can join them.
func TestESFindingDocsLinkRequestsToFindings(t *testing.T) {
	t.Parallel() // each test has a fake cluster of its own, and run has no globals
	a := &analysis.Analysis{
		Findings: []analysis.Finding{{OriginLayer: "app", Cause: analysis.CauseMethodNotRouted, Method: "POST", Route: "/api/orders/{id}", Count: 1}},
		Requests: []analysis.RequestView{{Method: "POST", Path: "/api/orders/42", OriginLayer: "app", Cause: analysis.CauseMethodNotRouted}},
	}
	docs := esFindingDocs(a, time.Time{}, time.Time{}, true)
	if len(docs) != 2 {
		t.Fatalf("%d documents", len(docs))
	}
	var req struct {
		L struct {
			FindingID string `json:"finding_id"`
		} `json:"logtriage"`
	}
	if err := json.Unmarshal(docs[1].Body, &req); err != nil {
		t.Fatal(err)
	}
	if req.L.FindingID != docs[0].ID {
		t.Errorf("request document names finding %q, the finding's id is %q", req.L.FindingID, docs[0].ID)
	}
}

// The reports of an es run say what the cluster's counts cover, claim no share of all traffic,
// and say when --max-requests cut the examination.
func TestESReportsSayTheirScope(t *testing.T) {
	t.Parallel() // each test has a fake cluster of its own, and run has no globals
	_, url := esFake(t)
	r := lt(t, nil, esArgs(url, "-q", "--max-requests", "10", "--output", "markdown")...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"the share of all traffic is unknown", "documents with a 405 in the window (exact count)", "--max-requests cap (10) was hit"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.Contains(r.stdout, "(100.0%)") {
		t.Errorf("markdown claims a share of all traffic")
	}
	txt := esShared(t, "-q")
	if !strings.Contains(txt.stdout, "Scope: Elasticsearch indices") || strings.Contains(strings.SplitN(txt.stdout, "\n", 2)[0], "100.0%") {
		t.Errorf("text report:\n%.400s", txt.stdout)
	}
	// Each layer's documents are an input of the layer's format (the FORMAT column read "-").
	if want := "elasticsearch:edge     edge     nginx   215"; !strings.Contains(txt.stdout, want) {
		t.Errorf("text report's inputs lack %q:\n%s", want, txt.stdout[strings.LastIndex(txt.stdout, "Inputs"):])
	}
	// With --status, the counts are of the statuses asked for, not "with a 405"; and the
	// progress line names them as a list, not as Go prints a slice ("[405 403]").
	r = lt(t, nil, esArgs(url, "--status", "405,403")...)
	for _, want := range []string{"documents with status 405 or 403 in the window (exact count); 239 requests with status 405 or 403 examined"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("--status 405,403: exit %d, report lacks %q:\n%.600s", r.code, want, r.stdout)
		}
	}
	for _, want := range []string{"es: 763 documents with status 405 or 403 in 33 groups", "763 documents with status 405 or 403 (exact, phase 1)"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--status 405,403: stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	// A cluster shows only the layers of the documents read: --fail-on layer:NAME is not held
	// against them (a layer without 405s in the window is none of them, and no typo).
	if r := lt(t, nil, esArgs(url, "-q", "--fail-on", "layer:nosuch")...); r.code != exitOK {
		t.Errorf("es --fail-on layer:nosuch: exit %d, stderr %s", r.code, r.stderr)
	}
}

// Issue 9: es --out writes the document through the same atomic writer as analyze, and the
// summary counts documents read: the baselines reach the engine as counts, not records.
func TestESOutAndSummaryCounts(t *testing.T) {
	t.Parallel() // each test has a fake cluster of its own, and run has no globals
	_, url := esFake(t)
	out := t.TempDir() + "/es.json"
	r := lt(t, nil, esArgs(url, "-q", "--output", "json", "--out", out)...)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %.200q\n%s", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary struct {
			Records  int64 `json:"records"`
			Requests int64 `json:"requests"`
		} `json:"summary"`
		Elasticsearch *struct {
			DocsRead  int64 `json:"documents_read"`
			Baselines int64 `json:"baseline_documents_counted"`
		} `json:"elasticsearch"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%v\n%.300s", err, b)
	}
	if doc.Elasticsearch == nil || doc.Elasticsearch.Baselines == 0 {
		t.Fatalf("no elasticsearch report or no baseline counts: %.300s", b)
	}
	if doc.Summary.Records == 0 || doc.Summary.Records > doc.Elasticsearch.DocsRead {
		t.Errorf("summary counts %d records from %d documents read", doc.Summary.Records, doc.Elasticsearch.DocsRead)
	}
}

// Issue 16: `logtriage es` on the fake cluster in OpenSearch 2.17 mode, holding the incident as
// ECS documents and as raw-line documents, gives analyze's verdicts; a wrong password exits 11.
func TestESOpenSearch(t *testing.T) {
	t.Parallel() // each test has a fake cluster of its own, and run has no globals
	files := ltShared(t, append([]string{"analyze", "--output", "json", "--requests"}, incidentArgs...)...)
	if files.code != 0 {
		t.Fatalf("analyze exit %d: %s", files.code, files.stderr)
	}
	want := parseReport(t, files.stdout).verdicts()
	for _, raw := range []bool{false, true} {
		srv := esfake.NewOpenSearch()
		seed := esfake.SeedIncidents
		if raw {
			seed = esfake.SeedIncidentsRaw
		}
		if _, err := seed(srv, "samples/incidents"); err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		defer hs.Close()
		args := esArgs(hs.URL, "--output", "json", "--requests", "--write-findings", "logtriage-findings")
		if raw {
			args = append(args, "--message-search")
		}
		r := lt(t, nil, args...)
		if r.code != 0 {
			t.Fatalf("raw=%v: exit %d: %s", raw, r.code, r.stderr)
		}
		got := parseReport(t, r.stdout)
		if g := got.verdicts(); strings.Join(want, "\n") != strings.Join(g, "\n") {
			t.Errorf("raw=%v: verdicts differ from analyze: %d vs %d lines", raw, len(want), len(g))
		}
		if !strings.Contains(r.stderr, "OpenSearch "+esfake.OpenSearchVersion) {
			t.Errorf("raw=%v: stderr does not name OpenSearch:\n%s", raw, r.stderr)
		}
		for ep, st := range srv.Stats() {
			if st.Errors > 0 {
				t.Errorf("raw=%v: %s: %d requests refused", raw, ep, st.Errors)
			}
		}
		if n := srv.DocCount("logtriage-findings"); n != len(got.Findings)+len(got.Requests) {
			t.Errorf("raw=%v: %d documents landed, want %d", raw, n, len(got.Findings)+len(got.Requests))
		}
		if raw {
			srv.SetCredentials("", "triage", "right")
			bad := lt(t, nil, esArgs(hs.URL, "-q", "--username", "triage", "--password", "wr0ng-pass")...)
			if bad.code != exitESAuth || strings.Contains(bad.stderr, "wr0ng-pass") {
				t.Errorf("wrong password: exit %d\n%s", bad.code, bad.stderr)
			}
		}
	}
}

// Issue 10 item 6: a malformed --url or ELASTICSEARCH_URL is a usage error that shows no password.
func TestESMalformedURLHidesPassword(t *testing.T) {
	for _, u := range []string{"http://triage:pa ss%zzSECRET@es.internal:9200", "triage:SECRETpw@es.internal:9200"} {
		r := lt(t, nil, "es", "--url", u, "--index", "logs-*")
		if r.code != 2 || strings.Contains(r.stderr+r.stdout, "SECRET") {
			t.Errorf("--url %q: exit %d\n%s", u, r.code, r.stderr)
		}
		t.Setenv("ELASTICSEARCH_URL", u)
		r = lt(t, nil, "es", "--index", "logs-*")
		if r.code != 2 || strings.Contains(r.stderr+r.stdout, "SECRET") {
			t.Errorf("ELASTICSEARCH_URL %q: exit %d\n%s", u, r.code, r.stderr)
		}
	}
}

// A --write-findings name the cluster would refuse, or that the logs-*-* data stream template
// would take, is refused before the job runs (exit 2): it was found at the write, the job's last
// step, after every phase (exit 1), or not at all by this test double for upper case.
func TestESWriteFindingsNameCheckedFirst(t *testing.T) {
	for _, tc := range []struct{ index, want string }{
		{"Findings", "index names are lower case (findings)"},
		{"logs-nginx.access-default", "matches the built-in logs-*-* data stream template"},
		{"405 findings", "an index name cannot hold any of"},
		{"_findings", "cannot start with -, _ or +"},
	} {
		// Nothing listens on port 1: a usage error comes first, without connecting.
		r := lt(t, nil, "es", "-q", "--url", "http://127.0.0.1:1", "--index", "logs-*", "--write-findings", tc.index)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("--write-findings %q: exit %d, stderr %q", tc.index, r.code, r.stderr)
		}
	}
	// A negative --history would start the baselines after --since: refused before connecting.
	if r := lt(t, nil, "es", "-q", "--url", "http://127.0.0.1:1", "--index", "logs-*", "--history=-1h"); r.code != exitUsage || !strings.Contains(r.stderr, "--history -1h0m0s: give how far before --since") {
		t.Errorf("--history -1h: exit %d, stderr %q", r.code, r.stderr)
	}
	// --max-requests 0 examined 5,000 requests and kept one whole; the others took 0 for default.
	for _, f := range []string{"--max-requests", "--page-size", "--terms-batch"} {
		if r := lt(t, nil, "es", "-q", "--url", "http://127.0.0.1:1", "--index", "logs-*", f, "0"); r.code != exitUsage || !strings.Contains(r.stderr, f+" 0: give 1 or more") {
			t.Errorf("%s 0: exit %d, stderr %q", f, r.code, r.stderr)
		}
	}
}

// report --output json of a document es wrote gives it back whole: the "elasticsearch" key (the
// phases and exact counts) was dropped.
func TestReportKeepsESReport(t *testing.T) {
	js := esShared(t, "-q", "--output", "json", "--requests")
	if js.code != 0 {
		t.Fatalf("exit %d\n%s", js.code, js.stderr)
	}
	r := lt(t, []byte(js.stdout), "report", "--output", "json", "--requests", "-")
	if r.code != 0 || r.stdout != js.stdout {
		t.Errorf("report -o json of an es document: exit %d, %d bytes, es wrote %d; has the elasticsearch key: %v",
			r.code, len(r.stdout), len(js.stdout), strings.Contains(r.stdout, `"elasticsearch": {`))
	}
}

// The stderr summary counts with thousands separators, as the rest of it does ("layer app:
// 123456 documents (123456 parsed …)" before).
func TestESSummaryThousands(t *testing.T) {
	rep := &elastic.Report{Version: "8.19.0", Cluster: "c", Indices: []string{"logs-*"},
		Layers: []elastic.LayerReport{{Layer: "app", Docs: 123456, FromRaw: 1200, FromECS: 122256, Rejected: 1000}}}
	for i := 0; i < 1016; i++ {
		rep.Groups = append(rep.Groups, elastic.Group{Layer: "app", Method: "POST", Route: fmt.Sprintf("/r/%d", i), Status: "405", Count: 1})
	}
	var b strings.Builder
	esSummary(&b, rep, false, nil)
	for _, want := range []string{"layer app: 123,456 documents (1,200 parsed from the raw line, 122,256 from fields, 1,000 rejected)", "… 1,001 more groups (see --output json)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}

// Without the configurations, the raw lines' ids are not read and many documents carry none:
// the scope counted each as a request examined (673) while the report found 313 requests with a
// 405. It now gives the report's count.
func TestESScopeCountsTheReportsRequests(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	_, url := esFake(t)
	r := lt(t, nil, "es", "-q", "--url", url, "--index", "logs-*,filebeat-*", "--retry-base", "1ms",
		"--layer-map", "nginx.access=edge,envoyproxy.log=ingress,aws.elb*=alb,*.log=app")
	m := regexp.MustCompile(`^logtriage: (\S+) requests with a 405`).FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		t.Fatalf("exit %d\n%.300s%s", r.code, r.stdout, r.stderr)
	}
	if want := "; " + m[1] + " requests with a 405 examined in depth"; !strings.Contains(r.stdout, want) {
		t.Errorf("the scope lacks %q:\n%.400s", want, r.stdout)
	}
}

// --index 'logs-*, filebeat-*': the pattern after the comma and space is filebeat-*; sent as
// " filebeat-*" it would match no index (a name holds no space) on a real cluster.
func TestESIndexListSpaces(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	srv, url := esFake(t)
	r := lt(t, nil, "es", "-q", "--url", url, "--index", "logs-*, filebeat-* ,", "--retry-base", "1ms")
	if r.code != 0 || !strings.Contains(r.stdout, "Elasticsearch indices logs-*,filebeat-*: ") {
		t.Errorf("exit %d\n%.400s%s", r.code, r.stdout, r.stderr)
	}
	for _, l := range srv.Log() {
		if strings.Contains(l, "%20") || strings.Contains(l, " filebeat") || strings.Contains(l, ",,") {
			t.Errorf("a request named an index with a space or an empty one: %s", l)
		}
	}
}
