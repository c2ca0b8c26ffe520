//! Signing minutes, approval and the hash-chained approval log, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use protokol_core::{Meeting, MeetingStatus};
use protokol_store::StoreError;
use protokol_testkit::{Kind, council_meeting, fresh, store_tests};

/// The council meeting, held, with minutes published and nobody signed yet. Attendees:
/// Kasper Bjerregaard, Jan Petersen, Ulla Mortensen (Per Hansen was absent).
fn held(date: &str) -> Meeting {
    let mut m = council_meeting();
    m.status = Some(MeetingStatus::Held);
    m.signatures.clear();
    m.date = date.parse().unwrap();
    m
}

async fn the_attendees_sign_and_the_last_signature_approves_and_freezes(kind: Kind) {
    let store = fresh(kind).await;
    let saved = store
        .upsert_meeting(&held("2024-06-18"), "t")
        .await
        .unwrap();
    let (m, v) = store.meeting(saved.id).await.unwrap().unwrap();
    assert_eq!(
        m.attendees(),
        ["Kasper Bjerregaard", "Jan Petersen", "Ulla Mortensen"]
    );

    let err = store
        .sign_minutes(saved.id, "Per Hansen", None, v, "per")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("not among the members who attended"),
        "{err}"
    );
    let err = store
        .sign_minutes(saved.id, "Jan Petersen", None, v - 1, "jan")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");

    let s = store
        .sign_minutes(saved.id, "Jan Petersen", None, v, "jan")
        .await
        .unwrap();
    assert!(!s.approved);
    let err = store
        .sign_minutes(saved.id, "Jan Petersen", None, s.version, "jan")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already signed"), "{err}");
    let s = store
        .sign_minutes(
            saved.id,
            "Ulla Mortensen",
            Some("Med forbehold for punkt 1."),
            s.version,
            "ulla",
        )
        .await
        .unwrap();
    assert!(!s.approved);
    assert!(store.approvals().await.unwrap().is_empty());
    let s = store
        .sign_minutes(saved.id, "Kasper Bjerregaard", None, s.version, "kasper")
        .await
        .unwrap();
    assert!(s.approved);

    let (m, v) = store.meeting(saved.id).await.unwrap().unwrap();
    assert_eq!(m.status, Some(MeetingStatus::MinutesApproved));
    assert_eq!(m.signatures.len(), 3);
    assert_eq!(
        m.signatures[1].reservation.as_deref(),
        Some("Med forbehold for punkt 1.")
    );
    // Frozen: no more signatures, no edits.
    let err = store
        .sign_minutes(saved.id, "Jan Petersen", None, v, "jan")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already approved"), "{err}");
    let mut edited = m.clone();
    edited.location = Some("Et andet sted".into());
    assert!(store.update_meeting(&edited, v, "t").await.is_err());

    let log = store.approvals().await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].content_hash, protokol_store::content_hash(&m));
    assert_eq!(store.verify_approvals().await.unwrap(), (1, Vec::new()));
}

async fn the_approval_log_is_a_chain_and_finds_later_changes(kind: Kind) {
    let store = fresh(kind).await;
    for date in ["2024-06-18", "2024-08-20"] {
        let saved = store.upsert_meeting(&held(date), "t").await.unwrap();
        let (_, mut v) = store.meeting(saved.id).await.unwrap().unwrap();
        for member in ["Kasper Bjerregaard", "Jan Petersen", "Ulla Mortensen"] {
            v = store
                .sign_minutes(saved.id, member, None, v, "t")
                .await
                .unwrap()
                .version;
        }
    }
    let log = store.approvals().await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        log[1].prev_hash, log[0].chain_hash,
        "each row hashes the one before"
    );
    assert_eq!(store.verify_approvals().await.unwrap(), (2, Vec::new()));

    // An import that rewrites approved minutes gets past the editor, but not past verify.
    let mut changed = store
        .meeting_on(&"KB".parse().unwrap(), "2024-08-20".parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .0;
    changed.items[0].decision = Some("Forkastet.".into());
    store.upsert_meeting(&changed, "import").await.unwrap();
    let (checked, problems) = store.verify_approvals().await.unwrap();
    assert_eq!(checked, 2);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("were changed after approval"),
        "{problems:?}"
    );
    assert!(problems[0].contains("2024-08-20"), "{problems:?}");
}

async fn minutes_that_are_not_published_cannot_be_signed(kind: Kind) {
    let store = fresh(kind).await;
    let mut agenda = held("2024-06-18");
    agenda.status = Some(MeetingStatus::AgendaPublished);
    let saved = store.upsert_meeting(&agenda, "t").await.unwrap();
    let (_, v) = store.meeting(saved.id).await.unwrap().unwrap();
    let err = store
        .sign_minutes(saved.id, "Jan Petersen", None, v, "jan")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not published yet"), "{err}");
    assert_eq!(
        store.meeting(saved.id).await.unwrap().unwrap().1,
        v,
        "nothing stored"
    );
}

store_tests!(
    the_attendees_sign_and_the_last_signature_approves_and_freezes,
    the_approval_log_is_a_chain_and_finds_later_changes,
    minutes_that_are_not_published_cannot_be_signed,
);
