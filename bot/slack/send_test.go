package slack

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"herald/bot"
	"herald/bot/slack/slacktest"
	"herald/news"
)

const articleURL = "https://wire.example.org/2026/11/18/nuc-air-defence?a=1&b=2"

func TestSendAlert(t *testing.T) {
	e := newEnv(t)
	if err := e.keep(e.client.Send(t.Context(), sampleAlert(dest(newsChannel)))); err != nil {
		t.Fatal(err)
	}
	posts := e.fake.Posts(newsChannel)
	if len(posts) != 1 {
		t.Fatalf("posted %d messages, want 1", len(posts))
	}
	m := posts[0]
	if strings.Join(m.BlockTypes, " ") != "section context section section section" {
		t.Errorf("blocks %v", m.BlockTypes)
	}
	if u, um := m.UnfurlLinks(), m.UnfurlMedia(); u == nil || *u || um == nil || *um {
		t.Errorf("unfurl_links %v unfurl_media %v; want both false", m.Params.Get("unfurl_links"), m.Params.Get("unfurl_media"))
	}
	if m.ThreadTS != "" {
		t.Errorf("posted in thread %q", m.ThreadTS)
	}
	if !strings.HasPrefix(m.Text, "NATO–Ukraine Council agrees") || !strings.Contains(m.Text, "topic: nato-ukraine") {
		t.Errorf("notification text %q", m.Text)
	}
	inert(t, m.Rendered, articleURL)
	inert(t, m.TextRendered)
	if len(m.Rendered.Links) != 1 {
		t.Errorf("links %+v, want the title's", m.Rendered.Links)
	}
	if r := e.fake.Requests(); len(r) != 1 || r[0].Method != "chat.postMessage" || r[0].Token != botToken {
		t.Errorf("requests %+v; want one chat.postMessage with the bot token", r)
	}
}

func TestSendToThread(t *testing.T) {
	e := newEnv(t)
	if err := e.keep(e.client.Send(t.Context(), sampleAlert(dest(newsChannel+"/1700000000.000100")))); err != nil {
		t.Fatal(err)
	}
	if m := e.fake.Posts(newsChannel); len(m) != 1 || m[0].ThreadTS != "1700000000.000100" {
		t.Errorf("posts %+v; want one in the thread", m)
	}
}

func TestLinkUnfurlOption(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.LinkUnfurl = true })
	if err := e.keep(e.client.Send(t.Context(), sampleAlert(dest(newsChannel)))); err != nil {
		t.Fatal(err)
	}
	m := e.fake.Posts(newsChannel)[0]
	if u := m.UnfurlLinks(); u == nil || !*u || m.UnfurlMedia() != nil {
		t.Errorf("link_unfurl: true, but unfurl_links=%q unfurl_media=%q", m.Params.Get("unfurl_links"), m.Params.Get("unfurl_media"))
	}
}

