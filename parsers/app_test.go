package parsers

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// appWant is the part of a Record the app parser sets.
type appWant struct {
	Time                               string // RFC 3339 with nanoseconds; "" = zero
	Method, Host, URI, Path            string
	Status                             int
	Allow, Origin, ACRMethod           string
	ClientIP, UserAgent, Service       string
	Duration                           time.Duration
	Detail                             string
	RequestID, TraceID, AmznRoot, B3ID string
}

func appGot(r *Record) appWant {
	ts := ""
	if !r.Time.IsZero() {
		ts = r.Time.Format(time.RFC3339Nano)
	}
	return appWant{
		Time: ts, Method: r.Method, Host: r.Host, URI: r.URI, Path: r.Path, Status: r.Status,
		Allow: r.Allow, Origin: r.Origin, ACRMethod: r.ACRMethod, ClientIP: r.ClientIP,
		UserAgent: r.UserAgent, Service: r.Service, Duration: r.Duration, Detail: r.Detail,
		RequestID: r.IDs.RequestID, TraceID: r.IDs.TraceID, AmznRoot: r.IDs.AmznRoot, B3ID: r.IDs.B3TraceID,
	}
}

// appSlog405 is docs/formats.md §4.6's (constructed) slog access-log line for a Go 1.22+ ServeMux 405.
const appSlog405 = `{"time":"2026-11-24T10:00:00.123456789Z","level":"INFO","msg":"request","method":"POST","path":"/api/orders","status":405,"allow":"GET, HEAD","request_id":"9f2c6a1e0b7d4c3a8e5f1a2b3c4d5e6f","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","duration_ms":0.12}`

const appTrace = "4bf92f3577b34da6a3ce929d0e0e4736"

