// Package telegramtest is a fake Telegram Bot API server for tests. It speaks
// the protocol as ../shared/PROTOCOLS.md part A describes it — paths
// /bot<token>/<method>, form, query or JSON parameters, {"ok":…} replies with
// the server's error strings — and checks what a client sends: sendMessage
// HTML is parsed as the server parses it (strictly by default), texts over
// 4096 characters after parsing are refused, getUpdates long-polls with
// offsets, setMyCommands validates the commands. Tests script failures
// ("the next send to chat X answers 429"), block or migrate chats, push
// updates, and read back every request and message.
package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

// The fake bot, as getMe describes it.
const (
	BotID       = 999
	BotUserName = "fake_bot"
)

// Error descriptions the fake answers with, as the real server words them.
const (
	DescBlocked      = "Forbidden: bot was blocked by the user"
	DescEditNotFound = "Bad Request: message to edit not found"
	DescNotModified  = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
	DescCantEdit     = "Bad Request: message can't be edited"
	DescKicked       = "Forbidden: bot was kicked from the group chat"
	DescCantInitiate = "Forbidden: bot can't initiate conversation with a user"
	DescChatNotFound = "Bad Request: chat not found"
	DescMigrated     = "Bad Request: group chat was upgraded to a supergroup chat"
	DescTooLong      = "Bad Request: message is too long"
	DescCantParse    = "Bad Request: can't parse entities: "
	MaxTextLength    = 4096
	MaxRawTextBytes  = 32768
	// MaxPollTimeout caps getUpdates' timeout, like the server's LONG_POLL_MAX_TIMEOUT.
	MaxPollTimeout = 50 * time.Second
)

// Chat is a chat the fake knows. Sends to any other chat id answer
// "chat not found".
type Chat struct {
	ID int64
	// Type is "private", "group", "supergroup" or "channel"; "private" when
	// empty and ID > 0, "supergroup" when empty and ID < 0.
	Type  string
	Title string
	// IsForum marks a supergroup with topics; Threads are its topic ids.
	IsForum bool
	Threads []int
}

// User is someone who writes to the bot in updates the fake sends.
type User struct {
	ID        int64
	FirstName string
	UserName  string
	IsBot     bool
}

// Failure is a scripted error answer.
type Failure struct {
	// Code is the HTTP status and error_code.
	Code        int
	Description string
	RetryAfter  int
	MigrateTo   int64
	// HTML makes the answer an HTML error page instead of JSON, as a proxy in
	// front of the Bot API sends on 502.
	HTML bool
	// Body, when set, is the whole answer, sent as it is with status Code
	// and ContentType: an answer that is not the Bot API's.
	Body        string
	ContentType string
}

// NotBotAPI is an answer no Bot API server gives: status with body as it
// is, such as a gateway's {"message":"…"} or a proxy's HTML page.
func NotBotAPI(status int, contentType, body string) Failure {
	return Failure{Code: status, Body: body, ContentType: contentType}
}

// TooManyRequests is the flood-control answer.
func TooManyRequests(retryAfter int) Failure {
	return Failure{Code: 429, Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter), RetryAfter: retryAfter}
}

// CantParseEntities is a markup error answer with the given detail.
func CantParseEntities(detail string) Failure {
	return Failure{Code: 400, Description: DescCantParse + detail}
}

// Forbidden is a 403 answer with the given description (DescBlocked, DescKicked…).
func Forbidden(desc string) Failure { return Failure{Code: 403, Description: desc} }

// ServerError is a 500 answer.
func ServerError() Failure { return Failure{Code: 500, Description: "Internal Server Error"} }

// BadGateway is a 502 HTML page, as a proxy answers when the Bot API is down.
func BadGateway() Failure { return Failure{Code: 502, Description: "Bad Gateway", HTML: true} }

// Message is a message the fake accepted from sendMessage.
type Message struct {
	ID       int
	ChatID   int64
	ThreadID int
	// Text is the text after parsing, as a client shows it; Raw is the text
	// parameter as sent.
	Text      string
	Raw       string
	Entities  []Entity
	ParseMode string
	// LinkPreviewDisabled is true when link_preview_options said is_disabled,
	// or the legacy disable_web_page_preview was set.
	LinkPreviewDisabled bool
	// Keyboard is the inline keyboard under the message (reply_markup), by
	// rows; nil when it has none.
	Keyboard [][]Button
	// Edits counts the editMessageText calls that changed it.
	Edits int
	// Deleted is set by Delete.
	Deleted bool
}

