package parsers

import (
	"regexp"
	"strings"
)

// The conditions of haproxy.cfg's http-request rules ("if { method PUT } { path_beg /admin }",
// "unless METH_GET", named "acl" lines), evaluated against a logged request's method and path,
// so that of several rules answering with one status the one naming this request is chosen.
// Only what a log line tells is evaluated: the method and the path (method, path, path_beg,
// path_end, path_sub, path_dir, path_reg, with -i and -m), and the predefined METH_* ACLs. Any
// other fetch (headers, source address, variables) is unknown, and a condition that depends on
// an unknown term is unknown: such a rule may have answered, but is not known to have.

// tri is a three-valued truth: a condition may be true, false or not decidable from a log line.
type tri int8

const (
	triUnknown tri = iota
	triFalse
	triTrue
)

func (a tri) and(b tri) tri {
	if a == triFalse || b == triFalse {
		return triFalse
	}
	if a == triTrue && b == triTrue {
		return triTrue
	}
	return triUnknown
}

func (a tri) or(b tri) tri {
	if a == triTrue || b == triTrue {
		return triTrue
	}
	if a == triFalse && b == triFalse {
		return triFalse
	}
	return triUnknown
}

func (a tri) not() tri {
	switch a {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return triUnknown
}

// haproxyACL is one ACL: a fetch, its match method and the patterns (any one matching).
type haproxyACL struct {
	fetch    string // "method", "path", "url", "url_param"; "" for any other (unknown)
	param    string // url_param(NAME)
	match    string // "str", "beg", "end", "sub", "dir", "dom", "reg", "found"
	fold     bool   // -i
	patterns []string
	res      []*regexp.Regexp // for "reg"; nil when a pattern does not compile
}

// haproxyPredefined are the predefined ACLs a log line can decide (HAProxy's configuration
// manual, "Predefined ACLs"); METH_GET also matches HEAD.
var haproxyPredefined = map[string][]string{
	"METH_CONNECT": {"CONNECT"}, "METH_DELETE": {"DELETE"}, "METH_GET": {"GET", "HEAD"},
	"METH_HEAD": {"HEAD"}, "METH_OPTIONS": {"OPTIONS"}, "METH_POST": {"POST"}, "METH_PUT": {"PUT"},
	"METH_TRACE": {"TRACE"},
}

// parseHAProxyACL reads "fetch [flags] pattern…" (the words after "acl NAME", or inside braces).
func parseHAProxyACL(words []string) *haproxyACL {
	if len(words) == 0 {
		return nil
	}
	a := &haproxyACL{fetch: words[0], match: "str"}
	switch a.fetch {
	case "path_beg", "url_beg":
		a.match = "beg"
	case "path_end", "url_end":
		a.match = "end"
	case "path_sub", "url_sub":
		a.match = "sub"
	case "path_dir", "url_dir":
		a.match = "dir"
	case "path_dom", "url_dom":
		a.match = "dom"
	case "path_reg", "url_reg":
		a.match = "reg"
	}
	switch f := a.fetch; {
	case f == "method", f == "path", f == "url":
	case f == "path_beg", f == "path_end", f == "path_sub", f == "path_dir", f == "path_dom", f == "path_reg",
		f == "url_beg", f == "url_end", f == "url_sub", f == "url_dir", f == "url_dom", f == "url_reg":
		a.fetch = a.fetch[:strings.IndexByte(a.fetch, '_')]
	case (strings.HasPrefix(f, "url_param(") || strings.HasPrefix(f, "urlp(")) && strings.HasSuffix(f, ")"):
		// url_param(NAME): the query parameter's value, read from the logged request line
		arg := f[strings.IndexByte(f, '(')+1 : len(f)-1]
		if strings.ContainsAny(arg, ",)") || arg == "" {
			a.fetch = "" // a delimiter other than '&', or nested: unknown
			break
		}
		a.fetch, a.param = "url_param", arg
	default:
		// Any other fetch is unknown, path_dom, url_param(…), url_ip, path_len and converters
		// included: read as the path or the URL they were false, and a rule that answered went
		// unnamed or another was named (HAProxy 2.6.12 denied DELETE /open/a?debug=1 with
		// "acl dbg url_param(debug) -m str 1": testdata/proxies/haproxy-acl.log).
		a.fetch = ""
	}
	rest := words[1:]
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") {
		switch rest[0] {
		case "-i":
			a.fold = true
		case "-m":
			if len(rest) > 1 {
				a.match = rest[1]
				rest = rest[1:]
			}
		case "-f", "-M":
			a.fetch = "" // patterns from a file: unknown
		case "--":
			rest = rest[1:]
			a.patterns = append(a.patterns, rest...)
			rest = nil
			continue
		}
		if len(rest) > 0 {
			rest = rest[1:]
		}
	}
	a.patterns = append(a.patterns, rest...)
	if a.match == "reg" {
		for _, p := range a.patterns {
			if a.fold {
				p = "(?i)" + p
			}
			re, err := regexp.Compile(p)
			if err != nil {
				a.res = nil
				break
			}
			a.res = append(a.res, re)
		}
	}
	return a
}

