package slack

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"herald/bot"
	"herald/bot/slack/slacktest"
	"herald/internal/testkit"
	"herald/news"
)

const (
	annUser  = "U0ANN"
	maxUser  = "U0MAX"
	bossUser = "U0BOSS"
	waitFor  = 10 * time.Second
)

func testCatalog() bot.Catalog {
	return bot.Catalog{
		Topics: []bot.Topic{
			{Name: "nato-ukraine", Description: "NATO's dealings with Ukraine", Notify: []news.Destination{dest(newsChannel)}},
			{Name: "black-sea-grain", Description: "Grain shipping on the Black Sea"},
			{Name: "elections", Description: "Votes everywhere"},
		},
		Feeds: []string{"wire"},
	}
}

func newRouter(e *env) *bot.Router { return bot.NewRouter(e.db, testCatalog, nil, nil) }

// waitReady waits until the bot knows who it is and holds a Socket Mode
// connection.
func waitReady(t *testing.T, e *env) {
	t.Helper()
	if !e.fake.Wait(waitFor, func() bool { return e.client.BotUser() != "" && e.fake.Connected() }) {
		t.Fatalf("the bot did not connect\n%s", e.logs.String())
	}
}

// slash sends a slash command over Socket Mode and returns the reply posted
// to its response_url.
func slash(t *testing.T, e *env, c slacktest.Command) slacktest.Message {
	t.Helper()
	before := len(e.fake.Replies(c.Channel))
	env, err := e.fake.SlashCommand(c)
	if err != nil {
		t.Fatal(err)
	}
	ack, ok := e.fake.WaitAck(waitFor, env)
	if !ok {
		t.Fatalf("no ack for %q\n%s", c.Text, e.logs.String())
	}
	if ack.Late || len(ack.Payload) != 0 {
		t.Errorf("ack %+v; want an empty ack within 3 s", ack)
	}
	if !e.fake.Wait(waitFor, func() bool { return len(e.fake.Replies(c.Channel)) > before }) {
		t.Fatalf("no reply to %q\n%s", c.Text, e.logs.String())
	}
	r := e.fake.Replies(c.Channel)[before]
	if r.ResponseURL == "" {
		t.Errorf("the reply to %q did not use the response_url", c.Text)
	}
	return r
}

