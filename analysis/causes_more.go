package analysis

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// The causes users hit most that need more than one request's hops (issue 15, docs/causes.md):
// a redirect that turned a POST into a GET, an API call that fell through to a static or SPA
// fallback, uptime monitors probing with HEAD/OPTIONS, IIS's WebDAV module, and method
// rejections that are not 405s (nginx limit_except 403, Envoy 404 NR, HAProxy deny).
//
// The engine notes per record (noteMore, called from Add after observe) what these causes need
// later: recent redirects of non-GET requests per client, what each user agent sends, and
// whether a record is a method rejection with another status (such a request is then kept like
// one with a 405). classifyMore runs first in classify.
const (
	CauseRedirectMethodChange Cause = "redirect_method_change"
	CauseStaticFallthrough    Cause = "static_fallthrough"
	CauseMonitorProbe         Cause = "monitor_probe"
	CauseWebDAVIntercept      Cause = "webdav_intercept"
)

const (
	redirectWindow   = int64(10 * time.Second) // the client follows a redirect within seconds
	maxRedirectKeys  = 100_000
	redirectsPerKey  = 4
	maxAgents        = 50_000
	probeMinRequests = 4
	probeMaxCV       = 0.25 // coefficient of variation of the gaps of a "regular interval"
)

// Redirect is the earlier request of a redirect_method_change: the same client got Status for
// Method URI and, Seconds later, sent GET to the redirect target.
type Redirect struct {
	Layer    string    `json:"layer"`
	Method   string    `json:"method"`
	URI      string    `json:"uri"`
	Status   int       `json:"status"`
	Location string    `json:"location,omitempty"` // where logged (ALB redirect_url), or from --nginx-conf's return or --apache-conf's Redirect
	Time     time.Time `json:"time"`
	Seconds  float64   `json:"seconds"` // until the GET
	Source   string    `json:"source"`
	Client   string    `json:"client,omitempty"`
	Agent    string    `json:"user_agent,omitempty"`
}

// Monitor describes the probes of a monitor_probe finding.
type Monitor struct {
	Agent string `json:"user_agent"`
	// Known names the monitor when the user agent is a known one (UptimeRobot, kube-probe, …);
	// empty when it was recognised by its behaviour alone.
	Known string `json:"known,omitempty"`
	// Requests and IntervalSeconds describe everything this agent sent at the layer: only
	// HEAD/OPTIONS, to one path, every IntervalSeconds on average.
	Requests        int64   `json:"requests"`
	IntervalSeconds float64 `json:"interval_seconds,omitempty"`
}

// Rejection says why a status other than 405 counts as a method rejection.
type MethodRejection struct {
	Status int    `json:"status"`
	Layer  string `json:"layer"`
	// Rule is the configuration that refuses the method (nginx limit_except, an Envoy route's
	// :method match), with its source; empty when the evidence is the traffic itself.
	Rule   string `json:"rule,omitempty"`
	Source string `json:"rule_source,omitempty"`
	// Allowed lists the methods the rule allows, or those that succeeded on the route.
	Allowed []string `json:"allowed,omitempty"`
}

// redirectNote is one non-GET request that got a 301/302, remembered for redirectWindow.
type redirectNote struct {
	t                   int64
	status              int
	method, uri, path   string
	location            string
	file                string
	line                int64
	layer               int
	client, agent, host string
}

// agentStats is what one user agent sent at one layer.
type agentStats struct {
	n              int64
	other          bool // sent a method other than HEAD/OPTIONS
	path           string
	paths          bool // sent to more than one path
	last           int64
	gaps           int64
	sum, sumSq     float64 // of gaps in seconds
	firstT, finalT int64
}

// moreState is the engine's state for these causes.
type moreState struct {
	redirects map[string][]redirectNote
	agents    map[uint64]*agentStats // by agentID
	// Non-405 method rejections and monitor probes set aside, for the summary.
	rejections, probes int64
}

// extra is a request's verdict for these causes.
type extra struct {
	status    int // the rejection's status when it is not 405
	redirect  *Redirect
	monitor   *Monitor
	rejection *MethodRejection
	location  *parsers.NginxLocation // static_fallthrough from the configuration
	served    string                 // static_fallthrough: the path the proxy served
}