func TestSendToChannelName(t *testing.T) {
	e := newEnv(t)
	for _, c := range []slacktest.Channel{
		{ID: "C0A", Name: "alpha"}, {ID: "C0B", Name: "beta"}, {ID: "G0PRIV", Name: "private-desk", Private: true},
	} {
		e.fake.AddChannel(c)
	}
	e.fake.SetPageSize(2) // five channels: three pages
	ctx := t.Context()
	for _, d := range []string{"#news", "#desk", "#private-desk", "#news/1700000000.000200"} {
		if err := e.keep(e.client.Send(ctx, sampleAlert(dest(d)))); err != nil {
			t.Fatalf("send to %s: %v", d, err)
		}
	}
	if got := e.fake.ListCalls(); got != 3 {
		t.Errorf("conversations.list called %d times, want 3 (one listing of three pages, then the cache)", got)
	}
	if len(e.fake.Posts(newsChannel)) != 2 || len(e.fake.Posts(deskChannel)) != 1 || len(e.fake.Posts("G0PRIV")) != 1 {
		t.Errorf("posts: news %d, desk %d, private %d", len(e.fake.Posts(newsChannel)), len(e.fake.Posts(deskChannel)), len(e.fake.Posts("G0PRIV")))
	}
	for _, r := range e.fake.Requests() {
		if r.Method == "conversations.list" && r.Params.Get("types") != "public_channel,private_channel" {
			t.Errorf("conversations.list types %q", r.Params.Get("types"))
		}
	}

	// An unknown name: the subscriptions under it are paused, and the
	// channels are not listed again for every alert.
	subscribe(t, e, dest("#nope"), "grain")
	err := e.keep(e.client.Send(ctx, sampleAlert(dest("#nope"))))
	if !isPermanent(err) || !subs(t, e, dest("#nope"))["grain"] {
		t.Fatalf("Send to #nope = %v, subscriptions %v; want permanent and paused", err, subs(t, e, dest("#nope")))
	}
	calls := e.fake.ListCalls()
	e.keep(e.client.Send(ctx, sampleAlert(dest("#nope"))))
	if e.fake.ListCalls() != calls {
		t.Error("an unknown name listed the channels again at once")
	}
	// A channel created since is found after a minute.
	e.fake.AddChannel(slacktest.Channel{ID: "C0NOPE", Name: "nope"})
	e.clock.Add(2 * time.Minute)
	if err := e.keep(e.client.Send(ctx, sampleAlert(dest("#nope")))); err != nil || len(e.fake.Posts("C0NOPE")) != 1 {
		t.Errorf("after the channel was created: %v, %d posts", err, len(e.fake.Posts("C0NOPE")))
	}
}

