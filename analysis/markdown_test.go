package analysis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestPostmortemGolden renders the constructed scenario (golden_test.go) as Markdown and
// compares it with testdata/report.md.
func TestPostmortemGolden(t *testing.T) {
	a := scenarioReport(t)
	var md bytes.Buffer
	if err := a.WriteMarkdown(&md, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md", md.Bytes())
}

func scenarioReport(t *testing.T) *Analysis {
	t.Helper()
	e := New(Options{})
	for _, r := range scenario() {
		e.Add(r)
	}
	return e.Result(scenarioInputs)
}

// TestTimelineCounts checks the report data against the summary: every request in exactly one
// bucket, every 405 under its origin layer, the funnel per layer.
func TestTimelineCounts(t *testing.T) {
	a := scenarioReport(t)
	tl := a.Timeline
	if tl == nil || len(tl.Buckets) == 0 {
		t.Fatal("no timeline")
	}
	var reqs, m405 int64
	origins := map[string]int64{}
	for _, b := range tl.Buckets {
		var sum int64
		for o, n := range b.Origin405 {
			origins[o] += n
			sum += n
		}
		for _, n := range b.Status {
			sum += n
		}
		if sum != b.Requests {
			t.Errorf("bucket %s: parts add up to %d, requests %d", b.Start, sum, b.Requests)
		}
		reqs += b.Requests
		m405 += b.M405
	}
	if reqs+tl.Untimed != a.Summary.Requests || m405 != a.Summary.Requests405 {
		t.Errorf("timeline has %d requests (%d with a 405), summary %d (%d)", reqs, m405, a.Summary.Requests, a.Summary.Requests405)
	}
	// The scenario spans 3 minutes 10 s: 1-second buckets would be 191, 5-second ones 39, so
	// the width that stays within 120 buckets wins.
	if tl.BucketSeconds != 5 || len(tl.Buckets) != 39 {
		t.Errorf("buckets: %d of %d s", len(tl.Buckets), tl.BucketSeconds)
	}
	for _, f := range a.Findings {
		origins[f.OriginLayer] -= int64(f.Count)
	}
	for o, n := range origins {
		if n != 0 {
			t.Errorf("origin %s: timeline and findings differ by %d", o, n)
		}
	}
	// Funnel (constructed records, golden_test.go): the app generates 5 DELETE /api/orders, the
	// masked POST /api/cart and the preflight; ingress the direct_response DELETE and relays the
	// PATCH from an unlogged upstream; the ALB its TRACE; edge the static PUT and masks the POST.
	// Passed: ALB and edge relay the 5 + 1 direct + 1 beyond + 1 preflight, ingress the 5 + 1
	// masked + 1 beyond + 1 preflight.
	want := map[string][3]int64{ // generated, passed, masked
		"alb":     {1, 8, 0},
		"edge":    {1, 8, 1},
		"ingress": {1, 8, 0},
		"app":     {7, 0, 0},
	}
	for _, l := range a.Layers {
		got := [3]int64{l.Generated405, l.Passed405, l.Masked405}
		if got != want[l.Name] {
			t.Errorf("layer %s funnel %v, want %v", l.Name, got, want[l.Name])
		}
	}
	var kinds []string
	for _, e := range tl.Events {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, ","); !strings.HasPrefix(got, "first_405,") || !strings.Contains(got, "peak") ||
		!strings.HasSuffix(got, "last_405") || !strings.Contains(got, "preflight_burst") || !strings.Contains(got, "first_masked") {
		t.Errorf("events %s", got)
	}
	for i := 1; i < len(tl.Events); i++ {
		if tl.Events[i].Time.Before(tl.Events[i-1].Time) {
			t.Errorf("events out of order: %v", kinds)
		}
	}
}

func TestBucketWidth(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC).UnixNano()
	for _, c := range []struct {
		span time.Duration
		want time.Duration
		n    int64
	}{
		{time.Hour - 4*time.Second, time.Minute, 60},
		{10 * time.Minute, 10 * time.Second, 61},
		{90 * time.Second, time.Second, 91},
		{24 * time.Hour, 30 * time.Minute, 49}, // 10 min would be 145 buckets
		{3 * time.Second, time.Second, 4},
	} {
		w := bucketWidth(t0, t0+int64(c.span), int64(time.Second))
		n := floorDiv(t0+int64(c.span), w) - floorDiv(t0, w) + 1
		if time.Duration(w) != c.want || n != c.n {
			t.Errorf("span %s: width %s (%d buckets), want %s (%d)", c.span, time.Duration(w), n, c.want, c.n)
		}
	}
}

