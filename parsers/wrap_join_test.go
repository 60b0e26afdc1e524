package parsers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The pieces container runtimes split a long line into (docs/formats.md §4.5): containerd and
// CRI-O write P lines ended by an F line of the same stream (16 KiB a piece on containerd, its
// max_container_log_line_size); Docker's json-file driver writes 16 KiB pieces whose "log" has
// no "\n" but the last one's. The other stream's lines may come between the pieces.

// longNginx is an nginx combined line of over 40 KiB (a long query string, a 405).
func longNginx() string {
	var q strings.Builder
	for i := 0; q.Len() < 40<<10; i++ {
		fmt.Fprintf(&q, "id=%d&", 100000+i)
	}
	return `172.17.0.1 - - [02/Dec/2026:00:48:02 +0000] "POST /api/orders?` + q.String() + `x=1 HTTP/1.1" 405 157 "-" "curl/8.5.0"`
}

// longApp is a Go slog JSON line of over 40 KiB (a long "query" attribute) of a 405.
func longApp() string {
	return `{"time":"2026-12-02T00:48:03.25Z","level":"INFO","msg":"request","method":"POST","path":"/api/orders","status":405,"query":"` +
		strings.Repeat("ids=1234567890&", 3000) + `"}`
}

// pieces cuts s into pieces of n bytes, as the runtimes do.
func pieces(s string, n int) []string {
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	return append(out, s)
}

// criLines wraps s as containerd writes it: P pieces of 16 KiB, then F.
func criLines(ts, stream, s string) []string { return criPieces(ts, stream, s, 16<<10) }

func criPieces(ts, stream, s string, n int) []string {
	p := pieces(s, n)
	for i := range p {
		tag := "P"
		if i == len(p)-1 {
			tag = "F"
		}
		p[i] = ts + " " + stream + " " + tag + " " + p[i]
	}
	return p
}

// dockerLines wraps s as Docker's json-file driver writes it: pieces of 16 KiB, "\n" only on the
// last.
func dockerLines(ts, stream, s string) []string { return dockerPieces(ts, stream, s, 16<<10) }

func dockerPieces(ts, stream, s string, n int) []string {
	p := pieces(s, n)
	for i := range p {
		text := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(p[i])
		if i == len(p)-1 {
			text += `\n`
		}
		p[i] = `{"log":"` + text + `","stream":"` + stream + `","time":"` + ts + `"}`
	}
	return p
}

// scanWrapped writes lines to a file, opens it as the command does (detection, its parser) and
// reads it in blocks of 1 KiB, asking for two workers: every piece is in a block of its own. It
// returns the records as "line:method path status" and the counts.
func scanWrapped(t *testing.T, lines []string) (*Opened, []string, Stats) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "0.log")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &Config{}
	o, err := c.OpenInput(Input{Name: "0.log", Path: p})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	st := o.scan(ScanConfig{ChunkSize: 1 << 10, Workers: 2, HoldBlocks: true,
		Work: func(rec *Record, b *Batch) {
			rec = b.Keep(rec)
			path := rec.Path
			if len(path) > 20 {
				path = fmt.Sprintf("%s…(%d)", path[:20], len(rec.URI))
			}
			got = append(got, fmt.Sprintf("%d:%s %s %d", rec.Line, rec.Method, path, rec.Status))
		}})
	if n := st.Parsed + st.Rejected + st.Blank + st.Skipped + st.Filtered; n != st.Read || st.Read != int64(len(lines)) {
		t.Errorf("%d lines, %d read, counted %d: %+v", len(lines), st.Read, n, st)
	}
	return o, got, st
}

