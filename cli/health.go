package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"herald/metrics"
	"herald/news"
	"herald/watchers"
)

// aliveWithin is how long the poll loop may go without a turn before
// /healthz says herald is unhealthy; the loop turns at least every 10 s.
const aliveWithin = time.Minute

// pollMetrics feeds the watchers' poll events to the metrics.
type pollMetrics struct{ m *metrics.Metrics }

func (p pollMetrics) ObservePoll(ev watchers.PollEvent) {
	p.m.Poll(string(ev.Outcome), ev.ErrorKind, ev.Duration, ev.Items)
}

// FeedNotice queues a notice about a feed's health for the admin chat
// (watchers.admin) through the outbox, where it is delivered like an alert.
// Without an admin chat the watcher's log line is the notice.
//
// A feed that moved permanently has its new URL written into the config
// (see config.MoveFeedURL), when that can be done without asking; the notice says
// which happened.
func (s *service) FeedNotice(ctx context.Context, n watchers.Notice) error {
	s.metrics.Notice(string(n.Kind))
	moved := ""
	if n.Kind == watchers.NoticeMoved {
		moved = s.moveFeed(ctx, n)
	}
	if s.admin == nil {
		return nil
	}
	a := noticeAlert(n, moved)
	a.Destination = *s.admin
	key := fmt.Sprintf("%s/%s/%d", n.Kind, n.Feed.Name, n.Since.Unix())
	if n.Kind == watchers.NoticeMoved {
		key = fmt.Sprintf("%s/%s/%s", n.Kind, n.Feed.Name, redactURL(n.URL))
	}
	added, err := s.db.AddNotice(ctx, n.At, key, a)
	if err != nil {
		return err
	}
	if added {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

// moveFeed writes a moved feed's new URL into the config and returns what
// the admin's notice should say of it.
func (s *service) moveFeed(ctx context.Context, n watchers.Notice) string {
	log := s.log.With("feed", n.Feed.Name, "url", redactURL(n.Feed.URL), "moved_to", redactURL(n.URL))
	if err := s.editor.MoveFeed(ctx, n.Feed.Name, n.Feed.URL, n.URL); err != nil {
		log.Warn("a feed moved, and its url in the config could not be updated; update it by hand", "reason", err.Error())
		return fmt.Sprintf("Its url in the config was left as it is (%v): update it by hand.", err)
	}
	log.Info("a feed moved; its url in the config is updated")
	return "Its url in the config is updated to the new one."
}

// noticeAlert writes a notice as the alert the admin chat gets; moved is
// what became of the config, for NoticeMoved.
func noticeAlert(n watchers.Notice, moved string) news.Alert {
	a := news.Alert{Published: n.At}
	if !n.Feed.IsFile() {
		a.Link = redactURL(n.URL)
	}
	since := n.Since.UTC().Format("Mon 2 Jan 15:04 MST")
	switch n.Kind {
	case watchers.NoticeDead:
		a.Title = fmt.Sprintf("Feed %s has been failing since %s", n.Feed.Name, since)
		a.Summary = fmt.Sprintf("The last error: %s. herald keeps trying, at most hourly; check the feed's url in the config, or remove the feed.", n.Err)
	case watchers.NoticeGone:
		a.Title = fmt.Sprintf("Feed %s is gone; herald stopped polling it", n.Feed.Name)
		a.Summary = fmt.Sprintf("The server answered 410 Gone: %s. Remove the feed from the config, or give it a new url, which herald then polls.", n.Err)
	case watchers.NoticeRecovered:
		a.Title = fmt.Sprintf("Feed %s is back", n.Feed.Name)
		a.Summary = fmt.Sprintf("It answered again, after failing since %s.", since)
	case watchers.NoticeMoved:
		a.Title = fmt.Sprintf("Feed %s moved to %s", n.Feed.Name, redactURL(n.URL))
		a.Summary = fmt.Sprintf("%s answered with a permanent redirect; herald polls the feed at its new URL. %s", redactURL(n.Feed.URL), moved)
	default:
		a.Title = fmt.Sprintf("Feed %s: %s", n.Feed.Name, n.Kind)
		a.Summary = n.Err
	}
	return a
}

// redactURL hides a password in a URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Redacted()
}

// gauges reads what /metrics reports from the store: the outbox depth and
// the configured feeds by health.
func (s *service) gauges(ctx context.Context) (metrics.Gauges, error) {
	pending, err := s.db.PendingCount(ctx)
	if err != nil {
		return metrics.Gauges{}, err
	}
	states, err := s.db.FeedStates(ctx)
	if err != nil {
		return metrics.Gauges{}, err
	}
	g := metrics.Gauges{Pending: pending, Feeds: map[news.Health]int{}}
	now := s.now()
	for _, f := range *s.feeds.Load() {
		g.Feeds[states[f.Name].HealthAt(now)]++
	}
	return g, nil
}

// serve starts herald's HTTP server on addr: /healthz, /metrics, and the
// Slack slash commands when Slack's HTTP mode is on (it adds its path to the
// same mux). The server stops when ctx ends; wg waits for it.
func (s *service) serve(ctx context.Context, wg *sync.WaitGroup, addr string) error {
	s.mux.Handle("/healthz", metrics.HealthHandler(map[string]metrics.Check{
		"store":     s.db.Ping,
		"poll_loop": metrics.Alive(s.watcher.Alive, aliveWithin, time.Now),
	}))
	s.mux.Handle("/metrics", s.metrics.Handler(s.gauges))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("the HTTP server stopped", "err", err)
		}
	})
	wg.Go(func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			s.log.Error("stopping the HTTP server", "err", err)
		}
	})
	s.log.Info("serving /healthz and /metrics", "listen", ln.Addr().String())
	return nil
}
