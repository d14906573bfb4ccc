-- mutes silence one topic in one chat until a time. With queue set, the
-- topic's alerts are kept (outbox rows due when the mute ends, sent as one
-- digest); without it they are not queued at all.
CREATE TABLE mutes (
    destination TEXT    NOT NULL CHECK (destination <> ''),
    rule        TEXT    NOT NULL CHECK (rule <> ''),
    until       INTEGER NOT NULL,
    queue       INTEGER NOT NULL DEFAULT 0 CHECK (queue IN (0, 1)),
    PRIMARY KEY (destination, rule)
) STRICT, WITHOUT ROWID;
CREATE INDEX mutes_rule ON mutes (rule, until);

-- digest marks outbox rows that go out together as one digest message
-- (alerts held by a queued mute), whatever their number.
ALTER TABLE outbox ADD COLUMN digest INTEGER NOT NULL DEFAULT 0 CHECK (digest IN (0, 1));
