package analysis

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/logtriage/logtriage/analysis/contract"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// ContractSchema identifies the JSON document of `logtriage contract --output json`.
const ContractSchema = "logtriage.contract/v1"

// ContractReport holds the method surface seen in the logs against an OpenAPI spec: what
// `logtriage contract` prints.
type ContractReport struct {
	Schema string   `json:"schema"`
	Spec   string   `json:"spec"`
	Layers []string `json:"layers"` // outer → inner
	// Documented405 lists documented methods that some layer answered with 405: server side.
	Documented405 []SurfaceItem `json:"documented_405"`
	// UndocumentedOK lists methods the spec does not document on a route it has, which
	// succeeded somewhere: the spec is stale, or a route leaks a method.
	UndocumentedOK []SurfaceItem `json:"undocumented_ok"`
	// Undocumented405 lists undocumented methods that were rejected: the contract held, the
	// client is wrong.
	Undocumented405 []SurfaceItem `json:"undocumented_405"`
	// UnknownRoutes lists routes the spec has no path for, with every method seen.
	UnknownRoutes []SurfaceItem `json:"unknown_routes"`
	// CORS lists each route's OPTIONS answers and CORS preflights.
	CORS []CORSItem `json:"cors"`
	// NotSeen lists documented methods no layer saw in the window: untested by this traffic.
	NotSeen []contract.SpecMatch `json:"not_seen"`
	// Findings are the analysis's 405 findings with their contract verdicts.
	Findings []ContractFinding `json:"findings"`
}

// SurfaceItem is one method on one route across the layers that saw it.
type SurfaceItem struct {
	Method     string       `json:"method"`
	Route      string       `json:"route"`
	SpecPath   string       `json:"spec_path,omitempty"`
	Documented []string     `json:"documented,omitempty"` // the methods the spec documents there
	Count      int64        `json:"count"`                // at the outermost layer that saw it
	Layers     []LayerCount `json:"layers"`               // outer → inner
	// Origin names where the 405s were generated and why, from the findings: "app deploy_regression".
	Origin []string `json:"origin,omitempty"`
}

// LayerCount is one layer's answers to a method on a route.
type LayerCount struct {
	Layer     string `json:"layer"`
	Count     int64  `json:"count"`
	OK        int64  `json:"ok"`
	M405      int64  `json:"405"`
	Masked405 int64  `json:"masked_405,omitempty"`
	Allow     string `json:"allow,omitempty"`
}

// CORSItem is one route's OPTIONS behaviour at one layer.
type CORSItem struct {
	Layer        string  `json:"layer"`
	Route        string  `json:"route"`
	SpecPath     string  `json:"spec_path,omitempty"`
	Options      int64   `json:"options"` // OPTIONS requests, preflights included
	OK           int64   `json:"ok"`
	M405         int64   `json:"405"`
	Preflights   int64   `json:"preflights"`
	PreflightsOK int64   `json:"preflights_ok"`
	Wanted       []Count `json:"preflight_methods,omitempty"`
	// WantedUndocumented lists preflight methods the spec does not document on the route.
	WantedUndocumented []string          `json:"preflight_methods_undocumented,omitempty"`
	Origins            []PreflightOrigin `json:"preflight_origins,omitempty"`
	Allow              string            `json:"allow,omitempty"`
}

// ContractFinding is a finding's contract verdict, in short.
type ContractFinding struct {
	OriginLayer string `json:"origin_layer"`
	Cause       Cause  `json:"cause"`
	Method      string `json:"method"`
	Route       string `json:"route"`
	Count       int    `json:"count"`
	Contract    string `json:"contract"`
	SpecPath    string `json:"spec_path,omitempty"`
	FixSide     string `json:"fix_side,omitempty"`
	Verdict     string `json:"verdict"`
}

