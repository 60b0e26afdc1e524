package parsers

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/logtriage/logtriage/internal/limits"
)

// NginxConf is what logtriage needs from an nginx configuration: the log formats it defines and
// the access logs that use them.
type NginxConf struct {
	// Path is the main configuration file.
	Path string
	// Files lists every file read, the main one first, then includes in the order nginx reads them.
	Files []string
	// Logs lists the access_log directives that write somewhere (access_log off is left out).
	Logs []NginxAccessLog
	// Warnings lists what was skipped, such as includes whose files are missing.
	Warnings []string
	// hostRoot is where absolute include paths that are not found beside the main file are
	// looked up: "/" in use, an empty directory in tests, so that no test reads the host's /etc.
	hostRoot string

	formats map[string]string
}

// NginxAccessLog is one access_log directive.
type NginxAccessLog struct {
	Path   string // file path as written, or the syslog target ("syslog:server=…")
	Format string // log_format name; "combined" when the directive names none
	Syslog bool   // the target is syslog, not a file
	File   string // configuration file holding the directive
	Line   int    // its line in File
}

// nginxConfMaxDepth bounds include nesting, which also stops include cycles.
const nginxConfMaxDepth = 16

// LoadNginxConf reads an nginx configuration from path, following include directives (globs,
// relative to the main configuration's directory as nginx resolves them, or else to the including
// file's directory) and collecting log_format and access_log directives.
func LoadNginxConf(path string) (*NginxConf, error) { return loadNginxConf(path, "/") }

func loadNginxConf(path, hostRoot string) (*NginxConf, error) {
	c := &NginxConf{Path: path, formats: map[string]string{"combined": NginxCombined}, hostRoot: hostRoot}
	if err := c.read(path, filepath.Dir(path), 0); err != nil {
		return nil, err
	}
	return c, nil
}

// Formats returns the log formats by name, each with its "escape=…" prefix when it has one, so
// that CompileNginx accepts it as is. "combined" is always present.
func (c *NginxConf) Formats() map[string]string {
	m := make(map[string]string, len(c.formats))
	for k, v := range c.formats {
		m[k] = v
	}
	return m
}

// FormatFor returns the format of the access log written to logPath: the access_log with that
// exact path, else the first whose file has the same base name (logs are often copied or
// mounted elsewhere before triage).
func (c *NginxConf) FormatFor(logPath string) (format string, name string, ok bool) {
	clean := filepath.Clean(logPath)
	for _, l := range c.Logs {
		if !l.Syslog && filepath.Clean(l.Path) == clean {
			if f, ok := c.formats[l.Format]; ok {
				return f, l.Format, true
			}
		}
	}
	base := logBase(clean)
	for _, l := range c.Logs {
		if !l.Syslog && logBase(l.Path) == base {
			if f, ok := c.formats[l.Format]; ok {
				return f, l.Format, true
			}
		}
	}
	return "", "", false
}

// read parses one configuration file; root is the main configuration's directory.
func (c *NginxConf) read(path, root string, depth int) error {
	if depth > nginxConfMaxDepth {
		return fmt.Errorf("%s: includes nested deeper than %d (cycle?)", path, nginxConfMaxDepth)
	}
	data, err := limits.ReadFile(path, limits.ConfigBytes) // include /dev/zero must not read forever
	if err != nil {
		return err
	}
	c.Files = append(c.Files, path)
	t := nginxConfLexer{src: string(data), line: 1}
	open := 0 // blocks open: each file closes its own, as nginx wants
	for {
		args, line, err := t.directive()
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, t.line, err)
		}
		if args == nil {
			if open > 0 {
				return fmt.Errorf("%s:%d: unexpected end of file, expecting \"}\"", path, t.line)
			}
			return nil
		}
		switch t.src[t.pos-1] {
		case '{':
			open++
		case '}':
			if len(args) == 0 {
				if open == 0 {
					return fmt.Errorf("%s:%d: unexpected \"}\"", path, t.line)
				}
				open--
			}
		}
		if len(args) == 0 {
			continue
		}
		switch args[0] {
		case "include":
			if len(args) != 2 {
				return fmt.Errorf("%s:%d: include takes one argument", path, line)
			}
			if err := c.include(args[1], path, root, depth); err != nil {
				return err
			}
		case "log_format":
			if len(args) < 3 {
				return fmt.Errorf("%s:%d: log_format needs a name and a format", path, line)
			}
			parts := args[2:]
			prefix := ""
			if strings.HasPrefix(parts[0], "escape=") {
				prefix = parts[0] + " "
				parts = parts[1:]
			}
			c.formats[args[1]] = prefix + strings.Join(parts, "")
		case "access_log":
			if len(args) < 2 || args[1] == "off" {
				continue
			}
			l := NginxAccessLog{Path: args[1], Format: "combined", File: path, Line: line}
			l.Syslog = strings.HasPrefix(l.Path, "syslog:")
			if len(args) >= 3 && !strings.Contains(args[2], "=") {
				l.Format = args[2]
			}
			c.Logs = append(c.Logs, l)
		}
	}
}

