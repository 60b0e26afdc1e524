package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/logtriage/logtriage/internal/num"
	"github.com/logtriage/logtriage/parsers"
)

// Hop order: which layer is outside which. Every closed request with hops of several layers
// votes once per pair of layers: the hop with the longer duration is outside (an outer hop's
// time includes the inner hop's), or, without durations, the hop whose start..end strictly
// contains the other's. Formats give the prior: the ALB is always outermost and the
// application innermost; proxies (nginx, Envoy) are ordered by votes, then nginx before Envoy.

func formatPrior(format string) int {
	switch format {
	case parsers.FormatALB:
		return 0
	case parsers.FormatNginx:
		return 1
	case parsers.FormatEnvoy:
		return 2
	case parsers.FormatHAProxy, parsers.FormatTraefik, parsers.FormatCaddy, parsers.FormatApache:
		return 1 // edge proxies or load balancers; votes order them against nginx
	case parsers.FormatApp:
		return 4
	}
	return 3
}

// vote records the outer/inner evidence of one request.
func (e *Engine) vote(g *group) {
	hops := g.hops
	if len(hops) < 2 {
		return
	}
	if len(hops) > 8 {
		hops = hops[:8]
	}
	voted := false
	for i, a := range hops {
		for _, b := range hops[i+1:] {
			if a.layer == b.layer {
				continue
			}
			switch outer(a, b) {
			case 1:
				e.votes.add(a.layer, b.layer)
				voted = true
			case -1:
				e.votes.add(b.layer, a.layer)
				voted = true
			}
		}
	}
	if voted {
		e.voted++
	}
}

// voteTable counts the requests that put layer a outside layer b: in an array for the first
// layers (every closed request with several hops votes), in a map beyond.
type voteTable struct {
	small [16][16]int
	more  map[[2]int]int
}

func (v *voteTable) add(a, b int) {
	if a < len(v.small) && b < len(v.small) {
		v.small[a][b]++
		return
	}
	if v.more == nil {
		v.more = map[[2]int]int{}
	}
	v.more[[2]int{a, b}]++
}

func (v *voteTable) get(a, b int) int {
	if a < len(v.small) && b < len(v.small) {
		return v.small[a][b]
	}
	return v.more[[2]int{a, b}]
}

// outer returns 1 when a is outside b, -1 when b is outside a, 0 when the records do not say.
func outer(a, b *hop) int {
	if a.dur >= 0 && b.dur >= 0 && a.dur != b.dur {
		if a.dur > b.dur {
			return 1
		}
		return -1
	}
	if a.start != 0 && b.start != 0 && a.time != 0 && b.time != 0 {
		switch {
		case a.start < b.start && a.time > b.time:
			return 1
		case b.start < a.start && b.time > a.time:
			return -1
		}
	}
	return 0
}

