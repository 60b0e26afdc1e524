package parsers

import (
	"bufio"
	"container/heap"
	"fmt"
	"io"
	"sort"
	"time"
)

// Opened is an input ready to scan: its reader, and the parser chosen for it.
type Opened struct {
	Input
	r        *bufio.Reader
	closer   io.Closer
	Resolved *Resolved
}

// OpenInput opens in, looks at its first lines and chooses its parser. The layer defaults to
// the format name when the argument gave none.
func (c *Config) OpenInput(in Input) (*Opened, error) {
	rc, err := in.Open()
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", in.Name, err)
	}
	br := bufio.NewReaderSize(rc, 256<<10)
	res, err := c.Resolve(in.Path, Sample(br, sampleLines))
	if err != nil {
		rc.Close()
		return nil, err
	}
	if in.Layer == "" {
		in.Layer = res.Format
	}
	return &Opened{Input: in, r: br, closer: rc, Resolved: res}, nil
}

// Scan reads the whole input; see the package-level Scan.
func (o *Opened) Scan(maxLine int, work func(*Record, *Batch), deliver func(*Batch)) Stats {
	return o.scan(ScanConfig{MaxLine: maxLine, Work: work, Deliver: deliver})
}

func (o *Opened) scan(cfg ScanConfig) Stats {
	defer o.closer.Close()
	cfg.NewParser, cfg.Layer, cfg.Format = o.Resolved.NewParser, o.Layer, o.Resolved.Format
	return Scan(o.Name, o.r, cfg)
}

// Filter selects records by status and time window. Zero values select everything.
type Filter struct {
	Statuses     []int
	Since, Until time.Time
}

// Match reports whether rec passes the filter. A status filter matches the status a hop sent
// or any upstream attempt's status, so that a masked 405 still counts as a 405.
func (f *Filter) Match(rec *Record) bool {
	if !f.Since.IsZero() && !rec.Time.IsZero() && rec.Time.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !rec.Time.IsZero() && !rec.Time.Before(f.Until) {
		return false
	}
	if len(f.Statuses) == 0 {
		return true
	}
	for _, s := range f.Statuses {
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

// mergeChunk is the block size for merged reading: every record of a block is kept until the
// merge consumes it, so smaller blocks bound the records in flight.
const mergeChunk = 128 << 10

// maxStreams bounds how many inputs are read at once by Merge; beyond it, the files of a layer
// are read one after the other as one stream.
const maxStreams = 16

// Merge reads every input at once and calls fn with each record in approximately ascending
// time order: a k-way merge of the inputs, each of which is in order within itself up to the
// clock skew and write order of its writer. Records fn receives stay valid only during the call.
// Inputs that fail to open are reported in their Stats with Err set.
func (c *Config) Merge(inputs []Input, maxLine int, keep func(*Record) bool, fn func(*Record)) []Stats {
	groups := streamGroups(inputs)
	stats := make([]Stats, len(inputs))
	streams := make([]*stream, len(groups))
	for gi, g := range groups {
		s := &stream{batches: make(chan *Batch, 1)}
		streams[gi] = s
		go func(g []int) {
			defer close(s.batches)
			for _, i := range g {
				o, err := c.OpenInput(inputs[i])
				if err != nil {
					stats[i] = Stats{Input: inputs[i].Name, Layer: inputs[i].Layer, Err: err.Error()}
					continue
				}
				stats[i] = o.scan(ScanConfig{MaxLine: maxLine, ChunkSize: mergeChunk,
					Work: func(rec *Record, b *Batch) {
						if keep(rec) {
							b.Keep(rec)
						}
					},
					Deliver: func(b *Batch) { s.batches <- b },
				})
			}
		}(g)
	}
	h := &streamHeap{}
	for _, s := range streams {
		if s.advance() {
			heap.Push(h, s)
		}
	}
	for h.Len() > 0 {
		s := (*h)[0]
		fn(s.cur())
		if s.advance() {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return stats
}

// streamGroups splits inputs into at most maxStreams groups read concurrently: one per input
// while they are few, else the files of each layer in name order (log file names carry their
// time) spread over the groups.
func streamGroups(inputs []Input) [][]int {
	if len(inputs) <= maxStreams {
		g := make([][]int, len(inputs))
		for i := range inputs {
			g[i] = []int{i}
		}
		return g
	}
	idx := make([]int, len(inputs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ia, ib := inputs[idx[a]], inputs[idx[b]]
		if ia.Layer != ib.Layer {
			return ia.Layer < ib.Layer
		}
		return ia.Name < ib.Name
	})
	g := make([][]int, maxStreams)
	per := (len(idx) + maxStreams - 1) / maxStreams
	for n, i := range idx {
		g[n/per] = append(g[n/per], i)
	}
	out := g[:0]
	for _, x := range g {
		if len(x) > 0 {
			out = append(out, x)
		}
	}
	return out
}

type stream struct {
	batches chan *Batch
	b       *Batch
	i       int
	last    time.Time
}

func (s *stream) cur() *Record { return s.b.Records[s.i] }

// advance moves to the next record, waiting for the next batch when needed.
func (s *stream) advance() bool {
	if s.b != nil {
		if t := s.b.Records[s.i].Time; !t.IsZero() {
			s.last = t
		}
		s.i++
	}
	for s.b == nil || s.i >= len(s.b.Records) {
		b, ok := <-s.batches
		if !ok {
			return false
		}
		s.b, s.i = b, 0
	}
	return true
}

// key is the stream's current time; records without a time take their predecessor's.
func (s *stream) key() time.Time {
	if t := s.cur().Time; !t.IsZero() {
		return t
	}
	return s.last
}

type streamHeap []*stream

func (h streamHeap) Len() int           { return len(h) }
func (h streamHeap) Less(i, j int) bool { return h[i].key().Before(h[j].key()) }
func (h streamHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *streamHeap) Push(x any)        { *h = append(*h, x.(*stream)) }
func (h *streamHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
