// Package shell writes values into shell commands. Methods, hosts, paths and headers in the
// generated commands come from logs, that is from clients: every value is one shell word, and
// running a command never runs what a value holds.
package shell

import "strings"

// Quote single-quotes s.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Word returns s as one shell word: as is when it holds only characters no shell treats
// specially, else single-quoted.
func Word(s string) string {
	if s == "" {
		return "''"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.:/=@%+,-", c) >= 0) {
			return Quote(s)
		}
	}
	return s
}

// Comment makes s safe inside a shell comment: no line breaks or control characters.
func Comment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// Method is curl's option for a request method: -X METHOD, and -I for HEAD. With -X HEAD curl
// waits for the body the answer's Content-Length announces, which an answer to HEAD never has:
// against nginx relaying a 405 with Content-Length: 19 it hung until it was killed.
func Method(method string) string {
	if method == "HEAD" {
		return "-I"
	}
	return "-X " + Word(method)
}

// Curl returns the curl command that sends a request and prints the answer's headers:
// curl -i -X METHOD [-H 'Name: value']… 'URL' (curl -i -I … for HEAD).
func Curl(method, url string, headers ...string) string {
	var b strings.Builder
	b.WriteString("curl -i ")
	b.WriteString(Method(method))
	for _, h := range headers {
		b.WriteString(" -H ")
		b.WriteString(Quote(h))
	}
	b.WriteByte(' ')
	b.WriteString(Quote(url))
	return b.String()
}
