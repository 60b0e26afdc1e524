package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDirectoryLeavesOutNonLogs: a directory that holds, beside its access log, the project's
// code, configuration, documentation, hidden files and a binary is read as its log: the others
// are left out with one note naming each (they were inputs of their own, each an error "cannot
// tell the format", and the run exited 3), and -q hides it. A text file that may be a log in a
// format not told is still an input, and its error says so: nothing is left out without a word.
func TestDirectoryLeavesOutNonLogs(t *testing.T) {
	dir := t.TempDir()
	log, err := os.ReadFile("samples/nginx/combined.log")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"access.log":        string(log),
		"main.go":           "package main\n\nfunc main() {}\n",
		"go.mod":            "module example.com/x\n",
		"site.conf":         "server { listen 80; }\n",
		"values.yaml":       "replicas: 2\n",
		"README.md":         "# logs\n",
		"LICENSE":           "MIT License\n",
		"package.json":      `{"name":"x"}` + "\n",
		"run.sh":            "#!/bin/sh\nexec nginx\n",
		".env":              "A=1\n",
		".git/HEAD":         "ref: refs/heads/main\n",
		"bin/tool":          "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00",
		"crlf.log":          "\r\n" + strings.ReplaceAll(strings.SplitAfter(string(log), "\n")[0], "\n", "\r\n"),
		"old/access.log.gz": "\x1f\x8b", // named gzip: read (and cut short), never taken for binary
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(dir, "old", "access.log.gz"))
	want := "note: " + dir + ": left out 11 files that are not logs (by name: documentation, configuration, code, hidden; or binary): " +
		".env, .git/, LICENSE, README.md, bin/tool (binary), go.mod, main.go, package.json, run.sh, site.conf, values.yaml; name a file as an input to read it anyway\n"
	for _, cmd := range []string{"parse", "analyze"} {
		r := lt(t, nil, cmd, "edge="+dir)
		if r.code != 0 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "error") || strings.Count(r.stderr, "note:") != 1 {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant the note\n%s", cmd, r.code, r.stderr, want)
		}
		if cmd == "parse" && strings.Count(r.stdout, "\n") != strings.Count(string(log), "\n")+1 {
			t.Errorf("parse: %d records, want those of access.log and crlf.log", strings.Count(r.stdout, "\n"))
		}
		if r := lt(t, nil, cmd, "-q", "edge="+dir); r.code != 0 || strings.Contains(r.stderr, "note:") {
			t.Errorf("%s -q: exit %d, stderr:\n%s", cmd, r.code, r.stderr)
		}
	}
	// Named on the command line, a file is read whatever its name.
	if r := lt(t, nil, "parse", filepath.Join(dir, "main.go")); r.code != exitFatal || !strings.Contains(r.stderr, "cannot tell the format of") {
		t.Errorf("main.go named: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	// A text file of no format logtriage knows may be a log in a custom format: it stays an input.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("deployed 1.5.0 at noon\n"), 0o644)
	if r := lt(t, nil, "parse", "edge="+dir); r.code != exitPartial || !strings.Contains(r.stderr, "cannot tell the format of "+filepath.Join(dir, "notes.txt")) {
		t.Errorf("notes.txt: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// TestDirectoryReadsColouredLog: morgan's dev lines are full of ANSI colour codes (ESC bytes); in
// a directory they are a log, not a binary file to leave out.
func TestDirectoryReadsColouredLog(t *testing.T) {
	log, err := os.ReadFile("samples/app/express-morgan-dev.log")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "\x1b[") {
		t.Fatal("the sample has no colour codes")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "express.log"), log, 0o644); err != nil {
		t.Fatal(err)
	}
	r := lt(t, nil, "parse", "app="+dir)
	if r.code != 0 || strings.Contains(r.stderr, "left out") || strings.Count(r.stdout, "\n") == 0 {
		t.Errorf("exit %d, %d records, stderr:\n%s", r.code, strings.Count(r.stdout, "\n"), r.stderr)
	}
}
