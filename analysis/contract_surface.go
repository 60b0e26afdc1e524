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
	s.count++
	switch st := rec.Status; {
	case st == 405:
		s.m405++
		if s.allow == "" && rec.Allow != "" {
			s.allow = strings.Clone(rec.Allow)
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
	if rec.Method == "OPTIONS" && rec.Origin != "" && rec.ACRMethod != "" {
		s.preflights++
		good := rec.Status >= 200 && rec.Status < 300
		if good {
			s.preflightsOK++
		}
		if s.wanted == nil {
			s.wanted, s.origins = map[string]int{}, map[string]*PreflightOrigin{}
		}
		if _, ok := s.wanted[rec.ACRMethod]; ok || len(s.wanted) < maxSurfaceWanted {
			s.wanted[strings.Clone(rec.ACRMethod)]++
		}
		o := s.origins[rec.Origin]
		if o == nil && len(s.origins) < maxSurfaceOrigins {
			o = &PreflightOrigin{Origin: strings.Clone(rec.Origin)}
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

// surfaceView lists the surface outer layer first, then by route and method.
func (e *Engine) surfaceView(rank []int) []RouteSurface {
	if len(e.surface) == 0 {
		return nil
	}
	out := make([]RouteSurface, 0, len(e.surface))
	ranks := make([]int, 0, len(e.surface))
	for _, s := range e.surface {
		v := RouteSurface{Layer: e.layers[s.layer].name, Method: s.method, Route: s.route, Count: s.count,
			OK: s.ok, M405: s.m405, Masked405: s.masked, Other4xx: s.c4xx, Err5xx: s.c5xx, Allow: s.allow,
			Preflights: s.preflights, PreflightsOK: s.preflightsOK}
		if len(s.wanted) > 0 {
			v.PreflightMethods = top(s.wanted, maxSurfaceWanted)
		}
		for _, o := range s.origins {
			v.PreflightOrigins = append(v.PreflightOrigins, *o)
		}
		sort.Slice(v.PreflightOrigins, func(i, j int) bool { return v.PreflightOrigins[i].Origin < v.PreflightOrigins[j].Origin })
		out = append(out, v)
		r := s.layer
		if s.layer < len(rank) {
			r = rank[s.layer]
		}
		ranks = append(ranks, r)
	}
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
