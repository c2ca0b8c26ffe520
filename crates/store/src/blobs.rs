//! File contents, addressed by their SHA-256: a file uploaded twice is stored once.

use sqlx::{AnyConnection, Row};

use crate::codec::now;
use crate::{Result, Store, StoreError};

/// Stores `bytes` under `sha256` unless they are there already.
pub(crate) async fn put(conn: &mut AnyConnection, sha256: &str, bytes: &[u8]) -> Result<()> {
    let exists = sqlx::query("SELECT 1 AS one FROM file_blobs WHERE sha256 = $1")
        .bind(sha256)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if !exists {
        sqlx::query(
            "INSERT INTO file_blobs (sha256, size, bytes, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(sha256)
        .bind(
            i64::try_from(bytes.len())
                .map_err(|_| StoreError::Rejected("file too large".into()))?,
        )
        .bind(bytes.to_vec())
        .bind(now())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The bytes stored under `sha256`.
    pub async fn file_bytes(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT bytes FROM file_blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<Vec<u8>, _>("bytes")).transpose()?)
    }
}

impl Store {
    /// For a document number already stored: the SHA-256 of its file (`Some(None)` when it
    /// has no file yet). `None` when the number is unknown.
    pub async fn document_file_hash(&self, doc_no: &str) -> Result<Option<Option<String>>> {
        let row = sqlx::query("SELECT sha256 FROM documents WHERE identity = $1")
            .bind(format!("no:{}", doc_no.trim()))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| r.try_get::<Option<String>, _>("sha256"))
            .transpose()?)
    }
}
