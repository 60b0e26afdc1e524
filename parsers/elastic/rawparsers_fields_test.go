package elastic

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/logtriage/logtriage/parsers"
)

// TestRawParsersSkipFormatsWithoutFields: a log_format of the nginx configuration that logs
// neither the status nor the method (a timing log) is not among the parsers raw documents are
// tried with: it would read any document into an empty record. The configuration's other formats are.
func TestRawParsersSkipFormatsWithoutFields(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "nginx.conf")
	os.WriteFile(conf, []byte(`http {
    log_format timing '$msec $foo_bar';
    log_format triage '$remote_addr [$time_local] "$request" $status $body_bytes_sent';
    access_log /var/log/nginx/timing.log timing;
    access_log /var/log/nginx/access.log triage;
}
`), 0o644)
	nc, err := parsers.LoadNginxConf(conf)
	if err != nil {
		t.Fatal(err)
	}
	got, err := esRawParsers(&parsers.Config{NginxConf: nc})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got[parsers.FormatNginx] {
		names = append(names, p.name)
	}
	has := func(n string) bool {
		for _, x := range names {
			if x == n {
				return true
			}
		}
		return false
	}
	if has("nginx log_format timing") || !has("nginx log_format triage") {
		t.Errorf("nginx parsers tried: %v", names)
	}
}
