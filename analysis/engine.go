// Package analysis is the engine of `logtriage analyze`: it joins the records of one request
// across every hop (ALB → edge → ingress → app), works out the layer order, decides which layer
// generated each 405 and why, and groups the verdicts into ranked findings.
//
// The pipeline is record → correlate → attribute → classify → report. Records flow in once, in
// approximately ascending time; the engine keeps the records of a request only until the request
// can no longer grow (at once when it holds every layer's record, Grace after its newest record
// otherwise, JoinWindow for one with a 405: complete, evict) and then keeps it only when it
// touches a 405. Per-route and per-backend counters, updated for every record, hold what the time-based
// causes need. Memory therefore grows with the traffic inside one window, the number of 405
// requests and the number of routes, not with the number of lines.
//
// The engine is pure: no I/O (except writing reports to a given writer), no clock, no globals.
package analysis

import (
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/logtriage/logtriage/parsers"
)

// Options configure an Engine.
type Options struct {
	// Order lists layer names outer → inner and overrides the inferred order. Layers it does not
	// name follow in inferred order.
	Order []string
	// JoinWindow is how far apart the records of one request may be; it is also how long a
	// request stays open after its newest record. Default 2m.
	JoinWindow time.Duration
	// TraceIDs keeps the requests matching any of these ids even without a 405 (for `trace`).
	TraceIDs []parsers.IDs
	// MaxExamples is the number of example requests per finding. Default 3.
	MaxExamples int
	// Surface counts every record's status per layer, method and route template into
	// Analysis.Surface (for `logtriage contract`).
	Surface bool
	// IncludeMonitors counts monitor probes (cause monitor_probe: HEAD/OPTIONS of uptime monitors
	// and health checks) with the other findings; by default they are set aside as noise
	// (Analysis.Noise) and left out of requests_with_405 and the --fail-on gate.
	IncludeMonitors bool
	// NoRequestViews leaves Analysis.Requests empty: for a caller that writes no request list
	// (JSON without --requests, the text, markdown and HTML reports) and applies no OpenAPI
	// contract (ApplyContract reads the requests' clients). Building a view of every request
	// with a 405 is work done on one core after the logs are read.
	NoRequestViews bool
	// NginxLocations are the locations of the nginx configuration (--nginx-conf): limit_except
	// rules make a 403 a method rejection, a location without proxy_pass a static fall-through.
	NginxLocations []parsers.NginxLocation
	// ApacheRules are the directives of the httpd configuration (--apache-conf) that refuse
	// methods: <LimitExcept>, <Limit>, Require method, AllowMethods, RewriteCond on the method.
	ApacheRules []parsers.ApacheMethodRule
	// ApacheRedirects are the Redirect directives of --apache-conf: where a 301/302 that httpd
	// logged without a Location sent the client.
	ApacheRedirects []parsers.ApacheRedirect
	// ApacheProxyPaths are the ProxyPass paths of --apache-conf: httpd relayed the answers for
	// them unless a method rule refused.
	ApacheProxyPaths []parsers.ApacheProxyPath
	// EnvoyRoutes are the routes of an Envoy bootstrap (--envoy-config) that match on :method.
	EnvoyRoutes []parsers.EnvoyRoute
	// Lateness, when set, is how far behind the newest record an input's record came, as the
	// inputs' readers see it ahead of the merge (parsers.Config.Lateness): the engine waits for
	// such records from then on (noteLate), not only from the first one handed over.
	Lateness *atomic.Int64
	// Grace is how long a request without any 405 stays open after its newest record (default
	// 5s, at most JoinWindow). Hops log when a response ends, and outer hops end after inner
	// ones, so the records of a request with a 405 arrive from the 405 outward: a record that
	// joins a 405 later than Grace would need clocks skewed by more than Grace. Healthy
	// traffic therefore costs memory for Grace, not for the whole JoinWindow.
	Grace time.Duration
	// KeepWhole is the number of requests with a 405 kept whole (listed by --requests and as
	// examples) before further requests of an already seen shape are counted into it instead
	// (fold.go); MaxShapes bounds the distinct shapes kept. 0 means the defaults: 10,000
	// each.
	KeepWhole, MaxShapes int
}

// Guards against ids that are not unique (constant ids of misconfigured clients, "-" that slipped
// through, placeholders): a key that joined maxKeyRecords records, or two records of the same
// layer more than sameLayerGap apart, stops joining anything.
const (
	maxKeyRecords = 16
	sameLayerGap  = int64(time.Second)
	maxGroupHops  = 32
	maxLayers     = 250
	maxBadExample = 5
)

// hop is the compact copy of a record the engine keeps while a request is open, and afterwards
// for requests with a 405. Its strings live in one string, cut by offsets: string headers would
// take twice the room of the typical hop's text, and every open request holds several hops.
type hop struct {
	layer    int
	local    parsers.Local
	status   int
	line     int64
	time     int64 // unix ns; 0 when the record had no time
	start    int64 // unix ns; 0 when unknown
	dur      time.Duration
	file     string
	upstream []int
	buf      string
	end      [nHopStrings]uint16 // end offset of each string field in buf
	shared   bool                // the hop, its buf and upstream live in the engine's arena (arena.go)
	chunk    *textChunk          // the arena's chunk buf lives in; nil when buf is its own
	// rec is the record the hop reads its text from instead of buf, until the merge is done
	// with the record's batch (pack.go); nil once the text is in buf.
	rec   *parsers.Record
	upBuf [2]int // room for upstream's usual one or two statuses (arena hops)
	route uint64 // the record's routeHash (prepare.go)
	// ua is the user agent: a string of the engine's table of them (Engine.agentText), shared by
	// every hop that logged it, rather than a piece of buf.
	ua string
}

