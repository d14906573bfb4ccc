package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"herald/bot"
	"herald/news"
)

// Send posts one alert to its channel (and thread) as Block Kit. It handles
// what it can in place: it waits out a rate limit and posts again (a long
// wait goes back to the dispatcher as a *bot.RetryAfterError), and resends
// the alert as text when Slack refuses its blocks. A channel that does not
// exist, is archived or lacks the bot has its subscriptions paused; a
// refused token pauses every Slack subscription; both errors wrap
// bot.ErrPermanent. Server errors, "ratelimited" answers and network
// failures are returned as they are, for the dispatcher to retry with
// backoff.
func (c *Client) Send(ctx context.Context, a news.Alert) error {
	_, err := c.Post(ctx, a)
	return err
}

// Post sends an alert as Send does and returns its message as
// "<channel id>/<ts>", for Edit.
func (c *Client) Post(ctx context.Context, a news.Alert) (string, error) {
	if a.Destination.Platform != news.Slack || a.Destination.Chat == "" {
		return "", fmt.Errorf("slack: post to %s: not a Slack destination (%w)", a.Destination, bot.ErrPermanent)
	}
	return c.deliver(ctx, a.Destination, renderAlert(a, c.opts.Location, c.now()))
}

// deliver posts msg to dest and handles the failures as Send says; it
// returns the message as "<channel id>/<ts>".
func (c *Client) deliver(ctx context.Context, dest news.Destination, msg rendered) (string, error) {
	if err := c.authBlocked(); err != nil {
		return "", fmt.Errorf("slack: post to %s: %w (%w)", dest.Chat, err, bot.ErrPermanent)
	}
	waits, asText := 0, false
	for {
		channel, err := c.channelID(ctx, dest.Chat)
		if err == nil {
			var ts string
			ts, err = c.postMessage(ctx, channel, dest.Thread, msg, asText)
			if err == nil {
				c.authWorks(ctx)
				return channel + "/" + ts, nil
			}
		}
		err = c.redact(err)
		kind, code := classify(err)
		switch kind {
		case rateLimited:
			wait := time.Second
			if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
				wait = max(rl.RetryAfter, time.Second)
			}
			if waits >= maxRateRetries || wait > c.opts.MaxRateWait {
				return "", &bot.RetryAfterError{After: wait, Err: fmt.Errorf("slack: post to %s: %w", dest.Chat, err)}
			}
			waits++
			c.log.Warn("Slack rate limit: waiting before posting again", keyChannel, dest.Chat, "retry_after", wait.String())
			if err := c.sleep(ctx, wait); err != nil {
				return "", fmt.Errorf("slack: post to %s: waiting out a rate limit: %w", dest.Chat, err)
			}
		case badBlocks:
			if asText || msg.mrkdwn == "" {
				return "", fmt.Errorf("slack: post to %s: %w%s (%w)", dest.Chat, err, details(err), bot.ErrPermanent)
			}
			c.log.Warn("Slack refused the message's blocks; sending it again as text", keyChannel, dest.Chat, keyErr, err.Error()+details(err))
			asText = true
		case channelGone:
			c.pauseChannel(ctx, dest, channel, code)
			c.forgetName(dest.Chat)
			return "", fmt.Errorf("slack: post to %s: %w (%w)", dest.Chat, err, bot.ErrPermanent)
		case authRefused:
			c.authFailed(ctx, code)
			return "", fmt.Errorf("slack: post to %s: %w (%w)", dest.Chat, err, bot.ErrPermanent)
		case transient:
			if code == "missing_scope" {
				c.log.Error("Slack says the app lacks a scope: add chat:write (and channels:read for #names) under OAuth & Permissions, reinstall the app; alerts wait until then",
					keyChannel, dest.Chat, keyErr, err.Error()+details(err))
			}
			return "", fmt.Errorf("slack: post to %s: %w", dest.Chat, err)
		default:
			return "", fmt.Errorf("slack: post to %s: %w%s (%w)", dest.Chat, err, details(err), bot.ErrPermanent)
		}
	}
}

// details returns Slack's explanations of an error answer, such as
// invalid_blocks' "[ERROR] must be less than 3001 characters".
func details(err error) string {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return ""
	}
	out := ""
	for _, m := range se.ResponseMetadata.Messages {
		out += "; " + m
	}
	if se.Needed != "" {
		out += "; needed scope " + se.Needed
	}
	return out
}

