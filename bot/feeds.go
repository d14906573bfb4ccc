package bot

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"herald/news"
)

// healthOrder ranks feed health for /feeds: the feeds that need a look first.
var healthOrder = map[news.Health]int{
	news.HealthDead: 0, news.HealthDisabled: 1, news.HealthFailing: 2,
	news.HealthThrottled: 3, news.HealthNew: 4, news.HealthOK: 5,
}

// feeds answers /feeds: every configured feed with its health, those that
// need a look first; /feeds failing lists only those; /feeds NAME shows one
// feed in full.
func (r *Router) feeds(ctx context.Context, req Request) (Message, error) {
	if len(req.Args) > 0 && strings.EqualFold(req.Args[0], "add") {
		return r.addFeed(ctx, req, req.Args[1:])
	}
	cat := r.catalog()
	states, err := r.store.FeedStates(ctx)
	if err != nil {
		return failed("feeds", err)
	}
	now := r.now()
	arg := strings.TrimSpace(strings.Join(req.Args, " "))
	if arg != "" && !strings.EqualFold(arg, "failing") {
		for _, name := range cat.Feeds {
			if strings.EqualFold(name, arg) {
				return r.feed(name, states[name], now), nil
			}
		}
		return msg(Para(Plain("No feed "), Code(Clean(arg)), Plain(". "), Cmd(req.Prefix+"feeds"), Plain(" lists them."))), nil
	}
	if len(cat.Feeds) == 0 {
		return msg(Para(Plain("No feeds are configured."))), nil
	}
	type row struct {
		name string
		st   news.FeedState
		h    news.Health
	}
	rows := make([]row, 0, len(cat.Feeds))
	count := map[news.Health]int{}
	for _, name := range cat.Feeds {
		st := states[name]
		h := st.HealthAt(now)
		count[h]++
		if arg != "" && (h == news.HealthOK || h == news.HealthNew) {
			continue
		}
		rows = append(rows, row{name, st, h})
	}
	slices.SortStableFunc(rows, func(a, b row) int { return healthOrder[a.h] - healthOrder[b.h] })

	var summary []string
	for _, h := range []news.Health{news.HealthOK, news.HealthFailing, news.HealthThrottled, news.HealthDead, news.HealthDisabled, news.HealthNew} {
		if n := count[h]; n > 0 || h == news.HealthOK {
			summary = append(summary, fmt.Sprintf("%d %s", n, h))
		}
	}
	m := msg(Para(Bold(fmt.Sprintf("Feeds: %d", len(cat.Feeds))), Plain(" — "+strings.Join(summary, ", "))))
	if len(rows) == 0 {
		m.Add(Para(Plain("None is failing.")))
		return m, nil
	}
	var items []Line
	for i, rw := range rows {
		if i == MaxListed {
			items = append(items, Line{Plain(fmt.Sprintf("…and %d more", len(rows)-MaxListed))})
			break
		}
		items = append(items, r.feedLine(rw.name, rw.st, rw.h, now))
	}
	m.Add(List(items...))
	m.Add(Para(Cmd(req.Prefix+"feeds failing"), Plain(" lists only the feeds in trouble; "), Cmd(req.Prefix+"feeds NAME"), Plain(" shows one.")))
	return m, nil
}

// feedLine is one feed in the /feeds list.
func (r *Router) feedLine(name string, st news.FeedState, h news.Health, now time.Time) Line {
	line := Line{Code(name), Plain(" — ")}
	switch h {
	case news.HealthNew:
		return append(line, Plain("not polled yet"))
	case news.HealthOK:
		line = append(line, Plain("ok"))
		if st.Interval > 0 {
			line = append(line, Plain(", every "+shortDuration(st.Interval)))
		}
	case news.HealthDisabled:
		return append(line, Bold("disabled"), Plain(": "+Shorten(Clean(st.Disabled), 200)))
	case news.HealthDead, news.HealthFailing:
		line = append(line, Bold(string(h)), Plain(" since "+r.at(st.FailingSince, now)+": "+Shorten(Clean(st.LastError), 200)))
	case news.HealthThrottled:
		line = append(line, Bold("throttled"), Plain(": "+Shorten(Clean(st.LastError), 200)))
	}
	if !st.NextPoll.IsZero() {
		line = append(line, Plain("; next poll "+r.when(st.NextPoll, now)))
	}
	return line
}

