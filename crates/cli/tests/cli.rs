//! The `protokol` binary as a user runs it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use protokol_testkit::{demo_dir, postgres_available};

fn protokol() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_protokol"));
    c.env_remove("PROTOKOL_DATABASE_URL")
        .env_remove("PROTOKOL_DATA");
    c
}

fn run(c: &mut Command) -> Output {
    c.output().expect("the protokol binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// import demo → export → import into an empty store → export: identical files.
fn round_trip(first: &[&str], second: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let (out1, out2) = (tmp.path().join("out1"), tmp.path().join("out2"));
    let o = run(protokol().args(first).arg("import").arg(demo_dir()));
    assert!(o.status.success(), "{}", text(&o));
    let o = run(protokol()
        .args(first)
        .args(["export", "--json", "--out"])
        .arg(&out1));
    assert!(o.status.success(), "{}", text(&o));
    let o = run(protokol().args(second).arg("import").arg(&out1));
    assert!(o.status.success(), "{}", text(&o));
    let o = run(protokol()
        .args(second)
        .args(["export", "--json", "--out"])
        .arg(&out2));
    assert!(o.status.success(), "{}", text(&o));

    let (a, b) = (files_in(&out1), files_in(&out2));
    let names: Vec<_> = a.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "DIR-2023-09-06.json",
            "DIR-2023-09-13.json",
            "DIR-2024-01-24.json",
            "DIR-2024-05-15.json"
        ]
    );
    assert_eq!(a, b, "the second export differs from the first");
}

#[test]
fn export_import_export_is_identical_on_sqlite() {
    let tmp = tempfile::tempdir().unwrap();
    let (d1, d2) = (tmp.path().join("a"), tmp.path().join("b"));
    round_trip(
        &["--data", d1.to_str().unwrap()],
        &["--data", d2.to_str().unwrap()],
    );
}

#[tokio::test]
async fn export_import_export_is_identical_on_postgres() {
    if !postgres_available().await {
        return;
    }
    let first = protokol_testkit::postgres().await.unwrap();
    let second = protokol_testkit::postgres().await.unwrap();
    let (u1, u2) = (first.url().to_string(), second.url().to_string());
    tokio::task::spawn_blocking(move || {
        round_trip(&["--database-url", &u1], &["--database-url", &u2])
    })
    .await
    .unwrap();
}

#[test]
fn global_options_work_before_and_after_the_subcommand() {
    let tmp = tempfile::tempdir().unwrap();
    let before = tmp.path().join("before");
    let after = tmp.path().join("after");
    let o = run(protokol()
        .arg("--data")
        .arg(&before)
        .arg("import")
        .arg(demo_dir()));
    assert!(o.status.success(), "{}", text(&o));
    let o = run(protokol()
        .arg("import")
        .arg(demo_dir())
        .arg("--data")
        .arg(&after));
    assert!(o.status.success(), "{}", text(&o));
    assert!(before.join("protokol.db").exists());
    assert!(after.join("protokol.db").exists());
    assert!(text(&o).contains("4 meetings created"), "{}", text(&o));
}

#[test]
fn database_url_from_the_environment_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("elsewhere.db");
    let data = tmp.path().join("data");
    let o = run(protokol()
        .env(
            "PROTOKOL_DATABASE_URL",
            format!("sqlite://{}?mode=rwc", db.display()),
        )
        .arg("--data")
        .arg(&data)
        .arg("import")
        .arg(demo_dir()));
    assert!(o.status.success(), "{}", text(&o));
    assert!(db.exists());
    assert!(
        !data.exists(),
        "the data folder is not used when a database URL is given"
    );
}

#[test]
fn a_failing_file_is_named_with_path_and_reason_and_the_exit_status_is_non_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"schema":"protokol.meeting/1","body":{"name":"Direktionen","code":"DIR"},
            "kind":"minutes","date":"2023-09-06","items":[{"number":1,"title":"A","access":"open",
            "schedule":[{"time":"25:61","title":"x"}]}]}"#,
    )
    .unwrap();
    let o = run(protokol()
        .arg("--data")
        .arg(tmp.path().join("d"))
        .arg("import")
        .arg(&bad)
        .arg(demo_dir().join("DIR-2023-09-13.json")));
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o);
    assert!(
        out.contains("bad.json: items[0].schedule[0].time: invalid time \"25:61\""),
        "{out}"
    );
    assert!(out.contains("DIR 2023-09-13 created"), "{out}");
    assert!(out.contains("1 file failed"), "{out}");
}

