package analysis

import (
	"unsafe"

	"github.com/logtriage/logtriage/parsers"
)

// Copying a record's text into a hop is the engine's largest single cost when every input is
// read at once: eighteen short strings gathered from a record parsed on another core. Engine.Pack
// does that gathering on the input's own goroutine instead, while the record is still in that
// core's cache: it packs the text a hop keeps, in hop order, into a chunk of the batch the record
// is parsed into (parsers.Aux.Text and End), and the engine's hop points straight at it.
//
// A packed chunk is an arena chunk (arena.go) that the inputs fill: its live count is the
// number of hops in it not given back, plus one for the batch that packed into it until the
// merge is done with that batch (BatchDone). When it falls to zero the chunk goes back to the
// inputs' goroutines through the engine's pool, to be packed into again.

// packChunk is the size of a chunk of packed text; tests make it tiny (packChunkSize).
const packChunk = 16 << 10

var packChunkSize = packChunk

// maxPackPool bounds the free chunks of packed text kept for reuse (1 MiB).
const maxPackPool = 64

// packer is the packing state of one batch (parsers.Batch.Aux).
type packer struct {
	chunks []*textChunk // the chunks the batch packed into; each has the batch's hold
	cur    *textChunk
	// buf is cur.buf, kept here: the engine writes cur.live for every hop it makes of the
	// chunk, so reading cur for every record would bring that cache line back from the
	// engine's core each time.
	buf []byte
	off int // bytes of cur packed so far (written only while the batch is parsed into)
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

// parsers.Aux.End has an offset for every string of a hop (a compile-time check).
const _ = uint(len(parsers.Aux{}.End) - nHopStrings)

// Pack is Prepare plus the packing of the text a hop of rec keeps into b's memory (see above).
// It runs on the goroutine that parsed rec into b (parsers.Config.MergeBatches' keep), which may
// be another than Add's, running at the same time: it touches only rec, b and the engine's pool
// of free chunks.
func (e *Engine) Pack(rec *parsers.Record, b *parsers.Batch) {
	Prepare(rec)
	backendHashes(&rec.Aux.Words, rec)
	e.pack(rec, b)
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

func (e *Engine) pack(rec *parsers.Record, b *parsers.Batch) {
	if rec.Status == 0 || rec.ErrorLine {
		return // Add keeps nothing of it
	}
	fields, n := hopFields(rec)
	if n == 0 || n > arenaLarge {
		return // newHop gives such a hop text of its own
	}
	p, _ := b.Aux.(*packer)
	if p == nil {
		p = &packer{}
		b.Aux = p
	}
	if p.cur == nil || len(p.buf)-p.off < n {
		p.cur = e.freePacked(n)
		p.buf = p.cur.buf
		p.off = 0
		p.chunks = append(p.chunks, p.cur)
	}
	dst := p.buf[p.off : p.off+n : p.off+n]
	o := 0
	a := &rec.Aux
	for i, f := range fields {
		if len(f) != 0 { // most records leave several fields empty
			o += copy(dst[o:], f)
		}
		a.End[i] = uint16(o)
	}
	a.Text = unsafe.String(unsafe.SliceData(dst), n)
	a.Ref = p.cur
	p.off += n
}

// freePacked returns a chunk of at least n bytes to pack into, with the batch's hold: one the
// engine gave back, or a new one.
func (e *Engine) freePacked(n int) *textChunk {
	select {
	case c := <-e.packPool:
		if cap(c.buf) >= n {
			c.buf, c.live = c.buf[:cap(c.buf)], 1
			return c
		}
	default:
	}
	return &textChunk{buf: make([]byte, max(packChunkSize, n)), live: 1, pool: e.packPool}
}

// BatchDone ends the batch's hold on the chunks it packed into, once Add has had every record of
// it (parsers.Config.MergeBatches' done, on the goroutine that runs Add).
func (e *Engine) BatchDone(b *parsers.Batch) {
	p, _ := b.Aux.(*packer)
	if p == nil {
		return
	}
	for i, c := range p.chunks {
		c.live--
		if c.live == 0 {
			e.arena.freeChunk(c)
		}
		p.chunks[i] = nil
	}
	p.chunks, p.cur, p.buf, p.off = p.chunks[:0], nil, nil, 0
}
