package parsers

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"
)

// Config is what the command line says about formats; Resolve applies it to each input.
type Config struct {
	Format       string            // forced format: nginx, envoy, alb or app; "" detects
	NginxFormat  string            // --nginx-format: a log_format string
	NginxConf    *NginxConf        // --nginx-conf: log_format and access_log directives
	EnvoyFormat  string            // --envoy-format: an Envoy text format string
	EnvoyLogs    []EnvoyAccessLog  // --envoy-config: access logs of an Envoy bootstrap
	AppFields    map[string]string // --app-field overrides
	ApacheFormat string            // --apache-format: an Apache LogFormat string
	ApacheConf   *ApacheConf       // --apache-conf: LogFormat and CustomLog directives
	HAProxyConf  *HAProxyConf      // --haproxy-conf: captures and the rules that answer
	// TrustedProxies are the proxy ranges skipped in X-Forwarded-For to find the original
	// client (--trusted-proxies); nil means DefaultTrustedProxies.
	TrustedProxies []netip.Prefix
	// GunicornFormat is --gunicorn-format: a gunicorn access_log_format string.
	GunicornFormat string
	// AppLayers are --app-layer names: their inputs are applications, read as format app.
	AppLayers []string
	// Lateness, when set, is raised by MergeBatches' readers to the most a record of an input
	// lies behind the newest record before it in that input (an input out of time order), as
	// soon as a reader parses it: ahead of the merge (analysis.Options.Lateness).
	Lateness *atomic.Int64
	// Zones are --tz: the time zone a layer's log times are in when its lines carry none (Gin,
	// werkzeug and Python's logging write the server's local time; the parsers read such a time
	// as UTC). Every record of the layer has its time read again in that zone (InZone).
	Zones map[string]*time.Location
	// Starts, when set, is told every input's layer and the time of its first record once
	// MergeBatches has opened them all, before it hands over the first record: the engine then
	// knows which layers a request may still be logged by (analysis.Engine.ExpectLayers).
	Starts func([]LayerStart)
}

// LayerStart is an input's layer and the time of its first record (zero when its first lines
// carry no time).
type LayerStart struct {
	Layer string
	First time.Time
}

// Formats lists the format names that Config.Format accepts.
var Formats = []string{FormatNginx, FormatEnvoy, FormatALB, FormatApp, FormatApache, FormatHAProxy, FormatCaddy, FormatTraefik, FormatIIS}

// candidate is one way to read an input.
type candidate struct {
	format string
	name   string // which variant, for messages ("nginx combined", "envoy istio")
	new    func() (Parser, error)
}

// sampleLines is how many non-blank lines detection looks at.
const sampleLines = 20

// Resolved is the parser chosen for one input.
type Resolved struct {
	Format    string
	Variant   string // e.g. "nginx log_format triage from nginx.conf", "envoy default"
	NewParser func() Parser
	// Sequential says that one parser must see every line in order (it joins lines), so the
	// input is parsed by one worker.
	Sequential bool
	// Note says what the input is when it holds no access records (Stats.Note).
	Note string
	// Zone is the input's layer's Config.Zones entry: its records' times are read in it.
	Zone *time.Location
}

// Resolve chooses the parser for an input from the configuration and the input's first lines.
func (c *Config) Resolve(path string, sample [][]byte) (*Resolved, error) {
	res, err := c.resolveWrapped(path, sample)
	if err != nil && len(sample) > 2 {
		// A first line cut short (a log rotated mid-line, tail -c) can mislead detection:
		// detect from the lines after it; the scan then rejects the broken line alone.
		if alt, err2 := c.resolveWrapped(path, sample[1:]); err2 == nil {
			res, err = alt, nil
		}
	}
	if err == nil && res.Note == "" && strings.HasSuffix(res.Variant, untimedVariant) {
		// Lines without a time of their own and no wrapper's (morgan dev, bare uvicorn): the
		// records cannot be joined by time (analysis/untimed.go pairs them by log order), and
		// nothing else would say so.
		res.Note = "its lines have no time of their own (" + strings.TrimSuffix(strings.TrimPrefix(res.Variant, "app "), untimedVariant) +
			"): analyze pairs its records with the proxy in front by their order in the log (order_match), which is weaker than a time; " +
			"log with a time (morgan 'combined', uvicorn under a container runtime or journald, kubectl logs --timestamps) for exact joins"
	}
	if err == nil && c.TrustedProxies != nil && res.NewParser != nil {
		inner, trusted := res.NewParser, newTrustSet(c.TrustedProxies)
		res.NewParser = func() Parser { return &clientParser{inner: inner(), trusted: trusted} }
	}
	return res, err
}

