package parsers

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"

	"github.com/logtriage/logtriage/internal/progress"
)

// Input is one stream of log lines: a file or standard input, with the layer it belongs to.
type Input struct {
	Name  string // the path as given ("-" for standard input)
	Layer string // the layer name from "NAME=PATH"; empty until defaulted from the format
	Path  string // the path to open; "-" is standard input
	// Stdin is read for the path "-"; nil means os.Stdin. (The command line sets it, so that
	// its tests run in process.)
	Stdin io.Reader
	// Meter, when set, counts the bytes read (of a gzip file, the compressed bytes) and the
	// lines, for the progress line.
	Meter *progress.Meter
}

// ParseInputArg splits "NAME=PATH" into a layer name and a path pattern. An argument without
// "=" (or whose part before "=" looks like a path) has no layer name.
func ParseInputArg(arg string) (layer, pattern string) {
	i := strings.IndexByte(arg, '=')
	if i <= 0 {
		return "", arg
	}
	if _, err := os.Stat(arg); err == nil {
		return "", arg // a file whose name holds "="
	}
	name := arg[:i]
	if strings.ContainsAny(name, "/\\*?[") {
		return "", arg
	}
	return name, arg[i+1:]
}

// ExpandInputs turns command-line arguments ("NAME=PATH", globs, directories, "-") into inputs,
// in a stable order: arguments as given, the files of a glob or directory sorted by name.
// Directories are walked recursively; hidden files are skipped. A file met again (a directory
// and a glob of its files, "./x.log" and "x.log") is read once, as the layer that named it
// first: read twice, every request in it would be counted twice.
func ExpandInputs(args []string) ([]Input, error) {
	in, _, err := ExpandInputsSkipping(args)
	return in, err
}

// Skipped is a file or directory that a directory walk left out: hidden, documentation,
// configuration, source code or build files by their names, or binary by their first bytes
// (notLog, binaryFile). Path is as the walk met it; Why is "" for a name, else the reason.
type Skipped struct {
	Dir  string // the directory named on the command line
	Path string
	Why  string
}

// ExpandInputsSkipping is ExpandInputs that also returns what the directory walks left out, so
// that the command can name it: nothing in a directory is left out without a word.
func ExpandInputsSkipping(args []string) ([]Input, []Skipped, error) {
	var out []Input
	var skips []Skipped
	stdin := false
	seen := map[string]bool{}
	cwd, _ := os.Getwd()
	for _, arg := range args {
		layer, pat := ParseInputArg(arg)
		if pat == "" {
			return nil, nil, fmt.Errorf("input %q names no file: use NAME=PATH, a path, a glob or - for standard input", arg)
		}
		if pat == "-" {
			if stdin {
				return nil, nil, errors.New("standard input (-) can be read only once")
			}
			stdin = true
			out = append(out, Input{Name: "-", Layer: layer, Path: "-"})
			continue
		}
		paths, skipped, err := expandPattern(pat)
		if err != nil {
			return nil, nil, err
		}
		skips = append(skips, skipped...)
		for _, p := range paths {
			key := filepath.Clean(p)
			if !filepath.IsAbs(key) {
				key = filepath.Join(cwd, key)
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, Input{Name: p, Layer: layer, Path: p})
		}
	}
	return out, skips, nil
}

