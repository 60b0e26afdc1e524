package analysis

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// packBatch is a batch of packRandom: its records, parsed (copied) and packed into by a worker.
type packBatch struct {
	b    parsers.Batch
	recs []parsers.Record
	src  []*parsers.Record
	done chan struct{}
}

// packRandom hands recs to e as analyze does with several workers: batches of perBatch records
// are packed by workers goroutines (Pack, each batch by one), handed to e in order (Add), done
// (BatchDone) and given back through a free list of room free that drops what does not fit, to
// be packed into again. It mirrors parsers.Config.MergeBatches over scanParallel.
func packRandom(e *Engine, recs []*parsers.Record, perBatch, workers, free int) {
	jobs := make(chan *packBatch, workers)
	order := make(chan *packBatch, 2*workers)
	freeList := make(chan *packBatch, free)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pb := range jobs {
				pb.recs = pb.recs[:0]
				for _, r := range pb.src {
					pb.recs = append(pb.recs, *r) // parsed into the batch's own record
				}
				for i := range pb.recs {
					e.Pack(&pb.recs[i], &pb.b)
				}
				close(pb.done)
			}
		}()
	}
	go func() {
		for i := 0; i < len(recs); i += perBatch {
			var pb *packBatch
			select {
			case pb = <-freeList:
			default:
				pb = &packBatch{}
			}
			pb.src, pb.done = recs[i:min(i+perBatch, len(recs))], make(chan struct{})
			order <- pb
			jobs <- pb
		}
		close(jobs)
		close(order)
	}()
	for pb := range order {
		<-pb.done
		for i := range pb.recs {
			e.Add(&pb.recs[i])
		}
		pb.b.Records = pb.b.Records[:0]
		for i := range pb.recs {
			pb.b.Records = append(pb.b.Records, &pb.recs[i]) // for the poison (arena_test.go)
		}
		e.BatchDone(&pb.b)
		select {
		case freeList <- pb:
		default:
		}
	}
	wg.Wait()
}

// Random traffic (randomRecords, with long fields, records without a status and applications'
// error lines mixed in) analyses byte-identically when its records are prepared on other
// goroutines (Pack) and read by their hops until their batch is done (BatchDone) as when the
// engine copies their text itself, whatever the batch size, the number of workers, the room of
// the free list and the size of the arena's chunks — batches' records spoiled once done, chunks
// poisoned when given back (arena_test.go), so that a hop still reading either shows. Run it
// with -race: Pack and Add run at once.
func TestPackRandomSameAnalysis(t *testing.T) {
	defer func(n int) { arenaChunkSize = n }(arenaChunkSize)
	for seed := uint64(1); seed <= 2; seed++ {
		r := rand.New(rand.NewPCG(seed, 77))
		var recs []*parsers.Record
		randomRecords(seed, 4_000, seed == 2, func(rc *parsers.Record) {
			switch x := r.IntN(100); {
			case x < 3:
				rc.UserAgent = strings.Repeat("u", []int{maxHopField - 1, maxHopField, maxHopField + 1, arenaLarge + 1, 3 * arenaLarge}[r.IntN(5)])
			case x < 6:
				rc.URI += "?q=" + strings.Repeat("9", []int{600, maxHopField, arenaLarge - 100, arenaLarge + 50}[r.IntN(4)])
			case x < 8:
				rc.Status = 0
			case x < 10:
				rc.ErrorLine = true
			}
			recs = append(recs, rc)
		})
		opts := Options{JoinWindow: time.Duration(1+seed%3) * time.Second, TraceIDs: []parsers.IDs{{RequestID: fmt.Sprintf("%032x", 7)}}}
		analyse := func(feed func(e *Engine)) string {
			e := New(opts)
			e.caps.second, e.caps.open, e.caps.waiting, e.caps.match = 300, 200, 50, 300
			feed(e)
			var b bytes.Buffer
			if err := e.Result(nil).WriteJSON(&b, true); err != nil {
				t.Fatal(err)
			}
			return b.String()
		}
		want := analyse(func(e *Engine) {
			for _, rc := range recs {
				c := *rc
				e.Add(&c)
			}
		})
		for _, perBatch := range []int{1, 3, 31, 256, 6_000} {
			for _, size := range []int{1, 300, arenaChunk} {
				workers, free := 1+int(seed+uint64(perBatch))%3, perBatch%4
				arenaChunkSize = size
				got := analyse(func(e *Engine) { packRandom(e, recs, perBatch, workers, free) })
				if got != want {
					t.Errorf("seed %d, %d records a batch, %d workers, free list %d, %d-byte chunks: packing changes the analysis:\n%s",
						seed, perBatch, workers, free, size, firstDiff(want, got))
				}
			}
		}
	}
}

// One input is parsed by several workers at once (parsers' scanParallel), each packing the
// batches it parses: its records analyse as when the engine copies their text itself.
func TestPackSameAnalysisOneInput(t *testing.T) {
	for _, s := range []struct{ name, nginxConf, arg string }{
		{"incidents-edge", "../samples/incidents/nginx.conf", "edge=../samples/incidents/edge.log"},
		{"default-logs-edge", "", "edge=../samples/default-logs/edge.log"},
	} {
		t.Run(s.name, func(t *testing.T) { samePacked(t, s.nginxConf, "", s.arg) })
	}
}
