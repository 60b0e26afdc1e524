package elastic

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/logtriage/logtriage/parsers"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Phase 4: baselines. The time-based causes (deploy_regression, backend_drift) compare a
// route's 405s with its successes before and beside them. The successes are counted by the
// cluster — per (dataset, index, backend, service, host, version, minute) with the first and
// last timestamp of each bucket — and delivered to the engine as id-less records spread over
// each bucket, so the engine's own baselines see the same counts as when reading files.
// Documents already delivered (the hops of phase 3) are excluded by id.

// esBucket is one baseline bucket: n successes of a method and route at one layer.
type esBucket struct {
	layer, format, method, path  string
	addr, service, host, version string
	input                        string // the index (data stream) counted
	status                       int
	n                            int64
	first, last                  int64 // unix ns
}

// at returns the time of the bucket's i-th record.
func (b *esBucket) at(i int64) int64 {
	if b.n <= 1 {
		return b.first
	}
	return b.first + (b.last-b.first)*i/(b.n-1)
}

// fill writes the bucket's i-th record into rec.
func (b *esBucket) fill(rec *parsers.Record, i int64) {
	rec.Reset()
	rec.Layer, rec.Format, rec.Method, rec.Path, rec.URI = b.layer, b.format, b.method, b.path, b.path
	rec.Status = b.status
	rec.UpstreamAddr, rec.Service, rec.Host = b.addr, b.service, b.host
	if b.addr != "" && b.format != parsers.FormatEnvoy {
		rec.AppendUpstream(b.status)
	}
	if b.version != "" {
		rec.Detail = "version=" + b.version
	}
	rec.Time = time.Unix(0, b.at(i)).UTC()
	rec.File = b.input
}

