package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"herald/news"
)

// watchRules bound the rule names of watches in the matches table, for a
// range scan of its (rule, item_id) index: every "watch:N" sorts between them.
const (
	watchRulesFrom = "watch:"
	watchRulesTo   = "watch;"
)

// AddWatch saves w for w.Destination and returns it with its ID and
// creation time (w.Created, or now when zero). perChat, when positive, is
// how many watches one chat may have, its threads included: past it the
// error is news.ErrWatchLimit. A destination that watches the same query
// already gets news.ErrWatchExists. The count and the insert are one
// transaction, so two chats racing cannot pass the limit.
func (db *DB) AddWatch(ctx context.Context, w news.Watch, perChat int) (news.Watch, error) {
	dest, err := destinationText(w.Destination)
	if err != nil {
		return w, fmt.Errorf("store: add watch: %w", err)
	}
	if w.Query == "" {
		return w, fmt.Errorf("store: add watch for %s: empty query", dest)
	}
	if w.Created.IsZero() {
		w.Created = time.Now()
	}
	w.Created = w.Created.UTC().Truncate(time.Second)
	exact, threads, err := chatKeys(w.Destination.Platform, w.Destination.Chat)
	if err != nil {
		return w, fmt.Errorf("store: add watch for %s: %w", dest, err)
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return w, fmt.Errorf("store: add watch for %s: %w", dest, err)
	}
	defer tx.Rollback()
	// The chat and its threads ("telegram:42/…", which sort before
	// "telegram:420"), as two ranges of the (destination, query) index
	// rather than a scan of every watch.
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM watches WHERE destination = ?1) +
		(SELECT count(*) FROM watches WHERE destination >= ?2 AND destination < ?3)`,
		exact, threads, threadsEnd(threads)).Scan(&have); err != nil {
		return w, fmt.Errorf("store: add watch for %s: %w", dest, err)
	}
	var dup int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM watches WHERE destination = ? AND query = ?`, dest, w.Query).Scan(&dup); err != nil {
		return w, fmt.Errorf("store: add watch for %s: %w", dest, err)
	}
	switch {
	case dup > 0:
		return w, fmt.Errorf("store: add watch for %s: %w", dest, news.ErrWatchExists)
	case perChat > 0 && have >= perChat:
		return w, fmt.Errorf("store: add watch for %s: %d of %d: %w", dest, have, perChat, news.ErrWatchLimit)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO watches (destination, query, created_by, created_at, paused) VALUES (?, ?, ?, ?, ?)`,
		dest, w.Query, w.CreatedBy, w.Created.Unix(), boolInt(w.Paused))
	if err != nil {
		return w, fmt.Errorf("store: add watch for %s: %w", dest, err)
	}
	if w.ID, err = res.LastInsertId(); err != nil {
		return w, fmt.Errorf("store: add watch for %s: %w", dest, err)
	}
	if err := tx.Commit(); err != nil {
		return w, fmt.Errorf("store: add watch for %s: commit: %w", dest, err)
	}
	return w, nil
}

// RemoveWatch deletes the watch with this id, and its mutes, and returns
// what it was. A watch that does not exist is ErrNotFound.
func (db *DB) RemoveWatch(ctx context.Context, id int64) (news.Watch, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return news.Watch{}, fmt.Errorf("store: remove watch %d: %w", id, err)
	}
	defer tx.Rollback()
	ws, err := scanWatches(tx.QueryContext(ctx, `SELECT `+watchColumns+` FROM watches WHERE id = ?`, id))
	if err != nil {
		return news.Watch{}, fmt.Errorf("store: remove watch %d: %w", id, err)
	}
	if len(ws) == 0 {
		return news.Watch{}, fmt.Errorf("store: remove watch %d: %w", id, ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM watches WHERE id = ?`, id); err != nil {
		return news.Watch{}, fmt.Errorf("store: remove watch %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM mutes WHERE rule = ?`, news.WatchRule(id)); err != nil {
		return news.Watch{}, fmt.Errorf("store: remove watch %d: its mutes: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return news.Watch{}, fmt.Errorf("store: remove watch %d: commit: %w", id, err)
	}
	return ws[0], nil
}

// Watches returns every watch, oldest first, without counts: what the alert
// pipeline compiles.
func (db *DB) Watches(ctx context.Context) ([]news.Watch, error) {
	ws, err := scanWatches(db.r.QueryContext(ctx, `SELECT `+watchColumns+` FROM watches ORDER BY id`))
	if err != nil {
		return nil, fmt.Errorf("store: watches: %w", err)
	}
	return ws, nil
}

// WatchesCounted returns every watch, oldest first, each with the items
// it matched since since and when it last matched one.
func (db *DB) WatchesCounted(ctx context.Context, since time.Time) ([]news.Watch, error) {
	ws, err := db.Watches(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `
		SELECT m.rule, count(*), max(i.fetched_at) FROM matches m JOIN items i ON i.id = m.item_id
		WHERE m.rule >= ? AND m.rule < ? AND i.fetched_at >= ? GROUP BY m.rule`,
		watchRulesFrom, watchRulesTo, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: watches: counting alerts: %w", err)
	}
	defer rows.Close()
	counts := map[int64]news.Watch{}
	for rows.Next() {
		var (
			rule string
			n    int
			last sql.NullInt64
		)
		if err := rows.Scan(&rule, &n, &last); err != nil {
			return nil, fmt.Errorf("store: watches: counting alerts: %w", err)
		}
		if id, ok := news.WatchID(rule); ok {
			counts[id] = news.Watch{Alerts: n, LastAlert: fromNull(last)}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: watches: counting alerts: %w", err)
	}
	for i := range ws {
		c := counts[ws[i].ID]
		ws[i].Alerts, ws[i].LastAlert = c.Alerts, c.LastAlert
	}
	return ws, nil
}

// WatchesOf returns the watches of d (that chat, forum topic or thread
// only), oldest first: a chat numbers its watches in this order. Each
// comes with the items it matched since since and when it last matched one.
func (db *DB) WatchesOf(ctx context.Context, d news.Destination, since time.Time) ([]news.Watch, error) {
	ws, err := scanWatches(db.r.QueryContext(ctx, `SELECT `+watchColumns+` FROM watches WHERE destination = ? ORDER BY id`, d.String()))
	if err != nil {
		return nil, fmt.Errorf("store: watches of %s: %w", d, err)
	}
	for i := range ws {
		var last sql.NullInt64
		if err := db.r.QueryRowContext(ctx, `
			SELECT count(*), max(i.fetched_at) FROM matches m JOIN items i ON i.id = m.item_id
			WHERE m.rule = ? AND i.fetched_at >= ?`, news.WatchRule(ws[i].ID), since.Unix()).Scan(&ws[i].Alerts, &last); err != nil {
			return nil, fmt.Errorf("store: watches of %s: counting alerts: %w", d, err)
		}
		ws[i].LastAlert = fromNull(last)
	}
	return ws, nil
}

// WatchRev returns a number that changes whenever a watch is added,
// removed, paused, resumed or moved, by this process or another.
func (db *DB) WatchRev(ctx context.Context) (int64, error) {
	var rev int64
	if err := db.r.QueryRowContext(ctx, `SELECT rev FROM watches_rev`).Scan(&rev); err != nil {
		return 0, fmt.Errorf("store: watches revision: %w", err)
	}
	return rev, nil
}

// ItemsSince returns how many items herald stored since since: what a
// watch's preview compares its matches with.
func (db *DB) ItemsSince(ctx context.Context, since time.Time) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE fetched_at >= ?`, since.Unix()).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count items since %s: %w", since.Format(time.RFC3339), err)
	}
	return n, nil
}

// threadsEnd returns the least string above every string that starts
// with threads, which ends in "/": the same with "0" for the "/".
func threadsEnd(threads string) string { return threads[:len(threads)-1] + "0" }

const watchColumns = `id, destination, query, created_by, created_at, paused`

// scanWatches reads rows of watchColumns and closes them.
func scanWatches(rows *sql.Rows, err error) ([]news.Watch, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []news.Watch
	for rows.Next() {
		var (
			w       news.Watch
			dest    string
			created int64
			paused  int64
		)
		if err := rows.Scan(&w.ID, &dest, &w.Query, &w.CreatedBy, &created, &paused); err != nil {
			return nil, err
		}
		d, err := news.ParseDestination(dest)
		if err != nil {
			return nil, fmt.Errorf("watch %d: %w", w.ID, err)
		}
		w.Destination, w.Created, w.Paused = d, time.Unix(created, 0).UTC(), paused != 0
		out = append(out, w)
	}
	return out, rows.Err()
}
