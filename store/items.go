package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"herald/news"
	"herald/search"
)

// knownChunk bounds the number of ids in one IN list, well under SQLite's
// limit on bound parameters.
const knownChunk = 500

// KnownItems reports which of ids are stored already for feed: the map holds
// true for each id seen before and nothing for the others. Items that
// retention pruned count as seen (for ForgetAfter).
func (db *DB) KnownItems(ctx context.Context, feed string, ids []string) (map[string]bool, error) {
	known := make(map[string]bool)
	for start := 0; start < len(ids); start += knownChunk {
		chunk := ids[start:min(start+knownChunk, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, feed)
		for _, id := range chunk {
			args = append(args, id)
		}
		args = append(args, args...) // the same again for the items retention pruned
		in := `(?` + strings.Repeat(`, ?`, len(chunk)-1) + `)`
		q := `SELECT guid FROM items WHERE feed = ? AND guid IN ` + in +
			` UNION ALL SELECT guid FROM pruned_items WHERE feed = ? AND guid IN ` + in
		if err := db.knownChunk(ctx, q, args, known); err != nil {
			return nil, fmt.Errorf("store: known items of %q: %w", feed, err)
		}
	}
	return known, nil
}

// knownChunk runs one IN query of KnownItems and records the hits in known.
func (db *DB) knownChunk(ctx context.Context, q string, args []any, known map[string]bool) error {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var guid string
		if err := rows.Scan(&guid); err != nil {
			return err
		}
		known[guid] = true
	}
	return rows.Err()
}

// AddItem stores a new item, its row of the full-text index, the rules it
// matched and one outbox row per alert, all in one transaction, so an item is
// never recorded as seen without its alerts nor alerted without being
// recorded, and never stored without being searchable. If the item's (Feed,
// ID) is stored already it changes nothing and returns that item's id with
// added false. Alerts are queued pending, due at fetchedAt; their Rule and
// Destination must be set, and no two may share both.
func (db *DB) AddItem(ctx context.Context, it news.Item, fetchedAt time.Time, matches []news.Match, alerts []news.Alert) (itemID int64, added bool, err error) {
	if it.Feed == "" || it.ID == "" {
		return 0, false, fmt.Errorf("store: add item %q of feed %q: feed and id must both be set", it.ID, it.Feed)
	}
	if fetchedAt.IsZero() {
		return 0, false, fmt.Errorf("store: add item %q of feed %q: zero fetch time", it.ID, it.Feed)
	}
	authors, err := jsonList(it.Authors)
	if err != nil {
		return 0, false, fmt.Errorf("store: add item %q of feed %q: authors: %w", it.ID, it.Feed, err)
	}
	categories, err := jsonList(it.Categories)
	if err != nil {
		return 0, false, fmt.Errorf("store: add item %q of feed %q: categories: %w", it.ID, it.Feed, err)
	}

	// The index row is the item's words folded in Go; fold them before the
	// writer is taken.
	fields := search.IndexFields(it)

	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("store: add item %q of feed %q: %w", it.ID, it.Feed, err)
	}
	defer tx.Rollback()

	// The doc key (see docBase) is the next free one of the item's second.
	base := docBase(docDate(it.Published, fetchedAt))
	var doc int64
	err = tx.QueryRowContext(ctx, `
		INSERT INTO items (feed, guid, title, link, authors, categories, published, fetched_at, content, text, story_link, story_title, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			coalesce((SELECT max(doc) + 1 FROM items WHERE doc >= ? AND doc < ?), ?))
		ON CONFLICT (feed, guid) DO NOTHING
		RETURNING id, doc`,
		it.Feed, it.ID, it.Title, it.Link, authors, categories,
		nullTime(it.Published), fetchedAt.Unix(), it.Content, it.Text, it.StoryLink, it.StoryTitle,
		base, base+docSpan, base).Scan(&itemID, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, `SELECT id FROM items WHERE feed = ? AND guid = ?`, it.Feed, it.ID).Scan(&itemID)
		if err != nil {
			return 0, false, fmt.Errorf("store: add item %q of feed %q: look up existing: %w", it.ID, it.Feed, err)
		}
		return itemID, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: add item %q of feed %q: %w", it.ID, it.Feed, err)
	}
	if err := db.indexItem(ctx, tx, doc, fields); err != nil {
		return 0, false, fmt.Errorf("store: add item %q of feed %q: index: %w", it.ID, it.Feed, err)
	}

	for _, m := range matches {
		hits, err := jsonList(m.Hits)
		if err != nil {
			return 0, false, fmt.Errorf("store: add item %q of feed %q: hits of rule %q: %w", it.ID, it.Feed, m.Rule, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO matches (item_id, rule, hits) VALUES (?, ?, ?)`,
			itemID, m.Rule, hits); err != nil {
			return 0, false, fmt.Errorf("store: add item %q of feed %q: match of rule %q: %w", it.ID, it.Feed, m.Rule, err)
		}
	}

	due := fetchedAt.Unix()
	for _, a := range alerts {
		dest, err := destinationText(a.Destination)
		if err != nil {
			return 0, false, fmt.Errorf("store: add item %q of feed %q: alert for rule %q: %w", it.ID, it.Feed, a.Rule, err)
		}
		payload, err := json.Marshal(a)
		if err != nil {
			return 0, false, fmt.Errorf("store: add item %q of feed %q: alert for rule %q: %w", it.ID, it.Feed, a.Rule, err)
		}
		// An alert held by a mute is due, and counts as queued, when the mute ends.
		at := due
		if a.HoldUntil.Unix() > at {
			at = ceilUnix(a.HoldUntil)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO outbox (item_id, rule, destination, payload, next_attempt, created_at, digest)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			itemID, a.Rule, dest, string(payload), at, at, a.Digest); err != nil {
			return 0, false, fmt.Errorf("store: add item %q of feed %q: alert for rule %q to %s: %w", it.ID, it.Feed, a.Rule, dest, err)
		}
	}

	if err := tx.Commit(); err != nil {
		return 0, false, fmt.Errorf("store: add item %q of feed %q: commit: %w", it.ID, it.Feed, err)
	}
	return itemID, true, nil
}

// jsonList encodes a slice as JSON, nil as [] rather than null, so that the
// columns always hold a list.
func jsonList[T any](v []T) (string, error) {
	if v == nil {
		v = []T{}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// destinationText returns d as stored, refusing destinations that would not
// read back as themselves.
func destinationText(d news.Destination) (string, error) {
	s := d.String()
	back, err := news.ParseDestination(s)
	if err != nil {
		return "", fmt.Errorf("invalid destination: %w", err)
	}
	if back != d {
		return "", fmt.Errorf("invalid destination %q: reads back as %q", s, back.String())
	}
	return s, nil
}
