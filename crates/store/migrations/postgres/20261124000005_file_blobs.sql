-- Uploaded files' bytes, stored once per content (SHA-256), in the database so that every
-- application node serves the same files.

CREATE TABLE file_blobs (
    sha256      TEXT PRIMARY KEY,
    size        BIGINT NOT NULL,
    bytes       BYTEA NOT NULL,
    created_at  TEXT NOT NULL
);
