package analysis

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The postmortem report. Both formats (Markdown here, HTML in html.go) render one document
// model built from the Analysis alone, so that `logtriage report` can turn a saved JSON analysis
// into the same report, and both formats say the same things. Every number in it is a count of
// the analysis; every claim names a count or an example request id.

// ReportOptions tune the postmortem reports.
type ReportOptions struct {
	// Top is the number of rows of the findings, routes and clients tables; the rest are
	// counted in a "… and N more" line. Default 20.
	Top int
	// Detail is the number of findings that get a root cause, remediation and prevention
	// section of their own (largest first). Default 10.
	Detail int
}

func (o ReportOptions) norm() ReportOptions {
	if o.Top <= 0 {
		o.Top = 20
	}
	if o.Detail <= 0 {
		o.Detail = 10
	}
	return o
}

// WriteMarkdown writes the postmortem report as GitHub-flavoured Markdown.
func (a *Analysis) WriteMarkdown(w io.Writer, o ReportOptions) error {
	d := a.postmortem(o.norm())
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s\n\n", d.Title)
	for _, p := range d.Lead {
		fmt.Fprintf(bw, "> %s\n", mdSpans(p))
	}
	bw.WriteString("\n")
	for _, s := range d.Sections {
		mdSection(bw, &s, 2, a)
	}
	return bw.Flush()
}

// Document model.

type pmSpan struct {
	Text       string
	Code, Bold bool
}

func pmT(s string) pmSpan { return pmSpan{Text: s} }
func pmC(s string) pmSpan { return pmSpan{Text: s, Code: true} }
func pmB(s string) pmSpan { return pmSpan{Text: s, Bold: true} }

type pmCell []pmSpan

type pmTable struct {
	Head  []string
	Right []bool // right-aligned (numeric) columns
	Rows  []([]pmCell)
	More  string // "… and 3 more findings (12 requests)"
}

type pmBlockKind int

const (
	pmPara pmBlockKind = iota
	pmList
	pmTableBlock
	pmCode
	pmChart
)

type pmBlock struct {
	Kind  pmBlockKind
	Spans []pmSpan   // pmPara
	Items [][]pmSpan // pmList
	Table *pmTable
	Lang  string // pmCode
	Code  string
	Chart string // pmChart: timeline, funnel, routes
}

type pmSection struct {
	ID, Title string
	Blocks    []pmBlock
	Subs      []pmSection
}

type pmDoc struct {
	Title    string
	Lead     [][]pmSpan
	Sections []pmSection
}

func pmParagraph(s ...pmSpan) pmBlock      { return pmBlock{Kind: pmPara, Spans: s} }
func pmBulleted(items ...[]pmSpan) pmBlock { return pmBlock{Kind: pmList, Items: items} }
func codeBlock(lang, code string) pmBlock  { return pmBlock{Kind: pmCode, Lang: lang, Code: code} }
func tableBlock(t *pmTable) pmBlock        { return pmBlock{Kind: pmTableBlock, Table: t} }
func pmItem(s ...pmSpan) []pmSpan          { return s }
func pmCellOf(s ...pmSpan) pmCell          { return s }
func pmNum[T ~int | ~int64](n T) pmCell    { return pmCell{pmT(pmThousands(n))} }

// Formatting helpers shared by both formats.

// day formats the date and time of t in UTC, the zone named.
func pmDay(t time.Time) string { return pmClock(t) }

// span formats a period in UTC: "2026-11-24 10:00:18 – 10:59:45 UTC".
func pmPeriod(a, b time.Time) string {
	if a.IsZero() {
		return "-"
	}
	a, b = a.UTC(), b.UTC()
	if b.IsZero() || a.Equal(b) {
		return pmClock(a)
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
func pmPct[T ~int | ~int64](n, total T) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(total))
}

func countsText(cs []Count, total int) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s (%s)", c.Value, pmThousands(c.Count)))
	}
	s := strings.Join(parts, ", ")
	if total > len(cs) {
		s += fmt.Sprintf(" and %s more", pmThousands(total-len(cs)))
	}
	return s
}

func pmMore(n int, what string, rest int64, unit string) string {
	if n <= 0 {
		return ""
	}
	if n == 1 {
		what = strings.TrimSuffix(what, "s")
	}
	s := fmt.Sprintf("… and %s more %s", pmThousands(n), what)
	if unit != "" {
		if rest == 1 {
			unit = strings.Replace(unit, "requests", "request", 1)
		}
		s += fmt.Sprintf(" (%s %s)", pmThousands(rest), unit)
	}
	return s
}

var pmStampRE = regexp.MustCompile(`(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.\d+)?Z\b`)

