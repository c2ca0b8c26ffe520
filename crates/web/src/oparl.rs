//! The open-data API: OParl 1.1 (<https://oparl.org>) under `/oparl/v1`, read from the
//! published record only, so nothing closed can appear (a closed item shows its public
//! title and public decision, a closed attachment does not appear at all).
//!
//! Objects: the System; one Body (the municipality); an Organization per board or
//! committee; Persons and Memberships from each body's newest published roster; Meetings
//! with their AgendaItems and Files embedded; Papers (cases: public items printing the same
//! case number) with their Consultations; Locations; LegislativeTerms (the Danish
//! four-year municipal terms). Meetings are listed in the order their public record
//! changed, a keyset page at a time (`links.next`), with `created_since`, `created_until`,
//! `modified_since` and `modified_until`; meetings that left the record are listed as
//! `deleted: true` tombstones. Errors are JSON with a Danish message.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use protokol_core::danish::{danish_instant, day_month_year, slug};
use protokol_core::public::{case_key, decides, item_key};
use protokol_core::{BodyCode, Item, Meeting, MeetingId, MeetingKind, MeetingStatus};
use protokol_store::open_data::{
    CaseHead, CaseStep, Cursor, KeptObject, MeetingHead, OpenFile, OpenMeeting, Window,
};
use protokol_store::public::PublicMeeting;
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::AppState;

/// Where the API lives.
pub const ROOT: &str = "/oparl/v1";
/// The body (the municipality) has this id.
const BODY: &str = "kommune";
/// Objects per list page unless `limit` asks for fewer (or up to [`MAX_LIMIT`]).
const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 500;
const SCHEMA: &str = "https://schema.oparl.org/1.1/";
const LICENSE: &str = "https://creativecommons.org/publicdomain/zero/1.0/";

/// An API error: a status and a Danish message, answered as JSON.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: "Objektet findes ikke.".into(),
        }
    }

    fn internal() -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "Der opstod en fejl. Prøv igen om lidt.".into(),
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
}

impl From<protokol_store::StoreError> for ApiError {
    fn from(e: protokol_store::StoreError) -> Self {
        tracing::error!(error = %e, "open-data API: store failed");
        Self::internal()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({
                "type": "Error",
                "status": self.status.as_u16(),
                "message": self.message,
            })),
        )
            .into_response()
    }
}

type Answer = Result<Response, ApiError>;

fn answer(value: Value) -> Answer {
    answer_typed(&value)
}

/// An answer serialised straight from `value`.
fn answer_typed<T: Serialize>(value: &T) -> Answer {
    Ok(open_to_all(Json(value).into_response()))
}

/// An answer of JSON text as it is.
fn answer_json(text: String) -> Answer {
    Ok(open_to_all(
        ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
    ))
}

/// Any site's scripts may read the API.
fn open_to_all(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// The site's address as clients reach it: the configured public address, else the
/// request's host (only if it looks like a host name: it goes into every link).
pub(crate) fn site(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() < 256
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let https = state.behind_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
            == Some("https");
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// Addresses of the API's objects and of the site's pages.
struct Links {
    site: String,
}

impl Links {
    fn api(&self, path: &str) -> String {
        format!("{}{ROOT}{path}", self.site)
    }
    fn page(&self, path: &str) -> String {
        format!("{}{path}", self.site)
    }
    fn body(&self) -> String {
        self.api(&format!("/body/{BODY}"))
    }
    fn organization(&self, code: &BodyCode) -> String {
        self.api(&format!("/organization/{}", code_segment(code)))
    }
    fn meeting(&self, id: MeetingId) -> String {
        self.api(&format!("/meeting/{id}"))
    }
    fn person(&self, name: &str) -> String {
        self.api(&format!("/person/{}", slug(name)))
    }
    fn membership(&self, code: &BodyCode, name: &str) -> String {
        self.api(&format!(
            "/membership/{}/{}",
            code_segment(code),
            slug(name)
        ))
    }
    fn paper(&self, key: &str) -> String {
        self.api(&format!("/paper/{key}"))
    }
}

/// Characters a path segment keeps as they are (RFC 3986's unreserved ones).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A body's code as a path segment of the API's addresses: lower case, and percent-encoded
/// ("ØK" → "%C3%B8k"), so that every address is a URL (axum decodes it on the way in).
fn code_segment(code: &BodyCode) -> String {
    percent_encoding::utf8_percent_encode(&code.as_str().to_lowercase(), SEGMENT).to_string()
}

/// Whether `given` (from an address) names the body with `code`: codes have Danish letters
/// ("ØK"), so they are compared in lower case, not by ASCII case alone.
fn same_code(code: &BodyCode, given: &str) -> bool {
    code.as_str().to_lowercase() == given.to_lowercase()
}

/// What a list request asks for.
#[derive(Debug, Default)]
struct ListQuery {
    window: Window,
    cursor: Option<String>,
    limit: i64,
    /// The filters as given, for the `next` link.
    filters: Vec<(String, String)>,
}

fn instant(name: &str, value: &str) -> Result<DateTime<Utc>, ApiError> {
    let v = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        && let Some(t) = danish_instant(d, 0, 0)
    {
        return Ok(t.with_timezone(&Utc));
    }
    Err(ApiError::bad(format!(
        "Parameteren «{name}» kunne ikke læses: skriv et tidspunkt som 2024-01-31T00:00:00+01:00 \
         eller en dato som 2024-01-31."
    )))
}

/// Reads a list's query: the four date filters, `cursor` and `limit`; anything else is
/// refused by name.
fn list_query(raw: Option<&str>, cursor_allowed: bool) -> Result<ListQuery, ApiError> {
    let mut q = ListQuery {
        limit: DEFAULT_LIMIT,
        ..ListQuery::default()
    };
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()).take(32) {
        let slot = match k.as_ref() {
            "created_since" => &mut q.window.created_since,
            "created_until" => &mut q.window.created_until,
            "modified_since" => &mut q.window.modified_since,
            "modified_until" => &mut q.window.modified_until,
            "cursor" if cursor_allowed => {
                q.cursor = Some(v.into_owned());
                continue;
            }
            "limit" => {
                q.limit = v
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad(format!(
                            "Parameteren «limit» skal være et helt tal fra 1 til {MAX_LIMIT}."
                        ))
                    })?;
                q.filters.push(("limit".into(), q.limit.to_string()));
                continue;
            }
            "page" => {
                return Err(ApiError::bad(
                    "Parameteren «page» bruges ikke: følg «links.next» i svaret for at bladre.",
                ));
            }
            other => {
                return Err(ApiError::bad(format!(
                    "Parameteren «{}» kendes ikke. Mulige parametre: created_since, \
                     created_until, modified_since, modified_until, limit{}.",
                    other.chars().take(64).collect::<String>(),
                    if cursor_allowed { ", cursor" } else { "" }
                )));
            }
        };
        *slot = Some(instant(&k, &v)?);
        q.filters.push((k.into_owned(), v.into_owned()));
    }
    Ok(q)
}