// CheckSurface holds the analysis's surface (Options.Surface) against spec. It also applies
// the contract to the findings (ApplyContract) when that has not been done.
func CheckSurface(a *Analysis, spec *contract.Spec) *ContractReport {
	r := &ContractReport{Schema: ContractSchema, Spec: spec.Source, Documented405: []SurfaceItem{},
		UndocumentedOK: []SurfaceItem{}, Undocumented405: []SurfaceItem{}, UnknownRoutes: []SurfaceItem{},
		CORS: []CORSItem{}, NotSeen: []contract.SpecMatch{}, Findings: []ContractFinding{}}
	rank := map[string]int{}
	for i, l := range a.Layers {
		r.Layers = append(r.Layers, l.Name)
		rank[l.Name] = i
	}
	needApply := false
	for i := range a.Findings {
		needApply = needApply || a.Findings[i].Contract == ""
	}
	if needApply {
		ApplyContract(a, spec)
	}
	origins := map[string][]string{} // method route → "layer cause"
	for i := range a.Findings {
		f := &a.Findings[i]
		k := f.Method + " " + f.Route
		origins[k] = append(origins[k], f.OriginLayer+" "+string(f.Cause))
		r.Findings = append(r.Findings, ContractFinding{OriginLayer: f.OriginLayer, Cause: f.Cause, Method: f.Method,
			Route: f.Route, Count: f.Count, Contract: f.Contract, SpecPath: f.ContractPath, FixSide: f.FixSide,
			Verdict: f.ContractVerdict})
	}

	// Group the surface by method and route; entries come outer layer first.
	type group struct {
		item    SurfaceItem
		ok, bad int64 // answers across layers
		masked  int64
	}
	groups := map[string]*group{}
	var order []string
	seen := map[string]bool{} // spec template + method
	cors := map[string]*CORSItem{}
	var corsOrder []string
	for i := range a.Surface {
		s := &a.Surface[i]
		verdict, m := spec.Check(s.Method, s.Route)
		if s.Method == "OPTIONS" {
			k := s.Layer + "\x00" + s.Route
			c := cors[k]
			if c == nil {
				c = &CORSItem{Layer: s.Layer, Route: s.Route, SpecPath: m.Template}
				cors[k] = c
				corsOrder = append(corsOrder, k)
			}
			c.Options += s.Count
			c.OK += s.OK
			c.M405 += s.M405
			c.Preflights += s.Preflights
			c.PreflightsOK += s.PreflightsOK
			c.Wanted = append(c.Wanted, s.PreflightMethods...)
			c.Origins = append(c.Origins, s.PreflightOrigins...)
			if c.Allow == "" {
				c.Allow = s.Allow
			}
			for _, w := range s.PreflightMethods {
				if verdict != contract.UnknownRoute && !contract.Documents(m.Methods, w.Value) {
					c.WantedUndocumented = appendUnique(c.WantedUndocumented, w.Value)
				}
			}
			if verdict == contract.Documented {
				seen[m.Template+" OPTIONS"] = true
			}
			if verdict != contract.UnknownRoute {
				continue
			}
		}
		if verdict == contract.Documented {
			seen[m.Template+" "+s.Method] = true
			if s.Method == "HEAD" {
				seen[m.Template+" GET"] = true
			}
		}
		key := verdict + "\x00" + s.Method + "\x00" + s.Route
		g := groups[key]
		if g == nil {
			g = &group{item: SurfaceItem{Method: s.Method, Route: s.Route, SpecPath: m.Template, Documented: m.Methods,
				Count: s.Count, Origin: origins[s.Method+" "+s.Route]}}
			groups[key] = g
			order = append(order, key)
		}
		g.item.Layers = append(g.item.Layers, LayerCount{Layer: s.Layer, Count: s.Count, OK: s.OK, M405: s.M405,
			Masked405: s.Masked405, Allow: s.Allow})
		g.ok += s.OK
		g.bad += s.M405
		g.masked += s.Masked405
	}
	for _, key := range order {
		g := groups[key]
		it := g.item
		sort.SliceStable(it.Layers, func(i, j int) bool { return rank[it.Layers[i].Layer] < rank[it.Layers[j].Layer] })
		it.Count = it.Layers[0].Count
		verdict := key[:strings.IndexByte(key, 0)]
		switch verdict {
		case contract.Documented:
			if g.bad > 0 || g.masked > 0 {
				r.Documented405 = append(r.Documented405, it)
			}
		case contract.Undocumented:
			if g.ok > 0 {
				r.UndocumentedOK = append(r.UndocumentedOK, it)
			} else if g.bad > 0 {
				r.Undocumented405 = append(r.Undocumented405, it)
			}
		default:
			r.UnknownRoutes = append(r.UnknownRoutes, it)
		}
	}
	byCount := func(items []SurfaceItem) {
		sort.SliceStable(items, func(i, j int) bool {
			if items[i].Count != items[j].Count {
				return items[i].Count > items[j].Count
			}
			if items[i].Route != items[j].Route {
				return items[i].Route < items[j].Route
			}
			return items[i].Method < items[j].Method
		})
	}
	byCount(r.Documented405)
	byCount(r.UndocumentedOK)
	byCount(r.Undocumented405)
	byCount(r.UnknownRoutes)
	for _, k := range corsOrder {
		c := cors[k]
		c.Wanted = mergeCounts(c.Wanted)
		r.CORS = append(r.CORS, *c)
	}
	sort.SliceStable(r.CORS, func(i, j int) bool {
		if r.CORS[i].Route != r.CORS[j].Route {
			return r.CORS[i].Route < r.CORS[j].Route
		}
		return rank[r.CORS[i].Layer] < rank[r.CORS[j].Layer]
	})
	for _, p := range spec.SpecPaths() {
		var missing []string
		for _, m := range p.Methods {
			if !seen[p.Template+" "+m] {
				missing = append(missing, m)
			}
		}
		if len(missing) > 0 {
			r.NotSeen = append(r.NotSeen, contract.SpecMatch{Template: p.Template, Methods: missing})
		}
	}
	return r
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func mergeCounts(in []Count) []Count {
	m := map[string]int{}
	for _, c := range in {
		m[c.Value] += c.Count
	}
	if len(m) == 0 {
		return nil
	}
	return top(m, len(m))
}

// Problems counts the surface differences: documented methods with 405s, undocumented methods
// that succeeded, and failed preflights.
func (r *ContractReport) Problems() int {
	n := len(r.Documented405) + len(r.UndocumentedOK)
	for _, c := range r.CORS {
		if c.Preflights > c.PreflightsOK {
			n++
		}
	}
	return n
}

// WriteJSON writes the report as an indented JSON document.
func (r *ContractReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

func layerCounts(ls []LayerCount, md bool) string {
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		s := fmt.Sprintf("%s %d ok/%d×405", l.Layer, l.OK, l.M405)
		if l.Masked405 > 0 {
			s += fmt.Sprintf(" (%d masked)", l.Masked405)
		}
		parts = append(parts, s)
	}
	sep := " → "
	if md {
		sep = " → "
	}
	return strings.Join(parts, sep)
}

// WriteText writes the report for a terminal.
func (r *ContractReport) WriteText(w io.Writer) error {
	return r.write(w, false)
}

// WriteMarkdown writes the report as Markdown, for a pull request or a ticket.
func (r *ContractReport) WriteMarkdown(w io.Writer) error {
	return r.write(w, true)
}

func (r *ContractReport) write(w io.Writer, md bool) error {
	bw := bufio.NewWriter(w)
	h := func(title string, n int) {
		if md {
			fmt.Fprintf(bw, "\n### %s (%d)\n\n", title, n)
		} else {
			fmt.Fprintf(bw, "\n%s (%d)\n", title, n)
		}
	}
	cell := func(s string) string {
		if md {
			return strings.ReplaceAll(s, "|", `\|`)
		}
		return s
	}
	table := func(head []string, rows [][]string) {
		if len(rows) == 0 {
			if md {
				bw.WriteString("None.\n")
			} else {
				bw.WriteString("  none\n")
			}
			return
		}
		if md {
			fmt.Fprintf(bw, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat(" --- |", len(head)))
			for _, row := range rows {
				for i := range row {
					row[i] = cell(row[i])
					if row[i] == "" {
						row[i] = " "
					}
				}
				fmt.Fprintf(bw, "| %s |\n", strings.Join(row, " | "))
			}
			return
		}
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  %s\n", strings.Join(head, "\t"))
		for _, row := range rows {
			for i := range row {
				row[i] = orDash(row[i])
			}
			fmt.Fprintf(tw, "  %s\n", strings.Join(row, "\t"))
		}
		tw.Flush()
	}
	if md {
		fmt.Fprintf(bw, "## Method contract: %s\n\nLayers, outer → inner: %s\n", cell(r.Spec), strings.Join(r.Layers, " → "))
	} else {
		fmt.Fprintf(bw, "Method contract: %s against the logs (layers, outer → inner: %s)\n", r.Spec, strings.Join(r.Layers, " → "))
	}

	var server, client, unknown int
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
		fmt.Fprintf(bw, "Server side (documented method rejected): %d · client side (undocumented method sent): %d · route not in the spec: %d\n\n", server, client, unknown)
	} else {
		fmt.Fprintf(bw, "  server side (documented method rejected) %d, client side (undocumented method sent) %d, route not in the spec %d\n", server, client, unknown)
	}
	var rows [][]string
	for _, f := range r.Findings {
		side := f.FixSide
		if side == "" {
			side = "spec?"
		}
		rows = append(rows, []string{side, f.Contract, f.Method, f.Route, f.OriginLayer, string(f.Cause), fmt.Sprint(f.Count), f.SpecPath})
	}
	table([]string{"FIX", "CONTRACT", "METHOD", "ROUTE", "ORIGIN", "CAUSE", "COUNT", "SPEC PATH"}, rows)

	items := func(list []SurfaceItem, withOrigin bool) {
		rows = rows[:0]
		for _, it := range list {
			row := []string{it.Method, it.Route, it.SpecPath, strings.Join(it.Documented, ", "), layerCounts(it.Layers, md)}
			if withOrigin {
				row = append(row, strings.Join(it.Origin, "; "))
			}
			rows = append(rows, row)
		}
		head := []string{"METHOD", "ROUTE", "SPEC PATH", "DOCUMENTED", "PER LAYER (outer → inner)"}
		if withOrigin {
			head = append(head, "405 GENERATED AT")
		}
		table(head, rows)
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
	rows = rows[:0]
	for _, c := range r.CORS {
		var wanted, origins []string
		for _, x := range c.Wanted {
			wanted = append(wanted, fmt.Sprintf("%s (%d)", x.Value, x.Count))
		}
		for _, o := range c.Origins {
			origins = append(origins, fmt.Sprintf("%s ok %d failed %d", o.Origin, o.OK, o.Failed))
		}
		verdict := "ok"
		switch {
		case c.Preflights > c.PreflightsOK:
			verdict = fmt.Sprintf("%d preflights failed", c.Preflights-c.PreflightsOK)
		case c.M405 > 0:
			verdict = "OPTIONS answered 405"
		}
		if len(c.WantedUndocumented) > 0 {
			verdict += "; undocumented: " + strings.Join(c.WantedUndocumented, ", ")
		}
		rows = append(rows, []string{c.Route, c.Layer, fmt.Sprintf("%d (%d ok, %d×405)", c.Options, c.OK, c.M405),
			fmt.Sprintf("%d/%d", c.PreflightsOK, c.Preflights), strings.Join(wanted, ", "), strings.Join(origins, "; "), verdict})
	}
	table([]string{"ROUTE", "LAYER", "OPTIONS", "PREFLIGHTS OK", "WANTED", "ORIGINS", "VERDICT"}, rows)

	h("Documented but not seen in the logs", len(r.NotSeen))
	rows = rows[:0]
	for _, p := range r.NotSeen {
		rows = append(rows, []string{p.Template, strings.Join(p.Methods, ", ")})
	}
	table([]string{"SPEC PATH", "METHODS"}, rows)
	return bw.Flush()
}
