package elastic

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/logtriage/logtriage/internal/num"
	"github.com/logtriage/logtriage/parsers"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	elasticsearch "github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/tidwall/gjson"
)

// The Elasticsearch source of `logtriage es` (reference: docs/elasticsearch.md §4). The work is
// pushed to the cluster in phases whose request count depends on the number of 405 groups and
// 405 requests, never on the index size:
//
//	0 discover   GET / (product check, auth), _field_caps
//	1 count      composite aggregation over the 405 documents by dataset, index, method, path
//	2 read       the 405 documents: PIT + search_after, capped by MaxRequests
//	3 hops       the other hops of those requests: terms (and message phrase) queries on ids, in
//	             batches, following new ids transitively (≤ 3 rounds), on the same PIT
//	4 baselines  per (method, route) of the 405s: successes by dataset, backend and minute —
//	             counts, not documents
//
// Documents become Records (doc.go); the records of phases 2–3 and the baseline counts are
// delivered in ascending time to the caller, which feeds the same analysis engine as `analyze`.

// Options configure an Job.
type Options struct {
	URLs               []string // empty: ELASTICSEARCH_URL, else http://localhost:9200
	APIKey             string
	Username, Password string
	CACert             string // PEM file
	Insecure           bool

	Indices      []string  // index patterns and data streams
	Since, Until time.Time // zero: unbounded
	Statuses     []int     // default 405

	MaxRequests   int           // 405 requests examined in depth (default 5000)
	PageSize      int           // hits per page (default 2000, at most 10 000)
	TermsBatch    int           // ids per terms clause (default 4096; halved on the terms-count error)
	PhraseBatch   int           // ids per request searched as phrases in the raw line (default 256; 0 default, <0 off)
	Rounds        int           // transitive id rounds (default 3)
	Pad           time.Duration // widening of the window for other hops (default 2m)
	History       time.Duration // baseline look-back before Since (default 0)
	NoBaselines   bool
	MessageSearch bool // also find 405s in raw-only documents by the token "405" in message

	Layers []LayerRule
	Fields map[string]string // --es-field overrides
	Parse  *parsers.Config   // how raw lines are parsed (nginx conf, envoy config, formats)

	// Route returns the route template of a path (analysis.Route); it groups the baselines.
	Route func(string) string

	Progress io.Writer // progress lines; nil for none
	// Meter is told the phase and the documents read, for a progress line; nil for none.
	Meter      Reporter
	RetryBase  time.Duration // first retry backoff (default 250ms)
	MaxRetries int           // default 5
	Timeout    time.Duration // per request (default 60s), connect and TLS handshake included
	OpaqueID   string
	// Flavor forces the API dialect: FlavorElasticsearch or FlavorOpenSearch; "" reads GET /.
	Flavor string
	// AWS, when set, signs every request with AWS Signature Version 4 (Amazon OpenSearch Service).
	AWS *AWSSigner
	// MaxResponseBytes bounds a response body read into memory (default 256 MiB).
	MaxResponseBytes int64
}

// ErrorKind classifies a failure of the job for the exit code.
type ErrorKind int

// The kinds of Error.
const (
	Unreachable  ErrorKind = iota + 1 // connection refused, DNS, timeouts, TLS, 5xx after retries
	Auth                              // 401
	Forbidden                         // 403
	MissingIndex                      // 404 index_not_found_exception
	BadQuery                          // 400
	WrongProduct                      // not Elasticsearch
	Canceled                          // interrupted
)

