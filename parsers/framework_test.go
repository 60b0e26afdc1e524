package parsers

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The lines under testdata/frameworks/ were written by the real programs (README.md there names
// the versions and how they ran), except the Rails, ASP.NET Core, Spring, Tomcat and Laravel
// files, which follow those frameworks' documented formats.

// fwFile reads one file of testdata/frameworks.
func fwFile(t testing.TB, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata/frameworks", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
}

// fwParse runs the parser the detection chooses for a file over all of its lines, as a scan
// does, and returns the records by line number and the rejected lines' errors.
func fwParse(t *testing.T, c *Config, name string) (*Resolved, map[int]*Record, map[int]error) {
	t.Helper()
	lines := fwFile(t, name)
	var sample [][]byte
	for _, l := range lines {
		if !isBlank(l) && len(sample) < sampleLines {
			sample = append(sample, l)
		}
	}
	res, err := c.Resolve(name, sample)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	p := res.NewParser()
	recs, errs := map[int]*Record{}, map[int]error{}
	for i, l := range lines {
		var rec Record
		rec.Reset()
		err := p.Parse(l, &rec)
		switch {
		case err == nil:
			recs[i+1] = rec.Clone()
		case err == ErrNotAccess || err == ErrBlank || err == ErrContinued:
		default:
			errs[i+1] = err
		}
	}
	return res, recs, errs
}

func fwTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestFrameworkCaptured checks every file: detected without flags as the app format, the
// number of records, nothing rejected, and the fields of one 405 line.
func TestFrameworkCaptured(t *testing.T) {
	for _, tc := range []struct {
		file, source string
		framework    string
		records      int
		line         int // a 405 line
		want         Record
		allowHeader  bool
	}{
		{"flask.log", "Flask 2.2.2 / Werkzeug 2.2.2 development server", FrameworkWerkzeug, 5, 7,
			Record{Method: "POST", Path: "/items", URI: "/items", Proto: "HTTP/1.0", Status: 405, ClientIP: "127.0.0.1",
				Time: fwTime("2026-12-01T08:57:15Z"), Duration: -1, BytesSent: -1}, false},
		{"gunicorn.log", "gunicorn 20.1.0, default access_log_format, with its error log", FrameworkGunicorn, 5, 6,
			Record{Method: "POST", Path: "/items", URI: "/items", Proto: "HTTP/1.0", Status: 405, ClientIP: "127.0.0.1",
				UserAgent: "curl/7.88.1", Time: fwTime("2026-12-01T08:57:16Z"), Duration: -1, BytesSent: 153}, false},
		{"uvicorn-cri.log", "uvicorn 0.17.6 (FastAPI 0.92.0) in CRI lines", FrameworkUvicorn, 5, 6,
			Record{Method: "POST", Path: "/items", URI: "/items", Proto: "HTTP/1.0", Status: 405, ClientIP: "127.0.0.1",
				Time: fwTime("2026-12-01T08:57:17.785795848Z"), Duration: -1, BytesSent: -1}, false},
		{"uvicorn-rsyslog.log", "uvicorn 0.17 (FastAPI 0.92) through Python's SysLogHandler and rsyslog: the tag without its colon", FrameworkUvicorn, 6, 6,
			Record{Method: "DELETE", Path: "/api/profile/3", URI: "/api/profile/3", Proto: "HTTP/1.1", Status: 405,
				Time: fwTime("2026-12-02T10:12:46.055723Z"), Duration: -1, BytesSent: -1}, false},
		{"uvicorn.log", "uvicorn 0.17.6 (FastAPI 0.92.0), bare: no time", FrameworkUvicorn, 2, 5,
			Record{Method: "POST", Path: "/items", URI: "/items", Proto: "HTTP/1.1", Status: 405, ClientIP: "127.0.0.1",
				Duration: -1, BytesSent: -1}, false},
		{"django.log", "Django 3.2.25 runserver", FrameworkDjango, 5 + 3, 10,
			Record{Method: "POST", Path: "/items", URI: "/items", Proto: "HTTP/1.0", Status: 405,
				Time: fwTime("2026-12-01T08:57:18Z"), Duration: -1, BytesSent: 0,
				Detail: "error line: Method Not Allowed (POST): /items"}, false},
		{"morgan-combined.log", "Express 5.1.0, morgan 1.10.1 combined", FrameworkMorgan, 5, 2,
			Record{Method: "POST", Path: "/items", URI: "/items", Proto: "HTTP/1.0", Status: 405, ClientIP: "127.0.0.1",
				UserAgent: "curl/7.88.1", Time: fwTime("2026-12-01T09:04:07Z"), Duration: -1, BytesSent: 18}, false},
		{"morgan-common.log", "Express 5.1.0, morgan 1.10.1 common", FrameworkMorgan, 5, 2,
			Record{Method: "POST", Path: "/items", URI: "/items", Proto: "HTTP/1.0", Status: 405, ClientIP: "127.0.0.1",
				Time: fwTime("2026-12-01T09:04:07Z"), Duration: -1, BytesSent: 18}, false},
		{"morgan-dev.log", "Express 5.1.0, morgan 1.10.1 dev (colours)", FrameworkMorgan, 5, 4,
			Record{Method: "DELETE", Path: "/items", URI: "/items?id=7", Status: 405,
				Duration: 560 * time.Microsecond, BytesSent: 18}, false},
		{"morgan-short.log", "Express 5.1.0, morgan 1.10.1 short", FrameworkMorgan, 5, 2,
			Record{Method: "POST", Path: "/items", URI: "/items", Proto: "HTTP/1.0", Status: 405, ClientIP: "127.0.0.1",
				Duration: 553 * time.Microsecond, BytesSent: 18}, false},
		{"morgan-tiny.log", "Express 5.1.0, morgan 1.10.1 tiny", FrameworkMorgan, 5, 5,
			Record{Method: "PUT", Path: "/items", URI: "/items", Status: 405,
				Duration: 455 * time.Microsecond, BytesSent: 18}, false},
		{"gin.log", "Gin 1.12.0 gin.Default(), debug mode", FrameworkGin, 5, 14,
			Record{Method: "DELETE", Path: "/items", URI: "/items?id=7", Status: 405, ClientIP: "127.0.0.1",
				Time: fwTime("2026-12-01T08:57:21Z"), Start: fwTime("2026-12-01T08:57:20.999999288Z"),
				Duration: 712 * time.Nanosecond, BytesSent: -1}, false},
		{"echo.log", "Echo 4.16.5 middleware.Logger()", FrameworkEcho, 5, 3,
			Record{Method: "POST", Path: "/items", URI: "/items", Status: 405, ClientIP: "127.0.0.1", Host: "127.0.0.1:5107",
				UserAgent: "curl/7.88.1", Time: fwTime("2026-12-01T08:57:22.6014157Z"), Start: fwTime("2026-12-01T08:57:22.601318656Z"),
				Duration: 97044 * time.Nanosecond}, false},
		{"chi.log", "chi 5.5.0 middleware.Logger with middleware.RequestID", FrameworkChi, 5, 2,
			Record{Method: "POST", Path: "/items", URI: "/items", Host: "127.0.0.1:5108", Proto: "HTTP/1.0", Status: 405,
				ClientIP: "127.0.0.1", Time: fwTime("2026-12-01T08:57:23Z"), Start: fwTime("2026-12-01T08:57:22.999993077Z"),
				Duration: 6923 * time.Nanosecond, BytesSent: 0}, false},
		{"rails.log", "Rails 7 production log (documented format)", FrameworkRails, 4, 6,
			Record{Method: "PATCH", Path: "/items/42", URI: "/items/42", Status: 405, ClientIP: "10.0.1.8",
				Time: fwTime("2026-11-24T10:00:00.1031Z"), Start: fwTime("2026-11-24T10:00:00Z"), Duration: time.Millisecond,
				BytesSent: -1, IDs: IDs{RequestID: "0c4e2a9b-8d7f-4e61-b5a3-2f1e0d9c8b7a"}}, false},
		{"aspnetcore.log", "ASP.NET Core 8 console logger (documented format)", FrameworkASPNET, 4, 20,
			Record{Method: "POST", Path: "/items", URI: "/items", Host: "localhost:5000", Proto: "HTTP/1.1", Status: 405,
				Duration: 1803100 * time.Nanosecond, BytesSent: 0,
				Detail: "error line: Executing endpoint '405 HTTP Method Not Supported'"}, false},
		{"localhost_access_log.2026-12-01.txt", "Tomcat 10.1.60 AccessLogValve, Debian's server.xml (common pattern)", FrameworkTomcat, 6, 3,
			Record{Method: "DELETE", Path: "/items.jsp", URI: "/items.jsp", Proto: "HTTP/1.1", Status: 405,
				ClientIP: "127.0.0.1", Time: fwTime("2026-12-01T09:41:03Z"), Duration: -1, BytesSent: 780}, false},
		{"rails-webrick.log", "Rails 6.1.7.10 single-file app under rackup/WEBrick 1.8.1", FrameworkRails, 4, 12,
			Record{Method: "POST", Path: "/items", URI: "/items", Status: 405, ClientIP: "127.0.0.1",
				Time: fwTime("2026-12-01T09:41:56Z"), Start: fwTime("2026-12-01T09:41:56Z"), Duration: 0, BytesSent: -1}, false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res, recs, errs := fwParse(t, &Config{}, tc.file)
			if res.Format != FormatApp || !strings.Contains(res.Variant, tc.framework) {
				t.Errorf("%s: detected %s %q, want app %s", tc.source, res.Format, res.Variant, tc.framework)
			}
			for n, err := range errs {
				t.Errorf("%s: line %d rejected: %v", tc.source, n, err)
			}
			if len(recs) != tc.records {
				t.Errorf("%s: %d records, want %d", tc.source, len(recs), tc.records)
			}
			got := recs[tc.line]
			if got == nil {
				t.Fatalf("%s: line %d gave no record", tc.source, tc.line)
			}
			if got.Framework != tc.framework || got.Local != LocalYes || got.ErrorLine {
				t.Errorf("%s: framework %q local %v error line %v", tc.source, got.Framework, got.Local, got.ErrorLine)
			}
			w := tc.want
			if got.Method != w.Method || got.Path != w.Path || got.URI != w.URI || got.Proto != w.Proto ||
				got.Status != w.Status || got.ClientIP != w.ClientIP || got.Host != w.Host || got.UserAgent != w.UserAgent ||
				!got.Time.Equal(w.Time) || !got.Start.Equal(w.Start) || got.Duration != w.Duration ||
				got.Detail != w.Detail || got.IDs != w.IDs {
				t.Errorf("%s line %d:\n got %s\nwant %s", tc.source, tc.line, got.AppendJSON(nil), w.AppendJSON(nil))
			}
			if w.BytesSent != 0 || got.BytesSent > 0 {
				if got.BytesSent != w.BytesSent && tc.framework != FrameworkEcho {
					t.Errorf("%s: bytes sent %d, want %d", tc.source, got.BytesSent, w.BytesSent)
				}
			}
		})
	}
}