// The string fields of a hop, in buf order.
const (
	fMethod = iota
	fHost
	fURI
	fPath
	fRoutedPath
	fUpstreamAddr
	fService
	fAllow
	fOrigin
	fACRMethod
	fClientIP
	fUserAgent
	fDetail
	fRequestID
	fNginxRequestID
	fTraceID
	fAmznRoot
	fB3TraceID
	fScheme
	nHopStrings
)

// maxHopField caps each string field so that offsets fit in 16 bits.
const maxHopField = 2048

func (h *hop) str(f int) string {
	if h.rec != nil {
		return recField(h.rec, f)
	}
	s := 0
	if f > 0 {
		s = int(h.end[f-1])
	}
	return h.buf[s:h.end[f]]
}

func (h *hop) method() string       { return h.str(fMethod) }
func (h *hop) host() string         { return h.str(fHost) }
func (h *hop) uri() string          { return h.str(fURI) }
func (h *hop) path() string         { return h.str(fPath) }
func (h *hop) routedPath() string   { return h.str(fRoutedPath) }
func (h *hop) upstreamAddr() string { return h.str(fUpstreamAddr) }
func (h *hop) service() string      { return h.str(fService) }
func (h *hop) allow() string        { return h.str(fAllow) }
func (h *hop) origin() string       { return h.str(fOrigin) }
func (h *hop) acrMethod() string    { return h.str(fACRMethod) }
func (h *hop) clientIP() string     { return h.str(fClientIP) }
func (h *hop) userAgent() string    { return h.ua }
func (h *hop) detail() string       { return h.str(fDetail) }
func (h *hop) scheme() string       { return h.str(fScheme) }

func (h *hop) ids() parsers.IDs {
	return parsers.IDs{RequestID: h.str(fRequestID), NginxRequestID: h.str(fNginxRequestID),
		TraceID: h.str(fTraceID), AmznRoot: h.str(fAmznRoot), B3TraceID: h.str(fB3TraceID)}
}

// newHop copies rec into a hop: its text into the arena a (see arena.go), or, with a nil a, into
// an allocation of its own.
func newHop(rec *parsers.Record, layer int, file, ua string, a *hopArena) *hop {
	var h *hop
	if a != nil {
		h = a.hop()
		h.shared = true // own replaces it, whatever its text
	} else {
		h = new(hop)
	}
	h.layer, h.file, h.line, h.dur, h.status, h.local, h.ua = layer, file, rec.Line, rec.Duration, rec.Status, rec.Local, ua
	h.route = recRoute(rec)
	if !rec.Time.IsZero() {
		h.time = rec.Time.UnixNano()
	}
	switch {
	case !rec.Start.IsZero():
		h.start = rec.Start.UnixNano()
	case h.time != 0 && rec.Duration >= 0:
		h.start = h.time - int64(rec.Duration)
	}
	if a == nil {
		if len(rec.Upstream) > 0 {
			h.upstream = append([]int(nil), rec.Upstream...)
		}
		h.buf, h.end = ownText(rec)
		return h
	}
	h.upstream = a.hopUpstream(h, rec.Upstream)
	if p, ok := rec.Aux.Ref.(*packer); ok {
		// A record of a batch the merge still holds: read until BatchDone (pack.go).
		h.rec = rec
		p.lazy = append(p.lazy, lazyHop{h, rec})
		return h
	}
	h.rec = rec
	a.copyText(h)
	return h
}

// ownText returns rec's text as a hop keeps it, in an allocation of its own.
func ownText(rec *parsers.Record) (string, [nHopStrings]uint16) {
	var end [nHopStrings]uint16
	fields, n := hopFields(rec)
	b, o := make([]byte, n), 0
	for i, f := range fields {
		o += copy(b[o:], f)
		end[i] = uint16(o)
	}
	return str(b), end
}

// touches405 reports whether a record shows a 405: its own status or any upstream attempt's.
func touches405(status int, upstream []int) bool {
	if status == 405 {
		return true
	}
	for _, s := range upstream {
		if s == 405 {
			return true
		}
	}
	return false
}

// group is the set of records of one request (a union-find component over join keys; the
// smaller group is folded into the larger and its keys repointed, so no parent links are kept).
type group struct {
	hops    []*hop
	keys    []gkey // its join keys (the table maps each to this request: keyTable)
	newest  int64
	has405  bool
	traced  bool
	closed  bool
	merged  *group // set when folded into another group; stale queue entries skip it
	singles bool   // a record without a usable id
	// How hops were joined by match (match.go): at least one unambiguous pair, at least one pair
	// within a group of identical requests.
	linkUnique, linkGroup bool
	linkOrder             bool // at least one pair by log order (untimed.go)
	// mseq numbers the last match index entry put in for one of its hops (Engine.mAdded), 0 if
	// none: it is given back only once that entry is gone (arena.go, recycle).
	mseq int64
	// qseq and qfirst number its last and first entry on the queue of open requests
	// (Engine.qAdded) since it was handed out.
	qseq, qfirst int64
	// Room for the hops and keys of a typical request, so that it needs no allocation of its
	// own for them.
	inline     [4]*hop
	inlineKeys [4]gkey
	fold       *fold     // the requests of the same shape counted into this one (fold.go)
	redirect   *Redirect // the redirect a GET with a 405 followed, found when it closed
}

