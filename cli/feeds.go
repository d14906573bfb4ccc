package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"herald/bot"
	"herald/config"
	"herald/news"
	"herald/store"
	"herald/watchers"
)

// maxOPML caps the OPML file `herald import` reads.
const maxOPML = 10 << 20

// cmdFeeds lists the configured feeds with their health, or with `add URL`
// adds one.
func cmdFeeds(ctx context.Context, c *cmdContext) int {
	if c.fs.NArg() > 0 && c.fs.Arg(0) == "add" {
		return cmdFeedsAdd(ctx, c, c.fs.Args()[1:])
	}
	if c.fs.NArg() > 0 {
		fmt.Fprintf(c.env.Stderr, "herald feeds: unknown argument %q; use `herald feeds` to list and `herald feeds add URL` to add\n", c.fs.Arg(0))
		return exitUsage
	}
	cfg, ok := c.loadConfig()
	if !ok {
		return exitError
	}
	states, err := feedStates(ctx, cfg)
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald feeds: %v\n", err)
		return exitError
	}
	now := c.env.Now()
	if c.jsonOut {
		enc := json.NewEncoder(c.env.Stdout)
		for _, f := range cfg.NewsFeeds() {
			if err := enc.Encode(feedJSON(f, states[f.Name], now)); err != nil {
				fmt.Fprintf(c.env.Stderr, "herald feeds: %v\n", err)
				return exitError
			}
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tHEALTH\tINTERVAL\tLAST OK\tNEXT POLL\tDETAIL")
	count := map[news.Health]int{}
	for _, f := range cfg.NewsFeeds() {
		st := states[f.Name]
		h := st.HealthAt(now)
		count[h]++
		interval := "adaptive"
		switch {
		case f.Interval > 0:
			interval = shortAgo(f.Interval)
		case st.Interval > 0:
			interval = shortAgo(st.Interval) + " (adaptive)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Name, h, interval, ago(st.LastOK, now), in(st.NextPoll, now), feedDetail(f, st, now))
	}
	if err := tw.Flush(); err != nil {
		return exitError
	}
	var parts []string
	for _, h := range []news.Health{news.HealthOK, news.HealthFailing, news.HealthThrottled, news.HealthDead, news.HealthDisabled, news.HealthNew} {
		if count[h] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", count[h], h))
		}
	}
	fmt.Fprintf(c.env.Stdout, "\n%d feeds: %s\n", len(cfg.Feeds), strings.Join(parts, ", "))
	return exitOK
}

// feedStates reads the feeds' states, or none when the database does not
// exist yet (nothing was polled; listing must not create it).
func feedStates(ctx context.Context, cfg *config.Config) (map[string]news.FeedState, error) {
	if _, err := os.Stat(cfg.DatabasePath()); errors.Is(err, os.ErrNotExist) {
		return map[string]news.FeedState{}, nil
	}
	db, err := store.Open(ctx, cfg.DatabasePath())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.FeedStates(ctx)
}

// feedDetail is the DETAIL column: what is wrong, or where the feed moved.
func feedDetail(f news.Feed, st news.FeedState, now time.Time) string {
	switch {
	case st.Disabled != "":
		return st.Disabled
	case st.LastError != "" && !st.FailingSince.IsZero():
		return fmt.Sprintf("failing since %s (%d polls): %s", st.FailingSince.UTC().Format("2 Jan 15:04 MST"), st.Failures, oneLine(errorAdvice(f.Name, st.LastError), 200))
	case st.LastError != "":
		return oneLine(errorAdvice(f.Name, st.LastError), 200)
	case st.ConfigURL == f.URL && st.URL != "" && st.URL != f.URL:
		return "moved to " + redactURL(st.URL) + "; update its url in the config"
	}
	return ""
}

// errorAdvice is the part of a feed's error worth reading beside its name:
// without the package and feed prefix and the URL polled, which the row
// shows already, so the cause and the advice fit.
func errorAdvice(feed, msg string) string {
	msg = strings.TrimPrefix(msg, "watchers: ")
	msg = strings.TrimPrefix(msg, fmt.Sprintf("feed %q: ", feed))
	for _, verb := range []string{"fetch ", "parse ", "read ", "full text "} {
		if rest, ok := strings.CutPrefix(msg, verb); ok {
			if _, after, ok := strings.Cut(rest, ": "); ok {
				msg = after
			}
			break
		}
	}
	return msg
}

// addError is why a feed could not be added, worded for adding: the cause
// without the poller's prefixes, the original error kept for errors.Is.
type addError struct {
	url string
	err error
	msg string
}

func (e *addError) Error() string { return "cannot add " + e.url + " as a feed: " + e.msg }
func (e *addError) Unwrap() error { return e.err }

// oneLine folds s onto one line of at most max bytes.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		for max > 0 && !utf8.RuneStart(s[max]) {
			max-- // cut between characters
		}
		s = s[:max] + "…"
	}
	return s
}

