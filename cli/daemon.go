package cli

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"herald/alerts"
	"herald/bot"
	"herald/bot/console"
	"herald/bot/ratelimit"
	"herald/bot/slack"
	"herald/bot/telegram"
	"herald/config"
	"herald/metrics"
	"herald/news"
	"herald/search"
	"herald/store"
	"herald/watchers"
	"herald/web"
)

// service is herald's running parts, wired from one config.
type service struct {
	db       *store.DB
	pipeline *alerts.Pipeline
	watcher  *watchers.Watcher
	dispatch *bot.Dispatcher
	log      *slog.Logger
	feeds    atomic.Pointer[[]news.Feed]
	wake     chan struct{}
	// telegram is the Telegram adapter; nil when no token is configured.
	telegram *telegram.Client
	// slack is the Slack adapter; nil when no bot token is configured.
	slack *slack.Client
	// catalog is what chat commands see of the config; reload replaces it.
	catalog atomic.Pointer[bot.Catalog]
	// metrics counts polls and deliveries for /metrics.
	metrics *metrics.Metrics
	// admin is where feed notices go; nil: they are only logged.
	admin *news.Destination
	// mux is the handler of the server on listen:; nil without listen:.
	mux *http.ServeMux
	// now is the clock, for the poll-to-stored latency and feed health.
	now func() time.Time
	// search answers /search; reload gives it the new entities and tags.
	search *search.Engine
	// editor changes the config file for /feeds add and for feeds that
	// moved; the reload then brings each change into force.
	editor *configEditor
	// retention prunes old items; reload changes its retention.
	retention *retentionJob
	// cfg is the config in force, for reload to tell what changed.
	cfg atomic.Pointer[config.Config]
	// watchlist keeps the pipeline's watches in step with the store.
	watchlist *alerts.Watchlist
	// web serves the status pages (web.enabled); nil when they are off.
	// webCfg is what they show of the config, which reload replaces, and
	// polls keeps each feed's poll history for them.
	web    *web.Server
	webCfg atomic.Pointer[web.Config]
	polls  *web.PollLog
}

// catalogOf returns the topics and feeds of cfg as the command router shows them.
func catalogOf(cfg *config.Config) *bot.Catalog {
	cat := &bot.Catalog{}
	for _, r := range cfg.Rules {
		cat.Topics = append(cat.Topics, bot.Topic{Name: r.Name, Description: r.Description, Notify: r.Destinations})
	}
	for _, f := range cfg.Feeds {
		cat.Feeds = append(cat.Feeds, f.Name)
	}
	w := cfg.Watches
	cat.Watches = bot.WatchLimits{Enabled: w.On(), PerChat: w.PerChat, MaxQuery: w.MaxQuery, MaxShare: float64(w.MaxShare)}
	return cat
}

// limitsOf applies a platform's rate: section to its default limits.
func limitsOf(l bot.Limits, r config.Rates) bot.Limits {
	set := func(dst *ratelimit.Limit, rate *config.Rate, burst int) {
		if rate == nil {
			if burst > 0 {
				dst.Burst = burst
			}
			return
		}
		if rate.N == 0 {
			*dst = ratelimit.Limit{} // off
			return
		}
		*dst = ratelimit.Per(rate.N, rate.Per, max(burst, 1))
	}
	set(&l.PerChat, r.Chat, cmp.Or(r.Burst, l.PerChat.Burst))
	if g := cmp.Or(r.Group, &config.Rate{N: bot.GroupRate, Per: bot.GroupPeriod}); g.N == 0 {
		l.PerGroup = ratelimit.Limit{} // off
	} else if !l.PerGroup.Unlimited() { // only Telegram has a group limit
		l.PerGroup = ratelimit.Within(g.N, g.Per, cmp.Or(r.GroupBurst, bot.DefaultGroupBurst))
	}
	set(&l.Global, r.Global, l.Global.Burst)
	return l
}

// notifiedRules names the topics whose config notify lists post to chat on
// platform (in any of its threads).
func notifiedRules(cat *bot.Catalog, platform news.Platform, chat string) []string {
	var out []string
	for _, t := range cat.Topics {
		for _, d := range t.Notify {
			if d.Platform == platform && d.Chat == chat {
				out = append(out, t.Name)
				break
			}
		}
	}
	return out
}

