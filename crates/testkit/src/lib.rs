//! Test-only helpers: a fresh, empty store per test on SQLite (a temporary file) or on
//! PostgreSQL (a new database on the server named by `PROTOKOL_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`, dropped afterwards), and the demo meetings as
//! fixtures.
//!
//! When PostgreSQL cannot be reached, its tests are skipped with a message, except when
//! `CI=true`: then they fail, so CI can never pass without running them.

use std::time::Duration;

use protokol_store::Store;
use sqlx::Connection;

mod fixtures;

pub use fixtures::{CANARY, council_meeting, demo_dir, demo_meetings, with_closed_canaries};

/// `m` without the ids a store gives it (of the meeting, its items, sub-points, attachments
/// and follow-ups), for comparing content across stores.
pub fn without_ids(m: &protokol_core::Meeting) -> protokol_core::Meeting {
    let mut m = m.clone();
    m.id = None;
    for i in &mut m.items {
        i.id = None;
        i.followups.iter_mut().for_each(|f| f.id = None);
        i.attachments.iter_mut().for_each(|a| a.id = None);
        for sp in &mut i.schedule {
            sp.id = None;
            sp.followups.iter_mut().for_each(|f| f.id = None);
        }
    }
    m
}

/// A form value percent-encoded as browsers send it (`application/x-www-form-urlencoded`).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The default PostgreSQL server for tests.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A store that lives as long as this value; its database is removed when it is dropped.
pub struct TestStore {
    pub store: Store,
    url: String,
    cleanup: Cleanup,
}

impl TestStore {
    /// The database URL of this store (for starting the `protokol` binary on it).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs SQL on the store's database behind protokol's back, as someone with database
    /// access could (for tests that prove such changes are found).
    pub async fn behind_the_back(&self, sql: &str) -> u64 {
        let mut conn = sqlx::AnyConnection::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.url));
        let done = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let _ = conn.close().await;
        done.rows_affected()
    }
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, database: String },
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Cleanup::Postgres {
            admin_url,
            database,
        } = &self.cleanup
        {
            let (admin_url, database) = (admin_url.clone(), database.clone());
            // Drop runs inside the test's runtime; use a runtime of our own on a thread.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                        let sql = format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                            .execute(&mut conn)
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A fresh SQLite store in a temporary folder.
pub async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"));
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let store = Store::open(&url)
        .await
        .unwrap_or_else(|e| panic!("cannot open SQLite store: {e}"));
    TestStore {
        store,
        url,
        cleanup: Cleanup::Sqlite(dir),
    }
}

/// Whether the tests run in CI (`CI=true`), where what they need must be present.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The PostgreSQL server tests use.
pub fn postgres_url() -> String {
    std::env::var("PROTOKOL_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.into())
}

/// A fresh PostgreSQL store in a database of its own, or `None` (with a message) when the
/// server cannot be reached outside CI. In CI an unreachable server fails the test.
pub async fn postgres() -> Option<TestStore> {
    let admin_url = postgres_url();
    let connect = tokio::time::timeout(
        Duration::from_secs(5),
        sqlx::PgConnection::connect(&admin_url),
    )
    .await;
    let mut admin = match connect {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => return unreachable_postgres(&admin_url, &e.to_string()),
        Err(_) => return unreachable_postgres(&admin_url, "timed out after 5 s"),
    };
    let database = format!("protokol_test_{}", uuid::Uuid::new_v4().simple());
    let sql = format!("CREATE DATABASE \"{database}\"");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {database}: {e}"));
    let _ = admin.close().await;
    let url = with_database(&admin_url, &database);
    let store = Store::open(&url)
        .await
        .unwrap_or_else(|e| panic!("cannot open PostgreSQL store {database}: {e}"));
    Some(TestStore {
        store,
        url,
        cleanup: Cleanup::Postgres {
            admin_url,
            database,
        },
    })
}

fn unreachable_postgres(url: &str, why: &str) -> Option<TestStore> {
    let url = protokol_store::redact_url(url);
    if in_ci() {
        panic!("PostgreSQL at {url} is unreachable ({why}) and CI=true: PostgreSQL tests must run");
    }
    eprintln!("SKIPPED: PostgreSQL at {url} is unreachable ({why}); set CI=true to make this fail");
    None
}

/// `url` with its database name replaced.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A fresh, empty store of the given kind. For PostgreSQL, call [`postgres_available`]
/// first (the [`store_tests!`] macro does).
pub async fn fresh(kind: Kind) -> TestStore {
    match kind {
        Kind::Sqlite => sqlite().await,
        Kind::Postgres => postgres()
            .await
            .unwrap_or_else(|| panic!("PostgreSQL became unreachable during the test")),
    }
}

/// Whether PostgreSQL tests can run: true if the server answers; false (with a message) if
/// not; a panic if not and `CI=true`.
pub async fn postgres_available() -> bool {
    postgres().await.is_some()
}

/// Runs each listed async test function (taking a [`Kind`]) once on SQLite and once on
/// PostgreSQL, as `sqlite::NAME` and `postgres::NAME`.
#[macro_export]
macro_rules! store_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::Kind::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if !$crate::postgres_available().await {
                        return;
                    }
                    super::$name($crate::Kind::Postgres).await;
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced_keeping_the_query() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }

    #[test]
    fn demo_meetings_parse() {
        assert_eq!(demo_meetings().len(), 4);
    }
}
