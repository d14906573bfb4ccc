package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"herald/alerts"
	"herald/bot"
	"herald/bot/slack/slacktest"
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
	topics := &alerts.Topics{Set: set, Notify: map[string][]news.Destination{"nato-ukraine": {dest("#news")}}, Tags: map[string][]string{}}
	now := func() time.Time { return e2eNow }
	dispatch := bot.NewDispatcher(e.db, map[news.Platform]bot.Sender{news.Slack: e.client}, now, e.client.log, 1)
	// These tests are about failures, not pacing: bot's own tests cover the limits.
	dispatch.SetLimits(news.Slack, bot.Limits{})
	return &pipeline{
		t: t, e: e,
		ingest:   alerts.New(e.db, topics, now, e.client.log),
		dispatch: dispatch,
		feed:     news.Feed{Name: "wire", Backfill: 24 * time.Hour},
	}
}

// queue ingests items without flushing.
func (p *pipeline) queue(items ...[2]string) {
	p.t.Helper()
	var its []news.Item
	for _, it := range items {
		p.n++
		its = append(its, news.Item{Feed: "wire", ID: fmt.Sprintf("item-%d", p.n), Title: it[0],
			Link: fmt.Sprintf("https://wire.example.org/%d?a=1&b=2", p.n), Published: e2eNow.Add(-time.Hour), Content: it[1]})
	}
	if _, err := p.ingest.Ingest(p.t.Context(), p.feed, its, false); err != nil {
		p.t.Fatal(err)
	}
}

// publish ingests one item and flushes the outbox.
func (p *pipeline) publish(title, content string) bot.Stats {
	p.t.Helper()
	p.queue([2]string{title, content})
	return p.flush()
}

func (p *pipeline) flush() bot.Stats {
	p.t.Helper()
	st, err := p.dispatch.Flush(p.t.Context())
	if err != nil {
		p.t.Fatal(err)
	}
	return st
}

