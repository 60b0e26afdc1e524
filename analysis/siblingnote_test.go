package analysis

import (
	"strings"
	"testing"
)

// TestSiblingNoteSameFormat: Apache httpd in front of Express writing morgan's 'combined' lines
// (captured on loopback, the app's file named api.log, --apache-conf given) are two layers of
// format apache, never joined: the order sentence said only that they were siblings, and every
// 405 was reported twice, as proxy_method_block at each. It now says how to give the order, and
// that an application writing the Combined Log Format is declared with --app-layer.
func TestSiblingNoteSameFormat(t *testing.T) {
	same := []Layer{{Name: "api", Format: "apache", Tier: 0}, {Name: "edge", Format: "apache", Tier: 0}}
	n := siblingNote(same)
	for _, want := range []string{"api, edge are siblings", "logs of one format (apache)", "--order api,edge", "--app-layer NAME"} {
		if !strings.Contains(n, want) {
			t.Errorf("same format: %q lacks %q", n, want)
		}
	}
	apps := []Layer{{Name: "edge", Format: "nginx", Tier: 0}, {Name: "flask", Format: "app", Tier: 1}, {Name: "gin", Format: "app", Tier: 1}}
	if n := siblingNote(apps); strings.Contains(n, "--order") || strings.Contains(n, "--app-layer") {
		t.Errorf("sibling apps behind one proxy: %q", n)
	}
	mixed := []Layer{{Name: "edge", Format: "nginx", Tier: 0}, {Name: "lb", Format: "haproxy", Tier: 0}, {Name: "app", Format: "app", Tier: 1}}
	if n := siblingNote(mixed); !strings.Contains(n, "different proxies (nginx, haproxy)") || !strings.Contains(n, "--order edge,lb,app") {
		t.Errorf("nginx and HAProxy: %q", n)
	}
}

// TestSiblingNoteOrderByRecords: the --order suggested for two proxies puts the one with more
// records in front (it answers some requests itself and sees all the other does), whatever
// order the layers came in.
func TestSiblingNoteOrderByRecords(t *testing.T) {
	layers := []Layer{{Name: "lb", Format: "haproxy", Tier: 0, Records: 900}, {Name: "edge", Format: "nginx", Tier: 0, Records: 1000},
		{Name: "app", Format: "app", Tier: 1, Records: 880}}
	if n := siblingNote(layers); !strings.Contains(n, "--order edge,lb,app, the layer with more records in front") {
		t.Errorf("HAProxy listed first, nginx with more records: %q", n)
	}
	alb := []Layer{{Name: "alb", Format: "alb", Tier: 0, Records: 5000}, {Name: "a", Format: "caddy", Tier: 1, Records: 10},
		{Name: "b", Format: "traefik", Tier: 1, Records: 4000}, {Name: "app", Format: "app", Tier: 2, Records: 3000}}
	if n := siblingNote(alb); !strings.Contains(n, "--order alb,b,a,app") {
		t.Errorf("siblings in the middle: %q", n)
	}
}