// Error is a failure of the job with its kind and a message for the user.
type Error struct {
	Kind ErrorKind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Phase counts one phase's traffic.
type Phase struct {
	Name     string        `json:"name"`
	Requests int64         `json:"requests"` // HTTP requests sent, retries included
	Docs     int64         `json:"documents"`
	Buckets  int64         `json:"buckets,omitempty"`
	Bytes    int64         `json:"bytes"` // response bytes read
	Duration time.Duration `json:"-"`
	Seconds  float64       `json:"seconds"`
}

// Group is one phase-1 group of 405 documents, with its exact count.
type Group struct {
	Layer   string    `json:"layer"`
	Dataset string    `json:"dataset,omitempty"`
	Index   string    `json:"index"`
	Method  string    `json:"method"`
	Route   string    `json:"route"`
	Status  string    `json:"status"`
	Count   int64     `json:"count"`
	First   time.Time `json:"first"`
	Last    time.Time `json:"last"`
}

// LayerReport says what the documents of one layer gave.
type LayerReport struct {
	Layer    string `json:"layer"`
	Docs     int64  `json:"documents"`
	FromRaw  int64  `json:"parsed_from_raw_line"`
	FromECS  int64  `json:"from_fields"`
	NoIDs    int64  `json:"without_ids"`
	Rejected int64  `json:"rejected"`
	Example  string `json:"rejected_example,omitempty"`
	Warning  string `json:"warning,omitempty"`
}

// Report is what the job did.
type Report struct {
	Flavor        string        `json:"flavor"` // elasticsearch or opensearch
	Cluster       string        `json:"cluster"`
	Version       string        `json:"version"`
	Indices       []string      `json:"indices"`
	Phases        []Phase       `json:"phases"`
	Groups        []Group       `json:"groups_405"`
	Total405Docs  int64         `json:"documents_405"`
	Requests405   int           `json:"requests_405_examined"`
	CapHit        bool          `json:"max_requests_hit"`
	Layers        []LayerReport `json:"layers"`
	ShardFailures []string      `json:"shard_failures,omitempty"`
	TimedOut      bool          `json:"timed_out,omitempty"`
	PITReopened   int           `json:"pit_reopened,omitempty"`
	Baselines     string        `json:"baselines,omitempty"` // how phase 4 obtained its counts
	Notes         []string      `json:"notes,omitempty"`     // fields replaced or left out, and why
	// BaselineCounts is the number of documents phase 4 counted (given to the engine as counts,
	// not records).
	BaselineCounts int64 `json:"baseline_documents_counted"`
	DocsRead       int64 `json:"documents_read"`
}

// Partial reports whether results may be incomplete (shard failures, timeouts).
func (r *Report) Partial() bool { return len(r.ShardFailures) > 0 || r.TimedOut }

// Job runs the phases against one cluster.
type Job struct {
	opts   Options
	es     *elasticsearch.Client
	fields esFields
	raw    map[string][]esRawParser

	reqs, bytesRead atomic.Int64
	secrets         secrets
	report          Report
	layerDocs       map[string]*esDocStats
	pitID           string
	rawOnly         bool // a document without structured fields was read: baselines need the raw pass
	http            *http.Client
	flavor          string    // FlavorElasticsearch or FlavorOpenSearch, from detect
	caps            fieldCaps // _field_caps of the fields the phases aggregate and sort on
	aggPath, aggURL string    // the fields phase 1 groups paths and URLs by ("" when none can be)
	tiebreak        string    // OpenSearch: a sortable unique field (--es-field tiebreaker)
	progressAt      time.Time
}

// esCountingBody counts response bytes as the caller reads them.
type esCountingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b esCountingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

type esTransport struct {
	next http.RoundTripper
	j    *Job
}

func (t esTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.j.reqs.Add(1)
	if t.j.opts.AWS != nil {
		r = r.Clone(r.Context())
		body, err := signBody(r)
		if err != nil {
			return nil, err
		}
		t.j.opts.AWS.Sign(r, body)
	}
	res, err := t.next.RoundTrip(r)
	if err == nil && t.j.flavor == FlavorOpenSearch && res.StatusCode < 300 && res.Header.Get("X-Elastic-Product") == "" {
		// GET / showed an OpenSearch cluster (flavor.go): vouch for it to the client's product check.
		res.Header.Set("X-Elastic-Product", "Elasticsearch")
	}
	if err == nil && res.Body != nil {
		res.Body = esCountingBody{res.Body, &t.j.bytesRead}
	}
	return res, err
}

// New validates the options and builds the client. Credentials are never printed.
func New(opts Options) (*Job, error) {
	if len(opts.Statuses) == 0 {
		opts.Statuses = []int{405}
	}
	if opts.MaxRequests <= 0 {
		opts.MaxRequests = 5000
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 2000
	}
	opts.PageSize = min(opts.PageSize, 10000)
	if opts.TermsBatch <= 0 {
		opts.TermsBatch = 4096
	}
	if opts.PhraseBatch == 0 {
		opts.PhraseBatch = 256
	}
	if opts.Rounds <= 0 {
		opts.Rounds = 3
	}
	if opts.Pad <= 0 {
		opts.Pad = 2 * time.Minute
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 250 * time.Millisecond
	}
	if opts.MaxRetries <= 0 {
		opts.MaxRetries = 5
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = 256 << 20
	}
	if opts.Route == nil {
		opts.Route = func(p string) string { return p }
	}
	if len(opts.Indices) == 0 {
		return nil, errors.New("no index pattern: give --index (logs-nginx.access-*,filebeat-*)")
	}
	if len(opts.URLs) == 0 {
		if env := os.Getenv("ELASTICSEARCH_URL"); env != "" {
			opts.URLs = strings.Split(env, ",")
		}
	}
	j := &Job{opts: opts, layerDocs: map[string]*esDocStats{}}
	j.secrets.add(opts.Password)
	j.secrets.add(opts.APIKey)
	for i, s := range opts.URLs {
		u, err := checkURL(s)
		if err != nil {
			return nil, err
		}
		if p, ok := u.User.Password(); ok {
			j.secrets.add(p)
			j.secrets.add(url.PathEscape(p))
			j.secrets.add(url.QueryEscape(p))
		}
		opts.URLs[i] = strings.TrimSpace(s)
	}
	var err error
	if j.fields, err = esNewFields(opts.Fields); err != nil {
		return nil, err
	}
	if j.raw, err = esRawParsers(opts.Parse); err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = opts.Timeout
	tr.TLSHandshakeTimeout = min(opts.Timeout, 10*time.Second)
	tr.DialContext = (&net.Dialer{Timeout: min(opts.Timeout, 30*time.Second), KeepAlive: 30 * time.Second}).DialContext
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: opts.Insecure}
	if opts.CACert != "" {
		pem, err := os.ReadFile(opts.CACert)
		if err != nil {
			return nil, fmt.Errorf("reading --ca-cert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-cert %s: no PEM certificate in it", opts.CACert)
		}
		tlsCfg.RootCAs = pool
	}
	tr.TLSClientConfig = tlsCfg
	j.http = &http.Client{Transport: esTransport{tr, j}}
	if opts.AWS != nil {
		j.secrets.add(opts.AWS.Creds.SecretAccessKey)
		j.secrets.add(opts.AWS.Creds.SessionToken)
	}
	base := opts.RetryBase
	j.es, err = elasticsearch.NewClient(elasticsearch.Config{
		Addresses:     opts.URLs,
		APIKey:        opts.APIKey,
		Username:      opts.Username,
		Password:      opts.Password,
		Transport:     esTransport{tr, j},
		RetryOnStatus: []int{429, 502, 503, 504},
		MaxRetries:    opts.MaxRetries,
		RetryBackoff: func(attempt int) time.Duration {
			d := base << (attempt - 1)
			if d <= 0 || d > 10*time.Second {
				d = 10 * time.Second
			}
			return d/2 + time.Duration(rand.Int64N(int64(d)))
		},
		RetryOnError:        esRetryable,
		CompressRequestBody: true,
	})
	if err != nil {
		return nil, fmt.Errorf("elasticsearch client: %w", err)
	}
	return j, nil
}

