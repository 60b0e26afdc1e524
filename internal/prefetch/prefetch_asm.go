//go:build amd64 || arm64

package prefetch

import "unsafe"

// Bytes prefetches every cache line of the n bytes at p (at least the one p is in) into all
// levels of the cache.
//
//go:noescape
func Bytes(p unsafe.Pointer, n uintptr)

// BytesForWrite is Bytes for memory about to be written: each line is loaded ready to be
// written, so that the first store to it need not wait for the other cores to give it up.
//
//go:noescape
func BytesForWrite(p unsafe.Pointer, n uintptr)