// TestCRIPiecesJoinPerStream: an ingress-nginx pod's log, its access lines on stdout and its
// error log on stderr. A 40 KiB access line is split into three pieces, an error line of stderr
// between them: the pieces are joined into the one record (counted on its F line), the error line
// is skipped, nothing is rejected. Before, the stderr F line ended the stdout record: both halves
// were rejected.
func TestCRIPiecesJoinPerStream(t *testing.T) {
	long := criLines("2026-12-02T00:48:02.000000001Z", "stdout", longNginx())
	if len(long) != 3 {
		t.Fatalf("%d pieces", len(long))
	}
	lines := []string{
		`2026-12-02T00:48:01.000000000Z stdout F 10.0.0.7 - - [02/Dec/2026:00:48:01 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.31"`,
		long[0],
		`2026-12-02T00:48:02.000000002Z stderr F 2026/12/02 00:48:02 [error] 31#31: *7 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 10.0.0.7, server: _, request: "GET /favicon.ico HTTP/1.1"`,
		long[1],
		`2026-12-02T00:48:02.000000003Z stderr P 2026/12/02 00:48:02 [warn] 31#31: *8 an upstream response is buffered to a temporary file `,
		long[2],
		`2026-12-02T00:48:02.000000004Z stderr F /var/cache/nginx/proxy_temp/1/00/0000000001 while reading upstream, client: 10.0.0.7`,
		`2026-12-02T00:48:03.000000000Z stdout F 10.0.0.7 - - [02/Dec/2026:00:48:03 +0000] "DELETE /api/orders/7 HTTP/1.1" 405 157 "-" "curl/8.5.0"`,
	}
	o, got, st := scanWrapped(t, lines)
	if o.Resolved.Format != FormatNginx || !o.Resolved.Sequential {
		t.Errorf("resolved %s (%s), sequential %v", o.Resolved.Format, o.Resolved.Variant, o.Resolved.Sequential)
	}
	want := []string{"1:GET /healthz 200", fmt.Sprintf("6:POST /api/orders 405"), "8:DELETE /api/orders/7 405"}
	if strings.Join(got, "|") != strings.Join(want, "|") || st.Parsed != 3 || st.Rejected != 0 || st.Skipped != 5 {
		t.Errorf("records %q, stats %+v", got, st)
	}
}

// TestCRIPieceAtEndCounted: an input that ends with a P line (the log rotated, or read, before
// the F line was written) no longer loses it among the skipped lines: the pieces are parsed as
// a record when they read as one (an app's last logfmt line, written without a newline before
// it exited), else rejected with the place of the first piece and the reason.
func TestCRIPieceAtEndCounted(t *testing.T) {
	long := criLines("2026-12-02T00:48:02Z", "stdout", longApp())
	lines := []string{
		`2026-12-02T00:48:01Z stdout F {"time":"2026-12-02T00:48:01Z","level":"INFO","msg":"request","method":"GET","path":"/api/orders","status":200}`,
		long[0], long[1], // the F piece is not in this file
		`2026-12-02T00:48:04Z stderr F {"time":"2026-12-02T00:48:04Z","level":"ERROR","msg":"shutting down"}`,
	}
	_, got, st := scanWrapped(t, lines)
	if strings.Join(got, "|") != "1:GET /api/orders 200" || st.Parsed != 1 || st.Rejected != 1 || st.Skipped != 2 ||
		len(st.Examples) != 1 || st.Examples[0].Source != "0.log:2" || !strings.Contains(st.Examples[0].Reason, "never completed by an F line") {
		t.Errorf("records %q, stats %+v", got, st)
	}

	lines = []string{
		`2026-12-02T00:48:01Z stdout F time=2026-12-02T00:48:01Z level=info method=GET path=/api/orders status=200`,
		`2026-12-02T00:48:05Z stdout P time=2026-12-02T00:48:05Z level=info method=POST path=/api/orders status=405`,
		`2026-12-02T00:48:06Z stderr F time=2026-12-02T00:48:06Z level=info msg="shutting down"`,
	}
	_, got, st = scanWrapped(t, lines)
	if strings.Join(got, "|") != "1:GET /api/orders 200|2:POST /api/orders 405" || st.Parsed != 2 || st.Rejected != 0 || st.Skipped != 1 {
		t.Errorf("records %q, stats %+v", got, st)
	}
}

