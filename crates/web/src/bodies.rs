//! A body's settings in the workspace (`/arbejde/{body}/indstillinger`): its standing
//! items, its members (roles, party letters, substitutes, vacant seats), the dispatch
//! deadline for agendas, and whether closed attachments' titles are public.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use protokol_core::danish::slug;
use protokol_core::{Body, Membership};
use protokol_store::StoreError;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::pages::body_by_slug;
use crate::view::BodySettingsPage;
use crate::visitor::Visitor;
use crate::workspace::{check_form, see_other};

/// One member per line: "Name; role; party", "Name; ; party; stedfortræder for Other", or
/// "ledig; ; party" for a vacant seat.
fn member_lines(members: &[Membership]) -> String {
    members
        .iter()
        .map(|m| {
            let mut parts = vec![
                if m.vacant {
                    "ledig".to_string()
                } else {
                    m.name.clone().unwrap_or_default()
                },
                m.role.clone().unwrap_or_default(),
                m.party.clone().unwrap_or_default(),
            ];
            if let Some(s) = &m.substitute_for {
                parts.push(format!("stedfortræder for {s}"));
            }
            while parts.last().is_some_and(String::is_empty) {
                parts.pop();
            }
            parts.join("; ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_members(raw: &str) -> Result<Vec<Membership>, String> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let parts: Vec<&str> = line.split(';').map(str::trim).collect();
            let field = |k: usize| {
                parts
                    .get(k)
                    .map(|s| s.to_string())
                    .filter(|s| !s.is_empty())
            };
            let name = field(0).ok_or_else(|| format!("Linje {}: navnet mangler.", i + 1))?;
            let vacant = name.eq_ignore_ascii_case("ledig");
            let substitute_for = match field(3) {
                None => None,
                Some(s) => Some(
                    s.strip_prefix("stedfortræder for ")
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .ok_or_else(|| {
                            format!(
                                "Linje {}: skriv den fjerde del som \"stedfortræder for Navn\".",
                                i + 1
                            )
                        })?,
                ),
            };
            if parts.len() > 4 {
                return Err(format!(
                    "Linje {}: højst fire dele adskilt af semikolon.",
                    i + 1
                ));
            }
            Ok(Membership {
                name: if vacant { None } else { Some(name) },
                role: field(1),
                party: field(2),
                vacant,
                substitute_for,
                from: None,
                until: None,
            })
        })
        .collect()
}

async fn secretary_body(
    state: &AppState,
    visitor: &Visitor,
    wanted: &str,
) -> Result<Body, WebError> {
    let body = body_by_slug(state, wanted).await?;
    let here = format!("/arbejde/{wanted}/indstillinger");
    let session = visitor.session.as_ref().ok_or(WebError::SignIn(here))?;
    if session.account.may_prepare(&body.code) {
        Ok(body)
    } else {
        Err(WebError::NotFound)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    faste_punkter: String,
    #[serde(default)]
    frist: String,
    #[serde(default)]
    lukkede_titler: Option<String>,
    lukkede_sagsnumre: Option<String>,
    #[serde(default)]
    medlemmer: String,
}

struct Shown {
    standing: String,
    deadline: String,
    titles_public: bool,
    case_numbers_public: bool,
    members: String,
    deadline_error: Option<String>,
    members_error: Option<String>,
    message: Option<String>,
}

fn render(
    visitor: &Visitor,
    body: &Body,
    version: i64,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, WebError> {
    let page = BodySettingsPage {
        title: format!("Indstillinger – {}", body.name),
        nav: visitor.nav(),
        csrf: visitor.nav().csrf,
        body_name: body.name.clone(),
        action: format!("/arbejde/{}/indstillinger", slug(&body.name)),
        version,
        standing: shown.standing,
        deadline: shown.deadline,
        titles_public: shown.titles_public,
        case_numbers_public: shown.case_numbers_public,
        members: shown.members,
        deadline_error: shown.deadline_error,
        members_error: shown.members_error,
        message: shown.message,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /arbejde/{body}/indstillinger`.
pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(body): Path<String>,
) -> Result<Response, WebError> {
    let body = secretary_body(&state, &visitor, &body).await?;
    let (members, _) = state.store.memberships(&body.code).await?;
    let shown = Shown {
        standing: body.settings.standing_items.join("\n"),
        deadline: body
            .settings
            .agenda_deadline_working_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
        titles_public: body.settings.closed_attachment_titles_public,
        case_numbers_public: body.settings.closed_case_numbers_public,
        members: member_lines(&members),
        deadline_error: None,
        members_error: None,
        message: None,
    };
    render(&visitor, &body, body.version, shown, StatusCode::OK)
}

/// `POST /arbejde/{body}/indstillinger`.
pub async fn save(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug_): Path<String>,
    f: Result<Form<SettingsForm>, FormRejection>,
) -> Result<Response, WebError> {
    let body = secretary_body(&state, &visitor, &slug_).await?;
    let Form(f) = f.map_err(|_| WebError::BadRequest("Formularen kunne ikke læses."))?;
    check_form(&visitor, &headers, &f.csrf)?;
    let version: i64 = f
        .version
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest("Formularen mangler udvalgets version."))?;
    let deadline = match f.frist.trim() {
        "" => Ok(None),
        d => d
            .parse::<u8>()
            .ok()
            .filter(|d| *d <= 30)
            .map(Some)
            .ok_or_else(|| "Skriv fristen som et antal arbejdsdage mellem 0 og 30.".to_string()),
    };
    use protokol_core::limits::{NAME_CHARS, TITLE_CHARS, over};
    let members = parse_members(&f.medlemmer).and_then(|ms| {
        let long = ms.iter().flat_map(|m| {
            [&m.name, &m.role, &m.party, &m.substitute_for]
                .into_iter()
                .flatten()
        });
        let first_long = long
            .into_iter()
            .find(|v| over(v, NAME_CHARS).is_some())
            .map(|v| v.chars().take(30).collect::<String>());
        match first_long {
            Some(start) => Err(format!(
                "Et navn, en titel eller et parti er for langt: højst {NAME_CHARS} tegn (\"{start}…\")."
            )),
            None => Ok(ms),
        }
    });
    let standing_too_long = f
        .faste_punkter
        .lines()
        .any(|l| over(l.trim(), TITLE_CHARS).is_some());
    let mut shown = Shown {
        standing: f.faste_punkter.clone(),
        deadline: f.frist.clone(),
        titles_public: f.lukkede_titler.is_some(),
        case_numbers_public: f.lukkede_sagsnumre.is_some(),
        members: f.medlemmer.clone(),
        deadline_error: deadline.as_ref().err().cloned(),
        members_error: members.as_ref().err().cloned(),
        message: None,
    };
    let (Ok(deadline), Ok(members), false) = (deadline, members, standing_too_long) else {
        shown.message = Some(if standing_too_long {
            format!("Indstillingerne er ikke gemt: et fast punkt må højst have {TITLE_CHARS} tegn.")
        } else {
            "Indstillingerne er ikke gemt. Ret det markerede.".into()
        });
        return render(
            &visitor,
            &body,
            version,
            shown,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let mut settings = body.settings.clone();
    settings.standing_items = f
        .faste_punkter
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    settings.agenda_deadline_working_days = deadline;
    settings.closed_attachment_titles_public = f.lukkede_titler.is_some();
    settings.closed_case_numbers_public = f.lukkede_sagsnumre.is_some();
    let actor = visitor
        .session
        .as_ref()
        .map(|s| s.account.username.clone())
        .unwrap_or_default();
    let result = async {
        let v = state
            .store
            .update_body_settings(&body.code, &settings, version, &actor)
            .await?;
        state
            .store
            .set_memberships(&body.code, &members, v, &actor)
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other("/arbejde")),
        Err(StoreError::Conflict { .. }) => {
            shown.message = Some(
                "Udvalgets indstillinger er ændret af en anden, siden du åbnede siden. Genindlæs siden, og prøv igen.".into(),
            );
            render(&visitor, &body, version, shown, StatusCode::CONFLICT)
        }
        Err(StoreError::Rejected(why)) => {
            shown.members_error = Some(format!("Medlemslisten kan ikke gemmes: {why}"));
            render(
                &visitor,
                &body,
                version,
                shown,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_lines_round_trip() {
        let raw = "Kasper Bjerregaard; Borgmester; V\nJan Petersen; ; A\nUlla Mortensen; ; O; stedfortræder for Per Hansen\nledig; ; F";
        let members = parse_members(raw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(members.len(), 4);
        assert!(members[3].vacant && members[3].name.is_none());
        assert_eq!(members[2].substitute_for.as_deref(), Some("Per Hansen"));
        assert_eq!(member_lines(&members), raw);
        assert!(parse_members("; Borgmester").is_err());
        assert!(parse_members("Ulla; ; O; for Per").is_err());
    }
}
