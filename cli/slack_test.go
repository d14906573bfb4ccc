package cli

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"herald/bot/slack/slacktest"
)

const (
	slackBot    = "xoxb-cli-test-SECRET"
	slackApp    = "xapp-cli-test-SECRET"
	slackSecret = "cli-signing-SECRET"
)

// TestSlackWiring runs `herald once` and `herald run` against the fake
// Slack: once posts the alert for a slack:#name destination, run answers a
// /herald subscribe over Socket Mode and a signed one over HTTP on listen:,
// and no output holds a token or the signing secret.
func TestSlackWiring(t *testing.T) {
	srv := newFeedServer(t)
	fake := slacktest.New(t, slacktest.Options{BotToken: slackBot, AppToken: slackApp, SigningSecret: slackSecret})
	fake.AddChannel(slacktest.Channel{ID: "C0NEWS", Name: "news"})
	fake.AddChannel(slacktest.Channel{ID: "C0DESK", Name: "desk"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
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
    notify: ['slack:#news']
listen: %s
slack:
  bot_token: ${SLACK_BOT_TOKEN}
  app_token: ${SLACK_APP_TOKEN}
  signing_secret: ${SLACK_SIGNING_SECRET}
  api_url: %s
`, srv.URL, listen, fake.APIURL))
	env := map[string]string{"SLACK_BOT_TOKEN": slackBot, "SLACK_APP_TOKEN": slackApp, "SLACK_SIGNING_SECRET": slackSecret}
	getenv := func(k string) string { return env[k] }

	var out, logs syncBuffer
	code := Main(t.Context(), []string{"once", "-config", cfg}, Env{Stdout: &out, Stderr: &logs, Getenv: getenv, Now: func() time.Time { return now }})
	if code != 0 {
		t.Fatalf("once: exit %d\n%s", code, logs.String())
	}
	posts := fake.Posts("C0NEWS")
	if len(posts) != 1 || !strings.HasPrefix(posts[0].Rendered.Text, "*NATO-Ukraine Council meets on winter air defence") {
		t.Fatalf("once posted %+v\n%s", posts, logs.String())
	}

	cancel, done := startRun(t, cfg, Env{Getenv: getenv, Now: func() time.Time { return now }}, &out, &logs)
	if !fake.WaitConnections(20*time.Second, 1) {
		t.Fatalf("no Socket Mode connection\n%s", logs.String())
	}
	if _, err := fake.SlashCommand(slacktest.Command{Channel: "C0DESK", User: "U0ANN", Text: "subscribe nuc"}); err != nil {
		t.Fatal(err)
	}
	replied := func(n int) bool {
		return fake.Wait(20*time.Second, func() bool {
			r := fake.Replies("C0DESK")
			return len(r) >= n && strings.Contains(r[n-1].Rendered.Text, "Subscribed: alerts on `nuc`")
		})
	}
	if !replied(1) {
		t.Fatalf("no reply to /herald subscribe over Socket Mode\n%s", logs.String())
	}

	// The same over HTTP, signed; the channel follows nuc already.
	var resp *http.Response
	for i := 0; i < 200; i++ { // the server starts with run
		req, err := fake.CommandRequest(t.Context(), "http://"+listen+"/slack/commands", slacktest.Command{Channel: "C0DESK", User: "U0ANN", Text: "unsubscribe nuc"}, slacktest.Signing{})
		if err != nil {
			t.Fatal(err)
		}
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if resp == nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP command: %+v\n%s", resp, logs.String())
	}
	resp.Body.Close()
	if !fake.Wait(20*time.Second, func() bool {
		r := fake.Replies("C0DESK")
		return len(r) >= 2 && strings.Contains(r[1].Rendered.Text, "Unsubscribed")
	}) {
		t.Fatalf("no reply to the HTTP command\n%s", logs.String())
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
	for _, s := range []string{slackBot, slackApp, slackSecret} {
		if strings.Contains(logs.String(), s) || strings.Contains(out.String(), s) {
			t.Errorf("a secret appears in the output:\n%s", logs.String())
		}
	}
}
