package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Get returns the value stored under key; found is false when there is none.
func (db *DB) Get(ctx context.Context, key string) (value string, found bool, err error) {
	err = db.r.QueryRowContext(ctx, `SELECT value FROM kv WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: get %q: %w", key, err)
	}
	return value, true, nil
}

// Set stores value under key, replacing any earlier value.
func (db *DB) Set(ctx context.Context, key, value string) error {
	_, err := db.w.ExecContext(ctx, `
		INSERT INTO kv (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("store: set %q: %w", key, err)
	}
	return nil
}