/// Refuses any query on an object's address.
fn no_query(raw: Option<&str>) -> Result<(), ApiError> {
    match form_urlencoded::parse(raw.unwrap_or("").as_bytes()).next() {
        Some((k, _)) => Err(ApiError::bad(format!(
            "Parameteren «{}» kendes ikke: et enkelt objekt tager ingen parametre.",
            k.chars().take(64).collect::<String>()
        ))),
        None => Ok(()),
    }
}

fn with_query(url: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return url.to_string();
    }
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    format!("{url}?{}", s.finish())
}

/// A list answer: the objects, and the links to this page, the first and the next.
fn list<T: Serialize>(
    url: &str,
    data: Vec<T>,
    filters: &[(String, String)],
    this: Option<&str>,
    next: Option<String>,
) -> ListPage<T> {
    ListPage {
        rest: list_rest(url, data.len(), filters, this, next),
        data,
    }
}

/// What a list answer says besides its objects: how many, and the links.
fn list_rest(
    url: &str,
    count: usize,
    filters: &[(String, String)],
    this: Option<&str>,
    next: Option<String>,
) -> ListRest {
    let mut links = Map::new();
    links.insert("first".into(), Value::String(with_query(url, filters)));
    let mut self_pairs = filters.to_vec();
    if let Some(c) = this {
        self_pairs.push(("cursor".into(), c.to_string()));
    }
    links.insert("self".into(), Value::String(with_query(url, &self_pairs)));
    if let Some(c) = next {
        let mut pairs = filters.to_vec();
        pairs.push(("cursor".into(), c));
        links.insert("next".into(), Value::String(with_query(url, &pairs)));
    }
    ListRest {
        pagination: Pagination {
            elements_per_page: count,
        },
        links,
    }
}

/// A page of a list: its objects, how many, and the links to this page, the first and
/// the next.
#[derive(Serialize)]
struct ListPage<T> {
    data: Vec<T>,
    #[serde(flatten)]
    rest: ListRest,
}

#[derive(Serialize)]
struct ListRest {
    pagination: Pagination,
    links: Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Pagination {
    elements_per_page: usize,
}

/// A whole (unpaged) list.
fn whole(url: &str, data: Vec<Value>) -> Value {
    value(list(url, data, &[], None, None)).unwrap_or(Value::Null)
}

/// A cursor as `links.next` hands it out.
fn meeting_cursor(c: &Cursor) -> String {
    format!("{}~{}", c.modified, c.id)
}

fn read_meeting_cursor(s: &str) -> Result<Cursor, ApiError> {
    read_cursor(s, |id| id.parse::<MeetingId>().is_ok())
}

/// A cursor `{instant}~{id}` as `links.next` hands it out, where `id` is one `valid` takes.
fn read_cursor(s: &str, valid: impl Fn(&str) -> bool) -> Result<Cursor, ApiError> {
    let bad = || ApiError::bad("Parameteren «cursor» kunne ikke læses: brug «links.next».");
    let (modified, id) = s.rsplit_once('~').ok_or_else(bad)?;
    DateTime::parse_from_rfc3339(modified).map_err(|_| bad())?;
    if !valid(id) {
        return Err(bad());
    }
    Ok(Cursor {
        modified: modified.to_string(),
        id: id.to_string(),
    })
}

fn meeting_state(status: Option<MeetingStatus>, kind: MeetingKind) -> &'static str {
    match (status, kind) {
        (Some(MeetingStatus::Planned), _) => "Planlagt",
        (Some(MeetingStatus::AgendaPublished), _) => "Dagsorden offentliggjort",
        (Some(MeetingStatus::Held), _) => "Afholdt",
        (Some(MeetingStatus::MinutesApproved), _) => "Referat godkendt",
        (None, MeetingKind::Agenda) => "Dagsorden",
        (None, MeetingKind::Minutes) => "Referat",
    }
}

/// The key of item `position` of a meeting in addresses: its id, or its place.
fn find_item<'a>(m: &'a Meeting, key: &str) -> Option<(usize, &'a Item)> {
    m.items.iter().enumerate().find(|(i, item)| {
        item.id.map(|id| id.to_string()).as_deref() == Some(key)
            || (item.id.is_none() && key.parse::<usize>().ok() == Some(i + 1))
    })
}

/// The OParl type of each object.
const T_MEETING: &str = "https://schema.oparl.org/1.1/Meeting";
const T_AGENDA_ITEM: &str = "https://schema.oparl.org/1.1/AgendaItem";
const T_FILE: &str = "https://schema.oparl.org/1.1/File";
const T_LOCATION: &str = "https://schema.oparl.org/1.1/Location";
const T_CONSULTATION: &str = "https://schema.oparl.org/1.1/Consultation";

