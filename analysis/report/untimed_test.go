package report

import (
	"strings"
	"testing"
	"time"
)

// TestTextFindingWithoutTime: a finding whose records have no time (morgan's dev lines, uvicorn's
// bare output; captured behind Apache httpd 2.4.71 with Express 5.3 and morgan 1.12 'dev') said
// "28 requests, 0001-01-01 00:00:00Z"; it says that no time was logged.
func TestTextFindingWithoutTime(t *testing.T) {
	a := hostileAnalysis()
	f := &a.Findings[0]
	f.Route, f.Method, f.Count = "/billing/invoices/{id}", "POST", 28
	f.FirstSeen, f.LastSeen = time.Time{}, time.Time{}
	var b strings.Builder
	if err := Text(&b, a); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "0001-01-01") || !strings.Contains(out, "28 requests, no time logged\n") {
		t.Errorf("untimed finding:\n%s", out)
	}
}
