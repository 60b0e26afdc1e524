package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/analysis/report"
	"github.com/logtriage/logtriage/internal/num"
	"github.com/logtriage/logtriage/parsers/elastic"
)

// Exit codes of `logtriage es` beyond the common ones (documented in the README).
const (
	exitESUnreachable  = 10 // no connection, TLS failure, or the cluster kept answering 429/5xx
	exitESAuth         = 11 // 401: bad or missing credentials
	exitESForbidden    = 12 // 403: missing privileges
	exitESMissingIndex = 13 // 404: a concrete index or data stream does not exist
	exitESBadQuery     = 14 // 400: the cluster rejected a query
	exitESWrongProduct = 15 // the server is not Elasticsearch
	exitInterrupted    = 130
)

// esCmd is `logtriage es`: the batch job over Elasticsearch indices.
type esCmd struct {
	URL      []string   `name:"url" env:"ELASTICSEARCH_URL" sep:"," help:"Elasticsearch URL; repeat or comma-separate for several nodes (default http://localhost:9200)." placeholder:"URL"`
	APIKey   string     `name:"api-key" env:"ELASTICSEARCH_API_KEY" help:"API key (the base64 'encoded' value); prefer the environment variable." placeholder:"KEY"`
	Username string     `env:"ELASTICSEARCH_USERNAME" help:"User for basic authentication." placeholder:"USER"`
	Password string     `env:"ELASTICSEARCH_PASSWORD" help:"Password for basic authentication; prefer the environment variable." placeholder:"PASS"`
	CACert   string     `name:"ca-cert" help:"PEM file of the CA that signed the cluster's certificate." type:"existingfile" placeholder:"FILE"`
	Insecure bool       `help:"Do not verify the cluster's TLS certificate."`
	Flavor   flavorName `help:"API dialect of the cluster: elasticsearch (8.x, 9.x) or opensearch (2.x); by default GET / decides." values:"elasticsearch,opensearch" placeholder:"FLAVOR"`

	AWSSigV4   bool   `name:"aws-sigv4" help:"Sign requests with AWS Signature Version 4 (Amazon OpenSearch Service); credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN or the shared files of AWS_PROFILE."`
	AWSRegion  string `name:"aws-region" help:"AWS region for --aws-sigv4 (default AWS_REGION, AWS_DEFAULT_REGION, or the profile's region)." placeholder:"REGION"`
	AWSService string `name:"aws-service" help:"AWS service name for --aws-sigv4: es (managed domains) or aoss (OpenSearch Serverless)." enum:"es,aoss" default:"es"`

	Index  []string `required:"" sep:"," help:"Index patterns and data streams to read: logs-nginx.access-*,logs-aws.elb_logs-*,filebeat-*." placeholder:"PATTERN"`
	Since  string   `help:"Analyse documents at or after this time: RFC 3339, a date, or a duration before now (2h)." placeholder:"TIME"`
	Until  string   `help:"Analyse documents before this time (same forms as --since)." placeholder:"TIME"`
	Status []int    `help:"Statuses to triage (comma-separated)." default:"405" placeholder:"CODE"`

	LayerMap []string          `name:"layer-map" sep:"," help:"Name the layer of documents by dataset or index pattern: --layer-map nginx.access=edge,envoyproxy.log=ingress. Default: the dataset's format (alb, nginx, envoy, app)." placeholder:"MATCH=LAYER"`
	DocField map[string]string `name:"es-field" help:"Read a record field from other document fields (custom index templates): --es-field request_id=labels.request_id (repeatable; comma-separate several fields). Names: time, dataset, raw, method, url, status, upstream_status, request_id, trace_id, amzn_trace_id, client_ip, user_agent, upstream_addr, service, host, version, tiebreaker (OpenSearch: a sortable field unique per document, to page by)." placeholder:"NAME=FIELDS"`

	NginxFormat string            `name:"nginx-format" help:"nginx log_format of raw lines kept in message." placeholder:"STRING"`
	NginxConf   string            `name:"nginx-conf" help:"nginx configuration whose log_format directives may have written the raw lines." type:"existingfile" placeholder:"FILE"`
	EnvoyFormat string            `name:"envoy-format" help:"Envoy access log format of raw lines kept in message." placeholder:"STRING"`
	EnvoyConfig string            `name:"envoy-config" help:"Envoy YAML bootstrap whose access log formats may have written the raw lines." type:"existingfile" placeholder:"FILE"`
	AppField    map[string]string `name:"app-field" help:"Read an application log field from another key: --app-field status=http.status." placeholder:"FIELD=KEY"`

	MaxRequests   int           `name:"max-requests" help:"405 requests examined in depth (their hops fetched); the phase-1 counts stay exact beyond it." default:"5000"`
	PageSize      int           `name:"page-size" help:"Hits per search page (at most 10000)." default:"2000"`
	TermsBatch    int           `name:"terms-batch" help:"Ids per terms query (halved automatically when the cluster's index.max_terms_count is lower)." default:"4096"`
	History       time.Duration `help:"Look this far before --since for the baselines of deploy regressions and backend drift." default:"0s"`
	NoBaselines   bool          `name:"no-baselines" help:"Skip phase 4 (success counts per route): faster, but no deploy_regression or backend_drift."`
	MessageSearch bool          `name:"message-search" help:"Also find 405s in documents that keep only the raw line, by the token 405 in message (candidates, then parsed)."`
	WriteFindings string        `name:"write-findings" help:"Bulk-index the findings (and, with --requests, every 405 request's verdict) into this index; reruns over the same window overwrite." placeholder:"INDEX"`
	Quiet         bool          `short:"q" help:"No progress on stderr."`
	RetryBase     time.Duration `name:"retry-base" hidden:"" default:"250ms"`

	analysisFlags
	outputFlags
	gateFlags
}

