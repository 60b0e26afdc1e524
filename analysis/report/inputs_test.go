package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/logtriage/logtriage/analysis"
)

// TestInputRowsFoldLayersOfManyFiles: up to 20 inputs each has a row; beyond, a layer of more
// than 5 files has one row, where its first file is, with the counts summed and the first and
// last file named, while smaller layers keep a row per file. Examples of rejected lines stop
// at 20, saying how many more there are.
func TestInputRowsFoldLayersOfManyFiles(t *testing.T) {
	in := func(name, layer, format string, read, rejected int64) analysis.InputStats {
		s := analysis.InputStats{Name: name, Layer: layer, Format: format, Read: read, Parsed: read - rejected, Rejected: rejected}
		for i := range rejected {
			s.Rejections = append(s.Rejections, analysis.Rejection{Source: fmt.Sprintf("%s:%d", name, i+1), Reason: "not a record"})
		}
		return s
	}
	few := []analysis.InputStats{in("edge.log", "edge", "nginx", 10, 0), in("a.log", "app", "app", 5, 1), in("b.log", "app", "app", 5, 0)}
	if rows := inputRows(few); len(rows) != 3 || rows[1].label() != "a.log" || rows[1].Rejected != 1 {
		t.Errorf("three inputs: %+v", rows)
	}

	var many []analysis.InputStats
	many = append(many, in("edge.log", "edge", "nginx", 100, 0))
	for i := range 25 {
		var rej int64
		if i == 3 || i == 17 {
			rej = 12
		}
		format := "alb"
		if i == 20 {
			format = "nginx" // a file detected otherwise
		}
		many = append(many, in(fmt.Sprintf("logs/alb/a%02d.log.gz", i), "alb", format, 1000, rej))
		if i < 4 {
			many = append(many, in(fmt.Sprintf("app-%d.log", i), "app", "app", 10, 0))
		}
	}
	rows := inputRows(many)
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s|%s|%s|%d|%d|%d", r.label(), r.Layer, r.Format, r.Read, r.Parsed, r.Rejected))
	}
	want := []string{
		"edge.log|edge|nginx|100|100|0",
		"25 files: logs/alb/a00.log.gz … a24.log.gz|alb|alb, nginx|25000|24976|24",
		"app-0.log|app|app|10|10|0", "app-1.log|app|app|10|10|0", "app-2.log|app|app|10|10|0", "app-3.log|app|app|10|10|0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var b bytes.Buffer
	a := &analysis.Analysis{Summary: analysis.Summary{Inputs: many}}
	if err := Text(&b, a); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "25 files: logs/alb/a00.log.gz … a24.log.gz") || strings.Contains(out, "a05.log.gz") ||
		strings.Count(out, "  rejected ") != 20 || !strings.Contains(out, "… and 4 more examples of rejected lines") {
		t.Errorf("text report:\n%s", out)
	}
}
