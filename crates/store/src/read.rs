//! Reading meetings back: one query per kind of child row, assembled in memory, so loading
//! a meeting costs a fixed number of round trips however many items it has.

use std::collections::HashMap;

use chrono::NaiveDate;
use protokol_core::{
    Absence, Access, Attachment, AttachmentFile, BodyCode, BodyRef, Dissent, Followup,
    FollowupStatus, ForwardPlanEntry, Item, ItemId, Meeting, MeetingId, MeetingKind, MeetingStatus,
    Member, NextKind, NextStep, Signature, SubPoint, Vote, VoteOption,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::codec::{date, date_text, enum_value, from_json, opt_date, opt_time, small, timestamp};
use crate::{Result, Store, StoreError};

/// A line in a list of meetings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingSummary {
    pub id: MeetingId,
    pub body_code: BodyCode,
    pub body_name: String,
    pub date: NaiveDate,
    pub kind: MeetingKind,
    pub status: Option<MeetingStatus>,
    pub location: Option<String>,
    pub items: i64,
    pub version: i64,
}

fn parse_id<T: std::str::FromStr>(what: &str, s: &str) -> Result<T> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{what} id {s:?} is not a UUID")))
}

fn text(r: &AnyRow, col: &str) -> Result<String> {
    Ok(r.try_get::<String, _>(col)?)
}

fn opt_text(r: &AnyRow, col: &str) -> Result<Option<String>> {
    Ok(r.try_get::<Option<String>, _>(col)?)
}

/// Rows of a child table grouped by their owner: (item id, sub-point id or none).
type ByPoint<T> = HashMap<(String, Option<String>), Vec<T>>;

/// Loads meeting `id` with its version, or `None` if there is no such meeting.
pub(crate) async fn load_meeting(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(Meeting, i64)>> {
    let Some(head) = sqlx::query(
        "SELECT m.id, m.meeting_date, m.kind, m.status, m.start_time, m.end_time, m.location,
                m.sources, m.version, b.code, b.name AS body_name
         FROM meetings m JOIN bodies b ON b.id = m.body_id WHERE m.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };

    let body = BodyRef {
        name: text(&head, "body_name")?,
        code: text(&head, "code")?
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("body code: {e}")))?,
    };
    let mut m = Meeting::new(
        body,
        enum_value("meetings.kind", &text(&head, "kind")?, MeetingKind::parse)?,
        date(&text(&head, "meeting_date")?)?,
    );
    m.id = Some(parse_id("meeting", id)?);
    m.status = opt_text(&head, "status")?
        .map(|s| enum_value("meetings.status", &s, MeetingStatus::parse))
        .transpose()?;
    m.start = opt_time(opt_text(&head, "start_time")?)?;
    m.end = opt_time(opt_text(&head, "end_time")?)?;
    m.location = opt_text(&head, "location")?;
    m.sources = from_json("meetings.sources", &text(&head, "sources")?)?;
    let version: i64 = head.try_get("version")?;

    for r in sqlx::query(
        "SELECT name, role, party, vacant, substitute_for FROM meeting_members
         WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        m.members.push(Member {
            name: opt_text(&r, "name")?,
            role: opt_text(&r, "role")?,
            party: opt_text(&r, "party")?,
            vacant: r.try_get::<i64, _>("vacant")? != 0,
            substitute_for: opt_text(&r, "substitute_for")?,
        });
    }
    for r in sqlx::query(
        "SELECT name, role, party, notice FROM meeting_absences
         WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        m.absent.push(Absence {
            name: text(&r, "name")?,
            role: opt_text(&r, "role")?,
            party: opt_text(&r, "party")?,
            notice: r.try_get::<i64, _>("notice")? != 0,
        });
    }

    m.items = load_items(conn, id).await?;

    for r in sqlx::query(
        "SELECT plan_date, topics FROM forward_plan WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        m.forward_plan.push(ForwardPlanEntry {
            date: date(&text(&r, "plan_date")?)?,
            topics: from_json("forward_plan.topics", &text(&r, "topics")?)?,
        });
    }
    for r in
        sqlx::query("SELECT topic FROM awaiting_topics WHERE meeting_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
    {
        m.awaiting_date.push(text(&r, "topic")?);
    }
    for r in sqlx::query(
        "SELECT member, signed_at, reservation FROM signatures
         WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        m.signatures.push(Signature {
            member: text(&r, "member")?,
            signed_at: timestamp(&text(&r, "signed_at")?)?,
            reservation: opt_text(&r, "reservation")?,
        });
    }
    Ok(Some((m, version)))
}

