package probe

import (
	"context"
	"fmt"
	"github.com/logtriage/logtriage/analysis/contract"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// api is a local test server (httptest listens on 127.0.0.1 only) for /orders/1 that accepts
// the methods in allow, answers others with 405 (with an Allow header unless noAllow), and
// handles CORS preflights from corsOrigin. It records every method it receives.
type api struct {
	allow      []string
	noAllow    bool
	corsOrigin string
	mu         sync.Mutex
	got        []string
}

func (s *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.got = append(s.got, r.Method)
	s.mu.Unlock()
	switch r.URL.Path {
	case "/old":
		http.Redirect(w, r, "/orders/1", http.StatusMovedPermanently)
		return
	case "/slow":
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
		return
	}
	if r.Method == "OPTIONS" && r.Header.Get("Access-Control-Request-Method") != "" {
		if o := r.Header.Get("Origin"); o == s.corsOrigin {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Methods", strings.Join(s.allow, ", "))
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	if r.Method == "OPTIONS" {
		w.Header().Set("Allow", strings.Join(s.allow, ", "))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	for _, m := range s.allow {
		if m == r.Method {
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	if !s.noAllow {
		w.Header().Set("Allow", strings.Join(s.allow, ", "))
	}
	w.WriteHeader(http.StatusMethodNotAllowed)
}

func (s *api) methods() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.got, ",")
}

func serve(t *testing.T, s http.Handler) string {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}

func probe1(t *testing.T, url string, opts Options) *Result {
	t.Helper()
	rep, err := Run(context.Background(), []Target{{URL: url, Path: "/"}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &rep.Results[0]
}

func TestSafeByDefault(t *testing.T) {
	s := &api{allow: []string{"GET", "HEAD", "PUT", "DELETE"}}
	base := serve(t, s)
	r := probe1(t, base+"/orders/1", Options{Timeout: 2 * time.Second})
	if got := s.methods(); got != "OPTIONS,HEAD,GET" {
		t.Errorf("sent %s, want only the safe OPTIONS,HEAD,GET", got)
	}
	if len(r.Problems) != 0 {
		t.Errorf("problems on a compliant server: %v", r.Problems)
	}
	if r.Checks[0].Status != 204 || r.Checks[0].Allow != "GET, HEAD, PUT, DELETE" {
		t.Errorf("OPTIONS check: %+v", r.Checks[0])
	}
	if _, err := Run(context.Background(), []Target{{URL: base}}, Options{Methods: []string{"GET", "DELETE"}}); err == nil {
		t.Error("DELETE sent without Unsafe")
	}
	if got := s.methods(); strings.Contains(got, "DELETE") {
		t.Errorf("DELETE reached the server: %s", got)
	}
	probe1(t, base+"/orders/1", Options{Methods: []string{"PUT", "post"}, Unsafe: true})
	if got := s.methods(); !strings.HasSuffix(got, ",PUT,POST") {
		t.Errorf("unsafe methods not sent when allowed: %s", got)
	}
}

func TestCompliance(t *testing.T) {
	// 405 without Allow.
	r := probe1(t, serve(t, &api{allow: []string{"OPTIONS"}, noAllow: true})+"/orders/1", Options{})
	if !hasProblem(r, "HEAD answered 405 without an Allow header") || !hasProblem(r, "GET answered 405 without an Allow header") {
		t.Errorf("405 without Allow not flagged: %v", r.Problems)
	}
	// Allow (from OPTIONS) lists HEAD, which then answers 405; GET works but HEAD does not.
	r = probe1(t, serve(t, &liar{})+"/orders/1", Options{})
	if !hasProblem(r, "Allow (from OPTIONS 204) lists HEAD, but HEAD answered 405") || !hasProblem(r, "HEAD must work wherever GET does") {
		t.Errorf("lying Allow not flagged: %v", r.Problems)
	}
}

// liar advertises HEAD in Allow but rejects it.
type liar struct{}

func (liar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, HEAD, OPTIONS")
	switch r.Method {
	case "OPTIONS":
		w.WriteHeader(204)
	case "GET":
		w.WriteHeader(200)
	default:
		w.WriteHeader(405)
	}
}

func hasProblem(r *Result, s string) bool {
	for _, p := range append(append([]string{}, r.Problems...), r.Contract...) {
		if strings.Contains(p, s) {
			return true
		}
	}
	return false
}

func TestPreflight(t *testing.T) {
	base := serve(t, &api{allow: []string{"GET", "HEAD", "PATCH"}, corsOrigin: "https://app.example.com"})
	r := probe1(t, base+"/profile", Options{Origin: "https://app.example.com", PreflightMethod: "patch"})
	pre := r.Checks[len(r.Checks)-1]
	if !pre.Preflight || pre.Status != 204 || pre.ACAO != "https://app.example.com" || pre.ACAM != "GET, HEAD, PATCH" {
		t.Errorf("preflight: %+v", pre)
	}
	if len(r.Problems) != 0 {
		t.Errorf("allowed preflight flagged: %v", r.Problems)
	}
	r = probe1(t, base+"/profile", Options{Origin: "https://evil.example.net", PreflightMethod: "PATCH"})
	if !hasProblem(r, "CORS preflight for PATCH from https://evil.example.net fails: no Access-Control-Allow-Origin") {
		t.Errorf("failed preflight not flagged: %v", r.Problems)
	}
	r = probe1(t, base+"/profile", Options{Origin: "https://app.example.com", PreflightMethod: "DELETE"})
	if !hasProblem(r, `Access-Control-Allow-Methods "GET, HEAD, PATCH" does not include DELETE`) {
		t.Errorf("missing method not flagged: %v", r.Problems)
	}
	if _, err := Run(context.Background(), nil, Options{PreflightMethod: "PUT"}); err == nil {
		t.Error("a preflight without an origin was accepted")
	}

	// The proxy and the app both add Access-Control-Allow-Origin: browsers refuse the preflight
	// ("contains multiple values"), though each value is the origin (it passed).
	dup := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Access-Control-Allow-Origin", "https://app.example.com")
		w.Header().Add("Access-Control-Allow-Origin", "https://app.example.com")
		w.Header().Set("Access-Control-Allow-Methods", "GET, PATCH")
		w.WriteHeader(http.StatusNoContent)
	}))
	r = probe1(t, dup+"/profile", Options{Origin: "https://app.example.com", PreflightMethod: "PATCH"})
	if pre := r.Checks[len(r.Checks)-1]; pre.ACAO != "https://app.example.com, https://app.example.com" ||
		!hasProblem(r, "CORS preflight for PATCH from https://app.example.com fails: Access-Control-Allow-Origin has several values") {
		t.Errorf("a doubled Access-Control-Allow-Origin: %+v %v", pre, r.Problems)
	}
}

// HEAD refused with another status than 405 where GET works is the same fault: a router with no
// HEAD route (404), a server that does not implement it (501). Only 405 was flagged.
func TestHeadRefusedOtherwise(t *testing.T) {
	for _, st := range []int{501, 404} {
		base := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "HEAD" {
				w.WriteHeader(st)
				return
			}
			w.Header().Set("Allow", "GET, HEAD, OPTIONS")
			w.WriteHeader(http.StatusOK)
		}))
		r := probe1(t, base+"/orders/1", Options{})
		if want := fmt.Sprintf("GET answered 200 but HEAD %d: HEAD must work wherever GET does", st); !hasProblem(r, want) {
			t.Errorf("HEAD %d: problems %v, want %q", st, r.Problems, want)
		}
	}
}