// agentID keys what a user agent sent at a layer: the hash of the user agent (prepare.go) and
// the layer.
func agentID(layer int, agent uint64) uint64 {
	return agent ^ uint64(layer+1)*0x9e3779b97f4a7c15
}

func clientKey(layer int, client, ua string) string {
	return strconv.Itoa(layer) + "\x00" + client + "\x00" + ua
}

// noteMore records what the causes of this file need from one record, and reports whether the
// record is a method rejection with another status (its request is then kept like a 405's).
func (e *Engine) noteMore(rec *parsers.Record, li int, t int64, has405 bool) bool {
	m := &e.more
	if (rec.Status == 301 || rec.Status == 302) && rec.Method != "GET" && rec.Method != "HEAD" && rec.ClientIP != "" {
		if m.redirects == nil || len(m.redirects) >= maxRedirectKeys {
			m.redirects = map[string][]redirectNote{}
		}
		k := clientKey(li, rec.ClientIP, rec.UserAgent)
		loc := redirectLocation(rec.Detail)
		if loc == "" && rec.Format == parsers.FormatNginx && len(e.opts.NginxLocations) > 0 {
			// The access log has no Location; the --nginx-conf location's return says where.
			if l := parsers.SelectNginxLocation(e.opts.NginxLocations, rec.Path); l != nil {
				loc = l.Redirect
			}
		}
		if loc == "" && rec.Format == parsers.FormatApache && len(e.opts.ApacheRedirects) > 0 {
			loc = parsers.ApacheRedirectTarget(e.opts.ApacheRedirects, rec.Path) // --apache-conf's Redirect
		}
		n := redirectNote{t: t, status: rec.Status, method: strings.Clone(rec.Method), uri: strings.Clone(rec.URI),
			path: strings.Clone(rec.Path), location: loc, file: e.fileOf(rec.File), line: rec.Line,
			layer: li, client: strings.Clone(rec.ClientIP), agent: strings.Clone(rec.UserAgent), host: strings.Clone(rec.Host)}
		// By layer, and for any layer: the GET may be logged only at another layer than the
		// redirect (an edge redirecting to https, the app logging the GET).
		for _, k := range []string{k, clientKey(-1, rec.ClientIP, rec.UserAgent)} {
			l := m.redirects[k]
			if len(l) >= redirectsPerKey {
				l = append(l[:0], l[1:]...)
			}
			m.redirects[k] = append(l, n)
		}
	}
	probe := rec.Method == "HEAD" || rec.Method == "OPTIONS"
	// Only agents that sent HEAD/OPTIONS are followed (from their first one on), so that
	// traffic without any costs no lookup.
	if rec.UserAgent != "" && t != 0 && (probe || len(m.agents) > 0) {
		if m.agents == nil {
			m.agents = map[uint64]*agentStats{}
		}
		id := agentID(li, recAgent(rec))
		a := m.agents[id]
		if a == nil && probe && len(m.agents) < maxAgents {
			a = &agentStats{path: strings.Clone(rec.Path), firstT: t}
			m.agents[id] = a
		}
		if a != nil {
			a.n++
			a.other = a.other || !probe
			a.paths = a.paths || !samePath(a.path, rec.Path)
			if a.last != 0 && t > a.last {
				g := float64(t-a.last) / 1e9
				a.gaps++
				a.sum += g
				a.sumSq += g * g
			}
			if t > a.last {
				a.last = t
			}
			a.finalT = a.last
		}
	}
	if has405 {
		return false
	}
	return e.rejectionCandidate(rec, li)
}

// redirectLocation returns the redirect target an ALB record logs (redirect_url).
func redirectLocation(detail string) string {
	if v := detailField(detail, "redirect="); v != "" {
		return strings.Clone(v)
	}
	return ""
}

