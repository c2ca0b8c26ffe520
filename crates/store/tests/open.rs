//! Opening a store: several processes (here, tasks with pools of their own) starting on a
//! new SQLite database at once all get a migrated store, instead of the later ones failing
//! half-way through creating tables the first one created.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use protokol_store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stores_opened_at_once_on_a_new_sqlite_file_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("new.db").display());
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { Store::open(&url).await.map(|s| s.backend()) })
        })
        .collect();
    for t in tasks {
        let opened = t.await.unwrap();
        assert!(opened.is_ok(), "{opened:?}");
    }
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.meeting_count().await.unwrap(), 0);
}

/// Items stored before items had case keys get theirs when the store is next opened (a
/// member's case page finds closed treatments by them).
#[tokio::test]
async fn items_stored_before_case_keys_get_them_at_the_next_start() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let store = Store::open(&url).await.unwrap();
    let mut m = protokol_testkit::with_closed_canaries(protokol_testkit::council_meeting());
    for item in &mut m.items {
        item.case_number = Some("24 / 01234".into());
    }
    store.upsert_meeting(&m, "import").await.unwrap();
    let before = store.closed_treatments("24-01234").await.unwrap().len();
    assert!(before > 0, "the closed items print the number");
    store.close().await;

    // As an older version left them.
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("UPDATE items SET case_key = NULL")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let store = Store::open(&url).await.unwrap();
    let closed = store.closed_treatments("24-01234").await.unwrap();
    assert_eq!(closed.len(), before, "found by the key filled in at start");
    assert_eq!(closed[0].case_number, "24 / 01234");
}
