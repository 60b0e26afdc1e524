package analysis

import (
	"sort"
	"strings"

	"github.com/logtriage/logtriage/parsers"
)

// The method surface: what every layer answered to every method and route template, counted
// for every record (not only requests with a 405), so that `logtriage contract` can hold the
// whole observed API against the spec. Counts only; bounded like the baselines.

const (
	maxSurfaceOrigins = 8 // distinct preflight origins kept per entry
	maxSurfaceWanted  = 8 // distinct Access-Control-Request-Method values kept per entry
)

// RouteSurface counts one layer's answers to one method on one route template.
type RouteSurface struct {
	Layer  string `json:"layer"`
	Method string `json:"method"`
	Route  string `json:"route"`
	Count  int64  `json:"count"`
	OK     int64  `json:"ok"`  // 1xx–3xx
	M405   int64  `json:"405"` // the layer itself answered 405
	// Masked405 counts answers that were not 405 although an upstream attempt was (error_page
	// 405 =200 and the like): the method failed behind this layer.
	Masked405 int64  `json:"masked_405,omitempty"`
	Other4xx  int64  `json:"4xx"` // 4xx other than 405
	Err5xx    int64  `json:"5xx"`
	Allow     string `json:"allow,omitempty"` // the first Allow header seen on a 405
	// Preflights counts CORS preflights (OPTIONS with Origin and Access-Control-Request-Method).
	Preflights       int64             `json:"preflights,omitempty"`
	PreflightsOK     int64             `json:"preflights_ok,omitempty"` // answered 2xx
	PreflightMethods []Count           `json:"preflight_methods,omitempty"`
	PreflightOrigins []PreflightOrigin `json:"preflight_origins,omitempty"`
	// Rewritten splits off the answers to requests that an outer layer logged under another
	// route (a proxy in front stripped a prefix or rewrote the path), by that route: each part
	// has the outer layer's Route and OuterLayer, and this layer's counts. The outer layer is the
	// one that shares most of these requests (the outermost on a tie). The entry's own counts
	// include the parts'.
	Rewritten []RouteSurface `json:"rewritten,omitempty"`
	// OuterLayer names the outer layer whose route a part of Rewritten carries.
	OuterLayer string `json:"outer_layer,omitempty"`
}

// PreflightOrigin counts one origin's preflights by outcome.
type PreflightOrigin struct {
	Origin string `json:"origin"`
	OK     int64  `json:"ok"`
	Failed int64  `json:"failed"`
}

type surfaceStats struct {
	layer                               int
	method, route                       string
	count, ok, m405, masked, c4xx, c5xx int64
	allow                               string
	preflights, preflightsOK            int64
	wanted                              map[string]int
	origins                             map[string]*PreflightOrigin
}

// observeSurface counts rec into the surface (Options.Surface).
func (e *Engine) observeSurface(rec *parsers.Record, li int, has405 bool) {
	if e.surface == nil {
		e.surface = map[string]*surfaceStats{}
	}
	e.scratch = routeKey(e.scratch[:0], li, rec.Method, rec.Path)
	s := e.surface[string(e.scratch)]
	if s == nil {
		if len(e.surface) >= maxRoutes {
			e.routeLimit = true
			return
		}
		s = &surfaceStats{layer: li, method: strings.Clone(rec.Method), route: Route(rec.Path)}
		e.surface[string(e.scratch)] = s
	}
	s.add(rec.Method, rec.Status, has405, rec.Allow, rec.Origin, rec.ACRMethod)
}

// add counts one answer.
func (s *surfaceStats) add(method string, status int, has405 bool, allow, origin, acrMethod string) {
	s.count++
	switch st := status; {
	case st == 405:
		s.m405++
		if s.allow == "" && allow != "" {
			s.allow = strings.Clone(allow)
		}
	case st < 400:
		s.ok++
		if has405 {
			s.masked++
		}
	case st < 500:
		s.c4xx++
		if has405 {
			s.masked++
		}
	default:
		s.c5xx++
		if has405 {
			s.masked++
		}
	}
	if method == "OPTIONS" && origin != "" && acrMethod != "" {
		s.preflights++
		good := status >= 200 && status < 300
		if good {
			s.preflightsOK++
		}
		if s.wanted == nil {
			s.wanted, s.origins = map[string]int{}, map[string]*PreflightOrigin{}
		}
		if _, ok := s.wanted[acrMethod]; ok || len(s.wanted) < maxSurfaceWanted {
			s.wanted[strings.Clone(acrMethod)]++
		}
		o := s.origins[origin]
		if o == nil && len(s.origins) < maxSurfaceOrigins {
			o = &PreflightOrigin{Origin: strings.Clone(origin)}
			s.origins[o.Origin] = o
		}
		if o != nil {
			if good {
				o.OK++
			} else {
				o.Failed++
			}
		}
	}
}

// rewriteStats counts one layer's answers to one method on one route for the requests another
// layer logged under another route (Engine.observeRewrites).
type rewriteStats struct {
	surfaceStats
	other      int    // the other layer
	otherRoute string // the route it logged
	key        string // the surface's key of the layer, method and route (Engine.surface)
}

