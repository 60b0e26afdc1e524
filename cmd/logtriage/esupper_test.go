package main

import (
	"strings"
	"testing"
)

// TestESUpperCaseIndex: an --index entry with capitals names no index (index and data stream
// names are lower case; the cluster matches names case-sensitively and refuses to create an
// index with capitals). Beside a pattern that matches, 'Logs-*' used to match nothing without a
// word: exit 0 with a report of the other indices' layers only. Now the run stops before
// reading, naming the entry and the lower-case one to use.
func TestESUpperCaseIndex(t *testing.T) {
	_, url := esFake(t)
	for _, c := range []struct{ index, bad, want string }{
		{"Logs-*,filebeat-*", "Logs-*", "logs-*"},
		{"LOGS-NGINX.ACCESS-DEFAULT", "LOGS-NGINX.ACCESS-DEFAULT", "logs-nginx.access-default"},
	} {
		args := esArgs(url)
		for i := range args {
			if args[i] == "logs-*,filebeat-*" {
				args[i] = c.index
			}
		}
		r := lt(t, nil, args...)
		msg := "--index " + c.bad + " matches no index, data stream or alias: their names are lower case"
		if r.code != exitESMissingIndex || !strings.Contains(r.stderr, msg) || !strings.Contains(r.stderr, "use --index "+c.want+"\n") || r.stdout != "" {
			t.Errorf("--index %s: exit %d, stdout %d bytes, stderr:\n%s", c.index, r.code, len(r.stdout), r.stderr)
		}
	}
	// Lower case, the same patterns read as before.
	if r := esShared(t); r.code != 0 || strings.Contains(r.stderr, "lower case") {
		t.Errorf("lower case: exit %d\n%s", r.code, r.stderr)
	}
}
