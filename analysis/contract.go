package analysis

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/logtriage/logtriage/parsers"
)

// Method contracts: an OpenAPI document says which methods each path allows. Held against what
// happened on the wire it tells who is wrong about a 405: a documented method that was
// rejected is the server's fault (a missing handler, a regression, a proxy rule, drift), an
// undocumented one the client's (or the spec's).

// The contract verdicts of a finding (Finding.Contract).
const (
	ContractDocumented   = "documented"    // the spec documents the method on the route: server side
	ContractUndocumented = "undocumented"  // the route is in the spec, the method is not: client side
	ContractUnknownRoute = "unknown_route" // the spec has no path for the route
)

// Spec matches request paths and route templates against the path templates of an OpenAPI
// document. Build it with NewSpec; it is safe for concurrent use.
type Spec struct {
	Source string // the file, for messages
	paths  []specPath
}

type specPath struct {
	template string   // as written in the spec, without base path
	methods  []string // upper case, sorted
	segs     []specSeg
	score    []byte // per segment: 2 literal, 1 mixed, 0 parameter (more literal wins)
}

type specSeg struct {
	lit   string         // literal segment
	param bool           // "{name}": any one segment
	re    *regexp.Regexp // "{name}.json", "v{major}": a mixed segment
}

// NewSpec compiles a loaded OpenAPI document for matching. Each path is matched under every base
// path of its servers.
func NewSpec(doc *parsers.OpenAPI) *Spec {
	s := &Spec{Source: doc.Source}
	for _, p := range doc.Paths {
		bases := p.Bases
		if len(bases) == 0 {
			bases = doc.Bases
		}
		if len(bases) == 0 {
			bases = []string{""}
		}
		for _, base := range bases {
			sp := specPath{template: p.Template, methods: p.Methods}
			for _, seg := range splitPath(base + "/" + strings.TrimPrefix(p.Template, "/")) {
				sp.segs = append(sp.segs, compileSeg(seg))
				switch last := sp.segs[len(sp.segs)-1]; {
				case last.param:
					sp.score = append(sp.score, 0)
				case last.re != nil:
					sp.score = append(sp.score, 1)
				default:
					sp.score = append(sp.score, 2)
				}
			}
			s.paths = append(s.paths, sp)
		}
	}
	return s
}

func compileSeg(seg string) specSeg {
	if !strings.Contains(seg, "{") {
		return specSeg{lit: seg}
	}
	if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") && strings.Count(seg, "{") == 1 {
		return specSeg{param: true}
	}
	var b strings.Builder
	b.WriteString("^")
	for seg != "" {
		i := strings.IndexByte(seg, '{')
		if i < 0 {
			b.WriteString(regexp.QuoteMeta(seg))
			break
		}
		b.WriteString(regexp.QuoteMeta(seg[:i]))
		j := strings.IndexByte(seg[i:], '}')
		if j < 0 {
			b.WriteString(regexp.QuoteMeta(seg[i:]))
			break
		}
		b.WriteString(`[^/]+`)
		seg = seg[i+j+1:]
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return specSeg{lit: seg}
	}
	return specSeg{re: re}
}

// splitPath cuts a path into segments after dropping the query, repeated slashes and a trailing
// slash ("/api//orders/1/?x" → api, orders, 1). The root has no segments.
func splitPath(p string) []string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// SpecMatch is the spec's answer for one path.
type SpecMatch struct {
	Template string   // the spec's path template; empty when no path matched
	Methods  []string // the methods documented there
}

// Match finds the spec path for a request path or a route template ("{id}" segments match
// the spec's parameters). Concrete segments win over templated ones, left to right, as OpenAPI
// asks.
func (s *Spec) Match(path string) (SpecMatch, bool) {
	segs := splitPath(normPath(path))
	best := -1
	for i := range s.paths {
		p := &s.paths[i]
		if len(p.segs) != len(segs) || !p.match(segs) {
			continue
		}
		if best < 0 || string(p.score) > string(s.paths[best].score) {
			best = i
		}
	}
	if best < 0 {
		return SpecMatch{}, false
	}
	return SpecMatch{Template: s.paths[best].template, Methods: s.paths[best].methods}, true
}

func (p *specPath) match(segs []string) bool {
	for i, seg := range p.segs {
		got := segs[i]
		switch {
		case seg.param:
		case seg.re != nil:
			if got == "{id}" || !seg.re.MatchString(got) {
				return false
			}
		case seg.lit != got:
			return false
		}
	}
	return true
}

// Check returns the contract verdict of method on path and the matching spec path.
func (s *Spec) Check(method, path string) (string, SpecMatch) {
	m, ok := s.Match(path)
	if !ok {
		return ContractUnknownRoute, m
	}
	if Documents(m.Methods, method) {
		return ContractDocumented, m
	}
	return ContractUndocumented, m
}

// Documents reports whether a list of documented methods covers method. HEAD is covered by GET:
// HTTP requires a server that answers GET to answer HEAD alike (RFC 9110 §9.3.2).
func Documents(methods []string, method string) bool {
	method = strings.ToUpper(method)
	for _, m := range methods {
		if m == method || method == "HEAD" && m == "GET" {
			return true
		}
	}
	return false
}

