package parsers

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// prefilterStatuses are the status lists the equivalence tests try.
var prefilterStatuses = [][]int{{405}, {405, 501}, {200}, {404, 502, 503}, {204}}

// scanBoth reads data twice with the same parser, once parsing every line and once through
// f's Prefilter, and returns the JSON of the records f selects each time, with both Stats.
func scanBoth(t testing.TB, res *Resolved, f *Filter, data []byte, chunk, workers int) (full, pre string, sf, sp Stats, active bool) {
	t.Helper()
	fulls, pres, sf, sps, actives := scanEach(t, res, []*Filter{f}, data, chunk, workers)
	return fulls[0], pres[0], sf, sps[0], actives[0]
}

// scanEach is scanBoth for several filters: the read that parses every line is done once, and
// the records each filter selects from it are set apart (fulls[i] for filters[i]); then one
// read through each filter's Prefilter (pres[i], sps[i]; actives[i] when it has one).
func scanEach(t testing.TB, res *Resolved, filters []*Filter, data []byte, chunk, workers int) (fulls, pres []string, sf Stats, sps []Stats, actives []bool) {
	t.Helper()
	if len(filters) > 64 {
		t.Fatalf("%d filters", len(filters))
	}
	if res.Sequential {
		workers = 1
	}
	cfg := ScanConfig{NewParser: res.NewParser, Format: res.Format, Layer: "l", ChunkSize: chunk, Workers: workers}
	// The full read: each record's JSON line after the filters that select it, as a bit mask
	// of 8 bytes.
	outs := make([]bytes.Buffer, len(filters))
	full := cfg
	full.Work = func(rec *Record, b *Batch) {
		var mask uint64
		for i, f := range filters {
			if f.Match(rec) {
				mask |= 1 << i
			}
		}
		if mask != 0 {
			b.Out = binary.LittleEndian.AppendUint64(b.Out, mask)
			b.Out = rec.AppendJSON(b.Out)
			b.Out = append(b.Out, '\n')
		}
	}
	full.Deliver = func(b *Batch) {
		for rest := b.Out; len(rest) > 0; {
			mask := binary.LittleEndian.Uint64(rest)
			line, after, _ := bytes.Cut(rest[8:], []byte{'\n'})
			for i := range filters {
				if mask&(1<<i) != 0 {
					outs[i].Write(line)
					outs[i].WriteByte('\n')
				}
			}
			rest = after
		}
	}
	sf = Scan("in.log", bytes.NewReader(data), full)
	for i, f := range filters {
		fulls = append(fulls, outs[i].String())
		var out bytes.Buffer
		pre := cfg
		pre.Prefilter = f.Prefilter(res)
		pre.Work = func(rec *Record, b *Batch) {
			if f.Match(rec) {
				b.Out = rec.AppendJSON(b.Out)
				b.Out = append(b.Out, '\n')
			}
		}
		pre.Deliver = func(b *Batch) { out.Write(b.Out) }
		sps = append(sps, Scan("in.log", bytes.NewReader(data), pre))
		pres = append(pres, out.String())
		actives = append(actives, pre.Prefilter != nil)
	}
	return fulls, pres, sf, sps, actives
}

// checkSame fails unless the prefiltered read selected exactly the records of the full one, and
// its counts add up.
func checkSame(t testing.TB, what string, full, pre string, sf, sp Stats) {
	t.Helper()
	if full != pre {
		t.Fatalf("%s: prefiltered records differ\nfull:\n%s\nprefiltered:\n%s", what, full, pre)
	}
	if sf.Read != sp.Read {
		t.Fatalf("%s: lines read %d, prefiltered %d", what, sf.Read, sp.Read)
	}
	if n := sp.Parsed + sp.Rejected + sp.Blank + sp.Skipped + sp.Filtered; n != sp.Read {
		t.Fatalf("%s: prefiltered counts %+v add up to %d, not %d", what, sp, n, sp.Read)
	}
	if sp.Parsed > sf.Parsed || sp.Rejected > sf.Rejected {
		t.Fatalf("%s: prefiltered read parsed more: %+v vs %+v", what, sp, sf)
	}
}

