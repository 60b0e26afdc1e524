// Package prefetch asks the processor to start loading memory that the caller is about to read,
// so that the load overlaps other work instead of stalling it.
//
// It pays where a goroutine reads, one after the other, records that another core has just
// written (the merge of parsed records: parsers/run.go) or that have gone cold since (the open
// requests the engine closes: analysis/engine.go). A prefetch never faults and changes no memory:
// a wrong address costs a wasted load at most. Go has no prefetch intrinsic for user code, so the
// instruction is a small assembly function on amd64 and arm64, and a no-op elsewhere.
package prefetch

// LineSize is the cache line size assumed: 64 bytes on every amd64 and arm64 server processor.
const LineSize = 64
