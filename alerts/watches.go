package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"herald/news"
	"herald/rules"
)

// WatchSet is one compiled, immutable generation of the watches chats
// saved with /watch. Rule i of Set is Watches[i], named by its WatchRule:
// the destination of a match is found by its index, without a scan.
type WatchSet struct {
	Set     *rules.Set
	Watches []news.Watch
}

// Len returns the number of watches compiled.
func (ws *WatchSet) Len() int {
	if ws == nil {
		return 0
	}
	return len(ws.Watches)
}

// SetWatches swaps in a new generation of watches; batches already being
// ingested finish with the old one.
func (p *Pipeline) SetWatches(ws *WatchSet) { p.watches.Store(ws) }

// Watches returns the generation of watches in force; nil before any.
func (p *Pipeline) Watches() *WatchSet { return p.watches.Load() }

// CompileWatches compiles ws against the entities. A watch that no longer
// compiles (an entity it names left the config) is left out and returned
// in dropped with the reason; the others keep working.
func CompileWatches(ws []news.Watch, entities []rules.Entity) (set *WatchSet, dropped map[int64]error) {
	specs := make([]rules.Rule, len(ws))
	for i, w := range ws {
		specs[i] = rules.Rule{Name: news.WatchRule(w.ID), Query: w.Query}
	}
	for {
		s, err := rules.Compile(specs, entities)
		if err == nil {
			return &WatchSet{Set: s, Watches: ws}, dropped
		}
		var errs rules.Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			// Not a problem of some rules: nothing compiles.
			if dropped == nil {
				dropped = map[int64]error{}
			}
			for _, w := range ws {
				dropped[w.ID] = err
			}
			return &WatchSet{}, dropped
		}
		bad := map[string]error{}
		for _, e := range errs {
			bad[e.Rule] = e
		}
		keptSpecs, kept := specs[:0:0], ws[:0:0]
		for i, w := range ws {
			if e, ok := bad[specs[i].Name]; ok {
				if dropped == nil {
					dropped = map[int64]error{}
				}
				dropped[w.ID] = e
				continue
			}
			keptSpecs, kept = append(keptSpecs, specs[i]), append(kept, w)
		}
		specs, ws = keptSpecs, kept
	}
}

// WatchStore is what the watchlist needs from storage.
type WatchStore interface {
	AddWatch(ctx context.Context, w news.Watch, perChat int) (news.Watch, error)
	RemoveWatch(ctx context.Context, id int64) (news.Watch, error)
	Watches(ctx context.Context) ([]news.Watch, error)
	WatchesOf(ctx context.Context, d news.Destination, since time.Time) ([]news.Watch, error)
	WatchRev(ctx context.Context) (int64, error)
	ItemsSince(ctx context.Context, since time.Time) (int, error)
}

// Watchlist keeps the pipeline's watches in step with the store: a watch
// added or removed through it is in force when the call returns, and one
// changed by another process (herald watches rm) or by a chat pausing,
// resuming or moving within a tick of Run. Compiling happens beside
// ingestion, which goes on with the previous generation until the swap.
// It is safe for concurrent use.
type Watchlist struct {
	p        *Pipeline
	st       WatchStore
	log      *slog.Logger
	entities atomic.Pointer[[]rules.Entity]

	stale atomic.Bool // the entities or enabled changed: rebuild on the next tick
	// disabled keeps the watches out of the pipeline (watches.enabled: false).
	disabled atomic.Bool

	mu  sync.Mutex // serialises rebuilds, so that generations swap in order
	rev int64      // the store's revision the generation in force was read at; -1 before any
}

// NewWatchlist returns a watchlist feeding p from st, compiling watches
// against entities. Call Load before ingesting. log may be nil.
func NewWatchlist(p *Pipeline, st WatchStore, entities []rules.Entity, log *slog.Logger) *Watchlist {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Watchlist{p: p, st: st, log: log, rev: -1}
	l.entities.Store(&entities)
	return l
}

// Entities returns the entities watches are compiled against: what a
// chat's query may name as @id.
func (l *Watchlist) Entities() []rules.Entity { return *l.entities.Load() }

// Load reads every watch from the store, compiles them and swaps them in.
func (l *Watchlist) Load(ctx context.Context) error { return l.refresh(ctx, true) }

// SetEntities makes the watches compile against the entities of a
// reloaded config from Run's next tick on: a reload keeps the watches.
func (l *Watchlist) SetEntities(entities []rules.Entity) {
	l.entities.Store(&entities)
	l.stale.Store(true)
}

// SetEnabled turns the watches' alerts on or off from Run's next tick on
// (watches.enabled in the config); the watches themselves are kept.
func (l *Watchlist) SetEnabled(on bool) {
	if l.disabled.Swap(!on) != !on {
		l.stale.Store(true)
	}
}

// AddWatch saves w (see store.DB.AddWatch for perChat and the errors) and
// brings it into force before returning.
func (l *Watchlist) AddWatch(ctx context.Context, w news.Watch, perChat int) (news.Watch, error) {
	w, err := l.st.AddWatch(ctx, w, perChat)
	if err != nil {
		return w, fmt.Errorf("alerts: %w", err)
	}
	if err := l.refresh(ctx, true); err != nil {
		return w, err
	}
	return w, nil
}

// RemoveWatch deletes the watch and takes it out of force before returning.
func (l *Watchlist) RemoveWatch(ctx context.Context, id int64) (news.Watch, error) {
	w, err := l.st.RemoveWatch(ctx, id)
	if err != nil {
		return w, fmt.Errorf("alerts: %w", err)
	}
	if err := l.refresh(ctx, true); err != nil {
		return w, err
	}
	return w, nil
}

// WatchesOf returns d's watches with their matches since since.
func (l *Watchlist) WatchesOf(ctx context.Context, d news.Destination, since time.Time) ([]news.Watch, error) {
	return l.st.WatchesOf(ctx, d, since)
}

// ItemsSince returns how many items were stored since since.
func (l *Watchlist) ItemsSince(ctx context.Context, since time.Time) (int, error) {
	return l.st.ItemsSince(ctx, since)
}

// Run checks the store's revision of the watches every tick and reloads
// them when it changed, until ctx ends. Failures are logged; the
// generation in force stays.
func (l *Watchlist) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := l.refresh(ctx, false); err != nil && ctx.Err() == nil {
				l.log.Error("watches not reloaded; the previous ones stay in force", "err", err)
			}
		}
	}
}

// refresh rebuilds the watches from the store, unless force is false and
// the store's revision is the one in force.
func (l *Watchlist) refresh(ctx context.Context, force bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	rev, err := l.st.WatchRev(ctx)
	if err != nil {
		return fmt.Errorf("alerts: watches: %w", err)
	}
	if !force && rev == l.rev && !l.stale.Load() {
		return nil
	}
	l.stale.Store(false)
	if l.disabled.Load() {
		l.p.SetWatches(nil)
		l.rev = rev
		return nil
	}
	ws, err := l.st.Watches(ctx)
	if err != nil {
		return fmt.Errorf("alerts: watches: %w", err)
	}
	set, dropped := CompileWatches(ws, l.Entities())
	for id, err := range dropped {
		l.log.Warn("watch does not compile and is left out; the chat can remove it with /unwatch, the operator with herald watches rm",
			"watch", id, "err", err)
	}
	l.p.SetWatches(set)
	l.rev = rev
	return nil
}