// TestPrefilterSamples holds the pre-filter against the full parse on every log under samples/
// and parsers/testdata, each read as detection (and the configuration beside it) reads it.
func TestPrefilterSamples(t *testing.T) {
	var files []string
	for _, root := range []string{filepath.Join("..", "samples"), "testdata"} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "fuzz" {
				return filepath.SkipDir
			}
			if !d.IsDir() && !notLog(d.Name()) && !strings.HasPrefix(d.Name(), "expected") && d.Name() != "Caddyfile" {
				files = append(files, p)
			}
			return nil
		})
	}
	active := 0
	for _, name := range files {
		cfg := &Config{}
		dir := filepath.Dir(name)
		if c, err := LoadNginxConf(filepath.Join(dir, "nginx.conf")); err == nil {
			cfg.NginxConf = c
		}
		if l, err := LoadEnvoyConfig(filepath.Join(dir, "envoy.yaml")); err == nil {
			cfg.EnvoyLogs = l
		}
		o, err := cfg.OpenInput(Input{Name: name, Path: name})
		if err != nil {
			continue // a log whose format takes a flag the test does not give
		}
		res := o.Resolved
		o.closer.Close()
		rc, err := Input{Path: name}.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(rc)
		rc.Close()
		var filters []*Filter
		for _, st := range prefilterStatuses {
			filters = append(filters, &Filter{Statuses: st})
		}
		for _, chunk := range []int{0, 512} {
			data := buf.Bytes()
			if chunk > 0 && len(data) > 64<<10 {
				// Blocks cut mid-line: the first 64 KiB (a hundred and more cuts) tell as much as
				// the whole file, at a fraction of the CPU under -race.
				data = data[:bytes.LastIndexByte(data[:64<<10], '\n')+1]
			}
			fulls, pres, sf, sps, on := scanEach(t, res, filters, data, chunk, 2)
			for i, st := range prefilterStatuses {
				checkSame(t, fmt.Sprintf("%s (%s) --status %v chunk %d", name, res.Variant, st, chunk), fulls[i], pres[i], sf, sps[i])
				if on[i] {
					active++
				}
			}
		}
	}
	if active < 20 {
		t.Errorf("the pre-filter applied to only %d sample reads", active)
	}
}

