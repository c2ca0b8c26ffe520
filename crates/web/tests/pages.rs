//! The public pages, requested in-process: what a reader sees, and that closed content never
//! reaches them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use protokol_core::{Access, AttachmentFile};
use protokol_testkit::{CANARY, demo_meetings, sqlite, with_closed_canaries};
use protokol_web::{AppState, app};
use tower::ServiceExt;

async fn get(state: &AppState, uri: &str) -> (StatusCode, String) {
    let response = app(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 10 << 20)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn demo_state() -> (protokol_testkit::TestStore, AppState) {
    demo_state_with(|_| {}).await
}

/// The demo meetings, with the approved minutes of 6 September 2023 as `edit` makes them
/// (approved minutes cannot be changed once stored).
async fn demo_state_with(
    edit: impl Fn(&mut protokol_core::Meeting),
) -> (protokol_testkit::TestStore, AppState) {
    let t = sqlite().await;
    for mut m in demo_meetings() {
        if m.date.to_string() == "2023-09-06" {
            edit(&mut m);
        }
        t.upsert_meeting(&m, "test").await.unwrap();
    }
    let state = AppState::new(t.store.clone());
    (t, state)
}

#[tokio::test]
async fn front_page_lists_bodies_and_meetings_in_danish() {
    let (_t, state) = demo_state().await;
    let (status, html) = get(&state, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html lang=\"da\">"));
    assert!(html.contains("Direktionen"));
    assert!(html.contains("Onsdag den 6. september 2023"));
    assert!(html.contains("href=\"/direktionen/2023-09-06\""));
}

#[tokio::test]
async fn body_page_groups_meetings_by_year() {
    let (_t, state) = demo_state().await;
    let (status, html) = get(&state, "/direktionen").await;
    assert_eq!(status, StatusCode::OK);
    let y2024 = html.find(">2024<").unwrap();
    let y2023 = html.find(">2023<").unwrap();
    assert!(y2024 < y2023, "newest year first");
    assert!(html.contains("Onsdag den 15. maj 2024"));
}

#[tokio::test]
async fn meeting_page_shows_front_page_items_sub_points_and_decisions() {
    let (_t, state) = demo_state().await;
    let (status, html) = get(&state, "/direktionen/2023-09-06").await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "Onsdag den 6. september 2023",
        "Mødelokale 250, rådhuset",
        "Kommunaldirektør Vakant",
        "Velfærdsdirektør Lene Mehlsen Thomsen",
        "1. Beslutningsprotokoller og dagsordener",
        "4. Eventuelt, herunder punkter til næste møde",
        "Beslutning i Direktionen den 06-09-2023",
        "Kerneopgave og navn blev godkendt.",
        "10:45",
        "Åben sag",
        "Før- og Eftermåling - Norddjurs Kommunes medarbejdere",
        "91823/23",
        "href=\"/direktionen/2023-09-06/referat.pdf\"",
        "href=\"/direktionen/2023-09-06/punkt/3\"",
    ] {
        assert!(html.contains(expected), "missing {expected:?}");
    }
    // Closed attachments are not shown to the public, open ones are.
    assert!(html.contains("Trivselshjulet APV for ledere"));
    assert!(!html.contains("VIVES kommunetal"));
}

#[tokio::test]
async fn unknown_pages_are_404_in_danish_and_bad_dates_400() {
    let (_t, state) = demo_state().await;
    for uri in ["/findes-ikke", "/direktionen/2099-01-01", "/a/b/c/d"] {
        let (status, html) = get(&state, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(html.contains("Siden findes ikke"), "{uri}");
    }
    let (status, html) = get(&state, "/direktionen/2023-02-31").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("ÅÅÅÅ-MM-DD"));
}

async fn get_bytes(state: &AppState, uri: &str) -> (StatusCode, String, Vec<u8>) {
    let response = app(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), 50 << 20)
        .await
        .unwrap();
    (status, kind, bytes.to_vec())
}

fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    protokol_import::extract_pdf_text(&path, bytes).unwrap().0
}