// The objects of a meeting, serialised straight from these structs (a page of 100 meetings
// embeds about a thousand agenda items and files: no intermediate JSON trees).

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileObject<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    file_name: String,
    mime_type: &'a str,
    date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha512_checksum: Option<&'a str>,
    /// The store's own address of the file (an extension to OParl).
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256_checksum: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    access_url: String,
    download_url: String,
    meeting: [String; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    agenda_item: Option<[String; 1]>,
    license: &'static str,
    created: &'a str,
    modified: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    web: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AgendaItemObject<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    meeting: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<String>,
    order: usize,
    name: &'a str,
    public: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    consultation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    keyword: Option<[String; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    auxiliary_file: Vec<FileObject<'a>>,
    license: &'static str,
    created: &'a str,
    modified: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    web: Option<String>,
}

#[derive(Serialize)]
struct LocationObject<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    description: &'a str,
    meetings: [String; 1],
    license: &'static str,
    created: &'a str,
    modified: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConsultationObject<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    paper: String,
    agenda_item: String,
    meeting: String,
    organization: [String; 1],
    authoritative: bool,
    role: &'static str,
    license: &'static str,
    created: &'a str,
    modified: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MeetingObject<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    meeting_state: &'static str,
    cancelled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<LocationObject<'a>>,
    organization: [String; 1],
    participant: Vec<String>,
    invitation: FileObject<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    results_protocol: Option<FileObject<'a>>,
    agenda_item: Vec<AgendaItemObject<'a>>,
    keyword: [&'a str; 1],
    license: &'static str,
    created: &'a str,
    modified: &'a str,
    web: String,
}

/// A meeting in a list: in the record, or a tombstone.
#[derive(Serialize)]
#[serde(untagged)]
enum MeetingOut<'a> {
    Live(Box<MeetingObject<'a>>),
    Gone(Value),
}

/// Where a case was treated: what a Consultation is made of.
struct Treated<'t, 'a> {
    meeting: MeetingId,
    body: &'t BodyCode,
    item_key: &'t str,
    decides: bool,
    created: &'a str,
    modified: &'a str,
}

fn consultation_object<'a>(l: &Links, t: &Treated<'_, 'a>, paper: &str) -> ConsultationObject<'a> {
    let (id, key) = (t.meeting, t.item_key);
    ConsultationObject {
        id: l.api(&format!("/consultation/{id}/{key}")),
        kind: T_CONSULTATION,
        paper: l.paper(paper),
        agenda_item: l.api(&format!("/agendaitem/{id}/{key}")),
        meeting: l.meeting(id),
        organization: [l.organization(t.body)],
        authoritative: t.decides,
        role: if t.decides {
            "Beslutning"
        } else {
            "Behandling"
        },
        license: LICENSE,
        created: t.created,
        modified: t.modified,
    }
}

/// The result an agenda item's decision is of, in Danish (none when it says nothing).
fn result_of(decision: &str) -> Option<&'static str> {
    match protokol_search::decision_kind(decision) {
        "godkendt" => Some("Godkendt"),
        "afvist" => Some("Afvist"),
        "udsat" => Some("Udsat"),
        "anbefalet" => Some("Anbefalet"),
        "efterretning" => Some("Taget til efterretning"),
        "droeftet" => Some("Drøftet"),
        _ => None,
    }
}

/// Everything one public meeting's objects are made from.
struct MeetingParts<'a> {
    links: &'a Links,
    meeting: &'a PublicMeeting,
    created: &'a str,
    modified: &'a str,
    /// This meeting's public files.
    files: &'a [OpenFile],
    people: &'a Roster,
}

impl<'a> MeetingParts<'a> {
    fn m(&self) -> &'a Meeting {
        &self.meeting.record.meeting
    }

    fn page(&self) -> String {
        let s = &self.meeting.summary;
        self.links.page(&format!("/{}/{}", s.body_slug, s.date))
    }

    fn document(&self, slug: &str, name: &'static str) -> FileObject<'a> {
        let id = self.meeting.summary.id;
        let page = self.page();
        let url = format!("{page}/{slug}.pdf");
        FileObject {
            id: self.links.api(&format!("/file/{id}/{slug}")),
            kind: T_FILE,
            name,
            file_name: format!("{slug}.pdf"),
            mime_type: "application/pdf",
            date: self.m().date.to_string(),
            size: None,
            sha512_checksum: None,
            sha256_checksum: None,
            text: None,
            access_url: url.clone(),
            download_url: url,
            meeting: [self.links.meeting(id)],
            agenda_item: None,
            license: LICENSE,
            created: self.created,
            modified: self.modified,
            web: Some(format!("{page}/{slug}")),
        }
    }

    fn attachment(&self, f: &'a OpenFile, text: Option<&'a str>) -> FileObject<'a> {
        let id = self.meeting.summary.id;
        let url = format!("{}/punkt/{}/bilag/{}", self.page(), f.item, f.attachment);
        let item = self
            .m()
            .items
            .iter()
            .enumerate()
            .find(|(_, i)| i.number == Some(f.item));
        FileObject {
            id: self
                .links
                .api(&format!("/file/{id}/{}/{}", f.item, f.attachment)),
            kind: T_FILE,
            name: &f.title,
            file_name: f.name.clone(),
            mime_type: &f.media_type,
            date: self.m().date.to_string(),
            size: f.size,
            sha512_checksum: f.sha512.as_deref(),
            sha256_checksum: f.sha256.as_deref(),
            text,
            access_url: url.clone(),
            download_url: url,
            meeting: [self.links.meeting(id)],
            agenda_item: item.map(|(pos, item)| {
                [self
                    .links
                    .api(&format!("/agendaitem/{id}/{}", item_key(item, pos)))]
            }),
            license: LICENSE,
            created: self.created,
            modified: self.modified,
            web: None,
        }
    }

    fn agenda_item(&self, item: &'a Item, pos: usize) -> AgendaItemObject<'a> {
        let id = self.meeting.summary.id;
        let key = item_key(item, pos);
        let case = item.case_number.as_deref().and_then(case_key);
        AgendaItemObject {
            id: self.links.api(&format!("/agendaitem/{id}/{key}")),
            kind: T_AGENDA_ITEM,
            meeting: self.links.meeting(id),
            number: item.number.map(|n| n.to_string()),
            order: pos + 1,
            name: &item.title,
            public: !item.access.is_closed(),
            consultation: case
                .as_ref()
                .map(|_| self.links.api(&format!("/consultation/{id}/{key}"))),
            keyword: case.map(|c| [format!("sag:{c}")]),
            resolution_text: item.decision.as_deref(),
            result: item.decision.as_deref().and_then(result_of),
            auxiliary_file: match item.number {
                Some(n) => self
                    .files
                    .iter()
                    .filter(|f| f.item == n)
                    .map(|f| self.attachment(f, None))
                    .collect(),
                None => Vec::new(),
            },
            license: LICENSE,
            created: self.created,
            modified: self.modified,
            web: item.number.map(|n| format!("{}/punkt/{n}", self.page())),
        }
    }

    fn location(&self) -> Option<LocationObject<'a>> {
        let place = self.m().location.as_deref()?.trim();
        if place.is_empty() {
            return None;
        }
        let id = self.meeting.summary.id;
        Some(LocationObject {
            id: self.links.api(&format!("/location/{id}")),
            kind: T_LOCATION,
            description: place,
            meetings: [self.links.meeting(id)],
            license: LICENSE,
            created: self.created,
            modified: self.modified,
        })
    }

    fn meeting(&self) -> MeetingObject<'a> {
        let s = &self.meeting.summary;
        let m = self.m();
        let at = |time: Option<protokol_core::ClockTime>| {
            time.and_then(|t| danish_instant(s.date, t.hour(), t.minute()))
                .map(|t| t.to_rfc3339())
        };
        // Harvesters (meine-stadt-transparent among them) need a start: without a printed
        // time it is the start of the meeting's day in Denmark.
        let start = at(m.start).or_else(|| danish_instant(s.date, 0, 0).map(|t| t.to_rfc3339()));
        MeetingObject {
            id: self.links.meeting(s.id),
            kind: T_MEETING,
            name: format!("{} {}", s.body_name, day_month_year(s.date)),
            meeting_state: meeting_state(s.status, s.kind),
            cancelled: false,
            start,
            end: at(m.end),
            location: self.location(),
            organization: [self.links.organization(&s.body_code)],
            participant: m
                .attendees()
                .into_iter()
                .filter(|name| self.people.knows(&s.body_code, name))
                .map(|name| self.links.person(name))
                .collect(),
            invitation: self.document("dagsorden", "Dagsorden"),
            results_protocol: (m.kind == MeetingKind::Minutes)
                .then(|| self.document("referat", "Referat")),
            agenda_item: m
                .items
                .iter()
                .enumerate()
                .map(|(pos, item)| self.agenda_item(item, pos))
                .collect(),
            keyword: [s.body_code.as_str()],
            license: LICENSE,
            created: self.created,
            modified: self.modified,
            web: self.page(),
        }
    }
}

