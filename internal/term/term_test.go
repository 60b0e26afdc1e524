package term

import (
	"bytes"
	"errors"
	"testing"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"/api/orders/{id}":                   "/api/orders/{id}",
		"ünïcødé → ok":                       "ünïcødé → ok",
		"a\x1b]52;c;ZXZpbA==\x07b":           `a\x1b]52;c;ZXZpbA==\x07b`,
		"\x1b[2J":                            `\x1b[2J`,
		"/x\n::error file=a::forged\r\tz":    `/x\n::error file=a::forged\r\tz`,
		"del\x7f c1\u009b31m nel\u0085":      `del\x7f c1\u009b31m nel\u0085`,
		"abc\u202edcba \u2066x\u2069 \u200f": `abc\u202edcba \u2066x\u2069 \u200f`,
		"ls\u2028ps\u2029":                   `ls\u2028ps\u2029`,
		"bad \xff\x9b utf8":                  `bad \xff\x9b utf8`,
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

type cause string

func TestFprintf(t *testing.T) {
	var b bytes.Buffer
	Fprintf(&b, "%s %s %v %d\n", "a\nFAIL x", cause("c\x1b"), errors.New("e\r"), 7)
	if got := b.String(); got != "a\\nFAIL x c\\x1b e\\r 7\n" {
		t.Errorf("Fprintf: %q", got)
	}
}