func TestSlashCommandsOverSocketMode(t *testing.T) {
	e := newEnv(t)
	stop := e.run(newRouter(e))
	defer stop()
	waitReady(t, e)
	steps := []struct {
		name      string
		cmd       slacktest.Command
		want      string
		inChannel bool
	}{
		{"help", slacktest.Command{Channel: deskChannel, User: annUser, Text: "help"}, "/herald subscribe <topic> — post alerts on a topic here", false},
		{"help says anyone may subscribe", slacktest.Command{Channel: deskChannel, User: annUser, Text: "help"}, "Anyone in this channel can subscribe it", false},
		{"help names the destination", slacktest.Command{Channel: deskChannel, User: annUser, Text: "help"}, "this channel is `slack:C0DESK`", false},
		{"no words is help", slacktest.Command{Channel: deskChannel, User: annUser}, "watches news feeds", false},
		{"topics", slacktest.Command{Channel: newsChannel, User: annUser, Text: "topics"}, "`nato-ukraine` — NATO's dealings with Ukraine _✓ posted here by the config_", false},
		{"subscribe", slacktest.Command{Channel: deskChannel, User: annUser, Text: "subscribe elections"}, "Subscribed: alerts on `elections` will be posted here.", true},
		{"subscribe again", slacktest.Command{Channel: deskChannel, User: annUser, Text: "subscribe Elections"}, "This chat follows `elections` already", false},
		{"typo", slacktest.Command{Channel: deskChannel, User: annUser, Text: "subscribe electons"}, "No topic “electons”; did you mean `elections`?", false},
		{"several words", slacktest.Command{Channel: deskChannel, User: annUser, Text: "SUBSCRIBE black sea grain"}, "Subscribed: alerts on `black-sea-grain`", true},
		{"subscriptions", slacktest.Command{Channel: deskChannel, User: annUser, Text: "subscriptions"}, "• `elections` — Votes everywhere", false},
		{"mute", slacktest.Command{Channel: deskChannel, User: annUser, Text: "mute elections 2h"}, "Muted", true},
		{"bad mute", slacktest.Command{Channel: deskChannel, User: annUser, Text: "mute elections soon"}, "“soon” is not a duration.", false},
		{"unmute", slacktest.Command{Channel: deskChannel, User: annUser, Text: "unmute elections"}, "Unmuted `elections`", true},
		{"unmute again", slacktest.Command{Channel: deskChannel, User: annUser, Text: "unmute elections"}, "`elections` is not muted here.", false},
		{"unsubscribe", slacktest.Command{Channel: deskChannel, User: annUser, Text: "unsubscribe elections"}, "Unsubscribed: no more alerts on `elections` here.", true},
		{"unknown command", slacktest.Command{Channel: deskChannel, User: annUser, Text: "frobnicate now"}, "I don't know `/herald frobnicate`", false},
		{"status", slacktest.Command{Channel: deskChannel, User: annUser, Text: "status"}, "Rules loaded: 3", false},
		{"latest", slacktest.Command{Channel: deskChannel, User: annUser, Text: "latest"}, "No alerts here yet.", false},
		{"a DM", slacktest.Command{Channel: dmChannel, ChannelName: "directmessage", User: annUser, Text: "subscribe grain"}, "No topic “grain”; did you mean `black-sea-grain`?", false},
		{"subscribe in a DM", slacktest.Command{Channel: dmChannel, ChannelName: "directmessage", User: annUser, Text: "subscribe black-sea-grain"}, "Subscribed", true},
		{"another command name", slacktest.Command{Channel: deskChannel, User: annUser, Command: "/news", Text: "frobnicate"}, "• /news help — ", false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			r := slash(t, e, st.cmd)
			if !strings.Contains(r.Rendered.Text, st.want) {
				t.Errorf("reply:\n%s\nwant %q", r.Rendered.Text, st.want)
			}
			if want := map[bool]string{true: "in_channel", false: "ephemeral"}[st.inChannel]; r.ResponseType != want {
				t.Errorf("response_type %q, want %s", r.ResponseType, want)
			}
			inert(t, r.Rendered)
		})
	}
	if got := subs(t, e, dest(deskChannel)); len(got) != 1 || got["black-sea-grain"] {
		t.Errorf("desk subscriptions %v, want black-sea-grain", got)
	}
	if got := subs(t, e, dest(dmChannel)); len(got) != 1 {
		t.Errorf("DM subscriptions %v", got)
	}
	if len(e.fake.BadFrames()) != 0 {
		t.Errorf("frames that are not acks: %v", e.fake.BadFrames())
	}
}

func TestHostileCommandTextIsInert(t *testing.T) {
	e := newEnv(t)
	stop := e.run(newRouter(e))
	defer stop()
	waitReady(t, e)
	for _, text := range []string{"&lt;!channel&gt; hi", "subscribe &lt;@U0CEO&gt; &amp; *x*", "latest <http://evil.example|click>"} {
		r := slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: text})
		inert(t, r.Rendered)
		inert(t, r.TextRendered)
	}
	r := slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "&lt;!channel&gt; hi"})
	if !strings.Contains(r.Rendered.Text, "I don't know `/herald <!channel>`") {
		t.Errorf("reply %q", r.Rendered.Text)
	}
}

