package analysis

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// mergePacked hands the inputs' records to e as analyze does: packed on the inputs' goroutines.
func mergePacked(cfg *parsers.Config, inputs []parsers.Input, e *Engine) []parsers.Stats {
	return cfg.MergeBatches(inputs, 0, func(r *parsers.Record, b *parsers.Batch) bool { e.Pack(r, b); return true }, e.Add, e.BatchDone)
}

// Records whose text was packed on their input's goroutine (Pack) give the same analysis, byte
// for byte, as records the engine copies itself — with chunks of 512 bytes that are poisoned
// when given back (arena_test.go), so that a hop reading a reused chunk shows.
func TestPackSameAnalysis(t *testing.T) {
	for _, s := range foldSamples {
		t.Run(s.name, func(t *testing.T) { samePacked(t, s.nginxConf, s.envoyConf, s.args...) })
	}
}

// samePacked checks that the inputs analyse the same, byte for byte, packed and not.
func samePacked(t *testing.T, nginxConf, envoyConf string, args ...string) {
	t.Helper()
	var plain, packed bytes.Buffer
	a := analyzeSample(t, nginxConf, envoyConf, Options{}, args...)
	b := analyzeSampleMerge(t, nginxConf, envoyConf, Options{}, mergePacked, args...)
	if err := a.WriteJSON(&plain, true); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteJSON(&packed, true); err != nil {
		t.Fatal(err)
	}
	if a.Summary.Requests405 == 0 {
		t.Fatalf("%v: nothing found", args)
	}
	if !bytes.Equal(plain.Bytes(), packed.Bytes()) {
		t.Errorf("packed records analyse differently:\n%s", firstDiff(plain.String(), packed.String()))
	}
}

// packedFeed hands records to an engine as MergeBatches does: each is packed into the current
// batch, then added; every perBatch records the batch is done and parsed into again.
type packedFeed struct {
	e        *Engine
	b        parsers.Batch
	n        int
	perBatch int
	chunks   map[*textChunk]bool // every chunk packed into
}

func (f *packedFeed) add(rec *parsers.Record) {
	f.e.Pack(rec, &f.b)
	if c, ok := rec.Aux.Ref.(*textChunk); ok {
		f.chunks[c] = true
	}
	f.e.Add(rec)
	if f.n++; f.n%f.perBatch == 0 {
		f.e.BatchDone(&f.b)
	}
}

// Healthy traffic packs into chunks the engine gives back once their requests closed: the
// chunks in use stay those of the requests open at once (Grace), whatever the traffic's length.
func TestPackChunksReused(t *testing.T) {
	e := New(Options{})
	f := &packedFeed{e: e, perBatch: 300, chunks: map[*textChunk]bool{}}
	var rec parsers.Record
	const n = 40_000 // 40 s of log time, four records each
	for i := range n {
		for hop, layer := range []string{"app", "ingress", "edge", "alb"} {
			rec.Reset()
			rec.Layer, rec.Format, rec.File, rec.Line = layer, "app", layer+".log", int64(i+1)
			rec.Time = t0.Add(time.Duration(i)*time.Millisecond + time.Duration(hop)*100*time.Microsecond)
			rec.Method, rec.Path, rec.URI, rec.Status = "GET", "/api/orders/42", "/api/orders/42?x=1", 200
			rec.UserAgent, rec.IDs.RequestID = "shop-web/2.3", fmt.Sprintf("%032x", i+1)
			f.add(&rec)
		}
	}
	a := e.Result(nil)
	if a.Summary.Requests != n {
		t.Fatalf("%d requests, want %d", a.Summary.Requests, n)
	}
	// Each record packs about 90 bytes, five to a 512-byte test chunk: 32,000 chunks without
	// reuse. The 5,000 requests of one Grace need about 4,000.
	if len(f.chunks) > 8_000 {
		t.Errorf("%d chunks packed into for %d records: not reused", len(f.chunks), 4*n)
	}
}

