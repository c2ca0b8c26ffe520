//! Request handlers for the public pages.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use protokol_core::danish::{long_date, slug};
use protokol_core::{Body, Meeting, Viewer};

use crate::visitor::Visitor;
use protokol_render::html::DOCUMENT_CSS;
use protokol_render::{DocKind, Document, Scope, html, pdf};
use protokol_store::MeetingSummary;

use crate::AppState;
use crate::cache::{Format, Key};
use crate::error::WebError;
use crate::view::{
    AccessibilityPage, BodyLinks, BodyPage, DocLink, DocumentPage, IndexPage, MeetingLink, Origin,
    Year,
};

type Page = Result<Html<String>, WebError>;

fn link(body: &str, m: &MeetingSummary) -> MeetingLink {
    MeetingLink {
        href: format!("/{}/{}", slug(body), m.date.format("%Y-%m-%d")),
        date: long_date(m.date),
        kind: DocKind::of(m.kind).label(),
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

pub async fn index(State(state): State<AppState>, visitor: Visitor) -> Page {
    let viewer = visitor.viewer();
    let meetings = state.store.meetings().await?;
    let mut bodies: Vec<BodyLinks> = Vec::new();
    for m in meetings
        .iter()
        .filter(|m| viewer.sees_meeting(&m.body_code, m.status))
    {
        if bodies.last().is_none_or(|b| b.name != m.body_name) {
            bodies.push(BodyLinks {
                name: m.body_name.clone(),
                href: format!("/{}", slug(&m.body_name)),
                meetings: Vec::new(),
            });
        }
        if let Some(b) = bodies.last_mut()
            && b.meetings.len() < 10
        {
            b.meetings.push(link(&m.body_name, m));
        }
    }
    Ok(Html(
        IndexPage {
            title: "Dagsordener og referater",
            nav: visitor.nav(),
            bodies,
        }
        .render()?,
    ))
}

pub async fn body(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(body): Path<String>,
) -> Page {
    let body = body_by_slug(&state, &body).await?;
    let mut years: BTreeMap<i32, Vec<MeetingLink>> = BTreeMap::new();
    let viewer = visitor.viewer();
    for m in state.store.meetings_of(&body.code).await? {
        if !viewer.sees_meeting(&body.code, m.status) {
            continue;
        }
        years
            .entry(m.date.year())
            .or_default()
            .push(link(&body.name, &m));
    }
    Ok(Html(
        BodyPage {
            title: body.name.clone(),
            nav: visitor.nav(),
            name: body.name,
            years: years
                .into_iter()
                .rev()
                .map(|(year, meetings)| Year { year, meetings })
                .collect(),
        }
        .render()?,
    ))
}

fn parse_date(date: &str) -> Result<NaiveDate, WebError> {
    protokol_core::parse_date(date).map_err(|_| {
        WebError::BadRequest("Datoen i adressen skal skrives som ÅÅÅÅ-MM-DD, fx 2023-09-06.")
    })
}

/// A meeting found at `/{body}/{date}`, as the visitor reads it.
pub(crate) struct Found {
    pub meeting: Meeting,
    /// The stored meeting's row version.
    pub version: i64,
    pub body: Body,
    /// The published edition shown (0: the meeting as stored).
    pub edition: i64,
}

/// The meeting at `/{body}/{date}`, if the visitor may see it (a draft agenda answers 404
/// to the public, like a meeting that does not exist). Outsiders get the newest published
/// edition, not unpublished edits.
async fn find_meeting(
    state: &AppState,
    visitor: &Visitor,
    body: &str,
    date: &str,
) -> Result<Found, WebError> {
    let date = parse_date(date)?;
    let body = body_by_slug(state, body).await?;
    let viewer = visitor.viewer();
    let (meeting, version) = state
        .store
        .meeting_on(&body.code, date)
        .await?
        .filter(|(m, _)| viewer.sees_meeting(&body.code, m.status))
        .ok_or(WebError::NotFound)?;
    let (meeting, edition) = crate::editions::public_view(state, &viewer, meeting).await?;
    Ok(Found {
        meeting,
        version,
        body,
        edition,
    })
}

/// The document named in the address ("dagsorden", "referat.pdf"), if the meeting has it.
fn requested(meeting: &Meeting, doc: Option<&str>) -> Result<(DocKind, Format), WebError> {
    let available = DocKind::available_for(meeting);
    let Some(doc) = doc else {
        // The minutes once they exist, else the agenda.
        let kind = *available.last().ok_or(WebError::NotFound)?;
        return Ok((kind, Format::Html));
    };
    let (stem, format) = match doc.strip_suffix(".pdf") {
        Some(stem) => (stem, Format::Pdf),
        None => (doc, Format::Html),
    };
    let kind = DocKind::from_slug(stem).ok_or(WebError::NotFound)?;
    if !available.contains(&kind) {
        return Err(WebError::NotFound);
    }
    Ok((kind, format))
}

/// Renders (or takes from the cache) the document and answers with a page or a PDF.
async fn respond(
    state: &AppState,
    visitor: &Visitor,
    found: Found,
    scope: Scope,
    doc: Option<&str>,
) -> Result<Response, WebError> {
    let Found {
        meeting,
        version,
        body,
        edition: published,
    } = found;
    let (kind, format) = requested(&meeting, doc)?;
    let edition = visitor.edition_for(&body.code);
    let document = Document::build(&meeting, &body.settings, edition, kind, scope)
        .map_err(|_| WebError::NotFound)?;
    let key = Key {
        meeting: format!("{}/{}", body.code.as_str(), meeting.date),
        version,
        published,
        body_version: body.version,
        kind,
        scope,
        format,
        edition,
    };
    let cache = state.cache.clone();
    // Layout is CPU work: off the async threads. The document comes back for the page.
    let (document, bytes) = tokio::task::spawn_blocking(move || {
        let bytes = cache.get_or_render(key, || match format {
            Format::Pdf => pdf::render(&document).map_err(|e| e.to_string()),
            Format::Html => html::fragment(&document, true)
                .map(String::into_bytes)
                .map_err(|e| e.to_string()),
        });
        (document, bytes)
    })
    .await
    .map_err(|e| WebError::Render(e.to_string()))?;
    let bytes = bytes.map_err(WebError::Render)?;
    if format == Format::Pdf {
        let name = match scope {
            Scope::Meeting => format!("{}.pdf", document.file_stem()),
            Scope::Item(n) => format!("{}-punkt-{n}.pdf", document.file_stem()),
        };
        return Ok((
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{name}\""),
                ),
            ],
            bytes.as_ref().clone(),
        )
            .into_response());
    }
    let fragment = String::from_utf8_lossy(&bytes).into_owned();
    let base = match scope {
        Scope::Meeting => document.meeting_href.clone(),
        Scope::Item(n) => format!("{}/punkt/{n}", document.meeting_href),
    };
    let versions = DocKind::available_for(&meeting)
        .into_iter()
        .map(|k| DocLink {
            label: k.label().to_string(),
            href: format!("{base}/{}", k.slug()),
            current: k == kind,
        })
        .collect();
    let origins = origins(state, &visitor.viewer(), &meeting, scope).await?;
    let sign = match scope {
        Scope::Meeting => crate::signing::sign_box(visitor, &meeting, version, &body),
        Scope::Item(_) => None,
    };
    let viewer = visitor.viewer();
    let (editions, corrections) = match scope {
        Scope::Meeting => (
            crate::editions::history(state, &viewer, &body, &meeting).await?,
            crate::editions::corrections(state, &viewer, &meeting).await?,
        ),
        Scope::Item(_) => (Vec::new(), Vec::new()),
    };
    let page = DocumentPage {
        editions,
        corrections,
        sign,
        title: document.title.clone(),
        nav: visitor.nav(),
        body_name: document.body_name.clone(),
        body_href: document.body_href.clone(),
        meeting_href: document.meeting_href.clone(),
        meeting_label: format!("{} {}", kind.label(), document.date_long.to_lowercase()),
        item: matches!(scope, Scope::Item(_)),
        versions,
        pdf: DocLink {
            label: format!("Hent {} som PDF", kind.label().to_lowercase()),
            href: format!("{base}/{}.pdf", kind.slug()),
            current: false,
        },
        origins,
        fragment,
    };
    Ok(Html(page.render()?).into_response())
}

