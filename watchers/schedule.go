package watchers

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
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
	// rescanEvery is how often Run reads the feed list even when no rescan
	// was asked for, so that feeds added by a config reload start soon. Run
	// goes round its loop at least this often.
	rescanEvery = 10 * time.Second
	// adaptItems is how many of a feed's newest dated items tell its
	// publishing rate.
	adaptItems = 10
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

// adapt returns the interval of a feed without one of its own after a
// successful poll, from prev, the one it had.
//
// A document with dated items gives the feed's publishing rate: the mean gap
// between its adaptItems newest items and now, which widens by itself while
// the feed is quiet. Polling at half that gap finds a new item, on average,
// a quarter of a gap after it appeared. A 304 says nothing new was published
// since the last poll, so the interval grows by a quarter; a document
// without dates keeps it. The RSS <ttl> and the response's freshness
// (Cache-Control max-age, Expires) are floors: polling sooner than the
// publisher asks gains nothing. The result is within [MinInterval, MaxInterval].
func (w *Watcher) adapt(prev time.Duration, f Fetched, now time.Time) time.Duration {
	d := prev
	if d <= 0 {
		d = DefaultInterval
	}
	if f.NotModified {
		d += d / 4
	} else if gap, ok := publishingGap(f.Items, now); ok {
		d = gap / 2
	}
	d = max(d, min(max(f.TTL, f.MaxAge), w.maxInterval))
	return min(max(d, w.minInterval), w.maxInterval)
}

// publishingGap returns the mean gap between the newest dated items and now;
// ok is false when no item has a date.
func publishingGap(items []news.Item, now time.Time) (gap time.Duration, ok bool) {
	var dates []time.Time
	for _, it := range items {
		if !it.Published.IsZero() && !it.Published.After(now) {
			dates = append(dates, it.Published)
		}
	}
	if len(dates) == 0 {
		return 0, false
	}
	slices.SortFunc(dates, func(a, b time.Time) int { return b.Compare(a) })
	k := min(len(dates), adaptItems)
	return now.Sub(dates[k-1]) / time.Duration(k), true
}

// jitter returns d plus up to 10% of it, so feeds polled alike do not all
// fire together. The jitter only ever delays, never polls a server early.
func (w *Watcher) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		d = DefaultInterval
	}
	w.mu.Lock()
	j := w.rand.Int64N(int64(d/10) + 1)
	w.mu.Unlock()
	return d + time.Duration(j)
}

// hostOf is the key of the per-host limit: the lower-case host name of an
// http(s) feed, without the port; empty for a file feed, which has no limit.
func hostOf(f news.Feed) string {
	if f.IsFile() {
		return ""
	}
	u, err := url.Parse(f.URL)
	if err != nil {
		return f.URL
	}
	return strings.ToLower(u.Hostname())
}

// entry is one feed in a scheduler.
type entry struct {
	feed news.Feed
	host string
	due  time.Time
	// seq orders entries due at the same time: first come, first served.
	seq uint64
	// index is the entry's place in the heap; -1 when it is not in it (busy,
	// blocked behind its host, or parked).
	index int
	busy  bool
	// waiting is set while the feed is due but waits in its host's line.
	waiting bool
	// gone is set when the feed left the config while the entry was busy or
	// blocked: it is dropped when it comes back.
	gone bool
	// again is set when the feed's URL changed while it was being polled:
	// it is due at once when the poll ends.
	again bool
}

// dueHeap orders entries by due time.
type dueHeap []*entry

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if c := h[i].due.Compare(h[j].due); c != 0 {
		return c < 0
	}
	return h[i].seq < h[j].seq
}
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *dueHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.index = -1
	return e
}

// scheduler hands out due feeds within the per-host limit. A due feed whose
// host is at its limit waits in that host's line, out of the way, so that a
// slow host holds up only its own feeds; when one of the host's polls ends,
// the first in its line is due again. It is not safe for concurrent use.
type scheduler struct {
	heap    dueHeap
	perHost int
	busy    map[string]int
	blocked map[string][]*entry
	seq     uint64
}

func newScheduler(perHost int) *scheduler {
	return &scheduler{perHost: perHost, busy: map[string]int{}, blocked: map[string][]*entry{}}
}

