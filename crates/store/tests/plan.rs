//! The forward plan: topics by date or awaiting one, pulled into draft agendas, on SQLite
//! and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use protokol_core::{BodyCode, MeetingKind, MeetingStatus};
use protokol_store::StoreError;
use protokol_testkit::{Kind, council_meeting, fresh, store_tests};

async fn topics_wait_on_the_plan_until_pulled_into_a_draft_agenda(kind: Kind) {
    let store = fresh(kind).await;
    let mut m = council_meeting();
    m.kind = MeetingKind::Agenda;
    m.status = Some(MeetingStatus::Planned);
    m.signatures.clear();
    let saved = store.upsert_meeting(&m, "t").await.unwrap();
    let body: BodyCode = m.body.code.clone();

    let later = store
        .add_topic(&body, "Budget 2028", None, "sara")
        .await
        .unwrap();
    let dated = store
        .add_topic(&body, "Vintervedligeholdelse", Some(m.date), "sara")
        .await
        .unwrap();
    let err = store
        .add_topic(&body, "  ", None, "sara")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rejected(_)), "{err}");
    let topics = store.topics(&body).await.unwrap();
    let titles: Vec<_> = topics.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Vintervedligeholdelse", "Budget 2028"],
        "dated first"
    );
    assert_eq!(topics[1].wanted_date, None);

    let (before, v) = store.meeting(saved.id).await.unwrap().unwrap();
    // A stale version changes nothing.
    let err = store
        .pull_topic(dated, saved.id, v - 1, "sara")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    assert_eq!(store.topics(&body).await.unwrap().len(), 2);

    store.pull_topic(dated, saved.id, v, "sara").await.unwrap();
    let (after, v) = store.meeting(saved.id).await.unwrap().unwrap();
    assert_eq!(after.items.len(), before.items.len() + 1);
    let last = after.items.last().unwrap();
    assert_eq!(last.title, "Vintervedligeholdelse");
    assert_eq!(
        last.number,
        Some(before.items.iter().filter_map(|i| i.number).max().unwrap() + 1)
    );
    let left: Vec<_> = store.topics(&body).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, later);
    let err = store
        .pull_topic(dated, saved.id, v, "sara")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already on an agenda"), "{err}");

    // A published agenda takes no topics from the plan.
    let (mut published, v) = store.meeting(saved.id).await.unwrap().unwrap();
    published.status = Some(MeetingStatus::AgendaPublished);
    let v = store
        .update_meeting(&published, v, "sara")
        .await
        .unwrap()
        .version;
    let err = store
        .pull_topic(later, saved.id, v, "sara")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("draft agendas only"), "{err}");
    assert_eq!(store.topics(&body).await.unwrap().len(), 1);
}

store_tests!(topics_wait_on_the_plan_until_pulled_into_a_draft_agenda);
