package telegram

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"herald/bot"
	"herald/bot/telegram/telegramtest"
	"herald/news"
	"herald/search"
)

// searchEnv is a client answering commands with search over seven stored
// grain items, titled after title (with %d), newest "… 6"; stop ends it.
func searchEnv(t *testing.T, title string) (e *env, stop func()) {
	t.Helper()
	e = newEnv(t)
	addChats(e)
	now := time.Now().UTC().Truncate(time.Second)
	for i := range 7 {
		it := news.Item{Feed: "wire", ID: fmt.Sprint(i), Title: fmt.Sprintf(title, i), Link: fmt.Sprintf("https://wire.example/%d?a=1&b=2", i),
			Text: "Shipments of grain & wheat rose.", Published: now.Add(-time.Duration(7-i) * time.Hour)}
		if _, _, err := e.db.AddItem(t.Context(), it, now, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	r := bot.NewRouter(e.db, testCatalog, nil, nil, bot.WithSearch(search.New(e.db, search.Config{}, nil)))
	stop = e.run(r)
	if !e.fake.WaitIdle(10 * time.Second) {
		stop()
		t.Fatal("the bot is not polling")
	}
	return e, stop
}

// TestSearchOverTelegram asks /search and /search more through the fake Bot
// API: the reply is valid HTML with the titles linked and the matched words
// bold, and more continues in the chat it was asked in.
func TestSearchOverTelegram(t *testing.T) {
	e, stop := searchEnv(t, "Grain <report> %d")
	defer stop()
	member := telegramtest.User{ID: memberUser, FirstName: "Max"}
	got := say(t, e, telegramtest.Incoming{Chat: groupChat, From: member, Text: "/search grain"})
	if !strings.Contains(got, "1. Grain <report> 6") || !strings.Contains(got, "5. Grain <report> 2") || !strings.Contains(got, "More: /search more") {
		t.Errorf("/search grain = %q", got)
	}
	sent := e.fake.SentTo(groupChat)
	raw := sent[len(sent)-1].Raw
	for _, want := range []string{`<a href="https://wire.example/6?a=1&amp;b=2">Grain &lt;report&gt; 6</a>`, "<b>grain</b> &amp; wheat"} {
		if !strings.Contains(raw, want) {
			t.Errorf("HTML lacks %q:\n%s", want, raw)
		}
	}
	if got := say(t, e, telegramtest.Incoming{Chat: privateChat, From: telegramtest.User{ID: privateChat}, Text: "/search more"}); !strings.Contains(got, "no search to continue") {
		t.Errorf("more in another chat = %q", got)
	}
	more := say(t, e, telegramtest.Incoming{Chat: groupChat, From: member, Text: "/search@fake_bot more"})
	if !strings.Contains(more, "6. Grain <report> 1") || !strings.Contains(more, "7. Grain <report> 0") || strings.Contains(more, "More:") {
		t.Errorf("/search more = %q", more)
	}
	if got := say(t, e, telegramtest.Incoming{Chat: groupChat, From: member, Text: "/search grain OR"}); !strings.Contains(got, "grain ▸OR") {
		t.Errorf("syntax error = %q", got)
	}
}

// TestSearchMoreButton presses the "More results" button under a search
// reply through the fake Bot API: the next page comes in the same chat,
// the press is answered, an old button says it has expired, and a forged
// callback runs nothing.
func TestSearchMoreButton(t *testing.T) {
	e, stop := searchEnv(t, "Grain report %d")
	defer stop()
	member := telegramtest.User{ID: memberUser, FirstName: "Max"}
	say(t, e, telegramtest.Incoming{Chat: groupChat, From: member, Text: "/search grain"})
	sent := e.fake.SentTo(groupChat)
	first := sent[len(sent)-1]
	if len(first.Keyboard) != 1 || first.Keyboard[0][0].Text != "More results" {
		t.Fatalf("keyboard %+v; want one More results button", first.Keyboard)
	}

	press := func(msg telegramtest.Message) (string, string) {
		t.Helper()
		before := len(e.fake.SentTo(groupChat))
		id := e.fake.Press(member, msg, 0, 0)
		if id == "" {
			t.Fatal("no button to press")
		}
		if !e.fake.Wait(10*time.Second, func(sent []telegramtest.Message) bool {
			n := 0
			for _, m := range sent {
				if m.ChatID == groupChat {
					n++
				}
			}
			return n > before
		}) {
			t.Fatalf("no reply to the button\n%s", e.logs.String())
		}
		return id, e.fake.SentTo(groupChat)[before].Text
	}
	id, more := press(first)
	if !strings.Contains(more, "6. Grain report 1") || !strings.Contains(more, "7. Grain report 0") {
		t.Errorf("after More: %q", more)
	}
	if !e.fake.Answered(id) {
		t.Error("the button press was not answered")
	}

	// A new search replaces the old one: its button now says so.
	say(t, e, telegramtest.Incoming{Chat: groupChat, From: member, Text: "/search grain"})
	if _, got := press(first); !strings.Contains(got, "Those results are from an earlier search") {
		t.Errorf("an old button: %q", got)
	}
	if strings.Contains(e.logs.String(), "could not answer") {
		t.Errorf("a press was not answered:\n%s", e.logs.String())
	}

	// A forged payload runs nothing: the press is answered with a notice
	// and logged, and nothing is posted.
	before := len(e.fake.SentTo(groupChat))
	forged := e.fake.Forge(member, first, "subscribe nuc")
	// herald logs the press before it answers it: wait for both (Wait's
	// condition runs under the fake's lock, so Answered is asked outside it).
	logged := func() bool { return strings.Contains(e.logs.String(), "a button press herald cannot act on") }
	for deadline := time.Now().Add(10 * time.Second); !logged() || !e.fake.Answered(forged); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the forged press was not logged and answered (answered %t):\n%s", e.fake.Answered(forged), e.logs.String())
		}
	}
	if !e.fake.Answered(forged) || len(e.fake.SentTo(groupChat)) != before {
		t.Errorf("forged press: answered %t, %d messages posted", e.fake.Answered(forged), len(e.fake.SentTo(groupChat))-before)
	}
	if subs, _ := e.db.SubscriptionsOf(t.Context(), news.Destination{Platform: news.Telegram, Chat: fmt.Sprint(groupChat)}); len(subs) != 0 {
		t.Errorf("the forged press subscribed the chat: %+v", subs)
	}
}

func TestKeyboardLeavesOutWhatDoesNotFit(t *testing.T) {
	long := bot.Action{Label: "Too long", Command: "search", Args: []string{"more", "#" + strings.Repeat("9", 70)}}
	fits := bot.Action{Label: "More results", Command: "search", Args: []string{"more", "#12"}}
	if got := keyboard([]bot.Action{long}); got != "" {
		t.Errorf("keyboard of an action over 64 bytes = %s; want none", got)
	}
	if got, want := keyboard([]bot.Action{long, fits}), `{"inline_keyboard":[[{"text":"More results","callback_data":"search more #12"}]]}`; got != want {
		t.Errorf("keyboard = %s, want %s", got, want)
	}
}
