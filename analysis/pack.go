package analysis

import (
	"github.com/logtriage/logtriage/parsers"
)

// Copying a record's text into a hop was the engine's largest single cost: eighteen short
// strings gathered from a record parsed on another core, for every record, while most requests
// close (complete, engine.go) within moments of their last record and their text is never read
// again. So a hop of an open request does not copy its record's text at first: it reads the
// record itself (hop.rec), which stays as parsed until the merge is done with the batch it was
// parsed into (parsers.Config.MergeBatches' done, Engine.BatchDone). BatchDone then copies the
// text of the hops still open into the engine's arena (arena.go), the way newHop copies a
// record that did not come through Pack; the others were given back by then, or own their text
// (kept requests, own). What Add derives from every record (Prepare) is still derived on the
// input's goroutine, by Pack.

// packer is a batch's list of the hops that read its records (parsers.Batch.Aux).
type packer struct {
	lazy []lazyHop
}

// lazyHop is a hop made from a record of the batch, reading it while h.rec is rec.
type lazyHop struct {
	h   *hop
	rec *parsers.Record
}

// hopFields lists the strings of rec a hop keeps in buf, in buf order, each cut to maxHopField;
// n is their length. The user agent is not among them (its place stays empty): a hop shares the
// engine's copy of it (Engine.agentText).
func hopFields(rec *parsers.Record) (fields [nHopStrings]string, n int) {
	fields = [nHopStrings]string{rec.Method, rec.Host, rec.URI, rec.Path, rec.RoutedPath, rec.UpstreamAddr,
		rec.Service, rec.Allow, rec.Origin, rec.ACRMethod, rec.ClientIP, "", rec.Detail,
		rec.IDs.RequestID, rec.IDs.NginxRequestID, rec.IDs.TraceID, rec.IDs.AmznRoot, rec.IDs.B3TraceID, rec.Scheme}
	for i := range fields {
		if len(fields[i]) > maxHopField {
			fields[i] = fields[i][:maxHopField]
		}
		n += len(fields[i])
	}
	return fields, n
}

// recField is hopFields(rec)[f], without building the others.
func recField(rec *parsers.Record, f int) string {
	var s string
	switch f {
	case fMethod:
		s = rec.Method
	case fHost:
		s = rec.Host
	case fURI:
		s = rec.URI
	case fPath:
		s = rec.Path
	case fRoutedPath:
		s = rec.RoutedPath
	case fUpstreamAddr:
		s = rec.UpstreamAddr
	case fService:
		s = rec.Service
	case fAllow:
		s = rec.Allow
	case fOrigin:
		s = rec.Origin
	case fACRMethod:
		s = rec.ACRMethod
	case fClientIP:
		s = rec.ClientIP
	case fDetail:
		s = rec.Detail
	case fRequestID:
		s = rec.IDs.RequestID
	case fNginxRequestID:
		s = rec.IDs.NginxRequestID
	case fTraceID:
		s = rec.IDs.TraceID
	case fAmznRoot:
		s = rec.IDs.AmznRoot
	case fB3TraceID:
		s = rec.IDs.B3TraceID
	case fScheme:
		s = rec.Scheme
	}
	if len(s) > maxHopField {
		s = s[:maxHopField]
	}
	return s
}

// Pack derives what Add needs from rec (Prepare, and the hashes of its backends' names) and
// marks it as a record of b, whose hops may read it until BatchDone(b). It runs on the goroutine
// that parsed rec into b (parsers.Config.MergeBatches' keep), which may be another than Add's,
// running at the same time: it touches only rec and b.
func (e *Engine) Pack(rec *parsers.Record, b *parsers.Batch) {
	Prepare(rec)
	backendHashes(&rec.Aux.Words, rec)
	p, _ := b.Aux.(*packer)
	if p == nil {
		p = &packer{}
		b.Aux = p
	}
	rec.Aux.Ref = p
}

// The hashes of the names a record's backends have in each dimension (observe), in the words of
// parsers.Aux after the join keys: its last upstream address, service, host, env and input.
const auxBack = auxKeys + maxKeys

// Aux has room for them (a compile-time check).
const _ = uint(len(parsers.Aux{}.Words) - auxBack - 5)

// backendHashes stores the nameHash of each of rec's backend names in w (see auxBack).
func backendHashes(w *[len(parsers.Aux{}.Words)]uint64, rec *parsers.Record) {
	w[auxBack] = nameHash(recLastAddr(rec))
	w[auxBack+1] = nameHash(rec.Service)
	w[auxBack+2] = nameHash(rec.Host)
	w[auxBack+3] = nameHash(recEnv(rec))
	w[auxBack+4] = nameHash(rec.File)
}

// recBackends returns the hashes backendHashes stored (never 0 once stored), or derives them.
func recBackends(rec *parsers.Record) [5]uint64 {
	if rec.Aux.Words[auxBack+4] != 0 {
		return [5]uint64(rec.Aux.Words[auxBack : auxBack+5])
	}
	var w [len(parsers.Aux{}.Words)]uint64
	backendHashes(&w, rec)
	return [5]uint64(w[auxBack : auxBack+5])
}

// nameHash is the hash of a backend's name (never 0).
func nameHash(s string) uint64 { return hashBytes(0x6261636b, sbytes(s)) }

// BatchDone copies the text of the hops still reading records of b into the arena, once Add has
// had every record of b (parsers.Config.MergeBatches' done, on the goroutine that runs Add),
// before b is parsed into again.
func (e *Engine) BatchDone(b *parsers.Batch) {
	p, _ := b.Aux.(*packer)
	if p == nil {
		return
	}
	for i, l := range p.lazy {
		if l.h.rec == l.rec { // not given back, owned or handed out again since
			e.arena.copyText(l.h)
			e.textCopied++
		}
		p.lazy[i] = lazyHop{}
	}
	p.lazy = p.lazy[:0]
	if poisonBatch != nil {
		poisonBatch(b)
	}
}

// poisonBatch, when set (tests), spoils the records of a batch the merge is done with, as
// parsing into it again would: a hop still reading one then shows.
var poisonBatch func(*parsers.Batch)
