package main

import (
	"strings"
	"testing"
)

// A Caddy container's output, its own start-up lines before the access lines, was read as an
// application's log, and the 405 Caddy relayed from its backend as the app's own.
func TestCaddyContainerOutput(t *testing.T) {
	r := lt(t, nil, "parse", "parsers/testdata/proxies/caddy-container.log")
	if r.code != exitOK || strings.Count(r.stdout, `"format":"caddy"`) != 3 ||
		!strings.Contains(r.stdout, `"method":"POST","host":"127.0.0.1:18083","uri":"/items","path":"/items","protocol":"HTTP/1.1","scheme":"http","status":405,"upstream_status":[405],"local":false`) {
		t.Errorf("exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
}