// feed is /feeds NAME: one feed's health in full.
func (r *Router) feed(name string, st news.FeedState, now time.Time) Message {
	h := st.HealthAt(now)
	m := msg(Para(Bold("Feed "), Code(name), Plain(" — "+string(h))))
	var items []Line
	if u := shownURL(st.URL); u != "" {
		l := Line{Plain("polled at "), Code(u)}
		if c := shownURL(st.ConfigURL); c != "" && c != u {
			l = append(l, Plain(", moved from "), Code(c))
		}
		items = append(items, l)
	}
	if st.Interval > 0 {
		items = append(items, Line{Plain("interval: " + shortDuration(st.Interval))})
	}
	if !st.LastOK.IsZero() {
		items = append(items, Line{Plain("last answered: " + r.at(st.LastOK, now))})
	}
	if !st.LastPoll.IsZero() {
		items = append(items, Line{Plain("last polled: " + r.at(st.LastPoll, now))})
	}
	if !st.NextPoll.IsZero() {
		items = append(items, Line{Plain("next poll: " + r.when(st.NextPoll, now))})
	}
	if st.LastError != "" {
		items = append(items, Line{Plain(fmt.Sprintf("last error (%d in a row): %s", st.Failures, Shorten(Clean(st.LastError), 400)))})
	}
	if !st.FailingSince.IsZero() {
		items = append(items, Line{Plain("failing since: " + r.at(st.FailingSince, now))})
	}
	if st.Disabled != "" {
		items = append(items, Line{Plain("disabled: " + Clean(st.Disabled) + "; a new url in the config polls it again")})
	}
	if len(items) > 0 {
		m.Add(List(items...))
	}
	return m
}

// at writes a past time in the router's zone with how long ago it was.
func (r *Router) at(t, now time.Time) string {
	s := When(t, now, r.loc)
	if d := now.Sub(t); d > 0 {
		s += " (" + shortDuration(d) + " ago)"
	}
	return s
}

// shownURL is an http(s) URL as chats may see it, its password hidden;
// empty for file feeds, whose paths are the host's business.
func shownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return u.Redacted()
}

// FeedAdder adds a feed to herald's configuration: it finds the feed behind
// a URL (a site's page names its feed), appends it to the config file and
// returns what it added; the running herald's reload then polls it. name,
// when empty, comes from the feed's title. Its errors are shown to the user
// who asked, so they say what to do.
type FeedAdder interface {
	AddFeed(ctx context.Context, url, name string) (AddedFeed, error)
}

// AddedFeed is a feed a FeedAdder added.
type AddedFeed struct {
	Name, URL, Title string
	// Items is how many items the feed holds now.
	Items int
}

// WithFeedAdder lets herald's operators add feeds from chat with
// /feeds add. Without it, /feeds add says to use the command line.
func WithFeedAdder(a FeedAdder) RouterOption {
	return func(r *Router) { r.adder = a }
}

// addFeed answers /feeds add <url> [name].
func (r *Router) addFeed(ctx context.Context, req Request, args []string) (Message, error) {
	usage := Para(Plain("Write "), Cmd(req.Prefix+"feeds add <url> [name]"),
		Plain(": the address of a feed, or of a site whose page names its feed."))
	if r.adder == nil {
		return msg(Para(Plain("Feeds cannot be added from chat here; herald's operator adds them with "),
			Code("herald feeds add URL"), Plain("."))), nil
	}
	if !req.Operator {
		return msg(Para(Plain("Only herald's operators can add feeds (the user ids in "),
			Code(string(req.Dest.Platform)+".admins"), Plain(" of its config)."))), nil
	}
	if len(args) == 0 || len(args) > 2 {
		return msg(usage), nil
	}
	raw := strings.Trim(args[0], "<>") // Slack wraps links in <…>
	if i := strings.IndexByte(raw, '|'); i >= 0 {
		raw = raw[:i] // <https://…|label>
	}
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return msg(Para(Plain("“"+Shorten(Clean(raw), 100)+"” is not an http(s) address.")), usage), nil
	}
	name := ""
	if len(args) == 2 {
		name = args[1]
	}
	added, err := r.adder.AddFeed(ctx, raw, name)
	if err != nil {
		return msg(Para(Plain("Could not add " + Shorten(Clean(raw), 100) + ": " + Shorten(Clean(err.Error()), 400)))),
			fmt.Errorf("bot: feeds add %s by %s in %s: %w", raw, req.User, req.Dest, err)
	}
	line := []Span{Plain("Added the feed "), Code(added.Name)}
	if added.Title != "" {
		line = append(line, Plain(" — "+Shorten(Clean(added.Title), 120)))
	}
	line = append(line, Plain(fmt.Sprintf(" (%d items now). herald polls it within a minute; ", added.Items)),
		Cmd(req.Prefix+"feeds "+added.Name), Plain(" shows how it goes."))
	m := msg(Para(line...))
	if added.URL != raw {
		m.Add(Para(Plain("The page named its feed: " + Shorten(added.URL, 200))))
	}
	return m, nil
}
