// Package bot is the platform-neutral side of herald's chat presence: the
// dispatcher that moves alerts from the outbox to the platform adapters, and
// the error classes the adapters report.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"herald/news"
)

// Sender delivers one alert to its destination on one platform. It returns nil
// only when the platform confirmed the message.
type Sender interface {
	Send(ctx context.Context, a news.Alert) error
}

// ErrPermanent marks send errors that retrying cannot fix (the bot was
// blocked, the channel does not exist). Adapters wrap it: fmt.Errorf("…: %w", ErrPermanent).
var ErrPermanent = errors.New("permanent failure")

// RetryAfterError is a send error that says when to try again, such as a
// platform's 429 with retry_after.
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
// MaxBackoff, with up to 20% jitter; after MaxAttempts the row is dead.
const (
	MinBackoff  = 30 * time.Second
	MaxBackoff  = 30 * time.Minute
	MaxAttempts = 60 // about a day at the cap
	batchSize   = 100
)

// Dispatcher sends pending outbox rows through the sender registered for
// their platform and records the outcome. A row is marked sent only after its
// sender returned nil.
type Dispatcher struct {
	outbox  Outbox
	senders map[news.Platform]Sender
	now     func() time.Time
	log     *slog.Logger
	rand    *rand.Rand
	// attempts remembers how often each row failed in this process, for backoff.
	attempts map[int64]int
	warned   map[news.Platform]bool
}

// NewDispatcher returns a dispatcher over outbox. now and log may be nil; seed
// makes the retry jitter reproducible in tests.
func NewDispatcher(outbox Outbox, senders map[news.Platform]Sender, now func() time.Time, log *slog.Logger, seed uint64) *Dispatcher {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{
		outbox: outbox, senders: senders, now: now, log: log,
		rand:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		attempts: map[int64]int{},
		warned:   map[news.Platform]bool{},
	}
}

// Stats counts what a Flush did.
type Stats struct {
	Sent, Failed, Waiting int
}

// Flush sends every row that is due now, in order, until none is left. Rows
// whose platform has no sender stay pending (counted as Waiting). It returns
// an error only when the outbox itself fails or ctx ends.
func (d *Dispatcher) Flush(ctx context.Context) (Stats, error) {
	var st Stats
	skip := map[int64]bool{}
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		rows, err := d.outbox.Pending(ctx, d.now(), batchSize+len(skip))
		if err != nil {
			return st, fmt.Errorf("bot: read outbox: %w", err)
		}
		progressed := false
		for _, a := range rows {
			if skip[a.ID] {
				continue
			}
			skip[a.ID] = true // each row is tried at most once per Flush
			progressed = true
			s, ok := d.senders[a.Destination.Platform]
			if !ok {
				st.Waiting++
				if !d.warned[a.Destination.Platform] {
					d.warned[a.Destination.Platform] = true
					d.log.Warn("no adapter for this platform; alerts stay queued until it is configured",
						"platform", a.Destination.Platform, "destination", a.Destination.String())
				}
				continue
			}
			if err := d.send(ctx, s, a); err != nil {
				if ctx.Err() != nil {
					return st, ctx.Err()
				}
				st.Failed++
				continue
			}
			st.Sent++
		}
		if !progressed {
			return st, nil
		}
	}
}

func (d *Dispatcher) send(ctx context.Context, s Sender, a news.Alert) error {
	log := d.log.With("destination", a.Destination.String(), "rule", a.Rule, "outbox_id", a.ID)
	err := s.Send(ctx, a)
	if err == nil {
		delete(d.attempts, a.ID)
		if err := d.outbox.MarkSent(ctx, a.ID, d.now()); err != nil {
			// The message is out; failing to record it means one duplicate at worst.
			log.Error("alert sent but not marked sent; it may be sent again", "err", err)
			return err
		}
		log.Debug("alert sent", "title", a.Title)
		return nil
	}
	if ctx.Err() != nil {
		return err // shutting down: the row stays pending as it was
	}
	d.attempts[a.ID]++
	n := d.attempts[a.ID]
	dead := errors.Is(err, ErrPermanent) || n >= MaxAttempts
	wait := d.backoff(n)
	var ra *RetryAfterError
	if errors.As(err, &ra) && ra.After > 0 {
		wait = ra.After
	}
	retryAt := d.now().Add(wait)
	if merr := d.outbox.MarkFailed(ctx, a.ID, err.Error(), retryAt, dead); merr != nil {
		log.Error("recording a failed send", "err", merr)
	}
	if dead {
		log.Error("alert not delivered and will not be retried; see `herald status`", "err", err)
	} else {
		log.Warn("alert not delivered; will retry", "err", err, "retry_at", retryAt.Format(time.RFC3339))
	}
	return err
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
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-t.C:
		}
	}
}
