package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/logtriage/logtriage/analysis/probe"
	"github.com/logtriage/logtriage/internal/num"
	"github.com/logtriage/logtriage/internal/term"
)

// ProbeText writes the probe report (`logtriage probe`) for a terminal: one table per URL, or
// with several environments one method matrix per path with the environments side by side.
func ProbeText(w io.Writer, r *probe.Report) error { return writeProbe(w, r, false) }

// ProbeMarkdown writes the probe report as Markdown tables, for a ticket or a pull request.
func ProbeMarkdown(w io.Writer, r *probe.Report) error { return writeProbe(w, r, true) }

func checkName(c *probe.Check, preflight string) string {
	if c.Preflight {
		return "preflight " + strings.ToUpper(preflight)
	}
	return c.Method
}

func checkCell(c *probe.Check) string {
	if c == nil {
		return "-"
	}
	if c.Error != "" {
		return "ERROR " + c.ErrorKind
	}
	s := fmt.Sprint(c.Status)
	if c.Failure != "" {
		s += " FAILS"
	}
	if c.Location != "" {
		s += " → " + c.Location
	}
	return s
}

func writeProbe(w io.Writer, r *probe.Report, md bool) error {
	bw := bufio.NewWriter(w)
	list := func(title string, items []string) {
		for _, it := range items {
			if md {
				fmt.Fprintf(bw, "- **%s**: %s\n", title, mdEscape(it))
			} else {
				term.Fprintf(bw, "  %s: %s\n", title, it)
			}
		}
	}
	first := true // the text report starts with its first heading, not a blank line
	heading := func(s string) {
		if md {
			fmt.Fprintf(bw, "\n### %s\n\n", mdEscape(s))
		} else if first {
			term.Fprintf(bw, "%s\n", s)
		} else {
			term.Fprintf(bw, "\n%s\n", s)
		}
		first = false
	}
	if md {
		bw.WriteString("## logtriage probe\n")
	}
	if len(r.Envs) > 1 {
		probeMatrix(bw, r, md, heading, list)
	} else {
		for i := range r.Results {
			x := &r.Results[i]
			title := x.URL
			if x.Env != "" {
				title += " (" + x.Env + ")"
			}
			heading(title)
			t := &table{Head: []string{"CHECK", "STATUS", "ALLOW", "AC-ALLOW-METHODS", "AC-ALLOW-ORIGIN", "MS"}}
			for j := range x.Checks {
				c := &x.Checks[j]
				t.row(checkName(c, r.Preflight), checkCell(c), c.Allow, c.ACAM, c.ACAO, fmt.Sprintf("%.0f", c.DurationMS))
			}
			writeProbeTable(bw, t, md)
			probeFindings(r, x, list, "")
		}
	}
	if r.Errors > 0 || len(r.Drift) > 0 || r.Failed() {
		heading("Summary")
	} else {
		heading("Summary: every answer complies")
	}
	n := 0
	for _, x := range r.Results {
		n += len(x.Problems) + len(x.Contract)
	}
	line := fmt.Sprintf("%s, %s, %s, %s", num.Plural(len(r.Results), "URL"),
		num.Count(n, "problem or contract difference", "problems and contract differences"),
		num.Count(len(r.Drift), "drift between environments", "drifts between environments"),
		num.Count(r.Errors, "request without an answer", "requests without an answer"))
	if md {
		bw.WriteString(line + "\n")
	} else {
		bw.WriteString("  " + line + "\n")
	}
	return bw.Flush()
}

func probeFindings(r *probe.Report, x *probe.Result, list func(string, []string), prefix string) {
	var errs []string
	for _, c := range x.Checks {
		if c.Error != "" {
			errs = append(errs, fmt.Sprintf("%s%s: %s", prefix, checkName(&c, r.Preflight), c.Error))
		}
	}
	add := func(items []string) []string {
		if prefix == "" {
			return items
		}
		out := make([]string, len(items))
		for i, s := range items {
			out[i] = prefix + s
		}
		return out
	}
	list("error", errs)
	list("problem", add(x.Problems))
	if x.SpecPath != "" || len(x.Contract) > 0 {
		list("contract", add(x.Contract))
	}
	list("note", add(x.Notes))
}

func probeMatrix(bw *bufio.Writer, r *probe.Report, md bool, heading func(string), list func(string, []string)) {
	byPath := map[string]map[string]*probe.Result{}
	var paths []string
	for i := range r.Results {
		x := &r.Results[i]
		if byPath[x.Path] == nil {
			byPath[x.Path] = map[string]*probe.Result{}
			paths = append(paths, x.Path)
		}
		byPath[x.Path][x.Env] = x
	}
	for _, p := range paths {
		rs := byPath[p]
		heading(p)
		drifted := map[string]bool{}
		for _, d := range r.Drift {
			if d.Path == p {
				drifted[d.What] = true
			}
		}
		head := append([]string{"CHECK"}, r.Envs...)
		head = append(head, "DRIFT")
		t := &table{Head: head}
		var checks []string
		seen := map[string]bool{}
		for _, e := range r.Envs {
			if x := rs[e]; x != nil {
				for _, c := range x.Checks {
					k := c.Method
					if c.Preflight {
						k = "preflight"
					}
					if !seen[k] {
						seen[k] = true
						checks = append(checks, k)
					}
				}
			}
		}
		for _, k := range checks {
			name := k
			if k == "preflight" {
				name = "preflight " + strings.ToUpper(r.Preflight)
			}
			row := []string{name}
			for _, e := range r.Envs {
				var c *probe.Check
				if x := rs[e]; x != nil {
					c = x.Check(k)
				}
				row = append(row, checkCell(c))
			}
			if drifted[k] {
				row = append(row, "DRIFT")
			} else {
				row = append(row, "")
			}
			t.row(row...)
		}
		row := []string{"Allow"}
		for _, e := range r.Envs {
			a := ""
			if x := rs[e]; x != nil {
				for _, c := range x.Checks {
					if !c.Preflight && c.Allow != "" {
						a = c.Allow
						break
					}
				}
			}
			row = append(row, a)
		}
		if drifted["Allow"] {
			row = append(row, "DRIFT")
		} else {
			row = append(row, "")
		}
		t.row(row...)
		writeProbeTable(bw, t, md)
		for _, e := range r.Envs {
			if x := rs[e]; x != nil {
				probeFindings(r, x, list, e+": ")
			}
		}
	}
}

func writeProbeTable(bw *bufio.Writer, t *table, md bool) {
	if md {
		t.markdown(bw)
		bw.WriteString("\n")
	} else {
		t.text(bw, "  ")
	}
}