// esRetryable retries resets and timeouts, never certificate problems or a cancelled context.
func esRetryable(_ *http.Request, err error) bool {
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	var cv *tls.CertificateVerificationError
	if errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) || errors.As(err, &cv) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED)
}

// Addresses returns the cluster URLs with credentials redacted.
func (j *Job) Addresses() []string {
	var out []string
	if t, ok := j.es.Transport.(interface{ URLs() []*url.URL }); ok {
		for _, u := range t.URLs() {
			out = append(out, redactURL(u.String()))
		}
	}
	return out
}

func (j *Job) progress(format string, args ...any) {
	if j.opts.Progress != nil {
		fmt.Fprintln(j.opts.Progress, j.secrets.scrub(fmt.Sprintf("es: "+format, args...)))
	}
}

// Reporter is what a progress display is told while the job runs (internal/progress.Meter is one).
type Reporter interface {
	Phase(name string)
	AddRecords(n int64)
}

// phase runs fn and records its traffic.
func (j *Job) phase(name string, fn func(p *Phase) error) error {
	p := Phase{Name: name}
	if j.opts.Meter != nil {
		j.opts.Meter.Phase(name)
	}
	r0, b0 := j.reqs.Load(), j.bytesRead.Load()
	t0 := time.Now()
	err := fn(&p)
	p.Requests = j.reqs.Load() - r0
	p.Bytes = j.bytesRead.Load() - b0
	p.Duration = time.Since(t0)
	p.Seconds = p.Duration.Seconds()
	j.report.Phases = append(j.report.Phases, p)
	rate := ""
	if p.Docs > 0 && p.Duration > 0 {
		rate = fmt.Sprintf(", %.0f docs/s", float64(p.Docs)/p.Duration.Seconds())
	}
	j.progress("%s: %s, %s, %s, %s KiB in %s%s", name, num.Plural(p.Requests, "request"), num.Plural(p.Docs, "document"),
		num.Plural(p.Buckets, "bucket"), num.Thousands(p.Bytes>>10), p.Duration.Round(time.Millisecond), rate)
	return err
}

// esResponse reads a response: the body for a 2xx, an Error otherwise.
func (j *Job) esResponse(what string, res *esapi.Response, err error) ([]byte, error) {
	if err != nil {
		return nil, j.transportErr(what, err)
	}
	defer res.Body.Close()
	body, rerr := io.ReadAll(io.LimitReader(res.Body, j.opts.MaxResponseBytes+1))
	if rerr != nil {
		return nil, &Error{Unreachable, fmt.Sprintf("%s: reading the response: %v", what, rerr)}
	}
	if int64(len(body)) > j.opts.MaxResponseBytes {
		io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20)) // let the connection be reused when the rest is short
		return nil, &Error{Unreachable, fmt.Sprintf("%s: the response (status %d) is larger than %d MiB: lower --page-size, or a proxy in the way sends something else",
			what, res.StatusCode, j.opts.MaxResponseBytes>>20)}
	}
	if !res.IsError() {
		if !gjson.ValidBytes(body) {
			return nil, &Error{Unreachable, fmt.Sprintf("%s: the response is not valid JSON (%d bytes): a proxy in the way, or a truncated response", what, len(body))}
		}
		return body, nil
	}
	return nil, j.statusErr(what, res.StatusCode, body)
}

func (j *Job) transportErr(what string, err error) error {
	return j.transportErrAt(what, strings.Join(j.Addresses(), ", "), err)
}

// transportErrAt is transportErr for a request sent to addr (redacted) alone.
func (j *Job) transportErrAt(what, addr string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "not Elasticsearch") || strings.Contains(msg, "unknown product"):
		return &Error{WrongProduct, fmt.Sprintf("%s: the server at %s is not Elasticsearch (no X-Elastic-Product header): OpenSearch and other look-alikes are not supported by the Elasticsearch 8 client", what, addr)}
	case errors.Is(err, context.Canceled):
		return &Error{Canceled, what + ": interrupted"}
	}
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var cv *tls.CertificateVerificationError
	if errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &cv) {
		return &Error{Unreachable, fmt.Sprintf("%s: TLS certificate of %s not trusted (%v): pass the cluster's CA with --ca-cert FILE, or --insecure to skip verification", what, addr, err)}
	}
	return &Error{Unreachable, fmt.Sprintf("%s: cannot reach Elasticsearch at %s: %v", what, addr, err)}
}

func (j *Job) statusErr(what string, status int, body []byte) error {
	typ := gjson.GetBytes(body, "error.type").String()
	reason := gjson.GetBytes(body, "error.root_cause.0.reason").String()
	if reason == "" {
		reason = gjson.GetBytes(body, "error.reason").String()
	}
	rootType := gjson.GetBytes(body, "error.root_cause.0.type").String()
	if reason == "" {
		reason = strings.TrimSpace(string(body))
	}
	reason = clipReason(reason, maxReason)
	typ, rootType = clipReason(typ, 100), clipReason(rootType, 100)
	switch {
	case status == 401:
		return &Error{Auth, fmt.Sprintf("%s: authentication failed (401: %s): check --api-key / ELASTICSEARCH_API_KEY or --username and ELASTICSEARCH_PASSWORD", what, reason)}
	case status == 403:
		return &Error{Forbidden, fmt.Sprintf("%s: missing privileges (403: %s): the job needs read and view_index_metadata on the index patterns (and write on --write-findings)", what, reason)}
	case status == 404 && (typ == "index_not_found_exception" || rootType == "index_not_found_exception"):
		return &Error{MissingIndex, fmt.Sprintf("%s: %s: name an existing index or use a pattern (logs-nginx.access-*)", what, reason)}
	case status == 404 && rootType == "search_context_missing_exception":
		return &esPITGone{reason}
	case status == 400 && (typ == "invalid_index_name_exception" || rootType == "invalid_index_name_exception"):
		return &Error{BadQuery, fmt.Sprintf("%s: the cluster refused the index name (400 invalid_index_name_exception: %s): index names are lower case, without \\ / * ? \" < > | space , # : and not starting with - _ +", what, reason)}
	case status == 400:
		return &Error{BadQuery, fmt.Sprintf("%s: the cluster rejected the query (400 %s: %s)", what, orStr(rootType, typ), reason)}
	case status == 429 || status >= 500:
		return &Error{Unreachable, fmt.Sprintf("%s: the cluster is overloaded or unavailable (%d %s: %s) after %d retries", what, status, orStr(rootType, typ), reason, j.opts.MaxRetries)}
	}
	return &Error{BadQuery, fmt.Sprintf("%s: unexpected response %d (%s: %s)", what, status, orStr(rootType, typ), reason)}
}