// TestTimelineCoarsens feeds more slots than the counter keeps and checks that nothing is lost.
func TestTimelineCoarsens(t *testing.T) {
	var c tlCounter
	t0 := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC).UnixNano()
	for i := 0; i < 3*maxTimelineSlots; i++ {
		c.add(t0+int64(i)*int64(time.Second), i%tlClasses)
	}
	if len(c.slots) > maxTimelineSlots || c.width() != int64(5*time.Second) {
		t.Errorf("%d slots of %s", len(c.slots), time.Duration(c.width()))
	}
	var n int64
	for _, p := range c.slots {
		for _, k := range p {
			n += k
		}
	}
	if n != 3*maxTimelineSlots {
		t.Errorf("counted %d, want %d", n, 3*maxTimelineSlots)
	}
}

func TestReportFormatting(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		if got := pmThousands(in); got != want {
			t.Errorf("pmThousands(%d) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"succeeded 1558 times until 2026-11-24 10:30:27Z (version=1.4.2); 405s since 2026-11-24 10:34:20.5Z.": "succeeded 1,558 times until 2026-11-24 10:30:27 UTC (version=1.4.2); 405s since 2026-11-24 10:34:20 UTC.",
		"upstream 10.0.3.12:8080 (12000) on /api/orders/1073913 from 2001:db8::1":                             "upstream 10.0.3.12:8080 (12,000) on /api/orders/1073913 from 2001:db8::1",
		"a 157-byte body, port 8080, id 0123456789":                                                           "a 157-byte body, port 8,080, id 0123456789",
	} {
		if got := pmText(in); got != want {
			t.Errorf("pmText(%q)\n = %q\nwant %q", in, got, want)
		}
	}
	if got := mdEscape("a|b *c* [x](y) <b> snake_case _lead #1"); got != `a\|b \*c\* \[x\](y) \<b\> snake_case \_lead #1` {
		t.Errorf("mdEscape: %s", got)
	}
	if got := mdCode("a`b"); got != "``a`b``" {
		t.Errorf("mdCode: %s", got)
	}
	for ip, want := range map[string]string{"192.0.2.77": "192.0.2.0/24", "2001:db8:1:2::7": "2001:db8:1::/48", "::ffff:10.1.2.3": "10.1.2.0/24", "": "-", "unix:": "unix:"} {
		if got := clientNetwork(ip); got != want {
			t.Errorf("clientNetwork(%q) = %q, want %q", ip, got, want)
		}
	}
	if got := pmGoName("/api/v2/accounts/{id}"); got != "APIV2AccountsID" {
		t.Errorf("pmGoName: %s", got)
	}
}

// TestReportManyFindings: thousands of findings stay readable: top-N tables with a count of
// the rest, detail sections only for the largest.
func TestReportManyFindings(t *testing.T) {
	a := &Analysis{Schema: Schema, Summary: Summary{Requests: 100000, Requests405: 0}}
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 3000; i++ {
		n := 3000 - i
		a.Findings = append(a.Findings, Finding{OriginLayer: "app", Cause: CauseMethodNotRouted, Method: "POST",
			Route: fmt.Sprintf("/r/%d", i), Count: n, FirstSeen: t0, LastSeen: t0.Add(time.Minute),
			Evidence: "e", Fix: "f", Verify: fmt.Sprintf("curl -i -X POST 'https://h/r/%d'", i)})
		a.Summary.Requests405 += int64(n)
	}
	var md, page bytes.Buffer
	if err := a.WriteMarkdown(&md, ReportOptions{Top: 25, Detail: 5}); err != nil {
		t.Fatal(err)
	}
	if err := a.WriteHTML(&page, ReportOptions{Top: 25, Detail: 5}); err != nil {
		t.Fatal(err)
	}
	// Findings 1–25 carry 3000+…+2976 = 74,700 requests of 4,501,500.
	for _, out := range []string{md.String(), page.String()} {
		if !strings.Contains(out, "… and 2,975 more findings (4,426,800 requests)") {
			t.Errorf("no count of the rest")
		}
		if strings.Contains(out, "/r/25<") || strings.Contains(out, "`/r/25`") {
			t.Errorf("finding 26 rendered")
		}
	}
	if n := strings.Count(md.String(), "\n### "); n != 3*5 {
		t.Errorf("%d detail sections, want 15 (root cause, remediation, prevention × 5)", n)
	}
	if md.Len() > 200_000 || page.Len() > 400_000 {
		t.Errorf("report too large: %d / %d bytes", md.Len(), page.Len())
	}
}

// TestHTMLSelfContained: the page loads nothing from anywhere and carries the three charts.
func TestHTMLSelfContained(t *testing.T) {
	a := scenarioReport(t)
	var page bytes.Buffer
	if err := a.WriteHTML(&page, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	s := page.String()
	for _, bad := range []*regexp.Regexp{regexp.MustCompile(`(?i)<script|<link|<img|<iframe|@import|@font-face`),
		regexp.MustCompile(`(?i)\s(src|href)="(https?:)?//`), regexp.MustCompile(`(?i)url\(\s*['"]?(https?:)?//`)} {
		if m := bad.FindString(s); m != "" {
			t.Errorf("page loads something: %q", m)
		}
	}
	for _, chart := range []string{"timeline", "funnel", "routes"} {
		if !strings.Contains(s, `data-chart="`+chart+`"`) {
			t.Errorf("chart %s missing", chart)
		}
	}
	if !strings.Contains(s, "UTC") || !strings.Contains(s, "<h2>Prevention</h2>") {
		t.Error("page lacks sections")
	}
}

// TestReportFromJSON: a saved analysis renders the same report as the live one.
func TestReportFromJSON(t *testing.T) {
	a := scenarioReport(t)
	var js bytes.Buffer
	if err := a.WriteJSON(&js, false); err != nil {
		t.Fatal(err)
	}
	var b Analysis
	if err := json.Unmarshal(js.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	for name, write := range map[string]func(*Analysis, *bytes.Buffer) error{
		"markdown": func(x *Analysis, w *bytes.Buffer) error { return x.WriteMarkdown(w, ReportOptions{}) },
		"html":     func(x *Analysis, w *bytes.Buffer) error { return x.WriteHTML(w, ReportOptions{}) },
	} {
		var live, saved bytes.Buffer
		if err := write(a, &live); err != nil {
			t.Fatal(err)
		}
		if err := write(&b, &saved); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(live.Bytes(), saved.Bytes()) {
			t.Errorf("%s from JSON differs from the live analysis", name)
		}
	}
}

// Paths, methods and hosts in the generated regression scripts come from logs, that is from
// clients: running the script must never run what they hold.
func TestPreventionScriptsQuoteLoggedValuesConstructed(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	pwned := filepath.Join(dir, "pwned")
	evil := "/api/a'$(touch " + pwned + ")'`touch " + pwned + "`\"$(touch " + pwned + ")\""
	for _, f := range []Finding{
		{OriginLayer: "app", Cause: CauseMethodNotRouted, Method: "POST", Route: evil, Allow: "GET",
			Verify: "curl -i -X POST " + shellQuote("https://api.example.com"+evil)},
		{OriginLayer: "app", Cause: CauseCORSPreflight, Method: "OPTIONS", Route: evil, WantedMethod: "PATCH'$(touch " + pwned + ")'",
			Verify: "curl -i -X OPTIONS -H 'Origin: https://a.example' -H 'Access-Control-Request-Method: PATCH' " + shellQuote("https://api.example.com"+evil)},
	} {
		f.Examples = []Example{{URI: evil, Hops: []HopView{{Layer: "app", URI: evil}}}}
		script := curlTest(&f)
		if script == "" {
			t.Fatalf("no script for %s", f.Cause)
		}
		// A curl that answers 200 with no headers, so that every failure branch runs.
		bin := filepath.Join(dir, "bin")
		os.MkdirAll(bin, 0o755)
		os.WriteFile(filepath.Join(bin, "curl"), []byte("#!/bin/sh\necho 'HTTP/1.1 200 OK'\n"), 0o755)
		cmd := exec.Command("sh", "-c", script)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
		cmd.Run()
		if _, err := os.Stat(pwned); err == nil {
			t.Fatalf("running the %s script executed a command from the logged path:\n%s", f.Cause, script)
		}
	}
}
