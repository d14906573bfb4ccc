package watchers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"herald/news"
	"herald/watchers"
)

// memStore is a StateStore in memory.
type memStore struct {
	mu    sync.Mutex
	state map[string]news.FeedState
	saves int
	fail  error // returned by FeedState when set
}

func newMemStore() *memStore { return &memStore{state: map[string]news.FeedState{}} }

func (s *memStore) FeedState(ctx context.Context, feed string) (news.FeedState, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return news.FeedState{}, false, s.fail
	}
	st, ok := s.state[feed]
	return st, ok, nil
}

func (s *memStore) SaveFeedState(ctx context.Context, feed string, st news.FeedState) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state[feed] = st
	s.saves++
	return nil
}

func (s *memStore) get(feed string) news.FeedState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state[feed]
}

// recorder is a Handler that keeps the batches it is given and fails while
// its err is set.
type recorder struct {
	mu      sync.Mutex
	batches []watchers.Batch
	err     error
}

func (r *recorder) handle(ctx context.Context, b watchers.Batch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, b)
	return r.err
}

func (r *recorder) setErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

func (r *recorder) byFeed(name string) []watchers.Batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []watchers.Batch
	for _, b := range r.batches {
		if b.Feed.Name == name {
			out = append(out, b)
		}
	}
	return out
}