func (c *Config) resolveWrapped(path string, sample [][]byte) (*Resolved, error) {
	if kind := sniffWrap(sample); kind != wrapNone {
		res, err := c.resolve(path, unwrapSample(kind, sample))
		if err != nil {
			return nil, err
		}
		inner := res.NewParser
		res.NewParser = func() Parser { return &unwrapper{kind: kind, inner: inner(), max: DefaultMaxLine} }
		res.Sequential = res.Sequential || kind == wrapCRI || kind == wrapDocker // their pieces are joined in order (joinsPieces)
		res.Variant += " inside " + kind.String() + " lines"
		return res, nil
	}
	res, err := c.resolve(path, sample)
	if syslogSample(sample) && (err != nil || res.Format != FormatApp && res.Format != FormatHAProxy) {
		// Access lines sent to syslog (nginx's access_log syslog:, httpd piped to logger) come
		// back behind a prefix that application and HAProxy parsers read themselves and the
		// others do not: a lenient format matched across it reads the host as a client. Detect
		// what follows the prefix, and keep that when it reads every line.
		inner := unwrapSample(wrapSyslog, sample)
		if alt, err2 := c.resolve(path, inner); err2 == nil && parsesAll(alt, inner) {
			p := alt.NewParser
			alt.NewParser = func() Parser { return &unwrapper{kind: wrapSyslog, inner: p(), max: DefaultMaxLine} }
			alt.Variant += " inside syslog lines"
			return alt, nil
		}
	}
	return res, err
}

// parsesAll reports whether the resolved parser reads every line of the sample that is not a
// server's own (serverlog.go).
func parsesAll(res *Resolved, sample [][]byte) bool {
	p := res.NewParser()
	var rec Record
	for _, line := range sample {
		rec.Reset()
		if err := p.Parse(line, &rec); err != nil && err != ErrNotAccess && serverLogLine(line) == "" {
			return false
		}
	}
	return true
}

func (c *Config) resolve(path string, sample [][]byte) (*Resolved, error) {
	res, err := c.pick(path, sample, true)
	if err != nil && len(sample) > 0 {
		// The format a configuration file maps this file to does not fit its lines (a file
		// renamed, or the other proxy's log of the same name): detect it like any other file.
		if alt, err2 := c.pick(path, sample, false); err2 == nil {
			return alt, nil
		}
	}
	return res, err
}

