//! The reliability suite: protokol as an attacker and an unlucky administrator would use it,
//! on SQLite and on PostgreSQL, over loopback only and within bounded time.
//!
//! - a burst of parallel sign-in guesses, and the owner signing in meanwhile;
//! - imports over approved minutes from JSON, text and PDF, and a change made in the
//!   database behind protokol's back, found by `verify`;
//! - hostile files: a PDF that expands without end, folders with symbolic-link loops, file
//!   names with control characters, binary and truncated files, an oversized request;
//! - `kill -9` during imports, several times, each followed by `verify` and a check that
//!   every stored meeting is whole (exactly what its file says) and, on SQLite, the
//!   database's own integrity check;
//! - a short concurrent read and write load against a server holding 2,000 meetings,
//!   counting server errors, failed connections and lost updates.
//!
//! It prints what it tried and what held (`scripts/test` runs it with `--nocapture`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "reliability/http.rs"]
mod http;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http::{Request, send};
use protokol_core::exchange::{parse_meeting, to_json};
use protokol_core::{Access, BodyRef, Meeting, MeetingStatus};
use protokol_testkit::{CANARY, council_meeting, demo_meetings, with_closed_canaries};

const PASSWORD: &str = "mødelokale 250 rådhuset";
const MEETINGS: usize = 2_000;

// ------------------------------------------------------------------ the report

struct Suite {
    backend: &'static str,
    rows: Vec<(String, bool, String)>,
}

impl Suite {
    fn new(backend: &'static str) -> Self {
        println!("\n== reliability suite on {backend}");
        Self {
            backend,
            rows: Vec::new(),
        }
    }

    fn check(&mut self, tried: impl Into<String>, held: bool, detail: impl Into<String>) {
        let (tried, detail) = (tried.into(), detail.into());
        println!(
            "  [{}] {tried}: {detail}",
            if held { "held" } else { "FAILED" }
        );
        self.rows.push((tried, held, detail));
    }

    fn finish(self) {
        let failed: Vec<_> = self.rows.iter().filter(|(_, held, _)| !held).collect();
        println!(
            "== {}: {} of {} checks held",
            self.backend,
            self.rows.len() - failed.len(),
            self.rows.len()
        );
        assert!(
            failed.is_empty(),
            "on {}, these did not hold: {failed:#?}",
            self.backend
        );
    }
}

// ------------------------------------------------------------------ a database to use

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// One fresh database with a data folder, for one scenario.
struct Env {
    url: String,
    dir: tempfile::TempDir,
    _postgres: Option<protokol_testkit::TestStore>,
}

