package report

import (
	"strings"
	"testing"

	"github.com/logtriage/logtriage/analysis"
)

// TestOutOfOrderSentence: a layer whose log is out of time order is named in the text and
// Markdown reports with how many of its records came late and by how much; a record more than
// 5 minutes late (longer than the engine waits) adds the advice to sort that log first.
func TestOutOfOrderSentence(t *testing.T) {
	a := hostileAnalysis()
	a.Summary.OutOfOrder = []analysis.LateLayer{{Layer: "edge", Records: 2932, MaxMS: 29_400}}
	var text, md strings.Builder
	if err := Text(&text, a); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, a, Options{}); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		if !strings.Contains(out, "edge (2,932 records up to 29s behind the newest record)") || strings.Contains(out, "sort that log") {
			t.Errorf("%s: no or wrong out-of-order sentence:\n%s", name, out)
		}
	}
	a.Summary.OutOfOrder = append(a.Summary.OutOfOrder, analysis.LateLayer{Layer: "alb", Records: 1, MaxMS: 579_000})
	text.Reset()
	if err := Text(&text, a); err != nil {
		t.Fatal(err)
	}
	if out := text.String(); !strings.Contains(out, "alb (1 record up to 9m39s behind") || !strings.Contains(out, "sort that log by time first") {
		t.Errorf("a record 9m39s late: %s", out)
	}
	a.Summary.OutOfOrder = nil
	text.Reset()
	if err := Text(&text, a); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), "time order") {
		t.Errorf("logs in time order: %s", text.String())
	}
}
