package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Dead returns up to limit outbox rows that will not be retried, newest
// first, with their last error: what `herald status` lists and `herald retry`
// requeues.
func (db *DB) Dead(ctx context.Context, limit int) ([]Delivery, error) {
	rows, err := db.r.QueryContext(ctx, `
		SELECT id, item_id, rule, destination, payload, attempts, last_error, next_attempt, created_at, sent_at
		FROM outbox WHERE status = 'dead' ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: dead deliveries: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var (
			d                   Delivery
			id, next, created   int64
			sent                sql.NullInt64
			rule, dest, payload string
		)
		if err := rows.Scan(&id, &d.ItemID, &rule, &dest, &payload, &d.Attempts, &d.LastError, &next, &created, &sent); err != nil {
			return nil, fmt.Errorf("store: dead deliveries: %w", err)
		}
		if d.Alert, err = decodeAlert(id, rule, dest, payload); err != nil {
			return nil, fmt.Errorf("store: dead deliveries: %w", err)
		}
		d.Status = StatusDead
		d.NextAttempt = time.Unix(next, 0).UTC()
		d.CreatedAt = time.Unix(created, 0).UTC()
		d.SentAt = fromNull(sent)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: dead deliveries: %w", err)
	}
	return out, nil
}

// Requeue makes dead outbox rows pending again, due at now with their
// attempts reset and their queue time set to now, so they get a full retry
// period: the rows with the given ids, or every dead row when ids is empty.
// It returns how many rows it requeued.
func (db *DB) Requeue(ctx context.Context, now time.Time, ids ...int64) (int, error) {
	q := `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = ?, created_at = ? WHERE status = 'dead'`
	args := []any{now.Unix(), now.Unix()}
	if len(ids) > 0 {
		q += ` AND id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	res, err := db.w.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("store: requeue dead deliveries: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: requeue dead deliveries: %w", err)
	}
	return int(n), nil
}

// DeadCount returns how many outbox rows are dead.
func (db *DB) DeadCount(ctx context.Context) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE status = 'dead'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count dead deliveries: %w", err)
	}
	return n, nil
}

// TopicsSubscribed returns every rule name that has at least one
// subscription, with how many: `status` compares it with the rules loaded to
// report subscriptions kept for a rule that is gone from the config.
func (db *DB) TopicsSubscribed(ctx context.Context) (map[string]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT rule, count(*) FROM subscriptions GROUP BY rule`)
	if err != nil {
		return nil, fmt.Errorf("store: subscribed topics: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var rule string
		var n int
		if err := rows.Scan(&rule, &n); err != nil {
			return nil, fmt.Errorf("store: subscribed topics: %w", err)
		}
		out[rule] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: subscribed topics: %w", err)
	}
	return out, nil
}
