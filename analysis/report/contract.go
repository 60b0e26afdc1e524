package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/analysis/contract"
	"github.com/logtriage/logtriage/internal/num"
	"github.com/logtriage/logtriage/internal/term"
)

// ContractText writes the contract report (`logtriage contract`) for a terminal.
func ContractText(w io.Writer, r *analysis.ContractReport) error { return writeContract(w, r, false) }

// ContractMarkdown writes the contract report as Markdown, for a pull request or a ticket.
func ContractMarkdown(w io.Writer, r *analysis.ContractReport) error {
	return writeContract(w, r, true)
}

func layerCounts(ls []analysis.LayerCount) string {
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		s := fmt.Sprintf("%s %s ok/%s×405", l.Layer, num.Thousands(l.OK), num.Thousands(l.M405))
		if l.Masked405 > 0 {
			s += fmt.Sprintf(" (%s masked)", num.Thousands(l.Masked405))
		}
		if l.Route != "" {
			s += " as " + l.Route // the path a proxy in front rewrote (a stripped prefix)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " → ")
}

func writeContract(w io.Writer, r *analysis.ContractReport, md bool) error {
	bw := bufio.NewWriter(w)
	h := func(title string, n int) {
		if md {
			fmt.Fprintf(bw, "\n### %s (%s)\n\n", mdEscape(title), num.Thousands(int64(n)))
		} else {
			fmt.Fprintf(bw, "\n%s (%s)\n", title, num.Thousands(int64(n)))
		}
	}
	write := func(t *table) {
		switch {
		case len(t.Rows) == 0 && md:
			bw.WriteString("None.\n")
		case len(t.Rows) == 0:
			bw.WriteString("  none\n")
		case md:
			t.markdown(bw)
		default:
			t.text(bw, "  ")
		}
	}
	// Sibling layers (several apps behind one proxy) are in braces, as analyze shows them: the
	// list of layers alone would read as a chain through each of them.
	path := r.LayerPath
	if path == "" {
		path = strings.Join(r.Layers, " → ")
	}
	if md {
		fmt.Fprintf(bw, "## Method contract: %s\n\nLayers, outer → inner: %s\n", mdEscape(r.Spec), mdEscape(path))
	} else {
		term.Fprintf(bw, "Method contract: %s against the logs (layers, outer → inner: %s)\n", r.Spec, path)
	}

	var server, client, unknown int64
	for _, f := range r.Findings {
		switch f.Contract {
		case contract.Documented:
			server++
		case contract.Undocumented:
			client++
		default:
			unknown++
		}
	}
	h("405 findings: who has to fix them", len(r.Findings))
	if md {
		fmt.Fprintf(bw, "Server side (documented method rejected): %s · client side (undocumented method sent): %s · route not in the spec: %s\n\n",
			num.Thousands(server), num.Thousands(client), num.Thousands(unknown))
	} else {
		fmt.Fprintf(bw, "  server side (documented method rejected) %s, client side (undocumented method sent) %s, route not in the spec %s\n",
			num.Thousands(server), num.Thousands(client), num.Thousands(unknown))
	}
	t := &table{Head: []string{"FIX", "CONTRACT", "METHOD", "ROUTE", "ORIGIN", "CAUSE", "COUNT", "SPEC PATH"}}
	for _, f := range r.Findings {
		side := f.FixSide
		if side == "" {
			side = "spec?"
		}
		t.row(side, f.Contract, f.Method, f.Route, f.OriginLayer, string(f.Cause), num.Thousands(int64(f.Count)), f.SpecPath)
	}
	write(t)

	items := func(list []analysis.SurfaceItem, withOrigin bool) {
		t := &table{Head: []string{"METHOD", "ROUTE", "SPEC PATH", "DOCUMENTED", "PER LAYER (outer → inner)"}}
		if withOrigin {
			t.Head = append(t.Head, "405 GENERATED AT")
		}
		for _, it := range list {
			row := []string{it.Method, it.Route, it.SpecPath, strings.Join(it.Documented, ", "), layerCounts(it.Layers)}
			if withOrigin {
				row = append(row, strings.Join(it.Origin, "; "))
			}
			t.row(row...)
		}
		write(t)
	}
	h("Documented methods answered with 405 (server side)", len(r.Documented405))
	items(r.Documented405, true)
	h("Undocumented methods that succeeded (spec stale, or the route leaks a method)", len(r.UndocumentedOK))
	items(r.UndocumentedOK, true)
	h("Undocumented methods rejected (the contract held; the clients are wrong)", len(r.Undocumented405))
	items(r.Undocumented405, true)
	h("Routes the spec lacks", len(r.UnknownRoutes))
	items(r.UnknownRoutes, false)

	h("OPTIONS and CORS preflights per route", len(r.CORS))
	t = &table{Head: []string{"ROUTE", "LAYER", "OPTIONS", "PREFLIGHTS OK", "WANTED", "ORIGINS", "VERDICT"}}
	for _, c := range r.CORS {
		var wanted, origins []string
		for _, x := range c.Wanted {
			wanted = append(wanted, fmt.Sprintf("%s (%s)", x.Value, num.Thousands(int64(x.Count))))
		}
		for _, o := range c.Origins {
			origins = append(origins, fmt.Sprintf("%s ok %s failed %s", o.Origin, num.Thousands(o.OK), num.Thousands(o.Failed)))
		}
		verdict := "ok"
		switch {
		case c.Preflights > c.PreflightsOK:
			verdict = fmt.Sprintf("%s preflights failed", num.Thousands(c.Preflights-c.PreflightsOK))
		case c.M405 > 0:
			verdict = "OPTIONS answered 405"
		}
		if len(c.WantedUndocumented) > 0 {
			verdict += "; undocumented: " + strings.Join(c.WantedUndocumented, ", ")
		}
		t.row(c.Route, c.Layer, fmt.Sprintf("%s (%s ok, %s×405)", num.Thousands(c.Options), num.Thousands(c.OK), num.Thousands(c.M405)),
			fmt.Sprintf("%s/%s", num.Thousands(c.PreflightsOK), num.Thousands(c.Preflights)), strings.Join(wanted, ", "), strings.Join(origins, "; "), verdict)
	}
	write(t)

	h("Documented but not seen in the logs", len(r.NotSeen))
	t = &table{Head: []string{"SPEC PATH", "METHODS"}}
	for _, p := range r.NotSeen {
		t.row(p.Template, strings.Join(p.Methods, ", "))
	}
	write(t)
	return bw.Flush()
}
