//! The published record (see `protokol_core::public`): written here, in the transaction of
//! every change that affects what the public may see, and read by every public surface with
//! bounded, indexed queries whose cost does not grow with the archive.

use chrono::{Datelike, NaiveDate};
use protokol_core::danish::slug;
use protokol_core::exchange::parse_meeting;
use protokol_core::public::{
    CorrectionInput, EditionInput, PublicFile, PublicRecord, name_key, record_for,
};
use protokol_core::{
    BodyCode, Meeting, MeetingId, MeetingKind, MeetingStatus, PublicationKind, Viewer,
};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::bodies::body_by_code;
use crate::codec::{date, date_text, now};
use crate::read::load_meeting;
use crate::{Result, Store, StoreError};

/// A public meeting in a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicSummary {
    pub id: MeetingId,
    pub body_code: BodyCode,
    pub body_name: String,
    pub body_slug: String,
    pub date: NaiveDate,
    pub kind: MeetingKind,
    pub status: Option<MeetingStatus>,
    pub items: i64,
    pub titles: Vec<String>,
}

/// A public meeting with its record.
#[derive(Clone, Debug, PartialEq)]
pub struct PublicMeeting {
    pub summary: PublicSummary,
    pub record: PublicRecord,
    /// Changes whenever the record changes.
    pub etag: String,
}

/// An earlier public meeting whose item (or sub-point) names a later meeting as where its
/// matter goes next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub body_name: String,
    pub body_slug: String,
    pub date: NaiveDate,
    pub item: Option<u32>,
    pub title: String,
}

/// Where a public item's matter goes next, with the public meeting there if it exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Onward {
    pub item: Option<u32>,
    pub title: String,
    pub body: String,
    pub date: NaiveDate,
    /// (body slug, date) of the public meeting at that body and date, if there is one.
    pub meeting: Option<(String, NaiveDate)>,
}

/// A body with public meetings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicBody {
    pub code: BodyCode,
    pub name: String,
    pub slug: String,
    pub meetings: i64,
}

pub(crate) const SUMMARY_COLUMNS: &str =
    "meeting_id, body_code, body_name, body_slug, meeting_date, kind, status, item_count, titles";

pub(crate) fn summary_from(r: &sqlx::any::AnyRow) -> Result<PublicSummary> {
    let id: String = r.try_get("meeting_id")?;
    let code: String = r.try_get("body_code")?;
    let kind: String = r.try_get("kind")?;
    let status: Option<String> = r.try_get("status")?;
    let titles: String = r.try_get("titles")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("public_meetings.{what}"));
    Ok(PublicSummary {
        id: id.parse().map_err(|_| corrupt("meeting_id"))?,
        body_code: code.parse().map_err(|_| corrupt("body_code"))?,
        body_name: r.try_get("body_name")?,
        body_slug: r.try_get("body_slug")?,
        date: date(&r.try_get::<String, _>("meeting_date")?)?,
        kind: MeetingKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
        status: status
            .map(|s| MeetingStatus::parse(&s).ok_or_else(|| corrupt("status")))
            .transpose()?,
        items: r.try_get("item_count")?,
        titles: serde_json::from_str(&titles).map_err(|_| corrupt("titles"))?,
    })
}

