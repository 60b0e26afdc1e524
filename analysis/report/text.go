package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/num"
	"github.com/logtriage/logtriage/internal/term"
)

// Text writes the terminal report: layer order, findings table, each finding's evidence,
// fix and verification, and the inputs read.
func Text(w io.Writer, a *analysis.Analysis) error {
	bw := bufio.NewWriter(w)
	s := &a.Summary
	pct := 0.0
	if s.Requests > 0 {
		pct = 100 * float64(s.Requests405) / float64(s.Requests)
	}
	n := num.Thousands[int64]
	if s.OnlyWith405 {
		term.Fprintf(bw, "logtriage: %s with a 405", num.Plural(int(s.Requests405), "request"))
	} else {
		term.Fprintf(bw, "logtriage: %s, %s with a 405 (%.1f%%)", num.Plural(int(s.Requests), "request"), n(s.Requests405), pct)
	}
	if !s.FirstSeen.IsZero() {
		term.Fprintf(bw, ", %s", stamp(s.FirstSeen))
		if !s.LastSeen.Equal(s.FirstSeen) { // one second of logs: one time, as a finding's
			term.Fprintf(bw, " – %s", stamp(s.LastSeen))
		}
	}
	bw.WriteString("\n")
	if s.Scope != "" {
		term.Fprintf(bw, "Scope: %s\n", s.Scope)
	}
	if z := zoneText(s); z != "" {
		term.Fprintf(bw, "%s\n", z) // first: the findings below may be wrong without --tz
	}
	for _, l := range moreFacts(a) { // method rejections that were not 405s, noise (causes.go)
		term.Fprintf(bw, "%s%s\n", l[0], l[1])
	}
	bw.WriteString("\n")

	term.Fprintf(bw, "Layers, outer → inner: %s\n  %s\n\n", orDash(layerNames(a.Layers)), a.Order)

	if len(a.Findings) == 0 {
		bw.WriteString("No 405 responses found.\n\n")
	} else {
		bw.WriteString("Findings\n")
		t := &table{Head: []string{"#", "COUNT", "SHARE", "ORIGIN", "CAUSE", "METHOD", "ROUTE", "FLAGS"}}
		var rest, restCount int
		for i, f := range a.Findings {
			if i >= textTableRows {
				rest++
				restCount += f.Count
				continue
			}
			t.row(strconv.Itoa(i+1), num.Thousands(f.Count), fmt.Sprintf("%.1f%%", 100*f.Share),
				f.OriginLayer, string(f.Cause), f.Method, f.Route, flags(&f))
		}
		t.text(bw, "")
		if rest > 0 {
			term.Fprintf(bw, "… and %s (%s): --output json, markdown or html lists them all\n",
				num.Plural(rest, "more finding"), num.Plural(restCount, "request"))
		}
		bw.WriteString("\n")
		// The numbers are right-aligned and the lines under a finding start where its text does
		// ("10. " is one column wider than " 9. ").
		w := len(strconv.Itoa(min(len(a.Findings), textDetails)))
		in := strings.Repeat(" ", w+2)
		for i, f := range a.Findings {
			if i >= textDetails {
				break
			}
			term.Fprintf(bw, "%*d. %s %s — %s at %s: %s", w, i+1, f.Method, f.Route, f.Cause,
				f.OriginLayer, num.Plural(f.Count, "request"))
			switch {
			case f.FirstSeen.IsZero(): // lines without a time of their own (morgan dev, bare uvicorn)
				bw.WriteString(", no time logged")
			case !f.LastSeen.Equal(f.FirstSeen):
				term.Fprintf(bw, ", %s – %s", stamp(f.FirstSeen), stamp(f.LastSeen))
			default:
				term.Fprintf(bw, ", %s", stamp(f.FirstSeen))
			}
			bw.WriteString("\n")
			term.Fprintf(bw, "%sEvidence: %s\n", in, f.Evidence)
			term.Fprintf(bw, "%sFix:      %s\n", in, f.Fix)
			term.Fprintf(bw, "%sVerify:   %s\n", in, verifyCommand(&f))
			if f.VerifyRequest != nil && f.VerifyRequest.Note != "" {
				term.Fprintf(bw, "%s          (%s)\n", in, f.VerifyRequest.Note)
			}
			term.Fprintf(bw, "%sJoined:   %s\n", in, joinText(f.Joins))
			for _, x := range f.Examples {
				term.Fprintf(bw, "%sExample:  %s  %s\n", in, x.ID, x.Chain)
			}
			bw.WriteString("\n")
		}
		if len(a.Findings) > textDetails {
			// The table lists them: say where their evidence, fix and verify command are.
			span := fmt.Sprintf("Findings %d–%d", textDetails+1, len(a.Findings))
			if len(a.Findings) == textDetails+1 {
				span = fmt.Sprintf("Finding %d", textDetails+1)
			}
			term.Fprintf(bw, "%s: evidence, fix and verify command with --output markdown or html (--detail %d), or json.\n\n", span, len(a.Findings))
		}
	}

	term.Fprintf(bw, "Requests: %s, %s %s", n(s.Requests), n(s.SingleHop), singleHopText)
	if s.NonUniqueIDs > 0 {
		term.Fprintf(bw, ", %d ids not unique and ignored (%s)", s.NonUniqueIDs, strings.Join(s.NonUniqueIDExample, ", "))
	}
	if s.Masked405 > 0 {
		term.Fprintf(bw, ", %s", num.Plural(int(s.Masked405), "masked 405"))
	}
	term.Fprintf(bw, "; %s", num.Plural(int(s.Records), "record"))
	if s.NoStatus > 0 {
		term.Fprintf(bw, " (%d without a status ignored)", s.NoStatus)
	}
	bw.WriteString("\n")
	if j := joinSummary(s); j != "" {
		bw.WriteString(j + "\n")
	}
	if l := lateText(s); l != "" {
		bw.WriteString(l + "\n")
	}
	if o := orderText(s); o != "" {
		bw.WriteString(o + "\n")
	}
	if s.RoutesTruncated {
		bw.WriteString("Warning: too many distinct routes; baselines of later routes were not kept.\n")
	}
	if s.FoldedRequests > 0 {
		term.Fprintf(bw, "%s requests with a 405 beyond the first 10,000 were counted into an earlier request of the same shape, not kept one by one (every count includes them; --requests lists those kept)", n(s.FoldedRequests))
		if s.OtherRouteRequests > 0 {
			term.Fprintf(bw, "; %s on routes beyond the first 12,000 distinct routes are reported under %s", n(s.OtherRouteRequests), analysis.OtherRoutes)
		}
		bw.WriteString(".\n")
	}
	if len(s.Inputs) > 0 {
		bw.WriteString("\nInputs\n")
		t := &table{Head: []string{"INPUT", "LAYER", "FORMAT", "READ", "PARSED", "REJECTED", "SKIPPED"}}
		var blank int64 // BLANK only when some input has blank lines: then the counts add up to READ
		for _, in := range s.Inputs {
			blank += in.Blank
		}
		if blank > 0 {
			t.Head = append(t.Head, "BLANK")
		}
		for _, in := range inputRows(s.Inputs) { // inputs.go
			cells := []string{in.label(), in.Layer, in.Format, n(in.Read), n(in.Parsed), n(in.Rejected), n(in.Skipped), n(in.Blank)}
			t.row(cells[:len(t.Head)]...)
		}
		t.text(bw, "")
		rej, more := rejectionsShown(s.Inputs)
		for _, r := range rej {
			term.Fprintf(bw, "  rejected %s: %s\n", r.Source, r.Reason)
		}
		if more > 0 {
			term.Fprintf(bw, "  … and %s of rejected lines (-o json lists every input's)\n", num.Plural(more, "more example"))
		}
	}
	return bw.Flush()
}

