package web

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"herald/news"
	"herald/store"
)

// How much the pages list; each is bounded so that a page stays fast and
// readable whatever the store holds.
const (
	overviewAlerts   = 50  // the last alerts on the overview
	overviewHealthy  = 100 // healthy feeds listed after the unhealthy ones
	overviewTroubled = 300 // unhealthy feeds listed at most
	overviewCharts   = 100 // topics drawn as charts, the loudest; the rest are listed
	topicAlerts      = 20
	topicDays        = 30
	overviewDays     = 7
	feedItems        = 30
)

// healthRank orders feeds by how much they need an operator: dead,
// disabled, failing and throttled feeds first.
var healthRank = map[news.Health]int{
	news.HealthDead: 0, news.HealthDisabled: 1, news.HealthFailing: 2, news.HealthThrottled: 3,
	news.HealthNew: 4, news.HealthOK: 5,
}

// troubled reports whether a feed in health h needs looking at.
func troubled(h news.Health) bool { return healthRank[h] <= healthRank[news.HealthThrottled] }

type feedRow struct {
	Name, URL  string
	Health     news.Health
	LastAnswer when
	LastPoll   when
	NextPoll   when
	Interval   string
	Advice     string
	MovedTo    string
}

type healthCount struct {
	Health news.Health
	N      int
}

type topicRow struct {
	Name  string
	Total int
	Chart template.HTML
}

type overviewData struct {
	Title       string
	Health      []healthCount
	Feeds       []feedRow
	MoreHealthy int
	MoreTrouble int
	Topics      []topicRow
	Quiet       []topicRow
	Queues      []store.Queue
	Alerts      []alertRow
	Since       string
}

func (s *Server) overview(r *http.Request) (string, any, error) {
	ctx, cancel := pageContext(r)
	defer cancel()
	cfg, now := s.o.Config(), s.o.Now()
	feeds, err := s.feedsByHealth(ctx, cfg, now)
	if err != nil {
		return "", nil, err
	}
	d := overviewData{Title: "herald"}
	counts := map[news.Health]int{}
	for _, f := range feeds {
		counts[f.health]++
	}
	for _, h := range []news.Health{news.HealthDead, news.HealthDisabled, news.HealthFailing, news.HealthThrottled, news.HealthNew, news.HealthOK} {
		if counts[h] > 0 {
			d.Health = append(d.Health, healthCount{h, counts[h]})
		}
	}
	// Those in trouble (up to overviewTroubled), then overviewHealthy more;
	// only their states are read in full.
	var shown []Feed
	calm := 0
	for _, f := range feeds {
		switch {
		case troubled(f.health) && len(shown) < overviewTroubled:
			shown = append(shown, f.feed)
		case troubled(f.health):
			d.MoreTrouble++
		case calm < overviewHealthy:
			shown = append(shown, f.feed)
			calm++
		default:
			d.MoreHealthy++
		}
	}
	names := make([]string, len(shown))
	for i, f := range shown {
		names[i] = f.Name
	}
	rows, err := s.o.Store.FeedsNamed(ctx, names)
	if err != nil {
		return "", nil, err
	}
	states := make(map[string]news.FeedState, len(rows))
	for _, r := range rows {
		states[r.Name] = r.FeedState
	}
	for _, f := range shown {
		d.Feeds = append(d.Feeds, feedRowOf(f, states[f.Name], now))
	}

	since := startOfDay(now).AddDate(0, 0, 1-overviewDays)
	d.Since = since.Format("2 Jan")
	counted, err := s.o.Store.AlertsPerDay(ctx, since, overviewDays)
	if err != nil {
		return "", nil, err
	}
	perTopic := map[string][]int{}
	for _, c := range counted {
		v := perTopic[c.Rule]
		if v == nil {
			v = make([]int, overviewDays)
			perTopic[c.Rule] = v
		}
		if c.Day >= 0 && c.Day < overviewDays {
			v[c.Day] += c.N
		}
	}
	topics := make([]topicRow, 0, len(cfg.Topics))
	for _, t := range cfg.Topics {
		v := perTopic[t.Name]
		total := 0
		for _, n := range v {
			total += n
		}
		topics = append(topics, topicRow{Name: t.Name, Total: total})
	}
	slices.SortStableFunc(topics, func(a, b topicRow) int { return cmp.Compare(b.Total, a.Total) })
	for i := range topics {
		if i >= overviewCharts {
			d.Quiet = topics[i:]
			break
		}
		t := &topics[i]
		t.Chart = barChart(dayBars(perTopic[t.Name], since, overviewDays, "alerts"), 112, 28, fmt.Sprintf("alerts of %s per day since %s", t.Name, d.Since))
		d.Topics = append(d.Topics, *t)
	}

	if d.Queues, err = s.o.Store.Queues(ctx); err != nil {
		return "", nil, err
	}
	sent, err := s.o.Store.RecentAlerts(ctx, "", overviewAlerts)
	if err != nil {
		return "", nil, err
	}
	d.Alerts = alertRows(sent, cfg, now)
	return "overview", d, nil
}

// feedHealth is a configured feed and its health.
type feedHealth struct {
	feed   Feed
	health news.Health
}

// feedsByHealth returns the configured feeds with their health, those that
// need an operator first (dead, disabled, failing, throttled), then those
// never polled, then the healthy ones, each by name.
func (s *Server) feedsByHealth(ctx context.Context, cfg *Config, now time.Time) ([]feedHealth, error) {
	health, err := s.o.Store.FeedHealth(ctx, now)
	if err != nil {
		return nil, err
	}
	out := make([]feedHealth, len(cfg.Feeds))
	for i, f := range cfg.Feeds {
		h, ok := health[f.Name]
		if !ok {
			h = news.HealthNew // never saved
		}
		out[i] = feedHealth{f, h}
	}
	slices.SortStableFunc(out, func(a, b feedHealth) int {
		if c := cmp.Compare(healthRank[a.health], healthRank[b.health]); c != 0 {
			return c
		}
		return strings.Compare(a.feed.Name, b.feed.Name)
	})
	return out, nil
}

