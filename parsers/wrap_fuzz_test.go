package parsers

import "testing"

// FuzzResolveAndUnwrap feeds arbitrary lines to detection and to the parser it picks, wrapped or
// not: no panic, and a parsed record has a sane status.
func FuzzResolveAndUnwrap(f *testing.F) {
	for _, s := range []string{
		`{"log":"172.17.0.1 - - [07/Jul/2021:20:28:01 +0000] \"POST / HTTP/1.1\" 405 157 \"-\" \"hey/0.0.1\"\n","stream":"stdout","time":"2021-07-07T20:28:01.5Z"}`,
		`2019-02-12T18:37:42.921123456Z stdout F [2019-02-12T18:37:42.921Z] "GET /httpbin/ip HTTP/1.1" 200 - 0 43 217 216 "172.17.0.5" "curl/7.59.0" "c62ec130-6dee-4f3b-a52b-4f0d1312d89d" "httpbin.org" "52.87.35.92:80"`,
		`2019-02-12T18:37:43Z stdout P [2019-02-12T18:37:43.000Z] "GET /partial`,
		`2026-11-24T10:00:01.5Z stdout F method=POST path=/api/orders status=405`,
		`2026-11-24T10:00:01.5Z stderr P method=POST path=/api/or`,
		`2026-11-24T10:00:01.6Z stderr F ders status=405`,
		`{"log":"{\"method\":\"POST\",\"pa","stream":"stdout","time":"2026-11-24T10:00:02.25Z"}`,
		`{"log":"th\":\"/api/orders\",\"status\":405}\n","stream":"stdout","time":"2026-11-24T10:00:02.26Z"}`,
		`{"log":"level=warn msg=\"slow\"\n","stream":"stderr","time":"2026-11-24T10:00:02.27Z"}`,
		"\x7fELF\x02\x01\x01\x00",
		`Dec  2 00:48:02 vm nginx: 127.0.0.1 - - [02/Dec/2026:00:48:02 +0000] "POST /index.html HTTP/1.1" 405 157 "-" "curl/7.88.1"`,
		`2026-12-02T00:48:02.123456+00:00 vm nginx: 2026/12/02 00:48:02 [notice] 29566#29566: start worker processes`,
	} {
		f.Add(s, s)
	}
	// A long line's pieces, of one stream and of two.
	f.Add(`2026-11-24T10:00:01.5Z stderr P method=POST path=/api/or`, `2026-11-24T10:00:01.6Z stderr F ders status=405`)
	f.Add(`2026-11-24T10:00:01.5Z stdout P method=POST path=/api/or`, `2026-11-24T10:00:01.6Z stderr F ders status=405`)
	f.Add(`{"log":"{\"method\":\"POST\",\"pa","stream":"stdout","time":"2026-11-24T10:00:02.25Z"}`,
		`{"log":"th\":\"/api/orders\",\"status\":405}\n","stream":"stdout","time":"2026-11-24T10:00:02.26Z"}`)
	f.Fuzz(func(t *testing.T, first, second string) {
		c := &Config{}
		res, err := c.Resolve("x", [][]byte{[]byte(first), []byte(second)})
		if err != nil {
			return
		}
		p := res.NewParser()
		var rec Record
		for i, l := range []string{first, second, first} {
			rec.Reset()
			err := p.Parse([]byte(l), &rec)
			if err == nil && (rec.Status < 0 || rec.Status > 999) {
				t.Fatalf("status %d from %q", rec.Status, l)
			}
			if err == ErrContinued {
				heldLine(p, int64(i+1))
			}
		}
		// At the end of the input, the pieces still held: each once, then none.
		for n := 0; ; n++ {
			rec.Reset()
			first, line, err, ok := flushHeld(p, &rec)
			if !ok {
				break
			}
			if n == 2 || first < 1 || line < first || line > 3 {
				t.Fatalf("flush %d: lines %d-%d", n, first, line)
			}
			if err == nil && (rec.Status < 0 || rec.Status > 999) {
				t.Fatalf("status %d from the pieces held", rec.Status)
			}
		}
	})
}
