package analysis

import (
	"fmt"
	"strings"

	"github.com/logtriage/logtriage/analysis/contract"
)

// contractMethod is the method a finding's contract is about: for a failed CORS preflight, the
// method the browser wanted to send, not OPTIONS.
func contractMethod(f *Finding) string {
	if f.Cause == CauseCORSPreflight && f.WantedMethod != "" {
		return f.WantedMethod
	}
	return f.Method
}

// ApplyContract sets each finding's contract verdict against spec and puts a sentence saying
// who has to fix it in front of the finding's Fix: the server (naming the layer) for a
// documented method, the client (naming the clients that send it) for an undocumented one.
// It works on a fresh analysis and on one read back from JSON alike, and applying it again
// (with the same or another spec) replaces the earlier verdicts.
func ApplyContract(a *Analysis, spec *contract.Spec) {
	for i := range a.Findings {
		f := &a.Findings[i]
		if f.ContractVerdict != "" {
			f.Fix = strings.TrimPrefix(f.Fix, f.ContractVerdict+" ")
		}
		if f.Route == OtherRoutes {
			// Many routes folded together (fold.go): no one path of the spec speaks for them.
			f.Contract, f.ContractPath, f.ContractMethods, f.FixSide, f.ContractVerdict = "", "", nil, "", ""
			continue
		}
		method := contractMethod(f)
		verdict, m := spec.Check(method, f.Route)
		if verdict == contract.UnknownRoute {
			// The route template may have folded a segment the spec has as a literal: try the
			// examples' own paths.
			for _, x := range f.Examples {
				if v, mm := spec.Check(method, x.URI); v != contract.UnknownRoute {
					verdict, m = v, mm
					break
				}
			}
		}
		f.Contract, f.ContractPath, f.ContractMethods = verdict, m.Template, m.Methods
		f.FixSide = ""
		switch verdict {
		case contract.Documented:
			f.FixSide = "server"
		case contract.Undocumented:
			f.FixSide = "client"
			if f.Clients == nil {
				f.Clients = f.clients
			}
			if f.Clients == nil {
				f.Clients = clientsOf(a, f) // a report read back from JSON
			}
		}
		f.ContractVerdict = contractSentence(f, method, spec.Source)
		if f.Fix == "" {
			f.Fix = f.ContractVerdict
		} else {
			f.Fix = f.ContractVerdict + " " + f.Fix
		}
	}
}

// clientsOf counts the user agents and addresses of a finding's requests when the engine did
// not (it does so only for the causes where the client is the usual suspect). A report read
// back from JSON has the requests only when it was written with --requests.
func clientsOf(a *Analysis, f *Finding) *Clients {
	ua, addr := map[string]int{}, map[string]int{}
	for i := range a.Requests {
		r := &a.Requests[i]
		if r.OriginLayer != f.OriginLayer || r.Cause != f.Cause || r.Method != f.Method || Route(r.Path) != f.Route || len(r.Hops) == 0 {
			continue
		}
		h := &r.Hops[0]
		ua[h.UserAgent]++
		if h.ClientIP != "" {
			addr[h.ClientIP]++
		}
	}
	if len(ua) == 0 {
		return nil
	}
	return &Clients{UserAgents: top(ua, 3), Addresses: top(addr, 3)}
}

// contractSentence says who has to fix a finding, and why.
func contractSentence(f *Finding, method, source string) string {
	spec := "the spec"
	if source != "" {
		spec = "the spec (" + baseName(source) + ")"
	}
	switch f.Contract {
	case contract.Documented:
		what := ""
		switch f.Cause {
		case CauseDeployRegression:
			what = "a regression: restore the handler or roll back"
		case CauseBackendDrift:
			what = "drift between backends: bring the stale ones in line"
		case CauseProxyMethodBlock:
			what = "a gateway or proxy rule blocks the method: change the rule"
		case CausePathRewrite:
			what = "a rewrite sends the request to a route without the method: fix the rewrite"
		case CauseCORSPreflight:
			what = "the CORS preflight for it fails: handle OPTIONS and allow " + method
		default:
			what = "a missing handler: add it"
		}
		return fmt.Sprintf("Server side (%s): %s documents %s on %s, yet %s answered 405 — %s; the clients are right.",
			f.OriginLayer, spec, method, f.ContractPath, f.OriginLayer, what)
	case contract.Undocumented:
		who := "the clients that send it"
		if f.Clients != nil && len(f.Clients.UserAgents) > 0 {
			parts := make([]string, 0, len(f.Clients.UserAgents))
			for _, c := range f.Clients.UserAgents {
				parts = append(parts, fmt.Sprintf("%s (%d)", c.Value, c.Count))
			}
			who = strings.Join(parts, ", ")
		}
		documented := "no method"
		if len(f.ContractMethods) > 0 {
			documented = strings.Join(f.ContractMethods, ", ")
		}
		return fmt.Sprintf("Client side: %s documents %s on %s, not %s — fix %s, or document %s if it is meant to work.",
			spec, documented, f.ContractPath, method, who, method)
	default:
		return fmt.Sprintf("Not in the contract: %s has no path for %s — document the route, or find out why clients call it.",
			spec, f.Route)
	}
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
