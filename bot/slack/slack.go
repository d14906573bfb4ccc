// Package slack is herald's Slack adapter. It posts alerts as Block Kit
// messages (bot.Sender) in which no feed text can make a link, a mention or
// a broadcast; answers the chat commands of the platform-neutral router as
// the slash command /herald, as app mentions and as presses of the buttons
// under its replies, over Socket Mode or signed HTTP requests; and turns
// every Web API failure into what the dispatcher understands or handles it
// in place: rate limits are waited out, blocks Slack refuses are resent as
// text, a channel that is gone, archived or without the bot has its
// subscriptions paused, and a refused token pauses every Slack
// subscription until it works again. It talks to Slack through
// github.com/slack-go/slack and its socketmode package.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"herald/bot"
	"herald/news"
)

// DefaultAPIURL is Slack's Web API.
const DefaultAPIURL = "https://slack.com/api/"

// CommandPath is where HTTP mode receives slash commands: the Request URL
// to give the /herald command in the app's settings ends in it.
const CommandPath = "/slack/commands"

// Defaults of Options.
const (
	DefaultMaxRateWait    = time.Minute
	DefaultRequestTimeout = 30 * time.Second
	// AuthRecheck is how long Send refuses to try after Slack refused the
	// bot token, before it tries once more.
	AuthRecheck = 5 * time.Minute
	// nameRefresh is how often an unknown #name may list the channels again.
	nameRefresh = time.Minute
	// maxRateRetries is how many rate limits in a row one post waits out.
	maxRateRetries = 3
)

// Log attribute keys.
const (
	keyChannel = "channel"
	keyErr     = "err"
	keyUser    = "user"
)

// authPausedKey is where the destinations paused for a refused token are
// kept, to resume exactly those.
const authPausedKey = "slack.auth_paused"

// Store is what the adapter keeps in herald's database: the subscriptions
// it pauses and resumes, and which it paused for a refused token; and what
// it reads to tell whether a command changed what a channel follows.
type Store interface {
	SetChatPaused(ctx context.Context, platform news.Platform, chat string, paused bool) (int, error)
	SetPaused(ctx context.Context, d news.Destination, paused bool) (int, error)
	PausePlatform(ctx context.Context, platform news.Platform) ([]news.Destination, error)
	SubscriptionsOf(ctx context.Context, d news.Destination) ([]news.Subscription, error)
	MutesOf(ctx context.Context, d news.Destination, now time.Time) ([]news.Mute, error)
	Get(ctx context.Context, key string) (value string, found bool, err error)
	Set(ctx context.Context, key, value string) error
}

// Router answers commands; *bot.Router is one.
type Router interface {
	Handle(ctx context.Context, req bot.Request) (bot.Message, error)
}

// Options configures a Client.
type Options struct {
	// BotToken is the bot's xoxb- token; required. It is never logged.
	BotToken string
	// AppToken is the app-level xapp- token; with it, Run answers commands
	// over Socket Mode. It is never logged.
	AppToken string
	// SigningSecret verifies HTTP slash commands and button presses; with
	// it and Listen, Run serves CommandPath and InteractivePath on Listen.
	// It is never logged.
	SigningSecret string
	// Listen is the address HTTP mode listens on, such as :8080.
	Listen string
	// Mux, when set, is the handler of a server herald already runs on
	// Listen (with /healthz and /metrics): HTTP mode adds CommandPath and
	// InteractivePath to it instead of listening itself.
	Mux *http.ServeMux
	// APIURL is the Web API base URL, ending in "/"; DefaultAPIURL when empty.
	APIURL string
	// LinkUnfurl lets Slack unfurl the article's link under each alert (off
	// by default: the alert has the summary already).
	LinkUnfurl bool
	// Admins, when set, are the only user ids that may change a channel's
	// subscriptions; otherwise anyone in the channel may.
	Admins []string
	// Store is required.
	Store Store
	// HTTPClient makes the requests; a client without a timeout when nil
	// (every call has its own deadline).
	HTTPClient *http.Client
	// Log receives what the adapter has to say; discarded when nil.
	Log *slog.Logger
	// Location is the time zone of times in messages; UTC when nil.
	Location *time.Location
	// Now is the clock (signature timestamps, retries); time.Now when nil.
	Now func() time.Time
	// Sleep waits d or until ctx ends (rate limits, backoff); tests make it instant.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxRateWait is the longest Retry-After Send waits out itself; a longer
	// one goes back to the dispatcher as a *bot.RetryAfterError.
	MaxRateWait time.Duration
	// RequestTimeout bounds every Web API call.
	RequestTimeout time.Duration
	// PingInterval is how long Socket Mode waits for a ping from Slack
	// before it reconnects; slack-go's 30 s when zero.
	PingInterval time.Duration
}

