package watchers_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"herald/news"
	"herald/watchers"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// notices is a Noticer that keeps what it is told and fails while err is set.
type notices struct {
	mu  sync.Mutex
	got []watchers.Notice
	err error
}

func (n *notices) FeedNotice(ctx context.Context, x watchers.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.err != nil {
		return n.err
	}
	n.got = append(n.got, x)
	return nil
}

func (n *notices) kinds() []watchers.NoticeKind {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []watchers.NoticeKind
	for _, x := range n.got {
		out = append(out, x.Kind)
	}
	return out
}

// datedFeed is an RSS feed of n items published every gap before end,
// newest first, with optional channel extras (such as a <ttl>).
func datedFeed(n int, gap time.Duration, end time.Time, extra string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Dated</title>` + extra)
	for i := range n {
		fmt.Fprintf(&b, "<item><title>Item %d</title><guid>item-%d</guid><pubDate>%s</pubDate></item>",
			i, i, end.Add(-time.Duration(i+1)*gap).Format(time.RFC1123Z))
	}
	b.WriteString("</channel></rss>")
	return []byte(b.String())
}

func TestPollAdaptiveInterval(t *testing.T) {
	o := newOrigin(datedFeed(20, 30*time.Minute, t0, ""))
	o.etag = `"a"`
	var cacheControl atomic.Value
	cacheControl.Store("")
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cc := cacheControl.Load().(string); cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		o.ServeHTTP(w, r)
	}))
	store := newMemStore()
	w := watchers.New(store, (&recorder{}).handle, testOptions(nil))
	feed := news.Feed{Name: "adaptive", URL: srv.URL}
	poll := func() news.FeedState {
		t.Helper()
		if rep, err := w.PollAll(t.Context(), []news.Feed{feed}); err != nil || rep.Failed > 0 {
			t.Fatalf("report %+v, error %v", rep, err)
		}
		return store.get("adaptive")
	}

	// Ten items 30 min apart: the mean gap to now is 30 min, polled at half.
	st := poll()
	if st.Interval != 15*time.Minute {
		t.Errorf("interval after a feed publishing every 30m: %v, want 15m", st.Interval)
	}
	checkNext(t, st.NextPoll, 15*time.Minute)

	// A 304: nothing new, a quarter longer.
	if st = poll(); st.Interval != 15*time.Minute+15*time.Minute/4 {
		t.Errorf("interval after a 304: %v, want 18m45s", st.Interval)
	}

	// The server says the answer stays fresh for an hour: no sooner.
	cacheControl.Store("public, max-age=3600")
	o.set(func(o *origin) { o.etag = `"b"` })
	if st = poll(); st.Interval != time.Hour {
		t.Errorf("interval with max-age=3600: %v, want 1h", st.Interval)
	}
	cacheControl.Store("")

	// An RSS <ttl> of two hours.
	o.set(func(o *origin) { o.etag, o.body = `"c"`, datedFeed(20, 30*time.Minute, t0, "<ttl>120</ttl>") })
	if st = poll(); st.Interval != 2*time.Hour {
		t.Errorf("interval with <ttl>120</ttl>: %v, want 2h", st.Interval)
	}

	// A wire publishing every minute is polled at the minimum, a quiet blog at the maximum.
	o.set(func(o *origin) { o.etag, o.body = `"d"`, datedFeed(20, time.Minute, t0, "") })
	if st = poll(); st.Interval != watchers.DefaultMinInterval {
		t.Errorf("interval of a busy feed: %v, want the minimum %v", st.Interval, watchers.DefaultMinInterval)
	}
	o.set(func(o *origin) { o.etag, o.body = `"e"`, datedFeed(20, 7*24*time.Hour, t0, "") })
	if st = poll(); st.Interval != watchers.DefaultMaxInterval {
		t.Errorf("interval of a weekly feed: %v, want the maximum %v", st.Interval, watchers.DefaultMaxInterval)
	}

	// An explicit interval is honoured as given, whatever the hints say.
	cacheControl.Store("max-age=86400")
	feed.Interval = 10 * time.Minute
	o.set(func(o *origin) { o.etag = `"f"` })
	if st = poll(); st.Interval != 10*time.Minute {
		t.Errorf("explicit interval: %v, want 10m", st.Interval)
	}
	checkNext(t, st.NextPoll, 10*time.Minute)
}

func TestPollAdaptiveBounds(t *testing.T) {
	srv := serve(t, newOrigin(datedFeed(5, time.Minute, t0, "")))
	store := newMemStore()
	opts := testOptions(nil)
	opts.MinInterval, opts.MaxInterval = 5*time.Minute, 30*time.Minute
	w := watchers.New(store, (&recorder{}).handle, opts)
	if _, err := w.PollAll(t.Context(), []news.Feed{{Name: "busy", URL: srv.URL}}); err != nil {
		t.Fatal(err)
	}
	if st := store.get("busy"); st.Interval != 5*time.Minute {
		t.Errorf("interval %v, want the configured minimum 5m", st.Interval)
	}
}

func TestPollMovedFeedIsPolledAtItsNewURL(t *testing.T) {
	o := newOrigin(readFixture(t, "rss.xml"))
	o.etag = `"m"`
	var movedHits atomic.Int32
	mux := http.NewServeMux()
	mux.Handle("/feed", o)
	mux.Handle("/other", newOrigin(readFixture(t, "atom.xml")))
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		movedHits.Add(1)
		http.Redirect(w, r, "/feed", http.StatusMovedPermanently)
	})
	srv := serve(t, mux)
	store, rec, nt := newMemStore(), &recorder{}, &notices{}
	opts := testOptions(nil)
	opts.Notices = nt
	w := watchers.New(store, rec.handle, opts)
	feed := news.Feed{Name: "m", URL: srv.URL + "/moved", Interval: time.Hour}
	for range 3 {
		if rep, err := w.PollAll(t.Context(), []news.Feed{feed}); err != nil || rep.Failed > 0 {
			t.Fatalf("report %+v, error %v", rep, err)
		}
	}
	if n := movedHits.Load(); n != 1 {
		t.Errorf("the old URL was requested %d times, want once: after the 301 herald polls the new one", n)
	}
	if st := store.get("m"); st.URL != srv.URL+"/feed" || st.ConfigURL != feed.URL {
		t.Errorf("state %+v; want URL /feed reached from the config's /moved", st)
	}
	if h := o.request(2); h.Get("If-None-Match") != `"m"` {
		t.Errorf("polls at the new URL are not conditional: %v", h)
	}
	if k := nt.kinds(); len(k) != 1 || k[0] != watchers.NoticeMoved {
		t.Errorf("notices %v, want one moved", k)
	}

	// The config adopts the new URL (herald writes it after the notice):
	// the same feed goes on, validators and all.
	moved := feed
	moved.URL = srv.URL + "/feed"
	if _, err := w.PollAll(t.Context(), []news.Feed{moved}); err != nil {
		t.Fatal(err)
	}
	if h := o.request(3); h.Get("If-None-Match") != `"m"` {
		t.Errorf("the poll after the config adopted the new URL is not conditional: %v", h)
	}
	if st := store.get("m"); st.URL != moved.URL || st.ConfigURL != moved.URL || !st.Seeded {
		t.Errorf("state %+v; want both URLs the new one, and still seeded (no first-poll backfill)", st)
	}

	// The config now names another URL: herald starts again there, without
	// validators, and the backfill window applies again.
	feed.URL = srv.URL + "/other"
	if _, err := w.PollAll(t.Context(), []news.Feed{feed}); err != nil {
		t.Fatal(err)
	}
	batches := rec.byFeed("m")
	if last := batches[len(batches)-1]; !last.First || len(last.Items) != 2 {
		t.Errorf("poll after the config URL changed: First %v, %d items; want the atom fixture as a first poll", last.First, len(last.Items))
	}
	if st := store.get("m"); st.URL != feed.URL || st.ConfigURL != feed.URL {
		t.Errorf("state %+v; want the new config URL", st)
	}
}

func TestPollGoneDisablesTheFeed(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/new" {
			w.Write(readFixture(t, "rss.xml"))
			return
		}
		http.Error(w, "gone", http.StatusGone)
	}))
	store, nt, logs := newMemStore(), &notices{}, &syncBuffer{}
	opts := testOptions(logs)
	opts.Notices = nt
	w := watchers.New(store, (&recorder{}).handle, opts)
	feed := news.Feed{Name: "old", URL: srv.URL + "/old"}
	rep, err := w.PollAll(t.Context(), []news.Feed{feed})
	if err != nil || rep.Failed != 1 || watchers.ErrorKind(rep.Errors["old"]) != watchers.KindGone {
		t.Fatalf("report %+v, error %v", rep, err)
	}
	st := store.get("old")
	if st.Disabled == "" || !st.NextPoll.IsZero() || st.HealthAt(t0) != news.HealthDisabled {
		t.Errorf("state after a 410: %+v; want disabled, no next poll", st)
	}
	if k := nt.kinds(); len(k) != 1 || k[0] != watchers.NoticeGone {
		t.Errorf("notices %v, want one gone", k)
	}
	rep, _ = w.PollAll(t.Context(), []news.Feed{feed})
	if rep.Disabled != 1 || rep.Polled != 0 || hits.Load() != 1 {
		t.Errorf("second round: report %+v, %d requests; want the feed skipped", rep, hits.Load())
	}

	// A new URL in the config polls it again.
	feed.URL = srv.URL + "/new"
	rep, _ = w.PollAll(t.Context(), []news.Feed{feed})
	if rep.Updated != 1 || store.get("old").Disabled != "" {
		t.Errorf("after a new URL: report %+v, state %+v", rep, store.get("old"))
	}
	if k := nt.kinds(); len(k) != 1 {
		t.Errorf("notices %v, want still the one", k)
	}
}

func TestPollDeadAfterADayIsNoticedOnce(t *testing.T) {
	var broken atomic.Bool
	broken.Store(true)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.Write(readFixture(t, "rss.xml"))
	}))
	clk, store, nt, logs := newClock(), newMemStore(), &notices{}, &syncBuffer{}
	opts := testOptions(logs)
	opts.Clock, opts.Notices = clk.Now, nt
	w := watchers.New(store, (&recorder{}).handle, opts)
	feed := news.Feed{Name: "flaky", URL: srv.URL}
	pollAt := func(d time.Duration) news.FeedState {
		t.Helper()
		clk.set(t0.Add(d))
		if _, err := w.PollAll(t.Context(), []news.Feed{feed}); err != nil {
			t.Fatal(err)
		}
		return store.get("flaky")
	}
	if st := pollAt(0); !st.FailingSince.Equal(t0) || st.HealthAt(t0) != news.HealthFailing {
		t.Errorf("state %+v; want failing since t0", st)
	}
	pollAt(23 * time.Hour)
	if len(nt.kinds()) != 0 {
		t.Errorf("notices before a day: %v", nt.kinds())
	}
	// The admin chat is unreachable at first: the notice is tried again.
	nt.err = errors.New("database is locked")
	if st := pollAt(24 * time.Hour); !st.Notified.IsZero() || st.HealthAt(clk.Now()) != news.HealthDead {
		t.Errorf("state %+v; want dead, not notified", st)
	}
	nt.err = nil
	pollAt(25 * time.Hour)
	pollAt(26 * time.Hour)
	if k := nt.kinds(); len(k) != 1 || k[0] != watchers.NoticeDead || !nt.got[0].Since.Equal(t0) {
		t.Errorf("notices %+v, want one dead since t0", nt.got)
	}
	var lines int
	for _, r := range logs.records(t) {
		if strings.Contains(r["msg"].(string), "failing for a day") {
			lines++
		}
	}
	if lines != 2 {
		t.Errorf("%d log lines about the day of failures, want 2 (the refused notice, then the one queued)", lines)
	}

	broken.Store(false)
	st := pollAt(27 * time.Hour)
	if k := nt.kinds(); len(k) != 2 || k[1] != watchers.NoticeRecovered {
		t.Errorf("notices %v, want dead then recovered", k)
	}
	if !st.FailingSince.IsZero() || !st.Notified.IsZero() || st.Failures != 0 || st.HealthAt(clk.Now()) != news.HealthOK {
		t.Errorf("state after recovery %+v", st)
	}
}

func TestPollThrottledIsNotDead(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	clk, store, nt := newClock(), newMemStore(), &notices{}
	opts := testOptions(nil)
	opts.Clock, opts.Notices = clk.Now, nt
	w := watchers.New(store, (&recorder{}).handle, opts)
	for h := range 30 {
		clk.set(t0.Add(time.Duration(h) * time.Hour))
		if _, err := w.PollAll(t.Context(), []news.Feed{{Name: "busy", URL: srv.URL}}); err != nil {
			t.Fatal(err)
		}
	}
	st := store.get("busy")
	if !st.FailingSince.IsZero() || st.HealthAt(clk.Now()) != news.HealthThrottled || len(nt.kinds()) != 0 {
		t.Errorf("state %+v, notices %v; want throttled, never dead", st, nt.kinds())
	}
	if st.NextPoll.Sub(clk.Now()) < time.Hour {
		t.Errorf("next poll %v; want at least the hour Retry-After asks", st.NextPoll)
	}
}

// gate is a feed server that holds every request until released, counting
// how many it holds at once.
type gate struct {
	body    []byte
	release chan struct{}
	mu      sync.Mutex
	active  int
	peak    int
	total   int
}

func newGate(body []byte) *gate { return &gate{body: body, release: make(chan struct{})} }

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.active++
	g.total++
	g.peak = max(g.peak, g.active)
	g.mu.Unlock()
	select {
	case <-g.release:
	case <-r.Context().Done():
	}
	g.mu.Lock()
	g.active--
	g.mu.Unlock()
	w.Write(g.body)
}

func (g *gate) stats() (active, peak, total int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.active, g.peak, g.total
}

// otherHost returns srv's URL with localhost for 127.0.0.1: the same server
// under another host name, for the per-host limit.
func otherHost(srv *httptest.Server) string {
	return strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
}

func TestPollAllPerHostLimit(t *testing.T) {
	slow := newGate(readFixture(t, "rss.xml"))
	slowSrv := serve(t, slow)
	fastSrv := serve(t, newOrigin(readFixture(t, "atom.xml")))
	rec := &recorder{}
	opts := testOptions(nil)
	opts.Concurrency, opts.PerHost = 4, 2
	w := watchers.New(newMemStore(), rec.handle, opts)
	var feeds []news.Feed
	for i := range 4 {
		feeds = append(feeds, news.Feed{Name: fmt.Sprintf("slow%d", i), URL: slowSrv.URL + fmt.Sprintf("/%d", i)})
	}
	for i := range 6 {
		feeds = append(feeds, news.Feed{Name: fmt.Sprintf("fast%d", i), URL: otherHost(fastSrv) + fmt.Sprintf("/%d", i)})
	}
	done := make(chan watchers.Report)
	go func() {
		rep, err := w.PollAll(t.Context(), feeds)
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()
	// Every feed of the fast host is polled while the slow host holds two.
	waitFor(t, func() bool {
		n := 0
		for i := range 6 {
			n += len(rec.byFeed(fmt.Sprintf("fast%d", i)))
		}
		return n == 6
	})
	if active, peak, _ := slow.stats(); active != 2 || peak != 2 {
		t.Errorf("slow host: %d requests active, peak %d; want 2 and 2", active, peak)
	}
	close(slow.release)
	rep := <-done
	if rep.Updated != 10 {
		t.Errorf("report %+v, want 10 updated", rep)
	}
	if _, peak, total := slow.stats(); peak != 2 || total != 4 {
		t.Errorf("slow host: peak %d, %d requests; want 2 and 4", peak, total)
	}
}

func TestRunSlowHostDoesNotDelayOthers(t *testing.T) {
	slow := newGate(readFixture(t, "rss.xml"))
	slowSrv := serve(t, slow)
	fastSrv := serve(t, newOrigin(readFixture(t, "atom.xml")))
	rec := &recorder{}
	w := watchers.New(newMemStore(), rec.handle, watchers.Options{Concurrency: 3, PerHost: 2})
	feeds := []news.Feed{
		{Name: "slow1", URL: slowSrv.URL + "/1"},
		{Name: "slow2", URL: slowSrv.URL + "/2"},
		{Name: "slow3", URL: slowSrv.URL + "/3"},
		{Name: "fast", URL: otherHost(fastSrv) + "/f", Interval: 20 * time.Millisecond},
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx, func() []news.Feed { return feeds }) }()
	waitFor(t, func() bool { return len(rec.byFeed("fast")) >= 5 })
	if active, peak, _ := slow.stats(); active > 2 || peak > 2 {
		t.Errorf("slow host: %d active, peak %d; want at most 2", active, peak)
	}
	if w.Alive().IsZero() || time.Since(w.Alive()) > time.Minute {
		t.Errorf("Alive = %v while Run runs", w.Alive())
	}
	close(slow.release)
	waitFor(t, func() bool { return len(rec.byFeed("slow3")) == 1 })
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("Run: %v", err)
	}
	if !w.Alive().IsZero() {
		t.Errorf("Alive = %v after Run returned, want zero", w.Alive())
	}
}

func TestRunRepollsAFeedWhoseURLChanged(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/a", newOrigin(readFixture(t, "rss.xml")))
	mux.Handle("/b", newOrigin(readFixture(t, "atom.xml")))
	srv := serve(t, mux)
	rec := &recorder{}
	w := watchers.New(newMemStore(), rec.handle, watchers.Options{})
	var (
		mu  sync.Mutex
		url = srv.URL + "/a"
	)
	list := func() []news.Feed {
		mu.Lock()
		defer mu.Unlock()
		return []news.Feed{{Name: "x", URL: url, Interval: time.Hour}}
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go w.Run(ctx, list)
	waitFor(t, func() bool { return len(rec.byFeed("x")) == 1 })
	mu.Lock()
	url = srv.URL + "/b"
	mu.Unlock()
	w.Rescan()
	waitFor(t, func() bool { return len(rec.byFeed("x")) == 2 })
	if b := rec.byFeed("x")[1]; b.Feed.URL != srv.URL+"/b" || len(b.Items) != 2 {
		t.Errorf("second batch from %s with %d items; want the new URL's", b.Feed.URL, len(b.Items))
	}
}

func TestUntrustedFeedsStayOffPrivateAddresses(t *testing.T) {
	srv := serve(t, newOrigin(readFixture(t, "rss.xml")))
	feed := news.Feed{Name: "opml", URL: srv.URL, Untrusted: true}

	_, err := newWatcher(watchers.Options{}).Fetch(t.Context(), feed, news.FeedState{})
	if !errors.Is(err, watchers.ErrPrivateAddress) || watchers.ErrorKind(err) != watchers.KindPrivate {
		t.Fatalf("untrusted feed on loopback: error %v, want ErrPrivateAddress", err)
	}
	if !strings.Contains(err.Error(), "watchers.allow_private") {
		t.Errorf("error %q does not say how to allow it", err)
	}
	if _, err := newWatcher(watchers.Options{AllowPrivate: true}).Fetch(t.Context(), feed, news.FeedState{}); err != nil {
		t.Errorf("with AllowPrivate: %v", err)
	}
	feed.Untrusted = false
	if _, err := newWatcher(watchers.Options{}).Fetch(t.Context(), feed, news.FeedState{}); err != nil {
		t.Errorf("a config feed on loopback: %v", err)
	}

	// A public-looking name redirecting to loopback is caught at connect time too.
	hop := serve(t, http.RedirectHandler(srv.URL, http.StatusFound))
	feed = news.Feed{Name: "hop", URL: otherHost(hop), Untrusted: true}
	if _, err := newWatcher(watchers.Options{}).Fetch(t.Context(), feed, news.FeedState{}); !errors.Is(err, watchers.ErrPrivateAddress) {
		t.Errorf("untrusted feed via localhost: error %v, want ErrPrivateAddress", err)
	}
}

func TestFetchClampsFutureDatesAndCapsItems(t *testing.T) {
	huge := strings.Repeat("é", watchers.MaxItemContent) // two bytes each
	body := `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>From the future</title><guid>f</guid><pubDate>Mon, 01 Jan 2035 00:00:00 GMT</pubDate></item>
<item><title>` + strings.Repeat("long title ", 500) + `</title><guid>g</guid><description>` + huge + `</description>
<category>a</category></item>
</channel></rss>`
	srv := serve(t, newOrigin([]byte(body)))
	f, err := newWatcher(watchers.Options{}).Fetch(t.Context(), news.Feed{Name: "x", URL: srv.URL}, news.FeedState{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 2 {
		t.Fatalf("%d items, want 2", len(f.Items))
	}
	if !f.Items[0].Published.Equal(t0) {
		t.Errorf("a 2035 date became %v, want now (%v)", f.Items[0].Published, t0)
	}
	big := f.Items[1]
	if len(big.Content) > watchers.MaxItemContent || !utf8.ValidString(big.Content) || len(big.Content) < watchers.MaxItemContent-1 {
		t.Errorf("content of %d bytes (valid UTF-8 %v), want cut to %d at a character boundary", len(big.Content), utf8.ValidString(big.Content), watchers.MaxItemContent)
	}
	if len(big.Title) > 1000 {
		t.Errorf("title of %d bytes, want at most 1000", len(big.Title))
	}
}

func TestParseKeepsTheNewestItems(t *testing.T) {
	// An archive listed oldest first, longer than MaxItems.
	n := watchers.MaxItems + 200
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel><title>Archive</title>`)
	for i := range n {
		fmt.Fprintf(&b, "<item><title>%d</title><guid>%d</guid><pubDate>%s</pubDate></item>", i, i, t0.Add(-time.Duration(n-i)*time.Hour).Format(time.RFC1123Z))
	}
	b.WriteString("</channel></rss>")
	items, err := watchers.Parse([]byte(b.String()), "archive")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != watchers.MaxItems || items[0].ID != "200" || items[len(items)-1].ID != fmt.Sprint(n-1) {
		t.Errorf("%d items from %s to %s; want the newest %d, in feed order", len(items), items[0].ID, items[len(items)-1].ID, watchers.MaxItems)
	}
}

