package parsers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseZone(t *testing.T) {
	at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) // summer: Berlin is +02:00
	for _, c := range []struct {
		in  string
		off int // seconds east of UTC at `at`
	}{
		{"+01:00", 3600}, {"-05:30", -(5*3600 + 1800)}, {"+0545", 5*3600 + 2700}, {"+1", 3600}, {"-10", -36000},
		{"UTC", 0}, {"Z", 0}, {"Europe/Berlin", 7200}, {"Asia/Kolkata", 5*3600 + 1800},
	} {
		loc, err := ParseZone(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if _, off := at.In(loc).Zone(); off != c.off {
			t.Errorf("%s: offset %d, want %d", c.in, off, c.off)
		}
	}
	for _, bad := range []string{"+15", "+01:60", "+1:00", "1", "+abc", "Mars/Olympus", "+010"} {
		if _, err := ParseZone(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: error %v, want one naming it", bad, err)
		}
	}
}

// TestInZone: a time read as UTC from a line without a zone, read again in the server's zone.
func TestInZone(t *testing.T) {
	berlin, _ := ParseZone("Europe/Berlin")
	for _, c := range []struct{ wall, want time.Time }{
		{time.Date(2026, 11, 24, 15, 0, 7, 5, time.UTC), time.Date(2026, 11, 24, 14, 0, 7, 5, time.UTC)}, // CET
		{time.Date(2026, 7, 1, 15, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 13, 0, 0, 0, time.UTC)},     // CEST
	} {
		if got := InZone(c.wall, berlin); !got.Equal(c.want) {
			t.Errorf("InZone(%s, Berlin) = %s, want %s", c.wall, got, c.want)
		}
	}
	if got := InZone(time.Time{}, berlin); !got.IsZero() {
		t.Errorf("zero time: %s", got)
	}
	if w := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); !InZone(w, nil).Equal(w) {
		t.Error("nil zone changed the time")
	}
}

// TestZoneOfLayer: Config.Zones reads the times of one layer's inputs in its zone, from the
// first record (which orders the inputs in a merge) to every record scanned; other layers'
// inputs are left alone.
func TestZoneOfLayer(t *testing.T) {
	const line = "[GIN] 2026/11/24 - 15:00:07 | 405 |      12.5µs |       10.0.1.10 | PATCH    \"/api/products/7\"\n"
	path := filepath.Join(t.TempDir(), "gin.log")
	if err := os.WriteFile(path, []byte(strings.Repeat(line, 3)), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &Config{Zones: map[string]*time.Location{"gin": time.FixedZone("+01:00", 3600)}}
	want := time.Date(2026, 11, 24, 14, 0, 7, 0, time.UTC)
	for layer, at := range map[string]time.Time{"gin": want, "other": want.Add(time.Hour)} {
		o, err := c.OpenInput(Input{Path: path, Name: path, Layer: layer})
		if err != nil {
			t.Fatal(err)
		}
		if got := o.firstTime(); !got.Equal(at) {
			t.Errorf("layer %s: first time %s, want %s", layer, got, at)
		}
		n := 0
		st := o.Scan(0, func(rec *Record, _ *Batch) {
			n++
			if !rec.Time.Equal(at) {
				t.Errorf("layer %s: record time %s, want %s", layer, rec.Time, at)
			}
		}, nil)
		if n != 3 || st.Parsed != 3 {
			t.Errorf("layer %s: %d records, stats %+v", layer, n, st)
		}
	}
}