// observeRewrites counts, for a closing request of several hops, each hop's answer under the
// route every other layer logged for the same request, where the two differ: a proxy that strips
// a prefix (/api/users/7 at the edge, /users/7 at the app) or rewrites the path otherwise. The
// layer order is known only at the end, so both directions are counted; surfaceView keeps the
// ones towards an outer layer.
func (e *Engine) observeRewrites(g *group) {
	hops := g.hops
	same := true
	for _, h := range hops[1:] {
		same = same && h.path() == hops[0].path()
	}
	if same {
		return // the usual request: one path through every layer
	}
	if e.rewrites == nil {
		e.rewrites = map[string]*rewriteStats{}
	}
	var routes [8]string
	for i, h := range hops {
		if i >= len(routes) {
			break
		}
		routes[i] = Route(h.path())
	}
	for i, h := range hops {
		if i >= len(routes) {
			break
		}
		var done uint64 // the other layers counted for h: the first hop of each
		for j, o := range hops {
			if j >= len(routes) {
				break
			}
			if o.layer == h.layer || o.layer < 64 && done&(1<<uint(o.layer)) != 0 {
				continue
			}
			if o.layer < 64 {
				done |= 1 << uint(o.layer)
			}
			if routes[i] == routes[j] {
				continue
			}
			e.scratch = routeKey(e.scratch[:0], h.layer, h.method(), h.path())
			n := len(e.scratch)
			e.scratch = append(e.scratch, 0, byte(o.layer))
			e.scratch = append(e.scratch, routes[j]...)
			s := e.rewrites[string(e.scratch)]
			if s == nil {
				if len(e.rewrites) >= maxRoutes {
					e.routeLimit = true
					continue
				}
				s = &rewriteStats{surfaceStats: surfaceStats{layer: h.layer, method: strings.Clone(h.method()), route: routes[i]},
					other: o.layer, otherRoute: routes[j], key: string(e.scratch[:n])}
				e.rewrites[string(e.scratch)] = s
			}
			s.add(h.method(), h.status, touches405(h.status, h.upstream), h.allow(), h.origin(), h.acrMethod())
		}
	}
}

// view turns the counts into a RouteSurface.
func (s *surfaceStats) view(layer string) RouteSurface {
	v := RouteSurface{Layer: layer, Method: s.method, Route: s.route, Count: s.count,
		OK: s.ok, M405: s.m405, Masked405: s.masked, Other4xx: s.c4xx, Err5xx: s.c5xx, Allow: s.allow,
		Preflights: s.preflights, PreflightsOK: s.preflightsOK}
	if len(s.wanted) > 0 {
		v.PreflightMethods = top(s.wanted, maxSurfaceWanted)
	}
	for _, o := range s.origins {
		v.PreflightOrigins = append(v.PreflightOrigins, *o)
	}
	sort.Slice(v.PreflightOrigins, func(i, j int) bool { return v.PreflightOrigins[i].Origin < v.PreflightOrigins[j].Origin })
	return v
}

// surfaceView lists the surface outer layer first, then by route and method.
func (e *Engine) surfaceView(rank []int) []RouteSurface {
	if len(e.surface) == 0 {
		return nil
	}
	out := make([]RouteSurface, 0, len(e.surface))
	ranks := make([]int, 0, len(e.surface))
	rankOf := func(layer int) int {
		if layer < len(rank) {
			return rank[layer]
		}
		return layer
	}
	at := map[string]int{} // layer, method and route → index in out
	for k, s := range e.surface {
		at[k] = len(out)
		out = append(out, s.view(e.layers[s.layer].name))
		ranks = append(ranks, rankOf(s.layer))
	}
	e.rewrittenView(out, at, rankOf)
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool {
		a, b := idx[i], idx[j]
		if ranks[a] != ranks[b] {
			return ranks[a] < ranks[b]
		}
		if out[a].Route != out[b].Route {
			return out[a].Route < out[b].Route
		}
		return out[a].Method < out[b].Method
	})
	sorted := make([]RouteSurface, len(out))
	for i, k := range idx {
		sorted[i] = out[k]
	}
	return sorted
}

// rewrittenView fills the entries' Rewritten parts (Engine.observeRewrites): for each entry, the
// outer layer that logged most of its requests under another route, and that layer's routes.
func (e *Engine) rewrittenView(out []RouteSurface, at map[string]int, rankOf func(int) int) {
	if len(e.rewrites) == 0 {
		return
	}
	type choice struct {
		other int
		n     int64
	}
	perLayer := map[string]map[int]int64{} // entry key → outer layer → requests
	for _, s := range e.rewrites {
		if rankOf(s.other) >= rankOf(s.layer) {
			continue // an inner layer's route: this layer's is the one clients sent
		}
		base := s.key
		m := perLayer[base]
		if m == nil {
			m = map[int]int64{}
			perLayer[base] = m
		}
		m[s.other] += s.count
	}
	best := map[string]int{}
	for base, m := range perLayer {
		c := choice{other: -1}
		for l, n := range m {
			if c.other < 0 || n > c.n || n == c.n && (rankOf(l) < rankOf(c.other) || rankOf(l) == rankOf(c.other) && l < c.other) {
				c = choice{l, n}
			}
		}
		best[base] = c.other
	}
	for _, s := range e.rewrites {
		base := s.key
		i, ok := at[base]
		if b, chosen := best[base]; !ok || !chosen || b != s.other {
			continue
		}
		part := s.view(out[i].Layer)
		part.Route, part.OuterLayer = s.otherRoute, e.layers[s.other].name
		out[i].Rewritten = append(out[i].Rewritten, part)
	}
	for i := range out {
		if p := out[i].Rewritten; len(p) > 1 {
			sort.Slice(p, func(a, b int) bool { return p[a].Route < p[b].Route })
		}
	}
}
