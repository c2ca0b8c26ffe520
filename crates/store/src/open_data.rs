//! The published record as open data: meetings in the order they changed (with tombstones
//! for those that left the record), the public attachments' files with their sizes, cases
//! (the public items that print the same case number) and date ranges for bulk export.
//!
//! Everything here reads the public tables only (see `crate::public`), so nothing closed
//! can reach the API, feeds or exports built on it. Every read is a keyset walk of an index
//! with a limit: a harvest of the whole archive costs the same per page at any size.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use protokol_core::danish::slug;
use protokol_core::public::{PublicRecord, case_key, decides, item_key, name_key};
use protokol_core::{BodyCode, Item, MeetingId};
use sqlx::{AnyConnection, Row};

use crate::codec::{date_text, now};
use crate::public::{PublicMeeting, SUMMARY_COLUMNS, Stamps, public_meeting_from};
use crate::{Result, Store, StoreError};

/// Limits on when objects were created and last modified (all optional, inclusive).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub created_since: Option<DateTime<Utc>>,
    pub created_until: Option<DateTime<Utc>>,
    pub modified_since: Option<DateTime<Utc>>,
    pub modified_until: Option<DateTime<Utc>>,
}

/// Where a walk in change order stands: the last instant and id seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub modified: String,
    pub id: String,
}

/// A meeting as the open-data API lists it: in the published record, or gone from it.
#[derive(Clone, Debug, PartialEq)]
pub enum OpenMeeting {
    Live {
        meeting: Box<PublicMeeting>,
        /// When it entered the published record and when its record last changed (RFC 3339).
        created: String,
        modified: String,
    },
    Gone {
        id: MeetingId,
        body_code: BodyCode,
        /// When it was to be held.
        date: NaiveDate,
        created: String,
        deleted: String,
    },
}

impl OpenMeeting {
    pub fn id(&self) -> MeetingId {
        match self {
            OpenMeeting::Live { meeting, .. } => meeting.summary.id,
            OpenMeeting::Gone { id, .. } => *id,
        }
    }
}

/// A meeting's place in a walk in change order, read without its record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingHead {
    pub id: MeetingId,
    pub body_code: BodyCode,
    /// The version of its public record; `None` for a meeting that left the record.
    pub etag: Option<String>,
    /// When it entered the published record (RFC 3339).
    pub created: String,
    /// When its record last changed, or when it left the record (RFC 3339).
    pub changed: String,
}

impl MeetingHead {
    /// The cursor that continues a walk after this meeting.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            modified: self.changed.clone(),
            id: self.id.to_string(),
        }
    }
}

/// An object derived from a public meeting's record and kept with it (see
/// [`Store::kept_objects`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptObject {
    pub id: MeetingId,
    /// What it is and what else it was made from (the record aside).
    pub variant: String,
    /// The version of the record it was made from.
    pub etag: String,
    pub bytes: Vec<u8>,
}

/// A public attachment's file, without its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenFile {
    pub meeting_id: MeetingId,
    pub item: u32,
    pub attachment: u32,
    pub title: String,
    pub name: String,
    pub media_type: String,
    pub sha256: Option<String>,
    pub sha512: Option<String>,
    /// In bytes, when the file itself is stored.
    pub size: Option<i64>,
}

/// A case in a walk in change order: when it first appeared and last changed, and how many
/// public treatments it has (none: it left the record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseHead {
    pub key: String,
    pub created: String,
    pub changed: String,
    pub treatments: i64,
}

impl CaseHead {
    /// The cursor that continues a walk after this case.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            modified: self.changed.clone(),
            id: self.key.clone(),
        }
    }
}

/// One public treatment of a case as a case's list shows it (read without the record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseStep {
    pub case_key: String,
    /// As printed.
    pub case_number: String,
    pub meeting_id: MeetingId,
    pub body_code: BodyCode,
    pub date: NaiveDate,
    /// The item's key in the API's addresses and its title.
    pub item_key: String,
    pub title: String,
    /// Whether the body decides the matter there.
    pub authoritative: bool,
    /// The meeting's instants (RFC 3339).
    pub created: String,
    pub modified: String,
}

/// One public treatment of a case: the item at `position` of a public meeting.
#[derive(Clone, Debug, PartialEq)]
pub struct Treatment {
    pub case_number: String,
    pub position: usize,
    pub meeting: PublicMeeting,
    pub created: String,
    pub modified: String,
}

