package parsers

import (
	"bufio"
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// albWant is the part of a Record an ALB test checks: every field the ALB parser sets.
type albWant struct {
	Time, Start                         string // RFC 3339 with nanoseconds; "" = zero
	Method, Host, URI, Path, RoutedPath string
	Proto                               string
	Status                              int
	Upstream                            []int
	UpstreamAddr, Service               string
	Local                               Local
	ClientIP, UserAgent                 string
	Duration                            time.Duration
	Detail                              string
	AmznRoot                            string
}

func albGot(r *Record) albWant {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.RFC3339Nano)
	}
	return albWant{
		Time: ts(r.Time), Start: ts(r.Start),
		Method: r.Method, Host: r.Host, URI: r.URI, Path: r.Path, RoutedPath: r.RoutedPath, Proto: r.Proto,
		Status: r.Status, Upstream: r.Upstream, UpstreamAddr: r.UpstreamAddr, Service: r.Service,
		Local: r.Local, ClientIP: r.ClientIP, UserAgent: r.UserAgent, Duration: r.Duration,
		Detail: r.Detail, AmznRoot: r.IDs.AmznRoot,
	}
}

// Example lines from docs/formats.md §3.5; each comment names the line's source.
const (
	// (docs) awsdocs/elb-application-load-balancers-user-guide, doc_source/load-balancer-access-logs.md
	albDocHTTP = `http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" 10.0.0.1:80 200 "-" "-"`
	// (docs) same page: HTTP/2 with a redirect action
	albDocH2 = `h2 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 10.0.1.252:48160 10.0.0.66:9000 0.000 0.002 0.000 200 200 5 257 "GET https://10.0.2.105:773/ HTTP/2.0" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337327-72bd00b0343d75b906739c42" "-" "-" 1 2018-07-02T22:22:48.364000Z "redirect" "https://example.com:80/" "-" 10.0.0.66:9000 200 "-" "-"`
	// (docs) same page: WebSocket
	albDocWS = `ws 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 10.0.0.140:40914 10.0.1.192:8010 0.001 0.003 0.000 101 101 218 587 "GET http://10.0.0.30:80/ HTTP/1.1" "-" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 1 2018-07-02T22:22:48.364000Z "forward" "-" "-" 10.0.1.192:8010 101 "-" "-"`
	// (docs) same page: failed Lambda, target and target status "-"
	albDocLambdaFail = `http 2018-11-30T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - 0.000 0.001 0.000 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 0 2018-11-30T22:22:48.364000Z "forward" "-" "LambdaInvalidResponse" "-" "-" "-" "-"`
	// (test data) elastic/beats, x-pack/filebeat/module/aws/elb/test/application-lb-http.log: 460, older version (ends after error_reason)
	albBeats460 = `http 2019-10-11T15:01:12.376735Z app/filebeat-aws-elb-test/c86a326e7dc14222 77.227.156.41:56398 10.0.0.192:80 -1 -1 -1 460 - 125 0 "GET http://filebeat-aws-elb-test-12030537.eu-central-1.elb.amazonaws.com:80/ HTTP/1.1" "curl/7.58.0" - - arn:aws:elasticloadbalancing:eu-central-1:627959692251:targetgroup/test-lb-instances/8f04c4fe71f5f794 "Root=1-5da09932-2c342a443bfb96249aa50ed7" "-" "-" 0 2019-10-11T15:01:06.657000Z "forward" "-" "-"`
	// (test data) elastic/beats, x-pack/filebeat/module/aws/elb/test/example-alb-http.log: malformed request
	albBeatsMalformed = `http 2018-11-30T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - -1 -1 -1 400 - 0 0 "- http://www.example.com:80- -" "-" - - - "-" "-" "-" 0 2018-11-30T22:22:48.364000Z "-" "-" "-"`
	// (issue) allinurl/goaccess #2557: IPv6 client without brackets
	albGoaccessIPv6 = `h2 2023-09-10T23:55:00.361692Z app/I8YR24BIAN4K/6378464905b0814a 2a02:a33c:4538:1:bcf4:5264:e01c:f215:50718 10.0.0.0:80 0.000 0.003 0.000 401 401 29 805 "GET https://api.foo.bar.nl:443/api/v1/alerts/me/outstanding HTTP/2.0" "3.20.0 (Build/1900005469; Android 33; samsung; SM-G781B) okhttp/4.11.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:xxx:targetgroup/ApiTa/4adf8897d8a3b7af "Root=1-64fe5754-33ecd7461b3736944677bb97" "api.foo.bar.nl" "session-reused" 11 2023-09-10T23:55:00.358000Z "forward" "-" "-" "10.0.100.2:80" "401" "-" "-"`
	// (test data) coralogix/coralogix-aws-shipper, tests/logs.rs: gRPC
	albCoralogixGRPC = `grpcs 2024-01-15T12:10:00.200705Z app/staging-load-balancer/900ec696b1d45ff6 10.69.80.245:36584 10.69.71.185:9002 0.000 0.023 0.000 200 200 588 429 "POST https://metrics.supert.sh:443/supertenant.superproto.metrics.v1.MetricsService/ReportMetrics HTTP/2.0" "grpc-go/1.46.2" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-1:850012249230:targetgroup/sputnik1-target/7bee47c166ccb48f "Root=1-65a52098-58b5bf0604a095737ba62e06" "metrics.supert.sh" "arn:aws:acm:us-east-1:850012249230:certificate/573ba1a4-763c-47cc-8a81-e98132fef479" 2 2024-01-15T12:10:00.176000Z "forward" "-" "-" "10.69.71.185:9002" "200" "-" "-"`
	// (issue) vectordotdev/vrl #861: conn_trace_id appended
	albVRLTID = `h2 2024-05-28T08:12:36.431832Z app/xxxxxx-lb/xxxxxxx 10.10.10.10:13624 1.1.1.1:8000 0.000 0.177 0.000 200 200 961 2071 "GET https://xxx.xx:443/ HTTP/2.0" "Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:ap-northeast-1:00000000000:targetgroup/xxxxxxx/fc465292d29 "Root=1-665591f4-15d57af7699b090b59a269b4" "xxxxxx.xx" "arn:aws:acm:ap-northeast-1:0000000000000:certificate/5ceabee6-9244-4331-9690-xxxxxxxxxx" 10160 2024-05-28T08:12:36.254000Z "forward" "-" "-" "172.16.140.164:8000" "200" "-" "-" TID_37acbe0641d1c34287fee137ef3a5286`
	// (constructed) docs/formats.md §3.5: TRACE rejected by the ALB itself
	albConstructedTrace = `https 2026-11-24T10:00:00.123456Z app/edge/0123456789abcdef 203.0.113.7:50123 - 0.000 0.000 0.000 405 - 210 312 "TRACE https://api.example.com:443/v1/items HTTP/1.1" "curl/8.5.0" TLS_AES_128_GCM_SHA256 TLSv1.3 - "Root=1-67430a80-0a1b2c3d4e5f60718293a4b5" "api.example.com" "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012" - 2026-11-24T10:00:00.122000Z "-" "-" "-" "-" "-" "-" "-" TID_0f1e2d3c4b5a69788796a5b4c3d2e1f0 "-" "-" "-"`
	// (constructed) docs/formats.md §3.5: fixed-response 405 rule
	albConstructedFixed = `https 2026-11-24T10:00:01.123456Z app/edge/0123456789abcdef 203.0.113.7:50124 - 0.000 0.000 0.000 405 - 230 180 "DELETE https://api.example.com:443/v1/items/7 HTTP/1.1" "curl/8.5.0" TLS_AES_128_GCM_SHA256 TLSv1.3 - "Root=1-67430a81-1b2c3d4e5f60718293a4b5c6" "api.example.com" "session-reused" 3 2026-11-24T10:00:01.122000Z "fixed-response" "-" "-" "-" "-" "-" "-" TID_1f2e3d4c5b6a79889706b5c4d3e2f1a0 "-" "-" "-"`
)

