package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/analysis/report"
	"github.com/logtriage/logtriage/internal/term"
	"github.com/logtriage/logtriage/parsers"
)

// analysisFlags are the options of the analysis engine, shared by analyze, trace and es.
type analysisFlags struct {
	Order      string        `help:"Layer order outer to inner, overriding the order inferred from the data: --order alb,edge,ingress,app. Naming some layers orders those; the others stay where the data puts them." placeholder:"LAYERS"`
	JoinWindow time.Duration `name:"join-window" help:"How far apart in time the records of one request may be (clock skew plus the slowest request)." default:"2m"`
	// IncludeMonitors counts monitor probes as findings (analysis/causes_more.go).
	IncludeMonitors bool `name:"include-monitors" help:"Count HEAD/OPTIONS probes of uptime monitors and health checks (cause monitor_probe) in the findings, the 405 count and --fail-on; by default they are reported apart as noise."`
}

// check refuses a --join-window that is not positive: the engine would take 0 or less for its
// default, two minutes, without a word.
func (f *analysisFlags) check() error {
	if f.JoinWindow <= 0 {
		return usageErr("--join-window %s: give how far apart the records of one request may be, more than 0 (2m by default)", f.JoinWindow)
	}
	return nil
}

func (f *analysisFlags) options() analysis.Options {
	var order []string
	for _, l := range strings.Split(f.Order, ",") {
		if l = strings.TrimSpace(l); l != "" {
			order = append(order, l)
		}
	}
	return analysis.Options{Order: order, JoinWindow: f.JoinWindow, IncludeMonitors: f.IncludeMonitors}
}

type analyzeCmd struct {
	inputFlags
	analysisFlags
	outputFlags
	gateFlags
}

func (c *analyzeCmd) Run(s *streams) error {
	defer limitMemory(memoryLimit)()           // the soft memory limit (memlimit.go)
	if err := c.gateFlags.load(); err != nil { // a bad spec or --fail-on fails before the reading
		return err
	}
	if err := c.analysisFlags.check(); err != nil {
		return err
	}
	if err := c.outputFlags.check(s.err, c.Inputs); err != nil {
		return err
	}
	c.noProgress = c.Output == "json"
	opts := c.options()
	opts.NoRequestViews = !c.Requests && c.gateFlags.spec == nil // nothing reads them
	a, stats, err := analyzeInputs(s, &c.inputFlags, opts)
	if err != nil {
		return err
	}
	if noneRead(stats) {
		// No report: "No 405 responses found" would read as an answer. stderr says why, with
		// the inputs' table and their rejected lines that the report would have held.
		code := inputSummary(s.err, stats, c.Strict, c.Quiet)
		return &exitError{code, errSummary(stats, code)}
	}
	if err := c.gateFlags.annotate(a); err != nil {
		return err
	}
	if err := c.outputFlags.write(s.out, a); err != nil {
		return err
	}
	c.outputFlags.foldNote(s.err, a, c.Quiet)
	windowNote(s.err, stats, a.Summary.Records, &c.inputFlags)
	if err := c.gateFlags.gate(s.err, a); err != nil {
		return err
	}
	return inputsExit(s.err, stats, &c.inputFlags)
}

