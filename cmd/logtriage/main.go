// Command logtriage tells which layer (AWS ALB, nginx, Envoy, the application) turned a request
// into an HTTP 405, and why. This package only wires the command line to the parsers and
// analysis packages.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	_ "time/tzdata" // --tz zone names on machines without a zoneinfo database (distroless images)

	"github.com/alecthomas/kong"

	"github.com/logtriage/logtriage/internal/term"

	"github.com/logtriage/logtriage/internal/progress"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Exit codes (documented in the README).
const (
	exitOK       = 0 // everything read
	exitFatal    = 1 // nothing useful could be done (no input readable, output failed)
	exitUsage    = 2 // bad flags, format strings or configuration files
	exitPartial  = 3 // some input could not be read or its format not told; the rest was processed
	exitRejected = 4 // --strict and at least one line was rejected
	exitFindings = 5 // --fail-on matched (reserved for the CI gate)
	exitNotFound = 6 // trace: no request has the id
)

// exitError carries an exit code through kong's Run methods.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

type cli struct {
	Version kong.VersionFlag `help:"Print the version and exit."`

	Parse    parseCmd    `cmd:"" help:"Print normalised records as JSON lines, one per record."`
	Analyze  analyzeCmd  `cmd:"" help:"Correlate requests across hops, attribute every 405 to the layer that generated it, and explain why."`
	Trace    traceCmd    `cmd:"" help:"Show one request's hop chain and verdict, by any of its ids."`
	ES       esCmd       `cmd:"" name:"es" help:"Triage 405s in Elasticsearch indices, pushing the work down to the cluster."`
	Report   reportCmd   `cmd:"" help:"Render a saved JSON analysis (analyze or es --output json) as text, json, markdown or html: the postmortem report."`
	Contract contractCmd `cmd:"" help:"Hold the method surface seen in the logs against an OpenAPI spec, per layer: documented methods with 405s, undocumented methods that succeeded, routes the spec lacks, OPTIONS/CORS."`
	Probe    probeCmd    `cmd:"" help:"Send OPTIONS, HEAD and GET (and a CORS preflight) to live URLs: status, Allow and CORS headers, compliance, contract, drift between environments."`

	Completion completionCmd `cmd:"" help:"Print a shell completion script: source <(logtriage completion bash)."`
}

const description = `Find which layer turned a request into an HTTP 405, and why.

Inputs are files, globs, directories or - (standard input), each optionally named by its
layer: edge=logs/nginx/access.log app='logs/app/*.json'. Formats (AWS ALB, nginx, Envoy, Apache
httpd, HAProxy, Caddy, Traefik, IIS, and application logs: JSON, logfmt or a web framework's
default lines; gzip or plain) are detected from the first lines.`

// streams are the command's standard input, output and error; every command writes only to
// them, so that tests run the whole command line in process.
type streams struct {
	in       io.Reader
	out, err io.Writer
	// progress holds the progress line's terminal test and clock (internal/progress); tests
	// fake them, the zero value is the real ones.
	progress progress.Options
}

func main() {
	enableMemoryLimit() // analyze and trace run under a soft memory limit (memlimit.go)
	stop := profile()
	code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// profile writes a CPU profile of the whole command to $LOGTRIAGE_CPUPROFILE and an allocation
// profile to $LOGTRIAGE_MEMPROFILE, when set (make bench PROFILE=dir; read with go tool pprof),
// and an execution trace to $LOGTRIAGE_TRACE (go tool trace: which goroutines ran, and when
// a core sat idle).
func profile() (stop func()) {
	cpu, mem := os.Getenv("LOGTRIAGE_CPUPROFILE"), os.Getenv("LOGTRIAGE_MEMPROFILE")
	var f *os.File
	if cpu != "" {
		var err error
		if f, err = os.Create(cpu); err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "logtriage: LOGTRIAGE_CPUPROFILE:", err)
		}
	}
	if mem != "" {
		runtime.MemProfileRate = 64 << 10
	}
	var tf *os.File
	if t := os.Getenv("LOGTRIAGE_TRACE"); t != "" {
		var err error
		if tf, err = os.Create(t); err == nil {
			err = trace.Start(tf)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "logtriage: LOGTRIAGE_TRACE:", err)
		}
	}
	return func() {
		if tf != nil {
			trace.Stop()
			tf.Close()
		}
		if f != nil {
			pprof.StopCPUProfile()
			f.Close()
		}
		if mem != "" {
			if m, err := os.Create(mem); err == nil {
				pprof.Lookup("allocs").WriteTo(m, 0)
				m.Close()
			}
		}
	}
}

// exitPanic carries kong's exit (after --help, --version or a usage error) out of parsing.
type exitPanic int

// run is the whole command line: it parses args, runs the command and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	var c cli
	parser, err := kong.New(&c,
		kong.Name("logtriage"),
		kong.Description(description),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Vars{"version": "logtriage " + buildVersion()},
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) {
			if code == 80 { // kong's code for a command-line error
				code = exitUsage
			}
			panic(exitPanic(code))
		}),
	)
	if err != nil {
		panic("BUG: command-line definition: " + err.Error())
	}
	defer func() {
		if p := recover(); p != nil {
			e, ok := p.(exitPanic)
			if !ok {
				panic(p)
			}
			code = int(e)
		}
	}()
	ctx, err := parser.Parse(args)
	if err != nil {
		// A command-line error and where to read the usage go to stderr only: stdout carries the
		// records or the report, often redirected to a file that the help text would fill.
		var pe *kong.ParseError
		if errors.As(err, &pe) {
			fmt.Fprintln(stderr, "logtriage: error:", term.Clean(err.Error()))
			fmt.Fprintln(stderr, usageHint(pe.Context))
			return exitUsage
		}
		parser.FatalIfErrorf(err)
	}
	if err := ctx.Run(&streams{in: stdin, out: stdout, err: stderr}, parser); err != nil {
		fmt.Fprintln(stderr, "logtriage:", term.Clean(err.Error())) // messages quote ids, paths and log content
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return exitFatal
	}
	return exitOK
}

// usageHint names the help to read after a command-line error: the command's, once one was
// given, else the list of commands.
func usageHint(ctx *kong.Context) string {
	if ctx != nil {
		if cmd := ctx.Selected(); cmd != nil {
			return fmt.Sprintf("Run %q for its arguments and flags.", cmd.FullPath()+" --help")
		}
	}
	return `Run "logtriage --help" for the commands.`
}