// evalStale is eval, unknown for a fetch an earlier rule rewrote.
func (a *haproxyACL) evalStale(method, path, uri string, stale uint8) tri {
	if a.fetch == "method" && stale&haproxyStaleMethod != 0 || a.fetch != "method" && stale&haproxyStalePath != 0 {
		return triUnknown
	}
	return a.eval(method, path, uri)
}

// eval tells whether the ACL matches a request with this method, path and target (uri, the
// path with its query as the request line has it).
func (a *haproxyACL) eval(method, path, uri string) tri {
	var v string
	switch a.fetch {
	case "method":
		v = method
	case "path":
		v = path
	case "url":
		v = uri
	case "url_param":
		var found bool
		if v, found = haproxyURLParam(uri, a.param); !found {
			return triFalse // the fetch fails: no pattern matches, -m found included
		}
	default:
		return triUnknown
	}
	if a.match == "found" {
		return triTrue
	}
	if a.match == "reg" && len(a.res) != len(a.patterns) {
		return triUnknown
	}
	for i, p := range a.patterns {
		s := v
		if a.fold && a.match != "reg" {
			s, p = strings.ToLower(s), strings.ToLower(p)
		}
		var ok bool
		switch a.match {
		case "str":
			ok = s == p
		case "beg":
			ok = strings.HasPrefix(s, p)
		case "end":
			ok = strings.HasSuffix(s, p)
		case "sub":
			ok = strings.Contains(s, p)
		case "dir":
			ok = haproxyDirMatch(s, p)
		case "dom":
			ok = haproxyDomMatch(s, p)
		case "reg":
			ok = a.res[i].MatchString(s)
		default:
			return triUnknown
		}
		if ok {
			return triTrue
		}
	}
	return triFalse
}

// haproxyDirMatch is -m dir: the pattern is one of the slash-delimited parts of s.
func haproxyDirMatch(s, p string) bool {
	p = strings.Trim(p, "/")
	return p != "" && strings.Contains("/"+strings.Trim(s, "/")+"/", "/"+p+"/")
}

// haproxyDomMatch is -m dom: the pattern occurs in s between delimiters ('/', '?', '.', ':') or
// its ends (HAProxy 2.6.12 matched "path_dom admin" on /open/admin/x: testdata/proxies/haproxy-acl.log).
func haproxyDomMatch(s, p string) bool {
	const delims = "/?.:"
	p = strings.Trim(p, delims)
	if p == "" {
		return false
	}
	for i := 0; i+len(p) <= len(s); i++ {
		if s[i:i+len(p)] == p && (i == 0 || strings.IndexByte(delims, s[i-1]) >= 0) &&
			(i+len(p) == len(s) || strings.IndexByte(delims, s[i+len(p)]) >= 0) {
			return true
		}
	}
	return false
}

// haproxyURLParam is url_param(name): the value of the first parameter named name in the
// query of uri; found is false when there is none.
func haproxyURLParam(uri, name string) (v string, found bool) {
	_, q, ok := strings.Cut(uri, "?")
	if !ok {
		return "", false
	}
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		k, val, _ := strings.Cut(kv, "=")
		if k == name {
			return val, true
		}
	}
	return "", false
}

