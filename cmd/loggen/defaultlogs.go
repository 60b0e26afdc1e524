package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// default-logs: the logs most teams have. nginx writes the stock combined format at the edge and
// proxies to three applications that write their servers' default access lines: flask behind
// gunicorn (two instances, one file each), FastAPI behind uvicorn in Kubernetes (CRI-wrapped
// stdout) and Gin (its default logger; that host's clock runs defaultGinSkew ahead). No hop logs
// an id, an upstream status or a request header other than the user agent, and clients send
// identical requests concurrently. The lines copy the shapes of the real ones kept in
// parsers/testdata/frameworks/.
//
//	client ──▶ nginx "edge" 10.0.1.10:80 ──▶ flask   gunicorn 10.0.3.11:8000 (flask-1.log), 10.0.3.12:8000 (flask-2.log)
//	                                     ──▶ fastapi uvicorn  10.0.3.21:8000 (fastapi.log)
//	                                     ──▶ gin     gin      10.0.3.31:8080 (gin.log)

const (
	dlEdgeAddr        = "10.0.1.10"
	defaultGinSkew    = 2 * time.Second
	defaultLogsWindow = 40 * time.Minute
)

var (
	dlStart  = time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	dlDeploy = dlStart.Add(20 * time.Minute) // gin 2.4.0 drops DELETE /api/carts/{id}
)

// dlReq is one client request and what each hop logs of it.
type dlReq struct {
	t        time.Time // arrival at the edge
	method   string
	uri      string // as the client sent it (path and query)
	ua       string
	client   string
	scenario string // "" for healthy traffic

	app     string // layer that served it; "" when nginx answered itself
	inst    int    // instance of the app (flask: 0 or 1)
	appURI  string // as the app received it (after nginx's rewrite)
	appCode int
	appBody int
	appDur  time.Duration

	edgeCode int
	edgeBody int
	edgeDur  time.Duration

	origin, cause string
	masked        bool
	burst         int // members of the burst of identical requests it belongs to (1 = alone)
}

// dlExpect is one line of expected.json: the ground truth for one request with a 405.
type dlExpect struct {
	Scenario   string `json:"scenario"`
	Method     string `json:"method"`
	Path       string `json:"path"` // as the client sent it
	Time       string `json:"time"`
	Origin     string `json:"origin_layer"`
	Cause      string `json:"cause"`
	Masked     bool   `json:"masked"`
	Join       string `json:"join"` // unique_match, group_match or unjoined
	EdgeSource string `json:"edge_source,omitempty"`
	AppSource  string `json:"app_source,omitempty"`
	ClientCode int    `json:"client_status"`
}

type dlPlan struct {
	seed     uint64
	healthy  int // healthy requests over the window
	scale    float64
	window   time.Duration
	appJSON  bool // write the apps' lines as JSON (for parsers without the frameworks' formats)
	noHeader bool
}

func runDefaultLogs(args []string) error {
	fs := flag.NewFlagSet("default-logs", flag.ContinueOnError)
	out := fs.String("out", "samples/default-logs", "output directory")
	seed := fs.Uint64("seed", 1, "random seed")
	n := fs.Int("requests", 6000, "healthy requests")
	scale := fs.Float64("scale", 1, "multiplier of the 405 scenarios")
	window := fs.Duration("window", defaultLogsWindow, "time span")
	appJSON := fs.Bool("app-json", false, "write the applications' lines as JSON instead of their default formats")
	if err := fs.Parse(args); err != nil {
		return err
	}
	exp, counts, err := writeDefaultLogs(*out, dlPlan{seed: *seed, healthy: *n, scale: *scale, window: *window, appJSON: *appJSON})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "loggen: default-logs: %d requests with a 405;", len(exp))
	names := make([]string, 0, len(counts))
	for k := range counts {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(os.Stderr, " %s=%d", k, counts[k])
	}
	fmt.Fprintln(os.Stderr)
	return nil
}

