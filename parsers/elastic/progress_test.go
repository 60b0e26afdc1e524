package elastic_test

import (
	"reflect"
	"sync"
	"testing"
)

// recorder is a progress display that remembers what the job told it.
type recorder struct {
	mu     sync.Mutex
	phases []string
	docs   int64
}

func (r *recorder) Phase(name string) { r.mu.Lock(); r.phases = append(r.phases, name); r.mu.Unlock() }
func (r *recorder) AddRecords(n int64) {
	r.mu.Lock()
	r.docs += n
	r.mu.Unlock()
}

// The job tells a progress display each phase as it starts and every document it reads.
func TestESReportsProgress(t *testing.T) {
	t.Parallel() // a fake cluster of its own
	fx := newESFixture(t)
	opts := esOptions(t, fx.http.URL)
	rec := &recorder{}
	opts.Meter = rec
	_, rep, err := esRun(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range rep.Phases {
		want = append(want, p.Name)
	}
	if !reflect.DeepEqual(rec.phases, want) {
		t.Errorf("phases %q, want %q", rec.phases, want)
	}
	if rec.docs != rep.DocsRead || rec.docs == 0 {
		t.Errorf("%d documents reported, the job read %d", rec.docs, rep.DocsRead)
	}
}
