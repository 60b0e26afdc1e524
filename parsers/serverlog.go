package parsers

import (
	"bytes"
	"errors"
	"strings"
)

// The servers' own logs beside their access logs: nginx's error log, Apache httpd's error log and
// gunicorn's error log hold no access records. A directory such as /var/log/nginx holds both
// kinds, and a container's output (docker logs, CRI files) interleaves them, so their lines are
// recognised by shape and skipped (Stats.Skipped), never rejected; an input that holds nothing
// else is read as such a log, with a note, instead of failing detection. Shapes, from lines the
// servers wrote on this project's machine (parsers/testdata/serverlogs):
//
//	nginx 1.22     2026/12/01 23:55:07 [error] 29053#29053: *2 open() "…" failed (2: …), client: …
//	httpd 2.4      [Tue Dec 01 23:55:22.448414 2026] [mpm_event:notice] [pid 29180:tid 29180] AH00489: …
//	httpd 2.2      [Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] …
//	httpd starting AH00558: httpd: Could not reliably determine the server's fully qualified domain name, …
//	gunicorn       [2026-11-24 10:00:00 +0000] [7] [INFO] Starting gunicorn 21.2.0
//
// and the controller's own lines in an ingress-nginx pod's output, beside nginx's access and
// error lines: Kubernetes' klog header (Lmmdd hh:mm:ss.uuuuuu threadid file:line]) and the
// start-up banner.
//
//	klog           I0306 22:56:26.243886       8 main.go:227] Creating API client for https://10.0.0.1:443
//	banner         NGINX Ingress controller / "  Release:       v1.6.4" / a line of dashes
//
// The official nginx image writes its entrypoint's lines before nginx's own (docker logs, kubectl
// logs of any nginx container); they are counted with its error log:
//
//	entrypoint     /docker-entrypoint.sh: Configuration complete; ready for start up
//	               10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf
//
// HAProxy's own lines on its stderr, before and beside an access log sent to stdout:
//
//	haproxy        [NOTICE]   (1) : haproxy version is 2.8.3-86e043a / [WARNING]  (1) : config : …
//
// An Envoy container's output (kubectl logs … -c istio-proxy) interleaves the access log with
// Envoy's own log and, in Istio, its agent's:
//
//	envoy          [2026-11-24 10:00:00.300][20][info][main] [source/server/server.cc:430] initializing epoch 0
//	istio-agent    2026-11-24T10:00:00.000000Z<TAB>info<TAB>Version 1.20.0-…-Clean

// serverLogLine names the server log a line belongs to ("nginx error log", …), or "".
func serverLogLine(b []byte) string {
	switch {
	case nginxErrorLine(b) || entrypointLine(b):
		return "nginx error log"
	case apacheErrorLine(b) || httpdStartLine(b):
		return "Apache httpd error log"
	case gunicornErrorLine(b):
		return "gunicorn error log"
	case klogLine(b) || ingressBanner(b):
		return "Kubernetes controller log"
	case envoyLogLine(b) || istioAgentLine(b):
		return "Envoy log"
	case haproxyOwnLine(b):
		return "HAProxy log"
	}
	return ""
}

// haproxyOwnLine: what HAProxy writes to stderr about itself, the first lines of an HAProxy
// container's output: "[NOTICE]   (1) : haproxy version is 2.8.3", "[WARNING]  (1) : config : …",
// "[ALERT]    (1) : …".
func haproxyOwnLine(b []byte) bool {
	if len(b) < 12 || b[0] != '[' {
		return false
	}
	i := bytes.IndexByte(b, ']')
	if i < 0 || i > 8 {
		return false
	}
	switch string(b[1:i]) {
	case "NOTICE", "WARNING", "ALERT", "DIAG":
	default:
		return false
	}
	i++
	for i < len(b) && b[i] == ' ' {
		i++
	}
	if i >= len(b) || b[i] != '(' {
		return false
	}
	j := i + 1
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	return j > i+1 && strings.HasPrefix(string(b[j:]), ") : ")
}

// envoyLogLine: Envoy's own log, "[YYYY-MM-DD HH:MM:SS.mmm][thread][level][logger] ".
func envoyLogLine(b []byte) bool {
	if len(b) < 36 || b[0] != '[' || !digitsAt(b, 1, 4) || b[5] != '-' || !digitsAt(b, 6, 2) || b[8] != '-' ||
		!digitsAt(b, 9, 2) || b[11] != ' ' || !digitsAt(b, 12, 2) || b[14] != ':' || !digitsAt(b, 15, 2) || b[17] != ':' ||
		!digitsAt(b, 18, 2) || b[20] != '.' || !digitsAt(b, 21, 3) || b[24] != ']' || b[25] != '[' {
		return false
	}
	i := 26
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == 26 || i+1 >= len(b) || b[i] != ']' || b[i+1] != '[' {
		return false
	}
	j := i + 2
	k := j
	for k < len(b) && k-j < 9 && b[k] != ']' {
		k++
	}
	if k+1 >= len(b) || b[k] != ']' || b[k+1] != '[' {
		return false
	}
	switch string(b[j:k]) {
	case "trace", "debug", "info", "warning", "error", "critical":
		return true
	}
	return false
}

