package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"herald/bot"
)

// InteractivePath is where HTTP mode receives button presses: the
// Interactivity Request URL to give in the app's settings (Interactivity &
// Shortcuts) ends in it. Slack POSTs each press there as a form field
// payload=<json>, signed like a slash command; herald checks the signature
// before it reads the payload. In Socket Mode presses come over the
// connection instead, once Interactivity is on in the app's settings.
const InteractivePath = "/slack/interactive"

// pressPrefix is what a command from a button says its users type: the
// press runs as if they had written /herald and the button's command.
const pressPrefix = "/herald "

// press reads a block_actions interaction as a command: the action of the
// herald button pressed, from the user who pressed it, in the channel (and
// thread) of the message it is under, replied to at the interaction's
// response_url. ok is false, and the reason logged with the channel and
// user, for other interactions, for presses of buttons that are not
// herald's, for values bot.ParseAction refuses (a payload could say
// anything), and for a press seen before.
func (c *Client) press(cb slack.InteractionCallback, via string) (command, bool) {
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	user := cb.User.ID
	log := c.log.With(keyChannel, channel, keyUser, user, "via", via)
	if cb.Type != slack.InteractionTypeBlockActions {
		log.Warn("an interaction herald does not handle (it only makes buttons); ignored", "type", bot.Shorten(bot.Clean(string(cb.Type)), 60))
		return command{}, false
	}
	var act *slack.BlockAction
	for _, a := range cb.ActionCallback.BlockActions {
		if a != nil && strings.HasPrefix(a.ActionID, actionIDPrefix) {
			act = a
			break
		}
	}
	if act == nil {
		log.Warn("a press of a button that is not herald's; ignored: check that no other app shares this app's Interactivity settings")
		return command{}, false
	}
	a, ok := bot.ParseAction(act.Value)
	if !ok {
		log.Warn("a button press whose value herald does not make; ignored: the payload was forged or comes from another version of herald",
			"value", bot.Shorten(bot.Clean(act.Value), 100), "action_id", bot.Shorten(bot.Clean(act.ActionID), 60))
		return command{}, false
	}
	if channel == "" || user == "" {
		log.Warn("a button press without a channel or a user; ignored")
		return command{}, false
	}
	if cb.TriggerID != "" && !c.firstSeen("press "+cb.TriggerID) {
		log.Debug("a button press Slack sent again; ignored", "trigger_id", cb.TriggerID)
		return command{}, false
	}
	// A reply goes in the thread the message is in; a thread's parent
	// (thread_ts = its own ts) is in the channel.
	thread, ts := cb.Container.ThreadTs, cb.Container.MessageTs
	if thread == "" {
		thread = cb.Message.ThreadTimestamp
	}
	if ts == "" {
		ts = cb.Message.Timestamp
	}
	if thread == ts {
		thread = ""
	}
	return command{channel: channel, user: user, text: a.Data(), prefix: pressPrefix,
		responseURL: cb.ResponseURL, thread: thread, via: "button, " + via}, true
}

// onInteractive handles an interactive Socket Mode envelope, acked already:
// a press of a herald button runs its command.
func (c *Client) onInteractive(ctx context.Context, r Router, ev socketmode.Event, handlers *sync.WaitGroup) {
	cb, ok := ev.Data.(slack.InteractionCallback)
	if !ok {
		c.log.Warn("Socket Mode: an interactive request without an interaction; ignored")
		return
	}
	if cmd, ok := c.press(cb, "socket mode"); ok {
		handlers.Go(func() { c.handle(ctx, r, cmd) })
	}
}

// serveInteraction answers a signed POST to InteractivePath: 200 at once
// for any interaction payload (presses herald does not make are logged and
// ignored), 400 for a body that holds none; a press of a herald button
// then runs its command.
func (c *Client) serveInteraction(ctx context.Context, w http.ResponseWriter, req *http.Request, r Router, handlers *sync.WaitGroup) {
	cb, err := slack.InteractionCallbackParse(req)
	if err != nil {
		c.log.Warn("interaction request refused: no interaction payload in a signed request", "remote", req.RemoteAddr, keyErr, err)
		http.Error(w, "not an interaction payload", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
	if cmd, ok := c.press(cb, "http"); ok {
		handlers.Go(func() { c.handle(ctx, r, cmd) })
	}
}

// badEnvelope returns the request of an envelope slack-go could not read,
// for it to be acked all the same (Slack would send it again), and logs
// what it can tell of it. It returns nil for a frame that is no envelope.
func (c *Client) badEnvelope(ev socketmode.Event) *socketmode.Request {
	req := ev.Request
	bm, ok := ev.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		c.log.Warn("Socket Mode: a frame could not be read or written", "event", string(ev.Type))
		return req
	}
	var env struct {
		EnvelopeID string          `json:"envelope_id"`
		Type       string          `json:"type"`
		Payload    json.RawMessage `json:"payload"`
	}
	_ = json.Unmarshal(bm.Message, &env)
	// Whatever of the channel and user can be read, for the log.
	var who struct {
		Channel struct {
			ID string `json:"id"`
		} `json:"channel"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		ChannelID string `json:"channel_id"`
		UserID    string `json:"user_id"`
	}
	_ = json.Unmarshal(env.Payload, &who)
	channel, user := who.Channel.ID, who.User.ID
	if channel == "" {
		channel = who.ChannelID
	}
	if user == "" {
		user = who.UserID
	}
	c.log.Warn("Socket Mode: a request herald could not read; acknowledged and ignored",
		"type", bot.Shorten(bot.Clean(env.Type), 60), keyChannel, bot.Shorten(bot.Clean(channel), 30), keyUser, bot.Shorten(bot.Clean(user), 30), keyErr, bm.Cause)
	if req == nil && env.EnvelopeID != "" {
		req = &socketmode.Request{EnvelopeID: env.EnvelopeID, Type: env.Type}
	}
	return req
}
