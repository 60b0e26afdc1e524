//go:build linux

package parsers

// Benchmarks of the line parsers on the four-hop bench of issue 14 (ALB, nginx with a custom
// log_format from nginx.conf, Envoy with the format of envoy.yaml, slog-style JSON app log), each
// parser chosen the way analyze chooses it: Config.OpenInput with the same configuration files.
// They read the first benchMHLines lines of each file into memory once and report ns/line and
// allocs per line. The bench files are not in the repository: the benchmarks skip without them
// (LOGTRIAGE_BENCH_MH names another directory holding them).
//
//	go test -run '^$' -bench 'ParseMH' -benchmem -count 5 ./parsers

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

const benchMHLines = 200_000

// benchMHDir is where the four-hop bench files are.
func benchMHDir() string {
	if d := os.Getenv("LOGTRIAGE_BENCH_MH"); d != "" {
		return d
	}
	return "/tmp/bench/mh"
}

var benchMHConfig = sync.OnceValues(func() (*Config, error) {
	dir := benchMHDir()
	conf, err := LoadNginxConf(filepath.Join(dir, "nginx.conf"))
	if err != nil {
		return nil, err
	}
	logs, err := LoadEnvoyConfig(filepath.Join(dir, "envoy.yaml"))
	if err != nil {
		return nil, err
	}
	return &Config{NginxConf: conf, EnvoyLogs: logs}, nil
})

// benchMHInput opens one bench file as analyze does and returns its parser and first lines.
func benchMHInput(tb testing.TB, layer, file, wantFormat string) (Parser, [][]byte) {
	tb.Helper()
	path := filepath.Join(benchMHDir(), file)
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("bench file %s: %v", path, err)
	}
	cfg, err := benchMHConfig()
	if err != nil {
		tb.Fatal(err)
	}
	o, err := cfg.OpenInput(Input{Name: path, Layer: layer, Path: path})
	if err != nil {
		tb.Fatal(err)
	}
	defer o.closer.Close()
	if o.Resolved.Format != wantFormat {
		tb.Fatalf("%s read as %s (%s), want %s", file, o.Resolved.Format, o.Resolved.Variant, wantFormat)
	}
	sc := bufio.NewScanner(o.r)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	var lines [][]byte
	for len(lines) < benchMHLines && sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return o.Resolved.NewParser(), lines
}

func benchMH(b *testing.B, layer, file, format string) {
	p, lines := benchMHInput(b, layer, file, format)
	var rec Record
	// Every line must parse: a benchmark of the rejection path would measure the wrong thing.
	for i, l := range lines {
		rec.Reset()
		if err := p.Parse(l, &rec); err != nil {
			b.Fatalf("%s:%d: %v", file, i+1, err)
		}
	}
	size := 0
	for _, l := range lines {
		size += len(l) + 1
	}
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	// The thread's CPU time as well as the wall time: on a shared machine ns/op also counts the
	// time other processes hold the core.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	c0 := threadCPU()
	for i := 0; i < b.N; i++ {
		rec.Reset()
		_ = p.Parse(lines[i%len(lines)], &rec)
	}
	cpu := threadCPU() - c0
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/line")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/line")
}

// threadCPU is the CPU time of the calling thread (user and system).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkParseMHALB(b *testing.B)     { benchMH(b, "alb", "alb.log.gz", FormatALB) }
func BenchmarkParseMHNginx(b *testing.B)   { benchMH(b, "edge", "edge.log", FormatNginx) }
func BenchmarkParseMHEnvoy(b *testing.B)   { benchMH(b, "ingress", "ingress.log", FormatEnvoy) }
func BenchmarkParseMHAppJSON(b *testing.B) { benchMH(b, "app", "app.json", FormatApp) }

// TestParseMHCPU (LOGTRIAGE_CPU=1) prints each bench parser's thread CPU time per line over the
// first benchMHLines lines, best of LOGTRIAGE_ROUNDS rounds (default 9): the best round is the
// one least disturbed by the other processes of a shared machine.
func TestParseMHCPU(t *testing.T) {
	if os.Getenv("LOGTRIAGE_CPU") == "" {
		t.Skip("set LOGTRIAGE_CPU=1")
	}
	rounds := 9
	if n, err := strconv.Atoi(os.Getenv("LOGTRIAGE_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	for _, c := range []struct{ layer, file, format string }{
		{"alb", "alb.log.gz", FormatALB}, {"edge", "edge.log", FormatNginx},
		{"ingress", "ingress.log", FormatEnvoy}, {"app", "app.json", FormatApp},
	} {
		p, lines := benchMHInput(t, c.layer, c.file, c.format)
		runtime.LockOSThread()
		best := time.Duration(math.MaxInt64)
		var rec Record
		for r := 0; r < rounds; r++ {
			c0 := threadCPU()
			for _, l := range lines {
				rec.Reset()
				_ = p.Parse(l, &rec)
			}
			best = min(best, threadCPU()-c0)
		}
		runtime.UnlockOSThread()
		t.Logf("%-8s %7.1f CPU ns/line (best of %d rounds of %d lines)", c.format, float64(best.Nanoseconds())/float64(len(lines)), rounds, len(lines))
	}
}
