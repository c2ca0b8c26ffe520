//! The store's behaviour, run on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use protokol_core::exchange::{parse_meeting, to_json};
use protokol_core::{Access, Attachment, AttachmentFile, Meeting, MeetingStatus};
use protokol_store::{Commit, SaveOutcome, StoreError};
use protokol_testkit::{Kind, council_meeting, demo_meetings, fresh, store_tests};

fn by_date<'a>(meetings: &'a [Meeting], date: &str) -> &'a Meeting {
    meetings
        .iter()
        .find(|m| m.date.to_string() == date)
        .unwrap_or_else(|| panic!("no demo meeting on {date}"))
}

async fn export_all(store: &protokol_store::Store) -> Vec<String> {
    let mut out = Vec::new();
    for s in store.meetings().await.unwrap() {
        let (m, _) = store.meeting(s.id).await.unwrap().unwrap();
        out.push(to_json(&m));
    }
    out.sort();
    out
}

fn all_fixtures() -> Vec<Meeting> {
    let mut v = demo_meetings();
    v.push(council_meeting());
    v
}

async fn round_trip_is_lossless(kind: Kind) {
    let first = fresh(kind).await;
    for m in all_fixtures() {
        let saved = first.upsert_meeting(&m, "test").await.unwrap();
        assert_eq!(saved.outcome, SaveOutcome::Created);
    }
    let exported = export_all(&first).await;
    assert_eq!(exported.len(), 5);

    // Every fact survives storage (ids aside, which the store assigns).
    for original in all_fixtures() {
        let (stored, _) = first
            .meeting_on(&original.body.code, original.date)
            .await
            .unwrap()
            .unwrap();
        let stored = protokol_testkit::without_ids(&stored);
        assert_eq!(
            stored, original,
            "meeting {} changed in storage",
            original.date
        );
    }

    let second = fresh(kind).await;
    for json in &exported {
        let m = parse_meeting(json).unwrap();
        second.upsert_meeting(&m, "test").await.unwrap();
    }
    assert_eq!(export_all(&second).await, exported);
}

async fn reimport_updates_instead_of_duplicating(kind: Kind) {
    let store = fresh(kind).await;
    let demo = demo_meetings();
    // Minutes not yet approved (approved ones are frozen, also against imports).
    let mut m = by_date(&demo, "2023-09-06").clone();
    m.status = Some(protokol_core::MeetingStatus::Held);
    let m = &m;
    let created = store.upsert_meeting(m, "import").await.unwrap();

    let again = store.upsert_meeting(m, "import").await.unwrap();
    assert_eq!(again.outcome, SaveOutcome::Unchanged);
    assert_eq!((again.id, again.version), (created.id, 1));

    let mut changed = m.clone();
    changed.location = Some("Byrådssalen".into());
    let updated = store.upsert_meeting(&changed, "import").await.unwrap();
    assert_eq!(updated.outcome, SaveOutcome::Updated);
    assert_eq!((updated.id, updated.version), (created.id, 2));
    assert_eq!(store.meeting_count().await.unwrap(), 1);

    let (stored, version) = store.meeting(created.id).await.unwrap().unwrap();
    assert_eq!(stored.location.as_deref(), Some("Byrådssalen"));
    assert_eq!(version, 2);

    // Item ids survive an update that does not carry them.
    let before: Vec<_> = store
        .meeting(created.id)
        .await
        .unwrap()
        .unwrap()
        .0
        .items
        .iter()
        .map(|i| i.id)
        .collect();
    let mut retitled = changed.clone();
    retitled.items[1].recommendation =
        Some("Det indstilles, at punktet tages til efterretning.".into());
    store.upsert_meeting(&retitled, "import").await.unwrap();
    let after: Vec<_> = store
        .meeting(created.id)
        .await
        .unwrap()
        .unwrap()
        .0
        .items
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(before, after);

    let actions: Vec<_> = store
        .changes_since(0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.entity == "meeting")
        .map(|c| (c.action, c.version))
        .collect();
    assert_eq!(
        actions,
        [
            ("meeting.created".to_string(), Some(1)),
            ("meeting.updated".to_string(), Some(2)),
            ("meeting.updated".to_string(), Some(3)),
        ]
    );
}

