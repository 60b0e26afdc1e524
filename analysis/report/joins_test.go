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
