package telegram

import (
	"errors"
	"fmt"
	"herald/internal/testkit"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"herald/bot"
	"herald/bot/telegram/telegramtest"
	"herald/news"
)

func TestSendAlert(t *testing.T) {
	e := newEnv(t)
	e.fake.AddChat(telegramtest.Chat{ID: -1001234567890, IsForum: true, Threads: []int{5}})
	if err := e.keep(e.client.Send(t.Context(), sampleAlert(dest("-1001234567890/5")))); err != nil {
		t.Fatal(err)
	}
	sent := e.fake.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d messages, want 1", len(sent))
	}
	m := sent[0]
	if m.ChatID != -1001234567890 || m.ThreadID != 5 || m.ParseMode != "HTML" || !m.LinkPreviewDisabled {
		t.Errorf("chat %d thread %d mode %q previews disabled %t; want the forum topic, HTML, previews off",
			m.ChatID, m.ThreadID, m.ParseMode, m.LinkPreviewDisabled)
	}
	for _, want := range []string{
		"NATO–Ukraine Council agrees to speed up air-defence deliveries before winter\nsample-wire · yesterday 16:40 UTC · topic: nato-ukraine",
		"“Every interceptor that arrives in December protects a power station in January. We are not going to wait for the spring to act”\n— Ilse Marander",
		"“We need dates, not declarations.”",
		"matched: NATO-Ukraine Council: “NATO–Ukraine Council” in the headline, “NATO-Ukraine Council” in the article",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("message lacks %q:\n%s", want, m.Text)
		}
	}
	types := map[string]int{}
	for _, en := range m.Entities {
		types[en.Type]++
		if en.Type == "text_link" && en.URL != "https://wire.example.org/2026/11/18/nuc-air-defence" {
			t.Errorf("title links to %q", en.URL)
		}
	}
	if types["text_link"] != 1 || types["bold"] != 1 || types["blockquote"] != 2 || types["italic"] != 2 {
		t.Errorf("entities %v; want a linked bold title, two blockquotes, two italic lines", types)
	}
}

func TestLinkPreviewOption(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.LinkPreview = true })
	e.fake.AddChat(telegramtest.Chat{ID: 42})
	if err := e.keep(e.client.Send(t.Context(), sampleAlert(dest("42")))); err != nil {
		t.Fatal(err)
	}
	if m := e.fake.Sent(); len(m) != 1 || m[0].LinkPreviewDisabled {
		t.Errorf("link_preview: true, but previews were disabled: %+v", m)
	}
	for _, r := range e.fake.Requests() {
		if r.Method == "sendMessage" && (r.Params.Has("link_preview_options") || r.Params.Has("disable_web_page_preview")) {
			t.Errorf("previews on, yet the request sets %v", r.Params)
		}
	}
}

func subscribe(t *testing.T, e *env, d news.Destination, rules ...string) {
	t.Helper()
	testkit.Subscribe(t, e.db, d, rules...)
}

// subs returns d's subscriptions, rule → paused.
func subs(t *testing.T, e *env, d news.Destination) map[string]bool {
	t.Helper()
	return testkit.Subscriptions(t, e.db, d)
}

