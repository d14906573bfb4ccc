// Package search finds stored items with the rules' query language.
//
// A query is what a rule's query may be, plus since:7d or since:2024-04-01
// (items dated since then) and sort:relevance (best matches first, by
// bm25; newest first otherwise). It is answered in two steps: the query is
// translated into an FTS5 expression that selects candidates from the store's
// full-text index, and the rules engine re-checks every candidate, so that
// search and alerts never disagree on what matches. The translation
// (translate.go) selects a superset of what rules match, exactly so where
// the index allows; the index (index.go) holds each word as rules fold it.
//
// The package holds no SQL: the store implements Source and writes the
// index with IndexFields.
package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"herald/news"
	"herald/rules"
)

// Source is the full-text index: the store implements it.
type Source interface {
	// Candidates returns at most r.Limit items that r selects, newest first
	// (or by relevance), each with its key.
	Candidates(ctx context.Context, r Request) ([]Candidate, error)
}

// Request asks the index for candidates.
type Request struct {
	// Match is an FTS5 expression over the index's Columns; empty selects
	// every item.
	Match string
	// Since, when not zero, leaves out items dated before it.
	Since time.Time
	// Before, when not zero, leaves out items whose Key is Before or more:
	// newest-first pages continue after the last candidate of the previous one.
	Before int64
	// Relevance orders candidates by bm25 instead of newest first; Offset
	// then skips the first ones.
	Relevance bool
	Offset    int
	// Limit is the largest number of candidates to return.
	Limit int
}

// Candidate is an item the index selected.
type Candidate struct {
	// Key orders items newest first: it grows with the item's date.
	Key int64
	// ItemID is the item's id in the store.
	ItemID int64
	// Item has the fields rules match and results show; Content is left empty.
	Item news.Item
	// Fetched is when herald stored the item.
	Fetched time.Time
}

// Config is what searches need of herald's configuration.
type Config struct {
	// Entities are the entities queries may name as @id.
	Entities []rules.Entity
	// FeedTags are the tags the configuration gives each feed, by feed name:
	// tag: terms match them as they do in rules.
	FeedTags map[string][]string
	// Location is the time zone of dates in since:2024-04-01; nil is UTC.
	Location *time.Location
}

// Engine answers searches. It is safe for concurrent use.
type Engine struct {
	src Source
	cfg atomic.Pointer[Config]
	now func() time.Time
	// MaxScan bounds the candidates one Search re-checks. A query the index
	// can only approximate (case:, NEAR) may have many candidates for few
	// matches; past the bound, Search returns what it found with More set,
	// and the next page goes on from there.
	MaxScan int
}

// DefaultMaxScan is Engine.MaxScan unless changed.
const DefaultMaxScan = 5000

// New returns an engine over src; now is the clock for since:7d (nil: time.Now).
func New(src Source, cfg Config, now func() time.Time) *Engine {
	if now == nil {
		now = time.Now
	}
	e := &Engine{src: src, now: now, MaxScan: DefaultMaxScan}
	e.SetConfig(cfg)
	return e
}

// SetConfig swaps in the configuration of a reload; searches running finish
// with the old one.
func (e *Engine) SetConfig(cfg Config) {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	e.cfg.Store(&cfg)
}

// Cursor is where a search goes on: the zero Cursor starts from the top, and
// Page.Next continues after the page.
type Cursor struct {
	before int64 // newest first: continue below this key
	offset int   // by relevance: skip this many candidates
}

// Page is one page of results.
type Page struct {
	// Results are the matching items, newest first or by relevance.
	Results []Result
	// More says that Next may find more: there is a further match, or the
	// search stopped after MaxScan candidates.
	More bool
	// Next continues the search after this page.
	Next Cursor
	// Scanned is how many candidates were re-checked.
	Scanned int
	// Relevance says the results are ordered by relevance (sort:relevance).
	Relevance bool
}

// Result is one matching item.
type Result struct {
	ItemID int64
	Title  string
	Link   string
	Feed   string
	// Published is when the feed says the item was published, or when herald
	// stored it if the feed gives no date.
	Published time.Time
	// Snippet is a passage of the text with the words that matched marked;
	// without a match in the text, the article's lead.
	Snippet []Fragment
	// Hits are what rules matched, as for an alert.
	Hits []news.Hit
}

