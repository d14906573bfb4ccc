// Package alerts turns newly fetched items into alerts: it skips items already
// seen, applies the first-poll backfill window, matches the rules, summarises
// the matching items, picks quotes, and stores each item with its matches and
// one outbox row per destination in a single transaction.
package alerts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"herald/news"
	"herald/rules"
	"herald/store"
	"herald/summary"
)

// QuotesPerAlert is how many quotes an alert carries at most by default
// (alerts.quotes); DefaultQuoteMax how many characters each may have before
// it is cut with "…" (alerts.quote_max).
const (
	QuotesPerAlert  = 2
	DefaultQuoteMax = 280
)

// Store is what the pipeline needs from storage.
type Store interface {
	KnownItems(ctx context.Context, feed string, ids []string) (map[string]bool, error)
	AddItems(ctx context.Context, fetchedAt time.Time, items []store.NewItem) ([]store.Stored, error)
	SubscribersOf(ctx context.Context, rule string) ([]news.Subscription, error)
	MutesInForce(ctx context.Context, now time.Time) (map[string]map[string]news.Mute, error)
	StoryAlerted(ctx context.Context, link, title string, since time.Time) (map[string]bool, []string, error)
	AddAlso(ctx context.Context, link, title, feed string, since time.Time) (int, error)
}

// Topics is one compiled, immutable generation of the rules and where each
// rule's alerts go. A config reload builds a new Topics and swaps it in whole.
type Topics struct {
	Set *rules.Set
	// Notify maps a rule name to the destinations its config names.
	Notify map[string][]news.Destination
	// Tags maps a feed name to the tags its config gives it.
	Tags map[string][]string
	// Batches maps a rule name to its digest schedule, for rules that batch
	// their alerts on purpose.
	Batches map[string]news.Batch
	// Quotes is how many quotes an alert carries at most (alerts.quotes;
	// nil: QuotesPerAlert); QuoteMax how many characters each may have
	// (alerts.quote_max; 0: DefaultQuoteMax).
	Quotes   *int
	QuoteMax int
	// Entities maps an entity id (lower case, without @) to its name, so
	// that an alert says "NATO-Ukraine Council" where the rule says @nuc.
	Entities map[string]string
}

// Pipeline ingests batches of items. It is safe for concurrent use: the
// watchers call it from several feeds at once.
type Pipeline struct {
	store  Store
	topics atomic.Pointer[Topics]
	// watches are the chats' own queries (see Watchlist).
	watches atomic.Pointer[WatchSet]
	now     func() time.Time
	log     *slog.Logger
	// Notify, when set, is called after new outbox rows were written, so a
	// dispatcher can send them at once instead of at its next tick.
	Notify func()
	// Articles, when set, fetches article pages for feeds with FullText.
	Articles Articles
}

// Articles fetches and extracts the article behind an item's link, returning
// its HTML (watchers.Watcher.FullText does this).
type Articles interface {
	FullText(ctx context.Context, feedName, link string) (string, error)
}

// New returns a pipeline over store with the given topics. now and log may be nil.
func New(store Store, t *Topics, now func() time.Time, log *slog.Logger) *Pipeline {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Pipeline{store: store, now: now, log: log}
	p.topics.Store(t)
	return p
}

// SetTopics swaps in a new generation of rules; batches already being
// ingested finish with the old one.
func (p *Pipeline) SetTopics(t *Topics) { p.topics.Store(t) }

// Topics returns the generation of rules in force.
func (p *Pipeline) Topics() *Topics { return p.topics.Load() }

// Result counts what one Ingest did.
type Result struct {
	New, Matched, Queued, Skipped int
}

