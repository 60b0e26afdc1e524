package analysis

import (
	"fmt"
	"github.com/logtriage/logtriage/internal/num"
	"strings"

	"github.com/logtriage/logtriage/parsers"
)

// Attribution (reference: docs/formats.md §0 and §6). For a request with hops ordered outer → inner:
// the innermost hop whose status is 405 generated it when the next hop inward returned something
// else, or when it is the innermost logged hop and its own evidence says so; when its evidence
// says the next hop answered and that hop is not logged, the origin is "beyond LAYER".

// BeyondPrefix starts the origin label of a 405 that came from behind a layer whose next hop is
// not in the logs: "beyond ingress".
const BeyondPrefix = "beyond "

// request is one request with a 405 (or a traced one) and its verdict.
type request struct {
	hops   []*hop // outer → inner
	traced bool
	single bool // no usable id
	join   JoinKind
	v      verdict
	x      *extra // the verdict of the causes in causes_more.go
	// w is the number of requests this one stands for: 1, plus the requests of the same shape
	// folded into it (fold.go), whose aggregates f holds; pos0 is the canonical position of
	// hops[0], early and late the folded requests that ended first and last.
	w           int64
	f           *fold
	pos0        int
	early, late *request
	redirect    *Redirect // the redirect this GET followed, found when it closed (redirectBefore)
	routeMemo   string    // route(), once asked: the findings, the impact and the timeline each ask
}

// route is the route template of the request, or OtherRoutes for a coarse fold.
func (r *request) route() string {
	if r.f != nil && r.f.other {
		return OtherRoutes
	}
	if r.routeMemo == "" { // a template is never empty
		r.routeMemo = Route(r.hops[0].path())
	}
	return r.routeMemo
}

// clients calls fn with the client address ("" when not logged) of the outermost hop of the
// requests r stands for, and how many requests had it (its own counts once). Folded requests
// whose addresses were beyond maxFoldClients are left out.
func (r *request) clients(fn func(ip string, n int64)) {
	fn(r.hops[0].clientIP(), 1)
	if r.f == nil {
		return
	}
	for k, n := range r.f.clients {
		if int(k[0]) == r.pos0 && k[1:] != string([]byte{restClient}) {
			fn(k[1:], n)
		}
	}
}

// first and last are the times of the earliest and latest request r stands for.
func (r *request) first() int64 {
	t := reqTime(r)
	if r.early != nil {
		if x := reqTime(r.early); x != 0 && (t == 0 || x < t) {
			t = x
		}
	}
	return t
}

func (r *request) last() int64 {
	t := reqTime(r)
	if r.late != nil {
		if x := reqTime(r.late); x > t {
			t = x
		}
	}
	return t
}

// verdict is what the engine decided about one request.
type verdict struct {
	has405      bool
	originLayer string // layer name, or "beyond LAYER"
	originHop   int    // the hop that generated the 405; -1 when it came from beyond
	relayHop    int    // for "beyond": the innermost logged hop, which relayed it; else -1
	addr        string // for "beyond": that hop's upstream address
	how         string // how the origin hop generated the 405 (local evidence)
	proxyHow    string // short label of a proxy's local evidence, for fixes
	uncertain   bool   // the origin hop's evidence was missing; the verdict is a guess
	maskedBy    int    // innermost hop outside the origin whose status was not 405; -1 when none
	retryHop    int    // a hop on the path that retried the upstream; -1 when none
	allowHdr    string
	noAllow     bool // the 405 went out without an Allow header

	cause    Cause
	wanted   string // cors_preflight: the method the browser wanted
	seenPath string // path_rewrite: what the rejecting hop saw
	rewriter string // path_rewrite: the layer that rewrote
	reg      *Regression
	drift    *Drift
	routeOK  int64 // method_not_routed: successes of this method and route at the rejecting layer
}

// rejecting returns the index of the hop whose view of the request decided the 405: the origin
// hop, or the hop that relayed it from an unlogged upstream.
func (v *verdict) rejecting() int {
	if v.originHop >= 0 {
		return v.originHop
	}
	return v.relayHop
}

func (e *Engine) name(h *hop) string   { return e.layers[h.layer].name }
func (e *Engine) format(h *hop) string { return e.layers[h.layer].format }