// TestPrefilterEdges: numbers that hold the digits, leading zeros, escapes, CRLF, a last line
// without its newline, blocks cut in the middle of lines.
func TestPrefilterEdges(t *testing.T) {
	p := &Prefilter{needles: [][]byte{[]byte("405")}}
	for line, want := range map[string]bool{
		`" 405 12`: true, `" 0405 `: true, `status=405`: true, `"status":405}`: true, `405`: true,
		`" 4050 `: false, `" 1405 `: false, `10405`: false, `" 200 1405`: false, `"x":"\"\\\n"`: false,
		`"status":"\u0034\u0030\u0035"`: true, `\x34\x30\x35`: true, `\\u0034`: false, `trailing \`: true,
	} {
		if got := p.Match([]byte(line)); got != want {
			t.Errorf("Match(%q) = %v, want %v", line, got, want)
		}
	}
	res := &Resolved{Format: FormatNginx, NewParser: func() Parser {
		p, _ := CompileNginx(NginxCombined + ` "$upstream_status"`)
		return p
	}}
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		status, ups := []int{200, 405, 404, 501, 302}[i%5], []string{"-", "405", "502, 405", "200", "0405"}[i%7%5]
		fmt.Fprintf(&b, "10.0.0.%d - - [24/Nov/2026:10:00:%02d +0000] \"GET /a/%d HTTP/1.1\" %d %d \"-\" \"ua\" \"%s\"", i%250, i%60, i*7, status, 400+i%20, ups)
		switch i % 11 {
		case 3:
			b.WriteString("\r\n")
		case 4:
			b.WriteString("\nnot a log line 405\n\n")
		default:
			b.WriteString("\n")
		}
	}
	b.WriteString(`10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 405 0 "-" "ua" "-"`) // no newline
	var filters []*Filter
	for _, st := range prefilterStatuses {
		filters = append(filters, &Filter{Statuses: st})
	}
	for _, chunk := range []int{100, 4096, 0} {
		for _, workers := range []int{1, 2} {
			fulls, pres, sf, sps, on := scanEach(t, res, filters, []byte(b.String()), chunk, workers)
			for i, st := range prefilterStatuses {
				if !on[i] {
					t.Fatal("no pre-filter for nginx")
				}
				checkSame(t, fmt.Sprintf("--status %v chunk %d workers %d", st, chunk, workers), fulls[i], pres[i], sf, sps[i])
				if sps[i].Filtered == 0 {
					t.Errorf("--status %v: nothing filtered", st)
				}
			}
		}
	}
}

// TestPrefilterOff: the cases that must parse every line.
func TestPrefilterOff(t *testing.T) {
	nginx := &Resolved{Format: FormatNginx, NewParser: func() Parser { p, _ := CompileNginx(NginxCombined); return p }}
	for _, tc := range []struct {
		name string
		f    Filter
		res  *Resolved
	}{
		{"no status", Filter{}, nginx},
		{"status 0", Filter{Statuses: []int{405, 0}}, nginx},
		{"status 1000", Filter{Statuses: []int{1000}}, nginx},
		{"sequential", Filter{Statuses: []int{405}}, &Resolved{NewParser: nginx.NewParser, Sequential: true}},
		{"framework", Filter{Statuses: []int{405}}, &Resolved{NewParser: func() Parser { return NewFramework("") }}},
		{"caddy", Filter{Statuses: []int{405}}, &Resolved{NewParser: func() Parser { return NewCaddy() }}},
		{"traefik json", Filter{Statuses: []int{405}}, &Resolved{NewParser: func() Parser { return NewTraefikJSON() }}},
	} {
		if tc.f.Prefilter(tc.res) != nil {
			t.Errorf("%s: a pre-filter", tc.name)
		}
	}
}

// prefilterFuzzParsers are the parsers the pre-filter applies to, one of each kind.
func prefilterFuzzParsers(t testing.TB) []*Resolved {
	var out []*Resolved
	add := func(format string, mk func() (Parser, error)) {
		if _, err := mk(); err != nil {
			t.Fatal(err)
		}
		out = append(out, &Resolved{Format: format, Variant: format, NewParser: mustNew(mk)})
	}
	for _, f := range []string{NginxCombined, NginxUpstreamInfo, nginxTriageFmt, nginxJSONFmt} {
		add(FormatNginx, func() (Parser, error) { return CompileNginx(f) })
	}
	add(FormatNginx, func() (Parser, error) { return NewNginxJSON(), nil })
	add(FormatEnvoy, func() (Parser, error) { return CompileEnvoy(EnvoyDefaultFormat) })
	add(FormatEnvoy, func() (Parser, error) { return NewEnvoyJSON(), nil })
	add(FormatALB, func() (Parser, error) { return NewALB(), nil })
	add(FormatApp, func() (Parser, error) { return NewApp(nil) })
	add("haproxy", func() (Parser, error) { return NewHAProxy(), nil })
	add("apache", func() (Parser, error) { return CompileApache(apacheTriageFmt) })
	add("traefik", func() (Parser, error) { return CompileTraefikCLF(), nil })
	for _, r := range out {
		if (&Filter{Statuses: []int{405}}).Prefilter(r) == nil {
			t.Fatalf("%s: no pre-filter", r.Variant)
		}
	}
	return out
}

// FuzzPrefilter reads fuzzed lines with every parser the pre-filter applies to, with and
// without it: the records a status filter selects must be the same.
func FuzzPrefilter(f *testing.F) {
	for _, tc := range nginxCases {
		f.Add([]byte(tc.line), uint16(405))
	}
	for _, tc := range proxyCases {
		f.Add([]byte(tc.line), uint16(405))
	}
	for _, name := range []string{"../samples/envoy/default.log", "../samples/nginx/upstreaminfo.log", "../samples/app/slog.json", "../samples/app/app.logfmt", "../samples/nginx/json.log"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint16(405))
		f.Add(data, uint16(200))
	}
	f.Add([]byte("{\"status\":\"\\u0034\\u0030\\u0035\",\"method\":\"GET\",\"path\":\"/\"}\nstatus=0405 method=PUT path=/x\n"), uint16(405))
	res := prefilterFuzzParsers(f)
	f.Fuzz(func(t *testing.T, data []byte, status uint16) {
		st := 100 + int(status)%900
		filter := &Filter{Statuses: []int{st}}
		for _, r := range res {
			full, pre, sf, sp, _ := scanBoth(t, r, filter, data, 64, 1)
			checkSame(t, fmt.Sprintf("%s --status %d", r.Variant, st), full, pre, sf, sp)
		}
	})
}