func ago(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return shortAgo(now.Sub(t)) + " ago"
}

func in(t, now time.Time) string {
	switch {
	case t.IsZero():
		return "-"
	case !t.After(now):
		return "due"
	}
	return "in " + shortAgo(t.Sub(now))
}

// shortAgo writes a duration the short way: 45s, 12m, 3h05m, 4d.
func shortAgo(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// feedLine is one line of `herald feeds -json`.
type feedLine struct {
	Name         string `json:"name"`
	URL          string `json:"url"`
	PolledURL    string `json:"polled_url,omitempty"`
	Health       string `json:"health"`
	Interval     string `json:"interval"`
	Adaptive     bool   `json:"adaptive"`
	LastOK       string `json:"last_ok,omitempty"`
	LastPoll     string `json:"last_poll,omitempty"`
	NextPoll     string `json:"next_poll,omitempty"`
	Failures     int    `json:"failures"`
	FailingSince string `json:"failing_since,omitempty"`
	LastError    string `json:"last_error,omitempty"`
	Disabled     string `json:"disabled,omitempty"`
}

func feedJSON(f news.Feed, st news.FeedState, now time.Time) feedLine {
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	l := feedLine{
		Name: f.Name, URL: redactURL(f.URL), Health: string(st.HealthAt(now)), Adaptive: f.Interval == 0,
		LastOK: stamp(st.LastOK), LastPoll: stamp(st.LastPoll), NextPoll: stamp(st.NextPoll),
		Failures: st.Failures, FailingSince: stamp(st.FailingSince), LastError: st.LastError, Disabled: st.Disabled,
	}
	if f.IsFile() {
		l.URL = f.URL
	}
	if st.ConfigURL == f.URL && st.URL != "" && st.URL != f.URL {
		l.PolledURL = redactURL(st.URL)
	}
	switch {
	case f.Interval > 0:
		l.Interval = f.Interval.String()
	case st.Interval > 0:
		l.Interval = st.Interval.String()
	}
	return l
}

// discoverer returns a watcher for finding feeds behind URLs, with the
// config's limits and trust.
func discoverer(cfg *config.Config, c *cmdContext) *watchers.Watcher {
	return watchers.New(nil, nil, watchers.Options{
		Timeout:      time.Duration(cfg.Watchers.Timeout),
		UserAgent:    cfg.Watchers.UserAgent,
		MaxBody:      int64(cfg.Watchers.MaxBody),
		AllowPrivate: cfg.Watchers.AllowPrivate,
		Clock:        c.env.Now,
		Version:      version(),
	})
}

// cmdFeedsAdd is `herald feeds add [-name NAME] [-tags a,b] URL`: it finds
// the feed behind URL (a site's page names its feed) and appends it to the
// config's feeds.
func cmdFeedsAdd(ctx context.Context, c *cmdContext, args []string) int {
	fs := flag.NewFlagSet("herald feeds add", flag.ContinueOnError)
	fs.SetOutput(c.env.Stderr)
	fs.StringVar(&c.configPath, "config", c.configPath, "the config `FILE`")
	name := fs.String("name", "", "the feed's `NAME` (default: from its title or host)")
	tags := fs.String("tags", "", "comma-separated `TAGS` for its items")
	pos, err := parseArgs(fs, args, false)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(pos) != 1 {
		if len(pos) > 1 {
			fmt.Fprintf(c.env.Stderr, "herald feeds add: unexpected argument %q; it adds one feed at a time\n", pos[1])
		}
		fmt.Fprintln(c.env.Stderr, "usage: herald feeds add [-config FILE] [-name NAME] [-tags a,b] URL")
		return exitUsage
	}
	raw, err := config.WebURL(pos[0])
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald feeds add: cannot add %q as a feed: %v; give the http(s) address of the feed or of its site (file feeds go in the config by hand)\n", pos[0], err)
		return exitUsage
	}
	cfg, ok := c.loadConfig()
	if !ok {
		return exitError
	}
	nf, d, err := addFeed(ctx, c, cfg, raw, *name, splitTags(*tags), "")
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald feeds add: %v\n", err)
		return exitError
	}
	if d.URL != raw {
		fmt.Fprintf(c.env.Stdout, "%s leads to the feed %s\n", redactURL(raw), redactURL(d.URL))
	}
	fmt.Fprintf(c.env.Stdout, "added feed %s (%d items%s) to %s; a running herald polls it within seconds\n",
		nf.Name, d.Items, titleNote(d.Title), c.configPath)
	return exitOK
}

