package main

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"
)

// Renderers: one per hop, each printing exactly what that program writes for the request.

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// secs formats a duration as seconds with three decimals, as ALB and nginx print them.
func secs(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Milliseconds())/1000, 'f', 3, 64)
}

// renderALB prints an ALB access log entry with the fields documented up to #29 conn_trace_id
// (docs/formats.md §3.2).
func renderALB(b []byte, r *request) []byte {
	a := r.alb
	typ, proto := "https", "HTTP/1.1"
	if r.h2 {
		typ, proto = "h2", "HTTP/2.0"
	}
	sp := func(s string) { b = append(b, ' '); b = append(b, s...) }
	q := func(s string) { b = append(b, ' ', '"'); b = append(b, s...); b = append(b, '"') }

	b = append(b, typ...)
	sp(a.end.Format("2006-01-02T15:04:05.000000Z"))
	sp(albName)
	sp(r.client + ":" + strconv.Itoa(r.port))
	target, tstat := "-", "-"
	if a.local == nil {
		target, tstat = a.target, strconv.Itoa(a.tgtStatus)
		sp(target)
		sp(secs(r.edge.start.Sub(a.start)))
		sp(secs(r.edge.end.Sub(r.edge.start)))
		sp(secs(a.end.Sub(r.edge.end)))
	} else {
		// Nothing was dispatched to a target.
		sp("- -1 -1 -1")
	}
	sp(strconv.Itoa(a.out.status))
	sp(tstat)
	sp(strconv.Itoa(a.reqHeaders + r.reqBody))
	sp(strconv.Itoa(a.out.body + 160 + len(a.out.allow)))
	q(r.method + " https://" + apiHost + ":443" + r.uri + " " + proto)
	q(r.ua)
	sp(a.cipher)
	sp(a.tls)
	sp(a.tg)
	q("Root=" + a.root)
	q(apiHost)
	q(a.cert)
	sp(a.rule)
	// request_creation_time: the ALB prints it with millisecond resolution.
	sp(a.start.Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000000Z"))
	q(a.actions)
	q("-") // redirect_url
	q("-") // error_reason
	q(target)
	q(tstat)
	q("-") // classification
	q("-") // classification_reason
	sp(a.tid)
	return append(b, '\n')
}

// nginxEscape applies nginx's default log escaping (docs/formats.md §1.3) to a variable's value.
func nginxEscape(b []byte, s string) []byte {
	const hexd = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			b = append(b, '\\', 'x', hexd[c>>4], hexd[c&0xf])
			continue
		}
		b = append(b, c)
	}
	return b
}

