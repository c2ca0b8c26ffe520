//! The change log: one row per change, appended in the transaction that made it.

use protokol_core::{Item, Meeting};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::codec::now;
use crate::{Result, Store};

/// What the log keeps of an attachment's extracted text: its length and SHA-256, not the
/// text (which can be megabytes, and is stored with the document already).
fn text_digest(text: &str) -> String {
    let hash: String = Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("[tekst: {} tegn, SHA-256 {hash}…]", text.chars().count())
}

fn digest_texts(items: &mut [Item]) {
    for file in items
        .iter_mut()
        .flat_map(|i| i.attachments.iter_mut())
        .filter_map(|a| a.file.as_mut())
    {
        if let Some(text) = &file.text {
            file.text = Some(text_digest(text).into());
        }
    }
}

/// An item as the change log records it: everything, with attachment texts as digests.
pub(crate) fn item_for_log(item: &Item) -> Option<String> {
    let mut item = item.clone();
    digest_texts(std::slice::from_mut(&mut item));
    serde_json::to_string_pretty(&item).ok()
}

/// A meeting as the change log records it: everything, with attachment texts as digests.
pub(crate) fn meeting_for_log(m: &Meeting) -> String {
    let mut m = m.clone();
    digest_texts(&mut m.items);
    protokol_core::exchange::to_json(&m)
}

/// One recorded change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub meeting_id: Option<String>,
    pub version: Option<i64>,
    pub detail: Option<String>,
    /// The record before and after an edit (JSON), where the change was an edit.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What to record; `seq` and `at` are assigned by the log.
pub(crate) struct NewChange<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub meeting_id: Option<&'a str>,
    pub version: Option<i64>,
    pub detail: Option<String>,
}

pub(crate) async fn record(conn: &mut AnyConnection, c: NewChange<'_>) -> Result<()> {
    record_edit(conn, c, None, None).await
}

/// [`record`] with the record as it was before and after the edit.
pub(crate) async fn record_edit(
    conn: &mut AnyConnection,
    c: NewChange<'_>,
    before: Option<String>,
    after: Option<String>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO changes (at, actor, action, entity, entity_id, meeting_id, version, detail,
         before_json, after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(now())
    .bind(c.actor)
    .bind(c.action)
    .bind(c.entity)
    .bind(c.entity_id)
    .bind(c.meeting_id)
    .bind(c.version)
    .bind(c.detail)
    .bind(before)
    .bind(after)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// Changes after sequence number `after`, oldest first, at most `limit`.
    pub async fn changes_since(&self, after: i64, limit: i64) -> Result<Vec<Change>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, entity, entity_id, meeting_id, version, detail,
             before_json, after_json FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(change_from_row).collect()
    }

    /// The newest changes first, at most `limit`.
    pub async fn latest_changes(&self, limit: i64) -> Result<Vec<Change>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, entity, entity_id, meeting_id, version, detail,
             before_json, after_json FROM changes ORDER BY seq DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(change_from_row).collect()
    }

    /// One change by its sequence number.
    pub async fn change(&self, seq: i64) -> Result<Option<Change>> {
        let row = sqlx::query(
            "SELECT seq, at, actor, action, entity, entity_id, meeting_id, version, detail,
             before_json, after_json FROM changes WHERE seq = $1",
        )
        .bind(seq)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(change_from_row).transpose()
    }
}

fn change_from_row(r: &sqlx::any::AnyRow) -> Result<Change> {
    Ok(Change {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        meeting_id: r.try_get("meeting_id")?,
        version: r.try_get("version")?,
        detail: r.try_get("detail")?,
        before: r.try_get("before_json")?,
        after: r.try_get("after_json")?,
    })
}