// addFeed finds the feed behind raw and appends it to the config at
// c.configPath, which cfg is loaded from, as name (from its title when
// empty). Names and URLs are checked again against the config as it is
// under the edit's lock, so that concurrent adds never collide. Its errors
// say what to do, for the command line and for chat.
func addFeed(ctx context.Context, c *cmdContext, cfg *config.Config, raw, name string, tags []string, origin string) (config.NewFeed, watchers.Discovered, error) {
	if name != "" && feedNames(cfg)[strings.ToLower(name)] {
		return config.NewFeed{}, watchers.Discovered{}, fmt.Errorf("cannot add the feed as %q: a feed has that name already; pick another name", name)
	}
	probe := cmpOr(name, slug(hostOf(raw)))
	d, err := discoverer(cfg, c).Discover(ctx, probe, raw, origin != "")
	if err != nil {
		return config.NewFeed{}, d, &addError{url: redactURL(raw), err: err, msg: errorAdvice(probe, err.Error())}
	}
	nf := config.NewFeed{Name: name, URL: d.URL, Title: d.Title, Tags: tags, Origin: origin}
	err = config.Edit(c.configPath, c.env.Getenv, "the new feed", func(cur *config.Config, data []byte) ([]byte, error) {
		names := feedNames(cur)
		if name != "" && names[strings.ToLower(name)] {
			return nil, fmt.Errorf("cannot add the feed as %q: a feed has that name already; pick another name", name)
		}
		if other, dup := configuredURL(cur, d.URL); dup {
			return nil, fmt.Errorf("%s is already the feed %q; nothing to add", redactURL(d.URL), other)
		}
		if nf.Name == "" {
			nf.Name = uniqueName(cmpOr(slug(d.Title), slug(hostOf(d.URL)), "feed"), names)
		}
		out, err := config.AppendFeeds(data, []config.NewFeed{nf})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.configPath, err)
		}
		return out, nil
	})
	if err != nil {
		return config.NewFeed{}, d, err
	}
	return nf, d, nil
}

// configEditor changes the config file herald runs with, one change at a
// time: it adds feeds for /feeds add in chat, and writes a moved feed's new
// URL; the config's reload then brings each change into force.
type configEditor struct {
	c  *cmdContext
	mu sync.Mutex
}