// maxReason bounds the server text quoted in a message.
const maxReason = 500

func orStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// errNoProgress is a composite aggregation whose after_key did not move: a server that repeats
// it would otherwise be asked the same page for ever.
func errNoProgress(what, afterKey string) error {
	return &Error{Unreachable, fmt.Sprintf("%s: the cluster returned the same after_key twice (%s): no progress, stopping", what, clipReason(afterKey, 200))}
}

// esPITGone is a point in time that expired or was lost.
type esPITGone struct{ reason string }

func (e *esPITGone) Error() string { return "point in time expired: " + e.reason }

// search sends one search body, on the PIT when pit is set.
func (j *Job) search(ctx context.Context, what string, body []byte, pit bool, filterPath ...string) ([]byte, error) {
	rctx, cancel := context.WithTimeout(ctx, j.opts.Timeout)
	defer cancel()
	s := j.es.Search
	o := []func(*esapi.SearchRequest){s.WithContext(rctx), s.WithBody(bytes.NewReader(body))}
	if !pit {
		o = append(o, s.WithIndex(j.opts.Indices...), s.WithIgnoreUnavailable(true))
	}
	if len(filterPath) > 0 {
		o = append(o, s.WithFilterPath(filterPath...))
	}
	if j.opts.OpaqueID != "" {
		o = append(o, s.WithOpaqueID(j.opts.OpaqueID))
	}
	res, err := s(o...)
	data, err := j.esResponse(what, res, err)
	if err != nil {
		if ctx.Err() != nil {
			return nil, &Error{Canceled, what + ": interrupted"}
		}
		return nil, err
	}
	j.checkShards(what, data)
	if pit {
		if id := gjson.GetBytes(data, "pit_id").String(); id != "" {
			j.pitID = id
		}
	}
	return data, nil
}

// checkShards records shard failures and timeouts of a 200 response.
func (j *Job) checkShards(what string, data []byte) {
	if gjson.GetBytes(data, "timed_out").Bool() {
		j.report.TimedOut = true
	}
	if n := gjson.GetBytes(data, "_shards.failed").Int(); n > 0 {
		total := gjson.GetBytes(data, "_shards.total").Int()
		reason := gjson.GetBytes(data, "_shards.failures.0.reason.reason").String()
		msg := fmt.Sprintf("%s: %d of %d shards failed (%s)", what, n, total, reason)
		if len(j.report.ShardFailures) < 20 {
			j.report.ShardFailures = append(j.report.ShardFailures, msg)
		}
		j.progress("warning: %s: results are partial", msg)
	}
}

// Run executes the phases and gives sink every record, in ascending time, then the baseline
// counts. Records are valid only during the call.
func (j *Job) Run(ctx context.Context, sink Sink) (*Report, error) {
	rep, err := j.run(ctx, sink)
	return rep, j.clean(err)
}

// clean scrubs credentials from an error's message.
func (j *Job) clean(err error) error {
	if err == nil {
		return nil
	}
	var ee *Error
	if errors.As(err, &ee) {
		return &Error{ee.Kind, j.secrets.scrub(ee.Msg)}
	}
	return errors.New(j.secrets.scrub(err.Error()))
}

func (j *Job) run(ctx context.Context, sink Sink) (*Report, error) {
	j.report.Indices = j.opts.Indices
	if err := j.phase("discover", func(p *Phase) error { return j.discover(ctx) }); err != nil {
		return &j.report, err
	}
	if err := j.phase("count 405s", func(p *Phase) error { return j.countGroups(ctx, p) }); err != nil {
		return &j.report, err
	}
	defer j.closePIT(ctx)
	var recs []*parsers.Record
	seen := map[string]bool{}
	if err := j.phase("read 405 documents", func(p *Phase) error {
		var err error
		recs, err = j.read405(ctx, p, seen)
		return err
	}); err != nil {
		return &j.report, err
	}
	if j.aggPath == "" && j.aggURL == "" {
		j.groupsFromRecords(recs)
	}
	if err := j.phase("other hops by id", func(p *Phase) error {
		more, err := j.hops(ctx, p, recs, seen)
		recs = append(recs, more...)
		return err
	}); err != nil {
		return &j.report, err
	}
	j.closePIT(ctx)
	var synth []esBucket
	if !j.opts.NoBaselines {
		if err := j.phase("baselines", func(p *Phase) error {
			var err error
			synth, err = j.baselines(ctx, p, recs, seen)
			return err
		}); err != nil {
			return &j.report, err
		}
	}
	j.finishLayers()
	j.deliver(recs, synth, sink)
	return &j.report, nil
}

