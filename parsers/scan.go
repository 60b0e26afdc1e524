package parsers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"

	"github.com/logtriage/logtriage/internal/prefetch"
	"github.com/logtriage/logtriage/internal/progress"
)

// DefaultMaxLine is the longest line read; longer lines are rejected (and skipped) with a reason.
const DefaultMaxLine = 4 << 20

const chunkSize = 1 << 20

// Rejection is one line that did not parse, with its place and the reason.
type Rejection struct {
	Source string `json:"source"` // file:line
	Reason string `json:"reason"`
}

// MaxExamples is how many rejected lines per input are kept as examples.
const MaxExamples = 5

// Stats counts what happened to the lines of one input.
type Stats struct {
	Input    string      `json:"input"`
	Layer    string      `json:"layer"`
	Format   string      `json:"format"`
	Read     int64       `json:"lines_read"`
	Parsed   int64       `json:"parsed"`
	Rejected int64       `json:"rejected"`
	Blank    int64       `json:"blank"`
	Skipped  int64       `json:"skipped"`            // well-formed lines that are not access records (ErrNotAccess)
	Note     string      `json:"note,omitempty"`     // what detection found the input to be when it holds no access records (serverlog.go)
	Filtered int64       `json:"filtered,omitempty"` // ruled out unparsed by a Prefilter: they hold no selected record
	Examples []Rejection `json:"rejected_examples,omitempty"`
	Err      string      `json:"error,omitempty"` // why reading stopped early (unreadable, truncated gzip)
}

func (s *Stats) reject(file string, line int64, reason string) {
	s.Rejected++
	if len(s.Examples) < MaxExamples {
		s.Examples = append(s.Examples, Rejection{Source: fmt.Sprintf("%s:%d", file, line), Reason: reason})
	}
}

func (s *Stats) add(o *Stats) {
	s.Read += o.Read
	s.Parsed += o.Parsed
	s.Rejected += o.Rejected
	s.Blank += o.Blank
	s.Skipped += o.Skipped
	s.Filtered += o.Filtered
	for _, e := range o.Examples {
		if len(s.Examples) >= MaxExamples {
			break
		}
		s.Examples = append(s.Examples, e)
	}
}

// chunk is a run of whole lines, or a marker for one over-long line that was skipped.
type chunk struct {
	buf       []byte // the block data lives in, recycled once the chunk is parsed
	data      []byte
	firstLine int64 // line number of the first line in data
	skipped   int64 // when non-zero, the number of a line longer than the limit (data is nil)
}

// chunker cuts a stream into chunks of whole lines without copying line by line.
//
// Files are read with read(2) into blocks, not mapped into memory: on the 2-core VM of issue 14,
// counting the lines of the bench's three plain files (520 MB, in the page cache) through
// mappings of 1 to 4 MiB windows took 0.32-0.58 s of CPU (MAP_POPULATE or not; 128 KiB windows
// 1.2-3.4 s: the page faults and mapping cost more than the copy) against 0.11-0.16 s through
// read into 128 KiB or 1 MiB buffers; and a mapped file cut short while it is read (a log rotated by copytruncate)
// faults where read only ends early (TestScanFileChangesWhileRead).
type chunker struct {
	r       io.Reader
	max     int
	line    int64 // number of the next line
	carry   []byte
	eof     bool
	err     error
	pending []chunk
	free    chan []byte // blocks freed by the workers
	size    int         // block size
}

func (c *chunker) next() (chunk, bool) {
	for {
		if len(c.pending) > 0 {
			ch := c.pending[0]
			c.pending = c.pending[1:]
			return ch, true
		}
		if c.eof {
			if len(c.carry) > 0 {
				ch := chunk{data: c.carry, firstLine: c.line}
				c.carry = nil
				c.line++
				return ch, true
			}
			return chunk{}, false
		}
		c.fill()
	}
}

