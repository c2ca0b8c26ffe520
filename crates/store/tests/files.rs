//! Uploaded files: their bytes are stored with the item change, once per content.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use protokol_core::{Access, Attachment, AttachmentFile, MeetingStatus};
use protokol_testkit::{Kind, demo_meetings, fresh, store_tests};

async fn a_file_is_stored_with_its_attachment_and_read_back_byte_for_byte(kind: Kind) {
    let store = fresh(kind).await;
    let mut m = demo_meetings().remove(0);
    m.status = Some(MeetingStatus::Held);
    let saved = store.upsert_meeting(&m, "t").await.unwrap();
    let (m, _) = store.meeting(saved.id).await.unwrap().unwrap();
    let mut item = m.items[0].clone();
    let v = store.item_version(item.id.unwrap()).await.unwrap().unwrap();
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let hash = "ab".repeat(32);
    item.attachments.push(Attachment {
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
        .update_item_with_file(saved.id, &item, v, (&hash, &bytes), "t")
        .await
        .unwrap();
    assert_eq!(v2, v + 1);
    assert_eq!(store.file_bytes(&hash).await.unwrap().unwrap(), bytes);
    let (m, _) = store.meeting(saved.id).await.unwrap().unwrap();
    let file = m.items[0].attachments.last().unwrap().file.clone().unwrap();
    assert_eq!(file.sha256.as_deref(), Some(hash.as_str()));

    // A stale version stores neither the item nor the bytes.
    let other = "cd".repeat(32);
    let err = store
        .update_item_with_file(saved.id, &item, v, (&other, b"x"), "t")
        .await
        .unwrap_err();
    assert!(
        matches!(err, protokol_store::StoreError::Conflict { .. }),
        "{err}"
    );
    assert!(store.file_bytes(&other).await.unwrap().is_none());
}

store_tests!(a_file_is_stored_with_its_attachment_and_read_back_byte_for_byte);
