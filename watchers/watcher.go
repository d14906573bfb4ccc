// Package watchers polls feeds and hands their items on. It fetches RSS, Atom
// and JSON Feed documents over HTTP with conditional GETs, size limits and
// charset handling, or reads them from local files; it parses them with gofeed
// into news.Items; and it schedules each feed on its own interval, backing
// off when a feed fails. What happens to the items is the Handler's business.
//
// The state of each feed (validators, health, schedule) lives in a
// StateStore. When a feed moves permanently (301 or 308), the new location
// is recorded in FeedState.URL, logged once, and polled from then on, as
// long as the config names the URL it was reached from (FeedState.ConfigURL);
// a changed config URL starts afresh from the new one. The validators in the
// state belong to FeedState.URL: if a 304 comes back from somewhere else, it
// is not trusted and the feed is fetched again without validators.
//
// A feed without an interval of its own is polled as often as it publishes:
// half the mean gap between its ten newest items and now, a quarter longer
// after each 304, never sooner than its RSS <ttl> or its Cache-Control
// max-age (or Expires) ask, within Options.MinInterval and MaxInterval.
// Failures back off exponentially (1 min doubling to 1 h, or the server's
// Retry-After on a 429 or 503); a feed failing for news.DeadAfter is
// reported once through Options.Notices, a 410 disables it.
package watchers

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
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
	keySince = "failing_since"
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
	// Started is when the poll began, by the watcher's clock, so that the
	// handler can tell how long an item took from poll to storage.
	Started time.Time
}

// Handler takes the items of one poll. It may be called concurrently for
// different feeds. If it returns an error, the poll counts as failed and the feed's validators
// are dropped, so that the next poll fetches every item again: nothing is lost.
type Handler func(ctx context.Context, b Batch) error

// NoticeKind says what a Notice is about.
type NoticeKind string

// The notices a watcher gives.
const (
	// NoticeDead: the feed has failed for news.DeadAfter (429 and 503 do
	// not count). Given once per run of failures.
	NoticeDead NoticeKind = "dead"
	// NoticeGone: the server answered 410 Gone; herald stopped polling the feed.
	NoticeGone NoticeKind = "gone"
	// NoticeRecovered: a feed reported dead answered again.
	NoticeRecovered NoticeKind = "recovered"
	// NoticeMoved: the feed answered with a permanent redirect (301, 308);
	// herald polls it at Notice.URL from now on, and the config may be
	// updated to name that URL. Given once per move.
	NoticeMoved NoticeKind = "moved"
)

// Notice is news about a feed's health for the admin.
type Notice struct {
	Kind NoticeKind
	// Feed is the feed as configured.
	Feed news.Feed
	// URL is where the feed was polled; for NoticeMoved, where it moved to
	// (Feed.URL is the configured URL it was reached from).
	URL string
	// Since is when the run of failures began; At is when this was noticed.
	Since, At time.Time
	// Err is the last error's message; empty for NoticeRecovered.
	Err string
}

// Noticer takes notices; FeedNotice should queue the notice durably. If it
// fails, the watcher tries again at the feed's next poll (a 410 is noticed
// once, whatever happens).
type Noticer interface {
	FeedNotice(ctx context.Context, n Notice) error
}

// Outcome is how a poll ended, as PollEvent says it.
type Outcome string

// The outcomes of a poll.
const (
	OutcomeOK          Outcome = "ok"
	OutcomeNotModified Outcome = "not_modified"
	OutcomeError       Outcome = "error"
)

// PollEvent describes one finished poll.
type PollEvent struct {
	Feed    string
	Outcome Outcome
	// ErrorKind is ErrorKind of the error; empty unless Outcome is OutcomeError.
	ErrorKind string
	// Duration is the wall time of the fetch and parse.
	Duration time.Duration
	// Items counts the items handed to the handler.
	Items int
}