// dlScenario adds the 405 requests of one playbook scenario.
type dlScenario struct {
	id, what      string
	base          int
	origin, cause string
	masked        bool
	add           func(g *dlGen, t time.Time) *dlReq
}

type dlGen struct {
	rnd
	plan dlPlan
}

var dlBrowsers = browserUAs

func (g *dlGen) req(t time.Time, method, uri, ua string) *dlReq {
	return &dlReq{t: t, method: method, uri: uri, ua: ua, client: g.clientIP(), appURI: uri, burst: 1}
}

// proxied sends the request to an app, which answers code with body bytes.
func (g *dlGen) proxied(r *dlReq, app string, code, body int) *dlReq {
	r.app, r.appCode, r.appBody, r.edgeCode, r.edgeBody = app, code, body, code, body
	if app == "flask" {
		r.inst = g.IntN(2)
	}
	r.appDur = g.lognormal(12*time.Millisecond, 0.6)
	r.edgeDur = r.appDur + g.between(300*time.Microsecond, 3*time.Millisecond)
	return r
}

// local makes nginx answer itself.
func (g *dlGen) local(r *dlReq, code, body int) *dlReq {
	r.edgeCode, r.edgeBody, r.edgeDur = code, body, g.between(50*time.Microsecond, 400*time.Microsecond)
	return r
}

func (g *dlGen) id() int { return 1000 + g.IntN(900000) }

// The 405 bodies of each server (sizes as the real servers send them).
const (
	flask405   = 153 // werkzeug's HTML "Method Not Allowed" page
	fastapi405 = 31  // {"detail":"Method Not Allowed"}
	gin405     = 18  // "405 method not allowed"
)

var dlScenarios = []dlScenario{
	{"flask-route", "POST /api/orders/{id} (clients should PUT): flask has no POST handler there; the mobile client retries at once, so bursts of identical requests", 40, "flask", "method_not_routed", false,
		func(g *dlGen, t time.Time) *dlReq {
			return g.proxied(g.req(t, "POST", fmt.Sprintf("/api/orders/%d", g.id()), iosUA), "flask", 405, flask405)
		}},
	{"fastapi-route", "DELETE /api/profile/{id}: FastAPI only routes GET and PATCH there", 30, "fastapi", "method_not_routed", false,
		func(g *dlGen, t time.Time) *dlReq {
			return g.proxied(g.req(t, "DELETE", fmt.Sprintf("/api/profile/%d", g.id()), g.pick(partnerUAs)), "fastapi", 405, fastapi405)
		}},
	{"gin-route", "PATCH /api/products/{id}: Gin routes GET and PUT only", 30, "gin", "method_not_routed", false,
		func(g *dlGen, t time.Time) *dlReq {
			return g.proxied(g.req(t, "PATCH", fmt.Sprintf("/api/products/%d", g.id()), g.pick(partnerUAs)), "gin", 405, gin405)
		}},
	{"proxy-block", "DELETE /admin/users/{id}: nginx `if ($request_method = DELETE) { return 405; }` in location /admin/", 25, "edge", "proxy_method_block", false,
		func(g *dlGen, t time.Time) *dlReq {
			return g.local(g.req(t, "DELETE", fmt.Sprintf("/admin/users/%d", g.id()), "python-requests/2.32.3"), 405, nginxPage405)
		}},
	{"static", "POST /static/… and PUT /assets/…: nginx's static location answers 405 itself", 25, "edge", "proxy_method_block", false,
		func(g *dlGen, t time.Time) *dlReq {
			uri := fmt.Sprintf("/static/app.%s.js", g.hex(6))
			m := "POST"
			if g.IntN(2) == 0 {
				uri, m = fmt.Sprintf("/assets/img/%d.png", g.id()), "PUT"
			}
			return g.local(g.req(t, m, uri, g.pick(scannerUAs)), 405, nginxPage405)
		}},
	{"cors", "browser preflight OPTIONS /api/profile/{id}: FastAPI has no CORS middleware and answers 405 (no log records Origin)", 30, "fastapi", "cors_preflight", false,
		func(g *dlGen, t time.Time) *dlReq {
			return g.proxied(g.req(t, "OPTIONS", fmt.Sprintf("/api/profile/%d", g.id()), g.pick(dlBrowsers)), "fastapi", 405, fastapi405)
		}},
	{"rewrite", "PATCH /api/v2/accounts/{id}: nginx rewrites /api/v2/accounts/ to /accounts/ (drops the version); flask serves only GET there", 25, "flask", "path_rewrite", false,
		func(g *dlGen, t time.Time) *dlReq {
			id := g.id()
			r := g.proxied(g.req(t, "PATCH", fmt.Sprintf("/api/v2/accounts/%d", id), g.pick(partnerUAs)), "flask", 405, flask405)
			r.appURI = fmt.Sprintf("/accounts/%d", id)
			return r
		}},
	{"deploy", "DELETE /api/carts/{id}: 204 on gin until the deploy at 14:20, 405 since", 30, "gin", "deploy_regression", false,
		func(g *dlGen, t time.Time) *dlReq {
			return g.proxied(g.req(t, "DELETE", fmt.Sprintf("/api/carts/%d", g.id()), g.pick(browserUAs)), "gin", 405, gin405)
		}},
	{"drift", "PUT /api/users/{id}/avatar: 200 on flask-1, 405 on flask-2 (stale image), at the same time", 30, "flask", "backend_drift", false,
		func(g *dlGen, t time.Time) *dlReq {
			r := g.proxied(g.req(t, "PUT", fmt.Sprintf("/api/users/%d/avatar", g.id()), g.pick(browserUAs)), "flask", 405, flask405)
			r.inst = 1
			return r
		}},
	{"masked", "POST /api/search: FastAPI answers 405, nginx's error_page 405 =200 serves /search-fallback.json; the client sees 200", 25, "fastapi", "method_not_routed", true,
		func(g *dlGen, t time.Time) *dlReq {
			r := g.proxied(g.req(t, "POST", "/api/search", g.pick(browserUAs)), "fastapi", 405, fastapi405)
			r.edgeCode, r.edgeBody = 200, len(searchFallback)
			return r
		}},
}

