//! Writing meetings: creating, importing (create or update by identity) and editing with a
//! version check. Each call is one transaction that also appends to the change log.

use std::collections::{HashMap, HashSet};

use protokol_core::{Body, Item, ItemId, Meeting, MeetingId, validate_meeting};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::blobs::FileToStore;
use crate::bodies::ensure_body;
use crate::bulk::Rows;
use crate::changes::{NewChange, item_for_log, meeting_for_log, record, record_edit};
use crate::codec::{count, date_text, flag, json_text, now};
use crate::read::load_meeting;
use crate::{Result, Store, StoreError, documents};

/// What a save did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SaveOutcome {
    Created,
    Updated,
    /// The stored meeting already said exactly this; nothing was written.
    Unchanged,
}

impl SaveOutcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Unchanged => "unchanged",
        }
    }
}

/// The result of a save: the meeting's id and version after it, and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    pub id: MeetingId,
    pub version: i64,
    pub outcome: SaveOutcome,
    /// Things the caller should know, e.g. that a body name differed from the stored one.
    pub warnings: Vec<String>,
}

/// Whether a batch of writes is kept or only tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Commit {
    Yes,
    No,
}

pub(crate) fn refuse_invalid_meeting(m: &Meeting) -> Result<()> {
    refuse_invalid(m)
}

fn refuse_invalid(m: &Meeting) -> Result<()> {
    let problems = validate_meeting(m);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Rejected(
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        ))
    }
}

fn unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// A meeting with ids taken out, for comparing content.
fn without_ids(m: &Meeting) -> Meeting {
    let mut m = m.clone();
    m.id = None;
    for item in &mut m.items {
        item.id = None;
        clear_nested_ids(item);
    }
    m
}

fn clear_nested_ids(item: &mut Item) {
    item.followups.iter_mut().for_each(|f| f.id = None);
    item.attachments.iter_mut().for_each(|a| a.id = None);
    for sp in &mut item.schedule {
        sp.id = None;
        sp.followups.iter_mut().for_each(|f| f.id = None);
    }
}

/// Gives the sub-points, attachments and follow-ups of `item` ids that survive edits and
/// re-imports: its own where given (and not taken twice), else that of the matching one of
/// `old` (the same item as stored: a sub-point by title, an attachment by number, a
/// follow-up by owner and text, then by owner), else a new one.
pub(crate) fn assign_nested_ids(item: &mut Item, old: Option<&Item>) {
    use protokol_core::{AttachmentId, Followup, FollowupId, SubPoint, SubPointId};
    fn followups(new: &mut [Followup], old: &[Followup], taken: &mut HashSet<FollowupId>) {
        for f in new.iter_mut() {
            if let Some(id) = f.id.filter(|id| !taken.contains(id)) {
                taken.insert(id);
                continue;
            }
            let free = |o: &&Followup| o.id.is_some_and(|id| !taken.contains(&id));
            let found = old
                .iter()
                .filter(free)
                .find(|o| o.owner == f.owner && o.text == f.text)
                .or_else(|| old.iter().filter(free).find(|o| o.owner == f.owner))
                .and_then(|o| o.id);
            let id = found.unwrap_or_default();
            taken.insert(id);
            f.id = Some(id);
        }
    }
    let empty = Item::new(None, "");
    let old = old.unwrap_or(&empty);
    let mut taken_a: HashSet<AttachmentId> = HashSet::new();
    for a in &mut item.attachments {
        if let Some(id) = a.id.filter(|id| !taken_a.contains(id)) {
            taken_a.insert(id);
            continue;
        }
        let found = old
            .attachments
            .iter()
            .filter(|o| o.id.is_some_and(|id| !taken_a.contains(&id)))
            .find(|o| o.number == a.number)
            .and_then(|o| o.id);
        let id = found.unwrap_or_default();
        taken_a.insert(id);
        a.id = Some(id);
    }
    let mut taken_f: HashSet<FollowupId> = HashSet::new();
    followups(&mut item.followups, &old.followups, &mut taken_f);
    let mut taken_s: HashSet<SubPointId> = HashSet::new();
    for sp in &mut item.schedule {
        let before = match sp.id.filter(|id| !taken_s.contains(id)) {
            Some(id) => old.schedule.iter().find(|o| o.id == Some(id)),
            None => {
                let free = |o: &&SubPoint| o.id.is_some_and(|id| !taken_s.contains(&id));
                let found = old
                    .schedule
                    .iter()
                    .filter(free)
                    .find(|o| o.title == sp.title && o.time == sp.time)
                    .or_else(|| {
                        old.schedule
                            .iter()
                            .filter(free)
                            .find(|o| o.title == sp.title)
                    });
                sp.id = Some(found.and_then(|o| o.id).unwrap_or_default());
                found
            }
        };
        if let Some(id) = sp.id {
            taken_s.insert(id);
        }
        let old_followups = before.map(|b| b.followups.as_slice()).unwrap_or_default();
        followups(&mut sp.followups, old_followups, &mut taken_f);
    }
}

