package analysis

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// Cause is why a 405 happened. Each attributed 405 gets exactly one, the most specific that fits.
type Cause string

// The cause vocabulary, most specific first.
const (
	CauseCORSPreflight    Cause = "cors_preflight"
	CausePathRewrite      Cause = "path_rewrite"
	CauseDeployRegression Cause = "deploy_regression"
	CauseBackendDrift     Cause = "backend_drift"
	CauseProxyMethodBlock Cause = "proxy_method_block"
	CauseMethodNotRouted  Cause = "method_not_routed"
)

// Regression describes a deploy_regression: the method and route succeeded at a layer until a
// point in time, and 405 since.
type Regression struct {
	Layer         string    `json:"layer"`
	Successes     int64     `json:"successes"`
	LastSuccess   time.Time `json:"last_success"`
	First405      time.Time `json:"first_405"`
	VersionBefore string    `json:"version_before,omitempty"`
	VersionAfter  string    `json:"version_after,omitempty"`
}

// Drift describes a backend_drift: in the same period the method and route succeed on some
// backends and 405 on others.
type Drift struct {
	Layer     string    `json:"layer"`
	Dimension string    `json:"dimension"` // "upstream address", "service", "environment" or "host"
	OK        []Backend `json:"ok"`
	Failing   []Backend `json:"failing"`
}

// Backend is one backend's outcome counts for a method and route.
type Backend struct {
	Name string `json:"name"`
	OK   int64  `json:"ok"`
	M405 int64  `json:"405"`
}

// classify picks the cause of an attributed 405.
func (e *Engine) classify(r *request) {
	if e.classifyMore(r) { // redirects, static fall-through, monitors, WebDAV (causes_more.go)
		return
	}
	v := &r.v
	hops := r.hops
	rj := v.rejecting()
	rh := hops[rj]
	for _, h := range hops {
		if h.method() == "OPTIONS" && h.origin() != "" && h.acrMethod() != "" {
			v.cause, v.wanted = CauseCORSPreflight, h.acrMethod()
			return
		}
	}
	if e.preflightByAgent(hops) {
		v.cause = CauseCORSPreflight
		return
	}
	rs := e.route(rh.layer, rh.method(), rh.path())
	if seen, by := e.rewrite(hops, rj); by != "" && e.rewriteIsCause(rh, by, rs) {
		v.cause, v.seenPath, v.rewriter = CausePathRewrite, seen, by
		return
	}
	if rs != nil && rs.ok.n > 0 && rs.m405.n > 0 && rs.ok.first < rs.m405.first &&
		rs.okAfter405 <= max(1, rs.m405.n/20) {
		v.cause = CauseDeployRegression
		v.reg = &Regression{Layer: e.name(rh), Successes: rs.ok.n - rs.okAfter405,
			LastSuccess: nsTime(rs.ok.last), First405: nsTime(rs.m405.first),
			VersionBefore: rs.okVersion, VersionAfter: rs.v405}
		if rs.okVersion == rs.v405 {
			v.reg.VersionBefore, v.reg.VersionAfter = "", ""
		}
		return
	}
	if d := e.driftOf(hops, v); d != nil {
		v.cause, v.drift = CauseBackendDrift, d
		return
	}
	if v.originHop >= 0 && e.format(hops[v.originHop]) != parsers.FormatApp {
		v.cause = CauseProxyMethodBlock
		return
	}
	v.cause = CauseMethodNotRouted
	if rs != nil {
		v.routeOK = rs.ok.n
	}
}

// preflightByAgent recognises a CORS preflight in logs that record no request headers (nginx
// combined, the frameworks' default access lines): OPTIONS sent by a browser, when none of the
// request's layers logs the Origin header. Browsers send OPTIONS only as preflights.
func (e *Engine) preflightByAgent(hops []*hop) bool {
	c := hops[0]
	if c.method() != "OPTIONS" || !strings.HasPrefix(c.userAgent(), "Mozilla/") {
		return false
	}
	for _, h := range hops {
		if e.layers[h.layer].originSeen {
			return false
		}
	}
	return true
}

