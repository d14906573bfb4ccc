package store

import (
	"testing"
	"time"

	"herald/news"
)

// Watches pause with their chat's subscriptions, also when a platform
// refuses the bot's credentials, resume with them, and count their matches.
func TestWatchesPauseAndCount(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	only := news.Destination{Platform: news.Slack, Chat: "C1"}
	w, err := db.AddWatch(ctx, news.Watch{Destination: only, Query: "grain", CreatedBy: "U1", Created: at}, 0)
	if err != nil {
		t.Fatal(err)
	}
	rev0, err := db.WatchRev(ctx)
	if err != nil {
		t.Fatal(err)
	}
	paused, err := db.PausePlatform(ctx, news.Slack)
	if err != nil {
		t.Fatal(err)
	}
	if len(paused) != 1 || paused[0] != only {
		t.Errorf("PausePlatform paused %v, want the watch's channel", paused)
	}
	ws, err := db.Watches(ctx)
	if err != nil || len(ws) != 1 || !ws[0].Paused || ws[0].CreatedBy != "U1" || !ws[0].Created.Equal(at) {
		t.Fatalf("after PausePlatform: %+v, %v", ws, err)
	}
	if rev, _ := db.WatchRev(ctx); rev <= rev0 {
		t.Errorf("the revision did not move when the watch paused: %d then %d", rev0, rev)
	}
	if _, err := db.SetPaused(ctx, only, false); err != nil {
		t.Fatal(err)
	}
	if ws, _ := db.Watches(ctx); ws[0].Paused {
		t.Error("SetPaused did not resume the watch")
	}

	item := news.Item{Feed: "wire", ID: "a1", Title: "Grain"}
	if _, _, err := db.AddItem(ctx, item, at, []news.Match{{Rule: news.WatchRule(w.ID)}}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := db.WatchesOf(ctx, only, at.Add(-time.Hour))
	if err != nil || len(got) != 1 || got[0].Alerts != 1 || !got[0].LastAlert.Equal(at) {
		t.Errorf("WatchesOf = %+v, %v; want one alert at %s", got, err, at)
	}
	if got, _ := db.WatchesOf(ctx, only, at.Add(time.Hour)); got[0].Alerts != 0 {
		t.Errorf("an alert before since was counted: %+v", got)
	}
	all, err := db.WatchesCounted(ctx, time.Time{})
	if err != nil || len(all) != 1 || all[0].Alerts != 1 {
		t.Errorf("WatchesCounted = %+v, %v", all, err)
	}
	if n, err := db.ItemsSince(ctx, at.Add(-time.Hour)); err != nil || n != 1 {
		t.Errorf("ItemsSince = %d, %v", n, err)
	}
}
