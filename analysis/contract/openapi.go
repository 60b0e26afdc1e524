package contract

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/logtriage/logtriage/internal/limits"
)

// The OpenAPI reader reads only what a method contract needs: the version, the title, the servers'
// base paths, and per path template the methods its operations document and the servers of the
// path item and of its operations. Everything else in a document (schemas, parameters, responses,
// components) is neither read nor checked. It is written here rather than taken from an OpenAPI
// library because those load the whole object model and, with it, a JSON Schema implementation
// whose package initialisation alone cost every logtriage command about 14 ms.
//
// What it reads it reads as kin-openapi 0.153 did, which logtriage used before, so that a document
// yields the same Document: the differential test (openapi_parity_test.go) holds the two together.
// Where they part on purpose (YAML read by yaml.v3, JSON field names as written, path item $ref
// chains followed and cycles refused, unread parts unchecked, no object as a path) is written down
// in openapi_differences_test.go.

// Document is the method contract of an OpenAPI 3.0, 3.1 or 3.2 document: which methods each path
// template documents, and the base paths its servers put in front of them. It keeps only what a
// method check needs; schemas, parameters and responses are not read.
type Document struct {
	Source  string   `json:"source"`  // the file it was loaded from
	Version string   `json:"openapi"` // the document's "openapi" field
	Title   string   `json:"title,omitempty"`
	Bases   []string `json:"base_paths"` // path part of each server URL ("" for a server at the root)
	Paths   []Path   `json:"paths"`      // in the document's matching order
}

// Path is one path template and the methods it documents.
type Path struct {
	Template string   `json:"path"`
	Methods  []string `json:"methods"` // upper case, sorted
	// Bases overrides the document's base paths when the path item or all its operations name
	// their own servers.
	Bases []string `json:"base_paths,omitempty"`
}

// maxSpecBytes bounds each file read (a path or $ref may name /dev/zero); a variable so that
// tests can lower it.
var maxSpecBytes int64 = limits.SpecBytes

// maxSpecFiles bounds the files one document's $refs may reach, the document itself included;
// maxRefChain bounds how many path item $refs lead one to the next. Variables so that tests can
// lower them.
var (
	maxSpecFiles = 1000
	maxRefChain  = 64
)

// Load reads an OpenAPI document (YAML or JSON) from a file. References to other local
// files are followed; references to URLs are refused, so that loading a spec never touches the
// network.
func Load(path string) (*Document, error) {
	data, err := limits.ReadFile(path, maxSpecBytes)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return openapiLoad(data, filepath.ToSlash(abs), openapiDisplayName(abs, path))
}

