package parsers

import (
	"strings"
	"testing"
	"time"
)

// IIS W3C extended logs (iis.go) on real lines: elastic/beats' test data for the Filebeat IIS
// module (filebeat/module/iis/access/test/test-iis-7.5.log and access-full.log), the directives
// included, and the WebDAV 405 of samples/causes/iis/u_ex261201.log.

// iisBeats75 is test-iis-7.5.log of elastic/beats: IIS 7.5 defaults, IPv4 and IPv6 clients.
const iisBeats75 = `#Software: Microsoft Internet Information Services 7.5
#Version: 1.0
#Date: 2018-08-28 18:24:25
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken
2019-03-06 18:43:17 10.0.140.107 GET /health-monitoring - 80 - 10.0.140.2 - 200 0 0 15
2019-03-06 18:43:17 2001:cdba:0000:0000:0000:0000:3257:9652 GET /health-monitoring - 80 - 2001:cdba:0000:0000:0000:0000:3257:9652 - 200 0 0 15`

// iisBeatsFull is access-full.log of elastic/beats: IIS 10 with every standard field.
const iisBeatsFull = `#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2018-01-01 09:10:11
#Fields: date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken
2018-01-01 09:10:11 W3SVC1 MACHINE-NAME 127.0.0.1 GET / - 80 - 127.0.0.1 HTTP/1.1 Mozilla/5.0+(Windows+NT+6.1;+Win64;+x64;+rv:57.0)+Gecko/20100101+Firefox/57.0 - - localhost 200 0 0 123 456 789`

type iisWant struct {
	Method, Path, URI, Host, ClientIP, UA, Service, Detail string
	Status                                                 int
	Duration                                               time.Duration
	Bytes                                                  int64
	Time                                                   string
}

func iisGot(r *Record) iisWant {
	return iisWant{r.Method, r.Path, r.URI, r.Host, r.ClientIP, r.UserAgent, r.Service, r.Detail, r.Status, r.Duration, r.BytesSent,
		r.Time.Format(time.RFC3339Nano)}
}

// iisParseAll parses a file's lines with one parser, in order, and returns the records and how
// many directive lines were skipped.
func iisParseAll(t *testing.T, text string) (recs []iisWant, skipped int) {
	t.Helper()
	p := NewIIS()
	for i, l := range strings.Split(text, "\n") {
		var rec Record
		rec.Reset()
		err := p.Parse([]byte(l), &rec)
		switch {
		case err == ErrNotAccess:
			skipped++
		case err != nil:
			t.Fatalf("line %d %q: %v", i+1, l, err)
		default:
			if rec.Format != FormatIIS || rec.Local != LocalYes {
				t.Fatalf("line %d: format %q local %v", i+1, rec.Format, rec.Local)
			}
			recs = append(recs, iisGot(rec.Clone())) // the strings alias the parser's buffers until the next line
		}
	}
	return recs, skipped
}

