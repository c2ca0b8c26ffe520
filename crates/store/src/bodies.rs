//! Bodies and their settings.

use protokol_core::{Body, BodyCode, BodyId, BodyRef, BodySettings, Membership};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::changes::{NewChange, record};
use crate::codec::{count, date_text, flag, from_json, json_text, now, opt_date};
use crate::{Result, Store, StoreError};

fn body_from_row(r: &sqlx::any::AnyRow) -> Result<Body> {
    let id: String = r.try_get("id")?;
    let code: String = r.try_get("code")?;
    let settings: String = r.try_get("settings")?;
    Ok(Body {
        id: id
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("body id {id:?}: {e}")))?,
        code: code
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("body code: {e}")))?,
        name: r.try_get("name")?,
        settings: from_json("bodies.settings", &settings)?,
        version: r.try_get("version")?,
    })
}

const BODY_COLUMNS: &str = "id, code, name, settings, version";

pub(crate) async fn body_by_code(
    conn: &mut AnyConnection,
    code: &BodyCode,
) -> Result<Option<Body>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {BODY_COLUMNS} FROM bodies WHERE code = $1"
    )))
    .bind(code.as_str())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(body_from_row).transpose()
}

/// The stored body with this code, created from the reference if there is none yet.
pub(crate) async fn ensure_body(
    conn: &mut AnyConnection,
    r: &BodyRef,
    actor: &str,
) -> Result<Body> {
    if let Some(b) = body_by_code(conn, &r.code).await? {
        return Ok(b);
    }
    let id = BodyId::new();
    let ts = now();
    let settings = BodySettings::default();
    sqlx::query(
        "INSERT INTO bodies (id, code, name, settings, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 1, $5, $5)",
    )
    .bind(id.to_string())
    .bind(r.code.as_str())
    .bind(r.name.as_str())
    .bind(json_text(&settings))
    .bind(ts)
    .execute(&mut *conn)
    .await?;
    record(
        conn,
        NewChange {
            actor,
            action: "body.created",
            entity: "body",
            entity_id: &id.to_string(),
            meeting_id: None,
            version: Some(1),
            detail: Some(format!("{} ({})", r.name, r.code)),
        },
    )
    .await?;
    Ok(Body {
        id,
        code: r.code.clone(),
        name: r.name.clone(),
        settings,
        version: 1,
    })
}

