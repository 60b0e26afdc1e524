package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/logtriage/logtriage/internal/limits"
)

// Reading the node tree of a YAML or JSON file (JSON is YAML's flow style): the values the OpenAPI
// reader takes from it hold to what the document's data model says they are, as JSON would carry
// them, so that a document means the same whichever notation it was written in.

// parseSpecFile parses one file of an OpenAPI document. A JSON object is read with encoding/json:
// YAML parsers queue every token of a flow collection until it closes, so a large JSON spec
// parsed as YAML costs time and memory that grow faster than the file. Anything else is read as
// YAML, after the bound on alias expansion.
func parseSpecFile(data []byte, loc string) (*specFile, error) {
	if err := limits.CheckYAML(data, limits.YAMLNodes); err != nil {
		return nil, err
	}
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		if root, err := parseJSON(data); err == nil {
			return &specFile{loc: loc, root: root, json: true}, nil
		}
		// Not JSON after all (flow-style YAML, or broken): the YAML parser says where.
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	var root *yaml.Node
	if len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	if err := checkNodes(root); err != nil {
		return nil, err
	}
	return &specFile{loc: loc, root: root}, nil
}

// checkNodes refuses what a YAML file can hold and a JSON document cannot: a null mapping key
// (no name to read a member under) and an infinite or NaN number. Aliases are not followed: what
// they point to is checked where it is written.
func checkNodes(n *yaml.Node) error {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.ShortTag() == "!!float" {
			switch strings.ToLower(strings.TrimLeft(n.Value, "+-")) {
			case ".inf", ".nan":
				return fmt.Errorf("line %d: %s is not a number JSON can hold", n.Line, n.Value)
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := deref(n.Content[i]); k != nil && k.Kind == yaml.ScalarNode && k.ShortTag() == "!!null" {
				return fmt.Errorf("line %d: a mapping key is null, so it names nothing", n.Content[i].Line)
			}
		}
	}
	for _, c := range n.Content {
		if err := checkNodes(c); err != nil {
			return err
		}
	}
	return nil
}

// parseJSON reads one JSON value into the node tree YAML would give it.
func parseJSON(data []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := jsonValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON value")
	}
	return n, nil
}

func jsonValue(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if t == '{' {
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
		}
		for dec.More() {
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.(string)})
			}
			v, err := jsonValue(dec)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(t), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t)}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t)}, nil
	default: // nil
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
}

// deref returns the node an alias stands for.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's kind for an error: "line 3: !!int 5".
func describe(n *yaml.Node) string {
	var what string
	switch n.Kind {
	case yaml.MappingNode:
		what = "an object"
	case yaml.SequenceNode:
		what = "a list"
	default:
		what = fmt.Sprintf("%s %q", n.ShortTag(), n.Value)
	}
	if n.Line > 0 {
		return fmt.Sprintf("line %d: %s", n.Line, what)
	}
	return what
}

type nodePair struct {
	key   string
	value *yaml.Node
	line  int
	own   bool // written in the mapping itself, not brought in by a merge key (<<)
}

// mappingPairs returns the members of mapping n with YAML merge keys applied: a key the mapping
// writes itself wins over a merged one, and of merged ones the earlier. Keys are read as the text
// they are written as (a key 200 names the member "200").
func mappingPairs(n *yaml.Node) ([]nodePair, error) {
	return mergedPairs(n, map[*yaml.Node]bool{})
}

func mergedPairs(n *yaml.Node, expanding map[*yaml.Node]bool) ([]nodePair, error) {
	pairs := make([]nodePair, 0, len(n.Content)/2)
	var merged []nodePair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: a mapping key that is not a string", n.Content[i].Line)
		}
		if k.ShortTag() == "!!merge" {
			expanding[n] = true
			more, err := mergeSources(n.Content[i+1], expanding)
			if err != nil {
				return nil, err
			}
			merged = append(merged, more...)
			continue
		}
		pairs = append(pairs, nodePair{key: k.Value, value: n.Content[i+1], line: n.Content[i].Line, own: true})
	}
	if len(merged) == 0 {
		return pairs, nil
	}
	seen := make(map[string]bool, len(pairs)+len(merged))
	for _, kv := range pairs {
		seen[kv.key] = true
	}
	for _, kv := range merged {
		if !seen[kv.key] {
			seen[kv.key] = true
			kv.own = false
			pairs = append(pairs, kv)
		}
	}
	return pairs, nil
}

// mergeSources returns the members a merge key's value brings in: those of one mapping, or of a
// list of mappings in order of precedence. A mapping that merges itself brings nothing more.
func mergeSources(v *yaml.Node, expanding map[*yaml.Node]bool) ([]nodePair, error) {
	v = deref(v)
	if v == nil {
		return nil, nil
	}
	switch v.Kind {
	case yaml.MappingNode:
		if expanding[v] {
			return nil, nil
		}
		return mergedPairs(v, expanding)
	case yaml.SequenceNode:
		var out []nodePair
		for _, e := range v.Content {
			more, err := mergeSources(e, expanding)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
		return out, nil
	}
	return nil, nil
}

// pairs returns the members of the object n in order. A key written twice is an error in YAML; in
// JSON the last one counts (in the place of the first).
func (f *specFile) pairs(n *yaml.Node, what string) ([]nodePair, error) {
	pairs, err := mappingPairs(n)
	if err != nil {
		return nil, err
	}
	at := make(map[string]int, len(pairs))
	out := pairs[:0]
	for _, kv := range pairs {
		i, dup := at[kv.key]
		switch {
		case !dup:
			at[kv.key] = len(out)
			out = append(out, kv)
		case f.json:
			out[i].value = kv.value
		case kv.own && out[i].own:
			return nil, fmt.Errorf("line %d: %s: key %q written twice (line %d)", kv.line, what, kv.key, out[i].line)
		}
	}
	return out, nil
}

// object returns the members of the object n by name; nothing for null.
func (f *specFile) object(n *yaml.Node, what string) (map[string]*yaml.Node, error) {
	n = deref(n)
	if n == nil || isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: %s, not an object", what, describe(n))
	}
	pairs, err := f.pairs(n, what)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*yaml.Node, len(pairs))
	for _, kv := range pairs {
		m[kv.key] = kv.value
	}
	return m, nil
}

// str reads a string field; null or absent is "". Another scalar (a number, true) is refused, as
// JSON would: `title: 1` is not the title "1". A date is a string in OpenAPI's data model, and a
// scalar with an application's own tag (!md text) is its text.
func (f *specFile) str(n *yaml.Node, field string) (string, error) {
	n = deref(n)
	if n == nil {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("%s: %s, not a string", field, describe(n))
	}
	switch tag := n.ShortTag(); {
	case tag == "!!null":
		return "", nil
	case tag == "!!str", tag == "!!timestamp", strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!"):
		return n.Value, nil
	}
	return "", fmt.Errorf("%s: %s, not a string", field, describe(n))
}
