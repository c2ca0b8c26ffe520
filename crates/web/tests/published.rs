//! The published record at every public surface, through the life of a meeting: a closed
//! item, closed sub-point and closed attachments carry a canary; after it is planned,
//! published, edited, published again, held, signed and approved, corrected and the record
//! rebuilt, no public page, document, download, list, header or error shows the canary, and
//! every public page shows the newest published state (no stale page after a change).
//! Also: two application nodes on one database serve a change made through one at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use protokol_core::{Meeting, MeetingId, MeetingKind, MeetingStatus, PublicationKind};
use protokol_store::Store;
use protokol_testkit::{CANARY, Kind, council_meeting, fresh, store_tests, with_closed_canaries};
use protokol_web::{AppState, app};
use tower::ServiceExt;

const PAGE: &str = "/kommunalbestyrelsen/2026-12-08";

struct Reply {
    status: StatusCode,
    headers: String,
    body: String,
}

async fn get(state: &AppState, uri: &str) -> Reply {
    let r = app(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status();
    let headers = format!("{:?}", r.headers());
    let pdf = r
        .headers()
        .get("content-type")
        .is_some_and(|v| v == "application/pdf");
    let bytes = axum::body::to_bytes(r.into_body(), 64 << 20)
        .await
        .unwrap()
        .to_vec();
    let body = if pdf && status == StatusCode::OK {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.pdf");
        std::fs::write(&path, &bytes).unwrap();
        protokol_import::extract_pdf_text(&path, &bytes).unwrap().0
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// Every public address of the meeting and the lists, as the public reads them: none shows
/// the canary (in its body or headers). Returns the meeting page's text.
async fn public_surfaces(state: &AppState, step: &str) -> String {
    let mut uris = vec![
        "/".to_string(),
        "/kommunalbestyrelsen".to_string(),
        "/kommunalbestyrelsen?aar=2026".to_string(),
        PAGE.to_string(),
        "/findes-ikke".to_string(),
        format!("{PAGE}/punkt/99"),
    ];
    for doc in ["dagsorden", "referat", "dagsorden.pdf", "referat.pdf"] {
        uris.push(format!("{PAGE}/{doc}"));
    }
    for n in 1..=4 {
        uris.push(format!("{PAGE}/punkt/{n}"));
        uris.push(format!("{PAGE}/punkt/{n}/dagsorden.pdf"));
        for a in 1..=3 {
            uris.push(format!("{PAGE}/punkt/{n}/bilag/{a}"));
        }
    }
    let mut meeting_page = String::new();
    for uri in &uris {
        let r = get(state, uri).await;
        assert!(
            !r.body.contains(CANARY) && !r.headers.contains(CANARY),
            "{step}: {uri} ({}) shows closed content",
            r.status
        );
        assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{step}: {uri}");
        if uri == PAGE {
            meeting_page = if r.status == StatusCode::OK {
                r.body
            } else {
                String::new()
            };
        }
    }
    meeting_page
}

async fn stored(store: &Store, id: MeetingId) -> (Meeting, i64) {
    store.meeting(id).await.unwrap().unwrap()
}

async fn closed_content_never_shows_and_no_page_is_stale(kind: Kind) {
    let t = fresh(kind).await;
    let state = AppState::new(t.store.clone());
    // Planned: a draft, with closed content and open items.
    let mut m = with_closed_canaries(council_meeting());
    m.date = "2026-12-08".parse().unwrap();
    m.kind = MeetingKind::Agenda;
    m.status = Some(MeetingStatus::Planned);
    m.signatures.clear();
    for i in &mut m.items {
        i.decision = None;
        i.public_decision = None;
    }
    let id = t.upsert_meeting(&m, "sekretær").await.unwrap().id;
    let page = public_surfaces(&state, "planned").await;
    assert!(page.is_empty(), "a draft is not public");

    // Published.
    let (mut m, v) = stored(&t, id).await;
    m.status = Some(MeetingStatus::AgendaPublished);
    let v = t
        .publish(&m, v, PublicationKind::Agenda, "sekretær")
        .await
        .unwrap()
        .version;
    let page = public_surfaces(&state, "published").await;
    assert!(page.contains("Forenkling af politikker"), "{page}");
    assert!(
        page.contains("Ansættelse af direktør"),
        "the closed item's public title"
    );

    // Edited, not published: the public reads the published agenda still.
    let (mut m, _) = stored(&t, id).await;
    m.items[0].title = "Ny titel, endnu ikke offentliggjort".into();
    let v = t.update_meeting(&m, v, "sekretær").await.unwrap().version;
    let page = public_surfaces(&state, "edited").await;
    assert!(!page.contains("Ny titel, endnu ikke offentliggjort"));
    assert!(page.contains("Forenkling af politikker"));

    // Published again: the new title at once, and the edition history says what changed.
    let (m, _) = stored(&t, id).await;
    let v = t
        .publish(&m, v, PublicationKind::RevisedAgenda, "sekretær")
        .await
        .unwrap()
        .version;
    let page = public_surfaces(&state, "republished").await;
    assert!(
        page.contains("Ny titel, endnu ikke offentliggjort"),
        "not stale"
    );
    assert!(page.contains("Rettet dagsorden"));

    // Held: the minutes published with decisions.
    let (mut m, _) = stored(&t, id).await;
    m.kind = MeetingKind::Minutes;
    m.status = Some(MeetingStatus::Held);
    m.items[0].decision = Some("Anbefalet med de faldne bemærkninger.".into());
    let closed = m.items.iter_mut().find(|i| i.access.is_closed()).unwrap();
    closed.decision = Some(format!("Besluttet {CANARY}"));
    closed.public_decision = Some("Indstillingen blev godkendt.".into());
    let mut v = t
        .publish(&m, v, PublicationKind::Minutes, "sekretær")
        .await
        .unwrap()
        .version;
    let page = public_surfaces(&state, "minutes").await;
    assert!(page.contains("Anbefalet med de faldne bemærkninger."));
    assert!(page.contains("Indstillingen blev godkendt."));

    // Signed by the attendees: approved.
    let (m, _) = stored(&t, id).await;
    for member in m
        .attendees()
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>()
    {
        v = t
            .sign_minutes(id, &member, None, v, "medlem")
            .await
            .unwrap()
            .version;
    }
    let page = public_surfaces(&state, "approved").await;
    assert!(page.contains("Godkendt referat"), "{page}");

    // Corrected: the correction about an open item is public, the one about the closed item
    // is not.
    let closed_number = m
        .items
        .iter()
        .find(|i| i.access.is_closed())
        .unwrap()
        .number;
    t.add_correction(id, Some(1), "Beløbet i punkt 1 er 2,1 mio. kr.", "sekretær")
        .await
        .unwrap();
    t.add_correction(id, closed_number, &format!("Rettelse {CANARY}"), "sekretær")
        .await
        .unwrap();
    let page = public_surfaces(&state, "corrected").await;
    assert!(page.contains("Beløbet i punkt 1 er 2,1 mio. kr."));

    // Rebuilt: the same.
    t.republish(|_, _| {}).await.unwrap();
    let again = public_surfaces(&state, "rebuilt").await;
    assert_eq!(again, page);
}

/// A running node: the application served on a port of its own.
struct Node {
    addr: std::net::SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Node {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn node(store: Store) -> Node {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app(AppState::new(store))).await;
    });
    Node { addr, task }
}

/// GET over TCP from a node; the body as text (a PDF's text extracted).
async fn fetch(node: &Node, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(node.addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        node.addr
    );
    s.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = raw[end + 4..].to_vec();
    if head
        .to_lowercase()
        .contains("content-type: application/pdf")
    {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.pdf");
        std::fs::write(&path, &body).unwrap();
        return (
            status,
            protokol_import::extract_pdf_text(&path, &body).unwrap().0,
        );
    }
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Two application nodes on one database, each on its own port: what is published through
/// one is served by the other at once (nothing kept in a node's memory outlives a change).
async fn a_change_through_one_node_is_served_by_the_other_at_once(kind: Kind) {
    let t = fresh(kind).await;
    let (one, two) = (
        node(Store::open(t.url()).await.unwrap()).await,
        node(Store::open(t.url()).await.unwrap()).await,
    );
    let mut m = council_meeting();
    m.date = "2026-12-08".parse().unwrap();
    m.status = Some(MeetingStatus::Held);
    m.signatures.clear();
    let id = t.upsert_meeting(&m, "import").await.unwrap().id;
    let (m, v) = stored(&t, id).await;
    let v = t
        .publish(&m, v, PublicationKind::Minutes, "sekretær")
        .await
        .unwrap()
        .version;
    for n in [&one, &two] {
        let (status, text) = fetch(n, &format!("{PAGE}/referat.pdf")).await;
        assert_eq!(status, 200);
        assert!(text.contains("Forenkling af politikker"));
    }
    // Changed and published again through node one.
    let (mut m, _) = stored(&t, id).await;
    m.items[0].title = "Forenkling, anden udgave".into();
    let v = t.update_meeting(&m, v, "sekretær").await.unwrap().version;
    let (m, _) = stored(&t, id).await;
    t.publish(&m, v, PublicationKind::RevisedMinutes, "sekretær")
        .await
        .unwrap();
    let (_, text) = fetch(&two, &format!("{PAGE}/referat.pdf")).await;
    assert!(
        text.contains("Forenkling, anden udgave"),
        "node two is current"
    );
    let (_, html) = fetch(&two, PAGE).await;
    assert!(html.contains("Forenkling, anden udgave"));
    // The document node two laid out is the one node one serves (kept in the database).
    let (_, text) = fetch(&one, &format!("{PAGE}/referat.pdf")).await;
    assert!(text.contains("Forenkling, anden udgave"));
}

store_tests!(
    closed_content_never_shows_and_no_page_is_stale,
    a_change_through_one_node_is_served_by_the_other_at_once,
);
