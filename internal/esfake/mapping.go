package esfake

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Mappings and request validation: what Elasticsearch refuses, the fake refuses too, with the
// same error types, so the job cannot come to depend on something a real cluster rejects.
//
// Each index has a mapping: field types from PUT /<index> or, for fields not mapped there (unless
// "dynamic" is false), from the first value indexed (dynamic mapping: integer → long, other
// numbers → float, true/false → boolean, strings that read as dates → date, other strings →
// keyword, message → text). A value that the mapped type cannot hold fails the document with
// document_parsing_exception, as a long field given true does.

// mapping is one index's field types by dotted name ("object" for object fields).
type mapping struct {
	types   map[string]string
	dynamic bool
}

func newMapping() *mapping { return &mapping{types: map[string]string{}, dynamic: true} }

// knownTypes are the field types the fake understands in a mapping.
var knownTypes = map[string]bool{"keyword": true, "constant_keyword": true, "wildcard": true, "text": true,
	"match_only_text": true, "long": true, "integer": true, "short": true, "byte": true, "float": true,
	"double": true, "half_float": true, "scaled_float": true, "unsigned_long": true, "boolean": true,
	"date": true, "date_nanos": true, "ip": true, "object": true, "flattened": true, "nested": true}

// parseMapping reads the "mappings" of an index creation body.
func parseMapping(m gjson.Result) (*mapping, error) {
	mp := newMapping()
	if !m.Exists() {
		return mp, nil
	}
	if !m.IsObject() {
		return nil, &esError{status: 400, typ: "mapper_parsing_exception", reason: "Failed to parse mapping: Expected map for property [mappings] on field [_doc]"}
	}
	var err error
	m.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "dynamic":
			mp.dynamic = v.String() != "false" && v.String() != "strict"
		case "properties":
			err = mp.properties("", v)
		case "dynamic_templates", "_source", "date_detection", "numeric_detection", "_meta", "runtime", "dynamic_date_formats":
		default:
			err = &esError{status: 400, typ: "mapper_parsing_exception", reason: "Root mapping definition has unsupported parameters:  [" + k.Str + " : " + v.Raw + "]"}
		}
		return err == nil
	})
	return mp, err
}

func (mp *mapping) properties(prefix string, props gjson.Result) error {
	var err error
	props.ForEach(func(k, v gjson.Result) bool {
		name := k.Str
		if prefix != "" {
			name = prefix + "." + k.Str
		}
		typ := v.Get("type").String()
		if typ == "" && v.Get("properties").Exists() {
			typ = "object"
		}
		if !knownTypes[typ] {
			err = &esError{status: 400, typ: "mapper_parsing_exception", reason: fmt.Sprintf("Failed to parse mapping: No handler for type [%s] declared on field [%s]", typ, k.Str)}
			return false
		}
		mp.types[name] = typ
		if typ == "object" {
			err = mp.properties(name, v.Get("properties"))
		}
		return err == nil
	})
	return err
}

// fieldErr is the error of a value the mapped type cannot hold.
func fieldErr(field, typ, id, preview, cause string) *esError {
	return &esError{status: 400, typ: "document_parsing_exception",
		reason: fmt.Sprintf("[1:2] failed to parse field [%s] of type [%s] in document with id '%s'. Preview of field's value: '%s'", field, typ, id, preview),
		cause:  cause}
}