// healthy returns one request without a 405.
func (g *dlGen) healthy(t time.Time) *dlReq {
	ua := g.pick(browserUAs)
	switch k := g.IntN(100); {
	case k < 18: // the product listing: identical requests, many per second
		return g.proxied(g.req(t, "GET", "/api/products", ua), "gin", 200, 2817)
	case k < 36:
		return g.proxied(g.req(t, "GET", fmt.Sprintf("/api/products/%d", g.id()), ua), "gin", 200, 600+g.IntN(900))
	case k < 44:
		return g.proxied(g.req(t, "PUT", fmt.Sprintf("/api/products/%d", g.id()), g.pick(partnerUAs)), "gin", 200, 420+g.IntN(200))
	case k < 50:
		if t.Before(dlDeploy) {
			return g.proxied(g.req(t, "DELETE", fmt.Sprintf("/api/carts/%d", g.id()), ua), "gin", 204, 0)
		}
		return g.proxied(g.req(t, "GET", fmt.Sprintf("/api/carts/%d", g.id()), ua), "gin", 200, 300+g.IntN(300))
	case k < 60:
		return g.proxied(g.req(t, "GET", fmt.Sprintf("/api/orders/%d", g.id()), ua), "flask", 200, 700+g.IntN(500))
	case k < 66:
		return g.proxied(g.req(t, "PUT", fmt.Sprintf("/api/orders/%d", g.id()), androidUA), "flask", 200, 700+g.IntN(500))
	case k < 70:
		return g.proxied(g.req(t, "POST", "/api/orders", androidUA), "flask", 201, 212)
	case k < 74:
		r := g.proxied(g.req(t, "PUT", fmt.Sprintf("/api/users/%d/avatar", g.id()), ua), "flask", 200, 64)
		r.inst = 0 // flask-1 has the handler
		return r
	case k < 78:
		id := g.id()
		r := g.proxied(g.req(t, "GET", fmt.Sprintf("/api/v2/accounts/%d", id), g.pick(partnerUAs)), "flask", 200, 350+g.IntN(100))
		r.appURI = fmt.Sprintf("/accounts/%d", id)
		return r
	case k < 86:
		return g.proxied(g.req(t, "GET", fmt.Sprintf("/api/profile/%d", g.id()), ua), "fastapi", 200, 250+g.IntN(200))
	case k < 90:
		return g.proxied(g.req(t, "PATCH", fmt.Sprintf("/api/profile/%d", g.id()), ua), "fastapi", 200, 250+g.IntN(200))
	case k < 94:
		return g.proxied(g.req(t, "GET", "/api/search?q="+g.pick([]string{"shoes", "lamp", "desk", "chair"}), ua), "fastapi", 200, 1800+g.IntN(2000))
	default:
		return g.local(g.req(t, "GET", fmt.Sprintf("/static/app.%s.js", g.pick([]string{"3f9c1b", "77ab02"})), ua), 200, 48211)
	}
}