// contractMethod is the method a finding's contract is about: for a failed CORS preflight, the
// method the browser wanted to send, not OPTIONS.
func contractMethod(f *Finding) string {
	if f.Cause == CauseCORSPreflight && f.WantedMethod != "" {
		return f.WantedMethod
	}
	return f.Method
}

// ApplyContract sets each finding's contract verdict against spec and puts a sentence saying
// who has to fix it in front of the finding's Fix: the server (naming the layer) for a
// documented method, the client (naming the clients that send it) for an undocumented one.
// It works on a fresh analysis and on one read back from JSON alike, and applying it again
// (with the same or another spec) replaces the earlier verdicts.
func ApplyContract(a *Analysis, spec *Spec) {
	for i := range a.Findings {
		f := &a.Findings[i]
		if f.ContractVerdict != "" {
			f.Fix = strings.TrimPrefix(f.Fix, f.ContractVerdict+" ")
		}
		method := contractMethod(f)
		verdict, m := spec.Check(method, f.Route)
		if verdict == ContractUnknownRoute {
			// The route template may have folded a segment the spec has as a literal: try the
			// examples' own paths.
			for _, x := range f.Examples {
				if v, mm := spec.Check(method, x.URI); v != ContractUnknownRoute {
					verdict, m = v, mm
					break
				}
			}
		}
		f.Contract, f.ContractPath, f.ContractMethods = verdict, m.Template, m.Methods
		f.FixSide = ""
		switch verdict {
		case ContractDocumented:
			f.FixSide = "server"
		case ContractUndocumented:
			f.FixSide = "client"
			if f.Clients == nil {
				f.Clients = clientsOf(a, f)
			}
		}
		f.ContractVerdict = contractSentence(f, method, spec.Source)
		if f.Fix == "" {
			f.Fix = f.ContractVerdict
		} else {
			f.Fix = f.ContractVerdict + " " + f.Fix
		}
	}
}

// clientsOf counts the user agents and addresses of a finding's requests when the engine did
// not (it does so only for the causes where the client is the usual suspect). A report read
// back from JSON has the requests only when it was written with --requests.
func clientsOf(a *Analysis, f *Finding) *Clients {
	ua, addr := map[string]int{}, map[string]int{}
	for i := range a.Requests {
		r := &a.Requests[i]
		if r.OriginLayer != f.OriginLayer || r.Cause != f.Cause || r.Method != f.Method || Route(r.Path) != f.Route || len(r.Hops) == 0 {
			continue
		}
		h := &r.Hops[0]
		ua[h.UserAgent]++
		if h.ClientIP != "" {
			addr[h.ClientIP]++
		}
	}
	if len(ua) == 0 {
		return nil
	}
	return &Clients{UserAgents: top(ua, 3), Addresses: top(addr, 3)}
}

// contractSentence says who has to fix a finding, and why.
func contractSentence(f *Finding, method, source string) string {
	spec := "the spec"
	if source != "" {
		spec = "the spec (" + baseName(source) + ")"
	}
	switch f.Contract {
	case ContractDocumented:
		what := ""
		switch f.Cause {
		case CauseDeployRegression:
			what = "a regression: restore the handler or roll back"
		case CauseBackendDrift:
			what = "drift between backends: bring the stale ones in line"
		case CauseProxyMethodBlock:
			what = "a gateway or proxy rule blocks the method: change the rule"
		case CausePathRewrite:
			what = "a rewrite sends the request to a route without the method: fix the rewrite"
		case CauseCORSPreflight:
			what = "the CORS preflight for it fails: handle OPTIONS and allow " + method
		default:
			what = "a missing handler: add it"
		}
		return fmt.Sprintf("Server side (%s): %s documents %s on %s, yet %s answered 405 — %s; the clients are right.",
			f.OriginLayer, spec, method, f.ContractPath, f.OriginLayer, what)
	case ContractUndocumented:
		who := "the clients that send it"
		if f.Clients != nil && len(f.Clients.UserAgents) > 0 {
			parts := make([]string, 0, len(f.Clients.UserAgents))
			for _, c := range f.Clients.UserAgents {
				parts = append(parts, fmt.Sprintf("%s (%d)", c.Value, c.Count))
			}
			who = strings.Join(parts, ", ")
		}
		documented := "no method"
		if len(f.ContractMethods) > 0 {
			documented = strings.Join(f.ContractMethods, ", ")
		}
		return fmt.Sprintf("Client side: %s documents %s on %s, not %s — fix %s, or document %s if it is meant to work.",
			spec, documented, f.ContractPath, method, who, method)
	default:
		return fmt.Sprintf("Not in the contract: %s has no path for %s — document the route, or find out why clients call it.",
			spec, f.Route)
	}
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// SpecPaths lists the spec's path templates with their methods, in matching order (for the
// contract report's coverage).
func (s *Spec) SpecPaths() []SpecMatch {
	var out []SpecMatch
	seen := map[string]bool{}
	for _, p := range s.paths {
		if !seen[p.template] {
			seen[p.template] = true
			out = append(out, SpecMatch{Template: p.template, Methods: p.methods})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Template < out[j].Template })
	return out
}
