package parsers

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/logtriage/logtriage/internal/limits"
)

// ApacheConf is what logtriage needs from an Apache httpd configuration: the LogFormat
// nicknames and the CustomLog directives that use them, across Include/IncludeOptional files.
type ApacheConf struct {
	Path     string            // main configuration file
	Files    []string          // every file read, in the order httpd reads them
	Formats  map[string]string // LogFormat nickname -> format string
	Logs     []ApacheCustomLog // CustomLog/TransferLog directives writing to files
	Warnings []string          // what was skipped (missing includes)
	// MethodRules are the directives that refuse methods (apacherules.go), in configuration
	// order.
	MethodRules []ApacheMethodRule
	// Redirects are the mod_alias Redirect directives with a URL-path (apacheredirect.go), in
	// configuration order.
	Redirects []ApacheRedirect
	// ProxyPaths are the URL-paths of ProxyPass directives (apacheredirect.go), in
	// configuration order; an exclusion ("ProxyPass /x !") has Exclude set.
	ProxyPaths []ApacheProxyPath
}

// ApacheCustomLog is one CustomLog directive.
type ApacheCustomLog struct {
	Path   string // log file as written (${APACHE_LOG_DIR} kept), or "|program"
	Format string // the format string (a nickname resolved)
	Name   string // the nickname, or "" for an inline format
	File   string // configuration file holding the directive
	Line   int
}

// LoadApacheConf reads an httpd configuration from the host's file system.
func LoadApacheConf(p string) (*ApacheConf, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	return ReadApacheConf(os.DirFS("/"), strings.TrimPrefix(filepath.ToSlash(abs), "/"))
}

// ReadApacheConf reads an httpd configuration from fsys (paths without a leading slash), so that
// tests never read the host's /etc. Relative Include paths resolve against ServerRoot, which
// defaults to the main file's directory; absolute ones under a ServerRoot that is not in fsys
// (a configuration copied off a server) resolve beside the main file.
func ReadApacheConf(fsys fs.FS, name string) (*ApacheConf, error) {
	c := &ApacheConf{Path: "/" + name, Formats: map[string]string{
		"common": ApacheCommon, "combined": ApacheCombined,
	}}
	r := apacheConfReader{c: c, fsys: fsys, root: path.Dir(name), mainDir: path.Dir(name)}
	if err := r.read(name, 0); err != nil {
		return nil, err
	}
	r.rules.finish(c)
	for i := range c.Logs {
		l := &c.Logs[i]
		if f, ok := c.Formats[l.Format]; ok && l.Name == "" && !strings.ContainsRune(l.Format, '%') {
			l.Name, l.Format = l.Format, f
		}
	}
	return c, nil
}

type apacheConfReader struct {
	c             *ApacheConf
	fsys          fs.FS
	root, mainDir string
	defaultFormat string
	rules         apacheRules
}

const apacheConfMaxDepth = 16

