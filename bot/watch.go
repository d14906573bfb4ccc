package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"herald/news"
	"herald/rules"
	"herald/search"
)

// WatchLimits are the config's watches: keys, as the router applies them.
// They come with the Catalog, so a config reload changes them at once.
type WatchLimits struct {
	// Enabled lets chats save watches.
	Enabled bool
	// PerChat is how many watches one chat may have, its forum topics and
	// threads included; zero is no limit.
	PerChat int
	// MaxQuery is the longest query, in characters; zero is no limit.
	MaxQuery int
	// MaxShare refuses a query that matched more than this share (0–1) of
	// the items of the last PreviewWindow; zero turns the guard off.
	MaxShare float64
}

// Watchlist is what the router needs to save and list watches; the alert
// pipeline's alerts.Watchlist is one. AddWatch and RemoveWatch take effect
// before they return.
type Watchlist interface {
	AddWatch(ctx context.Context, w news.Watch, perChat int) (news.Watch, error)
	RemoveWatch(ctx context.Context, id int64) (news.Watch, error)
	WatchesOf(ctx context.Context, d news.Destination, since time.Time) ([]news.Watch, error)
	ItemsSince(ctx context.Context, since time.Time) (int, error)
	// Entities are what queries may name as @id.
	Entities() []rules.Entity
}

// WithWatches answers /watch, /watches and /unwatch with l. Without it they
// say that watches are not available.
func WithWatches(l Watchlist) RouterOption {
	return func(r *Router) { r.watchlist = l }
}

// Limits of watches that are not configurable.
const (
	// PreviewWindow is how far back /watch looks to show what a query would
	// have alerted on, and /watches counts alerts.
	PreviewWindow = 7 * 24 * time.Hour
	// MinGuardItems is how many items of the PreviewWindow the broad-query
	// guard needs before it judges a share: on fewer, any query looks broad.
	MinGuardItems = 20
	// maxPreviewCount bounds the matches a preview counts when the guard is
	// off: past it, the reply says "more than".
	maxPreviewCount = 500
	// maxWatchLabel shortens a long query where a line names it.
	maxWatchLabel = 120
)

// SourcesLine names the topics and watches an alert was posted for, as its
// source line shows them: "topic: grain · your watch: black sea".
func SourcesLine(a news.Alert) string { return sources(a, "topic: ", " · ") }

// sourceNames is SourcesLine for a line that has room for names only
// (a digest, /latest): "grain, your watch: black sea".
func sourceNames(a news.Alert) string { return sources(a, "", ", ") }

// sources names a's topics (after topic) and watches, joined by sep.
func sources(a news.Alert, topic, sep string) string {
	srcs := a.Sources()
	parts := make([]string, len(srcs))
	for i, s := range srcs {
		if s.Watch != "" {
			parts[i] = "your watch: " + Shorten(Clean(s.Watch), maxWatchLabel)
		} else {
			parts[i] = topic + Clean(s.Rule)
		}
	}
	return strings.Join(parts, sep)
}

// watchesOff is the reply when chats may not save watches.
func (r *Router) watchesOff() (Message, bool) {
	if r.watchlist == nil {
		return msg(Para(Plain("Personal watches are not available on this herald."))), true
	}
	if !r.catalog().Watches.Enabled {
		return msg(Para(Plain("Personal watches are turned off on this herald; its operator can turn them on with "),
			Code("watches: {enabled: true}"), Plain(" in the config."))), true
	}
	return Message{}, false
}

func (r *Router) watchUsage(req Request) Message {
	return msg(
		Para(Plain("Save a query of your own, and herald posts an alert here whenever a new article matches it: "),
			Cmd(req.Prefix+"watch <query>"), Plain(", such as "), Cmd(req.Prefix+`watch "black sea" grain`),
			Plain(" or "), Cmd(req.Prefix+"watch ukrain* NEAR/5 drone* -sport"), Plain(".")),
		Para(Plain("A query is written as a topic's rule or a search is: words, "), Code(`"a phrase"`), Plain(", "),
			Code("ukrain*"), Plain(", "), Code("@entity"), Plain(", AND, OR, NOT, NEAR/5, "), Code("title:"),
			Plain(". Try one first with "), Cmd(req.Prefix+"search <query>"), Plain(".")),
	)
}

