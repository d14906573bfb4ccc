package slack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"herald/bot"
	"herald/bot/slack/slacktest"
	"herald/internal/testkit"
	"herald/news"
	"herald/search"
)

// searchRouter stores n articles about grain and returns a router that
// searches them.
func searchRouter(t *testing.T, e *env, n int) *bot.Router {
	t.Helper()
	now := e.clock.Now()
	for i := range n {
		it := news.Item{Feed: "wire", ID: fmt.Sprint(i), Title: fmt.Sprintf("Grain report %d", i), Link: fmt.Sprintf("https://wire.example/%d", i),
			Text: "Shipments of grain rose.", Published: now.Add(-time.Duration(n-i) * time.Hour)}
		if _, _, err := e.db.AddItem(t.Context(), it, now, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	return bot.NewRouter(e.db, testCatalog, nil, nil, bot.WithSearch(search.New(e.db, search.Config{}, nil)))
}

// press presses the first button of m over Socket Mode, checks the ack,
// and returns the reply posted after it.
func press(t *testing.T, e *env, m slacktest.Message, user string) slacktest.Message {
	t.Helper()
	before := len(e.fake.Messages())
	env, err := e.fake.Press(slacktest.ButtonPress{Channel: m.Channel, TS: m.TS, User: user})
	if err != nil {
		t.Fatal(err)
	}
	if ack, ok := e.fake.WaitAck(waitFor, env); !ok || ack.Late || len(ack.Payload) != 0 {
		t.Fatalf("ack %+v, %t; want an empty ack within 3 s\n%s", ack, ok, e.logs.String())
	}
	if !e.fake.Wait(waitFor, func() bool { return len(e.fake.Messages()) > before }) {
		t.Fatalf("no reply to the press\n%s", e.logs.String())
	}
	return e.fake.Messages()[before]
}

// moreButton checks that m has exactly one button, "More results", that
// continues search id.
func moreButton(t *testing.T, m slacktest.Message, id int) {
	t.Helper()
	want := slacktest.Button{ActionID: "herald_action_0", Value: fmt.Sprintf("search more #%d", id), Text: "More results"}
	if len(m.Buttons) != 1 || m.Buttons[0].ActionID != want.ActionID || m.Buttons[0].Value != want.Value || m.Buttons[0].Text != want.Text {
		t.Errorf("buttons %+v; want %+v", m.Buttons, want)
	}
	if len(m.BlockTypes) == 0 || m.BlockTypes[len(m.BlockTypes)-1] != "actions" {
		t.Errorf("blocks %v; want the actions block last", m.BlockTypes)
	}
}

// TestSearchMoreButton searches over Socket Mode, presses "More results"
// under the reply, and gets the next page in the same channel; a button of
// an older search says so.
func TestSearchMoreButton(t *testing.T) {
	e := newEnv(t)
	stop := e.run(searchRouter(t, e, 12))
	defer stop()
	waitReady(t, e)

	first := slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "search grain"})
	moreButton(t, first, 1)
	if !strings.Contains(first.Rendered.Text, "More: /herald search more") || !strings.HasSuffix(first.Rendered.Text, "[More results]") {
		t.Errorf("first page:\n%s", first.Rendered.Text)
	}
	second := press(t, e, first, "")
	if second.Channel != deskChannel || second.User != annUser || second.ResponseType != "ephemeral" || second.ResponseURL == "" {
		t.Errorf("second page posted as %+v; want it at the press's response_url, to the user alone, in %s", second, deskChannel)
	}
	for _, want := range []string{"*Search (continued):* `grain`", "6. ", "10. ", "Grain report 2"} {
		if !strings.Contains(second.Rendered.Text, want) {
			t.Errorf("second page lacks %q:\n%s", want, second.Rendered.Text)
		}
	}
	if strings.Contains(second.Rendered.Text, "1. Grain") {
		t.Errorf("second page repeats the first:\n%s", second.Rendered.Text)
	}
	moreButton(t, second, 1)
	inert(t, second.Rendered, "https://wire.example/6", "https://wire.example/5", "https://wire.example/4", "https://wire.example/3", "https://wire.example/2")
	if !strings.Contains(e.logs.String(), `via="button, socket mode"`) {
		t.Errorf("the press is not logged as a command from a button:\n%s", e.logs.String())
	}

	// A newer search: the first search's buttons continue nothing.
	third := slash(t, e, slacktest.Command{Channel: deskChannel, User: maxUser, Text: "search grain"})
	moreButton(t, third, 2)
	old := press(t, e, second, "")
	if !strings.Contains(old.Rendered.Text, "Those results are from an earlier search") || len(old.Buttons) != 0 {
		t.Errorf("an old button after a newer search:\n%s", old.Rendered.Text)
	}
	// The newer one's goes on, for whoever presses it; the last page has no button.
	last := press(t, e, third, "")
	if !strings.Contains(last.Rendered.Text, "6. ") {
		t.Errorf("the newer search's button:\n%s", last.Rendered.Text)
	}
	if end := press(t, e, last, ""); !strings.Contains(end.Rendered.Text, "11. ") || len(end.Buttons) != 0 {
		t.Errorf("the last page:\n%s\nbuttons %+v", end.Rendered.Text, end.Buttons)
	}
}

