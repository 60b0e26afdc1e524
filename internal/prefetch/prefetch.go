// Package prefetch asks the processor to start loading memory that the caller is about to read,
// so that the load overlaps other work instead of stalling it.
//
// It pays where memory crosses cores at a known pace: the merge reads, one after the other,
// records another core has just parsed (parsers/run.go), and a reader parses into records the
// merge read last on the other core (Batch.next, parsers/scan.go). A prefetch never faults and
// changes no memory: a wrong address costs a wasted load at most. Go has no prefetch intrinsic for user code, so the
// instruction is a small assembly function on amd64 and arm64, and a no-op elsewhere.
package prefetch

// LineSize is the cache line size assumed: 64 bytes on every amd64 and arm64 server processor.
const LineSize = 64