// keyState is what the engine knows about one join key of an open request: the request, and
// the rest, which the request keeps (gkey).
type keyState struct {
	g *group // &Engine.tombG for a request closed complete
	gkey
	tomb int64 // the tomb of that request (tombs.go)
}

// gkey is one join key of a request and what is known of it.
type gkey struct {
	k      uint64
	first  int64  // time of the first record with this key
	layers uint64 // bit per layer index (< 64) that logged this key
	count  uint16
	failed bool // a record with this key failed (5xx): a proxy may retry it, so its layer may log the id again
}

// key returns g's entry for k; nil when g has none.
func (g *group) key(k uint64) *gkey {
	for i := range g.keys {
		if g.keys[i].k == k {
			return &g.keys[i]
		}
	}
	return nil
}

// keyOf returns the state of key k, when an open request has it.
func (e *Engine) keyOf(k uint64) (keyState, bool) {
	g, ok := e.keys.get(k)
	if !ok {
		if e.tombs.next > 1 {
			return e.tombOf(k) // of a request closed complete (tombs.go)
		}
		return keyState{}, false
	}
	st := keyState{g: g}
	if x := g.key(k); x != nil {
		st.gkey = *x
	}
	return st, true
}

// dropKey removes k from the table and from g's keys (a key found not to be unique).
func (e *Engine) dropKey(k uint64, g *group) {
	e.keys.del(k)
	for i := range g.keys {
		if g.keys[i].k == k {
			g.keys = slices.Delete(g.keys, i, i+1)
			return
		}
	}
}

type qentry struct {
	g *group
	t int64
}

// layerInfo describes one layer (a Record.Layer name, or the format when no name was given).
type layerInfo struct {
	name, format string
	records      int64
	with405      int64
	allowSeen    bool   // the layer's format logs the Allow header
	originSeen   bool   // the layer logs the Origin header
	withIDs      int64  // records with a usable id
	idlessFlag   bool   // idless() when last computed
	orderPos     int    // position in Options.Order; -1 when not named
	co           uint64 // bit per layer (< 64) that appeared in one request with this one
	late         int64  // records that came more than lagFloor behind the newest one seen
	lateMax      int64  // the largest such lateness, in nanoseconds
	first, last  int64  // the oldest and newest record time, Unix nanoseconds (zoneHints)
}

// Engine correlates, attributes and classifies records. It is not safe for concurrent use.
type Engine struct {
	opts Options

	// Records of app logs without times, held until a proxy record places them (untimed.go).
	held        []*heldSeq
	heldN       int
	timed       bool // a record with a time has arrived
	placing     bool // the record being added was placed by log order
	orderPlaced []OrderPlaced
	heldRec     parsers.Record // the held record being handed to add

	layers   []layerInfo
	layerIdx map[string]int
	// unseen are the layers ExpectLayers named that no record has come from yet (complete).
	unseen  []parsers.LayerStart
	expects bool // ExpectLayers was told the inputs' layers
	files   map[string]string
	// The layers looked up last (layerOf), and the files looked up, by where the name's bytes
	// are (fileOf).
	recentLayers [8]recentLayer
	// agents holds each user agent's text once, by agentHash (agentText); agentBytes is their
	// length in all.
	agents     map[uint64]string
	agentBytes int
	recentNext int
	fileCache  [64]string

	// What Result works out once and asks again for request after request: client networks
	// (timeline.go) and each route's backend drift in a dimension (cause.go).
	nets   netMemo
	drifts map[driftKey]driftMemo

	keys keyTable // join key → state, for the keys of open requests (keys.go)
	// tombs keeps what requests closed complete told, for Grace (tombs.go); tombG stands for
	// such a request in a keyState.
	tombs     tombTable
	tombG     group
	graceCut  int64 // the last evict's cutoff for requests without a 405: tombs live while newest >= it
	bad       map[uint64]struct{}
	badN      int // keys marked not unique (bad is bounded by caps.bad)
	badText   []string
	traceKeys map[uint64]struct{}
	queue     []qentry // every open request, by the time of its newest record
	qhead     int
	slow      []qentry // requests with a 405 (or traced), past Grace, waiting for JoinWindow
	shead     int
	maxSeen   int64
	minSeen   int64
	lag       int64 // how far behind maxSeen the engine's clock runs (noteLate)
	open      int
	maxOpen   int

	kept  []*group
	caps  struct{ second, open, waiting, match, bad int } // maxRecordsPerSecond, maxOpenRequests, maxWaiting405, maxMatchEntries, maxBadKeys (tests lower them)
	sec   int64                                           // the second of log time records are counted in (secN), for overCap
	secN  int
	fold  foldState // bounds the requests kept whole (fold.go)
	votes voteTable // (order.go)
	voted int       // requests that contributed votes

	routes     map[uint64]*routeStats // by routeID (prepare.go)
	routeCache [512]struct {
		id uint64
		rs *routeStats
	} // (addRoute)
	routeLimit bool
	surface    map[string]*surfaceStats // with Options.Surface
	rewrites   map[string]*rewriteStats // with Options.Surface: observeRewrites

	records, noStatus, requests, singleHop, unjoinable int64
	textCopied                                         int64 // hops given their text by BatchDone (pack.go)

	tl tlCounter // requests without a 405 per time slot, for the report's timeline

	hashes  []uint64
	scratch []byte
	arena   hopArena // the text of the hops of open requests without a 405 (arena.go)

	// The match index (match.go).
	mIn, mOut, mTail map[uint64]mlist
	mq               []*mentry
	mslab            []mentry // newMentry
	mhead, mdel      int
	mslabs           mslabs // the slabs of the entries in the index, for reuse once they left it
	// Entries put into the match index and dropped from it so far. Entries are dropped in the
	// order they were put in, so every entry numbered (from 1) up to mGone is gone.
	mAdded, mGone int64
	// Entries put on the queue of open requests and taken off it so far (the same numbering).
	qAdded, qGone int64
	// Requests closed without a 405 while match index entries still pointed at them or at their
	// hops, waiting to be given back (arena.go, recycle).
	deferred   []deferredGroup
	dhead      int
	mscratch   []*mentry
	skews      map[skewKey]*skewStat
	outerCache [][]int
	// twins orders pairs of same-rank proxy layers by their records (twins.go).
	twins map[[2]int]*twinPair
	// rematch is the proxy layer whose records are being matched again, -1 when none (twins.go).
	rematch int
	// twinHeld holds the match index entries probed but not matched while a pair of same-rank
	// proxies is not ordered yet; twinsOpen says whether one is (-1: not worked out since the last
	// change), twinLayers how many layers it was worked out for.
	twinHeld   []*mentry
	twinsOpen  int8
	twinLayers int
	outerDone  []bool
	nIdless    int  // layers that log ids on fewer than half of their records
	matchUsed  bool // the match index was used: requests stay open for matchHold

	more moreState // redirects, user agents, non-405 method rejections (causes_more.go)
}

