//! Accounts, their roles per body, sign-in sessions and failed sign-ins. The store keeps
//! what it is given: password hashes are made (and checked) by `protokol-auth`, session
//! tokens arrive already hashed. Times are compared as fixed-width UTC text
//! ("2026-11-24T21:00:00Z"), which orders like the instants they name.

use chrono::{DateTime, SecondsFormat, Utc};
use protokol_core::{Account, Grant, Role};
use sqlx::{AnyConnection, Row};

use crate::changes::{NewChange, record};
use crate::codec::now;
use crate::{Result, Store, StoreError};

/// A point in time as stored in the account tables.
pub fn instant_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A stored sign-in session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebSession {
    pub account: Account,
    /// The token forms must carry (CSRF protection).
    pub csrf_token: String,
    pub expires_at: String,
}

/// What to change about an account's roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleChange {
    Administrator,
    InBody(Grant),
}

async fn grants_of(conn: &mut AnyConnection, account_id: &str) -> Result<Vec<Grant>> {
    let rows = sqlx::query(
        "SELECT body_code, role FROM account_roles WHERE account_id = $1 ORDER BY body_code, role",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let body: String = r.try_get("body_code")?;
            let role: String = r.try_get("role")?;
            Ok(Grant {
                body: body
                    .parse()
                    .map_err(|e| StoreError::Corrupt(format!("account_roles.body_code: {e}")))?,
                role: role
                    .parse::<Role>()
                    .map_err(|e| StoreError::Corrupt(format!("account_roles.role: {e}")))?,
            })
        })
        .collect()
}

async fn account_row(
    conn: &mut AnyConnection,
    column: &str,
    value: &str,
) -> Result<Option<(Account, String)>> {
    let sql = match column {
        "id" => {
            "SELECT id, username, display_name, password_hash, administrator FROM accounts WHERE id = $1"
        }
        _ => {
            "SELECT id, username, display_name, password_hash, administrator FROM accounts WHERE username = $1"
        }
    };
    let Some(r) = sqlx::query(sql)
        .bind(value)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let id: String = r.try_get("id")?;
    let administrator: i64 = r.try_get("administrator")?;
    let hash: String = r.try_get("password_hash")?;
    let account = Account {
        grants: grants_of(conn, &id).await?,
        id,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        administrator: administrator != 0,
    };
    Ok(Some((account, hash)))
}

fn no_account(username: &str) -> StoreError {
    StoreError::NotFound {
        entity: "account",
        id: username.to_string(),
    }
}

impl Store {
    /// Creates an account; refused if the username is taken.
    pub async fn create_account(
        &self,
        username: &str,
        display_name: Option<&str>,
        password_hash: &str,
        actor: &str,
    ) -> Result<Account> {
        let mut tx = self.begin_write().await?;
        if account_row(&mut tx, "username", username).await?.is_some() {
            return Err(StoreError::Rejected(format!(
                "an account named {username:?} already exists"
            )));
        }
        let id = uuid::Uuid::now_v7().to_string();
        let ts = now();
        sqlx::query(
            "INSERT INTO accounts (id, username, display_name, password_hash, administrator, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 0, 1, $5, $5)",
        )
        .bind(&id)
        .bind(username)
        .bind(display_name)
        .bind(password_hash)
        .bind(ts)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            NewChange {
                actor,
                action: "account.created",
                entity: "account",
                entity_id: &id,
                meeting_id: None,
                version: Some(1),
                detail: Some(username.to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Account {
            id,
            username: username.to_string(),
            display_name: display_name.map(str::to_string),
            administrator: false,
            grants: Vec::new(),
        })
    }

    /// The account with this username and its password hash.
    pub async fn account_with_hash(&self, username: &str) -> Result<Option<(Account, String)>> {
        let mut conn = self.pool.acquire().await?;
        account_row(&mut conn, "username", username).await
    }

    /// The account with this username.
    pub async fn account(&self, username: &str) -> Result<Option<Account>> {
        Ok(self.account_with_hash(username).await?.map(|(a, _)| a))
    }

    /// All accounts, by username.
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let mut conn = self.pool.acquire().await?;
        let names: Vec<String> = sqlx::query("SELECT username FROM accounts ORDER BY username")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("username"))
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            if let Some((a, _)) = account_row(&mut conn, "username", &name).await? {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Whether any administrator exists (the first is made on the command line).
    pub async fn has_administrator(&self) -> Result<bool> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM accounts WHERE administrator <> 0")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        Ok(n > 0)
    }

