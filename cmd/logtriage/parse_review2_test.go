package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// failWriter fails every write, as a closed pipe does (parse … | head -1).
type failWriter struct{ writes int }

func (w *failWriter) Write([]byte) (int, error) {
	w.writes++
	return 0, syscall.EPIPE
}

func nginxLines(f, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "203.0.113.%d - - [24/Nov/2026:10:00:%02d +0000] \"GET /f%d/%d HTTP/1.1\" %d 12 \"-\" \"ua\"\n",
			i%250, i%60, f, i, 200+i%300)
	}
	return b.String()
}

// TestParseWriteErrorStartsNoMoreInputs: once a write fails, parse starts no more inputs. The
// first input's JSON overflows the output buffer, so its first write fails; the second input is
// being read already (two at once); the inputs after it are named pipes, which a writer here
// opens only once parse opens them for reading. None of them may be opened, and parse exits 1
// with the write error. It fails when parse goes on starting inputs after a failed write.
func TestParseWriteErrorStartsNoMoreInputs(t *testing.T) {
	dir := t.TempDir()
	args := []string{"parse", "-q"}
	for f, n := range []int{20000, 50} {
		p := filepath.Join(dir, fmt.Sprintf("in%d.log", f))
		if err := os.WriteFile(p, []byte(nginxLines(f, n)), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	var fifos []string
	for f := 2; f < 6; f++ {
		p := filepath.Join(dir, fmt.Sprintf("in%d.log", f))
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Skipf("no named pipes here: %v", err)
		}
		fifos = append(fifos, p)
		args = append(args, p)
	}
	// Watch the pipes: opening one for writing without blocking succeeds only once a reader
	// has it open. A pipe parse opens gets its lines, so that parse does not hang on it.
	stop := make(chan struct{})
	var mu sync.Mutex
	opened := map[string]bool{}
	var wg sync.WaitGroup
	for i, p := range fifos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				fd, err := syscall.Open(p, syscall.O_WRONLY|syscall.O_NONBLOCK, 0)
				if err != nil {
					time.Sleep(time.Millisecond)
					continue
				}
				mu.Lock()
				opened[filepath.Base(p)] = true
				mu.Unlock()
				w := os.NewFile(uintptr(fd), p)
				w.WriteString(nginxLines(i+2, 10))
				w.Close()
				return
			}
		}()
	}
	var errb bytes.Buffer
	w := &failWriter{}
	code := run(args, bytes.NewReader(nil), w, &errb)
	close(stop)
	wg.Wait()
	if code != exitFatal || !strings.Contains(errb.String(), "broken pipe") {
		t.Errorf("exit %d, stderr %q; want 1 and the write error", code, errb.String())
	}
	if len(opened) > 0 {
		t.Errorf("inputs opened after the write failed: %v", opened)
	}
	if w.writes == 0 {
		t.Fatal("parse never wrote")
	}
}

