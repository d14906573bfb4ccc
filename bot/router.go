package bot

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"herald/internal/fuzzy"
	"herald/news"
)

// Topic is a rule as chats see it: a name to subscribe to and what it is about.
type Topic struct {
	Name        string
	Description string
	// Notify are the destinations the config posts this topic to, whatever
	// the chats subscribe to.
	Notify []news.Destination
}

// Catalog is what the router knows of the running configuration. The router
// asks for it on every command, so a config reload is seen at once.
type Catalog struct {
	// Topics are the rules, in config order.
	Topics []Topic
	// Feeds are the configured feed names, in config order.
	Feeds []string
}

// CommandStore is what the router needs from storage.
type CommandStore interface {
	Subscribe(ctx context.Context, s news.Subscription) (created bool, err error)
	Unsubscribe(ctx context.Context, d news.Destination, rule string) (removed bool, err error)
	SubscriptionsOf(ctx context.Context, d news.Destination) ([]news.Subscription, error)
	Latest(ctx context.Context, d news.Destination, rule string, n int) ([]news.Alert, error)
	FeedStates(ctx context.Context) (map[string]news.FeedState, error)
	PendingCount(ctx context.Context) (int, error)
	DeadCount(ctx context.Context) (int, error)
	Mute(ctx context.Context, m news.Mute) error
	Unmute(ctx context.Context, d news.Destination, rule string, now time.Time) (removed bool, released int, err error)
	MutesOf(ctx context.Context, d news.Destination, now time.Time) ([]news.Mute, error)
	TopicsSubscribed(ctx context.Context) (map[string]int, error)
}

// Request is one chat command, as a platform adapter hands it over.
type Request struct {
	// Dest is where the command was written and where subscriptions made by it
	// go: the chat, and the forum topic or thread when there is one.
	Dest news.Destination
	// User identifies who wrote it on the platform, for logs.
	User string
	// Private is true in a one-to-one chat with the bot.
	Private bool
	// Command is the command name without its prefix or bot name ("subscribe");
	// empty for a message that is not a command.
	Command string
	// Args are the words after the command.
	Args []string
	// IsAdmin says whether the user may change the chat's subscriptions. It is
	// asked only by the commands that change them; nil means yes (a private chat).
	IsAdmin func(ctx context.Context) (bool, error)
	// Prefix is what the platform's users type before a command name ("/" on
	// Telegram, "/herald " on Slack); "/" when empty.
	Prefix string
	// AnyoneManages is set where every member of a group chat may change its
	// subscriptions (a Slack channel when slack.admins is empty), so that help
	// says so instead of naming administrators.
	AnyoneManages bool
	// Operator is set when the user is one of herald's own administrators
	// (telegram.admins, slack.admins), who may change herald itself, such
	// as add feeds, and not only a chat's subscriptions.
	Operator bool
}

// Command describes a chat command, for help texts and platform menus.
type Command struct {
	// Name is what follows the prefix ("subscribe").
	Name string
	// Args is the argument syntax ("<topic>"); empty when it takes none.
	Args string
	// Description is one short line.
	Description string
}

// Limits of the replies.
const (
	// DefaultLatest and MaxLatest are /latest's default and largest count.
	DefaultLatest = 5
	MaxLatest     = 20
	// MaxListed is how many topics or feeds a reply lists before "and N more".
	MaxListed = 50
)

// Router answers chat commands on any platform: it reads and changes
// subscriptions and reports status, and returns platform-neutral replies.
// It is safe for concurrent use.
type Router struct {
	store   CommandStore
	catalog func() Catalog
	now     func() time.Time
	loc     *time.Location
	search  *searches // nil without WithSearch
	adder   FeedAdder // nil without WithFeedAdder
}

// NewRouter returns a router over store. catalog returns the current rules
// and feeds; now is the clock (nil: time.Now) and loc the time zone of the
// times in replies (nil: UTC). Options add optional commands, such as
// WithSearch.
func NewRouter(store CommandStore, catalog func() Catalog, now func() time.Time, loc *time.Location, opts ...RouterOption) *Router {
	if now == nil {
		now = time.Now
	}
	if loc == nil {
		loc = time.UTC
	}
	r := &Router{store: store, catalog: catalog, now: now, loc: loc}
	for _, o := range opts {
		o(r)
	}
	return r
}

