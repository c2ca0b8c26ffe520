//! A meeting's documents on the web: the meeting and item pages, the agenda and minutes as
//! HTML and PDF, and attachment downloads.
//!
//! Outsiders read the published record (`protokol_store::public`): one indexed row per
//! meeting, its documents laid out once per version of the record and kept in the database
//! (so every node serves the same bytes), "Tidligere behandling" from indexed links. The
//! body's members and secretaries read the meeting live, unpublished edits and closed
//! content included — one meeting's rows, never a scan of the archive.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use protokol_core::danish::{long_date, slug};
use protokol_core::public::{PublicRecord, name_key};
use protokol_core::{Body, Meeting, MeetingId};
use protokol_render::{DocKind, Document, Edition, Scope, html};

use crate::AppState;
use crate::cache::{Format, Key};
use crate::error::WebError;
use crate::pages::body_by_slug;
use crate::view::{DocLink, DocumentPage, Origin};
use crate::visitor::Visitor;
use protokol_store::open_data::CHAIN_PREFIX;

fn parse_date(date: &str) -> Result<NaiveDate, WebError> {
    protokol_core::parse_date(date).map_err(|_| {
        WebError::BadRequest("Datoen i adressen skal skrives som ÅÅÅÅ-MM-DD, fx 2023-09-06.")
    })
}

fn item_number(n: &str) -> Result<u32, WebError> {
    n.parse().map_err(|_| WebError::NotFound)
}

/// A meeting as the visitor reads it.
pub(crate) struct Shown {
    pub body: Body,
    pub id: MeetingId,
    /// The record as the visitor reads it (its meeting is what the documents show).
    pub record: PublicRecord,
    pub source: Source,
}

/// Where the meeting shown comes from.
pub(crate) enum Source {
    /// The published record, at this version.
    Public { etag: String },
    /// The meeting as stored, for someone who sees the body's closed content.
    Live { meeting: Box<Meeting>, version: i64 },
}