/// A closed item printing a case number, as stored: for members of its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedTreatment {
    pub body_code: BodyCode,
    pub body_name: String,
    pub date: NaiveDate,
    pub number: Option<u32>,
    pub title: String,
    pub decision: Option<String>,
    /// As printed.
    pub case_number: String,
}

/// How many treatments of one case are read at most (a case is treated a handful of times).
pub const MAX_TREATMENTS: i64 = 500;

/// Records, inside the caller's transaction, whether meeting `id` is in the published
/// record: one that left it (`was` listed, no longer public) gets a tombstone, one that
/// is public loses any.
pub(crate) async fn note_presence(
    conn: &mut AnyConnection,
    id: &str,
    was: Option<&(String, NaiveDate)>,
    stamps: Option<&Stamps>,
    public: bool,
) -> Result<()> {
    sqlx::query("DELETE FROM public_tombstones WHERE meeting_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if let (false, Some((body, on)), Some(stamps)) = (public, was, stamps) {
        sqlx::query(
            "INSERT INTO public_tombstones (meeting_id, body_code, meeting_date, created_at,
             deleted_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(body.as_str())
        .bind(date_text(*on))
        .bind(stamps.created.as_str())
        .bind(now())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The key of a case without a printed number that starts at an item (its next steps lead
/// on to other meetings): "forloeb-kb-2024-06-18-3".
pub fn chain_key(body: &BodyCode, date: NaiveDate, item: &Item, position: usize) -> String {
    let n = item
        .number
        .map_or_else(|| format!("p{}", position + 1), |n| n.to_string());
    format!(
        "{CHAIN_PREFIX}{}-{}-{n}",
        slug(body.as_str()),
        date_text(date)
    )
}

/// Case keys that start so follow an item through its next steps (no printed number); no
/// LIKE wildcard in it.
pub const CHAIN_PREFIX: &str = "forloeb-";

/// Writes, inside the caller's transaction, the cases of meeting `id`'s public items with
/// what a case's consultations show of each: an item printing a case number belongs to
/// that case; one printing none belongs to the case of the earlier public item whose next
/// step names this meeting and this item's title, else (if its own next steps lead on) it
/// starts a case of its own. Returns the keys written.
pub(crate) async fn write_case_items(
    conn: &mut AnyConnection,
    id: &str,
    record: &PublicRecord,
) -> Result<Vec<String>> {
    let m = &record.meeting;
    // The earlier public items whose matters come here, by title, with their cases.
    let mut origins: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for r in sqlx::query(
        "SELECT l.title_key, c.case_key FROM public_links l
         JOIN public_case_items c ON c.meeting_id = l.from_meeting AND c.item_number = l.from_item
         WHERE l.to_body_key = $1 AND l.to_date = $2 AND l.from_meeting <> $3
         ORDER BY l.from_meeting, l.position LIMIT 500",
    )
    .bind(name_key(&m.body.name))
    .bind(date_text(m.date))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        let title: String = r.try_get("title_key")?;
        origins.entry(title).or_insert(r.try_get("case_key")?);
    }
    let mut rows = crate::bulk::Rows::new(
        "public_case_items",
        &[
            "case_key",
            "case_number",
            "meeting_id",
            "position",
            "item_number",
            "meeting_date",
            "body_code",
            "item_key",
            "title",
            "authoritative",
        ],
    );
    let mut seen = std::collections::HashSet::new();
    let mut keys = Vec::new();
    for (position, item) in m.items.iter().enumerate() {
        let printed = item
            .case_number
            .as_deref()
            .and_then(|n| Some((case_key(n)?, n.trim().to_string())));
        let (key, number) = match printed {
            Some(p) => p,
            None if item.access.is_closed() => continue,
            None => match origins.get(&name_key(&item.title)) {
                Some(key) => (key.clone(), String::new()),
                None if !item.next.is_empty() => (
                    chain_key(&m.body.code, m.date, item, position),
                    String::new(),
                ),
                None => continue,
            },
        };
        if !seen.insert((key.clone(), position)) {
            continue;
        }
        keys.push(key.clone());
        rows.push(vec![
            key.into(),
            number.into(),
            id.into(),
            i64::try_from(position).unwrap_or(i64::MAX).into(),
            item.number.map(i64::from).into(),
            date_text(m.date).into(),
            m.body.code.as_str().into(),
            item_key(item, position).into(),
            item.title.as_str().into(),
            i64::from(decides(item)).into(),
        ]);
    }
    rows.flush(conn).await?;
    Ok(keys)
}

/// How many meetings (body and date) a change visits at most when the cases of the
/// meetings it leads to are written again.
const MAX_CHAIN: usize = 32;

/// Writes again (inside the caller's transaction) the cases of the public meetings at
/// `targets` (body key, date) and, in turn, of the meetings their next steps lead to:
/// after meeting `changed` changed, items that follow it may belong to another case. Returns the
/// case keys touched (before and after) and the meetings (body key, date) whose items
/// changed case.
pub(crate) async fn relink_cases(
    conn: &mut AnyConnection,
    changed: &str,
    targets: &[(String, String)],
) -> Result<(Vec<String>, Vec<(String, String)>)> {
    let mut touched = Vec::new();
    let mut relinked = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut queue: std::collections::VecDeque<(String, String)> = targets.iter().cloned().collect();
    while let Some((body_key, on)) = queue.pop_front() {
        if seen.len() >= MAX_CHAIN || !seen.insert((body_key.clone(), on.clone())) {
            continue;
        }
        let found = sqlx::query(
            "SELECT meeting_id, record FROM public_meetings WHERE body_key = $1 AND meeting_date = $2",
        )
        .bind(&body_key)
        .bind(&on)
        .fetch_all(&mut *conn)
        .await?;
        for r in found {
            let id: String = r.try_get("meeting_id")?;
            if id == changed {
                continue;
            }
            let json: String = r.try_get("record")?;
            let record: PublicRecord = serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("public_meetings.record: {e}")))?;
            let before: BTreeSet<String> = case_keys_of(conn, &id).await?.into_iter().collect();
            sqlx::query("DELETE FROM public_case_items WHERE meeting_id = $1")
                .bind(&id)
                .execute(&mut *conn)
                .await?;
            let after: BTreeSet<String> = write_case_items(conn, &id, &record)
                .await?
                .into_iter()
                .collect();
            if before != after {
                // Its items changed case: its page links change, and so may the cases of
                // the meetings it leads to.
                relinked.push((body_key.clone(), on.clone()));
                queue.extend(
                    record
                        .next
                        .iter()
                        .map(|n| (name_key(&n.body), date_text(n.date))),
                );
            }
            touched.extend(before.into_iter().chain(after));
        }
    }
    Ok((touched, relinked))
}

/// The case keys meeting `id`'s public items print (inside the caller's transaction).
pub(crate) async fn case_keys_of(conn: &mut AnyConnection, id: &str) -> Result<Vec<String>> {
    sqlx::query("SELECT DISTINCT case_key FROM public_case_items WHERE meeting_id = $1")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok(r.try_get("case_key")?))
        .collect()
}

