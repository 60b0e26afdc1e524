package analysis

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"time"

	"github.com/logtriage/logtriage/internal/num"
)

// Report data: what the postmortem reports (Markdown, HTML) need beyond the findings, kept in the
// JSON document so that `logtriage report` can render a saved analysis. All of it is counts:
// the 405 requests are already kept for attribution, and every other request is counted into a
// bounded time series when it closes, so memory stays bounded by the number of 405 requests,
// routes and time slots, not by the number of lines.
//
// JSON fields added to logtriage.analysis/v1 (all additive; absent in documents written before):
//
//   - layers[].generated_405, passed_405, masked_405: the per-layer funnel. generated_405 counts
//     the requests whose 405 this layer generated (origin); passed_405 the requests whose 405 this
//     layer relayed outward unchanged (including a 405 relayed from an unlogged upstream);
//     masked_405 the requests whose 405 this layer turned into another status.
//   - impact: the 405 requests as a whole: share of all requests, what the clients got, methods,
//     top routes, top user agents and client networks (/24 for IPv4, /48 for IPv6), and the same
//     per origin layer (by_origin, including "beyond LAYER" origins).
//   - findings[].impact: per finding, what the clients got, top user agents and networks, and
//     how many distinct ones there were.
//   - timeline: time buckets sized to the window (60–120 buckets where the window allows), each
//     with the 405 requests by origin layer and the other requests by the status the client got,
//     and the events of the incident in time order (first 405, peak, last 405, last success
//     before a deploy regression, a backend starting to drift, a preflight failure burst, the
//     first masked 405).
//   - findings[].examples[].hops[].uri and .allow: the path each hop saw and the Allow header it
//     logged.

// Impact describes who and what the 405s hit.
type Impact struct {
	Requests405 int64   `json:"requests_with_405"`
	Requests    int64   `json:"requests"`
	Share       float64 `json:"share"` // of all requests
	// ClientStatus counts what the clients got for the requests with a 405 ("405", or e.g.
	// "200" when an outer hop masked it).
	ClientStatus []Count `json:"client_status"`
	Methods      []Count `json:"methods"`
	// Routes lists the top routes by 405 count (at most maxImpactRoutes); RoutesTotal counts all.
	Routes      []RouteImpact  `json:"routes"`
	RoutesTotal int            `json:"routes_total"`
	UserAgents  []Count        `json:"user_agents"` // top maxImpactClients; "-" = none logged
	UATotal     int            `json:"user_agents_total"`
	Networks    []Count        `json:"client_networks"` // /24 (IPv4) or /48 (IPv6)
	NetTotal    int            `json:"client_networks_total"`
	ByOrigin    []OriginImpact `json:"by_origin"` // outer → inner; "beyond X" after X
}

// RouteImpact is one method and route template with its 405 count, by origin layer.
type RouteImpact struct {
	Method  string  `json:"method"`
	Route   string  `json:"route"`
	Count   int64   `json:"count"`
	Origins []Count `json:"origins"`
}

// OriginImpact is the impact of the 405s generated at one origin layer.
type OriginImpact struct {
	Layer       string  `json:"layer"`
	Requests405 int64   `json:"requests_with_405"`
	Share       float64 `json:"share"` // of all requests with a 405
	Findings    int     `json:"findings"`
	Routes      int     `json:"routes"`
	Methods     []Count `json:"methods"`
	UserAgents  []Count `json:"user_agents"` // top 3
	Networks    []Count `json:"client_networks"`
}

// FindingImpact is who a finding's requests came from and what they got.
type FindingImpact struct {
	ClientStatus []Count `json:"client_status"`
	UserAgents   []Count `json:"user_agents"` // top maxImpactClients
	UATotal      int     `json:"user_agents_total"`
	Networks     []Count `json:"client_networks"`
	NetTotal     int     `json:"client_networks_total"`
}