// fill reads one block and queues the chunks it completes.
func (c *chunker) fill() {
	size := c.size
	if len(c.carry) >= size/2 {
		size = 2 * len(c.carry)
	}
	buf := c.getBlock(size)[:len(c.carry)]
	copy(buf, c.carry)
	c.carry = nil
	for len(buf) < cap(buf) {
		n, err := c.r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			c.eof = true
			if err != io.EOF {
				c.err = err
			}
			break
		}
		if n == 0 {
			continue
		}
	}
	last := bytes.LastIndexByte(buf, '\n')
	if last < 0 {
		if c.eof {
			c.carry = buf
			return
		}
		// A line of the longest length read may end in CR, its LF not read yet: the limit counts
		// the line without its line end, as parseLine does.
		if len(buf) > c.max && !(len(buf) == c.max+1 && buf[c.max] == '\r') {
			c.skipLongLine()
			return
		}
		c.carry = buf // a long line: read more
		return
	}
	data := buf[:last+1]
	c.carry = buf[last+1:]
	first := c.line
	c.line += int64(bytes.Count(data, []byte{'\n'}))
	// A line in data may itself exceed the limit when the carry grew past it.
	c.pending = append(c.pending, chunk{buf: buf, data: data, firstLine: first})
}

// getBlock returns a block for the next chunk. Blocks are recycled within one Scan only: a fresh
// 1 MiB block per chunk would make the garbage collector and memclr a sizeable share of a
// parse, and a block may still hold this reader's carry when a worker frees it, so no other
// reader may write into it.
func (c *chunker) getBlock(size int) []byte {
	if size == c.size {
		select {
		case b := <-c.free:
			return b[:0]
		default:
		}
	}
	if size == chunkSize {
		select {
		case b := <-spareBlocks:
			return b[:0]
		default:
		}
	}
	return make([]byte, 0, size)
}

// spareBlocks holds standard blocks of Scans that have ended, for the next Scan: parse reads
// the inputs one after another, and a directory of small files made and zeroed a 1 MiB block
// for each file.
var spareBlocks = make(chan []byte, 4)

// giveBack passes the blocks the ended Scan freed on to later Scans. Nothing reads or writes
// them any more: the reader has stopped, and the blocks that batches hold are not among them.
func (c *chunker) giveBack() {
	for {
		select {
		case b := <-c.free:
			if cap(b) == chunkSize {
				select {
				case spareBlocks <- b:
				default:
					return
				}
			}
		default:
			return
		}
	}
}

func (c *chunker) putBlock(b []byte) {
	if cap(b) == c.size {
		select {
		case c.free <- b[:0]:
		default:
		}
	}
}

// skipLongLine drops the rest of an over-long line and queues a marker for it.
func (c *chunker) skipLongLine() {
	ln := c.line
	c.line++
	var tmp [64 << 10]byte
	for {
		n, err := c.r.Read(tmp[:])
		if i := bytes.IndexByte(tmp[:n], '\n'); i >= 0 {
			c.carry = append([]byte(nil), tmp[i+1:n]...)
			break
		}
		if err != nil {
			c.eof = true
			if err != io.EOF {
				c.err = err
			}
			break
		}
	}
	c.pending = append(c.pending, chunk{skipped: ln})
}

// Batch is the output of one chunk: whatever the per-record work produced, in line order.
type Batch struct {
	Records []*Record // records kept by the work function (see Keep)
	Out     []byte    // bytes appended by the work function
	Stats   Stats
	slab    []byte
	kept    int      // bytes of strings kept, over every slab
	spare   []Record // records allocated for next and not yet handed out
	keys    []int64  // Merge's key of each record (mergeKeys)
	cur     *Record  // the record next returned last
	// With ScanConfig.HoldBlocks: data is the text the batch's records were parsed from, and
	// block the block it lives in, held until the batch is reused, so that Keep need not copy
	// the strings that point into it.
	data, block []byte
	// Aux is the consumer's own state for the batch (see Config.MergeBatches); reuse keeps it.
	Aux any
}

// reuse empties a batch its consumer is done with, keeping its memory: the Records beyond
// len(Records) are parsed into again (next), and one slab large enough for what the batch kept
// last time.
func (b *Batch) reuse() {
	b.Records, b.Out, b.Stats = b.Records[:0], b.Out[:0], Stats{}
	b.data, b.block, b.cur = nil, nil, nil
	if b.kept > cap(b.slab) {
		b.slab = make([]byte, 0, b.kept+b.kept/4)
	}
	b.slab, b.kept = b.slab[:0], 0
}

