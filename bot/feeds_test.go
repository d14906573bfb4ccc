package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"herald/news"
)

func TestFeedsCommand(t *testing.T) {
	db := openStore(t)
	ctx := t.Context()
	cat := Catalog{Feeds: []string{"wire", "ministry", "archive", "busy", "old", "fresh"}}
	r := NewRouter(db, func() Catalog { return cat }, func() time.Time { return routerNow }, nil)
	states := map[string]news.FeedState{
		"wire": {URL: "https://moved.example/rss", ConfigURL: "https://user:secret@wire.example/rss", LastPoll: routerNow.Add(-time.Minute),
			LastOK: routerNow.Add(-time.Minute), Interval: 12 * time.Minute, NextPoll: routerNow.Add(11 * time.Minute)},
		"ministry": {URL: "https://ministry.example/rss", LastPoll: routerNow.Add(-time.Hour), LastError: "HTTP 500 Internal Server Error: the server failed",
			Failures: 3, FailingSince: routerNow.Add(-2 * time.Hour), NextPoll: routerNow.Add(4 * time.Minute)},
		"archive": {URL: "/srv/archive.xml", LastPoll: routerNow.Add(-time.Hour), LastError: "parse: unexpected EOF", Failures: 30,
			FailingSince: routerNow.Add(-30 * time.Hour)},
		"busy": {URL: "https://busy.example/rss", LastPoll: routerNow.Add(-time.Minute), LastError: "HTTP 429 Too Many Requests (retry after 1h0m0s)", Failures: 2},
		"old":  {URL: "https://old.example/rss", LastPoll: routerNow.Add(-time.Hour), LastError: "HTTP 410 Gone", Disabled: "the server answered 410 Gone on 2026-11-19"},
	}
	for name, st := range states {
		if err := db.SaveFeedState(ctx, name, st); err != nil {
			t.Fatal(err)
		}
	}
	dest := news.Destination{Platform: news.Telegram, Chat: "-100"}

	got := ask(t, r, Request{Dest: dest, Command: "feeds"})
	for _, want := range []string{
		"Feeds: 6 — 1 ok, 1 failing, 1 throttled, 1 dead, 1 disabled, 1 new",
		"archive — dead since yesterday 06:00 UTC (30h00m ago): parse: unexpected EOF",
		"old — disabled: the server answered 410 Gone",
		"ministry — failing since today 10:00 UTC (2h00m ago): HTTP 500",
		"busy — throttled: HTTP 429",
		"fresh — not polled yet",
		"wire — ok, every 12m; next poll today 12:11 UTC (in 11m)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/feeds lacks %q:\n%s", want, got)
		}
	}
	// The feeds that need a look come first.
	if strings.Index(got, "archive —") > strings.Index(got, "old —") || strings.Index(got, "fresh —") > strings.Index(got, "wire —") {
		t.Errorf("/feeds is not ordered worst first:\n%s", got)
	}

	got = ask(t, r, Request{Dest: dest, Command: "feeds", Args: []string{"failing"}})
	if strings.Contains(got, "wire —") || strings.Contains(got, "fresh —") || !strings.Contains(got, "ministry —") {
		t.Errorf("/feeds failing:\n%s", got)
	}

	got = ask(t, r, Request{Dest: dest, Command: "feeds", Args: []string{"WIRE"}})
	for _, want := range []string{"Feed wire — ok", "polled at https://moved.example/rss, moved from https://user:xxxxx@wire.example/rss", "interval: 12m"} {
		if !strings.Contains(got, want) {
			t.Errorf("/feeds wire lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "secret") {
		t.Errorf("/feeds shows a password:\n%s", got)
	}
	if got := ask(t, r, Request{Dest: dest, Command: "feeds", Args: []string{"archive"}}); strings.Contains(got, "/srv/") {
		t.Errorf("/feeds shows a file path of the host:\n%s", got)
	}
	if got := ask(t, r, Request{Dest: dest, Command: "feeds", Args: []string{"nope"}}); !strings.Contains(got, "No feed nope") {
		t.Errorf("/feeds nope:\n%s", got)
	}

	// /status names the dead and the disabled feeds too.
	got = ask(t, r, Request{Dest: dest, Command: "status"})
	for _, want := range []string{"archive — dead: failing since yesterday 06:00 UTC (30h00m ago)", "old — disabled: the server answered 410 Gone"} {
		if !strings.Contains(got, want) {
			t.Errorf("/status lacks %q:\n%s", want, got)
		}
	}
}

func TestFeedsCommandLong(t *testing.T) {
	db := openStore(t)
	var cat Catalog
	for i := range 120 {
		cat.Feeds = append(cat.Feeds, fmt.Sprintf("f%03d", i))
	}
	r := NewRouter(db, func() Catalog { return cat }, func() time.Time { return routerNow }, nil)
	got := ask(t, r, Request{Command: "feeds"})
	if !strings.Contains(got, "…and 70 more") || !strings.Contains(got, "Feeds: 120 — 0 ok, 120 new") {
		t.Errorf("/feeds of 120 feeds:\n%s", got)
	}
	if got := ask(t, r, Request{Command: "feeds", Args: []string{"failing"}}); !strings.Contains(got, "None is failing.") {
		t.Errorf("/feeds failing with none failing:\n%s", got)
	}
	if got := ask(t, r, Request{Command: "feeds"}); strings.Contains(got, "None") {
		t.Errorf("/feeds says none failing while listing:\n%s", got)
	}
}

// fakeAdder records /feeds add calls; the real one (cli) writes the config.
type fakeAdder struct {
	calls [][2]string
	err   error
}

func (f *fakeAdder) AddFeed(_ context.Context, url, name string) (AddedFeed, error) {
	f.calls = append(f.calls, [2]string{url, name})
	if f.err != nil {
		return AddedFeed{}, f.err
	}
	return AddedFeed{Name: cmpOr(name, "harbour-news"), URL: "https://harbour.example/feed.xml", Title: "Harbour News", Items: 12}, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestFeedsAdd(t *testing.T) {
	db := openStore(t)
	cat := testCatalog()
	group := news.Destination{Platform: news.Telegram, Chat: "-100"}
	req := func(operator bool, args ...string) Request {
		return Request{Dest: group, Command: "feeds", Args: append([]string{"add"}, args...), Operator: operator}
	}

	// Without an adder, the reply says how to add one.
	plain := NewRouter(db, func() Catalog { return cat }, func() time.Time { return routerNow }, nil)
	if got := ask(t, plain, req(true, "https://harbour.example/")); !strings.Contains(got, "herald feeds add URL") {
		t.Errorf("without an adder: %q", got)
	}

	adder := &fakeAdder{}
	r := NewRouter(db, func() Catalog { return cat }, func() time.Time { return routerNow }, nil, WithFeedAdder(adder))
	for _, tc := range []struct {
		name string
		req  Request
		want string
	}{
		{"not an operator", req(false, "https://harbour.example/"), "Only herald's operators can add feeds (the user ids in telegram.admins"},
		{"no URL", req(true), "/feeds add <url> [name]"},
		{"too many words", req(true, "https://harbour.example/", "a", "b"), "/feeds add <url> [name]"},
		{"not http", req(true, "ftp://harbour.example/x"), "“ftp://harbour.example/x” is not an http(s) address."},
		{"a word", req(true, "harbour"), "is not an http(s) address"},
	} {
		if got := ask(t, r, tc.req); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want it to contain %q", tc.name, got, tc.want)
		}
	}
	if len(adder.calls) != 0 {
		t.Fatalf("the adder was called for refused requests: %v", adder.calls)
	}

	// Slack wraps links: <https://…> and <https://…|label>.
	got := ask(t, r, req(true, "<https://harbour.example/|harbour.example>", "harbour"))
	if len(adder.calls) != 1 || adder.calls[0] != [2]string{"https://harbour.example/", "harbour"} {
		t.Fatalf("calls %v", adder.calls)
	}
	for _, want := range []string{"Added the feed harbour — Harbour News (12 items now)", "/feeds harbour", "The page named its feed: https://harbour.example/feed.xml"} {
		if !strings.Contains(got, want) {
			t.Errorf("reply %q lacks %q", got, want)
		}
	}

	// The adder's error reaches the user, and the caller's log.
	adder.err = errors.New(`https://harbour.example/ is already the feed "harbour"`)
	m, err := r.Handle(t.Context(), req(true, "https://harbour.example/"))
	if err == nil || !strings.Contains(m.Text(), `Could not add https://harbour.example/: https://harbour.example/ is already the feed "harbour"`) {
		t.Errorf("reply %q, err %v; want the adder's reason and an error to log", m.Text(), err)
	}
}
