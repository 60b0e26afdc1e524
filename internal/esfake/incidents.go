package esfake

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

// Incident indices: where SeedIncidents puts each layer of samples/incidents, in the shapes
// Filebeat, Elastic Agent and ECS loggers produce (docs/elasticsearch.md §5).
const (
	// IncidentFilebeat is the Filebeat 8 data stream shared by its modules (aws elb, envoyproxy).
	IncidentFilebeat = "filebeat-8.15.0"
	// IncidentNginx is the Agent nginx integration's data stream.
	IncidentNginx = "logs-nginx.access-default"
	// IncidentApp is the data stream of the ECS application logs.
	IncidentApp = "logs-shop.app-default"
)

// Seeded counts the documents loaded per layer.
type Seeded struct {
	ALB, Edge, Ingress, App int
}

// SeedIncidents loads samples/incidents (dir) into the server:
//   - alb.log.gz as Filebeat aws module documents (event.dataset aws.elb, aws.elb.* fields,
//     the method lower-case and the URL in http.request.referrer as older module versions
//     write them), with the raw line kept in message;
//   - edge.log (nginx log_format triage) as Agent nginx.access documents with ECS fields in
//     literal dotted keys and the raw line in message — no request id field, as the stock
//     integration keeps none;
//   - ingress.log (Envoy, envoy.yaml's format) as Filebeat envoyproxy documents
//     (envoyproxy.request_id, destination.address) with message kept;
//   - app.json (Go slog) as ECS JSON documents (trace.id, http.request.id, service.*), nested.
//
// The ECS fields come from the project's own parsers, so they agree with the raw lines.
func SeedIncidents(s *Server, dir string) (Seeded, error) {
	return seedIncidents(s, dir, false)
}

// IncidentDocs turns samples/incidents into documents (see SeedIncidents) and hands each to
// add with its target index or data stream and id; the integration test bulk-loads them into a
// real cluster with it.
func IncidentDocs(dir string, add func(target, id string, doc []byte) error) (Seeded, error) {
	return incidentDocs(dir, false, add)
}

// SeedIncidentsRaw loads samples/incidents into the server as documents that keep only the raw
// line: @timestamp, message and the dataset of the data stream (event.dataset), no parsed field —
// what a pipeline without a matching module or grok stores (docs/elasticsearch.md §4.5).
func SeedIncidentsRaw(s *Server, dir string) (Seeded, error) {
	return seedIncidents(s, dir, true)
}

// seeded caches, per directory and document shape, a store holding the incident: the logs are
// parsed and indexed once per process, and each empty server seeded afterwards gets a copy of
// that store (the tests seed dozens of fake clusters, and indexing the ~6,700 documents cost as
// much as the es run on them under the race detector).
var seeded struct {
	mu sync.Mutex
	m  map[seedKey]*seedEntry
}

type seedKey struct {
	dir string
	raw bool
}

type seedEntry struct {
	once sync.Once
	st   *store
	n    Seeded
	err  error
}

func seedIncidents(s *Server, dir string, raw bool) (Seeded, error) {
	s.mu.Lock()
	empty := s.st.n == 0 && len(s.st.indices) == 0
	s.mu.Unlock()
	abs, err := filepath.Abs(dir)
	if !empty || err != nil {
		s.CreateIndex(IncidentFilebeat, true)
		return incidentDocs(dir, raw, s.AddDocument)
	}
	seeded.mu.Lock()
	if seeded.m == nil {
		seeded.m = map[seedKey]*seedEntry{}
	}
	e := seeded.m[seedKey{abs, raw}]
	if e == nil {
		e = &seedEntry{}
		seeded.m[seedKey{abs, raw}] = e
	}
	seeded.mu.Unlock()
	e.once.Do(func() {
		tmpl := New()
		tmpl.CreateIndex(IncidentFilebeat, true)
		e.n, e.err = incidentDocs(abs, raw, tmpl.AddDocument)
		if e.err == nil {
			e.st = tmpl.st
		}
	})
	if e.err != nil {
		// What seeding this server directly would have loaded before failing, and the error.
		s.CreateIndex(IncidentFilebeat, true)
		return incidentDocs(dir, raw, s.AddDocument)
	}
	st := func() *store {
		seeded.mu.Lock() // clone builds the template's postings once: one clone at a time
		defer seeded.mu.Unlock()
		return e.st.clone()
	}()
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
	return e.n, nil
}

