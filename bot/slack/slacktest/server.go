// Package slacktest is a fake Slack for tests: the Web API methods herald
// calls, a Socket Mode WebSocket, response_url endpoints, a signer for HTTP
// slash commands and interactivity requests, and button presses. It speaks
// the protocol as ../shared/PROTOCOLS.md part B describes it — methods at
// POST /api/<method>, tokens in the form body or an Authorization: Bearer
// header, {"ok":false,"error":…} answers with HTTP 200, 429 with
// Retry-After — and checks what a client sends: chat.postMessage validates
// Block Kit limits (50 blocks, 3000 characters a section, the limits of
// buttons) the way Slack answers invalid_blocks, truncates text over
// 40,000 characters with a message_truncated warning, and reads every
// mrkdwn text as Slack would, recording the links, mentions and broadcasts
// it would make and every raw '<', '>' or '&' that was not escaped. Tests
// script failures ("the next post answers 429"), archive channels or remove
// the bot from them, revoke the token, push slash commands and app
// mentions over Socket Mode, press the buttons of messages the fake
// accepted (over Socket Mode, or as signed interactivity requests), and
// read back every request, message, ack and response.
package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// The workspace, app and bot the fake is.
const (
	TeamID    = "T0FAKE"
	TeamName  = "Fake Newsroom"
	AppID     = "A0FAKE"
	BotUserID = "U0HERALD"
	BotID     = "B0HERALD"
	BotName   = "herald"
)

// Error codes the fake answers with, as Slack spells them.
const (
	ErrNotAuthed       = "not_authed"
	ErrInvalidAuth     = "invalid_auth"
	ErrAccountInactive = "account_inactive"
	ErrTokenRevoked    = "token_revoked"
	ErrChannelNotFound = "channel_not_found"
	ErrNotInChannel    = "not_in_channel"
	ErrIsArchived      = "is_archived"
	ErrNoText          = "no_text"
	ErrInvalidBlocks   = "invalid_blocks"
	ErrInvalidFormat   = "invalid_blocks_format"
	ErrRateLimited     = "ratelimited"
	ErrInvalidCursor   = "invalid_cursor"
	ErrUnknownMethod   = "unknown_method"
	// chat.update's own errors.
	ErrMessageNotFound  = "message_not_found"
	ErrCantUpdate       = "cant_update_message"
	ErrEditWindowClosed = "edit_window_closed"
)

// Limits Slack enforces, as the fake checks them.
const (
	MaxBlocks      = 50
	MaxSectionText = 3000
	MaxFieldText   = 2000
	MaxHeaderText  = 150
	MaxContextElem = 10
	// MaxText is where Slack truncates a message's text (not its blocks).
	MaxText = 40000
	// ResponseURLUses is how many times a response_url may be used.
	ResponseURLUses = 5
	// AckDeadline is how long Slack waits for a Socket Mode ack.
	AckDeadline = 3 * time.Second
	// MaxActionElements is the most elements of an actions block.
	MaxActionElements = 25
	// MaxButtonText, MaxButtonValue, MaxActionID and MaxButtonURL are the
	// longest a button's label, value, action_id and url may be.
	MaxButtonText  = 75
	MaxButtonValue = 2000
	MaxActionID    = 255
	MaxButtonURL   = 3000
)

// Channel is a conversation the fake knows. Posts to any other id answer
// channel_not_found.
type Channel struct {
	// ID is the conversation id: C… for channels, G… for private ones, D… for DMs.
	ID string
	// Name is the channel name without '#'.
	Name    string
	Private bool
	// Archived makes posts answer is_archived.
	Archived bool
	// NotMember means the bot was not invited: posts answer not_in_channel.
	NotMember bool
}

// Failure is a scripted answer to one call.
type Failure struct {
	// Status is the HTTP status; 200 when zero.
	Status int
	// Error is the error code of an {"ok":false} body; with a non-200 status
	// other than 429 and no Error, the body is an HTML error page.
	Error string
	// RetryAfter, when positive, is sent as the Retry-After header.
	RetryAfter int
	// Body, when set, is the whole answer, sent as it is with ContentType:
	// an answer that is not the Web API's (a gateway's JSON, a proxy's page).
	Body        string
	ContentType string
}

