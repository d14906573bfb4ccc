package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Held counts the alerts held back at now for a digest or a mute (pending
// rows marked digest whose time has not come), and when the first of them
// is due; zero time when none is held.
func (db *DB) Held(ctx context.Context, now time.Time) (int, time.Time, error) {
	var (
		n    int
		next sql.NullInt64
	)
	err := db.r.QueryRowContext(ctx, `
		SELECT count(*), min(next_attempt) FROM outbox
		WHERE status = 'pending' AND digest = 1 AND next_attempt > ?`, now.Unix()).Scan(&n, &next)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: count held: %w", err)
	}
	if !next.Valid {
		return n, time.Time{}, nil
	}
	return n, time.Unix(next.Int64, 0).UTC(), nil
}