/// Earlier meetings that sent this item's matter here: an item or sub-point whose next step
/// names this meeting's body and date, with the same title as this item or one of its
/// sub-points (for the whole meeting: of any item). Looks at the 100 meetings before this
/// one.
async fn origins(
    state: &AppState,
    viewer: &Viewer,
    meeting: &Meeting,
    scope: Scope,
) -> Result<Vec<Origin>, WebError> {
    let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
    let titles: Vec<&str> = meeting
        .items
        .iter()
        .filter(|i| match scope {
            Scope::Item(n) => i.number == Some(n),
            Scope::Meeting => true,
        })
        .flat_map(|i| {
            std::iter::once(i.title.as_str()).chain(i.schedule.iter().map(|s| s.title.as_str()))
        })
        .collect();
    if titles.is_empty() {
        return Ok(Vec::new());
    }
    let points_here = |next: &[protokol_core::NextStep]| {
        next.iter()
            .any(|x| x.date == meeting.date && same(&x.body, &meeting.body.name))
    };
    let mut out = Vec::new();
    // `meetings()` is ordered by body first: sort by date to take the nearest earlier ones.
    let mut earlier: Vec<MeetingSummary> = state
        .store
        .meetings()
        .await?
        .into_iter()
        .filter(|s| s.date < meeting.date && viewer.sees_meeting(&s.body_code, s.status))
        .collect();
    earlier.sort_by_key(|s| std::cmp::Reverse(s.date));
    earlier.truncate(100);
    for s in earlier {
        let Some((m, _)) = state.store.meeting(s.id).await? else {
            continue;
        };
        let m = m.visible_to(viewer, &Default::default());
        for i in &m.items {
            let href = match i.number {
                Some(k) => format!("/{}/{}/punkt/{k}", slug(&m.body.name), m.date),
                None => format!("/{}/{}", slug(&m.body.name), m.date),
            };
            let mut found: Vec<&str> = Vec::new();
            if points_here(&i.next) {
                found.push(&i.title);
            }
            for sp in &i.schedule {
                if points_here(&sp.next) {
                    found.push(&sp.title);
                }
            }
            for title in found {
                if titles.iter().any(|t| same(t, title)) {
                    out.push(Origin {
                        text: format!(
                            "{title} – {} {}",
                            m.body.name,
                            long_date(m.date).to_lowercase()
                        ),
                        href: href.clone(),
                    });
                }
            }
        }
    }
    Ok(out)
}