// Fragment is a run of a snippet: matched words (Hit) or the text around them.
type Fragment struct {
	Text string
	Hit  bool
}

// SnippetText returns the snippet as plain text.
func (r Result) SnippetText() string {
	var b strings.Builder
	for _, f := range r.Snippet {
		b.WriteString(f.Text)
	}
	return b.String()
}

// Search returns up to n results of query, starting at from. A query that
// does not parse returns a *rules.Error whose Offset points into query.
func (e *Engine) Search(ctx context.Context, query string, from Cursor, n int) (Page, error) {
	cfg := e.cfg.Load()
	if n <= 0 {
		n = 1
	}
	rest, opts, err := splitQuery(query, e.now(), cfg.Location)
	if err != nil {
		return Page{}, err
	}
	q, err := rules.ParseQuery(rest, cfg.Entities)
	if err != nil {
		return Page{}, hint(rest, err)
	}
	tr := translator{feedTags: cfg.FeedTags}
	sel := tr.translate(q.Root(), true)
	page := Page{Relevance: opts.relevance, Next: from}
	if sel.kind == setNone {
		return page, nil
	}
	req := Request{Since: opts.since, Before: from.before, Relevance: opts.relevance, Offset: from.offset}
	if sel.kind == setMatch {
		req.Match = sel.render()
	}
	maxScan := e.MaxScan
	if maxScan <= 0 {
		maxScan = DefaultMaxScan
	}
	pos := from // after the last candidate re-checked
	extra := 0  // candidates re-checked in vain once the page was full
	batch := 16
	for {
		req.Before, req.Offset = pos.before, pos.offset
		req.Limit = min(batch, maxScan-page.Scanned)
		cands, err := e.src.Candidates(ctx, req)
		if err != nil {
			return Page{}, fmt.Errorf("search: %w", err)
		}
		for _, c := range cands {
			hits, ok := q.Match(e.doc(cfg, c.Item))
			if ok && len(page.Results) == n {
				// A further match: the next page starts with it.
				page.More, page.Next = true, pos
				return page, nil
			}
			page.Scanned++
			pos = Cursor{before: c.Key, offset: pos.offset + 1}
			switch {
			case ok:
				page.Results = append(page.Results, result(c, hits))
			case len(page.Results) == n:
				extra++
			}
		}
		page.Next = pos
		switch {
		case len(cands) < req.Limit:
			return page, nil // the index has no more
		case page.Scanned >= maxScan || extra >= lookahead:
			page.More = true
			return page, nil
		}
		batch = min(batch*4, 256)
	}
}

// lookahead bounds the candidates read after a full page to find out
// whether there is a further match; past it, More is set anyway.
const lookahead = 64

// doc is the view of an item that rules match, as the alert pipeline builds
// it: the feed's configured tags join the item's categories.
func (e *Engine) doc(cfg *Config, it news.Item) rules.Doc {
	tags := cfg.FeedTags[it.Feed]
	if len(it.Categories) > 0 {
		tags = append(append([]string(nil), tags...), it.Categories...)
	}
	return rules.Doc{Feed: it.Feed, Title: it.Title, Text: it.Text, Tags: tags, Authors: it.Authors}
}

func result(c Candidate, hits []news.Hit) Result {
	it := c.Item
	published := it.Published
	if published.IsZero() {
		published = c.Fetched
	}
	return Result{
		ItemID:    c.ItemID,
		Title:     it.Title,
		Link:      it.Link,
		Feed:      it.Feed,
		Published: published,
		Snippet:   snippet(it.Title, it.Text, hits),
		Hits:      hits,
	}
}

// hint explains an error at since: or sort: written where only rules'
// syntax is read (in parentheses, after a minus), which rules report as an
// unknown field. query is what rules parsed, with the since: and sort:
// that were understood blanked out.
func hint(query string, err error) error {
	var re *rules.Error
	if !errors.As(err, &re) || re.Offset < 0 || re.Offset > len(query) {
		return err
	}
	at := strings.ToLower(query[re.Offset:])
	if strings.HasPrefix(at, "since:") || strings.HasPrefix(at, "sort:") {
		name, _, _ := strings.Cut(at, ":")
		return queryError(re.Offset, "%s: stands on its own, outside parentheses and quotes and without - or NOT, as in: ukraine %s:%s",
			name, name, map[string]string{"since": "7d", "sort": "relevance"}[name])
	}
	return err
}
