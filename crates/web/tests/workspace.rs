//! The secretariat's workspace over HTTP: who may use it, planning a meeting, building and
//! publishing the agenda, bad input, and two people editing the same item.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{StatusCode, header};
use common::{PASSWORD, account_with_role, get, hidden, post, post_multipart, sign_in};
use protokol_core::{MeetingStatus, Role};
use protokol_store::RoleChange;
use protokol_testkit::{CANARY, TestStore, demo_meetings, sqlite};
use protokol_web::AppState;

const EDITOR: &str = "/arbejde/direktionen/2026-12-02";

async fn setup() -> (TestStore, AppState) {
    let t = sqlite().await;
    for m in demo_meetings() {
        t.upsert_meeting(&m, "test").await.unwrap();
    }
    let body = t.body(&"DIR".parse().unwrap()).await.unwrap().unwrap();
    let mut settings = body.settings.clone();
    settings.standing_items = vec![
        "Beslutningsprotokoller og dagsordener".into(),
        "Økonomi".into(),
        "Eventuelt, herunder punkter til næste møde".into(),
    ];
    t.update_body_settings(&body.code, &settings, body.version, "test")
        .await
        .unwrap();
    for (name, role) in [
        ("sekretaer", Role::Secretary),
        ("sekretaer2", Role::Secretary),
        ("lene", Role::Member),
    ] {
        account_with_role(&t.store, name, None, "DIR", role).await;
    }
    let state = AppState::new(t.store.clone());
    (t, state)
}