// NotWebAPI is an answer Slack never gives: status with body as it is, such
// as {} or a proxy's 404 page.
func NotWebAPI(status int, contentType, body string) Failure {
	return Failure{Status: status, Body: body, ContentType: contentType}
}

// RateLimited is the answer of an exceeded rate limit: 429 with
// Retry-After and {"ok":false,"error":"ratelimited"}.
func RateLimited(retryAfter int) Failure {
	return Failure{Status: http.StatusTooManyRequests, Error: ErrRateLimited, RetryAfter: retryAfter}
}

// RatelimitedBody is "ratelimited" in an HTTP 200 answer, without Retry-After.
func RatelimitedBody() Failure { return Failure{Error: ErrRateLimited} }

// ServerError is an HTML error page with the given 5xx status.
func ServerError(status int) Failure { return Failure{Status: status} }

// APIError is {"ok":false,"error":code} with HTTP 200.
func APIError(code string) Failure { return Failure{Error: code} }

// Link is a link a message makes, as Slack would show it.
type Link struct {
	URL   string
	Label string
}

// Rendering is what a mrkdwn text becomes in Slack's hands.
type Rendering struct {
	// Text is what a reader sees: entities decoded, links and mentions
	// replaced by their labels, emphasis markers left as they are.
	Text string
	// Links are the <url|label> links.
	Links []Link
	// Mentions are the user, channel and group mentions (<@U…>, <#C…>,
	// <!subteam^…>) as written.
	Mentions []string
	// Broadcasts are <!channel>, <!here> and <!everyone>, as written.
	Broadcasts []string
	// Emphasis are the spans Slack formats (*bold*, _italic_, ~strike~,
	// `code`), markers included, zero-width spaces removed.
	Emphasis []string
	// Problems are characters that were not escaped: a raw '<' or '>' that
	// makes no valid token, an '&' that starts no entity.
	Problems []string
}

func (r *Rendering) merge(o Rendering) {
	if r.Text != "" && o.Text != "" {
		r.Text += "\n"
	}
	r.Text += o.Text
	r.Links = append(r.Links, o.Links...)
	r.Mentions = append(r.Mentions, o.Mentions...)
	r.Broadcasts = append(r.Broadcasts, o.Broadcasts...)
	r.Emphasis = append(r.Emphasis, o.Emphasis...)
	r.Problems = append(r.Problems, o.Problems...)
}

// Message is a message the fake accepted, from chat.postMessage,
// chat.postEphemeral or a response_url.
type Message struct {
	Channel string
	TS      string
	// ThreadTS is the parent of a reply in a thread.
	ThreadTS string
	// Text is the text parameter as sent (truncated as Slack truncates it).
	Text string
	// Truncated is set when Text was over MaxText.
	Truncated bool
	// Blocks is the blocks parameter, raw JSON; BlockTypes their types in order.
	Blocks     string
	BlockTypes []string
	// Buttons are the buttons of its actions blocks, in order: what Press
	// can press.
	Buttons []Button
	// Rendered is the blocks as Slack shows them, or the text when there
	// are no blocks.
	Rendered Rendering
	// TextRendered is the text parameter read as mrkdwn.
	TextRendered Rendering
	// Params are the form parameters (token removed), or the JSON body's
	// fields as text for response_url messages.
	Params url.Values
	// Ephemeral is set for chat.postEphemeral and ephemeral responses; User
	// is who sees it.
	Ephemeral bool
	User      string
	// ResponseType is in_channel or ephemeral for response_url messages;
	// ResponseURL names the URL it was posted to.
	ResponseType string
	ResponseURL  string
	// Replaced is set when a button's response_url replaced the message
	// (replace_original); it keeps its channel, ts, thread, who sees it
	// and how it was posted.
	Replaced bool
	// Edits counts the chat.update calls that changed it.
	Edits int
	// Deleted is set by DeleteMessage; FromUser marks a message a person
	// wrote (PostAsUser), which the bot may not update.
	Deleted  bool
	FromUser bool
}

// UnfurlLinks reports the unfurl_links parameter: nil when not sent.
func (m Message) UnfurlLinks() *bool { return boolParam(m.Params, "unfurl_links") }

