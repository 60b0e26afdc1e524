package elastic

import (
	"fmt"
	"github.com/logtriage/logtriage/parsers"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Elasticsearch documents → Records (reference: docs/elasticsearch.md §5). A document's layer comes
// from --layer-map, its dataset, module, field presence or index name; its record from the raw
// line (message / event.original) parsed with the same parsers as files when one is kept, else
// from the ECS and module fields. Application documents are JSON logs already: the app parser
// reads their _source directly, nested or dotted.

// LayerRule maps documents to a layer name: Match is a dataset or an index name, with shell
// wildcards (nginx.access, logs-nginx.access-*, .ds-logs-envoyproxy*).
type LayerRule struct {
	Match string
	Layer string
}

// ParseLayerRule reads "MATCH=LAYER".
func ParseLayerRule(s string) (LayerRule, error) {
	m, l, ok := strings.Cut(s, "=")
	// "nginx.access=edge, envoyproxy.log=ingress": a dataset, an index or a layer name holds no
	// space; kept, " envoyproxy.log" matched nothing and the layer was named by the dataset.
	m, l = strings.TrimSpace(m), strings.TrimSpace(l)
	if !ok || m == "" || l == "" {
		return LayerRule{}, fmt.Errorf("%q: want DATASET_OR_INDEX=LAYER (nginx.access=edge)", s)
	}
	if _, err := path.Match(m, ""); err != nil {
		return LayerRule{}, fmt.Errorf("%q: bad pattern: %w", s, err)
	}
	return LayerRule{Match: m, Layer: l}, nil
}

// FieldNames are the record fields whose document field lists --es-field can replace, and
// their default lists, best first.
var FieldNames = map[string][]string{
	"time":            {"@timestamp"},
	"dataset":         {"event.dataset", "data_stream.dataset"},
	"raw":             {"message", "event.original", "log.original"},
	"method":          {"http.request.method", "verb"},
	"url":             {"url.original", "url.path", "http.request.referrer", "request"},
	"status":          {"http.response.status_code", "response"},
	"upstream_status": {"aws.elb.backend.http.response.status_code", "nginx.ingress_controller.upstream.response.status_code"},
	"request_id":      {"http.request.id", "envoyproxy.request_id", "envoyproxy.log.request_id", "nginx.ingress_controller.http.request.id"},
	"trace_id":        {"trace.id"},
	"amzn_trace_id":   {"aws.elb.trace_id", "tracing.trace.id"},
	"client_ip":       {"source.ip", "source.address", "clientip"},
	"user_agent":      {"user_agent.original", "agent"},
	"upstream_addr":   {"destination.address", "nginx.ingress_controller.upstream_address_list", "aws.elb.backend.ip"},
	"service":         {"service.name", "aws.elb.target_group.arn", "nginx.ingress_controller.upstream.name"},
	"host":            {"url.domain", "envoyproxy.authority"},
	"version":         {"service.version"},
	// tiebreaker is a sortable field unique per document, for paging OpenSearch before 3.3
	// (flavor.go); none by default.
	"tiebreaker": {},
}

// esFields resolves the field lists with overrides applied.
type esFields map[string][]string

func esNewFields(overrides map[string]string) (esFields, error) {
	f := esFields{}
	for k, v := range FieldNames {
		f[k] = v
	}
	for k, v := range overrides {
		if _, ok := FieldNames[k]; !ok {
			names := make([]string, 0, len(FieldNames))
			for n := range FieldNames {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, fmt.Errorf("--es-field: unknown field %q: use one of %s", k, strings.Join(names, ", "))
		}
		// A list with an empty name would ask the cluster about the field "" at every phase.
		var fields []string
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				fields = append(fields, x)
			}
		}
		if len(fields) == 0 {
			return nil, fmt.Errorf("--es-field %s=%s: give the document field(s) to read %s from (comma-separated: labels.request_id,http.request.id)", k, v, k)
		}
		f[k] = fields
	}
	return f, nil
}

// esGet reads a dotted field from a _source in any shape: nested objects, literal dotted keys,
// or a mix ({"http.response": {"status_code": 405}}).
func esGet(src gjson.Result, name string) gjson.Result {
	if r := src.Get(gjson.Escape(name)); r.Exists() {
		return r
	}
	for i := 0; i < len(name); i++ {
		if name[i] != '.' {
			continue
		}
		head := src.Get(gjson.Escape(name[:i]))
		if head.IsObject() {
			if r := esGet(head, name[i+1:]); r.Exists() {
				return r
			}
		}
	}
	return gjson.Result{}
}