/// The Direktion's meeting on `date` as stored, and its version.
async fn stored(t: &TestStore, date: &str) -> (protokol_core::Meeting, i64) {
    t.meeting_on(&"DIR".parse().unwrap(), date.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
}

async fn csrf_of(state: &AppState, cookie: &str) -> String {
    hidden(&get(state, "/arbejde", Some(cookie)).await.body, "csrf")
}

async fn new_meeting(state: &AppState, cookie: &str, date: &str, start: &str) -> common::Reply {
    let csrf = csrf_of(state, cookie).await;
    post(
        state,
        "/arbejde/direktionen/nyt-moede",
        cookie,
        &[
            ("csrf", &csrf),
            ("dato", date),
            ("start", start),
            ("sted", "Mødelokale 250, rådhuset"),
        ],
    )
    .await
}

/// The version and the items' (id, title) pairs, read from the agenda editor.
async fn editor(state: &AppState, cookie: &str) -> (String, String, Vec<(String, String)>) {
    let page = get(state, EDITOR, Some(cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let version = hidden(&page.body, "version");
    let csrf = hidden(&page.body, "csrf");
    let mut items = Vec::new();
    let marker = format!("href=\"{EDITOR}/punkt/");
    let mut rest = page.body.as_str();
    while let Some(at) = rest.find(&marker) {
        rest = &rest[at + marker.len()..];
        let id = rest[..rest.find('"').unwrap()].to_string();
        let title_start = rest.find('>').unwrap() + 1;
        let title =
            rest[title_start..title_start + rest[title_start..].find('<').unwrap()].to_string();
        items.push((id, title));
    }
    (version, csrf, items)
}

#[tokio::test]
async fn the_workspace_is_for_the_bodys_secretaries_only() {
    let (_t, state) = setup().await;
    let anonymous = get(&state, "/arbejde", None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.headers[header::LOCATION], "/logind?til=/arbejde");
    let editor = get(&state, "/arbejde/direktionen/2023-09-06", None).await;
    assert_eq!(
        editor.headers[header::LOCATION],
        "/logind?til=/arbejde/direktionen/2023-09-06"
    );
    // A member reads everything but prepares nothing: the editor does not exist for them.
    let lene = sign_in(&state, "lene").await;
    let page = get(&state, "/arbejde/direktionen/2023-09-06", Some(&lene)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        !get(&state, "/", Some(&lene))
            .await
            .body
            .contains("href=\"/arbejde\"")
    );
    let overview = get(&state, "/arbejde", Some(&lene)).await;
    assert!(overview.body.contains("Du er ikke sekretær"));
    let secretary = sign_in(&state, "sekretaer").await;
    assert!(
        get(&state, "/", Some(&secretary))
            .await
            .body
            .contains("href=\"/arbejde\"")
    );
    let page = get(&state, "/arbejde/direktionen/2023-09-06", Some(&secretary)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Punkter til behandling"));
}

#[tokio::test]
async fn a_planned_meeting_starts_from_the_standing_items_and_stays_hidden_until_published() {
    let (t, state) = setup().await;
    let secretary = sign_in(&state, "sekretaer").await;
    // The start time as people write it in Danish; stored as 09:00.
    let created = new_meeting(&state, &secretary, "2026-12-02", "kl. 9.00").await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(created.headers[header::LOCATION], EDITOR);
    let (version, csrf, items) = editor(&state, &secretary).await;
    let titles: Vec<&str> = items.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Beslutningsprotokoller og dagsordener",
            "Økonomi",
            "Eventuelt, herunder punkter til næste møde"
        ]
    );
    let (m, _) = stored(&t, "2026-12-02").await;
    assert_eq!(m.status, Some(MeetingStatus::Planned));
    assert_eq!(m.start.unwrap().to_string(), "09:00");
    assert_eq!(m.location.as_deref(), Some("Mødelokale 250, rådhuset"));

    // A closed item with text that must stay inside.
    let added = post(
        &state,
        &format!("{EDITOR}/punkter"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("titel", "Personalesag"),
            ("lukket", "1"),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let (_, _, items) = editor(&state, &secretary).await;
    let (closed_id, _) = items.iter().find(|(_, t)| t == "Personalesag").unwrap();
    let item_page = get(
        &state,
        &format!("{EDITOR}/punkt/{closed_id}"),
        Some(&secretary),
    )
    .await;
    let item_version = hidden(&item_page.body, "version");
    let saved = post(
        &state,
        &format!("{EDITOR}/punkt/{closed_id}"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &item_version),
            ("titel", &format!("Ansættelse af chef {CANARY}")),
            ("adgang", "lukket"),
            ("lukket_grund", "Personsag"),
            ("offentlig_titel", "Personalesag"),
            ("sagsfremstilling", &format!("Ansøgerne er {CANARY}.")),
            ("indstilling", "Det indstilles, at ansættelsen godkendes."),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // Not public yet: 404 for the public and for the list; the body's member sees it.
    let public = get(&state, "/direktionen/2026-12-02", None).await;
    assert_eq!(public.status, StatusCode::NOT_FOUND);
    assert!(!public.body.contains(CANARY));
    assert!(
        !get(&state, "/direktionen", None)
            .await
            .body
            .contains("2026-12-02")
    );
    assert!(
        !get(&state, "/", None)
            .await
            .body
            .contains("2. december 2026")
    );
    let lene = sign_in(&state, "lene").await;
    assert_eq!(
        get(&state, "/direktionen/2026-12-02", Some(&lene))
            .await
            .status,
        StatusCode::OK
    );

    // A closed item without a reason and public title stops publishing.
    let (version, csrf, _) = editor(&state, &secretary).await;
    post(
        &state,
        &format!("{EDITOR}/punkter"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("titel", "Lukket uden begrundelse"),
            ("lukket", "1"),
        ],
    )
    .await;
    let (version, csrf, items) = editor(&state, &secretary).await;
    let refused = post(
        &state,
        &format!("{EDITOR}/offentliggoer"),
        &secretary,
        &[("csrf", &csrf), ("version", &version)],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused
            .body
            .contains("Punkt 5 er lukket, men mangler en begrundelse"),
        "{}",
        refused.body
    );
    assert_eq!(
        get(&state, "/direktionen/2026-12-02", None).await.status,
        StatusCode::NOT_FOUND
    );
    let (last_id, _) = items.last().unwrap();
    let form = get(
        &state,
        &format!("{EDITOR}/punkt/{last_id}"),
        Some(&secretary),
    )
    .await;
    let fixed = post(
        &state,
        &format!("{EDITOR}/punkt/{last_id}"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &hidden(&form.body, "version")),
            ("titel", "Lukket med begrundelse"),
            ("adgang", "lukket"),
            ("lukket_grund", "Forhandlinger"),
            ("offentlig_titel", "Forhandlingssag"),
        ],
    )
    .await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER);

    // Publish: the public sees the agenda, the closed item by its public title only.
    let (version, csrf, _) = editor(&state, &secretary).await;
    let published = post(
        &state,
        &format!("{EDITOR}/offentliggoer"),
        &secretary,
        &[("csrf", &csrf), ("version", &version)],
    )
    .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let public = get(&state, "/direktionen/2026-12-02", None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("Personalesag"));
    assert!(public.body.contains("Lukket sag"));
    assert!(!public.body.contains(CANARY));
    let pdf = get(&state, "/direktionen/2026-12-02/dagsorden.pdf", None).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(!pdf.body.contains(CANARY));
    let inside = get(&state, "/direktionen/2026-12-02", Some(&lene)).await;
    assert!(inside.body.contains(CANARY));
}

#[tokio::test]
async fn bad_input_is_named_next_to_the_field_and_nothing_is_stored() {
    let (t, state) = setup().await;
    let secretary = sign_in(&state, "sekretaer").await;
    let before = t.meeting_count().await.unwrap();
    for (date, start, message) in [
        (
            "2026-02-31",
            "09:00",
            "Datoen 2026-02-31 findes ikke i kalenderen.",
        ),
        ("02-12-2026", "09:00", "Skriv datoen som ÅÅÅÅ-MM-DD"),
        ("2026-12-02", "25:61", "Tidspunktet 25:61 findes ikke"),
        ("2026-12-02", "halv ti", "Skriv tidspunktet som TT:MM"),
        (
            "2023-09-06",
            "09:00",
            "Direktionen har allerede et møde onsdag den 6. september 2023.",
        ),
    ] {
        let reply = new_meeting(&state, &secretary, date, start).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{date} {start}"
        );
        assert!(
            reply.body.contains(message),
            "{date} {start}: {}",
            reply.body
        );
        assert!(reply.body.contains("aria-invalid=\"true\""));
        assert!(
            reply.body.contains(&format!("value=\"{date}\"")),
            "the input is kept"
        );
    }
    assert_eq!(t.meeting_count().await.unwrap(), before);

    new_meeting(&state, &secretary, "2026-12-02", "").await;
    let (version, csrf, items) = editor(&state, &secretary).await;
    let empty = post(
        &state,
        &format!("{EDITOR}/punkter"),
        &secretary,
        &[("csrf", &csrf), ("version", &version), ("titel", "  ")],
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Skriv punktets titel."));

    // A closed item needs a reason and a public title.
    let (id, title) = &items[1];
    let page = get(&state, &format!("{EDITOR}/punkt/{id}"), Some(&secretary)).await;
    let reply = post(
        &state,
        &format!("{EDITOR}/punkt/{id}"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &hidden(&page.body, "version")),
            ("titel", title),
            ("adgang", "lukket"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("Angiv hvorfor punktet er lukket"));
    assert!(
        reply
            .body
            .contains("Et lukket punkt skal have en offentlig titel.")
    );
    let (m, _) = stored(&t, "2026-12-02").await;
    assert!(
        m.items.iter().all(|i| !i.access.is_closed()),
        "nothing half-saved"
    );

    // Forms without the session's token, or with a made-up item id, change nothing.
    let forged = post(
        &state,
        &format!("{EDITOR}/punkter"),
        &secretary,
        &[
            ("csrf", "forged"),
            ("version", &version),
            ("titel", "Indsmuglet"),
        ],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let unknown = get(
        &state,
        &format!("{EDITOR}/punkt/not-an-id"),
        Some(&secretary),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let (_, _, after) = editor(&state, &secretary).await;
    assert_eq!(after, items);
}

#[tokio::test]
async fn two_secretaries_editing_one_item_the_second_save_is_refused_and_shows_both() {
    let (t, state) = setup().await;
    let first = sign_in(&state, "sekretaer").await;
    let second = sign_in(&state, "sekretaer2").await;
    new_meeting(&state, &first, "2026-12-02", "09:00").await;
    let (_, _, items) = editor(&state, &first).await;
    let (id, _) = &items[1];
    let url = format!("{EDITOR}/punkt/{id}");
    // Both open the form at the same version.
    let form_a = get(&state, &url, Some(&first)).await;
    let form_b = get(&state, &url, Some(&second)).await;
    let version = hidden(&form_a.body, "version");
    assert_eq!(version, hidden(&form_b.body, "version"));
    let save = |cookie: String, text: &'static str, version: String| {
        let state = state.clone();
        let url = url.clone();
        async move {
            let csrf = csrf_of(&state, &cookie).await;
            post(
                &state,
                &url,
                &cookie,
                &[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("titel", "Økonomi"),
                    ("adgang", "aaben"),
                    ("sagsfremstilling", text),
                ],
            )
            .await
        }
    };
    let a = save(
        first.clone(),
        "Budgetopfølgning pr. 31. oktober.",
        version.clone(),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let b = save(
        second.clone(),
        "Forbruget er 97 pct. af budgettet.",
        version.clone(),
    )
    .await;
    assert_eq!(b.status, StatusCode::CONFLICT);
    assert!(b.body.contains("Punktet er ændret af en anden"));
    assert!(
        b.body.contains("Budgetopfølgning pr. 31. oktober."),
        "the stored version"
    );
    assert!(
        b.body.contains("Forbruget er 97 pct. af budgettet."),
        "the second secretary's"
    );
    let (m, _) = stored(&t, "2026-12-02").await;
    assert_eq!(
        m.items[1].case.as_deref(),
        Some("Budgetopfølgning pr. 31. oktober."),
        "not overwritten"
    );
    // Saving again from the conflict page is a deliberate choice and works.
    let again = save(
        second,
        "Forbruget er 97 pct. af budgettet.",
        hidden(&b.body, "version"),
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn items_are_reordered_and_numbered_again() {
    let (t, state) = setup().await;
    let secretary = sign_in(&state, "sekretaer").await;
    new_meeting(&state, &secretary, "2026-12-02", "09:00").await;
    let (version, csrf, items) = editor(&state, &secretary).await;
    let moved = post(
        &state,
        &format!("{EDITOR}/flyt"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("punkt", &items[2].0),
            ("retning", "op"),
        ],
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let (m, _) = stored(&t, "2026-12-02").await;
    let order: Vec<(Option<u32>, &str)> = m
        .items
        .iter()
        .map(|i| (i.number, i.title.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            (Some(1), "Beslutningsprotokoller og dagsordener"),
            (Some(2), "Eventuelt, herunder punkter til næste møde"),
            (Some(3), "Økonomi"),
        ]
    );
    // The same form again (now an old version) is refused with the new order shown.
    let stale = post(
        &state,
        &format!("{EDITOR}/flyt"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("punkt", &items[2].0),
            ("retning", "op"),
        ],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Mødet er ændret af en anden"));
}

#[tokio::test]
async fn approved_minutes_are_shown_but_not_editable() {
    let (t, state) = setup().await;
    let secretary = sign_in(&state, "sekretaer").await;
    let url = "/arbejde/direktionen/2023-09-06";
    let page = get(&state, url, Some(&secretary)).await;
    assert!(
        page.body
            .contains("Referatet er godkendt og kan ikke ændres.")
    );
    assert!(!page.body.contains("Tilføj punkt"));
    let csrf = csrf_of(&state, &secretary).await;
    let (before, v) = stored(&t, "2023-09-06").await;
    // A hand-made form is refused by the store and the page says why.
    let reply = post(
        &state,
        &format!("{url}/punkter"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &v.to_string()),
            ("titel", "Efterfølgende punkt"),
        ],
    )
    .await;
    assert!(
        reply
            .body
            .contains("Referatet er godkendt og kan ikke ændres.")
    );
    let item = before.items[1].id.unwrap();
    let iv = t.item_version(item).await.unwrap().unwrap();
    let reply = post(
        &state,
        &format!("{url}/punkt/{item}"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &iv.to_string()),
            ("titel", "Nyt navn"),
            ("adgang", "aaben"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply
            .body
            .contains("Referatet er godkendt og kan ikke ændres.")
    );
    let (after, v2) = stored(&t, "2023-09-06").await;
    assert_eq!((after, v2), (before, v));
}

/// From an empty meeting to approved minutes: plan, agenda, decisions, minutes, the
/// attendees sign (one with a reservation), the minutes are approved, frozen and in the
/// approval log.
/// Lene Mehlsen Thomsen (account "lmt") and Kim Bruun Nielsen (account "kim") as the
/// Direktion's members, with accounts that carry their names, so they can sign.
async fn seat_two_signers(t: &TestStore) {
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    let body = t.body(&dir).await.unwrap().unwrap();
    let seat = |name: &str, role: &str| protokol_core::Membership {
        name: Some(name.into()),
        role: Some(role.into()),
        party: None,
        vacant: false,
        substitute_for: None,
        from: None,
        until: None,
    };
    t.set_memberships(
        &dir,
        &[
            seat("Lene Mehlsen Thomsen", "Velfærdsdirektør"),
            seat("Kim Bruun Nielsen", "Fællesforvaltningsdirektør"),
        ],
        body.version,
        "test",
    )
    .await
    .unwrap();
    account_with_role(
        &t.store,
        "kim",
        Some("Kim Bruun Nielsen"),
        "DIR",
        Role::Member,
    )
    .await;
    // lene's account carries her full name, so she is recognised on the attendance list.
    let lene_account = t.account("lene").await.unwrap().unwrap();
    assert!(lene_account.display_name.is_none());
    account_with_role(
        &t.store,
        "lmt",
        Some("Lene Mehlsen Thomsen"),
        "DIR",
        Role::Member,
    )
    .await;
}

#[tokio::test]
async fn a_meeting_from_plan_to_signed_minutes() {
    let (t, state) = setup().await;
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    seat_two_signers(&t).await;

    let secretary = sign_in(&state, "sekretaer").await;
    new_meeting(&state, &secretary, "2026-12-02", "09:00").await;
    // Decisions are written into the items.
    let (_, csrf, items) = editor(&state, &secretary).await;
    for (id, title) in &items {
        let form = get(&state, &format!("{EDITOR}/punkt/{id}"), Some(&secretary)).await;
        let reply = post(
            &state,
            &format!("{EDITOR}/punkt/{id}"),
            &secretary,
            &[
                ("csrf", &csrf),
                ("version", &hidden(&form.body, "version")),
                ("titel", title),
                ("adgang", "aaben"),
                ("beslutning", "Taget til efterretning."),
            ],
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    for step in ["offentliggoer", "referat"] {
        let (version, csrf, _) = editor(&state, &secretary).await;
        let reply = post(
            &state,
            &format!("{EDITOR}/{step}"),
            &secretary,
            &[("csrf", &csrf), ("version", &version)],
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{step}: {}",
            reply.body
        );
    }
    let public = get(&state, "/direktionen/2026-12-02", None).await;
    assert!(
        public
            .body
            .contains("Beslutning i Direktionen den 02-12-2026"),
        "minutes are public"
    );
    assert!(
        !public.body.contains("Underskriv referatet"),
        "the public signs nothing"
    );

    // A member without a place on the attendance list cannot sign.
    let lene = sign_in(&state, "lene").await;
    let page = get(&state, "/direktionen/2026-12-02", Some(&lene)).await;
    assert!(page.body.contains("står ikke på deltagerlisten"));
    assert!(!page.body.contains("Underskriv referatet"));

    let sign = |user: &'static str, reservation: &'static str| {
        let state = state.clone();
        async move {
            let cookie = sign_in(&state, user).await;
            let page = get(&state, "/direktionen/2026-12-02", Some(&cookie)).await;
            assert!(page.body.contains("Underskriv referatet"), "{user}");
            post(
                &state,
                "/direktionen/2026-12-02/underskriv",
                &cookie,
                &[
                    ("csrf", &hidden(&page.body, "csrf")),
                    ("version", &hidden(&page.body, "version")),
                    ("forbehold", reservation),
                ],
            )
            .await
        }
    };
    let first = sign("lmt", "").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let (m, _) = t
        .meeting_on(&dir, "2026-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        m.status,
        Some(MeetingStatus::Held),
        "one signature is missing"
    );
    let second = sign("kim", "Med forbehold for punkt 2.").await;
    assert_eq!(second.status, StatusCode::SEE_OTHER);

    let (m, _) = t
        .meeting_on(&dir, "2026-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status, Some(MeetingStatus::MinutesApproved));
    assert_eq!(m.signatures.len(), 2);
    assert_eq!(
        m.signatures[1].reservation.as_deref(),
        Some("Med forbehold for punkt 2.")
    );
    // The demo's imported approved minutes and these.
    assert_eq!(t.verify_approvals().await.unwrap(), (2, Vec::new()));
    let public = get(&state, "/direktionen/2026-12-02", None).await;
    assert!(public.body.contains("Kim Bruun Nielsen"));
    assert!(
        public.body.contains("Med forbehold for punkt 2."),
        "the reservation is printed"
    );
    let editor_page = get(&state, EDITOR, Some(&secretary)).await;
    assert!(
        editor_page
            .body
            .contains("Referatet er godkendt og kan ikke ændres.")
    );
}

#[tokio::test]
async fn a_postponed_point_moves_to_the_next_meetings_draft_with_its_texts_and_attachments() {
    let (t, state) = setup().await;
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    let secretary = sign_in(&state, "sekretaer").await;
    new_meeting(&state, &secretary, "2026-12-02", "09:00").await;
    let (version, csrf, _) = editor(&state, &secretary).await;
    post(
        &state,
        &format!("{EDITOR}/punkter"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("titel", "Klimakompetencer hos ansatte"),
        ],
    )
    .await;
    // Give the point a text and an attachment.
    let (m, _) = t
        .meeting_on(&dir, "2026-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut item = m.items.last().unwrap().clone();
    item.case = Some("Oplæg om klimaadfærd.".into());
    item.attachments.push(protokol_core::Attachment {
        id: None,
        number: 1,
        title: "Notat om klimaadfærd".into(),
        access: protokol_core::Access::Open,
        doc_id: Some("3700001".into()),
        journal: None,
        file: None,
    });
    let iv = t.item_version(item.id.unwrap()).await.unwrap().unwrap();
    t.update_item(m.id.unwrap(), &item, iv, "test")
        .await
        .unwrap();

    let url = format!("{EDITOR}/punkt/{}", item.id.unwrap());
    let postpone = |date: &'static str, body: &'static str| {
        let state = state.clone();
        let secretary = secretary.clone();
        let url = url.clone();
        async move {
            let page = get(&state, &url, Some(&secretary)).await;
            assert!(page.body.contains("Udsæt punktet"));
            post(
                &state,
                &format!("{url}/udsaet"),
                &secretary,
                &[
                    ("csrf", &hidden(&page.body, "csrf")),
                    (
                        "version",
                        &page
                            .body
                            .split("/udsaet")
                            .nth(1)
                            .map(|rest| hidden(rest, "version"))
                            .unwrap(),
                    ),
                    ("udvalg", body),
                    ("dato", date),
                ],
            )
            .await
        }
    };
    let earlier = postpone("2026-11-30", "DIR").await;
    assert_eq!(earlier.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(earlier.body.contains("kun udsættes til et senere møde"));
    let other = postpone("2026-12-09", "KB").await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(other.body.contains("Vælg et udvalg, du er sekretær for."));
    let bad = postpone("9. december", "DIR").await;
    assert!(bad.body.contains("Skriv datoen som ÅÅÅÅ-MM-DD"));
    assert!(
        t.meeting_on(&dir, "2026-12-09".parse().unwrap())
            .await
            .unwrap()
            .is_none()
    );

    let moved = postpone("2026-12-09", "DIR").await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(
        moved.headers[header::LOCATION],
        "/arbejde/direktionen/2026-12-09"
    );
    let (source, _) = t
        .meeting_on(&dir, "2026-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let from = source.items.last().unwrap();
    assert_eq!(from.decision.as_deref(), Some("Udsat."));
    assert_eq!(from.next[0].date.to_string(), "2026-12-09");
    let (target, _) = t
        .meeting_on(&dir, "2026-12-09".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        target.status,
        Some(MeetingStatus::Planned),
        "the next meeting's draft"
    );
    let to = target.items.last().unwrap();
    assert_eq!(to.title, "Klimakompetencer hos ansatte");
    assert_eq!(to.case.as_deref(), Some("Oplæg om klimaadfærd."));
    assert_eq!(to.attachments[0].title, "Notat om klimaadfærd");
    assert!(to.decision.is_none() && to.next.is_empty());
    assert_eq!(
        target.items.len(),
        4,
        "standing items plus the postponed point"
    );

    // Once the minutes of 2 December and the agenda of 9 December are out, the meetings
    // link to each other.
    for (editor_url, step) in [
        (EDITOR, "offentliggoer"),
        (EDITOR, "referat"),
        ("/arbejde/direktionen/2026-12-09", "offentliggoer"),
    ] {
        let page = get(&state, editor_url, Some(&secretary)).await;
        post(
            &state,
            &format!("{editor_url}/{step}"),
            &secretary,
            &[
                ("csrf", &hidden(&page.body, "csrf")),
                ("version", &hidden(&page.body, "version")),
            ],
        )
        .await;
    }
    let n = from.number.unwrap();
    let item_page = get(&state, &format!("/direktionen/2026-12-02/punkt/{n}"), None).await;
    assert!(
        item_page.body.contains("href=\"/direktionen/2026-12-09\""),
        "{}",
        item_page.body
    );
    let next = get(&state, "/direktionen/2026-12-09", None).await;
    assert!(next.body.contains("Tidligere behandling"));
    assert!(
        next.body
            .contains(&format!("href=\"/direktionen/2026-12-02/punkt/{n}\""))
    );
}

#[tokio::test]
async fn attachments_are_uploaded_checked_and_served_only_to_who_may_see_them() {
    use protokol_render::{DocKind, Document, Edition, Scope};
    let (t, state) = setup().await;
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    let secretary = sign_in(&state, "sekretaer").await;
    new_meeting(&state, &secretary, "2026-12-02", "09:00").await;
    let (_, _, items) = editor(&state, &secretary).await;
    let (id, _) = &items[1];
    let url = format!("{EDITOR}/punkt/{id}");
    // A real PDF: the 13 September agenda, as protokol renders it.
    let (sept, _) = t
        .meeting_on(&dir, "2023-09-13".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let rendered = Document::build(
        &sept,
        &Default::default(),
        Edition::Public,
        DocKind::Agenda,
        Scope::Meeting,
    )
    .unwrap();
    let pdf = protokol_render::pdf::render(&rendered).unwrap();

    let upload = |number: &'static str,
                  title: &'static str,
                  closed: bool,
                  file: (&'static str, Vec<u8>),
                  doc: &'static str| {
        let state = state.clone();
        let secretary = secretary.clone();
        let url = url.clone();
        async move {
            let page = get(&state, &url, Some(&secretary)).await;
            let mut fields = vec![
                ("csrf", hidden(&page.body, "csrf")),
                ("version", hidden(&page.body, "version")),
                ("nummer", number.to_string()),
                ("titel", title.to_string()),
                ("dok_nr", doc.to_string()),
            ];
            if closed {
                fields.push(("adgang", "lukket".to_string()));
            }
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_multipart(
                &state,
                &format!("{url}/bilag"),
                &secretary,
                &fields,
                Some((file.0, &file.1)),
            )
            .await
        }
    };
    let ok = upload(
        "1",
        "Dagsorden 13. september",
        false,
        ("dagsorden.pdf", pdf.clone()),
        "370001",
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let closed = upload(
        "2",
        "Fortroligt notat",
        true,
        ("notat.txt", format!("Notat {CANARY}").into_bytes()),
        "370002",
    )
    .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);

    // Refusals, each named next to its field; nothing is stored.
    for (number, title, file, message) in [
        (
            "1",
            "Dublet",
            ("a.txt", b"tekst".to_vec()),
            "Punktet har allerede et bilag nr. 1.",
        ),
        (
            "x",
            "Forkert nummer",
            ("a.txt", b"tekst".to_vec()),
            "Skriv bilagets nummer som et helt tal",
        ),
        (
            "3",
            "",
            ("a.txt", b"tekst".to_vec()),
            "Skriv bilagets titel.",
        ),
        (
            "3",
            "Billede",
            ("foto.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
            "Filtypen kan ikke bruges her.",
        ),
        (
            "3",
            "Word",
            ("notat.docx", b"PK\x03\x04word/document.xml".to_vec()),
            "Filtypen kan ikke bruges her.",
        ),
        (
            "3",
            "Beskadiget",
            ("brudt.pdf", pdf[..200].to_vec()),
            "PDF-filen er beskadiget",
        ),
        ("3", "Tom", ("tom.txt", Vec::new()), "Vælg en fil."),
        (
            "4",
            "Dok.nr. fra et andet bilag",
            ("andet.txt", b"anden tekst".to_vec()),
            "hører allerede til en anden fil",
        ),
        (
            "3",
            "Alt for stor",
            ("stor.pdf", vec![b'%'; protokol_web::MAX_UPLOAD_BYTES + 1]),
            "Filen er for stor. Den må højst fylde 25 MB.",
        ),
    ] {
        let doc = if title.starts_with("Dok.nr.") {
            "370001"
        } else {
            ""
        };
        let reply = upload(number, title, false, (file.0, file.1), doc).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{title}");
        assert!(reply.body.contains(message), "{title}: {message}");
        assert!(reply.body.contains("aria-invalid=\"true\""), "{title}");
    }
    let (m, _) = t
        .meeting_on(&dir, "2026-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let stored = &m.items[1].attachments;
    assert_eq!(stored.len(), 2, "only the two good uploads");
    let text = stored[0].file.as_ref().unwrap().text.as_deref().unwrap();
    assert!(
        text.contains("Direktionen"),
        "the PDF's text was extracted: {text}"
    );
    assert_eq!(stored[0].doc_id.as_deref(), Some("370001"));

    // After publishing: the public downloads the PDF byte for byte; the closed file is 404
    // to the public and there for the body's member.
    let page = get(&state, EDITOR, Some(&secretary)).await;
    post(
        &state,
        &format!("{EDITOR}/offentliggoer"),
        &secretary,
        &[
            ("csrf", &hidden(&page.body, "csrf")),
            ("version", &hidden(&page.body, "version")),
        ],
    )
    .await;
    let n = m.items[1].number.unwrap();
    let open = common::get_bytes(
        &state,
        &format!("/direktionen/2026-12-02/punkt/{n}/bilag/1"),
        None,
    )
    .await;
    assert_eq!(open.0, StatusCode::OK);
    assert_eq!(open.1, "application/pdf");
    assert_eq!(open.2, pdf);
    let public_closed = get(
        &state,
        &format!("/direktionen/2026-12-02/punkt/{n}/bilag/2"),
        None,
    )
    .await;
    assert_eq!(public_closed.status, StatusCode::NOT_FOUND);
    assert!(!public_closed.body.contains(CANARY));
    let page = get(&state, "/direktionen/2026-12-02", None).await;
    assert!(!page.body.contains("Fortroligt notat"));
    let lene = sign_in(&state, "lene").await;
    let inside = common::get_bytes(
        &state,
        &format!("/direktionen/2026-12-02/punkt/{n}/bilag/2"),
        Some(&lene),
    )
    .await;
    assert_eq!(inside.0, StatusCode::OK);
    assert!(String::from_utf8_lossy(&inside.2).contains(CANARY));
    // Small files are kept in memory once read: the second answers are the same bytes,
    // and the closed file, now in memory from the member's download, is still 404 to the
    // public.
    let again = common::get_bytes(
        &state,
        &format!("/direktionen/2026-12-02/punkt/{n}/bilag/1"),
        None,
    )
    .await;
    assert_eq!(
        (again.0, again.1.as_str()),
        (StatusCode::OK, "application/pdf")
    );
    assert_eq!(again.2, pdf);
    let public_closed = get(
        &state,
        &format!("/direktionen/2026-12-02/punkt/{n}/bilag/2"),
        None,
    )
    .await;
    assert_eq!(public_closed.status, StatusCode::NOT_FOUND);
    assert!(!public_closed.body.contains(CANARY));
}

#[tokio::test]
async fn votes_dissents_follow_ups_and_participants_are_recorded_per_item() {
    let (t, state) = setup().await;
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    let secretary = sign_in(&state, "sekretaer").await;
    new_meeting(&state, &secretary, "2026-12-02", "09:00").await;
    let (_, csrf, items) = editor(&state, &secretary).await;
    let (id, title) = &items[1];
    let url = format!("{EDITOR}/punkt/{id}");
    let save = |fields: Vec<(&'static str, &'static str)>| {
        let state = state.clone();
        let secretary = secretary.clone();
        let url = url.clone();
        let csrf = csrf.clone();
        let title = title.clone();
        async move {
            let page = get(&state, &url, Some(&secretary)).await;
            let version = hidden(&page.body, "version");
            let mut form: Vec<(&str, &str)> = vec![
                ("csrf", &csrf),
                ("version", &version),
                ("titel", &title),
                ("adgang", "aaben"),
                ("beslutning", "Godkendt."),
            ];
            form.extend(fields);
            post(&state, &url, &secretary, &form).await
        }
    };
    for (field, value, message) in [
        (
            "stemmer_for",
            "V, A (nitten)",
            "Antallet i parentes skal være et tal",
        ),
        (
            "opfoelgning",
            ": uden ansvarlig",
            "Skriv opfølgningerne som",
        ),
        (
            "protokoltilfoersel",
            "Jan Petersen:",
            "Skriv, hvad der skal føres til protokols",
        ),
    ] {
        let reply = save(vec![(field, value)]).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(reply.body.contains(message), "{field}: {}", reply.body);
        assert!(
            reply.body.contains(&format!("id=\"{field}-fejl\"")),
            "{field}"
        );
    }
    let reply = save(vec![
        (
            "deltagere",
            "Økonomichef Bettina Andersen, Controller Nicklas Healy",
        ),
        ("stemmer_for", "V, A (19)"),
        ("stemmer_imod", "O, Ulla Mortensen (2)"),
        (
            "protokoltilfoersel",
            "Ulla Mortensen: Jeg ønsker ført til protokols, at O stemmer imod.",
        ),
        ("inhabil", "Kasper Bjerregaard"),
        ("opfoelgning", "Økonomi: Budgetopfølgning i januar.\nHR"),
    ])
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let (m, _) = t
        .meeting_on(&dir, "2026-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let item = &m.items[1];
    assert_eq!(item.participants.len(), 2);
    assert_eq!(item.votes.len(), 2);
    assert_eq!(item.votes[0].parties, ["V", "A"]);
    assert_eq!(item.votes[0].count, Some(19));
    assert_eq!(item.votes[1].members, ["Ulla Mortensen"]);
    assert_eq!(item.dissents[0].member, "Ulla Mortensen");
    assert_eq!(item.disqualified, ["Kasper Bjerregaard"]);
    assert_eq!(item.followups.len(), 2);
    assert_eq!(item.followups[0].owner, "Økonomi");
    assert_eq!(
        item.followups[0].text.as_deref(),
        Some("Budgetopfølgning i januar.")
    );
    assert_eq!(item.followups[1].owner, "HR");
    assert_eq!(item.decision_date, Some("2026-12-02".parse().unwrap()));
    // The form shows what is stored, ready for the next edit.
    let page = get(&state, &url, Some(&secretary)).await;
    assert!(page.body.contains("value=\"V, A (19)\""));
    assert!(page.body.contains("value=\"O, Ulla Mortensen (2)\""));
}

#[tokio::test]
async fn the_members_area_lists_minutes_to_sign_and_follow_ups_of_the_members_bodies() {
    let (t, state) = setup().await;
    let anonymous = get(&state, "/mit", None).await;
    assert_eq!(anonymous.headers[header::LOCATION], "/logind?til=/mit");
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    account_with_role(
        &t.store,
        "lmt",
        Some("Lene Mehlsen Thomsen"),
        "DIR",
        Role::Member,
    )
    .await;
    // Held minutes with her on the attendance list and a follow-up in her name.
    let (mut m, _) = t
        .meeting_on(&dir, "2024-01-24".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    m.status = Some(MeetingStatus::Held);
    m.kind = protokol_core::MeetingKind::Minutes;
    m.signatures.clear();
    m.members = vec![protokol_core::Member {
        name: Some("Lene Mehlsen Thomsen".into()),
        role: Some("Velfærdsdirektør".into()),
        party: None,
        vacant: false,
        substitute_for: None,
    }];
    m.absent.clear();
    m.items[0].followups.push(protokol_core::Followup {
        id: None,
        owner: "Lene Mehlsen Thomsen".into(),
        text: Some("Oplæg om rekruttering til næste møde.".into()),
        status: protokol_core::FollowupStatus::Open,
    });
    m.items[0].followups.push(protokol_core::Followup {
        id: None,
        owner: "HR".into(),
        text: Some("Tal for sygefravær.".into()),
        status: protokol_core::FollowupStatus::Open,
    });
    t.upsert_meeting(&m, "test").await.unwrap();

    let lene = sign_in(&state, "lmt").await;
    let page = get(&state, "/mit", Some(&lene)).await;
    assert_eq!(page.status, StatusCode::OK);
    let mine_at = page.body.find("Dine opfølgninger").unwrap();
    let others_at = page.body.find("Åbne opfølgninger i dine udvalg").unwrap();
    let own = page
        .body
        .find("Oplæg om rekruttering til næste møde.")
        .unwrap();
    let hr = page.body.find("Tal for sygefravær.").unwrap();
    assert!(
        mine_at < own && own < others_at && others_at < hr,
        "her own first"
    );
    assert!(
        page.body.contains("href=\"/direktionen/2024-01-24\""),
        "minutes to sign"
    );
    // Someone with no role in Direktionen sees none of it.
    protokol_auth::create_account(&t.store, "ulla", Some("Ulla Mortensen"), PASSWORD, "test")
        .await
        .unwrap();
    let ulla = sign_in(&state, "ulla").await;
    let page = get(&state, "/mit", Some(&ulla)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Du er ikke medlem af et udvalg"));
    assert!(!page.body.contains("Tal for sygefravær."));
}

#[tokio::test]
async fn attendance_records_absence_substitutes_and_items_a_member_missed() {
    let (t, state) = setup().await;
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    let body = t.body(&dir).await.unwrap().unwrap();
    let seat = |name: &str| protokol_core::Membership {
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
    let secretary = sign_in(&state, "sekretaer").await;
    new_meeting(&state, &secretary, "2026-12-02", "09:00").await;
    let url = format!("{EDITOR}/fremmoede");
    let submit = |rows: [(&'static str, &'static str, &'static str); 2]| {
        let state = state.clone();
        let secretary = secretary.clone();
        let url = url.clone();
        async move {
            let page = get(&state, &url, Some(&secretary)).await;
            assert_eq!(page.status, StatusCode::OK);
            let mut form = vec![
                ("csrf".to_string(), hidden(&page.body, "csrf")),
                ("version".to_string(), hidden(&page.body, "version")),
            ];
            for (i, (status, away, substitute)) in rows.iter().enumerate() {
                form.push((format!("status_{i}"), status.to_string()));
                form.push((format!("punkter_{i}"), away.to_string()));
                form.push((format!("stedfortraeder_{i}"), substitute.to_string()));
            }
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            post(&state, &url, &secretary, &form).await
        }
    };
    let (before, _) = t
        .meeting_on(&dir, "2026-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    for (rows, message) in [
        (
            [("til_stede", "9", ""), ("til_stede", "", "")],
            "Mødet har intet punkt 9.",
        ),
        (
            [("til_stede", "", "Anne Due"), ("til_stede", "", "")],
            "er til stede og har derfor ingen stedfortræder",
        ),
        (
            [("til_stede", "", ""), ("afbud", "2", "")],
            "punkter, hvor man var borte, gælder kun",
        ),
        (
            [("til_stede", "2-1", ""), ("til_stede", "", "")],
            "Skriv punkterne som numre",
        ),
    ] {
        let reply = submit(rows).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(reply.body.contains(message), "{message}: {}", reply.body);
    }
    let (unchanged, _) = t
        .meeting_on(&dir, "2026-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged, before, "nothing half-saved");

    let ok = submit([("til_stede", "2", ""), ("afbud", "", "Anne Due")]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (m, _) = t
        .meeting_on(&dir, "2026-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.absent.len(), 1);
    assert_eq!(m.absent[0].name, "Kim Bruun Nielsen");
    assert!(m.absent[0].notice);
    assert_eq!(m.attendees(), ["Lene Mehlsen Thomsen", "Anne Due"]);
    assert_eq!(
        m.members[2].substitute_for.as_deref(),
        Some("Kim Bruun Nielsen")
    );
    assert_eq!(m.items[1].absent, ["Lene Mehlsen Thomsen"]);
    // The form shows what was recorded.
    let page = get(&state, &url, Some(&secretary)).await;
    assert!(page.body.contains("value=\"Anne Due\""));
    assert!(
        page.body
            .contains("id=\"afbud_1\" name=\"status_1\" value=\"afbud\" checked")
    );
    // Recording it again the other way round undoes it.
    let ok = submit([("til_stede", "", ""), ("til_stede", "", "")]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let (m, _) = t
        .meeting_on(&dir, "2026-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(m.absent.is_empty() && m.items[1].absent.is_empty());
    assert_eq!(m.members.len(), 2, "the substitute is gone");
}

#[tokio::test]
async fn administrators_see_every_change_with_before_and_after_others_do_not() {
    let (t, state) = setup().await;
    protokol_auth::create_account(&t.store, "anne", Some("Anne Admin"), PASSWORD, "test")
        .await
        .unwrap();
    t.set_role("anne", &RoleChange::Administrator, true, "test")
        .await
        .unwrap();
    let secretary = sign_in(&state, "sekretaer").await;
    new_meeting(&state, &secretary, "2026-12-02", "09:00").await;
    let (_, csrf, items) = editor(&state, &secretary).await;
    let (id, title) = &items[1];
    let url = format!("{EDITOR}/punkt/{id}");
    let page = get(&state, &url, Some(&secretary)).await;
    post(
        &state,
        &url,
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &hidden(&page.body, "version")),
            ("titel", title),
            ("adgang", "aaben"),
            ("sagsfremstilling", "Forbruget er 97 pct. af budgettet."),
        ],
    )
    .await;

    assert_eq!(
        get(&state, "/admin/aendringer", None).await.headers[header::LOCATION],
        "/logind?til=/admin/aendringer"
    );
    let not_admin = get(&state, "/admin/aendringer", Some(&secretary)).await;
    assert_eq!(not_admin.status, StatusCode::NOT_FOUND);
    let anne = sign_in(&state, "anne").await;
    let list = get(&state, "/admin/aendringer", Some(&anne)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("item.updated"));
    assert!(list.body.contains("sekretaer"));
    let seq = t.latest_changes(1).await.unwrap()[0].seq;
    let detail = get(&state, &format!("/admin/aendringer/{seq}"), Some(&anne)).await;
    assert_eq!(detail.status, StatusCode::OK);
    let before = detail.body.find("Før").unwrap();
    let after = detail.body.find("Efter").unwrap();
    let text = detail
        .body
        .find("Forbruget er 97 pct. af budgettet.")
        .unwrap();
    assert!(
        before < after && after < text,
        "the new text is in the after column only"
    );
    assert_eq!(
        get(
            &state,
            &format!("/admin/aendringer/{seq}"),
            Some(&secretary)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_secretary_sets_standing_items_members_and_the_dispatch_deadline() {
    let (t, state) = setup().await;
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    let secretary = sign_in(&state, "sekretaer").await;
    let url = "/arbejde/direktionen/indstillinger";
    let lene = sign_in(&state, "lene").await;
    assert_eq!(
        get(&state, url, Some(&lene)).await.status,
        StatusCode::NOT_FOUND
    );
    let send = |standing: &'static str, members: &'static str, deadline: &'static str| {
        let state = state.clone();
        let secretary = secretary.clone();
        async move {
            let page = get(&state, url, Some(&secretary)).await;
            assert_eq!(page.status, StatusCode::OK);
            post(
                &state,
                url,
                &secretary,
                &[
                    ("csrf", &hidden(&page.body, "csrf")),
                    ("version", &hidden(&page.body, "version")),
                    ("faste_punkter", standing),
                    ("medlemmer", members),
                    ("frist", deadline),
                ],
            )
            .await
        }
    };
    let bad = send(
        "Økonomi",
        "Lene Mehlsen Thomsen; Velfærdsdirektør\n; Direktør",
        "fire",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Linje 2: navnet mangler."));
    assert!(bad.body.contains("Skriv fristen som et antal arbejdsdage"));
    let ok = send(
        "Godkendelse af dagsorden\nØkonomi\nEventuelt",
        "Lene Mehlsen Thomsen; Velfærdsdirektør\nKim Bruun Nielsen; Fællesforvaltningsdirektør\nledig; Kommunaldirektør",
        "4",
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let body = t.body(&dir).await.unwrap().unwrap();
    assert_eq!(body.settings.standing_items.len(), 3);
    assert_eq!(body.settings.agenda_deadline_working_days, Some(4));
    let (members, _) = t.memberships(&dir).await.unwrap();
    assert_eq!(members.len(), 3);
    assert!(members[2].vacant);

    // A meeting two days from now has missed its four-working-day deadline: the editor
    // says so. It starts with the new standing items and members.
    let soon = (chrono::Utc::now().date_naive() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let csrf = hidden(
        &get(&state, "/arbejde", Some(&secretary)).await.body,
        "csrf",
    );
    let created = post(
        &state,
        "/arbejde/direktionen/nyt-moede",
        &secretary,
        &[
            ("csrf", &csrf),
            ("dato", &soon),
            ("start", "09:00"),
            ("sted", ""),
        ],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let page = get(
        &state,
        &format!("/arbejde/direktionen/{soon}"),
        Some(&secretary),
    )
    .await;
    assert!(page.body.contains("Den er overskredet."), "{}", page.body);
    assert!(page.body.contains("Godkendelse af dagsorden"));
    let (m, _) = t
        .meeting_on(&dir, soon.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.attendees(), ["Lene Mehlsen Thomsen", "Kim Bruun Nielsen"]);
}

#[tokio::test]
async fn timed_sub_points_with_guests_their_own_decisions_and_standard_phrases() {
    let (t, state) = setup().await;
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    let secretary = sign_in(&state, "sekretaer").await;
    new_meeting(&state, &secretary, "2026-12-02", "09:00").await;
    let (_, csrf, items) = editor(&state, &secretary).await;
    let (id, title) = &items[1];
    let url = format!("{EDITOR}/punkt/{id}/tidsplan");
    let stored = || async {
        t.meeting_on(&dir, "2026-12-02".parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .0
            .items[1]
            .clone()
    };

    // Only the body's secretaries reach the table: a member gets 404 for the page and the
    // form, as if it did not exist; the public is sent to sign in.
    let member = sign_in(&state, "lene").await;
    assert_eq!(
        get(&state, &url, Some(&member)).await.status,
        StatusCode::NOT_FOUND
    );
    let guessed = post(
        &state,
        &url,
        &member,
        &[
            ("csrf", &csrf),
            ("version", "1"),
            ("raekker", "1"),
            ("titel_0", "Indbrud"),
        ],
    )
    .await;
    assert_eq!(guessed.status, StatusCode::NOT_FOUND);
    assert!(!guessed.body.contains(title.as_str()));
    assert_eq!(get(&state, &url, None).await.status, StatusCode::SEE_OTHER);
    assert!(stored().await.schedule.is_empty());

    // An impossible time and a row without a title: named by their fields, nothing saved.
    let page = get(&state, &url, Some(&secretary)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let version = hidden(&page.body, "version");
    let refused = post(
        &state,
        &url,
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("raekker", "2"),
            ("tid_0", "25:61"),
            ("titel_0", "Budgetopfølgning"),
            ("tid_1", "10:00"),
            ("gaester_1", "Controller Nicklas Healy"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Tidsplanen er ikke gemt"));
    assert!(refused.body.contains("id=\"tid_0-fejl\""));
    assert!(refused.body.contains("Tidspunktet 25:61 findes ikke"));
    assert!(refused.body.contains("id=\"titel_1-fejl\""));
    assert!(
        refused.body.contains("value=\"Controller Nicklas Healy\""),
        "the form keeps what was typed"
    );
    assert!(stored().await.schedule.is_empty(), "nothing half-saved");

    // Two rows typed out of order; times as people type them; a standard phrase.
    let saved = post(
        &state,
        &url,
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("raekker", "2"),
            ("tid_0", "10.30"),
            ("titel_0", "Budgetopfølgning"),
            (
                "gaester_0",
                "Økonomichef Bettina Andersen, Controller Nicklas Healy",
            ),
            ("standard_0", "Taget til efterretning."),
            ("beslutning_0", "Direktionen ønsker en opfølgning i januar."),
            ("opfoelgning_0", "Bettina Andersen: Opfølgning i januar"),
            ("tid_1", "kl. 9.45"),
            ("titel_1", "Velkomst"),
            ("standard_1", "Drøftet."),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let item = stored().await;
    let got: Vec<_> = item
        .schedule
        .iter()
        .map(|s| (s.time.unwrap().to_string(), s.title.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("09:45".to_string(), "Velkomst"),
            ("10:30".to_string(), "Budgetopfølgning")
        ]
    );
    let budget = &item.schedule[1];
    assert_eq!(
        budget.participants,
        ["Økonomichef Bettina Andersen", "Controller Nicklas Healy"]
    );
    assert_eq!(
        budget.decision.as_deref(),
        Some("Taget til efterretning. Direktionen ønsker en opfølgning i januar.")
    );
    assert_eq!(budget.followups[0].owner, "Bettina Andersen");
    assert_eq!(item.schedule[0].decision.as_deref(), Some("Drøftet."));

    // A second secretary's save from the old version is refused and shows what is stored.
    let late = post(
        &state,
        &url,
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("raekker", "1"),
            ("tid_0", "11:00"),
            ("titel_0", "Noget andet"),
        ],
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.body.contains("Punktet er ændret af en anden"));
    assert!(late.body.contains("Budgetopfølgning"), "the stored table");
    assert!(late.body.contains("value=\"Noget andet\""), "their own");
    assert_eq!(stored().await.schedule.len(), 2, "not overwritten");

    // Removing a row keeps the others.
    let page = get(&state, &url, Some(&secretary)).await;
    let removed = post(
        &state,
        &url,
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &hidden(&page.body, "version")),
            ("raekker", "3"),
            ("tid_0", "09:45"),
            ("titel_0", "Velkomst"),
            ("fjern_0", "ja"),
            ("tid_1", "10:30"),
            ("titel_1", "Budgetopfølgning"),
            ("gaester_1", "Controller Nicklas Healy"),
        ],
    )
    .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let item = stored().await;
    assert_eq!(item.schedule.len(), 1);
    assert_eq!(item.schedule[0].title, "Budgetopfølgning");
    assert_eq!(item.schedule[0].participants, ["Controller Nicklas Healy"]);

    // The item editor's standard phrase goes in front of the decision.
    let form = get(&state, &format!("{EDITOR}/punkt/{id}"), Some(&secretary)).await;
    assert!(form.body.contains("Punktet har 1 underpunkt."));
    let reply = post(
        &state,
        &format!("{EDITOR}/punkt/{id}"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &hidden(&form.body, "version")),
            ("titel", title),
            ("adgang", "aaben"),
            ("standardbeslutning", "Godkendt."),
            ("beslutning", "Sekretariatet sender sagen videre."),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        stored().await.decision.as_deref(),
        Some("Godkendt. Sekretariatet sender sagen videre.")
    );

    // Published, the public agenda shows the sub-point's time and guests.
    let (version, csrf, _) = editor(&state, &secretary).await;
    post(
        &state,
        &format!("{EDITOR}/offentliggoer"),
        &secretary,
        &[("csrf", &csrf), ("version", &version)],
    )
    .await;
    let public = get(&state, "/direktionen/2026-12-02", None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("10:30"));
    assert!(public.body.contains("Controller Nicklas Healy"));
}

/// Posts a meeting-level form (csrf and version from the agenda editor) to `EDITOR/{step}`.
async fn meeting_step(state: &AppState, cookie: &str, step: &str) -> common::Reply {
    let (version, csrf, _) = editor(state, cookie).await;
    post(
        state,
        &format!("{EDITOR}/{step}"),
        cookie,
        &[("csrf", &csrf), ("version", &version)],
    )
    .await
}

/// Saves an item's title, access and one more field through the item editor.
async fn save_item_field(
    state: &AppState,
    cookie: &str,
    id: &str,
    fields: &[(&str, &str)],
) -> common::Reply {
    let url = format!("{EDITOR}/punkt/{id}");
    let form = get(state, &url, Some(cookie)).await;
    let mut all: Vec<(&str, &str)> = Vec::new();
    let version = hidden(&form.body, "version");
    let csrf = hidden(&form.body, "csrf");
    all.push(("csrf", &csrf));
    all.push(("version", &version));
    all.extend_from_slice(fields);
    post(state, &url, cookie, &all).await
}

/// Two signers seated, a draft for 2026-12-02 with the standing items and a closed last
/// item "Personalesag" (public title "Lukket personalesag"): the secretary's cookie and the
/// closed item's id.
async fn draft_with_closed_item(t: &TestStore, state: &AppState) -> (String, String) {
    seat_two_signers(t).await;
    let secretary = sign_in(state, "sekretaer").await;
    new_meeting(state, &secretary, "2026-12-02", "09:00").await;
    let (version, csrf, _) = editor(state, &secretary).await;
    post(
        state,
        &format!("{EDITOR}/punkter"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("titel", "Personalesag"),
            ("lukket", "1"),
        ],
    )
    .await;
    let (_, _, items) = editor(state, &secretary).await;
    let (closed_id, _) = items.last().unwrap().clone();
    let reply = save_item_field(
        state,
        &secretary,
        &closed_id,
        &[
            ("titel", "Personalesag"),
            ("adgang", "lukket"),
            ("lukket_grund", "Personsag"),
            ("offentlig_titel", "Lukket personalesag"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    (secretary, closed_id)
}

#[tokio::test]
async fn after_publishing_changes_wait_for_a_new_edition_and_the_public_sees_what_changed() {
    let (t, state) = setup().await;
    let (secretary, closed_id) = draft_with_closed_item(&t, &state).await;
    let (_, _, items) = editor(&state, &secretary).await;
    let (open_id, open_title) = items[1].clone();
    assert_eq!(
        meeting_step(&state, &secretary, "offentliggoer")
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // Edits after publishing: a new item, a changed open item, a canary in the closed one.
    let (version, csrf, _) = editor(&state, &secretary).await;
    post(
        &state,
        &format!("{EDITOR}/punkter"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("titel", "Vintervedligeholdelse"),
        ],
    )
    .await;
    save_item_field(
        &state,
        &secretary,
        &open_id,
        &[
            ("titel", &open_title),
            ("adgang", "aaben"),
            ("sagsfremstilling", "Forbruget er 97 pct. af budgettet."),
        ],
    )
    .await;
    let closed_case = format!("Sagen om {CANARY}.");
    save_item_field(
        &state,
        &secretary,
        &closed_id,
        &[
            ("titel", "Personalesag"),
            ("adgang", "lukket"),
            ("lukket_grund", "Personsag"),
            ("offentlig_titel", "Lukket personalesag"),
            ("sagsfremstilling", &closed_case),
        ],
    )
    .await;
    // Not public yet: the public reads the agenda as published.
    let public = get(&state, "/direktionen/2026-12-02", None).await;
    assert!(!public.body.contains("Vintervedligeholdelse"));
    assert!(!public.body.contains("Forbruget er 97 pct."));
    let page = get(&state, EDITOR, Some(&secretary)).await;
    assert!(page.body.contains("Ændringer, der ikke er offentliggjort"));
    assert!(page.body.contains("Offentliggør tillægsdagsorden"));
    assert!(page.body.contains("Nyt: punkt 5 Vintervedligeholdelse."));
    assert!(page.body.contains("ændret sagsfremstilling"));

    assert_eq!(
        meeting_step(&state, &secretary, "ny-udgave").await.status,
        StatusCode::SEE_OTHER
    );
    let again = meeting_step(&state, &secretary, "ny-udgave").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again
            .body
            .contains("Intet er ændret siden den seneste udgave")
    );

    let public = get(&state, "/direktionen/2026-12-02", None).await;
    assert!(public.body.contains("Vintervedligeholdelse"));
    assert!(public.body.contains("Forbruget er 97 pct."));
    assert!(public.body.contains("Tillægsdagsorden"));
    assert!(public.body.contains("Nyt: punkt 5 Vintervedligeholdelse."));
    assert!(
        public
            .body
            .contains(&format!("Punkt 2 {open_title}: ændret sagsfremstilling."))
    );
    assert!(!public.body.contains(CANARY));
    assert!(
        !public.body.contains("Lukket personalesag: ændret"),
        "a change inside a closed item is not revealed"
    );
    let member = sign_in(&state, "lene").await;
    let inside = get(&state, "/direktionen/2026-12-02", Some(&member)).await;
    assert!(
        inside
            .body
            .contains("Personalesag: ændret sagsfremstilling.")
    );

    // Minutes: published, signed by one, revised — the signature starts over.
    for (id, title) in [(&open_id, open_title.as_str())] {
        save_item_field(
            &state,
            &secretary,
            id,
            &[
                ("titel", title),
                ("adgang", "aaben"),
                ("beslutning", "Godkendt."),
            ],
        )
        .await;
    }
    assert_eq!(
        meeting_step(&state, &secretary, "referat").await.status,
        StatusCode::SEE_OTHER
    );
    let lmt = sign_in(&state, "lmt").await;
    let page = get(&state, "/direktionen/2026-12-02", Some(&lmt)).await;
    let signed = post(
        &state,
        "/direktionen/2026-12-02/underskriv",
        &lmt,
        &[
            ("csrf", &hidden(&page.body, "csrf")),
            ("version", &hidden(&page.body, "version")),
        ],
    )
    .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    save_item_field(
        &state,
        &secretary,
        &open_id,
        &[
            ("titel", &open_title),
            ("adgang", "aaben"),
            ("beslutning", "Godkendt med de faldne bemærkninger."),
        ],
    )
    .await;
    let page = get(&state, EDITOR, Some(&secretary)).await;
    assert!(page.body.contains("Offentliggør rettet referat"));
    assert!(
        page.body
            .contains("skal underskrive det rettede referat igen")
    );
    assert_eq!(
        meeting_step(&state, &secretary, "ny-udgave").await.status,
        StatusCode::SEE_OTHER
    );
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    let date = "2026-12-02".parse().unwrap();
    let (m, _) = t.meeting_on(&dir, date).await.unwrap().unwrap();
    assert!(m.signatures.is_empty(), "signatures start over");
    let public = get(&state, "/direktionen/2026-12-02", None).await;
    assert!(public.body.contains("Rettet referat"));
    assert!(public.body.contains("Godkendt med de faldne bemærkninger."));
}

#[tokio::test]
async fn approved_minutes_take_dated_corrections_and_a_closed_items_stay_inside() {
    let (t, state) = setup().await;
    let (secretary, _) = draft_with_closed_item(&t, &state).await;
    // Before approval there is nothing to correct: the item is edited instead.
    meeting_step(&state, &secretary, "offentliggoer").await;
    let (_, csrf, _) = editor(&state, &secretary).await;
    let early = post(
        &state,
        &format!("{EDITOR}/rettelse"),
        &secretary,
        &[("csrf", &csrf), ("tekst", "For tidligt.")],
    )
    .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(
        early
            .body
            .contains("Rettelser tilføjes til godkendte referater")
    );
    meeting_step(&state, &secretary, "referat").await;
    for user in ["lmt", "kim"] {
        let cookie = sign_in(&state, user).await;
        let page = get(&state, "/direktionen/2026-12-02", Some(&cookie)).await;
        post(
            &state,
            "/direktionen/2026-12-02/underskriv",
            &cookie,
            &[
                ("csrf", &hidden(&page.body, "csrf")),
                ("version", &hidden(&page.body, "version")),
            ],
        )
        .await;
    }
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    let (m, _) = t
        .meeting_on(&dir, "2026-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status, Some(MeetingStatus::MinutesApproved));
    let closed_number = m.items.last().unwrap().number.unwrap().to_string();

    let csrf = csrf_of(&state, &secretary).await;
    let correct = |punkt: String, tekst: String| {
        let state = state.clone();
        let secretary = secretary.clone();
        let csrf = csrf.clone();
        async move {
            post(
                &state,
                &format!("{EDITOR}/rettelse"),
                &secretary,
                &[("csrf", &csrf), ("punkt", &punkt), ("tekst", &tekst)],
            )
            .await
        }
    };
    for (punkt, tekst, field, message) in [
        ("", "   ", "rettelse-fejl", "Skriv rettelsen."),
        (
            "99",
            "Om intet.",
            "rettelse-punkt-fejl",
            "Mødet har ikke det punkt.",
        ),
        (
            "x",
            "Om intet.",
            "rettelse-punkt-fejl",
            "Mødet har ikke det punkt.",
        ),
    ] {
        let reply = correct(punkt.into(), tekst.into()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{punkt}");
        assert!(reply.body.contains(message), "{punkt}");
        assert!(reply.body.contains(&format!("id=\"{field}\"")), "{punkt}");
    }
    let long = "x".repeat(4001);
    assert_eq!(
        correct(String::new(), long).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert!(
        t.corrections(m.id.unwrap()).await.unwrap().is_empty(),
        "nothing stored"
    );

    let open = correct("2".into(), "Mødet sluttede kl. 11.30, ikke 11.00.".into()).await;
    assert_eq!(open.status, StatusCode::SEE_OTHER);
    let closed = correct(closed_number, format!("Rettet beløb: {CANARY}.")).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);

    let public = get(&state, "/direktionen/2026-12-02", None).await;
    assert!(public.body.contains("Rettelser til det godkendte referat"));
    assert!(public.body.contains("Punkt 2, rettet "));
    assert!(
        public
            .body
            .contains("Mødet sluttede kl. 11.30, ikke 11.00.")
    );
    assert!(
        !public.body.contains(CANARY),
        "a closed item's correction stays inside"
    );
    let member = sign_in(&state, "lene").await;
    let inside = get(&state, "/direktionen/2026-12-02", Some(&member)).await;
    assert!(inside.body.contains(CANARY));
    // The approved minutes themselves did not change (the demo's imported approved
    // minutes are in the log too).
    assert_eq!(t.verify_approvals().await.unwrap(), (2, Vec::new()));
}

#[tokio::test]
async fn the_plan_holds_topics_by_date_or_awaiting_one_and_puts_them_on_a_draft_agenda() {
    let (t, state) = setup().await;
    let secretary = sign_in(&state, "sekretaer").await;
    const PLAN: &str = "/arbejde/direktionen/plan";
    // Only the body's secretaries see the plan.
    let lene = sign_in(&state, "lene").await;
    assert_eq!(
        get(&state, PLAN, Some(&lene)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&state, PLAN, None).await.status, StatusCode::SEE_OTHER);

    new_meeting(&state, &secretary, "2099-12-02", "09:00").await;
    let csrf = csrf_of(&state, &secretary).await;
    let add = |titel: &'static str, dato: &'static str| {
        let state = state.clone();
        let secretary = secretary.clone();
        let csrf = csrf.clone();
        async move {
            post(
                &state,
                PLAN,
                &secretary,
                &[("csrf", &csrf), ("titel", titel), ("dato", dato)],
            )
            .await
        }
    };
    let bad = add("Budget 2100", "2. december").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"emne-dato-fejl\""));
    assert!(bad.body.contains("Skriv datoen som ÅÅÅÅ-MM-DD"));
    assert!(
        bad.body.contains("value=\"Budget 2100\""),
        "the form keeps the title"
    );
    let empty = add("", "").await;
    assert!(empty.body.contains("Skriv emnets titel."));
    let dir: protokol_core::BodyCode = "DIR".parse().unwrap();
    assert!(t.topics(&dir).await.unwrap().is_empty(), "nothing stored");

    assert_eq!(
        add("Vintervedligeholdelse", "2099-12-02").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(add("Budget 2100", "").await.status, StatusCode::SEE_OTHER);
    let page = get(&state, PLAN, Some(&secretary)).await;
    assert_eq!(page.status, StatusCode::OK);
    let winter = page.body.find("Vintervedligeholdelse").unwrap();
    let budget = page.body.find("Budget 2100").unwrap();
    assert!(winter < budget, "dated topics first");
    assert!(page.body.contains("afventer dato"));
    assert!(
        page.body.contains("selected>Onsdag den 2. december 2099"),
        "{}",
        page.body
    );

    let topic = t.topics(&dir).await.unwrap()[0].clone();
    let choice = page.body[page.body.find("<option value=\"2099-12-02@").unwrap() + 15..]
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let pulled = post(
        &state,
        &format!("{PLAN}/{}/dagsorden", topic.id),
        &secretary,
        &[("csrf", &csrf), ("moede", &choice)],
    )
    .await;
    assert_eq!(pulled.status, StatusCode::SEE_OTHER, "{}", pulled.body);
    let (m, _) = t
        .meeting_on(&dir, "2099-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.items.last().unwrap().title, "Vintervedligeholdelse");
    // The same form again (now a stale version) is refused with a message.
    let again = post(
        &state,
        &format!("{PLAN}/{}/dagsorden", topic.id),
        &secretary,
        &[("csrf", &csrf), ("moede", &choice)],
    )
    .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A forged choice of meeting is named, and nothing moves.
    let forged = post(
        &state,
        &format!("{PLAN}/{}/dagsorden", topic.id + 1),
        &secretary,
        &[("csrf", &csrf), ("moede", "næste onsdag")],
    )
    .await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(forged.body.contains("Vælg den kladde til en dagsorden"));
    assert_eq!(t.topics(&dir).await.unwrap().len(), 1);
    let page = get(&state, PLAN, Some(&secretary)).await;
    assert!(
        !page.body.contains("<td>Vintervedligeholdelse</td>"),
        "off the plan"
    );
    assert!(page.body.contains("<td>Budget 2100</td>"));

    // Published minutes carry the plan as it stands: here the topic awaiting a date.
    let next = |step: &'static str| {
        let state = state.clone();
        let secretary = secretary.clone();
        async move {
            let url = "/arbejde/direktionen/2099-12-02";
            let page = get(&state, url, Some(&secretary)).await;
            post(
                &state,
                &format!("{url}/{step}"),
                &secretary,
                &[
                    ("csrf", &hidden(&page.body, "csrf")),
                    ("version", &hidden(&page.body, "version")),
                ],
            )
            .await
        }
    };
    assert_eq!(next("offentliggoer").await.status, StatusCode::SEE_OTHER);
    assert_eq!(next("referat").await.status, StatusCode::SEE_OTHER);
    let (m, _) = t
        .meeting_on(&dir, "2099-12-02".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.awaiting_date, ["Budget 2100"]);
}

#[tokio::test]
async fn dates_outside_the_accepted_years_are_refused_like_the_importer_refuses_them() {
    let (t, state) = setup().await;
    let secretary = sign_in(&state, "sekretaer").await;
    let before = t.meeting_count().await.unwrap();
    for (date, message) in [
        ("-0001-01-01", "Skriv datoen som ÅÅÅÅ-MM-DD"),
        ("0000-01-01", "Datoen skal ligge mellem år 1800 og 2199."),
        ("2200-01-01", "Datoen skal ligge mellem år 1800 og 2199."),
    ] {
        let reply = new_meeting(&state, &secretary, date, "09:00").await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        assert!(reply.body.contains(message), "{date}: {}", reply.body);
    }
    assert_eq!(t.meeting_count().await.unwrap(), before, "nothing stored");
    // The same rule holds for an import of such a date.
    let json = protokol_core::exchange::to_json(&demo_meetings()[0])
        .replace("\"2023-09-06\"", "\"2200-01-01\"");
    let err = protokol_core::exchange::parse_meeting(&json).unwrap_err();
    assert!(err.to_string().contains("outside the years"), "{err}");
}

#[tokio::test]
async fn over_long_fields_are_refused_next_to_the_field_and_nothing_is_stored() {
    let (t, state) = setup().await;
    let secretary = sign_in(&state, "sekretaer").await;
    let long_place = "å".repeat(protokol_core::limits::NAME_CHARS + 1);
    let csrf = csrf_of(&state, &secretary).await;
    let reply = post(
        &state,
        "/arbejde/direktionen/nyt-moede",
        &secretary,
        &[
            ("csrf", &csrf),
            ("dato", "2026-12-02"),
            ("sted", &long_place),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply
            .body
            .contains("Teksten er for lang: højst 300 tegn (her er 301).")
    );
    new_meeting(&state, &secretary, "2026-12-02", "09:00").await;
    let (version, csrf, items) = editor(&state, &secretary).await;
    // A title of a million characters.
    let huge = "x".repeat(1_000_000);
    let reply = post(
        &state,
        &format!("{EDITOR}/punkter"),
        &secretary,
        &[("csrf", &csrf), ("version", &version), ("titel", &huge)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("højst 500 tegn (her er 1000000)"));
    // A section past the limit, in the item editor, named by its label.
    let (id, title) = &items[1];
    let page = get(&state, &format!("{EDITOR}/punkt/{id}"), Some(&secretary)).await;
    let case = "Sagen. ".repeat(20_000);
    let reply = post(
        &state,
        &format!("{EDITOR}/punkt/{id}"),
        &secretary,
        &[
            ("csrf", &csrf),
            ("version", &hidden(&page.body, "version")),
            ("titel", title),
            ("sagsfremstilling", &case),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply
            .body
            .contains("Sagsfremstilling: Teksten er for lang: højst 100000 tegn"),
        "{}",
        &reply.body[..2000.min(reply.body.len())]
    );
    let (_, _, after) = editor(&state, &secretary).await;
    assert_eq!(after, items, "nothing stored");
    let (m, _) = stored(&t, "2026-12-02").await;
    assert!(m.items.iter().all(|i| i.case.is_none()));
}

#[tokio::test]
async fn a_crafted_pdf_upload_is_stopped_at_the_limit_and_nothing_is_stored() {
    let (t, mut state) = setup().await;
    state.pdf_limits = protokol_import::PdfLimits::with_seconds(2);
    let secretary = sign_in(&state, "sekretaer").await;
    new_meeting(&state, &secretary, "2026-12-02", "09:00").await;
    let (_, _, items) = editor(&state, &secretary).await;
    let (id, _) = &items[1];
    let url = format!("{EDITOR}/punkt/{id}");
    let page = get(&state, &url, Some(&secretary)).await;
    let hostile = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/hostile/slow-stream.pdf"),
    )
    .unwrap();
    let reply = post_multipart(
        &state,
        &format!("{url}/bilag"),
        &secretary,
        &[
            ("csrf", &hidden(&page.body, "csrf")),
            ("version", &hidden(&page.body, "version")),
            ("nummer", "1"),
            ("titel", "Budget"),
        ],
        Some(("budget.pdf", &hostile)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply
            .body
            .contains("PDF-filen er beskadiget eller kan ikke læses")
    );
    let (m, _) = stored(&t, "2026-12-02").await;
    assert!(m.items.iter().all(|i| i.attachments.is_empty()));
}
