-- 0001_init: the first schema of herald's store.
--
-- Conventions every later migration keeps:
--   * times are INTEGER unix seconds in UTC; NULL means "never" or "unknown"
--     and reads back as the zero time.Time;
--   * lists and structured values are JSON text (json_valid is checked);
--   * tables are STRICT so a wrong Go type fails loudly instead of being
--     stored as text;
--   * a migration runs inside one transaction opened by the store, so it must
--     not contain BEGIN, COMMIT or PRAGMAs that are no-ops in a transaction
--     (foreign_keys).

-- feeds remembers, per configured feed, the HTTP validators and the polling
-- health between polls and restarts.
CREATE TABLE feeds (
    name          TEXT    NOT NULL PRIMARY KEY,
    url           TEXT    NOT NULL DEFAULT '',
    etag          TEXT    NOT NULL DEFAULT '',
    last_modified TEXT    NOT NULL DEFAULT '',
    seeded        INTEGER NOT NULL DEFAULT 0 CHECK (seeded IN (0, 1)),
    last_poll     INTEGER,
    last_ok       INTEGER,
    last_error    TEXT    NOT NULL DEFAULT '',
    failures      INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    next_poll     INTEGER
) STRICT, WITHOUT ROWID;

-- items holds every article seen, alerted or not, so a restart never alerts
-- twice. id is never reused (AUTOINCREMENT) because chat messages and a later
-- FTS5 index refer to it. feed is deliberately not a foreign key: items also
-- come from article files named on the command line.
CREATE TABLE items (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    feed       TEXT    NOT NULL CHECK (feed <> ''),
    guid       TEXT    NOT NULL CHECK (guid <> ''),
    title      TEXT    NOT NULL DEFAULT '',
    link       TEXT    NOT NULL DEFAULT '',
    authors    TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(authors)),
    categories TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(categories)),
    published  INTEGER,
    fetched_at INTEGER NOT NULL,
    content    TEXT    NOT NULL DEFAULT '',
    text       TEXT    NOT NULL DEFAULT '',
    UNIQUE (feed, guid)
) STRICT;

-- Retention deletes by age and /latest lists by date.
CREATE INDEX items_fetched_at ON items (fetched_at);
CREATE INDEX items_published ON items (published);

-- matches records which rules fired on an item and on which words.
CREATE TABLE matches (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    rule    TEXT    NOT NULL CHECK (rule <> ''),
    hits    TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(hits)),
    PRIMARY KEY (item_id, rule)
) STRICT, WITHOUT ROWID;

CREATE INDEX matches_rule ON matches (rule, item_id);

-- outbox is one row per alert and destination: written in the same
-- transaction as its item, then delivered (and retried) by the dispatcher.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id      INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    rule         TEXT    NOT NULL CHECK (rule <> ''),
    destination  TEXT    NOT NULL CHECK (destination <> ''),
    payload      TEXT    NOT NULL CHECK (json_valid(payload)),
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error   TEXT    NOT NULL DEFAULT '',
    next_attempt INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER,
    UNIQUE (item_id, rule, destination)
) STRICT;

-- The dispatcher's query: due pending rows.
CREATE INDEX outbox_due ON outbox (status, next_attempt);
-- /latest per rule, newest first.
CREATE INDEX outbox_rule ON outbox (rule, id);

-- subscriptions ties a destination (news.Destination.String()) to a rule.
CREATE TABLE subscriptions (
    destination TEXT    NOT NULL CHECK (destination <> ''),
    rule        TEXT    NOT NULL CHECK (rule <> ''),
    paused      INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_at  INTEGER NOT NULL DEFAULT (unixepoch()),
    PRIMARY KEY (destination, rule)
) STRICT, WITHOUT ROWID;

CREATE INDEX subscriptions_rule ON subscriptions (rule, destination);

-- kv holds small pieces of state such as a bot's update offset.
CREATE TABLE kv (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
