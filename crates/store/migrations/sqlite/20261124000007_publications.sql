-- Every published edition of a meeting: the agenda, supplementary or revised agendas, the
-- minutes, revised minutes and the approved minutes. Each row holds the whole record as
-- published (protokol.meeting/1 JSON, closed content included; access is applied when it
-- is shown). The public reads the newest edition, never the secretary's unpublished edits,
-- and sees what changed from one edition to the next. Rows are only ever inserted.
CREATE TABLE publications (
    meeting_id    TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    meeting_json  TEXT NOT NULL,
    PRIMARY KEY (meeting_id, seq)
);

-- Dated corrections to approved minutes, which are otherwise frozen. Only ever inserted.
CREATE TABLE corrections (
    meeting_id    TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    added_at      TEXT NOT NULL,
    added_by      TEXT NOT NULL,
    item_number   INTEGER,
    text          TEXT NOT NULL,
    PRIMARY KEY (meeting_id, seq)
);
