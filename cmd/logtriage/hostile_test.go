package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Hostile and careless inputs (issue 10): each case once crashed, leaked or lied.

// A line dated in 2300 (a 200, not even a 405) is rejected with its reason; analyze, trace and
// contract run on the rest instead of panicking with exit 2.
func TestYear2300LineIsRejectedNotACrash(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	lines := `10.0.0.12 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 4212 "-" "curl/8.5.0"
10.0.0.12 - - [24/Nov/2026:10:00:01 +0000] "POST /cart HTTP/1.1" 405 157 "-" "curl/8.5.0"
10.0.0.12 - - [24/Nov/2300:10:00:02 +0000] "GET / HTTP/1.1" 200 4212 "-" "curl/8.5.0"
`
	if err := os.WriteFile(log, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"analyze", log},
		{"trace", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", log},
		{"contract", "--openapi", "samples/openapi.yaml", log},
	} {
		r := lt(t, nil, args...)
		if r.code == exitFatal || strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine") {
			t.Errorf("%s: exit %d\n%s", args[0], r.code, r.stderr)
			continue
		}
		if out := r.stdout + r.stderr; args[0] == "analyze" && !strings.Contains(out, "outside the years 1677–2262") {
			t.Errorf("%s: exit %d, the rejection reason is not shown:\n%s", args[0], r.code, out)
		}
	}
}