// Button is one button of an inline keyboard.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// MaxCallbackData is the most bytes a button's callback_data may hold.
const MaxCallbackData = 64

// Request is one HTTP request the fake received, for tests that assert on
// what the client sent.
type Request struct {
	Method string
	// Path is the URL path, token included; Query the raw query.
	Path   string
	Query  string
	Header http.Header
	Body   string
	Params url.Values
	// Status is the HTTP status the fake answered.
	Status int
}

// BotCommand is one entry of setMyCommands.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

type chatState struct {
	Chat
	blocked    string // a 403 description while the bot is blocked or kicked
	migratedTo int64
	nextMsg    int
}

type update struct {
	id   int
	kind string // "message", "my_chat_member", …
	body map[string]any
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to configure as telegram.api_url.
	URL string
	// Token is the bot token the fake accepts.
	Token string

	srv      *httptest.Server
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup

	mu      sync.Mutex
	changed chan struct{}
	lenient bool
	// noWait makes getUpdates answer at once, ignoring timeout.
	noWait   bool
	chats    map[int64]*chatState
	members  map[int64]map[int64]string
	failures map[int64][]Failure
	sent     []Message
	requests []Request
	queue    []update
	nextID   int
	allowed  []string
	pollGen  int
	polling  int
	commands []BotCommand
	webhook  struct {
		url, secret string
		running     bool
	}
	deliveries int
	edits      int
	// callbacks are the callback queries pressed, by id: true once answered.
	callbacks map[string]bool
}

// New starts a fake that accepts token and closes it when the test ends.
func New(t testing.TB, token string) *Server {
	s := &Server{
		Token:     token,
		stop:      make(chan struct{}),
		changed:   make(chan struct{}),
		chats:     map[int64]*chatState{},
		members:   map[int64]map[int64]string{},
		failures:  map[int64][]Failure{},
		callbacks: map[string]bool{},
		nextID:    100000001,
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Close stops pending long polls and webhook deliveries, then the server.
func (s *Server) Close() {
	s.stopOnce.Do(func() {
		close(s.stop)
		s.wg.Wait()
		s.srv.Close()
	})
}

// SetLenient switches between the strict HTML check (the default: what the
// documentation demands) and the real server's leniency, which accepts a bare
// '>' and an '&' that starts no character reference.
func (s *Server) SetLenient(lenient bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lenient = lenient
}

// IgnorePollTimeout makes getUpdates answer at once, empty when nothing is
// queued, whatever its timeout says: a Bot API server or proxy that does not
// long-poll.
func (s *Server) IgnorePollTimeout(ignore bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noWait = ignore
}

// AddChat makes a chat known.
func (s *Server) AddChat(c Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Type == "" {
		c.Type = "supergroup"
		if c.ID > 0 {
			c.Type = "private"
		}
	}
	if c.Title == "" && c.Type != "private" {
		c.Title = fmt.Sprintf("Chat %d", c.ID)
	}
	s.chats[c.ID] = &chatState{Chat: c}
}

// SetMember sets a user's status in a chat ("creator", "administrator",
// "member", "left", …) for getChatMember; known chats' users are "member"
// otherwise.
func (s *Server) SetMember(chat, user int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.members[chat] == nil {
		s.members[chat] = map[int64]string{}
	}
	s.members[chat][user] = status
}

// Block makes every send to chat answer 403 with desc (DescBlocked,
// DescKicked) until Unblock.
func (s *Server) Block(chat int64, desc string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chat]; c != nil {
		c.blocked = desc
	}
}

// Unblock lets sends to chat through again.
func (s *Server) Unblock(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chat]; c != nil {
		c.blocked = ""
	}
}

// Migrate upgrades group chat from to a supergroup with id to: sends to from
// answer 400 with migrate_to_chat_id from now on, and to is a known chat.
func (s *Server) Migrate(from, to int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.chats[from]
	if old == nil {
		return
	}
	old.migratedTo = to
	s.chats[to] = &chatState{Chat: Chat{ID: to, Type: "supergroup", Title: old.Title}}
}

// FailNext scripts the answers to the next sendMessage calls to chat, one
// failure per call, before any other check.
func (s *Server) FailNext(chat int64, fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[chat] = append(s.failures[chat], fs...)
}

