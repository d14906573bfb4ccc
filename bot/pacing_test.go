package bot_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"herald/bot"
	"herald/news"
)

// vclock is virtual time: sleeping advances it at once.
type vclock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *vclock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *vclock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return ctx.Err()
}

// strictPlatform is a fake platform that enforces Telegram's documented
// limits on the virtual clock, in windows independent of the dispatcher's
// token buckets: at most 3 messages in any second per chat, 20 in any minute
// per group (negative chat ID), 30 in any second overall. A message over a
// limit is refused with a 429, as the real service would.
type strictPlatform struct {
	clock   *vclock
	mu      sync.Mutex
	times   map[string][]time.Time
	all     []time.Time
	refused int
	sent    int
}

func countSince(ts []time.Time, from time.Time) int {
	n := 0
	for _, t := range ts {
		if !t.Before(from) {
			n++
		}
	}
	return n
}

func (p *strictPlatform) Send(_ context.Context, a news.Alert) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.now()
	chat := a.Destination.Chat
	over := countSince(p.times[chat], now.Add(-time.Second+1)) >= 3 ||
		countSince(p.all, now.Add(-time.Second+1)) >= 30 ||
		(strings.HasPrefix(chat, "-") && countSince(p.times[chat], now.Add(-time.Minute+1)) >= 20)
	if over {
		p.refused++
		return &bot.RetryAfterError{After: time.Second, Err: errors.New("Too Many Requests: retry after 1")}
	}
	p.times[chat] = append(p.times[chat], now)
	p.all = append(p.all, now)
	p.sent++
	return nil
}

