package parsers

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Web frameworks' default log lines (docs/frameworks.md): the access line each framework or
// application server writes without any logging configuration, and the warning or error line
// it writes when it rejects a request's method. Real lines of each are kept in
// testdata/frameworks/ (README.md there names the versions).
//
// All of them are read by one parser, FrameworkParser, because an application's output mixes
// them: Django's runserver writes its access lines and django.request's warnings to the same
// stream, gunicorn its error log and access log, ASP.NET Core a category line and a message line
// per event. The parser keeps a little state between lines (Rails' Started line until its
// Completed line, ASP.NET Core's category line, the last error line about a method), so one
// parser reads an input from start to end (Sequential).

// Framework names, as they appear in Record.Framework.
const (
	FrameworkGunicorn = "gunicorn"
	FrameworkUvicorn  = "uvicorn"
	FrameworkWerkzeug = "werkzeug" // Flask's development server
	FrameworkDjango   = "django"
	FrameworkMorgan   = "morgan" // Express
	FrameworkGin      = "gin"
	FrameworkEcho     = "echo"
	FrameworkChi      = "chi"
	FrameworkRails    = "rails"
	FrameworkASPNET   = "aspnetcore"
	FrameworkSpring   = "spring"
	FrameworkTomcat   = "tomcat"
	FrameworkLaravel  = "laravel"
	// FrameworkCLF names Common/Combined Log Format lines forced to the app format (--format app)
	// whose writer neither the file name nor the neighbouring lines tell.
	FrameworkCLF = "clf"
)

// errorLineReach is how many lines after an error line about a method its access line may
// come and still get the error's evidence.
const errorLineReach = 20

var (
	errFwGin      = errors.New(`gin line: expected "[GIN] yyyy/mm/dd - hh:mm:ss | status | latency | client | METHOD "path""`)
	errFwUvicorn  = errors.New(`uvicorn access line: expected 'LEVEL: client:port - "METHOD target HTTP/x" status phrase'`)
	errFwWerkzeug = errors.New(`werkzeug line: expected 'client - - [dd/Mon/yyyy hh:mm:ss] "request" status size'`)
	errFwDjango   = errors.New(`django runserver line: expected '[dd/Mon/yyyy hh:mm:ss] "request" status size'`)
	errFwMorgan   = errors.New("morgan line: expected the dev, short or tiny format (METHOD url status … ms)")
	errFwChi      = errors.New(`chi line: expected 'yyyy/mm/dd hh:mm:ss [id] "METHOD url HTTP/x" from client - status sizeB in duration'`)
	errFwRails    = errors.New(`rails line: expected 'Started METHOD "path" for client at time' or 'Completed status phrase in Nms'`)
	errFwASPNET   = errors.New("ASP.NET Core line: expected 'Request finished PROTOCOL METHOD url - status length type Nms'")
	errFwCLF      = errors.New("common/combined log line: expected 'client ident user [dd/Mon/yyyy:hh:mm:ss zone] \"request\" status size'")
)

// FrameworkParser reads the default log lines of the web frameworks listed in
// docs/frameworks.md; lines of an application's log that are none of them are ErrNotAccess.
type FrameworkParser struct {
	clfName  string       // framework that Common/Combined Log Format lines are attributed to
	combined *NginxParser // Combined Log Format (gunicorn, morgan combined)
	common   *NginxParser // Common Log Format (morgan common, Tomcat)
	custom   *NginxParser // a gunicorn access_log_format, when given
	a        arena
	clean    []byte // the line without ANSI colour codes
	scratch  []byte // values being built before they go to the arena
	inPyLog  bool   // reading the message after a Python logging prefix
	n        int64  // lines seen

	// rails holds the Started lines waiting for their Completed line, by log tag or pid.
	rails []railsStart
	// aspCategory is the category of a two-line ASP.NET Core console message, read on line
	// aspLine (0 when none is pending).
	aspCategory []byte
	aspLine     int64
	// pend is the last error line about a method, for the access line that follows it.
	pend pendingError
}

type railsStart struct {
	key    []byte // the log tags ("[id]") or the Logger's "#pid"
	method []byte
	target []byte
	client []byte
	start  time.Time
	line   int64
}

type pendingError struct {
	line          int64 // 0 when none
	method, path  []byte
	allow, detail []byte
}

// NewFramework returns a parser for framework log lines. clfName is the framework that Common or
// Combined Log Format lines are attributed to (gunicorn, morgan, tomcat; FrameworkCLF when not
// known; "" leaves them unread, as ErrNotAccess); those lines are nginx's and Apache's too, so
// the caller decides.
func NewFramework(clfName string) *FrameworkParser {
	combined, err := CompileNginx(NginxCombined)
	if err != nil {
		panic(err)
	}
	common, err := CompileNginx(nginxCommon)
	if err != nil {
		panic(err)
	}
	return &FrameworkParser{clfName: clfName, combined: combined, common: common}
}

