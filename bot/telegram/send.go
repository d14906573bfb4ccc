package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"herald/bot"
	"herald/news"
)

// maxFloodRetries is how many 429s in a row Send waits out before handing
// the alert back to the dispatcher.
const maxFloodRetries = 3

// Send posts one alert to its chat (and forum topic) as HTML, shortened to
// Telegram's limit. It handles what it can in place: it waits out a 429 and
// sends again (a long wait goes back to the dispatcher as a
// *bot.RetryAfterError), resends as plain text when the server cannot parse
// the HTML, and follows a group's upgrade to a supergroup, moving the
// stored subscriptions. A chat that blocked or removed the bot has its
// subscriptions paused and the error wraps bot.ErrPermanent; server errors
// and network failures are returned as they are, for the dispatcher to retry
// with backoff.
func (c *Client) Send(ctx context.Context, a news.Alert) error {
	_, err := c.Post(ctx, a)
	return err
}

// Post sends an alert as Send does and returns its message as
// "<chat>/<message_id>" (the chat it really went to, after an upgrade to a
// supergroup), for Edit.
func (c *Client) Post(ctx context.Context, a news.Alert) (string, error) {
	chat, thread, err := target(a.Destination)
	if err != nil {
		return "", fmt.Errorf("telegram: send: %w (%w)", err, bot.ErrPermanent)
	}
	return c.post(ctx, a.Destination, chat, thread, bot.AlertMessage(a, c.opts.Location, c.now()))
}

// post sends m to chat and thread and handles the failures as Send says; it
// returns the message as "<chat>/<message_id>". dest is the destination as
// stored, for pausing it.
func (c *Client) post(ctx context.Context, dest news.Destination, chat int64, thread int, m bot.Message) (string, error) {
	chat = c.current(chat)
	html, _ := format(m, MaxLength)
	markup := keyboard(m.Actions)
	plain := false
	floods, moves := 0, 0
	for {
		body, mode := html, "HTML"
		if plain {
			// Without markup a link cannot hide behind its text: write it out.
			_, body = format(inlineLinks(m), MaxLength)
			mode = ""
		}
		id, err := c.sendMessage(ctx, chat, thread, body, mode, markup)
		if err == nil {
			return fmt.Sprintf("%d/%d", chat, id), nil
		}
		e, ok := apiError(err)
		if !ok {
			// The network, a proxy's HTML error page, JSON without an
			// error_code, a timeout: nothing final was said; try again later.
			return "", fmt.Errorf("telegram: send to %d: %w", chat, err)
		}
		desc := strings.ToLower(e.Message)
		switch {
		case e.Code == 429 || e.RetryAfter > 0:
			wait := time.Duration(max(e.RetryAfter, 1)) * time.Second
			if floods >= maxFloodRetries || wait > c.opts.MaxFloodWait {
				return "", &bot.RetryAfterError{After: wait, Err: fmt.Errorf("telegram: send to %d: %w", chat, err)}
			}
			floods++
			c.log.Warn("Telegram flood control: waiting before sending again", keyChat, chat, "retry_after", wait.String())
			if err := c.sleep(ctx, wait); err != nil {
				return "", fmt.Errorf("telegram: send to %d: waiting out flood control: %w", chat, err)
			}
		case e.MigrateToChatID != 0 && moves < 3:
			c.migrate(ctx, chat, e.MigrateToChatID)
			chat = e.MigrateToChatID
			moves++
		case e.Code == 400 && strings.Contains(desc, "can't parse entities") && !plain:
			c.log.Warn("Telegram could not parse the message's HTML; sending it again as plain text", keyChat, chat, keyErr, e.Message)
			plain = true
		case e.Code == 403 || e.Code == 400 && strings.Contains(desc, "chat not found"):
			c.pauseChat(ctx, chat, e.Message)
			return "", fmt.Errorf("telegram: send to %d: %w (%w)", chat, err, bot.ErrPermanent)
		case e.Code == 400 && strings.Contains(desc, "thread not found"):
			c.pauseTopic(ctx, dest, e.Message)
			return "", fmt.Errorf("telegram: send to %d topic %d: %w (%w)", chat, thread, err, bot.ErrPermanent)
		case e.Code == 400:
			// A bad request of this very message (too long, no text): the
			// Bot API documents these as final.
			return "", fmt.Errorf("telegram: send to %d: %w (%w)", chat, err, bot.ErrPermanent)
		default:
			// Telegram is down (5xx), the token or api_url is wrong (401,
			// 404), another poller conflicts (409), or a code the Bot API
			// does not document as final: the alert waits and is retried.
			return "", fmt.Errorf("telegram: send to %d: %w", chat, err)
		}
	}
}

