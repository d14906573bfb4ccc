package store

import (
	"context"
	"fmt"
	"time"

	"herald/news"
)

// Mute silences rule in m.Destination until m.Until, replacing an earlier
// mute of the same pair.
func (db *DB) Mute(ctx context.Context, m news.Mute) error {
	dest, err := destinationText(m.Destination)
	if err != nil {
		return fmt.Errorf("store: mute: %w", err)
	}
	if _, err := db.w.ExecContext(ctx, `
		INSERT INTO mutes (destination, rule, until, queue) VALUES (?, ?, ?, ?)
		ON CONFLICT (destination, rule) DO UPDATE SET until = excluded.until, queue = excluded.queue`,
		dest, m.Rule, ceilUnix(m.Until), m.Queue); err != nil {
		return fmt.Errorf("store: mute %s for %q: %w", dest, m.Rule, err)
	}
	return nil
}

// Unmute ends the mute of rule in d, if there is one, and makes the alerts it
// held due at now. It reports whether there was a mute and how many held
// alerts it released.
func (db *DB) Unmute(ctx context.Context, d news.Destination, rule string, now time.Time) (removed bool, released int, err error) {
	dest, err := destinationText(d)
	if err != nil {
		return false, 0, fmt.Errorf("store: unmute: %w", err)
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return false, 0, fmt.Errorf("store: unmute %s for %q: %w", dest, rule, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM mutes WHERE destination = ? AND rule = ? COLLATE NOCASE`, dest, rule)
	if err != nil {
		return false, 0, fmt.Errorf("store: unmute %s for %q: %w", dest, rule, err)
	}
	n, _ := res.RowsAffected()
	res, err = tx.ExecContext(ctx, `
		UPDATE outbox SET next_attempt = ?1, created_at = ?1
		WHERE destination = ?2 AND rule = ?3 COLLATE NOCASE AND status = 'pending' AND digest = 1 AND next_attempt > ?1`,
		now.Unix(), dest, rule)
	if err != nil {
		return false, 0, fmt.Errorf("store: unmute %s for %q: release held alerts: %w", dest, rule, err)
	}
	if err := tx.Commit(); err != nil {
		return false, 0, fmt.Errorf("store: unmute %s for %q: %w", dest, rule, err)
	}
	held, _ := res.RowsAffected()
	return n > 0, int(held), nil
}

// MutesOf returns the mutes of d that last beyond now, by rule.
func (db *DB) MutesOf(ctx context.Context, d news.Destination, now time.Time) ([]news.Mute, error) {
	dest, err := destinationText(d)
	if err != nil {
		return nil, fmt.Errorf("store: mutes: %w", err)
	}
	return db.mutes(ctx, `SELECT destination, rule, until, queue FROM mutes WHERE destination = ? AND until > ? ORDER BY rule`, dest, now.Unix())
}

// MutedFor returns the mutes of rule that last beyond now, keyed by
// destination as news.Destination.String writes it.
func (db *DB) MutedFor(ctx context.Context, rule string, now time.Time) (map[string]news.Mute, error) {
	list, err := db.mutes(ctx, `SELECT destination, rule, until, queue FROM mutes WHERE rule = ? AND until > ?`, rule, now.Unix())
	if err != nil {
		return nil, err
	}
	out := make(map[string]news.Mute, len(list))
	for _, m := range list {
		out[m.Destination.String()] = m
	}
	return out, nil
}

// MutesInForce returns every mute that lasts beyond now, by rule, then by
// destination as news.Destination.String writes it: one query for all the
// rules an item matched, where MutedFor is one per rule.
func (db *DB) MutesInForce(ctx context.Context, now time.Time) (map[string]map[string]news.Mute, error) {
	list, err := db.mutes(ctx, `SELECT destination, rule, until, queue FROM mutes WHERE until > ?`, now.Unix())
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]news.Mute{}
	for _, m := range list {
		if out[m.Rule] == nil {
			out[m.Rule] = map[string]news.Mute{}
		}
		out[m.Rule][m.Destination.String()] = m
	}
	return out, nil
}

func (db *DB) mutes(ctx context.Context, q string, args ...any) ([]news.Mute, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: mutes: %w", err)
	}
	defer rows.Close()
	var out []news.Mute
	for rows.Next() {
		var (
			dest, rule string
			until      int64
			queue      bool
		)
		if err := rows.Scan(&dest, &rule, &until, &queue); err != nil {
			return nil, fmt.Errorf("store: mutes: %w", err)
		}
		d, err := news.ParseDestination(dest)
		if err != nil {
			return nil, fmt.Errorf("store: mutes: %w", err)
		}
		out = append(out, news.Mute{Destination: d, Rule: rule, Until: time.Unix(until, 0).UTC(), Queue: queue})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: mutes: %w", err)
	}
	return out, nil
}
