package main

import (
	"bufio"
	"sync"
	"sync/atomic"
	"time"

	"github.com/logtriage/logtriage/parsers"
)

type parseCmd struct {
	inputFlags
	Status []int `help:"Keep only records with these statuses (comma-separated); an upstream attempt's status counts too, so masked 405s are kept." placeholder:"CODE,..."`
}

func (c *parseCmd) Run(s *streams) error {
	if err := checkStatuses(c.Status); err != nil {
		return err
	}
	cfg, err := c.config(s.err)
	if err != nil {
		return err
	}
	inputs, err := c.inputs(s.in, s.err)
	if err != nil {
		return err
	}
	since, until, err := c.window(time.Now())
	if err != nil {
		return err
	}
	filter := parsers.Filter{Statuses: c.Status, Since: since, Until: until}
	// With --status, nothing printed may mean no record of those statuses or none in the time
	// window: whether any record lies in the window tells which (windowNote).
	window := parsers.Filter{Since: since, Until: until}
	checkWindow := len(c.Status) > 0 && !(since.IsZero() && until.IsZero())
	var inWindow atomic.Bool
	out := bufio.NewWriterSize(s.out, 256<<10)
	var writeErr error
	wrote := false // a record was printed
	stats := make([]parsers.Stats, 0, len(inputs))
	// The output buffers of the batches of one input serve the next input's batches: a batch
	// starts with room for its block's JSON instead of doubling up to it, and the buffers are
	// made once per run, not once per input (a directory of small files).
	var (
		spareMu sync.Mutex
		spare   [][]byte
		used    = map[*parsers.Batch]bool{}
	)
	line := startProgress(s, "parse", inputs, !c.Quiet)
	// Two inputs are read at once: the next one is opened, and its first blocks read and
	// parsed, while the one before it is still being read (a directory of small files would
	// otherwise leave the cores idle at every file's start). Its batches wait for their turn, so
	// the records come out in input order.
	stats = stats[:len(inputs)]
	turn := make([]chan struct{}, len(inputs)+1)
	for i := range turn {
		turn[i] = make(chan struct{})
	}
	close(turn[0])
	var failed atomic.Bool // a write failed: start no more inputs
	slots := make(chan struct{}, 2)
	var wg sync.WaitGroup
	n := 0
	for i, in := range inputs {
		if slots <- struct{}{}; failed.Load() {
			break
		}
		n++
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			mine := false // it is this input's turn
			wait := func() {
				if !mine {
					<-turn[i]
					mine = true
				}
			}
			defer func() { wait(); close(turn[i+1]) }()
			o, err := cfg.OpenInput(in)
			if err != nil {
				stats[i] = parsers.Stats{Input: in.Name, Layer: in.Layer, Err: err.Error()}
				return
			}
			scan := o.Scan
			if !c.Strict { // --strict asks whether any line is rejected: every line is parsed
				scan = func(max int, work func(*parsers.Record, *parsers.Batch), deliver func(*parsers.Batch)) parsers.Stats {
					return o.ScanFiltered(&filter, max, work, deliver)
				}
			}
			stats[i] = scan(c.MaxLine, func(rec *parsers.Record, b *parsers.Batch) {
				// Once a write has failed (a closed pipe), the inputs being read are read to their
				// end for their counts, but their records are no longer turned into JSON.
				if checkWindow && !inWindow.Load() && window.Match(rec) {
					inWindow.Store(true)
				}
				if !failed.Load() && filter.Match(rec) {
					if cap(b.Out) == 0 {
						b.Out = takeOut(&spareMu, &spare)
					}
					b.Out = rec.AppendJSON(b.Out)
					b.Out = append(b.Out, '\n')
				}
			}, func(b *parsers.Batch) {
				wait()
				if writeErr == nil && len(b.Out) > 0 {
					if _, writeErr = out.Write(b.Out); writeErr != nil {
						failed.Store(true)
					}
					wrote = true
				}
				used[b] = true
			})
			wait()
			spareMu.Lock()
			for b := range used { // the input's batches are done with
				if cap(b.Out) > 0 {
					spare = append(spare, b.Out[:0])
				}
				delete(used, b)
			}
			spareMu.Unlock()
		}()
	}
	wg.Wait()
	stats = stats[:n]
	if err := out.Flush(); writeErr == nil {
		writeErr = err
	}
	line.Stop()
	if writeErr != nil {
		return &exitError{exitFatal, writeErr}
	}
	code := inputSummary(s.err, stats, c.Strict, c.Quiet)
	if !wrote && (len(c.Status) == 0 || !inWindow.Load()) {
		windowNote(s.err, stats, 0, &c.inputFlags)
	}
	if code != exitOK {
		return &exitError{code, errSummary(stats, code)}
	}
	return nil
}

// outBatchCap is the room a batch's JSON output starts with: twice the 1 MiB blocks the reader
// cuts inputs into, as nginx combined lines come out 1.9 times as long as they go in (JSON of
// formats with longer lines needs less, and a batch grows past it when it must).
const outBatchCap = 2 << 20

// takeOut returns an output buffer left by an earlier input's batch, or a new one.
func takeOut(mu *sync.Mutex, spare *[][]byte) []byte {
	mu.Lock()
	defer mu.Unlock()
	if n := len(*spare); n > 0 {
		b := (*spare)[n-1]
		*spare = (*spare)[:n-1]
		return b
	}
	return make([]byte, 0, outBatchCap)
}

// checkStatuses refuses a --status that no HTTP response has (a typo would otherwise select
// nothing, silently).
func checkStatuses(statuses []int) error {
	for _, st := range statuses {
		if st < 100 || st > 599 {
			return usageErr("--status %d is not an HTTP status: give codes from 100 to 599 (--status 405,403)", st)
		}
	}
	return nil
}
