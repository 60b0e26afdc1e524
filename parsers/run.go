package parsers

import (
	"bufio"
	"fmt"
	"io"
	"iter"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/logtriage/logtriage/internal/prefetch"
)

// Opened is an input ready to scan: its reader, and the parser chosen for it.
type Opened struct {
	Input
	r        *bufio.Reader
	under    io.Reader // what r reads from, when the scan may read it directly once r is drained
	closer   io.Closer
	Resolved *Resolved
	sampled  uint64 // sampleHash of the lines detection looked at
}

// OpenInput opens in, looks at its first lines and chooses its parser. The layer defaults to
// the format name when the argument gave none.
func (c *Config) OpenInput(in Input) (*Opened, error) {
	return c.reopenInput(in, nil, 0)
}

// reopenInput is OpenInput for an input that was opened before, its parser chosen then (res)
// from lines whose sampleHash was sampled: when its first lines are the same, the choice is
// too, and detection does not run again. MergeBatches opens each input twice, to learn when it
// starts and then to read it, and detection is most of what opening costs: for a directory of
// 1,000 ALB objects, 0.1 s of CPU the second time.
func (c *Config) reopenInput(in Input, res *Resolved, sampled uint64) (*Opened, error) {
	rc, err := in.open()
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", in.Name, err)
	}
	sr := &sampleReads{r: rc}
	fresh := getReader(sr)
	rc.outer = fresh
	br, sample := sampleInput(fresh, sampleLines) // sample.go
	sr.whole = true
	h := sampleHash(sample)
	if res == nil || h != sampled {
		if res, err = c.forLayer(in.Layer).Resolve(in.Path, sample); err != nil {
			rc.Close()
			return nil, err
		}
	}
	if in.Layer == "" {
		in.Layer = res.Format
	}
	if z := c.Zones[in.Layer]; z != nil && res.Zone != z {
		zoned := *res // res may be the probe's, shared
		zoned.Zone = z
		res = &zoned
	}
	o := &Opened{Input: in, r: br, closer: rc, Resolved: res, sampled: h}
	if br == fresh {
		o.under = rc
	}
	return o, nil
}

// sampleReads reads r at most samplePeek bytes at a time until whole is set, so that taking
// the first lines of an input fills no more of its buffer than they need: the buffer is drained,
// and given back for the next input to use, after as many bytes. (A buffer filled whole held
// 256 KiB of each input until the scan had read that far: with fifty pods' logs read at once,
// 12.8 MB.)
type sampleReads struct {
	r     io.Reader
	whole bool
}

func (s *sampleReads) Read(p []byte) (int, error) {
	if !s.whole && len(p) > samplePeek {
		p = p[:samplePeek]
	}
	return s.r.Read(p)
}

// drained reads what br holds, then reads r, what br reads from, directly: Scan reads blocks
// into memory of its own, so that going on through br would copy every byte once more.
// Once drained, br goes back to the pool (input.go) at once when owner, the readCloser's
// reference to it, is given: fifty inputs read at once each held 512 KiB of buffers they no
// longer read from.
type drained struct {
	br    *bufio.Reader
	r     io.Reader
	owner **bufio.Reader
}

func (d *drained) Read(p []byte) (int, error) {
	if d.br != nil {
		if d.br.Buffered() > 0 {
			return d.br.Read(p)
		}
		br := d.br
		d.br = nil
		_, err := br.Read(nil)
		if d.owner != nil && *d.owner == br {
			*d.owner = nil
			putReader(br)
		}
		if err != nil {
			return 0, err // the error that ended br's last fill (the end, a cut gzip stream …)
		}
	}
	return d.r.Read(p)
}

// Scan reads the whole input; see the package-level Scan. A batch is reused once deliver
// returns: deliver copies what it keeps.
func (o *Opened) Scan(maxLine int, work func(*Record, *Batch), deliver func(*Batch)) Stats {
	return o.scan(reuseDelivered(ScanConfig{MaxLine: maxLine, Work: work, Deliver: deliver}))
}