func expandPattern(pat string) ([]string, []Skipped, error) {
	matches := []string{pat}
	if strings.ContainsAny(pat, "*?[") {
		m, err := filepath.Glob(pat)
		if err != nil {
			return nil, nil, fmt.Errorf("bad glob %q: %w", pat, err)
		}
		if len(m) == 0 {
			return nil, nil, fmt.Errorf("no file matches %q: check the path (quote globs so the shell does not expand them)", pat)
		}
		matches = m
	}
	var out []string
	var skips []Skipped
	for _, m := range matches {
		st, err := os.Stat(m)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, nil, fmt.Errorf("cannot read input %s: %v: check the path", m, errors.Unwrap(err))
			}
			return nil, nil, fmt.Errorf("cannot read input %s: %v", m, errors.Unwrap(err))
		}
		if !st.IsDir() {
			out = append(out, m)
			continue
		}
		var files []string
		var skipped []Skipped // hidden files, documentation, configuration, code, binaries
		skip := func(p, why string) { skipped = append(skipped, Skipped{Dir: m, Path: p, Why: why}) }
		root := m
		if lst, err := os.Lstat(m); err == nil && lst.Mode()&fs.ModeSymlink != 0 {
			// A link to a directory: WalkDir would not follow it; a trailing separator does.
			root = m + string(filepath.Separator)
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil && p != root {
				// An unreadable subdirectory becomes an input of its own, whose opening fails:
				// the rest is read and the run exits 3 naming it.
				files = append(files, p)
				if d != nil && d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && p != root {
				if d.IsDir() {
					skip(p+string(filepath.Separator), "hidden directory")
					return filepath.SkipDir
				}
				skip(p, "")
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if notLog(d.Name()) {
				skip(p, "")
				return nil
			}
			regular := d.Type().IsRegular()
			if !regular && d.Type()&fs.ModeSymlink != 0 {
				// /var/log/containers holds only links to the runtime's files.
				st, err := os.Stat(p)
				regular = err == nil && st.Mode().IsRegular()
			}
			switch {
			case !regular: // a socket, a fifo, a device, a dangling link
			case binaryFile(p):
				skip(p, "binary")
			default:
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("cannot list directory %s: %w", m, err)
		}
		switch {
		case len(files) == 0 && len(skipped) > 0:
			return nil, nil, fmt.Errorf("directory %s holds no log files (%d skipped: hidden files, README and .md, .conf, .yaml, .html files, LICENSE, source code, build files and binary files are not read from a directory): "+
				"name the log files, or a directory that holds them", m, len(skipped))
		case len(files) == 0:
			return nil, nil, fmt.Errorf("directory %s holds no files: name the log files, or a directory that holds them", m)
		}
		sort.Strings(files)
		out = append(out, files...)
		skips = append(skips, skipped...)
	}
	return out, skips, nil
}

// notLog reports whether a file met while walking a directory is documentation,
// configuration, source code or a build file kept beside logs rather than a log, by its name
// (named on the command line, it is still read). Names a log may have are not in the list:
// .log, .txt, .json, .out, rotation suffixes, none at all (svlogd's "current").
func notLog(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".rst", ".adoc", ".conf", ".cnf", ".cfg", ".ini", ".toml", ".properties", ".yaml", ".yml", ".xml",
		".html", ".htm", ".css", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".svg", ".pdf",
		".go", ".mod", ".sum", ".py", ".pyc", ".rb", ".js", ".mjs", ".ts", ".java", ".class", ".jar", ".war",
		".c", ".h", ".cc", ".cpp", ".rs", ".php", ".pl", ".lua", ".sh", ".bash", ".ps1", ".bat", ".sql",
		".tf", ".tpl", ".tmpl", ".j2", ".lock", ".pem", ".crt", ".key", ".csr",
		".zip", ".tar", ".tgz", ".7z", ".rar", ".exe", ".dll", ".so", ".o", ".a":
		return true
	}
	switch strings.ToLower(name) {
	case "license", "licence", "copying", "notice", "authors", "changelog", "makefile", "dockerfile", "containerfile",
		"jenkinsfile", "vagrantfile", "procfile", "package.json", "package-lock.json", "tsconfig.json", "composer.json":
		return true
	}
	return strings.HasPrefix(name, "README")
}

// binaryFile reports whether a file met while walking a directory is binary by its first bytes
// (binaryLike, as detection says "not a text log"): an executable, an image, a journald file.
// gzip (read) and bzip2, xz, zstd (whose reading error says to decompress them) are logs.
func binaryFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false // the reading says why
	}
	defer f.Close()
	var b [512]byte
	n, _ := f.ReadAt(b[:], 0)
	head := b[:n]
	for _, magic := range []string{"\x1f\x8b", "BZh", "\xfd7zXZ\x00", "\x28\xb5\x2f\xfd"} {
		if strings.HasPrefix(string(head), magic) {
			return false
		}
	}
	head = bytes.TrimLeft(head, " \t\r\n") // the first non-blank line, as detection looks at it
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	// ESC starts the colour codes that morgan's dev format and many consoles write: text.
	head = bytes.ReplaceAll(head, []byte{0x1b}, []byte{' '})
	return binaryLike(bytes.TrimSuffix(head, []byte("\r")))
}

// logBase returns a log file's base name without the suffixes rotation and shipping add
// ("access.log.1.gz", "access.log-20261124", "edge.log.2026-11-24.gz" → "access.log", "edge.log"), so
// that a file matches the access_log directive that wrote it.
func logBase(path string) string {
	b := filepath.Base(path)
	for {
		ext := filepath.Ext(b)
		switch {
		case ext == ".gz" || ext == ".bz2" || ext == ".zst" || ext == ".xz":
			b = strings.TrimSuffix(b, ext)
			continue
		case len(ext) > 1 && strings.Trim(ext[1:], "0123456789-") == "" && b != ext:
			b = strings.TrimSuffix(b, ext) // .1, .2026-11-24
			continue
		}
		if i := strings.LastIndexByte(b, '-'); i > 0 && len(b)-i-1 >= 8 && strings.Trim(b[i+1:], "0123456789") == "" {
			b = b[:i] // -20261124, -2026112410
			continue
		}
		return b
	}
}

