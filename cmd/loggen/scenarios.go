package main

import (
	"fmt"
	"strings"
	"time"
)

// The incident scenarios. Each function adds n requests that end in a 405 somewhere (plus, for
// g and h, the successful requests that make the pattern visible) and declares the ground
// truth: which layer generated the 405 and why.

// scenario is one incident: its letter, its function and its request count in `incidents`.
type scenario struct {
	letter string
	base   int
	run    func(g *gen, n int)
	what   string // one line for the README
}

var scenarios = []scenario{
	{"a", 34, (*gen).scenarioA, "ShopApp-iOS/3.2.0 sends POST /api/orders/{id} (should be PUT); orders-api answers 405, Allow \"GET, PUT, DELETE\""},
	{"b", 18, (*gen).scenarioB, "PUT /assets/… and POST /settings reach nginx's static SPA location; nginx answers 405 itself (us=\"-\", 157 bytes, no Allow)"},
	{"c", 20, (*gen).scenarioC, "TRACE (target status \"-\") and DELETE /admin/… (listener rule 5, fixed-response 405) answered by the ALB"},
	{"d", 15, (*gen).scenarioD, "DELETE /api/items/{id} hits Envoy's direct_response 405 route (upstream host \"-\"); nginx us=\"405\""},
	{"e", 28, (*gen).scenarioE, "browser preflight OPTIONS /api/profile from https://app.example.com: origin not in the CORS policy, Envoy forwards it, profile-api has no OPTIONS handler → 405 Allow \"GET, PATCH\""},
	{"f", 22, (*gen).scenarioF, "nginx rewrites /api/v2/accounts/{id} to /accounts/{id} (drops v2); accounts-api only serves GET there → 405 for PATCH"},
	{"g", 30, (*gen).scenarioG, "DELETE /api/carts/{id}: 204 on carts-api 1.4.2 until 10:31, deploy of 1.5.0 at 10:32, then 405 Allow \"GET, POST\""},
	{"h", 24, (*gen).scenarioH, "PUT /api/users/{id}/avatar: 200 on 10.0.3.11:8080 (2.8.0), 405 on 10.0.3.12:8080 (stale 2.7.3) at the same time"},
	{"i", 20, (*gen).scenarioI, "POST /api/search: search-api 405, nginx error_page 405 =200 serves /search-fallback.json; ALB and client see 200"},
	{"j", 6, (*gen).scenarioJ, "like a, but nginx's first Envoy peer refused the connection: us=\"502, 405\" ua=\"10.0.2.7:8080, 10.0.2.8:8080\""},
	{"k", 12, (*gen).scenarioK, "PATCH /api/legacy/{id}: Envoy relays a 405 (via_upstream) from legacy-billing 10.0.4.5:8080, whose log is not shipped"},
	{"l", 10, (*gen).scenarioL, "single hop: an internal client sends TRACE / and PUT /index.html straight to nginx (no ALB, no inner hop); an orders-api cron job calls GET /internal/jobs/reconcile (POST only) without any id"},
}

// at returns a time in [window start + lo, window start + hi).
func (g *gen) at(lo, hi time.Duration) time.Time {
	return g.start.Add(g.between(lo, hi))
}

// anytime returns a time in the window, leaving room for the request to finish inside it.
func (g *gen) anytime() time.Time { return g.at(0, time.Hour-5*time.Second) }

// iosRequest starts a request from the iOS app, which sends its own upper-case X-Request-ID.
func (g *gen) iosRequest(scenario string, t time.Time, method, uri string) *request {
	r := g.newRequest(scenario, t, method, uri, iosUA, true)
	r.clientRID = strings.ToUpper(g.uuid())
	return r
}

func (g *gen) browserRequest(scenario string, t time.Time, method, uri string) *request {
	r := g.newRequest(scenario, t, method, uri, g.pick(browserUAs), true)
	r.referer = "https://www.example.com/"
	return r
}

// rejected is the fast path of a router refusing a method: well under a millisecond.
func (g *gen) rejected() time.Duration { return g.between(60*time.Microsecond, 450*time.Microsecond) }

func (g *gen) orderPath() string { return fmt.Sprintf("/api/orders/%d", 1040000+g.IntN(60000)) }

// a: method_not_routed — the app has the resource but not the method.
func (g *gen) scenarioA(n int) {
	for range n {
		g.add(g.postOrder("a"))
	}
}

// j: the same requests as a, with a failed first attempt at nginx.
func (g *gen) scenarioJ(n int) {
	for range n {
		r := g.postOrder("j")
		r.edge.retry = true
		g.add(r)
	}
}

func (g *gen) postOrder(scenario string) *request {
	r := g.iosRequest(scenario, g.anytime(), "POST", g.orderPath())
	r.reqBody = 180 + g.IntN(400)
	g.toEdge(r)
	g.toIngress(r, r.uri)
	r.work = g.rejected()
	r.answer(405, "GET, PUT, DELETE", len(appBody405))
	r.truth = &truth{origin: "app", cause: "method_not_routed"}
	return r
}

