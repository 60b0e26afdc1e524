package parsers

import (
	"strconv"
	"time"
	"unicode/utf8"
)

const legacyHex = "0123456789abcdef"

// legacyAppendJSON is Record.AppendJSON as it was before the word-at-a-time encoder (commit
// 024c250), kept as the reference the encoder must match byte for byte: rec as one JSON object
// (the `logtriage parse` line format). Keys with unknown values are left out, except status and
// local, which are always present.
func legacyAppendJSON(r *Record, dst []byte) []byte {
	dst = append(dst, `{"source":`...)
	dst = legacyAppendJSONString(dst, r.File)
	dst = append(dst[:len(dst)-1], ':') // reopen the string: the source is "file:line"
	dst = strconv.AppendInt(dst, r.Line, 10)
	dst = append(dst, '"')
	dst = legacyAppendStr(dst, "layer", r.Layer)
	dst = legacyAppendStr(dst, "format", r.Format)
	dst = legacyAppendStr(dst, "framework", r.Framework)
	if r.ErrorLine {
		dst = append(dst, `,"error_line":true`...)
	}
	if !r.Time.IsZero() {
		dst = append(dst, `,"time":"`...)
		dst = legacyAppendTime(dst, r.Time)
		dst = append(dst, '"')
	}
	if !r.Start.IsZero() {
		dst = append(dst, `,"start":"`...)
		dst = legacyAppendTime(dst, r.Start)
		dst = append(dst, '"')
	}
	dst = legacyAppendStr(dst, "method", r.Method)
	dst = legacyAppendStr(dst, "host", r.Host)
	dst = legacyAppendStr(dst, "uri", r.URI)
	dst = legacyAppendStr(dst, "path", r.Path)
	dst = legacyAppendStr(dst, "routed_path", r.RoutedPath)
	dst = legacyAppendStr(dst, "protocol", r.Proto)
	dst = append(dst, `,"status":`...)
	dst = strconv.AppendInt(dst, int64(r.Status), 10)
	if r.Upstream != nil {
		dst = append(dst, `,"upstream_status":[`...)
		for i, s := range r.Upstream {
			if i > 0 {
				dst = append(dst, ',')
			}
			if s < 0 {
				dst = append(dst, "null"...)
			} else {
				dst = strconv.AppendInt(dst, int64(s), 10)
			}
		}
		dst = append(dst, ']')
	}
	dst = legacyAppendStr(dst, "upstream_addr", r.UpstreamAddr)
	dst = legacyAppendStr(dst, "service", r.Service)
	dst = append(dst, `,"local":`...)
	switch r.Local {
	case LocalYes:
		dst = append(dst, "true"...)
	case LocalNo:
		dst = append(dst, "false"...)
	default:
		dst = append(dst, "null"...)
	}
	dst = legacyAppendStr(dst, "allow", r.Allow)
	dst = legacyAppendStr(dst, "origin", r.Origin)
	dst = legacyAppendStr(dst, "acr_method", r.ACRMethod)
	dst = legacyAppendStr(dst, "client_ip", r.ClientIP)
	if r.Peer != r.ClientIP {
		dst = legacyAppendStr(dst, "peer", r.Peer) // the proxy that connected, when the client is behind it
	}
	dst = legacyAppendStr(dst, "forwarded_for", r.ForwardedFor)
	dst = legacyAppendStr(dst, "user_agent", r.UserAgent)
	if r.Duration >= 0 {
		dst = append(dst, `,"duration_ms":`...)
		dst = strconv.AppendFloat(dst, float64(r.Duration)/float64(time.Millisecond), 'f', -1, 64)
	}
	dst = legacyAppendStr(dst, "detail", r.Detail)
	dst = append(dst, `,"ids":{`...)
	n := len(dst)
	dst = legacyAppendStr(dst, "request_id", r.IDs.RequestID)
	dst = legacyAppendStr(dst, "nginx_request_id", r.IDs.NginxRequestID)
	dst = legacyAppendStr(dst, "trace_id", r.IDs.TraceID)
	dst = legacyAppendStr(dst, "amzn_trace_root", r.IDs.AmznRoot)
	dst = legacyAppendStr(dst, "b3_trace_id", r.IDs.B3TraceID)
	if len(dst) > n {
		dst = append(dst[:n], dst[n+1:]...) // drop the first key's leading comma
	}
	return append(dst, "}}"...)
}

func legacyAppendStr(dst []byte, key, v string) []byte {
	if v == "" {
		return dst
	}
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	return legacyAppendJSONString(dst, v)
}

// appendTime writes RFC 3339 in UTC, with as many fractional digits as the time has.
func legacyAppendTime(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, time.RFC3339Nano)
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func legacyAppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', legacyHex[c>>4], legacyHex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
