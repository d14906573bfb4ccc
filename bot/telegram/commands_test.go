package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"herald/bot"
	"herald/bot/telegram/telegramtest"
	"herald/internal/testkit"
	"herald/news"
)

// Chats and users of the command tests.
const (
	privateChat = 42
	groupChat   = -100
	adminUser   = 7
	memberUser  = 8
	configAdmin = 9
	anonAdmin   = 1087968824 // @GroupAnonymousBot
)

func testCatalog() bot.Catalog {
	return bot.Catalog{
		Topics: []bot.Topic{
			{Name: "nato-ukraine", Description: "NATO's dealings with Ukraine", Notify: []news.Destination{dest("-100")}},
			{Name: "black-sea-grain", Description: "Grain shipping on the Black Sea"},
			{Name: "elections", Description: "Votes everywhere"},
		},
		Feeds: []string{"wire"},
	}
}

func newRouter(e *env) *bot.Router {
	return bot.NewRouter(e.db, testCatalog, nil, nil)
}

func addChats(e *env) {
	e.fake.AddChat(telegramtest.Chat{ID: privateChat})
	e.fake.AddChat(telegramtest.Chat{ID: groupChat, Title: "Ops", IsForum: true, Threads: []int{5}})
	e.fake.SetMember(groupChat, adminUser, "administrator")
}

// say pushes a message, waits until the bot has handled it, and returns the
// text of what the bot sent in reply (to any chat), "" for nothing.
func say(t *testing.T, e *env, in telegramtest.Incoming) string {
	t.Helper()
	before := len(e.fake.Sent())
	e.fake.Say(in)
	if !e.fake.WaitIdle(10 * time.Second) {
		t.Fatalf("the bot did not take update %q\nlogs:\n%s", in.Text, e.logs.String())
	}
	var out []string
	for _, m := range e.fake.Sent()[before:] {
		if m.ChatID != in.Chat || m.ThreadID != in.Thread {
			t.Errorf("reply to %q went to chat %d topic %d, want %d topic %d", in.Text, m.ChatID, m.ThreadID, in.Chat, in.Thread)
		}
		out = append(out, m.Text)
	}
	return strings.Join(out, "\n---\n")
}