// Sent returns every message the fake accepted, in order.
func (s *Server) Sent() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// SentTo returns the messages accepted for chat, in order.
func (s *Server) SentTo(chat int64) []Message {
	var out []Message
	for _, m := range s.Sent() {
		if m.ChatID == chat {
			out = append(out, m)
		}
	}
	return out
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Calls counts the requests for method (case-insensitive).
func (s *Server) Calls(method string) int {
	n := 0
	for _, r := range s.Requests() {
		if strings.EqualFold(r.Method, method) {
			n++
		}
	}
	return n
}

// Commands returns the commands set by the last setMyCommands.
func (s *Server) Commands() []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands)
}

// Pending counts updates not yet confirmed by an offset (or delivered to the webhook).
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Webhook returns the webhook URL and secret token set, if any.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url, s.webhook.secret
}

// Wait blocks until cond, called under the fake's lock with the messages
// sent so far, is true, or until timeout. It reports whether cond became true.
func (s *Server) Wait(timeout time.Duration, cond func(sent []Message) bool) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		s.mu.Lock()
		ok := cond(s.sent)
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-t.C:
			return false
		case <-s.stop:
			return false
		}
	}
}

// WaitSent waits until n messages in all were accepted, or timeout, and
// returns them.
func (s *Server) WaitSent(timeout time.Duration, n int) ([]Message, bool) {
	ok := s.Wait(timeout, func(sent []Message) bool { return len(sent) >= n })
	return s.Sent(), ok
}

// WaitIdle waits until every pushed update was confirmed and a client is
// long-polling again (or the webhook took them all), so the updates were handled.
func (s *Server) WaitIdle(timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		s.mu.Lock()
		ok := len(s.queue) == 0 && (s.polling > 0 || s.webhook.url != "")
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-t.C:
			return false
		case <-s.stop:
			return false
		}
	}
}

// broadcast wakes everything waiting for a change; s.mu must be held.
func (s *Server) broadcast() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Incoming is a message a user writes in a chat, for Say.
type Incoming struct {
	Chat   int64
	Thread int // a forum topic; 0 for none
	From   User
	Text   string
	// SenderChat, when set, sends the message on behalf of a chat: the group
	// itself for an anonymous administrator.
	SenderChat int64
}

var commandPrefix = regexp.MustCompile(`^/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?`)

// Say queues a message update, with a bot_command entity when the text
// starts with a command, and returns its update_id.
func (s *Server) Say(in Incoming) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[in.Chat]
	if c == nil {
		c = &chatState{Chat: Chat{ID: in.Chat, Type: "private"}}
		if in.Chat < 0 {
			c.Type = "supergroup"
		}
		s.chats[in.Chat] = c
	}
	c.nextMsg++
	m := map[string]any{
		"message_id": c.nextMsg,
		"from":       userJSON(in.From),
		"chat":       chatJSON(c.Chat),
		"date":       1700000000 + c.nextMsg,
		"text":       in.Text,
	}
	if in.Thread != 0 {
		m["message_thread_id"] = in.Thread
		m["is_topic_message"] = true
	}
	if in.SenderChat != 0 {
		if sc := s.chats[in.SenderChat]; sc != nil {
			m["sender_chat"] = chatJSON(sc.Chat)
		}
	}
	if cmd := commandPrefix.FindString(in.Text); cmd != "" {
		m["entities"] = []Entity{{Type: "bot_command", Offset: 0, Length: len(cmd)}}
	}
	return s.push("message", m)
}

// ChatMemberUpdate queues a my_chat_member update: the bot's status in chat
// changed from old to new ("member", "kicked", "left", "administrator"), as
// when a user blocks or unblocks the bot or a group removes or re-adds it.
func (s *Server) ChatMemberUpdate(chat int64, by User, old, new string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chat]
	if c == nil {
		return 0
	}
	botUser := map[string]any{"id": BotID, "is_bot": true, "first_name": "Fake", "username": BotUserName}
	return s.push("my_chat_member", map[string]any{
		"chat":            chatJSON(c.Chat),
		"from":            userJSON(by),
		"date":            1700000000,
		"old_chat_member": map[string]any{"user": botUser, "status": old},
		"new_chat_member": map[string]any{"user": botUser, "status": new},
	})
}

// push queues an update; s.mu must be held.
func (s *Server) push(kind string, body map[string]any) int {
	id := s.nextID
	s.nextID++
	s.queue = append(s.queue, update{id: id, kind: kind, body: body})
	s.broadcast()
	return id
}

