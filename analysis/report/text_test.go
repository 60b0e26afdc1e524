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