async fn reimport_with_explicit_id_updates_that_meeting(kind: Kind) {
    let store = fresh(kind).await;
    let demo = demo_meetings();
    let saved = store
        .upsert_meeting(by_date(&demo, "2023-09-13"), "t")
        .await
        .unwrap();
    let (mut m, _) = store.meeting(saved.id).await.unwrap().unwrap();
    m.date = "2023-09-14".parse().unwrap();
    let moved = store.upsert_meeting(&m, "t").await.unwrap();
    assert_eq!((moved.id, moved.outcome), (saved.id, SaveOutcome::Updated));
    assert_eq!(store.meeting_count().await.unwrap(), 1);
    assert!(
        store
            .meeting_on(&m.body.code, "2023-09-13".parse().unwrap())
            .await
            .unwrap()
            .is_none()
    );
}

async fn stale_meeting_update_is_refused(kind: Kind) {
    let store = fresh(kind).await;
    let demo = demo_meetings();
    let saved = store
        .upsert_meeting(by_date(&demo, "2024-01-24"), "t")
        .await
        .unwrap();
    let (base, v) = store.meeting(saved.id).await.unwrap().unwrap();

    let mut alice = base.clone();
    alice.location = Some("Mødelokale 1".into());
    let mut bob = base.clone();
    bob.location = Some("Mødelokale 2".into());

    let a = store.update_meeting(&alice, v, "alice").await.unwrap();
    assert_eq!(a.version, v + 1);
    let err = store.update_meeting(&bob, v, "bob").await.unwrap_err();
    match err {
        StoreError::Conflict {
            expected, current, ..
        } => assert_eq!((expected, current), (v, v + 1)),
        other => panic!("expected a conflict, got {other}"),
    }
    let (stored, version) = store.meeting(saved.id).await.unwrap().unwrap();
    assert_eq!(stored.location.as_deref(), Some("Mødelokale 1"));
    assert_eq!(version, v + 1);
}

async fn stale_item_update_is_refused(kind: Kind) {
    let store = fresh(kind).await;
    let demo = demo_meetings();
    // Held, not yet approved: its items can still be edited.
    let mut held = by_date(&demo, "2023-09-06").clone();
    held.status = Some(MeetingStatus::Held);
    let saved = store.upsert_meeting(&held, "t").await.unwrap();
    let (m, meeting_version) = store.meeting(saved.id).await.unwrap().unwrap();
    let item = m.items[1].clone();
    let item_id = item.id.unwrap();
    let v = store.item_version(item_id).await.unwrap().unwrap();

    let mut first = item.clone();
    first.decision = Some("Taget til efterretning.".into());
    let mut second = item.clone();
    second.decision = Some("Godkendt.".into());

    assert_eq!(
        store.update_item(saved.id, &first, v, "a").await.unwrap(),
        v + 1
    );
    let err = store
        .update_item(saved.id, &second, v, "b")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { current, .. } if current == v + 1),
        "{err}"
    );

    let (after, after_version) = store.meeting(saved.id).await.unwrap().unwrap();
    assert_eq!(
        after.items[1].decision.as_deref(),
        Some("Taget til efterretning.")
    );
    assert_eq!(after_version, meeting_version + 1);
    // The other items were not touched.
    assert_eq!(after.items[0], m.items[0]);
    assert_eq!(after.items[2], m.items[2]);
}

async fn invalid_meeting_is_refused_and_nothing_is_stored(kind: Kind) {
    let store = fresh(kind).await;
    let demo = demo_meetings();
    let good = by_date(&demo, "2023-09-06");
    store.upsert_meeting(good, "t").await.unwrap();
    let before = export_all(&store).await;

    let mut bad = good.clone();
    let dup = bad.items[2].attachments[0].clone();
    bad.items[2].attachments.push(dup);
    bad.location = Some("changed".into());
    let err = store.upsert_meeting(&bad, "t").await.unwrap_err();
    assert!(
        err.to_string().contains("items[2].attachments[21].number"),
        "{err}"
    );

    // Moving a meeting onto a date its body already uses is refused as a whole.
    let other = store
        .upsert_meeting(by_date(&demo, "2023-09-13"), "t")
        .await
        .unwrap();
    let (mut moved, v) = store.meeting(other.id).await.unwrap().unwrap();
    moved.date = good.date;
    moved.location = Some("changed".into());
    let err = store.update_meeting(&moved, v, "t").await.unwrap_err();
    assert!(matches!(err, StoreError::Rejected(_)), "{err}");

    let mut expected = before.clone();
    let (thirteenth, _) = store.meeting(other.id).await.unwrap().unwrap();
    expected.push(to_json(&thirteenth));
    expected.sort();
    assert_eq!(export_all(&store).await, expected);
    assert_eq!(thirteenth.date.to_string(), "2023-09-13");
}

