package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// The first mistakes a new user makes, as the README's "Exit status" table describes them: each
// says what went wrong and where to look next, and exits with the documented status.

// TestUsageErrorsGoToStderrOnly: a typo in a flag, a missing input or an unknown command is
// exit 2 with the error and the help command to run on stderr, and nothing on stdout, which is
// the records or the report (`… > analysis.json`) and used to receive the whole help text.
func TestUsageErrorsGoToStderrOnly(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		want, help string
	}{
		{[]string{"analyze", "--outpt", "json", "samples/nginx/combined.log"}, `unknown flag --outpt, did you mean one of "--output"`, `"logtriage analyze --help"`},
		{[]string{"analyze"}, `expected "<INPUT> ..."`, `"logtriage analyze --help"`},
		{[]string{"trace", "some-id"}, `expected "<INPUT> ..."`, `"logtriage trace --help"`},
		{[]string{"parse", "--format", "yaml", "samples/nginx/combined.log"}, `--format: "yaml" is none of nginx, envoy, alb, app, apache, haproxy, caddy, traefik, iis: give one of them, or leave --format out`, `"logtriage parse --help"`},
		{[]string{"es", "--index", "logs-*", "--flavor", "elastic"}, `--flavor: "elastic" is none of elasticsearch, opensearch`, `"logtriage es --help"`},
		{[]string{"analyze", "-o", "yaml", "samples/nginx/combined.log"}, `--output must be one of`, `"logtriage analyze --help"`},
		{[]string{"analyse", "samples/nginx/combined.log"}, `unexpected argument analyse`, `"logtriage --help"`},
		{nil, `expected one of "parse", "analyze"`, `"logtriage --help"`},
	} {
		r := lt(t, nil, tc.args...)
		if r.code != exitUsage {
			t.Errorf("%q: exit %d, want %d", tc.args, r.code, exitUsage)
		}
		if r.stdout != "" {
			t.Errorf("%q: %d bytes on stdout, want none:\n%.300s", tc.args, len(r.stdout), r.stdout)
		}
		if !strings.HasPrefix(r.stderr, "logtriage: error: ") || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, tc.help) {
			t.Errorf("%q: stderr %q, want the error (%s) and the help to run (%s)", tc.args, r.stderr, tc.want, tc.help)
		}
	}
	// Asking for the help is not an error: it goes to stdout.
	if r := lt(t, nil, "analyze", "--help"); r.code != exitOK || !strings.Contains(r.stdout, "Usage: logtriage analyze") || r.stderr != "" {
		t.Errorf("analyze --help: exit %d, stdout %.100q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestFormatFlagTakesEveryFormat: --format accepts every format the parsers know (parsers.Formats),
// which the "cannot tell the format" hint lists; IIS was refused as a usage error.
func TestFormatFlagTakesEveryFormat(t *testing.T) {
	for _, f := range parsers.Formats {
		r := lt(t, nil, "parse", "-q", "--format", f, "samples/nginx/combined.log")
		if r.code == exitUsage || strings.Contains(r.stderr, "must be one of") {
			t.Errorf("--format %s: exit %d, %s", f, r.code, r.stderr)
		}
	}
	r := lt(t, nil, "parse", "-q", "--format", "iis", "samples/causes/iis/u_ex261201.log")
	recs := decode(t, r.stdout)
	if r.code != exitOK || len(recs) == 0 {
		t.Fatalf("--format iis on an IIS log: exit %d, %d records\n%s", r.code, len(recs), r.stderr)
	}
	for _, rec := range recs {
		if rec.Format != parsers.FormatIIS {
			t.Errorf("--format iis: a record of format %q", rec.Format)
		}
	}
}

// TestFirstInputMistakes: the input mistakes of a first run, each with its exit status (README,
// "Exit status") and a message that names the input and says what to do.
func TestFirstInputMistakes(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	write("docs/README.md", []byte("# notes\n"))
	write("docs/nginx.conf", []byte("events {}\n"))
	write("docs/.hidden.log", []byte("x\n"))
	garbage := write("garbage.log", []byte("hello world\nthis is not a log\n"))
	gz, err := os.ReadFile("samples/incidents/alb.log.gz")
	if err != nil {
		t.Fatal(err)
	}
	cut := write("cut.log.gz", gz[:len(gz)/2])
	corrupt := write("corrupt.log.gz", append([]byte{0x1f, 0x8b, 8, 0}, "not deflate data at all\n"...))
	document := write("answers.json", []byte("[\n  {\n    \"id\": \"a\",\n    \"status\": 405\n  }\n]\n")) // as jq . writes it
	classic := write("elb.log", []byte(`2026-11-24T10:00:00.000000Z my-elb 192.0.2.1:1234 10.0.0.1:80 0.000 0.001 0.000 405 405 0 100 "POST https://api.example.com:443/x HTTP/1.1" "curl/8.5.0" - -`+"\n"))

	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"missing file", []string{"analyze", filepath.Join(dir, "missing.log")}, exitUsage,
			[]string{"cannot read input " + filepath.Join(dir, "missing.log"), "no such file or directory: check the path"}},
		{"empty directory", []string{"analyze", empty}, exitUsage,
			[]string{"directory " + empty + " holds no files", "name the log files"}},
		{"directory of documentation only", []string{"analyze", filepath.Join(dir, "docs")}, exitUsage,
			[]string{"holds no log files (3 skipped", "README and .md, .conf", "name the log files"}},
		{"glob without a match", []string{"analyze", filepath.Join(dir, "*.nope")}, exitUsage,
			[]string{"no file matches", "check the path"}},
		{"unknown format", []string{"analyze", garbage}, exitFatal,
			[]string{"cannot tell the format of " + garbage, "--format nginx|envoy|alb|app|apache|haproxy|caddy|traefik|iis", "no input could be read"}},
		{"unknown format beside a readable log", []string{"parse", garbage, "samples/nginx/combined.log"}, exitPartial,
			[]string{"cannot tell the format of " + garbage, "1 of 2 inputs could not be read in full"}},
		{"pretty-printed JSON document", []string{"analyze", document}, exitFatal,
			[]string{"cannot tell the format of " + document, "a JSON document spread over several lines", "jq -c"}},
		{"Classic ELB log", []string{"analyze", classic}, exitFatal,
			[]string{"cannot tell the format of " + classic, "a Classic ELB or ALB connection log line", "only Application Load Balancer access logs are"}},
		{"truncated gzip", []string{"analyze", cut}, exitPartial,
			[]string{cut + " after line", "truncated stream (a gzip file cut short?)", "1 of 1 inputs could not be read in full"}},
		{"corrupt gzip", []string{"analyze", corrupt}, exitFatal,
			[]string{corrupt, "corrupt input", "no input could be read"}},
	} {
		r := lt(t, nil, tc.args...)
		if r.code != tc.code {
			t.Errorf("%s: exit %d, want %d\n%s", tc.name, r.code, tc.code, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", tc.name, w, r.stderr)
			}
		}
	}
}

