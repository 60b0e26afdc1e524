package contract

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Method contracts: an OpenAPI document says which methods each path allows. Held against what
// happened on the wire it tells who is wrong about a 405: a documented method that was
// rejected is the server's fault (a missing handler, a regression, a proxy rule, drift), an
// undocumented one the client's (or the spec's).

// The contract verdicts of a finding (Finding.Contract).
const (
	Documented   = "documented"    // the spec documents the method on the route: server side
	Undocumented = "undocumented"  // the route is in the spec, the method is not: client side
	UnknownRoute = "unknown_route" // the spec has no path for the route
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
func NewSpec(doc *Document) *Spec {
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
		return UnknownRoute, m
	}
	if Documents(m.Methods, method) {
		return Documented, m
	}
	return Undocumented, m
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

// normPath undoes percent-encoding and collapses repeated slashes, so that a logged path compares
// with a spec template as the server's router would see it.
func normPath(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p
}
