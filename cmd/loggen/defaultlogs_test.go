package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDefaultLogsSampleIsCurrent regenerates samples/default-logs and compares every file.
func TestDefaultLogsSampleIsCurrent(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := writeDefaultLogs(dir, dlPlan{seed: 1, healthy: 6000, scale: 1, window: defaultLogsWindow}); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, p := range names {
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join("..", "..", "samples", "default-logs", filepath.Base(p)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("samples/default-logs/%s is not what go run ./cmd/loggen default-logs writes (err %v)", filepath.Base(p), err)
		}
	}
}

// TestDefaultLogsAnswerKeyKinds: every scenario is in the answer key, and bursts make group matches.
func TestDefaultLogsAnswerKeyKinds(t *testing.T) {
	exp, _, err := writeDefaultLogs(t.TempDir(), dlPlan{seed: 2, healthy: 3000, scale: 1, window: defaultLogsWindow})
	if err != nil {
		t.Fatal(err)
	}
	seen, joins := map[string]int{}, map[string]int{}
	for _, x := range exp {
		seen[x.Scenario]++
		joins[x.Join]++
		if x.Join == "unjoined" && x.AppSource != "" || x.EdgeSource == "" {
			t.Errorf("%+v: every request passes the edge; only edge-only ones are unjoined", x)
		}
	}
	for _, s := range dlScenarios {
		if seen[s.id] == 0 {
			t.Errorf("scenario %s has no request", s.id)
		}
	}
	if joins["group_match"] == 0 || joins["unique_match"] == 0 || joins["unjoined"] == 0 {
		t.Errorf("join kinds %v", joins)
	}
}
