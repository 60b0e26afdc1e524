package parsers

import (
	"bytes"
	"path/filepath"
	"strings"
	"time"
)

// Detection of the web frameworks' default lines (parsers/framework.go).
//
// Most framework lines have a shape of their own (gin, uvicorn, werkzeug, Django, chi, morgan's
// dev/short/tiny, Rails, ASP.NET Core) and are detected from the sample alone. The Common and
// Combined Log Format lines of gunicorn, morgan and Tomcat are byte for byte what nginx and
// Apache write, so they are an application's only when something says so: the file name
// (gunicorn*.log, express*.log, morgan*.log, localhost_access_log.*), gunicorn's own error log
// lines in the same stream ("[INFO] Booting worker with pid: 8"), Node's IPv4-mapped client
// addresses (::ffff:10.0.0.7), --format app, or --gunicorn-format. A file name that also names a
// proxy (edge-gunicorn.log, nginx-express.log) is the proxy's.

// frameworkCandidates returns the framework parsers to try for a text input: first, those tried
// before the proxies' formats (a gunicorn format string, or a CLF writer named by the file or the
// sample); last, the one tried after them.
func (c *Config) frameworkCandidates(path string, sample [][]byte) (first, last []candidate) {
	if c.Format != "" && c.Format != FormatApp {
		return nil, nil
	}
	hint := clfHint(path, sample)
	if c.GunicornFormat != "" {
		f := c.GunicornFormat
		first = append(first, candidate{FormatApp, "app gunicorn --gunicorn-format", func() (Parser, error) {
			return NewGunicorn(f)
		}})
	}
	if hint != "" && clfSample(sample) {
		first = append(first, candidate{FormatApp, "app " + hint + " (common/combined log format, named by " + hintSource(path, hint) + ")",
			func() (Parser, error) { return NewFramework(hint), nil }})
	}
	clf := ""
	if c.Format == FormatApp {
		clf = FrameworkCLF
		if hint != "" {
			clf = hint
		}
	}
	last = append(last, c.echoCandidates(sample)...) // after a banner line that is not JSON
	last = append(last, candidate{FormatApp, "app " + sniffFramework(sample), func() (Parser, error) {
		return NewFramework(clf), nil
	}})
	return first, last
}

// forLayer returns the configuration for an input of the given layer: an --app-layer is read as
// format app (its Combined Log Format lines are then the app's, named "clf" unless the file or
// the lines name the framework).
func (c *Config) forLayer(layer string) *Config {
	if layer == "" || c.Format == FormatApp {
		return c
	}
	for _, l := range c.AppLayers {
		if l == layer {
			app := *c
			app.Format = FormatApp
			return &app
		}
	}
	return c
}

// clfHint names the framework that wrote an input's Common/Combined Log Format lines, from the
// file name or the sample's other lines; "" when nothing tells.
func clfHint(path string, sample [][]byte) string {
	if h := clfHintName(path); h != "" {
		return h
	}
	for _, l := range sample {
		switch {
		case bytes.Contains(l, []byte("] [INFO] Booting worker with pid: ")),
			bytes.Contains(l, []byte("] [INFO] Starting gunicorn ")):
			return FrameworkGunicorn
		case bytes.HasPrefix(l, []byte("::ffff:")):
			return FrameworkMorgan // Node's dual-stack sockets log IPv4 clients so
		}
	}
	return ""
}

// clfSample reports whether a sampled line has a Common Log Format time ("[24/Nov/2026:10:00:00 +0000]").
func clfSample(sample [][]byte) bool {
	for _, l := range sample {
		if nginxTimeLike(l) {
			return true
		}
	}
	return false
}

func clfHintName(path string) string {
	base := strings.ToLower(filepath.Base(path))
	for _, proxy := range []string{"nginx", "edge", "proxy", "apache", "httpd", "ingress", "haproxy", "traefik", "caddy", "envoy", "alb", "elb"} {
		if strings.Contains(base, proxy) {
			return "" // a proxy's log named after the app behind it (edge-gunicorn.log)
		}
	}
	switch {
	case strings.Contains(base, "gunicorn"):
		return FrameworkGunicorn
	case strings.Contains(base, "morgan"), strings.Contains(base, "express"):
		return FrameworkMorgan
	case strings.Contains(base, "tomcat"), strings.HasPrefix(base, "localhost_access_log"):
		return FrameworkTomcat
	}
	return ""
}

func hintSource(path, hint string) string {
	if clfHintName(path) == hint {
		return "the file name"
	}
	return "its other lines"
}

// sniffFramework names the framework most of the sample's lines come from, for messages.
func sniffFramework(sample [][]byte) string {
	p := NewFramework("")
	counts := map[string]int{}
	best, bestN := "", 0
	timed := false
	var rec Record
	for _, l := range sample {
		rec.Reset()
		if p.Parse(l, &rec) == nil && rec.Framework != "" {
			timed = timed || !rec.Time.IsZero()
			counts[rec.Framework]++
			if n := counts[rec.Framework]; n > bestN {
				best, bestN = rec.Framework, n
			}
		}
	}
	if best == "" {
		return "framework lines"
	}
	if !timed {
		// uvicorn, morgan dev/short/tiny, ASP.NET Core: a container runtime's or journald's
		// time stands in when the lines are wrapped; otherwise the records have no time.
		return best + untimedVariant
	}
	return best
}