/// Brings the rows of the cases `keys` up to date with their treatments (inside the
/// caller's transaction): when each first appeared, when it last changed (a treatment's
/// record changed, or one was added or left: then now) and how many treatments it has (none:
/// a tombstone). A case none of whose treatments changed is left as it was, so a harvest
/// asking what changed does not see it.
pub(crate) async fn recount_cases(conn: &mut AnyConnection, mut keys: Vec<String>) -> Result<()> {
    keys.sort();
    keys.dedup();
    for key in &keys {
        let row = sqlx::query(
            "SELECT MIN(p.created_at) AS created, MAX(p.updated_at) AS updated,
                    COUNT(*) AS treatments
             FROM public_case_items c JOIN public_meetings p ON p.meeting_id = c.meeting_id
             WHERE c.case_key = $1",
        )
        .bind(key)
        .fetch_one(&mut *conn)
        .await?;
        let created: Option<String> = row.try_get("created")?;
        let updated: Option<String> = row.try_get("updated")?;
        let count: i64 = row.try_get("treatments")?;
        let kept = sqlx::query(
            "SELECT created_at, updated_at, treatments FROM public_cases WHERE case_key = $1",
        )
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| -> Result<(String, String, i64)> {
            Ok((
                r.try_get("created_at")?,
                r.try_get("updated_at")?,
                r.try_get("treatments")?,
            ))
        })
        .transpose()?;
        let wanted = match (created, updated, kept) {
            (Some(c), Some(u), None) => (c, u, count),
            (None, _, None) | (_, None, None) => continue,
            (c, u, Some((kc, ku, kn))) => {
                let created = c.unwrap_or(kc);
                if kn != count {
                    (created, now(), count)
                } else if let Some(u) = u.filter(|u| *u > ku) {
                    (created, u, count)
                } else {
                    continue;
                }
            }
        };
        sqlx::query(
            "INSERT INTO public_cases (case_key, created_at, updated_at, treatments)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (case_key) DO UPDATE SET created_at = excluded.created_at,
                 updated_at = excluded.updated_at, treatments = excluded.treatments",
        )
        .bind(key)
        .bind(wanted.0)
        .bind(wanted.1)
        .bind(wanted.2)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// An instant as the public tables store it (RFC 3339 in UTC, as `codec::now` writes).
fn instant(at: &DateTime<Utc>) -> String {
    at.to_rfc3339()
}

/// SQL conditions and their values, with placeholders numbered from `$1`.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    values: Vec<String>,
}

