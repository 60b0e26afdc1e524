package parsers

import (
	"strings"
	"testing"
)

// Container wrappers around nginx and Envoy lines (docs/formats.md §4.5; the inner lines are
// example lines of §1.7 and §2.7, some shortened, wrapped as Docker and containerd write them).
func TestResolveUnwrapsContainerLines(t *testing.T) {
	docker := []string{
		`{"log":"77.179.66.156 - - [25/Oct/2016:14:49:33 +0200] \"GET / HTTP/1.1\" 200 612 \"-\" \"Mozilla/5.0\"\n","stream":"stdout","time":"2016-10-25T12:49:33.1Z"}`,
		`{"log":"172.17.0.1 - - [07/Jul/2021:20:28:01 +0000] \"POST / HTTP/1.1\" 405 157 \"-\" \"hey/0.0.1\"\n","stream":"stdout","time":"2021-07-07T20:28:01.5Z"}`,
	}
	full := `[2019-02-12T18:37:42.921Z] "GET /httpbin/ip HTTP/1.1" 200 - 0 43 217 216 "172.17.0.5" "curl/7.59.0" "c62ec130-6dee-4f3b-a52b-4f0d1312d89d" "httpbin.org" "52.87.35.92:80"`
	cri := []string{
		`2019-02-12T18:37:42.921123456Z stdout F ` + full,
		// containerd splits a long line into P chunks ended by an F chunk.
		`2019-02-12T18:37:43.000000000Z stdout P ` + strings.Replace(full[:60], "/httpbin/ip", "/httpbin/xx", 1),
		`2019-02-12T18:37:43.000000001Z stdout P ` + full[60:100],
		`2019-02-12T18:37:43.000000002Z stdout F ` + full[100:],
	}
	for _, tc := range []struct {
		name, format string
		lines        []string
		status       int
		method, path string
	}{
		{"docker nginx", FormatNginx, docker, 405, "POST", "/"},
		{"cri envoy", FormatEnvoy, cri, 200, "GET", "/httpbin/xx"},
	} {
		var sample [][]byte
		for _, l := range tc.lines {
			sample = append(sample, []byte(l))
		}
		c := &Config{}
		res, err := c.Resolve("x.log", sample)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res.Format != tc.format || !strings.Contains(res.Variant, "inside") {
			t.Errorf("%s: resolved %s (%s)", tc.name, res.Format, res.Variant)
		}
		// The lines in order through one parser: the last record is the one checked; CRI P
		// lines say they continue.
		p := res.NewParser()
		var rec Record
		records := 0
		for _, l := range sample {
			rec.Reset()
			switch err := p.Parse(l, &rec); err {
			case nil:
				records++
			case ErrContinued:
			default:
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		if records != 2 || rec.Status != tc.status || rec.Method != tc.method || rec.Path != tc.path {
			t.Errorf("%s: %d records, last %+v", tc.name, records, rec)
		}
	}
}

// A wrapped line without a time of its own takes the runtime's time stamp.
func TestUnwrapKeepsRuntimeTime(t *testing.T) {
	u := &unwrapper{kind: wrapCRI, inner: mustApp(t)}
	var rec Record
	rec.Reset()
	line := []byte(`2026-11-24T10:00:01.5Z stdout F method=POST path=/api/orders status=405`)
	if err := u.Parse(line, &rec); err != nil || rec.Time.Format("15:04:05.0") != "10:00:01.5" {
		t.Errorf("CRI: %v %v", err, rec.Time)
	}
	u = &unwrapper{kind: wrapDocker, inner: mustApp(t)}
	rec.Reset()
	line = []byte(`{"log":"method=POST path=/api/orders status=405\n","stream":"stdout","time":"2026-11-24T10:00:02.25Z"}`)
	if err := u.Parse(line, &rec); err != nil || rec.Time.Format("15:04:05.00") != "10:00:02.25" {
		t.Errorf("Docker: %v %v", err, rec.Time)
	}
}

func mustApp(t *testing.T) Parser {
	p, err := NewApp(nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLogBase(t *testing.T) {
	for in, want := range map[string]string{
		"/var/log/nginx/access.log": "access.log",
		"access.log.1":              "access.log",
		"access.log.2.gz":           "access.log",
		"access.log-20261124":       "access.log",
		"access.log-2026112410.gz":  "access.log",
		"edge.log.2026-11-24.gz":    "edge.log",
		"app.json":                  "app.json",
		"ingress-1.log":             "ingress-1.log",
	} {
		if got := logBase(in); got != want {
			t.Errorf("logBase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBinaryInputSaysSo(t *testing.T) {
	c := &Config{}
	_, err := c.Resolve("x", [][]byte{[]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00")})
	if err == nil || !strings.Contains(err.Error(), "not a text log") {
		t.Errorf("%v", err)
	}
}