impl Env {
    fn new(backend: Backend, rt: &tokio::runtime::Runtime) -> Self {
        let dir = tempfile::tempdir().unwrap();
        match backend {
            Backend::Sqlite => Self {
                url: format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("protokol.db").display()
                ),
                dir,
                _postgres: None,
            },
            Backend::Postgres => {
                let t = rt
                    .block_on(protokol_testkit::postgres())
                    .expect("PostgreSQL is reachable");
                Self {
                    url: t.url().to_string(),
                    dir,
                    _postgres: Some(t),
                }
            }
        }
    }

    fn protokol(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_protokol"));
        c.env_remove("PROTOKOL_DATABASE_URL")
            .env_remove("PROTOKOL_DATA")
            .env("PROTOKOL_LOG", "warn")
            .arg("--data")
            .arg(self.dir.path().join("data"))
            .arg("--database-url")
            .arg(&self.url);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.protokol().args(args).output().unwrap()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn add_user(&self, name: &str, role: &str, body: &str) {
        let mut child = self
            .protokol()
            .args(["user", "add", name, "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
        assert!(child.wait().unwrap().success());
        assert!(
            self.run(&["user", "grant", name, role, "--body", body])
                .status
                .success()
        );
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs `cmd` and kills it if it has not ended after `limit`: (output, ended by itself).
fn run_bounded(cmd: &mut Command, limit: Duration) -> (String, Option<i32>, bool) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut s);
        let _ = std::io::Read::read_to_end(&mut err, &mut s);
        s
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    (output, status.and_then(|s| s.code()), status.is_some())
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(name)
}

fn by_date(date: &str) -> Meeting {
    demo_meetings()
        .into_iter()
        .find(|m| m.date.to_string() == date)
        .unwrap()
}

// ------------------------------------------------------------------ approved minutes

fn imports_over_approved_minutes(s: &mut Suite, backend: Backend, rt: &tokio::runtime::Runtime) {
    let env = Env::new(backend, rt);
    let approved = with_closed_canaries(by_date("2023-09-06"));
    assert_eq!(approved.status, Some(MeetingStatus::MinutesApproved));
    std::fs::write(env.path("approved.json"), to_json(&approved)).unwrap();
    let o = env.run(&["import", env.path("approved.json").to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let export = env.path("export");
    let o = env.run(&["export", "--json", "--out", export.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let stored = std::fs::read_to_string(export.join("DIR-2023-09-06.json")).unwrap();

    // JSON: one decision changed and the closed item opened.
    let mut edited = parse_meeting(&stored).unwrap();
    edited.items[0].decision = Some("Forkastet.".into());
    let closed = edited
        .items
        .iter_mut()
        .find(|i| i.access.is_closed())
        .unwrap();
    closed.access = Access::Open;
    closed.closed_reason = None;
    closed.public_title = None;
    closed.public_decision = None;
    let edited_json = env.path("edited.json");
    std::fs::write(&edited_json, to_json(&edited)).unwrap();

    // Text: the published minutes of that meeting with one sentence changed.
    let seed = std::fs::read_to_string(data("seeds/001_9e1715f7c52341eb.txt")).unwrap();
    let edited_text = env.path("rettet-referat.txt");
    std::fs::write(
        &edited_text,
        seed.replacen("Der blev afholdt", "Der blev IKKE afholdt", 1),
    )
    .unwrap();

    // PDF: the edited meeting laid out by protokol in a scratch store.
    let scratch = Env::new(Backend::Sqlite, rt);
    edited.status = Some(MeetingStatus::Held);
    std::fs::write(scratch.path("e.json"), to_json(&edited)).unwrap();
    assert!(
        scratch
            .run(&["import", scratch.path("e.json").to_str().unwrap()])
            .status
            .success()
    );
    let edited_pdf = env.path("rettet-referat.pdf");
    let o = scratch.run(&[
        "render",
        "--meeting",
        "DIR/2023-09-06",
        "--version",
        "internal",
        "--out",
        edited_pdf.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));

    for (what, file) in [
        ("JSON", &edited_json),
        ("text", &edited_text),
        ("PDF", &edited_pdf),
    ] {
        let o = env.run(&["import", file.to_str().unwrap()]);
        let out = text(&o);
        let refused = o.status.code() == Some(1)
            && out.contains("FAIL")
            && out.contains("are approved and cannot be changed; corrections are dated additions");
        s.check(
            format!("import a changed {what} over approved minutes"),
            refused,
            out.lines()
                .find(|l| l.starts_with("FAIL"))
                .unwrap_or(&out)
                .chars()
                .take(160)
                .collect::<String>(),
        );
    }
    let o = env.run(&[
        "export",
        "--json",
        "--out",
        env.path("after").to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let after = std::fs::read_to_string(env.path("after/DIR-2023-09-06.json")).unwrap();
    s.check(
        "approved minutes after the refused imports",
        after == stored,
        if after == stored {
            "byte for byte as approved"
        } else {
            "CHANGED"
        },
    );
    let public = env.path("public");
    env.run(&[
        "export",
        "--json",
        "--public",
        "--out",
        public.to_str().unwrap(),
    ]);
    let leaked = std::fs::read_dir(&public).unwrap().any(|f| {
        std::fs::read_to_string(f.unwrap().path())
            .unwrap()
            .contains(CANARY)
    });
    s.check(
        "closed text in the public export after the attempts",
        !leaked,
        if leaked { "LEAKED" } else { "none" },
    );
    let o = env.run(&["verify"]);
    s.check(
        "verify after the refused imports",
        o.status.success(),
        text(&o).trim().to_string(),
    );
    // Behind protokol's back: an SQL UPDATE of an approved decision.
    rt.block_on(async {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&env.url).await.unwrap();
        sqlx::raw_sql("UPDATE items SET decision = 'Forkastet.' WHERE position = 0")
            .execute(&mut conn)
            .await
            .unwrap();
    });
    let o = env.run(&["verify"]);
    s.check(
        "an SQL UPDATE of approved minutes, then verify",
        o.status.code() == Some(1) && text(&o).contains("were changed after approval"),
        text(&o).lines().next().unwrap_or("").to_string(),
    );
}

// ------------------------------------------------------------------ hostile files

fn pdftotext_processes_for(needle: &str) -> usize {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
                    let zombie = stat
                        .rsplit_once(')')
                        .is_some_and(|(_, r)| r.trim_start().starts_with('Z'));
                    !zombie
                        && std::fs::read(e.path().join("cmdline"))
                            .is_ok_and(|c| String::from_utf8_lossy(&c).contains(needle))
                })
                .count()
        })
        .unwrap_or(0)
}

fn hostile_files(s: &mut Suite, backend: Backend, rt: &tokio::runtime::Runtime) {
    let env = Env::new(backend, rt);
    // A PDF whose stream expands to gigabytes.
    let slow = env.path("langsom.pdf");
    std::fs::copy(data("hostile/slow-stream.pdf"), &slow).unwrap();
    let started = Instant::now();
    let (out, code, ended) = run_bounded(
        env.protokol()
            .args(["--pdf-seconds", "2", "import"])
            .arg(&slow),
        Duration::from_secs(90),
    );
    let left = pdftotext_processes_for(&slow.display().to_string());
    s.check(
        "import a 13 KB PDF that expands without end (--pdf-seconds 2)",
        ended && code == Some(1) && out.contains("took longer than 2 seconds") && left == 0,
        format!(
            "refused after {:.1} s, {left} reader(s) left running",
            started.elapsed().as_secs_f64()
        ),
    );

    // A folder that links back to itself, twice, and to a file in it.
    let d = env.path("loop");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("a.json"), to_json(&by_date("2024-01-24"))).unwrap();
    std::os::unix::fs::symlink(".", d.join("x")).unwrap();
    std::os::unix::fs::symlink(".", d.join("y")).unwrap();
    std::os::unix::fs::symlink("a.json", d.join("z.json")).unwrap();
    let (out, code, ended) = run_bounded(
        env.protokol().arg("import").arg(&d),
        Duration::from_secs(60),
    );
    s.check(
        "import a folder with two links to itself and one to a file in it",
        ended
            && code == Some(0)
            && out.contains("1 file: 1 meeting created")
            && out.matches("skip ").count() == 3,
        out.lines().last().unwrap_or("").to_string(),
    );

    // Names with a newline and a terminal escape; a binary file; a truncated JSON file.
    let h = env.path("names");
    std::fs::create_dir_all(&h).unwrap();
    std::fs::write(h.join("bad\nok   forged.json"), b"{ not json").unwrap();
    std::fs::write(h.join("esc\x1b[2J.json"), b"[]").unwrap();
    let mut random = vec![0u8; 4096];
    for (i, b) in random.iter_mut().enumerate() {
        *b = (i * 7919 % 251) as u8;
    }
    std::fs::write(h.join("binary.txt"), &random).unwrap();
    let json = to_json(&by_date("2024-05-15"));
    std::fs::write(h.join("truncated.json"), &json[..json.len() / 2]).unwrap();
    std::fs::write(h.join("whole.json"), &json).unwrap();
    let (out, code, ended) = run_bounded(
        env.protokol().arg("import").arg(&h),
        Duration::from_secs(60),
    );
    let forged = out.lines().any(|l| l.starts_with("ok   forged"));
    let raw_escape = out.contains('\x1b');
    s.check(
        "import file names with a newline and an escape sequence",
        ended
            && !forged
            && !raw_escape
            && out.contains("bad\\nok   forged.json")
            && out.contains("\\u{1b}"),
        "shown escaped, no forged report line",
    );
    s.check(
        "import a binary and a truncated file next to a whole one",
        ended
            && code == Some(1)
            && out.contains("whole.json: [protokol.meeting/1] DIR 2024-05-15 created")
            && out.contains("binary.txt: the file is not text")
            && out.contains("truncated.json"),
        out.lines().last().unwrap_or("").to_string(),
    );
}

// ------------------------------------------------------------------ kill -9 during imports

const BODIES: [(&str, &str); 3] = [
    ("Kommunalbestyrelsen", "KB"),
    ("Økonomiudvalget", "ØK"),
    ("Direktionen", "DIR"),
];

/// `MEETINGS` meetings, one file each: the council fixture on other dates and bodies; every
/// tenth approved (so the approval log has work), the rest held.
fn write_corpus(dir: &Path) -> HashMap<(String, String), String> {
    std::fs::create_dir_all(dir).unwrap();
    let base = council_meeting();
    let first = chrono::NaiveDate::from_ymd_opt(2016, 1, 4).unwrap();
    let mut files = HashMap::new();
    for i in 0..MEETINGS {
        let mut m = base.clone();
        let (name, code) = BODIES[i % 3];
        m.body = BodyRef {
            name: name.into(),
            code: code.parse().unwrap(),
        };
        m.date = first + chrono::Duration::days((i / 3) as i64 * 2);
        if i % 10 != 0 {
            m.status = Some(MeetingStatus::Held);
            m.signatures.clear();
        }
        m.items[0].title = format!("Punkt i møde {i}");
        let json = to_json(&m);
        std::fs::write(dir.join(format!("{i:05}.json")), &json).unwrap();
        files.insert((code.to_string(), m.date.to_string()), json);
    }
    files
}

/// What a meeting holds, counted: (items, sub-points, attachments, members, signatures).
type Shape = (i64, i64, i64, i64, i64);

fn shape_of(m: &Meeting) -> Shape {
    let n = |x: usize| x as i64;
    (
        n(m.items.len()),
        n(m.items.iter().map(|i| i.schedule.len()).sum()),
        n(m.items.iter().map(|i| i.attachments.len()).sum()),
        n(m.members.len()),
        n(m.signatures.len()),
    )
}

/// Every stored meeting must be whole: its rows counted in the database match its file,
/// and the most recently stored ones (those written around a kill) read back exactly as
/// their files say. On SQLite, the database's own integrity check must pass too.
fn whole_meetings(
    url: &str,
    rt: &tokio::runtime::Runtime,
    files: &HashMap<(String, String), String>,
) -> (usize, Vec<String>) {
    use sqlx::{Connection, Row};
    rt.block_on(async {
        let store = protokol_store::Store::open(url).await.unwrap();
        let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
        let rows = sqlx::query(
            "SELECT m.id, b.code, m.meeting_date,
               (SELECT COUNT(*) FROM items i WHERE i.meeting_id = m.id) AS items,
               (SELECT COUNT(*) FROM sub_points s JOIN items i ON i.id = s.item_id
                 WHERE i.meeting_id = m.id) AS sub_points,
               (SELECT COUNT(*) FROM attachments a JOIN items i ON i.id = a.item_id
                 WHERE i.meeting_id = m.id) AS attachments,
               (SELECT COUNT(*) FROM meeting_members x WHERE x.meeting_id = m.id) AS members,
               (SELECT COUNT(*) FROM signatures x WHERE x.meeting_id = m.id) AS signatures
             FROM meetings m JOIN bodies b ON b.id = m.body_id ORDER BY m.created_at DESC",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let mut problems = Vec::new();
        for (n, r) in rows.iter().enumerate() {
            let key: (String, String) = (r.get("code"), r.get("meeting_date"));
            let Some(json) = files.get(&key) else {
                problems.push(format!("{key:?} has no file"));
                continue;
            };
            let expected = parse_meeting(json).unwrap();
            let got: Shape = (
                r.get("items"),
                r.get("sub_points"),
                r.get("attachments"),
                r.get("members"),
                r.get("signatures"),
            );
            if got != shape_of(&expected) {
                problems.push(format!(
                    "{key:?}: {got:?} rows, its file {:?}",
                    shape_of(&expected)
                ));
            }
            if n < 100 {
                let id: String = r.get("id");
                let (m, _) = store.meeting(id.parse().unwrap()).await.unwrap().unwrap();
                if to_json(&protokol_testkit::without_ids(&m)) != *json {
                    problems.push(format!("{key:?} differs from its file"));
                }
            }
        }
        if store.backend() == protokol_store::Backend::Sqlite {
            let r = sqlx::query("PRAGMA integrity_check")
                .fetch_one(&mut conn)
                .await
                .unwrap();
            let verdict: String = r.try_get(0).unwrap();
            if verdict != "ok" {
                problems.push(format!("SQLite integrity_check: {verdict}"));
            }
        }
        store.close().await;
        (rows.len(), problems)
    })
}

fn kills_during_imports(
    s: &mut Suite,
    env: &Env,
    rt: &tokio::runtime::Runtime,
) -> HashMap<(String, String), String> {
    let corpus = env.path("corpus");
    let files = write_corpus(&corpus);
    // Each run is killed a moment after it starts to store a batch (one transaction of up
    // to 256 files): later batches in later rounds, after different delays. The import logs
    // when it starts and ends storing a batch, so the report can say where the kill landed.
    for (batch, after_ms) in [(0usize, 10u64), (2, 60), (4, 200)] {
        let mut child: Child = env
            .protokol()
            .env("PROTOKOL_LOG", "protokol_import=debug")
            .arg("import")
            .arg(&corpus)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let starts = format!("batch={batch} files=");
        let mut seen = Vec::new();
        let mut started = false;
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(300)) {
            started = line.contains(&starts);
            seen.push(line);
            if started {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(after_ms));
        let was_running = child.try_wait().unwrap().is_none();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        seen.extend(rx.try_iter());
        let stored_first = seen
            .iter()
            .any(|l| l.contains("batch stored") && l.contains(&format!("batch={batch} ")));
        let verify = env.run(&["verify"]);
        let (stored, problems) = whole_meetings(&env.url, rt, &files);
        s.check(
            format!(
                "kill -9 {after_ms} ms into storing batch {} of an import of {MEETINGS} meetings",
                batch + 1
            ),
            started && was_running && verify.status.success() && problems.is_empty(),
            format!(
                "killed {}; {stored} meetings stored, each whole; verify: {}{}",
                if stored_first {
                    "after the batch was stored"
                } else {
                    "inside its transaction"
                },
                text(&verify).trim(),
                if problems.is_empty() {
                    String::new()
                } else {
                    format!("; {problems:?}")
                }
            ),
        );
    }
    let (out, code, ended) = run_bounded(
        env.protokol().arg("import").arg(&corpus),
        Duration::from_secs(600),
    );
    let verify = env.run(&["verify"]);
    let (stored, problems) = whole_meetings(&env.url, rt, &files);
    s.check(
        "the import run again to the end",
        ended
            && code == Some(0)
            && stored == MEETINGS
            && problems.is_empty()
            && verify.status.success(),
        format!(
            "{} | {stored} meetings, verify: {}",
            out.lines().last().unwrap_or(""),
            text(&verify).trim()
        ),
    );
    files
}

// ------------------------------------------------------------------ a running server

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(env: &Env) -> Server {
    let mut child = env
        .protokol()
        .env("PROTOKOL_LOG", "info")
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        if let Some(at) = line.find("serves http://") {
            break line[at + "serves http://".len()..].trim().parse().unwrap();
        }
    };
    // Keep reading the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

fn from(last: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 0, last)
}

const WAIT: Duration = Duration::from_secs(60);

async fn csrf_cookie(server: SocketAddr, who: Ipv4Addr) -> String {
    let r = send(server, who, &Request::get("/logind"), WAIT)
        .await
        .unwrap();
    r.cookie("protokol_csrf").unwrap()
}

async fn sign_in(
    server: SocketAddr,
    who: Ipv4Addr,
    user: &str,
    password: &str,
    csrf: &str,
) -> http::Reply {
    let request = Request::form(
        "/logind",
        &[
            ("brugernavn", user),
            ("adgangskode", password),
            ("csrf", csrf),
            ("til", "/"),
        ],
    )
    .cookie(&format!("protokol_csrf={csrf}"));
    send(server, who, &request, WAIT).await.unwrap()
}

fn sign_in_burst(s: &mut Suite, server: &Server, rt: &tokio::runtime::Runtime) {
    let addr = server.addr;
    let (checked, refused, late, owner) = rt.block_on(async move {
        let attacker = from(9);
        let csrf = csrf_cookie(addr, attacker).await;
        let tasks: Vec<_> = (0..150)
            .map(|n| {
                let csrf = csrf.clone();
                tokio::spawn(async move {
                    sign_in(addr, attacker, "lene", &format!("gæt nummer {n}"), &csrf)
                        .await
                        .status
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        let checked = statuses.iter().filter(|s| **s == 401).count();
        let refused = statuses.iter().filter(|s| **s == 429).count();
        let late = sign_in(addr, attacker, "lene", PASSWORD, &csrf)
            .await
            .status;
        let owner_csrf = csrf_cookie(addr, from(20)).await;
        let owner = sign_in(addr, from(20), "lene", PASSWORD, &owner_csrf)
            .await
            .status;
        (checked, refused, late, owner)
    });
    s.check(
        "150 wrong passwords for one account sent at once",
        checked <= 5 && checked + refused == 150,
        format!("{checked} checked, {refused} refused unchecked"),
    );
    s.check(
        "the right password from the guessing address just after",
        late == 429,
        format!("answered {late}"),
    );
    s.check(
        "the owner signing in from her own address meanwhile",
        owner == 303,
        format!("answered {owner}"),
    );
}

fn oversized_request(s: &mut Suite, server: &Server, rt: &tokio::runtime::Runtime) {
    let addr = server.addr;
    let status = rt.block_on(async move {
        let mut request = Request::form("/logind", &[]);
        request.body = vec![b'a'; 8 << 20];
        send(addr, from(40), &request, WAIT).await.map(|r| r.status)
    });
    // Refused with a status, or the connection cut while the body was still being sent.
    let refused = match &status {
        Ok(code) => matches!(code, 400 | 403 | 413),
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
        ),
    };
    s.check("an 8 MB sign-in form", refused, format!("{status:?}"));
}

/// Fields of the item editor: (version, csrf).
fn form_values(html: &str) -> (String, String) {
    let field = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let at = html.find(&marker).map(|i| i + marker.len()).unwrap_or(0);
        html[at..at + html[at..].find('"').unwrap_or(0)].to_string()
    };
    (field("version"), field("csrf"))
}

#[derive(Default)]
struct Counts {
    ok: AtomicU64,
    conflicts: AtomicU64,
    saved: AtomicU64,
    client_errors: AtomicU64,
    server_errors: AtomicU64,
    failed: AtomicU64,
}

fn concurrent_load(s: &mut Suite, server: &Server, rt: &tokio::runtime::Runtime) {
    let addr = server.addr;
    let counts = Arc::new(Counts::default());
    let (item_path, final_version, seconds) = rt.block_on({
        let counts = counts.clone();
        async move {
            // A secretary plans a meeting and adds an item the writers then edit.
            let sara_ip = from(30);
            let csrf = csrf_cookie(addr, sara_ip).await;
            let r = sign_in(addr, sara_ip, "sara", PASSWORD, &csrf).await;
            assert_eq!(r.status, 303, "{}", r.text());
            let session = format!("protokol_session={}", r.cookie("protokol_session").unwrap());
            let page = send(
                addr,
                sara_ip,
                &Request::get("/arbejde").cookie(&session),
                WAIT,
            )
            .await
            .unwrap();
            let (_, csrf) = form_values(&page.text());
            let r = send(
                addr,
                sara_ip,
                &Request::form(
                    "/arbejde/direktionen/nyt-moede",
                    &[("csrf", &csrf), ("dato", "2030-01-08"), ("start", "9.00")],
                )
                .cookie(&session),
                WAIT,
            )
            .await
            .unwrap();
            assert_eq!(r.status, 303, "{}", r.text());
            let editor = "/arbejde/direktionen/2030-01-08";
            let page = send(addr, sara_ip, &Request::get(editor).cookie(&session), WAIT)
                .await
                .unwrap()
                .text();
            let (version, csrf) = form_values(&page);
            let r = send(
                addr,
                sara_ip,
                &Request::form(
                    &format!("{editor}/punkter"),
                    &[("csrf", &csrf), ("version", &version), ("titel", "Økonomi")],
                )
                .cookie(&session),
                WAIT,
            )
            .await
            .unwrap();
            assert_eq!(r.status, 303, "{}", r.text());
            let page = send(addr, sara_ip, &Request::get(editor).cookie(&session), WAIT)
                .await
                .unwrap()
                .text();
            let marker = format!("href=\"{editor}/punkt/");
            let at = page.find(&marker).unwrap() + marker.len();
            let item_path = format!(
                "{editor}/punkt/{}",
                &page[at..at + page[at..].find('"').unwrap()]
            );

            let started = Instant::now();
            let until = started + Duration::from_secs(8);
            let mut tasks = Vec::new();
            // Readers: front page, body pages, meeting and item pages, now and then a PDF.
            for r in 0..6u8 {
                let counts = counts.clone();
                tasks.push(tokio::spawn(async move {
                    let mut n = 0usize;
                    while Instant::now() < until {
                        // The Direktion meets every other day from 4 January 2016.
                        let k = (n * 37 + usize::from(r) * 101) % (MEETINGS / 3);
                        let date = chrono::NaiveDate::from_ymd_opt(2016, 1, 4).unwrap()
                            + chrono::Duration::days(k as i64 * 2);
                        let path = match n % 7 {
                            0 => "/".to_string(),
                            1 => "/direktionen".to_string(),
                            2 => format!("/direktionen/{date}/punkt/1"),
                            3 if n % 21 == 3 => format!("/direktionen/{date}/referat.pdf"),
                            _ => format!("/direktionen/{date}"),
                        };
                        let reply = send(addr, from(50 + r), &Request::get(&path), WAIT).await;
                        match reply {
                            Ok(r) if r.status < 400 => counts.ok.fetch_add(1, Ordering::Relaxed),
                            Ok(r) if r.status >= 500 => {
                                counts.server_errors.fetch_add(1, Ordering::Relaxed)
                            }
                            Ok(_) => counts.client_errors.fetch_add(1, Ordering::Relaxed),
                            Err(_) => counts.failed.fetch_add(1, Ordering::Relaxed),
                        };
                        n += 1;
                    }
                }));
            }
            // Writers: two sessions saving the same item, each from the version it read.
            for w in 0..2u8 {
                let counts = counts.clone();
                let session = session.clone();
                let item_path = item_path.clone();
                tasks.push(tokio::spawn(async move {
                    let ip = from(70 + w);
                    let mut n = 0;
                    while Instant::now() < until {
                        let Ok(page) =
                            send(addr, ip, &Request::get(&item_path).cookie(&session), WAIT).await
                        else {
                            counts.failed.fetch_add(1, Ordering::Relaxed);
                            continue;
                        };
                        let (version, csrf) = form_values(&page.text());
                        let text = format!("Skrevet af skribent {w}, gang {n}.");
                        let reply = send(
                            addr,
                            ip,
                            &Request::form(
                                &item_path,
                                &[
                                    ("csrf", &csrf),
                                    ("version", &version),
                                    ("titel", "Økonomi"),
                                    ("sagsfremstilling", &text),
                                ],
                            )
                            .cookie(&session),
                            WAIT,
                        )
                        .await;
                        match reply {
                            Ok(r) if r.status == 303 => {
                                counts.saved.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(r) if r.status == 409 => {
                                counts.conflicts.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(r) if r.status >= 500 => {
                                counts.server_errors.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(_) => {
                                counts.client_errors.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(_) => {
                                counts.failed.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        n += 1;
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
            let seconds = started.elapsed().as_secs_f64();
            let page = send(
                addr,
                sara_ip,
                &Request::get(&item_path).cookie(&session),
                WAIT,
            )
            .await
            .unwrap();
            let (version, _) = form_values(&page.text());
            (item_path, version.parse::<u64>().unwrap_or(0), seconds)
        }
    });
    let c = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let (reads, saved, conflicts) = (c(&counts.ok), c(&counts.saved), c(&counts.conflicts));
    s.check(
        format!("reads and writes for {seconds:.0} s against {MEETINGS} meetings"),
        c(&counts.server_errors) == 0 && c(&counts.failed) == 0 && c(&counts.client_errors) == 0,
        format!(
            "{reads} reads ({:.0}/s), {saved} saves, {conflicts} refused as conflicts, {} 4xx, {} 5xx, {} failed connections",
            reads as f64 / seconds,
            c(&counts.client_errors),
            c(&counts.server_errors),
            c(&counts.failed)
        ),
    );
    s.check(
        "no save lost or applied over a newer one",
        final_version == 1 + saved && saved > 0,
        format!("{item_path}: version {final_version} after {saved} accepted saves"),
    );
}

// ------------------------------------------------------------------ the suite

fn suite(backend: Backend, name: &'static str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let mut s = Suite::new(name);
    imports_over_approved_minutes(&mut s, backend, &rt);
    hostile_files(&mut s, backend, &rt);
    let env = Env::new(backend, &rt);
    kills_during_imports(&mut s, &env, &rt);
    env.add_user("lene", "member", "DIR");
    env.add_user("sara", "secretary", "DIR");
    let server = start_server(&env);
    sign_in_burst(&mut s, &server, &rt);
    oversized_request(&mut s, &server, &rt);
    concurrent_load(&mut s, &server, &rt);
    drop(server);
    let o = env.run(&["verify"]);
    s.check(
        "verify after the load",
        o.status.success(),
        text(&o).trim().to_string(),
    );
    s.finish();
}

#[test]
fn reliability_on_sqlite() {
    suite(Backend::Sqlite, "SQLite");
}

#[test]
fn reliability_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    if !rt.block_on(protokol_testkit::postgres_available()) {
        return;
    }
    drop(rt);
    suite(Backend::Postgres, "PostgreSQL");
}
