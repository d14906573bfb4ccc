// Package bot is the platform-neutral side of herald's chat presence: the
// dispatcher that moves alerts from the outbox to the platform adapters within
// the platforms' rate limits, the message model and alert layout the adapters
// render, the command router, and the error classes the adapters report.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"herald/bot/ratelimit"
	"herald/news"
)

// Sender delivers one alert to its destination on one platform. It returns nil
// only when the platform confirmed the message.
type Sender interface {
	Send(ctx context.Context, a news.Alert) error
}

// DigestSender is a Sender that can also post several alerts to one
// destination as a single digest message. SendDigest includes as many of
// alerts, in order, as fit in one message on its platform, and returns how
// many it included (at least one on success).
type DigestSender interface {
	Sender
	SendDigest(ctx context.Context, dest news.Destination, alerts []news.Alert) (int, error)
}

// Editor is a Sender whose messages can be changed once posted, to keep an
// alert up to date ("also: Reuters · AP"). Post sends like Send and returns
// the platform's id of the message, in the adapter's own words ("" when it
// has none). Edit makes message ref show a as AlertMessage lays it out now.
// Edit returns nil also when the message already reads so (Telegram's
// "message is not modified": the edit is done); an error wrapping
// ErrEditGone when the message can no longer be edited (deleted, not the
// bot's, past the workspace's edit window: the edit is given up); a
// *RetryAfterError under flood control; any other error for a failure worth
// trying again.
type Editor interface {
	Sender
	Post(ctx context.Context, a news.Alert) (ref string, err error)
	Edit(ctx context.Context, ref string, a news.Alert) error
}

// ErrEditGone marks edit errors that say the message can no longer be
// edited; the edit is given up, the alert itself stays delivered.
var ErrEditGone = errors.New("the message can no longer be edited")

// EditStore is what the dispatcher needs from storage to edit sent alerts;
// an Outbox that has these methods gets its alerts kept up to date.
type EditStore interface {
	SetMessage(ctx context.Context, id int64, ref string, shown int) error
	DueEdits(ctx context.Context, now, since time.Time, limit int) ([]news.Edit, error)
	MarkEdited(ctx context.Context, id int64, shown int, next time.Time) error
}

// Limits of "also" edits: a message is edited at most once per EditEvery,
// and never once it is EditWindow old (the story window).
const (
	EditEvery  = time.Minute
	EditWindow = 48 * time.Hour
)

// ErrPermanent marks send errors that retrying cannot fix (the bot was
// blocked, the channel does not exist). Adapters wrap it: fmt.Errorf("…: %w", ErrPermanent).
var ErrPermanent = errors.New("permanent failure")

// RetryAfterError is a send error that says when to try again, such as a
// platform's 429 with retry_after. The wait applies to that destination only.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

// Error describes the failure and the wait.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

// Unwrap returns the underlying error.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// Outbox is what the dispatcher needs from storage.
type Outbox interface {
	Pending(ctx context.Context, now time.Time, limit int) ([]news.Alert, error)
	MarkSent(ctx context.Context, id int64, at time.Time) error
	MarkFailed(ctx context.Context, id int64, errMsg string, retryAt time.Time, dead bool) error
}

// Retry policy for transient failures: exponential from MinBackoff, capped at
// MaxBackoff, with up to 20% jitter, until the row has waited MaxRetryAge
// since it was queued; then it is dead (see `herald status`, `herald retry`).
const (
	MinBackoff  = 30 * time.Second
	MaxBackoff  = 30 * time.Minute
	MaxRetryAge = 24 * time.Hour
	// DefaultDigestThreshold is how many alerts may wait for one destination
	// before they go as digests instead of one message each.
	DefaultDigestThreshold = 5
	batchSize              = 500
	// MaxInlineWait is the longest retry_after a Flush waits out itself for a
	// destination; a longer one leaves the row for a later Flush.
	MaxInlineWait = time.Minute
)