// watchSyntax is the reply to a query that does not parse: the query in
// monospace with a caret under the column of the problem, and the
// parser's message.
func watchSyntax(query string, qe *rules.Error) Message {
	off := min(max(qe.Offset, 0), len(query))
	for off > 0 && !utf8.RuneStart(query[off]) {
		off--
	}
	col := utf8.RuneCountInString(query[:off]) + 1
	// No-break spaces: a platform trims plain ones around monospace text,
	// and the caret would move.
	caret := strings.Repeat("\u00a0", col-1) + "^"
	return msg(
		Para(Plain(fmt.Sprintf("I could not read that query (at character %d); nothing was saved.", col))),
		Block{Kind: KindParagraph, Lines: []Line{{Code(query)}, {Code(caret)}}},
		Para(Plain(qe.Msg)),
	)
}

// watch answers /watch <query>.
func (r *Router) watch(ctx context.Context, req Request) (Message, error) {
	if m, off := r.watchesOff(); off {
		return m, nil
	}
	if len(req.Args) == 0 {
		return r.watchUsage(req), nil
	}
	limits := r.catalog().Watches
	query := strings.Join(req.Args, " ")
	if n := utf8.RuneCountInString(query); limits.MaxQuery > 0 && n > limits.MaxQuery {
		return msg(Para(Plain(fmt.Sprintf("That query is %d characters long; a watch may have at most %d. "+
			"Shorten it, or keep the strongest words and phrases.", n, limits.MaxQuery)))), nil
	}
	q, err := rules.ParseQuery(query, r.watchlist.Entities())
	if err != nil {
		var qe *rules.Error
		if errors.As(err, &qe) {
			return watchSyntax(query, qe), nil
		}
		return failed("watch "+query, err)
	}
	if refusal, err := mayManage(ctx, req); refusal != nil {
		return *refusal, err
	}
	now := r.now()
	pv, err := r.preview(ctx, query, limits, now)
	if err != nil {
		return failed("watch "+query+": preview", err)
	}
	if pv.broad {
		return msg(Para(Plain(fmt.Sprintf("That query is too broad: it matched at least %d of the %d articles of the last 7 days (%.0f%% or more), "+
			"more than the %.0f%% a watch may match. Nothing was saved. Narrow it with a phrase in quotes, a second word, "+
			"NEAR, or ", pv.count, pv.total, 100*float64(pv.count)/float64(pv.total), 100*limits.MaxShare)),
			Code("title:"), Plain("."))), nil
	}
	w, err := r.watchlist.AddWatch(ctx, news.Watch{Destination: req.Dest, Query: query, CreatedBy: req.User, Created: now}, limits.PerChat)
	switch {
	case errors.Is(err, news.ErrWatchExists):
		return msg(Para(Plain("This chat watches that query already; "), Cmd(req.Prefix+"watches"), Plain(" lists its watches."))), nil
	case errors.Is(err, news.ErrWatchLimit):
		return msg(Para(Plain(fmt.Sprintf("This chat has %d watches, as many as it may have. Remove one with ", limits.PerChat)),
			Cmd(req.Prefix+"unwatch <n>"), Plain(" first; "), Cmd(req.Prefix+"watches"), Plain(" lists them."))), nil
	case err != nil:
		return failed("watch "+query+" in "+req.Dest.String(), err)
	}
	n := 0
	if ws, err := r.watchlist.WatchesOf(ctx, req.Dest, now); err == nil {
		for i, x := range ws {
			if x.ID == w.ID {
				n = i + 1
			}
		}
	}
	where := "here"
	if req.Dest.Thread != "" {
		where = "in this topic"
	}
	m := msg(Para(Plain("Watching "), Code(q.String()), Plain(": new articles that match it are posted "+where+".")))
	if pv.searched {
		switch pv.count {
		case 0:
			m.Add(Para(Plain("It would not have alerted in the last 7 days.")))
		case 1:
			m.Add(Para(Plain("It would have alerted once in the last 7 days:")))
		default:
			m.Add(Para(Plain("It would have alerted " + pv.countText() + " times in the last 7 days; the latest:")))
		}
		var items []Line
		for _, res := range pv.latest {
			title := Shorten(Clean(res.Title), 200)
			if title == "" {
				title = "(untitled)"
			}
			items = append(items, Line{Link(title, SafeURL(res.Link)), Italic(" — " + Clean(res.Feed))})
		}
		if len(items) > 0 {
			m.Add(List(items...))
		}
	}
	stop := req.Prefix + "unwatch"
	if n > 0 {
		stop += " " + strconv.Itoa(n)
	}
	m.Add(Para(Plain("Stop it with "), Cmd(stop), Plain("; "), Cmd(req.Prefix+"watches"), Plain(" lists this chat's watches.")))
	return m, nil
}