func TestSendFailures(t *testing.T) {
	const chat = -1001
	cases := []struct {
		name  string
		setup func(e *env)
		// check runs after one Send to telegram:-1001 that returned err.
		check func(t *testing.T, e *env, err error)
	}{
		{
			name:  "429 waits retry_after and delivers once",
			setup: func(e *env) { e.fake.FailNext(chat, telegramtest.TooManyRequests(1)) },
			check: func(t *testing.T, e *env, err error) {
				if err != nil {
					t.Fatalf("Send = %v, want nil after the wait", err)
				}
				if got := e.sleep.Waits(); len(got) != 1 || got[0] != time.Second {
					t.Errorf("waited %v, want [1s]", got)
				}
				if n := len(e.fake.SentTo(chat)); n != 1 {
					t.Errorf("delivered %d times, want once", n)
				}
			},
		},
		{
			name:  "429 twice waits twice",
			setup: func(e *env) { e.fake.FailNext(chat, telegramtest.TooManyRequests(1), telegramtest.TooManyRequests(2)) },
			check: func(t *testing.T, e *env, err error) {
				if err != nil || len(e.fake.SentTo(chat)) != 1 {
					t.Fatalf("Send = %v, sent %d; want delivered once", err, len(e.fake.SentTo(chat)))
				}
				if got := e.sleep.Waits(); len(got) != 2 || got[1] != 2*time.Second {
					t.Errorf("waited %v, want [1s 2s]", got)
				}
			},
		},
		{
			name:  "long 429 goes back to the dispatcher",
			setup: func(e *env) { e.fake.FailNext(chat, telegramtest.TooManyRequests(600)) },
			check: func(t *testing.T, e *env, err error) {
				var ra *bot.RetryAfterError
				if !errors.As(err, &ra) || ra.After != 600*time.Second {
					t.Fatalf("Send = %v, want a *bot.RetryAfterError of 10m", err)
				}
				if isPermanent(err) || len(e.sleep.Waits()) != 0 || len(e.fake.Sent()) != 0 {
					t.Errorf("permanent %t, waits %v, sent %d", isPermanent(err), e.sleep.Waits(), len(e.fake.Sent()))
				}
			},
		},
		{
			name: "can't parse entities resends as plain text",
			setup: func(e *env) {
				e.fake.FailNext(chat, telegramtest.CantParseEntities(`Unsupported start tag "x" at byte offset 0`))
			},
			check: func(t *testing.T, e *env, err error) {
				if err != nil {
					t.Fatal(err)
				}
				sent := e.fake.SentTo(chat)
				if len(sent) != 1 || sent[0].ParseMode != "" || len(sent[0].Entities) != 0 {
					t.Fatalf("sent %+v, want one plain-text message", sent)
				}
				if !strings.HasPrefix(sent[0].Raw, "NATO–Ukraine Council agrees to speed up air-defence deliveries before winter https://wire.example.org/2026/11/18/nuc-air-defence\n") || strings.Contains(sent[0].Raw, "<b>") {
					t.Errorf("plain text = %q", sent[0].Raw)
				}
				if !strings.Contains(e.logs.String(), "sending it again as plain text") {
					t.Errorf("the fallback was not logged:\n%s", e.logs.String())
				}
			},
		},
		{
			name: "group upgraded to a supergroup",
			setup: func(e *env) {
				subscribe(t, e, dest("-1001"), "nato-ukraine", "grain")
				e.fake.Migrate(chat, -1009001)
			},
			check: func(t *testing.T, e *env, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if len(e.fake.SentTo(-1009001)) != 1 {
					t.Errorf("not resent to the supergroup: %+v", e.fake.Sent())
				}
				if got := subs(t, e, dest("-1009001")); len(got) != 2 {
					t.Errorf("supergroup subscriptions %v, want both moved", got)
				}
				if got := subs(t, e, dest("-1001")); len(got) != 0 {
					t.Errorf("old group keeps %v", got)
				}
				if logs := e.logs.String(); !strings.Contains(logs, "the notify lists of nato-ukraine still name telegram:-1001: write telegram:-1009001 there") {
					t.Errorf("the operator log does not name the notify lists:\n%s", logs)
				}
				// The next alert to the old id (a config notify list) goes straight to the new one.
				calls := e.fake.Calls("sendMessage")
				if err := e.keep(e.client.Send(t.Context(), sampleAlert(dest("-1001")))); err != nil {
					t.Fatal(err)
				}
				if e.fake.Calls("sendMessage") != calls+1 || len(e.fake.SentTo(-1009001)) != 2 {
					t.Errorf("second alert: %d calls, want 1", e.fake.Calls("sendMessage")-calls)
				}
			},
		},
		{
			name: "blocked by the user pauses and keeps the subscriptions",
			setup: func(e *env) {
				subscribe(t, e, dest("-1001"), "nato-ukraine")
				subscribe(t, e, dest("-1001/3"), "grain")
				e.fake.Block(chat, telegramtest.DescBlocked)
			},
			check: func(t *testing.T, e *env, err error) {
				if !isPermanent(err) || !strings.Contains(err.Error(), "bot was blocked by the user") {
					t.Fatalf("Send = %v, want a permanent error naming the block", err)
				}
				if got := subs(t, e, dest("-1001")); !got["nato-ukraine"] {
					t.Errorf("subscriptions %v, want nato-ukraine kept and paused", got)
				}
				if got := subs(t, e, dest("-1001/3")); !got["grain"] {
					t.Errorf("topic subscriptions %v, want grain kept and paused", got)
				}
				if !strings.Contains(e.logs.String(), "subscriptions are paused") {
					t.Errorf("the pause was not logged")
				}
			},
		},
		{
			name: "kicked from the group",
			setup: func(e *env) {
				subscribe(t, e, dest("-1001"), "nato-ukraine")
				e.fake.Block(chat, telegramtest.DescKicked)
			},
			check: func(t *testing.T, e *env, err error) {
				if !isPermanent(err) || !subs(t, e, dest("-1001"))["nato-ukraine"] {
					t.Errorf("Send = %v, subscriptions %v; want permanent and paused", err, subs(t, e, dest("-1001")))
				}
			},
		},
		{
			name:  "chat not found",
			setup: func(e *env) { subscribe(t, e, dest("-1001"), "nato-ukraine") },
			check: func(t *testing.T, e *env, err error) {
				if !isPermanent(err) || !strings.Contains(err.Error(), "chat not found") || !subs(t, e, dest("-1001"))["nato-ukraine"] {
					t.Errorf("Send = %v, subscriptions %v; want permanent and paused", err, subs(t, e, dest("-1001")))
				}
			},
		},
		{
			name:  "server error is retried later",
			setup: func(e *env) { e.fake.FailNext(chat, telegramtest.ServerError()) },
			check: func(t *testing.T, e *env, err error) {
				var ra *bot.RetryAfterError
				if err == nil || isPermanent(err) || errors.As(err, &ra) {
					t.Errorf("Send = %v, want a transient error", err)
				}
			},
		},
		{
			name:  "a proxy's HTML error page is retried later",
			setup: func(e *env) { e.fake.FailNext(chat, telegramtest.BadGateway()) },
			check: func(t *testing.T, e *env, err error) {
				if err == nil || isPermanent(err) {
					t.Errorf("Send = %v, want a transient error", err)
				}
			},
		},
		{
			name: "message too long is permanent",
			setup: func(e *env) {
				e.fake.FailNext(chat, telegramtest.Failure{Code: 400, Description: telegramtest.DescTooLong})
			},
			check: func(t *testing.T, e *env, err error) {
				if !isPermanent(err) {
					t.Errorf("Send = %v, want permanent", err)
				}
			},
		},
	}
	// The config posts nato-ukraine to the group by its id.
	notified := func(o *Options) {
		o.Notified = func(chat string) []string {
			if chat == "-1001" {
				return []string{"nato-ukraine"}
			}
			return nil
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, notified)
			if tc.name != "chat not found" {
				e.fake.AddChat(telegramtest.Chat{ID: chat, Type: "group"})
			}
			tc.setup(e)
			err := e.keep(e.client.Send(t.Context(), sampleAlert(dest("-1001"))))
			tc.check(t, e, err)
		})
	}
}

