//go:build amd64 || arm64

package prefetch

import "unsafe"

// Bytes prefetches every cache line of the n bytes at p (at least the one p is in) into all
// levels of the cache.
//
//go:noescape
func Bytes(p unsafe.Pointer, n uintptr)