func userJSON(u User) map[string]any {
	m := map[string]any{"id": u.ID, "is_bot": u.IsBot, "first_name": u.FirstName}
	if m["first_name"] == "" {
		m["first_name"] = "User"
	}
	if u.UserName != "" {
		m["username"] = u.UserName
	}
	return m
}

func chatJSON(c Chat) map[string]any {
	m := map[string]any{"id": c.ID, "type": c.Type}
	if c.Title != "" {
		m["title"] = c.Title
	}
	if c.IsForum {
		m["is_forum"] = true
	}
	return m
}

// apiError is an error answer.
type apiError struct {
	code        int
	description string
	params      map[string]any
	html        bool
	// raw, when set, is sent as the whole body with rawType.
	raw, rawType string
}

func fail(code int, desc string) *apiError { return &apiError{code: code, description: desc} }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	params, perr := readParams(r, body)
	rec := Request{Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body), Params: params}
	status, result, aerr := s.handle(w, r, params, perr, &rec)
	if aerr != nil {
		status = aerr.code
	}
	rec.Status = status
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.broadcast()
	s.mu.Unlock()
	if status == 0 {
		return // the poll was abandoned by the client or the fake is closing
	}
	writeReply(w, status, result, aerr)
}

func writeReply(w http.ResponseWriter, status int, result any, aerr *apiError) {
	if aerr != nil && aerr.raw != "" {
		w.Header().Set("Content-Type", aerr.rawType)
		w.WriteHeader(aerr.code)
		io.WriteString(w, aerr.raw)
		return
	}
	if aerr != nil && aerr.html {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(aerr.code)
		fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><center><h1>%d %s</h1></center><hr><center>nginx</center></body></html>\n",
			aerr.code, aerr.description, aerr.code, aerr.description)
		return
	}
	reply := map[string]any{"ok": aerr == nil}
	if aerr != nil {
		reply["error_code"] = aerr.code
		reply["description"] = aerr.description
		if len(aerr.params) > 0 {
			reply["parameters"] = aerr.params
			if ra, ok := aerr.params["retry_after"]; ok {
				w.Header().Set("Retry-After", fmt.Sprint(ra))
			}
		}
	} else {
		reply["result"] = result
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(reply)
}

// readParams gathers parameters from the query string and a urlencoded,
// multipart or JSON body, the ways the Bot API accepts them.
func readParams(r *http.Request, body []byte) (url.Values, error) {
	params := url.Values{}
	for k, v := range r.URL.Query() {
		params[k] = v
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]any
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &m); err != nil {
				return params, err
			}
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				params.Set(k, v)
			case nil:
				params.Set(k, "null")
			default:
				b, _ := json.Marshal(v)
				params.Set(k, string(b))
			}
		}
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return params, err
		}
		for k, v := range form {
			params[k] = v
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return params, err
		}
		for k, v := range r.MultipartForm.Value {
			params[k] = v
		}
	}
	return params, nil
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, p url.Values, perr error, rec *Request) (int, any, *apiError) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		return 0, nil, fail(404, "Not Found")
	}
	rec.Method = method
	if token != s.Token {
		return 0, nil, fail(401, "Unauthorized")
	}
	if perr != nil {
		return 0, nil, fail(400, "Bad Request: can't parse request parameters")
	}
	switch strings.ToLower(method) {
	case "getme":
		return 200, map[string]any{"id": BotID, "is_bot": true, "first_name": "Fake", "username": BotUserName,
			"can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false}, nil
	case "sendmessage":
		return s.sendMessage(p)
	case "editmessagetext":
		return s.editMessageText(p)
	case "getupdates":
		return s.getUpdates(r, p)
	case "setmycommands":
		return s.setMyCommands(p)
	case "getchatmember":
		return s.getChatMember(p)
	case "answercallbackquery":
		return s.answerCallbackQuery(p)
	case "setwebhook":
		return s.setWebhook(p)
	case "deletewebhook":
		s.mu.Lock()
		s.webhook.url, s.webhook.secret = "", ""
		if p.Get("drop_pending_updates") == "true" {
			s.queue = nil
		}
		s.broadcast()
		s.mu.Unlock()
		return 200, true, nil
	case "getwebhookinfo":
		s.mu.Lock()
		defer s.mu.Unlock()
		return 200, map[string]any{"url": s.webhook.url, "has_custom_certificate": false, "pending_update_count": len(s.queue)}, nil
	}
	return 0, nil, fail(404, "Not Found: method not found")
}

