//! Signing the minutes and the approval log. The members who attended sign (optionally
//! with a reservation); the last signature approves the minutes, which freezes them, and
//! appends the SHA-256 of the approved meeting's `protokol.meeting/1` JSON to an
//! append-only log in which every row also hashes the row before it. [`Store::verify_approvals`]
//! walks the chain and recomputes every hash, so a later change to approved minutes, or to
//! the log itself, is found.

use chrono::Utc;
use protokol_core::exchange::to_json;
use protokol_core::{Meeting, MeetingId, MeetingKind, MeetingStatus, PublicationKind, Signature};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::accounts::instant_text;
use crate::read::load_meeting;
use crate::write::replace_meeting;
use crate::{Backend, Result, Store, StoreError};

/// The hash the log starts from.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The SHA-256 of a meeting's exchange JSON (fixed field order, so it is stable).
pub fn content_hash(m: &Meeting) -> String {
    sha256_hex(to_json(m).as_bytes())
}

fn chain_hash(prev: &str, meeting_id: &str, approved_at: &str, content: &str) -> String {
    sha256_hex(format!("{prev}\n{meeting_id}\n{approved_at}\n{content}").as_bytes())
}

/// What a signature did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    pub version: i64,
    /// The last attendee signed: the minutes are approved and frozen.
    pub approved: bool,
}

/// One row of the approval log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approval {
    pub seq: i64,
    pub meeting_id: String,
    pub approved_at: String,
    pub content_hash: String,
    pub prev_hash: String,
    pub chain_hash: String,
}

/// Appends the approval of `stored` (the meeting as stored, inside the caller's
/// transaction) to the log. One approval at a time, so the chain never forks: PostgreSQL
/// takes a table lock (held to the end of the transaction); SQLite's writers queue anyway.
pub(crate) async fn append_approval(
    conn: &mut AnyConnection,
    meeting_id: &str,
    stored: &Meeting,
) -> Result<()> {
    if conn
        .backend_name()
        .to_ascii_lowercase()
        .contains("postgres")
    {
        sqlx::query("LOCK TABLE approval_log IN EXCLUSIVE MODE")
            .execute(&mut *conn)
            .await?;
    }
    append(conn, meeting_id, &content_hash(stored)).await
}

