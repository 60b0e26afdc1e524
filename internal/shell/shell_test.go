package shell

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	for in, want := range map[string]string{"": "''", "GET": "GET", "https://h/a?b": "'https://h/a?b'",
		"it's": `'it'\''s'`, "$(x)": "'$(x)'", "a b": "'a b'"} {
		if got := Word(in); got != want {
			t.Errorf("Word(%q) = %s, want %s", in, got, want)
		}
	}
	if got := Comment("a\nb\x7fc\x1b"); got != "a?b?c?" {
		t.Errorf("Comment: %q", got)
	}
}

// A HEAD request's command is curl -I: with -X HEAD curl waits for the body the answer's
// Content-Length announces, and an answer to HEAD has none. Against a server answering like nginx
// relaying a backend's 405 (Content-Length: 19, no body) and then closing the connection, -X HEAD
// fails with "transfer closed with 19 bytes remaining" (curl exit 18); over a kept-alive
// connection it hangs. The generated command must get the answer.
func TestCurlHead(t *testing.T) {
	if got, want := Curl("POST", "https://h/a", "Origin: x"), `curl -i -X POST -H 'Origin: x' 'https://h/a'`; got != want {
		t.Errorf("Curl(POST) = %s, want %s", got, want)
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("no curl")
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
	cmd := Curl("HEAD", srv.URL+"/api/status")
	if !strings.HasPrefix(cmd, "curl -i -I ") {
		t.Errorf("Curl(HEAD) = %s", cmd)
	}
	out, err := exec.Command("sh", "-c", strings.Replace(cmd, "curl", Quote(curl)+" -sS", 1)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "405") || !strings.Contains(string(out), "Allow: GET") {
		t.Errorf("%s: %v\n%s", cmd, err, out)
	}
}