// nginxCommon is the Common Log Format (Apache's "common", morgan's "common", Tomcat's default
// AccessLogValve pattern "%h %l %u %t "%r" %s %b") as an nginx log_format.
const nginxCommon = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent`

// NewGunicorn returns a parser for a gunicorn access_log_format string
// ('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'), whose lines may be mixed with
// gunicorn's own error log and the application's other lines.
func NewGunicorn(format string) (*FrameworkParser, error) {
	nf, err := gunicornToNginx(format)
	if err != nil {
		return nil, err
	}
	custom, err := CompileNginx(nf)
	if err != nil {
		return nil, fmt.Errorf("gunicorn access_log_format %q: %w", format, err)
	}
	p := NewFramework(FrameworkGunicorn)
	p.custom = custom
	return p, nil
}

// gunicornAtoms maps gunicorn's access log atoms (gunicorn/glogging.py, Logger.atoms) to the
// nginx variables that hold the same value, so that the nginx parser reads the line. Atoms
// without an equivalent ($gunicorn_*) are matched and skipped.
var gunicornAtoms = map[string]string{
	"h": "$remote_addr", "l": "-", "u": "$remote_user", "t": "[$time_local]", "r": "$request",
	"m": "$request_method", "U": "$uri", "q": "$gunicorn_query", "H": "$server_protocol",
	"s": "$status", "B": "$body_bytes_sent", "b": "$body_bytes_sent", "f": "$http_referer",
	"a": "$http_user_agent", "T": "$request_time", "L": "$request_time", "D": "$gunicorn_usec",
	"M": "$gunicorn_msec", "p": "$gunicorn_pid",
}

// gunicornToNginx turns a gunicorn access_log_format into an nginx log_format.
func gunicornToNginx(f string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(f); {
		if f[i] != '%' || i+1 >= len(f) || f[i+1] != '(' {
			if f[i] == '$' {
				b.WriteString("$$") // not a variable
				i++
				continue
			}
			b.WriteByte(f[i])
			i++
			continue
		}
		end := strings.Index(f[i:], ")s")
		if end < 0 {
			return "", fmt.Errorf("gunicorn access_log_format: %q at offset %d is not closed by \")s\"; atoms look like %%(h)s or %%({header}i)s", f[i:], i)
		}
		atom := f[i+2 : i+end]
		i += end + 2
		if v, ok := gunicornAtoms[atom]; ok {
			b.WriteString(v)
			continue
		}
		if len(atom) > 3 && atom[0] == '{' && atom[len(atom)-2] == '}' {
			name := strings.ToLower(strings.ReplaceAll(atom[1:len(atom)-2], "-", "_"))
			switch atom[len(atom)-1] {
			case 'i':
				b.WriteString("$http_" + name)
				continue
			case 'o':
				b.WriteString("$sent_http_" + name)
				continue
			case 'e':
				b.WriteString("$gunicorn_env_" + name)
				continue
			}
		}
		return "", fmt.Errorf("gunicorn access_log_format: unknown atom %%(%s)s; gunicorn's atoms are h l u t r m U q H s B b f a T D M L p and {header}i, {header}o, {var}e", atom)
	}
	return b.String(), nil
}

// Sequential says that one parser reads the input from start to end: lines are joined.
func (p *FrameworkParser) Sequential() bool { return true }

// Parse implements Parser.
func (p *FrameworkParser) Parse(line []byte, rec *Record) error {
	p.a.reset()
	p.n++
	line = bytes.TrimRight(line, " \t\r")
	if len(line) == 0 {
		return ErrBlank
	}
	if bytes.IndexByte(line, 0x1b) >= 0 {
		line = p.stripANSI(line)
		if len(line) == 0 {
			return ErrBlank
		}
	}
	var prefixTime time.Time
	if rest, t, ok := stripSyslog(line); ok {
		line, prefixTime = rest, t
	}
	err := p.dispatch(line, rec)
	if err == nil {
		if rec.Time.IsZero() && !prefixTime.IsZero() {
			rec.Time = prefixTime
			if rec.Duration >= 0 && rec.Start.IsZero() {
				rec.Start = rec.Time.Add(-rec.Duration)
			}
		}
		rec.Local = LocalYes // the app is the innermost hop: its status is its own
		if rec.ErrorLine {
			p.keepError(rec)
		} else {
			p.attachError(rec)
		}
	}
	return err
}

func (p *FrameworkParser) dispatch(line []byte, rec *Record) error {
	if p.aspLine > 0 {
		cat := p.aspCategory
		pending := p.aspLine
		p.aspLine = 0
		if pending == p.n-1 && len(line) > 6 && string(line[:6]) == "      " {
			return p.aspnet(cat, line[6:], rec)
		}
	}
	switch c := line[0]; {
	case c == '[':
		return p.bracket(line, rec)
	case c >= '0' && c <= '9':
		if len(line) > 19 && line[4] == '/' && line[7] == '/' && line[10] == ' ' {
			return p.chi(line, rec)
		}
		if len(line) > 19 && line[4] == '-' && line[7] == '-' {
			return p.isoLine(line, rec)
		}
		return p.clientFirst(line, rec)
	case len(line) > 6 && line[4] == ':' && line[5] == ' ' && aspLevel(line[:4]):
		return p.aspHeader(line, rec)
	case c == ':' || c >= 'a' && c <= 'f' && bytes.IndexByte(line[:min(len(line), 40)], ':') > 0 && bytes.Contains(line[:min(len(line), 48)], []byte(" - ")):
		// An IPv6 client (morgan's "::ffff:127.0.0.1", "fe80::1").
		return p.clientFirst(line, rec)
	case c == 'S' && bytes.HasPrefix(line, []byte("Started ")):
		return p.railsStarted(nil, line, time.Time{}, rec)
	case c == 'C' && bytes.HasPrefix(line, []byte("Completed ")):
		return p.railsCompleted(nil, line, time.Time{}, rec)
	case len(line) > 10 && (c == 'I' || c == 'W' || c == 'E' || c == 'D' || c == 'F') && line[1] == ',' && line[2] == ' ' && line[3] == '[':
		return p.rubyLogger(line, rec)
	case c >= 'A' && c <= 'Z':
		if i := bytes.IndexByte(line, ':'); i > 0 && i < 10 && i+1 < len(line) && upperWord(line[:i]) {
			if line[i+1] == ' ' {
				return p.uvicorn(line[i+1:], rec)
			}
			// Python's logging.basicConfig format "LEVEL:logger:message"
			// ("INFO:werkzeug:127.0.0.1 - - […] …", "WARNING:django.request:Method Not Allowed …").
			if j := bytes.IndexByte(line[i+1:], ':'); !p.inPyLog && j > 0 && pyLogger(line[i+1:i+1+j]) && i+2+j < len(line) {
				p.inPyLog = true // one prefix per line: no recursion on "A:b:A:b:…"
				err := p.dispatch(line[i+2+j:], rec)
				p.inPyLog = false
				return err
			}
		}
		if sp := bytes.IndexByte(line, ' '); sp > 0 && sp+1 < len(line) && line[sp+1] == '/' && upperWord(line[:sp]) {
			return p.morganShort(line, rec, false)
		}
	}
	return p.errorLine(line, rec)
}

// bracket reads lines that start with '[': gin, Django runserver, Laravel, gunicorn's error
// log, and Rails lines with log tags.
func (p *FrameworkParser) bracket(line []byte, rec *Record) error {
	switch {
	case bytes.HasPrefix(line, []byte("[GIN] ")):
		return p.gin(line[6:], rec)
	case bytes.HasPrefix(line, []byte("[GIN-")):
		return ErrNotAccess // [GIN-debug] route table and warnings
	case len(line) > 22 && line[3] == '/' && line[7] == '/' && line[12] == ' ' && line[21] == ']':
		return p.django(line, rec)
	case len(line) > 22 && line[5] == '-' && line[8] == '-' && line[20] == ']' && bytes.HasPrefix(line[21:], []byte(" ")):
		// Laravel (Monolog): "[2026-11-24 10:00:00] production.ERROR: …"
		if err := p.errorLine(line, rec); err != nil {
			return err
		}
		rec.Time, _ = parseISOTime(line[1:20])
		return nil
	case len(line) > 28 && line[5] == '-' && line[8] == '-' && line[26] == ']':
		return ErrNotAccess // gunicorn's error log: "[2026-11-24 10:00:00 +0000] [7] [INFO] …"
	}
	// Rails log tags: "[tag] [tag] Started …".
	rest := line
	for len(rest) > 0 && rest[0] == '[' {
		j := bytes.IndexByte(rest, ']')
		if j < 0 {
			break
		}
		rest = bytes.TrimLeft(rest[j+1:], " ")
	}
	if len(rest) < len(line) {
		tags := bytes.TrimRight(line[:len(line)-len(rest)], " ")
		switch {
		case bytes.HasPrefix(rest, []byte("Started ")):
			return p.railsStarted(tags, rest, time.Time{}, rec)
		case bytes.HasPrefix(rest, []byte("Completed ")):
			return p.railsCompleted(tags, rest, time.Time{}, rec)
		}
	}
	return p.errorLine(line, rec)
}

// gin reads the rest of "[GIN] 2026/12/01 - 08:57:21 | 405 |  1.152µs |  127.0.0.1 | POST  "/items"".
func (p *FrameworkParser) gin(b []byte, rec *Record) error {
	if len(b) < 21 || b[10] != ' ' || b[11] != '-' || b[12] != ' ' {
		return errFwGin
	}
	t, ok := parseSlashTime(b[:10], b[13:21])
	if !ok {
		return errFwGin
	}
	rec.Time = t
	rest := b[21:]
	var f [4][]byte
	for i := 0; i < len(f); i++ {
		rest = bytes.TrimLeft(rest, " ")
		if len(rest) == 0 || rest[0] != '|' {
			return errFwGin
		}
		rest = bytes.TrimLeft(rest[1:], " ")
		j := bytes.IndexByte(rest, '|')
		if i == len(f)-1 || j < 0 {
			j = len(rest)
		}
		f[i] = bytes.TrimRight(rest[:j], " ")
		rest = rest[j:]
	}
	st, ok := parseInt(f[0])
	if !ok || st < 100 || st > 999 {
		return errFwGin
	}
	rec.Status = st
	if d, ok := parseGoDuration(f[1]); ok {
		rec.Duration = d
		rec.Start = t.Add(-d)
	}
	setClient(rec, f[2])
	mp := f[3]
	sp := bytes.IndexByte(mp, ' ')
	if sp <= 0 || !upperWord(mp[:sp]) {
		return errFwGin
	}
	rec.Method = bstr(mp[:sp])
	target := bytes.TrimLeft(mp[sp:], " ")
	if len(target) < 2 || target[0] != '"' {
		return errFwGin
	}
	end := bytes.LastIndexByte(target, '"')
	if end <= 0 {
		return errFwGin
	}
	setURI(rec, target[1:end])
	rec.Framework = FrameworkGin
	return nil
}

// uvicorn reads the rest of 'INFO:     127.0.0.1:52000 - "POST /items HTTP/1.1" 405 Method Not
// Allowed'. The line has no time: a container or journald wrapper supplies it.
func (p *FrameworkParser) uvicorn(b []byte, rec *Record) error {
	b = bytes.TrimLeft(b, " ")
	i := bytes.Index(b, []byte(` - "`))
	if i <= 0 || bytes.IndexByte(b[:i], ' ') >= 0 {
		return ErrNotAccess // uvicorn's other lines: "Started server process", "Uvicorn running on …"
	}
	req := b[i+4:]
	q := bytes.LastIndexByte(req, '"')
	if q < 0 || q+5 > len(req) || req[q+1] != ' ' {
		return errFwUvicorn
	}
	st, ok := status3(req[q+2:])
	if !ok || (q+5 < len(req) && req[q+5] != ' ') {
		return errFwUvicorn
	}
	if c := b[:i]; !bytes.HasPrefix(c, []byte("None:")) { // a client uvicorn was not told (a unix socket)
		setClient(rec, c)
	}
	setRequestLine(rec, req[:q])
	if rec.Method == "" {
		return errFwUvicorn
	}
	rec.Status = st
	rec.Framework = FrameworkUvicorn
	return nil
}

