//! Importing protokol.meeting/1 files: good files are stored, broken files store nothing and
//! say where and why, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use protokol_import::{FileReport, Options, Summary, collect_files, import_files};
use protokol_store::{SaveOutcome, Store};
use protokol_testkit::{Kind, demo_dir, fresh, store_tests};

async fn run(store: &Store, paths: &[PathBuf], options: &Options) -> Vec<FileReport> {
    let collected = collect_files(paths);
    let (files, mut missing) = (collected.files, collected.failed);
    let mut reports = Vec::new();
    let run = import_files(store, &files, options, |r| reports.push(r)).await;
    // The run's totals count exactly the reports handed out, in the order of the files.
    assert_eq!(run.summary, Summary::of(&reports));
    assert_eq!(
        reports.iter().map(|r| r.path.clone()).collect::<Vec<_>>(),
        files
    );
    reports.append(&mut missing);
    reports
}

fn minimal(date: &str) -> String {
    format!(
        r#"{{"schema":"protokol.meeting/1","body":{{"name":"Økonomiudvalget","code":"ØK"}},
        "kind":"agenda","date":"{date}","items":[{{"number":1,"title":"Budget","access":"open",
        "attachments":[{{"number":1,"title":"Bilag","access":"open"}}]}}]}}"#
    )
}

fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

fn error_of(reports: &[FileReport], name: &str) -> String {
    let r = reports
        .iter()
        .find(|r| r.path.file_name().is_some_and(|n| n == name))
        .unwrap_or_else(|| panic!("no report for {name}"));
    assert!(!r.is_ok(), "{name} should have failed");
    r.line()
}

async fn demo_folder_imports_and_reimport_changes_nothing(kind: Kind) {
    let store = fresh(kind).await;
    let reports = run(&store, &[demo_dir()], &Options::default()).await;
    let summary = Summary::of(&reports);
    assert_eq!((summary.files, summary.failed, summary.created), (4, 0, 4));
    let sixth = reports
        .iter()
        .flat_map(|r| r.result.as_ref().unwrap())
        .find(|m| m.date.to_string() == "2023-09-06")
        .unwrap();
    assert_eq!(
        (sixth.items, sixth.sub_points, sixth.attachments),
        (4, 5, 21)
    );

    let again = run(&store, &[demo_dir()], &Options::default()).await;
    assert_eq!(Summary::of(&again).unchanged, 4);
    assert_eq!(store.meeting_count().await.unwrap(), 4);
}

async fn broken_files_are_reported_and_store_nothing_while_the_rest_imports(kind: Kind) {
    let store = fresh(kind).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = minimal("2024-02-06");
    let mut paths = vec![
        write(d, "good.json", good.as_bytes()),
        write(d, "malformed.json", b"{\"schema\": \"protokol.meeting/1\", \"body\": "),
        write(d, "schema.json", good.replace("meeting/1", "meeting/9").as_bytes()),
        write(d, "date.json", minimal("2024-02-31").as_bytes()),
        write(
            d,
            "time.json",
            good.replace("\"kind\"", "\"start\":\"25:61\",\"kind\"").as_bytes(),
        ),
        write(
            d,
            "access.json",
            good.replace("\"access\":\"open\",\n", "\"access\":\"hemmelig\",\n")
                .replace("\"title\":\"Budget\",\"access\":\"open\"", "\"title\":\"Budget\",\"access\":\"hemmelig\"")
                .as_bytes(),
        ),
        write(
            d,
            "duplicate.json",
            minimal("2024-03-05")
                .replace(
                    "{\"number\":1,\"title\":\"Bilag\",\"access\":\"open\"}",
                    "{\"number\":1,\"title\":\"Bilag\",\"access\":\"open\"},{\"number\":1,\"title\":\"Andet\",\"access\":\"closed\"}",
                )
                .as_bytes(),
        ),
        write(d, "binary.json", &[0x7b, 0xff, 0xfe, 0x00, 0x9f, 0x92, 0x96]),
        write(d, "empty.json", b"  \n"),
        write(d, "notes.doc", b"Dagsorden"),
        d.join("does-not-exist.json"),
    ];
    let huge = d.join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(protokol_import::MAX_JSON_BYTES + 1)
        .unwrap();
    paths.push(huge);

    let reports = run(&store, &paths, &Options::default()).await;
    let summary = Summary::of(&reports);
    assert_eq!(
        (summary.files, summary.created),
        (paths.len(), 1),
        "{reports:#?}"
    );
    assert_eq!(summary.failed, paths.len() - 1);

    for (file, expected) in [
        ("malformed.json", "malformed JSON at line 1"),
        (
            "schema.json",
            "schema: unsupported schema \"protokol.meeting/9\"",
        ),
        ("date.json", "date: "),
        ("time.json", "start: invalid time \"25:61\""),
        ("access.json", "items[0].access: unknown variant `hemmelig`"),
        (
            "duplicate.json",
            "items[0].attachments[1].number: attachment number 1 appears more than once",
        ),
        ("binary.json", "is it a binary file"),
        ("empty.json", "the file is empty"),
        ("notes.doc", "unsupported file type"),
        ("does-not-exist.json", "no such file"),
        ("huge.json", "may be at most 67108864 bytes"),
    ] {
        let line = error_of(&reports, file);
        assert!(line.contains(file), "{line}");
        assert!(
            line.contains(expected),
            "{file}: expected {expected:?} in {line:?}"
        );
    }

    // Only the good file reached the store.
    let meetings = store.meetings().await.unwrap();
    assert_eq!(meetings.len(), 1);
    assert_eq!(meetings[0].date.to_string(), "2024-02-06");
}