// Observer is told about every finished poll (not the cancelled ones). It
// must be safe for concurrent use and quick: it runs on the polling goroutine.
type Observer interface {
	ObservePoll(ev PollEvent)
}

// Watcher fetches feeds and hands their items to a Handler. It is safe for
// concurrent use.
type Watcher struct {
	store       StateStore
	handle      Handler
	client      *http.Client
	guarded     *http.Client // for untrusted feeds
	userAgent   string
	maxBody     int64
	concurrency int
	perHost     int
	minInterval time.Duration
	maxInterval time.Duration
	notices     Noticer
	observer    Observer
	now         func() time.Time
	log         *slog.Logger

	// alive is when Run last went round its loop, in unix nanoseconds of
	// the real clock; zero while Run is not running.
	alive atomic.Int64
	// untrusted holds the names of the untrusted feeds polled, so that
	// FullText fetches their article pages with the guarded client too.
	untrusted sync.Map

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
		perHost:     opts.PerHost,
		minInterval: opts.MinInterval,
		maxInterval: opts.MaxInterval,
		notices:     opts.Notices,
		observer:    opts.Observer,
		now:         opts.Clock,
		log:         opts.Logger,
		rand:        opts.Rand,
		rescan:      make(chan struct{}, 1),
	}
	if w.concurrency <= 0 {
		w.concurrency = DefaultConcurrency
	}
	if w.perHost <= 0 {
		w.perHost = DefaultPerHost
	}
	if w.minInterval <= 0 {
		w.minInterval = DefaultMinInterval
	}
	if w.maxInterval <= 0 {
		w.maxInterval = DefaultMaxInterval
	}
	w.maxInterval = max(w.maxInterval, w.minInterval)
	if w.client == nil {
		w.client = defaultClient(opts.Timeout, w.perHost, w.concurrency, false)
		w.guarded = w.client
		if !opts.AllowPrivate {
			w.guarded = defaultClient(opts.Timeout, w.perHost, w.concurrency, true)
		}
	} else {
		w.guarded = w.client
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
	// Disabled counts the feeds not polled because they are gone (410).
	Disabled int
	// Items counts the items handed to the handler.
	Items int
	// Errors holds each failed feed's error, by feed name.
	Errors map[string]error
}

// pollKind is how a poll ended.
type pollKind int

const (
	polledOK pollKind = iota
	polledNotModified
	polledFailed
	pollCancelled
	pollDisabled
)

// pollResult is the outcome of one poll.
type pollResult struct {
	kind  pollKind
	items int
	err   error
	// next is when the feed is due again; zero for never (a disabled feed).
	next time.Time
}

// target returns the feed as it is to be fetched, and brings st in line
// with the configured URL: a feed is fetched where a permanent redirect led
// as long as the config still names the URL it was reached from, or names
// that new URL. When the config names another URL, the state starts again
// from it: no validators, not seeded (the backfill window applies again),
// healthy, and enabled.
func target(feed news.Feed, st *news.FeedState) news.Feed {
	switch {
	case st.ConfigURL == feed.URL:
		if st.URL != "" {
			feed.URL = st.URL
		}
	case st.ConfigURL != "" && st.URL == feed.URL:
		// The config now names where the feed moved to (as herald writes
		// it after a permanent redirect): the same feed, state and all.
		st.ConfigURL = feed.URL
	case st.ConfigURL != "":
		*st = news.FeedState{URL: feed.URL, ConfigURL: feed.URL, LastPoll: st.LastPoll, LastOK: st.LastOK, Interval: st.Interval}
	default:
		// A new feed, or state saved by a herald that did not record the
		// config URL: poll the configured URL, which leads to st.URL if it moved.
		st.ConfigURL = feed.URL
		if st.URL == "" {
			st.URL = feed.URL
		}
	}
	return feed
}