func TestAppAccessLines(t *testing.T) {
	tests := []struct {
		name string
		line string
		want appWant
	}{
		{"constructed slog 405 (docs/formats.md §4.6)", appSlog405, appWant{
			Time: "2026-11-24T10:00:00.123456789Z", Method: "POST", URI: "/api/orders", Path: "/api/orders",
			Status: 405, Allow: "GET, HEAD", Duration: 120 * time.Microsecond,
			RequestID: "9f2c6a1e0b7d4c3a8e5f1a2b3c4d5e6f", TraceID: appTrace}},
		{"constructed zap: epoch seconds ts, duration string, traceparent, Envoy-marked UUID",
			`{"level":"info","ts":1795514400.25,"caller":"http/log.go:42","msg":"request","method":"DELETE","path":"/api/orders/7","status":405,"latency":"1.5ms","request_id":"c62ec130-6dee-bf3b-a52b-4f0d1312d89d","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}`,
			appWant{Time: "2026-11-24T10:00:00.25Z", Method: "DELETE", URI: "/api/orders/7", Path: "/api/orders/7",
				Status: 405, Duration: 1500 * time.Microsecond,
				RequestID: "c62ec130-6dee-4f3b-a52b-4f0d1312d89d", TraceID: appTrace}},
		{"constructed zap: exponent ts",
			`{"level":"info","ts":1.7955144e+09,"msg":"request","method":"GET","path":"/","status":200}`,
			appWant{Time: "2026-11-24T10:00:00Z", Method: "GET", URI: "/", Path: "/", Status: 200, Duration: -1}},
		{"constructed logrus: string status, lower-case method, offset time, uri with query, client port",
			`{"level":"warning","msg":"request","time":"2026-11-24T11:00:02+01:00","method":"put","uri":"/api/orders?id=3","status_code":"405","remote_addr":"10.0.0.7:53412","user_agent":"curl/8.5.0","x_request_id":"ABC-123"}`,
			appWant{Time: "2026-11-24T10:00:02Z", Method: "PUT", URI: "/api/orders?id=3", Path: "/api/orders",
				Status: 405, ClientIP: "10.0.0.7", UserAgent: "curl/8.5.0", Duration: -1, RequestID: "abc-123"}},
		{"constructed pino-http: req/res nested, epoch ms, headers",
			`{"level":30,"time":1795514400123,"pid":657,"hostname":"orders-7d9f","req":{"id":1,"method":"OPTIONS","url":"/api/orders","headers":{"host":"api.example.com:443","user-agent":"Mozilla/5.0","x-request-id":"9f2c6a1e-0b7d-4c3a-8e5f-1a2b3c4d5e6f","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","origin":"https://shop.example.com","access-control-request-method":"delete"},"remoteAddress":"::ffff:10.0.1.5","remotePort":64386},"res":{"statusCode":405,"headers":{"allow":"GET, HEAD"}},"responseTime":3,"msg":"request completed"}`,
			appWant{Time: "2026-11-24T10:00:00.123Z", Method: "OPTIONS", Host: "api.example.com", URI: "/api/orders", Path: "/api/orders",
				Status: 405, Allow: "GET, HEAD", Origin: "https://shop.example.com", ACRMethod: "DELETE",
				ClientIP: "::ffff:10.0.1.5", UserAgent: "Mozilla/5.0", Duration: 3 * time.Millisecond,
				RequestID: "9f2c6a1e-0b7d-4c3a-8e5f-1a2b3c4d5e6f", TraceID: appTrace}},
		{"constructed logstash-logback: MDC traceId, app and version",
			`{"@timestamp":"2026-11-24T10:00:03.456+00:00","@version":"1","message":"POST /api/orders 405","logger_name":"access","thread_name":"http-nio-8080-exec-1","level":"INFO","level_value":20000,"method":"POST","uri":"/api/orders","status":405,"elapsed_ms":12,"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","X-Request-ID":"req-42","app":"orders","version":"1.4.2"}`,
			appWant{Time: "2026-11-24T10:00:03.456Z", Method: "POST", URI: "/api/orders", Path: "/api/orders", Status: 405,
				Service: "orders", Duration: 12 * time.Millisecond, Detail: "version=1.4.2", RequestID: "req-42", TraceID: appTrace}},
		{"constructed ECS nested objects, allow as a list, event.duration ns",
			`{"@timestamp":"2026-11-24T10:00:04.000Z","log":{"level":"info"},"http":{"request":{"method":"PATCH","id":"rid-1"},"response":{"status_code":405,"headers":{"allow":["GET, HEAD"]}}},"url":{"path":"/api/orders/9","domain":"api.example.com"},"event":{"duration":2500000},"service":{"name":"orders","version":"2.0.1","environment":"prod"},"trace":{"id":"4BF92F3577B34DA6A3CE929D0E0E4736"},"user_agent":{"original":"curl/8.5.0"},"source":{"ip":"10.0.0.9"}}`,
			appWant{Time: "2026-11-24T10:00:04Z", Method: "PATCH", Host: "api.example.com", URI: "/api/orders/9", Path: "/api/orders/9",
				Status: 405, Allow: "GET, HEAD", ClientIP: "10.0.0.9", UserAgent: "curl/8.5.0", Service: "orders",
				Duration: 2500 * time.Microsecond, Detail: "version=2.0.1 env=prod", RequestID: "rid-1", TraceID: appTrace}},
		{"constructed ECS literal dotted keys, full URL, route template",
			`{"@timestamp":"2026-11-24T10:00:05.000Z", "log.level": "INFO", "message":"request","http.request.method":"DELETE","url.original":"https://api.example.com/api/orders/9?force=1","http.response.status_code":405,"http.route":"/api/orders/{id}","service.name":"orders","trace.id":"4bf92f3577b34da6a3ce929d0e0e4736","transaction.id":"28b7fb8d5aba51f1","event.duration":1200000,"client.ip":"10.0.0.10"}`,
			appWant{Time: "2026-11-24T10:00:05Z", Method: "DELETE", Host: "api.example.com", URI: "/api/orders/9?force=1", Path: "/api/orders/9",
				Status: 405, ClientIP: "10.0.0.10", Service: "orders", Duration: 1200 * time.Microsecond,
				Detail: "route=/api/orders/{id}", TraceID: appTrace}},
		{"constructed nested and dotted keys mixed, route only, X-Ray id",
			`{"http":{"request.method":"GET"},"http.response":{"status_code":200},"route":"/api/orders/{id}","AWS-XRAY-TRACE-ID":"Root=1-6b056040-50278581f2538d60925bb2da;Parent=53995c3f42cd8ad8;Sampled=1"}`,
			appWant{Method: "GET", URI: "/api/orders/{id}", Path: "/api/orders/{id}", Status: 200, Duration: -1,
				AmznRoot: "1-6b056040-50278581f2538d60925bb2da"}},
		{"constructed key case ignored, b3, duration number in ms",
			`{"Method":"GET","Path":"/","StatusCode":200,"B3":"80f198ee56343ba864fe8b2a57d3eff7-05e3ac9a4f6e3b90-1","Duration":35}`,
			appWant{Method: "GET", URI: "/", Path: "/", Status: 200, Duration: 35 * time.Millisecond, B3ID: "80f198ee56343ba864fe8b2a57d3eff7"}},
		{"constructed business status skipped for status_code, escaped strings",
			`{"status":"active","status_code":405,"method":"POST","path":"/api/caf\u00e9","user_agent":"say \"hi\"","duration":"35µs"}`,
			appWant{Method: "POST", URI: "/api/café", Path: "/api/café", Status: 405, UserAgent: `say "hi"`, Duration: 35 * time.Microsecond}},
		{"constructed logfmt access line",
			`time=2026-11-24T10:00:00Z level=info msg="request" method=POST path=/api/orders status=405 request_id=abc trace_id=4bf92f3577b34da6a3ce929d0e0e4736 allow="GET, HEAD" duration=1.2ms user_agent="curl \"x\" 8" service=orders env=staging`,
			appWant{Time: "2026-11-24T10:00:00Z", Method: "POST", URI: "/api/orders", Path: "/api/orders", Status: 405,
				Allow: "GET, HEAD", UserAgent: `curl "x" 8`, Service: "orders", Duration: 1200 * time.Microsecond,
				Detail: "env=staging", RequestID: "abc", TraceID: appTrace}},
		{"constructed Docker json-file wrapper around JSON",
			`{"log":"{\"time\":\"2026-11-24T10:00:06Z\",\"method\":\"POST\",\"path\":\"/api/orders\",\"status\":405,\"allow\":\"GET, HEAD\"}\n","stream":"stdout","time":"2026-11-24T10:00:06.000000001Z"}`,
			appWant{Time: "2026-11-24T10:00:06Z", Method: "POST", URI: "/api/orders", Path: "/api/orders", Status: 405, Allow: "GET, HEAD", Duration: -1}},
		{"constructed Docker wrapper around logfmt, time from the wrapper",
			`{"log":"method=GET path=/healthz status=200\n","stream":"stderr","time":"2026-11-24T10:00:07.5Z"}`,
			appWant{Time: "2026-11-24T10:00:07.5Z", Method: "GET", URI: "/healthz", Path: "/healthz", Status: 200, Duration: -1}},
		{"constructed CRI wrapper, time from the wrapper",
			`2026-11-24T10:00:08.123456789Z stdout F {"method":"POST","path":"/api/orders","status":405}`,
			appWant{Time: "2026-11-24T10:00:08.123456789Z", Method: "POST", URI: "/api/orders", Path: "/api/orders", Status: 405, Duration: -1}},
		{"constructed CRI wrapper around a Docker-style logfmt line",
			`2026-11-24T10:00:09Z stderr F ts=1795514409 method=HEAD path=/ status=200`,
			appWant{Time: "2026-11-24T10:00:09Z", Method: "HEAD", URI: "/", Path: "/", Status: 200, Duration: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := appWrapped(t, tt.line)
			var rec Record
			rec.Reset()
			if err := p.Parse([]byte(tt.line), &rec); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if rec.Local != LocalYes {
				t.Errorf("Local = %v, want true (the app is the innermost hop)", rec.Local)
			}
			if got := appGot(&rec); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestAppRejects(t *testing.T) {
	tests := []struct {
		name, line string
		want       error
	}{
		// golang/go, src/log/slog/example_multi_handler_test.go (docs/formats.md §4.6)
		{"slog login line", `{"level":"INFO","msg":"login","name":"whoami","id":42}`, errAppNoHTTP},
		// pinojs/pino, README.md (docs/formats.md §4.6)
		{"pino hello world", `{"level":30,"time":1531171074631,"msg":"hello world","pid":657,"hostname":"Davids-MBP-3.fritz.box"}`, errAppNoHTTP},
		// elastic/ecs-logging-java, README.md (docs/formats.md §4.6)
		{"ECS Tomcat started", `{"@timestamp":"2019-08-06T12:09:12.375Z", "log.level": "INFO", "message":"Tomcat started on port(s): 8080 (http) with context path ''", "service.name":"spring-petclinic","process.thread.name":"restartedMain","log.logger":"org.springframework.boot.web.embedded.tomcat.TomcatWebServer"}`, errAppNoHTTP},
		{"ECS debug with trace.id", `{"@timestamp":"2019-08-06T14:08:40.199Z", "log.level":"DEBUG", "message":"init find form", "service.name":"spring-petclinic","process.thread.name":"http-nio-8080-exec-8","log.logger":"org.springframework.samples.petclinic.owner.OwnerController","transaction.id":"28b7fb8d5aba51f1","trace.id":"2869b25b5469590610fea49ac04af7da"}`, errAppNoHTTP},
		{"constructed ECS stackTraceAsArray first line", `{"@timestamp":"2019-08-06T16:21:43.003Z", "log.level":"ERROR", "message":"boom", "error.stack_trace":[`, errAppIncomplete},
		{"constructed broken JSON", `{"method":"GET" "path":"/"}`, errAppInvalid},
		{"constructed logfmt without HTTP fields", `time=2026-11-24T10:00:00Z level=info msg="cache warmed" entries=120`, errAppNoHTTP},
		{"constructed plain text", `Server started on :8080`, errAppNotLogfmt},
		{"constructed CRI partial line (the next F line completes it)", `2026-11-24T10:00:08.123456789Z stdout P {"method":"POST","path":"/api/or`, ErrContinued},
		{"constructed Docker wrapper, non-HTTP inner line", `{"log":"listening on :8080\n","stream":"stdout","time":"2026-11-24T10:00:07.5Z"}`, errAppNotLogfmt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := appWrapped(t, tt.line)
			var rec Record
			rec.Reset()
			if err := p.Parse([]byte(tt.line), &rec); err != tt.want {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	var rec Record
	if err := appWrapped(t, "").Parse([]byte(" \r"), &rec); err != ErrBlank {
		t.Errorf("blank: %v", err)
	}
}

func TestAppOverrides(t *testing.T) {
	p, err := NewApp(map[string]string{"status": "http.status", "path": "request.target", "duration": "took_ns"})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`{"status":200,"http":{"status":405},"request":{"target":"/x"},"took_ns":1500}`,
		`{"status":200,"http.status":"405","request.target":"/x","took_ns":1500}`,
		`{"status":200,"http.status":405,"request":{"target":"/x"},"took_ns":"1500"}`,
		`status=200 http.status=405 request.target=/x took_ns=1500`,
	} {
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte(line), &rec); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if rec.Status != 405 || rec.Path != "/x" || rec.Duration != 1500*time.Nanosecond {
			t.Errorf("%s: status %d path %q duration %v, want 405 /x 1.5µs", line, rec.Status, rec.Path, rec.Duration)
		}
	}
	_, err = NewApp(map[string]string{"stauts": "x"})
	if err == nil || !strings.Contains(err.Error(), `unknown app field "stauts"`) || !strings.Contains(err.Error(), "method, path, route, status") {
		t.Errorf("unknown field: err = %v", err)
	}
	if _, err = NewApp(map[string]string{"status": ""}); err == nil {
		t.Error("empty key path accepted")
	}
}

func TestAppFieldIndexes(t *testing.T) {
	want := map[int]string{appMethod: "method", appPath: "path", appRoute: "route", appStatus: "status",
		appRequestID: "request_id", appTraceID: "trace_id", appTraceparent: "traceparent", appB3: "b3",
		appAmzn: "amzn", appTime: "time", appHost: "host", appUserAgent: "user_agent", appClientIP: "client_ip",
		appDuration: "duration", appAllow: "allow", appOrigin: "origin", appACRMethod: "acr_method",
		appService: "service", appEnv: "env", appVersion: "version", appBytesSent: "bytes", appQuery: "query"}
	if len(AppFieldAliases) != appNumFields || len(want) != appNumFields {
		t.Fatalf("%d aliases, %d constants", len(AppFieldAliases), appNumFields)
	}
	for i, name := range want {
		if AppFieldAliases[i].Name != name {
			t.Errorf("AppFieldAliases[%d] = %s, want %s", i, AppFieldAliases[i].Name, name)
		}
	}
}

// TestAppSamples checks the JSON and logfmt files of samples/app: every line is either an access
// record or a non-HTTP line. (The frameworks' files there are TestFrameworkSamples'.)
func TestAppSamples(t *testing.T) {
	files, _ := filepath.Glob("../samples/app/*")
	p, _ := NewApp(nil)
	seen := 0
	for _, f := range files {
		if !strings.HasSuffix(f, ".json") && !strings.HasSuffix(f, ".logfmt") {
			continue
		}
		seen++
		records, other := 0, 0
		for i, l := range appReadLines(t, f) {
			var rec Record
			rec.Reset()
			switch err := p.Parse([]byte(l), &rec); err {
			case nil:
				records++
				if rec.Time.IsZero() || rec.Status == 0 || rec.Method == "" {
					t.Errorf("%s:%d: incomplete record %+v", f, i+1, appGot(&rec))
				}
			case errAppNoHTTP:
				other++
			default:
				t.Errorf("%s:%d: %v", f, i+1, err)
			}
		}
		if records < 15 || other == 0 {
			t.Errorf("%s: %d records, %d non-HTTP lines", f, records, other)
		}
	}
	if seen < 4 {
		t.Errorf("want 4 sample files, got %d", seen)
	}
}

func appReadLines(tb testing.TB, name string) []string {
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		out = append(out, s.Text())
	}
	return out
}

func TestAppNoAllocs(t *testing.T) {
	for _, line := range []string{appSlog405, appBenchLogfmt,
		// Real shapes of each logger (constructed lines, as in TestAppAccessLines).
		`{"level":30,"time":1795514400123,"pid":657,"hostname":"orders-7d9f","req":{"id":1,"method":"OPTIONS","url":"/api/orders","headers":{"host":"api.example.com:443","user-agent":"Mozilla/5.0","x-request-id":"9f2c6a1e-0b7d-4c3a-8e5f-1a2b3c4d5e6f","origin":"https://shop.example.com"},"remoteAddress":"::ffff:10.0.1.5"},"res":{"statusCode":405,"headers":{"allow":"GET, HEAD"}},"responseTime":3,"msg":"request completed"}`,
		`{"@timestamp":"2026-11-24T10:00:05.000Z", "log.level": "INFO", "http.request.method":"DELETE","url.original":"https://api.example.com/api/orders/9?force=1","http.response.status_code":405,"http.route":"/api/orders/{id}","service.name":"orders","event.duration":1200000}`,
		`{"log":"{\"time\":\"2026-11-24T10:00:06Z\",\"method\":\"POST\",\"path\":\"/api/orders\",\"status\":405}\n","stream":"stdout","time":"2026-11-24T10:00:06.000000001Z"}`,
		`2026-11-24T10:00:09Z stderr F ts=1795514409 method=HEAD path=/ status="200" duration=35 version=1.2`,
	} {
		var rec Record
		l := []byte(line)
		p := appWrapped(t, line)
		n := testing.AllocsPerRun(200, func() {
			rec.Reset()
			if err := p.Parse(l, &rec); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("%v allocations per line, want 0: %s", n, line)
		}
	}
}

const appBenchLogfmt = `time=2026-11-24T10:00:00Z level=info msg="request" method=POST path=/api/orders status=405 request_id=9f2c6a1e0b7d4c3a8e5f1a2b3c4d5e6f trace_id=4bf92f3577b34da6a3ce929d0e0e4736 allow="GET, HEAD" duration=1.2ms`

func appBench(b *testing.B, line string) {
	p, _ := NewApp(nil)
	l := []byte(line)
	var rec Record
	b.SetBytes(int64(len(l) + 1))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rec.Reset()
		if err := p.Parse(l, &rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkAppJSON(b *testing.B)   { appBench(b, appSlog405) }
func BenchmarkAppLogfmt(b *testing.B) { appBench(b, appBenchLogfmt) }

// TestAppSamplesJoinALB checks that the samples tell one story: every slog record that logged
// an X-Amzn-Trace-Id meets the ALB record with the same Root, the ALB relayed the app's status
// and the method and path agree.
func TestAppSamplesJoinALB(t *testing.T) {
	files, _ := filepath.Glob("../samples/alb/*.log.gz")
	alb := NewALB()
	byRoot := map[string]*Record{}
	for _, f := range files {
		for _, l := range albReadGzip(t, f) {
			var rec Record
			rec.Reset()
			if alb.Parse([]byte(l), &rec) == nil && rec.IDs.AmznRoot != "" {
				byRoot[rec.IDs.AmznRoot] = rec.Clone()
			}
		}
	}
	app, _ := NewApp(nil)
	joined := 0
	for _, l := range appReadLines(t, "../samples/app/slog.json") {
		var rec Record
		rec.Reset()
		if app.Parse([]byte(l), &rec) != nil || rec.IDs.AmznRoot == "" {
			continue
		}
		a := byRoot[rec.IDs.AmznRoot]
		if a == nil {
			t.Errorf("no ALB record for %s %s (%s)", rec.Method, rec.Path, rec.IDs.AmznRoot)
			continue
		}
		joined++
		if a.Status != rec.Status || a.LastUpstream() != rec.Status || a.Local != LocalNo || a.Method != rec.Method ||
			a.Path != rec.Path || a.Time.Before(rec.Time) {
			t.Errorf("ALB %s %s %d (upstream %v, at %v) vs app %s %s %d at %v", a.Method, a.Path, a.Status, a.Upstream, a.Time,
				rec.Method, rec.Path, rec.Status, rec.Time)
		}
	}
	if joined < 5 {
		t.Errorf("%d app records joined the ALB, want at least 5", joined)
	}
}

// appWrapped returns the app parser a run would use for line: inside the container wrapper
// (wrap.go) when the line is a Docker json-file or CRI line.
func appWrapped(t *testing.T, line string) Parser {
	t.Helper()
	p, err := NewApp(nil)
	if err != nil {
		t.Fatal(err)
	}
	if kind := sniffWrap([][]byte{[]byte(line)}); kind != wrapNone {
		return &unwrapper{kind: kind, inner: p, max: DefaultMaxLine}
	}
	return p
}