impl Conditions {
    /// Adds `template`, whose `?`s stand for `values` in order.
    fn push(&mut self, template: &str, values: &[&str]) {
        let mut sql = String::with_capacity(template.len() + 8);
        let mut values = values.iter();
        for c in template.chars() {
            match (c, if c == '?' { values.next() } else { None }) {
                ('?', Some(v)) => {
                    self.values.push((*v).to_string());
                    sql.push_str(&format!("${}", self.values.len()));
                }
                _ => sql.push(c),
            }
        }
        self.sql.push(sql);
    }

    fn clause(&self) -> String {
        if self.sql.is_empty() {
            "1 = 1".into()
        } else {
            self.sql.join(" AND ")
        }
    }
}

/// The conditions of a walk in change order over a table of meetings whose change column
/// is `changed`.
fn walk(
    body: Option<&BodyCode>,
    window: &Window,
    after: Option<&Cursor>,
    changed: &str,
) -> Conditions {
    walk_by(body, window, after, changed, "meeting_id")
}

/// The conditions of a walk in (`changed`, `id`) order.
fn walk_by(
    body: Option<&BodyCode>,
    window: &Window,
    after: Option<&Cursor>,
    changed: &str,
    id: &str,
) -> Conditions {
    let mut c = Conditions::default();
    if let Some(body) = body {
        c.push("body_code = ?", &[body.as_str()]);
    }
    if let Some(after) = after {
        // A row-value comparison: both databases walk the (change, id) index from here.
        c.push(
            &format!("({changed}, {id}) > (?, ?)"),
            &[&after.modified, &after.id],
        );
    }
    if let Some(t) = &window.modified_since {
        c.push(&format!("{changed} >= ?"), &[&instant(t)]);
    }
    if let Some(t) = &window.modified_until {
        c.push(&format!("{changed} <= ?"), &[&instant(t)]);
    }
    if let Some(t) = &window.created_since {
        // Nothing changed before it was created: the index on the change column helps.
        c.push(
            &format!("{changed} >= ? AND created_at >= ?"),
            &[&instant(t), &instant(t)],
        );
    }
    if let Some(t) = &window.created_until {
        c.push("created_at <= ?", &[&instant(t)]);
    }
    c
}