// recordBlock is how many records next allocates at once.
const recordBlock = 32

// next returns the record the batch's next line is parsed into: the one past len(Records), which
// Keep takes in place, without copying it, when the work function keeps the record. A record not
// kept is parsed over by the next line.
func (b *Batch) next() *Record {
	n := len(b.Records)
	if n < cap(b.Records) {
		if r := b.Records[:n+1][n]; r != nil {
			// The merge read the batch's records last, on the other core: the record after
			// next is made ready to be written now, during this line's parse (four-hop bench
			// of analyze: 10 paired runs, median CPU 0.957 of before).
			if n+2 < cap(b.Records) {
				if r2 := b.Records[:n+3][n+2]; r2 != nil {
					prefetch.BytesForWrite(unsafe.Pointer(r2), unsafe.Sizeof(Record{}))
				}
			}
			b.cur = r // a record of a reused batch, or the one the last line was parsed into
			return r
		}
	}
	if len(b.spare) == 0 {
		k := recordBlock
		if n == 0 {
			k = 1 // a batch whose records are not kept (parse) needs one
		}
		b.spare = make([]Record, k)
	}
	r := &b.spare[0]
	b.spare = b.spare[1:]
	b.Records = append(b.Records, r)[:n]
	b.cur = r
	return r
}

// Keep copies rec into the batch so that it stays valid after the next Parse. The copy's
// strings live in a slab shared by the batch, so keeping costs no allocation per string. The
// record Scan handed to the work function is kept where it was parsed (Batch.next): only its
// strings outside the held block, and its upstream statuses, are copied.
func (b *Batch) Keep(rec *Record) *Record {
	var c *Record
	n := len(b.Records)
	if n < cap(b.Records) {
		c = b.Records[:n+1][n] // a record of a reused batch, or the one rec was parsed into
	}
	switch {
	case c == rec:
		if rec.Upstream != nil && unsafe.SliceData(rec.Upstream) == &rec.upstreamBuf[0] {
			rec = nil // Upstream is the record's own
		}
	case c == nil || c == b.cur:
		// c is free, or it is the record the current line was parsed into, which the work
		// function may still read: another record takes its place in Records.
		c = new(Record)
		fallthrough
	default:
		*c = *rec
	}
	for _, f := range c.stringFields() {
		if len(*f) == 0 || b.inData(*f) {
			continue
		}
		if cap(b.slab)-len(b.slab) < len(*f) {
			n := 64 << 10
			if n < len(*f) {
				n = len(*f)
			}
			b.slab = make([]byte, 0, n)
		}
		start := len(b.slab)
		b.slab = append(b.slab, *f...)
		b.kept += len(*f)
		*f = bstr(b.slab[start:len(b.slab):len(b.slab)])
	}
	if rec != nil && rec.Upstream != nil {
		up := rec.Upstream
		c.Upstream = c.upstreamBuf[:0]
		if len(up) > len(c.upstreamBuf) {
			c.Upstream = make([]int, 0, len(up))
		}
		c.Upstream = append(c.Upstream, up...)
	}
	b.Records = append(b.Records, c)
	return c
}

// inData reports whether s lies in the text the batch was parsed from (HoldBlocks).
func (b *Batch) inData(s string) bool {
	if len(b.data) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b.data)))
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(b.data))
}

// ScanConfig says how to read one input.
type ScanConfig struct {
	NewParser func() Parser // one parser per worker
	Layer     string
	Format    string
	MaxLine   int // 0 = DefaultMaxLine
	Workers   int // 0 = GOMAXPROCS
	// ChunkSize is the size of the blocks lines are cut into (0 = 1 MiB). Smaller blocks keep
	// fewer records in flight when the records are kept, as analyze does.
	ChunkSize int
	// Work runs in a worker for every parsed record; rec is valid only during the call.
	Work func(rec *Record, b *Batch)
	// Deliver receives the batches in input order, from one goroutine.
	Deliver func(b *Batch)
	// Prefilter, when set, picks the lines worth parsing; the others are counted as
	// Stats.Filtered (see Filter.Prefilter).
	Prefilter *Prefilter
	// Meter, when set, counts the lines read, once per block (for the progress line).
	Meter *progress.Meter
	// Free, when set, holds batches the consumer is done with (records and strings no longer
	// used): new blocks reuse them instead of allocating records and slabs anew.
	Free chan *Batch
	// Zone, when set, is the zone the records' times are read in (Config.Zones, InZone).
	Zone *time.Location
	// HoldBlocks keeps each block of input text with the batch parsed from it until the batch
	// comes back through Free (or is dropped), so that Batch.Keep copies only the strings that
	// are not in the line itself (unescaped or rebuilt text).
	HoldBlocks bool
}