// attribute decides the origin of a request's 405.
func (e *Engine) attribute(r *request) {
	v := &r.v
	*v = verdict{originHop: -1, relayHop: -1, maskedBy: -1, retryHop: -1}
	hops := r.hops
	h := -1
	for i := len(hops) - 1; i >= 0; i-- {
		if hops[i].status == 405 {
			h = i
			break
		}
	}
	if h < 0 {
		// No hop answered 405, but an upstream attempt did: a 405 masked by the innermost hop
		// that saw it, from a hop that is not logged.
		for i := len(hops) - 1; i >= 0; i-- {
			if touches405(0, hops[i].upstream) {
				v.relayHop = i
				break
			}
		}
		if v.relayHop < 0 {
			return
		}
	} else if h+1 < len(hops) {
		v.originHop = h
		in := hops[h+1]
		v.how = fmt.Sprintf("the next hop inward (%s) answered %d", e.name(in), in.status)
		if e.format(hops[h]) != parsers.FormatApp {
			v.proxyHow = e.localHow(hops[h])
			v.how += "; " + v.proxyHow
		}
	} else {
		local, uncertain := e.selfMade(hops[h])
		v.uncertain = uncertain
		if local {
			v.originHop = h
			v.how = e.localHow(hops[h])
			if e.format(hops[h]) != parsers.FormatApp {
				v.proxyHow = v.how
			}
		} else {
			v.relayHop = h
		}
	}
	v.has405 = true
	b := v.rejecting()
	if v.originHop >= 0 {
		v.originLayer = e.name(hops[b])
	} else {
		v.originLayer = BeyondPrefix + e.name(hops[b])
		v.addr = lastAddr(hops[b].upstreamAddr())
		if v.addr == "" {
			v.addr = hops[b].service()
		}
	}
	// Masked: a hop at or outside the one that saw the 405 sent something else.
	for i := b; i >= 0; i-- {
		if s := hops[i].status; s != 405 && s != 0 {
			v.maskedBy = i
			break
		}
	}
	for i := b; i >= 0; i-- {
		if len(hops[i].upstream) > 1 && touches405(0, hops[i].upstream) {
			v.retryHop = i
			break
		}
	}
	// The Allow header of the 405, from the hop that generated it or any hop that relayed it.
	for i := b; i >= 0; i-- {
		if hops[i].allow() != "" && (hops[i].status == 405 || i == b) {
			v.allowHdr = hops[i].allow()
			break
		}
	}
	if v.allowHdr == "" {
		// nginx, Envoy, the ALB, HAProxy and Caddy set no Allow on their own 405s (§6.5);
		// Apache httpd sets one on every 405 it makes (Allow: TRACE after mod_rewrite [R=405],
		// the file's methods from the static-file handler: the %{Allow}o column of
		// samples/proxies/apache/access.log and parsers/testdata/proxies/apache-access.log), so
		// a log that does not record it says nothing about it.
		if v.proxyHow != "" && v.originHop >= 0 && hops[v.originHop].allow() == "" &&
			e.format(hops[v.originHop]) != parsers.FormatApache {
			v.noAllow = true
		}
		for i := b; i >= 0; i-- {
			if e.layers[hops[i].layer].allowSeen && (hops[i].status == 405 || i == b) {
				v.noAllow = true // this layer logs Allow, and it was empty
			}
		}
	}
}

// apacheRule is the rule of the httpd configuration (--apache-conf) that refused an Apache hop's
// method with its status; nil for other hops, or when none did.
func (e *Engine) apacheRule(h *hop) *parsers.ApacheMethodRule {
	if len(e.opts.ApacheRules) == 0 || e.format(h) != parsers.FormatApache {
		return nil
	}
	return parsers.SelectApacheRule(e.opts.ApacheRules, h.method(), h.path(), h.host(), h.status, h.local == parsers.LocalYes)
}