// django reads '[01/Dec/2026 08:57:18] "POST /items HTTP/1.0" 405 0' (runserver, Django 1.10+).
func (p *FrameworkParser) django(line []byte, rec *Record) error {
	t, ok := parseCLFSpaceTime(line[1:21])
	if !ok || len(line) < 24 || line[22] != ' ' || line[23] != '"' {
		if !ok {
			return errFwDjango
		}
		return ErrNotAccess // runserver's own messages in the same form
	}
	rec.Time = t
	if err := p.requestStatusSize(line[23:], rec); err != nil {
		return errFwDjango
	}
	rec.Framework = FrameworkDjango
	return nil
}

// requestStatusSize reads '"METHOD target PROTOCOL" status size' ("-" for no size).
func (p *FrameworkParser) requestStatusSize(b []byte, rec *Record) error {
	q := bytes.LastIndexByte(b, '"')
	if q <= 0 || b[0] != '"' {
		return errFwCLF
	}
	setRequestLine(rec, b[1:q])
	rest := bytes.TrimLeft(b[q+1:], " ")
	sp := bytes.IndexByte(rest, ' ')
	if sp < 0 {
		sp = len(rest)
	}
	st, ok := parseInt(rest[:sp])
	if !ok || st < 100 || st > 999 || rec.Method == "" {
		return errFwCLF
	}
	rec.Status = st
	if sp < len(rest) {
		size := bytes.TrimSpace(rest[sp:])
		if n, ok := parseInt(size); ok {
			rec.BytesSent = int64(n)
		} else if !dash(size) {
			return errFwCLF
		}
	}
	return nil
}

