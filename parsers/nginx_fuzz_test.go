package parsers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nginxFuzzFormats are the formats FuzzNginx parses every input with: the stock ones, the
// triage format with lists and ids, and a JSON format with unquoted variables.
var nginxFuzzFormats = []string{NginxCombined, NginxUpstreamInfo, nginxTriageFmt, nginxXFFFmt, nginxJSONFmt}

// FuzzNginx checks that no line makes a parser panic, and that a parsed record is sane.
func FuzzNginx(f *testing.F) {
	for _, tc := range nginxCases {
		f.Add([]byte(tc.line))
	}
	files, _ := filepath.Glob(filepath.Join("..", "samples", "nginx", "*.log"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			if l != "" {
				f.Add([]byte(l))
			}
		}
	}
	var parsers []*NginxParser
	for _, format := range nginxFuzzFormats {
		p, err := CompileNginx(format)
		if err != nil {
			f.Fatal(err)
		}
		parsers = append(parsers, p)
	}
	parsers = append(parsers, NewNginxJSON())
	f.Fuzz(func(t *testing.T, line []byte) {
		orig := string(line)
		for _, p := range parsers {
			var rec Record
			rec.Reset()
			if err := p.Parse(line, &rec); err != nil {
				if err.Error() == "" {
					t.Fatal("empty error text")
				}
				continue
			}
			if string(line) != orig {
				t.Fatalf("Parse modified the line")
			}
			if rec.Status < 0 || rec.Status > 999 {
				t.Fatalf("status %d", rec.Status)
			}
			// Every string is the line's own text or an unescaped (never longer) copy of a part of it.
			for _, s := range rec.stringFields() {
				if len(*s) > len(line) && s != &rec.Detail {
					t.Fatalf("field %q longer than the line", *s)
				}
			}
			if !strings.HasPrefix(rec.URI, rec.Path) && rec.URI != "" {
				t.Fatalf("path %q not a prefix of uri %q", rec.Path, rec.URI)
			}
			if strings.ContainsRune(rec.Method, ' ') {
				t.Fatalf("method %q", rec.Method)
			}
			for _, u := range rec.Upstream {
				if u < -1 || u > 999 {
					t.Fatalf("upstream status %d", u)
				}
			}
			if rec.Local == LocalNo && (len(rec.Upstream) == 0 || rec.LastUpstream() != rec.Status) {
				t.Fatalf("relayed without a matching upstream status: %v %d", rec.Upstream, rec.Status)
			}
			c := rec.Clone()
			if c.UserAgent != rec.UserAgent || c.Path != rec.Path {
				t.Fatal("clone differs")
			}
		}
	})
}

// nginxBench parses lines in a loop and reports throughput.
func nginxBench(b *testing.B, p *NginxParser, lines []string) {
	bl := make([][]byte, len(lines))
	total := 0
	for i, l := range lines {
		bl[i] = []byte(l)
		total += len(l)
	}
	var rec Record
	for _, l := range bl { // every line must parse, or the benchmark measures the error path
		rec.Reset()
		if err := p.Parse(l, &rec); err != nil {
			b.Fatalf("%v: %s", err, l)
		}
	}
	b.SetBytes(int64(total / len(bl)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec.Reset()
		_ = p.Parse(bl[i%len(bl)], &rec)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkNginxCombined(b *testing.B) {
	p, _ := CompileNginx(NginxCombined)
	nginxBench(b, p, nginxReadLines(b, filepath.Join("..", "samples", "nginx", "combined.log")))
}

func BenchmarkNginxCustom(b *testing.B) {
	conf, err := loadNginxConf(filepath.Join("..", "samples", "nginx", "nginx.conf"), emptyHost)
	if err != nil {
		b.Fatal(err)
	}
	format, _, _ := conf.FormatFor("custom.log")
	p, _ := CompileNginx(format)
	nginxBench(b, p, nginxReadLines(b, filepath.Join("..", "samples", "nginx", "custom.log")))
}

func BenchmarkNginxJSON(b *testing.B) {
	p, _ := CompileNginx(nginxJSONFmt)
	nginxBench(b, p, nginxReadLines(b, filepath.Join("..", "samples", "nginx", "json.log")))
}
