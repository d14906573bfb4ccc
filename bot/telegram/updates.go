package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"herald/bot"
	"herald/news"
)

// allowedUpdates are the update types herald asks for: messages (commands,
// and any sign of life of a paused chat), changes of the bot's own
// membership (blocked, unblocked, removed from or added to a group) and
// presses of the buttons under its messages.
const allowedUpdates = `["message","my_chat_member","callback_query"]`

// Backoff after failed getMe or getUpdates calls.
const (
	minBackoff = time.Second
	maxBackoff = 5 * time.Minute
)

// incoming is a message as the Bot API sends it, with the forum fields the
// library does not know.
type incoming struct {
	tgbotapi.Message
	MessageThreadID int  `json:"message_thread_id"`
	IsTopicMessage  bool `json:"is_topic_message"`
}

// destination is where a command written as m is answered, and where
// subscriptions made by it go: its chat, and its forum topic if it has one.
func (m *incoming) destination() (news.Destination, int) {
	dest := news.Destination{Platform: news.Telegram, Chat: strconv.FormatInt(m.Chat.ID, 10)}
	if m.IsTopicMessage && m.MessageThreadID > 0 {
		dest.Thread = strconv.Itoa(m.MessageThreadID)
		return dest, m.MessageThreadID
	}
	return dest, 0
}

// update is the part of an Update herald reads.
type update struct {
	UpdateID      int                         `json:"update_id"`
	Message       *incoming                   `json:"message"`
	MyChatMember  *tgbotapi.ChatMemberUpdated `json:"my_chat_member"`
	CallbackQuery *callbackQuery              `json:"callback_query"`
}

// callbackQuery is a press of a button under one of the bot's messages.
type callbackQuery struct {
	ID   string         `json:"id"`
	From *tgbotapi.User `json:"from"`
	// Message is the message the button is under; nil, or dated 0, when
	// it is too old for the Bot API to give.
	Message *incoming `json:"message"`
	Data    string    `json:"data"`
}

// Run answers chat commands through r until ctx ends: it learns the bot's
// name (getMe), sets the command menu (setMyCommands), then reads updates by
// long polling — or serves the webhook when one is configured. The update
// offset is kept in the store after each update, so a restart neither loses
// nor repeats a command. Platform errors are logged and retried with
// backoff; Run returns nil when ctx ends, and an error only when the webhook
// cannot listen on its address.
func (c *Client) Run(ctx context.Context, r Router) error {
	if r == nil {
		return errors.New("telegram: run: no command router")
	}
	if !c.hello(ctx) {
		return nil
	}
	c.setCommands(ctx, r)
	if c.opts.Webhook.URL != "" {
		return c.serveWebhook(ctx, r)
	}
	c.poll(ctx, r)
	return nil
}