// esFirst returns the first value found among names (the first element of an array).
func esFirst(src gjson.Result, names []string) (gjson.Result, string) {
	for _, n := range names {
		r := esGet(src, n)
		if r.IsArray() {
			arr := r.Array()
			if len(arr) == 0 {
				continue
			}
			r = arr[0]
		}
		if r.Exists() && r.Type != gjson.Null && r.String() != "" {
			return r, n
		}
	}
	return gjson.Result{}, ""
}

// esFamily is a document's source kind: a Format name.
func esFamilyOfDataset(ds string) string {
	switch {
	case strings.HasPrefix(ds, "aws.elb"):
		return parsers.FormatALB
	case strings.HasPrefix(ds, "nginx."):
		return parsers.FormatNginx
	case strings.HasPrefix(ds, "envoyproxy"):
		return parsers.FormatEnvoy
	case ds != "":
		return parsers.FormatApp
	}
	return ""
}

// esIndexDataset extracts the dataset of a data stream or its backing index:
// .ds-logs-nginx.access-default-2026.11.24-000001 → nginx.access.
func esIndexDataset(index string) string {
	n := strings.TrimPrefix(index, ".ds-")
	if n != index {
		// Drop "-YYYY.MM.DD-NNNNNN".
		parts := strings.Split(n, "-")
		if len(parts) > 2 {
			parts = parts[:len(parts)-2]
		}
		n = strings.Join(parts, "-")
	}
	parts := strings.Split(n, "-")
	if len(parts) >= 3 && (parts[0] == "logs" || parts[0] == "metrics") {
		return strings.Join(parts[1:len(parts)-1], "-")
	}
	return ""
}

// esDocKind is what the job knows about a document before parsing it.
type esDocKind struct {
	layer, family, dataset string
}

// esClassify finds a document's layer and family (§5.8).
func (j *Job) esClassify(index string, src gjson.Result) esDocKind {
	ds, _ := esFirst(src, j.fields["dataset"])
	dataset := ds.String()
	if dataset == "" {
		dataset = esIndexDataset(index)
	}
	family := esFamilyOfDataset(dataset)
	if family == "" {
		switch esGet(src, "event.module").String() {
		case "aws":
			family = parsers.FormatALB
		case "nginx":
			family = parsers.FormatNginx
		case "envoyproxy":
			family = parsers.FormatEnvoy
		}
	}
	if family == "" {
		switch {
		case esGet(src, "aws.elb").Exists():
			family = parsers.FormatALB
		case esGet(src, "envoyproxy").Exists():
			family = parsers.FormatEnvoy
		case esGet(src, "nginx").Exists():
			family = parsers.FormatNginx
		case esGet(src, "service.name").Exists() || esGet(src, "log.level").Exists():
			family = parsers.FormatApp
		}
	}
	k := esDocKind{family: family, dataset: dataset}
	for _, r := range j.opts.Layers {
		for _, cand := range []string{dataset, index, esIndexBase(index)} {
			if cand == "" {
				continue
			}
			if ok, _ := path.Match(r.Match, cand); ok {
				k.layer = r.Layer
				break
			}
		}
		if k.layer != "" {
			break
		}
	}
	return k
}

// esIndexBase is the data stream name of a backing index, else the index itself.
func esIndexBase(index string) string {
	n := strings.TrimPrefix(index, ".ds-")
	if n == index {
		return index
	}
	parts := strings.Split(n, "-")
	if len(parts) > 2 {
		parts = parts[:len(parts)-2]
	}
	return strings.Join(parts, "-")
}

// esRawParser is a parser for raw lines of one family, as files would be read.
type esRawParser struct {
	format, name string
	p            parsers.Parser
}

