-- Sign-in throttling that holds under parallel guessing: an attempt is reserved (a row
-- written, in a transaction that serialises reservations) before the password is checked,
-- and counted while pending, so N guesses sent at once are N reservations, not N checks.
-- Attempts are kept per username, per client (a device cookie of that account, else the
-- network address) and per address; a successful sign-in removes its own row.
DROP TABLE sign_in_failures;

CREATE TABLE sign_in_attempts (
    id          TEXT PRIMARY KEY,
    username    TEXT NOT NULL,
    client      TEXT NOT NULL,
    address     TEXT NOT NULL,
    trusted     INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('pending', 'failed'))
);
CREATE INDEX sign_in_attempts_username ON sign_in_attempts(username, started_at);
CREATE INDEX sign_in_attempts_address ON sign_in_attempts(address, started_at);
CREATE INDEX sign_in_attempts_started ON sign_in_attempts(started_at);

-- Browsers an account has signed in from (only the SHA-256 of the cookie's token is kept).
-- A known device is not locked out by failures that strangers cause for its account.
CREATE TABLE known_devices (
    token_hash    TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT NOT NULL
);
CREATE INDEX known_devices_account ON known_devices(account_id);