// backoff returns the wait after n failures in a row.
func backoff(n int) time.Duration {
	d := minBackoff
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// hello calls getMe until it succeeds or ctx ends, and reports which.
func (c *Client) hello(ctx context.Context) bool {
	for n := 1; ; n++ {
		u, err := c.getMe(ctx)
		if err == nil {
			c.mu.Lock()
			c.username = u.UserName
			c.mu.Unlock()
			c.log.Info("Telegram bot connected", "bot", "@"+u.UserName, "mode", c.mode())
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		c.logCallError("getMe", err, backoff(n))
		if c.sleep(ctx, backoff(n)) != nil {
			return false
		}
	}
}

func (c *Client) mode() string {
	if c.opts.Webhook.URL != "" {
		return "webhook"
	}
	return "long polling"
}

// logCallError logs a failed call that will be retried after wait, with
// advice for the failures an operator must fix.
func (c *Client) logCallError(method string, err error, wait time.Duration) {
	msg := "Telegram call failed; retrying"
	if e, ok := apiError(err); ok {
		switch e.Code {
		case 401:
			msg = "Telegram refused the bot token; check telegram.token (from @BotFather); retrying"
		case 404:
			msg = "Telegram answered 404; check telegram.token and telegram.api_url; retrying"
		case 409:
			msg = "Telegram reports a conflict: another program is reading this bot's updates; retrying"
		}
	}
	c.log.Error(msg, "method", method, keyErr, err, "retry_in", wait.String())
}

// setCommands publishes the router's commands as the bot's menu. A failure
// is logged: commands work without the menu.
func (c *Client) setCommands(ctx context.Context, r Router) {
	type botCommand struct {
		Command     string `json:"command"`
		Description string `json:"description"`
	}
	var cmds []botCommand
	for _, cmd := range r.Commands() {
		d := cmd.Description
		if cmd.Args != "" {
			d = cmd.Args + " — " + d
		}
		cmds = append(cmds, botCommand{Command: cmd.Name, Description: bot.Shorten(d, 256)})
	}
	b, err := json.Marshal(cmds)
	if err != nil {
		c.log.Error("encoding the command menu", keyErr, err)
		return
	}
	if _, err := c.call(ctx, "setMyCommands", tgbotapi.Params{"commands": string(b)}, c.opts.RequestTimeout); err != nil {
		c.log.Warn("setting the command menu failed; commands still work when typed", keyErr, err)
	}
}

// loadOffset reads the update offset kept in the store.
func (c *Client) loadOffset(ctx context.Context) int {
	v, found, err := c.opts.Store.Get(ctx, offsetKey)
	if err != nil {
		c.log.Error("reading the Telegram update offset; starting from the updates Telegram still holds", keyErr, err)
		return 0
	}
	if !found {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		c.log.Error("the stored Telegram update offset is not a number; ignoring it", "value", v)
		return 0
	}
	return n
}

// saveOffset keeps offset in the store. It runs even while ctx is being
// cancelled: an update that was handled must not be handled again.
func (c *Client) saveOffset(ctx context.Context, offset int) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.opts.Store.Set(ctx, offsetKey, strconv.Itoa(offset)); err != nil {
		c.log.Error("saving the Telegram update offset; a restart may answer a command twice", keyErr, err)
	}
}

// poll reads updates by long polling until ctx ends.
func (c *Client) poll(ctx context.Context, r Router) {
	offset := c.loadOffset(ctx)
	failures := 0
	for ctx.Err() == nil {
		start := c.now()
		ups, err := c.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if e, ok := apiError(err); ok && e.Code == 409 && strings.Contains(e.Message, "webhook") {
				c.log.Warn("a webhook is set for this bot; removing it to use long polling")
				if _, err := c.call(ctx, "deleteWebhook", nil, c.opts.RequestTimeout); err == nil {
					continue
				}
			}
			failures++
			c.logCallError("getUpdates", err, backoff(failures))
			if c.sleep(ctx, backoff(failures)) != nil {
				return
			}
			continue
		}
		failures = 0
		handled := 0
		for _, u := range ups {
			if u.UpdateID < offset {
				continue // confirmed already
			}
			c.handleUpdate(ctx, r, u)
			if ctx.Err() != nil {
				return // not confirmed: the next run handles it again rather than lose it
			}
			offset = u.UpdateID + 1
			c.saveOffset(ctx, offset)
			handled++
		}
		if handled == 0 {
			// Nothing new came before the timeout: a server (or proxy) that
			// does not hold the poll open. Without a pause the loop would
			// ask thousands of times a second.
			if gap := minEmptyPollGap - c.now().Sub(start); gap > 0 && c.sleep(ctx, gap) != nil {
				return
			}
		}
	}
}

// minEmptyPollGap is the least time between the starts of two getUpdates
// calls when the first brought nothing new.
const minEmptyPollGap = time.Second

// getUpdates long-polls for the updates from offset on.
func (c *Client) getUpdates(ctx context.Context, offset int) ([]update, error) {
	p := tgbotapi.Params{
		"timeout":         strconv.Itoa(int(c.opts.PollTimeout / time.Second)),
		"limit":           "100",
		"allowed_updates": allowedUpdates,
	}
	if offset != 0 {
		p["offset"] = strconv.Itoa(offset)
	}
	resp, err := c.call(ctx, "getUpdates", p, c.opts.PollTimeout+c.opts.RequestTimeout)
	if err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", err)
	}
	var ups []update
	if err := json.Unmarshal(resp.Result, &ups); err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", err)
	}
	return ups, nil
}