/// The meeting at `/{body}/{date}` as the visitor may read it (404 for a draft the visitor
/// may not see, as for a meeting that does not exist).
pub(crate) async fn shown(
    state: &AppState,
    visitor: &Visitor,
    body: &str,
    date: &str,
) -> Result<Shown, WebError> {
    let date = parse_date(date)?;
    let body = body_by_slug(state, body).await?;
    let viewer = visitor.viewer();
    if viewer.sees_closed_of(&body.code) {
        let live = state
            .store
            .live_meeting(&viewer, &body.code, date)
            .await?
            .ok_or(WebError::NotFound)?;
        return Ok(Shown {
            id: live.meeting.id.ok_or(WebError::NotFound)?,
            record: live.record,
            source: Source::Live {
                meeting: Box::new(live.meeting),
                version: live.version,
            },
            body,
        });
    }
    let public = state
        .store
        .public_meeting(&slug(&body.name), date)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Shown {
        id: public.summary.id,
        record: public.record,
        source: Source::Public { etag: public.etag },
        body,
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

/// The name of one laid-out document of a meeting ("referat-punkt-3.pdf").
fn variant(kind: DocKind, scope: Scope, format: Format) -> String {
    let scope = match scope {
        Scope::Meeting => String::new(),
        Scope::Item(n) => format!("-punkt-{n}"),
    };
    let ext = match format {
        Format::Pdf => "pdf",
        Format::Html => "html",
    };
    format!("{}{scope}.{ext}", kind.slug())
}

fn lay_out(
    document: &Document,
    format: Format,
    pdf_layout: &crate::PdfLayout,
) -> Result<Vec<u8>, String> {
    match format {
        Format::Pdf => pdf_layout.render(document),
        Format::Html => html::fragment(document, true)
            .map(String::into_bytes)
            .map_err(|e| e.to_string()),
    }
}

/// The laid-out document: for the published record from the database (laid out once per
/// version of the record, by whichever node is asked first), for insiders from memory.
async fn bytes_of(
    state: &AppState,
    shown: &Shown,
    document: Document,
    key: Key,
) -> Result<(Document, Vec<u8>), WebError> {
    let name = variant(key.kind, key.scope, key.format);
    if let Source::Public { etag } = &shown.source
        && let Some(bytes) = state.store.rendered(shown.id, &name, etag).await?
    {
        return Ok((document, bytes));
    }
    let cache = state.cache.clone();
    let format = key.format;
    let pdf_layout = state.pdf_layout.clone();
    // Layout is CPU work: off the async threads; one layout per document at a time.
    let (document, bytes) = tokio::task::spawn_blocking(move || {
        let bytes = cache.get_or_render(key, || lay_out(&document, format, &pdf_layout));
        (document, bytes)
    })
    .await
    .map_err(|e| WebError::Render(e.to_string()))?;
    let bytes = bytes.map_err(WebError::Render)?.as_ref().clone();
    if let Source::Public { etag } = &shown.source {
        state
            .store
            .keep_rendered(shown.id, &name, etag, &bytes)
            .await?;
    }
    Ok((document, bytes))
}

/// Renders (or takes from the cache) the document and answers with a page or a PDF.
async fn respond(
    state: &AppState,
    visitor: &Visitor,
    shown: Shown,
    scope: Scope,
    doc: Option<&str>,
) -> Result<Response, WebError> {
    let meeting = &shown.record.meeting;
    let (kind, format) = requested(meeting, doc)?;
    let edition = visitor.edition_for(&shown.body.code);
    let document = Document::build(meeting, &shown.body.settings, edition, kind, scope)
        .map_err(|_| WebError::NotFound)?;
    let key = match &shown.source {
        Source::Public { etag } => Key {
            meeting: format!("{}@{etag}", shown.id),
            version: 0,
            published: shown.record.edition,
            body_version: 0,
            kind,
            scope,
            format,
            edition: Edition::Public,
        },
        Source::Live { version, .. } => Key {
            meeting: shown.id.to_string(),
            version: *version,
            published: 0,
            body_version: shown.body.version,
            kind,
            scope,
            format,
            edition,
        },
    };
    let (document, bytes) = bytes_of(state, &shown, document, key).await?;
    if format == Format::Pdf {
        let name = match scope {
            Scope::Meeting => format!("{}.pdf", document.file_stem()),
            Scope::Item(n) => format!("{}-punkt-{n}.pdf", document.file_stem()),
        };
        let mut response = (
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{name}\""),
                ),
            ],
            bytes,
        )
            .into_response();
        if let Source::Public { etag } = &shown.source
            && let Ok(v) =
                HeaderValue::from_str(&format!("\"{etag}-{}\"", variant(kind, scope, format)))
        {
            response.headers_mut().insert(header::ETAG, v);
        }
        return Ok(response);
    }
    let fragment = String::from_utf8_lossy(&bytes).into_owned();
    let base = match scope {
        Scope::Meeting => document.meeting_href.clone(),
        Scope::Item(n) => format!("{}/punkt/{n}", document.meeting_href),
    };
    let versions = DocKind::available_for(meeting)
        .into_iter()
        .map(|k| DocLink {
            label: k.label().to_string(),
            href: format!("{base}/{}", k.slug()),
            current: k == kind,
        })
        .collect();
    let origins = origins(state, meeting, &shown.body, scope).await?;
    // Public items only: the published record holds the cases.
    // (A printed case number links from the document itself.)
    let item_at = match scope {
        Scope::Item(n) => meeting
            .items
            .iter()
            .position(|i| i.number == Some(n) && !i.access.is_closed()),
        Scope::Meeting => None,
    };
    let chain = match item_at {
        Some(pos) => state
            .store
            .open_case_at(shown.id, pos)
            .await?
            .filter(|key| key.starts_with(CHAIN_PREFIX))
            .map(|key| format!("/sag/{key}")),
        None => None,
    };
    let sign = match (&shown.source, scope) {
        (Source::Live { meeting, version }, Scope::Meeting) => {
            crate::signing::sign_box(visitor, meeting, *version, &shown.body)
        }
        _ => None,
    };
    let (editions, corrections) = match scope {
        Scope::Meeting => (
            shown.record.history.clone(),
            shown.record.corrections.clone(),
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
        chain,
        fragment,
    };
    Ok(Html(page.render()?).into_response())
}

