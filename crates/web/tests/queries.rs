//! A deterministic guard on the cost of public pages: each page kind issues a small,
//! constant number of SQL queries, the same with 10 meetings in the archive as with 500.
//! (Speed itself is measured by `protokol bench serve`, not asserted here.)
//!
//! The queries are counted from sqlx's own log events (target `sqlx::query`), through a
//! process-wide subscriber: this file holds one test so nothing else runs beside it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use protokol_core::{BodyRef, Meeting, MeetingStatus, NextKind, NextStep};
use protokol_store::Commit;
use protokol_testkit::{council_meeting, sqlite};
use protokol_web::{AppState, app};
use tower::ServiceExt;
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

static QUERIES: AtomicU64 = AtomicU64::new(0);

struct CountQueries;

/// The statement a sqlx log event is about.
#[derive(Default)]
struct Statement(String);

impl tracing::field::Visit for Statement {
    fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
        if f.name() == "summary" {
            self.0 = format!("{v:?}");
        }
    }
}

impl<S: Subscriber> Layer<S> for CountQueries {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut statement = Statement::default();
        event.record(&mut statement);
        // A new pooled connection's set-up is not the request's work.
        if !statement.0.trim_start_matches('"').starts_with("PRAGMA") {
            QUERIES.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// `n` meetings of two bodies, every one with an item whose matter goes on to the next.
fn archive(n: usize) -> Vec<Meeting> {
    let base = council_meeting();
    let first = chrono::NaiveDate::from_ymd_opt(2016, 1, 5).unwrap();
    (0..n)
        .map(|i| {
            let mut m = base.clone();
            let (name, code) = [("Kommunalbestyrelsen", "KB"), ("Økonomiudvalget", "ØK")][i % 2];
            m.body = BodyRef {
                name: name.into(),
                code: code.parse().unwrap(),
            };
            m.date = first + Duration::days((i / 2) as i64 * 7);
            m.status = Some(MeetingStatus::Held);
            m.signatures.clear();
            m.items[0].next = vec![NextStep {
                body: name.into(),
                date: m.date + Duration::days(7),
                kind: NextKind::Continued,
            }];
            m
        })
        .collect()
}

/// The queries one request costs, answered from warm caches (each page asked once before).
async fn cost(state: &AppState, uri: &str) -> u64 {
    let ask = || async {
        let r = app(state.clone())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = r.status();
        axum::body::to_bytes(r.into_body(), 64 << 20).await.unwrap();
        status
    };
    assert_eq!(ask().await, StatusCode::OK, "{uri}");
    let before = QUERIES.load(Ordering::SeqCst);
    assert_eq!(ask().await, StatusCode::OK, "{uri}");
    QUERIES.load(Ordering::SeqCst) - before
}

async fn costs(n: usize) -> Vec<(String, u64)> {
    let t = sqlite().await;
    let meetings = archive(n);
    for batch in meetings.chunks(100) {
        t.upsert_meetings(batch, "test", Commit::Yes).await.unwrap();
    }
    let state = AppState::new(t.store.clone());
    // A meeting in the middle of the archive, with links back and onward.
    let m = &meetings[n / 2];
    let page = format!("/kommunalbestyrelsen/{}", m.date);
    let mut out = Vec::new();
    for uri in [
        "/".to_string(),
        "/kommunalbestyrelsen".to_string(),
        "/kommunalbestyrelsen?aar=2016".to_string(),
        page.clone(),
        format!("{page}/punkt/1"),
        format!("{page}/referat.pdf"),
        format!("{page}/punkt/1/bilag/1"),
    ] {
        let c = cost(&state, &uri).await;
        out.push((uri.replace(&m.date.to_string(), "DATE"), c));
    }
    out
}

#[tokio::test(flavor = "current_thread")]
async fn public_pages_cost_the_same_few_queries_with_10_and_500_meetings() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(CountQueries))
        .unwrap();
    let small = costs(10).await;
    let large = costs(500).await;
    for ((uri, a), (_, b)) in small.iter().zip(&large) {
        println!("{uri}: {a} queries with 10 meetings, {b} with 500");
        assert_eq!(a, b, "{uri} costs more with a larger archive");
        assert!(*a <= 8, "{uri}: {a} queries");
    }
}
