// Package probe runs the 405 playbook's manual checks against live URLs: it sends OPTIONS,
// HEAD and GET (other methods only when the caller allows unsafe methods) and a CORS preflight,
// records status, Allow and the CORS headers, and flags answers that break HTTP's method rules
// (a 405 without Allow, an Allow that lists a method which then answers 405, a failed
// preflight), differences to an OpenAPI contract, and drift between environments.
//
// Redirects are reported, not followed: a 301/302 turns a POST into a GET in most clients, a
// classic source of 405s. Nothing here retries or sends a request body.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/logtriage/logtriage/analysis/contract"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"
)

// SafeMethods are the methods probe sends by default: safe by HTTP's definition (RFC 9110
// §9.2.1), so probing production cannot change anything.
var SafeMethods = []string{"OPTIONS", "HEAD", "GET"}

// IsSafe reports whether a method is safe to send without --unsafe-methods.
func IsSafe(method string) bool {
	switch strings.ToUpper(method) {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// Options configure a probe run.
type Options struct {
	Methods         []string      // methods to send, in order; default SafeMethods
	Unsafe          bool          // allow methods that are not safe (PUT, POST, PATCH, DELETE, …)
	Timeout         time.Duration // per request; default 10s
	Insecure        bool          // skip TLS certificate verification
	FollowRedirects bool          // follow redirects (default: report them)
	Origin          string        // CORS: sent as Origin on every request, and in the preflight
	PreflightMethod string        // CORS: the Access-Control-Request-Method of the preflight
	Headers         http.Header   // extra request headers (Authorization, …)
	UserAgent       string
	Spec            *contract.Spec // compare each URL's methods with the contract
	// Transport overrides the HTTP transport (tests); Timeout, Insecure and redirects still apply.
	Transport http.RoundTripper
}

// Target is one URL to probe, optionally in a named environment.
type Target struct {
	Env string `json:"env,omitempty"`
	URL string `json:"url"`
	// Path groups the same endpoint across environments (the URL's path and query).
	Path string `json:"path"`
}

// Check is one request and its answer.
type Check struct {
	Method     string  `json:"method"`
	Preflight  bool    `json:"preflight,omitempty"` // an OPTIONS with Origin and Access-Control-Request-Method
	Status     int     `json:"status,omitempty"`    // 0: no answer (see Error)
	Allow      string  `json:"allow,omitempty"`
	ACAM       string  `json:"access_control_allow_methods,omitempty"`
	ACAO       string  `json:"access_control_allow_origin,omitempty"`
	Location   string  `json:"location,omitempty"` // of a redirect
	Server     string  `json:"server,omitempty"`
	DurationMS float64 `json:"duration_ms"`
	Error      string  `json:"error,omitempty"`
	// ErrorKind classifies Error: timeout, tls, dns, refused, reset, other.
	ErrorKind string `json:"error_kind,omitempty"`
	// Failure says why a browser would refuse a preflight's answer; empty when it passes.
	Failure string `json:"failure,omitempty"`
}

// Result is one target's checks and what is wrong with them.
type Result struct {
	Target
	Checks    []Check  `json:"checks"`
	Problems  []string `json:"problems"`
	Notes     []string `json:"notes,omitempty"`
	SpecPath  string   `json:"spec_path,omitempty"`
	SpecAllow []string `json:"spec_methods,omitempty"`
	Contract  []string `json:"contract,omitempty"` // differences to the spec
}

// Report is a probe run: every target's result and the drift between environments.
type Report struct {
	Schema string   `json:"schema"`
	Envs   []string `json:"envs,omitempty"`
	Origin string   `json:"origin,omitempty"`
	// Preflight is the Access-Control-Request-Method of the preflights.
	Preflight string   `json:"preflight_method,omitempty"`
	Results   []Result `json:"results"`
	Drift     []Drift  `json:"drift"`
	Errors    int      `json:"errors"` // requests without an answer
}

// Drift is a difference between environments on one path.
type Drift struct {
	Path   string            `json:"path"`
	What   string            `json:"what"`   // "GET", "Allow", "preflight PATCH"
	Values map[string]string `json:"values"` // env → what it answered
}

// Schema identifies the JSON document of `logtriage probe --output json`.
const Schema = "logtriage.probe/v1"

// Run probes every target, sequentially (a probe is a handful of requests per URL; staying
// sequential keeps it gentle on production and the output deterministic).
func Run(ctx context.Context, targets []Target, opts Options) (*Report, error) {
	if len(opts.Methods) == 0 {
		opts.Methods = SafeMethods
	}
	for i, m := range opts.Methods {
		opts.Methods[i] = strings.ToUpper(m)
		if !opts.Unsafe && !IsSafe(m) {
			return nil, fmt.Errorf("%s is not a safe method: it may change data; pass --unsafe-methods to send it", opts.Methods[i])
		}
	}
	if opts.PreflightMethod != "" && opts.Origin == "" {
		return nil, fmt.Errorf("a preflight needs an origin (--origin https://app.example.com)")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	client := newClient(&opts)
	rep := &Report{Schema: Schema, Origin: opts.Origin, Preflight: strings.ToUpper(opts.PreflightMethod), Drift: []Drift{}}
	envSeen := map[string]bool{}
	for _, t := range targets {
		if t.Env != "" && !envSeen[t.Env] {
			envSeen[t.Env] = true
			rep.Envs = append(rep.Envs, t.Env)
		}
		r := probeTarget(ctx, client, t, &opts)
		for _, c := range r.Checks {
			if c.Error != "" {
				rep.Errors++
			}
		}
		rep.Results = append(rep.Results, r)
	}
	if len(rep.Envs) > 1 {
		rep.Drift = drift(rep.Results, rep.Envs)
	}
	return rep, nil
}

func newClient(opts *Options) *http.Client {
	tr := opts.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.Proxy = http.ProxyFromEnvironment
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: opts.Insecure} //nolint:gosec // only with --insecure
		t.DisableKeepAlives = false
		t.ResponseHeaderTimeout = opts.Timeout
		tr = t
	}
	c := &http.Client{Transport: tr, Timeout: opts.Timeout}
	if !opts.FollowRedirects {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	} else {
		// Follow only redirects that keep the method: after a 301/302/303 Go re-sends OPTIONS,
		// DELETE, … as GET, and the answer would be reported for the wrong method. Such a
		// redirect is reported as it is instead.
		c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			if req.Method != via[0].Method {
				return http.ErrUseLastResponse
			}
			return nil
		}
	}
	return c
}