// rejectionCandidate: a status proxies use to refuse a method (403, 404, 501), generated by a
// proxy itself, for a method other than GET/HEAD. Whether it was a method rejection is decided
// at the end (rejectionOf), from the configuration or the route's other methods.
func (e *Engine) rejectionCandidate(rec *parsers.Record, li int) bool {
	if rec.Status != 403 && rec.Status != 404 && rec.Status != 501 && !(rec.Status == 401 && rec.Format == parsers.FormatApache) {
		return false
	}
	if rec.Format == parsers.FormatApp || rec.Method == "GET" || rec.Method == "HEAD" || rec.Method == "" {
		return false
	}
	if rec.Format == parsers.FormatApache && len(e.opts.ApacheRules) > 0 &&
		parsers.SelectApacheRule(e.opts.ApacheRules, rec.Method, rec.Path, rec.Host, rec.Status, rec.Local == parsers.LocalYes) != nil {
		return true // refused before the handler, whatever handler %R names (rejectionOf)
	}
	if rec.Local == parsers.LocalNo || len(rec.Upstream) > 0 && rec.Upstream[len(rec.Upstream)-1] > 0 {
		return false
	}
	return true
}

// attributeRejection gives a request without a 405 but with a method rejection of another status
// its verdict: the innermost hop that refused the method generated it.
func (e *Engine) attributeRejection(r *request) {
	if r.v.has405 {
		return
	}
	for i := len(r.hops) - 1; i >= 0; i-- {
		h := r.hops[i]
		rj := e.rejectionOf(h)
		if rj == nil {
			continue
		}
		v := &r.v
		*v = verdict{originHop: i, relayHop: -1, maskedBy: -1, retryHop: -1, has405: true, originLayer: e.name(h)}
		v.how = "no upstream contacted"
		if rj.Rule != "" {
			v.how += "; " + rj.Rule
		}
		v.proxyHow = v.how
		for j := i; j >= 0; j-- {
			if s := r.hops[j].status; s != h.status && s != 0 {
				v.maskedBy = j
				break
			}
		}
		v.cause = CauseProxyMethodBlock
		r.x = &extra{status: h.status, rejection: rj}
		return
	}
}

// rejectionOf tells whether a hop's non-405 status refused its method: a rule of the proxy's
// configuration says so, or the same route succeeded with other methods at that layer while
// this method never did.
func (e *Engine) rejectionOf(h *hop) *MethodRejection {
	if h.status != 403 && h.status != 404 && h.status != 501 && h.status != 401 {
		return nil
	}
	f := e.format(h)
	if h.status != 404 {
		// httpd logs the handler a request was given (%R proxy-server) even when access control
		// refused it before the handler ran: a rule that refuses it decides.
		if rule := e.apacheRule(h); rule != nil {
			return &MethodRejection{Status: h.status, Layer: e.name(h), Rule: apacheRuleText(rule), Source: rule.Source,
				Allowed: rule.Allowed}
		}
	}
	if h.status == 401 || h.local == parsers.LocalNo {
		return nil
	}
	if f == parsers.FormatApp {
		return nil
	}
	if f == parsers.FormatNginx && len(e.opts.NginxLocations) > 0 {
		if loc := parsers.SelectNginxLocation(e.opts.NginxLocations, h.path()); loc != nil && loc.LimitExcept != nil &&
			!loc.Allows(h.method()) && h.status == loc.LimitStatus {
			return &MethodRejection{Status: h.status, Layer: e.name(h), Rule: "location " + loc.Pattern() + " has limit_except " +
				strings.Join(loc.LimitExcept, " "), Source: loc.Source, Allowed: loc.LimitExcept}
		}
	}
	if h.upstreamAddr() == "" && (f == parsers.FormatNginx && e.nginxProxied(h) != nil ||
		f == parsers.FormatApache && parsers.ApacheProxied(e.opts.ApacheProxyPaths, h.path())) {
		// The configuration's location (ProxyPass) only hands the request on and no rule of it
		// refused the method: the backend answered, as for a 405 (selfMade). Without the
		// backend's log, what refused it, and whether it was the method, is not known.
		return nil
	}
	if f == parsers.FormatEnvoy && len(e.opts.EnvoyRoutes) > 0 && h.status == 404 {
		if rt := parsers.EnvoyMethodRoute(e.opts.EnvoyRoutes, h.path(), h.method()); rt != nil {
			return &MethodRejection{Status: 404, Layer: e.name(h), Rule: "route " + rt.Match + " matches only :method " +
				strings.Join(rt.Methods, ", ") + " (no route, NR)", Source: rt.Source, Allowed: rt.Methods}
		}
	}
	if f == parsers.FormatHAProxy {
		if rule, src, ok := haproxyMethodRule(h.detail()); ok {
			return &MethodRejection{Status: h.status, Layer: e.name(h), Rule: rule, Source: src}
		}
	}
	if rs := e.route(h.layer, h.method(), h.path()); rs != nil && rs.ok.n > 0 {
		return nil
	}
	var ok []string
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		if m == h.method() {
			continue
		}
		if rs := e.route(h.layer, m, h.path()); rs != nil && rs.ok.n > 0 {
			ok = append(ok, m)
		}
	}
	if len(ok) == 0 {
		return nil
	}
	return &MethodRejection{Status: h.status, Layer: e.name(h), Allowed: ok}
}

