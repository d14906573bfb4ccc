package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"herald/news"
)

type chatRow struct {
	Label  string
	Source string // "config" or "subscribed"
	Paused bool
	Muted  when // zero when not muted
}

type topicData struct {
	Title  string
	Topic  Topic
	Since  string
	Total  int
	Chart  any
	Chats  []chatRow
	Alerts []alertRow
}

func (s *Server) topic(r *http.Request) (string, any, error) {
	ctx, cancel := pageContext(r)
	defer cancel()
	cfg, now := s.o.Config(), s.o.Now()
	t, err := byName(cfg.Topics, r.PathValue("name"), func(t Topic) string { return t.Name }, "topic", "rules")
	if err != nil {
		return "", nil, err
	}
	d := topicData{Title: "Topic " + t.Name, Topic: *t}

	since := startOfDay(now).AddDate(0, 0, 1-topicDays)
	d.Since = since.Format("2 Jan")
	counts, err := s.o.Store.MatchesPerDay(ctx, t.Name, since, topicDays)
	if err != nil {
		return "", nil, err
	}
	v := make([]int, topicDays)
	for _, c := range counts {
		if c.Day >= 0 && c.Day < topicDays {
			v[c.Day] += c.N
			d.Total += c.N
		}
	}
	d.Chart = barChart(dayBars(v, since, topicDays, "matches"), 480, 90, fmt.Sprintf("matches of %s per day since %s", t.Name, d.Since))

	seen := map[string]int{}
	add := func(dest news.Destination, source string, paused bool) {
		key := dest.String()
		if i, ok := seen[key]; ok {
			d.Chats[i].Paused = d.Chats[i].Paused || paused
			return
		}
		seen[key] = len(d.Chats)
		d.Chats = append(d.Chats, chatRow{Label: destLabel(dest), Source: source, Paused: paused, Muted: when{Zero: true}})
	}
	for _, dest := range t.Notify {
		add(dest, "config", false)
	}
	subs, err := s.o.Store.SubscribersOf(ctx, t.Name)
	if err != nil {
		return "", nil, err
	}
	for _, sub := range subs {
		add(sub.Destination, "subscribed", sub.Paused)
	}
	mutes, err := s.o.Store.MutedFor(ctx, t.Name, now)
	if err != nil {
		return "", nil, err
	}
	for key, m := range mutes {
		if i, ok := seen[key]; ok && m.Until.After(now) {
			d.Chats[i].Muted = when{Rel: "muted until " + m.Until.UTC().Format("2 Jan 15:04 MST"), Abs: whenOf(m.Until, now).Rel}
		}
	}

	sent, err := s.o.Store.RecentAlerts(ctx, t.Name, topicAlerts)
	if err != nil {
		return "", nil, err
	}
	d.Alerts = alertRows(sent, cfg, now)
	return "topic", d, nil
}

type pollRow struct {
	When       when
	Outcome    string
	Kind       string
	Duration   string
	Items, New int
}

type feedData struct {
	Title string
	Feed  feedRow
	State news.FeedState
	Chart any
	Polls []pollRow
	Items []itemRow
}

type itemRow struct {
	Title string
	Link  string
	When  when
	Rules []topicRef
}

func (s *Server) feed(r *http.Request) (string, any, error) {
	ctx, cancel := pageContext(r)
	defer cancel()
	cfg, now := s.o.Config(), s.o.Now()
	f, err := byName(cfg.Feeds, r.PathValue("name"), func(f Feed) string { return f.Name }, "feed", "feeds")
	if err != nil {
		return "", nil, err
	}
	st, _, err := s.o.Store.FeedState(ctx, f.Name)
	if err != nil {
		return "", nil, err
	}
	d := feedData{Title: "Feed " + f.Name, Feed: feedRowOf(*f, st, now), State: st}
	polls, err := s.o.Store.Polls(ctx, f.Name, pollsShown)
	if err != nil {
		return "", nil, err
	}
	bars := make([]bar, len(polls))
	for i, p := range polls {
		d.Polls = append(d.Polls, pollRow{When: whenOf(p.At, now), Outcome: p.Outcome, Kind: p.ErrorKind,
			Duration: p.Duration.Round(time.Millisecond).String(), Items: p.Items, New: p.New})
		// Oldest on the left.
		bars[len(polls)-1-i] = bar{N: int(p.Duration.Milliseconds()), Label: fmt.Sprintf("%s: %s, %s, %d items, %d new",
			p.At.UTC().Format("2 Jan 15:04"), p.Outcome, p.Duration.Round(time.Millisecond), p.Items, p.New), Bad: p.Outcome == "error"}
	}
	d.Chart = barChart(bars, 480, 60, "poll durations, oldest first")
	items, err := s.o.Store.FeedItems(ctx, f.Name, feedItems)
	if err != nil {
		return "", nil, err
	}
	known := topicNames(cfg)
	for _, it := range items {
		title := it.Title
		if strings.TrimSpace(title) == "" {
			title = "(untitled)"
		}
		at := it.Published
		if at.IsZero() {
			at = it.Fetched
		}
		d.Items = append(d.Items, itemRow{Title: title, Link: safeLink(it.Link), When: whenOf(at, now), Rules: topicRefs(it.Rules, known)})
	}
	return "feed", d, nil
}

// byName finds the configured thing named name (case-insensitively), or
// says that the config in force has none; what and list name it for the
// message.
func byName[T any](all []T, name string, nameOf func(T) string, what, list string) (*T, error) {
	for i := range all {
		if strings.EqualFold(nameOf(all[i]), name) {
			return &all[i], nil
		}
	}
	return nil, &errNotFound{what, name, fmt.Sprintf("it is not among the %s of the config in force; the overview lists them", list)}
}

// pollsShown is how many polls a feed's page lists: all that are kept.
const pollsShown = 50
