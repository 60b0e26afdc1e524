package analysis

import (
	"fmt"
	"github.com/logtriage/logtriage/internal/num"
	"strings"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// Evidence sentences and fixes, in the terms of the 405 playbook.

// originSentence says where a request's 405 came from and what happened to it on the way out.
func (e *Engine) originSentence(r *request) string {
	v := &r.v
	hops := r.hops
	var b strings.Builder
	if v.originHop >= 0 {
		h := hops[v.originHop]
		if e.format(h) == parsers.FormatApp && v.originHop == len(hops)-1 {
			fmt.Fprintf(&b, "%s answered 405 itself (the innermost hop)", e.name(h))
		} else {
			// statusOf: 405, or the other status of a method rejection (causes_more.go).
			fmt.Fprintf(&b, "%s (%s) generated the %d itself: %s", e.name(h), e.format(h), statusOf(r), v.how)
		}
		if v.uncertain {
			b.WriteString(" (uncertain: the record has no upstream evidence)")
		}
		if msg, ok := strings.CutPrefix(h.detail(), errorLinePrefix); ok && msg != "" {
			// The application's error line about this request (parsers/framework.go gives it to
			// the access line): its own words for why it refused the method.
			fmt.Fprintf(&b, "; its log says \"%s\"", msg)
		}
	} else {
		h := hops[v.relayHop]
		fmt.Fprintf(&b, "the 405 came from beyond %s (upstream %s), no log for it", e.name(h), orDash(v.addr))
		if v.uncertain {
			b.WriteString(" (uncertain: no response code details)")
		}
	}
	if v.retryHop >= 0 {
		h := hops[v.retryHop]
		fmt.Fprintf(&b, "; %s retried the upstream (statuses %s", e.name(h), num.Statuses(h.upstream))
		if h.upstreamAddr() != "" {
			fmt.Fprintf(&b, " from %s", h.upstreamAddr())
		}
		b.WriteString(")")
	}
	if v.maskedBy >= 0 {
		m := hops[v.maskedBy]
		fmt.Fprintf(&b, "; masked: %s turned it into %d", e.name(m), m.status)
		if c := hops[0]; c != m {
			fmt.Fprintf(&b, " and the client got %d", c.status)
		}
	}
	return b.String()
}

// errorLinePrefix starts the Detail of an access line that an application's error line about
// its method was given to (parsers/framework.go, Record.ErrorLine).
const errorLinePrefix = "error line: "

func ts(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

// evidence is a finding's evidence: the first request's origin, then the cause's own evidence.
func (e *Engine) evidence(r *request, f *Finding) string {
	v := &r.v
	rh := r.hops[v.rejecting()]
	var b strings.Builder
	b.WriteString(e.originSentence(r))
	b.WriteString(". ")
	switch v.cause {
	case CauseRedirectMethodChange, CauseStaticFallthrough, CauseMonitorProbe, CauseWebDAVIntercept:
		e.evidenceMore(&b, r, f) // causes_more.go
	case CauseCORSPreflight:
		if v.wanted == "" {
			fmt.Fprintf(&b, "A CORS preflight was rejected: OPTIONS %s from a browser (%s); the logs record no Origin or Access-Control-Request-Method, so the method the browser wanted is not known.",
				r.hops[0].path(), r.hops[0].userAgent())
			break
		}
		fmt.Fprintf(&b, "A CORS preflight (OPTIONS with Origin %s and Access-Control-Request-Method %s) was rejected: the browser wanted %s %s.",
			orDash(originOf(r)), v.wanted, v.wanted, r.hops[0].path())
	case CausePathRewrite:
		fmt.Fprintf(&b, "The client sent %s but %s saw %s (rewritten by %s), a route without %s.",
			r.hops[0].path(), e.name(rh), v.seenPath, v.rewriter, rh.method())
	case CauseDeployRegression:
		g := v.reg
		fmt.Fprintf(&b, "%s %s succeeded %d times at %s until %s", rh.method(), Route(rh.path()), g.Successes, g.Layer, ts(g.LastSuccess))
		if g.VersionBefore != "" {
			fmt.Fprintf(&b, " (version=%s)", g.VersionBefore)
		}
		fmt.Fprintf(&b, "; 405s since %s", ts(g.First405))
		if g.VersionAfter != "" {
			fmt.Fprintf(&b, " (version=%s)", g.VersionAfter)
		}
		b.WriteString(".")
	case CauseBackendDrift:
		d := v.drift
		fmt.Fprintf(&b, "In the same period %s %s succeeds on %s %s and answers 405 on %s (%s seen by %s).",
			rh.method(), Route(rh.path()), d.Dimension, backendNames(d.OK, true), backendNames(d.Failing, false), d.Dimension, d.Layer)
	case CauseProxyMethodBlock:
		if r.x != nil && r.x.rejection != nil {
			e.evidenceMore(&b, r, f) // a method rejection with another status (causes_more.go)
			break
		}
		fmt.Fprintf(&b, "No backend accepted %s %s: the %s answered for it.", rh.method(), Route(rh.path()), proxyKind(e.format(rh)))
	case CauseMethodNotRouted:
		fmt.Fprintf(&b, "%s has no %s handler for %s", sentenceStart(orDash(originLayerName(v))), rh.method(), Route(rh.path()))
		if f.Allow != "" {
			fmt.Fprintf(&b, " (Allow: %s)", f.Allow)
		}
		if v.routeOK == 0 {
			b.WriteString("; it never succeeded in the window")
		} else {
			fmt.Fprintf(&b, "; it also succeeded %d times in the window (intermittent)", v.routeOK)
		}
		if c := f.Clients; c != nil {
			if len(c.UserAgents) > 0 && !agentsUnknown(c) {
				fmt.Fprintf(&b, "; sent by %s", countList(c.UserAgents))
				if len(c.Addresses) > 0 {
					fmt.Fprintf(&b, " from %s", countList(c.Addresses))
				}
			} else if len(c.Addresses) > 0 {
				fmt.Fprintf(&b, "; sent from %s", countList(c.Addresses))
			}
		}
		b.WriteString(".")
	}
	if f.AllowMissing > 0 {
		fmt.Fprintf(&b, " %s no Allow header (HTTP requires one on a 405).", ofCount(f.AllowMissing, f.Count, "The response had", "responses had"))
	}
	if f.Masked > 0 {
		fmt.Fprintf(&b, " %s masked (%s).", ofCount(f.Masked, f.Count, "It was", "were"), strings.Join(f.MaskedBy, ", "))
	}
	if j := f.Joins; j.Group*2 > f.Count {
		fmt.Fprintf(&b, " Mostly group matches: %s joined across hops only as groups of identical requests (same method, target and status in the same second, no shared id); the count at each layer is exact, which record pairs with which is not.",
			ofCount(j.Group, f.Count, "the request was", "requests were"))
	} else if j.Unjoined*2 > f.Count && len(r.hops) == 1 && e.nIdless > 0 {
		fmt.Fprintf(&b, " %s found at one layer only (no id, and no record of another layer matched).", ofCount(j.Unjoined, f.Count, "The request was", "requests were"))
	}
	return b.String()
}

// ofCount says "k of n <many>", or <one> when the finding has one request (not "1 of 1 requests
// were").
func ofCount(k, n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf("%s of %s %s", num.Thousands(k), num.Thousands(n), many)
}

// sentenceStart capitalises "the upstream beyond LAYER" where it starts a sentence ("… no log for
// it. The upstream beyond ingress has no PATCH handler …"); a layer name stays as it is written.
func sentenceStart(s string) string {
	if rest, ok := strings.CutPrefix(s, "the upstream "); ok {
		return "The upstream " + rest
	}
	return s
}

func originLayerName(v *verdict) string {
	if v.originLayer == "" {
		return ""
	}
	if strings.HasPrefix(v.originLayer, BeyondPrefix) {
		return "the upstream " + v.originLayer
	}
	return v.originLayer
}

func originOf(r *request) string {
	for _, h := range r.hops {
		if h.origin() != "" {
			return h.origin()
		}
	}
	return ""
}

func countList(cs []Count) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s (%d)", c.Value, c.Count)
	}
	return strings.Join(parts, ", ")
}

