package store

import (
	"context"
	"fmt"

	"herald/news"
)

// PausePlatform pauses every subscription on platform that is not paused
// yet, and returns the destinations it paused, in order, so that the caller
// can resume exactly those later. A platform adapter does this when the
// platform refuses its credentials (Slack's invalid_auth): no destination
// can be written to until that is fixed, and the subscriptions are kept.
func (db *DB) PausePlatform(ctx context.Context, platform news.Platform) ([]news.Destination, error) {
	if platform == "" || platform == news.Console {
		return nil, fmt.Errorf("store: pause platform %q: not a chat platform", platform)
	}
	prefix := string(platform) + ":"
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: pause %s: %w", platform, err)
	}
	defer tx.Rollback()
	const where = `substr(destination, 1, length(?1)) = ?1 AND paused = 0`
	// Watches pause with the subscriptions, their destinations listed with theirs.
	rows, err := tx.QueryContext(ctx, `SELECT destination FROM subscriptions WHERE `+where+
		` UNION SELECT destination FROM watches WHERE `+where+` ORDER BY destination`, prefix)
	if err != nil {
		return nil, fmt.Errorf("store: pause %s: %w", platform, err)
	}
	var out []news.Destination
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: pause %s: %w", platform, err)
		}
		d, err := news.ParseDestination(s)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: pause %s: %w", platform, err)
		}
		out = append(out, d)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: pause %s: %w", platform, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET paused = 1 WHERE `+where, prefix); err != nil {
		return nil, fmt.Errorf("store: pause %s: %w", platform, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE watches SET paused = 1 WHERE `+where, prefix); err != nil {
		return nil, fmt.Errorf("store: pause %s watches: %w", platform, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: pause %s: commit: %w", platform, err)
	}
	return out, nil
}