// clientFirst reads the lines that start with the client address: werkzeug ('127.0.0.1 - -
// [01/Dec/2026 08:56:36] "GET /items HTTP/1.0" 200 -'), Common and Combined Log Format lines
// (gunicorn, morgan combined and common, Tomcat) and morgan's short format.
func (p *FrameworkParser) clientFirst(line []byte, rec *Record) error {
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 <= 0 || !addrLike(line[:sp1]) {
		return p.errorLine(line, rec)
	}
	rest := line[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 <= 0 || sp2+1 >= len(rest) {
		return p.errorLine(line, rec)
	}
	third := rest[sp2+1:]
	// morgan short: "client user METHOD url HTTP/x status size - time ms"
	if sp := bytes.IndexByte(third, ' '); sp > 0 && third[0] != '-' && upperWord(third[:sp]) && sp+1 < len(third) && third[sp+1] == '/' {
		if err := p.morganShort(third, rec, true); err != nil {
			return err
		}
		setClient(rec, line[:sp1])
		return nil
	}
	// "user [time] …": werkzeug's time has a space where CLF's has a colon.
	if sp3 := bytes.IndexByte(third, ' '); sp3 > 0 {
		br := third[sp3+1:]
		if len(br) > 23 && br[0] == '[' && br[21] == ']' && br[12] == ' ' {
			t, ok := parseCLFSpaceTime(br[1:21])
			if !ok {
				return errFwWerkzeug
			}
			rec.Time = t
			setClient(rec, line[:sp1])
			if bytes.HasPrefix(br[23:], []byte("code ")) && bytes.Contains(br[23:], []byte(", message ")) {
				// http.server's send_error ("code 404, message File not found"), which Python's
				// standard servers write before the request's access line: not a request.
				return ErrNotAccess
			}
			if err := p.requestStatusSize(br[23:], rec); err != nil {
				return errFwWerkzeug
			}
			rec.Framework = FrameworkWerkzeug
			return nil
		}
	}
	if p.custom != nil {
		if err := p.custom.Parse(line, rec); err == nil && (rec.Status >= 100 || rec.Method != "") {
			rec.Format, rec.Framework, rec.Upstream = FormatApp, FrameworkGunicorn, nil
			return nil
		}
		rec.Reset()
	}
	if p.clfName == "" {
		// Common/Combined Log Format of an unknown writer: nginx's or Apache's as much as an
		// app's. Detection gives such files to those parsers; --format app or a file name
		// (docs/frameworks.md) says they are an app's.
		return ErrNotAccess
	}
	if p.clf(line, third, rec) {
		rec.Framework = p.clfName
		return nil
	}
	rec.Reset()
	// The nginx parser reads what the direct reading does not (escapes, odd spacing) and says
	// where a line stops matching.
	np := p.common
	if line[len(line)-1] == '"' {
		np = p.combined
	}
	err := np.Parse(line, rec)
	if err == nil && rec.Status < 100 {
		err = errors.New("no status")
	}
	if err != nil {
		if p.custom != nil {
			return fmt.Errorf("neither the --gunicorn-format nor %w (%v)", errFwCLF, err)
		}
		return fmt.Errorf("%w: %v", errFwCLF, err)
	}
	rec.Format, rec.Framework, rec.Upstream = FormatApp, p.clfName, nil
	return nil
}

// clf reads a Common or Combined Log Format line directly: 'client ident user [time] "request"
// status size' and optionally ' "referer" "user agent"'. third is the line from the user on.
// False when the line has another shape; the caller then tries the nginx parser.
func (p *FrameworkParser) clf(line, third []byte, rec *Record) bool {
	sp := bytes.IndexByte(third, ' ')
	if sp < 0 || len(third) < sp+31 || third[sp+1] != '[' || third[sp+28] != ']' || third[sp+29] != ' ' || third[sp+30] != '"' {
		return false
	}
	t, ok := parseNginxTime(third[sp+2 : sp+28])
	if !ok {
		return false
	}
	b := third[sp+31:]
	// The request ends at the quote followed by " <status> ".
	q := 0
	for {
		k := bytes.IndexByte(b[q:], '"')
		if k < 0 {
			return false
		}
		q += k
		if q+5 < len(b) && b[q+1] == ' ' && (q+6 == len(b) || b[q+5] == ' ') {
			if _, ok := status3(b[q+2:]); ok {
				break
			}
		}
		q++
	}
	req := b[:q]
	if bytes.IndexByte(req, '\\') >= 0 {
		return false // escaped bytes: the nginx parser decodes them
	}
	st, _ := status3(b[q+2:])
	rest := b[q+5:]
	var size []byte
	if len(rest) > 0 {
		rest = rest[1:]
		e := bytes.IndexByte(rest, ' ')
		if e < 0 {
			e = len(rest)
		}
		size, rest = rest[:e], rest[e:]
		if _, ok := parseInt(size); !ok && !dash(size) {
			return false
		}
	}
	var ua []byte
	if len(rest) > 0 {
		// ' "referer" "user agent"'
		if len(rest) < 8 || rest[0] != ' ' || rest[1] != '"' || rest[len(rest)-1] != '"' {
			return false
		}
		mid := bytes.Index(rest[2:], []byte(`" "`))
		if mid < 0 {
			return false
		}
		ua = rest[2+mid+3 : len(rest)-1]
		if bytes.IndexByte(ua, '\\') >= 0 {
			return false
		}
	}
	setRequestLine(rec, req)
	if rec.Method == "" {
		return false
	}
	rec.Time, rec.Status = t, st
	setClient(rec, line[:bytes.IndexByte(line, ' ')])
	rec.Peer = rec.ClientIP
	if n, ok := parseInt(size); ok {
		rec.BytesSent = int64(n)
	}
	if !dash(ua) {
		rec.UserAgent = bstr(ua)
	}
	rec.Format = FormatApp
	return true
}

// morganShort reads morgan's tiny ("POST /items 405 18 - 0.744 ms"), dev ("POST /items 405
// 0.744 ms - 18", colours removed) and, with proto, short ("POST /items HTTP/1.0 405 18 -
// 0.744 ms", after the client and user) formats. None has a time.
func (p *FrameworkParser) morganShort(b []byte, rec *Record, proto bool) error {
	var f [8][]byte
	n, ok := splitFields(b, f[:])
	if !ok {
		return p.errorLine(b, rec)
	}
	i := 2
	if proto {
		if n < 3 || !bytes.HasPrefix(f[2], []byte("HTTP/")) {
			return errFwMorgan
		}
		rec.Proto = bstr(f[2])
		i = 3
	}
	// status, then "size - time ms" (tiny, short) or "time ms - size" (dev)
	if n != i+5 || f[i+1] == nil {
		return p.errorLine(b, rec)
	}
	if !dash(f[i]) {
		st, ok := parseInt(f[i])
		if !ok || st < 100 || st > 999 {
			return errFwMorgan
		}
		rec.Status = st
	}
	var size, ms []byte
	switch {
	case string(f[i+4]) == "ms" && string(f[i+2]) == "-":
		size, ms = f[i+1], f[i+3]
	case string(f[i+2]) == "ms" && string(f[i+3]) == "-" && !proto:
		ms, size = f[i+1], f[i+4]
	default:
		return p.errorLine(b, rec)
	}
	if n, ok := parseInt(size); ok {
		rec.BytesSent = int64(n)
	}
	if d, ok := parseMillis(ms); ok {
		rec.Duration = d
	}
	rec.Method = bstr(f[0])
	setURI(rec, f[1])
	rec.Framework = FrameworkMorgan
	return nil
}

// chi reads middleware.Logger's line: '2026/12/01 08:57:21 [host/abc-000002] "POST
// http://127.0.0.1:5108/items HTTP/1.0" from 127.0.0.1:59066 - 405 0B in 10.571µs'.
func (p *FrameworkParser) chi(line []byte, rec *Record) error {
	t, ok := parseSlashTime(line[:10], line[11:19])
	if !ok {
		return p.errorLine(line, rec)
	}
	rest := line[19:]
	if len(rest) < 2 || rest[0] != ' ' {
		return p.errorLine(line, rec)
	}
	rest = rest[1:]
	var id []byte
	if rest[0] == '[' {
		j := bytes.IndexByte(rest, ']')
		if j < 0 {
			return errFwChi
		}
		id, rest = rest[1:j], bytes.TrimLeft(rest[j+1:], " ")
	}
	if len(rest) == 0 || rest[0] != '"' {
		return p.errorLine(line, rec) // another line of the standard logger
	}
	q := bytes.Index(rest[1:], []byte(`" from `))
	if q < 0 {
		return errFwChi
	}
	req := rest[1 : q+1]
	rest = rest[q+8:]
	sp := bytes.IndexByte(rest, ' ')
	if sp < 0 || !bytes.HasPrefix(rest[sp:], []byte(" - ")) {
		return errFwChi
	}
	client := rest[:sp]
	rest = rest[sp+3:]
	st, ok := status3(rest)
	if !ok || len(rest) < 4 || rest[3] != ' ' {
		return errFwChi
	}
	rest = rest[4:]
	in := bytes.Index(rest, []byte("B in "))
	if in < 0 {
		return errFwChi
	}
	rec.Time = t
	rec.Status = st
	setRequestLine(rec, req)
	setClient(rec, client)
	if n, ok := parseInt(rest[:in]); ok {
		rec.BytesSent = int64(n)
	}
	if d, ok := parseGoDuration(rest[in+5:]); ok {
		rec.Duration = d
		rec.Start = t.Add(-d)
	}
	// middleware.RequestID generates "host/random-000001" unless the request carried an
	// X-Request-Id, which it logs as it came.
	if len(id) > 0 && bytes.IndexByte(id, '/') < 0 {
		rec.IDs.setRequestID(id, &p.a)
	}
	if rec.Method == "" {
		return errFwChi
	}
	rec.Framework = FrameworkChi
	return nil
}

// isoLine reads lines that start with an ISO time: Spring Boot's console line
// ("2026-11-24T10:00:00.123Z  WARN 1234 --- [demo] [nio-8080-exec-1] logger : message").
func (p *FrameworkParser) isoLine(line []byte, rec *Record) error {
	sp := bytes.IndexByte(line[19:], ' ')
	if sp < 0 {
		return p.errorLine(line, rec)
	}
	t, ok := parseISOTime(line[:19+sp])
	if !ok {
		return p.errorLine(line, rec)
	}
	rest := bytes.TrimLeft(line[19+sp:], " ")
	lv := bytes.IndexByte(rest, ' ')
	if lv < 0 || !upperWord(rest[:lv]) || !bytes.Contains(rest, []byte(" --- ")) {
		return p.errorLine(line, rec)
	}
	msg := rest
	if i := bytes.Index(rest, []byte(" : ")); i >= 0 {
		msg = rest[i+3:]
	}
	if err := p.errorLine(msg, rec); err != nil {
		return err
	}
	rec.Time = t
	return nil
}

// rubyLogger reads Ruby's Logger prefix ("I, [2026-11-24T10:00:00.123456 #1234]  INFO -- : ")
// and the Rails line after it.
func (p *FrameworkParser) rubyLogger(line []byte, rec *Record) error {
	end := bytes.Index(line, []byte(" -- : "))
	hash := bytes.Index(line, []byte(" #"))
	if end < 0 || hash < 0 || hash > end {
		return ErrNotAccess
	}
	t, _ := parseISOTime(line[4:hash])
	pe := bytes.IndexByte(line[hash+1:], ']')
	if pe < 0 {
		return ErrNotAccess
	}
	pid := line[hash+1 : hash+1+pe]
	rest := line[end+6:]
	tags := pid
	body := rest
	for len(body) > 0 && body[0] == '[' {
		j := bytes.IndexByte(body, ']')
		if j < 0 {
			break
		}
		body = bytes.TrimLeft(body[j+1:], " ")
	}
	if len(body) < len(rest) {
		tags = bytes.TrimRight(rest[:len(rest)-len(body)], " ")
	}
	switch {
	case bytes.HasPrefix(body, []byte("Started ")):
		return p.railsStarted(tags, body, t, rec)
	case bytes.HasPrefix(body, []byte("Completed ")):
		return p.railsCompleted(tags, body, t, rec)
	}
	if err := p.errorLine(body, rec); err != nil {
		return err
	}
	if !t.IsZero() {
		rec.Time = t
	}
	return nil
}

// railsStarted keeps 'Started POST "/items" for 127.0.0.1 at 2026-11-24 10:00:00 +0000' until
// the request's Completed line.
func (p *FrameworkParser) railsStarted(key, line []byte, logTime time.Time, rec *Record) error {
	b := line[8:]
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 || !upperWord(b[:sp]) || len(b) < sp+3 || b[sp+1] != '"' {
		return errFwRails
	}
	method := b[:sp]
	b = b[sp+2:]
	q := bytes.Index(b, []byte(`" for `))
	if q < 0 {
		return errFwRails
	}
	target := b[:q]
	b = b[q+6:]
	at := bytes.Index(b, []byte(" at "))
	if at < 0 {
		return errFwRails
	}
	client := b[:at]
	start := logTime
	if ts := b[at+4:]; len(ts) >= 19 {
		if t, ok := parseISOTime(ts[:19]); ok {
			start = t
			if len(ts) > 20 && ts[19] == ' ' {
				if off, n, ok := parseOffset(ts[20:]); ok && 20+n == len(ts) {
					start = t.Add(-time.Duration(off) * time.Second)
				}
			}
		}
	}
	// One request per key is in flight; a Started line without its Completed line is
	// replaced. The list stays short: one entry per worker.
	for i := range p.rails {
		if bytes.Equal(p.rails[i].key, key) {
			p.rails = append(p.rails[:i], p.rails[i+1:]...)
			break
		}
	}
	if len(p.rails) >= 64 {
		p.rails = p.rails[1:]
	}
	p.rails = append(p.rails, railsStart{key: bytes.Clone(key), method: bytes.Clone(method),
		target: bytes.Clone(target), client: bytes.Clone(client), start: start, line: p.n})
	return ErrContinued
}

// railsCompleted reads 'Completed 405 Method Not Allowed in 1ms (ActiveRecord: 0.0ms)' and
// joins it with its Started line.
func (p *FrameworkParser) railsCompleted(key, line []byte, logTime time.Time, rec *Record) error {
	b := line[10:]
	st, ok := status3(b)
	if !ok || len(b) < 4 || b[3] != ' ' {
		return errFwRails
	}
	rec.Status = st
	if in := bytes.Index(b, []byte(" in ")); in >= 0 {
		d := b[in+4:]
		if sp := bytes.IndexByte(d, ' '); sp >= 0 {
			d = d[:sp]
		}
		if ms, ok := bytes.CutSuffix(d, []byte("ms")); ok {
			if v, ok := parseMillis(ms); ok {
				rec.Duration = v
			}
		}
	}
	rec.Framework = FrameworkRails
	rec.Time = logTime
	for i := range p.rails {
		s := &p.rails[i]
		if !bytes.Equal(s.key, key) {
			continue
		}
		rec.Method = p.a.add(s.method)
		setURI(rec, p.a.alloc(s.target))
		setClient(rec, p.a.alloc(s.client))
		rec.Start = s.start
		if rec.Time.IsZero() && !s.start.IsZero() && rec.Duration >= 0 {
			rec.Time = s.start.Add(rec.Duration)
		}
		if key != nil && key[0] == '[' {
			if j := bytes.IndexByte(key, ']'); j > 1 {
				rec.IDs.setRequestID(key[1:j], &p.a) // config.log_tags = [:request_id]
			}
		}
		p.rails = append(p.rails[:i], p.rails[i+1:]...)
		return nil
	}
	rec.Detail = "Completed line without its Started line"
	return nil
}

// railsErrorRequest gives an error that ends a request before its Completed line
// (UnknownHttpMethod) the path, client and request id of the request's Started line: the latest
// one with the same method.
func (p *FrameworkParser) railsErrorRequest(rec *Record) {
	for i := len(p.rails) - 1; i >= 0; i-- {
		s := &p.rails[i]
		if string(s.method) != rec.Method {
			continue
		}
		setURI(rec, p.a.alloc(s.target))
		setClient(rec, p.a.alloc(s.client))
		rec.Start = s.start
		if len(s.key) > 0 && s.key[0] == '[' {
			if j := bytes.IndexByte(s.key, ']'); j > 1 {
				rec.IDs.setRequestID(s.key[1:j], &p.a)
			}
		}
		p.rails = append(p.rails[:i], p.rails[i+1:]...)
		return
	}
}

// aspLevel reports whether b is a Microsoft.Extensions.Logging console level.
func aspLevel(b []byte) bool {
	switch string(b) {
	case "info", "warn", "fail", "crit", "dbug", "trce":
		return true
	}
	return false
}

// aspHeader reads "info: Microsoft.AspNetCore.Hosting.Diagnostics[2]", the first line of a
// console message; the message is on the next line, indented by six spaces, or on the same line
// with the single-line console format.
func (p *FrameworkParser) aspHeader(line []byte, rec *Record) error {
	b := line[6:]
	end := bytes.IndexByte(b, ']')
	if end < 0 {
		return ErrNotAccess
	}
	cat := b[:end+1]
	if msg := bytes.TrimLeft(b[end+1:], " "); len(msg) > 0 {
		return p.aspnet(cat, msg, rec)
	}
	p.aspCategory = append(p.aspCategory[:0], cat...)
	p.aspLine = p.n
	return ErrContinued
}

// aspnet reads the message of a console log event of category cat.
func (p *FrameworkParser) aspnet(cat, msg []byte, rec *Record) error {
	if !bytes.HasPrefix(cat, []byte("Microsoft.AspNetCore.Hosting.Diagnostics[")) ||
		!bytes.HasPrefix(msg, []byte("Request finished ")) {
		return p.errorLine(msg, rec)
	}
	// "Request finished HTTP/1.1 POST http://localhost:5000/items - 405 0 - 0.1234ms"
	// (.NET 6 and later: protocol, method, URL, "-", status, length, content type, elapsed).
	var f [10][]byte
	n, _ := splitFields(msg[17:], f[:])
	if n < 5 || !bytes.HasPrefix(f[0], []byte("HTTP/")) || !upperWord(f[1]) {
		return errFwASPNET
	}
	rec.Proto, rec.Method = bstr(f[0]), bstr(f[1])
	setURI(rec, f[2])
	for i := 3; i < n; i++ {
		if st, ok := parseInt(f[i]); ok && st >= 100 && st <= 999 && len(f[i]) == 3 {
			rec.Status = st
			if i+1 < n {
				if l, ok := parseInt(f[i+1]); ok {
					rec.BytesSent = int64(l)
				}
			}
			break
		}
	}
	if ms, ok := bytes.CutSuffix(f[n-1], []byte("ms")); ok {
		if d, ok := parseMillis(ms); ok {
			rec.Duration = d
		}
	}
	if rec.Status == 0 {
		return errFwASPNET
	}
	rec.Framework = FrameworkASPNET
	return nil
}

// errorLine reads the applications' error lines about a request's method. Other lines are
// ErrNotAccess: an application's log has many (startup messages, stack traces).
func (p *FrameworkParser) errorLine(line []byte, rec *Record) error {
	i := bytes.Index(line, []byte("ethod"))
	if i < 0 {
		return ErrNotAccess
	}
	switch {
	case bytes.Contains(line, []byte("Method Not Allowed (")):
		// Django, logger django.request: "Method Not Allowed (POST): /items"
		j := bytes.Index(line, []byte("Method Not Allowed ("))
		b := line[j+20:]
		k := bytes.Index(b, []byte("): "))
		if k <= 0 || !upperWord(b[:k]) {
			return ErrNotAccess
		}
		rec.Method = bstr(b[:k])
		setURI(rec, bytes.TrimSpace(b[k+3:]))
		return p.markError(rec, FrameworkDjango, line[j:])
	case bytes.Contains(line, []byte("HttpRequestMethodNotSupportedException")):
		// Spring: "Resolved [org.springframework.web.HttpRequestMethodNotSupportedException:
		// Request method 'DELETE' is not supported]" (5.x: "… 'DELETE' not supported")
		j := bytes.Index(line, []byte("Request method '"))
		if j < 0 {
			return ErrNotAccess // a stack trace line naming the class
		}
		b := line[j+16:]
		k := bytes.IndexByte(b, '\'')
		if k <= 0 || !upperWord(b[:k]) {
			return ErrNotAccess
		}
		rec.Method = bstr(b[:k])
		p.supported(b[k:], rec)
		return p.markError(rec, FrameworkSpring, line[bytes.Index(line, []byte("HttpRequestMethodNotSupportedException")):])
	case bytes.Contains(line, []byte("method is not supported for route ")):
		// Laravel: "The POST method is not supported for route api/items. Supported methods: GET, HEAD."
		j := bytes.Index(line, []byte("The "))
		k := bytes.Index(line, []byte(" method is not supported for route "))
		if j < 0 || j+4 >= k || !upperWord(line[j+4:k]) {
			return ErrNotAccess
		}
		rec.Method = bstr(line[j+4 : k])
		route := line[k+35:]
		if e := bytes.Index(route, []byte(". ")); e >= 0 {
			route = route[:e]
		}
		route = bytes.TrimSuffix(route, []byte("."))
		if len(route) > 0 && route[0] != '/' {
			p.scratch = append(append(p.scratch[:0], '/'), route...)
			route = p.a.alloc(p.scratch)
		}
		setURI(rec, route)
		p.supported(line[k:], rec)
		msg := line[j:]
		if e := bytes.Index(msg, []byte(` {"exception":`)); e > 0 {
			msg = msg[:e] // the exception repeats the message, with the stack trace after it
		}
		return p.markError(rec, FrameworkLaravel, msg)
	case bytes.Contains(line, []byte("ActionController::UnknownHttpMethod")):
		// Rails: "ActionController::UnknownHttpMethod (FOO, accepted HTTP methods are OPTIONS, …)".
		// The accepted methods are every method Rails knows, not the route's: no Allow.
		j := bytes.Index(line, []byte("ActionController::UnknownHttpMethod"))
		b := bytes.TrimLeft(line[j+35:], " :(")
		k := bytes.IndexByte(b, ',')
		if k <= 0 {
			return ErrNotAccess
		}
		rec.Method = bstr(b[:k])
		p.railsErrorRequest(rec)
		return p.markError(rec, FrameworkRails, line[j:])
	case bytes.Contains(line, []byte("Executing endpoint '405 HTTP Method Not Supported'")):
		// ASP.NET Core endpoint routing: "Executing endpoint '405 HTTP Method Not Supported'"
		return p.markError(rec, FrameworkASPNET, line)
	}
	return ErrNotAccess
}

// supported sets rec.Allow from "Supported methods: GET, HEAD." or "supported methods [GET, HEAD]".
func (p *FrameworkParser) supported(b []byte, rec *Record) {
	i := bytes.Index(b, []byte("upported methods"))
	if i < 0 {
		return
	}
	b = bytes.TrimLeft(b[i+16:], " :[")
	end := 0
	for end < len(b) && (b[end] >= 'A' && b[end] <= 'Z' || b[end] == ',' || b[end] == ' ' || b[end] == '-') {
		end++
	}
	if v := bytes.Trim(b[:end], " ,"); len(v) > 0 {
		rec.Allow = bstr(v)
	}
}

// markError makes rec an error line: evidence about a request, not a request of its own. It
// carries the status the application answered (405) so that status filters keep it.
func (p *FrameworkParser) markError(rec *Record, framework string, msg []byte) error {
	rec.ErrorLine = true
	rec.Status = 405
	rec.Framework = framework
	if len(msg) > 300 {
		msg = msg[:300]
	}
	p.scratch = append(append(p.scratch[:0], "error line: "...), msg...)
	rec.Detail = p.a.add(p.scratch)
	return nil
}

// keepError remembers an error line for the access line of the same request, which the
// application writes after it (Django, ASP.NET Core).
func (p *FrameworkParser) keepError(rec *Record) {
	e := &p.pend
	e.line = p.n
	e.method = append(e.method[:0], rec.Method...)
	e.path = append(e.path[:0], rec.Path...)
	e.allow = append(e.allow[:0], rec.Allow...)
	e.detail = append(e.detail[:0], rec.Detail...)
}

// attachError gives an access line the evidence of the error line about it: same method and
// path (where the error line names them), a 405, a few lines later.
func (p *FrameworkParser) attachError(rec *Record) {
	e := &p.pend
	if e.line == 0 || p.n-e.line > errorLineReach || rec.Status != 405 {
		return
	}
	if len(e.method) > 0 && string(e.method) != rec.Method || len(e.path) > 0 && string(e.path) != rec.Path {
		return
	}
	if rec.Allow == "" && len(e.allow) > 0 {
		rec.Allow = p.a.add(e.allow)
	}
	p.scratch = append(p.scratch[:0], e.detail...)
	if rec.Detail != "" {
		p.scratch = append(append(p.scratch, "; "...), rec.Detail...)
	}
	rec.Detail = p.a.add(p.scratch)
	e.line = 0
}

// stripANSI removes colour escape sequences (ESC [ … letter), as morgan dev, gin and chi write
// them.
func (p *FrameworkParser) stripANSI(b []byte) []byte {
	out := p.clean[:0]
	for i := 0; i < len(b); i++ {
		if b[i] == 0x1b && i+1 < len(b) && b[i+1] == '[' {
			j := i + 2
			for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == ';') {
				j++
			}
			i = j
			continue
		}
		out = append(out, b[i])
	}
	p.clean = out
	return bytes.TrimRight(out, " ")
}

