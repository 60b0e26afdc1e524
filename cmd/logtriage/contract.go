package main

import (
	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/analysis/report"
)

type contractCmd struct {
	inputFlags
	analysisFlags
	gateFlags
	Output string `short:"o" help:"Output format: text, markdown (for a pull request or a ticket) or json." enum:"text,markdown,json" default:"text"`
}

func (c *contractCmd) Run(s *streams) error {
	if c.OpenAPI == "" {
		return usageErr("contract needs --openapi FILE: the spec to hold the logs against")
	}
	if err := c.gateFlags.load(); err != nil {
		return err
	}
	if err := c.analysisFlags.check(); err != nil {
		return err
	}
	opts := c.options()
	opts.Surface = true
	c.noProgress = c.Output == "json"
	a, stats, err := analyzeInputs(s, &c.inputFlags, opts)
	if err != nil {
		return err
	}
	if err := c.gateFlags.annotate(a); err != nil {
		return err
	}
	rep := analysis.CheckSurface(a, c.gateFlags.spec)
	if err := writeReport(s.out, c.Output, rep, rep.WriteJSON, report.ContractMarkdown, report.ContractText); err != nil {
		return err
	}
	if err := c.gateFlags.gate(s.err, a); err != nil {
		return err
	}
	return inputsExit(s.err, stats, &c.inputFlags)
}