// istioAgentLine: Istio's agent (pilot-agent), "YYYY-MM-DDTHH:MM:SS.uuuuuuZ<TAB>level<TAB>".
func istioAgentLine(b []byte) bool {
	if len(b) < 27 || !digitsAt(b, 0, 4) || b[4] != '-' || !digitsAt(b, 5, 2) || b[7] != '-' || !digitsAt(b, 8, 2) ||
		b[10] != 'T' || !digitsAt(b, 11, 2) || b[13] != ':' || !digitsAt(b, 14, 2) || b[16] != ':' || !digitsAt(b, 17, 2) {
		return false
	}
	i := 19
	if b[i] == '.' {
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i+1 >= len(b) || b[i] != 'Z' || b[i+1] != '\t' {
		return false
	}
	j := i + 2
	k := j
	for k < len(b) && k-j < 6 && b[k] != '\t' {
		k++
	}
	if k >= len(b) || b[k] != '\t' {
		return false
	}
	switch string(b[j:k]) {
	case "debug", "info", "warn", "error", "fatal":
		return true
	}
	return false
}

// entrypointLine: "/docker-entrypoint.sh: …", or a /docker-entrypoint.d script's "NN-name.sh: …"
// (or ".envsh").
func entrypointLine(b []byte) bool {
	if strings.HasPrefix(string(b), "/docker-entrypoint.sh: ") {
		return true
	}
	if len(b) < 8 || !digitsAt(b, 0, 2) || b[2] != '-' {
		return false
	}
	for i, c := range b {
		switch {
		case c == ':':
			name := string(b[:i])
			return i+1 < len(b) && b[i+1] == ' ' && (strings.HasSuffix(name, ".sh") || strings.HasSuffix(name, ".envsh"))
		case c == ' ' || i > 80:
			return false
		}
	}
	return false
}

// klogLine: "Lmmdd hh:mm:ss.uuuuuu threadid file:line] " (L is I, W, E or F).
func klogLine(b []byte) bool {
	if len(b) < 30 || (b[0] != 'I' && b[0] != 'W' && b[0] != 'E' && b[0] != 'F') || !digitsAt(b, 1, 4) || b[5] != ' ' ||
		!digitsAt(b, 6, 2) || b[8] != ':' || !digitsAt(b, 9, 2) || b[11] != ':' || !digitsAt(b, 12, 2) || b[14] != '.' ||
		!digitsAt(b, 15, 6) || b[21] != ' ' {
		return false
	}
	i := 21
	for i < len(b) && b[i] == ' ' {
		i++
	}
	n := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
		n++
	}
	if n == 0 || i >= len(b) || b[i] != ' ' {
		return false
	}
	// file:line] with a file name of no spaces
	for j := i + 1; j < len(b) && j < i+200; j++ {
		switch c := b[j]; {
		case c == ']':
			k := j - 1
			for k > i && b[k] >= '0' && b[k] <= '9' {
				k--
			}
			return k < j-1 && b[k] == ':' && k > i+1
		case c == ' ':
			return false
		}
	}
	return false
}

// ingressBanner: the lines ingress-nginx writes first ("NGINX Ingress controller", its release,
// build, repository and nginx version, between lines of dashes).
func ingressBanner(b []byte) bool {
	s := string(b)
	switch {
	case s == "NGINX Ingress controller":
		return true
	case len(s) >= 20 && strings.Trim(s, "-") == "":
		return true
	}
	for _, k := range []string{"  Release:", "  Build:", "  Repository:", "  nginx version:"} {
		if strings.HasPrefix(s, k) {
			return true
		}
	}
	return false
}

// logLevel reports whether b is a severity nginx or httpd writes (lower case).
func logLevel(b []byte) bool {
	switch string(b) {
	case "debug", "info", "notice", "warn", "error", "crit", "alert", "emerg":
		return true
	}
	return false
}

// gunicornLevel reports whether b is a severity gunicorn writes (upper case).
func gunicornLevel(b []byte) bool {
	switch string(b) {
	case "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL":
		return true
	}
	return false
}

