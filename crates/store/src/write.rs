//! Writing meetings: creating, importing (create or update by identity) and editing with a
//! version check. Each call is one transaction that also appends to the change log.

use std::collections::{HashMap, HashSet};

use protokol_core::{Body, Item, ItemId, Meeting, MeetingId, validate_meeting};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::bodies::ensure_body;
use crate::changes::{NewChange, record};
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
    }
    m
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
        let mut out = Vec::with_capacity(meetings.len());
        for m in meetings {
            out.push(upsert_in(&mut tx, m, actor).await?);
        }
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
        refuse_invalid(m)?;
        let id =
            m.id.ok_or_else(|| StoreError::Rejected("the meeting to update has no id".into()))?;
        let mut tx = self.begin_write().await?;
        let (old, old_version) =
            load_meeting(&mut tx, &id.to_string())
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    entity: "meeting",
                    id: id.to_string(),
                })?;
        if old_version != expected_version {
            return Err(StoreError::Conflict {
                entity: "meeting",
                id: id.to_string(),
                expected: expected_version,
                current: old_version,
            });
        }
        let body = ensure_body(&mut tx, &m.body, actor).await?;
        let mut warnings = body_name_warning(&body, m);
        let mut new = m.clone();
        new.body.name = body.name.clone();
        warnings.extend(assign_item_ids(&mut tx, &mut new, &old.items).await?);
        documents::fill_known_files(&mut tx, &mut new).await?;
        if without_ids(&new) == without_ids(&old) {
            return Ok(unchanged(id, old_version, warnings));
        }
        ensure_date_free(&mut tx, &body, &new, id).await?;
        let version = rewrite(&mut tx, &new, &body, &old, old_version).await?;
        log_meeting(&mut tx, actor, "meeting.updated", id, version).await?;
        tx.commit().await?;
        Ok(Saved {
            id,
            version,
            outcome: SaveOutcome::Updated,
            warnings,
        })
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
        let item_id = item
            .id
            .ok_or_else(|| StoreError::Rejected("the item to update has no id".into()))?;
        let not_found = || StoreError::NotFound {
            entity: "item",
            id: item_id.to_string(),
        };
        let mut tx = self.begin_write().await?;
        let (mut m, _) = load_meeting(&mut tx, &meeting.to_string())
            .await?
            .ok_or_else(not_found)?;
        let row =
            sqlx::query("SELECT version, position FROM items WHERE id = $1 AND meeting_id = $2")
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
        if *slot == *item {
            return Ok(current);
        }
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
        insert_item(&mut tx, &meeting.to_string(), position, item, version).await?;
        sqlx::query("UPDATE meetings SET version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(now())
            .bind(meeting.to_string())
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            NewChange {
                actor,
                action: "item.updated",
                entity: "item",
                entity_id: &item_id.to_string(),
                meeting_id: Some(&meeting.to_string()),
                version: Some(version),
                detail: None,
            },
        )
        .await?;
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
    ensure_date_free(conn, &body, &new, id).await?;
    let version = rewrite(conn, &new, &body, &old, old_version).await?;
    log_meeting(conn, actor, "meeting.updated", id, version).await?;
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
    for (pos, x) in m.members.iter().enumerate() {
        sqlx::query(
            "INSERT INTO meeting_members (meeting_id, position, name, role, party, vacant,
             substitute_for) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(count(pos))
        .bind(x.name.as_deref())
        .bind(x.role.as_deref())
        .bind(x.party.as_deref())
        .bind(flag(x.vacant))
        .bind(x.substitute_for.as_deref())
        .execute(&mut *conn)
        .await?;
    }
    for (pos, a) in m.absent.iter().enumerate() {
        sqlx::query(
            "INSERT INTO meeting_absences (meeting_id, position, name, role, party, notice)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(count(pos))
        .bind(a.name.as_str())
        .bind(a.role.as_deref())
        .bind(a.party.as_deref())
        .bind(flag(a.notice))
        .execute(&mut *conn)
        .await?;
    }
    for (pos, item) in m.items.iter().enumerate() {
        let item_id = item.id.unwrap_or_default().to_string();
        let version = match item_versions.get(&item_id) {
            None => 1,
            Some(v) => {
                let same = old_items.iter().any(|o| o == item);
                if same { *v } else { v + 1 }
            }
        };
        insert_item(conn, &id, count(pos), item, version).await?;
    }
    for (pos, p) in m.forward_plan.iter().enumerate() {
        sqlx::query(
            "INSERT INTO forward_plan (meeting_id, position, plan_date, topics)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(count(pos))
        .bind(date_text(p.date))
        .bind(json_text(&p.topics))
        .execute(&mut *conn)
        .await?;
    }
    for (pos, t) in m.awaiting_date.iter().enumerate() {
        sqlx::query(
            "INSERT INTO awaiting_topics (meeting_id, position, topic) VALUES ($1, $2, $3)",
        )
        .bind(&id)
        .bind(count(pos))
        .bind(t.as_str())
        .execute(&mut *conn)
        .await?;
    }
    for (pos, s) in m.signatures.iter().enumerate() {
        sqlx::query(
            "INSERT INTO signatures (meeting_id, position, member, signed_at, reservation)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(count(pos))
        .bind(s.member.as_str())
        .bind(s.signed_at.to_rfc3339())
        .bind(s.reservation.as_deref())
        .execute(&mut *conn)
        .await?;
    }
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
    let item_id = item.id.unwrap_or_default().to_string();
    sqlx::query(
        "INSERT INTO items (id, meeting_id, position, number, title, access, closed_reason,
         public_title, public_decision, route, case_text, economy, recommendation, decision,
         decision_date, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&item_id)
    .bind(meeting_id)
    .bind(position)
    .bind(item.number.map(i64::from))
    .bind(item.title.as_str())
    .bind(item.access.as_str())
    .bind(item.closed_reason.as_deref())
    .bind(item.public_title.as_deref())
    .bind(item.public_decision.as_deref())
    .bind(json_text(&item.route))
    .bind(item.case.as_deref())
    .bind(item.economy.as_deref())
    .bind(item.recommendation.as_deref())
    .bind(item.decision.as_deref())
    .bind(item.decision_date.map(date_text))
    .bind(version)
    .execute(&mut *conn)
    .await?;

    insert_point(
        conn,
        &item_id,
        None,
        &item.participants,
        &item.followups,
        &item.next,
    )
    .await?;
    for (pos, sp) in item.schedule.iter().enumerate() {
        let sp_id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO sub_points (id, item_id, position, start_time, title, body_text, decision)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&sp_id)
        .bind(&item_id)
        .bind(count(pos))
        .bind(sp.time.map(|t| t.to_string()))
        .bind(sp.title.as_str())
        .bind(sp.text.as_deref())
        .bind(sp.decision.as_deref())
        .execute(&mut *conn)
        .await?;
        insert_point(
            conn,
            &item_id,
            Some(&sp_id),
            &sp.participants,
            &sp.followups,
            &sp.next,
        )
        .await?;
    }
    for (relation, names) in [
        ("absent", &item.absent),
        ("disqualified", &item.disqualified),
    ] {
        for (pos, name) in names.iter().enumerate() {
            sqlx::query(
                "INSERT INTO item_people (item_id, relation, position, name) VALUES ($1, $2, $3, $4)",
            )
            .bind(&item_id)
            .bind(relation)
            .bind(count(pos))
            .bind(name.as_str())
            .execute(&mut *conn)
            .await?;
        }
    }
    for (pos, v) in item.votes.iter().enumerate() {
        sqlx::query(
            "INSERT INTO votes (item_id, position, vote_option, members, parties, vote_count)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&item_id)
        .bind(count(pos))
        .bind(v.option.as_str())
        .bind(json_text(&v.members))
        .bind(json_text(&v.parties))
        .bind(v.count.map(i64::from))
        .execute(&mut *conn)
        .await?;
    }
    for (pos, d) in item.dissents.iter().enumerate() {
        sqlx::query(
            "INSERT INTO dissents (item_id, position, member, body_text) VALUES ($1, $2, $3, $4)",
        )
        .bind(&item_id)
        .bind(count(pos))
        .bind(d.member.as_str())
        .bind(d.text.as_str())
        .execute(&mut *conn)
        .await?;
    }
    for (pos, a) in item.attachments.iter().enumerate() {
        let document = documents::resolve(conn, a).await?;
        sqlx::query(
            "INSERT INTO attachments (item_id, number, position, title, access, journal, document_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&item_id)
        .bind(i64::from(a.number))
        .bind(count(pos))
        .bind(a.title.as_str())
        .bind(a.access.as_str())
        .bind(a.journal.as_deref())
        .bind(document)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Participants, follow-ups and next steps of an item (`sub_point` none) or a sub-point.
async fn insert_point(
    conn: &mut AnyConnection,
    item_id: &str,
    sub_point: Option<&str>,
    participants: &[String],
    followups: &[protokol_core::Followup],
    next: &[protokol_core::NextStep],
) -> Result<()> {
    for (pos, name) in participants.iter().enumerate() {
        sqlx::query(
            "INSERT INTO participants (item_id, sub_point_id, position, name) VALUES ($1, $2, $3, $4)",
        )
        .bind(item_id)
        .bind(sub_point)
        .bind(count(pos))
        .bind(name.as_str())
        .execute(&mut *conn)
        .await?;
    }
    for (pos, f) in followups.iter().enumerate() {
        sqlx::query(
            "INSERT INTO followups (id, item_id, sub_point_id, position, owner, body_text, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(item_id)
        .bind(sub_point)
        .bind(count(pos))
        .bind(f.owner.as_str())
        .bind(f.text.as_deref())
        .bind(f.status.as_str())
        .execute(&mut *conn)
        .await?;
    }
    for (pos, n) in next.iter().enumerate() {
        sqlx::query(
            "INSERT INTO next_steps (item_id, sub_point_id, position, body_name, target_date, kind)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(item_id)
        .bind(sub_point)
        .bind(count(pos))
        .bind(n.body.as_str())
        .bind(date_text(n.date))
        .bind(n.kind.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
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
