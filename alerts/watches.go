package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"herald/news"
	"herald/rules"
)

// WatchSet is one compiled, immutable generation of the watches chats
// saved with /watch, in two parts: a base compiled from every watch at
// some point, and a small delta of the watches added since, compiled on
// its own so that adding one does not compile them all again. Watches
// removed since the base are masked out of it. The watchlist folds the
// delta into a new base in the background once it grows.
//
// A watch is addressed by an index: the base's first, then the delta's.
// Finding a match's destination is an index into a slice, never a scan.
type WatchSet struct {
	base, delta watchPart
	// removed are base watches removed since it was compiled; never
	// changed once the set is published.
	removed map[int64]bool
}

// watchPart is a compiled set of watches: rule i of set is watches[i].
type watchPart struct {
	set     *rules.Set
	watches []news.Watch
}

// Len returns the number of watches in force.
func (ws *WatchSet) Len() int {
	if ws == nil {
		return 0
	}
	return len(ws.base.watches) - len(ws.removed) + len(ws.delta.watches)
}

// Watch returns the watch at index i, as Matching gives it.
func (ws *WatchSet) Watch(i int) *news.Watch {
	if i < len(ws.base.watches) {
		return &ws.base.watches[i]
	}
	return &ws.delta.watches[i-len(ws.base.watches)]
}

// List returns the watches in force, base first.
func (ws *WatchSet) List() []news.Watch {
	if ws == nil {
		return nil
	}
	out := make([]news.Watch, 0, ws.Len())
	for _, w := range ws.base.watches {
		if !ws.removed[w.ID] {
			out = append(out, w)
		}
	}
	return append(out, ws.delta.watches...)
}

// Matching appends to dst the indices of the watches in force that match d.
func (ws *WatchSet) Matching(d rules.Doc, dst []int) []int {
	from := len(dst)
	dst = ws.matching(d, dst, (*rules.Set).Matching)
	if len(ws.removed) == 0 {
		return dst
	}
	kept := dst[:from]
	for _, i := range dst[from:] {
		if ws.inForce(i) {
			kept = append(kept, i)
		}
	}
	return kept
}

// MatchingDistinct appends to dst, in increasing order, one index for each
// class of watches written alike (the same query: many chats watch
// "ukraine") that matches d: the class's first watch, in force or not;
// Class gives the watches of each. Deciding costs what the distinct
// queries that match cost, however many chats share them.
func (ws *WatchSet) MatchingDistinct(d rules.Doc, dst []int) []int {
	return ws.matching(d, dst, (*rules.Set).MatchingDistinct)
}

// matching appends what match finds of d in the base and in the delta,
// the delta's as indices after the base's.
func (ws *WatchSet) matching(d rules.Doc, dst []int, match func(*rules.Set, rules.Doc, []int) []int) []int {
	if ws.Len() == 0 {
		return dst
	}
	dst = match(ws.base.set, d, dst)
	from := len(dst)
	dst = match(ws.delta.set, d, dst)
	for k := from; k < len(dst); k++ {
		dst[k] += len(ws.base.watches)
	}
	return dst
}

// Class appends to dst the watches in force of the class of watch i, an
// index MatchingDistinct gives: i itself, unless removed, then those
// written as it is, in increasing order.
func (ws *WatchSet) Class(i int, dst []int) []int {
	set, off := ws.base.set, 0
	if nb := len(ws.base.watches); i >= nb {
		set, off = ws.delta.set, nb
	}
	if ws.inForce(i) {
		dst = append(dst, i)
	}
	for _, j := range set.Alike(i - off) {
		if k := int(j) + off; ws.inForce(k) {
			dst = append(dst, k)
		}
	}
	return dst
}

// inForce reports whether the watch at index i has not been removed.
func (ws *WatchSet) inForce(i int) bool {
	return len(ws.removed) == 0 || i >= len(ws.base.watches) || !ws.removed[ws.base.watches[i].ID]
}

// Explain returns the hits of the watches at the indices, in increasing
// order, that match d, as rules.Set.Explain does; each Match's Rule is the
// watch's rule name.
func (ws *WatchSet) Explain(d rules.Doc, idx []int) []news.Match {
	split := sort.SearchInts(idx, len(ws.base.watches))
	out := ws.base.set.Explain(d, idx[:split])
	if split < len(idx) {
		local := make([]int, len(idx)-split)
		for k, i := range idx[split:] {
			local[k] = i - len(ws.base.watches)
		}
		out = append(out, ws.delta.set.Explain(d, local)...)
	}
	return out
}

// SetWatches swaps in a new generation of watches; batches already being
// ingested finish with the old one.
func (p *Pipeline) SetWatches(ws *WatchSet) { p.watches.Store(ws) }

// Watches returns the generation of watches in force; nil before any.
func (p *Pipeline) Watches() *WatchSet { return p.watches.Load() }

