package analysis

import (
	"strings"
	"testing"
)

// TestLastAddrFastPath: the shortcut for a single address gives what cutting and trimming give.
func TestLastAddrFastPath(t *testing.T) {
	slow := func(s string) string {
		if j := strings.LastIndex(s, " : "); j >= 0 {
			s = s[j+3:]
		}
		if j := strings.LastIndex(s, ", "); j >= 0 {
			s = s[j+2:]
		}
		return strings.TrimSpace(s)
	}
	for _, s := range []string{"", "10.0.2.8:8080", "10.0.1.7:8080, 10.0.1.8:8080 : 10.0.2.1:80", "\t10.0.0.1:80",
		"10.0.0.1:80\t", "10.0.0.1:80\u00a0", "\u008510.0.0.1:80", " 10.0.0.1:80", "a,b", "unix:/run/app.sock", "-"} {
		if got, want := lastAddr(s), slow(s); got != want {
			t.Errorf("lastAddr(%q) = %q, want %q", s, got, want)
		}
	}
}
