package main

import (
	"context"
	"fmt"
	"github.com/logtriage/logtriage/analysis/contract"
	"github.com/logtriage/logtriage/analysis/report"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/logtriage/logtriage/analysis/probe"
)

type probeCmd struct {
	URLs []string `arg:"" name:"URL" help:"URLs to probe. With --env, paths (/api/orders/42) or URLs whose path is probed under every environment."`

	Env             []string      `help:"An environment to compare, NAME=BASE-URL (repeatable): --env staging=https://staging.example.com --env prod=https://api.example.com." placeholder:"NAME=URL"`
	Methods         string        `help:"Safe methods to send, in order." default:"OPTIONS,HEAD,GET" placeholder:"LIST"`
	UnsafeMethods   string        `name:"unsafe-methods" help:"Also send these methods that may change data (PUT,POST,PATCH,DELETE): never sent otherwise. No request body is sent." placeholder:"LIST"`
	Origin          string        `help:"Origin for CORS: sent with every request, and with --preflight-method as a preflight." placeholder:"ORIGIN"`
	PreflightMethod string        `name:"preflight-method" help:"Send a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) for this method." placeholder:"METHOD"`
	Header          []string      `short:"H" sep:"none" help:"Extra request header, 'Name: value' (repeatable), e.g. an Authorization header." placeholder:"HEADER"`
	Timeout         time.Duration `help:"Timeout of each request." default:"10s"`
	Insecure        bool          `help:"Do not verify TLS certificates."`
	FollowRedirects bool          `name:"follow-redirects" help:"Follow redirects instead of reporting them."`
	OpenAPI         string        `name:"openapi" help:"OpenAPI spec: compare each URL's answers with the methods it documents." type:"existingfile" placeholder:"FILE"`
	Output          string        `short:"o" help:"Output format: text, markdown or json." enum:"text,markdown,json" default:"text"`
}

func (c *probeCmd) Run(s *streams) error {
	if c.Timeout <= 0 { // probe.Run would take it for the default, 10s, without a word
		return usageErr("--timeout %s: give how long to wait for each answer, more than 0 (10s by default)", c.Timeout)
	}
	opts := probe.Options{Timeout: c.Timeout, Insecure: c.Insecure, FollowRedirects: c.FollowRedirects,
		Origin: c.Origin, PreflightMethod: c.PreflightMethod, Headers: http.Header{}}
	for _, m := range probeSplit(c.Methods) {
		if !probe.IsSafe(m) {
			return usageErr("--methods %s: %s may change data; name it in --unsafe-methods to send it", c.Methods, m)
		}
		opts.Methods = append(opts.Methods, m)
	}
	if unsafe := probeSplit(c.UnsafeMethods); len(unsafe) > 0 {
		opts.Unsafe = true
		opts.Methods = append(opts.Methods, unsafe...)
	}
	for _, m := range append(opts.Methods, strings.ToUpper(c.PreflightMethod)) {
		if m != "" && !isToken(m) { // each request would fail without being sent
			return usageErr("%q is not an HTTP method (letters, digits and !#$%%&'*+-.^_`|~)", m)
		}
	}
	if len(opts.Methods) == 0 && c.PreflightMethod == "" {
		return usageErr("no method to send (--methods is empty)")
	}
	if c.PreflightMethod != "" && c.Origin == "" {
		return usageErr("--preflight-method needs --origin (the page's origin, e.g. https://app.example.com)")
	}
	if c.Origin != "" {
		if u, err := url.Parse(c.Origin); err != nil || u.Scheme == "" || u.Host == "" {
			return usageErr("--origin %q: want scheme://host[:port]", c.Origin)
		}
	}
	for _, h := range c.Header {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return usageErr("--header %q: want 'Name: value'", h)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		// What HTTP cannot carry is refused here: Go would refuse every request instead, and the
		// run would say that no request got an answer though none was sent.
		if !isToken(k) {
			return usageErr("--header %q: %q is not a header name (letters, digits and !#$%%&'*+-.^_`|~)", h, k)
		}
		if strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			return usageErr("--header %q: the value holds a control character, which a header cannot carry", h)
		}
		opts.Headers.Add(k, v)
	}
	if c.OpenAPI != "" {
		doc, err := contract.Load(c.OpenAPI)
		if err != nil {
			return usageErr("--openapi: %v", err)
		}
		opts.Spec = contract.NewSpec(doc)
	}
	targets, err := c.targets()
	if err != nil {
		return err
	}
	rep, err := probe.Run(context.Background(), targets, opts)
	if err != nil {
		return usageErr("%v", err)
	}
	if err := writeReport(s.out, c.Output, rep, rep.WriteJSON, report.ProbeMarkdown, report.ProbeText); err != nil {
		return err
	}
	switch {
	case rep.Failed():
		return &exitError{exitFindings, fmt.Errorf("probe: problems, contract differences or drift found (exit 5)")}
	case rep.Errors == len(targets)*probeChecks(&opts):
		return &exitError{exitFatal, fmt.Errorf("probe: no request got an answer")}
	case rep.Errors > 0:
		return &exitError{exitPartial, fmt.Errorf("probe: %s no answer", counted(int64(rep.Errors), "request got", "requests got"))}
	}
	return nil
}

func probeChecks(o *probe.Options) int {
	n := len(o.Methods)
	if o.PreflightMethod != "" {
		n++
	}
	return n
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2): a method or a header name.
func isToken(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
	})
}

func probeSplit(s string) []string {
	var out []string
	for _, m := range strings.Split(s, ",") {
		if m = strings.ToUpper(strings.TrimSpace(m)); m != "" {
			out = append(out, m)
		}
	}
	return out
}

// targets expands the URLs, under every --env base URL when given.
func (c *probeCmd) targets() ([]probe.Target, error) {
	type env struct{ name, base string }
	var envs []env
	for _, e := range c.Env {
		name, base, ok := strings.Cut(e, "=")
		u, err := url.Parse(base)
		if !ok || name == "" || err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return nil, usageErr("--env %q: want NAME=http(s)://host[/base]", e)
		}
		for _, o := range envs {
			if o.name == name { // two columns of one name: one environment would hide the other
				return nil, usageErr("--env %s is given twice (%s and %s): give each environment a name of its own", name, o.base, strings.TrimRight(base, "/"))
			}
		}
		envs = append(envs, env{name, strings.TrimRight(base, "/")})
	}
	var out []probe.Target
	for _, raw := range c.URLs {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, usageErr("%q: %v", raw, err)
		}
		if len(envs) == 0 {
			if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
				return nil, usageErr("%q: want an http(s) URL (or a path with --env)", raw)
			}
			out = append(out, probe.Target{URL: raw, Path: u.RequestURI()})
			continue
		}
		path := u.RequestURI()
		if u.Host == "" && !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		for _, e := range envs {
			out = append(out, probe.Target{Env: e.name, URL: e.base + path, Path: path})
		}
	}
	return out, nil
}
