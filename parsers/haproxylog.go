package parsers

import (
	"bytes"
	"fmt"
	"strings"
)

// HAProxy custom log-format strings (docs: haproxy/haproxy, doc/configuration.txt, "Custom
// log format"), compiled like Apache's to the nginx matcher's steps. The default "option
// httplog" lines are read by HAProxyParser (haproxy.go), which also handles the optional
// captured-header blocks; a custom format says exactly what each line holds.

// HAProxyLogFormatParser reads lines of one custom log-format, with or without a syslog header.
type HAProxyLogFormatParser struct{ inner *NginxParser }

// Parse implements Parser: the line as written, else what follows the syslog tag ("haproxy[pid]: ").
func (p *HAProxyLogFormatParser) Parse(line []byte, rec *Record) error {
	err := p.inner.Parse(line, rec)
	if err == nil || err == ErrBlank {
		return err
	}
	if i := bytes.Index(line, []byte("]: ")); i >= 0 {
		rec.Reset()
		if p.inner.Parse(line[i+3:], rec) == nil {
			return nil
		}
	}
	return err
}

// CompileHAProxyLogFormat compiles a log-format string (as written in haproxy.cfg, without its
// outer quotes).
func CompileHAProxyLogFormat(logFormat string) (*HAProxyLogFormatParser, error) {
	p, err := compileHAProxySteps(logFormat)
	if err != nil {
		return nil, err
	}
	return &HAProxyLogFormatParser{inner: p}, nil
}

func compileHAProxySteps(logFormat string) (*NginxParser, error) {
	f, err := haproxyToSteps(logFormat)
	if err != nil {
		return nil, err
	}
	p, err := CompileNginx(f)
	if err != nil {
		return nil, fmt.Errorf("haproxy log-format: %w", err)
	}
	p.Format, p.format = logFormat, FormatHAProxy
	for i := range p.steps {
		s := &p.steps[i]
		if syn, ok := haproxySynthetic[s.name]; ok && s.isVar {
			s.kind, s.class = syn.kind, syn.class
		}
		// Names, numbers, timers and states hold no space, '/' or ']': the first such
		// separator ends them, which saves trying every later one. (Not ':': IPv6 clients.)
		if s.isVar && i+1 < len(p.steps) && !p.steps[i+1].isVar && haproxyNoSep[s.name] {
			switch p.steps[i+1].lit[0] {
			case ' ', '/', ']':
				s.once = true
			}
		}
	}
	return p, nil
}

var haproxyNoSep = map[string]bool{
	"haproxy_token": true, "haproxy_ms": true, "haproxy_term": true, "haproxy_server": true,
	"haproxy_time": true, "remote_addr": true, "proxy_upstream_name": true, "status": true,
	"body_bytes_sent": true, "http_x_request_id": true, "request_method": true, "msec": true,
}

var haproxySynthetic = map[string]struct {
	kind  nginxKind
	class nginxClass
}{
	"haproxy_time":   {nginxHATime, nginxToken},
	"haproxy_term":   {nginxHATerm, nginxToken},
	"haproxy_capt":   {nginxHACapt, nginxAnyValue},
	"haproxy_server": {nginxBackend, nginxToken},
	"haproxy_ms":     {nginxMillis, nginxToken},
	"haproxy_token":  {nginxSkip, nginxToken},
	"haproxy_any":    {nginxSkip, nginxAnyValue},
}

