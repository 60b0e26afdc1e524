package main

import (
	"bufio"
	"compress/gzip"
	"container/heap"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// gen builds requests. Incident and periodic requests are few and kept in reqs; healthy traffic
// is streamed (healthySource) so that multihop can produce millions of requests in flat memory.
type gen struct {
	rnd
	start time.Time
	reqs  []*request
}

// windowStart is the start of the simulated hour.
var windowStart = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func newGen(seed, stream uint64) *gen {
	return &gen{rnd: newRnd(seed, stream), start: windowStart}
}

// add settles a request and keeps it for emission.
func (g *gen) add(r *request) {
	g.settle(r)
	g.reqs = append(g.reqs, r)
}

// plan says how much traffic a dataset has.
type plan struct {
	seed    uint64
	healthy int     // healthy requests from outside clients (API and static)
	scale   float64 // multiplier of each scenario's base count of 405 requests
}

// expectation is one entry of expected.json: the ground truth for one request with a 405.
type expectation struct {
	Key           string `json:"key"`
	RequestID     string `json:"request_id"`
	AmznTraceRoot string `json:"amzn_trace_root"`
	TraceID       string `json:"trace_id"`
	Method        string `json:"method"`
	Path          string `json:"path"`
	OriginLayer   string `json:"origin_layer"`
	Cause         string `json:"cause"`
	Masked        bool   `json:"masked"`
	Scenario      string `json:"scenario"`
	Time          string `json:"time"`
	ClientStatus  int    `json:"client_status"`
	Upstream      string `json:"upstream,omitempty"`
}

// counts says how many requests of each scenario a plan produces.
func (p plan) counts() []int {
	out := make([]int, len(scenarios))
	for i, s := range scenarios {
		n := int(math.Round(float64(s.base) * p.scale))
		if n < 1 && p.scale > 0 {
			n = 1
		}
		out[i] = n
	}
	return out
}

// summary reports what a dataset holds.
type summary struct {
	Requests int
	Records  map[string]int
	Expected []*expectation
}

// writeDataset writes alb.log.gz, edge.log, ingress.log, app.json, nginx.conf, envoy.yaml and
// expected.json into dir.
func writeDataset(dir string, p plan) (*summary, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	inc := newGen(p.seed, 1)
	for i, n := range p.counts() {
		scenarios[i].run(inc, n)
	}
	inc.periodic()
	sort.SliceStable(inc.reqs, func(i, j int) bool { return inc.reqs[i].t0.Before(inc.reqs[j].t0) })
	healthy := newGen(p.seed, 2).healthy(p.healthy)

	em, err := newEmitter(dir)
	if err != nil {
		return nil, err
	}
	sum := &summary{}
	next := healthy.next()
	i := 0
	for next != nil || i < len(inc.reqs) {
		var r *request
		if next != nil && (i == len(inc.reqs) || next.t0.Before(inc.reqs[i].t0)) {
			r, next = next, healthy.next()
		} else {
			r = inc.reqs[i]
			inc.reqs[i] = nil // let it go once written
			i++
		}
		em.flushBefore(r.t0)
		if err := em.add(r); err != nil {
			return nil, err
		}
		sum.Requests++
	}
	if err := em.close(); err != nil {
		return nil, err
	}
	sum.Records = em.counts()
	sum.Expected = em.entries
	for _, f := range []struct{ name, text string }{{"nginx.conf", nginxConf}, {"envoy.yaml", envoyYAML}} {
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte(f.text), 0o644); err != nil {
			return nil, err
		}
	}
	return sum, writeExpected(filepath.Join(dir, "expected.json"), em.entries)
}

