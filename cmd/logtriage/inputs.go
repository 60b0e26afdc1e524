package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/logtriage/logtriage/analysis/report"
	"github.com/logtriage/logtriage/internal/num"
	"github.com/logtriage/logtriage/internal/term"
	"github.com/logtriage/logtriage/parsers"
)

// inputFlags are shared by every command that reads logs.
type inputFlags struct {
	Inputs []string `arg:"" name:"INPUT" help:"Log files, globs, directories or - for stdin; prefix NAME= to name the layer (edge=nginx.log). Without NAME=, the layer is the format name."`

	Format         formatName        `help:"Force the format of every input instead of detecting it: nginx, envoy, alb, app, apache, haproxy, caddy, traefik or iis." values:"nginx,envoy,alb,app,apache,haproxy,caddy,traefik,iis" placeholder:"FORMAT"`
	NginxFormat    string            `name:"nginx-format" help:"nginx log_format string for custom nginx logs (may start with escape=json)." placeholder:"STRING"`
	NginxConf      string            `name:"nginx-conf" help:"nginx configuration file: its log_format and access_log directives (includes followed) choose each log file's format." type:"existingfile" placeholder:"FILE"`
	EnvoyFormat    string            `name:"envoy-format" help:"Envoy access log format string for custom Envoy text logs." placeholder:"STRING"`
	EnvoyConfig    string            `name:"envoy-config" help:"Envoy YAML bootstrap: its file access logs' formats choose each log file's format." type:"existingfile" placeholder:"FILE"`
	AppField       map[string]string `name:"app-field" help:"Read an application log field from another JSON key: --app-field status=http.status (repeatable)." placeholder:"FIELD=KEY"`
	ApacheFormat   string            `name:"apache-format" help:"Apache httpd LogFormat string for custom Apache logs (as in the configuration, without the outer quotes)." placeholder:"STRING"`
	ApacheConf     string            `name:"apache-conf" help:"Apache httpd configuration (apache2.conf or httpd.conf): its LogFormat and CustomLog directives (Include followed) choose each log file's format; its method rules (LimitExcept, Limit, Require method, AllowMethods, RewriteCond on the method) are named in the evidence." type:"existingfile" placeholder:"FILE"`
	HAProxyConf    string            `name:"haproxy-conf" help:"HAProxy configuration (haproxy.cfg): captured request headers by name, and the http-request rules that answer, named in the evidence." type:"existingfile" placeholder:"FILE"`
	TrustedProxies string            `name:"trusted-proxies" help:"Proxy address ranges skipped in X-Forwarded-For to find the original client (comma-separated CIDR, or none). Default: private, CGNAT, loopback and link-local ranges." placeholder:"CIDRS"`

	GunicornFormat string            `name:"gunicorn-format" help:"gunicorn access_log_format string (%(h)s %(t)s \"%(r)s\" …) for gunicorn access logs written with a custom format." placeholder:"STRING"`
	AppLayer       []string          `name:"app-layer" help:"Layer whose inputs are applications (repeatable): read as format app, so that gunicorn's, morgan's or Tomcat's Combined/Common Log Format lines are not taken for nginx's." placeholder:"LAYER"`
	TZ             map[string]string `name:"tz" help:"Time zone of a layer whose log lines give none (Gin, chi, werkzeug, Django's runserver and Python's logging write the server's local time, otherwise read as UTC): --tz gin=+01:00 or --tz gin=Europe/Berlin (repeatable)." placeholder:"LAYER=ZONE"`

	Since   string `help:"Keep records at or after this time: RFC 3339 (2026-11-24T10:00:00Z), a date, or a duration before now (2h)." placeholder:"TIME"`
	Until   string `help:"Keep records before this time (same forms as --since)." placeholder:"TIME"`
	MaxLine int    `name:"max-line" help:"Longest line read, in bytes; longer lines are rejected and the run goes on." default:"4194304"`
	Strict  bool   `help:"Exit with status 4 when any line was rejected."`
	Quiet   bool   `short:"q" help:"Do not print the per-input summary or the progress line on stderr."`

	noProgress bool // the command writes JSON: no progress line on stderr either

	since, until time.Time // the window --since and --until gave, once window has read them
}

