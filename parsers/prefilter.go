package parsers

import (
	"bytes"
	"strconv"
)

// Prefilter is a test on a line's bytes that every line whose record passes a Filter's status
// list also passes: the reader parses only the lines it lets through, and counts the others as
// Stats.Filtered. It may let through lines that do not match (the full Filter decides); it never
// drops one that does.
//
// The condition: a parser that reads each status (and upstream status) from the decimal digits
// of the line (parseInt, nginxStatuses, haproxySigned, appStatusValue) gives status 405 only
// to a line holding "405" with no digit after it and nothing but zeros between it and the digit
// before it ("0405" parses as 405). An escape that can spell a digit (JSON \u0034, nginx \x34) may
// hide the digits, so a line holding one is always parsed.
type Prefilter struct {
	needles [][]byte // the decimal digits of each status
	next    []int    // per needle, its next occurrence in the block being searched (scratch)
}

// Prefilter returns the byte test for f's statuses, or nil when every line of an input read by
// res must be parsed: no status filter, a status outside 100–999 (0 selects lines without one),
// a parser that joins lines (a skipped line could change the next record), or a parser not known
// to read statuses from their digits (Caddy and Traefik JSON read numbers as floats, 4.05e2; the
// framework parser turns "Method Not Allowed" into a 405).
func (f *Filter) Prefilter(res *Resolved) *Prefilter {
	if len(f.Statuses) == 0 || res == nil || res.Sequential || res.NewParser == nil || !digitStatuses(res.NewParser()) {
		return nil
	}
	p := &Prefilter{}
	for _, s := range f.Statuses {
		if s < 100 || s > 999 {
			return nil
		}
		p.needles = append(p.needles, strconv.AppendInt(nil, int64(s), 10))
	}
	p.next = make([]int, len(p.needles)+1)
	return p
}

// digitStatuses reports whether p reads every status of a record from the decimal digits of the
// line (see Prefilter).
func digitStatuses(p Parser) bool {
	switch p := p.(type) {
	case *clientParser:
		return digitStatuses(p.inner)
	case *unwrapper:
		return p.kind == wrapSyslog && digitStatuses(p.inner) // not the pieces Docker and CRI join
	case *NginxParser, *EnvoyParser, *ALBParser, *HAProxyParser, *AppParser:
		return true
	}
	return false
}

// Match reports whether line may hold a record the statuses select.
func (p *Prefilter) Match(line []byte) bool {
	if digitEscape(line) {
		return true
	}
	for _, n := range p.needles {
		if statusToken(line, n) {
			return true
		}
	}
	return false
}

// statusToken reports whether line holds the digits d as a number of their own, leading zeros
// allowed.
func statusToken(line, d []byte) bool {
	for off := 0; ; {
		i := bytes.Index(line[off:], d)
		if i < 0 {
			return false
		}
		i += off
		off = i + 1
		if e := i + len(d); e < len(line) && isDigit(line[e]) {
			continue
		}
		j := i - 1
		for j >= 0 && line[j] == '0' {
			j--
		}
		if j < 0 || !isDigit(line[j]) {
			return true
		}
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digitEscape reports whether line holds a backslash escape other than the JSON ones that
// stand for a non-digit (\" \\ \/ \b \f \n \r \t).
func digitEscape(line []byte) bool {
	for {
		i := bytes.IndexByte(line, '\\')
		if i < 0 || i+1 >= len(line) {
			return i >= 0
		}
		switch line[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			line = line[i+2:]
		default:
			return true
		}
	}
}

// nextHit returns the offset in block, at or after from, of the first byte that may put a line
// through Match: an occurrence of a needle or a backslash; -1 when there is none. Each needle's
// next occurrence is kept in p.next, so a block is searched once per needle; resetHits starts
// a new block.
func (p *Prefilter) nextHit(block []byte, from int) int {
	best := -1
	for k := range p.next {
		n := p.next[k]
		if n != -1 && n < from {
			var i int
			if k < len(p.needles) {
				i = bytes.Index(block[from:], p.needles[k])
			} else {
				i = bytes.IndexByte(block[from:], '\\')
			}
			n = -1
			if i >= 0 {
				n = from + i
			}
			p.next[k] = n
		}
		if n != -1 && (best == -1 || n < best) {
			best = n
		}
	}
	return best
}

// resetHits forgets the positions nextHit cached for the previous block.
func (p *Prefilter) resetHits() {
	for k := range p.next {
		p.next[k] = -2 // below any offset: searched on first use
	}
}

// clone returns a Prefilter with its own scratch space, for another worker.
func (p *Prefilter) clone() *Prefilter {
	if p == nil {
		return nil
	}
	return &Prefilter{needles: p.needles, next: make([]int, len(p.next))}
}