/// An object as a JSON value (for answers that are built from several kinds).
fn value(o: impl Serialize) -> Option<Value> {
    serde_json::to_value(o).ok()
}

fn tombstone(kind: &str, id: String, created: &str, deleted: &str) -> Value {
    json!({
        "id": id,
        "type": format!("{SCHEMA}{kind}"),
        "created": created,
        "modified": deleted,
        "deleted": true,
    })
}

/// One member of one body, as the body's newest public meeting lists them.
#[derive(Clone, Debug)]
struct Seat {
    body: BodyCode,
    name: String,
    role: Option<String>,
    party: Option<String>,
}

/// How many of a body's newest meetings are looked at for one that lists its members.
const ROSTER_LOOK_BACK: i64 = 10;

/// The people the API names: each body's members as its newest public meeting lists them.
#[derive(Debug, Default)]
pub struct Roster {
    seats: Vec<Seat>,
    /// Per body, a digest of the names of its members (what its meetings' objects name).
    digests: HashMap<BodyCode, String>,
}

impl Roster {
    fn new(seats: Vec<Seat>) -> Self {
        let mut names: HashMap<&BodyCode, Vec<&str>> = HashMap::new();
        for s in &seats {
            names.entry(&s.body).or_default().push(&s.name);
        }
        let digests = names
            .into_iter()
            .map(|(body, mut names)| {
                names.sort_unstable();
                let mut hash = Sha256::new();
                for n in names {
                    hash.update(n.as_bytes());
                    hash.update([0]);
                }
                let hex: String = hash.finalize()[..8]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                (body.clone(), hex)
            })
            .collect();
        Self { seats, digests }
    }

    /// What the objects of `body`'s meetings take from the roster, as a short digest.
    fn digest(&self, body: &BodyCode) -> &str {
        self.digests.get(body).map_or("none", String::as_str)
    }

    fn knows(&self, body: &BodyCode, name: &str) -> bool {
        self.seats.iter().any(|s| s.body == *body && s.name == name)
    }

    /// Every person once, by slug, with their seats.
    fn people(&self) -> Vec<(&str, Vec<&Seat>)> {
        let mut by_slug: Vec<(String, &str, Vec<&Seat>)> = Vec::new();
        for seat in &self.seats {
            let key = slug(&seat.name);
            match by_slug.iter_mut().find(|(k, ..)| *k == key) {
                Some((_, _, seats)) => seats.push(seat),
                None => by_slug.push((key, &seat.name, vec![seat])),
            }
        }
        by_slug.sort_by(|a, b| a.0.cmp(&b.0));
        by_slug
            .into_iter()
            .map(|(_, n, seats)| (n, seats))
            .collect()
    }
}

/// The roster as last read, with the version of the published record it was read at.
type KeptRoster = Option<(i64, Arc<Roster>)>;

/// The roster as last read, shared by the requests of one node.
#[derive(Clone, Debug, Default)]
pub struct RosterCache(Arc<std::sync::Mutex<KeptRoster>>);

/// The roster, kept per version of the published record (every body's newest meeting).
async fn roster(state: &AppState) -> Result<Arc<Roster>, ApiError> {
    let version = state.store.public_version().await?;
    if let Ok(kept) = state.roster.0.lock()
        && let Some((v, r)) = kept.as_ref()
        && *v == version
    {
        return Ok(r.clone());
    }
    let mut seats_of_all = Vec::new();
    for body in state.store.public_bodies().await? {
        // The newest meeting that lists its members by name (minutes of small boards often
        // list none); a bounded look back.
        for newest in state
            .store
            .public_newest(&body.code, ROSTER_LOOK_BACK)
            .await?
        {
            let Some(p) = state.store.public_meeting_by_id(newest.id).await? else {
                continue;
            };
            let seats: Vec<Seat> = p
                .record
                .meeting
                .members
                .iter()
                .filter(|m| !m.vacant)
                .filter_map(|m| {
                    let name = m.name.as_deref()?.trim();
                    (!name.is_empty() && !slug(name).is_empty()).then(|| Seat {
                        body: body.code.clone(),
                        name: name.to_string(),
                        role: m.role.clone(),
                        party: m.party.clone(),
                    })
                })
                .collect();
            if !seats.is_empty() {
                seats_of_all.extend(seats);
                break;
            }
        }
    }
    let roster = Arc::new(Roster::new(seats_of_all));
    if let Ok(mut kept) = state.roster.0.lock() {
        *kept = Some((version, roster.clone()));
    }
    Ok(roster)
}

fn links(state: &AppState, headers: &HeaderMap) -> Links {
    Links {
        site: site(state, headers),
    }
}

