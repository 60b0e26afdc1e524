package main

import (
	"encoding/json"
	"testing"
)

// TestInputTimeResolution: each input of the analysis says how finely its records are timed,
// read from the records (the incident's nginx log writes $time_local, its ALB log microseconds,
// Envoy START_TIME milliseconds, the app RFC 3339 with nanoseconds); the join summary's sentence
// about clock offsets depends on it (analysis/report/joins.go).
func TestInputTimeResolution(t *testing.T) {
	r := ltShared(t, append([]string{"analyze", "-q", "-o", "json"}, incidentArgs...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var doc struct {
		Summary struct {
			Inputs []struct {
				Layer          string `json:"layer"`
				TimeResolution string `json:"time_resolution"`
			} `json:"inputs"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"alb": "microsecond", "edge": "second", "ingress": "millisecond", "app": "nanosecond"}
	for _, in := range doc.Summary.Inputs {
		if in.TimeResolution != want[in.Layer] {
			t.Errorf("%s: time_resolution %q, want %q", in.Layer, in.TimeResolution, want[in.Layer])
		}
		delete(want, in.Layer)
	}
	if len(want) > 0 {
		t.Errorf("no input of %v", want)
	}
}
