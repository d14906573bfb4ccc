package store

import (
	"context"
	"fmt"

	"herald/news"
)

// chatWhere selects the subscriptions of one chat: the chat itself and each
// of its threads (forum topics). substr rather than LIKE, so that a Slack
// channel name holding "_" or "%" matches only itself.
const chatWhere = `(destination = ?1 OR substr(destination, 1, length(?2)) = ?2)`

// chatKeys returns the two parameters of chatWhere for chat on platform.
func chatKeys(platform news.Platform, chat string) (exact, threads string, err error) {
	d := news.Destination{Platform: platform, Chat: chat}
	s, err := destinationText(d)
	if err != nil {
		return "", "", err
	}
	return s, s + "/", nil
}

// SetChatPaused pauses or resumes every subscription of chat on platform,
// those of its threads included, and returns how many subscriptions changed.
// A platform adapter pauses a chat that refused a message (the bot was
// blocked or removed) and resumes it when the chat talks to the bot again;
// the subscriptions themselves are kept.
func (db *DB) SetChatPaused(ctx context.Context, platform news.Platform, chat string, paused bool) (int, error) {
	exact, threads, err := chatKeys(platform, chat)
	if err != nil {
		return 0, fmt.Errorf("store: set chat %s:%s paused=%t: %w", platform, chat, paused, err)
	}
	res, err := db.w.ExecContext(ctx, `UPDATE subscriptions SET paused = ?3 WHERE `+chatWhere+` AND paused <> ?3`,
		exact, threads, boolInt(paused))
	if err != nil {
		return 0, fmt.Errorf("store: set %s paused=%t: %w", exact, paused, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: set %s paused=%t: %w", exact, paused, err)
	}
	// The chat's watches pause and resume with its subscriptions.
	if _, err := db.w.ExecContext(ctx, `UPDATE watches SET paused = ?3 WHERE `+chatWhere+` AND paused <> ?3`,
		exact, threads, boolInt(paused)); err != nil {
		return 0, fmt.Errorf("store: set %s watches paused=%t: %w", exact, paused, err)
	}
	return int(n), nil
}

// MoveChat moves every subscription of chat from to chat to on platform,
// thread by thread, keeping rules and paused flags: Telegram gives a group a
// new chat id when it becomes a supergroup. A subscription the new chat has
// already is kept as it is. It returns how many subscriptions were moved.
func (db *DB) MoveChat(ctx context.Context, platform news.Platform, from, to string) (int, error) {
	exact, threads, err := chatKeys(platform, from)
	if err != nil {
		return 0, fmt.Errorf("store: move chat %s:%s to %s: %w", platform, from, to, err)
	}
	target, _, err := chatKeys(platform, to)
	if err != nil {
		return 0, fmt.Errorf("store: move %s to %s:%s: %w", exact, platform, to, err)
	}
	if target == exact {
		return 0, nil
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: move %s to %s: %w", exact, target, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subscriptions WHERE `+chatWhere, exact, threads).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: move %s to %s: %w", exact, target, err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO subscriptions (destination, rule, paused, created_at)
		SELECT ?3 || substr(destination, length(?1) + 1), rule, paused, created_at
		FROM subscriptions WHERE `+chatWhere+`
		ON CONFLICT (destination, rule) DO NOTHING`, exact, threads, target); err != nil {
		return 0, fmt.Errorf("store: move %s to %s: %w", exact, target, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE `+chatWhere, exact, threads); err != nil {
		return 0, fmt.Errorf("store: move %s to %s: %w", exact, target, err)
	}
	// Its watches move too; one the new chat has already stays there once.
	if _, err := tx.ExecContext(ctx, `
		UPDATE OR IGNORE watches SET destination = ?3 || substr(destination, length(?1) + 1)
		WHERE `+chatWhere, exact, threads, target); err != nil {
		return 0, fmt.Errorf("store: move %s watches to %s: %w", exact, target, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM watches WHERE `+chatWhere, exact, threads); err != nil {
		return 0, fmt.Errorf("store: move %s watches to %s: %w", exact, target, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: move %s to %s: commit: %w", exact, target, err)
	}
	return n, nil
}

// FeedStates returns what is remembered about every feed ever polled, by
// feed name: for a chat's /status.
func (db *DB) FeedStates(ctx context.Context) (map[string]news.FeedState, error) {
	rows, err := db.Feeds(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]news.FeedState, len(rows))
	for _, r := range rows {
		out[r.Name] = r.FeedState
	}
	return out, nil
}

// PendingCount returns how many outbox rows wait for delivery, due or not.
func (db *DB) PendingCount(ctx context.Context) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE status = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count pending: %w", err)
	}
	return n, nil
}
