package alerts_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"herald/alerts"
	"herald/news"
	"herald/rules"
	"herald/store"
)

// The watches benchmark corpus: a generated language with a Zipf-distributed
// vocabulary, news articles of about 5 KB in it, entities, and watches
// written the way people write them about what is in the news. Everything
// comes from fixed seeds, so runs compare.
//
// Two shapes of watch, both of phrases, words, booleans, NEAR and
// entities: "typical" draws its words evenly from the vocabulary past the
// 100 most frequent, as the rules engine's benchmark does; "common" (the
// hostile case) draws them from the 100th to 1,000th most frequent words,
// as often as articles use them, so that an article holds the words of
// many watches. Both keep only the watches the broad-query guard admits.
const (
	wcVocabulary = 30000
	wcStopwords  = 100
	wcCommonTop  = 1000
	wcArticles   = 64
	wcArticleLen = 5000
	wcEntities   = 2000
	wcChats      = 20000
	wcTopics     = 200
)

type watchCorpus struct {
	docs     []rules.Doc
	entities []rules.Entity
	topics   []rules.Rule
	// watches by shape, the largest count; smaller counts take a prefix.
	watches map[string][]news.Watch
}

var (
	wcOnce sync.Once
	wc     *watchCorpus
)

func watchBenchCorpus() *watchCorpus {
	wcOnce.Do(func() {
		r := rand.New(rand.NewPCG(18, 2026))
		syll := []string{"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "za", "be", "do", "fi", "gu", "ha", "je",
			"pa", "re", "si", "tu", "wa", "xo", "yi", "an", "el", "in", "or", "ust", "ber", "dan", "gor", "kin", "mar", "nov", "str"}
		seen := map[string]bool{}
		vocab := make([]string, 0, wcVocabulary)
		for len(vocab) < wcVocabulary {
			var b strings.Builder
			for range 1 + r.IntN(4) {
				b.WriteString(syll[r.IntN(len(syll))])
			}
			if w := b.String(); !seen[w] && len(w) > 1 {
				seen[w] = true
				vocab = append(vocab, w)
			}
		}
		zipf := rand.NewZipf(r, 1.07, 2, wcVocabulary-1)
		c := &watchCorpus{watches: map[string][]news.Watch{}}
		for i := range wcEntities {
			a, b := vocab[wcStopwords+r.IntN(5000)], vocab[wcStopwords+r.IntN(5000)]
			name := strings.ToUpper(a[:1]) + a[1:] + " " + strings.ToUpper(b[:1]) + b[1:]
			c.entities = append(c.entities, rules.Entity{ID: fmt.Sprintf("e%d", i), Name: name})
		}
		for range wcArticles {
			var title, text strings.Builder
			write := func(b *strings.Builder, words int) {
				for k := range words {
					if k > 0 {
						b.WriteString(" ")
					}
					if r.IntN(200) == 0 {
						b.WriteString(c.entities[r.IntN(len(c.entities))].Name)
						continue
					}
					w := vocab[zipf.Uint64()]
					if k == 0 {
						w = strings.ToUpper(w[:1]) + w[1:]
					}
					b.WriteString(w)
				}
			}
			write(&title, 6+r.IntN(6))
			for text.Len() < wcArticleLen {
				write(&text, 8+r.IntN(18))
				text.WriteString(". ")
			}
			c.docs = append(c.docs, rules.Doc{Feed: "wire", Title: title.String(), Text: text.String()})
		}
		for i := range wcTopics {
			c.topics = append(c.topics, rules.Rule{Name: fmt.Sprintf("topic-%d", i), Query: fmt.Sprintf(`"%s %s"`, vocab[wcStopwords+r.IntN(3000)], vocab[wcStopwords+r.IntN(3000)])})
		}
		for _, shape := range []string{"typical", "common"} {
			word := func() string {
				if shape == "common" {
					// Frequent words, as often as articles use them.
					for {
						if k := int(zipf.Uint64()); k >= wcStopwords && k < wcCommonTop {
							return vocab[k]
						}
					}
				}
				return vocab[wcStopwords+r.IntN(wcVocabulary-wcStopwords)]
			}
			phrase := func() string {
				ws := make([]string, 2+r.IntN(2))
				for k := range ws {
					ws[k] = word()
				}
				return `"` + strings.Join(ws, " ") + `"`
			}
			term := func() string {
				switch x := r.IntN(10); {
				case x < 4:
					return phrase()
				case x < 6:
					return "@" + c.entities[r.IntN(len(c.entities))].ID
				}
				return word()
			}
			query := func() string {
				switch x := r.IntN(20); {
				case x < 6:
					return phrase()
				case x < 8:
					return term()
				case x < 12:
					return term() + " " + term()
				case x < 15:
					return term() + " OR " + term()
				case x < 17:
					return term() + " -" + word()
				case x < 19:
					return "@" + c.entities[r.IntN(len(c.entities))].ID + " (" + word() + " OR " + phrase() + ")"
				}
				return word() + " NEAR/5 " + word()
			}
			c.watches[shape] = guarded(c, 100000, query, func(i int) news.Destination {
				return news.Destination{Platform: news.Telegram, Chat: fmt.Sprint(1 + r.IntN(wcChats))}
			})
		}
		wc = c
	})
	return wc
}

