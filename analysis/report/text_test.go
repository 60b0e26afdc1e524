package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

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
	for _, want := range []string{"123,456 requests, 3,000 with a 405", "… and 10 more findings (1,000 requests)", "10. POST /r9"} {
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
