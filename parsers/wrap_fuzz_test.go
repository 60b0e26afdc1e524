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
		"\x7fELF\x02\x01\x01\x00",
		`Dec  2 00:48:02 vm nginx: 127.0.0.1 - - [02/Dec/2026:00:48:02 +0000] "POST /index.html HTTP/1.1" 405 157 "-" "curl/7.88.1"`,
		`2026-12-02T00:48:02.123456+00:00 vm nginx: 2026/12/02 00:48:02 [notice] 29566#29566: start worker processes`,
	} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, first, second string) {
		c := &Config{}
		res, err := c.Resolve("x", [][]byte{[]byte(first), []byte(second)})
		if err != nil {
			return
		}
		p := res.NewParser()
		var rec Record
		for _, l := range []string{first, second, first} {
			rec.Reset()
			if p.Parse([]byte(l), &rec) == nil && (rec.Status < 0 || rec.Status > 999) {
				t.Fatalf("status %d from %q", rec.Status, l)
			}
		}
	})
}