// postMessage makes one chat.postMessage call: blocks with a notification
// text, or the whole message as text; link unfurling off unless the config
// turns it on.
func (c *Client) postMessage(ctx context.Context, channel, thread string, msg rendered, asText bool) (ts string, err error) {
	var opts []slack.MsgOption
	if asText {
		opts = append(opts, slack.MsgOptionText(msg.mrkdwn, false)) // escaped by render
	} else {
		opts = append(opts, slack.MsgOptionBlocks(msg.blocks...), slack.MsgOptionText(msg.fallback, true))
	}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if c.opts.LinkUnfurl {
		opts = append(opts, slack.MsgOptionEnableLinkUnfurl())
	} else {
		opts = append(opts, slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
	}
	cctx, cancel := c.callCtx(ctx)
	defer cancel()
	cctx, answer := bot.WithAnswer(cctx)
	_, ts, err = c.api.PostMessageContext(cctx, channel, opts...)
	return ts, c.checkAnswer(err, ts != "", answer)
}

// pauseChannel pauses the subscriptions of a channel Slack refused, under
// the name the destination used and under its id.
func (c *Client) pauseChannel(ctx context.Context, dest news.Destination, id, reason string) {
	total := 0
	for _, chat := range slices.Compact([]string{dest.Chat, id}) {
		if chat == "" {
			continue
		}
		n, err := c.opts.Store.SetChatPaused(ctx, news.Slack, chat, true)
		if err != nil {
			c.log.Error("Slack refuses this channel, and pausing its subscriptions failed", keyChannel, chat, "reason", reason, keyErr, err)
			return
		}
		total += n
	}
	advice := map[string]string{
		"not_in_channel":    "invite the bot with /invite @herald",
		"is_archived":       "unarchive the channel",
		"channel_not_found": "check the channel in the config's notify lists, or invite the bot to the private channel",
	}[reason]
	c.log.Warn("Slack refuses this channel ("+reason+"): its subscriptions are paused (and kept) until a command is used in it; "+advice,
		keyChannel, dest.Chat, "paused", total)
}

// resumeChannel resumes a channel's paused subscriptions, if it has any: a
// channel where herald is asked something can be written to again.
func (c *Client) resumeChannel(ctx context.Context, channel string) {
	n, err := c.opts.Store.SetChatPaused(ctx, news.Slack, channel, false)
	if err != nil {
		c.log.Error("resuming a channel's subscriptions", keyChannel, channel, keyErr, err)
		return
	}
	if n > 0 {
		c.log.Info("a command came from this channel: its paused subscriptions are resumed", keyChannel, channel, "resumed", n)
	}
}

// authBlocked returns an error while Slack's refusal of the token is
// recent: alerts then fail at once instead of hammering Slack.
func (c *Client) authBlocked() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.authErr == "" || c.now().Sub(c.authAt) >= AuthRecheck {
		return nil
	}
	return fmt.Errorf("the bot token was refused by Slack (%s) %s ago; fix slack.bot_token", c.authErr, c.now().Sub(c.authAt).Round(time.Second))
}

// authFailed pauses every Slack subscription after Slack refused the bot
// token, and remembers which it paused, to resume them when the token works.
func (c *Client) authFailed(ctx context.Context, code string) {
	c.mu.Lock()
	first := c.authErr == ""
	c.authErr, c.authAt = code, c.now()
	c.authResumed = false
	c.mu.Unlock()
	if !first {
		return
	}
	paused, err := c.opts.Store.PausePlatform(ctx, news.Slack)
	if err != nil {
		c.log.Error("Slack refused the bot token, and pausing the Slack subscriptions failed", "reason", code, keyErr, err)
		return
	}
	if err := c.saveAuthPaused(ctx, paused); err != nil {
		c.log.Error("remembering which subscriptions were paused; they stay paused until a command is used in their channel", keyErr, err)
	}
	c.log.Error("Slack refused the bot token ("+code+"): every Slack subscription is paused (and kept) until it works again; "+
		"check slack.bot_token, that the app is installed and its token not revoked", "paused", len(paused))
}

// saveAuthPaused adds destinations to the list kept in the store.
func (c *Client) saveAuthPaused(ctx context.Context, add []news.Destination) error {
	list, err := c.loadAuthPaused(ctx)
	if err != nil {
		return err
	}
	for _, d := range add {
		if !slices.Contains(list, d.String()) {
			list = append(list, d.String())
		}
	}
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return c.opts.Store.Set(ctx, authPausedKey, string(b))
}

func (c *Client) loadAuthPaused(ctx context.Context) ([]string, error) {
	v, found, err := c.opts.Store.Get(ctx, authPausedKey)
	if err != nil || !found || v == "" {
		return nil, err
	}
	var list []string
	if err := json.Unmarshal([]byte(v), &list); err != nil {
		return nil, fmt.Errorf("slack: read %s: %w", authPausedKey, err)
	}
	return list, nil
}