func TestCommandsByLongPolling(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Admins = []int64{configAdmin} })
	addChats(e)
	stop := e.run(newRouter(e))
	defer stop()
	if !e.fake.WaitIdle(10 * time.Second) {
		t.Fatal("the bot is not polling")
	}
	cmds := e.fake.Commands()
	if len(cmds) != len(newRouter(e).Commands()) || cmds[3].Command != "subscribe" || cmds[3].Description != "<topic> — post alerts on a topic here" {
		t.Errorf("setMyCommands = %+v", cmds)
	}
	ann := telegramtest.User{ID: privateChat, FirstName: "Ann"}
	admin := telegramtest.User{ID: adminUser, FirstName: "Ada"}
	member := telegramtest.User{ID: memberUser, FirstName: "Max"}
	steps := []struct {
		name string
		in   telegramtest.Incoming
		want string // "" for no reply at all
	}{
		{"start", telegramtest.Incoming{Chat: privateChat, From: ann, Text: "/start"}, "herald watches news feeds"},
		{"help lists commands", telegramtest.Incoming{Chat: privateChat, From: ann, Text: "/help"}, "/subscribe <topic> — post alerts on a topic here"},
		{"private text", telegramtest.Incoming{Chat: privateChat, From: ann, Text: "hello there"}, "Send /help to see what I can do."},
		{"private unknown command", telegramtest.Incoming{Chat: privateChat, From: ann, Text: "/frobnicate"}, "I don't know /frobnicate"},
		{"private subscribe", telegramtest.Incoming{Chat: privateChat, From: ann, Text: "/subscribe elections"}, "Subscribed: alerts on elections will be posted here."},
		{"typo", telegramtest.Incoming{Chat: privateChat, From: ann, Text: "/subscribe electons"}, "No topic “electons”; did you mean elections?"},
		{"member refused", telegramtest.Incoming{Chat: groupChat, From: member, Text: "/subscribe black-sea-grain"}, "only this chat's administrators"},
		{"admin by getChatMember", telegramtest.Incoming{Chat: groupChat, From: admin, Text: "/subscribe@fake_bot black-sea-grain"}, "Subscribed: alerts on black-sea-grain will be posted here."},
		{"admin by config", telegramtest.Incoming{Chat: groupChat, From: telegramtest.User{ID: configAdmin}, Text: "/subscribe elections"}, "Subscribed: alerts on elections"},
		{"anonymous admin", telegramtest.Incoming{Chat: groupChat, From: telegramtest.User{ID: anonAdmin, IsBot: true, UserName: "GroupAnonymousBot"}, SenderChat: groupChat, Text: "/unsubscribe elections"}, "Unsubscribed: no more alerts on elections here."},
		{"forum topic", telegramtest.Incoming{Chat: groupChat, Thread: 5, From: admin, Text: "/subscribe nato-ukraine"}, "will be posted in this topic"},
		{"another bot's command", telegramtest.Incoming{Chat: groupChat, From: admin, Text: "/status@other_bot"}, ""},
		{"unknown command in a group", telegramtest.Incoming{Chat: groupChat, From: admin, Text: "/frobnicate"}, ""},
		{"unknown command to us in a group", telegramtest.Incoming{Chat: groupChat, From: admin, Text: "/frobnicate@fake_bot"}, "I don't know /frobnicate"},
		{"group chatter", telegramtest.Incoming{Chat: groupChat, From: member, Text: "lunch?"}, ""},
		{"a bot's message", telegramtest.Incoming{Chat: groupChat, From: telegramtest.User{ID: 555, IsBot: true}, Text: "/topics"}, ""},
		{"topics in the group", telegramtest.Incoming{Chat: groupChat, From: member, Text: "/topics"}, "nato-ukraine — NATO's dealings with Ukraine ✓ posted here by the config"},
		{"status", telegramtest.Incoming{Chat: groupChat, From: member, Text: "/status@fake_bot"}, "Rules loaded: 3"},
		{"latest", telegramtest.Incoming{Chat: groupChat, From: member, Text: "/latest"}, "No alerts here yet."},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got := say(t, e, st.in)
			if st.want == "" && got != "" || !strings.Contains(got, st.want) {
				t.Errorf("reply = %q, want %q", got, st.want)
			}
		})
	}
	if got := subs(t, e, dest("-100")); len(got) != 1 || got["black-sea-grain"] {
		t.Errorf("group subscriptions = %v, want black-sea-grain", got)
	}
	if got := subs(t, e, dest("-100/5")); len(got) != 1 {
		t.Errorf("forum topic subscriptions = %v, want nato-ukraine", got)
	}
	if got := subs(t, e, dest("42")); len(got) != 1 {
		t.Errorf("private subscriptions = %v, want elections", got)
	}
	if n := e.fake.Calls("getChatMember"); n != 3 {
		t.Errorf("getChatMember called %d times, want 3 (the member and the admin twice; not for the listed admin or the anonymous one)", n)
	}
}

func TestOffsetSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	addChats(e)
	ann := telegramtest.User{ID: privateChat}
	stop := e.run(newRouter(e))
	if got := say(t, e, telegramtest.Incoming{Chat: privateChat, From: ann, Text: "/help"}); got == "" {
		t.Fatal("no reply to /help")
	}
	stop()
	// A command written while herald is down is answered when it is back.
	id := e.fake.Say(telegramtest.Incoming{Chat: privateChat, From: ann, Text: "/topics"})
	stored, _, _ := e.db.Get(t.Context(), offsetKey)
	if stored != fmt.Sprint(id) {
		t.Errorf("stored offset %q, want %d", stored, id)
	}
	for restart := range 2 {
		c, err := New(e.client.opts)
		if err != nil {
			t.Fatal(err)
		}
		e.client = c
		stop := e.run(newRouter(e))
		if !e.fake.WaitIdle(10 * time.Second) {
			t.Fatalf("restart %d: not polling", restart)
		}
		stop()
	}
	sent := e.fake.SentTo(privateChat)
	if len(sent) != 2 || !strings.Contains(sent[1].Text, "Topics (3)") {
		t.Errorf("%d replies after restarts, want /help then /topics once each", len(sent))
	}
}