async fn one_document_attached_to_two_meetings_is_stored_once(kind: Kind) {
    let store = fresh(kind).await;
    let demo = demo_meetings();
    let mut sixth = by_date(&demo, "2023-09-06").clone();
    let file = AttachmentFile {
        name: "foer-og-eftermaaling.pdf".into(),
        media_type: "application/pdf".into(),
        sha256: Some("ab".repeat(32)),
        text: Some("Spørgeskema om klimaadfærd".into()),
    };
    let measured = sixth.items[2]
        .attachments
        .iter_mut()
        .find(|a| a.doc_id.as_deref() == Some("3514806"))
        .unwrap();
    measured.file = Some(file.clone());
    store.upsert_meeting(&sixth, "t").await.unwrap();
    let thirteenth = store
        .upsert_meeting(by_date(&demo, "2023-09-13"), "t")
        .await
        .unwrap();

    // The 13 September agenda names the same document without a file; it shows the file.
    let (m, _) = store.meeting(thirteenth.id).await.unwrap().unwrap();
    let same: &Attachment = m.items[0]
        .attachments
        .iter()
        .find(|a| a.number == 3)
        .unwrap();
    assert_eq!(same.doc_id.as_deref(), Some("3514806"));
    assert_eq!(same.file.as_ref(), Some(&file));
    assert_eq!(same.access, Access::Open);

    // Importing the 13th again changes nothing, although its JSON has no file.
    let again = store
        .upsert_meeting(by_date(&demo, "2023-09-13"), "t")
        .await
        .unwrap();
    assert_eq!(again.outcome, SaveOutcome::Unchanged);
}

async fn body_is_created_once_and_its_settings_are_versioned(kind: Kind) {
    let store = fresh(kind).await;
    for m in demo_meetings() {
        store.upsert_meeting(&m, "t").await.unwrap();
    }
    let bodies = store.bodies().await.unwrap();
    assert_eq!(bodies.len(), 1);
    let dir = &bodies[0];
    assert_eq!(
        (dir.code.as_str(), dir.name.as_str()),
        ("DIR", "Direktionen")
    );

    let mut settings = dir.settings.clone();
    settings.closed_attachment_titles_public = true;
    let v = store
        .update_body_settings(&dir.code, &settings, dir.version, "admin")
        .await
        .unwrap();
    assert_eq!(v, dir.version + 1);
    let err = store
        .update_body_settings(&dir.code, &settings, dir.version, "admin")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    assert!(
        store
            .body(&dir.code)
            .await
            .unwrap()
            .unwrap()
            .settings
            .closed_attachment_titles_public
    );
}

async fn batch_is_stored_all_or_nothing(kind: Kind) {
    let store = fresh(kind).await;
    let demo = demo_meetings();
    let first = store
        .upsert_meeting(by_date(&demo, "2023-09-06"), "t")
        .await
        .unwrap();
    let before = export_all(&store).await;

    // The second meeting of the batch moves the 6 September meeting (by its id) onto
    // 13 September, where the first meeting of the batch has just been created.
    let (mut moved, _) = store.meeting(first.id).await.unwrap().unwrap();
    moved.date = "2023-09-13".parse().unwrap();
    let batch = [by_date(&demo, "2023-09-13").clone(), moved];
    let err = store
        .upsert_meetings(&batch, "t", Commit::Yes)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rejected(_)), "{err}");
    assert_eq!(export_all(&store).await, before);
    assert_eq!(store.meeting_count().await.unwrap(), 1);
}