// IncidentRawDocs is IncidentDocs for raw-line documents (see SeedIncidentsRaw).
func IncidentRawDocs(dir string, add func(target, id string, doc []byte) error) (Seeded, error) {
	return incidentDocs(dir, true, add)
}

func incidentDocs(dir string, raw bool, add func(target, id string, doc []byte) error) (Seeded, error) {
	var n Seeded
	conf, err := parsers.LoadNginxConf(filepath.Join(dir, "nginx.conf"))
	if err != nil {
		return n, err
	}
	nginxFmt, ok := conf.Formats()["triage"]
	if !ok {
		return n, fmt.Errorf("nginx.conf has no log_format triage")
	}
	logs, err := parsers.LoadEnvoyConfig(filepath.Join(dir, "envoy.yaml"))
	if err != nil {
		return n, err
	}
	envoy, _, err := parsers.EnvoyParserFor(logs, "ingress.log")
	if err != nil || envoy == nil {
		envoy, err = parsers.CompileEnvoy(logs[0].Text)
		if err != nil {
			return n, err
		}
	}
	nginx, err := parsers.CompileNginx(nginxFmt)
	if err != nil {
		return n, err
	}
	app, err := parsers.NewApp(nil)
	if err != nil {
		return n, err
	}
	type layer struct {
		file   string
		p      parsers.Parser
		target string
		doc    func(line string, r *parsers.Record) map[string]any
		count  *int
	}
	layers := []layer{
		{"alb.log.gz", parsers.NewALB(), IncidentFilebeat, albDoc, &n.ALB},
		{"edge.log", nginx, IncidentNginx, nginxDoc, &n.Edge},
		{"ingress.log", envoy, IncidentFilebeat, envoyDoc, &n.Ingress},
		{"app.json", app, IncidentApp, appDoc, &n.App},
	}
	for _, l := range layers {
		f, err := os.Open(filepath.Join(dir, l.file))
		if err != nil {
			return n, err
		}
		var rd io.Reader = f
		if strings.HasSuffix(l.file, ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				f.Close()
				return n, err
			}
			rd = zr
		}
		sc := bufio.NewScanner(rd)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var rec parsers.Record
		for ln := 1; sc.Scan(); ln++ {
			line := sc.Text()
			rec.Reset()
			if err := l.p.Parse([]byte(line), &rec); err != nil {
				continue
			}
			doc := l.doc(line, &rec)
			if raw {
				doc = map[string]any{"@timestamp": doc["@timestamp"], "message": line,
					"event": map[string]any{"dataset": datasetOf(doc)}}
			}
			b, _ := json.Marshal(doc)
			if err := add(l.target, fmt.Sprintf("%s-%06d", strings.TrimSuffix(strings.TrimSuffix(l.file, ".gz"), filepath.Ext(strings.TrimSuffix(l.file, ".gz"))), ln), b); err != nil {
				f.Close()
				return n, err
			}
			*l.count++
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return n, err
		}
	}
	return n, nil
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func put(m map[string]any, k string, v any) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return
		}
	case int:
		if x == 0 {
			return
		}
	}
	setPath(m, strings.Split(k, "."), v)
}