func TestDiscover(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/feed.xml", newOrigin(readFixture(t, "rss.xml")))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(readFixture(t, "page.html")) // links /feed.xml
	})
	mux.HandleFunc("/bare", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!doctype html><html><head><title>No feed</title></head><body>hi</body></html>"))
	})
	srv := serve(t, mux)
	w := newWatcher(watchers.Options{})
	for _, start := range []string{srv.URL + "/", srv.URL + "/feed.xml"} {
		d, err := w.Discover(t.Context(), "site", start, false)
		if err != nil {
			t.Fatalf("Discover(%s): %v", start, err)
		}
		if d.URL != srv.URL+"/feed.xml" || d.Title != "Harbour Gazette" || d.Items == 0 {
			t.Errorf("Discover(%s) = %+v", start, d)
		}
	}
	if _, err := w.Discover(t.Context(), "site", srv.URL+"/bare", false); !errors.Is(err, watchers.ErrNotFeed) {
		t.Errorf("a page without a feed: %v, want ErrNotFeed", err)
	}
	if _, err := w.Discover(t.Context(), "site", srv.URL+"/", true); !errors.Is(err, watchers.ErrPrivateAddress) {
		t.Errorf("untrusted discovery on loopback: %v, want ErrPrivateAddress", err)
	}
}