// preview is what a query would have done over the PreviewWindow.
type preview struct {
	searched bool            // false without a searcher: nothing is known
	count    int             // matches counted
	more     bool            // count stopped early: there are more
	total    int             // items stored in the window
	broad    bool            // over the guard's share
	latest   []search.Result // the newest two matches
}

func (p preview) countText() string {
	if p.more {
		return "more than " + strconv.Itoa(p.count)
	}
	return strconv.Itoa(p.count)
}

// preview counts the stored items of the PreviewWindow that query
// matches, through the search engine. With the guard on it stops as soon
// as the count is over the share, so a broad query costs no more than a
// narrow one.
func (r *Router) preview(ctx context.Context, query string, limits WatchLimits, now time.Time) (preview, error) {
	var pv preview
	if r.search == nil {
		return pv, nil
	}
	total, err := r.watchlist.ItemsSince(ctx, now.Add(-PreviewWindow))
	if err != nil {
		return pv, err
	}
	pv.searched, pv.total = true, total
	guard := limits.MaxShare > 0 && total >= MinGuardItems
	stopAt := maxPreviewCount
	if guard {
		stopAt = int(limits.MaxShare*float64(total)) + 1
	}
	q := "(" + query + ") since:7d"
	var from search.Cursor
	for {
		page, err := r.search.s.Search(ctx, q, from, 100)
		if err != nil {
			return pv, err
		}
		for _, res := range page.Results {
			if len(pv.latest) < 2 {
				pv.latest = append(pv.latest, res)
			}
			pv.count++
			if pv.count >= stopAt {
				pv.broad = guard
				pv.more = !guard
				return pv, nil
			}
		}
		if !page.More {
			return pv, nil
		}
		from = page.Next
	}
}

// watches answers /watches: this chat's watches, numbered.
func (r *Router) watchesCmd(ctx context.Context, req Request) (Message, error) {
	if r.watchlist == nil {
		m, _ := r.watchesOff()
		return m, nil
	}
	now := r.now()
	ws, err := r.watchlist.WatchesOf(ctx, req.Dest, now.Add(-PreviewWindow))
	if err != nil {
		return failed("watches of "+req.Dest.String(), err)
	}
	if len(ws) == 0 {
		return msg(Para(Plain("This chat has no watches. Save one with "), Cmd(req.Prefix+"watch <query>"), Plain("."))), nil
	}
	items := make([]Line, len(ws))
	for i, w := range ws {
		line := Line{Plain(strconv.Itoa(i+1) + ". "), Code(Shorten(Clean(w.Query), maxWatchLabel))}
		switch {
		case w.Alerts == 0:
			line = append(line, Italic(" — no alerts in the last 7 days"))
		case w.Alerts == 1:
			line = append(line, Italic(" — last alert "+r.at(w.LastAlert, now)+"; once in the last 7 days"))
		default:
			line = append(line, Italic(fmt.Sprintf(" — last alert %s; %d in the last 7 days", r.at(w.LastAlert, now), w.Alerts)))
		}
		if w.Paused {
			line = append(line, Italic(" (paused: herald could not post here)"))
		}
		items[i] = line
	}
	return msg(Para(Bold(fmt.Sprintf("This chat's watches (%d)", len(ws)))), List(items...),
		Para(Plain("Remove one with "), Cmd(req.Prefix+"unwatch <n>"), Plain("; mute one with "),
			Cmd(req.Prefix+"mute watch <n> <duration>"), Plain("."))), nil
}

