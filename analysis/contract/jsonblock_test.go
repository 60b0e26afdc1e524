package contract

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Tests of the kin-openapi oracle's block-style rewrite of JSON (jsonblock_kin_test.go).

var jsonBlockSeeds = []string{
	openapi30JSON,
	`{}`,
	`{"a": {}, "b": [], "c": [[], {}, [1, [2, {"d": null}]]], "e": [{"f": true, "g": false}]}`,
	`{"n": [0, -0, 1.5, -2e10, 1E+5, 12345678901234567890, 0.000001]}`,
	`{"s": ["", " lead", "trail ", "a: b", "# not a comment", "- x", "'q'", "\"dq\"", "\\", "\/", "\b\f\n\r\t", "\u0000\u001f"]}`,
	`{"u": ["é中", "\u00e9", "😀", "\ud83d\ude00", "\u2028\u2029\u0085\ufeff", "\u007f", "", "\ufffe"]}`,
	`{"yes": "no", "on": "off", "null": "~", "1": "2", "": "empty key", "*a": "&b", "!t": "%d"}`,
	"  \n\t{\"ws\" :\n [ 1 , 2 ] }  \n",
}

// The block-style rewrite of a JSON object holds the same data: yaml.v3 reads the original and
// the rewrite to the same values.
func TestJSONToBlockSame(t *testing.T) {
	for _, s := range jsonBlockSeeds {
		checkJSONToBlock(t, []byte(s), true)
	}
	for _, s := range []string{`[1]`, `"x"`, `{"a": 1`, `{"a": "\ud800"}`, "{\"a\": \"\xff\"}", `{"a":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "}"} {
		if b, ok := jsonToBlock([]byte(s)); ok {
			t.Errorf("%q was rewritten: %q", s, b)
		}
	}
}

func FuzzJSONToBlock(f *testing.F) {
	for _, s := range jsonBlockSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkJSONToBlock(t, []byte(s), false)
	})
}

func checkJSONToBlock(t *testing.T, data []byte, must bool) {
	t.Helper()
	b, ok := jsonToBlock(data)
	if !ok {
		if must {
			t.Errorf("%q not rewritten", data)
		}
		return
	}
	var want any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("%q: rewritten but not JSON: %v", data, err)
	}
	var orig, got any
	origErr := yaml.Unmarshal(data, &orig)
	if err := yaml.Unmarshal(b, &got); err != nil {
		// The loader then loads the original, which fails as well (duplicate keys) or is
		// read as JSON.
		if origErr == nil {
			t.Errorf("%q → %q: %v", data, b, err)
		}
		return
	}
	if origErr == nil && !reflect.DeepEqual(orig, got) {
		t.Errorf("%q → %q:\n got %#v\nwant %#v", data, b, got, orig)
	}
	// Strings, keys and structure agree with encoding/json too (numbers aside: the decoders
	// type them differently).
	if !strings.Contains(string(data), "e") && !strings.Contains(string(data), ".") {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if string(gj) != string(wj) {
			t.Errorf("%q → %q:\n got %s\nwant %s", data, b, gj, wj)
		}
	}
}

// The loader builds the same document from the rewrite as from the JSON itself, references to
// other JSON files included.
func TestLoadJSONBlockSameDocument(t *testing.T) {
	dir := t.TempDir()
	item := `{"get": {"summary": "caf\u00e9 \ud83d\ude00", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}}}}}}`
	if err := os.WriteFile(filepath.Join(dir, "item.json"), []byte(item), 0o644); err != nil {
		t.Fatal(err)
	}
	refs := `{"openapi": "3.0.3", "info": {"title": "r", "version": "1.0"}, "paths": {"/i": {"$ref": "item.json"}},
	  "components": {"schemas": {"X": {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "minimum": 1.5, "example": 12345678901234567}}}}}}`
	for i, doc := range []string{openapi30JSON, string(bigSpec(50, true)), refs} {
		loc := &url.URL{Path: filepath.ToSlash(filepath.Join(dir, "main.json"))}
		want, err := openapiLoadBytes([]byte(doc), loc, false)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		got, err := openapiLoadBytes([]byte(doc), loc, true)
		if err != nil {
			t.Fatalf("%d: rewritten: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			t.Errorf("%d: the rewrite loads differently:\n got %s\nwant %s", i, gj, wj)
		}
	}
}
