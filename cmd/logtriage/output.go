package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/logtriage/logtriage/analysis"
	render "github.com/logtriage/logtriage/analysis/report"
)

// outputFlags choose how an analysis is written; shared by analyze, es and report.
type outputFlags struct {
	Output   string `short:"o" help:"Output format: text (a terminal report), json (the versioned document described in the README), markdown (a postmortem draft) or html (the same postmortem as one self-contained page with charts)." enum:"text,json,markdown,html" default:"text"`
	Requests bool   `help:"With --output json, add one entry per request with a 405: its ids, hops and verdict."`
	Out      string `help:"Write the output to FILE instead of standard output (replaced only once complete)." type:"path" placeholder:"FILE"`
	Top      int    `help:"Markdown and HTML: rows of the findings, routes and clients tables; the rest are counted." default:"20"`
	Detail   int    `help:"Markdown and HTML: findings with a root cause, remediation and prevention section of their own." default:"10"`
}

// write renders a to standard output or --out.
func (f *outputFlags) write(stdout io.Writer, a *analysis.Analysis) error {
	var dst io.Writer = stdout
	var tmp *os.File
	if f.Out != "" && f.Out != "-" {
		var err error
		// A temporary file beside the target, renamed at the end: a failed run leaves the
		// previous report in place.
		tmp, err = os.CreateTemp(filepath.Dir(f.Out), "."+filepath.Base(f.Out)+".*")
		if err != nil {
			return &exitError{exitFatal, fmt.Errorf("--out: %w", err)}
		}
		defer os.Remove(tmp.Name())
		dst = tmp
	}
	out := bufio.NewWriterSize(dst, 64<<10)
	opts := render.Options{Top: f.Top, Detail: f.Detail}
	var err error
	switch f.Output {
	case "json":
		err = a.WriteJSON(out, f.Requests)
	case "markdown":
		err = render.Markdown(out, a, opts)
	case "html":
		err = render.HTML(out, a, opts)
	default:
		err = render.Text(out, a)
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if tmp != nil {
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			if err = os.Chmod(tmp.Name(), 0o644); err == nil {
				err = os.Rename(tmp.Name(), f.Out)
			}
		}
	}
	if err != nil {
		return &exitError{exitFatal, err}
	}
	return nil
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
