//go:build !unix

package parsers

import "testing"

func endlessFIFO(t *testing.T, dir string) string {
	t.Skip("FIFOs are a Unix feature")
	return ""
}