impl Store {
    /// Meetings in the order their public record changed (tombstones by when they left it),
    /// of one body or all, within `window`, after `after`, at most `limit`: their heads
    /// only (no record is read).
    pub async fn open_meeting_heads(
        &self,
        body: Option<&BodyCode>,
        window: &Window,
        after: Option<&Cursor>,
        limit: i64,
    ) -> Result<Vec<MeetingHead>> {
        let live = walk(body, window, after, "updated_at");
        let gone = walk(body, window, after, "deleted_at");
        // Both walks bind the same values in the same order: the tombstones' conditions
        // use the live walk's placeholders.
        let n = live.values.len() + 1;
        let sql = format!(
            "SELECT * FROM (
               SELECT meeting_id, body_code, etag, created_at, updated_at AS changed
               FROM public_meetings
               WHERE {} ORDER BY updated_at, meeting_id LIMIT ${n}) AS live
             UNION ALL
             SELECT * FROM (
               SELECT meeting_id, body_code, CAST(NULL AS TEXT) AS etag, created_at,
                      deleted_at AS changed
               FROM public_tombstones
               WHERE {} ORDER BY deleted_at, meeting_id LIMIT ${n}) AS gone
             ORDER BY changed, meeting_id LIMIT ${n}",
            live.clause(),
            gone.clause(),
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in &live.values {
            q = q.bind(v.clone());
        }
        let rows = q.bind(limit).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(MeetingHead {
                    id: parsed(r, "meeting_id", "public_meetings")?,
                    body_code: parsed(r, "body_code", "public_meetings")?,
                    etag: r.try_get("etag")?,
                    created: r.try_get("created_at")?,
                    changed: r.try_get("changed")?,
                })
            })
            .collect()
    }

    /// The public meetings `ids` with their records, in no particular order (a meeting
    /// that left the record meanwhile is missing).
    pub async fn open_live_meetings(&self, ids: &[MeetingId]) -> Result<Vec<OpenMeeting>> {
        let order: Vec<(String, bool)> = ids.iter().map(|i| (i.to_string(), false)).collect();
        self.open_meetings_by_id(&order).await
    }

    /// The meetings `order` names (id, whether a tombstone), in that order.
    async fn open_meetings_by_id(&self, order: &[(String, bool)]) -> Result<Vec<OpenMeeting>> {
        let live: Vec<&str> = order
            .iter()
            .filter(|(_, g)| !g)
            .map(|(i, _)| i.as_str())
            .collect();
        let gone: Vec<&str> = order
            .iter()
            .filter(|(_, g)| *g)
            .map(|(i, _)| i.as_str())
            .collect();
        let mut found = std::collections::HashMap::new();
        if !live.is_empty() {
            let sql = format!(
                "SELECT {SUMMARY_COLUMNS}, record, etag, created_at, updated_at FROM public_meetings
                 WHERE meeting_id IN ({})",
                placeholders(live.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in &live {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                let meeting = public_meeting_from(&r)?;
                found.insert(
                    (meeting.summary.id.to_string(), false),
                    OpenMeeting::Live {
                        meeting: Box::new(meeting),
                        created: r.try_get("created_at")?,
                        modified: r.try_get("updated_at")?,
                    },
                );
            }
        }
        if !gone.is_empty() {
            let sql = format!(
                "SELECT meeting_id, body_code, meeting_date, created_at, deleted_at FROM public_tombstones
                 WHERE meeting_id IN ({})",
                placeholders(gone.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in &gone {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                let id: String = r.try_get("meeting_id")?;
                let code: String = r.try_get("body_code")?;
                let corrupt = |what: &str| StoreError::Corrupt(format!("public_tombstones.{what}"));
                found.insert(
                    (id.clone(), true),
                    OpenMeeting::Gone {
                        id: id.parse().map_err(|_| corrupt("meeting_id"))?,
                        body_code: code.parse().map_err(|_| corrupt("body_code"))?,
                        date: crate::codec::date(&r.try_get::<String, _>("meeting_date")?)?,
                        created: r.try_get("created_at")?,
                        deleted: r.try_get("deleted_at")?,
                    },
                );
            }
        }
        // A meeting that changed between the two reads is left for the next page.
        Ok(order.iter().filter_map(|k| found.remove(k)).collect())
    }

    /// The objects kept for the public meetings `ids` whose variant starts with `prefix`
    /// (any record version: the caller compares the etag).
    pub async fn kept_objects(&self, ids: &[MeetingId], prefix: &str) -> Result<Vec<KeptObject>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let n = ids.len();
        let sql = format!(
            "SELECT meeting_id, variant, etag, bytes FROM rendered_documents
             WHERE meeting_id IN ({}) AND variant LIKE ${}",
            placeholders(n),
            n + 1
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(id.to_string());
        }
        q.bind(format!("{}%", like_literal(prefix)))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(KeptObject {
                    id: r
                        .try_get::<String, _>("meeting_id")?
                        .parse()
                        .map_err(|_| StoreError::Corrupt("rendered_documents.meeting_id".into()))?,
                    variant: r.try_get("variant")?,
                    etag: r.try_get("etag")?,
                    bytes: r.try_get("bytes")?,
                })
            })
            .collect()
    }

    /// Keeps `objects` (one transaction): each only for the record version it was made from
    /// while that is still the current one; other variants starting with `prefix` of the
    /// same meeting (made from what has changed since) are dropped. Another node that kept
    /// the same object meanwhile is no conflict.
    pub async fn keep_objects(&self, objects: &[KeptObject], prefix: &str) -> Result<()> {
        if objects.is_empty() {
            return Ok(());
        }
        let like = format!("{}%", like_literal(prefix));
        let mut tx = self.begin_write().await?;
        for o in objects {
            let id = o.id.to_string();
            let current = sqlx::query(
                "SELECT 1 AS one FROM public_meetings WHERE meeting_id = $1 AND etag = $2",
            )
            .bind(&id)
            .bind(&o.etag)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
            if !current {
                continue;
            }
            sqlx::query(
                "DELETE FROM rendered_documents WHERE meeting_id = $1 AND variant LIKE $2
                 AND NOT (variant = $3 AND etag = $4)",
            )
            .bind(&id)
            .bind(&like)
            .bind(&o.variant)
            .bind(&o.etag)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO rendered_documents (meeting_id, variant, etag, bytes, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(&id)
            .bind(&o.variant)
            .bind(&o.etag)
            .bind(o.bytes.clone())
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Meeting `id` as the open-data API shows it: public, a tombstone, or `None` (never
    /// public, or no such meeting: the same answer).
    pub async fn open_meeting(&self, id: MeetingId) -> Result<Option<OpenMeeting>> {
        let id = id.to_string();
        let mut found = self.open_meetings_by_id(&[(id.clone(), false)]).await?;
        if found.is_empty() {
            found = self.open_meetings_by_id(&[(id, true)]).await?;
        }
        Ok(found.pop())
    }

    /// The public attachments' files of the meetings `ids`, without their texts.
    pub async fn open_files(&self, ids: &[MeetingId]) -> Result<Vec<OpenFile>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT p.meeting_id, p.item_number, p.attachment_number, p.title, p.file_name,
                    p.media_type, p.sha256, f.size, f.sha512
             FROM public_files p LEFT JOIN files f ON f.sha256 = p.sha256
             WHERE p.meeting_id IN ({})
             ORDER BY p.meeting_id, p.item_number, p.attachment_number",
            placeholders(ids.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(id.to_string());
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let id: String = r.try_get("meeting_id")?;
                let corrupt = |what: &str| StoreError::Corrupt(format!("public_files.{what}"));
                Ok(OpenFile {
                    meeting_id: id.parse().map_err(|_| corrupt("meeting_id"))?,
                    item: u32::try_from(r.try_get::<i64, _>("item_number")?)
                        .map_err(|_| corrupt("item_number"))?,
                    attachment: u32::try_from(r.try_get::<i64, _>("attachment_number")?)
                        .map_err(|_| corrupt("attachment_number"))?,
                    title: r.try_get("title")?,
                    name: r.try_get("file_name")?,
                    media_type: r.try_get("media_type")?,
                    sha256: r.try_get("sha256")?,
                    sha512: r.try_get("sha512")?,
                    size: r.try_get("size")?,
                })
            })
            .collect()
    }

    /// Public meetings held on or after `from`, soonest first, with the meetings that left
    /// the record and were to be held then (tombstones: cancelled), of one body or all, at
    /// most `limit` of each: what a calendar subscription shows.
    pub async fn open_upcoming(
        &self,
        body: Option<&BodyCode>,
        from: NaiveDate,
        limit: i64,
    ) -> Result<Vec<OpenMeeting>> {
        let mut order = Vec::new();
        for (table, gone) in [("public_meetings", false), ("public_tombstones", true)] {
            let (filter, code) = match body {
                Some(b) => ("AND body_code = $3", b.to_string()),
                None => ("AND $3 = $3", String::new()),
            };
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT meeting_id FROM {table} WHERE meeting_date >= $1 {filter}
                 ORDER BY meeting_date, meeting_id LIMIT $2"
            )))
            .bind(date_text(from))
            .bind(limit)
            .bind(code)
            .fetch_all(&self.pool)
            .await?;
            for r in rows {
                order.push((r.try_get::<String, _>("meeting_id")?, gone));
            }
        }
        self.open_meetings_by_id(&order).await
    }

    /// The public meetings whose record changed last, newest first, of one body or all, at
    /// most `limit`: what a news feed shows.
    pub async fn open_recent(
        &self,
        body: Option<&BodyCode>,
        limit: i64,
    ) -> Result<Vec<OpenMeeting>> {
        let (filter, code) = match body {
            Some(b) => ("WHERE body_code = $2", b.to_string()),
            None => ("WHERE $2 = $2", String::new()),
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT meeting_id FROM public_meetings {filter}
             ORDER BY updated_at DESC, meeting_id DESC LIMIT $1"
        )))
        .bind(limit)
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        let order: Vec<(String, bool)> = rows
            .iter()
            .map(|r| Ok((r.try_get::<String, _>("meeting_id")?, false)))
            .collect::<Result<_>>()?;
        self.open_meetings_by_id(&order).await
    }

    /// The first and last year with public meetings (a small table, read whole).
    pub async fn public_year_span(&self) -> Result<Option<(i32, i32)>> {
        let r = sqlx::query(
            "SELECT CAST(MIN(year) AS BIGINT) AS lo, CAST(MAX(year) AS BIGINT) AS hi FROM public_years",
        )
        .fetch_one(&self.pool)
        .await?;
        let (lo, hi): (Option<i64>, Option<i64>) = (r.try_get("lo")?, r.try_get("hi")?);
        Ok(lo
            .zip(hi)
            .and_then(|(lo, hi)| Some((i32::try_from(lo).ok()?, i32::try_from(hi).ok()?))))
    }

    /// The case the item at `position` of public meeting `id` is a treatment of (printed
    /// number or followed through next steps).
    pub async fn open_case_at(&self, id: MeetingId, position: usize) -> Result<Option<String>> {
        Ok(sqlx::query(
            "SELECT case_key FROM public_case_items WHERE meeting_id = $1 AND position = $2
             ORDER BY case_key LIMIT 1",
        )
        .bind(id.to_string())
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .fetch_optional(&self.pool)
        .await?
        .map(|r| r.try_get("case_key"))
        .transpose()?)
    }

    /// Cases in the order they changed (tombstones included), within `window`, after
    /// `after`, at most `limit`.
    pub async fn open_case_heads(
        &self,
        window: &Window,
        after: Option<&Cursor>,
        limit: i64,
    ) -> Result<Vec<CaseHead>> {
        let c = walk_by(None, window, after, "updated_at", "case_key");
        let sql = format!(
            "SELECT case_key, created_at, updated_at, treatments FROM public_cases
             WHERE {} ORDER BY updated_at, case_key LIMIT ${}",
            c.clause(),
            c.values.len() + 1
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in &c.values {
            q = q.bind(v.clone());
        }
        q.bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(case_head)
            .collect()
    }

    /// The case with key `key`, if it ever had a public treatment.
    pub async fn open_case_head(&self, key: &str) -> Result<Option<CaseHead>> {
        sqlx::query(
            "SELECT case_key, created_at, updated_at, treatments FROM public_cases
             WHERE case_key = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(case_head)
        .transpose()
    }

    /// The public treatments of the cases `keys` (at most [`MAX_TREATMENTS`] each), by
    /// case and date.
    pub async fn open_case_steps(&self, keys: &[String]) -> Result<Vec<CaseStep>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let n = keys.len();
        let sql = format!(
            "SELECT * FROM (
               SELECT c.case_key, c.case_number, c.meeting_id, c.body_code, c.meeting_date,
                      c.item_key, c.title, c.authoritative, c.position,
                      p.created_at, p.updated_at,
                      ROW_NUMBER() OVER (PARTITION BY c.case_key
                          ORDER BY c.meeting_date, c.meeting_id, c.position) AS nth
               FROM public_case_items c JOIN public_meetings p ON p.meeting_id = c.meeting_id
               WHERE c.case_key IN ({})) AS steps
             WHERE nth <= ${}
             ORDER BY case_key, meeting_date, meeting_id, position",
            placeholders(n),
            n + 1
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for k in keys {
            q = q.bind(k.as_str());
        }
        q.bind(MAX_TREATMENTS)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(CaseStep {
                    case_key: r.try_get("case_key")?,
                    case_number: r.try_get("case_number")?,
                    meeting_id: parsed(r, "meeting_id", "public_case_items")?,
                    body_code: parsed(r, "body_code", "public_case_items")?,
                    date: crate::codec::date(&r.try_get::<String, _>("meeting_date")?)?,
                    item_key: r.try_get("item_key")?,
                    title: r.try_get("title")?,
                    authoritative: r.try_get::<i64, _>("authoritative")? != 0,
                    created: r.try_get("created_at")?,
                    modified: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// The public treatments of the case with key `key`, by meeting date.
    pub async fn open_case(&self, key: &str) -> Result<Vec<Treatment>> {
        let sql = format!(
            "SELECT c.case_number, c.position, {}, p.record, p.etag, p.created_at, p.updated_at
             FROM public_case_items c JOIN public_meetings p ON p.meeting_id = c.meeting_id
             WHERE c.case_key = $1 ORDER BY c.meeting_date, c.meeting_id, c.position LIMIT $2",
            SUMMARY_COLUMNS
                .split(", ")
                .map(|c| format!("p.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .bind(MAX_TREATMENTS)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Treatment {
                    case_number: r.try_get("case_number")?,
                    position: usize::try_from(r.try_get::<i64, _>("position")?)
                        .map_err(|_| StoreError::Corrupt("public_case_items.position".into()))?,
                    meeting: public_meeting_from(r)?,
                    created: r.try_get("created_at")?,
                    modified: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// The closed items whose case number has the key `key`, as stored, by date (at most
    /// [`MAX_TREATMENTS`]). Whoever calls this shows each only to those who may read its
    /// body's closed content.
    pub async fn closed_treatments(&self, key: &str) -> Result<Vec<ClosedTreatment>> {
        sqlx::query(
            "SELECT b.code, b.name, m.meeting_date, i.number, i.title, i.decision, i.case_number
             FROM items i JOIN meetings m ON m.id = i.meeting_id JOIN bodies b ON b.id = m.body_id
             WHERE i.case_key = $1 AND i.access = 'closed'
             ORDER BY m.meeting_date, i.position LIMIT $2",
        )
        .bind(key)
        .bind(MAX_TREATMENTS)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let code: String = r.try_get("code")?;
            let number: Option<i64> = r.try_get("number")?;
            Ok(ClosedTreatment {
                body_code: code
                    .parse()
                    .map_err(|_| StoreError::Corrupt("bodies.code".into()))?,
                body_name: r.try_get("name")?,
                date: crate::codec::date(&r.try_get::<String, _>("meeting_date")?)?,
                number: number.and_then(|n| u32::try_from(n).ok()),
                title: r.try_get("title")?,
                decision: r.try_get("decision")?,
                case_number: r
                    .try_get::<Option<String>, _>("case_number")?
                    .unwrap_or_default(),
            })
        })
        .collect()
    }

    /// Public meetings held from `from` to `to` (inclusive; `None`: no bound), by date and
    /// id, after (`date`, `id`), at most `limit`: bulk export walks a date range a page at a
    /// time.
    pub async fn public_meetings_between(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        after: Option<(NaiveDate, MeetingId)>,
        limit: i64,
    ) -> Result<Vec<PublicMeeting>> {
        let (after_date, after_id) = match after {
            Some((d, id)) => (date_text(d), id.to_string()),
            None => (String::new(), String::new()),
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS}, record, etag FROM public_meetings
             WHERE meeting_date >= $1 AND meeting_date <= $2
               AND (meeting_date > $3 OR (meeting_date = $3 AND meeting_id > $4))
             ORDER BY meeting_date, meeting_id LIMIT $5"
        )))
        // Dates are ISO text: the open bounds lie outside every four-digit year.
        .bind(from.map_or_else(|| "0000-01-01".to_string(), date_text))
        .bind(to.map_or_else(|| "9999-12-31".to_string(), date_text))
        .bind(after_date)
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(public_meeting_from).collect()
    }
}

/// "$1, $2, …, $n".
/// `s` as a LIKE prefix: the callers' prefixes are plain names, any wildcard in one is
/// dropped rather than matched.
fn like_literal(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '%' | '_' | '\\'))
        .collect()
}

/// Column `column` of row `r` (of `table`) read as text and parsed.
fn parsed<T: std::str::FromStr>(r: &sqlx::any::AnyRow, column: &str, table: &str) -> Result<T> {
    r.try_get::<String, _>(column)?
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("{table}.{column}")))
}

fn case_head(r: &sqlx::any::AnyRow) -> Result<CaseHead> {
    Ok(CaseHead {
        key: r.try_get("case_key")?,
        created: r.try_get("created_at")?,
        changed: r.try_get("updated_at")?,
        treatments: r.try_get("treatments")?,
    })
}

fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