// New returns an Engine.
func New(opts Options) *Engine {
	if opts.JoinWindow <= 0 {
		opts.JoinWindow = 2 * time.Minute
	}
	if opts.MaxExamples <= 0 {
		opts.MaxExamples = 3
	}
	if opts.Grace <= 0 {
		opts.Grace = 5 * time.Second
	}
	if opts.Grace > opts.JoinWindow {
		opts.Grace = opts.JoinWindow
	}
	e := &Engine{opts: opts, layerIdx: map[string]int{}, files: map[string]string{},
		bad:    map[uint64]struct{}{},
		routes: map[uint64]*routeStats{}, rematch: -1}
	e.caps.second, e.caps.open, e.caps.waiting, e.caps.match = maxRecordsPerSecond, maxOpenRequests, maxWaiting405, maxMatchEntries
	e.caps.bad = maxBadKeys
	e.fold.init(&opts)
	if len(opts.TraceIDs) > 0 {
		e.traceKeys = map[uint64]struct{}{}
		for i := range opts.TraceIDs {
			for _, h := range keyHashes(nil, &opts.TraceIDs[i]) {
				e.traceKeys[h] = struct{}{}
			}
		}
	}
	return e
}

func (e *Engine) layerOf(rec *parsers.Record) int {
	name := rec.Layer
	if name == "" {
		name = rec.Format
	}
	// The inputs' names repeat record after record: the last few are compared before the map is
	// hashed (a string is equal to itself at once).
	for i := range e.recentLayers {
		if r := &e.recentLayers[i]; r.name == name && r.name != "" {
			return r.idx
		}
	}
	if i, ok := e.layerIdx[name]; ok {
		e.recentLayers[e.recentNext%len(e.recentLayers)] = recentLayer{e.layers[i].name, i}
		e.recentNext++
		return i
	}
	if len(e.layers) >= maxLayers {
		return len(e.layers) - 1
	}
	name = strings.Clone(name)
	pos := -1
	for i, n := range e.opts.Order {
		if n == name {
			pos = i
			break
		}
	}
	e.layers = append(e.layers, layerInfo{name: name, format: strings.Clone(rec.Format), orderPos: pos})
	e.unseen = slices.DeleteFunc(e.unseen, func(l parsers.LayerStart) bool { return l.Layer == name })
	e.layerIdx[name] = len(e.layers) - 1
	e.recentLayers[e.recentNext%len(e.recentLayers)] = recentLayer{name, len(e.layers) - 1}
	e.recentNext++
	return len(e.layers) - 1
}

// fileOf returns the engine's copy of an input's name. The records of an input share their name's
// bytes, so where they are picks a slot of fileCache, whose name is compared with this one (a
// match is an equal name whatever the bytes are): one comparison a record, where a list of the
// last eight names took up to eight with fifty pods' logs (their names alike to the last bytes).
func (e *Engine) fileOf(name string) string {
	slot := &e.fileCache[uintptr(unsafe.Pointer(unsafe.StringData(name)))>>4%uintptr(len(e.fileCache))]
	if *slot == name && name != "" {
		return *slot
	}
	f, ok := e.files[name]
	if !ok {
		f = strings.Clone(name)
		e.files[f] = f
	}
	*slot = f
	return f
}

type recentLayer struct {
	name string
	idx  int
}