func (c *Config) pick(path string, sample [][]byte, mapped bool) (*Resolved, error) {
	cands, err := c.candidates(path, sample, mapped)
	if err != nil {
		return nil, err
	}
	if len(sample) == 0 {
		// An empty input: nothing to read, so no format to claim.
		if _, err := cands[0].new(); err != nil {
			return nil, err
		}
		return &Resolved{Variant: "empty input", NewParser: mustNew(cands[0].new)}, nil
	}
	best, bestOK, bestSeq := -1, 0, false
	quiet, quietSeq := -1, false // the first candidate that reads the sample as lines of no request
	var firstErr error
	for i, cand := range cands {
		p, err := cand.new()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cand.name, err)
		}
		ok, skipped := 0, 0
		var rec Record
		for _, line := range sample {
			rec.Reset()
			if err := p.Parse(line, &rec); err == nil {
				ok++
			} else {
				if err == ErrNotAccess {
					skipped++
				}
				if firstErr == nil && i == 0 {
					firstErr = err
				}
			}
		}
		// A parser that joins lines (parsers/framework.go) reads the input in order.
		sq, isSeq := p.(interface{ Sequential() bool })
		if ok > bestOK {
			best, bestOK = i, ok
			bestSeq = isSeq && sq.Sequential()
		}
		if quiet < 0 && c.startupSample(sample, skipped) {
			quiet, quietSeq = i, isSeq && sq.Sequential()
		}
		if ok == len(sample) {
			break
		}
	}
	if quiet >= 0 && quiet < best && 2*bestOK <= len(sample) {
		// The format the lines' keys chose (jsonKind: Caddy's own start-up lines) skips every
		// sampled line, and a fallback after it reads a few as requests (Caddy's admin API
		// logs the requests it serves, without a status): the first choice stands.
		best = -1
	}
	if best < 0 {
		if kind := serverLogSample(sample); kind != "" { // serverlog.go
			format := map[string]string{"nginx error log": FormatNginx, "Apache httpd error log": FormatApache}[kind]
			if format == "" {
				format = FormatApp
			}
			if c.Format == "" || c.Format == format {
				return &Resolved{Format: format, Variant: kind, NewParser: func() Parser { return serverLog{kind} },
					Note: "it is " + serverLogNames[kind] + ", which holds no access records: its lines are skipped"}, nil
			}
		}
		if quiet >= 0 {
			// An application's (or Caddy's) start-up lines fill the sample: its access
			// records, if any, come later, and its other lines are skipped.
			cand := cands[quiet]
			res := &Resolved{Format: cand.format, Variant: cand.name, NewParser: mustNew(cand.new), Sequential: quietSeq}
			if c.Format == "" {
				res.Note = fmt.Sprintf("read as %s, though its first %d lines hold no request (start-up messages?)", cand.name, len(sample))
			}
			return res, nil
		}
		return nil, c.undetected(path, sample, cands, firstErr)
	}
	cand := cands[best]
	return &Resolved{Format: cand.format, Variant: cand.name, NewParser: mustNew(cand.new), Sequential: bestSeq}, nil
}

// startupSample reports whether a parser that read none of the sampled lines as a request but
// skipped them (ErrNotAccess: well-formed lines of no request) may still read the input: an
// application's log whose first lines are its start-up messages. They must be a logger's records
// (a level or a message key), so that JSON of other kinds is still refused: every line when the
// format is detected from JSON lines, most of them with --format (logfmt too).
func (c *Config) startupSample(sample [][]byte, skipped int) bool {
	logger := 0
	for _, line := range sample {
		if jsonLoggerLine(line) || c.Format != "" && (bytes.Contains(line, []byte("level=")) || bytes.Contains(line, []byte("msg="))) {
			logger++
		}
	}
	if c.Format != "" {
		return 2*skipped > len(sample) && 2*logger > len(sample)
	}
	return skipped == len(sample) && logger == len(sample)
}

// compileNginxFields compiles a log_format given by the user and checks that it carries the
// status or the method (formatnames.go).
func compileNginxFields(f string) (*NginxParser, error) {
	p, err := CompileNginx(f)
	if err == nil {
		err = p.CheckFields()
	}
	return p, err
}

func mustNew(f func() (Parser, error)) func() Parser {
	return func() Parser {
		p, err := f()
		if err != nil {
			panic(err) // f succeeded once during Resolve with the same arguments
		}
		return p
	}
}