// Client is the Slack adapter. It is safe for concurrent use: the
// dispatcher sends alerts while Run answers commands.
type Client struct {
	opts     Options
	api      *slack.Client
	apiURL   *url.URL
	log      *slog.Logger
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	secrets  []string
	listener net.Listener // when set before Run, HTTP mode serves it (tests)

	mu       sync.Mutex
	botUser  string
	botName  string
	names    map[string]string // channel name (lower case, no '#') → id
	listedAt time.Time
	listMu   sync.Mutex
	authErr  string
	authAt   time.Time
	// authResumed is set once the destinations paused for a refused token
	// were resumed (or none were): a working token needs no more checks.
	authResumed bool
	seen        map[string]bool // recent event ids, against redelivery
	seenOrder   []string
}

// New returns a client. It makes no request: Slack being unreachable at
// start is a failure Run and Send retry, not a reason not to start.
func New(o Options) (*Client, error) {
	if o.BotToken == "" {
		return nil, errors.New("slack: no bot token; install the app to the workspace and set slack.bot_token to its xoxb- token")
	}
	if strings.ContainsAny(o.BotToken+o.AppToken, " \t\r\n") {
		return nil, errors.New("slack: a token holds white space; copy it again from the app's settings")
	}
	if o.Store == nil {
		return nil, errors.New("slack: no store")
	}
	api := o.APIURL
	if api == "" {
		api = DefaultAPIURL
	}
	if !strings.HasSuffix(api, "/") {
		api += "/"
	}
	u, err := url.Parse(api)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("slack: api_url %q is not an http(s) URL", o.APIURL)
	}
	c := &Client{
		opts: o, apiURL: u, log: o.Log, now: o.Now, sleep: o.Sleep,
		names: map[string]string{}, seen: map[string]bool{},
	}
	for _, s := range []string{o.BotToken, o.AppToken, o.SigningSecret} {
		if s != "" {
			c.secrets = append(c.secrets, s)
		}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.log = c.log.With("platform", "slack")
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = bot.Sleep
	}
	if c.opts.Location == nil {
		c.opts.Location = time.UTC
	}
	if c.opts.MaxRateWait <= 0 {
		c.opts.MaxRateWait = DefaultMaxRateWait
	}
	if c.opts.RequestTimeout <= 0 {
		c.opts.RequestTimeout = DefaultRequestTimeout
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	opts := []slack.Option{slack.OptionAPIURL(api), slack.OptionHTTPClient(redactingDoer{c: c, hc: hc})}
	if o.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(o.AppToken))
	}
	// No OptionRetry: rate limits are handled here, where the wait can be
	// bounded, logged and handed to the dispatcher.
	c.api = slack.New(o.BotToken, opts...)
	return c, nil
}

// redactingDoer makes the library's requests and removes the secrets from
// transport errors at the source. slack-go sends the bot token in the form
// body and the app token in a header, never in the URL, so this is a
// second line of defence, like redact.
type redactingDoer struct {
	c  *Client
	hc *http.Client
}

// Do sends req.
func (d redactingDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.hc.Do(req)
	bot.RecordAnswer(resp)
	return resp, d.c.redact(err)
}

// redact removes every token and the signing secret from err's text.
func (c *Client) redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := c.redactString(msg)
	if clean == msg {
		return err
	}
	return redactedError{msg: clean, cause: errors.Unwrap(err)}
}

func (c *Client) redactString(s string) string {
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, "<redacted>")
	}
	return s
}

// redactedError is an error whose text had a secret removed. It unwraps to
// what the original wrapped, so errors.Is still sees timeouts and
// cancellation; only its text is replaced.
type redactedError struct {
	msg   string
	cause error
}

// Error returns the redacted message.
func (e redactedError) Error() string { return e.msg }

// Unwrap returns the original error's cause.
func (e redactedError) Unwrap() error { return e.cause }

// callCtx bounds one Web API call.
func (c *Client) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.opts.RequestTimeout)
}

// failure is what a Web API error means for herald.
type failure int

const (
	// transient: retry later with backoff (network, 5xx, ratelimited without a wait).
	transient failure = iota
	// rateLimited: wait the Retry-After, then try again.
	rateLimited
	// channelGone: the channel does not exist, is archived or lacks the bot.
	channelGone
	// authRefused: the bot token no longer works.
	authRefused
	// badBlocks: Slack refused the blocks; the text alone may go through.
	badBlocks
	// permanent: retrying cannot help.
	permanent
)