// schedule puts e in the heap, due at due.
func (s *scheduler) schedule(e *entry, due time.Time) {
	e.due = due
	if e.waiting {
		return // It is in its host's line, and goes into the heap from there.
	}
	if e.index >= 0 {
		heap.Fix(&s.heap, e.index)
		return
	}
	s.seq++
	e.seq = s.seq
	heap.Push(&s.heap, e)
}

// unschedule takes e out of the heap, if it is there.
func (s *scheduler) unschedule(e *entry) {
	if e.index >= 0 {
		heap.Remove(&s.heap, e.index)
	}
}

// next returns a feed due at now whose host has a free slot, marked busy,
// or nil when there is none.
func (s *scheduler) next(now time.Time) *entry {
	for len(s.heap) > 0 && !s.heap[0].due.After(now) {
		e := heap.Pop(&s.heap).(*entry)
		if e.host != "" && s.busy[e.host] >= s.perHost {
			e.waiting = true
			s.blocked[e.host] = append(s.blocked[e.host], e)
			continue
		}
		if e.host != "" {
			s.busy[e.host]++
		}
		e.busy = true
		return e
	}
	return nil
}

// done frees e's slot on its host and lets the first feed waiting for it
// back into the heap. The caller schedules e again, or drops it.
func (s *scheduler) done(e *entry) {
	e.busy = false
	if e.host == "" {
		return
	}
	if s.busy[e.host]--; s.busy[e.host] <= 0 {
		delete(s.busy, e.host)
	}
	line := s.blocked[e.host]
	for len(line) > 0 {
		b := line[0]
		line = line[1:]
		b.waiting = false
		if !b.gone {
			heap.Push(&s.heap, b)
			break
		}
	}
	if len(line) == 0 {
		delete(s.blocked, e.host)
	} else {
		s.blocked[e.host] = line
	}
}

// wait returns how long until the first feed in the heap is due, at most max.
func (s *scheduler) wait(now time.Time, max time.Duration) time.Duration {
	if len(s.heap) == 0 {
		return max
	}
	return min(max, s.heap[0].due.Sub(now))
}

