//! Attendance, recorded by the secretary in the workspace: for each member present, absent
//! with notice (afbud) or absent; a substitute (stedfortræder) for an absent member; and the
//! items during which a present member was away ("left during items 3–5").

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use protokol_core::danish::long_date;
use protokol_core::{Absence, Body, Meeting, Member};

use crate::AppState;
use crate::error::WebError;
use crate::view::{AttendancePage, AttendanceRow};
use crate::visitor::Visitor;
use crate::workspace::{check_form, editor_href, meeting_for, save_meeting_with};

/// Item numbers from "3-5, 7" (or "3–5"); every number must be an item of the meeting.
fn item_numbers(raw: &str, m: &Meeting) -> Result<Vec<u32>, String> {
    let known: Vec<u32> = m.items.iter().filter_map(|i| i.number).collect();
    let mut out = Vec::new();
    for part in raw
        .split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (a, b) = match part.split_once(['-', '–']) {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let bad = || format!("Skriv punkterne som numre, fx \"3-5, 7\" (ikke \"{part}\").");
        let a: u32 = a.parse().map_err(|_| bad())?;
        let b: u32 = b.parse().map_err(|_| bad())?;
        if a > b {
            return Err(bad());
        }
        for n in a..=b {
            if !known.contains(&n) {
                return Err(format!("Mødet har intet punkt {n}."));
            }
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    Ok(out)
}

/// The regular members (substitutes are listed with the member they stand in for).
fn regulars(m: &Meeting) -> Vec<&Member> {
    m.members
        .iter()
        .filter(|x| !x.vacant && x.name.is_some() && x.substitute_for.is_none())
        .collect()
}

fn rows(m: &Meeting, form: Option<&HashMap<String, String>>) -> Vec<AttendanceRow> {
    regulars(m)
        .into_iter()
        .enumerate()
        .map(|(i, member)| {
            let name = member.name.clone().unwrap_or_default();
            let absence = m.absent.iter().find(|a| a.name == name);
            let status = match absence {
                Some(a) if a.notice => "afbud",
                Some(_) => "fravaer",
                None => "til_stede",
            };
            let away: Vec<String> = m
                .items
                .iter()
                .filter(|it| it.absent.contains(&name))
                .filter_map(|it| it.number.map(|n| n.to_string()))
                .collect();
            let substitute = m
                .members
                .iter()
                .find(|x| x.substitute_for.as_deref() == Some(name.as_str()))
                .and_then(|x| x.name.clone())
                .unwrap_or_default();
            let value = |key: &str, stored: String| {
                form.and_then(|f| f.get(&format!("{key}_{i}")).cloned())
                    .unwrap_or(stored)
            };
            AttendanceRow {
                index: i,
                label: match (&member.role, &member.party) {
                    (_, Some(p)) => format!("{name} ({p})"),
                    (Some(r), None) => format!("{r} {name}"),
                    (None, None) => name.clone(),
                },
                status: value("status", status.to_string()),
                away: value("punkter", away.join(", ")),
                substitute: value("stedfortraeder", substitute),
                error: None,
            }
        })
        .collect()
}

fn page(
    visitor: &Visitor,
    m: &Meeting,
    version: i64,
    body: &Body,
    rows: Vec<AttendanceRow>,
    message: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let page = AttendancePage {
        title: format!(
            "Fremmøde – {} {}",
            body.name,
            long_date(m.date).to_lowercase()
        ),
        nav: visitor.nav(),
        csrf: visitor.nav().csrf,
        body_name: body.name.clone(),
        date: long_date(m.date),
        meeting_href: editor_href(body, m.date),
        version,
        rows,
        message,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /arbejde/{body}/{date}/fremmoede`.
pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((body, date)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (m, v, body, _) = meeting_for(&state, &visitor, &body, &date).await?;
    page(&visitor, &m, v, &body, rows(&m, None), None, StatusCode::OK)
}

/// `POST /arbejde/{body}/{date}/fremmoede`.
pub async fn save(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, date)): Path<(String, String)>,
    f: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, WebError> {
    let (mut m, v, body, actor) = meeting_for(&state, &visitor, &body, &date).await?;
    let Form(f) = f.map_err(|_| WebError::BadRequest("Formularen kunne ikke læses."))?;
    check_form(
        &visitor,
        &headers,
        f.get("csrf").map(String::as_str).unwrap_or(""),
    )?;
    let version: i64 = f
        .get("version")
        .and_then(|v| v.trim().parse().ok())
        .ok_or(WebError::BadRequest("Formularen mangler mødets version."))?;
    let mut shown = rows(&m, Some(&f));
    let members: Vec<Member> = regulars(&m).into_iter().cloned().collect();
    let mut absent = Vec::new();
    let mut substitutes = Vec::new();
    let mut away: Vec<(String, Vec<u32>)> = Vec::new();
    let mut failed = false;
    for (i, member) in members.iter().enumerate() {
        let name = member.name.clone().unwrap_or_default();
        let row = &mut shown[i];
        match row.status.as_str() {
            "til_stede" => {}
            "afbud" | "fravaer" => absent.push(Absence {
                name: name.clone(),
                role: member.role.clone(),
                party: member.party.clone(),
                notice: row.status == "afbud",
            }),
            _ => {
                row.error = Some("Vælg til stede, afbud eller fraværende.".into());
                failed = true;
            }
        }
        let substitute = row.substitute.trim().to_string();
        if !substitute.is_empty() {
            if row.status == "til_stede" {
                row.error = Some(format!(
                    "{name} er til stede og har derfor ingen stedfortræder."
                ));
                failed = true;
            } else {
                substitutes.push(Member {
                    name: Some(substitute),
                    role: None,
                    party: member.party.clone(),
                    vacant: false,
                    substitute_for: Some(name.clone()),
                });
            }
        }
        match item_numbers(&row.away, &m) {
            Ok(numbers) if !numbers.is_empty() && row.status != "til_stede" => {
                row.error = Some(format!(
                    "{name} var ikke til stede; punkter, hvor man var borte, gælder kun for dem, der var til stede."
                ));
                failed = true;
            }
            Ok(numbers) => away.push((name, numbers)),
            Err(why) => {
                row.error = Some(why);
                failed = true;
            }
        }
    }
    if failed {
        return page(
            &visitor,
            &m,
            v,
            &body,
            shown,
            Some("Fremmødet er ikke gemt. Ret det markerede.".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    // Members, then each substitute right after the member they stand in for.
    let mut new_members = Vec::new();
    for member in m.members.iter().filter(|x| x.substitute_for.is_none()) {
        new_members.push(member.clone());
        if let Some(sub) = substitutes
            .iter()
            .find(|s| s.substitute_for.as_deref() == member.name.as_deref())
        {
            new_members.push(sub.clone());
        }
    }
    m.members = new_members;
    m.absent = absent;
    for item in &mut m.items {
        item.absent
            .retain(|n| !away.iter().any(|(name, _)| name == n));
        for (name, numbers) in &away {
            if item.number.is_some_and(|n| numbers.contains(&n)) {
                item.absent.push(name.clone());
            }
        }
    }
    save_meeting_with(&state, &visitor, &body, m, version, &actor).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use protokol_core::{BodyRef, Item, MeetingKind};

    #[test]
    fn item_ranges_are_read_and_checked_against_the_meeting() {
        let mut m = Meeting::new(
            BodyRef {
                name: "Direktionen".into(),
                code: "DIR".parse().unwrap_or_else(|e| panic!("{e}")),
            },
            MeetingKind::Minutes,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default(),
        );
        m.items = (1..=8)
            .map(|n| Item::new(Some(n), format!("Punkt {n}")))
            .collect();
        assert_eq!(item_numbers("3-5, 7", &m), Ok(vec![3, 4, 5, 7]));
        assert_eq!(item_numbers("3–4 4", &m), Ok(vec![3, 4]));
        assert_eq!(item_numbers("", &m), Ok(vec![]));
        assert!(item_numbers("5-3", &m).is_err());
        assert!(item_numbers("tre", &m).is_err());
        assert_eq!(
            item_numbers("9", &m),
            Err("Mødet har intet punkt 9.".into())
        );
    }
}