#[test]
fn dry_run_as_json_stores_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let o = run(protokol()
        .arg("--data")
        .arg(&data)
        .args(["import", "--dry-run", "--json"])
        .arg(demo_dir()));
    assert!(o.status.success(), "{}", text(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["summary"]["created"], 4);
    let o = run(protokol()
        .arg("--data")
        .arg(&data)
        .args(["export", "--json", "--out"])
        .arg(tmp.path().join("o")));
    assert!(text(&o).contains("Exported 0 meetings"), "{}", text(&o));
}

#[test]
fn serve_demo_answers_with_the_demo_meetings() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = protokol()
        .arg("--data")
        .arg(tmp.path())
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server says where it listens")
            .unwrap();
        if let Some(i) = line.find("http://") {
            break line[i + 7..].split_whitespace().next().unwrap().to_string();
        }
    };
    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        s.read_to_end(&mut response).unwrap();
        response
    };
    let response = String::from_utf8(get("/direktionen/2023-09-06")).unwrap();
    // The server lays PDFs out in a worker process (this binary's render-worker).
    let pdf = get("/direktionen/2023-09-06/referat.pdf");
    child.kill().unwrap();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("Onsdag den 6. september 2023"));
    assert!(response.contains("Punkter til behandling"));
    let head = String::from_utf8_lossy(&pdf[..pdf.len().min(400)]).to_string();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("application/pdf"), "{head}");
    let body = pdf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| &pdf[i + 4..])
        .unwrap();
    assert!(body.starts_with(b"%PDF-"), "the answer is a PDF");
}