var commands = []Command{
	{Name: "start", Description: "what herald does here"},
	{Name: "help", Description: "what herald does here, and the commands"},
	{Name: "topics", Description: "the topics, and which this chat follows"},
	{Name: "subscribe", Args: "<topic>", Description: "post alerts on a topic here"},
	{Name: "unsubscribe", Args: "<topic>", Description: "stop alerts on a topic here"},
	{Name: "subscriptions", Description: "the topics this chat follows"},
	{Name: "latest", Args: "[topic] [n]", Description: "the last alerts posted here"},
	{Name: "search", Args: "<query> | more", Description: "find stored articles, newest first"},
	{Name: "mute", Args: "<topic> <duration> [--queue]", Description: "pause a topic here for a while"},
	{Name: "unmute", Args: "<topic>", Description: "end a mute"},
	{Name: "status", Description: "feeds, rules and deliveries"},
	{Name: "feeds", Args: "[failing|name] | add <url> [name]", Description: "each feed's health; operators add feeds"},
}

// Commands returns the commands the router answers, in menu order.
func (r *Router) Commands() []Command { return slices.Clone(commands) }

// Known reports whether name is one of the router's commands. Adapters use
// it to stay quiet about commands in a group that were meant for another bot.
func (r *Router) Known(name string) bool {
	return slices.ContainsFunc(commands, func(c Command) bool { return c.Name == strings.ToLower(name) })
}

// Handle answers one command. The reply is always a message to show, also
// when err is not nil: then it apologises, and err says what went wrong for
// the adapter to log.
func (r *Router) Handle(ctx context.Context, req Request) (Message, error) {
	if req.Prefix == "" {
		req.Prefix = "/"
	}
	switch strings.ToLower(req.Command) {
	case "start", "help":
		return r.help(req), nil
	case "topics":
		return r.topics(ctx, req)
	case "subscribe":
		return r.subscribe(ctx, req)
	case "unsubscribe":
		return r.unsubscribe(ctx, req)
	case "subscriptions":
		return r.subscriptions(ctx, req)
	case "latest":
		return r.latest(ctx, req)
	case "status":
		return r.status(ctx, req)
	case "feeds":
		return r.feeds(ctx, req)
	case "mute":
		return r.mute(ctx, req)
	case "unmute":
		return r.unmute(ctx, req)
	case "search":
		return r.searchCmd(ctx, req)
	case "":
		return msg(Para(Plain("Send "), Cmd(req.Prefix+"help"), Plain(" to see what I can do."))), nil
	}
	return msg(
		Para(Plain("I don't know "), Code(req.Prefix+Clean(req.Command)), Plain(". These are my commands:")),
		r.commandList(req, false),
	), nil
}

func msg(blocks ...Block) Message { return Message{Blocks: blocks} }

func (r *Router) help(req Request) Message {
	m := msg(
		Para(Bold("herald"), Plain(" watches news feeds and posts an alert here when a topic "+place(req)+" follows is in the news: "+
			"the headline, a short summary, the direct quotes with who said them, and the link.")),
		r.commandList(req, true),
	)
	if req.Dest.Thread != "" && req.Dest.Platform == news.Telegram {
		m.Add(Para(Plain("Subscriptions belong to this forum topic: alerts go where the subscribe command was written.")))
	}
	switch {
	case !req.Private && req.AnyoneManages:
		m.Add(Para(Plain("Anyone in " + place(req) + " can subscribe it to a topic or unsubscribe it.")))
	case !req.Private && req.Dest.Platform == news.Slack:
		m.Add(Para(Plain("In a channel, only herald's administrators can subscribe or unsubscribe.")))
	case !req.Private:
		m.Add(Para(Plain("In a group, only its administrators can subscribe or unsubscribe.")))
	}
	if req.Dest.Platform != "" {
		m.Add(Para(Plain("In herald's config "+place(req)+" is "), Code(req.Dest.String()),
			Plain(": a rule's notify list can name it.")))
	}
	return m
}

// capital returns s with its first letter in upper case.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// place is what replies call the chat a command came from: "this channel"
// on Slack, "this chat" elsewhere.
func place(req Request) string {
	if req.Dest.Platform == news.Slack {
		return "this channel"
	}
	return "this chat"
}

