package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"herald/news"
	"herald/search"
	"herald/store"
)

// The page benchmarks time each page's server side (the handler, from the
// request to the last byte written) on one generated store, built once per
// run in a temporary directory when the first of them needs it:
//
//	go test ./web -run '^$' -bench BenchmarkPage -benchtime 20x
//
// The store holds HERALD_WEB_BENCH_ITEMS items (default 1,000,000) over 60
// days from benchFeeds feeds and matched by benchTopics topics, each alert
// in the outbox, all but the newest delivered, and 50 polls of every feed.
// HERALD_WEB_BENCH_DIR keeps it in that directory and reuses it when it has
// the size asked for. The default `go test` runs no benchmark and builds
// nothing.
//
// Each page is timed on a typical case and on the worst one the store
// holds: the loudest topic (about a tenth of all items), the busiest feed
// (skewed: a few feeds publish most items), a playground query of the
// commonest word.

const (
	benchFeeds  = 10_000
	benchTopics = 1_000
	benchDays   = 60
	benchBatch  = 1_000
	benchVocab  = 3_000
)

var benchNow = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

type benchEnv struct {
	db    *store.DB
	srv   *Server
	items int
	built time.Duration
}

var (
	benchOnce sync.Once
	bench     *benchEnv
	benchErr  error
)

// benchWord is the filler vocabulary: word k of benchVocab, drawn with a
// Zipf skew so that w0 is in most items and the tail is rare.
func benchWord(k uint64) string { return "w" + strconv.FormatUint(k, 10) }

// topicWord is the word that makes topic k match; topics draw their share
// of items with a Zipf skew too.
func topicWord(k int) string { return fmt.Sprintf("tw%04d", k) }

func benchConfig() *Config {
	cfg := &Config{}
	dests := []news.Destination{
		{Platform: news.Console},
		{Platform: news.Telegram, Chat: "-1001234567890"},
		{Platform: news.Slack, Chat: "#news"},
	}
	for k := range benchTopics {
		q := topicWord(k)
		switch k % 4 {
		case 1:
			q += " -w2999"
		case 2:
			q = `"` + q + ` update" OR ` + q
		case 3:
			q = "(" + q + " OR tw9999) w0"
		}
		cfg.Topics = append(cfg.Topics, Topic{Name: fmt.Sprintf("topic-%04d", k), Query: q, Notify: []news.Destination{dests[k%len(dests)]}})
	}
	// Topic 0 is the loud one: a word in about a tenth of the items (the
	// Zipf draw of 48 words an item puts w55 in about 10%).
	cfg.Topics[0].Query = "w55"
	for k := range benchFeeds {
		cfg.Feeds = append(cfg.Feeds, Feed{Name: fmt.Sprintf("feed-%05d", k), URL: fmt.Sprintf("https://feed%d.example/rss", k)})
	}
	return cfg
}

