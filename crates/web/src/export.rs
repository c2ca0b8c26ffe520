//! Bulk export for researchers: `GET /data/moeder.jsonl?fra=ÅÅÅÅ-MM-DD&til=ÅÅÅÅ-MM-DD` gives
//! the public record of the meetings held in that range as JSON Lines, one
//! `protokol.meeting/1` document per line (with the public attachments' texts), by date.
//! The answer is streamed a page of meetings at a time, so its cost per page stays flat
//! however large the range. Only the published record is read: nothing closed.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use futures_util::stream;
use protokol_core::MeetingId;
use protokol_core::exchange::to_json_line;
use protokol_store::Store;

use crate::AppState;

/// Meetings read per page of the stream.
const PAGE: i64 = 100;

fn refuse(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

/// The date range a query asks for: `fra` and `til` (inclusive, both optional).
fn range(query: Option<&str>) -> Result<(Option<NaiveDate>, Option<NaiveDate>), String> {
    let (mut from, mut to) = (None, None);
    for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()).take(16) {
        let slot = match k.as_ref() {
            "fra" => &mut from,
            "til" => &mut to,
            other => {
                return Err(format!(
                    "Parameteren «{}» kendes ikke: brug fra og til (ÅÅÅÅ-MM-DD).",
                    other.chars().take(64).collect::<String>()
                ));
            }
        };
        // Dates are compared as ISO text: four-digit years only.
        *slot = Some(
            NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                .ok()
                .filter(|d| (1..=9999).contains(&chrono::Datelike::year(d)))
                .ok_or_else(|| {
                    format!("Datoen i «{k}» kunne ikke læses: skriv den som ÅÅÅÅ-MM-DD.")
                })?,
        );
    }
    if from.zip(to).is_some_and(|(f, t)| f > t) {
        return Err("«fra» ligger efter «til».".into());
    }
    Ok((from, to))
}

/// Where a stream of pages stands.
struct Walk {
    store: Store,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    after: Option<(NaiveDate, MeetingId)>,
    done: bool,
}

/// The next page of lines, or `None` at the end.
async fn next_page(mut w: Walk) -> Option<(Result<String, std::io::Error>, Walk)> {
    if w.done {
        return None;
    }
    let page = match w
        .store
        .public_meetings_between(w.from, w.to, w.after, PAGE)
        .await
    {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %e, "bulk export: store failed");
            w.done = true;
            return Some((Err(std::io::Error::other("the store failed")), w));
        }
    };
    let last = page.last()?;
    w.after = Some((last.summary.date, last.summary.id));
    w.done = i64::try_from(page.len()).unwrap_or(0) < PAGE;
    let mut lines = String::new();
    for p in &page {
        match w.store.public_meeting_with_texts(p).await {
            Ok(m) => lines.push_str(&to_json_line(&m)),
            Err(e) => {
                tracing::error!(error = %e, "bulk export: store failed");
                w.done = true;
                return Some((Err(std::io::Error::other("the store failed")), w));
            }
        }
    }
    Some((Ok(lines), w))
}

/// `GET /data/moeder.jsonl`.
#[utoipa::path(
    get,
    path = "/data/moeder.jsonl",
    tag = "data",
    params(
        ("fra" = Option<String>, Query, description = "Første mødedato, ÅÅÅÅ-MM-DD"),
        ("til" = Option<String>, Query, description = "Sidste mødedato, ÅÅÅÅ-MM-DD"),
    ),
    responses(
        (status = 200, description = "Ét protokol.meeting/1-dokument pr. linje, efter dato", body = String, content_type = "application/jsonl"),
        (status = 400, description = "En dato kunne ikke læses, eller en parameter kendes ikke", body = String, content_type = "text/plain"),
    )
)]
pub async fn meetings(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let (from, to) = match range(query.as_deref()) {
        Ok(r) => r,
        Err(message) => return refuse(message),
    };
    let walk = Walk {
        store: state.store.clone(),
        from,
        to,
        after: None,
        done: false,
    };
    let mut r = Body::from_stream(stream::unfold(walk, next_page)).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jsonl; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"moeder.jsonl\""),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}