// Constructed lines for cases no public sample shows (docs/formats.md §3.2/§3.3 rules).
const (
	// (constructed) newest layout: target answered 405, TID_, transform fields, then two unknown fields.
	albConstructedTransform = `https 2026-11-24T10:00:02.500000Z app/edge/0123456789abcdef 203.0.113.9:40000 10.0.1.7:8080 0.001 0.004 0.000 405 405 310 190 "POST https://api.example.com:443/api/orders?x=1 HTTP/1.1" "Go-http-client/1.1" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders-tg/0123456789abcdef "Self=1-67430a82-aaaaaaaaaaaaaaaaaaaaaaaa;Root=1-67430a82-2c3d4e5f60718293a4b5c6d7" "api.example.com" "session-reused" 5 2026-11-24T10:00:02.495000Z "forward" "-" "-" "10.0.1.7:8080" "405" "-" "-" TID_2f3e4d5c6b7a8998a7b6c5d4e3f2a1b0 "internal.example.com" "/v2/orders?x=1" "TransformSuccess" "future-field" 42`
	// (constructed) Lambda target answered 405: target:port "-" with a target status.
	albConstructedLambda405 = `https 2026-11-24T10:00:03.000000Z app/edge/0123456789abcdef 203.0.113.9:40001 - 0.001 0.020 0.000 405 405 220 160 "PUT https://api.example.com:443/fn/items HTTP/1.1" "curl/8.5.0" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/items-fn/0123456789abcdef "Root=1-67430a83-3d4e5f60718293a4b5c6d7e8" "api.example.com" "session-reused" 4 2026-11-24T10:00:02.979000Z "forward" "-" "-" "-" "405" "-" "-"`
	// (constructed) escaped quotes in the user agent, wss, IPv6 client in compressed form.
	albConstructedEscapedUA = `wss 2026-11-24T10:00:04.000000Z app/edge/0123456789abcdef 2001:db8::1:50718 10.0.1.8:8080 0.000 0.010 0.000 101 101 300 200 "GET https://api.example.com:443/ws?room=1 HTTP/1.1" "agent \"quoted\" \\ 1.0" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ws-tg/0123456789abcdef "Root=1-67430a84-4e5f60718293a4b5c6d7e8f9" "api.example.com" "-" 7 2026-11-24T10:00:00.000000Z "forward" "-" "-" "10.0.1.8:8080" "101" "-" "-"`
	// (constructed) malformed request logged as "- - -", target lists quoted and ending after #26.
	// (test data) vectordotdev/vrl, src/stdlib/parse_aws_alb_log.rs: user agent sent with literal quotes, logged as \x22
	albVRLQuotedUA = `h2 2020-01-11T01:11:10.111111Z app/myalb/0123456789abcdef 1.123.123.123:12345 10.0.1.100:80 0.000 0.159 0.000 200 200 315 488 "GET https://example.com:443/very/good/route?some=pArameter12345&_=0123456788912 HTTP/2.0" "\x22Mozilla/5.0 (iPhone; CPU iPhone OS 11_4 like Mac OS X) available_resolution = 667,375 Apple Inc.~Apple A11 GPU\x22" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:ap-northeast-3:012345678901:targetgroup/myalb/0123456789abcdef "Root=1-abcd0123-0123456789abcdef01234567" "example.com" "session-reused" 1 2020-01-11T01:11:10.111111Z "forward" "-" "-" "10.0.1.100:80" "200" "-" "-"`
	// (test data) vectordotdev/vrl, same file: "undocumented space character after HTTP version in real world data"
	albVRLTrailingSpace = `http 2020-01-01T22:22:22.222222Z app/myalb/0123456789abcdef 123.123.123.123:12345 10.0.10.0:80 0.001 0.007 0.000 404 404 19 997 "GET http://myalb-012345678.ap-northeast-2.elb.amazonaws.com:80/ HTTP/1.0 " "-" - - arn:aws:elasticloadbalancing:ap-northeast-2:012345678901:targetgroup/mytargetgroup/0123456789abcdef "Root=1-abcd0123-0123456789abcdef01234567" "-" "-" 0 2020-01-01T22:22:22.222222Z "forward" "-" "-" "10.0.10.0:80" "404" "Acceptable" "NonCompliantVersion"`
	// (constructed) a UTF-8 user agent ("엔진", U+C5D4 U+C9C4) as the ALB writes bytes beyond ASCII: one \xHH per byte
	albConstructedUTF8UA = `https 2026-11-24T10:00:06.000000Z app/edge/0123456789abcdef 203.0.113.9:40002 10.0.1.8:8080 0.000 0.010 0.000 200 200 300 200 "GET https://api.example.com:443/ HTTP/1.1" "\xEC\x97\x94\xEC\xA7\x84/1.0" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ws-tg/0123456789abcdef "Root=1-67430a84-4e5f60718293a4b5c6d7e8f9" "api.example.com" "-" 7 2026-11-24T10:00:06.000000Z "forward" "-" "-" "10.0.1.8:8080" "200" "-" "-"`
	albConstructedDashes = `http 2026-11-24T10:00:05.000000Z app/edge/0123456789abcdef [2001:db8::2]:443 - -1 -1 -1 400 - 0 0 "- - -" "-" - - - "-" "-" "-" - 2026-11-24T10:00:05.000000Z "-" "-" "-" "-" "-"`
)