// sendMessage makes one sendMessage call, with the parameters the library's
// MessageConfig cannot express (message_thread_id, link_preview_options),
// and returns the new message's id.
func (c *Client) sendMessage(ctx context.Context, chat int64, thread int, text, mode, markup string) (int, error) {
	p := c.textParams(chat, text, mode, markup)
	if thread != 0 {
		p["message_thread_id"] = strconv.Itoa(thread)
	}
	resp, err := c.call(ctx, "sendMessage", p, c.opts.RequestTimeout)
	if err != nil {
		return 0, err
	}
	var sent struct {
		MessageID int `json:"message_id"`
	}
	if err := json.Unmarshal(resp.Result, &sent); err != nil || sent.MessageID == 0 {
		// Delivered, as ok:true says; only a later edit is lost.
		c.log.Warn("Telegram confirmed a message without its message_id; it cannot be edited later", keyChat, chat)
		return 0, nil
	}
	return sent.MessageID, nil
}

// textParams are the parameters of a message's text, shared by
// sendMessage and editMessageText.
func (c *Client) textParams(chat int64, text, mode, markup string) tgbotapi.Params {
	p := tgbotapi.Params{
		"chat_id": strconv.FormatInt(chat, 10),
		"text":    text,
	}
	if markup != "" {
		p["reply_markup"] = markup
	}
	if mode != "" {
		p["parse_mode"] = mode
	}
	if !c.opts.LinkPreview {
		p["link_preview_options"] = `{"is_disabled":true}`
		p["disable_web_page_preview"] = "true" // for Bot API servers older than 7.0
	}
	return p
}

// Edit makes message ref ("<chat>/<message_id>", from Post) show a as it
// reads now, with editMessageText. What the Bot API answers means:
//   - "message is not modified": the message reads so already (an earlier
//     edit went through though its answer was lost): done, nil.
//   - "message to edit not found" (deleted, or a wrong id), "message can't
//     be edited", any other 400, a 403 (blocked, removed from the chat):
//     this message cannot be edited; bot.ErrEditGone, the edit is given up.
//   - 429: a *bot.RetryAfterError, for the dispatcher to wait.
//   - anything else (5xx, an answer that is not the Bot API's, the
//     network): worth trying again later.
func (c *Client) Edit(ctx context.Context, ref string, a news.Alert) error {
	chatText, idText, _ := strings.Cut(ref, "/")
	chat, err1 := strconv.ParseInt(chatText, 10, 64)
	id, err2 := strconv.Atoi(idText)
	if err1 != nil || err2 != nil || chat == 0 || id <= 0 {
		return fmt.Errorf("telegram: edit %q: not a <chat>/<message_id> reference (%w)", ref, bot.ErrEditGone)
	}
	m := bot.AlertMessage(a, c.opts.Location, c.now())
	html, _ := format(m, MaxLength)
	p := c.textParams(c.current(chat), html, "HTML", keyboard(m.Actions))
	p["message_id"] = strconv.Itoa(id)
	_, err := c.call(ctx, "editMessageText", p, c.opts.RequestTimeout)
	if err == nil {
		return nil
	}
	e, ok := apiError(err)
	if !ok {
		return fmt.Errorf("telegram: edit message %d in %d: %w", id, chat, err)
	}
	switch desc := strings.ToLower(e.Message); {
	case strings.Contains(desc, "message is not modified"):
		return nil
	case e.Code == 429 || e.RetryAfter > 0:
		return &bot.RetryAfterError{After: time.Duration(max(e.RetryAfter, 1)) * time.Second,
			Err: fmt.Errorf("telegram: edit message %d in %d: %w", id, chat, err)}
	case e.Code == 400 || e.Code == 403:
		return fmt.Errorf("telegram: edit message %d in %d: %w (%w)", id, chat, err, bot.ErrEditGone)
	}
	return fmt.Errorf("telegram: edit message %d in %d: %w", id, chat, err)
}

// current follows the migrations seen so far, so alerts to a group's old id
// (from a rule's notify list) go straight to the supergroup.
func (c *Client) current(chat int64) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := 0; i < 4; i++ {
		to, ok := c.migrated[chat]
		if !ok {
			break
		}
		chat = to
	}
	return chat
}

