package contract

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The bundled spec (samples/openapi.yaml, OpenAPI 3.1 YAML with two servers, one with a variable).
func TestLoadOpenAPISample(t *testing.T) {
	spec, err := Load("../../samples/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if spec.Version != "3.1.0" || spec.Title != "Shop API" {
		t.Errorf("version %q title %q", spec.Version, spec.Title)
	}
	if !reflect.DeepEqual(spec.Bases, []string{""}) {
		t.Errorf("bases %q (both servers are at the root)", spec.Bases)
	}
	got := map[string][]string{}
	for _, p := range spec.Paths {
		got[p.Template] = p.Methods
	}
	for tmpl, want := range map[string][]string{
		"/api/orders/{orderId}":      {"DELETE", "GET", "PUT"},
		"/api/carts/{cartId}":        {"DELETE", "GET", "POST"},
		"/api/search":                {"GET"},
		"/api/profile":               {"GET", "PATCH"},
		"/api/users/{userId}/avatar": {"GET", "PUT"},
	} {
		if !reflect.DeepEqual(got[tmpl], want) {
			t.Errorf("%s: %v, want %v", tmpl, got[tmpl], want)
		}
	}
	if _, ok := got["/api/legacy/invoices/{id}"]; ok {
		t.Error("the legacy route is meant to be absent")
	}
}

// Constructed OpenAPI 3.0 JSON: server base path with a variable, a path item with its own
// servers, an operation-level server list.
const openapi30JSON = `{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "servers": [{"url": "https://{region}.example.com/{base}/", "variables": {"region": {"default": "eu"}, "base": {"default": "v1"}}},
              {"url": "/api"}],
  "paths": {
    "/pets": {"get": {"responses": {"200": {"description": "ok"}}}, "post": {"responses": {"201": {"description": "ok"}}}},
    "/pets/{id}": {"servers": [{"url": "https://pets.example.com/p"}], "delete": {"responses": {"204": {"description": "ok"}}}},
    "/hooks": {"post": {"servers": [{"url": "http://hooks.local"}], "responses": {"200": {"description": "ok"}}}}
  }
}`

func TestParseOpenAPI30JSON(t *testing.T) {
	spec, err := Parse([]byte(openapi30JSON), "pets.json")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(spec.Bases, []string{"/v1", "/api"}) {
		t.Errorf("bases %q", spec.Bases)
	}
	want := []Path{
		{Template: "/hooks", Methods: []string{"POST"}, Bases: []string{""}},
		{Template: "/pets", Methods: []string{"GET", "POST"}},
		{Template: "/pets/{id}", Methods: []string{"DELETE"}, Bases: []string{"/p"}},
	}
	got := append([]Path(nil), spec.Paths...)
	// InMatchingOrder puts concrete paths first; compare as a set.
	m := map[string]Path{}
	for _, p := range got {
		m[p.Template] = p
	}
	for _, w := range want {
		if !reflect.DeepEqual(m[w.Template], w) {
			t.Errorf("%s: %+v, want %+v", w.Template, m[w.Template], w)
		}
	}
}

func TestParseOpenAPIRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"swagger 2.0": "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
		"not openapi": "foo: bar\n",
		"no paths":    "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
		"bad yaml":    "openapi: 3.1.0\npaths: [\n",
		"version 4":   "openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {responses: {'200': {description: ok}}}}}\n",
	} {
		if _, err := Parse([]byte(doc), name); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error does not name the file: %v", name, err)
		}
	}
}

// A spec split over local files loads; a reference to a URL is refused (no network).
func TestLoadOpenAPIRefs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("pets.yaml", "get:\n  responses:\n    '200': {description: ok}\nput:\n  responses:\n    '200': {description: ok}\n")
	main := write("main.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /pets/{id}:\n    $ref: './pets.yaml'\n")
	spec, err := Load(main)
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Paths) != 1 || !reflect.DeepEqual(spec.Paths[0].Methods, []string{"GET", "PUT"}) {
		t.Errorf("paths %+v", spec.Paths)
	}
	remote := write("remote.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    $ref: 'http://127.0.0.1:1/pets.yaml'\n")
	if _, err := Load(remote); err == nil || !strings.Contains(err.Error(), "only local files") {
		t.Errorf("remote ref: %v", err)
	}
}

// The word "swagger" in a description or a tag is not a Swagger 2.0 document.
func TestParseOpenAPIMentioningSwagger(t *testing.T) {
	doc := "openapi: 3.0.3\ninfo: {title: t, version: '1', description: 'migrated from swagger: 2.0 last year'}\n" +
		"tags: [{name: swagger}]\npaths: {/a: {get: {responses: {'200': {description: ok}}}}}\n"
	if _, err := Parse([]byte(doc), "migrated.yaml"); err != nil {
		t.Errorf("a 3.0.3 spec was refused: %v", err)
	}
}

// What is not an OpenAPI 3 document is named as such, whether or not the loader accepts it, now
// that the top-level keys are read only after the loader.
func TestParseNotOpenAPI3(t *testing.T) {
	for doc, want := range map[string]string{
		"swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get: {responses: {'200': {description: ok}}}\n":                                                     "Swagger 2.0",
		"swagger: '2.0'\ninfo: {title: t, version: '1'}\ndefinitions: {A: {type: object}}\npaths:\n  /x:\n    get: {responses: {'200': {schema: {$ref: '#/definitions/A'}}}}\n": "Swagger 2.0",
		"swagger: null\nopenapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get: {responses: {'200': {description: ok}}}\n":                                      "Swagger 2.0",
		`{"swagger": "2.0", "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {"responses": {"200": {"description": "ok"}}}}}}`:               "Swagger 2.0",
		"info: {title: t, version: '1'}\npaths:\n  /x:\n    get: {responses: {'200': {description: ok}}}\n":                                                                     `no top-level "openapi" field`,
		"- openapi: 3.0.3\n": `no top-level "openapi" field`,
		"openapi: ''\ninfo: {title: t, version: '1'}\npaths: {}\n":    `openapi version "": only OpenAPI 3.x`,
		"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n": "the document has no paths",
	} {
		_, err := Parse([]byte(doc), "spec.yaml")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "spec.yaml: ") {
			t.Errorf("%q: err = %v, want %q", doc, err, want)
		}
	}
}
