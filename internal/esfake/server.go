package esfake

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"
)

// Version is the Elasticsearch version the server claims.
const Version = "8.19.0"

// Server is the fake cluster. Set the exported fields before serving; use it as an
// http.Handler (httptest.NewServer(srv)).
type Server struct {
	// APIKey, when set, is the encoded API key every request must carry ("ApiKey <key>").
	APIKey string
	// Username and Password, when set, are accepted as Basic credentials.
	Username, Password string
	// MaxTermsCount is index.max_terms_count (default 65 536).
	MaxTermsCount int
	// MaxBuckets is search.max_buckets (default 65 536).
	MaxBuckets int
	// MaxResultWindow is index.max_result_window (default 10 000).
	MaxResultWindow int
	// Shards is the number of shards every search reports (default 3).
	Shards int
	// Now is the clock used for PIT expiry (default time.Now).
	Now func() time.Time

	openSearch bool // NewOpenSearch (opensearch.go)

	mu     sync.Mutex
	st     *store
	pits   map[string]*pit
	faults []*Fault
	stats  map[string]*EndpointStats
	log    []string
}

// pit is an open point in time: a snapshot of the matching documents.
type pit struct {
	scope     *bitset
	keepAlive time.Duration
	expires   time.Time
}

// EndpointStats counts what one endpoint served.
type EndpointStats struct {
	Requests int   // requests received (including failed and retried ones)
	Hits     int   // documents returned in hits.hits
	Bytes    int64 // response bytes
	Errors   int   // responses with a status of 400 or more
}

// Fault is an injected failure. It applies to requests of Endpoint ("info", "field_caps",
// "pit_open", "pit_close", "search", "count", "bulk", "index_create", "index_exists", "refresh",
// or "*"), skipping the first After of them, Times times (default 1; -1 for ever).
type Fault struct {
	Endpoint string
	After    int
	Times    int
	// Match, when set, must also accept the request (body given gunzipped).
	Match func(r *http.Request, body []byte) bool

	Status     int    // error status: 400, 401, 403, 404, 429, 500, 502, 503, 504
	Type       string // error type; a default per status when empty
	Reason     string
	Durability string // circuit_breaking_exception: "TRANSIENT" or "PERMANENT"

	ShardFailure    bool // 200 with one shard failed: its documents are missing from the result
	TimedOut        bool // 200 with "timed_out": true
	NoProductHeader bool // omit X-Elastic-Product on a 2xx
	Reset           bool // close the connection without a response
	Delay           time.Duration
	ExpirePITs      bool // every open PIT expires before the request is served
	BadJSON         bool // a truncated JSON body with status 200
	// IgnoreAfter serves a search as if it had no search_after and no composite "after": a
	// server that never makes progress.
	IgnoreAfter bool
	// Body, when set, is answered with status 200 instead of computing a response.
	Body string
}

// New returns an empty server.
func New() *Server {
	return &Server{st: newStore(), pits: map[string]*pit{}, stats: map[string]*EndpointStats{}}
}

// SetCredentials sets the API key and basic credentials requests must carry (safe while serving).
func (s *Server) SetCredentials(apiKey, username, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.APIKey, s.Username, s.Password = apiKey, username, password
}

// CreateIndex creates a plain index, or a data stream with one backing index. A name
// Elasticsearch refuses (upper case) is a bug of the test that asks for it.
func (s *Server) CreateIndex(name string, dataStream bool) {
	if e := createIndexName(name); e != nil {
		panic("BUG: esfake.CreateIndex: " + e.reason)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.ensureIndex(name, dataStream)
}

// AddDocument indexes a JSON document into an index or data stream (created when missing:
// names of the form logs-<dataset>-<namespace> become data streams). An empty id is generated.
func (s *Server) AddDocument(target, id string, src []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.byName[target]; !ok {
		if e := createIndexName(target); e != nil {
			return e
		}
	}
	ixn := s.st.ensureIndex(target, isDataStreamName(target))
	_, _, err := s.st.add(ixn, id, src)
	return err
}

// createIndexName refuses a name Elasticsearch and OpenSearch will not create an index or data
// stream under (MetadataCreateIndexService.validateIndexOrAliasName): one with upper-case
// letters, 400 invalid_index_name_exception. Searches are not refused: they match names
// case-sensitively (resolve), and an alias may have capitals.
func createIndexName(name string) *esError {
	if name != strings.ToLower(name) {
		return &esError{status: 400, typ: "invalid_index_name_exception", reason: "Invalid index name [" + name + "], must be lowercase"}
	}
	return nil
}

func isDataStreamName(n string) bool {
	return strings.HasPrefix(n, "logs-") && strings.Count(n, "-") >= 2
}

// Generate appends generated documents (see GenSpec).
func (s *Server) Generate(spec GenSpec) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.generate(spec)
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Stats returns a copy of the per-endpoint counters.
func (s *Server) Stats() map[string]EndpointStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]EndpointStats{}
	for k, v := range s.stats {
		out[k] = *v
	}
	return out
}

// ResetStats clears the counters and the request log.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = map[string]*EndpointStats{}
	s.log = nil
}

// Log returns "METHOD path" of every request received, in order.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// OpenPITs returns the number of PITs open (not closed, not expired).
func (s *Server) OpenPITs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.pits {
		if s.now().Before(p.expires) {
			n++
		}
	}
	return n
}

// DocCount returns the number of live documents in the indices a target expression names.
func (s *Server) DocCount(targets string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.resolve(targets, true)
	if err != nil {
		return 0
	}
	return b.count()
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) settings() (maxTerms, maxBuckets, window, shards int) {
	maxTerms, maxBuckets, window, shards = s.MaxTermsCount, s.MaxBuckets, s.MaxResultWindow, s.Shards
	if maxTerms == 0 {
		maxTerms = 65536
	}
	if maxBuckets == 0 {
		maxBuckets = 65536
	}
	if window == 0 {
		window = 10000
	}
	if shards == 0 {
		shards = 3
	}
	return
}

