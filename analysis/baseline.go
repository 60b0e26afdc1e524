package analysis

import (
	"strings"

	"github.com/logtriage/logtriage/parsers"
)

// Baselines: counters per (layer, method, route template), and under each per backend, updated
// for every record at Add time, so that the time-based causes (deploy_regression, backend_drift)
// need no request groups. Records arrive in approximately ascending time, so "successes after
// the first 405" can be counted online.

const (
	maxRoutes          = 100_000 // distinct (layer, method, route) keys; beyond, new keys are not tracked
	maxBackendsByRoute = 256
)

// Status classes of a record for the baselines.
const (
	classOK    = iota // 1xx–3xx
	class405          // the hop's status or an upstream attempt was 405
	classOther        // any other error
)

// span counts one class of outcome and its first and last times.
type span struct {
	n           int64
	first, last int64
}

func (s *span) add(t int64) {
	s.n++
	if s.first == 0 || t < s.first {
		s.first = t
	}
	if t > s.last {
		s.last = t
	}
}

// backendStats counts outcomes of one method and route on one backend.
type backendStats struct {
	ok, m405 span
}

// routeStats counts outcomes of one method and route at one layer.
type routeStats struct {
	ok, m405   span
	okAfter405 int64  // successes later than the first 405
	okVersion  string // "version=" of the latest success, when the records carry one
	v405       string // "version=" of the first 405
	backends   map[string]*backendStats
	// recent are the first backends counted, looked through before the map: a route has few,
	// and every record looks up several (address, service, host, input).
	recent []backendRef
}

type backendRef struct {
	dim byte   // the dimension's first byte, which tells the five apart (dimAddr, …)
	h   uint64 // nameHash of the backend's name
	b   *backendStats
}

func statusClass(status int, has405 bool) int {
	switch {
	case has405:
		return class405
	case status > 0 && status < 400:
		return classOK
	}
	return classOther
}

// routeKey appends the baseline key of (layer, method, path) to dst.
func routeKey(dst []byte, layer int, method, path string) []byte {
	dst = append(dst, byte(layer))
	dst = append(dst, method...)
	dst = append(dst, ' ')
	return appendRoute(dst, path)
}

// lastAddr returns the address of the last upstream attempt in an nginx-style list
// ("10.0.1.7:8080, 10.0.1.8:8080 : 10.0.2.1:80").
func lastAddr(s string) string {
	if n := len(s); n > 0 && s[0] > ' ' && s[0] < 0x80 && s[n-1] > ' ' && s[n-1] < 0x80 && strings.IndexByte(s, ' ') < 0 {
		return s // one address: no " : " or ", " to cut at, and no white space at its ends to trim
	}
	if j := strings.LastIndex(s, " : "); j >= 0 {
		s = s[j+3:]
	}
	if j := strings.LastIndex(s, ", "); j >= 0 {
		s = s[j+2:]
	}
	return strings.TrimSpace(s)
}

// version extracts "version=X" from a record's detail text (the app parser puts the service
// version there).
func version(detail string) string { return detailField(detail, "version=") }

// detailField extracts "key=value" from a record's detail text.
func detailField(detail, key string) string {
	i := strings.Index(detail, key)
	if i < 0 || i > 0 && detail[i-1] != ' ' {
		return ""
	}
	v := detail[i+len(key):]
	if j := strings.IndexAny(v, " ,;\t"); j >= 0 {
		v = v[:j]
	}
	return strings.Trim(v, `"`)
}

// Backend dimensions: which upstream address a proxy forwarded to, which service (cluster,
// target group, app service name) answered, which Host (environment) the request was for.
const (
	dimAddr    = "addr "
	dimService = "service "
	dimHost    = "host "
	dimEnv     = "env "
	// dimInstance is the input (file) a record came from: several files given for one layer are
	// its instances, the backend identity when no upstream address is logged.
	dimInstance = "inst "
)

