package main

import (
	"encoding/json"
	"testing"
)

// The tests that run a variant of the default-logs sample (its edge log written out of time
// order, its gin log an hour ahead) and compare it with the sample read what analyze -o json says
// of requests, findings and the notes on time.

type variantFinding struct {
	Origin string `json:"origin_layer"`
	Cause  string `json:"cause"`
	Method string `json:"method"`
	Route  string `json:"route"`
	Count  int    `json:"count"`
}

type variantRun struct {
	Summary struct {
		Requests    int `json:"requests"`
		Requests405 int `json:"requests_with_405"`
		OutOfOrder  []struct {
			Layer string `json:"layer"`
			MaxMS int64  `json:"max_ms"`
		} `json:"out_of_order"`
		ZoneHints []struct {
			Layer         string `json:"layer"`
			OffsetMinutes int    `json:"offset_minutes"`
			Flag          string `json:"flag"`
		} `json:"zone_hints"`
		ByLogOrder []struct {
			Input   string `json:"input"`
			Records int64  `json:"records"`
			Placed  int64  `json:"placed"`
		} `json:"by_log_order"`
		Joins struct {
			Order int `json:"order_match"`
		} `json:"joins"`
	} `json:"summary"`
	Findings []variantFinding `json:"findings"`
}

// analyzeVariant runs analyze -o json with args; the run must succeed.
func analyzeVariant(t *testing.T, args ...string) variantRun {
	t.Helper()
	r := lt(t, nil, append([]string{"analyze", "-o", "json"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var a variantRun
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// sameFindings reports each finding of got that differs from want's, by rank.
func sameFindings(t *testing.T, what string, got, want []variantFinding) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d findings, want %d", what, len(got), len(want))
		return
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: finding %d %+v, want %+v", what, i+1, got[i], want[i])
		}
	}
}
