package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Beyond the first 10,000 requests with a 405, requests of a shape already seen are counted, not
// kept (analysis/fold.go): the counts stay exact, --requests says where its list stops, and the
// text report says how many were folded.
func TestFoldedRequestsAreCounted(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	for i := 0; i < 12000; i++ {
		fmt.Fprintf(&b, `{"time":"2026-11-24T10:%02d:%02d.%03dZ","method":"DELETE","path":"/api/orders/%d","status":405,"request_id":"req-%d","client_ip":"10.0.%d.9"}`+"\n",
			i/600, i/10%60, i%10*100, i, i, i%7)
	}
	in := b.Bytes()
	r := lt(t, in, "analyze", "-o", "json", "--requests", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var a struct {
		Summary struct {
			Requests405 int64 `json:"requests_with_405"`
			Folded      int64 `json:"folded_requests"`
		} `json:"summary"`
		Findings []struct {
			Count int    `json:"count"`
			Route string `json:"route"`
		} `json:"findings"`
		Requests []json.RawMessage `json:"requests"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil {
		t.Fatal(err)
	}
	if a.Summary.Requests405 != 12000 || a.Summary.Folded != 2000 || len(a.Requests) != 10000 ||
		len(a.Findings) != 1 || a.Findings[0].Count != 12000 || a.Findings[0].Route != "/api/orders/{id}" {
		t.Fatalf("summary %+v, %d requests listed, findings %+v", a.Summary, len(a.Requests), a.Findings)
	}
	if !strings.Contains(r.stderr, "note: --requests lists the 10,000 requests with a 405 kept whole; 2,000 more were counted") {
		t.Errorf("stderr: %s", r.stderr)
	}
	txt := lt(t, []byte(r.stdout), "report", "-") // the text report of the same analysis
	if !strings.Contains(txt.stdout, "2,000 requests with a 405 beyond the first 10,000 were counted into an earlier request of the same shape") {
		t.Errorf("text report:\n%s", txt.stdout)
	}
}