/// `GET /oparl/v1`: the System.
pub async fn system(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Answer {
    no_query(raw.as_deref())?;
    let l = links(&state, &headers);
    answer(json!({
        "id": l.api(""),
        "type": format!("{SCHEMA}System"),
        "oparlVersion": SCHEMA,
        "license": LICENSE,
        "body": l.api("/body"),
        "name": format!("protokol – {}", state.municipality),
        "website": l.page("/"),
        "product": "https://example.invalid/protokol",
        "web": l.page("/"),
    }))
}

/// The Danish municipal terms (valgperioder, four years from 1 January after the election)
/// that overlap the years with public meetings.
fn terms(l: &Links, span: Option<(i32, i32)>) -> Vec<Value> {
    let Some((first, last)) = span else {
        return Vec::new();
    };
    // Terms begin in 2022, 2018, 2014, … (and 2026, 2030, …).
    let start_of = |year: i32| year - (year - 2022).rem_euclid(4);
    let mut out = Vec::new();
    let mut start = start_of(first);
    while start <= last {
        out.push(term(l, start));
        start += 4;
    }
    out
}

fn term(l: &Links, start: i32) -> Value {
    json!({
        "id": l.api(&format!("/legislativeterm/{start}")),
        "type": format!("{SCHEMA}LegislativeTerm"),
        "body": l.body(),
        "name": format!("Valgperioden {start}–{}", start + 3),
        "startDate": format!("{start:04}-01-01"),
        "endDate": format!("{:04}-12-31", start + 3),
        "license": LICENSE,
    })
}

async fn body_object(state: &AppState, l: &Links) -> Result<Value, ApiError> {
    let span = state.store.public_year_span().await?;
    Ok(json!({
        "id": l.body(),
        "type": format!("{SCHEMA}Body"),
        "system": l.api(""),
        "name": state.municipality,
        "shortName": state.municipality,
        "website": l.page("/"),
        "license": LICENSE,
        "classification": "Kommune",
        "organization": l.api(&format!("/body/{BODY}/organization")),
        "person": l.api(&format!("/body/{BODY}/person")),
        "meeting": l.api(&format!("/body/{BODY}/meeting")),
        "paper": l.api(&format!("/body/{BODY}/paper")),
        "membership": l.api(&format!("/body/{BODY}/membership")),
        "legislativeTermList": l.api(&format!("/body/{BODY}/legislativeterm")),
        "legislativeTerm": terms(l, span),
        "web": l.page("/"),
    }))
}

/// `GET /oparl/v1/body`: the list of bodies (the one municipality).
pub async fn bodies(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Answer {
    list_query(raw.as_deref(), false)?;
    let l = links(&state, &headers);
    let body = body_object(&state, &l).await?;
    answer(whole(&l.api("/body"), vec![body]))
}

fn check_body(id: &str) -> Result<(), ApiError> {
    if id == BODY {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}

/// `GET /oparl/v1/body/kommune`.
pub async fn body(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    check_body(&id)?;
    no_query(raw.as_deref())?;
    let l = links(&state, &headers);
    answer(body_object(&state, &l).await?)
}

/// `GET /oparl/v1/body/kommune/legislativeterm`.
pub async fn body_terms(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    check_body(&id)?;
    list_query(raw.as_deref(), false)?;
    let l = links(&state, &headers);
    let span = state.store.public_year_span().await?;
    answer(whole(
        &l.api(&format!("/body/{BODY}/legislativeterm")),
        terms(&l, span),
    ))
}

/// `GET /oparl/v1/legislativeterm/{start year}`.
pub async fn legislative_term(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(start): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    no_query(raw.as_deref())?;
    let l = links(&state, &headers);
    let span = state.store.public_year_span().await?;
    terms(&l, span)
        .into_iter()
        .find(|t| t["id"] == l.api(&format!("/legislativeterm/{start}")))
        .map_or_else(|| Err(ApiError::not_found()), answer)
}

fn organization(l: &Links, body: &protokol_store::public::PublicBody, roster: &Roster) -> Value {
    let members: Vec<Value> = roster
        .seats
        .iter()
        .filter(|s| s.body == body.code)
        .map(|s| Value::String(l.membership(&s.body, &s.name)))
        .collect();
    let code = code_segment(&body.code);
    json!({
        "id": l.organization(&body.code),
        "type": format!("{SCHEMA}Organization"),
        "body": l.body(),
        "name": body.name,
        "shortName": body.code.as_str(),
        "membership": members,
        "meeting": l.api(&format!("/organization/{code}/meeting")),
        "organizationType": "Gremium",
        "classification": "Udvalg",
        "license": LICENSE,
        "web": l.page(&format!("/{}", body.slug)),
    })
}

/// `GET /oparl/v1/body/kommune/organization`.
pub async fn organizations(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    check_body(&id)?;
    list_query(raw.as_deref(), false)?;
    let l = links(&state, &headers);
    let roster = roster(&state).await?;
    let data = state
        .store
        .public_bodies()
        .await?
        .iter()
        .map(|b| organization(&l, b, &roster))
        .collect();
    answer(whole(&l.api(&format!("/body/{BODY}/organization")), data))
}

async fn find_body(
    state: &AppState,
    code: &str,
) -> Result<protokol_store::public::PublicBody, ApiError> {
    state
        .store
        .public_bodies()
        .await?
        .into_iter()
        .find(|b| same_code(&b.code, code))
        .ok_or_else(ApiError::not_found)
}

/// `GET /oparl/v1/organization/{code}`.
pub async fn organization_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    no_query(raw.as_deref())?;
    let l = links(&state, &headers);
    let body = find_body(&state, &code).await?;
    let roster = roster(&state).await?;
    answer(organization(&l, &body, &roster))
}

fn person(l: &Links, name: &str, seats: &[&Seat]) -> Value {
    let memberships: Vec<Value> = seats.iter().map(|s| membership(l, s)).collect();
    json!({
        "id": l.person(name),
        "type": format!("{SCHEMA}Person"),
        "body": l.body(),
        "name": name,
        "membership": memberships,
        "license": LICENSE,
    })
}

fn membership(l: &Links, seat: &Seat) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), l.membership(&seat.body, &seat.name).into());
    o.insert("type".into(), format!("{SCHEMA}Membership").into());
    o.insert("person".into(), l.person(&seat.name).into());
    o.insert("organization".into(), l.organization(&seat.body).into());
    if let Some(role) = &seat.role {
        o.insert("role".into(), role.as_str().into());
    }
    if let Some(party) = &seat.party {
        o.insert("keyword".into(), json!([party]));
    }
    o.insert("votingRight".into(), true.into());
    o.insert("license".into(), LICENSE.into());
    Value::Object(o)
}

