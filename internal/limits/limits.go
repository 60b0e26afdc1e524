// Package limits bounds what logtriage reads whole into memory: configuration files, specs and
// saved analyses (a path may name /dev/zero or an endless pipe), and the expansion of YAML
// aliases (a few hundred bytes of nested aliases stand for billions of nodes).
package limits

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"gopkg.in/yaml.v3"
)

// Bounds, stated in the README's Limits section.
const (
	// ConfigBytes is the largest configuration file read (nginx, Envoy, Apache, HAProxy; each
	// included file counts on its own).
	ConfigBytes = 16 << 20
	// SpecBytes is the largest OpenAPI document read (each referenced file on its own).
	SpecBytes = 64 << 20
	// AnalysisBytes is the largest saved analysis report reads.
	AnalysisBytes = 1 << 30
	// YAMLNodes is the most nodes the aliases of a YAML document may add once expanded.
	YAMLNodes = 1_000_000
)

// ErrAliases is wrapped by the error of YAML.
var ErrAliases = errors.New("YAML aliases expand too far")

// ErrTooLarge is wrapped by the errors of ReadAll, ReadFile and ReadFS for an input over its
// bound.
var ErrTooLarge = errors.New("too large")

// ReadAll reads r to its end, failing once more than max bytes came; name is used in the error.
func ReadAll(r io.Reader, max int64, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %s (%w): name the file itself, not a device or an endless stream", name, Size(max), ErrTooLarge)
	}
	return data, nil
}

// ReadFile reads the file name, at most max bytes.
func ReadFile(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, max, name)
}

// ReadFS reads name from fsys, at most max bytes.
func ReadFS(fsys fs.FS, name string, max int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, max, name)
}

// Size writes a byte count in binary units: "64 MiB", "1 GiB".
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// YAML fails when following the document's aliases would visit more than max nodes beyond the
// document's own: a walk that follows aliases visits that many. The count is memoised per node,
// so the check itself is linear in the document's size.
func YAML(doc *yaml.Node, max int) error {
	own := 0
	var size func(n *yaml.Node)
	size = func(n *yaml.Node) {
		if n == nil {
			return
		}
		own++
		for _, k := range n.Content {
			size(k)
		}
	}
	size(doc)
	limit := own + max
	memo := map[*yaml.Node]int{}
	var count func(n *yaml.Node, depth int) int
	count = func(n *yaml.Node, depth int) int {
		if n == nil {
			return 0
		}
		if c, ok := memo[n]; ok {
			return c
		}
		if depth > 10_000 {
			return limit + 1
		}
		memo[n] = limit + 1 // an alias cycle counts as too many
		c := 1
		if n.Kind == yaml.AliasNode {
			c += count(n.Alias, depth+1)
		}
		for _, k := range n.Content {
			if c > limit {
				break
			}
			c += count(k, depth+1)
		}
		if c > limit {
			c = limit + 1
		}
		memo[n] = c
		return c
	}
	if count(doc, 0) > limit {
		return fmt.Errorf("%w: by more than %d nodes; write the document without anchors (&) and aliases (*), or with fewer", ErrAliases, max)
	}
	return nil
}

// CheckYAML fails when data is a YAML document whose aliases would add more than max nodes once
// expanded. Expansion needs an anchor (&name) and an alias (*name): a byte scan finds the
// candidates of both first, and only a document that has both is parsed and counted with YAML.
// So a large document without aliases (JSON, or a generated OpenAPI spec) costs one pass over
// its bytes rather than a second parse. A document yaml.v3 cannot parse passes: whoever parses
// it next reports the syntax error.
func CheckYAML(data []byte, max int) error {
	if !mayAlias(data) {
		return nil
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil {
		return nil
	}
	return YAML(&doc, max)
}

// mayAlias reports whether data holds both an anchor and an alias candidate: '&' and '*' each
// followed by a byte that can start a name. A YAML anchor or alias name is one or more
// non-space characters other than the flow indicators ,[]{} (YAML 1.2, ns-anchor-name), so
// every real anchor and alias is a candidate; text such as "a & b", "*/*" or "a&b" in a
// string may be one too, which costs only the exact check. The scan is over bytes, so it
// also holds for UTF-16 documents (the NUL byte after '&' counts as a name's start).
func mayAlias(data []byte) bool {
	return hasNameAfter(data, '&') && hasNameAfter(data, '*')
}

func hasNameAfter(data []byte, c byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], c)
		if j < 0 {
			return false
		}
		i += j + 1
		if i == len(data) {
			return false
		}
		switch data[i] {
		case ' ', '\t', '\r', '\n', ',', '[', ']', '{', '}':
		default:
			return true
		}
	}
}

// UnmarshalYAML parses data into a node tree and checks it with YAML(…, YAMLNodes).
func UnmarshalYAML(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if err := YAML(&doc, YAMLNodes); err != nil {
		return nil, err
	}
	return &doc, nil
}
