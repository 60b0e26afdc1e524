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

// packedFeed hands records to an engine as MergeBatches does: each is copied into the current
// batch's own record, packed and added; every perBatch records the batch is done (its records
// spoiled, arena_test.go) and parsed into again.
type packedFeed struct {
	e        *Engine
	b        parsers.Batch
	recs     []parsers.Record
	perBatch int
}

func (f *packedFeed) add(rec *parsers.Record) {
	if f.recs == nil {
		f.recs = make([]parsers.Record, f.perBatch)
	}
	r := &f.recs[len(f.b.Records)]
	*r = *rec
	f.b.Records = append(f.b.Records, r)
	f.e.Pack(r, &f.b)
	f.e.Add(r)
	if len(f.b.Records) == f.perBatch {
		f.e.BatchDone(&f.b)
		f.b.Records = f.b.Records[:0]
	}
}

// A request that closes before its records' batch is done never has its text copied: with
// every layer known, four-hop requests close complete as their last hop comes. Those that
// stay open past it — here the ones the ALB never logged, a fifth — are given their text
// once the batch is done, and only they.
func TestPackCopiesOnlyOpenHops(t *testing.T) {
	e := New(Options{})
	layers := []string{"app", "ingress", "edge", "alb"}
	var starts []parsers.LayerStart
	for _, l := range layers {
		starts = append(starts, parsers.LayerStart{Layer: l, First: t0})
	}
	e.ExpectLayers(starts)
	f := &packedFeed{e: e, perBatch: 300}
	var rec parsers.Record
	const n = 40_000 // 40 s of log time, four records each
	open := 0
	for i := range n {
		for hop, layer := range layers {
			if hop == 3 && i%5 == 0 {
				open += 3 // the ALB never logged it: its three hops wait for Grace
				continue
			}
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
	// The batches' last requests are open when the batch is done, whether the ALB logs them or
	// not: a few hundred hops more than the open ones.
	if e.textCopied < int64(open) || e.textCopied > int64(open)+2_000 {
		t.Errorf("%d hops given their text, for %d hops of requests the ALB never logged", e.textCopied, open)
	}
}

// A request whose healthy inner hop joined before its 405 was logged is kept whole with the text
// each hop read from its record, while the records are spoiled and parsed into again, and the
// arena's chunks given back, poisoned and reused, by thousands of later requests.
func TestPackKeptRequestOwnsItsText(t *testing.T) {
	e := New(Options{})
	f := &packedFeed{e: e, perBatch: 64}
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
}

// A hop that reads its packed record has the text of one made from the record itself, before
// and after BatchDone gives it a copy: every field, long fields cut the same way, text too long
// for a chunk in an allocation of its own.
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
		b.Records = []*parsers.Record{r}
		e.Pack(r, &b)
		var a *hopArena
		if kept%2 == 0 {
			a = &e.arena
		}
		packed := newHop(r, 0, "f", e.agentText(r), a)
		plainRec := *r
		plainRec.Aux.Ref = nil
		plain := newHop(&plainRec, 0, "f", e.agentText(r), a)
		same := func(when string) {
			for i := range nHopStrings {
				if packed.str(i) != plain.str(i) {
					t.Fatalf("%s: field %d: %q, want %q", when, i, packed.str(i), plain.str(i))
				}
			}
			want := agent[:min(len(agent), maxHopField)]
			if packed.userAgent() != want || plain.userAgent() != want {
				t.Fatalf("%s: user agent %q and %q, want %q", when, packed.userAgent(), plain.userAgent(), want)
			}
			if fmt.Sprint(packed.upstream) != fmt.Sprint(plain.upstream) || packed.status != plain.status {
				t.Fatalf("%s: upstream %v, want %v", when, packed.upstream, plain.upstream)
			}
		}
		same("reading its record")
		e.BatchDone(&b) // spoils r (arena_test.go)
		if packed.rec != nil {
			t.Fatal("still reading its record once the batch is done")
		}
		same("with its text")
	})
}
