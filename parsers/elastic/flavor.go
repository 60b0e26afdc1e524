package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/logtriage/logtriage/parsers"
	"github.com/tidwall/gjson"
)

// Elasticsearch and OpenSearch (docs/opensearch.md §1–§3): one query planner, and here the few
// places where the two differ —
//
//	                 Elasticsearch 8.x / 9.x           OpenSearch 2.x
//	product check    X-Elastic-Product on GET /        version.distribution "opensearch"
//	open a PIT       POST /<idx>/_pit?keep_alive=      POST /<idx>/_search/point_in_time?keep_alive=
//	                 → {"id"}                          → {"pit_id"}
//	close a PIT      DELETE /_pit {"id"}               DELETE /_search/point_in_time {"pit_id":[…]}
//	page order       _shard_doc                        the --es-field tiebreaker field when
//	                                                   _field_caps finds it sortable everywhere,
//	                                                   else _index then _id (unique together;
//	                                                   _shard_doc arrived in OpenSearch 3.3)
//
// The search body on a PIT ("pit": {"id", "keep_alive"}, no index in the path) is the same. The
// go-elasticsearch client refuses any 2xx without X-Elastic-Product; once GET / has shown an
// OpenSearch cluster, the job's transport vouches for it by adding the header to its answers.
// Which fields the aggregations use comes from _field_caps in both flavors (discover, job.go).

// Flavors of cluster.
const (
	FlavorElasticsearch = "elasticsearch"
	FlavorOpenSearch    = "opensearch"
)

// detect reads GET / with a plain request (the client's product check would refuse OpenSearch
// before the body could say what it is) and settles the flavor. It asks each --url in turn until
// one answers: the client spreads its requests over all of them and passes over a node that is
// down, so one node down must not stop the run before it starts.
func (j *Job) detect(ctx context.Context) ([]byte, error) {
	bases := j.opts.URLs
	if len(bases) == 0 {
		bases = []string{"http://localhost:9200"}
	}
	var down []string // the nodes that did not answer, with why
	for _, base := range bases {
		body, err := j.detectAt(ctx, base)
		var e *Error
		if err == nil || ctx.Err() != nil || !errors.As(err, &e) || e.Kind != Unreachable || len(bases) == 1 {
			return body, err
		}
		down = append(down, strings.TrimPrefix(e.Msg, "connecting: "))
	}
	return nil, &Error{Unreachable, fmt.Sprintf("connecting: no node answered: %s", strings.Join(down, "; "))}
}