// stripSyslog removes a journald or syslog prefix: "2026-11-24T10:00:00+0000 host tag[pid]: "
// (journalctl -o short-iso, rsyslog on Debian) or "Nov 24 10:00:00 host tag[pid]: " (classic
// syslog, which has no year: the time is left unknown).
func stripSyslog(line []byte) ([]byte, time.Time, bool) {
	var t time.Time
	var rest []byte
	switch {
	case len(line) > 25 && line[4] == '-' && line[10] == 'T':
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 {
			return nil, t, false
		}
		var ok bool
		if t, ok = parseISOTime(line[:sp]); !ok {
			return nil, t, false
		}
		rest = line[sp+1:]
	case len(line) > 16 && line[3] == ' ' && line[6] == ' ' && line[9] == ':' && line[12] == ':':
		if _, ok := month3(line); !ok {
			return nil, t, false
		}
		rest = line[15:]
		if len(rest) > 0 && rest[0] == '.' { // short-precise: microseconds
			for len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9' {
				rest = rest[1:]
			}
			rest = rest[1:]
		}
		if len(rest) == 0 || rest[0] != ' ' {
			return nil, t, false
		}
		rest = rest[1:]
	default:
		return nil, t, false
	}
	// host (empty in the first lines nginx sends before it knows its name), then "tag[pid]:" or
	// "tag:", or a bare "tag": rsyslog writes a message that came without the colon (Python's
	// SysLogHandler sends "uvicorn INFO: …") with its first word as the tag, as it came.
	sp := bytes.IndexByte(rest, ' ')
	if sp < 0 {
		return nil, t, false
	}
	rest = rest[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp <= 1 || bytes.IndexByte(rest[:sp], '"') >= 0 || rest[sp-1] != ':' && !bareSyslogTag(rest[:sp]) {
		return nil, t, false
	}
	return rest[sp+1:], t, true
}

