package alerts_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"herald/alerts"
	"herald/news"
	"herald/store"
)

// countingStore counts the calls the pipeline makes to the store.
type countingStore struct {
	*store.DB
	adds, subscribers, mutes atomic.Int32
	sizes                    []int
}

func (c *countingStore) AddItems(ctx context.Context, at time.Time, items []store.NewItem) ([]store.Stored, error) {
	c.adds.Add(1)
	c.sizes = append(c.sizes, len(items))
	return c.DB.AddItems(ctx, at, items)
}

func (c *countingStore) SubscribersOf(ctx context.Context, rule string) ([]news.Subscription, error) {
	c.subscribers.Add(1)
	return c.DB.SubscribersOf(ctx, rule)
}

func (c *countingStore) MutesInForce(ctx context.Context, at time.Time) (map[string]map[string]news.Mute, error) {
	c.mutes.Add(1)
	return c.DB.MutesInForce(ctx, at)
}

// A poll's new items are stored in one call, each rule's subscribers are
// asked for once per poll, however many items match it, and the mutes once
// for all rules.
func TestIngestStoresAPollAtOnce(t *testing.T) {
	db, p := setup(t)
	cs := &countingStore{DB: db}
	p = alerts.New(cs, p.Topics(), func() time.Time { return now }, nil)
	var items []news.Item
	for i := range 6 {
		items = append(items, item(fmt.Sprintf("i%d", i), fmt.Sprintf("Item %d on the council", i),
			fmt.Sprintf("<p>Report %d: the NATO-Ukraine Council met again.</p>", i), now.Add(-time.Duration(i)*time.Minute)))
	}
	items = append(items, item("quiet", "Marathon", "<p>Runners ran.</p>", now))
	res, err := p.Ingest(t.Context(), news.Feed{Name: "wire", Backfill: time.Hour}, items, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 7 || res.Matched != 6 || res.Queued != 6 {
		t.Errorf("result %+v, want 7 new, 6 matched and queued", res)
	}
	if cs.adds.Load() != 1 || cs.sizes[0] != 7 {
		t.Errorf("AddItems called %d times with %v items; want once with all 7", cs.adds.Load(), cs.sizes)
	}
	if cs.subscribers.Load() != 1 || cs.mutes.Load() != 1 {
		t.Errorf("subscribers asked %d times, mutes %d; want once each", cs.subscribers.Load(), cs.mutes.Load())
	}
	pending, _ := db.Pending(t.Context(), now, 10)
	if len(pending) != 6 || pending[0].Title != "Item 5 on the council" {
		t.Errorf("%d pending, first %q; want 6, oldest first", len(pending), pending[0].Title)
	}
}

// Two copies of one story in the same poll alert once: the second sees the
// first's alerts although neither is stored yet.
func TestSameStoryTwiceInOnePollAlertsOnce(t *testing.T) {
	_, p := setup(t)
	a := item("a", "NATO-Ukraine Council meets on air defence", "<p>The NATO-Ukraine Council met.</p>", now.Add(-2*time.Minute))
	a.Link = "https://wire.example/nuc?utm_source=rss"
	b := item("b", "NATO–Ukraine council meets on air defence", "<p>The NATO-Ukraine Council met today.</p>", now.Add(-time.Minute))
	b.Link = "https://wire.example/nuc-updated"
	c := item("c", "Different words entirely here", "<p>NATO-Ukraine Council.</p>", now)
	c.Link = "https://wire.example/nuc?utm_source=twitter"
	res, err := p.Ingest(t.Context(), news.Feed{Name: "wire", Backfill: time.Hour}, []news.Item{a, b, c}, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 3 || res.Matched != 3 || res.Queued != 1 {
		t.Errorf("result %+v; want 3 stored and matched, one alert (b shares a's title, c its link)", res)
	}
}

// Items of a full-text feed are stored one by one, each before the next
// article is fetched, so a slow page does not hold back the alerts before it.
func TestIngestFullTextStoresEachBeforeFetching(t *testing.T) {
	db, p := setup(t)
	cs := &countingStore{DB: db}
	p = alerts.New(cs, p.Topics(), func() time.Time { return now }, nil)
	p.Articles = articlesFunc(func(link string) (string, error) {
		return "<p>The full article: the NATO-Ukraine Council met.</p>", nil
	})
	// The dispatcher is woken as each alert is stored, not at the end.
	var woken []int32
	p.Notify = func() { woken = append(woken, cs.adds.Load()) }
	items := []news.Item{
		item("x1", "First", "<p>Teaser.</p>", now.Add(-time.Minute)),
		item("x2", "Second", "<p>Teaser.</p>", now),
	}
	res, err := p.Ingest(t.Context(), news.Feed{Name: "wire", Backfill: time.Hour, FullText: true}, items, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued != 2 || cs.adds.Load() != 2 {
		t.Errorf("result %+v in %d AddItems calls; want 2 queued, stored one by one", res, cs.adds.Load())
	}
	if fmt.Sprint(woken) != "[1 2]" {
		t.Errorf("dispatcher woken after AddItems calls %v; want after each: [1 2]", woken)
	}
}

type articlesFunc func(link string) (string, error)

func (f articlesFunc) FullText(_ context.Context, _, link string) (string, error) { return f(link) }