// rewriteIsCause tells a rewrite that sent the request to a route lacking the method from one
// that is not to blame: a hop's own internal redirect before answering locally (nginx try_files
// falling back to /index.html in a static location is a static-file block, not a rewrite), and
// a rewrite after which the same method on the same route succeeds at the rejecting layer in the
// window (the rewrite is routine; another cause explains the 405).
func (e *Engine) rewriteIsCause(rh *hop, by string, rs *routeStats) bool {
	if by == e.name(rh) && e.format(rh) != parsers.FormatApp {
		return false
	}
	return rs == nil || rs.ok.n == 0
}

// rewrite reports the path the rejecting hop saw and the layer that rewrote it, when that path
// differs from the one the client sent.
func (e *Engine) rewrite(hops []*hop, rj int) (seen, by string) {
	cur := hops[0].path()
	for i := 0; i <= rj; i++ {
		h := hops[i]
		if i > 0 && h.path() != "" && !samePath(h.path(), cur) && by == "" {
			by = e.name(hops[i-1])
		}
		if h.path() != "" {
			cur = h.path()
		}
		if h.routedPath() != "" && !samePath(h.routedPath(), cur) {
			if by == "" {
				by = e.name(h)
			}
			cur = h.routedPath()
		}
	}
	if by == "" || samePath(cur, hops[0].path()) {
		return "", ""
	}
	return cur, by
}

// samePath compares paths after percent-decoding and collapsing repeated slashes, the
// normalisation proxies apply before routing ($uri vs $request_uri).
func samePath(a, b string) bool {
	if a == b {
		return true
	}
	return normPath(a) == normPath(b)
}

func normPath(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p
}

// driftOf looks for backends that succeed on this method and route while others answer 405, on
// the hop that forwarded the request to the origin (upstream address, service) and on the origin
// (service, host).
func (e *Engine) driftOf(hops []*hop, v *verdict) *Drift {
	rj := v.rejecting()
	fwd := -1 // the innermost hop outside the origin that names an upstream
	if v.originHop < 0 {
		fwd = rj
	} else {
		for i := rj - 1; i >= 0; i-- {
			if hops[i].upstreamAddr() != "" {
				fwd = i
				break
			}
		}
	}
	type cand struct {
		hop       int
		dim, name string
	}
	var cands []cand
	if fwd >= 0 {
		cands = append(cands, cand{fwd, dimAddr, lastAddr(hops[fwd].upstreamAddr())})
		if hops[fwd].service() != "" {
			cands = append(cands, cand{fwd, dimService, hops[fwd].service()})
		}
	}
	if v.originHop >= 0 {
		if s := hops[rj].service(); s != "" {
			cands = append(cands, cand{rj, dimService, s})
		}
	}
	if env := detailField(hops[rj].detail(), "env="); env != "" {
		cands = append(cands, cand{rj, dimEnv, env})
	}
	if h := hops[rj].host(); h != "" {
		cands = append(cands, cand{rj, dimHost, h})
	}
	if e.format(hops[rj]) != parsers.FormatALB {
		// The files of a layer are its instances (hosts of a proxy or an application). An ALB's
		// files are its nodes' objects: one managed configuration, never a stale backend.
		cands = append(cands, cand{rj, dimInstance, hops[rj].file})
	}
	for _, c := range cands {
		h := hops[c.hop]
		rs := e.route(h.layer, h.method(), h.path())
		if rs == nil || c.name == "" {
			continue
		}
		if d := e.backendDrift(rs, c.dim, c.name); d != nil {
			d.Layer = e.name(h)
			return d
		}
	}
	return nil
}

var dimNames = map[string]string{dimAddr: "upstream address", dimService: "service", dimHost: "host", dimEnv: "environment", dimInstance: "instance"}

// driftKey and driftMemo hold what backendDrift found for a route's backends in a dimension:
// the names of the backends that mostly answer 405 (all of them, not only the five the Drift
// lists) and the Drift, nil when no backend succeeds meanwhile. Every 405 of a route asks the
// same question with its own backend's name; the answer is worked out once.
type driftKey struct {
	rs  *routeStats
	dim string
}

type driftMemo struct {
	bad   map[string]bool
	drift *Drift
}

