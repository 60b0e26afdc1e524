package parsers

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/logtriage/logtriage/internal/limits"
)

// HAProxyConf is what logtriage needs from haproxy.cfg: per frontend, backend or listen section,
// the captured request headers (in order, so that the {…} block of a log line maps to names) and
// the http-request rules that answer with a status of their own (deny_status, return status), so
// that a 405 HAProxy generated names the rule that answered.
type HAProxyConf struct {
	Path     string
	Sections map[string]*HAProxySection // by section name
}

// HAProxySection is one frontend, backend or listen section.
type HAProxySection struct {
	Kind, Name string
	Captures   []string      // "capture request header NAME len N", in order
	Rules      []HAProxyRule // http-request deny/return/tarpit rules
	LogFormat  string        // log-format, as written between its quotes; "" for option httplog
	acls       map[string][]*haproxyACL
	rewrites   uint8 // haproxyStale*: what its http-request rules rewrite
}

// HAProxyRule is one http-request rule that answers the client itself.
type HAProxyRule struct {
	Text   string // the directive as written
	Status int    // deny_status / status; 403 for a plain deny
	File   string
	Line   int
	// Method is true when the rule's condition tests the request's method (method, METH_*, or
	// an acl of the section that does): its answer may be a method rejection (HAProxyConf.rule
	// decides for each request).
	Method bool
	cond   *haproxyCond
	ret    bool  // http-request return: HAProxy logs termination L, deny and tarpit P
	stale  uint8 // haproxyStale*: rewritten by a rule before it
}

// LoadHAProxyConf reads haproxy.cfg from the host's file system.
func LoadHAProxyConf(p string) (*HAProxyConf, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	return ReadHAProxyConf(os.DirFS("/"), strings.TrimPrefix(filepath.ToSlash(abs), "/"))
}

// ReadHAProxyConf reads haproxy.cfg from fsys (a path without a leading slash).
func ReadHAProxyConf(fsys fs.FS, name string) (*HAProxyConf, error) {
	data, err := limits.ReadFS(fsys, name, limits.ConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("cannot read HAProxy configuration /%s: %w", name, confReadErr(err))
	}
	c := &HAProxyConf{Path: "/" + name, Sections: map[string]*HAProxySection{}}
	var cur *HAProxySection
	// Each defaults section starts afresh; a proxy takes the last one before it, or the one it
	// names with "from NAME" (HAProxy 2.6.12 ran a named defaults' http-request rule only in the
	// frontend "from" it: testdata/proxies/haproxy-acl.log).
	defaults := &HAProxySection{}
	named := map[string]*HAProxySection{}
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if j := strings.Index(line, " #"); j >= 0 {
			line = strings.TrimSpace(line[:j])
		}
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		switch f[0] {
		case "frontend", "backend", "listen":
			cur = &HAProxySection{Kind: f[0], acls: map[string][]*haproxyACL{}}
			if len(f) > 1 {
				cur.Name = f[1]
			}
			base := defaults
			for k := 2; k+1 < len(f); k++ {
				if f[k] == "from" && named[f[k+1]] != nil {
					base = named[f[k+1]]
				}
			}
			cur.Rules = append(cur.Rules, base.Rules...)
			cur.LogFormat = base.LogFormat
			cur.rewrites = base.rewrites
			c.Sections[cur.Name] = cur
			continue
		case "defaults":
			defaults = &HAProxySection{}
			if len(f) > 1 {
				named[f[1]] = defaults
			}
			cur = defaults
			continue
		case "global", "peers", "resolvers", "userlist", "mailers", "cache", "program", "ring", "http-errors":
			cur = nil
			continue
		}
		if cur == nil {
			continue
		}
		switch {
		case f[0] == "log-format":
			cur.LogFormat = haproxyUnquote(strings.TrimSpace(line[len("log-format"):]))
		case f[0] == "option" && len(f) > 1 && f[1] == "httplog":
			cur.LogFormat = ""
		case len(f) >= 4 && f[0] == "capture" && f[1] == "request" && f[2] == "header":
			cur.Captures = append(cur.Captures, f[3])
		case len(f) >= 3 && f[0] == "acl" && cur.acls != nil:
			if a := parseHAProxyACL(f[2:]); a != nil {
				cur.acls[f[1]] = append(cur.acls[f[1]], a)
			}
		case len(f) >= 2 && f[0] == "http-request" && f[1] == "set-method":
			cur.rewrites |= haproxyStaleMethod
		case len(f) >= 2 && f[0] == "http-request" && (strings.HasPrefix(f[1], "set-path") || strings.HasPrefix(f[1], "replace-path") ||
			f[1] == "set-uri" || f[1] == "replace-uri" || f[1] == "set-query"):
			// HAProxy 2.6.12 denied POST /admin/x with a rule on /v2/admin after
			// "set-path /v2%[path]" (testdata/proxies/haproxy-rewrite.log)
			cur.rewrites |= haproxyStalePath
		case len(f) >= 2 && f[0] == "http-request" && (f[1] == "deny" || f[1] == "return" || f[1] == "tarpit"):
			action, cond := splitHAProxyCond(f)
			st := 403
			switch f[1] {
			case "return":
				st = 200
			case "tarpit":
				st = 500 // HAProxy 2.6.12 answered a plain tarpit with 500, termination PT
			}
			for k := 2; k+1 < len(action); k++ {
				if action[k] == "deny_status" || action[k] == "status" {
					if n, err := strconv.Atoi(action[k+1]); err == nil {
						st = n
					}
				}
			}
			cur.Rules = append(cur.Rules, HAProxyRule{Text: line, Status: st, File: filepath.Base(name), Line: i + 1, cond: cond,
				ret: f[1] == "return", stale: cur.rewrites})
		}
	}
	for _, sec := range c.Sections {
		for i := range sec.Rules {
			r := &sec.Rules[i]
			r.Method = usesMethodACL(sec.acls, r.cond)
		}
	}
	return c, nil
}

