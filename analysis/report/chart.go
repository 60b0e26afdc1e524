package report

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/num"
)

// Charts of the HTML report: inline SVG written by hand (no script, no font, no network), sized
// by a viewBox so that they scale with the page and print sharp. Colours: the Okabe–Ito palette
// (distinguishable with the common colour-vision deficiencies) for origin layers, greys for the
// requests without a 405.

// chartPalette colours origin layers in order, outer to inner.
var chartPalette = []string{"#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8C6D31", "#F0E442", "#555555"}

// Greys for the status classes of requests without a 405, lightest for successes.
var chartStatusColor = [len(statusClasses)]string{"#dfe3e8", "#c5ccd4", "#9aa5b1", "#5f6b77", "#eef0f3"}

const (
	chartPassed = "#b8c2cc"
	chartMasked = "#7a1f5c"
)

// layerColors assigns each origin layer (and "beyond X") a colour, the same in every chart.
func layerColors(a *analysis.Analysis) map[string]string {
	var names []string
	seen := map[string]bool{}
	addName := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	present := map[string]bool{}
	if a.Impact != nil {
		for _, o := range a.Impact.ByOrigin {
			present[o.Layer] = true
		}
	}
	if a.Timeline != nil {
		for _, o := range a.Timeline.Origins {
			present[o] = true
		}
	}
	for _, l := range a.Layers {
		addName(l.Name)
		if present[analysis.BeyondPrefix+l.Name] {
			addName(analysis.BeyondPrefix + l.Name)
		}
	}
	for _, f := range a.Findings {
		addName(f.OriginLayer)
	}
	out := map[string]string{}
	for i, n := range names {
		out[n] = chartPalette[i%len(chartPalette)]
	}
	return out
}

// svgBuilder accumulates SVG elements.
type svgBuilder struct {
	strings.Builder
}

func (b *svgBuilder) f(format string, args ...any) { fmt.Fprintf(&b.Builder, format, args...) }

func esc(s string) string { return html.EscapeString(s) }

// niceStep returns a round tick step giving about n ticks up to max.
func niceStep(max float64, n int) float64 {
	if max <= 0 {
		return 1
	}
	raw := max / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			s := m * mag
			if s < 1 {
				s = 1
			}
			return s
		}
	}
	return 10 * mag
}

// legendItem is one entry of a chart legend.
type legendItem struct {
	color, label string
	hatch        bool
}

// legend draws items left to right from (x, y), wrapping at width; it returns the height used.
func (b *svgBuilder) legend(items []legendItem, x, y, width float64) float64 {
	cx, cy := x, y
	for _, it := range items {
		w := 18 + 6.6*float64(len([]rune(it.label))) + 16
		if cx+w > x+width && cx > x {
			cx = x
			cy += 18
		}
		fill := it.color
		if it.hatch {
			fill = "url(#hatch)"
		}
		b.f(`<rect x="%.1f" y="%.1f" width="12" height="12" fill="%s" stroke="#333" stroke-width="0.5"/>`, cx, cy-10, fill)
		b.f(`<text x="%.1f" y="%.1f" class="lg">%s</text>`, cx+17, cy, esc(it.label))
		cx += w
	}
	return cy - y + 18
}

const svgDefs = `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3e3ee"/><line x1="0" y1="0" x2="0" y2="6" stroke="` + chartMasked + `" stroke-width="2.5"/></pattern></defs>`

