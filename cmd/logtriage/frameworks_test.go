package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// samples/frameworks-incident: Debian's nginx 1.22.1 with the stock combined format in front of
// real applications writing their default logs (README.md there says how they ran). Every 405
// was the application's own: analyze, with no ids to join on, names the app as the origin.
func TestFrameworksIncident(t *testing.T) {
	for _, tc := range []struct{ name, app string }{
		{"flask", "flask.log"}, {"gunicorn", "gunicorn.log"}, {"uvicorn", "uvicorn-cri.log"},
		{"django", "django.log"}, {"express", "express-morgan-combined.log"}, {"gin", "gin.log"},
		{"echo", "echo.log"}, {"chi", "chi.log"},
	} {
		dir := "samples/frameworks-incident/"
		r := lt(t, nil, "analyze", "-o", "json", "edge="+dir+"edge-"+tc.name+".log", "app="+dir+tc.app)
		if r.code != exitOK {
			t.Errorf("%s: exit %d: %s", tc.name, r.code, r.stderr)
			continue
		}
		var got struct {
			Summary struct {
				Requests405 int `json:"requests_with_405"`
				Inputs      []struct {
					Name     string `json:"name"`
					Format   string `json:"format"`
					Rejected int    `json:"rejected"`
				} `json:"inputs"`
			} `json:"summary"`
			Findings []struct {
				Origin string `json:"origin_layer"`
				Method string `json:"method"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.Summary.Requests405 != 3 || len(got.Findings) != 3 {
			t.Errorf("%s: %d requests with a 405, %d findings; want 3 and 3 (POST, DELETE, PUT /items)",
				tc.name, got.Summary.Requests405, len(got.Findings))
		}
		for _, f := range got.Findings {
			if f.Origin != "app" {
				t.Errorf("%s: %s /items: origin %q, want app", tc.name, f.Method, f.Origin)
			}
		}
		for _, in := range got.Summary.Inputs {
			want := "nginx"
			if strings.HasSuffix(in.Name, "/"+tc.app) {
				want = "app"
			}
			if in.Rejected != 0 || in.Format != want {
				t.Errorf("%s: input %s: format %s, %d rejected", tc.name, in.Name, in.Format, in.Rejected)
			}
		}
	}
}
