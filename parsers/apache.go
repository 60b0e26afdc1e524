package parsers

import (
	"bytes"
	"fmt"
	"strings"
)

// Apache httpd access logs. A LogFormat string is translated into the step list the nginx
// matcher runs (nginx.go): both are fields between literals, and the fields mean the same
// things (%h is $remote_addr, %{X-Request-ID}i is $http_x_request_id, %>s is $status), so one
// matcher, one failure wording and one set of record rules serve both. Values are escaped the
// way mod_log_config does: \" \\ and C escapes, \xHH for other bytes.
//
// Whether httpd answered a 405 itself shows only where the format logs it: %R, the handler that
// generated the response ("proxy-server" for mod_proxy, anything else is httpd's own), or a
// balancer worker (%{BALANCER_WORKER_NAME}e). Plain common/combined lines carry no such evidence.

// Predefined Apache formats (docs: httpd.apache.org, mod_log_config; Debian's apache2.conf logs
// %O, the bytes sent with headers, where upstream's combined logs %b).
const (
	ApacheCommon   = `%h %l %u %t "%r" %>s %b`
	ApacheCombined = `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`
	// ApacheDebianCombined is Debian's and Ubuntu's "combined".
	ApacheDebianCombined = `%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`
	// ApacheVhostCombined is Debian's "vhost_combined", the format of other_vhosts_access.log.
	ApacheVhostCombined = `%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`
)

// apacheSynthetic gives the kind of the variables Apache has and nginx does not.
var apacheSynthetic = map[string]struct {
	kind  nginxKind
	class nginxClass
}{
	"apache_usec":    {nginxMicros, nginxDigits},
	"apache_msec":    {nginxMillis, nginxDigits},
	"apache_handler": {nginxHandler, nginxToken},
	"apache_backend": {nginxBackend, nginxToken},
	"apache_skip":    {nginxSkip, nginxAnyValue},
	"apache_token":   {nginxSkip, nginxToken},
	"apache_digits":  {nginxSkip, nginxDigits},
}

// CompileApache compiles an Apache LogFormat string (as written in the configuration, with its
// quotes already unescaped) into a parser.
func CompileApache(logFormat string) (*NginxParser, error) {
	f, err := apacheToSteps(logFormat)
	if err != nil {
		return nil, err
	}
	p, err := CompileNginx(f)
	if err != nil {
		return nil, fmt.Errorf("apache format: %w", err)
	}
	p.Format, p.format, p.escape = logFormat, FormatApache, nginxEscApache
	for i := range p.steps {
		s := &p.steps[i]
		if syn, ok := apacheSynthetic[s.name]; ok && s.isVar {
			s.kind, s.class = syn.kind, syn.class
		}
	}
	return p, nil
}