/// `GET /oparl/v1/body/kommune/person`.
pub async fn persons(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    check_body(&id)?;
    list_query(raw.as_deref(), false)?;
    let l = links(&state, &headers);
    let data = roster(&state)
        .await?
        .people()
        .iter()
        .map(|(name, ms)| person(&l, name, ms))
        .collect();
    answer(whole(&l.api(&format!("/body/{BODY}/person")), data))
}

/// `GET /oparl/v1/person/{slug}`.
pub async fn person_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    no_query(raw.as_deref())?;
    let l = links(&state, &headers);
    roster(&state)
        .await?
        .people()
        .iter()
        .find(|(name, _)| slug(name) == key)
        .map_or_else(
            || Err(ApiError::not_found()),
            |(name, ms)| answer(person(&l, name, ms)),
        )
}

/// `GET /oparl/v1/body/kommune/membership`.
pub async fn memberships(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    check_body(&id)?;
    list_query(raw.as_deref(), false)?;
    let l = links(&state, &headers);
    let roster = roster(&state).await?;
    let data = roster.seats.iter().map(|s| membership(&l, s)).collect();
    answer(whole(&l.api(&format!("/body/{BODY}/membership")), data))
}

/// `GET /oparl/v1/membership/{code}/{slug}`.
pub async fn membership_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, key)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    no_query(raw.as_deref())?;
    let l = links(&state, &headers);
    let roster = roster(&state).await?;
    roster
        .seats
        .iter()
        .find(|s| same_code(&s.body, &code) && slug(&s.name) == key)
        .map_or_else(|| Err(ApiError::not_found()), |s| answer(membership(&l, s)))
}

/// The public files of `meetings`, by meeting (one query).
async fn files_of(
    state: &AppState,
    meetings: &[OpenMeeting],
) -> Result<HashMap<MeetingId, Vec<OpenFile>>, ApiError> {
    let ids: Vec<MeetingId> = meetings
        .iter()
        .filter(|m| matches!(m, OpenMeeting::Live { .. }))
        .map(OpenMeeting::id)
        .collect();
    let mut by_meeting: HashMap<MeetingId, Vec<OpenFile>> = HashMap::new();
    for f in state.store.open_files(&ids).await? {
        by_meeting.entry(f.meeting_id).or_default().push(f);
    }
    Ok(by_meeting)
}

/// Meetings as OParl objects.
fn meeting_objects<'a>(
    l: &'a Links,
    meetings: &'a [OpenMeeting],
    files: &'a HashMap<MeetingId, Vec<OpenFile>>,
    roster: &'a Roster,
) -> Vec<MeetingOut<'a>> {
    meetings
        .iter()
        .map(|m| match m {
            OpenMeeting::Live {
                meeting,
                created,
                modified,
            } => MeetingOut::Live(Box::new(
                MeetingParts {
                    links: l,
                    meeting,
                    created,
                    modified,
                    files: files.get(&meeting.summary.id).map_or(&[], Vec::as_slice),
                    people: roster,
                }
                .meeting(),
            )),
            OpenMeeting::Gone {
                id,
                created,
                deleted,
                ..
            } => MeetingOut::Gone(tombstone("Meeting", l.meeting(*id), created, deleted)),
        })
        .collect()
}

// A meeting's object in a list is made once per version of its public record and kept in
// the store beside its laid-out documents (every node serves the same bytes; a page of 100
// meetings is then read, not built). It is kept with a mark where the site's address goes
// (the address depends on the request) and under a variant naming what else it was made
// from: this code's version and the roster of its body (participants name known persons).

/// Kept meeting objects' variants start so.
const KEPT_PREFIX: &str = "oparl-meeting-";
/// Moved on whenever the meeting objects change shape within one release.
const KEPT_FORMAT: u32 = 3;
/// Stands for the site's address in kept objects (a control character: no address or text
/// in the record contains it).
const SITE_MARK: &str = "\u{1}site";

/// The variant a meeting of `body` is kept as, given `roster`.
fn kept_variant(roster: &Roster, body: &BodyCode) -> String {
    format!(
        "{KEPT_PREFIX}{}-{KEPT_FORMAT}-{}",
        env!("CARGO_PKG_VERSION"),
        roster.digest(body)
    )
}

/// `s` as it reads inside a JSON string.
fn json_inside(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or_default()
        .to_string()
}

/// The objects of `heads` (with the site's address marked), in their order; a meeting
/// whose record changed since its head was read is left out (the walk meets it again).
async fn marked_meetings(
    state: &AppState,
    marked: &Links,
    heads: &[MeetingHead],
) -> Result<Vec<Vec<u8>>, ApiError> {
    let roster = roster(state).await?;
    let want: HashMap<MeetingId, (String, &str)> = heads
        .iter()
        .filter_map(|h| {
            let etag = h.etag.as_deref()?;
            Some((h.id, (kept_variant(&roster, &h.body_code), etag)))
        })
        .collect();
    let live: Vec<MeetingId> = want.keys().copied().collect();
    let mut objects: HashMap<MeetingId, Vec<u8>> = HashMap::new();
    for kept in state.store.kept_objects(&live, KEPT_PREFIX).await? {
        if want
            .get(&kept.id)
            .is_some_and(|(variant, etag)| *variant == kept.variant && *etag == kept.etag)
        {
            objects.insert(kept.id, kept.bytes);
        }
    }
    let missing: Vec<MeetingId> = live
        .into_iter()
        .filter(|id| !objects.contains_key(id))
        .collect();
    if !missing.is_empty() {
        let meetings = state.store.open_live_meetings(&missing).await?;
        let files = files_of(state, &meetings).await?;
        let mut made = Vec::new();
        for m in &meetings {
            let OpenMeeting::Live {
                meeting,
                created,
                modified,
            } = m
            else {
                continue;
            };
            let id = meeting.summary.id;
            let Some((variant, etag)) = want.get(&id).filter(|(_, e)| *e == meeting.etag) else {
                continue;
            };
            let object = MeetingParts {
                links: marked,
                meeting,
                created,
                modified,
                files: files.get(&id).map_or(&[], Vec::as_slice),
                people: &roster,
            }
            .meeting();
            let bytes = serde_json::to_vec(&object).map_err(|e| {
                tracing::error!(error = %e, meeting = %id, "open-data API: a meeting would not serialise");
                ApiError::internal()
            })?;
            made.push(KeptObject {
                id,
                variant: variant.clone(),
                etag: (*etag).to_string(),
                bytes: bytes.clone(),
            });
            objects.insert(id, bytes);
        }
        if !made.is_empty() {
            // Kept after the answer; a failure costs only the next request's time.
            let store = state.store.clone();
            tokio::spawn(async move {
                if let Err(e) = store.keep_objects(&made, KEPT_PREFIX).await {
                    tracing::warn!(error = %e, "open-data API: could not keep meeting objects");
                }
            });
        }
    }
    let mut out = Vec::with_capacity(heads.len());
    for h in heads {
        if h.etag.is_some() {
            if let Some(bytes) = objects.remove(&h.id) {
                out.push(bytes);
            }
        } else {
            let gone = tombstone("Meeting", marked.meeting(h.id), &h.created, &h.changed);
            out.push(serde_json::to_vec(&gone).map_err(|_| ApiError::internal())?);
        }
    }
    Ok(out)
}