func (c *esCmd) Run(s *streams) error {
	if err := checkStatuses(c.Status); err != nil {
		return err
	}
	if err := c.analysisFlags.check(); err != nil {
		return err
	}
	// "logs-*, filebeat-*": an index name holds no space, so " filebeat-*" would match no index
	// and its documents would be left out without a word; an empty name would be sent as is.
	var indices []string
	for _, ix := range c.Index {
		if ix = strings.TrimSpace(ix); ix != "" {
			indices = append(indices, ix)
		}
	}
	c.Index = indices
	if c.History < 0 { // it would move the baselines' start after --since
		return usageErr("--history %s: give how far before --since to look, 0 or more", c.History)
	}
	// 0 or less was taken for each one's default by the job, but --max-requests 0 also kept a
	// single request whole for the report (every other one folded into it).
	for _, n := range []struct {
		flag  string
		value int
	}{{"--max-requests", c.MaxRequests}, {"--page-size", c.PageSize}, {"--terms-batch", c.TermsBatch}} {
		if n.value < 1 {
			return usageErr("%s %d: give 1 or more", n.flag, n.value)
		}
	}
	// With --write-findings, --requests also writes a document per request: not ignored.
	c.outputFlags.requestsUsed = c.WriteFindings != ""
	if err := c.outputFlags.check(s.err, nil); err != nil {
		return err
	}
	if err := c.gateFlags.load(); err != nil { // a bad spec or --fail-on fails before the cluster is asked
		return err
	}
	in := inputFlags{NginxFormat: c.NginxFormat, NginxConf: c.NginxConf, EnvoyFormat: c.EnvoyFormat,
		EnvoyConfig: c.EnvoyConfig, AppField: c.AppField, Since: c.Since, Until: c.Until}
	cfg, err := in.config(s.err)
	if err != nil {
		return err
	}
	since, until, err := in.window(time.Now())
	if err != nil {
		return err
	}
	if c.WriteFindings != "" {
		// Before the job: a name the cluster would refuse must not wait for the last step.
		if err := elastic.CheckWriteIndex(c.WriteFindings); err != nil {
			return usageErr("%v", err)
		}
	}
	var rules []elastic.LayerRule
	for _, m := range c.LayerMap {
		r, err := elastic.ParseLayerRule(m)
		if err != nil {
			return usageErr("--layer-map: %v", err)
		}
		rules = append(rules, r)
	}
	var progress io.Writer = s.err
	if c.Quiet {
		progress = nil
	}
	// The progress line (internal/progress) shows the time elapsed, and the phase and documents
	// read that the job reports to line.Meter(); the job's own messages go through it, so that
	// they do not mix with the line.
	line := startProgress(s, "es", nil, !c.Quiet && c.Output != "json")
	defer line.Stop()
	progress = line.Log(progress)
	var signer *elastic.AWSSigner
	if c.AWSSigV4 {
		creds, err := elastic.LoadAWSCredentials(os.Getenv)
		if err != nil {
			return usageErr("--aws-sigv4: %v", err)
		}
		region := c.AWSRegion
		if region == "" {
			region = elastic.AWSRegion(os.Getenv)
		}
		if region == "" {
			return usageErr("--aws-sigv4: no region: pass --aws-region or set AWS_REGION")
		}
		signer = &elastic.AWSSigner{Creds: creds, Region: region, Service: c.AWSService}
	}
	job, err := elastic.New(elastic.Options{
		URLs: c.URL, APIKey: c.APIKey, Username: c.Username, Password: c.Password,
		CACert: c.CACert, Insecure: c.Insecure, Indices: c.Index, Since: since, Until: until,
		Statuses: c.Status, MaxRequests: c.MaxRequests, PageSize: c.PageSize, TermsBatch: c.TermsBatch,
		History: c.History, NoBaselines: c.NoBaselines, MessageSearch: c.MessageSearch,
		Layers: rules, Fields: c.DocField, Parse: cfg, Route: analysis.Route, Progress: progress, Meter: line.Meter(),
		RetryBase: c.RetryBase, Pad: c.JoinWindow, OpaqueID: "logtriage/" + version,
		Flavor: string(c.Flavor), AWS: signer,
	})
	if err != nil {
		return usageErr("%v", err)
	}
	defer job.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts := c.options()
	// --max-requests already bounds the requests examined: keep every one whole, so that the
	// request documents (--requests) and the examples cover all of them (analysis/fold.go).
	opts.KeepWhole, opts.MaxShapes = max(c.MaxRequests, 1), max(c.MaxRequests, 1)
	if err := methodRules(&in, cfg, &opts); err != nil { // causes.go, as analyze does
		return err
	}
	engine := analysis.New(opts)
	rep, err := job.Run(ctx, engine) // records, then the baselines as counts (analysis/counts.go)
	line.Stop()
	var ee *elastic.Error
	if errors.As(err, &ee) && ee.Kind == elastic.Unreachable && len(c.URL) == 0 {
		err = fmt.Errorf("%w (no --url nor ELASTICSEARCH_URL was given, so logtriage tried the default: name the cluster with --url or ELASTICSEARCH_URL)", err)
	}
	if err != nil {
		return esExit(err)
	}
	a := engine.Result(esInputs(rep))
	// A layer's documents are its input: their format is the layer's (the report's FORMAT column).
	formats := map[string]string{}
	for _, l := range a.Layers {
		formats[l.Name] = l.Format
	}
	for i := range a.Summary.Inputs {
		if in := &a.Summary.Inputs[i]; in.Format == "" {
			in.Format = formats[in.Layer]
		}
	}
	a.Summary.OnlyWith405 = true
	if !rep.CapHit && withStatus(c.Status) == "a 405" { // other statuses: the engine counts 405s
		// The job counts requests by the ids of the documents it read (for the cap); where a
		// layer's documents carry none (a custom format without --nginx-conf, stock Filebeat
		// fields), each document counted as a request: 673 "examined" against 313 in the
		// report. The engine's joins are the count the report stands by.
		rep.Requests405 = int(a.Summary.Requests405 + a.Summary.MonitorProbes)
	}
	a.Summary.Scope = esScope(rep, c.Index, c.MaxRequests, c.Status)
	if err := c.gateFlags.annotate(a); err != nil {
		return err
	}
	if err := c.writeOutput(s.out, a, rep); err != nil {
		return err
	}
	esSummary(s.err, rep, c.Quiet, c.Status)
	code := exitOK
	var problems []string
	if rep.Partial() {
		code = exitPartial
		problems = append(problems, "results are partial: "+strings.Join(append(rep.ShardFailures, timedOut(rep)...), "; "))
	}
	if c.WriteFindings != "" {
		docs := esFindingDocs(a, since, until, c.Requests)
		res, err := job.WriteDocs(ctx, c.WriteFindings, docs)
		if err != nil {
			return esExit(err)
		}
		fmt.Fprintf(s.err, "es: wrote %s to %s (%s)", num.Plural(res.Indexed, "document"), c.WriteFindings, num.Plural(res.Requests, "bulk request"))
		if res.Failed > 0 {
			fmt.Fprintf(s.err, ", %d failed: %s", res.Failed, res.FirstError)
			code = exitPartial
			problems = append(problems, fmt.Sprintf("%d findings documents could not be written", res.Failed))
		}
		fmt.Fprintln(s.err)
	}
	if err := c.gateFlags.gate(s.err, a); err != nil {
		return err
	}
	if code != exitOK {
		return &exitError{code, errors.New(strings.Join(problems, "; "))}
	}
	return nil
}

