package elastic_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	elasticsearch "github.com/elastic/go-elasticsearch/v8"

	"github.com/logtriage/logtriage/internal/esfake"
)

// TestESRealCluster runs only when LOGTRIAGE_ES_URL points at a real Elasticsearch 8 cluster
// (credentials from ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD).
// It creates three indices named logtriage-it-<time>-*, bulk-loads samples/incidents in the
// same shapes as the fake server, runs the job and checks that the verdicts equal those of
// the engine on the files; then it deletes the indices.
//
//	docker run -d --name es -p 9200:9200 -e discovery.type=single-node \
//	  -e xpack.security.enabled=false docker.elastic.co/elasticsearch/elasticsearch:8.19.0
//	LOGTRIAGE_ES_URL=http://localhost:9200 go test ./parsers -run TestESRealCluster -v
func TestESRealCluster(t *testing.T) {
	url := os.Getenv("LOGTRIAGE_ES_URL")
	if url == "" {
		t.Skip("LOGTRIAGE_ES_URL is not set")
	}
	es, err := elasticsearch.NewClient(elasticsearch.Config{Addresses: []string{url},
		APIKey: os.Getenv("ELASTICSEARCH_API_KEY"), Username: os.Getenv("ELASTICSEARCH_USERNAME"),
		Password: os.Getenv("ELASTICSEARCH_PASSWORD")})
	if err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("logtriage-it-%d", time.Now().UnixNano())
	// Strings are keywords (as in the ECS templates), message is text, @timestamp a date.
	mapping := `{"mappings":{"dynamic_templates":[
		{"message":{"match":"message","mapping":{"type":"text"}}},
		{"strings":{"match_mapping_type":"string","mapping":{"type":"keyword","ignore_above":1024}}}],
		"properties":{"@timestamp":{"type":"date"}}}}`
	names := map[string]string{esfake.IncidentFilebeat: prefix + "-filebeat", esfake.IncidentNginx: prefix + "-nginx",
		esfake.IncidentApp: prefix + "-app"}
	for _, n := range names {
		res, err := es.Indices.Create(n, es.Indices.Create.WithBody(strings.NewReader(mapping)))
		if err != nil || res.IsError() {
			t.Fatalf("creating %s: %v %v", n, err, res)
		}
		res.Body.Close()
	}
	t.Cleanup(func() {
		if res, err := es.Indices.Delete([]string{prefix + "-*"}); err == nil {
			res.Body.Close()
		}
	})
	var buf bytes.Buffer
	flush := func() {
		if buf.Len() == 0 {
			return
		}
		res, err := es.Bulk(bytes.NewReader(buf.Bytes()), es.Bulk.WithRefresh("true"))
		if err != nil || res.IsError() {
			t.Fatalf("bulk: %v %v", err, res)
		}
		res.Body.Close()
		buf.Reset()
	}
	if _, err := esfake.IncidentDocs(esIncidents, func(target, id string, doc []byte) error {
		fmt.Fprintf(&buf, `{"index":{"_index":%q,"_id":%q}}`+"\n%s\n", names[target], id, doc)
		if buf.Len() > 4<<20 {
			flush()
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	flush()

	opts := esOptions(t, url)
	opts.Indices = []string{prefix + "-*"}
	opts.APIKey, opts.Username, opts.Password = os.Getenv("ELASTICSEARCH_API_KEY"), os.Getenv("ELASTICSEARCH_USERNAME"), os.Getenv("ELASTICSEARCH_PASSWORD")
	got, rep, err := esRun(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := filesAnalysis(t)
	diff(t, "findings", findings(want), findings(got))
	diff(t, "requests", verdicts(want), verdicts(got))
	for _, p := range rep.Phases {
		t.Logf("%-20s requests %3d docs %5d buckets %5d", p.Name, p.Requests, p.Docs, p.Buckets)
	}
	_ = context.Background
}
