//! Test-only helpers: a fresh, empty store per test on SQLite (a temporary file) or on
//! PostgreSQL (a new database on the server named by `PROTOKOL_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`, dropped afterwards), and the demo meetings as
//! fixtures.
//!
//! When PostgreSQL cannot be reached, its tests are skipped with a message, except when
//! `CI=true`: then they fail, so CI can never pass without running them.

use std::path::PathBuf;
use std::time::Duration;

use protokol_core::Meeting;
use protokol_core::exchange::parse_meeting;
use protokol_store::Store;
use sqlx::Connection;

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

fn in_ci() -> bool {
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

/// The folder of the demo meetings shipped with protokol (`data/demo`).
pub fn demo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/demo")
}

/// The demo meetings: the four seed meetings of Norddjurs Kommune's Direktion, complete
/// with their texts, sorted by date.
pub fn demo_meetings() -> Vec<Meeting> {
    let mut files: Vec<_> = std::fs::read_dir(demo_dir())
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", demo_dir().display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            parse_meeting(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
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

/// A council meeting that uses every field of the model the demo meetings leave empty:
/// party letters, a substitute, absence with notice, a closed item with reason, public
/// title and public decision, votes by party and member, a dissent, a disqualified and an
/// absent member, an attachment with a file, follow-ups with status, next steps and
/// signatures with a reservation.
pub fn council_meeting() -> Meeting {
    parse_meeting(COUNCIL_MEETING).unwrap_or_else(|e| panic!("council fixture: {e}"))
}

const COUNCIL_MEETING: &str = r#"{
  "schema": "protokol.meeting/1",
  "body": {"name": "Kommunalbestyrelsen", "code": "KB"},
  "kind": "minutes",
  "status": "minutes_approved",
  "date": "2024-06-18",
  "start": "17:00",
  "end": "21:35",
  "location": "Byrådssalen, rådhuset",
  "members": [
    {"name": "Kasper Bjerregaard", "role": "Borgmester", "party": "V"},
    {"name": "Jan Petersen", "role": null, "party": "A"},
    {"name": "Ulla Mortensen", "role": null, "party": "O", "substitute_for": "Per Hansen"},
    {"name": null, "role": "Medlem", "party": "F", "vacant": true}
  ],
  "absent": [{"name": "Per Hansen", "role": null, "party": "O", "notice": true}],
  "items": [
    {
      "number": 1,
      "title": "Forenkling af politikker, strategier og planer",
      "access": "open",
      "route": ["DIR", "ØK", "KB"],
      "case": "Kommissoriet blev drøftet i Direktionen den 15. maj 2024.\n\n- Tidsplan\n- Kommissorium",
      "economy": "Ingen.",
      "recommendation": "Det indstilles, at kommissoriet godkendes.",
      "decision": "Godkendt.",
      "decision_date": "2024-06-18",
      "participants": ["Sekretariatschef Rikke Thind"],
      "followups": [{"owner": "Ledelsessekretariatet", "text": "Kortlægning i efteråret.", "status": "done"}],
      "next": [{"body": "Økonomiudvalget", "date": "2024-09-03", "kind": "continued"}],
      "schedule": [],
      "attachments": [
        {"number": 1, "title": "Kommissorium", "access": "open", "doc_id": "3701234", "journal": "52011/24",
         "file": {"name": "kommissorium.pdf", "media_type": "application/pdf", "sha256": null, "text": "Kommissorium for forenkling"}}
      ],
      "absent": ["Jan Petersen"],
      "votes": [
        {"option": "for", "members": [], "parties": ["V", "A"], "count": 19},
        {"option": "against", "members": ["Ulla Mortensen"], "parties": ["O"], "count": 2},
        {"option": "abstain", "members": [], "parties": [], "count": null}
      ],
      "dissents": [{"member": "Ulla Mortensen", "text": "Jeg ønsker ført til protokols, at O stemmer imod."}]
    },
    {
      "number": 2,
      "title": "Salg af ejendom på Havnevej 12",
      "access": "closed",
      "closed_reason": "Køb og salg af fast ejendom",
      "public_title": "Salg af ejendom",
      "public_decision": "Kommunalbestyrelsen godkendte salget.",
      "route": ["ØK", "KB"],
      "case": "Køber tilbyder 4,2 mio. kr.",
      "economy": null,
      "recommendation": "Det indstilles, at tilbuddet accepteres.",
      "decision": "Tilbuddet blev accepteret.",
      "decision_date": "2024-06-18",
      "participants": [],
      "followups": [],
      "next": [],
      "schedule": [
        {"time": "20:15", "title": "Forhandling", "text": "Mægler deltager.", "decision": null,
         "participants": ["Ejendomsmægler Lis Holm"], "followups": [{"owner": "Økonomi", "text": null, "status": "open"}],
         "next": [{"body": "Kommunalbestyrelsen", "date": "2024-08-20", "kind": "postponed"}]}
      ],
      "attachments": [{"number": 1, "title": "Købstilbud", "access": "closed", "doc_id": null, "journal": null}],
      "disqualified": ["Kasper Bjerregaard"]
    }
  ],
  "forward_plan": [{"date": "2024-08-20", "topics": ["Budget 2025, 1. behandling"]}],
  "awaiting_date": ["Skolestruktur"],
  "signatures": [
    {"member": "Kasper Bjerregaard", "signed_at": "2024-06-18T21:40:00+02:00", "reservation": null},
    {"member": "Ulla Mortensen", "signed_at": "2024-06-19T08:05:00+02:00", "reservation": "Med forbehold for punkt 1."}
  ],
  "sources": ["kb-2024-06-18.pdf"]
}"#;
