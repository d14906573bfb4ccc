package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"herald/news"
	"herald/search"
)

// The full-text index (migration 0004) holds each item's words as
// search.IndexFields writes them, folded by the rules' tokenizer in Go, so
// that search and alerts agree on what a word is. Go code is therefore what
// writes an index row: AddItem does, in the item's transaction, and Open
// indexes the items that have no row yet (all of them after the migration,
// or after an upgrade that changed search.IndexVersion) in batches.
//
// An item's index rowid is its doc key, its date (see docDate) in unix
// seconds shifted left by docShift plus a sequence number among the items of
// that second: the index's own order is then newest first, and since: and
// "the next page" are rowid ranges that FTS5 answers without reading the
// items.

// docShift is the width of a doc key's sequence number: a million items
// may share a second, which one poll (bounded by watchers.max_body) never
// comes near.
const docShift = 20

// docSpan is the number of doc keys of one second.
const docSpan = 1 << docShift

// indexVersionKey is the kv key of the search.IndexVersion the index was built with.
const indexVersionKey = "search.index_version"

// indexBatch is how many items one transaction of Open's indexing handles.
const indexBatch = 500

// docDate is the date an item is found under: its publication date, or when
// herald stored it if the feed gives none or a date in the future.
func docDate(published, fetched time.Time) time.Time {
	if published.IsZero() || published.After(fetched) {
		return fetched
	}
	return published
}

// docBase is the smallest doc key of the second t falls in.
func docBase(t time.Time) int64 {
	s := t.Unix()
	s = min(max(s, 0), math.MaxInt64>>docShift-1)
	return s << docShift
}

// allocDoc returns an unused doc key for an item dated at date, as AddItem
// does in its INSERT.
func allocDoc(ctx context.Context, tx *sql.Tx, date time.Time) (int64, error) {
	base := docBase(date)
	var doc int64
	err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT max(doc) + 1 FROM items WHERE doc >= ? AND doc < ?), ?)`,
		base, base+docSpan, base).Scan(&doc)
	return doc, err
}

// indexRow is one row of the full-text index: an item's doc key and words.
type indexRow struct {
	doc    int64
	fields search.Fields
}

// ftsChunk is how many rows one INSERT into the index writes at most; with
// eight parameters a row it stays far below SQLite's limit on parameters.
const ftsChunk = 200

// indexRows writes index rows inside tx, after the transaction's other
// writes. FTS5 keeps the rows of a transaction in memory and writes them out
// as one new segment when the transaction ends, but also whenever another
// statement opens a savepoint in the transaction, as any INSERT into a table
// with constraints does. Writing a batch's rows last, in as few statements as
// possible, makes one segment per batch instead of one per item: a batch of
// 50 items is then as cheap to index as a few single ones.
func (db *DB) indexRows(ctx context.Context, tx *sql.Tx, rows []indexRow) error {
	for len(rows) > 0 {
		n := min(len(rows), ftsChunk)
		args := make([]any, 0, n*(len(search.Columns)+1))
		for _, r := range rows[:n] {
			args = append(append(args, r.doc), r.fields.Values()...)
		}
		var err error
		if n == 1 {
			_, err = tx.StmtContext(ctx, db.insertFTS).ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertFTS+strings.Repeat(", "+ftsValues, n-1), args...)
		}
		if err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// ftsValues is the VALUES tuple of one index row.
var ftsValues = `(?` + strings.Repeat(", ?", len(search.Columns)) + `)`

// insertFTS writes one index row; its columns are search.Columns, which
// migration 0004 creates in this order. The statement is prepared once:
// preparing it again for each item cost a tenth of AddItem.
var insertFTS = `INSERT INTO items_fts (rowid, ` + strings.Join(search.Columns, ", ") + `) VALUES ` + ftsValues

// buildIndex brings the full-text index up to date at Open: it empties it
// when it was written by another search.IndexVersion, then indexes every
// item without an index row, in batches so that each transaction is short.
func (db *DB) buildIndex(ctx context.Context) error {
	var err error
	version := search.IndexVersion()
	var have string
	err = db.w.QueryRowContext(ctx, `SELECT value FROM kv WHERE key = ?`, indexVersionKey).Scan(&have)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: open %s: search index: %w", db.path, err)
	}
	if have != version {
		if err := db.resetIndex(ctx, have, version); err != nil {
			return fmt.Errorf("store: open %s: search index: %w", db.path, err)
		}
	}
	for {
		n, err := db.indexSome(ctx)
		if err != nil {
			return fmt.Errorf("store: open %s: search index: %w", db.path, err)
		}
		if n < indexBatch {
			return nil
		}
	}
}

// resetIndex empties the index, marks every item unindexed, and records the
// version the index is now written with, in one transaction.
func (db *DB) resetIndex(ctx context.Context, have, version string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if have != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO items_fts (items_fts) VALUES ('delete-all')`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE items SET doc = NULL WHERE doc IS NOT NULL`); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO kv (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, indexVersionKey, version); err != nil {
		return err
	}
	return tx.Commit()
}

// indexSome indexes up to indexBatch items that have no index row and
// returns how many it indexed.
func (db *DB) indexSome(ctx context.Context) (int, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `
		SELECT id, feed, title, authors, categories, published, fetched_at, text
		FROM items WHERE doc IS NULL ORDER BY id LIMIT ?`, indexBatch)
	if err != nil {
		return 0, err
	}
	type pending struct {
		id   int64
		date time.Time
		item news.Item
	}
	var todo []pending
	for rows.Next() {
		var p pending
		var authors, categories string
		var published sql.NullInt64
		var fetched int64
		if err := rows.Scan(&p.id, &p.item.Feed, &p.item.Title, &authors, &categories, &published, &fetched, &p.item.Text); err != nil {
			rows.Close()
			return 0, err
		}
		if err := decodeLists(authors, categories, &p.item); err != nil {
			rows.Close()
			return 0, fmt.Errorf("item %d: %w", p.id, err)
		}
		p.date = docDate(fromNull(published), time.Unix(fetched, 0))
		todo = append(todo, p)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	index := make([]indexRow, 0, len(todo))
	for _, p := range todo {
		doc, err := allocDoc(ctx, tx, p.date)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE items SET doc = ? WHERE id = ?`, doc, p.id); err != nil {
			return 0, err
		}
		index = append(index, indexRow{doc, search.IndexFields(p.item)})
	}
	if err := db.indexRows(ctx, tx, index); err != nil {
		return 0, err
	}
	return len(todo), tx.Commit()
}