// A path nothing is routed at answers 404 to every method: a note says so, since no answer tells
// anything about methods (it read "every answer complies", and nothing else).
func TestNotRoutedPath(t *testing.T) {
	base := serve(t, http.NotFoundHandler())
	r := probe1(t, base+"/api/ordres/1", Options{})
	if len(r.Problems) != 0 || len(r.Notes) != 1 || !strings.HasPrefix(r.Notes[0], "every method answered 404 or 410: nothing is routed at this path") {
		t.Errorf("problems %v, notes %v", r.Problems, r.Notes)
	}
	// A route that exists and 404s one method only is not that.
	s := &api{allow: []string{"GET"}}
	if r := probe1(t, serve(t, s)+"/orders/1", Options{}); len(r.Notes) != 0 {
		t.Errorf("notes on a routed path: %v", r.Notes)
	}
}

func TestTransportErrors(t *testing.T) {
	s := &api{allow: []string{"GET"}}
	base := serve(t, s)

	r := probe1(t, base+"/old", Options{Methods: []string{"GET"}})
	if c := r.Checks[0]; c.Status != 301 || c.Location != "/orders/1" || len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "not followed") {
		t.Errorf("redirect: %+v %v", c, r.Notes)
	}
	r = probe1(t, base+"/old", Options{Methods: []string{"GET"}, FollowRedirects: true})
	if c := r.Checks[0]; c.Status != 200 {
		t.Errorf("followed redirect: %+v", c)
	}
	// With --follow-redirects, a 301 that would turn OPTIONS into GET is still not followed: the
	// note says why instead of a bare "not followed", which read as the flag being ignored.
	r = probe1(t, base+"/old", Options{Methods: []string{"OPTIONS", "GET"}, FollowRedirects: true})
	if c := r.Checks[0]; c.Status != 301 || r.Checks[1].Status != 200 || len(r.Notes) == 0 ||
		!strings.HasPrefix(r.Notes[0], "OPTIONS answered 301 → /orders/1 (not followed: the client would re-send OPTIONS as GET)") {
		t.Errorf("redirect of OPTIONS with FollowRedirects: %+v %v", r.Checks, r.Notes)
	}

	start := time.Now()
	r = probe1(t, base+"/slow", Options{Methods: []string{"GET"}, Timeout: 100 * time.Millisecond})
	if c := r.Checks[0]; c.ErrorKind != "timeout" || !strings.Contains(c.Error, "100ms") {
		t.Errorf("timeout: %+v", c)
	}
	if time.Since(start) > time.Second {
		t.Errorf("the timeout took %s", time.Since(start))
	}

	tlsSrv := httptest.NewUnstartedServer(s)
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	r = probe1(t, tlsSrv.URL+"/orders/1", Options{Methods: []string{"GET"}})
	if c := r.Checks[0]; c.ErrorKind != "tls" || !strings.Contains(c.Error, "--insecure") {
		t.Errorf("untrusted certificate: %+v", c)
	}
	r = probe1(t, tlsSrv.URL+"/orders/1", Options{Methods: []string{"GET"}, Insecure: true})
	if c := r.Checks[0]; c.Status != 200 {
		t.Errorf("--insecure: %+v", c)
	}
	r = probe1(t, strings.Replace(base, "http://", "https://", 1)+"/orders/1", Options{Methods: []string{"GET"}})
	if c := r.Checks[0]; c.ErrorKind != "tls" {
		t.Errorf("https to a plain port: %+v", c)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	rep, err := Run(context.Background(), []Target{{URL: "http://" + addr + "/"}}, Options{Methods: []string{"GET"}})
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Results[0].Checks[0]; c.ErrorKind != "refused" || rep.Errors != 1 || rep.Failed() {
		t.Errorf("refused: %+v errors=%d failed=%v", c, rep.Errors, rep.Failed())
	}
}