// timelineSVG draws the requests per bucket: the 405s stacked by origin layer at the bottom,
// the other requests by status class above them for scale.
func timelineSVG(a *analysis.Analysis) string {
	tl := a.Timeline
	if tl == nil || len(tl.Buckets) == 0 {
		return ""
	}
	colors := layerColors(a)
	const W, left, right = 1040.0, 58.0, 14.0
	var b svgBuilder
	// Legend first, to know its height.
	var items []legendItem
	for _, o := range tl.Origins {
		items = append(items, legendItem{color: colors[o], label: "405 generated at " + o})
	}
	used := [len(statusClasses)]bool{}
	for _, bk := range tl.Buckets {
		for i, n := range statusClasses {
			if bk.Status[n] > 0 {
				used[i] = true
			}
		}
	}
	for i, n := range statusClasses {
		if used[i] {
			items = append(items, legendItem{color: chartStatusColor[i], label: "other requests, " + n})
		}
	}
	var lg svgBuilder
	lh := lg.legend(items, left, 16, W-left-right)
	width := time.Duration(tl.BucketSeconds) * time.Second
	unit := bucketName(durUnit(width))
	// Panel A: the 405s alone, with the events; panel B: every request, for scale.
	topA := 16 + lh + 44
	hA, gapAB, hB := 170.0, 54.0, 150.0
	topB := topA + hA + gapAB
	H := topB + hB + 46
	var peak, peak405 int64
	for _, bk := range tl.Buckets {
		peak = max(peak, bk.Requests)
		peak405 = max(peak405, bk.M405)
	}
	scale := func(peak int64) (float64, float64) {
		step := niceStep(float64(peak), 4)
		m := math.Ceil(float64(peak)/step) * step
		if m == 0 {
			m = step
		}
		return step, m
	}
	stepA, maxA := scale(peak405)
	stepB, maxB := scale(peak)
	yA := func(v float64) float64 { return topA + hA - v/maxA*hA }
	yB := func(v float64) float64 { return topB + hB - v/maxB*hB }
	plotW := W - left - right
	n := len(tl.Buckets)
	bw := plotW / float64(n)
	gap := math.Min(bw*0.18, 2)
	xAt := func(t time.Time) float64 {
		return left + float64(t.Sub(tl.Start))/float64(width)*bw
	}

	b.f(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="timeline" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="tl-title">`, W, H)
	b.f(`<title id="tl-title">405s per %s by origin layer, and all requests per %s for scale</title>`, unit, unit)
	b.WriteString(lg.String())
	axis := func(y func(float64) float64, step, m float64, title string, top, h float64) {
		for v := 0.0; v <= m+step/2; v += step {
			b.f(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`, left, W-right, y(v), y(v))
			b.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="end">%s</text>`, left-6, y(v)+4, num.Thousands(int64(v)))
		}
		ty := top - 10
		if top == topA {
			ty = top - 26 // above the event markers
		}
		b.f(`<text x="%.1f" y="%.1f" class="lb">%s</text>`, left, ty, esc(title))
		b.f(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="axis"/>`, left, W-right, y(0), y(0))
	}
	axis(yA, stepA, maxA, "Requests with a 405 per "+unit+", by origin layer", topA, hA)
	axis(yB, stepB, maxB, "All requests per "+unit+" (405s and other statuses), for scale", topB, hB)
	for i, bk := range tl.Buckets {
		x := left + float64(i)*bw + gap/2
		tip := fmt.Sprintf("%s – %s UTC: %s, %s with a 405", bk.Start.UTC().Format("2006-01-02 15:04:05"),
			bk.Start.Add(width).UTC().Format("15:04:05"), num.Plural(bk.Requests, "request"), num.Thousands(bk.M405))
		if bk.M405 > 0 {
			tip += " (" + num.Mix(bk.Origin405) + ")"
		}
		for panel := 0; panel < 2; panel++ {
			y := yA
			if panel == 1 {
				y = yB
			}
			acc := 0.0
			b.f(`<g><title>%s</title>`, esc(tip))
			seg := func(v int64, color string) {
				if v <= 0 {
					return
				}
				y0, y1 := y(acc), y(acc+float64(v))
				b.f(`<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"/>`, x, y1, bw-gap, y0-y1, color)
				acc += float64(v)
			}
			for _, o := range tl.Origins {
				seg(bk.Origin405[o], colors[o])
			}
			if panel == 1 {
				for c, name := range statusClasses {
					seg(bk.Status[name], chartStatusColor[c])
				}
			}
			b.WriteString(`</g>`)
		}
	}
	// Event markers, numbered as in the events table.
	for i, e := range tl.Events {
		if e.Time.IsZero() {
			continue
		}
		x := xAt(e.Time)
		if x < left || x > W-right {
			continue
		}
		b.f(`<g class="event"><title>%s</title>`, esc(fmt.Sprintf("%d. %s UTC: %s", i+1, e.Time.UTC().Format("2006-01-02 15:04:05"), e.Text)))
		b.f(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#333" stroke-width="1" stroke-dasharray="3 3"/>`, x, x, topA-2, yA(0))
		b.f(`<circle cx="%.1f" cy="%.1f" r="8" fill="#fff" stroke="#333"/>`, x, topA-2)
		b.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="middle" style="font-weight:600;fill:#1d2329">%d</text>`, x, topA+2, i+1)
		b.WriteString(`</g>`)
	}
	// X labels on round times.
	multiDay := tl.Buckets[0].Start.UTC().Format("2006-01-02") != tl.Buckets[n-1].Start.UTC().Format("2006-01-02")
	labelStep := width
	for _, d := range []time.Duration{time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
		30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
		48 * time.Hour, 7 * 24 * time.Hour, 28 * 24 * time.Hour} {
		if d < width || d%width != 0 {
			continue
		}
		minPx := 64.0
		if multiDay {
			minPx = 96
		}
		labelStep = d
		if float64(d/width)*bw >= minPx {
			break
		}
	}
	for i, bk := range tl.Buckets {
		t := bk.Start.UTC()
		if t.UnixNano()%int64(labelStep) != 0 {
			continue
		}
		x := left + float64(i)*bw
		label := t.Format("15:04")
		if multiDay {
			label = t.Format("Jan 2 15:04")
		}
		for _, y0 := range []float64{yA(0), yB(0)} {
			b.f(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="axis"/>`, x, x, y0, y0+5)
			b.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="middle">%s</text>`, x, y0+18, label)
		}
	}
	axisTitle := "time (UTC), " + tl.Start.UTC().Format("2006-01-02")
	if multiDay {
		axisTitle = "time (UTC)"
	}
	b.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="middle">%s</text>`, left+plotW/2, H-8, esc(axisTitle))
	b.WriteString(`</svg>`)
	return b.String()
}