func TestSlackAdmins(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Admins = []string{bossUser} })
	stop := e.run(newRouter(e))
	defer stop()
	waitReady(t, e)
	if r := slash(t, e, slacktest.Command{Channel: deskChannel, User: maxUser, Text: "help"}); !strings.Contains(r.Rendered.Text, "only herald's administrators can subscribe") {
		t.Errorf("help %q", r.Rendered.Text)
	}
	r := slash(t, e, slacktest.Command{Channel: deskChannel, User: maxUser, Text: "subscribe elections"})
	if !strings.Contains(r.Rendered.Text, "only herald's administrators can change what this channel follows") || r.ResponseType != "ephemeral" || len(subs(t, e, dest(deskChannel))) != 0 {
		t.Errorf("a member subscribed: %q %s %v", r.Rendered.Text, r.ResponseType, subs(t, e, dest(deskChannel)))
	}
	r = slash(t, e, slacktest.Command{Channel: deskChannel, User: bossUser, Text: "subscribe elections"})
	if !strings.Contains(r.Rendered.Text, "Subscribed") || r.ResponseType != "in_channel" {
		t.Errorf("an admin could not subscribe: %q", r.Rendered.Text)
	}
	// In a DM anyone manages their own subscriptions.
	if r := slash(t, e, slacktest.Command{Channel: dmChannel, User: maxUser, Text: "subscribe elections"}); !strings.Contains(r.Rendered.Text, "Subscribed") {
		t.Errorf("DM: %q", r.Rendered.Text)
	}
}

// blockingRouter holds every command until released.
type blockingRouter struct {
	Router
	release chan struct{}
}

func (b blockingRouter) Handle(ctx context.Context, req bot.Request) (bot.Message, error) {
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return b.Router.Handle(ctx, req)
}

func TestAckComesBeforeTheAnswer(t *testing.T) {
	e := newEnv(t)
	br := blockingRouter{Router: newRouter(e), release: make(chan struct{})}
	stop := e.run(br)
	defer stop()
	waitReady(t, e)
	first, _ := e.fake.SlashCommand(slacktest.Command{Channel: deskChannel, User: annUser, Text: "status"})
	second, _ := e.fake.AppMention(slacktest.Mention{Channel: newsChannel, User: annUser, Text: "<@U0HERALD> topics"})
	for _, env := range []string{first, second} {
		if _, ok := e.fake.WaitAck(waitFor, env); !ok {
			t.Fatalf("envelope %s not acked while its command was being handled", env)
		}
	}
	if n := len(e.fake.Messages()); n != 0 {
		t.Fatalf("%d replies before the router answered", n)
	}
	close(br.release)
	if _, ok := e.fake.WaitMessages(waitFor, 2); !ok {
		t.Fatalf("no replies after the router answered\n%s", e.logs.String())
	}
}

