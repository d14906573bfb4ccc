-- 0004_search: the full-text index of items, and what retention forgets.
--
-- items_fts holds every item's words as the rules engine folds them (written
-- by Go: search.IndexFields), so the index and the rules agree on what a word
-- is; unicode61 with remove_diacritics 2 then finds nothing left to fold. It
-- is contentless (the text is in items already) and allows DELETE by rowid.
-- Its rowid is items.doc, a key that grows with the item's date, so that
-- "newest first" and since: are ranges of the index's own order.
-- caps and upper list the title's and text's words that may be written with
-- a capital, or in capitals only, so that case:WHO reads few rows.
CREATE VIRTUAL TABLE items_fts USING fts5(
    title, text, feed, tags, author, caps, upper,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Each item is its own transaction, so each writes a small segment: merge
-- them 8 at a time rather than 4, which halves the merging work of inserts
-- for a few more segments per query.
INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 8);
-- sort:relevance orders by rank: bm25 with a word in the title counting most,
-- then in tags and authors, then in the text; the feed's name and the
-- capitalised words say nothing about relevance. (ORDER BY rank is about
-- twice as fast as ORDER BY bm25(...) with the weights written in the query.)
INSERT INTO items_fts (items_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0, 0.0, 2.0, 2.0, 0.0, 0.0)');

-- doc is NULL until the item is indexed: store.Open indexes such rows (all of
-- them after this migration) in batches.
ALTER TABLE items ADD COLUMN doc INTEGER;
CREATE UNIQUE INDEX items_doc ON items (doc);

-- Whoever deletes an item deletes its index row.
CREATE TRIGGER items_fts_delete AFTER DELETE ON items WHEN old.doc IS NOT NULL
BEGIN
    DELETE FROM items_fts WHERE rowid = old.doc;
END;

-- pruned_items remembers items that retention deleted, so that one still
-- listed by its feed is not taken for new and alerted again.
CREATE TABLE pruned_items (
    feed      TEXT    NOT NULL,
    guid      TEXT    NOT NULL,
    pruned_at INTEGER NOT NULL,
    PRIMARY KEY (feed, guid)
) STRICT, WITHOUT ROWID;

CREATE INDEX pruned_items_at ON pruned_items (pruned_at);
