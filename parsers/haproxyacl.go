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
	fetch    string // "method", "path", … (other fetches are kept and evaluate as unknown)
	match    string // "str", "beg", "end", "sub", "dir", "reg"
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
	case "path_reg", "url_reg":
		a.match = "reg"
	}
	if i := strings.IndexByte(a.fetch, '_'); i > 0 && (a.fetch[:i] == "path" || a.fetch[:i] == "url") {
		a.fetch = a.fetch[:i]
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
	default:
		return triUnknown
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

// eval decides the condition for a request, with the section's named ACLs.
func (c *haproxyCond) eval(acls map[string][]*haproxyACL, method, path, uri string) tri {
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
				x = t.inline.eval(method, path, uri)
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
					x = x.or(a.eval(method, path, uri))
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