// AddFeed implements bot.FeedAdder.
func (a *configEditor) AddFeed(ctx context.Context, raw, name string) (bot.AddedFeed, error) {
	u, err := config.WebURL(raw)
	if err != nil {
		return bot.AddedFeed{}, fmt.Errorf("cannot add %q as a feed: %v; give the http(s) address of the feed or of its site", raw, err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	cfg, err := config.Load(a.c.configPath, a.c.env.Getenv)
	if err != nil {
		return bot.AddedFeed{}, fmt.Errorf("the config file does not load now; fix it first:\n%w", err)
	}
	nf, d, err := addFeed(ctx, a.c, cfg, u, name, nil, config.OriginChat)
	if err != nil {
		return bot.AddedFeed{}, err
	}
	return bot.AddedFeed{Name: nf.Name, URL: nf.URL, Title: d.Title, Items: d.Items}, nil
}

func titleNote(t string) string {
	if t == "" {
		return ""
	}
	return ": " + oneLine(t, 80)
}

func cmpOr(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// cmdImport is `herald import [-dry-run] FILE.opml`: it appends the feeds of
// an OPML file to the config's feeds, marked origin: opml.
func cmdImport(ctx context.Context, c *cmdContext) int {
	if c.fs.NArg() != 1 {
		fmt.Fprintln(c.env.Stderr, "usage: herald import [-config FILE] [-dry-run] FILE.opml")
		return exitUsage
	}
	cfg, ok := c.loadConfig()
	if !ok {
		return exitError
	}
	data, err := readLimited(c.fs.Arg(0), maxOPML)
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald import: %v\n", err)
		return exitError
	}
	entries, err := parseOPML(data)
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald import: %s: %v\n", c.fs.Arg(0), err)
		return exitError
	}
	// Find the feed URL of each entry first (sites without one are asked
	// for theirs), then plan what to add against the config: for -dry-run
	// the config as loaded, for the import itself the config as it is
	// under the edit's lock. Both check that the result loads.
	var (
		found   []config.NewFeed
		skipped int
		w       *watchers.Watcher
	)
	skip := func(e opmlEntry, why string) {
		skipped++
		fmt.Fprintf(c.env.Stderr, "skipped %q: %s\n", cmpOr(e.title, e.xmlURL, e.htmlURL), why)
	}
	for _, e := range entries {
		u, title := e.xmlURL, e.title
		if u == "" {
			// A site without its feed's URL: find the feed its page names.
			site, err := config.WebURL(e.htmlURL)
			if err != nil {
				skip(e, "no xmlUrl, and no http(s) htmlUrl to find the feed at")
				continue
			}
			if w == nil {
				w = discoverer(cfg, c)
			}
			d, err := w.Discover(ctx, cmpOr(slug(e.title), "feed"), site, true)
			if err != nil {
				skip(e, err.Error())
				continue
			}
			u, title = d.URL, cmpOr(title, d.Title)
		}
		clean, err := config.WebURL(u)
		if err != nil {
			skip(e, err.Error()+"; only web feeds are imported")
			continue
		}
		found = append(found, config.NewFeed{URL: clean, Title: title, Tags: e.tags, Origin: config.OriginOPML})
	}
	if len(found) == 0 {
		fmt.Fprintf(c.env.Stdout, "nothing to import (%d skipped)\n", skipped)
		return exitOK
	}
	var add []config.NewFeed
	var notes []string
	plan := func(cur *config.Config, data []byte) ([]byte, error) {
		add, notes = nil, nil
		names := feedNames(cur)
		seen := map[string]string{}
		for _, f := range cur.Feeds {
			seen[urlKey(f.URL)] = f.Name
		}
		for _, f := range found {
			if other, dup := seen[urlKey(f.URL)]; dup {
				notes = append(notes, fmt.Sprintf("skipped %q: already the feed %q", cmpOr(f.Title, f.URL), other))
				continue
			}
			f.Name = uniqueName(cmpOr(slug(f.Title), slug(hostOf(f.URL)), "feed"), names)
			seen[urlKey(f.URL)] = f.Name
			add = append(add, f)
		}
		if len(add) == 0 {
			return data, nil
		}
		out, err := config.AppendFeeds(data, add)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.configPath, err)
		}
		return out, nil
	}
	report := func() {
		for _, n := range notes {
			fmt.Fprintln(c.env.Stderr, n)
		}
		skipped += len(notes)
	}
	if c.dryRun {
		data, err := os.ReadFile(c.configPath)
		if err != nil {
			fmt.Fprintf(c.env.Stderr, "herald import: %v\n", err)
			return exitError
		}
		out, err := plan(cfg, data)
		if err == nil && len(add) > 0 {
			if _, perr := config.Parse(c.configPath, out, c.env.Getenv); perr != nil {
				err = fmt.Errorf("the config would not load with the new feeds, so the import would be refused:\n%w", perr)
			}
		}
		report()
		if err != nil {
			fmt.Fprintf(c.env.Stderr, "herald import: %v\n", err)
			return exitError
		}
		for _, f := range add {
			fmt.Fprintf(c.env.Stdout, "would add %s  %s\n", f.Name, redactURL(f.URL))
		}
		fmt.Fprintf(c.env.Stdout, "%d feeds to import, %d skipped; nothing written (-dry-run)\n", len(add), skipped)
		return exitOK
	}
	err = config.Edit(c.configPath, c.env.Getenv, "the new feeds", plan)
	report()
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald import: %v\n", err)
		return exitError
	}
	if len(add) == 0 {
		fmt.Fprintf(c.env.Stdout, "nothing to import (%d skipped)\n", skipped)
		return exitOK
	}
	fmt.Fprintf(c.env.Stdout, "imported %d feeds into %s (%d skipped); a running herald polls them within seconds\n", len(add), c.configPath, skipped)
	return exitOK
}