// The dimensions differ in their first byte: routeStats.recent compares only that
// (TestBackendDimensionsDiffer).

func (e *Engine) observe(rec *parsers.Record, li int, t int64, has405 bool) {
	l := &e.layers[li]
	l.records++
	if has405 {
		l.with405++
	}
	if rec.Allow != "" {
		l.allowSeen = true
	}
	if rec.Origin != "" {
		l.originSeen = true
	}
	if e.opts.Surface {
		e.observeSurface(rec, li, has405)
	}
	cls := statusClass(rec.Status, has405)
	if cls == classOther {
		return
	}
	rs := e.addRoute(li, recRoute(rec))
	if rs == nil {
		return
	}
	switch cls {
	case classOK:
		rs.ok.add(t)
		if rs.m405.n > 0 && t > rs.m405.first {
			rs.okAfter405++
		}
		if v := recVersion(rec); v != "" && v != rs.okVersion && t >= rs.ok.last {
			rs.okVersion = strings.Clone(v)
		}
	case class405:
		first := rs.m405.first
		rs.m405.add(t)
		if rs.m405.first != first {
			if v := recVersion(rec); v != "" {
				rs.v405 = strings.Clone(v)
			}
		}
	}
	hashes := recBackends(rec)
	if len(rec.Upstream) > 0 || rec.Format == parsers.FormatEnvoy {
		if a := recLastAddr(rec); a != "" {
			rs.observeBackend(dimAddr, a, hashes[0], cls, t)
		}
	}
	if rec.Service != "" {
		rs.observeBackend(dimService, rec.Service, hashes[1], cls, t)
	}
	if rec.Host != "" {
		rs.observeBackend(dimHost, rec.Host, hashes[2], cls, t)
	}
	if env := recEnv(rec); env != "" {
		rs.observeBackend(dimEnv, env, hashes[3], cls, t)
	}
	if rec.File != "" {
		rs.observeBackend(dimInstance, rec.File, hashes[4], cls, t)
	}
}

// observeBackend counts a record of the route on the backend name of dimension dim; h is
// nameHash(name), which tells the route's recent backends apart without reading name.
func (rs *routeStats) observeBackend(dim, name string, h uint64, cls int, t int64) {
	var b *backendStats
	for i := range rs.recent {
		if r := &rs.recent[i]; r.dim == dim[0] && r.h == h {
			b = r.b
			break
		}
	}
	if b == nil {
		if rs.backends == nil {
			rs.backends = map[string]*backendStats{}
		}
		var buf [96]byte
		k := append(append(buf[:0], dim...), name...)
		b = rs.backends[string(k)]
		if b == nil {
			if len(rs.backends) >= maxBackendsByRoute {
				return
			}
			b = &backendStats{}
			key := string(k)
			rs.backends[key] = b
			if len(rs.recent) < 8 {
				rs.recent = append(rs.recent, backendRef{dim[0], h, b})
			}
		}
	}
	if cls == classOK {
		b.ok.add(t)
	} else {
		b.m405.add(t)
	}
}

// addRoute returns the counters of method and path at a layer, created on first use; nil once
// maxRoutes routes are counted (the limit is reported). Every record looks its route up: a
// direct-mapped cache of the routes found (routes are never removed) answers most lookups
// before the map.
func (e *Engine) addRoute(layer int, route uint64) *routeStats {
	id := routeID(layer, route)
	c := &e.routeCache[id%uint64(len(e.routeCache))]
	if c.rs != nil && c.id == id {
		return c.rs
	}
	rs := e.routes[id]
	if rs == nil {
		if len(e.routes) >= maxRoutes {
			e.routeLimit = true
			return nil
		}
		rs = &routeStats{}
		e.routes[id] = rs
	}
	c.id, c.rs = id, rs
	return rs
}

// route returns the baseline of (layer, method, path), or nil.
func (e *Engine) route(layer int, method, path string) *routeStats {
	return e.routes[routeID(layer, routeHash(method, path))]
}
