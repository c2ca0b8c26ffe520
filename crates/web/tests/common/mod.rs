//! HTTP helpers shared by the web tests: requests with cookies and forms, reading cookies
//! and hidden fields back, signing in through the form.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use protokol_web::{AppState, app};
use tower::ServiceExt;

pub const PASSWORD: &str = "mødelokale 250 rådhuset";

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

pub async fn send(state: &AppState, request: Request<Body>) -> Reply {
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 10 << 20)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub async fn get(state: &AppState, uri: &str, cookie: Option<&str>) -> Reply {
    let mut r = Request::get(uri);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    send(state, r.body(Body::empty()).unwrap()).await
}

pub async fn post(state: &AppState, uri: &str, cookie: &str, form: &[(&str, &str)]) -> Reply {
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header(header::HOST, "localhost")
        .body(Body::from(body))
        .unwrap();
    send(state, request).await
}

pub use protokol_testkit::urlencode;

/// The value of `name` in the reply's Set-Cookie headers, with the whole header line.
pub fn set_cookie(reply: &Reply, name: &str) -> Option<(String, String)> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|line| {
            let value = line[name.len() + 1..]
                .split(';')
                .next()
                .unwrap()
                .to_string();
            (value, line.to_string())
        })
}

pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// Signs in through the form; returns the Cookie header value for later requests.
pub async fn sign_in(state: &AppState, user: &str) -> String {
    let form = get(state, "/logind?til=/direktionen/2023-09-06", None).await;
    assert_eq!(form.status, StatusCode::OK);
    let (csrf_cookie, _) = set_cookie(&form, "protokol_csrf").unwrap();
    assert_eq!(hidden(&form.body, "csrf"), csrf_cookie);
    let reply = post(
        state,
        "/logind",
        &format!("protokol_csrf={csrf_cookie}"),
        &[
            ("brugernavn", user),
            ("adgangskode", PASSWORD),
            ("csrf", &csrf_cookie),
            ("til", "/direktionen/2023-09-06"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.headers[header::LOCATION], "/direktionen/2023-09-06");
    let (token, line) = set_cookie(&reply, "protokol_session").unwrap();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(line.contains(attribute), "{line}");
    }
    format!("protokol_session={token}")
}

/// Sends a multipart form (as a browser's file upload does) with `fields` and a file.
pub async fn post_multipart(
    state: &AppState,
    uri: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Reply {
    let boundary = "----protokol-test-boundary-7d2a";
    let mut body: Vec<u8> = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"fil\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let request = Request::post(uri)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, cookie)
        .header(header::HOST, "localhost")
        .body(Body::from(body))
        .unwrap();
    send(state, request).await
}

/// GET returning (status, content type, bytes).
pub async fn get_bytes(
    state: &AppState,
    uri: &str,
    cookie: Option<&str>,
) -> (StatusCode, String, Vec<u8>) {
    let mut r = Request::get(uri);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    let response = app(state.clone())
        .oneshot(r.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .unwrap();
    (status, kind, bytes.to_vec())
}

/// An account `user` with [`PASSWORD`], shown as `name` where given, holding `role` in
/// the body with code `body`.
pub async fn account_with_role(
    store: &protokol_store::Store,
    user: &str,
    name: Option<&str>,
    body: &str,
    role: protokol_core::Role,
) {
    protokol_auth::create_account(store, user, name, PASSWORD, "test")
        .await
        .unwrap();
    store
        .set_role(
            user,
            &protokol_store::RoleChange::InBody(protokol_core::Grant {
                body: body.parse().unwrap(),
                role,
            }),
            true,
            "test",
        )
        .await
        .unwrap();
}
