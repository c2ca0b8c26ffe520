-- Every attachment gets an id that survives edits and re-imports (sub-points and
-- follow-ups had one; it is now kept across edits too). Existing attachments get a random
-- UUID.
ALTER TABLE attachments ADD COLUMN id TEXT;
UPDATE attachments SET id = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)));
