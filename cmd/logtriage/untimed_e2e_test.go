package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUntimedAppLogJoinsByOrder: uvicorn's access lines as it writes them to a file or to
// `kubectl logs` without --timestamps carry no time. The real capture's fastapi.log is the same
// lines wrapped by containerd (a time per line); unwrapped, its records are paired with nginx's by
// log order (analysis/untimed.go), so analyze must find what it finds with the times: the same
// requests, 405s and findings, not each fastapi 405 a second time at the edge. Kubelet probes,
// which reach the app without passing nginx, are mixed in: they must stay on their own without
// pulling the pairing off course.
func TestUntimedAppLogJoinsByOrder(t *testing.T) {
	dir := "samples/default-logs-real/"
	raw, err := os.ReadFile(dir + "fastapi.log")
	if err != nil {
		t.Fatal(err)
	}
	var bare, probed bytes.Buffer
	probes := 0
	for i, l := range bytes.SplitAfter(raw, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		_, rest, ok := bytes.Cut(l, []byte(" stdout F "))
		if !ok {
			t.Fatalf("fastapi.log:%d is not a CRI line: %q", i+1, l)
		}
		bare.Write(rest)
		probed.Write(rest)
		if i%7 == 6 {
			probes++
			fmt.Fprintf(&probed, "INFO:     10.0.0.9:%d - \"GET /healthz HTTP/1.1\" 200 OK\n", 40000+i)
		}
	}
	tmp := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	args := func(fastapi string) []string {
		return []string{"edge=" + dir + "edge.log", "flask=" + dir + "flask-1.log", "flask=" + dir + "flask-2.log",
			"fastapi=" + fastapi, "gin=" + dir + "gin.log"}
	}
	want := analyzeVariant(t, args(dir+"fastapi.log")...)
	for _, c := range []struct {
		name   string
		log    []byte
		extra  int
		placed int
	}{
		{"bare", bare.Bytes(), 0, 1190},
		{"with probes", probed.Bytes(), probes, 1190},
	} {
		got := analyzeVariant(t, args(write(c.name+".log", c.log))...)
		if got.Summary.Requests != want.Summary.Requests+c.extra || got.Summary.Requests405 != want.Summary.Requests405 {
			t.Errorf("%s: %d requests, %d with a 405; with times %d (+%d probes), %d", c.name, got.Summary.Requests,
				got.Summary.Requests405, want.Summary.Requests, c.extra, want.Summary.Requests405)
		}
		sameFindings(t, c.name, got.Findings, want.Findings)
		if o := got.Summary.ByLogOrder; len(o) != 1 || o[0].Placed != int64(c.placed) || o[0].Records != int64(c.placed+c.extra) {
			t.Errorf("%s: by_log_order %+v, want %d of %d placed", c.name, o, c.placed, c.placed+c.extra)
		}
		if got.Summary.Joins.Order < 40 {
			t.Errorf("%s: joins %+v, want the fastapi 405s (41) by log order", c.name, got.Summary.Joins)
		}
	}
}

// TestUntimedSampleAnswerKey: samples/untimed is a real nginx in front of Express with morgan's
// dev lines, which have no time (samples/untimed/README.md). Every 405 of the answer key must be
// found once, at its origin, with its cause, and every one Express answered joined to nginx's
// record by log order (before the pairing by order, each was counted again at the edge as the
// edge's own).
func TestUntimedSampleAnswerKey(t *testing.T) {
	dir := "samples/untimed/"
	args := []string{"edge=" + dir + "edge.log", "express=" + dir + "express.log"}
	checkCaptureKey(t, dir+"expected.json", 5, args...)
	key := readCaptureKey(t, dir+"expected.json")
	atApp := 0
	for _, k := range key {
		if k.Origin == "express" {
			atApp++
		}
	}
	got := analyzeVariant(t, args...)
	if got.Summary.Requests405 != len(key) || got.Summary.Joins.Order != atApp {
		t.Errorf("%d requests with a 405, %d joined by log order; the key has %d, %d of them answered by express",
			got.Summary.Requests405, got.Summary.Joins.Order, len(key), atApp)
	}
}

// TestProxyChainAnswerKey: samples/proxy-chain is a real nginx in front of a real HAProxy in front
// of Express, with no ids (samples/proxy-chain/README.md). The two proxies are of one rank, so
// their order comes from the requests both logged (analysis/twins.go): nginx in front. Every 405
// of the answer key must then be found once, at its origin (HAProxy's denials at lb, not again at
// the edge), with its cause.
func TestProxyChainAnswerKey(t *testing.T) {
	dir := "samples/proxy-chain/"
	args := []string{"edge=" + dir + "edge.log", "lb=" + dir + "haproxy.log", "express=" + dir + "express.log"}
	checkCaptureKey(t, dir+"expected.json", 5, args...)
	r := lt(t, nil, append([]string{"analyze", "-o", "json"}, args...)...)
	var got struct {
		Order  string `json:"layer_order"`
		Layers []struct {
			Name string `json:"name"`
		} `json:"layers"`
		Summary struct {
			Requests405 int `json:"requests_with_405"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range got.Layers {
		names = append(names, l.Name)
	}
	if fmt.Sprint(names) != "[edge lb express]" || !strings.Contains(got.Order, "edge in front of lb") {
		t.Errorf("layers %v, order %q: want edge in front of lb, by the requests both logged", names, got.Order)
	}
	if key := readCaptureKey(t, dir+"expected.json"); got.Summary.Requests405 != len(key) {
		t.Errorf("%d requests with a 405, the key has %d", got.Summary.Requests405, len(key))
	}
}