func (c *Config) candidates(path string, sample [][]byte, useMap bool) ([]candidate, error) {
	// A mapping from a configuration file wins. When both configurations name the file (their
	// default log names are alike), both are tried and the lines decide.
	var mapped []candidate
	if useMap && c.NginxConf != nil && (c.Format == "" || c.Format == FormatNginx) {
		if f, name, ok := c.NginxConf.FormatFor(path); ok {
			mapped = append(mapped, candidate{FormatNginx, "nginx log_format " + name + " (from " + filepath.Base(c.NginxConf.Path) + ")",
				func() (Parser, error) { return compileNginxFields(f) }})
		}
	}
	if useMap && len(c.EnvoyLogs) > 0 && (c.Format == "" || c.Format == FormatEnvoy) {
		if _, ok, err := EnvoyParserFor(c.EnvoyLogs, path); err != nil {
			return nil, err
		} else if ok {
			logs := c.EnvoyLogs
			mapped = append(mapped, candidate{FormatEnvoy, "envoy access log format from --envoy-config", func() (Parser, error) {
				p, _, err := EnvoyParserFor(logs, path)
				return p, err
			}})
		}
	}
	if useMap && c.ApacheConf != nil && (c.Format == "" || c.Format == FormatApache) {
		if f, name, ok := c.ApacheConf.FormatFor(path); ok {
			mapped = append(mapped, candidate{FormatApache, "apache LogFormat " + name + " (from " + filepath.Base(c.ApacheConf.Path) + ")",
				func() (Parser, error) { return CompileApache(f) }})
		}
	}
	if len(mapped) > 0 {
		return mapped, nil
	}
	jsonLines := len(sample) > 0 && bytes.HasPrefix(bytes.TrimSpace(sample[0]), []byte("{"))
	var out []candidate
	add := func(format, name string, f func() (Parser, error)) {
		if c.Format == "" || c.Format == format {
			out = append(out, candidate{format, name, f})
		}
	}
	var fwFirst, fwLast []candidate
	if !jsonLines {
		// Web frameworks' default lines (parsers/framework.go): those whose file name or
		// neighbouring lines name their writer go first, before the formats of --nginx-conf and
		// --apache-conf (whose combined would read gunicorn's lines as the proxy's); the rest
		// after the proxies' formats.
		fwFirst, fwLast = c.frameworkCandidates(path, sample)
		out = append(out, fwFirst...)
	}
	if c.NginxFormat != "" {
		f := c.NginxFormat
		add(FormatNginx, "nginx --nginx-format", func() (Parser, error) { return compileNginxFields(f) })
	}
	if c.ApacheFormat != "" {
		f := c.ApacheFormat
		add(FormatApache, "apache --apache-format", func() (Parser, error) { return CompileApache(f) })
	}
	if c.ApacheConf != nil {
		names := make([]string, 0, len(c.ApacheConf.Formats))
		for name := range c.ApacheConf.Formats {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			f := c.ApacheConf.Formats[name]
			add(FormatApache, "apache LogFormat "+name, func() (Parser, error) { return CompileApache(f) })
		}
	}
	if c.EnvoyFormat != "" {
		f := c.EnvoyFormat
		add(FormatEnvoy, "envoy --envoy-format", func() (Parser, error) { return compileEnvoyLog(EnvoyAccessLog{Text: f}) })
	}
	if c.NginxConf != nil {
		// A file no access_log names (stdin, a renamed copy): try every log_format of the
		// configuration, in name order so that the choice is stable; a format without the
		// status or the method (a log of timings) reads any line, so it is not tried.
		formats := c.NginxConf.Formats()
		names := make([]string, 0, len(formats))
		for name := range formats {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			f := formats[name]
			if _, err := compileNginxFields(f); err != nil {
				continue
			}
			add(FormatNginx, "nginx log_format "+name, func() (Parser, error) { return compileNginxFields(f) })
		}
	}
	for _, l := range c.EnvoyLogs {
		l := l
		if _, err := compileEnvoyLog(l); err != nil {
			continue // a TCP proxy's log, say, of no use for HTTP lines
		}
		add(FormatEnvoy, "envoy access log format of "+l.Path, func() (Parser, error) { return compileEnvoyLog(l) })
	}
	if jsonLines {
		// Any JSON object parses as some app record, so the keys decide; the app parser is the
		// fallback for nginx or Envoy JSON whose keys were renamed.
		switch jsonKind(sample) {
		case FormatEnvoy:
			add(FormatEnvoy, "envoy JSON", func() (Parser, error) { return NewEnvoyJSON(), nil })
		case FormatNginx:
			add(FormatNginx, "nginx JSON", func() (Parser, error) { return NewNginxJSON(), nil })
		case FormatCaddy:
			add(FormatCaddy, "caddy JSON", func() (Parser, error) { return NewCaddy(), nil })
		case FormatTraefik:
			add(FormatTraefik, "traefik JSON", func() (Parser, error) { return NewTraefikJSON(), nil })
		}
		out = append(out, c.echoCandidates(sample)...) // Echo's logger: app JSON with ns latency
		add(FormatApp, "app JSON", func() (Parser, error) { return NewApp(c.AppFields) })
		if c.Format == FormatNginx {
			add(FormatNginx, "nginx JSON", func() (Parser, error) { return NewNginxJSON(), nil })
		}
		if c.Format == FormatEnvoy {
			add(FormatEnvoy, "envoy JSON", func() (Parser, error) { return NewEnvoyJSON(), nil })
		}
		if c.Format == FormatCaddy || c.Format == FormatTraefik {
			add(FormatCaddy, "caddy JSON", func() (Parser, error) { return NewCaddy(), nil })
			add(FormatTraefik, "traefik JSON", func() (Parser, error) { return NewTraefikJSON(), nil })
		}
	} else {
		if iisLike(sample) || c.Format == FormatIIS { // IIS W3C logs name their fields (parsers/iis.go)
			add(FormatIIS, "iis w3c", func() (Parser, error) { return NewIIS(), nil })
		}
		// Apache's combined lines are nginx's: a file httpd wrote says so in its path.
		apache := apachePath(path) || c.Format == FormatApache
		if apache {
			addApacheDefaults(add)
		}
		add(FormatALB, "alb", func() (Parser, error) { return NewALB(), nil })
		hc := c.HAProxyConf
		if hc != nil {
			for _, lf := range hc.LogFormats() {
				lf := lf
				add(FormatHAProxy, "haproxy log-format from "+filepath.Base(hc.Path), func() (Parser, error) { return CompileHAProxyLogFormat(lf) })
			}
		}
		add(FormatHAProxy, "haproxy httplog", func() (Parser, error) { p := NewHAProxy(); p.Conf = hc; return p, nil })
		add(FormatTraefik, "traefik common", func() (Parser, error) { return CompileTraefikCLF(), nil })
		add(FormatApache, "apache vhost_combined", func() (Parser, error) { return CompileApache(ApacheVhostCombined) })
		add(FormatEnvoy, "envoy default", func() (Parser, error) { return CompileEnvoy(EnvoyDefaultFormat) })
		add(FormatEnvoy, "envoy istio", func() (Parser, error) { return CompileEnvoy(EnvoyIstioFormat) })
		add(FormatEnvoy, "envoy istio 1.3-1.7", func() (Parser, error) { return CompileEnvoy(EnvoyIstio13Format) })
		add(FormatEnvoy, "envoy istio 1.2", func() (Parser, error) { return CompileEnvoy(EnvoyIstio12Format) })
		add(FormatEnvoy, "envoy emissary (ACCESS prefix)", func() (Parser, error) { return CompileEnvoy(EnvoyEmissaryFormat) })
		add(FormatNginx, "nginx main", func() (Parser, error) { return CompileNginx(NginxMain) })
		add(FormatNginx, "nginx combined", func() (Parser, error) { return CompileNginx(NginxCombined) })
		add(FormatNginx, "nginx upstreaminfo", func() (Parser, error) { return CompileNginx(NginxUpstreamInfo) })
		add(FormatNginx, "nginx upstreaminfo (older ingress-nginx)", func() (Parser, error) { return CompileNginx(NginxUpstreamInfoOld) })
		// Formats extended at the end: only when no exact format reads every sampled line.
		add(FormatNginx, "nginx upstreaminfo with extra fields at the end", func() (Parser, error) { return compileNginxExtended(NginxUpstreamInfo) })
		add(FormatNginx, "nginx combined with extra fields at the end", func() (Parser, error) { return compileNginxExtended(NginxCombined) })
		if c.Format == FormatApp || logfmtLike(sample) {
			add(FormatApp, "app logfmt", func() (Parser, error) { return NewApp(c.AppFields) })
		}
		out = append(out, fwLast...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no parser for --format %q: use one of %s", c.Format, strings.Join(Formats, ", "))
	}
	return out, nil
}

// jsonKind guesses from the keys of JSON lines whether they are Envoy or nginx access logs; a
// majority of the sample decides.
//
// Caddy logs its own messages with the same logger as its access lines (zap: level, ts, logger,
// msg), and a Caddy container's output starts with them (testdata/proxies/caddy-container.log):
// those of Caddy's loggers ("admin", "http", "tls", …), and those of no named logger beside
// them, do not count against Caddy.
func jsonKind(sample [][]byte) string {
	has := jsonHas
	var envoy, nginx, caddy, caddyOwn, unnamed, traefik int
	for _, line := range sample {
		switch {
		case gjson.GetBytes(line, "request.uri").Exists() && has(line, "resp_headers", "status"):
			caddy++
		case has(line, "RequestMethod", "DownstreamStatus", "OriginStatus"):
			traefik++
		case jsonLoggerLine(line):
			// a logger's record: nginx and Envoy access logs have no level
			switch zapLogger(line) {
			case "":
			case "-":
				unnamed++
			case "admin", "http", "tls", "pki", "caddy", "events":
				caddyOwn++
			}
		case has(line, "response_code", "response_flags", "upstream_host", "response_code_details", "x-envoy-origin-path", "RESPONSE_CODE"):
			envoy++
		case has(line, "remote_addr", "time_local", "upstream_status", "request_uri", "body_bytes_sent", "upstream_addr"):
			nginx++
		}
	}
	switch {
	case 2*envoy > len(sample):
		return FormatEnvoy
	case 2*nginx > len(sample):
		return FormatNginx
	case caddy > 0 && 2*caddy > len(sample)-caddyOwn-unnamed,
		caddy == 0 && caddyOwn > 0 && caddyOwn+unnamed == len(sample): // its start-up alone
		return FormatCaddy
	case 2*traefik > len(sample):
		return FormatTraefik
	}
	return FormatApp
}

// zapLogger returns the first part of the logger name of a line in the shape of zap's JSON
// encoder (a level, a numeric ts, a msg) that logs no request (no status), "-" for such a line
// of no named logger, and "" for any other line.
func zapLogger(line []byte) string {
	r := gjson.GetManyBytes(line, "level", "ts", "msg", "logger", "status")
	if !r[0].Exists() || r[1].Type != gjson.Number || r[2].Type != gjson.String || r[4].Exists() {
		return ""
	}
	if !r[3].Exists() {
		return "-"
	}
	name, _, _ := strings.Cut(r[3].String(), ".")
	return name
}

// jsonHas reports whether a JSON line has one of the keys (dotted for nested objects).
func jsonHas(line []byte, keys ...string) bool {
	for _, k := range keys {
		if gjson.GetBytes(line, gjson.Escape(k)).Exists() {
			return true
		}
	}
	return false
}

// jsonLoggerLine reports whether a line is a JSON object with a logger's level or message key.
func jsonLoggerLine(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(line), []byte("{")) && jsonHas(line, "level", "msg", "log.level", "severity", "lvl")
}

