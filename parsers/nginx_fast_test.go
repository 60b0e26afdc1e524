package parsers

import (
	"bufio"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The fast path of the nginx text matcher (matchFast) against the full matcher (match), which
// the parser ran alone before matchFast existed and still runs wherever matchFast gives up:
// a parser with its plan turned off is the oracle. Every format compiled to nginx steps (nginx,
// Apache, HAProxy log-format, Traefik CLF) and every escape mode is compared, on the lines of the
// samples and test data and on mutations of them that break lines the ways matchFast must
// notice (quotes, spaces, backslashes, list separators, digits where text was).

// nginxBenchTriageFmt is the "triage" log_format of samples/incidents/nginx.conf (and of the
// four-hop bench): quoted ids, lists and headers after the combined fields.
const nginxBenchTriageFmt = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent ` +
	`"$http_referer" "$http_user_agent" rt=$request_time rid=$request_id ` +
	`xrid=$http_x_request_id amzn="$http_x_amzn_trace_id" us="$upstream_status" ` +
	`ua="$upstream_addr" uri="$uri" allow="$sent_http_allow" origin="$http_origin" ` +
	`acrm="$http_access_control_request_method"`

// nginxFastParsers returns the parsers the comparison runs, each twice: with matchFast, and
// with it turned off.
func nginxFastParsers(tb testing.TB) (fast, slow []*NginxParser) {
	tb.Helper()
	builds := []func() (*NginxParser, error){}
	for _, f := range []string{
		NginxCombined, NginxMain, NginxUpstreamInfo, NginxUpstreamInfoOld, nginxTriageFmt, nginxXFFFmt,
		nginxBenchTriageFmt, "escape=json " + nginxBenchTriageFmt, "escape=none " + nginxBenchTriageFmt,
		"escape=json " + NginxCombined, "escape=none " + NginxCombined,
		// Shapes the stock formats lack: a digit variable before a '-' or '.' literal, adjacent
		// variables, lists followed by a space, a value ending the line, seconds before text.
		`$status-$body_bytes_sent.$request_time "$request" $upstream_addr $upstream_status $remote_addr`,
		`$remote_addr$remote_user [$time_local] "$request" $status $body_bytes_sent rt=$request_time"$http_x_forwarded_for"`,
		`$upstream_status $upstream_response_time "$request" $http_x_forwarded_for $msec`,
		`$request_time "$request" $status`,
		`$upstream_addr $remote_user`,
	} {
		builds = append(builds, func() (*NginxParser, error) { return CompileNginx(f) })
	}
	builds = append(builds,
		func() (*NginxParser, error) { return compileNginxExtended(NginxCombined) },
		func() (*NginxParser, error) { return compileNginxExtended(NginxMain) },
		func() (*NginxParser, error) { return CompileTraefikCLF(), nil },
		func() (*NginxParser, error) {
			return compileHAProxySteps(`%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %tsc %ID %hr %{+Q}r`)
		},
	)
	for _, f := range []string{ApacheCommon, ApacheCombined, ApacheDebianCombined, ApacheVhostCombined} {
		builds = append(builds, func() (*NginxParser, error) { return CompileApache(f) })
	}
	for _, b := range builds {
		p, err := b()
		if err != nil {
			tb.Fatal(err)
		}
		q, _ := b()
		q.planned, q.plan = true, nil
		fast, slow = append(fast, p), append(slow, q)
	}
	return fast, slow
}

// nginxFastSeeds returns the lines of the nginx, Apache, HAProxy and incident samples and test data.
func nginxFastSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	var names []string
	for _, g := range []string{"../samples/nginx/*.log", "../samples/incidents/edge.log", "../samples/causes/edge.log",
		"../samples/default-logs/edge.log", "../samples/proxies/*/*.log", "testdata/proxies/*.log"} {
		m, _ := filepath.Glob(g)
		names = append(names, m...)
	}
	var lines [][]byte
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		s := bufio.NewScanner(f)
		s.Buffer(nil, 1<<20)
		for n := 0; s.Scan() && n < 400; n++ {
			lines = append(lines, append([]byte(nil), s.Bytes()...))
		}
		f.Close()
	}
	for _, c := range nginxCases {
		lines = append(lines, []byte(c.line))
	}
	// Lines of the made-up formats of nginxFastParsers, with lists that a space would cut.
	for _, l := range []string{
		`200-512.0.004 "GET / HTTP/1.1" 10.0.0.1:80 : 10.0.0.2:80 502 : 200 1.2.3.4`,
		`-- "GET / HTTP/1.1" 10.0.0.1:80, 10.0.0.3:80 : 10.0.0.2:80 502, 504 : 200 1.2.3.4`,
		`502 : 504, 200 0.1, 0.2 : 0.3 "GET / HTTP/1.1" 1.1.1.1, 2.2.2.2 1700000000.123`,
		`- - "GET /a b HTTP/1.1" - 1700000000.123`,
		`0.004 "GET / HTTP/1.1" 200`,
		`10.0.0.1:80 : 10.0.0.2:80 bob`,
		`- "GET / HTTP/1.1" -`,
		`10.0.0.1- [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 3 rt=0.1"1.1.1.1, 10.0.0.2"`,
	} {
		lines = append(lines, []byte(l))
	}
	if len(lines) < 100 {
		tb.Fatalf("only %d seed lines", len(lines))
	}
	return lines
}

// nginxFastCompare parses line with both parsers and fails on any difference of error or record.
// It reports whether the fast path matched the line.
func nginxFastCompare(t testing.TB, fast, slow *NginxParser, line []byte) bool {
	var a, b Record
	a.Reset()
	b.Reset()
	errA := fast.Parse(line, &a)
	errB := slow.Parse(line, &b)
	if (errA == nil) != (errB == nil) || errA != nil && errA.Error() != errB.Error() {
		t.Fatalf("format %q, line %q:\nerror %v\nwas   %v", fast.Format, line, errA, errB)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("format %q, line %q:\nrecord %+v\nwas    %+v", fast.Format, line, a, b)
	}
	if fast.plan == nil || fast.json != nil {
		return false
	}
	// matchFast alone: when it matches, match takes the same values.
	l := line
	for len(l) > 0 && (l[len(l)-1] == '\r' || l[len(l)-1] == '\n') {
		l = l[:len(l)-1]
	}
	if !fast.matchFast(l) {
		return false
	}
	vals := append([][]byte(nil), fast.vals...)
	slow.budget, slow.fail, slow.quoteFrom = nginxBudget, nginxFail{}, -1
	if !slow.match(slow.steps, l, 0, 0) {
		t.Fatalf("format %q, line %q: matchFast matched, match did not", fast.Format, l)
	}
	for i := range slow.steps {
		s := &slow.steps[i]
		if s.isVar && string(vals[s.slot]) != string(slow.vals[s.slot]) {
			t.Fatalf("format %q, line %q: $%s = %q, match %q", fast.Format, l, s.name, vals[s.slot], slow.vals[s.slot])
		}
	}
	return true
}

// nginxMutate breaks a line in one of the ways that move a value's end.
func nginxMutate(r *rand.Rand, line []byte) []byte {
	out := append([]byte(nil), line...)
	for n := 1 + r.Intn(3); n > 0; n-- {
		ins := [...]string{`"`, ` `, `\`, ` : `, `, `, `-`, `.`, `0`, `7`, `\x22`, `" "`, `] "`, `x`, "\t", ` rid=`, `"-"`}
		i := 0
		if len(out) > 0 {
			i = r.Intn(len(out) + 1)
		}
		switch r.Intn(3) {
		case 0: // insert
			s := ins[r.Intn(len(ins))]
			out = append(out[:i:i], append([]byte(s), out[i:]...)...)
		case 1: // delete a few bytes
			j := min(len(out), i+1+r.Intn(4))
			out = append(out[:i:i], out[j:]...)
		default: // overwrite a byte
			if i < len(out) {
				out[i] = ins[r.Intn(len(ins))][0]
			}
		}
	}
	return out
}

func TestNginxFastSame(t *testing.T) {
	fast, slow := nginxFastParsers(t)
	seeds := nginxFastSeeds(t)
	r := rand.New(rand.NewSource(14))
	took := make([]int, len(fast))
	for _, line := range seeds {
		for i := range fast {
			if nginxFastCompare(t, fast[i], slow[i], line) {
				took[i]++
			}
			for k := 0; k < 8; k++ {
				nginxFastCompare(t, fast[i], slow[i], nginxMutate(r, line))
			}
		}
	}
	// The comparison means something only where the fast path was taken: the lines of the
	// incident's edge log are in the bench's triage format, the nginx samples in combined.
	for i, p := range fast {
		switch p.Format {
		case nginxBenchTriageFmt, NginxCombined, ApacheCombined:
			if took[i] < 50 {
				t.Errorf("format %q: fast path taken on %d seed lines only", p.Format, took[i])
			}
		}
	}
}

func FuzzNginxFastSame(f *testing.F) {
	for _, l := range nginxFastSeeds(f) {
		f.Add(l)
	}
	fast, slow := nginxFastParsers(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		for i := range fast {
			nginxFastCompare(t, fast[i], slow[i], line)
		}
	})
}
