-- Uploaded files are stored in chunks of 1 MiB, written while the upload is read from a
-- temporary file and read back one chunk at a time when served, so a large file is never
-- held in memory whole (files stored before become one chunk each). `files` has one row
-- per content (SHA-256).
CREATE TABLE files (
    sha256      TEXT PRIMARY KEY,
    size        BIGINT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE file_chunks (
    sha256  TEXT NOT NULL REFERENCES files(sha256) ON DELETE CASCADE,
    seq     BIGINT NOT NULL,
    bytes   BYTEA NOT NULL,
    PRIMARY KEY (sha256, seq)
);
INSERT INTO files (sha256, size, created_at) SELECT sha256, size, created_at FROM file_blobs;
INSERT INTO file_chunks (sha256, seq, bytes) SELECT sha256, 0, bytes FROM file_blobs;
DROP TABLE file_blobs;
