package parsers

// Benchmarks of reading and merging as analyze does it (Config.Merge over the four-hop bench of
// issue 14, with the configuration files analyze is given), without the engine: fn only counts.
// They report the CPU time (user+sys, from getrusage) per record besides wall time, as the
// machine they run on is shared. The bench files are not in the repository: the benchmarks skip
// without them (LOGTRIAGE_BENCH_MH names another directory holding them).
//
//	go test -run '^$' -bench 'MergeMH' -benchtime 3x ./parsers

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the user+sys time of the process so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// mergeMHDir is where the four-hop bench files are.
func mergeMHDir() string {
	if d := os.Getenv("LOGTRIAGE_BENCH_MH"); d != "" {
		return d
	}
	return "/tmp/bench/mh"
}

// mergeMHInputs returns the bench's inputs as analyze names them, and the configuration analyze
// reads from its nginx.conf and envoy.yaml.
func mergeMHInputs(tb testing.TB) ([]Input, *Config) {
	dir := mergeMHDir()
	var ins []Input
	for _, f := range [][2]string{{"alb", "alb.log.gz"}, {"edge", "edge.log"}, {"ingress", "ingress.log"}, {"app", "app.json"}} {
		p := filepath.Join(dir, f[1])
		if _, err := os.Stat(p); err != nil {
			tb.Skipf("bench file %s: %v", p, err)
		}
		ins = append(ins, Input{Name: p, Layer: f[0], Path: p})
	}
	conf, err := LoadNginxConf(filepath.Join(dir, "nginx.conf"))
	if err != nil {
		tb.Fatal(err)
	}
	logs, err := LoadEnvoyConfig(filepath.Join(dir, "envoy.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	return ins, &Config{NginxConf: conf, EnvoyLogs: logs}
}

// BenchmarkMergeMH merges the four inputs, every record kept (analyze keeps every record
// without --since/--until).
func BenchmarkMergeMH(b *testing.B) {
	ins, cfg := mergeMHInputs(b)
	var n int64
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cfg.Merge(ins, 0, func(*Record) bool { return true }, func(*Record) { n++ })
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(n), "cpu-ns/record")
	b.ReportMetric(float64(n)/float64(b.N), "records/op")
}

// BenchmarkGunzipMH decompresses the bench's alb.log.gz as Input.Open does.
func BenchmarkGunzipMH(b *testing.B) {
	ins, _ := mergeMHInputs(b)
	in := ins[0]
	cpu0 := cpuTime(b)
	var n int64
	for i := 0; i < b.N; i++ {
		rc, err := in.Open()
		if err != nil {
			b.Fatal(err)
		}
		m, err := io.Copy(io.Discard, rc)
		if err != nil {
			b.Fatal(err)
		}
		rc.Close()
		n += m
	}
	b.StopTimer()
	b.SetBytes(n / int64(b.N))
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// nopParser accepts every line without reading it.
type nopParser struct{}

func (nopParser) Parse([]byte, *Record) error { return nil }

// BenchmarkReadMH reads the four bench files as Merge does (blocks of mergeChunk, one worker,
// blocks held), with a parser that does nothing: the cost of reading, decompressing and cutting
// lines alone. The batches go back to the reader as the merge gives them back.
func BenchmarkReadMH(b *testing.B) {
	ins, cfg := mergeMHInputs(b)
	var n, size int64
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, in := range ins {
			o, err := cfg.OpenInput(in)
			if err != nil {
				b.Fatal(err)
			}
			o.Resolved.NewParser = func() Parser { return nopParser{} }
			free := make(chan *Batch, 4)
			st := o.scan(ScanConfig{ChunkSize: mergeChunk, Workers: 1, HoldBlocks: true, Free: free,
				Work:    func(rec *Record, b *Batch) { b.Keep(rec) },
				Deliver: func(b *Batch) { free <- b }})
			n += st.Read
			if fi, err := os.Stat(in.Path); err == nil {
				size += fi.Size()
			}
		}
	}
	b.StopTimer()
	b.SetBytes(size / int64(b.N))
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(n), "cpu-ns/line")
}