func (r *Router) commandList(req Request, all bool) Block {
	var items []Line
	for _, c := range commands {
		// start is what Telegram sends when a chat with a bot opens; on
		// Slack it would only repeat help.
		if (!all || req.Dest.Platform == news.Slack) && c.Name == "start" {
			continue
		}
		line := Line{Cmd(req.Prefix + c.Name)}
		if c.Args != "" {
			line = append(line, Plain(" "+c.Args))
		}
		items = append(items, append(line, Plain(" — "+strings.ReplaceAll(c.Description, "this chat", place(req)))))
	}
	return List(items...)
}

// topic finds a topic by name, ignoring case as the config does.
func (c Catalog) topic(name string) (Topic, bool) {
	for _, t := range c.Topics {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return Topic{}, false
}

// following returns the rules d is subscribed to, by name, with their paused flags.
func (r *Router) following(ctx context.Context, d news.Destination) (map[string]bool, error) {
	subs, err := r.store.SubscriptionsOf(ctx, d)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(subs))
	for _, s := range subs {
		out[s.Rule] = s.Paused
	}
	return out, nil
}

func notifies(t Topic, d news.Destination) bool {
	return slices.Contains(t.Notify, d)
}

const sorry = "Sorry, something went wrong on herald's side; try again in a moment."

func failed(what string, err error) (Message, error) {
	return msg(Para(Plain(sorry))), fmt.Errorf("bot: %s: %w", what, err)
}

func (r *Router) topics(ctx context.Context, req Request) (Message, error) {
	cat := r.catalog()
	if len(cat.Topics) == 0 {
		return msg(Para(Plain("herald has no topics yet: its operator adds them as rules in the config."))), nil
	}
	subs, err := r.following(ctx, req.Dest)
	if err != nil {
		return failed("topics", err)
	}
	m := msg(Para(Bold(fmt.Sprintf("Topics (%d)", len(cat.Topics)))))
	m.Add(r.topicList(cat.Topics, func(t Topic) string {
		_, sub := subs[t.Name]
		switch {
		case sub && notifies(t, req.Dest):
			return "✓ subscribed, also posted here by the config"
		case sub:
			return "✓ subscribed"
		case notifies(t, req.Dest):
			return "✓ posted here by the config"
		}
		return ""
	}))
	m.Add(Para(Plain("Follow one here with "), Cmd(req.Prefix+"subscribe <topic>"), Plain(".")))
	return m, nil
}

// topicList lists topics with their descriptions and a note from mark,
// at most MaxListed of them.
func (r *Router) topicList(ts []Topic, mark func(Topic) string) Block {
	var items []Line
	for i, t := range ts {
		if i == MaxListed {
			items = append(items, Line{Plain(fmt.Sprintf("…and %d more", len(ts)-MaxListed))})
			break
		}
		line := Line{Code(t.Name)}
		if d := Clean(t.Description); d != "" {
			line = append(line, Plain(" — "+Shorten(d, 200)))
		}
		if note := mark(t); note != "" {
			line = append(line, Italic(" "+note))
		}
		items = append(items, line)
	}
	return List(items...)
}

// unknownTopic is the reply to a topic name that is not a rule.
func (r *Router) unknownTopic(req Request, cat Catalog, name string) Message {
	name = Shorten(Clean(name), 64)
	var m Message
	if best := suggest(name, cat.Topics); best != "" {
		m.Add(Para(Plain("No topic “"+name+"”; did you mean "), Code(best), Plain("?")))
	} else {
		m.Add(Para(Plain("No topic “" + name + "”.")))
	}
	if len(cat.Topics) == 0 {
		m.Add(Para(Plain("herald has no topics yet.")))
		return m
	}
	m.Add(Para(Plain("The topics are:")))
	m.Add(r.topicList(cat.Topics, func(Topic) string { return "" }))
	return m
}

// topicArg returns the topic a command names. A name typed in several words
// ("black sea grain") is read with dashes, the way rule names are written.
func topicArg(args []string) string {
	return strings.Join(args, "-")
}

// mayManage asks req.IsAdmin and turns a no into a polite reply.
func mayManage(ctx context.Context, req Request) (refusal *Message, err error) {
	if req.IsAdmin == nil {
		return nil, nil
	}
	ok, err := req.IsAdmin(ctx)
	if err != nil {
		m := msg(Para(Plain("Sorry, I could not check whether you administer this chat; try again in a moment.")))
		return &m, fmt.Errorf("bot: check admin %s in %s: %w", req.User, req.Dest, err)
	}
	if !ok {
		who := "this chat's administrators"
		if req.Dest.Platform == news.Slack {
			who = "herald's administrators"
		}
		m := msg(Para(Plain("Sorry, only "+who+" can change what "+place(req)+" follows. "+
			"Everyone can use "), Cmd(req.Prefix+"topics"), Plain(" and "), Cmd(req.Prefix+"latest"), Plain(".")))
		return &m, nil
	}
	return nil, nil
}

