package parsers

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/logtriage/logtriage/internal/limits"
)

// EnvoyRoute is one route of an Envoy route configuration: its path match and, when it matches
// on the :method header, the methods it accepts. A request whose path matches only routes whose
// :method match fails gets Envoy's 404 with flag NR (route_not_found): a method rejection that is
// not a 405 (analysis/causes_more.go).
type EnvoyRoute struct {
	Match   string   // "prefix /api/", "path /x", "safe_regex ^/x$"
	Methods []string // nil: any method
	Source  string   // file:line (the file's base name)
	kind    string
	pattern string
	re      *regexp.Regexp
}

func (r *EnvoyRoute) matches(path string) bool {
	switch r.kind {
	case "path":
		return path == r.pattern
	case "safe_regex":
		return r.re != nil && r.re.MatchString(path)
	case "path_separated_prefix":
		return path == r.pattern || strings.HasPrefix(path, r.pattern+"/")
	}
	return strings.HasPrefix(path, r.pattern)
}

func (r *EnvoyRoute) accepts(method string) bool {
	if r.Methods == nil {
		return true
	}
	for _, m := range r.Methods {
		if m == method {
			return true
		}
	}
	return false
}

// EnvoyMethodRoute returns a route whose path matches but whose :method match refuses method,
// when no route that matches the path accepts it; nil otherwise.
func EnvoyMethodRoute(routes []EnvoyRoute, path, method string) *EnvoyRoute {
	var refusing *EnvoyRoute
	for i := range routes {
		r := &routes[i]
		if !r.matches(path) {
			continue
		}
		if r.accepts(method) {
			return nil
		}
		if refusing == nil {
			refusing = r
		}
	}
	return refusing
}

// LoadEnvoyRoutes reads the routes of every route configuration in an Envoy YAML (or JSON)
// bootstrap: any "routes" sequence whose entries have a "match".
func LoadEnvoyRoutes(path string) ([]EnvoyRoute, error) {
	data, err := limits.ReadFile(path, limits.ConfigBytes)
	if err != nil {
		return nil, err
	}
	doc, err := limits.UnmarshalYAML(data) // the walk follows aliases: bound their expansion
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []EnvoyRoute
	envoyWalkRoutes(doc, path, &out, 0)
	return out, nil
}

func envoyWalkRoutes(n *yaml.Node, file string, out *[]EnvoyRoute, depth int) {
	n = envoyDeref(n)
	if n == nil || depth > 100 {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			envoyWalkRoutes(c, file, out, depth+1)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], envoyDeref(n.Content[i+1])
			if k.Value == "routes" && v != nil && v.Kind == yaml.SequenceNode {
				for _, e := range v.Content {
					if r, ok := envoyRouteEntry(envoyDeref(e), file); ok {
						*out = append(*out, r)
					}
				}
				continue
			}
			envoyWalkRoutes(v, file, out, depth+1)
		}
	}
}

func envoyRouteEntry(e *yaml.Node, file string) (EnvoyRoute, bool) {
	m := envoyDeref(envoyGet(e, "match"))
	if m == nil || m.Kind != yaml.MappingNode {
		return EnvoyRoute{}, false
	}
	r := EnvoyRoute{Source: fmt.Sprintf("%s:%d", filepath.Base(file), e.Line)}
	for _, k := range []string{"path", "prefix", "path_separated_prefix"} {
		if s, ok := envoyScalar(envoyGet(m, k)); ok {
			r.kind, r.pattern = k, s
			break
		}
	}
	if r.kind == "" {
		if s, ok := envoyScalar(envoyGet(envoyGet(m, "safe_regex"), "regex")); ok {
			r.kind, r.pattern = "safe_regex", s
			r.re, _ = regexp.Compile("^(?:" + s + ")$")
		}
	}
	if r.kind == "" {
		return EnvoyRoute{}, false
	}
	r.Match = r.kind + " " + r.pattern
	hs := envoyDeref(envoyGet(m, "headers"))
	if hs != nil && hs.Kind == yaml.SequenceNode {
		for _, h := range hs.Content {
			h = envoyDeref(h)
			if name, _ := envoyScalar(envoyGet(h, "name")); name != ":method" {
				continue
			}
			if inv, _ := envoyScalar(envoyGet(h, "invert_match")); inv == "true" {
				continue // "any method but": not modelled
			}
			if s, ok := envoyScalar(envoyGet(h, "exact_match")); ok {
				r.Methods = append(r.Methods, s)
			}
			sm := envoyGet(h, "string_match")
			if s, ok := envoyScalar(envoyGet(sm, "exact")); ok {
				r.Methods = append(r.Methods, s)
			}
			for _, re := range []*yaml.Node{envoyGet(envoyGet(h, "safe_regex_match"), "regex"), envoyGet(envoyGet(sm, "safe_regex"), "regex")} {
				if s, ok := envoyScalar(re); ok {
					// ^(GET|HEAD)$ and GET|HEAD: the alternatives that are plain tokens.
					for _, m := range strings.Split(strings.Trim(s, "^$()"), "|") {
						if m != "" && strings.Trim(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
							r.Methods = append(r.Methods, m)
						}
					}
				}
			}
		}
	}
	return r, true
}