async fn meeting_list(
    state: &AppState,
    headers: &HeaderMap,
    body: Option<&BodyCode>,
    url_path: &str,
    raw: Option<&str>,
) -> Answer {
    let q = list_query(raw, true)?;
    let cursor = q.cursor.as_deref().map(read_meeting_cursor).transpose()?;
    let heads = state
        .store
        .open_meeting_heads(body, &q.window, cursor.as_ref(), q.limit)
        .await?;
    let next = (i64::try_from(heads.len()).unwrap_or(i64::MAX) >= q.limit)
        .then(|| heads.last().map(|h| meeting_cursor(&h.cursor())))
        .flatten();
    let marked = Links {
        site: SITE_MARK.to_string(),
    };
    let objects = marked_meetings(state, &marked, &heads).await?;
    let rest = list_rest(
        &marked.api(url_path),
        objects.len(),
        &q.filters,
        q.cursor.as_deref(),
        next,
    );
    // {"data":[objects…], then the rest's fields.
    let rest = serde_json::to_vec(&rest).map_err(|_| ApiError::internal())?;
    let mut page =
        Vec::with_capacity(objects.iter().map(Vec::len).sum::<usize>() + rest.len() + 16);
    page.extend_from_slice(b"{\"data\":[");
    for (i, o) in objects.iter().enumerate() {
        if i > 0 {
            page.push(b',');
        }
        page.extend_from_slice(o);
    }
    page.extend_from_slice(b"],");
    page.extend_from_slice(rest.get(1..).unwrap_or_default());
    let page = String::from_utf8(page).map_err(|_| ApiError::internal())?;
    let page = page.replace(
        &json_inside(SITE_MARK),
        &json_inside(&links(state, headers).site),
    );
    answer_json(page)
}

/// `GET /oparl/v1/body/kommune/meeting`.
pub async fn meetings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    check_body(&id)?;
    meeting_list(
        &state,
        &headers,
        None,
        &format!("/body/{BODY}/meeting"),
        raw.as_deref(),
    )
    .await
}

/// `GET /oparl/v1/organization/{code}/meeting`.
pub async fn organization_meetings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let body = find_body(&state, &code).await?;
    meeting_list(
        &state,
        &headers,
        Some(&body.code),
        &format!("/organization/{}/meeting", code_segment(&body.code)),
        raw.as_deref(),
    )
    .await
}

fn meeting_id(s: &str) -> Result<MeetingId, ApiError> {
    s.parse().map_err(|_| ApiError::not_found())
}

/// One public meeting with what its objects need, or why not.
async fn one_meeting(state: &AppState, id: &str) -> Result<OpenMeeting, ApiError> {
    state
        .store
        .open_meeting(meeting_id(id)?)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// `GET /oparl/v1/meeting/{id}`.
pub async fn meeting(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    no_query(raw.as_deref())?;
    let l = links(&state, &headers);
    let m = [one_meeting(&state, &id).await?];
    let files = files_of(&state, &m).await?;
    let roster = roster(&state).await?;
    let objects = meeting_objects(&l, &m, &files, &roster);
    objects
        .first()
        .map_or_else(|| Err(ApiError::not_found()), answer_typed)
}

/// Calls `f` with the parts of a live public meeting; a tombstone answers as one of `kind`.
async fn with_meeting(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    kind: &str,
    tomb_path: String,
    f: impl FnOnce(&MeetingParts<'_>) -> Option<Value>,
) -> Answer {
    let l = links(state, headers);
    match one_meeting(state, id).await? {
        OpenMeeting::Live {
            meeting,
            created,
            modified,
        } => {
            let files = state.store.open_files(&[meeting.summary.id]).await?;
            let roster = roster(state).await?;
            let parts = MeetingParts {
                links: &l,
                meeting: &meeting,
                created: &created,
                modified: &modified,
                files: &files,
                people: &roster,
            };
            f(&parts).map_or_else(|| Err(ApiError::not_found()), answer)
        }
        OpenMeeting::Gone {
            created, deleted, ..
        } => answer(tombstone(kind, l.api(&tomb_path), &created, &deleted)),
    }
}

/// `GET /oparl/v1/agendaitem/{meeting}/{item}`: a withdrawn item of a public meeting answers
/// as a tombstone.
pub async fn agenda_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, key)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    no_query(raw.as_deref())?;
    let l = links(&state, &headers);
    let path = format!("/agendaitem/{id}/{key}");
    let tomb = l.api(&path);
    with_meeting(&state, &headers, &id, "AgendaItem", path, |p| {
        Some(match find_item(p.m(), &key) {
            Some((pos, item)) => value(p.agenda_item(item, pos))?,
            // Only item ids in the shape the API hands out are answered.
            None if key.parse::<protokol_core::ItemId>().is_ok() => {
                tombstone("AgendaItem", tomb, p.created, p.modified)
            }
            None => return None,
        })
    })
    .await
}