// Limits are one platform's message limits.
type Limits struct {
	// PerChat limits each destination chat or channel.
	PerChat ratelimit.Limit
	// PerGroup limits Telegram groups and channels (negative chat IDs) on top of PerChat.
	PerGroup ratelimit.Limit
	// Global limits the platform as a whole.
	Global ratelimit.Limit
}

// Telegram's documented limit for one group or channel, and the burst
// herald allows within it by default (telegram.rate.group_burst).
const (
	GroupRate         = 20 // messages per GroupPeriod
	GroupPeriod       = time.Minute
	DefaultGroupBurst = 3
)

// DefaultLimits are the documented limits: Telegram about 1 message/s per
// chat with short bursts, 20/min per group or channel (a burst of 3 at once,
// never more than 20 in any minute), 30/s overall; Slack about 1 message/s
// per channel with bursts.
var DefaultLimits = map[news.Platform]Limits{
	news.Telegram: {
		PerChat:  ratelimit.Limit{Every: time.Second, Burst: 3},
		PerGroup: ratelimit.Within(GroupRate, GroupPeriod, DefaultGroupBurst),
		Global:   ratelimit.Per(30, time.Second, 1),
	},
	news.Slack: {
		PerChat: ratelimit.Limit{Every: time.Second, Burst: 3},
	},
}

type limiters struct {
	chat, group, global *ratelimit.Limiter
}

// Dispatcher sends pending outbox rows through the sender registered for
// their platform, within each platform's limits, and records the outcome. A
// row is marked sent only after its sender returned nil. It is used by one
// goroutine at a time (Flush or Run).
type Dispatcher struct {
	outbox  Outbox
	senders map[news.Platform]Sender
	now     func() time.Time
	// clock and sleep pace the rate limits. They are apart from now (the
	// time written to the outbox) so that tests that freeze now still pass
	// time for the limits, and tests of the limits can run in virtual time.
	clock  func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	log    *slog.Logger
	rand   *rand.Rand
	limits map[news.Platform]*limiters
	group  ratelimit.Group
	warned map[news.Platform]bool

	// DigestThreshold: when more alerts than this wait for one destination
	// at once, they go as digests. Zero means DefaultDigestThreshold; a
	// negative value turns digests off.
	DigestThreshold int
}

// NewDispatcher returns a dispatcher over outbox with DefaultLimits. now and
// log may be nil; seed makes the retry jitter reproducible in tests.
func NewDispatcher(outbox Outbox, senders map[news.Platform]Sender, now func() time.Time, log *slog.Logger, seed uint64) *Dispatcher {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{
		outbox: outbox, senders: senders, now: now, log: log,
		clock:  time.Now,
		sleep:  Sleep,
		rand:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		limits: map[news.Platform]*limiters{},
		warned: map[news.Platform]bool{},
	}
	for p, l := range DefaultLimits {
		d.SetLimits(p, l)
	}
	return d
}

// SetLimits replaces one platform's limits (from telegram.rate or slack.rate).
func (d *Dispatcher) SetLimits(p news.Platform, l Limits) {
	d.limits[p] = &limiters{
		chat:   ratelimit.New(l.PerChat, d.clock),
		group:  ratelimit.New(l.PerGroup, d.clock),
		global: ratelimit.New(l.Global, d.clock),
	}
}

// SetPacing replaces the clock and the sleep that pace the rate limits
// (time.Now and a timer by default); tests pass a virtual clock whose sleep
// advances it. Call it before SetLimits.
func (d *Dispatcher) SetPacing(clock func() time.Time, sleep func(ctx context.Context, d time.Duration) error) {
	d.clock, d.sleep = clock, sleep
	for p, l := range DefaultLimits {
		d.SetLimits(p, l)
	}
}

