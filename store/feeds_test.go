package store

import (
	"slices"
	"testing"
	"time"

	"herald/news"
)

func TestFeedState(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name string
		st   news.FeedState
		want news.FeedState // zero means st itself
	}{
		{name: "zero", st: news.FeedState{}},
		{name: "full", st: news.FeedState{
			URL: "https://example.org/feed", ETag: `W/"abc"`, LastModified: "Tue, 04 Mar 2025 05:06:07 GMT",
			Seeded: true, LastPoll: at, LastOK: at.Add(-time.Minute), LastError: "", Failures: 0, NextPoll: at.Add(5 * time.Minute),
		}},
		{name: "failing, never ok", st: news.FeedState{
			URL: "/srv/feeds/wire.xml", LastPoll: at, LastError: "parse: unexpected EOF", Failures: 3,
		}},
		{name: "other zone and sub-second read back as UTC seconds",
			st:   news.FeedState{LastPoll: time.Date(2025, 3, 4, 7, 6, 7, 999_999_999, time.FixedZone("EET", 2*3600))},
			want: news.FeedState{LastPoll: at},
		},
		{name: "before 1970", st: news.FeedState{LastOK: time.Date(1969, 7, 20, 20, 17, 40, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTest(t)
			ctx := t.Context()
			if _, found, err := db.FeedState(ctx, "wire"); err != nil || found {
				t.Fatalf("FeedState before save: found %t, err %v; want false, nil", found, err)
			}
			// Save something else first so that the upsert has to replace it.
			if err := db.SaveFeedState(ctx, "wire", news.FeedState{URL: "old", Seeded: true, Failures: 9, NextPoll: at}); err != nil {
				t.Fatal(err)
			}
			if err := db.SaveFeedState(ctx, "wire", tt.st); err != nil {
				t.Fatal(err)
			}
			got, found, err := db.FeedState(ctx, "wire")
			if err != nil || !found {
				t.Fatalf("FeedState: found %t, err %v", found, err)
			}
			want := tt.want
			if want == (news.FeedState{}) {
				want = tt.st
			}
			if got != want {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestFeeds(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	states := map[string]news.FeedState{
		"wire":     {URL: "https://wire.example/rss", Seeded: true, LastOK: at},
		"agency":   {URL: "https://agency.example/atom", Failures: 2, LastError: "timeout"},
		"ministry": {},
	}
	for name, st := range states {
		if err := db.SaveFeedState(ctx, name, st); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SaveFeedState(ctx, "", news.FeedState{}); err == nil {
		t.Error("SaveFeedState with an empty name succeeded")
	}
	rows, err := db.Feeds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.Name)
		if r.FeedState != states[r.Name] {
			t.Errorf("feed %s: %+v, want %+v", r.Name, r.FeedState, states[r.Name])
		}
	}
	if want := []string{"agency", "ministry", "wire"}; !slices.Equal(names, want) {
		t.Errorf("names = %v, want %v", names, want)
	}
}
