package parsers

import (
	"strconv"
	"strings"
)

// ApacheRedirect is a mod_alias redirect with a URL-path: "Redirect permanent /api/v1/orders
// /api/v2/orders". httpd's access log has no Location, so the directive tells where a redirected
// POST went (as a GET, after a 301 or 302).
type ApacheRedirect struct {
	From   string // the URL-path, matched on whole segments
	To     string // the target URL's path
	Status int
	Source string // file:line
}

// apacheRedirect reads Redirect [status] URL-path URL, RedirectPermanent and RedirectTemp.
func apacheRedirect(args []string, where string) (ApacheRedirect, bool) {
	rd := ApacheRedirect{Status: 302, Source: where}
	rest := args[1:]
	switch strings.ToLower(args[0]) {
	case "redirectpermanent":
		rd.Status = 301
	case "redirect":
		if len(rest) == 3 {
			switch w := strings.ToLower(rest[0]); w {
			case "permanent":
				rd.Status = 301
			case "temp":
				rd.Status = 302
			case "seeother":
				rd.Status = 303
			default:
				n, err := strconv.Atoi(w)
				if err != nil || n < 300 || n > 399 {
					return rd, false // gone, or a status without a target
				}
				rd.Status = n
			}
			rest = rest[1:]
		}
	}
	if len(rest) != 2 || !strings.HasPrefix(rest[0], "/") {
		return rd, false // inside <Location> (no URL-path), or gone
	}
	rd.From, rd.To = rest[0], redirectPath(rest[1])
	return rd, rd.To != ""
}

// ApacheRedirectTarget is where the first Redirect matching p sends it (its To plus the rest of
// p, as mod_alias does), or "".
func ApacheRedirectTarget(rs []ApacheRedirect, p string) string {
	for _, rd := range rs {
		switch {
		case p == rd.From:
			return rd.To
		case strings.HasSuffix(rd.From, "/") && strings.HasPrefix(p, rd.From),
			strings.HasPrefix(p, rd.From+"/"):
			return rd.To + p[len(rd.From):]
		}
	}
	return ""
}

// ApacheProxyPath is the URL-path of a ProxyPass: httpd hands requests under it to a backend
// (mod_proxy), so an answer for them is the backend's unless a method rule refused first.
type ApacheProxyPath struct {
	Path    string
	Exclude bool // ProxyPass /path ! keeps the path local
	Source  string
}

// proxyPath reads "ProxyPass /path URL [key=value …]", "ProxyPass /path !" and, inside
// <Location /path>, "ProxyPass URL".
func (s *apacheRules) proxyPath(args []string, where string) (ApacheProxyPath, bool) {
	pp := ApacheProxyPath{Source: where}
	sc := s.scope()
	switch {
	case sc == nil || sc.kind == "virtualhost":
		if len(args) < 3 || !strings.HasPrefix(args[1], "/") {
			return pp, false
		}
		pp.Path, pp.Exclude = args[1], args[2] == "!"
	case sc.kind == "location" && len(sc.args) == 1 && strings.HasPrefix(sc.args[0], "/") && len(args) >= 2:
		pp.Path, pp.Exclude = sc.args[0], args[1] == "!"
	default:
		return pp, false // <LocationMatch>, <Location ~ …>: not mapped
	}
	return pp, true
}

// ApacheProxied reports whether the first ProxyPass whose URL-path prefixes p hands it to a
// backend (and no exclusion before it keeps it local).
func ApacheProxied(ps []ApacheProxyPath, p string) bool {
	for _, pp := range ps {
		if strings.HasPrefix(p, pp.Path) {
			return !pp.Exclude
		}
	}
	return false
}