// backendDrift finds drift (driftIn) on a route's backends in a dimension when mine is one of
// the failing backends, worked out once per route and dimension. Each caller gets a Drift of
// its own.
func (e *Engine) backendDrift(rs *routeStats, dim, mine string) *Drift {
	k := driftKey{rs, dim}
	m, ok := e.drifts[k]
	if !ok {
		m.drift, m.bad = driftIn(rs, dim)
		if e.drifts == nil {
			e.drifts = map[driftKey]driftMemo{}
		}
		e.drifts[k] = m
	}
	if m.drift == nil || !m.bad[mine] {
		return nil
	}
	d := *m.drift
	d.OK, d.Failing = slices.Clone(d.OK), slices.Clone(d.Failing)
	return &d
}

// driftIn finds, among one dimension's backends, those that mostly answer 405 and those that
// mostly succeed while they do: between the first and the last 405 of the failing backends. Instances, the files of a layer, are held to more: a success strictly inside
// the span of one failing file's 405s, since files that follow each other in time (an ALB's
// five-minute objects, a rotated access.log) are one instance's log, not several instances.
// Upstream addresses, services, hosts and environments are alive side by side. It returns the
// Drift (nil when no backend succeeds meanwhile) and the names of every failing backend.
func driftIn(rs *routeStats, dim string) (*Drift, map[string]bool) {
	var bad, good []Backend
	badNames := map[string]bool{}
	var failing []span // the 405 spans of the backends in bad
	// The instants of the backends in bad whose 405s all share one time. A backend whose
	// successes all share that same time answered at once with it (a burst within one second
	// of a log of whole seconds), though neither span is strictly inside the other. Files that
	// follow each other share at most the instant where one ends and the next begins, which
	// is not strictly inside either span and does not count.
	instants := map[int64]bool{}
	var w0, w1 int64 // the span of every failing backend's 405s, for the other dimensions
	for k, b := range rs.backends {
		if !strings.HasPrefix(k, dim) || b.m405.n == 0 || b.m405.n < b.ok.n {
			continue
		}
		name := k[len(dim):]
		badNames[name] = true
		bad = append(bad, Backend{name, b.ok.n, b.m405.n})
		failing = append(failing, b.m405)
		if w0 == 0 || b.m405.first < w0 {
			w0 = b.m405.first
		}
		w1 = max(w1, b.m405.last)
		if b.m405.first == b.m405.last {
			instants[b.m405.first] = true
		}
	}
	if len(bad) == 0 {
		return nil, badNames
	}
	during := newSpanIndex(failing)
	for k, b := range rs.backends {
		if !strings.HasPrefix(k, dim) || b.ok.n == 0 || b.m405.n*10 >= b.ok.n {
			continue
		}
		if dim != dimInstance && b.ok.last >= w0 && b.ok.first <= w1 ||
			during.overlaps(b.ok) || b.ok.first == b.ok.last && instants[b.ok.first] {
			good = append(good, Backend{k[len(dim):], b.ok.n, b.m405.n})
		}
	}
	if len(good) == 0 {
		return nil, badNames
	}
	return &Drift{Dimension: dimNames[dim], OK: sortBackends(good), Failing: sortBackends(bad)}, badNames
}

// spanIndex tells whether a span overlaps any of a set of spans, in a binary search: a
// directory of ALB objects gives a route hundreds of instances.
type spanIndex []span // by first; last is the latest last up to each

func newSpanIndex(spans []span) spanIndex {
	x := slices.Clone(spans)
	sort.Slice(x, func(i, j int) bool { return x[i].first < x[j].first })
	for i := 1; i < len(x); i++ {
		x[i].last = max(x[i].last, x[i-1].last)
	}
	return x
}

// overlaps reports whether some span of x starts strictly before s ends and ends strictly after
// s starts: of the spans that start before s ends, the latest end is after s starts.
func (x spanIndex) overlaps(s span) bool {
	n := sort.Search(len(x), func(i int) bool { return x[i].first >= s.last })
	return n > 0 && x[n-1].last > s.first
}

func sortBackends(b []Backend) []Backend {
	sort.Slice(b, func(i, j int) bool {
		if b[i].M405+b[i].OK != b[j].M405+b[j].OK {
			return b[i].M405+b[i].OK > b[j].M405+b[j].OK
		}
		return b[i].Name < b[j].Name
	})
	if len(b) > 5 {
		b = b[:5]
	}
	return b
}

func nsTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

func backendNames(bs []Backend, ok bool) string {
	parts := make([]string, 0, len(bs))
	for _, b := range bs {
		n := b.M405
		if ok {
			n = b.OK
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", b.Name, n))
	}
	return strings.Join(parts, ", ")
}