// ScanFiltered reads the whole input like Scan, parsing only the lines that can hold a record f
// selects when the input's parser allows it (Filter.Prefilter); the others are counted as
// Stats.Filtered. work still sees every parsed record and must apply f itself.
func (o *Opened) ScanFiltered(f *Filter, maxLine int, work func(*Record, *Batch), deliver func(*Batch)) Stats {
	return o.scan(reuseDelivered(ScanConfig{MaxLine: maxLine, Work: work, Deliver: deliver, Prefilter: f.Prefilter(o.Resolved)}))
}

// reuseDelivered hands each batch back to the reader once cfg.Deliver returns, so that the
// buffers of parse's JSON output (Batch.Out) are grown once, not once per block. The free list
// holds every batch Scan can have in flight (scanInFlight): with fewer, the batches beyond it
// were dropped and new ones grown from nothing, which cost parse of every record 18% of its CPU
// in growing Batch.Out.
func reuseDelivered(cfg ScanConfig) ScanConfig {
	free, deliver := make(chan *Batch, scanInFlight(runtime.GOMAXPROCS(0))), cfg.Deliver
	cfg.Free = free
	cfg.Deliver = func(b *Batch) {
		if deliver != nil {
			deliver(b)
		}
		select {
		case free <- b:
		default:
		}
	}
	return cfg
}

