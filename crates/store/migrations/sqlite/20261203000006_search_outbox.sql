-- The search outbox: one row per meeting whose searchable content changed, written in the
-- transaction of the change. Every application node follows it to keep its search indexes
-- current. Sequence values can commit out of order (PostgreSQL hands them out before the
-- transaction commits), so followers look again at gaps for a while before passing them.
CREATE TABLE search_outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id  TEXT NOT NULL,
    written_at  TEXT NOT NULL
);
CREATE INDEX search_outbox_written ON search_outbox(written_at);
