package slacktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"herald/internal/testkit"
)

func button(actionID, value, label string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(actionID, value, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
}

func TestButtons(t *testing.T) {
	s, api := newFake(t)
	_, ts, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionBlocks(section("*Results*"),
		slack.NewActionBlock("", button("a0", "search more #1", "More results"), button("a1", "x", "Other"))),
		slack.MsgOptionText("Results", true))
	if err != nil {
		t.Fatal(err)
	}
	m := s.Posts("C1")[0]
	if m.TS != ts || len(m.Buttons) != 2 || m.Buttons[0] != (Button{BlockID: "fake1", ActionID: "a0", Value: "search more #1", Text: "More results"}) {
		t.Errorf("buttons %+v", m.Buttons)
	}
	if m.Rendered.Text != "*Results*\n[More results] [Other]" || strings.Join(m.BlockTypes, ",") != "section,actions" {
		t.Errorf("rendered %q, types %v", m.Rendered.Text, m.BlockTypes)
	}

	var many []slack.BlockElement
	for i := range MaxActionElements + 1 {
		many = append(many, button(fmt.Sprint(i), "v", "b"))
	}
	mrkdwnLabel := &slack.ButtonBlockElement{Type: slack.METButton, ActionID: "a", Text: slack.NewTextBlockObject(slack.MarkdownType, "*b*", false, false)}
	styled := button("a", "v", "b")
	styled.Style = "loud"
	for name, tc := range map[string]struct {
		block slack.Block
		msg   string
	}{
		"26 elements":    {slack.NewActionBlock("", many...), "must have between 1 and 25 items [json-pointer:/blocks/0/elements]"},
		"no elements":    {slack.NewActionBlock(""), "must have between 1 and 25 items"},
		"long label":     {slack.NewActionBlock("", button("a", "v", strings.Repeat("é", 76))), "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"},
		"empty label":    {slack.NewActionBlock("", button("a", "v", "")), "must be more than 0 characters"},
		"long value":     {slack.NewActionBlock("", button("a", strings.Repeat("v", 2001), "b")), "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]"},
		"long action_id": {slack.NewActionBlock("", button(strings.Repeat("a", 256), "v", "b")), "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]"},
		"same action_id": {slack.NewActionBlock("", button("a", "v", "b"), button("a", "w", "c")), "action_id must be unique in its block [json-pointer:/blocks/0/elements/1/action_id]"},
		"mrkdwn label":   {slack.NewActionBlock("", mrkdwnLabel), "must be a plain_text object [json-pointer:/blocks/0/elements/0/text]"},
		"not a button":   {slack.NewActionBlock("", slack.NewDatePickerBlockElement("d")), "unsupported type `datepicker`"},
		"style":          {slack.NewActionBlock("", styled), "must be one of primary, danger"},
		"long block_id":  {slack.NewActionBlock(strings.Repeat("b", 256), button("a", "v", "b")), "must be less than 256 characters [json-pointer:/blocks/0/block_id]"},
		"76 emoji":       {slack.NewActionBlock("", button("a", "v", strings.Repeat("x", 61)), button("b", "v", strings.Repeat("😀", 76))), "/blocks/0/elements/1/text/text"},
	} {
		_, _, err := api.PostMessageContext(t.Context(), "C2", slack.MsgOptionBlocks(tc.block), slack.MsgOptionText("x", true))
		var se slack.SlackErrorResponse
		if !errors.As(err, &se) || se.Err != ErrInvalidBlocks {
			t.Errorf("%s: %v, want invalid_blocks", name, err)
			continue
		}
		if len(se.ResponseMetadata.Messages) != 1 || !strings.Contains(se.ResponseMetadata.Messages[0], tc.msg) {
			t.Errorf("%s: messages %v, want %q", name, se.ResponseMetadata.Messages, tc.msg)
		}
	}
	if n := len(s.Posts("C2")); n != 0 {
		t.Errorf("%d invalid messages accepted", n)
	}
}