// CompileWatches compiles ws against the entities into a generation of
// its own. A watch that no longer compiles (an entity it names left the
// config) is left out and returned in dropped with the reason; the others
// keep working.
func CompileWatches(ws []news.Watch, entities []rules.Entity) (set *WatchSet, dropped map[int64]error) {
	part, dropped := compilePart(ws, entities)
	return &WatchSet{base: part}, dropped
}

// compilePart compiles ws, leaving out those that do not compile.
func compilePart(ws []news.Watch, entities []rules.Entity) (watchPart, map[int64]error) {
	var dropped map[int64]error
	specs := make([]rules.Rule, len(ws))
	for i, w := range ws {
		specs[i] = rules.Rule{Name: news.WatchRule(w.ID), Query: w.Query}
	}
	for {
		s, err := rules.Compile(specs, entities)
		if err == nil {
			return watchPart{set: s, watches: ws}, dropped
		}
		if dropped == nil {
			dropped = map[int64]error{}
		}
		var errs rules.Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			// Not a problem of some rules: nothing compiles.
			for _, w := range ws {
				dropped[w.ID] = err
			}
			return watchPart{}, dropped
		}
		bad := map[string]error{}
		for _, e := range errs {
			bad[e.Rule] = e
		}
		keptSpecs, kept := specs[:0:0], ws[:0:0]
		for i, w := range ws {
			if e, ok := bad[specs[i].Name]; ok {
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

// Watchlist keeps the pipeline's watches in step with the store. A watch
// added or removed through it is in force when the call returns: it
// compiles only the small delta of watches added since the last full
// compile, and masks removed ones. A watch changed by another process
// (herald watches rm), or by a chat pausing, resuming or moving, is read
// back from the store at Run's next tick. Full compiles (a reload, or
// folding a grown delta into the base) run beside ingestion, which goes
// on with the previous generation until the swap. It is safe for
// concurrent use.
type Watchlist struct {
	p        *Pipeline
	st       WatchStore
	log      *slog.Logger
	entities atomic.Pointer[[]rules.Entity]
	// stale asks Run for a reload from the store: the entities or
	// enabled changed.
	stale atomic.Bool
	// disabled keeps the watches out of the pipeline (watches.enabled: false).
	disabled atomic.Bool

	mu  sync.Mutex // guards what follows; held for a delta's compile, never a full one
	cur *WatchSet  // the generation in force
	rev int64      // the store's revision cur reflects; -1 when unknown
	// While a full compile runs (rebuilding), the adds and removals made
	// meanwhile are kept, to apply to its result.
	rebuilding bool
	added      []news.Watch
	removed    []int64
}

// DeltaMax is how many watches added since the last full compile are
// compiled on their own; past it, Run folds them into a new base.
const DeltaMax = 512

// NewWatchlist returns a watchlist feeding p from st, compiling watches
// against entities. Call Load before ingesting. log may be nil.
func NewWatchlist(p *Pipeline, st WatchStore, entities []rules.Entity, log *slog.Logger) *Watchlist {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Watchlist{p: p, st: st, log: log, cur: &WatchSet{}, rev: -1}
	l.entities.Store(&entities)
	return l
}

// Entities returns the entities watches are compiled against: what a
// chat's query may name as @id.
func (l *Watchlist) Entities() []rules.Entity { return *l.entities.Load() }

// Load reads every watch from the store, compiles them and swaps them in.
func (l *Watchlist) Load(ctx context.Context) error { return l.reload(ctx) }

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
	l.mu.Lock()
	defer l.mu.Unlock()
	w, err := l.st.AddWatch(ctx, w, perChat)
	if err != nil {
		return w, fmt.Errorf("alerts: %w", err)
	}
	l.noteOwnChange(ctx)
	if l.rebuilding {
		l.added = append(l.added, w)
	}
	if l.disabled.Load() {
		return w, nil
	}
	cur := l.cur
	l.publish(&WatchSet{base: cur.base, delta: l.compileDelta(append(slices.Clone(cur.delta.watches), w)), removed: cur.removed})
	return w, nil
}

// RemoveWatch deletes the watch and takes it out of force before returning.
func (l *Watchlist) RemoveWatch(ctx context.Context, id int64) (news.Watch, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, err := l.st.RemoveWatch(ctx, id)
	if err != nil {
		return w, fmt.Errorf("alerts: %w", err)
	}
	l.noteOwnChange(ctx)
	if l.rebuilding {
		l.removed = append(l.removed, id)
	}
	cur := l.cur
	if k := slices.IndexFunc(cur.delta.watches, func(x news.Watch) bool { return x.ID == id }); k >= 0 {
		l.publish(&WatchSet{base: cur.base, delta: l.compileDelta(slices.Delete(slices.Clone(cur.delta.watches), k, k+1)), removed: cur.removed})
	} else if slices.ContainsFunc(cur.base.watches, func(x news.Watch) bool { return x.ID == id }) {
		removed := maps.Clone(cur.removed)
		if removed == nil {
			removed = map[int64]bool{}
		}
		removed[id] = true
		l.publish(&WatchSet{base: cur.base, delta: cur.delta, removed: removed})
	}
	return w, nil
}

// noteOwnChange moves the revision in force past a change this watchlist
// made, when it was the only one since, so that Run does not read every
// watch back for it. Called with mu held.
func (l *Watchlist) noteOwnChange(ctx context.Context) {
	rev, err := l.st.WatchRev(ctx)
	if err == nil && l.rev >= 0 && rev == l.rev+1 {
		l.rev = rev
	}
}

// compileDelta compiles the watches added since the base. Called with mu held.
func (l *Watchlist) compileDelta(ws []news.Watch) watchPart {
	part, dropped := compilePart(ws, l.Entities())
	l.logDropped(dropped)
	return part
}

// publish makes ws the generation in force. Called with mu held.
func (l *Watchlist) publish(ws *WatchSet) {
	l.cur = ws
	if !l.disabled.Load() {
		l.p.SetWatches(ws)
	}
}

func (l *Watchlist) logDropped(dropped map[int64]error) {
	for id, err := range dropped {
		l.log.Warn("watch does not compile and is left out; the chat can remove it with /unwatch, the operator with herald watches rm",
			"watch", id, "err", err)
	}
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
// them when another process changed them, and folds a grown delta into a
// new base, until ctx ends. Failures are logged; the generation in force
// stays.
func (l *Watchlist) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := l.tick(ctx); err != nil && ctx.Err() == nil {
			l.log.Error("watches not reloaded; the previous ones stay in force", "err", err)
		}
	}
}

func (l *Watchlist) tick(ctx context.Context) error {
	rev, err := l.st.WatchRev(ctx)
	if err != nil {
		return fmt.Errorf("alerts: watches: %w", err)
	}
	l.mu.Lock()
	// Revisions only grow: one below what is in force was read before a
	// change of this watchlist's own and says nothing new.
	changed, grown := rev > l.rev, len(l.cur.delta.watches) >= DeltaMax
	l.mu.Unlock()
	switch {
	case changed || l.stale.Load():
		return l.reload(ctx)
	case grown:
		l.rebuild(nil, false, -1)
	}
	return nil
}

// reload reads every watch from the store and compiles them.
func (l *Watchlist) reload(ctx context.Context) error {
	l.stale.Store(false)
	rev, err := l.st.WatchRev(ctx)
	if err != nil {
		return fmt.Errorf("alerts: watches: %w", err)
	}
	if !l.startRebuild() {
		l.stale.Store(true) // another rebuild runs: try again at the next tick
		return nil
	}
	ws, err := l.st.Watches(ctx)
	if err != nil {
		l.mu.Lock()
		l.rebuilding = false
		l.mu.Unlock()
		return fmt.Errorf("alerts: watches: %w", err)
	}
	l.rebuild(ws, true, rev)
	return nil
}

// startRebuild marks a full compile as running, unless one is.
func (l *Watchlist) startRebuild() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rebuilding {
		return false
	}
	l.rebuilding, l.added, l.removed = true, nil, nil
	return true
}

