package limits

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// An endless stream (/dev/zero, a pipe that never closes) ends in an error at the bound.
func TestReadAllEndless(t *testing.T) {
	_, err := ReadAll(zeros{}, 1<<20, "/dev/zero")
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "/dev/zero is larger than 1 MiB") {
		t.Fatalf("err = %v", err)
	}
	data, err := ReadAll(strings.NewReader("abc"), 3, "small")
	if err != nil || string(data) != "abc" {
		t.Fatalf("at the bound: %q, %v", data, err)
	}
}

// Bomb returns the classic "billion laughs" document: levels of aliases, each repeating the
// previous level n times.
func Bomb(levels, n int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [\"lol\"]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := 0; j < n; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestYAMLAliasBomb(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(Bomb(9, 9)), &doc); err != nil {
		t.Fatal(err)
	}
	if err := YAML(&doc, YAMLNodes); !errors.Is(err, ErrAliases) {
		t.Fatalf("a 9×9 alias bomb: err = %v", err)
	}
	// Ordinary anchors pass.
	if _, err := UnmarshalYAML([]byte(Bomb(3, 3))); err != nil {
		t.Fatalf("a few aliases: %v", err)
	}
	// An alias cycle (yaml.v3 builds one for an anchor inside its own value) is refused too.
	var cyc yaml.Node
	if yaml.Unmarshal([]byte("a: &x {b: *x}\n"), &cyc) == nil {
		if err := YAML(&cyc, YAMLNodes); err == nil {
			t.Errorf("an alias cycle passed")
		}
	}
}

var _ io.Reader = zeros{}

// A large document without aliases (a 100k-path OpenAPI spec) is not an alias bomb: the bound
// is on what aliases add, not on the document's own nodes.
func TestYAMLLargePlainDocument(t *testing.T) {
	var b strings.Builder
	b.WriteString("paths:\n")
	for i := 0; i < 2000; i++ { // about 20,000 nodes
		fmt.Fprintf(&b, "  /r%d: {get: {responses: {'200': {description: ok}}}}\n", i)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	if err := YAML(&doc, 1000); err != nil {
		t.Fatalf("a plain document of %d bytes, bound 1000: %v", b.Len(), err)
	}
}

// CheckYAML refuses an alias bomb, YAML or in flow style, and passes documents without
// aliases (whose anchors, if any, are never expanded) after the byte scan alone.
func TestCheckYAML(t *testing.T) {
	for name, doc := range map[string]string{
		"block":      Bomb(9, 9),
		"flow":       "{a0: &a0 [lol], a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0], a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1], a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2], a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3], a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4], a6: [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]}",
		"merge keys": "a0: &a0 {x: 1}\n" + mergeBomb(8),
	} {
		if err := CheckYAML([]byte(doc), 100_000); !errors.Is(err, ErrAliases) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	for name, doc := range map[string]string{
		"json":            `{"paths": {"/a": {"get": {"description": "a & b, */*, a&b, *bold*"}}}}`,
		"anchor no alias": "a: &x [1, 2]\nb: [3]\n",
		"alias no anchor": "a: *x\n", // a syntax error for the parser to report
		"few aliases":     Bomb(3, 3),
	} {
		if err := CheckYAML([]byte(doc), 100_000); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for doc, want := range map[string]bool{
		"a: &x 1\nb: *x\n":     true,
		"[&x 1, *x]":           true,
		"a: &x 1\nb: [*x]":     true,
		"&\x00x\x00":           false,
		"a: 1 &b\nc: '*/*'\n":  true, // "&b" and "*/" can start names: candidates, then counted
		"a: 1 & 2\nb: '* x'\n": false,
		"a: '& x'\nb: [*x]\n":  false,
		"a: &\nb: *\n":         false,
		"a: &x":                false,
		"":                     false,
	} {
		if got := mayAlias([]byte(doc)); got != want {
			t.Errorf("mayAlias(%q) = %v, want %v", doc, got, want)
		}
	}
}

// mergeBomb nests merge keys: each level merges the previous one ten times over.
func mergeBomb(levels int) string {
	var b strings.Builder
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "{<<: *a%d}", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}