impl Store {
    /// Stores a meeting as an import does: if a meeting with the same id, or else of the same
    /// body on the same date, exists, it is updated; otherwise it is created. Importing what
    /// is already stored changes nothing (no new version, no change-log entry).
    pub async fn upsert_meeting(&self, m: &Meeting, actor: &str) -> Result<Saved> {
        let mut saved = self
            .upsert_meetings(std::slice::from_ref(m), actor, Commit::Yes)
            .await?;
        Ok(saved.remove(0))
    }

    /// Creates a new meeting (planned in the workspace); refused if its body already has a
    /// meeting on that date, so nothing is overwritten.
    pub async fn create_meeting(&self, m: &Meeting, actor: &str) -> Result<Saved> {
        refuse_invalid(m)?;
        if m.id.is_some() {
            return Err(StoreError::Rejected("a new meeting has no id yet".into()));
        }
        let mut tx = self.begin_write().await?;
        let body = ensure_body(&mut tx, &m.body, actor).await?;
        if meeting_id_on(&mut tx, &body, m).await?.is_some() {
            return Err(StoreError::Rejected(format!(
                "{} already has a meeting on {}",
                body.name, m.date
            )));
        }
        let mut saved = upsert_all(&mut tx, std::slice::from_ref(m), actor).await?;
        tx.commit().await?;
        Ok(saved.remove(0))
    }

    /// Postpones a point: stores the source meeting (whose item now names where it goes
    /// next) and the target meeting (holding a copy of the item), both or neither. The
    /// target is updated if `target_version` is given, else created (refused if its body
    /// already has a meeting that day).
    pub async fn postpone(
        &self,
        source: &Meeting,
        source_version: i64,
        target: &Meeting,
        target_version: Option<i64>,
        actor: &str,
    ) -> Result<(Saved, Saved)> {
        refuse_invalid(target)?;
        let mut tx = self.begin_write().await?;
        let from =
            replace_meeting(&mut tx, source, source_version, actor, "item.postponed").await?;
        let to = match target_version {
            Some(v) => replace_meeting(&mut tx, target, v, actor, "item.received").await?,
            None => {
                let body = ensure_body(&mut tx, &target.body, actor).await?;
                if meeting_id_on(&mut tx, &body, target).await?.is_some() {
                    return Err(StoreError::Rejected(format!(
                        "{} already has a meeting on {}",
                        body.name, target.date
                    )));
                }
                upsert_all(&mut tx, std::slice::from_ref(target), actor)
                    .await?
                    .remove(0)
            }
        };
        tx.commit().await?;
        Ok((from, to))
    }

    /// Stores several meetings as [`Store::upsert_meeting`] does, all in one transaction:
    /// either all are stored or none. With [`Commit::No`] the work is done and rolled back,
    /// which tells exactly what an import would do without changing anything.
    pub async fn upsert_meetings(
        &self,
        meetings: &[Meeting],
        actor: &str,
        commit: Commit,
    ) -> Result<Vec<Saved>> {
        for m in meetings {
            refuse_invalid(m)?;
        }
        let mut tx = self.begin_write().await?;
        let out = upsert_all(&mut tx, meetings, actor).await?;
        match commit {
            Commit::Yes => tx.commit().await?,
            Commit::No => tx.rollback().await?,
        }
        Ok(out)
    }

