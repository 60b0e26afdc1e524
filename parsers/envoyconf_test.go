package parsers

import (
	"bufio"
	"os"
	"reflect"
	"testing"
)

func TestLoadEnvoyConfig(t *testing.T) {
	logs, err := LoadEnvoyConfig("testdata/envoy/envoy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []EnvoyAccessLog{
		{Path: "/var/log/envoy/admin.log", Text: EnvoyDefaultFormat},
		{Path: "/var/log/envoy/text.log", Text: "[%START_TIME%] %REQ(:METHOD)% %RESPONSE_CODE% %RESPONSE_CODE_DETAILS%\n"},
		{Path: "/var/log/envoy/access.json", JSON: map[string]string{"ts": "%START_TIME%", "status": "%RESPONSE_CODE%",
			"request.method": "%REQ(:METHOD)%", "request.path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%", "source": "envoy"}},
		{Path: "/dev/stdout", Text: EnvoyDefaultFormat},
		{Path: "/var/log/envoy/legacy.log", Text: "%START_TIME% %DURATION%\n"},
	}
	if !reflect.DeepEqual(logs, want) {
		t.Fatalf("logs:\n got %+v\nwant %+v", logs, want)
	}

	// By exact path, then by base name.
	p, ok, err := EnvoyParserFor(logs, "/var/log/envoy/text.log")
	if err != nil || !ok {
		t.Fatalf("text.log: ok=%v err=%v", ok, err)
	}
	var rec Record
	rec.Reset()
	if err := p.Parse([]byte("[2026-11-24T10:00:00.123Z] DELETE 405 direct_response"), &rec); err != nil || rec.Local != LocalYes {
		t.Fatalf("text.log line: err=%v local=%v", err, rec.Local)
	}
	p, ok, err = EnvoyParserFor(logs, "copied/access.json")
	if err != nil || !ok {
		t.Fatalf("access.json: ok=%v err=%v", ok, err)
	}
	rec.Reset()
	if err := p.Parse([]byte(`{"ts":"2026-11-24T10:00:00.123Z","status":"405","request":{"method":"DELETE","path":"/v1/items/7"},"source":"envoy"}`), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Method != "DELETE" || rec.Path != "/v1/items/7" || rec.Status != 405 || rec.Start.IsZero() {
		t.Errorf("access.json line: %+v", rec)
	}
	if _, ok, err := EnvoyParserFor(logs, "/var/log/nginx/access.log"); ok || err != nil {
		t.Errorf("unknown log: ok=%v err=%v", ok, err)
	}
	if _, err := LoadEnvoyConfig("testdata/envoy/missing.yaml"); err == nil {
		t.Error("missing file loaded")
	}
}

// TestEnvoySamples parses every sample with the parser its configuration names.
func TestEnvoySamples(t *testing.T) {
	logs, err := LoadEnvoyConfig("../samples/envoy/envoy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 || logs[0].Text != envoyCustomFormat {
		t.Fatalf("samples/envoy/envoy.yaml: %+v", logs)
	}
	custom, ok, err := EnvoyParserFor(logs, "../samples/envoy/custom.log")
	if !ok || err != nil {
		t.Fatalf("custom.log: ok=%v err=%v", ok, err)
	}
	for _, tc := range []struct {
		file string
		p    *EnvoyParser
	}{
		{"default.log", mustEnvoy(t, EnvoyDefaultFormat)},
		{"istio.log", mustEnvoy(t, EnvoyIstioFormat)},
		{"gateway.json", NewEnvoyJSON()},
		{"custom.log", custom},
	} {
		f, err := os.Open("../samples/envoy/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		s := bufio.NewScanner(f)
		n, n405 := 0, 0
		for s.Scan() {
			n++
			var rec Record
			rec.Reset()
			if err := tc.p.Parse(s.Bytes(), &rec); err != nil {
				t.Errorf("%s:%d: %v", tc.file, n, err)
				continue
			}
			if rec.Start.Year() != 2026 || rec.Start.Month() != 11 || rec.Start.Day() != 24 {
				t.Errorf("%s:%d: start %v", tc.file, n, rec.Start)
			}
			if rec.Status == 405 {
				n405++
			}
		}
		f.Close()
		if n == 0 || n405 == 0 {
			t.Errorf("%s: %d lines, %d with 405", tc.file, n, n405)
		}
	}
}
