package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletionZshFirstTab drives an interactive zsh through zsh/zpty, as a user at a terminal:
// the script saved in $fpath as _logtriage (as the README says) completes the first Tab of a
// shell — compinit autoloads it then, and it used to only define the completion, so that Tab did
// nothing — and the script sourced instead completes too. CI installs zsh (.ci/run).
func TestCompletionZshFirstTab(t *testing.T) {
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		t.Skip("zsh is not installed (apt-get install zsh)")
	}
	r := lt(t, nil, "completion", "zsh")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	dir := t.TempDir()
	fp := filepath.Join(dir, "fp")
	if err := os.Mkdir(fp, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fp, "_logtriage"), []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	// The driver types a line and Tab into the shell, and waits up to 5 s for what completing it
	// writes: the subcommand, then (on a fresh line) a flag.
	driver := `zmodload zsh/zpty
zpty z 'env -i HOME=` + dir + ` TERM=dumb PATH=/usr/bin:/bin zsh -f -i'
zpty -w z "PS1='> '; $1; setopt nobeep; print READY"
drain() { local l; while zpty -rt z l 2>/dev/null; do all+="$l"; done; }
wait_for() { all=""; for i in {1..50}; do drain; [[ $all == *"$1"* ]] && return 0; sleep 0.1; done; return 1; }
wait_for READY
zpty -w -n z $'logtriage ana\t'
wait_for 'logtriage analyze' && print -r -- "subcommand: ok" || print -r -- "subcommand: ${(q)all}"
zpty -w -n z $'\C-ulogtriage analyze --nginx-c\t'
wait_for 'nginx-conf' && print -r -- "flag: ok" || print -r -- "flag: ${(q)all}"
zpty -d z
`
	script := filepath.Join(dir, "driver.zsh")
	if err := os.WriteFile(script, []byte(driver), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, setup := range map[string]string{
		"fpath":  "fpath=(" + fp + " $fpath); autoload -U compinit && compinit -u -D",
		"source": "autoload -U compinit && compinit -u -D; source " + filepath.Join(fp, "_logtriage"),
	} {
		out, err := exec.Command(zsh, "-f", script, setup).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != "subcommand: ok\nflag: ok" {
			t.Errorf("%s: first Tab and second:\n%s", name, got)
		}
	}
}

// TestCompletionFishComplete asks fish what it completes after loading the script.
func TestCompletionFishComplete(t *testing.T) {
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Skip("fish is not installed (apt-get install fish)")
	}
	r := lt(t, nil, "completion", "fish")
	script := filepath.Join(t.TempDir(), "logtriage.fish")
	if err := os.WriteFile(script, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	for line, want := range map[string]string{
		"logtriage ana":               "analyze\t",
		"logtriage analyze --nginx-c": "--nginx-conf\t",
		"logtriage report -o ":        "markdown",
	} {
		cmd := exec.Command(fish, "--no-config", "-c", "source "+script+"; complete -C '"+line+"'")
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", line, err, out)
		}
		if !strings.Contains(string(out), want) {
			t.Errorf("%q completes to:\n%s\nwant a line with %q", line, out, want)
		}
	}
}
