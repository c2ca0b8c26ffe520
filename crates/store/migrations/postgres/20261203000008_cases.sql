-- Cases (papers) as open data: each treatment carries what a Paper's consultation shows, so
-- a page of cases is read without the meetings' records, and each case has a row with when
-- it first appeared and last changed (walked in that order, like meetings; a case whose
-- last public treatment left the record stays as a tombstone). Cases without a printed number
-- (items followed through their next steps) are made when a meeting's record is next
-- derived (`protokol republish` does all).

-- The item's number (next-step links name items by number).
ALTER TABLE public_case_items ADD COLUMN item_number BIGINT;
ALTER TABLE public_case_items ADD COLUMN body_code TEXT NOT NULL DEFAULT '';
ALTER TABLE public_case_items ADD COLUMN item_key TEXT NOT NULL DEFAULT '';
ALTER TABLE public_case_items ADD COLUMN title TEXT NOT NULL DEFAULT '';
-- 1 when the body decides the matter (a decision and no next step).
ALTER TABLE public_case_items ADD COLUMN authoritative BIGINT NOT NULL DEFAULT 0;

-- Existing rows, from the public records they were written from.
UPDATE public_case_items c SET
    item_number = (p.record::jsonb #>> ARRAY['meeting', 'items', c.position::text, 'number'])::bigint,
    body_code = p.body_code,
    item_key = COALESCE(p.record::jsonb #>> ARRAY['meeting', 'items', c.position::text, 'id'],
                        (c.position + 1)::text),
    title = COALESCE(p.record::jsonb #>> ARRAY['meeting', 'items', c.position::text, 'title'], ''),
    authoritative = CASE
        WHEN (p.record::jsonb #> ARRAY['meeting', 'items', c.position::text, 'decision']) IS NOT NULL
         AND jsonb_typeof(p.record::jsonb #> ARRAY['meeting', 'items', c.position::text, 'decision']) <> 'null'
         AND COALESCE(jsonb_array_length(
                 CASE WHEN jsonb_typeof(p.record::jsonb #> ARRAY['meeting', 'items', c.position::text, 'next']) = 'array'
                      THEN p.record::jsonb #> ARRAY['meeting', 'items', c.position::text, 'next'] END), 0) = 0
        THEN 1 ELSE 0 END
FROM public_meetings p WHERE p.meeting_id = c.meeting_id;

CREATE TABLE public_cases (
    case_key    TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    -- How many public treatments it has (0: none left, a tombstone).
    treatments  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX public_cases_modified ON public_cases(updated_at, case_key);

INSERT INTO public_cases (case_key, created_at, updated_at, treatments)
    SELECT c.case_key, MIN(p.created_at), MAX(p.updated_at), COUNT(*)
    FROM public_case_items c JOIN public_meetings p ON p.meeting_id = c.meeting_id
    GROUP BY c.case_key;

-- Items by the key of the case number they print (a member's case page finds the closed
-- treatments of a case, also of one with no public treatment). Filled for existing items
-- by the store after migrating (the key is computed in Rust).
ALTER TABLE items ADD COLUMN case_key TEXT;
CREATE INDEX items_case_key ON items(case_key);

-- Files' SHA-512 sums (OParl names them); filled for existing files by the store after
-- migrating.
ALTER TABLE files ADD COLUMN sha512 TEXT;