func (o *Opened) scan(cfg ScanConfig) Stats {
	defer o.closer.Close()
	if o.Resolved.Sequential {
		cfg.Workers = 1
	}
	cfg.NewParser, cfg.Layer, cfg.Format, cfg.Meter, cfg.Zone = o.Resolved.NewParser, o.Layer, o.Resolved.Format, o.Meter, o.Resolved.Zone
	var r io.Reader = o.r
	if o.under != nil {
		d := &drained{br: o.r, r: o.under}
		if rc, ok := o.closer.(*readCloser); ok && rc.outer == o.r {
			d.owner = &rc.outer
		}
		r = d
	}
	st := Scan(o.Name, r, cfg)
	st.Note = o.Resolved.Note
	return st
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
// merge consumes it, so smaller blocks bound the records in flight. An input started while more
// than 32 others are being read gets smaller blocks still. (On the four-hop bench of issue 14, 64 KiB took 0.09–0.23 s less CPU than
// 32, 128 or 256 KiB; it was 128 KiB before.)
const (
	mergeChunk      = 64 << 10
	mergeChunkSmall = 32 << 10
)

// mergeQueued bounds the parsed batches the inputs being read by goroutines of their own may
// have ready for the merge, all together; each may have up to 8. The merge takes records in time
// order, so an input's goroutine runs only as far ahead as its queue allows: with one batch
// each, the goroutines waited on the merge, and the merge on them, several thousand times on the
// four-hop bench of issue 14, and each wake-up left a core idle (0.55 s of 2.5 s ran one
// goroutine alone; 0.14 s with 8). 24 batches of 64 KiB blocks and their records take about
// 4.5 MB.
const mergeQueued = 24

// maxSpare bounds the batches of ended inputs kept for the next ones (about 3 MB).
const maxSpare = 16

// mergeAhead: while fewer inputs than this are being read by goroutines, the next input is
// started before it is due.
const mergeAhead = 4

// mergeDepth is the queue of an input read by a goroutine when open such inputs (itself
// included) are being read: the files of a directory that follow each other in time each get 8.
func mergeDepth(open int) int {
	return max(1, min(8, mergeQueued/max(open, 1)))
}

// Merge reads the inputs and calls fn with each record in approximately ascending time order: a
// k-way merge of the inputs, each of which is in order within itself up to the clock skew and
// write order of its writer. Records fn receives, and their strings, stay valid only during the
// call: their memory is reused for later records, so fn copies what it keeps (strings.Clone).
// Inputs that fail to open are reported in their Stats with Err set.
//
// Every input is opened once up front to choose its parser and learn the time of its first
// record; it is read when the merge reaches that time. So only the files that overlap in time
// are open together: a directory of ALB objects, one per node and 5 minutes, is read a few files
// at a time, in time order, whatever their number.
func (c *Config) Merge(inputs []Input, maxLine int, keep func(*Record) bool, fn func(*Record)) []Stats {
	return c.MergeBatches(inputs, maxLine, func(r *Record, _ *Batch) bool { return keep(r) }, fn, nil)
}

// MergeBatches is Merge for a consumer that keeps state per batch: keep also gets the batch
// the record is parsed into (on the goroutine that reads the input, as Merge's keep: its own,
// or for the inputs parsers/share.go picks the one that called MergeBatches), and done, when not
// nil, gets each batch once fn has had all of its records, on the goroutine that called
// MergeBatches, before the batch goes back to be parsed into again.
func (c *Config) MergeBatches(inputs []Input, maxLine int, keep func(*Record, *Batch) bool, fn func(*Record), done func(*Batch)) []Stats {
	stats := make([]Stats, len(inputs))
	probed := make([]pending, len(inputs))
	probe := func(i int) {
		in := inputs[i]
		probe, again := in, in.reopenable()
		if again {
			probe.Meter = nil // its first lines are read again with the whole input
		}
		o, err := c.OpenInput(probe)
		if err != nil {
			stats[i] = Stats{Input: in.Name, Layer: in.Layer, Err: err.Error()}
			return
		}
		first := o.firstTime()
		p := pending{i: i, o: o, first: first, key: mergeKey(first), layer: o.Layer, cost: o.cost(), res: o.Resolved, sampled: o.sampled}
		if again {
			o.closer.Close()
			p.o = nil
		}
		probed[i] = p
	}
	// A directory of hundreds of ALB objects takes a while to probe (open, detect, first
	// time): every core probes.
	if procs := min(runtime.GOMAXPROCS(0), len(inputs)/8); procs > 1 {
		var wg sync.WaitGroup
		var nextIn atomic.Int64
		for range procs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(nextIn.Add(1) - 1); i < len(inputs); i = int(nextIn.Add(1) - 1) {
					probe(i)
				}
			}()
		}
		wg.Wait()
	} else {
		for i := range inputs {
			probe(i)
		}
	}
	var queue []pending
	for i, p := range probed {
		if stats[i].Err == "" {
			queue = append(queue, p)
		}
	}
	sort.SliceStable(queue, func(a, b int) bool { return queue[a].first.Before(queue[b].first) })
	if c.Starts != nil {
		starts := make([]LayerStart, len(queue))
		for i, p := range queue {
			starts[i] = LayerStart{Layer: p.layer, First: p.first}
		}
		c.Starts(starts)
	}
	cfg := ScanConfig{MaxLine: maxLine, ChunkSize: mergeChunk, HoldBlocks: true, Work: func(rec *Record, b *Batch) {
		if keep(rec, b) {
			b.Keep(rec)
		}
	}}
	var inline []bool
	if len(queue) > 1 {
		cfg.Workers = 1 // the inputs read at once share the cores
		inline = readInline(queue, mergeProcs())
	}
	readers := 0 // inputs being read by goroutines of their own
	h := &streamHeap{}
	// The batches of inputs read to their end, for the inputs started next: each batch holds a
	// block and its records, which a directory of hundreds of small files would otherwise make
	// anew for every file.
	var spare []*Batch
	ended := func(s *stream) {
		if s.own {
			readers--
		}
		for len(spare) < maxSpare {
			select {
			case b := <-s.free: // the input's reader is done: nothing else takes from free
				spare = append(spare, b)
				continue
			default:
			}
			break
		}
	}
	start := func(p pending, inline bool) *stream {
		s := &stream{done: done}
		chunk := mergeChunk
		if len(*h) >= 32 {
			chunk = mergeChunkSmall
		}
		read := func(deliver func(*Batch) bool) {
			o := p.o
			if o == nil {
				var err error
				if o, err = c.reopenInput(inputs[p.i], p.res, p.sampled); err != nil {
					stats[p.i] = Stats{Input: inputs[p.i].Name, Layer: inputs[p.i].Layer, Err: err.Error()}
					return
				}
			}
			sc := cfg
			sc.ChunkSize = chunk
			last, newest := int64(noKey), int64(noKey)
			sc.Deliver = func(b *Batch) {
				mergeKeys(b, &last, &newest, c.Lateness)
				deliver(b)
			}
			sc.Free = s.free
			stats[p.i] = o.scan(sc)
		}
		if inline {
			// Read on this goroutine, a block each time the merge needs one: the reader runs as
			// a coroutine (iter.Pull), so no goroutine is woken and no record crosses cores.
			s.free = make(chan *Batch, 3)
			s.pull, s.stop = iter.Pull(func(yield func(*Batch) bool) { read(yield) })
			return s
		}
		// free holds every batch the stream can have in flight (Scan's, those queued in batches
		// and the two being merged, prev and b), so that the merge drops none: a dropped batch and its block
		// were made anew by the reader (65 MB of records and 45 MB of blocks allocated on the
		// four-hop bench with room for 4).
		readers++
		s.own = true
		depth := mergeDepth(readers)
		s.batches = make(chan *Batch, depth)
		s.wake = make(chan struct{}, 1)
		s.free = make(chan *Batch, scanInFlight(runtime.GOMAXPROCS(0))+2+depth)
		for len(spare) > 0 && len(s.free) < depth {
			s.free <- spare[len(spare)-1]
			spare = spare[:len(spare)-1]
		}
		go func() {
			defer close(s.batches)
			read(func(b *Batch) bool {
				s.put(b)
				return true
			})
		}()
		return s
	}
	next := 0
	var ahead *stream // queue[next], started before it is due
	for {
		// Start the inputs that are due: their first record is not after the merge's current
		// time (or nothing else is being read).
		for next < len(queue) && (len(*h) == 0 || queue[next].key <= (*h)[0].k) {
			s := ahead
			if s == nil {
				s = start(queue[next], inline != nil && inline[next])
			}
			ahead = nil
			next++
			if s.advance() {
				h.push(s)
			} else {
				ended(s)
			}
		}
		if len(*h) == 0 {
			break
		}
		// While few inputs are being read, the next one's goroutine opens it and parses its
		// first blocks before it is due, so that the merge does not wait for them: the files
		// of a directory of ALB objects, read one after the other, are small. (Starting the
		// next three instead took no less time on 1,000 of them, and 12 MB more.)
		if ahead == nil && next < len(queue) && readers < mergeAhead && (inline == nil || !inline[next]) {
			ahead = start(queue[next], false)
		}
		// Hand out the run of the first stream's records that stay first: those not after the
		// other streams' earliest (the root's children) nor at or after the next input's start.
		// fixRoot would leave the stream at the root for each of them (a tie keeps the root), so
		// the order, ties included, is the heap's, without a fix per record.
		s := (*h)[0]
		var others int64
		c := h.minChild()
		bounded := c != nil
		if bounded {
			others = c.k
			// c's record is likely the one after this run, and when many inputs of one layer
			// are merged record by record (fifty pods' logs) the run is one record long: its
			// loads start now, as those of the record after next below.
			prefetch.Bytes(unsafe.Pointer(c.b.Records[c.i]), recordHot)
		}
		var due int64
		if next < len(queue) {
			due = queue[next].key
		}
		for {
			// The records were parsed on another core: the loads of the one after next start
			// now, during this one's fn (4.5% less CPU for the four-hop bench of analyze, whose
			// fn reads nine of a record's lines), and those of the merge keys a few further on
			// (1.5-3% less).
			if j := s.i + 2; j < len(s.b.Records) {
				prefetch.Bytes(unsafe.Pointer(s.b.Records[j]), recordHot)
				if j+4 < len(s.b.keys) {
					prefetch.Bytes(unsafe.Pointer(&s.b.keys[j+4]), 1)
				}
			}
			fn(s.cur())
			if !s.advance() {
				h.popRoot()
				ended(s)
				break
			}
			if (bounded && s.k > others) || (next < len(queue) && due <= s.k) {
				h.fixRoot()
				break
			}
		}
	}
	return stats
}