// include reads the files matching pattern, in lexical order as nginx does.
func (c *NginxConf) include(pattern, from, root string, depth int) error {
	var candidates []string
	if filepath.IsAbs(pattern) {
		// A configuration copied off its server still names /etc/nginx/...: look beside the
		// main file first, under the same relative path, then by base name, and only then on
		// this machine (on the server itself both are the same files; elsewhere the host's own
		// nginx configuration is not the one being read).
		for _, prefix := range []string{"/etc/nginx/", "/usr/local/nginx/conf/", "/usr/local/etc/nginx/", "/opt/nginx/conf/"} {
			if rel, ok := strings.CutPrefix(pattern, prefix); ok {
				candidates = append(candidates, filepath.Join(root, rel))
			}
		}
		candidates = append(candidates, filepath.Join(root, filepath.Base(filepath.Dir(pattern)), filepath.Base(pattern)),
			filepath.Join(root, filepath.Base(pattern)), filepath.Join(c.hostRoot, pattern))
	} else {
		candidates = []string{filepath.Join(root, pattern), filepath.Join(filepath.Dir(from), pattern)}
	}
	for _, p := range candidates {
		matches, err := filepath.Glob(p)
		if err != nil {
			return fmt.Errorf("%s: include %q: %w", from, pattern, err)
		}
		if len(matches) == 0 {
			continue
		}
		sort.Strings(matches)
		for _, m := range matches {
			if st, err := os.Stat(m); err != nil || st.IsDir() {
				continue
			}
			if err := c.read(m, root, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if strings.ContainsAny(pattern, "*?[") {
		return nil // a glob matching nothing is fine for nginx too
	}
	// nginx would refuse to start, but the log formats may well be elsewhere: go on and say so.
	c.Warnings = append(c.Warnings, fmt.Sprintf("%s: include %q: no such file (skipped)", from, pattern))
	return nil
}

// nginxConfLexer splits nginx configuration text into directives as nginx's own reader
// (ngx_conf_read_token) does, checked against a real nginx in nginxconf_real_test.go: words
// separated by white space, ';' ending a directive, '{' and '}' around blocks, '#' comments at
// the start of a word, '…' and "…" quoting. A backslash makes the next character part of the
// word, quoted or not; the word then keeps its backslashes except in \" \' \\ (the character
// alone) and \t \r \n (tab, carriage return, line feed), so the regular expression of
// "location ~ \.php$" keeps its "\.". In an unquoted word '{' right after '$' (at the word's
// start too) belongs to a "${name}" variable, and '}' never ends a word.
type nginxConfLexer struct {
	src  string
	pos  int
	line int
}

// directive returns the next directive's words and the line it starts on. Block openings
// return their words too (the block's directives follow); a block's closing returns an empty
// slice; the end of input returns nil.
func (t *nginxConfLexer) directive() ([]string, int, error) {
	var args []string
	start := 0
	for {
		word, quoted, end, err := t.word()
		if err != nil {
			return nil, start, err
		}
		if end {
			if len(args) > 0 {
				return nil, start, errors.New("unexpected end of file, expecting \";\" or \"}\"")
			}
			return nil, start, nil
		}
		if !quoted && (word == ";" || word == "{" || word == "}") {
			if word == "}" && len(args) > 0 {
				return nil, start, errors.New("unexpected \"}\"")
			}
			if args == nil {
				args = []string{}
			}
			return args, start, nil
		}
		if len(args) == 0 {
			start = t.line
		}
		args = append(args, word)
	}
}

// word reads one word, or one of ";", "{", "}" as its own word.
func (t *nginxConfLexer) word() (w string, quoted, end bool, err error) {
	s := t.src
	for t.pos < len(s) {
		c := s[t.pos]
		switch {
		case c == '\n':
			t.line++
			t.pos++
		case c == ' ' || c == '\t' || c == '\r':
			t.pos++
		case c == '#':
			for t.pos < len(s) && s[t.pos] != '\n' {
				t.pos++
			}
		default:
			goto word
		}
	}
	return "", false, true, nil
word:
	c := s[t.pos]
	if c == ';' || c == '{' || c == '}' {
		t.pos++
		return string(c), false, false, nil
	}
	if c == '"' || c == '\'' {
		q := c
		t.pos++
		start := t.pos
		for t.pos < len(s) {
			switch c = s[t.pos]; c {
			case q:
				w = nginxUnescape(s[start:t.pos])
				t.pos++
				// nginx wants white space, ';', '{' or ')' after a closing quote.
				if t.pos < len(s) {
					switch n := s[t.pos]; n {
					case ' ', '\t', '\r', '\n', ';', '{', ')':
					default:
						return "", false, false, fmt.Errorf("unexpected %q after a quoted string", string(n))
					}
				}
				return w, true, false, nil
			case '\\':
				t.skipEscaped()
				continue
			case '\n':
				t.line++
			}
			t.pos++
		}
		return "", false, false, errors.New("unterminated quoted string")
	}
	start := t.pos
	variable := false // the previous character was a '$' (at the word's start too: ${scheme}…)
	for t.pos < len(s) {
		c = s[t.pos]
		if c == '{' && variable {
			t.pos++
			continue
		}
		variable = false
		switch c {
		case ' ', '\t', '\r', '\n', ';', '{':
			return nginxUnescape(s[start:t.pos]), false, false, nil
		case '\\':
			t.skipEscaped()
			continue
		case '$':
			variable = true
		}
		t.pos++
	}
	return nginxUnescape(s[start:]), false, false, nil
}

// skipEscaped steps over a backslash and the character it escapes, counting a line feed.
func (t *nginxConfLexer) skipEscaped() {
	t.pos++
	if t.pos < len(t.src) {
		if t.src[t.pos] == '\n' {
			t.line++
		}
		t.pos++
	}
}

// nginxUnescape turns a word as written into its value the way ngx_conf_read_token does:
// \" \' \\ become the character, \t \r \n a tab, carriage return and line feed, and any other
// backslash stays.
func nginxUnescape(w string) string {
	if strings.IndexByte(w, '\\') < 0 {
		return w
	}
	b := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c == '\\' && i+1 < len(w) {
			switch w[i+1] {
			case '"', '\'', '\\':
				i++
				c = w[i]
			case 't':
				c = '\t'
				i++
			case 'r':
				c = '\r'
				i++
			case 'n':
				c = '\n'
				i++
			}
		}
		b = append(b, c)
	}
	return string(b)
}
