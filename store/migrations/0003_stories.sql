-- story keys find the same story arriving from several feeds: the link with
-- tracking parameters removed, and the title reduced to its words.
ALTER TABLE items ADD COLUMN story_link TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN story_title TEXT NOT NULL DEFAULT '';
CREATE INDEX items_story_link ON items (story_link, fetched_at) WHERE story_link <> '';
CREATE INDEX items_story_title ON items (story_title, fetched_at) WHERE story_title <> '';
