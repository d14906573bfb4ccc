package store

import (
	"context"
	"fmt"
)

// Stats counts what the store holds, for `herald status`.
type Stats struct {
	// SchemaVersion is the number of migrations applied.
	SchemaVersion int
	// Feeds counts feeds with saved state.
	Feeds int
	// Items counts stored items, alerted or not.
	Items int
	// Matches counts (item, rule) matches.
	Matches int
	// Subscriptions counts subscriptions, paused ones included.
	Subscriptions int
	// Pending, Sent and Dead count outbox rows by status.
	Pending, Sent, Dead int
}

// Stats returns the counts as of one consistent snapshot.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return Stats{}, fmt.Errorf("store: stats: %w", err)
	}
	defer tx.Rollback()
	var s Stats
	if s.SchemaVersion, err = db.schemaVersion(ctx, tx); err != nil {
		return Stats{}, fmt.Errorf("store: stats: %w", err)
	}
	err = tx.QueryRowContext(ctx, `
		SELECT
			(SELECT count(*) FROM feeds),
			(SELECT count(*) FROM items),
			(SELECT count(*) FROM matches),
			(SELECT count(*) FROM subscriptions),
			(SELECT count(*) FROM outbox WHERE status = 'pending'),
			(SELECT count(*) FROM outbox WHERE status = 'sent'),
			(SELECT count(*) FROM outbox WHERE status = 'dead')`).Scan(
		&s.Feeds, &s.Items, &s.Matches, &s.Subscriptions, &s.Pending, &s.Sent, &s.Dead)
	if err != nil {
		return Stats{}, fmt.Errorf("store: stats: %w", err)
	}
	return s, nil
}
