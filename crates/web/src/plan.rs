//! A body's forward plan in the workspace (`/arbejde/{body}/plan`): the coming meetings,
//! topics wanted for a date and topics awaiting one, the plan written in the newest
//! minutes, and pulling a topic into a draft agenda.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use protokol_core::danish::{day_month_year, long_date, slug};
use protokol_core::{Body, MeetingStatus};
use protokol_store::StoreError;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::pages::body_by_slug;
use crate::visitor::{Nav, Visitor};
use crate::workspace::{check_form, editor_href, form, secretary, see_other, status_label};

/// A draft meeting a topic can be pulled into.
pub struct DraftChoice {
    /// "2026-12-02@7": date and the meeting's version.
    pub value: String,
    pub label: String,
}

pub struct TopicRow {
    pub id: i64,
    pub title: String,
    pub date: String,
    /// The draft to preselect: the one on the wanted date.
    pub preselect: String,
}

pub struct ComingMeeting {
    pub href: String,
    pub date: String,
    pub status: &'static str,
}

/// A topic written in the newest minutes' plan, offered for the plan here.
pub struct Suggestion {
    pub title: String,
    pub date: String,
    pub date_label: String,
}

#[derive(Template)]
#[template(path = "workspace_plan.html")]
pub struct PlanPage {
    pub title: String,
    pub nav: Nav,
    pub csrf: String,
    pub body_name: String,
    pub action: String,
    pub coming: Vec<ComingMeeting>,
    /// Dated topics by date, then those awaiting a date.
    pub topics: Vec<TopicRow>,
    /// How many await a date.
    pub awaiting: usize,
    pub drafts: Vec<DraftChoice>,
    pub suggestions: Vec<Suggestion>,
    pub suggestions_from: String,
    pub title_value: String,
    pub date_value: String,
    pub title_error: Option<String>,
    pub date_error: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TopicForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    titel: String,
    #[serde(default)]
    dato: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct PullForm {
    #[serde(default)]
    csrf: String,
    /// "YYYY-MM-DD@version" of the draft meeting.
    #[serde(default)]
    moede: String,
}

/// What a refused form shows again.
#[derive(Default)]
struct Refused {
    title_value: String,
    date_value: String,
    title_error: Option<String>,
    date_error: Option<String>,
    message: Option<String>,
}

fn plan_href(body: &Body) -> String {
    format!("/arbejde/{}/plan", slug(&body.name))
}

async fn plan_page(
    state: &AppState,
    visitor: &Visitor,
    body: &Body,
    refused: Option<Refused>,
) -> Result<Response, WebError> {
    let today = protokol_core::danish::today();
    // Bounded lookups by index: the coming meetings, and the newest before today.
    let coming = state.store.meetings_from(&body.code, today, 50).await?;
    let past = state
        .store
        .meetings_before(&body.code, Some(today), 20)
        .await?;
    let drafts: Vec<DraftChoice> = coming
        .iter()
        .filter(|m| m.status == Some(MeetingStatus::Planned))
        .map(|m| DraftChoice {
            value: format!("{}@{}", m.date, m.version),
            label: long_date(m.date),
        })
        .collect();
    let row = |t: protokol_store::Topic| TopicRow {
        id: t.id,
        date: t.wanted_date.map(day_month_year).unwrap_or_default(),
        preselect: t
            .wanted_date
            .and_then(|d| drafts.iter().find(|c| c.value.starts_with(&d.to_string())))
            .map(|c| c.value.clone())
            .unwrap_or_default(),
        title: t.title,
    };
    let (dated, awaiting): (Vec<_>, Vec<_>) = state
        .store
        .topics(&body.code)
        .await?
        .into_iter()
        .partition(|t| t.wanted_date.is_some());
    let dated: Vec<TopicRow> = dated.into_iter().map(row).collect();
    let awaiting: Vec<TopicRow> = awaiting.into_iter().map(row).collect();
    // The plan written in the newest minutes that have one (imported or earlier), for
    // topics not on the plan yet.
    let mut suggestions = Vec::new();
    let mut suggestions_from = String::new();
    let on_plan = |title: &str| {
        dated
            .iter()
            .chain(awaiting.iter())
            .any(|t| t.title.to_lowercase() == title.to_lowercase())
    };
    for s in coming.iter().filter(|m| m.date == today).chain(past.iter()) {
        let Some((m, _)) = state.store.meeting(s.id).await? else {
            continue;
        };
        if m.forward_plan.is_empty() && m.awaiting_date.is_empty() {
            continue;
        }
        suggestions_from = format!("referatet af {}", day_month_year(m.date));
        for entry in &m.forward_plan {
            for topic in &entry.topics {
                if entry.date >= today && !on_plan(topic) {
                    suggestions.push(Suggestion {
                        title: topic.clone(),
                        date: entry.date.to_string(),
                        date_label: day_month_year(entry.date),
                    });
                }
            }
        }
        for topic in &m.awaiting_date {
            if !on_plan(topic) {
                suggestions.push(Suggestion {
                    title: topic.clone(),
                    date: String::new(),
                    date_label: "afventer dato".into(),
                });
            }
        }
        break;
    }
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let r = refused.unwrap_or_default();
    let page = PlanPage {
        title: format!("Plan for {}", body.name),
        nav: visitor.nav(),
        csrf: visitor.nav().csrf,
        body_name: body.name.clone(),
        action: plan_href(body),
        coming: coming
            .iter()
            .map(|m| ComingMeeting {
                href: editor_href(body, m.date),
                date: long_date(m.date),
                status: status_label(m.status),
            })
            .collect(),
        awaiting: awaiting.len(),
        topics: dated.into_iter().chain(awaiting).collect(),
        drafts,
        suggestions,
        suggestions_from,
        title_value: r.title_value,
        date_value: r.date_value,
        title_error: r.title_error,
        date_error: r.date_error,
        message: r.message,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /arbejde/{body}/plan`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(body): Path<String>,
) -> Result<Response, WebError> {
    let body = body_by_slug(&state, &body).await?;
    secretary(&visitor, &body, &plan_href(&body))?;
    plan_page(&state, &visitor, &body, None).await
}

/// `POST /arbejde/{body}/plan`: adds a topic, for a date or awaiting one.
pub async fn add(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(body): Path<String>,
    f: Result<Form<TopicForm>, FormRejection>,
) -> Result<Response, WebError> {
    let body = body_by_slug(&state, &body).await?;
    let account = secretary(&visitor, &body, &plan_href(&body))?;
    let actor = account.username.clone();
    let f = form(f)?;
    check_form(&visitor, &headers, &f.csrf)?;
    let title = f.titel.trim();
    let date = match f.dato.trim() {
        "" => Ok(None),
        d => crate::form_fields::date(d).map(Some),
    };
    let title_error = if title.is_empty() {
        Some("Skriv emnets titel.".to_string())
    } else {
        crate::form_fields::too_long(title, protokol_core::limits::TITLE_CHARS)
    };
    let date = match (date, title_error) {
        (Ok(date), None) => date,
        (date, title_error) => {
            let refused = Refused {
                title_value: f.titel.clone(),
                date_value: f.dato.clone(),
                title_error,
                date_error: date.err(),
                message: None,
            };
            return plan_page(&state, &visitor, &body, Some(refused)).await;
        }
    };
    state
        .store
        .add_topic(&body.code, title, date, &actor)
        .await?;
    Ok(see_other(&plan_href(&body)))
}

/// `POST /arbejde/{body}/plan/{topic}/dagsorden`: puts the topic on a draft agenda.
pub async fn pull(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, topic)): Path<(String, String)>,
    f: Result<Form<PullForm>, FormRejection>,
) -> Result<Response, WebError> {
    let body = body_by_slug(&state, &body).await?;
    let account = secretary(&visitor, &body, &plan_href(&body))?;
    let actor = account.username.clone();
    let f = form(f)?;
    check_form(&visitor, &headers, &f.csrf)?;
    let topic: i64 = topic.parse().map_err(|_| WebError::NotFound)?;
    let refuse = |message: &str| Refused {
        message: Some(message.to_string()),
        ..Refused::default()
    };
    let Some((date, version)) = f
        .moede
        .split_once('@')
        .and_then(|(d, v)| Some((protokol_core::parse_date(d).ok()?, v.parse::<i64>().ok()?)))
    else {
        let r = refuse("Vælg den kladde til en dagsorden, emnet skal på.");
        return plan_page(&state, &visitor, &body, Some(r)).await;
    };
    let Some((m, _)) = state.store.meeting_on(&body.code, date).await? else {
        return Err(WebError::NotFound);
    };
    let id = m.id.ok_or(WebError::NotFound)?;
    let message = match state.store.pull_topic(topic, id, version, &actor).await {
        Ok(_) => return Ok(see_other(&editor_href(&body, date))),
        Err(StoreError::Conflict { .. }) => {
            "Dagsordenen er ændret, siden du åbnede planen. Prøv igen."
        }
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        Err(StoreError::Rejected(why)) => {
            tracing::info!(%why, "topic not pulled");
            if why.contains("draft agendas only") {
                "Dagsordenen er allerede offentliggjort. Emnet kan kun sættes på en kladde."
            } else if why.contains("already on an agenda") {
                "Emnet er allerede sat på en dagsorden."
            } else {
                "Emnet hører til et andet udvalgs plan."
            }
        }
        Err(e) => return Err(e.into()),
    };
    plan_page(&state, &visitor, &body, Some(refuse(message))).await
}