// Add consumes one record. rec is only valid during the call; the engine copies what it keeps.
// Records should arrive in approximately ascending Time order across all inputs.
func (e *Engine) Add(rec *parsers.Record) {
	switch {
	case !rec.Time.IsZero():
		e.timed = true
		e.add(rec)
		if e.held != nil && rec.Status != 0 && !rec.ErrorLine {
			e.place(rec, e.layerOf(rec), rec.Time)
		}
	case e.timed || !e.hold(rec):
		e.add(rec)
	}
}

func (e *Engine) add(rec *parsers.Record) {
	e.records++
	if rec.Status == 0 || rec.ErrorLine {
		// Not an access record (an app's other log lines, or its error line about a request's
		// method, whose evidence parsers/framework.go gives to that request's access line), or a
		// response that never started (Envoy 0/DC): nothing to attribute.
		e.noStatus++
		return
	}
	t, late := int64(0), int64(0)
	if !rec.Time.IsZero() {
		t = rec.Time.UnixNano()
		if t > e.maxSeen {
			e.maxSeen = t
		} else {
			late = e.maxSeen - t
		}
		if e.minSeen == 0 || t < e.minSeen {
			e.minSeen = t
		}
	} else {
		t = e.maxSeen
	}
	if sec := t / int64(time.Second); sec != e.sec {
		e.sec, e.secN = sec, 0
	}
	e.secN++
	li := e.layerOf(rec)
	if l := &e.layers[li]; t != 0 && !rec.Time.IsZero() {
		if l.first == 0 || t < l.first {
			l.first = t
		}
		l.last = max(l.last, t)
	}
	if late > int64(lagFloor) && !e.placing {
		e.noteLate(li, late)
	}
	if a := e.opts.Lateness; a != nil {
		if l := a.Load(); l > e.lag && l > int64(lagFloor) {
			e.lag = min(l+l/4, int64(maxLag)) // a reader saw it coming (noteLate)
		}
	}
	has405 := touches405(rec.Status, rec.Upstream)
	e.observe(rec, li, t, has405)
	// A method rejection with another status (nginx limit_except 403, …) is kept like a 405
	// (causes_more.go); the baselines above counted it as the error it is.
	if e.noteMore(rec, li, t, has405) {
		has405 = true
	}

	// Usable join keys: not known to be shared by unrelated requests.
	// Each key is looked up once: known[i] and states[i] are usable[i]'s entry in e.keys.
	if rec.Aux.Set {
		e.hashes = append(e.hashes[:0], rec.Aux.Words[auxKeys:auxKeys+int(rec.Aux.N)]...)
	} else {
		e.hashes = keyHashes(e.hashes[:0], &rec.IDs)
	}
	usable := e.hashes[:0]
	var states [maxKeys]keyState
	var known [maxKeys]bool
	for _, k := range e.hashes {
		if len(e.bad) > 0 {
			if _, isBad := e.bad[k]; isBad {
				continue
			}
		}
		st, ok := e.keyOf(k)
		if ok {
			sameLayer := li < 64 && st.layers&(1<<uint(li)) != 0
			// One layer logging the id again, later: a constant id of unrelated requests, unless an
			// earlier attempt failed and a proxy retried it (nginx "504, 405": the upstream logs
			// both attempts, the second after the proxy's timeout).
			repeat := sameLayer && abs64(t-st.first) > sameLayerGap &&
				!(st.failed && abs64(t-st.first) <= int64(e.opts.JoinWindow))
			// Records of one layer with different methods or targets are never one request.
			repeat = repeat || sameLayer && e.differs(st, li, rec)
			if st.count >= maxKeyRecords || repeat {
				e.markBad(k, st, &rec.IDs)
				continue
			}
		}
		states[len(usable)], known[len(usable)] = st, ok
		usable = append(usable, k)
	}
	if len(usable) > 0 {
		e.layers[li].withIDs++
	}
	if l := &e.layers[li]; l.idlessFlag != e.idless(li) {
		l.idlessFlag = !l.idlessFlag
		if l.idlessFlag {
			e.nIdless++
		} else {
			e.nIdless--
		}
	}
	matching := e.nIdless > 0

	if len(usable) == 0 && matching {
		// No id: the request stays open while the match index looks for its other hops.
		g := e.newGroup(t)
		g.singles, g.has405 = true, has405
		h := newHop(rec, li, e.fileOf(rec.File), e.agentText(rec), e.arenaFor(has405))
		g.hops = append(g.hops, h)
		e.noteRedirect(g, h) // causes_more.go
		e.open++
		if e.open > e.maxOpen {
			e.maxOpen = e.open
		}
		e.enqueue(g, t)
		e.addMatch(h, g, li, false, rec.BytesSent)
		e.advance()
		return
	}
	if len(usable) == 0 {
		// A single-hop request: no id, or only ids that are not unique.
		e.requests++
		e.singleHop++
		if !rec.IDs.Empty() {
			e.unjoinable++
		}
		if has405 {
			g := &group{hops: []*hop{newHop(rec, li, e.fileOf(rec.File), e.agentText(rec), nil)}, newest: t, has405: true, closed: true, singles: true}
			e.noteRedirect(g, g.hops[0])
			e.keep(g)
		} else {
			e.tl.add(t, tlClass(rec.Status))
		}
		return
	}

	// The request this record belongs to: the largest group any key points at; the others are
	// folded into it (the record bridges them).
	var target *group
	buried := false // a key is of a request closed complete, kept for Grace (closeComplete)
	var tomb int64
	for i := range usable {
		if g := states[i].g; known[i] && g == &e.tombG {
			buried, tomb = true, states[i].tomb
		} else if known[i] && (target == nil || len(g.hops) > len(target.hops)) {
			target = g
		}
	}
	if target == nil && buried && !has405 {
		// A record of a request closed complete (a line written twice, a layer it had not
		// reached): not another request, as when it joined the request while it was open.
		e.buryRecord(tomb, t, li, recRoute(rec), usable, known[:len(usable)])
		e.advance()
		return
	}
	if target == nil {
		target = e.newGroup(t)
		e.open++
		if e.open > e.maxOpen {
			e.maxOpen = e.open
		}
		e.enqueue(target, t)
	} else {
		bridge := false
		for i := range usable {
			bridge = bridge || known[i] && states[i].g != target
		}
		if bridge {
			for _, k := range usable {
				if g, ok := e.keys.get(k); ok && g != target && len(g.hops)+len(target.hops) < maxGroupHops {
					e.merge(target, g)
				}
			}
			// The merges repointed keys: look them up again.
			for i, k := range usable {
				states[i], known[i] = e.keyOf(k)
			}
		}
	}
	target.has405 = target.has405 || has405
	h := newHop(rec, li, e.fileOf(rec.File), e.agentText(rec), e.arenaFor(target.has405 || target.traced))
	target.hops = append(target.hops, h)
	e.noteRedirect(target, h)
	if matching {
		e.addMatch(h, target, li, true, rec.BytesSent)
	}
	var bit uint64
	if li < 64 {
		bit = 1 << uint(li)
	}
	for i, k := range usable {
		st, ok := states[i], known[i]
		switch {
		case !ok || st.g == &e.tombG:
			if ok { // a key of a request closed complete: this one's now
				e.forget(k, st)
			}
			e.keys.put(k, target)
			target.keys = append(target.keys, gkey{k: k, first: t, layers: bit, count: 1, failed: rec.Status >= 500})
			if e.traceKeys != nil {
				if _, hit := e.traceKeys[k]; hit {
					target.traced = true
				}
			}
		case st.g == target:
			if x := target.key(k); x != nil {
				x.count++
				x.layers |= bit
				x.failed = x.failed || rec.Status >= 500
			}
		}
		// A key still pointing at another group: that group was too large to merge; leave it.
	}
	if target.has405 || target.traced {
		e.own(target) // kept when it closes: its hops' text must not stay in the arena
	}
	if t > target.newest {
		target.newest = t
		e.enqueue(target, t)
	}
	if e.complete(target) {
		e.closeComplete(target)
	}
	e.advance()
}