// resolve returns the live documents of the indices a comma-separated target list names.
// Names are matched as Elasticsearch matches them, case-sensitively: an upper-case pattern
// matches no index (index names are lower case: createIndexName), and an upper-case concrete
// name is a missing index.
func (s *Server) resolve(targets string, ignoreUnavailable bool) (*bitset, error) {
	return s.resolveNoIndices(targets, ignoreUnavailable, true)
}

// resolveNoIndices is resolve with allow_no_indices: when false, a wildcard expression that
// matches no index is a 404 index_not_found_exception naming it, as Elasticsearch answers.
func (s *Server) resolveNoIndices(targets string, ignoreUnavailable, allowNoIndices bool) (*bitset, error) {
	st := s.st
	want := make([]bool, len(st.indices))
	for _, t := range strings.Split(targets, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if t == "_all" || t == "*" {
			for i, ix := range st.indices {
				want[i] = want[i] || !strings.HasPrefix(ix.name, ".") || ix.dataStream != ""
			}
			continue
		}
		exclude := strings.HasPrefix(t, "-")
		t = strings.TrimPrefix(t, "-")
		found := false
		for i, ix := range st.indices {
			for _, n := range []string{ix.name, ix.dataStream} {
				if n == "" || strings.HasPrefix(n, ".") && !strings.HasPrefix(t, ".") && strings.Contains(t, "*") {
					continue
				}
				if ok, _ := path.Match(t, n); ok {
					want[i] = !exclude
					found = true
				}
			}
		}
		if !found && !strings.Contains(t, "*") && !exclude && !ignoreUnavailable ||
			!found && strings.Contains(t, "*") && !exclude && !allowNoIndices {
			return nil, &esError{status: 404, typ: "index_not_found_exception", reason: "no such index [" + t + "]"}
		}
	}
	if !allowNoIndices && !slices.Contains(want, true) {
		// A concrete name ignore_unavailable let pass, and nothing else.
		return nil, &esError{status: 404, typ: "index_not_found_exception", reason: "no such index [" + targets + "]"}
	}
	b := newBitset(st.n)
	for d := int32(0); d < st.n; d++ {
		if want[st.idx[d]] && !st.deleted[d] {
			b.set(d)
		}
	}
	return b, nil
}

