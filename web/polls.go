package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"herald/store"
	"herald/watchers"
)

// PollLog keeps each feed's recent polls for its page. It is a
// watchers.Observer: ObservePoll only appends to a buffer, so it never
// holds up polling, and Run writes the buffer to the store every second,
// all of it in one transaction.
type PollLog struct {
	db  *store.DB
	now func() time.Time
	log *slog.Logger

	mu      sync.Mutex
	pending []store.Poll
	dropped int
	// fresh counts, per feed, the new items of the poll under way: the
	// handler stores them before the watcher reports the poll.
	fresh map[string]int
}

// maxPendingPolls bounds the buffer while the store is slow: past it, polls
// are dropped (and counted in the log), not queued without end.
const maxPendingPolls = 10_000

// NewPollLog returns a PollLog writing to db; now is the clock.
func NewPollLog(db *store.DB, now func() time.Time, log *slog.Logger) *PollLog {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &PollLog{db: db, now: now, log: log, fresh: map[string]int{}}
}

// Stored counts n new items stored from feed by the poll under way; the
// poll's record, when ObservePoll gets it, carries them.
func (p *PollLog) Stored(feed string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fresh[feed] += n
}

// ObservePoll records a finished poll.
func (p *PollLog) ObservePoll(ev watchers.PollEvent) {
	poll := store.Poll{Feed: ev.Feed, At: p.now(), Outcome: string(ev.Outcome), ErrorKind: ev.ErrorKind,
		Duration: ev.Duration, Items: ev.Items}
	p.mu.Lock()
	defer p.mu.Unlock()
	poll.New = p.fresh[ev.Feed]
	delete(p.fresh, ev.Feed)
	if len(p.pending) >= maxPendingPolls {
		p.dropped++
		return
	}
	p.pending = append(p.pending, poll)
}

// Run writes the recorded polls every interval until ctx ends, then once
// more.
func (p *PollLog) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			p.Flush(context.WithoutCancel(ctx))
			return
		case <-t.C:
			p.Flush(ctx)
		}
	}
}

// Flush writes the polls recorded so far. A failure is logged and the polls
// are dropped: they are history, not state herald needs.
func (p *PollLog) Flush(ctx context.Context) {
	p.mu.Lock()
	polls, dropped := p.pending, p.dropped
	p.pending, p.dropped = nil, 0
	p.mu.Unlock()
	if dropped > 0 {
		p.log.Warn("web: poll history: the store fell behind; some polls are missing from the feeds' pages", "dropped", dropped)
	}
	if err := p.db.RecordPolls(ctx, polls); err != nil {
		p.log.Warn("web: poll history not saved; the feeds' pages miss these polls", "polls", len(polls), "err", err)
	}
}
