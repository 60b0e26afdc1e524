package main

import (
	"os"

	"github.com/logtriage/logtriage/internal/progress"
	"github.com/logtriage/logtriage/parsers"
)

// startProgress shows how far the reading of inputs has got on stderr, when it is a terminal
// and show is true (not -q, not JSON output): bytes read of the files' total size (a gzip file
// counts its compressed bytes), lines, rate. The caller stops the line when the reading ends,
// before it writes anything else to stderr; nil (no line) stops as well.
func startProgress(s *streams, label string, inputs []parsers.Input, show bool) *progress.Line {
	m := &progress.Meter{}
	opts := s.progress
	opts.Label, opts.Unit = label, "lines"
	if inputs == nil {
		opts.Unit = "documents" // es
	}
	l := progress.Start(s.err, m, show, opts)
	if l == nil {
		return nil
	}
	var total int64
	for i := range inputs {
		inputs[i].Meter = m
		st, err := os.Stat(inputs[i].Path)
		if inputs[i].Path == "-" || err != nil || !st.Mode().IsRegular() {
			total = -1 // a stream: its size is not known
		} else if total >= 0 {
			total += st.Size()
		}
	}
	if total > 0 {
		m.AddTotal(total)
	}
	return l
}
