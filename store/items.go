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

// NewItem is one item for AddItems: the item, the rules it matched and the
// alerts it queues. Alerts' Rule and Destination must be set, and no two may
// share both.
type NewItem struct {
	Item    news.Item
	Matches []news.Match
	Alerts  []news.Alert
}

// Stored is what AddItems did with one NewItem: the item's row id and whether
// it was added now (false when its (Feed, ID) was stored already, in which
// case ID is that item's). Err, when set, says why this item was refused
// before anything was written; the batch's other items are stored all the same.
type Stored struct {
	ID    int64
	Added bool
	Err   error
}

// AddItem stores one item, as AddItems does a batch of one: the item, its
// row of the full-text index, its matches and its outbox rows in one
// transaction.
func (db *DB) AddItem(ctx context.Context, it news.Item, fetchedAt time.Time, matches []news.Match, alerts []news.Alert) (itemID int64, added bool, err error) {
	out, err := db.AddItems(ctx, fetchedAt, []NewItem{{Item: it, Matches: matches, Alerts: alerts}})
	if err != nil {
		return 0, false, err
	}
	return out[0].ID, out[0].Added, out[0].Err
}

// AddItems stores new items, each with its row of the full-text index, the
// rules it matched and one outbox row per alert, all in one transaction, so
// an item is never recorded as seen without its alerts nor alerted without
// being recorded, and never stored without being searchable.
//
// Calls made at the same time share a transaction (group commit, see
// writer): each commit adds a segment to the full-text index, and writing
// many items per commit is what keeps indexing fast when many feeds deliver
// at once. Every call still gets all-or-nothing: if the shared transaction
// fails, each call is tried again alone.
//
// An item that cannot be stored as given (no feed or id, a destination that
// does not read back) is refused with its own Stored.Err and the others are
// stored. An error from the database rolls the call's items back and is
// returned, with nothing of them written; they are then still new to the
// caller. Alerts are queued pending, due at fetchedAt, or when a mute holding
// them ends. When ctx ends before the items are written, AddItems returns its
// error; the items may still be written.
func (db *DB) AddItems(ctx context.Context, fetchedAt time.Time, items []NewItem) ([]Stored, error) {
	out := make([]Stored, len(items))
	if fetchedAt.IsZero() {
		return nil, fmt.Errorf("store: add %d items: zero fetch time", len(items))
	}
	// Everything that can be computed without the writer is, first: the
	// columns' JSON, the alerts' payloads and the index rows.
	rows := make([]itemRow, len(items))
	ready := 0
	for i := range items {
		if err := rows[i].prepare(&items[i], fetchedAt); err != nil {
			out[i].Err = err
			continue
		}
		ready++
	}
	if ready == 0 {
		return out, nil
	}

	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: add %d items: %w", ready, err)
	}
	req := &addRequest{ctx: ctx, fetchedAt: fetchedAt, items: items, rows: rows, out: out, ready: ready, done: make(chan struct{})}
	if err := db.writer.submit(ctx, req); err != nil {
		return nil, fmt.Errorf("store: add %d items: %w", ready, err)
	}
	return req.out, req.err
}

// writeItems stores the prepared items of reqs in one transaction and
// records each item's id and whether it was added in its request's out.
func (db *DB) writeItems(reqs []*addRequest) error {
	ctx := context.Background() // the transaction is shared: no one caller may cancel it
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: add items: %w", err)
	}
	defer tx.Rollback()
	var index []indexRow
	for _, req := range reqs {
		for i := range req.items {
			if req.out[i].Err != nil {
				continue
			}
			id, doc, added, err := db.insert(ctx, tx, &req.rows[i], &req.items[i], req.fetchedAt)
			if err != nil {
				return err
			}
			req.out[i].ID, req.out[i].Added = id, added
			if added {
				index = append(index, indexRow{doc, req.rows[i].fields})
			}
		}
	}
	// The index rows go last, in as few statements as can be (see indexRows).
	if err := db.indexRows(ctx, tx, index); err != nil {
		return fmt.Errorf("store: add items: index: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: add items: commit: %w", err)
	}
	return nil
}