func TestEndToEnd(t *testing.T) {
	e := newEnv(t)
	p := newPipeline(t, e)
	stop := e.run(newRouter(e))
	defer stop()
	waitReady(t, e)

	// A feed item reaches the channel named in the rule's notify list
	// (#news, resolved to its id), as valid Block Kit.
	st := p.publish("NATO ministers meet Ukraine's envoy", `<p>Ministers of NATO met Ukraine's envoy in Brussels. “We need dates, not declarations,” said Andriy Sokil.</p>`)
	if st.Sent != 1 {
		t.Fatalf("flush = %+v, want 1 sent\n%s", st, e.logs.String())
	}
	got := e.fake.Posts(newsChannel)
	if len(got) != 1 || !strings.HasPrefix(got[0].Rendered.Text, "*NATO ministers meet Ukraine's envoy*\nwire · ") {
		t.Fatalf("#news got %+v", got)
	}
	inert(t, got[0].Rendered, "https://wire.example.org/1?a=1&b=2")

	// /herald subscribe from a second channel, over Socket Mode: the next
	// matching item reaches it too.
	if r := slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "subscribe nato-ukraine"}); !strings.Contains(r.Rendered.Text, "Subscribed") || r.ResponseType != "in_channel" {
		t.Fatalf("subscribe reply %+v", r)
	}
	st = p.publish("Ukraine asks NATO for more air defence", "<p>Kyiv asked the Alliance for more systems.</p>")
	if st.Sent != 2 || len(e.fake.Posts(newsChannel)) != 2 || len(e.fake.Posts(deskChannel)) != 1 {
		t.Fatalf("flush = %+v; news has %d, desk %d posts", st, len(e.fake.Posts(newsChannel)), len(e.fake.Posts(deskChannel)))
	}
	if r := slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "latest 1"}); !strings.Contains(r.Rendered.Text, "Ukraine asks NATO for more air defence") {
		t.Errorf("/herald latest = %q", r.Rendered.Text)
	}

	// 429: waited out, delivered once, the row marked sent.
	e.fake.FailNextTo(deskChannel, slacktest.RateLimited(1))
	st = p.publish("NATO and Ukraine sign a pact", "<p>Signed today.</p>")
	if st.Sent != 2 || len(e.fake.Posts(deskChannel)) != 2 {
		t.Errorf("after a 429: flush %+v, desk has %d posts, want the alert once", st, len(e.fake.Posts(deskChannel)))
	}

	// The bot is removed from the desk: the row is dead, the subscription
	// paused and kept; later items skip the desk until a command is used there.
	e.fake.Kick(deskChannel)
	st = p.publish("NATO drills near Ukraine", "<p>Drills.</p>")
	if st.Sent != 1 || st.Failed != 1 || !subs(t, e, dest(deskChannel))["nato-ukraine"] {
		t.Errorf("kicked: flush %+v, subscriptions %v", st, subs(t, e, dest(deskChannel)))
	}
	if pending, _ := e.db.PendingCount(t.Context()); pending != 0 {
		t.Errorf("%d rows pending after a permanent failure, want 0 (dead)", pending)
	}
	st = p.publish("NATO budget for Ukraine", "<p>Budget.</p>")
	if st.Sent != 1 || st.Failed != 0 {
		t.Errorf("while paused: flush %+v, want only #news", st)
	}
	if r := slash(t, e, slacktest.Command{Channel: deskChannel, User: annUser, Text: "subscriptions"}); !strings.Contains(r.Rendered.Text, "nato-ukraine") {
		t.Errorf("subscriptions reply %q", r.Rendered.Text)
	}
	e.fake.Invite(deskChannel)
	before := len(e.fake.Posts(deskChannel))
	st = p.publish("NATO welcomes Ukraine's reform", "<p>Reform.</p>")
	if st.Sent != 2 || len(e.fake.Posts(deskChannel)) != before+1 {
		t.Errorf("after a command in the desk: flush %+v", st)
	}

	// A 5xx leaves the row pending for a later retry.
	e.fake.FailNextTo(newsChannel, slacktest.ServerError(502))
	st = p.publish("NATO and Ukraine talk grain", "<p>Talks.</p>")
	if st.Failed != 1 || st.Sent != 1 {
		t.Errorf("server error: flush %+v, want 1 failed, 1 sent", st)
	}
	if pending, _ := e.db.PendingCount(t.Context()); pending != 1 {
		t.Errorf("%d rows pending after a server error, want 1", pending)
	}

	// The channel is archived: paused like the desk was.
	subscribe(t, e, dest(newsChannel), "black-sea-grain")
	e.fake.Archive(newsChannel)
	st = p.publish("Black Sea grain corridor reopens", "<p>Grain ships sail from Odesa across the Black Sea.</p>")
	if st.Failed != 1 || !subs(t, e, dest(newsChannel))["black-sea-grain"] {
		t.Errorf("archived: flush %+v, subscriptions %v", st, subs(t, e, dest(newsChannel)))
	}
}

func TestHostileFeedTextEndToEnd(t *testing.T) {
	e := newEnv(t)
	p := newPipeline(t, e)
	var body strings.Builder
	for body.Len() < 8000 {
		body.WriteString("NATO and Ukraine discussed <b>grain & gas</b> again; officials said 5 < 6 and 7 > 3 &amp; *bold* _it_. ")
	}
	content := `<script>alert("pwned")</script><p>NATO and Ukraine officials wrote &lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;@U0CEO&gt; &lt;http://evil.example|click&gt; AT&amp;T in a statement.</p><p>` + body.String() + `</p>` +
		`<p>“We will not accept &lt;!channel&gt; &amp; that,” said Olena &lt;@U0CEO|Kovalenko&gt;.</p>`
	st := p.publish(`<!channel> NATO & Ukraine: *talks* <http://evil.example|click> continue`, content)
	if st.Sent != 1 {
		t.Fatalf("flush = %+v\n%s", st, e.logs.String())
	}
	m := e.fake.Posts(newsChannel)[0]
	inert(t, m.Rendered, "https://wire.example.org/1?a=1&b=2")
	inert(t, m.TextRendered)
	if len(m.BlockTypes) > slacktest.MaxBlocks || textLen(m.Rendered.Text) > MaxMessageText {
		t.Errorf("%d blocks, %d characters", len(m.BlockTypes), textLen(m.Rendered.Text))
	}
	title := strings.SplitN(m.Rendered.Text, "\n", 2)[0]
	if title != "*<!channel> NATO & Ukraine: *talks* <http://evil.example|click> continue*" {
		t.Errorf("title shown as %q", title)
	}
	for _, want := range []string{"NATO and Ukraine officials wrote <!channel> <!here> <!everyone> <@U0CEO> <http://evil.example|click> AT&T in a statement."} {
		if !strings.Contains(m.Rendered.Text, want) {
			t.Errorf("readers do not see %q", want)
		}
	}
	if strings.Contains(m.Rendered.Text, "<script") || strings.Contains(m.Rendered.Text, "<b>") {
		t.Error("feed markup reached the message")
	}
}

