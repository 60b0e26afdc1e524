package contract

// The kin-openapi reader logtriage used until openapi.go replaced it, kept as the oracle of the
// differential test (openapi_parity_test.go): the code is as it was in analysis/contract/openapi.go,
// only renamed (Load is kinLoad, Parse kinParse, openapiLoad kinOpenapiLoad, openapiSniff kinSniff,
// openapiBases kinBases); jsonblock_kin_test.go holds the JSON rewrite it used, as it was.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/logtriage/logtriage/internal/limits"
)

// kinLoad is the Load of the kin-openapi reader.
func kinLoad(path string) (*Document, error) {
	data, err := limits.ReadFile(path, maxSpecBytes)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return kinOpenapiLoad(data, &url.URL{Path: filepath.ToSlash(abs)}, openapiDisplayName(abs, path))
}

// kinParse is the Parse of the kin-openapi reader.
func kinParse(data []byte, name string) (*Document, error) {
	return kinOpenapiLoad(data, nil, name)
}

func kinOpenapiLoad(data []byte, location *url.URL, name string) (*Document, error) {
	// The loader expands every alias while decoding: bound the expansion first. A document
	// without anchor and alias candidates costs a byte scan, not a parse of its own.
	if err := limits.CheckYAML(data, limits.YAMLNodes); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// A JSON document (and each JSON document it references) is handed to the loader in block
	// style first (jsonblock_kin_test.go); should that fail to load, the original bytes are
	// loaded, and their error is the one reported.
	doc, err := openapiLoadBytes(data, location, true)
	if err != nil {
		doc, err = openapiLoadBytes(data, location, false)
	}
	// What is plainly not an OpenAPI 3 document gets a clearer error than the loader's: the
	// top-level keys are read only when the document failed to load or may be one of those
	// (a "swagger" key is kept as an extension).
	if err != nil || openapiHasKey(doc.Extensions, "swagger") || !strings.HasPrefix(doc.OpenAPI, "3.") {
		if serr := kinSniff(data); serr != nil {
			return nil, fmt.Errorf("%s: %w", name, serr)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return nil, fmt.Errorf("%s: openapi version %q: only OpenAPI 3.x is supported (convert Swagger 2.0 first)", name, doc.OpenAPI)
	}
	if doc.Paths == nil || doc.Paths.Len() == 0 {
		return nil, fmt.Errorf("%s: the document has no paths", name)
	}
	spec := &Document{Source: name, Version: doc.OpenAPI, Bases: kinBases(doc.Servers)}
	if doc.Info != nil {
		spec.Title = doc.Info.Title
	}
	for _, tmpl := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(tmpl)
		if item == nil {
			continue
		}
		p := Path{Template: tmpl}
		var opServers []string
		allOwn := true
		for method, op := range item.Operations() {
			p.Methods = append(p.Methods, strings.ToUpper(method))
			if op != nil && op.Servers != nil && len(*op.Servers) > 0 {
				opServers = append(opServers, kinBases(*op.Servers)...)
			} else {
				allOwn = false
			}
		}
		sort.Strings(p.Methods)
		switch {
		case len(item.Servers) > 0:
			p.Bases = kinBases(item.Servers)
		case allOwn && len(opServers) > 0:
			p.Bases = openapiDedup(opServers)
		}
		spec.Paths = append(spec.Paths, p)
	}
	return spec, nil
}

// openapiLoadBytes runs the loader on data; block says whether JSON documents are rewritten in
// block style first.
func openapiLoadBytes(data []byte, location *url.URL, block bool) (*openapi3.T, error) {
	if block {
		b, ok := jsonToBlock(data)
		if !ok {
			return nil, errNotRewritten
		}
		data = b
	}
	loader := openapi3.NewLoader()
	loader.Context = context.Background()
	if location == nil {
		return loader.LoadFromData(data)
	}
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(loader *openapi3.Loader, location *url.URL) ([]byte, error) {
		data, err := openapiReadLocal(loader, location)
		if err == nil && block {
			if b, ok := jsonToBlock(data); ok {
				data = b
			}
		}
		return data, err
	}
	return loader.LoadFromDataWithPath(data, location)
}

// errNotRewritten says that the document is not a JSON object to rewrite (it is loaded as it is).
var errNotRewritten = errors.New("not a JSON object")

// openapiSniff names what is plainly not an OpenAPI 3 document, which the loader fails on with a
// less helpful error or loads as an empty OpenAPI 3 document (a Swagger 2.0 file).
func kinSniff(data []byte) error {
	// Only the top-level keys count: "swagger" in a description or a tag says nothing.
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil // the loader reports the syntax error with its position
	}
	top := map[string]bool{}
	if len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
		m := doc.Content[0].Content
		for i := 0; i+1 < len(m); i += 2 {
			top[m[i].Value] = true
		}
	}
	if top["swagger"] {
		return fmt.Errorf("this is a Swagger 2.0 document; only OpenAPI 3.x is supported (convert it first)")
	}
	if !top["openapi"] {
		return fmt.Errorf("no top-level \"openapi\" field: not an OpenAPI 3 document")
	}
	return nil
}

func openapiHasKey(m map[string]any, key string) bool {
	_, ok := m[key]
	return ok
}

// openapiReadLocal reads referenced documents from local files only.
func openapiReadLocal(loader *openapi3.Loader, location *url.URL) ([]byte, error) {
	if location.Scheme != "" && location.Scheme != "file" || location.Host != "" {
		return nil, fmt.Errorf("reference to %s: only local files are followed", location)
	}
	name := filepath.FromSlash(location.Path)
	data, err := limits.ReadFile(name, maxSpecBytes)
	if err != nil {
		return nil, err
	}
	// The loader expands the referenced document's aliases too; a syntax error is its to report.
	if err := limits.CheckYAML(data, limits.YAMLNodes); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

// openapiBases returns the base path of each server URL, with server variables replaced by
// their defaults. No servers means the root (OpenAPI: a default server with url "/").
func kinBases(servers openapi3.Servers) []string {
	if len(servers) == 0 {
		return []string{""}
	}
	var out []string
	for _, s := range servers {
		if s == nil {
			continue
		}
		u := s.URL
		for name, v := range s.Variables {
			if v != nil {
				u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
			}
		}
		out = append(out, openapiBasePath(u))
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return openapiDedup(out)
}