func TestErrorKind(t *testing.T) {
	mux := http.NewServeMux()
	for code, path := range map[int]string{404: "/404", 410: "/410", 429: "/429", 500: "/500"} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", code) })
	}
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<!doctype html><html><body>hello</body></html>"))
	})
	mux.HandleFunc("/garbage", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<rss><channel><item>")) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write(bigFeed(5000)) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := serve(t, mux)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	w := newWatcher(watchers.Options{MaxBody: 1000, Timeout: 200 * time.Millisecond})
	for url, want := range map[string]string{
		srv.URL + "/404":     watchers.KindHTTP4xx,
		srv.URL + "/410":     watchers.KindGone,
		srv.URL + "/429":     watchers.KindThrottled,
		srv.URL + "/500":     watchers.KindHTTP5xx,
		srv.URL + "/html":    watchers.KindNotFeed,
		srv.URL + "/garbage": watchers.KindParse,
		srv.URL + "/big":     watchers.KindTooLarge,
		srv.URL + "/slow":    watchers.KindTimeout,
		closed.URL:           watchers.KindConnect,
		"/nonexistent/feed":  watchers.KindRead,
	} {
		_, err := w.Fetch(t.Context(), news.Feed{Name: "k", URL: url}, news.FeedState{})
		if got := watchers.ErrorKind(err); got != want {
			t.Errorf("%s: kind %q (error %v), want %q", url, got, err, want)
		}
	}
}

