-- 0008_web: what the status pages (package web) read.
--
-- polls is each feed's recent poll history: how every finished poll ended,
-- how long it took, how many items it read and how many of them were new. RecordPolls keeps the last
-- PollsKept of each feed, so the table stays about feeds × PollsKept rows.
CREATE TABLE polls (
    id          INTEGER PRIMARY KEY,
    feed        TEXT    NOT NULL CHECK (feed <> ''),
    at          INTEGER NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome <> ''),
    error_kind  TEXT    NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
    items       INTEGER NOT NULL CHECK (items >= 0),
    new_items   INTEGER NOT NULL DEFAULT 0 CHECK (new_items >= 0)
) STRICT;
CREATE INDEX polls_feed ON polls (feed, id);

-- A feed's page lists its newest items: without this, finding them reads
-- the feed's (feed, guid) entries and sorts them.
CREATE INDEX items_feed ON items (feed, id);


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

-- alert_days counts the items each rule alerted per day (UTC, by when the
-- alert was queued), for the overview's 7-day charts: an item alerted to
-- several chats counts once. Like match_days it is history; it is keyed
-- by day first, as the overview reads every rule's last week.
CREATE TABLE alert_days (
    rule TEXT    NOT NULL CHECK (rule <> ''),
    day  INTEGER NOT NULL,
    n    INTEGER NOT NULL,
    PRIMARY KEY (day, rule)
) STRICT, WITHOUT ROWID;

INSERT INTO alert_days (rule, day, n)
    SELECT rule, created_at / 86400, count(DISTINCT item_id) FROM outbox
    GROUP BY rule, created_at / 86400;

-- The first outbox row of an item and rule counts the item.
CREATE TRIGGER alert_days_count AFTER INSERT ON outbox
WHEN NOT EXISTS (SELECT 1 FROM outbox WHERE item_id = new.item_id AND rule = new.rule AND id <> new.id)
BEGIN
    INSERT INTO alert_days (rule, day, n) VALUES (new.rule, new.created_at / 86400, 1)
    ON CONFLICT (day, rule) DO UPDATE SET n = n + 1;
END;

-- queue_counts is the delivery queue per platform and state: pending (not
-- tried yet), retrying (tried, due again) and dead outbox rows. Triggers
-- keep it as rows are queued, tried, moved and deleted, so the overview
-- reads a few rows however long the queue grows. It holds no CHECK on n:
-- a count gone wrong must never stop an alert from being queued.
CREATE TABLE queue_counts (
    platform TEXT    NOT NULL,
    state    TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (platform, state)
) STRICT, WITHOUT ROWID;

INSERT INTO queue_counts (platform, state, n)
    SELECT substr(o.destination, 1, instr(o.destination || ':', ':') - 1), CASE WHEN o.status = 'dead' THEN 'dead' WHEN o.status = 'pending' AND o.attempts > 0 THEN 'retrying' WHEN o.status = 'pending' THEN 'pending' END, count(*)
    FROM outbox AS o WHERE o.status IN ('pending', 'dead')
    GROUP BY 1, 2;

CREATE TRIGGER queue_counts_insert AFTER INSERT ON outbox
WHEN new.status IN ('pending', 'dead')
BEGIN
    INSERT INTO queue_counts (platform, state, n) VALUES (substr(new.destination, 1, instr(new.destination || ':', ':') - 1), CASE WHEN new.status = 'dead' THEN 'dead' WHEN new.status = 'pending' AND new.attempts > 0 THEN 'retrying' WHEN new.status = 'pending' THEN 'pending' END, 1)
    ON CONFLICT (platform, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER queue_counts_delete AFTER DELETE ON outbox
WHEN old.status IN ('pending', 'dead')
BEGIN
    UPDATE queue_counts SET n = n - 1 WHERE platform = substr(old.destination, 1, instr(old.destination || ':', ':') - 1) AND state = CASE WHEN old.status = 'dead' THEN 'dead' WHEN old.status = 'pending' AND old.attempts > 0 THEN 'retrying' WHEN old.status = 'pending' THEN 'pending' END;
END;

CREATE TRIGGER queue_counts_update AFTER UPDATE OF status, attempts, destination ON outbox
WHEN substr(old.destination, 1, instr(old.destination || ':', ':') - 1) <> substr(new.destination, 1, instr(new.destination || ':', ':') - 1) OR (CASE WHEN old.status = 'dead' THEN 'dead' WHEN old.status = 'pending' AND old.attempts > 0 THEN 'retrying' WHEN old.status = 'pending' THEN 'pending' END) IS NOT (CASE WHEN new.status = 'dead' THEN 'dead' WHEN new.status = 'pending' AND new.attempts > 0 THEN 'retrying' WHEN new.status = 'pending' THEN 'pending' END)
BEGIN
    UPDATE queue_counts SET n = n - 1 WHERE platform = substr(old.destination, 1, instr(old.destination || ':', ':') - 1) AND state = (CASE WHEN old.status = 'dead' THEN 'dead' WHEN old.status = 'pending' AND old.attempts > 0 THEN 'retrying' WHEN old.status = 'pending' THEN 'pending' END);
    INSERT INTO queue_counts (platform, state, n)
        SELECT substr(new.destination, 1, instr(new.destination || ':', ':') - 1), CASE WHEN new.status = 'dead' THEN 'dead' WHEN new.status = 'pending' AND new.attempts > 0 THEN 'retrying' WHEN new.status = 'pending' THEN 'pending' END, 1 WHERE new.status IN ('pending', 'dead')
    ON CONFLICT (platform, state) DO UPDATE SET n = n + 1;
END;