func probeTarget(ctx context.Context, client *http.Client, t Target, opts *Options) Result {
	r := Result{Target: t, Checks: []Check{}, Problems: []string{}}
	for _, m := range opts.Methods {
		r.Checks = append(r.Checks, do(ctx, client, t.URL, m, false, opts))
	}
	if opts.PreflightMethod != "" {
		r.Checks = append(r.Checks, do(ctx, client, t.URL, "OPTIONS", true, opts))
	}
	judge(&r, opts)
	return r
}

// do sends one request. The body is read (up to 64 KiB, for keep-alive) and dropped.
func do(ctx context.Context, client *http.Client, target, method string, preflight bool, opts *Options) Check {
	c := Check{Method: method, Preflight: preflight}
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		c.Error, c.ErrorKind = err.Error(), "other"
		return c
	}
	for k, vs := range opts.Headers {
		for _, v := range vs {
			if http.CanonicalHeaderKey(k) == "Host" {
				req.Host = v // Go sends req.Host, never a Host entry of req.Header
				continue
			}
			req.Header.Add(k, v)
		}
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = "logtriage-probe"
	}
	req.Header.Set("User-Agent", ua)
	if opts.Origin != "" {
		req.Header.Set("Origin", opts.Origin)
	}
	if preflight {
		req.Header.Set("Access-Control-Request-Method", strings.ToUpper(opts.PreflightMethod))
	}
	start := time.Now()
	resp, err := client.Do(req)
	c.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		c.ErrorKind, c.Error = classify(err, opts.Timeout)
		return c
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	c.Status = resp.StatusCode
	c.Allow = strings.Join(resp.Header.Values("Allow"), ", ")
	c.ACAM = strings.Join(resp.Header.Values("Access-Control-Allow-Methods"), ", ")
	// Every value, as a browser combines them: two layers adding the header (a proxy's add_header
	// and the app's CORS middleware) give "o, o", which no origin matches.
	c.ACAO = strings.Join(resp.Header.Values("Access-Control-Allow-Origin"), ", ")
	c.Server = resp.Header.Get("Server")
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		c.Location = resp.Header.Get("Location")
	}
	return c
}

