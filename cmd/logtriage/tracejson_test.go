package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestTraceJSONLocal: trace -o json writes each hop's "local" as parse does, a boolean (null
// when the format does not tell), not the strings "true"/"false"/"unknown" it wrote under
// logtriage.analysis/v1; every hop's value is the one parse gives the same record.
func TestTraceJSONLocal(t *testing.T) {
	var e expectation
	for _, x := range loadExpected(t) {
		if x.Scenario == "i" { // masked: the hops disagree, some relayed, one answered
			e = x
			break
		}
	}
	r := lt(t, nil, append([]string{"trace", "-o", "json", e.AmznRoot}, incidentArgs...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var reqs []struct {
		Hops []struct {
			Source string          `json:"source"`
			Local  json.RawMessage `json:"local"`
		} `json:"hops"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &reqs); err != nil || len(reqs) != 1 {
		t.Fatalf("%v, %d requests:\n%s", err, len(reqs), r.stdout)
	}
	parsed := map[string]string{} // source → parse's "local"
	p := ltShared(t, append([]string{"parse", "-q"}, incidentArgs...)...)
	for _, line := range strings.Split(strings.TrimSpace(p.stdout), "\n") {
		var rec struct {
			Source string          `json:"source"`
			Local  json.RawMessage `json:"local"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("parse: %v: %s", err, line)
		}
		parsed[rec.Source] = string(rec.Local)
	}
	kinds := map[string]bool{}
	for _, h := range reqs[0].Hops {
		got := string(h.Local)
		if got != "true" && got != "false" && got != "null" {
			t.Errorf("%s: local is %s, want true, false or null", h.Source, got)
		}
		if want, ok := parsed[h.Source]; !ok || got != want {
			t.Errorf("%s: trace says local %s, parse %s", h.Source, got, want)
		}
		kinds[got] = true
	}
	if !kinds["true"] || !kinds["false"] {
		t.Errorf("the masked request's hops should hold both a local and a relayed one: %s", r.stdout)
	}
}

// TestReportReadsV1: a saved logtriage.analysis/v1 document (hops' "local" as strings) still
// renders, exactly as the same analysis saved as v2; written again as JSON it is a v2 document.
func TestReportReadsV1(t *testing.T) {
	js := ltShared(t, append([]string{"analyze", "-q", "-o", "json"}, incidentArgs...)...)
	if js.code != 0 || !strings.Contains(js.stdout, `"schema": "logtriage.analysis/v2"`) || !strings.Contains(js.stdout, `"local": false`) {
		t.Fatalf("exit %d, stdout starts %.200s", js.code, js.stdout)
	}
	v1 := strings.Replace(js.stdout, `"schema": "logtriage.analysis/v2"`, `"schema": "logtriage.analysis/v1"`, 1)
	for _, b := range []string{"true", "false"} {
		v1 = strings.ReplaceAll(v1, `"local": `+b+`,`, `"local": "`+b+`",`)
	}
	v1 = strings.ReplaceAll(v1, `"local": null,`, `"local": "unknown",`)
	if !strings.Contains(v1, `"local": "true"`) {
		t.Fatal("no hop's local was rewritten as v1 wrote it")
	}
	want := lt(t, []byte(js.stdout), "report", "-")
	got := lt(t, []byte(v1), "report", "-")
	if got.code != 0 || got.stdout != want.stdout {
		t.Errorf("v1: exit %d, stderr %q; the text report differs from v2's: %v", got.code, got.stderr, got.stdout != want.stdout)
	}
	again := lt(t, []byte(v1), "report", "-o", "json", "-")
	if again.code != 0 || !bytes.Equal([]byte(again.stdout), []byte(lt(t, []byte(js.stdout), "report", "-o", "json", "-").stdout)) {
		t.Errorf("v1 written again as JSON: exit %d, not the v2 document", again.code)
	}
}