    /// Replaces a stored meeting with `m` (which must carry the meeting's id), provided the
    /// stored meeting is still at `expected_version`; otherwise nothing is written and
    /// [`StoreError::Conflict`] says which version is stored.
    pub async fn update_meeting(
        &self,
        m: &Meeting,
        expected_version: i64,
        actor: &str,
    ) -> Result<Saved> {
        let mut tx = self.begin_write().await?;
        let saved = replace_meeting(&mut tx, m, expected_version, actor, "meeting.updated").await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Replaces one item of a meeting (matched by the item's id), provided the item is
    /// still at `expected_version`. Returns the item's new version. The meeting's version
    /// moves on too, since its content changed.
    pub async fn update_item(
        &self,
        meeting: MeetingId,
        item: &Item,
        expected_version: i64,
        actor: &str,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let version = update_item_in(&mut tx, meeting, item, expected_version, actor).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// [`Store::update_item`] that also stores a file (content-addressed by its SHA-256,
    /// read from disk in chunks), both or neither: how an uploaded attachment is added.
    pub async fn update_item_with_file(
        &self,
        meeting: MeetingId,
        item: &Item,
        expected_version: i64,
        file: FileToStore<'_>,
        actor: &str,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        // The version check first, so a stale form stores no bytes either.
        let version = update_item_in(&mut tx, meeting, item, expected_version, actor).await?;
        crate::blobs::put(&mut tx, file).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The stored version of an item.
    pub async fn item_version(&self, item: ItemId) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT version FROM items WHERE id = $1")
            .bind(item.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("version")).transpose()?)
    }
}

/// Upserts several meetings on one connection (inside the caller's transaction).
pub(crate) async fn upsert_all(
    conn: &mut AnyConnection,
    meetings: &[Meeting],
    actor: &str,
) -> Result<Vec<Saved>> {
    for m in meetings {
        refuse_invalid(m)?;
    }
    let mut out = Vec::with_capacity(meetings.len());
    for m in meetings {
        out.push(upsert_in(conn, m, actor).await?);
    }
    Ok(out)
}

pub(crate) async fn upsert_in(conn: &mut AnyConnection, m: &Meeting, actor: &str) -> Result<Saved> {
    let body = ensure_body(conn, &m.body, actor).await?;
    let mut warnings = body_name_warning(&body, m);

    let mut existing = None;
    if let Some(id) = m.id {
        existing = load_meeting(conn, &id.to_string()).await?;
    }
    if existing.is_none() {
        existing = match meeting_id_on(conn, &body, m).await? {
            Some(id) => load_meeting(conn, &id).await?,
            None => None,
        };
    }

    let Some((old, old_version)) = existing else {
        let id = m.id.unwrap_or_default();
        let mut new = m.clone();
        new.id = Some(id);
        new.body.name = body.name.clone();
        warnings.extend(assign_item_ids(conn, &mut new, &[]).await?);
        insert_meeting_row(conn, &new, &body).await.map_err(|e| {
            if unique_violation(&e) {
                StoreError::Rejected(format!(
                    "another meeting of {} on {} was stored at the same moment; try again",
                    body.code, m.date
                ))
            } else {
                e.into()
            }
        })?;
        insert_children(conn, &new, &HashMap::new(), &[]).await?;
        log_meeting(conn, actor, "meeting.created", id, 1).await?;
        log_if_approved(conn, id, &new).await?;
        crate::public::refresh(conn, &id.to_string()).await?;
        return Ok(Saved {
            id,
            version: 1,
            outcome: SaveOutcome::Created,
            warnings,
        });
    };

    let id = old.id.unwrap_or_default();
    let mut new = m.clone();
    new.id = Some(id);
    new.body.name = body.name.clone();
    warnings.extend(assign_item_ids(conn, &mut new, &old.items).await?);
    documents::fill_known_files(conn, &mut new).await?;
    if without_ids(&new) == without_ids(&old) {
        return Ok(unchanged(id, old_version, warnings));
    }
    // Approved minutes are frozen whatever path the change takes (an import included).
    refuse_if_approved(&old)?;
    ensure_date_free(conn, &body, &new, id).await?;
    let version = rewrite(conn, &new, &body, &old, old_version).await?;
    log_meeting(conn, actor, "meeting.updated", id, version).await?;
    log_if_approved(conn, id, &new).await?;
    crate::public::refresh(conn, &id.to_string()).await?;
    Ok(Saved {
        id,
        version,
        outcome: SaveOutcome::Updated,
        warnings,
    })
}

fn unchanged(id: MeetingId, version: i64, warnings: Vec<String>) -> Saved {
    Saved {
        id,
        version,
        outcome: SaveOutcome::Unchanged,
        warnings,
    }
}

fn body_name_warning(body: &Body, m: &Meeting) -> Vec<String> {
    if body.name == m.body.name {
        Vec::new()
    } else {
        vec![format!(
            "body {} is stored as {:?}; the name {:?} given here was not used",
            body.code, body.name, m.body.name
        )]
    }
}

async fn meeting_id_on(
    conn: &mut AnyConnection,
    body: &Body,
    m: &Meeting,
) -> Result<Option<String>> {
    let row = sqlx::query("SELECT id FROM meetings WHERE body_id = $1 AND meeting_date = $2")
        .bind(body.id.to_string())
        .bind(date_text(m.date))
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

/// Replaces the stored meeting `m.id` with `m` inside the caller's transaction, if it is
/// still at `expected_version` and not approved; logs the change as `action`.
pub(crate) async fn replace_meeting(
    tx: &mut AnyConnection,
    m: &Meeting,
    expected_version: i64,
    actor: &str,
    action: &str,
) -> Result<Saved> {
    refuse_invalid(m)?;
    let id =
        m.id.ok_or_else(|| StoreError::Rejected("the meeting to update has no id".into()))?;
    let (old, old_version) = load_meeting(&mut *tx, &id.to_string())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "meeting",
            id: id.to_string(),
        })?;
    refuse_if_approved(&old)?;
    if old_version != expected_version {
        return Err(StoreError::Conflict {
            entity: "meeting",
            id: id.to_string(),
            expected: expected_version,
            current: old_version,
        });
    }
    let body = ensure_body(&mut *tx, &m.body, actor).await?;
    let mut warnings = body_name_warning(&body, m);
    let mut new = m.clone();
    new.body.name = body.name.clone();
    warnings.extend(assign_item_ids(&mut *tx, &mut new, &old.items).await?);
    documents::fill_known_files(&mut *tx, &mut new).await?;
    if without_ids(&new) == without_ids(&old) {
        return Ok(unchanged(id, old_version, warnings));
    }
    ensure_date_free(&mut *tx, &body, &new, id).await?;
    let version = rewrite(&mut *tx, &new, &body, &old, old_version).await?;
    let id_text = id.to_string();
    record_edit(
        &mut *tx,
        NewChange {
            actor,
            action,
            entity: "meeting",
            entity_id: &id_text,
            meeting_id: Some(&id_text),
            version: Some(version),
            detail: Some(format!("{} {}", new.body.name, new.date)),
        },
        Some(meeting_for_log(&old)),
        Some(meeting_for_log(&new)),
    )
    .await?;
    crate::public::refresh(&mut *tx, &id_text).await?;
    Ok(Saved {
        id,
        version,
        outcome: SaveOutcome::Updated,
        warnings,
    })
}

/// [`Store::update_item`] inside the caller's transaction.
async fn update_item_in(
    tx: &mut AnyConnection,
    meeting: MeetingId,
    item: &Item,
    expected_version: i64,
    actor: &str,
) -> Result<i64> {
    let item_id = item
        .id
        .ok_or_else(|| StoreError::Rejected("the item to update has no id".into()))?;
    let not_found = || StoreError::NotFound {
        entity: "item",
        id: item_id.to_string(),
    };
    let (mut m, _) = load_meeting(&mut *tx, &meeting.to_string())
        .await?
        .ok_or_else(not_found)?;
    refuse_if_approved(&m)?;
    let row = sqlx::query("SELECT version, position FROM items WHERE id = $1 AND meeting_id = $2")
        .bind(item_id.to_string())
        .bind(meeting.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(not_found)?;
    let current: i64 = row.try_get("version")?;
    let position: i64 = row.try_get("position")?;
    if current != expected_version {
        return Err(StoreError::Conflict {
            entity: "item",
            id: item_id.to_string(),
            expected: expected_version,
            current,
        });
    }
    let slot = m
        .items
        .iter_mut()
        .find(|i| i.id == Some(item_id))
        .ok_or_else(not_found)?;
    let mut item = item.clone();
    assign_nested_ids(&mut item, Some(slot));
    let item = &item;
    if *slot == *item {
        return Ok(current);
    }
    let before = slot.clone();
    *slot = item.clone();
    refuse_invalid(&m)?;

    let done = sqlx::query("DELETE FROM items WHERE id = $1 AND version = $2")
        .bind(item_id.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            entity: "item",
            id: item_id.to_string(),
            expected: expected_version,
            current,
        });
    }
    let version = current + 1;
    insert_item(&mut *tx, &meeting.to_string(), position, item, version).await?;
    sqlx::query("UPDATE meetings SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(meeting.to_string())
        .execute(&mut *tx)
        .await?;
    record_edit(
        &mut *tx,
        NewChange {
            actor,
            action: "item.updated",
            entity: "item",
            entity_id: &item_id.to_string(),
            meeting_id: Some(&meeting.to_string()),
            version: Some(version),
            detail: Some(item.title.clone()),
        },
        item_for_log(&before),
        item_for_log(item),
    )
    .await?;
    crate::public::refresh(&mut *tx, &meeting.to_string()).await?;
    Ok(version)
}

/// Approved minutes are frozen: editing or importing over them is refused (a correction is
/// a dated addition).
fn refuse_if_approved(m: &Meeting) -> Result<()> {
    if m.status == Some(protokol_core::MeetingStatus::MinutesApproved) {
        return Err(StoreError::Rejected(format!(
            "the minutes of {} ({}) on {} are approved and cannot be changed; corrections are \
             dated additions (\"Tilføj rettelse\" on the meeting in the workspace)",
            m.body.name, m.body.code, m.date
        )));
    }
    Ok(())
}

/// A meeting stored as approved by a write other than signing (an import) enters the
/// approval log too, with the hash of the meeting as stored, so `verify` covers it.
async fn log_if_approved(conn: &mut AnyConnection, id: MeetingId, m: &Meeting) -> Result<()> {
    if m.status != Some(protokol_core::MeetingStatus::MinutesApproved) {
        return Ok(());
    }
    let (stored, _) = load_meeting(&mut *conn, &id.to_string())
        .await?
        .ok_or_else(|| StoreError::Corrupt("the approved meeting vanished".into()))?;
    crate::approvals::append_approval(conn, &id.to_string(), &stored).await
}

/// Refuses to move a meeting onto a date where its body already has another meeting.
async fn ensure_date_free(
    conn: &mut AnyConnection,
    body: &Body,
    m: &Meeting,
    id: MeetingId,
) -> Result<()> {
    match meeting_id_on(conn, body, m).await? {
        Some(other) if other != id.to_string() => Err(StoreError::Rejected(format!(
            "{} already has another meeting on {}",
            body.code, m.date
        ))),
        _ => Ok(()),
    }
}

/// Gives every item of `m` an id: its own if it has one that is free or already belongs to
/// this meeting; else that of the stored item with the same number and title, or the same
/// title; else a new one. Returns warnings for ids that belonged to another meeting.
async fn assign_item_ids(
    conn: &mut AnyConnection,
    m: &mut Meeting,
    old: &[Item],
) -> Result<Vec<String>> {
    let meeting_id = m.id.map(|i| i.to_string()).unwrap_or_default();
    let mut warnings = Vec::new();
    let mut used: HashSet<ItemId> = HashSet::new();
    let old_ids: HashSet<ItemId> = old.iter().filter_map(|i| i.id).collect();
    for item in &mut m.items {
        if let Some(id) = item.id {
            if old_ids.contains(&id) {
                used.insert(id);
                continue;
            }
            let owner = sqlx::query("SELECT meeting_id FROM items WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            match owner {
                Some(r) if r.try_get::<String, _>("meeting_id")? != meeting_id => {
                    warnings.push(format!(
                        "item id {id} belongs to another meeting; item {:?} got a new id",
                        item.title
                    ));
                    item.id = None;
                }
                _ => {
                    used.insert(id);
                }
            }
        }
    }
    for item in &mut m.items {
        if item.id.is_some() {
            continue;
        }
        let matched = old
            .iter()
            .filter(|o| o.id.is_some_and(|id| !used.contains(&id)))
            .find(|o| o.number == item.number && o.title == item.title)
            .or_else(|| {
                old.iter()
                    .filter(|o| o.id.is_some_and(|id| !used.contains(&id)))
                    .find(|o| o.title == item.title)
            })
            .and_then(|o| o.id);
        let id = matched.unwrap_or_default();
        used.insert(id);
        item.id = Some(id);
    }
    for item in &mut m.items {
        let before = old.iter().find(|o| o.id.is_some() && o.id == item.id);
        assign_nested_ids(item, before);
    }
    Ok(warnings)
}

async fn insert_meeting_row(
    conn: &mut AnyConnection,
    m: &Meeting,
    body: &Body,
) -> sqlx::Result<()> {
    let ts = now();
    sqlx::query(
        "INSERT INTO meetings (id, body_id, meeting_date, kind, status, start_time, end_time,
         location, sources, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
    )
    .bind(m.id.unwrap_or_default().to_string())
    .bind(body.id.to_string())
    .bind(date_text(m.date))
    .bind(m.kind.as_str())
    .bind(m.status.map(|s| s.as_str()))
    .bind(m.start.map(|t| t.to_string()))
    .bind(m.end.map(|t| t.to_string()))
    .bind(m.location.as_deref())
    .bind(json_text(&m.sources))
    .bind(ts)
    .execute(conn)
    .await?;
    Ok(())
}

/// Overwrites meeting `new` (already stored as `old` at `old_version`) and returns the new
/// version. Refuses with a conflict if someone else moved the version on meanwhile.
async fn rewrite(
    conn: &mut AnyConnection,
    new: &Meeting,
    body: &Body,
    old: &Meeting,
    old_version: i64,
) -> Result<i64> {
    let id = new.id.unwrap_or_default().to_string();
    let done = sqlx::query(
        "UPDATE meetings SET body_id = $1, meeting_date = $2, kind = $3, status = $4,
         start_time = $5, end_time = $6, location = $7, sources = $8, version = version + 1,
         updated_at = $9 WHERE id = $10 AND version = $11",
    )
    .bind(body.id.to_string())
    .bind(date_text(new.date))
    .bind(new.kind.as_str())
    .bind(new.status.map(|s| s.as_str()))
    .bind(new.start.map(|t| t.to_string()))
    .bind(new.end.map(|t| t.to_string()))
    .bind(new.location.as_deref())
    .bind(json_text(&new.sources))
    .bind(now())
    .bind(&id)
    .bind(old_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        let current = sqlx::query("SELECT version FROM meetings WHERE id = $1")
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get::<i64, _>("version"))
            .transpose()?
            .unwrap_or(old_version);
        return Err(StoreError::Conflict {
            entity: "meeting",
            id,
            expected: old_version,
            current,
        });
    }
    let mut item_versions = HashMap::new();
    for r in sqlx::query("SELECT id, version FROM items WHERE meeting_id = $1")
        .bind(&id)
        .fetch_all(&mut *conn)
        .await?
    {
        item_versions.insert(
            r.try_get::<String, _>("id")?,
            r.try_get::<i64, _>("version")?,
        );
    }
    for table in [
        "items",
        "meeting_members",
        "meeting_absences",
        "forward_plan",
        "awaiting_topics",
        "signatures",
    ] {
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE meeting_id = $1"
        )))
        .bind(&id)
        .execute(&mut *conn)
        .await?;
    }
    insert_children(conn, new, &item_versions, &old.items).await?;
    Ok(old_version + 1)
}

