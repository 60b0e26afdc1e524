package analysis

import (
	"fmt"
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// TestZoneHints: an application layer whose first and last records are both a whole number of
// quarter hours off the proxy's gets a hint naming the --tz that reads it right; one in step, one
// whose log covers another window, or a proxy layer (its format carries a zone) gets none.
func TestZoneHints(t *testing.T) {
	layer := func(name string, from, to float64) []*parsers.Record {
		var out []*parsers.Record
		for s := from; s <= to; s += 30 {
			if name == "edge" {
				out = append(out, edge(s, "GET", fmt.Sprintf("/api/x/%d", int(s)), 200, 10))
			} else {
				out = append(out, app(name, name+".log", s, "GET", fmt.Sprintf("/api/x/%d", int(s)), 200, 10))
			}
		}
		return out
	}
	recs := layer("edge", 0, 1800)
	recs = append(recs, layer("ahead", 3600, 5400)...)          // local time, UTC+1
	recs = append(recs, layer("behind", -19800+5, -18000+3)...) // UTC-05:30, a few seconds apart
	recs = append(recs, layer("inStep", 1, 1799)...)
	recs = append(recs, layer("otherWindow", 3600, 4000)...) // starts an hour later, ends earlier
	_, a := run(t, Options{}, byTime(recs)...)
	got := map[string]ZoneHint{}
	for _, h := range a.Summary.ZoneHints {
		got[h.Layer] = h
	}
	if h := got["ahead"]; h.OffsetMinutes != 60 || h.Flag != "--tz ahead=+01:00" {
		t.Errorf("an hour ahead: %+v", h)
	}
	if h := got["behind"]; h.OffsetMinutes != -330 || h.Flag != "--tz behind=-05:30" {
		t.Errorf("5h30 behind: %+v", h)
	}
	for _, l := range []string{"inStep", "otherWindow", "edge"} {
		if h, ok := got[l]; ok {
			t.Errorf("%s: unexpected hint %+v", l, h)
		}
	}
}