// A request whose healthy inner hop joined before its 405 was logged is kept whole with the text
// each hop packed, while the chunks it was packed into are given back, poisoned and packed into
// again by thousands of later requests.
func TestPackKeptRequestOwnsItsText(t *testing.T) {
	e := New(Options{})
	f := &packedFeed{e: e, perBatch: 64, chunks: map[*textChunk]bool{}}
	var rec parsers.Record
	rid := func(i int) string { return fmt.Sprintf("%032x", i+1) }
	for i := range 20_000 {
		ok := 200
		if i == 100 {
			ok = 405
		}
		rec.Reset()
		rec.Layer, rec.Format, rec.File, rec.Line = "app", "app", "app.log", int64(i+1)
		rec.Time = t0.Add(time.Duration(i) * time.Millisecond)
		rec.Method, rec.Path, rec.URI, rec.Status = "POST", "/api/orders", fmt.Sprintf("/api/orders?src=app&i=%d", i), 200
		rec.UserAgent, rec.IDs.RequestID = "app-side-agent/1.0", rid(i)
		f.add(&rec)
		rec.Reset()
		rec.Layer, rec.Format, rec.File, rec.Line = "edge", "nginx", "edge.log", int64(i+1)
		rec.Time = t0.Add(time.Duration(i)*time.Millisecond + 300*time.Microsecond)
		rec.Method, rec.Path, rec.URI, rec.Status = "POST", "/api/orders", fmt.Sprintf("/api/orders?src=edge&i=%d", i), ok
		rec.UserAgent, rec.IDs.RequestID, rec.Allow = "edge-side-agent/1.0", rid(i), "GET, HEAD"
		f.add(&rec)
	}
	keptHops(t, e.Result(nil), map[string]string{
		"app":  "POST /api/orders?src=app&i=100 app-side-agent/1.0 " + rid(100) + " ",
		"edge": "POST /api/orders?src=edge&i=100 edge-side-agent/1.0 " + rid(100) + " GET, HEAD",
	})
	if len(f.chunks) > 4_000 {
		t.Errorf("%d chunks packed into: not reused", len(f.chunks))
	}
}

// A hop made from a packed record has the text of one made from the record itself: every field,
// long fields cut the same way, text too long for a chunk left to the engine.
func FuzzPackSameHop(f *testing.F) {
	f.Add("GET", "/api/orders/42?x=1", "api.example.com", "curl/8.5", "version=2.8.0 env=prod", "abc", uint8(2))
	f.Add("", "", "", "", "", "", uint8(0))
	f.Add("POST", strings.Repeat("/x", 1500), "h", strings.Repeat("u", 2100), "", "1-67430a80-0123456789abcdef01234567", uint8(1))
	f.Fuzz(func(t *testing.T, method, uri, host, agent, detail, id string, kept uint8) {
		r := &parsers.Record{Method: method, URI: uri, Path: uri, RoutedPath: uri, Host: host, UserAgent: agent,
			Detail: detail, Status: 200, ClientIP: host, Origin: agent, Upstream: []int{200, 405, 502}[:kept%4]}
		r.IDs.RequestID, r.IDs.AmznRoot = id, id
		e := New(Options{})
		var b parsers.Batch
		e.Pack(r, &b)
		var a *hopArena
		if kept%2 == 0 {
			a = &e.arena
		}
		packed := newHop(r, 0, "f", e.agentText(r), a)
		r.Aux.Ref = nil
		plain := newHop(r, 0, "f", e.agentText(r), a)
		for i := range nHopStrings {
			if packed.str(i) != plain.str(i) {
				t.Fatalf("field %d: %q, want %q", i, packed.str(i), plain.str(i))
			}
		}
		want := agent[:min(len(agent), maxHopField)]
		if packed.userAgent() != want || plain.userAgent() != want {
			t.Fatalf("user agent %q and %q, want %q", packed.userAgent(), plain.userAgent(), want)
		}
		if fmt.Sprint(packed.upstream) != fmt.Sprint(plain.upstream) || packed.status != plain.status {
			t.Fatalf("upstream %v, want %v", packed.upstream, plain.upstream)
		}
		e.BatchDone(&b)
	})
}
