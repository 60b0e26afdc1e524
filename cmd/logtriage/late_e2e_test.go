package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// TestBufferedEdgeLog: the default-logs sample's nginx log as nginx writes it with
// `access_log … buffer=64k flush=1m` and two workers (each worker's lines at its own flush, the
// second's half a minute after the first's: lines up to ~30 s late), in front of the apps' logs
// in time order. Before, the late edge records missed the apps' and each app 405 was counted
// twice (21 findings, 9 of them false proxy_method_block at the edge; 8,422 requests). Now the
// run gives the sample's requests and findings, and names the late layer.
func TestBufferedEdgeLog(t *testing.T) {
	raw, err := os.ReadFile("samples/default-logs/edge.log")
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		flush time.Time
		n     int
		text  []byte
	}
	var lines []line
	for i, l := range bytes.SplitAfter(raw, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		open := bytes.IndexByte(l, '[')
		ts, err := time.Parse("02/Jan/2006:15:04:05 -0700", string(l[open+1:open+27]))
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		off := time.Duration(i%2) * 30 * time.Second // worker i%2
		lines = append(lines, line{ts.Add(off).Truncate(time.Minute).Add(time.Minute - off), i, l})
	}
	sort.SliceStable(lines, func(a, b int) bool { return lines[a].flush.Before(lines[b].flush) })
	var buf bytes.Buffer
	for _, l := range lines {
		buf.Write(l.text)
	}
	edge := filepath.Join(t.TempDir(), "edge.log")
	if err := os.WriteFile(edge, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	want := analyzeVariant(t, defaultLogsArgs...)
	got := analyzeVariant(t, append([]string{"edge=" + edge}, defaultLogsArgs[1:]...)...)
	if got.Summary.Requests != want.Summary.Requests || got.Summary.Requests405 != want.Summary.Requests405 {
		t.Errorf("buffered edge log: %d requests, %d with a 405; in order %d, %d", got.Summary.Requests,
			got.Summary.Requests405, want.Summary.Requests, want.Summary.Requests405)
	}
	sameFindings(t, "buffered edge log", got.Findings, want.Findings)
	if oo := got.Summary.OutOfOrder; len(oo) != 1 || oo[0].Layer != "edge" || oo[0].MaxMS < 20_000 || oo[0].MaxMS > 60_000 {
		t.Errorf("out_of_order %+v, want the edge, 20-60 s", oo)
	}
	if len(want.Summary.OutOfOrder) != 0 {
		t.Errorf("the sample in order: out_of_order %+v", want.Summary.OutOfOrder)
	}
}