// TestDockerPiecesJoined: a Go service's container log in Docker's json-file: a 44 KiB slog line
// split into three pieces across blocks, a stderr line between them, and a piece at the end whose
// last piece never came. The pieces are joined (per stream) into one record, counted on its last
// piece's line; the dangling piece is rejected with its reason. Before, each piece was parsed
// alone and rejected, and the input was parsed by both workers in any order.
func TestDockerPiecesJoined(t *testing.T) {
	long := dockerLines("2026-12-02T00:48:02.5Z", "stdout", longApp())
	end := dockerLines("2026-12-02T00:48:09.5Z", "stdout", longApp())
	if len(long) != 3 {
		t.Fatalf("%d pieces", len(long))
	}
	lines := []string{
		`{"log":"{\"time\":\"2026-12-02T00:48:01Z\",\"level\":\"INFO\",\"msg\":\"request\",\"method\":\"GET\",\"path\":\"/api/orders\",\"status\":200}\n","stream":"stdout","time":"2026-12-02T00:48:01.000000001Z"}`,
		long[0],
		`{"log":"{\"time\":\"2026-12-02T00:48:02Z\",\"level\":\"WARN\",\"msg\":\"slow query\",\"ms\":812}\n","stream":"stderr","time":"2026-12-02T00:48:02.6Z"}`,
		long[1],
		long[2],
		`{"log":"{\"time\":\"2026-12-02T00:48:03Z\",\"level\":\"INFO\",\"msg\":\"request\",\"method\":\"PUT\",\"path\":\"/api/orders\",\"status\":405}\n","stream":"stdout","time":"2026-12-02T00:48:03.000000001Z"}`,
		end[0],
	}
	o, got, st := scanWrapped(t, lines)
	if o.Resolved.Format != FormatApp || (&Filter{Statuses: []int{405}}).Prefilter(o.Resolved) != nil {
		t.Errorf("resolved %s (%s), with a prefilter", o.Resolved.Format, o.Resolved.Variant)
	}
	want := "1:GET /api/orders 200|5:POST /api/orders 405|6:PUT /api/orders 405"
	if strings.Join(got, "|") != want || st.Parsed != 3 || st.Rejected != 1 || st.Skipped != 3 ||
		len(st.Examples) != 1 || st.Examples[0].Source != "0.log:7" || !strings.Contains(st.Examples[0].Reason, "never completed") {
		t.Errorf("records %q, stats %+v", got, st)
	}
}

// TestUnwrapSampleJoinsPieces: detection sees the lines the parser will read: the pieces of a
// long line joined per stream, a line whose last piece is not in the sample left out, and a
// line whose pieces pass 4 MiB left out.
func TestUnwrapSampleJoinsPieces(t *testing.T) {
	app := longApp()
	short := `{"time":"2026-12-02T00:48:02Z","level":"WARN","msg":"slow query","ms":812}`
	huge := strings.Repeat("y", DefaultMaxLine+1)
	for _, tc := range []struct {
		kind                  wrapKind
		long, stderr, tooLong []string
	}{
		{wrapCRI, criLines("2026-12-02T00:48:02Z", "stdout", app), criLines("2026-12-02T00:48:02Z", "stderr", short),
			criPieces("2026-12-02T00:48:03Z", "stderr", huge, 1<<20)},
		{wrapDocker, dockerLines("2026-12-02T00:48:02Z", "stdout", app), dockerLines("2026-12-02T00:48:02Z", "stderr", short),
			dockerPieces("2026-12-02T00:48:03Z", "stderr", huge, 1<<20)},
	} {
		var sample [][]byte
		add := func(l ...string) {
			for _, s := range l {
				sample = append(sample, []byte(s))
			}
		}
		add(tc.long[0], tc.stderr[0], tc.long[1])
		add(tc.tooLong...)
		add(tc.long[2:]...)
		add(tc.long[0]) // its last piece is not in the sample
		got := unwrapSample(tc.kind, sample)
		if len(got) != 2 || string(got[0]) != short || string(got[1]) != app {
			t.Errorf("%s: %d lines", tc.kind, len(got))
			for _, l := range got {
				t.Logf("%.80s… (%d)", l, len(l))
			}
		}
	}
}
