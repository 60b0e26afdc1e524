package probe

import (
	"encoding/json"
	"io"
)

// WriteJSON writes the report as an indented JSON document. The text and Markdown renderings
// are in analysis/report.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