// esRouteRegexp turns a route template into a Lucene regular expression over a path, or over
// an absolute URL with an optional query.
func esRouteRegexp(route string, absolute bool) string {
	var b strings.Builder
	if absolute {
		b.WriteString(`([a-zA-Z]+://[^/]+)?`)
	}
	for i, seg := range strings.Split(route, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		if seg == "{id}" {
			b.WriteString(`[^/]+`)
			continue
		}
		// A fingerprinted file name keeps its other parts: "app.{hash}.js" (analysis/route.go).
		for i, part := range strings.Split(seg, "{hash}") {
			if i > 0 {
				b.WriteString(`[0-9a-fA-F]+`)
			}
			for _, r := range part {
				if strings.ContainsRune(`.?+*|{}[]()"\#@&<>~`, r) {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
		}
	}
	b.WriteString(`(\?.*)?`)
	return b.String()
}

var esRouteOK = regexp.MustCompile(`^[\x21-\x7e]*$`)

func (j *Job) baselines(ctx context.Context, p *Phase, recs []*parsers.Record, seen map[string]bool) ([]esBucket, error) {
	type route = baselineRoute
	routes := map[route]bool{}
	var exclude []string
	for _, r := range recs {
		if j.wanted(r) {
			rt := j.opts.Route(r.Path)
			if r.Method != "" && r.Path != "" && len(rt) < 200 && esRouteOK.MatchString(rt) {
				routes[route{r.Method, rt}] = true
			}
		}
	}
	// Documents already delivered (phases 2 and 3) are not counted again.
	for k := range seen {
		if _, id, ok := strings.Cut(k, "/"); ok {
			exclude = append(exclude, id)
		}
	}
	sort.Strings(exclude)
	list := make([]route, 0, len(routes))
	for r := range routes {
		list = append(list, r)
	}
	sort.Slice(list, func(a, b int) bool { return list[a].method+list[a].route < list[b].method+list[b].route })
	excl, _ := json.Marshal(exclude)
	window := j.windowFilter(0, j.opts.History)
	type src struct{ name, field string }
	var sources []src
	sources = append(sources, src{"dataset", j.fields["dataset"][0]}, src{"index", "_index"})
	for _, k := range []string{"upstream_addr", "service", "host", "version"} {
		for i, f := range j.fields[k] {
			if j.caps.usable(f) { // a text or wildcard field cannot be a terms source (flavor.go)
				sources = append(sources, src{fmt.Sprintf("%s%d", k, i), f})
			}
		}
	}
	sources = append(sources, src{"port", "aws.elb.backend.port"})
	var srcJSON []string
	for _, s := range sources {
		mb := `,"missing_bucket":true`
		if s.field == "_index" {
			mb = ""
		}
		srcJSON = append(srcJSON, fmt.Sprintf(`{%q:{"terms":{"field":%q%s}}}`, s.name, s.field, mb))
	}
	srcJSON = append(srcJSON, `{"minute":{"date_histogram":{"field":"@timestamp","fixed_interval":"1m"}}}`)
	var out []esBucket
	for _, rt := range list {
		var filters []string
		if window != "" {
			filters = append(filters, window)
		}
		filters = append(filters,
			fmt.Sprintf(`{"term":{%q:{"value":%q,"case_insensitive":true}}}`, j.fields["method"][0], rt.method),
			fmt.Sprintf(`{"bool":{"should":[{"regexp":{"url.path":{"value":%q}}},{"regexp":{"url.original":{"value":%q}}}],"minimum_should_match":1}}`,
				esRouteRegexp(rt.route, false), esRouteRegexp(rt.route, true)),
			fmt.Sprintf(`{"range":{%q:{"gte":100,"lt":400}}}`, j.fields["status"][0]))
		query := `{"bool":{"filter":[` + strings.Join(filters, ",") + `]`
		if len(exclude) > 0 {
			query += `,"must_not":[{"ids":{"values":` + string(excl) + `}}]`
		}
		query += `}}`
		after := ""
		for {
			body := fmt.Sprintf(`{"size":0,"track_total_hits":false,"query":%s,"aggs":{"b":{"composite":{"size":1000%s,"sources":[%s]},`+
				`"aggs":{"first":{"min":{"field":"@timestamp"}},"last":{"max":{"field":"@timestamp"}},"status":{"terms":{"field":%q,"size":1}}}}}}`,
				query, after, strings.Join(srcJSON, ","), j.fields["status"][0])
			data, err := j.search(ctx, "phase 4 (baselines)", []byte(body), false, "aggregations", "_shards", "timed_out")
			if err != nil {
				return out, err
			}
			buckets := gjson.GetBytes(data, "aggregations.b.buckets").Array()
			for _, b := range buckets {
				k := b.Get("key")
				pick := func(kind string) string {
					for i := range j.fields[kind] {
						if v := k.Get(fmt.Sprintf("%s%d", kind, i)); v.Exists() && v.Type != gjson.Null {
							return v.String()
						}
					}
					return ""
				}
				layer := j.layerOfGroup(k.Get("dataset").String(), k.Get("index").String())
				kind := j.esClassify(k.Get("index").String(), gjson.Parse(fmt.Sprintf(`{"event":{"dataset":%q}}`, k.Get("dataset").String())))
				eb := esBucket{layer: layer, format: kind.family, method: rt.method, path: rt.route,
					addr: pick("upstream_addr"), service: pick("service"), host: pick("host"),
					n: b.Get("doc_count").Int(), status: int(b.Get("status.buckets.0.key").Int()),
					input: esIndexBase(k.Get("index").String())}
				if kind.family == parsers.FormatApp {
					eb.version = pick("version")
				}
				if port := k.Get("port"); port.Exists() && port.Type != gjson.Null && eb.addr != "" && !strings.Contains(eb.addr, ":") {
					eb.addr += ":" + port.String()
				}
				if strings.Contains(eb.service, "targetgroup/") {
					eb.service = parsers.ALBTargetGroup([]byte(eb.service))
				}
				if eb.status == 0 {
					eb.status = 200
				}
				eb.first = int64(b.Get("first.value").Float()) * int64(time.Millisecond)
				eb.last = int64(b.Get("last.value").Float()) * int64(time.Millisecond)
				out = append(out, eb)
			}
			p.Buckets += int64(len(buckets))
			ak := gjson.GetBytes(data, "aggregations.b.after_key")
			if len(buckets) < 1000 || !ak.Exists() {
				break
			}
			if `,"after":`+ak.Raw == after {
				return out, errNoProgress("phase 4 (baselines)", ak.Raw)
			}
			after = `,"after":` + ak.Raw
		}
	}
	how := fmt.Sprintf("counted by the cluster (composite aggregations per minute) for %d routes", len(list))
	if j.rawOnly {
		raw, docs, capped, err := j.rawBaselines(ctx, p, list, window, exclude)
		out = append(out, raw...)
		if err != nil {
			return out, err
		}
		how += fmt.Sprintf("; for documents that keep only the raw line, %d documents of those routes read and parsed, and their successes counted by logtriage", docs)
		if capped {
			how += fmt.Sprintf(" (stopped at %d documents: the baselines of raw-line documents are partial)", maxRawBaselineDocs)
		}
	}
	j.report.Baselines = how
	j.progress("baselines: %s; %d buckets", how, len(out))
	return out, nil
}

// baselineRoute is a (method, route) of the 405s.
type baselineRoute struct{ method, route string }

// maxRawBaselineDocs bounds the documents the raw-line baseline pass reads.
const maxRawBaselineDocs = 200_000

// routeTokens lists the phrases of a route's literal parts ("/api/carts/{id}" → "api/carts"),
// which the standard analyzer splits into adjacent tokens.
func routeTokens(route string) []string {
	var out []string
	for _, part := range regexp.MustCompile(`\{(id|hash)\}`).Split(route, -1) {
		if strings.IndexFunc(part, func(r rune) bool {
			return r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) >= 0 {
			out = append(out, part)
		}
	}
	return out
}

// rawBaselines is phase 4 for documents that keep only the raw line (docs/elasticsearch.md
// §4.5): nothing is aggregatable, so the documents of each route — found by the method and the
// route's literal parts as phrases in message — are read and parsed like phase 2, and the
// successes counted here, one bucket per document.
func (j *Job) rawBaselines(ctx context.Context, p *Phase, list []baselineRoute, window string, exclude []string) ([]esBucket, int64, bool, error) {
	defer j.closePIT(ctx)
	saved := map[string]esDocStats{}
	for k, v := range j.layerDocs {
		saved[k] = *v
	}
	defer func() { // baseline documents are counts, not documents of the analysis
		for k := range j.layerDocs {
			if v, ok := saved[k]; ok {
				*j.layerDocs[k] = v
			} else {
				delete(j.layerDocs, k)
			}
		}
	}()
	var out []esBucket
	var read int64
	var rec parsers.Record
	var notExists []string
	for _, f := range j.fields["method"] {
		notExists = append(notExists, fmt.Sprintf(`{"exists":{"field":%q}}`, f))
	}
	excl, _ := json.Marshal(exclude)
	if len(exclude) > 0 {
		notExists = append(notExists, `{"ids":{"values":`+string(excl)+`}}`)
	}
	for _, rt := range list {
		filters := []string{}
		if window != "" {
			filters = append(filters, window)
		}
		filters = append(filters, fmt.Sprintf(`{"match_phrase":{"message":%q}}`, rt.method))
		for _, t := range routeTokens(rt.route) {
			filters = append(filters, fmt.Sprintf(`{"match_phrase":{"message":%q}}`, t))
		}
		query := `{"bool":{"filter":[` + strings.Join(filters, ",") + `],"must_not":[` + strings.Join(notExists, ",") + `]}}`
		capped := false
		err := j.pages(ctx, "phase 4 (baselines, raw lines)", query, p, func(index, id string, src gjson.Result) bool {
			read++
			if read > maxRawBaselineDocs {
				capped = true
				return false
			}
			if !j.toRecord(index, id, src, &rec) || rec.Status < 100 || rec.Status >= 400 ||
				!strings.EqualFold(rec.Method, rt.method) || j.opts.Route(rec.Path) != rt.route {
				return true
			}
			t := rec.Time.UnixNano()
			// The bucket outlives rec, whose strings alias the buffer the next document is parsed
			// into (parsers/record.go): it keeps copies (the version before a deploy_regression
			// read as a later document's).
			b := esBucket{layer: strings.Clone(rec.Layer), format: strings.Clone(rec.Format), method: rt.method, path: rt.route,
				addr: strings.Clone(rec.UpstreamAddr), service: strings.Clone(rec.Service), host: strings.Clone(rec.Host), status: rec.Status,
				n: 1, first: t, last: t, input: strings.Clone(rec.File)}
			if len(rec.Upstream) > 0 {
				b.status = rec.Upstream[len(rec.Upstream)-1]
				if rec.Format != parsers.FormatEnvoy {
					b.status = rec.Status
				}
			} else if rec.Format != parsers.FormatEnvoy {
				b.addr = ""
			}
			if v := detailVersion(rec.Detail); v != "" && rec.Format == parsers.FormatApp {
				b.version = strings.Clone(v)
			}
			out = append(out, b)
			return true
		})
		if err != nil || capped {
			return out, read, capped, err
		}
	}
	return out, read, false, nil
}

// detailVersion reads "version=X" from a record's detail (the app parser puts it there).
func detailVersion(detail string) string {
	i := strings.Index(detail, "version=")
	if i < 0 || i > 0 && detail[i-1] != ' ' {
		return ""
	}
	v := detail[i+len("version="):]
	if k := strings.IndexAny(v, " ,;\t"); k >= 0 {
		v = v[:k]
	}
	return strings.Trim(v, `"`)
}

var _ = strconv.Itoa
