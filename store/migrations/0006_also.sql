-- "also in": when later copies of an alerted story arrive, the first message
-- is edited to name the other sources. message_ref is the platform's id of
-- the message an outbox row became (the adapter's own text: Telegram
-- "<chat>/<message_id>", Slack "<channel>/<ts>"); empty until sent, and for
-- digests. also lists the feeds that carried the story since, as JSON;
-- also_shown counts those the message already names; edit_after is the
-- earliest time of the next edit (one a minute, and backoff after a failure).
ALTER TABLE outbox ADD COLUMN message_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN also TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(also));
ALTER TABLE outbox ADD COLUMN also_shown INTEGER NOT NULL DEFAULT 0 CHECK (also_shown >= 0);
ALTER TABLE outbox ADD COLUMN edit_after INTEGER NOT NULL DEFAULT 0;
-- The dispatcher's query for due edits: sent rows with sources not shown yet.
CREATE INDEX outbox_edits ON outbox (edit_after) WHERE message_ref <> '' AND json_array_length(also) > also_shown;
-- /latest in a chat: the alerts sent to that destination, newest first.
CREATE INDEX outbox_destination ON outbox (destination, id);
