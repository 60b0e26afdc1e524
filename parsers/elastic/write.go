package elastic

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esutil"
)

// Writing results back (reference: docs/elasticsearch.md §6): documents with ids derived from their
// content and window, indexed with "index" so that a rerun overwrites instead of duplicating.

// Doc is one document to write.
type Doc struct {
	ID   string
	Body []byte // compact JSON
}

// esFindingsMapping keeps the findings index small and typed for dashboards.
const esFindingsMapping = `{"mappings":{"dynamic":"false","properties":{
"@timestamp":{"type":"date"},
"logtriage":{"properties":{"run_id":{"type":"keyword"},"finding_id":{"type":"keyword"},"kind":{"type":"keyword"},
"window":{"properties":{"start":{"type":"date"},"end":{"type":"date"}}},
"layer":{"type":"keyword"},"cause":{"type":"keyword"},"method":{"type":"keyword"},"route":{"type":"keyword"},
"count":{"type":"long"},"share":{"type":"float"},"first_seen":{"type":"date"},"last_seen":{"type":"date"},
"masked":{"type":"long"},"allow":{"type":"keyword"},"evidence":{"type":"text"},"fix":{"type":"text"},
"verify":{"type":"keyword","index":false},"example_request_ids":{"type":"keyword"},
"request_id":{"type":"keyword"},"trace_id":{"type":"keyword"},"amzn_trace_root":{"type":"keyword"},
"status":{"type":"long"},"path":{"type":"keyword"}}},
"event":{"properties":{"dataset":{"type":"keyword"},"kind":{"type":"keyword"}}}}}}`

// WriteResult counts what was written.
type WriteResult struct {
	Indexed, Failed int
	Requests        int64
	FirstError      string
}

// WriteDocs creates the index when missing (a plain index, not a data stream: data streams
// accept no overwrite by id) and bulk-indexes docs. Items rejected with 429 are retried with
// backoff up to three times.
func (j *Job) WriteDocs(ctx context.Context, index string, docs []Doc) (WriteResult, error) {
	var res WriteResult
	if strings.HasPrefix(index, "logs-") && strings.Count(index, "-") >= 2 {
		return res, fmt.Errorf("--write-findings %s matches the built-in logs-*-* data stream template: pick a plain index name such as logtriage-findings", index)
	}
	r0 := j.reqs.Load()
	defer func() { res.Requests = j.reqs.Load() - r0 }()
	c := j.es.Indices.Create
	resp, err := c(index, c.WithContext(ctx), c.WithBody(strings.NewReader(esFindingsMapping)))
	if err != nil {
		return res, j.transportErr("creating "+index, err)
	}
	body := new(bytes.Buffer)
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.IsError() && !strings.Contains(body.String(), "resource_already_exists_exception") {
		return res, j.statusErr("creating "+index, resp.StatusCode, body.Bytes())
	}
	pending := docs
	for attempt := 0; len(pending) > 0; attempt++ {
		var mu sync.Mutex
		var retry []Doc
		bi, err := esutil.NewBulkIndexer(esutil.BulkIndexerConfig{
			Client: j.es, Index: index, NumWorkers: 1, FlushBytes: 1 << 20, FlushInterval: time.Second,
			Refresh: "wait_for",
		})
		if err != nil {
			return res, err
		}
		for _, d := range pending {
			d := d
			err := bi.Add(ctx, esutil.BulkIndexerItem{Action: "index", DocumentID: d.ID, Body: bytes.NewReader(d.Body),
				OnSuccess: func(context.Context, esutil.BulkIndexerItem, esutil.BulkIndexerResponseItem) {
					mu.Lock()
					res.Indexed++
					mu.Unlock()
				},
				OnFailure: func(_ context.Context, _ esutil.BulkIndexerItem, r esutil.BulkIndexerResponseItem, err error) {
					mu.Lock()
					defer mu.Unlock()
					if err == nil && r.Status == 429 && attempt < 3 {
						retry = append(retry, d)
						return
					}
					res.Failed++
					if res.FirstError == "" {
						if err != nil {
							res.FirstError = err.Error()
						} else {
							res.FirstError = fmt.Sprintf("%d %s: %s", r.Status, r.Error.Type, r.Error.Reason)
						}
					}
				}})
			if err != nil {
				return res, err
			}
		}
		if err := bi.Close(ctx); err != nil {
			return res, err
		}
		pending = retry
		if len(pending) > 0 {
			select {
			case <-time.After(j.opts.RetryBase << attempt):
			case <-ctx.Done():
				return res, ctx.Err()
			}
		}
	}
	return res, nil
}

// Close releases the client's connections.
func (j *Job) Close() {
	j.es.Close(context.Background())
}
