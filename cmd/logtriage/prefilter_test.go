package main

import (
	"strings"
	"testing"
)

// TestParseStatusPrefilter: --status parses only the lines that can hold the status, with the
// same records as reading every line (--strict parses every line); the summary says how many
// lines were ruled out unparsed.
func TestParseStatusPrefilter(t *testing.T) {
	args := []string{"--status", "405,501", "--nginx-conf", "samples/incidents/nginx.conf", "--envoy-config", "samples/incidents/envoy.yaml",
		"samples/nginx/combined.log", "samples/incidents/edge.log", "samples/incidents/ingress.log", "samples/incidents/app.json", "samples/incidents/alb.log.gz"}
	fast := lt(t, nil, append([]string{"parse"}, args...)...)
	full := lt(t, nil, append([]string{"parse", "--strict"}, args...)...)
	if fast.code != 0 || full.code != 0 {
		t.Fatalf("exit %d, %d: %s %s", fast.code, full.code, fast.stderr, full.stderr)
	}
	if fast.stdout != full.stdout || fast.stdout == "" {
		t.Fatalf("records differ: %d bytes with the pre-filter, %d without", len(fast.stdout), len(full.stdout))
	}
	if !strings.Contains(fast.stderr, "FILTERED") || strings.Contains(full.stderr, "FILTERED") {
		t.Errorf("FILTERED column: with pre-filter %q, --strict %q", fast.stderr, full.stderr)
	}
}