// analyzeInputs reads every input once, all at once, and runs the engine over the records in
// time order.
func analyzeInputs(s *streams, f *inputFlags, opts analysis.Options) (*analysis.Analysis, []parsers.Stats, error) {
	cfg, err := f.config(s.err)
	if err != nil {
		return nil, nil, err
	}
	inputs, err := f.inputs(s.in, s.err)
	if err != nil {
		return nil, nil, err
	}
	since, until, err := f.window(time.Now())
	if err != nil {
		return nil, nil, err
	}
	filter := parsers.Filter{Since: since, Until: until}
	if err := methodRules(f, cfg, &opts); err != nil { // causes.go
		return nil, nil, err
	}
	// The inputs' readers tell the engine of a log out of time order as they parse it, ahead
	// of the merge.
	late := new(atomic.Int64)
	cfg.Lateness, opts.Lateness = late, late
	engine := analysis.New(opts)
	cfg.Starts = engine.ExpectLayers
	line := startProgress(s, "reading", inputs, !f.Quiet && !f.noProgress)
	res := newTimeResolutions(inputs) // timeres.go
	keep := func(rec *parsers.Record, b *parsers.Batch) bool {
		res.note(rec) // of the log, whatever the time window
		if !filter.Match(rec) {
			return false
		}
		engine.Pack(rec, b) // on the input's own goroutine
		return true
	}
	stats := cfg.MergeBatches(inputs, f.MaxLine, keep, engine.Add, engine.BatchDone)
	line.Stop()
	if err := checkOrder(opts.Order, stats); err != nil {
		return nil, nil, err
	}
	in := make([]analysis.InputStats, len(stats))
	for i, s := range stats {
		in[i] = analysis.InputStats{Name: s.Input, Layer: s.Layer, Format: s.Format,
			Read: s.Read, Parsed: s.Parsed, Rejected: s.Rejected, Blank: s.Blank, Skipped: s.Skipped,
			TimeResolution: res.of(s)}
		for _, e := range s.Examples {
			in[i].Rejections = append(in[i].Rejections, analysis.Rejection{Source: e.Source, Reason: e.Reason})
		}
		if s.Err != "" {
			// The source names the input: the reason goes on without it ("x.gz after line 18: …").
			reason := s.Err
			if rest, ok := strings.CutPrefix(reason, s.Input); ok && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, ": ")) {
				reason = strings.TrimPrefix(strings.TrimPrefix(rest, ":"), " ")
			}
			in[i].Rejections = append(in[i].Rejections, analysis.Rejection{Source: s.Input, Reason: reason})
		}
	}
	return engine.Result(in), stats, nil
}

// inputsExit reports input errors on stderr (the per-input table is part of the report), and
// the notes on inputs that hold no access records (an nginx error log read as the access log
// would otherwise leave "No 405 responses found" unexplained), and returns the exit status they
// imply.
func inputsExit(stderr io.Writer, stats []parsers.Stats, f *inputFlags) error {
	for _, s := range stats {
		if s.Note != "" && !f.Quiet {
			term.Fprintf(stderr, "note: %s: %s\n", s.Input, s.Note)
		}
	}
	code := inputSummary(stderr, stats, f.Strict, true)
	if code != exitOK {
		return &exitError{code, errSummary(stats, code)}
	}
	return nil
}

type traceCmd struct {
	ID string `arg:"" name:"ID" help:"Any id of the request: X-Request-ID, traceparent or trace id, X-Amzn-Trace-Id or its Root, B3 trace id; for a request with a 405 whose logs carry no id, FILE:LINE of one of its records, as the reports' examples name it."`
	inputFlags
	analysisFlags
	Output string `short:"o" help:"Output format: text or json." enum:"text,json" default:"text"`
}

