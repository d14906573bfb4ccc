package watchers

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"herald/news"
)

func TestBackoff(t *testing.T) {
	plain := errors.New("connection refused")
	tests := []struct {
		failures int
		err      error
		want     time.Duration
	}{
		{1, plain, time.Minute},
		{2, plain, 2 * time.Minute},
		{3, plain, 4 * time.Minute},
		{6, plain, 32 * time.Minute},
		{7, plain, time.Hour},
		{50, plain, time.Hour},
		{1, fmt.Errorf("wrapped: %w", &StatusError{Code: 503, RetryAfter: 10 * time.Minute}), 10 * time.Minute},
		{8, &StatusError{Code: 429, RetryAfter: 10 * time.Minute}, time.Hour}, // Our backoff is already longer.
		{1, &StatusError{Code: 429, RetryAfter: 5 * time.Hour}, 5 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d after %v", tt.failures, tt.err), func(t *testing.T) {
			if got := backoff(tt.failures, tt.err); got != tt.want {
				t.Errorf("backoff = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIntervalJitter(t *testing.T) {
	newW := func() *Watcher { return New(nil, nil, Options{Rand: rand.New(rand.NewPCG(7, 7))}) }
	a, b := newW(), newW()
	feed := news.Feed{Interval: 10 * time.Minute}
	spread := map[time.Duration]bool{}
	for range 100 {
		d := a.jitter(feed.Interval)
		if d < feed.Interval || d > feed.Interval+feed.Interval/10 {
			t.Fatalf("interval %v outside [%v, %v]", d, feed.Interval, feed.Interval+feed.Interval/10)
		}
		if e := b.jitter(feed.Interval); e != d {
			t.Fatalf("same seed gave %v and %v", d, e)
		}
		spread[d] = true
	}
	if len(spread) < 50 {
		t.Errorf("only %d distinct intervals in 100; the jitter does not spread polls", len(spread))
	}
	if d := a.jitter(0); d < DefaultInterval || d > DefaultInterval+DefaultInterval/10 {
		t.Errorf("interval of a feed without one is %v, want about %v", d, DefaultInterval)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"90", 90 * time.Second},
		{"0", 0},
		{"-5", 0},
		{"999999999", maxRetryAfter},
		{now.Add(30 * time.Minute).Format(http.TimeFormat), 30 * time.Minute},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.Add(1000 * time.Hour).Format(http.TimeFormat), maxRetryAfter},
		{"tomorrow", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Plain\n\ttitle  ", "Plain title"},
		{"Council <b>approves</b> pier", "Council approves pier"},
		{"<em>Tom &amp; Jerry</em>", "Tom & Jerry"},
		{"AT&T profits rise", "AT&T profits rise"},
		{"3 < 4 and 5 > 2", "3 < 4 and 5 > 2"},
	}
	for _, tt := range tests {
		if got := plainText(tt.in); got != tt.want {
			t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
