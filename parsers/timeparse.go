package parsers

import (
	"fmt"
	"math"
	"time"
)

// The engine orders hops by time.Time.UnixNano, which is defined only from 1677-09-21 to
// 2262-04-11 (UTC). A line dated outside that range is rejected with its reason (see CheckTime)
// rather than given a wrapped-around nanosecond count.
var (
	minTime = time.Unix(0, math.MinInt64).UTC()
	maxTime = time.Unix(0, math.MaxInt64).UTC()
)

// CheckTime returns an error naming t when it is outside the range the engine can order
// (1677-09-21 to 2262-04-11 UTC); the zero time (unknown) passes.
func CheckTime(t time.Time) error {
	if t.IsZero() || (!t.Before(minTime) && !t.After(maxTime)) {
		return nil
	}
	return fmt.Errorf("time stamp %s is outside the years 1677–2262 that can be ordered; fix the writer's clock or drop the line", t.UTC().Format(time.RFC3339))
}

// checkTimes applies CheckTime to both times a record may carry.
func (r *Record) checkTimes() error {
	if err := CheckTime(r.Time); err != nil {
		return err
	}
	if err := CheckTime(r.Start); err != nil {
		return fmt.Errorf("start %w", err)
	}
	return nil
}

// Time stamps are parsed by hand into UTC: time.Parse allocates a zone for every numeric offset,
// and every format here has a fixed shape.