// recordHot is how much of a Record the merge prefetches: the fields before URI, which the
// engine reads for every record (record.go orders the fields so).
const recordHot = unsafe.Offsetof(Record{}.URI)

// pending is an input of a merge waiting for its turn to be read.
type pending struct {
	i     int
	o     *Opened // kept open for stdin, pipes and other streams, which cannot be read twice
	first time.Time
	key   int64 // first as a merge key (mergeKey)
	layer string
	cost  int64 // estimated cost of reading it (Opened.cost)
	// The parser chosen when it was probed, and the sampleHash of the lines it was chosen from.
	res     *Resolved
	sampled uint64
}

// sampleHash is an FNV-1a hash of the lines of a sample, each with its length.
func sampleHash(sample [][]byte) uint64 {
	h := uint64(14695981039346656037)
	for _, l := range sample {
		for _, c := range l {
			h = (h ^ uint64(c)) * 1099511628211
		}
		h = (h ^ uint64(len(l))) * 1099511628211
	}
	return h ^ uint64(len(sample))
}

// firstTime returns the time of the input's first record that has one, from its first lines.
func (o *Opened) firstTime() time.Time {
	p := o.Resolved.NewParser()
	var rec Record
	for _, line := range Sample(o.r, sampleLines) {
		rec.Reset()
		if p.Parse(line, &rec) == nil && !rec.Time.IsZero() && rec.checkTimes() == nil {
			return InZone(rec.Time, o.Resolved.Zone)
		}
	}
	return time.Time{}
}

