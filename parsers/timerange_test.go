package parsers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A line dated outside 1677–2262 is rejected with its reason, in every family of formats: the
// engine orders hops by nanoseconds since 1970, which cannot hold such a time (timeparse.go).
func TestYear2300LineRejected(t *testing.T) {
	cases := []struct {
		name, format, good, bad string
	}{
		{"nginx combined", "", `198.51.100.23 - - [24/Nov/2026:09:00:01 +0100] "GET / HTTP/1.1" 200 4212 "-" "curl/8.5.0"`,
			`198.51.100.23 - - [24/Nov/2300:09:00:01 +0100] "GET / HTTP/1.1" 200 4212 "-" "curl/8.5.0"`},
		{"nginx json", "", `{"time":"2026-11-24T10:10:00+00:00","method":"GET","uri":"/v1/orders","status":200}`,
			`{"time":"2300-11-24T10:10:00+00:00","method":"GET","uri":"/v1/orders","status":200}`},
		{"envoy default", "", `[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80"`,
			`[2300-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 405 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80"`},
		{"alb", "", `http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" 10.0.0.1:80 200 "-" "-"`,
			`http 2300-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2300-07-02T22:22:48.364000Z "forward" "-" "-" 10.0.0.1:80 200 "-" "-"`},
		{"app logfmt", FormatApp, `time=2026-11-24T10:00:00.1Z level=INFO msg="request" method=POST path=/cart status=405`,
			`time=2300-11-24T10:00:00.1Z level=INFO msg="request" method=POST path=/cart status=405`},
		{"app pino epoch ms", FormatApp, `{"level":30,"time":1795514400500,"msg":"request completed","req":{"method":"POST","url":"/cart"},"res":{"statusCode":405}}`,
			`{"level":30,"time":10413792000000,"msg":"request completed","req":{"method":"POST","url":"/cart"},"res":{"statusCode":405}}`},
		{"apache", FormatApache, `127.0.0.1 - - [01/Dec/2026:09:05:05 +0000] "GET /items HTTP/1.1" 200 6 "-" "curl/7.88.1"`,
			`127.0.0.1 - - [01/Dec/2300:09:05:05 +0000] "GET /items HTTP/1.1" 200 6 "-" "curl/7.88.1"`},
		{"haproxy", FormatHAProxy, `<134>Dec  1 09:05:20 localhost haproxy[2952]: 127.0.0.1:43702 [01/Dec/2026:09:05:20.690] fe_main be_app/app1 0/0/0/1/1 200 142 - - ---- 1/1/0/0/0 0/0 "GET /items HTTP/1.1"`,
			`<134>Dec  1 09:05:20 localhost haproxy[2952]: 127.0.0.1:43702 [01/Dec/2300:09:05:20.690] fe_main be_app/app1 0/0/0/1/1 200 142 - - ---- 1/1/0/0/0 0/0 "GET /items HTTP/1.1"`},
		{"caddy epoch seconds", FormatCaddy, `{"level":"info","ts":1796115773.5128107,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"127.0.0.1","proto":"HTTP/1.1","method":"GET","host":"h","uri":"/items"},"duration":0.007,"size":6,"status":200}`,
			`{"level":"info","ts":10413792000.5,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"127.0.0.1","proto":"HTTP/1.1","method":"GET","host":"h","uri":"/items"},"duration":0.007,"size":6,"status":200}`},
		{"traefik clf", FormatTraefik, `37.186.248.50 - - [07/Jan/2026:16:26:58 +0000] "GET / HTTP/1.0" 404 19 "-" "-" 12 "-" "-" 0ms`,
			`37.186.248.50 - - [07/Jan/2300:16:26:58 +0000] "GET / HTTP/1.0" 404 19 "-" "-" 12 "-" "-" 0ms`},
		{"gin", FormatApp, `[GIN] 2026/12/01 - 08:57:21 | 405 |  1.152µs |       127.0.0.1 | POST     "/items"`,
			`[GIN] 2300/12/01 - 08:57:21 | 405 |  1.152µs |       127.0.0.1 | POST     "/items"`},
		{"iis", FormatIIS, "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken\n2026-11-24 10:00:00 10.0.0.5 GET /api - 443 - 10.0.0.9 curl 200 0 0 3",
			"2300-11-24 10:00:00 10.0.0.5 PUT /api - 443 - 10.0.0.9 curl 405 0 0 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.log")
			if err := os.WriteFile(path, []byte(tc.good+"\n"+tc.bad+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			c := &Config{Format: tc.format}
			o, err := c.OpenInput(Input{Name: "in.log", Path: path})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			var years []int
			st := o.Scan(0, func(rec *Record, b *Batch) { years = append(years, rec.Time.Year()) }, nil)
			if st.Rejected != 1 || len(st.Examples) != 1 {
				t.Fatalf("stats %+v (record years %v), want the year-2300 line rejected", st, years)
			}
			if r := st.Examples[0].Reason; !strings.Contains(r, "2300-") || !strings.Contains(r, "outside the years 1677–2262") {
				t.Errorf("reason %q", r)
			}
			for _, y := range years {
				if y >= 2262 {
					t.Errorf("a record dated %d was kept", y)
				}
			}
		})
	}
}