// PollAll polls each feed once, at most Options.Concurrency at a time and
// Options.PerHost per host, feeds of other hosts going ahead of those that
// wait for a busy host. A failing feed never stops the others: its failure
// is logged, recorded in its state (LastError, Failures, a backed-off
// NextPoll) and reported in the Report. Feeds disabled by a 410 are skipped.
// The error is non-nil only when ctx ends before every feed was polled;
// feeds cut short by that are neither counted nor recorded as failed.
func (w *Watcher) PollAll(ctx context.Context, feeds []news.Feed) (Report, error) {
	rep := Report{Errors: map[string]error{}}
	type done struct {
		e *entry
		r pollResult
	}
	s := newScheduler(w.perHost)
	for _, f := range feeds {
		s.schedule(&entry{feed: f, host: hostOf(f), index: -1}, time.Time{})
	}
	results := make(chan done)
	var wg sync.WaitGroup
	inflight := 0
	for {
		for inflight < w.concurrency && ctx.Err() == nil {
			e := s.next(time.Time{})
			if e == nil {
				break
			}
			inflight++
			wg.Go(func() { results <- done{e, w.poll(ctx, e.feed)} })
		}
		if inflight == 0 {
			break
		}
		d := <-results
		inflight--
		s.done(d.e)
		switch r := d.r; r.kind {
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
			rep.Errors[d.e.feed.Name] = r.err
		case pollDisabled:
			rep.Disabled++
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("watchers: poll: %w", err)
	}
	return rep, nil
}

// Run polls every feed on its own schedule until ctx is done, then waits for
// the polls under way and returns nil.
//
// A feed is first due at the NextPoll in its state, or at once if it was
// never polled. After a success it is due again after its interval (its
// own, or the adapted one; see the package doc) plus up to 10% jitter; after
// a failure after the backoff. At most Options.Concurrency feeds are polled
// at once and Options.PerHost per host; a feed whose host is busy waits
// without holding up the feeds of other hosts. A feed disabled by a 410 is
// not polled until its URL in the config changes.
//
// feeds is called again every 10 seconds and after Rescan, so a config
// reload may add, remove or change feeds; a feed is known by its name, and
// one whose URL changed is due at once.
func (w *Watcher) Run(ctx context.Context, feeds func() []news.Feed) error {
	type done struct {
		e *entry
		r pollResult
	}
	var (
		s        = newScheduler(w.perHost)
		entries  = map[string]*entry{}
		results  = make(chan done, w.concurrency)
		inflight int
		scanned  time.Time
		rescan   = true
	)
	defer w.alive.Store(0)
	refresh := func(now time.Time) {
		list := feeds()
		present := make(map[string]bool, len(list))
		for _, f := range list {
			present[f.Name] = true
			e, ok := entries[f.Name]
			if !ok {
				e = &entry{feed: f, host: hostOf(f), index: -1}
				entries[f.Name] = e
				if due, ok := w.firstDue(ctx, f, now); ok {
					s.schedule(e, due)
				}
				continue
			}
			moved := e.feed.URL != f.URL
			changed := f.Interval > 0 && f.Interval != e.feed.Interval
			e.feed, e.host = f, hostOf(f)
			switch {
			case moved && e.busy:
				e.again = true
			case moved:
				s.schedule(e, now) // also wakes a feed disabled by a 410
			case changed && !e.busy && !e.waiting && e.index >= 0 && e.due.After(now.Add(f.Interval)):
				// A new interval takes effect at the reload: the next
				// poll is no later than one new interval from now.
				s.schedule(e, now.Add(f.Interval))
			}
		}
		for name, e := range entries {
			if present[name] {
				continue
			}
			e.gone = true
			s.unschedule(e)
			delete(entries, name)
		}
	}
	for {
		now := w.now()
		w.alive.Store(time.Now().UnixNano())
		if rescan || now.Sub(scanned) >= rescanEvery || now.Before(scanned) {
			refresh(now)
			scanned, rescan = now, false
		}
		for inflight < w.concurrency && ctx.Err() == nil {
			e := s.next(now)
			if e == nil {
				break
			}
			inflight++
			go func() { results <- done{e, w.poll(ctx, e.feed)} }()
		}
		wait := rescanEvery - now.Sub(scanned)
		if inflight < w.concurrency {
			wait = s.wait(now, wait)
		}
		timer := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			timer.Stop()
			for ; inflight > 0; inflight-- {
				<-results
			}
			return nil
		case d := <-results:
			timer.Stop()
			inflight--
			s.done(d.e)
			switch e := d.e; {
			case e.gone:
			case e.again:
				e.again = false
				s.schedule(e, w.now())
			case !d.r.next.IsZero():
				s.schedule(e, d.r.next)
			}
		case <-timer.C:
		case <-w.rescan:
			timer.Stop()
			rescan = true
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
// poll will then report the problem). ok is false for a feed disabled by a
// 410 whose config URL is unchanged.
//
// The NextPoll was set with the interval of the herald that saved it; an
// interval changed since (the feed's own, or the bounds of the adaptive
// one) takes effect now: the feed is due no later than one current
// interval from now. A NextPoll set by a backoff is kept, so that a restart
// does not hammer a failing feed.
func (w *Watcher) firstDue(ctx context.Context, feed news.Feed, now time.Time) (due time.Time, ok bool) {
	st, found, err := w.store.FeedState(ctx, feed.Name)
	switch {
	case err != nil || !found:
		return now, true
	case st.Disabled != "" && st.ConfigURL == feed.URL:
		return time.Time{}, false
	case st.NextPoll.IsZero() || (st.ConfigURL != "" && st.ConfigURL != feed.URL):
		return now, true
	}
	if st.Failures > 0 {
		return st.NextPoll, true // a backoff, which a restart must not cut short
	}
	if limit := now.Add(w.currentInterval(feed, st)); st.NextPoll.After(limit) {
		return limit, true
	}
	return st.NextPoll, true
}

// currentInterval is the longest a healthy feed in state st should wait
// for its next poll under the current settings: its own interval, else its
// adapted one within today's bounds, plus the most jitter adds.
func (w *Watcher) currentInterval(feed news.Feed, st news.FeedState) time.Duration {
	d := feed.Interval
	if d <= 0 {
		d = st.Interval
		if d <= 0 {
			d = DefaultInterval
		}
		d = min(max(d, w.minInterval), w.maxInterval)
	}
	// The jitter only ever delays, by up to a tenth.
	return d + d/10
}