// Sleep waits d or until ctx ends, whichever comes first; it returns ctx's
// error in the second case. Adapters use it as their default wait.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Stats counts what a Flush did.
type Stats struct {
	// Sent counts alerts delivered (each alert of a digest counts).
	Sent int
	// Digests counts digest messages among the deliveries.
	Digests int
	// Failed counts alerts whose delivery failed this time.
	Failed int
	// Waiting counts alerts for platforms without an adapter.
	Waiting int
	// Edited counts messages edited to name more sources.
	Edited int
}

// reserve asks every limit of dest's platform for a send slot now.
func (d *Dispatcher) reserve(dest news.Destination) time.Duration {
	l := d.limits[dest.Platform]
	if l == nil {
		return 0
	}
	checks := []ratelimit.Check{{L: l.chat, Key: dest.Chat}, {L: l.global, Key: ""}}
	if dest.Platform == news.Telegram && strings.HasPrefix(dest.Chat, "-") {
		checks = append(checks, ratelimit.Check{L: l.group, Key: dest.Chat})
	}
	return d.group.Reserve(checks...)
}

// Flush sends every row that is due now, in queue order per destination,
// waiting out rate limits, until none is left. Each row is tried at most once
// per Flush. Rows whose platform has no sender stay pending (counted as
// Waiting). It returns an error only when the outbox fails or ctx ends.
func (d *Dispatcher) Flush(ctx context.Context) (Stats, error) {
	var st Stats
	tried := map[int64]bool{}
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		rows, err := d.outbox.Pending(ctx, d.now(), batchSize+len(tried))
		if err != nil {
			return st, fmt.Errorf("bot: read outbox: %w", err)
		}
		// Queue per destination, destinations in the order of their oldest row.
		var order []string
		queues := map[string][]news.Alert{}
		dests := map[string]news.Destination{}
		for _, a := range rows {
			if tried[a.ID] {
				continue
			}
			tried[a.ID] = true
			if _, ok := d.senders[a.Destination.Platform]; !ok {
				st.Waiting++
				if !d.warned[a.Destination.Platform] {
					d.warned[a.Destination.Platform] = true
					d.log.Warn("no adapter for this platform; alerts stay queued until it is configured",
						"platform", a.Destination.Platform, "destination", a.Destination.String())
				}
				continue
			}
			k := a.Destination.String()
			if _, ok := queues[k]; !ok {
				order = append(order, k)
				dests[k] = a.Destination
			}
			queues[k] = append(queues[k], a)
		}
		if len(order) == 0 {
			return st, d.edit(ctx, &st)
		}
		if err := d.drain(ctx, order, dests, queues, &st); err != nil {
			return st, err
		}
	}
}

// drain sends the queues round-robin across destinations, one message per
// destination per turn, sleeping only when no destination may send.
func (d *Dispatcher) drain(ctx context.Context, order []string, dests map[string]news.Destination, queues map[string][]news.Alert, st *Stats) error {
	threshold := d.DigestThreshold
	if threshold == 0 {
		threshold = DefaultDigestThreshold
	}
	for {
		progressed, busy := false, false
		minWait := time.Duration(-1)
		for _, k := range order {
			q := queues[k]
			if len(q) == 0 {
				continue
			}
			busy = true
			if err := ctx.Err(); err != nil {
				return err
			}
			dest := dests[k]
			if w := d.reserve(dest); w > 0 {
				if minWait < 0 || w < minWait {
					minWait = w
				}
				continue
			}
			progressed = true
			s := d.senders[dest.Platform]
			ds, canDigest := s.(DigestSender)
			if held := heldRun(q); canDigest && held > 1 {
				// Alerts held by a queued mute go out together, as one digest.
				n, err := d.sendDigest(ctx, ds, dest, q[:held])
				if err != nil {
					st.Failed += len(q)
					queues[k] = nil
					continue
				}
				st.Sent += n
				st.Digests++
				queues[k] = q[n:]
				continue
			}
			if canDigest && threshold > 0 && len(q) > threshold {
				n, err := d.sendDigest(ctx, ds, dest, q)
				if err != nil {
					st.Failed += len(q)
					queues[k] = nil // the rest waits for the retry with its first row
					continue
				}
				st.Sent += n
				st.Digests++
				queues[k] = q[n:]
				continue
			}
			if err := d.send(ctx, s, q[0]); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				var ra *RetryAfterError
				if errors.As(err, &ra) && ra.After <= MaxInlineWait {
					// A short flood wait: the destination is blocked until
					// then, and this Flush sends the row once it may.
					continue
				}
				st.Failed++
				// Keep order: the destination's later rows wait until this one goes.
				queues[k] = nil
				continue
			}
			st.Sent++
			queues[k] = q[1:]
		}
		if !busy {
			return nil
		}
		if !progressed && minWait > 0 {
			if err := d.sleep(ctx, minWait); err != nil {
				return err
			}
		}
	}
}