func TestPausedChatResumes(t *testing.T) {
	e := newEnv(t)
	addChats(e)
	subscribe(t, e, dest("42"), "elections")
	subscribe(t, e, dest("-100"), "elections")
	subscribe(t, e, dest("-100/5"), "grain")
	e.fake.Block(privateChat, telegramtest.DescBlocked)
	if err := e.keep(e.client.Send(t.Context(), sampleAlert(dest("42")))); !isPermanent(err) {
		t.Fatalf("Send to a blocking user = %v", err)
	}
	if !subs(t, e, dest("42"))["elections"] {
		t.Fatal("not paused")
	}
	stop := e.run(newRouter(e))
	defer stop()
	// The user unblocks the bot and writes to it.
	e.fake.Unblock(privateChat)
	say(t, e, telegramtest.Incoming{Chat: privateChat, From: telegramtest.User{ID: privateChat}, Text: "hi again"})
	if got := subs(t, e, dest("42")); got["elections"] {
		t.Errorf("still paused after the chat wrote: %v", got)
	}
	// A group removes the bot, then adds it back.
	e.fake.ChatMemberUpdate(groupChat, telegramtest.User{ID: adminUser}, "member", "kicked")
	e.fake.WaitIdle(10 * time.Second)
	if !subs(t, e, dest("-100"))["elections"] || !subs(t, e, dest("-100/5"))["grain"] {
		t.Errorf("not paused after the bot was removed: %v %v", subs(t, e, dest("-100")), subs(t, e, dest("-100/5")))
	}
	e.fake.ChatMemberUpdate(groupChat, telegramtest.User{ID: adminUser}, "kicked", "member")
	e.fake.WaitIdle(10 * time.Second)
	if subs(t, e, dest("-100"))["elections"] || subs(t, e, dest("-100/5"))["grain"] {
		t.Errorf("still paused after the bot was added back")
	}
	if !strings.Contains(e.logs.String(), "subscriptions are resumed") {
		t.Errorf("resuming was not logged")
	}
}

// flaky stands in front of the fake and fails the first calls of each
// method the way a bad network day does.
type flaky struct {
	mu      sync.Mutex
	answers map[string][]func(w http.ResponseWriter)
	proxy   *httputil.ReverseProxy
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	f.mu.Lock()
	var answer func(w http.ResponseWriter)
	if as := f.answers[method]; len(as) > 0 {
		answer, f.answers[method] = as[0], as[1:]
	}
	f.mu.Unlock()
	if answer != nil {
		answer(w)
		return
	}
	f.proxy.ServeHTTP(w, r)
}

func jsonError(code int, desc string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": code, "description": desc})
	}
}

func TestRunSurvivesPlatformErrors(t *testing.T) {
	e := newEnv(t)
	addChats(e)
	target, _ := url.Parse(e.fake.URL)
	f := &flaky{proxy: httputil.NewSingleHostReverseProxy(target), answers: map[string][]func(http.ResponseWriter){
		"getMe": {
			func(w http.ResponseWriter) { http.Error(w, "<html>502 Bad Gateway</html>", http.StatusBadGateway) },
			jsonError(500, "Internal Server Error"),
			jsonError(401, "Unauthorized"),
		},
		"setMyCommands": {func(w http.ResponseWriter) { // a reply cut short
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":tr`)
		}},
		"getUpdates": {
			jsonError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"),
			jsonError(429, "Too Many Requests: retry after 1"),
			jsonError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"),
		},
		"deleteWebhook": {jsonError(502, "Bad Gateway")},
	}}
	f.proxy.ErrorLog = log.New(io.Discard, "", 0)
	proxy := httptest.NewServer(f)
	defer proxy.Close()
	o := e.client.opts
	o.APIURL = proxy.URL
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.client = c
	stop := e.run(newRouter(e))
	defer stop()
	if got := say(t, e, telegramtest.Incoming{Chat: privateChat, From: telegramtest.User{ID: privateChat}, Text: "/help"}); !strings.Contains(got, "herald watches") {
		t.Fatalf("no reply after the failures: %q\n%s", got, e.logs.String())
	}
	if n := len(e.sleep.Waits()); n < 5 {
		t.Errorf("backed off %d times, want at least 5: %v", n, e.sleep.Waits())
	}
	logs := e.logs.String()
	for _, want := range []string{"Telegram refused the bot token", "removing it to use long polling", "setting the command menu failed", "another program is reading this bot's updates"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestWebhookMode(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hook := "http://" + ln.Addr().String() + "/telegram"
	e := newEnv(t, func(o *Options) {
		o.Webhook = Webhook{URL: hook, Listen: "unused", SecretToken: "s3cret-token"}
	})
	addChats(e)
	e.client.listener = ln
	stop := e.run(newRouter(e))
	defer stop()
	deadline := time.Now().Add(10 * time.Second)
	for u, _ := e.fake.Webhook(); u == ""; u, _ = e.fake.Webhook() {
		if time.Now().After(deadline) {
			t.Fatal("no webhook set")
		}
		time.Sleep(time.Millisecond)
	}
	if u, secret := e.fake.Webhook(); u != hook || secret != "s3cret-token" {
		t.Errorf("webhook = %q %q", u, secret)
	}
	if got := say(t, e, telegramtest.Incoming{Chat: privateChat, From: telegramtest.User{ID: privateChat}, Text: "/topics"}); !strings.Contains(got, "Topics (3)") {
		t.Errorf("reply through the webhook = %q", got)
	}

	post := func(secret, body string) int {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, hook, strings.NewReader(body))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		code, _ := testkit.Do(t, req, nil)
		return code
	}
	update := `{"update_id":200000000,"message":{"message_id":1,"from":{"id":42,"is_bot":false,"first_name":"Ann"},"chat":{"id":42,"type":"private"},"date":1700000000,"text":"/status","entities":[{"type":"bot_command","offset":0,"length":7}]}}`
	if code := post("", update); code != http.StatusUnauthorized {
		t.Errorf("no secret: %d, want 401", code)
	}
	if code := post("wrong", update); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d, want 401", code)
	}
	before := len(e.fake.Sent())
	if code := post("s3cret-token", update); code != http.StatusOK {
		t.Errorf("update: %d, want 200", code)
	}
	if code := post("s3cret-token", update); code != http.StatusOK {
		t.Errorf("repeated update: %d, want 200", code)
	}
	if n := len(e.fake.Sent()) - before; n != 1 {
		t.Errorf("%d replies to an update delivered twice, want 1", n)
	}
	if code := post("s3cret-token", "{not json"); code != http.StatusBadRequest {
		t.Errorf("garbage: %d, want 400", code)
	}
	resp, err := http.Get(hook)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET: %d, want 405", resp.StatusCode)
		}
	}
	if n := e.fake.Calls("getUpdates"); n != 0 {
		t.Errorf("getUpdates called %d times in webhook mode", n)
	}
}

