package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"herald/news"
)

// The queries of the status pages (package web). They only read, except
// RecordPolls, which keeps each feed's recent poll history; each is bounded
// by an index so that a page stays fast on a store of a million items.

// Poll is one finished poll of a feed, as the feed's page lists it.
type Poll struct {
	// Feed is the feed's configured name.
	Feed string
	// At is when the poll finished.
	At time.Time
	// Outcome is "ok", "not_modified" or "error" (watchers.Outcome).
	Outcome string
	// ErrorKind classifies a failure (watchers.ErrorKind); empty otherwise.
	ErrorKind string
	// Duration is the wall time of the fetch and parse.
	Duration time.Duration
	// Items counts the items the poll read, New those herald had not seen.
	Items, New int
}

// PollsKept is how many of its latest polls RecordPolls keeps per feed.
const PollsKept = 50

// RecordPolls stores polls in one transaction and forgets each of their
// feeds' polls beyond the latest PollsKept.
func (db *DB) RecordPolls(ctx context.Context, polls []Poll) error {
	if len(polls) == 0 {
		return nil
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: record %d polls: %w", len(polls), err)
	}
	defer tx.Rollback()
	insert, err := tx.PrepareContext(ctx, `INSERT INTO polls (feed, at, outcome, error_kind, duration_ms, items, new_items) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("store: record %d polls: %w", len(polls), err)
	}
	trim, err := tx.PrepareContext(ctx, `
		DELETE FROM polls WHERE feed = ?1 AND id <= (
			SELECT id FROM polls WHERE feed = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)`)
	if err != nil {
		return fmt.Errorf("store: record %d polls: %w", len(polls), err)
	}
	feeds := map[string]bool{}
	for _, p := range polls {
		if p.Feed == "" || p.Outcome == "" {
			return fmt.Errorf("store: record polls: a poll with feed %q and outcome %q; both are required", p.Feed, p.Outcome)
		}
		_, err := insert.ExecContext(ctx, p.Feed, p.At.Unix(), p.Outcome, p.ErrorKind, max(p.Duration.Milliseconds(), 0), max(p.Items, 0), max(p.New, 0))
		if err != nil {
			return fmt.Errorf("store: record a poll of feed %q: %w", p.Feed, err)
		}
		feeds[p.Feed] = true
	}
	for feed := range feeds {
		if _, err := trim.ExecContext(ctx, feed, PollsKept); err != nil {
			return fmt.Errorf("store: forget old polls of feed %q: %w", feed, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: record %d polls: %w", len(polls), err)
	}
	return nil
}

// Polls returns the last n polls of feed, newest first.
func (db *DB) Polls(ctx context.Context, feed string, n int) ([]Poll, error) {
	rows, err := db.r.QueryContext(ctx, `
		SELECT at, outcome, error_kind, duration_ms, items, new_items FROM polls
		WHERE feed = ? ORDER BY id DESC LIMIT ?`, feed, n)
	if err != nil {
		return nil, fmt.Errorf("store: polls of feed %q: %w", feed, err)
	}
	defer rows.Close()
	var out []Poll
	for rows.Next() {
		p := Poll{Feed: feed}
		var at, ms int64
		if err := rows.Scan(&at, &p.Outcome, &p.ErrorKind, &ms, &p.Items, &p.New); err != nil {
			return nil, fmt.Errorf("store: polls of feed %q: %w", feed, err)
		}
		p.At, p.Duration = time.Unix(at, 0).UTC(), time.Duration(ms)*time.Millisecond
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: polls of feed %q: %w", feed, err)
	}
	return out, nil
}

// Queue is the delivery queue of one platform.
type Queue struct {
	Platform news.Platform
	// Pending counts alerts waiting for their first attempt, Retrying those
	// that failed and wait for another, Dead those that will not be sent.
	Pending, Retrying, Dead int
}

// Queues returns the delivery queue of each platform that has alerts
// waiting or dead, ordered by platform. The counts are kept by triggers
// (migration 0008) as the outbox changes.
func (db *DB) Queues(ctx context.Context) ([]Queue, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT platform, state, n FROM queue_counts WHERE n > 0 ORDER BY platform`)
	if err != nil {
		return nil, fmt.Errorf("store: delivery queues: %w", err)
	}
	defer rows.Close()
	var out []Queue
	for rows.Next() {
		var (
			platform, state string
			n               int
		)
		if err := rows.Scan(&platform, &state, &n); err != nil {
			return nil, fmt.Errorf("store: delivery queues: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Platform != news.Platform(platform) {
			out = append(out, Queue{Platform: news.Platform(platform)})
		}
		q := &out[len(out)-1]
		switch state {
		case "dead":
			q.Dead += n
		case "retrying":
			q.Retrying += n
		default:
			q.Pending += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: delivery queues: %w", err)
	}
	return out, nil
}

// DayCount is how many items one rule alerted or matched on one day.
type DayCount struct {
	Rule string
	// Day counts whole days from the start asked for: 0 is its first day.
	Day int
	N   int
}

// AlertsPerDay counts, per rule and day, the items alerted from since (a
// UTC midnight) for days days: an item alerted to several chats counts
// once. Feed notices are left out. The counts are kept as alerts are queued
// (migration 0008), so they stay after retention deletes the alerts.
func (db *DB) AlertsPerDay(ctx context.Context, since time.Time, days int) ([]DayCount, error) {
	first := since.Unix() / 86400
	rows, err := db.r.QueryContext(ctx, `
		SELECT rule, day - ?1, n FROM alert_days
		WHERE day >= ?1 AND day < ?2 AND rule <> ?3`, first, first+int64(days), NoticeRule)
	if err != nil {
		return nil, fmt.Errorf("store: alerts per day: %w", err)
	}
	return scanDayCounts(rows, "alerts per day")
}

// MatchesPerDay counts the items rule matched per day, by when herald
// stored them, from since (a UTC midnight) for days days. The counts are
// kept as matches are stored (migration 0008), so they stay after
// retention deletes the items.
func (db *DB) MatchesPerDay(ctx context.Context, rule string, since time.Time, days int) ([]DayCount, error) {
	first := since.Unix() / 86400
	rows, err := db.r.QueryContext(ctx, `
		SELECT rule, day - ?2, n FROM match_days
		WHERE rule = ?1 AND day >= ?2 AND day < ?3
		ORDER BY day`, rule, first, first+int64(days))
	if err != nil {
		return nil, fmt.Errorf("store: matches per day of rule %q: %w", rule, err)
	}
	return scanDayCounts(rows, fmt.Sprintf("matches per day of rule %q", rule))
}

func scanDayCounts(rows *sql.Rows, what string) ([]DayCount, error) {
	defer rows.Close()
	var out []DayCount
	for rows.Next() {
		var d DayCount
		if err := rows.Scan(&d.Rule, &d.Day, &d.N); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// Sent is one item as it was alerted: the alert (the payload of its newest
// outbox row) and where each of its outbox rows stands.
type Sent struct {
	ItemID int64
	// Alert is the payload of the item's newest outbox row, with its rule and destination.
	Alert news.Alert
	// Queued is when that row was queued.
	Queued time.Time
	// Rules are the rules that alerted the item, Deliveries where it went.
	Rules      []string
	Deliveries []SentTo
}

// SentTo is one destination of an alerted item and how its delivery went.
type SentTo struct {
	Destination news.Destination
	Rule        string
	Status      Status
	Attempts    int
}

// RecentAlerts returns the last n items alerted by rule, or by any rule but
// the feed notices when rule is empty, newest first, each with where it went
// (for every rule when rule is empty, else for rule).
func (db *DB) RecentAlerts(ctx context.Context, rule string, n int) ([]Sent, error) {
	if n <= 0 {
		return nil, nil
	}
	what := fmt.Sprintf("recent alerts of rule %q", rule)
	// An item's rows are written together, so the newest rows hold the
	// newest items; read a few rows an item and go on while short.
	var (
		out   []Sent
		index       = map[int64]int{}
		last  int64 = -1
	)
	for len(out) < n {
		q := `SELECT id, item_id, rule, destination, payload, created_at FROM outbox
			WHERE rule <> ?1 AND (?2 < 0 OR id < ?2) ORDER BY id DESC LIMIT ?3`
		args := []any{NoticeRule, last, 4 * n}
		if rule != "" {
			q = `SELECT id, item_id, rule, destination, payload, created_at FROM outbox
				WHERE rule = ?1 AND (?2 < 0 OR id < ?2) ORDER BY id DESC LIMIT ?3`
			args[0] = rule
		}
		rows, err := db.r.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		read := 0
		for rows.Next() {
			var (
				id, item, created int64
				r, dest, payload  string
			)
			if err := rows.Scan(&id, &item, &r, &dest, &payload, &created); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: %s: %w", what, err)
			}
			read++
			last = id
			if _, seen := index[item]; seen || len(out) == n {
				continue
			}
			a, err := decodeAlert(id, r, dest, payload)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: %s: %w", what, err)
			}
			index[item] = len(out)
			out = append(out, Sent{ItemID: item, Alert: a, Queued: time.Unix(created, 0).UTC()})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		if read < 4*n {
			break
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	ids := make([]any, 0, len(out)+1)
	ids = append(ids, rule)
	for _, s := range out {
		ids = append(ids, s.ItemID)
	}
	rows, err := db.r.QueryContext(ctx, `
		SELECT item_id, rule, destination, status, attempts FROM outbox
		WHERE (?1 = '' OR rule = ?1) AND rule <> '`+NoticeRule+`' AND item_id IN (?`+strings.Repeat(", ?", len(out)-1)+`)
		ORDER BY item_id, rule, destination`, ids...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			item             int64
			to               SentTo
			dest, status, rl string
		)
		if err := rows.Scan(&item, &rl, &dest, &status, &to.Attempts); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		d, err := news.ParseDestination(dest)
		if err != nil {
			return nil, fmt.Errorf("store: %s: item %d: %w", what, item, err)
		}
		to.Destination, to.Rule, to.Status = d, rl, Status(status)
		s := &out[index[item]]
		s.Deliveries = append(s.Deliveries, to)
		if len(s.Rules) == 0 || s.Rules[len(s.Rules)-1] != rl {
			s.Rules = append(s.Rules, rl)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// FeedItem is one stored item of a feed and the rules it matched.
type FeedItem struct {
	ID        int64
	Title     string
	Link      string
	Published time.Time
	Fetched   time.Time
	Rules     []string
}

// FeedItems returns the last n items stored from feed, newest first, each
// with the rules it matched.
func (db *DB) FeedItems(ctx context.Context, feed string, n int) ([]FeedItem, error) {
	rows, err := db.r.QueryContext(ctx, `
		SELECT i.id, i.title, i.link, i.published, i.fetched_at,
			coalesce((SELECT json_group_array(rule) FROM matches WHERE item_id = i.id), '[]')
		FROM items AS i INDEXED BY items_feed
		WHERE i.feed = ? ORDER BY i.id DESC LIMIT ?`, feed, n)
	if err != nil {
		return nil, fmt.Errorf("store: items of feed %q: %w", feed, err)
	}
	defer rows.Close()
	var out []FeedItem
	for rows.Next() {
		var (
			it        FeedItem
			published sql.NullInt64
			fetched   int64
			ruleList  string
		)
		if err := rows.Scan(&it.ID, &it.Title, &it.Link, &published, &fetched, &ruleList); err != nil {
			return nil, fmt.Errorf("store: items of feed %q: %w", feed, err)
		}
		if err := json.Unmarshal([]byte(ruleList), &it.Rules); err != nil {
			return nil, fmt.Errorf("store: items of feed %q: item %d: rules: %w", feed, it.ID, err)
		}
		it.Published, it.Fetched = fromNull(published), time.Unix(fetched, 0).UTC()
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: items of feed %q: %w", feed, err)
	}
	return out, nil
}

// FeedHealth returns the health at now of every saved feed, as
// news.FeedState.HealthAt says it, reading only what it needs: the
// overview classifies 10,000 feeds this way and reads in full only the
// states of those it lists (FeedsNamed).
func (db *DB) FeedHealth(ctx context.Context, now time.Time) (map[string]news.Health, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT name, disabled <> '', last_poll, last_error <> '', failing_since FROM feeds`)
	if err != nil {
		return nil, fmt.Errorf("store: feed health: %w", err)
	}
	defer rows.Close()
	out := map[string]news.Health{}
	for rows.Next() {
		var (
			name                   string
			disabled, failed       bool
			lastPoll, failingSince sql.NullInt64
		)
		if err := rows.Scan(&name, &disabled, &lastPoll, &failed, &failingSince); err != nil {
			return nil, fmt.Errorf("store: feed health: %w", err)
		}
		// HealthAt reads whether there is an error and why it stopped,
		// not what they say.
		st := news.FeedState{LastPoll: fromNull(lastPoll), FailingSince: fromNull(failingSince)}
		if disabled {
			st.Disabled = "disabled"
		}
		if failed {
			st.LastError = "failed"
		}
		out[name] = st.HealthAt(now)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: feed health: %w", err)
	}
	return out, nil
}

// FeedsNamed returns the state of the saved feeds among names, by name.
func (db *DB) FeedsNamed(ctx context.Context, names []string) ([]FeedRow, error) {
	if len(names) == 0 {
		return nil, nil
	}
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = n
	}
	return db.feedRows(ctx, "feeds by name", `SELECT name, `+feedColumns+` FROM feeds WHERE name IN (?`+strings.Repeat(", ?", len(names)-1)+`) ORDER BY name`, args...)
}

func (db *DB) feedRows(ctx context.Context, what, q string, args ...any) ([]FeedRow, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []FeedRow
	for rows.Next() {
		var name string
		st, err := scanFeedState(rows, &name)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, FeedRow{Name: name, FeedState: st})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}
