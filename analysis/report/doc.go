// Package report renders what logtriage found: the terminal report and a request's trace
// (text.go), the postmortem as Markdown and as one self-contained HTML page with SVG charts
// (postmortem.go builds the document both render; markdown.go, html.go, chart.go), the
// regression tests a finding asks for (scripts.go), and the contract and probe reports
// (contract.go, probe.go).
//
// Renderers read only the JSON model (*analysis.Analysis, *analysis.ContractReport,
// *probe.Report), so a saved analysis renders the same report as a live one. Imports point one
// way: parsers ← analysis ← analysis/report ← cmd.
//
// Every table goes through one writer (table.go) and every count through internal/num. Log
// content is hostile: text output escapes control characters (internal/term), Markdown escapes
// what GFM would turn into markup or links, HTML escapes everything, and generated shell
// commands quote every logged value (internal/shell).
package report
