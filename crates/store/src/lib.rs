//! Storage for protokol: SQLite (the embedded default, a file in the data folder) and
//! PostgreSQL (for several application nodes), chosen by a database URL.
//!
//! One code path serves both: sqlx's `Any` driver with runtime queries, `$N` placeholders
//! (which SQLite accepts too) and portable column types (ISO-8601 text for dates, integers,
//! text). Each backend has its own migrations in `migrations/<backend>/`, embedded in the
//! binary and run when the store is opened.
//!
//! Rules this crate keeps:
//! - every write is one transaction;
//! - meetings and items carry a version; an edit based on an old version is refused with
//!   [`StoreError::Conflict`], never applied over a newer one;
//! - every change is appended to the change log (`changes`) in the same transaction.
//!
//! The store returns complete records. Hiding closed content from viewers who may not see
//! it is done by `protokol_core::Meeting::visible_to`, never here.

mod accounts;
mod approvals;
mod blobs;
mod bodies;
mod bulk;
mod changes;
mod codec;
mod documents;
pub mod open_data;
mod plan;
pub mod public;
mod publications;
mod read;
mod search_feed;
mod session;
mod sources;
pub mod throttle;
mod write;

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, Row};

pub use accounts::{RoleChange, WebSession, instant_text};
pub use approvals::{Approval, Signed, content_hash};
pub use blobs::{CHUNK_BYTES, FileToStore};
pub use changes::Change;
pub use plan::Topic;
pub use publications::{Correction, Publication};
pub use read::MeetingSummary;
pub use search_feed::OutboxRow;
pub use session::Session;
pub use sources::SourceDocument;
pub use write::{Commit, SaveOutcome, Saved};

/// Which database is behind the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// What can go wrong in the store. The first group are the caller's mistakes (a stale
/// version, a missing record, a request the data does not allow); the rest are faults of
/// the system.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{entity} {id} was changed by someone else: it is at version {current}, the change was based on version {expected}"
    )]
    Conflict {
        entity: &'static str,
        id: String,
        expected: i64,
        current: i64,
    },
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("{0}")]
    Rejected(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether the caller can fix this (as opposed to a fault of the system).
    pub fn is_caller_error(&self) -> bool {
        matches!(
            self,
            Self::Conflict { .. } | Self::NotFound { .. } | Self::Rejected(_)
        )
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Hides a password in a database URL before it is shown or logged.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The database of meetings.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// For an SQLite file: the file, whose `.lock` sibling serialises schema migrations
    /// between processes (two commands started at once on a new database).
    sqlite_file: Option<std::path::PathBuf>,
}

/// The database file an SQLite URL names (`sqlite://PATH?…`, `sqlite:PATH`), if any.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.contains(":memory:")).then(|| std::path::PathBuf::from(path))
}

impl Store {
    /// Connects to the database at `url`, creating an SQLite file if needed, and brings its
    /// schema up to date. SQLite connections keep a page cache of 8 MB each (a server's
    /// reads of one meeting at a time need little); see [`Store::open_for_bulk`].
    pub async fn open(url: &str) -> Result<Self> {
        Self::open_with_cache(url, 8).await
    }

    /// [`Store::open`] for bulk writes (imports): 64 MB of SQLite page cache per connection,
    /// so that indexes being filled stay in memory.
    pub async fn open_for_bulk(url: &str) -> Result<Self> {
        Self::open_with_cache(url, 64).await
    }

    async fn open_with_cache(url: &str, cache_mb: i64) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL with synchronous=NORMAL: commits survive an application crash
                        // and the database never corrupts; only on an OS crash or power loss
                        // can the last commits roll back. SQLite recommends it for WAL.
                        let pragmas = format!(
                            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -{};",
                            cache_mb * 1024
                        );
                        conn.execute(sqlx::AssertSqlSafe(pragmas)).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let store = Self {
            pool,
            backend,
            sqlite_file: if backend == Backend::Sqlite {
                sqlite_file(url)
            } else {
                None
            },
        };
        store.migrate().await?;
        tracing::debug!(backend = backend.name(), "store opened");
        Ok(store)
    }

    /// Applies the migrations that have not run yet. One process at a time: PostgreSQL
    /// takes sqlx's advisory lock; for SQLite, which sqlx does not lock, an exclusive lock
    /// on a file beside the database is held meanwhile.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                let _lock = match &self.sqlite_file {
                    Some(db) => Some(lock_beside(db).await?),
                    None => None,
                };
                // Changing the journal mode needs the database to itself: under the lock.
                self.pool.execute("PRAGMA journal_mode = WAL").await?;
                SQLITE_MIGRATIONS.run(&self.pool).await?;
            }
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        self.fill_item_case_keys().await?;
        self.fill_file_sha512().await?;
        Ok(())
    }

    /// Gives the items stored before items had case keys theirs (a batch per transaction;
    /// nothing to do once done).
    async fn fill_item_case_keys(&self) -> Result<()> {
        loop {
            let rows = sqlx::query(
                "SELECT id, case_number FROM items
                 WHERE case_number IS NOT NULL AND case_key IS NULL LIMIT 1000",
            )
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut tx = self.begin_write().await?;
            for r in &rows {
                let number: String = r.try_get("case_number")?;
                // A number that makes no key gets an empty one (not asked again).
                let key = protokol_core::public::case_key(&number).unwrap_or_default();
                sqlx::query("UPDATE items SET case_key = $1 WHERE id = $2")
                    .bind(key)
                    .bind(r.try_get::<String, _>("id")?)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes all connections.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue instead of failing half-way.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }
}

/// An exclusive lock on `<db>.lock`, released when the file is dropped. Taken on a
/// blocking thread, since another process may hold it for a while.
async fn lock_beside(db: &std::path::Path) -> Result<std::fs::File> {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    let path = std::path::PathBuf::from(name);
    let locked = tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        file.lock()?;
        Ok::<_, std::io::Error>(file)
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("migration lock: {e}")))?;
    locked.map_err(|e| StoreError::Corrupt(format!("cannot lock the database for migrations: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db.local/protokol"),
            "postgres://app:***@db.local/protokol"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
    }

    #[test]
    fn the_database_file_is_read_from_sqlite_urls() {
        assert_eq!(
            sqlite_file("sqlite:///srv/protokol/protokol.db?mode=rwc"),
            Some(std::path::PathBuf::from("/srv/protokol/protokol.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:data/p.db"),
            Some(std::path::PathBuf::from("data/p.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://h/db"), None);
    }

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(Backend::from_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::from_url("postgresql://h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::from_url("mysql://h/db").is_err());
    }
}