/// The meeting of a body (by code) on a date, and its version.
pub(crate) async fn load_meeting_on(
    conn: &mut AnyConnection,
    body: &BodyCode,
    date: NaiveDate,
) -> Result<Option<(Meeting, i64)>> {
    let row = sqlx::query(
        "SELECT m.id FROM meetings m JOIN bodies b ON b.id = m.body_id
         WHERE b.code = $1 AND m.meeting_date = $2",
    )
    .bind(body.as_str())
    .bind(date_text(date))
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => load_meeting(conn, &text(&r, "id")?).await,
        None => Ok(None),
    }
}

async fn load_items(conn: &mut AnyConnection, meeting_id: &str) -> Result<Vec<Item>> {
    let item_rows = sqlx::query(
        "SELECT id, number, title, access, closed_reason, public_title, public_decision, route,
                case_number, case_text, economy, recommendation, sections, decision,
                decision_date
         FROM items WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(meeting_id)
    .fetch_all(&mut *conn)
    .await?;

    // Sub-points, grouped by item, in order.
    let mut sub_points: HashMap<String, Vec<(String, SubPoint)>> = HashMap::new();
    for r in sqlx::query(
        "SELECT s.id, s.item_id, s.start_time, s.title, s.body_text, s.decision
         FROM sub_points s JOIN items i ON i.id = s.item_id
         WHERE i.meeting_id = $1 ORDER BY s.item_id, s.position",
    )
    .bind(meeting_id)
    .fetch_all(&mut *conn)
    .await?
    {
        let sp_id = text(&r, "id")?;
        sub_points.entry(text(&r, "item_id")?).or_default().push((
            sp_id.clone(),
            SubPoint {
                id: Some(parse_id("sub-point", &sp_id)?),
                time: opt_time(opt_text(&r, "start_time")?)?,
                title: text(&r, "title")?,
                text: opt_text(&r, "body_text")?,
                decision: opt_text(&r, "decision")?,
                participants: Vec::new(),
                followups: Vec::new(),
                next: Vec::new(),
            },
        ));
    }

    let mut participants: ByPoint<String> = HashMap::new();
    for r in point_rows(conn, "participants", "name", meeting_id).await? {
        participants
            .entry(point_key(&r)?)
            .or_default()
            .push(text(&r, "name")?);
    }
    let mut followups: ByPoint<Followup> = HashMap::new();
    for r in point_rows(
        conn,
        "followups",
        "id, owner, body_text, status",
        meeting_id,
    )
    .await?
    {
        followups.entry(point_key(&r)?).or_default().push(Followup {
            id: Some(parse_id("follow-up", &text(&r, "id")?)?),
            owner: text(&r, "owner")?,
            text: opt_text(&r, "body_text")?,
            status: enum_value(
                "followups.status",
                &text(&r, "status")?,
                FollowupStatus::parse,
            )?,
        });
    }
    let mut next: ByPoint<NextStep> = HashMap::new();
    for r in point_rows(
        conn,
        "next_steps",
        "body_name, target_date, kind",
        meeting_id,
    )
    .await?
    {
        next.entry(point_key(&r)?).or_default().push(NextStep {
            body: text(&r, "body_name")?,
            date: date(&text(&r, "target_date")?)?,
            kind: enum_value("next_steps.kind", &text(&r, "kind")?, NextKind::parse)?,
        });
    }

    let mut absent: HashMap<String, Vec<String>> = HashMap::new();
    let mut disqualified: HashMap<String, Vec<String>> = HashMap::new();
    for r in item_rows_of(conn, "item_people", "relation, name", meeting_id).await? {
        let target = match text(&r, "relation")?.as_str() {
            "absent" => &mut absent,
            _ => &mut disqualified,
        };
        target
            .entry(text(&r, "item_id")?)
            .or_default()
            .push(text(&r, "name")?);
    }
    let mut votes: HashMap<String, Vec<Vote>> = HashMap::new();
    for r in item_rows_of(
        conn,
        "votes",
        "vote_option, members, parties, vote_count",
        meeting_id,
    )
    .await?
    {
        votes.entry(text(&r, "item_id")?).or_default().push(Vote {
            option: enum_value(
                "votes.vote_option",
                &text(&r, "vote_option")?,
                VoteOption::parse,
            )?,
            members: from_json("votes.members", &text(&r, "members")?)?,
            parties: from_json("votes.parties", &text(&r, "parties")?)?,
            count: small("votes.vote_count", r.try_get("vote_count")?)?,
        });
    }
    let mut dissents: HashMap<String, Vec<Dissent>> = HashMap::new();
    for r in item_rows_of(conn, "dissents", "member, body_text", meeting_id).await? {
        dissents
            .entry(text(&r, "item_id")?)
            .or_default()
            .push(Dissent {
                member: text(&r, "member")?,
                text: text(&r, "body_text")?,
            });
    }
    let mut attachments: HashMap<String, Vec<Attachment>> = HashMap::new();
    for r in sqlx::query(
        "SELECT a.id, a.item_id, a.number, a.title, a.access, a.journal, d.doc_no, d.file_name,
                d.media_type, d.sha256, d.file_text
         FROM attachments a JOIN items i ON i.id = a.item_id
         LEFT JOIN documents d ON d.id = a.document_id
         WHERE i.meeting_id = $1 ORDER BY a.item_id, a.position",
    )
    .bind(meeting_id)
    .fetch_all(&mut *conn)
    .await?
    {
        let file = match (opt_text(&r, "file_name")?, opt_text(&r, "media_type")?) {
            (Some(name), Some(media_type)) => Some(AttachmentFile {
                name,
                media_type,
                sha256: opt_text(&r, "sha256")?,
                text: opt_text(&r, "file_text")?.map(Into::into),
            }),
            _ => None,
        };
        attachments
            .entry(text(&r, "item_id")?)
            .or_default()
            .push(Attachment {
                id: opt_text(&r, "id")?
                    .map(|i| parse_id("attachment", &i))
                    .transpose()?,
                number: small("attachments.number", r.try_get("number")?)?.unwrap_or_default(),
                title: text(&r, "title")?,
                access: enum_value("attachments.access", &text(&r, "access")?, Access::parse)?,
                doc_id: opt_text(&r, "doc_no")?,
                journal: opt_text(&r, "journal")?,
                file,
            });
    }

    let mut items = Vec::with_capacity(item_rows.len());
    for r in item_rows {
        let id = text(&r, "id")?;
        let mut item = Item::new(
            small("items.number", r.try_get("number")?)?,
            text(&r, "title")?,
        );
        item.id = Some(parse_id::<ItemId>("item", &id)?);
        item.access = enum_value("items.access", &text(&r, "access")?, Access::parse)?;
        item.closed_reason = opt_text(&r, "closed_reason")?;
        item.public_title = opt_text(&r, "public_title")?;
        item.public_decision = opt_text(&r, "public_decision")?;
        item.route = from_json("items.route", &text(&r, "route")?)?;
        item.case_number = opt_text(&r, "case_number")?;
        item.case = opt_text(&r, "case_text")?;
        item.economy = opt_text(&r, "economy")?;
        item.recommendation = opt_text(&r, "recommendation")?;
        item.sections = from_json("items.sections", &text(&r, "sections")?)?;
        item.decision = opt_text(&r, "decision")?;
        item.decision_date = opt_date(opt_text(&r, "decision_date")?)?;
        let key = (id.clone(), None);
        item.participants = participants.remove(&key).unwrap_or_default();
        item.followups = followups.remove(&key).unwrap_or_default();
        item.next = next.remove(&key).unwrap_or_default();
        item.schedule = sub_points
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .map(|(sp_id, mut sp)| {
                let key = (id.clone(), Some(sp_id));
                sp.participants = participants.remove(&key).unwrap_or_default();
                sp.followups = followups.remove(&key).unwrap_or_default();
                sp.next = next.remove(&key).unwrap_or_default();
                sp
            })
            .collect();
        item.attachments = attachments.remove(&id).unwrap_or_default();
        item.absent = absent.remove(&id).unwrap_or_default();
        item.disqualified = disqualified.remove(&id).unwrap_or_default();
        item.votes = votes.remove(&id).unwrap_or_default();
        item.dissents = dissents.remove(&id).unwrap_or_default();
        items.push(item);
    }
    Ok(items)
}

/// Rows of a child table that belongs to an item or to one of its sub-points.
async fn point_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &str,
    meeting_id: &str,
) -> Result<Vec<AnyRow>> {
    let cols = columns
        .split(", ")
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(sqlx::query(AssertSqlSafe(format!(
        "SELECT t.item_id, t.sub_point_id, {cols} FROM {table} t JOIN items i ON i.id = t.item_id
         WHERE i.meeting_id = $1 ORDER BY t.item_id, t.position"
    )))
    .bind(meeting_id)
    .fetch_all(conn)
    .await?)
}

