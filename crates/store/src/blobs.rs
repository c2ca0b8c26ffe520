//! File contents, addressed by their SHA-256: a file uploaded twice is stored once. Files
//! are written from disk and read back in chunks of [`CHUNK_BYTES`], so a large file is
//! never held in memory whole.

use std::path::Path;

use sha2::{Digest, Sha256, Sha512};
use sqlx::{AnyConnection, Row};
use tokio::io::AsyncReadExt;

use crate::codec::now;
use crate::{Result, Store, StoreError};

/// The size of the chunks a file is stored in.
pub const CHUNK_BYTES: usize = 1 << 20;

/// A file on disk to store under its SHA-256 (checked while it is read).
#[derive(Clone, Copy, Debug)]
pub struct FileToStore<'a> {
    pub sha256: &'a str,
    pub path: &'a Path,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn read_full(file: &mut tokio::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// Stores the file unless its content is there already. Refused, with nothing stored, when
/// the file's content does not have the SHA-256 it was given under.
pub(crate) async fn put(conn: &mut AnyConnection, file: FileToStore<'_>) -> Result<()> {
    let exists = sqlx::query("SELECT 1 AS one FROM files WHERE sha256 = $1")
        .bind(file.sha256)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    let unreadable =
        |e: std::io::Error| StoreError::Rejected(format!("the file to store cannot be read: {e}"));
    let mut f = tokio::fs::File::open(file.path).await.map_err(unreadable)?;
    // The row first (chunks refer to it); its size is set once all chunks are written.
    sqlx::query("INSERT INTO files (sha256, size, created_at) VALUES ($1, 0, $2)")
        .bind(file.sha256)
        .bind(now())
        .execute(&mut *conn)
        .await?;
    let mut hasher = Sha256::new();
    // OParl names files' SHA-512 sums.
    let mut hasher512 = Sha512::new();
    let mut size: i64 = 0;
    let mut seq: i64 = 0;
    let mut buf = vec![0u8; CHUNK_BYTES];
    loop {
        let n = read_full(&mut f, &mut buf).await.map_err(unreadable)?;
        if n == 0 && seq > 0 {
            break;
        }
        hasher.update(&buf[..n]);
        hasher512.update(&buf[..n]);
        sqlx::query("INSERT INTO file_chunks (sha256, seq, bytes) VALUES ($1, $2, $3)")
            .bind(file.sha256)
            .bind(seq)
            .bind(buf[..n].to_vec())
            .execute(&mut *conn)
            .await?;
        size += i64::try_from(n).map_err(|_| StoreError::Rejected("file too large".into()))?;
        seq += 1;
        if n < CHUNK_BYTES {
            break;
        }
    }
    let actual = hex(&hasher.finalize());
    if actual != file.sha256.to_ascii_lowercase() {
        return Err(StoreError::Rejected(format!(
            "the file's content has SHA-256 {actual}, not {} as given",
            file.sha256
        )));
    }
    sqlx::query("UPDATE files SET size = $1, sha512 = $2 WHERE sha256 = $3")
        .bind(size)
        .bind(hex(&hasher512.finalize()))
        .bind(file.sha256)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Gives the files stored before files had SHA-512 sums theirs, reading each a chunk at
    /// a time (once; nothing to do afterwards).
    pub(crate) async fn fill_file_sha512(&self) -> Result<()> {
        loop {
            let files: Vec<String> =
                sqlx::query("SELECT sha256 FROM files WHERE sha512 IS NULL AND size > 0 LIMIT 100")
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| r.try_get("sha256"))
                    .collect::<std::result::Result<_, _>>()?;
            if files.is_empty() {
                return Ok(());
            }
            tracing::info!(
                files = files.len(),
                "computing SHA-512 sums of stored files"
            );
            for sha256 in files {
                let mut hasher = Sha512::new();
                let mut seq = 0;
                while let Some(chunk) = self.file_chunk(&sha256, seq).await? {
                    hasher.update(&chunk);
                    seq += 1;
                }
                sqlx::query("UPDATE files SET sha512 = $1 WHERE sha256 = $2")
                    .bind(hex(&hasher.finalize()))
                    .bind(&sha256)
                    .execute(&self.pool)
                    .await?;
            }
        }
    }

    /// The size in bytes of the file stored under `sha256`.
    pub async fn file_size(&self, sha256: &str) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT size FROM files WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<i64, _>("size")).transpose()?)
    }

    /// Chunk `seq` (from 0) of the file stored under `sha256`; `None` past the last.
    pub async fn file_chunk(&self, sha256: &str, seq: i64) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT bytes FROM file_chunks WHERE sha256 = $1 AND seq = $2")
            .bind(sha256)
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<Vec<u8>, _>("bytes")).transpose()?)
    }

    /// Calls `each` with every chunk of the file stored under `sha256`, in order; false when
    /// no such file is stored.
    async fn each_chunk(&self, sha256: &str, mut each: impl FnMut(&[u8])) -> Result<bool> {
        if self.file_size(sha256).await?.is_none() {
            return Ok(false);
        }
        let mut seq = 0;
        while let Some(chunk) = self.file_chunk(sha256, seq).await? {
            each(&chunk);
            seq += 1;
        }
        Ok(true)
    }

    /// The whole file stored under `sha256` (for small files and checks; serve large ones
    /// chunk by chunk with [`Store::file_chunk`]).
    pub async fn file_bytes(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let mut out = Vec::new();
        let found = self
            .each_chunk(sha256, |c| out.extend_from_slice(c))
            .await?;
        Ok(found.then_some(out))
    }

    /// Recomputes the SHA-256 of the file stored under `sha256`, chunk by chunk: `None`
    /// when no such file is stored.
    pub async fn file_hash(&self, sha256: &str) -> Result<Option<String>> {
        let mut hasher = Sha256::new();
        let found = self.each_chunk(sha256, |c| hasher.update(c)).await?;
        Ok(found.then(|| hex(&hasher.finalize())))
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
