-- The published record: what the public may see, derived in the transaction of every change
-- that affects it, and read by every public surface (pages, documents, downloads, and later
-- search, the open-data API and feeds). Closed content never enters these tables.

-- One row per meeting the public may see.
CREATE TABLE public_meetings (
    meeting_id    TEXT PRIMARY KEY,
    body_code     TEXT NOT NULL,
    body_name     TEXT NOT NULL,
    -- The body's name as matters name it ("behandles i Økonomiudvalget"): trimmed, lower case.
    body_key      TEXT NOT NULL,
    body_slug     TEXT NOT NULL,
    meeting_date  TEXT NOT NULL,
    kind          TEXT NOT NULL,
    status        TEXT,
    edition       BIGINT NOT NULL,
    item_count    BIGINT NOT NULL,
    -- JSON: the public items' titles, for lists and feeds.
    titles        TEXT NOT NULL,
    -- JSON: the public record (meeting, editions with what changed, corrections, next steps).
    record        TEXT NOT NULL,
    -- Changes whenever anything in the record changes: HTTP ETag, rendered-document key.
    etag          TEXT NOT NULL,
    -- Changes whenever the links from earlier meetings to this one change ("Tidligere
    -- behandling" on its pages).
    inbound       TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL
);
CREATE INDEX public_meetings_slug_date ON public_meetings(body_slug, meeting_date);
CREATE INDEX public_meetings_body_date ON public_meetings(body_code, meeting_date);
CREATE INDEX public_meetings_key_date ON public_meetings(body_key, meeting_date);
CREATE INDEX public_meetings_date ON public_meetings(meeting_date);
CREATE INDEX public_meetings_updated ON public_meetings(updated_at);

-- How many public meetings each body has per year (the body page's year list).
CREATE TABLE public_years (
    body_code  TEXT NOT NULL,
    year       BIGINT NOT NULL,
    meetings   BIGINT NOT NULL,
    PRIMARY KEY (body_code, year)
);

-- Where a public item's matter goes next (an item or sub-point title, a body and a date).
-- Read both ways by index: onward from a meeting, and back to a meeting from those before.
CREATE TABLE public_links (
    from_meeting  TEXT NOT NULL,
    position      BIGINT NOT NULL,
    from_item     BIGINT,
    title         TEXT NOT NULL,
    title_key     TEXT NOT NULL,
    to_body_key   TEXT NOT NULL,
    to_date       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    PRIMARY KEY (from_meeting, position)
);
CREATE INDEX public_links_to ON public_links(to_body_key, to_date);

-- The public attachments' files: the file (by SHA-256, when its bytes are stored) and the
-- text read from it, for downloads and (later) search.
CREATE TABLE public_files (
    meeting_id         TEXT NOT NULL,
    item_number        BIGINT NOT NULL,
    attachment_number  BIGINT NOT NULL,
    title              TEXT NOT NULL,
    file_name          TEXT NOT NULL,
    media_type         TEXT NOT NULL,
    sha256             TEXT,
    text               TEXT,
    PRIMARY KEY (meeting_id, item_number, attachment_number)
);

-- Public documents as laid out (HTML fragments, PDFs), kept per record version so that
-- every application node serves the same bytes and none lays them out twice.
CREATE TABLE rendered_documents (
    meeting_id  TEXT NOT NULL,
    variant     TEXT NOT NULL,
    etag        TEXT NOT NULL,
    bytes       BYTEA NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (meeting_id, variant, etag)
);

-- Drafts are listed for the people who prepare them without scanning the archive.
CREATE INDEX meetings_status_date ON meetings(status, meeting_date);

-- A counter moved on by every change to the published record: lists of many meetings (the
-- front page, a body's year) are kept per value and laid out again only after a change.
CREATE TABLE public_state (
    id       BIGINT PRIMARY KEY,
    version  BIGINT NOT NULL
);
INSERT INTO public_state (id, version) VALUES (1, 0);