impl Store {
    /// All bodies, by name.
    pub async fn bodies(&self) -> Result<Vec<Body>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {BODY_COLUMNS} FROM bodies ORDER BY name"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(body_from_row).collect()
    }

    /// The body with this code.
    pub async fn body(&self, code: &BodyCode) -> Result<Option<Body>> {
        let mut conn = self.pool.acquire().await?;
        body_by_code(&mut conn, code).await
    }

    /// Replaces a body's settings, refusing the change if the body moved past
    /// `expected_version`. Returns the new version.
    pub async fn update_body_settings(
        &self,
        code: &BodyCode,
        settings: &BodySettings,
        expected_version: i64,
        actor: &str,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let body = claim_body(&mut tx, code, expected_version).await?;
        sqlx::query("UPDATE bodies SET settings = $1 WHERE id = $2")
            .bind(json_text(settings))
            .bind(body.id.to_string())
            .execute(&mut *tx)
            .await?;
        let version = expected_version + 1;
        record(
            &mut tx,
            NewChange {
                actor,
                action: "body.settings_updated",
                entity: "body",
                entity_id: &body.id.to_string(),
                meeting_id: None,
                version: Some(version),
                detail: Some(json_text(settings)),
            },
        )
        .await?;
        // The settings decide what the public sees of closed attachments and closed items'
        // case numbers.
        crate::public::refresh_for_settings(&mut tx, code).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// A body's standing composition, in order, with the body's version.
    pub async fn memberships(&self, code: &BodyCode) -> Result<(Vec<Membership>, i64)> {
        let mut conn = self.pool.acquire().await?;
        let body = body_by_code(&mut conn, code)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "body",
                id: code.to_string(),
            })?;
        let rows = sqlx::query(
            "SELECT p.name, m.role, m.party, m.vacant, s.name AS substitute_for, m.valid_from,
                    m.valid_until
             FROM body_memberships m
             LEFT JOIN people p ON p.id = m.person_id
             LEFT JOIN people s ON s.id = m.substitute_for
             WHERE m.body_id = $1 ORDER BY m.position",
        )
        .bind(body.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let members = rows
            .iter()
            .map(|r| {
                Ok(Membership {
                    name: r.try_get("name")?,
                    role: r.try_get("role")?,
                    party: r.try_get("party")?,
                    vacant: r.try_get::<i64, _>("vacant")? != 0,
                    substitute_for: r.try_get("substitute_for")?,
                    from: opt_date(r.try_get("valid_from")?)?,
                    until: opt_date(r.try_get("valid_until")?)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((members, body.version))
    }

    /// Replaces a body's standing composition, provided the body is still at
    /// `expected_version`. People are matched by name and created when new. Returns the
    /// body's new version.
    pub async fn set_memberships(
        &self,
        code: &BodyCode,
        members: &[Membership],
        expected_version: i64,
        actor: &str,
    ) -> Result<i64> {
        if let Some((i, why)) = members
            .iter()
            .enumerate()
            .find_map(|(i, m)| m.problem().map(|p| (i, p)))
        {
            return Err(StoreError::Rejected(format!("members[{i}]: {why}")));
        }
        let mut tx = self.begin_write().await?;
        let body = claim_body(&mut tx, code, expected_version).await?;
        sqlx::query("DELETE FROM body_memberships WHERE body_id = $1")
            .bind(body.id.to_string())
            .execute(&mut *tx)
            .await?;
        for (pos, m) in members.iter().enumerate() {
            let person = match &m.name {
                Some(n) => Some(person_id(&mut tx, n).await?),
                None => None,
            };
            let substitute_for = match &m.substitute_for {
                Some(n) => Some(person_id(&mut tx, n).await?),
                None => None,
            };
            sqlx::query(
                "INSERT INTO body_memberships (id, body_id, position, person_id, role, party, vacant,
                 substitute_for, valid_from, valid_until, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(body.id.to_string())
            .bind(count(pos))
            .bind(person)
            .bind(m.role.as_deref())
            .bind(m.party.as_deref())
            .bind(flag(m.vacant))
            .bind(substitute_for)
            .bind(m.from.map(date_text))
            .bind(m.until.map(date_text))
            .execute(&mut *tx)
            .await?;
        }
        let version = expected_version + 1;
        record(
            &mut tx,
            NewChange {
                actor,
                action: "body.members_updated",
                entity: "body",
                entity_id: &body.id.to_string(),
                meeting_id: None,
                version: Some(version),
                detail: Some(format!("{} members", members.len())),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }
}

/// The body with this code, its version moved on by one, provided it is at
/// `expected_version`; otherwise [`StoreError::NotFound`] or [`StoreError::Conflict`].
async fn claim_body(
    conn: &mut AnyConnection,
    code: &BodyCode,
    expected_version: i64,
) -> Result<Body> {
    let body = body_by_code(conn, code)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "body",
            id: code.to_string(),
        })?;
    let done = sqlx::query(
        "UPDATE bodies SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3",
    )
    .bind(now())
    .bind(body.id.to_string())
    .bind(expected_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            entity: "body",
            id: code.to_string(),
            expected: expected_version,
            current: body.version,
        });
    }
    Ok(body)
}

/// The id of the person with this name, created if there is none.
async fn person_id(conn: &mut AnyConnection, name: &str) -> Result<String> {
    if let Some(r) =
        sqlx::query("SELECT id FROM people WHERE name = $1 ORDER BY created_at LIMIT 1")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?
    {
        return Ok(r.try_get("id")?);
    }
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO people (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(name)
        .bind(now())
        .execute(conn)
        .await?;
    Ok(id)
}
