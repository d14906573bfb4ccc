package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Button is a button in a message's actions block, as the fake read it.
type Button struct {
	// BlockID is the actions block's block_id: the one sent, or one the
	// fake made up, as Slack does, when none was.
	BlockID  string
	ActionID string
	Value    string
	// Text is the label.
	Text string
}

// buttonElement is the part of a button element the fake reads.
type buttonElement struct {
	Type     string      `json:"type"`
	Text     *textObject `json:"text"`
	ActionID string      `json:"action_id"`
	Value    string      `json:"value"`
	URL      string      `json:"url"`
	Style    string      `json:"style"`
}

// checkActions validates an actions block's elements as Slack does for
// buttons — between 1 and MaxActionElements elements, each a button with a
// plain_text label of at most MaxButtonText characters, an action_id of
// at most MaxActionID, unique in the block, a value of at most
// MaxButtonValue, a url of at most MaxButtonURL, a style of primary or
// danger — and reads it as Slack shows it: "[label]" for each button.
func checkActions(elements []json.RawMessage, ptr string, errf func(string, ...any)) Rendering {
	if len(elements) == 0 || len(elements) > MaxActionElements {
		errf("must have between 1 and %d items [json-pointer:%s/elements]", MaxActionElements, ptr)
		return Rendering{}
	}
	var labels []string
	ids := map[string]bool{}
	for j, raw := range elements {
		eptr := fmt.Sprintf("%s/elements/%d", ptr, j)
		var b buttonElement
		if err := json.Unmarshal(raw, &b); err != nil {
			errf("must be an object [json-pointer:%s]", eptr)
			continue
		}
		if b.Type != "button" {
			errf("unsupported type `%s` [json-pointer:%s/type]", b.Type, eptr)
			continue
		}
		if b.Text == nil || b.Text.Type != "plain_text" {
			errf("must be a plain_text object [json-pointer:%s/text]", eptr)
		} else {
			labels = append(labels, "["+checkText(*b.Text, MaxButtonText, eptr+"/text", errf).Text+"]")
		}
		for _, f := range []struct {
			name, v string
			max     int
		}{{"action_id", b.ActionID, MaxActionID}, {"value", b.Value, MaxButtonValue}, {"url", b.URL, MaxButtonURL}} {
			if utf8.RuneCountInString(f.v) > f.max {
				errf("must be less than %d characters [json-pointer:%s/%s]", f.max+1, eptr, f.name)
			}
		}
		if b.ActionID != "" {
			if ids[b.ActionID] {
				errf("action_id must be unique in its block [json-pointer:%s/action_id]", eptr)
			}
			ids[b.ActionID] = true
		}
		if b.Style != "" && b.Style != "primary" && b.Style != "danger" {
			errf("must be one of primary, danger [json-pointer:%s/style]", eptr)
		}
	}
	return Rendering{Text: strings.Join(labels, " ")}
}

// buttonsOf reads the buttons of valid blocks.
func buttonsOf(raw []byte) []Button {
	var blocks []struct {
		Type     string          `json:"type"`
		BlockID  string          `json:"block_id"`
		Elements []buttonElement `json:"elements"`
	}
	if json.Unmarshal(raw, &blocks) != nil {
		return nil
	}
	var out []Button
	for i, blk := range blocks {
		if blk.Type != "actions" {
			continue
		}
		id := blk.BlockID
		if id == "" {
			id = fmt.Sprintf("fake%d", i)
		}
		for _, b := range blk.Elements {
			btn := Button{BlockID: id, ActionID: b.ActionID, Value: b.Value}
			if b.Text != nil {
				btn.Text = b.Text.Text
			}
			out = append(out, btn)
		}
	}
	return out
}

// ButtonPress is someone pressing a button in a message the fake accepted.
type ButtonPress struct {
	// Channel and TS name the message, as in Messages.
	Channel string
	TS      string
	// User presses it. Only the user who sees an ephemeral message can
	// press its buttons; it is that user when User is empty.
	User string
	// Index is the button's place among the message's Buttons, from 0.
	Index int
	// Value, when set, is sent instead of the button's value: a forged or
	// tampered payload.
	Value string
}

