package elastic_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/esfake"
	"github.com/logtriage/logtriage/parsers/elastic"
)

// Issue 10 item 6: a malformed cluster URL is refused without echoing its user info.
func TestESURLErrorsHideCredentials(t *testing.T) {
	for _, u := range []string{
		"http://triage:s3cr3t pass@es.internal:9200", // a space in the password
		"http://triage:s3cr3t%zzpass@es.internal:9200",
		"triage:s3cr3tpass@es.internal:9200", // no scheme
		"es.internal:9200",
		"ftp://triage:s3cr3tpass@es.internal",
	} {
		for _, env := range []bool{false, true} {
			opts := elastic.Options{URLs: []string{u}, Indices: []string{"logs-*"}}
			if env {
				opts.URLs = nil
				t.Setenv("ELASTICSEARCH_URL", u)
			}
			_, err := elastic.New(opts)
			if err == nil {
				t.Errorf("%q (env %v): accepted", u, env)
				continue
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "triage") {
				t.Errorf("%q: the user info is in the message: %v", u, err)
			}
		}
	}
}

// A server's 401 and every progress line keep the password and the API key out.
func TestESCredentialsNeverPrinted(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	f := newESFixture(t)
	f.srv.SetCredentials("", "triage", "right-password")
	opts := esOptions(t, strings.Replace(f.http.URL, "http://", "http://triage:Wr0ngPassw0rd@", 1))
	var progress strings.Builder
	opts.Progress = &progress
	_, _, err := esRun(t, opts)
	var ee *elastic.Error
	if !errors.As(err, &ee) || ee.Kind != elastic.Auth {
		t.Fatalf("want an authentication error, got %v", err)
	}
	for _, s := range []string{err.Error(), progress.String()} {
		if strings.Contains(s, "Wr0ngPassw0rd") || strings.Contains(s, "triage:") {
			t.Errorf("credentials printed: %s", s)
		}
	}
}

// Issue 10 item 13: a server repeating search_after or after_key stops the job with an error.
func TestESNoProgressStops(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	t.Run("search_after", func(t *testing.T) {
		f := newESFixture(t)
		f.srv.Inject(esfake.Fault{Endpoint: "search", IgnoreAfter: true, Times: -1,
			Match: func(_ *http.Request, b []byte) bool { return strings.Contains(string(b), `"pit"`) }})
		opts := esOptions(t, f.http.URL)
		opts.PageSize = 50
		_, _, err := esRun(t, opts)
		if err == nil || !strings.Contains(err.Error(), "no progress") {
			t.Fatalf("want a no-progress error, got %v", err)
		}
		if n := f.srv.Stats()["search"].Requests; n > 10 {
			t.Errorf("%d searches before stopping", n)
		}
	})
	t.Run("after_key", func(t *testing.T) {
		f := newESFixture(t)
		var b strings.Builder
		b.WriteString(`{"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"aggregations":{"g":{"after_key":{"dataset":"x"},"buckets":[`)
		for i := 0; i < 1000; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"key":{"dataset":"x","index":"i","method":"GET","path":"/p%d","url":null,"status":405},"doc_count":1,"first":{"value":0},"last":{"value":0}}`, i)
		}
		b.WriteString(`]}}}`)
		f.srv.Inject(esfake.Fault{Endpoint: "search", Body: b.String(), Times: -1})
		_, _, err := esRun(t, esOptions(t, f.http.URL))
		if err == nil || !strings.Contains(err.Error(), "same after_key") {
			t.Fatalf("want a no-progress error, got %v", err)
		}
	})
}

// Issue 10 item 13: connect, field_caps, PIT open and bulk calls give up after the timeout.
func TestESTimeouts(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	for _, ep := range []string{"info", "field_caps", "pit_open", "bulk"} {
		t.Run(ep, func(t *testing.T) {
			f := newESFixture(t)
			f.srv.Inject(esfake.Fault{Endpoint: ep, Delay: time.Hour, Times: -1})
			opts := esOptions(t, f.http.URL)
			opts.Timeout = 100 * time.Millisecond
			opts.MaxRetries = 1
			job, err := elastic.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer job.Close()
			if ep == "bulk" {
				_, err = job.WriteDocs(context.Background(), "logtriage-findings", []elastic.Doc{{ID: "a", Body: []byte(`{"logtriage":{"count":1}}`)}})
			} else {
				_, err = job.Run(context.Background(), analysis.New(analysis.Options{}))
			}
			var ee *elastic.Error
			if !errors.As(err, &ee) || ee.Kind != elastic.Unreachable {
				t.Fatalf("want an unreachable error after the timeout, got %v", err)
			}
		})
	}
}

// Issue 10 item 13: response bodies are read with a limit, long error reasons are clipped.
func TestESResponseLimits(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	f := newESFixture(t)
	opts := esOptions(t, f.http.URL)
	opts.MaxResponseBytes = 4 << 10
	_, _, err := esRun(t, opts)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("want a too-large error, got %v", err)
	}
	f.srv.Inject(esfake.Fault{Endpoint: "search", Status: 400, Reason: strings.Repeat("x", 1<<20)})
	_, _, err = esRun(t, esOptions(t, f.http.URL))
	if err == nil || len(err.Error()) > 2000 || !strings.Contains(err.Error(), "more bytes") {
		t.Fatalf("error reason not clipped (%d bytes)", len(fmt.Sprint(err)))
	}
}

// Issue 10 item 12: route templates with {hash} match the paths they came from.
func TestESRouteRegexpHash(t *testing.T) {
	for route, paths := range map[string][]string{
		"/assets/app.{hash}.js": {"/assets/app.3f9c1b.js", "/assets/app.0a1b2c3d.js?v=1"},
		"/api/carts/{id}":       {"/api/carts/42"},
		"/a+b/{id}/x.{hash}":    {"/a+b/7/x.abc123"},
	} {
		re := regexp.MustCompile("^(?:" + elastic.RouteRegexpForTest(route, false) + ")$")
		for _, p := range paths {
			if !re.MatchString(p) {
				t.Errorf("%s: %s does not match %s", route, re, p)
			}
		}
		abs := regexp.MustCompile("^(?:" + elastic.RouteRegexpForTest(route, true) + ")$")
		if !abs.MatchString("https://shop.example.com" + paths[0]) {
			t.Errorf("%s: %s does not match the absolute URL", route, abs)
		}
	}
	if re := regexp.MustCompile("^(?:" + elastic.RouteRegexpForTest("/assets/app.{hash}.js", false) + ")$"); re.MatchString("/assets/app.main.js") {
		t.Errorf("{hash} matches a name")
	}
}

var _ = httptest.NewServer
