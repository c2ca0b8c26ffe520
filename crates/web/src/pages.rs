//! Request handlers for the public lists — the front page and a body's page — and the
//! static files. Lists read the published record with bounded queries: the cost of a page
//! does not grow with the archive. (A meeting's documents are in [`crate::documents`].)

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use protokol_core::danish::{long_date, slug, today};
use protokol_core::{Body, MeetingKind, MeetingStatus};
use protokol_render::DocKind;
use protokol_render::html::DOCUMENT_CSS;
use protokol_store::MeetingSummary;
use protokol_store::public::PublicSummary;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::view::{
    AccessibilityPage, BodyLinks, BodyPage, DatedLink, IndexPage, MeetingLink, YearLink,
};
use crate::visitor::Visitor;

type Page = Result<Html<String>, WebError>;

/// How many meetings each list on the front page shows.
const FRONT_PAGE_LIST: i64 = 8;
/// How many of each body's newest meetings the front page shows.
const FRONT_PAGE_PER_BODY: i64 = 5;

fn href(body_slug: &str, date: NaiveDate) -> String {
    format!("/{body_slug}/{}", date.format("%Y-%m-%d"))
}

/// The document a meeting has: the minutes once there are minutes, else the agenda.
fn kind_label(kind: MeetingKind) -> &'static str {
    DocKind::of(kind).label()
}

fn meeting_link(s: &PublicSummary) -> MeetingLink {
    MeetingLink {
        href: href(&s.body_slug, s.date),
        date: long_date(s.date),
        kind: kind_label(s.kind),
        items: s.items,
    }
}

fn dated_link(s: &PublicSummary) -> DatedLink {
    DatedLink {
        href: href(&s.body_slug, s.date),
        body: s.body_name.clone(),
        date: long_date(s.date),
        kind: kind_label(s.kind),
        items: s.items,
    }
}

fn draft_link(body: &Body, m: &MeetingSummary) -> DatedLink {
    DatedLink {
        href: format!(
            "/arbejde/{}/{}",
            slug(&body.name),
            m.date.format("%Y-%m-%d")
        ),
        body: body.name.clone(),
        date: long_date(m.date),
        kind: "Kladde",
        items: m.items,
    }
}

/// The body whose name gives the address segment `wanted` ("direktionen").
pub(crate) async fn body_by_slug(state: &AppState, wanted: &str) -> Result<Body, WebError> {
    state
        .store
        .bodies()
        .await?
        .into_iter()
        .find(|b| slug(&b.name) == wanted)
        .ok_or(WebError::NotFound)
}

/// The drafts the visitor may see: of the bodies whose closed content they see.
async fn drafts(state: &AppState, visitor: &Visitor) -> Result<Vec<DatedLink>, WebError> {
    let viewer = visitor.viewer();
    if visitor.session.is_none() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for body in state.store.bodies().await? {
        if viewer.sees_closed_of(&body.code) {
            for m in state.store.drafts_of(&body.code).await? {
                if m.status == Some(MeetingStatus::Planned) {
                    out.push(draft_link(&body, &m));
                }
            }
        }
    }
    Ok(out)
}

/// A list page as answered to someone not signed in: from the page cache while the
/// published record is at the version it was made from, else made by `make` and kept.
async fn listed<F>(
    state: &AppState,
    visitor: &Visitor,
    name: String,
    make: F,
) -> Result<Response, WebError>
where
    F: std::future::Future<Output = Page>,
{
    if visitor.session.is_some() {
        return Ok(make.await?.into_response());
    }
    let key = format!("{name}:{}:{}", state.store.public_version().await?, today());
    if let Some(hit) = state.pages.get(&key) {
        return Ok(hit.response());
    }
    let Html(html) = make.await?;
    Ok(state
        .pages
        .put(key, "text/html; charset=utf-8", html.into())
        .response())
}

/// `GET /`: the next meetings, the newest ones, and each body with its newest meetings.
pub async fn index(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let page = front_page(&state, &visitor);
    listed(&state, &visitor, "front".into(), page).await
}