// BlockActions returns the block_actions payload Slack sends when p's
// button is pressed (with a new response_url that leads to the fake), or an
// error when there is no such message, the message has no such button, or
// the user cannot see it.
func (s *Server) BlockActions(p ButtonPress) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m *Message
	for i := range s.messages {
		if s.messages[i].Channel == p.Channel && s.messages[i].TS == p.TS {
			m = &s.messages[i]
		}
	}
	switch {
	case m == nil:
		return nil, fmt.Errorf("slacktest: press: no message %s in %s", p.TS, p.Channel)
	case m.Ephemeral && p.User == "":
		p.User = m.User
	case m.Ephemeral && p.User != m.User:
		return nil, fmt.Errorf("slacktest: press: message %s in %s is shown to %s alone, not to %s", p.TS, p.Channel, m.User, p.User)
	case p.User == "":
		return nil, fmt.Errorf("slacktest: press: who presses the button in %s of %s?", p.TS, p.Channel)
	}
	if p.Index < 0 || p.Index >= len(m.Buttons) {
		return nil, fmt.Errorf("slacktest: press: message %s in %s has %d buttons, not a button %d", p.TS, p.Channel, len(m.Buttons), p.Index)
	}
	b := m.Buttons[p.Index]
	if p.Value != "" {
		b.Value = p.Value
	}
	s.ws.nextEvent++
	n := s.ws.nextEvent
	actionTS := fmt.Sprintf("1700000600.%06d", n)
	container := map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": m.Ephemeral}
	if m.ThreadTS != "" {
		container["thread_ts"] = m.ThreadTS
	}
	var blocks any
	_ = json.Unmarshal([]byte(m.Blocks), &blocks)
	payload := map[string]any{
		"type":                  "block_actions",
		"token":                 "verification-token-not-used",
		"api_app_id":            AppID,
		"team":                  map[string]any{"id": TeamID, "domain": "fake-newsroom"},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"user":                  map[string]any{"id": p.User, "username": strings.ToLower(p.User), "name": strings.ToLower(p.User), "team_id": TeamID},
		"channel":               map[string]any{"id": m.Channel, "name": "channel-" + strings.ToLower(m.Channel)},
		"container":             container,
		"trigger_id":            fmt.Sprintf("%d.738474920.8088930838d88f008e0", 13345224609+n),
		"response_url":          s.newResponseURLLocked(m.Channel, p.User, m.TS),
		"state":                 map[string]any{"values": map[string]any{}},
		"actions": []map[string]any{{
			"type": "button", "action_id": b.ActionID, "block_id": b.BlockID, "value": b.Value,
			"text": map[string]any{"type": "plain_text", "text": b.Text, "emoji": true}, "action_ts": actionTS,
		}},
	}
	// An ephemeral message is not stored: Slack sends only its container.
	if !m.Ephemeral {
		msg := map[string]any{"type": "message", "subtype": "bot_message", "bot_id": BotID, "user": BotUserID,
			"text": m.Text, "ts": m.TS, "blocks": blocks}
		if m.ThreadTS != "" {
			msg["thread_ts"] = m.ThreadTS
		}
		payload["message"] = msg
	}
	return payload, nil
}

// Press presses a button in a message the fake accepted (see BlockActions)
// and sends the block_actions payload as an interactive envelope over
// Socket Mode. It returns the envelope id.
func (s *Server) Press(p ButtonPress) (string, error) {
	payload, err := s.BlockActions(p)
	if err != nil {
		return "", err
	}
	return s.Interactive(payload)
}

// Interactive sends any payload as an interactive envelope over Socket
// Mode, for payloads Slack would not make, and returns the envelope id.
func (s *Server) Interactive(payload any) (string, error) {
	return s.envelope("interactive", payload, false, 0)
}

// InteractionRequest returns the POST Slack makes to an app's
// Interactivity Request URL (target): the form field payload=<json>, signed
// as sg says (Tamper changes the body after signing). A payload that is a
// string or json.RawMessage is sent as it is; anything else is marshalled.
func (s *Server) InteractionRequest(ctx context.Context, target string, payload any, sg Signing) (*http.Request, error) {
	var raw string
	switch p := payload.(type) {
	case string:
		raw = p
	case json.RawMessage:
		raw = string(p)
	default:
		b, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		raw = string(b)
	}
	body := url.Values{"payload": {raw}}.Encode()
	return s.signedRequest(ctx, target, body, sg, func(b string) string { return strings.Replace(b, "payload=", "payload=%20", 1) })
}
