package analysis

import (
	"encoding/json"
	"github.com/logtriage/logtriage/analysis/contract"
	"io"
	"sort"
	"strings"
)

// ContractSchema identifies the JSON document of `logtriage contract --output json`.
const ContractSchema = "logtriage.contract/v1"

// ContractReport holds the method surface seen in the logs against an OpenAPI spec: what
// `logtriage contract` prints.
type ContractReport struct {
	Schema string   `json:"schema"`
	Spec   string   `json:"spec"`
	Layers []string `json:"layers"` // outer → inner
	// LayerPath is the layer order as text, sibling layers in braces (Analysis.LayerPath).
	LayerPath string `json:"layer_path"`
	// Documented405 lists documented methods that some layer answered with 405: server side.
	Documented405 []SurfaceItem `json:"documented_405"`
	// UndocumentedOK lists methods the spec does not document on a route it has, which
	// succeeded somewhere: the spec is stale, or a route leaks a method.
	UndocumentedOK []SurfaceItem `json:"undocumented_ok"`
	// Undocumented405 lists undocumented methods that were rejected: the contract held, the
	// client is wrong.
	Undocumented405 []SurfaceItem `json:"undocumented_405"`
	// UnknownRoutes lists routes the spec has no path for, with every method seen.
	UnknownRoutes []SurfaceItem `json:"unknown_routes"`
	// CORS lists each route's OPTIONS answers and CORS preflights.
	CORS []CORSItem `json:"cors"`
	// NotSeen lists documented methods no layer saw in the window: untested by this traffic.
	NotSeen []contract.SpecMatch `json:"not_seen"`
	// Findings are the analysis's 405 findings with their contract verdicts.
	Findings []ContractFinding `json:"findings"`
}

// SurfaceItem is one method on one route across the layers that saw it.
type SurfaceItem struct {
	Method     string       `json:"method"`
	Route      string       `json:"route"`
	SpecPath   string       `json:"spec_path,omitempty"`
	Documented []string     `json:"documented,omitempty"` // the methods the spec documents there
	Count      int64        `json:"count"`                // at the outermost layer that saw it
	Layers     []LayerCount `json:"layers"`               // outer → inner
	// Origin names where the 405s were generated and why, from the findings: "app deploy_regression".
	Origin []string `json:"origin,omitempty"`
}

// LayerCount is one layer's answers to a method on a route.
type LayerCount struct {
	Layer     string `json:"layer"`
	Count     int64  `json:"count"`
	OK        int64  `json:"ok"`
	M405      int64  `json:"405"`
	Masked405 int64  `json:"masked_405,omitempty"`
	Allow     string `json:"allow,omitempty"`
	// Route is the route this layer logged when it is not the item's: a proxy in front stripped
	// a prefix or rewrote the path, and the item's route is the one the outer layer logged for
	// the same requests.
	Route string `json:"route,omitempty"`
}

// CORSItem is one route's OPTIONS behaviour at one layer.
type CORSItem struct {
	Layer        string  `json:"layer"`
	Route        string  `json:"route"`
	SpecPath     string  `json:"spec_path,omitempty"`
	Options      int64   `json:"options"` // OPTIONS requests, preflights included
	OK           int64   `json:"ok"`
	M405         int64   `json:"405"`
	Preflights   int64   `json:"preflights"`
	PreflightsOK int64   `json:"preflights_ok"`
	Wanted       []Count `json:"preflight_methods,omitempty"`
	// WantedUndocumented lists preflight methods the spec does not document on the route.
	WantedUndocumented []string          `json:"preflight_methods_undocumented,omitempty"`
	Origins            []PreflightOrigin `json:"preflight_origins,omitempty"`
	Allow              string            `json:"allow,omitempty"`
}

// ContractFinding is a finding's contract verdict, in short.
type ContractFinding struct {
	OriginLayer string `json:"origin_layer"`
	Cause       Cause  `json:"cause"`
	Method      string `json:"method"`
	Route       string `json:"route"`
	Count       int    `json:"count"`
	Contract    string `json:"contract"`
	SpecPath    string `json:"spec_path,omitempty"`
	FixSide     string `json:"fix_side,omitempty"`
	Verdict     string `json:"verdict"`
}

