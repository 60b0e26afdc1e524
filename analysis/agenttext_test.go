package analysis

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/logtriage/logtriage/parsers"
)

// The hops of one user agent share one copy of its text, cut as hops cut their fields; past the
// bound on the agents' text, an agent gets a copy of its own, the right text all the same.
func TestAgentTextShared(t *testing.T) {
	e := New(Options{})
	rec := func(ua string) *parsers.Record {
		r := &parsers.Record{Method: "GET", Path: "/", Status: 200, UserAgent: ua}
		var b parsers.Batch
		e.Pack(r, &b) // as the inputs' goroutines do: the agent's hash comes with the record
		return r
	}
	ua := "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
	a, b := e.agentText(rec(ua)), e.agentText(rec(strings.Clone(ua)))
	if a != ua || b != ua {
		t.Fatalf("agent text %q / %q, want %q", a, b, ua)
	}
	if unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("two records of one agent got two copies of its text")
	}
	if got := e.agentText(rec("")); got != "" {
		t.Errorf("no agent: %q", got)
	}
	long := strings.Repeat("x", maxHopField+100)
	if got := e.agentText(rec(long)); got != long[:maxHopField] {
		t.Errorf("a long agent is kept as %d bytes, want %d", len(got), maxHopField)
	}
	// Distinct agents until the bound is passed: each still reads back right.
	n := maxAgentBytes/1000 + 50
	for i := range n {
		ua := fmt.Sprintf("%04d-%s", i, strings.Repeat("a", 995))
		if got := e.agentText(rec(ua)); got != ua {
			t.Fatalf("agent %d read back as %.20q…", i, got)
		}
	}
	if e.agentBytes > maxAgentBytes {
		t.Errorf("%d bytes of agents kept, bound %d", e.agentBytes, maxAgentBytes)
	}
	// An agent that came too late for the table is right, but not shared.
	late := fmt.Sprintf("%04d-%s", n-1, strings.Repeat("a", 995))
	if x, y := e.agentText(rec(late)), e.agentText(rec(late)); x != late || unsafe.StringData(x) == unsafe.StringData(y) {
		t.Errorf("an agent beyond the bound: %.20q (shared: %v)", x, unsafe.StringData(x) == unsafe.StringData(y))
	}
}