// The terminal report fits one screen for the top of the list: the table shows the first
// textTableRows findings, and the first textDetails get evidence, fix and examples.
const (
	textTableRows = 20
	textDetails   = 10
)

func flags(f *analysis.Finding) string {
	p := moreFlags(f) // causes.go
	if f.Masked > 0 {
		p = append(p, fmt.Sprintf("masked %d", f.Masked))
	}
	if f.AllowMissing > 0 {
		p = append(p, fmt.Sprintf("no-Allow %d", f.AllowMissing))
	}
	if f.Retried > 0 {
		p = append(p, fmt.Sprintf("retried %d", f.Retried))
	}
	if f.Uncertain > 0 {
		p = append(p, fmt.Sprintf("uncertain %d", f.Uncertain))
	}
	return strings.Join(p, ", ")
}

// Trace prints the hop chain of each request matching id, with every hop's record and the
// verdict.
func Trace(w io.Writer, id string, reqs []analysis.RequestView) error {
	bw := bufio.NewWriter(w)
	if len(reqs) == 0 {
		term.Fprintf(bw, "No request with id %s in the inputs (within the join window).\n", id)
		return bw.Flush()
	}
	for i, r := range reqs {
		if i > 0 {
			bw.WriteString("\n")
		}
		term.Fprintf(bw, "Request %s %s%s at %s, client got %d\n", r.Method, r.Host, r.Path, stamp(r.Time), r.Status)
		term.Fprintf(bw, "  ids: %s\n", orDash(idsText(r.IDs)))
		if r.Join != "" {
			term.Fprintf(bw, "  joined: %s\n", joinKindText(r.Join))
		}
		for j, h := range r.Hops {
			term.Fprintf(bw, "  %d. %s (%s) %s  %s\n", j+1, h.Layer, h.Format, h.Source, stamp(h.Time))
			term.Fprintf(bw, "     %s %s%s → %d", h.Method, h.Host, h.URI, h.Status)
			if len(h.Upstream) > 0 {
				term.Fprintf(bw, "  upstream %s", num.Statuses(h.Upstream))
			}
			if h.UpstreamAddr != "" {
				term.Fprintf(bw, " from %s", h.UpstreamAddr)
			}
			term.Fprintf(bw, "  local=%s\n", h.Local)
			var extra []string
			add := func(k, v string) {
				if v != "" {
					extra = append(extra, k+"="+v)
				}
			}
			add("routed_path", h.RoutedPath)
			add("allow", h.Allow)
			add("service", h.Service)
			add("detail", h.Detail)
			add("client", h.ClientIP)
			add("ua", h.UserAgent)
			add("origin", h.Origin)
			add("acr_method", h.ACRMethod)
			if h.DurationMS != nil {
				extra = append(extra, fmt.Sprintf("duration=%.3fms", *h.DurationMS))
			}
			add("ids", idsText(h.IDs))
			if len(extra) > 0 {
				term.Fprintf(bw, "     %s\n", strings.Join(extra, " "))
			}
		}
		if r.OriginLayer == "" {
			bw.WriteString("  Verdict: no 405 at any hop\n")
		} else {
			term.Fprintf(bw, "  Verdict: origin %s, cause %s", r.OriginLayer, r.Cause)
			if r.Masked {
				bw.WriteString(", masked")
			}
			term.Fprintf(bw, "\n  %s\n", r.Evidence)
		}
	}
	return bw.Flush()
}

func idsText(v analysis.IDsView) string {
	var p []string
	for _, kv := range [][2]string{{"request_id", v.RequestID}, {"nginx_request_id", v.NginxRequestID},
		{"trace_id", v.TraceID}, {"amzn_root", v.AmznRoot}, {"b3_trace_id", v.B3TraceID}} {
		if kv[1] != "" {
			p = append(p, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(p, " ")
}
