package parsers

import (
	"testing"
	"time"
)

func TestParseTimes(t *testing.T) {
	tests := []struct {
		fn   func([]byte) (time.Time, bool)
		in   string
		want string // RFC 3339 in UTC; "" = must fail
	}{
		{parseNginxTime, "25/Oct/2016:14:49:33 +0200", "2016-10-25T12:49:33Z"},
		{parseNginxTime, "07/Jul/2021:20:28:01 +0000", "2021-07-07T20:28:01Z"},
		{parseNginxTime, "28/Sep/1970:12:00:00 +0600", "1970-09-28T06:00:00Z"},
		{parseNginxTime, "30/Dec/2016:06:47:09 -0330", "2016-12-30T10:17:09Z"},
		{parseNginxTime, "30/Foo/2016:06:47:09 +0000", ""},
		{parseNginxTime, "30/Dec/2016:06:47:09", ""},
		// A day or time that does not exist is refused, not moved to another one (31/Feb was 3 March).
		{parseNginxTime, "31/Feb/2026:08:00:09 +0000", ""},
		{parseNginxTime, "29/Feb/2028:08:00:09 +0000", "2028-02-29T08:00:09Z"},
		{parseNginxTime, "00/Nov/2026:08:00:09 +0000", ""},
		{parseNginxTime, "24/Nov/2026:25:00:09 +0000", ""},
		{parseNginxTime, "24/Nov/2026:10:61:09 +0000", ""},
		{parseNginxTime, "31/Dec/2026:23:59:60 +0000", "2027-01-01T00:00:00Z"},
		{parseISOTime, "2026-02-31T10:00:00Z", ""},
		{parseISOTime, "2026-04-31 10:00:00", ""},
		{parseISOTime, "2028-02-29T10:00:00Z", "2028-02-29T10:00:00Z"},
		{parseISOTime, "2026-12-31T24:00:00Z", "2027-01-01T00:00:00Z"},
		{parseISOTime, "2018-07-02T22:23:00.186641Z", "2018-07-02T22:23:00.186641Z"},
		{parseISOTime, "2016-04-15T20:17:00.310Z", "2016-04-15T20:17:00.31Z"},
		{parseISOTime, "1970-09-28T12:00:00+06:00", "1970-09-28T06:00:00Z"},
		{parseISOTime, "2026-11-24T10:00:00.123456789Z", "2026-11-24T10:00:00.123456789Z"},
		{parseISOTime, "2026-11-24 10:00:00", "2026-11-24T10:00:00Z"},
		{parseISOTime, "2026-11-24T10:00:00+0100", "2026-11-24T09:00:00Z"},
		{parseISOTime, "2026-13-24T10:00:00Z", ""},
		{parseISOTime, "2026-11-24T10:00:00Zjunk", ""},
		{parseEpoch, "1531171074.631", "2018-07-09T21:17:54.631Z"},
		{parseEpoch, "1531171074631", "2018-07-09T21:17:54.631Z"},
		{parseEpoch, "12ab", ""},
		{parseAnyTime, "25/Oct/2016:14:49:33 +0200", "2016-10-25T12:49:33Z"},
	}
	for _, tt := range tests {
		got, ok := tt.fn([]byte(tt.in))
		if tt.want == "" {
			if ok {
				t.Errorf("%q: parsed as %v, want failure", tt.in, got)
			}
			continue
		}
		want, _ := time.Parse(time.RFC3339Nano, tt.want)
		if !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%q: got %v (ok=%v), want %v in UTC", tt.in, got, ok, want)
		}
	}
}

func TestParseSeconds(t *testing.T) {
	if d, ok := parseSeconds([]byte("0.050")); !ok || d != 50*time.Millisecond {
		t.Errorf("0.050 -> %v %v", d, ok)
	}
	if _, ok := parseSeconds([]byte("-1")); ok {
		t.Error("-1 must mean unknown")
	}
	if _, ok := parseSeconds([]byte("-")); ok {
		t.Error("- must mean unknown")
	}
}
