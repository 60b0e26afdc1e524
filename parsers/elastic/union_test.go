package elastic

import (
	"testing"
	"unsafe"
)

// The ids a record holds alias the buffer its document was parsed from, and the next document
// is parsed into the same buffer: the union must keep copies, or a key changes under its map and
// a later document of the same request counts as a request of its own (phase 2's count of
// requests examined came out 238 or 239 from one run to the next on samples/incidents).
func TestUnionKeepsItsKeys(t *testing.T) {
	buf := []byte("0f410da4b84bd8bc994ea4902533f4ea")
	u := &esUnion{parent: map[string]string{}}
	u.add([]string{unsafe.String(&buf[0], len(buf)), "1-6b056c51-a8f30958fa779f3b60a32775"})
	copy(buf, "2203600e1f938aaab6d3de8007aa1a63")       // the next document, parsed into the same buffer
	u.add([]string{"0f410da4b84bd8bc994ea4902533f4ea"}) // a later hop of the first request
	if u.comps != 1 {
		t.Errorf("%d requests, want 1: the first document's id was lost", u.comps)
	}
	u.add([]string{"2203600e1f938aaab6d3de8007aa1a63"})
	if u.comps != 2 {
		t.Errorf("%d requests, want 2", u.comps)
	}
}