// apacheRuleText is an httpd method rule with its section: "<Location /admin> <LimitExcept GET>
// Require all denied".
func apacheRuleText(r *parsers.ApacheMethodRule) string {
	if r.Scope == "" {
		return r.Rule
	}
	return r.Scope + " " + r.Rule
}

// haproxyMethodRule reads the http-request rule that answered from an HAProxy record's detail,
// when the rule's condition tests the method (parsers/haproxy.go writes "method rule FILE:LINE
// TEXT" with --haproxy-conf): the rule as written and its source.
func haproxyMethodRule(detail string) (rule, source string, ok bool) {
	_, after, found := strings.Cut(detail, "; method rule ")
	if !found {
		return "", "", false
	}
	source, rule, ok = strings.Cut(after, " ")
	return rule, source, ok && rule != ""
}

// haproxyRule reads any http-request rule that answered from an HAProxy record's detail ("rule
// FILE:LINE TEXT" or "method rule FILE:LINE TEXT").
func haproxyRule(detail string) (rule, source string, ok bool) {
	if rule, source, ok = haproxyMethodRule(detail); ok {
		return rule, source, true
	}
	_, after, found := strings.Cut(detail, "; rule ")
	if !found {
		return "", "", false
	}
	source, rule, ok = strings.Cut(after, " ")
	return rule, source, ok && rule != ""
}

// classifyMore picks one of this file's causes, most specific first; false leaves the request
// to the other causes.
func (e *Engine) classifyMore(r *request) bool {
	v := &r.v
	if r.x != nil && r.x.status != 0 {
		return true // a method rejection with another status: attributeRejection decided
	}
	hops := r.hops
	c := hops[0]
	for _, h := range hops {
		if h.method() == "OPTIONS" && h.origin() != "" && h.acrMethod() != "" {
			return false // an explicit CORS preflight
		}
	}
	if mon := e.monitorOf(c); mon != nil {
		v.cause = CauseMonitorProbe
		r.x = &extra{monitor: mon}
		return true
	}
	if rd := r.redirect; rd != nil { // found when the request closed (redirectBefore)
		v.cause = CauseRedirectMethodChange
		r.x = &extra{redirect: rd}
		return true
	}
	if v.originHop < 0 {
		return false
	}
	oh := hops[v.originHop]
	if e.format(oh) == parsers.FormatIIS && oh.status == 405 && webdavMethod(oh.method()) {
		v.cause = CauseWebDAVIntercept
		v.noAllow = false // the module sends Allow: GET, HEAD, OPTIONS, TRACE; IIS does not log it
		return true
	}
	if x := e.fallthroughOf(r); x != nil {
		v.cause = CauseStaticFallthrough
		r.x = x
		return true
	}
	return false
}

