package parsers

import (
	"strings"
	"testing"
)

// A misspelled variable or operator is an error naming the one meant; variables a
// configuration defines (map, set) and header families still compile.
func TestFormatMisspellings(t *testing.T) {
	for _, tc := range []struct{ format, want string }{
		{`$remote_addr - $remote_user [$time_local] "$request" $staus $body_bytes_sent`, "unknown variable $staus: did you mean $status?"},
		{`$remote_addr [$time_local] "$request" $status $request_tme`, "did you mean $request_time?"},
		{`${remote_adr} [$time_local] "$request" $status`, "did you mean $remote_addr?"},
	} {
		_, err := CompileNginx(tc.format)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CompileNginx(%q): %v, want %q", tc.format, err, tc.want)
		}
	}
	for _, ok := range []string{
		`$remote_addr [$time_local] "$request" $status $loggable $http_x_custom_header $upstream_http_x_cache`,
		`$remote_addr [$time_local] "$request" $status $sent_http_content_type $cookie_session $arg_id`,
	} {
		if _, err := CompileNginx(ok); err != nil {
			t.Errorf("CompileNginx(%q): %v", ok, err)
		}
	}
	_, err := CompileEnvoy(`[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_COD% %RESPONSE_FLAGS%`)
	if err == nil || !strings.Contains(err.Error(), "unknown command operator %RESPONSE_COD%: did you mean %RESPONSE_CODE%?") {
		t.Errorf("CompileEnvoy: %v", err)
	}
	if _, err := CompileEnvoy(`[%START_TIME%] %RESPONSE_CODE% %UPSTREAM_HOST% %DOWNSTREAM_PEER_FINGERPRINT_256%`); err != nil {
		t.Errorf("CompileEnvoy on known operators: %v", err)
	}
}
