package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/num"
)

// What the reports say about the causes of analysis/causes_more.go beyond each finding: how many
// method rejections were not 405s (their findings carry the status), and the monitor probes set
// aside as noise.

// moreFacts returns the summary facts as (label, text) pairs; none when there is nothing to say.
func moreFacts(a *analysis.Analysis) [][2]string {
	var out [][2]string
	s := &a.Summary
	if s.MethodRejectionsNot405 > 0 {
		by := map[int]int{}
		for _, f := range a.Findings {
			if f.Status != 0 && f.Status != 405 {
				by[f.Status] += f.Count
			}
		}
		codes := make([]int, 0, len(by))
		for c := range by {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		parts := make([]string, len(codes))
		for i, c := range codes {
			parts[i] = fmt.Sprintf("%s with %d", num.Thousands(by[c]), c)
		}
		out = append(out, [2]string{"Method rejections that were not 405s: ", fmt.Sprintf("%s (%s): a proxy refused the method with another status; reported as findings with that status, not counted in the 405s",
			num.Thousands(s.MethodRejectionsNot405), strings.Join(parts, ", "))})
	}
	if s.MonitorProbes > 0 {
		var who []string
		for _, f := range a.Noise {
			agent := ""
			if f.Monitor != nil {
				agent = f.Monitor.Known
				if agent == "" {
					agent = f.Monitor.Agent
				}
			}
			who = append(who, fmt.Sprintf("%s %s by %s at %s (%s)", f.Method, f.Route, agent, f.OriginLayer, num.Thousands(f.Count)))
			if len(who) == 3 {
				break
			}
		}
		if n := len(a.Noise) - len(who); n > 0 {
			who = append(who, fmt.Sprintf("%d more", n))
		}
		out = append(out, [2]string{"Noise: ", fmt.Sprintf("%s monitor probes (HEAD/OPTIONS of uptime monitors and health checks, cause monitor_probe) left out of the 405s and --fail-on; --include-monitors counts them: %s",
			num.Thousands(s.MonitorProbes), strings.Join(who, "; "))})
	}
	return out
}

// moreFlags are a finding's flags for these causes: the status when the method was refused
// with another one than 405.
func moreFlags(f *analysis.Finding) []string {
	if f.Status != 0 && f.Status != 405 {
		return []string{fmt.Sprintf("status %d", f.Status)}
	}
	return nil
}
