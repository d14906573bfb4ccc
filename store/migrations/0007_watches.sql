-- watches are queries a chat saved for itself with /watch. Their matches,
-- outbox rows and mutes use the rule name 'watch:' || id, so ids are never
-- reused (AUTOINCREMENT): an old watch's matches never count for a new one.
CREATE TABLE watches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    destination TEXT    NOT NULL CHECK (destination <> ''),
    query       TEXT    NOT NULL CHECK (query <> ''),
    created_by  TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    paused      INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    UNIQUE (destination, query)
) STRICT;

-- watches_rev counts changes to watches, so that a running herald notices
-- a watch another process added or removed (herald watches rm) by reading
-- one row, and reloads its compiled watches only then.
CREATE TABLE watches_rev (
    one INTEGER NOT NULL PRIMARY KEY CHECK (one = 1),
    rev INTEGER NOT NULL
) STRICT;
INSERT INTO watches_rev (one, rev) VALUES (1, 0);

CREATE TRIGGER watches_inserted AFTER INSERT ON watches BEGIN
    UPDATE watches_rev SET rev = rev + 1;
END;
CREATE TRIGGER watches_deleted AFTER DELETE ON watches BEGIN
    UPDATE watches_rev SET rev = rev + 1;
END;
CREATE TRIGGER watches_updated AFTER UPDATE ON watches BEGIN
    UPDATE watches_rev SET rev = rev + 1;
END;