/// Inserts everything below the meeting row. An item that existed before keeps its version
/// if its content is unchanged and moves one on if it changed.
async fn insert_children(
    conn: &mut AnyConnection,
    m: &Meeting,
    item_versions: &HashMap<String, i64>,
    old_items: &[Item],
) -> Result<()> {
    let id = m.id.unwrap_or_default().to_string();
    let mut members = Rows::new(
        "meeting_members",
        &[
            "meeting_id",
            "position",
            "name",
            "role",
            "party",
            "vacant",
            "substitute_for",
        ],
    );
    for (pos, x) in m.members.iter().enumerate() {
        members.push(vec![
            id.as_str().into(),
            count(pos).into(),
            x.name.as_deref().into(),
            x.role.as_deref().into(),
            x.party.as_deref().into(),
            flag(x.vacant).into(),
            x.substitute_for.as_deref().into(),
        ]);
    }
    members.flush(conn).await?;
    let mut absences = Rows::new(
        "meeting_absences",
        &["meeting_id", "position", "name", "role", "party", "notice"],
    );
    for (pos, a) in m.absent.iter().enumerate() {
        absences.push(vec![
            id.as_str().into(),
            count(pos).into(),
            a.name.as_str().into(),
            a.role.as_deref().into(),
            a.party.as_deref().into(),
            flag(a.notice).into(),
        ]);
    }
    absences.flush(conn).await?;

    let mut rows = ItemRows::new();
    let all_attachments: Vec<&protokol_core::Attachment> =
        m.items.iter().flat_map(|i| i.attachments.iter()).collect();
    let mut documents = documents::resolve_all(conn, &all_attachments)
        .await?
        .into_iter();
    for (pos, item) in m.items.iter().enumerate() {
        let item_id = item.id.unwrap_or_default().to_string();
        let version = match item_versions.get(&item_id) {
            None => 1,
            Some(v) => {
                let same = old_items.iter().any(|o| o == item);
                if same { *v } else { v + 1 }
            }
        };
        let docs: Vec<Option<String>> = documents.by_ref().take(item.attachments.len()).collect();
        rows.add(&id, count(pos), item, version, &docs);
    }
    rows.flush(conn).await?;

    let mut plan = Rows::new(
        "forward_plan",
        &["meeting_id", "position", "plan_date", "topics"],
    );
    for (pos, p) in m.forward_plan.iter().enumerate() {
        plan.push(vec![
            id.as_str().into(),
            count(pos).into(),
            date_text(p.date).into(),
            json_text(&p.topics).into(),
        ]);
    }
    plan.flush(conn).await?;
    let mut awaiting = Rows::new("awaiting_topics", &["meeting_id", "position", "topic"]);
    for (pos, t) in m.awaiting_date.iter().enumerate() {
        awaiting.push(vec![
            id.as_str().into(),
            count(pos).into(),
            t.as_str().into(),
        ]);
    }
    awaiting.flush(conn).await?;
    let mut signatures = Rows::new(
        "signatures",
        &[
            "meeting_id",
            "position",
            "member",
            "signed_at",
            "reservation",
        ],
    );
    for (pos, s) in m.signatures.iter().enumerate() {
        signatures.push(vec![
            id.as_str().into(),
            count(pos).into(),
            s.member.as_str().into(),
            s.signed_at.to_rfc3339().into(),
            s.reservation.as_deref().into(),
        ]);
    }
    signatures.flush(conn).await?;
    Ok(())
}

