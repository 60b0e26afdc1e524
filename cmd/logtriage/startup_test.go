package main

import (
	"strings"
	"testing"
)

// An application's JSON log whose first 20 lines are start-up lines (parsers/testdata/app) was
// refused, even with --format app, by an error about a configured format that was not given.
func TestAppStartupLines(t *testing.T) {
	for _, args := range [][]string{
		{"parse", "parsers/testdata/app/slog-startup.log"},
		{"parse", "--format", "app", "parsers/testdata/app/slog-startup.log"},
	} {
		r := lt(t, nil, args...)
		if r.code != exitOK || strings.Count(r.stdout, "\n") != 4 || strings.Count(r.stdout, `"status":405`) != 2 {
			t.Errorf("%v: exit %d: %s%s", args, r.code, r.stdout, r.stderr)
		}
		if detected := len(args) == 2; detected != strings.Contains(r.stderr, "its first 20 lines hold no request") {
			t.Errorf("%v: note: %s", args, r.stderr)
		}
	}
}
