//! The public pages, requested in-process: what a reader sees, and that closed content never
//! reaches them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use protokol_core::{Access, Attachment, AttachmentFile, Item};
use protokol_testkit::{demo_meetings, sqlite};
use protokol_web::{AppState, app};
use tower::ServiceExt;

const CANARY: &str = "KANARIE-5b1d-LUKKET";

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
    let t = sqlite().await;
    for m in demo_meetings() {
        t.upsert_meeting(&m, "test").await.unwrap();
    }
    let state = AppState {
        store: t.store.clone(),
    };
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
        "dok. 3514806, j.nr. 91823/23",
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

#[tokio::test]
async fn closed_content_never_reaches_the_public_pages() {
    let (t, state) = demo_state().await;
    let mut m = demo_meetings()
        .into_iter()
        .find(|m| m.date.to_string() == "2023-09-06")
        .unwrap();
    let mut closed = Item::new(Some(5), format!("Personalesag {CANARY}"));
    closed.access = Access::Closed;
    closed.closed_reason = Some("Personalesag".into());
    closed.public_title = Some("Ansættelse af kommunaldirektør".into());
    closed.public_decision = Some("Indstillingen blev godkendt.".into());
    closed.case = Some(format!("Sagsfremstilling {CANARY}"));
    closed.recommendation = Some(format!("Indstilling {CANARY}"));
    closed.decision = Some(format!("Beslutning {CANARY}"));
    closed.participants = vec![format!("Gæst {CANARY}")];
    closed.attachments = vec![Attachment {
        number: 1,
        title: format!("Lukket bilag {CANARY}"),
        access: Access::Closed,
        doc_id: Some("999".into()),
        journal: None,
        file: None,
    }];
    m.items.push(closed);
    m.items[2].attachments.push(Attachment {
        number: 22,
        title: format!("Lukket bilag i åbent punkt {CANARY}"),
        access: Access::Closed,
        doc_id: None,
        journal: None,
        file: Some(AttachmentFile {
            name: "notat.pdf".into(),
            media_type: "application/pdf".into(),
            sha256: None,
            text: Some(format!("Filtekst {CANARY}")),
        }),
    });
    t.upsert_meeting(&m, "test").await.unwrap();

    let (status, html) = get(&state, "/direktionen/2023-09-06").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Ansættelse af kommunaldirektør"),
        "public title shown"
    );
    assert!(
        html.contains("Indstillingen blev godkendt."),
        "public decision shown"
    );
    assert!(html.contains("Lukket sag"));
    for uri in [
        "/",
        "/direktionen",
        "/direktionen/2023-09-06",
        "/direktionen/2023-09-06?version=internal",
        "/direktionen/2099-01-01",
        "/findes-ikke",
    ] {
        let (_, html) = get(&state, uri).await;
        assert!(!html.contains(CANARY), "closed content leaked on {uri}");
    }
}