// TestPress presses buttons over Socket Mode, as slack-go's socketmode
// client reads them, and answers at the response_url.
func TestPress(t *testing.T) {
	s, api := newFake(t)
	ctx := t.Context()
	actions := slack.NewActionBlock("", button("herald_action_0", "search more #1", "More results"))
	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionBlocks(section("hi"), actions), slack.MsgOptionTS("1700000000.000001"))
	if err != nil {
		t.Fatal(err)
	}
	eph, err := api.PostEphemeralContext(ctx, "C2", "U2", slack.MsgOptionBlocks(section("just you"), actions))
	if err != nil {
		t.Fatal(err)
	}
	plain, _, _ := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("no buttons", true))
	_ = plain

	sm := socketmode.New(api, socketmode.OptionPingInterval(time.Hour))
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = sm.RunContext(runCtx) }()
	got := make(chan slack.InteractionCallback, 10)
	go func() {
		for {
			select {
			case ev := <-sm.Events:
				if ev.Request != nil && ev.Request.EnvelopeID != "" {
					_ = sm.Ack(*ev.Request)
				}
				if cb, ok := ev.Data.(slack.InteractionCallback); ok && ev.Type == socketmode.EventTypeInteractive {
					got <- cb
				}
			case <-runCtx.Done():
				return
			}
		}
	}()
	next := func() slack.InteractionCallback {
		t.Helper()
		select {
		case cb := <-got:
			return cb
		case <-time.After(10 * time.Second):
			t.Fatal("no interaction")
		}
		return slack.InteractionCallback{}
	}

	env, err := s.Press(ButtonPress{Channel: "C1", TS: ts, User: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	cb := next()
	if cb.Type != slack.InteractionTypeBlockActions || cb.User.ID != "U1" || cb.Channel.ID != "C1" || cb.Container.MessageTs != ts ||
		cb.Container.ThreadTs != "1700000000.000001" || cb.Message.Timestamp != ts || cb.TriggerID == "" {
		t.Errorf("interaction %+v", cb)
	}
	if len(cb.ActionCallback.BlockActions) != 1 {
		t.Fatalf("actions %+v", cb.ActionCallback)
	}
	if a := cb.ActionCallback.BlockActions[0]; a.ActionID != "herald_action_0" || a.Value != "search more #1" || a.BlockID == "" || a.Type != "button" {
		t.Errorf("action %+v", a)
	}
	if a, ok := s.WaitAck(10*time.Second, env); !ok || a.Late {
		t.Errorf("ack %+v", a)
	}

	// The response_url posts a new message, or replaces the button's.
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("page 2", true)); err != nil {
		t.Fatal(err)
	}
	if r := s.Replies("C1"); len(r) != 1 || r[0].User != "U1" || r[0].Text != "page 2" || !r[0].Ephemeral {
		t.Errorf("replies %+v", r)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("edited", true)); err != nil {
		t.Fatal(err)
	}
	if p := s.Posts("C1"); len(p) != 2 || p[0].TS != ts || p[0].Text != "edited" || !p[0].Replaced {
		t.Errorf("posts after replace_original %+v", p)
	}

	// An ephemeral message: its user alone can press; Slack sends no message.
	if _, err := s.Press(ButtonPress{Channel: "C2", TS: eph}); err != nil {
		t.Fatal(err)
	}
	if cb := next(); cb.User.ID != "U2" || !cb.Container.IsEphemeral || cb.Message.Timestamp != "" {
		t.Errorf("ephemeral press %+v", cb)
	}
	// A forged value.
	if _, err := s.Press(ButtonPress{Channel: "C2", TS: eph, Value: "subscribe nato"}); err != nil {
		t.Fatal(err)
	}
	if cb := next(); cb.ActionCallback.BlockActions[0].Value != "subscribe nato" {
		t.Errorf("forged %+v", cb.ActionCallback.BlockActions[0])
	}
	for name, p := range map[string]ButtonPress{
		"no message":        {Channel: "C1", TS: "1.2", User: "U1"},
		"someone else's":    {Channel: "C2", TS: eph, User: "U1"},
		"no user":           {Channel: "C1", TS: ts},
		"no such button":    {Channel: "C1", TS: ts, User: "U1", Index: 1},
		"no buttons at all": {Channel: "C1", TS: plain, User: "U1"},
	} {
		if _, err := s.Press(p); err == nil {
			t.Errorf("%s: pressed", name)
		}
	}
}

func TestInteractionRequestMatchesSlackGo(t *testing.T) {
	s, api := newFake(t)
	_, ts, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionBlocks(slack.NewActionBlock("", button("a", "search more #2", "More"))))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := s.BlockActions(ButtonPress{Channel: "C1", TS: ts, User: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	var got slack.InteractionCallback
	srv := verifyingServer(t, func(r *http.Request) { got, _ = slack.InteractionCallbackParse(r) })
	for name, tc := range map[string]struct {
		sg   Signing
		want int
	}{
		"signed":   {Signing{}, 200},
		"wrong":    {Signing{Secret: "other"}, 401},
		"stale":    {Signing{At: time.Now().Add(-6 * time.Minute)}, 401},
		"tampered": {Signing{Tamper: true}, 401},
	} {
		req, err := s.InteractionRequest(t.Context(), srv.URL, payload, tc.sg)
		if got, _ := testkit.Do(t, req, err); got != tc.want {
			t.Errorf("%s: %d, want %d", name, got, tc.want)
		}
	}
	if got.Type != slack.InteractionTypeBlockActions || len(got.ActionCallback.BlockActions) != 1 || got.ActionCallback.BlockActions[0].Value != "search more #2" ||
		!strings.HasPrefix(got.ResponseURL, s.URL+"/response/") {
		raw, _ := json.Marshal(payload)
		t.Errorf("parsed %+v from %s", got, raw)
	}
}
