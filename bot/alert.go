package bot

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"herald/news"
)

// Lengths at which AlertMessage shortens the parts of an alert, in
// characters. They keep one hostile or broken feed item from filling a chat;
// the platforms' own limits are enforced by the adapters.
const (
	MaxTitle   = 300
	MaxSummary = 1500
	MaxQuote   = 700
	MaxMatched = 500
	// MaxLinkBytes is the longest URL an alert links to; longer ones are
	// left out rather than cut, since a cut URL leads nowhere.
	MaxLinkBytes = 2048
)

// TimeLayout is how alerts write the publication time.
const TimeLayout = "Mon 2 Jan 2006 15:04 MST"

// AlertMessage lays out an alert: its title in bold, linked to the article,
// and the source line, then the summary, each quote with "— Speaker", and the
// matched terms. The title, source line and matched terms are marked Keep:
// a platform that must shorten the alert drops quotes first. Feed text is
// cleaned (see Clean) and each part shortened to its Max length. loc is the
// time zone for the publication time (nil: UTC).
func AlertMessage(a news.Alert, loc *time.Location) Message {
	if loc == nil {
		loc = time.UTC
	}
	title := Shorten(Clean(a.Title), MaxTitle)
	if title == "" {
		title = "(untitled)"
	}
	head := Span{Text: title, Bold: true, URL: SafeURL(a.Link)}
	meta := []string{Clean(a.Feed)}
	if !a.Published.IsZero() {
		meta = append(meta, a.Published.In(loc).Format(TimeLayout))
	}
	meta = append(meta, SourcesLine(a))
	var m Message
	m.Add(Block{Kind: KindParagraph, Keep: true, Lines: []Line{{head}, {Italic(strings.Join(meta, " · "))}}})
	if s := Shorten(Clean(a.Summary), MaxSummary); s != "" {
		m.Add(Para(Plain(s)))
	}
	for _, q := range a.Quotes {
		// A quote that ran into its attribution ends in a comma; drop it on its own.
		text := Shorten(strings.TrimRight(Clean(q.Text), ", "), MaxQuote)
		if text == "" {
			continue
		}
		lines := []Line{{Plain("“" + text + "”")}}
		if sp := Clean(q.Speaker); sp != "" {
			lines = append(lines, Line{Plain("— " + sp)})
		}
		m.Add(Quote(lines...))
	}
	if matched := Matched(a.Hits); matched != "" {
		// Why the alert fired is kept too; quotes give way first.
		b := Para(Italic("matched: " + Shorten(matched, MaxMatched)))
		b.Keep = true
		m.Add(b)
	}
	return m
}

// SafeURL returns link when it is an absolute http(s) URL of reasonable
// length, and "" otherwise, so that a feed cannot make an alert link to
// javascript: or to a URL a platform would refuse.
func SafeURL(link string) string {
	link = strings.TrimSpace(link)
	if link == "" || len(link) > MaxLinkBytes || strings.ContainsAny(link, " \t\r\n\x00") {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return link
}

// Matched summarises hits term by term, each distinct text once per field:
// `@nuc: "NATO–Ukraine Council" in title, "NATO-Ukraine Council" in text; grain: "grain" in text`.
func Matched(hits []news.Hit) string {
	var terms []string
	byTerm := map[string][]string{}
	seen := map[string]bool{}
	for _, h := range hits {
		text := Clean(h.Text)
		key := h.Term + "\x00" + text + "\x00" + h.Field
		if seen[key] {
			continue
		}
		seen[key] = true
		if _, ok := byTerm[h.Term]; !ok {
			terms = append(terms, h.Term)
		}
		byTerm[h.Term] = append(byTerm[h.Term], fmt.Sprintf("“%s” in %s", text, h.Field))
	}
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = Clean(t) + ": " + strings.Join(byTerm[t], ", ")
	}
	return strings.Join(parts, "; ")
}

// DigestLine is one alert in a digest: its linked title, then source and topic.
func DigestLine(a news.Alert) Line {
	title := Shorten(Clean(a.Title), MaxTitle)
	if title == "" {
		title = "(untitled)"
	}
	return Line{Link(title, SafeURL(a.Link)), Plain(" — " + Clean(a.Feed) + " · " + sourceNames(a))}
}

// DigestMessage lays out alerts as one digest: a heading with the count, then
// one line per alert. Adapters decide how many alerts fit in one message.
func DigestMessage(alerts []news.Alert) Message {
	var m Message
	word := "alerts"
	if len(alerts) == 1 {
		word = "alert"
	}
	m.Add(Para(Bold(fmt.Sprintf("%d %s", len(alerts), word))))
	lines := make([]Line, len(alerts))
	for i, a := range alerts {
		lines[i] = DigestLine(a)
	}
	m.Add(List(lines...))
	return m
}
