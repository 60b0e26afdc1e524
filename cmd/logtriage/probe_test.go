package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// probeServer is a local API (loopback only) that accepts methods and records what it receives;
// preflights from https://app.example.com get CORS headers.
type probeServer struct {
	methods []string
	mu      sync.Mutex
	got     []string
}

func (s *probeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.got = append(s.got, r.Method)
	s.mu.Unlock()
	allow := strings.Join(s.methods, ", ")
	if r.Method == "OPTIONS" {
		if r.Header.Get("Origin") == "https://app.example.com" && r.Header.Get("Access-Control-Request-Method") != "" {
			w.Header().Set("Access-Control-Allow-Origin", "https://app.example.com")
			w.Header().Set("Access-Control-Allow-Methods", allow)
		}
		w.Header().Set("Allow", allow)
		w.WriteHeader(204)
		return
	}
	for _, m := range s.methods {
		if m == r.Method {
			w.WriteHeader(200)
			return
		}
	}
	w.Header().Set("Allow", allow)
	w.WriteHeader(405)
}

func (s *probeServer) received() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.got, ",")
}

func newProbeServer(t *testing.T, methods ...string) (*probeServer, string) {
	s := &probeServer{methods: methods}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func TestProbeCommand(t *testing.T) {
	s, base := newProbeServer(t, "GET", "HEAD", "PUT", "DELETE")
	r := lt(t, nil, "probe", base+"/api/orders/42", "--origin", "https://app.example.com", "--preflight-method", "PUT")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := s.received(); got != "OPTIONS,HEAD,GET,OPTIONS" {
		t.Errorf("the server received %s: only safe methods by default", got)
	}
	for _, want := range []string{"preflight PUT", "GET, HEAD, PUT, DELETE", "every answer complies"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}

	// With the contract: the spec documents PATCH on /api/v2/accounts/{accountId}, the server
	// lacks it; DELETE is unsafe and needs --unsafe-methods.
	if r := lt(t, nil, "probe", "--methods", "GET,DELETE", base+"/x"); r.code != exitUsage || !strings.Contains(r.stderr, "--unsafe-methods") {
		t.Errorf("DELETE without --unsafe-methods: exit %d %s", r.code, r.stderr)
	}
	r = lt(t, nil, "probe", "-o", "json", "--openapi", "samples/openapi.yaml", "--unsafe-methods", "PATCH", base+"/api/v2/accounts/7")
	if r.code != exitFindings {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitFindings, r.stderr)
	}
	var doc struct {
		Results []struct {
			SpecPath string   `json:"spec_path"`
			Contract []string `json:"contract"`
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if c := doc.Results[0]; c.SpecPath != "/api/v2/accounts/{accountId}" || !strings.Contains(strings.Join(c.Contract, ";"), "PATCH is documented but answered 405: server side") {
		t.Errorf("contract: %+v", c)
	}
}

// Two environments that differ in one method: the matrix shows them side by side and flags it.
func TestProbeDrift(t *testing.T) {
	_, staging := newProbeServer(t, "GET", "HEAD", "DELETE")
	_, prod := newProbeServer(t, "GET", "HEAD")
	r := lt(t, nil, "probe", "--env", "staging="+staging, "--env", "prod="+prod, "--unsafe-methods", "DELETE", "-o", "markdown",
		"/api/items/7", "https://ignored.example.com/api/items/8")
	if r.code != exitFindings {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"### /api/items/7", "### /api/items/8", "| CHECK | staging | prod | DRIFT |", "| DELETE | 200 | 405 | DRIFT |",
		"| Allow | GET, HEAD, DELETE | GET, HEAD | DRIFT |", "4 drifts between environments"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}

	// Nothing listening: reported per request, exit 1 when nothing answered.
	r = lt(t, nil, "probe", "--timeout", "2s", "http://127.0.0.1:1/")
	if r.code != exitFatal || !strings.Contains(r.stdout, "connection refused") {
		t.Errorf("refused: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := lt(t, nil, "probe", "--env", "staging", "/x"); r.code != exitUsage {
		t.Errorf("bad --env: exit %d", r.code)
	}
	// One name given twice (a typo for a second name): refused, not one environment shown as
	// two results of one column.
	if r := lt(t, nil, "probe", "--env", "prod="+staging, "--env", "prod="+prod, "/x"); r.code != exitUsage ||
		!strings.Contains(r.stderr, "--env prod is given twice") {
		t.Errorf("--env prod twice: exit %d, stderr %q", r.code, r.stderr)
	}
}

// A header value may hold commas (Accept, Cache-Control, a Forwarded list): -H sends it whole,
// as curl does, instead of cutting it into headers at each comma.
func TestProbeHeaderWithCommas(t *testing.T) {
	var mu sync.Mutex
	var accept []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		accept = append(accept, r.Header.Values("Accept")...)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	r := lt(t, nil, "probe", "--methods", "GET", "-H", "Accept: text/html, application/json", "-H", "X-Team: sre", srv.URL+"/x")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(accept, "|") != "text/html, application/json" {
		t.Errorf("the server received Accept %q, want the one header as given", accept)
	}
	// A header HTTP cannot carry is a usage error, not every request failing as "no request got
	// an answer" (exit 1) though none was sent.
	for _, h := range []string{"X-Team: sre\x1b[31m", "X Team: sre", "X-Team: a\nb"} {
		if r := lt(t, nil, "probe", "-H", h, srv.URL+"/x"); r.code != exitUsage || !strings.Contains(r.stderr, "--header") {
			t.Errorf("-H %q: exit %d, stderr %q", h, r.code, r.stderr)
		}
	}
	// A --timeout of 0 or less was taken for the default, 10s, without a word.
	if r := lt(t, nil, "probe", "--timeout", "0s", srv.URL+"/x"); r.code != exitUsage || !strings.Contains(r.stderr, "--timeout 0s: give how long to wait") {
		t.Errorf("--timeout 0s: exit %d, stderr %q", r.code, r.stderr)
	}
	// So is a method that is no HTTP token (each of its requests failed unsent, exit 3).
	for _, args := range [][]string{{"--unsafe-methods", "PA TCH"}, {"--origin", "https://a.example", "--preflight-method", "P(T"}} {
		if r := lt(t, nil, append(append([]string{"probe"}, args...), srv.URL+"/x")...); r.code != exitUsage || !strings.Contains(r.stderr, "is not an HTTP method") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// One request of three without an answer (the server drops HEAD): exit 3, counted in words
// that agree ("1 requests got no answer" before).
func TestProbeOneRequestWithoutAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "HEAD" {
			if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
				c.Close()
			}
			return
		}
		w.WriteHeader(200)
	}))
	t.Cleanup(srv.Close)
	r := lt(t, nil, "probe", "--timeout", "5s", srv.URL+"/x")
	if r.code != exitPartial || !strings.Contains(r.stderr, "probe: 1 request got no answer") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