func (r *apacheConfReader) read(name string, depth int) error {
	if depth > apacheConfMaxDepth {
		return fmt.Errorf("%s: includes nested more than %d deep (a cycle?)", name, apacheConfMaxDepth)
	}
	data, err := limits.ReadFS(r.fsys, name, limits.ConfigBytes)
	if err != nil {
		return fmt.Errorf("cannot read apache configuration /%s: %w", name, confReadErr(err))
	}
	r.c.Files = append(r.c.Files, "/"+name)
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		ln := i + 1
		line := strings.TrimSpace(lines[i])
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) { // continuation
			i++
			line = strings.TrimSuffix(line, "\\") + " " + strings.TrimSpace(lines[i])
		}
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '<' {
			r.section(line, name, ln)
			continue
		}
		args := apacheWords(line)
		if len(args) == 0 {
			continue
		}
		r.directive(args, line, name, ln)
		switch strings.ToLower(args[0]) {
		case "serverroot":
			if len(args) > 1 {
				root := strings.TrimPrefix(args[1], "/")
				if _, err := fs.Stat(r.fsys, root); err == nil {
					r.root = root
				}
			}
		case "logformat":
			switch len(args) {
			case 2:
				r.defaultFormat = args[1]
			case 3:
				r.c.Formats[args[2]] = args[1]
			}
		case "customlog":
			if len(args) >= 3 {
				r.c.Logs = append(r.c.Logs, ApacheCustomLog{Path: args[1], Format: args[2], File: "/" + name, Line: ln})
			}
		case "transferlog":
			if len(args) >= 2 {
				f := r.defaultFormat
				if f == "" {
					f = ApacheCommon
				}
				r.c.Logs = append(r.c.Logs, ApacheCustomLog{Path: args[1], Format: f, File: "/" + name, Line: ln})
			}
		case "include", "includeoptional":
			if len(args) >= 2 {
				if err := r.include(args[1], strings.EqualFold(args[0], "includeoptional"), depth, name, ln); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (r *apacheConfReader) include(pattern string, optional bool, depth int, from string, line int) error {
	var cands []string
	if strings.HasPrefix(pattern, "/") {
		p := strings.TrimPrefix(pattern, "/")
		cands = append(cands, p)
		// Copied off a server: /etc/apache2/conf-enabled/x.conf beside the main file.
		parts := strings.Split(p, "/")
		for k := 1; k < len(parts); k++ {
			cands = append(cands, path.Join(r.mainDir, strings.Join(parts[k:], "/")))
		}
	} else {
		cands = append(cands, path.Join(r.root, pattern))
	}
	for _, c := range cands {
		matches, err := fs.Glob(r.fsys, c)
		if err != nil {
			return fmt.Errorf("%s:%d: bad Include pattern %q: %w", from, line, pattern, err)
		}
		if len(matches) == 0 {
			continue
		}
		sort.Strings(matches)
		for _, m := range matches {
			if st, err := fs.Stat(r.fsys, m); err == nil && st.IsDir() {
				continue
			}
			if err := r.read(m, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if !optional && !strings.ContainsAny(pattern, "*?[") {
		r.c.Warnings = append(r.c.Warnings, fmt.Sprintf("/%s:%d: Include %s: no such file (skipped)", from, line, pattern))
	}
	return nil
}

// apacheWords splits a directive into words; a double-quoted word may hold \" (a quote).
func apacheWords(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			break
		}
		if s[i] == '"' || s[i] == '\'' {
			q := s[i]
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != q; j++ {
				if s[j] == '\\' && j+1 < len(s) && s[j+1] == q {
					j++
				}
				b.WriteByte(s[j])
			}
			out = append(out, b.String())
			i = j + 1
			continue
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

// FormatFor returns the format of the log written to logPath: the CustomLog with the same base
// name (paths use ${APACHE_LOG_DIR} and logs are copied before triage).
func (c *ApacheConf) FormatFor(logPath string) (format, name string, ok bool) {
	base := logBase(filepath.Clean(logPath))
	for _, l := range c.Logs {
		if strings.HasPrefix(l.Path, "|") {
			continue
		}
		if logBase(path.Base(l.Path)) == base {
			n := l.Name
			if n == "" {
				n = "inline format"
			}
			return l.Format, n, true
		}
	}
	return "", "", false
}

// confReadErr is why a configuration file read from an fs.FS rooted at / (LoadApacheConf,
// LoadHAProxyConf) failed, without the path the caller already names: the file system's own
// errors carry it without its leading slash ("open etc/apache2/x.conf: …", "dev/zero is larger …").
func confReadErr(err error) error {
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.Is(err, limits.ErrTooLarge):
		return fmt.Errorf("larger than %s (%w): name the file itself, not a device or an endless stream", limits.Size(limits.ConfigBytes), limits.ErrTooLarge)
	}
	return err
}
