//! Request handlers for the public pages.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use chrono::{Datelike, NaiveDate};
use protokol_core::danish::{long_date, slug};
use protokol_core::{Body, Viewer};
use protokol_store::MeetingSummary;

use crate::AppState;
use crate::error::WebError;
use crate::view::{
    AccessibilityPage, BodyLinks, BodyPage, IndexPage, MeetingLink, Year, kind_label, meeting_page,
};

type Page = Result<Html<String>, WebError>;

/// Who is asking. Until sign-in exists, everyone is the public.
fn viewer() -> Viewer {
    Viewer::Public
}

fn link(body: &str, m: &MeetingSummary) -> MeetingLink {
    MeetingLink {
        href: format!("/{}/{}", slug(body), m.date.format("%Y-%m-%d")),
        date: long_date(m.date),
        kind: kind_label(m.kind),
        items: m.items,
    }
}

async fn body_by_slug(state: &AppState, wanted: &str) -> Result<Body, WebError> {
    state
        .store
        .bodies()
        .await?
        .into_iter()
        .find(|b| slug(&b.name) == wanted)
        .ok_or(WebError::NotFound)
}

pub async fn index(State(state): State<AppState>) -> Page {
    let meetings = state.store.meetings().await?;
    let mut bodies: Vec<BodyLinks> = Vec::new();
    for m in &meetings {
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
            bodies,
        }
        .render()?,
    ))
}

pub async fn body(State(state): State<AppState>, Path(body): Path<String>) -> Page {
    let body = body_by_slug(&state, &body).await?;
    let mut years: BTreeMap<i32, Vec<MeetingLink>> = BTreeMap::new();
    for m in state.store.meetings_of(&body.code).await? {
        years
            .entry(m.date.year())
            .or_default()
            .push(link(&body.name, &m));
    }
    Ok(Html(
        BodyPage {
            title: body.name.clone(),
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

pub async fn meeting(
    State(state): State<AppState>,
    Path((body, date)): Path<(String, String)>,
) -> Page {
    let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|_| {
        WebError::BadRequest("Datoen i adressen skal skrives som ÅÅÅÅ-MM-DD, fx 2023-09-06.")
    })?;
    let body = body_by_slug(&state, &body).await?;
    let (meeting, _) = state
        .store
        .meeting_on(&body.code, date)
        .await?
        .ok_or(WebError::NotFound)?;
    let visible = meeting.visible_to(&viewer(), &body.settings);
    Ok(Html(meeting_page(&visible).render()?))
}

pub async fn accessibility() -> Page {
    Ok(Html(
        AccessibilityPage {
            title: "Tilgængelighedserklæring",
        }
        .render()?,
    ))
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}
