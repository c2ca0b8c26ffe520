//! The timed sub-points of an item in the workspace (`/arbejde/{body}/{date}/punkt/{id}/tidsplan`):
//! the "Tid / Punkt" table of an agenda item, each row with its time, title, text, the
//! guests taking part, its own decision (with the standard phrases) and follow-ups.
//!
//! The whole table is one form saved against the item's version, like the item editor: a
//! save based on an old version is refused and the page shows what is stored now; a row
//! with an impossible time ("25:61") or without a title is marked and nothing is saved.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use protokol_core::danish::long_date;
use protokol_core::{Body, Item, Meeting, MeetingStatus, SubPoint};
use protokol_store::StoreError;

use crate::AppState;
use crate::error::WebError;
use crate::form_fields::{
    STANDARD_DECISIONS, clock, followup_lines, followups_from, names, with_phrase,
};
use crate::visitor::Nav;
use crate::visitor::Visitor;
use crate::workspace::{
    check_form, editor_href, find_item, item_with_version, meeting_for, see_other,
};

/// Most rows one form may carry; a larger count is a forged form.
const MAX_ROWS: usize = 200;

/// One row of the form, as typed.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub time: String,
    pub title: String,
    pub text: String,
    pub guests: String,
    pub decision: String,
    pub followups: String,
}

impl Row {
    fn of(sp: &SubPoint) -> Self {
        Self {
            time: sp.time.map(|t| t.to_string()).unwrap_or_default(),
            title: sp.title.clone(),
            text: sp.text.clone().unwrap_or_default(),
            guests: sp.participants.join(", "),
            decision: sp.decision.clone().unwrap_or_default(),
            followups: followup_lines(&sp.followups),
        }
    }

    fn is_blank(&self) -> bool {
        [
            &self.time,
            &self.title,
            &self.text,
            &self.guests,
            &self.decision,
            &self.followups,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

/// A row on the page with its messages.
pub struct RowView {
    pub index: usize,
    pub legend: String,
    pub row: Row,
    pub existing: bool,
    pub time_error: Option<String>,
    pub title_error: Option<String>,
    pub followups_error: Option<String>,
    /// Problems with the row's other fields (text, guests, decision), named by field.
    pub other_errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "workspace_schedule.html")]
pub struct SchedulePage {
    pub title: String,
    pub nav: Nav,
    pub csrf: String,
    pub body_name: String,
    pub date: String,
    pub meeting_href: String,
    pub item_href: String,
    pub heading: String,
    pub version: i64,
    pub rows: Vec<RowView>,
    pub phrases: &'static [&'static str],
    pub frozen: bool,
    pub has_errors: bool,
    /// Set when someone else saved first: the table as stored now.
    pub conflict: Option<Vec<Row>>,
    pub refused: Option<String>,
}

struct View<'a> {
    body: &'a Body,
    meeting: &'a Meeting,
    item: &'a Item,
    version: i64,
    rows: Vec<(Row, bool)>,
    errors: HashMap<(usize, &'static str), String>,
    conflict: Option<Vec<Row>>,
    refused: Option<String>,
}

fn page(visitor: &Visitor, v: View<'_>, status: StatusCode) -> Result<Response, WebError> {
    let meeting_href = editor_href(v.body, v.meeting.date);
    let item_href = format!(
        "{meeting_href}/punkt/{}",
        v.item.id.map(|i| i.to_string()).unwrap_or_default()
    );
    let number = v.item.number.map(|n| format!("{n}. ")).unwrap_or_default();
    let frozen = v.meeting.status == Some(MeetingStatus::MinutesApproved);
    let mut rows: Vec<RowView> = v
        .rows
        .into_iter()
        .enumerate()
        .map(|(index, (row, existing))| RowView {
            index,
            legend: if existing {
                format!("Underpunkt {}", index + 1)
            } else {
                "Nyt underpunkt".to_string()
            },
            time_error: v.errors.get(&(index, "tid")).cloned(),
            title_error: v.errors.get(&(index, "titel")).cloned(),
            followups_error: v.errors.get(&(index, "opfoelgning")).cloned(),
            other_errors: [
                ("tekst", "Tekst"),
                ("gaester", "Gæster og deltagere"),
                ("beslutning", "Beslutning"),
            ]
            .iter()
            .filter_map(|(f, label)| v.errors.get(&(index, *f)).map(|e| format!("{label}: {e}")))
            .collect(),
            row,
            existing,
        })
        .collect();
    if frozen {
        rows.retain(|r| r.existing);
    }
    let p = SchedulePage {
        title: format!("Tidsplan – {}", v.item.title),
        nav: visitor.nav(),
        csrf: visitor.nav().csrf,
        body_name: v.body.name.clone(),
        date: long_date(v.meeting.date),
        meeting_href,
        item_href: item_href.clone(),
        heading: format!("Tidsplan for punkt {number}{}", v.item.title),
        version: v.version,
        rows,
        phrases: STANDARD_DECISIONS,
        frozen,
        has_errors: !v.errors.is_empty(),
        conflict: v.conflict,
        refused: v.refused,
    };
    Ok((status, Html(p.render()?)).into_response())
}

/// The stored sub-points as rows, and one blank row to add a new one.
fn stored_rows(item: &Item) -> Vec<(Row, bool)> {
    let mut rows: Vec<(Row, bool)> = item.schedule.iter().map(|s| (Row::of(s), true)).collect();
    rows.push((Row::default(), false));
    rows
}

/// `GET /arbejde/{body}/{date}/punkt/{id}/tidsplan`.
pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date, id)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let (m, _, body, _) = meeting_for(&state, &visitor, &body, &date).await?;
    let (item, version) = item_with_version(&state, &m, &id).await?;
    page(
        &visitor,
        View {
            body: &body,
            meeting: &m,
            item: &item,
            version,
            rows: stored_rows(&item),
            errors: HashMap::new(),
            conflict: None,
            refused: None,
        },
        StatusCode::OK,
    )
}