/// Inserts one item row and all rows below it.
async fn insert_item(
    conn: &mut AnyConnection,
    meeting_id: &str,
    position: i64,
    item: &Item,
    version: i64,
) -> Result<()> {
    let atts: Vec<&protokol_core::Attachment> = item.attachments.iter().collect();
    let docs = documents::resolve_all(conn, &atts).await?;
    let mut rows = ItemRows::new();
    rows.add(meeting_id, position, item, version, &docs);
    rows.flush(conn).await
}

/// The rows of items and everything below them, collected for multi-row inserts.
struct ItemRows {
    items: Rows,
    sub_points: Rows,
    participants: Rows,
    followups: Rows,
    next: Rows,
    people: Rows,
    votes: Rows,
    dissents: Rows,
    attachments: Rows,
}

impl ItemRows {
    fn new() -> Self {
        Self {
            items: Rows::new(
                "items",
                &[
                    "id",
                    "meeting_id",
                    "position",
                    "number",
                    "title",
                    "access",
                    "closed_reason",
                    "public_title",
                    "public_decision",
                    "route",
                    "case_number",
                    "case_key",
                    "case_text",
                    "economy",
                    "recommendation",
                    "sections",
                    "decision",
                    "decision_date",
                    "version",
                ],
            ),
            sub_points: Rows::new(
                "sub_points",
                &[
                    "id",
                    "item_id",
                    "position",
                    "start_time",
                    "title",
                    "body_text",
                    "decision",
                ],
            ),
            participants: Rows::new(
                "participants",
                &["item_id", "sub_point_id", "position", "name"],
            ),
            followups: Rows::new(
                "followups",
                &[
                    "id",
                    "item_id",
                    "sub_point_id",
                    "position",
                    "owner",
                    "body_text",
                    "status",
                ],
            ),
            next: Rows::new(
                "next_steps",
                &[
                    "item_id",
                    "sub_point_id",
                    "position",
                    "body_name",
                    "target_date",
                    "kind",
                ],
            ),
            people: Rows::new("item_people", &["item_id", "relation", "position", "name"]),
            votes: Rows::new(
                "votes",
                &[
                    "item_id",
                    "position",
                    "vote_option",
                    "members",
                    "parties",
                    "vote_count",
                ],
            ),
            dissents: Rows::new("dissents", &["item_id", "position", "member", "body_text"]),
            attachments: Rows::new(
                "attachments",
                &[
                    "id",
                    "item_id",
                    "number",
                    "position",
                    "title",
                    "access",
                    "journal",
                    "document_id",
                ],
            ),
        }
    }

