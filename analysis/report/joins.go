package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/num"
)

// How the hops of the requests were joined (docs/joins.md), in words for every format.

// joinText lists the non-zero join kinds: "id 30, group_match 4".
func joinText(j analysis.JoinCounts) string {
	var p []string
	for _, k := range []struct {
		name string
		n    int
	}{{"id", j.ID}, {"unique_match", j.Unique}, {"group_match", j.Group}, {"order_match", j.Order}, {"unjoined", j.Unjoined}} {
		if k.n > 0 {
			p = append(p, fmt.Sprintf("%s %s", k.name, num.Thousands(k.n)))
		}
	}
	if len(p) == 0 {
		return "-"
	}
	return strings.Join(p, ", ")
}

// singleHopText follows the count of Summary.SingleHop: requests that stayed on one layer because
// they carried no usable id (none, or only ids that were not unique) and no record of another
// layer matched them (docs/joins.md). Requests without ids that were matched are joined, and an
// id seen at one layer only is not counted here.
const singleHopText = "single-hop (no usable id, and no match at another layer)"

// joinKindText says how one request's hops were joined, in the terms of the summary sentence.
func joinKindText(k analysis.JoinKind) string {
	switch k {
	case analysis.JoinID:
		return "id (every hop shares an id with the next)"
	case analysis.JoinUnique:
		return "unique_match (no shared id: an unambiguous match of method, target, status and time)"
	case analysis.JoinGroup:
		return "group_match (no shared id: one of a group of identical requests paired in time order; the verdict is exact, who got which record is not)"
	case analysis.JoinOrder:
		return "order_match (one hop's log has no times: its record was paired by its place in that log with the proxy record that relayed it; as good as the two logs' order)"
	case analysis.JoinUnjoined:
		return "unjoined (one layer only)"
	}
	return string(k)
}

// joinSummary is the summary sentence about joins, "" when there is no request with a 405.
func joinSummary(s *analysis.Summary) string {
	j := s.Joins
	if j.ID+j.Unique+j.Group+j.Order+j.Unjoined == 0 {
		return ""
	}
	order := ""
	if j.Order > 0 {
		order = ", by log order (no time in one log) " + num.Thousands(j.Order)
	}
	out := fmt.Sprintf("How the hops of the 405s were joined: by id %s, by an unambiguous match %s, as groups of identical requests %s%s, not joined (one layer only) %s",
		num.Thousands(j.ID), num.Thousands(j.Unique), num.Thousands(j.Group), order, num.Thousands(j.Unjoined))
	if len(s.ClockSkew) > 0 {
		var p []string
		var coarse, fine []string // pairs under a second apart, by the resolution of their logs
		fineUnit := ""            // the coarser unit of the fine pairs' logs
		res := inputResolutions(s.Inputs)
		for _, c := range s.ClockSkew {
			x := fmt.Sprintf("%s vs %s %+d ms (%s pairs", c.Inner, c.Outer, c.OffsetMS, num.Thousands(c.Pairs))
			switch sec := (abs(c.OffsetMS) + 500) / 1000; {
			case c.OffsetMS <= -1000:
				x += fmt.Sprintf("; its clock runs about %d s ahead", sec)
			case c.OffsetMS >= 1000:
				x += fmt.Sprintf("; its clock runs about %d s behind", sec)
			default:
				pair := c.Inner + " vs " + c.Outer
				if u := coarser(res.input[c.Inner], res.layer[c.Outer]); rank(u) > 0 {
					fine = append(fine, pair)
					if fineUnit == "" || rank(u) < rank(fineUnit) {
						fineUnit = u
					}
				} else {
					coarse = append(coarse, pair)
				}
			}
			p = append(p, x+")")
		}
		out += "; clock offsets, outer minus inner log time: " + strings.Join(p, ", ")
		// One side of a match by time usually logs whole seconds (nginx's $time_local, most
		// frameworks' default lines): an offset within a second is what clocks in step give.
		// Where both sides log fractions of a second, such an offset is a measurement: the outer
		// hop's own time (it logs after the inner one answered) plus the clocks' difference.
		measured := "measured to the " + fineUnit + " (both logs carry sub-second times): the outer hop's own time, plus any difference between the hosts' clocks"
		switch {
		case len(coarse) > 0 && len(fine) == 0:
			out += "; an offset under 1 s is clocks in step, as far as whole-second time stamps tell"
		case len(coarse) == 0 && len(fine) > 0:
			out += "; an offset under 1 s is " + measured
		case len(coarse) > 0:
			out += "; an offset under 1 s is clocks in step, as far as whole-second time stamps tell (" + strings.Join(coarse, ", ") +
				"), and " + measured + " (" + strings.Join(fine, ", ") + ")"
		}
	}
	return out + "."
}