// TestWindowWithoutRecordsSaysSo: --since/--until that leave out every parsed record (a duration
// counts back from now; old logs, or a clock far off) used to give "No 405 responses found" and
// nothing else; stderr now says that the window held none of the records.
func TestWindowWithoutRecordsSaysSo(t *testing.T) {
	r := lt(t, nil, "analyze", "-q", "--until", "2026-11-24T07:00:00Z", "samples/nginx/combined.log")
	want := "none of the 40 records parsed lies in the time window (before 2026-11-24T07:00:00Z): check --since/--until"
	if r.code != exitOK || !strings.Contains(r.stderr, want) {
		t.Errorf("a window before the log: exit %d, stderr %q, want %q", r.code, r.stderr, want)
	}
	r = lt(t, nil, "analyze", "-q", "--since", "2026-11-24T08:00:00Z", "samples/nginx/combined.log")
	if r.code != exitOK || strings.Contains(r.stderr, "time window") {
		t.Errorf("a window that holds the log: exit %d, stderr %q", r.code, r.stderr)
	}
	r = lt(t, nil, "parse", "-q", "--until", "2026-11-24T07:00:00Z", "samples/nginx/combined.log")
	if r.code != exitOK || r.stdout != "" || !strings.Contains(r.stderr, want) {
		t.Errorf("parse, a window before the log: exit %d, %d bytes out, stderr %q, want %q", r.code, len(r.stdout), r.stderr, want)
	}
	r = lt(t, nil, "parse", "-q", "--since", "2026-11-24T08:09:00Z", "samples/nginx/combined.log")
	if r.code != exitOK || r.stdout == "" || strings.Contains(r.stderr, "time window") {
		t.Errorf("parse, a window that holds part of the log: exit %d, %d bytes out, stderr %q", r.code, len(r.stdout), r.stderr)
	}
	// With --status too, the window is still why nothing came out (parse said nothing at all).
	r = lt(t, nil, "parse", "-q", "--status", "405", "--until", "2026-11-24T07:00:00Z", "samples/nginx/combined.log")
	if r.code != exitOK || r.stdout != "" || !strings.Contains(r.stderr, "lies in the time window (before 2026-11-24T07:00:00Z)") {
		t.Errorf("parse --status, a window before the log: exit %d, %d bytes out, stderr %q", r.code, len(r.stdout), r.stderr)
	}
	// A window that holds records, but none of the status: no note about the window.
	r = lt(t, nil, "parse", "-q", "--status", "599", "--since", "2026-11-24T08:00:00Z", "samples/nginx/combined.log")
	if r.code != exitOK || r.stdout != "" || strings.Contains(r.stderr, "time window") {
		t.Errorf("parse --status 599 in the log's window: exit %d, %d bytes out, stderr %q", r.code, len(r.stdout), r.stderr)
	}
}