// Timeline is the time series of the window and its events.
type Timeline struct {
	Start         time.Time `json:"start"` // the first bucket's start (UTC, aligned to the width)
	BucketSeconds int64     `json:"bucket_seconds"`
	// Origins lists the origin layers that appear in buckets[].origin_405, outer → inner.
	Origins []string `json:"origins"`
	Buckets []Bucket `json:"buckets"`
	// Untimed counts requests without any time (not in a bucket).
	Untimed int64   `json:"untimed,omitempty"`
	Events  []Event `json:"events"`
}

// Bucket counts the requests that ended in [start, start+bucket_seconds): requests =
// sum(origin_405) + sum(status).
type Bucket struct {
	Start    time.Time `json:"start"`
	Requests int64     `json:"requests"`
	M405     int64     `json:"requests_with_405"`
	// Origin405 counts the requests with a 405 by origin layer.
	Origin405 map[string]int64 `json:"origin_405,omitempty"`
	// Status counts the requests without any 405 by the status class the client got: "2xx",
	// "3xx", "4xx", "5xx" or "other".
	Status map[string]int64 `json:"status,omitempty"`
}

// Event is one moment of the incident.
type Event struct {
	Time time.Time `json:"time"`
	// Kind is first_405, peak, last_405, last_success (before a deploy regression),
	// regression_first_405, drift_start, preflight_burst or first_masked.
	Kind    string `json:"kind"`
	Text    string `json:"text"`
	Finding int    `json:"finding,omitempty"` // 1-based index into findings; 0 = the whole incident
	Count   int64  `json:"count,omitempty"`   // requests the event is about (e.g. 405s in the peak bucket)
}

const (
	maxImpactRoutes  = 50
	maxImpactClients = 10
	maxTimelineSlots = 4096  // slots at the base resolution before it is coarsened
	maxMixedKeys     = 65536 // closed requests whose hops disagree on the status class
	maxBuckets       = 120
	minBuckets       = 60
	maxFindingEvents = 20 // findings whose own events (regression, drift, preflight) are listed
)

// Status classes of a request without a 405, for the timeline.
const (
	tl2xx = iota
	tl3xx
	tl4xx
	tl5xx
	tlOther
	tlClasses
)

var tlClassNames = [tlClasses]string{"2xx", "3xx", "4xx", "5xx", "other"}

func tlClass(status int) int {
	switch {
	case status >= 200 && status < 300:
		return tl2xx
	case status >= 300 && status < 400:
		return tl3xx
	case status >= 400 && status < 500:
		return tl4xx
	case status >= 500 && status < 600:
		return tl5xx
	}
	return tlOther
}

// tlLadder lists the time-slot widths, each a multiple of the one before, so that counts kept at
// one width can be re-bucketed into any later one.
var tlLadder = []time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second,
	time.Minute, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour, 6 * time.Hour,
	12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

type tlMixKey struct {
	slot int64
	sig  string // (layer, class) pairs, one per layer
}

// tlCounter counts the requests without a 405 per time slot as they close. A request whose hops
// disagree on the status class (a 502 at the proxy, nothing at the app) is kept by its per-layer
// classes until the layer order is known.
type tlCounter struct {
	rung    int // index into tlLadder
	slots   map[int64]*[tlClasses]int64
	mixed   map[tlMixKey]int64
	untimed int64
	sig     []byte
	// The slot add counted into last (requests close in time order, most into the same slot);
	// lastP is nil when unknown and whenever the slots are rebuilt (coarsenOnce).
	lastS int64
	lastP *[tlClasses]int64
}

func (c *tlCounter) width() int64 { return int64(tlLadder[c.rung]) }

func (c *tlCounter) slot(t int64) int64 {
	w := c.width()
	s := t / w
	if t < 0 && t%w != 0 {
		s--
	}
	return s
}

