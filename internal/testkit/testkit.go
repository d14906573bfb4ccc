// Package testkit holds the small helpers that the tests of several herald
// packages share: a log buffer safe for concurrent writers, a sleeper that
// records waits instead of taking them, subscriptions set and read through
// the store, and sending a request built for a test server.
package testkit

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"herald/news"
	"herald/store"
)

// SyncBuffer is a bytes.Buffer safe for concurrent writers, such as a
// logger written by a daemon's goroutines and read by the test.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Sleeper records the waits it is asked for and returns almost at once, so
// that tests of backoff and flood control do not wait them out.
type Sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

// Sleep records d and returns after a millisecond (so that loops that back
// off do not spin the CPU), or ctx's error.
func (s *Sleeper) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	time.Sleep(time.Millisecond)
	return ctx.Err()
}

// Waits returns the waits asked for so far, in order.
func (s *Sleeper) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// Subscribe subscribes d to each of rules in db, failing the test on error.
func Subscribe(t testing.TB, db *store.DB, d news.Destination, rules ...string) {
	t.Helper()
	for _, r := range rules {
		if _, err := db.Subscribe(t.Context(), news.Subscription{Destination: d, Rule: r}); err != nil {
			t.Fatal(err)
		}
	}
}

// Subscriptions returns d's subscriptions in db, rule → paused.
func Subscriptions(t testing.TB, db *store.DB, d news.Destination) map[string]bool {
	t.Helper()
	got, err := db.SubscriptionsOf(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, s := range got {
		out[s.Rule] = s.Paused
	}
	return out
}

// Do sends req, which building returned with err, and returns the answer's
// status and body; it fails the test when either step does.
func Do(t testing.TB, req *http.Request, err error) (int, string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
