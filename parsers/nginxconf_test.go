package parsers

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The lexer reads words as nginx's own reader (ngx_conf_read_token) does: a backslash escapes the next character in quoted and unquoted words alike, and
// only \" \' \\ \t \r \n lose their backslash.
func TestNginxConfLexerWords(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{`location ~ \.php$ {`, []string{"location", "~", `\.php$`}},
		{`location ~* ^/api/v\d+/ {`, []string{"location", "~*", `^/api/v\d+/`}},
		{`location ~ "^/static/.+\.(css|js)$" {`, []string{"location", "~", `^/static/.+\.(css|js)$`}},
		{`rewrite ^/(.*)\.html$ /$1.htm last;`, []string{"rewrite", `^/(.*)\.html$`, "/$1.htm", "last"}},
		{`return 200 a\"b\'c\\d\e\tf\ng\rh;`, []string{"return", "200", "a\"b'c\\d\\e\tf\ng\rh"}},
		{`set $a "x\"y\\z\.w";`, []string{"set", "$a", `x"y\z\.w`}},
		{`set $a 'it\'s "so"';`, []string{"set", "$a", `it's "so"`}},
		{`set $a b\ c;`, []string{"set", "$a", `b\ c`}},       // the escaped space joins the word, its backslash stays
		{`set $a b\;c;`, []string{"set", "$a", `b\;c`}},       // likewise ';'
		{`set $a \#x;`, []string{"set", "$a", `\#x`}},         // no comment: the backslash starts the word
		{`return 200 a#b;`, []string{"return", "200", "a#b"}}, // '#' inside a word is not a comment
		{`set $a x}y;`, []string{"set", "$a", "x}y"}},         // '}' does not end a word
		{`set $a ab${c}d;`, []string{"set", "$a", "ab${c}d"}},
		{`return 301 ${scheme}://example.com/b;`, []string{"return", "301", "${scheme}://example.com/b"}}, // nginx -t accepts it
		{`add_header X "a;b {c}";`, []string{"add_header", "X", "a;b {c}"}},
		{`if ($request_method = "POST") {`, []string{"if", "($request_method", "=", "POST", ")"}},
		{`if ($http_x !~ '^\d+$') {`, []string{"if", "($http_x", "!~", `^\d+$`, ")"}},
		{"log_format x '$a'\n  \"\\t$b\";", []string{"log_format", "x", "$a", "\t$b"}},
	} {
		lx := nginxConfLexer{src: tc.src, line: 1}
		got, _, err := lx.directive()
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %q, %v\nwant %q", tc.src, got, err, tc.want)
		}
	}
}

// What nginx refuses is refused, and lines are counted across escaped and quoted line feeds.
func TestNginxConfLexerErrors(t *testing.T) {
	for src, want := range map[string]string{
		`set $a "x"y;`:     `unexpected "y" after a quoted string`,
		`set $a 'x'"y";`:   `unexpected "\"" after a quoted string`,
		`location "/a"} `:  `unexpected "}" after a quoted string`,
		`set $a "x\";`:     "unterminated quoted string",
		"http { a b }":     `unexpected "}"`,
		"http { a b \\}\n": "unexpected end of file",
	} {
		lx := nginxConfLexer{src: src, line: 1}
		var err error
		for i := 0; i < 10 && err == nil; i++ {
			var args []string
			if args, _, err = lx.directive(); args == nil && err == nil {
				break
			}
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", src, err, want)
		}
	}
	lx := nginxConfLexer{src: "set $a \"x\ny\" b\\\nc;\nlocation / {", line: 1}
	if args, line, err := lx.directive(); err != nil || line != 1 || len(args) != 4 || args[2] != "x\ny" || args[3] != "b\\\nc" {
		t.Fatalf("%q line %d %v", args, line, err)
	}
	if args, line, _ := lx.directive(); line != 4 || len(args) != 2 {
		t.Errorf("%q on line %d, want line 4", args, line)
	}
}

// A block left open at the end of a file, or closed that was never opened, is an error naming the
// file and line, as nginx -t reports it; balanced files (and a balanced include) load.
func TestNginxConfUnbalancedBraces(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct{ src, want string }{
		{"http {\n server {\n  location /api/ { proxy_pass http://x; }\n }\n", `open.conf:5: unexpected end of file, expecting "}"`},
		{"http {\n}\n}\n", `open.conf:3: unexpected "}"`},
	} {
		_, err := LoadNginxConf(write("open.conf", tc.src))
		if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("%q: %v, want …%s", tc.src, err, tc.want)
		}
	}
	write("inc.conf", "server { location / { } }\n")
	if _, err := LoadNginxConf(write("ok.conf", "http {\n include "+filepath.Join(dir, "inc.conf")+";\n}\n")); err != nil {
		t.Errorf("balanced: %v", err)
	}
}