// Two environments that differ in one method: DELETE is gone from prod.
func TestDrift(t *testing.T) {
	staging := serve(t, &api{allow: []string{"GET", "HEAD", "DELETE"}})
	prod := serve(t, &api{allow: []string{"GET", "HEAD"}})
	targets := []Target{
		{Env: "staging", URL: staging + "/orders/1", Path: "/orders/1"},
		{Env: "prod", URL: prod + "/orders/1", Path: "/orders/1"},
	}
	rep, err := Run(context.Background(), targets, Options{Methods: []string{"OPTIONS", "HEAD", "GET", "DELETE"}, Unsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Drift) != 2 {
		t.Fatalf("drift: %+v", rep.Drift)
	}
	if d := rep.Drift[0]; d.What != "DELETE" || d.Values["staging"] != "200" || d.Values["prod"] != "405" {
		t.Errorf("method drift: %+v", d)
	}
	if d := rep.Drift[1]; d.What != "Allow" || d.Values["staging"] != "DELETE, GET, HEAD" || d.Values["prod"] != "GET, HEAD" {
		t.Errorf("Allow drift: %+v", d)
	}
	if !rep.Failed() {
		t.Error("drift does not fail the run")
	}
	// The rendering of this report is tested in analysis/report.

	// Environments that agree: no drift.
	other := serve(t, &api{allow: []string{"GET", "HEAD"}})
	targets[0].URL = other + "/orders/1"
	rep, _ = Run(context.Background(), targets, Options{})
	if len(rep.Drift) != 0 || rep.Failed() {
		t.Errorf("drift between agreeing environments: %+v", rep.Drift)
	}

	// An environment that does not answer is no drift: its requests are errors (probe exits 3),
	// not a difference in the methods it allows (every check and Allow used to drift, exit 5).
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	targets[0].URL = down.URL + "/orders/1"
	rep, _ = Run(context.Background(), targets, Options{})
	if len(rep.Drift) != 0 || rep.Failed() || rep.Errors != len(SafeMethods) {
		t.Errorf("an environment down: drift %+v, failed %v, errors %d", rep.Drift, rep.Failed(), rep.Errors)
	}
}

func TestContract(t *testing.T) {
	spec := contract.NewSpec(&contract.Document{Paths: []contract.Path{
		{Template: "/orders/{id}", Methods: []string{"GET", "PUT", "DELETE"}},
	}})
	// The server lacks the documented DELETE and serves an undocumented POST.
	base := serve(t, &api{allow: []string{"GET", "HEAD", "PUT", "POST"}})
	r := probe1(t, base+"/orders/1", Options{Spec: spec, Methods: []string{"OPTIONS", "GET", "DELETE", "POST"}, Unsafe: true})
	if r.SpecPath != "/orders/{id}" {
		t.Errorf("spec path %q", r.SpecPath)
	}
	for _, want := range []string{"DELETE is documented but answered 405: server side", "POST answered 200 but is not documented",
		"Allow lacks documented DELETE", "Allow lists undocumented POST"} {
		if !hasProblem(r, want) {
			t.Errorf("contract lacks %q: %v", want, r.Contract)
		}
	}
	r = probe1(t, base+"/nowhere", Options{Spec: spec})
	if !hasProblem(r, "the spec has no path for it") {
		t.Errorf("unknown path: %v", r.Contract)
	}
}

// A preflight that passes in one environment and fails in the other is drift, even though both
// answer 204.
func TestPreflightDrift(t *testing.T) {
	a := serve(t, &api{allow: []string{"GET", "HEAD", "PATCH"}, corsOrigin: "https://app.example.com"})
	b := serve(t, &api{allow: []string{"GET", "HEAD", "PATCH"}})
	rep, err := Run(context.Background(), []Target{{Env: "staging", URL: a + "/p", Path: "/p"}, {Env: "prod", URL: b + "/p", Path: "/p"}},
		Options{Origin: "https://app.example.com", PreflightMethod: "PATCH"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Drift) != 1 || rep.Drift[0].What != "preflight" || rep.Drift[0].Values["prod"] != "204 (fails)" || rep.Drift[0].Values["staging"] != "204" {
		t.Errorf("preflight drift: %+v", rep.Drift)
	}
}

// -H 'Host: …' reaches the server (Go sends req.Host, not a Host header entry), and a followed
// redirect never reports a GET's answer under another method.
func TestHostHeaderAndRedirectMethods(t *testing.T) {
	var hosts []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts = append(hosts, r.Host)
		mu.Unlock()
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
			return
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Allow", "GET, HEAD")
		w.WriteHeader(http.StatusMethodNotAllowed)
	}))
	t.Cleanup(srv.Close)
	probe1(t, srv.URL+"/new", Options{Headers: http.Header{"Host": {"api.example.com"}}})
	mu.Lock()
	for _, h := range hosts {
		if h != "api.example.com" {
			t.Errorf("server saw Host %q", h)
		}
	}
	mu.Unlock()
	r := probe1(t, srv.URL+"/old", Options{FollowRedirects: true})
	for _, c := range r.Checks {
		switch c.Method {
		case "OPTIONS":
			if c.Status != http.StatusMovedPermanently {
				t.Errorf("OPTIONS after a redirect that turns it into GET: status %d, want the 301 reported", c.Status)
			}
		case "GET":
			if c.Status != http.StatusOK {
				t.Errorf("GET follows the redirect: status %d", c.Status)
			}
		}
	}
}
