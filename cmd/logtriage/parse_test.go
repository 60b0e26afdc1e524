package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/logtriage/logtriage/parsers"
)

// parsed is the subset of a `parse` line the tests look at.
type parsed struct {
	Source         string         `json:"source"`
	Layer          string         `json:"layer"`
	Format         string         `json:"format"`
	Time           string         `json:"time"`
	Method         string         `json:"method"`
	Path           string         `json:"path"`
	Status         int            `json:"status"`
	UpstreamStatus []*int         `json:"upstream_status"`
	Local          *bool          `json:"local"`
	IDs            map[string]any `json:"ids"`
}

func decode(t *testing.T, out string) []parsed {
	t.Helper()
	var recs []parsed
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p parsed
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("output line is not JSON: %v\n%s", err, sc.Text())
		}
		recs = append(recs, p)
	}
	return recs
}

func TestParseEverySample(t *testing.T) {
	r := lt(t, nil, "parse",
		"--nginx-conf", "samples/nginx/nginx.conf", "--envoy-config", "samples/envoy/envoy.yaml",
		"samples/nginx", "samples/envoy/default.log", "samples/envoy/istio.log", "samples/envoy/gateway.json", "samples/envoy/custom.log",
		"samples/alb", "samples/app/slog.json", "samples/app/pino.json", "samples/app/ecs.json", "samples/app/app.logfmt")
	// samples/nginx holds nginx.conf and README.md too: a directory walk leaves them out.
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	recs := decode(t, r.stdout)
	formats := map[string]int{}
	for _, p := range recs {
		formats[p.Format]++
		if p.Status < 0 || p.Status > 999 || !strings.Contains(p.Source, ":") || p.Layer == "" {
			t.Errorf("bad record %+v", p)
		}
	}
	for _, f := range []string{"nginx", "envoy", "alb", "app"} {
		if formats[f] < 10 {
			t.Errorf("only %d %s records: %v", formats[f], f, formats)
		}
	}
	// Left out, and named once in the note on the directory, not read as inputs.
	if strings.Contains(r.stderr, "error:") || strings.Contains(r.stderr, "\nsamples/nginx/README") || strings.Contains(r.stderr, "\nsamples/nginx/nginx.conf ") ||
		!strings.Contains(r.stderr, "note: samples/nginx: left out 3 files that are not logs (by name: documentation, configuration, code, hidden; or binary): README.md, conf.d/api-json.conf, nginx.conf;") {
		t.Errorf("documentation and configuration in a log directory must be left out:\n%s", r.stderr)
	}
	// Named explicitly, a non-log file is read and refused with a reason (exit 3 with the rest read).
	r = lt(t, nil, "parse", "-q", "samples/nginx/README.md", "samples/nginx/combined.log")
	if r.code != exitPartial || !strings.Contains(r.stderr, "cannot tell the format of samples/nginx/README.md") {
		t.Errorf("explicit non-log input: exit %d\n%s", r.code, r.stderr)
	}
}

func TestParseStatusFilterKeepsMaskedAndRetries(t *testing.T) {
	r := lt(t, nil, "parse", "-q", "--status", "405", "--nginx-conf", "samples/nginx/nginx.conf", "edge=samples/nginx/custom.log")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	recs := decode(t, r.stdout)
	if len(recs) == 0 {
		t.Fatal("no 405 records")
	}
	retry := false
	for _, p := range recs {
		has405 := p.Status == 405
		for _, u := range p.UpstreamStatus {
			if u != nil && *u == 405 {
				has405 = true
			}
		}
		if !has405 || p.Layer != "edge" {
			t.Errorf("record without a 405 or wrong layer: %+v", p)
		}
		if len(p.UpstreamStatus) == 2 {
			retry = true
		}
	}
	if !retry {
		t.Error("the 502, 405 retry line is missing")
	}
}

