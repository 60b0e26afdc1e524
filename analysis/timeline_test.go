package analysis

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func scenarioReport(t *testing.T) *Analysis {
	t.Helper()
	e := New(Options{})
	for _, r := range scenario() {
		e.Add(r)
	}
	return e.Result(scenarioInputs)
}

// TestTimelineCounts checks the report data against the summary: every request in exactly one
// bucket, every 405 under its origin layer, the funnel per layer.
func TestTimelineCounts(t *testing.T) {
	a := scenarioReport(t)
	tl := a.Timeline
	if tl == nil || len(tl.Buckets) == 0 {
		t.Fatal("no timeline")
	}
	var reqs, m405 int64
	origins := map[string]int64{}
	for _, b := range tl.Buckets {
		var sum int64
		for o, n := range b.Origin405 {
			origins[o] += n
			sum += n
		}
		for _, n := range b.Status {
			sum += n
		}
		if sum != b.Requests {
			t.Errorf("bucket %s: parts add up to %d, requests %d", b.Start, sum, b.Requests)
		}
		reqs += b.Requests
		m405 += b.M405
	}
	if reqs+tl.Untimed != a.Summary.Requests || m405 != a.Summary.Requests405 {
		t.Errorf("timeline has %d requests (%d with a 405), summary %d (%d)", reqs, m405, a.Summary.Requests, a.Summary.Requests405)
	}
	// The scenario spans 3 minutes 10 s: 1-second buckets would be 191, 5-second ones 39, so
	// the width that stays within 120 buckets wins.
	if tl.BucketSeconds != 5 || len(tl.Buckets) != 39 {
		t.Errorf("buckets: %d of %d s", len(tl.Buckets), tl.BucketSeconds)
	}
	for _, f := range a.Findings {
		origins[f.OriginLayer] -= int64(f.Count)
	}
	for o, n := range origins {
		if n != 0 {
			t.Errorf("origin %s: timeline and findings differ by %d", o, n)
		}
	}
	// Funnel (constructed records, golden_test.go): the app generates 5 DELETE /api/orders, the
	// masked POST /api/cart and the preflight; ingress the direct_response DELETE and relays the
	// PATCH from an unlogged upstream; the ALB its TRACE; edge the static PUT and masks the POST.
	// Passed: ALB and edge relay the 5 + 1 direct + 1 beyond + 1 preflight, ingress the 5 + 1
	// masked + 1 beyond + 1 preflight.
	want := map[string][3]int64{ // generated, passed, masked
		"alb":     {1, 8, 0},
		"edge":    {1, 8, 1},
		"ingress": {1, 8, 0},
		"app":     {7, 0, 0},
	}
	for _, l := range a.Layers {
		got := [3]int64{l.Generated405, l.Passed405, l.Masked405}
		if got != want[l.Name] {
			t.Errorf("layer %s funnel %v, want %v", l.Name, got, want[l.Name])
		}
	}
	var kinds []string
	for _, e := range tl.Events {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, ","); !strings.HasPrefix(got, "first_405,") || !strings.Contains(got, "peak") ||
		!strings.HasSuffix(got, "last_405") || !strings.Contains(got, "preflight_burst") || !strings.Contains(got, "first_masked") {
		t.Errorf("events %s", got)
	}
	for i := 1; i < len(tl.Events); i++ {
		if tl.Events[i].Time.Before(tl.Events[i-1].Time) {
			t.Errorf("events out of order: %v", kinds)
		}
	}
}

func TestBucketWidth(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC).UnixNano()
	for _, c := range []struct {
		span time.Duration
		want time.Duration
		n    int64
	}{
		{time.Hour - 4*time.Second, time.Minute, 60},
		{10 * time.Minute, 10 * time.Second, 61},
		{90 * time.Second, time.Second, 91},
		{24 * time.Hour, 30 * time.Minute, 49}, // 10 min would be 145 buckets
		{3 * time.Second, time.Second, 4},
	} {
		w := bucketWidth(t0, t0+int64(c.span), int64(time.Second))
		n := floorDiv(t0+int64(c.span), w) - floorDiv(t0, w) + 1
		if time.Duration(w) != c.want || n != c.n {
			t.Errorf("span %s: width %s (%d buckets), want %s (%d)", c.span, time.Duration(w), n, c.want, c.n)
		}
	}
}

// TestTimelineCoarsens feeds more slots than the counter keeps and checks that nothing is lost.
func TestTimelineCoarsens(t *testing.T) {
	var c tlCounter
	t0 := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC).UnixNano()
	for i := 0; i < 3*maxTimelineSlots; i++ {
		c.add(t0+int64(i)*int64(time.Second), i%tlClasses)
	}
	if len(c.slots) > maxTimelineSlots || c.width() != int64(5*time.Second) {
		t.Errorf("%d slots of %s", len(c.slots), time.Duration(c.width()))
	}
	var n int64
	for _, p := range c.slots {
		for _, k := range p {
			n += k
		}
	}
	if n != 3*maxTimelineSlots {
		t.Errorf("counted %d, want %d", n, 3*maxTimelineSlots)
	}
}

// A request counted after other slots made the counter coarsen (reserve, as folded requests
// do) goes to its slot at the new width, even when that slot's number is the one add counted
// into last at the old width (100 s at 1 s, 500 s at 5 s).
func TestTimelineAddAfterCoarsen(t *testing.T) {
	var c tlCounter
	sec := int64(time.Second)
	c.add(100*sec, 0)
	for i := 1; i <= 2*maxTimelineSlots; i++ {
		c.reserve(100*sec + int64(i)*sec)
	}
	if c.width() != 5*sec {
		t.Fatalf("width %s after reserve, want 5s", time.Duration(c.width()))
	}
	c.add(500*sec, 1)
	c.add(500*sec, 1)
	if p := c.slots[c.slot(500*sec)]; p == nil || p[1] != 2 {
		t.Errorf("slot of 500 s: %v, want 2 requests of class 1", p)
	}
	if p := c.slots[c.slot(100*sec)]; p == nil || p[0] != 1 || p[1] != 0 {
		t.Errorf("slot of 100 s: %v, want 1 request of class 0", p)
	}
}

func TestClientNetwork(t *testing.T) {
	for ip, want := range map[string]string{"192.0.2.77": "192.0.2.0/24", "2001:db8:1:2::7": "2001:db8:1::/48", "::ffff:10.1.2.3": "10.1.2.0/24", "": "-", "unix:": "unix:"} {
		if got := clientNetwork(ip); got != want {
			t.Errorf("clientNetwork(%q) = %q, want %q", ip, got, want)
		}
	}
}

// Traffic without a 405 has a timeline whose lists are empty, never null in the JSON (a script
// iterating over timeline.origins failed on null).
func TestTimelineWithout405HasEmptyLists(t *testing.T) {
	_, a := run(t, Options{}, rec("edge", "nginx", 0, "GET", "/a", 200), rec("edge", "nginx", 1, "GET", "/b", 200))
	js, err := json.Marshal(a.Timeline)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), "null") {
		t.Errorf("timeline with a null: %s", js)
	}
}

// Events count one request in the singular ("of 1 requests" before).
func TestTimelineEventsCountOneInSingular(t *testing.T) {
	_, a := run(t, Options{}, rec("app", "app", 0, "POST", "/a", 405))
	var peak string
	for _, e := range a.Timeline.Events {
		if e.Kind == "peak" {
			peak = e.Text
		}
	}
	if !strings.HasPrefix(peak, "Peak: 1 with a 405 of 1 request in the ") {
		t.Errorf("peak event %q", peak)
	}
}