func (j *Job) discover(ctx context.Context) error {
	data, err := j.detect(ctx)
	if err != nil {
		return err
	}
	j.report.Flavor = j.flavor
	j.report.Cluster = gjson.GetBytes(data, "cluster_name").String()
	j.report.Version = gjson.GetBytes(data, "version.number").String()
	name := "Elasticsearch"
	if j.flavor == FlavorOpenSearch {
		name = "OpenSearch"
		if !strings.HasPrefix(j.report.Version, "2.") {
			j.progress("warning: OpenSearch %s: logtriage is tested with OpenSearch 2.x", j.report.Version)
		}
	} else if !strings.HasPrefix(j.report.Version, "8.") && !strings.HasPrefix(j.report.Version, "9.") {
		j.progress("warning: cluster version %s: this client is for Elasticsearch 8.x", j.report.Version)
	}
	j.progress("connected to %s (cluster %q, %s %s)", strings.Join(j.Addresses(), ", "), j.report.Cluster, name, j.report.Version)
	// Missing concrete indices fail here, clearly, rather than in the middle of a phase; the
	// answer says which fields the aggregations can use.
	fields := []string{"@timestamp", "url.path", "url.path.keyword", "url.original", "url.original.keyword", "aws.elb.backend.port"}
	for _, k := range []string{"dataset", "method", "status", "upstream_addr", "service", "host", "version", "tiebreaker"} {
		fields = append(fields, j.fields[k]...)
	}
	if err := j.checkUpperCase(ctx); err != nil {
		return err
	}
	fc := j.es.FieldCaps
	fctx, fcancel := context.WithTimeout(ctx, j.opts.Timeout)
	defer fcancel()
	res, err := fc(fc.WithContext(fctx), fc.WithIndex(j.opts.Indices...), fc.WithFields(fields...))
	caps, err := j.esResponse("checking the indices", res, err)
	if err != nil {
		return err
	}
	j.caps = j.readFieldCaps(caps)
	j.aggPath, j.aggURL = j.caps.aggField("url.path"), j.caps.aggField("url.original")
	for _, f := range []struct{ name, got string }{{"url.path", j.aggPath}, {"url.original", j.aggURL}} {
		if f.got == "" {
			j.note("%s is a %s field, which cannot be aggregated: phase 1 counts without it, and the routes of the 405s are counted by logtriage from the documents read in phase 2",
				f.name, strings.Join(j.caps[f.name].types, "/"))
		} else if f.got != f.name {
			j.note("%s cannot be aggregated: phase 1 uses its sub-field %s", f.name, f.got)
		}
	}
	if j.flavor == FlavorOpenSearch {
		if tb := j.fields["tiebreaker"]; len(tb) > 0 && tb[0] != "" {
			if e, ok := j.caps[tb[0]]; ok && e.aggregatable {
				j.tiebreak = tb[0]
			} else {
				j.note("--es-field tiebreaker=%s is not a sortable field in every index: pages are ordered by _index and _id instead", tb[0])
			}
		}
	}
	return nil
}