type stream struct {
	batches chan *Batch           // from the stream's goroutine
	pull    func() (*Batch, bool) // or from its reader run inline (iter.Pull)
	stop    func()
	own     bool        // read by a goroutine of its own (batches), not inline
	free    chan *Batch // batches merged, for the reader to reuse
	done    func(*Batch)
	// sleeping is set by the stream's goroutine when it waits on wake for room in a full
	// batches; the merge wakes it once the queue is down to half (put).
	sleeping atomic.Bool
	queued   atomic.Int32 // batches put and not yet taken by advance (put, advance)
	wake     chan struct{}
	sleeps   int // times put waited on wake (tests)
	b        *Batch
	// prev is the batch merged before b: done hears of a batch only once the next one is merged
	// too (release), so that a consumer may keep reading a batch's records while the requests
	// they belong to wait for their other hops' records, which a log with whole-second times
	// (nginx's $time_local) puts up to a second later in the merge than its own.
	prev *Batch
	i    int
	k    int64 // the current record's merge key, kept by advance so that the heap compares without loading records
}

// release hands a batch the merge is done with to done and back to the reader.
func (s *stream) release(b *Batch) {
	if b == nil {
		return
	}
	if s.done != nil {
		s.done(b)
	}
	select {
	case s.free <- b:
	default:
	}
}

func (s *stream) cur() *Record { return s.b.Records[s.i] }

// advance moves to the next record, waiting for the next batch when needed.
func (s *stream) advance() bool {
	if s.b != nil {
		s.i++
		if s.i < len(s.b.keys) {
			s.k = s.b.keys[s.i]
			return true
		}
	}
	for s.b == nil || s.i >= len(s.b.Records) {
		if s.b != nil {
			s.release(s.prev)
			s.prev, s.b = s.b, nil
		}
		var b *Batch
		var ok bool
		if s.pull != nil {
			if b, ok = s.pull(); !ok {
				s.release(s.prev)
				s.prev = nil
				s.stop()
				return false
			}
		} else {
			if b, ok = receive(s.batches); !ok {
				s.release(s.prev)
				s.prev = nil
				return false
			}
			// The count is an atomic, not len(s.batches): put stores sleeping and then reads the
			// count, and this side takes one off and then reads sleeping. With atomics on both
			// sides one of them sees the other's write; a failed non-blocking send reads the
			// channel's count with a plain load, which arm64 may order before put's store, and a
			// reader then slept while this receive, the last before the queue ran dry, saw no
			// sleeper (found in review, commit 02d5b40).
			if n := s.queued.Add(-1); n <= int32(cap(s.batches)/2) && s.sleeping.Load() && s.sleeping.CompareAndSwap(true, false) {
				select {
				case s.wake <- struct{}{}:
				default:
				}
			}
		}
		s.b, s.i = b, 0
	}
	s.k = s.b.keys[0]
	return true
}

// spinWait bounds how long receive and send yield before they park.
const spinWait = 200

// receive takes the next batch of c. When none is there it yields to other goroutines a while
// before it parks: a parked goroutine is woken through the scheduler, which leaves its core idle
// for tens of microseconds each time (put, its counterpart, yields too).
func receive(c chan *Batch) (*Batch, bool) {
	for range spinWait {
		select {
		case b, ok := <-c:
			return b, ok
		default:
			runtime.Gosched()
		}
	}
	b, ok := <-c
	return b, ok
}