// undetected explains why no parser fits and what to do about it.
func (c *Config) undetected(path string, sample [][]byte, cands []candidate, firstErr error) error {
	line := sample[0]
	if len(line) > 160 {
		line = append(line[:157:157], "..."...)
	}
	var hint string
	switch {
	case binaryLike(sample[0]):
		hint = "it is not a text log (control or NUL bytes): check the path, or decompress it if it is not gzip"
	case c.NginxFormat != "" && cands[0].name == "nginx --nginx-format":
		hint = fmt.Sprintf("the format given with --nginx-format does not match these lines (first line: %v); check that it is the log_format that wrote this file", firstErr)
	case c.EnvoyFormat != "" && cands[0].name == "envoy --envoy-format":
		hint = fmt.Sprintf("the format given with --envoy-format does not match these lines (first line: %v); check that it is the format that wrote this file", firstErr)
	case jsonDocumentStart(sample[0]):
		hint = "it looks like a JSON document spread over several lines, not a log of one record per line: " +
			"JSON logs are read as JSON lines (jq -c '.[]' turns an array of records into them); leave the file out of the inputs if it is not a log"
	case c.Format == "" && elbLine(sample[0]) != nil:
		hint = "it looks like " + elbLine(sample[0]).Error()
	case len(cands) == 1 && cands[0].format == FormatApp && firstErr == ErrNotAccess:
		hint = "none of these lines is a request the app format knows (first error: " + firstErr.Error() +
			"): name their keys with --app-field FIELD=KEY, or leave the file out if it is not a log"
	case len(cands) == 1 && c.Format != "":
		hint = fmt.Sprintf("the %s format (--format %s) does not match these lines (first error: %v); check that --format names the format that wrote this file", cands[0].name, c.Format, firstErr)
	case len(cands) == 1:
		hint = fmt.Sprintf("the %s format does not match these lines (first error: %v); check that the configured format is the one that wrote this file", cands[0].name, firstErr)
	case bytes.Contains(sample[0], []byte("[")) && nginxTimeLike(sample[0]) && c.NginxConf != nil:
		hint = "it looks like nginx with a custom log_format, and no log_format of " + c.NginxConf.Path + " matches it: pass the format with --nginx-format 'STRING'"
	case bytes.Contains(sample[0], []byte("[")) && nginxTimeLike(sample[0]):
		hint = "it looks like nginx with a custom log_format: pass the format with --nginx-format 'STRING' or point --nginx-conf at the nginx configuration"
	case clfHint(path, sample) == FrameworkGunicorn:
		hint = "it looks like gunicorn's output with a custom access_log_format: pass that format with --gunicorn-format 'STRING'"
	case bytes.HasPrefix(sample[0], []byte("[")) || bytes.Contains(sample[0], []byte("%")):
		hint = "it looks like Envoy with a custom access log format: pass it with --envoy-format 'STRING' or --envoy-config envoy.yaml"
	case c.Format != "":
		hint = fmt.Sprintf("none of the %s variants matches; pass the exact format string (--nginx-format / --envoy-format / --apache-format) or the proxy's configuration (--nginx-conf, --envoy-config, --apache-conf, --haproxy-conf for a custom log-format)", c.Format)
	default:
		hint = "force a format with --format " + strings.Join(Formats, "|") + ", or give the format string with --nginx-format / --envoy-format / --apache-format, or the configuration with --nginx-conf / --envoy-config / --apache-conf / --haproxy-conf"
	}
	return fmt.Errorf("cannot tell the format of %s from its first lines (%q): %s", path, line, hint)
}

