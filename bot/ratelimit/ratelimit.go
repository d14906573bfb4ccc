// Package ratelimit keeps herald under the platforms' message limits by design
// rather than by 429: token buckets keyed by destination, grouped so that one
// send can be checked against several limits at once (per chat, per group,
// per platform). Time is injected, so schedules are testable to the nanosecond.
package ratelimit

import (
	"fmt"
	"sync"
	"time"
)

// Limit is a sustained rate with a burst allowance.
type Limit struct {
	// Every is the time one token takes to refill: time.Second for 1 msg/s,
	// 3*time.Second for 20 msg/min.
	Every time.Duration
	// Burst is how many sends may go at once after a quiet spell (at least 1).
	Burst int
}

// Per returns the limit of n sends per period with the given burst. The
// refill time is rounded up, so n sends never fit in less than the period.
func Per(n int, period time.Duration, burst int) Limit {
	every := period / time.Duration(n)
	if every*time.Duration(n) < period {
		every++
	}
	return Limit{Every: every, Burst: burst}
}

// Within returns the fastest limit with the given burst under which no
// window of period ever sees more than n sends. A bucket that lets burst
// sends through at once and then one every e lets burst + ⌊(period-ε)/e⌋
// through in a window, so e = period/(n-burst+1): Telegram's 20 messages a
// minute to a group with a burst of 3 refill one every 3.34 s. burst is
// clamped to 1..n.
func Within(n int, period time.Duration, burst int) Limit {
	burst = min(max(burst, 1), n)
	return Per(n-burst+1, period, burst)
}

// String prints the limit as "1/1s burst 3".
func (l Limit) String() string { return fmt.Sprintf("1/%s burst %d", l.Every, l.Burst) }

// Unlimited reports whether the limit lets everything through.
func (l Limit) Unlimited() bool { return l.Every <= 0 }

// bucket is one key's state: the time at which its bucket would be full
// again ("theoretical arrival time", GCRA). Storing one time instead of a
// token count keeps every operation exact in integer nanoseconds.
type bucket struct {
	tat     time.Time
	blocked time.Time // a platform's retry_after: nothing before this
}

// Limiter is a set of token buckets sharing one limit, one per key. It is
// safe for concurrent use.
type Limiter struct {
	limit Limit
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

// New returns a limiter; now may be nil for time.Now.
func New(l Limit, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	if l.Burst < 1 {
		l.Burst = 1
	}
	return &Limiter{limit: l, now: now, buckets: map[string]*bucket{}}
}

// delayLocked is how long key must wait for a token at time t.
func (l *Limiter) delayLocked(key string, t time.Time) time.Duration {
	b := l.buckets[key]
	if b == nil {
		return 0
	}
	var d time.Duration
	if b.blocked.After(t) {
		d = b.blocked.Sub(t)
	}
	if l.limit.Unlimited() {
		return d
	}
	// A send is allowed when tat - (burst-1)*every <= t.
	allowedAt := b.tat.Add(-time.Duration(l.limit.Burst-1) * l.limit.Every)
	if allowedAt.After(t) {
		d = max(d, allowedAt.Sub(t))
	}
	return d
}

func (l *Limiter) takeLocked(key string, t time.Time) {
	if l.limit.Unlimited() {
		return
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{}
		l.buckets[key] = b
	}
	start := b.tat
	if start.Before(t) {
		start = t
	}
	b.tat = start.Add(l.limit.Every)
}

// Delay returns how long key must wait before its next send; 0 means now.
func (l *Limiter) Delay(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.delayLocked(key, l.now())
}

// Take records a send for key. Call it when Delay is 0, or through a Group.
func (l *Limiter) Take(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.takeLocked(key, l.now())
}

// Block stops key until the given time: a platform's retry_after applies to
// the destination it names, while other keys keep flowing.
func (l *Limiter) Block(key string, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{}
		l.buckets[key] = b
	}
	if until.After(b.blocked) {
		b.blocked = until
	}
}

// Forget drops state that no longer limits anything, so a limiter serving
// many destinations does not grow without bound. Call it now and then.
func (l *Limiter) Forget() {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.now()
	for k, b := range l.buckets {
		if !b.tat.After(t) && !b.blocked.After(t) {
			delete(l.buckets, k)
		}
	}
}

// Check is one limit to pass for a send: a limiter and the key in it.
type Check struct {
	L   *Limiter
	Key string
}

// Group passes a send through several limits at once: it may go only when
// every limit allows it, and then it counts against all of them.
type Group struct {
	mu sync.Mutex
}

// Reserve takes a token from every check and returns 0 when all allow a send
// now; otherwise it takes nothing and returns how long to wait.
func (g *Group) Reserve(checks ...Check) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	var wait time.Duration
	for _, c := range checks {
		if c.L == nil {
			continue
		}
		c.L.mu.Lock()
		d := c.L.delayLocked(c.Key, c.L.now())
		c.L.mu.Unlock()
		wait = max(wait, d)
	}
	if wait > 0 {
		return wait
	}
	for _, c := range checks {
		if c.L == nil {
			continue
		}
		c.L.mu.Lock()
		c.L.takeLocked(c.Key, c.L.now())
		c.L.mu.Unlock()
	}
	return 0
}
