package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"herald/news"
)

// Status is the delivery state of an outbox row.
type Status string

// The delivery states of an outbox row.
const (
	// StatusPending rows wait for their next attempt.
	StatusPending Status = "pending"
	// StatusSent rows were delivered.
	StatusSent Status = "sent"
	// StatusDead rows failed permanently or too often and are not retried.
	StatusDead Status = "dead"
)

// Delivery is an outbox row: an alert and how its delivery is going.
type Delivery struct {
	// Alert is the payload, with ID and Destination set.
	Alert news.Alert
	// ItemID is the stored item the alert is about.
	ItemID int64
	// Status is where the row stands.
	Status Status
	// Attempts counts delivery attempts, failed or not.
	Attempts int
	// LastError is the message of the last failed attempt.
	LastError string
	// NextAttempt is when a pending row is due.
	NextAttempt time.Time
	// CreatedAt is when the row was queued.
	CreatedAt time.Time
	// SentAt is when the alert was delivered; zero until then.
	SentAt time.Time
}

// Pending returns up to limit alerts that are pending and due at now, oldest
// first, with ID, Destination and Also set.
func (db *DB) Pending(ctx context.Context, now time.Time, limit int) ([]news.Alert, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("store: pending: limit %d, want > 0", limit)
	}
	rows, err := db.r.QueryContext(ctx, `
		SELECT id, rule, destination, payload, attempts, created_at, digest, also FROM outbox
		WHERE status = 'pending' AND next_attempt <= ?
		ORDER BY id
		LIMIT ?`, now.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending: %w", err)
	}
	defer rows.Close()
	var alerts []news.Alert
	for rows.Next() {
		var (
			id, created         int64
			attempts            int
			digest              bool
			rule, dest, payload string
			also                string
		)
		if err := rows.Scan(&id, &rule, &dest, &payload, &attempts, &created, &digest, &also); err != nil {
			return nil, fmt.Errorf("store: pending: %w", err)
		}
		a, err := decodeAlert(id, rule, dest, payload)
		if err != nil {
			return nil, fmt.Errorf("store: pending: %w", err)
		}
		if err := decodeAlso(also, &a); err != nil {
			return nil, fmt.Errorf("store: pending: %w", err)
		}
		a.Attempts, a.Queued, a.Digest = attempts, time.Unix(created, 0).UTC(), digest
		alerts = append(alerts, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pending: %w", err)
	}
	return alerts, nil
}

// Latest returns the last n alerts sent to d (to any destination when d is
// the zero Destination) for rule, or for any rule when rule is empty, newest
// first and at most one per item (an item alerted by several rules appears
// once).
func (db *DB) Latest(ctx context.Context, d news.Destination, rule string, n int) ([]news.Alert, error) {
	if n <= 0 {
		return nil, nil
	}
	dest := ""
	if d != (news.Destination{}) {
		var err error
		if dest, err = destinationText(d); err != nil {
			return nil, fmt.Errorf("store: latest: %w", err)
		}
	}
	rows, err := db.r.QueryContext(ctx, `
		SELECT o.id, o.rule, o.destination, o.payload
		FROM outbox AS o
		JOIN (
			SELECT max(id) AS id FROM outbox
			WHERE status = 'sent' AND (?1 = '' OR rule = ?1) AND (?3 = '' OR destination = ?3)
			GROUP BY item_id
			ORDER BY id DESC
			LIMIT ?2
		) AS latest USING (id)
		ORDER BY o.id DESC`, rule, n, dest)
	if err != nil {
		return nil, fmt.Errorf("store: latest for rule %q: %w", rule, err)
	}
	alerts, err := scanAlerts(rows)
	if err != nil {
		return nil, fmt.Errorf("store: latest for rule %q: %w", rule, err)
	}
	return alerts, nil
}

// scanAlerts reads rows of (id, rule, destination, payload) and closes rows.
func scanAlerts(rows *sql.Rows) ([]news.Alert, error) {
	defer rows.Close()
	var out []news.Alert
	for rows.Next() {
		var (
			id                  int64
			rule, dest, payload string
		)
		if err := rows.Scan(&id, &rule, &dest, &payload); err != nil {
			return nil, err
		}
		a, err := decodeAlert(id, rule, dest, payload)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// decodeAlert rebuilds an alert from its outbox columns.
func decodeAlert(id int64, rule, dest, payload string) (news.Alert, error) {
	var a news.Alert
	if err := json.Unmarshal([]byte(payload), &a); err != nil {
		return news.Alert{}, fmt.Errorf("outbox row %d: payload: %w", id, err)
	}
	d, err := news.ParseDestination(dest)
	if err != nil {
		return news.Alert{}, fmt.Errorf("outbox row %d: %w", id, err)
	}
	a.ID, a.Destination, a.Rule = id, d, rule
	return a, nil
}

// Delivery returns outbox row id with its delivery state, or an error
// wrapping ErrNotFound when there is no such row. The dispatcher can read
// Attempts from it to keep its backoff across restarts.
func (db *DB) Delivery(ctx context.Context, id int64) (Delivery, error) {
	var (
		d                   Delivery
		rule, dest, payload string
		status              string
		next, created       int64
		sent                sql.NullInt64
	)
	err := db.r.QueryRowContext(ctx, `
		SELECT item_id, rule, destination, payload, status, attempts, last_error, next_attempt, created_at, sent_at
		FROM outbox WHERE id = ?`, id).Scan(
		&d.ItemID, &rule, &dest, &payload, &status, &d.Attempts, &d.LastError, &next, &created, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("store: outbox row %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("store: outbox row %d: %w", id, err)
	}
	if d.Alert, err = decodeAlert(id, rule, dest, payload); err != nil {
		return Delivery{}, fmt.Errorf("store: %w", err)
	}
	d.Status = Status(status)
	d.NextAttempt = time.Unix(next, 0).UTC()
	d.CreatedAt = time.Unix(created, 0).UTC()
	d.SentAt = fromNull(sent)
	return d, nil
}

// MarkSent records that outbox row id was delivered at at.
func (db *DB) MarkSent(ctx context.Context, id int64, at time.Time) error {
	res, err := db.w.ExecContext(ctx, `
		UPDATE outbox SET status = 'sent', attempts = attempts + 1, last_error = '', sent_at = ?
		WHERE id = ?`, nullTime(at), id)
	if err != nil {
		return fmt.Errorf("store: mark outbox row %d sent: %w", id, err)
	}
	if err := oneRow(res); err != nil {
		return fmt.Errorf("store: mark outbox row %d sent: %w", id, err)
	}
	return nil
}

// MarkFailed records a failed delivery attempt of outbox row id: it counts the
// attempt and keeps errMsg; the row stays pending, due again at retryAt
// (rounded up to the second, so never early), or becomes dead when dead is
// true. A zero retryAt makes the row due at once.
func (db *DB) MarkFailed(ctx context.Context, id int64, errMsg string, retryAt time.Time, dead bool) error {
	status, next := StatusPending, int64(0)
	if dead {
		status = StatusDead
	}
	if !retryAt.IsZero() {
		next = ceilUnix(retryAt)
	}
	res, err := db.w.ExecContext(ctx, `
		UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt = ?
		WHERE id = ?`, string(status), errMsg, next, id)
	if err != nil {
		return fmt.Errorf("store: mark outbox row %d failed: %w", id, err)
	}
	if err := oneRow(res); err != nil {
		return fmt.Errorf("store: mark outbox row %d failed: %w", id, err)
	}
	return nil
}

// oneRow returns ErrNotFound when an update touched no row.
func oneRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
