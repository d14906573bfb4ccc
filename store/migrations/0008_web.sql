-- 0008_web: what the status pages (package web) read.
--
-- polls is each feed's recent poll history: how every finished poll ended,
-- how long it took and how many items it read. RecordPolls keeps the last
-- PollsKept of each feed, so the table stays about feeds × PollsKept rows.
CREATE TABLE polls (
    id          INTEGER PRIMARY KEY,
    feed        TEXT    NOT NULL CHECK (feed <> ''),
    at          INTEGER NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome <> ''),
    error_kind  TEXT    NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
    items       INTEGER NOT NULL CHECK (items >= 0)
) STRICT;
CREATE INDEX polls_feed ON polls (feed, id);

-- A feed's page lists its newest items: without this, finding them reads
-- the feed's (feed, guid) entries and sorts them.
CREATE INDEX items_feed ON items (feed, id);

-- The overview counts alerts per topic and day over the last week, and the
-- delivery queue per platform and state: both read only these indexes.
CREATE INDEX outbox_created ON outbox (created_at, rule, item_id);
CREATE INDEX outbox_queue ON outbox (status, destination, attempts);
