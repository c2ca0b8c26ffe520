//! The one error type of the web layer: each case maps to a status and a Danish message for
//! the reader; details go to the log, never to the page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::view::ErrorPage;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Nothing here (or nothing this reader may see, which must look the same).
    #[error("not found")]
    NotFound,
    /// The address is malformed, e.g. an impossible date.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// The page needs a signed-in account: go to the sign-in page, then back to this path.
    #[error("sign-in needed")]
    SignIn(String),
    /// The action was understood but cannot be done now (the message says why).
    #[error("refused: {0}")]
    Refused(&'static str),
    /// A form without the right CSRF token, or sent from another site.
    #[error("forbidden: form token missing or from another site")]
    Forbidden,
    #[error("store: {0}")]
    Store(#[from] protokol_store::StoreError),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    /// A document could not be laid out (the message is logged, never shown).
    #[error("render: {0}")]
    Render(String),
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Refused(_) => StatusCode::CONFLICT,
            Self::SignIn(_) => StatusCode::SEE_OTHER,
            Self::Store(_) | Self::Template(_) | Self::Render(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn message(&self) -> (&'static str, &'static str) {
        match self {
            Self::NotFound => (
                "Siden findes ikke",
                "Vi kan ikke finde den side, du leder efter. Den kan være flyttet, eller adressen kan være skrevet forkert.",
            ),
            Self::BadRequest(why) => ("Forespørgslen er ikke gyldig", why),
            Self::SignIn(_) => ("Log ind", "Log ind for at fortsætte."),
            Self::Refused(why) => ("Handlingen kunne ikke udføres", why),
            Self::Forbidden => (
                "Handlingen blev afvist",
                "Formularen var for gammel eller kom fra en anden side. Gå tilbage, genindlæs siden og prøv igen.",
            ),
            Self::Store(_) | Self::Template(_) | Self::Render(_) => (
                "Der opstod en fejl",
                "Siden kunne ikke vises lige nu. Prøv igen om lidt.",
            ),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let Self::SignIn(back) = &self {
            let to = format!("/logind?til={}", encode_path(back));
            return (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, to)]).into_response();
        }
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let (heading, text) = self.message();
        let page = ErrorPage {
            title: heading,
            nav: crate::visitor::Nav::default(),
            heading,
            text,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, heading).into_response(),
        }
    }
}

/// A local path as a query value (only the characters that would break the query are
/// escaped; paths here are ASCII slugs and dates).
fn encode_path(path: &str) -> String {
    path.chars()
        .map(|c| match c {
            '&' => "%26".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            '+' => "%2B".to_string(),
            ' ' => "%20".to_string(),
            c => c.to_string(),
        })
        .collect()
}
