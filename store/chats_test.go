package store

import (
	"testing"
	"time"

	"herald/news"
)

func TestChatPausedAndMoved(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	old := news.Destination{Platform: news.Telegram, Chat: "-4001"}
	oldTopic := news.Destination{Platform: news.Telegram, Chat: "-4001", Thread: "7"}
	prefixTwin := news.Destination{Platform: news.Telegram, Chat: "-40012"} // shares the digits, not the chat
	moved := news.Destination{Platform: news.Telegram, Chat: "-1004001"}
	movedTopic := news.Destination{Platform: news.Telegram, Chat: "-1004001", Thread: "7"}
	for _, s := range []news.Subscription{
		{Destination: old, Rule: "nato"},
		{Destination: old, Rule: "grain"},
		{Destination: oldTopic, Rule: "nato"},
		{Destination: prefixTwin, Rule: "nato"},
		{Destination: moved, Rule: "grain", Paused: true}, // the new chat follows grain already
	} {
		if _, err := db.Subscribe(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	paused := func(d news.Destination) map[string]bool {
		t.Helper()
		subs, err := db.SubscriptionsOf(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, s := range subs {
			out[s.Rule] = s.Paused
		}
		return out
	}

	steps := []struct {
		name   string
		paused bool
		want   int
	}{
		{"pause", true, 3},
		{"pause again changes nothing", true, 0},
		{"resume", false, 3},
		{"resume again changes nothing", false, 0},
		{"pause before moving", true, 3},
	}
	for _, st := range steps {
		n, err := db.SetChatPaused(ctx, news.Telegram, "-4001", st.paused)
		if err != nil || n != st.want {
			t.Errorf("%s: SetChatPaused = %d, %v; want %d", st.name, n, err, st.want)
		}
	}
	if got := paused(prefixTwin); got["nato"] {
		t.Errorf("chat -40012 was paused along with -4001")
	}

	n, err := db.MoveChat(ctx, news.Telegram, "-4001", "-1004001")
	if err != nil || n != 3 {
		t.Fatalf("MoveChat = %d, %v; want 3", n, err)
	}
	if got := paused(old); len(got) != 0 {
		t.Errorf("old chat still has subscriptions %v", got)
	}
	if got := paused(oldTopic); len(got) != 0 {
		t.Errorf("old topic still has subscriptions %v", got)
	}
	if got, want := paused(moved), map[string]bool{"nato": true, "grain": true}; len(got) != 2 || got["nato"] != want["nato"] || got["grain"] != want["grain"] {
		t.Errorf("moved chat subscriptions = %v, want %v", got, want)
	}
	if got := paused(movedTopic); len(got) != 1 || !got["nato"] {
		t.Errorf("moved topic subscriptions = %v, want nato paused", got)
	}
	if n, err := db.MoveChat(ctx, news.Telegram, "-1004001", "-1004001"); err != nil || n != 0 {
		t.Errorf("MoveChat onto itself = %d, %v; want 0, nil", n, err)
	}
	if _, err := db.MoveChat(ctx, news.Telegram, "-1004001", "not-a-chat"); err == nil {
		t.Error("MoveChat to an invalid chat id: no error")
	}
	if _, err := db.SetChatPaused(ctx, news.Telegram, "", true); err == nil {
		t.Error("SetChatPaused of an empty chat: no error")
	}
}

func TestFeedStatesAndPendingCount(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	at := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)
	if err := db.SaveFeedState(ctx, "wire", news.FeedState{LastError: "HTTP 503", Failures: 2, NextPoll: at}); err != nil {
		t.Fatal(err)
	}
	states, err := db.FeedStates(ctx)
	if err != nil || len(states) != 1 || states["wire"].Failures != 2 || !states["wire"].NextPoll.Equal(at) {
		t.Errorf("FeedStates = %+v, %v", states, err)
	}
	it := testItem("wire", "a1")
	if _, _, err := db.AddItem(ctx, it, at, []news.Match{testMatch("nato")},
		[]news.Alert{testAlert(it, "nato", console), testAlert(it, "nato", tgChat)}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.PendingCount(ctx); err != nil || n != 2 {
		t.Errorf("PendingCount = %d, %v; want 2", n, err)
	}
}