// readLimited reads at most max bytes of the file at path.
func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return data, nil
}

// cmdExport is `herald export`: the configured web feeds as OPML 2.0 on
// stdout, at the URLs herald polls (where a permanent redirect led).
func cmdExport(ctx context.Context, c *cmdContext) int {
	cfg, ok := c.loadConfig()
	if !ok {
		return exitError
	}
	states, err := feedStates(ctx, cfg)
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald export: %v\n", err)
		return exitError
	}
	doc := opmlDoc{Version: "2.0", Head: opmlHead{Title: "herald feeds", DateCreated: c.env.Now().UTC().Format(time.RFC1123Z)}}
	files := 0
	for _, f := range cfg.NewsFeeds() {
		if f.IsFile() {
			files++
			continue
		}
		u := f.URL
		if st := states[f.Name]; st.ConfigURL == f.URL && st.URL != "" {
			u = st.URL
		}
		o := outline{Type: "rss", Text: f.Name, Title: f.Name, XMLURL: u}
		if len(f.Tags) > 0 {
			o.Category = "/" + strings.Join(f.Tags, ",/")
		}
		doc.Body.Outlines = append(doc.Body.Outlines, o)
	}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald export: %v\n", err)
		return exitError
	}
	fmt.Fprintf(c.env.Stdout, "%s%s\n", xml.Header, out)
	if files > 0 {
		fmt.Fprintf(c.env.Stderr, "herald export: %d file feeds left out (OPML lists web feeds)\n", files)
	}
	return exitOK
}

// opmlDoc is an OPML 2.0 document, as far as feed lists use it.
type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    opmlHead `xml:"head"`
	Body    struct {
		Outlines []outline `xml:"outline"`
	} `xml:"body"`
}

type opmlHead struct {
	Title       string `xml:"title,omitempty"`
	DateCreated string `xml:"dateCreated,omitempty"`
}