// guarded returns n watches written by query that /watch would accept:
// those that match at most 20 % of the corpus's articles (the default
// watches.max_share), as the broad-query guard admits them.
func guarded(c *watchCorpus, n int, query func() string, dest func(int) news.Destination) []news.Watch {
	out := make([]news.Watch, 0, n)
	var dst []int
	for len(out) < n {
		batch := make([]news.Watch, 20000)
		for i := range batch {
			batch[i] = news.Watch{Query: query()}
		}
		set, _ := alerts.CompileWatches(batch, c.entities)
		count := make([]int, set.Len())
		for _, d := range c.docs {
			dst = set.Matching(d, dst[:0])
			for _, k := range dst {
				count[k]++
			}
		}
		for k, w := range set.List() {
			if len(out) < n && count[k]*5 <= len(c.docs) {
				w.ID = int64(len(out) + 1)
				w.Destination = dest(len(out))
				out = append(out, w)
			}
		}
	}
	return out
}

// BenchmarkWatchDecide decides an article against the config's topics and
// 1,000, 10,000 or 100,000 watches over 20,000 chats: which watches match,
// as ingestion finds them for each item. matches/op is how many watches
// matched, queries/op how many distinct queries (watches written alike are
// decided once). BenchmarkWatchDestinations measures finding their
// destinations, BenchmarkWatchIngest all of an item's work.
func BenchmarkWatchDecide(b *testing.B) {
	c := watchBenchCorpus()
	topics, err := rules.Compile(c.topics, c.entities)
	if err != nil {
		b.Fatal(err)
	}
	for _, shape := range []string{"typical", "common"} {
		for _, n := range []int{1000, 10000, 100000} {
			b.Run(fmt.Sprintf("%s/watches=%d", shape, n), func(b *testing.B) {
				ws, dropped := alerts.CompileWatches(c.watches[shape][:n], c.entities)
				if len(dropped) > 0 {
					b.Fatalf("%d watches do not compile", len(dropped))
				}
				var tm, wm, class []int
				matched, distinct := 0, 0
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					d := c.docs[i%len(c.docs)]
					i++
					tm = topics.Matching(d, tm[:0])
					// As the pipeline does (see batch.matchWatches): the
					// distinct queries that match, then their watches.
					wm = ws.MatchingDistinct(d, wm[:0])
					class = class[:0]
					for _, k := range wm {
						class = ws.Class(k, class)
					}
					matched += len(class)
					distinct += len(wm)
				}
				b.ReportMetric(float64(matched)/float64(i), "matches/op")
				b.ReportMetric(float64(distinct)/float64(i), "queries/op")
			})
		}
	}
}

// BenchmarkWatchDestinations finds the destinations of 100 matched
// watches by their index, in sets of 1,000 and 100,000 watches: the same
// cost at both sizes shows there is no per-watch scan.
func BenchmarkWatchDestinations(b *testing.B) {
	c := watchBenchCorpus()
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("watches=%d", n), func(b *testing.B) {
			ws, _ := alerts.CompileWatches(c.watches["common"][:n], c.entities)
			r := rand.New(rand.NewPCG(1, 2))
			idx := make([]int, 100)
			for k := range idx {
				idx[k] = r.IntN(n)
			}
			dests := make([]news.Destination, 0, len(idx))
			for b.Loop() {
				dests = dests[:0]
				for _, k := range idx {
					dests = append(dests, ws.Watch(k).Destination)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(idx)), "ns/match")
		})
	}
}

// BenchmarkWatchMemory compiles 100,000 watches and reports the heap they
// hold, compiled with their list and the matcher deciding an article uses
// (heap-MB), after a collection.
func BenchmarkWatchMemory(b *testing.B) {
	c := watchBenchCorpus()
	for _, shape := range []string{"typical", "common"} {
		b.Run(shape+"/watches=100000", func(b *testing.B) {
			ws := append([]news.Watch(nil), c.watches[shape]...)
			var heap float64
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				set, _ := alerts.CompileWatches(ws, c.entities)
				// In use: the matcher deciding an article keeps is counted too.
				set.MatchingDistinct(c.docs[0], nil)
				runtime.GC()
				runtime.ReadMemStats(&after)
				heap = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
				runtime.KeepAlive(set)
			}
			b.ReportMetric(heap, "heap-MB")
		})
	}
}

