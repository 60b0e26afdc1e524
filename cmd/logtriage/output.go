package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/analysis/report"
	"github.com/logtriage/logtriage/internal/num"
	"github.com/logtriage/logtriage/parsers"
)

// outputFlags choose how an analysis is written; shared by analyze, es and report.
type outputFlags struct {
	Output   string `short:"o" help:"Output format: text (a terminal report), json (the versioned document described in the README), markdown (a postmortem draft) or html (the same postmortem as one self-contained page with charts)." enum:"text,json,markdown,html" default:"text"`
	Requests bool   `help:"With --output json, add one entry per request with a 405: its ids, hops and verdict."`
	Out      string `help:"Write the output to FILE instead of standard output (replaced only once complete)." type:"path" placeholder:"FILE"`
	Top      int    `help:"Markdown and HTML: rows of the findings, routes and clients tables; the rest are counted." default:"20"`
	Detail   int    `help:"Markdown and HTML: findings with a root cause, remediation and prevention section of their own." default:"10"`

	requestsUsed bool // --requests does more than add to the JSON document (es --write-findings)
}

// foldNote says on stderr, for --requests, that the list stops at the requests kept whole.
func (f *outputFlags) foldNote(stderr io.Writer, a *analysis.Analysis, quiet bool) {
	if f.Requests && f.Output == "json" && a.Summary.FoldedRequests > 0 && !quiet {
		fmt.Fprintf(stderr, "note: --requests lists the %s requests with a 405 kept whole; %s more were counted into a kept request of the same shape (summary.folded_requests; every count includes them)\n",
			num.Thousands(int64(len(a.Requests))), num.Thousands(a.Summary.FoldedRequests))
	}
}

// writeJSONWithES writes the analysis document (as Analysis.WriteJSON writes it) with es's job
// report as one more key, "elasticsearch": es writes it, and report writes it back from a saved
// document, which it would otherwise drop.
func (f *outputFlags) writeJSONWithES(stdout io.Writer, a *analysis.Analysis, es any) error {
	doc := *a
	if !f.Requests {
		doc.Requests = nil
	} else if doc.Requests == nil {
		doc.Requests = []analysis.RequestView{}
	}
	if doc.Findings == nil {
		doc.Findings = []analysis.Finding{}
	}
	body := struct {
		*analysis.Analysis
		Elasticsearch any `json:"elasticsearch"`
	}{&doc, es}
	return f.emit(stdout, func(out io.Writer) error {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(&body)
	})
}

// write renders a to standard output or --out.
func (f *outputFlags) write(stdout io.Writer, a *analysis.Analysis) error {
	opts := report.Options{Top: f.Top, Detail: f.Detail}
	if f.Detail == 0 {
		opts.Detail = report.NoDetail // the zero value of Options.Detail is its default
	}
	return f.emit(stdout, func(out io.Writer) error {
		switch f.Output {
		case "json":
			return a.WriteJSON(out, f.Requests)
		case "markdown":
			return report.Markdown(out, a, opts)
		case "html":
			return report.HTML(out, a, opts)
		default:
			return report.Text(out, a)
		}
	})
}

// emit runs render on a buffered writer to standard output or --out, which is written
// atomically for files and straight through for devices (createOut): a failed render leaves
// an existing file as it was.
func (f *outputFlags) emit(stdout io.Writer, render func(io.Writer) error) error {
	var dst io.Writer = stdout
	var of *outFile
	if f.Out != "" && f.Out != "-" {
		var err error
		if of, err = createOut(f.Out); err != nil {
			return err
		}
		defer of.abort()
		dst = of.f
	}
	out := bufio.NewWriterSize(dst, 64<<10)
	err := render(out)
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err == nil && of != nil {
		err = of.commit()
	}
	if err != nil {
		return &exitError{exitFatal, err}
	}
	return nil
}

