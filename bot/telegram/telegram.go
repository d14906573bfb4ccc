// Package telegram is herald's Telegram adapter: it posts alerts as HTML
// messages (bot.Sender), answers chat commands through the platform-neutral
// router (long polling, or a webhook), and turns every Bot API failure into
// what the dispatcher understands or handles it in place — flood waits, HTML
// the server refuses, groups upgraded to supergroups, chats that blocked the
// bot. It talks to the Bot API through go-telegram-bot-api's MakeRequest with
// its own parameters, since that library predates forum topics and link
// preview options.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"herald/bot"
	"herald/news"
)

// DefaultAPIURL is the Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// Defaults of Options.
const (
	DefaultMaxFloodWait   = time.Minute
	DefaultPollTimeout    = 30 * time.Second
	DefaultRequestTimeout = 30 * time.Second
)

// Log attribute keys.
const (
	keyChat   = "chat"
	keyErr    = "err"
	keyUpdate = "update_id"
)

// offsetKey is where the next getUpdates offset is kept in the store.
const offsetKey = "telegram.update_offset"

// Store is what the adapter keeps in herald's database: the subscriptions it
// pauses, resumes and moves, and the update offset.
type Store interface {
	SetChatPaused(ctx context.Context, platform news.Platform, chat string, paused bool) (int, error)
	SetPaused(ctx context.Context, d news.Destination, paused bool) (int, error)
	MoveChat(ctx context.Context, platform news.Platform, from, to string) (int, error)
	Get(ctx context.Context, key string) (value string, found bool, err error)
	Set(ctx context.Context, key, value string) error
}

// Router answers commands; *bot.Router is one.
type Router interface {
	Commands() []bot.Command
	Known(name string) bool
	Handle(ctx context.Context, req bot.Request) (bot.Message, error)
}

// Webhook configures webhook mode: Telegram posts updates to URL, which
// must reach the server herald starts on Listen; SecretToken is the
// X-Telegram-Bot-Api-Secret-Token every request must carry.
type Webhook struct {
	URL         string
	Listen      string
	SecretToken string
}

// Options configures a Client.
type Options struct {
	// Token is the bot token from @BotFather. It is never logged.
	Token string
	// APIURL is the Bot API server; DefaultAPIURL when empty.
	APIURL string
	// LinkPreview lets Telegram show link previews under alerts (off by default).
	LinkPreview bool
	// Admins are user ids that may change any group's subscriptions, besides
	// the group's own administrators.
	Admins []int64
	// Webhook, when its URL is set, replaces long polling.
	Webhook Webhook
	// Store is required.
	Store Store
	// HTTPClient makes the requests; a client without a timeout when nil
	// (every call has its own deadline).
	HTTPClient *http.Client
	// Log receives what the adapter has to say; discarded when nil.
	Log *slog.Logger
	// Location is the time zone of times in messages; UTC when nil.
	Location *time.Location
	// Sleep waits d or until ctx ends (flood waits, backoff); tests make it instant.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock that paces polling and dates alerts; time.Now when nil.
	Now func() time.Time
	// Notified, when set, returns the rules whose config notify lists name
	// the chat (telegram:<chat>, any forum topic), so that the log after a
	// group's upgrade says which lists to change.
	Notified func(chat string) []string
	// MaxFloodWait is the longest retry_after Send waits out itself; a longer
	// one goes back to the dispatcher as a *bot.RetryAfterError.
	MaxFloodWait time.Duration
	// PollTimeout is the getUpdates long-poll timeout.
	PollTimeout time.Duration
	// RequestTimeout bounds every other call.
	RequestTimeout time.Duration
}

// Client is the Telegram adapter. It is safe for concurrent use: the
// dispatcher sends alerts while Run answers commands.
type Client struct {
	token, endpoint string
	opts            Options
	http            *http.Client
	log             *slog.Logger
	sleep           func(ctx context.Context, d time.Duration) error
	now             func() time.Time

	mu       sync.Mutex
	username string
	migrated map[int64]int64
	// listener, when set before Run, serves the webhook instead of Listen (tests).
	listener net.Listener
}