// TestButtonInAThread presses the button of a reply to a mention in a
// thread: the next page is posted in the thread.
func TestButtonInAThread(t *testing.T) {
	e := newEnv(t)
	stop := e.run(searchRouter(t, e, 7))
	defer stop()
	waitReady(t, e)
	if _, err := e.fake.AppMention(slacktest.Mention{Channel: newsChannel, User: annUser, Text: "<@U0HERALD> search grain", ThreadTS: "1700000400.000001"}); err != nil {
		t.Fatal(err)
	}
	msgs, ok := e.fake.WaitMessages(waitFor, 1)
	if !ok {
		t.Fatalf("no reply to the mention\n%s", e.logs.String())
	}
	first := msgs[0]
	if first.ThreadTS != "1700000400.000001" || first.Ephemeral {
		t.Fatalf("reply %+v", first)
	}
	moreButton(t, first, 1)
	next := press(t, e, first, annUser)
	if next.ThreadTS != "1700000400.000001" || next.Channel != newsChannel || !strings.Contains(next.Rendered.Text, "7. Grain report 0") {
		t.Errorf("next page in thread %q of %s:\n%s", next.ThreadTS, next.Channel, next.Rendered.Text)
	}
}

// TestForgedPressesRunNothing sends payloads herald's buttons do not make:
// each is acked and logged with its channel and user, and nothing runs.
func TestForgedPressesRunNothing(t *testing.T) {
	e := newEnv(t)
	stop := e.run(searchRouter(t, e, 7))
	defer stop()
	waitReady(t, e)
	first := slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "search grain"})
	moreButton(t, first, 1)
	payload := func(value string) map[string]any {
		t.Helper()
		p, err := e.fake.BlockActions(slacktest.ButtonPress{Channel: first.Channel, TS: first.TS, Value: value})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	notOurs := payload("")
	notOurs["actions"] = []map[string]any{{"type": "button", "action_id": "other_app", "block_id": "x", "value": "search more #1"}}
	otherType := payload("")
	otherType["type"] = "view_submission"
	for name, p := range map[string]any{
		"subscribe":         payload("subscribe nato-ukraine"),
		"garbage value":     payload("\x00<!channel> ; rm -rf"),
		"search, no id":     payload("search more"),
		"another app":       notOurs,
		"another type":      otherType,
		"not an object":     "garbage",
		"a number for user": json.RawMessage(`{"type":"block_actions","user":7,"channel":{"id":"C0DESK"}}`),
	} {
		env, err := e.fake.Interactive(p)
		if err != nil {
			t.Fatal(err)
		}
		if ack, ok := e.fake.WaitAck(waitFor, env); !ok || ack.Late {
			t.Errorf("%s: not acked in time (%+v)\n%s", name, ack, e.logs.String())
		}
	}
	// The next command is answered, and nothing else was.
	slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "subscriptions"})
	stop()
	if n := len(e.fake.Messages()); n != 2 {
		for _, m := range e.fake.Messages() {
			t.Logf("%s", m.Rendered.Text)
		}
		t.Errorf("%d messages; want the search and the subscriptions replies only", n)
	}
	if got := subs(t, e, dest(deskChannel)); len(got) != 0 {
		t.Errorf("a forged press subscribed the channel: %v", got)
	}
	logs := e.logs.String()
	if c := strings.Count(logs, "a button press whose value herald does not make; ignored"); c != 3 {
		t.Errorf("%d refused values logged, want 3:\n%s", c, logs)
	}
	for _, want := range []string{
		`a button press whose value herald does not make; ignored: the payload was forged or comes from another version of herald" platform=slack channel=C0DESK user=U0ANN`,
		`value="subscribe nato-ukraine"`,
		"a press of a button that is not herald's; ignored",
		`an interaction herald does not handle (it only makes buttons); ignored" platform=slack channel=C0DESK user=U0ANN via="socket mode" type=view_submission`,
		"Socket Mode: a request herald could not read; acknowledged and ignored",
		"channel=C0DESK",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q:\n%s", want, logs)
		}
	}
}