// findWatch returns the watch of req.Dest that args name: "2", "#2",
// "watch 2", or the exact query.
func (r *Router) findWatch(ctx context.Context, req Request, args []string) (news.Watch, int, bool, error) {
	ws, err := r.watchlist.WatchesOf(ctx, req.Dest, r.now())
	if err != nil {
		return news.Watch{}, 0, false, err
	}
	if n, ok := watchNumber(args); ok {
		if n >= 1 && n <= len(ws) {
			return ws[n-1], n, true, nil
		}
		return news.Watch{}, 0, false, nil
	}
	query := strings.Join(args, " ")
	for i, w := range ws {
		if w.Query == query {
			return w, i + 1, true, nil
		}
	}
	return news.Watch{}, 0, false, nil
}

// watchNumber reads a watch's number as chats write it: "2", "#2" or "watch 2".
func watchNumber(args []string) (int, bool) {
	if len(args) == 2 && strings.EqualFold(args[0], "watch") {
		args = args[1:]
	}
	if len(args) != 1 {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(args[0], "#"))
	return n, err == nil
}

// unwatch answers /unwatch <n> or /unwatch <query>.
func (r *Router) unwatch(ctx context.Context, req Request) (Message, error) {
	if r.watchlist == nil {
		m, _ := r.watchesOff()
		return m, nil
	}
	if len(req.Args) == 0 {
		return msg(Para(Plain("Which watch? Write "), Cmd(req.Prefix+"unwatch <n>"), Plain(" with its number from "),
			Cmd(req.Prefix+"watches"), Plain(", or the query itself."))), nil
	}
	w, n, ok, err := r.findWatch(ctx, req, req.Args)
	if err != nil {
		return failed("unwatch in "+req.Dest.String(), err)
	}
	if !ok {
		return msg(Para(Plain("This chat has no watch “"+Shorten(Clean(strings.Join(req.Args, " ")), 64)+"”; "),
			Cmd(req.Prefix+"watches"), Plain(" lists its watches by number."))), nil
	}
	if refusal, err := mayManage(ctx, req); refusal != nil {
		return *refusal, err
	}
	if _, err := r.watchlist.RemoveWatch(ctx, w.ID); err != nil {
		return failed("unwatch "+strconv.FormatInt(w.ID, 10)+" in "+req.Dest.String(), err)
	}
	return msg(Para(Plain(fmt.Sprintf("Removed watch %d, ", n)), Code(Shorten(Clean(w.Query), maxWatchLabel)),
		Plain(": no more alerts for it here."))), nil
}

// watchRule returns the rule name of the watch that the words name in
// req's chat ("watch 2", "#2"), for /mute, /unmute and /latest. named says
// the words are written that way; rule is empty when the chat has no such
// watch.
func (r *Router) watchRule(ctx context.Context, req Request, words []string) (rule, label string, named bool, err error) {
	if r.watchlist == nil || len(words) == 0 || !(strings.EqualFold(words[0], "watch") || strings.HasPrefix(words[0], "#")) {
		return "", "", false, nil
	}
	if _, isNum := watchNumber(words); !isNum {
		return "", "", false, nil
	}
	w, n, found, err := r.findWatch(ctx, req, words)
	if err != nil || !found {
		return "", "", true, err
	}
	return news.WatchRule(w.ID), fmt.Sprintf("watch %d", n), true, nil
}

// noWatch is the reply to a watch number the chat does not have.
func noWatch(req Request, words []string) Message {
	return msg(Para(Plain("This chat has no "+Shorten(Clean(strings.Join(words, " ")), 64)+"; "),
		Cmd(req.Prefix+"watches"), Plain(" lists its watches by number.")))
}

// watchLines lists d's watches for /subscriptions, and names each watch's
// rule as chats know it ("watch 2"), for its mutes.
func (r *Router) watchLines(ctx context.Context, d news.Destination) ([]Line, map[string]string, error) {
	if r.watchlist == nil {
		return nil, nil, nil
	}
	ws, err := r.watchlist.WatchesOf(ctx, d, r.now())
	if err != nil {
		return nil, nil, err
	}
	names := make(map[string]string, len(ws))
	lines := make([]Line, len(ws))
	for i, w := range ws {
		names[news.WatchRule(w.ID)] = fmt.Sprintf("watch %d", i+1)
		lines[i] = Line{Code(fmt.Sprintf("watch %d", i+1)), Plain(" — your watch: " + Shorten(Clean(w.Query), maxWatchLabel))}
		if w.Paused {
			lines[i] = append(lines[i], Italic(" (paused: herald could not post here)"))
		}
	}
	return lines, names, nil
}
