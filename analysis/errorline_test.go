package analysis

import (
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// TestErrorLineIsNoRequest checks that an application's error line about a method (Django's
// "Method Not Allowed (POST): /items", marked ErrorLine by parsers/framework.go) is not counted
// as a request or a hop: the access line of the same request is the one 405.
func TestErrorLineIsNoRequest(t *testing.T) {
	errLine := rec("app", parsers.FormatApp, 1, "POST", "/items", 405,
		detail("error line: Method Not Allowed (POST): /items"), local(parsers.LocalYes))
	errLine.ErrorLine, errLine.Framework = true, parsers.FrameworkDjango
	access := rec("app", parsers.FormatApp, 1, "POST", "/items", 405,
		detail("error line: Method Not Allowed (POST): /items"), local(parsers.LocalYes))
	access.Framework = parsers.FrameworkDjango
	_, a := run(t, Options{}, errLine, access)
	if a.Summary.Requests != 1 || a.Summary.Requests405 != 1 || a.Summary.NoStatus != 1 {
		t.Errorf("requests=%d with405=%d without status=%d, want 1/1/1",
			a.Summary.Requests, a.Summary.Requests405, a.Summary.NoStatus)
	}
}