    /// Adds an item; `documents` holds the document row id of each of its attachments.
    fn add(
        &mut self,
        meeting_id: &str,
        position: i64,
        item: &Item,
        version: i64,
        documents: &[Option<String>],
    ) {
        let item_id = item.id.unwrap_or_default().to_string();
        self.items.push(vec![
            item_id.as_str().into(),
            meeting_id.into(),
            position.into(),
            item.number.map(i64::from).into(),
            item.title.as_str().into(),
            item.access.as_str().into(),
            item.closed_reason.as_deref().into(),
            item.public_title.as_deref().into(),
            item.public_decision.as_deref().into(),
            json_text(&item.route).into(),
            item.case_number.as_deref().into(),
            item.case_number
                .as_deref()
                .and_then(protokol_core::public::case_key)
                .into(),
            item.case.as_deref().into(),
            item.economy.as_deref().into(),
            item.recommendation.as_deref().into(),
            json_text(&item.sections).into(),
            item.decision.as_deref().into(),
            item.decision_date.map(date_text).into(),
            version.into(),
        ]);
        self.point(
            &item_id,
            None,
            &item.participants,
            &item.followups,
            &item.next,
        );
        for (pos, sp) in item.schedule.iter().enumerate() {
            let sp_id = sp.id.unwrap_or_default().to_string();
            self.sub_points.push(vec![
                sp_id.as_str().into(),
                item_id.as_str().into(),
                count(pos).into(),
                sp.time.map(|t| t.to_string()).into(),
                sp.title.as_str().into(),
                sp.text.as_deref().into(),
                sp.decision.as_deref().into(),
            ]);
            self.point(
                &item_id,
                Some(&sp_id),
                &sp.participants,
                &sp.followups,
                &sp.next,
            );
        }
        for (relation, names) in [
            ("absent", &item.absent),
            ("disqualified", &item.disqualified),
        ] {
            for (pos, name) in names.iter().enumerate() {
                self.people.push(vec![
                    item_id.as_str().into(),
                    relation.into(),
                    count(pos).into(),
                    name.as_str().into(),
                ]);
            }
        }
        for (pos, v) in item.votes.iter().enumerate() {
            self.votes.push(vec![
                item_id.as_str().into(),
                count(pos).into(),
                v.option.as_str().into(),
                json_text(&v.members).into(),
                json_text(&v.parties).into(),
                v.count.map(i64::from).into(),
            ]);
        }
        for (pos, d) in item.dissents.iter().enumerate() {
            self.dissents.push(vec![
                item_id.as_str().into(),
                count(pos).into(),
                d.member.as_str().into(),
                d.text.as_str().into(),
            ]);
        }
        for (pos, a) in item.attachments.iter().enumerate() {
            self.attachments.push(vec![
                a.id.unwrap_or_default().to_string().into(),
                item_id.as_str().into(),
                i64::from(a.number).into(),
                count(pos).into(),
                a.title.as_str().into(),
                a.access.as_str().into(),
                a.journal.as_deref().into(),
                documents.get(pos).cloned().flatten().into(),
            ]);
        }
    }