// poll polls one feed: load its state, fetch, hand the items on, save the
// state. Failures are logged here, at the top of the per-feed work.
func (w *Watcher) poll(ctx context.Context, feed news.Feed) pollResult {
	log := w.log.With(keyFeed, feed.Name)
	st, _, err := w.store.FeedState(ctx, feed.Name)
	if err != nil {
		if ctx.Err() != nil {
			return pollResult{kind: pollCancelled, err: ctx.Err()}
		}
		err = fmt.Errorf("watchers: feed %q: load state: %w", feed.Name, withKind(KindState, err))
		log.Warn("poll failed", keyErr, err)
		w.observe(feed.Name, OutcomeError, err, 0, 0)
		return pollResult{kind: polledFailed, err: err, next: w.now().Add(backoff(1, err))}
	}
	if feed.Untrusted {
		w.untrusted.Store(feed.Name, true)
	} else {
		w.untrusted.Delete(feed.Name)
	}
	at := target(feed, &st)
	if st.Disabled != "" {
		return pollResult{kind: pollDisabled}
	}

	started := w.now()
	clock := time.Now()
	f, err := w.Fetch(ctx, at, st)
	took := time.Since(clock)
	now := w.now()
	st.LastPoll = now
	if err != nil {
		if ctx.Err() != nil {
			return pollResult{kind: pollCancelled, err: ctx.Err()}
		}
		w.observe(feed.Name, OutcomeError, err, took, 0)
		return w.fail(ctx, log, feed, at.URL, st, err)
	}

	if f.Damage != nil {
		log.Warn("feed document is damaged; herald kept the items before the damage, the publisher should fix the feed",
			keyURL, redact(at.URL), keyItems, len(f.Items), keyErr, f.Damage)
	}
	if !f.NotModified {
		err := w.handle(ctx, Batch{Feed: feed, Items: f.Items, First: !st.Seeded, Started: started})
		if err != nil {
			if ctx.Err() != nil {
				return pollResult{kind: pollCancelled, err: ctx.Err()}
			}
			// Forget the validators, so that the next poll is not answered
			// with a 304 while the handler never saw these items.
			st.ETag, st.LastModified = "", ""
			err = fmt.Errorf("watchers: feed %q: handle items: %w", feed.Name, withKind(KindHandler, err))
			w.observe(feed.Name, OutcomeError, err, took, 0)
			return w.fail(ctx, log, feed, at.URL, st, err)
		}
		st.Seeded = true
	}

	if f.URL != st.URL {
		if !feed.IsFile() && f.URL != feed.URL {
			log.Info("feed moved permanently; herald polls it at its new URL",
				keyURL, redact(feed.URL), "moved_to", redact(f.URL))
			w.notify(ctx, log, Notice{Kind: NoticeMoved, Feed: feed, URL: f.URL, At: now})
		}
		st.URL = f.URL
	}
	if !feed.IsFile() {
		st.ETag, st.LastModified = f.ETag, f.LastModified
	}
	if !st.Notified.IsZero() {
		log.Info("feed recovered", keySince, st.FailingSince)
		w.notify(ctx, log, Notice{Kind: NoticeRecovered, Feed: feed, URL: st.URL, Since: st.FailingSince, At: now})
	}
	d := feed.Interval
	if d <= 0 {
		d = w.adapt(st.Interval, f, now)
	}
	st.Interval = d
	st.LastOK = now
	st.LastError = ""
	st.Failures = 0
	st.FailingSince, st.Notified = time.Time{}, time.Time{}
	st.NextPoll = now.Add(w.jitter(d))

	// The handler has taken the items: record that even if ctx ends now.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	if err := w.store.SaveFeedState(sctx, feed.Name, st); err != nil {
		err = fmt.Errorf("watchers: feed %q: save state: %w", feed.Name, withKind(KindState, err))
		log.Warn("poll failed", keyErr, err)
		w.observe(feed.Name, OutcomeError, err, took, 0)
		return pollResult{kind: polledFailed, err: err, next: now.Add(backoff(1, err))}
	}
	if f.NotModified {
		log.Debug("feed not modified", keyNext, st.NextPoll)
		w.observe(feed.Name, OutcomeNotModified, nil, took, 0)
		return pollResult{kind: polledNotModified, next: st.NextPoll}
	}
	log.Debug("feed polled", keyItems, len(f.Items), keyNext, st.NextPoll)
	w.observe(feed.Name, OutcomeOK, nil, took, len(f.Items))
	return pollResult{kind: polledOK, items: len(f.Items), next: st.NextPoll}
}

