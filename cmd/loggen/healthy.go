package main

import (
	"fmt"
	"math"
	"time"
)

// Healthy traffic: API calls through all four hops, static assets served by nginx, and the
// periodic requests (health checks, cron) that only one hop sees.

// healthySource yields n healthy requests in time order, without holding them all: each arrival
// is the minimum of the remaining uniform arrivals, so memory stays flat however large n is.
type healthySource struct {
	g    *gen
	left int
	t    time.Time
	end  time.Time
}

func (g *gen) healthy(n int) *healthySource {
	return &healthySource{g: g, left: n, t: g.start, end: g.start.Add(time.Hour - 3*time.Second)}
}

// next returns the next healthy request, or nil when all were produced.
func (h *healthySource) next() *request {
	if h.left <= 0 {
		return nil
	}
	u := h.g.Float64()
	h.t = h.t.Add(time.Duration(float64(h.end.Sub(h.t)) * (1 - math.Pow(u, 1/float64(h.left)))))
	h.left--
	r := h.g.healthyRequest(h.t)
	h.g.settle(r)
	return r
}

// endpoint is one kind of healthy API call.
type endpoint struct {
	weight int
	method string
	path   func(g *gen) string
	median time.Duration
	ok     int // success status
	body   [2]int
}

func fmtPath(format string, lo, span int) func(*gen) string {
	return func(g *gen) string { return fmt.Sprintf(format, lo+g.IntN(span)) }
}

var endpoints = []endpoint{
	{30, "GET", fmtPath("/api/orders/%d", 1040000, 60000), 11 * time.Millisecond, 200, [2]int{600, 2400}},
	{6, "GET", fmtPath("/api/orders?status=open&page=%d", 1, 6), 35 * time.Millisecond, 200, [2]int{3000, 12000}},
	{5, "POST", func(*gen) string { return "/api/orders" }, 28 * time.Millisecond, 201, [2]int{400, 700}},
	{5, "PUT", fmtPath("/api/orders/%d", 1040000, 60000), 22 * time.Millisecond, 200, [2]int{500, 900}},
	{2, "DELETE", fmtPath("/api/orders/%d", 1040000, 60000), 15 * time.Millisecond, 204, [2]int{0, 1}},
	{14, "GET", fmtPath("/api/users/%d", 30000, 50000), 8 * time.Millisecond, 200, [2]int{300, 900}},
	{3, "PUT", fmtPath("/api/users/%d", 30000, 50000), 18 * time.Millisecond, 200, [2]int{300, 900}},
	{1, "DELETE", fmtPath("/api/users/%d", 30000, 50000), 14 * time.Millisecond, 204, [2]int{0, 1}},
	{3, "GET", fmtPath("/api/users/%d/avatar", 30000, 50000), 6 * time.Millisecond, 200, [2]int{20000, 90000}},
	{10, "GET", func(g *gen) string { return "/api/carts/" + g.uuid() }, 9 * time.Millisecond, 200, [2]int{200, 1800}},
	{6, "POST", func(g *gen) string { return "/api/carts/" + g.uuid() }, 16 * time.Millisecond, 200, [2]int{250, 1900}},
	{9, "GET", fmtPath("/api/items/%d", 200000, 9000), 7 * time.Millisecond, 200, [2]int{900, 4000}},
	{4, "GET", func(*gen) string { return "/api/profile" }, 6 * time.Millisecond, 200, [2]int{400, 700}},
	{1, "PATCH", func(*gen) string { return "/api/profile" }, 19 * time.Millisecond, 200, [2]int{400, 700}},
	{2, "OPTIONS", func(*gen) string { return "/api/profile" }, 0, 200, [2]int{0, 1}},
	{4, "GET", func(g *gen) string {
		return "/api/search?q=" + g.pick([]string{"shoes", "rain+jacket", "usb-c", "desk%20lamp", "gift+card"})
	}, 42 * time.Millisecond, 200, [2]int{1500, 9000}},
	{3, "GET", fmtPath("/api/v2/accounts/%d", 700000, 90000), 10 * time.Millisecond, 200, [2]int{500, 1200}},
	{2, "GET", fmtPath("/api/legacy/invoices/%d", 5000, 4000), 60 * time.Millisecond, 200, [2]int{2000, 6000}},
}

var endpointTotal = func() int {
	n := 0
	for _, e := range endpoints {
		n += e.weight
	}
	return n
}()

// staticFile is a file of the SPA; sizes are what nginx sends.
type staticFile struct {
	uri, file string // request path, $uri after try_files/index
	size      int
}

var staticFiles = []staticFile{
	{"/", "/index.html", 1843}, {"/index.html", "/index.html", 1843},
	{"/orders", "/index.html", 1843}, {"/settings", "/index.html", 1843}, {"/cart", "/index.html", 1843},
	{"/assets/app.3f9c1b.js", "/assets/app.3f9c1b.js", 248312},
	{"/assets/vendor.81d2e4.js", "/assets/vendor.81d2e4.js", 612904},
	{"/assets/app.5e7a10.css", "/assets/app.5e7a10.css", 48211},
	{"/favicon.ico", "/favicon.ico", 4286},
}

