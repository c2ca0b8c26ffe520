//! Published editions and dated corrections, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use protokol_core::{Item, MeetingKind, MeetingStatus, PublicationKind};
use protokol_store::StoreError;
use protokol_testkit::{Kind, council_meeting, fresh, store_tests};

async fn each_publication_is_kept_as_published_while_editing_goes_on(kind: Kind) {
    let store = fresh(kind).await;
    let mut m = council_meeting();
    m.kind = MeetingKind::Agenda;
    m.status = Some(MeetingStatus::Planned);
    m.signatures.clear();
    let saved = store.upsert_meeting(&m, "t").await.unwrap();
    let (mut m, v) = store.meeting(saved.id).await.unwrap().unwrap();
    assert!(store.publications(saved.id).await.unwrap().is_empty());

    m.status = Some(MeetingStatus::AgendaPublished);
    let first = store
        .publish(&m, v, PublicationKind::Agenda, "sara")
        .await
        .unwrap();
    // Publishing again with nothing changed is refused and stores nothing.
    let err = store
        .publish(&m, first.version, PublicationKind::RevisedAgenda, "sara")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rejected(_)), "{err}");

    // An edit after publishing is stored but is not an edition until it is published.
    let (mut m, v) = store.meeting(saved.id).await.unwrap().unwrap();
    m.items
        .push(Item::new(Some(m.items.len() as u32 + 1), "Tillægspunkt"));
    let edited = store.update_meeting(&m, v, "sara").await.unwrap();
    let newest = store.newest_publication(saved.id).await.unwrap().unwrap();
    assert_eq!(newest.seq, 1);
    assert_eq!(newest.kind, PublicationKind::Agenda);
    assert!(
        !newest
            .meeting
            .items
            .iter()
            .any(|i| i.title == "Tillægspunkt")
    );

    // A stale version is refused and adds no edition.
    let (m, _) = store.meeting(saved.id).await.unwrap().unwrap();
    let err = store
        .publish(&m, edited.version - 1, PublicationKind::Supplement, "sara")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    assert_eq!(store.publications(saved.id).await.unwrap().len(), 1);

    store
        .publish(&m, edited.version, PublicationKind::Supplement, "sara")
        .await
        .unwrap();
    let all = store.publications(saved.id).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].kind, PublicationKind::Supplement);
    assert_eq!(all[1].published_by, "sara");
    assert!(
        all[1]
            .meeting
            .items
            .iter()
            .any(|i| i.title == "Tillægspunkt")
    );
}

async fn approval_publishes_the_approved_minutes_and_corrections_are_dated_additions(kind: Kind) {
    let store = fresh(kind).await;
    let mut m = council_meeting();
    m.status = Some(MeetingStatus::Held);
    m.signatures.clear();
    let saved = store.upsert_meeting(&m, "t").await.unwrap();
    let (m, v) = store.meeting(saved.id).await.unwrap().unwrap();
    let err = store
        .add_correction(saved.id, None, "For tidligt.", "sara")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("approved minutes only"), "{err}");
    let mut version = v;
    for member in m.attendees() {
        version = store
            .sign_minutes(saved.id, member, None, version, "t")
            .await
            .unwrap()
            .version;
    }
    let newest = store.newest_publication(saved.id).await.unwrap().unwrap();
    assert_eq!(newest.kind, PublicationKind::ApprovedMinutes);
    assert_eq!(newest.meeting.status, Some(MeetingStatus::MinutesApproved));

    for (item, text, why) in [
        (Some(99), "Om et punkt, der ikke findes.", "no item 99"),
        (None, "   ", "empty"),
    ] {
        let err = store
            .add_correction(saved.id, item, text, "sara")
            .await
            .unwrap_err();
        assert!(err.to_string().contains(why), "{err}");
    }
    let c = store
        .add_correction(
            saved.id,
            Some(1),
            "Beløbet i beslutningen er 2,5 mio. kr.",
            "sara",
        )
        .await
        .unwrap();
    assert_eq!(c.seq, 1);
    let all = store.corrections(saved.id).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].item_number, Some(1));
    assert_eq!(all[0].added_by, "sara");
    // The approved minutes themselves are untouched, so the approval log still verifies.
    let (checked, broken) = store.verify_approvals().await.unwrap();
    assert_eq!((checked, broken.len()), (1, 0));
}

store_tests!(
    each_publication_is_kept_as_published_while_editing_goes_on,
    approval_publishes_the_approved_minutes_and_corrections_are_dated_additions,
);
