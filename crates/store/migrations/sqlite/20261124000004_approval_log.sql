-- The append-only, hash-chained log of approved minutes. Each row holds the SHA-256 of the
-- approved meeting's protokol.meeting/1 JSON and a chain hash over the previous row's
-- chain hash, so a later change to the minutes or to the log is detectable
-- (`protokol verify`). Rows are only ever inserted.

CREATE TABLE approval_log (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id    TEXT NOT NULL,
    approved_at   TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    chain_hash    TEXT NOT NULL UNIQUE
);
CREATE INDEX approval_log_meeting ON approval_log(meeting_id);