// heldRun is how many alerts at the head of q were held together (Digest set).
func heldRun(q []news.Alert) int {
	n := 0
	for n < len(q) && q[n].Digest {
		n++
	}
	return n
}

func (d *Dispatcher) send(ctx context.Context, s Sender, a news.Alert) error {
	ed, canEdit := s.(Editor)
	es, keeps := d.outbox.(EditStore)
	if !canEdit || !keeps {
		err := s.Send(ctx, a)
		if err == nil {
			d.sent(ctx, a)
			return nil
		}
		d.failed(ctx, a, err)
		return err
	}
	ref, err := ed.Post(ctx, a)
	if err != nil {
		d.failed(ctx, a, err)
		return err
	}
	d.sent(ctx, a)
	if ref != "" {
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := es.SetMessage(mctx, a.ID, ref, len(a.Also)); err != nil {
			d.log.Error("alert sent, but its message id was not kept; later sources of the story will not be added to it",
				"destination", a.Destination.String(), "outbox_id", a.ID, "err", err)
		}
	}
	return nil
}

// await takes a send slot for dest, sleeping for it when the wait is
// short; it reports false when the wait is longer than MaxInlineWait or ctx
// ended.
func (d *Dispatcher) await(ctx context.Context, dest news.Destination) bool {
	for {
		w := d.reserve(dest)
		if w == 0 {
			return true
		}
		if w > MaxInlineWait || d.sleep(ctx, w) != nil {
			return false
		}
	}
}

// edit brings sent alerts up to date with the sources that carried their
// story since ("also: …"), within the same rate limits as sends, at most
// once a minute per message and never past EditWindow.
func (d *Dispatcher) edit(ctx context.Context, st *Stats) error {
	es, ok := d.outbox.(EditStore)
	if !ok {
		return nil
	}
	now := d.now()
	edits, err := es.DueEdits(ctx, now, now.Add(-EditWindow), batchSize)
	if err != nil {
		return fmt.Errorf("bot: read due edits: %w", err)
	}
	for _, e := range edits {
		a := e.Alert
		ed, ok := d.senders[a.Destination.Platform].(Editor)
		if !ok {
			continue
		}
		if !d.await(ctx, a.Destination) {
			continue // blocked for long: a later Flush edits it
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log := d.log.With("destination", a.Destination.String(), "outbox_id", a.ID, "also", a.Also)
		err := ed.Edit(ctx, e.Ref, a)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		now := d.now()
		shown, next := len(a.Also), now.Add(EditEvery)
		var ra *RetryAfterError
		switch {
		case err == nil:
			st.Edited++
			log.Debug("alert edited to name more sources")
		case errors.Is(err, ErrEditGone) || errors.Is(err, ErrPermanent):
			// Deleted, not editable, or refused for good: the alert stays
			// as it was sent; no more edits until another source comes.
			log.Info("could not add the story's other sources to an alert; it stays as sent", "err", err)
		case errors.As(err, &ra):
			shown, next = -1, now.Add(max(ra.After, EditEvery))
			if l := d.limits[a.Destination.Platform]; l != nil {
				l.chat.Block(a.Destination.Chat, d.clock().Add(ra.After))
			}
			log.Warn("editing an alert hit the platform's rate limit; trying again later", "err", err, "retry_at", next.Format(time.RFC3339))
		default:
			shown = -1
			log.Warn("editing an alert failed; trying again later", "err", err, "retry_at", next.Format(time.RFC3339))
		}
		if err := es.MarkEdited(context.WithoutCancel(ctx), a.ID, shown, next); err != nil {
			log.Error("recording an edit", "err", err)
		}
	}
	return nil
}

func (d *Dispatcher) sendDigest(ctx context.Context, s DigestSender, dest news.Destination, q []news.Alert) (int, error) {
	n, err := s.SendDigest(ctx, dest, q)
	if err == nil && (n < 1 || n > len(q)) {
		err = fmt.Errorf("bot: digest to %s: the adapter reported %d of %d alerts sent", dest, n, len(q))
	}
	if err != nil {
		if ctx.Err() == nil {
			for _, a := range q {
				d.failed(ctx, a, err)
			}
		}
		return 0, err
	}
	for _, a := range q[:n] {
		d.sent(ctx, a)
	}
	d.log.Info("digest sent", "destination", dest.String(), "alerts", n)
	return n, nil
}

func (d *Dispatcher) sent(ctx context.Context, a news.Alert) {
	// The message is out: record it even if shutdown has begun.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := d.outbox.MarkSent(mctx, a.ID, d.now()); err != nil {
		// Failing to record it means one duplicate at worst.
		d.log.Error("alert sent but not marked sent; it may be sent again", "destination", a.Destination.String(), "outbox_id", a.ID, "err", err)
		return
	}
	d.log.Debug("alert sent", "destination", a.Destination.String(), "rule", a.Rule, "title", a.Title)
}