// interactiveURL is where the bot serves button presses in HTTP mode.
func interactiveURL(commands string) string {
	return strings.TrimSuffix(commands, CommandPath) + InteractivePath
}

// postInteraction posts a button press to the bot's HTTP endpoint.
func postInteraction(t *testing.T, e *env, target string, payload any, sg slacktest.Signing) (int, string) {
	t.Helper()
	req, err := e.fake.InteractionRequest(t.Context(), target, payload, sg)
	return testkit.Do(t, req, err)
}

// TestButtonOverHTTP presses "More results" in HTTP mode: a signed press
// is answered 200 at once and the next page follows; a badly signed one is
// refused with 401 and runs nothing.
func TestButtonOverHTTP(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.AppToken = "" })
	commands := e.listen()
	target := interactiveURL(commands)
	stop := e.run(searchRouter(t, e, 12))
	defer stop()
	if !e.fake.Wait(waitFor, func() bool { return e.client.BotUser() != "" }) {
		t.Fatal("no auth.test")
	}
	now := e.clock.Now()
	if code, _ := post(t, e, commands, slacktest.Command{Channel: deskChannel, User: annUser, Text: "search grain"}, slacktest.Signing{At: now}); code != http.StatusOK {
		t.Fatalf("search: %d", code)
	}
	msgs, ok := e.fake.WaitMessages(waitFor, 1)
	if !ok {
		t.Fatalf("no search reply\n%s", e.logs.String())
	}
	first := msgs[0]
	moreButton(t, first, 1)
	payload, err := e.fake.BlockActions(slacktest.ButtonPress{Channel: first.Channel, TS: first.TS})
	if err != nil {
		t.Fatal(err)
	}

	for name, sg := range map[string]slacktest.Signing{
		"bad signature": {Secret: "not-the-secret", At: now},
		"body changed":  {At: now, Tamper: true},
		"6 minutes old": {At: now.Add(-6 * time.Minute)},
		"no timestamp":  {At: now, NoTimestamp: true},
		"no signature":  {At: now, NoSignature: true},
	} {
		if code, _ := postInteraction(t, e, target, payload, sg); code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, code)
		}
	}
	if n := len(e.fake.Messages()); n != 1 || strings.Contains(e.logs.String(), `via="button, http"`) {
		t.Fatalf("a refused press had an effect: %d messages\n%s", n, e.logs.String())
	}

	code, body := postInteraction(t, e, target, payload, slacktest.Signing{At: now.Add(-4 * time.Minute)})
	if code != http.StatusOK || body != "" {
		t.Fatalf("status %d body %q, want 200 and nothing", code, body)
	}
	msgs, ok = e.fake.WaitMessages(waitFor, 2)
	if !ok || !strings.Contains(msgs[1].Rendered.Text, "6. ") || msgs[1].Channel != deskChannel || msgs[1].ResponseURL == "" {
		t.Fatalf("second page %+v\n%s", msgs, e.logs.String())
	}
	moreButton(t, msgs[1], 1)

	// Signed, but no press herald made: 200, logged, nothing runs.
	forged, _ := e.fake.BlockActions(slacktest.ButtonPress{Channel: first.Channel, TS: first.TS, Value: "subscribe elections"})
	if code, _ := postInteraction(t, e, target, forged, slacktest.Signing{At: now}); code != http.StatusOK {
		t.Errorf("a forged value: status %d, want 200", code)
	}
	if code, _ := postInteraction(t, e, target, "not json", slacktest.Signing{At: now}); code != http.StatusBadRequest {
		t.Errorf("no payload: status %d, want 400", code)
	}
	resp, err := http.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	stop()
	if n := len(e.fake.Messages()); n != 2 || len(subs(t, e, dest(deskChannel))) != 0 {
		t.Errorf("a forged press had an effect: %d messages, subscriptions %v", n, subs(t, e, dest(deskChannel)))
	}
	if !strings.Contains(e.logs.String(), "a button press whose value herald does not make") {
		t.Errorf("the forged press is not logged:\n%s", e.logs.String())
	}
}

