-- Accounts, roles per body, server-side sign-in sessions and failed sign-ins (for
-- throttling). Passwords are stored only as argon2 PHC strings; sessions only as the
-- SHA-256 of their token, so a copy of the database signs nobody in.

CREATE TABLE accounts (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT,
    password_hash  TEXT NOT NULL,
    administrator  BIGINT NOT NULL DEFAULT 0,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE account_roles (
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    body_code   TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('secretary', 'member')),
    PRIMARY KEY (account_id, body_code, role)
);

CREATE TABLE web_sessions (
    token_hash   TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX web_sessions_account ON web_sessions(account_id);

CREATE TABLE sign_in_failures (
    throttle_key  TEXT NOT NULL,
    failed_at     TEXT NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures(throttle_key, failed_at);