// haproxyUnquote removes the double quotes around a log-format; escapes inside stay for the
// log-format compiler.
func haproxyUnquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// LogFormats returns the distinct custom log-formats of the frontends and listen sections, in
// name order.
func (c *HAProxyConf) LogFormats() []string {
	var names []string
	for n, s := range c.Sections {
		if s.LogFormat != "" && s.Kind != "backend" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		if f := c.Sections[n].LogFormat; !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// rule returns the rule of the section logged as the backend that answered a request with
// status and termination state term (P for deny and tarpit, L for return). HAProxy runs the
// frontend's http-request rules, then the backend's, and the first whose condition holds
// answers; a request the frontend answered is logged with the frontend as its backend
// (fe_main fe_main/<NOSRV>), one its backend answered with that backend (fe_main
// be_rules/<NOSRV>: the frontend's rules let it through), so only that section's rules of that
// status and action are candidates. The first whose condition is not false for the request's
// method and target is named when its condition holds or when no later one could have
// answered; nil when none could, or when a condition the log cannot decide (a header, the
// source) leaves two possible: HAProxy 2.6.12 denied DELETE /api3/x with line 34 of
// testdata/proxies/haproxy-acl.cfg, not with line 33, whose condition tests a header it was
// not sent (haproxy-acl.log).
//
// byMethod tells whether the rule refused the method: its condition tests the method and would
// not hold for another method on the same target. "deny if { path_beg /internal } || METH_TRACE"
// tests the method but refused POST /internal/x for its path (HAProxy 2.6.12 refused GET there
// too: testdata/proxies/haproxy-pathrule.log), which is no method rejection.
//
// A condition on what an earlier rule rewrote (set-path, set-method, …; in the frontend, for a
// backend's rule) is unknown: the log line shows the request as the client sent it.
func (c *HAProxyConf) rule(frontend, backend []byte, status int, method, path, uri string, term byte) (r *HAProxyRule, byMethod bool) {
	if c == nil || term != 'P' && term != 'L' {
		return nil, false
	}
	s := c.Sections[string(backend)] // the compiler does not allocate for a map lookup
	if s == nil {
		return nil, false
	}
	var stale uint8
	if fs := c.Sections[string(frontend)]; fs != nil && fs != s {
		stale = fs.rewrites
	}
	r = s.rule(status, method, path, uri, term, stale)
	if r == nil || !r.Method {
		return r, false
	}
	for _, m := range [...]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"} {
		if m != method && r.cond.evalStale(s.acls, m, path, uri, r.stale|stale) == triFalse {
			return r, true
		}
	}
	return r, false
}

func (s *HAProxySection) rule(status int, method, path, uri string, term byte, stale uint8) *HAProxyRule {
	var found *HAProxyRule
	for i := range s.Rules {
		r := &s.Rules[i]
		if r.Status != status || r.ret != (term == 'L') {
			continue
		}
		v := r.cond.evalStale(s.acls, method, path, uri, r.stale|stale)
		switch {
		case v == triFalse:
			continue
		case found != nil:
			return nil // an earlier rule the log cannot decide, or this one, answered
		case v == triTrue:
			return r
		}
		found = r
	}
	return found
}

// captures returns the captured request header names of a frontend.
func (c *HAProxyConf) captures(frontend []byte) []string {
	if c == nil {
		return nil
	}
	if s := c.Sections[string(frontend)]; s != nil {
		return s.Captures
	}
	return nil
}
