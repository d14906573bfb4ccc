// Package metrics is herald's window for operators: Prometheus metrics of
// polling and delivery at /metrics, and a health check at /healthz, both
// served on the address in the config's listen: key.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"herald/bot"
	"herald/news"
)

// Metrics holds herald's collectors in a registry of its own. It is safe for
// concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	polls       *prometheus.CounterVec
	pollErrors  *prometheus.CounterVec
	pollSeconds prometheus.Histogram
	feedItems   prometheus.Counter
	newItems    prometheus.Counter
	matches     prometheus.Counter
	queued      prometheus.Counter
	storedAfter prometheus.Histogram
	deliveries  *prometheus.CounterVec
	pending     prometheus.Gauge
	feeds       *prometheus.GaugeVec
	notices     *prometheus.CounterVec
}

// New returns the metrics, with Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	buckets := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	m.polls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "herald_polls_total",
		Help: "Feed polls by outcome: ok (a feed document), not_modified (304) or error.",
	}, []string{"outcome"})
	m.pollErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "herald_poll_errors_total",
		Help: "Failed feed polls by kind: timeout, dns, connect, tls, throttled, gone, http_4xx, http_5xx, too_large, not_feed, parse, ...",
	}, []string{"kind"})
	m.pollSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "herald_poll_duration_seconds",
		Help:    "Time to fetch and parse one feed, whatever the outcome.",
		Buckets: buckets,
	})
	m.feedItems = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "herald_feed_items_total",
		Help: "Items in the feed documents fetched, new or not.",
	})
	m.newItems = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "herald_items_new_total",
		Help: "Items seen for the first time and stored.",
	})
	m.matches = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "herald_matches_total",
		Help: "New items that matched at least one rule.",
	})
	m.queued = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "herald_alerts_queued_total",
		Help: "Alerts queued in the outbox, one per destination.",
	})
	m.storedAfter = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "herald_poll_to_stored_seconds",
		Help:    "Time from the start of a poll to its new items being stored with their alerts.",
		Buckets: buckets,
	})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "herald_deliveries_total",
		Help: "Alert deliveries by platform and outcome: sent, retry (a transient failure) or failed (permanent).",
	}, []string{"platform", "outcome"})
	m.pending = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "herald_outbox_pending",
		Help: "Alerts waiting in the outbox for delivery (queue depth), read at scrape time.",
	})
	m.feeds = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "herald_feeds",
		Help: "Configured feeds by health: new, ok, throttled, failing, dead (failing for 24 h) or disabled (410), read at scrape time.",
	}, []string{"health"})
	m.notices = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "herald_feed_notices_total",
		Help: "Feed health notices given: dead, gone, recovered.",
	}, []string{"kind"})
	m.reg.MustRegister(m.polls, m.pollErrors, m.pollSeconds, m.feedItems, m.newItems, m.matches, m.queued,
		m.storedAfter, m.deliveries, m.pending, m.feeds, m.notices,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, o := range []string{"ok", "not_modified", "error"} {
		m.polls.WithLabelValues(o)
	}
	return m
}

// Registry returns the registry the metrics are in, for tests and for
// collectors of other packages.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Poll counts one finished poll: its outcome ("ok", "not_modified",
// "error"), for an error its kind, how long it took, and the items in it.
func (m *Metrics) Poll(outcome, errKind string, took time.Duration, items int) {
	m.polls.WithLabelValues(outcome).Inc()
	if errKind != "" {
		m.pollErrors.WithLabelValues(errKind).Inc()
	}
	m.pollSeconds.Observe(took.Seconds())
	m.feedItems.Add(float64(items))
}

// Ingested counts what storing one poll's items did: items new, matched and
// alerts queued, and the time from the poll's start until they were stored.
func (m *Metrics) Ingested(newItems, matched, queued int, sincePoll time.Duration) {
	m.newItems.Add(float64(newItems))
	m.matches.Add(float64(matched))
	m.queued.Add(float64(queued))
	if newItems > 0 {
		m.storedAfter.Observe(sincePoll.Seconds())
	}
}

// Notice counts a feed health notice of the given kind.
func (m *Metrics) Notice(kind string) { m.notices.WithLabelValues(kind).Inc() }

// Delivery outcomes.
const (
	DeliverySent   = "sent"
	DeliveryRetry  = "retry"
	DeliveryFailed = "failed"
)

// Delivered counts n alerts sent to platform with an outcome.
func (m *Metrics) Delivered(platform news.Platform, outcome string, n int) {
	m.deliveries.WithLabelValues(string(platform), outcome).Add(float64(n))
}

// outcomeOf classifies a send error the way the dispatcher does.
func outcomeOf(err error) string {
	switch {
	case err == nil:
		return DeliverySent
	case errors.Is(err, bot.ErrPermanent):
		return DeliveryFailed
	}
	return DeliveryRetry
}

// Gauges are the values read from the store at scrape time.
type Gauges struct {
	// Pending is the outbox queue depth.
	Pending int
	// Feeds counts the configured feeds by health.
	Feeds map[news.Health]int
}

// Handler serves the metrics in Prometheus's text format. Before each scrape
// it calls read, when set, for the gauges kept in the store; an error there
// is logged by promhttp's rules (the gauges keep their last values).
func (m *Metrics) Handler(read func(ctx context.Context) (Gauges, error)) http.Handler {
	inner := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if read != nil {
			if g, err := read(r.Context()); err == nil {
				m.pending.Set(float64(g.Pending))
				m.feeds.Reset()
				for _, h := range []news.Health{news.HealthNew, news.HealthOK, news.HealthThrottled, news.HealthFailing, news.HealthDead, news.HealthDisabled} {
					m.feeds.WithLabelValues(string(h)).Set(float64(g.Feeds[h]))
				}
			}
		}
		inner.ServeHTTP(w, r)
	})
}
