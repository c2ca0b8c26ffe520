//! Conditional requests for the public: every page and document answered to someone not
//! signed in carries an `ETag` and `Cache-Control: public, no-cache` (caches keep it but ask
//! each time whether it is still current), and a request whose `If-None-Match` names the
//! current version is answered `304 Not Modified` without a body. Pages get their ETag
//! from a hash of the HTML; documents and files bring their own (the record's version, the
//! file's SHA-256). Answers to signed-in visitors are private and never stored.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::visitor::{SESSION_COOKIE, cookie};

/// Pages larger than this are not hashed for an ETag (no public page comes near it).
const HASHED_LIMIT: usize = 8 << 20;

fn matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag)
}

pub(crate) async fn conditional(request: Request, next: Next) -> Response {
    let anonymous = cookie(request.headers(), SESSION_COOKIE).is_none();
    let readable = matches!(*request.method(), Method::GET | Method::HEAD);
    let if_none_match = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let response = next.run(request).await;
    if !anonymous || !readable || response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let is_html = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let body = if parts.headers.contains_key(header::ETAG) || !is_html {
        body
    } else {
        match axum::body::to_bytes(body, HASHED_LIMIT).await {
            Ok(bytes) => {
                let hash: String = Sha256::digest(&bytes)
                    .iter()
                    .take(12)
                    .map(|b| format!("{b:02x}"))
                    .collect();
                if let Ok(v) = HeaderValue::from_str(&format!("\"{hash}\"")) {
                    parts.headers.insert(header::ETAG, v);
                }
                Body::from(bytes)
            }
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    };
    if !parts.headers.contains_key(header::CACHE_CONTROL) {
        parts.headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, no-cache"),
        );
    }
    let etag = parts
        .headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let (Some(etag), Some(wanted)) = (etag, if_none_match)
        && matches(&wanted, &etag)
    {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            if let Some(v) = parts.headers.get(&name) {
                not_modified.headers_mut().insert(name, v.clone());
            }
        }
        return not_modified;
    }
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_names_the_current_version_or_anything() {
        assert!(matches("\"abc\"", "\"abc\""));
        assert!(matches("\"x\", W/\"abc\"", "\"abc\""));
        assert!(matches("*", "\"abc\""));
        assert!(!matches("\"abd\"", "\"abc\""));
    }
}
