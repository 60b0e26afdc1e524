package analysis

import (
	"strings"
	"unsafe"

	"github.com/logtriage/logtriage/parsers"
)

// What Add needs to derive from every record — the hashes of its join keys, of its route
// (method and route template) and of its user agent — does not depend on the engine's state.
// Prepare derives it on the goroutine that parsed the record (parsers.Config.Merge runs its
// keep function there, one goroutine per input), so that the single goroutine that runs Add
// spends its time on what only it can do. A record that did not go through Prepare (the
// Elasticsearch source, tests) gets the same values derived by Add itself.

// The words of parsers.Aux, as Prepare fills them.
const (
	auxRoute  = iota // routeHash(method, path)
	auxAgent         // agentHash(user agent); 0 without one
	auxDetail        // where version() and the env= field lie in Detail (spans)
	auxAddr          // where lastAddr lies in UpstreamAddr (a span)
	auxKeys          // the join keys' hashes, Aux.N of them (up to maxKeys)
)

// Prepare derives the record's hashes into rec.Aux. It is safe to call from any goroutine.
func Prepare(rec *parsers.Record) {
	a := &rec.Aux
	a.Words[auxRoute] = routeHash(rec.Method, rec.Path)
	a.Words[auxAgent] = agentHash(rec.UserAgent)
	a.Words[auxDetail] = spans(rec.Detail, version(rec.Detail), detailField(rec.Detail, "env="))
	a.Words[auxAddr] = spans(rec.UpstreamAddr, lastAddr(rec.UpstreamAddr), "")
	keys := keyHashes(a.Words[auxKeys:auxKeys:len(a.Words)], &rec.IDs)
	a.N = uint8(len(keys))
	a.Set = true
}

// noSpans marks a word whose spans did not fit: the engine derives them itself.
const noSpans = 1<<64 - 1

// spans packs where a and b (substrings of s, or empty) lie in s: start and length of each in
// 16 bits.
func spans(s, a, b string) uint64 {
	x, okA := span16(s, a)
	y, okB := span16(s, b)
	if !okA || !okB {
		return noSpans
	}
	return x | y<<32
}

// span16 packs where sub lies in s; false when it does not lie in s or s is too long.
func span16(s, sub string) (uint64, bool) {
	if sub == "" {
		return 0, true
	}
	p, q := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(sub)))
	if len(s) >= 1<<16 || q < p || q+uintptr(len(sub)) > p+uintptr(len(s)) {
		return 0, false
	}
	return uint64(q-p) | uint64(len(sub))<<16, true
}

// unspan returns the substring of s that span16 packed into w; false when it does not fit in s
// (a record changed after Prepare).
func unspan(s string, w uint64) (string, bool) {
	start, n := w&0xffff, w>>16&0xffff
	if start+n > uint64(len(s)) {
		return "", false
	}
	return s[start : start+n], true
}

// recVersion and recEnv are version(rec.Detail) and its env= field.
func recVersion(rec *parsers.Record) string {
	if w := rec.Aux.Words[auxDetail]; rec.Aux.Set && w != noSpans {
		if v, ok := unspan(rec.Detail, w); ok {
			return v
		}
	}
	return version(rec.Detail)
}

func recEnv(rec *parsers.Record) string {
	if w := rec.Aux.Words[auxDetail]; rec.Aux.Set && w != noSpans {
		if v, ok := unspan(rec.Detail, w>>32); ok {
			return v
		}
	}
	return detailField(rec.Detail, "env=")
}

// recLastAddr is lastAddr(rec.UpstreamAddr).
func recLastAddr(rec *parsers.Record) string {
	if w := rec.Aux.Words[auxAddr]; rec.Aux.Set && w != noSpans {
		if a, ok := unspan(rec.UpstreamAddr, w); ok {
			return a
		}
	}
	return lastAddr(rec.UpstreamAddr)
}

// Aux has room for every join key (a compile-time check: the constant is negative otherwise).
const _ = uint(len(parsers.Aux{}.Words) - auxKeys - maxKeys)

// routeHash is the hash of a record's route: its method and the route template of its path.
// The engine's per-route baselines are keyed by it (with the layer, routeID).
func routeHash(method, path string) uint64 {
	var buf [256]byte
	b := append(append(buf[:0], method...), ' ')
	return hashBytes(0x726f757465, appendRoute(b, path))
}

// routeID keys the baselines of a route at a layer.
func routeID(layer int, route uint64) uint64 {
	return route ^ uint64(layer+1)*0x9e3779b97f4a7c15
}

// agentHash is the hash of a user agent; 0 for none.
func agentHash(ua string) uint64 {
	if ua == "" {
		return 0
	}
	return hashBytes(0x6167656e74, sbytes(ua))
}

// recRoute is the record's routeHash.
func recRoute(rec *parsers.Record) uint64 {
	if rec.Aux.Set {
		return rec.Aux.Words[auxRoute]
	}
	return routeHash(rec.Method, rec.Path)
}

// maxAgentBytes bounds the user agents' text the engine keeps once for all the hops that logged
// them (agentText): about 20,000 agents of 200 bytes. A log with more distinct agents than that
// (a scanner randomising its own) gives the rest a copy per hop.
const maxAgentBytes = 4 << 20

// agentText returns rec's user agent, cut to maxHopField as a hop keeps it, as a string of the
// engine's own that every hop with this agent shares. A user agent is about half the text a hop
// keeps (a browser's or an SDK's, a hundred bytes and more), and a log holds few distinct ones:
// the requests open at once (ten times the traffic holds ten times as many) each kept a copy
// per hop. Agents are told apart by their hash and length, as the rest of the engine tells them.
func (e *Engine) agentText(rec *parsers.Record) string {
	ua := rec.UserAgent
	if ua == "" {
		return ""
	}
	if len(ua) > maxHopField {
		ua = ua[:maxHopField]
	}
	h := recAgent(rec)
	if s, ok := e.agents[h]; ok && len(s) == len(ua) {
		return s
	}
	s := strings.Clone(ua)
	if e.agentBytes+len(s) <= maxAgentBytes {
		if e.agents == nil {
			e.agents = map[uint64]string{}
		}
		if _, taken := e.agents[h]; !taken {
			e.agents[h] = s
			e.agentBytes += len(s)
		}
	}
	return s
}

// recAgent is the record's agentHash.
func recAgent(rec *parsers.Record) uint64 {
	if rec.Aux.Set {
		return rec.Aux.Words[auxAgent]
	}
	return agentHash(rec.UserAgent)
}
