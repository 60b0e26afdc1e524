package report

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/num"
)

// The postmortem report. Both formats (markdown.go, html.go) render the one document
// model built from the Analysis alone, so that `logtriage report` can turn a saved JSON analysis
// into the same report, and both formats say the same things. Every number in it is a count of
// the analysis; every claim names a count or an example request id.

// Options tune the postmortem reports.
type Options struct {
	// Top is the number of rows of the findings, routes and clients tables; the rest are
	// counted in a "… and N more" line. Default 20.
	Top int
	// Detail is the number of findings that get a root cause, remediation and prevention
	// section of their own (largest first). Default 10 (the zero value); NoDetail for none.
	Detail int
}

// NoDetail as Options.Detail gives no finding a section of its own (--detail 0).
const NoDetail = -1

func (o Options) norm() Options {
	if o.Top <= 0 {
		o.Top = 20
	}
	switch {
	case o.Detail == 0:
		o.Detail = 10
	case o.Detail < 0:
		o.Detail = 0
	}
	return o
}

// Document model.

type span struct {
	Text       string
	Code, Bold bool
}

func plain(s string) span { return span{Text: s} }
func code(s string) span  { return span{Text: s, Code: true} }
func bold(s string) span  { return span{Text: s, Bold: true} }

type cell []span

type blockKind int

const (
	kindPara blockKind = iota
	kindList
	kindTable
	kindCode
	kindChart
)

type block struct {
	Kind  blockKind
	Spans []span   // kindPara
	Items [][]span // kindList
	Table *table
	Lang  string // kindCode
	Code  string
	Chart string // kindChart: timeline, funnel, routes
}

type section struct {
	ID, Title string
	Blocks    []block
	Subs      []section
}

type document struct {
	Title    string
	Lead     [][]span
	Sections []section
}

func paragraph(s ...span) block         { return block{Kind: kindPara, Spans: s} }
func bulleted(items ...[]span) block    { return block{Kind: kindList, Items: items} }
func codeBlock(lang, code string) block { return block{Kind: kindCode, Lang: lang, Code: code} }
func tableBlock(t *table) block         { return block{Kind: kindTable, Table: t} }
func item(s ...span) []span             { return s }
func cellOf(s ...span) cell             { return s }
func numCell[T ~int | ~int64](n T) cell { return cell{plain(num.Thousands(n))} }

// Formatting helpers shared by both formats.

// day formats the date and time of t in UTC, the zone named.
func day(t time.Time) string { return clock(t) }

// span formats a period in UTC: "2026-11-24 10:00:18 – 10:59:45 UTC".
func period(a, b time.Time) string {
	if a.IsZero() {
		return "-"
	}
	a, b = a.UTC(), b.UTC()
	if b.IsZero() || a.Equal(b) {
		return clock(a)
	}
	if a.Format("2006-01-02") == b.Format("2006-01-02") {
		return a.Format("2006-01-02 15:04:05") + " – " + b.Format("15:04:05") + " UTC"
	}
	return a.Format("2006-01-02 15:04:05") + " – " + b.Format("2006-01-02 15:04:05") + " UTC"
}

// cellTime formats a time for a table whose header names the zone.
func cellTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// pct formats n/total as a percentage with one decimal.
func pct[T ~int | ~int64](n, total T) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(total))
}

func countsText(cs []analysis.Count, total int) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s (%s)", c.Value, num.Thousands(c.Count)))
	}
	s := strings.Join(parts, ", ")
	if total > len(cs) {
		s += fmt.Sprintf(" and %s more", num.Thousands(total-len(cs)))
	}
	return s
}

func more(n int, what string, rest int64, unit string) string {
	if n <= 0 {
		return ""
	}
	if n == 1 {
		what = strings.TrimSuffix(what, "s")
	}
	s := fmt.Sprintf("… and %s more %s", num.Thousands(n), what)
	if unit != "" {
		if rest == 1 {
			unit = strings.Replace(unit, "requests", "request", 1)
		}
		s += fmt.Sprintf(" (%s %s)", num.Thousands(rest), unit)
	}
	return s
}

// smallerFindings points to the findings without a section of their own.
func smallerFindings(n int) string {
	if n == 1 {
		return "The 1 smaller finding is in the table above and in the JSON analysis."
	}
	return fmt.Sprintf("The %s smaller findings are in the table above and in the JSON analysis.", num.Thousands(n))
}

var stampRE = regexp.MustCompile(`(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.\d+)?Z\b`)