#[test]
fn the_render_worker_lays_out_the_same_pdf_as_the_server_would_in_process() {
    // Closed content with canaries: the public document handed across the process boundary
    // and the PDF the worker makes hold none of it.
    let meeting = protokol_testkit::with_closed_canaries(protokol_testkit::council_meeting());
    let doc = protokol_render::Document::build(
        &meeting,
        &protokol_core::BodySettings::default(),
        protokol_render::Edition::Public,
        protokol_render::DocKind::Minutes,
        protokol_render::Scope::Meeting,
    )
    .unwrap();
    let input = protokol_render::pdf::worker_input(&doc).unwrap();
    assert!(!String::from_utf8_lossy(&input).contains(protokol_testkit::CANARY));
    let mut child = protokol()
        .arg("render-worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, protokol_render::pdf::render(&doc).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("worker.pdf");
    std::fs::write(&pdf, &out.stdout).unwrap();
    match Command::new("pdftotext").arg(&pdf).arg("-").output() {
        Ok(text) => {
            let text = String::from_utf8_lossy(&text.stdout);
            assert!(text.contains("Kommunalbestyrelsen"), "the PDF has text");
            assert!(!text.contains(protokol_testkit::CANARY));
        }
        Err(_) => assert!(
            !protokol_testkit::in_ci(),
            "pdftotext (poppler-utils) is missing and CI=true"
        ),
    }
    // Input that is not a document is refused with a reason, not a panic.
    let mut bad = protokol()
        .arg("render-worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    bad.stdin
        .take()
        .unwrap()
        .write_all(b"{\"ident\": 1}")
        .unwrap();
    let out = bad.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ident"));
}

#[test]
fn bench_render_lays_out_both_documents_and_keeps_them_when_asked() {
    let out = tempfile::tempdir().unwrap();
    let o = run(protokol()
        .args([
            "bench",
            "render",
            "--runs",
            "1",
            "--baseline-runs",
            "0",
            "--out",
        ])
        .arg(out.path()));
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        t.contains("Direktionen 6 Sep 2023, minutes (8 pages)"),
        "{t}"
    );
    assert!(t.contains("council, 30 items, minutes"), "{t}");
    assert_eq!(t.matches("protokol PDF (typst)").count(), 2, "{t}");
    let council = out
        .path()
        .join("kommunalbestyrelsen-30-punkter-referat.pdf");
    let pdf = std::fs::read(&council).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let html = std::fs::read_to_string(
        out.path()
            .join("kommunalbestyrelsen-30-punkter-referat.html"),
    )
    .unwrap();
    assert!(
        html.contains("Budgetopfølgning pr. 31. august (30)"),
        "the thirtieth item"
    );
    assert!(html.contains("Rasmus Nørgaard (A), stedfortræder for"));
}

fn with_stdin(c: &mut Command, input: &str) -> Output {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_commands_create_the_first_administrator_and_grant_roles_per_body() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let p = || {
        let mut c = protokol();
        c.arg("--data").arg(&data);
        c
    };
    let o = run(p().args(["user", "list"]));
    assert!(text(&o).contains("No accounts yet"), "{}", text(&o));
    // No terminal and no --password-stdin: a clear error, nothing created.
    let o = run(p().args(["user", "add", "anne"]).stdin(Stdio::null()));
    assert!(!o.status.success());
    assert!(text(&o).contains("--password-stdin"), "{}", text(&o));
    let o = with_stdin(
        p().args(["user", "add", "anne", "--password-stdin"]),
        "kort\n",
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("at least 10 characters"), "{}", text(&o));
    let o = with_stdin(
        p().args([
            "user",
            "add",
            "Anne",
            "--name",
            "Anne Admin",
            "--administrator",
            "--password-stdin",
        ]),
        "en god adgangskode\n",
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("anne (Anne Admin): administrator"),
        "{}",
        text(&o)
    );

    run(p().arg("import").arg(demo_dir()));
    let o = with_stdin(
        p().args(["user", "add", "lene", "--password-stdin"]),
        "en god adgangskode\n",
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(p().args(["user", "grant", "lene", "member", "--body", "direktionen"]));
    assert!(text(&o).contains("lene: member of DIR"), "{}", text(&o));
    for (args, message) in [
        (vec!["user", "grant", "lene", "member"], "add --body"),
        (
            vec!["user", "grant", "lene", "chef", "--body", "DIR"],
            "unknown role",
        ),
        (
            vec!["user", "grant", "lene", "member", "--body", "KB"],
            "no body with the code or name \"KB\"",
        ),
        (
            vec!["user", "grant", "nobody", "member", "--body", "DIR"],
            "account nobody not found",
        ),
        (
            vec!["user", "grant", "lene", "administrator", "--body", "DIR"],
            "not per body",
        ),
    ] {
        let o = run(p().args(&args));
        assert!(!o.status.success(), "{args:?}");
        assert!(text(&o).contains(message), "{args:?}: {}", text(&o));
    }
    let o = run(p().args(["user", "revoke", "lene", "member", "--body", "DIR"]));
    assert!(text(&o).contains("lene: no roles"), "{}", text(&o));
    let o = run(p().args(["user", "list"]));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "anne (Anne Admin): administrator\nlene: no roles\n"
    );
}

#[test]
fn verify_checks_the_approval_log_and_names_changed_minutes() {
    use protokol_core::MeetingStatus;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let p = || {
        let mut c = protokol();
        c.arg("--data").arg(&data);
        c
    };
    let o = run(p().arg("verify"));
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("0 approved minutes checked"),
        "{}",
        text(&o)
    );

    // Minutes signed by everyone who attended, through the store.
    let url = format!("sqlite://{}?mode=rwc", data.join("protokol.db").display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut m = protokol_testkit::council_meeting();
    m.status = Some(MeetingStatus::Held);
    m.signatures.clear();
    rt.block_on(async {
        std::fs::create_dir_all(&data).unwrap();
        let store = protokol_store::Store::open(&url).await.unwrap();
        let saved = store.upsert_meeting(&m, "t").await.unwrap();
        let mut v = saved.version;
        for member in ["Kasper Bjerregaard", "Jan Petersen", "Ulla Mortensen"] {
            v = store
                .sign_minutes(saved.id, member, None, v, "t")
                .await
                .unwrap()
                .version;
        }
        store.close().await;
    });
    let o = run(p().arg("verify"));
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("1 approved minutes checked: the approval log is intact"),
        "{}",
        text(&o)
    );

    // Importing a changed copy of the approved minutes is refused, naming the meeting.
    let export = dir.path().join("export");
    run(p().args(["export", "--json", "--out"]).arg(&export));
    let file = export.join("KB-2024-06-18.json");
    let json = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, json.replace("Godkendt.", "Forkastet.")).unwrap();
    let o = run(p().arg("import").arg(&file));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("Kommunalbestyrelsen (KB) on 2024-06-18 are approved and cannot be changed; corrections are dated additions"),
        "{}",
        text(&o)
    );
    let o = run(p().arg("verify"));
    assert!(o.status.success(), "{}", text(&o));

    // A change behind protokol's back, in the database itself, is found.
    rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::raw_sql("UPDATE items SET decision = 'Forkastet.' WHERE decision = 'Godkendt.'")
            .execute(&mut conn)
            .await
            .unwrap();
    });
    let o = run(p().arg("verify"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("CHANGED log row 1: the approved minutes of Kommunalbestyrelsen on 2024-06-18 were changed after approval"), "{}", text(&o));
}