// healthyRequest builds one healthy request starting at t: static (30%) or API.
func (g *gen) healthyRequest(t time.Time) *request {
	if g.IntN(10) < 3 {
		return g.staticRequest(t)
	}
	var r *request
	switch k := g.IntN(100); {
	case k < 55:
		r = g.browserRequest("", t, "", "")
		r.origin = "https://www.example.com"
	case k < 70:
		r = g.iosRequest("", t, "", "")
	case k < 90:
		r = g.newRequest("", t, "", "", androidUA, true)
	default:
		r = g.newRequest("", t, "", "", g.pick(partnerUAs), false)
	}
	w := g.IntN(endpointTotal)
	ep := endpoints[0]
	for _, e := range endpoints {
		if w < e.weight {
			ep = e
			break
		}
		w -= e.weight
	}
	r.method, r.uri = ep.method, ep.path(g)
	switch r.method {
	case "POST", "PUT", "PATCH":
		r.reqBody = 80 + g.IntN(900)
	}
	e := g.toEdge(r)
	upstream := r.uri
	if id, ok := cutPrefix(r.uri, "/api/v2/accounts/"); ok {
		// nginx's rewrite (scenario f) is wrong for every method, but GET /accounts/{id} exists.
		upstream = "/accounts/" + id
		e.uri = upstream
	}
	g.toIngress(r, upstream)
	if r.method == "OPTIONS" {
		// A preflight from the allowed origin: Envoy's CORS filter answers it.
		r.origin, r.acrm = "https://www.example.com", g.pick([]string{"PATCH", "PUT", "DELETE"})
		r.corsReply()
		r.work = g.between(40*time.Microsecond, 200*time.Microsecond)
		return r
	}
	r.work = g.lognormal(ep.median, 0.6)
	status, body := ep.ok, ep.body[0]+g.IntN(ep.body[1]-ep.body[0])
	switch x := g.IntN(100); {
	case x < 4 && r.method == "GET" && ep.body[0] < 5000:
		status, body = 404, len(`{"error":"not found"}`+"\n")
	case x < 6 && r.uri == "/api/profile":
		status, body = 401, len(`{"error":"unauthorized"}`+"\n")
	case x < 3 && r.method == "POST":
		status, body = 422, 90+g.IntN(60)
	}
	r.answer(status, "", body)
	return r
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// staticRequest is a browser loading the SPA: nginx serves it, no inner hop sees it.
func (g *gen) staticRequest(t time.Time) *request {
	f := staticFiles[g.IntN(len(staticFiles))]
	r := g.browserRequest("", t, "GET", f.uri)
	e := g.toEdge(r)
	if f.file != f.uri {
		e.uri = f.file
	}
	st := resp{status: 200, body: f.size}
	if f.file != "/index.html" && g.IntN(3) == 0 {
		st = resp{status: 304}
	}
	e.local = &st
	r.work = g.between(150*time.Microsecond, 900*time.Microsecond) + time.Duration(f.size/4)*time.Nanosecond*10
	return r
}

// periodic adds the requests that arrive on a timer and have no ids: ALB health checks of
// nginx (the ALB does not log them), kubelet probes of every service, and a cron job.
func (g *gen) periodic() {
	for i, node := range albNodes {
		for j := range nginxHosts {
			off := time.Duration(i*7+j*3) * time.Second
			for t := g.start.Add(off); t.Before(g.start.Add(time.Hour - time.Second)); t = t.Add(2 * time.Minute) {
				r := &request{t0: t, method: "GET", uri: "/healthz", ua: "ELB-HealthChecker/2.0", client: node}
				g.toEdge(r)
				r.edgeLocal(200, 3, "")
				r.work = g.between(30*time.Microsecond, 120*time.Microsecond)
				g.add(r)
			}
		}
	}
	for _, svc := range allServices {
		if !svc.shipped {
			continue
		}
		for k, inst := range svc.insts {
			for t := g.start.Add(time.Duration(k*11+len(svc.name)) * time.Second); t.Before(g.start.Add(time.Hour)); t = t.Add(5 * time.Minute) {
				r := &request{t0: t, method: "GET", uri: "/healthz"}
				r.app = &appHop{svc: svc, inst: inst, path: "/healthz", noIDs: true}
				r.work = g.between(40*time.Microsecond, 300*time.Microsecond)
				r.answer(200, "", 3)
				g.add(r)
			}
		}
	}
	for t := g.start.Add(90 * time.Second); t.Before(g.start.Add(time.Hour)); t = t.Add(5 * time.Minute) {
		r := g.appOnly("", t, svcCarts, "POST", "/internal/cron/expire-carts")
		r.work = g.lognormal(300*time.Millisecond, 0.3)
		r.answer(200, "", 27)
		g.add(r)
	}
}
