package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Hostile and careless inputs (issue 10): each case once crashed, leaked or lied.

// A line dated in 2300 (a 200, not even a 405) is rejected with its reason; analyze, trace and
// contract run on the rest instead of panicking with exit 2.
func TestYear2300LineIsRejectedNotACrash(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	lines := `10.0.0.12 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 4212 "-" "curl/8.5.0"
10.0.0.12 - - [24/Nov/2026:10:00:01 +0000] "POST /cart HTTP/1.1" 405 157 "-" "curl/8.5.0"
10.0.0.12 - - [24/Nov/2300:10:00:02 +0000] "GET / HTTP/1.1" 200 4212 "-" "curl/8.5.0"
`
	if err := os.WriteFile(log, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"analyze", log},
		{"trace", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", log},
		{"contract", "--openapi", "samples/openapi.yaml", log},
	} {
		r := lt(t, nil, args...)
		if r.code == exitFatal || strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine") {
			t.Errorf("%s: exit %d\n%s", args[0], r.code, r.stderr)
			continue
		}
		if out := r.stdout + r.stderr; args[0] == "analyze" && !strings.Contains(out, "outside the years 1677–2262") {
			t.Errorf("%s: exit %d, the rejection reason is not shown:\n%s", args[0], r.code, out)
		}
	}
}