// jsonDocumentStart reports whether a first line opens a pretty-printed JSON document ("[", "{"):
// a saved analysis or answer key beside the logs, or a multi-line log the readers cannot take.
func jsonDocumentStart(line []byte) bool {
	t := bytes.TrimSpace(line)
	return len(t) > 0 && len(t) <= 2 && (t[0] == '[' || t[0] == '{')
}

// elbLine returns the reason an ALB reader gives for a Classic ELB, ALB connection or NLB log line,
// or nil: a user who points logtriage at those logs learns that they are not read, not which flag
// to try next.
func elbLine(line []byte) error {
	f := bytes.Fields(line)
	if len(f) < 12 {
		return nil
	}
	if err := albCheckType(f[0]); err == errALBClassic || err == errALBNLB {
		return err
	}
	return nil
}

// apachePath reports whether a log's path names Apache httpd (/var/log/apache2, httpd/). A
// relative path is read from the working directory too: "access.log" run in /var/log/apache2
// is httpd's log.
func apachePath(p string) bool {
	if p != "-" && p != "" && !filepath.IsAbs(p) {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
	}
	p = strings.ToLower(filepath.ToSlash(p))
	return strings.Contains(p, "apache") || strings.Contains(p, "httpd")
}

// addApacheDefaults adds Apache's predefined formats, most specific first.
func addApacheDefaults(add func(format, name string, f func() (Parser, error))) {
	add(FormatApache, "apache vhost_combined", func() (Parser, error) { return CompileApache(ApacheVhostCombined) })
	add(FormatApache, "apache combined", func() (Parser, error) { return CompileApache(ApacheCombined) })
	add(FormatApache, "apache common", func() (Parser, error) { return CompileApache(ApacheCommon) })
	add(FormatApache, "apache combined with extra fields at the end", func() (Parser, error) {
		p, err := CompileApache(ApacheCombined)
		if err == nil {
			p.trailing = true
		}
		return p, err
	})
}

