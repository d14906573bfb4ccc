package slack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"herald/bot"
	"herald/bot/slack/slacktest"
	"herald/news"
	"herald/search"
)

// TestSearchOverSlack asks /herald search and /herald search more over
// Socket Mode: the reply goes to the user alone, with linked titles and the
// matched words bold, and more continues in the channel.
func TestSearchOverSlack(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	for i := range 7 {
		it := news.Item{Feed: "wire", ID: fmt.Sprint(i), Title: fmt.Sprintf("Grain report %d <!channel>", i), Link: fmt.Sprintf("https://wire.example/%d", i),
			Text: "Shipments of grain rose.", Published: now.Add(-time.Duration(7-i) * time.Hour)}
		if _, _, err := e.db.AddItem(t.Context(), it, now, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	r := bot.NewRouter(e.db, testCatalog, nil, nil, bot.WithSearch(search.New(e.db, search.Config{}, nil)))
	stop := e.run(r)
	defer stop()
	waitReady(t, e)
	first := slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "search grain"})
	text := first.Rendered.Text
	for _, want := range []string{"1. ", "Grain report 6", "*grain*", "More: /herald search more"} {
		if !strings.Contains(text, want) {
			t.Errorf("reply lacks %q:\n%s", want, text)
		}
	}
	if first.ResponseType != "ephemeral" {
		t.Errorf("response_type %q, want ephemeral", first.ResponseType)
	}
	inert(t, first.Rendered, "https://wire.example/6", "https://wire.example/5", "https://wire.example/4", "https://wire.example/3", "https://wire.example/2")
	more := slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "search more"})
	if !strings.Contains(more.Rendered.Text, "Grain report 0") || strings.Contains(more.Rendered.Text, "More:") {
		t.Errorf("more:\n%s", more.Rendered.Text)
	}
}