func (s *Server) sendMessage(p url.Values) (int, any, *apiError) {
	chatID, err := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.scripted(chatID, err); e != nil {
		return 0, nil, e
	}
	m, aerr := s.parseText(p)
	if aerr != nil {
		return 0, nil, aerr
	}
	c := s.chats[chatID]
	if err != nil || c == nil {
		return 0, nil, fail(400, DescChatNotFound)
	}
	thread := 0
	if v := p.Get("message_thread_id"); v != "" && v != "0" {
		thread, err = strconv.Atoi(v)
		if err != nil || !c.IsForum || !slices.Contains(c.Threads, thread) {
			return 0, nil, fail(400, "Bad Request: message thread not found")
		}
	}
	if c.migratedTo != 0 {
		return 0, nil, &apiError{code: 400, description: DescMigrated, params: map[string]any{"migrate_to_chat_id": c.migratedTo}}
	}
	if c.blocked != "" {
		return 0, nil, fail(403, c.blocked)
	}
	c.nextMsg++
	m.ID, m.ChatID, m.ThreadID = c.nextMsg, chatID, thread
	s.sent = append(s.sent, m)
	s.broadcast()
	return 200, messageJSON(m, c.Chat), nil
}

// scripted pops the next scripted failure for chat, if any; the fake's
// lock is held.
func (s *Server) scripted(chatID int64, parseErr error) *apiError {
	fs := s.failures[chatID]
	if parseErr != nil || len(fs) == 0 {
		return nil
	}
	f := fs[0]
	s.failures[chatID] = fs[1:]
	e := &apiError{code: f.Code, description: f.Description, html: f.HTML, raw: f.Body, rawType: f.ContentType}
	if f.RetryAfter > 0 {
		e.params = map[string]any{"retry_after": f.RetryAfter}
	}
	if f.MigrateTo != 0 {
		e.params = map[string]any{"migrate_to_chat_id": f.MigrateTo}
	}
	return e
}

// parseText checks and parses the text parameters of sendMessage and
// editMessageText, as the server does, into a Message without ids; the
// fake's lock is held.
func (s *Server) parseText(p url.Values) (Message, *apiError) {
	raw := p.Get("text")
	if raw == "" {
		return Message{}, fail(400, "Bad Request: message text is empty")
	}
	if len(raw) > MaxRawTextBytes {
		return Message{}, fail(400, "Bad Request: text is too long")
	}
	if !utfValid(raw) {
		return Message{}, fail(400, "Bad Request: strings must be encoded in UTF-8")
	}
	text, entities := raw, []Entity(nil)
	mode := p.Get("parse_mode")
	switch strings.ToLower(mode) {
	case "":
	case "html":
		t, es, err := parseHTML(raw, !s.lenient)
		if err != nil {
			return Message{}, fail(400, DescCantParse+err.Error())
		}
		text, entities = t, es
	case "markdownv2":
		t, err := checkMarkdownV2(raw)
		if err != nil {
			return Message{}, fail(400, DescCantParse+err.Error())
		}
		text = t
	case "markdown":
	default:
		return Message{}, fail(400, "Bad Request: unsupported parse_mode")
	}
	if strings.TrimFunc(text, unicode.IsSpace) == "" {
		return Message{}, fail(400, "Bad Request: text must be non-empty")
	}
	if codePoints(text) > MaxTextLength {
		return Message{}, fail(400, DescTooLong)
	}
	if v := p.Get("entities"); v != "" && v != "null" && mode == "" {
		if err := json.Unmarshal([]byte(v), &entities); err != nil {
			return Message{}, fail(400, "Bad Request: can't parse entities JSON object")
		}
	}
	preview := false
	if v := p.Get("link_preview_options"); v != "" {
		var o struct {
			IsDisabled bool `json:"is_disabled"`
		}
		if err := json.Unmarshal([]byte(v), &o); err != nil {
			return Message{}, fail(400, "Bad Request: can't parse link preview options JSON object")
		}
		preview = o.IsDisabled
	} else {
		preview = p.Get("disable_web_page_preview") == "true"
	}
	keyboard, aerr := parseKeyboard(p.Get("reply_markup"))
	if aerr != nil {
		return Message{}, aerr
	}
	return Message{Text: text, Raw: raw, Entities: entities, ParseMode: mode, LinkPreviewDisabled: preview, Keyboard: keyboard}, nil
}