// order returns the layer indexes outer → inner and how the order was derived. The layers are
// ranked by the evidence (the joined requests' votes, the formats); those --order names then take
// the places the ranking gave them, in the order it gives, so that naming two of four layers
// orders those two and leaves the others where the evidence put them (it used to put every layer
// it did not name inside the last it named: --order edge,app put the ALB inside the app).
func (e *Engine) order() ([]int, string) {
	n := len(e.layers)
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	// Copeland ranking: a beats b when more requests put a outside b (or, without votes, when its
	// format's prior is outer).
	usedVotes := false
	beats := func(a, b int) bool {
		pa, pb := formatPrior(e.layers[a].format), formatPrior(e.layers[b].format)
		if (pa == 0 || pb == 0 || pa == 4 || pb == 4) && pa != pb {
			return pa < pb
		}
		if o := e.twinOuter(a, b); o >= 0 {
			return o == a
		}
		va, vb := e.votes.get(a, b), e.votes.get(b, a)
		if va != vb {
			usedVotes = true
			return va > vb
		}
		return pa < pb
	}
	score := make([]int, n)
	for _, a := range out {
		for _, b := range out {
			if a != b && beats(a, b) {
				score[a]++
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if score[a] != score[b] {
			return score[a] > score[b]
		}
		if pa, pb := formatPrior(e.layers[a].format), formatPrior(e.layers[b].format); pa != pb {
			return pa < pb
		}
		return e.layers[a].name < e.layers[b].name
	})
	var how string
	switch {
	case n == 0:
		how = "no layer: no record to analyse" // an es window without 405 documents, a time window without records
	case n == 1:
		how = "one layer"
	case usedVotes:
		how = fmt.Sprintf("inferred from %s joined requests (durations, start and end times); ALB outermost and application innermost by format", num.Thousands(e.voted))
	default:
		how = "by format (alb, nginx, envoy, app): no joined request's times showed which layer is outside"
	}
	if t := e.twinText(); t != "" {
		how += "; proxies of one rank ordered by the requests both logged: " + t
	}

	var named []int
	isNamed := make([]bool, n)
	for _, name := range e.opts.Order {
		if i, ok := e.layerIdx[name]; ok && !isNamed[i] {
			named = append(named, i)
			isNamed[i] = true
		}
	}
	if len(named) == 0 {
		return out, how
	}
	k := 0
	for p, l := range out {
		if isNamed[l] {
			out[p] = named[k]
			k++
		}
	}
	if len(named) == n {
		return out, "given by --order"
	}
	names := make([]string, len(named))
	for i, l := range named {
		names[i] = e.layers[l].name
	}
	if len(named) == 1 {
		return out, "inferred (--order names only " + names[0] + "): " + how
	}
	return out, strings.Join(names, " → ") + " given by --order; the other layers " + how
}

// tiers gives each layer of order its position on the path: adjacent layers of one format that
// never appeared in one request together are siblings (several applications behind one proxy)
// and share a position. Layers named by --order are never siblings.
func (e *Engine) tiers(order []int) []int {
	out := make([]int, len(order))
	tier, start := 0, 0
	for i := range order {
		if i > 0 {
			sib := e.layers[order[i]].orderPos < 0 &&
				formatPrior(e.layers[order[i]].format) == formatPrior(e.layers[order[start]].format)
			for j := start; sib && j < i; j++ {
				a, b := order[j], order[i]
				sib = e.layers[a].orderPos < 0 && (b >= 64 || e.layers[a].co&(1<<uint(b)) == 0)
			}
			if !sib {
				tier++
				start = i
			}
		}
		out[i] = tier
	}
	return out
}

// layerPath renders the layers outer → inner, siblings in braces: "edge → {fastapi, flask, gin}".
func layerPath(layers []Layer) string {
	var b strings.Builder
	for i := 0; i < len(layers); {
		j := i
		for j < len(layers) && layers[j].Tier == layers[i].Tier {
			j++
		}
		if i > 0 {
			b.WriteString(" → ")
		}
		if j-i > 1 {
			b.WriteByte('{')
		}
		for k := i; k < j; k++ {
			if k > i {
				b.WriteString(", ")
			}
			b.WriteString(layers[k].Name)
		}
		if j-i > 1 {
			b.WriteByte('}')
		}
		i = j
	}
	return b.String()
}

// siblingNote explains sibling layers for the layer order sentence; "" when there are none.
func siblingNote(layers []Layer) string {
	var notes []string
	for i := 0; i < len(layers); {
		j := i
		for j < len(layers) && layers[j].Tier == layers[i].Tier {
			j++
		}
		if j-i > 1 {
			names := make([]string, 0, j-i)
			for k := i; k < j; k++ {
				names = append(names, layers[k].Name)
			}
			note := strings.Join(names, ", ") + " are siblings (no request visited more than one of them)"
			if f := proxyFormats(layers[i:j]); proxyCount(layers[i:j]) > 1 {
				// Two proxies (nginx in front of HAProxy, or two logs of one format) share no id
				// and neither format is outside the other (formatPrior): they are never joined,
				// and a 405 that crossed both is a finding at each.
				// The example puts the sibling with more records first: the proxy in front also
				// answers requests itself (static files, redirects, its own refusals) and sees
				// every one the other does.
				tier := slices.Clone(layers[i:j])
				slices.SortStableFunc(tier, func(x, y Layer) int { return cmp.Compare(y.Records, x.Records) })
				all := make([]string, 0, len(layers))
				for k, l := range layers {
					if k == i {
						for _, t := range tier {
							all = append(all, t.Name)
						}
					}
					if k < i || k >= j {
						all = append(all, l.Name)
					}
				}
				what := "they are different proxies (" + strings.Join(f, ", ") + ")"
				if len(f) == 1 {
					what = "they are logs of one format (" + f[0] + ")"
				}
				note += fmt.Sprintf("; %s and no log says which is in front: if one forwards to the other, give --order (e.g. --order %s, the layer with more records in front), else a 405 that crossed both is counted at each",
					what, strings.Join(all, ","))
				if slices.Contains(f, parsers.FormatNginx) || slices.Contains(f, parsers.FormatApache) {
					// gunicorn's, morgan's and Tomcat's default lines are nginx's and httpd's.
					note += "; if one of them is an application whose lines are the Combined or Common Log Format (gunicorn, morgan, Tomcat), give --app-layer NAME"
				}
			}
			notes = append(notes, note)
		}
		i = j
	}
	return strings.Join(notes, "; ")
}

// proxyCount counts the layers that are not applications.
func proxyCount(layers []Layer) int {
	n := 0
	for _, l := range layers {
		if l.Format != parsers.FormatApp {
			n++
		}
	}
	return n
}

// proxyFormats lists the distinct formats of layers that are not applications, in order.
func proxyFormats(layers []Layer) []string {
	var out []string
	for _, l := range layers {
		if l.Format != parsers.FormatApp && !slices.Contains(out, l.Format) {
			out = append(out, l.Format)
		}
	}
	return out
}