func topicsOf(cfg *config.Config) *alerts.Topics {
	t := &alerts.Topics{Set: cfg.Set, Notify: map[string][]news.Destination{}, Tags: map[string][]string{}, Batches: map[string]news.Batch{}}
	t.Quotes = cfg.Alerts.Quotes
	t.Entities = map[string]string{}
	for _, e := range cfg.Entities {
		t.Entities[strings.ToLower(e.ID)] = e.Name
	}
	if m := cfg.Alerts.QuoteMax; m != nil {
		t.QuoteMax = *m
	}
	for _, r := range cfg.Rules {
		t.Notify[r.Name] = r.Destinations
		if r.Batch != nil {
			t.Batches[r.Name] = *r.Batch
		}
	}
	for _, f := range cfg.Feeds {
		t.Tags[f.Name] = f.Tags
	}
	return t
}

// start opens the store and wires the pipeline, watcher and dispatcher.
func start(ctx context.Context, c *cmdContext, cfg *config.Config, log *slog.Logger) (*service, error) {
	db, err := store.Open(ctx, cfg.DatabasePath())
	if err != nil {
		return nil, err
	}
	s := &service{db: db, log: log, wake: make(chan struct{}, 1), metrics: metrics.New(), admin: cfg.Watchers.AdminDest, now: c.env.Now,
		editor: &configEditor{c: c}, retention: newRetentionJob(time.Duration(cfg.Retention))}
	s.cfg.Store(cfg)
	if cfg.Listen != "" {
		s.mux = http.NewServeMux()
	}
	s.pipeline = alerts.New(db, topicsOf(cfg), c.env.Now, log)
	s.search = search.New(db, searchConfig(cfg), c.env.Now)
	s.watchlist = alerts.NewWatchlist(s.pipeline, db, cfg.RuleEntities(), log)
	s.watchlist.SetEnabled(cfg.Watches.On())
	if err := s.watchlist.Load(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s.pipeline.Notify = func() {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	feeds := cfg.NewsFeeds()
	s.feeds.Store(&feeds)
	var observer watchers.Observer = pollMetrics{s.metrics}
	if cfg.Web.Enabled {
		s.polls = web.NewPollLog(db, c.env.Now, log)
		observer = observers{observer, s.polls}
	}
	s.watcher = watchers.New(db, s.handle, watchers.Options{
		Timeout:     time.Duration(cfg.Watchers.Timeout),
		UserAgent:   cfg.Watchers.UserAgent,
		MaxBody:     int64(cfg.Watchers.MaxBody),
		Concurrency: cfg.Watchers.Concurrency,
		PerHost:     cfg.Watchers.PerHost,
		MinInterval: time.Duration(cfg.Watchers.MinInterval),
		MaxInterval: time.Duration(cfg.Watchers.MaxInterval),
		// AllowPrivate concerns feeds imported from OPML only.
		AllowPrivate: cfg.Watchers.AllowPrivate,
		Notices:      s,
		Observer:     observer,
		Clock:        c.env.Now,
		Logger:       log,
		Version:      version(),
	})
	s.pipeline.Articles = s.watcher
	loc := cfg.Alerts.Location()
	senders := map[news.Platform]bot.Sender{news.Console: console.New(c.env.Stdout, loc)}
	s.catalog.Store(catalogOf(cfg))
	if t := cfg.Telegram; t.Token != "" {
		tg, err := telegram.New(telegram.Options{
			Token: t.Token, APIURL: t.APIURL, LinkPreview: t.LinkPreview, Admins: t.Admins,
			Webhook: telegram.Webhook{URL: t.Webhook.URL, Listen: t.Webhook.Listen, SecretToken: t.Webhook.SecretToken},
			Store:   db, Log: log, Location: loc, Now: c.env.Now,
			Notified: func(chat string) []string { return notifiedRules(s.catalog.Load(), news.Telegram, chat) },
			// Flood waits are the dispatcher's: it holds only the chat that
			// got the 429 while the others keep flowing.
			MaxFloodWait: time.Nanosecond,
		})
		if err != nil {
			db.Close()
			return nil, err
		}
		s.telegram = tg
		senders[news.Telegram] = tg
	}
	if sl := cfg.Slack; sl.BotToken != "" {
		sc, err := slack.New(slack.Options{
			BotToken: sl.BotToken, AppToken: sl.AppToken, SigningSecret: sl.SigningSecret, Listen: cfg.Listen, Mux: s.mux,
			APIURL: sl.APIURL, LinkUnfurl: sl.LinkUnfurl, Admins: sl.Admins, Store: db, Log: log, Location: loc,
			// Rate limits are the dispatcher's, as for Telegram.
			MaxRateWait: time.Nanosecond,
		})
		if err != nil {
			db.Close()
			return nil, err
		}
		s.slack = sc
		senders[news.Slack] = sc
	}
	if cfg.Web.Enabled {
		if err := s.startWeb(cfg, log); err != nil {
			db.Close()
			return nil, err
		}
	}
	for p, sender := range senders {
		senders[p] = s.metrics.Sender(p, sender)
	}
	s.dispatch = bot.NewDispatcher(db, senders, c.env.Now, log, uint64(c.env.Now().UnixNano()))
	s.dispatch.SetLimits(news.Telegram, limitsOf(bot.DefaultLimits[news.Telegram], cfg.Telegram.Rate))
	s.dispatch.SetLimits(news.Slack, limitsOf(bot.DefaultLimits[news.Slack], cfg.Slack.Rate))
	if t := cfg.Digest.Threshold; t != nil {
		s.dispatch.DigestThreshold = *t
		if *t == 0 {
			s.dispatch.DigestThreshold = -1 // 0 in the config: digests off
		}
	}
	return s, nil
}

func (s *service) handle(ctx context.Context, b watchers.Batch) error {
	res, err := s.pipeline.Ingest(ctx, b.Feed, b.Items, b.First)
	s.metrics.Ingested(res.New, res.Matched, res.Queued, s.now().Sub(b.Started))
	if s.polls != nil {
		s.polls.Stored(b.Feed.Name, res.New)
	}
	if res.New > 0 {
		s.log.Info("feed polled", "feed", b.Feed.Name, "items", len(b.Items), "new", res.New, "matched", res.Matched, "queued", res.Queued, "first_poll", b.First)
	}
	return err
}

func cmdOnce(ctx context.Context, c *cmdContext) int {
	cfg, ok := c.loadConfig()
	if !ok {
		return exitError
	}
	log := newLogger(c.env.Stderr, cfg)
	s, err := start(ctx, c, cfg, log)
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald once: %v\n", err)
		return exitError
	}
	defer s.db.Close()
	rep, err := s.watcher.PollAll(ctx, *s.feeds.Load())
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald once: %v\n", err)
		return exitError
	}
	if s.polls != nil {
		s.polls.Flush(ctx)
	}
	st, err := s.dispatch.Flush(ctx)
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald once: %v\n", err)
		return exitError
	}
	log.Info("once: done", "feeds", rep.Polled, "not_modified", rep.NotModified, "failed", rep.Failed,
		"alerts_sent", st.Sent, "alerts_failed", st.Failed, "alerts_waiting", st.Waiting)
	held, next, err := s.db.Held(ctx, c.env.Now())
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald once: %v\n", err)
		return exitError
	}
	if held > 0 {
		// On stderr: stdout carries the alerts themselves.
		fmt.Fprintf(c.env.Stderr, "herald once: %d %s held for a digest or a mute, the first due %s; once does not send them early: `herald run` (or a later `herald once`) delivers them when due\n",
			held, plural(held, "alert", "alerts"), next.Format("2 Jan 15:04 MST"))
	}
	return exitOK
}