// messageJSON is m as the Bot API returns a Message.
func messageJSON(m Message, chat Chat) map[string]any {
	res := map[string]any{
		"message_id": m.ID,
		"from":       map[string]any{"id": BotID, "is_bot": true, "first_name": "Fake", "username": BotUserName},
		"chat":       chatJSON(chat),
		"date":       1700000000 + m.ID,
		"text":       m.Text,
	}
	if len(m.Entities) > 0 {
		res["entities"] = m.Entities
	}
	if m.ThreadID != 0 {
		res["message_thread_id"] = m.ThreadID
		res["is_topic_message"] = true
	}
	if m.LinkPreviewDisabled {
		res["link_preview_options"] = map[string]any{"is_disabled": true}
	}
	if m.Keyboard != nil {
		res["reply_markup"] = map[string]any{"inline_keyboard": m.Keyboard}
	}
	if m.Edits > 0 {
		res["edit_date"] = 1700000000 + m.ID + m.Edits
	}
	return res
}

// editMessageText changes the text of a message the fake accepted, as
// PROTOCOLS.md A6b describes: "message is not modified" when the parsed
// text, entities and keyboard are the same, "message to edit not found"
// for an id it never sent in that chat. Edits count against the chat's
// scripted failures like sends.
func (s *Server) editMessageText(p url.Values) (int, any, *apiError) {
	if p.Get("inline_message_id") != "" {
		return 0, nil, fail(400, "Bad Request: message to edit not found")
	}
	chatID, err := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.scripted(chatID, err); e != nil {
		return 0, nil, e
	}
	c := s.chats[chatID]
	if err != nil || c == nil {
		return 0, nil, fail(400, DescChatNotFound)
	}
	id, err := strconv.Atoi(p.Get("message_id"))
	if err != nil || id <= 0 {
		return 0, nil, fail(400, "Bad Request: message identifier is not specified")
	}
	m, aerr := s.parseText(p)
	if aerr != nil {
		return 0, nil, aerr
	}
	if c.blocked != "" {
		return 0, nil, fail(403, c.blocked)
	}
	i := slices.IndexFunc(s.sent, func(x Message) bool { return x.ChatID == chatID && x.ID == id })
	if i < 0 || s.sent[i].Deleted {
		return 0, nil, fail(400, DescEditNotFound)
	}
	old := &s.sent[i]
	if old.Text == m.Text && slices.Equal(old.Entities, m.Entities) && keyboardsEqual(old.Keyboard, m.Keyboard) {
		return 0, nil, fail(400, DescNotModified)
	}
	old.Text, old.Raw, old.Entities, old.ParseMode, old.Keyboard = m.Text, m.Raw, m.Entities, m.ParseMode, m.Keyboard
	old.LinkPreviewDisabled = m.LinkPreviewDisabled
	old.Edits++
	s.edits++
	s.broadcast()
	return 200, messageJSON(*old, c.Chat), nil
}

func keyboardsEqual(a, b [][]Button) bool {
	return slices.EqualFunc(a, b, func(x, y []Button) bool { return slices.Equal(x, y) })
}

// Delete removes a message the fake sent, as a chat member would: later
// edits of it answer "message to edit not found".
func (s *Server) Delete(chat int64, id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.sent {
		if s.sent[i].ChatID == chat && s.sent[i].ID == id {
			s.sent[i].Deleted = true
		}
	}
}

// Edits counts the edits the fake accepted.
func (s *Server) Edits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.edits
}

