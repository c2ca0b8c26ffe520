//! The published record, on SQLite and PostgreSQL: derived in the transaction of each change
//! that affects what the public sees, free of closed content, current after every kind of
//! change, read by index, rebuilt the same by `republish`, and never out of step with the
//! change that caused it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use protokol_core::{Meeting, MeetingStatus, PublicationKind};
use protokol_testkit::{CANARY, Kind, demo_meetings, fresh, store_tests, with_closed_canaries};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn demo(date: &str) -> Meeting {
    demo_meetings()
        .into_iter()
        .find(|m| m.date.to_string() == date)
        .unwrap()
}

async fn public_json(store: &protokol_store::Store, date: &str) -> Option<String> {
    store
        .public_meeting("direktionen", day(date))
        .await
        .unwrap()
        .map(|p| serde_json::to_string(&p.record).unwrap())
}

async fn imported_meetings_are_public_without_their_closed_content(kind: Kind) {
    let store = fresh(kind).await;
    for m in demo_meetings() {
        let m = if m.date.to_string() == "2023-09-06" {
            with_closed_canaries(m)
        } else {
            m
        };
        store.upsert_meeting(&m, "import").await.unwrap();
    }
    let json = public_json(&store, "2023-09-06").await.unwrap();
    assert!(!json.contains(CANARY), "{json}");
    let dir = "DIR".parse().unwrap();
    let newest = store.public_newest(&dir, 10).await.unwrap();
    let dates: Vec<String> = newest.iter().map(|s| s.date.to_string()).collect();
    assert_eq!(
        dates,
        ["2024-05-15", "2024-01-24", "2023-09-13", "2023-09-06"]
    );
    for s in &newest {
        assert!(
            s.titles.iter().all(|t| !t.contains(CANARY)),
            "{:?}",
            s.titles
        );
    }
    assert_eq!(
        store.public_years(&dir).await.unwrap(),
        [(2024, 2), (2023, 2)]
    );
    let in_2023: Vec<String> = store
        .public_in_year(&dir, 2023)
        .await
        .unwrap()
        .iter()
        .map(|s| s.date.to_string())
        .collect();
    assert_eq!(in_2023, ["2023-09-13", "2023-09-06"]);
    let bodies = store.public_bodies().await.unwrap();
    assert_eq!(bodies.len(), 1);
    assert_eq!(
        (bodies[0].slug.as_str(), bodies[0].meetings),
        ("direktionen", 4)
    );
    let upcoming = store.public_upcoming(day("2024-01-01"), 5).await.unwrap();
    assert_eq!(upcoming[0].date, day("2024-01-24"));
    let latest = store.public_latest(day("2024-01-01"), 5).await.unwrap();
    assert_eq!(latest[0].date, day("2023-09-13"));

    // A draft is not public: its record goes when a meeting becomes a draft again.
    let (mut m, v) = store
        .meeting_on(&dir, day("2024-05-15"))
        .await
        .unwrap()
        .unwrap();
    m.status = Some(MeetingStatus::Planned);
    store.update_meeting(&m, v, "t").await.unwrap();
    assert!(public_json(&store, "2024-05-15").await.is_none());
    assert_eq!(
        store.public_years(&dir).await.unwrap(),
        [(2024, 1), (2023, 2)],
        "the year's count follows"
    );
}

async fn matters_link_back_and_onward_by_index(kind: Kind) {
    let store = fresh(kind).await;
    for m in demo_meetings() {
        store.upsert_meeting(&m, "import").await.unwrap();
    }
    // 6 September's point goes on to 13 September.
    let origins = store
        .public_origins("Direktionen", day("2023-09-13"))
        .await
        .unwrap();
    assert!(
        origins
            .iter()
            .any(|o| o.date == day("2023-09-06") && o.item == Some(3)),
        "{origins:?}"
    );
    let id = store
        .public_meeting("direktionen", day("2023-09-06"))
        .await
        .unwrap()
        .unwrap()
        .summary
        .id;
    let onward = store.public_onward(id).await.unwrap();
    let to_13 = onward
        .iter()
        .find(|o| o.date == day("2023-09-13"))
        .expect("a step to 13 September");
    assert_eq!(
        to_13.meeting,
        Some(("direktionen".to_string(), day("2023-09-13")))
    );
}