/// The rows of a submitted form, and for each whether the secretary asked to remove it.
fn rows_of(fields: &HashMap<String, String>) -> Result<Vec<(Row, bool)>, WebError> {
    let count: usize = fields
        .get("raekker")
        .and_then(|n| n.trim().parse().ok())
        .filter(|n| *n <= MAX_ROWS)
        .ok_or(WebError::BadRequest(
            "Formularen mangler antallet af rækker.",
        ))?;
    let get = |name: &str, i: usize| {
        fields
            .get(&format!("{name}_{i}"))
            .map(|s| s.replace("\r\n", "\n").trim().to_string())
            .unwrap_or_default()
    };
    Ok((0..count)
        .map(|i| {
            let row = Row {
                time: get("tid", i),
                title: get("titel", i),
                text: get("tekst", i),
                guests: get("gaester", i),
                decision: with_phrase(&get("standard", i), &get("beslutning", i)),
                followups: get("opfoelgning", i),
            };
            (row, get("fjern", i) == "ja")
        })
        .collect())
}

/// The new table from the rows, or the messages per (row, field).
fn schedule_from(
    rows: &[(Row, bool)],
    stored: &[SubPoint],
) -> Result<Vec<SubPoint>, HashMap<(usize, &'static str), String>> {
    let mut errors = HashMap::new();
    let mut out = Vec::new();
    for (i, (row, remove)) in rows.iter().enumerate() {
        if *remove || row.is_blank() {
            continue;
        }
        let time = clock(&row.time).unwrap_or_else(|why| {
            errors.insert((i, "tid"), why);
            None
        });
        if row.title.is_empty() {
            errors.insert((i, "titel"), "Skriv underpunktets titel.".to_string());
        }
        use protokol_core::limits::{TEXT_CHARS, TITLE_CHARS};
        for (field, value, max) in [
            ("titel", &row.title, TITLE_CHARS),
            ("tekst", &row.text, TEXT_CHARS),
            ("beslutning", &row.decision, TEXT_CHARS),
            ("gaester", &row.guests, TEXT_CHARS),
            ("opfoelgning", &row.followups, TEXT_CHARS),
        ] {
            if let Some(why) = crate::form_fields::too_long(value, max) {
                errors.insert((i, field), why);
            }
        }
        let before = stored.get(i);
        let followups = followups_from(
            &row.followups,
            before.map(|b| b.followups.as_slice()).unwrap_or_default(),
        )
        .unwrap_or_else(|why| {
            errors.insert((i, "opfoelgning"), why);
            Vec::new()
        });
        let text = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        out.push(SubPoint {
            id: before.and_then(|b| b.id),
            time,
            title: row.title.clone(),
            text: text(&row.text),
            decision: text(&row.decision),
            participants: names(&row.guests),
            followups,
            next: before.map(|b| b.next.clone()).unwrap_or_default(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // A table where every row has a time reads in time order.
    if out.iter().all(|s| s.time.is_some()) {
        out.sort_by_key(|s| s.time);
    }
    Ok(out)
}

/// `POST /arbejde/{body}/{date}/punkt/{id}/tidsplan`: saves the whole table if nobody
/// changed the item since the form was opened.
pub async fn save(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, date, id)): Path<(String, String, String)>,
    f: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, WebError> {
    let (m, _, body, actor) = meeting_for(&state, &visitor, &body, &date).await?;
    let Form(pairs) = f.map_err(|_| WebError::BadRequest("Formularen kunne ikke læses."))?;
    let fields: HashMap<String, String> = pairs.into_iter().collect();
    check_form(
        &visitor,
        &headers,
        fields.get("csrf").map(String::as_str).unwrap_or(""),
    )?;
    let version: i64 = fields
        .get("version")
        .and_then(|v| v.trim().parse().ok())
        .ok_or(WebError::BadRequest("Formularen mangler punktets version."))?;
    let stored = find_item(&m, &id)?;
    let item_href = format!(
        "{}/punkt/{}",
        editor_href(&body, m.date),
        stored.id.map(|i| i.to_string()).unwrap_or_default()
    );
    let rows = rows_of(&fields)?;
    let view = |rows: Vec<(Row, bool)>, errors, conflict, refused| View {
        body: &body,
        meeting: &m,
        item: &stored,
        version,
        rows,
        errors,
        conflict,
        refused,
    };
    let shown = |rows: &[(Row, bool)]| -> Vec<(Row, bool)> {
        rows.iter()
            .filter(|(_, remove)| !remove)
            .enumerate()
            .map(|(i, (r, _))| (r.clone(), i < stored.schedule.len()))
            .collect()
    };
    let schedule = match schedule_from(&rows, &stored.schedule) {
        Ok(s) => s,
        Err(errors) => {
            // Show the rows as typed, in place, so each message sits by its field.
            let as_typed = rows
                .iter()
                .enumerate()
                .map(|(i, (r, _))| (r.clone(), i < stored.schedule.len()))
                .collect();
            return page(
                &visitor,
                view(as_typed, errors, None, None),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let mut edited = stored.clone();
    edited.schedule = schedule;
    let meeting_id = m.id.ok_or(WebError::NotFound)?;
    match state
        .store
        .update_item(meeting_id, &edited, version, &actor)
        .await
    {
        Ok(_) => Ok(see_other(&format!("{item_href}/tidsplan"))),
        Err(StoreError::Conflict { current, .. }) => {
            let (fresh, _) = state
                .store
                .meeting_on(&body.code, m.date)
                .await?
                .ok_or(WebError::NotFound)?;
            let now = find_item(&fresh, &id)?;
            let mut v = view(
                shown(&rows),
                HashMap::new(),
                Some(now.schedule.iter().map(Row::of).collect()),
                None,
            );
            v.version = current;
            page(&visitor, v, StatusCode::CONFLICT)
        }
        Err(StoreError::Rejected(why)) => {
            tracing::info!(%why, "sub-point edit refused");
            let refused = if m.status == Some(MeetingStatus::MinutesApproved) {
                "Referatet er godkendt, så tidsplanen kan ikke ændres.".to_string()
            } else {
                "Tidsplanen kunne ikke gemmes, fordi indholdet ikke er gyldigt.".to_string()
            };
            page(
                &visitor,
                view(shown(&rows), HashMap::new(), None, Some(refused)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(time: &str, title: &str) -> (Row, bool) {
        (
            Row {
                time: time.into(),
                title: title.into(),
                ..Row::default()
            },
            false,
        )
    }

    #[test]
    fn rows_become_sub_points_in_time_order_and_blank_or_removed_rows_go() {
        let mut removed = row("08:00", "Fjernes");
        removed.1 = true;
        let rows = [
            row("10.30", "Budget"),
            row("9:00", "Velkomst"),
            removed,
            row("", ""),
        ];
        let s = schedule_from(&rows, &[]).unwrap();
        let got: Vec<_> = s
            .iter()
            .map(|s| (s.time.unwrap().to_string(), s.title.as_str()))
            .collect();
        assert_eq!(
            got,
            [("09:00".into(), "Velkomst"), ("10:30".into(), "Budget")]
        );
    }

    #[test]
    fn an_impossible_time_and_a_missing_title_are_marked_on_their_row() {
        let rows = [row("25:61", "Budget"), row("11:00", "")];
        let errors = schedule_from(&rows, &[]).unwrap_err();
        assert!(errors[&(0, "tid")].contains("25:61"));
        assert!(errors[&(1, "titel")].contains("titel"));
        assert_eq!(errors.len(), 2);
    }
}