// writeExpected writes one entry per line, so that diffs of the checked-in file stay readable.
func writeExpected(path string, entries []*expectation) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString("[\n")
	for i, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		w.Write(b)
		if i < len(entries)-1 {
			w.WriteByte(',')
		}
		w.WriteByte('\n')
	}
	w.WriteString("]\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// line is one rendered log line waiting for its turn: files are in log-write order.
type line struct {
	t     time.Time
	seq   uint64
	text  []byte
	entry *expectation // app lines of requests without ids: the entry keyed by the line number
}

type lineHeap []line

func (h lineHeap) Len() int { return len(h) }
func (h lineHeap) Less(i, j int) bool {
	if !h[i].t.Equal(h[j].t) {
		return h[i].t.Before(h[j].t)
	}
	return h[i].seq < h[j].seq
}
func (h lineHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *lineHeap) Push(x any)   { *h = append(*h, x.(line)) }
func (h *lineHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// sink is one output file with its reorder buffer.
type sink struct {
	name  string
	f     *os.File
	gz    *gzip.Writer
	w     *bufio.Writer
	h     lineHeap
	lines int
}

func newSink(dir, name string) (*sink, error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	s := &sink{name: name, f: f}
	if filepath.Ext(name) == ".gz" {
		s.gz = gzip.NewWriter(f)
		s.gz.ModTime = windowStart.Add(time.Hour) // fixed header: same seed, same bytes
		s.w = bufio.NewWriterSize(s.gz, 1<<16)
	} else {
		s.w = bufio.NewWriterSize(f, 1<<16)
	}
	return s, nil
}

func (s *sink) flushBefore(t time.Time, all bool) {
	for len(s.h) > 0 && (all || s.h[0].t.Before(t)) {
		l := heap.Pop(&s.h).(line)
		s.lines++
		if l.entry != nil && l.entry.Key == "" {
			l.entry.Key = fmt.Sprintf("%s:%d", s.name, s.lines)
		}
		s.w.Write(l.text)
	}
}

func (s *sink) close() error {
	s.flushBefore(time.Time{}, true)
	if err := s.w.Flush(); err != nil {
		return err
	}
	if s.gz != nil {
		if err := s.gz.Close(); err != nil {
			return err
		}
	}
	return s.f.Close()
}

// emitter renders requests into the four log files, each in its own log-write order.
type emitter struct {
	alb, edge, ingress, app *sink
	seq                     uint64
	appLog                  *appLogger
	entries                 []*expectation
}

func newEmitter(dir string) (*emitter, error) {
	e := &emitter{appLog: newAppLogger()}
	var err error
	for _, s := range []struct {
		p    **sink
		name string
	}{{&e.alb, "alb.log.gz"}, {&e.edge, "edge.log"}, {&e.ingress, "ingress.log"}, {&e.app, "app.json"}} {
		if *s.p, err = newSink(dir, s.name); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (e *emitter) sinks() []*sink { return []*sink{e.alb, e.edge, e.ingress, e.app} }

// flushBefore writes every buffered line older than t. Requests arrive in start order and
// every hop logs after the request started, so nothing older than t can still come.
func (e *emitter) flushBefore(t time.Time) {
	for _, s := range e.sinks() {
		s.flushBefore(t, false)
	}
}

func (e *emitter) push(s *sink, t time.Time, text []byte, entry *expectation) {
	e.seq++
	heap.Push(&s.h, line{t: t, seq: e.seq, text: text, entry: entry})
}

// add renders every logged hop of r and, when r has a 405 somewhere, its expected.json entry.
func (e *emitter) add(r *request) error {
	var entry *expectation
	if r.truth != nil {
		entry = expect(r)
		e.entries = append(e.entries, entry)
	}
	if r.alb != nil {
		e.push(e.alb, r.alb.end, renderALB(nil, r), nil)
	}
	if r.edge != nil {
		e.push(e.edge, r.edge.end, renderEdge(nil, r), nil)
	}
	if r.ingress != nil {
		e.push(e.ingress, r.ingress.end, renderIngress(nil, r), nil)
	}
	if r.app != nil && r.app.svc.shipped {
		var keyed *expectation
		if entry != nil && entry.Key == "" {
			keyed = entry
		}
		e.push(e.app, r.app.end, e.appLog.render(nil, r), keyed)
	}
	return nil
}

func (e *emitter) close() error {
	for _, s := range e.sinks() {
		if err := s.close(); err != nil {
			return err
		}
	}
	return nil
}

func (e *emitter) counts() map[string]int {
	m := map[string]int{}
	for _, s := range e.sinks() {
		m[s.name] = s.lines
	}
	return m
}

// expect builds the ground-truth entry of a request with a 405.
func expect(r *request) *expectation {
	x := &expectation{Method: r.method, Path: r.path(), OriginLayer: r.truth.origin, Cause: r.truth.cause,
		Masked: r.truth.masked, Scenario: r.scenario, Time: r.t0.Format("2006-01-02T15:04:05.000000Z")}
	if r.alb != nil {
		x.AmznTraceRoot = r.alb.root
		x.ClientStatus = r.alb.out.status
	} else if r.edge != nil {
		x.ClientStatus = r.edge.out.status
	} else if r.app != nil {
		x.ClientStatus = r.app.res.status
	}
	if r.edge != nil {
		x.RequestID = r.edge.rid
	}
	if r.ingress != nil {
		x.TraceID = r.ingress.traceID
		if r.truth.origin == "beyond ingress" {
			x.Upstream = r.ingress.upHost
		}
	}
	switch {
	case x.AmznTraceRoot != "":
		x.Key = x.AmznTraceRoot
	case x.RequestID != "":
		x.Key = x.RequestID
	}
	return x
}
