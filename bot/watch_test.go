package bot

import (
	"strings"
	"testing"
	"time"

	"herald/alerts"
	"herald/news"
)

// The chat commands that name topics take a watch by its number too, and
// the limits come from the catalog, so a reload changes them at once.
func TestWatchCommands(t *testing.T) {
	db := openStore(t)
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	p := alerts.New(db, &alerts.Topics{}, func() time.Time { return at }, nil)
	wl := alerts.NewWatchlist(p, db, nil, nil)
	cat := testCatalog()
	cat.Watches = WatchLimits{Enabled: true, PerChat: 3, MaxQuery: 20}
	r := NewRouter(db, func() Catalog { return cat }, func() time.Time { return at }, nil, WithWatches(wl))
	dest := news.Destination{Platform: news.Telegram, Chat: "42"}
	cmd := func(name string, args ...string) string {
		return ask(t, r, Request{Dest: dest, Private: true, Command: name, Args: args, Prefix: "/"})
	}
	steps := []struct {
		cmd  []string
		want string
	}{
		{[]string{"watch"}, "Save a query of your own"},
		{[]string{"watch", "a", "very", "long", "query", "indeed"}, "That query is 24 characters long; a watch may have at most 20"},
		{[]string{"watch", `"black`, `sea"`, "grain"}, `Watching "black sea" AND grain: new articles that match it are posted here.`},
		{[]string{"watch", `"black`, `sea"`, "grain"}, "This chat watches that query already"},
		{[]string{"latest", "#1"}, "No alerts on watch 1 here yet."},
		{[]string{"latest", "watch", "7"}, "This chat has no watch 7"},
		{[]string{"mute", "watch", "1", "2h"}, "Muted watch 1 here until today 11:00 UTC (in 2h00m). Its alerts are dropped until then."},
		{[]string{"subscriptions"}, "watch 1 — your watch: \"black sea\" grain"},
		{[]string{"subscriptions"}, "watch 1 muted until today 11:00 UTC (in 2h00m), alerts dropped"},
		{[]string{"unmute", "#1"}, "Unmuted watch 1"},
		{[]string{"watches"}, "1. \"black sea\" grain — no alerts in the last 7 days"},
		{[]string{"unwatch", "3"}, "This chat has no watch “3”"},
		{[]string{"unwatch", `"black`, `sea"`, "grain"}, "Removed watch 1"},
		{[]string{"watches"}, "This chat has no watches."},
	}
	for _, s := range steps {
		if got := cmd(s.cmd[0], s.cmd[1:]...); !strings.Contains(got, s.want) {
			t.Errorf("/%s: got\n%s\nwant it to contain %q", strings.Join(s.cmd, " "), got, s.want)
		}
	}
	if p.Watches().Len() != 0 {
		t.Errorf("%d watches in force after /unwatch", p.Watches().Len())
	}
	cat.Watches.Enabled = false
	if got := cmd("watch", "grain"); !strings.Contains(got, "Personal watches are turned off") {
		t.Errorf("disabled: %s", got)
	}
	r = NewRouter(db, func() Catalog { return cat }, nil, nil)
	if got := cmd("watch", "grain"); !strings.Contains(got, "not available") {
		t.Errorf("without a watchlist: %s", got)
	}
}

// An alert's source line names every topic and watch it was posted for.
func TestAlertSources(t *testing.T) {
	a := news.Alert{Rule: "grain", Feed: "wire", Title: "Convoy sails",
		AlsoMatched: []news.Source{{Rule: "watch:3", Watch: `"grain corridor"`}, {Rule: "ports"}}}
	if got, want := AlertMessage(a, nil, time.Time{}).Text(), `wire · topic: grain · your watch: "grain corridor" · topic: ports`; !strings.Contains(got, want) {
		t.Errorf("alert:\n%s\nwant %q", got, want)
	}
	a = news.Alert{Rule: "watch:3", Watch: "convoy", Feed: "wire", Title: "Convoy sails"}
	if got, want := DigestLine(a), " — wire · your watch: convoy"; got[1].Text != want {
		t.Errorf("digest line %q, want %q", got[1].Text, want)
	}
}
