//! Subscriptions without e-mail, read from the published record only:
//! - iCalendar (`/abonner/kalender`, per body `/abonner/kalender/{body}`): the coming
//!   public meetings with place, start and end (an all-day event when no time is printed)
//!   and a link to the agenda; a meeting taken out of the record shows as cancelled. Each
//!   event's UID is the meeting's id, so calendars update events instead of duplicating them.
//! - Atom (`/abonner/nyt`, per body `/abonner/nyt/{body}`): the newest published agendas,
//!   minutes and corrections, one entry per document, updated when it changes.
//! - Atom for a saved search (`/soeg/atom?q=…`, see `crate::search`).

use atom_syndication::{Entry, Feed, Link, Person, Text};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use protokol_core::danish::{danish_instant, day_month_year, today};
use protokol_core::{BodyCode, MeetingKind};
use protokol_store::open_data::OpenMeeting;

use crate::AppState;
use crate::error::WebError;

/// How many meetings a calendar holds (of each: coming, cancelled).
const CALENDAR_MEETINGS: i64 = 200;
/// How far back a calendar reaches (meetings just held stay visible).
const CALENDAR_DAYS_BACK: i64 = 31;
/// How many entries a news feed holds.
const FEED_ENTRIES: i64 = 50;

async fn body_code(state: &AppState, slug: &str) -> Result<(BodyCode, String), WebError> {
    let body = crate::pages::body_by_slug(state, slug).await?;
    Ok((body.code, body.name))
}

fn instant(stored: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(stored)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now())
}

fn sent(content_type: &'static str, body: String) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

fn calendar(site: &str, name: &str, meetings: &[OpenMeeting]) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    let host = site.split("://").nth(1).unwrap_or("localhost");
    for m in meetings {
        let mut e = Event::new();
        e.uid(&format!("{}@{host}", m.id()));
        match m {
            OpenMeeting::Live {
                meeting, modified, ..
            } => {
                let s = &meeting.summary;
                let rec = &meeting.record.meeting;
                e.summary(&format!("Møde i {}", s.body_name));
                let start = rec
                    .start
                    .and_then(|t| danish_instant(s.date, t.hour(), t.minute()));
                let end = rec
                    .end
                    .and_then(|t| danish_instant(s.date, t.hour(), t.minute()));
                match start {
                    Some(start) => {
                        let start = start.with_timezone(&Utc);
                        e.starts(start);
                        // Without a printed end, two hours.
                        e.ends(end.map_or(start + Duration::hours(2), |t| t.with_timezone(&Utc)));
                    }
                    None => {
                        e.all_day(s.date);
                    }
                }
                if let Some(place) = rec.location.as_deref().filter(|p| !p.trim().is_empty()) {
                    e.location(place);
                }
                let page = format!("{site}/{}/{}", s.body_slug, s.date.format("%Y-%m-%d"));
                e.url(&page);
                let mut description = format!("Dagsorden: {page}");
                for (i, title) in meeting.record.titles().iter().enumerate() {
                    description.push_str(&format!("\n{}. {title}", i + 1));
                }
                e.description(&description);
                e.status(EventStatus::Confirmed);
                e.last_modified(instant(modified));
                e.timestamp(instant(modified));
            }
            OpenMeeting::Gone { date, deleted, .. } => {
                e.summary("Aflyst møde");
                e.all_day(*date);
                e.status(EventStatus::Cancelled);
                e.last_modified(instant(deleted));
                e.timestamp(instant(deleted));
            }
        }
        cal.push(e.done());
    }
    cal.done().to_string()
}

async fn calendar_of(
    state: &AppState,
    headers: &HeaderMap,
    body: Option<(BodyCode, String)>,
) -> Result<Response, WebError> {
    let site = crate::oparl::site(state, headers);
    let from = today() - Duration::days(CALENDAR_DAYS_BACK);
    let meetings = state
        .store
        .open_upcoming(body.as_ref().map(|b| &b.0), from, CALENDAR_MEETINGS)
        .await?;
    let name = match &body {
        Some((_, name)) => format!("Møder i {name}"),
        None => format!("Møder i {}", state.municipality),
    };
    Ok(sent(
        "text/calendar; charset=utf-8",
        calendar(&site, &name, &meetings),
    ))
}

/// `GET /abonner/kalender`: every body's coming meetings.
#[utoipa::path(
    get,
    path = "/abonner/kalender",
    tag = "abonnementer",
    responses((status = 200, description = "iCalendar med alle udvalgs kommende møder", body = String, content_type = "text/calendar"))
)]
pub async fn calendar_all(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    calendar_of(&state, &headers, None).await
}

