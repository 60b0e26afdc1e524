//go:build !amd64 && !arm64

package prefetch

import "unsafe"

// Bytes does nothing on this architecture.
func Bytes(p unsafe.Pointer, n uintptr) {}

// BytesForWrite does nothing on this architecture.
func BytesForWrite(p unsafe.Pointer, n uintptr) {}
