package bot

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald/news"
	"herald/store"
)

var routerNow = time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)

func testCatalog() Catalog {
	return Catalog{
		Topics: []Topic{
			{Name: "nato-ukraine", Description: "NATO's dealings with Ukraine"},
			{Name: "black-sea-grain", Description: "Grain shipping on the Black Sea", Notify: []news.Destination{{Platform: news.Telegram, Chat: "-100"}}},
			{Name: "elections"},
		},
		Feeds: []string{"wire", "ministry", "new-feed"},
	}
}

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// ask runs one command and returns the reply as plain text.
func ask(t *testing.T, r *Router, req Request) string {
	t.Helper()
	m, err := r.Handle(t.Context(), req)
	if err != nil {
		t.Fatalf("Handle(%s %v): %v", req.Command, req.Args, err)
	}
	return m.Text()
}

func TestRouter(t *testing.T) {
	db := openStore(t)
	ctx := t.Context()
	cat := testCatalog()
	r := NewRouter(db, func() Catalog { return cat }, func() time.Time { return routerNow }, nil)

	// State: feed health, two items alerted, a subscription of the group.
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SaveFeedState(ctx, "wire", news.FeedState{LastPoll: routerNow.Add(-time.Minute), LastOK: routerNow.Add(-time.Minute), NextPoll: routerNow.Add(4 * time.Minute)}))
	must(db.SaveFeedState(ctx, "ministry", news.FeedState{LastPoll: routerNow.Add(-time.Minute), LastError: "HTTP 503 Service Unavailable", Failures: 3, NextPoll: routerNow.Add(-time.Second)}))
	group := news.Destination{Platform: news.Telegram, Chat: "-100"}
	topic := news.Destination{Platform: news.Telegram, Chat: "-100", Thread: "5"}
	private := news.Destination{Platform: news.Telegram, Chat: "42"}
	for i, title := range []string{"Ministers meet in Brussels", "Grain ships leave Odesa"} {
		it := news.Item{Feed: "wire", ID: title, Title: title, Link: "https://wire.example/" + string(rune('a'+i)), Published: routerNow.Add(-time.Duration(2-i) * time.Hour)}
		rule := []string{"nato-ukraine", "black-sea-grain"}[i]
		a := news.Alert{Destination: group, Rule: rule, Feed: "wire", Title: title, Link: it.Link, Published: it.Published}
		_, _, err := db.AddItem(ctx, it, routerNow, []news.Match{{Rule: rule}}, []news.Alert{a})
		must(err)
	}
	// /latest lists what was sent: the two alerts went out.
	sent, err := db.Pending(ctx, routerNow, 10)
	must(err)
	for _, a := range sent {
		must(db.MarkSent(ctx, a.ID, routerNow))
	}

	yes := func(context.Context) (bool, error) { return true, nil }
	no := func(context.Context) (bool, error) { return false, nil }
	broken := func(context.Context) (bool, error) { return false, errors.New("getChatMember: timeout") }

	steps := []struct {
		name    string
		req     Request
		want    []string // each in the reply, in order
		notWant []string
	}{
		{name: "start", req: Request{Dest: private, Private: true, Command: "start"},
			want:    []string{"herald watches news feeds", "/topics — the topics", "/subscribe <topic> — post alerts", "/latest [topic] [n]", "/status"},
			notWant: []string{"administrators"}},
		{name: "help in a group", req: Request{Dest: group, Command: "help"}, want: []string{"only its administrators can subscribe"}},
		{name: "help in a forum topic", req: Request{Dest: topic, Command: "help"}, want: []string{"belong to this forum topic", "only its administrators can subscribe", "this chat is telegram:-100/5"}},
		{name: "help on slack", req: Request{Dest: private, Private: true, Command: "help", Prefix: "/herald "}, want: []string{"/herald subscribe <topic>"}},
		{name: "topics", req: Request{Dest: group, Command: "topics"},
			want: []string{"Topics (3)", "• nato-ukraine — NATO's dealings with Ukraine", "• black-sea-grain — Grain shipping on the Black Sea ✓ posted here by the config", "• elections", "/subscribe <topic>"}},
		{name: "subscribe without a topic", req: Request{Dest: group, Command: "subscribe", IsAdmin: yes}, want: []string{"Which topic?", "• nato-ukraine"}},
		{name: "subscribe to a typo", req: Request{Dest: group, Command: "subscribe", Args: []string{"nato-ukrane"}, IsAdmin: yes},
			want: []string{"No topic “nato-ukrane”; did you mean nato-ukraine?", "The topics are:", "• nato-ukraine", "• black-sea-grain", "• elections"}},
		{name: "subscribe to nothing close", req: Request{Dest: group, Command: "subscribe", Args: []string{"football"}, IsAdmin: yes},
			want: []string{"No topic “football”.", "The topics are:"}, notWant: []string{"did you mean"}},
		{name: "subscribe by a member", req: Request{Dest: group, Command: "subscribe", Args: []string{"nato-ukraine"}, IsAdmin: no},
			want: []string{"only this chat's administrators"}},
		{name: "subscribe by an admin", req: Request{Dest: group, Command: "subscribe", Args: []string{"NATO-Ukraine"}, IsAdmin: yes},
			want: []string{"Subscribed: alerts on nato-ukraine will be posted here.", "/unsubscribe nato-ukraine"}},
		{name: "subscribe again", req: Request{Dest: group, Command: "subscribe", Args: []string{"nato-ukraine"}, IsAdmin: yes},
			want: []string{"follows nato-ukraine already"}},
		{name: "subscribe in words", req: Request{Dest: topic, Command: "subscribe", Args: []string{"black", "sea", "grain"}, IsAdmin: yes},
			want: []string{"alerts on black-sea-grain will be posted in this topic"}},
		{name: "topics shows the subscription", req: Request{Dest: group, Command: "topics"}, want: []string{"• nato-ukraine — NATO's dealings with Ukraine ✓ subscribed"}},
		{name: "subscriptions", req: Request{Dest: group, Command: "subscriptions"},
			want: []string{"This chat follows", "• nato-ukraine — NATO's dealings with Ukraine", "• black-sea-grain — Grain shipping on the Black Sea (posted here by the config)"}},
		{name: "subscriptions of a forum topic", req: Request{Dest: topic, Command: "subscriptions"}, want: []string{"• black-sea-grain — Grain"}, notWant: []string{"nato-ukraine"}},
		{name: "no subscriptions", req: Request{Dest: private, Private: true, Command: "subscriptions"}, want: []string{"This chat follows no topic yet. /topics lists them."}},
		{name: "unsubscribe by a member", req: Request{Dest: group, Command: "unsubscribe", Args: []string{"nato-ukraine"}, IsAdmin: no}, want: []string{"only this chat's administrators"}},
		{name: "unsubscribe from the config", req: Request{Dest: group, Command: "unsubscribe", Args: []string{"black-sea-grain"}, IsAdmin: yes}, want: []string{"from herald's config, not from a subscription"}},
		{name: "unsubscribe not followed", req: Request{Dest: group, Command: "unsubscribe", Args: []string{"elections"}, IsAdmin: yes}, want: []string{"This chat does not follow elections."}},
		{name: "unsubscribe unknown", req: Request{Dest: group, Command: "unsubscribe", Args: []string{"electons"}, IsAdmin: yes}, want: []string{"did you mean elections?"}},
		{name: "unsubscribe", req: Request{Dest: group, Command: "unsubscribe", Args: []string{"nato-ukraine"}, IsAdmin: yes}, want: []string{"Unsubscribed: no more alerts on nato-ukraine here."}},
		{name: "admin check fails", req: Request{Dest: group, Command: "subscribe", Args: []string{"elections"}, IsAdmin: broken}, want: []string{"could not check whether you administer this chat"}},
		{name: "latest", req: Request{Dest: group, Command: "latest"},
			want: []string{"Latest alerts here", "• Grain ships leave Odesa — wire · today 11:00 UTC · black-sea-grain", "• Ministers meet in Brussels — wire · today 10:00 UTC · nato-ukraine"}},
		{name: "latest of a topic, n", req: Request{Dest: group, Command: "latest", Args: []string{"1", "black-sea-grain"}},
			want: []string{"Latest alerts on black-sea-grain here", "• Grain ships leave Odesa — wire · today 11:00 UTC"}, notWant: []string{"Ministers"}},
		{name: "latest of a topic not followed", req: Request{Dest: group, Command: "latest", Args: []string{"elections"}},
			want: []string{"This chat does not follow elections; /subscribe elections posts its alerts here."}},
		{name: "latest in a chat that got nothing", req: Request{Dest: private, Private: true, Command: "latest"},
			want: []string{"No alerts here yet."}, notWant: []string{"Grain", "Ministers"}},
		{name: "latest of an unknown topic", req: Request{Dest: group, Command: "latest", Args: []string{"sports"}}, want: []string{"No topic “sports”"}},
		{name: "status", req: Request{Dest: group, Command: "status"},
			want: []string{"herald status", "Feeds: 1 ok, 1 failing, 1 not polled yet",
				"• ministry — failing (3 polls in a row): HTTP 503 Service Unavailable; next poll today 11:59 UTC (due now)\n• wire — ok; next poll today 12:04 UTC (in 4m)\n• new-feed — not polled yet",
				"Rules loaded: 3 · pending deliveries: 0"}},
		{name: "unknown command", req: Request{Dest: private, Private: true, Command: "frobnicate"}, want: []string{"I don't know /frobnicate. These are my commands:", "• /help"}, notWant: []string{"/start"}},
		{name: "not a command", req: Request{Dest: private, Private: true}, want: []string{"Send /help to see what I can do."}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			m, err := r.Handle(t.Context(), st.req)
			got := m.Text()
			if st.name == "admin check fails" {
				if err == nil {
					t.Error("no error to log when the admin check failed")
				}
			} else if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			rest := got
			for _, w := range st.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("reply lacks %q (in order):\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
			for _, w := range st.notWant {
				if strings.Contains(got, w) {
					t.Errorf("reply holds %q:\n%s", w, got)
				}
			}
		})
	}

	// A topic the config dropped can still be left, and /subscriptions says so.
	if _, err := db.Subscribe(ctx, news.Subscription{Destination: private, Rule: "gone"}); err != nil {
		t.Fatal(err)
	}
	if got := ask(t, r, Request{Dest: private, Private: true, Command: "subscriptions"}); !strings.Contains(got, "• gone (no longer a topic") {
		t.Errorf("subscriptions:\n%s", got)
	}
	if got := ask(t, r, Request{Dest: private, Private: true, Command: "unsubscribe", Args: []string{"gone"}}); !strings.Contains(got, "Unsubscribed") {
		t.Errorf("unsubscribe from a dropped topic:\n%s", got)
	}
	// The catalog is read on every command: a reload is seen at once.
	cat.Topics = append(cat.Topics, Topic{Name: "added"})
	if got := ask(t, r, Request{Dest: private, Private: true, Command: "topics"}); !strings.Contains(got, "Topics (4)") || !strings.Contains(got, "• added") {
		t.Errorf("after a reload:\n%s", got)
	}
}