// Known monitors and health checkers, by a distinctive part of their user agent (lower case).
var monitorAgents = []struct{ part, name string }{
	{"uptimerobot", "UptimeRobot"}, {"pingdom", "Pingdom"}, {"kube-probe", "Kubernetes probe (kube-probe)"},
	{"elb-healthchecker", "AWS ELB health check"}, {"route53-health-check", "Amazon Route 53 health check"},
	{"amazon-route53-health-check", "Amazon Route 53 health check"}, {"datadog/synthetics", "Datadog Synthetics"},
	{"datadogsynthetics", "Datadog Synthetics"}, {"statuscake", "StatusCake"}, {"site24x7", "Site24x7"},
	{"newrelicpinger", "New Relic synthetics"}, {"better uptime", "Better Stack"}, {"betterstack", "Better Stack"},
	{"googlehc", "Google Cloud health check"}, {"gce-healthcheck", "Google Cloud health check"},
	{"uptime-kuma", "Uptime Kuma"}, {"check_http", "Nagios check_http"}, {"nagios", "Nagios"}, {"zabbix", "Zabbix"},
	{"freshping", "Freshping"}, {"hetrixtools", "HetrixTools"}, {"updown.io", "updown.io"}, {"checkly", "Checkly"},
	{"catchpoint", "Catchpoint"}, {"blackbox exporter", "Prometheus blackbox exporter"}, {"blackbox_exporter", "Prometheus blackbox exporter"},
	{"consul health check", "Consul health check"}, {"azure traffic manager", "Azure Traffic Manager"}, {"alwayson", "Azure Application Insights availability test"},
}

func knownMonitor(ua string) string {
	l := strings.ToLower(ua)
	for _, m := range monitorAgents {
		if strings.Contains(l, m.part) {
			return m.name
		}
	}
	return ""
}

// monitorOf recognises a probe: HEAD or OPTIONS from a known monitor, or from a user agent that
// sent only HEAD/OPTIONS, to one path, at a regular interval.
func (e *Engine) monitorOf(c *hop) *Monitor {
	if c.method() != "HEAD" && c.method() != "OPTIONS" || c.userAgent() == "" {
		return nil
	}
	a := e.more.agents[agentID(c.layer, agentHash(c.userAgent()))]
	mon := &Monitor{Agent: c.userAgent(), Known: knownMonitor(c.userAgent())}
	if a != nil {
		mon.Requests = a.n
		if a.gaps > 0 {
			mon.IntervalSeconds = math.Round(a.sum/float64(a.gaps)*10) / 10
		}
	}
	if mon.Known != "" {
		return mon
	}
	if a == nil || a.other || a.paths || a.n < probeMinRequests || a.gaps < probeMinRequests-1 {
		return nil
	}
	mean := a.sum / float64(a.gaps)
	if mean < 1 {
		return nil
	}
	sd := math.Sqrt(math.Max(0, a.sumSq/float64(a.gaps)-mean*mean))
	if sd/mean > probeMaxCV {
		return nil
	}
	return mon
}

// redirectBefore finds the redirect a GET with a 405 followed: the same client (address and user
// agent, at the same layer) got a 301/302 for another method within redirectWindow before, for
// the same path, the path with or without a trailing slash, or a logged Location with this path.
// It runs when the request closes (fold.go keep), while the notes of that time are still held:
// every hop that logs a method must have logged GET, and hops is in any fixed order (the
// canonical one).
func (e *Engine) redirectBefore(hops []*hop) *Redirect {
	if len(e.more.redirects) == 0 {
		return nil
	}
	for _, h := range hops {
		if m := h.method(); m != "GET" && m != "" { // a hop that logs no method does not object
			return nil
		}
	}
	for _, anyLayer := range []bool{false, true} { // the hop's own layer first, then any layer
		for _, h := range hops {
			if rd := e.redirectOf(h, anyLayer); rd != nil {
				return rd
			}
		}
	}
	return nil
}