// dlBuild makes every request of the plan, sorted by arrival.
func dlBuild(p dlPlan) []*dlReq {
	g := &dlGen{rnd: newRnd(p.seed, 11), plan: p}
	var reqs []*dlReq
	span := int64(p.window)
	// Healthy traffic, with bursts of identical product-listing requests.
	for i := 0; i < p.healthy; i++ {
		t := dlStart.Add(time.Duration(g.Int64N(span)))
		r := g.healthy(t)
		reqs = append(reqs, r)
		if r.uri == "/api/products" && g.IntN(4) == 0 {
			for k := 1 + g.IntN(3); k > 0; k-- {
				c := *r
				c.t = t.Add(g.between(0, 200*time.Millisecond))
				c.client = g.clientIP()
				reqs = append(reqs, g.proxied(&c, "gin", 200, 2817))
				i++
			}
		}
	}
	// 405 scenarios. Requests of one scenario to a fixed path are at least 10 s apart unless they
	// are one burst (same second): which requests are identical stays clear-cut.
	for _, s := range dlScenarios {
		n := int(float64(s.base)*p.scale + 0.5)
		var last time.Time
		for i := 0; i < n; {
			var t time.Time
			switch s.id {
			case "deploy":
				t = dlDeploy.Add(2*time.Minute + time.Duration(g.Int64N(int64(dlStart.Add(p.window).Sub(dlDeploy)-3*time.Minute))))
			default:
				t = dlStart.Add(time.Minute + time.Duration(g.Int64N(span-2*int64(time.Minute))))
			}
			if s.id == "masked" && !last.IsZero() && absDur(t.Sub(last)) < 10*time.Second {
				continue
			}
			last = t
			r := s.add(g, t)
			r.scenario, r.origin, r.cause, r.masked = s.id, s.origin, s.cause, s.masked
			reqs = append(reqs, r)
			i++
			// Bursts: the iOS client's retry loop, and parallel tabs hitting the masked search.
			if (s.id == "flask-route" && g.IntN(4) == 0) || (s.id == "masked" && g.IntN(3) == 0) {
				k := 2 + g.IntN(2)
				if i+k > n {
					k = n - i
				}
				members := []*dlReq{r}
				for ; k > 0; k-- {
					c := *r
					c.t = r.t.Add(g.between(10*time.Millisecond, 300*time.Millisecond))
					if c.t.Truncate(time.Second) != r.t.Truncate(time.Second) {
						c.t = r.t
					}
					c.appDur = g.lognormal(12*time.Millisecond, 0.6)
					c.edgeDur = c.appDur + g.between(300*time.Microsecond, 3*time.Millisecond)
					if c.app == "flask" && s.id != "drift" {
						c.inst = g.IntN(2)
					}
					cc := c
					members = append(members, &cc)
					reqs = append(reqs, &cc)
					i++
				}
				for _, m := range members {
					m.burst = len(members)
				}
			}
		}
	}
	// Drift needs flask-1 to succeed on the same route in the same period: healthy() does that.
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].t.Before(reqs[j].t) })
	return reqs
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// dlLine is one log line with the time it was written.
type dlLine struct {
	t    time.Time
	text string
	req  *dlReq
}