// complete reports whether g, a request without a 405 joined by its ids, can hold no further
// record, so that it can close now instead of Grace after its newest record: it holds one record
// of every layer, or its records end at a hop that answered itself (Local: a static file, a
// redirect, a 404 of the proxy's own) and the layers it lacks are all inside that hop. A layer
// logs a request once (a proxy's retry makes its upstream log it twice, and a second record of
// a layer is not complete), outer hops after inner ones, and a hop that answered itself sent
// nothing further in. Most requests are such, and they were most of the requests open at once:
// ten times the traffic held ten times as many for Grace. The others still wait for Grace: so
// does every request while the match index is in use (requests without ids stay open for
// matchHold) and while a layer may still appear (layerDue). Only a caller that knows every
// input's layer (ExpectLayers, as analyze and trace do) gets this: any other may add a layer at
// any time.
func (e *Engine) complete(g *group) bool {
	n := len(e.layers)
	if !e.expects || noEarlyClose || n < 2 || n > 64 || len(g.hops) > n || g.has405 || g.traced || e.matchUsed || e.placing {
		return false
	}
	var mask uint64
	answered := -1 // the layer of the hop that answered itself
	for _, h := range g.hops {
		bit := uint64(1) << uint(h.layer)
		if mask&bit != 0 {
			return false
		}
		mask |= bit
		if len(h.upstream) > 1 || h.status >= 500 {
			return false // a proxy may have retried it: its upstream logs it again
		}
		if h.local == parsers.LocalYes {
			if answered >= 0 {
				return false // two hops that each answered: not one request's records
			}
			answered = h.layer
		}
	}
	if missing := (uint64(1)<<uint(n) - 1) &^ mask; missing != 0 {
		if answered < 0 {
			return false
		}
		for l := 0; l < n; l++ {
			if missing&(1<<uint(l)) != 0 && !e.surelyInside(l, answered) {
				return false
			}
		}
	}
	return !e.layerDue()
}

// surelyInside reports whether layer l is known to lie inside layer t: --order says so, or at
// least insideVotes joined requests put t outside l (order.go) and no more than one in twenty
// the other way. Formats alone do not say (Envoy may front nginx).
func (e *Engine) surelyInside(l, t int) bool {
	if pl, pt := e.layers[l].orderPos, e.layers[t].orderPos; pl >= 0 && pt >= 0 {
		return pt < pl
	}
	out, in := e.votes.get(t, l), e.votes.get(l, t)
	return out >= insideVotes && in*20 <= out
}

// insideVotes is how many joined requests must put one layer outside another before a request
// that ended at the outer one closes without waiting for the inner one's record.
const insideVotes = 50