async fn the_public_reads_the_newest_edition_and_every_change_reaches_the_record(kind: Kind) {
    let store = fresh(kind).await;
    let mut m = with_closed_canaries(demo("2024-01-24"));
    m.status = Some(MeetingStatus::AgendaPublished);
    m.kind = protokol_core::MeetingKind::Agenda;
    m.signatures.clear();
    let saved = store.upsert_meeting(&m, "import").await.unwrap();
    let (stored, v) = store.meeting(saved.id).await.unwrap().unwrap();
    let v = store
        .publish(&stored, v, PublicationKind::Agenda, "sekretær")
        .await
        .unwrap()
        .version;
    let first = store
        .public_meeting("direktionen", day("2024-01-24"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.record.edition, 1);
    assert_eq!(first.record.history.len(), 1);

    // An unpublished edit: the public still reads the published edition.
    let (mut edited, _) = store.meeting(saved.id).await.unwrap().unwrap();
    edited.items[0].title = "Ny titel, ikke offentliggjort".into();
    let v = store
        .update_meeting(&edited, v, "sekretær")
        .await
        .unwrap()
        .version;
    let same = store
        .public_meeting("direktionen", day("2024-01-24"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(same.record.meeting, first.record.meeting);
    // Published as a revised agenda: now it is public, with what changed.
    let (edited, _) = store.meeting(saved.id).await.unwrap().unwrap();
    store
        .publish(&edited, v, PublicationKind::RevisedAgenda, "sekretær")
        .await
        .unwrap();
    let second = store
        .public_meeting("direktionen", day("2024-01-24"))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(second.etag, first.etag);
    assert_eq!(second.record.edition, 2);
    assert_eq!(
        second.record.meeting.items[0].title,
        "Ny titel, ikke offentliggjort"
    );
    assert!(!second.record.history[1].changes.is_empty());
    assert!(
        !serde_json::to_string(&second.record)
            .unwrap()
            .contains(CANARY)
    );
}

async fn body_settings_and_corrections_reach_the_record(kind: Kind) {
    let store = fresh(kind).await;
    let approved = with_closed_canaries(demo("2023-09-06"));
    store.upsert_meeting(&approved, "import").await.unwrap();
    let before = public_json(&store, "2023-09-06").await.unwrap();
    let dir = "DIR".parse().unwrap();
    let body = store.body(&dir).await.unwrap().unwrap();
    let mut settings = body.settings.clone();
    settings.closed_attachment_titles_public = true;
    store
        .update_body_settings(&dir, &settings, body.version, "t")
        .await
        .unwrap();
    let after = public_json(&store, "2023-09-06").await.unwrap();
    assert!(!before.contains("Lukket bilag i åbent punkt"));
    // The title of the closed attachment in an open item is public now; nothing else of it.
    assert!(after.contains("Lukket bilag i åbent punkt"), "{after}");
    assert!(!after.contains("Filtekst") && !after.contains("9990002"));
    let id = store
        .public_meeting("direktionen", day("2023-09-06"))
        .await
        .unwrap()
        .unwrap()
        .summary
        .id;
    store
        .add_correction(id, None, "Mødet sluttede kl. 11.30.", "sekretær")
        .await
        .unwrap();
    let record = store
        .public_meeting("direktionen", day("2023-09-06"))
        .await
        .unwrap()
        .unwrap()
        .record;
    assert_eq!(record.corrections.len(), 1);
    assert_eq!(record.corrections[0].text, "Mødet sluttede kl. 11.30.");
}

async fn republish_rebuilds_the_same_record(kind: Kind) {
    let store = fresh(kind).await;
    for m in demo_meetings() {
        store.upsert_meeting(&m, "import").await.unwrap();
    }
    let before = public_json(&store, "2023-09-06").await.unwrap();
    let years = store.public_years(&"DIR".parse().unwrap()).await.unwrap();
    store
        .behind_the_back(
            "DELETE FROM public_meetings; DELETE FROM public_years; DELETE FROM public_links",
        )
        .await;
    assert!(public_json(&store, "2023-09-06").await.is_none());
    let mut seen = Vec::new();
    let n = store
        .republish(|done, total| seen.push((done, total)))
        .await
        .unwrap();
    assert_eq!(n, 4);
    assert_eq!(seen.last(), Some(&(4, 4)));
    assert_eq!(public_json(&store, "2023-09-06").await.unwrap(), before);
    assert_eq!(
        store.public_years(&"DIR".parse().unwrap()).await.unwrap(),
        years
    );
    // Again: nothing changes.
    store.republish(|_, _| {}).await.unwrap();
    assert_eq!(public_json(&store, "2023-09-06").await.unwrap(), before);
}

async fn a_change_whose_record_cannot_be_derived_is_not_stored(kind: Kind) {
    let store = fresh(kind).await;
    let mut m = demo("2024-01-24");
    m.status = Some(MeetingStatus::Held);
    let saved = store.upsert_meeting(&m, "import").await.unwrap();
    // An edition that no longer reads, planted behind protokol's back.
    store
        .behind_the_back(&format!(
            "INSERT INTO publications (meeting_id, seq, kind, published_at, published_by, meeting_json)
             VALUES ('{}', 1, 'minutes', '2024-01-25T08:00:00Z', 'x', 'not json')",
            saved.id
        ))
        .await;
    let (mut edited, v) = store.meeting(saved.id).await.unwrap().unwrap();
    edited.location = Some("Et andet sted".into());
    assert!(store.update_meeting(&edited, v, "t").await.is_err());
    let (after, v2) = store.meeting(saved.id).await.unwrap().unwrap();
    assert_eq!(v2, v, "the change rolled back with its record");
    assert_ne!(after.location.as_deref(), Some("Et andet sted"));
}

store_tests!(
    imported_meetings_are_public_without_their_closed_content,
    matters_link_back_and_onward_by_index,
    the_public_reads_the_newest_edition_and_every_change_reaches_the_record,
    body_settings_and_corrections_reach_the_record,
    republish_rebuilds_the_same_record,
    a_change_whose_record_cannot_be_derived_is_not_stored,
);