func digits(b []byte, n int) (int, bool) {
	if len(b) < n {
		return 0, false
	}
	v := 0
	for _, c := range b[:n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

var months = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func month3(b []byte) (time.Month, bool) {
	if len(b) < 3 {
		return 0, false
	}
	for i, m := range months {
		if b[0] == m[0] && b[1] == m[1] && b[2] == m[2] {
			return time.Month(i + 1), true
		}
	}
	return 0, false
}

// parseOffset reads "Z", "+hh:mm", "+hhmm" or "+hh" and returns the offset in seconds and the
// bytes consumed.
func parseOffset(b []byte) (int, int, bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	if b[0] == 'Z' || b[0] == 'z' {
		return 0, 1, true
	}
	if b[0] != '+' && b[0] != '-' {
		return 0, 0, false
	}
	sign := 1
	if b[0] == '-' {
		sign = -1
	}
	hh, ok := digits(b[1:], 2)
	if !ok {
		return 0, 0, false
	}
	n, mm := 3, 0
	switch {
	case len(b) >= 6 && b[3] == ':':
		if mm, ok = digits(b[4:], 2); !ok {
			return 0, 0, false
		}
		n = 6
	case len(b) >= 5:
		if m, ok2 := digits(b[3:], 2); ok2 {
			mm, n = m, 5
		}
	}
	return sign * (hh*3600 + mm*60), n, true
}

// parseNginxTime reads $time_local: "25/Oct/2016:14:49:33 +0200".
func parseNginxTime(b []byte) (time.Time, bool) {
	if len(b) < 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' {
		return time.Time{}, false
	}
	day, ok1 := digits(b, 2)
	mon, ok2 := month3(b[3:])
	year, ok3 := digits(b[7:], 4)
	hh, ok4 := digits(b[12:], 2)
	mi, ok5 := digits(b[15:], 2)
	ss, ok6 := digits(b[18:], 2)
	off, n, ok7 := parseOffset(b[21:])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || 21+n != len(b) || day < 1 || day > 31 || hh > 23 || mi > 59 || ss > 60 {
		return time.Time{}, false
	}
	t := time.Date(year, mon, day, hh, mi, ss, 0, time.UTC)
	if day > 28 && t.Day() != day && ss < 60 { // 31/Feb: time.Date would make it 3 March
		return time.Time{}, false
	}
	return t.Add(-time.Duration(off) * time.Second), true
}

// parseISOTime reads RFC 3339 / ISO 8601 times with an optional fraction of any length, "T" or a
// space between date and time, and "Z", a numeric offset or no zone (taken as UTC).
func parseISOTime(b []byte) (time.Time, bool) {
	base, ok := isoSecond(b)
	if !ok {
		return time.Time{}, false
	}
	return isoRest(base, b)
}

// isoSecond reads the date and time of day of an ISO 8601 time, its first 19 bytes, as a UTC time.
func isoSecond(b []byte) (time.Time, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ' && b[10] != 't') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(b, 4)
	mon, ok2 := digits(b[5:], 2)
	day, ok3 := digits(b[8:], 2)
	hh, ok4 := digits(b[11:], 2)
	mi, ok5 := digits(b[14:], 2)
	ss, ok6 := digits(b[17:], 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 24 || mi > 59 || ss > 60 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(mon), day, hh, mi, ss, 0, time.UTC)
	if day > 28 && t.Day() != day && hh < 24 && ss < 60 { // 2026-02-31: time.Date would make it 3 March
		return time.Time{}, false
	}
	return t, true
}

// isoRest adds the fraction and the zone after the first 19 bytes of an ISO 8601 time b to
// base, the time isoSecond read from them.
func isoRest(base time.Time, b []byte) (time.Time, bool) {
	i, nsec := 19, 0
	if i < len(b) && (b[i] == '.' || b[i] == ',') {
		i++
		scale := 100000000
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			nsec += int(b[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == start {
			return time.Time{}, false
		}
	}
	off := 0
	if i < len(b) {
		o, n, ok := parseOffset(b[i:])
		if !ok || i+n != len(b) {
			return time.Time{}, false
		}
		off = o
	}
	return base.Add(time.Duration(nsec) - time.Duration(off)*time.Second), true
}

// isoTimeCache is parseISOTime remembering the second it converted last: the lines of a log
// mostly share their date and time of day with the line before, and time.Date is most of the
// cost of reading a time. The zero value is ready; one cache serves one goroutine.
type isoTimeCache struct {
	key  [19]byte
	set  bool
	base time.Time
}

func (c *isoTimeCache) parse(b []byte) (time.Time, bool) {
	if !c.set || len(b) < 19 || string(b[:19]) != string(c.key[:]) {
		base, ok := isoSecond(b)
		if !ok {
			return time.Time{}, false
		}
		copy(c.key[:], b)
		c.base, c.set = base, true
	}
	return isoRest(c.base, b)
}

// parseEpoch reads seconds since the epoch with an optional fraction ("1700000000.123", nginx
// $msec, zap's ts). Values above 1e11 are taken as milliseconds (pino), above 1e14 as
// microseconds and above 1e17 as nanoseconds.
func parseEpoch(b []byte) (time.Time, bool) {
	if len(b) == 0 {
		return time.Time{}, false
	}
	var ip, frac, scale int64 = 0, 0, 1
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if ip > math.MaxInt64/10-10 {
			return time.Time{}, false
		}
		ip = ip*10 + int64(b[i]-'0')
	}
	if i == 0 {
		return time.Time{}, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			if scale < 1e9 {
				frac = frac*10 + int64(b[i]-'0')
				scale *= 10
			}
		}
	}
	if i != len(b) {
		return time.Time{}, false
	}
	fracNS := frac * (1e9 / scale)
	switch {
	case ip > 1e17:
		return time.Unix(0, ip).UTC(), true
	case ip > 1e14:
		return time.UnixMicro(ip).UTC(), true
	case ip > 1e11:
		return time.UnixMilli(ip).Add(time.Duration(fracNS / 1000)).UTC(), true
	}
	return time.Unix(ip, fracNS).UTC(), true
}

// parseAnyTime tries every time shape the formats use.
func parseAnyTime(b []byte) (time.Time, bool) {
	if t, ok := parseISOTime(b); ok {
		return t, true
	}
	if t, ok := parseNginxTime(b); ok {
		return t, true
	}
	return parseEpoch(b)
}

// parseSeconds reads a duration in seconds with a fraction ("0.050", "-1" for none).
func parseSeconds(b []byte) (time.Duration, bool) {
	if len(b) == 0 || b[0] == '-' {
		return -1, false
	}
	var ip, frac, scale int64 = 0, 0, 1
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		ip = ip*10 + int64(b[i]-'0')
		if ip > 1e9 {
			return -1, false
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			if scale < 1e9 {
				frac = frac*10 + int64(b[i]-'0')
				scale *= 10
			}
		}
	}
	if i != len(b) || i == 0 {
		return -1, false
	}
	return time.Duration(ip)*time.Second + time.Duration(frac*(1e9/scale)), true
}

// parseInt reads a non-negative decimal integer.
func parseInt(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}