func cmdRun(ctx context.Context, c *cmdContext) int {
	// The version read before loading: an edit made while herald starts is
	// seen as a change and reloaded.
	loaded := readVersion(c.configPath)
	cfg, ok := c.loadConfig()
	if !ok {
		return exitError
	}
	log := newLogger(c.env.Stderr, cfg)
	s, err := start(ctx, c, cfg, log)
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald run: %v\n", err)
		return exitError
	}
	defer s.db.Close()

	ctx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	var wg sync.WaitGroup
	wg.Go(func() {
		if err := s.watcher.Run(ctx, func() []news.Feed { return *s.feeds.Load() }); err != nil {
			log.Error("watchers stopped", "err", err)
		}
	})
	wg.Go(func() {
		if err := s.dispatch.Run(ctx, s.wake, 15*time.Second); err != nil {
			log.Error("dispatcher stopped", "err", err)
		}
	})
	if s.telegram != nil {
		router := bot.NewRouter(s.db, func() bot.Catalog { return *s.catalog.Load() }, c.env.Now, s.cfg.Load().Alerts.Location(), bot.WithSearch(s.search), bot.WithFeedAdder(s.editor), bot.WithWatches(s.watchlist))
		wg.Go(func() {
			if err := s.telegram.Run(ctx, router); err != nil {
				log.Error("Telegram commands stopped; alerts are still sent", "err", err)
			}
		})
	}
	if s.slack != nil {
		router := bot.NewRouter(s.db, func() bot.Catalog { return *s.catalog.Load() }, c.env.Now, s.cfg.Load().Alerts.Location(), bot.WithSearch(s.search), bot.WithFeedAdder(s.editor), bot.WithWatches(s.watchlist))
		wg.Go(func() {
			if err := s.slack.Run(ctx, router); err != nil {
				log.Error("Slack commands stopped; alerts are still sent", "err", err)
			}
		})
	}
	if s.web != nil {
		s.web.Register(s.mux)
		wg.Go(func() { s.polls.Run(ctx, time.Second) })
	}
	if s.mux != nil {
		if err := s.serve(ctx, &wg, cmp.Or(cfg.Listen, cfg.WebListen())); err != nil {
			fmt.Fprintf(c.env.Stderr, "herald run: %v\n", err)
			cancelRun()
			wg.Wait()
			return exitError
		}
	}
	wg.Go(func() { s.retention.run(ctx, s.db, retentionEvery, c.env.Now, log) })
	wg.Go(func() { s.watchlist.Run(ctx, watchesPollEvery) })
	changed := make(chan struct{}, 1)
	wg.Go(func() { watchFile(ctx, c.configPath, loaded, configPollEvery, changed) })
	log.Info("herald running", "version", version(), "config", c.configPath, "feeds", len(cfg.Feeds), "rules", len(cfg.Rules), "database", cfg.DatabasePath())
	if c.env.Ready != nil {
		c.env.Ready()
	}
	for {
		select {
		case <-ctx.Done():
			log.Info("shutting down")
			wg.Wait()
			return exitOK
		case <-hup:
			log.Info("SIGHUP: reloading the config")
			s.reload(c)
		case <-changed:
			log.Info("config file changed: reloading")
			s.reload(c)
		}
	}
}

