package parsers

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestNginxMemoSameRecords: a parser that has read other lines before (its remembered quote
// position and $time_local) makes of every line the record, or the error, that a fresh parser
// makes: the nginx test cases and samples, each format, lines in order, repeated and with the
// time changed back and forth.
func TestNginxMemoSameRecords(t *testing.T) {
	var lines []string
	for _, tc := range nginxCases {
		lines = append(lines, tc.line)
	}
	files, _ := filepath.Glob(filepath.Join("..", "samples", "nginx", "*.log"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(string(data), "\n")...)
	}
	const a, b = "[24/Nov/2026:10:00:01 +0000]", "[24/Nov/2026:10:00:02 +0100]"
	for _, l := range append([]string(nil), lines...) {
		if strings.Contains(l, a) {
			lines = append(lines, strings.Replace(l, a, b, 1), l, strings.Replace(l, a, "[24/Nov/2026:10:00:0x +0000]", 1), l)
		}
	}
	// Quotes, spaces and brackets inserted anywhere, so that lines fail at every step and the
	// quote a variable's value stops at moves.
	rng := rand.New(rand.NewPCG(1, 2))
	for _, l := range append([]string(nil), lines...) {
		for k := 0; k < 6 && len(l) > 0; k++ {
			i := rng.IntN(len(l))
			lines = append(lines, l[:i]+string(`" []`[rng.IntN(4)])+l[i:])
		}
	}
	lines = append(lines, lines...)
	rng.Shuffle(len(lines)/2, func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	for _, format := range append(nginxFuzzFormats, NginxCombined) {
		warm, err := CompileNginx(format)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range lines {
			cold, _ := CompileNginx(format)
			var got, want Record
			got.Reset()
			want.Reset()
			gerr, werr := warm.Parse([]byte(l), &got), cold.Parse([]byte(l), &want)
			if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
				t.Fatalf("%q line %d %q: error %v, fresh parser %v", format, i, l, gerr, werr)
			}
			if gerr == nil && !reflect.DeepEqual(got.Clone(), want.Clone()) {
				t.Fatalf("%q line %d %q:\n got %s\nwant %s", format, i, l, got.AppendJSON(nil), want.AppendJSON(nil))
			}
		}
	}
}
