-- feed health and scheduling: where a moved feed is polled from, the interval
-- adapted to its publishing, how long it has been failing, whether the admin
-- was told, and whether herald stopped polling it (410 Gone).
ALTER TABLE feeds ADD COLUMN config_url TEXT NOT NULL DEFAULT '';
ALTER TABLE feeds ADD COLUMN interval INTEGER NOT NULL DEFAULT 0 CHECK (interval >= 0);
ALTER TABLE feeds ADD COLUMN failing_since INTEGER;
ALTER TABLE feeds ADD COLUMN notified INTEGER;
ALTER TABLE feeds ADD COLUMN disabled TEXT NOT NULL DEFAULT '';
