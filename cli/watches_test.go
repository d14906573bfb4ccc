package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald/bot/slack/slacktest"
	"herald/bot/telegram/telegramtest"
	"herald/config"
)

// watchFeed writes an RSS file of items, each a title, a description and
// an age before now, and returns its path.
func watchFeed(t *testing.T, path string, items [][3]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test Wire</title><link>https://test.example/</link>
`)
	for i, it := range items {
		age, err := time.ParseDuration(it[2])
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "<item><title>%s</title><link>https://test.example/w%d</link><guid>w%d-%s</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
			it[0], i, i, strings.ReplaceAll(strings.ToLower(it[0]), " ", "-"), now.Add(-age).Format(time.RFC1123Z), it[1])
	}
	b.WriteString("</channel></rss>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// seedItems are a week's news: 24 items on ministers, one on the grain corridor.
func seedItems() [][3]string {
	var items [][3]string
	for i := range 24 {
		items = append(items, [3]string{fmt.Sprintf("Ministers meet on budget day %d", i), "The ministers met again to discuss the budget.", fmt.Sprintf("%dh", 2+i*5)})
	}
	return append(items, [3]string{"Grain corridor reopens at the port", "Ships carrying grain left the port after the grain corridor reopened.", "3h"})
}

// replyTo waits for a message to chat containing want and returns it.
func replyTo(t *testing.T, fake *telegramtest.Server, chat int64, want string, logs *syncBuffer) telegramtest.Message {
	t.Helper()
	var got telegramtest.Message
	if !fake.Wait(20*time.Second, func(sent []telegramtest.Message) bool {
		for _, m := range sent {
			if m.ChatID == chat && strings.Contains(m.Text, want) {
				got = m
				return true
			}
		}
		return false
	}) {
		var texts []string
		for _, m := range fake.SentTo(chat) {
			texts = append(texts, m.Text)
		}
		t.Fatalf("no message to %d containing %q; sent there:\n%s\n%s", chat, want, strings.Join(texts, "\n---\n"), logs.String())
	}
	return got
}

// TestWatchesEndToEnd drives /watch, /watches and /unwatch through the fake
// Bot API against `herald run`, then restarts: `herald once` delivers the
// next matching items with "your watch", once per chat even where a topic
// matched too, and the CLI lists, exports and removes watches.
func TestWatchesEndToEnd(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "wire.xml")
	watchFeed(t, feed, seedItems())
	fake := telegramtest.New(t, tgToken)
	fake.AddChat(telegramtest.Chat{ID: 42})
	fake.AddChat(telegramtest.Chat{ID: -100, Title: "Desk"})
	fake.SetMember(-100, 7, "member")
	fake.SetMember(-100, 8, "administrator")
	cfg := writeConfig(t, dir, fmt.Sprintf(`feeds:
  - name: wire
    url: %s
    backfill: 6h
rules:
  - name: grain
    query: grain
    notify: ['telegram:-100']
watches:
  per_chat: 2
telegram:
  token: ${TG_TOKEN}
  api_url: %s
`, feed, fake.URL))
	env := Env{Getenv: func(k string) string {
		if k == "TG_TOKEN" {
			return tgToken
		}
		return ""
	}, Now: func() time.Time { return now }}
	var out, logs syncBuffer
	env.Stdout, env.Stderr = &out, &logs
	if code := Main(t.Context(), []string{"once", "-config", cfg}, env); code != 0 {
		t.Fatalf("once: exit %d\n%s", code, logs.String())
	}
	if n := len(fake.SentTo(-100)); n != 1 {
		t.Fatalf("the seed poll sent %d alerts to the desk, want the grain one", n)
	}

	cancel, done := startRun(t, cfg, env, &out, &logs)
	ann := telegramtest.User{ID: 42, FirstName: "Ann"}
	say := func(chat int64, from telegramtest.User, text string) {
		fake.Say(telegramtest.Incoming{Chat: chat, From: from, Text: text})
	}

	say(42, ann, `/watch "grain corridor" port*`)
	m := replyTo(t, fake, 42, "Watching", &logs)
	for _, want := range []string{`"grain corridor" AND port*`, "would have alerted once in the last 7 days", "Grain corridor reopens at the port", "/unwatch 1"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("/watch reply lacks %q:\n%s", want, m.Text)
		}
	}

	say(42, ann, "/watch ministers")
	m = replyTo(t, fake, 42, "too broad", &logs)
	if !strings.Contains(m.Text, "matched at least 6 of the 25 articles of the last 7 days (24% or more), more than the 20%") {
		t.Errorf("too-broad reply does not give the numbers:\n%s", m.Text)
	}

	bad := `"grain corridor" NEAR/x port`
	say(42, ann, "/watch "+bad)
	m = replyTo(t, fake, 42, "could not read that query", &logs)
	lines := strings.Split(m.Text, "\n")
	caretCol := -1
	for i, l := range lines {
		if l == bad && i+1 < len(lines) {
			caretCol = len([]rune(strings.TrimRight(lines[i+1], " "))) - 1
			if !strings.HasSuffix(lines[i+1], "^") {
				caretCol = -1
			}
		}
	}
	if caretCol != strings.Index(bad, "NEAR") {
		t.Errorf("the caret is at column %d, want %d under NEAR:\n%s", caretCol, strings.Index(bad, "NEAR"), m.Text)
	}
	if !strings.Contains(m.Raw, "<code>") {
		t.Errorf("the query is not in monospace: %s", m.Raw)
	}

	say(-100, telegramtest.User{ID: 7, FirstName: "Mo"}, "/watch grain corridor")
	replyTo(t, fake, -100, "only this chat's administrators", &logs)
	say(-100, telegramtest.User{ID: 8, FirstName: "Ada"}, `/watch "grain corridor"`)
	replyTo(t, fake, -100, "Watching", &logs)

	say(42, ann, "/watch harbour pilots")
	replyTo(t, fake, 42, "/unwatch 2", &logs)
	say(42, ann, "/watch convoy")
	replyTo(t, fake, 42, "as many as it may have", &logs)

	say(42, ann, "/watches")
	m = replyTo(t, fake, 42, "This chat's watches (2)", &logs)
	if !strings.Contains(m.Text, `1. "grain corridor" port*`) || !strings.Contains(m.Text, "2. harbour pilots") {
		t.Errorf("/watches:\n%s", m.Text)
	}
	say(42, ann, "/unwatch 2")
	replyTo(t, fake, 42, "Removed watch 2", &logs)
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("run exited %d\n%s", code, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}

	// After the restart: the next items.
	items := append(seedItems(),
		[3]string{"Grain corridor convoy sails from the port", "A convoy used the grain corridor to leave the port.", "1h"},
		[3]string{"Harbour pilots strike", "Harbour pilots stopped work.", "1h"})
	watchFeed(t, feed, items)
	before42, before100 := len(fake.SentTo(42)), len(fake.SentTo(-100))
	if code := Main(t.Context(), []string{"once", "-config", cfg}, env); code != 0 {
		t.Fatalf("once after restart: exit %d\n%s", code, logs.String())
	}
	to42 := fake.SentTo(42)[before42:]
	if len(to42) != 1 || !strings.Contains(to42[0].Text, `your watch: "grain corridor" port*`) || !strings.HasPrefix(to42[0].Text, "Grain corridor convoy") {
		t.Errorf("chat 42 got %d messages after the restart, want the convoy with its watch: %+v", len(to42), to42)
	}
	to100 := fake.SentTo(-100)[before100:]
	if len(to100) != 1 || !strings.Contains(to100[0].Text, `topic: grain · your watch: "grain corridor"`) {
		t.Errorf("the desk got %d messages, want one naming the topic and the watch: %+v", len(to100), to100)
	}

	cli := func(args ...string) (int, string, string) {
		var o, e strings.Builder
		code := Main(t.Context(), args, Env{Stdout: &o, Stderr: &e, Getenv: env.Getenv, Now: env.Now})
		return code, o.String(), e.String()
	}
	code, stdout, stderr := cli("watches", "-json", "-config", cfg)
	if code != 0 {
		t.Fatalf("watches -json: exit %d: %s", code, stderr)
	}
	var listed []watchJSON
	for line := range strings.SplitSeq(strings.TrimSpace(stdout), "\n") {
		var w watchJSON
		if err := json.Unmarshal([]byte(line), &w); err != nil {
			t.Fatalf("watches -json line %q: %v", line, err)
		}
		listed = append(listed, w)
	}
	if len(listed) != 2 || listed[0].Destination != "telegram:42" || listed[0].CreatedBy != "42" || listed[0].Alerts != 1 ||
		listed[1].Destination != "telegram:-100" || listed[1].Query != `"grain corridor"` {
		t.Errorf("watches -json = %+v", listed)
	}

	code, stdout, stderr = cli("watches", "export", "-config", cfg)
	if code != 0 {
		t.Fatalf("watches export: exit %d: %s", code, stderr)
	}
	promoted := fmt.Sprintf("feeds:\n  - name: wire\n    url: %s\ntelegram:\n  token: 1:x\n", feed) + stdout
	pc, err := config.Parse("promoted.yaml", []byte(promoted), func(string) string { return "" })
	if err != nil {
		t.Fatalf("the export does not load as rules:\n%s\n%v", promoted, err)
	}
	if len(pc.Rules) != 2 || pc.Rules[0].Query != `"grain corridor" port*` || pc.Rules[0].Notify[0] != "telegram:42" {
		t.Errorf("exported rules = %+v", pc.Rules)
	}

	code, stdout, stderr = cli("watches", "rm", fmt.Sprint(listed[0].ID), "-config", cfg)
	if code != 0 || !strings.Contains(stdout, "removed watch") {
		t.Fatalf("watches rm: exit %d: %s%s", code, stdout, stderr)
	}
	code, _, stderr = cli("watches", "rm", fmt.Sprint(listed[0].ID), "-config", cfg)
	if code == 0 || !strings.Contains(stderr, "there is no watch") {
		t.Errorf("watches rm of a removed watch: exit %d: %s", code, stderr)
	}
}

// TestWatchSlack saves a watch with /herald watch over Socket Mode and
// gets its alert in the channel.
func TestWatchSlack(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "wire.xml")
	watchFeed(t, feed, seedItems())
	fake := slacktest.New(t, slacktest.Options{BotToken: slackBot, AppToken: slackApp})
	fake.AddChannel(slacktest.Channel{ID: "C0NEWS", Name: "news"})
	cfg := writeConfig(t, dir, fmt.Sprintf(`feeds:
  - name: wire
    url: %s
    backfill: 6h
slack:
  bot_token: ${SLACK_BOT_TOKEN}
  app_token: ${SLACK_APP_TOKEN}
  api_url: %s
`, feed, fake.APIURL))
	vars := map[string]string{"SLACK_BOT_TOKEN": slackBot, "SLACK_APP_TOKEN": slackApp}
	var out, logs syncBuffer
	env := Env{Getenv: func(k string) string { return vars[k] }, Now: func() time.Time { return now }, Stdout: &out, Stderr: &logs}
	if code := Main(t.Context(), []string{"once", "-config", cfg}, env); code != 0 {
		t.Fatalf("once: exit %d\n%s", code, logs.String())
	}
	cancel, done := startRun(t, cfg, env, &out, &logs)
	if !fake.WaitConnections(20*time.Second, 1) {
		t.Fatalf("no Socket Mode connection\n%s", logs.String())
	}
	if _, err := fake.SlashCommand(slacktest.Command{Channel: "C0NEWS", User: "U0ANN", Text: `watch "grain corridor"`}); err != nil {
		t.Fatal(err)
	}
	if !fake.Wait(20*time.Second, func() bool {
		for _, m := range fake.Replies("C0NEWS") {
			if strings.Contains(m.Rendered.Text, "Watching") && strings.Contains(m.Rendered.Text, "would have alerted once") {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no reply to /herald watch: %+v\n%s", fake.Replies("C0NEWS"), logs.String())
	}
	cancel()
	<-done
	watchFeed(t, feed, append(seedItems(), [3]string{"Grain corridor convoy sails", "A convoy used the grain corridor.", "1h"}))
	before := len(fake.Posts("C0NEWS"))
	if code := Main(t.Context(), []string{"once", "-config", cfg}, env); code != 0 {
		t.Fatalf("once: exit %d\n%s", code, logs.String())
	}
	posts := fake.Posts("C0NEWS")[before:]
	if len(posts) != 1 || !strings.Contains(posts[0].Rendered.Text, `your watch: "grain corridor"`) {
		t.Errorf("after the restart Slack got %+v", posts)
	}
}
