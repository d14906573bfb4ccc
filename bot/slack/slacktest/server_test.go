package slacktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"herald/internal/testkit"
)

const (
	botToken = "xoxb-test-bot"
	appToken = "xapp-test-app"
	secret   = "signing-secret"
)

func newFake(t *testing.T) (*Server, *slack.Client) {
	t.Helper()
	s := New(t, Options{BotToken: botToken, AppToken: appToken, SigningSecret: secret})
	s.AddChannel(Channel{ID: "C1", Name: "news"})
	s.AddChannel(Channel{ID: "C2", Name: "desk"})
	api := slack.New(botToken, slack.OptionAPIURL(s.APIURL), slack.OptionAppLevelToken(appToken))
	return s, api
}

func section(text string) slack.Block {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, true), nil, nil)
}

func slackErr(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

func TestAuthTest(t *testing.T) {
	s, api := newFake(t)
	resp, err := api.AuthTestContext(t.Context())
	if err != nil || resp.UserID != BotUserID || resp.TeamID != TeamID || resp.User != BotName {
		t.Fatalf("auth.test = %+v, %v", resp, err)
	}
	bad := slack.New("xoxb-wrong", slack.OptionAPIURL(s.APIURL))
	if _, err := bad.AuthTestContext(t.Context()); slackErr(err) != ErrInvalidAuth {
		t.Errorf("wrong token: %v", err)
	}
	s.SetAuthError(ErrAccountInactive)
	if _, err := api.AuthTestContext(t.Context()); slackErr(err) != ErrAccountInactive {
		t.Errorf("deactivated: %v", err)
	}
	// No token at all.
	resp2, err := http.Post(s.APIURL+"auth.test", "application/x-www-form-urlencoded", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	if !strings.Contains(string(body), `"error":"not_authed"`) || resp2.StatusCode != 200 {
		t.Errorf("no token: %d %s", resp2.StatusCode, body)
	}
}

func TestPostMessage(t *testing.T) {
	s, api := newFake(t)
	ctx := t.Context()
	ch, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionBlocks(section("*<https://e.example/?a=1&amp;b=2|Title &amp; more>*")),
		slack.MsgOptionText("Title & more", true), slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionTS("1700000000.000001"))
	if err != nil || ch != "C1" || ts == "" {
		t.Fatalf("post = %s %s %v", ch, ts, err)
	}
	_, ts2, _ := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("again", true))
	if ts2 <= ts {
		t.Errorf("ts %s after %s: not increasing", ts2, ts)
	}
	m := s.Posts("C1")[0]
	if m.ThreadTS != "1700000000.000001" || m.Text != "Title &amp; more" || *m.UnfurlLinks() {
		t.Errorf("message %+v", m)
	}
	if m.Rendered.Text != "*Title & more*" || len(m.Rendered.Links) != 1 || m.Rendered.Links[0].URL != "https://e.example/?a=1&b=2" || len(m.Rendered.Problems) != 0 {
		t.Errorf("rendered %+v", m.Rendered)
	}
	if r := s.Requests()[0]; r.Token != botToken || r.Params.Has("token") {
		t.Errorf("request token %q, params %v", r.Token, r.Params)
	}

	// JSON body with a Bearer token, as the docs allow.
	req, _ := http.NewRequest(http.MethodPost, s.APIURL+"chat.postMessage", strings.NewReader(`{"channel":"C2","text":"hi"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+botToken)
	testkit.Do(t, req, nil)
	if p := s.Posts("C2"); len(p) != 1 || p[0].Text != "hi" {
		t.Errorf("JSON post: %+v", p)
	}
}

func TestPostMessageRefusals(t *testing.T) {
	s, api := newFake(t)
	s.AddChannel(Channel{ID: "C3", Name: "old", Archived: true})
	s.AddChannel(Channel{ID: "C4", Name: "closed", NotMember: true})
	var many []slack.Block
	for i := 0; i < 51; i++ {
		many = append(many, section("x"))
	}
	ctx := t.Context()
	for name, tc := range map[string]struct {
		channel string
		opts    []slack.MsgOption
		code    string
		msg     string
	}{
		"unknown channel":   {"C9", []slack.MsgOption{slack.MsgOptionText("x", true)}, ErrChannelNotFound, ""},
		"a channel by name": {"#news", []slack.MsgOption{slack.MsgOptionText("x", true)}, ErrChannelNotFound, ""},
		"archived":          {"C3", []slack.MsgOption{slack.MsgOptionText("x", true)}, ErrIsArchived, ""},
		"not a member":      {"C4", []slack.MsgOption{slack.MsgOptionText("x", true)}, ErrNotInChannel, ""},
		"nothing":           {"C1", nil, ErrNoText, ""},
		"51 blocks":         {"C1", []slack.MsgOption{slack.MsgOptionBlocks(many...)}, ErrInvalidBlocks, "no more than 50 items allowed [json-pointer:/blocks]"},
		"long section":      {"C1", []slack.MsgOption{slack.MsgOptionBlocks(section("a"), section(strings.Repeat("é", 3001)))}, ErrInvalidBlocks, "must be less than 3001 characters [json-pointer:/blocks/1/text/text]"},
		"header too long":   {"C1", []slack.MsgOption{slack.MsgOptionBlocks(slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("h", 151), false, false)))}, ErrInvalidBlocks, "must be less than 151 characters"},
	} {
		_, _, err := api.PostMessageContext(ctx, tc.channel, tc.opts...)
		var se slack.SlackErrorResponse
		if !errors.As(err, &se) || se.Err != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
			continue
		}
		if tc.msg != "" && (len(se.ResponseMetadata.Messages) == 0 || !strings.Contains(se.ResponseMetadata.Messages[0], tc.msg)) {
			t.Errorf("%s: messages %v, want %q", name, se.ResponseMetadata.Messages, tc.msg)
		}
	}
	if n := len(s.Messages()); n != 0 {
		t.Errorf("%d messages accepted", n)
	}
}

func TestLongTextIsTruncated(t *testing.T) {
	s, api := newFake(t)
	if _, _, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText(strings.Repeat("a", MaxText+10), true)); err != nil {
		t.Fatal(err)
	}
	m := s.Posts("C1")[0]
	if !m.Truncated || len(m.Text) != MaxText {
		t.Errorf("truncated %t, %d characters", m.Truncated, len(m.Text))
	}
	// The answer warns; slack-go v0.35.0 does not pass chat.postMessage's
	// warnings to OptionOnWarning, so read the answer itself.
	form := "channel=C1&token=" + botToken + "&text=" + strings.Repeat("b", MaxText+1)
	resp, err := http.Post(s.APIURL+"chat.postMessage", "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		OK   bool `json:"ok"`
		Meta struct {
			Warnings []string `json:"warnings"`
		} `json:"response_metadata"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || !body.OK || len(body.Meta.Warnings) != 1 || body.Meta.Warnings[0] != "message_truncated" {
		t.Errorf("answer %+v, %v", body, err)
	}
}

func TestScriptedFailures(t *testing.T) {
	s, api := newFake(t)
	ctx := t.Context()
	s.FailNextTo("C1", RateLimited(3))
	s.FailNext("chat.postMessage", ServerError(503), RatelimitedBody(), APIError("internal_error"))
	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", true))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
		t.Errorf("429: %v", err)
	}
	_, _, err = api.PostMessageContext(ctx, "C2", slack.MsgOptionText("x", true))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != 503 {
		t.Errorf("503: %v", err)
	}
	if _, _, err = api.PostMessageContext(ctx, "C2", slack.MsgOptionText("x", true)); slackErr(err) != ErrRateLimited {
		t.Errorf("ratelimited: %v", err)
	}
	if _, _, err = api.PostMessageContext(ctx, "C2", slack.MsgOptionText("x", true)); slackErr(err) != "internal_error" {
		t.Errorf("internal_error: %v", err)
	}
	if _, _, err = api.PostMessageContext(ctx, "C2", slack.MsgOptionText("x", true)); err != nil {
		t.Errorf("after the script: %v", err)
	}
}

func TestConversationsList(t *testing.T) {
	s, api := newFake(t)
	s.AddChannel(Channel{ID: "G1", Name: "secret", Private: true})
	s.AddChannel(Channel{ID: "G2", Name: "hidden", Private: true, NotMember: true})
	s.AddChannel(Channel{ID: "C3", Name: "old", Archived: true})
	s.SetPageSize(2)
	var names []string
	cursor := ""
	for {
		chans, next, err := api.GetConversationsContext(t.Context(), &slack.GetConversationsParameters{Cursor: cursor, Types: []string{"public_channel", "private_channel"}, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range chans {
			names = append(names, c.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if strings.Join(names, ",") != "news,desk,old,secret" {
		t.Errorf("channels %v", names)
	}
	if s.ListCalls() != 2 {
		t.Errorf("%d calls", s.ListCalls())
	}
	if _, _, err := api.GetConversationsContext(t.Context(), &slack.GetConversationsParameters{Cursor: "bogus"}); slackErr(err) != ErrInvalidCursor {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestInspect(t *testing.T) {
	for _, tc := range []struct {
		in         string
		text       string
		links      int
		mentions   int
		broadcasts int
		problems   int
	}{
		{"plain &amp; &lt;safe&gt;", "plain & <safe>", 0, 0, 0, 0},
		{"<!channel> hi <!here|here> <!everyone>", "@channel hi @here @everyone", 0, 0, 3, 0},
		{"<@U1> <@W2|bob> <#C1|news> <!subteam^S1|@team>", "@U1 @bob #news @team", 0, 4, 0, 0},
		{"<https://e.example/?a=1&amp;b=2|the &lt;site&gt;> <mailto:a@b.example>", "the <site> mailto:a@b.example", 2, 0, 0, 0},
		{"<script>x</script>", "<script>x</script>", 0, 0, 0, 2},
		{"a < b & c", "a < b & c", 0, 0, 0, 2},
		{"> quoted\nnot > quoted", "> quoted\nnot > quoted", 0, 0, 0, 1},
		{"<http://e.example|a & b>", "a & b", 1, 0, 0, 1},
	} {
		r := Inspect(tc.in)
		if r.Text != tc.text || len(r.Links) != tc.links || len(r.Mentions) != tc.mentions || len(r.Broadcasts) != tc.broadcasts || len(r.Problems) != tc.problems {
			t.Errorf("Inspect(%q) = %+v", tc.in, r)
		}
	}
}

func TestResponseURL(t *testing.T) {
	s, api := newFake(t)
	u := s.newResponseURL("C1", "U1")
	for i := 0; i < ResponseURLUses; i++ {
		_, _, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionResponseURL(u, slack.ResponseTypeInChannel),
			slack.MsgOptionBlocks(section("*hi*")), slack.MsgOptionText("hi", true))
		if err != nil {
			t.Fatalf("use %d: %v", i+1, err)
		}
	}
	_, _, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionResponseURL(u, slack.ResponseTypeEphemeral), slack.MsgOptionText("hi", true))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusNotFound {
		t.Errorf("sixth use: %v", err)
	}
	r := s.Replies("C1")
	if len(r) != ResponseURLUses || r[0].ResponseType != "in_channel" || r[0].Rendered.Text != "*hi*" || r[0].Ephemeral {
		t.Errorf("replies %+v", r)
	}
}

// verifyingServer checks each request's signature with slack-go's
// verifier, as an app would, answering 401 when it does not hold, and hands
// the request on to parse, its body readable again.
func verifyingServer(t *testing.T, parse func(*http.Request)) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		sv.Write(body)
		if err := sv.Ensure(); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		parse(r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSignMatchesSlackGo(t *testing.T) {
	s, _ := newFake(t)
	var got slack.SlashCommand
	srv := verifyingServer(t, func(r *http.Request) { got, _ = slack.SlashCommandParse(r) })
	for name, tc := range map[string]struct {
		sg   Signing
		want int
	}{
		"signed":       {Signing{}, 200},
		"wrong":        {Signing{Secret: "other"}, 401},
		"stale":        {Signing{At: time.Now().Add(-6 * time.Minute)}, 401},
		"no headers":   {Signing{NoTimestamp: true, NoSignature: true}, 401},
		"tampered":     {Signing{Tamper: true}, 401},
		"no signature": {Signing{NoSignature: true}, 401},
	} {
		req, err := s.CommandRequest(t.Context(), srv.URL, Command{Channel: "C1", User: "U1", Text: "subscribe grain"}, tc.sg)
		if got, _ := testkit.Do(t, req, err); got != tc.want {
			t.Errorf("%s: %d, want %d", name, got, tc.want)
		}
	}
	if got.ChannelID != "C1" || got.Command != "/herald" || got.Text != "subscribe grain" || !strings.HasPrefix(got.ResponseURL, s.URL+"/response/") || got.TeamID != TeamID {
		t.Errorf("parsed %+v", got)
	}
}

// TestSocketMode drives the WebSocket side with slack-go's socketmode client.
func TestSocketMode(t *testing.T) {
	s, api := newFake(t)
	sm := socketmode.New(api, socketmode.OptionPingInterval(time.Hour))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- sm.RunContext(ctx) }()
	events := make(chan socketmode.Event, 100)
	go func() {
		for {
			select {
			case ev := <-sm.Events:
				if ev.Request != nil && ev.Request.EnvelopeID != "" {
					_ = sm.Ack(*ev.Request, map[string]string{"text": "ok"})
				}
				events <- ev
			case <-ctx.Done():
				return
			}
		}
	}()
	next := func(kind socketmode.EventType) socketmode.Event {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case ev := <-events:
				if ev.Type == kind {
					return ev
				}
			case <-timeout:
				t.Fatalf("no %s event", kind)
			}
		}
	}
	next(socketmode.EventTypeHello)
	env, err := s.SlashCommand(Command{Channel: "C1", User: "U1", Text: "status"})
	if err != nil {
		t.Fatal(err)
	}
	ev := next(socketmode.EventTypeSlashCommand)
	if cmd := ev.Data.(slack.SlashCommand); cmd.Text != "status" || cmd.ChannelID != "C1" {
		t.Errorf("slash command %+v", cmd)
	}
	ack, ok := s.WaitAck(10*time.Second, env)
	if !ok || ack.Late || string(ack.Payload) != `{"text":"ok"}` {
		t.Errorf("ack %+v", ack)
	}
	if _, err := s.AppMention(Mention{Channel: "C2", User: "U1", Text: "<@U0HERALD> help", ThreadTS: "1.1"}); err != nil {
		t.Fatal(err)
	}
	ev = next(socketmode.EventTypeEventsAPI)
	m, ok := ev.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.AppMentionEvent)
	if !ok || m.Text != "<@U0HERALD> help" || m.ThreadTimeStamp != "1.1" {
		t.Errorf("mention %+v", ev.Data)
	}
	if err := s.Disconnect("refresh_requested"); err != nil {
		t.Fatal(err)
	}
	if !s.WaitConnections(10*time.Second, 2) {
		t.Fatal("no reconnection after disconnect")
	}
	s.Drop()
	if !s.WaitConnections(10*time.Second, 3) {
		t.Fatal("no reconnection after a dropped connection")
	}
	cancel()
	<-done
}

func TestSocketModeRefusedToken(t *testing.T) {
	s, _ := newFake(t)
	api := slack.New(botToken, slack.OptionAPIURL(s.APIURL), slack.OptionAppLevelToken("xapp-wrong"))
	sm := socketmode.New(api)
	go func() {
		for range sm.Events {
		}
	}()
	err := sm.RunContext(t.Context())
	if slackErr(err) != ErrInvalidAuth {
		t.Errorf("RunContext = %v, want invalid_auth", err)
	}
	// A used or unknown ticket is refused at the handshake.
	resp, err := http.Get(s.URL + "/link/?ticket=t999")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown ticket: %d", resp.StatusCode)
	}
}

func TestCheckBlocksReadsContext(t *testing.T) {
	raw, _ := json.Marshal([]slack.Block{
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, "a &amp; b", false, true), slack.NewTextBlockObject(slack.MarkdownType, "c", false, true)),
		slack.NewDividerBlock(),
	})
	types, r, code, _ := CheckBlocks(raw)
	if code != "" || strings.Join(types, ",") != "context,divider" || r.Text != "a & b | c\n---" {
		t.Errorf("%v %q %s", types, r.Text, code)
	}
}
