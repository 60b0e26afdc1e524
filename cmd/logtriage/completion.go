package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/alecthomas/kong"
)

// completionCmd writes a shell completion script generated from the command-line model, so that
// it never lags behind the flags.
type completionCmd struct {
	Shell string `arg:"" help:"bash, zsh or fish." enum:"bash,zsh,fish"`
}

// completionSpec is what a script needs to know of one command.
type completionSpec struct {
	name, help string
	flags      []completionFlag
	args       []string // the values of its first positional argument, when they are a list
}

type completionFlag struct {
	long, help string
	short      rune
	values     []string // enum values; nil for free values
	takesValue bool
}

func (c *completionCmd) Run(s *streams, app *kong.Kong) error {
	specs := completionSpecs(app.Model)
	switch c.Shell {
	case "bash":
		writeBash(s.out, specs)
	case "zsh":
		// zsh runs bash completion functions through bashcompinit.
		fmt.Fprintln(s.out, "#compdef logtriage\nautoload -U +X bashcompinit && bashcompinit")
		writeBash(s.out, specs)
		// Saved in $fpath as _logtriage, the script is run by compinit's autoload on the first Tab,
		// as the completion function itself: it only defined the completion, and that Tab
		// completed nothing. Inside a completion (compstate is set) it completes that Tab too.
		fmt.Fprintln(s.out, "# Run from $fpath by the first Tab (autoloaded as _logtriage): complete that Tab too.\n"+
			"if (( ${+compstate} )); then _bash_complete -o filenames -F _logtriage; fi")
	case "fish":
		writeFish(s.out, specs)
	}
	return nil
}

func completionSpecs(app *kong.Application) []completionSpec {
	var out []completionSpec
	for _, n := range app.Children {
		if n.Type != kong.CommandNode || n.Hidden {
			continue
		}
		spec := completionSpec{name: n.Name, help: n.Help}
		if len(n.Positional) > 0 && n.Positional[0].Enum != "" {
			spec.args = strings.Split(n.Positional[0].Enum, ",") // completion's shell
		}
		for _, group := range n.AllFlags(true) {
			for _, f := range group {
				cf := completionFlag{long: f.Name, help: f.Help, short: f.Short, takesValue: !f.IsBool()}
				values := f.Enum
				if values == "" {
					values = f.Tag.Get("values") // an optional flag's values (inputs.go, oneOf)
				}
				if values != "" {
					for _, v := range strings.Split(values, ",") {
						if v = strings.TrimSpace(v); v != "" {
							cf.values = append(cf.values, v)
						}
					}
				}
				spec.flags = append(spec.flags, cf)
			}
		}
		sort.Slice(spec.flags, func(i, j int) bool { return spec.flags[i].long < spec.flags[j].long })
		out = append(out, spec)
	}
	return out
}

func writeBash(w io.Writer, specs []completionSpec) {
	var names []string
	for _, s := range specs {
		names = append(names, s.name)
	}
	fmt.Fprintf(w, `# bash completion for logtriage (logtriage completion bash)
_logtriage() {
	local cur prev cmd opts
	cur="${COMP_WORDS[COMP_CWORD]}"
	prev="${COMP_WORDS[COMP_CWORD-1]}"
	cmd="${COMP_WORDS[1]}"
	# bash splits --output=json at the "=" (COMP_WORDBREAKS): the flag is the word before it.
	if [ "$cur" = "=" ]; then
		cur=""
	elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 3 ]; then
		prev="${COMP_WORDS[COMP_CWORD-2]}"
	fi
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "%s --help --version" -- "$cur"))
		return
	fi
	case "$cmd" in
`, strings.Join(names, " "))
	for _, s := range specs {
		var opts []string
		for _, f := range s.flags {
			opts = append(opts, "--"+f.long)
			if f.short != 0 {
				opts = append(opts, "-"+string(f.short))
			}
		}
		fmt.Fprintf(w, "\t%s) opts=%q ;;\n", s.name, strings.Join(opts, " "))
	}
	fmt.Fprint(w, "\tesac\n\tcase \"$cmd $prev\" in\n")
	for _, s := range specs {
		for _, f := range s.flags {
			if len(f.values) == 0 {
				continue
			}
			pat := fmt.Sprintf("%q", s.name+" --"+f.long)
			if f.short != 0 {
				pat += "|" + fmt.Sprintf("%q", s.name+" -"+string(f.short))
			}
			fmt.Fprintf(w, "\t%s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", pat, strings.Join(f.values, " "))
		}
	}
	fmt.Fprint(w, "\tesac\n")
	for _, s := range specs {
		if len(s.args) > 0 {
			fmt.Fprintf(w, "\tif [ \"$cmd\" = %q ] && [ \"$COMP_CWORD\" -eq 2 ] && [[ \"$cur\" != -* ]]; then\n\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\")); return\n\tfi\n",
				s.name, strings.Join(s.args, " "))
		}
	}
	fmt.Fprint(w, `	if [[ "$cur" == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _logtriage logtriage
`)
}

func writeFish(w io.Writer, specs []completionSpec) {
	fmt.Fprintln(w, "# fish completion for logtriage (logtriage completion fish)")
	for _, s := range specs {
		fmt.Fprintf(w, "complete -c logtriage -f -n __fish_use_subcommand -a %s -d %s\n", s.name, fishQuote(s.help))
		if len(s.args) > 0 {
			fmt.Fprintf(w, "complete -c logtriage -f -n '__fish_seen_subcommand_from %s' -a %s\n", s.name, fishQuote(strings.Join(s.args, " ")))
		}
	}
	for _, s := range specs {
		for _, f := range s.flags {
			line := fmt.Sprintf("complete -c logtriage -n '__fish_seen_subcommand_from %s' -l %s", s.name, f.long)
			if f.short != 0 {
				line += " -s " + string(f.short)
			}
			if len(f.values) > 0 {
				line += " -x -a " + fishQuote(strings.Join(f.values, " "))
			} else if f.takesValue {
				line += " -r"
			}
			fmt.Fprintln(w, line+" -d "+fishQuote(f.help))
		}
	}
}

// fishQuote quotes s for fish, keeping the first sentence of a help text.
func fishQuote(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i]
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// buildVersion is the version --version prints: the one set at build time (make build), else the
// module version and VCS revision the Go toolchain recorded (go install, go build in a checkout).
func buildVersion() string {
	if version != "dev" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "dev"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		}
	}
	if rev != "" && !strings.Contains(v, rev[:min(12, len(rev))]) {
		v += " (" + rev[:min(12, len(rev))] + modified + ")"
	}
	return v
}
