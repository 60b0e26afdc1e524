package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var incidentArgs = []string{
	"--nginx-conf", "samples/incidents/nginx.conf", "--envoy-config", "samples/incidents/envoy.yaml",
	"alb=samples/incidents/alb.log.gz", "edge=samples/incidents/edge.log",
	"ingress=samples/incidents/ingress.log", "app=samples/incidents/app.json",
}

// expectation is one line of samples/incidents/expected.json: the ground truth the sample
// generator wrote for every request that has a 405 at some hop.
type expectation struct {
	Key       string `json:"key"`
	RequestID string `json:"request_id"`
	AmznRoot  string `json:"amzn_trace_root"`
	Method    string `json:"method"`
	Path      string `json:"path"`
	Origin    string `json:"origin_layer"`
	Cause     string `json:"cause"`
	Masked    bool   `json:"masked"`
	Scenario  string `json:"scenario"`
}

type requestVerdict struct {
	IDs struct {
		RequestID      string `json:"request_id"`
		NginxRequestID string `json:"nginx_request_id"`
		AmznRoot       string `json:"amzn_trace_root"`
	} `json:"ids"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Origin string `json:"origin_layer"`
	Cause  string `json:"cause"`
	Masked bool   `json:"masked"`
	Hops   []struct {
		Layer  string `json:"layer"`
		Source string `json:"source"`
	} `json:"hops"`
}

func loadExpected(t *testing.T) []expectation {
	t.Helper()
	f, err := os.Open("samples/incidents/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []expectation
	if err := json.NewDecoder(bufio.NewReader(f)).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAnalyzeIncidentVerdicts runs analyze on the bundled incident and checks the origin layer,
// cause and masking of every request with a 405 against the generator's ground truth.
func TestAnalyzeIncidentVerdicts(t *testing.T) {
	r := ltShared(t, append([]string{"analyze", "--output", "json", "--requests"}, incidentArgs...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var doc struct {
		Schema  string `json:"schema"`
		Summary struct {
			Requests405 int `json:"requests_with_405"`
			Inputs      []struct {
				Rejected int `json:"rejected"`
			} `json:"inputs"`
		} `json:"summary"`
		Layers []struct {
			Name string `json:"name"`
		} `json:"layers"`
		Requests []requestVerdict `json:"requests"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "logtriage.analysis/v2" {
		t.Errorf("schema %q", doc.Schema)
	}
	var order []string
	for _, l := range doc.Layers {
		order = append(order, l.Name)
	}
	if strings.Join(order, ",") != "alb,edge,ingress,app" {
		t.Errorf("layer order %v, want alb,edge,ingress,app", order)
	}
	byKey := map[string]*requestVerdict{}
	for i := range doc.Requests {
		q := &doc.Requests[i]
		for _, k := range []string{q.IDs.AmznRoot, q.IDs.RequestID, q.IDs.NginxRequestID} {
			if k != "" {
				byKey[k] = q
			}
		}
		for _, h := range q.Hops {
			if i := strings.LastIndex(h.Source, "/"); i >= 0 {
				byKey[h.Source[i+1:]] = q // "app.json:159" for requests without ids
			}
		}
	}
	want := loadExpected(t)
	if doc.Summary.Requests405 != len(want) {
		t.Errorf("%d requests with a 405, want %d", doc.Summary.Requests405, len(want))
	}
	perScenario := map[string]int{}
	for _, e := range want {
		q := byKey[e.Key]
		if q == nil {
			t.Errorf("scenario %s: request %s (%s %s) not reported", e.Scenario, e.Key, e.Method, e.Path)
			continue
		}
		if q.Origin != e.Origin || q.Cause != e.Cause || q.Masked != e.Masked {
			t.Errorf("scenario %s: %s %s %s: got %s/%s masked=%v, want %s/%s masked=%v",
				e.Scenario, e.Key, e.Method, e.Path, q.Origin, q.Cause, q.Masked, e.Origin, e.Cause, e.Masked)
			continue
		}
		perScenario[e.Scenario]++
	}
	for _, s := range strings.Split("abcdefghijkl", "") {
		if perScenario[s] == 0 {
			t.Errorf("scenario %s: no request verified", s)
		}
	}
}

