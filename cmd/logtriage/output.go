package main

import (
	"bufio"
	"os"

	"github.com/logtriage/logtriage/analysis"
)

// outputFlags choose how an analysis is written; shared by analyze, es and report.
type outputFlags struct {
	Output   string `short:"o" help:"Output format: text (a terminal report) or json (the versioned document described in the README)." enum:"text,json" default:"text"`
	Requests bool   `help:"With --output json, add one entry per request with a 405: its ids, hops and verdict."`
}

// write renders a to standard output.
func (f *outputFlags) write(a *analysis.Analysis) error {
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	var err error
	switch f.Output {
	case "json":
		err = a.WriteJSON(out, f.Requests)
	default:
		err = a.WriteText(out)
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return &exitError{exitFatal, err}
	}
	return nil
}
