package shell

import "testing"

func TestWords(t *testing.T) {
	for in, want := range map[string]string{"": "''", "GET": "GET", "https://h/a?b": "'https://h/a?b'",
		"it's": `'it'\''s'`, "$(x)": "'$(x)'", "a b": "'a b'"} {
		if got := Word(in); got != want {
			t.Errorf("Word(%q) = %s, want %s", in, got, want)
		}
	}
	if got := Comment("a\nb\x7fc\x1b"); got != "a?b?c?" {
		t.Errorf("Comment: %q", got)
	}
}
