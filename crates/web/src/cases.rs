//! The case page `/sag/{key}`: one matter (the public items that print the same case
//! number) across bodies, each treatment in date order with its decision, and where it
//! goes next. Read from the published record: a closed treatment shows its public title
//! and public decision; a signed-in member also sees the closed treatments (with case
//! number) of the bodies whose closed content they may read.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use protokol_core::danish::{long_date, today};
use protokol_core::item::NextKind;
use protokol_store::open_data::CHAIN_PREFIX;

use crate::AppState;
use crate::error::WebError;
use crate::visitor::{Nav, Visitor};

pub struct TreatmentLine {
    pub href: String,
    pub body: String,
    pub date: String,
    pub number: Option<u32>,
    pub title: String,
    pub decision: Option<String>,
    pub next: Vec<String>,
    /// The meeting's date, to order treatments.
    pub sort: chrono::NaiveDate,
    /// A closed item's public line (its body publishes closed items' case numbers).
    pub closed_public: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    pub nav: Nav,
    pub title: String,
    pub number: String,
    pub treatments: Vec<TreatmentLine>,
    /// Treatments announced for a date still to come, not yet on a public agenda.
    pub coming: Vec<String>,
    pub api: String,
}

/// How much of a decision the case page shows: its first paragraph, at most this many
/// characters (the item's page has it whole).
const DECISION_CHARS: usize = 300;

fn short(decision: &str) -> String {
    let first = decision.trim().split("\n\n").next().unwrap_or("").trim();
    let mut out: String = first.chars().take(DECISION_CHARS).collect();
    if out.len() < decision.trim().len() {
        out.push_str(" …");
    }
    out
}

fn next_words(kind: NextKind) -> &'static str {
    match kind {
        NextKind::Postponed => "udsat til",
        NextKind::Continued => "behandles i",
    }
}

/// `GET /sag/{key}`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let treatments = state.store.open_case(&key).await?;
    // A signed-in member also sees the closed treatments in their own bodies, as stored
    // (only for a printed number: a case followed by next steps has no closed treatments);
    // a case whose every treatment is closed exists only for them.
    let viewer = visitor.viewer();
    let closed: Vec<_> = if visitor.session.is_some() && !key.starts_with(CHAIN_PREFIX) {
        state
            .store
            .closed_treatments(&key)
            .await?
            .into_iter()
            .filter(|c| viewer.sees_closed_of(&c.body_code))
            .collect()
    } else {
        Vec::new()
    };
    let (title, number) = match (treatments.first(), closed.first()) {
        (Some(first), _) => (
            first
                .meeting
                .record
                .meeting
                .items
                .get(first.position)
                .map(|i| i.title.clone())
                .ok_or(WebError::NotFound)?,
            first.case_number.clone(),
        ),
        (None, Some(c)) => (c.title.clone(), c.case_number.clone()),
        (None, None) => return Err(WebError::NotFound),
    };
    let mut lines = Vec::new();
    let mut announced = Vec::new();
    for t in &treatments {
        let s = &t.meeting.summary;
        let Some(item) = t.meeting.record.meeting.items.get(t.position) else {
            continue;
        };
        let page = format!("/{}/{}", s.body_slug, s.date.format("%Y-%m-%d"));
        let next: Vec<String> = item
            .next
            .iter()
            .map(|n| format!("{} {} {}", next_words(n.kind), n.body, long_date(n.date)))
            .collect();
        announced.extend(item.next.iter().map(|n| (n.body.clone(), n.date, n.kind)));
        lines.push(TreatmentLine {
            href: item
                .number
                .map_or(page.clone(), |n| format!("{page}/punkt/{n}")),
            body: s.body_name.clone(),
            date: long_date(s.date),
            number: item.number,
            // A closed item (its body publishes closed items' case numbers) by its public
            // title and public decision.
            title: if item.access.is_closed() {
                format!("{} (lukket punkt)", item.title)
            } else {
                item.title.clone()
            },
            decision: item.decision.as_deref().map(short),
            next,
            sort: s.date,
            closed_public: item.access.is_closed(),
        });
    }
    if !closed.is_empty() {
        for c in &closed {
            let page = format!("/{}/{}", protokol_core::danish::slug(&c.body_name), c.date);
            // The member's view of it replaces the public one.
            let date = long_date(c.date);
            lines.retain(|l: &TreatmentLine| {
                !(l.closed_public
                    && l.body == c.body_name
                    && l.sort == c.date
                    && l.number == c.number)
            });
            lines.push(TreatmentLine {
                href: c
                    .number
                    .map_or(page.clone(), |n| format!("{page}/punkt/{n}")),
                body: c.body_name.clone(),
                date,
                number: c.number,
                title: format!("{} (lukket punkt)", c.title),
                decision: c.decision.as_deref().map(short),
                next: Vec::new(),
                sort: c.date,
                closed_public: false,
            });
        }
        lines.sort_by_key(|l| l.sort);
    }
    // What is announced for a later date and not (yet) among the public treatments.
    let today = today();
    let coming = announced
        .into_iter()
        .filter(|(body, date, _)| {
            *date >= today
                && !treatments.iter().any(|t| {
                    t.meeting.summary.date == *date
                        && t.meeting.summary.body_name.to_lowercase() == body.to_lowercase()
                })
        })
        .map(|(body, date, kind)| format!("{} {body} {}", next_words(kind), long_date(date)))
        .collect();
    Ok(Html(
        CasePage {
            nav: visitor.nav(),
            title: title.clone(),
            number,
            treatments: lines,
            coming,
            // A case with no public treatment is not open data.
            api: if treatments.is_empty() {
                String::new()
            } else {
                format!("{}/paper/{key}", crate::oparl::ROOT)
            },
        }
        .render()?,
    )
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn a_long_decision_is_shown_by_its_first_paragraph() {
        assert_eq!(short("Godkendt."), "Godkendt.");
        assert_eq!(short("Godkendt.\n\nMed bemærkninger."), "Godkendt. …");
        let long = "ø".repeat(400);
        assert_eq!(short(&long).chars().count(), 302);
    }
}