// openapiDisplayName names the file as the user would: relative to the working directory when it
// is below it (command-line parsers hand over absolute paths), else as given.
func openapiDisplayName(abs, given string) string {
	wd, err := os.Getwd()
	if err != nil {
		return given
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return given
}

// Parse reads an OpenAPI document from memory; name is used in messages. References to
// other documents are refused.
func Parse(data []byte, name string) (*Document, error) {
	return openapiLoad(data, "", name)
}

// openapiLoad reads the document data, found at the absolute slash-separated path loc ("" for a
// document in memory).
func openapiLoad(data []byte, loc, name string) (*Document, error) {
	doc, err := readDocument(data, loc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	doc.Source = name
	return doc, nil
}

// specReader follows the $refs of one document across the files they name.
type specReader struct {
	files map[string]*specFile // by absolute slash-separated path
}

// specFile is one parsed file of a document.
type specFile struct {
	loc  string     // absolute slash-separated path, "" for a document in memory
	root *yaml.Node // the document's content, alias-free at the top
	json bool       // read as JSON: of repeated keys the last counts, as in encoding/json
}

func readDocument(data []byte, loc string) (*Document, error) {
	root, err := parseSpecFile(data, loc)
	if err != nil {
		return nil, err
	}
	if err := openapiSniff(root.root); err != nil {
		return nil, err
	}
	r := &specReader{files: map[string]*specFile{}}
	if loc != "" {
		r.files[loc] = root
	}
	top, err := root.object(root.root, "the document")
	if err != nil {
		return nil, err
	}
	doc := &Document{}
	if doc.Version, err = root.str(top["openapi"], "openapi"); err != nil {
		return nil, err
	}
	if info := top["info"]; info != nil {
		m, err := root.object(info, "info")
		if err != nil {
			return nil, err
		}
		if doc.Title, err = root.str(m["title"], "info.title"); err != nil {
			return nil, err
		}
	}
	servers, err := root.servers(top["servers"], "servers")
	if err != nil {
		return nil, err
	}
	doc.Bases = openapiBases(servers)
	items, err := root.paths(top["paths"])
	if err != nil {
		return nil, err
	}
	// Every path item is read, and its $refs followed, before the version is judged: a document
	// that fails to load says why first.
	byTemplate := make(map[string]*pathItem, len(items))
	for _, tmpl := range sortedKeys(items) {
		it, err := r.pathItem(root, items[tmpl], nil)
		if err != nil {
			return nil, fmt.Errorf("paths: %q: %w", tmpl, err)
		}
		byTemplate[tmpl] = it
	}
	if !strings.HasPrefix(doc.Version, "3.") {
		return nil, fmt.Errorf("openapi version %q: only OpenAPI 3.x is supported (convert Swagger 2.0 first)", doc.Version)
	}
	if len(items) == 0 {
		return nil, errors.New("the document has no paths")
	}
	for _, tmpl := range matchingOrder(sortedKeys(items)) {
		doc.Paths = append(doc.Paths, byTemplate[tmpl].contract(tmpl))
	}
	return doc, nil
}

// openapiSniff names what is plainly not an OpenAPI 3 document, before it fails on something less
// telling (a Swagger 2.0 file has no "openapi" field and paths of another shape). Only the
// top-level keys count: "swagger" in a description or a tag says nothing.
func openapiSniff(root *yaml.Node) error {
	top := map[string]bool{}
	if root != nil && root.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(root.Content); i += 2 {
			top[root.Content[i].Value] = true
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

// paths returns the path items of the paths object by template. Extensions (x-…) are not paths;
// of a template written twice the last counts.
func (f *specFile) paths(n *yaml.Node) (map[string]*yaml.Node, error) {
	n = deref(n)
	if n == nil || isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("paths: %s, not an object", describe(n))
	}
	pairs, err := mappingPairs(n)
	if err != nil {
		return nil, err
	}
	items := make(map[string]*yaml.Node, len(pairs))
	for _, kv := range pairs {
		if !strings.HasPrefix(kv.key, "x-") {
			items[kv.key] = kv.value
		}
	}
	return items, nil
}

// matchingOrder orders path templates as kin-openapi's Paths.InMatchingOrder did, which the
// Document promises: fewer template expressions first (counted by their closing braces), and
// among equals in descending byte order, so that /pets/mine comes before /pets/{id}.
func matchingOrder(templates []string) []string {
	out := slices.Clone(templates)
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := strings.Count(out[i], "}"), strings.Count(out[j], "}")
		if ci != cj {
			return ci < cj
		}
		return out[i] > out[j]
	})
	return out
}

// fixedMethods are the operation fields of a path item (OpenAPI 3.0–3.2: get … trace, 3.2's
// query) and the method each stands for. connect is none of OpenAPI's, but kin-openapi read it
// and so does this reader.
var fixedMethods = []struct{ field, method string }{
	{"connect", "CONNECT"}, {"delete", "DELETE"}, {"get", "GET"}, {"head", "HEAD"},
	{"options", "OPTIONS"}, {"patch", "PATCH"}, {"post", "POST"}, {"put", "PUT"},
	{"query", "QUERY"}, {"trace", "TRACE"},
}

// pathItem is what a path item says about methods and servers.
type pathItem struct {
	fixed map[string]*operation // by method (GET); an operation written as null is absent
	// additional are OpenAPI 3.2's additionalOperations, by the method as written; null ones
	// are kept (they count as written when a $ref's siblings replace the referenced map).
	additional map[string]*operation
	servers    []*server // nil entries for servers written as null
}

type operation struct {
	servers []*server
}

type server struct {
	url       string
	variables []variable // in document order; null ones left out
}

type variable struct{ name, def string }

// pathItem reads the path item at n in file f with its $ref followed; chain holds the $refs
// that led here (file#pointer), to name a cycle.
func (r *specReader) pathItem(f *specFile, n *yaml.Node, chain []string) (*pathItem, error) {
	m, err := f.object(n, "path item")
	if err != nil {
		return nil, err
	}
	it := &pathItem{fixed: map[string]*operation{}}
	for _, fm := range fixedMethods {
		op, err := f.operation(m[fm.field], fm.field)
		if err != nil {
			return nil, err
		}
		if op != nil {
			it.fixed[fm.method] = op
		}
	}
	if n := deref(m["additionalOperations"]); n != nil && !isNull(n) {
		ops, err := f.object(n, "additionalOperations")
		if err != nil {
			return nil, err
		}
		it.additional = make(map[string]*operation, len(ops))
		for _, method := range sortedKeys(ops) { // in order, so that the error is always the same one
			if it.additional[method], err = f.operation(ops[method], "additionalOperations."+method); err != nil {
				return nil, err
			}
		}
	}
	if it.servers, err = f.servers(m["servers"], "servers"); err != nil {
		return nil, err
	}
	ref, err := f.str(m["$ref"], "$ref")
	if err != nil || ref == "" {
		return it, err
	}
	tf, target, key, err := r.follow(f, ref)
	if err != nil {
		return nil, err
	}
	if slices.Contains(chain, key) {
		return nil, fmt.Errorf("$ref %q: a reference cycle (%s → %s)", ref, strings.Join(chain, " → "), key)
	}
	if len(chain) >= maxRefChain {
		return nil, fmt.Errorf("$ref %q: more than %d path item $refs in a row", ref, maxRefChain)
	}
	resolved, err := r.pathItem(tf, target, append(chain, key))
	if err != nil {
		return nil, fmt.Errorf("$ref %q: %w", ref, err)
	}
	return resolved.with(it), nil
}

// with returns the referenced item p with the fields written next to the $ref, siblings, set
// over its own. OpenAPI leaves a field written in both undefined; the sibling wins, as the summary
// and description of a Reference Object do, and as kin-openapi had it.
func (p *pathItem) with(siblings *pathItem) *pathItem {
	out := &pathItem{fixed: map[string]*operation{}, additional: p.additional, servers: p.servers}
	for m, op := range p.fixed {
		out.fixed[m] = op
	}
	for m, op := range siblings.fixed {
		out.fixed[m] = op
	}
	if len(siblings.additional) > 0 {
		out.additional = siblings.additional
	}
	if len(siblings.servers) > 0 {
		out.servers = siblings.servers
	}
	return out
}

// contract is the Path of template tmpl. An additional operation under the name of a fixed field
// that is set (GET next to get) is that field's; under another spelling (get) it is a method of
// its own, upper-cased like every method.
func (p *pathItem) contract(tmpl string) Path {
	out := Path{Template: tmpl}
	var ops []*operation
	for _, fm := range fixedMethods {
		if op := p.fixed[fm.method]; op != nil {
			out.Methods = append(out.Methods, fm.method)
			ops = append(ops, op)
		}
	}
	for _, method := range sortedKeys(p.additional) {
		if op := p.additional[method]; op != nil && p.fixed[method] == nil {
			out.Methods = append(out.Methods, strings.ToUpper(method))
			ops = append(ops, op)
		}
	}
	sort.Strings(out.Methods)
	var opServers []string
	allOwn := true
	for _, op := range ops {
		if len(op.servers) > 0 {
			opServers = append(opServers, openapiBases(op.servers)...)
		} else {
			allOwn = false
		}
	}
	switch {
	case len(p.servers) > 0:
		out.Bases = openapiBases(p.servers)
	case allOwn && len(opServers) > 0:
		out.Bases = openapiDedup(opServers)
	}
	return out
}

// operation reads an operation object; nil for one written as null or not at all.
func (f *specFile) operation(n *yaml.Node, field string) (*operation, error) {
	n = deref(n)
	if n == nil || isNull(n) {
		return nil, nil
	}
	m, err := f.object(n, field)
	if err != nil {
		return nil, err
	}
	op := &operation{}
	if op.servers, err = f.servers(m["servers"], field+".servers"); err != nil {
		return nil, err
	}
	return op, nil
}

// servers reads a list of server objects; a server written as null stays a nil entry.
func (f *specFile) servers(n *yaml.Node, field string) ([]*server, error) {
	n = deref(n)
	if n == nil || isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s: %s, not a list", field, describe(n))
	}
	out := make([]*server, 0, len(n.Content))
	for i, e := range n.Content {
		e = deref(e)
		if isNull(e) {
			out = append(out, nil)
			continue
		}
		name := field + "[" + strconv.Itoa(i) + "]"
		m, err := f.object(e, name)
		if err != nil {
			return nil, err
		}
		s := &server{}
		if s.url, err = f.str(m["url"], name+".url"); err != nil {
			return nil, err
		}
		if vn := deref(m["variables"]); vn != nil && !isNull(vn) {
			if vn.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("%s.variables: %s, not an object", name, describe(vn))
			}
			pairs, err := f.pairs(vn, name+".variables")
			if err != nil {
				return nil, err
			}
			for _, kv := range pairs {
				v := deref(kv.value)
				if isNull(v) {
					continue
				}
				vm, err := f.object(v, name+".variables."+kv.key)
				if err != nil {
					return nil, err
				}
				def, err := f.str(vm["default"], name+".variables."+kv.key+".default")
				if err != nil {
					return nil, err
				}
				s.variables = append(s.variables, variable{kv.key, def})
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// follow finds the target of the $ref ref written in file f: the file it names (f itself for a
// fragment alone) and the node its JSON pointer fragment names there (the whole file without
// one). key names the target for cycle errors.
func (r *specReader) follow(f *specFile, ref string) (*specFile, *yaml.Node, string, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return nil, nil, "", fmt.Errorf("$ref %q: %w", ref, err)
	}
	tf := f
	if !strings.HasPrefix(ref, "#") {
		if f.loc == "" {
			return nil, nil, "", fmt.Errorf("$ref %q: a document read from memory cannot refer to other files", ref)
		}
		if u.Scheme != "" && u.Scheme != "file" || u.Host != "" || u.Opaque != "" || u.Path == "" {
			return nil, nil, "", fmt.Errorf("$ref %q: reference to %s: only local files are followed", ref, ref)
		}
		loc := u.Path
		if !path.IsAbs(loc) {
			loc = path.Join(path.Dir(f.loc), loc)
		}
		if tf, err = r.file(loc); err != nil {
			return nil, nil, "", fmt.Errorf("$ref %q: %w", ref, err)
		}
	}
	key := tf.loc + "#" + u.Fragment
	if !strings.Contains(ref, "#") {
		return tf, tf.root, key, nil // the whole file is the path item
	}
	n, err := tf.pointer(u.Fragment)
	if err != nil {
		return nil, nil, "", fmt.Errorf("$ref %q: %w", ref, err)
	}
	return tf, n, key, nil
}

// file reads and parses the local file at loc, once per document.
func (r *specReader) file(loc string) (*specFile, error) {
	if f, ok := r.files[loc]; ok {
		return f, nil
	}
	if len(r.files) >= maxSpecFiles {
		return nil, fmt.Errorf("the document's $refs reach more than %d files", maxSpecFiles)
	}
	name := filepath.FromSlash(loc)
	data, err := limits.ReadFile(name, maxSpecBytes)
	if err != nil {
		return nil, err
	}
	f, err := parseSpecFile(data, loc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r.files[loc] = f
	return f, nil
}

// pointer evaluates the JSON pointer fragment (RFC 6901, "" or "/…") in the file.
func (f *specFile) pointer(fragment string) (*yaml.Node, error) {
	n := f.root
	if fragment == "" {
		return n, nil
	}
	if fragment[0] != '/' {
		return nil, fmt.Errorf("the fragment %q is not a JSON pointer (#/…)", fragment)
	}
	for _, tok := range strings.Split(fragment[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch n = deref(n); {
		case n == nil || isNull(n):
			return nil, fmt.Errorf("%q not found in #%s", tok, fragment)
		case n.Kind == yaml.MappingNode:
			pairs, err := mappingPairs(n)
			if err != nil {
				return nil, err
			}
			var next *yaml.Node
			for _, kv := range pairs {
				if kv.key == tok {
					next = kv.value
				}
			}
			if next == nil {
				return nil, fmt.Errorf("%q not found in #%s", tok, fragment)
			}
			n = next
		case n.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) || tok[0] == '+' || tok[0] == '-' {
				return nil, fmt.Errorf("no item %q in #%s", tok, fragment)
			}
			n = n.Content[i]
		default:
			return nil, fmt.Errorf("%q not found in #%s: %s", tok, fragment, describe(n))
		}
	}
	if n = deref(n); n == nil || isNull(n) {
		return nil, fmt.Errorf("#%s is null", fragment)
	}
	return n, nil
}

// openapiBases returns the base path of each server URL, with server variables replaced by
// their defaults. No servers means the root (OpenAPI: a default server with url "/").
func openapiBases(servers []*server) []string {
	var out []string
	for _, s := range servers {
		if s == nil {
			continue
		}
		u := s.url
		for _, v := range s.variables {
			u = strings.ReplaceAll(u, "{"+v.name+"}", v.def)
		}
		out = append(out, openapiBasePath(u))
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return openapiDedup(out)
}

// openapiBasePath returns the path part of a server URL without a trailing slash:
// "https://api.example.com/v1/" → "/v1", "/" → "", "//cdn.example.com/x" → "/x".
func openapiBasePath(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if j := strings.IndexByte(u, '/'); j >= 0 {
			u = u[j:]
		} else {
			u = ""
		}
	} else if strings.HasPrefix(u, "//") {
		u = u[2:]
		if j := strings.IndexByte(u, '/'); j >= 0 {
			u = u[j:]
		} else {
			u = ""
		}
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	u = strings.TrimRight(u, "/")
	if u != "" && u[0] != '/' {
		u = "/" + u // a relative server URL ("v1") is relative to the document; assume the root
	}
	return u
}

func openapiDedup(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