func TestALBExamples(t *testing.T) {
	tests := []struct {
		name string
		line string
		want albWant
	}{
		{"doc http forward, unquoted target lists", albDocHTTP, albWant{
			Time: "2018-07-02T22:23:00.186641Z", Start: "2018-07-02T22:22:48.364Z",
			Method: "GET", Host: "www.example.com", URI: "/", Path: "/", Proto: "HTTP/1.1",
			Status: 200, Upstream: []int{200}, UpstreamAddr: "10.0.0.1:80", Service: "my-targets",
			Local: LocalNo, ClientIP: "192.168.131.39", UserAgent: "curl/7.46.0", Duration: time.Millisecond,
			Detail: "type=http actions=forward rule=0", AmznRoot: "1-58337262-36d228ad5d99923122bbe354"}},
		{"doc h2 redirect, odd port kept", albDocH2, albWant{
			Time: "2018-07-02T22:23:00.186641Z", Start: "2018-07-02T22:22:48.364Z",
			Method: "GET", Host: "10.0.2.105:773", URI: "/", Path: "/", Proto: "HTTP/2.0",
			Status: 200, Upstream: []int{200}, UpstreamAddr: "10.0.0.66:9000", Service: "my-targets",
			Local: LocalNo, ClientIP: "10.0.1.252", UserAgent: "curl/7.46.0", Duration: 2 * time.Millisecond,
			Detail: "type=h2 actions=redirect rule=1 redirect=https://example.com:80/", AmznRoot: "1-58337327-72bd00b0343d75b906739c42"}},
		{"doc websocket", albDocWS, albWant{
			Time: "2018-07-02T22:23:00.186641Z", Start: "2018-07-02T22:22:48.364Z",
			Method: "GET", Host: "10.0.0.30", URI: "/", Path: "/", Proto: "HTTP/1.1",
			Status: 101, Upstream: []int{101}, UpstreamAddr: "10.0.1.192:8010", Service: "my-targets",
			Local: LocalNo, ClientIP: "10.0.0.140", Duration: 4 * time.Millisecond,
			Detail: "type=ws actions=forward rule=1", AmznRoot: "1-58337364-23a8c76965a2ef7629b185e3"}},
		{"doc failed lambda is ALB-local 502", albDocLambdaFail, albWant{
			Time: "2018-11-30T22:23:00.186641Z", Start: "2018-11-30T22:22:48.364Z",
			Method: "GET", Host: "www.example.com", URI: "/", Path: "/", Proto: "HTTP/1.1",
			Status: 502, Upstream: []int{}, Service: "my-targets",
			Local: LocalYes, ClientIP: "192.168.131.39", UserAgent: "curl/7.46.0", Duration: time.Millisecond,
			Detail: "type=http lambda actions=forward rule=0 error_reason=LambdaInvalidResponse", AmznRoot: "1-58337364-23a8c76965a2ef7629b185e3"}},
		{"beats 460 with -1 timings, older 25-field line", albBeats460, albWant{
			Time: "2019-10-11T15:01:12.376735Z", Start: "2019-10-11T15:01:06.657Z",
			Method: "GET", Host: "filebeat-aws-elb-test-12030537.eu-central-1.elb.amazonaws.com", URI: "/", Path: "/", Proto: "HTTP/1.1",
			Status: 460, Upstream: []int{-1}, UpstreamAddr: "10.0.0.192:80", Service: "test-lb-instances",
			Local: LocalYes, ClientIP: "77.227.156.41", UserAgent: "curl/7.58.0", Duration: -1,
			Detail: "type=http actions=forward rule=0", AmznRoot: "1-5da09932-2c342a443bfb96249aa50ed7"}},
		{"beats malformed request", albBeatsMalformed, albWant{
			Time: "2018-11-30T22:23:00.186641Z", Start: "2018-11-30T22:22:48.364Z",
			Host: "www.example.com", Proto: "HTTP/1.x",
			Status: 400, Upstream: []int{}, Local: LocalYes, ClientIP: "192.168.131.39", Duration: -1,
			Detail: "type=http rule=0"}},
		{"goaccess IPv6 client without brackets", albGoaccessIPv6, albWant{
			Time: "2023-09-10T23:55:00.361692Z", Start: "2023-09-10T23:55:00.358Z",
			Method: "GET", Host: "api.foo.bar.nl", URI: "/api/v1/alerts/me/outstanding", Path: "/api/v1/alerts/me/outstanding", Proto: "HTTP/2.0",
			Status: 401, Upstream: []int{401}, UpstreamAddr: "10.0.0.0:80", Service: "ApiTa",
			Local: LocalNo, ClientIP: "2a02:a33c:4538:1:bcf4:5264:e01c:f215",
			UserAgent: "3.20.0 (Build/1900005469; Android 33; samsung; SM-G781B) okhttp/4.11.0", Duration: 3 * time.Millisecond,
			Detail: "type=h2 actions=forward rule=11", AmznRoot: "1-64fe5754-33ecd7461b3736944677bb97"}},
		{"coralogix grpcs", albCoralogixGRPC, albWant{
			Time: "2024-01-15T12:10:00.200705Z", Start: "2024-01-15T12:10:00.176Z",
			Method: "POST", Host: "metrics.supert.sh", URI: "/supertenant.superproto.metrics.v1.MetricsService/ReportMetrics",
			Path: "/supertenant.superproto.metrics.v1.MetricsService/ReportMetrics", Proto: "HTTP/2.0",
			Status: 200, Upstream: []int{200}, UpstreamAddr: "10.69.71.185:9002", Service: "sputnik1-target",
			Local: LocalNo, ClientIP: "10.69.80.245", UserAgent: "grpc-go/1.46.2", Duration: 23 * time.Millisecond,
			Detail: "type=grpcs actions=forward rule=2", AmznRoot: "1-65a52098-58b5bf0604a095737ba62e06"}},
		{"vrl conn_trace_id appended", albVRLTID, albWant{
			Time: "2024-05-28T08:12:36.431832Z", Start: "2024-05-28T08:12:36.254Z",
			Method: "GET", Host: "xxx.xx", URI: "/", Path: "/", Proto: "HTTP/2.0",
			Status: 200, Upstream: []int{200}, UpstreamAddr: "1.1.1.1:8000", Service: "xxxxxxx",
			Local: LocalNo, ClientIP: "10.10.10.10",
			UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
			Duration:  177 * time.Millisecond,
			Detail:    "type=h2 actions=forward rule=10160", AmznRoot: "1-665591f4-15d57af7699b090b59a269b4"}},
		{"constructed TRACE rejected by the ALB (405, no target)", albConstructedTrace, albWant{
			Time: "2026-11-24T10:00:00.123456Z", Start: "2026-11-24T10:00:00.122Z",
			Method: "TRACE", Host: "api.example.com", URI: "/v1/items", Path: "/v1/items", Proto: "HTTP/1.1",
			Status: 405, Upstream: []int{}, Local: LocalYes, ClientIP: "203.0.113.7", UserAgent: "curl/8.5.0",
			Detail: "type=https", AmznRoot: "1-67430a80-0a1b2c3d4e5f60718293a4b5"}},
		{"constructed fixed-response 405", albConstructedFixed, albWant{
			Time: "2026-11-24T10:00:01.123456Z", Start: "2026-11-24T10:00:01.122Z",
			Method: "DELETE", Host: "api.example.com", URI: "/v1/items/7", Path: "/v1/items/7", Proto: "HTTP/1.1",
			Status: 405, Upstream: []int{}, Local: LocalYes, ClientIP: "203.0.113.7", UserAgent: "curl/8.5.0",
			Detail: "type=https actions=fixed-response rule=3", AmznRoot: "1-67430a81-1b2c3d4e5f60718293a4b5c6"}},
		{"constructed target 405 with transform and unknown trailing fields", albConstructedTransform, albWant{
			Time: "2026-11-24T10:00:02.5Z", Start: "2026-11-24T10:00:02.495Z",
			Method: "POST", Host: "api.example.com", URI: "/api/orders?x=1", Path: "/api/orders", RoutedPath: "/v2/orders", Proto: "HTTP/1.1",
			Status: 405, Upstream: []int{405}, UpstreamAddr: "10.0.1.7:8080", Service: "orders-tg",
			Local: LocalNo, ClientIP: "203.0.113.9", UserAgent: "Go-http-client/1.1", Duration: 5 * time.Millisecond,
			Detail:   "type=https actions=forward rule=5 transformed_host=internal.example.com transform_status=TransformSuccess",
			AmznRoot: "1-67430a82-2c3d4e5f60718293a4b5c6d7"}},
		{"constructed Lambda function answered 405", albConstructedLambda405, albWant{
			Time: "2026-11-24T10:00:03Z", Start: "2026-11-24T10:00:02.979Z",
			Method: "PUT", Host: "api.example.com", URI: "/fn/items", Path: "/fn/items", Proto: "HTTP/1.1",
			Status: 405, Upstream: []int{405}, Service: "items-fn",
			Local: LocalNo, ClientIP: "203.0.113.9", UserAgent: "curl/8.5.0", Duration: 21 * time.Millisecond,
			Detail: "type=https lambda actions=forward rule=4", AmznRoot: "1-67430a83-3d4e5f60718293a4b5c6d7e8"}},
		{"constructed wss, escaped quotes in user agent, compressed IPv6", albConstructedEscapedUA, albWant{
			Time: "2026-11-24T10:00:04Z", Start: "2026-11-24T10:00:00Z",
			Method: "GET", Host: "api.example.com", URI: "/ws?room=1", Path: "/ws", Proto: "HTTP/1.1",
			Status: 101, Upstream: []int{101}, UpstreamAddr: "10.0.1.8:8080", Service: "ws-tg",
			Local: LocalNo, ClientIP: "2001:db8::1", UserAgent: `agent "quoted" \ 1.0`, Duration: 10 * time.Millisecond,
			Detail: "type=wss actions=forward rule=7", AmznRoot: "1-67430a84-4e5f60718293a4b5c6d7e8f9"}},
		{"constructed malformed - - -, bracketed IPv6, ends after #26", albConstructedDashes, albWant{
			Time: "2026-11-24T10:00:05Z", Start: "2026-11-24T10:00:05Z", Proto: "HTTP/1.x",
			Status: 400, Upstream: []int{}, Local: LocalYes, ClientIP: "2001:db8::2", Duration: -1,
			Detail: "type=http"}},
		{"vrl \\x22 around the user agent decodes to quotes", albVRLQuotedUA, albWant{
			Time: "2020-01-11T01:11:10.111111Z", Start: "2020-01-11T01:11:10.111111Z",
			Method: "GET", Host: "example.com", URI: "/very/good/route?some=pArameter12345&_=0123456788912", Path: "/very/good/route", Proto: "HTTP/2.0",
			Status: 200, Upstream: []int{200}, UpstreamAddr: "10.0.1.100:80", Service: "myalb",
			Local: LocalNo, ClientIP: "1.123.123.123",
			UserAgent: `"Mozilla/5.0 (iPhone; CPU iPhone OS 11_4 like Mac OS X) available_resolution = 667,375 Apple Inc.~Apple A11 GPU"`,
			Duration:  159 * time.Millisecond, Detail: "type=h2 actions=forward rule=1", AmznRoot: "1-abcd0123-0123456789abcdef01234567"}},
		{"vrl space before the closing quote of the request", albVRLTrailingSpace, albWant{
			Time: "2020-01-01T22:22:22.222222Z", Start: "2020-01-01T22:22:22.222222Z",
			Method: "GET", Host: "myalb-012345678.ap-northeast-2.elb.amazonaws.com", URI: "/", Path: "/", Proto: "HTTP/1.0",
			Status: 404, Upstream: []int{404}, UpstreamAddr: "10.0.10.0:80", Service: "mytargetgroup",
			Local: LocalNo, ClientIP: "123.123.123.123", Duration: 8 * time.Millisecond,
			Detail:   "type=http actions=forward rule=0 classification=Acceptable classification_reason=NonCompliantVersion",
			AmznRoot: "1-abcd0123-0123456789abcdef01234567"}},
		{"constructed UTF-8 user agent as \\xHH bytes", albConstructedUTF8UA, albWant{
			Time: "2026-11-24T10:00:06Z", Start: "2026-11-24T10:00:06Z",
			Method: "GET", Host: "api.example.com", URI: "/", Path: "/", Proto: "HTTP/1.1",
			Status: 200, Upstream: []int{200}, UpstreamAddr: "10.0.1.8:8080", Service: "ws-tg",
			Local: LocalNo, ClientIP: "203.0.113.9", UserAgent: "엔진/1.0", Duration: 10 * time.Millisecond,
			Detail: "type=https actions=forward rule=7", AmznRoot: "1-67430a84-4e5f60718293a4b5c6d7e8f9"}},
	}
	p := NewALB()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec Record
			rec.Reset()
			if err := p.Parse([]byte(tt.line), &rec); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := albGot(&rec); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestALBOlderAndNewerLayouts(t *testing.T) {
	// The same request cut after #24, #26 and #28 (older ALB versions) and extended with
	// unknown fields (newer versions) keeps every field it has.
	fields := albTestSplit(t, albVRLTID)
	p := NewALB()
	for _, n := range []int{25, 27, 29, 30, 33, 35} {
		var parts []string
		for i := 0; i < n; i++ {
			if i < len(fields) {
				parts = append(parts, fields[i])
			} else {
				parts = append(parts, `"-"`)
			}
		}
		line := strings.Join(parts, " ")
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte(line), &rec); err != nil {
			t.Fatalf("%d fields: %v", n, err)
		}
		if rec.Status != 200 || rec.Method != "GET" || rec.Local != LocalNo || rec.Service != "xxxxxxx" {
			t.Errorf("%d fields: got %+v", n, albGot(&rec))
		}
	}
}