// TestButtonOnHeraldsMux serves button presses on the mux of a server
// herald runs.
func TestButtonOnHeraldsMux(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	e := newEnv(t, func(o *Options) { o.AppToken, o.Mux = "", mux })
	stop := e.run(searchRouter(t, e, 7))
	defer stop()
	if !e.fake.Wait(waitFor, func() bool { return e.client.BotUser() != "" }) {
		t.Fatal("no auth.test")
	}
	now := e.clock.Now()
	// The mux has both paths once Run has added them.
	var code int
	e.fake.Wait(waitFor, func() bool {
		code, _ = post(t, e, srv.URL+CommandPath, slacktest.Command{Channel: deskChannel, User: annUser, Text: "search grain"}, slacktest.Signing{At: now})
		return code != http.StatusNotFound
	})
	msgs, ok := e.fake.WaitMessages(waitFor, 1)
	if code != http.StatusOK || !ok {
		t.Fatalf("search: %d\n%s", code, e.logs.String())
	}
	payload, err := e.fake.BlockActions(slacktest.ButtonPress{Channel: msgs[0].Channel, TS: msgs[0].TS})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := postInteraction(t, e, srv.URL+InteractivePath, payload, slacktest.Signing{At: now}); code != http.StatusOK {
		t.Fatalf("press: %d", code)
	}
	if msgs, ok := e.fake.WaitMessages(waitFor, 2); !ok || !strings.Contains(msgs[1].Rendered.Text, "7. ") {
		t.Fatalf("second page %+v\n%s", msgs, e.logs.String())
	}
}

// TestRenderActions lays a message's actions out as buttons within
// Slack's limits.
func TestRenderActions(t *testing.T) {
	more := bot.Action{Label: "More results", Command: "search", Args: []string{"more", "#3"}}
	var m bot.Message
	for i := range 60 {
		m.Add(bot.Para(bot.Plain(fmt.Sprintf("paragraph %d", i))))
	}
	m.Actions = []bot.Action{more, {Label: strings.Repeat("😀", 80), Command: "x"}, {Label: "", Command: "y"},
		{Label: "long", Command: "z", Args: []string{strings.Repeat("v", MaxButtonValue)}}}
	for i := range 30 {
		m.Actions = append(m.Actions, bot.Action{Label: fmt.Sprint(i), Command: "n"})
	}
	r := render(m)
	checkValid(t, r, "")
	if len(r.blocks) != MaxBlocks {
		t.Errorf("%d blocks, want %d", len(r.blocks), MaxBlocks)
	}
	raw, _ := json.Marshal(r.blocks[len(r.blocks)-1])
	var last struct {
		Type     string `json:"type"`
		Elements []struct {
			Type     string `json:"type"`
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			Text     struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(raw, &last); err != nil {
		t.Fatal(err)
	}
	if last.Type != "actions" || len(last.Elements) != MaxButtons {
		t.Fatalf("last block %s with %d elements; want actions with %d", last.Type, len(last.Elements), MaxButtons)
	}
	first := last.Elements[0]
	if first.Type != "button" || first.ActionID != "herald_action_0" || first.Value != "search more #3" || first.Text.Type != "plain_text" || first.Text.Text != "More results" {
		t.Errorf("first button %+v", first)
	}
	if l := last.Elements[1].Text.Text; textLen(l) > MaxButtonText || !strings.HasSuffix(l, "…") {
		t.Errorf("a long label is %d units: %q", textLen(l), l)
	}
	if id := last.Elements[2].ActionID; id != "herald_action_4" {
		t.Errorf("the third button is %s; want the actions without a label or with a long value left out", id)
	}
	if !strings.Contains(r.mrkdwn, "paragraph 0") || strings.Contains(r.mrkdwn, "More results") {
		t.Errorf("text version %q", r.mrkdwn[:min(len(r.mrkdwn), 200)])
	}
	// Without actions, nothing changes.
	m.Actions = nil
	if r := render(m); len(r.blocks) != MaxBlocks || strings.Contains(string(mustJSON(t, r.blocks)), `"actions"`) {
		t.Errorf("a message without actions has %d blocks", len(r.blocks))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