// add counts one request of a known class that ended at t (unix ns; 0 = no time).
func (c *tlCounter) add(t int64, class int) {
	if t == 0 {
		c.untimed++
		return
	}
	if c.slots == nil {
		c.slots = map[int64]*[tlClasses]int64{}
	}
	s := c.slot(t)
	if c.lastP != nil && s == c.lastS {
		c.lastP[class]++
		return
	}
	p := c.slots[s]
	if p == nil {
		p = &[tlClasses]int64{}
		c.slots[s] = p
		if len(c.slots) > maxTimelineSlots {
			c.coarsen()
			s = c.slot(t)
			p = c.slots[s]
		}
	}
	p[class]++
	c.lastS, c.lastP = s, p
}

// addGroup counts a closed request without a 405.
func (c *tlCounter) addGroup(g *group) {
	if len(g.hops) == 0 {
		return
	}
	first := tlClass(g.hops[0].status)
	same := true
	for _, h := range g.hops[1:] {
		if tlClass(h.status) != first {
			same = false
			break
		}
	}
	t := g.newest
	for _, h := range g.hops {
		if h.time > t {
			t = h.time
		}
	}
	if same || t == 0 || len(c.mixed) >= maxMixedKeys {
		if !same {
			// Too many distinct mixes: the hop that ended last is the outermost one.
			last := g.hops[0]
			for _, h := range g.hops {
				if h.time > last.time {
					last = h
				}
			}
			first = tlClass(last.status)
		}
		c.add(t, first)
		return
	}
	// The class of each layer's earliest hop, by layer index.
	c.sig = c.sig[:0]
	for _, h := range g.hops {
		if h.layer > 255 {
			continue
		}
		found := false
		for i := 0; i < len(c.sig); i += 2 {
			if int(c.sig[i]) == h.layer {
				found = true
				break
			}
		}
		if found {
			continue
		}
		best := h
		for _, o := range g.hops {
			if o.layer == h.layer && o.time != 0 && (best.time == 0 || o.time < best.time) {
				best = o
			}
		}
		c.sig = append(c.sig, byte(h.layer), byte(tlClass(best.status)))
	}
	if c.mixed == nil {
		c.mixed = map[tlMixKey]int64{}
	}
	if c.slots == nil {
		c.slots = map[int64]*[tlClasses]int64{}
	}
	k := tlMixKey{c.slot(t), string(c.sig)}
	c.mixed[k]++
	if _, ok := c.slots[k.slot]; !ok {
		// Reserve the slot so that coarsening accounts for it.
		c.slots[k.slot] = &[tlClasses]int64{}
		if len(c.slots) > maxTimelineSlots {
			c.coarsen()
		}
	}
}

// reserve makes sure t's slot exists, so that the counts kept elsewhere at this counter's width
// (folded requests, fold.go) count towards its limit.
func (c *tlCounter) reserve(t int64) {
	if c.slots == nil {
		c.slots = map[int64]*[tlClasses]int64{}
	}
	if _, ok := c.slots[c.slot(t)]; !ok {
		c.slots[c.slot(t)] = &[tlClasses]int64{}
		if len(c.slots) > maxTimelineSlots {
			c.coarsen()
		}
	}
}

// coarsen moves to the next width of the ladder until the slots fit.
func (c *tlCounter) coarsen() {
	for len(c.slots) > maxTimelineSlots && c.rung < len(tlLadder)-1 {
		c.coarsenOnce()
	}
}

