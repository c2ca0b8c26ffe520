//! The secretariat's workspace (`/arbejde`): plan a meeting from its body's standing items,
//! build the agenda (add, edit, reorder items; open or closed with reason, public title and
//! public decision) and publish it. Danish, server-rendered, no JavaScript.
//!
//! Every change is a form POST carrying the session's CSRF token and the version the
//! secretary started from; a change based on an old version is refused and the page shows
//! both versions, so nothing is overwritten silently. Anyone without the secretary role of
//! the body gets 404, as if the meeting did not exist; someone not signed in is sent to
//! the sign-in page.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use protokol_auth::tokens_match;
use protokol_core::danish::{long_date, slug};
use protokol_core::limits;
use protokol_core::{
    Access, Account, Body, Dissent, Item, ItemId, Meeting, MeetingKind, MeetingStatus,
    PublicationKind, Viewer, Vote, VoteOption,
};
use protokol_store::StoreError;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::form_fields::{
    STANDARD_DECISIONS, followup_lines, followups_from, names, parse_lines, with_phrase,
};
use crate::pages::body_by_slug;
use crate::signin::same_origin;
use crate::view::{
    ConflictRow, ItemEditorPage, ItemFields, MeetingEditorPage, WorkspaceBody, WorkspaceItem,
    WorkspaceMeeting, WorkspacePage,
};
use crate::visitor::Visitor;

/// The signed-in account, or a redirect to the sign-in page that comes back to `here`.
fn signed_in<'a>(visitor: &'a Visitor, here: &str) -> Result<&'a Account, WebError> {
    visitor
        .session
        .as_ref()
        .map(|s| &s.account)
        .ok_or_else(|| WebError::SignIn(here.to_string()))
}

/// The account, if it may prepare `body`'s meetings; 404 otherwise.
pub(crate) fn secretary<'a>(
    visitor: &'a Visitor,
    body: &Body,
    here: &str,
) -> Result<&'a Account, WebError> {
    let account = signed_in(visitor, here)?;
    if account.may_prepare(&body.code) {
        Ok(account)
    } else {
        Err(WebError::NotFound)
    }
}

/// A form must carry the session's token and come from this site.
pub(crate) fn check_form(
    visitor: &Visitor,
    headers: &HeaderMap,
    token: &str,
) -> Result<(), WebError> {
    let ok = visitor
        .session
        .as_ref()
        .is_some_and(|s| tokens_match(&s.csrf_token, token))
        && same_origin(headers);
    if ok { Ok(()) } else { Err(WebError::Forbidden) }
}

pub(crate) fn form<T>(f: Result<Form<T>, FormRejection>) -> Result<T, WebError> {
    f.map(|Form(t)| t)
        .map_err(|_| WebError::BadRequest("Formularen kunne ikke læses."))
}

pub(crate) fn see_other(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/arbejde")),
        )],
    )
        .into_response()
}

pub(crate) fn status_label(status: Option<MeetingStatus>) -> &'static str {
    match status {
        Some(MeetingStatus::Planned) => "Kladde – ikke offentliggjort",
        Some(MeetingStatus::AgendaPublished) => "Dagsorden offentliggjort",
        Some(MeetingStatus::Held) => "Afholdt",
        Some(MeetingStatus::MinutesApproved) => "Referat godkendt",
        None => "Importeret",
    }
}

pub(crate) fn editor_href(body: &Body, date: NaiveDate) -> String {
    format!("/arbejde/{}/{}", slug(&body.name), date.format("%Y-%m-%d"))
}

/// A new planned meeting of `body` on `date`: its standing items and its members that day.
async fn plan(state: &AppState, body: &Body, date: NaiveDate) -> Result<Meeting, WebError> {
    let mut m = Meeting::new(
        protokol_core::BodyRef {
            name: body.name.clone(),
            code: body.code.clone(),
        },
        MeetingKind::Agenda,
        date,
    );
    m.status = Some(MeetingStatus::Planned);
    m.items = body
        .settings
        .standing_items
        .iter()
        .enumerate()
        .map(|(i, t)| Item::new(Some(i as u32 + 1), t.clone()))
        .collect();
    let (memberships, _) = state.store.memberships(&body.code).await?;
    m.members = memberships
        .into_iter()
        .filter(|ms| ms.from.is_none_or(|d| d <= date) && ms.until.is_none_or(|d| d >= date))
        .map(|ms| protokol_core::Member {
            name: ms.name,
            role: ms.role,
            party: ms.party,
            vacant: ms.vacant,
            substitute_for: ms.substitute_for,
        })
        .collect();
    Ok(m)
}

// ---------------------------------------------------------------- overview and new meeting

#[derive(Debug, Default, Deserialize)]
pub struct NewMeetingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    dato: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    sted: String,
}

/// What the overview shows again after a refused new-meeting form.
struct NewMeetingError {
    body: String,
    date_error: Option<String>,
    start_error: Option<String>,
    place_error: Option<String>,
    values: NewMeetingForm,
}

