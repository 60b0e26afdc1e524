package analysis

import (
	"fmt"
	"github.com/logtriage/logtriage/analysis/contract"
	"github.com/logtriage/logtriage/internal/term"
	"sort"
	"strings"
)

// The CI gate: --fail-on turns findings into a failing exit status, so that a pipeline can run
// logtriage over staging logs after a deploy and stop the rollout.

// FailOn is a parsed --fail-on list: a finding fails the gate when it matches any of the terms;
// a term joins conditions with '+', all of which must hold (documented+layer:app).
type FailOn struct {
	terms [][]failCond
	// NeedsSpec is set when a term is about the contract (documented, undocumented,
	// unknown_route), which only an --openapi spec can decide.
	NeedsSpec bool
}

type failCond struct {
	kind, value string // kind: any, contract, cause, layer, method
}

// FailOnWords lists the single words --fail-on accepts (besides layer:NAME and method:NAME).
func FailOnWords() []string {
	return []string{"any", contract.Documented, contract.Undocumented, contract.UnknownRoute,
		string(CauseCORSPreflight), string(CausePathRewrite), string(CauseDeployRegression),
		string(CauseBackendDrift), string(CauseProxyMethodBlock), string(CauseMethodNotRouted),
		// causes_more.go
		string(CauseRedirectMethodChange), string(CauseStaticFallthrough), string(CauseMonitorProbe), string(CauseWebDAVIntercept)}
}

// ParseFailOn parses a comma-separated --fail-on list: any; documented, undocumented,
// unknown_route (needs a spec); a cause (method_not_routed, deploy_regression, …);
// layer:NAME (the origin layer); method:NAME; and conjunctions of them with '+'.
func ParseFailOn(s string) (*FailOn, error) {
	g := &FailOn{}
	for _, term := range strings.Split(s, ",") {
		term = strings.TrimSpace(term)
		if term == "" {
			continue
		}
		var conds []failCond
		for _, w := range strings.Split(term, "+") {
			w = strings.TrimSpace(w)
			c, err := parseFailCond(w)
			if err != nil {
				return nil, err
			}
			if c.kind == "contract" {
				g.NeedsSpec = true
			}
			conds = append(conds, c)
		}
		g.terms = append(g.terms, conds)
	}
	if len(g.terms) == 0 {
		return nil, fmt.Errorf("--fail-on: empty list (try any, documented or a cause such as deploy_regression)")
	}
	return g, nil
}

func parseFailCond(w string) (failCond, error) {
	lw := strings.ToLower(w)
	switch {
	case lw == "any":
		return failCond{kind: "any"}, nil
	case lw == contract.Documented || lw == contract.Undocumented || lw == contract.UnknownRoute:
		return failCond{"contract", lw}, nil
	case strings.HasPrefix(lw, "layer:") && len(w) > 6:
		return failCond{"layer", layerWord(w[6:])}, nil
	case strings.HasPrefix(lw, "method:") && len(w) > 7:
		return failCond{"method", strings.ToUpper(w[7:])}, nil
	}
	for _, c := range FailOnWords()[4:] {
		if lw == c {
			return failCond{"cause", lw}, nil
		}
	}
	return failCond{}, fmt.Errorf("--fail-on: unknown term %q (use %s, layer:NAME or method:NAME; join with + for all-of)",
		w, strings.Join(FailOnWords(), ", "))
}

// layerWord folds a layer name for comparison: "beyond ingress" and beyond_ingress are the same.
func layerWord(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", " "))
}

// Match reports whether a finding fails the gate.
func (g *FailOn) Match(f *Finding) bool {
	for _, term := range g.terms {
		all := true
		for _, c := range term {
			if !c.match(f) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func (c failCond) match(f *Finding) bool {
	switch c.kind {
	case "any":
		return true
	case "contract":
		return f.Contract == c.value
	case "cause":
		return string(f.Cause) == c.value
	case "layer":
		return layerWord(f.OriginLayer) == c.value
	case "method":
		return f.Method == c.value || contractMethod(f) == c.value
	}
	return false
}

// UnknownLayers returns the names of layer:NAME conditions that name no layer of a (nor "beyond
// LAYER" of one): a typo there would leave the gate unable to fail, silently. It tells only when
// the layers are known: not without findings (a window without 405s, where nothing can fail), nor
// for a source that delivered only requests with a 405 (es: a layer without any is not seen).
func (g *FailOn) UnknownLayers(a *Analysis) []string {
	if len(a.Findings) == 0 || a.Summary.OnlyWith405 {
		return nil
	}
	known := map[string]bool{}
	add := func(layer string) {
		known[layerWord(layer)] = true
		known[layerWord("beyond "+layer)] = true
	}
	for _, l := range a.Layers {
		add(l.Name)
	}
	for _, in := range a.Summary.Inputs { // a layer whose records were all left out
		add(in.Layer)
	}
	for i := range a.Findings { // an origin layer is one of those, but a saved document may differ
		known[layerWord(a.Findings[i].OriginLayer)] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, term := range g.terms {
		for _, c := range term {
			if c.kind == "layer" && !known[c.value] && !seen[c.value] {
				seen[c.value] = true
				out = append(out, strings.ReplaceAll(c.value, " ", "_"))
			}
		}
	}
	return out
}

// Failures returns the findings that fail the gate, most requests first.
func (g *FailOn) Failures(a *Analysis) []*Finding {
	var out []*Finding
	for i := range a.Findings {
		if g.Match(&a.Findings[i]) {
			out = append(out, &a.Findings[i])
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}

// FailLine is the one-line, greppable summary of a failing finding:
//
//	FAIL method_not_routed app POST /api/orders/{id} count=40 contract=undocumented
func FailLine(f *Finding) string {
	layer := f.OriginLayer
	if strings.ContainsAny(layer, " \t") {
		layer = strings.ReplaceAll(layer, " ", "_")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "FAIL %s %s %s %s count=%d", f.Cause, orDash(layer), f.Method, f.Route, f.Count)
	if f.Contract != "" {
		fmt.Fprintf(&b, " contract=%s", f.Contract)
	}
	if f.FixSide != "" {
		fmt.Fprintf(&b, " fix=%s", f.FixSide)
	}
	if f.Masked > 0 {
		fmt.Fprintf(&b, " masked=%d", f.Masked)
	}
	// Routes and methods come from logs: escaped, the line stays one line (no forged FAIL
	// line or CI annotation) and sends no escape sequence to the terminal.
	return term.Clean(b.String())
}
