package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"herald/config"
	"herald/rules"
	"herald/search"
	"herald/store"
)

// defaultSearchLimit is how many results `herald search` prints unless -limit says.
const defaultSearchLimit = 10

func searchFlags(fs *flag.FlagSet, c *cmdContext) {
	jsonFlag(fs, c)
	fs.Int("limit", defaultSearchLimit, "print at most `N` results")
}

// searchJSON is one line of `herald search -json`.
type searchJSON struct {
	Title     string    `json:"title"`
	Link      string    `json:"link"`
	Feed      string    `json:"feed"`
	Published time.Time `json:"published"`
	Snippet   string    `json:"snippet"`
}

// searchConfig is what searches need of cfg: the entities, each feed's tags,
// and the time zone of since: dates (digest.timezone).
func searchConfig(cfg *config.Config) search.Config {
	sc := search.Config{Entities: cfg.RuleEntities(), FeedTags: map[string][]string{}}
	for _, f := range cfg.Feeds {
		sc.FeedTags[f.Name] = f.Tags
	}
	if tz := cfg.Digest.Timezone; tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			sc.Location = loc
		}
	}
	return sc
}

func cmdSearch(ctx context.Context, c *cmdContext) int {
	if c.fs.NArg() == 0 {
		fmt.Fprintln(c.env.Stderr, `herald search: write a query, such as: herald search '"black sea" grain since:7d'`)
		return exitUsage
	}
	limit := c.fs.Lookup("limit").Value.(flag.Getter).Get().(int)
	if limit < 1 {
		fmt.Fprintf(c.env.Stderr, "herald search: -limit %d: print at least 1 result\n", limit)
		return exitUsage
	}
	cfg, db, ok := c.openStore(ctx, "search")
	if !ok {
		return exitError
	}
	defer db.Close()
	query := strings.Join(c.fs.Args(), " ")
	eng := search.New(db, searchConfig(cfg), c.env.Now)
	page, err := eng.Search(ctx, query, search.Cursor{}, limit)
	var qe *rules.Error
	switch {
	case errors.As(err, &qe):
		off := min(max(qe.Offset, 0), len(query))
		col := utf8.RuneCountInString(query[:off]) + 1
		fmt.Fprintf(c.env.Stderr, "herald search: col %d: %s\n  %s\n  %s^\n", col, qe.Msg, query, strings.Repeat(" ", col-1))
		return exitUsage
	case err != nil:
		fmt.Fprintf(c.env.Stderr, "herald search: %v\n", err)
		return exitError
	}
	if c.jsonOut {
		enc := json.NewEncoder(c.env.Stdout)
		enc.SetEscapeHTML(false)
		for _, r := range page.Results {
			line := searchJSON{Title: r.Title, Link: r.Link, Feed: r.Feed, Published: r.Published.UTC(), Snippet: r.SnippetText()}
			if err := enc.Encode(line); err != nil {
				fmt.Fprintf(c.env.Stderr, "herald search: %v\n", err)
				return exitError
			}
		}
	} else {
		w := c.env.Stdout
		for i, r := range page.Results {
			fmt.Fprintf(w, "%d. %s\n   %s · %s\n", i+1, orUntitled(r.Title), r.Feed, r.Published.UTC().Format("Mon 2 Jan 2006 15:04 MST"))
			var snip strings.Builder
			for _, f := range r.Snippet {
				if f.Hit {
					snip.WriteString("**" + f.Text + "**")
				} else {
					snip.WriteString(f.Text)
				}
			}
			if snip.Len() > 0 {
				fmt.Fprintf(w, "   %s\n", snip.String())
			}
			if r.Link != "" {
				fmt.Fprintf(w, "   %s\n", r.Link)
			}
			fmt.Fprintln(w)
		}
	}
	switch {
	case len(page.Results) == 0 && page.More:
		fmt.Fprintf(c.env.Stderr, "herald search: no match among the newest %d candidates; narrow the query or add since:\n", page.Scanned)
	case len(page.Results) == 0:
		fmt.Fprintln(c.env.Stderr, "herald search: no stored article matches")
	case page.More:
		fmt.Fprintf(c.env.Stderr, "herald search: more results; raise -limit (now %d) to see them\n", limit)
	}
	return exitOK
}

// pruner is what the retention job needs of the store.
type pruner interface {
	Prune(ctx context.Context, now time.Time, retention time.Duration) (store.PruneStats, error)
}

// retentionEvery is how often `herald run` prunes.
const retentionEvery = 24 * time.Hour

// retentionJob is the daily prune of `herald run`, with the retention a
// reload may change.
type retentionJob struct {
	retention atomic.Int64  // a time.Duration; 0: keep everything
	changed   chan struct{} // a new retention, to apply at once
}

func newRetentionJob(r time.Duration) *retentionJob {
	j := &retentionJob{changed: make(chan struct{}, 1)}
	j.retention.Store(int64(r))
	return j
}

// set changes the retention; a change is applied at once.
func (j *retentionJob) set(r time.Duration) {
	if time.Duration(j.retention.Swap(int64(r))) == r {
		return
	}
	select {
	case j.changed <- struct{}{}:
	default:
	}
}

// run prunes what is older than the retention at once, then every `every`
// and whenever the retention changes, until ctx ends; without a retention it
// only waits. Prune works in short transactions, so polling and delivery go
// on while it runs.
func (j *retentionJob) run(ctx context.Context, db pruner, every time.Duration, now func() time.Time, log *slog.Logger) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-j.changed:
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
		}
		select {
		case <-j.changed: // read below, with the rest
		default:
		}
		retention := time.Duration(j.retention.Load())
		if retention <= 0 {
			t.Reset(every)
			continue
		}
		start := time.Now()
		st, err := db.Prune(ctx, now(), retention)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("retention: pruning failed; trying again in a day", "err", err)
		default:
			log.Info("retention: pruned", "items", st.Items, "delivered_alerts", st.Delivered,
				"forgotten", st.Forgotten, "retention", config.Duration(retention).String(), "took", time.Since(start).Round(time.Millisecond))
		}
		t.Reset(every)
	}
}
