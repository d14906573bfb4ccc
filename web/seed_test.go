package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"herald/news"
	"herald/rules"
	"herald/search"
	"herald/store"
)

// testNow is the clock of every test: the pages count days back from it.
var testNow = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// Destinations of the seeded alerts and subscriptions. privateUser is a
// Telegram user's own chat: its id must never appear on a page.
var (
	consoleDest = news.Destination{Platform: news.Console}
	group       = news.Destination{Platform: news.Telegram, Chat: "-1001234567890"}
	privateUser = news.Destination{Platform: news.Telegram, Chat: "987654321"}
	channel     = news.Destination{Platform: news.Slack, Chat: "#news"}
)

// seedConfig is the configuration of the small seeded herald.
func seedConfig() *Config {
	return &Config{
		Topics: []Topic{
			{Name: "nato", Description: "NATO and the Black Sea", Query: `nato OR "black sea"`, Notify: []news.Destination{consoleDest, group}},
			{Name: "grain", Description: "Grain exports", Query: `grain -opinion`, Notify: []news.Destination{channel}},
			{Name: "volcano", Query: `volcano OR eruption`},
		},
		Feeds: []Feed{
			{Name: "wire", URL: "https://wire.example/feed.xml", Interval: 5 * time.Minute},
			{Name: "agency", URL: "https://agency.example/rss?key=s3cr3t-key&lang=en"},
			{Name: "zeta-ministry", URL: "https://ministry.example/feed.xml"},
			{Name: "busy", URL: "https://busy.example/atom"},
			{Name: "fresh", URL: "https://fresh.example/feed"},
		},
	}
}

// seedTitles are the seeded items' headlines: some match a topic, some
// none; one tries to smuggle markup into the page.
var seedTitles = []string{
	"NATO ministers meet on Black Sea security",
	"Grain exports resume through the Black Sea corridor",
	"Opinion: grain prices and the harvest",
	"Volcano erupts near the coast",
	"Local council approves new library",
	"NATO-Ukraine Council agrees on air defence",
	`<script>alert("x")</script> grain deal signed`,
	"Markets steady as trading resumes",
}

// seeded is a small herald store with feeds in every state of health,
// alerts in every state of delivery and a week of items.
type seeded struct {
	db     *store.DB
	cfg    *Config
	search *search.Engine
}