// decodeLists reads the authors and categories columns into it.
func decodeLists(authors, categories string, it *news.Item) error {
	if err := json.Unmarshal([]byte(authors), &it.Authors); err != nil {
		return fmt.Errorf("authors: %w", err)
	}
	if err := json.Unmarshal([]byte(categories), &it.Categories); err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	return nil
}

// candidateColumns are what a candidate is read with.
const candidateColumns = `items.doc, items.id, items.feed, items.guid, items.title, items.link,
	items.authors, items.categories, items.published, items.fetched_at, items.text`

// Candidates returns the items a search selects, for the search package to
// re-check: those r.Match selects in the full-text index (every item when it
// is empty), dated since r.Since, newest first below r.Before, or by
// relevance (the index's rank, bm25 with the weights migration 0004 sets)
// after r.Offset; at most r.Limit of them. herald's own notices
// (NoticeFeed) are not news and never candidates.
func (db *DB) Candidates(ctx context.Context, r search.Request) ([]search.Candidate, error) {
	if r.Limit <= 0 {
		return nil, nil
	}
	lo := int64(0)
	if !r.Since.IsZero() {
		lo = docBase(r.Since)
	}
	hi := int64(math.MaxInt64)
	if r.Before > 0 && !r.Relevance {
		hi = r.Before
	}
	var q string
	args := []any{}
	switch {
	case r.Match == "":
		q = `SELECT ` + candidateColumns + ` FROM items
			WHERE items.doc >= ? AND items.doc < ? AND items.feed <> ?
			ORDER BY items.doc DESC LIMIT ? OFFSET ?`
		args = append(args, lo, hi, NoticeFeed)
	case r.Relevance:
		q = `SELECT ` + candidateColumns + ` FROM items_fts CROSS JOIN items ON items.doc = items_fts.rowid
			WHERE items_fts MATCH ? AND items_fts.rowid >= ? AND items.feed <> ?
			ORDER BY rank LIMIT ? OFFSET ?`
		args = append(args, r.Match, lo, NoticeFeed)
	default:
		q = `SELECT ` + candidateColumns + ` FROM items_fts CROSS JOIN items ON items.doc = items_fts.rowid
			WHERE items_fts MATCH ? AND items_fts.rowid >= ? AND items_fts.rowid < ? AND items.feed <> ?
			ORDER BY items_fts.rowid DESC LIMIT ? OFFSET ?`
		args = append(args, r.Match, lo, hi, NoticeFeed)
	}
	offset := 0
	if r.Relevance {
		offset = max(r.Offset, 0)
	}
	args = append(args, r.Limit, offset)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", r.Match, err)
	}
	defer rows.Close()
	var out []search.Candidate
	for rows.Next() {
		var c search.Candidate
		var authors, categories string
		var published sql.NullInt64
		var fetched int64
		it := &c.Item
		if err := rows.Scan(&c.Key, &c.ItemID, &it.Feed, &it.ID, &it.Title, &it.Link,
			&authors, &categories, &published, &fetched, &it.Text); err != nil {
			return nil, fmt.Errorf("store: search %q: %w", r.Match, err)
		}
		if err := decodeLists(authors, categories, it); err != nil {
			return nil, fmt.Errorf("store: search: item %d: %w", c.ItemID, err)
		}
		it.Published = fromNull(published)
		c.Fetched = time.Unix(fetched, 0).UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search %q: %w", r.Match, err)
	}
	return out, nil
}