func TestIIS(t *testing.T) {
	cases := []struct {
		name, text string
		skipped    int
		want       []iisWant
	}{
		{"elastic/beats test-iis-7.5.log (IPv4, IPv6 client)", iisBeats75, 4, []iisWant{
			{Method: "GET", Path: "/health-monitoring", URI: "/health-monitoring", ClientIP: "10.0.140.2", Status: 200,
				Detail: "sc-substatus 0, sc-win32-status 0", Duration: 15 * time.Millisecond, Bytes: -1, Time: "2019-03-06T18:43:17Z"},
			{Method: "GET", Path: "/health-monitoring", URI: "/health-monitoring", ClientIP: "2001:cdba:0000:0000:0000:0000:3257:9652", Status: 200,
				Detail: "sc-substatus 0, sc-win32-status 0", Duration: 15 * time.Millisecond, Bytes: -1, Time: "2019-03-06T18:43:17Z"},
		}},
		{"elastic/beats access-full.log (every field, + for spaces in the User-Agent)", iisBeatsFull, 4, []iisWant{
			{Method: "GET", Path: "/", URI: "/", Host: "localhost", ClientIP: "127.0.0.1", Service: "W3SVC1",
				UA:     "Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:57.0) Gecko/20100101 Firefox/57.0",
				Detail: "sc-substatus 0, sc-win32-status 0", Status: 200, Duration: 789 * time.Millisecond, Bytes: 123, Time: "2018-01-01T09:10:11Z"},
		}},
		{"samples/causes/iis/u_ex261201.log (WebDAV answers PUT with 405.0, a query string)", iisWebDAV, 4, []iisWant{
			{Method: "GET", Path: "/api/items/7", URI: "/api/items/7", Host: "shop.example.com", ClientIP: "203.0.113.9", Service: "W3SVC2",
				UA: "items-sync/1.2", Detail: "sc-substatus 0, sc-win32-status 0", Status: 200, Duration: 31 * time.Millisecond, Bytes: 512, Time: "2026-12-01T08:00:01Z"},
			{Method: "PUT", Path: "/api/items/7", URI: "/api/items/7?force=1", Host: "shop.example.com", ClientIP: "203.0.113.9", Service: "W3SVC2",
				UA: "items-sync/1.2", Detail: "sc-substatus 0, sc-win32-status 0", Status: 405, Duration: 2 * time.Millisecond, Bytes: 1293, Time: "2026-12-01T08:00:02Z"},
			{Method: "DELETE", Path: "/api/items/8", URI: "/api/items/8", Host: "shop.example.com", ClientIP: "203.0.113.9", Service: "W3SVC2",
				UA: "items-sync/1.2", Detail: "sc-substatus 0, sc-win32-status 1 (ERROR_INVALID_FUNCTION)", Status: 405, Duration: 1 * time.Millisecond, Bytes: 1293, Time: "2026-12-01T08:00:03Z"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, skipped := iisParseAll(t, tc.text)
			if skipped != tc.skipped {
				t.Errorf("skipped %d directives, want %d", skipped, tc.skipped)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d records, want %d: %+v", len(got), len(tc.want), got)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("record %d:\n got %+v\nwant %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// iisWebDAV is samples/causes/iis/u_ex261201.log: IIS 10 with the WebDAV module installed in
// front of an ASP.NET application; GET reaches the application, PUT and DELETE get the WebDAV
// module's 405.
const iisWebDAV = `#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2026-12-01 08:00:00
#Fields: date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken
2026-12-01 08:00:01 W3SVC2 10.0.5.20 GET /api/items/7 - 443 - 203.0.113.9 items-sync/1.2 - shop.example.com 200 0 0 512 310 31
2026-12-01 08:00:02 W3SVC2 10.0.5.20 PUT /api/items/7 force=1 443 - 203.0.113.9 items-sync/1.2 - shop.example.com 405 0 0 1293 402 2
2026-12-01 08:00:03 W3SVC2 10.0.5.20 DELETE /api/items/8 - 443 - 203.0.113.9 items-sync/1.2 - shop.example.com 405 0 1 1293 298 1`

// TestIISDetected: detection picks the IIS parser from the directives, without flags, and
// reads the lines in order (the #Fields line applies to the lines after it).
func TestIISDetected(t *testing.T) {
	for _, text := range []string{iisBeats75, iisBeatsFull, iisWebDAV} {
		var sample [][]byte
		for _, l := range strings.Split(text, "\n") {
			sample = append(sample, []byte(l))
		}
		var c Config
		res, err := c.Resolve("u_ex261201.log", sample)
		if err != nil {
			t.Fatal(err)
		}
		if res.Format != FormatIIS || !res.Sequential {
			t.Errorf("detected %q (%s) sequential=%v, want iis, sequential", res.Format, res.Variant, res.Sequential)
		}
	}
}

// TestIISRejects: lines that do not fit the #Fields list are rejected with a reason.
func TestIISRejects(t *testing.T) {
	p := NewIIS()
	for _, l := range []string{
		"2019-03-06 18:43:17 10.0.140.107 GET /x - 80 - 10.0.140.2 - 200 0 0",      // a field missing
		"2019-03-06 18:43:17 10.0.140.107 GET /x - 80 - 10.0.140.2 - 2x0 0 0 15",   // status
		"2019-13-06 18:43:17 10.0.140.107 GET /x - 80 - 10.0.140.2 - 200 0 0 15",   // month
		`10.0.0.1 - - [01/Dec/2026:09:25:37 +0000] "GET / HTTP/1.1" 200 0 "-" "x"`, // nginx
	} {
		var rec Record
		rec.Reset()
		if err := p.Parse([]byte(l), &rec); err == nil || err == ErrNotAccess || err.Error() == "" {
			t.Errorf("%q: accepted or no reason (%v)", l, err)
		}
	}
}

func FuzzIIS(f *testing.F) {
	for _, text := range []string{iisBeats75, iisBeatsFull, iisWebDAV} {
		for _, l := range strings.Split(text, "\n") {
			f.Add([]byte(l))
		}
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		p := NewIIS()
		for _, l := range [][]byte{[]byte("#Fields: " + strings.Split(iisWebDAV, "#Fields: ")[1][:180]), line, line} {
			var rec Record
			rec.Reset()
			err := p.Parse(l, &rec)
			if err != nil {
				if err.Error() == "" {
					t.Fatal("empty reason")
				}
				continue
			}
			if rec.Time.IsZero() || rec.Status < 100 || rec.Method == "" {
				t.Fatalf("accepted record lacks time, status or method: %+v", iisGot(&rec))
			}
			if c := rec.Clone(); c.URI != rec.URI || c.UserAgent != rec.UserAgent || c.Detail != rec.Detail {
				t.Fatal("clone differs")
			}
		}
	})
}

func BenchmarkIIS(b *testing.B) {
	lines := strings.Split(iisWebDAV, "\n")[4:]
	p := NewIIS()
	var rec Record
	rec.Reset()
	if err := p.Parse([]byte(strings.Split(iisWebDAV, "\n")[3]), &rec); err != ErrNotAccess {
		b.Fatal(err)
	}
	bl := make([][]byte, len(lines))
	size := 0
	for i, l := range lines {
		bl[i] = []byte(l)
		size += len(l) + 1
	}
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec.Reset()
		if err := p.Parse(bl[i%len(bl)], &rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