// TestESDefaultURLSaysHowToNameTheCluster: es without --url or ELASTICSEARCH_URL tries
// http://localhost:9200; when nothing answers there, the message says that it was the default
// and how to name the cluster (exit 10, as for any unreachable cluster).
func TestESDefaultURLSaysHowToNameTheCluster(t *testing.T) {
	if c, err := net.DialTimeout("tcp", "localhost:9200", time.Second); err == nil {
		c.Close()
		t.Skip("something listens on localhost:9200")
	}
	t.Setenv("ELASTICSEARCH_URL", "")
	r := lt(t, nil, "es", "-q", "--retry-base", "1ms", "--index", "logs-*")
	if r.code != exitESUnreachable || !strings.Contains(r.stderr, "cannot reach Elasticsearch at http://localhost:9200") ||
		!strings.Contains(r.stderr, "tried the default: name the cluster with --url or ELASTICSEARCH_URL") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	r = lt(t, nil, "es", "-q", "--retry-base", "1ms", "--url", "http://127.0.0.1:1", "--index", "logs-*")
	if r.code != exitESUnreachable || strings.Contains(r.stderr, "default") {
		t.Errorf("--url given: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestReportRequestsFromADocumentWithout: report --requests on an analysis saved without
// --requests cannot add them; it says so instead of printing a document without requests.
func TestReportRequestsFromADocumentWithout(t *testing.T) {
	saved := lt(t, nil, "analyze", "-q", "-o", "json", "samples/causes/edge.log")
	if saved.code != exitOK || !strings.Contains(saved.stdout, `"requests_with_405"`) {
		t.Fatalf("analyze: exit %d\n%s", saved.code, saved.stderr)
	}
	r := lt(t, []byte(saved.stdout), "report", "-o", "json", "--requests", "-")
	if r.code != exitOK || !strings.Contains(r.stderr, "- holds no request list (it was saved without --requests)") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	withReqs := lt(t, nil, "analyze", "-q", "-o", "json", "--requests", "samples/causes/edge.log")
	r = lt(t, []byte(withReqs.stdout), "report", "-o", "json", "--requests", "-")
	if r.code != exitOK || r.stderr != "" || r.stdout != withReqs.stdout {
		t.Errorf("a document with its requests: exit %d, stderr %q, same output %v", r.code, r.stderr, r.stdout == withReqs.stdout)
	}
}

// TestNoReportWhenNothingRead: when no input could be read (a damaged gzip file, or every line
// rejected), analyze writes no report — "No 405 responses found" would read as an answer — and
// stderr holds the inputs' table, the reasons and exit status 1; with one input readable the
// report is written as before.
func TestNoReportWhenNothingRead(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.log.gz")
	if err := os.WriteFile(corrupt, []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03not deflate at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	future := filepath.Join(dir, "access.log")
	line := `10.0.0.12 - - [24/Nov/2300:10:00:01 +0000] "POST /cart HTTP/1.1" 405 157 "-" "curl/8.5.0"` + "\n"
	if err := os.WriteFile(future, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"analyze", corrupt}, []string{"damaged gzip data", "no input could be read"}},
		{[]string{"analyze", "-o", "json", corrupt}, []string{"damaged gzip data", "no input could be read"}},
		{[]string{"analyze", future}, []string{"INPUT", "rejected " + future + ":1: time stamp 2300", "every line of " + future + " was rejected"}},
	} {
		r := lt(t, nil, tc.args...)
		if r.code != exitFatal || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %.200q; want %d and no report", tc.args, r.code, r.stdout, exitFatal)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%q: stderr lacks %q:\n%s", tc.args, w, r.stderr)
			}
		}
	}
	r := lt(t, nil, "analyze", corrupt, "samples/nginx/combined.log")
	if r.code != exitPartial || !strings.Contains(r.stdout, "with a 405") {
		t.Errorf("one input readable: exit %d, stdout %.200q", r.code, r.stdout)
	}
}
