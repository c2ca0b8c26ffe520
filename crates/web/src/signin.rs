//! Signing in and out. Forms are protected against cross-site requests twice: the form
//! carries a token that must match (the sign-in form's cookie, or the session's own token),
//! and a request whose `Origin` names another site is refused.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use protokol_auth::{AuthError, Client, DEVICE_DAYS, SESSION_HOURS, new_token, tokens_match};
use serde::Deserialize;

use crate::AppState;
use crate::client::ClientAddress;
use crate::error::WebError;
use crate::view::SignInPage;
use crate::visitor::{CSRF_COOKIE, DEVICE_COOKIE, Nav, SESSION_COOKIE, Visitor, cookie};

#[derive(Debug, Default, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    brugernavn: String,
    #[serde(default)]
    adgangskode: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    til: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Next {
    #[serde(default)]
    til: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

/// Where to go after signing in: a path on this site, else the front page.
fn local_path(wanted: &str) -> String {
    let ok = wanted.starts_with('/')
        && !wanted.starts_with("//")
        && !wanted.contains('\\')
        && !wanted.chars().any(char::is_control);
    if ok {
        wanted.to_string()
    } else {
        "/".to_string()
    }
}

/// Whether the request comes from this site (no `Origin`, or one naming this host).
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| !host.is_empty() && rest == host)
}

fn cookie_header(name: &str, value: &str, max_age: i64) -> HeaderValue {
    let v = format!("{name}={value}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={max_age}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn form_page(
    status: StatusCode,
    csrf: &str,
    next: &str,
    username: &str,
    error: Option<&'static str>,
) -> Result<Response, WebError> {
    let page = SignInPage {
        title: "Log ind",
        nav: Nav::default(),
        csrf: csrf.to_string(),
        next: next.to_string(),
        username: username.to_string(),
        error,
    };
    let mut response = (status, Html(page.render()?)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::SET_COOKIE, cookie_header(CSRF_COOKIE, csrf, 3600));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `GET /logind`: the form (or, signed in already, on to where the reader was going).
pub async fn form(
    visitor: Visitor,
    headers: HeaderMap,
    Query(next): Query<Next>,
) -> Result<Response, WebError> {
    let next = local_path(&next.til);
    if visitor.session.is_some() {
        return Ok(redirect(&next));
    }
    let csrf = cookie(&headers, CSRF_COOKIE).unwrap_or_else(new_token);
    form_page(StatusCode::OK, &csrf, &next, "", None)
}

fn redirect(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")),
        )],
    )
        .into_response()
}

/// `POST /logind`.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::BadRequest("Formularen kunne ikke læses."))?;
    let expected = cookie(&headers, CSRF_COOKIE);
    let csrf_ok = expected
        .as_deref()
        .is_some_and(|c| tokens_match(c, &form.csrf));
    if !csrf_ok || !same_origin(&headers) {
        return Err(WebError::Forbidden);
    }
    let next = local_path(&form.til);
    let csrf = expected.unwrap_or_else(new_token);
    if form.brugernavn.trim().is_empty() || form.adgangskode.is_empty() {
        return form_page(
            StatusCode::BAD_REQUEST,
            &csrf,
            &next,
            &form.brugernavn,
            Some("Skriv både brugernavn og adgangskode."),
        );
    }
    let client = Client {
        address,
        device_token: cookie(&headers, DEVICE_COOKIE),
    };
    match protokol_auth::sign_in(&state.store, &form.brugernavn, &form.adgangskode, &client).await {
        Ok(signed_in) => {
            let mut response = redirect(&next);
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                cookie_header(
                    SESSION_COOKIE,
                    &signed_in.session_token,
                    SESSION_HOURS * 3600,
                ),
            );
            headers.append(
                header::SET_COOKIE,
                cookie_header(
                    DEVICE_COOKIE,
                    &signed_in.device_token,
                    DEVICE_DAYS * 24 * 3600,
                ),
            );
            Ok(response)
        }
        Err(AuthError::WrongCredentials) => form_page(
            StatusCode::UNAUTHORIZED,
            &csrf,
            &next,
            &form.brugernavn,
            Some("Brugernavn eller adgangskode er forkert."),
        ),
        Err(AuthError::Throttled { .. }) => form_page(
            StatusCode::TOO_MANY_REQUESTS,
            &csrf,
            &next,
            &form.brugernavn,
            Some("For mange forkerte forsøg. Vent et kvarter, og prøv så igen."),
        ),
        Err(AuthError::Busy) => form_page(
            StatusCode::SERVICE_UNAVAILABLE,
            &csrf,
            &next,
            &form.brugernavn,
            Some("Der er travlt lige nu. Vent et øjeblik, og prøv så igen."),
        ),
        Err(AuthError::Store(e)) => Err(e.into()),
        Err(e) => Err(WebError::Render(e.to_string())),
    }
}

/// `POST /logud`: ends the session and clears the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    form: Result<Form<SignOutForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::BadRequest("Formularen kunne ikke læses."))?;
    let (Some(session), Some(hash)) = (&visitor.session, &visitor.token_hash) else {
        return Ok(redirect("/"));
    };
    if !tokens_match(&session.csrf_token, &form.csrf) || !same_origin(&headers) {
        return Err(WebError::Forbidden);
    }
    state.store.delete_web_session(hash).await?;
    tracing::info!(user = %session.account.username, "signed out");
    let mut response = redirect("/");
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie_header(SESSION_COOKIE, "", 0));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            local_path("/direktionen/2023-09-06"),
            "/direktionen/2023-09-06"
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "",
            "direktionen",
        ] {
            assert_eq!(local_path(bad), "/", "{bad}");
        }
    }

    #[test]
    fn origin_must_name_this_host_when_present() {
        let mut h = HeaderMap::new();
        h.insert(
            header::HOST,
            HeaderValue::from_static("protokol.norddjurs.dk"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://protokol.norddjurs.dk"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
    }
}