// selfMade reads a hop's own evidence: did it generate the 405 itself? uncertain is true when
// the record has no evidence either way.
func (e *Engine) selfMade(h *hop) (local, uncertain bool) {
	f := e.format(h)
	if f == parsers.FormatApp {
		return true, false
	}
	if f == parsers.FormatNginx || f == parsers.FormatALB || f == parsers.FormatHAProxy ||
		f == parsers.FormatTraefik || f == parsers.FormatCaddy {
		// $upstream_status / target_status_code / the server's or service's status: the last
		// attempt's status is what was relayed.
		if len(h.upstream) > 0 {
			return h.upstream[len(h.upstream)-1] != 405, false
		}
	}
	if e.apacheRule(h) != nil && h.status == 405 {
		// AllowMethods answered before the handler ran; %R still names the handler the
		// request was given (proxy-server), as on httpd 2.4.71.
		return true, false
	}
	switch h.local {
	case parsers.LocalYes:
		return true, false
	case parsers.LocalNo:
		return false, false
	}
	if f == parsers.FormatApache && h.upstreamAddr() == "" && e.apacheRule(h) == nil &&
		parsers.ApacheProxied(e.opts.ApacheProxyPaths, h.path()) {
		return false, false // a ProxyPass path no method rule refused: mod_proxy relayed it
	}
	switch f {
	case parsers.FormatEnvoy:
		d := h.detail()
		switch {
		case strings.Contains(d, "via_upstream"):
			return false, false
		case envoyLocalDetail(d) != "":
			return true, false
		case h.upstreamAddr() == "":
			return true, false
		}
		return false, true // upstream host set, no details: §2.6 "origin uncertain"
	case parsers.FormatALB:
		return h.upstreamAddr() == "", false
	case parsers.FormatNginx:
		if h.upstreamAddr() != "" || e.nginxProxied(h) != nil {
			return false, false
		}
		return true, e.nginxStatic(h) == nil
	}
	return h.upstreamAddr() == "", true
}

// nginxStatic returns the location of the nginx configuration (--nginx-conf) that answered a
// request by itself: one that hands nothing to a backend (no proxy_pass or other *_pass), has
// no try_files fallback, rewrite or error_page that could send the request to another location,
// and no limit_except; every location written the same way must agree. nil when there is none
// or no configuration.
func (e *Engine) nginxStatic(h *hop) *parsers.NginxLocation {
	return e.nginxLocationUnless(h, func(l *parsers.NginxLocation) bool {
		return l.Upstream || l.Internal || l.Fallback != "" || l.LimitExcept != nil
	})
}

// nginxProxied returns the location of the nginx configuration (--nginx-conf) that can only have
// relayed a request's answer: it hands requests to a backend (proxy_pass, …) and has no
// return, try_files, rewrite, error_page or limit_except of its own (every location written the
// same way must agree); nil when there is none or no configuration. A log without
// $upstream_status (combined) then still tells nginx's own 405 from a relayed one.
func (e *Engine) nginxProxied(h *hop) *parsers.NginxLocation {
	return e.nginxLocationUnless(h, func(l *parsers.NginxLocation) bool {
		return !l.Upstream || l.Returns || l.Internal || l.Fallback != "" || l.LimitExcept != nil
	})
}

// nginxLocationUnless returns the --nginx-conf location that serves h's path, unless one of the
// locations written the same way (a location may be in several server blocks) is ruled out by
// unfit; nil then, or when there is no configuration or no such location.
func (e *Engine) nginxLocationUnless(h *hop, unfit func(*parsers.NginxLocation) bool) *parsers.NginxLocation {
	locs := e.opts.NginxLocations
	if len(locs) == 0 {
		return nil
	}
	loc := parsers.SelectNginxLocation(locs, h.path())
	if loc == nil {
		return nil
	}
	for i := range locs {
		if l := &locs[i]; l.Modifier == loc.Modifier && l.Path == loc.Path && unfit(l) {
			return nil
		}
	}
	return loc
}

// envoyLocalDetail names the Envoy feature behind a local reply from its details and flags.
func envoyLocalDetail(d string) string {
	switch {
	case strings.Contains(d, "direct_response"):
		return "direct response (route direct_response)"
	case strings.Contains(d, "ext_authz"), strings.Contains(d, "UAEX"):
		return "a filter (ext_authz)"
	case strings.Contains(d, "lua_response"):
		return "a filter (Lua respond())"
	case strings.Contains(d, "fault_filter_abort"), hasFlag(d, "FI"):
		return "a filter (fault injection abort)"
	case strings.Contains(d, "rbac"):
		return "a filter (RBAC)"
	}
	return ""
}

func hasFlag(d, flag string) bool {
	for _, f := range strings.FieldsFunc(d, func(r rune) bool { return r == ' ' || r == ',' }) {
		if strings.TrimPrefix(f, "flags=") == flag {
			return true
		}
	}
	return false
}