// failed records a failed attempt: retry later, or dead when the error is
// permanent or the row has been retried for MaxRetryAge.
func (d *Dispatcher) failed(ctx context.Context, a news.Alert, err error) {
	if ctx.Err() != nil {
		return // shutting down: the row stays pending as it was
	}
	log := d.log.With("destination", a.Destination.String(), "rule", a.Rule, "outbox_id", a.ID)
	now := d.now()
	wait := d.backoff(a.Attempts + 1)
	var ra *RetryAfterError
	if errors.As(err, &ra) && ra.After > 0 {
		wait = ra.After
		// The platform asked this destination to wait; others keep flowing.
		if l := d.limits[a.Destination.Platform]; l != nil {
			l.chat.Block(a.Destination.Chat, d.clock().Add(ra.After))
		}
	}
	dead := errors.Is(err, ErrPermanent) || (!a.Queued.IsZero() && now.Add(wait).Sub(a.Queued) > MaxRetryAge)
	retryAt := now.Add(wait)
	if merr := d.outbox.MarkFailed(ctx, a.ID, err.Error(), retryAt, dead); merr != nil {
		log.Error("recording a failed send", "err", merr)
	}
	if dead {
		log.Error("alert not delivered and will not be retried; `herald status` lists it and `herald retry` requeues it", "err", err)
	} else {
		log.Warn("alert not delivered; will retry", "err", err, "attempt", a.Attempts+1, "retry_at", retryAt.Format(time.RFC3339))
	}
}

func (d *Dispatcher) backoff(attempt int) time.Duration {
	w := MinBackoff
	for i := 1; i < attempt && w < MaxBackoff; i++ {
		w *= 2
	}
	w = min(w, MaxBackoff)
	return w + time.Duration(d.rand.Int64N(int64(w)/5+1))
}

// Run flushes the outbox whenever wake fires and at least every tick, until
// ctx ends. Failures are logged and retried; Run returns nil when ctx is done.
func (d *Dispatcher) Run(ctx context.Context, wake <-chan struct{}, tick time.Duration) error {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if _, err := d.Flush(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("dispatching alerts", "err", err)
		}
		for _, l := range d.limits {
			l.chat.Forget()
			l.group.Forget()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-t.C:
		}
	}
}
