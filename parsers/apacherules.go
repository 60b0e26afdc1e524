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

// ApacheMethodRule is one such rule. A rule of Status 0 refuses nothing: it is a directive that
// decides for its section without refusing ("AllowMethods reset", a section's first Require),
// kept because httpd's merge lets it override a rule of an earlier or enclosing section.
type ApacheMethodRule struct {
	Scope   string   // the section it is in as written ("<Location /admin>"); "" at server level
	Rule    string   // the directive(s), as written ("<LimitExcept GET POST> Require all denied")
	Allowed []string // methods it lets through (GET implies HEAD, as in httpd); nil with Denied
	Denied  []string // methods it refuses (<Limit>); nil with Allowed
	Status  int      // 403, 401 or 405; 0 for a directive that refuses nothing
	Source  string   // file:line (the file's base name)

	prefix string         // URL-path prefix; "" for every path
	re     *regexp.Regexp // <LocationMatch> or a RewriteRule's pattern
	conds  []apacheCond   // the RewriteCond lines on %{REQUEST_METHOD} before a RewriteRule
	limit  bool           // from <Limit>/<LimitExcept>
	anyOf  bool           // Require (not) method: a Require all granted beside it in its section grants
	// How httpd merges it (apacheMergeKey): mod_rewrite's server rules run first, in order;
	// for AllowMethods and for mod_authz_core's Require (AuthMerging Off) the section merged last
	// that sets them decides alone. Sections merge server and virtual host first, then <Directory>
	// (shorter paths first), then <Location>/<LocationMatch> in configuration order.
	kind  byte          // 'r' RewriteRule, 'a' AllowMethods, 'c' Deny from all, 'z' Require
	level int           // 0 server or virtual host, 1 <Directory>, 2 <Location>/<LocationMatch>
	vhost bool          // inside a <VirtualHost>
	depth int           // <Directory>: path components
	sec   int           // the section it is in (0 at server level): Require directives merge by section
	ctx   int           // 0 at server level, n in the n-th <VirtualHost>
	dir   string        // <Directory>: the directory, mapped to a URL-path prefix once the DocumentRoot is known
	vh    *apacheVhosts // with several <VirtualHost>s, for a rule inside one: which requests it serves
}

// apacheVhosts names the virtual hosts of a configuration with several, by rewrite context.
type apacheVhosts struct {
	names   map[int][]string // ServerName and ServerAlias patterns, lower case
	addr    map[int]string   // the <VirtualHost> address as written
	deflt   map[int]bool     // the first virtual host of its address: it serves unnamed hosts
	ordered []int
}

// serves tells whether virtual host ctx served a request for host: one of its names matches
// (httpd 2.4.71 logged %v a.test for Host x.a.test with ServerAlias *.a.test), or none of any
// virtual host on its address does and it is that address's first (%v a.test for Host c.test:
// testdata/proxies/apache-vhosts.log).
func (v *apacheVhosts) serves(ctx int, host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	match := func(n int) bool {
		for _, pat := range v.names[n] {
			if ok, _ := path.Match(pat, host); ok {
				return true
			}
		}
		return false
	}
	if match(ctx) {
		return true
	}
	if !v.deflt[ctx] {
		return false
	}
	for _, n := range v.ordered {
		if v.addr[n] == v.addr[ctx] && match(n) {
			return false
		}
	}
	return true
}

// applies tells whether the rule's section applies to path p. served is true when httpd served
// the request itself (%R is not mod_proxy's handler): <Directory> sections apply only then, as a
// proxied request maps to no file (httpd 2.4.71 relayed the backend's 405 for POST under a
// ProxyPass though <Directory> of the DocumentRoot had AllowMethods GET HEAD:
// testdata/proxies/apache-merge.log).
func (r *ApacheMethodRule) applies(p, host string, served bool) bool {
	if r.level == 1 && !served {
		return false
	}
	if r.vh != nil && host != "" && !r.vh.serves(r.ctx, host) {
		return false
	}
	if r.prefix != "" && !(p == r.prefix || strings.HasPrefix(p, strings.TrimSuffix(r.prefix, "/")+"/")) {
		return false
	}
	return r.re == nil || r.re.MatchString(p)
}

