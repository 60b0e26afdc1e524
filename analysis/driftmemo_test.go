package analysis

import "testing"

// The drift of a route's backends is worked out once per route and dimension (Engine.backendDrift);
// each 405 still gets the answer for its own backend, in a Drift of its own.
func TestBackendDriftMemo(t *testing.T) {
	at := func(s int64) span { return span{n: 10, first: s * 1e9, last: (s + 60) * 1e9} }
	rs := &routeStats{backends: map[string]*backendStats{
		dimAddr + "10.0.0.1:8080": {m405: at(0)},              // fails
		dimAddr + "10.0.0.2:8080": {ok: at(10)},               // succeeds meanwhile
		dimAddr + "10.0.0.3:8080": {ok: at(20), m405: at(20)}, // fails as often as it succeeds
		dimHost + "api-1":         {ok: at(0)},                // another dimension
	}}
	e := New(Options{})
	for round := 0; round < 2; round++ { // the second round is answered from the memo
		d := e.backendDrift(rs, dimAddr, "10.0.0.1:8080")
		if d == nil || len(d.OK) != 1 || d.OK[0].Name != "10.0.0.2:8080" || len(d.Failing) != 2 {
			t.Fatalf("round %d: drift of a failing backend = %+v, want 10.0.0.2 ok against two failing", round, d)
		}
		d.Layer, d.OK[0].Name = "edge", "changed by the caller"
		if d := e.backendDrift(rs, dimAddr, "10.0.0.3:8080"); d == nil || d.Layer != "" || d.OK[0].Name != "10.0.0.2:8080" {
			t.Fatalf("round %d: a caller's changes reached another caller's Drift: %+v", round, d)
		}
		if d := e.backendDrift(rs, dimAddr, "10.0.0.2:8080"); d != nil {
			t.Fatalf("round %d: the succeeding backend got a drift: %+v", round, d)
		}
		if d := e.backendDrift(rs, dimHost, "api-1"); d != nil {
			t.Fatalf("round %d: a dimension without failures got a drift: %+v", round, d)
		}
	}
	if len(e.drifts) != 2 {
		t.Fatalf("memo holds %d entries, want one per route and dimension asked (2)", len(e.drifts))
	}
}
