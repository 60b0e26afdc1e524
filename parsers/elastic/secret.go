package elastic

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Credentials never reach a message (docs/elasticsearch.md §1): cluster URLs are checked here,
// before the client sees them, with errors that show the URL without its user info, and every
// message the job returns or prints passes through scrub, which blanks the password, API key
// and tokens wherever they appear (a server may echo a header back).

// redactURL returns s with any user info replaced by "xxxxx", even when s does not parse.
func redactURL(s string) string {
	rest := s
	prefix := ""
	if i := strings.Index(s, "://"); i >= 0 {
		prefix, rest = s[:i+3], s[i+3:]
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return prefix + "xxxxx@" + rest[at+1:]
	}
	return s
}

// checkURL validates one cluster address and returns it parsed. Its errors never contain the
// user info.
func checkURL(s string) (*url.URL, error) {
	shown := redactURL(strings.TrimSpace(s))
	if strings.ContainsAny(s, " \t\r\n") {
		return nil, fmt.Errorf("cluster URL %q contains white space (percent-encode it in a password as %%20)", shown)
	}
	if !strings.Contains(s, "://") {
		return nil, fmt.Errorf("cluster URL %q has no scheme: write https://HOST:9200 (or http://)", shown)
	}
	u, err := url.Parse(s)
	if err != nil {
		var why string
		switch {
		case strings.Contains(err.Error(), "invalid URL escape"):
			why = "a % not followed by two hex digits (write %25 for a literal %)"
		case strings.Contains(err.Error(), "invalid userinfo"):
			why = "a character in the user info that must be percent-encoded"
		case strings.Contains(err.Error(), "invalid port"):
			why = "an invalid port"
		default:
			why = "it does not parse"
		}
		return nil, fmt.Errorf("cluster URL %q is malformed: %s", shown, why)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("cluster URL %q: the scheme must be http or https", shown)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("cluster URL %q has no host", shown)
	}
	return u, nil
}

// secrets lists the strings no message may contain.
type secrets []string

func (s *secrets) add(v string) {
	if len(v) >= 3 { // shorter strings would blank ordinary words
		*s = append(*s, v)
	}
}

// scrub blanks every secret in msg.
func (s secrets) scrub(msg string) string {
	for _, v := range s {
		msg = strings.ReplaceAll(msg, v, "xxxxx")
	}
	return msg
}

// clipReason shortens a server-provided text to n bytes (on a rune boundary), saying how much was
// left out: an error reason can be megabytes long.
func clipReason(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", s[:cut], len(s)-cut)
}