/// Rows of a child table that belongs to an item.
async fn item_rows_of(
    conn: &mut AnyConnection,
    table: &str,
    columns: &str,
    meeting_id: &str,
) -> Result<Vec<AnyRow>> {
    let cols = columns
        .split(", ")
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(sqlx::query(AssertSqlSafe(format!(
        "SELECT t.item_id, {cols} FROM {table} t JOIN items i ON i.id = t.item_id
         WHERE i.meeting_id = $1 ORDER BY t.item_id, t.position"
    )))
    .bind(meeting_id)
    .fetch_all(conn)
    .await?)
}

fn point_key(r: &AnyRow) -> Result<(String, Option<String>)> {
    Ok((text(r, "item_id")?, opt_text(r, "sub_point_id")?))
}

fn summary_from_row(r: &AnyRow) -> Result<MeetingSummary> {
    Ok(MeetingSummary {
        id: parse_id("meeting", &text(r, "id")?)?,
        body_code: text(r, "code")?
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("body code: {e}")))?,
        body_name: text(r, "body_name")?,
        date: date(&text(r, "meeting_date")?)?,
        kind: enum_value("meetings.kind", &text(r, "kind")?, MeetingKind::parse)?,
        status: opt_text(r, "status")?
            .map(|s| enum_value("meetings.status", &s, MeetingStatus::parse))
            .transpose()?,
        location: opt_text(r, "location")?,
        items: r.try_get("items")?,
        version: r.try_get("version")?,
    })
}