func TestParseStdinAndGzipByMagic(t *testing.T) {
	matches, _ := filepath.Glob("samples/alb/*.log.gz")
	if len(matches) == 0 {
		t.Fatal("no ALB samples")
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	r := lt(t, data, "parse", "lb=-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	recs := decode(t, r.stdout)
	if len(recs) == 0 || recs[0].Format != "alb" || recs[0].Layer != "lb" || !strings.HasPrefix(recs[0].Source, "-:1") {
		t.Errorf("stdin gzip ALB: %+v", recs)
	}
}

func TestParseBadInputLosesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "mixed.log")
	lines := []string{
		`172.17.0.1 - - [07/Jul/2021:20:28:01 +0000] "POST / HTTP/1.1" 405 157 "-" "hey/0.0.1"`,
		`this is not nginx`,
		``,
		`77.179.66.156 - - [25/Oct/2016:14:49:33 +0200] "GET / HTTP/1.1" 200 612 "-" "curl/7.46.0"`,
		`77.179.66.156 - - [25/Oct/2016:14:49:33 +0200] "GET / HTTP/1.1" 200 612 "-" "curl/7.46.0"`,
	}
	os.WriteFile(bad, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	r := lt(t, nil, "parse", "--strict", bad, filepath.Join(dir, "missing.log"))
	if r.code != exitUsage || !strings.Contains(r.stderr, "missing.log") {
		t.Fatalf("a missing file is a usage error naming it: exit %d\n%s", r.code, r.stderr)
	}
	r = lt(t, nil, "parse", "--strict", bad)
	if r.code != exitRejected {
		t.Errorf("--strict with a rejected line: exit %d, want %d", r.code, exitRejected)
	}
	if got := len(decode(t, r.stdout)); got != 3 {
		t.Errorf("%d records, want 3", got)
	}
	if !strings.Contains(r.stderr, "mixed.log:2") || !strings.Contains(strings.Join(strings.Fields(r.stderr), " "), "5 3 1") {
		t.Errorf("summary must count 5 read, 3 parsed, 1 rejected and name file:line:\n%s", r.stderr)
	}
	// The blank line has a column of its own, so that the row adds up to READ.
	if !regexp.MustCompile(`\nINPUT +LAYER +FORMAT +READ +PARSED +REJECTED +SKIPPED +BLANK\n\S*mixed\.log +nginx +nginx +5 +3 +1 +0 +1\n`).MatchString("\n" + r.stderr) {
		t.Errorf("summary must count the blank line:\n%s", r.stderr)
	}
	// In words that agree with the count ("1 lines rejected" before).
	if !strings.Contains(r.stderr, "--strict: 1 line rejected\n") || !strings.Contains(r.stderr, "logtriage: 1 line rejected and --strict is set") {
		t.Errorf("one rejected line:\n%s", r.stderr)
	}
	six := filepath.Join(dir, "six.log")
	os.WriteFile(six, []byte(lines[0]+"\n"+strings.Repeat("this is not nginx\n", parsers.MaxExamples+1)), 0o644)
	if r := lt(t, nil, "parse", "--strict", six); !strings.Contains(r.stderr, "… and 1 more rejected line in "+six+"\n") ||
		!strings.Contains(r.stderr, "--strict: 6 lines rejected\n") {
		t.Errorf("one rejected line beyond the examples:\n%s", r.stderr)
	}
	r = lt(t, nil, "parse", bad)
	if r.code != 0 {
		t.Errorf("without --strict rejected lines are not an error: exit %d", r.code)
	}
}

func TestParseWindow(t *testing.T) {
	r := lt(t, nil, "parse", "-q", "--since", "2026-11-24T10:00:10Z", "--until", "2026-11-24T10:00:20Z", "samples/envoy/default.log")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, p := range decode(t, r.stdout) {
		if p.Time < "2026-11-24T10:00:10" || p.Time >= "2026-11-24T10:00:20" {
			t.Errorf("record outside the window: %s", p.Time)
		}
	}
	r = lt(t, nil, "parse", "--since", "yesterday-ish", "samples/envoy/default.log")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--since") {
		t.Errorf("bad --since: exit %d %s", r.code, r.stderr)
	}
}

