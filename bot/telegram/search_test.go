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

// TestSearchOverTelegram asks /search and /search more through the fake Bot
// API: the reply is valid HTML with the titles linked and the matched words
// bold, and more continues in the chat it was asked in.
func TestSearchOverTelegram(t *testing.T) {
	e := newEnv(t)
	addChats(e)
	now := time.Now().UTC().Truncate(time.Second)
	for i := range 7 {
		it := news.Item{Feed: "wire", ID: fmt.Sprint(i), Title: fmt.Sprintf("Grain <report> %d", i), Link: fmt.Sprintf("https://wire.example/%d?a=1&b=2", i),
			Text: "Shipments of grain & wheat rose.", Published: now.Add(-time.Duration(7-i) * time.Hour)}
		if _, _, err := e.db.AddItem(t.Context(), it, now, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	r := bot.NewRouter(e.db, testCatalog, nil, nil, bot.WithSearch(search.New(e.db, search.Config{}, nil)))
	stop := e.run(r)
	defer stop()
	if !e.fake.WaitIdle(10 * time.Second) {
		t.Fatal("the bot is not polling")
	}
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