/// Earlier meetings that sent this meeting's matters here (for an item page: this item's):
/// public items and sub-points whose next step names this meeting's body and date, with
/// the same title as an item here or one of its sub-points. One indexed lookup of the links
/// that name this meeting, however long the archive.
async fn origins(
    state: &AppState,
    meeting: &Meeting,
    body: &Body,
    scope: Scope,
) -> Result<Vec<Origin>, WebError> {
    let titles: Vec<String> = meeting
        .items
        .iter()
        .filter(|i| match scope {
            Scope::Item(n) => i.number == Some(n),
            Scope::Meeting => true,
        })
        .flat_map(|i| {
            std::iter::once(i.title.as_str()).chain(i.schedule.iter().map(|s| s.title.as_str()))
        })
        .map(name_key)
        .collect();
    if titles.is_empty() {
        return Ok(Vec::new());
    }
    Ok(state
        .store
        .public_origins(&body.name, meeting.date)
        .await?
        .into_iter()
        .filter(|o| titles.contains(&name_key(&o.title)))
        .map(|o| {
            let page = format!("/{}/{}", o.body_slug, o.date.format("%Y-%m-%d"));
            Origin {
                text: format!(
                    "{} – {} {}",
                    o.title,
                    o.body_name,
                    long_date(o.date).to_lowercase()
                ),
                href: match o.item {
                    Some(k) => format!("{page}/punkt/{k}"),
                    None => page,
                },
            }
        })
        .collect())
}

/// A page or document of a meeting as answered to someone not signed in: from the page
/// cache when this version of the meeting was answered before (one indexed lookup of its
/// version), else made and kept.
async fn answer(
    state: &AppState,
    visitor: &Visitor,
    (body, date): (&str, &str),
    scope: Scope,
    doc: Option<&str>,
) -> Result<Response, WebError> {
    let mut key = None;
    if visitor.session.is_none() {
        let on = parse_date(date)?;
        let Some(head) = state.store.public_head(body, on).await? else {
            return Err(WebError::NotFound);
        };
        let scope_part = match scope {
            Scope::Meeting => "m".to_string(),
            Scope::Item(n) => format!("i{n}"),
        };
        let k = format!(
            "meeting:{}:{}:{}:{scope_part}:{}",
            head.id,
            head.etag,
            head.inbound,
            doc.unwrap_or("")
        );
        if let Some(hit) = state.pages.get(&k) {
            return Ok(hit.response());
        }
        key = Some(k);
    }
    let shown = shown(state, visitor, body, date).await?;
    let response = respond(state, visitor, shown, scope, doc).await?;
    let Some(key) = key else {
        return Ok(response);
    };
    // Kept for the next reader of this version.
    let (parts, body) = response.into_parts();
    let content_type = match parts.headers.get(header::CONTENT_TYPE) {
        Some(v) if v == "application/pdf" => "application/pdf",
        _ => "text/html; charset=utf-8",
    };
    if parts.status != axum::http::StatusCode::OK {
        return Ok(Response::from_parts(parts, body));
    }
    let bytes = axum::body::to_bytes(body, 64 << 20)
        .await
        .map_err(|e| WebError::Render(e.to_string()))?;
    let mut cached = state.pages.put(key, content_type, bytes).response();
    // The PDF's own headers (its file name) go with it.
    if let Some(v) = parts.headers.get(header::CONTENT_DISPOSITION) {
        cached
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v.clone());
    }
    Ok(cached)
}

