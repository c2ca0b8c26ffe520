-- protokol initial schema (SQLite). Dates are ISO-8601 TEXT (YYYY-MM-DD), clock times
-- HH:MM, timestamps RFC 3339; IDs are UUID text. Children of a meeting keep their order in
-- a `position` column. A shipped migration is never edited: add a new one.

CREATE TABLE bodies (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE people (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- The standing composition of a body (issue: people and memberships).
CREATE TABLE body_memberships (
    id              TEXT PRIMARY KEY,
    body_id         TEXT NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    person_id       TEXT REFERENCES people(id),
    role            TEXT,
    party           TEXT,
    vacant          INTEGER NOT NULL DEFAULT 0,
    substitute_for  TEXT REFERENCES people(id),
    valid_from      TEXT,
    valid_until     TEXT,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX body_memberships_body ON body_memberships(body_id, position);

CREATE TABLE meetings (
    id            TEXT PRIMARY KEY,
    body_id       TEXT NOT NULL REFERENCES bodies(id),
    meeting_date  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('agenda', 'minutes')),
    status        TEXT CHECK (status IN ('planned', 'agenda_published', 'held', 'minutes_approved')),
    start_time    TEXT,
    end_time      TEXT,
    location      TEXT,
    sources       TEXT NOT NULL DEFAULT '[]',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (body_id, meeting_date)
);
CREATE INDEX meetings_date ON meetings(meeting_date);

CREATE TABLE meeting_members (
    meeting_id      TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    name            TEXT,
    role            TEXT,
    party           TEXT,
    vacant          INTEGER NOT NULL DEFAULT 0,
    substitute_for  TEXT,
    PRIMARY KEY (meeting_id, position)
);

CREATE TABLE meeting_absences (
    meeting_id  TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    role        TEXT,
    party       TEXT,
    notice      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (meeting_id, position)
);

CREATE TABLE items (
    id               TEXT PRIMARY KEY,
    meeting_id       TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    number           INTEGER,
    title            TEXT NOT NULL,
    access           TEXT NOT NULL CHECK (access IN ('open', 'closed')),
    closed_reason    TEXT,
    public_title     TEXT,
    public_decision  TEXT,
    route            TEXT NOT NULL DEFAULT '[]',
    case_text        TEXT,
    economy          TEXT,
    recommendation   TEXT,
    decision         TEXT,
    decision_date    TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    UNIQUE (meeting_id, position)
);

CREATE TABLE sub_points (
    id          TEXT PRIMARY KEY,
    item_id     TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    start_time  TEXT,
    title       TEXT NOT NULL,
    body_text   TEXT,
    decision    TEXT,
    UNIQUE (item_id, position)
);

-- People named as taking part in an item or sub-point (guests included), as written.
CREATE TABLE participants (
    item_id       TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    sub_point_id  TEXT REFERENCES sub_points(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL
);
CREATE INDEX participants_item ON participants(item_id);

CREATE TABLE followups (
    id            TEXT PRIMARY KEY,
    item_id       TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    sub_point_id  TEXT REFERENCES sub_points(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    owner         TEXT NOT NULL,
    body_text     TEXT,
    status        TEXT NOT NULL CHECK (status IN ('open', 'done'))
);
CREATE INDEX followups_item ON followups(item_id);
CREATE INDEX followups_owner ON followups(owner);

CREATE TABLE next_steps (
    item_id       TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    sub_point_id  TEXT REFERENCES sub_points(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    body_name     TEXT NOT NULL,
    target_date   TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('postponed', 'continued'))
);
CREATE INDEX next_steps_item ON next_steps(item_id);
CREATE INDEX next_steps_target ON next_steps(target_date);

-- Members absent from or disqualified for one item.
CREATE TABLE item_people (
    item_id   TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    relation  TEXT NOT NULL CHECK (relation IN ('absent', 'disqualified')),
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (item_id, relation, position)
);

CREATE TABLE votes (
    item_id      TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    vote_option  TEXT NOT NULL CHECK (vote_option IN ('for', 'against', 'abstain')),
    members      TEXT NOT NULL DEFAULT '[]',
    parties      TEXT NOT NULL DEFAULT '[]',
    vote_count   INTEGER,
    PRIMARY KEY (item_id, position)
);

CREATE TABLE dissents (
    item_id    TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    member     TEXT NOT NULL,
    body_text  TEXT NOT NULL,
    PRIMARY KEY (item_id, position)
);

-- A document can be attached to several meetings. `identity` says which document it is:
-- "no:<document number>" where the municipality gave one, otherwise "sha256:<hash>" of
-- its file (or of the file's name and text where no hash is known).
CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    identity    TEXT NOT NULL UNIQUE,
    doc_no      TEXT,
    file_name   TEXT,
    media_type  TEXT,
    sha256      TEXT,
    file_text   TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE attachments (
    item_id      TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    title        TEXT NOT NULL,
    access       TEXT NOT NULL CHECK (access IN ('open', 'closed')),
    journal      TEXT,
    document_id  TEXT REFERENCES documents(id),
    PRIMARY KEY (item_id, number)
);
CREATE INDEX attachments_document ON attachments(document_id);

CREATE TABLE forward_plan (
    meeting_id  TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    plan_date   TEXT NOT NULL,
    topics      TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (meeting_id, position)
);

CREATE TABLE awaiting_topics (
    meeting_id  TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    topic       TEXT NOT NULL,
    PRIMARY KEY (meeting_id, position)
);

CREATE TABLE signatures (
    meeting_id   TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    member       TEXT NOT NULL,
    signed_at    TEXT NOT NULL,
    reservation  TEXT,
    PRIMARY KEY (meeting_id, position)
);

-- Append-only log of every change: who, what, when. Audit trail, search indexing and feeds
-- follow it by sequence number.
CREATE TABLE changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    meeting_id  TEXT,
    version     INTEGER,
    detail      TEXT
);
CREATE INDEX changes_meeting ON changes(meeting_id);
