package report

import (
	"strings"
	"testing"

	"github.com/logtriage/logtriage/analysis"
)

// The join sentence reads each clock offset for the reader: a second or more is the inner host's
// clock ahead or behind by that much; under a second is clocks in step, said once.
func TestJoinSummaryClockOffsets(t *testing.T) {
	s := analysis.Summary{Joins: analysis.JoinCounts{Unique: 205, Group: 35}, ClockSkew: []analysis.ClockSkew{
		{Inner: "fastapi.log", Outer: "edge", OffsetMS: -469, Pairs: 851},
		{Inner: "gin.log", Outer: "edge", OffsetMS: -2000, Pairs: 1956},
		{Inner: "old.log", Outer: "edge", OffsetMS: 3400, Pairs: 12},
	}}
	got := joinSummary(&s)
	for _, want := range []string{
		"fastapi.log vs edge -469 ms (851 pairs), ",
		"gin.log vs edge -2000 ms (1,956 pairs; its clock runs about 2 s ahead)",
		"old.log vs edge +3400 ms (12 pairs; its clock runs about 3 s behind)",
		"; an offset under 1 s is clocks in step, as far as whole-second time stamps tell.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	s.ClockSkew = s.ClockSkew[1:2]
	if got := joinSummary(&s); strings.Contains(got, "under 1 s") {
		t.Errorf("no offset under 1 s, yet:\n%s", got)
	}
}

// Under a second apart, the offset of two logs of sub-second times is a measurement, not the
// rounding of whole-second stamps: the sentence says so, for the pairs whose logs both carry
// fractions (each side as the inputs' time resolutions tell), and keeps the whole-second reading
// for the others.
func TestJoinSummaryClockOffsetResolution(t *testing.T) {
	in := func(name, layer, res string) analysis.InputStats {
		return analysis.InputStats{Name: name, Layer: layer, Parsed: 10, TimeResolution: res}
	}
	const whole = "an offset under 1 s is clocks in step, as far as whole-second time stamps tell"
	for _, c := range []struct {
		name   string
		inputs []analysis.InputStats
		want   string
	}{
		{"both sub-second", []analysis.InputStats{in("edge.log", "edge", "millisecond"), in("app.json", "app", "nanosecond")},
			"; an offset under 1 s is measured to the millisecond (both logs carry sub-second times): the outer hop's own time, plus any difference between the hosts' clocks."},
		{"outer whole seconds", []analysis.InputStats{in("edge.log", "edge", "second"), in("app.json", "app", "nanosecond")},
			"; " + whole + "."},
		{"inner whole seconds", []analysis.InputStats{in("edge.log", "edge", "microsecond"), in("app.json", "app", "second")},
			"; " + whole + "."},
		{"one instance of the outer layer in whole seconds", []analysis.InputStats{in("edge.log", "edge", "millisecond"),
			in("edge-2.log", "edge", "second"), in("app.json", "app", "microsecond")}, "; " + whole + "."},
		{"not told (a saved v1 analysis, es)", []analysis.InputStats{in("edge.log", "edge", ""), in("app.json", "app", "")},
			"; " + whole + "."},
	} {
		s := analysis.Summary{Inputs: c.inputs, Joins: analysis.JoinCounts{Unique: 5},
			ClockSkew: []analysis.ClockSkew{{Inner: "app.json", Outer: "edge", OffsetMS: -469, Pairs: 851}}}
		if got := joinSummary(&s); !strings.HasSuffix(got, c.want) {
			t.Errorf("%s: ends\n%s\nwant\n%s", c.name, got[strings.LastIndex(got, ")")+1:], c.want)
		}
	}
	// Both kinds at once: each pair is named under its reading.
	s := analysis.Summary{Joins: analysis.JoinCounts{Unique: 5},
		Inputs:    []analysis.InputStats{in("edge.log", "edge", "millisecond"), in("a.json", "a", "millisecond"), in("b.log", "b", "second")},
		ClockSkew: []analysis.ClockSkew{{Inner: "a.json", Outer: "edge", OffsetMS: 12, Pairs: 40}, {Inner: "b.log", Outer: "edge", OffsetMS: -300, Pairs: 40}}}
	want := "; " + whole + " (b.log vs edge), and measured to the millisecond (both logs carry sub-second times): the outer hop's own time, plus any difference between the hosts' clocks (a.json vs edge)."
	if got := joinSummary(&s); !strings.HasSuffix(got, want) {
		t.Errorf("mixed:\n%s\nwant the end\n%s", got, want)
	}
}
