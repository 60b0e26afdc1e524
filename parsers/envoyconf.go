package parsers

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/logtriage/logtriage/internal/limits"
)

// EnvoyAccessLog is one file (or stdout/stderr) access log found in an Envoy configuration:
// where it writes and the format it writes with. Exactly one of Text and JSON is set; Text is
// EnvoyDefaultFormat when the log sets no format.
type EnvoyAccessLog struct {
	Path string
	Text string
	JSON map[string]string // JSON key (dotted for nested objects) → format string
}

// LoadEnvoyConfig reads an Envoy bootstrap or listener configuration in YAML (or JSON) and
// returns every file, stdout and stderr access log it declares, wherever it sits (HTTP
// connection manager, TCP proxy, listener). It understands the v3 typed_config with log_format
// (text_format, text_format_source.inline_string, json_format), the deprecated format,
// json_format and typed_json_format fields, and v2 "config" blocks.
func LoadEnvoyConfig(path string) ([]EnvoyAccessLog, error) {
	data, err := limits.ReadFile(path, limits.ConfigBytes)
	if err != nil {
		return nil, err
	}
	doc, err := limits.UnmarshalYAML(data) // the walk follows aliases: bound their expansion
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var logs []EnvoyAccessLog
	envoyWalkConfig(doc, &logs, 0)
	return logs, nil
}

// envoyWalkConfig looks for access_log sequences anywhere in the document.
func envoyWalkConfig(n *yaml.Node, logs *[]EnvoyAccessLog, depth int) {
	n = envoyDeref(n)
	if n == nil || depth > 100 {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			envoyWalkConfig(c, logs, depth+1)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], envoyDeref(n.Content[i+1])
			if (k.Value == "access_log" || k.Value == "access_logs") && v != nil && v.Kind == yaml.SequenceNode {
				for _, e := range v.Content {
					if l, ok := envoyAccessLogEntry(envoyDeref(e)); ok {
						*logs = append(*logs, l)
					}
				}
				continue
			}
			envoyWalkConfig(v, logs, depth+1)
		}
	}
}

func envoyDeref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 10; i++ {
		n = n.Alias
	}
	return n
}

// envoyGet returns the value of key in mapping n, or nil.
func envoyGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return envoyDeref(n.Content[i+1])
		}
	}
	return nil
}

func envoyScalar(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return "", false
	}
	return n.Value, true
}

// envoyAccessLogEntry reads one element of an access_log list.
func envoyAccessLogEntry(e *yaml.Node) (EnvoyAccessLog, bool) {
	name, _ := envoyScalar(envoyGet(e, "name"))
	cfg := envoyGet(e, "typed_config")
	if cfg == nil {
		cfg = envoyGet(e, "config") // v2
	}
	typ, _ := envoyScalar(envoyGet(cfg, "@type"))
	var l EnvoyAccessLog
	kind := typ
	if kind == "" {
		kind = name
	}
	kind = strings.ToLower(kind)
	switch {
	case strings.Contains(kind, "fileaccesslog") || strings.Contains(kind, "file"):
		l.Path, _ = envoyScalar(envoyGet(cfg, "path"))
		if l.Path == "" {
			return l, false
		}
	case strings.Contains(kind, "stdout"):
		l.Path = "/dev/stdout"
	case strings.Contains(kind, "stderr"):
		l.Path = "/dev/stderr"
	default:
		return l, false // gRPC, OpenTelemetry, … loggers do not write a file we can read
	}
	if lf := envoyGet(cfg, "log_format"); lf != nil {
		if s, ok := envoyScalar(envoyGet(lf, "text_format")); ok {
			l.Text = s
		} else if s, ok := envoyScalar(envoyGet(envoyGet(lf, "text_format_source"), "inline_string")); ok {
			l.Text = s
		} else if j := envoyGet(lf, "json_format"); j != nil {
			l.JSON = envoyFlattenJSON(j)
		}
	} else if s, ok := envoyScalar(envoyGet(cfg, "format")); ok {
		l.Text = s
	} else if j := envoyGet(cfg, "json_format"); j != nil {
		l.JSON = envoyFlattenJSON(j)
	} else if j := envoyGet(cfg, "typed_json_format"); j != nil {
		l.JSON = envoyFlattenJSON(j)
	}
	if l.Text == "" && l.JSON == nil {
		l.Text = EnvoyDefaultFormat
	}
	return l, true
}

// envoyFlattenJSON turns a json_format mapping into key → format string, nested keys dotted.
func envoyFlattenJSON(n *yaml.Node) map[string]string {
	m := map[string]string{}
	var walk func(n *yaml.Node, prefix string, depth int)
	walk = func(n *yaml.Node, prefix string, depth int) {
		if n == nil || n.Kind != yaml.MappingNode || depth > 16 {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, envoyDeref(n.Content[i+1])
			switch {
			case v == nil:
			case v.Kind == yaml.MappingNode:
				walk(v, prefix+k+".", depth+1)
			case v.Kind == yaml.ScalarNode:
				m[prefix+k] = v.Value
			}
		}
	}
	walk(n, "", 0)
	return m
}

// EnvoyParserFor returns a parser for the access log written to logPath, choosing among logs
// by exact path first, then by base name (logs copied off the host keep their name but not
// their directory). The boolean is false when no log matches.
func EnvoyParserFor(logs []EnvoyAccessLog, logPath string) (*EnvoyParser, bool, error) {
	match := func(same func(a, b string) bool) (*EnvoyParser, bool, error) {
		for _, l := range logs {
			if !same(l.Path, logPath) {
				continue
			}
			p, err := compileEnvoyLog(l)
			if err != nil {
				return nil, true, fmt.Errorf("access log %s: %w", l.Path, err)
			}
			return p, true, nil
		}
		return nil, false, nil
	}
	if logPath == "" {
		return nil, false, errors.New("no log path")
	}
	if p, ok, err := match(func(a, b string) bool { return filepath.Clean(a) == filepath.Clean(b) }); ok {
		return p, ok, err
	}
	return match(func(a, b string) bool { return logBase(a) == logBase(b) })
}

// compileEnvoyLog compiles an access log's format and checks that it carries the response code
// or the method (formatnames.go).
func compileEnvoyLog(l EnvoyAccessLog) (*EnvoyParser, error) {
	var p *EnvoyParser
	var err error
	if l.JSON != nil {
		p, err = CompileEnvoyJSON(l.JSON)
	} else {
		p, err = CompileEnvoy(l.Text)
	}
	if err == nil {
		err = p.CheckFields()
	}
	return p, err
}
