-- The open-data API (OParl) and feeds read the published record by when it was first
-- published and last changed, and see meetings that left it as tombstones.

-- When the meeting first entered the published record (kept across re-derivations).
ALTER TABLE public_meetings ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
UPDATE public_meetings SET created_at = updated_at;
-- Harvests walk the record in the order it changed, all bodies or one.
CREATE INDEX public_meetings_modified ON public_meetings(updated_at, meeting_id);
CREATE INDEX public_meetings_body_modified ON public_meetings(body_code, updated_at, meeting_id);

-- Meetings that were public and are no longer (unpublished, deleted): harvesters are told
-- to forget them, calendars to show them as cancelled. Only the id, the body, the date it
-- was to be held and the instants: nothing of the content.
CREATE TABLE public_tombstones (
    meeting_id    TEXT PRIMARY KEY,
    body_code     TEXT NOT NULL,
    meeting_date  TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    deleted_at    TEXT NOT NULL
);
CREATE INDEX public_tombstones_date ON public_tombstones(meeting_date);
CREATE INDEX public_tombstones_deleted ON public_tombstones(deleted_at, meeting_id);
CREATE INDEX public_tombstones_body_deleted ON public_tombstones(body_code, deleted_at, meeting_id);

-- The public items that print a case number (sagsnummer), by case: a case's treatments
-- across bodies, read by index.
CREATE TABLE public_case_items (
    case_key      TEXT NOT NULL,
    case_number   TEXT NOT NULL,
    meeting_id    TEXT NOT NULL,
    position      INTEGER NOT NULL,
    meeting_date  TEXT NOT NULL,
    PRIMARY KEY (case_key, meeting_id, position)
);
CREATE INDEX public_case_items_meeting ON public_case_items(meeting_id);

-- A case's closed treatments, for the members who may read them (by the printed number).
CREATE INDEX items_case_number ON items(case_number);
