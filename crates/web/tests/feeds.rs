//! Subscriptions, read back by real parsers: the iCalendar feeds (all bodies and one) with
//! the `icalendar` crate's parser, the Atom feeds (news and a saved search) with `feed-rs`.
//! Coming meetings carry place, times and a link; a meeting taken out of the record stays
//! in the calendar as cancelled under the same UID; corrections reach the news feed; closed
//! content (a canary in every closed field) appears in no feed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use icalendar::{CalendarComponent, Component, EventLike};
use protokol_core::danish::today;
use protokol_core::{MeetingKind, MeetingStatus};
use protokol_search::Compounds;
use protokol_search::analysis::Lexicon;
use protokol_testkit::{CANARY, Kind, council_meeting, fresh, store_tests, with_closed_canaries};
use protokol_web::AppState;
use protokol_web::search_sync::SearchService;

use common::get;

fn events(body: &str) -> Vec<icalendar::Event> {
    let cal: icalendar::Calendar = body.parse().unwrap_or_else(|e| panic!("{e}: {body}"));
    cal.components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn atom(body: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{e}: {body}"))
}

async fn feeds_show_what_is_public_and_update_in_place(kind: Kind) {
    let t = fresh(kind).await;
    for m in protokol_testkit::demo_meetings() {
        t.upsert_meeting(&m, "import").await.unwrap();
    }
    let approved = t
        .upsert_meeting(&with_closed_canaries(council_meeting()), "import")
        .await
        .unwrap()
        .id;
    let mut m = with_closed_canaries(council_meeting());
    let day = today() + chrono::Duration::days(5);
    m.date = day;
    m.kind = MeetingKind::Agenda;
    m.status = Some(MeetingStatus::AgendaPublished);
    m.signatures.clear();
    let coming = t.upsert_meeting(&m, "import").await.unwrap().id;
    let service = Arc::new(SearchService::in_memory(Lexicon::new(Compounds::test())).unwrap());
    service.rebuild(&t.store, |_, _| {}).await.unwrap();
    let mut state = AppState::new(t.store.clone());
    state.search = Some(Arc::clone(&service));
    state.municipality = "Norddjurs Kommune".into();

    // The calendar of all bodies.
    let r = get(&state, "/abonner/kalender", None).await;
    assert_eq!(r.status, 200);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(!r.body.contains(CANARY), "{}", r.body);
    let all = events(&r.body);
    let uid = format!("{coming}@localhost");
    let e = all
        .iter()
        .find(|e| e.get_uid() == Some(uid.as_str()))
        .unwrap_or_else(|| panic!("the coming meeting: {}", r.body));
    assert_eq!(e.get_location(), Some("Byrådssalen, rådhuset"));
    assert_eq!(e.get_summary(), Some("Møde i Kommunalbestyrelsen"));
    let start = protokol_core::danish::danish_instant(day, 17, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert_eq!(
        e.get_start(),
        Some(icalendar::DatePerhapsTime::DateTime(
            icalendar::CalendarDateTime::Utc(start)
        ))
    );
    assert!(
        e.get_url()
            .unwrap()
            .ends_with(&format!("/kommunalbestyrelsen/{day}"))
    );
    assert_eq!(e.get_status(), Some(icalendar::EventStatus::Confirmed));
    // The Direktion's meetings of 2023 are long past: not in the calendar.
    assert_eq!(all.len(), 1, "{}", r.body);

    // One body's calendar holds only its meetings.
    let kb = events(
        &get(&state, "/abonner/kalender/kommunalbestyrelsen", None)
            .await
            .body,
    );
    assert_eq!(kb.len(), 1);
    let dir = get(&state, "/abonner/kalender/direktionen", None).await;
    assert_eq!(dir.status, 200);
    assert!(events(&dir.body).is_empty());
    assert_eq!(
        get(&state, "/abonner/kalender/findes-ikke", None)
            .await
            .status,
        404
    );

    // News: every public meeting once, titled in Danish; nothing closed.
    let r = get(&state, "/abonner/nyt", None).await;
    assert_eq!(r.status, 200);
    assert!(!r.body.contains(CANARY), "{}", r.body);
    let news = atom(&r.body);
    assert_eq!(news.entries.len(), 6);
    let titles: Vec<String> = news
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    assert!(
        titles.contains(&"Referat: Kommunalbestyrelsen 18. juni 2024".to_string()),
        "{titles:?}"
    );
    let dir = atom(&get(&state, "/abonner/nyt/direktionen", None).await.body);
    assert_eq!(dir.entries.len(), 4);

    // A correction to the approved minutes puts them first again.
    t.add_correction(approved, Some(1), "Beløbet er 1,2 mio. kr.", "sekretær")
        .await
        .unwrap();
    let news = atom(&get(&state, "/abonner/nyt", None).await.body);
    assert_eq!(
        news.entries[0].title.as_ref().unwrap().content,
        "Referat med rettelser: Kommunalbestyrelsen 18. juni 2024"
    );
    assert_eq!(news.entries.len(), 6, "updated in place, not added");

    // Taken out of the record: the same event, cancelled.
    let (mut m, v) = t.meeting(coming).await.unwrap().unwrap();
    m.status = Some(MeetingStatus::Planned);
    t.update_meeting(&m, v, "sekretær").await.unwrap();
    let r = get(&state, "/abonner/kalender", None).await;
    let all = events(&r.body);
    let e = all
        .iter()
        .find(|e| e.get_uid() == Some(uid.as_str()))
        .expect("still there, as cancelled");
    assert_eq!(e.get_status(), Some(icalendar::EventStatus::Cancelled));
    assert!(!r.body.contains("Byrådssalen"), "nothing of its content");

    // A saved search as a feed: what the public finds, never closed content.
    let found = atom(&get(&state, "/soeg/atom?q=politikker", None).await.body);
    assert!(!found.entries.is_empty());
    for q in [CANARY, "kanarie", "Filtekst", "Underpunktets"] {
        let r = get(
            &state,
            &format!("/soeg/atom?q={}", protokol_testkit::urlencode(q)),
            None,
        )
        .await;
        assert_eq!(r.status, 200);
        let feed = atom(&r.body);
        assert!(feed.entries.is_empty(), "{q}: {}", r.body);
    }

    // Every page points to the feeds.
    let front = get(&state, "/", None).await;
    assert!(front.body.contains(r#"type="application/atom+xml""#));
    assert!(front.body.contains(r#"href="/abonner/kalender""#));
}

store_tests!(feeds_show_what_is_public_and_update_in_place);
