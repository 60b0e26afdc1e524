package contract

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An OpenAPI document of nested aliases is refused before the loader expands them.
func TestOpenAPIAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: t, version: '1'}\nx-a0: &a0 [lol]\n")
	for i := 1; i <= 7; i++ {
		fmt.Fprintf(&b, "x-a%d: &a%d [", i, i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("paths:\n  /x:\n    get: {responses: {'200': {description: ok}}}\n")
	path := filepath.Join(t.TempDir(), "bomb.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "aliases") {
		t.Errorf("err = %v", err)
	}
}

// The bound holds for a referenced file too, and for a bomb written in flow style: what the
// byte scan lets through unparsed can hold no alias.
func TestOpenAPIAliasBombInRef(t *testing.T) {
	var b strings.Builder
	b.WriteString("{x-a0: &a0 [lol]")
	for i := 1; i <= 7; i++ {
		fmt.Fprintf(&b, ", x-a%d: &a%d [", i, i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]")
	}
	b.WriteString(", get: {responses: {'200': {description: ok}}}}\n")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "item.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, "main.yaml")
	doc := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    $ref: './item.yaml'\n"
	if err := os.WriteFile(main, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(main); err == nil || !strings.Contains(err.Error(), "aliases") || !strings.Contains(err.Error(), "item.yaml") {
		t.Errorf("a $ref to an alias bomb: err = %v", err)
	}
	if _, err := Parse([]byte("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/x: "+b.String()+"}"), "flow.yaml"); err == nil || !strings.Contains(err.Error(), "aliases") {
		t.Errorf("a flow-style alias bomb: err = %v", err)
	}
}
