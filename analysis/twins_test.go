package analysis

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// proxyChain builds nginx (edge) → HAProxy (lb) → app logs without ids: healthy GETs through
// all three, static files nginx serves itself, PUTs HAProxy denies with 405 (never reaching the
// app), and POSTs the app answers 405. Records come sorted by time, as the merge gives them.
func proxyChain(n int) []*parsers.Record {
	var recs []*parsers.Record
	for i := range n {
		sec := float64(i) * 0.05 // 20 requests a second
		path := fmt.Sprintf("/items/%d", i)
		switch {
		case i%10 == 3:
			recs = append(recs, rec("edge", parsers.FormatNginx, sec, "GET", "/static/app.css", 200))
		case i%25 == 7:
			recs = append(recs,
				rec("lb", parsers.FormatHAProxy, sec, "PUT", path, 405),
				rec("edge", parsers.FormatNginx, sec+0.01, "PUT", path, 405))
		case i%25 == 11:
			recs = append(recs,
				rec("app", parsers.FormatApp, sec, "POST", path, 405),
				rec("lb", parsers.FormatHAProxy, sec+0.005, "POST", path, 405),
				rec("edge", parsers.FormatNginx, sec+0.01, "POST", path, 405))
		default:
			recs = append(recs,
				rec("app", parsers.FormatApp, sec, "GET", path, 200),
				rec("lb", parsers.FormatHAProxy, sec+0.005, "GET", path, 200),
				rec("edge", parsers.FormatNginx, sec+0.01, "GET", path, 200))
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time.Before(recs[j].Time) })
	return recs
}

// TestSameRankProxiesOrderedByTwins: nginx in front of HAProxy, no ids. Neither format is outside
// the other, so they used to stay unjoined siblings and each 405 HAProxy denied or relayed was
// also a finding at nginx. The share of each layer's records the other logged too (HAProxy's all,
// nginx's not its static files) puts nginx in front (twins.go): every request is one, the denied
// PUTs are HAProxy's and the POSTs the app's, and the order says how it was found.
func TestSameRankProxiesOrderedByTwins(t *testing.T) {
	recs := proxyChain(2000)
	_, a := run(t, Options{}, recs...)
	if got := layerPath(a.Layers); got != "edge → lb → app" {
		t.Errorf("layers %s, want edge → lb → app", got)
	}
	if !strings.Contains(a.Order, "edge in front of lb") {
		t.Errorf("order %q does not say how edge and lb were ordered", a.Order)
	}
	put, post := 0, 0
	for i := range 2000 {
		switch {
		case i%10 == 3:
		case i%25 == 7:
			put++
		case i%25 == 11:
			post++
		}
	}
	if a.Summary.Requests405 != int64(put+post) {
		t.Errorf("%d requests with a 405, want %d", a.Summary.Requests405, put+post)
	}
	by := map[string]int{}
	for _, f := range a.Findings {
		by[f.Method+" "+f.OriginLayer] += f.Count
	}
	if by["PUT lb"] != put || by["POST app"] != post || len(by) != 2 {
		t.Errorf("findings by method and origin %v, want PUT lb %d, POST app %d", by, put, post)
	}
}

// TestSiblingProxiesStayUnordered: two nginx layers side by side (a request visits one of them)
// find few twins in each other: they are not ordered, and each one's 405s stay its own.
func TestSiblingProxiesStayUnordered(t *testing.T) {
	var recs []*parsers.Record
	for i := range 2000 {
		layer := []string{"east", "west"}[i%2]
		st := 200
		if i%20 < 2 {
			st = 405
		}
		recs = append(recs, rec(layer, parsers.FormatNginx, float64(i)*0.25, "GET", fmt.Sprintf("/x/%d", i), st))
	}
	_, a := run(t, Options{}, recs...)
	if strings.Contains(a.Order, "in front of") {
		t.Errorf("order %q: siblings ordered", a.Order)
	}
	if a.Summary.Requests405 != 200 {
		t.Errorf("%d requests with a 405, want 200", a.Summary.Requests405)
	}
}
