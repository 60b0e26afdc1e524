package esfake

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// The fake refuses what Elasticsearch refuses, with Elasticsearch's error shapes (issue 10 item
// 14): unknown parameters and body keys, values of the wrong type, mapping conflicts.

func do(t *testing.T, hs *httptest.Server, method, path, body string) (int, gjson.Result) {
	t.Helper()
	req, _ := http.NewRequest(method, hs.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, gjson.ParseBytes(b)
}

func TestRejectsWhatElasticsearchRejects(t *testing.T) {
	srv := New()
	if err := srv.AddDocument("logs-a", "1", []byte(`{"@timestamp":"2026-11-24T10:00:00Z","http":{"response":{"status_code":405}},"message":"x"}`)); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	cases := []struct {
		name, method, path, body string
		status                   int
		typ, reason              string
	}{
		{"unknown search parameter", "POST", "/logs-a/_search?bogus=1", `{}`, 400, "illegal_argument_exception", "request [/logs-a/_search] contains unrecognized parameter: [bogus]"},
		{"unknown field_caps parameter", "GET", "/logs-a/_field_caps?fields=*&size=1", ``, 400, "illegal_argument_exception", "unrecognized parameter: [size]"},
		{"unknown body key", "POST", "/logs-a/_search", `{"querry":{}}`, 400, "parsing_exception", "Unknown key for a START_OBJECT in [querry]."},
		{"size of the wrong type", "POST", "/logs-a/_search", `{"size":"ten"}`, 400, "x_content_parse_exception", "failed to parse field [size]"},
		{"search_after of the wrong type", "POST", "/logs-a/_search", `{"search_after":5}`, 400, "x_content_parse_exception", "failed to parse field [search_after]"},
		{"unknown pit key", "POST", "/_search", `{"pit":{"id":"x","keepalive":"1m"}}`, 400, "x_content_parse_exception", "unknown field [keepalive]"},
		{"unknown close-PIT key", "DELETE", "/_pit", `{"pit_id":"x"}`, 400, "x_content_parse_exception", "unknown field [pit_id]"},
		{"unknown mapping type", "PUT", "/idx", `{"mappings":{"properties":{"a":{"type":"strang"}}}}`, 400, "mapper_parsing_exception", "No handler for type [strang]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := do(t, hs, c.method, c.path, c.body)
			if status != c.status || body.Get("error.type").String() != c.typ ||
				body.Get("error.root_cause.0.type").String() != c.typ || body.Get("status").Int() != int64(c.status) ||
				!strings.Contains(body.Get("error.reason").String(), c.reason) {
				t.Errorf("got %d %s", status, body.Raw)
			}
		})
	}
}

func TestMappingConflicts(t *testing.T) {
	srv := New()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	if st, b := do(t, hs, "PUT", "/findings", `{"mappings":{"dynamic":"false","properties":{"l":{"properties":{"masked":{"type":"long"},"at":{"type":"date"},"ok":{"type":"boolean"}}}}}}`); st != 200 {
		t.Fatalf("create: %d %s", st, b.Raw)
	}
	bulk := strings.Join([]string{
		`{"index":{"_id":"a"}}`, `{"l":{"masked":3,"ok":true}}`,
		`{"index":{"_id":"b"}}`, `{"l":{"masked":true}}`, // a boolean in a long
		`{"index":{"_id":"c"}}`, `{"l":{"at":"yesterday"}}`, // not a date
		`{"index":{"_id":"d"}}`, `{"l":{"ok":"maybe"}}`, // not a boolean
		`{"index":{"_id":"e"}}`, `{"l":"flat"}`, // a value for an object
		`{"index":{"_id":"f"}}`, `{"unmapped":{"x":1},"l":{"masked":"7"}}`, // dynamic false; a numeric string is coerced
	}, "\n") + "\n"
	st, b := do(t, hs, "POST", "/findings/_bulk?refresh=wait_for", bulk)
	if st != 200 || !b.Get("errors").Bool() {
		t.Fatalf("bulk: %d %s", st, b.Raw)
	}
	want := []int64{201, 400, 400, 400, 400, 201}
	for i, it := range b.Get("items").Array() {
		if got := it.Get("index.status").Int(); got != want[i] {
			t.Errorf("item %d: status %d, want %d: %s", i, got, want[i], it.Raw)
		}
		if want[i] == 400 && it.Get("index.error.type").String() != "document_parsing_exception" {
			t.Errorf("item %d: %s", i, it.Raw)
		}
	}
	if r := b.Get("items.1.index.error.reason").String(); !strings.Contains(r, "failed to parse field [l.masked] of type [long] in document with id 'b'") {
		t.Errorf("reason: %s", r)
	}
	// Dynamic mapping: the first value fixes the type of a new field.
	if err := srv.AddDocument("logs-x", "1", []byte(`{"n":5}`)); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddDocument("logs-x", "2", []byte(`{"n":false}`)); err == nil || !strings.Contains(err.Error(), "of type [long]") {
		t.Errorf("dynamic long accepted a boolean: %v", err)
	}
}

