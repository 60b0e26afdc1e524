package analysis

import (
	"strings"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// Counts instead of records: a source that can count (Elasticsearch aggregations, in
// parsers/elastic) hands the baselines of the time-based causes over as "n records like rec
// between first and last". They update the same per-route and per-backend counters as records
// do (baseline.go, observe), without creating requests or counting as records read, so the
// summary counts what was read and the causes see what a file would have shown.
//
// AddCounts is meant to be called after the records of the same period (the engine counts the
// successes after a route's first 405 from it); a bucket that straddles the first 405 is split
// in proportion to the time on each side, as if its records were spread evenly.

// AddCounts adds n records shaped like rec (layer, format, method, path, status, upstream
// statuses, upstream address, service, host, detail, file) seen between first and last.
func (e *Engine) AddCounts(rec *parsers.Record, n int64, first, last time.Time) {
	if n <= 0 || rec.Status == 0 || rec.ErrorLine {
		return
	}
	f, l := first.UnixNano(), last.UnixNano()
	if l < f {
		l = f
	}
	li := e.layerOf(rec)
	cls := statusClass(rec.Status, touches405(rec.Status, rec.Upstream))
	if cls == classOther {
		return
	}
	rs := e.addRoute(li, recRoute(rec))
	if rs == nil {
		return
	}
	switch cls {
	case classOK:
		if rs.m405.n > 0 {
			switch m := rs.m405.first; {
			case f > m:
				rs.okAfter405 += n
			case l > m:
				rs.okAfter405 += int64(float64(n) * float64(l-m) / float64(l-f))
			}
		}
		if v := version(rec.Detail); v != "" && v != rs.okVersion && l >= rs.ok.last {
			rs.okVersion = strings.Clone(v)
		}
		rs.ok.addCount(n, f, l)
	case class405:
		before := rs.m405.first
		rs.m405.addCount(n, f, l)
		if rs.m405.first != before {
			if v := version(rec.Detail); v != "" {
				rs.v405 = strings.Clone(v)
			}
		}
	}
	rs.observeBackends(rec, cls, func(b *span) { b.addCount(n, f, l) })
}

// addCount adds n events between first and last.
func (s *span) addCount(n, first, last int64) {
	s.n += n
	if s.first == 0 || first < s.first {
		s.first = first
	}
	if last > s.last {
		s.last = last
	}
}

// observeBackends updates the backend counters of every dimension rec names, as observe does.
func (rs *routeStats) observeBackends(rec *parsers.Record, cls int, add func(*span)) {
	one := func(dim, name string) {
		if rs.backends == nil {
			rs.backends = map[string]*backendStats{}
		}
		k := dim + name
		b := rs.backends[k]
		if b == nil {
			if len(rs.backends) >= maxBackendsByRoute {
				return
			}
			b = &backendStats{}
			rs.backends[k] = b
		}
		if cls == classOK {
			add(&b.ok)
		} else {
			add(&b.m405)
		}
	}
	if len(rec.Upstream) > 0 || rec.Format == parsers.FormatEnvoy {
		if a := lastAddr(rec.UpstreamAddr); a != "" {
			one(dimAddr, a)
		}
	}
	if rec.Service != "" {
		one(dimService, rec.Service)
	}
	if rec.Host != "" {
		one(dimHost, rec.Host)
	}
	if env := detailField(rec.Detail, "env="); env != "" {
		one(dimEnv, env)
	}
	if rec.File != "" {
		one(dimInstance, rec.File)
	}
}