// classify turns a transport error into a kind and a sentence that says what to do.
func classify(err error, timeout time.Duration) (kind, msg string) {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		recHeader tls.RecordHeaderError
		certErr   *tls.CertificateVerificationError
		dnsErr    *net.DNSError
		netErr    net.Error
	)
	switch {
	case errors.As(err, &unknownCA):
		return "tls", fmt.Sprintf("TLS: certificate signed by an unknown authority (%v); --insecure skips the check", err)
	case errors.As(err, &hostname):
		return "tls", fmt.Sprintf("TLS: certificate not valid for this host (%v)", hostname.Error())
	case errors.As(err, &invalid):
		return "tls", fmt.Sprintf("TLS: invalid certificate (%v)", invalid.Error())
	case errors.As(err, &certErr):
		return "tls", fmt.Sprintf("TLS: %v", certErr.Error())
	case errors.As(err, &recHeader):
		return "tls", "TLS: the server did not answer with TLS (an http:// port behind an https:// URL?)"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return "timeout", fmt.Sprintf("timeout: no answer within %s (--timeout)", timeout)
	case errors.As(err, &dnsErr):
		return "dns", fmt.Sprintf("DNS: %v", dnsErr.Error())
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused", "connection refused: nothing listens on that port"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF):
		return "reset", fmt.Sprintf("connection closed without an answer (%v)", err)
	case strings.Contains(err.Error(), "HTTP response to HTTPS client"):
		return "tls", "TLS: the server answered plain HTTP on an https:// URL (wrong port or scheme?)"
	case strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:"):
		return "tls", "TLS: " + err.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return "timeout", fmt.Sprintf("timeout: no answer within %s (--timeout)", timeout)
	}
	return "other", err.Error()
}

// methodSet parses an Allow or Access-Control-Allow-Methods value.
func methodSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.ToUpper(strings.TrimSpace(p)); p != "" {
			m[p] = true
		}
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// judge flags what the answers of one target break.
func judge(r *Result, opts *Options) {
	byMethod := map[string]*Check{}
	var allow map[string]bool
	allowFrom := ""
	redirects := map[string][]string{}
	var redirKeys []string
	for i := range r.Checks {
		c := &r.Checks[i]
		if c.Preflight {
			continue
		}
		byMethod[c.Method] = c
		if c.Error != "" {
			continue // reported with the check (Report.Errors), not a finding about the server
		}
		if c.Status == 405 && c.Allow == "" {
			r.Problems = append(r.Problems, fmt.Sprintf("%s answered 405 without an Allow header (RFC 9110 §15.5.6 requires one): clients cannot tell which methods work", c.Method))
		}
		if c.Allow != "" && allow == nil {
			allow, allowFrom = methodSet(c.Allow), fmt.Sprintf("%s %d", c.Method, c.Status)
		}
		if c.Location != "" {
			k := fmt.Sprintf("%d → %s", c.Status, c.Location)
			if redirects[k] == nil {
				redirKeys = append(redirKeys, k)
			}
			redirects[k] = append(redirects[k], c.Method)
		}
	}
	for _, k := range redirKeys {
		why := "not followed"
		if opts.FollowRedirects {
			// newClient stops at a redirect that changes the method: --follow-redirects was given.
			why = "not followed: the client would re-send " + strings.Join(redirects[k], ", ") + " as GET"
		}
		note := fmt.Sprintf("%s answered %s (%s)", strings.Join(redirects[k], ", "), k, why)
		if strings.HasPrefix(k, "301 ") || strings.HasPrefix(k, "302 ") || strings.HasPrefix(k, "303 ") {
			note += "; clients turn a POST, PUT or DELETE into a GET on this redirect: use 307/308 or the final URL"
		}
		r.Notes = append(r.Notes, note)
	}
	if allow != nil {
		for _, c := range r.Checks {
			if c.Preflight || c.Error != "" {
				continue
			}
			if allow[c.Method] && c.Status == 405 {
				r.Problems = append(r.Problems, fmt.Sprintf("Allow (from %s) lists %s, but %s answered 405", allowFrom, c.Method, c.Method))
			}
			if !allow[c.Method] && c.Status >= 200 && c.Status < 300 && c.Method != "OPTIONS" &&
				!(c.Method == "HEAD" && allow["GET"]) {
				r.Notes = append(r.Notes, fmt.Sprintf("%s answered %d but Allow (from %s) does not list it", c.Method, c.Status, allowFrom))
			}
		}
	}
	// Every method answered 404 (or 410): nothing is routed at the path, so no answer says
	// anything about methods; "every answer complies" alone would pass a mistyped URL.
	answered, gone := 0, 0
	for _, c := range r.Checks {
		if !c.Preflight && c.Error == "" {
			answered++
			if c.Status == 404 || c.Status == 410 {
				gone++
			}
		}
	}
	if answered > 0 && gone == answered {
		r.Notes = append(r.Notes, "every method answered 404 or 410: nothing is routed at this path, so its methods cannot be judged; check the URL (and the base URL of --env)")
	}
	// Not only 405: servers and frameworks also refuse HEAD with 501 (Not Implemented) or 404
	// (a router without a HEAD route), and RFC 9110 §9.1 requires HEAD wherever GET works.
	if g, h := byMethod["GET"], byMethod["HEAD"]; g != nil && h != nil && g.Error == "" && h.Error == "" &&
		g.Status < 400 && h.Status >= 400 {
		r.Problems = append(r.Problems, fmt.Sprintf("GET answered %d but HEAD %d: HEAD must work wherever GET does (RFC 9110 §9.3.2)", g.Status, h.Status))
	}
	for i := range r.Checks {
		c := &r.Checks[i]
		if !c.Preflight || c.Error != "" {
			continue
		}
		if why := preflightFailure(*c, opts); why != "" {
			c.Failure = why
			r.Problems = append(r.Problems, fmt.Sprintf("CORS preflight for %s from %s fails: %s", strings.ToUpper(opts.PreflightMethod), opts.Origin, why))
		}
	}
	if opts.Spec != nil {
		checkContract(r, opts.Spec, allow)
	}
}

