package report

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/analysis/contract"
	"github.com/logtriage/logtriage/analysis/probe"
)

// hostile is log content as a client can send it: an OSC 52 clipboard write, a screen clear, a
// bidi override and a line break that starts a forged FAIL line and a CI annotation.
const hostile = "/a\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202e\n::error file=x::forged\nFAIL forged"

// controls reports the first control character or forged line in a terminal output.
func controls(out string) string {
	for _, r := range out {
		if r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return strings.ToValidUTF8(string(r), "?")
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "::error") || strings.HasPrefix(l, "FAIL forged") {
			return l
		}
	}
	return ""
}

func hostileAnalysis() *analysis.Analysis {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	f := analysis.Finding{OriginLayer: "app", Cause: analysis.CauseMethodNotRouted, Method: "POST\x1b[2J", Route: hostile, Count: 1,
		FirstSeen: t0, LastSeen: t0, Evidence: "app has no handler for " + hostile, Fix: "route " + hostile,
		VerifyRequest: &analysis.VerifyRequest{Method: "POST", URL: "https://api.example.com" + hostile},
		Examples:      []analysis.Example{{ID: "id\x1b[2J", Time: t0, URI: hostile, Chain: "app 405"}}}
	return &analysis.Analysis{Schema: analysis.Schema, Findings: []analysis.Finding{f},
		Summary: analysis.Summary{Requests: 1, Requests405: 1, Scope: hostile, NonUniqueIDs: 1, NonUniqueIDExample: []string{hostile},
			Inputs: []analysis.InputStats{{Name: "in" + hostile, Layer: "app", Format: "app", Read: 1,
				Rejections: []analysis.Rejection{{Source: "in:1", Reason: "bad " + hostile}}}}},
		Layers: []analysis.Layer{{Name: "app", Format: "app"}}, Order: "given"}
}

func TestTextEscapesLogContent(t *testing.T) {
	var b strings.Builder
	if err := Text(&b, hostileAnalysis()); err != nil {
		t.Fatal(err)
	}
	if c := controls(b.String()); c != "" {
		t.Errorf("text report prints %q raw:\n%s", c, b.String())
	}
	if !strings.Contains(b.String(), `/a\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202e\n::error`) {
		t.Errorf("text report does not show the escaped route:\n%s", b.String())
	}
	b.Reset()
	h := analysis.HopView{Layer: "app", Format: "app", Status: 405, Source: "app.log:1", Method: "POST", Host: "h\x1b[2J", URI: hostile,
		UserAgent: hostile, Origin: hostile, Allow: hostile, Detail: hostile}
	r := analysis.RequestView{Method: "POST", Host: "h", Path: hostile, Status: 405, OriginLayer: "app", Cause: analysis.CauseMethodNotRouted,
		Evidence: hostile, Hops: []analysis.HopView{h}}
	if err := Trace(&b, "id\x1b[2J", []analysis.RequestView{r}); err != nil {
		t.Fatal(err)
	}
	if c := controls(b.String()); c != "" {
		t.Errorf("trace prints %q raw:\n%s", c, b.String())
	}
	b.Reset()
	Trace(&b, "id\n::error x", nil)
	if c := controls(b.String()); c != "" {
		t.Errorf("trace prints %q raw:\n%s", c, b.String())
	}
}

func TestContractAndProbeTextEscapeLogContent(t *testing.T) {
	r := contractReport()
	r.Documented405[0].Route = hostile
	r.Findings[0].Route = hostile
	r.CORS[0].Origins = []analysis.PreflightOrigin{{Origin: hostile, Failed: 5}}
	r.Spec = "spec" + hostile
	var b strings.Builder
	if err := ContractText(&b, r); err != nil {
		t.Fatal(err)
	}
	if c := controls(b.String()); c != "" {
		t.Errorf("contract report prints %q raw:\n%s", c, b.String())
	}
	b.Reset()
	rep := &probe.Report{Schema: probe.Schema, Preflight: "PATCH", Results: []probe.Result{{Target: probe.Target{URL: "https://h" + hostile, Path: hostile},
		Checks:   []probe.Check{{Method: "GET", Status: 405, Allow: hostile, ACAO: hostile, Error: hostile, ErrorKind: "other"}},
		Problems: []string{hostile}, Notes: []string{hostile}}}}
	if err := ProbeText(&b, rep); err != nil {
		t.Fatal(err)
	}
	if c := controls(b.String()); c != "" {
		t.Errorf("probe report prints %q raw:\n%s", c, b.String())
	}
}

// Markdown of the contract and probe reports is as safe as the postmortem's: no raw HTML, no
// links, whatever the logs and the servers hold (issue 10 item 15).
const markup = "<script>alert(1)</script><img src=x onerror=alert(2)>[click](javascript:alert(3))<javascript:alert(4)>"

// unsafeMarkdown returns the first tag or link GFM would render from md: "<" or "](" that no
// backslash escapes.
func unsafeMarkdown(md string) string {
	if m := regexp.MustCompile(`(^|[^\\])(<[a-zA-Z/]|\]\()`).FindString(md); m != "" {
		return m
	}
	return ""
}

func TestContractAndProbeMarkdownEscaped(t *testing.T) {
	r := contractReport()
	r.Spec = markup
	r.Layers = []string{markup}
	r.Documented405[0].Route = markup
	r.Findings[0].SpecPath = markup
	var b strings.Builder
	if err := ContractMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	if bad := unsafeMarkdown(b.String()); bad != "" {
		t.Errorf("contract Markdown holds %q:\n%s", bad, b.String())
	}
	b.Reset()
	rep := &probe.Report{Schema: probe.Schema, Envs: []string{markup}, Results: []probe.Result{{Target: probe.Target{Env: markup, URL: "https://h/" + markup, Path: markup},
		Checks: []probe.Check{{Method: "GET", Status: 405, Allow: markup, Error: markup}}, Problems: []string{markup}, Notes: []string{markup}, Contract: []string{markup}}}}
	for _, envs := range [][]string{nil, {markup, "b"}} {
		rep.Envs = envs
		b.Reset()
		if err := ProbeMarkdown(&b, rep); err != nil {
			t.Fatal(err)
		}
		if bad := unsafeMarkdown(b.String()); bad != "" {
			t.Errorf("probe Markdown holds %q:\n%s", bad, b.String())
		}
	}
}

var _ = contract.Documented

// A verify request aimed at the placeholder HOST says why (issue 10 item 9).
func TestVerifyNoteShown(t *testing.T) {
	a := hostileAnalysis()
	a.Findings[0].VerifyRequest = &analysis.VerifyRequest{Method: "DELETE", URL: "https://HOST/a",
		Note: `the logged Host "api.example.com@evil.example" is not a host name, so the command is aimed at the placeholder HOST: replace it with the service's host`}
	var text, md strings.Builder
	Text(&text, a)
	Markdown(&md, a, Options{})
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		if !strings.Contains(out, "curl -i -X DELETE 'https://HOST/a'") || !strings.Contains(out, "is not a host name") || strings.Contains(out, "evil.example/") {
			t.Errorf("%s report:\n%s", name, out)
		}
	}
}