func TestIgnoreAfterFault(t *testing.T) {
	srv := New()
	for i := 0; i < 3; i++ {
		srv.AddDocument("logs-a", string(rune('a'+i)), []byte(`{"@timestamp":"2026-11-24T10:00:00Z"}`))
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	_, first := do(t, hs, "POST", "/logs-a/_search", `{"size":1,"sort":["@timestamp"]}`)
	srv.Inject(Fault{Endpoint: "search", IgnoreAfter: true})
	_, again := do(t, hs, "POST", "/logs-a/_search", `{"size":1,"sort":["@timestamp"],"search_after":[`+first.Get("hits.hits.0.sort.0").Raw+`]}`)
	if first.Get("hits.hits.0._id").String() != again.Get("hits.hits.0._id").String() {
		t.Errorf("search_after was not ignored: %s then %s", first.Raw, again.Raw)
	}
}

// OpenSearch mode: its GET /, no product header, its PIT API, no _shard_doc, wildcard url fields
// that cannot be aggregated, the security plugin's 401.
func TestOpenSearchMode(t *testing.T) {
	srv := NewOpenSearch()
	srv.AddDocument("logs-a", "1", []byte(`{"@timestamp":"2026-11-24T10:00:00Z","url":{"path":"/x"},"message":"GET /x"}`))
	hs := httptest.NewServer(srv)
	defer hs.Close()
	res, err := http.Get(hs.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if gjson.GetBytes(b, "version.distribution").String() != "opensearch" || res.Header.Get("X-Elastic-Product") != "" {
		t.Errorf("GET /: %s %v", b, res.Header)
	}
	if st, _ := do(t, hs, "POST", "/logs-a/_pit?keep_alive=1m", ""); st < 400 {
		t.Errorf("the Elasticsearch PIT API answered %d", st)
	}
	st, pit := do(t, hs, "POST", "/logs-a/_search/point_in_time?keep_alive=1m", "")
	id := pit.Get("pit_id").String()
	if st != 200 || id == "" {
		t.Fatalf("open: %d %s", st, pit.Raw)
	}
	if st, b := do(t, hs, "POST", "/_search", `{"pit":{"id":"`+id+`"},"sort":[{"_shard_doc":"asc"}]}`); st != 400 || !strings.Contains(b.Raw, "_shard_doc") {
		t.Errorf("_shard_doc sort: %d %s", st, b.Raw)
	}
	if st, b := do(t, hs, "POST", "/_search", `{"pit":{"id":"`+id+`"},"sort":[{"_index":"asc"},{"_id":"asc"}]}`); st != 200 || b.Get("hits.hits.0.sort.1").String() != "1" {
		t.Errorf("_index/_id sort: %d %s", st, b.Raw)
	}
	if st, b := do(t, hs, "POST", "/logs-a/_search", `{"size":0,"aggs":{"p":{"terms":{"field":"url.path"}}}}`); st != 400 || !strings.Contains(b.Raw, "wildcard") {
		t.Errorf("terms on a wildcard field: %d %s", st, b.Raw)
	}
	if _, fc := do(t, hs, "GET", "/logs-a/_field_caps?fields=url.path", ""); fc.Get("fields.url\\.path.wildcard.aggregatable").Bool() {
		t.Errorf("field caps: %s", fc.Raw)
	}
	if st, b := do(t, hs, "DELETE", "/_search/point_in_time", `{"pit_id":["`+id+`"]}`); st != 200 || !b.Get("pits.0.successful").Bool() || srv.OpenPITs() != 0 {
		t.Errorf("close: %d %s", st, b.Raw)
	}
	srv.Inject(Fault{Endpoint: "search", Status: 403})
	if st, b := do(t, hs, "POST", "/logs-a/_search", `{}`); st != 403 || b.Get("error.type").String() != "security_exception" ||
		!strings.HasPrefix(b.Get("error.reason").String(), "no permissions for [indices:data/read/search]") {
		t.Errorf("403: %d %s", st, b.Raw)
	}
	srv.SetCredentials("", "u", "p")
	if st, b := do(t, hs, "GET", "/", ""); st != 401 || b.Raw != "" && b.IsObject() {
		t.Errorf("401: %d %s", st, b.Raw)
	}
}

// Index names are lower case: creating one with capitals (PUT, or a bulk write that would
// create it) is refused with Elasticsearch's 400 invalid_index_name_exception, while reading
// matches names case-sensitively, as Elasticsearch does: a pattern with capitals matches
// nothing (an error only with allow_no_indices=false), a concrete name with capitals is missing.
func TestUpperCaseIndexNames(t *testing.T) {
	srv := New()
	if err := srv.AddDocument("logs-a", "1", []byte(`{"@timestamp":"2026-11-24T10:00:00Z","message":"x"}`)); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddDocument("Logs-B", "1", []byte(`{"message":"x"}`)); err == nil || !strings.Contains(err.Error(), "Invalid index name [Logs-B], must be lowercase") {
		t.Errorf("AddDocument into Logs-B: %v", err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	status, body := do(t, hs, "PUT", "/Logs-B", `{}`)
	if status != 400 || body.Get("status").Int() != 400 {
		t.Errorf("PUT /Logs-B: %d %s", status, body.Raw)
	}
	for _, p := range []string{"error", "error.root_cause.0"} {
		e := body.Get(p)
		if e.Get("type").String() != "invalid_index_name_exception" || e.Get("reason").String() != "Invalid index name [Logs-B], must be lowercase" ||
			e.Get("index").String() != "Logs-B" || e.Get("index_uuid").String() != "_na_" {
			t.Errorf("PUT /Logs-B: %s is %s", p, e.Raw)
		}
	}

	status, body = do(t, hs, "POST", "/_bulk", "{\"index\":{\"_index\":\"Logs-B\",\"_id\":\"1\"}}\n{\"message\":\"x\"}\n{\"index\":{\"_index\":\"logs-b\",\"_id\":\"1\"}}\n{\"message\":\"x\"}\n")
	item := body.Get("items.0.index")
	if status != 200 || !body.Get("errors").Bool() || item.Get("status").Int() != 400 ||
		item.Get("error.type").String() != "invalid_index_name_exception" || item.Get("error.index").String() != "Logs-B" ||
		body.Get("items.1.index.status").Int() != 201 {
		t.Errorf("bulk into Logs-B and logs-b: %d %s", status, body.Raw)
	}

	for _, c := range []struct {
		path   string
		status int
		hits   int64
		typ    string
	}{
		{"/Logs-*/_search?ignore_unavailable=true", 200, 0, ""},
		{"/logs-*/_search?ignore_unavailable=true", 200, 2, ""},
		{"/LOGS-A/_search", 404, 0, "index_not_found_exception"},
		{"/LOGS-A/_search?ignore_unavailable=true", 200, 0, ""},
		{"/Logs-*/_field_caps?fields=*&ignore_unavailable=true", 200, 0, ""},
		{"/Logs-*,logs-*/_field_caps?fields=*&ignore_unavailable=true&allow_no_indices=false", 404, 0, "index_not_found_exception"},
		{"/logs-*/_field_caps?fields=*&ignore_unavailable=true&allow_no_indices=false", 200, 0, ""},
		{"/LOGS-A/_field_caps?fields=*&ignore_unavailable=true&allow_no_indices=false", 404, 0, "index_not_found_exception"},
	} {
		status, body := do(t, hs, "POST", c.path, `{}`)
		if status != c.status || body.Get("error.type").String() != c.typ || c.status == 200 && body.Get("hits.total.value").Int() != c.hits {
			t.Errorf("%s: %d %s", c.path, status, body.Raw)
		}
	}
	if _, body := do(t, hs, "GET", "/Logs-*,logs-*/_field_caps?fields=*&allow_no_indices=false", ``); body.Get("error.reason").String() != "no such index [Logs-*]" {
		t.Errorf("allow_no_indices=false names the pattern that matched nothing: %s", body.Raw)
	}
}