func TestRouterStoreFailure(t *testing.T) {
	db := openStore(t)
	r := NewRouter(db, testCatalog, nil, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	m, err := r.Handle(ctx, Request{Dest: news.Destination{Platform: news.Telegram, Chat: "1"}, Private: true, Command: "subscriptions"})
	if err == nil || !strings.Contains(m.Text(), "Sorry, something went wrong") {
		t.Errorf("Handle with a failing store = %q, %v", m.Text(), err)
	}
}

func TestRouterCommands(t *testing.T) {
	r := NewRouter(nil, testCatalog, nil, nil)
	cmds := r.Commands()
	if len(cmds) != 12 || cmds[0].Name != "start" || cmds[3].Name != "subscribe" || cmds[3].Args != "<topic>" {
		t.Errorf("Commands = %+v", cmds)
	}
	for _, c := range cmds {
		if !r.Known(c.Name) || !r.Known(strings.ToUpper(c.Name)) {
			t.Errorf("Known(%q) = false", c.Name)
		}
	}
	if r.Known("frobnicate") {
		t.Error("Known(frobnicate) = true")
	}
}

func TestManyTopicsAreListedShort(t *testing.T) {
	var cat Catalog
	for i := range 120 {
		cat.Topics = append(cat.Topics, Topic{Name: "topic-" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + string(rune('a'+i/26))})
	}
	r := NewRouter(openStore(t), func() Catalog { return cat }, nil, nil)
	got := ask(t, r, Request{Dest: news.Destination{Platform: news.Telegram, Chat: "1"}, Private: true, Command: "topics"})
	if n := strings.Count(got, "\n• topic-"); n != MaxListed {
		t.Errorf("%d topics listed, want %d", n, MaxListed)
	}
	if !strings.Contains(got, "…and 70 more") {
		t.Errorf("no count of the rest:\n%s", got)
	}
}

func TestStatusReportsDeadAndOrphans(t *testing.T) {
	db := openStore(t)
	ctx := t.Context()
	cat := testCatalog()
	r := NewRouter(db, func() Catalog { return cat }, func() time.Time { return routerNow }, nil)
	group := news.Destination{Platform: news.Telegram, Chat: "-100"}
	it := news.Item{Feed: "wire", ID: "x", Title: "T"}
	if _, _, err := db.AddItem(ctx, it, routerNow, nil, []news.Alert{{Destination: group, Rule: "elections", Feed: "wire", Title: "T"}}); err != nil {
		t.Fatal(err)
	}
	rows, _ := db.Pending(ctx, routerNow, 10)
	if err := db.MarkFailed(ctx, rows[0].ID, "Forbidden: bot was kicked from the group chat", routerNow, true); err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{"elections", "retired-topic"} {
		if _, err := db.Subscribe(ctx, news.Subscription{Destination: group, Rule: rule}); err != nil {
			t.Fatal(err)
		}
	}
	got := ask(t, r, Request{Dest: group, Command: "status"})
	for _, want := range []string{"Undelivered: 1", "herald retry", "Subscriptions to topics no longer in the config: retired-topic (1)"} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "elections (") {
		t.Errorf("a topic still in the config is reported as gone:\n%s", got)
	}
}

