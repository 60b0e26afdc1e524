package parsers

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestMergeMixedInputs: MergeBatches planned for 1, 2 and 8 cores (forMergeProcs: every input
// read inline by the merging goroutine, some, none) on inputs of every kind at once: several
// files per layer (readInline plans by layer), gzip files (cost x8), an empty file, standard
// input (cost unknown, never inline but with one core), more than 32 inputs for some seeds
// (smaller blocks), and a file that starts last and is deleted once the merge has begun, so that
// its reader fails to open it. Records share seconds, step back and lack a time. The records
// come in the order of the reference merge (merge_order_test.go), each once, done gets every
// batch once fn has had all of its records, and the Stats are each input's own: lines read and
// parsed, an error only for the deleted file.
func TestMergeMixedInputs(t *testing.T) {
	forMergeProcs(t, testMergeMixedInputs)
}

func testMergeMixedInputs(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for seed := int64(1); seed <= 6; seed++ {
		rng := rand.New(rand.NewSource(seed * 7919))
		dir := t.TempDir()
		nFiles := 3 + rng.Intn(5)
		if seed%3 == 0 {
			nFiles = 33 + rng.Intn(6)
		}
		nLayers := 1 + rng.Intn(4)
		stdinAt := rng.Intn(nFiles)
		gone := nFiles // the file deleted once the merge has begun: it starts last
		var inputs []Input
		var streams []*refStream
		lines := map[string]int64{}
		var goneName string
		for f := 0; f <= nFiles; f++ {
			name := fmt.Sprintf("in%02d.log", f)
			layer := fmt.Sprintf("l%d", f%nLayers)
			s := &refStream{name: name}
			var b []byte
			ts := t0.Add(time.Duration(rng.Intn(40)) * time.Second)
			n := 1 + rng.Intn(1500)
			switch {
			case f == gone:
				ts = t0.Add(100000 * time.Second) // after every other input's records
			case f == 1:
				n = 0 // empty
			}
			b = tieLines(rng, b, s, name, ts, n)
			in := Input{Name: name, Layer: layer, Path: filepath.Join(dir, name)}
			switch {
			case f == stdinAt && f != gone && f != 1:
				in.Name, in.Path, in.Stdin = "-", "-", bytes.NewReader(b)
				s.name = "-"
			case f%4 == 3 && f != gone:
				var z bytes.Buffer
				w := gzip.NewWriter(&z)
				w.Write(b)
				w.Close()
				if err := os.WriteFile(in.Path, z.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			default:
				if err := os.WriteFile(in.Path, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if f == gone {
				goneName = in.Path
			} else {
				streams = append(streams, s)
				lines[in.Name] = int64(n)
			}
			inputs = append(inputs, in)
		}
		type state struct{ kept, seen int }
		var got []string
		var keptN, doneN int
		deleted := false
		keep := func(r *Record, b *Batch) bool {
			if b.Aux == nil {
				b.Aux = &state{}
			}
			b.Aux.(*state).kept++
			r.Aux.Ref = b
			return true
		}
		fn := func(r *Record) {
			if !deleted {
				if err := os.Remove(goneName); err != nil {
					t.Fatal(err)
				}
				deleted = true
			}
			s := r.Aux.Ref.(*Batch).Aux.(*state)
			if s.seen++; s.seen > s.kept {
				t.Fatalf("record %d of a batch that kept %d", s.seen, s.kept)
			}
			got = append(got, fmt.Sprintf("%s:%d", r.File, r.Line))
		}
		done := func(b *Batch) {
			s, _ := b.Aux.(*state)
			if s == nil {
				return
			}
			if s.seen != s.kept || s.seen != len(b.Records) {
				t.Errorf("done with a batch after %d of its %d records (%d kept)", s.seen, len(b.Records), s.kept)
			}
			keptN += s.kept
			doneN += s.seen
			s.kept, s.seen = 0, 0
		}
		c := &Config{Format: FormatApp}
		stats := c.MergeBatches(inputs, 0, keep, fn, done)
		want := refMerge(streams)
		if !reflect.DeepEqual(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Fatalf("seed %d (%d inputs): %d records, want %d; first difference at %d", seed, len(inputs), len(got), len(want), i)
		}
		if keptN != len(want) || doneN != len(want) {
			t.Errorf("seed %d: keep kept %d, done saw %d, want %d", seed, keptN, doneN, len(want))
		}
		for i, st := range stats {
			in := inputs[i]
			if in.Path == goneName {
				if st.Err == "" || st.Parsed != 0 {
					t.Errorf("seed %d: the deleted input's stats %+v, want an error and nothing parsed", seed, st)
				}
				continue
			}
			if st.Err != "" || st.Read != lines[in.Name] || st.Parsed != lines[in.Name] || st.Layer != in.Layer {
				t.Errorf("seed %d: %s's stats %+v, want %d lines read and parsed in layer %s, no error", seed, in.Name, st, lines[in.Name], in.Layer)
			}
		}
	}
}
