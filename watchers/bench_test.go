package watchers_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"herald/alerts"
	"herald/news"
	"herald/rules"
	"herald/store"
	"herald/watchers"
)

// The speed goal of issue 9, measured on loopback:
//
//	go test ./watchers -run '^$' -bench BenchmarkRound -benchtime 1x
//
// 10,000 feeds: 70% answer 304, 30% serve 50 items of which 1-3 are new in
// each round. The feed server runs in a child process (this test binary, in
// TestBenchFeedServer), so that the CPU time and the peak RSS measured are
// herald's alone: the watcher, the alert pipeline and SQLite.
const (
	benchItems     = 50
	benchServerEnv = "HERALD_BENCH_FEED_SERVER"
)

// benchFeeds is how many feeds BenchmarkRound polls: 10,000, or
// HERALD_BENCH_FEEDS for a quicker look.
var benchFeeds = func() int {
	if n, err := strconv.Atoi(os.Getenv("HERALD_BENCH_FEEDS")); err == nil && n >= 10 {
		return n
	}
	return 10000
}()

// benchChanging reports whether feed i is one of the 30% that change.
func benchChanging(i int) bool { return i%10 >= 7 }

// benchBody writes feed i as of round: a changing feed's 50 newest items,
// 1 to 3 more of them in each round; a static feed's 5 items.
func benchBody(w io.Writer, i, round int, epoch time.Time) {
	bw := bufio.NewWriterSize(w, 16<<10)
	defer bw.Flush()
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed %d</title><link>https://feed%d.example/</link>`, i, i)
	n, top := 5, 5
	if benchChanging(i) {
		n, top = benchItems, benchItems+round*(1+i%3)
	}
	for k := top - 1; k >= top-n; k-- {
		topic := "Weather and traffic"
		if k%7 == 0 {
			topic = "Black Sea grain corridor"
		}
		fmt.Fprintf(bw, `<item><title>%s: report %d of feed %d</title><link>https://feed%d.example/%d</link><guid>f%d-%d</guid>`+
			`<pubDate>%s</pubDate><description>&lt;p&gt;Ministers met on Tuesday to discuss %s. &#8220;We will keep the ships moving,&#8221; said the minister, adding that talks go on.&lt;/p&gt;</description></item>`,
			topic, k, i, i, k, i, k, epoch.Add(time.Duration(k)*10*time.Minute).Format(time.RFC1123Z), strings.ToLower(topic))
	}
	bw.WriteString("</channel></rss>")
}

// TestBenchFeedServer is the feed server of BenchmarkRound, run as a child
// process; as an ordinary test it does nothing.
func TestBenchFeedServer(t *testing.T) {
	if os.Getenv(benchServerEnv) == "" {
		t.Skip("the feed server of BenchmarkRound")
	}
	var round atomic.Int64
	epoch := time.Now().Add(-24 * time.Hour).Truncate(time.Minute)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/round" {
			n, _ := strconv.Atoi(r.URL.Query().Get("n"))
			round.Store(int64(n))
			return
		}
		i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/f/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		rd := int(round.Load())
		etag := `"static"`
		if benchChanging(i) {
			etag = fmt.Sprintf(`"r%d"`, rd)
		}
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		benchBody(w, i, rd, epoch)
	}))
	srv.Config.MaxHeaderBytes = 1 << 16
	srv.Start()
	defer srv.Close()
	fmt.Println(srv.URL)
	io.Copy(io.Discard, os.Stdin) // until the benchmark closes our stdin
}

// startBenchServer runs TestBenchFeedServer in a child process and returns its URL.
func startBenchServer(b *testing.B) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchFeedServer$", "-test.v=false")
	cmd.Env = append(os.Environ(), benchServerEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		b.Fatalf("the feed server said %q, %v", line, err)
	}
	return strings.TrimSpace(line)
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is this process's peak resident set size in bytes.
func peakRSS() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss << 10 // kilobytes on Linux
}