// fix says what to change, in the playbook's terms.
func (e *Engine) fix(r *request, f *Finding) string {
	v := &r.v
	rh := r.hops[v.rejecting()]
	layer := originLayerName(v)
	route := Route(rh.path())
	var s string
	switch v.cause {
	case CauseRedirectMethodChange, CauseStaticFallthrough, CauseMonitorProbe, CauseWebDAVIntercept:
		s = e.fixMore(r, f) // causes_more.go
	case CauseCORSPreflight:
		s = fmt.Sprintf("Handle CORS preflights for %s at %s: answer OPTIONS (CORS middleware or the proxy's CORS policy) with Access-Control-Allow-Methods including %s and Access-Control-Allow-Origin, instead of routing the preflight to a handler without OPTIONS.",
			route, layer, orWord(v.wanted, "the methods the browser needs"))
	case CausePathRewrite:
		s = fmt.Sprintf("Fix the rewrite / prefix strip at %s: %s reaches %s as %s, a route that does not accept %s. Correct the rewrite so the path lands on the route that accepts the method (audit gateway/proxy path rewrites).",
			v.rewriter, r.hops[0].path(), e.name(rh), v.seenPath, rh.method())
	case CauseDeployRegression:
		s = fmt.Sprintf("Roll back %s or restore the %s handler for %s (it worked until %s); add a method-contract test (OpenAPI / CI) so the route's methods cannot regress again.",
			v.reg.Layer, rh.method(), route, ts(v.reg.LastSuccess))
	case CauseBackendDrift:
		s = fmt.Sprintf("Redeploy the stale backends (%s) to match the ones that accept %s %s (%s); keep method support consistent across hosts and environments.",
			backendNames(v.drift.Failing, false), rh.method(), route, backendNames(v.drift.OK, true))
	case CauseProxyMethodBlock:
		if r.x != nil && r.x.rejection != nil {
			s = e.fixMore(r, f) // causes_more.go
			break
		}
		if rule := e.apacheRule(rh); rule != nil {
			s = fmt.Sprintf("Audit the httpd rule at %s (%s) that blocks %s %s: add the method to it (or forward the method to the backend) if clients should use it; if the block is intended (e.g. TRACE), change the client.",
				rule.Source, apacheRuleText(rule), rh.method(), route)
			break
		}
		if rule, src, ok := haproxyRule(rh.detail()); ok && e.format(rh) == parsers.FormatHAProxy {
			s = fmt.Sprintf("Audit the HAProxy rule at %s (%s) that blocks %s %s: forward the method to the backend or narrow the rule's condition; if the block is intended (e.g. TRACE), change the client.",
				src, rule, rh.method(), route)
			break
		}
		s = fmt.Sprintf("Audit the %s rule and method allowlist that blocks %s %s (%s): forward the method to the backend or remove the rule; if the block is intended (e.g. TRACE), change the client.",
			proxyKind(e.format(rh)), rh.method(), route, v.proxyHow)
	case CauseMethodNotRouted:
		allow := f.Allow
		if allow == "" {
			allow = "the allowed methods"
		}
		s = fmt.Sprintf("%s does not route %s %s: if clients should use %s, add the handler; otherwise change the clients to %s.",
			sentenceStart(layer), rh.method(), route, rh.method(), allow)
		if rh.method() == "OPTIONS" && f.Clients != nil && agentsUnknown(f.Clients) && !e.originLogged(r) {
			// No hop logs the user agent or Origin, so a browser's preflight cannot be told
			// from a health check's OPTIONS (preflightByAgent, monitorOf): say what each needs.
			s += " The logs record neither the user agent nor Origin, and OPTIONS comes from two senders no client change reaches: browsers' CORS preflights (answer them with Access-Control-Allow-Methods and Access-Control-Allow-Origin: CORS middleware or the proxy's CORS policy) and load balancers' health checks (HAProxy's option httpchk sends OPTIONS unless told otherwise; a check answered 405 takes the server out of rotation: point it at a GET route)."
		}
	}
	if f.Masked > 0 {
		how := "error_page / intercept / error handler"
		if v.maskedBy >= 0 && len(f.MaskedBy) == 1 {
			how = maskingRule(e.format(r.hops[v.maskedBy]), how)
		}
		s += fmt.Sprintf(" Stop masking at %s (%s): the client must see the 405 with its Allow header.", strings.Join(f.MaskedBy, ", "), how)
	}
	if f.AllowMissing > 0 && v.cause != CauseProxyMethodBlock {
		s += " Send an Allow header listing the permitted methods with every 405."
	}
	return s
}