func TestDigestEndToEnd(t *testing.T) {
	e := newEnv(t)
	p := newPipeline(t, e)
	var items [][2]string
	for i := 0; i < 8; i++ {
		items = append(items, [2]string{fmt.Sprintf("NATO and Ukraine, part %d <!here>", i), "<p>More.</p>"})
	}
	p.queue(items...)
	st := p.flush()
	if st.Sent != 8 || st.Digests != 1 {
		t.Fatalf("flush = %+v, want 8 alerts in one digest", st)
	}
	posts := e.fake.Posts(newsChannel)
	if len(posts) != 1 || !strings.HasPrefix(posts[0].Rendered.Text, "*8 alerts*") || strings.Count(posts[0].Rendered.Text, "• ") != 8 {
		t.Fatalf("posts %+v", posts)
	}
	var links []string
	for i := 1; i <= 8; i++ {
		links = append(links, fmt.Sprintf("https://wire.example.org/%d?a=1&b=2", i))
	}
	inert(t, posts[0].Rendered, links...)
	if len(posts[0].Rendered.Links) != 8 {
		t.Errorf("%d links, want 8", len(posts[0].Rendered.Links))
	}
}

func TestSendDigestFitsOneMessage(t *testing.T) {
	e := newEnv(t)
	var as []news.Alert
	for i := 0; i < 300; i++ {
		a := sampleAlert(dest(newsChannel))
		a.Title = strings.Repeat(fmt.Sprintf("Long headline %d & more ", i), 12)
		as = append(as, a)
	}
	n, err := e.client.SendDigest(t.Context(), dest(newsChannel), as)
	if err != nil || n < 10 || n >= 300 {
		t.Fatalf("SendDigest = %d, %v; want some but not all", n, err)
	}
	m := e.fake.Posts(newsChannel)[0]
	if !strings.HasPrefix(m.Rendered.Text, fmt.Sprintf("*%d alerts*", n)) || strings.Count(m.Rendered.Text, "• ") != n {
		t.Errorf("the digest does not hold its %d alerts:\n%.300s", n, m.Rendered.Text)
	}
	if strings.Contains(m.Rendered.Text, "…\n") || strings.HasSuffix(m.Rendered.Text, "…") {
		t.Error("the digest was cut")
	}
}

// virtualClock paces the dispatcher without waiting: sleeping advances it.
type virtualClock struct {
	mu    sync.Mutex
	t     time.Time
	slept time.Duration
}

func (v *virtualClock) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.t
}

func (v *virtualClock) Sleep(ctx context.Context, d time.Duration) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.t = v.t.Add(d)
	v.slept += d
	return ctx.Err()
}

// TestRateLimitLeftToTheDispatcher runs the adapter as herald run wires it:
// every Retry-After goes back to the dispatcher, which holds that channel
// alone and delivers the alert once the wait is over.
func TestRateLimitLeftToTheDispatcher(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MaxRateWait = time.Nanosecond })
	p := newPipeline(t, e)
	vc := &virtualClock{t: time.Unix(1_800_000_000, 0)}
	p.dispatch.SetLimits(news.Slack, bot.DefaultLimits[news.Slack])
	p.dispatch.SetPacing(vc.Now, vc.Sleep)
	subscribe(t, e, dest(deskChannel), "nato-ukraine")
	e.fake.FailNextTo(newsChannel, slacktest.RateLimited(7))
	st := p.publish("NATO ministers meet Ukraine's envoy", "<p>Talks.</p>")
	if st.Sent != 2 || len(e.fake.Posts(newsChannel)) != 1 || len(e.fake.Posts(deskChannel)) != 1 {
		t.Fatalf("flush %+v; news %d, desk %d posts", st, len(e.fake.Posts(newsChannel)), len(e.fake.Posts(deskChannel)))
	}
	if vc.slept < 7*time.Second || len(e.sleep.Waits()) != 0 {
		t.Errorf("the dispatcher waited %s, the adapter %v; want the dispatcher to wait 7s", vc.slept, e.sleep.Waits())
	}
}