/// The public export and the public render read the published record, as the web does:
/// an edit not yet published stays out of them; `republish` derives the record again.
#[test]
fn public_export_and_render_show_the_published_edition_not_later_edits() {
    use protokol_core::{MeetingStatus, PublicationKind};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let p = || {
        let mut c = protokol();
        c.arg("--data").arg(&data);
        c
    };
    let o = run(p().arg("import").arg(demo_dir()));
    assert!(o.status.success(), "{}", text(&o));
    let url = format!("sqlite://{}?mode=rwc", data.join("protokol.db").display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = protokol_store::Store::open(&url).await.unwrap();
        let (mut m, v) = store
            .meeting_on(&"DIR".parse().unwrap(), "2024-01-24".parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        m.status = Some(MeetingStatus::Held);
        let v = store
            .publish(&m, v, PublicationKind::Minutes, "sekretær")
            .await
            .unwrap()
            .version;
        let (mut m, _) = store.meeting(m.id.unwrap()).await.unwrap().unwrap();
        m.location = Some("Ikke offentliggjort lokale".into());
        store.update_meeting(&m, v, "sekretær").await.unwrap();
        store.close().await;
    });
    let (public, internal) = (dir.path().join("pub"), dir.path().join("all"));
    assert!(
        run(p()
            .args(["export", "--json", "--public", "--out"])
            .arg(&public))
        .status
        .success()
    );
    assert!(
        run(p().args(["export", "--json", "--out"]).arg(&internal))
            .status
            .success()
    );
    let read = |d: &Path| std::fs::read_to_string(d.join("DIR-2024-01-24.json")).unwrap();
    assert!(!read(&public).contains("Ikke offentliggjort lokale"));
    assert!(read(&internal).contains("Ikke offentliggjort lokale"));
    assert_eq!(std::fs::read_dir(&public).unwrap().count(), 4);
    for (version, shows) in [("public", false), ("internal", true)] {
        let out = dir.path().join(format!("{version}.html"));
        let o = run(p()
            .args([
                "render",
                "--meeting",
                "DIR/2024-01-24",
                "--format",
                "html",
                "--version",
                version,
                "--out",
            ])
            .arg(&out));
        assert!(o.status.success(), "{}", text(&o));
        let html = std::fs::read_to_string(&out).unwrap();
        assert_eq!(
            html.contains("Ikke offentliggjort lokale"),
            shows,
            "{version}"
        );
    }
    let o = run(p().arg("republish"));
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("The published record of 4 meetings derived again"),
        "{}",
        text(&o)
    );
    assert!(
        run(p()
            .args(["export", "--json", "--public", "--out"])
            .arg(&public))
        .status
        .success()
    );
    assert!(!read(&public).contains("Ikke offentliggjort lokale"));
}