// apacheToSteps rewrites a LogFormat as an nginx-style format over the same variables.
func apacheToSteps(f string) (string, error) {
	var b strings.Builder
	hasFinal := strings.Contains(f, "%>s")
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c == '$' {
			b.WriteByte(c) // nginx reads "$name" as a variable; a literal "$" before a name is not supported
			continue
		}
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(f) {
			return "", fmt.Errorf("apache format: lone %% at the end")
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		// Modifiers: status conditions (%400,501{…}i, %!200…), '<' '>' (original/final request).
		final := false
		for i < len(f) && (f[i] == '!' || f[i] == ',' || f[i] == '<' || f[i] == '>' || '0' <= f[i] && f[i] <= '9') {
			if f[i] == '>' {
				final = true
			}
			i++
		}
		arg := ""
		if i < len(f) && f[i] == '{' {
			end := strings.IndexByte(f[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("apache format: unterminated %%{ at byte %d", i)
			}
			arg = f[i+1 : i+end]
			i += end + 1
		}
		if i >= len(f) {
			return "", fmt.Errorf("apache format: %%{%s} without a directive letter", arg)
		}
		b.WriteString(apacheVar(f[i], arg, final, hasFinal))
	}
	return b.String(), nil
}

// apacheVar returns the nginx-style variable for one % directive.
func apacheVar(d byte, arg string, final, hasFinal bool) string {
	switch d {
	case 'h', 'a':
		if arg == "c" {
			return "${realip_remote_addr}" // %{c}a: the peer, when mod_remoteip rewrote %a
		}
		return "${remote_addr}"
	case 'l', 'u':
		return "${apache_skip}"
	case 't':
		switch arg {
		case "":
			return "[${time_local}]"
		case "sec", "begin:sec", "end:sec":
			return "${msec}"
		}
		return "${apache_skip}"
	case 'r':
		return "${request}"
	case 'm':
		return "${request_method}"
	case 'U':
		return "${uri}"
	case 'q':
		return "${apache_skip}"
	case 'H':
		return "${server_protocol}"
	case 's':
		if final || !hasFinal {
			return "${status}"
		}
		return "${apache_digits}" // %s beside %>s: the original request's status, before redirects
	case 'b', 'B':
		return "${body_bytes_sent}"
	case 'O', 'I', 'S', 'k', 'P', 'X':
		return "${apache_token}"
	case 'D':
		return "${apache_usec}"
	case 'T':
		switch arg {
		case "ms":
			return "${apache_msec}"
		case "us":
			return "${apache_usec}"
		}
		return "${request_time}"
	case 'v', 'V':
		return "${server_name}"
	case 'p':
		return "${apache_token}"
	case 'R':
		return "${apache_handler}"
	case 'L':
		return "${apache_token}"
	case 'i':
		if n := apacheHeaderVar(arg); n != "" {
			return "${http_" + n + "}"
		}
	case 'o':
		if n := apacheHeaderVar(arg); n != "" {
			return "${sent_http_" + n + "}"
		}
	case 'e', 'n':
		switch strings.ToUpper(arg) {
		case "BALANCER_WORKER_NAME":
			return "${apache_backend}"
		case "UNIQUE_ID":
			return "${request_id}"
		}
	}
	return "${apache_skip}"
}

// apacheHeaderVar turns a header name into the suffix of nginx's $http_ variables.
func apacheHeaderVar(h string) string {
	var b strings.Builder
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_':
			b.WriteByte(c)
		case c == '-':
			b.WriteByte('_')
		default:
			return ""
		}
	}
	return b.String()
}

// apacheUnescape decodes mod_log_config's escapes: \" \\ \n \r \t \b \v \f and \xHH. Anything
// else is kept as written.
func apacheUnescape(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 >= len(v) {
			dst = append(dst, c)
			continue
		}
		switch v[i+1] {
		case '"', '\\':
			dst = append(dst, v[i+1])
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'b':
			dst = append(dst, '\b')
		case 'v':
			dst = append(dst, '\v')
		case 'f':
			dst = append(dst, '\f')
		case 'x':
			if i+3 < len(v) {
				h, ok1 := nginxHex(v[i+2])
				l, ok2 := nginxHex(v[i+3])
				if ok1 && ok2 {
					dst = append(dst, h<<4|l)
					i += 3
					continue
				}
			}
			dst = append(dst, c)
			continue
		default:
			dst = append(dst, c)
			continue
		}
		i++
	}
	return dst
}

// finishApache settles who answered from the handler or the balancer worker, where logged.
func (p *NginxParser) finishApache(rec *Record) {
	st := &p.st
	switch {
	case st.sawBackend && len(st.backend) > 0:
		rec.Local = LocalNo
		p.note("balancer worker ")
		p.det = append(p.det, nginxClip(st.backend)...)
	case st.sawBackend:
		rec.Local = LocalYes
		p.note("no balancer worker: httpd answered itself")
	}
	if !st.sawHandler || st.sawBackend && len(st.backend) > 0 {
		return
	}
	if len(st.handler) == 0 {
		// No handler: httpd refused before any content handler ran (a mod_rewrite [R=405], an
		// access rule) or served the file itself.
		rec.Local = LocalYes
		p.note("no handler (%R \"-\"): httpd answered itself")
		return
	}
	p.note("handler ")
	p.det = append(p.det, nginxClip(st.handler)...)
	if bytes.HasPrefix(st.handler, []byte("proxy")) {
		// mod_proxy relayed the backend's answer; a 502/503/504 may be httpd's own (no backend).
		if rec.Status < 502 || rec.Status > 504 {
			rec.Local = LocalNo
		}
		return
	}
	rec.Local = LocalYes
	p.det = append(p.det, ": httpd answered itself (no proxy handler)"...)
}