// funnelSVG draws, per layer outer to inner, the 405s generated there, passed through and masked.
func funnelSVG(a *analysis.Analysis) string {
	if len(a.Layers) == 0 {
		return ""
	}
	colors := layerColors(a)
	type row struct {
		label, sub          string
		gen, passed, masked int64
		color               string
		beyond              bool
	}
	var rows []row
	beyond := map[string]int64{}
	if a.Impact != nil {
		for _, o := range a.Impact.ByOrigin {
			if strings.HasPrefix(o.Layer, analysis.BeyondPrefix) {
				beyond[strings.TrimPrefix(o.Layer, analysis.BeyondPrefix)] = o.Requests405
			}
		}
	}
	var peak int64
	for _, l := range a.Layers {
		rows = append(rows, row{label: l.Name, sub: l.Format, gen: l.Generated405, passed: l.Passed405, masked: l.Masked405, color: colors[l.Name]})
		if n := beyond[l.Name]; n > 0 {
			rows = append(rows, row{label: analysis.BeyondPrefix + l.Name, sub: "not logged", gen: n, color: colors[analysis.BeyondPrefix+l.Name], beyond: true})
		}
	}
	for _, r := range rows {
		peak = max(peak, r.gen+r.passed+r.masked)
	}
	if peak == 0 {
		return ""
	}
	const W, left, rowH = 1040.0, 150.0, 34.0
	labels := make([]string, len(rows))
	right := 70.0
	for i, r := range rows {
		var parts []string
		if r.gen > 0 {
			parts = append(parts, num.Thousands(r.gen)+" generated")
		}
		if r.passed > 0 {
			parts = append(parts, num.Thousands(r.passed)+" passed")
		}
		if r.masked > 0 {
			parts = append(parts, num.Thousands(r.masked)+" masked")
		}
		labels[i] = strings.Join(parts, " · ")
		if labels[i] == "" {
			labels[i] = "0"
		}
		right = math.Max(right, 7*float64(len([]rune(labels[i])))+16)
	}
	var lg svgBuilder
	lh := lg.legend([]legendItem{{color: "#444", label: "generated at the layer (colour of the layer)"},
		{color: chartPassed, label: "passed through as a 405"}, {color: chartMasked, label: "masked: turned into another status", hatch: true}}, left, 16, W-left-right)
	top := 16 + lh + 10
	H := top + float64(len(rows))*rowH + 40
	plotW := W - left - right
	step := niceStep(float64(peak), 5)
	xmax := math.Ceil(float64(peak)/step) * step
	x := func(v float64) float64 { return left + v/xmax*plotW }
	var b svgBuilder
	b.f(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="funnel" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="fn-title">`, W, H)
	b.WriteString(`<title id="fn-title">405s per layer: generated, passed through, masked</title>`)
	b.WriteString(svgDefs)
	b.WriteString(lg.String())
	bottom := top + float64(len(rows))*rowH
	for v := 0.0; v <= xmax+step/2; v += step {
		b.f(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`, x(v), x(v), top-4, bottom)
		b.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="middle">%s</text>`, x(v), bottom+16, num.Thousands(int64(v)))
	}
	b.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="middle">requests with a 405</text>`, left+plotW/2, H-6)
	for i, r := range rows {
		y0 := top + float64(i)*rowH
		b.f(`<text x="%.1f" y="%.1f" class="lb" text-anchor="end">%s</text>`, left-10, y0+15, esc(r.label))
		b.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="end">%s</text>`, left-10, y0+28, esc(r.sub))
		acc := 0.0
		seg := func(v int64, fill, what string) {
			if v <= 0 {
				return
			}
			b.f(`<rect x="%.2f" y="%.1f" width="%.2f" height="%.1f" fill="%s" stroke="#fff" stroke-width="0.8"><title>%s: %s %s</title></rect>`,
				x(acc), y0+5, x(acc+float64(v))-x(acc), rowH-12, fill, esc(r.label), num.Thousands(v), what)
			acc += float64(v)
		}
		seg(r.gen, r.color, "generated here")
		seg(r.passed, chartPassed, "passed through")
		seg(r.masked, "url(#hatch)", "masked")
		b.f(`<text x="%.1f" y="%.1f" class="val">%s</text>`, x(acc)+6, y0+rowH/2+3, esc(labels[i]))
	}
	b.f(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="axis"/>`, left, left, top-4, bottom)
	b.WriteString(`</svg>`)
	return b.String()
}