// config turns the flags into a parsers.Config, reading the configuration files.
func (f *inputFlags) config(stderr io.Writer) (*parsers.Config, error) {
	c := &parsers.Config{Format: string(f.Format), NginxFormat: f.NginxFormat, EnvoyFormat: f.EnvoyFormat, AppFields: f.AppField,
		ApacheFormat: f.ApacheFormat}
	if f.ApacheFormat != "" {
		if _, err := parsers.CompileApache(f.ApacheFormat); err != nil {
			return nil, usageErr("--apache-format: %v", err)
		}
	}
	if f.ApacheConf != "" {
		conf, err := parsers.LoadApacheConf(f.ApacheConf)
		if err != nil {
			return nil, usageErr("--apache-conf: %v", err)
		}
		c.ApacheConf = conf
		for _, w := range conf.Warnings {
			fmt.Fprintln(stderr, "warning: --apache-conf:", w)
		}
	}
	if f.NginxFormat != "" {
		p, err := parsers.CompileNginx(f.NginxFormat)
		if err == nil {
			err = p.CheckFields()
		}
		if err != nil {
			return nil, usageErr("--nginx-format: %v", err)
		}
	}
	if f.EnvoyFormat != "" {
		p, err := parsers.CompileEnvoy(f.EnvoyFormat)
		if err == nil {
			err = p.CheckFields()
		}
		if err != nil {
			return nil, usageErr("--envoy-format: %v", err)
		}
	}
	if f.HAProxyConf != "" {
		conf, err := parsers.LoadHAProxyConf(f.HAProxyConf)
		if err != nil {
			return nil, usageErr("--haproxy-conf: %v", err)
		}
		c.HAProxyConf = conf
	}
	if f.TrustedProxies != "" {
		t, err := parsers.ParseTrustedProxies(f.TrustedProxies)
		if err != nil {
			return nil, usageErr("--trusted-proxies: %v", err)
		}
		c.TrustedProxies = t
	}
	if f.GunicornFormat != "" {
		if _, err := parsers.NewGunicorn(f.GunicornFormat); err != nil {
			return nil, usageErr("--gunicorn-format: %v", err)
		}
		c.GunicornFormat = f.GunicornFormat
	}
	if len(f.AppLayer) > 0 {
		if f.Format != "" && f.Format != parsers.FormatApp {
			return nil, usageErr("--app-layer reads its layers as format app; it cannot be combined with --format %s", f.Format)
		}
		c.AppLayers = f.AppLayer
	}
	for layer, zone := range f.TZ {
		loc, err := parsers.ParseZone(zone)
		if err != nil {
			return nil, usageErr("--tz %s=%s: %v", layer, zone, err)
		}
		if c.Zones == nil {
			c.Zones = map[string]*time.Location{}
		}
		c.Zones[layer] = loc
	}
	if len(f.AppField) > 0 {
		if _, err := parsers.NewApp(f.AppField); err != nil {
			return nil, usageErr("--app-field: %v", err)
		}
	}
	if f.NginxConf != "" {
		conf, err := parsers.LoadNginxConf(f.NginxConf)
		if err != nil {
			return nil, usageErr("--nginx-conf: %v", err)
		}
		c.NginxConf = conf
		for _, w := range conf.Warnings {
			fmt.Fprintln(stderr, "warning: --nginx-conf:", w)
		}
	}
	if f.EnvoyConfig != "" {
		logs, err := parsers.LoadEnvoyConfig(f.EnvoyConfig)
		if err != nil {
			return nil, usageErr("--envoy-config: %v", err)
		}
		if len(logs) == 0 {
			return nil, usageErr("--envoy-config: %s defines no file access log", f.EnvoyConfig)
		}
		c.EnvoyLogs = logs
	}
	return c, nil
}

func (f *inputFlags) inputs(stdin io.Reader, stderr io.Writer) ([]parsers.Input, error) {
	in, skipped, err := parsers.ExpandInputsSkipping(f.Inputs)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	if !f.Quiet {
		skippedNote(stderr, skipped)
	}
	for i := range in {
		in[i].Stdin = stdin
	}
	return in, nil
}

