package web

import (
	"slices"
	"strings"
	"time"

	"herald/news"
	"herald/store"
)

// frag is a run of text, marked when it is a matched word.
type frag struct {
	Text string
	Hit  bool
}

// highlight splits text into runs, marking every occurrence of the hits'
// texts (the spans that made a rule match, as they stand in the item).
// Longer spans win where two overlap.
func highlight(text string, hits []string) []frag {
	words := slices.Clone(hits)
	slices.SortFunc(words, func(a, b string) int { return len(b) - len(a) })
	words = slices.Compact(words)
	marked := make([]bool, len(text))
	for _, w := range words {
		if w == "" {
			continue
		}
		for i := 0; ; {
			j := strings.Index(text[i:], w)
			if j < 0 {
				break
			}
			j += i
			if !slices.Contains(marked[j:j+len(w)], true) {
				for k := j; k < j+len(w); k++ {
					marked[k] = true
				}
			}
			i = j + len(w)
		}
	}
	var out []frag
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && marked[j] == marked[i] {
			j++
		}
		out = append(out, frag{Text: text[i:j], Hit: marked[i]})
		i = j
	}
	return out
}

// hitTexts returns the texts of the hits in field ("" for every field).
func hitTexts(hits []news.Hit, field string) []string {
	var out []string
	for _, h := range hits {
		if field == "" || h.Field == field {
			out = append(out, h.Text)
		}
	}
	return out
}

type alertRow struct {
	Title   []frag
	Link    string
	Feed    string
	Topics  []topicRef
	Summary []frag
	Quotes  []news.Quote
	When    when
	To      []destRow
}

// topicRef names a rule an alert came from; Known rules (the config's
// topics) link to their page, others (a chat's /watch) do not.
type topicRef struct {
	Name  string
	Known bool
}

type destRow struct {
	Label, Rule string
	Status      string
}

// alertRows shows alerted items with their matched words marked; cfg tells
// which rules are topics with a page.
func alertRows(sent []store.Sent, cfg *Config, now time.Time) []alertRow {
	known := topicNames(cfg)
	rows := make([]alertRow, 0, len(sent))
	for _, s := range sent {
		a := s.Alert
		title := a.Title
		if strings.TrimSpace(title) == "" {
			title = "(untitled)"
		}
		row := alertRow{
			Title:   highlight(title, hitTexts(a.Hits, "title")),
			Link:    safeLink(a.Link),
			Feed:    a.Feed,
			Topics:  topicRefs(s.Rules, known),
			Summary: highlight(shorten(a.Summary, 400), hitTexts(a.Hits, "text")),
			Quotes:  a.Quotes[:min(len(a.Quotes), 2)],
			When:    whenOf(s.Queued, now),
		}
		for _, d := range s.Deliveries {
			status := string(d.Status)
			if d.Status == store.StatusPending && d.Attempts > 0 {
				status = "retrying"
			}
			row.To = append(row.To, destRow{Label: destLabel(d.Destination), Rule: d.Rule, Status: status})
		}
		rows = append(rows, row)
	}
	return rows
}

// safeLink returns link when it is an http(s) URL, else "": a feed's
// javascript: link never becomes a link on the page.
func safeLink(link string) string {
	l := strings.ToLower(strings.TrimSpace(link))
	if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		return strings.TrimSpace(link)
	}
	return ""
}

func topicRefs(rules []string, known map[string]bool) []topicRef {
	out := make([]topicRef, len(rules))
	for i, r := range rules {
		out[i] = topicRef{r, known[r]}
	}
	return out
}

// topicNames is the set of the config's topics.
func topicNames(cfg *Config) map[string]bool {
	known := make(map[string]bool, len(cfg.Topics))
	for _, t := range cfg.Topics {
		known[t.Name] = true
	}
	return known
}