// Ingest handles the items of one successful poll of feed. first says this is
// the feed's first successful poll, when only items within its backfill window
// may alert. An error means some items were not stored; they are still new on
// the next poll, so the caller must not mark the poll as done.
func (p *Pipeline) Ingest(ctx context.Context, feed news.Feed, items []news.Item, first bool) (Result, error) {
	var res Result
	if len(items) == 0 {
		return res, nil
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	known, err := p.store.KnownItems(ctx, feed.Name, ids)
	if err != nil {
		return res, fmt.Errorf("alerts: feed %q: %w", feed.Name, err)
	}
	fresh := make([]news.Item, 0, len(items))
	for _, it := range items {
		if !known[it.ID] {
			fresh = append(fresh, it)
		}
	}
	// Oldest first, so alerts reach chats in publication order.
	sort.SliceStable(fresh, func(i, j int) bool { return fresh[i].Published.Before(fresh[j].Published) })

	b := &batch{p: p, t: p.topics.Load(), w: p.watches.Load(), now: p.now(), feed: feed}
	var errs []error
	var pending []store.NewItem
	queued := 0 // res.Queued at the last flush
	// flush stores the pending items in one call (one transaction, see
	// store.AddItems), counts what it did, and wakes the dispatcher for the
	// alerts it queued.
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		out, err := p.store.AddItems(ctx, b.now, pending)
		if err != nil {
			return fmt.Errorf("alerts: feed %q: storing %d items: %w", feed.Name, len(pending), err)
		}
		for i, s := range out {
			n := &pending[i]
			if s.Err != nil {
				errs = append(errs, fmt.Errorf("alerts: feed %q: item %q: %w", feed.Name, n.Item.ID, s.Err))
				continue
			}
			if !s.Added {
				continue
			}
			res.New++
			if len(n.Matches) > 0 {
				res.Matched++
				p.log.Info("item matched", "feed", feed.Name, "title", n.Item.Title, "rules", ruleNames(n.Matches), "destinations", len(n.Alerts))
			}
			res.Queued += len(n.Alerts)
		}
		if res.Queued > queued && p.Notify != nil {
			p.Notify()
		}
		queued = res.Queued
		pending = pending[:0]
		return nil
	}
	for _, it := range fresh {
		if err := ctx.Err(); err != nil {
			return res, errors.Join(append(errs, err)...)
		}
		it.Feed = feed.Name
		eligible := !first || withinBackfill(it.Published, b.now, feed.Backfill)
		var matches []news.Match
		var alerts []news.Alert
		if eligible && feed.FullText && p.Articles != nil && it.Link != "" {
			// Fetching the article takes a while: what is ready goes out first.
			if err := flush(); err != nil {
				return res, errors.Join(append(errs, err)...)
			}
			p.fullText(ctx, &it)
		}
		if eligible {
			matches, alerts, err = b.evaluate(ctx, &it)
			if err != nil {
				errs = append(errs, err)
				continue
			}
		} else {
			Prepare(&it)
			res.Skipped++
		}
		pending = append(pending, store.NewItem{Item: it, Matches: matches, Alerts: alerts})
	}
	if err := flush(); err != nil {
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

// withinBackfill reports whether an item of a feed's first poll alerts:
// "backfill: all" alerts on everything, undated items included (they were
// only recorded before, against what the README promises); otherwise a
// dated item within the window does.
func withinBackfill(published, now time.Time, window time.Duration) bool {
	if window == news.BackfillAll {
		return true
	}
	if published.IsZero() || window <= 0 {
		return false
	}
	return now.Sub(published) <= window
}

// fullText replaces a teaser with the article fetched from the item's link
// when that is longer; on any failure the feed's text stays, and the failure
// is logged with the feed and link.
func (p *Pipeline) fullText(ctx context.Context, it *news.Item) {
	if p.Articles == nil || it.Link == "" {
		return
	}
	html, err := p.Articles.FullText(ctx, it.Feed, it.Link)
	if err != nil {
		p.log.Warn("full text not fetched; using the feed's text", "feed", it.Feed, "link", it.Link, "err", err)
		return
	}
	if text := summary.PlainText(html); len(text) > len(summary.PlainText(it.Content)) {
		it.Content, it.Text = html, text
	}
}

// Prepare fills an item's plain Text from its Content and makes its title
// plain text, once, before matching and storage.
func Prepare(it *news.Item) {
	if it.Text == "" {
		it.Text = summary.PlainText(it.Content)
	}
	it.Title = summary.PlainText(it.Title)
	setStoryKeys(it)
}

// Doc is the view of an item that the rules engine matches.
func Doc(it news.Item, tags []string) rules.Doc {
	all := append(append([]string(nil), tags...), it.Categories...)
	return rules.Doc{Feed: it.Feed, Title: it.Title, Text: it.Text, Tags: all, Authors: it.Authors}
}

// batch is the state of one Ingest call: the rules generation and the
// time it runs with, and what it has learnt of the store, asked once per
// rule rather than once per item.
type batch struct {
	p    *Pipeline
	t    *Topics
	w    *WatchSet // nil without watches
	now  time.Time
	feed news.Feed
	// dests and mutes are each rule's destinations and mutes.
	dests map[string][]news.Destination
	mutes map[string]map[string]news.Mute
	// stories are the destinations alerted by this batch's earlier items,
	// by story key ("link " or "title " and the key), which the store does
	// not know of until the batch is stored.
	stories map[string][]string
	// matched and explain are scratch for match: the rules that match an
	// item, and those of them whose hits are wanted.
	matched, explain []int
	// wmatched and wexplain are the same for the watches' classes (see
	// WatchSet.MatchingDistinct), wclass one class's watches.
	wmatched, wexplain, wclass []int
}

// evaluate matches one item against the topics and the watches, and
// builds one alert per destination: a story that matches several topics
// and watches of one chat arrives there once, naming them all.
func (b *batch) evaluate(ctx context.Context, it *news.Item) ([]news.Match, []news.Alert, error) {
	p, t := b.p, b.t
	Prepare(it)
	doc := Doc(*it, t.Tags[b.feed.Name])
	matches, err := b.match(ctx, doc)
	if err != nil {
		return nil, nil, err
	}
	watched := b.matchWatches(doc)
	if len(matches) == 0 && len(watched) == 0 {
		return nil, nil, nil
	}
	// What matched, each with where it goes: the topics in config order, then the watches.
	srcs := make([]source, 0, len(matches)+len(watched))
	for _, m := range matches {
		dests, err := b.destinations(ctx, m.Rule)
		if err != nil {
			return nil, nil, err
		}
		srcs = append(srcs, source{match: m, dests: dests})
	}
	for _, w := range watched {
		matches = append(matches, w.match)
		if !w.paused {
			srcs = append(srcs, w)
		}
	}
	quotes := summary.Quotes(it.Text)
	seen := map[string]bool{} // destinations alerted of this story before
	// The same story from another feed (or again from this one) alerts each
	// destination once.
	before, feeds, err := p.store.StoryAlerted(ctx, it.StoryLink, it.StoryTitle, b.now.Add(-StoryWindow))
	if err != nil {
		return nil, nil, fmt.Errorf("alerts: story of %q: %w", it.Title, err)
	}
	for d := range before {
		seen[d] = true
	}
	keys := storyKeys(it)
	inBatch := false
	for _, k := range keys {
		for _, d := range b.stories[k] {
			if !seen[d] {
				seen[d], inBatch = true, true
			}
		}
	}
	if inBatch && !slices.Contains(feeds, b.feed.Name) {
		feeds = append(feeds, b.feed.Name)
	}
	if len(before) > 0 || inBatch {
		p.log.Info("same story alerted already; not alerting those chats again", "feed", it.Feed, "title", it.Title, "earlier_feeds", feeds)
	}
	if len(before) > 0 {
		// The first messages of the story name this feed too ("also: …"):
		// the dispatcher edits them.
		if _, err := p.store.AddAlso(ctx, it.StoryLink, it.StoryTitle, it.Feed, b.now.Add(-StoryWindow)); err != nil {
			return nil, nil, fmt.Errorf("alerts: story of %q: %w", it.Title, err)
		}
	}
	// Each destination's sources, in the order the destinations first appear.
	var order []news.Destination
	byDest := map[string][]int{}
	for i, s := range srcs {
		for _, d := range s.dests {
			key := d.String()
			if seen[key] {
				continue
			}
			if _, ok := byDest[key]; !ok {
				order = append(order, d)
			}
			byDest[key] = append(byDest[key], i)
		}
	}
	var alerts []news.Alert
	leads := summary.NewLeads(it.Title, it.Text)
	for _, d := range order {
		idx := byDest[d.String()]
		if len(idx) > 1 {
			// The topics in config order, then the watches in the order
			// they were saved; watches come class by class.
			slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(srcs[x].order, srcs[y].order) })
		}
		a, ok, err := b.alertFor(ctx, it, d, srcs, idx, quotes, leads)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			alerts = append(alerts, a)
		}
	}
	if len(alerts) > 0 && len(keys) > 0 {
		if b.stories == nil {
			b.stories = map[string][]string{}
		}
		for _, k := range keys {
			for _, a := range alerts {
				b.stories[k] = append(b.stories[k], a.Destination.String())
			}
		}
	}
	return matches, alerts, nil
}

