package contract

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	yamlv4 "go.yaml.in/yaml/v4"
	"gopkg.in/yaml.v3"

	"github.com/logtriage/logtriage/internal/limits"
)

// The differential test: openapi.go reads a document as the kin-openapi reader it replaced did
// (openapi_kin_test.go, the oracle), save for the differences openapi_differences_test.go lists.
// On every corpus logtriage has (each spec this package's tests and the command's tests write, every
// YAML and JSON file under samples/, the multi-file documents below) the two must return the same
// Document, or both fail. openapi_differences_test.go's own documents are left out: they are
// there to differ.
//
// On fuzzed documents the two are held equal only where no accepted difference can come in
// (FuzzOpenAPI says where); everywhere the reader must hold its own properties.
//
// Path.Bases are compared as sets: where every operation names its own servers the oracle listed
// them in Go's random map order.

// paritySame reports whether the two readers agree on one document: the same Document, or both
// an error.
func paritySame(t *testing.T, what string, kinDoc *Document, kinErr error, doc *Document, err error) {
	t.Helper()
	switch {
	case kinErr != nil && err != nil:
		return
	case kinErr != nil:
		t.Errorf("%s: kin-openapi failed (%v), the reader did not:\n%s", what, kinErr, docString(doc))
		return
	case err != nil:
		t.Errorf("%s: the reader failed (%v), kin-openapi did not:\n%s", what, err, docString(kinDoc))
		return
	}
	if !reflect.DeepEqual(parityNormal(kinDoc), parityNormal(doc)) {
		t.Errorf("%s: documents differ\nkin-openapi: %s\n     reader: %s", what, docString(kinDoc), docString(doc))
	}
}

func parityNormal(d *Document) *Document {
	c := *d
	c.Paths = nil
	for _, p := range d.Paths {
		p.Bases = slices.Clone(p.Bases)
		slices.Sort(p.Bases)
		c.Paths = append(c.Paths, p)
	}
	return &c
}

func docString(d *Document) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version %q title %q bases %q", d.Version, d.Title, d.Bases)
	for _, p := range d.Paths {
		fmt.Fprintf(&b, "\n  %q %q %q", p.Template, p.Methods, p.Bases)
	}
	return b.String()
}

// kinParseSafe runs the oracle on data; a panic in kin-openapi counts as a failure to load.
func kinParseSafe(data []byte) (doc *Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("kin-openapi panicked: %v", r)
		}
	}()
	return kinParse(data, "spec")
}

func checkParseParity(t *testing.T, what string, data []byte) {
	t.Helper()
	kinDoc, kinErr := kinParseSafe(data)
	doc, err := Parse(data, "spec")
	paritySame(t, what, kinDoc, kinErr, doc, err)
}

// differencesFile holds the documents on which the two readers differ on purpose.
const differencesFile = "openapi_differences_test.go"

// paritySpecs returns the OpenAPI documents written in the Go test files of dir but
// differencesFile: every string constant that holds "openapi" or "swagger" (most are whole
// documents; the others fail in both).
func paritySpecs(t testing.TB, dir string) map[string]string {
	return specLiterals(t, dir, false)
}

// specLiterals returns the OpenAPI documents written in the Go test files of dir, those of
// differencesFile too when withDifferences is set.
func specLiterals(t testing.TB, dir string, withDifferences bool) map[string]string {
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if filepath.Base(name) == differencesFile && !withDifferences {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && (strings.Contains(s, "openapi") || strings.Contains(s, "swagger")) {
				specs[fset.Position(lit.Pos()).String()] = s
			}
			return true
		})
	}
	return specs
}