// migrate records that group from became supergroup to and moves its stored
// subscriptions.
func (c *Client) migrate(ctx context.Context, from, to int64) {
	c.mu.Lock()
	c.migrated[from] = to
	c.mu.Unlock()
	n, err := c.opts.Store.MoveChat(ctx, news.Telegram, strconv.FormatInt(from, 10), strconv.FormatInt(to, 10))
	if err != nil {
		c.log.Error("group upgraded to a supergroup, but its subscriptions could not be moved", keyChat, from, "new_chat", to, keyErr, err)
		return
	}
	var rules []string
	if c.opts.Notified != nil {
		rules = c.opts.Notified(strconv.FormatInt(from, 10))
	}
	if len(rules) == 0 {
		c.log.Warn("group upgraded to a supergroup: its subscriptions moved to the new chat id; no rule's notify list names the old id",
			keyChat, from, "new_chat", to, "subscriptions", n)
		return
	}
	c.log.Warn(fmt.Sprintf("group upgraded to a supergroup: its subscriptions moved to the new chat id; the notify lists of %s still name telegram:%d: write telegram:%d there (alerts follow the new id until herald restarts)",
		strings.Join(rules, ", "), from, to), keyChat, from, "new_chat", to, "subscriptions", n, "rules", rules)
}

// pauseChat pauses the subscriptions of a chat that refused a message.
func (c *Client) pauseChat(ctx context.Context, chat int64, reason string) {
	n, err := c.opts.Store.SetChatPaused(ctx, news.Telegram, strconv.FormatInt(chat, 10), true)
	if err != nil {
		c.log.Error("Telegram refuses this chat, and pausing its subscriptions failed", keyChat, chat, "reason", reason, keyErr, err)
		return
	}
	c.log.Warn("Telegram refuses this chat: its subscriptions are paused (and kept) until it writes to the bot again",
		keyChat, chat, "reason", reason, "paused", n)
}

// pauseTopic pauses the subscriptions of a forum topic that no longer exists.
func (c *Client) pauseTopic(ctx context.Context, d news.Destination, reason string) {
	n, err := c.opts.Store.SetPaused(ctx, d, true)
	if err != nil {
		c.log.Error("forum topic not found, and pausing its subscriptions failed", "destination", d.String(), keyErr, err)
		return
	}
	c.log.Warn("forum topic not found: its subscriptions are paused until the chat writes to the bot again",
		"destination", d.String(), "reason", reason, "paused", n)
}

// resumeChat resumes a chat's paused subscriptions, if it has any.
func (c *Client) resumeChat(ctx context.Context, chat int64) {
	n, err := c.opts.Store.SetChatPaused(ctx, news.Telegram, strconv.FormatInt(chat, 10), false)
	if err != nil {
		c.log.Error("resuming a chat's subscriptions", keyChat, chat, keyErr, err)
		return
	}
	if n > 0 {
		c.log.Info("chat is talking to the bot again: its subscriptions are resumed", keyChat, chat, "resumed", n)
	}
}

// SendDigest posts the first alerts that fit in one message as a digest: a
// count, then one line per alert with its linked title, source and topic. It
// returns how many alerts it included. Failures are handled as in Send.
func (c *Client) SendDigest(ctx context.Context, dest news.Destination, alerts []news.Alert) (int, error) {
	if len(alerts) == 0 {
		return 0, nil
	}
	chat, thread, err := target(dest)
	if err != nil {
		return 0, fmt.Errorf("telegram: send digest: %w (%w)", err, bot.ErrPermanent)
	}
	n := len(alerts)
	for n > 1 {
		if _, text := render(bot.DigestMessage(alerts[:n])); runeLen(text) <= MaxLength {
			break
		}
		n--
	}
	if _, err := c.post(ctx, dest, chat, thread, bot.DigestMessage(alerts[:n])); err != nil {
		return 0, err
	}
	return n, nil
}

// maxCallbackData is the most bytes the Bot API takes in a button's
// callback_data.
const maxCallbackData = 64

// keyboard returns the inline keyboard that shows actions as buttons, one
// row each, as a reply_markup parameter; "" when there are none. An action
// whose payload would not fit a button is left out: the message's text says
// how to type it.
func keyboard(actions []bot.Action) string {
	type button struct {
		Text         string `json:"text"`
		CallbackData string `json:"callback_data"`
	}
	var rows [][]button
	for _, a := range actions {
		if d := a.Data(); len(d) <= maxCallbackData && a.Label != "" {
			rows = append(rows, []button{{Text: a.Label, CallbackData: d}})
		}
	}
	if len(rows) == 0 {
		return ""
	}
	b, _ := json.Marshal(map[string]any{"inline_keyboard": rows}) // cannot fail: strings only
	return string(b)
}