func TestAnalyzeTextReport(t *testing.T) {
	r := lt(t, nil, append([]string{"analyze"}, incidentArgs...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"alb (alb) → edge (nginx) → ingress (envoy) → app (app)",
		"method_not_routed", "deploy_regression", "cors_preflight", "backend_drift", "path_rewrite", "proxy_method_block",
		"beyond ingress", "masked", "curl -i -X OPTIONS -H 'Origin: https://app.example.com' -H 'Access-Control-Request-Method: PATCH'",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
}

func TestAnalyzeOrderOverride(t *testing.T) {
	r := lt(t, nil, append([]string{"analyze", "-o", "json", "--order", "edge,alb,ingress,app"}, incidentArgs...)...)
	if !strings.Contains(r.stdout, `"layer_order"`) || r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	var doc struct {
		Layers []struct{ Name string } `json:"layers"`
	}
	json.Unmarshal([]byte(r.stdout), &doc)
	if len(doc.Layers) < 2 || doc.Layers[0].Name != "edge" || doc.Layers[1].Name != "alb" {
		t.Errorf("--order not applied: %+v", doc.Layers)
	}
	r = lt(t, nil, append([]string{"analyze", "--order", "alb,egde,ingress,app"}, incidentArgs...)...)
	if r.code != exitUsage || !strings.Contains(r.stderr, `"egde"`) || !strings.Contains(r.stderr, "alb, edge, ingress, app") {
		t.Errorf("a typo in --order: exit %d %s", r.code, r.stderr)
	}
	// Naming two of the four layers orders those two; the ALB and Envoy stay where the data put
	// them, and the verdicts are those of the inferred order.
	r = lt(t, nil, append([]string{"analyze", "--order", "edge,app"}, incidentArgs...)...)
	plain := lt(t, nil, append([]string{"analyze"}, incidentArgs...)...)
	if !strings.Contains(r.stdout, "alb (alb) → edge (nginx) → ingress (envoy) → app (app)\n  edge → app given by --order; the other layers inferred") {
		t.Errorf("--order edge,app:\n%s", r.stdout)
	}
	if cut := func(s string) string { _, after, _ := strings.Cut(s, "\nFindings\n"); return after }; cut(r.stdout) != cut(plain.stdout) || cut(r.stdout) == "" {
		t.Error("--order edge,app changed the findings of the inferred order")
	}
}

// TestOutputAndStatusFlagChecks: flags no run can follow are refused before anything is read,
// with what to give instead; --requests without JSON output is noted, not silently dropped.
func TestOutputAndStatusFlagChecks(t *testing.T) {
	app := "samples/incidents/app.json"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"parse", "--status", "4055", app}, "--status 4055 is not an HTTP status: give codes from 100 to 599"},
		{[]string{"analyze", "--top=-1", app}, "--top -1: give the number of table rows, 1 or more"},
		{[]string{"analyze", "--top=0", app}, "--top 0: give the number of table rows, 1 or more"},
		{[]string{"analyze", "--detail=-3", app}, "--detail -3: give the number of findings with sections of their own, 0 or more"},
		// 0 or less was taken for the default window, two minutes, without a word.
		{[]string{"analyze", "--join-window", "0s", app}, "--join-window 0s: give how far apart the records of one request may be, more than 0"},
		{[]string{"trace", "--join-window=-5s", "0123456789abcdef0123456789abcdef", app}, "--join-window -5s: give how far apart"},
	} {
		r := lt(t, nil, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %d bytes", tc.args, r.code, r.stderr, len(r.stdout))
		}
	}
	r := lt(t, nil, "analyze", "--requests", app)
	if r.code != 0 || !strings.Contains(r.stderr, "--requests adds the requests to the JSON document only: add --output json") {
		t.Errorf("--requests with text output: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestTrace(t *testing.T) {
	want := loadExpected(t)
	var e expectation
	for _, x := range want {
		if x.Scenario == "i" { // masked: the client saw 200
			e = x
			break
		}
	}
	r := lt(t, nil, append([]string{"trace", "Root=" + e.AmznRoot + ";Sampled=1"}, incidentArgs...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, s := range []string{"alb", "edge", "ingress", "app", "masked", e.Path} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("trace output lacks %q:\n%s", s, r.stdout)
		}
	}
	// The id as copied with its header, from a complaint or a browser's network tab: the header
	// name is not part of the id (this was "No request with id X-Amzn-Trace-Id: Root=…").
	if r := lt(t, nil, append([]string{"trace", "X-Amzn-Trace-Id: Root=" + e.AmznRoot + ";Sampled=1"}, incidentArgs...)...); r.code != 0 || !strings.Contains(r.stdout, e.Path) {
		t.Errorf("the header pasted with the id: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = lt(t, nil, append([]string{"trace", "0123456789abcdef0123456789abcdef"}, incidentArgs...)...)
	if r.code != exitNotFound || !strings.Contains(r.stderr, "no request with id") {
		t.Errorf("unknown id: exit %d %s", r.code, r.stderr)
	}
	r = lt(t, nil, append([]string{"trace", "-o", "json", "0123456789abcdef0123456789abcdef"}, incidentArgs...)...)
	if r.code != exitNotFound || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("unknown id, -o json: exit %d, stdout %q, want an empty list", r.code, r.stdout)
	}
}

// TestAnalyzeNotesServerLog: analyze given only nginx's error log finds no 405, and says on
// stderr what the input is, as parse does, so that "No 405 responses found" is not taken for an
// answer about the traffic; -q hides the note.
func TestAnalyzeNotesServerLog(t *testing.T) {
	path := filepath.Join("parsers", "testdata", "serverlogs", "nginx-error.log")
	note := "note: " + path + ": it is an nginx error log, which holds no access records: its lines are skipped"
	for _, cmd := range []string{"analyze", "contract"} {
		args := []string{cmd, path}
		if cmd == "contract" {
			args = append(args, "--openapi", "samples/openapi.yaml")
		}
		r := lt(t, nil, args...)
		if r.code != 0 || !strings.Contains(r.stderr, note) {
			t.Errorf("%s: exit %d, stderr:\n%s", cmd, r.code, r.stderr)
		}
		if r := lt(t, nil, append(args, "-q")...); strings.Contains(r.stderr, "note:") {
			t.Errorf("%s -q: stderr:\n%s", cmd, r.stderr)
		}
	}
}

// TestAnalyzeReadErrorNamesInputOnce: the report's inputs list an input cut short with its name
// once, then the reason ("rejected x.gz: x.gz after line 18: …" before).
func TestAnalyzeReadErrorNamesInputOnce(t *testing.T) {
	data, err := os.ReadFile("samples/nginx/combined.log")
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(data)
	zw.Close()
	path := filepath.Join(t.TempDir(), "edge.log.gz")
	if err := os.WriteFile(path, zipped.Bytes()[:zipped.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	r := lt(t, nil, "analyze", path)
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitPartial, r.stderr)
	}
	if !regexp.MustCompile(`\n  rejected \S*edge\.log\.gz: after line \d+: truncated stream`).MatchString(r.stdout) {
		t.Errorf("report:\n%s", r.stdout)
	}
}
