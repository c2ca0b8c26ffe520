-- Every attachment gets an id that survives edits and re-imports (sub-points and
-- follow-ups had one; it is now kept across edits too). Existing attachments get a random
-- UUID.
ALTER TABLE attachments ADD COLUMN id TEXT;
UPDATE attachments SET id = gen_random_uuid()::text;
