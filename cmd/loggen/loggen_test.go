package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var datasetFiles = []string{"alb.log.gz", "edge.log", "ingress.log", "app.json", "expected.json", "nginx.conf", "envoy.yaml"}

func generate(t *testing.T, p plan) (string, *summary) {
	t.Helper()
	dir := t.TempDir()
	sum, err := writeDataset(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	return dir, sum
}

func incidentsPlan(seed uint64) plan { return plan{seed: seed, healthy: incidentsHealthy, scale: 1} }

// incidents is the bundled incident (incidentsPlan(1)) generated once per process into a
// directory the tests only read; TestMain removes it.
func incidents(t *testing.T) string {
	t.Helper()
	shared.once.Do(func() {
		if shared.dir, shared.err = os.MkdirTemp("", "loggen-incidents-"); shared.err == nil {
			_, shared.err = writeDataset(shared.dir, incidentsPlan(1))
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.dir
}

var shared struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func TestIncidentsDeterministic(t *testing.T) {
	a := incidents(t)
	b, _ := generate(t, incidentsPlan(1))
	c, _ := generate(t, incidentsPlan(2))
	for _, f := range datasetFiles {
		fa, fb, fc := read(t, a, f), read(t, b, f), read(t, c, f)
		if !bytes.Equal(fa, fb) {
			t.Errorf("%s differs between two runs with seed 1", f)
		}
		if !strings.HasSuffix(f, ".conf") && !strings.HasSuffix(f, ".yaml") && bytes.Equal(fa, fc) {
			t.Errorf("%s is the same for seeds 1 and 2", f)
		}
	}
}

// TestCheckedInSamplesAreCurrent fails when samples/incidents was not regenerated after a
// change to the generator.
func TestCheckedInSamplesAreCurrent(t *testing.T) {
	checked := filepath.Join("..", "..", "samples", "incidents")
	if _, err := os.Stat(filepath.Join(checked, "expected.json")); err != nil {
		t.Skip("samples/incidents not generated yet")
	}
	dir := incidents(t)
	for _, f := range datasetFiles {
		if !bytes.Equal(read(t, dir, f), read(t, checked, f)) {
			t.Errorf("samples/incidents/%s is stale: run go run ./cmd/loggen incidents -out samples/incidents", f)
		}
	}
}

func TestExpectedCoversEveryScenario(t *testing.T) {
	dir := incidents(t)
	var entries []expectation
	if err := json.Unmarshal(read(t, dir, "expected.json"), &entries); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	keys := map[string]bool{}
	for _, e := range entries {
		got[e.Scenario]++
		if e.Key == "" || keys[e.Key] {
			t.Errorf("entry %+v: key empty or not unique", e)
		}
		keys[e.Key] = true
		switch e.OriginLayer {
		case "alb", "edge", "ingress", "app", "beyond ingress":
		default:
			t.Errorf("entry %+v: bad origin layer", e)
		}
	}
	for _, s := range scenarios {
		if got[s.letter] != s.base {
			t.Errorf("scenario %s: %d entries in expected.json, want %d", s.letter, got[s.letter], s.base)
		}
	}
	if len(got) != len(scenarios) {
		t.Errorf("expected.json has scenarios %v, want exactly a-l", got)
	}
}

// TestTruthMatchesModel checks each declared ground truth against what the simulated hops
// actually did: the innermost hop that generated a 405, and whether an outer hop hid it.
func TestTruthMatchesModel(t *testing.T) {
	g := newGen(1, 1)
	for i, n := range incidentsPlan(1).counts() {
		scenarios[i].run(g, n)
	}
	g.periodic()
	h := newGen(1, 2).healthy(incidentsHealthy)
	for r := h.next(); r != nil; r = h.next() {
		g.reqs = append(g.reqs, r)
	}
	for _, r := range g.reqs {
		origin, masked := modelOrigin(r)
		if r.truth == nil {
			if origin != "" {
				t.Errorf("scenario %s %s %s: a 405 from %s without ground truth", r.scenario, r.method, r.uri, origin)
			}
			continue
		}
		if origin != r.truth.origin || masked != r.truth.masked {
			t.Errorf("scenario %s %s %s: declared %s masked=%v, model says %s masked=%v",
				r.scenario, r.method, r.uri, r.truth.origin, r.truth.masked, origin, masked)
		}
		checkNesting(t, r)
	}
}

func modelOrigin(r *request) (origin string, masked bool) {
	switch {
	case r.alb != nil && r.alb.local != nil:
		if r.alb.local.status == 405 {
			origin = "alb"
		}
	case r.edge != nil && r.edge.local != nil:
		if r.edge.local.status == 405 {
			origin = "edge"
		}
	case r.ingress != nil && r.ingress.local != nil:
		if r.ingress.local.status == 405 {
			origin = "ingress"
		}
	case r.app != nil && r.app.res.status == 405:
		origin = "app"
		if !r.app.svc.shipped {
			origin = "beyond ingress"
		}
	}
	client := 0
	switch {
	case r.alb != nil:
		client = r.alb.out.status
	case r.edge != nil:
		client = r.edge.out.status
	case r.app != nil:
		client = r.app.res.status
	}
	return origin, origin != "" && client != 405
}

// checkNesting: outer hops start earlier and end later.
func checkNesting(t *testing.T, r *request) {
	t.Helper()
	var spans [][2]time.Time
	if r.alb != nil {
		spans = append(spans, [2]time.Time{r.alb.start, r.alb.end})
	}
	if r.edge != nil {
		spans = append(spans, [2]time.Time{r.edge.start, r.edge.end})
	}
	if r.ingress != nil {
		spans = append(spans, [2]time.Time{r.ingress.start, r.ingress.end})
	}
	if r.app != nil {
		spans = append(spans, [2]time.Time{r.app.start, r.app.end})
	}
	for i := 1; i < len(spans); i++ {
		if !spans[i-1][0].Before(spans[i][0]) || !spans[i][1].Before(spans[i-1][1]) {
			t.Errorf("scenario %s %s: hop %d span %v not inside hop %d span %v", r.scenario, r.uri, i, spans[i], i-1, spans[i-1])
		}
	}
}

// TestFilesInLogOrder: each file is in the order its program writes it (end of request).
func TestFilesInLogOrder(t *testing.T) {
	dir := incidents(t)
	ordered := func(name string, stamp func(line string) string, layout string) {
		var prev time.Time
		for i, l := range lines(t, dir, name) {
			ts, err := time.Parse(layout, stamp(l))
			if err != nil {
				t.Fatalf("%s:%d: %v", name, i+1, err)
			}
			if ts.Before(prev) {
				t.Fatalf("%s:%d: %v before the previous line's %v", name, i+1, ts, prev)
			}
			prev = ts
		}
	}
	ordered("alb.log.gz", func(l string) string { return strings.Fields(l)[1] }, time.RFC3339Nano)
	ordered("edge.log", func(l string) string { return l[strings.IndexByte(l, '[')+1 : strings.IndexByte(l, ']')] },
		"02/Jan/2006:15:04:05 -0700")
	ordered("app.json", func(l string) string { return l[len(`{"time":"`):strings.Index(l, `","level"`)] }, time.RFC3339Nano)
}

// TestIDsAsHopsLogThem: ALB Root in nginx, nginx $request_id in Envoy, Envoy's trace id in the app.
func TestIDsAsHopsLogThem(t *testing.T) {
	dir := incidents(t)
	var entries []expectation
	if err := json.Unmarshal(read(t, dir, "expected.json"), &entries); err != nil {
		t.Fatal(err)
	}
	edge, ingress, app := string(read(t, dir, "edge.log")), string(read(t, dir, "ingress.log")), string(read(t, dir, "app.json"))
	for _, e := range entries {
		if e.Scenario == "d" { // the Envoy-local reply: no traceparent, no app record
			if !strings.Contains(ingress, `"`+e.RequestID+`" "-"`) {
				t.Errorf("d %s: Envoy line should log the request id and no traceparent", e.Key)
			}
			continue
		}
		if e.AmznTraceRoot != "" && e.RequestID != "" && !strings.Contains(edge, `rid=`+e.RequestID+` `) {
			t.Errorf("%s %s: nginx line missing", e.Scenario, e.Key)
		}
		if e.TraceID != "" && !strings.Contains(ingress, `"`+e.RequestID+`" "00-`+e.TraceID+`-`) {
			t.Errorf("%s %s: Envoy line should carry nginx's request id and the traceparent", e.Scenario, e.Key)
		}
		inApp := e.TraceID != "" && strings.Contains(app, `"trace_id":"`+e.TraceID+`"`)
		if want := e.OriginLayer == "app" && e.TraceID != ""; inApp != want {
			t.Errorf("%s %s: app record present=%v, want %v", e.Scenario, e.Key, inApp, want)
		}
	}
}

func TestMultihopHealthyScalesOnlyHealthy(t *testing.T) {
	_, one := generate(t, plan{seed: 1, healthy: 500, scale: 20.0 / 239})
	_, three := generate(t, plan{seed: 1, healthy: 1500, scale: 20.0 / 239})
	if len(one.Expected) != len(three.Expected) {
		t.Errorf("405 requests: %d with healthy x1, %d with x3", len(one.Expected), len(three.Expected))
	}
	if three.Records["edge.log"] < 2*one.Records["edge.log"] {
		t.Errorf("edge records %d vs %d: healthy traffic did not scale", three.Records["edge.log"], one.Records["edge.log"])
	}
}

func TestCombinedDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := writeCombined(&a, 5000, 7); err != nil {
		t.Fatal(err)
	}
	writeCombined(&b, 5000, 7)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed, different output")
	}
	n405 := 0
	for _, l := range strings.Split(strings.TrimSpace(a.String()), "\n") {
		if strings.Contains(l, `" 405 `) {
			n405++
		}
	}
	if n405 < 20 || n405 > 100 {
		t.Errorf("%d lines with 405 out of 5000, want about 1%%", n405)
	}
}

func BenchmarkCombined(b *testing.B) {
	const n = 100000
	var cw countWriter
	b.ResetTimer()
	for range b.N {
		writeCombined(&cw, n, 1)
	}
	b.SetBytes(cw.n / int64(b.N))
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lines(t *testing.T, dir, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			t.Fatal(err)
		}
	}
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}
