package main

import (
	"strings"
	"testing"
)

// --envoy-format '%FOO%' and --nginx-format '$foo' read every line of any log into empty records
// and exited 0; a format without the status or the method is now a usage error naming it.
func TestFormatWithoutFields(t *testing.T) {
	for _, tc := range []struct{ flag, format, want string }{
		{"--envoy-format", "%FOO%", `--envoy-format: envoy format "%FOO%" logs neither %RESPONSE_CODE% nor %REQ(:METHOD)%`},
		{"--nginx-format", "$foo", `--nginx-format: nginx format "$foo" logs neither $status nor $request or $request_method`},
	} {
		r := lt(t, nil, "parse", tc.flag, tc.format, "samples/envoy/default.log")
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%s %s: exit %d: %s%s", tc.flag, tc.format, r.code, r.stdout, r.stderr)
		}
	}
	// Variables logtriage does not use beside $status are fine (these lines lack the last one).
	r := lt(t, nil, "parse", "--nginx-format", `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $ssl_protocol`, "samples/nginx/combined.log")
	if r.code == exitUsage {
		t.Errorf("a format with $status and $ssl_protocol refused: %s", r.stderr)
	}
}