// paritySeeds are documents for the parts of a spec the reader reads, each a construct the two
// readers must agree on.
var paritySeeds = []string{
	"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {}}}\n",
	"openapi: 3.2.0\npaths:\n  /a:\n    query: {}\n    get: null\n    additionalOperations: {COPY: {}, GET: {}, get: {}, lock: null}\n  /b:\n    additionalOperations: {GET: {}}\n",
	"openapi: 3.1.0\nservers: [{url: 'https://{h}.example.com:{p}/{b}/', variables: {h: {default: api}, p: {default: '8443'}, b: {default: v2}}}, null, {url: '//cdn.example.com/x?y=1'}]\npaths: {/a: {servers: [], get: {servers: [{url: /op}]}, put: {servers: [{url: http://h/op2}]}}}\n",
	"openapi: 3.1.0\npaths:\n  /a:\n    servers: [null]\n    get: {servers: [{url: /x}]}\n  /b: null\n  x-c: {get: {}}\n  /d/{id}: {get: {}}\n  /d/mine: {get: {}}\n  /{a}/{b}: {}\n",
	"openapi: 3.0.0\npaths:\n  /a: {$ref: '#/components/pathItems/A', post: {}}\n  /b: {$ref: '#/x-items/B'}\ncomponents: {pathItems: {A: {get: {}, servers: [{url: /a}]}}}\nx-items: {B: {delete: {}}}\n",
	"openapi: 3.0.0\npaths:\n  /a: {$ref: '#/paths/~1b'}\n  /b: {put: {}, servers: [{url: /s}]}\n  /c: {$ref: '#/x-none'}\n",
	"openapi: 3.0.0\npaths:\n  /a: {$ref: 'other.yaml'}\n",
	"openapi: 3.0.0\npaths:\n  /a: {$ref: 'http://127.0.0.1:1/x.yaml#/paths/~1a'}\n",
	"openapi: 3.0.0\ninfo: &i {title: anchored}\nx-i: *i\nbase: &b {get: {}}\npaths:\n  /a: {<<: *b, put: {}}\n  /b: *b\n",
	"openapi: 3.0.0\ninfo: {title: 5}\npaths: {/a: {get: {}}}\n",
	"openapi: 3.0.0\ninfo: {title: 2020-01-02}\npaths: {/a: {get: {}}}\n",
	"openapi: 3.0.0\ninfo: {title: !md '*t*'}\npaths: {/a: {get: {}}}\n",
	"openapi: 3.0\npaths: {/a: {get: {}}}\n",
	"openapi: '3.0'\npaths: {/a: {get: 5}}\n",
	"openapi: 3.0.0\npaths: {/a: {get: {}, get: {}}}\n",
	"openapi: 3.0.0\npaths: {/a: {get: {}}, /a: {put: {}}}\n",
	"openapi: 3.0.0\nx-n: .inf\npaths: {/a: {get: {}}}\n",
	"openapi: 3.0.0\npaths: {/a: {get: {}}, ~: {}}\n",
	"openapi: 3.0.0\nservers: {url: /x}\npaths: {/a: {get: {}}}\n",
	"openapi: 3.0.0\nservers: [{url: /x/{v}, variables: {v: {default: 5}}}]\npaths: {/a: {get: {}}}\n",
	`{"openapi": "3.0.3", "paths": {"/a": {"get": {}}, "/a": {"put": {}}}, "info": {"title": "caf\u00e9 \ud83d\ude00 \/"}}`,
	`{"openapi": "3.0.3", "openapi": "3.1.0", "paths": {"/a": null, "/b": {"get": null, "post": {"servers": [{"url": "/p"}]}}}}`,
	`{"openapi": "3.0.3", "paths": {"/a": {"get": {}}}`,
	"openapi: 3.0.3\npaths:\n  /a:\n    get: {}\n  bad: [\n",
	"swagger: '2.0'\npaths: {/a: {get: {}}}\n",
	"",
	"[]",
}

// TestOpenAPIParity holds the reader to the kin-openapi oracle on every spec of the tests, the
// samples and the seeds.
func TestOpenAPIParity(t *testing.T) {
	specs := paritySpecs(t, ".")
	for k, v := range paritySpecs(t, "../../cmd/logtriage") {
		specs[k] = v
	}
	for i, s := range paritySeeds {
		specs[fmt.Sprintf("seed %d", i)] = s
	}
	for _, asJSON := range []bool{false, true} {
		specs[fmt.Sprintf("bigSpec(50, %v)", asJSON)] = string(bigSpec(50, asJSON))
	}
	if len(specs) < 40 {
		t.Fatalf("only %d specs found in the tests", len(specs))
	}
	for what, s := range specs {
		checkParseParity(t, what, []byte(s))
	}

	// The samples, loaded from their files: samples/openapi.yaml and every other YAML or JSON
	// file (not OpenAPI documents: both readers refuse them).
	n := 0
	err := filepath.WalkDir("../../samples", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".yaml", ".yml", ".json":
		default:
			return nil
		}
		n++
		kinDoc, kinErr := kinLoad(path)
		doc, err := Load(path)
		paritySame(t, path, kinDoc, kinErr, doc, err)
		return nil
	})
	if err != nil || n < 10 {
		t.Fatalf("samples: %d files, %v", n, err)
	}
}

// parityFiles are documents split over files; main.yaml is loaded.
var parityFiles = []map[string]string{
	{ // the whole file is the path item; a fragment into another file; a JSON file
		"main.yaml":      "openapi: 3.1.0\npaths:\n  /a: {$ref: 'items/a.yaml'}\n  /b: {$ref: 'items/b.yaml#/B'}\n  /c: {$ref: './c.json#/paths/~1c'}\n",
		"items/a.yaml":   "get: {}\nput: {servers: [{url: /put}]}\n",
		"items/b.yaml":   "B: {delete: {}, servers: [{url: 'https://x/b'}]}\n",
		"c.json":         `{"paths": {"/c": {"patch": {}}}}`,
		"items/unused.y": "not: read\n",
	},
	{ // relative to the file the $ref is written in
		"main.yaml":  "openapi: 3.1.0\npaths:\n  /a: {$ref: 'sub/a.yaml#/A'}\n",
		"sub/a.yaml": "A: {get: {}}\n",
	},
	{ // missing files and targets, and a broken one
		"main.yaml": "openapi: 3.1.0\npaths:\n  /a: {$ref: 'none.yaml'}\n",
	},
	{
		"main.yaml": "openapi: 3.1.0\npaths:\n  /a: {$ref: 'a.yaml#/nope'}\n",
		"a.yaml":    "A: {get: {}}\n",
	},
	{
		"main.yaml": "openapi: 3.1.0\npaths:\n  /a: {$ref: 'a.yaml'}\n",
		"a.yaml":    "get: [\n",
	},
	{
		"main.yaml": "openapi: 3.1.0\npaths:\n  /a: {$ref: 'a.yaml#/A'}\n",
		"a.yaml":    "A: 5\n",
	},
	{ // a URL is never fetched
		"main.yaml": "openapi: 3.1.0\npaths:\n  /a: {$ref: 'https://127.0.0.1:1/a.yaml#/A'}\n",
	},
	{ // siblings of a $ref to another file
		"main.yaml": "openapi: 3.1.0\npaths:\n  /a: {$ref: 'a.yaml', post: {}, servers: [{url: /mine}]}\n",
		"a.yaml":    "get: {}\nservers: [{url: /theirs}]\n",
	},
	{ // a file referenced twice, by two names
		"main.yaml": "openapi: 3.1.0\npaths:\n  /a: {$ref: 'a.yaml#/A'}\n  /b: {$ref: './x/../a.yaml#/B'}\n",
		"a.yaml":    "A: {get: {}}\nB: {head: {}}\n",
	},
}

