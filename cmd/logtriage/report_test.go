package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The -update flag rewrites the committed sample reports (samples/incidents/report.md and
// report.html) from the current code. Registered only if no other test file of the package
// registered it first.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files and the committed sample reports")
	}
}

func reportUpdate() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	v, _ := strconv.ParseBool(f.Value.String())
	return v
}

// TestReportSamples regenerates the sample incident's postmortem reports and compares them with
// the committed ones, linked from the README.
func TestReportSamples(t *testing.T) {
	for _, c := range []struct{ format, file string }{
		{"markdown", "samples/incidents/report.md"},
		{"html", "samples/incidents/report.html"},
	} {
		r := ltShared(t, append([]string{"analyze", "-q", "-o", c.format}, incidentArgs...)...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s", c.format, r.code, r.stderr)
		}
		path := c.file
		if reportUpdate() {
			if err := os.WriteFile(path, []byte(r.stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./cmd/logtriage -run TestReportSamples -update)", err)
		}
		if r.stdout != string(want) {
			t.Errorf("%s no longer matches what the code produces; review and refresh with go test ./cmd/logtriage -run TestReportSamples -update", c.file)
		}
	}
}

// TestReportCommand renders a saved analysis in every format, from a file and from stdin, and
// checks that it equals what analyze writes directly.
func TestReportCommand(t *testing.T) {
	t.Parallel() // in process, no globals; runs beside the other slow tests
	js := ltShared(t, append([]string{"analyze", "-q", "-o", "json"}, incidentArgs...)...)
	if js.code != 0 {
		t.Fatalf("exit %d\n%s", js.code, js.stderr)
	}
	dir := t.TempDir()
	saved := filepath.Join(dir, "analysis.json")
	if err := os.WriteFile(saved, []byte(js.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json", "markdown", "html"} {
		direct := ltShared(t, append([]string{"analyze", "-q", "-o", format}, incidentArgs...)...)
		fromFile := lt(t, nil, "report", "-o", format, saved)
		fromStdin := lt(t, []byte(js.stdout), "report", "-o", format, "-")
		if fromFile.code != 0 || fromStdin.code != 0 {
			t.Fatalf("%s: exit %d/%d\n%s%s", format, fromFile.code, fromStdin.code, fromFile.stderr, fromStdin.stderr)
		}
		if fromFile.stdout != direct.stdout || fromStdin.stdout != direct.stdout {
			t.Errorf("report -o %s differs from analyze -o %s", format, format)
		}
	}
	// --out writes the file, nothing on stdout.
	out := filepath.Join(dir, "postmortem.html")
	r := lt(t, nil, "report", "-o", "html", "--out", out, saved)
	if b, err := os.ReadFile(out); r.code != 0 || err != nil || !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) || r.stdout != "" {
		t.Errorf("--out: exit %d, err %v, stdout %d bytes", r.code, err, len(r.stdout))
	}
	md := lt(t, nil, "report", "-o", "markdown", saved).stdout
	for _, want := range []string{
		"**239 of 2,233 requests (10.7%)** got an HTTP 405 from 2026-11-24 10:00:18 to 10:59:45 UTC",
		"## Timeline (UTC)", "| 2026-11-24 10:30:27 | Last success of DELETE /api/carts/{id} at app (version=1.4.2)",
		"DELETE /api/carts/{id} answers 405 at app (version=1.5.0)", "Preflight failures peak", "starts to answer 405 on upstream address 10.0.3.12:8080",
		"| edge (nginx) | 2,065 | 215 | 24 | 171 | 20 |", "func TestMethodContractAPIOrdersID(t *testing.T)",
		"curl -s -o /dev/null -w '%{http_code}' -X DELETE 'https://api.example.com/api/carts/",
		"## Appendix: inputs and method", "| `samples/incidents/edge.log` | edge | nginx | 2,065 | 2,065 | 0 | 0 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown report lacks %q", want)
		}
	}
	// Times carry the zone; no engine-style "…Z" stamps remain.
	if m := regexp.MustCompile(`\d\d:\d\d:\d\dZ`).FindString(md); m != "" {
		t.Errorf("time without the zone named: %s", m)
	}
}

