package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// sendAll sends n messages on key as fast as the limiter allows and returns
// the time the last one went.
func sendAll(c *clock, l *Limiter, key string, n int) time.Duration {
	start := c.t
	for i := 0; i < n; i++ {
		if d := l.Delay(key); d > 0 {
			c.advance(d)
		}
		if d := l.Delay(key); d != 0 {
			panic("still waiting after the advertised delay")
		}
		l.Take(key)
	}
	return c.t.Sub(start)
}

func TestLimiterSchedules(t *testing.T) {
	cases := []struct {
		name  string
		limit Limit
		n     int
		want  time.Duration // time of the last send after the first
	}{
		{"1/s no burst", Limit{Every: time.Second, Burst: 1}, 5, 4 * time.Second},
		{"1/s burst 3", Limit{Every: time.Second, Burst: 3}, 5, 2 * time.Second},
		{"20/min burst 1", Per(20, time.Minute, 1), 21, time.Minute},
		{"30/s burst 30", Per(30, time.Second, 30), 60, 30 * (time.Second/30 + 1)},
		{"unlimited", Limit{}, 1000, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: t0}
			l := New(tc.limit, c.now)
			if got := sendAll(c, l, "k", tc.n); got != tc.want {
				t.Errorf("%d sends took %s, want %s", tc.n, got, tc.want)
			}
		})
	}
}

func TestKeysAreIndependentAndRefill(t *testing.T) {
	c := &clock{t: t0}
	l := New(Limit{Every: time.Second, Burst: 2}, c.now)
	l.Take("a")
	l.Take("a")
	if d := l.Delay("a"); d != time.Second {
		t.Errorf("a after its burst waits %s, want 1s", d)
	}
	if d := l.Delay("b"); d != 0 {
		t.Errorf("b waits %s for a's sends", d)
	}
	c.advance(10 * time.Second)
	if d := l.Delay("a"); d != 0 {
		t.Errorf("a after a quiet spell waits %s", d)
	}
	l.Take("a")
	l.Take("a")
	if d := l.Delay("a"); d != time.Second {
		t.Errorf("the burst did not refill to exactly 2: wait %s", d)
	}
}

func TestBlockHoldsOnlyItsKey(t *testing.T) {
	c := &clock{t: t0}
	l := New(Limit{Every: time.Second, Burst: 5}, c.now)
	l.Block("a", t0.Add(7*time.Second))
	if d := l.Delay("a"); d != 7*time.Second {
		t.Errorf("blocked key waits %s, want 7s", d)
	}
	if d := l.Delay("b"); d != 0 {
		t.Errorf("other key waits %s", d)
	}
	l.Block("a", t0.Add(time.Second)) // a shorter block does not shorten the longer one
	if d := l.Delay("a"); d != 7*time.Second {
		t.Errorf("after a shorter block waits %s, want 7s", d)
	}
	c.advance(7 * time.Second)
	if d := l.Delay("a"); d != 0 {
		t.Errorf("after the block waits %s", d)
	}
}

func TestGroupChecksEveryLimit(t *testing.T) {
	c := &clock{t: t0}
	perChat := New(Limit{Every: time.Second, Burst: 1}, c.now)
	global := New(Limit{Every: 100 * time.Millisecond, Burst: 2}, c.now)
	var g Group
	if d := g.Reserve(Check{perChat, "1"}, Check{global, ""}); d != 0 {
		t.Fatalf("first send waits %s", d)
	}
	if d := g.Reserve(Check{perChat, "2"}, Check{global, ""}); d != 0 {
		t.Fatalf("second chat waits %s", d)
	}
	// Chat 3 is free but the global burst is spent.
	if d := g.Reserve(Check{perChat, "3"}, Check{global, ""}); d != 100*time.Millisecond {
		t.Fatalf("third send waits %s, want the global 100ms", d)
	}
	// A refused reservation took nothing from chat 3.
	if d := perChat.Delay("3"); d != 0 {
		t.Errorf("refused reservation still charged chat 3: %s", d)
	}
	c.advance(100 * time.Millisecond)
	if d := g.Reserve(Check{perChat, "1"}, Check{global, ""}); d != 900*time.Millisecond {
		t.Errorf("chat 1 again waits %s, want its per-chat 900ms", d)
	}
}

func TestForget(t *testing.T) {
	c := &clock{t: t0}
	l := New(Limit{Every: time.Second, Burst: 1}, c.now)
	for _, k := range []string{"a", "b", "c"} {
		l.Take(k)
	}
	c.advance(2 * time.Second)
	l.Forget()
	if n := len(l.buckets); n != 0 {
		t.Errorf("%d buckets kept after they refilled", n)
	}
}

// TestWithinNeverExceedsTheWindow sends greedily, with pauses that let the
// bucket refill, and counts the sends in every window of the period.
func TestWithinNeverExceedsTheWindow(t *testing.T) {
	for _, tc := range []struct{ n, burst int }{{20, 1}, {20, 3}, {20, 5}, {20, 20}, {20, 40}, {3, 2}} {
		t.Run(fmt.Sprintf("%d per minute burst %d", tc.n, tc.burst), func(t *testing.T) {
			c := &clock{t: t0}
			l := New(Within(tc.n, time.Minute, tc.burst), c.now)
			var sends []time.Time
			for round := range 5 {
				for range 3 * tc.n {
					if d := l.Delay("g"); d > 0 {
						c.advance(d)
					}
					l.Take("g")
					sends = append(sends, c.t)
				}
				c.advance(time.Duration(round*7) * time.Second) // quiet spells of different lengths
			}
			for i, s := range sends {
				in := 0
				for _, u := range sends[i:] {
					if u.Sub(s) < time.Minute {
						in++
					}
				}
				if in > tc.n {
					t.Fatalf("%d sends in the minute from %s, want at most %d", in, s.Sub(t0), tc.n)
				}
			}
			// The burst goes at once after a quiet start.
			if want := min(max(tc.burst, 1), tc.n); !sends[want-1].Equal(t0) {
				t.Errorf("send %d went at %s, want at once", want, sends[want-1].Sub(t0))
			}
		})
	}
}