// coarsenOnce moves one rung up the ladder.
func (c *tlCounter) coarsenOnce() {
	if c.rung >= len(tlLadder)-1 {
		return
	}
	old := c.width()
	c.rung++
	c.lastP = nil
	f := c.width() / old
	slots := make(map[int64]*[tlClasses]int64, len(c.slots)/int(f)+1)
	for s, p := range c.slots {
		n := floorDiv(s, f)
		q := slots[n]
		if q == nil {
			q = &[tlClasses]int64{}
			slots[n] = q
		}
		for i := range p {
			q[i] += p[i]
		}
	}
	c.slots = slots
	if len(c.mixed) > 0 {
		mixed := make(map[tlMixKey]int64, len(c.mixed))
		for k, n := range c.mixed {
			mixed[tlMixKey{floorDiv(k.slot, f), k.sig}] += n
		}
		c.mixed = mixed
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// bucketWidth picks the width of the report's buckets: the largest ladder width (at least the
// counter's) that still gives minBuckets buckets, or, when none does within maxBuckets, the
// smallest that needs at most maxBuckets.
func bucketWidth(minNs, maxNs, base int64) int64 {
	count := func(w int64) int64 { return floorDiv(maxNs, w) - floorDiv(minNs, w) + 1 }
	best := int64(0)
	for _, d := range tlLadder {
		w := int64(d)
		if w < base {
			continue
		}
		if n := count(w); n <= maxBuckets && n >= minBuckets {
			best = w
		}
	}
	if best > 0 {
		return best
	}
	for _, d := range tlLadder {
		if w := int64(d); w >= base && count(w) <= maxBuckets {
			return w
		}
	}
	week := int64(tlLadder[len(tlLadder)-1])
	return week * ((maxNs-minNs)/(week*(maxBuckets-1)) + 1)
}

// network returns the client network of an address: /24 for IPv4, /48 for IPv6.
func clientNetwork(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		if ip == "" {
			return "-"
		}
		return ip
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ip
	}
	return p.String()
}

// netMemo remembers clientNetwork's answers: the impact tables ask for the network of every
// 405's client, up to three times, and clients repeat.
type netMemo map[string]string

func (m *netMemo) of(ip string) string {
	if *m == nil {
		*m = netMemo{}
	}
	n, ok := (*m)[ip]
	if !ok {
		n = clientNetwork(ip)
		(*m)[ip] = n
	}
	return n
}

// tally counts values; top and total read it.
type tally map[string]int

func (t tally) addN(v string, n int64) {
	if v == "" {
		v = "-"
	}
	t[v] += int(n)
}

// reportData fills the funnel, impact and timeline of a. reqs are the requests with a 405 in
// time order, quiet the kept requests without one (traced), rank the position of each layer.
func (e *Engine) reportData(a *Analysis, reqs, quiet []*request, rank []int) {
	// Funnel: per request, each layer counted once.
	layerPos := map[string]int{}
	for i, l := range a.Layers {
		layerPos[l.Name] = i
	}
	for _, r := range reqs {
		v := &r.v
		rj := v.rejecting()
		var seen [3][]int // layers already counted per kind: generated, passed, masked
		mark := func(kind, layer int) bool {
			for _, l := range seen[kind] {
				if l == layer {
					return false
				}
			}
			seen[kind] = append(seen[kind], layer)
			return true
		}
		for i := rj; i >= 0; i-- {
			h := r.hops[i]
			pos, ok := layerPos[e.name(h)]
			if !ok {
				continue
			}
			switch {
			case i == v.originHop:
				if mark(0, h.layer) {
					a.Layers[pos].Generated405 += r.w
				}
			case h.status == 405:
				if mark(1, h.layer) {
					a.Layers[pos].Passed405 += r.w
				}
			case i == v.maskedBy:
				if mark(2, h.layer) {
					a.Layers[pos].Masked405 += r.w
				}
			}
		}
	}

	a.Impact = e.impact(a, reqs)
	e.findingImpact(a, reqs)
	a.Timeline = e.timeline(a, reqs, quiet, rank)
}

func (e *Engine) impact(a *Analysis, reqs []*request) *Impact {
	im := &Impact{Requests: a.Summary.Requests}
	for _, r := range reqs {
		im.Requests405 += r.w
	}
	if im.Requests > 0 {
		im.Share = float64((im.Requests405*10000+im.Requests/2)/im.Requests) / 10000
	}
	status, methods, uas, nets := tally{}, tally{}, tally{}, tally{}
	type routeAgg struct {
		ri      RouteImpact
		origins tally
	}
	type routeKey struct{ method, route string }
	routes := map[routeKey]*routeAgg{}
	type originAgg struct {
		oi                 OriginImpact
		methods, uas, nets tally
		routes             map[routeKey]bool
		findings           map[findingKey]bool
	}
	origins := map[string]*originAgg{}
	for _, r := range reqs {
		c, w := r.hops[0], r.w
		status.addN(strconv.Itoa(c.status), w)
		methods.addN(c.method(), w)
		uas.addN(c.userAgent(), w)
		route := r.route()
		rk := routeKey{c.method(), route}
		ra := routes[rk]
		if ra == nil {
			ra = &routeAgg{ri: RouteImpact{Method: c.method(), Route: route}, origins: tally{}}
			routes[rk] = ra
		}
		ra.ri.Count += w
		ra.origins.addN(r.v.originLayer, w)
		o := origins[r.v.originLayer]
		if o == nil {
			o = &originAgg{oi: OriginImpact{Layer: r.v.originLayer}, methods: tally{}, uas: tally{}, nets: tally{},
				routes: map[routeKey]bool{}, findings: map[findingKey]bool{}}
			origins[r.v.originLayer] = o
		}
		o.oi.Requests405 += w
		o.methods.addN(c.method(), w)
		o.uas.addN(c.userAgent(), w)
		r.clients(func(ip string, n int64) {
			net := e.nets.of(ip)
			nets.addN(net, n)
			o.nets.addN(net, n)
		})
		o.routes[rk] = true
		o.findings[findingKey{cause: r.v.cause, method: rk.method, route: rk.route}] = true
	}
	im.ClientStatus = top(status, 10)
	im.Methods = top(methods, 20)
	im.UserAgents, im.UATotal = top(uas, maxImpactClients), len(uas)
	im.Networks, im.NetTotal = top(nets, maxImpactClients), len(nets)
	im.RoutesTotal = len(routes)
	all := make([]*routeAgg, 0, len(routes))
	for _, ra := range routes {
		ra.ri.Origins = top(ra.origins, 5)
		all = append(all, ra)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].ri.Count != all[j].ri.Count {
			return all[i].ri.Count > all[j].ri.Count
		}
		if all[i].ri.Route != all[j].ri.Route {
			return all[i].ri.Route < all[j].ri.Route
		}
		return all[i].ri.Method < all[j].ri.Method
	})
	if len(all) > maxImpactRoutes {
		all = all[:maxImpactRoutes]
	}
	im.Routes = make([]RouteImpact, 0, len(all))
	for _, ra := range all {
		im.Routes = append(im.Routes, ra.ri)
	}
	im.ByOrigin = []OriginImpact{}
	for _, name := range OriginOrder(a.Layers, origins) {
		o := origins[name]
		o.oi.Findings = len(o.findings)
		o.oi.Routes = len(o.routes)
		o.oi.Methods = top(o.methods, 5)
		o.oi.UserAgents = top(o.uas, 3)
		o.oi.Networks = top(o.nets, 3)
		if im.Requests405 > 0 {
			o.oi.Share = float64((o.oi.Requests405*10000+im.Requests405/2)/im.Requests405) / 10000
		}
		im.ByOrigin = append(im.ByOrigin, o.oi)
	}
	return im
}