func TestVersionAndHelp(t *testing.T) {
	if r := lt(t, nil, "--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "logtriage ") {
		t.Errorf("--version: %+v", r)
	}
	r := lt(t, nil, "--help")
	for _, cmd := range []string{"parse", "analyze", "trace"} {
		if !strings.Contains(r.stdout, cmd) {
			t.Errorf("--help does not list %s:\n%s", cmd, r.stdout)
		}
	}
}

func TestParseCustomFormatWithoutFlagSaysWhatToDo(t *testing.T) {
	for _, tc := range []struct{ file, hint string }{
		{"samples/nginx/custom.log", "--nginx-format"},
		{"samples/envoy/custom.log", "--envoy-format"},
	} {
		r := lt(t, nil, "parse", tc.file)
		if r.code != exitFatal || !strings.Contains(r.stderr, "cannot tell the format of "+tc.file) || !strings.Contains(r.stderr, tc.hint) {
			t.Errorf("%s: exit %d\n%s", tc.file, r.code, r.stderr)
		}
	}
	// --format forces a format; when no variant of it fits the first lines, the input is refused.
	r := lt(t, nil, "parse", "--format", "alb", "samples/envoy/default.log")
	if r.code != exitFatal || !strings.Contains(r.stderr, "alb") {
		t.Errorf("--format alb on Envoy lines: exit %d\n%s", r.code, r.stderr)
	}
}