func TestAppMentions(t *testing.T) {
	e := newEnv(t)
	stop := e.run(newRouter(e))
	defer stop()
	waitReady(t, e)
	mention := func(m slacktest.Mention) string {
		t.Helper()
		env, err := e.fake.AppMention(m)
		if err != nil {
			t.Fatal(err)
		}
		if a, ok := e.fake.WaitAck(waitFor, env); !ok || a.Late {
			t.Fatalf("mention %q not acked in time", m.Text)
		}
		return env
	}
	waitMsgs := func(n int) []slacktest.Message {
		t.Helper()
		msgs, ok := e.fake.WaitMessages(waitFor, n)
		if !ok {
			t.Fatalf("%d messages, want %d\n%s", len(msgs), n, e.logs.String())
		}
		return msgs
	}

	// A subscription change is answered in the channel, in the mention's thread.
	mention(slacktest.Mention{Channel: deskChannel, User: annUser, Text: "<@U0HERALD> subscribe elections", TS: "1700000500.000001", ThreadTS: "1700000400.000001"})
	m := waitMsgs(1)[0]
	if m.Ephemeral || m.ThreadTS != "1700000400.000001" || !strings.Contains(m.Rendered.Text, "Subscribed: alerts on `elections`") {
		t.Errorf("reply %+v", m)
	}
	if u := m.UnfurlLinks(); u == nil || *u {
		t.Error("a reply unfurls links")
	}
	if got := subs(t, e, dest(deskChannel)); len(got) != 1 || got["elections"] {
		t.Errorf("subscriptions %v, want elections", got)
	}

	// A mention at the top level is answered in the open, in a thread of
	// the mention, with Slack's wording.
	mention(slacktest.Mention{Channel: deskChannel, User: annUser, Text: "<@U0HERALD|herald>: help", TS: "1700000600.000001"})
	m = waitMsgs(2)[1]
	if m.Ephemeral || m.ThreadTS != "1700000600.000001" || !strings.Contains(m.Rendered.Text, "@herald subscribe <topic>") {
		t.Errorf("help reply %+v", m)
	}
	for _, not := range []string{"@herald start", "this chat"} {
		if strings.Contains(m.Rendered.Text, not) {
			t.Errorf("Slack help says %q:\n%s", not, m.Rendered.Text)
		}
	}

	// Bots' mentions and redelivered events are not answered.
	mention(slacktest.Mention{Channel: deskChannel, User: "U0OTHERBOT", BotID: "B0OTHER", Text: "<@U0HERALD> status"})
	mention(slacktest.Mention{Channel: deskChannel, User: annUser, Text: "<@U0HERALD> status", EventID: "Ev-dup"})
	mention(slacktest.Mention{Channel: deskChannel, User: annUser, Text: "<@U0HERALD> status", EventID: "Ev-dup", RetryAttempt: 1})
	mention(slacktest.Mention{Channel: deskChannel, User: annUser, Text: "<@U0HERALD> latest"})
	waitMsgs(4)
	stop() // every command handled
	var status, latest int
	msgs := e.fake.Messages()
	for _, m := range msgs[2:] {
		if strings.Contains(m.Rendered.Text, "herald status") {
			status++
		}
		if strings.Contains(m.Rendered.Text, "No alerts here yet.") {
			latest++
		}
	}
	if len(msgs) != 4 || status != 1 || latest != 1 {
		for _, m := range msgs {
			t.Logf("%q", m.Rendered.Text)
		}
		t.Errorf("%d messages; want one status and one latest after the help", len(msgs))
	}
}

func TestCommandResumesPausedChannel(t *testing.T) {
	e := newEnv(t)
	stop := e.run(newRouter(e))
	defer stop()
	waitReady(t, e)
	subscribe(t, e, dest(deskChannel), "elections")
	if _, err := e.db.SetChatPaused(t.Context(), news.Slack, deskChannel, true); err != nil {
		t.Fatal(err)
	}
	r := slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "subscriptions"})
	if subs(t, e, dest(deskChannel))["elections"] || strings.Contains(r.Rendered.Text, "paused") {
		t.Errorf("still paused: %v, %q", subs(t, e, dest(deskChannel)), r.Rendered.Text)
	}
}

func TestSocketModeReconnects(t *testing.T) {
	e := newEnv(t)
	stop := e.run(newRouter(e))
	defer stop()
	waitReady(t, e)

	if err := e.fake.Disconnect("refresh_requested"); err != nil {
		t.Fatal(err)
	}
	if !e.fake.WaitConnections(waitFor, 2) {
		t.Fatalf("no new connection after a disconnect frame\n%s", e.logs.String())
	}
	slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "status"})

	e.fake.Drop()
	if !e.fake.WaitConnections(waitFor, 3) {
		t.Fatalf("no new connection after the connection dropped\n%s", e.logs.String())
	}
	r := slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "status"})
	if !strings.Contains(r.Rendered.Text, "herald status") {
		t.Errorf("reply %q", r.Rendered.Text)
	}
	acks := e.fake.Acks()
	if last := acks[len(acks)-1]; last.Conn != 3 {
		t.Errorf("the last ack came on connection %d, want 3", last.Conn)
	}
}

func TestSocketModeReconnectsWithoutPings(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.PingInterval = 50 * time.Millisecond })
	stop := e.run(newRouter(e))
	defer stop()
	// The fake sends no pings: the client takes the connection for dead
	// and opens another.
	if !e.fake.WaitConnections(waitFor, 2) {
		t.Fatalf("no reconnection without pings\n%s", e.logs.String())
	}
}