// maxSkippedNames bounds the files one note names; the others are counted.
const maxSkippedNames = 12

// skippedNote says, one line per directory, which files a directory walk left out (not logs by
// their names, or binary), so that none is lost without a word, and none fills the summary with
// an error or rejected lines either.
func skippedNote(w io.Writer, skipped []parsers.Skipped) {
	for len(skipped) > 0 {
		dir := skipped[0].Dir
		n := 1
		for n < len(skipped) && skipped[n].Dir == dir {
			n++
		}
		var names []string
		for _, s := range skipped[:min(n, maxSkippedNames)] {
			name := s.Path
			if rel, err := filepath.Rel(dir, s.Path); err == nil && !strings.HasPrefix(rel, "..") {
				name = rel
				if strings.HasSuffix(s.Path, string(filepath.Separator)) {
					name += string(filepath.Separator)
				}
			}
			if s.Why != "" && s.Why != "hidden directory" {
				name += " (" + s.Why + ")"
			}
			names = append(names, name)
		}
		if n > maxSkippedNames {
			names = append(names, fmt.Sprintf("… and %s more", num.Thousands(n-maxSkippedNames)))
		}
		term.Fprintf(w, "note: %s: left out %s (by name: documentation, configuration, code, hidden; or binary): %s; name a file as an input to read it anyway\n",
			dir, counted(int64(n), "file that is not a log", "files that are not logs"), strings.Join(names, ", "))
		skipped = skipped[n:]
	}
}

func (f *inputFlags) window(now time.Time) (since, until time.Time, err error) {
	if since, err = parseWhen(f.Since, now); err != nil {
		return since, until, usageErr("--since: %v", err)
	}
	if until, err = parseWhen(f.Until, now); err != nil {
		return since, until, usageErr("--until: %v", err)
	}
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		return since, until, usageErr("--since %s is not before --until %s", f.Since, f.Until)
	}
	f.since, f.until = since, until
	return since, until, nil
}

