package parsers

import (
	"testing"
	"unsafe"
)

// TestKeepAliasesHeldBlock: with the block held (ScanConfig.HoldBlocks), Keep leaves the strings
// that point into the parsed text where they are and copies the others (parser scratch, rebuilt
// text), whose memory the parser reuses.
func TestKeepAliasesHeldBlock(t *testing.T) {
	data := []byte("GET /api/orders/7 HTTP/1.1")
	scratch := []byte("get")
	var b Batch
	b.data = data
	rec := Record{Path: bstr(data[4:17]), Method: bstr(scratch)}
	c := b.Keep(&rec)
	if unsafe.StringData(c.Path) != &data[4] {
		t.Error("a string in the held text was copied")
	}
	if unsafe.StringData(c.Method) == &scratch[0] {
		t.Error("a string outside the held text was not copied")
	}
	scratch[0] = 'x'
	if c.Path != "/api/orders/7" || c.Method != "get" {
		t.Errorf("kept %q %q", c.Method, c.Path)
	}
	b.reuse()
	if b.data != nil || b.block != nil {
		t.Error("a reused batch still holds its block")
	}
}

// TestKeepHeldBlockEdges: a string is left in place only when it lies wholly in the held text:
// at its first or last byte, or the whole of it; one that starts before the text, straddles its
// end or starts just past it is copied, and so is every string when no text is held.
func TestKeepHeldBlockEdges(t *testing.T) {
	mem := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	data := mem[10:20]
	for _, c := range []struct {
		from, to int
		inPlace  bool
	}{
		{10, 20, true}, {10, 11, true}, {19, 20, true}, {12, 15, true},
		{9, 11, false}, {9, 10, false}, {19, 21, false}, {20, 22, false}, {0, 36, false},
	} {
		for _, held := range []bool{true, false} {
			var b Batch
			if held {
				b.data = data
			}
			rec := Record{Host: bstr(mem[c.from:c.to])}
			k := b.Keep(&rec)
			if got := unsafe.StringData(k.Host) == &mem[c.from]; got != (c.inPlace && held) {
				t.Errorf("mem[%d:%d], held %v: left in place %v", c.from, c.to, held, got)
			}
			if k.Host != string(mem[c.from:c.to]) {
				t.Errorf("mem[%d:%d]: kept %q", c.from, c.to, k.Host)
			}
		}
	}
}