// logfmtLike reports whether the first line starts with key=value, as logfmt and its CRI or
// timestamp-prefixed variants do not (those are handled by the app parser's own unwrapping).
func logfmtLike(sample [][]byte) bool {
	if len(sample) == 0 {
		return false
	}
	line := sample[0]
	i := 0
	for i < len(line) && (line[i] == '_' || line[i] == '.' || line[i] == '-' || line[i] == '@' ||
		'a' <= line[i] && line[i] <= 'z' || 'A' <= line[i] && line[i] <= 'Z' || '0' <= line[i] && line[i] <= '9') {
		i++
	}
	if i > 0 && i < len(line) && line[i] == '=' {
		return true
	}
	// CRI: "<RFC3339Nano> stdout F key=value …"
	if sp := bytes.IndexByte(line, ' '); sp > 0 {
		if _, ok := parseISOTime(line[:sp]); ok {
			return true
		}
	}
	return false
}

// binaryLike reports whether a line has bytes no text log holds: NUL and other control
// characters besides tab.
func binaryLike(line []byte) bool {
	bad := 0
	for _, c := range line {
		if c < 0x20 && c != '\t' || c == 0x7f {
			bad++
		}
	}
	return bad > 0 && bad*20 >= len(line) || bytes.IndexByte(line, 0) >= 0
}