// detectAt asks one node.
func (j *Job) detectAt(ctx context.Context, base string) ([]byte, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, &Error{Unreachable, "connecting: the cluster URL does not parse"}
	}
	user := u.User
	u.User = nil
	u.Path = strings.TrimSuffix(u.Path, "/") + "/"
	rctx, cancel := context.WithTimeout(ctx, j.opts.Timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	switch {
	case j.opts.AWS != nil:
	case j.opts.APIKey != "":
		req.Header.Set("Authorization", "APIKey "+j.opts.APIKey)
	case j.opts.Username != "" && j.opts.Password != "":
		req.SetBasicAuth(j.opts.Username, j.opts.Password)
	case user != nil:
		p, _ := user.Password()
		req.SetBasicAuth(user.Username(), p)
	}
	if j.opts.OpaqueID != "" {
		req.Header.Set("X-Opaque-Id", j.opts.OpaqueID)
	}
	res, err := j.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, &Error{Canceled, "connecting: interrupted"}
		}
		return nil, j.transportErrAt("connecting", redactURL(base), err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, &Error{Unreachable, fmt.Sprintf("connecting: reading the response: %v", err)}
	}
	at := redactURL(base)
	switch st := res.StatusCode; {
	case st == 429 || st >= 500:
		// GET / is not retried: say so, and let detect ask the next node.
		return nil, &Error{Unreachable, fmt.Sprintf("connecting: %s answered GET / with %d: the cluster (or a proxy in front of it) is overloaded or unavailable; try again, or give the URL of another node", at, st)}
	case st == 401 || st == 403:
		return nil, j.statusErr("connecting", st, body)
	case st > 299:
		// Elasticsearch and OpenSearch answer GET / with the cluster's name and version to anyone
		// allowed in: any other status is another server (Kibana, a web server, a wrong path).
		return nil, &Error{WrongProduct, fmt.Sprintf("connecting: %s answered GET / with %d, which Elasticsearch and OpenSearch never do: check --url (the cluster's HTTP port, 9200 by default, not Kibana's 5601; a path only if a proxy serves the cluster under one)", at, st)}
	}
	if !gjson.ValidBytes(body) {
		return nil, &Error{WrongProduct, fmt.Sprintf("connecting: the server at %s does not answer GET / with JSON: not Elasticsearch or OpenSearch", at)}
	}
	dist := gjson.GetBytes(body, "version.distribution").String()
	version := gjson.GetBytes(body, "version.number").String()
	isES := res.Header.Get("X-Elastic-Product") == "Elasticsearch"
	switch j.opts.Flavor {
	case "":
		j.flavor = FlavorElasticsearch
		if dist == "opensearch" {
			j.flavor = FlavorOpenSearch
		}
	case FlavorElasticsearch:
		if dist == "opensearch" && !isES {
			return nil, &Error{WrongProduct, fmt.Sprintf("connecting: the server at %s is OpenSearch %s (its GET / says so), not Elasticsearch: leave --flavor out, or give --flavor opensearch", at, version)}
		}
		j.flavor = FlavorElasticsearch
	case FlavorOpenSearch:
		if isES && dist != "opensearch" {
			return nil, &Error{WrongProduct, fmt.Sprintf("connecting: the server at %s is Elasticsearch %s (X-Elastic-Product header), not OpenSearch: OpenSearch's point-in-time calls would fail on it; leave --flavor out, or give --flavor elasticsearch", at, version)}
		}
		j.flavor = FlavorOpenSearch
	default:
		return nil, fmt.Errorf("--flavor %q: want elasticsearch or opensearch", j.opts.Flavor)
	}
	if j.flavor == FlavorElasticsearch && !isES {
		return nil, &Error{WrongProduct, fmt.Sprintf("connecting: the server at %s is not Elasticsearch (no X-Elastic-Product header) nor OpenSearch (no version.distribution \"opensearch\"); if it is a compatible server, try --flavor opensearch", at)}
	}
	return body, nil
}

