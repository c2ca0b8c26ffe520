//! Signing the minutes on the meeting page: a member of the body who attended sees a sign
//! form while the minutes are published and not yet approved; the last signature approves
//! them (the store freezes them and records them in the approval log).

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use protokol_auth::tokens_match;
use protokol_core::danish::slug;
use protokol_core::{Body, Meeting, MeetingKind, MeetingStatus};
use protokol_store::StoreError;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::pages::body_by_slug;
use crate::signin::same_origin;
use crate::visitor::Visitor;

/// What the meeting page shows a member about signing.
pub struct SignBox {
    pub action: String,
    pub csrf: String,
    pub version: i64,
    /// The member may sign now.
    pub can_sign: bool,
    /// Why not, or what was done.
    pub note: Option<String>,
    /// Attendees who have not signed yet.
    pub waiting_for: String,
}

/// The sign box for `visitor`, if they are a member of the body and the minutes await
/// signatures.
pub fn sign_box(visitor: &Visitor, m: &Meeting, version: i64, body: &Body) -> Option<SignBox> {
    let session = visitor.session.as_ref()?;
    if !session.account.may_sign(&body.code)
        || m.kind != MeetingKind::Minutes
        || m.status != Some(MeetingStatus::Held)
    {
        return None;
    }
    let name = session.account.name();
    let attended = m.attendees().contains(&name);
    let signed = m.signatures.iter().any(|s| s.member == name);
    let note = if signed {
        Some("Du har underskrevet referatet.".to_string())
    } else if !attended {
        Some(format!(
            "Kun de medlemmer, der deltog i mødet, underskriver. {name} står ikke på deltagerlisten."
        ))
    } else {
        None
    };
    Some(SignBox {
        action: format!(
            "/{}/{}/underskriv",
            slug(&body.name),
            m.date.format("%Y-%m-%d")
        ),
        csrf: session.csrf_token.clone(),
        version,
        can_sign: attended && !signed,
        note,
        waiting_for: m.unsigned().join(", "),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct SignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    forbehold: String,
}

/// `POST /{body}/{date}/underskriv`.
pub async fn sign(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, date)): Path<(String, String)>,
    form: Result<Form<SignForm>, FormRejection>,
) -> Result<Response, WebError> {
    let here = format!("/{body}/{date}");
    let session = visitor
        .session
        .as_ref()
        .ok_or_else(|| WebError::SignIn(here.clone()))?;
    let Form(form) = form.map_err(|_| WebError::BadRequest("Formularen kunne ikke læses."))?;
    if !tokens_match(&session.csrf_token, &form.csrf) || !same_origin(&headers) {
        return Err(WebError::Forbidden);
    }
    let body = body_by_slug(&state, &body).await?;
    if !session.account.may_sign(&body.code) {
        return Err(WebError::NotFound);
    }
    let date = protokol_core::parse_date(&date).map_err(|_| WebError::NotFound)?;
    let (m, _) = state
        .store
        .meeting_on(&body.code, date)
        .await?
        .ok_or(WebError::NotFound)?;
    let id = m.id.ok_or(WebError::NotFound)?;
    let version: i64 = form
        .version
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest("Formularen mangler mødets version."))?;
    let reservation = Some(form.forbehold.trim()).filter(|r| !r.is_empty());
    if reservation.is_some_and(|r| {
        protokol_core::limits::over(r, protokol_core::limits::TEXT_CHARS).is_some()
    }) {
        return Err(WebError::BadRequest(
            "Forbeholdet er for langt: højst 100.000 tegn.",
        ));
    }
    match state
        .store
        .sign_minutes(
            id,
            session.account.name(),
            reservation,
            version,
            &session.account.username,
        )
        .await
    {
        Ok(signed) => {
            tracing::info!(user = %session.account.username, approved = signed.approved, "minutes signed");
            Ok((
                StatusCode::SEE_OTHER,
                [(
                    header::LOCATION,
                    HeaderValue::from_str(&here).unwrap_or(HeaderValue::from_static("/")),
                )],
            )
                .into_response())
        }
        Err(StoreError::Conflict { .. }) => Err(WebError::Refused(
            "Referatet er ændret, siden du åbnede siden. Genindlæs siden, læs det igen, og underskriv så.",
        )),
        Err(StoreError::Rejected(why)) => {
            tracing::info!(%why, "signature refused");
            Err(WebError::Refused(
                "Underskriften blev ikke gemt: referatet venter ikke på din underskrift.",
            ))
        }
        Err(e) => Err(e.into()),
    }
}
