package report

import (
	"fmt"
	"testing"

	"github.com/logtriage/logtriage/analysis"
)

// TestFoldedRowFormatsSkipEmpty: a folded layer whose files include an empty one or one that
// could not be read (no format) lists only the formats its files have: not ", alb" when the
// first file has none, nor "alb, " when a later one has none. It fails with the empty format
// listed.
func TestFoldedRowFormatsSkipEmpty(t *testing.T) {
	for _, tc := range []struct {
		none []int // files without a format
		want string
	}{
		{[]int{0}, "alb"},
		{[]int{7}, "alb"},
		{[]int{0, 3, 24}, "alb"},
		{nil, "alb"},
	} {
		var ins []analysis.InputStats
		for i := range 25 {
			s := analysis.InputStats{Name: fmt.Sprintf("logs/alb/a%02d.log.gz", i), Layer: "edge", Format: "alb", Read: 10, Parsed: 10}
			for _, j := range tc.none {
				if i == j {
					s.Format, s.Read, s.Parsed = "", 0, 0
				}
			}
			ins = append(ins, s)
		}
		rows := inputRows(ins)
		if len(rows) != 1 || rows[0].Format != tc.want || rows[0].Files != 25 || rows[0].Read != int64(10*(25-len(tc.none))) {
			t.Errorf("files without a format %v: rows %+v, want one row of 25 files with format %q", tc.none, rows, tc.want)
		}
	}
	// Every file without a format: the row has none either.
	var ins []analysis.InputStats
	for i := range 25 {
		ins = append(ins, analysis.InputStats{Name: fmt.Sprintf("e%02d.log", i), Layer: "edge"})
	}
	if rows := inputRows(ins); len(rows) != 1 || rows[0].Format != "" {
		t.Errorf("no file with a format: %+v", rows)
	}
	// Mixed formats are still listed in the order met.
	if got := addFormat(addFormat(addFormat(addFormat("", "alb"), ""), "nginx"), "alb"); got != "alb, nginx" {
		t.Errorf("addFormat: %q, want %q", got, "alb, nginx")
	}
}