func TestReportErrors(t *testing.T) {
	for _, c := range []struct {
		stdin string
		want  string
	}{
		{`{"schema":"logtriage.analysis/v3","summary":{}}`, `"logtriage.analysis/v3" document; this logtriage reads "logtriage.analysis/v2" and "logtriage.analysis/v1"`},
		{`{"findings":[]}`, `no "schema" field`},
		{`not json`, "is not a logtriage analysis"},
	} {
		r := lt(t, []byte(c.stdin), "report", "-")
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", c.stdin, r.code, r.stderr, exitUsage, c.want)
		}
	}
	// A saved analysis with a byte order mark: UTF-8's is dropped (it was "not a logtriage
	// analysis: invalid character 'ï'"), UTF-16 is named with what to do.
	js := ltShared(t, append([]string{"analyze", "-q", "-o", "json"}, incidentArgs...)...)
	if r := lt(t, append([]byte("\xef\xbb\xbf"), js.stdout...), "report", "-"); r.code != 0 || !strings.HasPrefix(r.stdout, "logtriage: 2,233 requests") {
		t.Errorf("UTF-8 with a BOM: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := lt(t, []byte("\xff\xfe{\x00}\x00"), "report", "-"); r.code != exitUsage || !strings.Contains(r.stderr, "is UTF-16 text") {
		t.Errorf("UTF-16: exit %d, stderr %q", r.code, r.stderr)
	}
	r := lt(t, nil, "report", "/nonexistent/analysis.json")
	if r.code != exitFatal || !strings.Contains(r.stderr, "cannot read /nonexistent/analysis.json: no such file: check the path") {
		t.Errorf("missing file: exit %d, stderr %q", r.code, r.stderr)
	}
	// --top 0 was accepted and gave 20 rows, --detail 0 ten sections: a table needs a row, and
	// --detail 0 gives none.
	if r := lt(t, []byte("{}"), "report", "--top", "0", "-o", "markdown", "-"); r.code != exitUsage || !strings.Contains(r.stderr, "--top 0: give the number of table rows, 1 or more") {
		t.Errorf("--top 0: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestReportDetailZero(t *testing.T) {
	js := ltShared(t, append([]string{"analyze", "-q", "-o", "json"}, incidentArgs...)...)
	if js.code != 0 {
		t.Fatalf("exit %d\n%s", js.code, js.stderr)
	}
	r := lt(t, []byte(js.stdout), "report", "--detail", "0", "-o", "markdown", "-")
	if n := strings.Count(r.stdout, "\n### 1. "); r.code != 0 || n != 0 || !strings.Contains(r.stdout, "| 17 | 2 | 0.8% | edge |") {
		t.Errorf("--detail 0: exit %d, %d sections of finding 1\n%s", r.code, n, r.stderr)
	}
}

// browserProbe is injected into a copy of the page (never into the product): it records
// script errors, failed loads and console errors, measures each chart, and writes the results
// into the DOM for --dump-dom.
const browserProbe = `<script>
window.__lt = [];
window.addEventListener('error', function (e) {
  __lt.push('ERROR ' + (e.message || (e.target && (e.target.src || e.target.href)) || 'load failure'));
}, true);
(function () { var ce = console.error; console.error = function () { __lt.push('ERROR console ' + Array.prototype.join.call(arguments, ' ')); ce.apply(console, arguments); }; })();
window.addEventListener('load', function () {
  var out = ['PROBE'];
  document.querySelectorAll('svg[data-chart]').forEach(function (s) {
    var r = s.getBoundingClientRect();
    out.push('CHART ' + s.getAttribute('data-chart') + ' ' + Math.round(r.width) + ' ' + Math.round(r.height) + ' ' + s.querySelectorAll('rect').length);
  });
  out = out.concat(__lt);
  var pre = document.createElement('pre'); pre.id = 'lt-probe'; pre.textContent = out.join('\n') + '\nEND';
  document.body.appendChild(pre);
});
</script>`

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// chromium runs headless Chromium with the flags this machine needs (no network, no sandbox
// as root, a fresh profile).
func chromium(t *testing.T, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
	}
	return out.String(), errb.String()
}

// TestReportHTMLInBrowser loads the sample postmortem page in headless Chromium: no console
// errors, the three charts present and sized, and a screenshot saved as a test artifact
// ($LOGTRIAGE_ARTIFACTS, else a temporary directory named in the log).
func TestReportHTMLInBrowser(t *testing.T) {
	t.Parallel() // in process, no globals; runs beside the other slow tests
	bin := chromiumPath()
	if bin == "" {
		t.Skip("browser test skipped: no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it when it can)")
	}
	r := ltShared(t, append([]string{"analyze", "-q", "-o", "html"}, incidentArgs...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	probe := filepath.Join(dir, "probe.html")
	if err := os.WriteFile(page, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	probed := strings.Replace(r.stdout, "<head>", "<head>\n"+browserProbe, 1)
	if err := os.WriteFile(probe, []byte(probed), 0o644); err != nil {
		t.Fatal(err)
	}

	// The probe must be able to fail: a page with a missing image and a failing script
	// (constructed) reports both.
	broken := filepath.Join(dir, "broken.html")
	os.WriteFile(broken, []byte("<!DOCTYPE html><html><head>"+browserProbe+"</head><body><img src=\"missing.png\"><script>notDefined()</script></body></html>"), 0o644)
	bdom, _ := chromium(t, bin, "--virtual-time-budget=5000", "--dump-dom", "file://"+broken)
	if n := strings.Count(bdom, "ERROR "); n < 2 {
		t.Errorf("the probe saw %d errors on a broken page, want 2:\n%.1500s", n, bdom)
	}

	dom, logs := chromium(t, bin, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
		"--window-size=1280,1000", "--dump-dom", "file://"+probe)
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "CONSOLE") {
			t.Errorf("console message: %s", line)
		}
	}
	m := regexp.MustCompile(`(?s)<pre id="lt-probe">(.*?)END</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe did not run (page did not load?):\n%.2000s", dom)
	}
	charts := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(m[1]), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0 || f[0] == "PROBE":
		case f[0] == "ERROR":
			t.Errorf("page error: %s", line)
		case f[0] == "CHART" && len(f) == 5:
			w, _ := strconv.Atoi(f[2])
			h, _ := strconv.Atoi(f[3])
			rects, _ := strconv.Atoi(f[4])
			charts[f[1]] = true
			if w < 600 || h < 150 || rects < 5 {
				t.Errorf("chart %s is %dx%d px with %d bars: too small or empty", f[1], w, h, rects)
			}
			t.Logf("chart %s: %dx%d px, %d rects", f[1], w, h, rects)
		default:
			t.Errorf("probe: %s", line)
		}
	}
	for _, c := range []string{"timeline", "funnel", "routes"} {
		if !charts[c] {
			t.Errorf("chart %s not in the page", c)
		}
	}

	art := os.Getenv("LOGTRIAGE_ARTIFACTS")
	if art == "" {
		art = t.TempDir()
	}
	if err := os.MkdirAll(art, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(art, "report-html.png")
	chromium(t, bin, "--window-size=1280,6000", "--screenshot="+shot, "file://"+page)
	st, err := os.Stat(shot)
	if err != nil || st.Size() < 10_000 {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	t.Logf("screenshot: %s (%d bytes)", shot, st.Size())
}

// A saved analysis written with --openapi holds each finding's contract verdict: report's
// --fail-on documented uses it, as analyze's does, instead of asking for --openapi again.
func TestReportGateOnSavedContract(t *testing.T) {
	js := ltShared(t, append([]string{"analyze", "-q", "-o", "json", "--openapi", "samples/openapi.yaml"}, incidentArgs...)...)
	if js.code != 0 {
		t.Fatalf("exit %d\n%s", js.code, js.stderr)
	}
	r := lt(t, []byte(js.stdout), "report", "--fail-on", "documented", "-")
	if r.code != exitFindings || !strings.Contains(r.stderr, "FAIL deploy_regression app DELETE /api/carts/{id} count=30 contract=documented fix=server") {
		t.Errorf("--fail-on documented on a document with contract verdicts: exit %d, stderr %s", r.code, r.stderr)
	}
	plain := ltShared(t, append([]string{"analyze", "-q", "-o", "json"}, incidentArgs...)...)
	if r := lt(t, []byte(plain.stdout), "report", "--fail-on", "documented", "-"); r.code != exitUsage || !strings.Contains(r.stderr, "need --openapi") {
		t.Errorf("--fail-on documented on a document without: exit %d, stderr %s", r.code, r.stderr)
	}
}
