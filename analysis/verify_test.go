package analysis

import (
	"net/url"
	"strings"
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// The logged Host comes from the client: one that is not a host name must not aim the generated
// commands somewhere else (curl reads api.example.com@evil.example as user@host).
func TestVerifyRequestRejectsHostileHosts(t *testing.T) {
	for host, want := range map[string]string{
		"api.example.com":              "https://api.example.com/a",
		"api.example.com:8443":         "https://api.example.com:8443/a",
		"api.example.com:80":           "http://api.example.com:80/a",
		"[2001:db8::1]:8080":           "https://[2001:db8::1]:8080/a",
		"api.example.com@evil.example": "https://HOST/a",
		"evil.example/x?":              "https://HOST/a",
		"a b":                          "https://HOST/a",
		"evil.example#":                "https://HOST/a",
		"api.example.com:x":            "https://HOST/a",
		"$(touch pwned)":               "https://HOST/a",
	} {
		h := host
		_, a := run(t, Options{}, rec("app", "app", 0, "DELETE", "/a", 405, func(r *parsers.Record) { r.Host = h }))
		f := onlyFinding(t, a)
		v := f.VerifyRequest
		if v == nil || v.URL != want {
			t.Errorf("host %q: verify request %+v, want %s", host, v, want)
			continue
		}
		if u, err := url.Parse(v.URL); err != nil || u.User != nil {
			t.Errorf("host %q: %s parses as %v (%v)", host, v.URL, u, err)
		}
		if strings.Contains(want, "HOST") != (v.Note != "") || v.Note != "" && !strings.Contains(v.Note, "not a host name") {
			t.Errorf("host %q: note %q", host, v.Note)
		}
		if !strings.Contains(f.Verify, want) {
			t.Errorf("host %q: verify %s", host, f.Verify)
		}
	}
}
