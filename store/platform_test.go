package store

import (
	"slices"
	"testing"

	"herald/news"
)

func TestPausePlatform(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	a := news.Destination{Platform: news.Slack, Chat: "C1"}
	thread := news.Destination{Platform: news.Slack, Chat: "C1", Thread: "1700000000.000100"}
	b := news.Destination{Platform: news.Slack, Chat: "#news"}
	already := news.Destination{Platform: news.Slack, Chat: "C9"}
	tg := news.Destination{Platform: news.Telegram, Chat: "42"}
	for _, s := range []news.Subscription{
		{Destination: a, Rule: "nato"}, {Destination: a, Rule: "grain"},
		{Destination: thread, Rule: "nato"}, {Destination: b, Rule: "nato"},
		{Destination: already, Rule: "nato", Paused: true}, {Destination: tg, Rule: "nato"},
	} {
		if _, err := db.Subscribe(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.PausePlatform(ctx, news.Slack)
	if err != nil {
		t.Fatal(err)
	}
	if want := []news.Destination{b, a, thread}; !slices.Equal(got, want) {
		t.Errorf("paused %v, want %v (not C9, paused already)", got, want)
	}
	for _, d := range []news.Destination{a, thread, b, already} {
		subs, _ := db.SubscriptionsOf(ctx, d)
		for _, s := range subs {
			if !s.Paused {
				t.Errorf("%s %s not paused", d, s.Rule)
			}
		}
	}
	if subs, _ := db.SubscriptionsOf(ctx, tg); len(subs) != 1 || subs[0].Paused {
		t.Errorf("telegram subscription %+v, want untouched", subs)
	}
	if again, err := db.PausePlatform(ctx, news.Slack); err != nil || len(again) != 0 {
		t.Errorf("second pause = %v, %v; want nothing", again, err)
	}
	if _, err := db.PausePlatform(ctx, news.Console); err == nil {
		t.Error("pausing the console was accepted")
	}
}
