package analysis

import (
	"fmt"
	"strings"
	"testing"
)

// A text chunk that was given back is handed out again for a hop whose text it cannot hold: room
// takes any chunk from freeText without checking its capacity, and newHop then slices the chunk
// past its capacity. Production chunks (arenaChunk, 64 KiB) are larger than the largest hop text
// the arena takes (arenaLarge, 4 KiB), so only the tests' 512-byte chunks (arena_test.go init)
// reach it today, but every test of the package runs with them: a sample or golden input with a
// hop of more than 512 bytes of text logged after a chunk was given back panics instead of
// testing the arena.
func TestArenaReusedChunkTooSmall(t *testing.T) {
	if arenaChunkSize >= arenaLarge {
		t.Skip("chunks hold any hop the arena takes")
	}
	e := New(Options{})
	// 10 s of small healthy two-hop requests: those older than Grace close and give back their
	// hops, text chunks and themselves, which the next requests reuse.
	i := 0
	for ; i < 10_000; i++ {
		sec := float64(i) / 1000
		id := fmt.Sprintf("%032x", i+1)
		e.Add(rec("edge", "nginx", sec, "GET", "/a", 200, rid(id)))
		e.Add(rec("app", "app", sec, "GET", "/a", 200, rid(id)))
	}
	// Log time moves on: every request still open closes and gives its chunk back.
	i += 20_000
	e.Add(rec("edge", "nginx", float64(i)/1000, "GET", "/a", 200, rid("next")))
	if len(e.arena.freeText) == 0 {
		t.Fatal("no chunk given back")
	}
	// A healthy hop with 1,000 bytes of text (a long user agent): less than arenaLarge, so it
	// belongs in a chunk, more than a given-back chunk holds.
	long := strings.Repeat("u", 1000)
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("hop of %d bytes after chunks were given back: %v", len(long), r)
		}
	}()
	sec := float64(i) / 1000
	e.Add(rec("edge", "nginx", sec, "GET", "/a", 200, rid("long"), ua(long)))
	e.Add(rec("app", "app", sec, "GET", "/a", 405, rid("long"), ua(long)))
	a := e.Result(nil)
	if a.Summary.Requests405 != 1 {
		t.Errorf("405s %d, want 1", a.Summary.Requests405)
	}
}