// virtualClock is a clock that moves only when told: Sleep advances it by
// the wait (and records it), Now can be made to advance on every reading.
type virtualClock struct {
	mu    sync.Mutex
	now   time.Time
	step  time.Duration // added on every Now
	waits []time.Duration
}

func (v *virtualClock) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.now = v.now.Add(v.step)
	return v.now
}

func (v *virtualClock) Sleep(ctx context.Context, d time.Duration) error {
	v.mu.Lock()
	v.waits = append(v.waits, d)
	v.now = v.now.Add(d)
	v.mu.Unlock()
	time.Sleep(time.Millisecond) // let the test's goroutine run
	return ctx.Err()
}

func (v *virtualClock) Waits() []time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.waits)
}

// TestEmptyPollsArePaced: a server that answers getUpdates at once with
// nothing, ignoring the timeout, is asked at most once a second; one that
// holds the poll open is asked again straight away.
func TestEmptyPollsArePaced(t *testing.T) {
	for _, tc := range []struct {
		name      string
		step      time.Duration // virtual time each call appears to take
		wantPause bool
	}{
		{"answers at once", 0, true},
		{"answers half a second later", 500 * time.Millisecond, true},
		{"holds the poll open", 2 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &virtualClock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
			e := newEnv(t, func(o *Options) { o.Now, o.Sleep = clock.Now, clock.Sleep })
			clock.mu.Lock()
			clock.step = tc.step / 2 // Now is read before and after each call
			clock.mu.Unlock()
			e.fake.IgnorePollTimeout(true)
			stop := e.run(newRouter(e))
			for deadline := time.Now().Add(10 * time.Second); e.fake.Calls("getUpdates") < 6; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the client did not poll")
				}
			}
			stop()
			calls, waits := e.fake.Calls("getUpdates"), clock.Waits()
			if !tc.wantPause {
				if len(waits) != 0 {
					t.Errorf("waits %v between polls a server held open; want none", waits)
				}
				return
			}
			if len(waits) < calls-1 {
				t.Fatalf("%d getUpdates calls with %d pauses between them (%v)", calls, len(waits), waits)
			}
			for _, w := range waits {
				if w+tc.step < time.Second {
					t.Errorf("pause %v after a call of %v: the calls start less than 1s apart", w, tc.step)
				}
			}
		})
	}
}
