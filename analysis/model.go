package analysis

import (
	"encoding/json"
	"fmt"
	"github.com/logtriage/logtriage/internal/num"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// Schema identifies the JSON document's version. A change that removes or renames a field, or
// changes its meaning, gets a new version.
const Schema = "logtriage.analysis/v2"

// SchemaV1 is the version before hops' "local" became a JSON boolean (null when unknown, as
// parse writes it) instead of the strings "true", "false" and "unknown". HopLocal reads both, so
// that `logtriage report` still renders a saved v1 document.
const SchemaV1 = "logtriage.analysis/v1"

// Analysis is the result of an analysis: the JSON document of `logtriage analyze --output json`.
type Analysis struct {
	Schema  string  `json:"schema"`
	Summary Summary `json:"summary"`
	Layers  []Layer `json:"layers"` // outer → inner
	Order   string  `json:"layer_order"`
	// LayerPath is the layer order with sibling layers (several applications behind one proxy: a
	// request visits one of them) in braces: "edge → {fastapi, flask, gin}".
	LayerPath string    `json:"layer_path"`
	Findings  []Finding `json:"findings"`
	// Impact and Timeline feed the postmortem reports (timeline.go documents them).
	Impact   *Impact   `json:"impact,omitempty"`
	Timeline *Timeline `json:"timeline,omitempty"`
	// Noise holds the findings set aside as noise: monitor probes, unless
	// Options.IncludeMonitors (causes_more.go). They are not in Findings, requests_with_405 or
	// the --fail-on gate.
	Noise []Finding `json:"noise,omitempty"`
	// Requests lists every request with a 405 (only written with --requests).
	Requests []RequestView `json:"requests,omitempty"`
	// Surface counts the statuses of every method and route template at every layer (only with
	// Options.Surface: `logtriage contract`).
	Surface []RouteSurface `json:"surface,omitempty"`

	// traced holds the requests Trace and TraceSource find outside Requests: traced requests that
	// have no 405, and monitor probes set aside as noise.
	traced []RequestView
}

// InputStats describes one input as the reader saw it.
type InputStats struct {
	Name       string      `json:"name"`
	Layer      string      `json:"layer"`
	Format     string      `json:"format"`
	Read       int64       `json:"read"`
	Parsed     int64       `json:"parsed"`
	Rejected   int64       `json:"rejected"`
	Blank      int64       `json:"blank"`
	Skipped    int64       `json:"skipped,omitempty"`    // well-formed lines that are not access records (an app's other logs)
	Rejections []Rejection `json:"rejections,omitempty"` // a few examples
	// TimeResolution is the finest unit the input's record times were seen to carry: "second"
	// (nginx $time_local, Combined lines, most frameworks' defaults), "millisecond" (nginx
	// $msec, Envoy's START_TIME), "microsecond" (ALB) or "nanosecond"; "" when not told. The
	// join summary reads it to say what a clock offset under a second means.
	TimeResolution string `json:"time_resolution,omitempty"`
}

// The values of InputStats.TimeResolution, coarsest first.
const (
	ResolutionSecond      = "second"
	ResolutionMillisecond = "millisecond"
	ResolutionMicrosecond = "microsecond"
	ResolutionNanosecond  = "nanosecond"
)

// Rejection is an example of a line that did not parse.
type Rejection struct {
	Source string `json:"source"` // file:line
	Reason string `json:"reason"`
}

// LateLayer is a layer whose log is out of time order: how many of its records came more than a
// second behind the newest record seen, and the latest by how much. The engine waits for such
// records (Engine.noteLate) from the first one on, up to 5 minutes: records late before that
// first one, or later than 5 minutes, may not have joined their requests' other hops.
type LateLayer struct {
	Layer   string `json:"layer"`
	Records int64  `json:"records"`
	MaxMS   int64  `json:"max_ms"`
}

// Summary counts what was read and found.
type Summary struct {
	Inputs      []InputStats `json:"inputs"`
	Records     int64        `json:"records"`                // records analysed
	NoStatus    int64        `json:"records_without_status"` // ignored: not access records
	FirstSeen   time.Time    `json:"first_seen"`
	LastSeen    time.Time    `json:"last_seen"`
	Requests    int64        `json:"requests"`
	Requests405 int64        `json:"requests_with_405"`
	// SingleHop counts requests that could not be joined across hops: records without any usable
	// id (none, or only ids that were not unique) that no record of another layer matched either.
	SingleHop int64 `json:"single_hop_requests"`
	// NonUniqueIDs counts ids that were shared by unrelated requests and therefore not used to join.
	NonUniqueIDs       int      `json:"non_unique_ids"`
	NonUniqueIDExample []string `json:"non_unique_id_examples,omitempty"`
	Masked405          int64    `json:"masked_405"`
	// MethodRejectionsNot405 counts the requests whose method was refused with another status
	// (nginx limit_except 403, Envoy 404 NR, HAProxy deny): findings like a 405's, not counted
	// in requests_with_405. MonitorProbes counts the monitor probes set aside as noise.
	MethodRejectionsNot405 int64 `json:"method_rejections_not_405"`
	MonitorProbes          int64 `json:"monitor_probes"`
	// Joins counts the requests with a 405 by how their hops were joined (docs/joins.md): by
	// shared ids, by an unambiguous match, as one of a group of identical requests, or not at all.
	Joins JoinCounts `json:"joins"`
	// ClockSkew is the clock offset between hosts estimated from unambiguous matches.
	ClockSkew []ClockSkew `json:"clock_skew,omitempty"`
	// OutOfOrder lists the layers whose records came more than a second behind the newest record
	// seen (their log is out of time order); requests waited for them (Engine.noteLate).
	OutOfOrder []LateLayer `json:"out_of_order,omitempty"`
	// ZoneHints lists the application layers whose records run a whole number of quarter hours
	// off the proxies' at both ends of the logs: local time written without a zone (zone.go).
	ZoneHints []ZoneHint `json:"zone_hints,omitempty"`
	// ByLogOrder lists the app inputs without a time in their lines, whose records were placed at
	// the time of the proxy record that relayed them, found by log order (untimed.go).
	ByLogOrder      []OrderPlaced `json:"by_log_order,omitempty"`
	RoutesTruncated bool          `json:"routes_truncated,omitempty"` // too many routes: baselines incomplete
	// FoldedRequests counts the requests with a 405, beyond the first 10,000, that were counted
	// into an earlier request of the same shape instead of being kept whole (analysis/fold.go):
	// every count includes them, but --requests and the examples list only requests kept whole.
	// OtherRouteRequests counts those on routes beyond the first 12,000 distinct routes (10,000
	// with shapes kept whole, 2,000 folded by route), folded by layers, statuses and methods only
	// and reported under the route "(other routes)".
	FoldedRequests     int64 `json:"folded_requests,omitempty"`
	OtherRouteRequests int64 `json:"other_route_requests,omitempty"`
	// OnlyWith405 is set when the source delivered only requests with a 405 and their hops (the
	// Elasticsearch job): requests and requests_with_405 are then the same set, and no share of
	// all traffic can be told.
	OnlyWith405 bool `json:"only_405_requests,omitempty"`
	// Scope says, in a sentence, what the counts cover when the source did not deliver every
	// record: the exact totals it counted, and whether a cap cut the in-depth examination.
	Scope string `json:"scope,omitempty"`
}

// Layer is one layer, in the order used.
type Layer struct {
	Name   string `json:"name"`
	Format string `json:"format"`
	// Tier is the layer's position on the path, outer → inner from 0; sibling layers share one.
	Tier    int   `json:"tier"`
	Records int64 `json:"records"`
	With405 int64 `json:"records_with_405"`
	// The funnel (timeline.go): requests whose 405 this layer generated, relayed unchanged, or
	// turned into another status.
	Generated405 int64 `json:"generated_405"`
	Passed405    int64 `json:"passed_405"`
	Masked405    int64 `json:"masked_405"`
}

// Finding groups the attributed 405s of one origin layer, cause, method and route template.
type Finding struct {
	OriginLayer string `json:"origin_layer"`
	Cause       Cause  `json:"cause"`
	Method      string `json:"method"`
	Route       string `json:"route"`
	Count       int    `json:"count"`
	// Status is the status that refused the method: 405, or another one for a method rejection
	// that is not a 405 (causes_more.go).
	Status int     `json:"status"`
	Share  float64 `json:"share"` // of all requests with a 405 (or another method rejection)
	// Join is how most of the finding's requests were joined; Joins counts every kind.
	Join      JoinKind   `json:"join"`
	Joins     JoinCounts `json:"joins"`
	FirstSeen time.Time  `json:"first_seen"`
	LastSeen  time.Time  `json:"last_seen"`
	// Masked counts the requests whose 405 an outer hop turned into another status.
	Masked   int      `json:"masked"`
	MaskedBy []string `json:"masked_by,omitempty"` // "edge (200)"
	// Allow is the Allow header the 405 carried (the most common value); empty when none.
	Allow string `json:"allow"`
	// AllowMissing counts 405s known to have gone out without an Allow header.
	AllowMissing int         `json:"allow_missing"`
	Retried      int         `json:"retried,omitempty"`       // requests where a proxy retried the upstream
	Uncertain    int         `json:"uncertain,omitempty"`     // verdicts made without the hop's own evidence
	WantedMethod string      `json:"wanted_method,omitempty"` // cors_preflight
	Regression   *Regression `json:"regression,omitempty"`    // deploy_regression
	Drift        *Drift      `json:"drift,omitempty"`         // backend_drift
	Clients      *Clients    `json:"clients,omitempty"`       // method_not_routed
	// The details of the causes in causes_more.go: the redirect a redirect_method_change
	// followed, the monitor of a monitor_probe, why a non-405 status was a method rejection.
	Redirect  *Redirect        `json:"redirect,omitempty"`
	Monitor   *Monitor         `json:"monitor,omitempty"`
	Rejection *MethodRejection `json:"method_rejection,omitempty"`
	Evidence  string           `json:"evidence"`
	Fix       string           `json:"fix"`
	Verify    string           `json:"verify"`
	// VerifyRequest is the request Verify sends, as data (verify.go).
	VerifyRequest *VerifyRequest `json:"verify_request,omitempty"`
	Examples      []Example      `json:"examples"`
	// Contract tells whether the OpenAPI spec (--openapi) documents the method on the route:
	// documented, undocumented or unknown_route; empty without a spec. See ApplyContract.
	Contract        string   `json:"contract,omitempty"`
	ContractPath    string   `json:"contract_path,omitempty"`    // the spec's path template
	ContractMethods []string `json:"contract_methods,omitempty"` // the methods it documents there
	// FixSide is "server" (a documented method was rejected) or "client" (an undocumented
	// method was sent).
	FixSide         string `json:"fix_side,omitempty"`
	ContractVerdict string `json:"contract_verdict,omitempty"` // the sentence put in front of Fix
	// Impact is who sent the finding's requests and what they got (timeline.go).
	Impact *FindingImpact `json:"impact,omitempty"`

	// clients is who sent the requests, for every cause (Clients only for those where the client
	// is the usual suspect); ApplyContract names them for an undocumented method. It counts the
	// folded requests too, which Requests does not list (fold.go).
	clients *Clients
}

// Clients lists who sends the requests of a finding, most frequent first.
type Clients struct {
	UserAgents []Count `json:"user_agents"`
	Addresses  []Count `json:"addresses"`
}

// Count is a value and how often it was seen.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Example is one request of a finding.
type Example struct {
	ID    string    `json:"id"`
	Time  time.Time `json:"time"`
	URI   string    `json:"uri"`
	Chain string    `json:"chain"` // "alb 405 → edge 405 → app 405"
	Hops  []HopView `json:"hops"`
}

// RequestView is one request with its hops (outer → inner) and verdict.
type RequestView struct {
	IDs         IDsView   `json:"ids"`
	Time        time.Time `json:"time"`
	Method      string    `json:"method"`
	Host        string    `json:"host,omitempty"`
	Path        string    `json:"path"`
	Status      int       `json:"status"` // what the client got
	OriginLayer string    `json:"origin_layer,omitempty"`
	Cause       Cause     `json:"cause,omitempty"`
	Masked      bool      `json:"masked"`
	Join        JoinKind  `json:"join"` // how the hops were joined
	Evidence    string    `json:"evidence,omitempty"`
	Hops        []HopView `json:"hops"`

	keys []uint64
}

// IDsView holds a request's ids, the first value of each kind from outer to inner.
type IDsView struct {
	RequestID      string `json:"request_id,omitempty"`
	NginxRequestID string `json:"nginx_request_id,omitempty"`
	TraceID        string `json:"trace_id,omitempty"`
	AmznRoot       string `json:"amzn_trace_root,omitempty"`
	B3TraceID      string `json:"b3_trace_id,omitempty"`
}

// HopView is one hop's record.
type HopView struct {
	Layer        string    `json:"layer"`
	Format       string    `json:"format"`
	Status       int       `json:"status"`
	Upstream     []int     `json:"upstream,omitempty"` // -1 = attempt without status
	UpstreamAddr string    `json:"upstream_addr,omitempty"`
	Source       string    `json:"source"` // file:line
	Time         time.Time `json:"time"`
	Method       string    `json:"method,omitempty"`
	Host         string    `json:"host,omitempty"`
	URI          string    `json:"uri,omitempty"`
	RoutedPath   string    `json:"routed_path,omitempty"`
	Local        HopLocal  `json:"local"`
	Allow        string    `json:"allow,omitempty"`
	Service      string    `json:"service,omitempty"`
	Detail       string    `json:"detail,omitempty"`
	ClientIP     string    `json:"client_ip,omitempty"`
	UserAgent    string    `json:"user_agent,omitempty"`
	Origin       string    `json:"origin,omitempty"`
	ACRMethod    string    `json:"access_control_request_method,omitempty"`
	DurationMS   *float64  `json:"duration_ms,omitempty"`
	IDs          IDsView   `json:"ids"`
}

// HopLocal is whether a hop generated the response itself: in JSON true, false, or null when
// the format does not tell, as in parse's records (parsers/recordjson.go).
type HopLocal parsers.Local

// String is "true", "false" or "unknown", as the text reports print it.
func (l HopLocal) String() string { return parsers.Local(l).String() }

// MarshalJSON writes true, false or null.
func (l HopLocal) MarshalJSON() ([]byte, error) {
	switch parsers.Local(l) {
	case parsers.LocalYes:
		return []byte("true"), nil
	case parsers.LocalNo:
		return []byte("false"), nil
	}
	return []byte("null"), nil
}

// UnmarshalJSON reads true, false and null, and the strings of a SchemaV1 document.
func (l *HopLocal) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true", `"true"`:
		*l = HopLocal(parsers.LocalYes)
	case "false", `"false"`:
		*l = HopLocal(parsers.LocalNo)
	case "null", `"unknown"`, `""`:
		*l = HopLocal(parsers.LocalUnknown)
	default:
		return fmt.Errorf("local is %s: want true, false or null", b)
	}
	return nil
}

