package elastic_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/esfake"
	"github.com/logtriage/logtriage/parsers/elastic"
)

// esScale runs the job over n generated documents (one request in 200 has a 405 on all four
// hops, i.e. 0.5 % of the documents).
func esScale(t testing.TB, n int) (*elastic.Report, esfake.Traffic, *analysis.Analysis, time.Duration) {
	srv := esfake.New()
	tr := esfake.GenerateTraffic(srv, n, 200)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	job, err := elastic.New(elastic.Options{URLs: []string{hs.URL}, Indices: []string{"logs-*", "filebeat-*"},
		Since: tr.Start, Until: tr.End, Route: analysis.Route, RetryBase: time.Millisecond, MaxRequests: 100000,
		Layers: []elastic.LayerRule{{Match: "nginx.access", Layer: "edge"}, {Match: "envoyproxy.log", Layer: "ingress"},
			{Match: "aws.elb", Layer: "alb"}, {Match: "*.log", Layer: "app"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer job.Close()
	e := analysis.New(analysis.Options{})
	t0 := time.Now()
	rep, err := job.Run(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	return rep, tr, e.Result(nil), time.Since(t0)
}

func esTotals(rep *elastic.Report) (requests, docs int64) {
	for _, p := range rep.Phases {
		requests += p.Requests
		docs += p.Docs
	}
	return
}

// TestESPushDownBounded: the number of requests per phase does not grow with the index (only
// with the 405s), and the documents transferred stay below 5 % of the index.
func TestESPushDownBounded(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	small, trs, _, _ := esScale(t, 40_000)
	big, trb, a, _ := esScale(t, 160_000)
	_, _ = trs, small
	for i, p := range big.Phases {
		t.Logf("%-20s requests %3d docs %6d buckets %5d", p.Name, p.Requests, p.Docs, p.Buckets)
		if p.Name == "discover" || p.Name == "count 405s" || p.Name == "baselines" {
			if p.Requests != small.Phases[i].Requests {
				t.Errorf("%s: %d requests for %d documents, %d for %d: grows with the index", p.Name,
					p.Requests, trb.Docs, small.Phases[i].Requests, trs.Docs)
			}
		}
	}
	_, docs := esTotals(big)
	if share := float64(docs) / float64(trb.Docs); share >= 0.05 {
		t.Errorf("%d documents transferred of %d (%.1f%%), want < 5%%", docs, trb.Docs, 100*share)
	}
	if big.Total405Docs != int64(trb.Docs405) {
		t.Errorf("phase 1 counted %d 405 documents, want %d", big.Total405Docs, trb.Docs405)
	}
	if a.Summary.Requests405 != int64(trb.Requests405) {
		t.Errorf("%d requests with a 405 attributed, want %d", a.Summary.Requests405, trb.Requests405)
	}
	if len(a.Findings) != 1 || a.Findings[0].OriginLayer != "app" || a.Findings[0].Cause != analysis.CauseDeployRegression && a.Findings[0].Cause != analysis.CauseMethodNotRouted {
		t.Errorf("findings: %+v", a.Findings)
	}
}

// BenchmarkESPushDown: 1,000,000 documents of which 0.5 % are 405s, in the fake cluster.
func BenchmarkESPushDown(b *testing.B) {
	for i := 0; i < b.N; i++ {
		rep, tr, _, d := esScale(b, 1_000_000)
		reqs, docs := esTotals(rep)
		var bytes int64
		for _, p := range rep.Phases {
			bytes += p.Bytes
		}
		b.ReportMetric(float64(reqs), "requests")
		b.ReportMetric(float64(docs), "docs")
		b.ReportMetric(100*float64(docs)/float64(tr.Docs), "%index")
		b.ReportMetric(float64(bytes)/1e6, "MB")
		b.ReportMetric(d.Seconds(), "s/job")
		for _, p := range rep.Phases {
			b.Logf("%-20s requests %3d docs %6d buckets %5d %6.2fs", p.Name, p.Requests, p.Docs, p.Buckets, p.Seconds)
		}
	}
}