// resolutions holds the time resolution of each input (analysis.InputStats.TimeResolution) and
// of each layer: its coarsest input's, "" when an input of it does not tell.
type resolutions struct{ input, layer map[string]string }

func inputResolutions(inputs []analysis.InputStats) resolutions {
	r := resolutions{map[string]string{}, map[string]string{}}
	for _, in := range inputs {
		if in.Parsed == 0 {
			continue
		}
		r.input[in.Name] = in.TimeResolution
		if u, ok := r.layer[in.Layer]; !ok || rank(in.TimeResolution) < rank(u) {
			r.layer[in.Layer] = in.TimeResolution
		}
	}
	return r
}

// rank orders the resolutions: 0 for whole seconds and for one not told, then finer ones.
func rank(u string) int {
	switch u {
	case analysis.ResolutionMillisecond:
		return 1
	case analysis.ResolutionMicrosecond:
		return 2
	case analysis.ResolutionNanosecond:
		return 3
	}
	return 0
}

// coarser is the coarser of two resolutions: what a difference of times of both logs is good to.
func coarser(a, b string) string {
	if rank(a) < rank(b) {
		return a
	}
	return b
}

// lateText is the sentence about layers whose logs are out of time order (Summary.OutOfOrder),
// "" when none is.
func lateText(s *analysis.Summary) string {
	if len(s.OutOfOrder) == 0 {
		return ""
	}
	var p []string
	beyond := false
	for _, l := range s.OutOfOrder {
		d := time.Duration(l.MaxMS) * time.Millisecond
		p = append(p, fmt.Sprintf("%s (%s up to %s behind the newest record)", l.Layer, num.Plural(int(l.Records), "record"), d.Round(time.Second)))
		beyond = beyond || d > 5*time.Minute
	}
	out := "Out of time order: " + strings.Join(p, ", ") +
		" — a buffered access_log writes each worker's lines late, as do logs of several hosts put one after another; requests waited for such records from the first one on, so that their hops still join"
	if beyond {
		out += "; records more than 5 min late may not have joined theirs: sort that log by time first"
	}
	return out + "."
}

// zoneText is the sentence about layers whose times look like local time read as UTC
// (Summary.ZoneHints), "" when none does.
func zoneText(s *analysis.Summary) string {
	if len(s.ZoneHints) == 0 {
		return ""
	}
	var p, flags []string
	for _, z := range s.ZoneHints {
		d := time.Duration(z.OffsetMinutes) * time.Minute
		way := "ahead of"
		if d < 0 {
			way, d = "behind", -d
		}
		p = append(p, fmt.Sprintf("%s's records run %s %s the other layers' at both ends", z.Layer, d, way))
		flags = append(flags, z.Flag)
	}
	return "Time zone: " + strings.Join(p, "; ") +
		": local time written without a zone (Gin, werkzeug, Python's logging) is read as UTC, and joins by time cannot cross the difference, so each 405 there may be counted twice (at the app, and at the proxy); run again with " +
		strings.Join(flags, " ") + "."
}

// layerNames renders the layer order with formats, siblings in braces:
// "edge (nginx) → {fastapi, flask, gin} (app)".
func layerNames(layers []analysis.Layer) string {
	var tiers []string
	for i := 0; i < len(layers); {
		j := i
		same := true
		for j < len(layers) && layers[j].Tier == layers[i].Tier {
			same = same && layers[j].Format == layers[i].Format
			j++
		}
		if j-i == 1 {
			tiers = append(tiers, fmt.Sprintf("%s (%s)", layers[i].Name, layers[i].Format))
			i = j
			continue
		}
		var names []string
		for k := i; k < j; k++ {
			if same {
				names = append(names, layers[k].Name)
			} else {
				names = append(names, fmt.Sprintf("%s (%s)", layers[k].Name, layers[k].Format))
			}
		}
		t := "{" + strings.Join(names, ", ") + "}"
		if same {
			t += " (" + layers[i].Format + ")"
		}
		tiers = append(tiers, t)
		i = j
	}
	return strings.Join(tiers, " → ")
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
