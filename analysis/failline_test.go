package analysis

import (
	"strings"
	"testing"
)

// A FAIL line is one line whatever the route holds: a line break in a logged path must not forge
// another FAIL line or a CI annotation, and escape sequences must not reach the terminal.
func TestFailLineEscapesLogContent(t *testing.T) {
	f := &Finding{OriginLayer: "app", Cause: CauseMethodNotRouted, Method: "POST\x1b[2J", Count: 1,
		Route: "/a\n::error file=x::forged\nFAIL forged\x1b]52;c;ZXZpbA==\x07\u202e"}
	line := FailLine(f)
	if strings.ContainsAny(line, "\n\r\x1b\x07\u202e") {
		t.Errorf("FailLine prints log content raw: %q", line)
	}
	if want := `FAIL method_not_routed app POST\x1b[2J /a\n::error file=x::forged\nFAIL forged\x1b]52;c;ZXZpbA==\x07\u202e count=1`; line != want {
		t.Errorf("FailLine = %q\nwant %q", line, want)
	}
}