func BenchmarkRound(b *testing.B) {
	url := startBenchServer(b)
	setRound := func(n int) {
		resp, err := http.Get(fmt.Sprintf("%s/round?n=%d", url, n))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}

	db, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "herald.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	set, err := rules.Compile([]rules.Rule{
		{Name: "grain", Query: `"black sea" (grain OR wheat)`},
		{Name: "ministers", Query: `minister NEAR/5 ships`},
		{Name: "quiet", Query: `earthquake OR tsunami`},
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	console := []news.Destination{{Platform: news.Console}}
	pipeline := alerts.New(db, &alerts.Topics{Set: set, Notify: map[string][]news.Destination{"grain": console, "ministers": console}}, nil, nil)

	var (
		mu      sync.Mutex
		stored  []time.Duration
		newSeen atomic.Int64
	)
	handle := func(ctx context.Context, batch watchers.Batch) error {
		res, err := pipeline.Ingest(ctx, batch.Feed, batch.Items, batch.First)
		if res.New > 0 && !batch.First {
			mu.Lock()
			stored = append(stored, time.Since(batch.Started))
			mu.Unlock()
			newSeen.Add(int64(res.New))
		}
		return err
	}
	w := watchers.New(db, handle, watchers.Options{Concurrency: 64, PerHost: 64})
	var all, static, changing []news.Feed
	for i := range benchFeeds {
		f := news.Feed{Name: fmt.Sprintf("feed%05d", i), URL: fmt.Sprintf("%s/f/%d", url, i)}
		all = append(all, f)
		if benchChanging(i) {
			changing = append(changing, f)
		} else {
			static = append(static, f)
		}
	}
	poll := func(feeds []news.Feed) (watchers.Report, time.Duration, time.Duration) {
		start, cpu := time.Now(), cpuTime()
		rep, err := w.PollAll(b.Context(), feeds)
		if err != nil || rep.Failed > 0 {
			b.Fatalf("report %+v, error %v, errors %v", rep, err, first(rep.Errors))
		}
		return rep, time.Since(start), cpuTime() - cpu
	}

	// Round 0 seeds the store: every feed answers 200 once, and its items
	// are recorded as seen (no backfill alerts).
	setRound(0)
	seed, seedTook, _ := poll(all)
	b.Logf("seed round: %d feeds, %d items in %v", seed.Polled, seed.Items, seedTook.Round(time.Millisecond))

	b.ResetTimer()
	var roundTook time.Duration
	var rep watchers.Report
	for n := 1; n <= b.N; n++ {
		setRound(n)
		mu.Lock()
		stored = stored[:0]
		mu.Unlock()
		newSeen.Store(0)
		var cpu time.Duration
		rep, roundTook, cpu = poll(all)
		b.ReportMetric(cpu.Seconds(), "cpu-s/round")
	}
	b.StopTimer()
	if rep.NotModified != benchFeeds*7/10 || rep.Updated != benchFeeds*3/10 {
		b.Fatalf("round report %+v; want 7,000 304s and 3,000 feeds updated", rep)
	}
	mu.Lock()
	lat := append([]time.Duration(nil), stored...)
	mu.Unlock()
	fresh := newSeen.Load()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }

	// CPU per 304 and per parsed feed, each kind polled alone.
	_, _, cpu304 := poll(static)
	setRound(b.N + 1)
	_, _, cpuParsed := poll(changing)

	b.ReportMetric(roundTook.Seconds(), "s/round")
	b.ReportMetric(float64(peakRSS())/(1<<20), "MB-peak-RSS")
	b.ReportMetric(float64(cpu304.Microseconds())/float64(len(static)), "µs-CPU/304")
	b.ReportMetric(float64(cpuParsed.Microseconds())/float64(len(changing)), "µs-CPU/parsed-feed")
	b.ReportMetric(float64(pct(0.5).Microseconds())/1000, "ms-p50-poll-to-stored")
	b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "ms-p99-poll-to-stored")
	b.Logf("round: %d polled, %d not modified, %d updated, %d new items stored in %v; poll→stored p50 %v, p90 %v, p99 %v, max %v",
		rep.Polled, rep.NotModified, rep.Updated, fresh, roundTook.Round(time.Millisecond),
		pct(0.5).Round(time.Microsecond), pct(0.9).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
}

// first returns one entry of errs, for a failure message.
func first(errs map[string]error) error {
	for _, err := range errs {
		return err
	}
	return nil
}