// syncBuffer is a log sink safe to read while the watcher writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the JSON log records written so far.
func (b *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func testOptions(logs *syncBuffer) watchers.Options {
	opts := watchers.Options{Clock: fixedClock, Rand: rand.New(rand.NewPCG(1, 2))}
	if logs != nil {
		opts.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return opts
}

// checkNext fails unless next is interval after t0, give or take the 10% jitter.
func checkNext(t *testing.T, next time.Time, interval time.Duration) {
	t.Helper()
	if next.Before(t0.Add(interval)) || next.After(t0.Add(interval+interval/10)) {
		t.Errorf("NextPoll %v, want within 10%% after %v", next, t0.Add(interval))
	}
}

func TestPollConditional(t *testing.T) {
	o := newOrigin(readFixture(t, "rss.xml"))
	o.etag = `"v1"`
	o.lastModified = "Fri, 08 Mar 2024 11:00:00 GMT"
	srv := serve(t, o)
	store, rec := newMemStore(), &recorder{}
	w := watchers.New(store, rec.handle, testOptions(nil))
	feed := news.Feed{Name: "gazette", URL: srv.URL, Interval: 10 * time.Minute}

	rep, err := w.PollAll(t.Context(), []news.Feed{feed})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Polled != 1 || rep.Updated != 1 || rep.Items != 3 || rep.Failed != 0 {
		t.Errorf("first report %+v", rep)
	}
	batches := rec.byFeed("gazette")
	if len(batches) != 1 || !batches[0].First || len(batches[0].Items) != 3 || batches[0].Feed.URL != srv.URL {
		t.Fatalf("first poll handed on %+v; want one First batch of 3 items", batches)
	}
	st := store.get("gazette")
	want := news.FeedState{URL: srv.URL, ConfigURL: srv.URL, ETag: `"v1"`, LastModified: o.lastModified, Seeded: true,
		LastPoll: t0, LastOK: t0, NextPoll: st.NextPoll, Interval: feed.Interval}
	if st != want {
		t.Errorf("state after the first poll:\n got %+v\nwant %+v", st, want)
	}
	checkNext(t, st.NextPoll, feed.Interval)

	// Second poll: conditional, 304, nothing handed on, validators kept.
	rep, err = w.PollAll(t.Context(), []news.Feed{feed})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Polled != 1 || rep.NotModified != 1 || rep.Updated != 0 {
		t.Errorf("second report %+v", rep)
	}
	if h := o.request(1); h.Get("If-None-Match") != `"v1"` || h.Get("If-Modified-Since") != o.lastModified {
		t.Errorf("second request was not conditional: %v", h)
	}
	if n := len(rec.byFeed("gazette")); n != 1 {
		t.Errorf("handler called %d times, want once", n)
	}
	if got := store.get("gazette"); got.ETag != `"v1"` || got.LastModified != o.lastModified || !got.Seeded {
		t.Errorf("state after the 304 lost the validators: %+v", got)
	}

	// The feed changes: a 200 again, and no longer the first poll.
	o.set(func(o *origin) { o.body, o.etag = readFixture(t, "rss.xml"), `"v2"` })
	if _, err := w.PollAll(t.Context(), []news.Feed{feed}); err != nil {
		t.Fatal(err)
	}
	batches = rec.byFeed("gazette")
	if len(batches) != 2 || batches[1].First {
		t.Errorf("third poll handed on %d batches, First %v; want a second batch, not First", len(batches), batches[len(batches)-1].First)
	}
	if got := store.get("gazette").ETag; got != `"v2"` {
		t.Errorf("ETag %q after the change, want \"v2\"", got)
	}
}

func TestPollOneFailureDoesNotStopOthers(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/a", newOrigin(readFixture(t, "rss.xml")))
	mux.Handle("/b", newOrigin(readFixture(t, "atom.xml")))
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "oops", http.StatusInternalServerError)
	})
	srv := serve(t, mux)
	store, rec, logs := newMemStore(), &recorder{}, &syncBuffer{}
	opts := testOptions(logs)
	opts.Concurrency = 2
	w := watchers.New(store, rec.handle, opts)
	feeds := []news.Feed{
		{Name: "a", URL: srv.URL + "/a", Interval: time.Hour},
		{Name: "broken", URL: srv.URL + "/broken", Interval: time.Hour},
		{Name: "b", URL: srv.URL + "/b", Interval: time.Hour},
	}

	for poll, wantBackoff := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		rep, err := w.PollAll(t.Context(), feeds)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Polled != 3 || rep.Failed != 1 || len(rep.Errors) != 1 {
			t.Fatalf("poll %d: report %+v", poll, rep)
		}
		if se, ok := errors.AsType[*watchers.StatusError](rep.Errors["broken"]); !ok || se.Code != 500 {
			t.Errorf("poll %d: error for broken feed %v, want a 500 StatusError", poll, rep.Errors["broken"])
		}
		st := store.get("broken")
		if st.Failures != poll+1 || st.NextPoll != t0.Add(wantBackoff) || st.LastPoll != t0 || !strings.Contains(st.LastError, "HTTP 500") || st.Seeded {
			t.Errorf("poll %d: broken feed's state %+v; want %d failures, next poll in %v", poll, st, poll+1, wantBackoff)
		}
	}
	if len(rec.byFeed("a")) != 3 || len(rec.byFeed("b")) != 3 || len(rec.byFeed("broken")) != 0 {
		t.Errorf("batches: a %d, b %d, broken %d; want 3, 3, 0", len(rec.byFeed("a")), len(rec.byFeed("b")), len(rec.byFeed("broken")))
	}

	var failures int
	for _, r := range logs.records(t) {
		if r["msg"] == "poll failed" {
			failures++
			if r["feed"] != "broken" || !strings.Contains(r["err"].(string), "HTTP 500") {
				t.Errorf("log record %v, want feed=broken and the error", r)
			}
		}
	}
	if failures != 3 {
		t.Errorf("%d failure log lines, want 3", failures)
	}

	// The feed recovers: failures reset, the error cleared.
	mux2 := http.NewServeMux()
	mux2.Handle("/broken", newOrigin(readFixture(t, "rss.xml")))
	srv2 := serve(t, mux2)
	if _, err := w.PollAll(t.Context(), []news.Feed{{Name: "broken", URL: srv2.URL + "/broken", Interval: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	if st := store.get("broken"); st.Failures != 0 || st.LastError != "" || !st.Seeded || st.LastOK != t0 {
		t.Errorf("state after recovery %+v", st)
	}
}

func TestPollRetryAfter(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7200")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}))
	store := newMemStore()
	w := watchers.New(store, (&recorder{}).handle, testOptions(nil))
	if _, err := w.PollAll(t.Context(), []news.Feed{{Name: "busy", URL: srv.URL, Interval: time.Minute}}); err != nil {
		t.Fatal(err)
	}
	if st := store.get("busy"); st.NextPoll != t0.Add(2*time.Hour) || st.Failures != 1 {
		t.Errorf("state %+v; want the next poll after the server's 2h Retry-After", st)
	}
}

func TestPollHandlerError(t *testing.T) {
	o := newOrigin(readFixture(t, "rss.xml"))
	o.etag = `"v1"`
	o.lastModified = "Fri, 08 Mar 2024 11:00:00 GMT"
	srv := serve(t, o)
	store, rec := newMemStore(), &recorder{err: errors.New("database is locked")}
	w := watchers.New(store, rec.handle, testOptions(nil))
	feed := news.Feed{Name: "gazette", URL: srv.URL, Interval: time.Hour}

	rep, err := w.PollAll(t.Context(), []news.Feed{feed})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 1 || rep.Updated != 0 {
		t.Errorf("report %+v, want one failure", rep)
	}
	if got := rep.Errors["gazette"].Error(); got != `watchers: feed "gazette": handle items: database is locked` {
		t.Errorf("error %q", got)
	}
	st := store.get("gazette")
	if st.ETag != "" || st.LastModified != "" || st.Seeded || st.Failures != 1 || st.NextPoll != t0.Add(time.Minute) {
		t.Errorf("state after the handler failed %+v; want no validators, not seeded, one failure", st)
	}

	// The next poll asks for everything again and the items arrive, still as the first batch.
	rec.setErr(nil)
	rep, err = w.PollAll(t.Context(), []news.Feed{feed})
	if err != nil {
		t.Fatal(err)
	}
	if h := o.request(1); h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != "" {
		t.Errorf("poll after a handler error was conditional: %v", h)
	}
	batches := rec.byFeed("gazette")
	if rep.Updated != 1 || len(batches) != 2 || len(batches[1].Items) != 3 || !batches[1].First {
		t.Errorf("report %+v, batches %d; want the 3 items again as the first batch", rep, len(batches))
	}
	if st := store.get("gazette"); st.ETag != `"v1"` || !st.Seeded || st.Failures != 0 {
		t.Errorf("state after recovery %+v", st)
	}
}

func TestPollHandlerErrorKeepsNothingFromEarlierPolls(t *testing.T) {
	// A seeded feed whose handler fails on fresh content must not be left
	// with validators that could answer the next poll with a 304.
	o := newOrigin(readFixture(t, "rss.xml"))
	o.lastModified = "Fri, 08 Mar 2024 11:00:00 GMT"
	srv := serve(t, o)
	store, rec := newMemStore(), &recorder{}
	w := watchers.New(store, rec.handle, testOptions(nil))
	feed := news.Feed{Name: "g", URL: srv.URL}
	if _, err := w.PollAll(t.Context(), []news.Feed{feed}); err != nil {
		t.Fatal(err)
	}
	o.set(func(o *origin) { o.lastModified = "Fri, 08 Mar 2024 11:30:00 GMT" })
	rec.setErr(errors.New("full disk"))
	if _, err := w.PollAll(t.Context(), []news.Feed{feed}); err != nil {
		t.Fatal(err)
	}
	if st := store.get("g"); st.LastModified != "" || !st.Seeded {
		t.Errorf("state %+v; want the validators dropped and the feed still seeded", st)
	}
}

func TestPollPermanentRedirect(t *testing.T) {
	o := newOrigin(readFixture(t, "rss.xml"))
	o.etag = `"r1"`
	srv := redirector(t, o)
	store, rec, logs := newMemStore(), &recorder{}, &syncBuffer{}
	w := watchers.New(store, rec.handle, testOptions(logs))
	feed := news.Feed{Name: "moved", URL: srv.URL + "/moved", Interval: time.Hour}

	for range 2 {
		if rep, err := w.PollAll(t.Context(), []news.Feed{feed}); err != nil || rep.Failed != 0 {
			t.Fatalf("report %+v, error %v", rep, err)
		}
	}
	st := store.get("moved")
	if st.URL != srv.URL+"/feed" || st.ETag != `"r1"` {
		t.Errorf("state %+v; want URL %s/feed", st, srv.URL)
	}
	if h := o.request(1); h.Get("If-None-Match") != `"r1"` {
		t.Errorf("second request through the redirect was not conditional: %v", h)
	}
	if n := len(rec.byFeed("moved")); n != 1 {
		t.Errorf("handler called %d times, want once (the second poll is a 304)", n)
	}
	var moved int
	for _, r := range logs.records(t) {
		if strings.Contains(r["msg"].(string), "moved permanently") {
			moved++
			if r["moved_to"] != srv.URL+"/feed" {
				t.Errorf("log record %v", r)
			}
		}
	}
	if moved != 1 {
		t.Errorf("%d log lines about the move, want 1", moved)
	}
}

func TestPollFileFeed(t *testing.T) {
	path := absFixture(t, "feed.json")
	store, rec := newMemStore(), &recorder{}
	w := watchers.New(store, rec.handle, testOptions(nil))
	feed := news.Feed{Name: "local", URL: path, Interval: time.Minute}
	for i := range 2 {
		rep, err := w.PollAll(t.Context(), []news.Feed{feed})
		if err != nil || rep.Updated != 1 || rep.Items != 2 {
			t.Fatalf("poll %d: report %+v, error %v", i, rep, err)
		}
	}
	batches := rec.byFeed("local")
	if len(batches) != 2 || !batches[0].First || batches[1].First {
		t.Errorf("batches %+v; want two, the first one First", batches)
	}
	if st := store.get("local"); st.URL != path || st.ETag != "" || !st.Seeded {
		t.Errorf("state %+v", st)
	}
}

func TestPollDamagedFileKeepsItems(t *testing.T) {
	// A file another program is still writing: cut inside its second item.
	rss := readFixture(t, "rss.xml")
	path := filepath.Join(t.TempDir(), "cut.xml")
	if err := os.WriteFile(path, rss[:bytes.Index(rss, []byte("<link>/2024/pier"))], 0o644); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	store, rec := newMemStore(), &recorder{}
	w := watchers.New(store, rec.handle, testOptions(logs))
	rep, err := w.PollAll(t.Context(), []news.Feed{{Name: "cut", URL: path}})
	if err != nil || rep.Updated != 1 || rep.Items != 1 {
		t.Fatalf("report %+v, error %v; want the one complete item handed on", rep, err)
	}
	var warned bool
	for _, l := range logs.records(t) {
		if msg, _ := l["msg"].(string); strings.HasPrefix(msg, "feed document is damaged") && l["feed"] == "cut" && l["err"] != nil {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning names the damage: %v", logs.records(t))
	}
}

func TestPollStoreError(t *testing.T) {
	store := newMemStore()
	store.fail = errors.New("disk I/O error")
	w := watchers.New(store, (&recorder{}).handle, testOptions(nil))
	rep, err := w.PollAll(t.Context(), []news.Feed{{Name: "x", URL: absFixture(t, "rss.xml")}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 1 || rep.Errors["x"].Error() != `watchers: feed "x": load state: disk I/O error` {
		t.Errorf("report %+v", rep)
	}
}

func TestPollAllCancelled(t *testing.T) {
	store := newMemStore()
	rec := &recorder{}
	w := watchers.New(store, rec.handle, testOptions(nil))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rep, err := w.PollAll(ctx, []news.Feed{{Name: "x", URL: absFixture(t, "rss.xml")}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if rep.Failed != 0 || store.saves != 0 {
		t.Errorf("report %+v, %d saves; a cancelled poll is no failure", rep, store.saves)
	}
}

func TestPollAllConcurrencyLimit(t *testing.T) {
	const limit = 2
	var (
		mu            sync.Mutex
		active, peak  int
		release       = make(chan struct{})
		started       = make(chan struct{}, 10)
		body          = readFixture(t, "rss.xml")
		feeds         []news.Feed
		pollCompleted = make(chan struct{})
	)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		active++
		peak = max(peak, active)
		mu.Unlock()
		started <- struct{}{}
		<-release
		mu.Lock()
		active--
		mu.Unlock()
		w.Write(body)
	}))
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		feeds = append(feeds, news.Feed{Name: name, URL: srv.URL + "/" + name})
	}
	opts := testOptions(nil)
	opts.Concurrency = limit
	w := watchers.New(newMemStore(), (&recorder{}).handle, opts)
	go func() {
		defer close(pollCompleted)
		rep, err := w.PollAll(t.Context(), feeds)
		if err != nil || rep.Updated != len(feeds) {
			t.Errorf("report %+v, error %v", rep, err)
		}
	}()
	for range limit {
		<-started
	}
	close(release)
	<-pollCompleted
	if peak > limit {
		t.Errorf("%d requests at once, want at most %d", peak, limit)
	}
}

func absFixture(t *testing.T, name string) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRun(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/fast", newOrigin(readFixture(t, "rss.xml")))
	mux.Handle("/other", newOrigin(readFixture(t, "atom.xml")))
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	})
	srv := serve(t, mux)
	store, rec := newMemStore(), &recorder{}
	// Run schedules by the clock, so this test uses the real one.
	w := watchers.New(store, rec.handle, watchers.Options{Rand: rand.New(rand.NewPCG(3, 4))})

	// A feed polled recently is not due before its NextPoll.
	later := time.Now().Add(time.Hour)
	if err := store.SaveFeedState(t.Context(), "quiet", news.FeedState{URL: srv.URL + "/other", Seeded: true, NextPoll: later}); err != nil {
		t.Fatal(err)
	}

	var (
		mu    sync.Mutex
		feeds = []news.Feed{
			{Name: "fast", URL: srv.URL + "/fast", Interval: 20 * time.Millisecond},
			{Name: "broken", URL: srv.URL + "/broken", Interval: 20 * time.Millisecond},
			{Name: "quiet", URL: srv.URL + "/other", Interval: time.Hour},
		}
	)
	list := func() []news.Feed {
		mu.Lock()
		defer mu.Unlock()
		return append([]news.Feed(nil), feeds...)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx, list) }()

	waitFor(t, func() bool { return len(rec.byFeed("fast")) >= 3 })
	// A reload adds a feed; it is polled without waiting for a restart.
	mu.Lock()
	feeds = append(feeds, news.Feed{Name: "added", URL: absFixture(t, "atom.xml"), Interval: time.Hour})
	mu.Unlock()
	w.Rescan()
	waitFor(t, func() bool { return len(rec.byFeed("added")) == 1 })
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("Run returned %v, want nil", err)
	}

	batches := rec.byFeed("fast")
	if !batches[0].First || batches[1].First {
		t.Errorf("First flags %v, %v; want true then false", batches[0].First, batches[1].First)
	}
	if n := len(rec.byFeed("quiet")); n != 0 {
		t.Errorf("quiet feed polled %d times before its NextPoll", n)
	}
	if st := store.get("broken"); st.Failures != 1 || st.NextPoll.Before(st.LastPoll.Add(time.Minute)) {
		t.Errorf("broken feed's state %+v; want one failure, backed off a minute", st)
	}
}

