// Package testkit holds the small helpers that the tests of several herald
// packages share: a log buffer safe for concurrent writers and a sleeper
// that records waits instead of taking them.
package testkit

import (
	"bytes"
	"context"
	"sync"
	"time"
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
