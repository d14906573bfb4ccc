package store

import (
	"context"
	"fmt"
	"time"
)

// StoryAlerted returns the destinations (as news.Destination.String writes
// them) that already have an alert for an earlier item of the same story: an
// item fetched since since, from any feed, with the same story link or story
// title. Empty keys match nothing. It also returns the feeds that carried
// the story, for "also in".
func (db *DB) StoryAlerted(ctx context.Context, link, title string, since time.Time) (dests map[string]bool, feeds []string, err error) {
	if link == "" && title == "" {
		return nil, nil, nil
	}
	rows, err := db.r.QueryContext(ctx, `
		WITH story AS (
			SELECT id, feed FROM items WHERE story_link = ?1 AND story_link <> '' AND fetched_at >= ?3
			UNION
			SELECT id, feed FROM items WHERE story_title = ?2 AND story_title <> '' AND fetched_at >= ?3
		)
		SELECT story.feed, outbox.destination FROM story LEFT JOIN outbox ON outbox.item_id = story.id
		ORDER BY story.id`, link, title, since.Unix())
	if err != nil {
		return nil, nil, fmt.Errorf("store: story lookup: %w", err)
	}
	defer rows.Close()
	dests = map[string]bool{}
	seenFeed := map[string]bool{}
	for rows.Next() {
		var feed string
		var dest *string
		if err := rows.Scan(&feed, &dest); err != nil {
			return nil, nil, fmt.Errorf("store: story lookup: %w", err)
		}
		if !seenFeed[feed] {
			seenFeed[feed] = true
			feeds = append(feeds, feed)
		}
		if dest != nil {
			dests[*dest] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: story lookup: %w", err)
	}
	return dests, feeds, nil
}