func TestMuteAndUnmute(t *testing.T) {
	db := openStore(t)
	cat := testCatalog()
	r := NewRouter(db, func() Catalog { return cat }, func() time.Time { return routerNow }, nil)
	group := news.Destination{Platform: news.Telegram, Chat: "-100"}
	no := func(context.Context) (bool, error) { return false, nil }
	steps := []struct {
		name    string
		req     Request
		want    []string
		notWant []string
	}{
		{"usage", Request{Dest: group, Command: "mute", Args: []string{"elections"}}, []string{"Write /mute <topic> <duration>", "--queue"}, nil},
		{"bad duration", Request{Dest: group, Command: "mute", Args: []string{"elections", "soon"}}, []string{"“soon” is not a duration."}, nil},
		{"too long", Request{Dest: group, Command: "mute", Args: []string{"elections", "100d"}}, []string{"at most 90 days"}, nil},
		{"unknown topic", Request{Dest: group, Command: "mute", Args: []string{"sport", "2h"}}, []string{"No topic “sport”"}, nil},
		{"not an admin", Request{Dest: group, Command: "mute", Args: []string{"elections", "2h"}, IsAdmin: no}, []string{"administrators"}, []string{"Muted"}},
		{"mute drop", Request{Dest: group, Command: "mute", Args: []string{"elections", "2h"}}, []string{"Muted elections here until today 14:00 UTC (in 2h00m)", "dropped"}, nil},
		{"mute queue", Request{Dest: group, Command: "mute", Args: []string{"nato-ukraine", "1d", "--queue"}}, []string{"Muted nato-ukraine here until tomorrow 12:00 UTC (in 24h00m)", "one digest"}, nil},
		{"shown in subscriptions", Request{Dest: group, Command: "subscriptions"}, []string{"elections muted until today 14:00 UTC (in 2h00m), alerts dropped", "nato-ukraine muted until tomorrow 12:00 UTC (in 24h00m), alerts kept for a digest"}, nil},
		{"unmute", Request{Dest: group, Command: "unmute", Args: []string{"elections"}}, []string{"Unmuted elections: its alerts are posted here again."}, []string{"waited"}},
		{"unmute again", Request{Dest: group, Command: "unmute", Args: []string{"elections"}}, []string{"elections is not muted here."}, nil},
		{"gone from subscriptions", Request{Dest: group, Command: "subscriptions"}, []string{"nato-ukraine muted"}, []string{"elections muted"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got := ask(t, r, st.req)
			for _, w := range st.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply lacks %q:\n%s", w, got)
				}
			}
			for _, w := range st.notWant {
				if strings.Contains(got, w) {
					t.Errorf("reply has %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	ts := []Topic{{Name: "nato-ukraine"}, {Name: "black-sea-grain"}, {Name: "elections"}, {Name: "eu-budget"}}
	for _, tc := range []struct{ typed, want string }{
		{"natoo", "nato-ukraine"},       // the README's example: nato typed with a slip
		{"nato", "nato-ukraine"},        // a prefix
		{"ukraine", "nato-ukraine"},     // a word of a hyphenated name
		{"ukriane", "nato-ukraine"},     // two letters swapped in a word
		{"nato-ukrane", "nato-ukraine"}, // a letter left out
		{"natoukraine", "nato-ukraine"}, // the dash left out
		{"grain", "black-sea-grain"},
		{"blakc-sea", "black-sea-grain"},
		{"electons", "elections"},
		{"Elections", "elections"},
		{"eu", "eu-budget"}, // a two-letter prefix
		{"budgte", "eu-budget"},
		{"football", ""},
		{"x", ""},
		{"ab", ""},
		{"weather", ""},
		{"", ""},
	} {
		if got := suggest(tc.typed, ts); got != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
}

// TestUnmuteSaysWhatWaited: /unmute after a mute with --queue says how many
// held alerts come now, and only then.
func TestUnmuteSaysWhatWaited(t *testing.T) {
	db := openStore(t)
	cat := testCatalog()
	r := NewRouter(db, func() Catalog { return cat }, func() time.Time { return routerNow }, nil)
	group := news.Destination{Platform: news.Telegram, Chat: "-100"}
	ask(t, r, Request{Dest: group, Command: "mute", Args: []string{"elections", "2h", "--queue"}})
	for i := range 2 {
		it := news.Item{Feed: "wire", ID: fmt.Sprint("held ", i), Title: fmt.Sprint("held ", i)}
		a := news.Alert{Destination: group, Rule: "elections", Feed: "wire", Title: it.Title, HoldUntil: routerNow.Add(2 * time.Hour), Digest: true}
		if _, _, err := db.AddItem(t.Context(), it, routerNow, []news.Match{{Rule: "elections"}}, []news.Alert{a}); err != nil {
			t.Fatal(err)
		}
	}
	if got := ask(t, r, Request{Dest: group, Command: "unmute", Args: []string{"elections"}}); !strings.Contains(got, "the 2 that waited come now, as one digest") {
		t.Errorf("unmute after held alerts:\n%s", got)
	}
	ask(t, r, Request{Dest: group, Command: "mute", Args: []string{"elections", "2h", "--queue"}})
	if got := ask(t, r, Request{Dest: group, Command: "unmute", Args: []string{"elections"}}); strings.Contains(got, "waited") {
		t.Errorf("unmute with nothing held:\n%s", got)
	}
}