// digitsAt reports whether b[i:i+n] are ASCII digits.
func digitsAt(b []byte, i, n int) bool {
	if i+n > len(b) {
		return false
	}
	for _, c := range b[i : i+n] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// nginxErrorLine: "YYYY/MM/DD HH:MM:SS [level] PID#TID: ".
func nginxErrorLine(b []byte) bool {
	if len(b) < 29 || !digitsAt(b, 0, 4) || b[4] != '/' || !digitsAt(b, 5, 2) || b[7] != '/' || !digitsAt(b, 8, 2) ||
		b[10] != ' ' || !digitsAt(b, 11, 2) || b[13] != ':' || !digitsAt(b, 14, 2) || b[16] != ':' || !digitsAt(b, 17, 2) ||
		b[19] != ' ' || b[20] != '[' {
		return false
	}
	i := 21
	j := i
	for j < len(b) && j-i < 8 && b[j] != ']' {
		j++
	}
	if j >= len(b) || b[j] != ']' || !logLevel(b[i:j]) || j+1 >= len(b) || b[j+1] != ' ' {
		return false
	}
	k := j + 2
	n := 0
	for k < len(b) && b[k] >= '0' && b[k] <= '9' {
		k++
		n++
	}
	if n == 0 || k >= len(b) || b[k] != '#' {
		return false
	}
	k++
	n = 0
	for k < len(b) && b[k] >= '0' && b[k] <= '9' {
		k++
		n++
	}
	return n > 0 && k < len(b) && b[k] == ':'
}

// httpdStartLine: what httpd writes to stderr before its error log is open, without the error
// log's header, as the first lines of an httpd container's output (docker logs, kubectl logs):
// "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, …".
func httpdStartLine(b []byte) bool {
	return len(b) > 9 && b[0] == 'A' && b[1] == 'H' && digitsAt(b, 2, 5) && b[7] == ':' && b[8] == ' '
}

var weekdays = [...]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// apacheErrorLine: "[Www Mmm DD HH:MM:SS(.uuuuuu) YYYY] [module:level] " or "… [level] ".
func apacheErrorLine(b []byte) bool {
	if len(b) < 30 || b[0] != '[' || b[4] != ' ' || b[8] != ' ' || b[11] != ' ' || b[14] != ':' || b[17] != ':' {
		return false
	}
	day := false
	for _, w := range weekdays {
		day = day || string(b[1:4]) == w
	}
	if !day || !monthName(b[5:8]) || !digitsAt(b, 9, 2) && !(b[9] == ' ' && digitsAt(b, 10, 1)) ||
		!digitsAt(b, 12, 2) || !digitsAt(b, 15, 2) || !digitsAt(b, 18, 2) {
		return false
	}
	i := 20
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if !(i+7 <= len(b) && b[i] == ' ' && digitsAt(b, i+1, 4) && b[i+5] == ']' && b[i+6] == ' ') {
		return false
	}
	i += 7
	if i >= len(b) || b[i] != '[' {
		return false
	}
	j := i + 1
	for j < len(b) && j-i < 40 && b[j] != ']' {
		j++
	}
	if j >= len(b) || b[j] != ']' {
		return false
	}
	level := b[i+1 : j]
	for k := len(level) - 1; k >= 0; k-- {
		if level[k] == ':' {
			level = level[k+1:]
			break
		}
	}
	return logLevel(level) || len(level) > 5 && string(level[:5]) == "trace" && digitsAt(level, 5, 1)
}

// monthName reports whether b is an English month abbreviation.
func monthName(b []byte) bool {
	switch string(b) {
	case "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec":
		return true
	}
	return false
}

// gunicornErrorLine: "[YYYY-MM-DD HH:MM:SS ±HHMM] [PID] [LEVEL] ".
func gunicornErrorLine(b []byte) bool {
	if len(b) < 31 || b[0] != '[' || !digitsAt(b, 1, 4) || b[5] != '-' || !digitsAt(b, 6, 2) || b[8] != '-' ||
		!digitsAt(b, 9, 2) || b[11] != ' ' || !digitsAt(b, 12, 2) || b[14] != ':' || !digitsAt(b, 15, 2) ||
		b[17] != ':' || !digitsAt(b, 18, 2) || b[20] != ' ' || (b[21] != '+' && b[21] != '-') || !digitsAt(b, 22, 4) ||
		b[26] != ']' || b[27] != ' ' || b[28] != '[' {
		return false
	}
	i := 29
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == 29 || i+2 >= len(b) || b[i] != ']' || b[i+1] != ' ' || b[i+2] != '[' {
		return false
	}
	j := i + 3
	k := j
	for k < len(b) && k-j < 9 && b[k] != ']' {
		k++
	}
	return k < len(b) && b[k] == ']' && gunicornLevel(b[j:k])
}

// serverLog is the parser of an input that holds a server's own log only: its lines are
// skipped, and any other line is rejected with the reason.
type serverLog struct{ kind string }

var errNotServerLog = errors.New("not a line of the server log this input starts as (detection saw nothing else in its first 256 KiB): if access records follow, give their format with --format")

func (p serverLog) Parse(line []byte, rec *Record) error {
	if serverLogLine(line) != "" {
		return ErrNotAccess
	}
	return errNotServerLog
}

// serverLogSample returns the kind of server log every line of the sample belongs to, or "".
func serverLogSample(sample [][]byte) string {
	kind := ""
	for _, line := range sample {
		k := serverLogLine(line)
		if k == "" || kind != "" && k != kind {
			return ""
		}
		kind = k
	}
	return kind
}

// serverLogNames are the kinds of serverLogLine with their article, for messages.
var serverLogNames = map[string]string{
	"nginx error log":           "an nginx error log",
	"Apache httpd error log":    "an Apache httpd error log",
	"gunicorn error log":        "a gunicorn error log",
	"Kubernetes controller log": "a Kubernetes controller's log (klog)",
	"Envoy log":                 "the log of Envoy or Istio's agent",
	"HAProxy log":               "HAProxy's own log",
}