#[tokio::test]
async fn closed_content_never_reaches_the_public_pages_pdfs_or_downloads() {
    let (_t, state) = demo_state_with(|m| *m = with_closed_canaries(m.clone())).await;
    let m = demo_meetings()
        .into_iter()
        .find(|m| m.date.to_string() == "2023-09-06")
        .unwrap();
    let m = with_closed_canaries(m);
    let closed = m.items.last().unwrap().number.unwrap();
    let open_with_closed_file = m.items.iter().find(|i| !i.access.is_closed()).unwrap();
    let closed_file_in_open_item = (
        open_with_closed_file.number.unwrap(),
        open_with_closed_file.attachments.last().unwrap().number,
    );

    let (status, html) = get(&state, "/direktionen/2023-09-06").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Ansættelse af direktør"),
        "public title shown"
    );
    assert!(
        html.contains("Indstillingen blev godkendt."),
        "public decision shown"
    );
    assert!(html.contains("Lukket sag"));
    let m0 = "/direktionen/2023-09-06";
    let pages = [
        "/".to_string(),
        "/direktionen".to_string(),
        m0.to_string(),
        format!("{m0}?version=internal"),
        format!("{m0}/referat"),
        format!("{m0}/dagsorden"),
        format!("{m0}/referat?edition=internal"),
        format!("{m0}/punkt/{closed}"),
        format!("{m0}/punkt/{closed}/dagsorden"),
        format!("{m0}/punkt/{closed}/bilag/1"),
        format!(
            "{m0}/punkt/{}/bilag/{}",
            closed_file_in_open_item.0, closed_file_in_open_item.1
        ),
        format!("{m0}/punkt/99"),
        format!("{m0}/internt.pdf"),
        "/direktionen/2099-01-01".to_string(),
        "/findes-ikke".to_string(),
    ];
    for uri in &pages {
        let (_, html) = get(&state, uri).await;
        assert!(!html.contains(CANARY), "closed content leaked on {uri}");
    }
    for uri in [
        format!("{m0}/punkt/{closed}/bilag/1"),
        format!(
            "{m0}/punkt/{}/bilag/{}",
            closed_file_in_open_item.0, closed_file_in_open_item.1
        ),
    ] {
        let (status, html) = get(&state, &uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(html.contains("Siden findes ikke"));
    }
    for uri in [
        format!("{m0}/referat.pdf"),
        format!("{m0}/dagsorden.pdf"),
        format!("{m0}/referat.pdf?version=internal"),
        format!("{m0}/punkt/{closed}/referat.pdf"),
        format!("{m0}/punkt/3/referat.pdf"),
    ] {
        let (status, kind, bytes) = get_bytes(&state, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(kind, "application/pdf");
        let text = pdf_text(&bytes);
        assert!(!text.contains(CANARY), "closed content leaked in {uri}");
        assert!(!text.contains("INTERNT"), "{uri} is the public edition");
    }
}

#[tokio::test]
async fn item_pages_link_where_a_matter_came_from_and_goes_next() {
    let (_t, state) = demo_state().await;
    let (status, html) = get(&state, "/direktionen/2023-09-06/punkt/3").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Klimakompetencer og klimaadfærd hos ansatte"));
    assert!(
        html.contains("href=\"/direktionen/2023-09-13\""),
        "the postponed point links to the meeting it goes to"
    );
    // 13 September names where the postponed point came from.
    let (status, html) = get(&state, "/direktionen/2023-09-13").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Tidligere behandling"));
    assert!(html.contains("href=\"/direktionen/2023-09-06/punkt/3\""));
    // A meeting no matter came to from elsewhere shows no such box.
    let (_, html) = get(&state, "/direktionen/2023-09-06").await;
    assert!(!html.contains("Tidligere behandling"));
}

#[tokio::test]
async fn documents_are_rendered_once_until_the_meeting_changes() {
    let (t, state) = demo_state().await;
    let uri = "/direktionen/2024-01-24/referat.pdf";
    let (status, _, first) = get_bytes(&state, uri).await;
    assert_eq!(status, StatusCode::OK);
    let after_first = state.cache.renders();
    let (_, _, second) = get_bytes(&state, uri).await;
    assert_eq!(first, second);
    assert_eq!(state.cache.renders(), after_first, "served from the cache");
    // An edit makes a new version: the next request lays the document out again.
    let mut m = demo_meetings()
        .into_iter()
        .find(|m| m.date.to_string() == "2024-01-24")
        .unwrap();
    m.location = Some("Byrådssalen".into());
    t.upsert_meeting(&m, "test").await.unwrap();
    let (_, _, third) = get_bytes(&state, uri).await;
    assert_eq!(state.cache.renders(), after_first + 1);
    assert!(pdf_text(&third).contains("Byrådssalen"));
}

#[tokio::test]
async fn open_attachment_downloads_and_fonts_are_served() {
    let (_t, state) = demo_state_with(|m| {
        m.items[1].attachments.push(protokol_core::Attachment {
            id: None,
            number: 1,
            title: "Budgetopfølgning".into(),
            access: Access::Open,
            doc_id: None,
            journal: None,
            file: Some(AttachmentFile {
                name: "budget august.pdf".into(),
                media_type: "application/pdf".into(),
                sha256: None,
                text: Some("Forbrug pr. 31. august".into()),
            }),
        });
    })
    .await;
    let (_, page) = get(&state, "/direktionen/2023-09-06").await;
    assert!(page.contains("href=\"/direktionen/2023-09-06/punkt/2/bilag/1\""));
    let (status, kind, bytes) = get_bytes(&state, "/direktionen/2023-09-06/punkt/2/bilag/1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/plain"));
    assert_eq!(String::from_utf8(bytes).unwrap(), "Forbrug pr. 31. august");
    let (status, kind, bytes) = get_bytes(&state, "/static/fonts/SourceSans3-Regular.woff2").await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "font/woff2"));
    assert!(bytes.starts_with(b"wOF2"));
    let (status, _, _) = get_bytes(&state, "/direktionen/2023-09-06/punkt/2/bilag/abc").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A body may publish the titles of its closed attachments (and nothing else of them). The