func TestRunIntervalChangeTakesEffect(t *testing.T) {
	srv := serve(t, newOrigin(readFixture(t, "rss.xml")))
	store, rec := newMemStore(), &recorder{}
	w := watchers.New(store, rec.handle, watchers.Options{Rand: rand.New(rand.NewPCG(5, 6))})

	// At a restart: the state says 6 h (the old interval); the config now
	// says 50 ms. The feed is due no later than 50 ms (and jitter) from now.
	if err := store.SaveFeedState(t.Context(), "restarted", news.FeedState{URL: srv.URL, ConfigURL: srv.URL, Seeded: true, Interval: 6 * time.Hour, NextPoll: time.Now().Add(6 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		feeds = []news.Feed{
			{Name: "restarted", URL: srv.URL, Interval: 50 * time.Millisecond},
			{Name: "reloaded", URL: srv.URL + "?r", Interval: 6 * time.Hour},
		}
	)
	stop := startRun(t, w, func() []news.Feed {
		mu.Lock()
		defer mu.Unlock()
		return append([]news.Feed(nil), feeds...)
	})
	waitFor(t, func() bool { return len(rec.byFeed("restarted")) >= 2 && len(rec.byFeed("reloaded")) == 1 })

	// At a reload: 6 h becomes 50 ms; the next poll moves up to it.
	mu.Lock()
	feeds[1].Interval = 50 * time.Millisecond
	mu.Unlock()
	w.Rescan()
	waitFor(t, func() bool { return len(rec.byFeed("reloaded")) >= 2 })
	stop()
}

// startRun runs w on feeds until the returned stop is called, which checks
// that Run returned nil.
func startRun(t *testing.T, w *watchers.Watcher, feeds func() []news.Feed) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx, feeds) }()
	return func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
	}
}

// waitFor polls cond until it holds, failing the test after a generous while.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
