package parsers

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A misspelled variable or operator in a format string ($staus, %RESPONSE_COD%) would make
// every line of the log fail to match, or worse, match with a field left empty. nginx and
// Envoy themselves refuse unknown names when they load the configuration, but nginx also
// knows variables a configuration defines (map, set, geo), which logtriage cannot list: so a
// name is refused when it is not known and is one or two edits away from a known one, and the
// error names that one.

// nginxOtherVariables are the nginx variables (core and common modules, ingress-nginx's) that
// nginxVarKinds does not map to a field.
var nginxOtherVariables = []string{
	"args", "binary_remote_addr", "body_bytes_sent", "bytes_received", "bytes_sent", "connection",
	"connection_requests", "connection_time", "connections_active", "content_length", "content_type",
	"cookie", "date_gmt", "date_local", "document_root", "gzip_ratio", "hostname", "http2", "http3",
	"https", "is_args", "limit_rate", "msec", "nginx_version", "pid", "pipe", "proxy_add_x_forwarded_for",
	"proxy_host", "proxy_port", "proxy_protocol_addr", "proxy_protocol_port", "proxy_protocol_server_addr",
	"proxy_protocol_server_port", "query_string", "realip_remote_port", "realpath_root", "remote_port",
	"remote_user", "request_body", "request_body_file", "request_completion", "request_filename",
	"request_length", "scheme", "server_addr", "server_port", "ssl_cipher", "ssl_client_verify",
	"ssl_protocol", "ssl_server_name", "ssl_session_id", "ssl_session_reused", "tcpinfo_rcv_space",
	"tcpinfo_rtt", "tcpinfo_rttvar", "tcpinfo_snd_cwnd", "time_local", "upstream_bytes_received",
	"upstream_bytes_sent", "upstream_cache_status", "upstream_connect_time", "upstream_header_time",
	"upstream_response_length", "upstream_response_time", "upstream_queue_time", "geoip_country_code",
	"proxy_alternative_upstream_name", "proxy_alternative_upstream_status", "namespace", "ingress_name",
	"service_name", "service_port", "location_path", "request_host", "host_header", "server_protocol",
}

// nginxVariablePrefixes start the names of variable families (a header, cookie or argument
// name follows), which are not checked.
var nginxVariablePrefixes = []string{"http_", "sent_http_", "sent_trailer_", "cookie_", "arg_",
	"upstream_http_", "upstream_cookie_", "upstream_trailer_", "jwt_", "ssl_", "geoip", "otel_", "arg"}

