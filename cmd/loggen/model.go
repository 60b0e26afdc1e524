package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// request is one client request and every hop's view of it. A scenario fills in what the client
// sent and which hop does what; settle then derives timings and the statuses each hop logs, and
// the renderers print each hop's line from it. All random choices are made while building the
// request, so rendering is a pure function of it.
type request struct {
	scenario string // scenario letter, "" for healthy traffic
	t0       time.Time

	method    string
	uri       string // path and query as the client sent them
	h2        bool   // the client spoke HTTP/2 to the ALB
	ua        string
	referer   string
	client    string // client address (ALB client, or nginx's $remote_addr for internal clients)
	port      int
	origin    string // Origin header
	acrm      string // Access-Control-Request-Method header
	clientRID string // X-Request-ID sent by the client itself
	reqBody   int
	work      time.Duration // time the innermost hop spends on the request

	alb     *albHop
	edge    *edgeHop
	ingress *ingressHop
	app     *appHop
	truth   *truth
}

// resp is a response as one hop sends it to the previous hop.
type resp struct {
	status int
	allow  string // Allow header, "" when absent
	body   int    // body bytes
}

type albHop struct {
	start, end time.Time
	node       string // private address of the ALB node, nginx's $remote_addr
	target     string // nginx instance; "" when the ALB answered itself
	local      *resp  // set when the ALB answered itself (TRACE, fixed-response)
	actions    string
	rule       string
	tg         string
	root, tid  string
	cipher     string
	tls        string
	cert       string
	reqHeaders int // request header bytes as received
	out        resp
	tgtStatus  int // 0 = "-"
}

type edgeHop struct {
	start, end time.Time
	remote     string
	rid        string // $request_id, forwarded as X-Request-ID
	local      *resp  // nginx answered itself (static handler, TRACE, return)
	uri        string // $uri at log time when it differs from the request path
	mask       *resp  // error_page 405 =200 replacement
	retry      bool   // first peer refused the connection
	upAddr     []string
	upStatus   []int
	out        resp
}

type ingressHop struct {
	start, end  time.Time
	local       *resp // direct_response or CORS filter reply
	flags       string
	details     string
	upHost      string
	cluster     string
	sent        string // the path and query nginx sent: x-envoy-original-path when rewritten
	path        string // :PATH after prefix_rewrite (with query)
	traceID     string
	spanID      string
	out         resp
	hasUpstream bool
}

type appHop struct {
	start, end time.Time
	svc        *service
	inst       *instance
	path       string
	res        resp
	noIDs      bool // health checks and cron: no trace or request id
}

// truth is what a scenario declares about a request that has a 405 somewhere.
type truth struct {
	origin string // alb, edge, ingress, app, beyond ingress
	cause  string
	masked bool
}

// randomness helpers over one generator.
type rnd struct{ *rand.Rand }

func newRnd(seed, stream uint64) rnd { return rnd{rand.New(rand.NewPCG(seed, stream))} }

func (r rnd) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}

func (r rnd) pick(s []string) string { return s[r.IntN(len(s))] }

// between returns a duration uniformly in [lo, hi).
func (r rnd) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

// lognormal returns a service time around median with a long tail, as real latencies have.
func (r rnd) lognormal(median time.Duration, sigma float64) time.Duration {
	d := time.Duration(float64(median) * math.Exp(sigma*r.NormFloat64()))
	if d < 50*time.Microsecond {
		d = 50 * time.Microsecond
	}
	if d > 20*time.Second {
		d = 20 * time.Second
	}
	return d
}

// uuid returns a random version-4 UUID.
func (r rnd) uuid() string {
	h := r.hex(32)
	variant := "89ab"[r.IntN(4)]
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string(variant) + h[17:20] + "-" + h[20:]
}

// clientIP returns a public-looking client address from the documentation ranges; one in 40
// is IPv6, which the ALB logs without brackets.
func (r rnd) clientIP() string {
	if r.IntN(40) == 0 {
		return fmt.Sprintf("2001:db8:%x:%x::%x", r.IntN(0xffff), r.IntN(0xff), 1+r.IntN(0xfff))
	}
	nets := []string{"192.0.2.", "198.51.100.", "203.0.113."}
	return fmt.Sprintf("%s%d", r.pick(nets), 1+r.IntN(254))
}

// newRequest starts a request from an outside client through the ALB.
func (g *gen) newRequest(scenario string, t0 time.Time, method, uri, ua string, h2 bool) *request {
	r := &request{scenario: scenario, t0: t0, method: method, uri: uri, ua: ua, h2: h2,
		client: g.clientIP(), port: 1024 + g.IntN(64000)}
	a := &albHop{node: g.pick(albNodes), target: g.pick(nginxHosts), actions: "forward", rule: albRule,
		tg: albTG, tid: "TID_" + g.hex(32), cert: albCert,
		reqHeaders: 180 + g.IntN(420)}
	a.root = fmt.Sprintf("1-%08x-%s", t0.Unix(), g.hex(24))
	if h2 || g.IntN(3) > 0 {
		a.cipher, a.tls = "TLS_AES_128_GCM_SHA256", "TLSv1.3"
	} else {
		a.cipher, a.tls = "ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2"
	}
	if g.IntN(4) == 0 {
		a.cert = "session-reused"
	}
	r.alb = a
	return r
}