// esRawParsers lists the candidate parsers of each family from the parser configuration:
// explicit formats first, then the built-in ones.
func esRawParsers(c *parsers.Config) (map[string][]esRawParser, error) {
	out := map[string][]esRawParser{}
	add := func(format, name string, p parsers.Parser, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		out[format] = append(out[format], esRawParser{format, name, p})
		return nil
	}
	if c == nil {
		c = &parsers.Config{}
	}
	if c.NginxFormat != "" {
		p, err := parsers.CompileNginx(c.NginxFormat)
		if err := add(parsers.FormatNginx, "nginx --nginx-format", p, err); err != nil {
			return nil, err
		}
	}
	if c.NginxConf != nil {
		names := make([]string, 0)
		fs := c.NginxConf.Formats()
		for n := range fs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			p, err := parsers.CompileNginx(fs[n])
			if err == nil && p.CheckFields() != nil {
				continue // no status, no method (a timing log): it would read any document
			}
			if err := add(parsers.FormatNginx, "nginx log_format "+n, p, err); err != nil {
				return nil, err
			}
		}
	}
	if c.EnvoyFormat != "" {
		p, err := parsers.CompileEnvoy(c.EnvoyFormat)
		if err := add(parsers.FormatEnvoy, "envoy --envoy-format", p, err); err != nil {
			return nil, err
		}
	}
	for _, l := range c.EnvoyLogs {
		var p *parsers.EnvoyParser
		var err error
		if l.JSON != nil {
			p, err = parsers.CompileEnvoyJSON(l.JSON)
		} else {
			p, err = parsers.CompileEnvoy(l.Text)
		}
		if err == nil && p.CheckFields() != nil {
			continue // as for nginx above (a TCP proxy's log)
		}
		if err := add(parsers.FormatEnvoy, "envoy access log "+l.Path, p, err); err != nil {
			return nil, err
		}
	}
	builtin := []struct {
		format, name string
		f            func() (parsers.Parser, error)
	}{
		{parsers.FormatALB, "alb", func() (parsers.Parser, error) { return parsers.NewALB(), nil }},
		{parsers.FormatEnvoy, "envoy default", func() (parsers.Parser, error) { return parsers.CompileEnvoy(parsers.EnvoyDefaultFormat) }},
		{parsers.FormatEnvoy, "envoy istio", func() (parsers.Parser, error) { return parsers.CompileEnvoy(parsers.EnvoyIstioFormat) }},
		{parsers.FormatEnvoy, "envoy JSON", func() (parsers.Parser, error) { return parsers.NewEnvoyJSON(), nil }},
		{parsers.FormatNginx, "nginx main", func() (parsers.Parser, error) { return parsers.CompileNginx(parsers.NginxMain) }},
		{parsers.FormatNginx, "nginx combined", func() (parsers.Parser, error) { return parsers.CompileNginx(parsers.NginxCombined) }},
		{parsers.FormatNginx, "nginx upstreaminfo", func() (parsers.Parser, error) { return parsers.CompileNginx(parsers.NginxUpstreamInfo) }},
		{parsers.FormatNginx, "nginx JSON", func() (parsers.Parser, error) { return parsers.NewNginxJSON(), nil }},
	}
	for _, b := range builtin {
		p, err := b.f()
		if err := add(b.format, b.name, p, err); err != nil {
			return nil, err
		}
	}
	app, err := parsers.NewApp(c.AppFields)
	if err != nil {
		return nil, err
	}
	out[parsers.FormatApp] = []esRawParser{{parsers.FormatApp, "app", app}}
	return out, nil
}

// esParseRaw parses a raw line with the family's parsers (every family when unknown); the
// parser that worked last is tried first.
func (j *Job) esParseRaw(family string, line []byte, rec *parsers.Record) (string, bool) {
	families := []string{family}
	if family == "" {
		families = []string{parsers.FormatALB, parsers.FormatEnvoy, parsers.FormatNginx}
	}
	for _, f := range families {
		ps := j.raw[f]
		for i := range ps {
			rec.Reset()
			if ps[i].p.Parse(line, rec) == nil {
				if i > 0 {
					ps[0], ps[i] = ps[i], ps[0]
				}
				return ps[0].format, true
			}
		}
	}
	rec.Reset()
	return "", false
}

// esDocStats counts documents per layer for the report.
type esDocStats struct {
	docs, raw, fields, noIDs, rejected int64
	example                            string
}