// handleUpdate acts on one update; failures are logged, since the next
// update must be handled whatever happened to this one.
func (c *Client) handleUpdate(ctx context.Context, r Router, u update) {
	switch {
	case u.MyChatMember != nil:
		m := u.MyChatMember
		switch m.NewChatMember.Status {
		case "kicked", "left":
			c.pauseChat(ctx, m.Chat.ID, "the bot's status became "+m.NewChatMember.Status)
		case "member", "administrator", "creator", "restricted":
			c.resumeChat(ctx, m.Chat.ID)
		}
	case u.Message != nil && u.Message.Chat != nil:
		c.handleMessage(ctx, r, u.Message, u.UpdateID)
	case u.CallbackQuery != nil:
		c.handleCallback(ctx, r, u.CallbackQuery, u.UpdateID)
	}
}

// handleCallback answers a press of a button under one of herald's
// messages: it runs the button's command as if its user had written it in
// that chat, and answers the query, which stops the client's spinner.
func (c *Client) handleCallback(ctx context.Context, r Router, q *callbackQuery, updateID int) {
	log := c.log.With(keyUpdate, updateID, "data", q.Data)
	a, ok := bot.ParseAction(q.Data)
	m := q.Message
	if !ok || q.From == nil || m == nil || m.Chat == nil || m.Date == 0 {
		log.Warn("a button press herald cannot act on: not one of its buttons, or under a message too old")
		c.answerCallback(ctx, q.ID, "This button no longer works; send the command again.", log)
		return
	}
	log = log.With(keyChat, m.Chat.ID, "user", q.From.ID)
	c.answerCallback(ctx, q.ID, "", log)
	// Whose press it is decides, not who the message is from (the bot).
	req := c.request(m, q.From, false)
	req.Command, req.Args = a.Command, a.Args
	c.respond(ctx, r, req, m, log, "button")
}

// request is a command written, or a button pressed, by from under or as
// the message m: its destination, its user and what they may change.
// anonymous says the group wrote it through an anonymous administrator.
func (c *Client) request(m *incoming, from *tgbotapi.User, anonymous bool) bot.Request {
	dest, _ := m.destination()
	req := bot.Request{Dest: dest, Private: m.Chat.Type == "private", Prefix: "/"}
	if from != nil {
		req.User = strconv.FormatInt(from.ID, 10)
		req.Operator = slices.Contains(c.opts.Admins, from.ID)
	}
	if !req.Private {
		who := tgbotapi.Message{From: from, Chat: m.Chat}
		req.IsAdmin = func(ctx context.Context) (bool, error) { return c.isAdmin(ctx, &who, anonymous) }
	}
	return req
}

// respond runs req through the router and posts the reply where m is
// (its chat and forum topic); what names the request in the log.
func (c *Client) respond(ctx context.Context, r Router, req bot.Request, m *incoming, log *slog.Logger, what string) {
	reply, err := r.Handle(ctx, req)
	if err != nil {
		log.Error(what+" failed", keyErr, err)
	} else {
		log.Info(what)
	}
	_, thread := m.destination()
	if _, err := c.post(ctx, req.Dest, m.Chat.ID, thread, reply); err != nil {
		log.Error("could not reply to a "+what, keyErr, err)
	}
}

// answerCallback answers a callback query, with a short notice to show when
// text is set. A failure is logged: the press itself is handled anyway.
func (c *Client) answerCallback(ctx context.Context, id, text string, log *slog.Logger) {
	p := tgbotapi.Params{"callback_query_id": id}
	if text != "" {
		p["text"] = text
	}
	if _, err := c.call(ctx, "answerCallbackQuery", p, c.opts.RequestTimeout); err != nil {
		log.Warn("could not answer a button press", keyErr, err)
	}
}

// handleMessage answers a command, and resumes the chat's subscriptions if
// they were paused: a chat that writes to the bot can be written to.
func (c *Client) handleMessage(ctx context.Context, r Router, m *incoming, updateID int) {
	chat := m.Chat.ID
	anonymousAdmin := m.SenderChat != nil && m.SenderChat.ID == chat
	if m.From != nil && m.From.IsBot && !anonymousAdmin {
		return
	}
	if m.Chat.Type == "channel" {
		return
	}
	c.resumeChat(ctx, chat)
	private := m.Chat.Type == "private"
	name := ""
	var args []string
	if m.IsCommand() && m.Entities[0].Length <= len(m.Text) { // the library slices Text by it
		args = strings.Fields(m.CommandArguments())
		cmd, at, _ := strings.Cut(m.CommandWithAt(), "@")
		if at != "" && !strings.EqualFold(at, c.Username()) {
			return // another bot's command
		}
		if !private && at == "" && !r.Known(cmd) {
			return // in a group, an unknown command may be another bot's
		}
		name = strings.ToLower(cmd)
	} else if !private || strings.TrimSpace(m.Text) == "" {
		return
	}
	req := c.request(m, m.From, anonymousAdmin)
	req.Command, req.Args = name, args
	c.respond(ctx, r, req, m, c.log.With(keyChat, chat, "user", req.User, "command", name, keyUpdate, updateID), "command")
}