func TestSendToDeletedTopicPausesIt(t *testing.T) {
	e := newEnv(t)
	e.fake.AddChat(telegramtest.Chat{ID: -100, IsForum: true, Threads: []int{5}})
	subscribe(t, e, dest("-100/9"), "grain")
	subscribe(t, e, dest("-100/5"), "grain")
	err := e.keep(e.client.Send(t.Context(), sampleAlert(dest("-100/9"))))
	if !isPermanent(err) || !subs(t, e, dest("-100/9"))["grain"] || subs(t, e, dest("-100/5"))["grain"] {
		t.Errorf("Send = %v; want permanent, topic 9 paused, topic 5 not", err)
	}
}

func TestNetworkErrorsHideTheToken(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	e := newEnv(t, func(o *Options) { o.APIURL = down.URL })
	err := e.keep(e.client.Send(t.Context(), sampleAlert(dest("42"))))
	if err == nil || isPermanent(err) {
		t.Fatalf("Send = %v, want a transient error", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) || !strings.Contains(ue.URL, "/bot<token>/sendMessage") {
		t.Errorf("error %v: want a *url.Error with the token redacted from its URL", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("the error holds the token: %v", err)
	}
	// Errors that wrap a *url.Error, or only mention the token, are redacted too.
	inner := &url.Error{Op: "Post", URL: "https://api.telegram.org/bot" + testToken + "/getMe", Err: errors.New("dial tcp: refused")}
	for _, in := range []error{inner, fmt.Errorf("telegram: getMe: %w", inner), errors.New("odd " + testToken)} {
		out := e.client.redact(in)
		if strings.Contains(out.Error(), testToken) {
			t.Errorf("redact(%q) = %q", in, out)
		}
		if errors.As(in, new(*url.Error)) && !errors.As(out, new(*url.Error)) {
			t.Errorf("redact(%q) lost the *url.Error", in)
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	e := newEnv(t)
	for name, o := range map[string]Options{
		"no token":     {APIURL: e.fake.URL, Store: e.db},
		"token slash":  {Token: "1/2", Store: e.db},
		"bad api url":  {Token: testToken, APIURL: "ftp://x", Store: e.db},
		"no store":     {Token: testToken},
		"relative url": {Token: testToken, APIURL: "api.telegram.org", Store: e.db},
	} {
		if c, err := New(o); err == nil || c != nil {
			t.Errorf("%s: New accepted %+v", name, o)
		} else if strings.Contains(err.Error(), testToken) {
			t.Errorf("%s: error holds the token: %v", name, err)
		}
	}
}

// TestAnswersThatAreNotTheBotAPIsAreRetried: only what the Bot API documents
// as final drops an alert; anything else, from a proxy or another server, is
// retried, and the error names the HTTP status and the start of the body.
func TestAnswersThatAreNotTheBotAPIsAreRetried(t *testing.T) {
	const chat = -1001
	long := strings.Repeat("x", 300)
	cases := []struct {
		name string
		f    telegramtest.Failure
		want []string // in the error text
	}{
		{"gateway JSON without error_code", telegramtest.NotBotAPI(502, "application/json", `{"message": "upstream timed out"}`),
			[]string{"not a Bot API answer", "HTTP 502 Bad Gateway", `upstream timed out`}},
		{"200 with a JSON body of another API", telegramtest.NotBotAPI(200, "application/json", `{"message":"maintenance"}`),
			[]string{"not a Bot API answer", "HTTP 200 OK", "maintenance"}},
		{"ok:false without error_code", telegramtest.NotBotAPI(500, "application/json", `{"ok":false,"description":""}`),
			[]string{"not a Bot API answer", "HTTP 500"}},
		{"HTML page with status 200", telegramtest.NotBotAPI(200, "text/html", "<html><body>captive portal</body></html>"),
			[]string{"not a Bot API answer", "HTTP 200 OK", "captive portal"}},
		{"proxy 404 page", telegramtest.NotBotAPI(404, "text/html", "<html><h1>404 Not Found</h1></html>"),
			[]string{"HTTP 404 Not Found", "404 Not Found</h1>"}},
		{"proxy page quoting the path with the token", telegramtest.NotBotAPI(403, "text/plain", "denied: /bot"+testToken+"/sendMessage"),
			[]string{"HTTP 403 Forbidden", "denied: /bot<token>/sendMessage"}},
		{"long body is cut", telegramtest.NotBotAPI(503, "text/plain", long),
			[]string{"HTTP 503", strings.Repeat("x", 200) + "…"}},
		{"a code the Bot API does not document as final", telegramtest.Failure{Code: 418, Description: "I'm a teapot"},
			[]string{"I'm a teapot", "HTTP 418"}},
		{"Bot API 500 with error_code", telegramtest.ServerError(),
			[]string{"Internal Server Error", "HTTP 500", `"error_code":500`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.AddChat(telegramtest.Chat{ID: chat, Type: "group"})
			subscribe(t, e, dest("-1001"), "grain")
			e.fake.FailNext(chat, tc.f)
			err := e.keep(e.client.Send(t.Context(), sampleAlert(dest("-1001"))))
			if err == nil || isPermanent(err) {
				t.Fatalf("Send = %v, want a transient error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), strings.Repeat("x", 201)) {
				t.Errorf("error quotes more than 200 characters of the body: %q", err)
			}
			if subs(t, e, dest("-1001"))["grain"] {
				t.Error("the chat's subscriptions were paused for an answer that is not final")
			}
			// The next attempt goes through: nothing was lost.
			if err := e.keep(e.client.Send(t.Context(), sampleAlert(dest("-1001")))); err != nil {
				t.Fatalf("second Send = %v", err)
			}
			if n := len(e.fake.SentTo(chat)); n != 1 {
				t.Errorf("%d messages arrived, want 1", n)
			}
		})
	}
}

// TestFinalAnswersNameTheirHTTPStatus: a documented final failure is
// permanent, and its error still says what came back.
func TestFinalAnswersNameTheirHTTPStatus(t *testing.T) {
	e := newEnv(t)
	e.fake.AddChat(telegramtest.Chat{ID: 42, Type: "private"})
	e.fake.FailNext(42, telegramtest.Forbidden(telegramtest.DescBlocked))
	err := e.keep(e.client.Send(t.Context(), sampleAlert(dest("42"))))
	if !isPermanent(err) || !strings.Contains(err.Error(), "HTTP 403 Forbidden") || !strings.Contains(err.Error(), "blocked by the user") {
		t.Errorf("Send = %v, want permanent, naming HTTP 403 and the description", err)
	}
}
