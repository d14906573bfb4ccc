// Package news holds the domain types that every part of herald shares: feeds,
// items, rule matches, quotes, alerts, destinations and subscriptions. It does no
// I/O, so any package may import it without pulling in a dependency.
package news

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// BackfillAll is the Feed.Backfill of "backfill: all" (the longest
// duration): the first poll alerts on every item, dated or not.
const BackfillAll = time.Duration(math.MaxInt64)

// Feed is a source herald polls, as configured.
type Feed struct {
	// Name is the unique, human-chosen name of the feed ("wire", "ministry").
	Name string
	// URL is an http(s) URL or an absolute path to a local feed file.
	URL string
	// Interval is how often the feed is polled by `herald run`, as configured.
	// Zero means adaptive: the watchers poll as often as the feed publishes,
	// within their minimum and maximum intervals.
	Interval time.Duration
	// Tags are labels the configuration gives every item of this feed.
	Tags []string
	// Backfill bounds the first poll of a new feed: items published longer ago
	// than this (or undated) are recorded as seen but not alerted.
	// BackfillAll alerts every item of the first poll, undated ones too.
	Backfill time.Duration
	// FullText asks for each new item's article page to be fetched and its
	// article extracted, for feeds that carry only a teaser.
	FullText bool
	// Untrusted marks a feed whose URL came from outside the operator's
	// config (an OPML import, a chat): unless the watchers allow private
	// addresses, it may not reach loopback or private networks.
	Untrusted bool
}

// IsFile reports whether the feed is read from the local file system rather
// than over HTTP.
func (f Feed) IsFile() bool {
	return !strings.HasPrefix(f.URL, "http://") && !strings.HasPrefix(f.URL, "https://")
}

// Item is one article from a feed, or one article file given on the command line.
type Item struct {
	// Feed is the name of the feed the item came from.
	Feed string
	// ID identifies the item within its feed: the GUID, else the link, else a
	// hash of title and content (see ItemID).
	ID string
	// Title is the headline as plain text.
	Title string
	// Link is the article's URL, possibly empty.
	Link string
	// Authors are the author names given by the feed.
	Authors []string
	// Categories are the item's category or tag values from the feed.
	Categories []string
	// Published is when the item was published; zero when the feed gives no date.
	Published time.Time
	// Content is the body as the feed gave it, usually HTML
	// (content:encoded, else description; Atom content, else summary).
	Content string
	// Text is the body as plain text: paragraphs separated by a blank line.
	// Watchers leave it empty; the alert pipeline fills it from Content.
	Text string
	// StoryLink and StoryTitle identify the story across feeds: the link
	// without tracking parameters, and the title reduced to its words. The
	// alert pipeline sets them.
	StoryLink  string
	StoryTitle string
}

// Hit is one place where a rule's term matched an item.
type Hit struct {
	// Term is the query term that matched, as written in the rule ("@nuc", "\"black sea\"", "ukraine").
	Term string `json:"term"`
	// Field is where it matched: "title", "text", "feed", "tag" or "author".
	Field string `json:"field"`
	// Text is the matched span as it stands in the item ("NATO–Ukraine council").
	Text string `json:"text"`
}

// Match says that a rule fired on an item, and on which words.
type Match struct {
	// Rule is the name of the rule.
	Rule string `json:"rule"`
	// Hits are the places where the rule's positive terms matched, in field and text order.
	Hits []Hit `json:"hits"`
}

// Quote is a direct quotation from an article.
type Quote struct {
	// Text is what was said, without the quotation marks.
	Text string `json:"text"`
	// Speaker is who said it, normalised to a full name; empty when unknown.
	Speaker string `json:"speaker,omitempty"`
	// Open and Close are the quotation marks the article used, with the
	// space French puts inside guillemets ("« ", " »"; "„", "“"), so that an
	// alert quotes in the article's own marks; empty for a quotation without
	// marks (dialogue after a dash) or in straight ones, which alerts show in “ ”.
	Open  string `json:"open,omitempty"`
	Close string `json:"close,omitempty"`
}

// Marks returns the quotation marks to show q in: the article's own, or
// “ ” when it used none or straight ones.
func (q Quote) Marks() (open, close string) {
	if q.Open != "" && q.Close != "" {
		return q.Open, q.Close
	}
	return "“", "”"
}

// Alert is what herald posts to one destination: an item that matched a rule.
// It is stored as the payload of an outbox row, so it must stay JSON-stable.
type Alert struct {
	// ID is the outbox row the alert travels in; zero before it is stored.
	ID int64 `json:"-"`
	// Destination is where the alert goes.
	Destination Destination `json:"-"`
	// Rule is the name of the rule that matched.
	Rule string `json:"rule"`
	// Feed is the name of the feed the item came from.
	Feed string `json:"feed"`
	// Title is the headline.
	Title string `json:"title"`
	// Link is the article's URL.
	Link string `json:"link,omitempty"`
	// Published is when the item was published; zero when unknown.
	Published time.Time `json:"published,omitzero"`
	// Summary is the 1–2 sentence lead.
	Summary string `json:"summary,omitempty"`
	// Quotes are at most a few direct quotes chosen for the alert.
	Quotes []Quote `json:"quotes,omitempty"`
	// Hits say which words made the rule match.
	Hits []Hit `json:"hits,omitempty"`
	// Watch is the query of the watch that Rule names (see WatchRule);
	// empty when Rule is a topic.
	Watch string `json:"watch,omitempty"`
	// AlsoMatched are the other topics and watches of the same destination that
	// matched the item: the story is posted once, naming them all.
	AlsoMatched []Source `json:"also_matched,omitempty"`
	// Also names the other feeds that carried the same story since the
	// alert was queued ("also: Reuters · AP"); kept beside the payload.
	Also []string `json:"-"`

	// Attempts and Queued are the outbox row's delivery state, set when the
	// alert is read back for delivery: failed tries so far, and when it was queued.
	Attempts int       `json:"-"`
	Queued   time.Time `json:"-"`
	// HoldUntil delays delivery (a queued mute); Digest sends the alert
	// together with the others held with it, as one digest.
	HoldUntil time.Time `json:"-"`
	Digest    bool      `json:"-"`
}

