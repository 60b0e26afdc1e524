package analysis

import (
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
	auxRoute = iota // routeHash(method, path)
	auxAgent        // agentHash(user agent); 0 without one
	auxKeys         // the join keys' hashes, Aux.N of them
)

// Prepare derives the record's hashes into rec.Aux. It is safe to call from any goroutine.
func Prepare(rec *parsers.Record) {
	a := &rec.Aux
	a.Words[auxRoute] = routeHash(rec.Method, rec.Path)
	a.Words[auxAgent] = agentHash(rec.UserAgent)
	keys := keyHashes(a.Words[auxKeys:auxKeys:len(a.Words)], &rec.IDs)
	a.N = uint8(len(keys))
	a.Set = true
}

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

// recAgent is the record's agentHash.
func recAgent(rec *parsers.Record) uint64 {
	if rec.Aux.Set {
		return rec.Aux.Words[auxAgent]
	}
	return agentHash(rec.UserAgent)
}
