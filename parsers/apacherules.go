package parsers

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// The method rules of an httpd configuration (--apache-conf), so that a 403 or 405 httpd
// answered itself names the directive that refused the method: <LimitExcept> and <Limit> blocks
// that deny (Require all denied, Deny from all; 401 for Require valid-user/user/group), Require
// method outside <RequireAny>/<RequireNone>, mod_allowmethods' AllowMethods (405), and
// mod_rewrite's RewriteCond %{REQUEST_METHOD} before a RewriteRule with [F] (403) or [R=405].
// Each applies to the URL space of its <Location>/<LocationMatch>, of a <Directory> under the
// DocumentRoot, or to every path at server or virtual host level.

// ApacheMethodRule is one such rule.
type ApacheMethodRule struct {
	Scope   string   // the section it is in as written ("<Location /admin>"); "" at server level
	Rule    string   // the directive(s), as written ("<LimitExcept GET POST> Require all denied")
	Allowed []string // methods it lets through (GET implies HEAD, as in httpd); nil with Denied
	Denied  []string // methods it refuses (<Limit>); nil with Allowed
	Status  int      // 403, 401 or 405
	Source  string   // file:line (the file's base name)

	prefix    string         // URL-path prefix; "" for every path
	re        *regexp.Regexp // <LocationMatch> or a RewriteRule's pattern
	methodRE  *regexp.Regexp // a RewriteCond on %{REQUEST_METHOD}
	methodNeg bool
	limit     bool // from <Limit>/<LimitExcept>
}

// Refuses reports whether the rule refuses method on path.
func (r *ApacheMethodRule) Refuses(method, p string) bool {
	if r.prefix != "" && !(p == r.prefix || strings.HasPrefix(p, strings.TrimSuffix(r.prefix, "/")+"/")) {
		return false
	}
	if r.re != nil && !r.re.MatchString(p) {
		return false
	}
	switch {
	case r.methodRE != nil:
		return r.methodRE.MatchString(method) != r.methodNeg
	case r.Denied != nil:
		return apacheListHas(r.Denied, method)
	}
	return !apacheListHas(r.Allowed, method)
}

// apacheListHas: a method list names the method; GET covers HEAD.
func apacheListHas(list []string, method string) bool {
	for _, m := range list {
		if strings.EqualFold(m, method) || method == "HEAD" && strings.EqualFold(m, "GET") {
			return true
		}
	}
	return false
}

// SelectApacheRule returns the rule that refused method on path with status: of the rules that
// would, the last in configuration order (httpd merges sections in order, later ones winning).
func SelectApacheRule(rules []ApacheMethodRule, method, p string, status int) *ApacheMethodRule {
	var hit *ApacheMethodRule
	for i := range rules {
		if r := &rules[i]; r.Status == status && r.Refuses(method, p) {
			hit = r
		}
	}
	return hit
}

// apacheSection is an open <Section> while the configuration is read.
type apacheSection struct {
	kind  string // lower case: location, limitexcept, requireany, …
	args  []string
	text  string
	deny  int    // <Limit>/<LimitExcept>: the status a deny directive inside gives; 0 for none
	what  string // that directive
	where string // file:line of the section
	// granted: "Require all granted" directly inside. mod_authz_core merges the Require
	// directives inside and outside a <Limit> as if in <RequireAny>, so a <Limit> deny beside
	// it refuses nothing (seen on httpd 2.4.71: PUT on a static file got the handler's 405).
	granted   bool
	firstRule int // len(MethodRules) when the section opened
}

// apacheRules is the reader's method-rule state.
type apacheRules struct {
	stack   []apacheSection
	docRoot string
	conds   []apacheCond // RewriteCond lines waiting for their RewriteRule
}

type apacheCond struct {
	re    *regexp.Regexp
	neg   bool
	txt   string
	where string // file:line
}