// check validates a decoded document against the mapping and returns the dynamic mappings it
// adds (applied by the caller once the document is accepted).
func (mp *mapping) check(obj map[string]any, id string) (map[string]string, error) {
	added := map[string]string{}
	var walk func(prefix string, v any) error
	walk = func(name string, v any) error {
		typ, mapped := mp.types[name]
		if !mapped {
			typ, mapped = added[name]
		}
		switch x := v.(type) {
		case map[string]any:
			if mapped && typ != "object" && typ != "flattened" && typ != "nested" {
				return fieldErr(name, typ, id, previewOf(x), "Can't get text on a START_OBJECT")
			}
			if !mapped && (mp.dynamic || name == "") && name != "" {
				added[name] = "object"
			}
			if typ == "flattened" {
				return nil
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				sub := k
				if name != "" {
					sub = name + "." + k
				}
				if err := walk(sub, x[k]); err != nil {
					return err
				}
			}
			return nil
		case []any:
			for _, e := range x {
				if err := walk(name, e); err != nil {
					return err
				}
			}
			return nil
		case nil:
			return nil
		}
		if mapped && typ == "object" {
			return &esError{status: 400, typ: "document_parsing_exception",
				reason: fmt.Sprintf("[1:2] object mapping for [%s] tried to parse field [%s] as object, but found a concrete value", name, lastPart(name))}
		}
		if !mapped {
			if !mp.dynamic {
				return nil
			}
			added[name] = dynamicType(name, v)
			return nil
		}
		return valueFits(name, typ, id, v)
	}
	if err := walk("", obj); err != nil {
		return nil, err
	}
	return added, nil
}

func lastPart(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

func previewOf(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 100 {
		b = b[:100]
	}
	return string(b)
}

// dynamicType is the type dynamic mapping gives a field's first value.
func dynamicType(name string, v any) string {
	switch x := v.(type) {
	case bool:
		return "boolean"
	case json.Number:
		if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return "long"
		}
		return "float"
	case string:
		if name == "message" || name == "error.message" {
			return "text"
		}
		if _, ok := parseDate(x); ok && strings.Contains(x, "-") && len(x) >= 10 {
			return "date"
		}
	}
	return "keyword"
}

// valueFits reports whether a scalar can be indexed into a field of type typ (Elasticsearch
// coerces numeric strings into numbers and anything scalar into keywords).
func valueFits(name, typ, id string, v any) error {
	s := fmt.Sprint(v)
	switch typ {
	case "long", "integer", "short", "byte", "unsigned_long":
		switch x := v.(type) {
		case json.Number:
			return nil
		case string:
			if _, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return nil
			}
			return fieldErr(name, typ, id, s, "For input string: \""+s+"\"")
		case bool:
			return fieldErr(name, typ, id, s, "Current token (VALUE_"+strings.ToUpper(s)+") not numeric, can not use numeric value accessors")
		}
	case "float", "double", "half_float", "scaled_float":
		switch x := v.(type) {
		case json.Number:
			return nil
		case string:
			if _, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return nil
			}
		}
		return fieldErr(name, typ, id, s, "For input string: \""+s+"\"")
	case "boolean":
		switch x := v.(type) {
		case bool:
			return nil
		case string:
			if x == "true" || x == "false" || x == "" {
				return nil
			}
		}
		return fieldErr(name, typ, id, s, "Failed to parse value ["+s+"] as only [true] or [false] are allowed.")
	case "date", "date_nanos":
		switch x := v.(type) {
		case string:
			if _, ok := parseDate(x); ok {
				return nil
			}
		case json.Number:
			return nil
		}
		return fieldErr(name, typ, id, s, "failed to parse date field ["+s+"] with format [strict_date_optional_time||epoch_millis]")
	case "ip":
		if x, ok := v.(string); ok && (strings.Count(x, ".") == 3 || strings.Contains(x, ":")) {
			return nil
		}
		return fieldErr(name, typ, id, s, "'"+s+"' is not an IP string literal.")
	}
	return nil
}

// Query-string parameters each endpoint accepts; Elasticsearch answers any other with 400
// illegal_argument_exception "request [/_search] contains unrecognized parameter: [x]".
var commonParams = []string{"pretty", "human", "error_trace", "filter_path", "format"}