async fn dry_run_reports_and_changes_nothing(kind: Kind) {
    let store = fresh(kind).await;
    let demo = demo_meetings();
    let saved = store.upsert_meetings(&demo, "t", Commit::No).await.unwrap();
    assert!(saved.iter().all(|s| s.outcome == SaveOutcome::Created));
    assert_eq!(store.meeting_count().await.unwrap(), 0);
    assert!(store.changes_since(0, 10).await.unwrap().is_empty());
    assert!(store.bodies().await.unwrap().is_empty());
}

async fn body_membership_is_stored_in_order_and_versioned(kind: Kind) {
    let store = fresh(kind).await;
    store.upsert_meeting(&council_meeting(), "t").await.unwrap();
    let code = "KB".parse().unwrap();
    let (empty, v) = store.memberships(&code).await.unwrap();
    assert!(empty.is_empty());
    let seat = |name: Option<&str>, party: Option<&str>, vacant: bool, sub: Option<&str>| {
        protokol_core::Membership {
            name: name.map(Into::into),
            role: None,
            party: party.map(Into::into),
            vacant,
            substitute_for: sub.map(Into::into),
            from: "2022-01-01".parse().ok(),
            until: None,
        }
    };
    let members = vec![
        seat(Some("Kasper Bjerregaard"), Some("V"), false, None),
        seat(Some("Per Hansen"), Some("O"), false, None),
        seat(Some("Ulla Mortensen"), Some("O"), false, Some("Per Hansen")),
        seat(None, Some("F"), true, None),
    ];
    let v2 = store
        .set_memberships(&code, &members, v, "admin")
        .await
        .unwrap();
    assert_eq!(
        store.memberships(&code).await.unwrap(),
        (members.clone(), v2)
    );

    // A stale edit and an invalid one are refused; nothing changes.
    let err = store
        .set_memberships(&code, &members[..1], v, "admin")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    let mut bad = members.clone();
    bad[3].name = Some("Navn".into());
    let err = store
        .set_memberships(&code, &bad, v2, "admin")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("members[3]"), "{err}");
    assert_eq!(store.memberships(&code).await.unwrap(), (members, v2));
}

async fn approved_minutes_cannot_be_edited(kind: Kind) {
    let store = fresh(kind).await;
    let demo = demo_meetings();
    let approved = by_date(&demo, "2023-09-06");
    assert_eq!(approved.status, Some(MeetingStatus::MinutesApproved));
    let saved = store.upsert_meeting(approved, "t").await.unwrap();
    let (m, v) = store.meeting(saved.id).await.unwrap().unwrap();
    let mut item = m.items[1].clone();
    item.decision = Some("Ændret bagefter.".into());
    let iv = store.item_version(item.id.unwrap()).await.unwrap().unwrap();
    let err = store
        .update_item(saved.id, &item, iv, "t")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("approved and cannot be changed"),
        "{err}"
    );
    let mut changed = m.clone();
    changed.location = Some("Et andet sted".into());
    let err = store.update_meeting(&changed, v, "t").await.unwrap_err();
    assert!(matches!(err, StoreError::Rejected(_)), "{err}");
    assert_eq!(store.meeting(saved.id).await.unwrap().unwrap(), (m, v));
}

async fn edits_are_logged_with_the_record_before_and_after(kind: Kind) {
    let store = fresh(kind).await;
    let mut held = by_date(&demo_meetings(), "2023-09-06").clone();
    held.status = Some(MeetingStatus::Held);
    let saved = store.upsert_meeting(&held, "import").await.unwrap();
    let (m, v) = store.meeting(saved.id).await.unwrap().unwrap();
    let mut item = m.items[1].clone();
    item.decision = Some("Taget til efterretning efter drøftelse.".into());
    let iv = store.item_version(item.id.unwrap()).await.unwrap().unwrap();
    store
        .update_item(saved.id, &item, iv, "sara")
        .await
        .unwrap();
    let mut moved = store.meeting(saved.id).await.unwrap().unwrap().0;
    moved.location = Some("Byrådssalen".into());
    store.update_meeting(&moved, v + 1, "sara").await.unwrap();

    let latest = store.latest_changes(2).await.unwrap();
    assert_eq!(latest[0].action, "meeting.updated");
    assert_eq!(latest[0].actor, "sara");
    assert!(
        latest[0]
            .before
            .as_deref()
            .unwrap()
            .contains("Mødelokale 250")
    );
    assert!(latest[0].after.as_deref().unwrap().contains("Byrådssalen"));
    let item_change = &latest[1];
    assert_eq!(item_change.action, "item.updated");
    assert!(
        !item_change
            .before
            .as_deref()
            .unwrap()
            .contains("efter drøftelse")
    );
    assert!(
        item_change
            .after
            .as_deref()
            .unwrap()
            .contains("efter drøftelse")
    );
    assert_eq!(
        store.change(item_change.seq).await.unwrap().as_ref(),
        Some(item_change)
    );
}