// Rotated copies, stdin and a shared base name between the nginx and Envoy configurations all
// find their format in the configuration files.
func TestParseConfigMatchesRotatedStdinAndSharedNames(t *testing.T) {
	dir := t.TempDir()
	edge, err := os.ReadFile("samples/incidents/edge.log")
	if err != nil {
		t.Fatal(err)
	}
	ingress, _ := os.ReadFile("samples/incidents/ingress.log")
	os.WriteFile(filepath.Join(dir, "edge.log.1"), edge, 0o644)
	os.MkdirAll(filepath.Join(dir, "x"), 0o755)
	// Same base name as the nginx access log: the lines decide between the two configurations.
	os.WriteFile(filepath.Join(dir, "x", "edge.log"), ingress, 0o644)
	conf := []string{"--nginx-conf", "samples/incidents/nginx.conf", "--envoy-config", "samples/incidents/envoy.yaml"}
	r := lt(t, nil, append([]string{"parse", "-q"}, append(conf, filepath.Join(dir, "edge.log.1"), filepath.Join(dir, "x", "edge.log"))...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	formats := map[string]int{}
	for _, p := range decode(t, r.stdout) {
		formats[p.Format]++
	}
	if formats["nginx"] != 2065 || formats["envoy"] != 1358 {
		t.Errorf("formats %v, want 2065 nginx and 1358 envoy records", formats)
	}
	r = lt(t, edge, append([]string{"parse", "-q"}, append(conf, "edge=-")...)...)
	if r.code != 0 || len(decode(t, r.stdout)) != 2065 {
		t.Errorf("stdin with --nginx-conf: exit %d\n%s", r.code, r.stderr)
	}
}

// An application log's other lines ("listening on :8080") are counted as skipped, not rejected:
// --strict passes on a normal app log.
func TestParseAppNonAccessLinesAreSkipped(t *testing.T) {
	r := lt(t, nil, "parse", "--strict", "samples/app/slog.json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(strings.Join(strings.Fields(r.stderr), " "), "25 20 0 5") {
		t.Errorf("want 25 read, 20 parsed, 0 rejected, 5 skipped:\n%s", r.stderr)
	}
}

// Kubernetes logs: CRI lines whose records the runtime split into P chunks, across many read
// blocks. Every record comes out whole; the P chunks count as skipped.
func TestParseCRIPartialLinesJoined(t *testing.T) {
	t.Parallel() // in process, no globals; runs beside the other slow tests
	var b strings.Builder
	n := 6000 // 3.5 MB: pairs split across several 1 MiB blocks (the user agent is padded for it)
	pad := strings.Repeat("x", 300)
	for i := 0; i < n; i++ {
		line := fmt.Sprintf(`[2026-11-24T10:00:00.%03dZ] "POST /api/orders/%d HTTP/1.1" 405 - 0 19 2 1 "203.0.113.7" "ShopApp-iOS/3.2.0 %s" "0c1d2e3f-4051-4627-8495-a6b7c8d9e0f1" "api.example.com" "10.0.3.21:8080"`, i%1000, i, pad)
		fmt.Fprintf(&b, "2026-11-24T10:00:00.%09dZ stdout P %s\n", i, line[:50])
		fmt.Fprintf(&b, "2026-11-24T10:00:00.%09dZ stdout F %s\n", i, line[50:])
	}
	r := lt(t, []byte(b.String()), "parse", "ingress=-")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	recs := decode(t, r.stdout)
	if len(recs) != n {
		t.Fatalf("%d records, want %d\n%s", len(recs), n, r.stderr)
	}
	for i, p := range recs {
		if want := fmt.Sprintf("/api/orders/%d", i); p.Path != want || p.Status != 405 || p.Format != "envoy" {
			t.Fatalf("record %d: %+v", i, p)
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(r.stderr), " "), "12,000 6,000 0 6,000") {
		t.Errorf("want 12,000 read, 6,000 parsed, 6,000 skipped:\n%s", r.stderr)
	}
}

// TestParseInputsReuseOutputBuffers: the output buffers of one input's batches serve the next
// input's; the lines of several inputs read in one run are those of each input read alone, in
// order, however many blocks each input takes.
func TestParseInputsReuseOutputBuffers(t *testing.T) {
	dir := t.TempDir()
	var args []string
	var want strings.Builder
	for f, n := range []int{6000, 5, 2500} { // several 1 MiB blocks (long lines), then fewer lines than a batch held
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "203.0.113.%d - - [24/Nov/2026:10:00:%02d +0000] \"GET /f%d/%d HTTP/1.1\" %d 12 \"-\" \"ua %s\"\n",
				i%250, i%60, f, i, 200+i%300, strings.Repeat("x", 600+i%120))
		}
		p := filepath.Join(dir, fmt.Sprintf("in%d.log", f))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
		r := lt(t, nil, "parse", "-q", p)
		if r.code != 0 || strings.Count(r.stdout, "\n") != n {
			t.Fatalf("%s: exit %d, %d lines\n%s", p, r.code, strings.Count(r.stdout, "\n"), r.stderr)
		}
		want.WriteString(r.stdout)
	}
	r := lt(t, nil, append([]string{"parse", "-q"}, args...)...)
	if r.code != 0 || r.stdout != want.String() {
		t.Fatalf("exit %d, %d bytes, want the %d bytes of the inputs read one by one\n%s", r.code, len(r.stdout), want.Len(), r.stderr)
	}
}

// TestParseManyInputsInOrder: parse reads two inputs at once, yet prints each input's records
// in the order the inputs were named, as reading them one by one does: a dozen files of every
// size, gzip or plain, an empty one and a damaged gzip one (which fails alone, in its place).
func TestParseManyInputsInOrder(t *testing.T) {
	dir := t.TempDir()
	var args []string
	var want strings.Builder
	for f, n := range []int{3000, 1, 0, 40, 2500, 7, 0, 900, 12, 5000, 3, 60} {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "203.0.113.%d - - [24/Nov/2026:10:00:%02d +0000] \"GET /f%d/%d HTTP/1.1\" %d 12 \"-\" \"ua %s\"\n",
				i%250, i%60, f, i, 200+i%300, strings.Repeat("x", i%700))
		}
		data := []byte(b.String())
		p := filepath.Join(dir, fmt.Sprintf("in%02d.log", f))
		switch {
		case f == 6:
			data = []byte{0x1f, 0x8b, 9, 9, 9} // a gzip magic, then no gzip header
		case f%3 == 1:
			var z bytes.Buffer
			w := gzip.NewWriter(&z)
			w.Write(data)
			w.Close()
			data = z.Bytes()
			p += ".gz"
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
		if f == 6 {
			continue
		}
		r := lt(t, nil, "parse", "-q", p)
		if r.code != 0 || strings.Count(r.stdout, "\n") != n {
			t.Fatalf("%s: exit %d, %d lines\n%s", p, r.code, strings.Count(r.stdout, "\n"), r.stderr)
		}
		want.WriteString(r.stdout)
	}
	for range 3 {
		r := lt(t, nil, append([]string{"parse"}, args...)...)
		if r.stdout != want.String() {
			t.Fatalf("%d bytes, want the %d bytes of the inputs read one by one\n%s", len(r.stdout), want.Len(), r.stderr)
		}
		if r.code == 0 || !strings.Contains(r.stderr, "in06.log") || !strings.Contains(r.stderr, "gzip header") {
			t.Fatalf("exit %d; want the damaged input named with its reason:\n%s", r.code, r.stderr)
		}
	}
}

