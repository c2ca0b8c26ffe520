//! Sign-in attempts and known devices, for throttling password guessing.
//!
//! An attempt is *reserved* before the password is checked: in one write transaction the
//! recent attempts are counted and, if the limits allow, a pending row is written. The
//! transaction is serialised (SQLite's `BEGIN IMMEDIATE`, a table lock on PostgreSQL), so
//! guesses sent in parallel each see the ones before them: 150 at once are 5 checks and 145
//! refusals, not 150 checks. A pending attempt counts as a failure until it is settled; a
//! successful one is removed, a failed one is kept for the window.
//!
//! Three counts, each over the window:
//! - the username from this client (a device cookie of that account, else the address);
//! - the username from clients it does not know (no device cookie of that account), so a
//!   stranger can lock strangers out of an account, but not its owner's known browsers;
//! - the address, over all usernames, for unknown clients (password spraying).

use chrono::{DateTime, Duration, Utc};
use sqlx::{AnyConnection, Row};

use crate::accounts::instant_text;
use crate::{Backend, Result, Store};

/// Who is trying to sign in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptBy {
    /// The username tried, normalised.
    pub username: String,
    /// The client: `device:<hash>` for a known device of that account, else `address:<ip>`.
    pub client: String,
    /// The network address the request came from.
    pub address: String,
    /// Whether the client is a known device of the account tried.
    pub trusted: bool,
}

/// How many failed (or still pending) sign-ins are allowed within the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub window: Duration,
    /// One username from one client.
    pub per_client: i64,
    /// One username from all clients it does not know.
    pub per_username_unknown: i64,
    /// One address over all usernames (unknown clients only).
    pub per_address: i64,
}

/// Which limit refused an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    Client,
    UsernameFromUnknownClients,
    Address,
}

/// The answer to a reservation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reservation {
    /// Go ahead and check the password; settle the attempt by its id afterwards.
    Granted(String),
    Refused(Refusal),
}

async fn count(conn: &mut AnyConnection, sql: &str, binds: &[&str]) -> Result<i64> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        q = q.bind(*b);
    }
    Ok(q.fetch_one(conn).await?.try_get("n")?)
}

impl Store {
    /// Reserves a sign-in attempt if the limits allow it (see the module documentation).
    pub async fn reserve_sign_in(
        &self,
        by: &AttemptBy,
        limits: &Limits,
        now: DateTime<Utc>,
    ) -> Result<Reservation> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            // Reservations one at a time (the mode conflicts with itself, not with reads).
            sqlx::query("LOCK TABLE sign_in_attempts IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let since = instant_text(now - limits.window);
        sqlx::query("DELETE FROM sign_in_attempts WHERE started_at <= $1")
            .bind(&since)
            .execute(&mut *tx)
            .await?;
        // (which limit, whether it applies to this client, what it counts, its bound)
        let unknown = !by.trusted;
        let checks = [
            (
                Refusal::Client,
                true,
                "SELECT COUNT(*) AS n FROM sign_in_attempts
                 WHERE username = $1 AND started_at > $2 AND client = $3",
                vec![by.username.as_str(), &since, &by.client],
                limits.per_client,
            ),
            (
                Refusal::UsernameFromUnknownClients,
                unknown,
                "SELECT COUNT(*) AS n FROM sign_in_attempts
                 WHERE username = $1 AND started_at > $2 AND trusted = 0",
                vec![by.username.as_str(), &since],
                limits.per_username_unknown,
            ),
            (
                Refusal::Address,
                unknown,
                "SELECT COUNT(*) AS n FROM sign_in_attempts
                 WHERE address = $1 AND started_at > $2 AND trusted = 0",
                vec![by.address.as_str(), &since],
                limits.per_address,
            ),
        ];
        let mut refusal = None;
        for (why, applies, sql, binds, bound) in checks {
            if applies && count(&mut tx, sql, &binds).await? >= bound {
                refusal = Some(why);
                break;
            }
        }
        if let Some(r) = refusal {
            tx.commit().await?;
            return Ok(Reservation::Refused(r));
        }
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO sign_in_attempts (id, username, client, address, trusted, started_at, outcome)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending')",
        )
        .bind(&id)
        .bind(&by.username)
        .bind(&by.client)
        .bind(&by.address)
        .bind(i64::from(by.trusted))
        .bind(instant_text(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Reservation::Granted(id))
    }

    /// Settles a reserved attempt: a failure stays counted; a success removes it and the
    /// earlier failures of the same username from the same client.
    pub async fn settle_sign_in(&self, attempt: &str, by: &AttemptBy, success: bool) -> Result<()> {
        if !success {
            sqlx::query("UPDATE sign_in_attempts SET outcome = 'failed' WHERE id = $1")
                .bind(attempt)
                .execute(&self.pool)
                .await?;
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM sign_in_attempts WHERE id = $1 OR (username = $2 AND client = $3)",
        )
        .bind(attempt)
        .bind(&by.username)
        .bind(&by.client)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets a reserved attempt whose password was never checked (the server was too busy).
    pub async fn release_sign_in(&self, attempt: &str) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_attempts WHERE id = $1")
            .bind(attempt)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The number of attempts (pending or failed) for a username within `since`.
    pub async fn sign_in_attempts_since(
        &self,
        username: &str,
        since: DateTime<Utc>,
    ) -> Result<i64> {
        let mut conn = self.pool.acquire().await?;
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM sign_in_attempts WHERE username = $1 AND started_at > $2",
            &[username, &instant_text(since)],
        )
        .await
    }

    /// Remembers a browser an account signed in from (by the hash of its cookie token).
    pub async fn remember_device(&self, token_hash: &str, account_id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let at = instant_text(Utc::now());
        sqlx::query("DELETE FROM known_devices WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO known_devices (token_hash, account_id, created_at, last_used_at)
             VALUES ($1, $2, $3, $3)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the device with this token hash is known for the account `username`, and
    /// was last used after `since` (older devices are forgotten).
    pub async fn known_device(
        &self,
        token_hash: &str,
        username: &str,
        since: DateTime<Utc>,
    ) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM known_devices d JOIN accounts a ON a.id = d.account_id
             WHERE d.token_hash = $1 AND a.username = $2 AND d.last_used_at > $3",
        )
        .bind(token_hash)
        .bind(username)
        .bind(instant_text(since))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }
}