// section handles a "<Kind args>" or "</Kind>" line.
func (r *apacheConfReader) section(line, file string, ln int) {
	s := &r.rules
	inner := strings.TrimSuffix(strings.TrimPrefix(line, "<"), ">")
	if strings.HasPrefix(inner, "/") {
		kind := strings.ToLower(strings.TrimSpace(inner[1:]))
		for i := len(s.stack) - 1; i >= 0; i-- {
			if s.stack[i].kind != kind {
				continue
			}
			top := s.stack[i]
			s.stack = s.stack[:i]
			if top.granted {
				kept := r.c.MethodRules[:top.firstRule]
				for _, rule := range r.c.MethodRules[top.firstRule:] {
					if !rule.limit {
						kept = append(kept, rule)
					}
				}
				r.c.MethodRules = kept
			}
			if (kind == "limitexcept" || kind == "limit") && top.deny != 0 && len(top.args) > 0 {
				rule := ApacheMethodRule{Rule: top.text + " " + top.what, Status: top.deny, Source: top.where, limit: true}
				if kind == "limitexcept" {
					rule.Allowed = top.args
				} else {
					rule.Denied = top.args
				}
				r.addRule(rule)
			}
			return
		}
		return
	}
	words := apacheWords(inner)
	if len(words) == 0 {
		return
	}
	s.stack = append(s.stack, apacheSection{kind: strings.ToLower(words[0]), args: words[1:], text: "<" + inner + ">",
		where: fmt.Sprintf("%s:%d", path.Base(file), ln), firstRule: len(r.c.MethodRules)})
}

// directive notes a directive that refuses methods, or that decides whether one does.
func (r *apacheConfReader) directive(args []string, line, file string, ln int) {
	s := &r.rules
	where := fmt.Sprintf("%s:%d", path.Base(file), ln)
	name := strings.ToLower(args[0])
	if top := s.top(); top != nil && (top.kind == "limitexcept" || top.kind == "limit") {
		if st := apacheDenyStatus(args); st != 0 && top.deny == 0 {
			top.deny, top.what = st, line
		}
		return
	}
	switch name {
	case "documentroot":
		if len(args) > 1 && s.scope() == nil {
			s.docRoot = strings.TrimSuffix(args[1], "/")
		}
	case "require":
		if len(args) > 2 && strings.EqualFold(args[1], "all") && strings.EqualFold(args[2], "granted") {
			if top := s.top(); top != nil {
				top.granted = true
			}
		}
		if len(args) > 2 && strings.EqualFold(args[1], "method") && !s.inside("requireany", "requirenone") {
			r.addRule(ApacheMethodRule{Rule: line, Allowed: args[2:], Status: 403, Source: where})
		}
	case "allowmethods":
		if len(args) > 1 && !strings.EqualFold(args[1], "reset") {
			r.addRule(ApacheMethodRule{Rule: line, Allowed: args[1:], Status: 405, Source: where})
		}
	case "rewritecond":
		if len(args) >= 3 && strings.EqualFold(args[1], "%{REQUEST_METHOD}") {
			pat, neg := args[2], false
			if strings.HasPrefix(pat, "!") {
				pat, neg = pat[1:], true
			}
			if strings.HasPrefix(pat, "=") {
				pat = "^" + regexp.QuoteMeta(pat[1:]) + "$"
			}
			if len(args) > 3 && strings.Contains(strings.ToUpper(args[3]), "NC") {
				pat = "(?i)" + pat
			}
			if re, err := regexp.Compile(pat); err == nil {
				s.conds = append(s.conds, apacheCond{re: re, neg: neg, txt: line, where: where})
				return
			}
		}
		s.conds = append(s.conds, apacheCond{}) // another condition: the rule is not only about the method
	case "rewriterule":
		conds := s.conds
		s.conds = nil
		if len(args) < 4 || len(conds) != 1 || conds[0].re == nil {
			return
		}
		flags := strings.ToUpper(strings.Trim(args[3], "[]"))
		st := 0
		for _, f := range strings.Split(flags, ",") {
			switch {
			case f == "F" || f == "FORBIDDEN":
				st = 403
			case f == "R=405" || f == "REDIRECT=405":
				st = 405
			case f == "R=403":
				st = 403
			}
		}
		if st == 0 || s.scope() != nil && s.scope().kind != "virtualhost" {
			return // per-directory rewrites match a path relative to their directory
		}
		re, err := regexp.Compile(args[1])
		if err != nil {
			return
		}
		r.addRule(ApacheMethodRule{Rule: conds[0].txt + " " + line, Status: st, Source: conds[0].where, re: re,
			methodRE: conds[0].re, methodNeg: conds[0].neg})
	}
}