/// setting reaches the page, the PDF and the cached documents; the file stays closed.
#[tokio::test]
async fn closed_attachment_titles_follow_the_body_setting_in_pages_and_pdfs() {
    let title = "Notat om lejemål (fortroligt)";
    let number = demo_meetings()
        .into_iter()
        .find(|m| m.date.to_string() == "2023-09-06")
        .unwrap()
        .items[2]
        .attachments
        .len() as u32
        + 1;
    let (t, state) = demo_state_with(|m| {
        m.items[2].attachments.push(protokol_core::Attachment {
            id: None,
            number,
            title: title.into(),
            access: Access::Closed,
            doc_id: Some("9990003".into()),
            journal: Some("99/98".into()),
            file: Some(AttachmentFile {
                name: "lejemaal.pdf".into(),
                media_type: "application/pdf".into(),
                sha256: None,
                text: Some(format!("Lejeaftalens vilkår {CANARY}").into()),
            }),
        });
    })
    .await;
    let m0 = "/direktionen/2023-09-06";
    let download = format!("{m0}/punkt/3/bilag/{number}");

    // Default: the closed attachment is left out entirely.
    let (_, page) = get(&state, m0).await;
    assert!(!page.contains(title));
    let (_, _, pdf) = get_bytes(&state, &format!("{m0}/referat.pdf")).await;
    assert!(!pdf_text(&pdf).contains("lejemål"));

    // The body chooses to show closed attachment titles: the title appears (marked closed),
    // the cached page and PDF are laid out again, the file and its numbers stay closed.
    let body = t.body(&"DIR".parse().unwrap()).await.unwrap().unwrap();
    let mut settings = body.settings.clone();
    settings.closed_attachment_titles_public = true;
    t.update_body_settings(&body.code, &settings, body.version, "admin")
        .await
        .unwrap();
    let (_, page) = get(&state, m0).await;
    assert!(page.contains(title), "title shown once the body allows it");
    assert!(!page.contains("9990003") && !page.contains("99/98"));
    assert!(!page.contains(&download), "no link to a closed file");
    let (_, _, pdf) = get_bytes(&state, &format!("{m0}/referat.pdf")).await;
    let text = pdf_text(&pdf);
    assert!(text.contains("lejemål"), "{text}");
    assert!(!text.contains(CANARY) && !text.contains("9990003"));
    let (status, body_text) = get(&state, &download).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body_text.contains(CANARY));

    // And back: switching the setting off hides the title again at once.
    let body = t.body(&"DIR".parse().unwrap()).await.unwrap().unwrap();
    settings.closed_attachment_titles_public = false;
    t.update_body_settings(&body.code, &settings, body.version, "admin")
        .await
        .unwrap();
    let (_, page) = get(&state, m0).await;
    assert!(
        !page.contains(title),
        "a stale cached page would still show it"
    );
    let (_, _, pdf) = get_bytes(&state, &format!("{m0}/referat.pdf")).await;
    assert!(!pdf_text(&pdf).contains("lejemål"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_a_strict_policy() {
    let (_t, state) = demo_state().await;
    for uri in [
        "/",
        "/direktionen/2023-09-06",
        "/direktionen/2023-09-06/referat.pdf",
        "/static/protokol.css",
        "/findes-ikke",
    ] {
        let response = app(state.clone())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let h = response.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{uri}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(h["referrer-policy"], "same-origin", "{uri}");
        let html = h["content-type"].to_str().unwrap().starts_with("text/html");
        if html {
            let csp = h["content-security-policy"].to_str().unwrap();
            for directive in [
                "default-src 'none'",
                "frame-ancestors 'none'",
                "form-action 'self'",
            ] {
                assert!(csp.contains(directive), "{uri}: {csp}");
            }
        }
    }
    // Pages carry no inline styles or scripts for the policy to allow: their stylesheets are
    // files.
    let (_, html) = get(&state, "/direktionen/2023-09-06").await;
    assert!(!html.contains("<style") && !html.contains("<script"));
    assert!(html.contains("href=\"/static/protokol.css\""));
    assert!(html.contains("href=\"/static/dokument.css\""));
    let (status, css) = get(&state, "/static/dokument.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(css.contains('{'));
}

async fn request(state: &AppState, r: Request<Body>) -> axum::response::Response {
    app(state.clone()).oneshot(r).await.unwrap()
}

#[tokio::test]
async fn public_pages_answer_conditional_requests_and_compress() {
    let (t, state) = demo_state().await;
    for uri in [
        "/",
        "/direktionen",
        "/direktionen/2024-01-24",
        "/direktionen/2023-09-06/punkt/1",
        "/direktionen/2024-01-24/referat.pdf",
    ] {
        let first = request(&state, Request::get(uri).body(Body::empty()).unwrap()).await;
        assert_eq!(first.status(), StatusCode::OK, "{uri}");
        assert_eq!(
            first.headers()["cache-control"],
            "public, no-cache",
            "{uri}"
        );
        let etag = first.headers()["etag"].to_str().unwrap().to_string();
        let again = request(
            &state,
            Request::get(uri)
                .header("if-none-match", &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{uri}");
        assert_eq!(again.headers()["etag"], etag.as_str());
        let body = axum::body::to_bytes(again.into_body(), 1024).await.unwrap();
        assert!(body.is_empty());
        let head = request(&state, Request::head(uri).body(Body::empty()).unwrap()).await;
        assert_eq!(head.status(), StatusCode::OK, "HEAD {uri}");
    }
    // Pages are sent compressed to clients that accept it; PDFs are not compressed again.
    let gz = request(
        &state,
        Request::get("/direktionen/2024-01-24")
            .header("accept-encoding", "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let pdf = request(
        &state,
        Request::get("/direktionen/2024-01-24/referat.pdf")
            .header("accept-encoding", "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(pdf.headers().get("content-encoding").is_none());

    // After a change the old version is no longer current: the page answers anew.
    let uri = "/direktionen/2024-01-24";
    let before = request(&state, Request::get(uri).body(Body::empty()).unwrap()).await;
    let old = before.headers()["etag"].to_str().unwrap().to_string();
    let mut m = demo_meetings()
        .into_iter()
        .find(|m| m.date.to_string() == "2024-01-24")
        .unwrap();
    m.location = Some("Byrådssalen".into());
    t.upsert_meeting(&m, "test").await.unwrap();
    let after = request(
        &state,
        Request::get(uri)
            .header("if-none-match", &old)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(after.status(), StatusCode::OK);
    assert_ne!(after.headers()["etag"].to_str().unwrap(), old);
    let html = axum::body::to_bytes(after.into_body(), 10 << 20)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&html).contains("Byrådssalen"));
}
