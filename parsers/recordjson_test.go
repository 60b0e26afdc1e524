package parsers

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// jsonTrickyStrings are values that take every path of the string encoder: each kind of escape,
// invalid UTF-8 of every shape, multi-byte characters, and special bytes at every offset of an
// eight-byte word and of the tail that is read again.
func jsonTrickyStrings() []string {
	s := []string{
		"", "a", "GET", "HTTP/1.1", "combined.log", "nginx",
		`"`, `\`, `a"b\c`, "\x00", "\x1f", "\x7f", "\n\r\t\b\f\v", "tab\there", "\u2028\u2029",
		"\xff", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5", "\xe2\x82", "abc\xe2\x82",
		"\x80abcdefgh", "abcdefgh\x80", "\xef\xbf\xbd", "é", "日本語のパス", "🙂 emoji 🙂", "Ω\x00Ω",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
		"/api/orders/1048213?q=%22x%22&y=\"z\"", `{"json":"in a \"value\""}`, strings.Repeat("x", 4096),
	}
	for n := 0; n <= 24; n++ {
		for at := 0; at < n; at++ {
			for _, c := range []string{`"`, `\`, "\x01", "\x7f", "\xff", "é", "\xe2\x82\xac"} {
				b := []byte(strings.Repeat("abcdefghij", 3)[:n])
				s = append(s, string(b[:at])+c+string(b[at+1:]))
			}
		}
	}
	return s
}

// jsonTrickyRecords sets every Record field, to plain and to tricky values.
func jsonTrickyRecords() []*Record {
	t0 := time.Date(2026, 11, 24, 10, 0, 1, 123456789, time.UTC)
	var recs []*Record
	for i, s := range jsonTrickyStrings() {
		r := &Record{Layer: s, Format: FormatNginx, File: s, Line: int64(i), Time: t0, Method: s,
			Host: s, URI: s, Path: s, RoutedPath: s, Proto: s, Status: 405, UpstreamAddr: s,
			Service: s, Local: Local(i % 3), Allow: s, Origin: s, ACRMethod: s, ClientIP: s,
			Peer: "10.0.0.1", ForwardedFor: s, UserAgent: s, Duration: time.Duration(i) * 1234567,
			BytesSent: 157, Detail: s, Framework: s, ErrorLine: i%2 == 0,
			IDs: IDs{RequestID: s, NginxRequestID: s, TraceID: s, AmznRoot: s, B3TraceID: s}}
		if i%4 == 0 {
			r.Peer = s
		}
		r.AppendUpstream(405)
		r.AppendUpstream(-1)
		recs = append(recs, r)
		// The same value in one field at a time, the others unknown.
		for f := range (&Record{}).stringFields() {
			one := &Record{Duration: -1, BytesSent: -1}
			*one.stringFields()[f] = s
			recs = append(recs, one)
		}
	}
	zero := &Record{Duration: -1, BytesSent: -1}
	recs = append(recs, zero, &Record{})
	for _, tm := range []time.Time{
		t0, t0.Truncate(time.Second), t0.Truncate(time.Millisecond), t0.Add(-123456780),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 100000000, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 12, 0, 0, 0, time.FixedZone("", 5*3600+1800)), time.Unix(0, 1),
		time.Date(2026, 11, 24, 10, 0, 0, 0, time.FixedZone("PST", -8*3600)),
	} {
		recs = append(recs, &Record{Time: tm, Start: tm.Add(-time.Millisecond), Duration: -1})
	}
	for _, d := range []time.Duration{0, 1, 999, 1000, 999999, time.Millisecond, 1500 * time.Microsecond,
		123456789, time.Hour, 999999999999999, 1e15, 1e15 + 1, 123456789123456789, math.MaxInt64} {
		recs = append(recs, &Record{Duration: d})
	}
	recs = append(recs, &Record{Status: 0, Line: -3}, &Record{Status: 99}, &Record{Status: 1000},
		&Record{Status: -405}, &Record{Status: math.MaxInt32, Line: math.MaxInt64},
		&Record{Upstream: []int{}}, &Record{Upstream: []int{-1, 0, 7, 99, 100, 999, 1000, 123456}})
	return recs
}

// TestAppendJSONSame: the encoder writes exactly the bytes of the encoder it replaced
// (legacyAppendJSON), for records that set every field to plain and tricky values, appended
// after existing bytes and into slices with and without room.
func TestAppendJSONSame(t *testing.T) {
	for _, r := range jsonTrickyRecords() {
		want := legacyAppendJSON(r, []byte("prefix"))
		for _, dst := range [][]byte{[]byte("prefix"), append(make([]byte, 0, 1<<16), "prefix"...),
			append(make([]byte, 0, 7), "prefix"...)} {
			if got := r.AppendJSON(dst); !bytes.Equal(got, want) {
				t.Fatalf("record %+v\n got %q\nwant %q", r, got, want)
			}
		}
		if !json.Valid(want[len("prefix"):]) {
			t.Fatalf("invalid JSON %q", want)
		}
	}
}

// TestAppendJSONDecodes: what encoding/json reads back from the output is the record: every key,
// and strings with each byte of invalid UTF-8 as U+FFFD.
func TestAppendJSONDecodes(t *testing.T) {
	tm := time.Date(2026, 11, 24, 10, 0, 1, 5000, time.FixedZone("", 3600))
	r := &Record{Layer: "edge", Format: FormatNginx, File: "a \"b\".log", Line: 12, Time: tm,
		Start: tm.Add(-1500 * time.Microsecond), Method: "GET", Host: "h\x00", URI: "/é?\xff", Path: "/é",
		RoutedPath: "/r", Proto: "HTTP/1.1", Status: 405, Upstream: []int{502, -1, 405},
		UpstreamAddr: "10.0.0.1:80", Service: "svc", Local: LocalNo, Allow: "GET, HEAD",
		Origin: "https://x", ACRMethod: "PUT", ClientIP: "1.2.3.4", Peer: "10.0.0.9",
		ForwardedFor: "1.2.3.4", UserAgent: "ua\t\"q\"", Duration: 1500 * time.Microsecond,
		Detail: "d\\", Framework: "gin", ErrorLine: true,
		IDs: IDs{RequestID: "r", NginxRequestID: "n", TraceID: "t", AmznRoot: "a", B3TraceID: "b"}}
	var got map[string]any
	if err := json.Unmarshal(r.AppendJSON(nil), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"source": `a "b".log:12`, "layer": "edge", "format": "nginx",
		"framework": "gin", "error_line": true, "time": "2026-11-24T09:00:01.000005Z",
		"start": "2026-11-24T09:00:00.998505Z", "method": "GET", "host": "h\x00", "uri": "/é?\ufffd",
		"path": "/é", "routed_path": "/r", "protocol": "HTTP/1.1", "status": 405.0,
		"upstream_status": []any{502.0, nil, 405.0}, "upstream_addr": "10.0.0.1:80", "service": "svc",
		"local": false, "allow": "GET, HEAD", "origin": "https://x", "acr_method": "PUT",
		"client_ip": "1.2.3.4", "peer": "10.0.0.9", "forwarded_for": "1.2.3.4", "user_agent": "ua\t\"q\"",
		"duration_ms": 1.5, "detail": "d\\",
		"ids": map[string]any{"request_id": "r", "nginx_request_id": "n", "trace_id": "t",
			"amzn_trace_root": "a", "b3_trace_id": "b"}}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("decoded\n got %s\nwant %s", g, w)
	}
}

// validOrFFFD is s with each byte that is not part of valid UTF-8 replaced by U+FFFD.
func validOrFFFD(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\ufffd")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// FuzzAppendJSON: for any strings, numbers and times the encoder writes the bytes of the encoder
// it replaced, valid JSON, whose strings encoding/json reads back as the values (invalid UTF-8
// as U+FFFD).
func FuzzAppendJSON(f *testing.F) {
	for i, s := range jsonTrickyStrings() {
		if i%7 == 0 {
			f.Add(s, "GET", s, int64(i), 405, int64(i)*1234567, int64(1795000000+i), int64(i*1000))
		}
	}
	f.Add("\xed\xa0\x80", "\x7f", "\"\\", int64(-1), -1, int64(-1), int64(-62135596800), int64(0))
	f.Fuzz(func(t *testing.T, a, b, c string, line int64, status int, dur, sec, nsec int64) {
		r := &Record{File: a, Line: line, Layer: b, Method: b, URI: a, Path: c, UserAgent: c + a,
			Status: status, Duration: time.Duration(dur), Time: time.Unix(sec, nsec),
			Peer: b, ClientIP: c, IDs: IDs{TraceID: c, B3TraceID: a}}
		r.AppendUpstream(status)
		got := r.AppendJSON([]byte("x"))
		if want := legacyAppendJSON(r, []byte("x")); !bytes.Equal(got, want) {
			t.Fatalf("\n got %q\nwant %q", got, want)
		}
		var m struct {
			Layer, Method, URI, Path string
			UserAgent                string `json:"user_agent"`
			IDs                      struct {
				TraceID   string `json:"trace_id"`
				B3TraceID string `json:"b3_trace_id"`
			} `json:"ids"`
		}
		if err := json.Unmarshal(got[1:], &m); err != nil {
			t.Fatalf("%v: %q", err, got)
		}
		if m.Layer != validOrFFFD(b) || m.Method != validOrFFFD(b) || m.URI != validOrFFFD(a) ||
			m.Path != validOrFFFD(c) || m.UserAgent != validOrFFFD(c+a) || m.IDs.TraceID != validOrFFFD(c) ||
			m.IDs.B3TraceID != validOrFFFD(a) {
			t.Fatalf("read back %+v from %q", m, got)
		}
	})
}

// benchParseLines is the nginx combined sample, the lines `logtriage parse` reads.
func benchParseLines(b *testing.B) (*NginxParser, [][]byte, int) {
	p, err := CompileNginx(NginxCombined)
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("..", "samples", "nginx", "combined.log"))
	if err != nil {
		b.Fatal(err)
	}
	var lines [][]byte
	size := 0
	for _, l := range bytes.Split(data, []byte{'\n'}) {
		if len(bytes.TrimSpace(l)) > 0 {
			lines = append(lines, l)
			size += len(l) + 1
		}
	}
	return p, lines, size
}

// BenchmarkParseAppendJSON is `logtriage parse` of every record on one core: each line of the
// nginx combined sample parsed and written as JSON. MB/s counts the lines read.
func BenchmarkParseAppendJSON(b *testing.B) {
	p, lines, size := benchParseLines(b)
	var rec Record
	out := make([]byte, 0, 1<<20)
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec.Reset()
		if err := p.Parse(lines[i%len(lines)], &rec); err != nil {
			b.Fatal(err)
		}
		rec.File, rec.Line, rec.Layer = "combined.log", int64(i), "edge"
		if out = append(rec.AppendJSON(out), '\n'); len(out) > 512<<10 {
			out = out[:0]
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkAppendJSON is the encoder alone, on the records of the nginx combined sample. MB/s
// counts the JSON written.
func BenchmarkAppendJSON(b *testing.B) {
	p, lines, _ := benchParseLines(b)
	var recs []*Record
	size := 0
	for i, l := range lines {
		var rec Record
		rec.Reset()
		if err := p.Parse(l, &rec); err != nil {
			b.Fatal(err)
		}
		rec.File, rec.Line, rec.Layer = "combined.log", int64(i+1), "edge"
		recs = append(recs, rec.Clone())
		size += len(rec.AppendJSON(nil)) + 1
	}
	out := make([]byte, 0, 1<<20)
	b.SetBytes(int64(size / len(recs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out = append(recs[i%len(recs)].AppendJSON(out), '\n'); len(out) > 512<<10 {
			out = out[:0]
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkAppendJSONLegacy is BenchmarkAppendJSON with the encoder AppendJSON replaced, for
// comparison.
func BenchmarkAppendJSONLegacy(b *testing.B) {
	p, lines, _ := benchParseLines(b)
	var recs []*Record
	for i, l := range lines {
		var rec Record
		rec.Reset()
		if err := p.Parse(l, &rec); err != nil {
			b.Fatal(err)
		}
		rec.File, rec.Line, rec.Layer = "combined.log", int64(i+1), "edge"
		recs = append(recs, rec.Clone())
	}
	out := make([]byte, 0, 1<<20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out = append(legacyAppendJSON(recs[i%len(recs)], out), '\n'); len(out) > 512<<10 {
			out = out[:0]
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
