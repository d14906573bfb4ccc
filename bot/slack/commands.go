package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"herald/bot"
	"herald/news"
)

// Backoff after failed auth.test calls and Socket Mode sessions.
const (
	minBackoff = time.Second
	maxBackoff = 5 * time.Minute
)

func backoff(n int) time.Duration {
	d := minBackoff
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// Run answers chat commands through r until ctx ends: over Socket Mode
// when an app token is set, and as signed HTTP requests to CommandPath on
// Listen when a signing secret and Listen are set — both when both are.
// Presses of the buttons under herald's replies come the same ways (at
// InteractivePath in HTTP mode) and run their commands as if typed.
// It also checks the bot token with auth.test until Slack accepts it,
// learning the bot's user id for app mentions and resuming the
// subscriptions a refused token paused. Failures are logged and retried
// with backoff; Run returns nil when ctx ends (at once after that check
// when neither way of receiving commands is configured), and an error only
// when HTTP mode cannot listen on its address.
func (c *Client) Run(ctx context.Context, r Router) error {
	if r == nil {
		return errors.New("slack: run: no command router")
	}
	var ln net.Listener
	httpMode := c.opts.SigningSecret != "" && (c.opts.Listen != "" || c.listener != nil || c.opts.Mux != nil)
	if httpMode && c.opts.Mux == nil {
		ln = c.listener
		if ln == nil {
			var err error
			if ln, err = net.Listen("tcp", c.opts.Listen); err != nil {
				return fmt.Errorf("slack: listen on %s for slash commands: %w", c.opts.Listen, err)
			}
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() { c.hello(ctx) })
	if c.opts.AppToken != "" {
		wg.Go(func() { c.runSocketMode(ctx, r) })
	}
	switch {
	case httpMode && c.opts.Mux != nil:
		wg.Go(func() { c.serveMux(ctx, c.opts.Mux, r) })
	case httpMode:
		wg.Go(func() { c.serveHTTP(ctx, ln, r) })
	}
	if c.opts.AppToken == "" && !httpMode {
		c.log.Info("Slack commands are off: set slack.app_token for Socket Mode, or slack.signing_secret and listen for HTTP; alerts are sent")
	}
	wg.Wait()
	return nil
}

// hello calls auth.test until Slack accepts the bot token or ctx ends. A
// refused token pauses every Slack subscription (see Send); the check goes
// on, at most every five minutes, until the token works.
func (c *Client) hello(ctx context.Context) {
	for n := 1; ; n++ {
		cctx, cancel := c.callCtx(ctx)
		resp, err := c.api.AuthTestContext(cctx)
		cancel()
		if err == nil {
			c.mu.Lock()
			c.botUser, c.botName = resp.UserID, resp.User
			c.mu.Unlock()
			c.log.Info("Slack bot connected", "team", resp.Team, "bot", "@"+resp.User, "bot_user", resp.UserID, "commands", c.modes())
			c.authWorks(ctx)
			return
		}
		if ctx.Err() != nil {
			return
		}
		err = c.redact(err)
		wait := backoff(n)
		if kind, code := classify(err); kind == authRefused {
			c.authFailed(ctx, code)
			c.log.Error("Slack refused the bot token at auth.test; checking again later", keyErr, err, "retry_in", wait.String())
		} else {
			c.log.Warn("auth.test failed; retrying", keyErr, err, "retry_in", wait.String())
		}
		if c.sleep(ctx, wait) != nil {
			return
		}
	}
}

func (c *Client) modes() string {
	var m []string
	if c.opts.AppToken != "" {
		m = append(m, "socket mode")
	}
	if c.opts.SigningSecret != "" && (c.opts.Listen != "" || c.listener != nil || c.opts.Mux != nil) {
		m = append(m, "http "+c.opts.Listen+CommandPath+" and "+InteractivePath)
	}
	if len(m) == 0 {
		return "off"
	}
	return strings.Join(m, ", ")
}

// command is a chat command as it came from Slack.
type command struct {
	channel string
	user    string
	// text is what follows /herald or the mention, entities decoded.
	text string
	// prefix is what users type before a command name.
	prefix string
	// responseURL answers a slash command or a button press.
	responseURL string
	// thread is the thread of an app mention (the mention itself when it
	// was written at the top level), or the thread of the message whose
	// button was pressed, to reply there.
	thread string
	// mention is set for an app mention: written in the open, it is
	// answered in the open, in its thread.
	mention bool
	// via names the way it came, for logs.
	via string
}

var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// slashCommand reads a slash command.
func slashCommand(s slack.SlashCommand, via string) command {
	prefix := "/herald "
	if s.Command != "" {
		prefix = s.Command + " "
	}
	return command{channel: s.ChannelID, user: s.UserID, text: unescaper.Replace(s.Text),
		prefix: prefix, responseURL: s.ResponseURL, via: via}
}

// mentionText returns the words after the bot's mention ("<@U0HERALD>
// status" → "status"), entities decoded. Without the bot's id it takes the
// words after the first mention.
func mentionText(text, botUser string) string {
	i := -1
	if botUser != "" {
		i = strings.Index(text, "<@"+botUser)
	}
	if i < 0 {
		i = strings.Index(text, "<@")
	}
	if i >= 0 {
		if j := strings.IndexByte(text[i:], '>'); j >= 0 {
			text = text[i+j+1:]
		}
	}
	return strings.TrimLeft(unescaper.Replace(text), " \t\n:,")
}

// handle answers one command: it resumes the channel's paused
// subscriptions (a channel where herald is asked something can be written
// to), asks the router, and replies — in the channel when the command
// changed what the channel follows (its subscriptions or mutes), to the
// user alone otherwise.
func (c *Client) handle(ctx context.Context, r Router, cmd command) {
	log := c.log.With(keyChannel, cmd.channel, keyUser, cmd.user, "via", cmd.via)
	if cmd.channel == "" {
		log.Warn("a command without a channel; ignored")
		return
	}
	dest := news.Destination{Platform: news.Slack, Chat: cmd.channel}
	private := strings.HasPrefix(cmd.channel, "D")
	c.resumeChannel(ctx, cmd.channel)
	name, args := "help", []string(nil)
	if words := strings.Fields(cmd.text); len(words) > 0 {
		name, args = strings.ToLower(strings.TrimPrefix(words[0], "/")), words[1:]
	}
	req := bot.Request{Dest: dest, User: cmd.user, Private: private, Command: name, Args: args, Prefix: cmd.prefix,
		Operator: slices.Contains(c.opts.Admins, cmd.user)}
	if !private {
		if admins := c.opts.Admins; len(admins) > 0 {
			user := cmd.user
			req.IsAdmin = func(context.Context) (bool, error) { return slices.Contains(admins, user), nil }
		} else {
			req.AnyoneManages = true
		}
	}
	changes := name == "subscribe" || name == "unsubscribe" || name == "mute" || name == "unmute"
	now := c.now()
	var before string
	if changes {
		before, _ = c.channelState(ctx, dest, now)
	}
	reply, err := r.Handle(ctx, req)
	log = log.With("command", name)
	if err != nil {
		log.Error("command failed", keyErr, err)
	} else {
		log.Info("command")
	}
	public := cmd.mention
	if changes && err == nil {
		after, aerr := c.channelState(ctx, dest, now)
		public = public || aerr == nil && after != before
	}
	if err := c.reply(ctx, cmd, render(reply), public); err != nil {
		log.Error("could not reply to a command", keyErr, err)
	}
}

// channelState describes what a channel follows: its subscriptions and
// its mutes, to tell whether a command changed them.
func (c *Client) channelState(ctx context.Context, dest news.Destination, now time.Time) (string, error) {
	subs, err := c.opts.Store.SubscriptionsOf(ctx, dest)
	if err != nil {
		return "", err
	}
	mutes, err := c.opts.Store.MutesOf(ctx, dest, now)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, s := range subs {
		fmt.Fprintf(&b, "s %s\n", s.Rule)
	}
	for _, m := range mutes {
		fmt.Fprintf(&b, "m %s %d %t\n", m.Rule, m.Until.Unix(), m.Queue)
	}
	return b.String(), nil
}

// reply posts a command's answer: to the slash command's or button press's
// response_url (as a new message: slack-go sends replace_original false),
// or for an app mention with chat.postMessage in the mention's thread; a
// button's answer goes to its message's thread.
func (c *Client) reply(ctx context.Context, cmd command, msg rendered, public bool) error {
	cctx, cancel := c.callCtx(ctx)
	defer cancel()
	opts := []slack.MsgOption{slack.MsgOptionBlocks(msg.blocks...), slack.MsgOptionText(msg.fallback, true)}
	var err error
	switch {
	case cmd.responseURL != "" && c.responseURLAllowed(cmd.responseURL):
		kind := slack.ResponseTypeEphemeral
		if public {
			kind = slack.ResponseTypeInChannel
		}
		opts = append(opts, slack.MsgOptionResponseURL(cmd.responseURL, kind))
		if cmd.thread != "" {
			opts = append(opts, slack.MsgOptionTS(cmd.thread)) // a button's message in a thread
		}
		_, _, err = c.api.PostMessageContext(cctx, cmd.channel, opts...)
	case public:
		if cmd.thread != "" {
			opts = append(opts, slack.MsgOptionTS(cmd.thread))
		}
		opts = append(opts, slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
		actx, answer := bot.WithAnswer(cctx)
		var ts string
		_, ts, err = c.api.PostMessageContext(actx, cmd.channel, opts...)
		err = c.checkAnswer(err, ts != "", answer)
	default:
		if cmd.thread != "" {
			opts = append(opts, slack.MsgOptionTS(cmd.thread))
		}
		actx, answer := bot.WithAnswer(cctx)
		var ts string
		ts, err = c.api.PostEphemeralContext(actx, cmd.channel, cmd.user, opts...)
		err = c.checkAnswer(err, ts != "", answer)
	}
	if err != nil {
		return fmt.Errorf("slack: reply in %s: %w", cmd.channel, c.redact(err))
	}
	return nil
}

// responseURLAllowed says whether herald posts to a response_url: an https
// URL on Slack's domains, or one on the configured API server (a test or
// a proxy). The URL comes with the command, which Slack signed or sent
// over Socket Mode; the check keeps a replayed or forged payload from
// making herald post elsewhere.
func (c *Client) responseURLAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if u.Scheme == "https" && (host == "slack.com" || strings.HasSuffix(host, ".slack.com") ||
		host == "slack-gov.com" || strings.HasSuffix(host, ".slack-gov.com")) {
		return true
	}
	if u.Scheme == c.apiURL.Scheme && strings.EqualFold(u.Host, c.apiURL.Host) {
		return true
	}
	c.log.Warn("a command's response_url is not Slack's; replying without it", "host", u.Host)
	return false
}

// firstSeen reports whether an event id is new; Slack redelivers an event
// it thinks was not acknowledged.
func (c *Client) firstSeen(id string) bool {
	if id == "" {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[id] {
		return false
	}
	c.seen[id] = true
	c.seenOrder = append(c.seenOrder, id)
	if len(c.seenOrder) > 512 {
		delete(c.seen, c.seenOrder[0])
		c.seenOrder = c.seenOrder[1:]
	}
	return true
}