// TestAlsoInUpdatesTheFirstMessage: later copies of a story from other
// feeds update the first Slack message (chat.update) to add "also: …",
// paced and bounded like sends; what Slack says cannot be updated is given
// up, a rate limit is waited out.
func TestAlsoInUpdatesTheFirstMessage(t *testing.T) {
	e := newEnv(t)
	desk := testkit.NewStoryDesk(t, e.db, e.client, dest("#news"), e2eNow, e.client.log)
	story := func(feed string, after time.Duration) bot.Stats { t.Helper(); return desk.Copy(t, feed, after) }
	post := func() slacktest.Message {
		t.Helper()
		posts := e.fake.Posts(newsChannel)
		if len(posts) != 1 {
			t.Fatalf("%d messages in #news, want the one", len(posts))
		}
		return posts[0]
	}

	if st := story("wire", 0); st.Sent != 1 || strings.Contains(post().Rendered.Text, "also:") {
		t.Fatalf("first copy: %+v\n%s", st, post().Rendered.Text)
	}
	if st := story("reuters", 3*time.Minute); st.Sent != 0 || st.Edited != 1 {
		t.Fatalf("second copy: %+v\n%s", st, e.logs.String())
	}
	m := post()
	if !strings.Contains(m.Rendered.Text, "| also: reuters |") || !strings.Contains(m.Text, "also: reuters") || m.Edits != 1 || len(m.BlockTypes) == 0 {
		t.Errorf("updated message: edits %d, blocks %v\n%s\ntext: %s", m.Edits, m.BlockTypes, m.Rendered.Text, m.Text)
	}
	if r := e.fake.Requests(); r[len(r)-1].Method != "chat.update" || r[len(r)-1].Params.Get("channel") != newsChannel {
		t.Errorf("last request %+v, want chat.update to the channel id", r[len(r)-1])
	}

	// Rate limited: the edit waits and goes through a minute later.
	e.fake.FailNext("chat.update", slacktest.RateLimited(30))
	if st := story("ap", 2*time.Minute); st.Edited != 0 {
		t.Errorf("an edit counted while rate limited: %+v", st)
	}
	if st := desk.Flush(t, time.Minute); st.Edited != 1 || !strings.Contains(post().Rendered.Text, "also: reuters · ap") {
		t.Errorf("after the rate limit: %+v\n%s", st, post().Rendered.Text)
	}

	// The workspace closed the edit window: given up, not retried.
	e.fake.FailNext("chat.update", slacktest.APIError(slacktest.ErrEditWindowClosed))
	story("afp", 2*time.Minute)
	if st := desk.Flush(t, 2*time.Minute); st.Edited != 0 || e.fake.Calls("chat.update") != 4 {
		t.Errorf("after edit_window_closed: %+v, %d chat.update calls, want 4", st, e.fake.Calls("chat.update"))
	}

	// What Slack answers for a deleted message or a person's is final.
	a := sampleAlert(dest(newsChannel))
	e.fake.DeleteMessage(newsChannel, m.TS)
	if err := e.keep(e.client.Edit(t.Context(), newsChannel+"/"+m.TS, a)); !errors.Is(err, bot.ErrEditGone) || !strings.Contains(err.Error(), "message_not_found") {
		t.Errorf("update of a deleted message = %v", err)
	}
	theirs := e.fake.PostAsUser(newsChannel, annUser, "hello")
	if err := e.keep(e.client.Edit(t.Context(), newsChannel+"/"+theirs, a)); !errors.Is(err, bot.ErrEditGone) || !strings.Contains(err.Error(), "cant_update_message") {
		t.Errorf("update of a person's message = %v", err)
	}
	// An answer without ok is tried again later, not given up.
	e.fake.FailNext("chat.update", slacktest.NotWebAPI(502, "text/html", "<html>Bad Gateway</html>"))
	if err := e.keep(e.client.Edit(t.Context(), newsChannel+"/"+theirs, a)); err == nil || errors.Is(err, bot.ErrEditGone) || !strings.Contains(err.Error(), "HTTP 502") {
		t.Errorf("update answered by a proxy = %v, want a transient error naming HTTP 502", err)
	}
}