// scanInFlight is the most batches Scan with this many workers holds at once: the order queue's
// (a job enters it before any worker sees it and leaves it when it is delivered, so the jobs
// queued for the workers and those being parsed are in it too), one being delivered and one the
// reader has made but not yet queued.
func scanInFlight(workers int) int { return 2*workers + 2 }

type job struct {
	ch   chunk
	b    *Batch
	done chan struct{}
}

// Scan reads r to its end, parsing the lines in parallel, and returns the input's counts. name
// is used in file:line references. A read error (a truncated gzip stream, say) ends the input
// with Stats.Err set; the lines before it are kept.
func Scan(name string, r io.Reader, cfg ScanConfig) Stats {
	max := cfg.MaxLine
	if max <= 0 {
		max = DefaultMaxLine
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	size := cfg.ChunkSize
	if size <= 0 {
		size = chunkSize
	}
	// A parser that joins the pieces of a container runtime's long lines (wrap.go) must see
	// them in order, whichever blocks they fall in: one worker reads the input.
	p := cfg.NewParser()
	if joinsPieces(p) {
		workers = 1
	}
	c := &chunker{r: r, max: max, line: 1, free: make(chan []byte, 8*workers), size: size}
	total := Stats{Input: name, Layer: cfg.Layer, Format: cfg.Format}
	if workers == 1 {
		scanSerial(name, p, c, max, cfg, &total)
	} else {
		scanParallel(name, c, max, workers, cfg, &total)
	}
	c.giveBack()
	if c.err != nil {
		total.Err = readError(name, c.line-1, c.err)
	}
	return total
}

// readError says why reading an input stopped after its line n, and what became of its lines.
func readError(name string, n int64, err error) string {
	reason := err.Error()
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		reason = "truncated stream (a gzip file cut short?)"
	case errors.As(err, &corrupt) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader):
		reason = fmt.Sprintf("damaged gzip data (%v): gzip -t tests the file", err)
	}
	if n == 0 {
		return fmt.Sprintf("%s: %s; no line could be read before it", name, reason)
	}
	return fmt.Sprintf("%s after line %d: %s; the lines before it were read", name, n, reason)
}

// scanSerial is Scan with one worker: the goroutine that reads a block parses it and delivers
// its batch before it reads the next, so the block is parsed while it is still in the core's
// cache and no batch passes between goroutines (Merge reads each of several inputs with one
// worker, the inputs keeping the cores busy).
func scanSerial(name string, p Parser, c *chunker, max int, cfg ScanConfig, total *Stats) {
	pf := cfg.Prefilter.clone()
	var j job
	for {
		// The batch is taken before the block is read, so that the block it held is read into
		// again while it is still in the cache.
		b := newBatch(c, cfg.Free)
		ch, ok := c.next()
		if !ok {
			if finishInput(name, p, cfg, b) {
				deliver(b, cfg, total)
			}
			return
		}
		j.ch, j.b = ch, b
		parseJob(name, p, pf, &j, max, c, cfg)
		deliver(j.b, cfg, total)
	}
}