async fn append(conn: &mut AnyConnection, meeting_id: &str, content: &str) -> Result<()> {
    let prev: String = sqlx::query("SELECT chain_hash FROM approval_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("chain_hash"))
        .transpose()?
        .unwrap_or_else(|| GENESIS.to_string());
    let at = instant_text(Utc::now());
    let chain = chain_hash(&prev, meeting_id, &at, content);
    sqlx::query(
        "INSERT INTO approval_log (meeting_id, approved_at, content_hash, prev_hash, chain_hash)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(meeting_id)
    .bind(at)
    .bind(content)
    .bind(prev)
    .bind(chain)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Records `member`'s signature on the minutes of meeting `id`, if the meeting is still
    /// at `expected_version`, its minutes are published and not yet approved, and `member`
    /// attended and has not signed. The last signature approves the minutes.
    pub async fn sign_minutes(
        &self,
        id: MeetingId,
        member: &str,
        reservation: Option<&str>,
        expected_version: i64,
        actor: &str,
    ) -> Result<Signed> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            // One approval at a time, so the chain never forks.
            sqlx::query("LOCK TABLE approval_log IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let (mut m, version) = load_meeting(&mut tx, &id.to_string())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "meeting",
                id: id.to_string(),
            })?;
        if version != expected_version {
            return Err(StoreError::Conflict {
                entity: "meeting",
                id: id.to_string(),
                expected: expected_version,
                current: version,
            });
        }
        if m.status == Some(MeetingStatus::MinutesApproved) {
            return Err(StoreError::Rejected(
                "the minutes are already approved".into(),
            ));
        }
        if m.kind != MeetingKind::Minutes || m.status != Some(MeetingStatus::Held) {
            return Err(StoreError::Rejected(
                "the minutes are not published yet".into(),
            ));
        }
        if !m.attendees().contains(&member) {
            return Err(StoreError::Rejected(format!(
                "{member} is not among the members who attended"
            )));
        }
        if m.signatures.iter().any(|s| s.member == member) {
            return Err(StoreError::Rejected(format!("{member} has already signed")));
        }
        m.signatures.push(Signature {
            member: member.to_string(),
            signed_at: Utc::now().fixed_offset(),
            reservation: reservation
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string),
        });
        let approved = m.unsigned().is_empty();
        if approved {
            m.status = Some(MeetingStatus::MinutesApproved);
        }
        let action = if approved {
            "minutes.approved"
        } else {
            "minutes.signed"
        };
        let saved = replace_meeting(&mut tx, &m, version, actor, action).await?;
        if approved {
            let (stored, _) = load_meeting(&mut tx, &id.to_string())
                .await?
                .ok_or_else(|| StoreError::Corrupt("approved meeting vanished".into()))?;
            append_approval(&mut tx, &id.to_string(), &stored).await?;
            // The approved minutes are what the public reads from now on.
            crate::publications::append_edition(
                &mut tx,
                id,
                &stored,
                PublicationKind::ApprovedMinutes,
                actor,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Signed {
            version: saved.version,
            approved,
        })
    }

    /// The approval log, oldest first.
    pub async fn approvals(&self) -> Result<Vec<Approval>> {
        let rows = sqlx::query(
            "SELECT seq, meeting_id, approved_at, content_hash, prev_hash, chain_hash
             FROM approval_log ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Approval {
                    seq: r.try_get("seq")?,
                    meeting_id: r.try_get("meeting_id")?,
                    approved_at: r.try_get("approved_at")?,
                    content_hash: r.try_get("content_hash")?,
                    prev_hash: r.try_get("prev_hash")?,
                    chain_hash: r.try_get("chain_hash")?,
                })
            })
            .collect()
    }

    /// Walks the approval log: every row must follow the one before it, its chain hash
    /// must be right, and the stored meeting must still hash to the approved content.
    /// Returns the problems found (none when all is well) and how many rows were checked.
    pub async fn verify_approvals(&self) -> Result<(usize, Vec<String>)> {
        let log = self.approvals().await?;
        let mut problems = Vec::new();
        let mut prev = GENESIS.to_string();
        for row in &log {
            if row.prev_hash != prev {
                problems.push(format!(
                    "log row {}: does not follow the row before it (the log was changed)",
                    row.seq
                ));
            }
            let expected = chain_hash(
                &row.prev_hash,
                &row.meeting_id,
                &row.approved_at,
                &row.content_hash,
            );
            if row.chain_hash != expected {
                problems.push(format!(
                    "log row {}: its chain hash is wrong (the row was changed)",
                    row.seq
                ));
            }
            prev = row.chain_hash.clone();
            let id: MeetingId = match row.meeting_id.parse() {
                Ok(id) => id,
                Err(_) => {
                    problems.push(format!(
                        "log row {}: meeting id {:?} is not valid",
                        row.seq, row.meeting_id
                    ));
                    continue;
                }
            };
            match self.meeting(id).await? {
                None => problems.push(format!(
                    "log row {}: the approved meeting {} no longer exists",
                    row.seq, row.meeting_id
                )),
                Some((m, _)) if content_hash(&m) != row.content_hash => problems.push(format!(
                    "log row {}: the approved minutes of {} on {} were changed after approval",
                    row.seq, m.body.name, m.date
                )),
                Some(_) => {}
            }
        }
        for (_, name, date) in self.unlogged_approvals().await? {
            problems.push(format!(
                "the minutes of {name} on {date} are marked approved but are not in the approval \
                 log (marked outside protokol's signing and import, e.g. by a change to the \
                 database)"
            ));
        }
        Ok((log.len(), problems))
    }

    /// Meetings marked approved that have no row in the approval log: (id, body name, date).
    async fn unlogged_approvals(&self) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query(
            "SELECT m.id, b.name, m.meeting_date FROM meetings m JOIN bodies b ON b.id = m.body_id
             WHERE m.status = 'minutes_approved'
               AND NOT EXISTS (SELECT 1 FROM approval_log l WHERE l.meeting_id = m.id)
             ORDER BY m.meeting_date, b.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("name")?,
                    r.try_get("meeting_date")?,
                ))
            })
            .collect()
    }

    /// Adds approved meetings that are missing from the approval log, as they stand now (for
    /// a database from before imported approvals were logged). Returns "body on date" of
    /// each meeting added.
    pub async fn log_unlogged_approvals(&self) -> Result<Vec<String>> {
        let mut added = Vec::new();
        for (id, name, date) in self.unlogged_approvals().await? {
            let mut tx = self.begin_write().await?;
            let (stored, _) =
                load_meeting(&mut tx, &id)
                    .await?
                    .ok_or_else(|| StoreError::NotFound {
                        entity: "meeting",
                        id: id.clone(),
                    })?;
            append_approval(&mut tx, &id, &stored).await?;
            tx.commit().await?;
            added.push(format!("{name} on {date}"));
        }
        Ok(added)
    }
}
