package parsers

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/logtriage/logtriage/internal/limits"
)

// NginxLocation is one location block of an nginx configuration, with what the method causes
// need (analysis/causes_more.go): its limit_except rule and whether it proxies.
type NginxLocation struct {
	// Modifier is "", "=", "^~", "~" or "~*"; Path the prefix, exact path or regular expression.
	Modifier, Path string
	// LimitExcept lists the methods a limit_except block allows (GET implies HEAD, as in nginx);
	// nil when the location has none. LimitStatus is what the others get: 403 with deny, 401
	// with auth_basic.
	LimitExcept []string
	LimitStatus int
	// Upstream is true when the location (or a nested one) hands requests to a backend:
	// proxy_pass, fastcgi_pass, uwsgi_pass, scgi_pass, grpc_pass, memcached_pass.
	Upstream bool
	// Fallback is the URI a try_files falls back to when no file matches ("/index.html", a
	// named location "@app"); empty when the location has none (try_files … =404 included).
	Fallback string
	// Internal is true when the location (or a nested one) may hand a request to another
	// location: rewrite, error_page.
	Internal bool
	// Redirect is the path a "return 301|302|303 URL" of the location itself sends clients to
	// (the URL's path, when it is literal: "/api/v2/orders", "https://$host/x" gives "/x"); the
	// access log has no Location, so it tells where a redirected POST went as a GET.
	Redirect string
	// Returns is true when the location (or an if or a nested location in it) answers some
	// requests itself with return.
	Returns bool
	Source  string // file:line of the location (the file's base name)
	re      *regexp.Regexp
}

// Pattern is the location as written: "= /healthz", "/api/", "~ ^/x".
func (l *NginxLocation) Pattern() string {
	if l.Modifier == "" {
		return l.Path
	}
	return l.Modifier + " " + l.Path
}

// Allows reports whether the location's limit_except lets the method through.
func (l *NginxLocation) Allows(method string) bool {
	if l.LimitExcept == nil {
		return true
	}
	for _, m := range l.LimitExcept {
		if m == method {
			return true
		}
	}
	return false
}

func (l *NginxLocation) matches(path string) bool {
	switch l.Modifier {
	case "=":
		return path == l.Path
	case "~", "~*":
		return l.re != nil && l.re.MatchString(path)
	}
	return strings.HasPrefix(path, l.Path)
}

// SelectNginxLocation picks the location nginx would use for path, as ngx_http_core_find_location
// does for a single server: an exact match; else the longest prefix, used at once with ^~; else
// the first regular expression that matches, in configuration order; else the longest prefix.
// Locations of every server block are considered together. nil when none matches.
func SelectNginxLocation(locs []NginxLocation, path string) *NginxLocation {
	var best *NginxLocation
	for i := range locs {
		l := &locs[i]
		if l.Modifier == "=" && l.matches(path) {
			return l
		}
		if (l.Modifier == "" || l.Modifier == "^~") && l.matches(path) && (best == nil || len(l.Path) > len(best.Path)) {
			best = l
		}
	}
	if best != nil && best.Modifier == "^~" {
		return best
	}
	for i := range locs {
		if l := &locs[i]; (l.Modifier == "~" || l.Modifier == "~*") && l.matches(path) {
			return l
		}
	}
	return best
}

// NginxLocations reads the location blocks of the configuration's files (those LoadNginxConf
// read, includes followed).
func (c *NginxConf) NginxLocations() ([]NginxLocation, error) {
	var out []NginxLocation
	for _, f := range c.Files {
		data, err := limits.ReadFile(f, limits.ConfigBytes)
		if err != nil {
			return nil, err
		}
		locs, err := parseNginxLocations(f, string(data))
		if err != nil {
			return nil, err
		}
		out = append(out, locs...)
	}
	return out, nil
}

// parseNginxLocations collects the location blocks of one configuration file.
func parseNginxLocations(file, src string) ([]NginxLocation, error) {
	t := nginxConfLexer{src: src, line: 1}
	type block struct {
		name string
		loc  int // index in out of the innermost enclosing location; -1 outside
	}
	var stack []block
	var out []NginxLocation
	cur := func() int {
		if len(stack) == 0 {
			return -1
		}
		return stack[len(stack)-1].loc
	}
	for {
		start := t.pos
		args, line, err := t.directive()
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, t.line, err)
		}
		if args == nil {
			return out, nil
		}
		opened := t.pos > 0 && t.src[t.pos-1] == '{'
		if len(args) == 0 {
			if t.pos > start && t.src[t.pos-1] == '}' && len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		li := cur()
		switch args[0] {
		case "location":
			if !opened || len(args) < 2 {
				break
			}
			l := NginxLocation{Path: args[1], Source: fmt.Sprintf("%s:%d", filepath.Base(file), line)}
			if len(args) >= 3 {
				l.Modifier, l.Path = args[1], args[2]
			}
			switch l.Modifier {
			case "~":
				l.re, _ = regexp.Compile(l.Path)
			case "~*":
				l.re, _ = regexp.Compile("(?i)" + l.Path)
			}
			out = append(out, l)
			stack = append(stack, block{"location", len(out) - 1})
			continue
		case "limit_except":
			if li >= 0 && opened {
				var m []string
				for _, a := range args[1:] {
					a = strings.ToUpper(a)
					m = append(m, a)
					if a == "GET" {
						m = append(m, "HEAD")
					}
				}
				out[li].LimitExcept, out[li].LimitStatus = m, 403
				stack = append(stack, block{"limit_except", li})
				continue
			}
		case "auth_basic":
			if li >= 0 && len(stack) > 0 && stack[len(stack)-1].name == "limit_except" && len(args) > 1 && args[1] != "off" {
				out[li].LimitStatus = 401
			}
		case "try_files":
			if last := args[len(args)-1]; li >= 0 && len(args) > 2 && (strings.HasPrefix(last, "/") || strings.HasPrefix(last, "@")) && !strings.Contains(last, "$") {
				out[li].Fallback = last
			}
		case "proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass":
			for _, b := range stack {
				if b.name == "location" && b.loc >= 0 {
					out[b.loc].Upstream = true
				}
			}
		case "return":
			for _, b := range stack {
				if b.name == "location" && b.loc >= 0 {
					out[b.loc].Returns = true
				}
			}
			if li >= 0 && len(args) >= 3 && len(stack) > 0 && stack[len(stack)-1].name == "location" {
				switch args[1] {
				case "301", "302", "303":
					out[li].Redirect = redirectPath(args[2])
				}
			}
		case "rewrite", "error_page":
			for _, b := range stack {
				if b.name == "location" && b.loc >= 0 {
					out[b.loc].Internal = true
				}
			}
		}
		if opened {
			stack = append(stack, block{args[0], li})
		}
	}
}

// redirectPath is the path of a return's URL when it is literal ("/x", "https://$host/x" give
// "/x"); "" when it holds variables ($request_uri, $1) or no path.
func redirectPath(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return ""
		}
		u = rest[j:]
	}
	if q := strings.IndexAny(u, "?#"); q >= 0 {
		u = u[:q]
	}
	if !strings.HasPrefix(u, "/") || strings.Contains(u, "$") {
		return ""
	}
	return u
}
