package main

import "github.com/logtriage/logtriage/analysis"

// gateFlags check an analysis against a method contract and turn findings into an exit
// status; shared by analyze, es and report.
type gateFlags struct{}

// annotate adds what the gate knows to the analysis before it is written.
func (g *gateFlags) annotate(a *analysis.Analysis) error { return nil }

// gate returns an error carrying a non-zero exit status when the analysis fails the gate.
func (g *gateFlags) gate(a *analysis.Analysis) error { return nil }
