//! Uploaded files: their bytes are stored with the item change, once per content.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use protokol_core::{Access, Attachment, AttachmentFile, Item, MeetingId, MeetingStatus};
use protokol_store::{CHUNK_BYTES, FileToStore, Store};
use protokol_testkit::{Kind, demo_meetings, fresh, store_tests};
use sha2::{Digest, Sha256};

fn on_disk(bytes: &[u8]) -> (tempfile::NamedTempFile, String) {
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), bytes).unwrap();
    let hash = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (tmp, hash)
}

/// A held (editable) demo meeting stored: its id, its first item and that item's version.
async fn first_item_of_a_held_meeting(store: &Store) -> (MeetingId, Item, i64) {
    let mut m = demo_meetings().remove(0);
    m.status = Some(MeetingStatus::Held);
    let saved = store.upsert_meeting(&m, "t").await.unwrap();
    let (m, _) = store.meeting(saved.id).await.unwrap().unwrap();
    let item = m.items[0].clone();
    let v = store.item_version(item.id.unwrap()).await.unwrap().unwrap();
    (saved.id, item, v)
}

async fn a_file_is_stored_with_its_attachment_and_read_back_byte_for_byte(kind: Kind) {
    let store = fresh(kind).await;
    let (meeting, mut item, v) = first_item_of_a_held_meeting(&store).await;
    // More than two chunks, the last one partial.
    let bytes: Vec<u8> = (0..=250u8).cycle().take(2 * CHUNK_BYTES + 70_000).collect();
    let (tmp, hash) = on_disk(&bytes);
    item.attachments.push(Attachment {
        id: None,
        number: 99,
        title: "Binær fil".into(),
        access: Access::Open,
        doc_id: None,
        journal: None,
        file: Some(AttachmentFile {
            name: "data.pdf".into(),
            media_type: "application/pdf".into(),
            sha256: Some(hash.clone()),
            text: Some("tekst".into()),
        }),
    });
    let v2 = store
        .update_item_with_file(
            meeting,
            &item,
            v,
            FileToStore {
                sha256: &hash,
                path: tmp.path(),
            },
            "t",
        )
        .await
        .unwrap();
    assert_eq!(v2, v + 1);
    assert_eq!(store.file_bytes(&hash).await.unwrap().unwrap(), bytes);
    assert_eq!(
        store.file_size(&hash).await.unwrap(),
        Some(bytes.len() as i64)
    );
    assert_eq!(
        store.file_hash(&hash).await.unwrap().as_deref(),
        Some(hash.as_str())
    );
    assert_eq!(
        store.file_chunk(&hash, 0).await.unwrap().unwrap().len(),
        CHUNK_BYTES
    );
    assert!(store.file_chunk(&hash, 3).await.unwrap().is_none());
    let (m, _) = store.meeting(meeting).await.unwrap().unwrap();
    let file = m.items[0].attachments.last().unwrap().file.clone().unwrap();
    assert_eq!(file.sha256.as_deref(), Some(hash.as_str()));

    // A stale version stores neither the item nor the bytes.
    let (x, other) = on_disk(b"x");
    let err = store
        .update_item_with_file(
            meeting,
            &item,
            v,
            FileToStore {
                sha256: &other,
                path: x.path(),
            },
            "t",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, protokol_store::StoreError::Conflict { .. }),
        "{err}"
    );
    assert!(store.file_bytes(&other).await.unwrap().is_none());

    // Bytes that do not have the hash they are given under are refused, and nothing stays.
    let wrong = "cd".repeat(32);
    let mut third = item.clone();
    third.title.push_str(" (ny)");
    let err = store
        .update_item_with_file(
            meeting,
            &third,
            v2,
            FileToStore {
                sha256: &wrong,
                path: x.path(),
            },
            "t",
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not"), "{err}");
    assert!(store.file_size(&wrong).await.unwrap().is_none());
    assert_eq!(
        store.item_version(item.id.unwrap()).await.unwrap(),
        Some(v2)
    );
}

/// Saving an item records what changed in the change log: attachment metadata and a digest
/// of each attachment's text, never the text itself.
async fn the_change_log_keeps_digests_of_attachment_texts_not_the_texts(kind: Kind) {
    let store = fresh(kind).await;
    let (meeting, mut item, v) = first_item_of_a_held_meeting(&store).await;
    let long = "Bilagets tekst med en kanariefugl. ".repeat(30_000);
    item.attachments.push(Attachment {
        id: None,
        number: 98,
        title: "Langt bilag".into(),
        access: Access::Open,
        doc_id: None,
        journal: None,
        file: Some(AttachmentFile {
            name: "langt.txt".into(),
            media_type: "text/plain; charset=utf-8".into(),
            sha256: None,
            text: Some(long.clone().into()),
        }),
    });
    let v = store.update_item(meeting, &item, v, "t").await.unwrap();
    item.title.push_str(" – ændret");
    store.update_item(meeting, &item, v, "t").await.unwrap();
    let changes = store.latest_changes(2).await.unwrap();
    for c in &changes {
        for snapshot in [&c.before, &c.after] {
            let s = snapshot.as_deref().unwrap();
            assert!(s.len() < 60_000, "{} bytes", s.len());
            assert!(!s.contains("kanariefugl"), "no attachment text in the log");
        }
        let after = c.after.as_deref().unwrap();
        assert!(
            after.contains("Langt bilag"),
            "attachment metadata is there"
        );
    }
    let after = changes[0].after.as_deref().unwrap();
    assert!(
        after.contains(&format!("{} tegn", long.chars().count())),
        "{after}"
    );
}

/// The same file attached twice in one meeting (exports attach identical placeholders) is
/// one document, stored once.
async fn the_same_file_attached_twice_in_one_meeting_is_one_document(kind: Kind) {
    let store = fresh(kind).await;
    let mut m = demo_meetings().remove(0);
    let (_tmp, hash) = on_disk(b"%PDF-1.4 the same bytes");
    let attachment = |number: u32, title: &str| Attachment {
        id: None,
        number,
        title: title.into(),
        access: Access::Open,
        doc_id: None,
        journal: None,
        file: Some(AttachmentFile {
            name: format!("{number}.pdf"),
            media_type: "application/pdf".into(),
            sha256: Some(hash.clone()),
            text: Some("tekst".into()),
        }),
    };
    m.items[0].attachments = vec![attachment(1, "Første"), attachment(2, "Anden")];
    let saved = store.upsert_meeting(&m, "t").await.unwrap();
    let (back, _) = store.meeting(saved.id).await.unwrap().unwrap();
    let titles: Vec<&str> = back.items[0]
        .attachments
        .iter()
        .map(|a| a.title.as_str())
        .collect();
    assert_eq!(titles, ["Første", "Anden"]);
    assert!(
        back.items[0]
            .attachments
            .iter()
            .all(|a| a.file.as_ref().and_then(|f| f.sha256.as_deref()) == Some(hash.as_str()))
    );
}

store_tests!(
    the_same_file_attached_twice_in_one_meeting_is_one_document,
    a_file_is_stored_with_its_attachment_and_read_back_byte_for_byte,
    the_change_log_keeps_digests_of_attachment_texts_not_the_texts,
);