func (r *Router) subscribe(ctx context.Context, req Request) (Message, error) {
	cat := r.catalog()
	if len(req.Args) == 0 {
		m := msg(Para(Plain("Which topic? Write "), Cmd(req.Prefix+"subscribe <topic>"), Plain(", one of these:")))
		m.Add(r.topicList(cat.Topics, func(Topic) string { return "" }))
		return m, nil
	}
	t, ok := cat.topic(topicArg(req.Args))
	if !ok {
		return r.unknownTopic(req, cat, topicArg(req.Args)), nil
	}
	if refusal, err := mayManage(ctx, req); refusal != nil {
		return *refusal, err
	}
	created, err := r.store.Subscribe(ctx, news.Subscription{Destination: req.Dest, Rule: t.Name})
	if err != nil {
		return failed("subscribe "+req.Dest.String()+" to "+t.Name, err)
	}
	where := "here"
	if req.Dest.Thread != "" {
		where = "in this topic"
	}
	if !created {
		return msg(Para(Plain("This chat follows "), Code(t.Name), Plain(" already: its alerts are posted "+where+"."))), nil
	}
	return msg(Para(Plain("Subscribed: alerts on "), Code(t.Name), Plain(" will be posted "+where+". "+
		"Stop them with "), Cmd(req.Prefix+"unsubscribe "+t.Name), Plain("."))), nil
}

func (r *Router) unsubscribe(ctx context.Context, req Request) (Message, error) {
	cat := r.catalog()
	if len(req.Args) == 0 {
		return msg(Para(Plain("Which topic? Write "), Cmd(req.Prefix+"unsubscribe <topic>"), Plain("; "),
			Cmd(req.Prefix+"subscriptions"), Plain(" lists what this chat follows."))), nil
	}
	name := topicArg(req.Args)
	subs, err := r.following(ctx, req.Dest)
	if err != nil {
		return failed("unsubscribe", err)
	}
	// A chat may leave a topic the config no longer has.
	rule := ""
	for s := range subs {
		if strings.EqualFold(s, name) {
			rule = s
		}
	}
	t, known := cat.topic(name)
	if rule == "" {
		switch {
		case !known:
			return r.unknownTopic(req, cat, name), nil
		case notifies(t, req.Dest):
			return msg(Para(Plain("This chat gets "), Code(t.Name), Plain(" from herald's config, not from a subscription; "+
				"ask herald's operator to change the rule's notify list."))), nil
		}
		return msg(Para(Plain("This chat does not follow "), Code(t.Name), Plain("."))), nil
	}
	if refusal, err := mayManage(ctx, req); refusal != nil {
		return *refusal, err
	}
	if _, err := r.store.Unsubscribe(ctx, req.Dest, rule); err != nil {
		return failed("unsubscribe "+req.Dest.String()+" from "+rule, err)
	}
	return msg(Para(Plain("Unsubscribed: no more alerts on "), Code(rule), Plain(" here."))), nil
}

func (r *Router) subscriptions(ctx context.Context, req Request) (Message, error) {
	cat := r.catalog()
	subs, err := r.following(ctx, req.Dest)
	if err != nil {
		return failed("subscriptions", err)
	}
	var items []Line
	names := make([]string, 0, len(subs))
	for s := range subs {
		names = append(names, s)
	}
	slices.Sort(names)
	for _, name := range names {
		line := Line{Code(name)}
		if t, ok := cat.topic(name); ok && Clean(t.Description) != "" {
			line = append(line, Plain(" — "+Shorten(Clean(t.Description), 200)))
		} else if !ok {
			line = append(line, Italic(" (no longer a topic: nothing will match)"))
		}
		if subs[name] {
			line = append(line, Italic(" (paused: herald could not post here)"))
		}
		items = append(items, line)
	}
	for _, t := range cat.Topics {
		if _, sub := subs[t.Name]; !sub && notifies(t, req.Dest) {
			line := Line{Code(t.Name)}
			if d := Clean(t.Description); d != "" {
				line = append(line, Plain(" — "+Shorten(d, 200)))
			}
			items = append(items, append(line, Italic(" (posted here by the config)")))
		}
	}
	mutes, err := r.store.MutesOf(ctx, req.Dest, r.now())
	if err != nil {
		return failed("subscriptions", err)
	}
	for _, m := range mutes {
		how := "dropped"
		if m.Queue {
			how = "kept for a digest"
		}
		items = append(items, Line{Code(m.Rule), Italic(" muted until " + r.when(m.Until, r.now()) + ", alerts " + how)})
	}
	if len(items) == 0 {
		return msg(Para(Plain("This chat follows no topic yet. "), Cmd(req.Prefix+"topics"), Plain(" lists them."))), nil
	}
	if len(items) > MaxListed {
		n := len(items) - MaxListed
		items = append(items[:MaxListed], Line{Plain(fmt.Sprintf("…and %d more", n))})
	}
	return msg(Para(Bold("This chat follows")), List(items...)), nil
}