// envoyOperators are Envoy's access log command operators (its substitution formatter).
var envoyOperators = []string{
	"START_TIME", "START_TIME_LOCAL", "EMIT_TIME", "EMIT_TIME_LOCAL", "REQUEST_HEADERS_BYTES",
	"BYTES_RECEIVED", "BYTES_RETRANSMITTED", "PACKETS_RETRANSMITTED", "UPSTREAM_WIRE_BYTES_RECEIVED",
	"UPSTREAM_HEADER_BYTES_RECEIVED", "DOWNSTREAM_WIRE_BYTES_RECEIVED", "DOWNSTREAM_HEADER_BYTES_RECEIVED",
	"PROTOCOL", "UPSTREAM_PROTOCOL", "RESPONSE_CODE", "RESPONSE_CODE_DETAILS", "CONNECTION_TERMINATION_DETAILS",
	"RESPONSE_HEADERS_BYTES", "RESPONSE_TRAILERS_BYTES", "BYTES_SENT", "UPSTREAM_WIRE_BYTES_SENT",
	"UPSTREAM_HEADER_BYTES_SENT", "DOWNSTREAM_WIRE_BYTES_SENT", "DOWNSTREAM_HEADER_BYTES_SENT", "DURATION",
	"REQUEST_DURATION", "REQUEST_TX_DURATION", "RESPONSE_DURATION", "RESPONSE_TX_DURATION",
	"DOWNSTREAM_HANDSHAKE_DURATION", "ROUNDTRIP_DURATION", "COMMON_DURATION", "RESPONSE_FLAGS",
	"RESPONSE_FLAGS_LONG", "UPSTREAM_HOST", "UPSTREAM_HOST_NAME", "UPSTREAM_HOST_NAME_WITHOUT_PORT",
	"UPSTREAM_CLUSTER", "UPSTREAM_CLUSTER_RAW", "UPSTREAM_LOCAL_ADDRESS", "UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT",
	"UPSTREAM_LOCAL_PORT", "UPSTREAM_REMOTE_ADDRESS", "UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT",
	"UPSTREAM_REMOTE_PORT", "UPSTREAM_REQUEST_ATTEMPT_COUNT", "UPSTREAM_TLS_CIPHER", "UPSTREAM_TLS_VERSION",
	"UPSTREAM_TLS_SESSION_ID", "UPSTREAM_PEER_ISSUER", "UPSTREAM_PEER_CERT", "UPSTREAM_PEER_SUBJECT",
	"UPSTREAM_TRANSPORT_FAILURE_REASON", "UPSTREAM_DETECTED_CLOSE_TYPE", "UPSTREAM_CONNECTION_ID",
	"UPSTREAM_CONNECTION_POOL_READY_DURATION", "UPSTREAM_FILTER_STATE", "UPSTREAM_METADATA",
	"DOWNSTREAM_TRANSPORT_FAILURE_REASON", "DOWNSTREAM_LOCAL_CLOSE_REASON", "DOWNSTREAM_DETECTED_CLOSE_TYPE",
	"DOWNSTREAM_REMOTE_ADDRESS", "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_REMOTE_PORT",
	"DOWNSTREAM_DIRECT_REMOTE_ADDRESS", "DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT",
	"DOWNSTREAM_DIRECT_REMOTE_PORT", "DOWNSTREAM_LOCAL_ADDRESS", "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT",
	"DOWNSTREAM_LOCAL_PORT", "DOWNSTREAM_DIRECT_LOCAL_ADDRESS", "DOWNSTREAM_DIRECT_LOCAL_ADDRESS_WITHOUT_PORT",
	"DOWNSTREAM_DIRECT_LOCAL_PORT", "DOWNSTREAM_CONNECTION_ID", "CONNECTION_ID", "REQUESTED_SERVER_NAME",
	"ROUTE_NAME", "VIRTUAL_CLUSTER_NAME", "DOWNSTREAM_PEER_URI_SAN", "DOWNSTREAM_PEER_DNS_SAN",
	"DOWNSTREAM_PEER_IP_SAN", "DOWNSTREAM_PEER_EMAIL_SAN", "DOWNSTREAM_PEER_OTHERNAME_SAN",
	"DOWNSTREAM_LOCAL_URI_SAN", "DOWNSTREAM_LOCAL_DNS_SAN", "DOWNSTREAM_LOCAL_IP_SAN",
	"DOWNSTREAM_LOCAL_EMAIL_SAN", "DOWNSTREAM_LOCAL_OTHERNAME_SAN", "DOWNSTREAM_PEER_SUBJECT",
	"DOWNSTREAM_LOCAL_SUBJECT", "DOWNSTREAM_PEER_ISSUER", "DOWNSTREAM_TLS_SESSION_ID", "DOWNSTREAM_TLS_CIPHER",
	"DOWNSTREAM_TLS_VERSION", "DOWNSTREAM_PEER_FINGERPRINT_256", "DOWNSTREAM_PEER_FINGERPRINT_1",
	"DOWNSTREAM_PEER_SERIAL", "DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_256", "DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_1",
	"DOWNSTREAM_PEER_CHAIN_SERIALS", "DOWNSTREAM_PEER_CERT", "DOWNSTREAM_PEER_CERT_V_START",
	"DOWNSTREAM_PEER_CERT_V_END", "UPSTREAM_PEER_CERT_V_START", "UPSTREAM_PEER_CERT_V_END", "HOSTNAME",
	"LOCAL_REPLY_BODY", "FILTER_CHAIN_NAME", "UNIQUE_ID", "STREAM_ID", "ACCESS_LOG_TYPE", "REQ", "RESP",
	"TRAILER", "REQUEST_HEADER", "RESPONSE_HEADER", "RESPONSE_TRAILER", "REQ_WITHOUT_QUERY",
	"DYNAMIC_METADATA", "CLUSTER_METADATA", "FILTER_STATE", "ENVIRONMENT", "CEL", "METADATA", "TRACE_ID",
	"SPAN_ID", "PATH", "QUERY_PARAM", "CUSTOM_FLAGS", "GRPC_STATUS", "GRPC_STATUS_NUMBER",
	"UPSTREAM_LOCAL_URI_SAN", "UPSTREAM_LOCAL_DNS_SAN", "UPSTREAM_LOCAL_IP_SAN", "UPSTREAM_PEER_URI_SAN",
	"UPSTREAM_PEER_DNS_SAN", "UPSTREAM_PEER_IP_SAN", "UPSTREAM_LOCAL_CLOSE_REASON", "VIRTUAL_HOST_NAME",
}

var (
	nginxKnown = func() map[string]bool {
		m := map[string]bool{}
		for k := range nginxVarKinds {
			m[k] = true
		}
		for _, k := range nginxOtherVariables {
			m[k] = true
		}
		return m
	}()
	envoyKnown = func() map[string]bool {
		m := map[string]bool{}
		for _, k := range envoyOperators {
			m[k] = true
		}
		return m
	}()
)

