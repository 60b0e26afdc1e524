//go:build tools

// Package tools pins dependencies that later issues use, so that go.mod is stable while the
// packages that import them are written in parallel.
package tools

import (
	_ "github.com/alecthomas/kong"
	_ "github.com/tidwall/gjson"
	_ "gopkg.in/yaml.v3"
)
