package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/num"
	"github.com/logtriage/logtriage/internal/term"
)

// Markdown writes the postmortem report as GitHub-flavoured Markdown.
func Markdown(w io.Writer, a *analysis.Analysis, o Options) error {
	d := postmortem(a, o.norm())
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s\n\n", d.Title)
	for _, p := range d.Lead {
		fmt.Fprintf(bw, "> %s\n", mdSpans(p))
	}
	bw.WriteString("\n")
	for _, s := range d.Sections {
		mdSection(bw, &s, 2, a)
	}
	return bw.Flush()
}

// Markdown rendering.

func mdSection(w *bufio.Writer, s *section, level int, a *analysis.Analysis) {
	fmt.Fprintf(w, "%s %s\n\n", strings.Repeat("#", level), mdEscape(s.Title))
	for _, b := range s.Blocks {
		mdBlock(w, &b, a)
	}
	for i := range s.Subs {
		mdSection(w, &s.Subs[i], level+1, a)
	}
}

func mdBlock(w *bufio.Writer, b *block, a *analysis.Analysis) {
	switch b.Kind {
	case kindPara:
		fmt.Fprintf(w, "%s\n\n", mdSpans(b.Spans))
	case kindList:
		for _, it := range b.Items {
			fmt.Fprintf(w, "- %s\n", mdSpans(it))
		}
		w.WriteString("\n")
	case kindCode:
		fence := "```"
		for strings.Contains(b.Code, fence) {
			fence += "`"
		}
		fmt.Fprintf(w, "%s%s\n%s", fence, b.Lang, b.Code)
		if !strings.HasSuffix(b.Code, "\n") {
			w.WriteString("\n")
		}
		fmt.Fprintf(w, "%s\n\n", fence)
	case kindTable:
		b.Table.markdown(w)
		w.WriteString("\n")
	case kindChart:
		// Markdown has no charts; the timeline gets a one-line sparkline.
		if b.Chart == "timeline" && a.Timeline != nil && len(a.Timeline.Buckets) > 0 {
			tl := a.Timeline
			line, peak := sparkline(tl)
			n, unit := durUnit(time.Duration(tl.BucketSeconds) * time.Second)
			last := tl.Buckets[len(tl.Buckets)-1].Start.Add(time.Duration(tl.BucketSeconds) * time.Second)
			fmt.Fprintf(w, "405s per %s, %s (peak %s):\n\n```text\n%s\n```\n\n", bucketName(n, unit), period(tl.Start, last), num.Thousands(peak), line)
		}
	}
}

func bucketName(n int64, unit string) string {
	if n == 1 {
		return unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func mdSpans(sp []span) string { return mdSpansIn(sp, false) }

// mdSpansIn renders spans; in a table cell, a pipe inside code is escaped too (GFM).
func mdSpansIn(sp []span, cell bool) string {
	var b strings.Builder
	for _, s := range sp {
		switch {
		case s.Code:
			c := mdCode(s.Text)
			if cell {
				c = strings.ReplaceAll(c, "|", "\\|")
			}
			b.WriteString(c)
		case s.Bold:
			t := strings.TrimRight(s.Text, " ")
			b.WriteString("**" + mdEscape(t) + "**" + s.Text[len(t):])
		default:
			b.WriteString(mdEscape(s.Text))
		}
	}
	return b.String()
}

// mdEscape escapes the characters that would change a text's meaning in Markdown: emphasis,
// links, HTML and table cell borders; control characters are escaped (internal/term).
func mdEscape(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '_':
			// GFM ignores intraword underscores: escape only at word edges.
			if i > 0 && i+1 < len(rs) && isWordRune(rs[i-1]) && isWordRune(rs[i+1]) {
				b.WriteRune(r)
				continue
			}
			b.WriteString("\\_")
		case '#':
			if i == 0 {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '\\', '`', '*', '[', ']', '<', '>', '|':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return term.Clean(b.String())
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// mdCode renders inline code, choosing a fence longer than any backtick run inside.
func mdCode(s string) string {
	s = term.Clean(strings.NewReplacer("\n", " ", "\r", " ").Replace(s))
	if s == "" {
		return ""
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
