package parsers

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A format in which logtriage finds neither the status nor the method ($foo, %FOO%) matched any
// line and read it into an empty record; it is refused, naming the format, what it lacks and the
// names logtriage does not know. Variables it does not use beside those fields still compile.
func TestFormatWithoutFields(t *testing.T) {
	for _, tc := range []struct{ format, want string }{
		{`$foo`, `nginx format "$foo" logs neither $status nor $request or $request_method`},
		{`$remote_addr [$time_local] $foo`, "($foo: not among the nginx variables logtriage knows)"},
		{`escape=json {"t":"$msec","x":"$http_x_whatever"}`, "neither $status"},
	} {
		p, err := CompileNginx(tc.format)
		if err != nil {
			t.Fatalf("CompileNginx(%q): %v", tc.format, err)
		}
		if err := p.CheckFields(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckFields(%q): %v, want %q", tc.format, err, tc.want)
		}
	}
	for _, ok := range []string{
		NginxCombined, NginxUpstreamInfo,
		`$remote_addr [$time_local] "$request" $status $ssl_protocol $http_x_whatever $loggable`,
		`$remote_addr $request_method $uri $foo`,
		`escape=json {"status":"$status","ssl":"$ssl_protocol"}`,
	} {
		p, err := CompileNginx(ok)
		if err == nil {
			err = p.CheckFields()
		}
		if err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}

	for _, tc := range []struct{ format, want string }{
		{`%FOO%`, `envoy format "%FOO%" logs neither %RESPONSE_CODE% nor %REQ(:METHOD)%`},
		{`[%START_TIME%] %FOO(x):10% %BYTES_SENT%`, "(%FOO(x):10%: not among the Envoy command operators logtriage knows)"},
	} {
		p, err := CompileEnvoy(tc.format)
		if err != nil {
			t.Fatalf("CompileEnvoy(%q): %v", tc.format, err)
		}
		if err := p.CheckFields(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckFields(%q): %v, want %q", tc.format, err, tc.want)
		}
	}
	if p, err := CompileEnvoyJSON(map[string]string{"foo": "%FOO%", "start": "%START_TIME%"}); err != nil {
		t.Fatal(err)
	} else if err := p.CheckFields(); err == nil || !strings.Contains(err.Error(), "json_format with keys foo, start") {
		t.Errorf("CheckFields(json): %v", err)
	}
	for _, ok := range []string{EnvoyDefaultFormat, EnvoyIstioFormat, `%RESPONSE_CODE% %FOO%`} {
		p, err := CompileEnvoy(ok)
		if err == nil {
			err = p.CheckFields()
		}
		if err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	if p, err := CompileEnvoyJSON(map[string]string{"req": "%REQ(:METHOD)% %REQ(:PATH)%"}); err != nil || p.CheckFields() != nil {
		t.Errorf("json with the method in a mixed value: %v", err)
	}
}

// Through a configuration: an nginx.conf whose log_format of a timing log (no status) sorts
// before the one that wrote the file read nginx 1.22's own access lines (testdata/serverlogs)
// into empty records when the file was not named by an access_log; a file mapped to a format
// without fields is detected from its lines, and when nothing reads them the error names the
// format. The same for an Envoy configuration with a TCP proxy's log.
func TestFormatWithoutFieldsInConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "serverlogs", "nginx-access.log"))
	if err != nil {
		t.Fatal(err)
	}
	sample := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(`http {
    log_format a_timing '$request_time $upstream_response_time';
    log_format bad '$foo';
    log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';
    access_log /var/log/nginx/timing.log a_timing;
    access_log /var/log/nginx/bad.log bad;
    access_log /var/log/nginx/access.log main;
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	nc, err := loadNginxConf(conf, emptyHost)
	if err != nil {
		t.Fatal(err)
	}
	c := &Config{NginxConf: nc}
	for _, name := range []string{"copy.log", "bad.log"} {
		res, err := c.Resolve(name, sample)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var rec Record
		if err := res.NewParser().Parse(sample[0], &rec); err != nil || rec.Status != 200 || string(rec.Method) != "GET" {
			t.Errorf("%s: read by %s as %+v, %v", name, res.Variant, rec, err)
		}
	}
	_, err = c.Resolve("bad.log", toSample([]string{"neither nginx nor anything else", "at all"}))
	if err == nil || !strings.Contains(err.Error(), `nginx log_format bad (from nginx.conf): nginx format "$foo" logs neither`) {
		t.Errorf("bad.log of other lines: %v", err)
	}

	yaml := filepath.Join(dir, "envoy.yaml")
	if err := os.WriteFile(yaml, []byte(`static_resources:
  listeners:
  - filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: /var/log/envoy/a-tcp.log
              log_format:
                text_format: "[%START_TIME%] %FOO% %BYTES_SENT%\n"
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: /var/log/envoy/access.log
`), 0o644); err != nil {
		t.Fatal(err)
	}
	logs, err := LoadEnvoyConfig(yaml)
	if err != nil || len(logs) != 2 {
		t.Fatalf("LoadEnvoyConfig: %v, %v", logs, err)
	}
	data, err = os.ReadFile(filepath.Join("testdata", "envoy", "default.log"))
	if err != nil {
		t.Fatal(err)
	}
	sample = bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	c = &Config{EnvoyLogs: logs}
	res, err := c.Resolve("copy.log", sample)
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	if err := res.NewParser().Parse(sample[0], &rec); err != nil || rec.Status == 0 || len(rec.Method) == 0 {
		t.Errorf("copy.log: read by %s as %+v, %v", res.Variant, rec, err)
	}
	if _, _, err := EnvoyParserFor(logs, "a-tcp.log"); err == nil || !strings.Contains(err.Error(), "access log /var/log/envoy/a-tcp.log: envoy format") {
		t.Errorf("EnvoyParserFor(a-tcp.log): %v", err)
	}
}
