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

-- match_days counts the items each rule matched per day (UTC, by when
-- herald stored the item), for the topic pages' 30-day charts: counting a
-- loud rule's matches from matches and items reads one row per match.
-- It is history: retention, which deletes old items, leaves it as it is.
CREATE TABLE match_days (
    rule TEXT    NOT NULL CHECK (rule <> ''),
    day  INTEGER NOT NULL,
    n    INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (rule, day)
) STRICT, WITHOUT ROWID;

INSERT INTO match_days (rule, day, n)
    SELECT m.rule, i.fetched_at / 86400, count(*)
    FROM matches AS m JOIN items AS i ON i.id = m.item_id
    GROUP BY m.rule, i.fetched_at / 86400;

-- Every match is counted as it is stored, in the same transaction.
CREATE TRIGGER match_days_count AFTER INSERT ON matches
BEGIN
    INSERT INTO match_days (rule, day, n)
    VALUES (new.rule, (SELECT fetched_at FROM items WHERE id = new.item_id) / 86400, 1)
    ON CONFLICT (rule, day) DO UPDATE SET n = n + 1;
END;
