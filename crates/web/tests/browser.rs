//! The public pages in a real browser: Debian's headless Chromium, driven by
//! `tests/browser/check.mjs` (playwright-core + axe-core, installed by `scripts/setup`).
//!
//! The pages are served on a loopback port by the same router `protokol serve` uses, over the
//! demo meetings and a council meeting with closed canaries. Without Node, the npm packages or
//! Chromium the tests are skipped with a message, except with `CI=true`, where they fail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use protokol_testkit::{CANARY, council_meeting, demo_meetings, sqlite, with_closed_canaries};
use protokol_web::{AppState, app};
use serde_json::Value;

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser")
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Whether the browser tools are here; with `CI=true` their absence fails the test.
fn tools_present() -> bool {
    let node = Command::new("node").arg("--version").output().is_ok();
    let packages = browser_dir().join("node_modules/playwright-core").is_dir()
        && browser_dir().join("node_modules/axe-core").is_dir();
    let browser = chromium().exists();
    if node && packages && browser {
        return true;
    }
    let what = format!(
        "browser tests need node ({node}), npm packages in tests/browser ({packages}) and \
         chromium at {} ({browser}); run scripts/setup",
        chromium().display()
    );
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true: {what}"
    );
    eprintln!("skipped: {what}");
    false
}

/// Serves `router` on a free loopback port; returns its base URL.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// Runs `check.mjs` with `args` and returns its JSON report.
async fn check(args: Vec<String>) -> Value {
    node("check.mjs", args).await
}

/// Runs one of the Node scripts in tests/browser and returns the JSON it prints.
async fn node(script: &'static str, args: Vec<String>) -> Value {
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(browser_dir().join(script))
            .args(&args)
            .env("CHROMIUM", chromium())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

async fn audit(base: &str, paths: &[&str]) -> Vec<Value> {
    audit_as(None, base, paths).await
}

async fn audit_as(cookie: Option<&str>, base: &str, paths: &[&str]) -> Vec<Value> {
    let mut args = Vec::new();
    if let Some(c) = cookie {
        args.extend(["--cookie".to_string(), c.to_string()]);
    }
    args.push(base.to_string());
    args.extend(paths.iter().map(|p| (*p).to_string()));
    let report = check(args).await;
    report["pages"].as_array().unwrap().clone()
}

fn violations(page: &Value) -> Vec<String> {
    page["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{} ({}): {} at {}",
                v["id"], v["impact"], v["help"], v["nodes"]
            )
        })
        .collect()
}