// preflightFailure says why a browser would refuse the preflight's answer, or "".
func preflightFailure(c Check, opts *Options) string {
	want := strings.ToUpper(opts.PreflightMethod)
	switch {
	case c.Status < 200 || c.Status >= 300:
		if c.Status == 405 {
			return "OPTIONS answered 405: no CORS handling on this route (the request reached a handler without OPTIONS)"
		}
		return fmt.Sprintf("status %d (a preflight needs 2xx)", c.Status)
	case c.ACAO == "":
		return "no Access-Control-Allow-Origin"
	case strings.Contains(c.ACAO, ","): // an origin has no comma: the header came more than once
		return fmt.Sprintf("Access-Control-Allow-Origin has several values (%q): browsers accept exactly one; two layers (a proxy and the app?) both add it", c.ACAO)
	case c.ACAO != "*" && c.ACAO != opts.Origin:
		return fmt.Sprintf("Access-Control-Allow-Origin is %q, not the origin", c.ACAO)
	}
	if isSimple(want) {
		return "" // CORS-safelisted methods need no Access-Control-Allow-Methods
	}
	m := methodSet(c.ACAM)
	if !m[want] && !m["*"] {
		if c.ACAM == "" {
			return "no Access-Control-Allow-Methods"
		}
		return fmt.Sprintf("Access-Control-Allow-Methods %q does not include %s", c.ACAM, want)
	}
	return ""
}

func isSimple(m string) bool { return m == "GET" || m == "HEAD" || m == "POST" }

// contract compares one URL's answers with the spec.
func checkContract(r *Result, spec *contract.Spec, allow map[string]bool) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return
	}
	m, ok := spec.Match(u.Path)
	if !ok {
		r.Contract = append(r.Contract, fmt.Sprintf("%s: the spec has no path for it", u.Path))
		return
	}
	r.SpecPath, r.SpecAllow = m.Template, m.Methods
	for _, c := range r.Checks {
		if c.Preflight || c.Error != "" {
			continue
		}
		documented := contract.Documents(m.Methods, c.Method)
		switch {
		case documented && c.Status == 405:
			r.Contract = append(r.Contract, fmt.Sprintf("%s is documented but answered 405: server side", c.Method))
		case !documented && c.Method != "OPTIONS" && c.Status >= 200 && c.Status < 300:
			r.Contract = append(r.Contract, fmt.Sprintf("%s answered %d but is not documented (documented: %s): spec stale or the route leaks", c.Method, c.Status, strings.Join(m.Methods, ", ")))
		}
	}
	if allow != nil {
		spec := map[string]bool{}
		for _, x := range m.Methods {
			spec[x] = true
		}
		var missing, extra []string
		for _, x := range sortedKeys(spec) {
			if !allow[x] {
				missing = append(missing, x)
			}
		}
		for _, x := range sortedKeys(allow) {
			if !spec[x] && x != "OPTIONS" && !(x == "HEAD" && spec["GET"]) {
				extra = append(extra, x)
			}
		}
		if len(missing) > 0 {
			r.Contract = append(r.Contract, fmt.Sprintf("Allow lacks documented %s", strings.Join(missing, ", ")))
		}
		if len(extra) > 0 {
			r.Contract = append(r.Contract, fmt.Sprintf("Allow lists undocumented %s", strings.Join(extra, ", ")))
		}
	}
}