// renderEdge prints an nginx line in the "triage" log_format of nginx.conf.
func renderEdge(b []byte, r *request) []byte {
	e := r.edge
	v := func(s string) { b = nginxEscape(b, dashIfEmpty(s)) }
	b = append(b, e.remote...)
	b = append(b, " - - ["...)
	b = e.end.AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = append(b, `] "`...)
	b = nginxEscape(b, r.method+" "+r.uri+" HTTP/1.1")
	b = append(b, `" `...)
	b = strconv.AppendInt(b, int64(e.out.status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(e.out.body), 10)
	b = append(b, ` "`...)
	v(r.referer)
	b = append(b, `" "`...)
	v(r.ua)
	b = append(b, `" rt=`...)
	b = append(b, secs(e.end.Sub(e.start))...)
	b = append(b, " rid="...)
	b = append(b, e.rid...)
	b = append(b, " xrid="...)
	v(r.clientRID)
	b = append(b, ` amzn="`...)
	if r.alb != nil {
		b = append(b, "Root="+r.alb.root...)
	} else {
		b = append(b, '-')
	}
	b = append(b, `" us="`...)
	if len(e.upStatus) == 0 {
		b = append(b, '-')
	}
	for i, s := range e.upStatus {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendInt(b, int64(s), 10)
	}
	b = append(b, `" ua="`...)
	v(strings.Join(e.upAddr, ", "))
	b = append(b, `" uri="`...)
	uri := e.uri
	if uri == "" {
		uri = r.path()
	}
	v(uri)
	b = append(b, `" allow="`...)
	v(e.out.allow)
	b = append(b, `" origin="`...)
	v(r.origin)
	b = append(b, `" acrm="`...)
	v(r.acrm)
	b = append(b, '"', '\n')
	return b
}

// renderIngress prints an Envoy line in the text format of envoy.yaml.
func renderIngress(b []byte, r *request) []byte {
	ig := r.ingress
	v := func(s string) { b = append(b, dashIfEmpty(s)...) }
	q := func(s string) { b = append(b, '"'); v(s); b = append(b, '"') }
	b = append(b, '[')
	b = ig.start.AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, `] "`...)
	// %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%: the path nginx sent, before Envoy's prefix_rewrite.
	b = append(b, r.method+" "+ig.sent+" HTTP/1.1\" "...)
	b = strconv.AppendInt(b, int64(ig.out.status), 10)
	b = append(b, ' ')
	b = append(b, ig.flags...)
	b = append(b, ' ')
	b = append(b, ig.details...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(r.reqBody), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(ig.out.body), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, ig.end.Sub(ig.start).Milliseconds(), 10)
	b = append(b, ' ')
	xff := r.client
	if r.alb != nil {
		xff += ", " + r.alb.node
	}
	q(xff)
	b = append(b, ' ')
	q(r.ua)
	b = append(b, ' ')
	q(r.edge.rid)
	b = append(b, ' ')
	tp := ""
	if ig.traceID != "" {
		tp = "00-" + ig.traceID + "-" + ig.spanID + "-01"
	}
	q(tp)
	b = append(b, ' ')
	q(apiHost)
	b = append(b, ' ')
	q(ig.upHost)
	b = append(b, ' ')
	v(ig.cluster)
	b = append(b, ' ')
	q(ig.path)
	b = append(b, ' ')
	q(ig.out.allow)
	b = append(b, ' ')
	q(r.origin)
	b = append(b, ' ')
	q(r.acrm)
	return append(b, '\n')
}

// appLogger renders app records with the real log/slog JSON handler, so that the quoting,
// time and float formats are exactly what a Go service writes.
type appLogger struct {
	buf bytes.Buffer
	h   slog.Handler
}

func newAppLogger() *appLogger {
	l := &appLogger{}
	l.h = slog.NewJSONHandler(&l.buf, nil)
	return l
}

// render prints the access-middleware record of the app hop: time, level, msg, method, path,
// status, allow (when set), duration_ms, trace_id (from traceparent), request_id (services that
// log it), service, version, instance.
func (l *appLogger) render(b []byte, r *request) []byte {
	a := r.app
	level := slog.LevelInfo
	switch {
	case a.res.status >= 500:
		level = slog.LevelError
	case a.res.status >= 400:
		level = slog.LevelWarn
	}
	rec := slog.NewRecord(a.end, level, "request", 0)
	rec.AddAttrs(slog.String("method", r.method), slog.String("path", a.path), slog.Int("status", a.res.status))
	if a.res.allow != "" {
		rec.AddAttrs(slog.String("allow", a.res.allow))
	}
	ms := float64(a.end.Sub(a.start).Microseconds()) / 1000
	rec.AddAttrs(slog.Float64("duration_ms", math.Round(ms*1000)/1000))
	if !a.noIDs && r.ingress != nil && r.ingress.traceID != "" {
		rec.AddAttrs(slog.String("trace_id", r.ingress.traceID))
	}
	if !a.noIDs && a.svc.logRID && r.edge != nil {
		rec.AddAttrs(slog.String("request_id", r.edge.rid))
	}
	rec.AddAttrs(slog.String("service", a.svc.name), slog.String("version", a.inst.versionAt(a.end)),
		slog.String("instance", a.inst.addr))
	l.buf.Reset()
	_ = l.h.Handle(context.Background(), rec) // writes to a bytes.Buffer: cannot fail
	return append(b, l.buf.Bytes()...)
}