// PruneStats counts what Prune deleted.
type PruneStats struct {
	// Items deleted, with their matches, outbox rows and index rows.
	Items int
	// Delivered outbox rows deleted, besides those of the items.
	Delivered int
	// Forgotten is how many remembered ids of pruned items were let go.
	Forgotten int
}

// pruneBatch is how many rows one transaction of Prune deletes, so that the
// writer is never held for long and polling goes on between batches.
const pruneBatch = 500

// ForgetAfter is how long Prune remembers the feed and id of an item it
// deleted, so that a feed that still lists the item does not have it taken
// for new and alerted again.
const ForgetAfter = 365 * 24 * time.Hour

// Prune deletes what is older than retention at now: delivered outbox rows
// whose last attempt is older, and items stored longer ago (with their
// matches, outbox rows and index rows) unless an alert about them is still
// pending or undelivered. It remembers each deleted item's feed and id for
// ForgetAfter. It works in short transactions, so other writers (polling)
// are not held up, and stops at ctx's end.
func (db *DB) Prune(ctx context.Context, now time.Time, retention time.Duration) (PruneStats, error) {
	var st PruneStats
	if retention <= 0 {
		return st, fmt.Errorf("store: prune: retention %v, want > 0", retention)
	}
	cutoff := now.Add(-retention).Unix()
	for {
		res, err := db.w.ExecContext(ctx, `
			DELETE FROM outbox WHERE id IN (
				SELECT id FROM outbox WHERE status = 'sent' AND next_attempt < ? LIMIT ?)`, cutoff, pruneBatch)
		if err != nil {
			return st, fmt.Errorf("store: prune delivered alerts: %w", err)
		}
		n, _ := res.RowsAffected()
		st.Delivered += int(n)
		if n < pruneBatch {
			break
		}
	}
	after := [2]int64{math.MinInt64, 0} // (fetched_at, id) of the last item looked at
	for {
		n, last, err := db.pruneItems(ctx, now, cutoff, after)
		if err != nil {
			return st, fmt.Errorf("store: prune items: %w", err)
		}
		st.Items += n
		if last == after {
			break
		}
		after = last
	}
	res, err := db.w.ExecContext(ctx, `DELETE FROM pruned_items WHERE pruned_at < ?`, now.Add(-ForgetAfter).Unix())
	if err != nil {
		return st, fmt.Errorf("store: prune: forget pruned items: %w", err)
	}
	n, _ := res.RowsAffected()
	st.Forgotten = int(n)
	return st, nil
}

// pruneItems deletes one batch of items stored before cutoff, after the
// (fetched_at, id) position after, and returns how many it deleted and the
// position of the last item it looked at (after itself when none).
func (db *DB) pruneItems(ctx context.Context, now time.Time, cutoff int64, after [2]int64) (int, [2]int64, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, after, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `
		SELECT id, fetched_at, feed, guid,
			EXISTS (SELECT 1 FROM outbox WHERE outbox.item_id = items.id AND outbox.status <> 'sent')
		FROM items
		WHERE fetched_at < ? AND (fetched_at, id) > (?, ?)
		ORDER BY fetched_at, id LIMIT ?`, cutoff, after[0], after[1], pruneBatch)
	if err != nil {
		return 0, after, err
	}
	type victim struct {
		id         int64
		feed, guid string
	}
	var victims []victim
	last := after
	for rows.Next() {
		var v victim
		var fetched int64
		var needed bool
		if err := rows.Scan(&v.id, &fetched, &v.feed, &v.guid, &needed); err != nil {
			rows.Close()
			return 0, after, err
		}
		last = [2]int64{fetched, v.id}
		if !needed {
			victims = append(victims, v)
		}
	}
	if err := rows.Close(); err != nil {
		return 0, after, err
	}
	for _, v := range victims {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO pruned_items (feed, guid, pruned_at) VALUES (?, ?, ?)
			ON CONFLICT (feed, guid) DO UPDATE SET pruned_at = excluded.pruned_at`, v.feed, v.guid, now.Unix()); err != nil {
			return 0, after, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM items WHERE id = ?`, v.id); err != nil {
			return 0, after, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, after, err
	}
	return len(victims), last, nil
}
