package esfake

import (
	"net/http"

	"github.com/tidwall/gjson"
)

// OpenSearch mode (NewOpenSearch): the server behaves as an OpenSearch 2.17 cluster does where
// logtriage can tell the difference —
//   - GET / says version.distribution "opensearch"; no response carries X-Elastic-Product;
//   - point in time: POST /<index>/_search/point_in_time?keep_alive= answers {"pit_id"}, DELETE
//     /_search/point_in_time takes {"pit_id": [...]}; the Elasticsearch /_pit endpoints do not exist;
//   - no _shard_doc sort (it arrived in OpenSearch 3.3) and no implicit tiebreaker on PIT searches;
//     sorting on _index and _id works (fielddata on _id is on by default in 2.x);
//   - ECS url.path and url.original are wildcard fields: searchable, not aggregatable or sortable;
//     message is text; there is no constant_keyword or match_only_text;
//   - errors: a 401 from the security plugin is the plain text "Unauthorized"; a document that
//     does not fit its mapping fails with mapper_parsing_exception.

// OpenSearchVersion is the version an OpenSearch-mode server claims.
const OpenSearchVersion = "2.17.1"

// NewOpenSearch returns an empty server in OpenSearch mode.
func NewOpenSearch() *Server {
	s := New()
	s.openSearch = true
	return s
}

// wildcardFields are mapped as wildcard in OpenSearch mode (as the ECS templates map them).
var wildcardFields = map[string]bool{"url.path": true, "url.original": true}

// fieldType is the type field_caps reports for a column.
func (s *Server) fieldType(name string, c *column) string {
	switch {
	case name == "@timestamp":
		return "date"
	case s.openSearch && wildcardFields[name]:
		return "wildcard"
	case c != nil && c.numeric:
		return "long"
	case c != nil && c.text && s.openSearch:
		return "text"
	case c != nil && c.text:
		return "match_only_text"
	}
	return "keyword"
}

// fielddataErr is OpenSearch's answer to an aggregation or sort on a field without doc values.
func (s *Server) fielddataErr(field string) error {
	c := s.st.cols[field]
	if !s.openSearch || c == nil { // an unmapped field aggregates to nothing, without error
		return nil
	}
	typ := s.fieldType(field, c)
	if typ != "wildcard" && typ != "text" {
		return nil
	}
	return &esError{status: 400, typ: "illegal_argument_exception", shard: true,
		reason: "Can't load fielddata on [" + field + "] because fielddata is unsupported on fields of type [" + typ + "]. Use doc values instead"}
}

func (s *Server) osInfo() map[string]any {
	return map[string]any{"name": "osfake-1", "cluster_name": "osfake", "cluster_uuid": "fakeclusteruuid0000000",
		"version": map[string]any{"distribution": "opensearch", "number": OpenSearchVersion, "build_type": "tar",
			"build_hash": "0000000", "build_date": "2024-10-01T00:00:00.000Z", "build_snapshot": false,
			"lucene_version": "9.11.1", "minimum_wire_compatibility_version": "7.10.0",
			"minimum_index_compatibility_version": "7.0.0"},
		"tagline": "The OpenSearch Project: https://opensearch.org/"}
}

// osOpenPIT is POST /<index>/_search/point_in_time.
func (s *Server) osOpenPIT(r *http.Request, parts []string) (any, error) {
	res, err := s.openPIT(r, parts)
	if err != nil {
		return nil, err
	}
	m := res.(map[string]any)
	return map[string]any{"pit_id": m["id"], "_shards": m["_shards"], "creation_time": s.now().UnixMilli()}, nil
}

// osClosePIT is DELETE /_search/point_in_time {"pit_id": [...]}.
func (s *Server) osClosePIT(body []byte) (any, int, error) {
	ids := gjson.GetBytes(body, "pit_id")
	if !ids.IsArray() {
		return nil, 0, &esError{status: 400, typ: "parse_exception", reason: "Failed to parse delete PIT request: [pit_id] must be an array"}
	}
	var pits []any
	for _, id := range ids.Array() {
		_, ok := s.pits[id.String()]
		delete(s.pits, id.String())
		pits = append(pits, map[string]any{"successful": ok, "pit_id": id.String()})
	}
	return map[string]any{"pits": pits}, 200, nil
}

// osUnauthorized answers 401 as the OpenSearch security plugin does.
func (rw *respWriter) osUnauthorized() {
	rw.w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	rw.w.Header().Set("WWW-Authenticate", `Basic realm="OpenSearch Security"`)
	rw.write(401, []byte("Unauthorized"))
}
