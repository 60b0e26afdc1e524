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
}

// HAProxyRule is one http-request rule that answers the client itself.
type HAProxyRule struct {
	Text   string // the directive as written
	Status int    // deny_status / status; 403 for a plain deny
	File   string
	Line   int
	// Method is true when the rule's condition tests the request's method (method, METH_*, or
	// an acl of the section that does): the answer is a method rejection.
	Method bool
	cond   *haproxyCond
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
	var defaults HAProxySection
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
			cur.Rules = append(cur.Rules, defaults.Rules...)
			cur.LogFormat = defaults.LogFormat
			c.Sections[cur.Name] = cur
			continue
		case "defaults":
			cur = &defaults
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
		case len(f) >= 2 && f[0] == "http-request" && (f[1] == "deny" || f[1] == "return" || f[1] == "tarpit"):
			action, cond := splitHAProxyCond(f)
			st := 403
			if f[1] == "return" {
				st = 200
			}
			for k := 2; k+1 < len(action); k++ {
				if action[k] == "deny_status" || action[k] == "status" {
					if n, err := strconv.Atoi(action[k+1]); err == nil {
						st = n
					}
				}
			}
			cur.Rules = append(cur.Rules, HAProxyRule{Text: line, Status: st, File: filepath.Base(name), Line: i + 1, cond: cond})
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

// rule returns the rule of the frontend or backend that answered a request with status: HAProxy
// runs the frontend's http-request rules, then the backend's, and the first whose condition holds
// answers. So it is the first rule with that status whose condition is not false for the
// request's method and target; nil when every such rule's condition is false.
func (c *HAProxyConf) rule(frontend, backend []byte, status int, method, path, uri string) *HAProxyRule {
	if c == nil {
		return nil
	}
	for _, name := range [][]byte{frontend, backend} {
		s := c.Sections[string(name)] // the compiler does not allocate for a map lookup
		if s == nil {
			continue
		}
		for i := range s.Rules {
			if r := &s.Rules[i]; r.Status == status && r.cond.eval(s.acls, method, path, uri) != triFalse {
				return r
			}
		}
	}
	return nil
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
