package report

import (
	"sort"
	"time"

	"github.com/logtriage/logtriage/analysis"
)

// Formatting shared by every renderer. Counts go through num.Thousands.

// stamp formats a time as the terminal report and the engine's sentences do: "2026-11-24 10:30:27Z".
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

// clock formats a time in UTC with the zone named: "2026-11-24 10:32:05 UTC".
func clock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ranked returns the counted values, most frequent first, ties by value.
func ranked(m map[string]int) []analysis.Count {
	out := make([]analysis.Count, 0, len(m))
	for v, c := range m {
		if v == "" {
			v = "-"
		}
		out = append(out, analysis.Count{Value: v, Count: c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// durUnit splits a bucket width into a count and its largest whole unit.
func durUnit(d time.Duration) (int64, string) {
	switch {
	case d%(24*time.Hour) == 0:
		return int64(d / (24 * time.Hour)), "day"
	case d%time.Hour == 0:
		return int64(d / time.Hour), "hour"
	case d%time.Minute == 0:
		return int64(d / time.Minute), "minute"
	}
	return int64(d / time.Second), "second"
}

// statusClasses are the keys of a timeline bucket's status counts (the JSON model), in the
// order the charts stack them.
var statusClasses = [...]string{"2xx", "3xx", "4xx", "5xx", "other"}