/// `GET /oparl/v1/consultation/{meeting}/{item}`.
pub async fn consultation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, key)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    no_query(raw.as_deref())?;
    let l = links(&state, &headers);
    match one_meeting(&state, &id).await? {
        OpenMeeting::Live {
            meeting,
            created,
            modified,
        } => {
            let (pos, item) =
                find_item(&meeting.record.meeting, &key).ok_or_else(ApiError::not_found)?;
            // The item's case, printed or followed through next steps, as the read model
            // keeps it.
            let case = state
                .store
                .open_case_at(meeting.summary.id, pos)
                .await?
                .ok_or_else(ApiError::not_found)?;
            let treated = Treated {
                meeting: meeting.summary.id,
                body: &meeting.summary.body_code,
                item_key: &item_key(item, pos),
                decides: decides(item),
                created: &created,
                modified: &modified,
            };
            answer_typed(&consultation_object(&l, &treated, &case))
        }
        OpenMeeting::Gone {
            created, deleted, ..
        } => answer(tombstone(
            "Consultation",
            l.api(&format!("/consultation/{id}/{key}")),
            &created,
            &deleted,
        )),
    }
}

/// `GET /oparl/v1/location/{meeting}`.
pub async fn location(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    no_query(raw.as_deref())?;
    let path = format!("/location/{id}");
    with_meeting(&state, &headers, &id, "Location", path, |p| {
        value(p.location()?)
    })
    .await
}

/// `GET /oparl/v1/file/{meeting}/{dagsorden|referat}`.
pub async fn document_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, doc)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    no_query(raw.as_deref())?;
    let path = format!("/file/{id}/{doc}");
    with_meeting(&state, &headers, &id, "File", path, |p| {
        match doc.as_str() {
            "dagsorden" => value(p.document("dagsorden", "Dagsorden")),
            "referat" if p.m().kind == MeetingKind::Minutes => {
                value(p.document("referat", "Referat"))
            }
            _ => None,
        }
    })
    .await
}

/// `GET /oparl/v1/file/{meeting}/{item}/{attachment}`: a public attachment with its text.
pub async fn attachment_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, item, attachment)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    no_query(raw.as_deref())?;
    let (Ok(n), Ok(a)) = (item.parse::<u32>(), attachment.parse::<u32>()) else {
        return Err(ApiError::not_found());
    };
    let mid = meeting_id(&id)?;
    let text = state
        .store
        .public_file(mid, n, a)
        .await?
        .and_then(|f| f.text);
    let path = format!("/file/{id}/{item}/{attachment}");
    with_meeting(&state, &headers, &id, "File", path, |p| {
        let f = p.files.iter().find(|f| f.item == n && f.attachment == a)?;
        value(p.attachment(f, text.as_deref()))
    })
    .await
}

/// The Paper of the case `head` with its public treatments `steps` (by date); a case with
/// none left is a tombstone.
fn paper(l: &Links, head: &CaseHead, steps: &[&CaseStep]) -> Option<Value> {
    let key = head.key.as_str();
    if head.treatments == 0 {
        return Some(tombstone(
            "Paper",
            l.paper(key),
            &head.created,
            &head.changed,
        ));
    }
    let first = steps.first()?;
    let consultations: Vec<ConsultationObject<'_>> = steps
        .iter()
        .map(|s| {
            consultation_object(
                l,
                &Treated {
                    meeting: s.meeting_id,
                    body: &s.body_code,
                    item_key: &s.item_key,
                    decides: s.authoritative,
                    created: &s.created,
                    modified: &s.modified,
                },
                key,
            )
        })
        .collect();
    let mut organizations: Vec<String> = Vec::new();
    for s in steps {
        let org = l.organization(&s.body_code);
        if !organizations.contains(&org) {
            organizations.push(org);
        }
    }
    let mut paper = json!({
        "id": l.paper(key),
        "type": format!("{SCHEMA}Paper"),
        "body": l.body(),
        "name": first.title,
        "date": first.date.format("%Y-%m-%d").to_string(),
        "paperType": "Sag",
        "originatorOrganization": organizations,
        "consultation": consultations,
        "license": LICENSE,
        "created": head.created,
        "modified": head.changed,
        "web": l.page(&format!("/sag/{key}")),
    });
    // A case followed through next steps has no printed number.
    if let Some(number) = steps
        .iter()
        .map(|s| s.case_number.as_str())
        .find(|n| !n.is_empty())
    {
        paper["reference"] = json!(number);
    }
    Some(paper)
}

/// The Papers of the cases `heads`, in their order (two queries).
async fn papers_of(
    state: &AppState,
    l: &Links,
    heads: &[CaseHead],
) -> Result<Vec<Value>, ApiError> {
    let live: Vec<String> = heads
        .iter()
        .filter(|h| h.treatments > 0)
        .map(|h| h.key.clone())
        .collect();
    let steps = state.store.open_case_steps(&live).await?;
    let mut by_case: HashMap<&str, Vec<&CaseStep>> = HashMap::new();
    for s in &steps {
        by_case.entry(s.case_key.as_str()).or_default().push(s);
    }
    Ok(heads
        .iter()
        .filter_map(|h| paper(l, h, by_case.get(h.key.as_str()).map_or(&[], Vec::as_slice)))
        .collect())
}

/// `GET /oparl/v1/body/kommune/paper`: cases in the order they changed, a page at a time,
/// cases that left the record as tombstones.
pub async fn papers(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    check_body(&id)?;
    let q = list_query(raw.as_deref(), true)?;
    let cursor = q
        .cursor
        .as_deref()
        .map(|c| read_cursor(c, |k| case_key(k).as_deref() == Some(k)))
        .transpose()?;
    let l = links(&state, &headers);
    let heads = state
        .store
        .open_case_heads(&q.window, cursor.as_ref(), q.limit)
        .await?;
    let next = (i64::try_from(heads.len()).unwrap_or(i64::MAX) >= q.limit)
        .then(|| heads.last().map(|h| meeting_cursor(&h.cursor())))
        .flatten();
    let data = papers_of(&state, &l, &heads).await?;
    answer_typed(&list(
        &l.api(&format!("/body/{BODY}/paper")),
        data,
        &q.filters,
        q.cursor.as_deref(),
        next,
    ))
}

/// `GET /oparl/v1/paper/{key}`.
pub async fn paper_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    no_query(raw.as_deref())?;
    let l = links(&state, &headers);
    let head = state
        .store
        .open_case_head(&key)
        .await?
        .ok_or_else(ApiError::not_found)?;
    papers_of(&state, &l, &[head])
        .await?
        .pop()
        .map_or_else(|| Err(ApiError::not_found()), answer)
}

/// Anything else under `/oparl/v1`.
pub async fn unknown() -> Answer {
    Err(ApiError::not_found())
}
