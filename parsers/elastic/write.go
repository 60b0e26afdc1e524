package elastic

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Writing results back (reference: docs/elasticsearch.md §6): documents with ids derived from their
// content and window, indexed with "index" so that a rerun overwrites instead of duplicating.
// The bulk requests are built here rather than by esutil.BulkIndexer, so that each request has
// the job's timeout, is counted, and every item's result is checked.

// Doc is one document to write.
type Doc struct {
	ID   string
	Body []byte // compact JSON
}

// FindingsMapping is the mapping of the findings index: dynamic false, one type per field.
// Findings and request verdicts share the index, so a field never holds a count in one and a
// flag in the other (masked is the request's flag, masked_count the finding's count).
const FindingsMapping = `{"mappings":{"dynamic":"false","properties":{
"@timestamp":{"type":"date"},
"logtriage":{"properties":{"run_id":{"type":"keyword"},"finding_id":{"type":"keyword"},"request_doc_id":{"type":"keyword"},"kind":{"type":"keyword"},
"window":{"properties":{"start":{"type":"date"},"end":{"type":"date"}}},
"layer":{"type":"keyword"},"cause":{"type":"keyword"},"method":{"type":"keyword"},"route":{"type":"keyword"},
"count":{"type":"long"},"share":{"type":"float"},"first_seen":{"type":"date"},"last_seen":{"type":"date"},
"masked":{"type":"boolean"},"masked_count":{"type":"long"},"allow":{"type":"keyword"},"evidence":{"type":"text"},"fix":{"type":"text"},
"verify":{"type":"keyword","index":false},"example_request_ids":{"type":"keyword"},
"request_id":{"type":"keyword"},"trace_id":{"type":"keyword"},"amzn_trace_root":{"type":"keyword"},
"status":{"type":"long"},"path":{"type":"keyword"}}},
"event":{"properties":{"dataset":{"type":"keyword"},"kind":{"type":"keyword"}}}}}}`

// CheckWriteIndex refuses an index name --write-findings cannot write to: one Elasticsearch
// refuses (upper case, a character of \/*?"<>| ,#, a leading -, _ or +, . or .., more than 255
// bytes) or one the built-in logs-*-* data stream template turns into a data stream, which
// takes no overwrite by id. The command calls it before the job runs: the write is its last step.
func CheckWriteIndex(index string) error {
	switch {
	case index == "" || index == "." || index == "..":
		return fmt.Errorf("--write-findings %q is no index name: pick one such as logtriage-findings", index)
	case len(index) > 255:
		return fmt.Errorf("--write-findings: an index name has at most 255 bytes, this one %d", len(index))
	case strings.ToLower(index) != index:
		return fmt.Errorf("--write-findings %s: index names are lower case (%s)", index, strings.ToLower(index))
	case strings.ContainsAny(index, `\/*?"<>| ,#:`):
		return fmt.Errorf("--write-findings %s: an index name cannot hold any of \\ / * ? \" < > | space , # :", index)
	case strings.ContainsAny(index[:1], "-_+"):
		return fmt.Errorf("--write-findings %s: an index name cannot start with -, _ or +", index)
	case strings.HasPrefix(index, "logs-") && strings.Count(index, "-") >= 2:
		return fmt.Errorf("--write-findings %s matches the built-in logs-*-* data stream template: pick a plain index name such as logtriage-findings", index)
	}
	return nil
}

// WriteResult counts what was written.
type WriteResult struct {
	Indexed, Failed int
	Requests        int64 // HTTP requests sent by the write step (index creation and bulk, retries included)
	FirstError      string
}

// maxBulkBytes bounds one bulk request body.
const maxBulkBytes = 1 << 20

// WriteDocs creates the index when missing (a plain index, not a data stream: data streams
// accept no overwrite by id) and bulk-indexes docs. Items rejected with 429 are sent again with
// backoff up to three times; every other item failure is counted and the first one quoted.
func (j *Job) WriteDocs(ctx context.Context, index string, docs []Doc) (res WriteResult, err error) {
	if err := CheckWriteIndex(index); err != nil {
		return res, err
	}
	r0 := j.reqs.Load()
	defer func() {
		res.Requests = j.reqs.Load() - r0
		res.FirstError = j.secrets.scrub(res.FirstError)
		err = j.clean(err)
	}()
	if err := j.createFindingsIndex(ctx, index); err != nil {
		return res, err
	}
	pending := docs
	for attempt := 0; len(pending) > 0; attempt++ {
		var retry []Doc
		for start := 0; start < len(pending); {
			var body bytes.Buffer
			end := start
			for end < len(pending) && (end == start || body.Len()+len(pending[end].Body) < maxBulkBytes) {
				fmt.Fprintf(&body, `{"index":{"_id":%q}}`+"\n", pending[end].ID)
				body.Write(pending[end].Body)
				body.WriteByte('\n')
				end++
			}
			data, err := j.bulk(ctx, index, body.Bytes())
			if err != nil {
				return res, err
			}
			items := gjson.GetBytes(data, "items").Array()
			if len(items) != end-start {
				return res, &Error{BadQuery, fmt.Sprintf("writing %s: the bulk response has %d items for %d documents", index, len(items), end-start)}
			}
			for i, it := range items {
				r := it.Get("index")
				status := r.Get("status").Int()
				if !r.Get("error").Exists() && status >= 200 && status <= 201 {
					res.Indexed++
					continue
				}
				if status == 429 && attempt < 3 {
					retry = append(retry, pending[start+i])
					continue
				}
				res.Failed++
				if res.FirstError == "" {
					res.FirstError = fmt.Sprintf("%d %s: %s", status, r.Get("error.type").String(), clipReason(r.Get("error.reason").String(), maxReason))
				}
			}
			start = end
		}
		pending = retry
		if len(pending) > 0 {
			select {
			case <-time.After(j.opts.RetryBase << attempt):
			case <-ctx.Done():
				return res, &Error{Canceled, "writing " + index + ": interrupted"}
			}
		}
	}
	return res, nil
}

// createFindingsIndex creates the index with FindingsMapping; an existing index is fine.
func (j *Job) createFindingsIndex(ctx context.Context, index string) error {
	rctx, cancel := context.WithTimeout(ctx, j.opts.Timeout)
	defer cancel()
	c := j.es.Indices.Create
	resp, err := c(index, c.WithContext(rctx), c.WithBody(strings.NewReader(FindingsMapping)))
	if err != nil {
		return j.transportErr("creating "+index, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.IsError() && gjson.GetBytes(body, "error.type").String() != "resource_already_exists_exception" {
		return j.statusErr("creating "+index, resp.StatusCode, body)
	}
	return nil
}

// bulk sends one bulk request, refreshed before it returns, so the documents are visible.
func (j *Job) bulk(ctx context.Context, index string, ndjson []byte) ([]byte, error) {
	rctx, cancel := context.WithTimeout(ctx, j.opts.Timeout)
	defer cancel()
	b := j.es.Bulk
	res, err := b(bytes.NewReader(ndjson), b.WithContext(rctx), b.WithIndex(index), b.WithRefresh("wait_for"))
	data, err := j.esResponse("writing "+index, res, err)
	if err != nil && ctx.Err() != nil {
		return nil, &Error{Canceled, "writing " + index + ": interrupted"}
	}
	return data, err
}

// Close releases the client's connections.
func (j *Job) Close() {
	j.es.Close(context.Background())
}
