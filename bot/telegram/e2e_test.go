package telegram

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"herald/alerts"
	"herald/bot"
	"herald/bot/telegram/telegramtest"
	"herald/internal/testkit"
	"herald/news"
	"herald/rules"
)

// pipeline is herald's delivery path around the adapter: items are matched
// and queued by the alerts pipeline, and sent by the dispatcher.
type pipeline struct {
	t        *testing.T
	e        *env
	ingest   *alerts.Pipeline
	dispatch *bot.Dispatcher
	feed     news.Feed
	n        int
}

var e2eNow = time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)

func newPipeline(t *testing.T, e *env) *pipeline {
	t.Helper()
	set, err := rules.Compile([]rules.Rule{
		{Name: "nato-ukraine", Query: `NATO Ukraine`},
		{Name: "black-sea-grain", Query: `"Black Sea" grain`},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	topics := &alerts.Topics{Set: set, Notify: map[string][]news.Destination{"nato-ukraine": {dest("-100")}}, Tags: map[string][]string{}}
	now := func() time.Time { return e2eNow }
	dispatch := bot.NewDispatcher(e.db, map[news.Platform]bot.Sender{news.Telegram: e.client}, now, e.client.log, 1)
	// These tests are about failures, not pacing: bot's own tests cover the limits.
	dispatch.SetLimits(news.Telegram, bot.Limits{})
	return &pipeline{
		t: t, e: e,
		ingest:   alerts.New(e.db, topics, now, e.client.log),
		dispatch: dispatch,
		feed:     news.Feed{Name: "wire", Backfill: 24 * time.Hour},
	}
}

// publish ingests one item and flushes the outbox.
func (p *pipeline) publish(title, content string) bot.Stats {
	p.t.Helper()
	p.n++
	it := news.Item{Feed: "wire", ID: fmt.Sprintf("item-%d", p.n), Title: title, Link: fmt.Sprintf("https://wire.example.org/%d?a=1&b=2", p.n),
		Published: e2eNow.Add(-time.Hour), Content: content}
	if _, err := p.ingest.Ingest(p.t.Context(), p.feed, []news.Item{it}, false); err != nil {
		p.t.Fatal(err)
	}
	st, err := p.dispatch.Flush(p.t.Context())
	if err != nil {
		p.t.Fatal(err)
	}
	return st
}

func TestEndToEnd(t *testing.T) {
	e := newEnv(t)
	e.fake.AddChat(telegramtest.Chat{ID: groupChat, Type: "supergroup", Title: "Desk"})
	e.fake.AddChat(telegramtest.Chat{ID: privateChat})
	p := newPipeline(t, e)
	stop := e.run(newRouter(e))
	defer stop()

	// A feed item reaches the chat named in the rule's notify list, valid.
	st := p.publish("NATO ministers meet Ukraine's envoy", `<p>Ministers of NATO met Ukraine's envoy in Brussels. “We need dates, not declarations,” said Andriy Sokil.</p>`)
	if st.Sent != 1 {
		t.Fatalf("flush = %+v, want 1 sent\n%s", st, e.logs.String())
	}
	got := e.fake.SentTo(groupChat)
	if len(got) != 1 || got[0].ParseMode != "HTML" || !strings.HasPrefix(got[0].Text, "NATO ministers meet Ukraine's envoy\nwire · ") {
		t.Fatalf("group got %+v", got)
	}

	// A second chat subscribes, and the next matching item reaches it too.
	ann := telegramtest.User{ID: privateChat, FirstName: "Ann"}
	if r := say(t, e, telegramtest.Incoming{Chat: privateChat, From: ann, Text: "/subscribe nato-ukraine"}); !strings.Contains(r, "Subscribed") {
		t.Fatalf("subscribe reply %q", r)
	}
	st = p.publish("Ukraine asks NATO for more air defence", "<p>Kyiv asked the Alliance for more systems.</p>")
	if st.Sent != 2 || len(e.fake.SentTo(groupChat)) != 2 || len(e.fake.SentTo(privateChat)) != 2 {
		t.Fatalf("flush = %+v; group has %d, private chat %d messages", st, len(e.fake.SentTo(groupChat)), len(e.fake.SentTo(privateChat)))
	}
	if r := say(t, e, telegramtest.Incoming{Chat: privateChat, From: ann, Text: "/latest 1"}); !strings.Contains(r, "Ukraine asks NATO for more air defence") {
		t.Errorf("/latest = %q", r)
	}

	// 429: waited out, delivered once, the row marked sent.
	e.fake.FailNext(privateChat, telegramtest.TooManyRequests(1))
	st = p.publish("NATO and Ukraine sign a pact", "<p>Signed today.</p>")
	if st.Sent != 2 || len(e.fake.SentTo(privateChat)) != 4 { // 2 alerts and 2 replies before
		t.Errorf("after a 429: flush %+v, private chat has %d messages, want the alert once", st, len(e.fake.SentTo(privateChat)))
	}

	// 403: the row is dead, the subscription paused and kept; later items skip
	// the chat until it writes again.
	e.fake.Block(privateChat, telegramtest.DescBlocked)
	st = p.publish("NATO drills near Ukraine", "<p>Drills.</p>")
	if st.Sent != 1 || st.Failed != 1 || !subs(t, e, dest("42"))["nato-ukraine"] {
		t.Errorf("blocked: flush %+v, subscriptions %v", st, subs(t, e, dest("42")))
	}
	if pending, _ := e.db.PendingCount(t.Context()); pending != 0 {
		t.Errorf("%d rows pending after a permanent failure, want 0 (dead)", pending)
	}
	st = p.publish("NATO budget for Ukraine", "<p>Budget.</p>")
	if st.Sent != 1 || st.Failed != 0 {
		t.Errorf("while paused: flush %+v, want only the group", st)
	}
	e.fake.Unblock(privateChat)
	say(t, e, telegramtest.Incoming{Chat: privateChat, From: ann, Text: "/subscriptions"})
	before := len(e.fake.SentTo(privateChat))
	st = p.publish("NATO welcomes Ukraine's reform", "<p>Reform.</p>")
	if st.Sent != 2 || len(e.fake.SentTo(privateChat)) != before+1 {
		t.Errorf("after the chat wrote again: flush %+v", st)
	}

	// The group becomes a supergroup: the alert follows it.
	subscribe(t, e, dest("-100"), "black-sea-grain")
	e.fake.Migrate(groupChat, -1009100)
	st = p.publish("Black Sea grain corridor reopens", "<p>Grain ships sail from Odesa across the Black Sea.</p>")
	if st.Sent != 1 || len(e.fake.SentTo(-1009100)) != 1 || len(subs(t, e, dest("-1009100"))) != 1 {
		t.Errorf("after migration: flush %+v, supergroup got %d, subscriptions %v", st, len(e.fake.SentTo(-1009100)), subs(t, e, dest("-1009100")))
	}
	if !strings.Contains(e.logs.String(), "its subscriptions moved to the new chat id; no rule's notify list names the old id") {
		t.Errorf("the upgrade log claims notify lists to change:\n%s", e.logs.String())
	}

	// The server can't parse the HTML: the alert arrives as plain text.
	e.fake.FailNext(-1009100, telegramtest.CantParseEntities(`Unsupported start tag "x" at byte offset 3`))
	st = p.publish("Black Sea grain prices fall", "<p>Grain is cheaper on the Black Sea.</p>")
	last := e.fake.SentTo(-1009100)
	if st.Sent != 1 || last[len(last)-1].ParseMode != "" {
		t.Errorf("can't parse: flush %+v, last message %+v", st, last[len(last)-1])
	}

	// A 5xx leaves the row pending for a later retry.
	e.fake.FailNext(-1009100, telegramtest.ServerError())
	st = p.publish("Black Sea grain talks", "<p>Grain talks on the Black Sea.</p>")
	if st.Failed != 1 {
		t.Errorf("server error: flush %+v, want 1 failed", st)
	}
	if pending, _ := e.db.PendingCount(t.Context()); pending != 1 {
		t.Errorf("%d rows pending after a server error, want 1", pending)
	}

	// A gateway's JSON without error_code is not final either: the alert
	// waits, and the log says what came back.
	e.fake.FailNext(-1009100, telegramtest.NotBotAPI(504, "application/json", `{"message":"Endpoint request timed out"}`))
	deadBefore, _ := e.db.DeadCount(t.Context())
	st = p.publish("Black Sea grain convoy sails", "<p>A grain convoy left across the Black Sea.</p>")
	if st.Failed != 1 {
		t.Errorf("gateway answer: flush %+v, want 1 failed", st)
	}
	if dead, _ := e.db.DeadCount(t.Context()); dead != deadBefore {
		t.Errorf("%d alerts dead after an answer that is not final, were %d", dead, deadBefore)
	}
	if logs := e.logs.String(); !strings.Contains(logs, "alert not delivered; will retry") || !strings.Contains(logs, "HTTP 504 Gateway Timeout, body: {") {
		t.Errorf("the retry is not logged with the answer:\n%s", logs)
	}
}

func TestHostileFeedText(t *testing.T) {
	e := newEnv(t)
	e.fake.AddChat(telegramtest.Chat{ID: groupChat})
	p := newPipeline(t, e)
	var body strings.Builder
	for body.Len() < 8000 {
		body.WriteString("NATO and Ukraine discussed <b>grain & gas</b> again; officials said 5 < 6 and 7 > 3. ")
	}
	content := `<script>alert("pwned")</script><p>AT&amp;T &amp; R&D <i>unclosed <b>tags</p><p>` + body.String() + `</p>` +
		`<p>“We will not accept <this> & that,” said Olena <Kovalenko>.</p>`
	st := p.publish(`<b>NATO</b> & Ukraine: "talks" <script>x</script> continue`, content)
	if st.Sent != 1 {
		t.Fatalf("flush = %+v\n%s", st, e.logs.String())
	}
	m := e.fake.SentTo(groupChat)[0]
	if m.ParseMode != "HTML" {
		t.Fatalf("sent as %q, want HTML accepted by the strict fake", m.ParseMode)
	}
	if n := utf8.RuneCountInString(m.Text); n > MaxLength {
		t.Errorf("%d characters after parsing, over %d", n, MaxLength)
	}
	for _, bad := range []string{"<script", "<b>grain", "<this>", "<Kovalenko>", "</p>", "<p>"} {
		if strings.Contains(m.Raw, bad) {
			t.Errorf("raw HTML holds feed markup %q", bad)
		}
	}
	if title := strings.SplitN(m.Text, "\n", 2)[0]; !strings.Contains(title, `& Ukraine: "talks"`) || strings.Contains(title, "<") {
		t.Errorf("title shown as %q", title)
	}
	if strings.Contains(m.Text, "<") != strings.Contains(m.Raw, "&lt;") {
		t.Errorf("a '<' shown without being escaped in %q", m.Raw)
	}
	if !strings.Contains(m.Raw, "&amp;") {
		t.Errorf("no escaped ampersand in %q", m.Raw)
	}
}

// TestAlsoInEditsTheFirstMessage follows one story through herald: the
// first copy is posted, later copies from other feeds edit that message to
// add "also: …", at most once a minute, never after 48 hours, and a message
// deleted in the chat is given up.
func TestAlsoInEditsTheFirstMessage(t *testing.T) {
	e := newEnv(t)
	e.fake.AddChat(telegramtest.Chat{ID: groupChat, Type: "supergroup", Title: "Desk"})
	desk := testkit.NewStoryDesk(t, e.db, e.client, dest(fmt.Sprint(groupChat)), e2eNow, e.client.log)
	copyFrom := func(feed string, after time.Duration) bot.Stats { t.Helper(); return desk.Copy(t, feed, after) }
	text := func() string {
		t.Helper()
		got := e.fake.SentTo(groupChat)
		if len(got) != 1 {
			t.Fatalf("%d messages in the chat, want the one", len(got))
		}
		return got[0].Text
	}

	if st := copyFrom("wire", 0); st.Sent != 1 {
		t.Fatalf("first copy: %+v\n%s", st, e.logs.String())
	}
	if strings.Contains(text(), "also:") {
		t.Errorf("the first message names other sources:\n%s", text())
	}
	if st := copyFrom("reuters", 5*time.Minute); st.Sent != 0 || st.Edited != 1 || !strings.Contains(text(), "\nalso: reuters\n") {
		t.Fatalf("second copy: %+v; message:\n%s\n%s", st, text(), e.logs.String())
	}
	// A third source within the minute waits for the next one.
	if st := copyFrom("ap", 10*time.Second); st.Edited != 0 || strings.Contains(text(), "ap") {
		t.Errorf("third copy 10s after an edit: %+v; message:\n%s", st, text())
	}
	if st := desk.Flush(t, time.Minute); st.Edited != 1 || !strings.Contains(text(), "\nalso: reuters · ap\n") {
		t.Errorf("a minute later: %+v; message:\n%s", st, text())
	}
	// A source already named, or the first one's own feed, changes nothing.
	copyFrom("reuters", 2*time.Minute)
	copyFrom("wire", 2*time.Minute)
	if edits := e.fake.Edits(); edits != 2 {
		t.Errorf("%d edits, want 2", edits)
	}
	if m := e.fake.SentTo(groupChat)[0]; m.ParseMode != "HTML" || !m.LinkPreviewDisabled || m.Edits != 2 {
		t.Errorf("edited message %+v", m)
	}

	// "message is not modified" is an edit done, not a failure.
	first := e.fake.SentTo(groupChat)[0]
	a := sampleAlert(dest(fmt.Sprint(groupChat)))
	ref := fmt.Sprintf("%d/%d", groupChat, first.ID)
	if err := e.keep(e.client.Edit(t.Context(), ref, a)); err != nil {
		t.Fatalf("edit to the sample: %v", err)
	}
	if err := e.keep(e.client.Edit(t.Context(), ref, a)); err != nil {
		t.Errorf("the same edit again = %v, want nil (not modified)", err)
	}
	// A deleted message cannot be edited: given up, not retried.
	e.fake.Delete(groupChat, first.ID)
	if err := e.keep(e.client.Edit(t.Context(), ref, a)); !errors.Is(err, bot.ErrEditGone) || !strings.Contains(err.Error(), "message to edit not found") {
		t.Errorf("edit of a deleted message = %v, want ErrEditGone", err)
	}
	if st := copyFrom("afp", 2*time.Minute); st.Edited != 0 {
		t.Errorf("an edit of a deleted message counted: %+v", st)
	}
	if st := desk.Flush(t, time.Minute); st.Edited != 0 {
		t.Errorf("the given-up edit was tried again: %+v", st)
	}
	if !strings.Contains(e.logs.String(), "it stays as sent") {
		t.Errorf("the given-up edit was not logged:\n%s", e.logs.String())
	}

	// Two days on, a new copy is a new alert, and the old message is left alone.
	if st := copyFrom("bbc", 49*time.Hour); st.Edited != 0 || st.Sent != 1 {
		t.Errorf("a copy after 49h: %+v, want a new alert and no edit", st)
	}
	t.Logf("the first message as edited:\n%s", first.Text)
}