// source is a topic or a watch that matched an item, and where its alerts go.
type source struct {
	match news.Match
	// watch is the watch's query; empty for a topic.
	watch string
	// order is one plus the watch's index in its WatchSet, 0 for a topic:
	// a chat's sources are in this order.
	order  int
	dests  []news.Destination
	paused bool
}

// alertFor builds the one alert d gets for an item that the sources at
// idx (indices into srcs) matched. A source muted in d without --queue is
// left out; ok is false when that leaves none. The alert is the first
// source's that is not muted at all, else the first's; it names the others
// in Also.
func (b *batch) alertFor(ctx context.Context, it *news.Item, d news.Destination, srcs []source, idx []int, quotes []news.Quote, leads *summary.Leads) (a news.Alert, ok bool, err error) {
	key := d.String()
	live := idx[:0:0]
	var held []news.Mute // by position in live; Until zero when not muted
	for _, i := range idx {
		mutes, err := b.mutesOf(ctx, srcs[i].match.Rule)
		if err != nil {
			return a, false, err
		}
		mute, muted := mutes[key]
		if muted && !mute.Queue {
			continue // muted without --queue: dropped for this chat
		}
		if !muted {
			mute = news.Mute{}
		}
		live, held = append(live, i), append(held, mute)
	}
	if len(live) == 0 {
		return a, false, nil
	}
	first := 0
	for k := range live {
		if held[k].Until.IsZero() {
			first = k
			break
		}
	}
	s := srcs[live[first]]
	a = b.t.alert(*it, s.match, quotes, leads)
	a.Watch, a.Destination = s.watch, d
	for k, i := range live {
		if k != first {
			a.AlsoMatched = append(a.AlsoMatched, news.Source{Rule: srcs[i].match.Rule, Watch: srcs[i].watch})
		}
	}
	if bt, ok := b.t.Batches[s.match.Rule]; ok {
		a.HoldUntil, a.Digest = bt.Next(b.now), true
	}
	if mute := held[first]; mute.Until.After(a.HoldUntil) {
		a.HoldUntil, a.Digest = mute.Until, true
	}
	return a, true, nil
}