// TestFrameworkErrorLines checks the error lines about methods: method, path, supported
// methods as Allow, marked as error lines, and given to the access line that follows.
func TestFrameworkErrorLines(t *testing.T) {
	for _, tc := range []struct {
		file, source string
		line         int
		method, path string
		allow        string
		detail       string
		time         string
	}{
		{"django.log", "Django 3.2.25 django.request warning", 9, "POST", "/items", "", "error line: Method Not Allowed (POST): /items", ""},
		{"spring.log", "Spring Boot 3.2 DefaultHandlerExceptionResolver (documented format)", 3, "DELETE", "", "",
			"error line: HttpRequestMethodNotSupportedException: Request method 'DELETE' is not supported]", "2026-11-24T10:00:03.118Z"},
		{"spring.log", "Spring Boot 2.x, Spring 5 message (documented format)", 9, "POST", "", "",
			"error line: HttpRequestMethodNotSupportedException: Request method 'POST' not supported]", "2023-03-14T09:12:44.207Z"},
		{"laravel.log", "Laravel 10 MethodNotAllowedHttpException (documented format)", 1, "PATCH", "/api/items", "GET, HEAD, POST",
			"error line: The PATCH method is not supported for route api/items. Supported methods: GET, HEAD, POST.", "2026-11-24T10:00:04Z"},
		{"rails.log", "Rails 7 ActionController::UnknownHttpMethod (documented format)", 10, "FOO", "/items", "", "", "2026-11-24T10:00:01.2011Z"},
		{"rails-webrick.log", "Rails 6.1.7.10 ActionController::UnknownHttpMethod", 29, "FOO", "/items", "", "", ""},
		{"aspnetcore.log", "ASP.NET Core 8 endpoint routing (documented format)", 16, "", "", "",
			"error line: Executing endpoint '405 HTTP Method Not Supported'", ""},
	} {
		_, recs, errs := fwParse(t, &Config{}, tc.file)
		for n, err := range errs {
			t.Errorf("%s: line %d rejected: %v", tc.source, n, err)
		}
		got := recs[tc.line]
		if got == nil {
			t.Errorf("%s: line %d gave no record", tc.source, tc.line)
			continue
		}
		if !got.ErrorLine || got.Status != 405 || got.Method != tc.method || got.Path != tc.path || got.Allow != tc.allow ||
			tc.detail != "" && got.Detail != tc.detail || !strings.HasPrefix(got.Detail, "error line: ") ||
			tc.time != "" && !got.Time.Equal(fwTime(tc.time)) {
			t.Errorf("%s: line %d:\n got %s", tc.source, tc.line, got.AppendJSON(nil))
		}
	}
	// The Laravel supported methods go to the access line of the same request in the same stream.
	p := NewFramework("")
	lines := append(fwFile(t, "laravel.log")[:1],
		[]byte(`INFO:     10.0.1.7:50000 - "PATCH /api/items HTTP/1.1" 405 Method Not Allowed`))
	var rec Record
	for _, l := range lines {
		rec.Reset()
		if err := p.Parse(l, &rec); err != nil {
			t.Fatal(err)
		}
	}
	if rec.ErrorLine || rec.Allow != "GET, HEAD, POST" || !strings.HasPrefix(rec.Detail, "error line: The PATCH method") {
		t.Errorf("access line after the error line: %s", rec.AppendJSON(nil))
	}
}

