//! What search indexes are built from and kept current by: the search outbox (one row per
//! meeting whose searchable content changed, written in the transaction of the change),
//! the public meeting with its attachment texts, and the meeting as stored.

use protokol_core::{Meeting, MeetingId};
use sqlx::{AnyConnection, Row};

use crate::codec::now;
use crate::public::PublicMeeting;
use crate::read::load_meeting;
use crate::{Result, Store, StoreError};

/// One row of the search outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxRow {
    pub seq: i64,
    pub meeting_id: String,
}

/// Notes, inside the caller's transaction, that meeting `id` must be indexed again.
pub(crate) async fn note_change(conn: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query("INSERT INTO search_outbox (meeting_id, written_at) VALUES ($1, $2)")
        .bind(id)
        .bind(now())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Outbox rows after `seq`, in order, at most `limit` (an index on the primary key).
    pub async fn search_outbox_after(&self, seq: i64, limit: i64) -> Result<Vec<OutboxRow>> {
        sqlx::query(
            "SELECT seq, meeting_id FROM search_outbox WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OutboxRow {
                seq: r.try_get("seq")?,
                meeting_id: r.try_get("meeting_id")?,
            })
        })
        .collect()
    }

    /// The newest and oldest sequence numbers in the outbox (0 when it is empty).
    pub async fn search_outbox_span(&self) -> Result<(i64, i64)> {
        let r = sqlx::query(
            "SELECT COALESCE(MIN(seq), 0) AS lo, COALESCE(MAX(seq), 0) AS hi FROM search_outbox",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((r.try_get("lo")?, r.try_get("hi")?))
    }

    /// Forgets outbox rows written before `before` (an RFC 3339 instant): a node that was
    /// away longer rebuilds its indexes.
    pub async fn prune_search_outbox(&self, before: &str) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM search_outbox WHERE written_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(done)
    }

    /// Meeting ids in order after `after`, `limit` at a time (for a full build).
    pub async fn meeting_ids_after(&self, after: &str, limit: i64) -> Result<Vec<String>> {
        sqlx::query("SELECT id FROM meetings WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(r.try_get("id")?))
            .collect()
    }

    /// How many meetings the store holds (for progress bars).
    pub async fn meeting_total(&self) -> Result<u64> {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM meetings")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0))
    }

    /// What the public may search of meeting `id`: its public record's meeting with the
    /// texts of its public attachments, or `None` when the public may not see it.
    pub async fn public_searchable(&self, id: &str) -> Result<Option<Meeting>> {
        let Ok(mid) = id.parse::<MeetingId>() else {
            return Ok(None);
        };
        let Some(p) = self.public_meeting_by_id(mid).await? else {
            return Ok(None);
        };
        Ok(Some(self.public_meeting_with_texts(&p).await?))
    }

    /// The meetings of the public records of meetings `ids`, without their attachments'
    /// texts (see [`Store::public_attachment_text`]), by id, in one query; a meeting the
    /// public may not see (or an id that is no meeting's) is not among them.
    pub async fn public_record_meetings(
        &self,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, Meeting>> {
        let ids: Vec<String> = ids
            .iter()
            .filter_map(|id| id.parse::<MeetingId>().ok())
            .map(|id| id.to_string())
            .collect();
        let mut out = std::collections::HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT meeting_id, record FROM public_meetings WHERE meeting_id IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            query = query.bind(id.as_str());
        }
        for row in query.fetch_all(&self.pool).await? {
            let id: String = row.try_get("meeting_id")?;
            let record: String = row.try_get("record")?;
            let record: protokol_core::public::PublicRecord = serde_json::from_str(&record)
                .map_err(|e| StoreError::Corrupt(format!("public_meetings.record: {e}")))?;
            out.insert(id, record.meeting);
        }
        Ok(out)
    }

    /// The extracted text of public attachment `number` of item `item` of public meeting
    /// `id` (the primary key of `public_files`), or `None`.
    pub async fn public_attachment_text(
        &self,
        id: &str,
        item: u32,
        number: u32,
    ) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT text FROM public_files
             WHERE meeting_id = $1 AND item_number = $2 AND attachment_number = $3",
        )
        .bind(id)
        .bind(i64::from(item))
        .bind(i64::from(number))
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => r.try_get::<Option<String>, _>("text")?,
            None => None,
        })
    }

    /// The meeting `id` as stored (for the internal index), or `None`.
    pub async fn stored_searchable(&self, id: &str) -> Result<Option<Meeting>> {
        let mut conn = self.pool.acquire().await?;
        Ok(load_meeting(&mut conn, id).await?.map(|(m, _)| m))
    }

    /// The public meeting with id `id`.
    pub async fn public_meeting_by_id(&self, id: MeetingId) -> Result<Option<PublicMeeting>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {}, record, etag FROM public_meetings WHERE meeting_id = $1",
            crate::public::SUMMARY_COLUMNS
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(crate::public::public_meeting_from)
            .transpose()
    }
}
