package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/logtriage/logtriage/internal/term"
)

// table is the one table of every report: the postmortem's, the contract and probe reports' and
// the command line's. Markdown writes it as a GFM table with every cell escaped, HTML as a
// <table>, a terminal as aligned columns.
type table struct {
	Head  []string
	Right []bool // right-aligned (numeric) columns
	Rows  []([]cell)
	More  string // "… and 3 more findings (12 requests)"
}

// row adds a row of plain-text cells; an empty one reads "-".
func (t *table) row(cells ...string) {
	r := make([]cell, len(cells))
	for i, c := range cells {
		r[i] = cell{plain(orDash(c))}
	}
	t.Rows = append(t.Rows, r)
}

func (t *table) right(i int) bool { return i < len(t.Right) && t.Right[i] }

// markdown writes the table as GFM.
func (t *table) markdown(w *bufio.Writer) {
	w.WriteString("|")
	for _, h := range t.Head {
		fmt.Fprintf(w, " %s |", mdEscape(h))
	}
	w.WriteString("\n|")
	for i := range t.Head {
		if t.right(i) {
			w.WriteString("---:|")
		} else {
			w.WriteString("---|")
		}
	}
	w.WriteString("\n")
	for _, r := range t.Rows {
		w.WriteString("|")
		for _, c := range r {
			fmt.Fprintf(w, " %s |", mdSpansIn(c, true))
		}
		w.WriteString("\n")
	}
	if t.More != "" {
		fmt.Fprintf(w, "\n%s\n", mdEscape(t.More))
	}
}

// text writes the table for a terminal: each line starts with indent, columns are two spaces
// apart, numeric columns right-aligned, the last column unpadded; an empty cell is "-", and
// control characters in cells are escaped (internal/term).
func (t *table) text(w io.Writer, indent string) error {
	lines := make([][]string, 0, len(t.Rows)+1)
	head := make([]string, len(t.Head))
	for i, h := range t.Head {
		head[i] = term.Clean(h)
	}
	lines = append(lines, head)
	for _, r := range t.Rows {
		line := make([]string, len(r))
		for i, c := range r {
			line[i] = term.Clean(orDash(plainText(c)))
		}
		lines = append(lines, line)
	}
	var width []int
	for _, l := range lines {
		for i, c := range l {
			if i == len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(indent)
		for i, c := range l {
			pad := width[i] - utf8.RuneCountInString(c)
			last := i == len(l)-1
			if t.right(i) {
				b.WriteString(strings.Repeat(" ", pad))
				pad = 0
			}
			b.WriteString(c)
			if !last {
				b.WriteString(strings.Repeat(" ", pad+2))
			}
		}
		b.WriteByte('\n')
	}
	if t.More != "" {
		b.WriteString(indent + term.Clean(t.More) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plainText(c cell) string {
	if len(c) == 1 {
		return c[0].Text
	}
	var b strings.Builder
	for _, s := range c {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Table is a table for a terminal (the command line's input statistics): columns aligned,
// numeric columns right-aligned.
type Table struct{ t table }

// NewTable starts a table with the given column heads.
func NewTable(head ...string) *Table { return &Table{table{Head: head}} }

// AlignRight right-aligns the numbered columns (from 0).
func (t *Table) AlignRight(cols ...int) *Table {
	for _, c := range cols {
		for len(t.t.Right) <= c {
			t.t.Right = append(t.t.Right, false)
		}
		t.t.Right[c] = true
	}
	return t
}

// Row adds a row.
func (t *Table) Row(cells ...string) { t.t.row(cells...) }

// Write writes the table.
func (t *Table) Write(w io.Writer) error { return t.t.text(w, "") }