// maskingRule names what turns a backend's 405 into another status in a proxy of this format,
// or returns def.
func maskingRule(format, def string) string {
	switch format {
	case parsers.FormatApache:
		return "ProxyErrorOverride with an ErrorDocument for 405"
	case parsers.FormatHAProxy:
		return "an http-response set-status / return rule on status 405"
	case parsers.FormatCaddy:
		return "reverse_proxy handle_response on status 405"
	}
	return def
}

// agentsUnknown tells that no hop of a finding's requests logged the user agent ("-" alone:
// HAProxy's httplog without a captured header, http.server's access line).
func agentsUnknown(c *Clients) bool {
	return len(c.UserAgents) == 1 && c.UserAgents[0].Value == "-"
}

// originLogged tells whether any layer of the request logs the Origin header.
func (e *Engine) originLogged(r *request) bool {
	for _, h := range r.hops {
		if e.layers[h.layer].originSeen {
			return true
		}
	}
	return false
}

func proxyKind(format string) string {
	switch format {
	case parsers.FormatALB:
		return "load balancer (ALB listener / WAF)"
	case parsers.FormatNginx:
		return "nginx location"
	case parsers.FormatEnvoy:
		return "Envoy route / filter"
	case parsers.FormatApache:
		return "Apache httpd configuration (AllowMethods, mod_rewrite [R=405], the static-file handler)"
	case parsers.FormatHAProxy:
		return "HAProxy frontend or backend (http-request deny/return)"
	case parsers.FormatCaddy:
		return "Caddy route (respond / error / method matcher)"
	case parsers.FormatTraefik:
		return "Traefik router / middleware"
	}
	return "gateway/proxy"
}

func orWord(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
