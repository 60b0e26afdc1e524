package main

import (
	"sync/atomic"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/parsers"
)

// timeResolutions finds the finest unit each input's record times carry (a log of whole
// seconds, of milliseconds, …), for analysis.InputStats.TimeResolution: from the data, since a
// format alone does not tell (nginx's $time_local is whole seconds, $msec milliseconds; an
// application's JSON times are what its logger writes).
type timeResolutions map[string]*atomic.Uint32 // input name → bits of the units seen

// Bits of the finer units a record time was seen to need; none seen is whole seconds.
const (
	resMilli uint32 = 1 << iota
	resMicro
	resNano
)

func newTimeResolutions(inputs []parsers.Input) timeResolutions {
	t := make(timeResolutions, len(inputs))
	for _, in := range inputs {
		t[in.Name] = new(atomic.Uint32)
	}
	return t
}

// note looks at a parsed record's time (safe on the inputs' goroutines: the map is only read).
// Only the first lines of an input and every 64th line after them are looked at, so that the
// cost stays off the path of every record: a log of sub-second times shows a fraction in
// almost every one of its lines.
func (t timeResolutions) note(rec *parsers.Record) {
	if rec.Line > 16 && rec.Line%64 != 0 {
		return
	}
	ns := rec.Time.Nanosecond()
	if ns == 0 {
		return
	}
	bit := resNano
	switch {
	case ns%1e6 == 0:
		bit = resMilli
	case ns%1e3 == 0:
		bit = resMicro
	}
	if s := t[rec.File]; s != nil && s.Load()&bit == 0 {
		s.Or(bit)
	}
}

// of is the resolution of an input that parsed records, "" for one that parsed none.
func (t timeResolutions) of(s parsers.Stats) string {
	bits := uint32(0)
	if b := t[s.Input]; b != nil {
		bits = b.Load()
	}
	switch {
	case s.Parsed == 0:
		return ""
	case bits&resNano != 0:
		return analysis.ResolutionNanosecond
	case bits&resMicro != 0:
		return analysis.ResolutionMicrosecond
	case bits&resMilli != 0:
		return analysis.ResolutionMillisecond
	}
	return analysis.ResolutionSecond
}
