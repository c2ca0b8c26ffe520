//! Published editions of a meeting and dated corrections to approved minutes.
//!
//! Publishing stores the meeting and a copy of it as published in one transaction, so the
//! public pages can show the newest edition while the secretary goes on editing. Editions
//! and corrections are only ever inserted.

use chrono::Utc;
use protokol_core::exchange::{parse_meeting, to_json};
use protokol_core::{Meeting, MeetingId, MeetingStatus, PublicationKind};
use sqlx::{AnyConnection, Row};

use crate::accounts::instant_text;
use crate::changes::{NewChange, record};
use crate::read::load_meeting;
use crate::write::replace_meeting;
use crate::{Result, Saved, Store, StoreError};

/// One published edition.
#[derive(Clone, Debug, PartialEq)]
pub struct Publication {
    pub seq: i64,
    pub kind: PublicationKind,
    pub published_at: String,
    pub published_by: String,
    pub meeting: Meeting,
}

/// A dated correction to approved minutes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Correction {
    pub seq: i64,
    pub added_at: String,
    pub added_by: String,
    pub item_number: Option<u32>,
    pub text: String,
}

/// Appends `stored` (the meeting `id` as just stored, inside the caller's transaction) as a
/// new edition of `kind`.
pub(crate) async fn append_edition(
    conn: &mut AnyConnection,
    id: MeetingId,
    stored: &Meeting,
    kind: PublicationKind,
    actor: &str,
) -> Result<i64> {
    let seq: i64 = sqlx::query(
        "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM publications WHERE meeting_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&mut *conn)
    .await?
    .try_get("next")?;
    sqlx::query(
        "INSERT INTO publications (meeting_id, seq, kind, published_at, published_by, meeting_json)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(seq)
    .bind(kind.as_str())
    .bind(instant_text(Utc::now()))
    .bind(actor)
    .bind(to_json(stored))
    .execute(&mut *conn)
    .await?;
    crate::public::refresh(&mut *conn, &id.to_string()).await?;
    Ok(seq)
}

fn publication_from_row(r: &sqlx::any::AnyRow) -> Result<Publication> {
    let kind: String = r.try_get("kind")?;
    let json: String = r.try_get("meeting_json")?;
    Ok(Publication {
        seq: r.try_get("seq")?,
        kind: PublicationKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown edition kind {kind:?}")))?,
        published_at: r.try_get("published_at")?,
        published_by: r.try_get("published_by")?,
        meeting: parse_meeting(&json)
            .map_err(|e| StoreError::Corrupt(format!("stored edition does not read: {e}")))?,
    })
}

impl Store {
    /// Stores `m` (if the stored meeting is still at `expected_version`) and publishes it as
    /// an edition of `kind`, both or neither. Refused when the edition would be the same as
    /// the newest one.
    pub async fn publish(
        &self,
        m: &Meeting,
        expected_version: i64,
        kind: PublicationKind,
        actor: &str,
    ) -> Result<Saved> {
        let id =
            m.id.ok_or_else(|| StoreError::Rejected("the meeting to publish has no id".into()))?;
        let mut tx = self.begin_write().await?;
        let saved =
            replace_meeting(&mut tx, m, expected_version, actor, "meeting.published").await?;
        let newest = sqlx::query(
            "SELECT meeting_json FROM publications WHERE meeting_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get::<String, _>("meeting_json"))
        .transpose()?;
        let (stored, _) = load_meeting(&mut tx, &id.to_string())
            .await?
            .ok_or_else(|| StoreError::Corrupt("published meeting vanished".into()))?;
        if newest.as_deref() == Some(to_json(&stored).as_str()) {
            return Err(StoreError::Rejected(
                "nothing changed since the newest edition".into(),
            ));
        }
        append_edition(&mut tx, id, &stored, kind, actor).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// The published editions of a meeting, oldest first.
    pub async fn publications(&self, id: MeetingId) -> Result<Vec<Publication>> {
        let rows = sqlx::query(
            "SELECT seq, kind, published_at, published_by, meeting_json FROM publications
             WHERE meeting_id = $1 ORDER BY seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(publication_from_row).collect()
    }

    /// The newest published edition of a meeting, if it was published in protokol.
    pub async fn newest_publication(&self, id: MeetingId) -> Result<Option<Publication>> {
        let row = sqlx::query(
            "SELECT seq, kind, published_at, published_by, meeting_json FROM publications
             WHERE meeting_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(publication_from_row).transpose()
    }

    /// Adds a dated correction to approved minutes (which are otherwise frozen), optionally
    /// about one item. Refused for minutes not approved (those are edited instead), an
    /// empty text or an item the meeting does not have.
    pub async fn add_correction(
        &self,
        id: MeetingId,
        item_number: Option<u32>,
        text: &str,
        actor: &str,
    ) -> Result<Correction> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Rejected("the correction is empty".into()));
        }
        let mut tx = self.begin_write().await?;
        let (m, _) = load_meeting(&mut tx, &id.to_string())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "meeting",
                id: id.to_string(),
            })?;
        if m.status != Some(MeetingStatus::MinutesApproved) {
            return Err(StoreError::Rejected(
                "corrections are added to approved minutes only".into(),
            ));
        }
        if let Some(n) = item_number
            && !m.items.iter().any(|i| i.number == Some(n))
        {
            return Err(StoreError::Rejected(format!("the meeting has no item {n}")));
        }
        let seq: i64 = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM corrections WHERE meeting_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(&mut *tx)
        .await?
        .try_get("next")?;
        let at = instant_text(Utc::now());
        sqlx::query(
            "INSERT INTO corrections (meeting_id, seq, added_at, added_by, item_number, text)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(seq)
        .bind(&at)
        .bind(actor)
        .bind(item_number.map(i64::from))
        .bind(text)
        .execute(&mut *tx)
        .await?;
        let id_text = id.to_string();
        record(
            &mut tx,
            NewChange {
                actor,
                action: "minutes.corrected",
                entity: "meeting",
                entity_id: &id_text,
                meeting_id: Some(&id_text),
                version: None,
                detail: Some(text.chars().take(200).collect()),
            },
        )
        .await?;
        crate::public::refresh(&mut tx, &id_text).await?;
        tx.commit().await?;
        Ok(Correction {
            seq,
            added_at: at,
            added_by: actor.to_string(),
            item_number,
            text: text.to_string(),
        })
    }

    /// The corrections to a meeting's approved minutes, oldest first.
    pub async fn corrections(&self, id: MeetingId) -> Result<Vec<Correction>> {
        let rows = sqlx::query(
            "SELECT seq, added_at, added_by, item_number, text FROM corrections
             WHERE meeting_id = $1 ORDER BY seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let n: Option<i64> = r.try_get("item_number")?;
                Ok(Correction {
                    seq: r.try_get("seq")?,
                    added_at: r.try_get("added_at")?,
                    added_by: r.try_get("added_by")?,
                    item_number: n.and_then(|n| u32::try_from(n).ok()),
                    text: r.try_get("text")?,
                })
            })
            .collect()
    }
}