/// Everything wrong with the audited pages: a status other than expected (404 for paths
/// containing 1999, else 200), axe violations, sideways scrolling at 320 px, a first Tab
/// that misses the skip link, closed content in the visible text, no accessibility link.
fn problems(pages: &[Value]) -> Vec<String> {
    let mut problems = Vec::new();
    for page in pages {
        let path = page["path"].as_str().unwrap();
        let expected = if path.contains("1999") { 404 } else { 200 };
        if page["status"] != expected {
            problems.push(format!(
                "{path}: status {} (expected {expected})",
                page["status"]
            ));
        }
        for v in violations(page) {
            problems.push(format!("{path}: {v}"));
        }
        let overflow = &page["overflow"];
        if overflow["scrollWidth"].as_u64() > overflow["width"].as_u64() {
            problems.push(format!("{path}: scrolls sideways at 320 px: {overflow}"));
        }
        let focus = page["firstFocus"].as_str().unwrap();
        if !focus.contains("Gå til indhold") {
            problems.push(format!(
                "{path}: first Tab focuses {focus:?}, not the skip link"
            ));
        }
        let text = page["text"].as_str().unwrap();
        if text.contains(CANARY) {
            problems.push(format!("{path}: closed content visible"));
        }
        if !text.contains("Tilgængelighedserklæring") {
            problems.push(format!("{path}: no link to the accessibility statement"));
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_pages_pass_axe_reflow_and_keyboard_checks_and_show_no_closed_content() {
    if !tools_present() {
        return;
    }
    let t = sqlite().await;
    // One matter treated by both bodies: the case page has two treatments.
    for (i, mut m) in demo_meetings().into_iter().enumerate() {
        if i == 0 {
            m.items[0].case_number = Some("24/01234".into());
        }
        t.upsert_meeting(&m, "test").await.unwrap();
    }
    let mut council = with_closed_canaries(council_meeting());
    council.items[0].case_number = Some("24/01234".into());
    t.upsert_meeting(&council, "test").await.unwrap();
    let closed_item = council
        .items
        .iter()
        .find(|i| i.access == protokol_core::Access::Closed && i.title.contains(CANARY))
        .and_then(|i| i.number)
        .unwrap();
    let mut state = AppState::new(t.store.clone());
    let search = std::sync::Arc::new(
        protokol_web::search_sync::SearchService::in_memory(
            protokol_search::analysis::Lexicon::new(protokol_search::Compounds::test()),
        )
        .unwrap(),
    );
    search.rebuild(&t.store, |_, _| {}).await.unwrap();
    state.search = Some(search);
    let base = serve(app(state)).await;

    let closed_page = format!("/kommunalbestyrelsen/2024-06-18/punkt/{closed_item}");
    let paths = [
        "/",
        "/direktionen",
        "/direktionen/2023-09-06",
        "/direktionen/2023-09-06/dagsorden",
        "/direktionen/2023-09-06/punkt/3",
        "/direktionen/2023-09-13",
        "/kommunalbestyrelsen",
        "/kommunalbestyrelsen/2024-06-18",
        closed_page.as_str(),
        "/tilgaengelighed",
        "/logind",
        "/direktionen/1999-01-01",
        "/soeg",
        "/soeg?q=m%C3%B8de",
        "/soeg?q=godkendt&organ=direktionen&sortering=nyeste",
        "/soeg?q=kanarie",
        "/soeg?q=mdoe",
        "/sag/24-01234",
    ];
    let pages = audit(&base, &paths).await;
    assert_eq!(pages.len(), paths.len());
    let problems = problems(&pages);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The closed item's page shows what the public may know of it.
    let closed = pages
        .iter()
        .find(|p| p["path"] == closed_page.as_str())
        .unwrap();
    let text = closed["text"].as_str().unwrap();
    assert!(text.contains("Lukket sag"), "{text}");
    assert!(text.contains("Ansættelse af direktør"), "{text}");
    // The case page lists both bodies' treatments.
    let case = pages.iter().find(|p| p["path"] == "/sag/24-01234").unwrap();
    let text = case["text"].as_str().unwrap();
    assert!(
        text.contains("Direktionen") && text.contains("Kommunalbestyrelsen"),
        "{text}"
    );
}

/// The checks above can fail: a page with a missing alt text, too little contrast, an
/// unlabelled field and a wide block is reported on each count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_check_reports_a_page_that_breaks_the_rules() {
    if !tools_present() {
        return;
    }
    let bad = r#"<!doctype html><html><head><title>x</title></head><body>
        <p style="color:#bbb;background:#fff">Lys grå tekst</p>
        <img src="/x.png">
        <input type="text">
        <div style="width:900px">bred</div>
        </body></html>"#;
    let router = Router::new().route("/bad", get(move || async move { Html(bad) }));
    let base = serve(router).await;
    let pages = audit(&base, &["/bad"]).await;
    let ids: Vec<String> = pages[0]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    for expected in ["image-alt", "color-contrast", "label", "html-has-lang"] {
        assert!(
            ids.iter().any(|i| i == expected),
            "{expected} not in {ids:?}"
        );
    }
    assert!(pages[0]["overflow"]["scrollWidth"].as_u64() > pages[0]["overflow"]["width"].as_u64());
    assert!(
        !pages[0]["firstFocus"]
            .as_str()
            .unwrap()
            .contains("Gå til indhold")
    );
}

/// The signed-in pages: the secretariat's workspace (overview, agenda editor, item editor,
/// with a form error showing) and a member's meeting page, for a secretary of Direktionen,
/// who must not see the council's closed content.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_pages_pass_the_same_checks_for_a_signed_in_secretary() {
    if !tools_present() {
        return;
    }
    let t = sqlite().await;
    for m in demo_meetings() {
        t.upsert_meeting(&m, "test").await.unwrap();
    }
    t.upsert_meeting(&with_closed_canaries(council_meeting()), "test")
        .await
        .unwrap();
    let password = "mødelokale 250 rådhuset";
    protokol_auth::create_account(
        &t.store,
        "sekretaer",
        Some("Sara Sekretær"),
        password,
        "test",
    )
    .await
    .unwrap();
    for role in [protokol_core::Role::Secretary, protokol_core::Role::Member] {
        t.set_role(
            "sekretaer",
            &protokol_store::RoleChange::InBody(protokol_core::Grant {
                body: "DIR".parse().unwrap(),
                role,
            }),
            true,
            "test",
        )
        .await
        .unwrap();
    }
    let session = protokol_auth::sign_in(&t.store, "sekretaer", password, &Default::default())
        .await
        .unwrap();
    let (m, _) = t
        .meeting_on(&"DIR".parse().unwrap(), "2023-09-06".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let item = m.items[2].id.unwrap();
    // 13 September: its agenda published in protokol, then an item added and not yet
    // published, so the editor shows the editions and the pending changes.
    let (agenda, v) = t
        .meeting_on(&"DIR".parse().unwrap(), "2023-09-13".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let saved = t
        .publish(&agenda, v, protokol_core::PublicationKind::Agenda, "test")
        .await
        .unwrap();
    let (mut agenda, v) = t.meeting(saved.id).await.unwrap().unwrap();
    let next = agenda.items.len() as u32 + 1;
    agenda
        .items
        .push(protokol_core::Item::new(Some(next), "Tillægspunkt"));
    t.update_meeting(&agenda, v, "test").await.unwrap();
    let base = serve(app(AppState::new(t.store.clone()))).await;
    let item_page = format!("/arbejde/direktionen/2023-09-06/punkt/{item}");
    let timed = m
        .items
        .iter()
        .find(|i| !i.schedule.is_empty())
        .and_then(|i| i.id)
        .expect("the demo meeting has an item with sub-points");
    let schedule_page = format!("/arbejde/direktionen/2023-09-06/punkt/{timed}/tidsplan");
    let paths = [
        "/arbejde",
        "/mit",
        "/arbejde/direktionen/2023-09-06",
        "/arbejde/direktionen/2023-09-06/fremmoede",
        "/arbejde/direktionen/indstillinger",
        "/arbejde/direktionen/plan",
        "/arbejde/direktionen/2023-09-13",
        item_page.as_str(),
        schedule_page.as_str(),
        "/direktionen/2023-09-06",
        "/kommunalbestyrelsen/2024-06-18",
        "/arbejde/direktionen/1999-01-01",
    ];
    let cookie = format!("protokol_session={}", session.session_token);
    let pages = audit_as(Some(&cookie), &base, &paths).await;
    let problems = problems(&pages);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let text = |path: &str| {
        pages.iter().find(|p| p["path"] == path).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        text("/arbejde").contains("Nyt møde i Direktionen"),
        "signed in"
    );
    assert!(text("/arbejde").contains("Sara Sekretær"));
    assert!(text(&item_page).contains("Sagsfremstilling"));
    assert!(
        text("/arbejde/direktionen/2023-09-13").contains("Offentliggør tillægsdagsorden"),
        "the pending changes were on the checked page"
    );
}

/// The life of a meeting, clicked through in Chromium: the secretary plans a meeting with
/// three items (one closed) and an attachment and publishes the agenda; the public sees it
/// without the closed content; the secretary records decisions and postpones a point; the
/// members sign; the public sees the minutes; the next meeting's draft holds the point.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_from_plan_to_signed_minutes_in_the_browser() {
    use protokol_core::{MeetingStatus, Membership, Role};
    if !tools_present() {
        return;
    }
    let t = sqlite().await;
    for m in demo_meetings() {
        t.upsert_meeting(&m, "test").await.unwrap();
    }
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    let body = t.body(&dir).await.unwrap().unwrap();
    let seat = |name: &str| Membership {
        name: Some(name.into()),
        role: Some("Direktør".into()),
        party: None,
        vacant: false,
        substitute_for: None,
        from: None,
        until: None,
    };
    t.set_memberships(
        &dir,
        &[seat("Lene Mehlsen Thomsen"), seat("Kim Bruun Nielsen")],
        body.version,
        "test",
    )
    .await
    .unwrap();
    for (user, name, role) in [
        ("sekretaer", "Sara Sekretær", Role::Secretary),
        ("lene", "Lene Mehlsen Thomsen", Role::Member),
        ("kim", "Kim Bruun Nielsen", Role::Member),
    ] {
        common::account_with_role(&t.store, user, Some(name), "DIR", role).await;
    }
    let base = serve(app(AppState::new(t.store.clone()))).await;
    let out = node("life.mjs", vec![base, CANARY.to_string()]).await;

    let agenda = out["publicAgenda"].as_str().unwrap();
    assert!(agenda.contains("Budgetopfølgning"), "{agenda}");
    assert!(
        agenda.contains("Personalesag") && agenda.contains("Lukket sag"),
        "{agenda}"
    );
    assert!(
        !agenda.contains(CANARY) && !agenda.contains("Ansættelse af direktør"),
        "{agenda}"
    );
    assert!(
        agenda.contains("Budgetnotat"),
        "the open attachment is listed: {agenda}"
    );
    let minutes = out["publicMinutes"].as_str().unwrap();
    assert!(minutes.contains("Taget til efterretning."), "{minutes}");
    assert!(minutes.contains("Med forbehold for punkt 1."), "{minutes}");
    assert!(!minutes.contains(CANARY), "{minutes}");
    let next = out["nextDraft"].as_str().unwrap();
    assert!(next.contains("Klimakompetencer hos ansatte"), "{next}");

    let (m, _) = t
        .meeting_on(&dir, "2026-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status, Some(MeetingStatus::MinutesApproved));
    assert_eq!(m.signatures.len(), 2);
    let (n, _) = t
        .meeting_on(&dir, "2026-12-09".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n.status, Some(MeetingStatus::Planned));
    // The log holds the demo's imported approved minutes and these, both intact.
    assert_eq!(t.verify_approvals().await.unwrap(), (2, Vec::new()));
}
