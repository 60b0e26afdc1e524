package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestTimeZoneOfZonelessLayer: Gin writes the server's local time with no zone. The default-logs
// sample's gin.log rewritten as a server in UTC+1 would write it (every time an hour later) no
// longer joins the edge's records: its 405s were counted twice, once at gin and once as the
// edge's own proxy_method_block. The run says so at the top, with the flag that reads the layer
// in its zone; with --tz gin=+01:00 (or the zone's name) the findings are those of the sample.
func TestTimeZoneOfZonelessLayer(t *testing.T) {
	raw, err := os.ReadFile("samples/default-logs/gin.log")
	if err != nil {
		t.Fatal(err)
	}
	hour := regexp.MustCompile(`(\[GIN\] \d{4}/\d\d/\d\d - )(\d\d)`)
	shifted := hour.ReplaceAllFunc(raw, func(m []byte) []byte {
		sub := hour.FindSubmatch(m)
		h, _ := strconv.Atoi(string(sub[2]))
		return append(append([]byte(nil), sub[1]...), []byte(strconv.Itoa(100 + h + 1)[1:])...)
	})
	gin := filepath.Join(t.TempDir(), "gin.log")
	if err := os.WriteFile(gin, shifted, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{}, defaultLogsArgs[:len(defaultLogsArgs)-1]...)
	args = append(args, "gin="+gin)

	analyze := func(extra ...string) variantRun {
		t.Helper()
		return analyzeVariant(t, append(extra, args...)...)
	}
	want := analyzeVariant(t, defaultLogsArgs...)
	if len(want.Summary.ZoneHints) != 0 {
		t.Errorf("the sample in step: zone hints %+v", want.Summary.ZoneHints)
	}

	off := analyze()
	if h := off.Summary.ZoneHints; len(h) != 1 || h[0].Layer != "gin" || h[0].OffsetMinutes != 60 || h[0].Flag != "--tz gin=+01:00" {
		t.Errorf("gin an hour ahead: zone hints %+v", h)
	}
	if off.Summary.Requests405 <= want.Summary.Requests405 {
		t.Errorf("gin an hour ahead without --tz: %d requests with a 405, the sample %d (its 405s should not join)", off.Summary.Requests405, want.Summary.Requests405)
	}
	if r := lt(t, nil, append([]string{"analyze"}, args...)...); !regexp.MustCompile(`(?m)^Time zone: gin's records run 1h0m0s ahead .* run again with --tz gin=\+01:00\.$`).MatchString(r.stdout) {
		t.Errorf("text report without the time zone sentence:\n%s", r.stdout)
	}
	for _, tz := range []string{"gin=+01:00", "gin=Europe/Berlin"} {
		got := analyze("--tz", tz)
		if len(got.Summary.ZoneHints) != 0 || got.Summary.Requests405 != want.Summary.Requests405 {
			t.Errorf("--tz %s: %d requests with a 405 (want %d), hints %+v", tz,
				got.Summary.Requests405, want.Summary.Requests405, got.Summary.ZoneHints)
		}
		sameFindings(t, "--tz "+tz, got.Findings, want.Findings)
	}
	if r := lt(t, nil, "analyze", "--tz", "gin=Mars/Olympus", "samples/default-logs/gin.log"); r.code != exitUsage {
		t.Errorf("--tz gin=Mars/Olympus: exit %d, want %d: %s", r.code, exitUsage, r.stderr)
	}
}