func feedRowOf(f Feed, st news.FeedState, now time.Time) feedRow {
	h := st.HealthAt(now)
	st.LastError, st.Disabled = scrubURLs(st.LastError), scrubURLs(st.Disabled)
	row := feedRow{Name: f.Name, URL: redactURL(f.URL), Health: h,
		LastAnswer: whenOf(st.LastOK, now), LastPoll: whenOf(st.LastPoll, now), NextPoll: whenOf(st.NextPoll, now)}
	switch {
	case f.Interval > 0:
		row.Interval = shortDuration(f.Interval) + " (own)"
	case st.Interval > 0:
		row.Interval = shortDuration(st.Interval) + " (adaptive)"
	default:
		row.Interval = "adaptive"
	}
	if st.URL != "" && st.URL != f.URL && (st.ConfigURL == "" || st.ConfigURL == f.URL) {
		row.MovedTo = redactURL(st.URL)
	}
	switch h {
	case news.HealthDead:
		row.Advice = fmt.Sprintf("Failing since %s: %s. Open the URL in a browser; fix it in the config or remove the feed.",
			st.FailingSince.Format("2 Jan 15:04 MST"), shorten(st.LastError, 300))
	case news.HealthDisabled:
		row.Advice = shorten(st.Disabled, 300) + ". herald stopped polling it; give the feed a new URL in the config to poll it again."
	case news.HealthFailing:
		row.Advice = shorten(st.LastError, 300)
	case news.HealthThrottled:
		row.Advice = "The server asked herald to slow down (" + shorten(st.LastError, 200) + "); herald waits as it was told."
	case news.HealthNew:
		row.Advice = "Not polled yet."
	}
	return row
}

// when is a time as the pages show it: relative to now, with the exact
// time for the tooltip.
type when struct {
	Rel, Abs string
	Zero     bool
}

func whenOf(t, now time.Time) when {
	if t.IsZero() {
		return when{Rel: "never", Zero: true}
	}
	d := now.Sub(t)
	rel := shortDuration(d.Abs())
	switch {
	case d.Abs() < time.Second:
		rel = "now"
	case d > 0:
		rel += " ago"
	default:
		rel = "in " + rel
	}
	return when{Rel: rel, Abs: t.UTC().Format("2006-01-02 15:04:05 MST")}
}

// shortDuration writes d in its two largest units: "3h20m", "45s", "2d4h".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		if s := int(d%time.Minute) / int(time.Second); s != 0 && d < 10*time.Minute {
			return fmt.Sprintf("%dm%ds", int(d/time.Minute), s)
		}
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		if m := int(d%time.Hour) / int(time.Minute); m != 0 {
			return fmt.Sprintf("%dh%dm", int(d/time.Hour), m)
		}
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	days := int(d / (24 * time.Hour))
	if h := int(d%(24*time.Hour)) / int(time.Hour); h != 0 {
		return fmt.Sprintf("%dd%dh", days, h)
	}
	return fmt.Sprintf("%dd", days)
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// startOfDay is midnight UTC of t's day: the pages count days in UTC.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dayBars turns per-day counts from since into bars labelled with the date.
func dayBars(v []int, since time.Time, days int, what string) []bar {
	bars := make([]bar, days)
	for i := range bars {
		n := 0
		if i < len(v) {
			n = v[i]
		}
		bars[i] = bar{N: n, Label: fmt.Sprintf("%s: %d %s", since.AddDate(0, 0, i).Format("Mon 2 Jan"), n, what)}
	}
	return bars
}

// redactURL shows where a feed is without what may be a secret in its URL:
// a user and password, and the query's values.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return raw
	}
	if u.User != nil {
		u.User = url.User("…")
	}
	if u.RawQuery != "" {
		q := u.Query()
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k+"=…")
		}
		slices.Sort(keys)
		u.RawQuery = strings.Join(keys, "&")
	}
	u.Fragment = ""
	return strings.Replace(u.String(), "%E2%80%A6", "…", -1)
}

// urlInText finds the URLs in an error's text.
var urlInText = regexp.MustCompile(`https?://[^\s"'<>]+`)

// scrubURLs shows the URLs in text (a poll's error, which names the URL it
// fetched) as redactURL does, so that a key in a feed's query string does
// not reach the page through its error.
func scrubURLs(text string) string {
	return urlInText.ReplaceAllStringFunc(text, func(u string) string {
		// The URL's text ends before trailing punctuation: "GET <url>: 404".
		trimmed := strings.TrimRight(u, ".,;:)")
		return redactURL(trimmed) + u[len(trimmed):]
	})
}

// destLabel names a destination without showing a chat's full id: a Slack
// #name is shown as it is, ids only by their first and last characters.
func destLabel(d news.Destination) string {
	switch d.Platform {
	case news.Console:
		return "console"
	case news.Slack:
		if strings.HasPrefix(d.Chat, "#") {
			return "slack:" + d.Chat
		}
	}
	label := string(d.Platform) + ":" + maskID(d.Chat)
	if d.Thread != "" {
		label += " (thread)"
	}
	return label
}

// maskID keeps the first two and last two characters of id (after a sign)
// and hides the rest.
func maskID(id string) string {
	sign := ""
	if strings.HasPrefix(id, "-") {
		sign, id = "-", id[1:]
	}
	if len(id) <= 4 {
		return sign + strings.Repeat("•", len(id))
	}
	return sign + id[:2] + "•••" + id[len(id)-2:]
}
