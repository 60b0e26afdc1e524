package analysis

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// BenchmarkEngine feeds synthetic four-hop requests (ALB → edge nginx → ingress Envoy → app) at
// 1,000 requests/s of log time, 1% of them 405s, one record per op.
// asShipped undoes, for a benchmark, what this package's tests set to catch misuse of the arena
// (arena_test.go's init: poisoning, tiny chunks, spoiled batches), so that it measures the engine as it runs.
func asShipped(b *testing.B) {
	poison, chunk, batch := poisonRecycled, arenaChunkSize, poisonBatch
	poisonRecycled, arenaChunkSize, poisonBatch = false, arenaChunk, nil
	b.Cleanup(func() { poisonRecycled, arenaChunkSize, poisonBatch = poison, chunk, batch })
}

func BenchmarkEngine(b *testing.B) {
	asShipped(b)
	const ids = 1 << 18 // more than the requests in one join window, so ids do not repeat inside it
	rids := make([]string, ids)
	roots := make([]string, ids)
	for i := range rids {
		rids[i] = fmt.Sprintf("%032x", i*7919+1)
		roots[i] = fmt.Sprintf("1-67430a80-%024x", i*7919+1)
	}
	paths := []string{"/api/orders", "/api/orders/42", "/api/users/7", "/api/cart", "/healthz"}
	layers := [4]struct{ name, format, file string }{{"alb", "alb", "alb.log"}, {"edge", "nginx", "edge.log"}, {"ingress", "envoy", "ingress.log"}, {"app", "app", "app.log"}}
	var rec parsers.Record
	e := New(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, hop := i/4, i%4
		rec.Reset()
		rec.Layer, rec.Format, rec.File, rec.Line = layers[hop].name, layers[hop].format, layers[hop].file, int64(req+1)
		rec.Time = t0.Add(time.Duration(req) * time.Millisecond)
		rec.Duration = time.Duration(40-10*hop) * time.Millisecond
		rec.Method, rec.Path, rec.URI, rec.Host = "GET", paths[req%len(paths)], paths[req%len(paths)], "api.example.com"
		rec.UserAgent, rec.ClientIP = "shop-web/2.3", "203.0.113.7"
		status := 200
		if req%100 == 0 {
			rec.Method, status = "DELETE", 405
		}
		rec.Status = status
		id := req % ids
		switch hop {
		case 0:
			rec.IDs.AmznRoot = roots[id]
			rec.AppendUpstream(status)
			rec.UpstreamAddr = "10.0.1.10:80"
		case 1:
			rec.IDs.AmznRoot, rec.IDs.RequestID = roots[id], rids[id]
			rec.AppendUpstream(status)
			rec.UpstreamAddr = "10.0.2.20:8080"
		case 2:
			rec.IDs.RequestID, rec.Detail, rec.UpstreamAddr = rids[id], "- via_upstream", "10.0.3.30:8080"
		case 3:
			rec.IDs.RequestID = rids[id]
			if status == 405 {
				rec.Allow = "GET, HEAD"
			}
		}
		e.Add(&rec)
	}
	a := e.Result(nil)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(e.MaxOpenRequests()), "max-open-requests")
	b.ReportMetric(float64(a.Summary.Requests405), "requests-405")
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB-after")
	runtime.KeepAlive(e)
}

// BenchmarkEngineDefaultLogs feeds what default logs give: an nginx combined edge and an app,
// no ids, no upstream status, times to the second, at 1,000 requests/s of log time, 1% of them
// 405s, one record per op. Compare its records/s with BenchmarkEngine's (ids).
func BenchmarkEngineDefaultLogs(b *testing.B) {
	asShipped(b)
	paths := make([]string, 4096)
	for i := range paths {
		paths[i] = fmt.Sprintf("/api/products/%d", 100000+i*7919%900000)
	}
	var rec parsers.Record
	e := New(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, hop := i/2, 1-i%2 // the app logs first
		rec.Reset()
		rec.Line = int64(req + 1)
		if hop == 0 {
			rec.Layer, rec.Format, rec.File = "edge", "nginx", "edge.log"
			rec.ClientIP = "203.0.113.7"
		} else {
			rec.Layer, rec.Format, rec.File = "app", "app", "app.log"
			rec.ClientIP = "10.0.1.10"
		}
		rec.Time = t0.Add(time.Duration(req) * time.Millisecond).Truncate(time.Second)
		p := paths[req%len(paths)]
		if req%7 == 0 {
			p = "/api/products" // identical requests, many per second
		}
		rec.Method, rec.Path, rec.URI = "GET", p, p
		rec.UserAgent = "shop-web/2.3"
		rec.Status, rec.BytesSent = 200, int64(300+req%len(paths)%500)
		if req%100 == 0 {
			rec.Method, rec.Status, rec.BytesSent = "DELETE", 405, 18
		}
		e.Add(&rec)
	}
	a := e.Result(nil)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(e.MaxOpenRequests()), "max-open-requests")
	b.ReportMetric(float64(a.Summary.Requests405), "requests-405")
	b.ReportMetric(float64(a.Summary.Joins.Unique+a.Summary.Joins.Group), "joined-405")
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB-after")
	runtime.KeepAlive(e)
}