// haproxyToSteps rewrites a log-format as an nginx-style format.
func haproxyToSteps(f string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '\\' && i+1 < len(f):
			i++
			b.WriteByte(f[i]) // "\ " is a space, "\"" a quote
			continue
		case c != '%':
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(f) {
			return "", fmt.Errorf("haproxy log-format: lone %% at the end")
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		quoted := false
		if f[i] == '{' {
			end := strings.IndexByte(f[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("haproxy log-format: unterminated %%{ at byte %d", i)
			}
			quoted = strings.Contains(f[i+1:i+end], "+Q")
			i += end + 1
		}
		if i < len(f) && f[i] == '[' { // a sample expression: %[req.hdr(host)]
			end := strings.IndexByte(f[i:], ']')
			if end < 0 {
				return "", fmt.Errorf("haproxy log-format: unterminated %%[ at byte %d", i)
			}
			v := haproxySampleVar(f[i+1 : i+end])
			i += end
			haproxyWrite(&b, v, quoted)
			continue
		}
		j := i
		for j < len(f) && ('a' <= f[j] && f[j] <= 'z' || 'A' <= f[j] && f[j] <= 'Z') {
			j++
		}
		name := f[i:j]
		i = j - 1
		v, ok := haproxyVars[name]
		if !ok {
			v = "haproxy_any"
		}
		haproxyWrite(&b, v, quoted)
	}
	return b.String(), nil
}

func haproxyWrite(b *strings.Builder, v string, quoted bool) {
	if quoted {
		b.WriteByte('"')
	}
	b.WriteString("${" + v + "}")
	if quoted {
		b.WriteByte('"')
	}
}

// haproxyVars maps log-format variables to the nginx-style variable with the same meaning.
var haproxyVars = map[string]string{
	"ci": "remote_addr", "cp": "haproxy_token", "t": "haproxy_time", "tr": "haproxy_time",
	"ft": "haproxy_token", "f": "haproxy_token", "b": "proxy_upstream_name", "s": "haproxy_server",
	"TR": "haproxy_token", "Tw": "haproxy_token", "Tc": "haproxy_token", "Tr": "haproxy_token",
	"Ta": "haproxy_ms", "Tt": "haproxy_ms", "Tq": "haproxy_token", "Th": "haproxy_token", "Ti": "haproxy_token",
	"ST": "status", "B": "body_bytes_sent", "U": "haproxy_token", "CC": "haproxy_token", "CS": "haproxy_token",
	"tsc": "haproxy_term", "ts": "haproxy_term", "ac": "haproxy_token", "fc": "haproxy_token", "bc": "haproxy_token",
	"sc": "haproxy_token", "rc": "haproxy_token", "sq": "haproxy_token", "bq": "haproxy_token",
	"hr": "haproxy_capt", "hrl": "haproxy_capt", "hs": "haproxy_any", "hsl": "haproxy_any",
	"r": "request", "HM": "request_method", "HU": "request_uri", "HP": "uri", "HV": "server_protocol",
	"ID": "http_x_request_id", "H": "haproxy_token", "pid": "haproxy_token", "fi": "haproxy_token",
	"fp": "haproxy_token", "bi": "haproxy_token", "bp": "haproxy_token", "si": "haproxy_token", "sp": "haproxy_token",
	"Ts": "msec", "ms": "haproxy_token", "rt": "haproxy_token", "lc": "haproxy_token", "sslc": "haproxy_token",
	"sslv": "haproxy_token",
}

// haproxySampleVar maps a sample expression to a variable: request headers by name, else any.
func haproxySampleVar(expr string) string {
	e := strings.ToLower(strings.TrimSpace(expr))
	if i := strings.IndexByte(e, ','); i >= 0 {
		e = e[:i] // converters
	}
	for _, pre := range []string{"req.hdr(", "req.fhdr(", "hdr("} {
		if strings.HasPrefix(e, pre) && strings.HasSuffix(e, ")") {
			if n := apacheHeaderVar(e[len(pre) : len(e)-1]); n != "" {
				return "http_" + n
			}
		}
	}
	if e == "unique-id" {
		return "http_x_request_id"
	}
	return "haproxy_any"
}

// finishHAProxy settles who answered a custom-format line: <NOSRV>, the termination state.
func (p *NginxParser) finishHAProxy(rec *Record) {
	st := &p.st
	if len(st.capt) > 0 {
		haproxyCaptures(rec, bytes.Trim(st.capt, "{}"), nil, &p.arena)
	}
	if !rec.Start.IsZero() && rec.Time.IsZero() && rec.Duration >= 0 {
		rec.Time = rec.Start.Add(rec.Duration)
	}
	term := st.term
	if len(term) == 4 {
		p.note("termination ")
		p.det = append(p.det, term...)
	}
	if !st.sawBackend {
		return
	}
	if bytes.Equal(st.backend, []byte("<NOSRV>")) {
		rec.UpstreamAddr = ""
		rec.Local = LocalYes
		rec.Upstream = rec.upstreamBuf[:0]
		if len(term) == 4 {
			p.note(haproxyNoServerWhy(term))
		} else {
			p.note("no server: HAProxy answered itself")
		}
		return
	}
	if len(st.backend) > 0 {
		rec.Local = LocalNo
		if rec.Status > 0 {
			rec.AppendUpstream(rec.Status)
		}
	}
}
