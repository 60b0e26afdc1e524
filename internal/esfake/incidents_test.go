package esfake

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// smallIncident is a copy of samples/incidents with the first n lines of each log: seeding it
// costs little, and its directory is a cache key of its own.
func smallIncident(t *testing.T, n int) string {
	t.Helper()
	const src = "../../samples/incidents"
	dir := t.TempDir()
	for _, name := range []string{"nginx.conf", "envoy.yaml", "alb.log.gz", "edge.log", "ingress.log", "app.json"} {
		f, err := os.Open(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var r io.Reader = f
		out, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var w io.WriteCloser = out
		if strings.HasSuffix(name, ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			r, w = zr, gzip.NewWriter(out)
		}
		if strings.HasSuffix(name, ".conf") || strings.HasSuffix(name, ".yaml") {
			_, err = io.Copy(w, r)
		} else {
			sc := bufio.NewScanner(r)
			sc.Buffer(nil, 1<<20)
			for i := 0; i < n && sc.Scan(); i++ {
				if _, err = w.Write(append(sc.Bytes(), '\n')); err != nil {
					break
				}
			}
			if err == nil {
				err = sc.Err()
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		if w != out {
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A server seeded from the per-process copy holds exactly what the copy holds, and what one
// seeded server indexes or deletes reaches neither the next one seeded nor the copy.
func TestSeedIncidentsCopiesAreIndependent(t *testing.T) {
	incidents := smallIncident(t, 60)
	abs, err := filepath.Abs(incidents)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []bool{false, true} {
		seed := SeedIncidents
		if raw {
			seed = SeedIncidentsRaw
		}
		a := New()
		n, err := seed(a, incidents)
		if err != nil || n.ALB != 60 || n.Edge != 60 || n.Ingress != 60 || n.App == 0 {
			t.Fatalf("raw=%v: seeded %+v (%v)", raw, n, err)
		}
		seeded.mu.Lock()
		tmpl := seeded.m[seedKey{abs, raw}].st
		seeded.mu.Unlock()
		if a.st == tmpl || !reflect.DeepEqual(a.st, tmpl) {
			t.Fatalf("raw=%v: the seeded store is not a copy of the cached one", raw)
		}
		if got := a.DocCount("logs-*,filebeat-*"); got != n.ALB+n.Edge+n.Ingress+n.App {
			t.Errorf("raw=%v: %d documents, %+v seeded", raw, got, n)
		}
		// Writes to the first copy: a document with a new message replacing one of the data
		// stream's (new dictionary values, tokens and postings, a deletion), a new index.
		if err := a.AddDocument(IncidentNginx, "edge-000001", []byte(`{"@timestamp":"2026-11-24T10:00:00Z","message":"zzunique token","http.response.status_code":499}`)); err != nil {
			t.Fatal(err)
		}
		if err := a.AddDocument("logtriage-findings", "f1", []byte(`{"logtriage":{"count":1}}`)); err != nil {
			t.Fatal(err)
		}
		hits := newBitset(a.st.n)
		a.st.cols["message"].phrase([]string{"zzunique", "token"}, hits)
		if hits.count() != 1 || a.DocCount(IncidentNginx) != n.Edge {
			t.Errorf("raw=%v: the document added to the copy is found %d times, %d edge documents", raw, hits.count(), a.DocCount(IncidentNginx))
		}

		second := New()
		if _, err := seed(second, incidents); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(second.st, tmpl) || second.st.n != a.st.n-2 {
			t.Errorf("raw=%v: writes to one seeded server reached the next one", raw)
		}
		// The maps the writes touched, one by one (a map shared with the copy would be equal
		// on both sides of the comparison above).
		st, msg := second.st, second.st.cols["message"]
		_, inLookup := msg.lookup["zzunique token"]
		_, inTokens := msg.tokDict["zzunique"]
		_, inNames := st.byName["logtriage-findings"]
		ds := st.indices[st.byName[IncidentNginx]]
		if inLookup || inTokens || inNames || len(st.deleted) != 0 || ds.ids["edge-000001"] >= st.n || len(st.indices) != len(a.st.indices)-1 {
			t.Errorf("raw=%v: writes to one seeded server reached the next one: lookup %v tokens %v index %v deleted %d",
				raw, inLookup, inTokens, inNames, len(st.deleted))
		}
		if second.DocCount("logtriage-findings") != 0 || second.DocCount(IncidentNginx) != n.Edge {
			t.Errorf("raw=%v: the next server holds %d findings, %d edge documents", raw,
				second.DocCount("logtriage-findings"), second.DocCount(IncidentNginx))
		}
	}

	// A server that already holds documents is seeded document by document, beside them, as the
	// cached copy was.
	busy := New()
	if err := busy.AddDocument("other", "x", []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	n, err := SeedIncidents(busy, incidents)
	if err != nil || busy.DocCount("other") != 1 || busy.DocCount("logs-*,filebeat-*") != n.ALB+n.Edge+n.Ingress+n.App {
		t.Errorf("seeding a server with documents: %+v %v, %d other documents", n, err, busy.DocCount("other"))
	}
	tmpl := seeded.m[seedKey{abs, false}].st
	if busy.st.n != tmpl.n+1 || !reflect.DeepEqual(busy.st.src[1:], tmpl.src) || !reflect.DeepEqual(busy.st.ts[1:], tmpl.ts) {
		t.Errorf("the documents seeded one by one differ from the cached copy's")
	}
}
