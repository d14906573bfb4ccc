package store

import (
	"context"
	"database/sql"
	"fmt"

	"herald/news"
)

// Subscribe ties s.Destination to s.Rule. created is false when the
// subscription existed already; its paused flag is then left as it was, so
// resuming is SetPaused's job.
func (db *DB) Subscribe(ctx context.Context, s news.Subscription) (created bool, err error) {
	dest, err := destinationText(s.Destination)
	if err != nil {
		return false, fmt.Errorf("store: subscribe to %q: %w", s.Rule, err)
	}
	if s.Rule == "" {
		return false, fmt.Errorf("store: subscribe %s: empty rule name", dest)
	}
	res, err := db.w.ExecContext(ctx, `
		INSERT INTO subscriptions (destination, rule, paused) VALUES (?, ?, ?)
		ON CONFLICT (destination, rule) DO NOTHING`, dest, s.Rule, boolInt(s.Paused))
	if err != nil {
		return false, fmt.Errorf("store: subscribe %s to %q: %w", dest, s.Rule, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: subscribe %s to %q: %w", dest, s.Rule, err)
	}
	return n > 0, nil
}

// Unsubscribe removes the subscription of d to rule; removed is false when
// there was none.
func (db *DB) Unsubscribe(ctx context.Context, d news.Destination, rule string) (removed bool, err error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM subscriptions WHERE destination = ? AND rule = ?`, d.String(), rule)
	if err != nil {
		return false, fmt.Errorf("store: unsubscribe %s from %q: %w", d, rule, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: unsubscribe %s from %q: %w", d, rule, err)
	}
	return n > 0, nil
}

// SubscribersOf returns every subscription to rule, ordered by destination,
// paused ones included with Paused set: whether to skip them is the caller's
// decision.
func (db *DB) SubscribersOf(ctx context.Context, rule string) ([]news.Subscription, error) {
	rows, err := db.r.QueryContext(ctx, `
		SELECT destination, rule, paused FROM subscriptions WHERE rule = ? ORDER BY destination`, rule)
	if err != nil {
		return nil, fmt.Errorf("store: subscribers of %q: %w", rule, err)
	}
	subs, err := scanSubscriptions(rows)
	if err != nil {
		return nil, fmt.Errorf("store: subscribers of %q: %w", rule, err)
	}
	return subs, nil
}

// SubscriptionsOf returns the subscriptions of d, ordered by rule.
func (db *DB) SubscriptionsOf(ctx context.Context, d news.Destination) ([]news.Subscription, error) {
	rows, err := db.r.QueryContext(ctx, `
		SELECT destination, rule, paused FROM subscriptions WHERE destination = ? ORDER BY rule`, d.String())
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions of %s: %w", d, err)
	}
	subs, err := scanSubscriptions(rows)
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions of %s: %w", d, err)
	}
	return subs, nil
}

// SetPaused pauses or resumes every subscription of d and returns how many
// subscriptions d has.
func (db *DB) SetPaused(ctx context.Context, d news.Destination, paused bool) (int, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE subscriptions SET paused = ? WHERE destination = ?`,
		boolInt(paused), d.String())
	if err != nil {
		return 0, fmt.Errorf("store: set %s paused=%t: %w", d, paused, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: set %s paused=%t: %w", d, paused, err)
	}
	// The destination's watches pause and resume with its subscriptions.
	if _, err := db.w.ExecContext(ctx, `UPDATE watches SET paused = ? WHERE destination = ? AND paused <> ?`,
		boolInt(paused), d.String(), boolInt(paused)); err != nil {
		return 0, fmt.Errorf("store: set %s watches paused=%t: %w", d, paused, err)
	}
	return int(n), nil
}

// scanSubscriptions reads rows of (destination, rule, paused) and closes rows.
func scanSubscriptions(rows *sql.Rows) ([]news.Subscription, error) {
	defer rows.Close()
	var out []news.Subscription
	for rows.Next() {
		var (
			dest, rule string
			paused     int64
		)
		if err := rows.Scan(&dest, &rule, &paused); err != nil {
			return nil, err
		}
		d, err := news.ParseDestination(dest)
		if err != nil {
			return nil, err
		}
		out = append(out, news.Subscription{Destination: d, Rule: rule, Paused: paused != 0})
	}
	return out, rows.Err()
}