func benchStore(b *testing.B) *benchEnv {
	b.Helper()
	benchOnce.Do(func() {
		n := 1_000_000
		if v := os.Getenv("HERALD_WEB_BENCH_ITEMS"); v != "" {
			if n, benchErr = strconv.Atoi(v); benchErr != nil {
				return
			}
		}
		dir := os.Getenv("HERALD_WEB_BENCH_DIR")
		if dir == "" {
			if dir, benchErr = os.MkdirTemp("", "herald-web-bench-"); benchErr != nil {
				return
			}
			b.Cleanup(func() { os.RemoveAll(dir) }) // the first benchmark's cleanup; see benchMain
			benchTemp = dir
		}
		bench, benchErr = buildBench(b, filepath.Join(dir, "herald.db"), n)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return bench
}

// benchTemp is the temporary directory of the run's store, removed at the
// end of the run by TestMain.
var benchTemp string

func TestMain(m *testing.M) {
	code := m.Run()
	if bench != nil {
		bench.db.Close()
	}
	if benchTemp != "" {
		os.RemoveAll(benchTemp)
	}
	os.Exit(code)
}

func buildBench(b *testing.B, path string, n int) (*benchEnv, error) {
	ctx := context.Background()
	cfg := benchConfig()
	sizeFile := path + ".items"
	if have, err := os.ReadFile(sizeFile); err == nil && string(have) == strconv.Itoa(n) {
		db, err := store.Open(ctx, path)
		if err != nil {
			return nil, err
		}
		b.Logf("reusing the store of %d items at %s", n, path)
		return benchServer(db, cfg, n, 0)
	}
	os.Remove(path)
	start := time.Now()
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	set := compileTopics(b, cfg)
	rng := rand.New(rand.NewPCG(1, 2))
	words := rand.NewZipf(rng, 1.1, 2, benchVocab-1)
	topics := rand.NewZipf(rng, 1.2, 4, benchTopics-2)
	feeds := rand.NewZipf(rng, 1.3, 8, benchFeeds-1)
	sentence := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = benchWord(words.Uint64())
		}
		return strings.Join(ws, " ")
	}
	first := benchNow.Add(-benchDays * 24 * time.Hour)
	step := benchDays * 24 * time.Hour / time.Duration(n/benchBatch+1)
	for done := 0; done < n; done += benchBatch {
		at := first.Add(time.Duration(done/benchBatch) * step)
		batch := make([]store.NewItem, 0, benchBatch)
		for i := done; i < min(done+benchBatch, n); i++ {
			title, text := sentence(8), sentence(40)
			// A fifth of the items are about one of the topics.
			if rng.IntN(5) == 0 {
				t := topicWord(1 + int(topics.Uint64()))
				title += " " + t
				if rng.IntN(3) == 0 {
					text += " " + t + " update"
				}
			}
			it := news.Item{Feed: fmt.Sprintf("feed-%05d", feeds.Uint64()), ID: strconv.Itoa(i), Title: title,
				Link: "https://news.example/" + strconv.Itoa(i), Published: at.Add(-time.Duration(rng.IntN(3600)) * time.Second), Text: text}
			batch = append(batch, newItem(set, cfg, it))
		}
		if _, err := db.AddItems(ctx, at, batch); err != nil {
			return nil, err
		}
		if done%100_000 == 0 {
			b.Logf("stored %d items in %s", done, time.Since(start).Round(time.Second))
		}
	}
	if err := benchDeliveries(ctx, db, rng); err != nil {
		return nil, err
	}
	if err := benchFeedStates(ctx, db, rng); err != nil {
		return nil, err
	}
	if err := os.WriteFile(sizeFile, []byte(strconv.Itoa(n)), 0o644); err != nil {
		return nil, err
	}
	b.Logf("built a store of %d items in %s", n, time.Since(start).Round(time.Second))
	return benchServer(db, cfg, n, time.Since(start))
}

