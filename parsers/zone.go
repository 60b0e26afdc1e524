package parsers

import "time"

// Log times written without a zone (Gin's and chi's "2026/11/24 - 10:00:07", werkzeug's and
// Django's "[24/Nov/2026 10:00:07]", Python logging's asctime, HAProxy's accept date) are the
// server's local time; the parsers read them as UTC. On a server whose clock is not set to UTC
// they are then hours off the other layers' times, and no join by time can bridge that: --tz
// names the zone of such a layer (Config.Zones), and its records' times are read again in it.

// InZone returns the time whose wall clock in loc is t's wall clock in UTC: a time read as UTC
// from a log line that gave no zone, read again in loc. A nil loc or a zero t returns t.
func InZone(t time.Time, loc *time.Location) time.Time {
	if loc == nil || t.IsZero() {
		return t
	}
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc).UTC()
}

// inZone reads the record's times again in loc (InZone).
func (r *Record) inZone(loc *time.Location) {
	r.Time = InZone(r.Time, loc)
	r.Start = InZone(r.Start, loc)
}

// ParseZone reads a --tz zone: a numeric offset from UTC ("+01:00", "-0530", "+1"), "UTC" or
// "Z", or an IANA zone name ("Europe/Berlin"), whose offset then follows daylight saving time.
func ParseZone(s string) (*time.Location, error) {
	switch s {
	case "", "UTC", "Z", "utc", "z":
		return time.UTC, nil
	}
	if s[0] == '+' || s[0] == '-' {
		h, m, ok := 0, 0, true
		d := s[1:]
		switch {
		case len(d) == 5 && d[2] == ':': // +01:00
			h, m, ok = atoi2(d[:2]), atoi2(d[3:]), true
		case len(d) == 4: // +0100
			h, m = atoi2(d[:2]), atoi2(d[2:])
		case len(d) == 1 || len(d) == 2: // +1, +10
			h = atoi2(d)
		default:
			ok = false
		}
		if !ok || h < 0 || m < 0 || m > 59 || h > 14 {
			return nil, errZone(s)
		}
		off := h*3600 + m*60
		if s[0] == '-' {
			off = -off
		}
		return time.FixedZone(s, off), nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, errZone(s)
	}
	return loc, nil
}

// atoi2 reads one or two decimal digits; -1 for anything else.
func atoi2(s string) int {
	n := 0
	if len(s) == 0 || len(s) > 2 {
		return -1
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

type errZone string

func (e errZone) Error() string {
	return "time zone " + string(e) + " is neither an offset from UTC (+01:00, -0530) nor a zone name (Europe/Berlin, UTC)"
}