// b: proxy_method_block at nginx — the static handler refuses PUT, and POST to a file.
func (g *gen) scenarioB(n int) {
	for i := range n {
		var r *request
		if i%3 == 0 {
			// A CI job uploads build output to the public host instead of the bucket.
			asset := g.pick([]string{"/assets/app.3f9c1b.js", "/assets/vendor.81d2e4.js", "/assets/app.5e7a10.css"})
			r = g.newRequest("b", g.anytime(), "PUT", asset, "Go-http-client/1.1", false)
			r.reqBody = 40000 + g.IntN(200000)
			g.toEdge(r)
			r.edgeLocal(405, nginxPage405, "")
		} else {
			// The settings form posts to the SPA route; try_files falls back to /index.html.
			r = g.browserRequest("b", g.anytime(), "POST", "/settings")
			r.referer = "https://www.example.com/settings"
			r.reqBody = 90 + g.IntN(200)
			g.toEdge(r)
			r.edgeLocal(405, nginxPage405, "/index.html")
		}
		r.work = g.between(100*time.Microsecond, 600*time.Microsecond)
		r.truth = &truth{origin: "edge", cause: "proxy_method_block"}
		g.add(r)
	}
}

// c: proxy_method_block at the ALB — TRACE, and the fixed-response rule for DELETE /admin/.
func (g *gen) scenarioC(n int) {
	for i := range n {
		var r *request
		if i%5 < 2 {
			path := g.pick([]string{"/", "/api/orders", "/admin/", "/index.html"})
			r = g.newRequest("c", g.anytime(), "TRACE", path, g.pick(scannerUAs), false)
			r.albLocal(405, "-", "-", 0)
		} else {
			path := fmt.Sprintf("/admin/users/%d", 10000+g.IntN(90000))
			r = g.browserRequest("c", g.anytime(), "DELETE", path)
			r.referer = "https://admin.example.com/users"
			r.albLocal(405, "fixed-response", adminRule, len(`{"error":"admin changes are only allowed from the VPN"}`))
		}
		r.truth = &truth{origin: "alb", cause: "proxy_method_block"}
		g.add(r)
	}
}

// d: proxy_method_block at Envoy — a route's direct_response.
func (g *gen) scenarioD(n int) {
	for range n {
		r := g.newRequest("d", g.anytime(), "DELETE", fmt.Sprintf("/api/items/%d", 200000+g.IntN(9000)),
			g.pick(partnerUAs), false)
		g.toEdge(r)
		g.toIngress(r, r.uri)
		r.work = g.between(50*time.Microsecond, 300*time.Microsecond)
		r.truth = &truth{origin: "ingress", cause: "proxy_method_block"}
		g.add(r)
	}
}

// e: cors_preflight — a preflight the CORS filter does not answer reaches an app without OPTIONS.
func (g *gen) scenarioE(n int) {
	for range n {
		// The new web app on app.example.com went live at 10:12.
		r := g.newRequest("e", g.at(12*time.Minute, time.Hour-5*time.Second), "OPTIONS", "/api/profile",
			g.pick(browserUAs), true)
		r.referer, r.origin, r.acrm = "https://app.example.com/", "https://app.example.com", "PATCH"
		g.toEdge(r)
		g.toIngress(r, r.uri)
		r.work = g.rejected()
		r.answer(405, "GET, PATCH", len(appBody405))
		r.truth = &truth{origin: "app", cause: "cors_preflight"}
		g.add(r)
	}
}

// f: path_rewrite — nginx's rewrite sends PATCH to a path where the app only serves GET.
func (g *gen) scenarioF(n int) {
	for range n {
		id := fmt.Sprintf("%d", 700000+g.IntN(90000))
		r := g.newRequest("f", g.anytime(), "PATCH", "/api/v2/accounts/"+id, androidUA, true)
		r.reqBody = 60 + g.IntN(300)
		g.toEdge(r)
		r.edge.uri = "/accounts/" + id
		g.toIngress(r, "/accounts/"+id)
		r.work = g.rejected()
		r.answer(405, "GET", len(appBody405))
		r.truth = &truth{origin: "app", cause: "path_rewrite"}
		g.add(r)
	}
}

// g: deploy_regression — DELETE works on 1.4.2 and is gone in 1.5.0.
func (g *gen) scenarioG(n int) {
	before := deployAt.Sub(g.start) - 30*time.Second
	for range n * 3 / 2 {
		r := g.cartDelete(g.at(0, before))
		r.work = g.lognormal(9*time.Millisecond, 0.4)
		r.answer(204, "", 0)
		g.add(r)
	}
	for range n {
		r := g.cartDelete(g.at(deployAt.Sub(g.start)+time.Minute, time.Hour-5*time.Second))
		r.work = g.rejected()
		r.answer(405, "GET, POST", len(appBody405))
		r.truth = &truth{origin: "app", cause: "deploy_regression"}
		g.add(r)
	}
}

