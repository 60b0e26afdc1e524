package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The bash script is run by bash: completing words at a given position gives what a user sees
// after pressing Tab.
func TestCompletionBash(t *testing.T) {
	r := lt(t, nil, "completion", "bash")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	script := filepath.Join(t.TempDir(), "logtriage.bash")
	if err := os.WriteFile(script, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	complete := func(words ...string) string {
		t.Helper()
		// COMP_WORDS as bash would split the command line; the last word is being completed.
		arr := "(" + strings.Join(append([]string{"logtriage"}, words...), " ") + ")"
		cmd := exec.Command(bash, "-c", "source "+script+"; COMP_WORDS="+arr+
			"; COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _logtriage; echo ${COMPREPLY[@]}")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", words, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if got := complete("an"); got != "analyze" {
		t.Errorf("command: %q, want analyze", got)
	}
	if got := complete("analyze", "--inc"); got != "--include-monitors" {
		t.Errorf("flag: %q, want --include-monitors", got)
	}
	if got := complete("analyze", "-o", "m"); got != "markdown" {
		t.Errorf("enum value: %q, want markdown", got)
	}
	if got := complete("es", "--flavor", "o"); got != "opensearch" {
		t.Errorf("es --flavor: %q, want opensearch", got)
	}
	if got := complete("parse", "--format", "tr"); got != "traefik" {
		t.Errorf("parse --format: %q, want traefik", got)
	}
	if got := complete("probe", "--nginx"); got != "" {
		t.Errorf("probe has no --nginx-* flags: %q", got)
	}
	// --flag=value: bash splits the word at "=", so the flag is two words back (these offered
	// file names).
	if got := complete("analyze", "--output", "=", "m"); got != "markdown" {
		t.Errorf("--output=m: %q, want markdown", got)
	}
	if got := complete("report", "--output", "="); got != "text json markdown html" {
		t.Errorf("--output=: %q, want the four formats", got)
	}
	// The shell argument of completion is a list too (file names were offered).
	if got := complete("completion", "z"); got != "zsh" {
		t.Errorf("completion z: %q, want zsh", got)
	}
}

func TestCompletionFishAndZsh(t *testing.T) {
	fish := lt(t, nil, "completion", "fish")
	for _, want := range []string{
		"complete -c logtriage -f -n __fish_use_subcommand -a analyze",
		"complete -c logtriage -n '__fish_seen_subcommand_from analyze' -l output -s o -x -a 'text json markdown html'",
		"complete -c logtriage -n '__fish_seen_subcommand_from trace' -l since -r",
		"complete -c logtriage -f -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'",
	} {
		if !strings.Contains(fish.stdout, want) {
			t.Errorf("fish script lacks %q", want)
		}
	}
	zsh := lt(t, nil, "completion", "zsh")
	if !strings.HasPrefix(zsh.stdout, "#compdef logtriage\n") || !strings.Contains(zsh.stdout, "complete -o filenames -F _logtriage logtriage") {
		t.Errorf("zsh script:\n%.300s", zsh.stdout)
	}
	if r := lt(t, nil, "completion", "powershell"); r.code != exitUsage {
		t.Errorf("an unknown shell: exit %d, want %d", r.code, exitUsage)
	}
}

func TestVersion(t *testing.T) {
	r := lt(t, nil, "--version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "logtriage ") || strings.TrimSpace(r.stdout) == "logtriage" {
		t.Errorf("--version: exit %d, %q", r.code, r.stdout)
	}
}