// prepareWrites prepares the statements that store items.
func (db *DB) prepareWrites(ctx context.Context) error {
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&db.insertItem, `
			INSERT INTO items (feed, guid, title, link, authors, categories, published, fetched_at, content, text, story_link, story_title, doc)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
				coalesce((SELECT max(doc) + 1 FROM items WHERE doc >= ? AND doc < ?), ?))
			ON CONFLICT (feed, guid) DO NOTHING
			RETURNING id, doc`},
		{&db.findItem, `SELECT id FROM items WHERE feed = ? AND guid = ?`},
		{&db.insertMatch, `INSERT INTO matches (item_id, rule, hits) VALUES (?, ?, ?)`},
		{&db.insertOutbox, `
			INSERT INTO outbox (item_id, rule, destination, payload, next_attempt, created_at, digest)
			VALUES (?, ?, ?, ?, ?, ?, ?)`},
		{&db.insertFTS, insertFTS},
	} {
		st, err := db.w.PrepareContext(ctx, p.q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", strings.Fields(p.q)[0:3], err)
		}
		*p.st = st
	}
	return nil
}

// itemRow is one item's values, encoded before the transaction.
type itemRow struct {
	authors, categories string
	fields              search.Fields
	hits                []string // by match
	dests, payloads     []string // by alert
}

// prepare checks and encodes one item of AddItems.
func (r *itemRow) prepare(n *NewItem, fetchedAt time.Time) error {
	it := &n.Item
	if it.Feed == "" || it.ID == "" {
		return fmt.Errorf("store: add item %q of feed %q: feed and id must both be set", it.ID, it.Feed)
	}
	var err error
	if r.authors, err = jsonList(it.Authors); err != nil {
		return fmt.Errorf("store: add item %q of feed %q: authors: %w", it.ID, it.Feed, err)
	}
	if r.categories, err = jsonList(it.Categories); err != nil {
		return fmt.Errorf("store: add item %q of feed %q: categories: %w", it.ID, it.Feed, err)
	}
	r.hits = make([]string, len(n.Matches))
	for k, m := range n.Matches {
		if r.hits[k], err = jsonList(m.Hits); err != nil {
			return fmt.Errorf("store: add item %q of feed %q: hits of rule %q: %w", it.ID, it.Feed, m.Rule, err)
		}
	}
	r.dests, r.payloads = make([]string, len(n.Alerts)), make([]string, len(n.Alerts))
	for k, a := range n.Alerts {
		if r.dests[k], err = destinationText(a.Destination); err != nil {
			return fmt.Errorf("store: add item %q of feed %q: alert for rule %q: %w", it.ID, it.Feed, a.Rule, err)
		}
		payload, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("store: add item %q of feed %q: alert for rule %q: %w", it.ID, it.Feed, a.Rule, err)
		}
		r.payloads[k] = string(payload)
	}
	r.fields = search.IndexFields(*it)
	return nil
}

// insert writes one prepared item inside tx: the item, its matches and its
// outbox rows, and returns its id and doc key; the caller writes its index
// row. An item stored already is left as it is.
func (db *DB) insert(ctx context.Context, tx *sql.Tx, r *itemRow, n *NewItem, fetchedAt time.Time) (itemID, doc int64, added bool, err error) {
	it := &n.Item
	// The doc key (see docBase) is the next free one of the item's second.
	base := docBase(docDate(it.Published, fetchedAt))
	err = tx.StmtContext(ctx, db.insertItem).QueryRowContext(ctx,
		it.Feed, it.ID, it.Title, it.Link, r.authors, r.categories,
		nullTime(it.Published), fetchedAt.Unix(), it.Content, it.Text, it.StoryLink, it.StoryTitle,
		base, base+docSpan, base).Scan(&itemID, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.StmtContext(ctx, db.findItem).QueryRowContext(ctx, it.Feed, it.ID).Scan(&itemID)
		if err != nil {
			return 0, 0, false, fmt.Errorf("store: add item %q of feed %q: look up existing: %w", it.ID, it.Feed, err)
		}
		return itemID, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("store: add item %q of feed %q: %w", it.ID, it.Feed, err)
	}
	for k, m := range n.Matches {
		if _, err := tx.StmtContext(ctx, db.insertMatch).ExecContext(ctx,
			itemID, m.Rule, r.hits[k]); err != nil {
			return 0, 0, false, fmt.Errorf("store: add item %q of feed %q: match of rule %q: %w", it.ID, it.Feed, m.Rule, err)
		}
	}
	due := fetchedAt.Unix()
	for k, a := range n.Alerts {
		// An alert held by a mute is due, and counts as queued, when the mute ends.
		at := due
		if a.HoldUntil.Unix() > at {
			at = ceilUnix(a.HoldUntil)
		}
		if _, err := tx.StmtContext(ctx, db.insertOutbox).ExecContext(ctx,
			itemID, a.Rule, r.dests[k], r.payloads[k], at, at, a.Digest); err != nil {
			return 0, 0, false, fmt.Errorf("store: add item %q of feed %q: alert for rule %q to %s: %w", it.ID, it.Feed, a.Rule, r.dests[k], err)
		}
	}
	return itemID, doc, true, nil
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
