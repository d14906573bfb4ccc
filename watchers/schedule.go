package watchers

import (
	"context"
	"errors"
	"time"

	"herald/news"
)

// Scheduling bounds.
const (
	// minBackoff is the wait after a feed's first consecutive failure; it
	// doubles with each further failure up to maxBackoff.
	minBackoff = time.Minute
	maxBackoff = time.Hour
	// maxRetryAfter caps a server's Retry-After, so that a bogus value cannot
	// silence a feed for good.
	maxRetryAfter = 24 * time.Hour
	// rescanEvery is how often Run looks at the feed list even when no feed
	// is due, so that feeds added by a config reload start soon.
	rescanEvery = 10 * time.Second
)

// backoff returns how long to wait after the given number of consecutive
// failures: 1 min, 2 min, 4 min ... up to 1 h, or longer if the server asked
// for it with Retry-After.
func backoff(failures int, err error) time.Duration {
	d := minBackoff
	for i := 1; i < failures && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	if se, ok := errors.AsType[*StatusError](err); ok && se.RetryAfter > d {
		d = se.RetryAfter
	}
	return d
}

// interval returns the wait after a successful poll: the feed's interval plus
// up to 10% of jitter, so feeds configured alike do not all fire together.
// The jitter only ever delays, never polls a server early.
func (w *Watcher) interval(feed news.Feed) time.Duration {
	d := feed.Interval
	if d <= 0 {
		d = DefaultInterval
	}
	w.mu.Lock()
	j := w.rand.Int64N(int64(d/10) + 1)
	w.mu.Unlock()
	return d + time.Duration(j)
}

// Run polls every feed on its own schedule until ctx is done, then waits for
// the polls under way and returns nil.
//
// A feed is first due at the NextPoll in its state, or at once if it was
// never polled. After a success it is due again after its Interval (plus up
// to 10% jitter); after a failure after a backoff of 1 min doubling up to 1 h,
// or the server's Retry-After on a 429 or 503 when that is longer. At most
// Options.Concurrency feeds are polled at once.
//
// feeds is called again on every scheduling pass, so a config reload may
// add, remove or change feeds; a feed is known by its name.
func (w *Watcher) Run(ctx context.Context, feeds func() []news.Feed) error {
	type entry struct {
		feed news.Feed
		due  time.Time
		busy bool
	}
	type done struct {
		name string
		next time.Time
	}
	var (
		sched    = map[string]*entry{}
		results  = make(chan done)
		inflight int
	)
	for {
		now := w.now()
		list := feeds()
		present := make(map[string]bool, len(list))
		for _, f := range list {
			present[f.Name] = true
			e, ok := sched[f.Name]
			if !ok {
				e = &entry{due: w.firstDue(ctx, f, now)}
				sched[f.Name] = e
			}
			e.feed = f
		}
		for name, e := range sched {
			if !present[name] && !e.busy {
				delete(sched, name)
			}
		}

		wait := rescanEvery
		for _, f := range list {
			e := sched[f.Name]
			if e.busy {
				continue
			}
			if !e.due.After(now) && inflight < w.concurrency && ctx.Err() == nil {
				e.busy = true
				inflight++
				go func(f news.Feed) {
					r := w.poll(ctx, f)
					results <- done{name: f.Name, next: r.next}
				}(e.feed)
				continue
			}
			wait = min(wait, max(e.due.Sub(now), 0))
		}
		if inflight >= w.concurrency {
			wait = rescanEvery // Nothing can start before a poll ends.
		}

		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			for ; inflight > 0; inflight-- {
				<-results
			}
			return nil
		case r := <-results:
			timer.Stop()
			inflight--
			if e, ok := sched[r.name]; ok {
				e.busy = false
				e.due = r.next
			}
		case <-timer.C:
		case <-w.rescan:
			timer.Stop()
		}
	}
}

// Rescan makes Run read its feed list again at once instead of at its next
// pass, so feeds added by a config reload are polled without delay.
func (w *Watcher) Rescan() {
	select {
	case w.rescan <- struct{}{}:
	default: // a rescan is already pending
	}
}

// firstDue returns when a feed newly seen by Run is due: the NextPoll of its
// state, or now when it was never polled or the state cannot be read (the
// poll will then report the problem).
func (w *Watcher) firstDue(ctx context.Context, feed news.Feed, now time.Time) time.Time {
	st, found, err := w.store.FeedState(ctx, feed.Name)
	if err != nil || !found || st.NextPoll.IsZero() {
		return now
	}
	return st.NextPoll
}