// Refuses reports whether the rule refuses method on path (for a request httpd served itself).
func (r *ApacheMethodRule) Refuses(method, p string) bool {
	return r.Status != 0 && r.applies(p, "", true) && r.refusesMethod(method)
}

func (r *ApacheMethodRule) refusesMethod(method string) bool {
	switch {
	case r.Status == 0:
		return false
	case r.conds != nil:
		return apacheCondsMatch(r.conds, method)
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

// apacheMergeLater tells whether httpd merges a's section after b's (or with it).
func apacheMergeLater(a, b *ApacheMethodRule) bool {
	if a.level != b.level {
		return a.level > b.level
	}
	if a.vhost != b.vhost {
		return a.vhost
	}
	return a.depth >= b.depth
}

// apacheEffective is the rule of a kind whose section httpd merged last for path p: the one
// that decides (a later section's AllowMethods or Require replaces an earlier one's).
func apacheEffective(rules []ApacheMethodRule, kind byte, p, host string, served bool) *ApacheMethodRule {
	var best *ApacheMethodRule
	for i := range rules {
		if r := &rules[i]; r.kind == kind && r.applies(p, host, served) && (best == nil || apacheMergeLater(r, best)) {
			best = r
		}
	}
	return best
}

// SelectApacheRule returns the rule that refused method on path with status, as httpd decides:
// a server-level RewriteRule first (the first that matches), then the AllowMethods and the
// Require directives of the section merged last (a later <Location> with AllowMethods reset or
// Require all granted lets the method through: testdata/proxies/apache-merge.log), then a
// <Limit> with Deny from all. served is true when httpd served the request itself (%R not
// proxy-server): <Directory> rules apply only then. host is the virtual host's name as logged
// (%v, or the Host header; "" when not logged): with several <VirtualHost>s, a rule inside one
// applies only to the requests it served. nil when no rule refused it.
func SelectApacheRule(rules []ApacheMethodRule, method, p, host string, status int, served bool) *ApacheMethodRule {
	for i := range rules {
		if r := &rules[i]; r.kind == 'r' && r.Status == status && r.applies(p, host, served) && r.refusesMethod(method) {
			return r
		}
	}
	if a := apacheEffective(rules, 'a', p, host, served); a != nil && a.Status == status && a.refusesMethod(method) {
		return a
	}
	var hit *ApacheMethodRule
	if z := apacheEffective(rules, 'z', p, host, served); z != nil {
		for i := range rules {
			if r := &rules[i]; r.kind == 'z' && r.sec == z.sec && r.Status == status && r.applies(p, host, served) && r.refusesMethod(method) {
				hit = r
			}
		}
	}
	if hit != nil {
		return hit
	}
	for i := range rules {
		if r := &rules[i]; r.kind == 'c' && r.Status == status && r.applies(p, host, served) && r.refusesMethod(method) {
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
	firstRule int  // len(MethodRules) when the section opened
	id        int  // numbers the sections in configuration order (ApacheMethodRule.sec)
	authz     bool // a Require was read in it (its marker rule is added)
	ctx       int  // <VirtualHost>: its rewrite context
}

// apacheRules is the reader's method-rule state.
type apacheRules struct {
	stack   []apacheSection
	docRoot string
	// vhostRoot: the DocumentRoot of each <VirtualHost> that sets one (Debian's layout sets it in
	// sites-enabled/000-default.conf, read after apache2.conf's <Directory /var/www/>).
	vhostRoot map[int]string
	conds     []apacheCond // RewriteCond lines waiting for their RewriteRule
	n         int          // sections opened
	authz     bool         // a Require was read at server level
	// Rewrite contexts: 0 the server, n the n-th <VirtualHost>. A context's rules run only
	// with RewriteEngine on in it (a virtual host without the directive takes the server's),
	// and a virtual host does not inherit the server's rules without RewriteOptions Inherit:
	// httpd 2.4.71 let DELETE through a <VirtualHost> although the server level held
	// RewriteCond DELETE + RewriteRule ^/ - [F], and refused PATCH with the virtual host's own
	// rule under the server's RewriteEngine on (apache-merge.log).
	engine  map[int]bool
	vh      *apacheVhosts
	inherit bool // some <VirtualHost> has RewriteOptions Inherit
	vhosts  int
}

type apacheCond struct {
	re    *regexp.Regexp
	neg   bool
	or    bool // [OR]: either this or the next condition
	txt   string
	where string // file:line
}

// apacheCondsMatch evaluates RewriteCond lines as mod_rewrite does: each must hold, except that
// [OR] joins a condition with the next (httpd 2.4.71 refused both PUT and PATCH for
// "RewriteCond %{REQUEST_METHOD} ^PUT$ [OR]" + "RewriteCond %{REQUEST_METHOD} ^PATCH$":
// testdata/proxies/apache-rewrite.log).
func apacheCondsMatch(conds []apacheCond, method string) bool {
	group, pending := false, false
	for i, c := range conds {
		m := c.re.MatchString(method) != c.neg
		group = pending && group || m
		if pending = c.or && i < len(conds)-1; pending {
			continue
		}
		if !group {
			return false
		}
	}
	return true
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
					if !rule.limit && !rule.anyOf {
						kept = append(kept, rule)
					}
				}
				r.c.MethodRules = kept
			}
			if (kind == "limitexcept" || kind == "limit") && top.deny != 0 && len(top.args) > 0 {
				rule := ApacheMethodRule{Rule: top.text + " " + top.what, Status: top.deny, Source: top.where, limit: true, kind: 'z'}
				if strings.HasPrefix(strings.ToLower(top.what), "deny") {
					rule.kind = 'c'
				}
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
	s.n++
	sec := apacheSection{kind: strings.ToLower(words[0]), args: words[1:], text: "<" + inner + ">",
		where: fmt.Sprintf("%s:%d", path.Base(file), ln), firstRule: len(r.c.MethodRules), id: s.n}
	if sec.kind == "virtualhost" {
		s.vhosts++
		sec.ctx = s.vhosts
		if s.vh == nil {
			s.vh = &apacheVhosts{names: map[int][]string{}, addr: map[int]string{}, deflt: map[int]bool{}}
		}
		s.vh.addr[sec.ctx] = strings.Join(sec.args, " ")
		s.vh.ordered = append(s.vh.ordered, sec.ctx)
	}
	s.stack = append(s.stack, sec)
}

// directive notes a directive that refuses methods, or that decides whether one does.
func (r *apacheConfReader) directive(args []string, line, file string, ln int) {
	s := &r.rules
	where := fmt.Sprintf("%s:%d", path.Base(file), ln)
	name := strings.ToLower(args[0])
	if name == "require" {
		r.markAuthz(line, where)
	}
	if top := s.top(); top != nil && (top.kind == "limitexcept" || top.kind == "limit") {
		if st := apacheDenyStatus(args); st != 0 && top.deny == 0 {
			top.deny, top.what = st, line
		}
		return
	}
	switch name {
	case "proxypass":
		if pp, ok := s.proxyPath(args, where); ok {
			r.c.ProxyPaths = append(r.c.ProxyPaths, pp)
		}
	case "redirect", "redirectpermanent", "redirecttemp":
		if rd, ok := apacheRedirect(args, where); ok {
			r.c.Redirects = append(r.c.Redirects, rd)
		}
	case "documentroot":
		switch sc := s.scope(); {
		case len(args) < 2:
		case sc == nil:
			s.docRoot = strings.TrimSuffix(args[1], "/")
		case sc.kind == "virtualhost":
			if s.vhostRoot == nil {
				s.vhostRoot = map[int]string{}
			}
			s.vhostRoot[sc.ctx] = strings.TrimSuffix(args[1], "/")
		}
	case "require":
		if len(args) > 2 && strings.EqualFold(args[1], "all") && strings.EqualFold(args[2], "granted") {
			// Directly in a section, beside other Require lines, it grants like <RequireAny>;
			// inside <RequireAll> it decides nothing.
			if top := s.group(); top != nil && top.kind != "requireall" {
				top.granted = true
			}
		}
		if len(args) > 2 && strings.EqualFold(args[1], "method") && !s.inside("requireany", "requirenone") {
			r.addRule(ApacheMethodRule{Rule: line, Allowed: args[2:], Status: 403, Source: where, kind: 'z', anyOf: true})
		}
		// Require not method, only valid inside <RequireAll> (httpd 2.4.71 refused DELETE with
		// 403 for <RequireAll> Require all granted + Require not method DELETE: apache-merge.log).
		if len(args) > 3 && strings.EqualFold(args[1], "not") && strings.EqualFold(args[2], "method") &&
			s.inside("requireall") && !s.inside("requireany", "requirenone") {
			r.addRule(ApacheMethodRule{Rule: line, Denied: args[3:], Status: 403, Source: where, kind: 'z', anyOf: true})
		}
	case "allowmethods":
		switch {
		case len(args) > 1 && strings.EqualFold(args[1], "reset"):
			// lets every method through again where this section applies
			r.addRule(ApacheMethodRule{Rule: line, Source: where, kind: 'a'})
		case len(args) > 1:
			r.addRule(ApacheMethodRule{Rule: line, Allowed: args[1:], Status: 405, Source: where, kind: 'a'})
		}
	case "servername", "serveralias":
		if sc := s.scope(); sc != nil && sc.kind == "virtualhost" && s.vh != nil {
			for _, n := range args[1:] {
				n = strings.ToLower(n)
				if i := strings.Index(n, "://"); i >= 0 {
					n = n[i+3:]
				}
				if i := strings.LastIndexByte(n, ':'); i >= 0 && name == "servername" {
					n = n[:i]
				}
				s.vh.names[sc.ctx] = append(s.vh.names[sc.ctx], n)
			}
		}
	case "rewriteengine":
		if len(args) > 1 && (s.scope() == nil || s.scope().kind == "virtualhost") {
			if s.engine == nil {
				s.engine = map[int]bool{}
			}
			s.engine[s.rewriteCtx()] = strings.EqualFold(args[1], "on")
		}
	case "rewriteoptions":
		for _, a := range args[1:] {
			if strings.HasPrefix(strings.ToLower(a), "inherit") && s.rewriteCtx() != 0 {
				s.inherit = true
			}
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
			or := false
			if len(args) > 3 {
				for _, f := range strings.Split(strings.ToUpper(strings.Trim(args[3], "[]")), ",") {
					switch strings.TrimSpace(f) {
					case "NC", "NOCASE":
						pat = "(?i)" + pat
					case "OR", "ORNEXT":
						or = true
					}
				}
			}
			if re, err := regexp.Compile(pat); err == nil {
				s.conds = append(s.conds, apacheCond{re: re, neg: neg, or: or, txt: line, where: where})
				return
			}
		}
		s.conds = append(s.conds, apacheCond{}) // another condition: the rule is not only about the method
	case "rewriterule":
		conds := s.conds
		s.conds = nil
		if len(args) < 4 || len(conds) == 0 {
			return
		}
		var txt []string
		for _, c := range conds {
			if c.re == nil {
				return // a condition on something else than the method
			}
			txt = append(txt, c.txt)
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
		pat := args[1]
		for _, f := range strings.Split(flags, ",") {
			if f == "NC" || f == "NOCASE" {
				pat = "(?i)" + pat
			}
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			return
		}
		r.addRule(ApacheMethodRule{Rule: strings.Join(txt, " ") + " " + line, Status: st, Source: conds[0].where, re: re,
			conds: conds, kind: 'r', ctx: s.rewriteCtx()})
	}
}

// addRule scopes a rule to the innermost section that names a URL space.
func (r *apacheConfReader) addRule(rule ApacheMethodRule) {
	s := &r.rules
	rule.vhost = s.inside("virtualhost")
	rule.ctx = s.rewriteCtx()
	if sc := s.scope(); sc != nil {
		rule.sec = sc.id
	}
	if sc := s.scope(); sc != nil && sc.kind != "virtualhost" {
		rule.Scope = sc.text
		rule.level = 2
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
			rule.dir = strings.TrimSuffix(arg, "/")
			rule.level, rule.depth = 1, strings.Count(rule.dir, "/") // mapped by finish
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

// group is the innermost open section other than a conditional one (<IfModule>, …).
func (s *apacheRules) group() *apacheSection {
	for i := len(s.stack) - 1; i >= 0; i-- {
		switch s.stack[i].kind {
		case "ifmodule", "ifdefine", "ifversion", "ifdirective", "iffile", "ifsection":
			continue
		}
		return &s.stack[i]
	}
	return nil
}

// rewriteCtx is the rewrite context of the innermost <VirtualHost>: 0 outside any.
func (s *apacheRules) rewriteCtx() int {
	for i := len(s.stack) - 1; i >= 0; i-- {
		if s.stack[i].kind == "virtualhost" {
			return s.stack[i].ctx
		}
	}
	return 0
}

// markAuthz notes that the current section holds a Require: a rule of Status 0 that makes the
// section the one deciding, in httpd's merge, for the paths it covers.
func (r *apacheConfReader) markAuthz(line, where string) {
	s := &r.rules
	sc := s.scope()
	switch {
	case sc == nil && s.authz, sc != nil && sc.authz:
		return
	case sc == nil:
		s.authz = true
	default:
		sc.authz = true
	}
	r.addRule(ApacheMethodRule{Rule: line, Source: where, kind: 'z'})
}

// finish drops the RewriteRules httpd does not run: those of a context without RewriteEngine
// on, and the server's when virtual hosts exist and none inherits them. It maps each <Directory>
// to the URL-path prefix it serves under the DocumentRoot (its virtual host's, else the one
// every request is served from: the server's, or the one all virtual hosts share), and drops
// the <Directory> rules outside it or when no single DocumentRoot is known.
func (s *apacheRules) finish(c *ApacheConf) {
	// The DocumentRoot of a <Directory> at server level: the one all contexts serve from; "" when
	// there are several, or a virtual host without one and no server-level one.
	roots := map[string]bool{}
	for _, root := range s.vhostRoot {
		roots[root] = true
	}
	if s.vhosts == 0 || len(s.vhostRoot) < s.vhosts {
		roots[s.docRoot] = true
	}
	shared := ""
	if len(roots) == 1 {
		for root := range roots {
			shared = root
		}
	}
	if s.vhosts > 1 {
		seen := map[string]bool{}
		for _, n := range s.vh.ordered {
			if a := s.vh.addr[n]; !seen[a] {
				seen[a] = true
				s.vh.deflt[n] = true
			}
		}
	}
	kept := c.MethodRules[:0]
	for _, rule := range c.MethodRules {
		if s.vhosts > 1 && rule.ctx != 0 {
			rule.vh = s.vh
		}
		if rule.level == 1 {
			root, ok := s.vhostRoot[rule.ctx]
			switch {
			case ok:
			case rule.ctx != 0:
				root = s.docRoot // a virtual host without a DocumentRoot has the server's
			default:
				root = shared
			}
			switch {
			case root == "":
				continue
			case strings.HasPrefix(root+"/", rule.dir+"/"):
				// the DocumentRoot or above it: every path
			case strings.HasPrefix(rule.dir, root+"/"):
				rule.prefix = strings.TrimPrefix(rule.dir, root)
			default:
				continue // not served under the DocumentRoot
			}
		}
		on, set := s.engine[rule.ctx]
		if !set {
			on = s.engine[0]
		}
		if rule.kind == 'r' && (!on || rule.ctx == 0 && s.vhosts > 0 && !s.inherit) {
			continue
		}
		kept = append(kept, rule)
	}
	c.MethodRules = kept
}

// scope is the innermost open section that sets where a rule applies (not <IfModule>, <IfDefine>,
// <RequireAll> and other sections that only group).
func (s *apacheRules) scope() *apacheSection {
	for i := len(s.stack) - 1; i >= 0; i-- {
		switch s.stack[i].kind {
		case "ifmodule", "ifdefine", "ifversion", "ifdirective", "iffile", "ifsection",
			"requireall", "requireany", "requirenone", "authzprovideralias", "limit", "limitexcept":
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
