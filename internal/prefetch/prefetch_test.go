package prefetch

import (
	"bytes"
	"testing"
	"unsafe"
)

// Prefetching reads nothing into the program and writes nothing: the memory is unchanged, and
// every length ends (the loop covers [p, p+n) line by line, at least one line).
func TestBytesChangesNothing(t *testing.T) {
	buf := make([]byte, 10*LineSize+7)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	want := bytes.Clone(buf)
	for _, n := range []uintptr{0, 1, LineSize - 1, LineSize, LineSize + 1, uintptr(len(buf))} {
		for off := 0; off < 3; off++ {
			Bytes(unsafe.Pointer(&buf[off]), n-min(n, uintptr(off)))
			BytesForWrite(unsafe.Pointer(&buf[off]), n-min(n, uintptr(off)))
		}
	}
	Bytes(nil, 0)
	Bytes(nil, 4*LineSize) // a prefetch of an unmapped address is dropped, never a fault
	BytesForWrite(nil, 4*LineSize)
	if !bytes.Equal(buf, want) {
		t.Fatal("prefetch changed memory")
	}
}
