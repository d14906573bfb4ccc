package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"herald/news"
)

// Notices about feed health (a feed failing for a day, a feed gone) travel
// through the outbox like alerts, so that they are delivered and retried the
// same way. Each is stored as an item of the pseudo-feed NoticeFeed with one
// outbox row under the pseudo-rule NoticeRule.
const (
	NoticeFeed = "herald"
	NoticeRule = "feed-health"
)

// AddNotice queues a as a notice to its destination, due at at. key
// identifies the notice (such as "failing/wire/1712345678"): a notice whose
// key was queued before is not queued again, and added is false. a.Rule and
// a.Feed are set to NoticeRule and NoticeFeed; a.Destination must be set.
func (db *DB) AddNotice(ctx context.Context, at time.Time, key string, a news.Alert) (added bool, err error) {
	if key == "" {
		return false, errors.New("store: add notice: empty key")
	}
	a.Rule, a.Feed = NoticeRule, NoticeFeed
	it := news.Item{
		Feed:      NoticeFeed,
		ID:        "notice:" + key,
		Title:     a.Title,
		Link:      a.Link,
		Published: a.Published,
		Text:      a.Summary,
	}
	_, added, err = db.AddItem(ctx, it, at, nil, []news.Alert{a})
	if err != nil {
		return false, fmt.Errorf("store: add notice %q: %w", key, err)
	}
	return added, nil
}

// Ping checks that the database answers a query, for /healthz.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.r.QueryRowContext(ctx, `SELECT 1 FROM feeds LIMIT 1`).Scan(&one); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}
