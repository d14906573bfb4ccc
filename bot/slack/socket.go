package slack

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// ackTimeout bounds queuing an ack; Slack wants it within 3 s.
const ackTimeout = 2 * time.Second

// runSocketMode answers commands over Socket Mode until ctx ends. The
// library reconnects by itself on disconnect frames, dropped connections and
// missed pings; it gives up only when Slack refuses the app token, and then
// this loop logs it and starts again after a backoff.
func (c *Client) runSocketMode(ctx context.Context, r Router) {
	var handlers sync.WaitGroup
	defer handlers.Wait()
	for failures := 1; ; failures++ {
		err := c.socketSession(ctx, r, &handlers)
		if ctx.Err() != nil {
			return
		}
		err = c.redact(err)
		wait := backoff(failures)
		kind, code := classify(err)
		var sc slack.StatusCodeError
		switch {
		case kind == authRefused || errors.As(err, &sc) && sc.Code == http.StatusNotFound:
			c.log.Error("Slack refused the app-level token ("+code+"): check slack.app_token (xapp-…, with connections:write) and that Socket Mode is on in the app's settings; retrying",
				keyErr, err, "retry_in", wait.String())
		default:
			c.log.Error("Socket Mode stopped; starting again", keyErr, err, "retry_in", wait.String())
		}
		if c.sleep(ctx, wait) != nil {
			return
		}
	}
}

// socketSession runs one socketmode client until it returns. Every request
// is acknowledged as soon as it arrives, before the command is handled, so
// that a slow store never makes Slack wait past its 3 s.
func (c *Client) socketSession(ctx context.Context, r Router, handlers *sync.WaitGroup) error {
	var opts []socketmode.Option
	if c.opts.PingInterval > 0 {
		opts = append(opts, socketmode.OptionPingInterval(c.opts.PingInterval))
	}
	sm := socketmode.New(c.api, opts...)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(runCtx) }()
	for {
		select {
		case err := <-errc:
			return err
		case ev := <-sm.Events:
			c.onEvent(ctx, runCtx, sm, r, ev, handlers)
		}
	}
}

// onEvent acts on one Socket Mode event. Commands are handled under ctx,
// not the session's runCtx: a reconnect does not cut an answer short.
func (c *Client) onEvent(ctx, runCtx context.Context, sm *socketmode.Client, r Router, ev socketmode.Event, handlers *sync.WaitGroup) {
	switch ev.Type {
	case socketmode.EventTypeConnecting:
		c.log.Debug("Socket Mode connecting")
	case socketmode.EventTypeConnected:
		if ce, ok := ev.Data.(*socketmode.ConnectedEvent); ok && ce.ConnectionCount > 0 {
			c.log.Info("Socket Mode reconnected", "connection", ce.ConnectionCount+1)
		} else {
			c.log.Info("Socket Mode connected")
		}
	case socketmode.EventTypeHello:
		c.log.Debug("Socket Mode hello")
	case socketmode.EventTypeConnectionError:
		if ce, ok := ev.Data.(*slack.ConnectionErrorEvent); ok {
			c.log.Warn("Socket Mode connection failed; retrying", keyErr, c.redact(ce.ErrorObj), "retry_in", ce.Backoff.String())
		}
	case socketmode.EventTypeInvalidAuth:
		c.log.Error("Slack refused the app-level token; check slack.app_token")
	case socketmode.EventTypeErrorBadMessage:
		c.ack(runCtx, sm, c.badEnvelope(ev))
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		c.log.Warn("Socket Mode: a frame could not be read or written", "event", string(ev.Type))
		c.ack(runCtx, sm, ev.Request)
	case socketmode.EventTypeSlashCommand:
		c.ack(runCtx, sm, ev.Request)
		if s, ok := ev.Data.(slack.SlashCommand); ok {
			cmd := slashCommand(s, "socket mode")
			handlers.Go(func() { c.handle(ctx, r, cmd) })
		}
	case socketmode.EventTypeEventsAPI:
		c.ack(runCtx, sm, ev.Request)
		if cmd, ok := c.mention(ev); ok {
			handlers.Go(func() { c.handle(ctx, r, cmd) })
		}
	case socketmode.EventTypeInteractive:
		c.ack(runCtx, sm, ev.Request)
		c.onInteractive(ctx, r, ev, handlers)
	default:
		c.ack(runCtx, sm, ev.Request) // what Slack adds later
	}
}

// ack acknowledges a request envelope; hello frames have no envelope.
func (c *Client) ack(ctx context.Context, sm *socketmode.Client, req *socketmode.Request) {
	if req == nil || req.EnvelopeID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	if err := sm.AckCtx(ctx, req.EnvelopeID, nil); err != nil {
		c.log.Warn("Socket Mode: acknowledging a request failed; Slack may send it again", "envelope", req.EnvelopeID, keyErr, err)
	}
}

// mention reads an app_mention event as a command; ok is false for other
// events, mentions by bots, and events seen before.
func (c *Client) mention(ev socketmode.Event) (command, bool) {
	e, ok := ev.Data.(slackevents.EventsAPIEvent)
	if !ok {
		return command{}, false
	}
	m, ok := e.InnerEvent.Data.(*slackevents.AppMentionEvent)
	if !ok || m.BotID != "" || m.User == "" {
		return command{}, false
	}
	if cb, ok := e.Data.(*slackevents.EventsAPICallbackEvent); ok && !c.firstSeen(cb.EventID) {
		c.log.Debug("an event Slack sent again; ignored", "event_id", cb.EventID)
		return command{}, false
	}
	bot := c.BotUser()
	if m.User == bot {
		return command{}, false
	}
	c.mu.Lock()
	name := c.botName
	c.mu.Unlock()
	prefix := "/herald "
	if name != "" {
		prefix = "@" + name + " "
	}
	return command{channel: m.Channel, user: m.User, text: mentionText(m.Text, bot), prefix: prefix,
		thread: cmp.Or(m.ThreadTimeStamp, m.TimeStamp), mention: true, via: "app mention"}, true
}