func TestSendFailures(t *testing.T) {
	const channel = newsChannel
	cases := []struct {
		name  string
		setup func(e *env)
		// check runs after one Send to slack:C0NEWS that returned err.
		check func(t *testing.T, e *env, err error)
	}{
		{
			name:  "429 waits Retry-After and delivers once",
			setup: func(e *env) { e.fake.FailNextTo(channel, slacktest.RateLimited(1)) },
			check: func(t *testing.T, e *env, err error) {
				if err != nil {
					t.Fatalf("Send = %v, want nil after the wait", err)
				}
				if got := e.sleep.Waits(); len(got) != 1 || got[0] != time.Second {
					t.Errorf("waited %v, want [1s]", got)
				}
				if n := len(e.fake.Posts(channel)); n != 1 {
					t.Errorf("delivered %d times, want once", n)
				}
			},
		},
		{
			name:  "429 twice waits twice",
			setup: func(e *env) { e.fake.FailNextTo(channel, slacktest.RateLimited(1), slacktest.RateLimited(2)) },
			check: func(t *testing.T, e *env, err error) {
				if err != nil || len(e.fake.Posts(channel)) != 1 {
					t.Fatalf("Send = %v, posted %d; want delivered once", err, len(e.fake.Posts(channel)))
				}
				if got := e.sleep.Waits(); len(got) != 2 || got[1] != 2*time.Second {
					t.Errorf("waited %v, want [1s 2s]", got)
				}
			},
		},
		{
			name: "429 again and again goes back to the dispatcher",
			setup: func(e *env) {
				e.fake.FailNextTo(channel, slacktest.RateLimited(1), slacktest.RateLimited(1), slacktest.RateLimited(1), slacktest.RateLimited(1))
			},
			check: func(t *testing.T, e *env, err error) {
				var ra *bot.RetryAfterError
				if !errors.As(err, &ra) || ra.After != time.Second || isPermanent(err) {
					t.Fatalf("Send = %v, want a *bot.RetryAfterError of 1s", err)
				}
				if len(e.sleep.Waits()) != maxRateRetries || len(e.fake.Posts(channel)) != 0 {
					t.Errorf("waits %v, posts %d", e.sleep.Waits(), len(e.fake.Posts(channel)))
				}
			},
		},
		{
			name:  "long 429 goes back to the dispatcher",
			setup: func(e *env) { e.fake.FailNextTo(channel, slacktest.RateLimited(600)) },
			check: func(t *testing.T, e *env, err error) {
				var ra *bot.RetryAfterError
				if !errors.As(err, &ra) || ra.After != 600*time.Second {
					t.Fatalf("Send = %v, want a *bot.RetryAfterError of 10m", err)
				}
				if isPermanent(err) || len(e.sleep.Waits()) != 0 || len(e.fake.Messages()) != 0 {
					t.Errorf("permanent %t, waits %v, sent %d", isPermanent(err), e.sleep.Waits(), len(e.fake.Messages()))
				}
			},
		},
		{
			name:  "ratelimited without Retry-After is retried later",
			setup: func(e *env) { e.fake.FailNextTo(channel, slacktest.RatelimitedBody()) },
			check: transientCheck,
		},
		{
			name:  "500 is retried later",
			setup: func(e *env) { e.fake.FailNextTo(channel, slacktest.ServerError(500)) },
			check: transientCheck,
		},
		{
			name:  "503 page is retried later",
			setup: func(e *env) { e.fake.FailNextTo(channel, slacktest.ServerError(503)) },
			check: transientCheck,
		},
		{
			name:  "internal_error is retried later",
			setup: func(e *env) { e.fake.FailNextTo(channel, slacktest.APIError("internal_error")) },
			check: transientCheck,
		},
		{
			name:  "missing_scope is retried later, with advice",
			setup: func(e *env) { e.fake.FailNextTo(channel, slacktest.APIError("missing_scope")) },
			check: func(t *testing.T, e *env, err error) {
				transientCheck(t, e, err)
				if !strings.Contains(e.logs.String(), "add chat:write") {
					t.Error("no advice about the scope in the log")
				}
			},
		},
		{
			name: "channel_not_found pauses and keeps the subscriptions",
			setup: func(e *env) {
				subscribe(t, e, dest(channel), "nato-ukraine", "grain")
				subscribe(t, e, dest(channel+"/1700000000.000100"), "grain")
				e.fake.Delete(channel)
			},
			check: func(t *testing.T, e *env, err error) {
				pausedCheck(t, e, err, "channel_not_found")
				if got := subs(t, e, dest(channel+"/1700000000.000100")); !got["grain"] {
					t.Errorf("thread subscriptions %v, want paused too", got)
				}
			},
		},
		{
			name: "not_in_channel pauses, with advice",
			setup: func(e *env) {
				subscribe(t, e, dest(channel), "nato-ukraine")
				e.fake.Kick(channel)
			},
			check: func(t *testing.T, e *env, err error) {
				pausedCheck(t, e, err, "not_in_channel")
				if !strings.Contains(e.logs.String(), "/invite @herald") {
					t.Error("no advice to invite the bot")
				}
			},
		},
		{
			name: "is_archived pauses",
			setup: func(e *env) {
				subscribe(t, e, dest(channel), "nato-ukraine")
				e.fake.Archive(channel)
			},
			check: func(t *testing.T, e *env, err error) { pausedCheck(t, e, err, "is_archived") },
		},
		{
			name: "refused blocks are resent as text",
			setup: func(e *env) {
				e.fake.FailNextTo(channel, slacktest.APIError(slacktest.ErrInvalidBlocks))
			},
			check: func(t *testing.T, e *env, err error) {
				if err != nil {
					t.Fatal(err)
				}
				posts := e.fake.Posts(channel)
				if len(posts) != 1 || posts[0].Blocks != "" || !strings.HasPrefix(posts[0].Text, "*<https://wire.example.org/") {
					t.Fatalf("posts %+v; want one text message", posts)
				}
				inert(t, posts[0].TextRendered, articleURL)
				if !strings.Contains(posts[0].TextRendered.Text, "> — Ilse Marander") {
					t.Errorf("the text version lacks the quotes: %s", posts[0].TextRendered.Text)
				}
				if !strings.Contains(e.logs.String(), "sending it again as text") {
					t.Error("the fallback was not logged")
				}
			},
		},
		{
			name: "an unknown error is permanent and pauses nothing",
			setup: func(e *env) {
				subscribe(t, e, dest(channel), "grain")
				e.fake.FailNextTo(channel, slacktest.APIError("restricted_action"))
			},
			check: func(t *testing.T, e *env, err error) {
				if !isPermanent(err) || !strings.Contains(err.Error(), "restricted_action") || subs(t, e, dest(channel))["grain"] {
					t.Errorf("Send = %v, subscriptions %v", err, subs(t, e, dest(channel)))
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.setup(e)
			err := e.keep(e.client.Send(t.Context(), sampleAlert(dest(channel))))
			tc.check(t, e, err)
		})
	}
}

func transientCheck(t *testing.T, e *env, err error) {
	t.Helper()
	var ra *bot.RetryAfterError
	if err == nil || isPermanent(err) || errors.As(err, &ra) {
		t.Errorf("Send = %v, want a transient error", err)
	}
	if err != nil && !strings.HasPrefix(err.Error(), "slack: post to "+newsChannel+": ") {
		t.Errorf("error %q lacks the prefix", err)
	}
}

func pausedCheck(t *testing.T, e *env, err error, code string) {
	t.Helper()
	if !isPermanent(err) || !strings.Contains(err.Error(), code) {
		t.Fatalf("Send = %v, want a permanent error naming %s", err, code)
	}
	if got := subs(t, e, dest(newsChannel)); len(got) == 0 || !got["nato-ukraine"] && !got["grain"] {
		t.Errorf("subscriptions %v, want kept and paused", got)
	}
	if !strings.Contains(e.logs.String(), "subscriptions are paused") {
		t.Error("the pause was not logged")
	}
}

func TestRefusedTokenPausesEverySlackSubscription(t *testing.T) {
	for _, code := range []string{slacktest.ErrInvalidAuth, slacktest.ErrAccountInactive} {
		t.Run(code, func(t *testing.T) {
			e := newEnv(t)
			ctx := t.Context()
			subscribe(t, e, dest(newsChannel), "nato-ukraine")
			subscribe(t, e, dest(deskChannel), "grain")
			subscribe(t, e, dest(deskChannel), "elections")
			tg := news.Destination{Platform: news.Telegram, Chat: "42"}
			if _, err := e.db.Subscribe(ctx, news.Subscription{Destination: tg, Rule: "grain"}); err != nil {
				t.Fatal(err)
			}
			// The desk paused itself earlier for another reason: it stays paused.
			if _, err := e.db.SetPaused(ctx, dest(deskChannel), true); err != nil {
				t.Fatal(err)
			}
			e.fake.SetAuthError(code)
			err := e.keep(e.client.Send(ctx, sampleAlert(dest(newsChannel))))
			if !isPermanent(err) || !strings.Contains(err.Error(), code) {
				t.Fatalf("Send = %v, want permanent with %s", err, code)
			}
			if !subs(t, e, dest(newsChannel))["nato-ukraine"] || !subs(t, e, dest(deskChannel))["grain"] {
				t.Errorf("Slack subscriptions not all paused: %v %v", subs(t, e, dest(newsChannel)), subs(t, e, dest(deskChannel)))
			}
			if got, _ := e.db.SubscriptionsOf(ctx, tg); got[0].Paused {
				t.Error("a Telegram subscription was paused")
			}
			if !strings.Contains(e.logs.String(), "every Slack subscription is paused") {
				t.Error("not logged")
			}

			// Alerts to config destinations fail at once for a while, without a call.
			calls := e.fake.Calls("chat.postMessage")
			err = e.keep(e.client.Send(ctx, sampleAlert(dest(deskChannel))))
			if !isPermanent(err) || e.fake.Calls("chat.postMessage") != calls {
				t.Errorf("second Send = %v after %d calls; want refused without calling Slack", err, e.fake.Calls("chat.postMessage")-calls)
			}

			// The token works again: the next post goes through and resumes
			// what the refusal paused, not what was paused before.
			e.fake.SetAuthError("")
			e.clock.Add(AuthRecheck)
			if err := e.keep(e.client.Send(ctx, sampleAlert(dest(newsChannel)))); err != nil {
				t.Fatal(err)
			}
			if subs(t, e, dest(newsChannel))["nato-ukraine"] {
				t.Error("the channel's subscription was not resumed")
			}
			if !subs(t, e, dest(deskChannel))["grain"] {
				t.Error("the desk, paused before, was resumed")
			}
		})
	}
}

func TestNetworkErrorsAreTransient(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	e := newEnv(t, func(o *Options) { o.APIURL = down.URL + "/api/" })
	err := e.keep(e.client.Send(t.Context(), sampleAlert(dest(newsChannel))))
	if err == nil || isPermanent(err) {
		t.Fatalf("Send = %v, want a transient error", err)
	}
}

func TestRedact(t *testing.T) {
	e := newEnv(t)
	for _, in := range []error{
		errors.New("Post \"https://x/api/chat.postMessage?token=" + botToken + "\": refused"),
		errors.New("odd " + appToken + " and " + signingSecret),
	} {
		if out := e.client.redact(in); strings.Contains(out.Error(), "SECRET") {
			t.Errorf("redact(%q) = %q", in, out)
		}
	}
	if err := errors.New("plain"); e.client.redact(err) != err {
		t.Error("redact changed an error without secrets")
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	e := newEnv(t)
	for name, o := range map[string]Options{
		"no token":     {APIURL: e.fake.APIURL, Store: e.db},
		"token space":  {BotToken: "xoxb-1 2", Store: e.db},
		"bad api url":  {BotToken: botToken, APIURL: "ftp://x/", Store: e.db},
		"no store":     {BotToken: botToken},
		"relative url": {BotToken: botToken, APIURL: "slack.com/api/", Store: e.db},
	} {
		if c, err := New(o); err == nil || c != nil {
			t.Errorf("%s: New accepted %+v", name, o)
		} else if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error holds the token: %v", name, err)
		}
	}
	// api_url without its final slash still reaches the methods.
	c, err := New(Options{BotToken: botToken, APIURL: strings.TrimSuffix(e.fake.APIURL, "/"), Store: e.db})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Send(t.Context(), sampleAlert(dest(newsChannel))); err != nil {
		t.Errorf("Send with api_url without a slash: %v", err)
	}
}

// TestAnswersThatAreNotSlacksAreRetried: an answer without "ok" and "error"
// (which slack-go reads as success) or a page from a proxy never drops the
// alert, and the error names the HTTP status and the start of the body.
func TestAnswersThatAreNotSlacksAreRetried(t *testing.T) {
	cases := []struct {
		name string
		f    slacktest.Failure
		want []string
	}{
		{"empty JSON object", slacktest.NotWebAPI(200, "application/json", `{}`),
			[]string{"not a Slack Web API answer", "HTTP 200 OK", "body: {}"}},
		{"ok false without error", slacktest.NotWebAPI(200, "application/json", `{"ok":false}`),
			[]string{"not a Slack Web API answer", `{"ok":false}`}},
		{"gateway JSON", slacktest.NotWebAPI(502, "application/json", `{"message":"Internal server error"}`),
			[]string{"not a Slack Web API answer", "HTTP 502 Bad Gateway", "Internal server error"}},
		{"HTML page with 200", slacktest.NotWebAPI(200, "text/html", "<html><body>Sign in to the proxy</body></html>"),
			[]string{"not a Slack Web API answer", "HTTP 200 OK", "Sign in to the proxy"}},
		{"proxy 404", slacktest.NotWebAPI(404, "text/html", "<html><h1>404 Not Found</h1></html>"),
			[]string{"not a Slack Web API answer", "HTTP 404 Not Found", "<h1>404 Not Found</h1>"}},
		{"page echoing the token", slacktest.NotWebAPI(400, "text/plain", "bad form: token="+botToken),
			[]string{"HTTP 400 Bad Request", "token=<redacted>"}},
		{"empty body", slacktest.NotWebAPI(200, "application/json", " "),
			[]string{"HTTP 200 OK, empty body"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.FailNextTo(newsChannel, tc.f)
			err := e.keep(e.client.Send(t.Context(), sampleAlert(dest(newsChannel))))
			transientCheck(t, e, err)
			for _, w := range tc.want {
				if err != nil && !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if err := e.keep(e.client.Send(t.Context(), sampleAlert(dest(newsChannel)))); err != nil {
				t.Fatalf("second Send = %v", err)
			}
			if n := len(e.fake.Posts(newsChannel)); n != 1 {
				t.Errorf("%d messages arrived, want 1", n)
			}
		})
	}
}