// perform sends a request through the client (retries, counting) and reads the answer.
func (j *Job) perform(ctx context.Context, what, method, path string, body []byte) ([]byte, error) {
	rctx, cancel := context.WithTimeout(ctx, j.opts.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(rctx, method, path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if j.opts.OpaqueID != "" {
		req.Header.Set("X-Opaque-Id", j.opts.OpaqueID)
	}
	res, err := j.es.Perform(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, &Error{Canceled, what + ": interrupted"}
		}
		return nil, j.transportErr(what, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, j.opts.MaxResponseBytes))
	if err != nil {
		return nil, &Error{Unreachable, fmt.Sprintf("%s: reading the response: %v", what, err)}
	}
	if res.StatusCode > 299 {
		return nil, j.statusErr(what, res.StatusCode, data)
	}
	return data, nil
}

// osOpenPIT opens an OpenSearch point in time.
func (j *Job) osOpenPIT(ctx context.Context) error {
	var names []string
	for _, n := range j.opts.Indices {
		names = append(names, url.PathEscape(n))
	}
	data, err := j.perform(ctx, "opening a point in time", http.MethodPost,
		"/"+strings.Join(names, ",")+"/_search/point_in_time?keep_alive=2m", nil)
	if err != nil {
		return err
	}
	j.pitID = gjson.GetBytes(data, "pit_id").String()
	if j.pitID == "" {
		return &Error{BadQuery, "opening a point in time: no pit_id in the answer"}
	}
	return nil
}

// osClosePIT closes an OpenSearch point in time.
func (j *Job) osClosePIT(ctx context.Context, id string) {
	body, _ := json.Marshal(map[string][]string{"pit_id": {id}})
	j.perform(ctx, "closing the point in time", http.MethodDelete, "/_search/point_in_time", body)
}

// pageSort is the sort of PIT pages: a total order, so search_after never skips or repeats.
func (j *Job) pageSort() string {
	if j.flavor != FlavorOpenSearch {
		return `[{"_shard_doc":"asc"}]`
	}
	if j.tiebreak != "" {
		return fmt.Sprintf(`[{%q:"asc"}]`, j.tiebreak)
	}
	return `[{"_index":"asc"},{"_id":"asc"}]`
}

// fieldCaps holds what _field_caps said of each field: its types and whether it can be
// aggregated (and so sorted) in every index that maps it.
type fieldCaps map[string]struct {
	types        []string
	aggregatable bool
}

func (j *Job) readFieldCaps(data []byte) fieldCaps {
	fc := fieldCaps{}
	gjson.GetBytes(data, "fields").ForEach(func(name, byType gjson.Result) bool {
		e := fc[name.Str]
		e.aggregatable = true
		byType.ForEach(func(typ, caps gjson.Result) bool {
			e.types = append(e.types, typ.Str)
			if !caps.Get("aggregatable").Bool() {
				e.aggregatable = false
			}
			return true
		})
		sort.Strings(e.types)
		fc[name.Str] = e
		return true
	})
	return fc
}

// aggField returns the field to aggregate on for a name: the field itself when every index can
// aggregate it, else its keyword sub-field, else "" (wildcard and text fields cannot be).
func (fc fieldCaps) aggField(name string) string {
	for _, c := range []string{name, name + ".keyword"} {
		if e, ok := fc[c]; ok && e.aggregatable {
			return c
		}
	}
	if _, ok := fc[name]; !ok {
		return name // not mapped anywhere: harmless, it only gives missing buckets
	}
	return ""
}

// usable reports whether a field can be a terms source: aggregatable, or not mapped at all.
func (fc fieldCaps) usable(name string) bool {
	e, ok := fc[name]
	return !ok || e.aggregatable
}

// pathSources are phase 1's composite sources for the path and the URL, each only when it can
// be aggregated.
func (j *Job) pathSources() string {
	var b strings.Builder
	if j.aggPath != "" {
		fmt.Fprintf(&b, `{"path":{"terms":{"field":%q,"missing_bucket":true}}},`, j.aggPath)
	}
	if j.aggURL != "" {
		fmt.Fprintf(&b, `{"url":{"terms":{"field":%q,"missing_bucket":true}}},`, j.aggURL)
	}
	return b.String()
}

// groupsFromRecords replaces phase 1's groups by ones counted from the 405 documents read, when
// neither url.path nor url.original could be aggregated (the routes are then known only for the
// documents read: all of them unless --max-requests cut phase 2 short).
func (j *Job) groupsFromRecords(recs []*parsers.Record) {
	groups := map[string]*Group{}
	var keys []string
	for _, r := range recs {
		if !j.wanted(r) {
			continue
		}
		g := Group{Layer: r.Layer, Index: r.File, Method: r.Method, Route: j.opts.Route(r.Path), Status: strconv.Itoa(r.Status)}
		k := g.Layer + "\x00" + g.Index + "\x00" + g.Method + "\x00" + g.Route + "\x00" + g.Status
		cur := groups[k]
		if cur == nil {
			cur = &g
			groups[k] = cur
			keys = append(keys, k)
		}
		cur.Count++
		if cur.First.IsZero() || r.Time.Before(cur.First) {
			cur.First = r.Time
		}
		if r.Time.After(cur.Last) {
			cur.Last = r.Time
		}
	}
	j.report.Groups = j.report.Groups[:0]
	for _, k := range keys {
		j.report.Groups = append(j.report.Groups, *groups[k])
	}
	sort.SliceStable(j.report.Groups, func(a, b int) bool { return j.report.Groups[a].Count > j.report.Groups[b].Count })
}