// rebuild compiles ws (fromStore), or the watches in force, into a new
// base, without holding mu meanwhile, then applies the adds and removals
// made during the compile and swaps the result in. rev is the store's
// revision ws was read at.
func (l *Watchlist) rebuild(ws []news.Watch, fromStore bool, rev int64) {
	if !fromStore {
		if !l.startRebuild() {
			return
		}
		l.mu.Lock()
		ws = l.cur.List()
		l.mu.Unlock()
	}
	var base watchPart
	var dropped map[int64]error
	if !l.disabled.Load() {
		base, dropped = compilePart(ws, l.Entities())
		l.logDropped(dropped)
	}
	inBase := make(map[int64]bool, len(base.watches))
	for _, w := range base.watches {
		inBase[w.ID] = true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	gone := map[int64]bool{}
	for _, id := range l.removed {
		gone[id] = true
	}
	var removed map[int64]bool
	for id := range gone {
		if inBase[id] {
			if removed == nil {
				removed = map[int64]bool{}
			}
			removed[id] = true
		}
	}
	var delta []news.Watch
	for _, w := range l.added {
		if !inBase[w.ID] && !gone[w.ID] {
			delta = append(delta, w)
		}
	}
	next := &WatchSet{base: base, removed: removed}
	if len(delta) > 0 && !l.disabled.Load() {
		next.delta = l.compileDelta(delta)
	}
	l.rebuilding, l.added, l.removed = false, nil, nil
	l.cur = next
	if l.disabled.Load() {
		l.p.SetWatches(nil)
	} else {
		l.p.SetWatches(next)
	}
	if fromStore {
		l.rev = rev
	}
}
