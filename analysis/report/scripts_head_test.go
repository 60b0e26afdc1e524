package report

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/logtriage/logtriage/analysis"
)

// The regression script of a HEAD finding asks with curl -I: with -X HEAD curl waits for the body
// the 405's Content-Length announces and fails (exit 18) or hangs. The script runs against a
// server that answers HEAD as nginx relaying a backend's 405 did (Allow, Content-Length: 19, no
// body) and must pass: the contract it checks (405 with an Allow header) holds.
func TestPreventionScriptHead(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET")
		w.Header().Set("Content-Length", "19")
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusMethodNotAllowed)
		if r.Method != http.MethodHead {
			io.WriteString(w, "method not allowed\n")
		}
	}))
	defer srv.Close()
	f := analysis.Finding{OriginLayer: "app", Cause: analysis.CauseMethodNotRouted, Method: "HEAD", Route: "/api/status", Allow: "GET",
		VerifyRequest: &analysis.VerifyRequest{Method: "HEAD", URL: srv.URL + "/api/status"}}
	script := curlTest(&f)
	if strings.Contains(script, "-X HEAD") || !strings.Contains(script, " -I ") {
		t.Errorf("script does not ask with curl -I:\n%s", script)
	}
	if out, err := exec.Command("sh", "-c", script).CombinedOutput(); err != nil {
		t.Errorf("script: %v\n%s\n%s", err, out, script)
	}
}