// BenchmarkWatchAdd adds one watch through the watchlist while 100,000
// exist in the store, as /watch does: stored, compiled with the others
// added since the last full compile, and swapped in. Meanwhile a loop
// decides articles against the generation in force, as ingestion does;
// max-add-ms is the slowest add;
// max-pause-ms is the longest one of its iterations took during the adds,
// base-pause-ms the longest in two seconds without any add (the machine's
// own noise). Run runs meanwhile, so that with more than DeltaMax adds
// (-benchtime 600x) a fold into a new base happens during the measurement.
func BenchmarkWatchAdd(b *testing.B) {
	c := watchBenchCorpus()
	db, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "h.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, w := range c.watches["common"] {
		if _, err := db.AddWatch(b.Context(), news.Watch{Destination: w.Destination, Query: w.Query, Created: now}, 0); err != nil {
			b.Fatal(err)
		}
	}
	p := alerts.New(db, &alerts.Topics{}, func() time.Time { return now }, nil)
	l := alerts.NewWatchlist(p, db, c.entities, nil)
	if err := l.Load(b.Context()); err != nil {
		b.Fatal(err)
	}
	// Run folds the added watches into a new base once they are
	// DeltaMax: with -benchtime past that, the pauses include a fold.
	runCtx, cancelRun := context.WithCancel(b.Context())
	defer cancelRun()
	go l.Run(runCtx, 10*time.Millisecond)
	var stop atomic.Bool
	var longest atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		var dst []int
		for i := 0; !stop.Load(); i++ {
			start := time.Now()
			dst = p.Watches().MatchingDistinct(c.docs[i%len(c.docs)], dst[:0])
			if d := int64(time.Since(start)); d > longest.Load() {
				longest.Store(d)
			}
		}
	})
	time.Sleep(2 * time.Second)
	base := longest.Swap(0)
	i := 0
	var slowest time.Duration
	for b.Loop() {
		i++
		start := time.Now()
		if _, err := l.AddWatch(b.Context(), news.Watch{Destination: news.Destination{Platform: news.Telegram, Chat: "7"}, Query: fmt.Sprintf(`"added %d"`, i)}, 0); err != nil {
			b.Fatal(err)
		}
		slowest = max(slowest, time.Since(start))
	}
	stop.Store(true)
	wg.Wait()
	b.ReportMetric(float64(longest.Load())/1e6, "max-pause-ms")
	b.ReportMetric(float64(base)/1e6, "base-pause-ms")
	b.ReportMetric(float64(slowest)/1e6, "max-add-ms")
}

// BenchmarkWatchIngest ingests one article per op, of a feed polled once
// before, with 1,000 or 100,000 watches of the common shape saved: the
// whole of what herald does per item (deciding, explaining, mutes, story
// dedup, storing the item, its matches and its alerts). alerts/op is the
// alerts queued per item.
func BenchmarkWatchIngest(b *testing.B) {
	c := watchBenchCorpus()
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("watches=%d", n), func(b *testing.B) {
			db, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "h.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			for _, w := range c.watches["common"][:n] {
				if _, err := db.AddWatch(b.Context(), news.Watch{Destination: w.Destination, Query: w.Query, Created: now}, 0); err != nil {
					b.Fatal(err)
				}
			}
			p := alerts.New(db, &alerts.Topics{}, func() time.Time { return now }, nil)
			l := alerts.NewWatchlist(p, db, c.entities, nil)
			if err := l.Load(b.Context()); err != nil {
				b.Fatal(err)
			}
			feed := news.Feed{Name: "wire"}
			if _, err := p.Ingest(b.Context(), feed, nil, false); err != nil {
				b.Fatal(err)
			}
			i, queued := 0, 0
			for b.Loop() {
				d := c.docs[i%len(c.docs)]
				it := news.Item{ID: fmt.Sprint("item-", i), Title: d.Title, Content: d.Text, Published: now, Link: fmt.Sprint("https://x.example/", i)}
				i++
				res, err := p.Ingest(b.Context(), feed, []news.Item{it}, false)
				if err != nil {
					b.Fatal(err)
				}
				queued += res.Queued
			}
			b.ReportMetric(float64(queued)/float64(i), "alerts/op")
		})
	}
}