// TestFrameworkDetectionOrder checks that Combined Log Format lines stay nginx's unless something
// names their writer, and that --format app and --gunicorn-format declare them.
func TestFrameworkDetectionOrder(t *testing.T) {
	edge := fwFile(t, "morgan-combined.log")
	res, err := (&Config{}).Resolve("access.log", edge)
	if err != nil || res.Format != FormatNginx {
		t.Errorf("combined lines of an unnamed file: %v %+v, want nginx", err, res)
	}
	// A proxy's log named after the app behind it stays the proxy's (samples/frameworks-incident).
	res, err = (&Config{}).Resolve("edge-express.log", edge)
	if err != nil || res.Format != FormatNginx {
		t.Errorf("edge-express.log: %v %+v, want nginx", err, res)
	}
	res, err = (&Config{Format: FormatApp}).Resolve("access.log", edge)
	if err != nil || res.Format != FormatApp {
		t.Fatalf("--format app: %v %+v", err, res)
	}
	var rec Record
	rec.Reset()
	if err := res.NewParser().Parse(edge[1], &rec); err != nil || rec.Framework != FrameworkCLF || rec.Status != 405 {
		t.Errorf("--format app on combined lines: %v %s", err, rec.AppendJSON(nil))
	}
	// gunicorn's error log lines in the same stream name the writer.
	g := fwFile(t, "gunicorn.log")
	res, err = (&Config{}).Resolve("stdout.log", g)
	if err != nil || res.Format != FormatApp || !strings.Contains(res.Variant, "gunicorn") {
		t.Errorf("gunicorn stream: %v %+v", err, res)
	}
	// Without the format string, the error says which flag to pass.
	if _, err := (&Config{}).Resolve("stdout.log", fwFile(t, "gunicorn-custom.log")); err == nil || !strings.Contains(err.Error(), "--gunicorn-format") {
		t.Errorf("gunicorn 20.1.0 custom format without --gunicorn-format: %v", err)
	}
	// A gunicorn access_log_format given on the command line.
	const f = `%(h)s %(t)s "%(r)s" %(s)s %(b)s %(L)s %(M)s "%({x-request-id}i)s" "%({allow}o)s"`
	_, recs, errs := fwParse(t, &Config{GunicornFormat: f}, "gunicorn-custom.log")
	if len(errs) > 0 || len(recs) != 2 {
		t.Fatalf("--gunicorn-format: %d records, errors %v", len(recs), errs)
	}
	r := recs[6]
	if r.Framework != FrameworkGunicorn || r.Method != "POST" || r.Status != 405 || r.Allow != "HEAD, OPTIONS, GET" ||
		r.IDs.RequestID != "0b7e6d5c-4a39-4281-8f7e-6d5c4b3a2918" || r.Duration != 890*time.Microsecond {
		t.Errorf("gunicorn 20.1.0 custom access_log_format: %s", r.AppendJSON(nil))
	}
	if _, err := NewGunicorn(`%(h)s %(Z)s`); err == nil || !strings.Contains(err.Error(), "unknown atom %(Z)s") {
		t.Errorf("unknown atom: %v", err)
	}
}