// layerDue reports whether a layer no record has come from yet may still log the requests open
// now: one whose first record lies within Grace of the newest record. The requests around its
// start would otherwise close without its hop. A layer that starts later than that cannot have
// logged them; one whose start has passed by more than Grace without an access record (an error
// log) logs none. A layer whose first lines carry no time (an error log again, or an app log
// that starts with lines of its own) is waited for during the first Grace of the run: an app
// log without times is handed over first (untimed.go), and one whose access lines have times
// shows them then.
func (e *Engine) layerDue() bool {
	grace := int64(e.opts.Grace)
	for _, l := range e.unseen {
		start := e.minSeen // the records before --since are not read
		if !l.First.IsZero() {
			start = max(l.First.UnixNano(), e.minSeen)
		}
		if e.maxSeen >= start-grace && e.maxSeen <= start+grace {
			return true
		}
	}
	return false
}

// ExpectLayers tells the engine every input's layer and when its first record is
// (parsers.Config.Starts), before the first record is added: a request that holds a record of
// every layer can then close as soon as it does (complete), from the first record on.
func (e *Engine) ExpectLayers(starts []parsers.LayerStart) {
	e.expects = true
	e.unseen = e.unseen[:0]
	for _, s := range starts {
		if _, seen := e.layerIdx[s.Layer]; seen || s.Layer == "" {
			continue
		}
		// One entry per layer (a directory of a thousand ALB objects is one layer), with its
		// earliest first time.
		i := slices.IndexFunc(e.unseen, func(l parsers.LayerStart) bool { return l.Layer == s.Layer })
		switch {
		case i < 0:
			e.unseen = append(e.unseen, s)
		case e.unseen[i].First.IsZero() || !s.First.IsZero() && s.First.Before(e.unseen[i].First):
			e.unseen[i].First = s.First
		}
	}
}

// noEarlyClose turns closing complete requests at once off (tests compare the analyses with and
// without).
var noEarlyClose bool

// closeComplete closes a complete request at once and gives it back (arena.go): close removed
// its keys, and the queue entries that still point at it are stale by their sequence number
// (evict) even after it is handed out again. What its staying open would have told later records
// with its keys, its tomb tells (tombs.go).
func (e *Engine) closeComplete(g *group) {
	hops := g.hops
	e.bury(g)
	e.close(g)
	e.recycle(g, hops) // arena.go
}

// advance runs the match index and closes the requests that can no longer grow. While the
// match index is in use, requests stay open until no record can pair with theirs any more.
func (e *Engine) advance() {
	now := e.maxSeen - e.lag // records may still come this late (noteLate)
	grace := int64(e.opts.Grace)
	if e.matchUsed {
		e.advanceMatch(now)
		grace = max(grace, matchHold+int64(time.Second))
	}
	e.graceCut = now - grace
	e.evict(now-grace, now-int64(e.opts.JoinWindow))
	if e.dhead < len(e.deferred) {
		e.recycleDeferred() // arena.go
	}
}

// noteLate takes in a record of layer li that came late behind the newest record seen: its
// input is out of time order (nginx's buffered access_log, whose workers each flush their lines
// in turn; logs of several hosts concatenated), and the merge of the inputs by time hands such a
// record over that late. From then on the engine's clock runs that much (and a quarter more, at
// most maxLag) behind the newest record: requests and the match index wait as long before they
// close, so that late records still join the hops logged in order. In-order inputs never come
// late (the merge hands over each input's records in their order, the oldest first), so they
// cost nothing; a second of jitter is within the windows' own margins.
func (e *Engine) noteLate(li int, late int64) {
	l := &e.layers[li]
	l.late++
	l.lateMax = max(l.lateMax, late)
	if late > e.lag {
		e.lag = min(late+late/4, int64(maxLag))
	}
}

const (
	lagFloor = time.Second     // lateness that is only the usual jitter between hops
	maxLag   = 5 * time.Minute // the longest the engine waits for late records
)

