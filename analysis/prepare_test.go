package analysis

import (
	"bytes"
	"strings"
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// Records prepared on their input's goroutine (Prepare) and records the engine derives the same
// values from itself give the same analysis, byte for byte.
func TestPrepareSameAnalysis(t *testing.T) {
	prepare := func(r *parsers.Record) bool { Prepare(r); return true }
	for _, s := range foldSamples {
		t.Run(s.name, func(t *testing.T) {
			var plain, prepared bytes.Buffer
			a := analyzeSample(t, s.nginxConf, s.envoyConf, Options{}, s.args...)
			b := analyzeSampleKeep(t, s.nginxConf, s.envoyConf, Options{}, prepare, s.args...)
			if err := a.WriteJSON(&plain, true); err != nil {
				t.Fatal(err)
			}
			if err := b.WriteJSON(&prepared, true); err != nil {
				t.Fatal(err)
			}
			if a.Summary.Requests405 == 0 || len(a.Findings) == 0 {
				t.Fatalf("%s: nothing found: %+v", s.name, a.Summary)
			}
			if !bytes.Equal(plain.Bytes(), prepared.Bytes()) {
				t.Errorf("prepared records analyse differently:\n%s", firstDiff(plain.String(), prepared.String()))
			}
		})
	}
}

// The hashes Prepare stores are the ones the engine would derive.
func TestPrepareWords(t *testing.T) {
	r := rec("edge", "nginx", 1, "POST", "/api/orders/42?x=1", 405, rid("abc"), amzn("1-67430a80-0123456789abcdef01234567"), ua("curl/8.5"))
	Prepare(r)
	// Two keys: the request id, and the Root's trace64 (which stands for its amzn: and trace:
	// keys, joinKeys).
	if !r.Aux.Set || int(r.Aux.N) != len(keyHashes(nil, &r.IDs)) || r.Aux.N != 2 {
		t.Fatalf("aux %+v", r.Aux)
	}
	for i, k := range keyHashes(nil, &r.IDs) {
		if r.Aux.Words[auxKeys+i] != k {
			t.Errorf("key %d: %x, want %x", i, r.Aux.Words[auxKeys+i], k)
		}
	}
	if r.Aux.Words[auxRoute] != routeHash("POST", "/api/orders/7") || routeHash("POST", "/api/orders/7") == routeHash("GET", "/api/orders/7") {
		t.Errorf("route hash does not follow method and route template")
	}
	if r.Aux.Words[auxAgent] != agentHash("curl/8.5") || agentHash("") != 0 {
		t.Errorf("agent hash")
	}
	if routeID(0, 1) == routeID(1, 1) || agentID(0, 1) == agentID(1, 1) {
		t.Errorf("layers share baselines")
	}
}

// firstDiff shows where two texts start to differ.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-200)
	return a[lo:min(len(a), i+200)] + "\n---\n" + b[lo:min(len(b), i+200)]
}

// What Prepare finds in Detail and UpstreamAddr is what the engine would find there itself.
func FuzzPrepareSpans(f *testing.F) {
	for _, s := range [][2]string{
		{"version=2.8.0 env=prod", "10.0.1.7:8080, 10.0.1.8:8080 : 10.0.2.1:80"},
		{`- via_upstream env="staging",x version=1`, " 10.0.3.11:8080 "},
		{"xversion=1 env=", ""}, {"", "-"}, {"version=", "a, b"},
	} {
		f.Add(s[0], s[1])
	}
	f.Add(strings.Repeat("x", 70_000)+" version=9 env=dev", "10.0.0.1:80") // too long for 16-bit spans
	f.Fuzz(func(t *testing.T, detail, addr string) {
		r := &parsers.Record{Detail: detail, UpstreamAddr: addr}
		Prepare(r)
		// Prepared records are copied (Batch.Keep): the spans hold for a copy of the strings.
		r.Detail, r.UpstreamAddr = strings.Clone(detail), strings.Clone(addr)
		if got, want := recVersion(r), version(detail); got != want {
			t.Errorf("version %q, want %q", got, want)
		}
		if got, want := recEnv(r), detailField(detail, "env="); got != want {
			t.Errorf("env %q, want %q", got, want)
		}
		if got, want := recLastAddr(r), lastAddr(addr); got != want {
			t.Errorf("last address %q, want %q", got, want)
		}
	})
}