func TestPacing1000AlertsTo50Chats(t *testing.T) {
	db := openStore(t)
	var chats []string
	for i := range 50 {
		if i < 10 {
			chats = append(chats, fmt.Sprintf("telegram:-100%d", i)) // groups: 20/min
		} else {
			chats = append(chats, fmt.Sprintf("telegram:%d", 1000+i))
		}
	}
	for i := range 1000 {
		queue(t, db, fmt.Sprint(i), chats[i%50])
	}
	clock := &vclock{t: t0}
	fake := &strictPlatform{clock: clock, times: map[string][]time.Time{}}
	d := bot.NewDispatcher(db, map[news.Platform]bot.Sender{news.Telegram: fake}, clock.now, nil, 1)
	d.SetPacing(clock.now, clock.sleep)
	d.DigestThreshold = -1 // this test is about pacing single alerts

	st, err := d.Flush(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	took := clock.now().Sub(t0)
	// Each group gets 20 alerts at 20/min: a burst at once, then the rest
	// one per refill (17 × 3.34 s with the default burst of 3). That is the
	// least time the group limit allows for this load.
	group := bot.DefaultLimits[news.Telegram].PerGroup
	minimum := time.Duration(20-group.Burst) * group.Every
	t.Logf("1,000 alerts to 50 chats: %d sent, %d refused with 429, %s of virtual time (limits allow %s: %.1f%% of the allowed rate)",
		fake.sent, fake.refused, took, minimum, 100*float64(minimum)/float64(took))
	if fake.refused != 0 {
		t.Errorf("%d sends hit a 429; the dispatcher must stay under the limits", fake.refused)
	}
	if st.Sent != 1000 || fake.sent != 1000 {
		t.Errorf("sent %d (platform saw %d), want 1000", st.Sent, fake.sent)
	}
	if took > minimum*11/10 {
		t.Errorf("took %s, over 1.1 × the %s the limits allow", took, minimum)
	}
}

func TestRetryAfterHoldsOnlyThatChat(t *testing.T) {
	db := openStore(t)
	for i := range 4 {
		queue(t, db, fmt.Sprintf("a%d", i), "telegram:1")
		queue(t, db, fmt.Sprintf("b%d", i), "telegram:2")
	}
	clock := &vclock{t: t0}
	var mu sync.Mutex
	var log []string
	first := true
	sender := senderFunc(func(_ context.Context, a news.Alert) error {
		mu.Lock()
		defer mu.Unlock()
		if a.Destination.Chat == "1" && first {
			first = false
			return &bot.RetryAfterError{After: 20 * time.Second, Err: errors.New("Too Many Requests: retry after 20")}
		}
		log = append(log, fmt.Sprintf("%s@%s", a.Title, clock.now().Sub(t0)))
		return nil
	})
	d := bot.NewDispatcher(db, map[news.Platform]bot.Sender{news.Telegram: sender}, clock.now, nil, 1)
	d.SetPacing(clock.now, clock.sleep)
	d.DigestThreshold = -1
	st, err := d.Flush(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 8 {
		t.Fatalf("sent %d, want all 8 within the Flush (the wait is short)", st.Sent)
	}
	// Chat 2 is not held by chat 1's 429: its four alerts go before chat 1's first.
	var chat2Done, chat1First time.Duration = -1, -1
	for _, l := range log {
		title, at, _ := strings.Cut(l, "@")
		dur, _ := time.ParseDuration(at)
		if title == "item b3" {
			chat2Done = dur
		}
		if title == "item a0" {
			chat1First = dur
		}
	}
	if chat2Done < 0 || chat1First < 20*time.Second || chat2Done >= chat1First {
		t.Errorf("chat 2 finished at %s, chat 1's first alert went at %s; want chat 2 done before and chat 1 after its 20s wait\n%v", chat2Done, chat1First, log)
	}
}

type senderFunc func(context.Context, news.Alert) error

func (f senderFunc) Send(ctx context.Context, a news.Alert) error { return f(ctx, a) }

// digestRecorder is a platform that takes up to perMessage alerts per digest.
type digestRecorder struct {
	recorder
	perMessage int
	digests    [][]string
}

func (r *digestRecorder) SendDigest(_ context.Context, dest news.Destination, alerts []news.Alert) (int, error) {
	n := min(len(alerts), r.perMessage)
	var titles []string
	for _, a := range alerts[:n] {
		titles = append(titles, a.Title)
	}
	r.digests = append(r.digests, titles)
	return n, nil
}

func TestBurstGoesAsDigests(t *testing.T) {
	db := openStore(t)
	for i := range 12 {
		queue(t, db, fmt.Sprintf("%02d", i), "telegram:7")
	}
	queue(t, db, "solo", "telegram:8")
	clock := &vclock{t: t0}
	p := &digestRecorder{perMessage: 5}
	d := bot.NewDispatcher(db, map[news.Platform]bot.Sender{news.Telegram: p}, clock.now, nil, 1)
	d.SetPacing(clock.now, clock.sleep)
	st, err := d.Flush(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// 12 waiting > threshold 5: digests of 5, 5, then the last 2 go one by
	// one (2 is under the threshold). Chat 8 has one alert: sent as is.
	var sizes []int
	for _, dg := range p.digests {
		sizes = append(sizes, len(dg))
	}
	sort.Ints(sizes)
	if fmt.Sprint(sizes) != "[5 5]" || st.Digests != 2 || st.Sent != 13 {
		t.Errorf("digests %v, stats %+v; want two digests of 5 and 13 alerts sent", p.digests, st)
	}
	var chat7 []string
	solo := false
	for _, s := range p.sent {
		if s == "telegram:8 item solo" {
			solo = true
		} else {
			chat7 = append(chat7, s)
		}
	}
	if !solo || fmt.Sprint(chat7) != "[telegram:7 item 10 telegram:7 item 11]" {
		t.Errorf("single sends %v; want chat 8's alert and chat 7's last two in order", p.sent)
	}
	if p.digests[0][0] != "item 00" || p.digests[1][0] != "item 05" {
		t.Errorf("digests out of queue order: %v", p.digests)
	}
}

func TestQueuedMuteBecomesOneDigest(t *testing.T) {
	db := openStore(t)
	clock := &vclock{t: t0}
	chat := news.Destination{Platform: news.Telegram, Chat: "7"}
	if err := db.Mute(t.Context(), news.Mute{Destination: chat, Rule: "r", Until: t0.Add(time.Hour), Queue: true}); err != nil {
		t.Fatal(err)
	}
	// What alerts.Pipeline writes for a chat muted with --queue.
	for i := range 3 {
		it := news.Item{Feed: "f", ID: fmt.Sprint(i), Title: fmt.Sprint("held ", i)}
		a := news.Alert{Destination: chat, Rule: "r", Feed: "f", Title: it.Title, HoldUntil: t0.Add(time.Hour), Digest: true}
		if _, _, err := db.AddItem(t.Context(), it, t0, []news.Match{{Rule: "r"}}, []news.Alert{a}); err != nil {
			t.Fatal(err)
		}
	}
	p := &digestRecorder{perMessage: 50}
	d := bot.NewDispatcher(db, map[news.Platform]bot.Sender{news.Telegram: p}, clock.now, nil, 1)
	d.SetPacing(clock.now, clock.sleep)
	if st, _ := d.Flush(t.Context()); st.Sent != 0 {
		t.Fatalf("sent %d during the mute", st.Sent)
	}
	// /unmute releases them at once, as one digest though there are fewer than the threshold.
	if ok, n, err := db.Unmute(t.Context(), chat, "r", clock.now()); err != nil || !ok || n != 3 {
		t.Fatalf("Unmute = %v, %d released, %v; want a mute and 3", ok, n, err)
	}
	st, err := d.Flush(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Digests != 1 || st.Sent != 3 || len(p.digests) != 1 || len(p.digests[0]) != 3 || len(p.sent) != 0 {
		t.Errorf("after unmute: stats %+v, digests %v, singles %v; want one digest of 3", st, p.digests, p.sent)
	}
}

// TestGroupBurst: the first messages of a burst to a quiet group go at once
// (telegram.rate.group_burst, default 3), and a long run to one group still
// never draws a 429 from a platform that counts 20 in any minute.
func TestGroupBurst(t *testing.T) {
	db := openStore(t)
	for i := range 45 {
		queue(t, db, fmt.Sprint(i), "telegram:-1002")
	}
	clock := &vclock{t: t0}
	fake := &strictPlatform{clock: clock, times: map[string][]time.Time{}}
	d := bot.NewDispatcher(db, map[news.Platform]bot.Sender{news.Telegram: fake}, clock.now, nil, 1)
	d.SetPacing(clock.now, clock.sleep)
	d.DigestThreshold = -1
	if _, err := d.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if fake.refused != 0 || fake.sent != 45 {
		t.Fatalf("sent %d, refused with 429 %d; want 45 and none", fake.sent, fake.refused)
	}
	at := fake.times["-1002"]
	// At once, but for the global 30/s spacing.
	for i := range bot.DefaultGroupBurst {
		if at[i].Sub(t0) > 100*time.Millisecond {
			t.Errorf("message %d of the burst went after %s, want at once", i+1, at[i].Sub(t0))
		}
	}
	if at[bot.DefaultGroupBurst].Sub(t0) < time.Second {
		t.Errorf("message %d went at once: the burst is larger than %d", bot.DefaultGroupBurst+1, bot.DefaultGroupBurst)
	}
	t.Logf("45 alerts to one group: the last after %s of virtual time", at[44].Sub(t0))
}