// pmText adapts a sentence written by the engine (evidence, fix, layer order) to the report's
// conventions: times with the zone named ("… 10:30:27 UTC") and counts with thousands
// separators. Only standalone integers are touched: not ports, addresses, paths, versions or ids.
func pmText(s string) string {
	s = pmStampRE.ReplaceAllString(s, "$1 UTC")
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
			b.WriteString(pmThousands(n))
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

func findingTitle(i int, f *Finding) string {
	return fmt.Sprintf("%d. %s %s — %s at %s", i+1, f.Method, f.Route, f.Cause, f.OriginLayer)
}

func findingAnchor(i int) string { return fmt.Sprintf("finding-%d", i+1) }

// postmortem builds the report document.
func (a *Analysis) postmortem(o ReportOptions) *pmDoc {
	s := &a.Summary
	d := &pmDoc{Title: "Postmortem: HTTP 405 responses"}
	if !s.FirstSeen.IsZero() {
		d.Title += ", " + pmPeriod(s.FirstSeen, s.LastSeen)
	}
	d.Lead = [][]pmSpan{
		{pmT("Drafted by logtriage from the analysis of " + pmThousands(s.Records) + " log records (schema "), pmC(a.Schema),
			pmT("). Every number is a count from that analysis; example request ids can be looked up with "), pmC("logtriage trace ID"),
			pmT(". Times are UTC. Review, add the human side (detection, communication, decisions), then publish.")},
	}
	d.Sections = append(d.Sections, a.pmSummary(), a.pmImpact(o), a.pmTimeline(), a.pmRootCause(o),
		a.pmRemediation(o), a.pmPrevention(o), a.pmAppendix())
	return d
}

// causeTotals sums the findings' requests per cause, largest first.
func (a *Analysis) causeTotals() []Count {
	m := map[string]int{}
	for _, f := range a.Findings {
		m[string(f.Cause)] += f.Count
	}
	return top(m, len(m))
}

// originTotals returns the 405 requests per origin layer, largest first.
func (a *Analysis) originTotals() []Count {
	if a.Impact != nil {
		out := make([]Count, 0, len(a.Impact.ByOrigin))
		for _, oi := range a.Impact.ByOrigin {
			out = append(out, Count{oi.Layer, int(oi.Requests405)})
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
		return out
	}
	m := map[string]int{}
	for _, f := range a.Findings {
		m[f.OriginLayer] += f.Count
	}
	return top(m, len(m))
}

func (a *Analysis) first405() (first, last time.Time) {
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

func (a *Analysis) pmSummary() pmSection {
	s := &a.Summary
	sec := pmSection{ID: "summary", Title: "Summary"}
	if s.Requests405 == 0 || len(a.Findings) == 0 {
		sec.Blocks = append(sec.Blocks, pmParagraph(pmT(fmt.Sprintf("No request got an HTTP 405 among the %s requests read", pmThousands(s.Requests))),
			pmT(periodSuffix(s.FirstSeen, s.LastSeen)+".")))
		return sec
	}
	first, last := a.first405()
	var sp []pmSpan
	share := fmt.Sprintf("%s of %s requests (%s)", pmThousands(s.Requests405), pmThousands(s.Requests), pmPct(s.Requests405, s.Requests))
	if s.OnlyWith405 {
		share = pmThousands(s.Requests405) + " requests"
	}
	sp = append(sp, pmB(share),
		pmT(fmt.Sprintf(" got an HTTP 405 from %s, in %s findings. ", strings.Replace(pmPeriod(first, last), " – ", " to ", 1), pmThousands(len(a.Findings)))))
	origins := a.originTotals()
	if len(origins) > 0 {
		o := origins[0]
		sp = append(sp, pmT(fmt.Sprintf("Most were generated at the %s layer (%s, %s)", o.Value, pmThousands(o.Count), pmPct(int64(o.Count), s.Requests405))))
		if len(origins) > 1 {
			var rest []string
			for _, x := range origins[1:] {
				rest = append(rest, fmt.Sprintf("%s %s", x.Value, pmThousands(x.Count)))
			}
			sp = append(sp, pmT("; the rest at "+pmJoinAnd(rest)))
		}
		sp = append(sp, pmT(". "))
	}
	causes := a.causeTotals()
	if len(causes) > 0 {
		c := causes[0]
		f := &a.Findings[0]
		sp = append(sp, pmT("The leading cause is "), pmC(c.Value), pmT(fmt.Sprintf(" (%s requests); the largest finding is ", pmThousands(c.Count))),
			pmC(f.Method+" "+f.Route), pmT(fmt.Sprintf(" at %s (", f.OriginLayer)), pmC(string(f.Cause)), pmT(fmt.Sprintf(", %s requests)", pmThousands(f.Count))))
		if s.Masked405 > 0 {
			verb := "were"
			if s.Masked405 == 1 {
				verb = "was"
			}
			sp = append(sp, pmT(fmt.Sprintf("; %s of the 405s %s masked, so the clients saw another status", pmThousands(s.Masked405), verb)))
		}
		sp = append(sp, pmT("."))
	}
	sec.Blocks = append(sec.Blocks, pmParagraph(sp...))
	return sec
}

func periodSuffix(a, b time.Time) string {
	if a.IsZero() {
		return ""
	}
	return " (" + pmPeriod(a, b) + ")"
}

func pmJoinAnd(p []string) string {
	switch len(p) {
	case 0:
		return ""
	case 1:
		return p[0]
	}
	return strings.Join(p[:len(p)-1], ", ") + " and " + p[len(p)-1]
}

func (a *Analysis) pmImpact(o ReportOptions) pmSection {
	s := &a.Summary
	sec := pmSection{ID: "impact", Title: "Impact"}
	im := a.Impact
	facts := []([]pmSpan){
		pmItem(pmB("Requests with a 405: "), pmT(fmt.Sprintf("%s of %s (%s of all requests)", pmThousands(s.Requests405), pmThousands(s.Requests), pmPct(s.Requests405, s.Requests)))),
	}
	if s.OnlyWith405 {
		facts[0] = pmItem(pmB("Requests with a 405: "), pmT(pmThousands(s.Requests405)+" (the source holds only these; the share of all traffic is unknown)"))
	}
	if s.Scope != "" {
		facts = append(facts, pmItem(pmB("Scope: "), pmT(s.Scope)))
	}
	if im != nil {
		facts = append(facts,
			pmItem(pmB("What the clients got: "), pmT(statusText(im.ClientStatus))),
			pmItem(pmB("Methods: "), pmT(countsPlain(im.Methods))),
			pmItem(pmB("Affected: "), pmT(fmt.Sprintf("%s routes, %s user agents, %s client networks (/24 for IPv4, /48 for IPv6)",
				pmThousands(im.RoutesTotal), pmThousands(im.UATotal), pmThousands(im.NetTotal)))))
	}
	if !s.FirstSeen.IsZero() {
		facts = append(facts, pmItem(pmB("Window analysed: "), pmT(pmPeriod(s.FirstSeen, s.LastSeen))))
	}
	sec.Blocks = append(sec.Blocks, pmBulleted(facts...))

	if im != nil && len(im.ByOrigin) > 0 {
		t := &pmTable{Head: []string{"Origin layer", "405s", "Share of 405s", "Findings", "Routes", "Methods", "Top user agent", "Top client network"},
			Right: []bool{false, true, true, true, true}}
		for _, oi := range im.ByOrigin {
			t.Rows = append(t.Rows, []pmCell{pmCellOf(pmT(oi.Layer)), pmNum(oi.Requests405), pmCellOf(pmT(pmPct(oi.Requests405, s.Requests405))),
				pmNum(oi.Findings), pmNum(oi.Routes), pmCellOf(pmT(countsPlain(oi.Methods))), pmCellOf(firstCount(oi.UserAgents)...), pmCellOf(firstCount(oi.Networks)...)})
		}
		sec.Subs = append(sec.Subs, pmSection{ID: "impact-origin", Title: "By origin layer", Blocks: []pmBlock{
			pmParagraph(pmT("Where the 405s were generated. \"beyond X\" is an upstream behind layer X whose log was not read.")), tableBlock(t)}})
	}

	if len(a.Layers) > 0 {
		t := &pmTable{Head: []string{"Layer (format)", "Records", "Records with a 405", "405s generated", "405s passed through", "405s masked"},
			Right: []bool{false, true, true, true, true, true}}
		for _, l := range a.Layers {
			t.Rows = append(t.Rows, []pmCell{pmCellOf(pmT(fmt.Sprintf("%s (%s)", l.Name, l.Format))), pmNum(l.Records), pmNum(l.With405),
				pmNum(l.Generated405), pmNum(l.Passed405), pmNum(l.Masked405)})
		}
		if im != nil {
			for _, oi := range im.ByOrigin {
				if strings.HasPrefix(oi.Layer, BeyondPrefix) {
					t.Rows = append(t.Rows, []pmCell{pmCellOf(pmT(oi.Layer + " (not logged)")), pmCellOf(pmT("-")), pmCellOf(pmT("-")), pmNum(oi.Requests405), pmCellOf(pmT("-")), pmCellOf(pmT("-"))})
				}
			}
		}
		sec.Subs = append(sec.Subs, pmSection{ID: "impact-layers", Title: "Per layer, outer to inner", Blocks: []pmBlock{
			pmParagraph(pmT("Each request counts once per layer: generated there (origin), relayed outward as a 405, or turned into another status (masked).")),
			{Kind: pmChart, Chart: "funnel"}, tableBlock(t)}})
	}

	if im != nil && len(im.Routes) > 0 {
		t := &pmTable{Head: []string{"#", "Method", "Route", "405s", "Share of 405s", "Origin"}, Right: []bool{true, false, false, true, true}}
		var shown int64
		for i, r := range im.Routes {
			if i >= o.Top {
				break
			}
			shown += r.Count
			t.Rows = append(t.Rows, []pmCell{pmNum(i + 1), pmCellOf(pmT(r.Method)), pmCellOf(pmC(r.Route)), pmNum(r.Count),
				pmCellOf(pmT(pmPct(r.Count, s.Requests405))), pmCellOf(pmT(countsPlain(r.Origins)))})
		}
		t.More = pmMore(im.RoutesTotal-len(t.Rows), "routes", s.Requests405-shown, "requests with a 405")
		sec.Subs = append(sec.Subs, pmSection{ID: "impact-routes", Title: "Affected routes", Blocks: []pmBlock{{Kind: pmChart, Chart: "routes"}, tableBlock(t)}})
	}

	if im != nil && (len(im.UserAgents) > 0 || len(im.Networks) > 0) {
		var blocks []pmBlock
		if len(im.UserAgents) > 0 {
			blocks = append(blocks, clientTable("User agent", im.UserAgents, im.UATotal, s.Requests405, o.Top, "user agents"))
		}
		if len(im.Networks) > 0 {
			blocks = append(blocks, clientTable("Client network", im.Networks, im.NetTotal, s.Requests405, o.Top, "networks"))
		}
		sec.Subs = append(sec.Subs, pmSection{ID: "impact-clients", Title: "Affected clients", Blocks: blocks})
	}
	return sec
}

func clientTable(head string, cs []Count, total int, all int64, n int, what string) pmBlock {
	t := &pmTable{Head: []string{head, "Requests with a 405", "Share"}, Right: []bool{false, true, true}}
	var shown int64
	for i, c := range cs {
		if i >= n {
			break
		}
		shown += int64(c.Count)
		t.Rows = append(t.Rows, []pmCell{pmCellOf(pmC(c.Value)), pmNum(c.Count), pmCellOf(pmT(pmPct(int64(c.Count), all)))})
	}
	t.More = pmMore(total-len(t.Rows), what, all-shown, "requests with a 405")
	return tableBlock(t)
}

// statusText lists the statuses clients got: "405 (219), 200 (20, masked)".
func statusText(cs []Count) string {
	var got []string
	for _, c := range cs {
		g := fmt.Sprintf("%s (%s", c.Value, pmThousands(c.Count))
		if c.Value != "405" {
			g += ", masked"
		}
		got = append(got, g+")")
	}
	return strings.Join(got, ", ")
}

func countsPlain(cs []Count) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s %s", c.Value, pmThousands(c.Count)))
	}
	return strings.Join(parts, ", ")
}

func firstCount(cs []Count) []pmSpan {
	if len(cs) == 0 {
		return []pmSpan{pmT("-")}
	}
	return []pmSpan{pmC(cs[0].Value), pmT(fmt.Sprintf(" (%s)", pmThousands(cs[0].Count)))}
}

func (a *Analysis) pmTimeline() pmSection {
	sec := pmSection{ID: "timeline", Title: "Timeline (UTC)"}
	tl := a.Timeline
	if tl == nil || len(tl.Buckets) == 0 {
		first, last := a.first405()
		if first.IsZero() {
			sec.Blocks = append(sec.Blocks, pmParagraph(pmT("No timed 405 in the window.")))
			return sec
		}
		sec.Blocks = append(sec.Blocks, pmParagraph(pmT("This analysis carries no timeline (written by an older logtriage)."),
			pmT(fmt.Sprintf(" First 405 %s, last 405 %s.", pmDay(first), pmDay(last)))))
		return sec
	}
	sec.Blocks = append(sec.Blocks, pmBlock{Kind: pmChart, Chart: "timeline"})
	t := &pmTable{Head: []string{"#", "Time (UTC)", "Event"}, Right: []bool{true}}
	for i, e := range tl.Events {
		sp := []pmSpan{pmT(pmText(e.Text))}
		if e.Finding > 0 {
			sp = append(sp, pmT(fmt.Sprintf(" (finding %d)", e.Finding)))
		}
		t.Rows = append(t.Rows, []pmCell{pmNum(i + 1), pmCellOf(pmT(cellTime(e.Time))), pmCellOf(sp...)})
	}
	if len(t.Rows) > 0 {
		sec.Blocks = append(sec.Blocks, tableBlock(t))
	}
	return sec
}

// sparkline renders the 405s per bucket as block characters.
func sparkline(tl *Timeline) (string, int64) {
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

func (a *Analysis) pmRootCause(o ReportOptions) pmSection {
	s := &a.Summary
	sec := pmSection{ID: "root-cause", Title: "Root cause"}
	if len(a.Findings) == 0 {
		sec.Blocks = append(sec.Blocks, pmParagraph(pmT("No 405 to explain.")))
		return sec
	}
	sec.Blocks = append(sec.Blocks, pmParagraph(pmT("A finding groups the requests with a 405 of one origin layer, cause, method and route; largest first.")))
	t := &pmTable{Head: []string{"#", "405s", "Share", "Origin", "Cause", "Method", "Route", "First – last (UTC)", "Notes"},
		Right: []bool{true, true, true}}
	var shown int64
	for i := range a.Findings {
		if i >= o.Top {
			break
		}
		f := &a.Findings[i]
		shown += int64(f.Count)
		t.Rows = append(t.Rows, []pmCell{pmNum(i + 1), pmNum(f.Count), pmCellOf(pmT(pmPct(int64(f.Count), s.Requests405))), pmCellOf(pmT(f.OriginLayer)),
			pmCellOf(pmC(string(f.Cause))), pmCellOf(pmT(f.Method)), pmCellOf(pmC(f.Route)), pmCellOf(pmT(cellSpan(f.FirstSeen, f.LastSeen))), pmCellOf(pmT(orDash(noteText(f))))})
	}
	t.More = pmMore(len(a.Findings)-len(t.Rows), "findings", s.Requests405-shown, "requests")
	sec.Blocks = append(sec.Blocks, tableBlock(t))
	for i := range a.Findings {
		if i >= o.Detail {
			sec.Blocks = append(sec.Blocks, pmParagraph(pmT(fmt.Sprintf("The %s smaller findings are in the table above and in the JSON analysis.", pmThousands(len(a.Findings)-o.Detail)))))
			break
		}
		sec.Subs = append(sec.Subs, a.pmFinding(i))
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

func noteText(f *Finding) string {
	var p []string
	if f.Masked > 0 {
		p = append(p, fmt.Sprintf("masked %s", pmThousands(f.Masked)))
	}
	if f.AllowMissing > 0 {
		p = append(p, fmt.Sprintf("no Allow %s", pmThousands(f.AllowMissing)))
	}
	if f.Retried > 0 {
		p = append(p, fmt.Sprintf("retried %s", pmThousands(f.Retried)))
	}
	if f.Uncertain > 0 {
		p = append(p, fmt.Sprintf("uncertain %s", pmThousands(f.Uncertain)))
	}
	return strings.Join(p, ", ")
}

func (a *Analysis) pmFinding(i int) pmSection {
	f := &a.Findings[i]
	s := &a.Summary
	sec := pmSection{ID: findingAnchor(i), Title: findingTitle(i, f)}
	head := []pmSpan{pmB(fmt.Sprintf("%s requests", pmThousands(f.Count))), pmT(fmt.Sprintf(" (%s of the 405s), %s.", pmPct(int64(f.Count), s.Requests405), pmPeriod(f.FirstSeen, f.LastSeen)))}
	if f.Impact != nil && len(f.Impact.ClientStatus) > 0 {
		head = append(head, pmT(" Clients got "+statusText(f.Impact.ClientStatus)+"."))
	}
	sec.Blocks = append(sec.Blocks, pmParagraph(head...))
	items := [][]pmSpan{pmItem(pmB("Evidence: "), pmT(pmText(f.Evidence)))}
	switch {
	case f.Allow != "":
		items = append(items, pmItem(pmB("Allow header seen: "), pmC(f.Allow)))
	case f.AllowMissing > 0:
		items = append(items, pmItem(pmB("Allow header seen: "), pmT(fmt.Sprintf("none; %s of %s 405s had no Allow header (HTTP requires one)", pmThousands(f.AllowMissing), pmThousands(f.Count)))))
	default:
		items = append(items, pmItem(pmB("Allow header seen: "), pmT("not logged by the layers read")))
	}
	if f.Impact != nil && len(f.Impact.UserAgents) > 0 {
		items = append(items, pmItem(pmB("Clients: "), pmT(countsText(f.Impact.UserAgents[:min(3, len(f.Impact.UserAgents))], f.Impact.UATotal)),
			pmT(" from "), pmT(countsText(f.Impact.Networks[:min(3, len(f.Impact.Networks))], f.Impact.NetTotal))))
	}
	if f.Contract != "" {
		items = append(items, pmItem(pmB("Method contract: "), pmT(f.Contract), pmT(contractMethodsText(f))))
	}
	sec.Blocks = append(sec.Blocks, pmBulleted(items...))
	if len(f.Examples) > 0 {
		x := &f.Examples[0]
		sec.Blocks = append(sec.Blocks, pmParagraph(pmT("Example request "), pmC(x.ID), pmT(" at "+pmDay(x.Time)+": "), pmC(x.URI), pmT(", hop chain "), pmC(x.Chain), pmT(".")))
		t := &pmTable{Head: []string{"Hop", "Layer (format)", "Status", "Upstream", "Path seen", "Allow", "Record"}, Right: []bool{true, false, true}}
		for j, h := range x.Hops {
			up := "-"
			if len(h.Upstream) > 0 {
				up = statusList(h.Upstream)
				if h.UpstreamAddr != "" {
					up += " from " + h.UpstreamAddr
				}
			}
			t.Rows = append(t.Rows, []pmCell{pmNum(j + 1), pmCellOf(pmT(fmt.Sprintf("%s (%s)", h.Layer, h.Format))), pmNum(h.Status), pmCellOf(pmT(up)),
				codeOrDash(h.URI), codeOrDash(h.Allow), pmCellOf(pmC(h.Source))})
		}
		sec.Blocks = append(sec.Blocks, tableBlock(t))
		if len(f.Examples) > 1 {
			var others []pmSpan
			others = append(others, pmT("Other examples: "))
			for j, x := range f.Examples[1:] {
				if j > 0 {
					others = append(others, pmT(", "))
				}
				others = append(others, pmC(x.ID), pmT(" ("+cellTime(x.Time)+")"))
			}
			others = append(others, pmT("."))
			sec.Blocks = append(sec.Blocks, pmParagraph(others...))
		}
	}
	return sec
}

func contractMethodsText(f *Finding) string {
	if len(f.ContractMethods) == 0 {
		return ""
	}
	p := f.ContractPath
	if p == "" {
		p = f.Route
	}
	return fmt.Sprintf(" (the spec documents %s for %s)", strings.Join(f.ContractMethods, ", "), p)
}

func codeOrDash(s string) pmCell {
	if s == "" {
		return pmCellOf(pmT("-"))
	}
	return pmCellOf(pmC(s))
}

func (a *Analysis) pmRemediation(o ReportOptions) pmSection {
	sec := pmSection{ID: "remediation", Title: "Remediation"}
	if len(a.Findings) == 0 {
		sec.Blocks = append(sec.Blocks, pmParagraph(pmT("Nothing to fix.")))
		return sec
	}
	sec.Blocks = append(sec.Blocks, pmParagraph(pmT("Per finding: the fix in the 405 playbook's terms (method, route, gateway/proxy, CORS preflight, Allow header), and a command that verifies it; run it before and after the change.")))
	for i := range a.Findings {
		if i >= o.Detail {
			break
		}
		f := &a.Findings[i]
		sub := pmSection{ID: "fix-" + fmt.Sprint(i+1), Title: fmt.Sprintf("%d. %s %s (%s at %s)", i+1, f.Method, f.Route, f.Cause, f.OriginLayer)}
		fix := f.Fix
		if f.ContractVerdict != "" && !strings.HasPrefix(fix, f.ContractVerdict) {
			fix = f.ContractVerdict + " " + fix
		}
		sub.Blocks = append(sub.Blocks, pmParagraph(pmB("Fix: "), pmT(pmText(fix))))
		if f.Verify != "" {
			sub.Blocks = append(sub.Blocks, pmParagraph(pmB("Verify: "), pmT(verifyExpect(f))), codeBlock("sh", f.Verify))
		}
		sec.Subs = append(sec.Subs, sub)
	}
	return sec
}

// verifyExpect says what the verification command should show once the finding is fixed.
func verifyExpect(f *Finding) string {
	switch f.Cause {
	case CauseCORSPreflight:
		return fmt.Sprintf("the preflight must answer 2xx with Access-Control-Allow-Methods including %s and an Access-Control-Allow-Origin.", orDash(f.WantedMethod))
	case CauseDeployRegression, CauseBackendDrift, CausePathRewrite:
		return fmt.Sprintf("%s must no longer answer 405 (it is a method the route supports).", f.Method)
	case CauseProxyMethodBlock:
		return fmt.Sprintf("once forwarded, %s reaches the backend (no 405 from %s); if the block is intended, the 405 should carry an Allow header.", f.Method, f.OriginLayer)
	}
	if f.Allow != "" {
		return fmt.Sprintf("after the client fix nothing sends %s; the route answers %s with 405 and Allow: %s, or accepts it once a handler is added.", f.Method, f.Method, f.Allow)
	}
	return fmt.Sprintf("%s is either routed, or answered 405 with an Allow header listing the route's methods.", f.Method)
}

// contract is what a route's method contract should say, derived from a finding.
type pmContract struct {
	methods  []string // methods the route should document
	accepted bool     // the finding's method belongs to the contract (must not be 405)
	source   string   // where the methods come from
}

func pmMethodSet(s string) []string {
	var out []string
	for _, m := range strings.Split(s, ",") {
		if m = strings.ToUpper(strings.TrimSpace(m)); m != "" && !pmContains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

func pmContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

var pmMethodOrder = map[string]int{"GET": 0, "HEAD": 1, "POST": 2, "PUT": 3, "PATCH": 4, "DELETE": 5, "OPTIONS": 6}

func pmSortMethods(m []string) []string {
	sort.SliceStable(m, func(i, j int) bool {
		a, ok1 := pmMethodOrder[m[i]]
		b, ok2 := pmMethodOrder[m[j]]
		if !ok1 {
			a = 99
		}
		if !ok2 {
			b = 99
		}
		if a != b {
			return a < b
		}
		return m[i] < m[j]
	})
	return m
}

func (f *Finding) contract() pmContract {
	c := pmContract{methods: pmMethodSet(f.Allow)}
	switch {
	case len(f.ContractMethods) > 0:
		c.methods, c.source = pmMethodSet(strings.Join(f.ContractMethods, ",")), "the OpenAPI spec"
		c.accepted = pmContains(c.methods, f.Method)
		return c
	case f.Cause == CauseDeployRegression:
		c.source = "it succeeded before the deploy"
		c.accepted = true
	case f.Cause == CauseBackendDrift:
		c.source = "other backends accept it"
		c.accepted = true
	case f.Cause == CausePathRewrite:
		c.source = "the client's route; the rewrite sent it elsewhere"
		c.accepted = true
		c.methods = nil // the Allow header is the wrong route's
	case f.Cause == CauseCORSPreflight:
		c.source = "the browser's preflight"
		c.methods = pmMethodSet(f.Allow + "," + f.WantedMethod)
		c.accepted = false // OPTIONS itself is answered by the CORS layer
	case f.Cause == CauseProxyMethodBlock:
		c.source = "blocked at " + f.OriginLayer
	default:
		c.source = "the Allow header"
		if f.Allow == "" {
			c.source = "unknown (no Allow header)"
		}
	}
	if c.accepted && !pmContains(c.methods, f.Method) {
		c.methods = append(c.methods, f.Method)
	}
	if f.Cause == CauseCORSPreflight && f.WantedMethod != "" && !pmContains(c.methods, f.WantedMethod) {
		c.methods = append(c.methods, f.WantedMethod)
	}
	c.methods = pmSortMethods(c.methods)
	return c
}

func (a *Analysis) pmPrevention(o ReportOptions) pmSection {
	sec := pmSection{ID: "prevention", Title: "Prevention"}
	if len(a.Findings) == 0 {
		sec.Blocks = append(sec.Blocks, pmParagraph(pmT("Nothing to prevent.")))
		return sec
	}
	sec.Blocks = append(sec.Blocks, pmParagraph(pmT("The playbook's advice: document the allowed methods per endpoint (OpenAPI) and lock them into tests so a deploy, a proxy rule or a rewrite cannot change them unnoticed. For each affected route, the contract to document and a regression test to add.")))
	t := &pmTable{Head: []string{"#", "Route", "Methods to document", "Finding's method", "Based on"}, Right: []bool{true}}
	for i := range a.Findings {
		if i >= o.Top {
			break
		}
		f := &a.Findings[i]
		c := f.contract()
		m := "-"
		if len(c.methods) > 0 {
			m = strings.Join(c.methods, ", ")
		}
		var verdict string
		switch {
		case f.Cause == CauseCORSPreflight:
			verdict = fmt.Sprintf("OPTIONS preflight for %s must succeed", orDash(f.WantedMethod))
		case f.Cause == CauseProxyMethodBlock:
			verdict = fmt.Sprintf("%s: decide — forwarded, or blocked with 405 + Allow", f.Method)
		case c.accepted:
			verdict = fmt.Sprintf("%s supported: never 405", f.Method)
		default:
			verdict = fmt.Sprintf("%s not supported: 405 with Allow", f.Method)
		}
		t.Rows = append(t.Rows, []pmCell{pmNum(i + 1), pmCellOf(pmC(f.Route)), pmCellOf(pmT(m)), pmCellOf(pmT(verdict)), pmCellOf(pmT(c.source))})
	}
	t.More = pmMore(len(a.Findings)-len(t.Rows), "findings", 0, "")
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
		sub := pmSection{ID: "test-" + fmt.Sprint(i+1), Title: fmt.Sprintf("%d. %s %s", i+1, f.Method, f.Route)}
		if sh := curlTest(f); sh != "" {
			sub.Blocks = append(sub.Blocks, pmParagraph(pmT("End to end, through the public entry point (CI smoke test or synthetic check):")), codeBlock("sh", sh))
		}
		if layerFormat[f.OriginLayer] == "app" && f.Cause != CausePathRewrite {
			if g := goTest(f); g != "" {
				sub.Blocks = append(sub.Blocks, pmParagraph(pmT("In the service's own tests, if it is written in Go (net/http/httptest against its router):")), codeBlock("go", g))
			}
		}
		sec.Subs = append(sec.Subs, sub)
	}
	return sec
}

// exampleTarget returns the URL of a finding's verification command and the path the origin
// layer saw (after rewrites), from its first example.
func exampleTarget(f *Finding) (target, originPath string) {
	target = verifyURL(f.Verify)
	if len(f.Examples) > 0 {
		x := f.Examples[0]
		for _, h := range x.Hops {
			if h.Layer == f.OriginLayer && h.URI != "" {
				originPath = h.URI
			}
		}
		if originPath == "" {
			originPath = x.URI
		}
	}
	if originPath == "" && target != "" {
		if u, err := url.Parse(target); err == nil {
			originPath = u.RequestURI()
		}
	}
	return target, originPath
}

// verifyURL extracts the quoted URL at the end of a verification command.
func verifyURL(v string) string {
	i := strings.LastIndex(v, " '")
	if i < 0 || !strings.HasSuffix(v, "'") {
		return ""
	}
	return strings.ReplaceAll(v[i+2:len(v)-1], `'\''`, `'`)
}

func curlTest(f *Finding) string {
	target, _ := exampleTarget(f)
	if target == "" {
		return ""
	}
	q := shellQuote(target)
	c := f.contract()
	var b strings.Builder
	name := f.Method + " " + f.Route
	switch {
	case f.Cause == CauseCORSPreflight:
		origin := "https://app.example.com"
		if i := strings.Index(f.Verify, "'Origin: "); i >= 0 {
			rest := f.Verify[i+len("'Origin: "):]
			if j := strings.Index(rest, "'"); j >= 0 {
				origin = rest[:j]
			}
		}
		fmt.Fprintf(&b, "# Contract: browsers at %s may %s %s; the CORS preflight must allow it.\n", shComment(origin), shComment(f.WantedMethod), shComment(f.Route))
		fmt.Fprintf(&b, "hdrs=$(curl -s -o /dev/null -D - -X OPTIONS -H %s -H %s %s)\n",
			shellQuote("Origin: "+origin), shellQuote("Access-Control-Request-Method: "+f.WantedMethod), q)
		fmt.Fprintf(&b, "echo \"$hdrs\" | head -n1 | grep -q ' 2[0-9][0-9]' &&\n")
		fmt.Fprintf(&b, "  echo \"$hdrs\" | grep -i '^access-control-allow-methods:' | grep -qF -- %s ||\n", shellQuote(f.WantedMethod))
		fmt.Fprintf(&b, "  { printf '%%s\\n' %s; exit 1; }\n", shellQuote("preflight for "+f.WantedMethod+" "+f.Route+" rejected"))
	case c.accepted:
		fmt.Fprintf(&b, "# Contract: %s supports %s (%s).\n", shComment(f.Route), shComment(strings.Join(c.methods, ", ")), shComment(c.source))
		if f.Drift != nil && len(f.Drift.OK)+len(f.Drift.Failing) > 0 && f.Drift.Dimension == "upstream address" {
			_, p := exampleTarget(f)
			if len(f.Examples) > 0 {
				// The path the backends see: the hop after the drift layer.
				x := f.Examples[0]
				for j, h := range x.Hops {
					if h.Layer == f.Drift.Layer && j+1 < len(x.Hops) && x.Hops[j+1].URI != "" {
						p = x.Hops[j+1].URI
					}
				}
			}
			var hosts []string
			for _, bk := range append(append([]Backend{}, f.Drift.OK...), f.Drift.Failing...) {
				hosts = append(hosts, shellArg(bk.Name))
			}
			sort.Strings(hosts)
			fmt.Fprintf(&b, "# Every backend must agree, so check each one directly.\n")
			fmt.Fprintf(&b, "for backend in %s; do\n", strings.Join(hosts, " "))
			fmt.Fprintf(&b, "  code=$(curl -s -o /dev/null -w '%%{http_code}' -X %s \"http://$backend\"%s)\n", shellArg(f.Method), shellQuote(p))
			fmt.Fprintf(&b, "  [ \"$code\" != 405 ] || { printf '%%s answered 405 on %%s\\n' %s \"$backend\"; exit 1; }\n", shellQuote(name))
			b.WriteString("done\n")
			break
		}
		fmt.Fprintf(&b, "code=$(curl -s -o /dev/null -w '%%{http_code}' -X %s %s)\n", shellArg(f.Method), q)
		fmt.Fprintf(&b, "[ \"$code\" != 405 ] || { printf '%%s\\n' %s; exit 1; }\n", shellQuote(name+" answered 405"))
	default:
		allow := strings.Join(c.methods, ", ")
		if f.Cause == CauseProxyMethodBlock {
			fmt.Fprintf(&b, "# Contract: %s is blocked at %s on purpose; the 405 must say what is allowed.\n", shComment(f.Method), shComment(f.OriginLayer))
			fmt.Fprintf(&b, "# (If %s should reach the backend instead, assert that the status is not 405.)\n", shComment(f.Method))
		} else {
			fmt.Fprintf(&b, "# Contract: %s supports %s, not %s; a 405 must list the allowed methods.\n", shComment(f.Route), shComment(orDash(allow)), shComment(f.Method))
		}
		fmt.Fprintf(&b, "hdrs=$(curl -s -o /dev/null -D - -X %s %s)\n", shellArg(f.Method), q)
		fmt.Fprintf(&b, "echo \"$hdrs\" | head -n1 | grep -q ' 405' &&\n")
		if allow != "" {
			fmt.Fprintf(&b, "  echo \"$hdrs\" | grep -iqF -- %s ||\n", shellQuote("allow: "+allow))
		} else {
			fmt.Fprintf(&b, "  echo \"$hdrs\" | grep -iq '^allow:' ||\n")
		}
		fmt.Fprintf(&b, "  { printf '%%s\\n' %s; exit 1; }\n", shellQuote(name+": want 405 with an Allow header"))
	}
	return b.String()
}

// goTest writes an httptest example that locks a route's method contract in a Go service.
func goTest(f *Finding) string {
	_, p := exampleTarget(f)
	if p == "" {
		return ""
	}
	c := f.contract()
	type tc struct {
		method  string
		allowed bool
	}
	var cases []tc
	for _, m := range c.methods {
		if f.Cause == CauseCORSPreflight && m == f.WantedMethod {
			continue
		}
		cases = append(cases, tc{m, true})
	}
	if !c.accepted && f.Cause != CauseCORSPreflight {
		cases = append(cases, tc{f.Method, false})
	}
	var b strings.Builder
	name := "TestMethodContract" + pmGoName(f.Route)
	fmt.Fprintf(&b, "// %s locks the method contract of %s (logtriage: %s %s answered 405, %s).\n", name, shComment(f.Route), shComment(f.Method), shComment(f.Route), f.Cause)
	fmt.Fprintf(&b, "func %s(t *testing.T) {\n", name)
	b.WriteString("\th := newRouter() // the service's http.Handler\n")
	if f.Cause == CauseCORSPreflight {
		origin := "https://app.example.com"
		if i := strings.Index(f.Verify, "'Origin: "); i >= 0 {
			rest := f.Verify[i+len("'Origin: "):]
			if j := strings.Index(rest, "'"); j >= 0 {
				origin = rest[:j]
			}
		}
		fmt.Fprintf(&b, "\treq := httptest.NewRequest(http.MethodOptions, %q, nil)\n", p)
		fmt.Fprintf(&b, "\treq.Header.Set(\"Origin\", %q)\n", origin)
		fmt.Fprintf(&b, "\treq.Header.Set(\"Access-Control-Request-Method\", %q)\n", f.WantedMethod)
		b.WriteString("\trec := httptest.NewRecorder()\n\th.ServeHTTP(rec, req)\n")
		fmt.Fprintf(&b, "\tif rec.Code >= 300 || !strings.Contains(rec.Header().Get(\"Access-Control-Allow-Methods\"), %q) {\n", f.WantedMethod)
		fmt.Fprintf(&b, "\t\tt.Errorf(\"preflight for %%s: status %%d, Access-Control-Allow-Methods %%q\", %q, rec.Code, rec.Header().Get(\"Access-Control-Allow-Methods\"))\n\t}\n", f.WantedMethod)
		if len(cases) == 0 {
			b.WriteString("}\n")
			return b.String()
		}
	}
	b.WriteString("\tfor _, tc := range []struct {\n\t\tmethod  string\n\t\tallowed bool\n\t}{\n")
	for _, c := range cases {
		fmt.Fprintf(&b, "\t\t{%q, %v},\n", c.method, c.allowed)
	}
	b.WriteString("\t} {\n\t\trec := httptest.NewRecorder()\n")
	fmt.Fprintf(&b, "\t\th.ServeHTTP(rec, httptest.NewRequest(tc.method, %q, nil))\n", p)
	b.WriteString("\t\tif tc.allowed && rec.Code == http.StatusMethodNotAllowed {\n")
	fmt.Fprintf(&b, "\t\t\tt.Errorf(\"%%s %%s: 405, want the method routed\", tc.method, %q)\n\t\t}\n", p)
	b.WriteString("\t\tif !tc.allowed && (rec.Code != http.StatusMethodNotAllowed || rec.Header().Get(\"Allow\") == \"\") {\n")
	fmt.Fprintf(&b, "\t\t\tt.Errorf(\"%%s %%s: status %%d, Allow %%q; want 405 with an Allow header\", tc.method, %q, rec.Code, rec.Header().Get(\"Allow\"))\n\t\t}\n", p)
	b.WriteString("\t}\n}\n")
	return b.String()
}

// goName turns a route template into a Go identifier part: /api/orders/{id} → APIOrdersID.
func pmGoName(route string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(route, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		switch strings.ToLower(w) {
		case "api", "id", "url", "http":
			b.WriteString(strings.ToUpper(w))
		default:
			r, size := utf8.DecodeRuneInString(w)
			b.WriteString(string(unicode.ToUpper(r)) + w[size:])
		}
	}
	if b.Len() == 0 {
		return "Root"
	}
	return b.String()
}

func (a *Analysis) pmAppendix() pmSection {
	s := &a.Summary
	sec := pmSection{ID: "appendix", Title: "Appendix: inputs and method"}
	if len(s.Inputs) > 0 {
		t := &pmTable{Head: []string{"Input", "Layer", "Format", "Read", "Parsed", "Rejected", "Blank"}, Right: []bool{false, false, false, true, true, true, true}}
		var rej []([]pmSpan)
		for _, in := range s.Inputs {
			t.Rows = append(t.Rows, []pmCell{pmCellOf(pmC(in.Name)), pmCellOf(pmT(in.Layer)), pmCellOf(pmT(in.Format)), pmNum(in.Read), pmNum(in.Parsed), pmNum(in.Rejected), pmNum(in.Blank)})
			for _, r := range in.Rejections {
				rej = append(rej, pmItem(pmC(r.Source), pmT(": "+r.Reason)))
			}
		}
		sec.Blocks = append(sec.Blocks, tableBlock(t))
		if len(rej) > 0 {
			sec.Blocks = append(sec.Blocks, pmParagraph(pmT("Examples of rejected lines:")), pmBulleted(rej...))
		}
	}
	names := make([]string, len(a.Layers))
	for i, l := range a.Layers {
		names[i] = fmt.Sprintf("%s (%s)", l.Name, l.Format)
	}
	facts := [][]pmSpan{
		pmItem(pmB("Layer order, outer → inner: "), pmT(orDash(strings.Join(names, " → ")))),
		pmItem(pmB("How the order was chosen: "), pmT(pmText(orDash(a.Order)))),
	}
	if !s.FirstSeen.IsZero() {
		facts = append(facts, pmItem(pmB("Time window: "), pmT(pmPeriod(s.FirstSeen, s.LastSeen))))
	}
	if tl := a.Timeline; tl != nil && tl.BucketSeconds > 0 {
		n, unit := durUnit(time.Duration(tl.BucketSeconds) * time.Second)
		facts = append(facts, pmItem(pmB("Timeline buckets: "), pmT(fmt.Sprintf("%s of %d %s from %s", plural(len(tl.Buckets), "bucket"), n, unit+pluralS(n), pmDay(tl.Start)))))
		if tl.Untimed > 0 {
			facts = append(facts, pmItem(pmB("Requests without a time: "), pmT(pmThousands(tl.Untimed))))
		}
	}
	rq := fmt.Sprintf("%s records analysed (%s without a status ignored), %s requests after joining the hops, %s single-hop (no id to join on)",
		pmThousands(s.Records), pmThousands(s.NoStatus), pmThousands(s.Requests), pmThousands(s.SingleHop))
	facts = append(facts, pmItem(pmB("Records and requests: "), pmT(rq)))
	if s.NonUniqueIDs > 0 {
		facts = append(facts, pmItem(pmB("Ids not unique, not used to join: "), pmT(pmThousands(s.NonUniqueIDs)+" ("+strings.Join(s.NonUniqueIDExample, ", ")+")")))
	}
	if s.RoutesTruncated {
		facts = append(facts, pmItem(pmB("Warning: "), pmT("too many distinct routes; baselines of later routes were not kept, so deploy_regression and backend_drift may be missed.")))
	}
	facts = append(facts, pmItem(pmB("Verdicts: "), pmT("the origin of a 405 is the innermost hop that answered 405 when the next hop inward answered something else, or the innermost logged hop by its own evidence; \"beyond X\" when X relayed a 405 from an upstream whose log was not read. Causes, most specific first: cors_preflight, path_rewrite, deploy_regression, backend_drift, proxy_method_block, method_not_routed.")))
	sec.Blocks = append(sec.Blocks, pmBulleted(facts...))
	return sec
}

func pluralS[T ~int | ~int64](n T) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Markdown rendering.

func mdSection(w *bufio.Writer, s *pmSection, level int, a *Analysis) {
	fmt.Fprintf(w, "%s %s\n\n", strings.Repeat("#", level), mdEscape(s.Title))
	for _, b := range s.Blocks {
		mdBlock(w, &b, a)
	}
	for i := range s.Subs {
		mdSection(w, &s.Subs[i], level+1, a)
	}
}

func mdBlock(w *bufio.Writer, b *pmBlock, a *Analysis) {
	switch b.Kind {
	case pmPara:
		fmt.Fprintf(w, "%s\n\n", mdSpans(b.Spans))
	case pmList:
		for _, it := range b.Items {
			fmt.Fprintf(w, "- %s\n", mdSpans(it))
		}
		w.WriteString("\n")
	case pmCode:
		fence := "```"
		for strings.Contains(b.Code, fence) {
			fence += "`"
		}
		fmt.Fprintf(w, "%s%s\n%s", fence, b.Lang, b.Code)
		if !strings.HasSuffix(b.Code, "\n") {
			w.WriteString("\n")
		}
		fmt.Fprintf(w, "%s\n\n", fence)
	case pmTableBlock:
		t := b.Table
		w.WriteString("|")
		for _, h := range t.Head {
			fmt.Fprintf(w, " %s |", mdEscape(h))
		}
		w.WriteString("\n|")
		for i := range t.Head {
			if i < len(t.Right) && t.Right[i] {
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
		w.WriteString("\n")
	case pmChart:
		// Markdown has no charts; the timeline gets a one-line sparkline.
		if b.Chart == "timeline" && a.Timeline != nil && len(a.Timeline.Buckets) > 0 {
			tl := a.Timeline
			line, peak := sparkline(tl)
			n, unit := durUnit(time.Duration(tl.BucketSeconds) * time.Second)
			last := tl.Buckets[len(tl.Buckets)-1].Start.Add(time.Duration(tl.BucketSeconds) * time.Second)
			fmt.Fprintf(w, "405s per %s, %s (peak %s):\n\n```text\n%s\n```\n\n", bucketName(n, unit), pmPeriod(tl.Start, last), pmThousands(peak), line)
		}
	}
}

func bucketName(n int64, unit string) string {
	if n == 1 {
		return unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func mdSpans(sp []pmSpan) string { return mdSpansIn(sp, false) }

// mdSpansIn renders spans; in a table cell, a pipe inside code is escaped too (GFM).
func mdSpansIn(sp []pmSpan, cell bool) string {
	var b strings.Builder
	for _, s := range sp {
		switch {
		case s.Code:
			c := mdCode(s.Text)
			if cell {
				c = strings.ReplaceAll(c, "|", "\\|")
			}
			b.WriteString(c)
		case s.Bold:
			t := strings.TrimRight(s.Text, " ")
			b.WriteString("**" + mdEscape(t) + "**" + s.Text[len(t):])
		default:
			b.WriteString(mdEscape(s.Text))
		}
	}
	return b.String()
}

// mdEscape escapes the characters that would change a text's meaning in Markdown: emphasis,
// links, HTML and table cell borders.
func mdEscape(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '_':
			// GFM ignores intraword underscores: escape only at word edges.
			if i > 0 && i+1 < len(rs) && isWordRune(rs[i-1]) && isWordRune(rs[i+1]) {
				b.WriteRune(r)
				continue
			}
			b.WriteString("\\_")
		case '#':
			if i == 0 {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '\\', '`', '*', '[', ']', '<', '>', '|':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// mdCode renders inline code, choosing a fence longer than any backtick run inside.
func mdCode(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	if s == "" {
		return ""
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