// benchDeliveries marks all alerts but the newest 2,000 delivered; one in
// fifty of the telegram ones failed for good, and a few wait for a retry.
func benchDeliveries(ctx context.Context, db *store.DB, rng *rand.Rand) error {
	st, err := db.Stats(ctx)
	if err != nil {
		return err
	}
	total := int64(st.Pending)
	for id := int64(1); id <= total; id++ {
		var err error
		switch {
		case id > total-2000 && rng.IntN(10) == 0:
			err = db.MarkFailed(ctx, id, "Too Many Requests: retry after 5", benchNow.Add(time.Minute), false)
		case id > total-2000:
		case rng.IntN(50) == 0:
			err = db.MarkFailed(ctx, id, "Forbidden: bot was blocked by the user", benchNow, true)
		default:
			err = db.MarkSent(ctx, id, benchNow)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// benchFeedStates saves every feed's state, a few of them unhealthy, and
// 50 polls of each.
func benchFeedStates(ctx context.Context, db *store.DB, rng *rand.Rand) error {
	var polls []store.Poll
	for k := range benchFeeds {
		name := fmt.Sprintf("feed-%05d", k)
		st := news.FeedState{URL: fmt.Sprintf("https://feed%d.example/rss", k), Seeded: true, LastPoll: benchNow.Add(-time.Minute),
			LastOK: benchNow.Add(-time.Minute), NextPoll: benchNow.Add(10 * time.Minute), Interval: 15 * time.Minute}
		switch r := rng.IntN(1000); {
		case r < 5:
			st.LastError, st.Failures, st.FailingSince = "GET: 404 Not Found", 300, benchNow.Add(-3*24*time.Hour)
		case r < 25:
			st.LastError, st.Failures, st.FailingSince = "GET: connection refused", 3, benchNow.Add(-time.Hour)
		case r < 35:
			st.LastError, st.Failures = "GET: 429 Too Many Requests", 1
		case r < 37:
			st.Disabled = "the server answered 410 Gone"
		}
		if err := db.SaveFeedState(ctx, name, st); err != nil {
			return err
		}
		for i := range store.PollsKept {
			polls = append(polls, store.Poll{Feed: name, At: benchNow.Add(-time.Duration(store.PollsKept-i) * 15 * time.Minute),
				Outcome: "ok", Duration: time.Duration(50+rng.IntN(500)) * time.Millisecond, Items: 40, New: rng.IntN(5)})
		}
		if len(polls) >= 10_000 {
			if err := db.RecordPolls(ctx, polls); err != nil {
				return err
			}
			polls = polls[:0]
		}
	}
	return db.RecordPolls(ctx, polls)
}

func benchServer(db *store.DB, cfg *Config, n int, built time.Duration) (*benchEnv, error) {
	now := func() time.Time { return benchNow }
	srv, err := New(Options{Store: db, Search: search.New(db, search.Config{}, now), Config: func() *Config { return cfg },
		Listen: "127.0.0.1:0", Now: now})
	if err != nil {
		return nil, err
	}
	return &benchEnv{db: db, srv: srv, items: n, built: built}, nil
}

func BenchmarkPage(b *testing.B) {
	env := benchStore(b)
	h := env.srv.Handler()
	// The busiest feed and the loudest topic by the Zipf draws: rank 0.
	pages := []struct{ name, path string }{
		{"overview", "/"},
		{"topic/typical", "/topics/topic-0500"},
		{"topic/loudest", "/topics/topic-0000"},
		{"topic/second", "/topics/topic-0001"},
		{"feed/typical", "/feeds/feed-05000"},
		{"feed/busiest", "/feeds/feed-00000"},
		{"playground/typical", "/playground?q=" + url.QueryEscape("tw0500 OR tw0501")},
		{"playground/topic", "/playground?q=" + url.QueryEscape(`"tw0002 update"`)},
		{"playground/common", "/playground?q=w0"},
		{"playground/error", "/playground?q=" + url.QueryEscape("w0 AND (")},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, p.path, nil)
			// One request first: a server that has run a while has its
			// database pages in SQLite's caches; the first request of a
			// process reads them from the file.
			h.ServeHTTP(httptest.NewRecorder(), req)
			var size int
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: status %d: %.300s", p.path, w.Code, w.Body.String())
				}
				size = w.Body.Len()
			}
			b.ReportMetric(float64(size)/1024, "KB/page")
		})
	}
}

// BenchmarkOverviewOutage times the overview when every one of benchFeeds
// feeds is failing (the network is down): every feed is then read in full
// and the first overviewTroubled are listed. Items do not matter to it, so
// its store holds only the feeds' states, built in a few seconds.
func BenchmarkOverviewOutage(b *testing.B) {
	ctx := b.Context()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "herald.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cfg := benchConfig()
	for _, f := range cfg.Feeds {
		st := news.FeedState{URL: f.URL, Seeded: true, LastPoll: benchNow.Add(-time.Minute), LastOK: benchNow.Add(-2 * time.Hour),
			LastError: "GET " + f.URL + ": dial tcp: connect: network is unreachable", Failures: 8,
			FailingSince: benchNow.Add(-2 * time.Hour), NextPoll: benchNow.Add(5 * time.Minute)}
		if err := db.SaveFeedState(ctx, f.Name, st); err != nil {
			b.Fatal(err)
		}
	}
	env, err := benchServer(db, cfg, 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	h := env.srv.Handler()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	h.ServeHTTP(httptest.NewRecorder(), req) // warm the caches, as in BenchmarkPage
	var size int
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
		size = w.Body.Len()
	}
	b.ReportMetric(float64(size)/1024, "KB/page")
}
