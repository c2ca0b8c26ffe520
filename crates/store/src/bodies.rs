//! Bodies and their settings.

use protokol_core::{Body, BodyCode, BodyId, BodyRef, BodySettings};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::changes::{NewChange, record};
use crate::codec::{from_json, json_text, now};
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
        let body = body_by_code(&mut tx, code)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "body",
                id: code.to_string(),
            })?;
        let done = sqlx::query(
            "UPDATE bodies SET settings = $1, version = version + 1, updated_at = $2
             WHERE id = $3 AND version = $4",
        )
        .bind(json_text(settings))
        .bind(now())
        .bind(body.id.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                entity: "body",
                id: code.to_string(),
                expected: expected_version,
                current: body.version,
            });
        }
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
        tx.commit().await?;
        Ok(version)
    }
}