// TestParseManyInputsSummaryAsOneByOne: parse of inputs of every kind at once (standard input
// among them, an input with rejected lines, a damaged gzip) prints what reading
// them one by one prints, in the order named, and its summary has each one's counts; the exit
// code is that of the worst input, with and without --strict.
func TestParseManyInputsSummaryAsOneByOne(t *testing.T) {
	dir := t.TempDir()
	var args []string
	var want strings.Builder
	stdin := nginxLines(99, 700)
	for f, n := range []int{900, 3, 0, 2000, 40, -1, 15, 1, 300} {
		p := filepath.Join(dir, fmt.Sprintf("in%02d.log", f))
		switch n {
		case -1:
			args = append(args, "-")
			r := lt(t, []byte(stdin), "parse", "-q", "-")
			want.WriteString(r.stdout)
			continue
		}
		data := nginxLines(f, n)
		if f == 4 {
			data += "this line is not nginx\n" + nginxLines(f+100, 5)
		}
		if f == 6 {
			data = "\x1f\x8b\x09\x09\x09"
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
		if f == 6 {
			continue
		}
		r := lt(t, nil, "parse", "-q", p)
		want.WriteString(r.stdout)
	}
	for _, strict := range []bool{false, true} {
		cmd := []string{"parse"}
		if strict {
			cmd = append(cmd, "--strict")
		}
		r := lt(t, []byte(stdin), append(cmd, args...)...)
		if r.stdout != want.String() {
			t.Fatalf("strict=%v: %d bytes, want the %d bytes of the inputs read one by one (exit %d)\n%s", strict, len(r.stdout), want.Len(), r.code, r.stderr)
		}
		if r.code != exitPartial {
			t.Errorf("strict=%v: exit %d, want %d (inputs not read)\n%s", strict, r.code, exitPartial, r.stderr)
		}
		for _, s := range []string{"in06.log", "gzip header", "in04.log:41"} {
			if !strings.Contains(r.stderr, s) {
				t.Errorf("strict=%v: the summary does not say %q:\n%s", strict, s, r.stderr)
			}
		}
		// Every input's row: READ and PARSED.
		for _, row := range [][]string{{"in00.log", "900", "900"}, {"in03.log", "2,000", "2,000"}, {"in04.log", "46", "45"}, {"-", "700", "700"}, {"in08.log", "300", "300"}} {
			if !summaryHasRow(r.stderr, row) {
				t.Errorf("strict=%v: no summary row %v:\n%s", strict, row, r.stderr)
			}
		}
	}
}

// summaryHasRow reports whether a line of the summary starts with cells[0] (a path clipped at
// its start ends in it) and holds the other
// cells as fields in that order.
func summaryHasRow(summary string, cells []string) bool {
	for _, l := range strings.Split(summary, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || (f[0] != cells[0] && !strings.HasSuffix(f[0], "/"+cells[0])) {
			continue
		}
		j := 1
		for _, x := range f[1:] {
			if j < len(cells) && x == cells[j] {
				j++
			}
		}
		if j == len(cells) {
			return true
		}
	}
	return false
}

// TestParseSummaryFoldedFormats: the folded row of a directory of 25 files, the first a
// damaged gzip and another empty, lists the format its files have, not ", nginx" nor
// "nginx, ". It fails when a file without a format is listed.
func TestParseSummaryFoldedFormats(t *testing.T) {
	dir := t.TempDir()
	for f := range 25 {
		data := nginxLines(f, 2)
		switch f {
		case 0:
			data = "\x1f\x8b\x09\x09"
		case 7:
			data = ""
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("a%02d.log", f)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := lt(t, nil, "parse", "edge="+dir+"/")
	if !summaryHasRow(r.stderr, []string{"25", "files:", "edge", "nginx", "46", "46"}) || strings.Contains(r.stderr, ", nginx") || strings.Contains(r.stderr, "nginx,") {
		t.Errorf("exit %d; want one row of 25 files, format nginx, 46 lines:\n%s", r.code, r.stderr)
	}
}

// TestParseSummaryMoreRejectedOnlyWhenThereAre: with more than 20 examples of rejected lines,
// the summary stops after the input that reaches them and says how many rejected lines the
// other inputs have, only when they have any. Seven files of 30 with 3 rejected lines each
// reach 21 examples: the rest are clean, so no such line; one or two more files with 4 make it
// "4 rejected lines in another input" or "8 rejected lines in 2 other inputs". It fails when
// the line is printed for clean inputs.
func TestParseSummaryMoreRejectedOnlyWhenThereAre(t *testing.T) {
	for extra, want := range []string{"", "… and 4 rejected lines in another input (", "… and 8 rejected lines in 2 other inputs ("} {
		dir := t.TempDir()
		for f := range 30 {
			data := nginxLines(f, 3)
			switch {
			case f < 7:
				data += strings.Repeat("not an access line\n", 3)
			case f >= 12 && f < 12+extra:
				data += strings.Repeat("not an access line\n", 4)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("a%02d.log", f)), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		r := lt(t, nil, "parse", "edge="+dir+"/")
		more := strings.Contains(r.stderr, "rejected lines in ")
		if strings.Count(r.stderr, "\nrejected ") != 21 || more != (want != "") || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "-o json lists them") {
			t.Errorf("%d more files with rejected lines: exit %d, want %q\n%s", extra, r.code, want, r.stderr)
		}
	}
}