const SUMMARY_SELECT: &str = "SELECT m.id, b.code, b.name AS body_name, m.meeting_date, m.kind,
        m.status, m.location, m.version,
        (SELECT COUNT(*) FROM items i WHERE i.meeting_id = m.id) AS items
    FROM meetings m JOIN bodies b ON b.id = m.body_id";

impl Store {
    /// Meeting `id` and its version.
    pub async fn meeting(&self, id: MeetingId) -> Result<Option<(Meeting, i64)>> {
        let mut conn = self.pool.acquire().await?;
        load_meeting(&mut conn, &id.to_string()).await
    }

    /// The meeting of a body on a date, and its version.
    pub async fn meeting_on(
        &self,
        body: &BodyCode,
        date: NaiveDate,
    ) -> Result<Option<(Meeting, i64)>> {
        let mut conn = self.pool.acquire().await?;
        load_meeting_on(&mut conn, body, date).await
    }

    /// All meetings, newest first within each body; bodies by name.
    pub async fn meetings(&self) -> Result<Vec<MeetingSummary>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{SUMMARY_SELECT} ORDER BY b.name, m.meeting_date DESC"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// A body's meetings on or after `from`, soonest first, at most `limit` (by index).
    pub async fn meetings_from(
        &self,
        body: &BodyCode,
        from: NaiveDate,
        limit: i64,
    ) -> Result<Vec<MeetingSummary>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{SUMMARY_SELECT} WHERE b.code = $1 AND m.meeting_date >= $2
             ORDER BY m.meeting_date LIMIT $3"
        )))
        .bind(body.as_str())
        .bind(date_text(from))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// A body's meetings before `before` (all of them with `None`), newest first, at most
    /// `limit` (by index).
    pub async fn meetings_before(
        &self,
        body: &BodyCode,
        before: Option<NaiveDate>,
        limit: i64,
    ) -> Result<Vec<MeetingSummary>> {
        // Dates are stored as ISO text: a date after every stored one bounds "all".
        let before = before.map_or_else(|| "9999-12-31".to_string(), date_text);
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{SUMMARY_SELECT} WHERE b.code = $1 AND m.meeting_date < $2
             ORDER BY m.meeting_date DESC LIMIT $3"
        )))
        .bind(body.as_str())
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// The drafts (planned meetings whose agenda is not published) of a body, soonest
    /// first, at most 50.
    pub async fn drafts_of(&self, body: &BodyCode) -> Result<Vec<MeetingSummary>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{SUMMARY_SELECT} WHERE m.status = 'planned' AND b.code = $1
             ORDER BY m.meeting_date LIMIT 50"
        )))
        .bind(body.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// How many meetings are stored.
    pub async fn meeting_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM meetings")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }
}
