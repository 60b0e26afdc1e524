package report

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/num"
)

func TestReportFormatting(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		if got := num.Thousands(in); got != want {
			t.Errorf("num.Thousands(%d) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"succeeded 1558 times until 2026-11-24 10:30:27Z (version=1.4.2); 405s since 2026-11-24 10:34:20.5Z.": "succeeded 1,558 times until 2026-11-24 10:30:27 UTC (version=1.4.2); 405s since 2026-11-24 10:34:20 UTC.",
		"upstream 10.0.3.12:8080 (12000) on /api/orders/1073913 from 2001:db8::1":                             "upstream 10.0.3.12:8080 (12,000) on /api/orders/1073913 from 2001:db8::1",
		"a 157-byte body, port 8080, id 0123456789":                                                           "a 157-byte body, port 8,080, id 0123456789",
	} {
		if got := prose(in); got != want {
			t.Errorf("prose(%q)\n = %q\nwant %q", in, got, want)
		}
	}
	if got := mdEscape("a|b *c* [x](y) <b> snake_case _lead #1"); got != `a\|b \*c\* \[x\](y) \<b\> snake_case \_lead #1` {
		t.Errorf("mdEscape: %s", got)
	}
	if got := mdCode("a`b"); got != "``a`b``" {
		t.Errorf("mdCode: %s", got)
	}
	if got := goName("/api/v2/accounts/{id}"); got != "APIV2AccountsID" {
		t.Errorf("goName: %s", got)
	}
}

// TestReportManyFindings: thousands of findings stay readable: top-N tables with a count of
// the rest, detail sections only for the largest.
func TestReportManyFindings(t *testing.T) {
	a := &analysis.Analysis{Schema: analysis.Schema, Summary: analysis.Summary{Requests: 100000, Requests405: 0}}
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 3000; i++ {
		n := 3000 - i
		a.Findings = append(a.Findings, analysis.Finding{OriginLayer: "app", Cause: analysis.CauseMethodNotRouted, Method: "POST",
			Route: fmt.Sprintf("/r/%d", i), Count: n, FirstSeen: t0, LastSeen: t0.Add(time.Minute),
			Evidence: "e", Fix: "f", VerifyRequest: &analysis.VerifyRequest{Method: "POST", URL: fmt.Sprintf("https://h/r/%d", i)}})
		a.Summary.Requests405 += int64(n)
	}
	var md, page bytes.Buffer
	if err := Markdown(&md, a, Options{Top: 25, Detail: 5}); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&page, a, Options{Top: 25, Detail: 5}); err != nil {
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

	// --detail 0 (NoDetail): no finding gets a section of its own (it used to mean the default, 10).
	md.Reset()
	if err := Markdown(&md, a, Options{Top: 25, Detail: NoDetail}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(md.String(), "\n### "); n != 0 || strings.Contains(md.String(), "smaller findings") ||
		!strings.Contains(md.String(), "No finding has a section of its own") {
		t.Errorf("NoDetail: %d detail sections, want none:\n%s", n, md.String())
	}
	// The zero value is the default.
	md.Reset()
	if err := Markdown(&md, a, Options{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(md.String(), "\n### "); n != 3*10 {
		t.Errorf("Options{}: %d detail sections, want 30", n)
	}
}

// TestHTMLSelfContained: the page loads nothing from anywhere and carries the three charts.
func TestHTMLSelfContained(t *testing.T) {
	a := scenarioReport(t)
	var page bytes.Buffer
	if err := HTML(&page, a, Options{}); err != nil {
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

// TestReportFromJSON: the renderers read only the JSON model, and the model survives a save:
// a saved analysis, loaded and saved again, is the same document, so it renders the same
// report as the live one.
func TestReportFromJSON(t *testing.T) {
	a := scenarioReport(t)
	var js bytes.Buffer
	if err := a.WriteJSON(&js, true); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(scenarioJSON)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(js.Bytes(), want) {
		t.Errorf("the analysis does not survive a JSON round trip:\n%s", js.String())
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
	for _, f := range []analysis.Finding{
		{OriginLayer: "app", Cause: analysis.CauseMethodNotRouted, Method: "POST", Route: evil, Allow: "GET",
			VerifyRequest: &analysis.VerifyRequest{Method: "POST", URL: "https://api.example.com" + evil}},
		{OriginLayer: "app", Cause: analysis.CauseCORSPreflight, Method: "OPTIONS", Route: evil, WantedMethod: "PATCH'$(touch " + pwned + ")'",
			VerifyRequest: &analysis.VerifyRequest{Method: "OPTIONS", URL: "https://api.example.com" + evil,
				Headers: []analysis.Header{{Name: "Origin", Value: "https://a.example'$(touch " + pwned + ")'"}, {Name: "Access-Control-Request-Method", Value: "PATCH"}}}},
	} {
		f.Examples = []analysis.Example{{URI: evil, Hops: []analysis.HopView{{Layer: "app", URI: evil}}}}
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

// A window without a 405 has no statuses or methods to list: the postmortem says "-", not an
// empty item ("- **Methods:** " before).
func TestPostmortemWithout405HasNoEmptyItems(t *testing.T) {
	a := &analysis.Analysis{Schema: analysis.Schema, Summary: analysis.Summary{Requests: 1, Records: 1}, Impact: &analysis.Impact{}}
	var md bytes.Buffer
	if err := Markdown(&md, a, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"- **What the clients got:** -\n", "- **Methods:** -\n"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	if m := regexp.MustCompile(`(?m):\*\* *$`).FindAllString(md.String(), -1); len(m) > 0 {
		t.Errorf("empty items: %q\n%s", m, md.String())
	}
}

// An analysis without a 405 says so in words that fit its counts: "the 1 request read" (not "the
// 1 requests"), and, for a source that holds only requests with a 405 (es), that none was found
// (not "among the 0 requests read"); an analysis of no record has no layer, not "one layer".
func TestReportWithout405(t *testing.T) {
	e := analysis.New(analysis.Options{})
	a := e.Result(nil)
	if a.Order != "no layer: no record to analyse" {
		t.Errorf("layer order of no record: %q", a.Order)
	}
	var md bytes.Buffer
	if err := Markdown(&md, a, Options{}); err != nil {
		t.Fatal(err)
	}
	a.Summary.Requests = 1
	md.Reset()
	Markdown(&md, a, Options{})
	if !strings.Contains(md.String(), "No request got an HTTP 405 among the 1 request read") {
		t.Errorf("one request:\n%.600s", md.String())
	}
	a.Summary.Requests, a.Summary.OnlyWith405 = 0, true
	md.Reset()
	Markdown(&md, a, Options{})
	if !strings.Contains(md.String(), "No request with an HTTP 405 was found") || strings.Contains(md.String(), "among the 0") {
		t.Errorf("es, no 405:\n%.600s", md.String())
	}
}

// The timeline chart's tooltips count in words that fit: "1 request" (it said "1 requests").
func TestChartTooltipOneRequest(t *testing.T) {
	a := scenarioReport(t)
	a.Timeline.Buckets[0].Requests = 1
	var page bytes.Buffer
	if err := HTML(&page, a, Options{}); err != nil {
		t.Fatal(err)
	}
	if s := page.String(); strings.Contains(s, "UTC: 1 requests,") || !strings.Contains(s, "UTC: 1 request,") {
		t.Errorf("tooltip of a bucket of one request: %q", regexp.MustCompile(`UTC: 1 requests?,[^<]*`).FindString(s))
	}
}

// An input without a layer or a format (one that could not be read) shows "-" in the postmortem's
// inputs table, as in the text report, not an empty cell.
func TestInputsTableDash(t *testing.T) {
	a := scenarioReport(t)
	a.Summary.Inputs = append(a.Summary.Inputs, analysis.InputStats{Name: "custom.log"})
	var md bytes.Buffer
	if err := Markdown(&md, a, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| `custom.log` | - | - | 0 | 0 | 0 | 0 | 0 |") {
		t.Errorf("inputs table:\n%s", md.String()[strings.Index(md.String(), "## Appendix"):])
	}
}
