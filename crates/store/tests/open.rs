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