// Result closes every open request and returns the analysis. Call it once, after the last Add.
func (e *Engine) Result(inputs []InputStats) *Analysis {
	e.releaseHeld()
	e.flush()
	e.nets, e.drifts = nil, nil // worked out again from the baselines as they are now
	order, how := e.order()
	rank := make([]int, len(e.layers))
	for pos, l := range order {
		rank[l] = pos
	}
	a := &Analysis{Schema: Schema, Order: how}
	if inputs == nil {
		inputs = []InputStats{}
	}
	a.Summary = Summary{Inputs: inputs, Records: e.records, NoStatus: e.noStatus,
		FirstSeen: nsTime(e.minSeen), LastSeen: nsTime(e.maxSeen), Requests: e.requests,
		SingleHop: e.singleHop, NonUniqueIDs: e.badN, NonUniqueIDExample: e.badText,
		RoutesTruncated: e.routeLimit, FoldedRequests: e.fold.folded, OtherRouteRequests: e.fold.otherRoutes}
	tiers := e.tiers(order)
	for i, l := range order {
		li := e.layers[l]
		a.Layers = append(a.Layers, Layer{Name: li.name, Format: li.format, Tier: tiers[i], Records: li.records, With405: li.with405})
	}
	a.LayerPath = layerPath(a.Layers)
	a.Summary.ClockSkew = e.clockSkews()
	a.Summary.ZoneHints = e.zoneHints()
	a.Summary.ByLogOrder = e.orderPlaced
	for _, l := range order {
		if li := &e.layers[l]; li.late > 0 {
			a.Summary.OutOfOrder = append(a.Summary.OutOfOrder, LateLayer{Layer: li.name, Records: li.late, MaxMS: li.lateMax / 1e6})
		}
	}
	if sib := siblingNote(a.Layers); sib != "" {
		a.Order += "; " + sib
	}
	if a.Layers == nil {
		a.Layers = []Layer{}
	}

	var reqs, quiet, noise []*request
	ranked := func(g *group) []*hop {
		hops := append([]*hop(nil), g.hops...)
		sort.SliceStable(hops, func(i, j int) bool {
			if rank[hops[i].layer] != rank[hops[j].layer] {
				return rank[hops[i].layer] < rank[hops[j].layer]
			}
			return hops[i].time < hops[j].time
		})
		return hops
	}
	for _, g := range e.kept {
		hops := ranked(g)
		r := &request{hops: hops, traced: g.traced, single: g.singles, join: joinKind(g), w: 1, redirect: g.redirect}
		if f := g.fold; f != nil {
			// A representative: it stands for the requests of its shape folded into it (fold.go).
			r.f, r.w = f, 1+f.n
			canon := e.fold.canonical(g)
			timed := -1 // the canonical position of the hop that names the request's time (reqTime)
			for _, h := range hops {
				if h.time != 0 {
					timed = slices.Index(canon, h)
					break
				}
			}
			r.pos0 = slices.Index(canon, hops[0])
			e.rebin(f)
			if timed >= 0 && timed < len(f.early) && f.early[timed] != nil {
				r.early = &request{hops: ranked(f.early[timed]), join: r.join}
				r.late = &request{hops: ranked(f.late[timed]), join: r.join}
				if eg := f.early[timed]; reqTime(r.early) < reqTime(r) {
					// A folded request came first (requests close by their newest hop, so under
					// clock skew a later one can close first): it is the one the finding shows, and
					// the representative counts as folded instead.
					e.fold.swap(e, f, g, eg)
					r.late = maxByTime(r.late, &request{hops: r.hops, join: r.join})
					r.hops, r.redirect = ranked(eg), eg.redirect
					r.pos0 = slices.Index(e.fold.canonical(eg), r.hops[0])
				}
			}
		}
		if g.has405 {
			e.attribute(r)
			e.attributeRejection(r) // a method rejection with another status (causes_more.go)
		}
		if r.v.has405 {
			e.classify(r)
			for _, x := range []*request{r.early, r.late} {
				if x != nil {
					x.v, x.x = r.v, r.x
				}
			}
			if e.isNoise(r) {
				noise = append(noise, r)
				if !e.opts.NoRequestViews {
					// No finding counts a monitor probe, but `trace` must still find it by the id
					// or FILE:LINE the noise examples show.
					a.traced = append(a.traced, e.view(r))
				}
				continue
			}
			reqs = append(reqs, r)
			a.Summary.Requests405 += r.w
			a.Summary.Joins.addN(r.join, r.w)
			if r.v.maskedBy >= 0 {
				a.Summary.Masked405 += r.w
			}
		} else {
			a.traced = append(a.traced, e.view(r))
			quiet = append(quiet, r)
		}
	}
	// Stable output: requests in time order.
	sort.SliceStable(reqs, func(i, j int) bool { return reqTime(reqs[i]) < reqTime(reqs[j]) })
	a.Findings = e.findings(reqs, a.Summary.Requests405)
	e.finishMore(a, reqs, noise)
	a.Surface = e.surfaceView(rank)
	if !e.opts.NoRequestViews {
		a.Requests = make([]RequestView, 0, len(reqs))
		for _, r := range reqs {
			a.Requests = append(a.Requests, e.view(r))
		}
	}
	e.reportData(a, reqs, quiet, rank)
	return a
}

