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

    // An import that rewrites approved minutes is refused, naming the meeting, and stores
    // nothing.
    let (stored, version) = store
        .meeting_on(&"KB".parse().unwrap(), "2024-08-20".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut changed = stored.clone();
    changed.items[0].decision = Some("Forkastet.".into());
    let err = store.upsert_meeting(&changed, "import").await.unwrap_err();
    assert!(matches!(err, StoreError::Rejected(_)), "{err}");
    for needle in ["2024-08-20", "approved", "corrections are dated additions"] {
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
    let mut draft = stored.clone();
    draft.status = Some(MeetingStatus::Held);
    assert!(
        store.upsert_meeting(&draft, "import").await.is_err(),
        "nor reopened"
    );
    assert_eq!(
        store.meeting(stored.id.unwrap()).await.unwrap().unwrap(),
        (stored.clone(), version),
        "nothing changed"
    );
    // The same content again is simply unchanged.
    let again = store.upsert_meeting(&stored, "import").await.unwrap();
    assert_eq!(again.outcome, protokol_store::SaveOutcome::Unchanged);
    assert_eq!(store.verify_approvals().await.unwrap(), (2, Vec::new()));

    // A change made in the database behind protokol's back is found by verify.
    let n = store
        .behind_the_back(
            "UPDATE items SET decision = 'Forkastet.' WHERE meeting_id IN
             (SELECT id FROM meetings WHERE meeting_date = '2024-08-20')",
        )
        .await;
    assert!(n > 0);
    let (checked, problems) = store.verify_approvals().await.unwrap();
    assert_eq!(checked, 2);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("were changed after approval"),
        "{problems:?}"
    );
    assert!(problems[0].contains("2024-08-20"), "{problems:?}");
}

async fn imported_approved_minutes_are_logged_and_frozen(kind: Kind) {
    let store = fresh(kind).await;
    let mut approved = held("2024-06-18");
    approved.status = Some(MeetingStatus::MinutesApproved);
    let saved = store.upsert_meeting(&approved, "import").await.unwrap();
    let (m, _) = store.meeting(saved.id).await.unwrap().unwrap();
    let log = store.approvals().await.unwrap();
    assert_eq!(log.len(), 1, "an imported approval enters the log");
    assert_eq!(log[0].meeting_id, saved.id.to_string());
    assert_eq!(log[0].content_hash, protokol_store::content_hash(&m));
    assert_eq!(store.verify_approvals().await.unwrap(), (1, Vec::new()));

    // Held minutes imported, then approved by a second import: logged then.
    let first = store
        .upsert_meeting(&held("2024-08-20"), "import")
        .await
        .unwrap();
    assert_eq!(store.approvals().await.unwrap().len(), 1);
    let (mut m2, _) = store.meeting(first.id).await.unwrap().unwrap();
    m2.status = Some(MeetingStatus::MinutesApproved);
    store.upsert_meeting(&m2, "import").await.unwrap();
    assert_eq!(store.approvals().await.unwrap().len(), 2);

    // Re-opening or changing it by import is refused.
    m2.status = Some(MeetingStatus::Held);
    let err = store.upsert_meeting(&m2, "import").await.unwrap_err();
    assert!(err.to_string().contains("are approved"), "{err}");

    // Marking minutes approved in the database, behind protokol's back, is found.
    store
        .upsert_meeting(&held("2024-09-24"), "import")
        .await
        .unwrap();
    store
        .behind_the_back(
            "UPDATE meetings SET status = 'minutes_approved' WHERE meeting_date = '2024-09-24'",
        )
        .await;
    let (_, problems) = store.verify_approvals().await.unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("not in the approval log"),
        "{problems:?}"
    );
    assert!(problems[0].contains("2024-09-24"), "{problems:?}");
    // An administrator who has checked them can log them as they stand.
    let added = store.log_unlogged_approvals().await.unwrap();
    assert_eq!(added.len(), 1);
    assert!(added[0].contains("2024-09-24"));
    assert_eq!(store.verify_approvals().await.unwrap(), (3, Vec::new()));
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
    imported_approved_minutes_are_logged_and_frozen,
);