// toRecord turns one hit into rec (Reset first). It reports false for a document that gives
// no usable record (no status, nothing parseable).
func (j *Job) toRecord(index, id string, src gjson.Result, rec *parsers.Record) bool {
	k := j.esClassify(index, src)
	rec.Reset()
	if m, _ := esFirst(src, j.fields["method"]); !m.Exists() {
		j.rawOnly = true
	}
	layerStats := func(layer string) *esDocStats {
		st := j.layerDocs[layer]
		if st == nil {
			st = &esDocStats{}
			j.layerDocs[layer] = st
		}
		return st
	}
	ok := false
	format := k.family
	usedRaw := false
	if k.family == parsers.FormatApp {
		// An application document is a JSON log record itself.
		if j.raw[parsers.FormatApp][0].p.Parse([]byte(src.Raw), rec) == nil {
			ok = true
		}
	}
	if !ok {
		if raw, _ := esFirst(src, j.fields["raw"]); raw.Exists() {
			if f, parsed := j.esParseRaw(k.family, []byte(raw.String()), rec); parsed {
				format, ok, usedRaw = f, true, true
			}
		}
	}
	if !ok && k.family != parsers.FormatApp {
		ok = j.fromFields(k.family, src, rec)
	}
	layer := k.layer
	if layer == "" {
		layer = format
		if layer == "" {
			layer = "unknown"
		}
	}
	st := layerStats(layer)
	st.docs++
	if !ok {
		st.rejected++
		if st.example == "" {
			st.example = index + "/" + id + ": no status in the fields and no raw line any parser reads"
		}
		return false
	}
	if usedRaw {
		st.raw++
	} else {
		st.fields++
	}
	// What the document itself adds (§5.9).
	if rec.Time.IsZero() {
		if t, _ := esFirst(src, j.fields["time"]); t.Exists() {
			if tm, ok := parsers.ParseISOTime([]byte(t.String())); ok {
				rec.Time = tm
			}
		}
	}
	// A time the engine cannot order (outside 1677–2262) rejects the document, as it rejects a
	// line (parsers/timeparse.go).
	err := parsers.CheckTime(rec.Time)
	if err == nil {
		err = parsers.CheckTime(rec.Start)
	}
	if err != nil {
		st.rejected++
		if st.example == "" {
			st.example = index + "/" + id + ": " + err.Error()
		}
		return false
	}
	if rec.Service == "" {
		if s, _ := esFirst(src, []string{"service.name"}); s.Exists() && k.family == parsers.FormatApp {
			rec.Service = s.String()
		}
	}
	if rec.IDs.Empty() {
		st.noIDs++
	}
	rec.Layer = layer
	if rec.Format == "" {
		rec.Format = format
	}
	// The input of a document is its index (the data stream of a backing index): several
	// indices of one layer are its instances, as several files are (analysis/baseline.go).
	rec.File = esIndexBase(index)
	return true
}

// fromFields builds a record from ECS and module fields when no raw line is kept.
func (j *Job) fromFields(family string, src gjson.Result, rec *parsers.Record) bool {
	status, _ := esFirst(src, j.fields["status"])
	st, err := strconv.Atoi(strings.TrimSpace(status.String()))
	if err != nil || st <= 0 {
		return false
	}
	rec.Status = st
	rec.Format = family
	if family == "" {
		rec.Format = parsers.FormatNginx
	}
	if m, _ := esFirst(src, j.fields["method"]); m.Exists() {
		rec.Method = strings.ToUpper(m.String())
	}
	if u, name := esFirst(src, j.fields["url"]); u.Exists() {
		s := u.String()
		if name == "request" || strings.Contains(s, " ") {
			rec.SetRequestLine([]byte(s))
		} else {
			rec.SetURI([]byte(s))
		}
	}
	for _, name := range j.fields["upstream_status"] {
		r := esGet(src, name)
		vals := []gjson.Result{r}
		if r.IsArray() {
			vals = r.Array()
		}
		for _, v := range vals {
			if n, err := strconv.Atoi(v.String()); err == nil {
				rec.AppendUpstream(n)
			}
		}
		if len(rec.Upstream) > 0 {
			break
		}
	}
	if family == parsers.FormatALB && len(rec.Upstream) == 0 && st == 405 {
		rec.Local = parsers.LocalYes
	}
	if v, _ := esFirst(src, j.fields["request_id"]); v.Exists() {
		rec.IDs.SetRequestID(v.String())
	}
	if v, _ := esFirst(src, j.fields["trace_id"]); v.Exists() {
		rec.IDs.SetTraceID(v.String())
	}
	if v, _ := esFirst(src, j.fields["amzn_trace_id"]); v.Exists() {
		rec.IDs.SetAmznTraceID(v.String())
	}
	if v, _ := esFirst(src, j.fields["client_ip"]); v.Exists() {
		rec.ClientIP = v.String()
	}
	if v, _ := esFirst(src, j.fields["user_agent"]); v.Exists() {
		rec.UserAgent = v.String()
	}
	if v, _ := esFirst(src, j.fields["upstream_addr"]); v.Exists() {
		rec.UpstreamAddr = v.String()
	}
	if v, name := esFirst(src, j.fields["service"]); v.Exists() {
		rec.Service = v.String()
		if name == "aws.elb.target_group.arn" {
			rec.Service = parsers.ALBTargetGroup([]byte(rec.Service))
		}
	}
	if v, _ := esFirst(src, j.fields["host"]); v.Exists() && rec.Host == "" {
		rec.Host = v.String()
	}
	if v, _ := esFirst(src, j.fields["version"]); v.Exists() {
		rec.Detail = "version=" + v.String()
	}
	if t, _ := esFirst(src, j.fields["time"]); t.Exists() {
		if tm, ok := parsers.ParseISOTime([]byte(t.String())); ok {
			rec.Time = tm
		}
	}
	return true
}