// seed builds the small store in a temporary directory.
func seed(t testing.TB) *seeded {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := seedConfig()
	st := map[string]news.FeedState{
		"wire": {URL: "https://wire.example/feed.xml", Seeded: true, LastPoll: testNow.Add(-2 * time.Minute), LastOK: testNow.Add(-2 * time.Minute),
			NextPoll: testNow.Add(3 * time.Minute), Interval: 5 * time.Minute},
		"agency": {URL: "https://agency.example/rss?key=s3cr3t-key&lang=en", Seeded: true, LastPoll: testNow.Add(-10 * time.Minute),
			LastOK: testNow.Add(-10 * time.Minute), NextPoll: testNow.Add(20 * time.Minute), Interval: 30 * time.Minute},
		"zeta-ministry": {URL: "https://ministry.example/feed.xml", Seeded: true, LastPoll: testNow.Add(-5 * time.Minute),
			LastOK: testNow.Add(-3 * time.Hour), LastError: "GET https://ministry.example/feed.xml: 404 Not Found; check the URL in a browser and fix it in the config",
			Failures: 12, FailingSince: testNow.Add(-3 * time.Hour), NextPoll: testNow.Add(10 * time.Minute)},
		"busy": {URL: "https://busy.example/atom", ConfigURL: "https://busy.example/atom", Seeded: true, LastPoll: testNow.Add(-1 * time.Minute),
			LastOK: testNow.Add(-40 * time.Minute), LastError: "GET https://busy.example/atom?token=s3cr3t-key&page=2: 429 Too Many Requests", Failures: 1,
			NextPoll: testNow.Add(30 * time.Minute)},
	}
	for name, s := range st {
		if err := db.SaveFeedState(ctx, name, s); err != nil {
			t.Fatal(err)
		}
	}
	set := compileTopics(t, cfg)
	feeds := []string{"wire", "agency", "zeta-ministry", "busy"}
	var ids []int64
	// Two items a day for a week, then the seed titles today, newest last.
	n := 0
	for day := 6; day >= 0; day-- {
		for k := range 2 {
			at := testNow.Add(-time.Duration(day)*24*time.Hour - time.Duration(2-k)*time.Hour)
			title := seedTitles[(day*2+k)%len(seedTitles)]
			ids = append(ids, addSeedItem(t, db, set, cfg, feeds[n%len(feeds)], fmt.Sprintf("item-%d", n), title, at))
			n++
		}
	}
	for i, title := range seedTitles {
		at := testNow.Add(-time.Duration(len(seedTitles)-i) * time.Minute)
		ids = append(ids, addSeedItem(t, db, set, cfg, "wire", fmt.Sprintf("today-%d", i), title, at))
	}
	_ = ids
	// A chat's own /watch alerts under a rule that is no topic of the config.
	watch := news.Item{Feed: "wire", ID: "watched", Title: "Volcano watch: ash cloud reaches the coast", Link: "https://wire.example/watched",
		Published: testNow.Add(-30 * time.Second), Text: "Ash."}
	if _, err := db.AddItems(ctx, testNow.Add(-30*time.Second), []store.NewItem{{Item: watch,
		Matches: []news.Match{{Rule: "watch:7"}},
		Alerts:  []news.Alert{{Destination: privateUser, Rule: "watch:7", Feed: "wire", Title: watch.Title, Link: watch.Link}}}}); err != nil {
		t.Fatal(err)
	}
	// Deliveries: the oldest alerts went out, some failed for good, some
	// wait for a retry, the newest wait for their first attempt.
	for id := int64(1); id <= 200; id++ {
		d, err := db.Delivery(ctx, id)
		if err != nil {
			break
		}
		switch {
		case d.Alert.Destination.Platform == news.Telegram && id%5 == 0:
			err = db.MarkFailed(ctx, id, "Forbidden: bot was blocked by the user", testNow, true)
		case d.Alert.Destination.Platform == news.Slack && id%4 == 0:
			err = db.MarkFailed(ctx, id, "ratelimited", testNow.Add(time.Minute), false)
		case d.CreatedAt.Before(testNow.Add(-time.Hour)):
			err = db.MarkSent(ctx, id, d.CreatedAt.Add(time.Second))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, sub := range []news.Subscription{
		{Destination: privateUser, Rule: "nato"},
		{Destination: news.Destination{Platform: news.Telegram, Chat: "-1009876543210"}, Rule: "nato", Paused: true},
	} {
		if _, err := db.Subscribe(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Mute(ctx, news.Mute{Destination: group, Rule: "nato", Until: testNow.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var polls []store.Poll
	for i := range 60 {
		at := testNow.Add(-time.Duration(60-i) * 5 * time.Minute)
		polls = append(polls,
			store.Poll{Feed: "wire", At: at, Outcome: "ok", Duration: time.Duration(80+i*3) * time.Millisecond, Items: 20, New: i % 4},
			store.Poll{Feed: "zeta-ministry", At: at, Outcome: "error", ErrorKind: "http_4xx", Duration: 40 * time.Millisecond})
	}
	if err := db.RecordPolls(ctx, polls); err != nil {
		t.Fatal(err)
	}
	return &seeded{db: db, cfg: cfg, search: search.New(db, search.Config{Entities: cfg.Entities}, func() time.Time { return testNow })}
}

// compileTopics compiles the topics as the config would.
func compileTopics(t testing.TB, cfg *Config) *rules.Set {
	t.Helper()
	rs := make([]rules.Rule, len(cfg.Topics))
	for i, tp := range cfg.Topics {
		rs[i] = rules.Rule{Name: tp.Name, Query: tp.Query, Exclude: tp.Exclude, Feeds: tp.Feeds}
	}
	set, err := rules.Compile(rs, cfg.Entities)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// addSeedItem stores one item with the matches the rules find and one alert
// per destination of each matching topic.
func addSeedItem(t testing.TB, db *store.DB, set *rules.Set, cfg *Config, feed, id, title string, at time.Time) int64 {
	t.Helper()
	text := title + ". The ministers said talks would go on. \"We will keep the corridor open,\" the minister said."
	it := news.Item{Feed: feed, ID: id, Title: title, Link: "https://" + feed + ".example/" + id, Published: at, Text: text}
	n := newItem(set, cfg, it)
	out, err := db.AddItems(context.Background(), at, []store.NewItem{n})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Err != nil {
		t.Fatal(out[0].Err)
	}
	return out[0].ID
}

// newItem matches it against set and makes its alerts, as the pipeline does.
func newItem(set *rules.Set, cfg *Config, it news.Item) store.NewItem {
	ms := set.Match(rules.Doc{Feed: it.Feed, Title: it.Title, Text: it.Text})
	n := store.NewItem{Item: it, Matches: ms}
	for _, m := range ms {
		for _, tp := range cfg.Topics {
			if tp.Name != m.Rule {
				continue
			}
			for _, d := range tp.Notify {
				n.Alerts = append(n.Alerts, news.Alert{Destination: d, Rule: m.Rule, Feed: it.Feed, Title: it.Title, Link: it.Link,
					Published: it.Published, Summary: it.Text, Hits: m.Hits,
					Quotes: []news.Quote{{Text: "We will keep the corridor open", Speaker: "the minister"}}})
			}
		}
	}
	return n
}

// newTestServer serves the seeded store's pages with token (none when
// empty) on an httptest server.
func newTestServer(t testing.TB, s *seeded, token string) (*Server, *httptest.Server) {
	t.Helper()
	srv, err := New(Options{Store: s.db, Search: s.search, Config: func() *Config { return s.cfg }, Listen: "127.0.0.1:0",
		Token: token, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return srv, ts
}

// get fetches path from ts with the headers given as name, value pairs.
func get(t testing.TB, ts *httptest.Server, path string, header ...string) (*http.Response, string) {
	t.Helper()
	return do(t, ts, http.MethodGet, path, nil, header...)
}