async fn a_broken_update_leaves_the_stored_meeting_as_it_was(kind: Kind) {
    let store = fresh(kind).await;
    let dir = tempfile::tempdir().unwrap();
    let first = write(dir.path(), "a.json", minimal("2024-02-06").as_bytes());
    run(&store, &[first], &Options::default()).await;
    let (before, version) = store
        .meeting_on(&"ØK".parse().unwrap(), "2024-02-06".parse().unwrap())
        .await
        .unwrap()
        .unwrap();

    // Same meeting, a new title, but a duplicate attachment number: nothing changes.
    let broken = minimal("2024-02-06").replace("Budget", "Budget 2025").replace(
        "{\"number\":1,\"title\":\"Bilag\",\"access\":\"open\"}",
        "{\"number\":1,\"title\":\"Bilag\",\"access\":\"open\"},{\"number\":1,\"title\":\"B\",\"access\":\"open\"}",
    );
    let second = write(dir.path(), "b.json", broken.as_bytes());
    let reports = run(&store, &[second], &Options::default()).await;
    assert!(!reports[0].is_ok());
    let (after, after_version) = store.meeting(before.id.unwrap()).await.unwrap().unwrap();
    assert_eq!((after, after_version), (before, version));
}

async fn dry_run_reports_what_would_happen_and_stores_nothing(kind: Kind) {
    let store = fresh(kind).await;
    let options = Options {
        dry_run: true,
        ..Options::default()
    };
    let reports = run(&store, &[demo_dir()], &options).await;
    assert!(
        reports
            .iter()
            .flat_map(|r| r.result.as_ref().unwrap())
            .all(|m| m.outcome == SaveOutcome::Created)
    );
    assert_eq!(store.meeting_count().await.unwrap(), 0);
}

async fn a_file_with_a_list_of_meetings_is_one_transaction(kind: Kind) {
    let store = fresh(kind).await;
    let dir = tempfile::tempdir().unwrap();
    let list = format!("[{}, {}]", minimal("2024-02-06"), minimal("2024-02-31"));
    let p = write(dir.path(), "list.json", list.as_bytes());
    let reports = run(&store, &[p], &Options::default()).await;
    assert!(
        reports[0].line().contains("[1].date"),
        "{}",
        reports[0].line()
    );
    assert_eq!(store.meeting_count().await.unwrap(), 0);

    let list = format!("[{}, {}]", minimal("2024-02-06"), minimal("2024-03-05"));
    let p = write(dir.path(), "list2.json", list.as_bytes());
    let reports = run(&store, &[p], &Options::default()).await;
    assert_eq!(reports[0].result.as_ref().unwrap().len(), 2);
    assert_eq!(store.meeting_count().await.unwrap(), 2);
}

store_tests!(
    demo_folder_imports_and_reimport_changes_nothing,
    broken_files_are_reported_and_store_nothing_while_the_rest_imports,
    a_broken_update_leaves_the_stored_meeting_as_it_was,
    dry_run_reports_what_would_happen_and_stores_nothing,
    a_file_with_a_list_of_meetings_is_one_transaction,
);