type outline struct {
	Type     string    `xml:"type,attr,omitempty"`
	Text     string    `xml:"text,attr"`
	Title    string    `xml:"title,attr,omitempty"`
	XMLURL   string    `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string    `xml:"htmlUrl,attr,omitempty"`
	Category string    `xml:"category,attr,omitempty"`
	Children []outline `xml:"outline"`
}

// opmlEntry is one feed of an OPML file.
type opmlEntry struct {
	title, xmlURL, htmlURL string
	tags                   []string
}

// parseOPML returns the feeds of an OPML document: each outline with an
// xmlUrl, or without children but with an htmlUrl (a site whose feed is to
// be found). The folders an outline sits in and its category attribute
// become its tags.
func parseOPML(data []byte) ([]opmlEntry, error) {
	var doc opmlDoc
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.CharsetReader = charsetReader
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not an OPML file: %w", err)
	}
	if doc.XMLName.Local != "opml" {
		return nil, errors.New("not an OPML file: the root element is not <opml>")
	}
	var out []opmlEntry
	var walk func(level []outline, folders []string)
	walk = func(level []outline, folders []string) {
		for _, o := range level {
			title := strings.TrimSpace(cmpOr(o.Title, o.Text))
			if o.XMLURL == "" && len(o.Children) > 0 {
				walk(o.Children, append(folders[:len(folders):len(folders)], title))
				continue
			}
			if o.XMLURL == "" && o.HTMLURL == "" {
				continue
			}
			var tags []string
			for _, t := range folders {
				tags = appendTag(tags, t)
			}
			for c := range strings.SplitSeq(o.Category, ",") {
				parts := strings.Split(strings.Trim(strings.TrimSpace(c), "/"), "/")
				tags = appendTag(tags, parts[len(parts)-1])
			}
			out = append(out, opmlEntry{title: title, xmlURL: strings.TrimSpace(o.XMLURL), htmlURL: strings.TrimSpace(o.HTMLURL), tags: tags})
			walk(o.Children, folders)
		}
	}
	walk(doc.Body.Outlines, nil)
	return out, nil
}

// charsetReader lets OPML files declare Latin-1 (common in old exports);
// others must be UTF-8.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	case "iso-8859-1", "latin1", "latin-1", "windows-1252":
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		for _, c := range data {
			b.WriteRune(rune(c))
		}
		return strings.NewReader(b.String()), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q; save the file as UTF-8", label)
}

// appendTag adds the slug of t to tags, once.
func appendTag(tags []string, t string) []string {
	s := slug(t)
	if s == "" {
		return tags
	}
	for _, have := range tags {
		if have == s {
			return tags
		}
	}
	return append(tags, s)
}

// feedNames returns the configured feed names, in lower case.
func feedNames(cfg *config.Config) map[string]bool {
	names := map[string]bool{}
	for _, f := range cfg.Feeds {
		names[strings.ToLower(f.Name)] = true
	}
	return names
}

// configuredURL returns the name of the configured feed with this URL.
func configuredURL(cfg *config.Config, u string) (string, bool) {
	for _, f := range cfg.Feeds {
		if urlKey(f.URL) == urlKey(u) {
			return f.Name, true
		}
	}
	return "", false
}

// urlKey compares feed URLs: scheme and host in lower case, no trailing slash.
func urlKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return raw
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	return strings.TrimSuffix(u.String(), "/")
}

// uniqueName returns base, or base-2, base-3 ... whichever is not taken,
// and takes it.
func uniqueName(base string, taken map[string]bool) string {
	name := base
	for i := 2; taken[strings.ToLower(name)]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	taken[strings.ToLower(name)] = true
	return name
}

// slug makes a feed name or tag of s: lower-case ASCII letters and digits,
// runs of anything else a single '-', at most 40 bytes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			if b.Len() >= 40 {
				break
			}
			continue
		}
		dash = true
	}
	return b.String()
}

func splitTags(s string) []string {
	var tags []string
	for t := range strings.SplitSeq(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

func feedsFlags(fs *flag.FlagSet, c *cmdContext) {
	fs.BoolVar(&c.jsonOut, "json", false, "print one JSON object per feed, one per line")
}

func importFlags(fs *flag.FlagSet, c *cmdContext) {
	fs.BoolVar(&c.dryRun, "dry-run", false, "say what would be imported, and change nothing")
}
