// Package watchers polls feeds and hands their items on. It fetches RSS, Atom
// and JSON Feed documents over HTTP with conditional GETs, size limits and
// charset handling, or reads them from local files; it parses them with gofeed
// into news.Items; and it schedules each feed on its own interval, backing
// off when a feed fails. What happens to the items is the Handler's business.
//
// The state of each feed (validators, health, schedule) lives in a
// StateStore. The watcher always requests the configured URL; when the feed
// has moved permanently (301 or 308) the new location is recorded in
// FeedState.URL and logged once, so that the user can update the config. The
// validators in the state belong to FeedState.URL: if a 304 comes back from
// somewhere else (the configured URL was changed), it is not trusted and the
// feed is fetched again without validators.
package watchers

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"herald/news"
)

// Log attribute keys.
const (
	keyFeed  = "feed"
	keyErr   = "err"
	keyURL   = "url"
	keyItems = "items"
	keyNext  = "next"
)

// saveTimeout bounds the state write that follows a successful poll, which
// is made even when ctx is cancelled meanwhile: the handler has taken the
// items, and the state should say so.
const saveTimeout = 10 * time.Second

// StateStore is what the watcher needs from storage.
type StateStore interface {
	// FeedState returns the state of the named feed; found is false for a
	// feed never polled.
	FeedState(ctx context.Context, feed string) (st news.FeedState, found bool, err error)
	// SaveFeedState replaces the state of the named feed.
	SaveFeedState(ctx context.Context, feed string, st news.FeedState) error
}

// Batch is what one successful poll hands on.
type Batch struct {
	// Feed is the feed as configured.
	Feed news.Feed
	// Items are the feed's current items, in feed order; possibly none.
	Items []news.Item
	// First is set on the first successful poll of the feed (the state was
	// not yet Seeded), when the backfill window applies.
	First bool
}

// Handler takes the items of one poll. It may be called concurrently for
// different feeds. If it returns an error, the poll counts as failed and the feed's validators
// are dropped, so that the next poll fetches every item again: nothing is lost.
type Handler func(ctx context.Context, b Batch) error

// Watcher fetches feeds and hands their items to a Handler. It is safe for
// concurrent use.
type Watcher struct {
	store       StateStore
	handle      Handler
	client      *http.Client
	userAgent   string
	maxBody     int64
	concurrency int
	now         func() time.Time
	log         *slog.Logger

	mu   sync.Mutex // guards rand
	rand *rand.Rand

	// rescan wakes Run to read its feed list again (see Rescan).
	rescan chan struct{}
}