async fn front_page(state: &AppState, visitor: &Visitor) -> Page {
    let today = today();
    let upcoming = state.store.public_upcoming(today, FRONT_PAGE_LIST).await?;
    let latest = state.store.public_latest(today, FRONT_PAGE_LIST).await?;
    let mut bodies = Vec::new();
    for b in state.store.public_bodies().await? {
        let newest = state
            .store
            .public_newest(&b.code, FRONT_PAGE_PER_BODY)
            .await?;
        bodies.push(BodyLinks {
            href: format!("/{}", b.slug),
            name: b.name,
            count: b.meetings,
            meetings: newest.iter().map(meeting_link).collect(),
        });
    }
    Ok(Html(
        IndexPage {
            title: "Dagsordener og referater",
            nav: visitor.nav(),
            upcoming: upcoming.iter().map(dated_link).collect(),
            latest: latest.iter().map(dated_link).collect(),
            bodies,
            drafts: drafts(state, visitor).await?,
        }
        .render()?,
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    #[serde(default)]
    aar: Option<String>,
}

/// `GET /{body}?aar=2023`: a body's meetings one year at a time (the newest year unless
/// another is asked for), with links to every year that has meetings.
pub async fn body(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(body): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let name = format!("body:{body}:{}", q.aar.as_deref().unwrap_or(""));
    let page = body_page(&state, &visitor, &body, &q);
    listed(&state, &visitor, name, page).await
}

async fn body_page(state: &AppState, visitor: &Visitor, body: &str, q: &YearQuery) -> Page {
    let body = body_by_slug(state, body).await?;
    let years = state.store.public_years(&body.code).await?;
    let year = match q.aar.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(y) => Some(
            y.parse::<i32>()
                .ok()
                .filter(|y| years.iter().any(|(k, _)| k == y))
                .ok_or(WebError::NotFound)?,
        ),
        None => years.first().map(|(y, _)| *y),
    };
    let meetings = match year {
        Some(y) => state.store.public_in_year(&body.code, y).await?,
        None => Vec::new(),
    };
    let drafts = if visitor.viewer().sees_closed_of(&body.code) {
        state
            .store
            .drafts_of(&body.code)
            .await?
            .iter()
            .map(|m| MeetingLink {
                href: format!(
                    "/arbejde/{}/{}",
                    slug(&body.name),
                    m.date.format("%Y-%m-%d")
                ),
                date: long_date(m.date),
                kind: "Kladde",
                items: m.items,
            })
            .collect()
    } else {
        Vec::new()
    };
    let here = slug(&body.name);
    Ok(Html(
        BodyPage {
            title: body.name.clone(),
            nav: visitor.nav(),
            name: body.name,
            years: years
                .iter()
                .map(|(y, n)| YearLink {
                    year: *y,
                    href: format!("/{here}?aar={y}"),
                    count: *n,
                    current: Some(*y) == year,
                })
                .collect(),
            year,
            meetings: meetings.iter().map(meeting_link).collect(),
            drafts,
        }
        .render()?,
    ))
}

/// The stylesheet of every page.
const SITE_CSS: &str = include_str!("../static/protokol.css");

/// `/static/protokol.css` (the pages) and `/static/dokument.css` (agendas and minutes, the
/// same rules as the standalone HTML documents), served as files so that the
/// Content-Security-Policy needs no inline styles.
pub async fn stylesheet(Path(name): Path<String>) -> Result<Response, WebError> {
    let css = match name.as_str() {
        "protokol.css" => SITE_CSS,
        "dokument.css" => DOCUMENT_CSS,
        _ => return Err(WebError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        css,
    )
        .into_response())
}

/// The typeface of the pages (Source Sans 3, SIL Open Font License).
pub async fn font(Path(name): Path<String>) -> Result<Response, WebError> {
    let (_, bytes) = protokol_render::fonts::WOFF2
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or(WebError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "font/woff2"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        *bytes,
    )
        .into_response())
}

pub async fn accessibility(visitor: Visitor) -> Page {
    Ok(Html(
        AccessibilityPage {
            title: "Tilgængelighedserklæring",
            nav: visitor.nav(),
        }
        .render()?,
    ))
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}
