package report

import (
	"bufio"
	"fmt"
	"strings"
	"testing"
	"text/tabwriter"
)

// The terminal tables were written with text/tabwriter; the one table writer aligns the same way.
func TestTableTextLikeTabwriter(t *testing.T) {
	rows := [][]string{{"1", "1,234", "app", "method_not_routed", "POST", "/api/orders/{id}", "retried 6"},
		{"10", "7", "beyond ingress", "cors_preflight", "OPTIONS", "/é/ü/→", "-"}, {"2", "30", "-", "x", "DELETE", "/", "masked 1, no-Allow 2"}}
	tb := &table{Head: []string{"#", "COUNT", "ORIGIN", "CAUSE", "METHOD", "ROUTE", "FLAGS"}}
	var want strings.Builder
	tw := tabwriter.NewWriter(&want, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\n", strings.Join(tb.Head, "\t"))
	for _, r := range rows {
		tb.row(r...)
		fmt.Fprintf(tw, "  %s\n", strings.Join(r, "\t"))
	}
	tw.Flush()
	var got strings.Builder
	tb.text(&got, "  ")
	if got.String() != want.String() {
		t.Errorf("got\n%s\nwant\n%s", got.String(), want.String())
	}
	// Numbers right-aligned; Markdown cells escaped.
	tb = &table{Head: []string{"NAME", "READ"}, Right: []bool{false, true}}
	tb.row("a|<b>", "7")
	tb.row("c", "1,234")
	got.Reset()
	tb.text(&got, "")
	if got.String() != "NAME    READ\na|<b>      7\nc      1,234\n" {
		t.Errorf("right-aligned:\n%s", got.String())
	}
	var md strings.Builder
	bw := bufio.NewWriter(&md)
	tb.markdown(bw)
	bw.Flush()
	if md.String() != "| NAME | READ |\n|---|---:|\n| a\\|\\<b\\> | 7 |\n| c | 1,234 |\n" {
		t.Errorf("markdown:\n%s", md.String())
	}
}
