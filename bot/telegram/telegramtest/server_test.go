package telegramtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const token = "4242:fake-TOKEN_x"

// newBot starts a fake and the real client pointed at it.
func newBot(t *testing.T) (*Server, *tgbotapi.BotAPI) {
	t.Helper()
	s := New(t, token)
	b, err := tgbotapi.NewBotAPIWithAPIEndpoint(token, s.URL+"/bot%s/%s")
	if err != nil {
		t.Fatalf("NewBotAPIWithAPIEndpoint: %v", err)
	}
	return s, b
}

func apiErr(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *tgbotapi.Error", err, err)
	}
	return e
}

func TestGetMeAndAuth(t *testing.T) {
	s, b := newBot(t)
	if b.Self.ID != BotID || b.Self.UserName != BotUserName || !b.Self.IsBot {
		t.Errorf("getMe = %+v", b.Self)
	}
	if _, err := tgbotapi.NewBotAPIWithAPIEndpoint("1:wrong", s.URL+"/bot%s/%s"); err == nil || apiErr(t, err).Code != 401 {
		t.Errorf("wrong token: %v, want 401 Unauthorized", err)
	}
	_, err := b.MakeRequest("noSuchMethod", nil)
	if e := apiErr(t, err); e.Code != 404 || e.Message != "Not Found: method not found" {
		t.Errorf("unknown method = %d %q", e.Code, e.Message)
	}
	if _, err := b.MakeRequest("GETME", nil); err != nil {
		t.Errorf("method names are case-insensitive: %v", err)
	}
	// JSON bodies and query strings are parameters too.
	resp, err := http.Post(s.URL+"/bot"+token+"/getChatMember?user_id=5", "application/json", strings.NewReader(`{"chat_id":-1}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reply struct {
		OK          bool   `json:"ok"`
		Description string `json:"description"`
	}
	json.NewDecoder(resp.Body).Decode(&reply)
	if resp.StatusCode != 400 || reply.Description != DescChatNotFound || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("getChatMember unknown chat = %d %+v", resp.StatusCode, reply)
	}
}

func TestSendMessageHTML(t *testing.T) {
	s, b := newBot(t)
	s.AddChat(Chat{ID: -100, IsForum: true, Threads: []int{5}})
	cases := []struct {
		name, text string
		lenient    bool
		wantErr    string // the description, "" for success
		wantText   string
	}{
		{name: "plain tags", text: `<b>bold</b> <a href="https://x.example/?a=1&amp;b=&quot;2&quot;">link</a> &lt;3 &amp; &#8212;`, wantText: "bold link <3 & —"},
		{name: "case-insensitive tags", text: "<B>x</B> <Strong>y</Strong>", wantText: "x y"},
		{name: "blockquote", text: "<blockquote>“Quote”\n— Ann</blockquote>", wantText: "“Quote”\n— Ann"},
		{name: "bare less-than", text: "a < b", wantErr: `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{name: "bare less-than lenient", text: "a < b", lenient: true, wantErr: `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{name: "unsupported tag", text: "<p>para</p>", wantErr: `Bad Request: can't parse entities: Unsupported start tag "p" at byte offset 0`},
		{name: "script", text: "x<script>alert(1)</script>", wantErr: `Bad Request: can't parse entities: Unsupported start tag "script" at byte offset 1`},
		{name: "unclosed", text: "<b>bold", wantErr: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{name: "unmatched", text: "<b>x</i>", wantErr: `Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{name: "unexpected end", text: "x</b>", wantErr: `Bad Request: can't parse entities: Unexpected end tag at byte offset 1`},
		{name: "unclosed start", text: "x <b", wantErr: `Bad Request: can't parse entities: Unclosed start tag at byte offset 2`},
		{name: "bare ampersand strict", text: "R&D", wantErr: `Bad Request: can't parse entities: Character "&" at byte offset 1 must be escaped`},
		{name: "bare ampersand lenient", text: "R&D", lenient: true, wantText: "R&D"},
		{name: "bare greater-than strict", text: "a > b", wantErr: `Bad Request: can't parse entities: Character ">" at byte offset 2 must be escaped`},
		{name: "bare greater-than lenient", text: "a > b", lenient: true, wantText: "a > b"},
		{name: "unknown named entity strict", text: "a&nbsp;b", wantErr: `Bad Request: can't parse entities: Character "&"`},
		{name: "nested blockquote strict", text: "<blockquote>a<blockquote>b</blockquote></blockquote>", wantErr: "Blockquotes can't be nested"},
		{name: "span needs class", text: "<span>x</span>", wantErr: `Tag "span" must have class "tg-spoiler"`},
		{name: "quote in href ends it", text: `<a href="https://x.example/"q">x</a>`, wantErr: "can't parse entities"},
		{name: "empty", text: "", wantErr: "Bad Request: message text is empty"},
		{name: "only tags", text: "<b> </b>", wantErr: "Bad Request: text must be non-empty"},
		{name: "4096 after parsing", text: "<b>" + strings.Repeat("&amp;", 4096) + "</b>", wantText: strings.Repeat("&", 4096)},
		{name: "4097 after parsing", text: strings.Repeat("é", 4097), wantErr: DescTooLong},
		{name: "raw bytes", text: strings.Repeat("&amp;", 6600), wantErr: "Bad Request: text is too long"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.SetLenient(tc.lenient)
			m := tgbotapi.NewMessage(-100, tc.text)
			m.ParseMode = "HTML"
			got, err := b.Send(m)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("accepted %q", tc.text)
				}
				if e := apiErr(t, err); e.Code != 400 || !strings.Contains(e.Message, tc.wantErr) {
					t.Errorf("error = %d %q, want 400 %q", e.Code, e.Message, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused %q: %v", tc.text, err)
			}
			if got.Text != tc.wantText {
				t.Errorf("text = %q, want %q", got.Text, tc.wantText)
			}
		})
	}
	s.SetLenient(false)
	// Entities count UTF-16 units: the emoji is two.
	m := tgbotapi.NewMessage(-100, "😀 <b>x</b>")
	m.ParseMode = "HTML"
	got, err := b.Send(m)
	if err != nil || len(got.Entities) != 1 || got.Entities[0].Offset != 3 || got.Entities[0].Length != 1 {
		t.Errorf("entities = %+v, %v; want bold at 3 length 1", got.Entities, err)
	}
}

func TestSendMessageParams(t *testing.T) {
	s, b := newBot(t)
	s.AddChat(Chat{ID: -100, IsForum: true, Threads: []int{5}})
	s.AddChat(Chat{ID: -200})
	send := func(p tgbotapi.Params) error {
		_, err := b.MakeRequest("sendMessage", p)
		return err
	}
	if err := send(tgbotapi.Params{"chat_id": "-100", "text": "hi", "message_thread_id": "5", "link_preview_options": `{"is_disabled":true}`}); err != nil {
		t.Fatal(err)
	}
	got := s.SentTo(-100)
	if len(got) != 1 || got[0].ThreadID != 5 || !got[0].LinkPreviewDisabled {
		t.Errorf("sent = %+v, want thread 5, previews off", got)
	}
	for name, tc := range map[string]struct {
		p    tgbotapi.Params
		want string
	}{
		"unknown chat":       {tgbotapi.Params{"chat_id": "-999", "text": "hi"}, DescChatNotFound},
		"unknown topic":      {tgbotapi.Params{"chat_id": "-100", "text": "hi", "message_thread_id": "6"}, "Bad Request: message thread not found"},
		"topic in non-forum": {tgbotapi.Params{"chat_id": "-200", "text": "hi", "message_thread_id": "5"}, "Bad Request: message thread not found"},
		"bad parse mode":     {tgbotapi.Params{"chat_id": "-100", "text": "hi", "parse_mode": "BBCode"}, "Bad Request: unsupported parse_mode"},
		"markdownv2":         {tgbotapi.Params{"chat_id": "-100", "text": "end.", "parse_mode": "MarkdownV2"}, `Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\'`},
		"bad preview json":   {tgbotapi.Params{"chat_id": "-100", "text": "hi", "link_preview_options": "{"}, "Bad Request: can't parse link preview options JSON object"},
	} {
		if err := send(tc.p); err == nil || apiErr(t, err).Message != tc.want {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}

func TestScriptedFailures(t *testing.T) {
	s, b := newBot(t)
	s.AddChat(Chat{ID: 7})
	s.AddChat(Chat{ID: -300, Type: "group"})
	s.FailNext(7, TooManyRequests(3), ServerError(), CantParseEntities("x"), BadGateway())
	send := func(chat int64) error {
		_, err := b.Send(tgbotapi.NewMessage(chat, "hi"))
		return err
	}
	if e := apiErr(t, send(7)); e.Code != 429 || e.RetryAfter != 3 || e.Message != "Too Many Requests: retry after 3" {
		t.Errorf("429 = %+v", e)
	}
	if e := apiErr(t, send(7)); e.Code != 500 {
		t.Errorf("500 = %+v", e)
	}
	if e := apiErr(t, send(7)); e.Code != 400 || e.Message != "Bad Request: can't parse entities: x" {
		t.Errorf("can't parse = %+v", e)
	}
	if err := send(7); err == nil || errors.As(err, new(*tgbotapi.Error)) {
		t.Errorf("502 HTML page = %v, want a decoding error", err)
	}
	if err := send(7); err != nil {
		t.Errorf("after the script: %v", err)
	}
	s.Block(7, DescBlocked)
	if e := apiErr(t, send(7)); e.Code != 403 || e.Message != DescBlocked {
		t.Errorf("blocked = %+v", e)
	}
	s.Unblock(7)
	if err := send(7); err != nil {
		t.Errorf("unblocked: %v", err)
	}
	s.Migrate(-300, -100300)
	if e := apiErr(t, send(-300)); e.Code != 400 || e.Message != DescMigrated || e.MigrateToChatID != -100300 {
		t.Errorf("migrated = %+v", e)
	}
	if err := send(-100300); err != nil {
		t.Errorf("send to the supergroup: %v", err)
	}
	// The Retry-After header goes with the 429.
	s.FailNext(7, TooManyRequests(2))
	resp, err := http.PostForm(s.URL+"/bot"+token+"/sendMessage", url.Values{"chat_id": {"7"}, "text": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("429 = %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestGetUpdates(t *testing.T) {
	s, b := newBot(t)
	s.AddChat(Chat{ID: -100, Title: "Ops", IsForum: true, Threads: []int{5}})
	id := s.Say(Incoming{Chat: -100, Thread: 5, From: User{ID: 111, FirstName: "Ann"}, Text: "/status@fake_bot prod"})
	ups, err := b.GetUpdates(tgbotapi.UpdateConfig{Offset: 0, Timeout: 0})
	if err != nil || len(ups) != 1 || ups[0].UpdateID != id {
		t.Fatalf("GetUpdates = %+v, %v", ups, err)
	}
	m := ups[0].Message
	if m.Command() != "status" || m.CommandArguments() != "prod" || m.Chat.ID != -100 || m.From.ID != 111 {
		t.Errorf("command %q args %q chat %d from %+v", m.Command(), m.CommandArguments(), m.Chat.ID, m.From)
	}
	// Not confirmed yet: the same update comes again.
	if ups, _ := b.GetUpdates(tgbotapi.UpdateConfig{Offset: id}); len(ups) != 1 {
		t.Errorf("unconfirmed update not repeated: %+v", ups)
	}
	// An offset past it confirms it; the poll then waits for the next one.
	done := make(chan []tgbotapi.Update, 1)
	go func() {
		ups, _ := b.GetUpdates(tgbotapi.UpdateConfig{Offset: id + 1, Timeout: 10})
		done <- ups
	}()
	deadline := time.After(10 * time.Second)
	for s.Pending() != 0 {
		select {
		case <-deadline:
			t.Fatal("update not confirmed")
		case <-time.After(time.Millisecond):
		}
	}
	id2 := s.Say(Incoming{Chat: -100, From: User{ID: 111}, Text: "hello"})
	select {
	case ups := <-done:
		if len(ups) != 1 || ups[0].UpdateID != id2 {
			t.Errorf("long poll returned %+v, want update %d", ups, id2)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not return on a new update")
	}
	// An empty poll with a timeout returns an empty list when it runs out.
	ups, err = b.GetUpdates(tgbotapi.UpdateConfig{Offset: id2 + 1, Timeout: 1})
	if err != nil || len(ups) != 0 {
		t.Errorf("empty poll = %+v, %v", ups, err)
	}
}

func TestGetUpdatesConflictAndClose(t *testing.T) {
	s, b := newBot(t)
	first := make(chan error, 1)
	go func() {
		_, err := b.GetUpdates(tgbotapi.UpdateConfig{Timeout: 50})
		first <- err
	}()
	for s.Calls("getUpdates") == 0 && !s.isPolling() {
		time.Sleep(time.Millisecond)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		// The second poll ends the first with a 409, then waits itself until Close.
		b.GetUpdates(tgbotapi.UpdateConfig{Timeout: 50})
	})
	select {
	case err := <-first:
		if e := apiErr(t, err); e.Code != 409 || !strings.HasPrefix(e.Message, "Conflict: terminated by other getUpdates request") {
			t.Errorf("older poll = %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the older poll was not terminated")
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs on a pending long poll")
	}
	wg.Wait()
}

func (s *Server) isPolling() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polling > 0
}

func TestSetMyCommands(t *testing.T) {
	s, b := newBot(t)
	ok := tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "status", Description: "how it goes"})
	if _, err := b.Request(ok); err != nil {
		t.Fatal(err)
	}
	if got := s.Commands(); len(got) != 1 || got[0].Command != "status" {
		t.Errorf("commands = %+v", got)
	}
	for _, tc := range []struct {
		cmd  tgbotapi.BotCommand
		want string
	}{
		{tgbotapi.BotCommand{Command: "Status", Description: "x"}, "Bad Request: BOT_COMMAND_INVALID"},
		{tgbotapi.BotCommand{Command: "sub-scribe", Description: "x"}, "Bad Request: BOT_COMMAND_INVALID"},
		{tgbotapi.BotCommand{Command: strings.Repeat("a", 33), Description: "x"}, "Bad Request: command length must not exceed 32"},
		{tgbotapi.BotCommand{Command: "ok", Description: " "}, "Bad Request: command description must be non-empty"},
	} {
		_, err := b.Request(tgbotapi.NewSetMyCommands(tc.cmd))
		if err == nil || apiErr(t, err).Message != tc.want {
			t.Errorf("%+v: %v, want %q", tc.cmd, err, tc.want)
		}
	}
}

func TestGetChatMember(t *testing.T) {
	s, b := newBot(t)
	s.AddChat(Chat{ID: -100})
	s.SetMember(-100, 5, "administrator")
	for user, want := range map[int64]string{5: "administrator", 6: "member"} {
		m, err := b.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: -100, UserID: user}})
		if err != nil || m.Status != want {
			t.Errorf("user %d: %q, %v; want %q", user, m.Status, err, want)
		}
	}
}

func TestWebhookDelivery(t *testing.T) {
	s, b := newBot(t)
	got := make(chan string, 4)
	var fails sync.WaitGroup
	fails.Add(1)
	failed := false
	hook := newHookServer(t, func(w http.ResponseWriter, r *http.Request) {
		if !failed { // the first attempt fails: the fake must retry
			failed = true
			fails.Done()
			w.WriteHeader(500)
			return
		}
		var u struct {
			UpdateID int `json:"update_id"`
			Message  struct {
				Text string `json:"text"`
			} `json:"message"`
		}
		json.NewDecoder(r.Body).Decode(&u)
		got <- r.Header.Get("X-Telegram-Bot-Api-Secret-Token") + " " + u.Message.Text
	})
	if _, err := b.MakeRequest("setWebhook", tgbotapi.Params{"url": hook, "secret_token": "s3cret"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetUpdates(tgbotapi.UpdateConfig{}); err == nil || apiErr(t, err).Code != 409 {
		t.Errorf("getUpdates with a webhook set: %v, want 409", err)
	}
	s.Say(Incoming{Chat: 1, From: User{ID: 1}, Text: "/help"})
	select {
	case v := <-got:
		if v != "s3cret /help" {
			t.Errorf("delivered %q", v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("update not delivered to the webhook")
	}
	fails.Wait()
	if _, err := b.MakeRequest("setWebhook", tgbotapi.Params{"url": hook, "secret_token": "no spaces"}); err == nil {
		t.Error("bad secret token accepted")
	}
}

func TestInlineKeyboardAndCallbacks(t *testing.T) {
	s, b := newBot(t)
	s.AddChat(Chat{ID: -100})
	send := func(markup string) error {
		_, err := b.MakeRequest("sendMessage", tgbotapi.Params{"chat_id": "-100", "text": "results", "reply_markup": markup})
		return err
	}
	for name, tc := range map[string]struct{ markup, want string }{
		"not JSON":     {"{", "Bad Request: can't parse reply keyboard markup JSON object"},
		"no keyboard":  {`{"keyboard":[]}`, "Bad Request: object expected as reply markup"},
		"no text":      {`{"inline_keyboard":[[{"callback_data":"x"}]]}`, "Bad Request: text buttons are unallowed in the inline keyboard"},
		"no action":    {`{"inline_keyboard":[[{"text":"x"}]]}`, `Bad Request: can't find field "callback_data"`},
		"data over 64": {`{"inline_keyboard":[[{"text":"x","callback_data":"` + strings.Repeat("d", 65) + `"}]]}`, "Bad Request: BUTTON_DATA_INVALID"},
	} {
		if err := send(tc.markup); err == nil || apiErr(t, err).Message != tc.want {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	if err := send(`{"inline_keyboard":[[{"text":"More","callback_data":"search more #1"}]]}`); err != nil {
		t.Fatal(err)
	}
	msg := s.SentTo(-100)[0]
	if len(msg.Keyboard) != 1 || msg.Keyboard[0][0].CallbackData != "search more #1" {
		t.Fatalf("keyboard %+v", msg.Keyboard)
	}
	if s.Press(User{ID: 7}, msg, 0, 1) != "" || s.Press(User{ID: 7}, Message{ChatID: -100, ID: 99}, 0, 0) != "" {
		t.Error("pressed a button that does not exist")
	}
	id := s.Press(User{ID: 7}, msg, 0, 0)
	ups, err := b.GetUpdates(tgbotapi.UpdateConfig{AllowedUpdates: []string{"callback_query"}})
	if err != nil || len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("updates %+v, %v", ups, err)
	}
	q := ups[0].CallbackQuery
	if q.ID != id || q.Data != "search more #1" || q.From.ID != 7 || q.Message == nil || q.Message.Chat.ID != -100 {
		t.Errorf("callback query %+v", q)
	}
	answer := func() error {
		_, err := b.Request(tgbotapi.NewCallback(id, ""))
		return err
	}
	if err := answer(); err != nil || !s.Answered(id) {
		t.Fatalf("answer: %v, answered %t", err, s.Answered(id))
	}
	if err := answer(); err == nil || !strings.Contains(apiErr(t, err).Message, "query is too old") {
		t.Errorf("answering twice: %v", err)
	}
}