// isAdmin says whether the author of m may change its group's
// subscriptions: a user listed in telegram.admins, an anonymous
// administrator, or a member whose status is creator or administrator.
func (c *Client) isAdmin(ctx context.Context, m *tgbotapi.Message, anonymous bool) (bool, error) {
	if anonymous {
		return true, nil
	}
	if m.From == nil {
		return false, nil
	}
	if slices.Contains(c.opts.Admins, m.From.ID) {
		return true, nil
	}
	resp, err := c.call(ctx, "getChatMember", tgbotapi.Params{
		"chat_id": strconv.FormatInt(m.Chat.ID, 10),
		"user_id": strconv.FormatInt(m.From.ID, 10),
	}, c.opts.RequestTimeout)
	if err != nil {
		return false, fmt.Errorf("telegram: getChatMember %d in %d: %w", m.From.ID, m.Chat.ID, err)
	}
	var member tgbotapi.ChatMember
	if err := json.Unmarshal(resp.Result, &member); err != nil {
		return false, fmt.Errorf("telegram: getChatMember %d in %d: %w", m.From.ID, m.Chat.ID, err)
	}
	return member.Status == "creator" || member.Status == "administrator", nil
}

// serveWebhook registers the webhook and serves it until ctx ends.
func (c *Client) serveWebhook(ctx context.Context, r Router) error {
	wh := c.opts.Webhook
	ln := c.listener
	if ln == nil {
		var err error
		ln, err = net.Listen("tcp", wh.Listen)
		if err != nil {
			return fmt.Errorf("telegram: webhook: listen on %s: %w", wh.Listen, err)
		}
	}
	srv := &http.Server{Handler: c.webhookHandler(ctx, r), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.log.Error("webhook server stopped", keyErr, err)
		}
	}()
	for n := 1; ; n++ {
		_, err := c.call(ctx, "setWebhook", tgbotapi.Params{
			"url":             wh.URL,
			"secret_token":    wh.SecretToken,
			"allowed_updates": allowedUpdates,
		}, c.opts.RequestTimeout)
		if err == nil {
			// Some put the token in the webhook's path; it stays out of the logs.
			c.log.Info("Telegram webhook set", "url", strings.ReplaceAll(wh.URL, c.token, "<token>"), "listen", ln.Addr().String())
			break
		}
		if ctx.Err() != nil {
			break
		}
		c.logCallError("setWebhook", err, backoff(n))
		if c.sleep(ctx, backoff(n)) != nil {
			break
		}
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		c.log.Error("stopping the webhook server", keyErr, err)
	}
	<-done
	return nil
}

// webhookHandler receives updates from Telegram. It answers 401 to requests
// without the secret token, and 200 to every update it read, handled or not,
// since Telegram resends an update until it gets a 2xx. Updates are handled
// one at a time, and one whose id was handled already is skipped.
func (c *Client) webhookHandler(ctx context.Context, r Router) http.Handler {
	var mu sync.Mutex
	offset := -1
	secret := []byte(c.opts.Webhook.SecretToken)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := []byte(req.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if subtle.ConstantTimeCompare(got, secret) != 1 {
			c.log.Warn("webhook request without the right secret token refused", "remote", req.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read the body", http.StatusBadRequest)
			return
		}
		var u update
		if err := json.Unmarshal(body, &u); err != nil {
			c.log.Warn("webhook request is not an update", keyErr, err)
			http.Error(w, "not an update", http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if offset < 0 {
			offset = c.loadOffset(ctx)
		}
		if u.UpdateID < offset {
			w.WriteHeader(http.StatusOK)
			return
		}
		c.handleUpdate(ctx, r, u)
		offset = u.UpdateID + 1
		c.saveOffset(ctx, offset)
		w.WriteHeader(http.StatusOK)
	})
}
