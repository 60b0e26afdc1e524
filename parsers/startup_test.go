package parsers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An application's JSON log whose first 20 lines are start-up lines (Go's log/slog, testdata/app)
// could not be read, even with --format app, and the error said "check that the configured
// format…" with no format configured. It is read as app (with a note when detected), its
// start-up lines skipped; JSON lines of no logger are still refused, with an accurate error.
func TestAppStartupLines(t *testing.T) {
	in := Input{Name: "slog-startup.log", Path: filepath.Join("testdata", "app", "slog-startup.log")}
	for _, c := range []struct{ format, note string }{
		{"", "read as app JSON, though its first 20 lines hold no request (start-up messages?)"},
		{FormatApp, ""},
	} {
		o, err := (&Config{Format: c.format}).OpenInput(in)
		if err != nil {
			t.Errorf("--format %q: %v", c.format, err)
			continue
		}
		var statuses []int
		st := o.Scan(0, func(r *Record, _ *Batch) { statuses = append(statuses, r.Status) }, nil)
		if st.Format != FormatApp || st.Note != c.note || st.Parsed != 4 || st.Skipped != 22 || st.Rejected != 0 ||
			len(statuses) != 4 || statuses[1] != 405 || statuses[3] != 405 {
			t.Errorf("--format %q: %+v, statuses %v", c.format, st, statuses)
		}
	}

	dir := t.TempDir()
	data := filepath.Join(dir, "data.log")
	if err := os.WriteFile(data, []byte(`{"id":1,"value":"x"}`+"\n"+`{"id":2,"value":"y"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"", FormatApp} {
		_, err := (&Config{Format: format}).OpenInput(Input{Name: data, Path: data})
		if err == nil || strings.Contains(err.Error(), "configured format") || !strings.Contains(err.Error(), "--app-field FIELD=KEY") {
			t.Errorf("--format %q on JSON data: %v", format, err)
		}
	}
	// A forced format that reads none of the lines names the flag, not a configuration.
	nginx := filepath.Join("testdata", "serverlogs", "nginx-access.log")
	_, err := (&Config{Format: FormatALB}).OpenInput(Input{Name: nginx, Path: nginx})
	if err == nil || strings.Contains(err.Error(), "configured format") || !strings.Contains(err.Error(), "(--format alb) does not match") {
		t.Errorf("--format alb on an nginx log: %v", err)
	}
}