// checkNginxVariable fails for a variable name that looks like a misspelling of a known one.
func checkNginxVariable(name string) error {
	if nginxKnown[name] || nginxFamily(name) {
		return nil
	}
	if near, ok := misspelling(name, nginxKnown); ok {
		return fmt.Errorf("unknown variable $%s: did you mean $%s?", name, near)
	}
	return nil
}

// checkEnvoyOperator fails for an operator name that looks like a misspelling of a known one.
func checkEnvoyOperator(name string) error {
	if envoyKnown[name] {
		return nil
	}
	if near, ok := misspelling(name, envoyKnown); ok {
		return fmt.Errorf("unknown command operator %%%s%%: did you mean %%%s%%?", name, near)
	}
	return nil
}

// misspelling returns the known name nearest to name when it is close enough to be the name
// meant: one edit for names up to 8 bytes, two for longer ones.
func misspelling(name string, known map[string]bool) (string, bool) {
	limit := 1
	if len(name) > 8 {
		limit = 2
	}
	if len(name) < 4 {
		return "", false
	}
	best, bestD := "", limit+1
	for k := range known {
		if d := editDistance(name, k, bestD+1); d < bestD || d == bestD && d <= limit && k < best {
			best, bestD = k, d
		}
	}
	return best, bestD <= limit
}

// editDistance is the Levenshtein distance of a and b, or any value ≥ max once it is known to
// reach max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d >= max || -d >= max {
		return max
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c = 1 + min(c, prev[j], cur[j-1])
			}
			cur[j] = c
			low = min(low, c)
		}
		if low >= max {
			return max
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// A format in which logtriage finds neither the status nor the method reads every line of any
// log into an empty record (a lone variable matches anything): $foo, %FOO%. Such a format is
// refused, and the error says what it lacks and which of its names logtriage does not know.
// Formats that carry these fields may still hold any other variables, which are skipped.

// CheckFields fails for a format without $status and without $request or $request_method.
func (p *NginxParser) CheckFields() error {
	var unknown []string
	for _, s := range p.steps {
		switch {
		case !s.isVar:
		case s.kind == nginxStatus || s.kind == nginxRequest || s.kind == nginxMethod:
			return nil
		case !nginxKnown[s.name] && !nginxFamily(s.name):
			unknown = append(unknown, "$"+s.name)
		}
	}
	return noFieldsErr("nginx format", p.Format, "neither $status nor $request or $request_method", unknown,
		"nginx variables", "pass the log_format that wrote the log (--nginx-format), or the configuration that defines it (--nginx-conf)")
}

// CheckFields fails for a format without %RESPONSE_CODE% and without %REQ(:METHOD)%.
func (p *EnvoyParser) CheckFields() error {
	var unknown []string
	check := func(fields []envoyField) bool {
		for _, f := range fields {
			switch f.op {
			case envoyOpStatus, envoyOpMethod, envoyOpOrigMethod:
				return true
			}
			name := strings.Trim(f.text, "%")
			if i := strings.IndexAny(name, "(:"); i >= 0 {
				name = name[:i]
			}
			if !envoyKnown[name] {
				unknown = append(unknown, f.text)
			}
		}
		return false
	}
	if check(p.fields) {
		return nil
	}
	keys := slices.Sorted(maps.Keys(p.json))
	for _, k := range keys {
		jk := p.json[k]
		switch {
		case jk.op == envoyOpStatus || jk.op == envoyOpMethod || jk.op == envoyOpOrigMethod:
			return nil
		case jk.sub != nil && check(jk.sub.fields):
			return nil
		}
	}
	text := string(p.prefix)
	for _, f := range p.fields {
		text += f.text + string(f.after)
	}
	if p.json != nil {
		text = "json_format with keys " + strings.Join(keys, ", ")
	}
	return noFieldsErr("envoy format", text, "neither %RESPONSE_CODE% nor %REQ(:METHOD)%", unknown,
		"Envoy command operators", "pass the format the access log was written with (--envoy-format), or the Envoy configuration that sets it (--envoy-config)")
}

// nginxFamily reports whether a variable belongs to a family of names (headers, cookies, arguments).
func nginxFamily(name string) bool {
	for _, p := range nginxVariablePrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func noFieldsErr(what, format, want string, unknown []string, names, todo string) error {
	if len(format) > 120 {
		format = format[:117] + "..."
	}
	msg := fmt.Sprintf("%s %q logs %s: every line of any log would be read as a request without status or method", what, format, want)
	if len(unknown) > 0 {
		msg += fmt.Sprintf(" (%s: not among the %s logtriage knows)", strings.Join(unknown, ", "), names)
	}
	return errors.New(msg + "; " + todo)
}