// CheckSurface holds the analysis's surface (Options.Surface) against spec. It also applies
// the contract to the findings (ApplyContract) when that has not been done.
func CheckSurface(a *Analysis, spec *contract.Spec) *ContractReport {
	r := &ContractReport{Schema: ContractSchema, Spec: spec.Source, LayerPath: a.LayerPath, Documented405: []SurfaceItem{},
		UndocumentedOK: []SurfaceItem{}, Undocumented405: []SurfaceItem{}, UnknownRoutes: []SurfaceItem{},
		CORS: []CORSItem{}, NotSeen: []contract.SpecMatch{}, Findings: []ContractFinding{}}
	rank := map[string]int{}
	for i, l := range a.Layers {
		r.Layers = append(r.Layers, l.Name)
		rank[l.Name] = i
	}
	needApply := false
	for i := range a.Findings {
		needApply = needApply || a.Findings[i].Contract == ""
	}
	if needApply {
		ApplyContract(a, spec)
	}
	origins := map[string][]string{} // method route → "layer cause"
	for i := range a.Findings {
		f := &a.Findings[i]
		k := f.Method + " " + f.Route
		origins[k] = append(origins[k], f.OriginLayer+" "+string(f.Cause))
		r.Findings = append(r.Findings, ContractFinding{OriginLayer: f.OriginLayer, Cause: f.Cause, Method: f.Method,
			Route: f.Route, Count: f.Count, Contract: f.Contract, SpecPath: f.ContractPath, FixSide: f.FixSide,
			Verdict: f.ContractVerdict})
	}

	// Group the surface by method and route; entries come outer layer first.
	type group struct {
		item    SurfaceItem
		ok, bad int64 // answers across layers
		masked  int64
	}
	groups := map[string]*group{}
	var order []string
	seen := map[string]bool{} // spec template + method
	cors := map[string]*CORSItem{}
	var corsOrder []string
	for _, x := range contractSurface(a.Surface, spec) {
		s := &x.RouteSurface
		verdict, m := spec.Check(s.Method, s.Route)
		if s.Method == "OPTIONS" {
			k := s.Layer + "\x00" + s.Route
			c := cors[k]
			if c == nil {
				c = &CORSItem{Layer: s.Layer, Route: s.Route, SpecPath: m.Template}
				cors[k] = c
				corsOrder = append(corsOrder, k)
			}
			c.Options += s.Count
			c.OK += s.OK
			c.M405 += s.M405
			c.Preflights += s.Preflights
			c.PreflightsOK += s.PreflightsOK
			c.Wanted = append(c.Wanted, s.PreflightMethods...)
			c.Origins = append(c.Origins, s.PreflightOrigins...)
			if c.Allow == "" {
				c.Allow = s.Allow
			}
			for _, w := range s.PreflightMethods {
				if verdict != contract.UnknownRoute && !contract.Documents(m.Methods, w.Value) {
					c.WantedUndocumented = appendUnique(c.WantedUndocumented, w.Value)
				}
			}
			if verdict == contract.Documented {
				seen[m.Template+" OPTIONS"] = true
			}
			if verdict != contract.UnknownRoute {
				continue
			}
		}
		if verdict == contract.Documented {
			seen[m.Template+" "+s.Method] = true
			if s.Method == "HEAD" {
				seen[m.Template+" GET"] = true
			}
		}
		key := verdict + "\x00" + s.Method + "\x00" + s.Route
		g := groups[key]
		if g == nil {
			g = &group{item: SurfaceItem{Method: s.Method, Route: s.Route, SpecPath: m.Template, Documented: m.Methods,
				Count: s.Count, Origin: origins[s.Method+" "+s.Route]}}
			groups[key] = g
			order = append(order, key)
		}
		g.item.Layers = append(g.item.Layers, LayerCount{Layer: s.Layer, Count: s.Count, OK: s.OK, M405: s.M405,
			Masked405: s.Masked405, Allow: s.Allow, Route: x.seen})
		g.ok += s.OK
		g.bad += s.M405
		g.masked += s.Masked405
	}
	for _, key := range order {
		g := groups[key]
		it := g.item
		sort.SliceStable(it.Layers, func(i, j int) bool { return rank[it.Layers[i].Layer] < rank[it.Layers[j].Layer] })
		it.Count = it.Layers[0].Count
		verdict := key[:strings.IndexByte(key, 0)]
		switch verdict {
		case contract.Documented:
			if g.bad > 0 || g.masked > 0 {
				r.Documented405 = append(r.Documented405, it)
			}
		case contract.Undocumented:
			if g.ok > 0 {
				r.UndocumentedOK = append(r.UndocumentedOK, it)
			} else if g.bad > 0 {
				r.Undocumented405 = append(r.Undocumented405, it)
			}
		default:
			r.UnknownRoutes = append(r.UnknownRoutes, it)
		}
	}
	byCount := func(items []SurfaceItem) {
		sort.SliceStable(items, func(i, j int) bool {
			if items[i].Count != items[j].Count {
				return items[i].Count > items[j].Count
			}
			if items[i].Route != items[j].Route {
				return items[i].Route < items[j].Route
			}
			return items[i].Method < items[j].Method
		})
	}
	byCount(r.Documented405)
	byCount(r.UndocumentedOK)
	byCount(r.Undocumented405)
	byCount(r.UnknownRoutes)
	for _, k := range corsOrder {
		c := cors[k]
		c.Wanted = mergeCounts(c.Wanted)
		r.CORS = append(r.CORS, *c)
	}
	sort.SliceStable(r.CORS, func(i, j int) bool {
		if r.CORS[i].Route != r.CORS[j].Route {
			return r.CORS[i].Route < r.CORS[j].Route
		}
		return rank[r.CORS[i].Layer] < rank[r.CORS[j].Layer]
	})
	for _, p := range spec.SpecPaths() {
		var missing []string
		for _, m := range p.Methods {
			if !seen[p.Template+" "+m] {
				missing = append(missing, m)
			}
		}
		if len(missing) > 0 {
			r.NotSeen = append(r.NotSeen, contract.SpecMatch{Template: p.Template, Methods: missing})
		}
	}
	return r
}

