package contract

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigSpec writes an OpenAPI 3.0 document of n paths, YAML or JSON: /api/r{i}/items/{id} with
// get and delete (path i even) or get, put and post (odd), the path parameter and each response's
// schema a $ref to a shared component, as a large generated API gateway spec has.
func bigSpec(n int, asJSON bool) []byte {
	var b strings.Builder
	b.Grow(n * 300)
	if asJSON {
		b.WriteString(`{"openapi": "3.0.3", "info": {"title": "big", "version": "1"},` + "\n")
		b.WriteString(`"servers": [{"url": "https://api.example.com/v1"}],` + "\n")
		b.WriteString(`"components": {"parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}}, "schemas": {"Item": {"type": "object", "properties": {"id": {"type": "string"}, "n": {"type": "integer"}}}}},` + "\n")
		b.WriteString(`"paths": {` + "\n")
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, `"/api/r%d/items/{id}": {"parameters": [{"$ref": "#/components/parameters/id"}]`, i)
			for _, m := range bigSpecMethods(i) {
				fmt.Fprintf(&b, `, "%s": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}}}`, m)
			}
			b.WriteString("}")
		}
		b.WriteString("\n}}\n")
		return []byte(b.String())
	}
	b.WriteString("openapi: 3.0.3\ninfo:\n  title: big\n  version: '1'\nservers:\n  - url: https://api.example.com/v1\n")
	b.WriteString("components:\n  parameters:\n    id: {name: id, in: path, required: true, schema: {type: string}}\n  schemas:\n    Item:\n      type: object\n      properties:\n        id: {type: string}\n        n: {type: integer}\n")
	b.WriteString("paths:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  /api/r%d/items/{id}:\n    parameters:\n      - $ref: '#/components/parameters/id'\n", i)
		for _, m := range bigSpecMethods(i) {
			fmt.Fprintf(&b, "    %s:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Item'}\n", m)
		}
	}
	return []byte(b.String())
}

func bigSpecMethods(i int) []string {
	if i%2 == 0 {
		return []string{"get", "delete"}
	}
	return []string{"get", "put", "post"}
}

// A generated spec of many paths loads whole, YAML and JSON alike: every path with its methods, in
// order (the alias bound counts only what aliases add, so a large spec without any is not a bomb).
func TestLoadBigSpec(t *testing.T) {
	const n = 1000
	for _, asJSON := range []bool{false, true} {
		name := "big.yaml"
		if asJSON {
			name = "big.json"
		}
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, bigSpec(n, asJSON), 0o644); err != nil {
			t.Fatal(err)
		}
		doc, err := Load(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(doc.Paths) != n {
			t.Fatalf("%s: %d paths, want %d", name, len(doc.Paths), n)
		}
		if doc.Version != "3.0.3" || doc.Title != "big" || len(doc.Bases) != 1 || doc.Bases[0] != "/v1" {
			t.Errorf("%s: version %q title %q bases %q", name, doc.Version, doc.Title, doc.Bases)
		}
		seen := map[string]string{}
		for _, p := range doc.Paths {
			seen[p.Template] = strings.Join(p.Methods, ",")
		}
		for _, i := range []int{0, 1, n / 2, n - 1} {
			want := "DELETE,GET"
			if i%2 == 1 {
				want = "GET,POST,PUT"
			}
			if got := seen[fmt.Sprintf("/api/r%d/items/{id}", i)]; got != want {
				t.Errorf("%s: path %d methods %q, want %q", name, i, got, want)
			}
		}
	}
}

// BenchmarkLoadBigSpec loads a 100,000-path spec (issue 10 item 19: it took a minute), reporting
// paths per second. LOGTRIAGE_SPEC_PATHS changes the size.
func BenchmarkLoadBigSpec(b *testing.B) {
	n := 100_000
	if s := os.Getenv("LOGTRIAGE_SPEC_PATHS"); s != "" {
		if _, err := fmt.Sscan(s, &n); err != nil {
			b.Fatal(err)
		}
	}
	for _, asJSON := range []bool{false, true} {
		name := "yaml"
		if asJSON {
			name = "json"
		}
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "big."+name)
			data := bigSpec(n, asJSON)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				doc, err := Load(path)
				if err != nil {
					b.Fatal(err)
				}
				if len(doc.Paths) != n {
					b.Fatalf("%d paths, want %d", len(doc.Paths), n)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "paths/s")
		})
	}
}
