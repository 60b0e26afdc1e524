package main

import (
	"bufio"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

type parseCmd struct {
	inputFlags
	Status []int `help:"Keep only records with these statuses (comma-separated); an upstream attempt's status counts too, so masked 405s are kept." placeholder:"CODE,..."`
}

func (c *parseCmd) Run(s *streams) error {
	cfg, err := c.config(s.err)
	if err != nil {
		return err
	}
	inputs, err := c.inputs(s.in)
	if err != nil {
		return err
	}
	since, until, err := c.window(time.Now())
	if err != nil {
		return err
	}
	filter := parsers.Filter{Statuses: c.Status, Since: since, Until: until}
	out := bufio.NewWriterSize(s.out, 256<<10)
	var writeErr error
	stats := make([]parsers.Stats, 0, len(inputs))
	line := startProgress(s, "parse", inputs, !c.Quiet)
	for _, in := range inputs {
		o, err := cfg.OpenInput(in)
		if err != nil {
			stats = append(stats, parsers.Stats{Input: in.Name, Layer: in.Layer, Err: err.Error()})
			continue
		}
		scan := o.Scan
		if !c.Strict { // --strict asks whether any line is rejected: every line is parsed
			scan = func(max int, work func(*parsers.Record, *parsers.Batch), deliver func(*parsers.Batch)) parsers.Stats {
				return o.ScanFiltered(&filter, max, work, deliver)
			}
		}
		st := scan(c.MaxLine, func(rec *parsers.Record, b *parsers.Batch) {
			if filter.Match(rec) {
				b.Out = rec.AppendJSON(b.Out)
				b.Out = append(b.Out, '\n')
			}
		}, func(b *parsers.Batch) {
			if writeErr == nil && len(b.Out) > 0 {
				_, writeErr = out.Write(b.Out)
			}
		})
		stats = append(stats, st)
		if writeErr != nil {
			break
		}
	}
	if err := out.Flush(); writeErr == nil {
		writeErr = err
	}
	line.Stop()
	if writeErr != nil {
		return &exitError{exitFatal, writeErr}
	}
	if code := inputSummary(s.err, stats, c.Strict, c.Quiet); code != exitOK {
		return &exitError{code, errSummary(stats, code)}
	}
	return nil
}