var endpointParams = map[string][]string{
	"info":       {},
	"field_caps": {"fields", "ignore_unavailable", "allow_no_indices", "expand_wildcards", "include_unmapped", "filters", "types", "include_empty_fields"},
	"pit_open":   {"keep_alive", "ignore_unavailable", "expand_wildcards", "preference", "routing", "allow_partial_search_results", "max_concurrent_shard_requests"},
	"pit_close":  {},
	"search": {"ignore_unavailable", "allow_no_indices", "expand_wildcards", "track_total_hits", "size", "from", "sort",
		"_source", "_source_includes", "_source_excludes", "typed_keys", "rest_total_hits_as_int", "request_cache",
		"preference", "routing", "timeout", "allow_partial_search_results", "batched_reduce_size",
		"ccs_minimize_roundtrips", "search_type", "q", "df", "analyzer", "max_concurrent_shard_requests",
		"pre_filter_shard_size", "terminate_after", "stored_fields", "docvalue_fields", "seq_no_primary_term",
		"version", "explain", "stats", "scroll", "lenient", "default_operator", "analyze_wildcard", "ignore_throttled"},
	"count": {"ignore_unavailable", "allow_no_indices", "expand_wildcards", "q", "df", "analyzer", "min_score",
		"preference", "routing", "terminate_after", "lenient", "default_operator", "analyze_wildcard", "ignore_throttled"},
	"bulk": {"refresh", "routing", "timeout", "wait_for_active_shards", "pipeline", "require_alias",
		"require_data_stream", "_source", "_source_includes", "_source_excludes", "list_executed_pipelines"},
	"refresh":      {"ignore_unavailable", "allow_no_indices", "expand_wildcards"},
	"index_create": {"wait_for_active_shards", "timeout", "master_timeout"},
	"index_exists": {"ignore_unavailable", "allow_no_indices", "expand_wildcards", "flat_settings", "include_defaults", "local"},
}

// checkParams rejects query-string parameters the endpoint does not know.
func checkParams(ep, path string, q map[string][]string) *esError {
	allowed, ok := endpointParams[ep]
	if !ok {
		return nil
	}
	var bad []string
	for k := range q {
		known := false
		for _, a := range append(allowed, commonParams...) {
			if k == a {
				known = true
				break
			}
		}
		if !known {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	what := "parameter"
	if len(bad) > 1 {
		what = "parameters"
	}
	return &esError{status: 400, typ: "illegal_argument_exception",
		reason: fmt.Sprintf("request [%s] contains unrecognized %s: [%s]", path, what, strings.Join(bad, "], ["))}
}

// checkSearchTypes rejects search body values of the wrong JSON type, as the request parser does.
func checkSearchTypes(req gjson.Result) *esError {
	bad := func(field string) *esError {
		return &esError{status: 400, typ: "x_content_parse_exception", reason: fmt.Sprintf("[1:2] [search] failed to parse field [%s]", field)}
	}
	for _, f := range []string{"size", "from"} {
		if v := req.Get(f); v.Exists() && (v.Type != gjson.Number || v.Num != float64(int64(v.Num))) {
			return bad(f)
		}
	}
	if v := req.Get("track_total_hits"); v.Exists() && v.Type != gjson.True && v.Type != gjson.False && v.Type != gjson.Number {
		return bad("track_total_hits")
	}
	if v := req.Get("search_after"); v.Exists() && !v.IsArray() {
		return bad("search_after")
	}
	if v := req.Get("pit"); v.Exists() && (!v.IsObject() || v.Get("id").Type != gjson.String) {
		return bad("pit")
	}
	if v := req.Get("pit"); v.Exists() {
		var e *esError
		v.ForEach(func(k, _ gjson.Result) bool {
			if k.Str != "id" && k.Str != "keep_alive" {
				e = &esError{status: 400, typ: "x_content_parse_exception", reason: "[1:2] [point_in_time] unknown field [" + k.Str + "]"}
			}
			return e == nil
		})
		if e != nil {
			return e
		}
	}
	for _, f := range []string{"query", "aggs", "aggregations"} {
		if v := req.Get(f); v.Exists() && !v.IsObject() {
			return bad(f)
		}
	}
	if v := req.Get("_source"); v.Exists() && !(v.IsArray() || v.IsObject() || v.Type == gjson.String || v.Type == gjson.True || v.Type == gjson.False) {
		return bad("_source")
	}
	return nil
}