func dlAppFile(r *dlReq) string {
	if r.app == "flask" {
		return fmt.Sprintf("flask-%d.log", r.inst+1)
	}
	return r.app + ".log"
}

func writeDefaultLogs(dir string, p dlPlan) ([]dlExpect, map[string]int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	reqs := dlBuild(p)
	files := map[string][]dlLine{}
	for _, r := range reqs {
		appEnd := r.t.Add(r.appDur + 200*time.Microsecond)
		edgeEnd := r.t.Add(r.edgeDur)
		if r.app != "" {
			f := dlAppFile(r)
			files[f] = append(files[f], dlLine{appEnd, dlAppLine(r, appEnd, p.appJSON), r})
		}
		files["edge.log"] = append(files["edge.log"], dlLine{edgeEnd, dlEdgeLine(r, edgeEnd), r})
	}
	srcEdge, srcApp := map[*dlReq]string{}, map[*dlReq]string{}
	counts := map[string]int{}
	for name, lines := range files {
		sort.SliceStable(lines, func(i, j int) bool { return lines[i].t.Before(lines[j].t) })
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return nil, nil, err
		}
		w := bufio.NewWriterSize(f, 1<<16)
		n := 0
		if !p.appJSON && !p.noHeader {
			for _, h := range dlHeader(name) {
				fmt.Fprintln(w, h)
				n++
			}
		}
		for _, l := range lines {
			fmt.Fprintln(w, l.text)
			n++
			src := fmt.Sprintf("%s:%d", name, n)
			if name == "edge.log" {
				srcEdge[l.req] = src
			} else {
				srcApp[l.req] = src
			}
			counts[name]++
		}
		if err := w.Flush(); err != nil {
			return nil, nil, err
		}
		if err := f.Close(); err != nil {
			return nil, nil, err
		}
	}
	exp := dlExpected(reqs, srcEdge, srcApp)
	f, err := os.Create(filepath.Join(dir, "expected.json"))
	if err != nil {
		return nil, nil, err
	}
	w := bufio.NewWriter(f)
	w.WriteString("[\n")
	for i, x := range exp {
		b, _ := json.Marshal(x)
		w.Write(b)
		if i < len(exp)-1 {
			w.WriteByte(',')
		}
		w.WriteByte('\n')
	}
	w.WriteString("]\n")
	if err := w.Flush(); err != nil {
		return nil, nil, err
	}
	if err := f.Close(); err != nil {
		return nil, nil, err
	}
	return exp, counts, dlReadme(dir, p, exp, counts)
}

// dlExpected writes the ground truth. The join kind follows from the logs and the match window
// of docs/joins.md: a request only the edge logged is unjoined; one of several identical requests
// (same method, paths and statuses) whose records fall in one another's window — the edge's
// second from 1 s before to 2 s after the app's — is a group match; any other a unique match.
func dlExpected(reqs []*dlReq, srcEdge, srcApp map[*dlReq]string) []dlExpect {
	type key struct {
		method, uri, appURI, app string
		edge, code               int
	}
	near := map[key][]*dlReq{}
	for _, r := range reqs {
		if r.app != "" {
			k := key{r.method, r.uri, r.appURI, r.app, r.edgeCode, r.appCode}
			near[k] = append(near[k], r)
		}
	}
	// could b's edge record pair with a's app record?
	inWindow := func(a, b *dlReq) bool {
		as, be := a.t.Add(a.appDur+200*time.Microsecond).Unix(), b.t.Add(b.edgeDur).Unix()
		return be >= as-1 && be <= as+2
	}
	var out []dlExpect
	for _, r := range reqs {
		if r.scenario == "" {
			continue
		}
		x := dlExpect{Scenario: r.scenario, Method: r.method, Path: r.uri, Time: r.t.Format(time.RFC3339Nano),
			Origin: r.origin, Cause: r.cause, Masked: r.masked, EdgeSource: srcEdge[r], AppSource: srcApp[r], ClientCode: r.edgeCode}
		switch {
		case r.app == "":
			x.Join = "unjoined"
		default:
			x.Join = "unique_match"
			for _, o := range near[key{r.method, r.uri, r.appURI, r.app, r.edgeCode, r.appCode}] {
				if o != r && (inWindow(r, o) || inWindow(o, r)) {
					x.Join = "group_match"
					break
				}
			}
		}
		out = append(out, x)
	}
	return out
}