// redirectOf finds the redirect a GET hop followed among the notes of its client at its layer
// (or at any layer). Add asks it for a GET's 405 the moment it is logged, while the client's
// latest redirects are still held; redirectBefore again when the request closes.
func (e *Engine) redirectOf(h *hop, anyLayer bool) *Redirect {
	if h.clientIP() == "" || h.time == 0 || h.method() != "GET" {
		return nil
	}
	layer := h.layer
	if anyLayer {
		layer = -1
	}
	notes := e.more.redirects[clientKey(layer, h.clientIP(), h.userAgent())]
	for i := len(notes) - 1; i >= 0; i-- {
		n := notes[i]
		if n.t > h.time || h.time-n.t > redirectWindow || !redirectTarget(n, h.path()) {
			continue
		}
		return &Redirect{Layer: e.layers[n.layer].name, Method: n.method, URI: orWord(n.uri, n.path), Status: n.status,
			Location: n.location, Time: nsTime(n.t), Seconds: math.Round(float64(h.time-n.t)/1e7) / 100,
			Source: n.file + ":" + strconv.FormatInt(n.line, 10), Client: n.client, Agent: n.agent}
	}
	return nil
}

// noteRedirect remembers on g the redirect a GET hop with a 405 followed, found now.
func (e *Engine) noteRedirect(g *group, h *hop) {
	if g.redirect != nil || len(e.more.redirects) == 0 || !touches405(h.status, h.upstream) {
		return
	}
	if rd := e.redirectOf(h, false); rd != nil {
		g.redirect = rd
	} else {
		g.redirect = e.redirectOf(h, true)
	}
}

func redirectTarget(n redirectNote, path string) bool {
	if n.location != "" {
		if u, err := url.Parse(n.location); err == nil && u.Path != "" {
			return samePath(u.Path, path)
		}
	}
	p := n.path
	return samePath(p, path) || samePath(p+"/", path) || samePath(strings.TrimSuffix(p, "/"), path) && p != path
}

// webdavMethod: the methods IIS's WebDAV module claims before the application.
func webdavMethod(m string) bool {
	switch m {
	case "PUT", "DELETE", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK":
		return true
	}
	return false
}

// fallthroughOf recognises an API call answered by a proxy's static-file or SPA fallback: the
// proxy generated the 405 itself and served another path than the one requested (nginx $uri vs
// $request_uri after try_files), or the configuration's location for the path has no upstream.
func (e *Engine) fallthroughOf(r *request) *extra {
	v := &r.v
	oh := r.hops[v.originHop]
	if e.format(oh) == parsers.FormatApp || oh.status != 405 || oh.method() == "GET" || oh.method() == "HEAD" {
		return nil
	}
	if len(oh.upstream) > 0 || oh.local == parsers.LocalNo || !apiLike(oh) {
		return nil
	}
	if rp := oh.routedPath(); rp != "" && !samePath(rp, oh.path()) {
		return &extra{served: rp}
	}
	if e.format(oh) == parsers.FormatNginx && len(e.opts.NginxLocations) > 0 {
		// Only a fallback counts: a location that serves files without one (location /assets/
		// { try_files $uri =404; }) refusing PUT is a proxy_method_block, and so is a request for
		// the fallback page itself.
		if loc := parsers.SelectNginxLocation(e.opts.NginxLocations, oh.path()); loc != nil && !loc.Upstream &&
			loc.Fallback != "" && !samePath(loc.Fallback, oh.path()) {
			return &extra{location: loc}
		}
	}
	return nil
}

// apiLike: the request was meant for an API, not a page: an API-looking path (a segment api,
// graphql, rest, rpc or v1…, a .json target) or a non-browser client.
func apiLike(h *hop) bool {
	p := strings.ToLower(h.path())
	if strings.HasSuffix(p, ".json") {
		return true
	}
	for _, s := range strings.Split(p, "/") {
		switch {
		case s == "api" || s == "graphql" || s == "rest" || s == "rpc":
			return true
		case len(s) >= 2 && s[0] == 'v' && strings.Trim(s[1:], "0123456789") == "":
			return true
		}
	}
	ua := h.userAgent()
	return ua != "" && ua != "-" && !strings.HasPrefix(ua, "Mozilla/")
}

// isNoise reports whether a request is set aside as noise (a monitor probe, unless
// Options.IncludeMonitors).
func (e *Engine) isNoise(r *request) bool {
	return !e.opts.IncludeMonitors && r.v.cause == CauseMonitorProbe
}

