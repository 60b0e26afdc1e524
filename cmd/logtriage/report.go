package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/limits"
	"github.com/logtriage/logtriage/parsers"
)

// reportCmd renders a saved analysis (analyze or es with --output json) in any output format,
// so that a batch job's JSON can become a postmortem later.
type reportCmd struct {
	File string `arg:"" name:"FILE" help:"JSON analysis written by analyze or es with --output json; - reads standard input."`
	outputFlags
	gateFlags
}

func (c *reportCmd) Run(s *streams) error {
	if err := c.outputFlags.check(s.err, []string{c.File}); err != nil {
		return err
	}
	a, es, err := reportLoad(s.in, c.File)
	if err != nil {
		return err
	}
	if c.Requests && c.Output == "json" && len(a.Requests) == 0 && a.Summary.Requests405 > 0 {
		// The request list is in the saved document or nowhere: say so rather than print none.
		fmt.Fprintf(s.err, "logtriage: %s holds no request list (it was saved without --requests): run analyze or es again with --output json --requests\n", c.File)
	}
	for i := range a.Findings {
		c.gateFlags.specInDoc = c.gateFlags.specInDoc || a.Findings[i].Contract != ""
	}
	if err := c.gateFlags.annotate(a); err != nil {
		return err
	}
	if c.Output == "json" && len(es) > 0 {
		// A document of es: its job report is kept, as es wrote it.
		err = c.outputFlags.writeJSONWithES(s.out, a, es)
	} else {
		err = c.outputFlags.write(s.out, a)
	}
	if err != nil {
		return err
	}
	return c.gateFlags.gate(s.err, a)
}

// maxAnalysisBytes bounds a saved analysis; a variable so that tests can lower it.
var maxAnalysisBytes int64 = limits.AnalysisBytes

// reportLoad reads and checks a JSON analysis document; es is its "elasticsearch" key, the job
// report of a document es wrote (nil for analyze's).
func reportLoad(stdin io.Reader, name string) (*analysis.Analysis, json.RawMessage, error) {
	var r io.Reader
	label := name
	if name == "-" {
		r, label = stdin, "standard input"
	} else {
		f, err := os.Open(name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				err = fmt.Errorf("cannot read %s: no such file: check the path (a JSON analysis written by analyze --output json)", name)
			}
			return nil, nil, &exitError{exitFatal, err}
		}
		defer f.Close()
		r = f
	}
	data, err := limits.ReadAll(r, maxAnalysisBytes, label) // "report -" on an endless stream
	if errors.Is(err, limits.ErrTooLarge) {
		return nil, nil, usageErr("%w", err)
	}
	if err != nil {
		return nil, nil, &exitError{exitFatal, fmt.Errorf("reading %s: %w", label, err)}
	}
	// A byte order mark is no JSON: an editor's or PowerShell's UTF-8 one is dropped; UTF-16
	// (what Windows PowerShell 5's > writes) is named, with what to do.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		return nil, nil, usageErr("%s is UTF-16 text (Windows PowerShell's > writes it): save the analysis as UTF-8, with --out FILE or Out-File -Encoding utf8", label)
	}
	// The schema first, so that a document of another version gets a clear message rather
	// than a field-level decoding error.
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, nil, usageErr("%s is not a logtriage analysis (JSON from analyze --output json): %v", label, err)
	}
	switch {
	case head.Schema == nil:
		return nil, nil, usageErr("%s has no \"schema\" field: not a logtriage analysis (write one with analyze --output json)", label)
	case *head.Schema != analysis.Schema && *head.Schema != analysis.SchemaV1:
		// v1 differs only in the hops' "local" (strings then), which analysis.HopLocal reads.
		return nil, nil, usageErr("%s is a %q document; this logtriage reads %q and %q (render it with the logtriage version that wrote it, or analyze the logs again)",
			label, *head.Schema, analysis.Schema, analysis.SchemaV1)
	}
	var doc struct {
		analysis.Analysis
		Elasticsearch json.RawMessage `json:"elasticsearch"` // es's job report (es.go), kept as it is
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, usageErr("%s: %v", label, err)
	}
	// A v1 document read is a v2 one now (its hops' local are booleans): --output json writes
	// it as such.
	doc.Schema = analysis.Schema
	if string(doc.Elasticsearch) == "null" {
		doc.Elasticsearch = nil
	}
	if err := checkTimeline(doc.Timeline); err != nil {
		return nil, nil, usageErr("%s: %v (write the document again with analyze --output json)", label, err)
	}
	return &doc.Analysis, doc.Elasticsearch, nil
}

// checkTimeline checks what the renderers divide by and place on an axis: a saved analysis may
// have been edited by hand or by a script.
func checkTimeline(tl *analysis.Timeline) error {
	if tl == nil || len(tl.Buckets) == 0 {
		return nil
	}
	const maxBucket = 366 * 24 * 3600 // a year; analyze's widest bucket is a week
	if tl.BucketSeconds < 1 || tl.BucketSeconds > maxBucket {
		return fmt.Errorf("timeline.bucket_seconds is %d; it must be from 1 to %d", tl.BucketSeconds, maxBucket)
	}
	if err := parsers.CheckTime(tl.Start); err != nil {
		return fmt.Errorf("timeline.start: %w", err)
	}
	for i, b := range tl.Buckets {
		if err := parsers.CheckTime(b.Start); err != nil {
			return fmt.Errorf("timeline.buckets[%d].start: %w", i, err)
		}
	}
	for i, e := range tl.Events {
		if err := parsers.CheckTime(e.Time); err != nil {
			return fmt.Errorf("timeline.events[%d].time: %w", i, err)
		}
	}
	return nil
}