// answer is what one env said to one check, for comparison.
func answer(c *Check) string {
	if c == nil {
		return "-"
	}
	if c.Error != "" {
		return c.ErrorKind
	}
	if c.Failure != "" {
		return fmt.Sprintf("%d (fails)", c.Status)
	}
	return fmt.Sprint(c.Status)
}

// drift compares, for each path, the environments' answers: a method's status class (or a 405
// against anything else), the Allow set, and the preflight outcome. Only answers are compared: a
// request that got none (an environment down, a timeout) is counted in Report.Errors, and is not
// a difference in what the environments allow.
func drift(results []Result, envs []string) []Drift {
	byPath := map[string]map[string]*Result{}
	var paths []string
	for i := range results {
		r := &results[i]
		if byPath[r.Path] == nil {
			byPath[r.Path] = map[string]*Result{}
			paths = append(paths, r.Path)
		}
		byPath[r.Path][r.Env] = r
	}
	var out []Drift
	for _, p := range paths {
		rs := byPath[p]
		if len(rs) < 2 {
			continue
		}
		var methods []string
		seen := map[string]bool{}
		for _, e := range envs {
			if r := rs[e]; r != nil {
				for _, c := range r.Checks {
					k := c.Method
					if c.Preflight {
						k = "preflight"
					}
					if !seen[k] {
						seen[k] = true
						methods = append(methods, k)
					}
				}
			}
		}
		for _, m := range methods {
			vals := map[string]string{}
			classes := map[string]bool{}
			for _, e := range envs {
				r := rs[e]
				if r == nil {
					continue
				}
				c := r.Check(m)
				vals[e] = answer(c)
				if c == nil || c.Error == "" {
					classes[class(c)] = true
				}
			}
			if len(classes) > 1 {
				out = append(out, Drift{Path: p, What: m, Values: vals})
			}
		}
		allows := map[string]string{}
		sets := map[string]bool{}
		for _, e := range envs {
			if r := rs[e]; r != nil {
				a, answered := "", false
				for _, c := range r.Checks {
					answered = answered || !c.Preflight && c.Error == ""
					if !c.Preflight && c.Allow != "" {
						a = strings.Join(sortedKeys(methodSet(c.Allow)), ", ")
						break
					}
				}
				if !answered {
					continue // no answer, so no Allow to compare
				}
				allows[e] = a
				sets[a] = true
			}
		}
		if len(sets) > 1 {
			for e, a := range allows {
				if a == "" {
					allows[e] = "(none)"
				}
			}
			out = append(out, Drift{Path: p, What: "Allow", Values: allows})
		}
	}
	return out
}

// Check returns the result's check of method, "preflight" for the CORS preflight; nil when it has none.
func (r *Result) Check(method string) *Check {
	for i := range r.Checks {
		c := &r.Checks[i]
		if method == "preflight" && c.Preflight || !c.Preflight && c.Method == method {
			return c
		}
	}
	return nil
}

// class buckets an answer for drift: a 405 is its own class, as is a missing answer.
func class(c *Check) string {
	switch {
	case c == nil:
		return "-"
	case c.Error != "":
		return "error"
	case c.Status == 405:
		return "405"
	case c.Failure != "":
		return "failed"
	}
	return fmt.Sprintf("%dxx", c.Status/100)
}

// Failed reports whether the run found a problem, a contract difference or drift.
func (r *Report) Failed() bool {
	if len(r.Drift) > 0 {
		return true
	}
	for _, x := range r.Results {
		if len(x.Problems) > 0 || len(x.Contract) > 0 {
			return true
		}
	}
	return false
}