// albTestSplit splits a line whose quoted fields hold no escapes, keeping the quotes.
func albTestSplit(t *testing.T, line string) []string {
	var out []string
	for len(line) > 0 {
		line = strings.TrimLeft(line, " ")
		if line == "" {
			break
		}
		end := strings.IndexByte(line, ' ')
		if line[0] == '"' {
			end = strings.IndexByte(line[1:], '"') + 2
		}
		if end < 0 {
			end = len(line)
		}
		out = append(out, line[:end])
		line = line[end:]
	}
	if len(out) != 30 {
		t.Fatalf("split: %d fields", len(out))
	}
	return out
}

func TestALBRejects(t *testing.T) {
	tests := []struct {
		name, line, reason string
	}{
		// (constructed) in the shape of the Classic ELB example in the AWS Classic ELB guide.
		{"constructed classic ELB", `2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -`, "Classic ELB"},
		// (constructed) in the shape of the NLB example in the AWS NLB guide.
		{"constructed NLB", `tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - - - ECDHE-RSA-AES128-SHA tlsv12 - - - - - 2018-12-20T02:59:30`, "Network Load Balancer"},
		// nginx combined (docs/formats.md §1.1)
		{"nginx line", `127.0.0.1 - - [25/Oct/2016:14:49:33 +0200] "GET / HTTP/1.1" 200 612 "-" "curl/7.47.0"`, "not an ALB access log line"},
		{"truncated inside a quoted field", albDocHTTP[:strings.Index(albDocHTTP, "curl/7.4")+8], "truncated ALB line: field #13 (user_agent) has no closing quote"},
		{"truncated after field 20", strings.Join(albTestSplit(t, albVRLTID)[:21], " "), "truncated ALB line: 21 fields, at least 25 expected (the line ends after matched_rule_priority)"},
		{"bad status", strings.Replace(albDocHTTP, " 200 200 ", " OK 200 ", 1), "elb_status_code is not a number"},
		{"bad time", strings.Replace(albDocHTTP, "2018-07-02T22:23:00.186641Z", "yesterday", 1), "time is not"},
	}
	p := NewALB()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec Record
			rec.Reset()
			err := p.Parse([]byte(tt.line), &rec)
			if err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("err = %v, want one containing %q", err, tt.reason)
			}
		})
	}
	var rec Record
	if err := p.Parse([]byte("  \t"), &rec); err != ErrBlank {
		t.Errorf("blank line: err = %v, want ErrBlank", err)
	}
}

