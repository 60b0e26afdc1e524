package report

import (
	"strings"
	"testing"

	"github.com/logtriage/logtriage/analysis/probe"
)

// Two environments side by side, as probe.Run reports them for staging and prod.
func TestProbeMatrix(t *testing.T) {
	res := func(env string, del int, allow string) probe.Result {
		return probe.Result{Target: probe.Target{Env: env, URL: "https://" + env + "/orders/1", Path: "/orders/1"},
			Checks: []probe.Check{{Method: "HEAD", Status: 200, Allow: allow}, {Method: "DELETE", Status: del, Allow: allow}}}
	}
	rep := &probe.Report{Schema: probe.Schema, Envs: []string{"staging", "prod"}, Preflight: "PATCH",
		Results: []probe.Result{res("staging", 200, "GET, HEAD, DELETE"), res("prod", 405, "GET, HEAD")},
		Drift: []probe.Drift{{Path: "/orders/1", What: "DELETE", Values: map[string]string{"staging": "200", "prod": "405"}},
			{Path: "/orders/1", What: "Allow", Values: map[string]string{"staging": "GET, HEAD, DELETE", "prod": "GET, HEAD"}}}}
	var text, md strings.Builder
	if err := ProbeText(&text, rep); err != nil {
		t.Fatal(err)
	}
	if err := ProbeMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(text.String(), "\n") {
		t.Errorf("the report starts with a blank line:\n%s", text.String())
	}
	rows := map[string]string{}
	for _, line := range strings.Split(text.String(), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			rows[f[0]] = strings.Join(f, " ")
		}
	}
	for _, want := range []string{"CHECK staging prod DRIFT", "DELETE 200 405 DRIFT", "HEAD 200 200 -", "Allow GET, HEAD, DELETE GET, HEAD DRIFT"} {
		if rows[strings.Fields(want)[0]] != want {
			t.Errorf("matrix row %q, want %q:\n%s", rows[strings.Fields(want)[0]], want, text.String())
		}
	}
	if !strings.Contains(md.String(), "| CHECK | staging | prod | DRIFT |") || !strings.Contains(md.String(), "| DELETE | 200 | 405 | DRIFT |") {
		t.Errorf("markdown matrix:\n%s", md.String())
	}
	// The summary counts in words that agree with the numbers ("1 URLs" before).
	if want := "2 URLs, 0 problems and contract differences, 2 drifts between environments, 0 requests without an answer"; !strings.Contains(text.String(), want) {
		t.Errorf("summary, want %q:\n%s", want, text.String())
	}
	one := &probe.Report{Schema: probe.Schema, Results: []probe.Result{res("prod", 405, "GET, HEAD")}, Errors: 1}
	one.Results[0].Problems = []string{"a 405 without Allow"}
	text.Reset()
	if err := ProbeText(&text, one); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text.String(), "https://prod/orders/1 (prod)\n") {
		t.Errorf("the report starts with a blank line, or not with the URL:\n%s", text.String())
	}
	if want := "1 URL, 1 problem or contract difference, 0 drifts between environments, 1 request without an answer"; !strings.Contains(text.String(), want) {
		t.Errorf("summary, want %q:\n%s", want, text.String())
	}
}