// TestFrameworkDirectory reads testdata/frameworks as a directory input: every file is detected
// and no line is rejected.
func TestFrameworkDirectory(t *testing.T) {
	ins, err := ExpandInputs([]string{"testdata/frameworks"})
	if err != nil {
		t.Fatal(err)
	}
	c := &Config{}
	total := int64(0)
	for _, in := range ins {
		if strings.Contains(in.Name, "gunicorn-custom") {
			continue // needs --gunicorn-format (TestFrameworkDetectionOrder)
		}
		o, err := c.OpenInput(in)
		if err != nil {
			t.Errorf("%s: %v", in.Name, err)
			continue
		}
		st := o.Scan(0, func(*Record, *Batch) {}, func(*Batch) {})
		if st.Rejected > 0 || st.Format != FormatApp || st.Parsed == 0 {
			t.Errorf("%s: %+v", in.Name, st)
		}
		total += st.Parsed
	}
	if total < 60 {
		t.Errorf("%d records from the directory", total)
	}
}

// TestFrameworkRejects checks that a line of a known framework that cannot be read is rejected
// with a reason, and that other lines are skipped.
func TestFrameworkRejects(t *testing.T) {
	p := NewFramework(FrameworkGunicorn)
	for _, tc := range []struct {
		line string
		want string // "" for ErrNotAccess
	}{
		{`[GIN] 2026/12/01 - 08:57:21 | 4o5 | 1µs | 127.0.0.1 | POST "/items"`, "gin line"},
		{`[01/Dec/2026 08:57:18] "POST /items HTTP/1.0" abc 0`, "django runserver line"},
		{`127.0.0.1 - - [01/Dec/2026 08:56:36] "POST /items HTTP/1.0"`, "werkzeug line"},
		{`INFO:     127.0.0.1:37220 - "POST /items HTTP/1.0" x05 Method Not Allowed`, "uvicorn access line"},
		{`127.0.0.1 - - [01/Dec/2026:08:57:16 +0000] "POST /items HTTP/1.0" 405`, "common/combined log line"},
		{`INFO:     Application startup complete.`, ""},
		{`Traceback (most recent call last):`, ""},
		{"\tat org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1089)", ""},
		{`Quit the server with CONTROL-C.`, ""},
		// Python's http.server (3.11) writes send_error's line before the access line.
		{`127.0.0.1 - - [01/Dec/2026 19:33:43] code 404, message File not found`, ""},
		{`127.0.0.1 - - [01/Dec/2026 19:33:44] code 501, message Unsupported method ('PUT')`, ""},
	} {
		var rec Record
		rec.Reset()
		err := p.Parse([]byte(tc.line), &rec)
		switch {
		case tc.want == "" && err != ErrNotAccess:
			t.Errorf("%q: %v, want skipped", tc.line, err)
		case tc.want != "" && (err == nil || err == ErrNotAccess || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: %v, want %q", tc.line, err, tc.want)
		}
	}
}

// TestFrameworkSyslogTime checks that a journald or syslog prefix gives uvicorn's line its time.
func TestFrameworkSyslogTime(t *testing.T) {
	p := NewFramework("")
	var rec Record
	rec.Reset()
	line := `2026-12-01T08:57:17+0000 api uvicorn[16596]: INFO:     127.0.0.1:37220 - "POST /items HTTP/1.0" 405 Method Not Allowed`
	if err := p.Parse([]byte(line), &rec); err != nil || !rec.Time.Equal(fwTime("2026-12-01T08:57:17Z")) || rec.Status != 405 {
		t.Errorf("journalctl -o short-iso: %v %s", err, rec.AppendJSON(nil))
	}
	rec.Reset()
	line = `Dec  1 08:57:17 api uvicorn[16596]: INFO:     127.0.0.1:37220 - "POST /items HTTP/1.0" 405 Method Not Allowed`
	if err := p.Parse([]byte(line), &rec); err != nil || !rec.Time.IsZero() || rec.Method != "POST" {
		t.Errorf("classic syslog (no year): %v %s", err, rec.AppendJSON(nil))
	}
	// rsyslog's file of what Python's SysLogHandler sent (uvicorn on a unix socket, captured):
	// the tag came without its colon, and uvicorn names no client.
	rec.Reset()
	line = `2026-12-02T10:12:46.055723+00:00 vm uvicorn INFO:     None:0 - "DELETE /api/profile/3 HTTP/1.1" 405 Method Not Allowed`
	if err := p.Parse([]byte(line), &rec); err != nil || !rec.Time.Equal(fwTime("2026-12-02T10:12:46.055723Z")) || rec.Status != 405 || rec.Method != "DELETE" || rec.ClientIP != "" {
		t.Errorf("rsyslog, bare tag: %v %s", err, rec.AppendJSON(nil))
	}
	// Not a tag: a method, a level, a number, key=value.
	for _, word := range []string{"GET", "INFO", "200", "a=b", "9lives", "x\"y"} {
		if bareSyslogTag([]byte(word)) {
			t.Errorf("bareSyslogTag(%q) = true", word)
		}
	}
	for _, word := range []string{"uvicorn", "gunicorn[123]", "my-app.web_1", "php-fpm"} {
		if !bareSyslogTag([]byte(word)) {
			t.Errorf("bareSyslogTag(%q) = false", word)
		}
	}
}

// TestFrameworkPythonLogging checks lines written through Python's logging.basicConfig format
// (LEVEL:logger:message), as Flask and Django apps that configure logging write them; the
// messages are the real ones of testdata/frameworks/flask.log and django.log.
func TestFrameworkPythonLogging(t *testing.T) {
	p := NewFramework("")
	for _, tc := range []struct {
		line      string
		framework string
		errorLine bool
	}{
		{`INFO:werkzeug:127.0.0.1 - - [01/Dec/2026 08:57:15] "POST /items HTTP/1.0" 405 -`, FrameworkWerkzeug, false},
		{`WARNING:django.request:Method Not Allowed (POST): /items`, FrameworkDjango, true},
	} {
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte(tc.line), &rec); err != nil || rec.Framework != tc.framework || rec.ErrorLine != tc.errorLine ||
			rec.Method != "POST" || rec.Path != "/items" || rec.Status != 405 {
			t.Errorf("%q: %v %s", tc.line, err, rec.AppendJSON(nil))
		}
	}
}