// TestALBSamples parses every line of the gzip samples: they must all be ALB records.
func TestALBSamples(t *testing.T) {
	files, _ := filepath.Glob("../samples/alb/*.log.gz")
	if len(files) < 2 {
		t.Fatalf("want at least two samples/alb/*.log.gz files, got %d", len(files))
	}
	p := NewALB()
	for _, f := range files {
		lines := albReadGzip(t, f)
		if len(lines) == 0 {
			t.Errorf("%s: empty", f)
		}
		for i, l := range lines {
			var rec Record
			rec.Reset()
			if err := p.Parse([]byte(l), &rec); err != nil {
				t.Errorf("%s:%d: %v", f, i+1, err)
			}
		}
	}
}

func TestALBNoAllocs(t *testing.T) {
	p := NewALB()
	line := []byte(albVRLTID)
	var rec Record
	n := testing.AllocsPerRun(200, func() {
		rec.Reset()
		if err := p.Parse(line, &rec); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per line, want 0", n)
	}
}

func BenchmarkALB(b *testing.B) {
	lines := albBenchLines(b)
	p := NewALB()
	var rec Record
	size := 0
	for _, l := range lines {
		size += len(l) + 1
	}
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec.Reset()
		_ = p.Parse(lines[i%len(lines)], &rec)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func albBenchLines(tb testing.TB) [][]byte {
	f, err := os.Open("testdata/alb/formats-examples.log")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	s := bufio.NewScanner(f)
	for s.Scan() {
		out = append(out, append([]byte(nil), s.Bytes()...))
	}
	return out
}

func albReadGzip(t *testing.T, name string) []string {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []string
	s := bufio.NewScanner(z)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		out = append(out, s.Text())
	}
	if err := s.Err(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}