func TestSocketModePingsKeepTheConnection(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.PingInterval = 250 * time.Millisecond })
	e.fake.SetPingEvery(5 * time.Millisecond)
	stop := e.run(newRouter(e))
	defer stop()
	waitReady(t, e)
	// 80 pings take longer than the interval: with pings coming, the client
	// keeps its connection (and answers each with a pong).
	if !e.fake.Wait(waitFor, func() bool { return e.fake.Pongs() >= 80 }) {
		t.Fatalf("the client answered %d pings", e.fake.Pongs())
	}
	if n := e.fake.Connections(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

func TestRefusedAppTokenIsRetried(t *testing.T) {
	e := newEnv(t)
	e.fake.SetAppAuthError(slacktest.ErrInvalidAuth)
	stop := e.run(newRouter(e))
	defer stop()
	if !e.fake.Wait(waitFor, func() bool { return e.fake.Calls("apps.connections.open") >= 2 }) {
		t.Fatalf("apps.connections.open was not retried\n%s", e.logs.String())
	}
	if !strings.Contains(e.logs.String(), "Slack refused the app-level token") {
		t.Errorf("no advice in the log:\n%s", e.logs.String())
	}
	e.fake.SetAppAuthError("")
	waitReady(t, e)
	slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "help"})
}

func TestRefusedBotTokenAtStart(t *testing.T) {
	e := newEnv(t)
	subscribe(t, e, dest(newsChannel), "elections")
	e.fake.SetAuthError(slacktest.ErrTokenRevoked)
	stop := e.run(newRouter(e))
	defer stop()
	if !e.fake.Wait(waitFor, func() bool { return subs(t, e, dest(newsChannel))["elections"] }) {
		t.Fatalf("a refused token at auth.test paused nothing\n%s", e.logs.String())
	}
	e.fake.SetAuthError("")
	if !e.fake.Wait(waitFor, func() bool { return e.client.BotUser() != "" && !subs(t, e, dest(newsChannel))["elections"] }) {
		t.Fatalf("the subscription was not resumed once the token worked\n%s", e.logs.String())
	}
}

// post sends a signed slash command to the bot's HTTP endpoint.
func post(t *testing.T, e *env, target string, c slacktest.Command, sg slacktest.Signing) (int, string) {
	t.Helper()
	req, err := e.fake.CommandRequest(t.Context(), target, c, sg)
	return testkit.Do(t, req, err)
}

func TestSlashCommandsOverHTTP(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.AppToken = "" })
	target := e.listen()
	stop := e.run(newRouter(e))
	defer stop()
	if !e.fake.Wait(waitFor, func() bool { return e.client.BotUser() != "" }) {
		t.Fatal("no auth.test")
	}
	now := e.clock.Now()
	subscribeDesk := slacktest.Command{Channel: deskChannel, User: annUser, Text: "subscribe elections"}

	// Refused before anything is parsed: 401, nothing stored, nothing said.
	for name, sg := range map[string]slacktest.Signing{
		"bad signature":        {Secret: "not-the-secret", At: now},
		"body changed":         {At: now, Tamper: true},
		"6 minutes old":        {At: now.Add(-6 * time.Minute)},
		"6 minutes ahead":      {At: now.Add(6 * time.Minute)},
		"no timestamp":         {At: now, NoTimestamp: true},
		"no signature":         {At: now, NoSignature: true},
		"no headers":           {At: now, NoTimestamp: true, NoSignature: true},
		"an hour old, re-sent": {At: now.Add(-time.Hour)},
	} {
		if code, _ := post(t, e, target, subscribeDesk, sg); code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, code)
		}
	}
	if len(subs(t, e, dest(deskChannel))) != 0 || len(e.fake.Messages()) != 0 || strings.Contains(e.logs.String(), "msg=command") {
		t.Fatalf("a refused request had an effect: subscriptions %v, messages %d\n%s", subs(t, e, dest(deskChannel)), len(e.fake.Messages()), e.logs.String())
	}

	// A signed command 4 minutes old is accepted, answered at once with an
	// empty body, and replied to at its response_url.
	code, body := post(t, e, target, subscribeDesk, slacktest.Signing{At: now.Add(-4 * time.Minute)})
	if code != http.StatusOK || body != "" {
		t.Fatalf("status %d body %q, want 200 and nothing", code, body)
	}
	msgs, ok := e.fake.WaitMessages(waitFor, 1)
	if !ok || msgs[0].ResponseType != "in_channel" || !strings.Contains(msgs[0].Rendered.Text, "Subscribed: alerts on `elections`") {
		t.Fatalf("reply %+v\n%s", msgs, e.logs.String())
	}
	if got := subs(t, e, dest(deskChannel)); len(got) != 1 || got["elections"] {
		t.Errorf("subscriptions %v, want elections", got)
	}
	code, _ = post(t, e, target, slacktest.Command{Channel: deskChannel, User: annUser, Text: "help"}, slacktest.Signing{At: now})
	if msgs, ok := e.fake.WaitMessages(waitFor, 2); code != http.StatusOK || !ok || msgs[1].ResponseType != "ephemeral" {
		t.Errorf("help: status %d, replies %+v", code, msgs)
	}

	// Only POST to the command path.
	resp, err := http.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
}