// addRule scopes a rule to the innermost section that names a URL space.
func (r *apacheConfReader) addRule(rule ApacheMethodRule) {
	s := &r.rules
	if sc := s.scope(); sc != nil && sc.kind != "virtualhost" {
		rule.Scope = sc.text
		if len(sc.args) == 0 {
			return
		}
		arg := sc.args[0]
		switch sc.kind {
		case "location":
			if arg == "~" && len(sc.args) > 1 {
				re, err := regexp.Compile(sc.args[1])
				if err != nil {
					return
				}
				rule.re = apacheAnd(rule.re, re)
			} else {
				rule.prefix = arg
			}
		case "locationmatch":
			re, err := regexp.Compile(arg)
			if err != nil {
				return
			}
			rule.re = apacheAnd(rule.re, re)
		case "directory":
			dir := strings.TrimSuffix(arg, "/")
			switch {
			case s.docRoot == "":
				return
			case strings.HasPrefix(s.docRoot+"/", dir+"/"):
				// the DocumentRoot or above it: every path
			case strings.HasPrefix(dir, s.docRoot+"/"):
				rule.prefix = strings.TrimPrefix(dir, s.docRoot)
			default:
				return // not served under the DocumentRoot
			}
		default:
			return // <Files>, <DirectoryMatch>, <If>, …: not mapped to paths
		}
	}
	r.c.MethodRules = append(r.c.MethodRules, rule)
}

// apacheAnd keeps a rule's own pattern; a section's pattern alone otherwise. (A rule inside a
// <LocationMatch> with a pattern of its own would need both: rewrites there are skipped.)
func apacheAnd(own, section *regexp.Regexp) *regexp.Regexp {
	if own != nil {
		return own
	}
	return section
}

// top is the innermost open section; nil at server level.
func (s *apacheRules) top() *apacheSection {
	if len(s.stack) == 0 {
		return nil
	}
	return &s.stack[len(s.stack)-1]
}

// scope is the innermost open section that sets where a rule applies (not <IfModule>, <IfDefine>,
// <RequireAll> and other sections that only group).
func (s *apacheRules) scope() *apacheSection {
	for i := len(s.stack) - 1; i >= 0; i-- {
		switch s.stack[i].kind {
		case "ifmodule", "ifdefine", "ifversion", "ifdirective", "iffile", "ifsection",
			"requireall", "requireany", "requirenone", "authzprovideralias":
			continue
		}
		return &s.stack[i]
	}
	return nil
}

// inside tells whether one of the kinds is open.
func (s *apacheRules) inside(kinds ...string) bool {
	for _, sec := range s.stack {
		for _, k := range kinds {
			if sec.kind == k {
				return true
			}
		}
	}
	return false
}

// apacheDenyStatus is the status a directive inside <Limit>/<LimitExcept> refuses with.
func apacheDenyStatus(args []string) int {
	name := strings.ToLower(args[0])
	switch {
	case name == "require" && len(args) > 2 && strings.EqualFold(args[1], "all") && strings.EqualFold(args[2], "denied"):
		return 403
	case name == "require" && len(args) > 1 && (strings.EqualFold(args[1], "valid-user") || strings.EqualFold(args[1], "user") ||
		strings.EqualFold(args[1], "group")):
		return 401
	case name == "deny" && len(args) > 2 && strings.EqualFold(args[1], "from") && strings.EqualFold(args[2], "all"):
		return 403
	}
	return 0
}
