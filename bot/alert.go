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

// AlertMessage lays out an alert: its title in bold, linked to the article,
// and the source line, then the summary, each quote with "— Speaker", and the
// matched terms. The title, source line and matched terms are marked Keep:
// a platform that must shorten the alert drops quotes first. Feed text is
// cleaned (see Clean) and each part shortened to its Max length. The
// publication time is written by When, relative to now in loc (nil: UTC).
func AlertMessage(a news.Alert, loc *time.Location, now time.Time) Message {
	title := Shorten(Clean(a.Title), MaxTitle)
	if title == "" {
		title = "(untitled)"
	}
	head := Span{Text: title, Bold: true, URL: SafeURL(a.Link)}
	meta := []string{Clean(a.Feed)}
	if !a.Published.IsZero() {
		meta = append(meta, When(a.Published, now, loc))
	}
	meta = append(meta, SourcesLine(a))
	var m Message
	lines := []Line{{head}, {Italic(strings.Join(meta, " · "))}}
	if also := alsoLine(a.Also); also != "" {
		lines = append(lines, Line{Italic(also)})
	}
	m.Add(Block{Kind: KindParagraph, Keep: true, Lines: lines})
	if s := Shorten(Clean(a.Summary), MaxSummary); s != "" {
		m.Add(Para(Plain(s)))
	}
	for _, q := range a.Quotes {
		// A quote that ran into its attribution ends in a comma; drop it on its own.
		text := Shorten(strings.TrimRight(Clean(q.Text), ", "), MaxQuote)
		if text == "" {
			continue
		}
		open, close := q.Marks() // the article's own marks: « » stays « »
		lines := []Line{{Plain(open + text + close)}}
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

// MaxAlso is how many other sources an alert's "also:" line names before
// "and N more".
const MaxAlso = 8

// alsoLine is "also: Reuters · AP", the other feeds that carried the story;
// "" when there are none.
func alsoLine(feeds []string) string {
	var names []string
	for _, f := range feeds {
		if f = Shorten(Clean(f), 60); f != "" {
			names = append(names, f)
		}
	}
	if len(names) == 0 {
		return ""
	}
	if len(names) > MaxAlso {
		names = append(names[:MaxAlso], fmt.Sprintf("and %d more", len(names)-MaxAlso))
	}
	return "also: " + strings.Join(names, " · ")
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

// fieldWords say where in an item a term matched, in words.
var fieldWords = map[string]string{
	"title":  "the headline",
	"text":   "the article",
	"feed":   "the feed's name",
	"tag":    "the feed's tags",
	"author": "the byline",
}

// Matched summarises hits term by term, each distinct text once per field,
// the fields in words: `NATO-Ukraine Council: "NATO–Ukraine Council" in the
// headline, "NATO-Ukraine Council" in the article; grain: "grain" in the
// article`. The alerts pipeline has already named entities (@nuc).
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
		field := fieldWords[h.Field]
		if field == "" {
			field = Clean(h.Field)
		}
		byTerm[h.Term] = append(byTerm[h.Term], fmt.Sprintf("“%s” in %s", text, field))
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