func TestValidSignatureMatchesSlack(t *testing.T) {
	body := []byte("token=x&team_id=T1&text=subscribe+grain")
	sig := slacktest.Sign(signingSecret, 1700000000, body)
	if !validSignature(signingSecret, "1700000000", body, sig) {
		t.Error("a correct signature refused")
	}
	for name, bad := range map[string]string{
		"other secret": slacktest.Sign("other", 1700000000, body),
		"other time":   slacktest.Sign(signingSecret, 1700000001, body),
		"no prefix":    strings.TrimPrefix(sig, "v0="),
		"v1":           "v1=" + strings.TrimPrefix(sig, "v0="),
		"not hex":      "v0=zz",
		"short":        sig[:20],
		"empty":        "",
	} {
		if validSignature(signingSecret, "1700000000", body, bad) {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestResponseURLAllowed(t *testing.T) {
	e := newEnv(t)
	for u, want := range map[string]bool{
		"https://hooks.slack.com/commands/T1/1/abc": true,
		"https://hooks.slack-gov.com/commands/x":    true,
		e.fake.URL + "/response/r1":                 true, // the configured API server
		"http://hooks.slack.com/commands/x":         false,
		"https://evil.example/slack.com":            false,
		"https://slack.com.evil.example/x":          false,
		"not a url":                                 false,
	} {
		if got := e.client.responseURLAllowed(u); got != want {
			t.Errorf("responseURLAllowed(%q) = %t, want %t", u, got, want)
		}
	}
}

// TestReplyAnsweredByAProxy: a reply that Slack's API did not confirm (an
// answer without ok) is logged as not delivered, with what came back.
func TestReplyAnsweredByAProxy(t *testing.T) {
	e := newEnv(t)
	stop := e.run(newRouter(e))
	defer stop()
	waitReady(t, e)
	e.fake.FailNext("chat.postMessage", slacktest.NotWebAPI(200, "text/html", "<html>Sign in to the proxy</html>"))
	env, err := e.fake.AppMention(slacktest.Mention{Channel: deskChannel, User: annUser, Text: "<@U0HERALD> help", TS: "1700000700.000001"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.fake.WaitAck(waitFor, env); !ok {
		t.Fatal("mention not acked")
	}
	if !e.fake.Wait(waitFor, func() bool { return strings.Contains(e.logs.String(), "could not reply to a command") }) {
		t.Fatalf("the lost reply was not logged:\n%s", e.logs.String())
	}
	if logs := e.logs.String(); !strings.Contains(logs, "not a Slack Web API answer") || !strings.Contains(logs, "HTTP 200 OK, body: <html>Sign in to the proxy</html>") {
		t.Errorf("the log does not say what came back:\n%s", logs)
	}
}
