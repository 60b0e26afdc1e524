package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fwReadFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

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

// TestAppLayerFlag checks --app-layer on real gunicorn 20.1.0 access lines in a file whose name
// says nothing: without the flag they are nginx's, with it the app's.
func TestAppLayerFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	var lines []string
	for _, l := range strings.Split(fwReadFile(t, "parsers/testdata/frameworks/gunicorn.log"), "\n") {
		if strings.HasPrefix(l, "127.0.0.1") { // the access lines, without gunicorn's error log
			lines = append(lines, l)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args   []string
		format string
	}{
		{[]string{"parse", "api=" + path}, `"format":"nginx"`},
		{[]string{"parse", "--app-layer", "api", "api=" + path}, `"format":"app","framework":"clf"`},
	} {
		r := lt(t, nil, tc.args...)
		if r.code != exitOK || strings.Count(r.stdout, tc.format) != 5 {
			t.Errorf("%v: exit %d, want 5 records with %s:\n%s%s", tc.args, r.code, tc.format, r.stdout, r.stderr)
		}
	}
	if r := lt(t, nil, "parse", "--format", "nginx", "--app-layer", "api", "api="+path); r.code == exitOK {
		t.Errorf("--format nginx with --app-layer: exit %d", r.code)
	}
}
