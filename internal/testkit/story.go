package testkit

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"herald/alerts"
	"herald/bot"
	"herald/news"
	"herald/rules"
	"herald/store"
)

// StoryDesk runs one story through herald's delivery path to one
// destination: the alerts pipeline queues copies of it from several feeds,
// and a dispatcher sends the first and edits it ("also: …"). Its clock
// moves only when told; the rate limits run in virtual time.
type StoryDesk struct {
	// Now is the time the pipeline and the dispatcher see.
	Now      time.Time
	Ingest   *alerts.Pipeline
	Dispatch *bot.Dispatcher
	pace     time.Time
	n        int
}

// StoryTitle is the title every copy carries.
const StoryTitle = "NATO ministers agree new air defence package for Ukraine"

// NewStoryDesk wires a pipeline whose one topic, nato-ukraine, is posted to
// dest through sender.
func NewStoryDesk(t testing.TB, db *store.DB, sender bot.Sender, dest news.Destination, start time.Time, log *slog.Logger) *StoryDesk {
	t.Helper()
	set, err := rules.Compile([]rules.Rule{{Name: "nato-ukraine", Query: `NATO Ukraine`}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &StoryDesk{Now: start, pace: start}
	clock := func() time.Time { return s.Now }
	topics := &alerts.Topics{Set: set, Notify: map[string][]news.Destination{"nato-ukraine": {dest}}, Tags: map[string][]string{}}
	s.Ingest = alerts.New(db, topics, clock, log)
	s.Dispatch = bot.NewDispatcher(db, map[news.Platform]bot.Sender{dest.Platform: sender}, clock, log, 1)
	s.Dispatch.SetPacing(func() time.Time { return s.pace }, func(_ context.Context, w time.Duration) error {
		s.pace = s.pace.Add(w)
		return nil
	})
	return s
}

// Copy moves the clock on by after, ingests a copy of the story from feed
// (its own link) and flushes the outbox.
func (s *StoryDesk) Copy(t testing.TB, feed string, after time.Duration) bot.Stats {
	t.Helper()
	s.Now = s.Now.Add(after)
	s.n++
	it := news.Item{Feed: feed, ID: fmt.Sprint(s.n), Title: StoryTitle,
		Link: fmt.Sprintf("https://%s.example/nato/%d", feed, s.n), Published: s.Now.Add(-time.Minute),
		Content: "<p>Ministers of NATO agreed a package for Ukraine.</p>"}
	if _, err := s.Ingest.Ingest(t.Context(), news.Feed{Name: feed, Backfill: 24 * time.Hour}, []news.Item{it}, false); err != nil {
		t.Fatal(err)
	}
	return s.Flush(t, 0)
}

// Flush moves the clock on by after and flushes the outbox.
func (s *StoryDesk) Flush(t testing.TB, after time.Duration) bot.Stats {
	t.Helper()
	s.Now = s.Now.Add(after)
	st, err := s.Dispatch.Flush(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return st
}
