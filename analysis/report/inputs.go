package report

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/num"
)

// A directory of ALB objects is hundreds of inputs of one layer: the reports list such a
// layer's files as one row (JSON output lists every input).
const (
	inputRowsMax  = 20 // up to this many inputs, each has a row
	inputsFolded  = 5  // beyond it, a layer with more files than this has one row for them all
	rejectionsMax = 20 // examples of rejected lines shown, over every input
)

// inputRow is a row of the inputs table: one input, or every input of a layer (Files > 1),
// with its counts summed; Name is then the first file's, Last the last one's.
type inputRow struct {
	analysis.InputStats
	Files int
	Last  string
}

// label is the row's input column: the input's name, or "1,000 files: logs/a.log.gz … z.log.gz".
func (r *inputRow) label() string {
	if r.Files <= 1 {
		return r.Name
	}
	return fmt.Sprintf("%s files: %s … %s", num.Thousands(r.Files), r.Name, r.last())
}

// spans is label with the names as code.
func (r *inputRow) spans() []span {
	if r.Files <= 1 {
		return []span{code(r.Name)}
	}
	return []span{plain(num.Thousands(r.Files) + " files: "), code(r.Name), plain(" … "), code(r.last())}
}

// last is the last file's name, without the directory it shares with the first.
func (r *inputRow) last() string {
	if filepath.Dir(r.Name) == filepath.Dir(r.Last) {
		return filepath.Base(r.Last)
	}
	return r.Last
}

// inputRows returns the rows of the inputs table, in the order of the inputs (a folded layer
// where its first file is).
func inputRows(ins []analysis.InputStats) []inputRow {
	var rows []inputRow
	for _, g := range FoldInputs(len(ins), func(i int) string { return ins[i].Layer }) {
		if len(g) == 1 {
			rows = append(rows, inputRow{ins[g[0]], 1, ""})
			continue
		}
		first := ins[g[0]]
		r := inputRow{analysis.InputStats{Name: first.Name, Layer: first.Layer}, len(g), ins[g[len(g)-1]].Name}
		for _, i := range g {
			in := &ins[i]
			r.Read += in.Read
			r.Parsed += in.Parsed
			r.Rejected += in.Rejected
			r.Blank += in.Blank
			r.Skipped += in.Skipped
			r.Format = AddFormat(r.Format, in.Format)
		}
		rows = append(rows, r)
	}
	return rows
}

// FoldInputs groups the rows of an inputs table (n inputs; layer names input i's layer): up to
// inputRowsMax inputs, each is a group of its own; beyond, the inputs of a layer of more than
// inputsFolded are one group, where its first input is. The command line's input summary folds
// the same way.
func FoldInputs(n int, layer func(i int) string) [][]int {
	perLayer := map[string]int{}
	for i := range n {
		perLayer[layer(i)]++
	}
	var groups [][]int
	at := map[string]int{} // a folded layer's group
	for i := range n {
		l := layer(i)
		if n <= inputRowsMax || perLayer[l] <= inputsFolded {
			groups = append(groups, []int{i})
			continue
		}
		g, ok := at[l]
		if !ok {
			g = len(groups)
			at[l] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

// AddFormat adds format to list, the formats of a folded row ("alb, nginx"), unless it is there
// already or empty (an empty input's or one that could not be read: it has no format, and the
// row would read ", alb" or "alb, ").
func AddFormat(list, format string) string {
	switch {
	case format == "" || strings.Contains(", "+list+",", ", "+format+","):
		return list
	case list == "":
		return format
	}
	return list + ", " + format
}

// rejectionsShown returns the examples of rejected lines to show, at most rejectionsMax, and
// how many more there are.
func rejectionsShown(ins []analysis.InputStats) ([]analysis.Rejection, int) {
	var out []analysis.Rejection
	more := 0
	for _, in := range ins {
		for _, r := range in.Rejections {
			if len(out) < rejectionsMax {
				out = append(out, r)
			} else {
				more++
			}
		}
	}
	return out, more
}
