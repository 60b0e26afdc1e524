package main

import (
	"fmt"
	"github.com/logtriage/logtriage/analysis/contract"
	"io"
	"strings"

	"github.com/logtriage/logtriage/analysis"
)

// gateFlags check an analysis against a method contract and turn findings into an exit
// status; shared by analyze, es and report (and contract). Self-contained: a command embeds
// it and calls annotate before writing its report and gate after.
type gateFlags struct {
	OpenAPI string `name:"openapi" help:"OpenAPI 3.0, 3.1 or 3.2 spec (YAML or JSON): mark each finding documented (the server is wrong), undocumented (the client is wrong) or unknown_route." type:"existingfile" placeholder:"FILE"`
	FailOn  string `name:"fail-on" help:"Exit with status 5 when a finding matches: any, documented, undocumented, unknown_route, a cause (deploy_regression, …), layer:NAME or method:NAME; comma = any of, + = all of (documented+layer:app)." placeholder:"LIST"`

	spec   *contract.Spec
	failOn *analysis.FailOn
	// specInDoc is set by report when the saved analysis holds contract verdicts already (it
	// was written with --openapi): documented, undocumented and unknown_route can use them.
	specInDoc bool
}

// load reads the spec and parses --fail-on once; a bad file or list is a usage error.
func (g *gateFlags) load() error {
	if g.FailOn != "" && g.failOn == nil {
		f, err := analysis.ParseFailOn(g.FailOn)
		if err != nil {
			return usageErr("%v", err)
		}
		if f.NeedsSpec && g.OpenAPI == "" && !g.specInDoc {
			return usageErr("--fail-on %s: documented, undocumented and unknown_route need --openapi FILE", g.FailOn)
		}
		g.failOn = f
	}
	if g.OpenAPI != "" && g.spec == nil {
		doc, err := contract.Load(g.OpenAPI)
		if err != nil {
			return usageErr("--openapi: %v", err)
		}
		g.spec = contract.NewSpec(doc)
	}
	return nil
}

// annotate adds what the gate knows to the analysis before it is written: the contract verdict
// of every finding.
func (g *gateFlags) annotate(a *analysis.Analysis) error {
	if err := g.load(); err != nil {
		return err
	}
	if g.spec != nil {
		analysis.ApplyContract(a, g.spec)
	}
	return nil
}

// gate returns an error carrying exit status 5 when a finding matches --fail-on, after printing
// one greppable FAIL line per matching finding on stderr.
func (g *gateFlags) gate(stderr io.Writer, a *analysis.Analysis) error {
	if err := g.load(); err != nil {
		return err
	}
	if g.failOn == nil {
		return nil
	}
	if unknown := g.failOn.UnknownLayers(a); len(unknown) > 0 {
		var names []string
		for _, l := range a.Layers {
			names = append(names, l.Name)
		}
		verb := "names"
		if len(unknown) > 1 {
			verb = "name"
		}
		return usageErr("--fail-on %s: layer:%s %s no layer of the analysis, so it could never fail (the layers: %s; beyond_LAYER for an upstream behind one)",
			g.FailOn, strings.Join(unknown, ", layer:"), verb, strings.Join(names, ", "))
	}
	fails := g.failOn.Failures(a)
	if len(fails) == 0 {
		return nil
	}
	var b strings.Builder
	requests := 0
	for _, f := range fails {
		b.WriteString(analysis.FailLine(f))
		b.WriteByte('\n')
		requests += f.Count
	}
	fmt.Fprint(stderr, b.String())
	return &exitError{exitFindings, fmt.Errorf("--fail-on %s: %d of %d findings matched (%s)",
		g.FailOn, len(fails), len(a.Findings), counted(int64(requests), "request with a 405", "requests with a 405"))}
}
