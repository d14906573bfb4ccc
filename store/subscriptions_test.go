package store

import (
	"reflect"
	"testing"

	"herald/news"
)

func TestSubscriptions(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	sub := func(d news.Destination, rule string, paused bool) news.Subscription {
		return news.Subscription{Destination: d, Rule: rule, Paused: paused}
	}

	creates := []struct {
		name string
		sub  news.Subscription
		want bool
	}{
		{name: "new", sub: sub(tgChat, "nato", false), want: true},
		{name: "again", sub: sub(tgChat, "nato", false), want: false},
		{name: "again paused keeps state", sub: sub(tgChat, "nato", true), want: false},
		{name: "topic is another destination", sub: sub(tgTopic, "nato", false), want: true},
		{name: "second rule", sub: sub(tgChat, "europe", false), want: true},
		{name: "slack", sub: sub(slackNew, "nato", false), want: true},
		{name: "created paused", sub: sub(console, "europe", true), want: true},
	}
	for _, c := range creates {
		t.Run("subscribe "+c.name, func(t *testing.T) {
			got, err := db.Subscribe(ctx, c.sub)
			if err != nil || got != c.want {
				t.Errorf("Subscribe(%v) = %t, %v; want %t, nil", c.sub, got, err, c.want)
			}
		})
	}
	invalid := []news.Subscription{
		sub(news.Destination{Platform: "pigeon"}, "nato", false),
		sub(news.Destination{Platform: news.Telegram, Chat: "abc"}, "nato", false),
		sub(console, "", false),
	}
	for _, s := range invalid {
		if _, err := db.Subscribe(ctx, s); err == nil {
			t.Errorf("Subscribe(%v) succeeded, want an error", s)
		}
	}

	check := func(t *testing.T, name string, got []news.Subscription, err error, want []news.Subscription) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s =\n %v\nwant\n %v", name, got, want)
		}
	}
	got, err := db.SubscribersOf(ctx, "nato")
	check(t, "SubscribersOf(nato)", got, err, []news.Subscription{
		sub(slackNew, "nato", false), sub(tgChat, "nato", false), sub(tgTopic, "nato", false),
	})
	got, err = db.SubscriptionsOf(ctx, tgChat)
	check(t, "SubscriptionsOf(tgChat)", got, err, []news.Subscription{
		sub(tgChat, "europe", false), sub(tgChat, "nato", false),
	})

	pauses := []struct {
		name   string
		d      news.Destination
		paused bool
		want   int
	}{
		{name: "pause chat", d: tgChat, paused: true, want: 2},
		{name: "pause unknown", d: news.Destination{Platform: news.Slack, Chat: "#gone"}, paused: true, want: 0},
		{name: "resume console", d: console, paused: false, want: 1},
	}
	for _, p := range pauses {
		t.Run(p.name, func(t *testing.T) {
			n, err := db.SetPaused(ctx, p.d, p.paused)
			if err != nil || n != p.want {
				t.Errorf("SetPaused(%v, %t) = %d, %v; want %d, nil", p.d, p.paused, n, err, p.want)
			}
		})
	}
	got, err = db.SubscribersOf(ctx, "europe")
	check(t, "SubscribersOf(europe) after pausing", got, err, []news.Subscription{
		sub(console, "europe", false), sub(tgChat, "europe", true),
	})

	removes := []struct {
		name string
		d    news.Destination
		rule string
		want bool
	}{
		{name: "existing", d: tgChat, rule: "nato", want: true},
		{name: "again", d: tgChat, rule: "nato", want: false},
		{name: "never subscribed", d: console, rule: "nato", want: false},
	}
	for _, r := range removes {
		t.Run("unsubscribe "+r.name, func(t *testing.T) {
			got, err := db.Unsubscribe(ctx, r.d, r.rule)
			if err != nil || got != r.want {
				t.Errorf("Unsubscribe(%v, %q) = %t, %v; want %t, nil", r.d, r.rule, got, err, r.want)
			}
		})
	}
	got, err = db.SubscriptionsOf(ctx, tgChat)
	check(t, "SubscriptionsOf(tgChat) after unsubscribing", got, err, []news.Subscription{sub(tgChat, "europe", true)})
	got, err = db.SubscriptionsOf(ctx, news.Destination{Platform: news.Slack, Chat: "#gone"})
	check(t, "SubscriptionsOf(unknown)", got, err, nil)
	if s, err := db.Stats(ctx); err != nil || s.Subscriptions != 4 {
		t.Errorf("Stats = %+v, %v; want 4 subscriptions", s, err)
	}
}

func TestKV(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	steps := []struct {
		name      string
		set       bool
		key, val  string
		wantVal   string
		wantFound bool
	}{
		{name: "missing", key: "telegram.offset", wantFound: false},
		{name: "set", set: true, key: "telegram.offset", val: "100"},
		{name: "read", key: "telegram.offset", wantVal: "100", wantFound: true},
		{name: "overwrite", set: true, key: "telegram.offset", val: "101"},
		{name: "read overwritten", key: "telegram.offset", wantVal: "101", wantFound: true},
		{name: "empty value", set: true, key: "slack.cursor", val: ""},
		{name: "read empty value", key: "slack.cursor", wantVal: "", wantFound: true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.set {
				if err := db.Set(ctx, st.key, st.val); err != nil {
					t.Fatal(err)
				}
				return
			}
			v, found, err := db.Get(ctx, st.key)
			if err != nil || v != st.wantVal || found != st.wantFound {
				t.Errorf("Get(%q) = %q, %t, %v; want %q, %t, nil", st.key, v, found, err, st.wantVal, st.wantFound)
			}
		})
	}
}
