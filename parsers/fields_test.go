package parsers

import "testing"

// TestSetURI: an absolute-form target (as the ALB and HTTP proxies log it) gives the host and
// the path; anything else is a path, even with "://" further in.
func TestSetURI(t *testing.T) {
	for _, c := range []struct{ in, host, uri, path string }{
		{"/api/items?id=1", "", "/api/items?id=1", "/api/items"},
		{"https://api.example.com:443/api/items?x=1", "api.example.com", "/api/items?x=1", "/api/items"},
		{"http://api.example.com:80/", "api.example.com", "/", "/"},
		{"HTTP://Example.com:8080/a#f", "Example.com:8080", "/a#f", "/a"},
		{"wss://h.example", "h.example", "/", "/"},
		{"git+ssh://h/p", "h", "/p", "/p"},
		{"http://h?q=1", "h", "?q=1", ""},
		{"/redirect?to=http://x/y", "", "/redirect?to=http://x/y", "/redirect"},
		{"/a://b/c", "", "/a://b/c", "/a://b/c"},
		{"://h/p", "", "://h/p", "://h/p"},
		{"h_x://h/p", "", "h_x://h/p", "h_x://h/p"},
		{"abcdefgh://h/p", "", "abcdefgh://h/p", "abcdefgh://h/p"},
		{"abcdefg://h/p", "h", "/p", "/p"},
		{"http:/h/p", "", "http:/h/p", "http:/h/p"},
		{"http:", "", "http:", "http:"},
		{"*", "", "*", "*"},
	} {
		var rec Record
		setURI(&rec, []byte(c.in))
		if rec.Host != c.host || rec.URI != c.uri || rec.Path != c.path {
			t.Errorf("setURI(%q): host %q uri %q path %q, want %q %q %q", c.in, rec.Host, rec.URI, rec.Path, c.host, c.uri, c.path)
		}
	}
}