pub async fn meeting(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let found = find_meeting(&state, &visitor, &body, &date).await?;
    respond(&state, &visitor, found, Scope::Meeting, None).await
}

pub async fn meeting_document(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date, doc)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let found = find_meeting(&state, &visitor, &body, &date).await?;
    respond(&state, &visitor, found, Scope::Meeting, Some(&doc)).await
}

fn item_number(n: &str) -> Result<u32, WebError> {
    n.parse().map_err(|_| WebError::NotFound)
}

pub async fn item(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date, n)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let n = item_number(&n)?;
    let found = find_meeting(&state, &visitor, &body, &date).await?;
    respond(&state, &visitor, found, Scope::Item(n), None).await
}

pub async fn item_document(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date, n, doc)): Path<(String, String, String, String)>,
) -> Result<Response, WebError> {
    let n = item_number(&n)?;
    let found = find_meeting(&state, &visitor, &body, &date).await?;
    respond(&state, &visitor, found, Scope::Item(n), Some(&doc)).await
}

/// An attachment's stored file. Closed attachments answer 404 to anyone who may not see
/// them, exactly like an attachment that does not exist.
pub async fn attachment(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date, n, a)): Path<(String, String, String, String)>,
) -> Result<Response, WebError> {
    let n = item_number(&n)?;
    let a: u32 = a.parse().map_err(|_| WebError::NotFound)?;
    let Found { meeting, body, .. } = find_meeting(&state, &visitor, &body, &date).await?;
    let viewer = visitor.viewer();
    let visible = meeting.visible_to(&viewer, &body.settings);
    let attachment = visible
        .items
        .iter()
        .find(|i| i.number == Some(n))
        .and_then(|i| i.attachments.iter().find(|x| x.number == a))
        .filter(|x| !x.access.is_closed() || viewer.sees_closed_of(&body.code))
        .ok_or(WebError::NotFound)?;
    let file = attachment.file.as_ref().ok_or(WebError::NotFound)?;
    let (stem, extension) = file
        .name
        .rsplit_once('.')
        .map_or((file.name.as_str(), ""), |(s, e)| (s, e));
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    // The uploaded file itself where it is stored; else the text read from it.
    if let Some(sha) = file.sha256.as_deref()
        && let Some(size) = state.store.file_size(sha).await?
    {
        let name = format!("{}.{}", safe(stem), safe(extension));
        return Ok((
            [
                (header::CONTENT_TYPE, file.media_type.clone()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                (header::CONTENT_LENGTH, size.to_string()),
            ],
            file_body(state.store.clone(), sha.to_string()),
        )
            .into_response());
    }
    let text = file.text.as_deref().ok_or(WebError::NotFound)?.to_string();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.txt\"", safe(stem)),
            ),
        ],
        text,
    )
        .into_response())
}

/// A stored file as a response body, read from the store one chunk at a time as the client
/// takes it (so a large file is never held in memory whole).
fn file_body(store: protokol_store::Store, sha256: String) -> axum::body::Body {
    let chunks = futures_util::stream::unfold(Some(0i64), move |next| {
        let (store, sha256) = (store.clone(), sha256.clone());
        async move {
            let seq = next?;
            match store.file_chunk(&sha256, seq).await {
                Ok(Some(bytes)) => Some((Ok(bytes), Some(seq + 1))),
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(error = %e, "a stored file could not be read");
                    Some((Err(std::io::Error::other("stored file unreadable")), None))
                }
            }
        }
    });
    axum::body::Body::from_stream(chunks)
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