// scanParallel is Scan with several workers: the calling goroutine reads blocks, the workers
// parse them in any order and one goroutine delivers the batches in input order.
func scanParallel(name string, c *chunker, max, workers int, cfg ScanConfig, total *Stats) {
	jobs := make(chan *job, workers)
	order := make(chan *job, 2*workers) // see scanInFlight
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := cfg.NewParser()
			pf := cfg.Prefilter.clone()
			for j := range jobs {
				parseJob(name, p, pf, j, max, c, cfg)
				close(j.done)
			}
		}()
	}
	delivered := make(chan struct{})
	go func() {
		for j := range order {
			<-j.done
			deliver(j.b, cfg, total)
		}
		close(delivered)
	}()
	for {
		ch, ok := c.next()
		if !ok {
			break
		}
		j := &job{ch: ch, b: newBatch(c, cfg.Free), done: make(chan struct{})}
		order <- j
		jobs <- j
	}
	close(jobs)
	close(order)
	wg.Wait()
	<-delivered
}

// newBatch returns a batch to parse a chunk into: one the consumer gave back through free
// (its held block returned to the chunker), or a new one.
func newBatch(c *chunker, free chan *Batch) *Batch {
	select {
	case b := <-free:
		if b.block != nil {
			c.putBlock(b.block)
		}
		b.reuse()
		return b
	default:
		return &Batch{}
	}
}

// parseJob parses j's chunk into its batch and frees or hands on the chunk's block.
func parseJob(name string, p Parser, pf *Prefilter, j *job, max int, c *chunker, cfg ScanConfig) {
	if cfg.HoldBlocks {
		j.b.data = j.ch.data
	}
	if pf != nil && j.ch.skipped == 0 {
		parseFiltered(name, p, pf, j, max, cfg)
	} else {
		parseChunk(name, p, j, max, cfg)
	}
	// Work copied whatever it keeps into the batch (or the batch holds the block), so the block
	// is free. The reader may still hold the tail of the block as its carry: it is the block's
	// only writer and moves the carry to the start of its next block before reading.
	if cfg.HoldBlocks {
		j.b.block = j.ch.buf
	} else {
		c.putBlock(j.ch.buf)
	}
	j.ch = chunk{}
}

// deliver adds a parsed batch's counts to the input's and hands the batch to cfg.Deliver.
func deliver(b *Batch, cfg ScanConfig, total *Stats) {
	total.add(&b.Stats)
	cfg.Meter.AddRecords(b.Stats.Read)
	if cfg.Deliver != nil {
		cfg.Deliver(b)
	}
}

func parseChunk(name string, p Parser, j *job, max int, cfg ScanConfig) {
	st := &j.b.Stats
	if j.ch.skipped != 0 {
		st.Read++
		st.reject(name, j.ch.skipped, fmt.Sprintf("line longer than %d bytes (raise --max-line)", max))
		return
	}
	data := j.ch.data
	ln := j.ch.firstLine
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		parseLine(name, p, trimCR(line), ln, max, cfg, j.b)
		ln++
	}
}

// parseFiltered is parseChunk for a chunk read through a Prefilter: it jumps from one place a
// needle occurs to the next and parses only the lines that hold one and pass Match; the lines
// in between are counted, read and filtered, without being looked at.
func parseFiltered(name string, p Parser, pf *Prefilter, j *job, max int, cfg ScanConfig) {
	st := &j.b.Stats
	data := j.ch.data
	ln := j.ch.firstLine
	pf.resetHits()
	for pos := 0; pos < len(data); {
		h := pf.nextHit(data, pos)
		if h < 0 {
			n := countLines(data[pos:])
			st.Read += n
			st.Filtered += n
			return
		}
		start := bytes.LastIndexByte(data[pos:h], '\n') + 1 + pos
		if start > pos {
			n := int64(bytes.Count(data[pos:start], []byte{'\n'}))
			st.Read += n
			st.Filtered += n
			ln += n
		}
		line := data[start:]
		pos = len(data)
		if e := bytes.IndexByte(data[h:], '\n'); e >= 0 {
			line, pos = data[start:h+e], h+e+1
		}
		line = trimCR(line)
		if pf.Match(line) {
			parseLine(name, p, line, ln, max, cfg, j.b)
		} else {
			st.Read++
			st.Filtered++
		}
		ln++
	}
}

// countLines counts the lines in data, the last one with or without its newline.
func countLines(data []byte) int64 {
	n := int64(bytes.Count(data, []byte{'\n'}))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}

func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