// finishMore adjusts the summary: requests_with_405 counts 405s only; the method rejections
// with another status and the monitor probes set aside are counted apart.
func (e *Engine) finishMore(a *Analysis, reqs, noise []*request) {
	for _, r := range reqs {
		if r.x != nil && r.x.status != 0 {
			e.more.rejections += r.w
			a.Summary.Requests405 -= r.w
		}
	}
	e.more.probes = 0
	for _, r := range noise {
		e.more.probes += r.w
	}
	a.Summary.MethodRejectionsNot405 = e.more.rejections
	a.Summary.MonitorProbes = e.more.probes
	if len(noise) > 0 {
		a.Noise = e.findings(noise, e.more.probes)
	}
}

// statusOf is the status of a request's rejection: 405, or the other status that refused the method.
func statusOf(r *request) int {
	if r.x != nil && r.x.status != 0 {
		return r.x.status
	}
	return 405
}

// moreDetails sets a finding's details for these causes.
func (e *Engine) moreDetails(r *request, f *Finding) {
	f.Status = statusOf(r)
	if r.x == nil {
		return
	}
	f.Redirect, f.Monitor, f.Rejection = r.x.redirect, r.x.monitor, r.x.rejection
}

// chainPrefix puts the redirect before a redirect_method_change request's chain: the pair.
func chainPrefix(r *request) string {
	if r.x == nil || r.x.redirect == nil {
		return ""
	}
	rd := r.x.redirect
	s := fmt.Sprintf("%s %s: %s %d", rd.Method, rd.URI, rd.Layer, rd.Status)
	if rd.Location != "" {
		s += " (Location " + rd.Location + ")"
	}
	return s + fmt.Sprintf(" ⇒ %.1fs later GET %s: ", rd.Seconds, r.hops[0].uri())
}

// evidenceMore writes the evidence of this file's causes.
func (e *Engine) evidenceMore(b *strings.Builder, r *request, f *Finding) {
	v := &r.v
	rh := r.hops[v.rejecting()]
	switch v.cause {
	case CauseRedirectMethodChange:
		rd := r.x.redirect
		fmt.Fprintf(b, "The same client (%s, %s) sent %s %s and got %d from %s (%s)", orDash(rd.Client), orDash(rd.Agent),
			rd.Method, rd.URI, rd.Status, rd.Layer, rd.Source)
		if rd.Location != "" {
			fmt.Fprintf(b, " with Location %s", rd.Location)
		}
		fmt.Fprintf(b, "; %.1f s later it sent GET %s, the redirect target, which has no GET handler: the %d made the client repeat its %s as GET.",
			rd.Seconds, r.hops[0].path(), rd.Status, rd.Method)
	case CauseStaticFallthrough:
		if r.x.served != "" {
			fmt.Fprintf(b, "%s answered %s %s from its static-file / SPA fallback: it served %s (try_files / fallback), not the API route, and static handlers accept only GET and HEAD.",
				e.name(rh), rh.method(), rh.path(), r.x.served)
		} else {
			fmt.Fprintf(b, "%s answered %s %s itself: the location that matches it, %s (%s), has no proxy_pass and falls back to %s, whose static handler accepts only GET and HEAD.",
				e.name(rh), rh.method(), rh.path(), r.x.location.Pattern(), r.x.location.Source, r.x.location.Fallback)
		}
	case CauseMonitorProbe:
		m := r.x.monitor
		if m.Known != "" {
			fmt.Fprintf(b, "%s %s was sent by %s (%s)", rh.method(), Route(rh.path()), m.Known, m.Agent)
		} else {
			fmt.Fprintf(b, "%s %s was sent by %s, which sent only HEAD/OPTIONS to this one path", rh.method(), Route(rh.path()), m.Agent)
		}
		if m.IntervalSeconds > 0 {
			fmt.Fprintf(b, ", %d requests about every %.0f s", m.Requests, m.IntervalSeconds)
		}
		fmt.Fprintf(b, ": an uptime monitor or health check, not a user. The route does not implement %s. Counted as noise", rh.method())
		if !e.opts.IncludeMonitors {
			b.WriteString(" (left out of the headline count and --fail-on; --include-monitors counts it)")
		}
		b.WriteString(".")
	case CauseWebDAVIntercept:
		fmt.Fprintf(b, "%s (IIS) answered %s %s with 405", e.name(rh), rh.method(), rh.path())
		if d := rh.detail(); d != "" {
			fmt.Fprintf(b, " (%s)", d)
		}
		fmt.Fprintf(b, ": IIS's WebDAV module handles %s before the application and answers 405 (Allow: GET, HEAD, OPTIONS, TRACE, an HTML error page).", rh.method())
	case CauseProxyMethodBlock:
		rj := r.x.rejection
		fmt.Fprintf(b, "%s refused %s %s with %d, not 405", rj.Layer, rh.method(), Route(rh.path()), rj.Status)
		switch {
		case rj.Rule != "":
			fmt.Fprintf(b, ": %s (%s)", rj.Rule, rj.Source)
		case len(rj.Allowed) > 0:
			fmt.Fprintf(b, ": the same route succeeded there with %s while %s never did", strings.Join(rj.Allowed, ", "), rh.method())
		}
		b.WriteString("; a method rejection in another status.")
	}
}