// check refuses output flags that cannot be followed, and an --out that names one of the
// inputs (a log file, a saved analysis), before anything is read: the report would replace the
// data it was made from. --requests without --output json is noted on stderr, and ignored.
func (f *outputFlags) check(stderr io.Writer, args []string) error {
	if f.Top < 1 {
		return usageErr("--top %d: give the number of table rows, 1 or more (the rest are counted)", f.Top)
	}
	if f.Detail < 0 {
		return usageErr("--detail %d: give the number of findings with sections of their own, 0 or more", f.Detail)
	}
	if f.Requests && f.Output != "json" && !f.requestsUsed {
		fmt.Fprintf(stderr, "logtriage: --requests adds the requests to the JSON document only: add --output json (ignored with --output %s)\n", f.Output)
	}
	if f.Out == "" || f.Out == "-" {
		return nil
	}
	out, err := os.Stat(f.Out)
	if err != nil || !out.Mode().IsRegular() {
		return nil // a new path, or a device or pipe written straight through
	}
	var paths []string
	for _, arg := range args {
		if _, pat := parsers.ParseInputArg(arg); pat != "-" {
			paths = append(paths, pat)
		}
	}
	inputs, _ := parsers.ExpandInputs(paths) // what cannot be expanded is reported when read
	for _, in := range inputs {
		if st, err := os.Stat(in.Path); err == nil && os.SameFile(st, out) {
			return usageErr("--out %s is the input %s: write the report to another file", f.Out, in.Name)
		}
	}
	return nil
}

// outFile is an open --out target. A regular file (or a new path) is written to a temporary
// file beside it and renamed over it once complete, so that a failed run leaves the previous
// report in place; the replaced file keeps its permissions. Anything else at the path (a
// device such as /dev/null, a FIFO, /dev/stdout) is opened and written straight through: a
// rename would replace the device node with a plain file.
type outFile struct {
	f      *os.File
	target string // the path the temporary file is renamed to; "" when written straight through
	mode   os.FileMode
	done   bool
}

func createOut(path string) (*outFile, error) {
	fail := func(err error) (*outFile, error) {
		return nil, &exitError{exitFatal, fmt.Errorf("--out %s: %w", path, err)}
	}
	target, mode := path, os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		switch {
		case st.IsDir():
			return fail(errors.New("is a directory: name a file"))
		case !st.Mode().IsRegular() || throughProc(path):
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				return fail(err)
			}
			return &outFile{f: f}, nil
		}
		mode = st.Mode().Perm()
		// Replace the file a symbolic link points to, not the link.
		if real, err := filepath.EvalSymlinks(path); err == nil {
			target = real
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail(err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*")
	if err != nil {
		return fail(fmt.Errorf("%w (the directory must be writable: the report is written beside the file and renamed)", err))
	}
	return &outFile{f: tmp, target: target, mode: mode}, nil
}

// throughProc reports whether path leads through /dev/fd or /proc (/dev/stdout,
// /proc/self/fd/1): the file behind it is a descriptor the caller already opened, truncated
// or appended to; writing straight to it keeps that.
func throughProc(path string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return true
	}
	for _, p := range []string{filepath.Clean(path), real} {
		if strings.HasPrefix(p, "/dev/") || strings.HasPrefix(p, "/proc/") {
			return true
		}
	}
	return false
}

// commit finishes the file: the temporary file gets the mode and replaces the target.
func (o *outFile) commit() error {
	o.done = true
	err := o.f.Close()
	if o.target == "" || err != nil {
		if o.target != "" {
			os.Remove(o.f.Name())
		}
		return err
	}
	if err = os.Chmod(o.f.Name(), o.mode); err == nil {
		err = os.Rename(o.f.Name(), o.target)
	}
	if err != nil {
		os.Remove(o.f.Name())
	}
	return err
}

// abort drops an unfinished temporary file; after commit it does nothing.
func (o *outFile) abort() {
	if o.done {
		return
	}
	o.f.Close()
	if o.target != "" {
		os.Remove(o.f.Name())
	}
}

// writeReport writes a contract or probe report to standard output in the named format: its
// JSON document, or one of its renderings.
func writeReport[R any](stdout io.Writer, format string, r R, asJSON func(io.Writer) error, asMarkdown, asText func(io.Writer, R) error) error {
	out := bufio.NewWriterSize(stdout, 64<<10)
	var err error
	switch format {
	case "json":
		err = asJSON(out)
	case "markdown":
		err = asMarkdown(out, r)
	default:
		err = asText(out, r)
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return &exitError{exitFatal, err}
	}
	return nil
}