// localHow describes a hop's own evidence for generating a 405.
func (e *Engine) localHow(h *hop) string {
	switch e.format(h) {
	case parsers.FormatApp:
		return "the application answered 405 itself (innermost hop)"
	case parsers.FormatALB:
		d := strings.ToLower(h.detail())
		switch {
		case h.method() == "TRACE":
			return "ALB rejects TRACE (target status -)"
		case strings.Contains(d, "waf"):
			return "WAF (custom response code, target status -)"
		case strings.Contains(d, "fixed-response"):
			return "fixed response (listener rule, target status -)"
		}
		return "target status - (no target answered)"
	case parsers.FormatNginx:
		switch {
		case h.method() == "TRACE" || h.method() == "CONNECT":
			return "nginx rejects " + h.method() + " (no upstream contacted)"
		case len(h.upstream) > 0 && h.upstream[len(h.upstream)-1] != 405:
			return "nginx replaced the upstream's " + num.Statuses(h.upstream[len(h.upstream)-1:]) + " with 405 (error_page)"
		case h.upstreamAddr() == "" && h.local == parsers.LocalUnknown && e.nginxStatic(h) != nil:
			loc := e.nginxStatic(h)
			return "location " + loc.Pattern() + " (" + loc.Source + ") hands nothing to a backend (no proxy_pass): its static-file handler or return answered"
		case h.upstreamAddr() == "" && h.local == parsers.LocalUnknown:
			return "no upstream logged (static-file handler or configured return, assumed)"
		case strings.Contains(h.detail(), "157-byte"):
			return "no upstream contacted, 157-byte body like nginx's own 405 page (static-file handler or configured return)"
		}
		return "no upstream contacted (static-file handler or configured return)"
	case parsers.FormatEnvoy:
		if s := envoyLocalDetail(h.detail()); s != "" {
			return s
		}
		if h.detail() != "" && h.detail() != "-" {
			return "local reply (" + h.detail() + ")"
		}
		return "local reply (no upstream host)"
	case parsers.FormatApache, parsers.FormatHAProxy, parsers.FormatCaddy, parsers.FormatTraefik:
		if rule := e.apacheRule(h); rule != nil {
			return "a method rule answered (" + apacheRuleText(rule) + ", " + rule.Source + ")"
		}
		return otherProxyHow(e.format(h), h.detail(), h.local)
	}
	return "no upstream answered"
}

// otherProxyHow reads the evidence the Apache, HAProxy, Caddy and Traefik parsers put in Detail
// (parsers/apache.go, haproxy.go, caddy.go, traefik.go).
func otherProxyHow(format, d string, local parsers.Local) string {
	switch format {
	case parsers.FormatApache:
		switch {
		case strings.Contains(d, "no handler"):
			return "httpd answered before any content handler (AllowMethods, mod_rewrite [R=405], or the static-file handler)"
		case strings.Contains(d, "handler "):
			return "httpd's own handler answered (" + after(d, "handler ") + "), not mod_proxy"
		case local == parsers.LocalUnknown:
			return "no handler or proxy logged (add %R to the LogFormat to tell httpd's own answers from mod_proxy's)"
		}
		return "httpd answered itself"
	case parsers.FormatHAProxy:
		switch {
		case strings.Contains(d, "; method rule "):
			return "an http-request rule answered (" + after(d, "; method rule ") + ")"
		case strings.Contains(d, "; rule "):
			return "an http-request rule answered (" + after(d, "; rule ") + ")"
		case strings.Contains(d, "blocked by an HAProxy rule"):
			return "an http-request deny/return rule (termination PR, <NOSRV>)"
		case strings.Contains(d, "sent no response"):
			return "the server sent no response; HAProxy wrote the status"
		case strings.Contains(d, "no server"):
			return "no server chosen (<NOSRV>): " + after(d, "no server: ")
		}
		return "HAProxy answered itself"
	case parsers.FormatCaddy:
		if strings.Contains(d, "handler error at ") {
			return "a handler returned the error (" + after(d, "handler error at ") + ")"
		}
		return "a Caddy route answered (respond / error / file_server: only Caddy's own response headers)"
	case parsers.FormatTraefik:
		switch {
		case strings.Contains(d, "no router matched"):
			return "no router matched: Traefik's own answer"
		case strings.Contains(d, "OriginStatus 0"), strings.Contains(d, "sent it to no service"):
			return "a middleware answered (OriginStatus 0, no service contacted)"
		}
		return "Traefik answered itself"
	}
	return "no upstream answered"
}

// after returns the text of d after the first sep, up to the next "; ".
func after(d, sep string) string {
	i := strings.Index(d, sep)
	if i < 0 {
		return d
	}
	d = d[i+len(sep):]
	if j := strings.Index(d, "; "); j >= 0 {
		d = d[:j]
	}
	return d
}