func (c *traceCmd) Run(s *streams) error {
	defer limitMemory(memoryLimit)() // the soft memory limit (memlimit.go)
	if err := c.analysisFlags.check(); err != nil {
		return err
	}
	id := parsers.ParseID(idValue(c.ID))
	source := sourceRE.MatchString(c.ID) // FILE:LINE, the examples' name for a request without ids
	if id.Empty() && !source {
		return usageErr("%q is not an id logtriage can match (a request id, traceparent, trace id, X-Amzn-Trace-Id or B3 id, or FILE:LINE of a record)", c.ID)
	}
	opts := c.options()
	if !id.Empty() {
		opts.TraceIDs = []parsers.IDs{id}
	}
	c.noProgress = c.Output == "json"
	a, stats, err := analyzeInputs(s, &c.inputFlags, opts)
	if err != nil {
		return err
	}
	var reqs []analysis.RequestView
	if !id.Empty() {
		reqs = a.Trace(id)
	}
	if len(reqs) == 0 && source {
		reqs = a.TraceSource(c.ID)
	}
	// With no request found, an input that could not be read (a custom format not told) is the
	// likelier reason than an id absent from the logs: its errors come first, and when nothing
	// could be read that is the answer (exit 1), not "no request with id".
	var notFound error
	if len(reqs) == 0 {
		ierr := inputsExit(s.err, stats, &c.inputFlags)
		if ee := (*exitError)(nil); errors.As(ierr, &ee) && ee.code == exitFatal {
			return ierr
		}
		why := "check the time window and that the layer logs this id kind"
		if source {
			why = sourceNotFound(c.ID, stats)
		}
		if ierr != nil {
			why += "; " + ierr.Error()
		}
		notFound = &exitError{exitNotFound, fmt.Errorf("no request with id %s in the inputs (%s)", c.ID, why)}
	}
	out := bufio.NewWriter(s.out)
	if c.Output == "json" {
		if reqs == nil {
			reqs = []analysis.RequestView{} // [], not null: a script iterates over it
		}
		err = writeJSON(out, reqs)
	} else {
		err = report.Trace(out, c.ID, reqs)
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return &exitError{exitFatal, err}
	}
	if notFound != nil {
		return notFound
	}
	return inputsExit(s.err, stats, &c.inputFlags)
}

// sourceNotFound says why no request with a 405 has a record at source (FILE:LINE): FILE is not
// an input as named on the command line, it has fewer lines, or that line is not a 405's.
func sourceNotFound(source string, stats []parsers.Stats) string {
	i := strings.LastIndexByte(source, ':')
	file, line := source[:i], source[i+1:]
	var names []string
	for _, s := range stats {
		if s.Input == file {
			if n, err := strconv.ParseInt(line, 10, 64); err == nil && n > s.Read {
				return fmt.Sprintf("%s has %s", file, counted(s.Read, "line", "lines"))
			}
			return fmt.Sprintf("line %s of %s is not a record of a request with a 405: FILE:LINE finds only those; trace any other request by an id it logs", line, file)
		}
		names = append(names, s.Input)
	}
	if len(names) > 5 {
		names = append(names[:5], "…")
	}
	return fmt.Sprintf("no input is named %s: give FILE as the reports show it, the path given on the command line: %s", file, strings.Join(names, ", "))
}

// idHeaders are the headers an id is pasted with, from a complaint or a browser's network tab.
var idHeaders = map[string]bool{"x-request-id": true, "x-amzn-trace-id": true, "traceparent": true, "b3": true,
	"x-b3-traceid": true, "x-correlation-id": true, "request-id": true}

// idValue is the id in s without the header name it may have been copied with
// ("X-Amzn-Trace-Id: Root=1-…", which was taken for a request id of that text).
func idValue(s string) string {
	if name, v, ok := strings.Cut(strings.TrimSpace(s), ":"); ok && idHeaders[strings.ToLower(strings.TrimSpace(name))] {
		return strings.TrimSpace(v)
	}
	return s
}

// sourceRE matches a record's source, FILE:LINE.
var sourceRE = regexp.MustCompile(`.:[0-9]+$`)

func writeJSON(w *bufio.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// checkOrder refuses an --order that names a layer no input has: a typo would otherwise move the
// layers it left out to the inside and change every verdict.
func checkOrder(order []string, stats []parsers.Stats) error {
	known := map[string]bool{}
	var names []string
	for _, s := range stats {
		if s.Layer != "" && !known[s.Layer] {
			known[s.Layer] = true
			names = append(names, s.Layer)
		}
	}
	for _, l := range order {
		if !known[l] {
			return usageErr("--order names %q, which is not a layer of the inputs (they are: %s)", l, strings.Join(names, ", "))
		}
	}
	return nil
}