// put queues b for the merge, yielding a while when the queue is full (see receive). Then the
// goroutine waits until the merge has taken half of the queue, not just one batch: woken for
// each batch the merge takes, it was woken once a batch whenever the merge was the slower, and
// each wake-up left a core idle (on the four-hop bench, 1,368 times; the trace's time with one
// goroutine running fell from 0.39 s to 0.21 s of 2.4 s).
func (s *stream) put(b *Batch) {
	for range spinWait {
		select {
		case s.batches <- b:
			s.queued.Add(1)
			return
		default:
			runtime.Gosched()
		}
	}
	for {
		s.sleeping.Store(true)
		// This goroutine is the only sender and the merge takes a batch off the count only after
		// receiving it, so the count is never below what the queue holds: below cap, the send
		// does not block.
		if int(s.queued.Load()) < cap(s.batches) {
			s.sleeping.Store(false)
			s.batches <- b
			s.queued.Add(1)
			return
		}
		s.sleeps++
		<-s.wake
	}
}

// A merge key is a record's time as a number, so that the merging goroutine compares two keys
// with one instruction for every record, where time.Time.Before takes several branches (with
// fifty inputs of one layer merged record by record, about a dozen comparisons a record): its
// UnixNano, which every time a parser accepts has (parsers/timeparse.go, CheckTime), and noKey
// for no time, which sorts first as the zero time.Time does. (A record stamped at the very first
// nanosecond CheckTime accepts, 1677-09-21 00:12:43.145224192 UTC, ties with no time instead of
// following it.)
const noKey = math.MinInt64

func mergeKey(t time.Time) int64 {
	if t.IsZero() {
		return noKey
	}
	return t.UnixNano()
}

// mergeKeys sets b.keys, the merge's key of each of b's records: its time, or for a record
// without one the time of the latest record before it in the input that has one (*last, kept
// across the input's batches). The reading goroutine computes them, in input order, so that the
// merging goroutine, which every record goes through, does not. It also raises lateness (when
// set) to how far a record's time lies behind the newest before it in the input (*newest): an
// input out of time order, seen by its reader blocks before the merge hands the late records over.
func mergeKeys(b *Batch, last, newest *int64, lateness *atomic.Int64) {
	b.keys = b.keys[:0]
	worst := int64(0)
	for _, r := range b.Records {
		if !r.Time.IsZero() {
			t := r.Time.UnixNano()
			*last = t
			if t > *newest {
				*newest = t
			} else {
				worst = max(worst, *newest-t)
			}
		}
		b.keys = append(b.keys, *last)
	}
	for lateness != nil && worst > 0 {
		cur := lateness.Load()
		if worst <= cur || lateness.CompareAndSwap(cur, worst) {
			break
		}
	}
}

// streamHeap orders the streams being merged by key, the earliest at the root. It is
// container/heap's algorithm (so ties go the same way) on int64 keys, without an interface call
// per comparison.
type streamHeap []*stream

// minChild returns the root's child with the earlier key, whose key is the earliest of every
// stream but the root; nil when the root is alone.
func (h streamHeap) minChild() *stream {
	switch {
	case len(h) > 2 && h[2].k < h[1].k:
		return h[2]
	case len(h) > 1:
		return h[1]
	}
	return nil
}

func (h *streamHeap) push(s *stream) {
	*h = append(*h, s)
	q := *h
	for j := len(q) - 1; j > 0; {
		i := (j - 1) / 2
		if q[j].k >= q[i].k {
			break
		}
		q[i], q[j] = q[j], q[i]
		j = i
	}
}

// fixRoot restores the order after the root's key grew.
func (h streamHeap) fixRoot() { h.down(0, len(h)) }

// popRoot removes the root.
func (h *streamHeap) popRoot() {
	q := *h
	n := len(q) - 1
	q[0], q[n] = q[n], q[0]
	q.down(0, n)
	q[n] = nil
	*h = q[:n]
}

func (h streamHeap) down(i, n int) {
	for {
		j := 2*i + 1
		if j >= n {
			return
		}
		if j2 := j + 1; j2 < n && h[j2].k < h[j].k {
			j = j2
		}
		if h[j].k >= h[i].k {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}
