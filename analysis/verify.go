package analysis

import (
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
	host := ""
	for _, h := range r.hops {
		if h.host() != "" {
			host = h.host()
			break
		}
	}
	scheme := "https"
	if strings.HasSuffix(host, ":80") || strings.HasPrefix(strings.ToLower(r.hops[0].uri()), "http://") {
		scheme = "http"
	}
	if host == "" {
		host = "HOST"
	}
	uri := c.uri()
	if uri == "" || !strings.HasPrefix(uri, "/") {
		uri = c.path()
	}
	v := &VerifyRequest{Method: c.method(), URL: scheme + "://" + host + uri}
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
