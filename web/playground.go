package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"herald/bot/console"
	"herald/rules"
	"herald/search"
)

// What the playground shows of a query.
const (
	playgroundResults = 20
	playgroundDays    = 7
	// maxQuery is the longest query the playground takes.
	maxQuery = 2000
)

// countCap bounds the matches counted for the per-day chart, and scanCap
// the stored items read to find them (a query the index can only
// approximate, such as NEAR or case:, reads many for few matches); past
// either, the chart says how far back it counted. Tests lower them.
var (
	countCap  = 1000
	scanCap   = 20_000
	countPage = 500 // matches asked of each search while counting
)

type queryError struct {
	Msg    string
	Query  string // the query as one line
	Caret  string // spaces up to the column, then ^
	Column int    // 1-based, in characters
}

type resultRow struct {
	Title   []frag
	Link    string
	Feed    string
	When    when
	Snippet []frag
	Explain string
}

type playgroundData struct {
	Title   string
	Query   string
	Share   string
	Err     *queryError
	Results []resultRow
	More    bool
	Chart   template.HTML
	PerDay  []int
	Total   int
	AtLeast bool
	// CountedTo is the date of the oldest match counted when counting
	// stopped early: older days may have more.
	CountedTo string
	Since     string
	YAML      string
}

func (s *Server) playground(r *http.Request) (string, any, error) {
	ctx, cancel := pageContext(r)
	defer cancel()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := playgroundData{Title: "Playground", Query: q}
	if q == "" {
		return "playground", d, nil
	}
	if len(q) > maxQuery {
		d.Err = &queryError{Msg: fmt.Sprintf("the query is %d bytes long; the playground takes at most %d", len(q), maxQuery)}
		return "playground", d, nil
	}
	d.Share = "/playground?q=" + url.QueryEscape(q)
	now := s.o.Now()
	// A rule's query: since: and sort: are the search's, not the rules'.
	if _, err := rules.ParseQuery(q, s.o.Config().Entities); err != nil {
		d.Err = caretError(q, err)
		return "playground", d, nil
	}
	page, err := s.o.Search.Search(ctx, q, search.Cursor{}, playgroundResults)
	if err != nil {
		var re *rules.Error
		if errors.As(err, &re) {
			d.Err = caretError(q, err)
			return "playground", d, nil
		}
		return "", nil, err
	}
	d.More = page.More
	for _, res := range page.Results {
		d.Results = append(d.Results, resultRow{
			Title:   highlight(orUntitled(res.Title), hitTexts(res.Hits, "title")),
			Link:    safeLink(res.Link),
			Feed:    res.Feed,
			When:    whenOf(res.Published, now),
			Snippet: snippetFrags(res.Snippet),
			Explain: console.Matched(res.Hits),
		})
	}

	since := startOfDay(now).AddDate(0, 0, 1-playgroundDays)
	d.Since = since.Format("2 Jan")
	var oldest time.Time
	d.PerDay, d.Total, oldest, err = s.perDay(ctx, q, since, playgroundDays)
	if err != nil {
		return "", nil, err
	}
	if !oldest.IsZero() {
		d.AtLeast, d.CountedTo = true, oldest.UTC().Format("Mon 2 Jan 15:04 MST")
	}
	what := "matches"
	if d.AtLeast {
		what = "matches counted (at least)"
	}
	d.Chart = barChart(dayBars(d.PerDay, since, playgroundDays, what), 280, 60, fmt.Sprintf("matches per day since %s", d.Since))
	d.YAML = ruleYAML(q)
	return "playground", d, nil
}

// perDay counts the stored items q matches per day from since (by the
// item's date, as search orders them: newest first), up to countCap
// matches and scanCap items read. When it stops early, oldest is the date
// of the oldest match counted; it is zero when every match was counted.
func (s *Server) perDay(ctx context.Context, q string, since time.Time, days int) (v []int, total int, oldest time.Time, err error) {
	v = make([]int, days)
	full := "since:" + since.Format("2006-01-02") + " " + q
	var from search.Cursor
	scanned := 0
	for {
		page, err := s.o.Search.Search(ctx, full, from, countPage)
		if err != nil {
			return nil, 0, time.Time{}, err
		}
		scanned += page.Scanned
		for _, res := range page.Results {
			day := int(res.Published.Sub(since) / (24 * time.Hour))
			if day >= 0 && day < days {
				v[day]++
				total++
			}
			oldest = res.Published
		}
		if !page.More {
			return v, total, time.Time{}, nil
		}
		if total >= countCap || scanned >= scanCap {
			if oldest.IsZero() {
				oldest = since.AddDate(0, 0, days) // nothing counted
			}
			return v, total, oldest, nil
		}
		from = page.Next
	}
}

// caretError places err's column under the query.
func caretError(q string, err error) *queryError {
	one := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, q)
	qe := &queryError{Msg: err.Error(), Query: one}
	var re *rules.Error
	if errors.As(err, &re) {
		off := min(max(re.Offset, 0), len(one))
		col := utf8.RuneCountInString(one[:off])
		qe.Msg, qe.Column = re.Msg, col+1
		qe.Caret = strings.Repeat(" ", col) + "^"
	}
	return qe
}

func snippetFrags(fs []search.Fragment) []frag {
	out := make([]frag, len(fs))
	for i, f := range fs {
		out[i] = frag{Text: f.Text, Hit: f.Hit}
	}
	return out
}

func orUntitled(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(untitled)"
	}
	return s
}

// ruleYAML is a rule of the query, to paste under rules: in config.yaml.
func ruleYAML(q string) string {
	type rule struct {
		Name   string   `yaml:"name"`
		Query  string   `yaml:"query"`
		Notify []string `yaml:"notify"`
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(map[string][]rule{"rules": {{Name: "new-topic", Query: q, Notify: []string{"console"}}}}); err != nil {
		return "" // strings always encode
	}
	enc.Close()
	return b.String()
}
