//! meine-stadt-transparent, the open-source OParl portal, harvests a running protokol with
//! its own importer (`mst-manage import URL --skip-body-extra --skip-files`, offline, with
//! SQLite and without Elasticsearch). What it stored is compared with what protokol serves
//! (`tests/mst/harvest_check.py`): the counts of meetings, agenda items, persons,
//! organizations, papers and consultations, names with Danish letters, and no closed
//! content anywhere in its database.
//!
//! The importer is installed by `scripts/setup` into `tests/mst/venv`
//! (or set `PROTOKOL_MST_VENV`). Without it the test is skipped, except with `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use protokol_testkit::{CANARY, council_meeting, demo_meetings, with_closed_canaries};

const CASE: &str = "24/01234";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn venv() -> Option<PathBuf> {
    let dir = std::env::var_os("PROTOKOL_MST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("tests/mst/venv"));
    if dir.join("bin/mst-manage").exists() {
        return Some(dir);
    }
    assert!(
        !protokol_testkit::in_ci(),
        "meine-stadt-transparent is not installed at {} (scripts/setup installs it)",
        dir.display()
    );
    eprintln!("skipped: meine-stadt-transparent is not installed (run scripts/setup)");
    None
}

/// Kills the server when the test ends, however it ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn meine_stadt_transparent_harvests_protokol() {
    let Some(venv) = venv() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    // The demo meetings and the council meeting with closed content; one matter treated by
    // both bodies (the same case number).
    for (i, mut m) in demo_meetings().into_iter().enumerate() {
        if i == 0 {
            m.items[0].case_number = Some(CASE.into());
        }
        std::fs::write(
            input.join(format!("dir-{i}.json")),
            protokol_core::exchange::to_json(&m),
        )
        .unwrap();
    }
    let mut kb = with_closed_canaries(council_meeting());
    kb.items[0].case_number = Some(CASE.into());
    std::fs::write(input.join("kb.json"), protokol_core::exchange::to_json(&kb)).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_protokol"))
        .arg("--data")
        .arg(&data)
        .arg("import")
        .arg(&input)
        .env_remove("PROTOKOL_DATABASE_URL")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let mut child = Command::new(env!("CARGO_BIN_EXE_protokol"))
        .arg("--data")
        .arg(&data)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--municipality",
            "Norddjurs Kommune",
        ])
        .env_remove("PROTOKOL_DATABASE_URL")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let server = Server(child);
    let addr = loop {
        let line = lines
            .next()
            .expect("the server says where it listens")
            .unwrap();
        if let Some(i) = line.find("serves http://") {
            break line[i + 14..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_string();
        }
    };
    // Keep reading the server's log so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let base = format!("http://{addr}");

    let work = tmp.path().join("mst");
    std::fs::create_dir_all(work.join("log")).unwrap();
    let db = work.join("mst.sqlite3");
    let mst = |args: &[&str]| {
        let o = Command::new(venv.join("bin/mst-manage"))
            .args(args)
            .current_dir(&work)
            .env("REAL_HOST", "localhost")
            .env("SECRET_KEY", "harvest-test")
            .env("DATABASE_URL", format!("sqlite:///{}", db.display()))
            .env("ELASTICSEARCH_ENABLED", "False")
            .env("LOG_DIRECTORY", work.join("log"))
            .output()
            .unwrap();
        let out = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.status.success(), "mst-manage {args:?} failed:\n{out}");
        out
    };
    mst(&["migrate", "-v0"]);
    let started = Instant::now();
    let log = mst(&[
        "import",
        &format!("{base}/oparl/v1/body/kommune"),
        "--skip-body-extra",
        "--skip-files",
        "--ags",
        "00000707",
    ]);
    eprintln!(
        "meine-stadt-transparent harvested protokol in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(log.contains("Object import was successful"), "{log}");

    let o = Command::new(venv.join("bin/python"))
        .arg(repo().join("tests/mst/harvest_check.py"))
        .arg(&base)
        .arg(&db)
        .arg(CANARY)
        .output()
        .unwrap();
    drop(server);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();

    assert_eq!(
        r["served"], r["stored"],
        "what it stored is what we serve: {r}"
    );
    let stored = &r["stored"];
    assert_eq!(stored["meeting"], 5, "{r}");
    assert_eq!(stored["organization"], 2, "{r}");
    assert_eq!(stored["paper"], 1, "one case: {r}");
    assert_eq!(stored["consultation"], 2, "treated by two bodies: {r}");
    let items = demo_meetings().iter().map(|m| m.items.len()).sum::<usize>() + kb.items.len();
    assert_eq!(stored["agendaitem"], items, "{r}");
    assert!(stored["person"].as_u64().unwrap() >= 3, "{r}");
    let names = &r["names"];
    let has = |kind: &str, name: &str| {
        names[kind]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str() == Some(name))
    };
    assert!(has("agendaitem", "Ansættelse af direktør"), "{r}");
    assert!(has("organization", "Kommunalbestyrelsen"), "{r}");
    assert!(has("meeting", "Kommunalbestyrelsen 18. juni 2024"), "{r}");
    assert!(has("location", "Byrådssalen, rådhuset"), "{r}");
    assert!(has("person", "Kasper Bjerregaard"), "{r}");
    assert_eq!(
        r["leaks"],
        serde_json::json!([]),
        "closed content harvested: {r}"
    );
}