func (r *Router) latest(ctx context.Context, req Request) (Message, error) {
	cat := r.catalog()
	n, rule := DefaultLatest, ""
	var words []string
	for _, a := range req.Args {
		if v, err := strconv.Atoi(a); err == nil {
			n = min(max(v, 1), MaxLatest)
			continue
		}
		words = append(words, a)
	}
	if len(words) > 0 {
		t, ok := cat.topic(topicArg(words))
		if !ok {
			return r.unknownTopic(req, cat, topicArg(words)), nil
		}
		rule = t.Name
		subs, err := r.following(ctx, req.Dest)
		if err != nil {
			return failed("latest", err)
		}
		if _, sub := subs[t.Name]; !sub && !notifies(t, req.Dest) {
			return msg(Para(Plain(capital(place(req))+" does not follow "), Code(t.Name), Plain("; "),
				Cmd(req.Prefix+"subscribe "+t.Name), Plain(" posts its alerts here."))), nil
		}
	}
	// Only what was posted here: a chat never sees topics it does not follow.
	alerts, err := r.store.Latest(ctx, req.Dest, rule, n)
	if err != nil {
		return failed("latest", err)
	}
	if len(alerts) == 0 {
		if rule != "" {
			return msg(Para(Plain("No alerts on "), Code(rule), Plain(" here yet."))), nil
		}
		return msg(Para(Plain("No alerts here yet. "), Cmd(req.Prefix+"subscriptions"), Plain(" lists what "+place(req)+" follows."))), nil
	}
	head := "Latest alerts here"
	if rule != "" {
		head = "Latest alerts on " + rule + " here"
	}
	items := make([]Line, 0, len(alerts))
	for _, a := range alerts {
		title := Shorten(Clean(a.Title), 200)
		if title == "" {
			title = "(untitled)"
		}
		meta := []string{Clean(a.Feed)}
		if !a.Published.IsZero() {
			meta = append(meta, When(a.Published, r.now(), r.loc))
		}
		if rule == "" {
			meta = append(meta, Clean(a.Rule))
		}
		items = append(items, Line{Link(title, SafeURL(a.Link)), Italic(" — " + strings.Join(meta, " · "))})
	}
	return msg(Para(Bold(head)), List(items...)), nil
}