// reopenable reports whether the input can be opened a second time and read from the start: a
// regular file can, standard input, a pipe or a process substitution (/dev/fd/N) cannot.
func (in Input) reopenable() bool {
	if in.Path == "-" {
		return false
	}
	st, err := os.Stat(in.Path)
	return err == nil && st.Mode().IsRegular()
}

// Open opens the input and undoes gzip compression, detected by its magic bytes rather than
// by the file name. Concatenated gzip members (as log rotation produces) are read in turn.
// github.com/klauspost/compress/gzip decompresses: the same API, stream format checks and error
// errors as compress/gzip (it returns compress/gzip's ErrChecksum and ErrHeader, and
// io.ErrUnexpectedEOF for a cut stream), in about two thirds of the CPU time: its Huffman
// decoding loop is specialised for a *bufio.Reader source, the one below, where compress/flate
// reads each byte through the io.ByteReader interface.
func (in Input) Open() (io.ReadCloser, error) {
	rc, err := in.open()
	if err != nil {
		return nil, err // not a nil *readCloser in an interface
	}
	return rc, nil
}

func (in Input) open() (*readCloser, error) {
	var f io.ReadCloser = os.Stdin
	if in.Stdin != nil {
		f = io.NopCloser(in.Stdin)
	}
	if in.Path != "-" {
		file, err := os.Open(in.Path)
		if err != nil {
			return nil, err
		}
		f = file
	}
	counted := in.Meter.Counter(f)
	if file, ok := f.(*os.File); ok && in.Path != "-" {
		// A file this opened is at its start: its first two bytes tell gzip without reading
		// through a buffer. Peeking through one filled it (256 KiB), and a plain file went on
		// through that buffer and the one detection reads through: fifty pods' logs read at
		// once held 25 MB of buffers before they were drained.
		var m [2]byte
		if n, err := file.ReadAt(m[:], 0); n == 2 || err == io.EOF {
			if n < 2 || m[0] != 0x1f || m[1] != 0x8b {
				return &readCloser{Reader: counted, f: f}, nil
			}
		}
	}
	br := getReader(counted)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := getGzip(br)
		if err != nil {
			f.Close()
			putReader(br)
			return nil, fmt.Errorf("gzip header: %w", err)
		}
		return &readCloser{Reader: zr, f: f, br: br, zr: zr, gzip: true}, nil
	}
	// br served only to look at the first bytes: once they are read, the file is read directly
	// into its reader's buffer (run.go's drained), not copied through br's.
	rc := &readCloser{f: f, br: br}
	rc.Reader = &drained{br: br, r: counted, owner: &rc.br}
	return rc, nil
}

// readCloser is an opened input. Closing it gives its buffers and decompressor back for the
// next input to use (a directory of ALB objects opens each of hundreds of files twice).
type readCloser struct {
	io.Reader
	f     io.Closer
	br    *bufio.Reader // reads f
	zr    *gzip.Reader  // reads br, when the input is gzip
	outer *bufio.Reader // reads the readCloser (OpenInput's), given back with it
	gzip  bool
}

// Close closes the file and gives the readers back; the readCloser reads nothing after.
func (r *readCloser) Close() error {
	if r.f == nil {
		return nil // closed before: the readers are someone else's by now
	}
	err := r.f.Close()
	r.Reader, r.f = closedReader{}, nil
	if r.zr != nil {
		gzipPool.Put(r.zr)
		r.zr = nil
	}
	putReader(r.br)
	putReader(r.outer)
	r.br, r.outer = nil, nil
	return err
}

type closedReader struct{}

func (closedReader) Read([]byte) (int, error) { return 0, os.ErrClosed }

// openBuffer is the size of the buffer an input is read through (detection looks at up to this
// much of it: sample.go).
const openBuffer = 256 << 10

var gzipPool sync.Pool // *gzip.Reader

// readerPool holds *bufio.Reader of openBuffer bytes (tests watch what is given back).
var readerPool pool = &sync.Pool{}

type pool interface {
	Get() any
	Put(any)
}

func getReader(r io.Reader) *bufio.Reader {
	if br, ok := readerPool.Get().(*bufio.Reader); ok {
		br.Reset(r)
		return br
	}
	return bufio.NewReaderSize(r, openBuffer)
}

func putReader(br *bufio.Reader) {
	if br != nil && br.Size() == openBuffer {
		br.Reset(nil) // drops the reference to what it read
		readerPool.Put(br)
	}
}

// getGzip returns a gzip reader of br, reusing a decompressor given back (its window and tables).
func getGzip(br *bufio.Reader) (*gzip.Reader, error) {
	if zr, ok := gzipPool.Get().(*gzip.Reader); ok {
		if err := zr.Reset(br); err != nil {
			gzipPool.Put(zr)
			return nil, err
		}
		return zr, nil
	}
	return gzip.NewReader(br)
}
