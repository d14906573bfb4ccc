package cli

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"herald/bot/telegram/telegramtest"
)

const tgToken = "123456:CLI-test_token"

// TestTelegramWiring runs `herald once` and `herald run` against the fake
// Bot API: once delivers the alert for a telegram: destination, run answers
// a chat's /subscribe, and no output holds the token.
func TestTelegramWiring(t *testing.T) {
	srv := newFeedServer(t)
	fake := telegramtest.New(t, tgToken)
	fake.AddChat(telegramtest.Chat{ID: -100, Title: "Desk"})
	fake.AddChat(telegramtest.Chat{ID: 42})
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf(`feeds:
  - name: test-wire
    url: %s/feed.xml
entities:
  - id: nuc
    name: NATO-Ukraine Council
rules:
  - name: nuc
    description: the NATO-Ukraine Council
    query: '@nuc'
    notify: ['telegram:-100']
telegram:
  token: ${TG_TOKEN}
  api_url: %s
`, srv.URL, fake.URL))
	getenv := func(k string) string {
		if k == "TG_TOKEN" {
			return tgToken
		}
		return ""
	}

	var out, logs syncBuffer
	code := Main(t.Context(), []string{"once", "-config", cfg}, Env{Stdout: &out, Stderr: &logs, Getenv: getenv, Now: func() time.Time { return now }})
	if code != 0 {
		t.Fatalf("once: exit %d\n%s", code, logs.String())
	}
	sent := fake.SentTo(-100)
	if len(sent) != 1 || !strings.HasPrefix(sent[0].Text, "NATO-Ukraine Council meets on winter air defence") || sent[0].ParseMode != "HTML" {
		t.Fatalf("once sent %+v\n%s", sent, logs.String())
	}

	cancel, done := startRun(t, cfg, Env{Getenv: getenv, Now: func() time.Time { return now }}, &out, &logs)
	fake.Say(telegramtest.Incoming{Chat: 42, From: telegramtest.User{ID: 42, FirstName: "Ann"}, Text: "/subscribe nuc"})
	if !fake.Wait(20*time.Second, func(sent []telegramtest.Message) bool {
		for _, m := range sent {
			if m.ChatID == 42 && strings.Contains(m.Text, "Subscribed: alerts on nuc") {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no reply to /subscribe\n%s", logs.String())
	}
	if cmds := fake.Commands(); len(cmds) == 0 {
		t.Error("no command menu set")
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run exited %d after cancellation\n%s", code, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
	if strings.Contains(logs.String(), tgToken) || strings.Contains(out.String(), tgToken) {
		t.Errorf("the token appears in the output:\n%s", logs.String())
	}
}

// TestTelegramFeedsAdd adds a feed from chat: an operator's /feeds add
// writes it to the config, marked origin: chat, and the reload brings it in;
// anyone else is refused.
func TestTelegramFeedsAdd(t *testing.T) {
	srv := newFeedServer(t)
	harbour := site(t)
	fake := telegramtest.New(t, tgToken)
	fake.AddChat(telegramtest.Chat{ID: 7})
	fake.AddChat(telegramtest.Chat{ID: 8})
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf(`feeds:
  - name: test-wire
    url: %s/feed.xml
watchers:
  allow_private: true # the test's sites are on the loopback address
telegram:
  token: ${TG_TOKEN}
  api_url: %s
  admins: [7]
`, srv.URL, fake.URL))
	getenv := func(k string) string {
		if k == "TG_TOKEN" {
			return tgToken
		}
		return ""
	}
	var out, logs syncBuffer
	cancel, done := startRun(t, cfg, Env{Getenv: getenv, Now: func() time.Time { return now }}, &out, &logs)
	replyTo := func(chat int64, text string) string {
		t.Helper()
		before := len(fake.SentTo(chat))
		fake.Say(telegramtest.Incoming{Chat: chat, From: telegramtest.User{ID: chat, FirstName: "U"}, Text: text})
		// The predicate runs under the fake's lock: it counts from sent.
		if !fake.Wait(20*time.Second, func(sent []telegramtest.Message) bool {
			n := 0
			for _, m := range sent {
				if m.ChatID == chat {
					n++
				}
			}
			return n > before
		}) {
			t.Fatalf("no reply to %q\n%s", text, logs.String())
		}
		return fake.SentTo(chat)[before].Text
	}

	if got := replyTo(8, "/feeds add "+harbour.URL+"/"); !strings.Contains(got, "Only herald's operators can add feeds") {
		t.Errorf("a non-operator's /feeds add: %q", got)
	}
	got := replyTo(7, "/feeds add "+harbour.URL+"/ harbour")
	if !strings.Contains(got, "Added the feed harbour") || !strings.Contains(got, "The page named its feed: "+harbour.URL+"/feed.xml") {
		t.Fatalf("the operator's /feeds add: %q\n%s", got, logs.String())
	}
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "name: harbour") || !strings.Contains(string(data), "origin: chat") {
		t.Errorf("config after /feeds add:\n%s", data)
	}
	if got := replyTo(7, "/feeds add "+harbour.URL+"/feed.xml"); !strings.Contains(got, `is already the feed "harbour"`) {
		t.Errorf("adding it again: %q", got)
	}
	// The reload brings the new feed in: /feeds lists it.
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(replyTo(7, "/feeds"), "Feeds: 2") {
		if time.Now().After(deadline) {
			t.Fatalf("the new feed never reached /feeds\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	<-done
}
