package parsers

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// envoySeedLines returns every line of parsers/testdata/envoy and samples/envoy.
func envoySeedLines(tb testing.TB) [][]byte {
	var lines [][]byte
	files, _ := filepath.Glob("testdata/envoy/*.log")
	more, _ := filepath.Glob("testdata/envoy/*.json")
	samples, _ := filepath.Glob("../samples/envoy/*.log")
	for _, name := range append(append(files, more...), samples...) {
		f, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		s := bufio.NewScanner(f)
		for s.Scan() {
			lines = append(lines, append([]byte(nil), s.Bytes()...))
		}
		f.Close()
	}
	if len(lines) == 0 {
		tb.Fatal("no seed lines")
	}
	return lines
}

func FuzzEnvoy(f *testing.F) {
	for _, l := range envoySeedLines(f) {
		f.Add(l)
	}
	def := mustEnvoy(f, EnvoyDefaultFormat)
	istio := mustEnvoy(f, EnvoyIstioFormat)
	custom := mustEnvoy(f, envoyCustomFormat)
	js := NewEnvoyJSON()
	f.Fuzz(func(t *testing.T, line []byte) {
		orig := string(line)
		for _, p := range []*EnvoyParser{def, istio, custom, js} {
			var rec Record
			rec.Reset()
			if err := p.Parse(line, &rec); err != nil {
				if err.Error() == "" {
					t.Fatal("empty error")
				}
				continue
			}
			if string(line) != orig {
				t.Fatal("Parse modified the line")
			}
			if rec.Status < 0 || rec.Status > 999 {
				t.Fatalf("status %d", rec.Status)
			}
			if rec.Duration < -1 {
				t.Fatalf("duration %v", rec.Duration)
			}
			if !rec.Start.IsZero() && rec.Time.Before(rec.Start) {
				t.Fatalf("time %v before start %v", rec.Time, rec.Start)
			}
			if (rec.Local == LocalNo) != (len(rec.Upstream) > 0) && rec.Status > 0 {
				t.Fatalf("local %v with upstream %v", rec.Local, rec.Upstream)
			}
			_ = rec.Clone()
		}
	})
}

func benchEnvoy(b *testing.B, p *EnvoyParser, lines [][]byte) {
	var n int64
	for _, l := range lines {
		n += int64(len(l))
	}
	b.SetBytes(n / int64(len(lines)))
	b.ReportAllocs()
	var rec Record
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		rec.Reset()
		if err := p.Parse(lines[i%len(lines)], &rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "lines/s")
}

func envoyBenchLines(b *testing.B, name string) [][]byte {
	f, err := os.Open(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var lines [][]byte
	s := bufio.NewScanner(f)
	for s.Scan() {
		lines = append(lines, append([]byte(nil), s.Bytes()...))
	}
	return lines
}

func BenchmarkEnvoyDefault(b *testing.B) {
	benchEnvoy(b, mustEnvoy(b, EnvoyDefaultFormat), envoyBenchLines(b, "testdata/envoy/default.log"))
}

func BenchmarkEnvoyIstio(b *testing.B) {
	benchEnvoy(b, mustEnvoy(b, EnvoyIstioFormat), envoyBenchLines(b, "testdata/envoy/istio.log"))
}

func BenchmarkEnvoyJSON(b *testing.B) {
	benchEnvoy(b, NewEnvoyJSON(), envoyBenchLines(b, "testdata/envoy/gateway.json"))
}
