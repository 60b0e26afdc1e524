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