func reqTime(r *request) int64 {
	for _, h := range r.hops {
		if h.time != 0 {
			return h.time
		}
	}
	return 0
}

// findings groups requests by (origin layer, cause, method, route template), ranked by count.
func (e *Engine) findings(reqs []*request, total int64) []Finding {
	type agg struct {
		f        *Finding
		first    *request
		allows   map[string]int
		ua, addr map[string]int
		maskedBy map[string]int
		other    bool  // holds requests folded under "(other routes)" (fold.go)
		coarse   int64 // requests folded by route and layer statuses only (fold.go)
	}
	type aggKey struct {
		findingKey
		status int // the client's status, 0 for a 405
	}
	byKey := map[aggKey]*agg{}
	var order []*agg
	for _, r := range reqs {
		v := &r.v
		c := r.hops[0]
		route := r.route()
		key := aggKey{findingKey: findingKey{v.originLayer, v.cause, c.method(), route}}
		if s := statusOf(r); s != 405 {
			key.status = s
		}
		g := byKey[key]
		if g == nil {
			g = &agg{f: &Finding{OriginLayer: v.originLayer, Cause: v.cause, Method: c.method(), Route: route,
				Regression: v.reg, Drift: v.drift, WantedMethod: v.wanted, Examples: []Example{}},
				first: r, allows: map[string]int{}, ua: map[string]int{}, addr: map[string]int{}, maskedBy: map[string]int{}}
			byKey[key] = g
			order = append(order, g)
		}
		f := g.f
		w := int(r.w)
		f.Count += w
		f.Joins.addN(r.join, r.w)
		if t := nsTime(r.first()); f.FirstSeen.IsZero() || t.Before(f.FirstSeen) {
			f.FirstSeen = t
		}
		if t := nsTime(r.last()); t.After(f.LastSeen) {
			f.LastSeen = t
		}
		if v.maskedBy >= 0 {
			f.Masked += w
			m := r.hops[v.maskedBy]
			g.maskedBy[fmt.Sprintf("%s (%d)", e.name(m), m.status)] += w
		}
		if v.noAllow {
			f.AllowMissing += w
		}
		if v.allowHdr != "" {
			g.allows[v.allowHdr] += w
		}
		if v.retryHop >= 0 {
			f.Retried += w
		}
		if v.uncertain {
			f.Uncertain += w
		}
		// Every value is counted (the requests kept whole and the folds' bounded client tallies
		// bound them), so the top three do not depend on the order requests came in.
		g.ua[c.userAgent()] += w
		r.clients(func(ip string, n int64) {
			if ip != "" {
				g.addr[ip] += int(n)
			}
		})
		if r.f != nil && r.f.other {
			g.other = true
		} else if r.f != nil {
			g.coarse += r.f.approx
		}
		if len(f.Examples) < e.opts.MaxExamples {
			f.Examples = append(f.Examples, e.example(r))
		}
	}
	out := make([]Finding, 0, len(order))
	for _, g := range order {
		f := g.f
		if total > 0 {
			f.Share = float64((int64(f.Count)*10000+total/2)/total) / 10000 // rounded to 0.01%
		}
		f.Join = f.Joins.Most()
		f.Allow = top(g.allows, 1).first()
		for _, m := range top(g.maskedBy, 3) {
			f.MaskedBy = append(f.MaskedBy, m.Value)
		}
		f.clients = &Clients{UserAgents: top(g.ua, 3), Addresses: top(g.addr, 3)}
		if f.Cause == CauseMethodNotRouted || f.Cause == CausePathRewrite {
			f.Clients = f.clients
		}
		e.moreDetails(g.first, f)
		f.Evidence = e.evidence(g.first, f)
		if g.other {
			f.Evidence = fmt.Sprintf("Requests on routes beyond the first %s distinct routes, folded by layers, statuses and methods; "+
				"their verdict is that of the first of them (%s %s): ", num.Thousands(int64(e.fold.maxRoutes+e.fold.maxCoarse)),
				g.first.hops[0].method(), Route(g.first.hops[0].path())) + f.Evidence
		} else if g.coarse > 0 {
			f.Evidence += fmt.Sprintf(" %s of these requests, beyond the %s distinct request shapes kept, were folded by route and statuses and given the verdict of the first of their kind.",
				num.Thousands(g.coarse), num.Thousands(int64(len(e.fold.shapes))))
		}
		f.Fix = e.fix(g.first, f)
		f.VerifyRequest = verifyRequest(g.first)
		f.Verify = f.VerifyRequest.Curl()
		out = append(out, *f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].FirstSeen.Before(out[j].FirstSeen)
	})
	return out
}