// parseLine reads one line (number ln) into the batch's next record (Batch.next) and hands the
// record to the work function: when the work function keeps it, Keep finds it in place.
func parseLine(name string, p Parser, line []byte, ln int64, max int, cfg ScanConfig, b *Batch) {
	st := &b.Stats
	st.Read++
	if len(line) > 0 && line[0] == 0 && len(line) <= max {
		// A file truncated while its writer kept its offset (logrotate's copytruncate behind a
		// process writing without O_APPEND, `node app.js > app.log`) starts with a run of NUL
		// bytes up to the writer's next line: that line is a record all the same.
		line = bytes.TrimLeft(line, "\x00")
	}
	switch {
	case len(line) > max && line[0] == 0:
		st.reject(name, ln, fmt.Sprintf("line longer than %d bytes, starting with NUL bytes: a file truncated while its writer kept writing at its old offset (logrotate copytruncate without O_APPEND); the record after them is lost", max))
	case len(line) > max:
		st.reject(name, ln, fmt.Sprintf("line longer than %d bytes (raise --max-line)", max))
	case isBlank(line):
		st.Blank++
	default:
		rec := b.next()
		rec.Reset()
		err := p.Parse(line, rec)
		if err == nil && cfg.Zone != nil {
			rec.inZone(cfg.Zone)
		}
		if err == nil && !(timeOK(rec.Time) && timeOK(rec.Start)) {
			err = rec.checkTimes()
		}
		if err != nil {
			if err == ErrBlank {
				st.Blank++
			} else if err == ErrNotAccess || err == ErrContinued || serverLogLine(line) != "" {
				st.Skipped++ // serverLogLine: an error log's line among access lines (serverlog.go)
				if err == ErrContinued {
					heldLine(p, ln) // wrap.go: where a record flushed at the end is counted
				}
			} else {
				st.reject(name, ln, err.Error())
			}
			return
		}
		st.Parsed++
		rec.Layer, rec.Format, rec.File, rec.Line = cfg.Layer, cfg.Format, name, ln
		if cfg.Work != nil {
			cfg.Work(rec, b)
		}
	}
}

// finishInput counts, at the end of an input read by one worker, the records the parser still
// holds the first lines of (flushHeld: a container runtime's long line whose last piece never
// came). Each is parsed into the batch as a record if its pieces read as one, or rejected with
// the place of its first piece and the reason: it takes the count of its last piece, counted as
// skipped when read (ErrContinued), so that every line read is still counted once. It reports
// whether there was any.
func finishInput(name string, p Parser, cfg ScanConfig, b *Batch) bool {
	st := &b.Stats
	any := false
	for {
		rec := b.next()
		rec.Reset()
		first, ln, err, ok := flushHeld(p, rec)
		if !ok {
			return any
		}
		any = true
		st.Skipped--
		if first == 0 {
			first = ln
		}
		if err == nil && cfg.Zone != nil {
			rec.inZone(cfg.Zone)
		}
		if err == nil && !(timeOK(rec.Time) && timeOK(rec.Start)) {
			err = rec.checkTimes()
		}
		switch {
		case err == ErrBlank:
			st.Blank++
		case err == ErrNotAccess || err == ErrContinued:
			st.Skipped++
		case err != nil:
			st.reject(name, first, err.Error())
		default:
			st.Parsed++
			rec.Layer, rec.Format, rec.File, rec.Line = cfg.Layer, cfg.Format, name, ln
			if cfg.Work != nil {
				cfg.Work(rec, b)
			}
		}
	}
}

// The whole seconds strictly inside the range CheckTime accepts (minTime, maxTime).
const (
	minTimeSec = -9223372036 // minTime is 1677-09-21 00:12:43.145224192 UTC, in second -9223372037
	maxTimeSec = 9223372036  // maxTime is 2262-04-11 23:47:16.854775807 UTC, in this second
)

// timeOK reports, inline and without CheckTime's call, that t passes CheckTime: it is the zero
// time or lies in a second strictly inside the range. A time it leaves out may still pass
// (CheckTime decides).
func timeOK(t time.Time) bool {
	s := t.Unix()
	return (s > minTimeSec && s < maxTimeSec) || t.IsZero()
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}
