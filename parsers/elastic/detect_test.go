package elastic_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/logtriage/logtriage/internal/esfake"
	"github.com/logtriage/logtriage/parsers/elastic"
)

// detectErr runs a job against urls and returns its error, which must be an *elastic.Error.
func detectErr(t *testing.T, flavor string, urls ...string) *elastic.Error {
	t.Helper()
	opts := esOptions(t, urls[0])
	opts.URLs, opts.Flavor = urls, flavor
	_, _, err := esRun(t, opts)
	var ee *elastic.Error
	if !errors.As(err, &ee) {
		t.Fatalf("want an *elastic.Error, got %v", err)
	}
	return ee
}

// deadURL is the URL of a port nothing listens on any more.
func deadURL(t *testing.T) string {
	hs := httptest.NewServer(http.NotFoundHandler())
	hs.Close()
	return hs.URL
}

// With several --url, a node that is down does not stop the run: the client passes over it, and
// so does the first request (the job used to ask only the first URL, and exit 10).
func TestESFirstNodeDown(t *testing.T) {
	fx := newESFixture(t)
	opts := esOptions(t, fx.http.URL)
	opts.URLs = []string{deadURL(t), fx.http.URL}
	a, rep, err := esRun(t, opts)
	if err != nil {
		t.Fatalf("one node of two down: %v", err)
	}
	if rep.Flavor != elastic.FlavorElasticsearch || len(a.Findings) == 0 {
		t.Errorf("flavor %q, %d findings", rep.Flavor, len(a.Findings))
	}

	// Every node down: exit 10, naming each.
	d1, d2 := deadURL(t), deadURL(t)
	ee := detectErr(t, "", d1, d2)
	if ee.Kind != elastic.Unreachable || !strings.Contains(ee.Msg, d1) || !strings.Contains(ee.Msg, d2) {
		t.Errorf("every node down: kind %d, %q", ee.Kind, ee.Msg)
	}
}

// A server that is not a cluster at all (a web server, Kibana, a wrong path) answers GET / with
// a status no cluster sends: that is exit 15 with what to check, not "unexpected response 404"
// and exit 14 (a rejected query). An unavailable one is exit 10, without claiming retries.
func TestESGetRootStatus(t *testing.T) {
	for _, tc := range []struct {
		status int
		kind   elastic.ErrorKind
		want   string
	}{
		{404, elastic.WrongProduct, "check --url"},
		{400, elastic.WrongProduct, "check --url"},
		{503, elastic.Unreachable, "overloaded or unavailable"},
	} {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			io.WriteString(w, "nf")
		}))
		ee := detectErr(t, "", hs.URL)
		hs.Close()
		if ee.Kind != tc.kind || !strings.Contains(ee.Msg, tc.want) || strings.Contains(ee.Msg, "retries") {
			t.Errorf("GET / answered %d: kind %d, %q", tc.status, ee.Kind, ee.Msg)
		}
	}
}

// --flavor forcing the other product than the one GET / shows fails at once, saying which it is,
// instead of "not Elasticsearch nor OpenSearch" (for an OpenSearch cluster) or a 405 from the
// point-in-time call (for an Elasticsearch one).
func TestESFlavorContradictsServer(t *testing.T) {
	es := httptest.NewServer(esfake.New())
	defer es.Close()
	os := httptest.NewServer(esfake.NewOpenSearch())
	defer os.Close()
	if ee := detectErr(t, elastic.FlavorElasticsearch, os.URL); ee.Kind != elastic.WrongProduct ||
		!strings.Contains(ee.Msg, "is OpenSearch 2.") || !strings.Contains(ee.Msg, "--flavor opensearch") {
		t.Errorf("--flavor elasticsearch on OpenSearch: kind %d, %q", ee.Kind, ee.Msg)
	}
	if ee := detectErr(t, elastic.FlavorOpenSearch, es.URL); ee.Kind != elastic.WrongProduct ||
		!strings.Contains(ee.Msg, "is Elasticsearch "+esfake.Version) || !strings.Contains(ee.Msg, "--flavor elasticsearch") {
		t.Errorf("--flavor opensearch on Elasticsearch: kind %d, %q", ee.Kind, ee.Msg)
	}
}

// --es-field NAME= (no field) is refused: the job asked the cluster about a field named ""
// in every phase. A list's blanks are dropped.
func TestESFieldNeedsAField(t *testing.T) {
	for _, v := range []string{"", " , "} {
		opts := esOptions(t, "http://127.0.0.1:1")
		opts.Fields = map[string]string{"request_id": v}
		if _, err := elastic.New(opts); err == nil || !strings.Contains(err.Error(), "--es-field request_id="+v+": give the document field(s)") {
			t.Errorf("--es-field request_id=%q: %v", v, err)
		}
	}
	opts := esOptions(t, "http://127.0.0.1:1")
	opts.Fields = map[string]string{"request_id": "http.request.id, labels.request_id"}
	if _, err := elastic.New(opts); err != nil {
		t.Errorf("a list with a space: %v", err)
	}
}

// --layer-map 'nginx.access=edge, envoyproxy.log=ingress': the rule after the comma and space
// is envoyproxy.log=ingress (" envoyproxy.log" matched no dataset, and the layer was "envoy").
func TestLayerRuleSpaces(t *testing.T) {
	r, err := elastic.ParseLayerRule(" envoyproxy.log = ingress ")
	if err != nil || r.Match != "envoyproxy.log" || r.Layer != "ingress" {
		t.Errorf("got %+v, %v", r, err)
	}
	if _, err := elastic.ParseLayerRule(" = edge"); err == nil {
		t.Error("a rule without a pattern was accepted")
	}
}