// windowNote says on stderr that records were parsed but none lies in the --since/--until
// window, which the report alone would put as "No 405 responses found" of logs that may hold
// some: a duration counts back from now, and a log's times may be far from it.
func windowNote(stderr io.Writer, stats []parsers.Stats, kept int64, f *inputFlags) {
	if kept > 0 || (f.since.IsZero() && f.until.IsZero()) {
		return
	}
	var parsed int64
	for _, s := range stats {
		parsed += s.Parsed
	}
	if parsed == 0 {
		return
	}
	var w []string
	if !f.since.IsZero() {
		w = append(w, "from "+f.since.UTC().Format(time.RFC3339))
	}
	if !f.until.IsZero() {
		w = append(w, "before "+f.until.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(stderr, "logtriage: none of the %s records parsed lies in the time window (%s): check --since/--until against the times in the logs\n",
		num.Thousands(parsed), strings.Join(w, ", "))
}

// parseWhen reads an absolute time (RFC 3339, with or without zone, or a date) or a duration
// before now ("90m", "2h", "3d").
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	// The longest duration time.Duration holds is about 106751 days (292 years); a longer one
	// would wrap around silently.
	const maxDays = int64(math.MaxInt64 / int64(24*time.Hour))
	if strings.HasSuffix(s, "d") {
		if n, err := strconv.ParseInt(strings.TrimSuffix(s, "d"), 10, 64); err == nil && n >= 0 {
			if n > maxDays {
				return time.Time{}, fmt.Errorf("%q is more than %d days (the longest duration logtriage can subtract); give a date instead (2026-01-01)", s, maxDays)
			}
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			d = -d
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither a time (2026-11-24T10:00:00Z, 2026-11-24) nor a duration (2h, 30m, 1d)", s)
}

// inputSummary prints the per-input summary to stderr and returns the exit code it implies.
func inputSummary(w io.Writer, stats []parsers.Stats, strict, quiet bool) int {
	code := exitOK
	var read, parsed, rejected, blank, skipped, filtered int64
	failed := 0
	for _, s := range stats {
		if allRejected(s) {
			failed++
		}
		blank += s.Blank
		skipped += s.Skipped
		filtered += s.Filtered
		read += s.Read
		parsed += s.Parsed
		rejected += s.Rejected
		if s.Err != "" {
			failed++
		}
	}
	if !quiet {
		rows := make([]parsers.Stats, len(stats))
		copy(rows, stats)
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Input < rows[j].Input })
		// BLANK (blank lines, also inside a container runtime's wrapper) and FILTERED (lines
		// a status filter ruled out unparsed, parsers/prefilter.go) are shown only when some
		// input has any, so that the table reads as before otherwise; with them, a row's
		// counts add up to READ.
		head := []string{"INPUT", "LAYER", "FORMAT", "READ", "PARSED", "REJECTED", "SKIPPED"}
		if blank > 0 {
			head = append(head, "BLANK")
		}
		if filtered > 0 {
			head = append(head, "FILTERED")
		}
		t := report.NewTable(head...).AlignRight(3, 4, 5, 6, 7, 8)
		row := func(cells ...string) {
			if blank == 0 {
				cells = append(cells[:7], cells[8:]...)
			}
			t.Row(cells[:len(head)]...)
		}
		for _, s := range foldInputs(rows) {
			name := clip(s.Input, 40)
			if s.files > 1 {
				last := s.last
				if filepath.Dir(last) == filepath.Dir(s.Input) {
					last = filepath.Base(last)
				}
				name = num.Thousands(s.files) + " files: " + clip(s.Input, 40) + " … " + clip(last, 24)
			}
			row(name, clip(s.Layer, 10), s.Format, num.Thousands(s.Read), num.Thousands(s.Parsed),
				num.Thousands(s.Rejected), num.Thousands(s.Skipped), num.Thousands(s.Blank), num.Thousands(s.Filtered))
		}
		if len(rows) > 1 {
			row("total", "", "", num.Thousands(read), num.Thousands(parsed), num.Thousands(rejected),
				num.Thousands(skipped), num.Thousands(blank), num.Thousands(filtered))
		}
		t.Write(w)
		shown := 0 // examples of rejected lines, over every input
		for i, s := range rows {
			if shown >= maxExamples {
				// Only when the inputs not shown have rejected lines; parse has no -o json.
				var more, in int64
				for _, r := range rows[i:] {
					if r.Rejected > 0 {
						more += r.Rejected
						in++
					}
				}
				if more > 0 {
					inputs := "other inputs"
					if in == 1 {
						inputs = "another input"
					} else {
						inputs = num.Thousands(in) + " " + inputs
					}
					term.Fprintf(w, "… and %s in %s (logtriage analyze -o json lists examples of every input's)\n", counted(more, "rejected line", "rejected lines"), inputs)
				}
				break
			}
			for _, e := range s.Examples {
				term.Fprintf(w, "rejected %s: %s\n", e.Source, e.Reason)
				shown++
			}
			if s.Rejected > int64(len(s.Examples)) && len(s.Examples) > 0 {
				term.Fprintf(w, "… and %s in %s\n", counted(s.Rejected-int64(len(s.Examples)), "more rejected line", "more rejected lines"), s.Input)
			}
		}
	}
	for _, s := range stats {
		if s.Note != "" && !quiet {
			term.Fprintf(w, "note: %s: %s\n", s.Input, s.Note)
		}
		if s.Err != "" {
			term.Fprintf(w, "error: %s\n", s.Err)
		}
		if allRejected(s) {
			if tooLong(s) {
				term.Fprintf(w, "error: every line of %s was rejected (reasons above), those shown for their length: raise --max-line\n", s.Input)
			} else {
				term.Fprintf(w, "error: every line of %s was rejected (reasons above): it is not in the format it was read as; give its format (--format, --nginx-format, --envoy-format, …)\n", s.Input)
			}
		}
	}
	switch {
	case noneRead(stats):
		code = exitFatal
	case failed > 0:
		code = exitPartial
	case strict && rejected > 0:
		fmt.Fprintf(w, "--strict: %s rejected\n", counted(rejected, "line", "lines"))
		code = exitRejected
	}
	return code
}

// counted writes n with the noun that agrees with it: "1 rejected line", "2,000 rejected lines".
func counted(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return num.Thousands(n) + " " + many
}

// maxExamples: the examples of rejected lines stop after the input that reaches it (a directory
// of ALB objects is hundreds of inputs).
const maxExamples = 20

// inputRow is a row of the summary: one input, or the files of a layer (files > 1; Input is
// the first one's name, last the last one's) with their counts summed.
type inputRow struct {
	parsers.Stats
	files int
	last  string
}

// foldInputs returns the summary's rows for rows sorted by name, a layer of many files folded
// into one as in the reports' inputs tables (report.FoldInputs).
func foldInputs(rows []parsers.Stats) []inputRow {
	var out []inputRow
	for _, g := range report.FoldInputs(len(rows), func(i int) string { return rows[i].Layer }) {
		if len(g) == 1 {
			out = append(out, inputRow{rows[g[0]], 1, ""})
			continue
		}
		first := rows[g[0]]
		r := inputRow{parsers.Stats{Input: first.Input, Layer: first.Layer}, len(g), rows[g[len(g)-1]].Input}
		for _, i := range g {
			s := &rows[i]
			r.Read += s.Read
			r.Parsed += s.Parsed
			r.Rejected += s.Rejected
			r.Blank += s.Blank
			r.Skipped += s.Skipped
			r.Filtered += s.Filtered
			r.Format = report.AddFormat(r.Format, s.Format)
		}
		out = append(out, r)
	}
	return out
}

// clip keeps the last n-1 characters of s after an ellipsis when s is longer than n characters,
// cutting between characters, never inside one.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := len(s)
	for k := 0; k < n-1; k++ {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return "…" + s[i:]
}

// allRejected reports whether an input was read and every line of it rejected: a run that
// reads nothing but rejections must not pass as a clean one.
func allRejected(s parsers.Stats) bool {
	return s.Err == "" && s.Parsed == 0 && s.Rejected > 0
}

// unread reports whether nothing of an input is in the analysis: it was not opened, its format
// was not told, or every line of it was rejected.
func unread(s parsers.Stats) bool {
	return allRejected(s) || s.Err != "" && s.Read == 0
}

// noneRead reports whether no input could be read at all (exit status 1).
func noneRead(stats []parsers.Stats) bool {
	for _, s := range stats {
		if !unread(s) {
			return false
		}
	}
	return len(stats) > 0
}

// errSummary says in one line why the exit code is not zero; details are already on stderr.
// tooLong reports whether every rejected line shown of an input was refused for its length
// (parsers/scan.go: "line longer than N bytes"): then --max-line, not the format, is the fix.
func tooLong(s parsers.Stats) bool {
	for _, e := range s.Examples {
		if !strings.HasPrefix(e.Reason, "line longer than ") {
			return false
		}
	}
	return len(s.Examples) > 0
}

func errSummary(stats []parsers.Stats, code int) error {
	failed := 0
	var rejected int64
	for _, s := range stats {
		if s.Err != "" || allRejected(s) {
			failed++
		}
		rejected += s.Rejected
	}
	switch code {
	case exitFatal:
		return fmt.Errorf("no input could be read, or every line was rejected (see the errors above)")
	case exitPartial:
		return fmt.Errorf("%d of %d inputs could not be read in full (see the errors above); the rest was processed", failed, len(stats))
	case exitRejected:
		return fmt.Errorf("%s rejected and --strict is set", counted(rejected, "line", "lines"))
	}
	return nil
}

// formatName is --format's value. The flag is optional, so it is not a kong enum, whose message
// would offer "" as a value: kong calls Validate once it is set, and the values tag gives the
// shell completion the list.
type formatName string

func (f formatName) Validate() error {
	return oneOf(string(f), parsers.Formats, "leave --format out to detect each input's format")
}

// oneOf refuses a value not among values, naming them and what else to do.
func oneOf(value string, values []string, otherwise string) error {
	if value == "" || slices.Contains(values, value) {
		return nil
	}
	return fmt.Errorf("%q is none of %s: give one of them, or %s", value, strings.Join(values, ", "), otherwise)
}