// albLocal makes the ALB answer the request itself.
func (r *request) albLocal(status int, actions, rule string, body int) {
	r.alb.target, r.alb.tg, r.alb.actions, r.alb.rule = "", "-", actions, rule
	r.alb.local = &resp{status: status, body: body}
	r.work = 0
}

// toEdge sends the request on to nginx.
func (g *gen) toEdge(r *request) *edgeHop {
	e := &edgeHop{rid: g.hex(32)}
	if r.alb != nil {
		e.remote = r.alb.node
	} else {
		e.remote = r.client
	}
	r.edge = e
	return e
}

// edgeLocal makes nginx answer the request itself, with its own page.
func (r *request) edgeLocal(status, body int, uri string) {
	r.edge.local = &resp{status: status, body: body}
	r.edge.uri = uri
}

// toIngress sends the request through nginx to Envoy and routes it as envoy.yaml does.
// upstreamPath is the path nginx sends (after its own rewrites), with query.
func (g *gen) toIngress(r *request, upstreamPath string) *ingressHop {
	path, query, _ := strings.Cut(upstreamPath, "?")
	if query != "" {
		query = "?" + query
	}
	ig := &ingressHop{flags: "-", details: "via_upstream", traceID: g.hex(32), spanID: g.hex(16),
		sent: upstreamPath}
	svc, up, direct := envoyRoute(r.method, path)
	switch {
	case direct:
		ig.local = &resp{status: 405, body: len(envoyBody405)}
		ig.details, ig.traceID, ig.spanID = "direct_response", "", ""
		ig.path = path + query
	case svc == nil:
		ig.local = &resp{status: 404}
		ig.flags, ig.details, ig.traceID, ig.spanID = "NR", "route_not_found", "", ""
		ig.path = path + query
	default:
		inst := svc.insts[g.IntN(len(svc.insts))]
		ig.upHost, ig.cluster, ig.hasUpstream = inst.addr, svc.cluster, true
		ig.path = up + query
		r.app = &appHop{svc: svc, inst: inst, path: up}
	}
	r.ingress = ig
	return ig
}

// corsReply makes Envoy's CORS filter answer a matching preflight itself.
func (r *request) corsReply() {
	ig := r.ingress
	ig.local = &resp{status: 200}
	ig.details, ig.upHost, ig.cluster, ig.traceID, ig.spanID, ig.hasUpstream = "cors_response", "", "", "", "", false
	r.app = nil
}

// answer sets the app's response.
func (r *request) answer(status int, allow string, body int) {
	r.app.res = resp{status: status, allow: allow, body: body}
}

// settle lays the hops out in time and propagates the response from the innermost hop outwards.
func (g *gen) settle(r *request) {
	g.layout(r)
	var cur resp
	if r.app != nil {
		cur = r.app.res
	}
	if ig := r.ingress; ig != nil {
		if ig.local != nil {
			cur = *ig.local
		}
		ig.out = cur
	}
	if e := r.edge; e != nil {
		if e.local != nil {
			cur = *e.local
		} else {
			if e.retry {
				e.upAddr, e.upStatus = []string{envoyA, envoyB}, []int{502, cur.status}
			} else {
				e.upAddr, e.upStatus = []string{g.pick([]string{envoyA, envoyB})}, []int{cur.status}
			}
			if e.mask != nil && cur.status == 405 {
				cur = *e.mask
			}
		}
		e.out = cur
	}
	if a := r.alb; a != nil {
		if a.local != nil {
			cur = *a.local
		} else {
			a.tgtStatus = cur.status
		}
		a.out = cur
	}
}

// layout nests the hops' time spans: each inner hop starts a little after and ends a little
// before the hop in front of it, so outer hops start earlier and end later.
func (g *gen) layout(r *request) {
	type span struct{ start, end *time.Time }
	var spans []span
	if r.alb != nil {
		spans = append(spans, span{&r.alb.start, &r.alb.end})
	}
	if r.edge != nil {
		spans = append(spans, span{&r.edge.start, &r.edge.end})
	}
	if r.ingress != nil {
		spans = append(spans, span{&r.ingress.start, &r.ingress.end})
	}
	if r.app != nil {
		spans = append(spans, span{&r.app.start, &r.app.end})
	}
	t := r.t0
	for i, s := range spans {
		if i > 0 {
			t = t.Add(g.between(200*time.Microsecond, 1500*time.Microsecond))
			if r.edge != nil && r.edge.retry && s.start == &r.ingress.start {
				// nginx first tried the peer that refused the connection.
				t = t.Add(g.between(time.Millisecond, 4*time.Millisecond))
			}
		}
		*s.start = t
	}
	end := t.Add(r.work)
	for i := len(spans) - 1; i >= 0; i-- {
		if i < len(spans)-1 {
			end = end.Add(g.between(100*time.Microsecond, 900*time.Microsecond))
		}
		*spans[i].end = end
	}
}

// path returns the client's path without the query.
func (r *request) path() string {
	p, _, _ := strings.Cut(r.uri, "?")
	return p
}
