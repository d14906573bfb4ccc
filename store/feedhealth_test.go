package store

import (
	"testing"
	"time"

	"herald/news"
)

func TestFeedStateHealthRoundTrip(t *testing.T) {
	db, _ := openTest(t)
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	st := news.FeedState{
		URL: "https://new.example/feed", ConfigURL: "https://old.example/feed", Interval: 17*time.Minute + 30*time.Second,
		LastPoll: at, LastError: "HTTP 500", Failures: 30, FailingSince: at.Add(-25 * time.Hour), Notified: at.Add(-time.Hour),
		NextPoll: at.Add(time.Hour),
	}
	if err := db.SaveFeedState(t.Context(), "wire", st); err != nil {
		t.Fatal(err)
	}
	got, _, err := db.FeedState(t.Context(), "wire")
	if err != nil || got != st {
		t.Fatalf("round trip:\n got %+v\nwant %+v (err %v)", got, st, err)
	}
	if h := got.HealthAt(at); h != news.HealthDead {
		t.Errorf("health %q, want dead", h)
	}
	st = news.FeedState{URL: "https://gone.example/", ConfigURL: "https://gone.example/", LastPoll: at, Disabled: "the server answered 410 Gone on 2025-03-04"}
	if err := db.SaveFeedState(t.Context(), "wire", st); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := db.FeedState(t.Context(), "wire"); got != st || got.HealthAt(at) != news.HealthDisabled {
		t.Errorf("disabled state read back as %+v", got)
	}
	if err := db.SaveFeedState(t.Context(), "wire", news.FeedState{Interval: -time.Second}); err == nil {
		t.Error("a negative interval was saved")
	}
}

func TestAddNotice(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	admin := news.Destination{Platform: news.Telegram, Chat: "42"}
	a := news.Alert{Destination: admin, Title: "Feed wire has been failing since Mon 3 Mar", Summary: "HTTP 500", Link: "https://wire.example/rss"}
	for i, want := range []bool{true, false} {
		added, err := db.AddNotice(ctx, at, "dead/wire/1741000000", a)
		if err != nil || added != want {
			t.Fatalf("AddNotice #%d: added %v, err %v; want %v", i+1, added, err, want)
		}
	}
	pending, err := db.Pending(ctx, at, 10)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending %+v, err %v; want the one notice", pending, err)
	}
	if p := pending[0]; p.Destination != admin || p.Rule != NoticeRule || p.Feed != NoticeFeed || p.Title != a.Title || p.Summary != a.Summary {
		t.Errorf("notice queued as %+v", p)
	}
	if _, err := db.AddNotice(ctx, at, "", a); err == nil {
		t.Error("a notice without a key was queued")
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}