// UnfurlMedia reports the unfurl_media parameter: nil when not sent.
func (m Message) UnfurlMedia() *bool { return boolParam(m.Params, "unfurl_media") }

func boolParam(p url.Values, k string) *bool {
	if !p.Has(k) {
		return nil
	}
	b := p.Get(k) == "true" || p.Get(k) == "1"
	return &b
}

// Request is one HTTP request the fake received.
type Request struct {
	// Method is the Web API method ("chat.postMessage"), or the path for
	// anything else.
	Method string
	Header http.Header
	Body   string
	// Params are the form or query parameters, or the JSON body's top-level
	// fields as text.
	Params url.Values
	// Token is the token the request carried, in the body or the
	// Authorization header.
	Token string
	// Status is the HTTP status the fake answered.
	Status int
}

// Options configures a fake.
type Options struct {
	// BotToken is the token the Web API methods accept (xoxb-…).
	BotToken string
	// AppToken is the token apps.connections.open accepts (xapp-…).
	AppToken string
	// SigningSecret signs the slash commands PostCommand sends.
	SigningSecret string
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's base URL; APIURL is URL + "/api/", the value for
	// slack.api_url.
	URL    string
	APIURL string

	opts Options
	srv  *httptest.Server

	mu        sync.Mutex
	changed   chan struct{}
	channels  map[string]*Channel
	failures  map[string][]Failure
	authError string
	appError  string
	messages  []Message
	requests  []Request
	nextTS    int
	listCalls int
	pageSize  int

	responses map[string]*responseURL
	nextResp  int

	ws wsState
}

type responseURL struct {
	channel, user string
	uses          int
	// ts is the message whose button was pressed, for replace_original
	// and delete_original; empty for a slash command's.
	ts string
}

// New starts a fake with opts' tokens and closes it when the test ends.
func New(t testing.TB, opts Options) *Server {
	s := &Server{
		opts:      opts,
		changed:   make(chan struct{}),
		channels:  map[string]*Channel{},
		failures:  map[string][]Failure{},
		responses: map[string]*responseURL{},
		nextTS:    100,
	}
	s.ws.init()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/response/", s.serveResponse)
	mux.HandleFunc("/link/", s.serveSocket)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	s.APIURL = s.srv.URL + "/api/"
	t.Cleanup(s.Close)
	return s
}

// Close drops the WebSocket connections and stops the server.
func (s *Server) Close() {
	s.closeSockets()
	s.srv.Close()
}

// AddChannel makes a conversation known.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cc := c
	s.channels[c.ID] = &cc
}

// Archive archives a channel: posts to it answer is_archived.
func (s *Server) Archive(id string) { s.setChannel(id, func(c *Channel) { c.Archived = true }) }

// Kick removes the bot from a channel: posts answer not_in_channel.
func (s *Server) Kick(id string) { s.setChannel(id, func(c *Channel) { c.NotMember = true }) }

// Invite adds the bot to a channel again.
func (s *Server) Invite(id string) { s.setChannel(id, func(c *Channel) { c.NotMember = false }) }

// Delete forgets a channel: posts answer channel_not_found.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.channels, id)
}

func (s *Server) setChannel(id string, f func(*Channel)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.channels[id]; c != nil {
		f(c)
	}
}

// SetAuthError makes every call with the bot token answer code
// (invalid_auth, account_inactive, token_revoked); "" lets them through again.
func (s *Server) SetAuthError(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authError = code
}

// SetAppAuthError makes apps.connections.open answer code; "" undoes it.
func (s *Server) SetAppAuthError(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appError = code
}

// SetPageSize caps conversations.list pages at n channels, whatever limit
// the client asks for, to exercise pagination.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// FailNext scripts the answers to the next calls of method, one failure per
// call, before any other check.
func (s *Server) FailNext(method string, fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], fs...)
}

// FailNextTo scripts the answers to the next chat.postMessage calls to
// channel, before those scripted with FailNext.
func (s *Server) FailNextTo(channel string, fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := "chat.postMessage " + channel
	s.failures[key] = append(s.failures[key], fs...)
}

// Messages returns every message the fake accepted, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Posts returns the messages chat.postMessage accepted for channel.
func (s *Server) Posts(channel string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		if m.Channel == channel && !m.Ephemeral && m.ResponseURL == "" {
			out = append(out, m)
		}
	}
	return out
}

