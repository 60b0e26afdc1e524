package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/logtriage/logtriage/analysis"
)

// The terminal report stays one screen at the top however many findings there are.
func TestWriteTextTopOfManyFindingsConstructed(t *testing.T) {
	a := &analysis.Analysis{Schema: analysis.Schema, Summary: analysis.Summary{Requests: 123456, Requests405: 3000}}
	for i := 0; i < 30; i++ {
		a.Findings = append(a.Findings, analysis.Finding{OriginLayer: "app", Cause: analysis.CauseMethodNotRouted, Method: "POST",
			Route: fmt.Sprintf("/r%d", i), Count: 100, Share: 0.0333, Evidence: "e", Fix: "f", Verify: "v"})
	}
	var b bytes.Buffer
	if err := Text(&b, a); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"123,456 requests, 3,000 with a 405", "… and 10 more findings (1,000 requests)", "10. POST /r9",
		"\nFindings 11–30: evidence, fix and verify command with --output markdown or html (--detail 30), or json.\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	if strings.Contains(out, "11. POST /r10") || strings.Contains(out, "/r20 ") {
		t.Errorf("findings past the top are detailed:\n%s", out)
	}
}

// trace says how each request's hops were joined, in the words of the summary's join kinds.
func TestTraceJoinKind(t *testing.T) {
	for kind, want := range map[analysis.JoinKind]string{
		analysis.JoinID:       "  joined: id (every hop shares an id with the next)\n",
		analysis.JoinUnique:   "  joined: unique_match (no shared id: an unambiguous match",
		analysis.JoinGroup:    "  joined: group_match (no shared id: one of a group of identical requests",
		analysis.JoinUnjoined: "  joined: unjoined (one layer only)\n",
		"":                    "",
	} {
		var b strings.Builder
		r := analysis.RequestView{Method: "POST", Path: "/x", Status: 405, Join: kind,
			Hops: []analysis.HopView{{Layer: "edge", Format: "nginx", Status: 405}}}
		if err := Trace(&b, "x", []analysis.RequestView{r}); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); want != "" && !strings.Contains(got, want) || want == "" && strings.Contains(got, "joined:") {
			t.Errorf("join %q:\n%s", kind, got)
		}
	}
}

// TestTextFindingNumbersAlign: with ten detailed findings the numbers are right-aligned (" 9.",
// "10.") and the lines under each finding start where its text does.
func TestTextFindingNumbersAlign(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for _, n := range []int{3, 12} {
		a := &analysis.Analysis{Schema: analysis.Schema}
		for i := 0; i < n; i++ {
			a.Findings = append(a.Findings, analysis.Finding{OriginLayer: "app", Cause: analysis.CauseMethodNotRouted, Method: "POST",
				Route: fmt.Sprintf("/r/%d", i), Count: 100 - i, FirstSeen: t0, LastSeen: t0,
				Evidence: "e", Fix: "f", VerifyRequest: &analysis.VerifyRequest{Method: "POST", URL: fmt.Sprintf("https://h/r/%d", i)}})
		}
		var b bytes.Buffer
		if err := Text(&b, a); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(b.String(), "\n")
		headers := 0
		for i, l := range lines {
			k := strings.Index(l, ". POST /r/")
			if k < 0 {
				continue
			}
			headers++
			col := k + 2 // where the finding's text starts
			if w := len(fmt.Sprint(min(n, 10))); k != w {
				t.Errorf("%d findings: number %q not right-aligned to %d columns", n, l[:k], w)
			}
			if ev := lines[i+1]; !strings.HasPrefix(ev, strings.Repeat(" ", col)+"Evidence: ") {
				t.Errorf("%d findings: %q\n%q\nEvidence does not start under the finding's text (column %d)", n, l, ev, col)
			}
		}
		if headers != min(n, 10) {
			t.Errorf("%d findings: %d detailed, want %d", n, headers, min(n, 10))
		}
	}
}

// A small incident reads in words that agree with its counts: one finding of one request, one
// route, one masked 405 ("1 requests", "in 1 findings" before).
func TestReportsCountOneInSingular(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	a := &analysis.Analysis{Schema: analysis.Schema,
		Summary: analysis.Summary{Requests: 1, Requests405: 1, Records: 1, Masked405: 1, FirstSeen: t0, LastSeen: t0},
		Findings: []analysis.Finding{{OriginLayer: "app", Cause: analysis.CauseMethodNotRouted, Method: "POST", Route: "/x",
			Count: 1, Share: 1, FirstSeen: t0, LastSeen: t0, Evidence: "e", Fix: "f", Verify: "v"}},
		Impact: &analysis.Impact{RoutesTotal: 1, UATotal: 1, NetTotal: 1}}
	var text, md bytes.Buffer
	if err := Text(&text, a); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, a, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"logtriage: 1 request, 1 with a 405 (100.0%), 2026-11-24 10:00:00Z\n", "1 masked 405; 1 record\n", ": 1 request, 2026-11-24 10:00:00Z\n"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	for _, want := range []string{"analysis of 1 log record (schema", "in 1 finding.", "(1 request); the largest finding", ", 1 request)",
		"1 route, 1 user agent, 1 client network (", "**1 request** ("} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	if m := regexp.MustCompile(`[^f] 1 (request|finding|record|route|user agent|client network|masked 405|log record)s\b`).FindAllString(text.String()+md.String(), -1); len(m) > 0 {
		t.Errorf("plurals after 1: %q\n%s\n%s", m, text.String(), md.String())
	}
}

// The inputs table counts blank lines when an input has any, so that a row adds up to READ.
func TestTextInputsCountBlankLines(t *testing.T) {
	for _, blank := range []int64{0, 2} {
		a := &analysis.Analysis{Schema: analysis.Schema, Summary: analysis.Summary{
			Inputs: []analysis.InputStats{{Name: "edge.log", Layer: "edge", Format: "nginx", Read: 10 + blank, Parsed: 9, Rejected: 1, Blank: blank}}}}
		var b bytes.Buffer
		if err := Text(&b, a); err != nil {
			t.Fatal(err)
		}
		want := "\nINPUT     LAYER  FORMAT  READ  PARSED  REJECTED  SKIPPED\nedge.log  edge   nginx   10    9       1         0\n"
		if blank > 0 {
			want = "\nINPUT     LAYER  FORMAT  READ  PARSED  REJECTED  SKIPPED  BLANK\nedge.log  edge   nginx   12    9       1         0        2\n"
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%d blank lines, want the table%s\n%s", blank, want, b.String())
		}
	}
}
