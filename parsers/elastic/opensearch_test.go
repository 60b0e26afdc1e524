package elastic_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/esfake"
	"github.com/logtriage/logtriage/parsers"
	"github.com/logtriage/logtriage/parsers/elastic"
)

// Issue 16: OpenSearch 2.x as a source, against the fake cluster's OpenSearch mode (its PIT API,
// no _shard_doc, no product header, wildcard url fields, its error shapes).

func newOSFixture(t testing.TB, raw bool) *esFixture {
	t.Helper()
	srv := esfake.NewOpenSearch()
	seed := esfake.SeedIncidents
	if raw {
		seed = esfake.SeedIncidentsRaw
	}
	if _, err := seed(srv, esIncidents); err != nil {
		t.Fatalf("seeding: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &esFixture{srv, hs}
}

// The bundled incident as ECS documents and as raw-line documents gives the verdicts of the files,
// every request is accepted, the PITs are closed and every findings document lands.
func TestOpenSearchSameVerdictsAsFiles(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	want := filesAnalysis(t)
	for _, raw := range []bool{false, true} {
		t.Run(fmt.Sprintf("raw=%v", raw), func(t *testing.T) {
			fx := newOSFixture(t, raw)
			opts := esOptions(t, fx.http.URL)
			opts.MessageSearch = raw
			got, rep, err := esRun(t, opts)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "findings", findings(want), findings(got))
			diff(t, "requests", verdicts(want), verdicts(got))
			if rep.Flavor != elastic.FlavorOpenSearch || !strings.HasPrefix(rep.Version, "2.") {
				t.Errorf("flavor %q version %q", rep.Flavor, rep.Version)
			}
			for ep, st := range fx.srv.Stats() {
				if st.Errors > 0 {
					t.Errorf("%s: %d requests refused", ep, st.Errors)
				}
			}
			if n := fx.srv.OpenPITs(); n != 0 {
				t.Errorf("%d PITs left open", n)
			}
			if !raw && !strings.Contains(strings.Join(rep.Notes, "\n"), "url.path is a wildcard field") {
				t.Errorf("the report does not say how the wildcard url fields were handled: %q", rep.Notes)
			}
			if len(rep.Groups) == 0 || rep.Groups[0].Route == "" {
				t.Errorf("no routes in the groups: %+v", rep.Groups)
			}
			for _, p := range rep.Phases {
				t.Logf("%-20s requests %3d docs %5d buckets %5d seconds %.3f", p.Name, p.Requests, p.Docs, p.Buckets, p.Seconds)
			}
			t.Logf("notes: %q; baselines: %s", rep.Notes, rep.Baselines)

			// Findings written back land, each of them.
			job, err := elastic.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer job.Close()
			if _, err := job.Run(context.Background(), analysis.New(analysis.Options{})); err != nil {
				t.Fatal(err)
			}
			docs := []elastic.Doc{{ID: "f1", Body: []byte(`{"@timestamp":"2026-11-24T10:00:00Z","logtriage":{"kind":"finding","count":3,"masked_count":2,"share":0.5}}`)},
				{ID: "r1", Body: []byte(`{"@timestamp":"2026-11-24T10:00:00Z","logtriage":{"kind":"request","masked":true,"status":405}}`)}}
			res, err := job.WriteDocs(context.Background(), "logtriage-findings", docs)
			if err != nil || res.Failed != 0 || res.Indexed != 2 || fx.srv.DocCount("logtriage-findings") != 2 || res.Requests == 0 {
				t.Errorf("write: %+v %v, %d documents", res, err, fx.srv.DocCount("logtriage-findings"))
			}
		})
	}
}

// A wrong password is an authentication error (exit 11), not a product or connection error.
func TestOpenSearchWrongPassword(t *testing.T) {
	fx := newOSFixture(t, false)
	fx.srv.SetCredentials("", "triage", "right")
	opts := esOptions(t, fx.http.URL)
	opts.Username, opts.Password = "triage", "wr0ng-pass"
	_, _, err := esRun(t, opts)
	var ee *elastic.Error
	if !errors.As(err, &ee) || ee.Kind != elastic.Auth || strings.Contains(err.Error(), "wr0ng-pass") {
		t.Fatalf("want an authentication error, got %v", err)
	}
}

// Without _shard_doc, pages are ordered by _index and _id: documents with equal time stamps and
// equal ids in two indices are each read once, none skipped, whatever the page size.
func TestOpenSearchPagingTiebreaker(t *testing.T) {
	srv := esfake.NewOpenSearch()
	want := map[string]bool{}
	for _, ix := range []string{"logs-a", "logs-b"} {
		for i := 0; i < 23; i++ {
			id := fmt.Sprintf("d%02d", i)
			doc := fmt.Sprintf(`{"@timestamp":"2026-11-24T10:00:00Z","message":"x","event":{"dataset":"shop.log"},"http":{"request":{"method":"DELETE"},"response":{"status_code":405}},"url":{"path":"/api/carts/%d"},"service":{"name":"shop"}}`, i)
			if err := srv.AddDocument(ix, id, []byte(doc)); err != nil {
				t.Fatal(err)
			}
			want[ix+"/"+id] = true
		}
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	for _, page := range []int{1, 4, 7, 46, 100} {
		opts := elastic.Options{URLs: []string{hs.URL}, Indices: []string{"logs-*"}, PageSize: page, NoBaselines: true,
			Route: analysis.Route, RetryBase: time.Millisecond}
		job, err := elastic.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		sink := collect{fn: func(r *parsers.Record) { got = append(got, r.File+" "+r.Path) }}
		rep, err := job.Run(context.Background(), sink)
		job.Close()
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		if len(got) != 46 || rep.DocsRead != 46 {
			t.Errorf("page %d: %d records from %d documents read, want 46", page, len(got), rep.DocsRead)
		}
		for i := 1; i < len(got); i++ {
			if got[i] == got[i-1] {
				t.Errorf("page %d: %s read twice", page, got[i])
			}
		}
	}
}

type collect struct{ fn func(*parsers.Record) }

func (c collect) Add(r *parsers.Record)                                  { c.fn(r) }
func (c collect) AddCounts(*parsers.Record, int64, time.Time, time.Time) {}

// Amazon OpenSearch Service: with an AWS signer every request the job sends — GET /, the PIT
// calls, searches, bulk — carries a SigV4 signature that verifies over the bytes sent (gzip
// bodies included), and the secret is never printed.
func TestOpenSearchSigV4EveryRequest(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	srv := esfake.NewOpenSearch()
	if _, err := esfake.SeedIncidents(srv, esIncidents); err != nil {
		t.Fatal(err)
	}
	creds := elastic.AWSCredentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", SessionToken: "session-token-xyz"}
	var signed, bad int
	var mu sync.Mutex
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
		check := r.Clone(r.Context())
		check.Header = r.Header.Clone()
		check.Header.Del("Authorization")
		s := elastic.AWSSigner{Creds: creds, Region: "eu-west-1", Service: "aoss", Now: func() time.Time { return at }}
		s.Sign(check, body)
		mu.Lock()
		ok := err == nil && r.Header.Get("Authorization") != "" && check.Header.Get("Authorization") == r.Header.Get("Authorization")
		if ok {
			signed++
		} else {
			bad++
		}
		mu.Unlock()
		if !ok {
			w.WriteHeader(403)
			io.WriteString(w, `{"message":"The request signature we calculated does not match the signature you provided."}`)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	opts := esOptions(t, hs.URL)
	opts.AWS = &elastic.AWSSigner{Creds: creds, Region: "eu-west-1", Service: "aoss"}
	var progress strings.Builder
	opts.Progress = &progress
	job, err := elastic.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer job.Close()
	if _, err := job.Run(context.Background(), analysis.New(analysis.Options{})); err != nil {
		t.Fatal(err)
	}
	if _, err := job.WriteDocs(context.Background(), "logtriage-findings", []elastic.Doc{{ID: "a", Body: []byte(`{"logtriage":{"count":1}}`)}}); err != nil {
		t.Fatal(err)
	}
	if bad != 0 || signed < 10 {
		t.Errorf("%d requests verified, %d not", signed, bad)
	}
	if strings.Contains(progress.String(), creds.SecretAccessKey) || strings.Contains(progress.String(), "session-token-xyz") {
		t.Errorf("credentials printed")
	}
}