// Replies returns the messages posted to channel in reply to commands:
// those sent to a response_url and the ephemeral ones.
func (s *Server) Replies(channel string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		if m.Channel == channel && (m.Ephemeral || m.ResponseURL != "") {
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

// Calls counts the requests to a Web API method.
func (s *Server) Calls(method string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == method {
			n++
		}
	}
	return n
}

// Wait waits until cond holds, checking it after every change of the
// fake's state and every few milliseconds (cond may look at the client's
// state too), and reports whether it did before timeout.
func (s *Server) Wait(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-deadline.C:
			return cond()
		}
	}
}

// WaitMessages waits until at least n messages were accepted and returns them.
func (s *Server) WaitMessages(timeout time.Duration, n int) ([]Message, bool) {
	ok := s.Wait(timeout, func() bool { return len(s.Messages()) >= n })
	return s.Messages(), ok
}

// broadcast wakes Wait; s.mu must be held.
func (s *Server) broadcast() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// apiAnswer is an answer to a Web API call.
type apiAnswer struct {
	status     int
	retryAfter int
	html       bool
	body       map[string]any
	// raw, when set, is the whole body, with rawType.
	raw, rawType string
}

func ok(fields map[string]any) apiAnswer {
	body := map[string]any{"ok": true}
	for k, v := range fields {
		body[k] = v
	}
	return apiAnswer{status: http.StatusOK, body: body}
}

func fail(code string, messages ...string) apiAnswer {
	body := map[string]any{"ok": false, "error": code}
	if len(messages) > 0 {
		body["response_metadata"] = map[string]any{"messages": messages}
	}
	return apiAnswer{status: http.StatusOK, body: body}
}

func failure(f Failure) apiAnswer {
	a := apiAnswer{status: f.Status, retryAfter: f.RetryAfter}
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if f.Body != "" {
		a.raw, a.rawType = f.Body, f.ContentType
		return a
	}
	if f.Error == "" && a.status != http.StatusOK {
		a.html = true
		return a
	}
	a.body = map[string]any{"ok": false, "error": f.Error}
	return a
}

// readParams reads a request's parameters: the query, then a form or JSON
// body. JSON values that are not strings are kept as their JSON text.
func readParams(r *http.Request, body []byte) (url.Values, error) {
	p := r.URL.Query()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case len(body) == 0:
	case ct == "application/json":
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return p, err
		}
		for k, raw := range m {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				p.Set(k, s)
			} else {
				p.Set(k, string(raw))
			}
		}
	default:
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return p, err
		}
		for k, vs := range form {
			p[k] = append(p[k], vs...)
		}
	}
	return p, nil
}

// bearer returns the token of an Authorization: Bearer header.
func bearer(h http.Header) string {
	v := h.Get("Authorization")
	if t, ok := strings.CutPrefix(v, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	rec := Request{Method: method, Header: r.Header.Clone(), Body: string(body)}
	p, perr := readParams(r, body)
	rec.Token = bearer(r.Header)
	if rec.Token == "" {
		rec.Token = p.Get("token")
	}
	p.Del("token")
	rec.Params = p
	ans := s.answer(r, method, p, perr, rec.Token)
	rec.Status = ans.status
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.broadcast()
	s.mu.Unlock()
	writeAnswer(w, ans)
}

func writeAnswer(w http.ResponseWriter, a apiAnswer) {
	if a.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(a.retryAfter))
	}
	if a.raw != "" {
		w.Header().Set("Content-Type", a.rawType)
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, a.raw)
		return
	}
	if a.html {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(a.status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>", a.status, http.StatusText(a.status))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(a.status)
	_ = json.NewEncoder(w).Encode(a.body)
}

// scripted pops the next scripted failure for method (and channel).
func (s *Server) scripted(method, channel string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{method + " " + channel, method} {
		if fs := s.failures[key]; len(fs) > 0 {
			s.failures[key] = fs[1:]
			return fs[0], true
		}
	}
	return Failure{}, false
}

func (s *Server) answer(r *http.Request, method string, p url.Values, perr error, token string) apiAnswer {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return apiAnswer{status: http.StatusMethodNotAllowed, html: true}
	}
	if f, ok := s.scripted(method, p.Get("channel")); ok {
		return failure(f)
	}
	if perr != nil {
		return fail("invalid_form_data")
	}
	if method == "apps.connections.open" {
		return s.connectionsOpen(token)
	}
	s.mu.Lock()
	authErr := s.authError
	s.mu.Unlock()
	switch {
	case token == "":
		return fail(ErrNotAuthed)
	case token != s.opts.BotToken:
		return fail(ErrInvalidAuth)
	case authErr != "":
		return fail(authErr)
	}
	switch method {
	case "auth.test":
		return ok(map[string]any{
			"url": "https://fake.slack.com/", "team": TeamName, "user": BotName,
			"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID,
		})
	case "conversations.list":
		return s.conversationsList(p)
	case "chat.postMessage":
		return s.postMessage(p, false)
	case "chat.postEphemeral":
		return s.postMessage(p, true)
	case "chat.update":
		return s.chatUpdate(p)
	}
	return apiAnswer{status: http.StatusOK, body: map[string]any{"ok": false, "error": ErrUnknownMethod}}
}