// New returns a client. It makes no request: Telegram being unreachable at
// start is a failure Run and Send retry, not a reason not to start.
func New(o Options) (*Client, error) {
	if o.Token == "" {
		return nil, errors.New("telegram: no bot token; create one with @BotFather and set telegram.token")
	}
	if strings.ContainsAny(o.Token, "/?#% \t\n") {
		return nil, errors.New("telegram: the bot token has characters a token never has; copy it again from @BotFather")
	}
	if o.Store == nil {
		return nil, errors.New("telegram: no store")
	}
	api := strings.TrimRight(o.APIURL, "/")
	if api == "" {
		api = DefaultAPIURL
	}
	if u, err := url.Parse(api); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("telegram: api_url %q is not an http(s) URL", o.APIURL)
	}
	c := &Client{
		token:    o.Token,
		endpoint: strings.ReplaceAll(api, "%", "%%") + "/bot%s/%s",
		opts:     o,
		http:     o.HTTPClient,
		log:      o.Log,
		sleep:    o.Sleep,
		now:      o.Now,
		migrated: map[int64]int64{},
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.log = c.log.With("platform", "telegram")
	if c.sleep == nil {
		c.sleep = bot.Sleep
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.opts.Location == nil {
		c.opts.Location = time.UTC
	}
	if c.opts.MaxFloodWait <= 0 {
		c.opts.MaxFloodWait = DefaultMaxFloodWait
	}
	if c.opts.PollTimeout <= 0 {
		c.opts.PollTimeout = DefaultPollTimeout
	}
	if c.opts.RequestTimeout <= 0 {
		c.opts.RequestTimeout = DefaultRequestTimeout
	}
	return c, nil
}

// doer runs the library's requests under a context; the library itself
// knows none. It redacts the token from transport errors at the source.
type doer struct {
	ctx context.Context
	c   *Client
}

// Do sends req under the call's context.
func (d doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.http.Do(req.WithContext(d.ctx))
	bot.RecordAnswer(resp)
	return resp, d.c.redact(err)
}

// call makes one Bot API request through the library's MakeRequest, with
// ctx and timeout. A Bot API error answer (one with an error_code) is a
// *bot.AnswerError that unwraps to a *tgbotapi.Error; an answer that is not
// the Bot API's (a proxy's HTML page, JSON without error_code) is a
// *bot.AnswerError wrapping ErrNotBotAPI. No error returned ever contains the
// token.
func (c *Client) call(ctx context.Context, method string, p tgbotapi.Params, timeout time.Duration) (*tgbotapi.APIResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx, answer := bot.WithAnswer(ctx)
	// A BotAPI per call is cheap and carries this call's context; building it
	// directly skips the getMe that the library's constructors make.
	api := &tgbotapi.BotAPI{Token: c.token, Client: doer{ctx: ctx, c: c}, Buffer: 100}
	api.SetAPIEndpoint(c.endpoint)
	resp, err := api.MakeRequest(method, p)
	if err == nil {
		return resp, nil
	}
	err = c.redact(err)
	var ue *url.Error
	if !answer.Received() || errors.As(err, &ue) {
		return nil, err // the network, a timeout: nothing came back
	}
	got := c.redactString(answer.String())
	if e, ok := apiError(err); ok && e.Code != 0 {
		return nil, &bot.AnswerError{Err: e, Answer: got}
	}
	// The library reads any JSON as an answer, and an answer without
	// error_code as code 0: neither says anything the Bot API documents.
	return nil, &bot.AnswerError{Err: ErrNotBotAPI, Answer: got}
}

// ErrNotBotAPI is an answer that is not the Bot API's: an HTML error page
// from a proxy, JSON without "ok" and "error_code". It says nothing about
// the message, so whatever was sent is sent again later.
var ErrNotBotAPI = errors.New("not a Bot API answer")

// redactString removes the token from s.
func (c *Client) redactString(s string) string { return strings.ReplaceAll(s, c.token, "<token>") }

// redact removes the token from err. Go's *url.Error carries the request URL,
// and the Bot API puts the token in the URL's path.
func (c *Client) redact(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) && strings.Contains(ue.URL, c.token) {
		inner := ue.Err
		if inner != nil && strings.Contains(inner.Error(), c.token) {
			inner = errors.New(strings.ReplaceAll(inner.Error(), c.token, "<token>"))
		}
		clean := &url.Error{Op: ue.Op, URL: strings.ReplaceAll(ue.URL, c.token, "<token>"), Err: inner}
		if err == error(ue) {
			return clean
		}
		err = redactedError{msg: strings.ReplaceAll(err.Error(), c.token, "<token>"), cause: clean}
	}
	if strings.Contains(err.Error(), c.token) {
		return errors.New(strings.ReplaceAll(err.Error(), c.token, "<token>"))
	}
	return err
}

// redactedError is an error whose text had the token removed; it unwraps to
// the redacted *url.Error, so errors.Is still sees timeouts and cancellation.
type redactedError struct {
	msg   string
	cause error
}

// Error returns the redacted message.
func (e redactedError) Error() string { return e.msg }

// Unwrap returns the redacted *url.Error.
func (e redactedError) Unwrap() error { return e.cause }

// apiError returns the Bot API's error answer inside err, if err is one.
func apiError(err error) (*tgbotapi.Error, bool) {
	var e *tgbotapi.Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// target reads a Telegram destination's chat and forum topic.
func target(d news.Destination) (chat int64, thread int, err error) {
	if d.Platform != news.Telegram {
		return 0, 0, fmt.Errorf("destination %s is not a Telegram chat", d)
	}
	chat, err = strconv.ParseInt(d.Chat, 10, 64)
	if err != nil || chat == 0 {
		return 0, 0, fmt.Errorf("destination %s: the chat is not a numeric chat id", d)
	}
	if d.Thread != "" {
		thread, err = strconv.Atoi(d.Thread)
		if err != nil || thread <= 0 {
			return 0, 0, fmt.Errorf("destination %s: the forum topic is not a positive number", d)
		}
	}
	return chat, thread, nil
}

// Username returns the bot's @username once Run has learnt it from getMe.
func (c *Client) Username() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.username
}

// getMe asks who the bot is.
func (c *Client) getMe(ctx context.Context) (tgbotapi.User, error) {
	resp, err := c.call(ctx, "getMe", nil, c.opts.RequestTimeout)
	if err != nil {
		return tgbotapi.User{}, fmt.Errorf("telegram: getMe: %w", err)
	}
	var u tgbotapi.User
	if err := json.Unmarshal(resp.Result, &u); err != nil {
		return tgbotapi.User{}, fmt.Errorf("telegram: getMe: %w", err)
	}
	return u, nil
}
