//! Source documents: what each imported published document said about a meeting, kept so
//! that a meeting can be merged anew from all of its sources whenever one is added.

use chrono::NaiveDate;
use protokol_core::exchange::parse_meeting;
use protokol_core::{BodyCode, Meeting};
use sqlx::{AnyConnection, Row};

use crate::codec::{date_text, json_text, now};
use crate::read::load_meeting_on;
use crate::write::{Commit, SaveOutcome, Saved, refuse_invalid_meeting, upsert_in};
use crate::{Result, Store, StoreError};

/// One imported document and what it says.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceDocument {
    /// The file name as imported (its identity within the meeting).
    pub name: String,
    pub sha256: String,
    /// The layout the importer recognised ("full_document", "item_extract", …).
    pub layout: String,
    pub meeting: Meeting,
}

async fn sources_in(
    conn: &mut AnyConnection,
    body: &BodyCode,
    date: NaiveDate,
) -> Result<Vec<SourceDocument>> {
    let rows = sqlx::query(
        "SELECT name, sha256, layout, parsed FROM source_documents
         WHERE body_code = $1 AND meeting_date = $2 ORDER BY name",
    )
    .bind(body.as_str())
    .bind(date_text(date))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let parsed: String = r.try_get("parsed")?;
            Ok(SourceDocument {
                name: r.try_get("name")?,
                sha256: r.try_get("sha256")?,
                layout: r.try_get("layout")?,
                meeting: parse_meeting(&parsed)
                    .map_err(|e| StoreError::Corrupt(format!("source_documents.parsed: {e}")))?,
            })
        })
        .collect()
}

impl Store {
    /// The stored source documents of a meeting, by name.
    pub async fn sources(&self, body: &BodyCode, date: NaiveDate) -> Result<Vec<SourceDocument>> {
        let mut conn = self.pool.acquire().await?;
        sources_in(&mut conn, body, date).await
    }

    /// Adds (or replaces, by name) a source document of a meeting and stores the meeting as
    /// `merge` makes it from all of the meeting's sources, in one transaction. `merge` gets
    /// the sources sorted by name and returns the merged meeting.
    pub async fn import_source<F>(
        &self,
        source: SourceDocument,
        actor: &str,
        commit: Commit,
        merge: F,
    ) -> Result<(Saved, Meeting)>
    where
        F: FnOnce(&[SourceDocument]) -> Meeting,
    {
        let mut tx = self.begin_write().await?;
        let out = import_source_in(&mut tx, source, actor, merge).await?;
        match commit {
            Commit::Yes => tx.commit().await?,
            Commit::No => tx.rollback().await?,
        }
        Ok(out)
    }
}

/// [`Store::import_source`] on one connection (inside the caller's transaction).
pub(crate) async fn import_source_in<F>(
    conn: &mut AnyConnection,
    source: SourceDocument,
    actor: &str,
    merge: F,
) -> Result<(Saved, Meeting)>
where
    F: FnOnce(&[SourceDocument]) -> Meeting,
{
    refuse_invalid_meeting(&source.meeting)?;
    let body = source.meeting.body.code.clone();
    let date = source.meeting.date;
    let mut all = sources_in(&mut *conn, &body, date).await?;
    // (changed, replaces a stored source of that name)
    let (changed, replaces) = match all.iter_mut().find(|s| s.name == source.name) {
        Some(existing) if *existing == source => (false, true),
        Some(existing) => {
            *existing = source.clone();
            (true, true)
        }
        None => {
            all.push(source.clone());
            all.sort_by(|a, b| a.name.cmp(&b.name));
            (true, false)
        }
    };
    // A document already imported as it is: nothing to do, and nothing done since (edits
    // in the workspace, approval) is merged away.
    if !changed && let Some((stored, version)) = load_meeting_on(&mut *conn, &body, date).await? {
        let saved = Saved {
            id: stored.id.unwrap_or_default(),
            version,
            outcome: SaveOutcome::Unchanged,
            warnings: Vec::new(),
        };
        return Ok((saved, stored));
    }
    if changed && replaces {
        sqlx::query(
            "DELETE FROM source_documents WHERE body_code = $1 AND meeting_date = $2 AND name = $3",
        )
        .bind(body.as_str())
        .bind(date_text(date))
        .bind(&source.name)
        .execute(&mut *conn)
        .await?;
    }
    if changed {
        sqlx::query(
                "INSERT INTO source_documents (id, body_code, meeting_date, name, sha256, layout, parsed, imported_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(body.as_str())
            .bind(date_text(date))
            .bind(&source.name)
            .bind(&source.sha256)
            .bind(&source.layout)
            .bind(json_text(&source.meeting))
            .bind(now())
            .execute(&mut *conn)
            .await?;
    }
    let merged = merge(&all);
    refuse_invalid_meeting(&merged)?;
    let saved = upsert_in(&mut *conn, &merged, actor).await?;
    Ok((saved, merged))
}