/// `GET /abonner/kalender/{body}`.
#[utoipa::path(
    get,
    path = "/abonner/kalender/{body}",
    tag = "abonnementer",
    params(("body" = String, Path, description = "Udvalgets adresse-navn (\"direktionen\")")),
    responses(
        (status = 200, description = "iCalendar med udvalgets kommende møder", body = String, content_type = "text/calendar"),
        (status = 404, description = "Udvalget findes ikke"),
    )
)]
pub async fn calendar_body(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(body): Path<String>,
) -> Result<Response, WebError> {
    let body = body_code(&state, &body).await?;
    calendar_of(&state, &headers, Some(body)).await
}

fn link(href: String, rel: &str, mime: Option<&str>) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel(rel);
    l.set_mime_type(mime.map(str::to_string));
    l
}

fn fixed(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.fixed_offset()
}

/// An Atom feed at `self_href` with `entries` (newest first).
pub(crate) fn atom(site: &str, self_href: &str, title: &str, entries: Vec<Entry>) -> String {
    let mut feed = Feed::default();
    feed.set_title(Text::plain(title));
    feed.set_id(format!("{site}{self_href}"));
    feed.set_lang(Some("da".to_string()));
    let updated = entries
        .iter()
        .map(|e| *e.updated())
        .max()
        .unwrap_or_else(|| fixed(DateTime::<Utc>::UNIX_EPOCH));
    feed.set_updated(updated);
    feed.set_links(vec![
        link(
            format!("{site}{self_href}"),
            "self",
            Some("application/atom+xml"),
        ),
        link(format!("{site}/"), "alternate", Some("text/html")),
    ]);
    let mut author = Person::default();
    author.set_name(title.to_string());
    feed.set_authors(vec![author]);
    feed.set_entries(entries);
    feed.to_string()
}

/// An Atom entry.
pub(crate) fn entry(
    id: String,
    title: String,
    href: String,
    updated: DateTime<Utc>,
    summary: Text,
) -> Entry {
    let mut e = Entry::default();
    e.set_id(id);
    e.set_title(Text::plain(title));
    e.set_updated(fixed(updated));
    e.set_links(vec![link(href, "alternate", Some("text/html"))]);
    e.set_summary(Some(summary));
    e
}

async fn news_of(
    state: &AppState,
    headers: &HeaderMap,
    body: Option<(BodyCode, String)>,
    self_href: &str,
) -> Result<Response, WebError> {
    let site = crate::oparl::site(state, headers);
    let meetings = state
        .store
        .open_recent(body.as_ref().map(|b| &b.0), FEED_ENTRIES)
        .await?;
    let mut entries = Vec::new();
    for m in &meetings {
        let OpenMeeting::Live {
            meeting, modified, ..
        } = m
        else {
            continue;
        };
        let s = &meeting.summary;
        let record = &meeting.record;
        let doc = match s.kind {
            MeetingKind::Agenda => "dagsorden",
            MeetingKind::Minutes => "referat",
        };
        let label = match (s.kind, record.corrections.is_empty()) {
            (MeetingKind::Agenda, _) => "Dagsorden",
            (MeetingKind::Minutes, true) => "Referat",
            (MeetingKind::Minutes, false) => "Referat med rettelser",
        };
        let page = format!("{site}/{}/{}", s.body_slug, s.date.format("%Y-%m-%d"));
        let mut summary = record.titles().join("\n");
        if let Some(c) = record.corrections.last() {
            summary = format!("Rettelse {}: {} – {}\n\n{summary}", c.when, c.about, c.text);
        }
        entries.push(entry(
            format!("{page}/{doc}"),
            format!("{label}: {} {}", s.body_name, day_month_year(s.date)),
            page,
            instant(modified),
            Text::plain(summary),
        ));
    }
    let title = match &body {
        Some((_, name)) => format!("Nyt fra {name}"),
        None => format!("Nyt fra {}", state.municipality),
    };
    Ok(send_atom(atom(&site, self_href, &title, entries)))
}

/// `GET /abonner/nyt`: newly published agendas, minutes and corrections of every body.
#[utoipa::path(
    get,
    path = "/abonner/nyt",
    tag = "abonnementer",
    responses((status = 200, description = "Atom-feed med nye dagsordener, referater og rettelser", body = String, content_type = "application/atom+xml"))
)]
pub async fn news_all(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    news_of(&state, &headers, None, "/abonner/nyt").await
}

/// `GET /abonner/nyt/{body}`.
#[utoipa::path(
    get,
    path = "/abonner/nyt/{body}",
    tag = "abonnementer",
    params(("body" = String, Path, description = "Udvalgets adresse-navn (\"direktionen\")")),
    responses(
        (status = 200, description = "Atom-feed med udvalgets nye dagsordener, referater og rettelser", body = String, content_type = "application/atom+xml"),
        (status = 404, description = "Udvalget findes ikke"),
    )
)]
pub async fn news_body(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let body = body_code(&state, &slug).await?;
    news_of(
        &state,
        &headers,
        Some(body),
        &format!("/abonner/nyt/{slug}"),
    )
    .await
}

/// An Atom answer with caching headers.
pub(crate) fn send_atom(body: String) -> Response {
    sent("application/atom+xml; charset=utf-8", body)
}
