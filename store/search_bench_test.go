package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"herald/news"
	"herald/rules"
	"herald/search"
)

// The search benchmarks run over one generated store, built once per run in
// a temporary directory when the first of them needs it:
//
//	go test ./store -run '^$' -bench BenchmarkSearch -benchtime 200x
//
// HERALD_BENCH_ITEMS sets its size (default 200,000 items of about 2 KB of
// text each; 1000000 for the one-off run), and HERALD_BENCH_PER_QUERY=1
// times each query on its own. The default `go test` runs no benchmark and
// builds nothing. HERALD_BENCH_DIR keeps the fixture in
// that directory, and reuses it when it has the size asked for, to time
// changes to the query side without building it again.
//
// The fixture is loaded with AddItems in transactions of benchBatch items,
// all but its newest benchTail, which are stored with AddItem, one
// transaction each, as the pipeline stores a poll with one new item: that is
// the "addItem" insert rate reported, measured on an index already large, and
// it leaves the index's newest segments as herald's own writes leave them at
// worst. The insert/batch=N benchmarks store N items per transaction, as
// the pipeline stores a poll's new items.

const (
	benchBatch = 1000
	benchTail  = 20_000
)

// benchEnv is the shared fixture.
type benchEnv struct {
	db      *DB
	engine  *search.Engine
	items   int
	bulk    time.Duration // loading all but the tail in batches
	tail    int           // items stored with AddItem
	tailDur time.Duration // storing them
	bytes   int64         // database and WAL file sizes
	textLen int           // bytes of title and text, per item
	now     time.Time
}