type counts []Count

func (c counts) first() string {
	if len(c) == 0 {
		return ""
	}
	return c[0].Value
}

// top returns the n most frequent values, ties by value.
func top(m map[string]int, n int) counts {
	out := make(counts, 0, len(m))
	for v, c := range m {
		if v == "" {
			v = "-"
		}
		out = append(out, Count{v, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// bestID names a request by its first id, outer to inner; without ids, by its source.
func bestID(r *request) string {
	ids := mergeIDs(r.hops)
	for _, s := range []string{ids.RequestID, ids.TraceID, ids.AmznRoot, ids.B3TraceID, ids.NginxRequestID} {
		if s != "" {
			return s
		}
	}
	h := r.hops[0]
	return h.file + ":" + strconv.FormatInt(h.line, 10)
}

func mergeIDs(hops []*hop) IDsView {
	var v IDsView
	for _, h := range hops {
		set := func(dst *string, s string) {
			if *dst == "" {
				*dst = s
			}
		}
		ids := h.ids()
		set(&v.RequestID, ids.RequestID)
		set(&v.NginxRequestID, ids.NginxRequestID)
		set(&v.TraceID, ids.TraceID)
		set(&v.AmznRoot, ids.AmznRoot)
		set(&v.B3TraceID, ids.B3TraceID)
	}
	return v
}

// chain renders the hop chain: "alb 405 → edge 405 (upstream 502, 405) → app 405".
func (e *Engine) chain(r *request) string {
	var b strings.Builder
	for i, h := range r.hops {
		if i > 0 {
			b.WriteString(" → ")
		}
		fmt.Fprintf(&b, "%s %d", e.name(h), h.status)
		if len(h.upstream) > 0 && !(len(h.upstream) == 1 && h.upstream[0] == h.status) {
			fmt.Fprintf(&b, " (upstream %s)", num.Statuses(h.upstream))
		}
	}
	if v := &r.v; v.has405 && v.originHop < 0 {
		fmt.Fprintf(&b, " → [%s: not logged]", orDash(v.addr))
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (e *Engine) example(r *request) Example {
	x := Example{ID: bestID(r), Time: nsTime(reqTime(r)), URI: r.hops[0].uri(), Chain: chainPrefix(r) + e.chain(r)}
	if x.URI == "" {
		x.URI = r.hops[0].path()
	}
	for _, h := range r.hops {
		x.Hops = append(x.Hops, HopView{Layer: e.name(h), Format: e.format(h), Status: h.status,
			Upstream: h.upstream, UpstreamAddr: h.upstreamAddr(), Source: source(h), Time: nsTime(h.time),
			Local: HopLocal(h.local), URI: h.uri(), Allow: h.allow(), IDs: idsView(h.ids())})
	}
	return x
}

func source(h *hop) string { return h.file + ":" + strconv.FormatInt(h.line, 10) }

// view renders a request with full hop records.
func (e *Engine) view(r *request) RequestView {
	c := r.hops[0]
	v := RequestView{IDs: mergeIDs(r.hops), Time: nsTime(reqTime(r)), Method: c.method(), Host: c.host(),
		Path: c.path(), Status: c.status, Join: r.join}
	if r.v.has405 {
		// Only an attributed request has a verdict: a traced request without a 405 keeps the zero
		// verdict, whose maskedBy (0) would call it masked.
		v.Masked = r.v.maskedBy >= 0
		v.OriginLayer, v.Cause = r.v.originLayer, r.v.cause
		v.Evidence = e.originSentence(r)
	}
	for _, h := range r.hops {
		hv := HopView{Layer: e.name(h), Format: e.format(h), Status: h.status, Upstream: h.upstream,
			UpstreamAddr: h.upstreamAddr(), Source: source(h), Time: nsTime(h.time), Method: h.method(),
			Host: h.host(), URI: h.uri(), RoutedPath: h.routedPath(), Local: HopLocal(h.local), Allow: h.allow(),
			Service: h.service(), Detail: h.detail(), ClientIP: h.clientIP(), UserAgent: h.userAgent(),
			Origin: h.origin(), ACRMethod: h.acrMethod(),
			IDs: idsView(h.ids())}
		if h.dur >= 0 {
			ms := float64(h.dur) / float64(time.Millisecond)
			hv.DurationMS = &ms
		}
		v.Hops = append(v.Hops, hv)
		ids := h.ids()
		v.keys = keyHashes(v.keys, &ids)
	}
	return v
}

// WriteJSON writes the analysis as an indented JSON document; requests adds the requests array.
func (a *Analysis) WriteJSON(w io.Writer, requests bool) error {
	doc := *a
	if !requests {
		doc.Requests = nil
	} else if doc.Requests == nil {
		doc.Requests = []RequestView{}
	}
	if doc.Findings == nil {
		doc.Findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&doc)
}

// Trace returns the requests (with or without a 405) that carry any form of id.
func (a *Analysis) Trace(id parsers.IDs) []RequestView {
	want := keyHashes(nil, &id)
	var out []RequestView
	for _, set := range [][]RequestView{a.Requests, a.traced} {
		for _, r := range set {
			if sharesKey(r.keys, want) {
				out = append(out, r)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// TraceSource returns the requests with a 405 one of whose records is source (file:line): what
// the reports name a request by when its logs carry no id.
func (a *Analysis) TraceSource(source string) []RequestView {
	var out []RequestView
	for _, set := range [][]RequestView{a.Requests, a.traced} {
		for _, r := range set {
			for _, h := range r.Hops {
				if h.Source == source {
					out = append(out, r)
					break
				}
			}
		}
	}
	return out
}

func sharesKey(a, b []uint64) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func idsView(ids parsers.IDs) IDsView {
	return IDsView{ids.RequestID, ids.NginxRequestID, ids.TraceID, ids.AmznRoot, ids.B3TraceID}
}