func TestLoadOpenAPIParityFiles(t *testing.T) {
	for i, files := range parityFiles {
		dir := t.TempDir()
		for name, s := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		main := filepath.Join(dir, "main.yaml")
		kinDoc, kinErr := kinLoad(main)
		doc, err := Load(main)
		if kinDoc != nil && doc != nil {
			kinDoc.Source, doc.Source = "", ""
		}
		paritySame(t, fmt.Sprintf("files %d", i), kinDoc, kinErr, doc, err)
	}
}

// FuzzOpenAPI holds the reader to what is true of it on any input:
//   - it does not panic, and reads the same input the same way twice (the same Document,
//     or the same error);
//   - it keeps to its limits: what the alias bound refuses it refuses, and a lower bound on
//     $refs in a row only ever refuses more, never reads a document otherwise;
//   - it agrees with the kin-openapi oracle (the same Document) whenever both accept a document
//     that has no $ref under paths (difference 3), that yaml/v4 decodes (kin-openapi's own parser:
//     difference 1; its encoding/json fallback: difference 2) and that yaml.v3 decodes to the same
//     value (difference 1). Differences 4 and 5 are documents only one of them accepts.
//
// The differences are numbered as in openapi_differences_test.go.
func FuzzOpenAPI(f *testing.F) {
	for _, s := range specLiterals(f, ".", true) {
		f.Add([]byte(s))
	}
	for _, s := range paritySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data, "spec")
		again, errAgain := Parse(data, "spec")
		if !reflect.DeepEqual(doc, again) || fmt.Sprint(err) != fmt.Sprint(errAgain) {
			t.Fatalf("read twice, read differently:\n%v %v\n%v %v", err, doc, errAgain, again)
		}
		if lerr := limits.CheckYAML(data, limits.YAMLNodes); lerr != nil && err == nil {
			t.Fatalf("the alias bound refuses the document (%v), the reader read it", lerr)
		}
		bound := maxRefChain
		maxRefChain = 1
		short, shortErr := Parse(data, "spec")
		maxRefChain = bound
		if shortErr == nil && (err != nil || !reflect.DeepEqual(doc, short)) {
			t.Fatalf("with at most one $ref in a row: %v, with 64: %v %v", docString(short), err, doc)
		}

		if err != nil || refUnderPaths(data) || !sameYAML(data) {
			return
		}
		kinDoc, kinErr := kinParseSafe(data)
		if kinErr != nil {
			return
		}
		paritySame(t, "fuzzed", kinDoc, kinErr, doc, err)
	})
}

// refUnderPaths reports whether a $ref key can be reached from the document's paths (through
// aliases and merge keys too), as the reader's parser sees the document; true when it cannot
// tell.
func refUnderPaths(data []byte) bool {
	f, err := parseSpecFile(data, "")
	if err != nil {
		return true
	}
	top := deref(f.root)
	if top == nil || top.Kind != yaml.MappingNode {
		return false
	}
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		n = deref(n)
		if n == nil || seen[n] {
			return false
		}
		seen[n] = true
		for i, c := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 0 {
				if k := deref(c); k != nil && k.Kind == yaml.ScalarNode && k.Value == "$ref" {
					return true
				}
			}
			if walk(c) {
				return true
			}
		}
		return false
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if k := deref(top.Content[i]); k != nil && k.Value == "paths" && walk(top.Content[i+1]) {
			return true
		}
	}
	return false
}

// sameYAML reports whether yaml/v4, the parser kin-openapi reads documents with, decodes data
// and whether yaml.v3, the reader's, decodes it to the same value.
func sameYAML(data []byte) bool {
	var v3, v4 any
	if yamlv4.Unmarshal(data, &v4) != nil {
		return false
	}
	return yaml.Unmarshal(data, &v3) == nil && reflect.DeepEqual(v3, v4)
}