func (s *Server) endpoint(r *http.Request, parts []string) string {
	last := ""
	if len(parts) > 0 {
		last = parts[len(parts)-1]
	}
	switch {
	case len(parts) == 0:
		return "info"
	case last == "_field_caps":
		return "field_caps"
	case last == "_pit" && !s.openSearch && r.Method == http.MethodDelete:
		return "pit_close"
	case last == "_pit" && !s.openSearch:
		return "pit_open"
	case last == "point_in_time" && len(parts) >= 2 && parts[len(parts)-2] == "_search" && s.openSearch:
		if r.Method == http.MethodDelete {
			return "pit_close"
		}
		return "pit_open"
	case last == "_search":
		return "search"
	case last == "_count":
		return "count"
	case last == "_bulk":
		return "bulk"
	case last == "_refresh":
		return "refresh"
	case len(parts) == 1 && r.Method == http.MethodPut:
		return "index_create"
	case len(parts) == 1 && r.Method == http.MethodHead:
		return "index_exists"
	}
	return "unknown"
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var parts []string
	for _, p := range strings.Split(strings.Trim(r.URL.Path, "/"), "/") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	body, err := readBody(r)
	s.mu.Lock()
	ep := s.endpoint(r, parts)
	es := s.stats[ep]
	if es == nil {
		es = &EndpointStats{}
		s.stats[ep] = es
	}
	es.Requests++
	s.log = append(s.log, r.Method+" "+r.URL.RequestURI())
	authErr := s.authenticate(r)
	var fault *Fault
	for _, f := range s.faults {
		if f.Times == 0 || f.Endpoint != ep && f.Endpoint != "*" || f.Match != nil && !f.Match(r, body) {
			continue
		}
		if f.After > 0 {
			f.After--
			continue
		}
		if f.Times > 0 {
			f.Times--
		}
		fault = f
		break
	}
	s.mu.Unlock()

	rw := &respWriter{w: w, r: r, s: s, ep: ep}
	if fault != nil {
		if fault.Delay > 0 {
			select {
			case <-time.After(fault.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if fault.Reset {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		rw.noProduct = fault.NoProductHeader
		rw.badJSON = fault.BadJSON
		if fault.ExpirePITs {
			s.mu.Lock()
			s.pits = map[string]*pit{}
			s.mu.Unlock()
		}
		if fault.Status != 0 {
			e := faultError(fault)
			if s.openSearch && fault.Status == 403 && fault.Reason == "" {
				e.reason = "no permissions for [indices:data/read/search] and User [name=triage, backend_roles=[], requestedTenant=null]"
			}
			rw.error(e)
			return
		}
		if fault.Body != "" {
			rw.header(true)
			rw.write(200, []byte(fault.Body))
			return
		}
		if fault.IgnoreAfter && err == nil {
			body = withoutAfter(body)
		}
	}
	if err != nil {
		rw.error(&esError{status: 400, typ: "parse_exception", reason: "request body is required or malformed: " + err.Error()})
		return
	}
	if authErr != nil {
		rw.unauthenticated(authErr)
		return
	}
	if e := checkParams(ep, r.URL.Path, r.URL.Query()); e != nil {
		rw.error(e)
		return
	}
	res, status, err := s.serveLocked(r, rw, ep, parts, body, fault)
	if err == errHeadDone {
		return
	}
	if err != nil {
		if e, ok := err.(*esError); ok {
			rw.error(e)
		} else {
			rw.error(&esError{status: 500, typ: "exception", reason: err.Error()})
		}
		return
	}
	if res == nil {
		rw.error(&esError{status: 405, typ: "illegal_argument_exception",
			reason: fmt.Sprintf("Incorrect HTTP method for uri [%s] and method [%s]", r.URL.Path, r.Method)})
		return
	}
	if fp := r.URL.Query().Get("filter_path"); fp != "" {
		res = filterPath(res, fp)
	}
	if fault != nil && fault.TimedOut {
		if m, ok := res.(map[string]any); ok {
			m["timed_out"] = true
		}
	}
	rw.json(status, res)
}

var errHeadDone = fmt.Errorf("head written")

// serveLocked computes a response under the server's lock.
func (s *Server) serveLocked(r *http.Request, rw *respWriter, ep string, parts []string, body []byte, fault *Fault) (res any, status int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	status = 200
	es := s.stats[ep]
	switch ep {
	case "info":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			break
		}
		if s.openSearch {
			res = s.osInfo()
			break
		}
		res = map[string]any{"name": "esfake-1", "cluster_name": "esfake", "cluster_uuid": "fakeclusteruuid0000000",
			"version": map[string]any{"number": Version, "build_flavor": "default", "build_type": "docker",
				"build_hash": "0000000", "build_date": "2025-01-01T00:00:00.000Z", "build_snapshot": false,
				"lucene_version": "9.12.1", "minimum_wire_compatibility_version": "7.17.0",
				"minimum_index_compatibility_version": "7.0.0"},
			"tagline": "You Know, for Search"}
	case "field_caps":
		res, err = s.fieldCaps(r, parts)
	case "pit_open":
		if s.openSearch {
			res, err = s.osOpenPIT(r, parts[:len(parts)-1])
		} else {
			res, err = s.openPIT(r, parts)
		}
	case "pit_close":
		if s.openSearch {
			res, status, err = s.osClosePIT(body)
		} else {
			res, status, err = s.closePIT(body)
		}
	case "search":
		var hits int
		res, hits, err = s.search(r, parts, body, fault)
		if es != nil {
			es.Hits += hits
		}
	case "count":
		res, err = s.count(r, parts, body)
	case "bulk":
		res, err = s.bulk(r, parts, body)
	case "refresh":
		_, _, _, shards := s.settings()
		res = map[string]any{"_shards": map[string]any{"total": shards, "successful": shards, "failed": 0}}
	case "index_create":
		name := parts[0]
		if e := createIndexName(name); e != nil {
			err = e
		} else if _, ok := s.st.byName[name]; ok {
			err = &esError{status: 400, typ: "resource_already_exists_exception", reason: "index [" + name + "/fakeuuid] already exists"}
		} else if mp, merr := parseMapping(gjson.GetBytes(body, "mappings")); merr != nil {
			err = merr
		} else {
			ixn := s.st.ensureIndex(name, false)
			s.st.indices[ixn].mapping = mp
			res = map[string]any{"acknowledged": true, "shards_acknowledged": true, "index": name}
		}
	case "index_exists":
		st := 404
		if _, ok := s.st.byName[parts[0]]; ok {
			st = 200
		}
		rw.headOnly(st)
		return nil, 0, errHeadDone
	}
	return res, status, err
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var rd io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		rd = zr
	}
	return io.ReadAll(rd)
}

func faultError(f *Fault) *esError {
	e := &esError{status: f.Status, typ: f.Type, reason: f.Reason}
	if e.typ == "" {
		switch f.Status {
		case 400:
			e.typ = "parsing_exception"
		case 401, 403:
			e.typ = "security_exception"
		case 404:
			e.typ = "index_not_found_exception"
		case 429:
			e.typ = "es_rejected_execution_exception"
		case 503:
			e.typ = "cluster_block_exception"
		default:
			e.typ = "exception"
		}
	}
	if e.reason == "" {
		switch e.typ {
		case "es_rejected_execution_exception":
			e.reason = "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1024, max_coordinating_and_primary_bytes=0]"
		case "circuit_breaking_exception":
			e.reason = "[parent] Data too large, data for [<http_request>] would be [1020054944/972.7mb], which is larger than the limit of [1020054732/972.7mb]"
		case "security_exception":
			if f.Status == 403 {
				e.reason = "action [indices:data/read/search] is unauthorized for user [triage] with effective roles [viewer] on indices [logs-nginx.access-default], this action is granted by the index privileges [read,all]"
			} else {
				e.reason = "unable to authenticate with provided credentials"
			}
		case "index_not_found_exception":
			e.reason = "no such index [missing]"
		default:
			e.reason = "injected fault"
		}
	}
	if e.typ == "circuit_breaking_exception" {
		e.reason += " (durability " + f.Durability + ")"
	}
	return e
}

func (s *Server) authenticate(r *http.Request) *esError {
	if s.APIKey == "" && s.Username == "" {
		return nil
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return &esError{status: 401, typ: "security_exception", reason: "missing authentication credentials for REST request [" + r.URL.Path + "]"}
	}
	scheme, cred, _ := strings.Cut(h, " ")
	switch strings.ToLower(scheme) {
	case "apikey":
		if s.APIKey != "" && cred == s.APIKey {
			return nil
		}
	case "basic":
		if s.Username != "" {
			if b, err := base64.StdEncoding.DecodeString(cred); err == nil && string(b) == s.Username+":"+s.Password {
				return nil
			}
		}
		return &esError{status: 401, typ: "security_exception", reason: "unable to authenticate user [" + basicUser(cred) + "] for REST request [" + r.URL.Path + "]"}
	}
	return &esError{status: 401, typ: "security_exception", reason: "unable to authenticate with provided credentials"}
}

func basicUser(cred string) string {
	b, _ := base64.StdEncoding.DecodeString(cred)
	u, _, _ := strings.Cut(string(b), ":")
	return u
}

// respWriter writes responses with Elasticsearch's headers and counts bytes.
type respWriter struct {
	w         http.ResponseWriter
	r         *http.Request
	s         *Server
	ep        string
	noProduct bool
	badJSON   bool
}

func (rw *respWriter) header(product bool) {
	ct := "application/json"
	if a := rw.r.Header.Get("Accept"); strings.Contains(a, "vnd.elasticsearch") {
		ct = "application/vnd.elasticsearch+json;compatible-with=8"
	} else if c := rw.r.Header.Get("Content-Type"); strings.Contains(c, "vnd.elasticsearch") {
		ct = "application/vnd.elasticsearch+json;compatible-with=8"
	}
	rw.w.Header().Set("Content-Type", ct)
	if product && !rw.noProduct && !rw.s.openSearch {
		rw.w.Header().Set("X-Elastic-Product", "Elasticsearch")
	}
}

func (rw *respWriter) write(status int, b []byte) {
	if rw.badJSON && status < 300 {
		b = b[:len(b)/2]
	}
	rw.w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	rw.w.WriteHeader(status)
	if rw.r.Method != http.MethodHead {
		rw.w.Write(b)
	}
	rw.s.mu.Lock()
	if es := rw.s.stats[rw.ep]; es != nil {
		es.Bytes += int64(len(b))
		if status >= 400 {
			es.Errors++
		}
	}
	rw.s.mu.Unlock()
}

func (rw *respWriter) json(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"error":"marshal"}`)
		status = 500
	}
	rw.header(true)
	rw.write(status, b)
}

func (rw *respWriter) headOnly(status int) {
	rw.header(true)
	rw.w.Header().Set("Content-Length", "0")
	rw.w.WriteHeader(status)
}

func errBody(e *esError) map[string]any {
	cause := map[string]any{"type": e.typ, "reason": e.reason}
	if e.typ == "index_not_found_exception" {
		name := strings.TrimSuffix(strings.TrimPrefix(e.reason, "no such index ["), "]")
		for k, v := range map[string]any{"resource.type": "index_or_alias", "resource.id": name, "index_uuid": "_na_", "index": name} {
			cause[k] = v
		}
	}
	if e.typ == "invalid_index_name_exception" {
		name, _, _ := strings.Cut(strings.TrimPrefix(e.reason, "Invalid index name ["), "]")
		cause["index_uuid"], cause["index"] = "_na_", name
	}
	top := map[string]any{}
	for k, v := range cause {
		top[k] = v
	}
	if e.cause != "" {
		top["caused_by"] = map[string]any{"type": "illegal_argument_exception", "reason": e.cause}
	}
	top["root_cause"] = []any{cause}
	if e.shard || e.typ == "search_context_missing_exception" {
		top = map[string]any{"root_cause": []any{cause}, "type": "search_phase_execution_exception",
			"reason": "all shards failed", "phase": "query", "grouped": true,
			"failed_shards": []any{map[string]any{"shard": 0, "index": nil, "node": "esfake-node", "reason": cause}},
			"caused_by":     cause}
	}
	if e.typ == "circuit_breaking_exception" {
		top["bytes_wanted"] = 1020054944
		top["bytes_limit"] = 1020054732
		top["durability"] = "TRANSIENT"
		if strings.Contains(e.reason, "PERMANENT") {
			top["durability"] = "PERMANENT"
		}
	}
	return map[string]any{"error": top, "status": e.status}
}

func (rw *respWriter) error(e *esError) {
	if e.status == 401 {
		rw.unauthenticated(e)
		return
	}
	b, _ := json.Marshal(errBody(e))
	rw.header(true)
	rw.write(e.status, b)
}

// unauthenticated answers 401 the way Elasticsearch does: WWW-Authenticate, no product header.
func (rw *respWriter) unauthenticated(e *esError) {
	if rw.s.openSearch {
		rw.osUnauthorized()
		return
	}
	b, _ := json.Marshal(errBody(e))
	rw.header(false)
	rw.w.Header().Add("WWW-Authenticate", `Basic realm="security", charset="UTF-8"`)
	rw.w.Header().Add("WWW-Authenticate", "ApiKey")
	rw.write(401, b)
}

func (s *Server) fieldCaps(r *http.Request, parts []string) (any, error) {
	targets := "_all"
	if len(parts) > 1 {
		targets = parts[0]
	}
	q := r.URL.Query()
	scope, err := s.resolveNoIndices(targets, q.Get("ignore_unavailable") == "true", q.Get("allow_no_indices") != "false")
	if err != nil {
		return nil, err
	}
	var pats []string
	for _, f := range strings.Split(r.URL.Query().Get("fields"), ",") {
		if f = strings.TrimSpace(f); f != "" {
			pats = append(pats, f)
		}
	}
	seen := map[uint16]bool{}
	for d := scope.next(0); d >= 0; d = scope.next(d + 1) {
		seen[s.st.idx[d]] = true
	}
	indices := []string{}
	for i := range seen {
		indices = append(indices, s.st.indices[i].name)
	}
	sort.Strings(indices)
	fields := map[string]any{}
	names := []string{"@timestamp"}
	for k := range s.st.cols {
		names = append(names, k)
	}
	for _, name := range names {
		ok := false
		for _, p := range pats {
			if m, _ := path.Match(p, name); m || p == "*" {
				ok = true
			}
		}
		if !ok {
			continue
		}
		typ := s.fieldType(name, s.st.cols[name])
		agg := typ != "match_only_text" && typ != "text" && !(s.openSearch && typ == "wildcard")
		fields[name] = map[string]any{typ: map[string]any{"type": typ, "metadata_field": false,
			"searchable": true, "aggregatable": agg}}
	}
	return map[string]any{"indices": indices, "fields": fields}, nil
}

func newPITID() string {
	var b [48]byte
	rand.Read(b[:])
	return base64.URLEncoding.EncodeToString(b[:])
}

func parseKeepAlive(v string) (time.Duration, error) {
	if v == "" {
		return 0, &esError{status: 400, typ: "action_request_validation_exception", reason: "Validation Failed: 1: [keep_alive] is not specified;"}
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		if strings.HasSuffix(v, "d") {
			if n, e := strconv.Atoi(strings.TrimSuffix(v, "d")); e == nil {
				return time.Duration(n) * 24 * time.Hour, nil
			}
		}
		return 0, &esError{status: 400, typ: "illegal_argument_exception", reason: "failed to parse setting [keep_alive] with value [" + v + "] as a time value: unit is missing or unrecognized"}
	}
	if d > 24*time.Hour {
		return 0, &esError{status: 400, typ: "illegal_argument_exception",
			reason: fmt.Sprintf("Keep alive for request (%s) is too large. It must be less than (1d). This limit can be set by changing the [search.max_keep_alive] cluster level setting.", v)}
	}
	return d, nil
}

func (s *Server) openPIT(r *http.Request, parts []string) (any, error) {
	if len(parts) < 2 {
		return nil, &esError{status: 400, typ: "action_request_validation_exception", reason: "Validation Failed: 1: [index] is not specified;"}
	}
	ka, err := parseKeepAlive(r.URL.Query().Get("keep_alive"))
	if err != nil {
		return nil, err
	}
	scope, err := s.resolve(parts[0], r.URL.Query().Get("ignore_unavailable") == "true")
	if err != nil {
		return nil, err
	}
	id := newPITID()
	s.pits[id] = &pit{scope: scope, keepAlive: ka, expires: s.now().Add(ka)}
	_, _, _, shards := s.settings()
	return map[string]any{"id": id, "_shards": shardsObj(shards, nil)}, nil
}

func (s *Server) closePIT(body []byte) (any, int, error) {
	var unknown string
	gjson.ParseBytes(body).ForEach(func(k, _ gjson.Result) bool {
		if k.Str != "id" {
			unknown = k.Str
		}
		return unknown == ""
	})
	if unknown != "" {
		return nil, 0, &esError{status: 400, typ: "x_content_parse_exception", reason: "[1:2] [close_point_in_time] unknown field [" + unknown + "]"}
	}
	id := gjson.GetBytes(body, "id").String()
	if id == "" {
		return nil, 0, &esError{status: 400, typ: "action_request_validation_exception", reason: "Validation Failed: 1: no pit ids specified;"}
	}
	p, ok := s.pits[id]
	freed := 0
	if ok {
		delete(s.pits, id)
		if s.now().Before(p.expires) {
			freed = 1
		}
	}
	status := 200
	if freed == 0 && !ok {
		status = 404
	}
	return map[string]any{"succeeded": true, "num_freed": freed}, status, nil
}

func shardsObj(total int, failures []any) map[string]any {
	return map[string]any{"total": total, "successful": total - len(failures), "skipped": 0, "failed": len(failures), "failures": failures}
}

var searchKeys = map[string]bool{"query": true, "size": true, "from": true, "sort": true, "search_after": true,
	"track_total_hits": true, "_source": true, "fields": true, "aggs": true, "aggregations": true, "pit": true,
	"slice": true, "timeout": true}

func (s *Server) count(r *http.Request, parts []string, body []byte) (any, error) {
	targets := "_all"
	if len(parts) > 1 {
		targets = parts[0]
	}
	scope, err := s.resolve(targets, r.URL.Query().Get("ignore_unavailable") == "true")
	if err != nil {
		return nil, err
	}
	maxTerms, _, _, shards := s.settings()
	ev := &evaluator{s: s.st, maxTerms: maxTerms}
	q, err := ev.eval(gjson.GetBytes(body, "query"))
	if err != nil {
		return nil, err
	}
	q.and(scope)
	return map[string]any{"count": q.count(), "_shards": shardsObj(shards, nil)}, nil
}

type sortKey struct {
	field string
	desc  bool
}

func (s *Server) search(r *http.Request, parts []string, body []byte, fault *Fault) (any, int, error) {
	maxTerms, maxBuckets, window, shards := s.settings()
	if len(body) > 0 && !gjson.ValidBytes(body) {
		return nil, 0, &esError{status: 400, typ: "x_content_parse_exception", reason: "[1:1] Unexpected character: was expecting a value"}
	}
	req := gjson.ParseBytes(body)
	var bad error
	req.ForEach(func(k, _ gjson.Result) bool {
		if !searchKeys[k.Str] {
			bad = parsingErr("Unknown key for a START_OBJECT in [%s].", k.Str)
			return false
		}
		return true
	})
	if bad != nil {
		return nil, 0, bad
	}
	if e := checkSearchTypes(req); e != nil {
		return nil, 0, e
	}
	q := r.URL.Query()
	var scope *bitset
	var pitID string
	if p := req.Get("pit"); p.Exists() {
		if len(parts) > 1 {
			return nil, 0, &esError{status: 400, typ: "action_request_validation_exception",
				reason: "Validation Failed: 1: [indices] cannot be used with point in time. Do not specify any index with point in time.;"}
		}
		pitID = p.Get("id").String()
		pt, ok := s.pits[pitID]
		if !ok || !s.now().Before(pt.expires) {
			delete(s.pits, pitID)
			return nil, 0, &esError{status: 404, typ: "search_context_missing_exception", reason: "No search context found for id [91]"}
		}
		if ka := p.Get("keep_alive").String(); ka != "" {
			d, err := parseKeepAlive(ka)
			if err != nil {
				return nil, 0, err
			}
			pt.keepAlive = d
		}
		pt.expires = s.now().Add(pt.keepAlive)
		scope = newBitset(s.st.n)
		scope.or(growTo(pt.scope, s.st.n))
	} else {
		targets := "_all"
		if len(parts) > 1 {
			targets = parts[0]
		}
		var err error
		if scope, err = s.resolve(targets, q.Get("ignore_unavailable") == "true"); err != nil {
			return nil, 0, err
		}
	}
	ev := &evaluator{s: s.st, maxTerms: maxTerms}
	match, err := ev.eval(req.Get("query"))
	if err != nil {
		return nil, 0, err
	}
	match.and(scope)
	if sl := req.Get("slice"); sl.Exists() {
		id, mx := int32(sl.Get("id").Int()), int32(sl.Get("max").Int())
		if mx <= 1 || id < 0 || id >= mx {
			return nil, 0, &esError{status: 400, typ: "illegal_argument_exception", reason: "slice id must be less than max"}
		}
		for d := match.next(0); d >= 0; d = match.next(d + 1) {
			if d%mx != id {
				match.w[d>>6] &^= 1 << (uint(d) & 63)
			}
		}
	}
	var failures []any
	if fault != nil && fault.ShardFailure {
		failed := int32(shards - 1)
		for d := match.next(0); d >= 0; d = match.next(d + 1) {
			if d%int32(shards) == failed {
				match.w[d>>6] &^= 1 << (uint(d) & 63)
			}
		}
		failures = append(failures, map[string]any{"shard": failed, "index": "logs-shard", "node": "esfake-node",
			"reason": map[string]any{"type": "node_disconnected_exception", "reason": "[esfake-2][127.0.0.1:9300][indices:data/read/search[phase/query]] disconnected"}})
	}

	// Sorting and paging.
	var keys []sortKey
	sortSpec := req.Get("sort")
	if sortSpec.Exists() {
		items := []gjson.Result{sortSpec}
		if sortSpec.IsArray() {
			items = sortSpec.Array()
		}
		for _, it := range items {
			if it.Type == gjson.String {
				keys = append(keys, sortKey{field: it.Str})
				continue
			}
			var e error
			it.ForEach(func(k, v gjson.Result) bool {
				desc := v.String() == "desc" || v.Get("order").String() == "desc"
				switch k.Str {
				case "_shard_doc":
					if s.openSearch { // OpenSearch before 3.3
						e = &esError{status: 400, typ: "query_shard_exception", shard: true, reason: "No mapping found for [_shard_doc] in order to sort on"}
						return false
					}
				case "_index", "_id":
					if !s.openSearch && k.Str == "_id" {
						e = &esError{status: 400, typ: "illegal_argument_exception", shard: true, reason: "Fielddata access on the _id field is disallowed, you can re-enable it by updating the dynamic cluster setting: indices.id_field_data.enabled"}
						return false
					}
				case "_doc", "@timestamp":
				default:
					if err := s.fielddataErr(k.Str); err != nil {
						e = err.(*esError)
						return false
					}
					if !v.Get("unmapped_type").Exists() {
						e = &esError{status: 400, typ: "query_shard_exception", shard: true, reason: "No mapping found for [" + k.Str + "] in order to sort on"}
						return false
					}
				}
				keys = append(keys, sortKey{field: k.Str, desc: desc})
				return true
			})
			if e != nil {
				return nil, 0, e
			}
		}
	}
	if pitID != "" && !s.openSearch && (len(keys) == 0 || keys[len(keys)-1].field != "_shard_doc") {
		keys = append(keys, sortKey{field: "_shard_doc"})
	}
	size := 10
	if v := req.Get("size"); v.Exists() {
		size = int(v.Int())
	}
	from := int(req.Get("from").Int())
	after := req.Get("search_after")
	if after.Exists() {
		if from > 0 {
			return nil, 0, &esError{status: 400, typ: "illegal_argument_exception", reason: "[from] parameter must be set to 0 when [search_after] is used"}
		}
		if len(after.Array()) != len(keys) {
			return nil, 0, &esError{status: 400, typ: "illegal_argument_exception", shard: true,
				reason: fmt.Sprintf("search_after has %d value(s) but sort has %d.", len(after.Array()), len(keys))}
		}
	}
	if from+size > window {
		return nil, 0, &esError{status: 400, typ: "illegal_argument_exception", shard: true,
			reason: fmt.Sprintf("Result window is too large, from + size must be less than or equal to: [%d] but was [%d]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.", window, from+size)}
	}
	sortVal := func(d int32, k sortKey) int64 {
		switch k.field {
		case "@timestamp":
			if t := s.st.ts[d]; t != missingTS {
				return t
			}
			if k.desc {
				return -1 << 63
			}
			return 1<<63 - 1
		case "_shard_doc", "_doc":
			return 1<<32 + int64(d)
		}
		return 0
	}
	strVal := func(d int32, k sortKey) (string, bool) {
		switch k.field {
		case "_index":
			return s.st.indices[s.st.idx[d]].name, true
		case "_id":
			return s.st.id(d), true
		}
		return "", false
	}
	total := match.count()
	var hits []int32
	if size > 0 {
		var afterVals []int64
		var afterStrs []string
		for _, v := range after.Array() {
			afterVals = append(afterVals, v.Int())
			afterStrs = append(afterStrs, v.String())
		}
		less := func(a, b int32) bool {
			for _, k := range keys {
				if x, ok := strVal(a, k); ok {
					if y, _ := strVal(b, k); x != y {
						return x < y != k.desc
					}
					continue
				}
				x, y := sortVal(a, k), sortVal(b, k)
				if x != y {
					return x < y != k.desc
				}
			}
			return a < b
		}
		isAfter := func(d int32) bool {
			for i, k := range keys {
				if x, ok := strVal(d, k); ok {
					if x != afterStrs[i] {
						return x > afterStrs[i] != k.desc
					}
					continue
				}
				x := sortVal(d, k)
				if x != afterVals[i] {
					return x > afterVals[i] != k.desc
				}
			}
			return false
		}
		simple := len(keys) == 0 || len(keys) == 1 && (keys[0].field == "_shard_doc" || keys[0].field == "_doc") && !keys[0].desc
		if simple {
			start := int32(0)
			if after.Exists() {
				start = int32(afterVals[0]-1<<32) + 1
			}
			skipped := 0
			for d := match.next(start); d >= 0 && len(hits) < size; d = match.next(d + 1) {
				if skipped < from {
					skipped++
					continue
				}
				hits = append(hits, d)
			}
		} else {
			var all []int32
			for d := match.next(0); d >= 0; d = match.next(d + 1) {
				if !after.Exists() || isAfter(d) {
					all = append(all, d)
				}
			}
			sort.Slice(all, func(i, j int) bool { return less(all[i], all[j]) })
			if from < len(all) {
				all = all[from:]
			} else {
				all = nil
			}
			if len(all) > size {
				all = all[:size]
			}
			hits = all
		}
	}
	hitList := make([]any, 0, len(hits))
	srcSpec := req.Get("_source")
	for _, d := range hits {
		h := map[string]any{"_index": s.st.indices[s.st.idx[d]].name, "_id": s.st.id(d), "_score": nil}
		if src, ok := filterStored(s.st, d, srcSpec); ok {
			h["_source"] = src
		}
		if f := req.Get("fields"); f.Exists() {
			h["fields"] = s.fieldsOf(d, f)
		}
		if len(keys) > 0 {
			var sv []any
			for _, k := range keys {
				if x, ok := strVal(d, k); ok {
					sv = append(sv, x)
				} else {
					sv = append(sv, sortVal(d, k))
				}
			}
			h["sort"] = sv
		}
		hitList = append(hitList, h)
	}
	hitsObj := map[string]any{"max_score": nil, "hits": hitList}
	if tt := req.Get("track_total_hits"); !(tt.Exists() && tt.Type == gjson.False) {
		limit := 10000
		if tt.Type == gjson.True {
			limit = total + 1
		} else if tt.Type == gjson.Number {
			limit = int(tt.Int())
		}
		if total > limit {
			hitsObj["total"] = map[string]any{"value": limit, "relation": "gte"}
		} else {
			hitsObj["total"] = map[string]any{"value": total, "relation": "eq"}
		}
	}
	res := map[string]any{"took": 1, "timed_out": false, "_shards": shardsObj(shards, failures), "hits": hitsObj}
	if pitID != "" {
		res["pit_id"] = pitID
	}
	aggSpec := req.Get("aggs")
	if !aggSpec.Exists() {
		aggSpec = req.Get("aggregations")
	}
	if aggSpec.Exists() {
		var docs []int32
		for d := match.next(0); d >= 0; d = match.next(d + 1) {
			docs = append(docs, d)
		}
		ag := &aggregator{ev: ev, scope: scope, max: maxBuckets}
		if s.openSearch {
			ag.fielddata = s.fielddataErr
		}
		aggs, err := ag.all(aggSpec, docs, true)
		if err != nil {
			return nil, 0, err
		}
		res["aggregations"] = aggs
	}
	return res, len(hits), nil
}

func growTo(b *bitset, n int32) *bitset {
	w := (int(n) + 63) / 64
	if len(b.w) >= w {
		return &bitset{w: b.w[:w]}
	}
	out := &bitset{w: make([]uint64, w)}
	copy(out.w, b.w)
	return out
}

// fieldsOf returns the search "fields" option's view of a document: dotted names → arrays.
func (s *Server) fieldsOf(d int32, spec gjson.Result) map[string]any {
	out := map[string]any{}
	var pats []string
	for _, f := range spec.Array() {
		if f.IsObject() {
			pats = append(pats, f.Get("field").String())
		} else {
			pats = append(pats, f.String())
		}
	}
	for name, c := range s.st.cols {
		for _, p := range pats {
			if m, _ := path.Match(p, name); m || p == "*" {
				vals := c.values(d, nil)
				if len(vals) == 0 {
					break
				}
				arr := make([]any, 0, len(vals))
				for _, v := range vals {
					if c.numeric {
						if n, err := strconv.ParseInt(v, 10, 64); err == nil {
							arr = append(arr, n)
							continue
						}
					}
					arr = append(arr, v)
				}
				out[name] = arr
				break
			}
		}
	}
	for _, p := range pats {
		if m, _ := path.Match(p, "@timestamp"); (m || p == "*") && s.st.ts[d] != missingTS {
			out["@timestamp"] = []any{fmtDate(s.st.ts[d])}
		}
	}
	return out
}

// filterStored is filterSource for document d, memoized for stored sources: copies of a seeded
// store share their documents' bytes (store.clone), and every es run asks for the same _source
// lists, so the tests' fake clusters filter each document once per process instead of once per
// hit (it was a quarter of an es run's CPU).
func filterStored(st *store, d int32, spec gjson.Result) (json.RawMessage, bool) {
	raw := st.src[d]
	if raw == nil || !spec.Exists() || spec.Type == gjson.True || spec.Type == gjson.False {
		return filterSource(st.source(d), spec)
	}
	filtered.mu.Lock()
	out, ok := filtered.m[spec.Raw][string(raw)]
	filtered.mu.Unlock()
	if ok {
		return out, true
	}
	out, ok = filterSource(raw, spec)
	if !ok {
		return out, ok
	}
	filtered.mu.Lock()
	defer filtered.mu.Unlock()
	if filtered.n >= 50000 { // a bound on the memory held: start again
		filtered.m, filtered.n = nil, 0
	}
	if filtered.m == nil {
		filtered.m = map[string]map[string]json.RawMessage{}
	}
	bySrc := filtered.m[spec.Raw]
	if bySrc == nil {
		bySrc = map[string]json.RawMessage{}
		filtered.m[spec.Raw] = bySrc
	}
	if _, dup := bySrc[string(raw)]; !dup {
		bySrc[string(raw)] = out
		filtered.n++
	}
	return out, true
}

// filtered holds filterSource's results by _source option and document source.
var filtered struct {
	mu sync.Mutex
	m  map[string]map[string]json.RawMessage
	n  int
}

// filterSource applies the _source option: false, true, a pattern or list, or includes/excludes.
// Matching keeps the document's own shape (nested objects or literal dotted keys).
func filterSource(raw json.RawMessage, spec gjson.Result) (json.RawMessage, bool) {
	if !spec.Exists() || spec.Type == gjson.True {
		return raw, true
	}
	if spec.Type == gjson.False {
		return nil, false
	}
	var inc, exc []string
	switch {
	case spec.IsArray():
		for _, v := range spec.Array() {
			inc = append(inc, v.String())
		}
	case spec.IsObject():
		for _, v := range spec.Get("includes").Array() {
			inc = append(inc, v.String())
		}
		for _, v := range spec.Get("excludes").Array() {
			exc = append(exc, v.String())
		}
	default:
		inc = []string{spec.String()}
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&obj) != nil {
		return raw, true
	}
	out := filterObj("", obj, inc, exc)
	b, _ := json.Marshal(out)
	return b, true
}

// srcMatch reports whether name is selected by a pattern, and whether some pattern continues
// below it (so that an object at name must be descended into).
func srcMatch(name string, pats []string) (hit, below bool) {
	for _, p := range pats {
		if m, _ := path.Match(p, name); m || p == name || strings.HasPrefix(name, p+".") {
			hit = true
		}
		if strings.HasPrefix(p, name+".") || strings.Contains(p, "*") {
			below = true
		}
	}
	return
}

func filterObj(prefix string, obj map[string]any, inc, exc []string) map[string]any {
	out := map[string]any{}
	for k, v := range obj {
		name := k
		if prefix != "" {
			name = prefix + "." + k
		}
		if len(exc) > 0 {
			if hit, _ := srcMatch(name, exc); hit {
				continue
			}
		}
		hit, below := true, false
		if len(inc) > 0 {
			hit, below = srcMatch(name, inc)
		}
		sub, isObj := v.(map[string]any)
		switch {
		case hit && (len(exc) == 0 || !isObj):
			out[k] = v
		case isObj && (below || hit):
			if f := filterObj(name, sub, inc, exc); len(f) > 0 {
				out[k] = f
			}
		}
	}
	return out
}

// filterPath prunes a response to the filter_path patterns (dotted, * and ** wildcards).
func filterPath(v any, spec string) any {
	var pats [][]string
	for _, p := range strings.Split(spec, ",") {
		if p = strings.TrimSpace(p); p != "" {
			pats = append(pats, strings.Split(p, "."))
		}
	}
	r, _ := fpApply(v, pats)
	if r == nil {
		return map[string]any{}
	}
	return r
}

func fpApply(v any, pats [][]string) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			var sub [][]string
			whole := false
			for _, p := range pats {
				if len(p) == 0 {
					continue
				}
				if p[0] == "**" {
					sub = append(sub, p)
					if len(p) > 1 {
						if m, _ := path.Match(p[1], k); m {
							if len(p) == 2 {
								whole = true
							}
							sub = append(sub, p[2:])
						}
					}
					continue
				}
				if m, _ := path.Match(p[0], k); m {
					if len(p) == 1 {
						whole = true
					} else {
						sub = append(sub, p[1:])
					}
				}
			}
			if whole {
				out[k] = val
				continue
			}
			if len(sub) > 0 {
				if r, ok := fpApply(val, sub); ok {
					out[k] = r
				}
			}
		}
		return out, len(out) > 0
	case []any:
		var out []any
		for _, e := range x {
			if r, ok := fpApply(e, pats); ok {
				out = append(out, r)
			}
		}
		return out, len(out) > 0
	}
	return nil, false
}

func (s *Server) bulk(r *http.Request, parts []string, body []byte) (any, error) {
	defIndex := ""
	if len(parts) > 1 {
		defIndex = parts[0]
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 100<<20)
	var items []any
	errorsSeen := false
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		act := gjson.ParseBytes(line)
		var op string
		var meta gjson.Result
		act.ForEach(func(k, v gjson.Result) bool { op, meta = k.Str, v; return false })
		idx := meta.Get("_index").String()
		if idx == "" {
			idx = defIndex
		}
		id := meta.Get("_id").String()
		var doc []byte
		if op != "delete" {
			if !sc.Scan() {
				return nil, &esError{status: 400, typ: "illegal_argument_exception", reason: "The bulk request must be terminated by a newline [\\n]"}
			}
			doc = append([]byte(nil), sc.Bytes()...)
		}
		item := map[string]any{"_index": idx, "_id": id}
		fail := func(status int, typ, reason string) {
			item["status"] = status
			item["error"] = map[string]any{"type": typ, "reason": reason, "index": idx}
			errorsSeen = true
		}
		switch op {
		case "index", "create":
			if idx == "" {
				fail(400, "action_request_validation_exception", "Validation Failed: 1: index is missing;")
				break
			}
			if _, ok := s.st.byName[idx]; !ok {
				if e := createIndexName(idx); e != nil { // the index it would create
					fail(e.status, e.typ, e.reason)
					item["error"].(map[string]any)["index_uuid"] = "_na_"
					break
				}
			}
			ixn := s.st.ensureIndex(idx, isDataStreamName(idx))
			ix := s.st.indices[ixn]
			item["_index"] = ix.name
			if _, exists := ix.ids[id]; exists && id != "" && op == "create" {
				fail(409, "version_conflict_engine_exception", "["+id+"]: version conflict, document already exists (current version [1])")
				break
			}
			if ix.dataStream != "" && op == "index" {
				fail(400, "illegal_argument_exception", "only write ops with an op_type of create are allowed in data streams")
				break
			}
			d, replaced, err := s.st.add(ixn, id, doc)
			if err != nil {
				e := err.(*esError)
				if s.openSearch && e.typ == "document_parsing_exception" {
					e.typ = "mapper_parsing_exception" // OpenSearch forked before the rename
				}
				fail(e.status, e.typ, e.reason)
				if e.cause != "" {
					item["error"].(map[string]any)["caused_by"] = map[string]any{"type": "illegal_argument_exception", "reason": e.cause}
				}
				break
			}
			item["_id"] = s.st.id(d)
			item["_version"] = 1
			item["result"] = "created"
			item["status"] = 201
			if replaced {
				item["_version"] = 2
				item["result"] = "updated"
				item["status"] = 200
			}
			item["_shards"] = map[string]any{"total": 2, "successful": 1, "failed": 0}
			item["_seq_no"] = d
			item["_primary_term"] = 1
		case "delete":
			ixn, ok := s.st.byName[idx]
			if !ok {
				fail(404, "index_not_found_exception", "no such index ["+idx+"]")
				break
			}
			if d, ok := s.st.indices[ixn].ids[id]; ok && !s.st.deleted[d] {
				s.st.deleted[d] = true
				delete(s.st.indices[ixn].ids, id)
				item["result"], item["status"] = "deleted", 200
			} else {
				item["result"], item["status"] = "not_found", 404
			}
		default:
			return nil, &esError{status: 400, typ: "illegal_argument_exception", reason: "Malformed action/metadata line [1], expected one of [create, delete, index, update] but found [" + op + "]"}
		}
		items = append(items, map[string]any{op: item})
	}
	if items == nil {
		return nil, &esError{status: 400, typ: "action_request_validation_exception", reason: "Validation Failed: 1: no requests added;"}
	}
	return map[string]any{"took": 1, "errors": errorsSeen, "items": items}, nil
}

// withoutAfter removes search_after and every composite aggregation's "after" from a search body.
func withoutAfter(body []byte) []byte {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return body
	}
	delete(m, "search_after")
	var walk func(v any)
	walk = func(v any) {
		if o, ok := v.(map[string]any); ok {
			if c, ok := o["composite"].(map[string]any); ok {
				delete(c, "after")
			}
			for _, x := range o {
				walk(x)
			}
		}
	}
	walk(m["aggs"])
	walk(m["aggregations"])
	b, _ := json.Marshal(m)
	return b
}