// classify says what err from a Web API call means, and returns Slack's
// error code when there is one.
func classify(err error) (failure, string) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return rateLimited, "ratelimited"
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "channel_not_found", "not_in_channel", "is_archived":
			return channelGone, se.Err
		case "invalid_auth", "account_inactive", "token_revoked", "token_expired", "not_authed", "org_login_required", "ekm_access_denied":
			return authRefused, se.Err
		case "invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long":
			return badBlocks, se.Err
		case "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout",
			"team_added_to_org", "missing_scope", "no_permission":
			// missing_scope: the app needs reinstalling with chat:write; the
			// alerts wait for that rather than being dropped.
			return transient, se.Err
		}
		return permanent, se.Err
	}
	if errors.Is(err, errNoChannel) {
		return channelGone, "channel_not_found"
	}
	// StatusCodeError (5xx, a proxy's page, a 429 without Retry-After), the
	// network, timeouts, a body that is not JSON: try again later.
	return transient, ""
}

// ErrNotWebAPI is an answer that is not Slack's: an HTML error page, a 404
// from a proxy, JSON without "ok" and "error". It says nothing final about
// the message, which is sent again later.
var ErrNotWebAPI = errors.New("not a Slack Web API answer")

// checkAnswer turns what slack-go made of one call's answer into herald's
// error: nil only when the call succeeded and confirmed says the answer
// carried what success carries (slack-go reads an answer without "ok" and
// "error" as success). Every error names the HTTP status and the start of
// the body.
func (c *Client) checkAnswer(err error, confirmed bool, a *bot.Answer) error {
	if err == nil && confirmed {
		return nil
	}
	if !a.Received() {
		return err // the network, a timeout: nothing came back
	}
	got := c.redactString(a.String())
	switch {
	case err == nil:
		return &bot.AnswerError{Err: ErrNotWebAPI, Answer: got}
	case errors.As(err, new(slack.SlackErrorResponse)), errors.As(err, new(*slack.RateLimitedError)):
		return &bot.AnswerError{Err: err, Answer: got}
	}
	// A status slack-go does not read (404, 502), a body that is not JSON.
	return &bot.AnswerError{Err: fmt.Errorf("%w: %w", ErrNotWebAPI, err), Answer: got}
}

// errNoChannel is a #name that conversations.list does not know.
var errNoChannel = errors.New("no channel of that name is visible to the bot")

// channelID returns the channel id for a destination's channel: the id as
// written, or the id of a #name from conversations.list. The names are
// listed once and cached; an unknown name lists them again at most once a
// minute, for a channel created since.
func (c *Client) channelID(ctx context.Context, chat string) (string, error) {
	name, isName := strings.CutPrefix(chat, "#")
	if !isName {
		return chat, nil
	}
	name = strings.ToLower(name)
	c.mu.Lock()
	id, ok := c.names[name]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	c.listMu.Lock()
	defer c.listMu.Unlock()
	c.mu.Lock()
	id, ok = c.names[name]
	listedAt := c.listedAt
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	if !listedAt.IsZero() && c.now().Sub(listedAt) < nameRefresh {
		return "", fmt.Errorf("#%s: %w", name, errNoChannel)
	}
	names, err := c.listChannels(ctx)
	if err != nil {
		return "", fmt.Errorf("resolve #%s: %w", name, err)
	}
	c.mu.Lock()
	c.names, c.listedAt = names, c.now()
	id, ok = names[name]
	c.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("#%s: %w", name, errNoChannel)
	}
	c.log.Debug("channel name resolved", keyChannel, "#"+name, "id", id)
	return id, nil
}

// listChannels reads every public and private channel the bot can see,
// page by page.
func (c *Client) listChannels(ctx context.Context) (map[string]string, error) {
	names := map[string]string{}
	cursor := ""
	for page := 0; page < 100; page++ {
		cctx, cancel := c.callCtx(ctx)
		chans, next, err := c.api.GetConversationsContext(cctx, &slack.GetConversationsParameters{
			Cursor: cursor, Limit: 1000, Types: []string{"public_channel", "private_channel"},
		})
		cancel()
		if err != nil {
			return nil, fmt.Errorf("conversations.list: %w", err)
		}
		for _, ch := range chans {
			names[strings.ToLower(ch.Name)] = ch.ID
		}
		if next == "" {
			return names, nil
		}
		cursor = next
	}
	return names, nil
}

// forgetName drops a #name from the cache, after Slack said its channel is gone.
func (c *Client) forgetName(chat string) {
	if name, ok := strings.CutPrefix(chat, "#"); ok {
		c.mu.Lock()
		delete(c.names, strings.ToLower(name))
		c.mu.Unlock()
	}
}

// BotUser returns the bot's user id once Run has learnt it from auth.test.
func (c *Client) BotUser() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.botUser
}