// routesSVG draws the top routes by 405 count, each bar stacked by origin layer.
func routesSVG(a *analysis.Analysis, n int) string {
	im := a.Impact
	if im == nil || len(im.Routes) == 0 {
		return ""
	}
	if n > 15 {
		n = 15
	}
	routes := im.Routes
	if len(routes) > n {
		routes = routes[:n]
	}
	colors := layerColors(a)
	const W, right, rowH = 1040.0, 60.0, 26.0
	longest := 0
	for _, r := range routes {
		longest = max(longest, len([]rune(r.Method+" "+r.Route)))
	}
	left := math.Min(math.Max(140, 7.4*float64(longest)+18), 520)
	var present []string
	seen := map[string]bool{}
	for _, r := range routes {
		for _, o := range r.Origins {
			seen[o.Value] = true
		}
	}
	present = append(present, analysis.OriginOrder(a.Layers, seen)...)
	var items []legendItem
	for _, o := range present {
		items = append(items, legendItem{color: colors[o], label: "405 generated at " + o})
	}
	var lg svgBuilder
	lh := lg.legend(items, 10, 16, W-20)
	top := 16 + lh + 8
	var peak int64
	for _, r := range routes {
		peak = max(peak, r.Count)
	}
	rest := im.RoutesTotal - len(routes)
	H := top + float64(len(routes))*rowH + 38
	if rest > 0 {
		H += 18
	}
	plotW := W - left - right
	step := niceStep(float64(peak), 5)
	xmax := math.Ceil(float64(peak)/step) * step
	x := func(v float64) float64 { return left + v/xmax*plotW }
	var b svgBuilder
	b.f(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="routes" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="rt-title">`, W, H)
	b.WriteString(`<title id="rt-title">Top routes by 405 count</title>`)
	b.WriteString(lg.String())
	bottom := top + float64(len(routes))*rowH
	for v := 0.0; v <= xmax+step/2; v += step {
		b.f(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`, x(v), x(v), top-4, bottom)
		b.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="middle">%s</text>`, x(v), bottom+16, num.Thousands(int64(v)))
	}
	b.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="middle">requests with a 405</text>`, left+plotW/2, bottom+32)
	for i, r := range routes {
		y0 := top + float64(i)*rowH
		label := r.Method + " " + r.Route
		if len([]rune(label)) > 68 {
			label = string([]rune(label)[:67]) + "…"
		}
		b.f(`<text x="%.1f" y="%.1f" class="mono" text-anchor="end">%s</text>`, left-8, y0+rowH/2+4, esc(label))
		acc := 0.0
		for _, name := range present {
			var v int64
			for _, o := range r.Origins {
				if o.Value == name {
					v = int64(o.Count)
				}
			}
			if v == 0 {
				continue
			}
			b.f(`<rect x="%.2f" y="%.1f" width="%.2f" height="%.1f" fill="%s" stroke="#fff" stroke-width="0.8"><title>%s %s: %s generated at %s</title></rect>`,
				x(acc), y0+4, x(acc+float64(v))-x(acc), rowH-8, colors[name], esc(r.Method), esc(r.Route), num.Thousands(v), esc(name))
			acc += float64(v)
		}
		b.f(`<text x="%.1f" y="%.1f" class="val">%s</text>`, x(acc)+6, y0+rowH/2+4, num.Thousands(r.Count))
	}
	b.f(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="axis"/>`, left, left, top-4, bottom)
	if rest > 0 {
		var shown int64
		for _, r := range routes {
			shown += r.Count
		}
		b.f(`<text x="%.1f" y="%.1f" class="ax">%s</text>`, left, H-6, esc(more(rest, "routes", im.Requests405-shown, "requests with a 405")))
	}
	b.WriteString(`</svg>`)
	return b.String()
}