// bareSyslogTag reports whether tag, written without its colon, looks like a program name: a
// letter, then letters, digits and ._/- (at most 32 bytes, rsyslog's limit), and an optional
// "[pid]". A word of a log message (a method, a number, key=value) is not one; what follows the
// tag must still read as a log line the input's format knows.
func bareSyslogTag(tag []byte) bool {
	if i := bytes.IndexByte(tag, '['); i > 0 && tag[len(tag)-1] == ']' && isDigits(tag[i+1:len(tag)-1]) {
		tag = tag[:i]
	}
	if len(tag) == 0 || len(tag) > 32 || !('a' <= tag[0] && tag[0] <= 'z' || 'A' <= tag[0] && tag[0] <= 'Z') {
		return false
	}
	upper := true
	for _, c := range tag {
		switch {
		case 'a' <= c && c <= 'z':
			upper = false
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-', c == '/':
		default:
			return false
		}
	}
	return !upper // GET, INFO, ERROR: a method or a level, not a program
}

// parseCLFSpaceTime reads "01/Dec/2026 08:56:36" (werkzeug and Django runserver). The line has
// no zone: the server's local time, read as UTC.
func parseCLFSpaceTime(b []byte) (time.Time, bool) {
	if len(b) != 20 || b[2] != '/' || b[6] != '/' || b[11] != ' ' || b[14] != ':' || b[17] != ':' {
		return time.Time{}, false
	}
	day, ok1 := digits(b, 2)
	mon, ok2 := month3(b[3:])
	year, ok3 := digits(b[7:], 4)
	hh, ok4 := digits(b[12:], 2)
	mi, ok5 := digits(b[15:], 2)
	ss, ok6 := digits(b[18:], 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || day < 1 || day > 31 || hh > 23 || mi > 59 || ss > 60 {
		return time.Time{}, false
	}
	return time.Date(year, mon, day, hh, mi, ss, 0, time.UTC), true
}

// parseSlashTime reads Go's log date "2026/12/01" and clock "08:57:21" (gin, chi); no zone:
// the server's local time, read as UTC.
func parseSlashTime(date, clock []byte) (time.Time, bool) {
	if len(date) != 10 || date[4] != '/' || date[7] != '/' || len(clock) != 8 || clock[2] != ':' || clock[5] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(date, 4)
	mon, ok2 := digits(date[5:], 2)
	day, ok3 := digits(date[8:], 2)
	hh, ok4 := digits(clock, 2)
	mi, ok5 := digits(clock[3:], 2)
	ss, ok6 := digits(clock[6:], 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mi > 59 || ss > 60 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(mon), day, hh, mi, ss, 0, time.UTC), true
}

// parseGoDuration reads a Go duration as time.Duration.String writes it ("1.152µs", "992ns",
// "2m3.5s") without allocating.
func parseGoDuration(b []byte) (time.Duration, bool) {
	if len(b) == 0 {
		return -1, false
	}
	var total float64
	for len(b) > 0 {
		i := 0
		for i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] == '.') {
			i++
		}
		if i == 0 {
			return -1, false
		}
		v, ok := parseDecimal(b[:i])
		if !ok {
			return -1, false
		}
		b = b[i:]
		var unit float64
		switch {
		case bytes.HasPrefix(b, []byte("ns")):
			unit, b = 1, b[2:]
		case bytes.HasPrefix(b, []byte("µs")):
			unit, b = 1e3, b[3:]
		case bytes.HasPrefix(b, []byte("us")):
			unit, b = 1e3, b[2:]
		case bytes.HasPrefix(b, []byte("ms")):
			unit, b = 1e6, b[2:]
		case bytes.HasPrefix(b, []byte("s")):
			unit, b = 1e9, b[1:]
		case bytes.HasPrefix(b, []byte("m")):
			unit, b = 60e9, b[1:]
		case bytes.HasPrefix(b, []byte("h")):
			unit, b = 3600e9, b[1:]
		default:
			return -1, false
		}
		total += v * unit
	}
	if total > 1e18 {
		return -1, false
	}
	return time.Duration(total), true
}