// parseKeyboard reads a reply_markup parameter as the Bot API checks an
// inline keyboard: rows of buttons, each with a text and exactly one action
// (callback_data of 1 to 64 bytes, or a url).
func parseKeyboard(v string) ([][]Button, *apiError) {
	if v == "" || v == "null" {
		return nil, nil
	}
	var markup struct {
		InlineKeyboard *[][]Button `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(v), &markup); err != nil {
		return nil, fail(400, "Bad Request: can't parse reply keyboard markup JSON object")
	}
	if markup.InlineKeyboard == nil {
		return nil, fail(400, "Bad Request: object expected as reply markup")
	}
	for _, row := range *markup.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return nil, fail(400, "Bad Request: text buttons are unallowed in the inline keyboard")
			}
			if (b.CallbackData == "") == (b.URL == "") {
				return nil, fail(400, "Bad Request: can't find field \"callback_data\"")
			}
			if b.URL == "" && len(b.CallbackData) > MaxCallbackData {
				return nil, fail(400, "Bad Request: BUTTON_DATA_INVALID")
			}
		}
	}
	return *markup.InlineKeyboard, nil
}

// Press queues a callback_query update, as when user taps the button at
// row, col of the inline keyboard under the bot's message msg, and returns
// the query's id; "" when the fake holds no such message or button, so a
// test proves the client really sent the keyboard.
func (s *Server) Press(from User, msg Message, row, col int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sent := s.sentMessage(msg)
	if sent == nil || row >= len(sent.Keyboard) || col >= len(sent.Keyboard[row]) || sent.Keyboard[row][col].CallbackData == "" {
		return ""
	}
	return s.callback(from, sent, sent.Keyboard[row][col].CallbackData)
}

// Forge queues a callback_query with any data under the bot's message msg,
// as a modified client could send, and returns its id ("" without msg).
func (s *Server) Forge(from User, msg Message, data string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sent := s.sentMessage(msg)
	if sent == nil {
		return ""
	}
	return s.callback(from, sent, data)
}

// sentMessage finds a message the bot sent; s.mu must be held.
func (s *Server) sentMessage(msg Message) *Message {
	for i := range s.sent {
		if s.sent[i].ChatID == msg.ChatID && s.sent[i].ID == msg.ID {
			return &s.sent[i]
		}
	}
	return nil
}

// callback queues a callback_query update; s.mu must be held.
func (s *Server) callback(from User, sent *Message, data string) string {
	c := s.chats[sent.ChatID]
	id := fmt.Sprintf("%d%04d", BotID, len(s.callbacks)+1)
	s.callbacks[id] = false
	m := map[string]any{
		"message_id": sent.ID,
		"from":       map[string]any{"id": BotID, "is_bot": true, "first_name": "Fake", "username": BotUserName},
		"chat":       chatJSON(c.Chat),
		"date":       1700000000 + sent.ID,
		"text":       sent.Text,
	}
	if sent.Keyboard != nil {
		m["reply_markup"] = map[string]any{"inline_keyboard": sent.Keyboard}
	}
	if sent.ThreadID != 0 {
		m["message_thread_id"] = sent.ThreadID
		m["is_topic_message"] = true
	}
	s.push("callback_query", map[string]any{
		"id":            id,
		"from":          userJSON(from),
		"message":       m,
		"chat_instance": fmt.Sprint(sent.ChatID * 7),
		"data":          data,
	})
	return id
}

// Answered reports whether the callback query id was answered.
func (s *Server) Answered(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callbacks[id]
}

// answerCallbackQuery answers a pressed button once, as the Bot API does;
// an unknown or already answered id is refused.
func (s *Server) answerCallbackQuery(p url.Values) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := p.Get("callback_query_id")
	answered, ok := s.callbacks[id]
	if !ok || answered {
		return 0, nil, fail(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
	}
	if len(p.Get("text")) > 200 {
		return 0, nil, fail(400, "Bad Request: MESSAGE_TOO_LONG")
	}
	s.callbacks[id] = true
	s.broadcast()
	return 200, true, nil
}

func utfValid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func (s *Server) getUpdates(r *http.Request, p url.Values) (int, any, *apiError) {
	offset, _ := strconv.Atoi(p.Get("offset"))
	limit := 100
	if v, err := strconv.Atoi(p.Get("limit")); err == nil && v >= 1 && v <= 100 {
		limit = v
	}
	timeout := time.Duration(0)
	if v, err := strconv.Atoi(p.Get("timeout")); err == nil && v > 0 {
		timeout = min(time.Duration(v)*time.Second, MaxPollTimeout)
	}
	s.mu.Lock()
	if s.webhook.url != "" {
		s.mu.Unlock()
		return 0, nil, fail(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
	}
	if v := p.Get("allowed_updates"); v != "" {
		var allowed []string
		if err := json.Unmarshal([]byte(v), &allowed); err == nil {
			s.allowed = allowed
		}
	}
	if offset > 0 {
		s.queue = slices.DeleteFunc(s.queue, func(u update) bool { return u.id < offset })
	}
	s.pollGen++
	gen := s.pollGen
	s.polling++
	s.broadcast()
	defer func() {
		s.polling--
		s.broadcast()
		s.mu.Unlock()
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		if gen != s.pollGen {
			return 0, nil, fail(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
		}
		var out []map[string]any
		for _, u := range s.queue {
			if u.id < offset || len(out) == limit {
				continue
			}
			if len(s.allowed) > 0 && !slices.Contains(s.allowed, u.kind) {
				continue
			}
			out = append(out, map[string]any{"update_id": u.id, u.kind: u.body})
		}
		if offset < 0 && len(out) > -offset {
			out = out[len(out)+offset:]
		}
		if len(out) > 0 {
			return 200, out, nil
		}
		if s.noWait {
			return 200, []any{}, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
			s.mu.Lock()
		case <-timer.C:
			s.mu.Lock()
			return 200, []any{}, nil
		case <-r.Context().Done():
			s.mu.Lock()
			return 0, nil, nil
		case <-s.stop:
			s.mu.Lock()
			return 0, nil, nil
		}
	}
}

var commandName = regexp.MustCompile(`^[a-z0-9_]+$`)

func (s *Server) setMyCommands(p url.Values) (int, any, *apiError) {
	var cmds []BotCommand
	if err := json.Unmarshal([]byte(p.Get("commands")), &cmds); err != nil {
		return 0, nil, fail(400, "Bad Request: can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return 0, nil, fail(400, "Bad Request: too many commands specified")
	}
	for _, c := range cmds {
		switch {
		case len(c.Command) > 32:
			return 0, nil, fail(400, "Bad Request: command length must not exceed 32")
		case !commandName.MatchString(c.Command):
			return 0, nil, fail(400, "Bad Request: BOT_COMMAND_INVALID")
		case strings.TrimSpace(c.Description) == "":
			return 0, nil, fail(400, "Bad Request: command description must be non-empty")
		case codePoints(c.Description) > 256:
			return 0, nil, fail(400, "Bad Request: command description length must not exceed 256")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands = cmds
	return 200, true, nil
}

func (s *Server) getChatMember(p url.Values) (int, any, *apiError) {
	chatID, err1 := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	userID, err2 := strconv.ParseInt(p.Get("user_id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err1 != nil || s.chats[chatID] == nil {
		return 0, nil, fail(400, DescChatNotFound)
	}
	if err2 != nil || userID <= 0 {
		return 0, nil, fail(400, "Bad Request: invalid user_id specified")
	}
	status := s.members[chatID][userID]
	if status == "" {
		status = "member"
	}
	return 200, map[string]any{"status": status, "user": map[string]any{"id": userID, "is_bot": false, "first_name": "User"}}, nil
}

var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(p url.Values) (int, any, *apiError) {
	u, secret := p.Get("url"), p.Get("secret_token")
	if u != "" {
		parsed, err := url.Parse(u)
		if err != nil || (parsed.Scheme != "https" && parsed.Scheme != "http") || parsed.Host == "" {
			return 0, nil, fail(400, "Bad Request: bad webhook: invalid webhook URL specified")
		}
	}
	if secret != "" && !secretToken.MatchString(secret) {
		return 0, nil, fail(400, "Bad Request: secret token contains unallowed characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook.url, s.webhook.secret = u, secret
	if p.Get("drop_pending_updates") == "true" {
		s.queue = nil
	}
	if u != "" && !s.webhook.running {
		s.webhook.running = true
		s.wg.Add(1)
		go s.deliver()
	}
	s.broadcast()
	return 200, true, nil
}

// deliver posts queued updates to the webhook one at a time, retrying an
// update until the receiver answers 2xx, as the server does.
func (s *Server) deliver() {
	defer s.wg.Done()
	client := &http.Client{Timeout: 10 * time.Second}
	for {
		s.mu.Lock()
		target, secret := s.webhook.url, s.webhook.secret
		var next *update
		if target != "" && len(s.queue) > 0 {
			u := s.queue[0]
			next = &u
		}
		ch := s.changed
		s.mu.Unlock()
		if next == nil {
			select {
			case <-ch:
				continue
			case <-s.stop:
				return
			}
		}
		body, _ := json.Marshal(map[string]any{"update_id": next.id, next.kind: next.body})
		req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := client.Do(req)
		ok := err == nil && resp.StatusCode/100 == 2
		if resp != nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if ok {
			s.mu.Lock()
			s.queue = slices.DeleteFunc(s.queue, func(u update) bool { return u.id == next.id })
			s.deliveries++
			s.broadcast()
			s.mu.Unlock()
			continue
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-s.stop:
			return
		}
	}
}