// prose adapts a sentence written by the engine (evidence, fix, layer order) to the report's
// conventions: times with the zone named ("… 10:30:27 UTC") and counts with thousands
// separators. Only standalone integers are touched: not ports, addresses, paths, versions or ids.
func prose(s string) string {
	s = stampRE.ReplaceAllString(s, "$1 UTC")
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c < '0' || c > '9' {
			b.WriteByte(c)
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		before := i == 0 || s[i-1] == ' ' || s[i-1] == '('
		after := j == len(s) || strings.IndexByte(" ),;", s[j]) >= 0 ||
			s[j] == '.' && (j+1 == len(s) || s[j+1] == ' ')
		if before && after && j-i >= 4 && j-i <= 18 && s[i] != '0' {
			var n int64
			fmt.Sscan(s[i:j], &n)
			b.WriteString(num.Thousands(n))
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

func findingTitle(i int, f *analysis.Finding) string {
	return fmt.Sprintf("%d. %s %s — %s at %s", i+1, f.Method, f.Route, f.Cause, f.OriginLayer)
}

func findingAnchor(i int) string { return fmt.Sprintf("finding-%d", i+1) }

// postmortem builds the report document.
func postmortem(a *analysis.Analysis, o Options) *document {
	s := &a.Summary
	d := &document{Title: "Postmortem: HTTP 405 responses"}
	if !s.FirstSeen.IsZero() {
		d.Title += ", " + period(s.FirstSeen, s.LastSeen)
	}
	d.Lead = [][]span{
		{plain("Drafted by logtriage from the analysis of " + num.Plural(int(s.Records), "log record") + " (schema "), code(a.Schema),
			plain("). Every number is a count from that analysis; example request ids can be looked up with "), code("logtriage trace ID"),
			plain(". Times are UTC. Review, add the human side (detection, communication, decisions), then publish.")},
	}
	d.Sections = append(d.Sections, summarySection(a), impactSection(a, o), timelineSection(a), rootCauseSection(a, o),
		remediationSection(a, o), preventionSection(a, o), appendixSection(a))
	return d
}

// causeTotals sums the findings' requests per cause, largest first.
func causeTotals(a *analysis.Analysis) []analysis.Count {
	m := map[string]int{}
	for _, f := range a.Findings {
		m[string(f.Cause)] += f.Count
	}
	return ranked(m)
}

// originTotals returns the 405 requests per origin layer, largest first.
func originTotals(a *analysis.Analysis) []analysis.Count {
	if a.Impact != nil {
		out := make([]analysis.Count, 0, len(a.Impact.ByOrigin))
		for _, oi := range a.Impact.ByOrigin {
			out = append(out, analysis.Count{Value: oi.Layer, Count: int(oi.Requests405)})
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
		return out
	}
	m := map[string]int{}
	for _, f := range a.Findings {
		m[f.OriginLayer] += f.Count
	}
	return ranked(m)
}

func first405(a *analysis.Analysis) (first, last time.Time) {
	for _, f := range a.Findings {
		if !f.FirstSeen.IsZero() && (first.IsZero() || f.FirstSeen.Before(first)) {
			first = f.FirstSeen
		}
		if f.LastSeen.After(last) {
			last = f.LastSeen
		}
	}
	return
}

func summarySection(a *analysis.Analysis) section {
	s := &a.Summary
	sec := section{ID: "summary", Title: "Summary"}
	if s.Requests405 == 0 || len(a.Findings) == 0 {
		none := fmt.Sprintf("No request got an HTTP 405 among the %s read", num.Plural(s.Requests, "request"))
		if s.OnlyWith405 { // the source held only requests with a 405 (es): it had none
			none = "No request with an HTTP 405 was found"
		}
		sec.Blocks = append(sec.Blocks, paragraph(plain(none), plain(periodSuffix(s.FirstSeen, s.LastSeen)+".")))
		return sec
	}
	first, last := first405(a)
	var sp []span
	share := fmt.Sprintf("%s of %s requests (%s)", num.Thousands(s.Requests405), num.Thousands(s.Requests), pct(s.Requests405, s.Requests))
	if s.OnlyWith405 {
		share = num.Plural(int(s.Requests405), "request")
	}
	sp = append(sp, bold(share),
		plain(fmt.Sprintf(" got an HTTP 405 from %s, in %s. ", strings.Replace(period(first, last), " – ", " to ", 1), num.Plural(len(a.Findings), "finding"))))
	origins := originTotals(a)
	if len(origins) > 0 {
		o := origins[0]
		sp = append(sp, plain(fmt.Sprintf("Most were generated at the %s layer (%s, %s)", o.Value, num.Thousands(o.Count), pct(int64(o.Count), s.Requests405))))
		if len(origins) > 1 {
			var rest []string
			for _, x := range origins[1:] {
				rest = append(rest, fmt.Sprintf("%s %s", x.Value, num.Thousands(x.Count)))
			}
			sp = append(sp, plain("; the rest at "+joinAnd(rest)))
		}
		sp = append(sp, plain(". "))
	}
	causes := causeTotals(a)
	if len(causes) > 0 {
		c := causes[0]
		f := &a.Findings[0]
		sp = append(sp, plain("The leading cause is "), code(c.Value), plain(fmt.Sprintf(" (%s); the largest finding is ", num.Plural(c.Count, "request"))),
			code(f.Method+" "+f.Route), plain(fmt.Sprintf(" at %s (", f.OriginLayer)), code(string(f.Cause)), plain(fmt.Sprintf(", %s)", num.Plural(f.Count, "request"))))
		if s.Masked405 > 0 {
			verb := "were"
			if s.Masked405 == 1 {
				verb = "was"
			}
			sp = append(sp, plain(fmt.Sprintf("; %s of the 405s %s masked, so the clients saw another status", num.Thousands(s.Masked405), verb)))
		}
		sp = append(sp, plain("."))
	}
	sec.Blocks = append(sec.Blocks, paragraph(sp...))
	if j := joinSummary(s); j != "" {
		sec.Blocks = append(sec.Blocks, paragraph(plain(j)))
	}
	return sec
}

func periodSuffix(a, b time.Time) string {
	if a.IsZero() {
		return ""
	}
	return " (" + period(a, b) + ")"
}

func joinAnd(p []string) string {
	switch len(p) {
	case 0:
		return ""
	case 1:
		return p[0]
	}
	return strings.Join(p[:len(p)-1], ", ") + " and " + p[len(p)-1]
}

func impactSection(a *analysis.Analysis, o Options) section {
	s := &a.Summary
	sec := section{ID: "impact", Title: "Impact"}
	im := a.Impact
	facts := []([]span){
		item(bold("Requests with a 405: "), plain(fmt.Sprintf("%s of %s (%s of all requests)", num.Thousands(s.Requests405), num.Thousands(s.Requests), pct(s.Requests405, s.Requests)))),
	}
	if s.OnlyWith405 {
		facts[0] = item(bold("Requests with a 405: "), plain(num.Thousands(s.Requests405)+" (the source holds only these; the share of all traffic is unknown)"))
	}
	if s.Scope != "" {
		facts = append(facts, item(bold("Scope: "), plain(s.Scope)))
	}
	for _, l := range moreFacts(a) { // method rejections that were not 405s, noise (causes.go)
		facts = append(facts, item(bold(l[0]), plain(l[1])))
	}
	if im != nil {
		facts = append(facts,
			item(bold("What the clients got: "), plain(orDash(statusText(im.ClientStatus)))),
			item(bold("Methods: "), plain(orDash(countsPlain(im.Methods)))),
			item(bold("Affected: "), plain(fmt.Sprintf("%s, %s, %s (/24 for IPv4, /48 for IPv6)",
				num.Plural(im.RoutesTotal, "route"), num.Plural(im.UATotal, "user agent"), num.Plural(im.NetTotal, "client network")))))
	}
	if !s.FirstSeen.IsZero() {
		facts = append(facts, item(bold("Window analysed: "), plain(period(s.FirstSeen, s.LastSeen))))
	}
	sec.Blocks = append(sec.Blocks, bulleted(facts...))

	if im != nil && len(im.ByOrigin) > 0 {
		t := &table{Head: []string{"Origin layer", "405s", "Share of 405s", "Findings", "Routes", "Methods", "Top user agent", "Top client network"},
			Right: []bool{false, true, true, true, true}}
		for _, oi := range im.ByOrigin {
			t.Rows = append(t.Rows, []cell{cellOf(plain(oi.Layer)), numCell(oi.Requests405), cellOf(plain(pct(oi.Requests405, s.Requests405))),
				numCell(oi.Findings), numCell(oi.Routes), cellOf(plain(countsPlain(oi.Methods))), cellOf(firstCount(oi.UserAgents)...), cellOf(firstCount(oi.Networks)...)})
		}
		sec.Subs = append(sec.Subs, section{ID: "impact-origin", Title: "By origin layer", Blocks: []block{
			paragraph(plain("Where the 405s were generated. \"beyond X\" is an upstream behind layer X whose log was not read.")), tableBlock(t)}})
	}

	if len(a.Layers) > 0 {
		t := &table{Head: []string{"Layer (format)", "Records", "Records with a 405", "405s generated", "405s passed through", "405s masked"},
			Right: []bool{false, true, true, true, true, true}}
		for _, l := range a.Layers {
			t.Rows = append(t.Rows, []cell{cellOf(plain(fmt.Sprintf("%s (%s)", l.Name, l.Format))), numCell(l.Records), numCell(l.With405),
				numCell(l.Generated405), numCell(l.Passed405), numCell(l.Masked405)})
		}
		if im != nil {
			for _, oi := range im.ByOrigin {
				if strings.HasPrefix(oi.Layer, analysis.BeyondPrefix) {
					t.Rows = append(t.Rows, []cell{cellOf(plain(oi.Layer + " (not logged)")), cellOf(plain("-")), cellOf(plain("-")), numCell(oi.Requests405), cellOf(plain("-")), cellOf(plain("-"))})
				}
			}
		}
		sec.Subs = append(sec.Subs, section{ID: "impact-layers", Title: "Per layer, outer to inner", Blocks: []block{
			paragraph(plain("Each request counts once per layer: generated there (origin), relayed outward as a 405, or turned into another status (masked).")),
			{Kind: kindChart, Chart: "funnel"}, tableBlock(t)}})
	}

	if im != nil && len(im.Routes) > 0 {
		t := &table{Head: []string{"#", "Method", "Route", "405s", "Share of 405s", "Origin"}, Right: []bool{true, false, false, true, true}}
		var shown int64
		for i, r := range im.Routes {
			if i >= o.Top {
				break
			}
			shown += r.Count
			t.Rows = append(t.Rows, []cell{numCell(i + 1), cellOf(plain(r.Method)), cellOf(code(r.Route)), numCell(r.Count),
				cellOf(plain(pct(r.Count, s.Requests405))), cellOf(plain(countsPlain(r.Origins)))})
		}
		t.More = more(im.RoutesTotal-len(t.Rows), "routes", s.Requests405-shown, "requests with a 405")
		sec.Subs = append(sec.Subs, section{ID: "impact-routes", Title: "Affected routes", Blocks: []block{{Kind: kindChart, Chart: "routes"}, tableBlock(t)}})
	}

	if im != nil && (len(im.UserAgents) > 0 || len(im.Networks) > 0) {
		var blocks []block
		if len(im.UserAgents) > 0 {
			blocks = append(blocks, clientTable("User agent", im.UserAgents, im.UATotal, s.Requests405, o.Top, "user agents"))
		}
		if len(im.Networks) > 0 {
			blocks = append(blocks, clientTable("Client network", im.Networks, im.NetTotal, s.Requests405, o.Top, "networks"))
		}
		sec.Subs = append(sec.Subs, section{ID: "impact-clients", Title: "Affected clients", Blocks: blocks})
	}
	return sec
}

func clientTable(head string, cs []analysis.Count, total int, all int64, n int, what string) block {
	t := &table{Head: []string{head, "Requests with a 405", "Share"}, Right: []bool{false, true, true}}
	var shown int64
	for i, c := range cs {
		if i >= n {
			break
		}
		shown += int64(c.Count)
		t.Rows = append(t.Rows, []cell{cellOf(code(c.Value)), numCell(c.Count), cellOf(plain(pct(int64(c.Count), all)))})
	}
	t.More = more(total-len(t.Rows), what, all-shown, "requests with a 405")
	return tableBlock(t)
}

// statusText lists the statuses clients got: "405 (219), 200 (20, masked)".
func statusText(cs []analysis.Count) string {
	var got []string
	for _, c := range cs {
		g := fmt.Sprintf("%s (%s", c.Value, num.Thousands(c.Count))
		if c.Value != "405" {
			g += ", masked"
		}
		got = append(got, g+")")
	}
	return strings.Join(got, ", ")
}

func countsPlain(cs []analysis.Count) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s %s", c.Value, num.Thousands(c.Count)))
	}
	return strings.Join(parts, ", ")
}

func firstCount(cs []analysis.Count) []span {
	if len(cs) == 0 {
		return []span{plain("-")}
	}
	return []span{code(cs[0].Value), plain(fmt.Sprintf(" (%s)", num.Thousands(cs[0].Count)))}
}

func timelineSection(a *analysis.Analysis) section {
	sec := section{ID: "timeline", Title: "Timeline (UTC)"}
	tl := a.Timeline
	if tl == nil || len(tl.Buckets) == 0 {
		first, last := first405(a)
		if first.IsZero() {
			sec.Blocks = append(sec.Blocks, paragraph(plain("No timed 405 in the window.")))
			return sec
		}
		sec.Blocks = append(sec.Blocks, paragraph(plain("This analysis carries no timeline (written by an older logtriage)."),
			plain(fmt.Sprintf(" First 405 %s, last 405 %s.", day(first), day(last)))))
		return sec
	}
	sec.Blocks = append(sec.Blocks, block{Kind: kindChart, Chart: "timeline"})
	t := &table{Head: []string{"#", "Time (UTC)", "Event"}, Right: []bool{true}}
	for i, e := range tl.Events {
		sp := []span{plain(prose(e.Text))}
		if e.Finding > 0 {
			sp = append(sp, plain(fmt.Sprintf(" (finding %d)", e.Finding)))
		}
		t.Rows = append(t.Rows, []cell{numCell(i + 1), cellOf(plain(cellTime(e.Time))), cellOf(sp...)})
	}
	if len(t.Rows) > 0 {
		sec.Blocks = append(sec.Blocks, tableBlock(t))
	}
	return sec
}

// sparkline renders the 405s per bucket as block characters.
func sparkline(tl *analysis.Timeline) (string, int64) {
	var peak int64
	for _, b := range tl.Buckets {
		peak = max(peak, b.M405)
	}
	bars := []rune(" ▁▂▃▄▅▆▇█")
	var sb strings.Builder
	for _, b := range tl.Buckets {
		i := 0
		if peak > 0 && b.M405 > 0 {
			i = 1 + int((b.M405*7+peak-1)/peak)
			if i > 8 {
				i = 8
			}
		}
		sb.WriteRune(bars[i])
	}
	return sb.String(), peak
}

func rootCauseSection(a *analysis.Analysis, o Options) section {
	s := &a.Summary
	sec := section{ID: "root-cause", Title: "Root cause"}
	if len(a.Findings) == 0 {
		sec.Blocks = append(sec.Blocks, paragraph(plain("No 405 to explain.")))
		return sec
	}
	sec.Blocks = append(sec.Blocks, paragraph(plain("A finding groups the requests with a 405 of one origin layer, cause, method and route; largest first.")))
	t := &table{Head: []string{"#", "405s", "Share", "Origin", "Cause", "Method", "Route", "First – last (UTC)", "Notes"},
		Right: []bool{true, true, true}}
	var shown int64
	for i := range a.Findings {
		if i >= o.Top {
			break
		}
		f := &a.Findings[i]
		shown += int64(f.Count)
		t.Rows = append(t.Rows, []cell{numCell(i + 1), numCell(f.Count), cellOf(plain(pct(int64(f.Count), s.Requests405))), cellOf(plain(f.OriginLayer)),
			cellOf(code(string(f.Cause))), cellOf(plain(f.Method)), cellOf(code(f.Route)), cellOf(plain(cellSpan(f.FirstSeen, f.LastSeen))), cellOf(plain(orDash(noteText(f))))})
	}
	t.More = more(len(a.Findings)-len(t.Rows), "findings", s.Requests405-shown, "requests")
	sec.Blocks = append(sec.Blocks, tableBlock(t))
	for i := range a.Findings {
		if i >= o.Detail {
			if o.Detail > 0 {
				sec.Blocks = append(sec.Blocks, paragraph(plain(smallerFindings(len(a.Findings)-o.Detail))))
			}
			break
		}
		sec.Subs = append(sec.Subs, findingSection(a, i))
	}
	return sec
}

func cellSpan(a, b time.Time) string {
	if a.IsZero() {
		return "-"
	}
	if b.IsZero() || a.Equal(b) {
		return cellTime(a)
	}
	if a.UTC().Format("2006-01-02") == b.UTC().Format("2006-01-02") {
		return cellTime(a) + " – " + b.UTC().Format("15:04:05")
	}
	return cellTime(a) + " – " + cellTime(b)
}

func noteText(f *analysis.Finding) string {
	var p []string
	if f.Masked > 0 {
		p = append(p, fmt.Sprintf("masked %s", num.Thousands(f.Masked)))
	}
	if f.AllowMissing > 0 {
		p = append(p, fmt.Sprintf("no Allow %s", num.Thousands(f.AllowMissing)))
	}
	if f.Retried > 0 {
		p = append(p, fmt.Sprintf("retried %s", num.Thousands(f.Retried)))
	}
	if f.Uncertain > 0 {
		p = append(p, fmt.Sprintf("uncertain %s", num.Thousands(f.Uncertain)))
	}
	return strings.Join(p, ", ")
}

func findingSection(a *analysis.Analysis, i int) section {
	f := &a.Findings[i]
	s := &a.Summary
	sec := section{ID: findingAnchor(i), Title: findingTitle(i, f)}
	head := []span{bold(num.Plural(f.Count, "request")), plain(fmt.Sprintf(" (%s of the 405s), %s.", pct(int64(f.Count), s.Requests405), period(f.FirstSeen, f.LastSeen)))}
	if f.Impact != nil && len(f.Impact.ClientStatus) > 0 {
		head = append(head, plain(" Clients got "+statusText(f.Impact.ClientStatus)+"."))
	}
	sec.Blocks = append(sec.Blocks, paragraph(head...))
	items := [][]span{item(bold("Evidence: "), plain(prose(f.Evidence)))}
	switch {
	case f.Allow != "":
		items = append(items, item(bold("Allow header seen: "), code(f.Allow)))
	case f.AllowMissing > 0:
		items = append(items, item(bold("Allow header seen: "), plain(fmt.Sprintf("none; %s of %s 405s had no Allow header (HTTP requires one)", num.Thousands(f.AllowMissing), num.Thousands(f.Count)))))
	default:
		items = append(items, item(bold("Allow header seen: "), plain("not logged by the layers read")))
	}
	if f.Impact != nil && len(f.Impact.UserAgents) > 0 {
		items = append(items, item(bold("Clients: "), plain(countsText(f.Impact.UserAgents[:min(3, len(f.Impact.UserAgents))], f.Impact.UATotal)),
			plain(" from "), plain(countsText(f.Impact.Networks[:min(3, len(f.Impact.Networks))], f.Impact.NetTotal))))
	}
	if f.Contract != "" {
		items = append(items, item(bold("Method contract: "), plain(f.Contract), plain(contractMethodsText(f))))
	}
	items = append(items, item(bold("Hops joined: "), plain(joinText(f.Joins))))
	sec.Blocks = append(sec.Blocks, bulleted(items...))
	if len(f.Examples) > 0 {
		x := &f.Examples[0]
		sec.Blocks = append(sec.Blocks, paragraph(plain("Example request "), code(x.ID), plain(" at "+day(x.Time)+": "), code(x.URI), plain(", hop chain "), code(x.Chain), plain(".")))
		t := &table{Head: []string{"Hop", "Layer (format)", "Status", "Upstream", "Path seen", "Allow", "Record"}, Right: []bool{true, false, true}}
		for j, h := range x.Hops {
			up := "-"
			if len(h.Upstream) > 0 {
				up = num.Statuses(h.Upstream)
				if h.UpstreamAddr != "" {
					up += " from " + h.UpstreamAddr
				}
			}
			t.Rows = append(t.Rows, []cell{numCell(j + 1), cellOf(plain(fmt.Sprintf("%s (%s)", h.Layer, h.Format))), numCell(h.Status), cellOf(plain(up)),
				codeOrDash(h.URI), codeOrDash(h.Allow), cellOf(code(h.Source))})
		}
		sec.Blocks = append(sec.Blocks, tableBlock(t))
		if len(f.Examples) > 1 {
			var others []span
			others = append(others, plain("Other examples: "))
			for j, x := range f.Examples[1:] {
				if j > 0 {
					others = append(others, plain(", "))
				}
				others = append(others, code(x.ID), plain(" ("+cellTime(x.Time)+")"))
			}
			others = append(others, plain("."))
			sec.Blocks = append(sec.Blocks, paragraph(others...))
		}
	}
	return sec
}

func contractMethodsText(f *analysis.Finding) string {
	if len(f.ContractMethods) == 0 {
		return ""
	}
	p := f.ContractPath
	if p == "" {
		p = f.Route
	}
	return fmt.Sprintf(" (the spec documents %s for %s)", strings.Join(f.ContractMethods, ", "), p)
}

func codeOrDash(s string) cell {
	if s == "" {
		return cellOf(plain("-"))
	}
	return cellOf(code(s))
}

func remediationSection(a *analysis.Analysis, o Options) section {
	sec := section{ID: "remediation", Title: "Remediation"}
	if len(a.Findings) == 0 {
		sec.Blocks = append(sec.Blocks, paragraph(plain("Nothing to fix.")))
		return sec
	}
	sec.Blocks = append(sec.Blocks, paragraph(plain("Per finding: the fix in the 405 playbook's terms (method, route, gateway/proxy, CORS preflight, Allow header), and a command that verifies it; run it before and after the change.")))
	if o.Detail == 0 {
		sec.Blocks = append(sec.Blocks, paragraph(plain("No finding has a section of its own in this report: each finding's fix and verify command are in the JSON analysis (fix, verify).")))
	}
	for i := range a.Findings {
		if i >= o.Detail {
			break
		}
		f := &a.Findings[i]
		sub := section{ID: "fix-" + fmt.Sprint(i+1), Title: fmt.Sprintf("%d. %s %s (%s at %s)", i+1, f.Method, f.Route, f.Cause, f.OriginLayer)}
		fix := f.Fix
		if f.ContractVerdict != "" && !strings.HasPrefix(fix, f.ContractVerdict) {
			fix = f.ContractVerdict + " " + fix
		}
		sub.Blocks = append(sub.Blocks, paragraph(bold("Fix: "), plain(prose(fix))))
		if v := verifyCommand(f); v != "" {
			sub.Blocks = append(sub.Blocks, paragraph(bold("Verify: "), plain(verifyExpect(f))), codeBlock("sh", v))
			if f.VerifyRequest != nil && f.VerifyRequest.Note != "" {
				sub.Blocks = append(sub.Blocks, paragraph(bold("Note: "), plain(f.VerifyRequest.Note+".")))
			}
		}
		sec.Subs = append(sec.Subs, sub)
	}
	return sec
}

// verifyExpect says what the verification command should show once the finding is fixed.
func verifyExpect(f *analysis.Finding) string {
	switch f.Cause {
	case analysis.CauseCORSPreflight:
		return fmt.Sprintf("the preflight must answer 2xx with Access-Control-Allow-Methods including %s and an Access-Control-Allow-Origin.", orDash(f.WantedMethod))
	case analysis.CauseDeployRegression, analysis.CauseBackendDrift, analysis.CausePathRewrite:
		return fmt.Sprintf("%s must no longer answer 405 (it is a method the route supports).", f.Method)
	case analysis.CauseProxyMethodBlock:
		return fmt.Sprintf("once forwarded, %s reaches the backend (no 405 from %s); if the block is intended, the 405 should carry an Allow header.", f.Method, f.OriginLayer)
	}
	if f.Allow != "" {
		return fmt.Sprintf("after the client fix nothing sends %s; the route answers %s with 405 and Allow: %s, or accepts it once a handler is added.", f.Method, f.Method, f.Allow)
	}
	return fmt.Sprintf("%s is either routed, or answered 405 with an Allow header listing the route's methods.", f.Method)
}

func preventionSection(a *analysis.Analysis, o Options) section {
	sec := section{ID: "prevention", Title: "Prevention"}
	if len(a.Findings) == 0 {
		sec.Blocks = append(sec.Blocks, paragraph(plain("Nothing to prevent.")))
		return sec
	}
	sec.Blocks = append(sec.Blocks, paragraph(plain("The playbook's advice: document the allowed methods per endpoint (OpenAPI) and lock them into tests so a deploy, a proxy rule or a rewrite cannot change them unnoticed. For each affected route, the contract to document and a regression test to add.")))
	t := &table{Head: []string{"#", "Route", "Methods to document", "Finding's method", "Based on"}, Right: []bool{true}}
	for i := range a.Findings {
		if i >= o.Top {
			break
		}
		f := &a.Findings[i]
		c := contractOf(f)
		m := "-"
		if len(c.methods) > 0 {
			m = strings.Join(c.methods, ", ")
		}
		var verdict string
		switch {
		case f.Cause == analysis.CauseCORSPreflight:
			verdict = fmt.Sprintf("OPTIONS preflight for %s must succeed", orDash(f.WantedMethod))
		case f.Cause == analysis.CauseProxyMethodBlock:
			verdict = fmt.Sprintf("%s: decide — forwarded, or blocked with 405 + Allow", f.Method)
		case c.accepted:
			verdict = fmt.Sprintf("%s supported: never 405", f.Method)
		default:
			verdict = fmt.Sprintf("%s not supported: 405 with Allow", f.Method)
		}
		t.Rows = append(t.Rows, []cell{numCell(i + 1), cellOf(code(f.Route)), cellOf(plain(m)), cellOf(plain(verdict)), cellOf(plain(c.source))})
	}
	t.More = more(len(a.Findings)-len(t.Rows), "findings", 0, "")
	sec.Blocks = append(sec.Blocks, tableBlock(t))
	layerFormat := map[string]string{}
	for _, l := range a.Layers {
		layerFormat[l.Name] = l.Format
	}
	for i := range a.Findings {
		if i >= o.Detail {
			break
		}
		f := &a.Findings[i]
		sub := section{ID: "test-" + fmt.Sprint(i+1), Title: fmt.Sprintf("%d. %s %s", i+1, f.Method, f.Route)}
		if sh := curlTest(f); sh != "" {
			sub.Blocks = append(sub.Blocks, paragraph(plain("End to end, through the public entry point (CI smoke test or synthetic check):")), codeBlock("sh", sh))
		}
		if layerFormat[f.OriginLayer] == "app" && f.Cause != analysis.CausePathRewrite {
			if g := goTest(f); g != "" {
				sub.Blocks = append(sub.Blocks, paragraph(plain("In the service's own tests, if it is written in Go (net/http/httptest against its router):")), codeBlock("go", g))
			}
		}
		sec.Subs = append(sec.Subs, sub)
	}
	return sec
}

func appendixSection(a *analysis.Analysis) section {
	s := &a.Summary
	sec := section{ID: "appendix", Title: "Appendix: inputs and method"}
	if len(s.Inputs) > 0 {
		// Skipped too (an application's lines that are not requests, a server's own log): with it,
		// a row adds up to Read.
		t := &table{Head: []string{"Input", "Layer", "Format", "Read", "Parsed", "Rejected", "Skipped", "Blank"}, Right: []bool{false, false, false, true, true, true, true, true}}
		var rej []([]span)
		for _, in := range inputRows(s.Inputs) { // inputs.go
			t.Rows = append(t.Rows, []cell{cellOf(in.spans()...), cellOf(plain(orDash(in.Layer))), cellOf(plain(orDash(in.Format))), numCell(in.Read), numCell(in.Parsed), numCell(in.Rejected), numCell(in.Skipped), numCell(in.Blank)})
		}
		shown, more := rejectionsShown(s.Inputs)
		for _, r := range shown {
			rej = append(rej, item(code(r.Source), plain(": "+r.Reason)))
		}
		if more > 0 {
			rej = append(rej, item(plain(fmt.Sprintf("… and %s more (the JSON output lists every input's)", num.Thousands(more)))))
		}
		sec.Blocks = append(sec.Blocks, tableBlock(t))
		if len(rej) > 0 {
			sec.Blocks = append(sec.Blocks, paragraph(plain("Examples of rejected lines:")), bulleted(rej...))
		}
	}
	facts := [][]span{
		item(bold("Layer order, outer → inner: "), plain(orDash(layerNames(a.Layers)))),
		item(bold("How the order was chosen: "), plain(prose(orDash(a.Order)))),
	}
	if !s.FirstSeen.IsZero() {
		facts = append(facts, item(bold("Time window: "), plain(period(s.FirstSeen, s.LastSeen))))
	}
	if tl := a.Timeline; tl != nil && tl.BucketSeconds > 0 {
		n, unit := durUnit(time.Duration(tl.BucketSeconds) * time.Second)
		facts = append(facts, item(bold("Timeline buckets: "), plain(fmt.Sprintf("%s of %d %s from %s", num.Plural(len(tl.Buckets), "bucket"), n, unit+pluralS(n), day(tl.Start)))))
		if tl.Untimed > 0 {
			facts = append(facts, item(bold("Requests without a time: "), plain(num.Thousands(tl.Untimed))))
		}
	}
	rq := fmt.Sprintf("%s analysed (%s without a status ignored), %s after joining the hops, %s %s",
		num.Plural(int(s.Records), "record"), num.Thousands(s.NoStatus), num.Plural(int(s.Requests), "request"), num.Thousands(s.SingleHop), singleHopText)
	facts = append(facts, item(bold("Records and requests: "), plain(rq)))
	if s.NonUniqueIDs > 0 {
		facts = append(facts, item(bold("Ids not unique, not used to join: "), plain(num.Thousands(s.NonUniqueIDs)+" ("+strings.Join(s.NonUniqueIDExample, ", ")+")")))
	}
	if l := lateText(s); l != "" {
		facts = append(facts, item(bold("Out of time order: "), plain(strings.TrimPrefix(l, "Out of time order: "))))
	}
	if z := zoneText(s); z != "" {
		facts = append(facts, item(bold("Time zone: "), plain(strings.TrimPrefix(z, "Time zone: "))))
	}
	if o := orderText(s); o != "" {
		facts = append(facts, item(bold("Without times: "), plain(strings.TrimPrefix(o, "Without times: "))))
	}
	if s.RoutesTruncated {
		facts = append(facts, item(bold("Warning: "), plain("too many distinct routes; baselines of later routes were not kept, so deploy_regression and backend_drift may be missed.")))
	}
	if s.FoldedRequests > 0 {
		fold := num.Thousands(s.FoldedRequests) + " requests with a 405 beyond the first 10,000 were counted into an earlier request of the same shape; every count includes them, the request lists show only those kept whole"
		if s.OtherRouteRequests > 0 {
			fold += "; " + num.Thousands(s.OtherRouteRequests) + " on routes beyond the first 12,000 distinct routes are reported under " + analysis.OtherRoutes
		}
		facts = append(facts, item(bold("Folded requests: "), plain(fold+".")))
	}
	facts = append(facts, item(bold("Verdicts: "), plain("the origin of a 405 is the innermost hop that answered 405 when the next hop inward answered something else, or the innermost logged hop by its own evidence; \"beyond X\" when X relayed a 405 from an upstream whose log was not read. Causes, most specific first: cors_preflight, path_rewrite, deploy_regression, backend_drift, proxy_method_block, method_not_routed.")))
	sec.Blocks = append(sec.Blocks, bulleted(facts...))
	return sec
}

func pluralS[T ~int | ~int64](n T) string {
	if n == 1 {
		return ""
	}
	return "s"
}