var (
	benchOnce    sync.Once
	bench        *benchEnv
	benchErr     error
	benchDir     string
	benchEntites = []rules.Entity{
		{ID: "nuc", Name: "NATO-Ukraine Council", Aliases: []string{"NUC"}},
		{ID: "bs", Name: "Black Sea", Aliases: []string{"Euxine"}},
		{ID: "who", Name: "World Health Organization", Aliases: []string{"case:WHO"}},
	}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bench != nil {
		bench.db.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchItems is the fixture's size.
func benchItems(b *testing.B) int {
	n := 200_000
	if s := os.Getenv("HERALD_BENCH_ITEMS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			b.Fatalf("HERALD_BENCH_ITEMS=%q: want a positive number", s)
		}
		n = v
	}
	return n
}

func fixture(b *testing.B) *benchEnv {
	b.Helper()
	benchOnce.Do(func() {
		dir := os.Getenv("HERALD_BENCH_DIR")
		if dir == "" {
			dir, benchErr = os.MkdirTemp("", "herald-bench-")
			benchDir = dir // removed by TestMain
		}
		if benchErr == nil {
			bench, benchErr = loadFixture(dir, benchItems(b))
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return bench
}

// generator writes deterministic, news-like items: English function words,
// a long tail of invented words (Zipf-distributed), and planted terms at
// known rates, so that the queries below select from a few items to most.
type generator struct {
	r     *rand.Rand
	zipf  *rand.Zipf
	vocab []string
	feeds []string
}

var functionWords = strings.Fields("the of and to in a said on for that is was with by as at from it he his who has have be are not but an they will its were been this after their which year more also over would")

// planted are whole phrases put into items at a rate per item.
var planted = []struct {
	text string
	rate float64
}{
	{"NATO", 0.04}, {"Ukraine", 0.05}, {"Russia", 0.05}, {"grain", 0.02}, {"sport", 0.08},
	{"Black Sea", 0.01}, {"foreign ministers", 0.01}, {"air defence", 0.005},
	{"NATO-Ukraine Council", 0.003}, {"NUC", 0.002}, {"Euxine", 0.0005},
	{"World Health Organization", 0.002}, {"WHO", 0.002}, {"Ukrainian", 0.02}, {"Erdoğan", 0.003},
}

func newGenerator(seed uint64) *generator {
	r := rand.New(rand.NewPCG(seed, 2026))
	syll := strings.Fields("ka ro mi na te lu sa vi do pe ri ko ma zu ne ta li bo ga fe")
	vocab := make([]string, 0, 40000)
	seen := map[string]bool{}
	for len(vocab) < cap(vocab) {
		var w strings.Builder
		for range 2 + r.IntN(3) {
			w.WriteString(syll[r.IntN(len(syll))])
		}
		if !seen[w.String()] {
			seen[w.String()] = true
			vocab = append(vocab, w.String())
		}
	}
	g := &generator{r: r, zipf: rand.NewZipf(r, 1.1, 2, uint64(len(vocab)-1)), vocab: vocab}
	for i := range 20 {
		g.feeds = append(g.feeds, fmt.Sprintf("feed-%02d", i))
	}
	return g
}

func (g *generator) word() string {
	if g.r.IntN(2) == 0 {
		return functionWords[g.r.IntN(len(functionWords))]
	}
	return g.vocab[g.zipf.Uint64()]
}

// sentence writes about n words, with the planted terms of this item
// among them.
func (g *generator) sentence(b *strings.Builder, n int, plant []string) {
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		w := g.word()
		if len(plant) > 0 && g.r.IntN(n) == 0 {
			w = plant[g.r.IntN(len(plant))]
		}
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
	}
	b.WriteString(". ")
}

func (g *generator) item(i int, published time.Time) news.Item {
	var plant []string
	for _, p := range planted {
		if g.r.Float64() < p.rate {
			plant = append(plant, p.text)
		}
	}
	var title, text strings.Builder
	g.sentence(&title, 6+g.r.IntN(6), plant)
	for text.Len() < 1900+g.r.IntN(300) {
		g.sentence(&text, 8+g.r.IntN(14), plant)
		if g.r.IntN(5) == 0 {
			text.WriteString("\n\n")
		}
	}
	// Make sure each planted term is there at least once.
	for _, p := range plant {
		text.WriteString(g.word() + " " + p + " " + g.word() + ". ")
	}
	feed := g.feeds[g.r.IntN(len(g.feeds))]
	return news.Item{
		Feed:       feed,
		ID:         fmt.Sprintf("https://%s.example/%d", feed, i),
		Title:      strings.TrimSpace(title.String()),
		Link:       fmt.Sprintf("https://%s.example/%d", feed, i),
		Authors:    []string{g.word() + " " + g.word()},
		Categories: []string{g.word()},
		Published:  published,
		Text:       text.String(),
	}
}

// benchNow is the fixture's present: its items span the year before it.
var benchNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// loadFixture opens the fixture in dir, building it unless it holds n items
// already.
func loadFixture(dir string, n int) (*benchEnv, error) {
	ctx := context.Background()
	path := filepath.Join(dir, "herald.db")
	marker := filepath.Join(dir, "fixture")
	want := fmt.Sprintf("items=%d v2", n) // v2: loaded with AddItems
	env := &benchEnv{items: n, now: benchNow}
	if have, err := os.ReadFile(marker); err != nil || !strings.HasPrefix(string(have), want+"\n") {
		os.Remove(path)
		os.Remove(path + "-wal")
		os.Remove(path + "-shm")
		if err := buildFixture(ctx, path, env); err != nil {
			return nil, err
		}
		note := fmt.Sprintf("%s\n%d %d %d %d\n", want, env.bulk, env.tail, env.tailDur, env.textLen)
		if err := os.WriteFile(marker, []byte(note), 0o644); err != nil {
			return nil, err
		}
	} else {
		fmt.Sscanf(strings.SplitN(string(have), "\n", 2)[1], "%d %d %d %d", &env.bulk, &env.tail, &env.tailDur, &env.textLen)
	}
	for _, f := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(f); err == nil {
			env.bytes += fi.Size()
		}
	}
	db, err := Open(ctx, path)
	if err != nil {
		return nil, err
	}
	env.db = db
	env.engine = search.New(db, search.Config{Entities: benchEntites, FeedTags: map[string][]string{"feed-03": {"energy"}}},
		func() time.Time { return benchNow })
	fmt.Fprintf(os.Stderr, "search benchmark fixture: %d items (%d bytes of title and text each); database %.1f MB, %.0f bytes/item; "+
		"the last %d stored with AddItem at %.0f items/s\n",
		n, env.textLen, float64(env.bytes)/1e6, float64(env.bytes)/float64(n), env.tail, float64(env.tail)/env.tailDur.Seconds())
	return env, nil
}

func buildFixture(ctx context.Context, path string, env *benchEnv) error {
	db, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	n := env.items
	span := 365 * 24 * time.Hour
	g := newGenerator(1)
	env.tail = min(benchTail, n)
	var text int
	var batch []NewItem
	start := time.Now()
	for i := range n {
		// A year of news, oldest first, as herald would have stored it.
		published := benchNow.Add(-span + time.Duration(int64(span)/int64(n)*int64(i)) + time.Duration(g.r.IntN(600))*time.Second)
		it := g.item(i, published)
		text += len(it.Text) + len(it.Title)
		if i < n-env.tail {
			batch = append(batch, NewItem{Item: it})
			if len(batch) == benchBatch || i == n-env.tail-1 {
				if _, err := db.AddItems(ctx, benchNow, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
			if (i+1)%100_000 == 0 {
				fmt.Fprintf(os.Stderr, "search benchmark fixture: %d items loaded\n", i+1)
			}
			continue
		}
		if i == n-env.tail {
			env.bulk = time.Since(start)
			start = time.Now()
		}
		if _, _, err := db.AddItem(ctx, it, it.Published.Add(time.Minute), nil, nil); err != nil {
			return err
		}
	}
	env.tailDur = time.Since(start)
	env.textLen = text / n
	return nil
}

// The benchmark's queries, by kind: several of each, from common to rare.
var benchQueries = []struct {
	name    string
	queries []string
}{
	{"word", []string{"nato", "grain", "sport", "ukraine", "erdogan", "said"}},
	{"phrase", []string{`"black sea"`, `"foreign ministers"`, `"air defence"`, `"said the"`}},
	{"entity", []string{"@nuc", "@bs", "@who"}},
	{"boolean", []string{"grain -sport since:30d", "(nato OR ukraine) -russia since:7d", `nato ukraine -"black sea" since:90d`, "ukrain* -nato since:14d"}},
	{"prefix", []string{"ukrain*", "erdo*", "minist*"}},
	{"relevance", []string{"nato sort:relevance", `"black sea" grain sort:relevance`}},
}

// BenchmarkSearch times a first page of results (5, as chat shows) per
// query kind, through search.Engine: parsing, the FTS5 query, reading the
// candidates and re-checking them with rules. It reports the median and
// 95th percentile over the iterations, which cycle through the kind's
// queries, and the fixture's insert rate and size.
func BenchmarkSearch(b *testing.B) {
	env := fixture(b)
	kinds := benchQueries
	if os.Getenv("HERALD_BENCH_PER_QUERY") != "" {
		// One benchmark per query, to see which of a kind is slow.
		kinds = nil
		for _, k := range benchQueries {
			for _, q := range k.queries {
				kinds = append(kinds, struct {
					name    string
					queries []string
				}{k.name + "/" + q, []string{q}})
			}
		}
	}
	for _, kind := range kinds {
		b.Run(kind.name, func(b *testing.B) {
			ctx := context.Background()
			for _, q := range kind.queries { // warm up, and check each query finds something
				page, err := env.engine.Search(ctx, q, search.Cursor{}, 5)
				if err != nil {
					b.Fatalf("%q: %v", q, err)
				}
				if len(page.Results) == 0 {
					b.Logf("%q finds nothing", q)
				}
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				q := kind.queries[i%len(kind.queries)]
				t0 := time.Now()
				if _, err := env.engine.Search(ctx, q, search.Cursor{}, 5); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			reportLatency(b, lat)
		})
	}
	// newItems are b.N items dated after the fixture's, with new ids also
	// in a kept fixture.
	newItems := func(b *testing.B) []NewItem {
		run := time.Now().UnixNano()
		g := newGenerator(uint64(run))
		items := make([]NewItem, b.N)
		for i := range items {
			items[i].Item = g.item(i, env.now.Add(time.Duration(i)*time.Second))
			items[i].Item.ID = fmt.Sprintf("insert-%d-%d", run, i)
		}
		return items
	}
	for _, batch := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("insert/batch=%d", batch), func(b *testing.B) {
			// AddItems into the full index from one caller, batch items a
			// call, as the pipeline stores a poll's new items; b.N counts items.
			ctx := context.Background()
			items := newItems(b)
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				if _, err := env.db.AddItems(ctx, env.now.Add(time.Hour), items[i:min(i+batch, b.N)]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
	b.Run("insert/pollers=16", func(b *testing.B) {
		// Sixteen feeds' polls at once, each with 1 to 3 new items (what a
		// poll of a busy feed brings), as herald's watchers store them:
		// the calls share transactions (group commit).
		ctx := context.Background()
		items := newItems(b)
		var next atomic.Int64
		txs0, stored0 := env.db.writer.txs.Load(), env.db.writer.items.Load()
		b.ResetTimer()
		var wg sync.WaitGroup
		for p := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(p), 7))
				for {
					n := int64(1 + r.IntN(3))
					end := next.Add(n)
					start := end - n
					if start >= int64(b.N) {
						return
					}
					if _, err := env.db.AddItems(ctx, env.now.Add(time.Hour), items[start:min(end, int64(b.N))]); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
		if txs := env.db.writer.txs.Load() - txs0; txs > 0 {
			b.ReportMetric(float64(env.db.writer.items.Load()-stored0)/float64(txs), "items/tx")
		}
	})
	b.Run("fixture", func(b *testing.B) {
		for range b.N {
		}
		b.ReportMetric(float64(env.items), "items")
		b.ReportMetric(float64(env.tail)/env.tailDur.Seconds(), "addItem-items/s")
		b.ReportMetric(float64(env.bytes)/float64(env.items), "db-bytes/item")
		b.ReportMetric(float64(env.textLen), "text-bytes/item")
	})
}

func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) float64 {
		i := min(int(float64(len(lat))*p), len(lat)-1)
		return float64(lat[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(1), "max-ms")
}
