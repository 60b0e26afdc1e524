package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

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
	if got := AddFormat(AddFormat(AddFormat(AddFormat("", "alb"), ""), "nginx"), "alb"); got != "alb, nginx" {
		t.Errorf("AddFormat: %q, want %q", got, "alb, nginx")
	}
}

// TestFoldedRowEscaped: the folded row of a layer whose file names hold Markdown and HTML
// syntax (a pipe, a backtick, a tag, an ampersand) keeps its cells in the Markdown appendix
// and shows the names as text in the HTML report, and the text report's columns stay aligned
// with the ellipsis in the row.
func TestFoldedRowEscaped(t *testing.T) {
	var ins []analysis.InputStats
	for i := range 25 {
		ins = append(ins, analysis.InputStats{Name: fmt.Sprintf("logs/a|b`c/<i>x&y%02d.log", i), Layer: "alb", Format: "alb", Read: 1, Parsed: 1})
	}
	ins = append(ins, analysis.InputStats{Name: "edge.log", Layer: "edge", Format: "nginx", Read: 1234567, Parsed: 1234567})
	a := &analysis.Analysis{Summary: analysis.Summary{Inputs: ins}}

	var md bytes.Buffer
	if err := Markdown(&md, a, Options{}); err != nil {
		t.Fatal(err)
	}
	var row, head string
	for _, l := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(l, "| Input ") {
			head = l
		}
		if strings.Contains(l, "25 files: ") {
			row = l
		}
	}
	cells := func(l string) int { // the pipes not escaped: GFM splits a row at them, code spans or not
		n := 0
		for i := 0; i < len(l); i++ {
			switch l[i] {
			case '\\':
				i++
			case '|':
				n++
			}
		}
		return n
	}
	if head == "" || row == "" || cells(row) != cells(head) {
		t.Errorf("Markdown appendix: the folded row has %d cell borders, the head %d:\n%s\n%s", cells(row), cells(head), head, row)
	}

	var h bytes.Buffer
	if err := HTML(&h, a, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.String(), "<i>x&y") || !strings.Contains(h.String(), "25 files: ") ||
		!strings.Contains(h.String(), "&lt;i&gt;x&amp;y00.log") || !strings.Contains(h.String(), "&lt;i&gt;x&amp;y24.log") {
		t.Errorf("HTML: the folded row's names are not escaped")
	}

	var tx bytes.Buffer
	if err := Text(&tx, a); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(tx.String(), "\n") {
		if strings.HasPrefix(l, "INPUT") || strings.Contains(l, "25 files: ") || strings.HasPrefix(l, "edge.log") {
			lines = append(lines, l)
		}
	}
	// LAYER starts in the same column on every row: the ellipsis counts as one column.
	col := func(l, cell string) (int, int) {
		i := strings.Index(l, cell)
		s := utf8.RuneCountInString(l[:i])
		return s, s + utf8.RuneCountInString(cell)
	}
	if len(lines) != 3 {
		t.Fatalf("text report: rows %q", lines)
	}
	hs, _ := col(lines[0], "LAYER")
	fs, _ := col(lines[1], " alb ")
	es, _ := col(lines[2], " edge ")
	if fs+1 != hs || es+1 != hs {
		t.Errorf("text report: LAYER at column %d, the folded row's layer at %d, edge's at %d:\n%s", hs, fs+1, es+1, strings.Join(lines, "\n"))
	}
}