/// A public meeting from a row with the summary columns, `record` and `etag`.
pub(crate) fn public_meeting_from(r: &sqlx::any::AnyRow) -> Result<PublicMeeting> {
    let record: String = r.try_get("record")?;
    Ok(PublicMeeting {
        summary: summary_from(r)?,
        record: serde_json::from_str(&record)
            .map_err(|e| StoreError::Corrupt(format!("public_meetings.record: {e}")))?,
        etag: r.try_get("etag")?,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the links of meeting `id` point: (body key, date).
async fn link_targets(conn: &mut AnyConnection, id: &str) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT to_body_key, to_date FROM public_links WHERE from_meeting = $1")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("to_body_key")?, r.try_get("to_date")?)))
        .collect()
}

/// Sets the `inbound` version of the public meeting at (body key, date), if there is one,
/// from the links that point to it.
async fn mark_inbound(conn: &mut AnyConnection, body_key: &str, on: &str) -> Result<()> {
    let rows = sqlx::query(
        "SELECT from_meeting, position, title, kind FROM public_links
         WHERE to_body_key = $1 AND to_date = $2 ORDER BY from_meeting, position",
    )
    .bind(body_key)
    .bind(on)
    .fetch_all(&mut *conn)
    .await?;
    let mut h = Sha256::new();
    for r in &rows {
        for column in ["from_meeting", "title", "kind"] {
            h.update(r.try_get::<String, _>(column)?.as_bytes());
            h.update([0]);
        }
        h.update(r.try_get::<i64, _>("position")?.to_le_bytes());
    }
    // The cases its items follow through next steps (their pages link to them).
    let chains = sqlx::query(
        "SELECT c.position, c.case_key FROM public_case_items c
         JOIN public_meetings p ON p.meeting_id = c.meeting_id
         WHERE p.body_key = $1 AND p.meeting_date = $2 AND c.case_key LIKE $3
         ORDER BY c.meeting_id, c.position",
    )
    .bind(body_key)
    .bind(on)
    .bind(format!("{}%", crate::open_data::CHAIN_PREFIX))
    .fetch_all(&mut *conn)
    .await?;
    for r in &chains {
        h.update(r.try_get::<String, _>("case_key")?.as_bytes());
        h.update(r.try_get::<i64, _>("position")?.to_le_bytes());
    }
    let inbound = if rows.is_empty() && chains.is_empty() {
        String::new()
    } else {
        hex(&h.finalize()[..8])
    };
    sqlx::query(
        "UPDATE public_meetings SET inbound = $1 WHERE body_key = $2 AND meeting_date = $3",
    )
    .bind(inbound)
    .bind(body_key)
    .bind(on)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Recounts the public meetings of a body in one year.
async fn recount_year(conn: &mut AnyConnection, body: &str, year: i32) -> Result<()> {
    sqlx::query("DELETE FROM public_years WHERE body_code = $1 AND year = $2")
        .bind(body)
        .bind(i64::from(year))
        .execute(&mut *conn)
        .await?;
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM public_meetings
         WHERE body_code = $1 AND meeting_date >= $2 AND meeting_date <= $3",
    )
    .bind(body)
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{year:04}-12-31"))
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    if n > 0 {
        sqlx::query("INSERT INTO public_years (body_code, year, meetings) VALUES ($1, $2, $3)")
            .bind(body)
            .bind(i64::from(year))
            .bind(n)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Derives the public record of meeting `id` from what is stored and writes it (or removes
/// it, for a meeting the public may not see or one that no longer exists), inside the
/// caller's transaction: the change and its public record commit together or not at all.
pub(crate) async fn refresh(conn: &mut AnyConnection, id: &str) -> Result<()> {
    // Where it was listed before, to recount that year; and since when and in which
    // version, so that harvesters see it as changed only when its record changed.
    let listed = sqlx::query(
        "SELECT body_code, meeting_date, created_at, updated_at, etag FROM public_meetings
         WHERE meeting_id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| -> Result<((String, NaiveDate), Stamps)> {
        Ok((
            (
                r.try_get("body_code")?,
                date(&r.try_get::<String, _>("meeting_date")?)?,
            ),
            Stamps {
                created: r.try_get("created_at")?,
                updated: r.try_get("updated_at")?,
                etag: r.try_get("etag")?,
            },
        ))
    })
    .transpose()?;
    let (before, stamps) = listed.unzip();
    // The cases it was a treatment of (their rows are recounted after the change).
    let mut cases = crate::open_data::case_keys_of(conn, id).await?;
    // The meetings its links pointed to before (their "Tidligere behandling" may change).
    let mut targets = link_targets(conn, id).await?;
    for table in [
        "public_meetings",
        "public_case_items",
        "public_links",
        "public_files",
        "rendered_documents",
    ] {
        let column = if table == "public_links" {
            "from_meeting"
        } else {
            "meeting_id"
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE {column} = $1"
        )))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    let record = match load_meeting(&mut *conn, id).await? {
        Some((stored, _)) => derive(conn, &Viewer::Public, id, &stored).await?,
        None => None,
    };
    if let Some((record, files)) = &record {
        write(conn, id, record, files, stamps.as_ref()).await?;
        targets.extend(link_targets(conn, id).await?);
        let m = &record.meeting;
        targets.push((name_key(&m.body.name), date_text(m.date)));
    }
    targets.sort();
    targets.dedup();
    // Items of the meetings it leads to may follow its items into their cases (and those
    // meetings' pages link to the cases).
    let (touched, relinked) = crate::open_data::relink_cases(conn, id, &targets).await?;
    cases.extend(touched);
    targets.extend(relinked);
    targets.sort();
    targets.dedup();
    for (body_key, on) in &targets {
        mark_inbound(conn, body_key, on).await?;
    }
    sqlx::query("UPDATE public_state SET version = version + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    crate::search_feed::note_change(conn, id).await?;
    crate::open_data::note_presence(conn, id, before.as_ref(), stamps.as_ref(), record.is_some())
        .await?;
    cases.extend(crate::open_data::case_keys_of(conn, id).await?);
    crate::open_data::recount_cases(conn, cases).await?;
    if let Some((body, d)) = &before {
        recount_year(conn, body, d.year()).await?;
    }
    if let Some((r, _)) = &record {
        let m = &r.meeting;
        if before.as_ref() != Some(&(m.body.code.to_string(), m.date)) {
            recount_year(conn, m.body.code.as_str(), m.date.year()).await?;
        }
    }
    Ok(())
}

/// The record of `stored` as `viewer` reads it (see `protokol_core::public::record_for`).
async fn derive(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    id: &str,
    stored: &Meeting,
) -> Result<Option<(PublicRecord, Vec<PublicFile>)>> {
    if !viewer.sees_meeting(&stored.body.code, stored.status) {
        return Ok(None);
    }
    let settings = body_by_code(&mut *conn, &stored.body.code)
        .await?
        .map(|b| b.settings)
        .unwrap_or_default();
    let mut editions = Vec::new();
    for r in sqlx::query(
        "SELECT kind, published_at, meeting_json FROM publications WHERE meeting_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        let kind: String = r.try_get("kind")?;
        let json: String = r.try_get("meeting_json")?;
        editions.push((
            PublicationKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("edition kind {kind:?}")))?,
            r.try_get::<String, _>("published_at")?,
            parse_meeting(&json)
                .map_err(|e| StoreError::Corrupt(format!("stored edition: {e}")))?,
        ));
    }
    let mut corrections = Vec::new();
    if stored.status == Some(MeetingStatus::MinutesApproved) {
        for r in sqlx::query(
            "SELECT added_at, item_number, text FROM corrections WHERE meeting_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        {
            let n: Option<i64> = r.try_get("item_number")?;
            corrections.push((
                r.try_get::<String, _>("added_at")?,
                n.and_then(|n| u32::try_from(n).ok()),
                r.try_get::<String, _>("text")?,
            ));
        }
    }
    let editions: Vec<EditionInput<'_>> = editions
        .iter()
        .map(|(kind, at, m)| EditionInput {
            kind: *kind,
            published_at: at,
            meeting: m,
        })
        .collect();
    let corrections: Vec<CorrectionInput<'_>> = corrections
        .iter()
        .map(|(at, n, text)| CorrectionInput {
            added_at: at,
            item_number: *n,
            text,
        })
        .collect();
    Ok(record_for(
        viewer,
        stored,
        &editions,
        &corrections,
        &settings,
    ))
}

/// When a public meeting entered the published record, when its record last changed, and
/// that record's version.
pub(crate) struct Stamps {
    pub(crate) created: String,
    pub(crate) updated: String,
    pub(crate) etag: String,
}

async fn write(
    conn: &mut AnyConnection,
    id: &str,
    record: &PublicRecord,
    files: &[PublicFile],
    before: Option<&Stamps>,
) -> Result<()> {
    let m = &record.meeting;
    let json = serde_json::to_string(record)
        .map_err(|e| StoreError::Corrupt(format!("public record: {e}")))?;
    let etag = hex(&Sha256::digest(json.as_bytes())[..12]);
    let at = now();
    let created = before.map_or(at.as_str(), |b| b.created.as_str());
    // A record derived again unchanged keeps its instant: harvests fetch only what changed.
    let updated = match before {
        Some(b) if b.etag == etag => b.updated.as_str(),
        _ => at.as_str(),
    };
    let titles = serde_json::to_string(&record.titles())
        .map_err(|e| StoreError::Corrupt(format!("public titles: {e}")))?;
    sqlx::query(
        "INSERT INTO public_meetings (meeting_id, body_code, body_name, body_key, body_slug,
         meeting_date, kind, status, edition, item_count, titles, record, etag, updated_at,
         created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(id)
    .bind(m.body.code.as_str())
    .bind(m.body.name.as_str())
    .bind(name_key(&m.body.name))
    .bind(slug(&m.body.name))
    .bind(date_text(m.date))
    .bind(m.kind.as_str())
    .bind(m.status.map(|s| s.as_str()))
    .bind(record.edition)
    .bind(i64::try_from(m.items.len()).unwrap_or(i64::MAX))
    .bind(titles)
    .bind(json)
    .bind(etag)
    .bind(updated)
    .bind(created)
    .execute(&mut *conn)
    .await?;
    crate::open_data::write_case_items(conn, id, record).await?;
    let mut links = crate::bulk::Rows::new(
        "public_links",
        &[
            "from_meeting",
            "position",
            "from_item",
            "title",
            "title_key",
            "to_body_key",
            "to_date",
            "kind",
        ],
    );
    for (pos, n) in record.next.iter().enumerate() {
        links.push(vec![
            id.into(),
            i64::try_from(pos).unwrap_or(i64::MAX).into(),
            n.item.map(i64::from).into(),
            n.title.as_str().into(),
            name_key(&n.title).into(),
            name_key(&n.body).into(),
            date_text(n.date).into(),
            n.kind.as_str().into(),
        ]);
    }
    links.flush(conn).await?;
    let mut rows = crate::bulk::Rows::new(
        "public_files",
        &[
            "meeting_id",
            "item_number",
            "attachment_number",
            "title",
            "file_name",
            "media_type",
            "sha256",
            "text",
        ],
    );
    for f in files {
        rows.push(vec![
            id.into(),
            i64::from(f.item).into(),
            i64::from(f.attachment).into(),
            f.title.as_str().into(),
            f.name.as_str().into(),
            f.media_type.as_str().into(),
            f.sha256.as_deref().into(),
            f.text.as_deref().into(),
        ]);
    }
    rows.flush(conn).await?;
    Ok(())
}

/// A public attachment's file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicFileRow {
    pub name: String,
    pub media_type: String,
    pub sha256: Option<String>,
    pub text: Option<String>,
}

/// Derives again the public record of a body's meetings that depends on its settings
/// (those with closed attachments or closed items printing a case number: the settings
/// say whether those titles and numbers are public).
pub(crate) async fn refresh_for_settings(conn: &mut AnyConnection, body: &BodyCode) -> Result<()> {
    let ids: Vec<String> = sqlx::query(
        "SELECT m.id FROM meetings m JOIN bodies b ON b.id = m.body_id
         JOIN items i ON i.meeting_id = m.id JOIN attachments a ON a.item_id = i.id
         WHERE b.code = $1 AND a.access = 'closed'
         UNION
         SELECT m.id FROM meetings m JOIN bodies b ON b.id = m.body_id
         JOIN items i ON i.meeting_id = m.id
         WHERE b.code = $1 AND i.access = 'closed' AND i.case_number IS NOT NULL",
    )
    .bind(body.as_str())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect::<std::result::Result<_, _>>()?;
    for id in ids {
        refresh(conn, &id).await?;
    }
    Ok(())
}

/// A meeting as someone who may see its closed content reads it: as stored, with its
/// version (for forms), and its record as that viewer reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveMeeting {
    pub meeting: Meeting,
    pub version: i64,
    pub record: PublicRecord,
}

/// What identifies the current version of a public meeting's pages: the record's version
/// and that of the links pointing to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicHead {
    pub id: MeetingId,
    pub etag: String,
    pub inbound: String,
}

impl Store {
    /// The current version of the public meeting at `body_slug` and `on`, without its
    /// record: enough to answer from a cache of its pages.
    pub async fn public_head(&self, body_slug: &str, on: NaiveDate) -> Result<Option<PublicHead>> {
        let row = sqlx::query(
            "SELECT meeting_id, etag, inbound FROM public_meetings
             WHERE body_slug = $1 AND meeting_date = $2",
        )
        .bind(body_slug)
        .bind(date_text(on))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let id: String = r.try_get("meeting_id")?;
            Ok(PublicHead {
                id: id
                    .parse()
                    .map_err(|_| StoreError::Corrupt("public_meetings.meeting_id".into()))?,
                etag: r.try_get("etag")?,
                inbound: r.try_get("inbound")?,
            })
        })
        .transpose()
    }

    /// The published record's version: moves on with every change to it.
    pub async fn public_version(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT version FROM public_state WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get("version")?)
    }

    /// The meeting of a body on a date as `viewer` reads it live (members and secretaries:
    /// unpublished edits and closed content included), or `None` if the viewer may not see
    /// it. One meeting's rows: no scan of the archive.
    pub async fn live_meeting(
        &self,
        viewer: &Viewer,
        body: &BodyCode,
        on: NaiveDate,
    ) -> Result<Option<LiveMeeting>> {
        let mut conn = self.pool.acquire().await?;
        let Some((meeting, version)) = crate::read::load_meeting_on(&mut conn, body, on).await?
        else {
            return Ok(None);
        };
        let id = meeting.id.map(|i| i.to_string()).unwrap_or_default();
        Ok(derive(&mut conn, viewer, &id, &meeting)
            .await?
            .map(|(record, _)| LiveMeeting {
                meeting,
                version,
                record,
            }))
    }

    /// The public meeting of the body with address segment `body_slug` on `date`.
    pub async fn public_meeting(
        &self,
        body_slug: &str,
        on: NaiveDate,
    ) -> Result<Option<PublicMeeting>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS}, record, etag FROM public_meetings
             WHERE body_slug = $1 AND meeting_date = $2"
        )))
        .bind(body_slug)
        .bind(date_text(on))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(public_meeting_from).transpose()
    }

    /// The newest public meetings of a body, at most `limit`.
    pub async fn public_newest(&self, body: &BodyCode, limit: i64) -> Result<Vec<PublicSummary>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS} FROM public_meetings WHERE body_code = $1
             ORDER BY meeting_date DESC LIMIT $2"
        )))
        .bind(body.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from).collect()
    }

    /// The public meetings of a body in one year, newest first.
    pub async fn public_in_year(&self, body: &BodyCode, year: i32) -> Result<Vec<PublicSummary>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS} FROM public_meetings
             WHERE body_code = $1 AND meeting_date >= $2 AND meeting_date <= $3
             ORDER BY meeting_date DESC"
        )))
        .bind(body.as_str())
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{year:04}-12-31"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from).collect()
    }

    /// The years in which a body has public meetings, newest first, with how many.
    pub async fn public_years(&self, body: &BodyCode) -> Result<Vec<(i32, i64)>> {
        let rows = sqlx::query(
            "SELECT year, meetings FROM public_years WHERE body_code = $1 ORDER BY year DESC",
        )
        .bind(body.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let y: i64 = r.try_get("year")?;
                Ok((i32::try_from(y).unwrap_or(0), r.try_get("meetings")?))
            })
            .collect()
    }

    /// The bodies with public meetings, by name, with how many each has.
    pub async fn public_bodies(&self) -> Result<Vec<PublicBody>> {
        let rows = sqlx::query(
            "SELECT b.code, b.name, CAST(SUM(y.meetings) AS BIGINT) AS meetings FROM public_years y
             JOIN bodies b ON b.code = y.body_code GROUP BY b.code, b.name ORDER BY b.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("code")?;
                let name: String = r.try_get("name")?;
                Ok(PublicBody {
                    code: code
                        .parse()
                        .map_err(|_| StoreError::Corrupt("bodies.code".into()))?,
                    slug: slug(&name),
                    name,
                    meetings: r.try_get("meetings")?,
                })
            })
            .collect()
    }

    /// Public meetings on or after `from`, soonest first, at most `limit` (what is coming).
    pub async fn public_upcoming(&self, from: NaiveDate, limit: i64) -> Result<Vec<PublicSummary>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS} FROM public_meetings WHERE meeting_date >= $1
             ORDER BY meeting_date, body_name LIMIT $2"
        )))
        .bind(date_text(from))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from).collect()
    }

    /// Public meetings before `before`, newest first, at most `limit` (what was decided).
    pub async fn public_latest(&self, before: NaiveDate, limit: i64) -> Result<Vec<PublicSummary>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS} FROM public_meetings WHERE meeting_date < $1
             ORDER BY meeting_date DESC, body_name LIMIT $2"
        )))
        .bind(date_text(before))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from).collect()
    }

    /// Earlier public meetings whose matters go next to the body named `body_name` on
    /// `on`, whatever item or title (the caller matches titles). Bounded by what names that
    /// one meeting.
    pub async fn public_origins(&self, body_name: &str, on: NaiveDate) -> Result<Vec<Origin>> {
        let rows = sqlx::query(
            "SELECT p.body_name, p.body_slug, p.meeting_date, l.from_item, l.title
             FROM public_links l JOIN public_meetings p ON p.meeting_id = l.from_meeting
             WHERE l.to_body_key = $1 AND l.to_date = $2 AND p.meeting_date < $2
             ORDER BY p.meeting_date DESC, l.position LIMIT 200",
        )
        .bind(name_key(body_name))
        .bind(date_text(on))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let item: Option<i64> = r.try_get("from_item")?;
                Ok(Origin {
                    body_name: r.try_get("body_name")?,
                    body_slug: r.try_get("body_slug")?,
                    date: date(&r.try_get::<String, _>("meeting_date")?)?,
                    item: item.and_then(|n| u32::try_from(n).ok()),
                    title: r.try_get("title")?,
                })
            })
            .collect()
    }

    /// Where the public items of meeting `id` go next, each with the public meeting at that
    /// body and date where there is one.
    pub async fn public_onward(&self, id: MeetingId) -> Result<Vec<Onward>> {
        let rows = sqlx::query(
            "SELECT l.from_item, l.title, l.to_date, l.to_body_key, p.body_name, p.body_slug,
             p.meeting_date
             FROM public_links l LEFT JOIN public_meetings p
               ON p.body_key = l.to_body_key AND p.meeting_date = l.to_date
             WHERE l.from_meeting = $1 ORDER BY l.position LIMIT 200",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let item: Option<i64> = r.try_get("from_item")?;
                let to = date(&r.try_get::<String, _>("to_date")?)?;
                let name: Option<String> = r.try_get("body_name")?;
                let slug_: Option<String> = r.try_get("body_slug")?;
                Ok(Onward {
                    item: item.and_then(|n| u32::try_from(n).ok()),
                    title: r.try_get("title")?,
                    body: name
                        .clone()
                        .unwrap_or_else(|| r.try_get("to_body_key").unwrap_or_default()),
                    date: to,
                    meeting: slug_.map(|s| (s, to)),
                })
            })
            .collect()
    }

    /// The file of public attachment `attachment` of item `item` of meeting `id`.
    pub async fn public_file(
        &self,
        id: MeetingId,
        item: u32,
        attachment: u32,
    ) -> Result<Option<PublicFileRow>> {
        let row = sqlx::query(
            "SELECT file_name, media_type, sha256, text FROM public_files
             WHERE meeting_id = $1 AND item_number = $2 AND attachment_number = $3",
        )
        .bind(id.to_string())
        .bind(i64::from(item))
        .bind(i64::from(attachment))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(PublicFileRow {
                name: r.try_get("file_name")?,
                media_type: r.try_get("media_type")?,
                sha256: r.try_get("sha256")?,
                text: r.try_get("text")?,
            })
        })
        .transpose()
    }

    /// Public meetings in a stable order (by id), `limit` at a time after `after`: for
    /// exports that walk the whole published record without holding it in memory.
    pub async fn public_meetings_after(
        &self,
        after: Option<MeetingId>,
        limit: i64,
    ) -> Result<Vec<PublicMeeting>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS}, record, etag FROM public_meetings
             WHERE meeting_id > $1 ORDER BY meeting_id LIMIT $2"
        )))
        .bind(after.map(|a| a.to_string()).unwrap_or_default())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let record: String = r.try_get("record")?;
                Ok(PublicMeeting {
                    summary: summary_from(r)?,
                    record: serde_json::from_str(&record)
                        .map_err(|e| StoreError::Corrupt(format!("public_meetings.record: {e}")))?,
                    etag: r.try_get("etag")?,
                })
            })
            .collect()
    }

    /// The public meeting `id` as the public may have it whole: its record's meeting with
    /// the texts of its public attachments put back.
    pub async fn public_meeting_with_texts(&self, p: &PublicMeeting) -> Result<Meeting> {
        let mut m = p.record.meeting.clone();
        let rows = sqlx::query(
            "SELECT item_number, attachment_number, text FROM public_files
             WHERE meeting_id = $1 AND text IS NOT NULL",
        )
        .bind(p.summary.id.to_string())
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            let (item, number): (i64, i64) =
                (r.try_get("item_number")?, r.try_get("attachment_number")?);
            let text: String = r.try_get("text")?;
            let (Ok(item), Ok(number)) = (u32::try_from(item), u32::try_from(number)) else {
                continue;
            };
            if let Some(file) = m.attachment_mut(item, number).and_then(|a| a.file.as_mut()) {
                file.text = Some(text.into());
            }
        }
        Ok(m)
    }

    /// A public document as laid out before for this version of the record.
    pub async fn rendered(
        &self,
        id: MeetingId,
        variant: &str,
        etag: &str,
    ) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query(
            "SELECT bytes FROM rendered_documents WHERE meeting_id = $1 AND variant = $2 AND etag = $3",
        )
        .bind(id.to_string())
        .bind(variant)
        .bind(etag)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get::<Vec<u8>, _>("bytes")).transpose()?)
    }

    /// Keeps a public document as laid out for this version of the record (another node may
    /// have stored it meanwhile: then nothing happens).
    pub async fn keep_rendered(
        &self,
        id: MeetingId,
        variant: &str,
        etag: &str,
        bytes: &[u8],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let current =
            sqlx::query("SELECT 1 AS one FROM public_meetings WHERE meeting_id = $1 AND etag = $2")
                .bind(id.to_string())
                .bind(etag)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
        let known = sqlx::query(
            "SELECT 1 AS one FROM rendered_documents WHERE meeting_id = $1 AND variant = $2 AND etag = $3",
        )
        .bind(id.to_string())
        .bind(variant)
        .bind(etag)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        // Only for the record as it stands: a late render of an older version is dropped.
        if current && !known {
            sqlx::query(
                "INSERT INTO rendered_documents (meeting_id, variant, etag, bytes, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(id.to_string())
            .bind(variant)
            .bind(etag)
            .bind(bytes.to_vec())
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Derives the public record of every meeting again (after an upgrade, or to repair
    /// it), a batch of meetings per transaction; `progress` hears how many are done.
    /// Idempotent: a record that was right is written again the same.
    pub async fn republish(&self, mut progress: impl FnMut(usize, usize)) -> Result<usize> {
        let ids: Vec<String> = sqlx::query("SELECT id FROM meetings ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?;
        let total = ids.len();
        let mut done = 0;
        for chunk in ids.chunks(200) {
            let mut tx = self.begin_write().await?;
            for id in chunk {
                refresh(&mut tx, id).await?;
            }
            tx.commit().await?;
            done += chunk.len();
            progress(done, total);
        }
        // Records whose meetings are gone.
        let orphans: Vec<String> = sqlx::query(
            "SELECT meeting_id FROM public_meetings WHERE meeting_id NOT IN (SELECT id FROM meetings)",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get("meeting_id"))
        .collect::<std::result::Result<_, _>>()?;
        let mut tx = self.begin_write().await?;
        for id in orphans {
            refresh(&mut tx, &id).await?;
        }
        tx.commit().await?;
        Ok(total)
    }
}