// New returns a Watcher that keeps feed state in store and hands items to
// handle. Both may be nil when only Fetch is used.
func New(store StateStore, handle Handler, opts Options) *Watcher {
	w := &Watcher{
		store:       store,
		handle:      handle,
		client:      opts.Client,
		userAgent:   opts.UserAgent,
		maxBody:     opts.MaxBody,
		concurrency: opts.Concurrency,
		now:         opts.Clock,
		log:         opts.Logger,
		rand:        opts.Rand,
		rescan:      make(chan struct{}, 1),
	}
	if w.client == nil {
		w.client = defaultClient(opts.Timeout)
	}
	if w.userAgent == "" {
		v := opts.Version
		if v == "" {
			v = "dev"
		}
		w.userAgent = "herald/" + v + " (+https://github.com/herald; news alerts)"
	}
	if w.maxBody <= 0 {
		w.maxBody = DefaultMaxBody
	}
	if w.concurrency <= 0 {
		w.concurrency = DefaultConcurrency
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.rand == nil {
		w.rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return w
}

// Report summarises one PollAll.
type Report struct {
	// Polled counts the feeds polled, whatever the outcome.
	Polled int
	// Updated counts the feeds whose items the handler took.
	Updated int
	// NotModified counts the feeds that answered 304.
	NotModified int
	// Failed counts the feeds whose poll failed.
	Failed int
	// Items counts the items handed to the handler.
	Items int
	// Errors holds each failed feed's error, by feed name.
	Errors map[string]error
}

// PollAll polls each feed once, up to Options.Concurrency at a time. A failing
// feed never stops the others: its failure is logged, recorded in its state
// (LastError, Failures, a backed-off NextPoll) and reported in the Report. The
// error is non-nil only when ctx ends before every feed was polled; feeds cut
// short by that are neither counted nor recorded as failed.
func (w *Watcher) PollAll(ctx context.Context, feeds []news.Feed) (Report, error) {
	rep := Report{Errors: map[string]error{}}
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, w.concurrency)
	)
loop:
	for _, f := range feeds {
		if ctx.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break loop
		}
		wg.Go(func() {
			defer func() { <-sem }()
			r := w.poll(ctx, f)
			mu.Lock()
			defer mu.Unlock()
			switch r.kind {
			case polledOK:
				rep.Polled++
				rep.Updated++
				rep.Items += r.items
			case polledNotModified:
				rep.Polled++
				rep.NotModified++
			case polledFailed:
				rep.Polled++
				rep.Failed++
				rep.Errors[f.Name] = r.err
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("watchers: poll: %w", err)
	}
	return rep, nil
}

// pollKind is how a poll ended.
type pollKind int

const (
	polledOK pollKind = iota
	polledNotModified
	polledFailed
	pollCancelled
)

// pollResult is the outcome of one poll.
type pollResult struct {
	kind  pollKind
	items int
	err   error
	// next is when the feed is due again.
	next time.Time
}

// poll polls one feed: load its state, fetch, hand the items on, save the
// state. Failures are logged here, at the top of the per-feed work.
func (w *Watcher) poll(ctx context.Context, feed news.Feed) pollResult {
	log := w.log.With(keyFeed, feed.Name)
	st, found, err := w.store.FeedState(ctx, feed.Name)
	if err != nil {
		if ctx.Err() != nil {
			return pollResult{kind: pollCancelled, err: ctx.Err()}
		}
		err = fmt.Errorf("watchers: feed %q: load state: %w", feed.Name, err)
		log.Warn("poll failed", keyErr, err)
		return pollResult{kind: polledFailed, err: err, next: w.now().Add(backoff(1, err))}
	}
	if !found {
		st = news.FeedState{URL: feed.URL}
	}
	if st.URL == "" {
		st.URL = feed.URL
	}

	f, err := w.Fetch(ctx, feed, st)
	now := w.now()
	st.LastPoll = now
	if err != nil {
		if ctx.Err() != nil {
			return pollResult{kind: pollCancelled, err: ctx.Err()}
		}
		return w.fail(ctx, log, feed, st, err)
	}

	if !f.NotModified {
		err := w.handle(ctx, Batch{Feed: feed, Items: f.Items, First: !st.Seeded})
		if err != nil {
			if ctx.Err() != nil {
				return pollResult{kind: pollCancelled, err: ctx.Err()}
			}
			// Forget the validators, so that the next poll is not answered
			// with a 304 while the handler never saw these items.
			st.ETag, st.LastModified = "", ""
			return w.fail(ctx, log, feed, st, fmt.Errorf("watchers: feed %q: handle items: %w", feed.Name, err))
		}
		st.Seeded = true
	}

	if f.URL != st.URL {
		if !feed.IsFile() && f.URL != feed.URL {
			log.Info("feed moved permanently; update its url in the config",
				keyURL, redact(feed.URL), "moved_to", redact(f.URL))
		}
		st.URL = f.URL
	}
	if !feed.IsFile() {
		st.ETag, st.LastModified = f.ETag, f.LastModified
	}
	st.LastOK = now
	st.LastError = ""
	st.Failures = 0
	st.NextPoll = now.Add(w.interval(feed))

	// The handler has taken the items: record that even if ctx ends now.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	if err := w.store.SaveFeedState(sctx, feed.Name, st); err != nil {
		err = fmt.Errorf("watchers: feed %q: save state: %w", feed.Name, err)
		log.Warn("poll failed", keyErr, err)
		return pollResult{kind: polledFailed, err: err, next: now.Add(backoff(1, err))}
	}
	if f.NotModified {
		log.Debug("feed not modified", keyNext, st.NextPoll)
		return pollResult{kind: polledNotModified, next: st.NextPoll}
	}
	log.Debug("feed polled", keyItems, len(f.Items), keyNext, st.NextPoll)
	return pollResult{kind: polledOK, items: len(f.Items), next: st.NextPoll}
}

// fail records a failed poll in the feed's state and logs it.
func (w *Watcher) fail(ctx context.Context, log *slog.Logger, feed news.Feed, st news.FeedState, err error) pollResult {
	st.Failures++
	st.LastError = err.Error()
	st.NextPoll = st.LastPoll.Add(backoff(st.Failures, err))
	log.Warn("poll failed", keyErr, err, "failures", st.Failures, keyNext, st.NextPoll)
	if serr := w.store.SaveFeedState(ctx, feed.Name, st); serr != nil {
		log.Warn("record failure", keyErr, fmt.Errorf("watchers: feed %q: save state: %w", feed.Name, serr))
	}
	return pollResult{kind: polledFailed, err: err, next: st.NextPoll}
}