pub async fn meeting(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date)): Path<(String, String)>,
) -> Result<Response, WebError> {
    answer(&state, &visitor, (&body, &date), Scope::Meeting, None).await
}

pub async fn meeting_document(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date, doc)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    answer(&state, &visitor, (&body, &date), Scope::Meeting, Some(&doc)).await
}

pub async fn item(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date, n)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let n = item_number(&n)?;
    answer(&state, &visitor, (&body, &date), Scope::Item(n), None).await
}

pub async fn item_document(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date, n, doc)): Path<(String, String, String, String)>,
) -> Result<Response, WebError> {
    let n = item_number(&n)?;
    answer(&state, &visitor, (&body, &date), Scope::Item(n), Some(&doc)).await
}

/// A file name safe in a header: letters, digits and '-', the rest '_'.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The file behind an attachment: (file name, media type, SHA-256, text).
type FileFacts = (String, String, Option<String>, Option<String>);

/// An attachment's file. Closed attachments answer 404 to anyone who may not see them,
/// exactly like an attachment that does not exist.
pub async fn attachment(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date, n, a)): Path<(String, String, String, String)>,
) -> Result<Response, WebError> {
    let n = item_number(&n)?;
    let a: u32 = a.parse().map_err(|_| WebError::NotFound)?;
    let shown = shown(&state, &visitor, &body, &date).await?;
    // The record holds only what the visitor may see.
    let listed = shown
        .record
        .meeting
        .items
        .iter()
        .find(|i| i.number == Some(n))
        .and_then(|i| i.attachments.iter().find(|x| x.number == a))
        .is_some_and(|x| {
            !x.access.is_closed() || visitor.viewer().sees_closed_of(&shown.body.code)
        });
    if !listed {
        return Err(WebError::NotFound);
    }
    let facts: FileFacts = match &shown.source {
        Source::Public { .. } => {
            let f = state
                .store
                .public_file(shown.id, n, a)
                .await?
                .ok_or(WebError::NotFound)?;
            (f.name, f.media_type, f.sha256, f.text)
        }
        Source::Live { meeting, .. } => {
            let f = meeting
                .items
                .iter()
                .find(|i| i.number == Some(n))
                .and_then(|i| i.attachments.iter().find(|x| x.number == a))
                .and_then(|x| x.file.as_ref())
                .ok_or(WebError::NotFound)?;
            (
                f.name.clone(),
                f.media_type.clone(),
                f.sha256.clone(),
                f.text.as_deref().map(str::to_string),
            )
        }
    };
    let (name, media_type, sha256, text) = facts;
    let (stem, extension) = name
        .rsplit_once('.')
        .map_or((name.as_str(), ""), |(s, e)| (s, e));
    // The uploaded file itself where it is stored; else the text read from it. Small files
    // are kept in memory by their hash once read; large ones stream from the store.
    if let Some(sha) = sha256.as_deref() {
        let key = format!("file:{sha}");
        let file_name = format!("{}.{}", safe(stem), safe(extension));
        let headers = |size: usize| {
            [
                (header::CONTENT_TYPE, media_type.clone()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}\""),
                ),
                (header::CONTENT_LENGTH, size.to_string()),
                (header::ETAG, format!("\"{sha}\"")),
            ]
        };
        if let Some(kept) = state.files.get(&key) {
            return Ok((headers(kept.bytes.len()), kept.bytes.clone()).into_response());
        }
        if let Some(size) = state.store.file_size(sha).await? {
            if size <= crate::files::SMALL_FILE {
                let bytes = crate::files::read_all(&state.store, sha).await?;
                state
                    .files
                    .put(key, "application/octet-stream", bytes.clone());
                return Ok((headers(bytes.len()), bytes).into_response());
            }
            return Ok((
                headers(usize::try_from(size).unwrap_or(0)),
                crate::files::body(state.store.clone(), sha.to_string()),
            )
                .into_response());
        }
    }
    let text = text.ok_or(WebError::NotFound)?;
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