// observer records poll events.
type observer struct {
	mu  sync.Mutex
	evs []watchers.PollEvent
}

func (o *observer) ObservePoll(ev watchers.PollEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.evs = append(o.evs, ev)
}

func TestPollObserver(t *testing.T) {
	o := newOrigin(readFixture(t, "rss.xml"))
	o.etag = `"o"`
	mux := http.NewServeMux()
	mux.Handle("/ok", o)
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", 502) })
	srv := serve(t, mux)
	obs := &observer{}
	opts := testOptions(nil)
	opts.Observer = obs
	w := watchers.New(newMemStore(), (&recorder{}).handle, opts)
	feeds := []news.Feed{{Name: "ok", URL: srv.URL + "/ok"}}
	w.PollAll(t.Context(), feeds)
	w.PollAll(t.Context(), feeds)
	w.PollAll(t.Context(), []news.Feed{{Name: "down", URL: srv.URL + "/down"}})
	want := []watchers.PollEvent{
		{Feed: "ok", Outcome: watchers.OutcomeOK, Items: 3},
		{Feed: "ok", Outcome: watchers.OutcomeNotModified},
		{Feed: "down", Outcome: watchers.OutcomeError, ErrorKind: watchers.KindHTTP5xx},
	}
	if len(obs.evs) != len(want) {
		t.Fatalf("events %+v", obs.evs)
	}
	for i, ev := range obs.evs {
		ev.Duration = 0
		if ev != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, ev, want[i])
		}
	}
}

func TestFullTextOfUntrustedFeedStaysOffPrivateAddresses(t *testing.T) {
	srv := serve(t, newOrigin(readFixture(t, "rss.xml")))
	page := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(readFixture(t, "article.html"))
	}))
	opts := testOptions(nil)
	opts.AllowPrivate = false
	w := watchers.New(newMemStore(), (&recorder{}).handle, opts)
	// A trusted feed's article on loopback is fetched.
	if _, err := w.FullText(t.Context(), "own", page.URL); err != nil {
		t.Fatalf("FullText of a trusted feed: %v", err)
	}
	// An untrusted feed is refused, and so are its articles.
	w.PollAll(t.Context(), []news.Feed{{Name: "opml", URL: srv.URL, Untrusted: true}})
	if _, err := w.FullText(t.Context(), "opml", page.URL); !errors.Is(err, watchers.ErrPrivateAddress) {
		t.Errorf("FullText of an untrusted feed's link on loopback: %v, want ErrPrivateAddress", err)
	}
}
