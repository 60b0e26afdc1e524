package main

import (
	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/parsers"
)

// methodRules gives the engine what the proxies' configurations say about methods (issue 15,
// analysis/causes_more.go): the nginx locations of --nginx-conf (limit_except answers 403, a
// location without proxy_pass serves files) and the Envoy routes of --envoy-config that match on
// :method (the others get 404 NR).
func methodRules(f *inputFlags, cfg *parsers.Config, opts *analysis.Options) error {
	if cfg.NginxConf != nil {
		locs, err := cfg.NginxConf.NginxLocations()
		if err != nil {
			return usageErr("--nginx-conf: %v", err)
		}
		opts.NginxLocations = locs
	}
	if cfg.ApacheConf != nil {
		opts.ApacheRules = cfg.ApacheConf.MethodRules
		opts.ApacheRedirects = cfg.ApacheConf.Redirects
		opts.ApacheProxyPaths = cfg.ApacheConf.ProxyPaths
	}
	if f.EnvoyConfig != "" {
		routes, err := parsers.LoadEnvoyRoutes(f.EnvoyConfig)
		if err != nil {
			return usageErr("--envoy-config: %v", err)
		}
		opts.EnvoyRoutes = routes
	}
	return nil
}
