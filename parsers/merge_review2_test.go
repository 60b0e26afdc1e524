package parsers

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestMergeBatchDoneBeforeReuse: the engine keeps state per batch (analysis/pack.go's packer in
// Batch.Aux) until done has the batch, so no reader may parse into a batch again before done
// had it from its last fill, whichever stream the batch served before: files in turn (more than
// 16, probed on every core), the next one started before it is due, the batches of each ended
// file handed to the next, beside a long file, at 1, 2 and 8 cores. Each fill of a batch must
// be done once before the next, and every batch filled must be done by the end. It fails when
// the merge gives a batch back to its reader before done has it.
func TestMergeBatchDoneBeforeReuse(t *testing.T) {
	forMergeProcs(t, testMergeBatchDoneBeforeReuse)
}

func testMergeBatchDoneBeforeReuse(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewSource(99))
	dir := t.TempDir()
	var inputs []Input
	ts := t0
	for f := 0; f < 24; f++ {
		name := fmt.Sprintf("alb-%03d.log", f)
		s := &refStream{name: name}
		b := tieLines(rng, nil, s, name, ts, 1+rng.Intn(4000))
		for _, x := range s.times {
			if x.After(ts) {
				ts = x
			}
		}
		ts = ts.Add(2 * time.Second)
		if f%3 == 0 {
			b = gzipMembers(b, 1)
		}
		in := Input{Name: name, Layer: "alb", Path: filepath.Join(dir, name)}
		if err := os.WriteFile(in.Path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	edge := filepath.Join(dir, "edge.log")
	os.WriteFile(edge, tieLines(rng, nil, &refStream{}, "edge.log", t0, 20000), 0o644)
	inputs = append(inputs, Input{Name: "edge.log", Layer: "edge", Path: edge})

	var mu sync.Mutex
	fills, dones := map[*Batch]int{}, map[*Batch]int{}
	bad := 0
	keep := func(r *Record, b *Batch) bool {
		if len(b.Records) == 0 { // the first record of a fill
			mu.Lock()
			if dones[b] < fills[b] && bad == 0 {
				bad++
				t.Errorf("a batch parsed into again before done had its fill %d (done %d times)", fills[b], dones[b])
			}
			fills[b]++
			mu.Unlock()
		}
		return true
	}
	records := 0
	done := func(b *Batch) {
		mu.Lock()
		if len(b.Records) > 0 {
			dones[b]++
		}
		mu.Unlock()
	}
	c := &Config{Format: FormatApp}
	stats := c.MergeBatches(inputs, 0, keep, func(*Record) { records++ }, done)
	var want int64
	for _, st := range stats {
		if st.Err != "" {
			t.Fatalf("%+v", st)
		}
		want += st.Parsed
	}
	if int64(records) != want {
		t.Errorf("%d records, want %d", records, want)
	}
	for b, n := range fills {
		if dones[b] != n {
			t.Errorf("a batch filled %d times, done %d times", n, dones[b])
			break
		}
	}
}