// fixMore is the fix of this file's causes.
func (e *Engine) fixMore(r *request, f *Finding) string {
	v := &r.v
	rh := r.hops[v.rejecting()]
	route := Route(rh.path())
	switch v.cause {
	case CauseRedirectMethodChange:
		rd := r.x.redirect
		return fmt.Sprintf("Redirect %s %s with 307 or 308 (they keep the method and body) instead of %d, or point the client at the final URL %s so that no redirect is needed; the verify command must then show 307/308 (or the final answer), not %d.",
			rd.Method, rd.URI, rd.Status, r.hops[0].path(), rd.Status)
	case CauseStaticFallthrough:
		return fmt.Sprintf("Route %s to the backend before the static / SPA fallback at %s (a location with proxy_pass for the API prefix, ahead of try_files … /index.html); the fallback answers only GET and HEAD.",
			route, e.name(rh))
	case CauseMonitorProbe:
		return fmt.Sprintf("Implement %s for %s (many frameworks answer HEAD for GET routes), or point the monitor at GET; it is noise, not a user-facing failure.",
			rh.method(), route)
	case CauseWebDAVIntercept:
		return fmt.Sprintf("Remove the WebDAV module and handler for this site (web.config: <modules><remove name=\"WebDAVModule\"/></modules> and <handlers><remove name=\"WebDAV\"/></handlers>, or uninstall WebDAV Publishing) and let the application's handler (ExtensionlessUrlHandler verb=\"*\") take %s %s.",
			rh.method(), route)
	case CauseProxyMethodBlock:
		rj := r.x.rejection
		where := rj.Layer
		if rj.Rule != "" {
			where += " (" + rj.Rule + ", " + rj.Source + ")"
		}
		return fmt.Sprintf("Audit the method rule at %s that refuses %s %s with %d: allow the method if clients should use it, else change the clients; a method refusal should answer 405 with an Allow header, not %d.",
			where, rh.method(), route, rj.Status, rj.Status)
	}
	return ""
}

// verifyMore is the request that checks the fix of this file's causes; nil leaves it to
// verifyRequest: for a redirect the original request (the fix shows 307/308 there), for a HEAD
// probe the HEAD request.
func verifyMore(r *request) *VerifyRequest {
	var method, uri string
	switch {
	case r.v.cause == CauseRedirectMethodChange && r.x != nil && r.x.redirect != nil:
		method, uri = r.x.redirect.Method, r.x.redirect.URI
	case r.v.cause == CauseMonitorProbe && r.hops[0].method() == "HEAD":
		method, uri = "HEAD", orWord(r.hops[0].uri(), r.hops[0].path())
	default:
		return nil
	}
	host := ""
	for _, h := range r.hops {
		if h.host() != "" {
			host = h.host()
			break
		}
	}
	scheme := "https"
	if strings.HasSuffix(host, ":80") {
		scheme = "http"
	}
	if host == "" {
		host = "HOST"
	}
	if !strings.HasPrefix(uri, "/") {
		return &VerifyRequest{Method: method, URL: uri}
	}
	return &VerifyRequest{Method: method, URL: scheme + "://" + host + uri}
}
