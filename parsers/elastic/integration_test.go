package elastic_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/logtriage/logtriage/internal/esfake"
	"github.com/logtriage/logtriage/parsers/elastic"
)

// TestESRealCluster runs only when LOGTRIAGE_ES_URL points at a real Elasticsearch 8 cluster or
// LOGTRIAGE_OPENSEARCH_URL at a real OpenSearch 2.x cluster (credentials from
// ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD). For each, it creates
// three indices named logtriage-it-<time>-*, bulk-loads samples/incidents in the same shapes as
// the fake server (plain HTTP, so either product works), runs the job and checks that the
// verdicts equal those of the engine on the files; then it deletes the indices.
//
//	docker run -d --name es -p 9200:9200 -e discovery.type=single-node \
//	  -e xpack.security.enabled=false docker.elastic.co/elasticsearch/elasticsearch:8.19.0
//	docker run -d --name os -p 9201:9200 -e discovery.type=single-node \
//	  -e DISABLE_SECURITY_PLUGIN=true opensearchproject/opensearch:2.17.1
//	LOGTRIAGE_ES_URL=http://localhost:9200 LOGTRIAGE_OPENSEARCH_URL=http://localhost:9201 \
//	  go test ./parsers/elastic -run TestESRealCluster -v
func TestESRealCluster(t *testing.T) {
	ran := false
	for _, env := range []string{"LOGTRIAGE_ES_URL", "LOGTRIAGE_OPENSEARCH_URL"} {
		url := os.Getenv(env)
		if url == "" {
			continue
		}
		ran = true
		t.Run(env, func(t *testing.T) { realCluster(t, url) })
	}
	if !ran {
		t.Skip("neither LOGTRIAGE_ES_URL nor LOGTRIAGE_OPENSEARCH_URL is set")
	}
}

func realCluster(t *testing.T, url string) {
	call := func(method, path string, body []byte, ctype string) {
		t.Helper()
		req, err := http.NewRequest(method, strings.TrimSuffix(url, "/")+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ctype)
		if k := os.Getenv("ELASTICSEARCH_API_KEY"); k != "" {
			req.Header.Set("Authorization", "ApiKey "+k)
		} else if u := os.Getenv("ELASTICSEARCH_USERNAME"); u != "" {
			req.SetBasicAuth(u, os.Getenv("ELASTICSEARCH_PASSWORD"))
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		res.Body.Close()
		if res.StatusCode > 299 || bytes.Contains(b, []byte(`"errors":true`)) {
			t.Fatalf("%s %s: %d %.500s", method, path, res.StatusCode, b)
		}
	}
	prefix := fmt.Sprintf("logtriage-it-%d", time.Now().UnixNano())
	// Strings are keywords (as in the ECS templates), message is text, @timestamp a date.
	mapping := []byte(`{"mappings":{"dynamic_templates":[
		{"message":{"match":"message","mapping":{"type":"text"}}},
		{"strings":{"match_mapping_type":"string","mapping":{"type":"keyword","ignore_above":1024}}}],
		"properties":{"@timestamp":{"type":"date"}}}}`)
	names := map[string]string{esfake.IncidentFilebeat: prefix + "-filebeat", esfake.IncidentNginx: prefix + "-nginx",
		esfake.IncidentApp: prefix + "-app"}
	for _, n := range names {
		call(http.MethodPut, "/"+n, mapping, "application/json")
	}
	t.Cleanup(func() {
		for _, n := range names {
			req, _ := http.NewRequest(http.MethodDelete, strings.TrimSuffix(url, "/")+"/"+n, nil)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		}
	})
	var buf bytes.Buffer
	flush := func() {
		if buf.Len() > 0 {
			call(http.MethodPost, "/_bulk?refresh=true", buf.Bytes(), "application/x-ndjson")
			buf.Reset()
		}
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
	t.Logf("%s %s, notes %q", rep.Flavor, rep.Version, rep.Notes)
	for _, p := range rep.Phases {
		t.Logf("%-20s requests %3d docs %5d buckets %5d", p.Name, p.Requests, p.Docs, p.Buckets)
	}
	_ = elastic.FlavorOpenSearch
}
