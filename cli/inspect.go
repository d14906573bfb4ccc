package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"herald/alerts"
	"herald/bot/console"
	"herald/config"
	"herald/news"
	"herald/summary"
)

// matchJSON is one line of `herald match -json`.
type matchJSON struct {
	Title   string       `json:"title"`
	Link    string       `json:"link"`
	Matches []news.Match `json:"matches"`
}

func cmdMatch(_ context.Context, c *cmdContext) int {
	if c.fs.NArg() == 0 {
		fmt.Fprintln(c.env.Stderr, "herald match: name at least one article or feed file (or - for stdin)")
		return exitUsage
	}
	cfg, ok := c.loadConfig()
	if !ok {
		return exitError
	}
	tags := map[string][]string{}
	for _, f := range cfg.Feeds {
		tags[f.Name] = f.Tags
	}
	if err := checkFeedFlag(cfg, c.feed); err != nil {
		fmt.Fprintf(c.env.Stderr, "herald match: %v\n", err)
		return exitUsage
	}
	enc := json.NewEncoder(c.env.Stdout)
	enc.SetEscapeHTML(false)
	status := exitOK
	for _, path := range c.fs.Args() {
		items, err := readItems(path, c.env.Stdin, int64(cfg.Watchers.MaxBody))
		if err != nil {
			fmt.Fprintf(c.env.Stderr, "herald match: %v\n", err)
			status = exitError
			continue
		}
		feed := inputFeed(cfg, c.feed, path)
		for _, it := range items {
			it.Feed = feed
			alerts.Prepare(&it)
			ms := cfg.Set.Match(alerts.Doc(it, tags[it.Feed]))
			if ms == nil {
				ms = []news.Match{}
			}
			if c.jsonOut {
				if err := enc.Encode(matchJSON{Title: it.Title, Link: it.Link, Matches: ms}); err != nil {
					fmt.Fprintf(c.env.Stderr, "herald match: %v\n", err)
					return exitError
				}
				continue
			}
			fmt.Fprintf(c.env.Stdout, "%s\n", orUntitled(it.Title))
			if it.Link != "" {
				fmt.Fprintf(c.env.Stdout, "  %s\n", it.Link)
			}
			if len(ms) == 0 {
				fmt.Fprintf(c.env.Stdout, "  no rule matched\n")
			}
			for _, m := range ms {
				fmt.Fprintf(c.env.Stdout, "  ✓ %s: %s\n", m.Rule, console.Matched(m.Hits))
			}
			fmt.Fprintln(c.env.Stdout)
		}
	}
	return status
}

// checkFeedFlag refuses a -feed that names no configured feed.
func checkFeedFlag(cfg *config.Config, name string) error {
	if name == "" {
		return nil
	}
	if _, ok := cfg.Feed(name); !ok {
		return fmt.Errorf("-feed %q: no feed has that name in %s%s", name, cfg.Path, cfg.SuggestFeed(name))
	}
	return nil
}

// inputFeed is the name of the feed the items read from path count as
// coming from, as in production: the -feed flag, else the configured feed
// that reads this very file, else none.
func inputFeed(cfg *config.Config, flagFeed, path string) string {
	if cfg == nil {
		return ""
	}
	if flagFeed != "" {
		f, _ := cfg.Feed(flagFeed)
		return f.Name
	}
	if path == "-" {
		return ""
	}
	in, err := os.Stat(path)
	if err != nil {
		return ""
	}
	for _, f := range cfg.NewsFeeds() {
		if !f.IsFile() {
			continue
		}
		if fi, err := os.Stat(f.URL); err == nil && os.SameFile(fi, in) {
			return f.Name
		}
	}
	return ""
}

func orUntitled(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(untitled)"
	}
	return s
}

// summaryJSON is one line of `herald summarize -json`; a quote's speaker is
// null when the article does not say who spoke.
type summaryJSON struct {
	Title   string      `json:"title"`
	Summary string      `json:"summary"`
	Quotes  []quoteJSON `json:"quotes"`
}

type quoteJSON struct {
	Text    string  `json:"text"`
	Speaker *string `json:"speaker"`
}

func cmdSummarize(_ context.Context, c *cmdContext) int {
	if c.fs.NArg() != 1 {
		fmt.Fprintln(c.env.Stderr, "herald summarize: name one article or feed file (or - for stdin)")
		return exitUsage
	}
	// summarize needs no config, but reads the feed and the size limit
	// from it when there is one; -feed needs it.
	maxBody := int64(config.DefaultMaxBody)
	var cfg *config.Config
	if c.feed != "" {
		var ok bool
		if cfg, ok = c.loadConfig(); !ok {
			return exitError
		}
		if err := checkFeedFlag(cfg, c.feed); err != nil {
			fmt.Fprintf(c.env.Stderr, "herald summarize: %v\n", err)
			return exitUsage
		}
	} else if loaded, err := config.Load(c.configPath, c.env.Getenv); err == nil {
		cfg = loaded
	}
	if cfg != nil {
		maxBody = int64(cfg.Watchers.MaxBody)
	}
	path := c.fs.Arg(0)
	items, err := readItems(path, c.env.Stdin, maxBody)
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald summarize: %v\n", err)
		return exitError
	}
	feed := inputFeed(cfg, c.feed, path)
	enc := json.NewEncoder(c.env.Stdout)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		it.Feed = feed
		alerts.Prepare(&it)
		lead := summary.Lead(it.Title, it.Text)
		quotes := summary.Quotes(it.Text)
		if c.jsonOut {
			out := summaryJSON{Title: it.Title, Summary: lead, Quotes: []quoteJSON{}}
			for _, q := range quotes {
				qj := quoteJSON{Text: q.Text}
				if q.Speaker != "" {
					sp := q.Speaker
					qj.Speaker = &sp
				}
				out.Quotes = append(out.Quotes, qj)
			}
			if err := enc.Encode(out); err != nil {
				fmt.Fprintf(c.env.Stderr, "herald summarize: %v\n", err)
				return exitError
			}
			continue
		}
		w := c.env.Stdout
		fmt.Fprintf(w, "%s\n\n", orUntitled(it.Title))
		fmt.Fprintf(w, "summary: %s\n", lead)
		if len(quotes) == 0 {
			fmt.Fprintf(w, "quotes:  none\n")
		}
		for i, q := range quotes {
			speaker := q.Speaker
			if speaker == "" {
				speaker = "(speaker not named)"
			}
			open, close := q.Marks()
			fmt.Fprintf(w, "quote %d: %s%s%s\n         — %s\n", i+1, open, q.Text, close, speaker)
		}
		fmt.Fprintln(w)
	}
	return exitOK
}