// TestFrameworkNoAllocs checks the hot path: access lines parse without allocating.
func TestFrameworkNoAllocs(t *testing.T) {
	for _, name := range []string{"flask.log", "gunicorn.log", "uvicorn.log", "django.log", "morgan-dev.log",
		"morgan-short.log", "morgan-tiny.log", "morgan-common.log", "gin.log", "chi.log", "aspnetcore.log"} {
		p := NewFramework(FrameworkMorgan)
		var rec Record
		for _, l := range fwFile(t, name) {
			allocs := testing.AllocsPerRun(50, func() {
				rec.Reset()
				_ = p.Parse(l, &rec)
			})
			if allocs > 0 {
				t.Errorf("%s: %q: %.1f allocations per line", name, l, allocs)
			}
		}
	}
}

func fwBench(b *testing.B, name string, clf string) {
	var lines [][]byte
	for _, l := range fwFile(b, name) {
		p := NewFramework(clf)
		var rec Record
		rec.Reset()
		if p.Parse(l, &rec) == nil && !rec.ErrorLine {
			lines = append(lines, l)
		}
	}
	size := 0
	for _, l := range lines {
		size += len(l) + 1
	}
	p := NewFramework(clf)
	var rec Record
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec.Reset()
		if err := p.Parse(lines[i%len(lines)], &rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkFrameworkWerkzeug(b *testing.B)  { fwBench(b, "flask.log", "") }
func BenchmarkFrameworkGunicorn(b *testing.B)  { fwBench(b, "gunicorn.log", FrameworkGunicorn) }
func BenchmarkFrameworkUvicorn(b *testing.B)   { fwBench(b, "uvicorn.log", "") }
func BenchmarkFrameworkDjango(b *testing.B)    { fwBench(b, "django.log", "") }
func BenchmarkFrameworkMorganDev(b *testing.B) { fwBench(b, "morgan-dev.log", "") }
func BenchmarkFrameworkMorganTiny(b *testing.B) {
	fwBench(b, "morgan-tiny.log", "")
}
func BenchmarkFrameworkMorganShort(b *testing.B) { fwBench(b, "morgan-short.log", "") }
func BenchmarkFrameworkGin(b *testing.B)         { fwBench(b, "gin.log", "") }
func BenchmarkFrameworkChi(b *testing.B)         { fwBench(b, "chi.log", "") }
func BenchmarkFrameworkASPNET(b *testing.B)      { fwBench(b, "aspnetcore.log", "") }

// BenchmarkFrameworkEcho measures Echo's JSON lines (the app JSON parser plus the latency).
func BenchmarkFrameworkEcho(b *testing.B) {
	app, _ := NewApp(nil)
	p := &EchoParser{app: app}
	var lines [][]byte
	for _, l := range fwFile(b, "echo.log") {
		if bytes.HasPrefix(l, []byte("{")) {
			lines = append(lines, l)
		}
	}
	size := 0
	for _, l := range lines {
		size += len(l) + 1
	}
	var rec Record
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec.Reset()
		if err := p.Parse(lines[i%len(lines)], &rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// TestEchoShapes checks Echo's lines in and out of the default key order: a line of
// testdata/frameworks/echo.log (Echo 4.16.5), the same with an escaped value (read by the app JSON
// parser), and a custom Format with fewer keys.
func TestEchoShapes(t *testing.T) {
	app, _ := NewApp(nil)
	p := &EchoParser{app: app}
	real := string(fwFile(t, "echo.log")[2])
	for _, tc := range []struct{ name, line, ua string }{
		{"default", real, "curl/7.88.1"},
		{"escaped", strings.Replace(real, `"curl/7.88.1"`, `"curl \"x\""`, 1), `curl "x"`},
		{"custom", `{"time":"2026-12-01T08:57:22.6014157Z","method":"POST","uri":"/items","status":405,"latency":97044,"latency_human":"97.044µs"}`, ""},
	} {
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte(tc.line), &rec); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if rec.Framework != FrameworkEcho || rec.Method != "POST" || rec.Status != 405 || rec.UserAgent != tc.ua ||
			rec.Duration != 97044*time.Nanosecond || !rec.Time.Equal(fwTime("2026-12-01T08:57:22.6014157Z")) {
			t.Errorf("%s: %s", tc.name, rec.AppendJSON(nil))
		}
	}
}

// TestFrameworkSamples reads the frameworks' files of samples/app as the command does: each is
// detected as the app format of its framework, and no line is rejected.
func TestFrameworkSamples(t *testing.T) {
	want := map[string]string{
		"gunicorn.log": FrameworkGunicorn, "uvicorn.cri.log": FrameworkUvicorn, "flask-werkzeug.log": FrameworkWerkzeug,
		"django-runserver.log": FrameworkDjango, "express-morgan-dev.log": FrameworkMorgan, "gin.log": FrameworkGin,
		"echo.log": FrameworkEcho, "chi.log": FrameworkChi, "rails.log": FrameworkRails, "aspnetcore.log": FrameworkASPNET,
		"spring-boot.log": FrameworkSpring, "localhost_access_log.2026-12-01.txt": FrameworkTomcat, "laravel.log": FrameworkLaravel,
	}
	c := &Config{}
	for name, fw := range want {
		ins, err := ExpandInputs([]string{"../samples/app/" + name})
		if err != nil || len(ins) != 1 {
			t.Fatalf("%s: %v", name, err)
		}
		o, err := c.OpenInput(ins[0])
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if o.Resolved.Format != FormatApp || !strings.Contains(o.Resolved.Variant, fw) {
			t.Errorf("%s: detected %s %q, want app %s", name, o.Resolved.Format, o.Resolved.Variant, fw)
		}
		frameworks := map[string]int{}
		var mu sync.Mutex
		st := o.Scan(0, func(r *Record, _ *Batch) {
			mu.Lock()
			frameworks[r.Framework]++
			mu.Unlock()
		}, func(*Batch) {})
		if st.Rejected > 0 || st.Parsed == 0 || frameworks[fw] != int(st.Parsed) {
			t.Errorf("%s: %+v, frameworks %v", name, st, frameworks)
		}
	}
}

// TestFrameworkAppLayer checks --app-layer: Combined Log Format lines (morgan 1.10.1 combined) in
// a file whose name says nothing are nginx's, unless their layer is declared an application.
func TestFrameworkAppLayer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	data, err := os.ReadFile("testdata/frameworks/morgan-combined.log")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c := &Config{AppLayers: []string{"api"}}
	for _, tc := range []struct{ layer, format string }{{"api", FormatApp}, {"edge", FormatNginx}, {"", FormatNginx}} {
		ins, err := ExpandInputs([]string{path})
		if err != nil {
			t.Fatal(err)
		}
		in := ins[0]
		in.Layer = tc.layer
		o, err := c.OpenInput(in)
		if err != nil {
			t.Fatalf("layer %q: %v", tc.layer, err)
		}
		var fw []string
		st := o.Scan(0, func(r *Record, _ *Batch) { fw = append(fw, r.Framework) }, func(*Batch) {})
		if o.Resolved.Format != tc.format || st.Rejected != 0 || st.Parsed != 5 {
			t.Errorf("layer %q: %s %q %+v", tc.layer, o.Resolved.Format, o.Resolved.Variant, st)
		}
		if tc.format == FormatApp && (len(fw) == 0 || fw[0] != FrameworkCLF) {
			t.Errorf("layer %q: frameworks %v, want clf", tc.layer, fw)
		}
	}
}

// TestFrameworkCLFMatchesNginx checks the direct Common/Combined Log Format reading against the
// nginx parser on the real gunicorn 20.1.0, morgan 1.10.1 and Tomcat 10.1.60 lines.
func TestFrameworkCLFMatchesNginx(t *testing.T) {
	for _, name := range []string{"gunicorn.log", "morgan-combined.log", "morgan-common.log", "localhost_access_log.2026-12-01.txt"} {
		p := NewFramework(FrameworkGunicorn)
		for i, l := range fwFile(t, name) {
			np := p.common
			if l[len(l)-1] == '"' {
				np = p.combined
			}
			var want, got Record
			want.Reset()
			got.Reset()
			if np.Parse(l, &want) != nil {
				continue // gunicorn's error log
			}
			if err := p.Parse(l, &got); err != nil {
				t.Errorf("%s:%d: %v", name, i+1, err)
				continue
			}
			if got.Method != want.Method || got.URI != want.URI || got.Path != want.Path || got.Proto != want.Proto ||
				got.Status != want.Status || !got.Time.Equal(want.Time) || got.ClientIP != want.ClientIP ||
				got.UserAgent != want.UserAgent || got.BytesSent != want.BytesSent {
				t.Errorf("%s:%d:\n got %s\nwant %s", name, i+1, got.AppendJSON(nil), want.AppendJSON(nil))
			}
		}
	}
}

// TestFrameworkGunicornWithProxyConf: gunicorn's default output (access lines with its error log)
// in a file whose name says nothing is the app's also when --nginx-conf or --apache-conf is given
// (nginx → HAProxy → gunicorn, all logs analysed in one run). The configurations' formats, tried
// for a file no access_log names, include combined, which read gunicorn's lines as nginx's.
func TestFrameworkGunicornWithProxyConf(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	data, err := os.ReadFile("testdata/frameworks/gunicorn.log")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	nc, err := LoadNginxConf("testdata/nginx/conf/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	ac, err := LoadApacheConf("testdata/proxies/apache2.conf")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*Config{"nginx-conf": {NginxConf: nc}, "apache-conf": {ApacheConf: ac}} {
		ins, err := ExpandInputs([]string{"app=" + path})
		if err != nil || len(ins) != 1 {
			t.Fatal(err)
		}
		o, err := c.OpenInput(ins[0])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		st := o.Scan(0, func(*Record, *Batch) {}, func(*Batch) {})
		if o.Resolved.Format != FormatApp || !strings.Contains(o.Resolved.Variant, FrameworkGunicorn) || st.Rejected != 0 {
			t.Errorf("%s: detected %s %q %+v, want app gunicorn", name, o.Resolved.Format, o.Resolved.Variant, st)
		}
	}
}

// TestFrameworkUntimedNote: an input whose lines have no time (morgan 'dev' behind Apache httpd,
// uvicorn's bare output) cannot be joined to the proxy's records, so each of its 405s is
// counted again at the layer in front; nothing said so (the variant that knew was shown
// nowhere). Its input now carries a note; a wrapper's time (CRI) leaves none.
func TestFrameworkUntimedNote(t *testing.T) {
	for name, untimed := range map[string]bool{"morgan-dev.log": true, "uvicorn.log": true, "uvicorn-cri.log": false, "gin.log": false} {
		res, err := (&Config{}).Resolve(name, fwFile(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := strings.Contains(res.Note, "no time of their own"); got != untimed {
			t.Errorf("%s (%s): note %q, want one: %v", name, res.Variant, res.Note, untimed)
		}
	}
}