// checkUpperCase refuses an --index entry with capitals that names nothing. Index and data
// stream names are lower case (the cluster refuses to create others: 400
// invalid_index_name_exception), and names are matched case-sensitively, so such an entry can
// match only an alias: one that matches none would otherwise be read as an index without 405s,
// a pattern without a word (allow_no_indices), beside patterns that do match. Entries without
// capitals cost no request.
func (j *Job) checkUpperCase(ctx context.Context) error {
	for _, ix := range j.opts.Indices {
		if strings.HasPrefix(ix, "-") || ix == strings.ToLower(ix) { // an exclusion excludes nothing then
			continue
		}
		fc := j.es.FieldCaps
		fctx, cancel := context.WithTimeout(ctx, j.opts.Timeout)
		res, err := fc(fc.WithContext(fctx), fc.WithIndex(ix), fc.WithFields("@timestamp"),
			fc.WithIgnoreUnavailable(true), fc.WithAllowNoIndices(false))
		_, err = j.esResponse("checking the index pattern "+ix, res, err)
		cancel()
		if e := (*Error)(nil); errors.As(err, &e) && e.Kind == MissingIndex {
			return &Error{MissingIndex, fmt.Sprintf("--index %s matches no index, data stream or alias: their names are lower case (Elasticsearch and OpenSearch refuse to create an index with capitals), so a name with capitals can match only an alias: use --index %s",
				ix, strings.ToLower(ix))}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// note records a choice the report must mention.
func (j *Job) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	j.report.Notes = append(j.report.Notes, msg)
	j.progress("%s", msg)
}

// windowFilter is the time range of the analysis, widened by pad on both sides.
func (j *Job) windowFilter(pad, history time.Duration) string {
	if j.opts.Since.IsZero() && j.opts.Until.IsZero() {
		return ""
	}
	var parts []string
	if !j.opts.Since.IsZero() {
		parts = append(parts, fmt.Sprintf(`"gte":%q`, j.opts.Since.Add(-pad-history).UTC().Format(time.RFC3339Nano)))
	}
	if !j.opts.Until.IsZero() {
		parts = append(parts, fmt.Sprintf(`"lt":%q`, j.opts.Until.Add(pad).UTC().Format(time.RFC3339Nano)))
	}
	return `{"range":{"@timestamp":{` + strings.Join(parts, ",") + `,"format":"strict_date_optional_time"}}}`
}

// statusQuery matches documents whose status or an inner hop's status is one of the statuses.
func (j *Job) statusQuery() string {
	var should []string
	var vals []string
	for _, s := range j.opts.Statuses {
		vals = append(vals, strconv.Itoa(s))
	}
	list := strings.Join(vals, ",")
	for _, f := range append(append([]string{}, j.fields["status"]...), j.fields["upstream_status"]...) {
		should = append(should, fmt.Sprintf(`{"terms":{%q:[%s]}}`, f, list))
	}
	if j.opts.MessageSearch {
		for _, s := range vals {
			should = append(should, fmt.Sprintf(`{"match_phrase":{"message":%q}}`, s))
		}
	}
	q := `{"bool":{"should":[` + strings.Join(should, ",") + `],"minimum_should_match":1}}`
	if w := j.windowFilter(0, 0); w != "" {
		return `{"bool":{"filter":[` + w + `,` + q + `]}}`
	}
	return q
}

func (j *Job) countGroups(ctx context.Context, p *Phase) error {
	statusField := j.fields["status"][0]
	ds := j.fields["dataset"][0]
	var after string
	groups := map[string]*Group{}
	for page := 0; ; page++ {
		afterPart := ""
		if after != "" {
			afterPart = `,"after":` + after
		}
		body := fmt.Sprintf(`{"size":0,"track_total_hits":false,"query":%s,"aggs":{"g":{"composite":{"size":1000%s,"sources":[`+
			`{"dataset":{"terms":{"field":%q,"missing_bucket":true}}},`+
			`{"index":{"terms":{"field":"_index"}}},`+
			`{"method":{"terms":{"field":%q,"missing_bucket":true}}},`+
			`%s`+
			`{"status":{"terms":{"field":%q,"missing_bucket":true}}}]},`+
			`"aggs":{"first":{"min":{"field":"@timestamp"}},"last":{"max":{"field":"@timestamp"}}}}}}`,
			j.statusQuery(), afterPart, ds, j.fields["method"][0], j.pathSources(), statusField)
		data, err := j.search(ctx, "phase 1 (count 405s)", []byte(body), false, "aggregations", "_shards", "timed_out")
		if err != nil {
			return err
		}
		buckets := gjson.GetBytes(data, "aggregations.g.buckets").Array()
		for _, b := range buckets {
			k := b.Get("key")
			var rec parsers.Record
			if u := k.Get("path").String(); u != "" {
				rec.Path = u
			} else {
				rec.SetURI([]byte(k.Get("url").String()))
			}
			route := "(no path field)" // e.g. the Filebeat aws.elb module, which keeps the URL elsewhere
			if rec.Path != "" {
				route = j.opts.Route(rec.Path)
			}
			g := Group{Dataset: k.Get("dataset").String(), Index: esIndexBase(k.Get("index").String()),
				Method: strings.ToUpper(k.Get("method").String()), Route: route,
				Status: k.Get("status").String()}
			g.Layer = j.layerOfGroup(g.Dataset, k.Get("index").String())
			key := g.Layer + "\x00" + g.Index + "\x00" + g.Method + "\x00" + g.Route + "\x00" + g.Status
			cur := groups[key]
			if cur == nil {
				cur = &g
				groups[key] = cur
			}
			n := b.Get("doc_count").Int()
			cur.Count += n
			j.report.Total405Docs += n
			first, last := time.UnixMilli(b.Get("first.value").Int()).UTC(), time.UnixMilli(b.Get("last.value").Int()).UTC()
			if cur.First.IsZero() || first.Before(cur.First) {
				cur.First = first
			}
			if last.After(cur.Last) {
				cur.Last = last
			}
		}
		p.Buckets += int64(len(buckets))
		ak := gjson.GetBytes(data, "aggregations.g.after_key")
		if len(buckets) < 1000 || !ak.Exists() {
			break
		}
		if ak.Raw == after {
			return errNoProgress("phase 1 (count 405s)", ak.Raw)
		}
		after = ak.Raw
	}
	for _, g := range groups {
		j.report.Groups = append(j.report.Groups, *g)
	}
	sort.Slice(j.report.Groups, func(a, b int) bool {
		x, y := j.report.Groups[a], j.report.Groups[b]
		if x.Count != y.Count {
			return x.Count > y.Count
		}
		return x.Layer+x.Method+x.Route < y.Layer+y.Method+y.Route
	})
	statuses := make([]string, len(j.opts.Statuses))
	for i, st := range j.opts.Statuses {
		statuses[i] = strconv.Itoa(st)
	}
	if n := len(statuses); n > 1 {
		statuses = []string{strings.Join(statuses[:n-1], ", ") + " or " + statuses[n-1]}
	}
	j.progress("%s documents with status %s in %s groups", num.Thousands(j.report.Total405Docs), statuses[0], num.Thousands(int64(len(groups))))
	return nil
}

func (j *Job) layerOfGroup(dataset, index string) string {
	src := gjson.Parse(`{}`)
	if dataset != "" {
		b, _ := json.Marshal(map[string]any{"event": map[string]any{"dataset": dataset}})
		src = gjson.ParseBytes(b)
	}
	k := j.esClassify(index, src)
	if k.layer != "" {
		return k.layer
	}
	if k.family != "" {
		return k.family
	}
	return esIndexBase(index)
}

func (j *Job) openPIT(ctx context.Context) error {
	if j.flavor == FlavorOpenSearch {
		return j.osOpenPIT(ctx)
	}
	rctx, cancel := context.WithTimeout(ctx, j.opts.Timeout)
	defer cancel()
	o := j.es.OpenPointInTime
	res, err := o(j.opts.Indices, "2m", o.WithContext(rctx), o.WithIgnoreUnavailable(true))
	data, err := j.esResponse("opening a point in time", res, err)
	if err != nil {
		return err
	}
	j.pitID = gjson.GetBytes(data, "id").String()
	return nil
}

// closePIT closes the PIT with a fresh context: the caller's may be cancelled already.
func (j *Job) closePIT(ctx context.Context) {
	if j.pitID == "" {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if j.flavor == FlavorOpenSearch {
		j.osClosePIT(cctx, j.pitID)
		j.pitID = ""
		return
	}
	body, _ := json.Marshal(map[string]string{"id": j.pitID})
	c := j.es.ClosePointInTime
	if res, err := c(c.WithBody(bytes.NewReader(body)), c.WithContext(cctx)); err == nil {
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	j.pitID = ""
}

// sourceIncludes limits _source to what the parsers need.
func (j *Job) sourceIncludes() string {
	set := map[string]bool{"@timestamp": true, "event": true, "data_stream": true, "http": true, "url": true,
		"trace": true, "transaction": true, "span": true, "source": true, "user_agent": true, "nginx": true,
		"aws": true, "envoyproxy": true, "service": true, "destination": true, "tracing": true, "log": true,
		"message": true, "error": true, "labels": true, "host": true, "kubernetes": true}
	for _, fs := range j.fields {
		for _, f := range fs {
			set[f] = true
		}
	}
	names := make([]string, 0, len(set))
	for k := range set {
		names = append(names, k)
	}
	sort.Strings(names)
	b, _ := json.Marshal(names)
	return string(b)
}

// esUnion is a union-find over id strings: it tells how many distinct requests the documents
// read so far belong to. It keeps copies of the ids: a record's strings alias the buffer its
// document was parsed from, which the next document overwrites (parsers/record.go), and a map
// key changed under the map is lost (the count came out one short now and then).
type esUnion struct {
	parent map[string]string
	comps  int
}

func (u *esUnion) find(x string) string {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *esUnion) add(keys []string) {
	if len(keys) == 0 {
		u.comps++
		return
	}
	for _, k := range keys {
		if _, ok := u.parent[k]; !ok {
			k = strings.Clone(k)
			u.parent[k] = k
			u.comps++
		}
	}
	r := u.find(keys[0])
	for _, k := range keys[1:] {
		if o := u.find(k); o != r {
			u.parent[o] = r
			u.comps--
		}
	}
}

func esIDKeys(ids *parsers.IDs) []string {
	var out []string
	for _, v := range []string{ids.RequestID, ids.NginxRequestID, ids.TraceID, ids.AmznRoot, ids.B3TraceID} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// pages runs a query on the PIT with search_after until exhausted or stop says so, calling hit
// for every hit. An expired PIT is reopened once and the query restarted (callers deduplicate).
func (j *Job) pages(ctx context.Context, what, query string, p *Phase, hit func(index, id string, src gjson.Result) bool) error {
	reopened := false
	for {
		if j.pitID == "" {
			if err := j.openPIT(ctx); err != nil {
				return err
			}
		}
		after := ""
		stop := false
		var err error
		for !stop {
			body := fmt.Sprintf(`{"size":%d,"track_total_hits":false,"_source":%s,"query":%s,"pit":{"id":%q,"keep_alive":"2m"},"sort":%s%s}`,
				j.opts.PageSize, j.sourceIncludes(), query, j.pitID, j.pageSort(), after)
			var data []byte
			data, err = j.search(ctx, what, []byte(body), true)
			if err != nil {
				break
			}
			hits := gjson.GetBytes(data, "hits.hits").Array()
			for _, h := range hits {
				p.Docs++
				j.report.DocsRead++
				if j.opts.Meter != nil {
					j.opts.Meter.AddRecords(1)
				}
				if !hit(h.Get("_index").String(), h.Get("_id").String(), h.Get("_source")) {
					stop = true
					break
				}
			}
			if len(hits) < j.opts.PageSize {
				break
			}
			next := `,"search_after":` + hits[len(hits)-1].Get("sort").Raw
			if next == after {
				err = &Error{Unreachable, fmt.Sprintf("%s: the cluster returned the same page twice (search_after %s): no progress, stopping", what, clipReason(hits[len(hits)-1].Get("sort").Raw, 200))}
				break
			}
			after = next
			if time.Since(j.progressAt) > 2*time.Second {
				j.progressAt = time.Now()
				j.progress("%s: %d documents read so far", what, p.Docs)
			}
		}
		var gone *esPITGone
		if errors.As(err, &gone) && !reopened {
			reopened = true
			j.report.PITReopened++
			j.progress("%s: the point in time expired; reopening it and restarting the query", what)
			j.pitID = ""
			continue
		}
		if errors.As(err, &gone) {
			return &Error{Unreachable, what + ": the point in time expired twice: " + gone.reason}
		}
		return err
	}
}

func (j *Job) read405(ctx context.Context, p *Phase, seen map[string]bool) ([]*parsers.Record, error) {
	var recs []*parsers.Record
	u := &esUnion{parent: map[string]string{}}
	var rec parsers.Record
	err := j.pages(ctx, "phase 2 (read 405 documents)", j.statusQuery(), p, func(index, id string, src gjson.Result) bool {
		key := index + "/" + id
		if seen[key] {
			return true
		}
		seen[key] = true
		if !j.toRecord(index, id, src, &rec) || !j.wanted(&rec) {
			return true
		}
		u.add(esIDKeys(&rec.IDs))
		if u.comps > j.opts.MaxRequests {
			j.report.CapHit = true
			return false
		}
		recs = append(recs, rec.Clone())
		return true
	})
	j.report.Requests405 = u.comps
	if j.report.CapHit {
		j.report.Requests405 = j.opts.MaxRequests
		j.progress("--max-requests %d reached: the other 405 requests are counted (phase 1) but not examined", j.opts.MaxRequests)
	}
	return recs, err
}

// wanted reports whether a phase-2 record really shows a wanted status (raw-line candidates
// found by token may not).
func (j *Job) wanted(rec *parsers.Record) bool {
	for _, s := range j.opts.Statuses {
		if rec.Status == s {
			return true
		}
		for _, u := range rec.Upstream {
			if u == s {
				return true
			}
		}
	}
	return false
}

// idVariants lists the stored forms an id may take in documents.
func idVariants(ids *parsers.IDs) []string {
	var out []string
	add := func(v string) {
		if v != "" {
			out = append(out, v)
			if up := strings.ToUpper(v); up != v {
				out = append(out, up)
			}
		}
	}
	add(ids.RequestID)
	add(ids.NginxRequestID)
	add(ids.TraceID)
	add(ids.B3TraceID)
	if ids.AmznRoot != "" {
		out = append(out, ids.AmznRoot, "Root="+ids.AmznRoot)
	}
	return out
}

func (j *Job) idFields() []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range []string{"request_id", "trace_id", "amzn_trace_id"} {
		for _, f := range j.fields[k] {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return append(out, "transaction.id")
}

// hops fetches the other hops of the requests in recs by their ids, transitively.
func (j *Job) hops(ctx context.Context, p *Phase, recs []*parsers.Record, seen map[string]bool) ([]*parsers.Record, error) {
	asked := map[string]bool{}
	var out []*parsers.Record
	frontier := recs
	window := j.windowFilter(j.opts.Pad, 0)
	var rec parsers.Record
	for round := 1; round <= j.opts.Rounds && len(frontier) > 0; round++ {
		var ids []string
		for _, r := range frontier {
			for _, v := range idVariants(&r.IDs) {
				if !asked[v] {
					asked[v] = true
					ids = append(ids, v)
				}
			}
		}
		if len(ids) == 0 {
			break
		}
		var found []*parsers.Record
		collect := func(index, id string, src gjson.Result) bool {
			key := index + "/" + id
			if seen[key] {
				return true
			}
			seen[key] = true
			if j.toRecord(index, id, src, &rec) {
				found = append(found, rec.Clone())
			}
			return true
		}
		batch := j.opts.TermsBatch
		if j.opts.PhraseBatch > 0 {
			batch = min(batch, j.opts.PhraseBatch)
		}
		for start := 0; start < len(ids); {
			end := min(start+batch, len(ids))
			vals, _ := json.Marshal(ids[start:end])
			var should []string
			for _, f := range j.idFields() {
				should = append(should, fmt.Sprintf(`{"terms":{%q:%s}}`, f, vals))
			}
			if j.opts.PhraseBatch > 0 {
				// Ids that only a raw line holds (a custom nginx log_format kept in message)
				// are found by phrase: the tokens of an id are its alphanumeric runs.
				for _, v := range ids[start:end] {
					if v == strings.ToLower(v) && !strings.HasPrefix(v, "Root=") {
						should = append(should, fmt.Sprintf(`{"match_phrase":{"message":%q}}`, v))
					}
				}
			}
			err := j.pages(ctx, fmt.Sprintf("phase 3 round %d", round), j.hopQuery(window, should, seen), p, collect)
			var ee *Error
			if errors.As(err, &ee) && ee.Kind == BadQuery && strings.Contains(ee.Msg, "max_terms_count") && batch > 1 {
				batch /= 2
				j.progress("the cluster's index.max_terms_count is lower than %d: halving the id batches", end-start)
				continue
			}
			if err != nil {
				return out, err
			}
			start = end
		}
		out = append(out, found...)
		frontier = found
	}
	return out, nil
}

// hopQuery is a phase-3 query: documents in the padded window matching any id clause, minus
// those already read — the 405 documents of phase 2 (unless the cap cut it short) and the hops
// found so far.
func (j *Job) hopQuery(window string, should []string, seen map[string]bool) string {
	q := esBoolQuery(window, should)
	var not []string
	if !j.report.CapHit {
		not = append(not, j.statusQuery())
	}
	if len(seen) <= 20000 {
		ids := make([]string, 0, len(seen))
		for k := range seen {
			if _, id, ok := strings.Cut(k, "/"); ok {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		b, _ := json.Marshal(ids)
		not = append(not, `{"ids":{"values":`+string(b)+`}}`)
	}
	if len(not) == 0 {
		return q
	}
	return `{"bool":{"filter":[` + q + `],"must_not":[` + strings.Join(not, ",") + `]}}`
}

func esBoolQuery(filter string, should []string) string {
	f := ""
	if filter != "" {
		f = `"filter":[` + filter + `],`
	}
	return `{"bool":{` + f + `"should":[` + strings.Join(should, ",") + `],"minimum_should_match":1}}`
}

func (j *Job) finishLayers() {
	names := make([]string, 0, len(j.layerDocs))
	for k := range j.layerDocs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, n := range names {
		st := j.layerDocs[n]
		lr := LayerReport{Layer: n, Docs: st.docs, FromRaw: st.raw, FromECS: st.fields, NoIDs: st.noIDs,
			Rejected: st.rejected, Example: st.example}
		if st.docs > 0 && st.noIDs == st.docs-st.rejected {
			lr.Warning = "no document of this layer carries an id to join on: its hops cannot be linked to the other layers (ship the request id / trace id, see the README)"
		}
		j.report.Layers = append(j.report.Layers, lr)
	}
}

// Sink receives the job's records and baseline counts; *analysis.Engine is one.
type Sink interface {
	Add(*parsers.Record)
	// AddCounts adds n records shaped like rec seen between first and last, to the baselines
	// only (analysis/counts.go).
	AddCounts(rec *parsers.Record, n int64, first, last time.Time)
}

// deliver sends the records in ascending time, then the baseline counts.
func (j *Job) deliver(recs []*parsers.Record, counts []esBucket, sink Sink) {
	sort.SliceStable(recs, func(a, b int) bool { return recs[a].Time.Before(recs[b].Time) })
	for _, r := range recs {
		sink.Add(r)
	}
	sort.SliceStable(counts, func(a, b int) bool { return counts[a].first < counts[b].first })
	var rec parsers.Record
	for i := range counts {
		b := &counts[i]
		b.fill(&rec, 0)
		sink.AddCounts(&rec, b.n, time.Unix(0, b.first).UTC(), time.Unix(0, b.last).UTC())
		j.report.BaselineCounts += b.n
	}
}