// matchWatches returns the watches that match d, each with its
// destination. Watches written alike (the same query, in many chats) are
// decided once and explained once: only the classes with a chat that is
// not paused get their hits, which their watches share.
func (b *batch) matchWatches(d rules.Doc) []source {
	ws := b.w
	if ws.Len() == 0 {
		return nil
	}
	b.wmatched = ws.MatchingDistinct(d, b.wmatched[:0])
	if len(b.wmatched) == 0 {
		return nil
	}
	var out []source
	b.wexplain = b.wexplain[:0]
	class := make([]int, 0, len(b.wmatched)) // by source: its class, an index into wmatched
	for k, i := range b.wmatched {
		b.wclass = ws.Class(i, b.wclass[:0])
		live := false
		for _, j := range b.wclass {
			w := ws.Watch(j)
			out = append(out, source{match: news.Match{Rule: news.WatchRule(w.ID)}, watch: w.Query, dests: []news.Destination{w.Destination}, paused: w.Paused, order: j + 1})
			class = append(class, k)
			live = live || !w.Paused
		}
		if live {
			b.wexplain = append(b.wexplain, i)
		}
	}
	explained := ws.Explain(d, b.wexplain)
	hits := make([][]news.Hit, len(b.wmatched))
	for k, e := 0, 0; e < len(explained) && k < len(b.wmatched); k++ {
		if news.WatchRule(ws.Watch(b.wmatched[k]).ID) == explained[e].Rule {
			hits[k] = explained[e].Hits
			e++
		}
	}
	for s := range out {
		out[s].match.Hits = hits[class[s]]
	}
	return out
}

// match returns the rules that match d. Only the rules that have
// destinations get their hits, which their alerts show: finding hits costs
// more than deciding which rules match, and with many rules most that
// match may have no one to tell.
func (b *batch) match(ctx context.Context, d rules.Doc) ([]news.Match, error) {
	set := b.t.Set
	b.matched = set.Matching(d, b.matched[:0])
	if len(b.matched) == 0 {
		return nil, nil
	}
	matches := make([]news.Match, len(b.matched))
	b.explain = b.explain[:0]
	for k, r := range b.matched {
		matches[k].Rule = set.Name(r)
		dests, err := b.destinations(ctx, matches[k].Rule)
		if err != nil {
			return nil, err
		}
		if len(dests) > 0 {
			b.explain = append(b.explain, r)
		}
	}
	explained := set.Explain(d, b.explain)
	for k, e := 0, 0; e < len(explained) && k < len(matches); k++ {
		if matches[k].Rule == explained[e].Rule {
			matches[k].Hits = explained[e].Hits
			e++
		}
	}
	return matches, nil
}

// storyKeys are the keys an item's story is known by within a batch.
func storyKeys(it *news.Item) []string {
	var keys []string
	if it.StoryLink != "" {
		keys = append(keys, "link "+it.StoryLink)
	}
	if it.StoryTitle != "" {
		keys = append(keys, "title "+it.StoryTitle)
	}
	return keys
}

// mutesOf returns the rule's mutes in force, asking the store once per
// batch for every rule's: an item can match a thousand watches.
func (b *batch) mutesOf(ctx context.Context, rule string) (map[string]news.Mute, error) {
	if b.mutes == nil {
		m, err := b.p.store.MutesInForce(ctx, b.now)
		if err != nil {
			return nil, fmt.Errorf("alerts: reading the mutes in force (wanted for rule %q): %w", rule, err)
		}
		b.mutes = m
	}
	return b.mutes[rule], nil
}

