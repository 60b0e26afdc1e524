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
	errPartialTooLong = errors.New("CRI partial lines (P) add up to more than 4 MiB")
	errNotCRI         = errors.New("not a CRI line (<time> <stream> <F|P> <log>)")
	errNotDocker      = errors.New(`not a Docker json-file line ({"log":…})`)
	errNotSyslog      = errors.New("no syslog prefix (time host tag: …) like the input's first lines")
)

// unwrapCRI returns the log text of a CRI line, its time, and whether it is a partial line (P)
// that the next lines continue.
func unwrapCRI(line []byte) ([]byte, []byte, bool, error) {
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 < 0 {
		return nil, nil, false, errNotCRI
	}
	if _, ok := parseISOTime(line[:sp1]); !ok {
		return nil, nil, false, errNotCRI
	}
	rest := line[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 < 0 || (string(rest[:sp2]) != "stdout" && string(rest[:sp2]) != "stderr") {
		return nil, nil, false, errNotCRI
	}
	rest = rest[sp2+1:]
	if len(rest) < 2 || rest[1] != ' ' {
		return nil, nil, false, errNotCRI
	}
	switch rest[0] {
	case 'F':
		return rest[2:], line[:sp1], false, nil
	case 'P':
		return rest[2:], line[:sp1], true, nil
	}
	return nil, nil, false, errNotCRI
}

// unwrapper strips a container wrapper and hands the inner line to the format's parser.
type unwrapper struct {
	kind    wrapKind
	inner   Parser
	buf     []byte
	partial []byte // CRI: the P lines read so far of a record the next F line ends
	max     int    // longest record joined from P lines
}

func (u *unwrapper) Parse(line []byte, rec *Record) error {
	switch u.kind {
	case wrapCRI:
		inner, ts, partial, err := unwrapCRI(line)
		if err != nil {
			u.partial = u.partial[:0]
			return err
		}
		if partial || len(u.partial) > 0 {
			// The runtime split a long line (16 KiB on containerd): P chunks until an F.
			u.partial = append(u.partial, inner...)
			if len(u.partial) > u.max {
				u.partial = u.partial[:0]
				return errPartialTooLong
			}
			if partial {
				return ErrContinued
			}
			inner = u.partial
			u.partial = u.partial[:0]
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
		inner, ts, ok := dockerLog(line)
		if !ok {
			return errNotDocker
		}
		u.buf = bytes.TrimRight(jsonUnescape(u.buf[:0], inner), "\r\n")
		if isBlank(u.buf) {
			return ErrBlank
		}
		return u.parse(u.buf, ts, rec)
	}
	return u.inner.Parse(line, rec)
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

// unwrapSample returns the inner lines of a wrapped sample.
func unwrapSample(kind wrapKind, sample [][]byte) [][]byte {
	out := make([][]byte, 0, len(sample))
	var partial []byte
	for _, line := range sample {
		switch kind {
		case wrapCRI:
			inner, _, more, err := unwrapCRI(line)
			switch {
			case err != nil:
				partial = partial[:0]
			case more:
				partial = append(partial, inner...)
			case len(partial) > 0:
				out = append(out, append(partial, inner...))
				partial = nil
			default:
				out = append(out, inner)
			}
		case wrapSyslog:
			if inner, _, ok := stripSyslog(line); ok {
				out = append(out, inner)
			}
		case wrapDocker:
			if inner, _, ok := dockerLog(line); ok {
				if b := bytes.TrimRight(jsonUnescape(nil, inner), "\r\n"); !isBlank(b) {
					out = append(out, b)
				}
			}
		}
	}
	return out
}

// dockerLog returns the still escaped "log" string of a Docker json-file line and the wrapper's
// time, without parsing the whole object: Docker writes "log" first and "time" last.
func dockerLog(line []byte) (inner, ts []byte, ok bool) {
	rest, found := bytes.CutPrefix(line, []byte(`{"log":`))
	if !found {
		return nil, nil, false
	}
	rest = bytes.TrimLeft(rest, " ")
	if len(rest) == 0 || rest[0] != '"' {
		return nil, nil, false
	}
	end := jsonStringEnd(rest)
	if end < 0 || !bytes.Contains(rest[end:], []byte(`"stream"`)) {
		return nil, nil, false
	}
	inner = rest[1:end]
	if i := bytes.Index(rest[end:], []byte(`"time":"`)); i >= 0 {
		t := rest[end+i+8:]
		if j := bytes.IndexByte(t, '"'); j >= 0 {
			ts = t[:j]
		}
	}
	return inner, ts, true
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
