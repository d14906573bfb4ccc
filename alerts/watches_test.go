package alerts_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"herald/alerts"
	"herald/news"
	"herald/rules"
	"herald/store"
)

var (
	chatA = news.Destination{Platform: news.Telegram, Chat: "42"}
	chatB = news.Destination{Platform: news.Telegram, Chat: "-100", Thread: "5"}
)

// pendingBy returns the pending alerts by destination.
func pendingBy(t *testing.T, db *store.DB) map[string][]news.Alert {
	t.Helper()
	ps, err := db.Pending(t.Context(), now.Add(365*24*time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]news.Alert{}
	for _, a := range ps {
		out[a.Destination.String()] = append(out[a.Destination.String()], a)
	}
	return out
}

// A watch added through the watchlist is in force when AddWatch returns,
// without reloading anything: the next item alerts its chat with the
// watch's query. Removing it stops it as promptly.
func TestWatchLiveAddAndRemove(t *testing.T) {
	db, p := setup(t)
	l := alerts.NewWatchlist(p, db, []rules.Entity{{ID: "nuc", Name: "NATO-Ukraine Council"}}, nil)
	if err := l.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	w, err := l.AddWatch(t.Context(), news.Watch{Destination: chatA, Query: `"grain corridor" OR @nuc`, CreatedBy: "42", Created: now}, 25)
	if err != nil {
		t.Fatal(err)
	}
	if p.Watches().Len() != 1 {
		t.Fatalf("%d watches in force after AddWatch, want 1", p.Watches().Len())
	}
	feed := news.Feed{Name: "wire"}
	res, err := p.Ingest(t.Context(), feed, []news.Item{item("g1", "Grain corridor reopens", "<p>Ships used the grain corridor.</p>", now)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued != 1 {
		t.Fatalf("result %+v, want the watch's one alert", res)
	}
	got := pendingBy(t, db)[chatA.String()]
	if len(got) != 1 || got[0].Rule != news.WatchRule(w.ID) || got[0].Watch != w.Query || len(got[0].Hits) == 0 || got[0].Summary == "" {
		t.Fatalf("chat A's alerts = %+v", got)
	}
	if _, err := l.RemoveWatch(t.Context(), w.ID); err != nil {
		t.Fatal(err)
	}
	res, err = p.Ingest(t.Context(), feed, []news.Item{item("g2", "Grain corridor busy", "<p>More ships in the grain corridor.</p>", now)}, false)
	if err != nil || res.Queued != 0 {
		t.Errorf("after RemoveWatch: %+v, %v; want nothing queued", res, err)
	}
}

// One item that matches a topic and two watches of the same chat arrives
// there once, naming all three; another chat's watch gets its own alert.
func TestWatchAndTopicArriveOnce(t *testing.T) {
	db, p := setup(t)
	if _, err := db.Subscribe(t.Context(), news.Subscription{Destination: chatA, Rule: "nuc"}); err != nil {
		t.Fatal(err)
	}
	l := alerts.NewWatchlist(p, db, []rules.Entity{{ID: "nuc", Name: "NATO-Ukraine Council"}}, nil)
	for _, w := range []news.Watch{
		{Destination: chatA, Query: "council ministers"},
		{Destination: chatA, Query: `"air defence"`},
		{Destination: chatB, Query: "council"},
	} {
		if _, err := l.AddWatch(t.Context(), w, 0); err != nil {
			t.Fatal(err)
		}
	}
	_, err := p.Ingest(t.Context(), news.Feed{Name: "wire"}, []news.Item{item("n1", "NATO-Ukraine Council meets",
		"<p>Ministers of the NATO–Ukraine Council discussed air defence.</p>", now)}, false)
	if err != nil {
		t.Fatal(err)
	}
	by := pendingBy(t, db)
	a := by[chatA.String()]
	if len(a) != 1 {
		t.Fatalf("chat A got %d alerts, want 1: %+v", len(a), a)
	}
	want := []news.Source{{Rule: "nuc"}, {Rule: "watch:1", Watch: "council ministers"}, {Rule: "watch:2", Watch: `"air defence"`}}
	if got := a[0].Sources(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("chat A's alert names %+v, want %+v", got, want)
	}
	if b := by[chatB.String()]; len(b) != 1 || b[0].Watch != "council" || len(b[0].AlsoMatched) != 0 {
		t.Errorf("chat B's alerts = %+v", b)
	}
	if c := by["console"]; len(c) != 1 || c[0].Rule != "nuc" || len(c[0].AlsoMatched) != 0 {
		t.Errorf("the console's alerts = %+v", c)
	}
}

// A watch muted in its chat gives way: the topic's alert still comes, not
// naming the muted watch; muting the topic leaves the watch's alert.
func TestWatchMutedLeavesTheTopic(t *testing.T) {
	db, p := setup(t)
	if _, err := db.Subscribe(t.Context(), news.Subscription{Destination: chatA, Rule: "nuc"}); err != nil {
		t.Fatal(err)
	}
	l := alerts.NewWatchlist(p, db, nil, nil)
	w, err := l.AddWatch(t.Context(), news.Watch{Destination: chatA, Query: "ministers"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Mute(t.Context(), news.Mute{Destination: chatA, Rule: "nuc", Until: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Ingest(t.Context(), news.Feed{Name: "wire"}, []news.Item{item("m1", "NATO-Ukraine Council meets",
		"<p>Ministers met.</p>", now)}, false); err != nil {
		t.Fatal(err)
	}
	a := pendingBy(t, db)[chatA.String()]
	if len(a) != 1 || a[0].Rule != news.WatchRule(w.ID) || len(a[0].AlsoMatched) != 0 || !a[0].HoldUntil.IsZero() {
		t.Errorf("with the topic muted, chat A got %+v; want the watch's alert, now", a)
	}
}

// A paused chat's watch does not alert; the chat's pause and resume, and a
// change made by another process, reach the pipeline within a tick of Run.
func TestWatchPauseAndOtherProcess(t *testing.T) {
	db, p := setup(t)
	l := alerts.NewWatchlist(p, db, nil, nil)
	w, err := l.AddWatch(t.Context(), news.Watch{Destination: chatB, Query: "ministers"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go l.Run(ctx, 5*time.Millisecond)
	waitFor := func(what string, cond func(*alerts.WatchSet) bool) {
		t.Helper()
		for range 2000 {
			if cond(p.Watches()) {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("%s: not seen by the pipeline", what)
	}
	if _, err := db.SetChatPaused(t.Context(), news.Telegram, "-100", true); err != nil {
		t.Fatal(err)
	}
	waitFor("pause", func(ws *alerts.WatchSet) bool { return ws.Len() == 1 && ws.List()[0].Paused })
	res, err := p.Ingest(t.Context(), news.Feed{Name: "wire"}, []news.Item{item("p1", "Ministers meet", "<p>Ministers met.</p>", now)}, false)
	if err != nil || res.Queued != 0 {
		t.Errorf("paused: %+v, %v; want nothing queued", res, err)
	}
	if _, err := db.MoveChat(t.Context(), news.Telegram, "-100", "-1009"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetChatPaused(t.Context(), news.Telegram, "-1009", false); err != nil {
		t.Fatal(err)
	}
	moved := news.Destination{Platform: news.Telegram, Chat: "-1009", Thread: "5"}
	waitFor("move and resume", func(ws *alerts.WatchSet) bool {
		return ws.Len() == 1 && !ws.List()[0].Paused && ws.List()[0].Destination == moved
	})
	res, err = p.Ingest(t.Context(), news.Feed{Name: "wire"}, []news.Item{item("p2", "Ministers meet again", "<p>Ministers met again.</p>", now)}, false)
	if err != nil || res.Queued != 1 {
		t.Errorf("resumed: %+v, %v; want one alert", res, err)
	}
	if got := pendingBy(t, db)[moved.String()]; len(got) != 1 {
		t.Errorf("the moved chat got %+v", got)
	}
	// herald watches rm, from another process: the store alone changes.
	if _, err := db.RemoveWatch(t.Context(), w.ID); err != nil {
		t.Fatal(err)
	}
	waitFor("removal", func(ws *alerts.WatchSet) bool { return ws.Len() == 0 })
}

// A watch naming an entity the config no longer has is left out, and the
// others keep working.
func TestCompileWatchesDropsBrokenOnes(t *testing.T) {
	ws := []news.Watch{{ID: 1, Query: "@gone"}, {ID: 2, Query: "grain"}, {ID: 3, Query: "@nuc"}}
	set, dropped := alerts.CompileWatches(ws, []rules.Entity{{ID: "nuc", Name: "NATO-Ukraine Council"}})
	if set.Len() != 2 || set.Watch(0).ID != 2 || set.Watch(1).ID != 3 {
		t.Errorf("compiled %+v", set.List())
	}
	if len(dropped) != 1 || dropped[1] == nil {
		t.Errorf("dropped = %v, want watch 1", dropped)
	}
}

// The store enforces the per-chat limit across a chat's threads, and a
// destination's duplicate query.
func TestAddWatchLimits(t *testing.T) {
	db, _ := setup(t)
	ctx := t.Context()
	thread := news.Destination{Platform: news.Telegram, Chat: "-100", Thread: "7"}
	if _, err := db.AddWatch(ctx, news.Watch{Destination: chatB, Query: "a"}, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddWatch(ctx, news.Watch{Destination: chatB, Query: "a"}, 2); !errors.Is(err, news.ErrWatchExists) {
		t.Errorf("a duplicate: %v, want ErrWatchExists", err)
	}
	if _, err := db.AddWatch(ctx, news.Watch{Destination: thread, Query: "a"}, 2); err != nil {
		t.Errorf("the same query in another thread: %v", err)
	}
	if _, err := db.AddWatch(ctx, news.Watch{Destination: thread, Query: "b"}, 2); !errors.Is(err, news.ErrWatchLimit) {
		t.Errorf("a third watch in the chat: %v, want ErrWatchLimit", err)
	}
	if _, err := db.AddWatch(ctx, news.Watch{Destination: chatA, Query: "b"}, 2); err != nil {
		t.Errorf("another chat: %v", err)
	}
	if _, err := db.RemoveWatch(ctx, 99); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removing a missing watch: %v", err)
	}
}

// watches.enabled: false keeps the watches out of the pipeline, and true
// brings them back, without losing them.
func TestWatchesDisabled(t *testing.T) {
	db, p := setup(t)
	l := alerts.NewWatchlist(p, db, nil, nil)
	if _, err := l.AddWatch(t.Context(), news.Watch{Destination: chatA, Query: "ministers"}, 0); err != nil {
		t.Fatal(err)
	}
	l.SetEnabled(false)
	if err := l.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	if p.Watches().Len() != 0 {
		t.Errorf("disabled: %d watches in force", p.Watches().Len())
	}
	l.SetEnabled(true)
	if err := l.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	if p.Watches().Len() != 1 {
		t.Errorf("enabled again: %d watches in force, want 1", p.Watches().Len())
	}
}

// Watches added after the last full compile live in a delta; removing one
// from the base masks it; once the delta is past DeltaMax, Run folds it
// into a new base, keeping what was added meanwhile.
func TestWatchDeltaAndFold(t *testing.T) {
	db, p := setup(t)
	ctx := t.Context()
	for _, q := range []string{"alpha", "bravo"} {
		if _, err := db.AddWatch(ctx, news.Watch{Destination: chatA, Query: q}, 0); err != nil {
			t.Fatal(err)
		}
	}
	l := alerts.NewWatchlist(p, db, nil, nil)
	if err := l.Load(ctx); err != nil {
		t.Fatal(err)
	}
	charlie, err := l.AddWatch(ctx, news.Watch{Destination: chatB, Query: "charlie"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.RemoveWatch(ctx, 1); err != nil { // alpha, in the base
		t.Fatal(err)
	}
	decide := func(text string) []string {
		var names []string
		ws := p.Watches()
		for _, i := range ws.Matching(rules.Doc{Title: text}, nil) {
			names = append(names, ws.Watch(i).Query)
		}
		return names
	}
	if got := fmt.Sprint(decide("alpha bravo charlie")); got != "[bravo charlie]" {
		t.Errorf("base and delta matched %s, want [bravo charlie]", got)
	}
	if _, err := l.RemoveWatch(ctx, charlie.ID); err != nil { // in the delta
		t.Fatal(err)
	}
	if got := fmt.Sprint(decide("alpha bravo charlie")); got != "[bravo]" || p.Watches().Len() != 1 {
		t.Errorf("after removing the delta's watch: %s, %d in force", got, p.Watches().Len())
	}
	for i := range alerts.DeltaMax {
		if _, err := l.AddWatch(ctx, news.Watch{Destination: chatA, Query: fmt.Sprintf(`"w%d"`, i)}, 0); err != nil {
			t.Fatal(err)
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go l.Run(runCtx, time.Millisecond)
	// Adds while the fold may be running.
	for i := range 20 {
		if _, err := l.AddWatch(ctx, news.Watch{Destination: chatA, Query: fmt.Sprintf(`"late%d"`, i)}, 0); err != nil {
			t.Fatal(err)
		}
	}
	want := 1 + alerts.DeltaMax + 20
	for range 4000 {
		if ws := p.Watches(); ws.Len() == want && len(decide("late19 w0 bravo")) == 3 {
			cancel()
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("after the fold: %d watches in force, want %d; late19 w0 bravo matched %v", p.Watches().Len(), want, decide("late19 w0 bravo"))
}

// Watches written alike in several chats are decided and explained once
// (see WatchSet.MatchingDistinct): every chat gets its alert, with the
// hits; a chat's watches are named in the order they were saved, whatever
// order their classes come in; removing the first watch of a class leaves
// the others working.
func TestWatchesWrittenAlike(t *testing.T) {
	db, p := setup(t)
	chatC := news.Destination{Platform: news.Telegram, Chat: "77"}
	l := alerts.NewWatchlist(p, db, nil, nil)
	var ids []int64
	for _, w := range []news.Watch{
		{Destination: chatB, Query: "ministers"},
		{Destination: chatA, Query: "council"},
		{Destination: chatA, Query: "ministers"},
		{Destination: chatC, Query: "ministers"},
	} {
		saved, err := l.AddWatch(t.Context(), w, 0)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, saved.ID)
	}
	feed := news.Feed{Name: "wire"}
	if _, err := p.Ingest(t.Context(), feed, []news.Item{item("a1", "Council of ministers meets", "<p>The ministers met in the council.</p>", now)}, false); err != nil {
		t.Fatal(err)
	}
	by := pendingBy(t, db)
	a := by[chatA.String()]
	want := []news.Source{{Rule: news.WatchRule(ids[1]), Watch: "council"}, {Rule: news.WatchRule(ids[2]), Watch: "ministers"}}
	if len(a) != 1 || fmt.Sprint(a[0].Sources()) != fmt.Sprint(want) || len(a[0].Hits) == 0 {
		t.Fatalf("chat A's alerts = %+v, want one naming %+v, with hits", a, want)
	}
	for _, d := range []news.Destination{chatB, chatC} {
		if got := by[d.String()]; len(got) != 1 || got[0].Watch != "ministers" || len(got[0].Hits) == 0 || got[0].Hits[0].Term != "ministers" {
			t.Errorf("%s's alerts = %+v, want the watch's, with its hits", d, got)
		}
	}
	if _, err := l.RemoveWatch(t.Context(), ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Ingest(t.Context(), feed, []news.Item{item("a2", "Ministers resign", "<p>Two ministers resigned.</p>", now)}, false); err != nil {
		t.Fatal(err)
	}
	by = pendingBy(t, db)
	if got := by[chatB.String()]; len(got) != 1 {
		t.Errorf("chat B, whose watch was removed, has %d alerts, want the first one only", len(got))
	}
	for _, d := range []news.Destination{chatA, chatC} {
		if got := by[d.String()]; len(got) != 2 || got[1].Rule != news.WatchRule(map[string]int64{chatA.String(): ids[2], chatC.String(): ids[3]}[d.String()]) {
			t.Errorf("%s's alerts after the first watch of the class went = %+v, want a second one from its own watch", d, got)
		}
	}
}
