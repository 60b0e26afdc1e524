package report

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/shell"
)

// What a finding asks the service to keep: the method contract of its route, and the
// regression tests that lock it (a curl script through the public entry point, a Go test
// against the router), built from the finding's verify request.

// methodContract is what a route's method contract should say, derived from a finding.
type methodContract struct {
	methods  []string // methods the route should document
	accepted bool     // the finding's method belongs to the contract (must not be 405)
	source   string   // where the methods come from
}

func methodSet(s string) []string {
	var out []string
	for _, m := range strings.Split(s, ",") {
		if m = strings.ToUpper(strings.TrimSpace(m)); m != "" && !contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

var methodOrder = map[string]int{"GET": 0, "HEAD": 1, "POST": 2, "PUT": 3, "PATCH": 4, "DELETE": 5, "OPTIONS": 6}

func sortMethods(m []string) []string {
	sort.SliceStable(m, func(i, j int) bool {
		a, ok1 := methodOrder[m[i]]
		b, ok2 := methodOrder[m[j]]
		if !ok1 {
			a = 99
		}
		if !ok2 {
			b = 99
		}
		if a != b {
			return a < b
		}
		return m[i] < m[j]
	})
	return m
}

func contractOf(f *analysis.Finding) methodContract {
	c := methodContract{methods: methodSet(f.Allow)}
	switch {
	case len(f.ContractMethods) > 0:
		c.methods, c.source = methodSet(strings.Join(f.ContractMethods, ",")), "the OpenAPI spec"
		c.accepted = contains(c.methods, f.Method)
		return c
	case f.Cause == analysis.CauseDeployRegression:
		c.source = "it succeeded before the deploy"
		c.accepted = true
	case f.Cause == analysis.CauseBackendDrift:
		c.source = "other backends accept it"
		c.accepted = true
	case f.Cause == analysis.CausePathRewrite:
		c.source = "the client's route; the rewrite sent it elsewhere"
		c.accepted = true
		c.methods = nil // the Allow header is the wrong route's
	case f.Cause == analysis.CauseCORSPreflight:
		c.source = "the browser's preflight"
		c.methods = methodSet(f.Allow + "," + f.WantedMethod)
		c.accepted = false // OPTIONS itself is answered by the CORS layer
	case f.Cause == analysis.CauseProxyMethodBlock:
		c.source = "blocked at " + f.OriginLayer
	default:
		c.source = "the Allow header"
		if f.Allow == "" {
			c.source = "unknown (no Allow header)"
		}
	}
	if c.accepted && !contains(c.methods, f.Method) {
		c.methods = append(c.methods, f.Method)
	}
	if f.Cause == analysis.CauseCORSPreflight && f.WantedMethod != "" && !contains(c.methods, f.WantedMethod) {
		c.methods = append(c.methods, f.WantedMethod)
	}
	c.methods = sortMethods(c.methods)
	return c
}

// verifyCommand is the curl command that checks a finding's fix; a document written before
// findings carried their verify request as data has only the command.
func verifyCommand(f *analysis.Finding) string {
	if f.VerifyRequest == nil {
		return f.Verify
	}
	return f.VerifyRequest.Curl()
}

// preflightOrigin is the Origin of a preflight finding's verify request.
func preflightOrigin(f *analysis.Finding) string {
	if f.VerifyRequest != nil {
		if o := f.VerifyRequest.Header("Origin"); o != "" {
			return o
		}
	}
	return "https://app.example.com"
}

// exampleTarget returns the URL of a finding's verification command and the path the origin
// layer saw (after rewrites), from its first example.
func exampleTarget(f *analysis.Finding) (target, originPath string) {
	if f.VerifyRequest != nil {
		target = f.VerifyRequest.URL
	}
	if len(f.Examples) > 0 {
		x := f.Examples[0]
		for _, h := range x.Hops {
			if h.Layer == f.OriginLayer && h.URI != "" {
				originPath = h.URI
			}
		}
		if originPath == "" {
			originPath = x.URI
		}
	}
	if originPath == "" && target != "" {
		if u, err := url.Parse(target); err == nil {
			originPath = u.RequestURI()
		}
	}
	return target, originPath
}

func curlTest(f *analysis.Finding) string {
	target, _ := exampleTarget(f)
	if target == "" {
		return ""
	}
	q := shell.Quote(target)
	c := contractOf(f)
	var b strings.Builder
	name := f.Method + " " + f.Route
	switch {
	case f.Cause == analysis.CauseCORSPreflight:
		origin := preflightOrigin(f)
		fmt.Fprintf(&b, "# Contract: browsers at %s may %s %s; the CORS preflight must allow it.\n", shell.Comment(origin), shell.Comment(f.WantedMethod), shell.Comment(f.Route))
		fmt.Fprintf(&b, "hdrs=$(curl -s -o /dev/null -D - -X OPTIONS -H %s -H %s %s)\n",
			shell.Quote("Origin: "+origin), shell.Quote("Access-Control-Request-Method: "+f.WantedMethod), q)
		fmt.Fprintf(&b, "echo \"$hdrs\" | head -n1 | grep -q ' 2[0-9][0-9]' &&\n")
		fmt.Fprintf(&b, "  echo \"$hdrs\" | grep -i '^access-control-allow-methods:' | grep -qF -- %s ||\n", shell.Quote(f.WantedMethod))
		fmt.Fprintf(&b, "  { printf '%%s\\n' %s; exit 1; }\n", shell.Quote("preflight for "+f.WantedMethod+" "+f.Route+" rejected"))
	case c.accepted:
		fmt.Fprintf(&b, "# Contract: %s supports %s (%s).\n", shell.Comment(f.Route), shell.Comment(strings.Join(c.methods, ", ")), shell.Comment(c.source))
		if f.Drift != nil && len(f.Drift.OK)+len(f.Drift.Failing) > 0 && f.Drift.Dimension == "upstream address" {
			_, p := exampleTarget(f)
			if len(f.Examples) > 0 {
				// The path the backends see: the hop after the drift layer.
				x := f.Examples[0]
				for j, h := range x.Hops {
					if h.Layer == f.Drift.Layer && j+1 < len(x.Hops) && x.Hops[j+1].URI != "" {
						p = x.Hops[j+1].URI
					}
				}
			}
			var hosts []string
			for _, bk := range append(append([]analysis.Backend{}, f.Drift.OK...), f.Drift.Failing...) {
				hosts = append(hosts, shell.Word(bk.Name))
			}
			sort.Strings(hosts)
			fmt.Fprintf(&b, "# Every backend must agree, so check each one directly.\n")
			fmt.Fprintf(&b, "for backend in %s; do\n", strings.Join(hosts, " "))
			fmt.Fprintf(&b, "  code=$(curl -s -o /dev/null -w '%%{http_code}' %s \"http://$backend\"%s)\n", shell.Method(f.Method), shell.Quote(p))
			fmt.Fprintf(&b, "  [ \"$code\" != 405 ] || { printf '%%s answered 405 on %%s\\n' %s \"$backend\"; exit 1; }\n", shell.Quote(name))
			b.WriteString("done\n")
			break
		}
		fmt.Fprintf(&b, "code=$(curl -s -o /dev/null -w '%%{http_code}' %s %s)\n", shell.Method(f.Method), q)
		fmt.Fprintf(&b, "[ \"$code\" != 405 ] || { printf '%%s\\n' %s; exit 1; }\n", shell.Quote(name+" answered 405"))
	default:
		allow := strings.Join(c.methods, ", ")
		if f.Cause == analysis.CauseProxyMethodBlock {
			fmt.Fprintf(&b, "# Contract: %s is blocked at %s on purpose; the 405 must say what is allowed.\n", shell.Comment(f.Method), shell.Comment(f.OriginLayer))
			fmt.Fprintf(&b, "# (If %s should reach the backend instead, assert that the status is not 405.)\n", shell.Comment(f.Method))
		} else {
			fmt.Fprintf(&b, "# Contract: %s supports %s, not %s; a 405 must list the allowed methods.\n", shell.Comment(f.Route), shell.Comment(orDash(allow)), shell.Comment(f.Method))
		}
		fmt.Fprintf(&b, "hdrs=$(curl -s -o /dev/null -D - %s %s)\n", shell.Method(f.Method), q)
		fmt.Fprintf(&b, "echo \"$hdrs\" | head -n1 | grep -q ' 405' &&\n")
		if allow != "" {
			fmt.Fprintf(&b, "  echo \"$hdrs\" | grep -iqF -- %s ||\n", shell.Quote("allow: "+allow))
		} else {
			fmt.Fprintf(&b, "  echo \"$hdrs\" | grep -iq '^allow:' ||\n")
		}
		fmt.Fprintf(&b, "  { printf '%%s\\n' %s; exit 1; }\n", shell.Quote(name+": want 405 with an Allow header"))
	}
	return b.String()
}

// goTest writes an httptest example that locks a route's method contract in a Go service.
func goTest(f *analysis.Finding) string {
	_, p := exampleTarget(f)
	if p == "" {
		return ""
	}
	c := contractOf(f)
	type tc struct {
		method  string
		allowed bool
	}
	var cases []tc
	for _, m := range c.methods {
		if f.Cause == analysis.CauseCORSPreflight && m == f.WantedMethod {
			continue
		}
		cases = append(cases, tc{m, true})
	}
	if !c.accepted && f.Cause != analysis.CauseCORSPreflight {
		cases = append(cases, tc{f.Method, false})
	}
	var b strings.Builder
	name := "TestMethodContract" + goName(f.Route)
	fmt.Fprintf(&b, "// %s locks the method contract of %s (logtriage: %s %s answered 405, %s).\n", name, shell.Comment(f.Route), shell.Comment(f.Method), shell.Comment(f.Route), f.Cause)
	fmt.Fprintf(&b, "func %s(t *testing.T) {\n", name)
	b.WriteString("\th := newRouter() // the service's http.Handler\n")
	if f.Cause == analysis.CauseCORSPreflight {
		origin := preflightOrigin(f)
		fmt.Fprintf(&b, "\treq := httptest.NewRequest(http.MethodOptions, %q, nil)\n", p)
		fmt.Fprintf(&b, "\treq.Header.Set(\"Origin\", %q)\n", origin)
		fmt.Fprintf(&b, "\treq.Header.Set(\"Access-Control-Request-Method\", %q)\n", f.WantedMethod)
		b.WriteString("\trec := httptest.NewRecorder()\n\th.ServeHTTP(rec, req)\n")
		fmt.Fprintf(&b, "\tif rec.Code >= 300 || !strings.Contains(rec.Header().Get(\"Access-Control-Allow-Methods\"), %q) {\n", f.WantedMethod)
		fmt.Fprintf(&b, "\t\tt.Errorf(\"preflight for %%s: status %%d, Access-Control-Allow-Methods %%q\", %q, rec.Code, rec.Header().Get(\"Access-Control-Allow-Methods\"))\n\t}\n", f.WantedMethod)
		if len(cases) == 0 {
			b.WriteString("}\n")
			return b.String()
		}
	}
	b.WriteString("\tfor _, tc := range []struct {\n\t\tmethod  string\n\t\tallowed bool\n\t}{\n")
	for _, c := range cases {
		fmt.Fprintf(&b, "\t\t{%q, %v},\n", c.method, c.allowed)
	}
	b.WriteString("\t} {\n\t\trec := httptest.NewRecorder()\n")
	fmt.Fprintf(&b, "\t\th.ServeHTTP(rec, httptest.NewRequest(tc.method, %q, nil))\n", p)
	b.WriteString("\t\tif tc.allowed && rec.Code == http.StatusMethodNotAllowed {\n")
	fmt.Fprintf(&b, "\t\t\tt.Errorf(\"%%s %%s: 405, want the method routed\", tc.method, %q)\n\t\t}\n", p)
	b.WriteString("\t\tif !tc.allowed && (rec.Code != http.StatusMethodNotAllowed || rec.Header().Get(\"Allow\") == \"\") {\n")
	fmt.Fprintf(&b, "\t\t\tt.Errorf(\"%%s %%s: status %%d, Allow %%q; want 405 with an Allow header\", tc.method, %q, rec.Code, rec.Header().Get(\"Allow\"))\n\t\t}\n", p)
	b.WriteString("\t}\n}\n")
	return b.String()
}

// goName turns a route template into a Go identifier part: /api/orders/{id} → APIOrdersID.
func goName(route string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(route, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		switch strings.ToLower(w) {
		case "api", "id", "url", "http":
			b.WriteString(strings.ToUpper(w))
		default:
			r, size := utf8.DecodeRuneInString(w)
			b.WriteString(string(unicode.ToUpper(r)) + w[size:])
		}
	}
	if b.Len() == 0 {
		return "Root"
	}
	return b.String()
}