// reload reads the config again and swaps in its rules, entities, feeds and
// retention; a bad config is logged with its positions and the running one
// stays in force. Items already being matched finish with the rules they
// started with. The settings read at start only (restartKeys) are logged
// when they change, with a word to restart.
func (s *service) reload(c *cmdContext) {
	cfg, err := config.Load(c.configPath, c.env.Getenv)
	if err != nil {
		if ce, ok := err.(*config.Error); ok {
			for _, p := range ce.Problems {
				s.log.Error("config reload refused; the previous config stays in force", "problem", p.String())
			}
		} else {
			s.log.Error("config reload refused; the previous config stays in force", "err", err)
		}
		return
	}
	s.pipeline.SetTopics(topicsOf(cfg))
	s.watchlist.SetEntities(cfg.RuleEntities())
	s.watchlist.SetEnabled(cfg.Watches.On())
	s.search.SetConfig(searchConfig(cfg))
	s.catalog.Store(catalogOf(cfg))
	s.webCfg.Store(web.ConfigOf(cfg))
	feeds := cfg.NewsFeeds()
	s.feeds.Store(&feeds)
	s.watcher.Rescan()
	s.retention.set(time.Duration(cfg.Retention))
	if keys := restartKeys(s.cfg.Swap(cfg), cfg); len(keys) > 0 {
		s.log.Warn("config changed settings that apply only at start; restart herald to apply them", "keys", strings.Join(keys, ", "))
	}
	s.log.Info("config reloaded", "feeds", len(cfg.Feeds), "rules", len(cfg.Rules))
}

// restartKeys returns the config keys read at start only that differ between
// old and new.
func restartKeys(old, new *config.Config) []string {
	var keys []string
	for _, k := range []struct {
		key      string
		old, new any
	}{
		{"database", old.DatabasePath(), new.DatabasePath()},
		{"log", old.Log, new.Log},
		{"watchers", old.Watchers, new.Watchers},
		{"telegram", old.Telegram, new.Telegram},
		{"slack", old.Slack, new.Slack},
		{"listen", old.Listen, new.Listen},
		{"web", old.Web, new.Web},
		{"digest.threshold", old.Digest.Threshold, new.Digest.Threshold},
	} {
		if !sameSetting(k.old, k.new) {
			keys = append(keys, k.key)
		}
	}
	return keys
}

// sameSetting compares two config values by their exported fields, which
// leaves out where in the file they were written.
func sameSetting(a, b any) bool {
	return sameExported(reflect.ValueOf(a), reflect.ValueOf(b))
}

func sameExported(a, b reflect.Value) bool {
	if !a.IsValid() || !b.IsValid() {
		return a.IsValid() == b.IsValid()
	}
	if a.Type() != b.Type() {
		return false // two interfaces holding different types
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameExported(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() && !sameExported(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameExported(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if v := b.MapIndex(k); !v.IsValid() || !sameExported(a.MapIndex(k), v) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}
