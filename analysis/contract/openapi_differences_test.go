package contract

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Where the reader (openapi.go) parts from the kin-openapi reader it replaced (openapi_kin_test.go),
// on purpose. Each test states what the reader does and, beside it, what kin-openapi did, so that
// a change on either side shows here. The differential test (openapi_parity_test.go) leaves this
// file's documents out; its fuzz target holds the two readers equal only where none of these can
// come in.

// parseBoth reads data with the reader and with the kin-openapi oracle.
func parseBoth(t *testing.T, data string) (doc *Document, err error, kinDoc *Document, kinErr error) {
	t.Helper()
	doc, err = Parse([]byte(data), "spec")
	kinDoc, kinErr = kinParseSafe([]byte(data))
	return doc, err, kinDoc, kinErr
}

// pathMethods is the methods of each template of d.
func pathMethods(d *Document) map[string][]string {
	out := map[string][]string{}
	for _, p := range d.Paths {
		out[p.Template] = p.Methods
	}
	return out
}

// 1. YAML is read by gopkg.in/yaml.v3, as everywhere else in logtriage; kin-openapi reads it with
// go.yaml.in/yaml/v4. Where the two parsers disagree, so do the readers.
func TestOpenAPIDifferenceYAMLParser(t *testing.T) {
	// A flow mapping key that runs into the ':' of an empty value: yaml.v3 keeps the ':' in
	// the key, yaml/v4 ends the key there.
	doc, err, kinDoc, kinErr := parseBoth(t, "openapi: 3.0.0\npaths: {/a:}\n")
	if err != nil || kinErr != nil {
		t.Fatalf("errors: reader %v, kin-openapi %v", err, kinErr)
	}
	if _, ok := pathMethods(doc)["/a:"]; !ok || len(doc.Paths) != 1 {
		t.Errorf("reader: %s", docString(doc))
	}
	if _, ok := pathMethods(kinDoc)["/a"]; !ok || len(kinDoc.Paths) != 1 {
		t.Errorf("kin-openapi: %s", docString(kinDoc))
	}

	// A plain scalar starting with ':' in a flow mapping: yaml/v4 takes it, yaml.v3 does not.
	doc, err, kinDoc, kinErr = parseBoth(t, "openapi: 3.0.0\npaths: {/a: {:e5 x}}\n")
	if err == nil || !strings.Contains(err.Error(), "yaml: line") {
		t.Errorf("reader: err = %v, doc %v", err, doc)
	}
	if kinErr != nil || len(kinDoc.Paths) != 1 {
		t.Errorf("kin-openapi: err = %v", kinErr)
	}
}

// 2. kin-openapi read a JSON document that yaml/v4 refuses (a key written twice) again with
// encoding/json, which matches field names without regard to case. The reader reads a document
// that is a JSON object with encoding/json's tokenizer (of a key written twice the last counts,
// as in kin's fallback) and takes field names as written, as OpenAPI defines them.
func TestOpenAPIDifferenceJSONFallback(t *testing.T) {
	// "Paths" is not "paths": no paths at all.
	doc, err, kinDoc, kinErr := parseBoth(t, `{"openapi": "3.0.0", "Paths": {"/a": {"get": {}}}, "x-n": 1, "x-n": 2}`)
	if err == nil || !strings.Contains(err.Error(), "the document has no paths") {
		t.Errorf("reader: err = %v, doc %v", err, doc)
	}
	if kinErr != nil || !reflect.DeepEqual(pathMethods(kinDoc), map[string][]string{"/a": {"GET"}}) {
		t.Errorf("kin-openapi: err = %v", kinErr)
	}

	// "GET" is no operation field; "Info" no info.
	doc, err, kinDoc, kinErr = parseBoth(t, `{"openapi": "3.0.0", "Info": {"title": "t"}, "paths": {"/a": {"GET": {}, "put": {}}}, "x-n": 1, "x-n": 2}`)
	if err != nil || doc.Title != "" || !reflect.DeepEqual(pathMethods(doc), map[string][]string{"/a": {"PUT"}}) {
		t.Errorf("reader: err = %v, doc %v", err, doc)
	}
	if kinErr != nil || kinDoc.Title != "t" || !reflect.DeepEqual(pathMethods(kinDoc), map[string][]string{"/a": {"GET", "PUT"}}) {
		t.Errorf("kin-openapi: err = %v, doc %v", kinErr, kinDoc)
	}

	// Without the key written twice yaml/v4 reads the document, and the two agree.
	doc, err, kinDoc, kinErr = parseBoth(t, `{"openapi": "3.0.0", "paths": {"/a": {"GET": {}, "put": {}}}}`)
	if err != nil || kinErr != nil || !reflect.DeepEqual(doc, kinDoc) {
		t.Errorf("reader %v %v, kin-openapi %v %v", err, doc, kinErr, kinDoc)
	}

	// What is neither JSON nor YAML is the YAML parser's error.
	if _, err := Parse([]byte("{\"openapi\": \"3.0.0\", \"paths\": {\"/a\": {\"get\": {}}}, \"x\": \"\x01\"}"), "spec"); err == nil || !strings.Contains(err.Error(), "yaml: control characters are not allowed") {
		t.Errorf("a control character: err = %v", err)
	}
}