// parseMillis reads a number of milliseconds with a fraction ("0.744", "12").
func parseMillis(b []byte) (time.Duration, bool) {
	v, ok := parseDecimal(b)
	if !ok || v > 1e12 {
		return -1, false
	}
	return time.Duration(v * 1e6), true
}

// parseDecimal reads "123" or "1.5" without allocating.
func parseDecimal(b []byte) (float64, bool) {
	var v, scale float64 = 0, 0
	seen := false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			seen = true
			if scale == 0 {
				v = v*10 + float64(c-'0')
			} else {
				v += float64(c-'0') / scale
				scale *= 10
			}
		case c == '.' && scale == 0:
			scale = 10
		default:
			return 0, false
		}
	}
	return v, seen
}

// status3 reads a three-digit HTTP status (100–999) at the start of b.
func status3(b []byte) (int, bool) {
	v, ok := digits(b, 3)
	return v, ok && v >= 100
}

// splitFields splits b at runs of spaces into f; ok is false when b has more fields than f.
func splitFields(b []byte, f [][]byte) (int, bool) {
	n := 0
	for i := 0; i < len(b); {
		for i < len(b) && b[i] == ' ' {
			i++
		}
		if i == len(b) {
			break
		}
		j := i
		for j < len(b) && b[j] != ' ' {
			j++
		}
		if n == len(f) {
			return n, false
		}
		f[n] = b[i:j]
		n++
		i = j
	}
	return n, true
}

// pyLogger reports whether b is a Python logger name (werkzeug, django.request, uvicorn.access).
func pyLogger(b []byte) bool {
	if len(b) > 64 {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// upperWord reports whether b is an upper-case token (a method, a log level).
func upperWord(b []byte) bool {
	if len(b) == 0 || len(b) > 24 {
		return false
	}
	for _, c := range b {
		if (c < 'A' || c > 'Z') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// addrLike reports whether b can be a client address (IPv4, IPv6, a host name, "-").
func addrLike(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == ':' || c == '-' || c == '[' || c == ']' || c == '%') {
			return false
		}
	}
	return len(b) > 0
}