store_tests!(
    edits_are_logged_with_the_record_before_and_after,
    approved_minutes_cannot_be_edited,
    body_membership_is_stored_in_order_and_versioned,
    batch_is_stored_all_or_nothing,
    dry_run_reports_and_changes_nothing,
    round_trip_is_lossless,
    reimport_updates_instead_of_duplicating,
    reimport_with_explicit_id_updates_that_meeting,
    stale_meeting_update_is_refused,
    stale_item_update_is_refused,
    invalid_meeting_is_refused_and_nothing_is_stored,
    one_document_attached_to_two_meetings_is_stored_once,
    body_is_created_once_and_its_settings_are_versioned,
    nested_records_keep_their_ids_through_edits_and_reimports,
);

/// Sub-points, attachments and follow-ups keep their ids through re-imports (which carry
/// no ids) and edits, so what links to them (the open-data API, search, cases) stays valid.
async fn nested_records_keep_their_ids_through_edits_and_reimports(kind: Kind) {
    let store = fresh(kind).await;
    let mut m = by_date(&demo_meetings(), "2023-09-06").clone();
    m.status = Some(MeetingStatus::Held);
    let saved = store.upsert_meeting(&m, "import").await.unwrap();
    let ids = |m: &Meeting| -> Vec<String> {
        let mut v = Vec::new();
        for i in &m.items {
            v.extend(i.attachments.iter().map(|a| format!("a{:?}", a.id)));
            v.extend(i.followups.iter().map(|f| format!("f{:?}", f.id)));
            for sp in &i.schedule {
                v.push(format!("s{:?}", sp.id));
                v.extend(sp.followups.iter().map(|f| format!("f{:?}", f.id)));
            }
        }
        v
    };
    let (first, _) = store.meeting(saved.id).await.unwrap().unwrap();
    let before = ids(&first);
    assert!(
        before.len() > 20 && before.iter().all(|i| i.contains("Some")),
        "{before:?}"
    );

    // The same file again, and then with a changed decision: the same ids.
    assert_eq!(
        store.upsert_meeting(&m, "import").await.unwrap().outcome,
        SaveOutcome::Unchanged
    );
    let mut changed = m.clone();
    changed.items[2].schedule[0].decision = Some("Ny beslutning.".into());
    changed.items[1].followups[0].text = Some("Ny opgave.".into());
    assert_eq!(
        store
            .upsert_meeting(&changed, "import")
            .await
            .unwrap()
            .outcome,
        SaveOutcome::Updated
    );
    let (second, _) = store.meeting(saved.id).await.unwrap().unwrap();
    assert_eq!(ids(&second), before);

    // An item edit that renames a sub-point it names by id, and adds an attachment.
    let mut item = second.items[2].clone();
    item.schedule[0].title = "APV for ledere (omdøbt)".into();
    let renamed = item.schedule[0].id;
    item.attachments.push(Attachment {
        id: None,
        number: 99,
        title: "Nyt bilag".into(),
        access: protokol_core::Access::Open,
        doc_id: None,
        journal: None,
        file: None,
    });
    let iv = store.item_version(item.id.unwrap()).await.unwrap().unwrap();
    store
        .update_item(saved.id, &item, iv, "sekretær")
        .await
        .unwrap();
    let (third, _) = store.meeting(saved.id).await.unwrap().unwrap();
    assert_eq!(third.items[2].schedule[0].id, renamed);
    assert_eq!(third.items[2].schedule[0].title, "APV for ledere (omdøbt)");
    let new_attachment = third.items[2].attachments.last().unwrap();
    assert!(new_attachment.id.is_some());
    assert!(!before.contains(&format!("a{:?}", new_attachment.id)));
}