// Edit is a sent alert whose message is to be changed to name more sources
// ("also: …").
type Edit struct {
	// Alert is the alert as sent, with ID, Destination and Also (every
	// source now known) set.
	Alert Alert
	// Ref is the platform's message, as the adapter that posted it wrote it.
	Ref string
	// SentAt is when the message was posted.
	SentAt time.Time
}

// Mute silences one topic in one chat until a time.
type Mute struct {
	Destination Destination
	Rule        string
	Until       time.Time
	// Queue keeps the muted alerts and sends them as one digest when the
	// mute ends; otherwise they are dropped.
	Queue bool
}

// Platform names a chat platform herald can deliver to.
type Platform string

// The platforms herald knows.
const (
	Console  Platform = "console"
	Telegram Platform = "telegram"
	Slack    Platform = "slack"
)

// Destination is one place alerts are posted: the console, a Telegram chat
// (optionally a forum topic) or a Slack channel (optionally a thread).
type Destination struct {
	Platform Platform
	// Chat is the Telegram chat ID or the Slack channel (ID or #name); empty for the console.
	Chat string
	// Thread is the Telegram forum topic ID or the Slack thread timestamp; often empty.
	Thread string
}

// String formats the destination the way the configuration writes it:
// "console", "telegram:-1001234/5", "slack:#news".
func (d Destination) String() string {
	s := string(d.Platform)
	if d.Chat != "" {
		s += ":" + d.Chat
	}
	if d.Thread != "" {
		s += "/" + d.Thread
	}
	return s
}

// ParseDestination reads a destination as written in a rule's notify list:
// "console", "telegram:<chat_id>[/<thread_id>]" or "slack:<channel>[/<thread_ts>]".
func ParseDestination(s string) (Destination, error) {
	platform, rest, hasRest := strings.Cut(strings.TrimSpace(s), ":")
	switch Platform(platform) {
	case Console:
		if hasRest {
			return Destination{}, fmt.Errorf("destination %q: console takes no chat; write just \"console\"", s)
		}
		return Destination{Platform: Console}, nil
	case Telegram:
		chat, thread, _ := strings.Cut(rest, "/")
		if _, err := strconv.ParseInt(chat, 10, 64); err != nil || chat == "" {
			return Destination{}, fmt.Errorf("destination %q: a Telegram chat is a numeric chat ID such as telegram:-1001234567890", s)
		}
		if thread != "" {
			if n, err := strconv.ParseInt(thread, 10, 64); err != nil || n <= 0 {
				return Destination{}, fmt.Errorf("destination %q: a Telegram forum topic is a positive number such as telegram:-1001234567890/5", s)
			}
		}
		return Destination{Platform: Telegram, Chat: chat, Thread: thread}, nil
	case Slack:
		chat, thread, _ := strings.Cut(rest, "/")
		if chat == "" || chat == "#" || strings.ContainsAny(chat, " \t<>") {
			return Destination{}, fmt.Errorf("destination %q: a Slack destination is a channel ID or #name such as slack:C0123456789 or slack:#news", s)
		}
		return Destination{Platform: Slack, Chat: chat, Thread: thread}, nil
	}
	return Destination{}, fmt.Errorf("destination %q: unknown platform %q; use console, telegram:<chat_id> or slack:<channel>", s, platform)
}

// Subscription ties a destination to a rule (a topic), as made by a chat
// command or implied by a rule's notify list.
type Subscription struct {
	Destination Destination
	Rule        string
	// Paused is set when the platform refused the destination (bot blocked,
	// channel archived); the subscription is kept and resumes later.
	Paused bool
}

// FeedState is what herald remembers about polling one feed between polls and
// restarts: the HTTP cache validators, health and schedule.
type FeedState struct {
	// URL is the URL last polled; it differs from the configured one after a permanent redirect.
	URL string
	// ETag and LastModified are the validators of the last 200 response, sent
	// back as If-None-Match and If-Modified-Since.
	ETag         string
	LastModified string
	// Seeded is true once the feed has been polled successfully at least once;
	// until then the backfill window limits which items alert.
	Seeded bool
	// LastPoll is when the feed was last polled, successfully or not.
	LastPoll time.Time
	// LastOK is when the feed last answered with a feed or a 304.
	LastOK time.Time
	// LastError is the last failure's message; empty after a success.
	LastError string
	// Failures counts consecutive failed polls.
	Failures int
	// NextPoll is when the feed is due again.
	NextPoll time.Time
	// ConfigURL is the configured URL that URL was reached from. While the
	// config still says ConfigURL, herald polls URL (where a permanent
	// redirect led); once the config names another URL, it polls that.
	ConfigURL string
	// Interval is the wait after the last successful poll, before jitter:
	// the feed's own interval, or the one adapted to its publishing.
	Interval time.Duration
	// FailingSince is when the current run of failures began (429 and 503
	// answers do not start one); zero while the feed is healthy.
	FailingSince time.Time
	// Notified is when the current run of failures was reported to the
	// admin; zero when it was not (yet).
	Notified time.Time
	// Disabled says why herald stopped polling the feed (the server answered
	// 410 Gone); empty while the feed is polled. Changing the feed's URL in
	// the config enables it again.
	Disabled string
}