func nginxTimeLike(b []byte) bool {
	i := bytes.IndexByte(b, '[')
	if i < 0 || len(b) < i+27 {
		return false
	}
	_, ok := parseNginxTime(b[i+1 : i+27])
	return ok
}

// Sample returns up to n non-blank lines from the start of br without consuming them.
func Sample(br *bufio.Reader, n int) [][]byte {
	// What the buffer can hold is read ahead only as far as the n lines need: a gzip stream is
	// decompressed a window at a time, and reading a directory of ALB objects probes every one.
	// The lines are those of the whole buffer's first n, whatever the step they are found at.
	for size := min(samplePeek, br.Size()); ; size = min(4*size, br.Size()) {
		buf, _ := br.Peek(size)
		all := len(buf) < size || size == br.Size() // the end of the input, or the whole buffer
		if out := sampleOf(buf, n, all); all || len(out) == n {
			return out
		}
	}
}

// samplePeek is how far Sample reads ahead first (then four times as far, up to the buffer).
const samplePeek = 16 << 10

// sampleOf returns up to n non-blank lines of buf; the last line of buf counts without its
// newline only when all is set (buf holds everything there is to look at). The lines of a
// server's own log (serverlog.go: an ingress-nginx pod starts with its controller's banner and
// klog lines) are passed over while other lines follow, so that the access lines decide the
// format; an input of nothing else gets its first n.
func sampleOf(buf []byte, n int, all bool) [][]byte {
	var out, server [][]byte
	for len(buf) > 0 && len(out) < n {
		var line []byte
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			line, buf = buf[:i], buf[i+1:]
		} else if all {
			line, buf = buf, nil
		} else {
			break
		}
		line = bytes.TrimRight(line, "\r")
		switch {
		case isBlank(line):
		case asideInSample(line):
			if len(server) < n {
				server = append(server, line)
			}
		default:
			out = append(out, line)
		}
	}
	if len(out) == 0 && all {
		return server
	}
	return out
}

// asideInSample reports whether a line of a server's own log is passed over by the sample: not
// gunicorn's, whose lines tell that the Common Log Format lines beside them are the
// application's (framework_detect.go).
func asideInSample(line []byte) bool {
	k := serverLogLine(sampleInner(line))
	return k != "" && k != "gunicorn error log"
}

// sampleInner is what a line holds inside a container runtime's wrapper (CRI, Docker's json-file
// log), or the line itself.
func sampleInner(line []byte) []byte {
	if inner, _, _, err := unwrapCRI(line); err == nil {
		return inner
	}
	if inner, _, ok := dockerLog(line); ok {
		return bytes.TrimRight(jsonUnescape(nil, inner), "\r\n")
	}
	return line
}