// fail records a failed poll of the feed, fetched at url, in its state, logs
// it, and tells the admin when the feed has failed for a day or is gone.
func (w *Watcher) fail(ctx context.Context, log *slog.Logger, feed news.Feed, url string, st news.FeedState, err error) pollResult {
	now := st.LastPoll
	st.Failures++
	st.LastError = err.Error()
	kind := ErrorKind(err)
	if kind == KindGone {
		st.Disabled = "the server answered 410 Gone on " + now.UTC().Format(time.DateOnly)
		st.NextPoll = time.Time{}
		log.Error("feed is gone; herald stopped polling it: remove it from the config, or give it a new url", keyURL, redact(url), keyErr, err)
		w.notify(ctx, log, Notice{Kind: NoticeGone, Feed: feed, URL: url, Since: now, At: now, Err: st.LastError})
		w.save(ctx, log, feed, st)
		return pollResult{kind: polledFailed, err: err}
	}
	// A server asking herald to wait is no sign that the feed is broken.
	if kind != KindThrottled && st.FailingSince.IsZero() {
		st.FailingSince = now
	}
	st.NextPoll = now.Add(backoff(st.Failures, err))
	log.Warn("poll failed", keyErr, err, "failures", st.Failures, keyNext, st.NextPoll)
	if !st.FailingSince.IsZero() && now.Sub(st.FailingSince) >= news.DeadAfter && st.Notified.IsZero() {
		log.Error("feed has been failing for a day; check its url, or remove it from the config", keySince, st.FailingSince, keyErr, err)
		if w.notify(ctx, log, Notice{Kind: NoticeDead, Feed: feed, URL: url, Since: st.FailingSince, At: now, Err: st.LastError}) {
			st.Notified = now
		}
	}
	w.save(ctx, log, feed, st)
	return pollResult{kind: polledFailed, err: err, next: st.NextPoll}
}

// save stores the state of a failed poll; failing to is logged, since the
// poll failed already.
func (w *Watcher) save(ctx context.Context, log *slog.Logger, feed news.Feed, st news.FeedState) {
	if serr := w.store.SaveFeedState(ctx, feed.Name, st); serr != nil {
		log.Warn("record failure", keyErr, fmt.Errorf("watchers: feed %q: save state: %w", feed.Name, serr))
	}
}

// notify hands n to the Noticer, reporting whether it was taken (or there is
// no Noticer: the log line is the notice then).
func (w *Watcher) notify(ctx context.Context, log *slog.Logger, n Notice) bool {
	if w.notices == nil {
		return true
	}
	if err := w.notices.FeedNotice(ctx, n); err != nil {
		log.Warn("feed notice not queued; herald tries again at the next poll", "notice", string(n.Kind), keyErr, err)
		return false
	}
	return true
}

// observe tells the Observer about a finished poll.
func (w *Watcher) observe(feed string, o Outcome, err error, took time.Duration, items int) {
	if w.observer == nil {
		return
	}
	w.observer.ObservePoll(PollEvent{Feed: feed, Outcome: o, ErrorKind: ErrorKind(err), Duration: took, Items: items})
}

// Alive returns when Run last went round its scheduling loop, which it does
// at least every 10 seconds; zero when Run is not running.
func (w *Watcher) Alive() time.Time {
	n := w.alive.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