// 3. Path item $refs are followed to their end, through #/paths/…, #/components/pathItems/… and
// other local files, and a cycle is an error naming it. kin-openapi resolved only the first
// $ref of a path item and read what it found as the item: a chain gave a path without methods,
// and so did a cycle.
func TestOpenAPIDifferenceRefChain(t *testing.T) {
	chain := "openapi: 3.1.0\npaths:\n" +
		"  /a: {$ref: '#/paths/~1b'}\n" +
		"  /b: {$ref: '#/components/pathItems/B'}\n" +
		"components:\n  pathItems:\n    B: {$ref: '#/x-items/C'}\n" +
		"x-items:\n  C: {get: {}, delete: {}}\n"
	doc, err, kinDoc, kinErr := parseBoth(t, chain)
	if err != nil || !reflect.DeepEqual(pathMethods(doc), map[string][]string{"/a": {"DELETE", "GET"}, "/b": {"DELETE", "GET"}}) {
		t.Errorf("reader: err = %v, doc %v", err, doc)
	}
	if kinErr != nil || !reflect.DeepEqual(pathMethods(kinDoc), map[string][]string{"/a": nil, "/b": nil}) {
		t.Errorf("kin-openapi: err = %v, doc %v", kinErr, kinDoc)
	}

	// A cycle, named link by link.
	cycle := "openapi: 3.1.0\npaths:\n  /a: {$ref: '#/paths/~1b'}\n  /b: {$ref: '#/components/pathItems/B'}\n" +
		"components:\n  pathItems:\n    B: {$ref: '#/paths/~1a'}\n"
	doc, err, kinDoc, kinErr = parseBoth(t, cycle)
	if err == nil || !strings.Contains(err.Error(), "a reference cycle (#/paths/~1b → #/components/pathItems/B → #/paths/~1a → #/paths/~1b)") {
		t.Errorf("reader: err = %v, doc %v", err, doc)
	}
	if kinErr != nil || !reflect.DeepEqual(pathMethods(kinDoc), map[string][]string{"/a": nil, "/b": nil}) {
		t.Errorf("kin-openapi: err = %v, doc %v", kinErr, kinDoc)
	}
	doc, err = Parse([]byte("openapi: 3.1.0\npaths:\n  /a: {$ref: '#/paths/~1a'}\n"), "spec")
	if err == nil || !strings.Contains(err.Error(), `paths: "/a": $ref "#/paths/~1a"`) || !strings.Contains(err.Error(), "a reference cycle (#/paths/~1a → #/paths/~1a)") {
		t.Errorf("a path item that is its own $ref: err = %v, doc %v", err, doc)
	}

	// Across files: main.yaml → a.yaml → b.yaml#/B, and b.yaml's C back to a.yaml.
	dir := t.TempDir()
	for name, s := range map[string]string{
		"main.yaml":    "openapi: 3.1.0\npaths:\n  /a: {$ref: 'items/a.yaml'}\n  /c: {$ref: 'items/b.yaml#/C'}\n",
		"items/a.yaml": "$ref: 'b.yaml#/B'\n",
		"items/b.yaml": "B: {put: {}, servers: [{url: /b}]}\nC: {$ref: 'a.yaml'}\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	doc, err = Load(filepath.Join(dir, "main.yaml"))
	want := []Path{{Template: "/c", Methods: []string{"PUT"}, Bases: []string{"/b"}}, {Template: "/a", Methods: []string{"PUT"}, Bases: []string{"/b"}}}
	if err != nil || !reflect.DeepEqual(doc.Paths, want) {
		t.Errorf("a chain across files: err = %v, doc %v", err, doc)
	}
	if err := os.WriteFile(filepath.Join(dir, "items", "b.yaml"), []byte("B: {$ref: '#/C'}\nC: {$ref: 'a.yaml'}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err = Load(filepath.Join(dir, "main.yaml")); err == nil || !strings.Contains(err.Error(), "a reference cycle") || !strings.Contains(err.Error(), "items/a.yaml#") {
		t.Errorf("a cycle across files: err = %v", err)
	}
}

// The bounds on $refs: how many path item $refs may lead one to the next, and how many files one
// document may reach.
func TestOpenAPIRefLimits(t *testing.T) {
	chain := func(n int) string {
		var b strings.Builder
		b.WriteString("openapi: 3.1.0\npaths:\n  /a: {$ref: '#/x-items/i1'}\nx-items:\n")
		for i := 1; i < n; i++ {
			b.WriteString("  i" + strconv.Itoa(i) + ": {$ref: '#/x-items/i" + strconv.Itoa(i+1) + "'}\n")
		}
		b.WriteString("  i" + strconv.Itoa(n) + ": {get: {}}\n")
		return b.String()
	}
	if doc, err := Parse([]byte(chain(maxRefChain)), "spec"); err != nil || !reflect.DeepEqual(pathMethods(doc), map[string][]string{"/a": {"GET"}}) {
		t.Errorf("%d $refs in a row: err = %v", maxRefChain, err)
	}
	if _, err := Parse([]byte(chain(maxRefChain+1)), "spec"); err == nil || !strings.Contains(err.Error(), "more than 64 path item $refs in a row") {
		t.Errorf("%d $refs in a row: err = %v", maxRefChain+1, err)
	}

	dir := t.TempDir()
	main := "openapi: 3.1.0\npaths:\n"
	for i := 0; i < 5; i++ {
		main += "  /p" + strconv.Itoa(i) + ": {$ref: 'p" + strconv.Itoa(i) + ".yaml'}\n"
		if err := os.WriteFile(filepath.Join(dir, "p"+strconv.Itoa(i)+".yaml"), []byte("get: {}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "main.yaml"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func(n int) { maxSpecFiles = n }(maxSpecFiles)
	maxSpecFiles = 6 // main.yaml and its five
	if doc, err := Load(filepath.Join(dir, "main.yaml")); err != nil || len(doc.Paths) != 5 {
		t.Errorf("6 files, 6 allowed: err = %v", err)
	}
	maxSpecFiles = 5
	if _, err := Load(filepath.Join(dir, "main.yaml")); err == nil || !strings.Contains(err.Error(), "the document's $refs reach more than 5 files") {
		t.Errorf("6 files, 5 allowed: err = %v", err)
	}
}

// 4. What logtriage never reads is neither read nor checked: a document whose schemas, responses
// or parameters are broken still yields its method contract. kin-openapi decoded the whole
// document into its object model and refused it.
func TestOpenAPIDifferenceUnreadParts(t *testing.T) {
	for _, s := range []string{
		"openapi: 3.0.0\npaths: {/a: {get: {}}}\ncomponents: {schemas: {A: {type: 5}}}\n",
		"openapi: 3.0.0\npaths: {/a: {get: {responses: 5}}}\n",
		"openapi: 3.0.0\npaths: {/a: {get: {parameters: {x: 1}}}}\n",
		"openapi: 3.0.0\npaths: {/a: {get: {}}, x-n: {{}: 1}}\n",
	} {
		doc, err, _, kinErr := parseBoth(t, s)
		if err != nil || !reflect.DeepEqual(pathMethods(doc), map[string][]string{"/a": {"GET"}}) {
			t.Errorf("%q: reader: err = %v, doc %v", s, err, doc)
		}
		if kinErr == nil {
			t.Errorf("%q: kin-openapi read it", s)
		}
	}
	// What the reader reads must be what it says it is.
	for s, want := range map[string]string{
		"openapi: 3.0.0\npaths: {/a: {get: 5}}\n":                       "get: line 2: !!int \"5\", not an object",
		"openapi: 3.0.0\npaths: {/a: {get: {servers: {url: /x}}}}\n":    "get.servers: line 2: an object, not a list",
		"openapi: 3.0.0\ninfo: {title: [t]}\npaths: {/a: {get: {}}}\n":  "info.title: line 2: a list, not a string",
		"openapi: 3.0.0\nservers: [{url: 5}]\npaths: {/a: {get: {}}}\n": "servers[0].url: line 2: !!int \"5\", not a string",
	} {
		if _, err := Parse([]byte(s), "spec"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", s, err, want)
		}
	}
}

// 5. A key under paths that is an object or a list names no path: the reader refuses the document.
// kin-openapi read it as the template "".
func TestOpenAPIDifferenceObjectKeyUnderPaths(t *testing.T) {
	for _, s := range []string{
		"openapi: 3.0.0\npaths: {/a: {get: {}}, {}: {}}\n",
		"openapi: 3.0.0\npaths:\n  /a: {get: {}}\n  ? [x]\n  : {put: {}}\n",
	} {
		doc, err, kinDoc, kinErr := parseBoth(t, s)
		if err == nil || !strings.Contains(err.Error(), "a mapping key that is not a string") {
			t.Errorf("%q: reader: err = %v, doc %v", s, err, doc)
		}
		if kinErr != nil {
			t.Errorf("%q: kin-openapi: %v", s, kinErr)
		} else if _, ok := pathMethods(kinDoc)[""]; !ok {
			t.Errorf("%q: kin-openapi: %s", s, docString(kinDoc))
		}
	}
}