/// `protokol reindex` builds the search indexes in the data folder; `protokol search` finds
/// what the public may find (a compound by its part, a case number exactly), exits 1 when
/// nothing is found, and prints JSON for scripts; an index of an older version is rebuilt.
#[test]
fn search_and_reindex_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let with = |c: &mut Command| -> Output { run(c.arg("--data").arg(&data)) };
    let o = with(protokol().arg("import").arg(demo_dir()));
    assert!(o.status.success(), "{}", text(&o));
    let o = with(protokol().arg("reindex"));
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Indexed 4 meetings"), "{}", text(&o));
    assert!(data.join("search/public").is_dir() && data.join("search/internal").is_dir());

    // "møde" finds "Borgermødet" (a part of a compound).
    let o = with(protokol().args(["search", "møde"]));
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("[Borgermødet]"), "{}", text(&o));
    let o = with(protokol().args(["search", "--json", "sygefravær"]));
    assert!(o.status.success(), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(json["total"].as_u64().unwrap() >= 1, "{json}");
    assert!(
        json["hits"][0]["href"]
            .as_str()
            .unwrap()
            .starts_with("/direktionen/2023-09-06"),
        "{json}"
    );
    let o = with(protokol().args(["search", "xyzzyplugh"]));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("0 resultater"), "{}", text(&o));

    // An index from an older version of protokol is built anew on first use.
    let state = data.join("search/public/protokol-search.json");
    let old = std::fs::read_to_string(&state).unwrap();
    let older = old.replace(
        &format!("\"schema\": {}", protokol_search::index::SCHEMA_VERSION),
        "\"schema\": 0",
    );
    assert_ne!(old, older);
    std::fs::write(&state, older).unwrap();
    let o = with(protokol().args(["search", "sygefravær"]));
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("building it now"), "{}", text(&o));
}

/// `protokol search` searches as the public: closed content (every closed field carries
/// the canary) is not found and not shown.
#[test]
fn search_on_the_command_line_never_shows_closed_content() {
    use protokol_testkit::{CANARY, council_meeting, with_closed_canaries};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = tmp.path().join("kb.json");
    let m = with_closed_canaries(council_meeting());
    std::fs::write(&file, protokol_core::exchange::to_json(&m)).unwrap();
    let o = run(protokol().arg("--data").arg(&data).arg("import").arg(&file));
    assert!(o.status.success(), "{}", text(&o));
    for q in [
        "kanarie",
        "Filtekst",
        "Underpunktets",
        "godkendt",
        "direktør",
    ] {
        let o = run(protokol()
            .arg("--data")
            .arg(&data)
            .args(["search", "--json", "--limit", "100", q]));
        let out = text(&o);
        let shown = out.replace(&format!("\"query\": \"{q}\""), "");
        assert!(!shown.contains(CANARY), "{q}: {out}");
    }
    let o = run(protokol()
        .arg("--data")
        .arg(&data)
        .args(["search", "kanarie"]));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

/// `protokol export-public` writes the public record of a date range as JSON Lines: one
/// meeting per line, nothing closed, a bad range refused with a message.
#[test]
fn export_public_writes_the_public_record_as_json_lines() {
    use protokol_testkit::{CANARY, council_meeting, with_closed_canaries};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = tmp.path().join("kb.json");
    std::fs::write(
        &file,
        protokol_core::exchange::to_json(&with_closed_canaries(council_meeting())),
    )
    .unwrap();
    let o = run(protokol().arg("--data").arg(&data).arg("import").arg(&file));
    assert!(o.status.success(), "{}", text(&o));
    let out = tmp.path().join("moeder.jsonl");
    let o = run(protokol()
        .arg("--data")
        .arg(&data)
        .args([
            "export-public",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
            "--out",
        ])
        .arg(&out));
    assert!(o.status.success(), "{}", text(&o));
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 1, "{written}");
    assert!(!written.contains(CANARY), "closed content exported");
    let m = protokol_core::exchange::parse_meeting(written.lines().next().unwrap()).unwrap();
    assert!(m.items.iter().any(|i| i.title == "Ansættelse af direktør"));
    // Another year: nothing.
    let o = run(protokol().arg("--data").arg(&data).args([
        "export-public",
        "--from",
        "2025-01-01",
        "--out",
        "-",
    ]));
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).is_empty());
    let o = run(protokol().arg("--data").arg(&data).args([
        "export-public",
        "--from",
        "2025-01-01",
        "--to",
        "2024-01-01",
        "--out",
        "-",
    ]));
    assert!(!o.status.success());
    assert!(text(&o).contains("after"), "{}", text(&o));
}