// haproxyCond is a rule's condition: OR of AND-groups of (possibly negated) ACL terms, "unless"
// negating the whole. A rule without a condition always applies.
type haproxyCond struct {
	unless bool
	groups [][]haproxyTerm
	method bool // some term tests the method
}

type haproxyTerm struct {
	neg    bool
	name   string      // a named or predefined ACL
	inline *haproxyACL // an anonymous ACL between braces
}

// parseHAProxyCond reads the words after "if" or "unless".
func parseHAProxyCond(unless bool, words []string) *haproxyCond {
	c := &haproxyCond{unless: unless, groups: [][]haproxyTerm{nil}}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "||" || w == "or" {
			c.groups = append(c.groups, nil)
			continue
		}
		var t haproxyTerm
		if strings.HasPrefix(w, "!") {
			t.neg = true
			if w = w[1:]; w == "" {
				continue
			}
		}
		switch {
		case w == "{":
			j := i + 1
			for j < len(words) && words[j] != "}" {
				j++
			}
			t.inline = parseHAProxyACL(words[i+1 : j])
			i = j
			if t.inline == nil {
				continue
			}
			c.method = c.method || t.inline.fetch == "method"
		default:
			t.name = w
			c.method = c.method || strings.HasPrefix(w, "METH_")
		}
		g := &c.groups[len(c.groups)-1]
		*g = append(*g, t)
	}
	return c
}

// Rewrites by an earlier http-request rule: what the log line shows is no longer what a later
// condition tests, which is then unknown.
const (
	haproxyStalePath   uint8 = 1 << iota // set-path, set-uri, replace-path, set-query, …
	haproxyStaleMethod                   // set-method
)

// eval decides the condition for a request, with the section's named ACLs.
func (c *haproxyCond) eval(acls map[string][]*haproxyACL, method, path, uri string) tri {
	return c.evalStale(acls, method, path, uri, 0)
}

// evalStale is eval when earlier rules rewrote the path or the method (haproxyStale*).
func (c *haproxyCond) evalStale(acls map[string][]*haproxyACL, method, path, uri string, stale uint8) tri {
	if c == nil {
		return triTrue
	}
	res := triFalse
	for _, g := range c.groups {
		v := triTrue
		for _, t := range g {
			x := triUnknown
			switch {
			case t.inline != nil:
				x = t.inline.evalStale(method, path, uri, stale)
			case haproxyPredefined[t.name] != nil && stale&haproxyStaleMethod != 0:
			case haproxyPredefined[t.name] != nil:
				x = triFalse
				for _, m := range haproxyPredefined[t.name] {
					if m == method {
						x = triTrue
					}
				}
			case t.name == "TRUE":
				x = triTrue
			case t.name == "FALSE":
				x = triFalse
			case acls[t.name] != nil:
				x = triFalse // declarations of one name are ORed
				for _, a := range acls[t.name] {
					x = x.or(a.evalStale(method, path, uri, stale))
				}
			}
			if t.neg {
				x = x.not()
			}
			v = v.and(x)
		}
		res = res.or(v)
	}
	if c.unless {
		res = res.not()
	}
	return res
}

// usesMethodACL tells whether a named ACL of the section tests the method.
func usesMethodACL(acls map[string][]*haproxyACL, c *haproxyCond) bool {
	if c == nil {
		return false
	}
	if c.method {
		return true
	}
	for _, g := range c.groups {
		for _, t := range g {
			for _, a := range acls[t.name] {
				if a.fetch == "method" {
					return true
				}
			}
		}
	}
	return false
}

// splitHAProxyCond splits a rule's words at "if" or "unless": the action and its arguments,
// and the condition (nil when there is none).
func splitHAProxyCond(words []string) ([]string, *haproxyCond) {
	for i, w := range words {
		if w == "if" || w == "unless" {
			return words[:i], parseHAProxyCond(w == "unless", words[i+1:])
		}
	}
	return words, nil
}
