package parsers

import "testing"

// TestBytesSent: the response size each format logs lands in Record.BytesSent (joins without ids
// compare it across hops); -1 when the line has none.
func TestBytesSent(t *testing.T) {
	nginx, err := CompileNginx(NginxCombined)
	if err != nil {
		t.Fatal(err)
	}
	envoy, err := CompileEnvoy(EnvoyDefaultFormat)
	if err != nil {
		t.Fatal(err)
	}
	app, err := NewApp(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		p    Parser
		line string
		want int64
	}{
		// samples/nginx/combined.log style
		{"nginx combined", nginx, `203.0.113.7 - - [24/Nov/2026:10:00:01 +0000] "POST /settings HTTP/1.1" 405 157 "-" "curl/8.5.0"`, 157},
		// samples/envoy/default.log:2
		{"envoy default", envoy, `[2026-11-24T10:00:02.088Z] "GET /v1/items/7 HTTP/1.1" 200 - 0 510 28 28 "203.0.113.113" "curl/8.5.0" "1fb17c23-90c1-92cf-d3ac-94af0f21ddb6" "api.example.com" "10.0.3.4:8080"`, 510},
		{"app bytes_sent", app, `{"time":"2026-11-24T10:00:01Z","method":"GET","path":"/a","status":200,"bytes_sent":42}`, 42},
		{"app without size", app, `{"time":"2026-11-24T10:00:01Z","method":"GET","path":"/a","status":200}`, -1},
	} {
		var rec Record
		rec.Reset()
		if err := c.p.Parse([]byte(c.line), &rec); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if rec.BytesSent != c.want {
			t.Errorf("%s: BytesSent %d, want %d", c.name, rec.BytesSent, c.want)
		}
	}
}
