package parsers

import (
	"bytes"
	"errors"
)

// Container runtimes wrap every line a process writes (docs/formats.md §4.5): Docker's json-file
// driver as {"log":"<line>\n","stream":"stdout","time":"…"}, CRI runtimes (containerd, CRI-O) as
// "<RFC3339Nano> <stdout|stderr> <F|P> <line>". Any format can sit inside, so the wrapper is
// stripped before detection and before parsing.

type wrapKind int

const (
	wrapNone wrapKind = iota
	wrapDocker
	wrapCRI
	wrapSyslog // a syslog or journald prefix (stripSyslog), chosen by resolveWrapped
)

func (k wrapKind) String() string {
	switch k {
	case wrapDocker:
		return "docker json-file"
	case wrapCRI:
		return "CRI"
	case wrapSyslog:
		return "syslog"
	}
	return ""
}

// sniffWrap tells whether the sample's lines are wrapped, by the first line.
func sniffWrap(sample [][]byte) wrapKind {
	if len(sample) == 0 {
		return wrapNone
	}
	line := sample[0]
	if bytes.HasPrefix(line, []byte(`{"log":`)) && bytes.Contains(line, []byte(`"stream"`)) {
		return wrapDocker
	}
	if _, _, _, err := unwrapCRI(line); err == nil {
		return wrapCRI
	}
	return wrapNone
}

var (
	errCRITooLong    = errors.New("CRI partial lines (P) add up to more than 4 MiB")
	errDockerTooLong = errors.New(`Docker json-file pieces of one line (a "log" without its \n) add up to more than 4 MiB`)
	errCRIUnended    = errors.New("CRI partial line (P) never completed by an F line of its stream: the input ends first")
	errDockerUnended = errors.New(`Docker json-file piece of a long line (a "log" without its \n) never completed by the line's last piece: the input ends first`)
	errNotCRI        = errors.New("not a CRI line (<time> <stream> <F|P> <log>)")
	errNotDocker     = errors.New(`not a Docker json-file line ({"log":…})`)
	errNotSyslog     = errors.New("no syslog prefix (time host tag: …) like the input's first lines")
)

// The streams a runtime keeps apart: a long line is split into pieces of one stream, and the
// other stream's lines may come between them.
const (
	stdout = iota
	stderr
	streams
)

// unwrapCRI returns the log text of a CRI line, its time, and whether it is a partial line (P)
// that the next lines of its stream continue.
func unwrapCRI(line []byte) ([]byte, []byte, bool, error) {
	inner, ts, _, partial, err := unwrapCRIStream(line)
	return inner, ts, partial, err
}