    /// Participants, follow-ups and next steps of an item (`sub_point` none) or a sub-point.
    fn point(
        &mut self,
        item_id: &str,
        sub_point: Option<&str>,
        participants: &[String],
        followups: &[protokol_core::Followup],
        next: &[protokol_core::NextStep],
    ) {
        for (pos, name) in participants.iter().enumerate() {
            self.participants.push(vec![
                item_id.into(),
                sub_point.into(),
                count(pos).into(),
                name.as_str().into(),
            ]);
        }
        for (pos, f) in followups.iter().enumerate() {
            self.followups.push(vec![
                f.id.unwrap_or_default().to_string().into(),
                item_id.into(),
                sub_point.into(),
                count(pos).into(),
                f.owner.as_str().into(),
                f.text.as_deref().into(),
                f.status.as_str().into(),
            ]);
        }
        for (pos, n) in next.iter().enumerate() {
            self.next.push(vec![
                item_id.into(),
                sub_point.into(),
                count(pos).into(),
                n.body.as_str().into(),
                date_text(n.date).into(),
                n.kind.as_str().into(),
            ]);
        }
    }

    /// Inserts the rows, parents before children.
    async fn flush(self, conn: &mut AnyConnection) -> Result<()> {
        for rows in [
            self.items,
            self.sub_points,
            self.participants,
            self.followups,
            self.next,
            self.people,
            self.votes,
            self.dissents,
            self.attachments,
        ] {
            rows.flush(conn).await?;
        }
        Ok(())
    }
}

async fn log_meeting(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
    id: MeetingId,
    version: i64,
) -> Result<()> {
    let id = id.to_string();
    record(
        conn,
        NewChange {
            actor,
            action,
            entity: "meeting",
            entity_id: &id,
            meeting_id: Some(&id),
            version: Some(version),
            detail: None,
        },
    )
    .await
}
