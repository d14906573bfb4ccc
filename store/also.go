package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"herald/news"
)

// AddAlso notes that feed carried again the story of the items fetched since
// since with story link link or story title title: the outbox rows of those
// items, queued since since from other feeds, get feed in their "also" list,
// once. It returns how many rows it changed. Empty keys match nothing.
func (db *DB) AddAlso(ctx context.Context, link, title, feed string, since time.Time) (int, error) {
	if link == "" && title == "" || feed == "" {
		return 0, nil
	}
	res, err := db.w.ExecContext(ctx, `
		UPDATE outbox SET also = json_insert(also, '$[#]', ?3)
		WHERE item_id IN (
			SELECT id FROM items WHERE story_link = ?1 AND story_link <> '' AND fetched_at >= ?4 AND feed <> ?3
			UNION
			SELECT id FROM items WHERE story_title = ?2 AND story_title <> '' AND fetched_at >= ?4 AND feed <> ?3
		)
		AND created_at >= ?4 AND status IN ('pending', 'sent')
		AND NOT EXISTS (SELECT 1 FROM json_each(outbox.also) WHERE value = ?3)`,
		link, title, feed, since.Unix())
	if err != nil {
		return 0, fmt.Errorf("store: add %q to the sources of a story: %w", feed, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// SetMessage records which platform message outbox row id became (ref, the
// adapter's own text) and how many of its "also" sources that message
// names, so that the rest are added by an edit.
func (db *DB) SetMessage(ctx context.Context, id int64, ref string, shown int) error {
	res, err := db.w.ExecContext(ctx, `UPDATE outbox SET message_ref = ?, also_shown = ? WHERE id = ?`, ref, shown, id)
	if err != nil {
		return fmt.Errorf("store: outbox row %d: record its message: %w", id, err)
	}
	if err := oneRow(res); err != nil {
		return fmt.Errorf("store: outbox row %d: record its message: %w", id, err)
	}
	return nil
}

// DueEdits returns up to limit sent alerts whose message names fewer
// sources than are known, that may be edited at now (edit_after) and were
// sent since since, oldest first.
func (db *DB) DueEdits(ctx context.Context, now, since time.Time, limit int) ([]news.Edit, error) {
	rows, err := db.r.QueryContext(ctx, `
		SELECT id, rule, destination, payload, also, message_ref, sent_at FROM outbox
		WHERE message_ref <> '' AND json_array_length(also) > also_shown AND edit_after <= ?1
			AND status = 'sent' AND sent_at >= ?2
		ORDER BY id LIMIT ?3`, now.Unix(), since.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due edits: %w", err)
	}
	defer rows.Close()
	var out []news.Edit
	for rows.Next() {
		var (
			id, sent                       int64
			rule, dest, payload, also, ref string
		)
		if err := rows.Scan(&id, &rule, &dest, &payload, &also, &ref, &sent); err != nil {
			return nil, fmt.Errorf("store: due edits: %w", err)
		}
		a, err := decodeAlert(id, rule, dest, payload)
		if err != nil {
			return nil, fmt.Errorf("store: due edits: %w", err)
		}
		if err := decodeAlso(also, &a); err != nil {
			return nil, fmt.Errorf("store: due edits: %w", err)
		}
		out = append(out, news.Edit{Alert: a, Ref: ref, SentAt: time.Unix(sent, 0).UTC()})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: due edits: %w", err)
	}
	return out, nil
}

// MarkEdited records the outcome of an edit of outbox row id: shown is how
// many sources the message now names (all it was edited to show, or all
// known when the edit was given up; negative: unchanged, after a failure),
// and next the earliest time of another edit.
func (db *DB) MarkEdited(ctx context.Context, id int64, shown int, next time.Time) error {
	res, err := db.w.ExecContext(ctx, `
		UPDATE outbox SET also_shown = CASE WHEN ?1 < 0 THEN also_shown ELSE ?1 END, edit_after = ?2 WHERE id = ?3`,
		shown, ceilUnix(next), id)
	if err != nil {
		return fmt.Errorf("store: outbox row %d: record an edit: %w", id, err)
	}
	if err := oneRow(res); err != nil {
		return fmt.Errorf("store: outbox row %d: record an edit: %w", id, err)
	}
	return nil
}

// decodeAlso reads an outbox row's also column into a.Also (nil when empty).
func decodeAlso(also string, a *news.Alert) error {
	if also == "[]" || also == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(also), &a.Also); err != nil {
		return fmt.Errorf("outbox row %d: also: %w", a.ID, err)
	}
	return nil
}