func (s *Server) conversationsList(p url.Values) apiAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listCalls++
	types := map[string]bool{}
	for _, t := range strings.Split(p.Get("types"), ",") {
		if t != "" {
			types[t] = true
		}
	}
	if len(types) == 0 {
		types["public_channel"] = true
	}
	var all []*Channel
	for _, c := range s.channels {
		kind := "public_channel"
		switch {
		case strings.HasPrefix(c.ID, "D"):
			kind = "im"
		case c.Private:
			kind = "private_channel"
		}
		if !types[kind] || (c.Archived && p.Get("exclude_archived") == "true") {
			continue
		}
		if c.Private && c.NotMember {
			continue // a private channel is invisible to a bot outside it
		}
		all = append(all, c)
	}
	slices.SortFunc(all, func(a, b *Channel) int { return strings.Compare(a.ID, b.ID) })
	limit := 100
	if v, err := strconv.Atoi(p.Get("limit")); err == nil && v > 0 {
		limit = min(v, 1000)
	}
	if s.pageSize > 0 {
		limit = min(limit, s.pageSize)
	}
	start := 0
	if cur := p.Get("cursor"); cur != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(cur, "page:"))
		if err != nil || !strings.HasPrefix(cur, "page:") || n < 0 || n > len(all) {
			return fail(ErrInvalidCursor)
		}
		start = n
	}
	end := min(start+limit, len(all))
	var list []map[string]any
	for _, c := range all[start:end] {
		list = append(list, map[string]any{
			"id": c.ID, "name": c.Name, "is_channel": !c.Private, "is_group": c.Private,
			"is_private": c.Private, "is_archived": c.Archived, "is_member": !c.NotMember,
		})
	}
	next := ""
	if end < len(all) {
		next = fmt.Sprintf("page:%d", end)
	}
	return ok(map[string]any{"channels": list, "response_metadata": map[string]any{"next_cursor": next}})
}

// ListCalls counts the conversations.list calls.
func (s *Server) ListCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listCalls
}

// channelError says why a post to id fails, or "" when it can go through;
// s.mu must be held.
func (s *Server) channelError(id string) string {
	c := s.channels[id]
	switch {
	case c == nil:
		return ErrChannelNotFound
	case c.Archived:
		return ErrIsArchived
	case c.NotMember:
		return ErrNotInChannel
	}
	return ""
}