// build makes the alert for a prepared item that matched, without its
// quotes: its lead (with the sentence naming a matched term when the lead
// lacks it), found by leads, which an item's alerts share, and the hits.
// The destination is left to the caller.
func build(it news.Item, m news.Match, leads *summary.Leads) news.Alert {
	return news.Alert{
		Rule:      m.Rule,
		Feed:      it.Feed,
		Title:     it.Title,
		Link:      it.Link,
		Published: it.Published,
		Summary:   leads.For(m.Hits),
		Hits:      m.Hits,
	}
}

// Alert makes the alert for a prepared item that matched, as these topics
// configure it: its lead, at most Quotes quotes (QuotesPerAlert unless
// set) of at most QuoteMax characters each, picked from the article's quotes
// (all of them in article order, as summary.Quotes returns them), and the
// hits, with entities named. The destination is left to the caller.
func (t *Topics) Alert(it news.Item, m news.Match, quotes []news.Quote) news.Alert {
	return t.alert(it, m, quotes, summary.NewLeads(it.Title, it.Text))
}

// alert is Alert, the lead found by leads, which an item's alerts share.
func (t *Topics) alert(it news.Item, m news.Match, quotes []news.Quote, leads *summary.Leads) news.Alert {
	a := build(it, m, leads)
	a.Quotes = t.quotes(quotes, m.Hits)
	a.Hits = t.named(a.Hits)
	return a
}

// quotes picks an alert's quotes within the topics' quote settings.
func (t *Topics) quotes(all []news.Quote, hits []news.Hit) []news.Quote {
	n, limit := QuotesPerAlert, cmp.Or(t.QuoteMax, DefaultQuoteMax)
	if t.Quotes != nil {
		n = *t.Quotes
	}
	return trimQuotes(summary.Pick(all, hits, n), n, limit)
}

// named returns hits with each @entity term replaced by the entity's name:
// chat users read "@nuc" as a mention of someone.
func (t *Topics) named(hits []news.Hit) []news.Hit {
	out := hits
	for i, h := range hits {
		id, ok := strings.CutPrefix(h.Term, "@")
		name := t.Entities[strings.ToLower(id)]
		if !ok || name == "" {
			continue
		}
		if &out[0] == &hits[0] {
			out = slices.Clone(hits) // the match's hits are shared by its alerts
		}
		out[i].Term = name
	}
	return out
}

// trimQuotes keeps the first n quotes, each cut to at most limit characters
// at a word boundary, the cut marked with "…".
func trimQuotes(qs []news.Quote, n, limit int) []news.Quote {
	if len(qs) > n {
		qs = qs[:max(n, 0)]
	}
	out := make([]news.Quote, 0, len(qs))
	for _, q := range qs {
		q.Text = cutText(q.Text, limit)
		out = append(out, q)
	}
	return out
}

// cutText returns s cut to at most limit characters: at the last space
// when that keeps at least two thirds of the room, with "…" after.
func cutText(s string, limit int) string {
	r := []rune(strings.TrimSpace(s))
	if limit <= 0 || len(r) <= limit {
		return string(r)
	}
	room := limit - 1 // for the ellipsis
	cut := room
	for i := room; i > room*2/3; i-- {
		if unicode.IsSpace(r[i]) {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(r[:cut]), " ,;:-–—") + "…"
}

// destinations are the rule's configured destinations plus the chats
// subscribed to it, without paused ones and without repeats, asked of the
// store once per batch.
func (b *batch) destinations(ctx context.Context, rule string) ([]news.Destination, error) {
	if d, ok := b.dests[rule]; ok {
		return d, nil
	}
	out := append([]news.Destination(nil), b.t.Notify[rule]...)
	subs, err := b.p.store.SubscribersOf(ctx, rule)
	if err != nil {
		return nil, fmt.Errorf("alerts: subscribers of rule %q: %w", rule, err)
	}
	for _, s := range subs {
		if !s.Paused {
			out = append(out, s.Destination)
		}
	}
	seen := map[string]bool{}
	uniq := out[:0]
	for _, d := range out {
		if !seen[d.String()] {
			seen[d.String()] = true
			uniq = append(uniq, d)
		}
	}
	if b.dests == nil {
		b.dests = map[string][]news.Destination{}
	}
	b.dests[rule] = uniq
	return uniq, nil
}

func ruleNames(ms []news.Match) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Rule
	}
	return out
}