func (g *gen) cartDelete(t time.Time) *request {
	var r *request
	if g.IntN(2) == 0 {
		r = g.browserRequest("g", t, "DELETE", "/api/carts/"+g.uuid())
		r.origin = "https://www.example.com"
	} else {
		r = g.newRequest("g", t, "DELETE", "/api/carts/"+g.uuid(), androidUA, true)
	}
	g.toEdge(r)
	g.toIngress(r, r.uri)
	return r
}

// h: backend_drift — one instance of users-api runs a stale image.
func (g *gen) scenarioH(n int) {
	for failed := 0; failed < n; {
		r := g.newRequest("h", g.anytime(), "PUT", fmt.Sprintf("/api/users/%d/avatar", 30000+g.IntN(50000)),
			g.pick([]string{iosUA, androidUA}), true)
		r.reqBody = 30000 + g.IntN(250000)
		g.toEdge(r)
		g.toIngress(r, r.uri)
		if r.app.inst.version == "2.7.3" {
			r.work = g.rejected()
			r.answer(405, "GET", len(appBody405))
			r.truth = &truth{origin: "app", cause: "backend_drift"}
			failed++
		} else {
			r.work = g.lognormal(140*time.Millisecond, 0.5)
			r.answer(200, "", 64+g.IntN(40))
		}
		g.add(r)
	}
}

// i: masked — nginx turns the app's 405 into a 200 with error_page.
func (g *gen) scenarioI(n int) {
	for range n {
		r := g.browserRequest("i", g.anytime(), "POST", "/api/search")
		r.referer, r.origin = "https://www.example.com/search", "https://www.example.com"
		r.reqBody = 40 + g.IntN(120)
		g.toEdge(r)
		g.toIngress(r, r.uri)
		r.edge.mask = &resp{status: 200, body: len(searchFallback)}
		r.edge.uri = "/search-fallback.json"
		r.work = g.rejected()
		r.answer(405, "GET", len(appBody405))
		r.truth = &truth{origin: "app", cause: "method_not_routed", masked: true}
		g.add(r)
	}
}

// k: missing hop — Envoy relays a 405 from a service whose log is not shipped.
func (g *gen) scenarioK(n int) {
	for range n {
		r := g.newRequest("k", g.anytime(), "PATCH", fmt.Sprintf("/api/legacy/invoices/%d", 5000+g.IntN(4000)),
			"python-requests/2.32.3", false)
		r.reqBody = 80 + g.IntN(200)
		g.toEdge(r)
		g.toIngress(r, r.uri)
		r.work = g.between(2*time.Millisecond, 9*time.Millisecond)
		r.answer(405, "GET, PUT", 0)
		r.truth = &truth{origin: "beyond ingress", cause: "method_not_routed"}
		g.add(r)
	}
}

// l: single-hop records — nginx-only requests from inside the VPC, and id-less app requests.
func (g *gen) scenarioL(n int) {
	edgeOnly := n - n*2/5
	for i := range edgeOnly {
		r := &request{scenario: "l", t0: g.anytime(), client: "10.0.5.14", port: 30000 + g.IntN(30000)}
		g.toEdge(r)
		if i%3 == 2 {
			r.method, r.uri, r.ua = "PUT", "/index.html", "python-requests/2.31.0"
			r.reqBody = 1800
		} else {
			// A security scanner inside the VPC: nginx rejects TRACE before choosing a location.
			r.method, r.uri, r.ua = "TRACE", "/", "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"
		}
		r.edgeLocal(405, nginxPage405, "")
		r.work = g.between(50*time.Microsecond, 200*time.Microsecond)
		r.truth = &truth{origin: "edge", cause: "proxy_method_block"}
		g.add(r)
	}
	cron := n - edgeOnly
	for i := range cron {
		// The reconcile job runs every 15 minutes; since its last change it calls GET.
		t := g.start.Add(time.Duration(i)*time.Hour/time.Duration(cron) + 7*time.Minute + g.between(0, time.Second))
		r := g.appOnly("l", t, svcOrders, "GET", "/internal/jobs/reconcile")
		r.work = g.rejected()
		r.answer(405, "POST", len(appBody405))
		r.truth = &truth{origin: "app", cause: "method_not_routed"}
		g.add(r)
	}
}

// appOnly starts a request that only the app sees: probes and jobs inside the cluster.
func (g *gen) appOnly(scenario string, t time.Time, svc *service, method, path string) *request {
	r := &request{scenario: scenario, t0: t, method: method, uri: path}
	r.app = &appHop{svc: svc, inst: svc.insts[g.IntN(len(svc.insts))], path: path, noIDs: true}
	return r
}