// TestParseSummaryFoldsManyFiles: the input summary of a directory of 30 files has one row for
// them, still names the file of a rejected line, and the total counts every line.
func TestParseSummaryFoldsManyFiles(t *testing.T) {
	dir := t.TempDir()
	for f := range 30 {
		var b strings.Builder
		for i := range 10 {
			fmt.Fprintf(&b, "203.0.113.9 - - [24/Nov/2026:10:%02d:%02d +0000] \"GET /f%d/%d HTTP/1.1\" 200 12 \"-\" \"ua\"\n", f, i, f, i)
		}
		if f == 7 {
			b.WriteString("garbage line\n")
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("access-%02d.log", f)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := lt(t, nil, "parse", "edge="+dir)
	if strings.Count(r.stdout, "\n") != 300 {
		t.Fatalf("%d records, want 300\n%s", strings.Count(r.stdout, "\n"), r.stderr)
	}
	if !regexp.MustCompile(`\n30 files: \S*access-00\.log … access-29\.log  +edge  +nginx `).MatchString(r.stderr) ||
		strings.Contains(r.stderr, "access-05.log") || !strings.Contains(r.stderr, "rejected "+filepath.Join(dir, "access-07.log")+":11") ||
		!regexp.MustCompile(`total +- +- +301 +300 +1 `).MatchString(r.stderr) {
		t.Errorf("summary:\n%s", r.stderr)
	}
}

// TestParseVarLogNginx: a directory as /var/log/nginx holds it, the access log beside the error
// log (real nginx 1.22 captures): the access records come out, the error log's lines are
// skipped with a note saying what it is, and the run succeeds.
func TestParseVarLogNginx(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"access.log", "error.log"} {
		b, err := os.ReadFile(filepath.Join("parsers", "testdata", "serverlogs", "nginx-"+f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := lt(t, nil, "parse", dir)
	if r.code != 0 || strings.Count(r.stdout, "\n") != 6 ||
		!strings.Contains(r.stderr, "note: "+filepath.Join(dir, "error.log")+": it is an nginx error log, which holds no access records: its lines are skipped") ||
		strings.Contains(r.stderr, "rejected") || strings.Contains(r.stderr, "error:") {
		t.Errorf("exit %d, %d records\n%s", r.code, strings.Count(r.stdout, "\n"), r.stderr)
	}
}

// TestClipKeepsWholeCharacters: an input name clipped for the summary keeps its last characters
// whole, and one that fits is kept as it is.
func TestClipKeepsWholeCharacters(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"/logs/edge.log", 40, "/logs/edge.log"},
		{"/logs/ü/日本/édge.log", 20, "/logs/ü/日本/édge.log"},
		{"/var/log/ingress/日本語のログ/édge.log", 12, "…ログ/édge.log"},
		{"abcdef", 4, "…def"},
	} {
		got := clip(c.in, c.n)
		if got != c.want || !utf8.ValidString(got) || utf8.RuneCountInString(got) > c.n {
			t.Errorf("clip(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