// OriginOrder lists origin layer names outer → inner, each "beyond X" right after X, unknown
// names last in name order.
func OriginOrder[T any](layers []Layer, present map[string]T) []string {
	out := []string{} // timeline.origins is [] in the JSON when no layer generated a 405, not null
	done := map[string]bool{}
	for _, l := range layers {
		for _, n := range []string{l.Name, BeyondPrefix + l.Name} {
			if _, ok := present[n]; ok && !done[n] {
				out = append(out, n)
				done[n] = true
			}
		}
	}
	var rest []string
	for n := range present {
		if !done[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// findingKey is what a finding is about: the origin layer, the cause, the method and the route.
// findings splits a finding's requests by the client's status as well.
type findingKey struct {
	origin string
	cause  Cause
	method string
	route  string
}

// findingIndex maps each request with a 405 to its finding's index in a.Findings.
func findingIndex(a *Analysis, reqs []*request) []int {
	idx := make(map[findingKey]int, len(a.Findings))
	for i, f := range a.Findings {
		idx[findingKey{f.OriginLayer, f.Cause, f.Method, f.Route}] = i
	}
	out := make([]int, len(reqs))
	for i, r := range reqs {
		c := r.hops[0]
		j, ok := idx[findingKey{r.v.originLayer, r.v.cause, c.method(), r.route()}]
		if !ok {
			j = -1
		}
		out[i] = j
	}
	return out
}

func (e *Engine) findingImpact(a *Analysis, reqs []*request) {
	type agg struct{ status, uas, nets tally }
	aggs := make([]agg, len(a.Findings))
	for i := range aggs {
		aggs[i] = agg{tally{}, tally{}, tally{}}
	}
	for i, j := range findingIndex(a, reqs) {
		if j < 0 {
			continue
		}
		r := reqs[i]
		c := r.hops[0]
		aggs[j].status.addN(strconv.Itoa(c.status), r.w)
		aggs[j].uas.addN(c.userAgent(), r.w)
		r.clients(func(ip string, n int64) { aggs[j].nets.addN(e.nets.of(ip), n) })
	}
	for i := range a.Findings {
		g := aggs[i]
		a.Findings[i].Impact = &FindingImpact{ClientStatus: top(g.status, 5),
			UserAgents: top(g.uas, maxImpactClients), UATotal: len(g.uas),
			Networks: top(g.nets, maxImpactClients), NetTotal: len(g.nets)}
	}
}

func (e *Engine) timeline(a *Analysis, reqs, quiet []*request, rank []int) *Timeline {
	c := &e.tl
	tl := &Timeline{Origins: []string{}, Buckets: []Bucket{}, Events: []Event{}, Untimed: c.untimed}
	if e.minSeen == 0 {
		for _, r := range reqs {
			tl.Untimed += r.w
		}
		return tl
	}
	w := bucketWidth(e.minSeen, e.maxSeen, c.width())
	first := floorDiv(e.minSeen, w)
	n := floorDiv(e.maxSeen, w) - first + 1
	tl.Start = nsTime(first * w)
	tl.BucketSeconds = w / int64(time.Second)
	buckets := make([]Bucket, n)
	for i := range buckets {
		buckets[i].Start = nsTime((first + int64(i)) * w)
	}
	at := func(t int64) *Bucket {
		if t == 0 {
			tl.Untimed++
			return nil
		}
		i := floorDiv(t, w) - first
		if i < 0 {
			i = 0
		}
		if i >= n {
			i = n - 1
		}
		return &buckets[i]
	}
	addStatus := func(b *Bucket, class int, k int64) {
		if b == nil || k == 0 {
			return
		}
		if b.Status == nil {
			b.Status = map[string]int64{}
		}
		b.Status[tlClassNames[class]] += k
		b.Requests += k
	}
	cw := c.width()
	for s, p := range c.slots {
		b := at(s * cw)
		for cls, k := range p {
			addStatus(b, cls, k)
		}
	}
	for k, cnt := range c.mixed {
		// The outermost layer's class.
		best, cls := -1, tlOther
		for i := 0; i+1 < len(k.sig); i += 2 {
			l := int(k.sig[i])
			if l < len(rank) && (best < 0 || rank[l] < best) {
				best, cls = rank[l], int(k.sig[i+1])
			}
		}
		addStatus(at(k.slot*cw), cls, cnt)
	}
	for _, r := range quiet {
		cls := tlClass(r.hops[0].status)
		addStatus(at(lastTime(r)), cls, 1)
		if r.f != nil { // kept like a 405 (a method rejection candidate) and folded, but not one
			tl.Untimed += r.f.untimed
			for s, k := range r.f.slots {
				addStatus(at(s*cw), cls, k)
			}
		}
	}
	present := map[string]bool{}
	times := make([]int64, len(reqs))
	for i, r := range reqs {
		times[i] = lastTime(r)
		b := at(times[i])
		if b == nil {
			continue
		}
		if b.Origin405 == nil {
			b.Origin405 = map[string]int64{}
		}
		b.Origin405[r.v.originLayer]++
		b.M405++
		b.Requests++
		present[r.v.originLayer] = true
	}
	for _, r := range reqs {
		if r.f == nil {
			continue
		}
		tl.Untimed += r.f.untimed
		for s, k := range r.f.slots {
			b := at(s * cw)
			if b == nil {
				continue
			}
			if b.Origin405 == nil {
				b.Origin405 = map[string]int64{}
			}
			b.Origin405[r.v.originLayer] += k
			b.M405 += k
			b.Requests += k
			present[r.v.originLayer] = true
		}
	}
	tl.Origins = OriginOrder(a.Layers, present)
	tl.Buckets = buckets
	tl.Events = e.events(a, reqs, times, buckets, w)
	return tl
}

// lastTime is when a request ended: its latest hop time (the outermost hop logs last), the
// same instant the closing counter uses for requests without a 405.
func lastTime(r *request) int64 { return endTime(r.hops) }

// endTime is the latest time of hops.
func endTime(hops []*hop) int64 {
	var t int64
	for _, h := range hops {
		if h.time > t {
			t = h.time
		}
	}
	return t
}

// events lists the moments of the incident in time order.
func (e *Engine) events(a *Analysis, reqs []*request, times []int64, buckets []Bucket, w int64) []Event {
	var ev []Event
	if len(reqs) > 0 {
		r0, r1 := reqs[0], reqs[0]
		for _, x := range reqs {
			for _, r := range []*request{x, x.early, x.late} { // the folded requests that ended first and last too
				if r == nil {
					continue
				}
				if reqTime(r) != 0 && (reqTime(r0) == 0 || reqTime(r) < reqTime(r0)) {
					r0 = r
				}
				if reqTime(r) > reqTime(r1) {
					r1 = r
				}
			}
		}
		ev = append(ev, Event{Time: nsTime(reqTime(r0)), Kind: "first_405", Count: 1,
			Text: fmt.Sprintf("First 405: %s %s, generated at %s (%s), request %s", r0.hops[0].method(),
				Route(r0.hops[0].path()), r0.v.originLayer, r0.v.cause, bestID(r0))})
		peak := -1
		for i, b := range buckets {
			if b.M405 > 0 && (peak < 0 || b.M405 > buckets[peak].M405) {
				peak = i
			}
		}
		if peak >= 0 {
			b := buckets[peak]
			ev = append(ev, Event{Time: b.Start, Kind: "peak", Count: b.M405,
				Text: fmt.Sprintf("Peak: %s with a 405 of %s in the %s from %s (%s)", num.Thousands(b.M405),
					num.Count(b.Requests, "request", "requests"), widthText(w), clock(b.Start), num.Mix(b.Origin405))})
		}
		ev = append(ev, Event{Time: nsTime(reqTime(r1)), Kind: "last_405", Count: 1,
			Text: fmt.Sprintf("Last 405: %s %s, generated at %s (%s), request %s", r1.hops[0].method(),
				Route(r1.hops[0].path()), r1.v.originLayer, r1.v.cause, bestID(r1))})
		for _, r := range reqs {
			if r.v.maskedBy >= 0 {
				m := r.hops[r.v.maskedBy]
				ev = append(ev, Event{Time: nsTime(reqTime(r)), Kind: "first_masked", Count: a.Summary.Masked405,
					Text: fmt.Sprintf("First masked 405: %s %s from %s turned into %d by %s; %s masked in all", r.hops[0].method(),
						Route(r.hops[0].path()), r.v.originLayer, m.status, e.name(m), num.Thousands(a.Summary.Masked405))})
				break
			}
		}
	}
	// Per-finding events, for the largest findings.
	fidx := findingIndex(a, reqs)
	for i := range a.Findings {
		if i >= maxFindingEvents {
			break
		}
		f := &a.Findings[i]
		name := fmt.Sprintf("%s %s", f.Method, f.Route)
		switch {
		case f.Regression != nil:
			g := f.Regression
			ver := func(v string) string {
				if v == "" {
					return ""
				}
				return " (version=" + v + ")"
			}
			ev = append(ev, Event{Time: g.LastSuccess, Kind: "last_success", Finding: i + 1, Count: g.Successes,
				Text: fmt.Sprintf("Last success of %s at %s%s, after %s in the window", name, g.Layer,
					ver(g.VersionBefore), num.Count(g.Successes, "success", "successes"))})
			ev = append(ev, Event{Time: g.First405, Kind: "regression_first_405", Finding: i + 1, Count: int64(f.Count),
				Text: fmt.Sprintf("%s answers 405 at %s%s: deploy regression, %s with a 405 since", name, g.Layer,
					ver(g.VersionAfter), num.Count(int64(f.Count), "request", "requests"))})
		case f.Drift != nil:
			d := f.Drift
			ev = append(ev, Event{Time: f.FirstSeen, Kind: "drift_start", Finding: i + 1, Count: int64(f.Count),
				Text: fmt.Sprintf("%s starts to answer 405 on %s %s while %s succeeds: backend drift, %s with a 405",
					name, d.Dimension, backendNames(d.Failing, false), backendNames(d.OK, true), num.Count(int64(f.Count), "request", "requests"))})
		case f.Cause == CauseCORSPreflight:
			// The burst: the bucket with the most of this finding's 405s.
			counts := map[int64]int64{}
			for k, j := range fidx {
				if j == i && times[k] != 0 {
					counts[floorDiv(times[k], w)]++
				}
				if j == i && reqs[k].f != nil {
					cw := int64(tlLadder[reqs[k].f.rung])
					for s, n := range reqs[k].f.slots {
						counts[floorDiv(s*cw, w)] += n
					}
				}
			}
			var best, bn int64
			for s, c := range counts {
				if c > bn || c == bn && s < best {
					best, bn = s, c
				}
			}
			if bn > 0 {
				ev = append(ev, Event{Time: nsTime(best * w), Kind: "preflight_burst", Finding: i + 1, Count: bn,
					Text: fmt.Sprintf("Preflight failures peak: %s rejected CORS preflights (OPTIONS %s, wanted %s) in the %s from %s; %s in all",
						num.Thousands(bn), f.Route, orDash(f.WantedMethod), widthText(w), clock(nsTime(best*w)), num.Thousands(int64(f.Count)))})
			}
		}
	}
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].Time.Before(ev[j].Time) })
	if ev == nil {
		ev = []Event{}
	}
	return ev
}

// widthText names a bucket width: "1-minute bucket".
func widthText(w int64) string {
	n, unit := durUnit(time.Duration(w))
	return fmt.Sprintf("%d-%s bucket", n, unit)
}

// durUnit splits a bucket width into a count and its largest whole unit.
func durUnit(d time.Duration) (int64, string) {
	switch {
	case d%(24*time.Hour) == 0:
		return int64(d / (24 * time.Hour)), "day"
	case d%time.Hour == 0:
		return int64(d / time.Hour), "hour"
	case d%time.Minute == 0:
		return int64(d / time.Minute), "minute"
	}
	return int64(d / time.Second), "second"
}

// clock formats a time in UTC with the zone named: "2026-11-24 10:32:05 UTC".
func clock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}
