package analysis

import (
	"fmt"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// Log times written without a zone are the server's local time, which the parsers read as UTC
// (parsers/zone.go). An application on a server whose clock is set to another zone then logs
// hours off its proxy, and the joins by time find nothing: each of its 405s is counted twice,
// once at the app and once, wrongly, at the proxy. zoneHints tells such a layer by its first
// and last records: both off the other layers' by the same whole number of quarter hours.

// ZoneHint is a layer whose times look like local time read as UTC, and the --tz that reads them
// in their zone.
type ZoneHint struct {
	Layer         string `json:"layer"`
	OffsetMinutes int    `json:"offset_minutes"` // how far its times run ahead of the others'
	Flag          string `json:"flag"`           // "--tz gin=+01:00"
}

const (
	zoneStep     = 15 * time.Minute // zones are whole quarter hours off UTC
	zoneSlack    = 2 * time.Minute  // how far the first and last records may disagree
	zoneMinShift = 30 * time.Minute
	zoneMaxShift = 14 * time.Hour
	zoneMinRecs  = 20
)

// zoneHints compares each application (and HAProxy, which logs local time too) layer's first
// and last record times with those of the layers whose formats carry a zone.
func (e *Engine) zoneHints() []ZoneHint {
	var ref struct{ first, last int64 }
	for _, l := range e.layers {
		if zoneless(l.format) || l.first == 0 {
			continue
		}
		if ref.first == 0 || l.first < ref.first {
			ref.first = l.first
		}
		ref.last = max(ref.last, l.last)
	}
	if ref.first == 0 {
		return nil
	}
	var out []ZoneHint
	for _, l := range e.layers {
		if !zoneless(l.format) || l.first == 0 || l.records < zoneMinRecs {
			continue
		}
		df, dl := time.Duration(l.first-ref.first), time.Duration(l.last-ref.last)
		if (df - dl).Abs() > zoneSlack {
			continue
		}
		d := (df + dl) / 2
		q := d.Round(zoneStep)
		if (d-q).Abs() > zoneSlack || q.Abs() < zoneMinShift || q.Abs() > zoneMaxShift {
			continue
		}
		out = append(out, ZoneHint{Layer: l.name, OffsetMinutes: int(q / time.Minute), Flag: fmt.Sprintf("--tz %s=%s", l.name, offsetText(q))})
	}
	return out
}

// zoneless reports whether a format may write times without a zone: the applications' lines
// (Gin, werkzeug, Python's logging) and HAProxy's accept date.
func zoneless(format string) bool {
	return format == parsers.FormatApp || format == parsers.FormatHAProxy
}

// offsetText writes an offset from UTC as --tz reads it: "+01:00", "-05:30".
func offsetText(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%02d:%02d", sign, int(d/time.Hour), int(d%time.Hour/time.Minute))
}