func albDoc(line string, r *parsers.Record) map[string]any {
	m := map[string]any{"@timestamp": ts(r.Time), "message": line}
	put(m, "event.dataset", "aws.elb")
	put(m, "event.module", "aws")
	put(m, "fileset.name", "elb")
	put(m, "http.request.method", strings.ToLower(r.Method))
	put(m, "http.response.status_code", r.Status)
	put(m, "http.request.referrer", "https://"+r.Host+":443"+r.URI)
	put(m, "user_agent.original", r.UserAgent)
	put(m, "source.ip", r.ClientIP)
	if r.IDs.AmznRoot != "" {
		put(m, "aws.elb.trace_id", "Root="+r.IDs.AmznRoot)
	}
	if n := len(r.Upstream); n > 0 && r.Upstream[n-1] > 0 {
		put(m, "aws.elb.backend.http.response.status_code", r.Upstream[n-1])
	}
	if host, port, ok := strings.Cut(r.UpstreamAddr, ":"); ok {
		put(m, "aws.elb.backend.ip", host)
		if p, err := strconv.Atoi(port); err == nil {
			put(m, "aws.elb.backend.port", p)
		}
	}
	if r.Service != "" {
		put(m, "aws.elb.target_group.arn", "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/"+r.Service+"/4c2d8e1f9a0b3c57")
	}
	return m
}

// nginxDoc writes ECS fields as literal dotted keys, as some shippers do.
func nginxDoc(line string, r *parsers.Record) map[string]any {
	m := map[string]any{"@timestamp": ts(r.Time), "message": line,
		"event.dataset": "nginx.access", "data_stream.dataset": "nginx.access", "data_stream.type": "logs",
		"data_stream.namespace": "default"}
	if r.Method != "" {
		m["http.request.method"] = r.Method
	}
	m["http.response.status_code"] = r.Status
	if r.URI != "" {
		m["url.original"] = r.URI
		m["url.path"] = r.Path
	}
	if r.ClientIP != "" {
		m["source.address"] = r.ClientIP
	}
	if r.UserAgent != "" {
		m["user_agent.original"] = r.UserAgent
	}
	return m
}

func envoyDoc(line string, r *parsers.Record) map[string]any {
	m := map[string]any{"@timestamp": ts(r.Time), "message": line}
	put(m, "event.dataset", "envoyproxy.log")
	put(m, "event.module", "envoyproxy")
	put(m, "http.request.method", r.Method)
	put(m, "http.response.status_code", r.Status)
	put(m, "url.path", r.Path)
	put(m, "url.domain", r.Host)
	put(m, "envoyproxy.authority", r.Host)
	put(m, "envoyproxy.request_id", r.IDs.RequestID)
	put(m, "destination.address", r.UpstreamAddr)
	put(m, "user_agent.original", r.UserAgent)
	return m
}

func appDoc(_ string, r *parsers.Record) map[string]any {
	level := "INFO"
	if r.Status >= 400 {
		level = "WARN"
	}
	m := map[string]any{"@timestamp": ts(r.Time), "message": "request", "ecs.version": "8.11.0"}
	put(m, "log.level", level)
	put(m, "service.name", r.Service)
	if r.Service != "" {
		put(m, "event.dataset", r.Service+".log")
	}
	if i := strings.Index(r.Detail, "version="); i >= 0 {
		v := r.Detail[i+len("version="):]
		if j := strings.IndexAny(v, " ,;"); j >= 0 {
			v = v[:j]
		}
		put(m, "service.version", v)
	}
	put(m, "http.request.method", r.Method)
	put(m, "http.response.status_code", r.Status)
	put(m, "url.path", r.Path)
	put(m, "trace.id", r.IDs.TraceID)
	put(m, "http.request.id", r.IDs.RequestID)
	put(m, "http.response.headers.allow", r.Allow)
	put(m, "http.request.headers.origin", r.Origin)
	put(m, "http.request.headers.access-control-request-method", r.ACRMethod)
	if r.Duration >= 0 {
		put(m, "event.duration", int(r.Duration))
	}
	return m
}

// datasetOf reads event.dataset from a document built by put (nested or dotted).
func datasetOf(doc map[string]any) any {
	if v, ok := doc["event.dataset"]; ok {
		return v
	}
	if ev, ok := doc["event"].(map[string]any); ok {
		return ev["dataset"]
	}
	return nil
}