// unwrapCRIStream is unwrapCRI that also says which stream the line is of.
func unwrapCRIStream(line []byte) (inner, ts []byte, stream int, partial bool, err error) {
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 < 0 {
		return nil, nil, 0, false, errNotCRI
	}
	if _, ok := parseISOTime(line[:sp1]); !ok {
		return nil, nil, 0, false, errNotCRI
	}
	rest := line[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	switch {
	case sp2 < 0:
		return nil, nil, 0, false, errNotCRI
	case string(rest[:sp2]) == "stdout":
		stream = stdout
	case string(rest[:sp2]) == "stderr":
		stream = stderr
	default:
		return nil, nil, 0, false, errNotCRI
	}
	rest = rest[sp2+1:]
	if len(rest) < 2 || rest[1] != ' ' {
		return nil, nil, 0, false, errNotCRI
	}
	switch rest[0] {
	case 'F':
		return rest[2:], line[:sp1], stream, false, nil
	case 'P':
		return rest[2:], line[:sp1], stream, true, nil
	}
	return nil, nil, 0, false, errNotCRI
}

// unwrapper strips a container wrapper and hands the inner line to the format's parser.
//
// A runtime splits a long line into pieces, each a line of the file: CRI runtimes (containerd,
// CRI-O) into P lines ended by an F line, Docker's json-file driver (16 KiB a piece) into lines
// whose "log" lacks the final "\n" but the last. The pieces of one stream are joined and parsed
// as one record, counted on the last piece's line; the other pieces are skipped (ErrContinued).
// The pieces must come in order through one parser: Scan reads a wrapped input with one worker
// (joinsPieces), tells the parser the number of each line it held (heldLine) and at the end of
// the input takes the records no last piece completed (flushHeld).
type unwrapper struct {
	kind  wrapKind
	inner Parser
	buf   []byte
	held  [streams]heldPieces // per stream, the pieces of a line whose last piece is still to come
	last  int                 // the stream whose piece the last Parse held, or -1
	max   int                 // longest record joined from pieces
}

// heldPieces is the start of a long line of one stream.
type heldPieces struct {
	text        []byte // the pieces read so far, joined (Docker's unescaped)
	ts          []byte // the runtime's time of the last piece
	n           int    // pieces read
	first, line int64  // the numbers of the first and last pieces' lines, when the scan told them
	tooLong     bool   // the pieces passed max: dropped, the line is rejected when it ends
}

func (h *heldPieces) reset() {
	h.text, h.ts = h.text[:0], h.ts[:0]
	h.n, h.first, h.line, h.tooLong = 0, 0, 0, false
}

// join takes one piece of a stream's line, more when later pieces continue it. It returns the
// whole line once its last piece is in (the piece itself for a line of one piece), or
// ErrContinued while pieces are to come; a line whose pieces pass max is rejected on its last
// piece with tooLong.
func (u *unwrapper) join(stream int, piece, ts []byte, more bool, tooLong error) ([]byte, error) {
	h := &u.held[stream]
	if h.n == 0 && !more {
		return piece, nil
	}
	h.n++
	max := u.max
	if max <= 0 {
		max = DefaultMaxLine
	}
	if !h.tooLong {
		if len(h.text)+len(piece) > max {
			h.tooLong = true
			h.text = h.text[:0]
		} else {
			h.text = append(h.text, piece...)
		}
	}
	if more {
		h.ts = append(h.ts[:0], ts...)
		u.last = stream
		return nil, ErrContinued
	}
	text, dropped := h.text, h.tooLong
	h.reset() // text stays valid until the next piece of this stream is held
	if dropped {
		return nil, tooLong
	}
	return text, nil
}

func (u *unwrapper) Parse(line []byte, rec *Record) error {
	switch u.kind {
	case wrapCRI:
		u.last = -1
		inner, ts, stream, partial, err := unwrapCRIStream(line)
		if err != nil {
			return err // a line of no stream: the pieces held wait for their stream's next line
		}
		if inner, err = u.join(stream, inner, ts, partial, errCRITooLong); err != nil {
			return err
		}
		return u.parse(inner, ts, rec)
	case wrapSyslog:
		inner, t, ok := stripSyslog(line)
		if !ok {
			return errNotSyslog
		}
		if err := u.inner.Parse(inner, rec); err != nil {
			if err != ErrBlank && err != ErrContinued && serverLogLine(inner) != "" {
				return ErrNotAccess
			}
			return err
		}
		if rec.Time.IsZero() && !t.IsZero() {
			rec.Time = t // journald's or rsyslog's ISO time, for a line that has none
		}
		return nil
	case wrapDocker:
		u.last = -1
		inner, ts, stream, ok := dockerLine(line)
		if !ok {
			return errNotDocker
		}
		u.buf = jsonUnescape(u.buf[:0], inner)
		more := len(u.buf) > 0 && u.buf[len(u.buf)-1] != '\n'
		text, err := u.join(stream, u.buf, ts, more, errDockerTooLong)
		if err != nil {
			return err
		}
		return u.parseDocker(text, ts, rec)
	}
	return u.inner.Parse(line, rec)
}

// parseDocker parses the text of a Docker json-file line, its pieces joined.
func (u *unwrapper) parseDocker(text, ts []byte, rec *Record) error {
	text = bytes.TrimRight(text, "\r\n")
	if isBlank(text) {
		return ErrBlank
	}
	return u.parse(text, ts, rec)
}

// parse hands the inner line to the format's parser; when the line has no time of its own, the
// runtime's time stamp (when the line was written) stands in for it.
func (u *unwrapper) parse(inner, ts []byte, rec *Record) error {
	if err := u.inner.Parse(inner, rec); err != nil {
		if err != ErrBlank && err != ErrContinued && serverLogLine(inner) != "" {
			return ErrNotAccess // the server's error log, interleaved in its container's output
		}
		return err
	}
	if rec.Time.IsZero() {
		if t, ok := parseISOTime(ts); ok {
			rec.Time = t
		}
	}
	return nil
}

// joinsPieces reports whether p joins the pieces of long lines, which must then come to it in
// order (Scan reads the input with one worker).
func joinsPieces(p Parser) bool {
	switch p := p.(type) {
	case *clientParser:
		return joinsPieces(p.inner)
	case *unwrapper:
		return p.kind == wrapCRI || p.kind == wrapDocker
	}
	return false
}

// heldLine tells p, which returned ErrContinued for line number ln, that number: when p held the
// line as a piece of a longer one, a record it flushes is counted there.
func heldLine(p Parser, ln int64) {
	switch p := p.(type) {
	case *clientParser:
		heldLine(p.inner, ln)
	case *unwrapper:
		if p.last >= 0 && p.held[p.last].n > 0 {
			h := &p.held[p.last]
			if h.first == 0 {
				h.first = ln
			}
			h.line = ln
		}
	}
}

// flushHeld takes, at the end of the input, one line whose last piece never came (a CRI P line
// no F line followed, a Docker piece without its "\n"): the pieces read are parsed into rec as
// a record of their own, or the error says why they are not one. line is the number of its last
// piece, first of its first (0 when the scan did not tell them); ok is false when p holds no
// pieces.
func flushHeld(p Parser, rec *Record) (first, line int64, err error, ok bool) {
	switch p := p.(type) {
	case *clientParser:
		first, line, err, ok = flushHeld(p.inner, rec)
		if ok && err == nil && rec.ForwardedFor != "" {
			settleClient(rec, p.trusted)
		}
		return first, line, err, ok
	case *unwrapper:
		return p.flush(rec)
	}
	return 0, 0, nil, false
}

func (u *unwrapper) flush(rec *Record) (first, line int64, err error, ok bool) {
	for s := range u.held {
		h := &u.held[s]
		if h.n == 0 {
			continue
		}
		first, line = h.first, h.line
		text, ts := h.text, append([]byte(nil), h.ts...)
		tooLong := h.tooLong
		h.reset()
		switch {
		case tooLong && u.kind == wrapDocker:
			err = errDockerTooLong
		case tooLong:
			err = errCRITooLong
		case u.kind == wrapDocker:
			if err = u.parseDocker(text, ts, rec); err != nil && err != ErrBlank && err != ErrNotAccess {
				err = errDockerUnended
			}
		default:
			if err = u.parse(text, ts, rec); err != nil && err != ErrBlank && err != ErrNotAccess {
				err = errCRIUnended
			}
		}
		return first, line, err, true
	}
	return 0, 0, nil, false
}

// unwrapSample returns the inner lines of a wrapped sample, the pieces of a long line joined as
// the parser joins them (a line whose last piece is not in the sample is left out).
func unwrapSample(kind wrapKind, sample [][]byte) [][]byte {
	out := make([][]byte, 0, len(sample))
	var held [streams]struct {
		text    []byte
		tooLong bool
	}
	// add takes one piece of a stream's line and returns the line when the piece ends it.
	add := func(stream int, piece []byte, more bool) ([]byte, bool) {
		h := &held[stream]
		if len(h.text) == 0 && !h.tooLong && !more {
			return piece, true
		}
		if len(h.text)+len(piece) > DefaultMaxLine {
			h.text, h.tooLong = nil, true
		} else if !h.tooLong {
			h.text = append(h.text, piece...)
		}
		if more {
			return nil, false
		}
		text, ok := h.text, !h.tooLong
		h.text, h.tooLong = nil, false
		return text, ok
	}
	for _, line := range sample {
		switch kind {
		case wrapCRI:
			inner, _, stream, more, err := unwrapCRIStream(line)
			if err != nil {
				continue
			}
			if text, ok := add(stream, inner, more); ok {
				out = append(out, text)
			}
		case wrapSyslog:
			if inner, _, ok := stripSyslog(line); ok {
				out = append(out, inner)
			}
		case wrapDocker:
			inner, _, stream, ok := dockerLine(line)
			if !ok {
				continue
			}
			b := jsonUnescape(nil, inner)
			more := len(b) > 0 && b[len(b)-1] != '\n'
			if text, ok := add(stream, b, more); ok {
				if text = bytes.TrimRight(text, "\r\n"); !isBlank(text) {
					out = append(out, text)
				}
			}
		}
	}
	return out
}

// dockerLog returns the still escaped "log" string of a Docker json-file line and the wrapper's
// time, without parsing the whole object: Docker writes "log" first and "time" last.
func dockerLog(line []byte) (inner, ts []byte, ok bool) {
	inner, ts, _, ok = dockerLine(line)
	return inner, ts, ok
}

// dockerLine is dockerLog that also says which stream the line is of ("stream":"stderr" or
// not).
func dockerLine(line []byte) (inner, ts []byte, stream int, ok bool) {
	rest, found := bytes.CutPrefix(line, []byte(`{"log":`))
	if !found {
		return nil, nil, 0, false
	}
	rest = bytes.TrimLeft(rest, " ")
	if len(rest) == 0 || rest[0] != '"' {
		return nil, nil, 0, false
	}
	end := jsonStringEnd(rest)
	if end < 0 {
		return nil, nil, 0, false
	}
	inner, rest = rest[1:end], rest[end:]
	i := bytes.Index(rest, []byte(`"stream"`))
	if i < 0 {
		return nil, nil, 0, false
	}
	if s := bytes.TrimLeft(rest[i+len(`"stream"`):], ": "); bytes.HasPrefix(s, []byte(`"stderr"`)) {
		stream = stderr
	}
	if i := bytes.Index(rest, []byte(`"time":"`)); i >= 0 {
		t := rest[i+8:]
		if j := bytes.IndexByte(t, '"'); j >= 0 {
			ts = t[:j]
		}
	}
	return inner, ts, stream, true
}

// jsonStringEnd returns the index of the quote closing the JSON string that b starts with, or -1.
func jsonStringEnd(b []byte) int {
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// syslogSample reports whether every line of the sample has a syslog or journald prefix
// (stripSyslog) whose program is not HAProxy, whose parser reads its own prefixes.
func syslogSample(sample [][]byte) bool {
	for _, line := range sample {
		inner, _, ok := stripSyslog(line)
		if !ok || len(inner) == len(line) {
			return false
		}
		tag := line[:len(line)-len(inner)]
		if bytes.Contains(tag, []byte(" haproxy[")) || bytes.Contains(tag, []byte(" haproxy:")) {
			return false
		}
	}
	return len(sample) > 0
}
