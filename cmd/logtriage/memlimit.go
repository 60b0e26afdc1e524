package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// The engine's memory while it reads is mostly the requests open in its join window (analysis
// package doc), and it grows with the traffic inside one window; by default the garbage
// collector lets the heap grow to twice what is live before it collects. analyze and trace
// therefore run (reading, building the result, writing it) under a soft memory limit
// (runtime/debug.SetMemoryLimit) of readMemoryLimit: the collector runs more often instead of
// growing the heap, so peak memory stays about the same for ten times the traffic. Should the
// live heap itself approach the limit, the limit is raised to live × 5/4 at the end of the
// collection that finds it so, so that the collector never runs back to back. (× 4/3 until
// 2026-12-02: with the hops sharing their user agents' text, ten times the healthy traffic
// peaks at 55 MiB RSS under × 5/4 against 56 under × 4/3, in 12 collections against 11; × 6/5
// made them 300, nearly back to back. It was checked
// every 100 ms: fifty pods' logs read at once hold about 50 MB of buffers from their first
// tenth of a second, and the collector ran 12 times back to back before the check came, 24
// collections in all where the single file has 6.)
// main enables this (GOMEMLIMIT, when set, wins); tests run without it, since the limit is
// process-wide.
//
// 48 MiB: on the four-hop bench of issue 14 the x1 run's heap stays well under it (its peak RSS,
// 47–48 MiB, is the same with or without it; its live heap is under 20 MB), while ten times the
// healthy traffic, with about 33 MB live (the requests open in the join window), peaks at 60 MiB
// RSS instead of 63–66 with 52–56 MiB, for about 5% more CPU there (45 s instead of 43). The
// engine allocates little per record since it gives back the requests the match index pointed
// at (analysis/arena.go), so the collector's extra cycles are cheap; before that, 48 MiB had
// cost the x10 run 62 s of CPU instead of 40. Lower still, the collector runs nearly back to
// back (44 MiB: 64 s). The default-logs bench runs in the same time under 48 or 56 MiB.
const readMemoryLimit = 48 << 20

// minHeadroom is the least room a raised limit leaves above the live heap: the limit covers the
// runtime's other memory too, and with 50 MB live (an app log without times held whole while its
// records wait for their place, analysis/untimed.go) × 5/4 left so little that the collector ran
// 502 times in one run instead of 7.
const minHeadroom = 24 << 20

// memoryLimit is the soft limit analyze and trace run under; 0 for none.
var memoryLimit int64

func enableMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		memoryLimit = readMemoryLimit
	}
}

// limitMemory sets the soft memory limit and returns the function that restores the former one.
func limitMemory(limit int64) (restore func()) {
	if limit <= 0 {
		return func() {}
	}
	var mu sync.Mutex
	stopped := false
	old := debug.SetMemoryLimit(limit)
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var check func()
	check = func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		metrics.Read(s) // the live heap as the collection that just ended marked it
		if s[0].Value.Kind() == metrics.KindUint64 {
			if live := int64(s[0].Value.Uint64()); live/4*5 > limit {
				limit = max(live/4*5, live+minHeadroom)
				debug.SetMemoryLimit(limit)
			}
		}
		afterGC(check)
	}
	afterGC(check)
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		debug.SetMemoryLimit(old)
	}
}

// gcCycle is an object made unreachable at once, whose cleanup thus runs after the next
// collection. It is larger than the tiny allocator's 16 bytes, whose blocks are freed only all
// together.
type gcCycle struct{ _ [32]byte }

// afterGC runs f on the runtime's cleanup goroutine once the next collection has ended.
func afterGC(f func()) {
	runtime.AddCleanup(&gcCycle{}, func(f func()) { f() }, f)
}