// dlEdgeLine is nginx's combined format.
func dlEdgeLine(r *dlReq, end time.Time) string {
	return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s"`, r.client, end.Format("02/Jan/2006:15:04:05 -0700"),
		r.method, r.uri, r.edgeCode, r.edgeBody, r.ua)
}

var dlReasons = map[int]string{200: "OK", 201: "Created", 204: "No Content", 405: "Method Not Allowed"}

// dlAppLine is the app's default access line (or a JSON line with the same fields).
func dlAppLine(r *dlReq, end time.Time, asJSON bool) string {
	if r.app == "gin" {
		end = end.Add(defaultGinSkew)
	}
	if asJSON {
		m := map[string]any{"time": end.Truncate(time.Second).Format(time.RFC3339), "level": "INFO", "msg": "request",
			"method": r.method, "path": r.appURI, "status": r.appCode, "remote_addr": dlEdgeAddr}
		if r.app == "flask" {
			m["bytes_sent"] = r.appBody
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	switch r.app {
	case "flask": // gunicorn's default access_log_format
		body := fmt.Sprint(r.appBody)
		return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.0" %d %s "-" "%s"`, dlEdgeAddr, end.Format("02/Jan/2006:15:04:05 -0700"),
			r.method, r.appURI, r.appCode, body, r.ua)
	case "fastapi": // uvicorn's access line on stdout, as the kubelet's CRI log stores it
		return fmt.Sprintf(`%s stdout F INFO:     %s:%d - "%s %s HTTP/1.0" %d %s`, end.Format("2006-01-02T15:04:05.000000000Z07:00"),
			dlEdgeAddr, 30000+int(end.UnixNano()/1e3%30000), r.method, r.appURI, r.appCode, dlReasons[r.appCode])
	default: // gin's default logger
		return fmt.Sprintf(`[GIN] %s | %3d | %9s | %15s | %-7s %q`, end.Format("2006/01/02 - 15:04:05"), r.appCode,
			ginLatency(r.appDur), dlEdgeAddr, r.method, r.appURI)
	}
}

func ginLatency(d time.Duration) string {
	return d.Round(time.Microsecond / 1000).String()
}

// dlHeader is what each server writes when it starts.
func dlHeader(name string) []string {
	ts := dlStart.Add(-3 * time.Minute)
	switch {
	case strings.HasPrefix(name, "flask"):
		stamp := ts.Format("2006-01-02 15:04:05 -0700")
		return []string{
			fmt.Sprintf("[%s] [7] [INFO] Starting gunicorn 21.2.0", stamp),
			fmt.Sprintf("[%s] [7] [INFO] Listening at: http://0.0.0.0:8000 (7)", stamp),
			fmt.Sprintf("[%s] [7] [INFO] Using worker: sync", stamp),
			fmt.Sprintf("[%s] [9] [INFO] Booting worker with pid: 9", stamp),
		}
	case name == "fastapi.log":
		stamp := ts.Format("2006-01-02T15:04:05.000000000Z07:00")
		return []string{
			stamp + " stdout F INFO:     Started server process [1]",
			stamp + " stdout F INFO:     Waiting for application startup.",
			stamp + " stdout F INFO:     Application startup complete.",
			stamp + " stdout F INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
		}
	case name == "gin.log":
		return []string{
			"[GIN-debug] [WARNING] Running in \"debug\" mode. Switch to \"release\" mode in production.",
			"[GIN-debug] Listening and serving HTTP on :8080",
		}
	}
	return nil
}

func dlReadme(dir string, p dlPlan, exp []dlExpect, counts map[string]int) error {
	var b strings.Builder
	b.WriteString("# Default logs: nginx combined in front of three frameworks, no ids\n\n")
	b.WriteString("Generated by `go run ./cmd/loggen default-logs -out samples/default-logs` (deterministic: `-seed 1`).\n")
	b.WriteString("Do not edit by hand; change `cmd/loggen/defaultlogs.go` and regenerate.\n\n")
	b.WriteString("The logs most teams have: nginx writes the stock `combined` format, the applications their servers'\n")
	b.WriteString("default access lines, nothing carries an X-Request-ID, and clients send identical requests at the\n")
	b.WriteString("same time. logtriage joins the hops by method, target, status, size and time (docs/joins.md).\n\n```\n")
	b.WriteString("client ──▶ nginx \"edge\" 10.0.1.10:80  edge.log     (combined)\n")
	b.WriteString("       ──▶ flask   gunicorn 10.0.3.11 / 10.0.3.12:8000  flask-1.log, flask-2.log (gunicorn's default access line)\n")
	b.WriteString("       ──▶ fastapi uvicorn 10.0.3.21:8000               fastapi.log  (uvicorn's access line, CRI-wrapped by the kubelet)\n")
	b.WriteString("       ──▶ gin     10.0.3.31:8080                       gin.log      (Gin's default logger; this host's clock runs 2 s ahead)\n```\n\n")
	b.WriteString("## Analyze\n\n```\nlogtriage analyze edge=samples/default-logs/edge.log flask=samples/default-logs/flask-1.log \\\n")
	b.WriteString("  flask=samples/default-logs/flask-2.log fastapi=samples/default-logs/fastapi.log gin=samples/default-logs/gin.log\n```\n\n")
	names := make([]string, 0, len(counts))
	for k := range counts {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(&b, "Generated: %d requests with a 405 (expected.json); records:", len(exp))
	for _, k := range names {
		fmt.Fprintf(&b, " %s %d,", k, counts[k])
	}
	s := b.String()
	b.Reset()
	b.WriteString(strings.TrimSuffix(s, ",") + ".\n\n## Scenarios and the right answers\n\n")
	b.WriteString("| scenario | what happens | origin | cause | masked | 405 requests | unique / group / unjoined |\n|---|---|---|---|---|---|---|\n")
	for _, sc := range dlScenarios {
		n, jc := 0, map[string]int{}
		for _, x := range exp {
			if x.Scenario == sc.id {
				n++
				jc[x.Join]++
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | `%s` | %v | %d | %d / %d / %d |\n", sc.id, sc.what, sc.origin, sc.cause, sc.masked, n,
			jc["unique_match"], jc["group_match"], jc["unjoined"])
	}
	b.WriteString("\n`expected.json` has one object per request with a 405: `scenario`, `method`, `path` (as the client sent it),\n")
	b.WriteString("`origin_layer`, `cause`, `masked`, `join` (the join kind the logs allow: `unjoined` when only the edge logged the\n")
	b.WriteString("request, `group_match` when an identical request — same method, paths and statuses — has an edge record from\n")
	b.WriteString("1 s before to 2 s after this one's app record or the other way round, else `unique_match`), and\n")
	b.WriteString("`edge_source` / `app_source` (`file:line`) of its records.\n")
	if p.appJSON {
		b.WriteString("\nThis copy was written with `-app-json`: the applications' lines are JSON objects with the fields their\n")
		b.WriteString("default lines carry (time to the second, method, path, status, client; size where the server logs it).\n")
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte(b.String()), 0o644)
}