// authWorks notes that the token works, and resumes the subscriptions a
// refused token paused, once.
func (c *Client) authWorks(ctx context.Context) {
	c.mu.Lock()
	done := c.authResumed
	c.authResumed, c.authErr = true, ""
	c.mu.Unlock()
	if done {
		return
	}
	list, err := c.loadAuthPaused(ctx)
	if err != nil {
		c.log.Error("reading the subscriptions paused for a refused token", keyErr, err)
		return
	}
	if len(list) == 0 {
		return
	}
	resumed := 0
	for _, s := range list {
		d, err := news.ParseDestination(s)
		if err != nil {
			continue
		}
		n, err := c.opts.Store.SetPaused(ctx, d, false)
		if err != nil {
			c.log.Error("resuming a subscription paused for a refused token", "destination", s, keyErr, err)
			c.mu.Lock()
			c.authResumed = false
			c.mu.Unlock()
			return
		}
		resumed += n
	}
	if err := c.opts.Store.Set(ctx, authPausedKey, "[]"); err != nil {
		c.log.Error("clearing the list of subscriptions paused for a refused token", keyErr, err)
	}
	c.log.Info("Slack accepts the bot token again: the subscriptions paused for it are resumed", "resumed", resumed)
}

// SendDigest posts the first alerts that fit whole in one message as a
// digest: a count, then one line per alert with its linked title, source and
// topic. It returns how many alerts it included. Failures are handled as in
// Send.
func (c *Client) SendDigest(ctx context.Context, dest news.Destination, alerts []news.Alert) (int, error) {
	if len(alerts) == 0 {
		return 0, nil
	}
	if dest.Platform != news.Slack || dest.Chat == "" {
		return 0, fmt.Errorf("slack: post to %s: not a Slack destination (%w)", dest, bot.ErrPermanent)
	}
	// The most alerts whose digest needs no cut: fewer alerts never need more room.
	lo, hi := 1, len(alerts)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fitsWhole(bot.DigestMessage(alerts[:mid])) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if _, err := c.deliver(ctx, dest, render(bot.DigestMessage(alerts[:lo]))); err != nil {
		return 0, err
	}
	return lo, nil
}

// fitsWhole reports whether m goes out without a line cut or a block dropped.
func fitsWhole(m bot.Message) bool {
	units := unitsOf(m)
	for _, u := range units {
		for _, l := range u.lines {
			if textLen(linePrefix(u.kind))+textLen(renderLine(l)) > MaxSectionText {
				return false
			}
		}
	}
	units = split(units)
	return len(units) <= MaxBlocks && total(units) <= MaxMessageText
}

// Edit makes message ref ("<channel id>/<ts>", from Post) show a as it
// reads now, with chat.update. What Slack answers means:
//   - message_not_found, cant_update_message (not this bot's),
//     edit_window_closed (the workspace forbids late edits), and the
//     channel errors: this message cannot be edited; bot.ErrEditGone.
//   - a refused token: bot.ErrPermanent (Send pauses the subscriptions).
//   - ratelimited: a *bot.RetryAfterError.
//   - anything else (5xx, an answer that is not Slack's, the network): worth
//     trying again later.
func (c *Client) Edit(ctx context.Context, ref string, a news.Alert) error {
	channel, ts, ok := strings.Cut(ref, "/")
	if !ok || channel == "" || ts == "" {
		return fmt.Errorf("slack: edit %q: not a <channel>/<ts> reference (%w)", ref, bot.ErrEditGone)
	}
	msg := renderAlert(a, c.opts.Location, c.now())
	cctx, cancel := c.callCtx(ctx)
	defer cancel()
	cctx, answer := bot.WithAnswer(cctx)
	// blocks replace the old ones; the text is escaped (chat.update parses
	// as "client" unless told otherwise).
	_, gotTS, _, err := c.api.UpdateMessageContext(cctx, channel, ts,
		slack.MsgOptionBlocks(msg.blocks...), slack.MsgOptionText(msg.fallback, true))
	err = c.checkAnswer(c.redact(err), gotTS != "", answer)
	if err == nil {
		return nil
	}
	kind, code := classify(err)
	switch {
	case kind == rateLimited:
		wait := time.Second
		if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
			wait = max(rl.RetryAfter, time.Second)
		}
		return &bot.RetryAfterError{After: wait, Err: fmt.Errorf("slack: edit %s in %s: %w", ts, channel, err)}
	case kind == authRefused:
		return fmt.Errorf("slack: edit %s in %s: %w (%w)", ts, channel, err, bot.ErrPermanent)
	case kind == channelGone, code == "message_not_found", code == "cant_update_message", code == "edit_window_closed",
		kind == permanent, kind == badBlocks:
		return fmt.Errorf("slack: edit %s in %s: %w%s (%w)", ts, channel, err, details(err), bot.ErrEditGone)
	}
	return fmt.Errorf("slack: edit %s in %s: %w", ts, channel, err)
}
