//! A body's forward plan: topics wanted for a coming meeting or awaiting a date, and pulling
//! a topic into a draft agenda.

use chrono::{NaiveDate, Utc};
use protokol_core::{BodyCode, Item, MeetingId, MeetingStatus};
use sqlx::Row;

use crate::accounts::instant_text;
use crate::read::load_meeting;
use crate::write::replace_meeting;
use crate::{Result, Store, StoreError};

/// A topic of the plan not yet on an agenda.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    pub id: i64,
    pub title: String,
    /// The meeting it is wanted for; `None`: awaiting a date.
    pub wanted_date: Option<NaiveDate>,
    pub added_by: String,
}

impl Store {
    /// Adds a topic to `body`'s plan.
    pub async fn add_topic(
        &self,
        body: &BodyCode,
        title: &str,
        wanted_date: Option<NaiveDate>,
        actor: &str,
    ) -> Result<i64> {
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 300 {
            return Err(StoreError::Rejected(
                "a topic needs a title of at most 300 characters".into(),
            ));
        }
        let row = sqlx::query(
            "INSERT INTO plan_topics (body_code, title, wanted_date, added_by, added_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(body.as_str())
        .bind(title)
        .bind(wanted_date.map(|d| d.to_string()))
        .bind(actor)
        .bind(instant_text(Utc::now()))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// The topics of `body`'s plan not yet pulled into an agenda: dated ones by date, then
    /// those awaiting a date, each in the order they were added.
    pub async fn topics(&self, body: &BodyCode) -> Result<Vec<Topic>> {
        let rows = sqlx::query(
            "SELECT id, title, wanted_date, added_by FROM plan_topics
             WHERE body_code = $1 AND pulled_to IS NULL
             ORDER BY wanted_date IS NULL, wanted_date, id",
        )
        .bind(body.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let date: Option<String> = r.try_get("wanted_date")?;
                Ok(Topic {
                    id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    wanted_date: date
                        .map(|d| {
                            d.parse().map_err(|_| {
                                StoreError::Corrupt(format!("topic date {d:?} does not read"))
                            })
                        })
                        .transpose()?,
                    added_by: r.try_get("added_by")?,
                })
            })
            .collect()
    }

    /// Puts topic `topic` of the plan on the draft agenda of meeting `meeting` (still at
    /// `expected_version`) as a new last item, and takes it off the plan: both or neither.
    /// Refused for a meeting whose agenda is already published, a meeting of another body,
    /// or a topic already pulled.
    pub async fn pull_topic(
        &self,
        topic: i64,
        meeting: MeetingId,
        expected_version: i64,
        actor: &str,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT body_code, title, pulled_to FROM plan_topics WHERE id = $1")
            .bind(topic)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "topic",
                id: topic.to_string(),
            })?;
        let body: String = row.try_get("body_code")?;
        let title: String = row.try_get("title")?;
        let pulled: Option<String> = row.try_get("pulled_to")?;
        if pulled.is_some() {
            return Err(StoreError::Rejected(
                "the topic is already on an agenda".into(),
            ));
        }
        let (mut m, _) = load_meeting(&mut tx, &meeting.to_string())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "meeting",
                id: meeting.to_string(),
            })?;
        if m.body.code.as_str() != body {
            return Err(StoreError::Rejected(
                "the topic belongs to another body's plan".into(),
            ));
        }
        if m.status != Some(MeetingStatus::Planned) {
            return Err(StoreError::Rejected(
                "topics are pulled into draft agendas only".into(),
            ));
        }
        let number = m.items.iter().filter_map(|i| i.number).max().unwrap_or(0) + 1;
        m.items.push(Item::new(Some(number), title));
        let saved =
            replace_meeting(&mut tx, &m, expected_version, actor, "plan.topic_pulled").await?;
        sqlx::query("UPDATE plan_topics SET pulled_to = $1, pulled_at = $2 WHERE id = $3")
            .bind(meeting.to_string())
            .bind(instant_text(Utc::now()))
            .bind(topic)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(saved.version)
    }
}