func (s *Server) postMessage(p url.Values, ephemeral bool) apiAnswer {
	channel := p.Get("channel")
	if channel == "" {
		return fail(ErrChannelNotFound)
	}
	m := Message{Channel: channel, ThreadTS: p.Get("thread_ts"), Text: p.Get("text"), Params: p, Ephemeral: ephemeral}
	if ephemeral {
		m.User = p.Get("user")
		if m.User == "" {
			return fail("user_not_found")
		}
	}
	if code, msgs := checkContent(&m, p.Get("blocks"), p.Has("blocks"), p.Get("attachments")); code != "" {
		return fail(code, msgs...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := s.channelError(channel); code != "" {
		return fail(code)
	}
	s.nextTS++
	m.TS = fmt.Sprintf("1700000000.%06d", s.nextTS)
	s.messages = append(s.messages, m)
	s.broadcast()
	if ephemeral {
		return ok(map[string]any{"message_ts": m.TS})
	}
	msg := map[string]any{"type": "message", "subtype": "bot_message", "bot_id": BotID, "text": m.Text, "ts": m.TS}
	if m.ThreadTS != "" {
		msg["thread_ts"] = m.ThreadTS
	}
	fields := map[string]any{"channel": channel, "ts": m.TS, "message": msg}
	if m.Truncated {
		fields["response_metadata"] = map[string]any{"warnings": []string{"message_truncated"}}
	}
	return ok(fields)
}

// chatUpdate answers chat.update as PROTOCOLS.md B2b describes: the
// message is found by channel and ts among those the fake keeps; blocks
// left out keep the old ones, "[]" removes them.
func (s *Server) chatUpdate(p url.Values) apiAnswer {
	channel, ts := p.Get("channel"), p.Get("ts")
	if channel == "" {
		return fail(ErrChannelNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := s.channelError(channel); code != "" {
		return fail(code)
	}
	i := slices.IndexFunc(s.messages, func(m Message) bool {
		return m.Channel == channel && m.TS == ts && ts != "" && !m.Ephemeral
	})
	if i < 0 || s.messages[i].Deleted {
		return fail(ErrMessageNotFound)
	}
	old := &s.messages[i]
	if old.FromUser {
		return fail(ErrCantUpdate)
	}
	m := Message{Channel: channel, TS: ts, ThreadTS: old.ThreadTS, Text: p.Get("text"), Params: p}
	blocks, hasBlocks := p.Get("blocks"), p.Has("blocks")
	if !hasBlocks {
		blocks, hasBlocks = old.Blocks, old.Blocks != ""
	}
	if code, msgs := checkContent(&m, blocks, hasBlocks, p.Get("attachments")); code != "" {
		return fail(code, msgs...)
	}
	m.Edits = old.Edits + 1
	*old = m
	s.broadcast()
	msg := map[string]any{"type": "message", "subtype": "bot_message", "bot_id": BotID, "text": m.Text, "ts": ts, "edited": map[string]any{"user": BotUserID, "ts": ts}}
	return ok(map[string]any{"channel": channel, "ts": ts, "text": m.Text, "message": msg})
}

// PostAsUser adds a message written by a person to channel and returns its
// ts: the bot cannot update it.
func (s *Server) PostAsUser(channel, user, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextTS++
	m := Message{Channel: channel, TS: fmt.Sprintf("1700000000.%06d", s.nextTS), Text: text, User: user, FromUser: true}
	s.messages = append(s.messages, m)
	s.broadcast()
	return m.TS
}

// DeleteMessage deletes a message, as a person with the right may: later
// updates of it answer message_not_found.
func (s *Server) DeleteMessage(channel, ts string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.messages {
		if s.messages[i].Channel == channel && s.messages[i].TS == ts {
			s.messages[i].Deleted = true
		}
	}
}

// checkContent validates and reads a message's text and blocks into m, and
// returns an error code with its messages when Slack would refuse them.
func checkContent(m *Message, blocks string, hasBlocks bool, attachments string) (string, []string) {
	if utf8.RuneCountInString(m.Text) > MaxText {
		m.Text = string([]rune(m.Text)[:MaxText])
		m.Truncated = true
	}
	m.TextRendered = Inspect(m.Text)
	blocks = strings.TrimSpace(blocks)
	if hasBlocks && blocks != "" {
		types, r, code, msgs := CheckBlocks([]byte(blocks))
		if code != "" {
			return code, msgs
		}
		m.Blocks, m.BlockTypes, m.Rendered = blocks, types, r
		m.Buttons = buttonsOf([]byte(blocks))
	}
	if m.Text == "" && len(m.BlockTypes) == 0 && strings.TrimSpace(attachments) == "" {
		return ErrNoText, nil
	}
	if len(m.BlockTypes) == 0 {
		m.Rendered = m.TextRendered
	}
	return "", nil
}

// connectionsOpen answers apps.connections.open with a single-use ws:// URL.
func (s *Server) connectionsOpen(token string) apiAnswer {
	s.mu.Lock()
	appErr := s.appError
	s.mu.Unlock()
	switch {
	case token == "":
		return fail(ErrNotAuthed)
	case !strings.HasPrefix(token, "xapp-") || token != s.opts.AppToken:
		return fail(ErrInvalidAuth)
	case appErr != "":
		return fail(appErr)
	}
	ticket := s.issueTicket()
	u := strings.Replace(s.URL, "http://", "ws://", 1) + "/link/?ticket=" + ticket + "&app_id=" + AppID
	return ok(map[string]any{"url": u})
}

// newResponseURL registers a response_url for a command written in channel by user.
func (s *Server) newResponseURL(channel, user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newResponseURLLocked(channel, user, "")
}

// newResponseURLLocked registers a response_url, for a press of a button
// in the message ts when ts is set; s.mu must be held.
func (s *Server) newResponseURLLocked(channel, user, ts string) string {
	s.nextResp++
	id := fmt.Sprintf("r%d", s.nextResp)
	s.responses[id] = &responseURL{channel: channel, user: user, ts: ts}
	return s.URL + "/response/" + id
}

// serveResponse takes messages posted to a response_url: JSON
// {text, blocks, response_type, replace_original, delete_original}, at most
// ResponseURLUses times per URL. The response_url of a button press may
// replace (replace_original: true) or delete (delete_original: true) the
// message the button is in; otherwise, and always for a slash command's,
// the message is a new one.
func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/response/")
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rec := Request{Method: "response_url", Header: r.Header.Clone(), Body: string(body)}
	p, perr := readParams(r, body)
	rec.Params = p
	ans := s.respond(r, id, body, p, perr)
	rec.Status = ans.status
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.broadcast()
	s.mu.Unlock()
	writeAnswer(w, ans)
}

func (s *Server) respond(r *http.Request, id string, body []byte, p url.Values, perr error) apiAnswer {
	if r.Method != http.MethodPost {
		return apiAnswer{status: http.StatusMethodNotAllowed, html: true}
	}
	s.mu.Lock()
	ru := s.responses[id]
	s.mu.Unlock()
	if ru == nil {
		a := fail("expired_url")
		a.status = http.StatusNotFound
		return a
	}
	if perr != nil {
		a := fail("invalid_payload")
		a.status = http.StatusBadRequest
		return a
	}
	var payload struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	_ = json.Unmarshal(body, &payload)
	m := Message{Channel: ru.channel, User: ru.user, Text: p.Get("text"), Params: p,
		ResponseType: p.Get("response_type"), ResponseURL: r.URL.Path, ThreadTS: p.Get("thread_ts")}
	if m.ResponseType == "" {
		m.ResponseType = "ephemeral"
	}
	m.Ephemeral = m.ResponseType == "ephemeral"
	blocks := string(payload.Blocks)
	if blocks == "null" {
		blocks = ""
	}
	if code, msgs := checkContent(&m, blocks, blocks != "", p.Get("attachments")); code != "" {
		a := fail(code, msgs...)
		a.status = http.StatusBadRequest
		return a
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ru.uses >= ResponseURLUses {
		a := fail("used_url")
		a.status = http.StatusNotFound
		return a
	}
	ru.uses++
	if ru.ts != "" && (p.Get("replace_original") == "true" || p.Get("delete_original") == "true") {
		i := slices.IndexFunc(s.messages, func(o Message) bool { return o.Channel == ru.channel && o.TS == ru.ts })
		if i < 0 {
			a := fail("message_not_found")
			a.status = http.StatusNotFound
			return a
		}
		if p.Get("delete_original") == "true" {
			s.messages = slices.Delete(s.messages, i, i+1)
		} else {
			o := s.messages[i]
			m.TS, m.ThreadTS, m.Ephemeral, m.User, m.ResponseType, m.ResponseURL = o.TS, o.ThreadTS, o.Ephemeral, o.User, o.ResponseType, o.ResponseURL
			m.Replaced = true
			s.messages[i] = m
		}
		s.broadcast()
		return ok(nil)
	}
	s.nextTS++
	m.TS = fmt.Sprintf("1700000000.%06d", s.nextTS)
	s.messages = append(s.messages, m)
	s.broadcast()
	return ok(nil)
}