    /// Replaces an account's password hash and ends all its sessions.
    pub async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        actor: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (account, _) = account_row(&mut tx, "username", username)
            .await?
            .ok_or_else(|| no_account(username))?;
        sqlx::query(
            "UPDATE accounts SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(now())
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM web_sessions WHERE account_id = $1")
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
        // A new password starts the count of failed sign-ins afresh.
        sqlx::query("DELETE FROM sign_in_attempts WHERE username = $1")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            NewChange {
                actor,
                action: "account.password_changed",
                entity: "account",
                entity_id: &account.id,
                meeting_id: None,
                version: None,
                detail: Some(username.to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Grants (`on = true`) or revokes a role. Changing roles ends the account's sessions,
    /// so what a signed-in person may see never outlives a revoked role.
    pub async fn set_role(
        &self,
        username: &str,
        change: &RoleChange,
        on: bool,
        actor: &str,
    ) -> Result<Account> {
        let mut tx = self.begin_write().await?;
        let (account, _) = account_row(&mut tx, "username", username)
            .await?
            .ok_or_else(|| no_account(username))?;
        match change {
            RoleChange::Administrator => {
                sqlx::query("UPDATE accounts SET administrator = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                    .bind(i64::from(on))
                    .bind(now())
                    .bind(&account.id)
                    .execute(&mut *tx)
                    .await?;
            }
            RoleChange::InBody(g) => {
                sqlx::query(
                    "DELETE FROM account_roles WHERE account_id = $1 AND body_code = $2 AND role = $3",
                )
                .bind(&account.id)
                .bind(g.body.as_str())
                .bind(g.role.as_str())
                .execute(&mut *tx)
                .await?;
                if on {
                    sqlx::query(
                        "INSERT INTO account_roles (account_id, body_code, role) VALUES ($1, $2, $3)",
                    )
                    .bind(&account.id)
                    .bind(g.body.as_str())
                    .bind(g.role.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        if !on {
            sqlx::query("DELETE FROM web_sessions WHERE account_id = $1")
                .bind(&account.id)
                .execute(&mut *tx)
                .await?;
        }
        let what = match change {
            RoleChange::Administrator => "administrator".to_string(),
            RoleChange::InBody(g) => format!("{} in {}", g.role, g.body),
        };
        record(
            &mut tx,
            NewChange {
                actor,
                action: if on {
                    "account.granted"
                } else {
                    "account.revoked"
                },
                entity: "account",
                entity_id: &account.id,
                meeting_id: None,
                version: None,
                detail: Some(format!("{username}: {what}")),
            },
        )
        .await?;
        let (account, _) = account_row(&mut tx, "id", &account.id)
            .await?
            .ok_or_else(|| no_account(username))?;
        tx.commit().await?;
        Ok(account)
    }

    /// Stores a new session for `account_id`.
    pub async fn create_web_session(
        &self,
        token_hash: &str,
        account_id: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO web_sessions (token_hash, account_id, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(csrf_token)
        .bind(instant_text(Utc::now()))
        .bind(instant_text(expires_at))
        .execute(&mut *tx)
        .await?;
        // Sessions that ran out are removed on the way.
        sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
            .bind(instant_text(Utc::now()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live session with this token hash (an expired one is not returned).
    pub async fn web_session(&self, token_hash: &str) -> Result<Option<WebSession>> {
        let mut conn = self.pool.acquire().await?;
        let Some(r) = sqlx::query(
            "SELECT account_id, csrf_token, expires_at FROM web_sessions
             WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(instant_text(Utc::now()))
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let account_id: String = r.try_get("account_id")?;
        let Some((account, _)) = account_row(&mut conn, "id", &account_id).await? else {
            return Ok(None);
        };
        Ok(Some(WebSession {
            account,
            csrf_token: r.try_get("csrf_token")?,
            expires_at: r.try_get("expires_at")?,
        }))
    }

    /// Ends a session (signing out).
    pub async fn delete_web_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