func (r *Router) status(ctx context.Context, req Request) (Message, error) {
	cat := r.catalog()
	states, err := r.store.FeedStates(ctx)
	if err != nil {
		return failed("status", err)
	}
	pending, err := r.store.PendingCount(ctx)
	if err != nil {
		return failed("status", err)
	}
	now := r.now()
	var ok, failing, fresh int
	// Failing feeds first, then the rest, each in config order.
	var bad, items []Line
	for _, name := range cat.Feeds {
		st, seen := states[name]
		var line Line
		switch {
		case !seen || st.LastPoll.IsZero():
			fresh++
			line = Line{Code(name), Plain(" — not polled yet")}
		case st.Disabled != "":
			failing++
			line = Line{Code(name), Plain(" — "), Bold("disabled"), Plain(": " + Shorten(Clean(st.Disabled), 200))}
		case st.LastError != "":
			failing++
			what := "failing"
			if st.Failures > 1 {
				what = fmt.Sprintf("failing (%d polls in a row)", st.Failures)
			}
			if st.HealthAt(now) == news.HealthDead {
				what = "dead: failing since " + r.at(st.FailingSince, now)
			}
			line = Line{Code(name), Plain(" — "), Bold(what), Plain(": " + Shorten(Clean(st.LastError), 200))}
		default:
			ok++
			line = Line{Code(name), Plain(" — ok")}
		}
		if !st.NextPoll.IsZero() {
			line = append(line, Plain("; next poll "+r.when(st.NextPoll, now)))
		}
		if seen && (st.Disabled != "" || st.LastError != "") {
			bad = append(bad, line)
		} else {
			items = append(items, line)
		}
	}
	items = append(bad, items...)
	if len(items) > MaxListed {
		items = items[:MaxListed]
	}
	if len(cat.Feeds) > MaxListed {
		items = append(items, Line{Plain(fmt.Sprintf("…and %d more", len(cat.Feeds)-MaxListed))})
	}
	summary := []string{fmt.Sprintf("%d ok", ok)}
	if failing > 0 {
		summary = append(summary, fmt.Sprintf("%d failing", failing))
	}
	if fresh > 0 {
		summary = append(summary, fmt.Sprintf("%d not polled yet", fresh))
	}
	// Compact: a heading, one line per feed, one line of counts.
	feeds := "Feeds: none configured."
	if len(cat.Feeds) > 0 {
		feeds = "Feeds: " + strings.Join(summary, ", ")
	}
	m := msg(Block{Kind: KindParagraph, Lines: []Line{{Bold("herald status")}, {Plain(feeds)}}})
	if len(items) > 0 {
		m.Add(List(items...))
	}
	m.Add(Para(Plain(fmt.Sprintf("Rules loaded: %d · pending deliveries: %d", len(cat.Topics), pending))))
	dead, err := r.store.DeadCount(ctx)
	if err != nil {
		return failed("status", err)
	}
	if dead > 0 {
		m.Add(Para(Bold(fmt.Sprintf("Undelivered: %d", dead)), Plain(" alerts failed for good (a blocked bot, a missing chat, or a day of errors). "+
			"On the herald host, "), Code("herald status"), Plain(" lists them with their errors and "), Code("herald retry"), Plain(" sends them again.")))
	}
	subscribed, err := r.store.TopicsSubscribed(ctx)
	if err != nil {
		return failed("status", err)
	}
	known := map[string]bool{}
	for _, t := range cat.Topics {
		known[strings.ToLower(t.Name)] = true
	}
	var gone []string
	for rule, n := range subscribed {
		if !known[strings.ToLower(rule)] {
			gone = append(gone, fmt.Sprintf("%s (%d)", rule, n))
		}
	}
	if len(gone) > 0 {
		sort.Strings(gone)
		m.Add(Para(Bold("Subscriptions to topics no longer in the config: "), Plain(strings.Join(gone, ", ")+
			". They are kept and work again if the topic comes back.")))
	}
	return m, nil
}

// when writes a coming time relative to now, in the router's zone:
// "today 16:45 UTC (in 4m)".
func (r *Router) when(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	at := When(t, now, r.loc)
	if d <= 0 {
		return at + " (due now)"
	}
	return at + " (in " + shortDuration(d) + ")"
}

func shortDuration(d time.Duration) string {
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

// suggest returns the topic a person most likely meant by name, or "" when
// none is close. A topic matches when its name or one of its words (split
// at dashes) starts with name, or is within a few typos of it, a swap of
// two letters counting as one; a name typed short of the whole ("natoo" for
// nato-ukraine) is compared with the topic's start as well.
func suggest(name string, ts []Topic) string {
	lower := strings.ToLower(strings.TrimSpace(name))
	n := utf8.RuneCountInString(lower)
	if n == 0 {
		return ""
	}
	limit := max(1, n/3)
	best, bestD := "", limit+1
	for _, t := range ts {
		tl := strings.ToLower(t.Name)
		d := fuzzy.Swaps(lower, tl)
		candidates := append([]string{tl}, strings.FieldsFunc(tl, func(r rune) bool { return r == '-' || r == '_' || r == ' ' })...)
		for _, c := range candidates {
			if n >= 2 && strings.HasPrefix(c, lower) {
				d = 0
				break
			}
			if n < 3 {
				continue // two letters are too few to guess from
			}
			d = min(d, fuzzy.Swaps(lower, c))
			if r := []rune(c); len(r) > n {
				// The start of the name, as long as what was typed, or one longer.
				d = min(d, fuzzy.Swaps(lower, string(r[:n])), fuzzy.Swaps(lower, string(r[:min(n+1, len(r))])))
			}
		}
		if n >= 3 && strings.Contains(tl, lower) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = t.Name, d
		}
	}
	return best
}
