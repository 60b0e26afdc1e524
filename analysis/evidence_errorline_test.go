package analysis

import (
	"strings"
	"testing"
)

// A finding's evidence quotes the application's own error line about the request (Django's
// django.request warning, given to the access line by parsers/framework.go), on the real Django
// capture behind nginx (samples/frameworks-incident); an application that writes none (Gin) gets
// no quote.
func TestEvidenceQuotesErrorLine(t *testing.T) {
	a := analyzeSample(t, "", "", Options{}, "edge=../samples/frameworks-incident/edge-django.log",
		"app=../samples/frameworks-incident/django.log")
	if len(a.Findings) != 3 {
		t.Fatalf("%d findings, want 3 (POST, DELETE, PUT /items)", len(a.Findings))
	}
	for _, f := range a.Findings {
		want := `app answered 405 itself (the innermost hop); its log says "Method Not Allowed (` + f.Method + `): /items". `
		if f.OriginLayer != "app" || !strings.HasPrefix(f.Evidence, want) {
			t.Errorf("%s %s at %s: evidence %q, want it to start %q", f.Method, f.Route, f.OriginLayer, f.Evidence, want)
		}
	}
	a = analyzeSample(t, "", "", Options{}, "edge=../samples/frameworks-incident/edge-gin.log",
		"app=../samples/frameworks-incident/gin.log")
	if len(a.Findings) == 0 {
		t.Fatal("no findings for gin")
	}
	for _, f := range a.Findings {
		if strings.Contains(f.Evidence, "its log says") {
			t.Errorf("gin writes no error line: %q", f.Evidence)
		}
	}
}