// differsInLayer reports whether g holds a record of layer li whose method or path differs from
// rec's: two requests that share an id.
func differsInLayer(g *group, li int, rec *parsers.Record) bool {
	for _, h := range g.hops {
		if h.layer == li && (h.method() != rec.Method || !samePath(h.path(), rec.Path)) {
			return true
		}
	}
	return false
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// maxBadKeys bounds the keys remembered as not unique: beyond, the set starts again (a key
// forgotten so is caught again by the same guards, after it joined up to maxKeyRecords records).
const maxBadKeys = 1 << 20

// markBad stops a key from joining records and remembers an example for the report.
func (e *Engine) markBad(k uint64, st keyState, ids *parsers.IDs) {
	if len(e.bad) >= e.caps.bad {
		clear(e.bad)
	}
	e.bad[k] = struct{}{}
	e.badN++
	e.forget(k, st)
	if len(e.badText) < maxBadExample {
		e.badText = append(e.badText, keyText(ids, k))
	}
}

// merge folds src into dst.
func (e *Engine) merge(dst, src *group) {
	dst.hops = append(dst.hops, src.hops...)
	for _, x := range src.keys {
		if g, ok := e.keys.get(x.k); ok && g == src {
			e.keys.put(x.k, dst)
			dst.keys = append(dst.keys, x)
		}
	}
	dst.has405 = dst.has405 || src.has405
	dst.traced = dst.traced || src.traced
	if dst.has405 || dst.traced {
		e.own(dst)
	}
	dst.linkUnique = dst.linkUnique || src.linkUnique
	dst.linkOrder = dst.linkOrder || src.linkOrder
	dst.linkGroup = dst.linkGroup || src.linkGroup
	dst.mseq = max(dst.mseq, src.mseq)
	if dst.redirect == nil {
		dst.redirect = src.redirect
	}
	if src.newest > dst.newest {
		dst.newest = src.newest
		e.enqueue(dst, dst.newest)
	}
	src.merged = dst
	src.hops, src.keys = nil, nil
	src.inline = [4]*hop{} // src may be looked at until its queue entries pass; its hops are dst's now
	e.open--
	e.recycleMerged(src) // arena.go
}

// enqueue puts g on the queue of open requests with its newest record's time t.
func (e *Engine) enqueue(g *group, t int64) {
	e.queue = append(e.queue, qentry{g, t})
	e.qAdded++
	g.qseq = e.qAdded
	if g.qfirst == 0 {
		g.qfirst = e.qAdded
	}
}

// When log time stands still — more than maxRecordsPerSecond records stamped with one second (one
// line repeated, a burst with one time stamp) — the oldest requests close early, so that no more
// than maxOpenRequests are open, maxWaiting405 with a 405 wait for the join window and
// maxMatchEntries records wait in the match index: such a second must not hold every request in
// memory. Traffic spread over its seconds, however busy below that rate, is never cut short.
const (
	maxRecordsPerSecond = 200_000
	maxOpenRequests     = 200_000
	maxWaiting405       = 50_000
)

// overCap reports whether n held entries are over cap while log time stands still.
func (e *Engine) overCap(n, cap int) bool {
	return n > cap && e.secN > e.caps.second
}

// evict closes the requests without a 405 whose newest record is older than grace, and those
// with a 405 whose newest record is older than window (and the oldest beyond the caps above).

func (e *Engine) evict(grace, window int64) {
	for e.qhead < len(e.queue) {
		q := e.queue[e.qhead]
		if q.t >= grace && !e.overCap(e.open-(len(e.slow)-e.shead), e.caps.open) {
			break
		}
		e.queue[e.qhead] = qentry{}
		e.qhead++
		e.qGone++
		g := q.g
		if g.merged != nil || g.closed || g.newest != q.t || g.qseq != e.qGone {
			// Stale: the request grew, was folded into another, or closed complete and may have
			// been handed out again as another request (closeComplete).
			continue
		}
		if g.has405 || g.traced {
			e.slow = append(e.slow, q)
			continue
		}
		hops := g.hops
		e.close(g)
		e.recycle(g, hops) // arena.go
	}
	for e.shead < len(e.slow) {
		q := e.slow[e.shead]
		if q.t >= window && !e.overCap(len(e.slow)-e.shead, e.caps.waiting) {
			break
		}
		e.slow[e.shead] = qentry{}
		e.shead++
		if g := q.g; g.merged == nil && !g.closed && g.newest == q.t {
			e.close(g)
		}
	}
	e.queue, e.qhead = compact(e.queue, e.qhead)
	e.slow, e.shead = compact(e.slow, e.shead)
}

// compact drops a queue's consumed head once it is most of the queue.
func compact(q []qentry, head int) ([]qentry, int) {
	if head > 4096 && head > len(q)/2 {
		n := copy(q, q[head:])
		clear(q[n:])
		return q[:n], 0
	}
	return q, head
}

// close ends a request: it votes on the layer order and is kept only when it touches a 405 or
// is being traced.
func (e *Engine) close(g *group) {
	g.closed = true
	e.open--
	e.requests++
	for _, x := range g.keys {
		e.keys.delOf(x.k, g)
	}
	g.keys = nil
	if g.singles && len(g.hops) == 1 {
		e.singleHop++
	}
	if len(g.hops) > 1 {
		var mask uint64
		for _, h := range g.hops {
			if h.layer < 64 {
				mask |= 1 << uint(h.layer)
			}
		}
		for _, h := range g.hops {
			e.layers[h.layer].co |= mask
		}
	}
	e.vote(g)
	if e.opts.Surface && len(g.hops) > 1 {
		e.observeRewrites(g)
	}
	if g.has405 || g.traced {
		e.keep(g) // whole, or folded into an earlier request of the same shape (fold.go)
		return
	}
	e.tl.addGroup(g)
	g.hops = nil
}

// flush closes every open request.
func (e *Engine) flush() {
	if e.matchUsed {
		e.advanceMatch(1<<63 - 1)
	}
	for _, x := range e.slow[e.shead:] {
		if g := x.g; g.merged == nil && !g.closed {
			e.close(g)
		}
	}
	for i, x := range e.queue[e.qhead:] {
		// Each open request closes at its first entry, in queue order (the order of the kept
		// requests, which the reports list and break ties by); an entry before it is of a request
		// that closed complete and whose group was handed out again (closeComplete).
		if g := x.g; g.merged == nil && !g.closed && e.qGone+int64(i)+1 >= g.qfirst {
			e.close(g)
		}
	}
	e.queue, e.qhead, e.slow, e.shead = nil, 0, nil, 0
	e.arena = hopArena{} // what waited for reuse goes to the collector before the result is built
}

// OpenRequests returns the number of requests currently held open (for tests and metrics).
func (e *Engine) OpenRequests() int { return e.open }

// MaxOpenRequests returns the largest number of requests held open at once.
func (e *Engine) MaxOpenRequests() int { return e.maxOpen }

// KeptRequests returns the number of closed requests kept for attribution.
func (e *Engine) KeptRequests() int { return len(e.kept) }