// surfaceEntry is a surface entry as the contract holds it: under the route an outer layer logged
// for its requests (seen is then the layer's own).
type surfaceEntry struct {
	RouteSurface
	seen string
}

// contractSurface lists the surface for the contract. An entry whose route the spec lacks, and
// whose requests an outer layer logged under another route (RouteSurface.Rewritten: a prefix the
// proxy in front stripped, /api/users/7 at the edge and /users/7 at the app), is held against the
// spec under the outer route, as what it is: the same route seen after the rewrite. What is left
// (requests not joined to the outer layer) keeps its own route. An entry the spec has keeps it:
// the spec describes what that layer serves.
func contractSurface(surface []RouteSurface, spec *contract.Spec) []surfaceEntry {
	out := make([]surfaceEntry, 0, len(surface))
	for _, s := range surface {
		if len(s.Rewritten) == 0 {
			out = append(out, surfaceEntry{RouteSurface: s})
			continue
		}
		if _, ok := spec.Match(s.Route); ok {
			out = append(out, surfaceEntry{RouteSurface: s})
			continue
		}
		rest := s
		rest.Rewritten = nil
		for _, p := range s.Rewritten {
			p.Layer, p.OuterLayer = s.Layer, ""
			out = append(out, surfaceEntry{RouteSurface: p, seen: s.Route})
			rest.Count -= p.Count
			rest.OK -= p.OK
			rest.M405 -= p.M405
			rest.Masked405 -= p.Masked405
			rest.Other4xx -= p.Other4xx
			rest.Err5xx -= p.Err5xx
			rest.Preflights -= p.Preflights
			rest.PreflightsOK -= p.PreflightsOK
			rest.PreflightMethods = subCounts(rest.PreflightMethods, p.PreflightMethods)
			rest.PreflightOrigins = subOrigins(rest.PreflightOrigins, p.PreflightOrigins)
		}
		if rest.Count > 0 {
			out = append(out, surfaceEntry{RouteSurface: rest})
		}
	}
	return out
}

// subCounts returns a less b, value by value, without the values left at zero (a new slice).
func subCounts(a, b []Count) []Count {
	var out []Count
	for _, x := range a {
		for _, y := range b {
			if y.Value == x.Value {
				x.Count -= y.Count
			}
		}
		if x.Count > 0 {
			out = append(out, x)
		}
	}
	return out
}

// subOrigins returns a less b, origin by origin, without the origins left at zero (a new slice).
func subOrigins(a, b []PreflightOrigin) []PreflightOrigin {
	var out []PreflightOrigin
	for _, x := range a {
		for _, y := range b {
			if y.Origin == x.Origin {
				x.OK -= y.OK
				x.Failed -= y.Failed
			}
		}
		if x.OK > 0 || x.Failed > 0 {
			out = append(out, x)
		}
	}
	return out
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func mergeCounts(in []Count) []Count {
	m := map[string]int{}
	for _, c := range in {
		m[c.Value] += c.Count
	}
	if len(m) == 0 {
		return nil
	}
	return top(m, len(m))
}

// Problems counts the surface differences: documented methods with 405s, undocumented methods
// that succeeded, and failed preflights.
func (r *ContractReport) Problems() int {
	n := len(r.Documented405) + len(r.UndocumentedOK)
	for _, c := range r.CORS {
		if c.Preflights > c.PreflightsOK {
			n++
		}
	}
	return n
}

// WriteJSON writes the report as an indented JSON document.
func (r *ContractReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
