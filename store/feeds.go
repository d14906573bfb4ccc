package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"herald/news"
)

// FeedRow is one feed's remembered state together with its name.
type FeedRow struct {
	// Name is the feed's configured name.
	Name string
	news.FeedState
}

const feedColumns = `url, etag, last_modified, seeded, last_poll, last_ok, last_error, failures, next_poll,
	config_url, interval, failing_since, notified, disabled`

// FeedState returns what is remembered about polling feed; found is false,
// with a zero state, for a feed never saved.
func (db *DB) FeedState(ctx context.Context, feed string) (st news.FeedState, found bool, err error) {
	row := db.r.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE name = ?`, feed)
	st, err = scanFeedState(row)
	if errors.Is(err, sql.ErrNoRows) {
		return news.FeedState{}, false, nil
	}
	if err != nil {
		return news.FeedState{}, false, fmt.Errorf("store: feed state of %q: %w", feed, err)
	}
	return st, true, nil
}

// SaveFeedState stores st as the state of feed, replacing any earlier one.
func (db *DB) SaveFeedState(ctx context.Context, feed string, st news.FeedState) error {
	if feed == "" {
		return errors.New("store: save feed state: empty feed name")
	}
	if st.Failures < 0 || st.Interval < 0 {
		return fmt.Errorf("store: save feed state of %q: negative failure count %d or interval %s", feed, st.Failures, st.Interval)
	}
	_, err := db.w.ExecContext(ctx, `
		INSERT INTO feeds (name, `+feedColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET
			url = excluded.url,
			etag = excluded.etag,
			last_modified = excluded.last_modified,
			seeded = excluded.seeded,
			last_poll = excluded.last_poll,
			last_ok = excluded.last_ok,
			last_error = excluded.last_error,
			failures = excluded.failures,
			next_poll = excluded.next_poll,
			config_url = excluded.config_url,
			interval = excluded.interval,
			failing_since = excluded.failing_since,
			notified = excluded.notified,
			disabled = excluded.disabled`,
		feed, st.URL, st.ETag, st.LastModified, boolInt(st.Seeded),
		nullTime(st.LastPoll), nullTime(st.LastOK), st.LastError, st.Failures, nullTime(st.NextPoll),
		st.ConfigURL, int64(st.Interval/time.Second), nullTime(st.FailingSince), nullTime(st.Notified), st.Disabled)
	if err != nil {
		return fmt.Errorf("store: save feed state of %q: %w", feed, err)
	}
	return nil
}

// Feeds returns the state of every feed ever saved, ordered by name. Feeds
// removed from the configuration stay until deleted.
func (db *DB) Feeds(ctx context.Context) ([]FeedRow, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT name, `+feedColumns+` FROM feeds ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: feeds: %w", err)
	}
	defer rows.Close()
	var out []FeedRow
	for rows.Next() {
		var f FeedRow
		var name string
		st, err := scanFeedState(rows, &name)
		if err != nil {
			return nil, fmt.Errorf("store: feeds: %w", err)
		}
		f.Name, f.FeedState = name, st
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: feeds: %w", err)
	}
	return out, nil
}

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface {
	Scan(dest ...any) error
}

// scanFeedState scans feedColumns, after any leading destinations given.
func scanFeedState(s scanner, leading ...any) (news.FeedState, error) {
	var (
		st                       news.FeedState
		seeded, interval         int64
		lastPoll, lastOK, nextAt sql.NullInt64
		failingSince, notified   sql.NullInt64
	)
	dest := append(leading, &st.URL, &st.ETag, &st.LastModified, &seeded,
		&lastPoll, &lastOK, &st.LastError, &st.Failures, &nextAt,
		&st.ConfigURL, &interval, &failingSince, &notified, &st.Disabled)
	if err := s.Scan(dest...); err != nil {
		return news.FeedState{}, err
	}
	st.Seeded = seeded != 0
	st.LastPoll, st.LastOK, st.NextPoll = fromNull(lastPoll), fromNull(lastOK), fromNull(nextAt)
	st.Interval = time.Duration(interval) * time.Second
	st.FailingSince, st.Notified = fromNull(failingSince), fromNull(notified)
	return st, nil
}
