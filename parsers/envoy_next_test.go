package parsers

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"testing"
)

// The Envoy matcher's search for a value's end (envoyNext, one scan for the literal and the
// bytes the value may not hold) and its first path without recursion (matchFast) against the
// matcher they replaced (bytes.Index for the literal, then envoyScan over the value), kept here
// as the oracle: matchLineOracle and matchOracle are matchLine and match as they were. Both must
// split every line the same way and fail with the same message.

// envoyBenchFormat is the access log format of samples/incidents/envoy.yaml (and of the
// four-hop bench).
const envoyBenchFormat = `[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% ` +
	`%RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "%REQ(X-FORWARDED-FOR)%" ` +
	`"%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(TRACEPARENT)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" ` +
	`%UPSTREAM_CLUSTER% "%REQ(:PATH)%" "%RESP(ALLOW)%" "%REQ(ORIGIN)%" "%REQ(ACCESS-CONTROL-REQUEST-METHOD)%"`

func (p *EnvoyParser) matchLineOracle(line []byte) error {
	p.errSet, p.errPos, p.errField = false, -1, -1
	p.curLen = len(line)
	if !bytes.HasPrefix(line, p.prefix) {
		n := 0
		for n < len(line) && n < len(p.prefix) && line[n] == p.prefix[n] {
			n++
		}
		return fmt.Errorf("expected %q at byte %d", p.prefix, n)
	}
	for _, strict := range [2]bool{true, false} {
		p.strict, p.memoOn, p.budget = strict, false, envoyMatchBudget
		if p.matchOracle(line, 0, len(p.prefix)) {
			return nil
		}
		if p.budget < 0 {
			return fmt.Errorf("line too ambiguous for the format: gave up after %d splits", envoyMatchBudget)
		}
	}
	if p.errField < 0 {
		return errors.New("line does not match the format")
	}
	f := &p.fields[p.errField]
	if len(f.after) == 0 {
		return fmt.Errorf("unexpected text after %s at byte %d", f.text, p.errPos)
	}
	return fmt.Errorf("expected %q after %s at byte %d", f.after, f.text, p.errPos)
}

func (p *EnvoyParser) matchOracle(line []byte, i, pos int) bool {
	if i == len(p.fields) {
		return true
	}
	if p.budget--; p.budget < 0 {
		return false
	}
	if p.memoOn && p.memoHas(i, pos) {
		return false
	}
	f := &p.fields[i]
	last := i == len(p.fields)-1
	if len(f.after) == 0 {
		end := pos
		if last {
			end = len(line)
			if bad := envoyScan(f.deny, line, pos, end); bad >= 0 {
				p.fail(i, bad)
				if p.strict {
					return p.memoFail(i, pos)
				}
				end = bad
			}
		}
		p.spans[i] = envoySpan{pos, end}
		if p.matchOracle(line, i+1, end) {
			return true
		}
		return p.memoFail(i, pos)
	}
	if last && p.strict {
		end := len(line) - len(f.after)
		if end < pos || !bytes.Equal(line[end:], f.after) {
			p.fail(i, len(line))
			return p.memoFail(i, pos)
		}
		if bad := envoyScan(f.deny, line, pos, end); bad >= 0 {
			p.fail(i, bad)
			return p.memoFail(i, pos)
		}
		p.spans[i] = envoySpan{pos, end}
		return true
	}
	checked, from := pos, pos
	for {
		k := bytes.Index(line[from:], f.after)
		if k < 0 {
			bad := envoyScan(f.deny, line, checked, len(line))
			if bad < 0 {
				bad = len(line)
			}
			p.fail(i, bad)
			break
		}
		end := from + k
		if bad := envoyScan(f.deny, line, checked, end); bad >= 0 {
			p.fail(i, bad)
			break
		}
		checked = end
		p.spans[i] = envoySpan{pos, end}
		if p.matchOracle(line, i+1, end+len(f.after)) {
			return true
		}
		if p.budget < 0 {
			return false
		}
		from = end + 1
	}
	return p.memoFail(i, pos)
}

func envoyNextParsers(tb testing.TB) []*EnvoyParser {
	var ps []*EnvoyParser
	for _, f := range []string{EnvoyDefaultFormat, EnvoyIstioFormat, EnvoyIstio13Format, EnvoyEmissaryFormat,
		envoyCustomFormat, envoyBenchFormat,
		// A literal starting with a byte the value may hold, numbers before '-' and '.', free text
		// before a space.
		`%REQ(X-REQUEST-ID)%"x %RESPONSE_CODE%-%DURATION%.%BYTES_SENT% %REQ(USER-AGENT)% %UPSTREAM_HOST%`,
		`%REQ(X-FORWARDED-FOR)% %RESP(ALLOW)%, %PROTOCOL%`,
	} {
		ps = append(ps, mustEnvoy(tb, f))
	}
	return ps
}

func envoyNextSeeds(tb testing.TB) [][]byte {
	lines := envoySeedLines(tb)
	f, err := os.Open("../samples/incidents/ingress.log")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for n := 0; s.Scan() && n < 400; n++ {
		lines = append(lines, append([]byte(nil), s.Bytes()...))
	}
	return append(lines, []byte(`abc"x 200-12.345 Mozilla/5.0 (X11) 10.0.0.1:80`),
		[]byte(`1.2.3.4, 5.6.7.8 GET, HEAD, HTTP/1.1`), []byte(`a b"x 200-1.2 ua ua ua h`))
}

func envoyNextCompare(t testing.TB, p *EnvoyParser, line []byte) bool {
	errNew := p.matchLine(line)
	spans := append([]envoySpan(nil), p.spans...)
	errPos, errField := p.errPos, p.errField
	errOld := p.matchLineOracle(line)
	if (errNew == nil) != (errOld == nil) || errNew != nil && errNew.Error() != errOld.Error() {
		t.Fatalf("format %v, line %q:\nerror %v\nwas   %v", p.fields[0].text, line, errNew, errOld)
	}
	if errNew == nil && fmt.Sprint(spans) != fmt.Sprint(p.spans) {
		t.Fatalf("format %v, line %q:\nspans %v\nwas   %v", p.fields[0].text, line, spans, p.spans)
	}
	if errPos != p.errPos || errField != p.errField {
		t.Fatalf("format %v, line %q: failure at field %d byte %d, was %d %d", p.fields[0].text, line, errField, errPos, p.errField, p.errPos)
	}
	return errNew == nil
}

func TestEnvoyNextSame(t *testing.T) {
	ps := envoyNextParsers(t)
	r := rand.New(rand.NewSource(14))
	matched, fast := make([]int, len(ps)), make([]int, len(ps))
	for _, line := range envoyNextSeeds(t) {
		for i, p := range ps {
			if envoyNextCompare(t, p, line) {
				matched[i]++
			}
			if bytes.HasPrefix(line, p.prefix) && p.matchFast(line) {
				fast[i]++
			}
			for k := 0; k < 8; k++ {
				envoyNextCompare(t, p, nginxMutate(r, line))
			}
		}
	}
	// The incident's ingress log is in the bench's format: the comparison covered matches.
	if matched[5] < 300 || fast[5] < 300 {
		t.Errorf("bench format matched %d seed lines, %d of them by matchFast", matched[5], fast[5])
	}
}

func FuzzEnvoyNextSame(f *testing.F) {
	for _, l := range envoyNextSeeds(f) {
		f.Add(l)
	}
	ps := envoyNextParsers(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, p := range ps {
			envoyNextCompare(t, p, line)
		}
	})
}
