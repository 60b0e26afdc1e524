package parsers

import (
	"bytes"
	"os"
	"testing"
	"unicode/utf8"
)

// FuzzApp feeds the app parser arbitrary lines, seeded with testdata/app/seeds.txt (the example
// lines of docs/formats.md §4.6 and the constructed lines of app_test.go). A line is rejected with a
// reason or yields a local record with an HTTP field, which Clone can copy.
func FuzzApp(f *testing.F) {
	data, err := os.ReadFile("testdata/app/seeds.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range bytes.Split(data, []byte("\n")) {
		f.Add(l)
	}
	p, err := NewApp(map[string]string{"service": "svc.name"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var rec Record
		rec.Reset()
		err := p.Parse(line, &rec)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty reason")
			}
			return
		}
		if rec.Local != LocalYes || rec.Method == "" && rec.URI == "" && rec.Status == 0 {
			t.Fatalf("accepted record without HTTP fields: %+v", appGot(&rec))
		}
		if rec.Status != 0 && (rec.Status < 100 || rec.Status > 999) {
			t.Fatalf("status %d", rec.Status)
		}
		if utf8.Valid(line) && !utf8.ValidString(rec.Method+rec.Path+rec.Detail) {
			t.Fatalf("invalid UTF-8 from valid input: %+v", appGot(&rec))
		}
		c := rec.Clone()
		if c.Path != rec.Path || c.Detail != rec.Detail || c.IDs != rec.IDs {
			t.Fatal("clone differs")
		}
	})
}