// withStatus names the statuses --status asked the cluster for: "a 405", or "status 405 or 403".
func withStatus(statuses []int) string {
	if len(statuses) == 0 || len(statuses) == 1 && statuses[0] == 405 {
		return "a 405"
	}
	s := make([]string, len(statuses))
	for i, st := range statuses {
		s[i] = strconv.Itoa(st)
	}
	if len(s) == 1 {
		return "status " + s[0]
	}
	return "status " + strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// esScope says what the analysis of the cluster covers, for every output format.
func esScope(rep *elastic.Report, indices []string, max int, statuses []int) string {
	product := "Elasticsearch"
	if rep.Flavor == elastic.FlavorOpenSearch {
		product = "OpenSearch"
	}
	with := withStatus(statuses)
	s := fmt.Sprintf("%s indices %s: %s documents with %s in the window (exact count); %s requests with %s examined in depth with their hops",
		product, strings.Join(indices, ","), num.Thousands(rep.Total405Docs), with, num.Thousands(int64(rep.Requests405)), with)
	if rep.CapHit {
		s += fmt.Sprintf(" — the --max-requests cap (%s) was hit, so the findings count only the requests examined", num.Thousands(int64(max)))
	}
	return s + "."
}

func timedOut(rep *elastic.Report) []string {
	if rep.TimedOut {
		return []string{"some shards timed out"}
	}
	return nil
}

// esExit maps a job error to its exit code.
func esExit(err error) error {
	var ee *elastic.Error
	if !errors.As(err, &ee) {
		return &exitError{exitFatal, err}
	}
	code := map[elastic.ErrorKind]int{
		elastic.Unreachable: exitESUnreachable, elastic.Auth: exitESAuth, elastic.Forbidden: exitESForbidden,
		elastic.MissingIndex: exitESMissingIndex, elastic.BadQuery: exitESBadQuery,
		elastic.WrongProduct: exitESWrongProduct, elastic.Canceled: exitInterrupted}[ee.Kind]
	if code == 0 {
		code = exitFatal
	}
	return &exitError{code, err}
}

// esInputs describes each layer's documents as an input of the analysis.
func esInputs(rep *elastic.Report) []analysis.InputStats {
	var out []analysis.InputStats
	for _, l := range rep.Layers {
		s := analysis.InputStats{Name: "elasticsearch:" + l.Layer, Layer: l.Layer, Read: l.Docs,
			Parsed: l.Docs - l.Rejected, Rejected: l.Rejected}
		if l.Example != "" {
			s.Rejections = append(s.Rejections, analysis.Rejection{Source: l.Layer, Reason: l.Example})
		}
		out = append(out, s)
	}
	return out
}

func (c *esCmd) writeOutput(stdout io.Writer, a *analysis.Analysis, rep *elastic.Report) error {
	if c.Output != "json" {
		return c.outputFlags.write(stdout, a)
	}
	return c.outputFlags.writeJSONWithES(stdout, a, rep)
}

// esSummary prints what each phase sent and read, the exact 405 counts and the layers.
func esSummary(w io.Writer, rep *elastic.Report, quiet bool, statuses []int) {
	if quiet {
		return
	}
	product := "Elasticsearch"
	if rep.Flavor == elastic.FlavorOpenSearch {
		product = "OpenSearch"
	}
	fmt.Fprintf(w, "\n%s %s (cluster %s), indices %s\n", product, rep.Version, rep.Cluster, strings.Join(rep.Indices, ","))
	t := report.NewTable("PHASE", "REQUESTS", "DOCUMENTS", "BUCKETS", "KIB", "SECONDS").AlignRight(1, 2, 3, 4, 5)
	var r, d, b, kb int64
	for _, p := range rep.Phases {
		t.Row(p.Name, num.Thousands(p.Requests), num.Thousands(p.Docs), num.Thousands(p.Buckets), num.Thousands(p.Bytes>>10), fmt.Sprintf("%.2f", p.Seconds))
		r, d, b, kb = r+p.Requests, d+p.Docs, b+p.Buckets, kb+p.Bytes>>10
	}
	t.Row("total", num.Thousands(r), num.Thousands(d), num.Thousands(b), num.Thousands(kb), "")
	t.Write(w)
	with := withStatus(statuses)
	fmt.Fprintf(w, "%s with %s (exact, phase 1); %s with %s examined in depth", num.Plural(rep.Total405Docs, "document"), with, num.Plural(rep.Requests405, "request"), with)
	if rep.CapHit {
		fmt.Fprintf(w, " — --max-requests reached: the rest are counted, not examined")
	}
	fmt.Fprintln(w)
	if len(rep.Groups) > 0 {
		t := report.NewTable("LAYER", "METHOD", "ROUTE", "STATUS", "DOCS").AlignRight(4)
		for i, g := range rep.Groups {
			if i == 15 {
				break
			}
			t.Row(clip(g.Layer, 10), g.Method, clip(g.Route, 40), g.Status, num.Thousands(g.Count))
		}
		t.Write(w)
		if len(rep.Groups) > 15 {
			fmt.Fprintf(w, "… %s more groups (see --output json)\n", num.Thousands(len(rep.Groups)-15))
		}
	}
	for _, l := range rep.Layers {
		fmt.Fprintf(w, "layer %s: %s (%s parsed from the raw line, %s from fields, %s rejected)\n", l.Layer, num.Plural(l.Docs, "document"),
			num.Thousands(l.FromRaw), num.Thousands(l.FromECS), num.Thousands(l.Rejected))
		if l.Warning != "" {
			fmt.Fprintf(w, "warning: layer %s: %s\n", l.Layer, l.Warning)
		}
	}
	if rep.Baselines != "" {
		fmt.Fprintf(w, "baselines: %s\n", rep.Baselines)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if rep.PITReopened > 0 {
		fmt.Fprintf(w, "the point in time expired %d time(s) and was reopened\n", rep.PITReopened)
	}
}

// esFindingDocs turns findings (and request verdicts) into documents with ids that depend only
// on what they describe and the window, so that a rerun overwrites them.
func esFindingDocs(a *analysis.Analysis, since, until time.Time, requests bool) []elastic.Doc {
	window := map[string]any{}
	if !since.IsZero() {
		window["start"] = since.UTC()
	}
	if !until.IsZero() {
		window["end"] = until.UTC()
	}
	id := func(parts ...string) string {
		h := sha256.Sum256([]byte(strings.Join(append(parts, since.UTC().String(), until.UTC().String()), "\x00")))
		return hex.EncodeToString(h[:16])
	}
	now := time.Now().UTC()
	var docs []elastic.Doc
	for _, f := range a.Findings {
		fid := id("finding", f.OriginLayer, string(f.Cause), f.Method, f.Route)
		var ex []string
		for _, e := range f.Examples {
			ex = append(ex, e.ID)
		}
		body, _ := json.Marshal(map[string]any{"@timestamp": now,
			"event": map[string]any{"dataset": "logtriage.finding", "kind": "alert"},
			"logtriage": map[string]any{"kind": "finding", "finding_id": fid, "window": window,
				"layer": f.OriginLayer, "cause": f.Cause, "method": f.Method, "route": f.Route, "count": f.Count,
				"share": f.Share, "first_seen": f.FirstSeen, "last_seen": f.LastSeen, "masked_count": f.Masked,
				"allow": f.Allow, "evidence": f.Evidence, "fix": f.Fix, "verify": f.Verify, "example_request_ids": ex}})
		docs = append(docs, elastic.Doc{ID: fid, Body: body})
	}
	if requests {
		for _, r := range a.Requests {
			rid := id("request", r.IDs.RequestID, r.IDs.AmznRoot, r.IDs.TraceID, r.Time.String(), r.Method, r.Path)
			body, _ := json.Marshal(map[string]any{"@timestamp": r.Time,
				"event": map[string]any{"dataset": "logtriage.request", "kind": "event"},
				"logtriage": map[string]any{"kind": "request", "request_doc_id": rid, "window": window,
					"finding_id": id("finding", r.OriginLayer, string(r.Cause), r.Method, analysis.Route(r.Path)),
					"layer":      r.OriginLayer, "cause": r.Cause, "method": r.Method, "path": r.Path, "status": r.Status,
					"masked": r.Masked, "evidence": r.Evidence, "request_id": r.IDs.RequestID,
					"trace_id": r.IDs.TraceID, "amzn_trace_root": r.IDs.AmznRoot}})
			docs = append(docs, elastic.Doc{ID: rid, Body: body})
		}
	}
	return docs
}

// flavorName is --flavor's value, an optional flag checked as formatName is (inputs.go).
type flavorName string

func (f flavorName) Validate() error {
	return oneOf(string(f), []string{"elasticsearch", "opensearch"}, "leave --flavor out to let the cluster's GET / decide")
}
