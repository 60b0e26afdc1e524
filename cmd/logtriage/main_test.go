package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// The command-line tests run the whole command line in process (run), from the repository
// root, on samples/; TestBinary builds the real binary once and runs it as a user would.

func TestMain(m *testing.M) {
	// Paths in the tests are relative to the repository root, as a user's would be.
	if err := os.Chdir(filepath.Join("..", "..")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// result is one run of the command line.
type result struct {
	stdout, stderr string
	code           int
}

// lt runs logtriage in process with args and optional stdin.
func lt(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	var in *bytes.Reader
	if stdin == nil {
		stdin = []byte{}
	}
	in = bytes.NewReader(stdin)
	code := run(args, in, &out, &errb)
	return result{out.String(), errb.String(), code}
}

// ltShared is lt without stdin for a command line that only reads the repository's files and
// writes to stdout and stderr: it runs once per process and the tests that need the same output
// share it (a run on the bundled incident costs about a second of CPU under -race). The output
// is the same on every run: the golden and sample-report tests hold it to committed files.
func ltShared(t *testing.T, args ...string) result {
	t.Helper()
	v, _ := sharedRuns.LoadOrStore(strings.Join(args, "\x00"), &sharedRun{})
	r := v.(*sharedRun)
	r.once.Do(func() { r.res = lt(t, nil, args...) })
	return r.res
}

var sharedRuns sync.Map // the command line joined by NUL → *sharedRun

type sharedRun struct {
	once sync.Once
	res  result
}

// TestBinary builds the real binary and runs it on the bundled incident: exit status, standard
// output and standard error are those of a real process, with real os.Stdin, signals and exit.
func TestBinary(t *testing.T) {
	t.Parallel() // in process, no globals; runs beside the other slow tests
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "logtriage")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command("go", "build", "-o", bin, "./cmd/logtriage")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building logtriage: %v\n%s", err, out)
	}
	edge, err := os.ReadFile("samples/incidents/edge.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "analyze", "-o", "json", "edge=-", "app=samples/incidents/app.json")
	cmd.Stdin = bytes.NewReader(edge)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	if got := cmd.ProcessState.ExitCode(); got != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", got, errb.String())
	}
	inproc := lt(t, edge, "analyze", "-o", "json", "edge=-", "app=samples/incidents/app.json")
	if inproc.code != exitOK || inproc.stdout != out.String() {
		t.Errorf("the binary and the in-process run differ: exit %d vs 0, %d vs %d bytes of output",
			inproc.code, len(inproc.stdout), out.Len())
	}
	if !strings.Contains(out.String(), `"findings"`) {
		t.Errorf("no findings in the binary's JSON: %.200s", out.String())
	}

	// How the inputs are read depends on the cores: with one, the merging goroutine reads every
	// input itself; with two, the smaller layers; from four, none (parsers/share.go). The
	// analysis must not: the same document, requests listed, whatever GOMAXPROCS.
	for _, args := range [][]string{
		{"--nginx-conf", "samples/incidents/nginx.conf", "--envoy-config", "samples/incidents/envoy.yaml",
			"alb=samples/incidents/alb.log.gz", "edge=samples/incidents/edge.log",
			"ingress=samples/incidents/ingress.log", "app=samples/incidents/app.json"},
		{"edge=samples/default-logs/edge.log", "flask=samples/default-logs/flask-1.log", "flask=samples/default-logs/flask-2.log",
			"fastapi=samples/default-logs/fastapi.log", "gin=samples/default-logs/gin.log"},
	} {
		var first string
		for _, procs := range []string{"1", "2", "3", "8"} {
			c := exec.Command(bin, append([]string{"analyze", "-q", "-o", "json", "--requests"}, args...)...)
			c.Env = append(os.Environ(), "GOMAXPROCS="+procs)
			out, err := c.Output()
			if err != nil {
				t.Fatalf("GOMAXPROCS=%s %v: %v", procs, args, err)
			}
			switch {
			case procs == "1":
				first = string(out)
			case string(out) != first:
				t.Errorf("GOMAXPROCS=%s: the analysis of %s differs from the one-core run's", procs, args[len(args)-1])
			}
		}
	}

	bad := exec.Command(bin, "analyze", "--order", "edge,,app", "samples/incidents/edge.log")
	if err := bad.Run(); !errors.As(err, &ee) || ee.ExitCode() != exitUsage {
		t.Errorf("a usage error: %v, want exit %d", err, exitUsage)
	}
}