async fn overview_page(
    state: &AppState,
    visitor: &Visitor,
    refused: Option<NewMeetingError>,
) -> Result<Response, WebError> {
    let account = signed_in(visitor, "/arbejde")?;
    let mut bodies = Vec::new();
    for body in state.store.bodies().await? {
        if !account.may_prepare(&body.code) {
            continue;
        }
        // Bounded by index: the coming meetings, the newest held, and any older draft.
        let today = protokol_core::danish::today();
        let mut listed = state.store.meetings_from(&body.code, today, 30).await?;
        listed.reverse();
        listed.extend(
            state
                .store
                .meetings_before(&body.code, Some(today), 30)
                .await?,
        );
        for d in state.store.drafts_of(&body.code).await? {
            if !listed.iter().any(|m| m.id == d.id) {
                listed.push(d);
            }
        }
        let meetings = listed
            .into_iter()
            .map(|m| WorkspaceMeeting {
                href: editor_href(&body, m.date),
                date: long_date(m.date),
                status: status_label(m.status),
                items: m.items,
            })
            .collect();
        let mine = refused.as_ref().filter(|r| r.body == body.code.as_str());
        bodies.push(WorkspaceBody {
            name: body.name.clone(),
            slug: slug(&body.name),
            code: body.code.to_string(),
            standing_items: body.settings.standing_items.join(", "),
            meetings,
            date_value: mine.map(|r| r.values.dato.clone()).unwrap_or_default(),
            start_value: mine.map(|r| r.values.start.clone()).unwrap_or_default(),
            place_value: mine.map(|r| r.values.sted.clone()).unwrap_or_default(),
            date_error: mine.and_then(|r| r.date_error.clone()),
            start_error: mine.and_then(|r| r.start_error.clone()),
            place_error: mine.and_then(|r| r.place_error.clone()),
        });
    }
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = WorkspacePage {
        title: "Sekretariatets arbejdsplads".into(),
        nav: visitor.nav(),
        csrf: visitor.nav().csrf,
        bodies,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /arbejde`.
pub async fn overview(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    overview_page(&state, &visitor, None).await
}

/// `POST /arbejde/{body}/nyt-moede`: a planned meeting with the body's standing items and
/// its members.
pub async fn new_meeting(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(body): Path<String>,
    f: Result<Form<NewMeetingForm>, FormRejection>,
) -> Result<Response, WebError> {
    let body = body_by_slug(&state, &body).await?;
    let account = secretary(&visitor, &body, "/arbejde")?;
    let f = form(f)?;
    check_form(&visitor, &headers, &f.csrf)?;
    let date = crate::form_fields::date(&f.dato);
    // Times as people type them ("9.30", "kl. 9:30", "09:30"), like the Tid/Punkt table.
    let start = crate::form_fields::clock(&f.start);
    let place_error = crate::form_fields::too_long(f.sted.trim(), limits::NAME_CHARS);
    let (date, start) = match (date, start, place_error) {
        (Ok(d), Ok(s), None) => (d, s),
        (d, s, place_error) => {
            let refused = NewMeetingError {
                body: body.code.to_string(),
                date_error: d.err(),
                start_error: s.err(),
                place_error,
                values: f,
            };
            return overview_page(&state, &visitor, Some(refused)).await;
        }
    };
    let mut m = plan(&state, &body, date).await?;
    m.start = start;
    m.location = Some(f.sted.trim().to_string()).filter(|s| !s.is_empty());
    match state.store.create_meeting(&m, &account.username).await {
        Ok(_) => Ok(see_other(&editor_href(&body, date))),
        Err(StoreError::Rejected(_)) => {
            let refused = NewMeetingError {
                body: body.code.to_string(),
                date_error: Some(format!(
                    "{} har allerede et møde {}.",
                    body.name,
                    long_date(date).to_lowercase()
                )),
                start_error: None,
                place_error: None,
                values: f,
            };
            overview_page(&state, &visitor, Some(refused)).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- the meeting's agenda

pub(crate) async fn meeting_for(
    state: &AppState,
    visitor: &Visitor,
    body: &str,
    date: &str,
) -> Result<(Meeting, i64, Body, String), WebError> {
    let body = body_by_slug(state, body).await?;
    let here = format!("/arbejde/{}/{date}", slug(&body.name));
    let account = secretary(visitor, &body, &here)?;
    let username = account.username.clone();
    let date = protokol_core::parse_date(date).map_err(|_| WebError::NotFound)?;
    let (m, v) = state
        .store
        .meeting_on(&body.code, date)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((m, v, body, username))
}

async fn editor_page(
    state: &AppState,
    visitor: &Visitor,
    m: &Meeting,
    version: i64,
    body: &Body,
    message: Option<String>,
    field_error: Option<(&'static str, String)>,
) -> Result<Response, WebError> {
    let href = editor_href(body, m.date);
    let count = m.items.len();
    let items = m
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| WorkspaceItem {
            id: item.id.map(|id| id.to_string()).unwrap_or_default(),
            number: item.number.map(|n| format!("{n}.")).unwrap_or_default(),
            title: item.title.clone(),
            closed: item.access.is_closed(),
            edit_href: item
                .id
                .map(|id| format!("{href}/punkt/{id}"))
                .unwrap_or_default(),
            first: i == 0,
            last: i + 1 == count,
        })
        .collect();
    let status = match (&message, &field_error) {
        (_, Some(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        (Some(_), None) => StatusCode::CONFLICT,
        (None, None) => StatusCode::OK,
    };
    let error = |field: &str| {
        field_error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, e)| e.clone())
    };
    let warning = deadline_warning(m, body, chrono::Utc::now().date_naive());
    // The secretary sees every edition whole, closed content included.
    let record = state
        .store
        .live_meeting(&Viewer::Administrator, &body.code, m.date)
        .await?
        .map(|live| live.record);
    let (editions, corrections) = record
        .map(|r| (r.history, r.corrections))
        .unwrap_or_default();
    let pending = crate::editions::pending(state, m).await?;
    let page = MeetingEditorPage {
        warning,
        title: format!("{} {}", body.name, long_date(m.date).to_lowercase()),
        nav: visitor.nav(),
        csrf: visitor.nav().csrf,
        body_name: body.name.clone(),
        date: long_date(m.date),
        status: status_label(m.status),
        draft: m.status == Some(MeetingStatus::Planned),
        agenda_out: m.status == Some(MeetingStatus::AgendaPublished),
        frozen: m.status == Some(MeetingStatus::MinutesApproved),
        href,
        public_href: format!("/{}/{}", slug(&body.name), m.date.format("%Y-%m-%d")),
        location: m.location.clone().unwrap_or_default(),
        version,
        items,
        message,
        add_error: error("ny-titel"),
        correction_error: error("rettelse"),
        correction_item_error: error("rettelse-punkt"),
        editions,
        pending,
        corrections,
        item_numbers: m.items.iter().filter_map(|i| i.number).collect(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// A warning while a draft agenda's dispatch deadline is near (three days or less) or
/// passed.
fn deadline_warning(m: &Meeting, body: &Body, today: NaiveDate) -> Option<String> {
    if m.status != Some(MeetingStatus::Planned) {
        return None;
    }
    let days = body.settings.agenda_deadline_working_days?;
    let deadline = protokol_core::dispatch_deadline(m.date, days);
    let when = long_date(deadline).to_lowercase();
    if today > deadline {
        Some(format!(
            "Fristen for at sende dagsordenen ud var {when}. Den er overskredet."
        ))
    } else if (deadline - today).num_days() <= 3 {
        Some(format!("Dagsordenen skal sendes ud senest {when}."))
    } else {
        None
    }
}

/// `GET /arbejde/{body}/{date}`.
pub async fn meeting(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (m, v, body, _) = meeting_for(&state, &visitor, &body, &date).await?;
    editor_page(&state, &visitor, &m, v, &body, None, None).await
}

/// Why the store refused a change, in Danish.
fn refusal(m: &Meeting) -> String {
    if m.status == Some(MeetingStatus::MinutesApproved) {
        FROZEN.to_string()
    } else {
        "Ændringen kunne ikke gemmes, fordi indholdet ikke er gyldigt.".to_string()
    }
}

const FROZEN: &str = "Referatet er godkendt og kan ikke ændres.";

const STALE: &str =
    "Mødet er ændret af en anden, siden du åbnede siden. Her er den nye udgave; prøv igen.";

#[derive(Debug, Default, Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    /// New item's title.
    #[serde(default)]
    titel: String,
    /// New item closed?
    #[serde(default)]
    lukket: Option<String>,
    /// Item to move, and "op" or "ned".
    #[serde(default)]
    punkt: String,
    #[serde(default)]
    retning: String,
}

fn version_of(raw: &str) -> Result<i64, WebError> {
    raw.trim()
        .parse()
        .map_err(|_| WebError::BadRequest("Formularen mangler mødets version."))
}

/// Saves `m` if the meeting is still at `version`; on a conflict shows the stored meeting.
pub(crate) async fn save_meeting_with(
    state: &AppState,
    visitor: &Visitor,
    body: &Body,
    m: Meeting,
    version: i64,
    actor: &str,
) -> Result<Response, WebError> {
    save_meeting(state, visitor, body, (m, version), actor, None).await
}

/// Saves (and with `publish`, publishes) the meeting if it is still at `version`; on a
/// conflict or a refusal shows the editor with the stored meeting and why.
async fn save_meeting(
    state: &AppState,
    visitor: &Visitor,
    body: &Body,
    (m, version): (Meeting, i64),
    actor: &str,
    publish: Option<PublicationKind>,
) -> Result<Response, WebError> {
    let result = match publish {
        Some(kind) => state.store.publish(&m, version, kind, actor).await,
        None => state.store.update_meeting(&m, version, actor).await,
    };
    let message = match result {
        Ok(_) => return Ok(see_other(&editor_href(body, m.date))),
        Err(StoreError::Conflict { .. }) => STALE.to_string(),
        Err(StoreError::Rejected(why)) => {
            tracing::info!(%why, "meeting edit refused");
            if publish.is_some() && why.contains("nothing changed") {
                "Intet er ændret siden den seneste udgave, så der er ikke noget at offentliggøre."
                    .into()
            } else {
                refusal(&m)
            }
        }
        Err(e) => return Err(e.into()),
    };
    let (current, v) = state
        .store
        .meeting_on(&body.code, m.date)
        .await?
        .ok_or(WebError::NotFound)?;
    editor_page(state, visitor, &current, v, body, Some(message), None).await
}

/// A checked form POST on a meeting: the meeting as stored, the secretary, and the version
/// the form was based on.
struct MeetingPost {
    m: Meeting,
    stored_version: i64,
    body: Body,
    actor: String,
    version: i64,
    form: MeetingForm,
}

impl MeetingPost {
    async fn read(
        state: &AppState,
        visitor: &Visitor,
        headers: &HeaderMap,
        (body, date): (&str, &str),
        f: Result<Form<MeetingForm>, FormRejection>,
    ) -> Result<Self, WebError> {
        let (m, stored_version, body, actor) = meeting_for(state, visitor, body, date).await?;
        let form = form(f)?;
        check_form(visitor, headers, &form.csrf)?;
        let version = version_of(&form.version)?;
        Ok(Self {
            m,
            stored_version,
            body,
            actor,
            version,
            form,
        })
    }

    /// The editor again, with `message` at the top and nothing saved.
    async fn refuse(
        &self,
        state: &AppState,
        visitor: &Visitor,
        message: impl Into<String>,
    ) -> Result<Response, WebError> {
        editor_page(
            state,
            visitor,
            &self.m,
            self.stored_version,
            &self.body,
            Some(message.into()),
            None,
        )
        .await
    }

    async fn save(self, state: &AppState, visitor: &Visitor) -> Result<Response, WebError> {
        save_meeting(
            state,
            visitor,
            &self.body,
            (self.m, self.version),
            &self.actor,
            None,
        )
        .await
    }

    /// Saves and publishes the meeting as an edition of `kind`, both or neither.
    async fn publish(
        self,
        state: &AppState,
        visitor: &Visitor,
        kind: PublicationKind,
    ) -> Result<Response, WebError> {
        save_meeting(
            state,
            visitor,
            &self.body,
            (self.m, self.version),
            &self.actor,
            Some(kind),
        )
        .await
    }
}

/// `POST /arbejde/{body}/{date}/punkter`: adds an item at the end.
pub async fn add_item(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, date)): Path<(String, String)>,
    f: Result<Form<MeetingForm>, FormRejection>,
) -> Result<Response, WebError> {
    let mut p = MeetingPost::read(&state, &visitor, &headers, (&body, &date), f).await?;
    let title = p.form.titel.trim().to_string();
    let problem = if title.is_empty() {
        Some("Skriv punktets titel.".to_string())
    } else {
        crate::form_fields::too_long(&title, limits::TITLE_CHARS)
    };
    if let Some(why) = problem {
        return editor_page(
            &state,
            &visitor,
            &p.m,
            p.stored_version,
            &p.body,
            None,
            Some(("ny-titel", why)),
        )
        .await;
    }
    let number = p.m.items.iter().filter_map(|i| i.number).max().unwrap_or(0) + 1;
    let mut item = Item::new(Some(number), title);
    if p.form.lukket.is_some() {
        item.access = Access::Closed;
    }
    p.m.items.push(item);
    p.save(&state, &visitor).await
}

/// `POST /arbejde/{body}/{date}/flyt`: moves an item up or down and numbers the items
/// again in their new order.
pub async fn move_item(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, date)): Path<(String, String)>,
    f: Result<Form<MeetingForm>, FormRejection>,
) -> Result<Response, WebError> {
    let mut p = MeetingPost::read(&state, &visitor, &headers, (&body, &date), f).await?;
    let at =
        p.m.items
            .iter()
            .position(|i| i.id.is_some_and(|id| id.to_string() == p.form.punkt))
            .ok_or(WebError::NotFound)?;
    let to = match p.form.retning.as_str() {
        "op" if at > 0 => at - 1,
        "ned" if at + 1 < p.m.items.len() => at + 1,
        _ => return Ok(see_other(&editor_href(&p.body, p.m.date))),
    };
    p.m.items.swap(at, to);
    if p.m.items.iter().all(|i| i.number.is_some()) {
        for (k, item) in p.m.items.iter_mut().enumerate() {
            item.number = Some(k as u32 + 1);
        }
    }
    p.save(&state, &visitor).await
}

/// `POST /arbejde/{body}/{date}/offentliggoer`: publishes the agenda.
pub async fn publish(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, date)): Path<(String, String)>,
    f: Result<Form<MeetingForm>, FormRejection>,
) -> Result<Response, WebError> {
    let mut p = MeetingPost::read(&state, &visitor, &headers, (&body, &date), f).await?;
    if p.m.status != Some(MeetingStatus::Planned) {
        return p
            .refuse(&state, &visitor, "Dagsordenen er allerede offentliggjort.")
            .await;
    }
    if p.m.items.is_empty() {
        return p
            .refuse(&state, &visitor, "Dagsordenen har ingen punkter endnu.")
            .await;
    }
    // A closed item must say why it is closed and what the public may call it.
    if let Some(item) =
        p.m.items.iter().find(|i| {
            i.access.is_closed() && (i.closed_reason.is_none() || i.public_title.is_none())
        })
    {
        let message = format!(
            "Punkt {} er lukket, men mangler en begrundelse eller en offentlig titel. Ret punktet, før dagsordenen offentliggøres.",
            item.number
                .map_or_else(|| item.title.clone(), |n| n.to_string())
        );
        return p.refuse(&state, &visitor, message).await;
    }
    p.m.status = Some(MeetingStatus::AgendaPublished);
    p.publish(&state, &visitor, PublicationKind::Agenda).await
}

/// `POST /arbejde/{body}/{date}/referat`: the meeting is held; its minutes are published
/// and wait for the attendees' signatures.
pub async fn publish_minutes(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, date)): Path<(String, String)>,
    f: Result<Form<MeetingForm>, FormRejection>,
) -> Result<Response, WebError> {
    let mut p = MeetingPost::read(&state, &visitor, &headers, (&body, &date), f).await?;
    if p.m.status != Some(MeetingStatus::AgendaPublished) {
        return p.refuse(&state, &visitor,
            "Referatet kan offentliggøres, når dagsordenen er offentliggjort og mødet er holdt.",
        ).await;
    }
    p.m.kind = MeetingKind::Minutes;
    p.m.status = Some(MeetingStatus::Held);
    if p.m.forward_plan.is_empty() && p.m.awaiting_date.is_empty() {
        // The minutes carry the body's plan as it stands ("punkter til næste møde").
        for topic in state.store.topics(&p.body.code).await? {
            match topic.wanted_date {
                Some(date) if date > p.m.date => {
                    match p.m.forward_plan.iter_mut().find(|e| e.date == date) {
                        Some(entry) => entry.topics.push(topic.title),
                        None => p.m.forward_plan.push(protokol_core::ForwardPlanEntry {
                            date,
                            topics: vec![topic.title],
                        }),
                    }
                }
                Some(_) => {}
                None => p.m.awaiting_date.push(topic.title),
            }
        }
    }
    p.publish(&state, &visitor, PublicationKind::Minutes).await
}

/// `POST /arbejde/{body}/{date}/ny-udgave`: publishes the changes made since the newest
/// edition: a supplementary agenda when items were added, else a revised agenda; for
/// minutes waiting for signatures, revised minutes, which must be signed again.
pub async fn republish(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, date)): Path<(String, String)>,
    f: Result<Form<MeetingForm>, FormRejection>,
) -> Result<Response, WebError> {
    let mut p = MeetingPost::read(&state, &visitor, &headers, (&body, &date), f).await?;
    let Some(pending) = crate::editions::pending(&state, &p.m).await? else {
        return p
            .refuse(
                &state,
                &visitor,
                "Intet er ændret siden den seneste udgave, så der er ikke noget at offentliggøre.",
            )
            .await;
    };
    if pending.kind == PublicationKind::RevisedMinutes {
        // The members signed the text before the revision; they sign the new one.
        p.m.signatures.clear();
    }
    p.publish(&state, &visitor, pending.kind).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CorrectionForm {
    #[serde(default)]
    csrf: String,
    /// Item number, or empty for the whole minutes.
    #[serde(default)]
    punkt: String,
    #[serde(default)]
    tekst: String,
}

/// Longest correction text accepted.
const MAX_CORRECTION: usize = 4000;

/// `POST /arbejde/{body}/{date}/rettelse`: adds a dated correction to approved minutes.
pub async fn add_correction(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, date)): Path<(String, String)>,
    f: Result<Form<CorrectionForm>, FormRejection>,
) -> Result<Response, WebError> {
    let (m, v, body, actor) = meeting_for(&state, &visitor, &body, &date).await?;
    let f = form(f)?;
    check_form(&visitor, &headers, &f.csrf)?;
    let refuse = |field: &'static str, why: &str| (field, why.to_string());
    let text = f.tekst.trim();
    let item: Result<Option<u32>, _> = match f.punkt.trim() {
        "" => Ok(None),
        n => n
            .parse::<u32>()
            .ok()
            .filter(|n| m.items.iter().any(|i| i.number == Some(*n)))
            .map(Some)
            .ok_or_else(|| refuse("rettelse-punkt", "Mødet har ikke det punkt.")),
    };
    if m.status != Some(MeetingStatus::MinutesApproved) {
        let why = "Rettelser tilføjes til godkendte referater. Ret punktet direkte, så længe referatet ikke er godkendt.";
        return editor_page(&state, &visitor, &m, v, &body, Some(why.into()), None).await;
    }
    let problem = if text.is_empty() {
        Some(refuse("rettelse", "Skriv rettelsen."))
    } else if text.chars().count() > MAX_CORRECTION {
        Some(refuse("rettelse", "Rettelsen må højst have 4000 tegn."))
    } else {
        item.as_ref().err().cloned()
    };
    if let Some(problem) = problem {
        return editor_page(&state, &visitor, &m, v, &body, None, Some(problem)).await;
    }
    let id = m.id.ok_or(WebError::NotFound)?;
    state
        .store
        .add_correction(id, item.ok().flatten(), text, &actor)
        .await?;
    Ok(see_other(&editor_href(&body, m.date)))
}

// ---------------------------------------------------------------- one item

#[derive(Debug, Default, Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    titel: String,
    #[serde(default)]
    adgang: String,
    #[serde(default)]
    lukket_grund: String,
    #[serde(default)]
    offentlig_titel: String,
    #[serde(default)]
    offentlig_beslutning: String,
    #[serde(default)]
    sagsgang: String,
    #[serde(default)]
    sagsfremstilling: String,
    #[serde(default)]
    oekonomi: String,
    #[serde(default)]
    indstilling: String,
    #[serde(default)]
    beslutning: String,
    /// One of the standard decision phrases, put in front of `beslutning`.
    #[serde(default)]
    standardbeslutning: String,
    #[serde(default)]
    deltagere: String,
    #[serde(default)]
    opfoelgning: String,
    #[serde(default)]
    stemmer_for: String,
    #[serde(default)]
    stemmer_imod: String,
    #[serde(default)]
    stemmer_undlod: String,
    #[serde(default)]
    protokoltilfoersel: String,
    #[serde(default)]
    inhabil: String,
}

fn fields_of(item: &Item) -> ItemFields {
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    ItemFields {
        title: item.title.clone(),
        closed: item.access.is_closed(),
        closed_reason: text(&item.closed_reason),
        public_title: text(&item.public_title),
        public_decision: text(&item.public_decision),
        route: item.route.join(", "),
        case: text(&item.case),
        economy: text(&item.economy),
        recommendation: text(&item.recommendation),
        decision: text(&item.decision),
        participants: item.participants.join(", "),
        followups: followup_lines(&item.followups),
        votes_for: vote_text(item, VoteOption::For),
        votes_against: vote_text(item, VoteOption::Against),
        votes_abstain: vote_text(item, VoteOption::Abstain),
        dissents: item
            .dissents
            .iter()
            .map(|d| format!("{}: {}", d.member, d.text))
            .collect::<Vec<_>>()
            .join("\n"),
        disqualified: item.disqualified.join(", "),
    }
}

/// A vote option as the form shows it: "V, A, Jan Petersen (19)".
fn vote_text(item: &Item, option: VoteOption) -> String {
    let Some(v) = item.votes.iter().find(|v| v.option == option) else {
        return String::new();
    };
    let mut who: Vec<String> = v.parties.clone();
    who.extend(v.members.iter().cloned());
    let mut s = who.join(", ");
    if let Some(n) = v.count {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&format!("({n})"));
    }
    s
}

/// Reads "V, A, Jan Petersen (19)": party letters (up to three capitals), names, and an
/// optional count in brackets.
fn parse_vote(option: VoteOption, raw: &str) -> Result<Option<Vote>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let (list, count) = match raw.rfind('(') {
        Some(open) if raw.ends_with(')') => {
            let n = raw[open + 1..raw.len() - 1].trim();
            let n: u32 = n
                .parse()
                .map_err(|_| format!("Antallet i parentes skal være et tal, ikke \"{n}\"."))?;
            (&raw[..open], Some(n))
        }
        _ => (raw, None),
    };
    let mut parties = Vec::new();
    let mut members = Vec::new();
    for who in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let is_party = who.chars().count() <= 3 && who.chars().all(|c| c.is_uppercase());
        if is_party {
            parties.push(who.to_string());
        } else {
            members.push(who.to_string());
        }
    }
    Ok(Some(Vote {
        option,
        members,
        parties,
        count,
    }))
}

fn fields_from(f: &ItemForm) -> ItemFields {
    ItemFields {
        title: f.titel.trim().to_string(),
        closed: f.adgang == "lukket",
        closed_reason: f.lukket_grund.trim().to_string(),
        public_title: f.offentlig_titel.trim().to_string(),
        public_decision: f.offentlig_beslutning.trim().to_string(),
        route: f.sagsgang.trim().to_string(),
        case: f.sagsfremstilling.trim().replace("\r\n", "\n"),
        economy: f.oekonomi.trim().replace("\r\n", "\n"),
        recommendation: f.indstilling.trim().replace("\r\n", "\n"),
        decision: with_phrase(&f.standardbeslutning, &f.beslutning.replace("\r\n", "\n")),
        participants: f.deltagere.trim().to_string(),
        followups: f.opfoelgning.trim().replace("\r\n", "\n"),
        votes_for: f.stemmer_for.trim().to_string(),
        votes_against: f.stemmer_imod.trim().to_string(),
        votes_abstain: f.stemmer_undlod.trim().to_string(),
        dissents: f.protokoltilfoersel.trim().replace("\r\n", "\n"),
        disqualified: f.inhabil.trim().to_string(),
    }
}

/// Field problems, as (field, Danish message).
fn problems(f: &ItemFields) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if f.title.is_empty() {
        out.push(("titel", "Skriv punktets titel.".to_string()));
    }
    use limits::{NAME_CHARS, TEXT_CHARS, TITLE_CHARS};
    for (field, value, max) in [
        ("titel", &f.title, TITLE_CHARS),
        ("lukket_grund", &f.closed_reason, NAME_CHARS),
        ("offentlig_titel", &f.public_title, TITLE_CHARS),
        ("offentlig_beslutning", &f.public_decision, TEXT_CHARS),
        ("sagsgang", &f.route, NAME_CHARS),
        ("sagsfremstilling", &f.case, TEXT_CHARS),
        ("oekonomi", &f.economy, TEXT_CHARS),
        ("indstilling", &f.recommendation, TEXT_CHARS),
        ("beslutning", &f.decision, TEXT_CHARS),
        ("deltagere", &f.participants, TEXT_CHARS),
        ("opfoelgning", &f.followups, TEXT_CHARS),
        ("stemmer_for", &f.votes_for, TEXT_CHARS),
        ("stemmer_imod", &f.votes_against, TEXT_CHARS),
        ("stemmer_undlod", &f.votes_abstain, TEXT_CHARS),
        ("protokoltilfoersel", &f.dissents, TEXT_CHARS),
        ("inhabil", &f.disqualified, TEXT_CHARS),
    ] {
        if let Some(why) = crate::form_fields::too_long(value, max) {
            out.push((field, why));
        }
    }
    if !out.is_empty() {
        return out;
    }
    for (field, option, raw) in [
        ("stemmer_for", VoteOption::For, &f.votes_for),
        ("stemmer_imod", VoteOption::Against, &f.votes_against),
        ("stemmer_undlod", VoteOption::Abstain, &f.votes_abstain),
    ] {
        if let Err(why) = parse_vote(option, raw) {
            out.push((field, why));
        }
    }
    if let Err(why) = parse_lines(&f.followups, "opfølgningerne", true) {
        out.push(("opfoelgning", why));
    }
    if let Err(why) = parse_lines(&f.dissents, "protokoltilførsler", false) {
        out.push(("protokoltilfoersel", why));
    } else if parse_lines(&f.dissents, "", false)
        .map(|v| v.iter().any(|(_, t)| t.is_none()))
        .unwrap_or(false)
    {
        out.push((
            "protokoltilfoersel",
            "Skriv, hvad der skal føres til protokols, efter navnet og kolon.".to_string(),
        ));
    }
    if f.closed {
        if f.closed_reason.is_empty() {
            out.push((
                "lukket_grund",
                "Angiv hvorfor punktet er lukket (fx Personsag).".to_string(),
            ));
        }
        if f.public_title.is_empty() {
            out.push((
                "offentlig_titel",
                "Et lukket punkt skal have en offentlig titel.".to_string(),
            ));
        }
    }
    out
}

fn apply(item: &mut Item, f: &ItemFields, meeting_date: NaiveDate) {
    let opt = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    item.title = f.title.clone();
    item.access = if f.closed {
        Access::Closed
    } else {
        Access::Open
    };
    item.closed_reason = opt(&f.closed_reason).filter(|_| f.closed);
    item.public_title = opt(&f.public_title).filter(|_| f.closed);
    item.public_decision = opt(&f.public_decision).filter(|_| f.closed);
    item.route = f
        .route
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    item.case = opt(&f.case);
    item.economy = opt(&f.economy);
    item.recommendation = opt(&f.recommendation);
    item.decision = opt(&f.decision);
    item.participants = names(&f.participants);
    item.disqualified = names(&f.disqualified);
    // `problems` has checked these; a line that still does not parse is left out.
    item.followups = followups_from(&f.followups, &item.followups).unwrap_or_default();
    item.votes = [
        (VoteOption::For, &f.votes_for),
        (VoteOption::Against, &f.votes_against),
        (VoteOption::Abstain, &f.votes_abstain),
    ]
    .into_iter()
    .filter_map(|(o, raw)| parse_vote(o, raw).ok().flatten())
    .collect();
    item.dissents = parse_lines(&f.dissents, "", false)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(member, text)| text.map(|text| Dissent { member, text }))
        .collect();
    if item.decision.is_some() && item.decision_date.is_none() {
        item.decision_date = Some(meeting_date);
    }
}

/// The fields where the stored item and the secretary's edit differ.
fn conflict_rows(stored: &ItemFields, yours: &ItemFields) -> Vec<ConflictRow> {
    let yes_no = |b: bool| if b { "Lukket" } else { "Åben" }.to_string();
    [
        ("Titel", stored.title.clone(), yours.title.clone()),
        ("Adgang", yes_no(stored.closed), yes_no(yours.closed)),
        (
            "Lukket, fordi",
            stored.closed_reason.clone(),
            yours.closed_reason.clone(),
        ),
        (
            "Offentlig titel",
            stored.public_title.clone(),
            yours.public_title.clone(),
        ),
        (
            "Offentlig beslutning",
            stored.public_decision.clone(),
            yours.public_decision.clone(),
        ),
        ("Sagsgang", stored.route.clone(), yours.route.clone()),
        ("Sagsfremstilling", stored.case.clone(), yours.case.clone()),
        (
            "Økonomiske konsekvenser",
            stored.economy.clone(),
            yours.economy.clone(),
        ),
        (
            "Indstilling",
            stored.recommendation.clone(),
            yours.recommendation.clone(),
        ),
        (
            "Beslutning",
            stored.decision.clone(),
            yours.decision.clone(),
        ),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b)
    .map(|(label, stored, yours)| ConflictRow {
        label,
        stored,
        yours,
    })
    .collect()
}

pub(crate) struct ItemView<'a> {
    body: &'a Body,
    meeting: &'a Meeting,
    meeting_version: i64,
    item: &'a Item,
    version: i64,
    fields: ItemFields,
    errors: Vec<(&'static str, String)>,
    conflict: Vec<ConflictRow>,
}

impl<'a> ItemView<'a> {
    /// The item as stored, with `errors` next to their fields.
    pub(crate) fn plain(
        body: &'a Body,
        (meeting, meeting_version): (&'a Meeting, i64),
        (item, version): (&'a Item, i64),
        errors: Vec<(&'static str, String)>,
    ) -> Self {
        Self {
            body,
            meeting,
            meeting_version,
            item,
            version,
            fields: fields_of(item),
            errors,
            conflict: Vec::new(),
        }
    }
}

pub(crate) fn item_page(
    visitor: &Visitor,
    v: ItemView<'_>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let meeting_href = editor_href(v.body, v.meeting.date);
    let error = |field: &str| {
        v.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.clone())
    };
    let page = ItemEditorPage {
        title: format!("Redigér punkt – {}", v.item.title),
        nav: visitor.nav(),
        csrf: visitor.nav().csrf,
        body_name: v.body.name.clone(),
        date: long_date(v.meeting.date),
        action: format!(
            "{meeting_href}/punkt/{}",
            v.item.id.map(|i| i.to_string()).unwrap_or_default()
        ),
        meeting_href,
        number: v.item.number.map(|n| format!("{n}.")).unwrap_or_default(),
        version: v.version,
        meeting_version: v.meeting_version,
        title_error: error("titel"),
        reason_error: error("lukket_grund"),
        public_title_error: error("offentlig_titel"),
        followups_error: error("opfoelgning"),
        votes_for_error: error("stemmer_for"),
        votes_against_error: error("stemmer_imod"),
        votes_abstain_error: error("stemmer_undlod"),
        dissents_error: error("protokoltilfoersel"),
        postpone_error: error("udsaet"),
        attachment_number_error: error("bilag_nummer"),
        attachment_title_error: error("bilag_titel"),
        attachment_file_error: error("bilag_fil"),
        attachment_doc_error: error("bilag_dok"),
        next_attachment: v
            .item
            .attachments
            .iter()
            .map(|a| a.number)
            .max()
            .unwrap_or(0)
            + 1,
        attachments: v
            .item
            .attachments
            .iter()
            .map(|a| crate::view::AttachmentRow {
                number: a.number,
                title: a.title.clone(),
                closed: a.access.is_closed(),
                file: a.file.as_ref().map(|f| f.name.clone()).unwrap_or_default(),
            })
            .collect(),
        targets: visitor
            .session
            .as_ref()
            .map(|s| {
                s.account
                    .grants
                    .iter()
                    .filter(|g| g.role == protokol_core::Role::Secretary)
                    .map(|g| g.body.to_string())
                    .collect()
            })
            .unwrap_or_default(),
        this_body: v.body.code.to_string(),
        has_errors: v
            .errors
            .iter()
            .any(|(f, _)| !f.starts_with("bilag") && *f != "udsaet"),
        other_errors: v
            .errors
            .iter()
            .filter_map(|(f, m)| {
                let label = match *f {
                    "offentlig_beslutning" => "Offentlig beslutning",
                    "sagsgang" => "Sagsgang",
                    "sagsfremstilling" => "Sagsfremstilling",
                    "oekonomi" => "Økonomiske konsekvenser",
                    "indstilling" => "Indstilling",
                    "beslutning" => "Beslutning",
                    "deltagere" => "Deltagere",
                    "inhabil" => "Inhabil",
                    _ => return None,
                };
                Some(format!("{label}: {m}"))
            })
            .collect(),
        frozen: v.meeting.status == Some(MeetingStatus::MinutesApproved),
        fields: v.fields,
        conflict: v.conflict,
        phrases: STANDARD_DECISIONS,
        sub_points: v.item.schedule.len(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) fn find_item(m: &Meeting, id: &str) -> Result<Item, WebError> {
    let id: ItemId = id.parse().map_err(|_| WebError::NotFound)?;
    m.items
        .iter()
        .find(|i| i.id == Some(id))
        .cloned()
        .ok_or(WebError::NotFound)
}

/// The item `id` of the meeting and its stored version.
pub(crate) async fn item_with_version(
    state: &AppState,
    m: &Meeting,
    id: &str,
) -> Result<(Item, i64), WebError> {
    let item = find_item(m, id)?;
    let version = state
        .store
        .item_version(item.id.ok_or(WebError::NotFound)?)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((item, version))
}

/// `GET /arbejde/{body}/{date}/punkt/{id}`.
pub async fn item(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date, id)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let (m, mv, body, _) = meeting_for(&state, &visitor, &body, &date).await?;
    let (item, version) = item_with_version(&state, &m, &id).await?;
    let fields = fields_of(&item);
    item_page(
        &visitor,
        ItemView {
            body: &body,
            meeting: &m,
            meeting_version: mv,
            item: &item,
            version,
            fields,
            errors: Vec::new(),
            conflict: Vec::new(),
        },
        StatusCode::OK,
    )
}

/// `POST /arbejde/{body}/{date}/punkt/{id}`: saves the item if nobody changed it since the
/// form was opened.
pub async fn save_item(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, date, id)): Path<(String, String, String)>,
    f: Result<Form<ItemForm>, FormRejection>,
) -> Result<Response, WebError> {
    let (m, mv, body, actor) = meeting_for(&state, &visitor, &body, &date).await?;
    let f = form(f)?;
    check_form(&visitor, &headers, &f.csrf)?;
    let version: i64 = f
        .version
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest("Formularen mangler punktets version."))?;
    let stored = find_item(&m, &id)?;
    let item_id = stored.id.ok_or(WebError::NotFound)?;
    let fields = fields_from(&f);
    let errors = problems(&fields);
    if !errors.is_empty() {
        return item_page(
            &visitor,
            ItemView {
                body: &body,
                meeting: &m,
                meeting_version: mv,
                item: &stored,
                version,
                fields,
                errors,
                conflict: Vec::new(),
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let mut edited = stored.clone();
    apply(&mut edited, &fields, m.date);
    let meeting_id = m.id.ok_or(WebError::NotFound)?;
    match state
        .store
        .update_item(meeting_id, &edited, version, &actor)
        .await
    {
        Ok(_) => Ok(see_other(&editor_href(&body, m.date))),
        Err(StoreError::Conflict { current, .. }) => {
            // Someone saved first: show both versions; the form keeps the secretary's text
            // and now carries the current version, so saving again is a deliberate choice.
            let (fresh, fresh_version) = state
                .store
                .meeting_on(&body.code, m.date)
                .await?
                .ok_or(WebError::NotFound)?;
            let now = find_item(&fresh, &item_id.to_string())?;
            let conflict = conflict_rows(&fields_of(&now), &fields);
            item_page(
                &visitor,
                ItemView {
                    body: &body,
                    meeting: &fresh,
                    meeting_version: fresh_version,
                    item: &now,
                    version: current,
                    fields,
                    errors: Vec::new(),
                    conflict,
                },
                StatusCode::CONFLICT,
            )
        }
        Err(StoreError::Rejected(why)) => {
            tracing::info!(%why, "item edit refused");
            item_page(
                &visitor,
                ItemView {
                    body: &body,
                    meeting: &m,
                    meeting_version: mv,
                    item: &stored,
                    version,
                    fields,
                    errors: vec![(
                        "titel",
                        "Punktet kunne ikke gemmes, fordi indholdet ikke er gyldigt.".into(),
                    )],
                    conflict: Vec::new(),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PostponeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    /// Target body code.
    #[serde(default)]
    udvalg: String,
    /// Target date, YYYY-MM-DD.
    #[serde(default)]
    dato: String,
}

/// `POST /arbejde/{body}/{date}/punkt/{id}/udsaet`: postpones the item to a later meeting of
/// this or another body the secretary prepares. The item gets "Udsat." (unless it has a
/// decision) and a next step; the target meeting (planned now if it does not exist) gets a
/// copy with its texts and attachments. Both are stored together or not at all.
pub async fn postpone(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, date, id)): Path<(String, String, String)>,
    f: Result<Form<PostponeForm>, FormRejection>,
) -> Result<Response, WebError> {
    let (mut m, v, body, actor) = meeting_for(&state, &visitor, &body, &date).await?;
    let f = form(f)?;
    check_form(&visitor, &headers, &f.csrf)?;
    let version = version_of(&f.version)?;
    let item = find_item(&m, &id)?;
    let item_id = item.id.ok_or(WebError::NotFound)?;
    let account = signed_in(&visitor, "/arbejde")?;
    let item_version = state
        .store
        .item_version(item_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let refuse = |message: String| {
        refused_postpone(&visitor, &body, (&m, v), (&item, item_version), message)
    };
    let Some(target_body) = state
        .store
        .bodies()
        .await?
        .into_iter()
        .find(|b| b.code.as_str() == f.udvalg.trim() && account.may_prepare(&b.code))
    else {
        return refuse("Vælg et udvalg, du er sekretær for.".into());
    };
    let target_date = match crate::form_fields::date(&f.dato) {
        Ok(d) => d,
        Err(why) => return refuse(why),
    };
    if target_date <= m.date {
        return refuse("Punktet kan kun udsættes til et senere møde.".into());
    }
    let existing = state
        .store
        .meeting_on(&target_body.code, target_date)
        .await?;
    let (mut target, target_version) = match existing {
        Some((t, tv)) => {
            if !matches!(
                t.status,
                Some(MeetingStatus::Planned | MeetingStatus::AgendaPublished)
            ) {
                return refuse(format!(
                    "{} {} er allerede holdt; vælg et senere møde.",
                    target_body.name,
                    long_date(target_date).to_lowercase()
                ));
            }
            (t, Some(tv))
        }
        None => (plan(&state, &target_body, target_date).await?, None),
    };
    // The copy for the target meeting: texts and attachments, no decision yet.
    let mut copy = item.clone();
    copy.id = None;
    copy.number = Some(
        target
            .items
            .iter()
            .filter_map(|i| i.number)
            .max()
            .unwrap_or(0)
            + 1,
    );
    copy.decision = None;
    copy.decision_date = None;
    copy.public_decision = None;
    copy.next.clear();
    copy.followups.clear();
    copy.votes.clear();
    copy.dissents.clear();
    copy.absent.clear();
    copy.disqualified.clear();
    target.items.push(copy);
    // The source item says where it went.
    let slot = m
        .items
        .iter_mut()
        .find(|i| i.id == Some(item_id))
        .ok_or(WebError::NotFound)?;
    slot.next.push(protokol_core::NextStep {
        body: target_body.name.clone(),
        date: target_date,
        kind: protokol_core::NextKind::Postponed,
    });
    if slot.decision.is_none() {
        slot.decision = Some("Udsat.".into());
        slot.decision_date = Some(m.date);
    }
    match state
        .store
        .postpone(&m, version, &target, target_version, &actor)
        .await
    {
        Ok(_) => Ok(see_other(&editor_href(&target_body, target_date))),
        Err(StoreError::Conflict { .. }) => {
            let (current, cv) = state
                .store
                .meeting_on(&body.code, m.date)
                .await?
                .ok_or(WebError::NotFound)?;
            editor_page(
                &state,
                &visitor,
                &current,
                cv,
                &body,
                Some(STALE.into()),
                None,
            )
            .await
        }
        Err(StoreError::Rejected(why)) => {
            tracing::info!(%why, "postponing refused");
            let (current, cv) = state
                .store
                .meeting_on(&body.code, m.date)
                .await?
                .ok_or(WebError::NotFound)?;
            let item = find_item(&current, &item_id.to_string())?;
            refused_postpone(
                &visitor,
                &body,
                (&current, cv),
                (&item, item_version),
                "Punktet kunne ikke udsættes til det møde.".into(),
            )
        }
        Err(e) => Err(e.into()),
    }
}

fn refused_postpone(
    visitor: &Visitor,
    body: &Body,
    (m, meeting_version): (&Meeting, i64),
    (item, version): (&Item, i64),
    message: String,
) -> Result<Response, WebError> {
    item_page(
        visitor,
        ItemView {
            body,
            meeting: m,
            meeting_version,
            item,
            version,
            fields: fields_of(item),
            errors: vec![("udsaet", message)],
            conflict: Vec::new(),
        },
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}
