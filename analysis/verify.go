package analysis

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/logtriage/logtriage/internal/shell"
)

// VerifyRequest is the request that checks a finding's fix, as data: the client's request, or
// for a preflight the OPTIONS request a browser sends. The renderers (analysis/report) turn it
// into a curl command, a regression script or a Go test; Finding.Verify keeps the curl command
// of the JSON documents written before it.
type VerifyRequest struct {
	Method  string   `json:"method"`
	URL     string   `json:"url"`
	Headers []Header `json:"headers,omitempty"`
	// Note says why the request differs from the logged one: a logged Host that is not a host
	// name is replaced by the placeholder HOST.
	Note string `json:"note,omitempty"`
}

// Header is one request header.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Header returns the value of the named header, or "".
func (v *VerifyRequest) Header(name string) string {
	for _, h := range v.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// Curl returns the curl command that sends the request.
func (v *VerifyRequest) Curl() string {
	hs := make([]string, len(v.Headers))
	for i, h := range v.Headers {
		hs[i] = h.Name + ": " + h.Value
	}
	return shell.Curl(v.Method, v.URL, hs...)
}

// verifyRequest returns the request of the first hop, sent to the host it named (https unless
// the hop says http), or for a preflight the OPTIONS request a browser sends.
func verifyRequest(r *request) *VerifyRequest {
	if v := verifyMore(r); v != nil { // causes_more.go
		return v
	}
	c := r.hops[0]
	host, scheme := "", ""
	for _, h := range r.hops {
		if h.host() != "" {
			host, scheme = h.host(), h.scheme() // the scheme that hop's log shows, if any
			break
		}
	}
	switch {
	case scheme != "":
	case strings.HasSuffix(host, ":80") || strings.HasPrefix(strings.ToLower(r.hops[0].uri()), "http://"):
		scheme = "http"
	default:
		scheme = "https"
	}
	note := ""
	if host != "" && !hostName(host) {
		note = fmt.Sprintf("the logged Host %q is not a host name, so the command is aimed at the placeholder HOST: replace it with the service's host", host)
		host = ""
	}
	if host == "" {
		host = "HOST"
	}
	uri := c.uri()
	if uri == "" || !strings.HasPrefix(uri, "/") {
		uri = c.path()
	}
	v := &VerifyRequest{Method: c.method(), URL: scheme + "://" + host + uri, Note: note}
	if r.v.cause == CauseCORSPreflight {
		origin := c.origin()
		for _, h := range r.hops {
			if origin == "" {
				origin = h.origin()
			}
		}
		if origin == "" {
			origin = "https://ORIGIN" // not logged: the page's origin
		}
		v.Method = "OPTIONS"
		v.Headers = []Header{{"Origin", origin}, {"Access-Control-Request-Method", orWord(r.v.wanted, "POST")}}
	}
	return v
}

// hostName reports whether s is what a Host header may hold: a host name or an IP address, with
// an optional port. Anything else (user info, a path, spaces, shell syntax) would aim the
// generated commands somewhere else.
func hostName(s string) bool {
	h, port := s, ""
	if strings.HasPrefix(s, "[") {
		i := strings.IndexByte(s, ']')
		if i < 0 {
			return false
		}
		if _, err := netip.ParseAddr(s[1:i]); err != nil {
			return false
		}
		if rest := s[i+1:]; rest != "" {
			if rest[0] != ':' {
				return false
			}
			return portNumber(rest[1:])
		}
		return true
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		h, port = s[:i], s[i+1:]
		if !portNumber(port) {
			return false
		}
	}
	if h == "" || len(h) > 253 || h[0] == '.' || h[0] == '-' {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func portNumber(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0 && n <= 65535 && s[0] != '+' && s[0] != '-'
}
