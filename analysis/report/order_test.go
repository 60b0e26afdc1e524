package report

import (
	"strings"
	"testing"

	"github.com/logtriage/logtriage/analysis"
)

// TestOrderText: the sentence about app logs without times names each input with how many of its
// records were placed by log order, and those beyond the held limit; none without such inputs.
func TestOrderText(t *testing.T) {
	if got := orderText(&analysis.Summary{}); got != "" {
		t.Errorf("no input without times: %q", got)
	}
	s := &analysis.Summary{ByLogOrder: []analysis.OrderPlaced{
		{Input: "uvicorn.log", Records: 1361, Placed: 1190},
		{Input: "morgan.log", Records: 250_000, Placed: 180_000, NotHeld: 50_000},
	}}
	got := orderText(s)
	for _, want := range []string{
		"Without times: uvicorn.log (1,190 of 1,361 records placed), morgan.log (180,000 of 250,000 records placed; 50,000 beyond the 200,000 held were not)",
		"(order_match)",
		"kubectl logs --timestamps",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in %q", want, got)
		}
	}
	var b strings.Builder
	if err := Text(&b, &analysis.Analysis{Summary: *s}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Without times: uvicorn.log") {
		t.Errorf("text report lacks the sentence:\n%s", b.String())
	}
}
