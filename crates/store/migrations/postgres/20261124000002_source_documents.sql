-- Published documents a meeting was read from, each with what it says (as protokol.meeting/1
-- JSON). A meeting fed by documents is the deterministic merge of all of its sources, so the
-- result does not depend on the order the files were imported in.
CREATE TABLE source_documents (
    id            TEXT PRIMARY KEY,
    body_code     TEXT NOT NULL,
    meeting_date  TEXT NOT NULL,
    name          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    layout        TEXT NOT NULL,
    parsed        TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    UNIQUE (body_code, meeting_date, name)
);
CREATE INDEX source_documents_meeting ON source_documents(body_code, meeting_date);