// --out replaces a regular file atomically and keeps its mode, writes straight through to a
// FIFO (a device or /dev/stdout is opened the same way) and refuses to overwrite an input.
func TestOutTargets(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	line := `10.0.0.12 - - [24/Nov/2026:10:00:01 +0000] "POST /cart HTTP/1.1" 405 157 "-" "curl/8.5.0"` + "\n"
	if err := os.WriteFile(log, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("existing file keeps its mode", func(t *testing.T) {
		out := filepath.Join(dir, "report.txt")
		if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if r := lt(t, nil, "analyze", "-q", "--out", out, log); r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		st, err := os.Stat(out)
		if err != nil || st.Mode().Perm() != 0o600 || st.Size() < 10 {
			t.Errorf("after --out: %v, %v", st.Mode(), err)
		}
	})

	t.Run("symbolic link stays a link", func(t *testing.T) {
		real := filepath.Join(dir, "real.json")
		link := filepath.Join(dir, "link.json")
		if err := os.WriteFile(real, nil, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(real, link); err != nil {
			t.Skip("no symbolic links here:", err)
		}
		if r := lt(t, nil, "analyze", "-q", "-o", "json", "--out", link, log); r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the link was replaced: %v %v", st.Mode(), err)
		}
		if b, _ := os.ReadFile(real); !strings.Contains(string(b), `"schema"`) {
			t.Errorf("the file behind the link holds %q", b)
		}
	})

	t.Run("input named as output", func(t *testing.T) {
		r := lt(t, nil, "analyze", "--out", log, log)
		if r.code != exitUsage || !strings.Contains(r.stderr, "is the input") {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
		if b, _ := os.ReadFile(log); string(b) != line {
			t.Errorf("the input was overwritten: %q", b)
		}
		saved := filepath.Join(dir, "saved.json")
		if r := lt(t, nil, "analyze", "-q", "-o", "json", "--out", saved, log); r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if r := lt(t, nil, "report", "--out", saved, saved); r.code != exitUsage {
			t.Errorf("report onto its own input: exit %d: %s", r.code, r.stderr)
		}
	})

	t.Run("fifo written straight through", func(t *testing.T) {
		fifo := filepath.Join(dir, "fifo")
		if err := mkfifo(fifo); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		got := make(chan []byte)
		go func() {
			f, err := os.Open(fifo)
			if err != nil {
				got <- nil
				return
			}
			defer f.Close()
			b, _ := io.ReadAll(f)
			got <- b
		}()
		if r := lt(t, nil, "analyze", "-q", "--out", fifo, log); r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
			t.Fatalf("the FIFO was replaced: %v %v", st.Mode(), err) // (its reader stays blocked)
		}
		if b := <-got; !strings.Contains(string(b), "405") {
			t.Errorf("the reader got %q", b)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// report - on an endless stream stops at the size bound with a usage error; a saved analysis
// whose timeline has bucket_seconds 0 is refused instead of dividing by zero in the HTML chart.
func TestReportHostileDocuments(t *testing.T) {
	defer func(n int64) { maxAnalysisBytes = n }(maxAnalysisBytes)
	maxAnalysisBytes = 1 << 20
	_, _, err := reportLoad(zeros{}, "-")
	if err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("endless standard input: %v", err)
	}

	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	line := `10.0.0.12 - - [24/Nov/2026:10:00:01 +0000] "POST /cart HTTP/1.1" 405 157 "-" "curl/8.5.0"` + "\n"
	if err := os.WriteFile(log, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	r := lt(t, nil, "analyze", "-q", "-o", "json", log)
	if r.code != exitOK {
		t.Fatalf("analyze: exit %d: %s", r.code, r.stderr)
	}
	doc := strings.Replace(r.stdout, `"bucket_seconds": 1,`, `"bucket_seconds": 0,`, 1)
	if doc == r.stdout {
		t.Fatalf("no bucket_seconds in %s", r.stdout)
	}
	for _, o := range []string{"html", "markdown", "text"} {
		r := lt(t, []byte(doc), "report", "-o", o, "-")
		if r.code != exitUsage || !strings.Contains(r.stderr, "bucket_seconds is 0") {
			t.Errorf("-o %s: exit %d: %s", o, r.code, r.stderr)
		}
	}
}

// A misspelled --nginx-format variable is a usage error naming the variable meant, and a run in
// which every line was rejected does not exit 0 ("No 405 responses found" was printed before).
func TestFormatTyposAndAllRejected(t *testing.T) {
	r := lt(t, nil, "analyze", "--nginx-format", `$remote_addr - $remote_user [$time_local] "$request" $staus $body_bytes_sent`, "samples/nginx/combined.log")
	if r.code != exitUsage || !strings.Contains(r.stderr, "did you mean $status?") {
		t.Errorf("$staus: exit %d: %s", r.code, r.stderr)
	}
	r = lt(t, nil, "analyze", "--envoy-format", `[%START_TIME%] "%REQ(:METHOD)% %REQ(:PATH)% %PROTOCOL%" %RESPONSE_COD%`, "samples/nginx/combined.log")
	if r.code != exitUsage || !strings.Contains(r.stderr, "did you mean %RESPONSE_CODE%?") {
		t.Errorf("%%RESPONSE_COD%%: exit %d: %s", r.code, r.stderr)
	}
	// Lines that parse but are all rejected (dated 2300): nothing was analysed.
	log := filepath.Join(t.TempDir(), "access.log")
	line := `10.0.0.12 - - [24/Nov/2300:10:00:01 +0000] "POST /cart HTTP/1.1" 405 157 "-" "curl/8.5.0"` + "\n"
	if err := os.WriteFile(log, []byte(line+line), 0o644); err != nil {
		t.Fatal(err)
	}
	r = lt(t, nil, "analyze", log)
	if r.code == exitOK || !strings.Contains(r.stderr, "every line of "+log+" was rejected") {
		t.Errorf("every line rejected: exit %d: %s", r.code, r.stderr)
	}
	// Every line longer than --max-line: the fix is --max-line, not the format (the advice was
	// "it is not in the format it was read as; give its format").
	r = lt(t, nil, "parse", "--max-line", "40", "samples/nginx/combined.log")
	if r.code != exitFatal || !strings.Contains(r.stderr, "every line of samples/nginx/combined.log was rejected (reasons above), those shown for their length: raise --max-line") ||
		strings.Contains(r.stderr, "give its format") {
		t.Errorf("every line too long: exit %d: %s", r.code, r.stderr)
	}
}

// A symbolic link to a directory is read as the directory; an unreadable subdirectory is an
// input that could not be read (exit 3), not a usage error; --since beyond what a duration holds
// is a usage error instead of wrapping around.
func TestInputPathsAndWindows(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	if err := os.Mkdir(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	line := `10.0.0.12 - - [24/Nov/2026:10:00:01 +0000] "POST /cart HTTP/1.1" 405 157 "-" "curl/8.5.0"` + "\n"
	if err := os.WriteFile(filepath.Join(logs, "access.log"), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "current")
	if err := os.Symlink(logs, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if r := lt(t, nil, "analyze", link); r.code != exitOK || !strings.Contains(r.stdout, "POST") {
		t.Errorf("a link to a directory: exit %d: %s", r.code, r.stderr)
	}
	for _, since := range []string{"106752d", "9999999999d"} {
		if r := lt(t, nil, "analyze", "--since", since, logs); r.code != exitUsage || !strings.Contains(r.stderr, "days") {
			t.Errorf("--since %s: exit %d: %s", since, r.code, r.stderr)
		}
	}
	if os.Geteuid() == 0 {
		t.Skip("root reads unreadable directories")
	}
	locked := filepath.Join(logs, "locked")
	if err := os.Mkdir(locked, 0o000); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(locked, 0o755)
	if r := lt(t, nil, "analyze", logs); r.code != exitPartial || !strings.Contains(r.stderr, "locked") {
		t.Errorf("an unreadable subdirectory: exit %d: %s", r.code, r.stderr)
	}
}
