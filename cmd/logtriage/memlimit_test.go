package main

import (
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"
)

// TestLimitMemory: the soft limit holds while reading, is raised above a live heap that
// outgrows it (so that the collector does not run back to back), and the former limit is back
// afterwards.
func TestLimitMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	live := make([]byte, 16<<20) // live throughout
	for i := range live {
		live[i] = byte(i)
	}
	restore := limitMemory(4 << 20)
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) <= 16<<20 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the check runs on the cleanup goroutine
	}
	if got := debug.SetMemoryLimit(-1); got <= 16<<20 {
		t.Errorf("limit %d with 16 MiB live: not raised", got)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit %d after restore, want %d", got, before)
	}
	runtime.KeepAlive(live)
	if limitMemory(0)(); debug.SetMemoryLimit(-1) != before {
		t.Error("limitMemory(0) changed the limit")
	}
}

// TestAfterGC: afterGC's function runs once a collection has ended, and once only.
func TestAfterGC(t *testing.T) {
	var runs atomic.Int32
	afterGC(func() { runs.Add(1) })
	runtime.GC()
	deadline := time.Now().Add(5 * time.Second)
	for runs.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	runtime.GC()
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if n := runs.Load(); n != 1 {
		t.Errorf("ran %d times after three collections, want 1", n)
	}
}
