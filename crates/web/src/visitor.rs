//! Who is asking: the public, or a signed-in account found by its session cookie. The
//! cookie holds a random token; the store knows only its SHA-256, and an expired or ended
//! session is simply the public again.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use protokol_core::{BodyCode, Viewer};
use protokol_render::Edition;
use protokol_store::WebSession;

use crate::AppState;
use crate::error::WebError;

/// The session cookie (HttpOnly, Secure, SameSite=Lax).
pub const SESSION_COOKIE: &str = "protokol_session";
/// The sign-in form's CSRF cookie (double submit: the form carries the same value).
pub const CSRF_COOKIE: &str = "protokol_csrf";
/// A browser's device token, set at a successful sign-in: a browser the account knows is
/// not locked out by failed sign-ins of strangers (HttpOnly, Secure, SameSite=Lax).
pub const DEVICE_COOKIE: &str = "protokol_device";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The person behind a request.
#[derive(Clone, Debug, Default)]
pub struct Visitor {
    pub session: Option<WebSession>,
    /// The hash of the session token (to end the session).
    pub token_hash: Option<String>,
}

impl Visitor {
    pub fn viewer(&self) -> Viewer {
        self.session
            .as_ref()
            .map_or(Viewer::Public, |s| s.account.viewer())
    }

    /// The edition of a body's documents for this visitor: decided by who asks, never by
    /// the request.
    pub fn edition_for(&self, body: &BodyCode) -> Edition {
        if self.viewer().sees_closed_of(body) {
            Edition::Internal
        } else {
            Edition::Public
        }
    }

    /// What the page header shows.
    pub fn nav(&self) -> Nav {
        match &self.session {
            Some(s) => Nav {
                user: Some(s.account.name().to_string()),
                csrf: s.csrf_token.clone(),
                admin: s.account.administrator,
                workspace: s.account.administrator
                    || s.account
                        .grants
                        .iter()
                        .any(|g| g.role == protokol_core::Role::Secretary),
            },
            None => Nav::default(),
        }
    }
}

/// The signed-in part of the page header.
#[derive(Clone, Debug, Default)]
pub struct Nav {
    /// The signed-in person's name.
    pub user: Option<String>,
    /// The session's CSRF token, for the sign-out form.
    pub csrf: String,
    /// Whether to link the secretariat's workspace.
    pub workspace: bool,
    /// Whether to link the administrators' pages.
    pub admin: bool,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Ok(Self::default());
        };
        let hash = protokol_auth::token_hash(&token);
        let session = state.store.web_session(&hash).await?;
        Ok(Self {
            token_hash: session.as_ref().map(|_| hash),
            session,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut h = HeaderMap::new();
        h.append(
            axum::http::header::COOKIE,
            "a=1; protokol_session_x=2; protokol_session=abc"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        );
        h.append(
            axum::http::header::COOKIE,
            "protokol_csrf=def"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, CSRF_COOKIE).as_deref(), Some("def"));
        assert_eq!(cookie(&h, "b"), None);
    }
}