// untimedVariant ends the variant of an input whose lines have no time.
const untimedVariant = " (no time of its own in the lines)"

// echoCandidates returns the Echo logger's parser when the sample's JSON has its keys.
func (c *Config) echoCandidates(sample [][]byte) []candidate {
	if c.Format != "" && c.Format != FormatApp {
		return nil
	}
	n := 0
	for _, l := range sample {
		if bytes.Contains(l, []byte(`"latency_human":`)) && bytes.Contains(l, []byte(`"bytes_out":`)) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	fields := c.AppFields
	return []candidate{{FormatApp, "app echo", func() (Parser, error) {
		app, err := NewApp(fields)
		if err != nil {
			return nil, err
		}
		return &EchoParser{app: app}, nil
	}}}
}

// EchoParser reads Echo's default JSON request logger (middleware.Logger). Its lines have a
// fixed key order (middleware.DefaultLoggerConfig.Format), which a direct scan reads; a line in
// another shape (a custom Format) goes to the app JSON parser. "latency" is in nanoseconds.
type EchoParser struct{ app *AppParser }

// echoKeys are the keys of Echo's default format, in order.
var echoKeys = [...]string{`{"time":`, `,"id":`, `,"remote_ip":`, `,"host":`, `,"method":`, `,"uri":`,
	`,"user_agent":`, `,"status":`, `,"error":`, `,"latency":`, `,"latency_human":`, `,"bytes_in":`, `,"bytes_out":`}

var echoKeyBytes = func() (out [len(echoKeys)][]byte) {
	for i, k := range echoKeys {
		out[i] = []byte(k)
	}
	return out
}()

const (
	echoTime = iota
	echoID
	echoRemoteIP
	echoHost
	echoMethod
	echoURI
	echoUserAgent
	echoStatus
	echoError
	echoLatency
	echoLatencyHuman
	echoBytesIn
	echoBytesOut
)

// Parse implements Parser.
func (e *EchoParser) Parse(line []byte, rec *Record) error {
	line = bytes.TrimSpace(line)
	if len(line) > 0 && line[0] != '{' {
		return ErrNotAccess // Echo's start-up banner ("⇨ http server started on …")
	}
	if e.direct(line, rec) {
		return nil
	}
	rec.Reset()
	if err := e.app.Parse(line, rec); err != nil {
		return err
	}
	if !bytes.Contains(line, []byte(`"latency_human":`)) {
		return nil // another JSON line of the same program
	}
	rec.Framework = FrameworkEcho
	if i := bytes.Index(line, []byte(`"latency":`)); i >= 0 {
		if ns, ok := parseInt(echoNumber(line[i+10:])); ok {
			rec.Duration = time.Duration(ns)
			if !rec.Time.IsZero() {
				rec.Start = rec.Time.Add(-rec.Duration)
			}
		}
	}
	return nil
}

// direct reads a line of Echo's default format by its keys' order; false when the line has
// another shape or an escaped value.
func (e *EchoParser) direct(line []byte, rec *Record) bool {
	if !bytes.HasSuffix(line, []byte("}")) || bytes.IndexByte(line, '\\') >= 0 {
		return false
	}
	e.app.a.reset()
	var v [len(echoKeys)][]byte
	pos := 0
	for i, k := range echoKeyBytes {
		if !bytes.HasPrefix(line[pos:], k) {
			return false
		}
		pos += len(k)
		if pos < len(line) && line[pos] == '"' {
			end := bytes.IndexByte(line[pos+1:], '"') // no escapes: checked above
			if end < 0 {
				return false
			}
			v[i] = line[pos+1 : pos+1+end]
			pos += end + 2
			continue
		}
		j := pos
		for j < len(line) && (line[j] >= '0' && line[j] <= '9' || line[j] == '-' || line[j] == '.') {
			j++
		}
		v[i], pos = line[pos:j], j
	}
	if pos != len(line)-1 {
		return false
	}
	st, ok := parseInt(v[echoStatus])
	if !ok || st < 100 || st > 999 || !upperWord(v[echoMethod]) {
		return false
	}
	rec.Status = st
	rec.Method = bstr(v[echoMethod])
	setURI(rec, v[echoURI])
	if len(v[echoHost]) > 0 {
		rec.Host = bstr(stripDefaultPort(v[echoHost]))
	}
	rec.Time, _ = parseISOTime(v[echoTime])
	setClient(rec, v[echoRemoteIP])
	rec.Peer = rec.ClientIP
	if len(v[echoUserAgent]) > 0 {
		rec.UserAgent = bstr(v[echoUserAgent])
	}
	if ns, ok := parseInt(v[echoLatency]); ok {
		rec.Duration = time.Duration(ns)
		if !rec.Time.IsZero() {
			rec.Start = rec.Time.Add(-rec.Duration)
		}
	}
	if n, ok := parseInt(v[echoBytesOut]); ok {
		rec.BytesSent = int64(n)
	}
	if len(v[echoID]) > 0 {
		rec.IDs.setRequestID(v[echoID], &e.app.a) // X-Request-ID, from the request or the response
	}
	rec.Local = LocalYes
	rec.Framework = FrameworkEcho
	return true
}

// echoNumber returns the digits b starts with.
func echoNumber(b []byte) []byte {
	j := 0
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	return b[:j]
}
